//! The exact bytes a server connection writes for application replies, in both eras:
//! shaping (`resultType`, cache hints, `serverInfo`, stripped 2026 members) and the
//! validation that replaces invalid replies. Pinned so that changes to how shaping and
//! validation are computed keep the wire unchanged, byte for byte.

use mcp_proto::Timestamp;
use mcp_proto::json::RawJson;
use mcp_proto::server::{Reply, ServerConfig, ServerConnection, ServerEvent};
use mcp_proto::types::Implementation;

const META: &str = r#""_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}"#;
const INITIALIZE: &str = r#"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"c","version":"1"}}}"#;

fn server() -> ServerConnection {
    let mut info = Implementation::new("golden", "1.0.0");
    info.title = Some(String::from("Gold \"en\" ü"));
    ServerConnection::new(ServerConfig::new(info))
}

fn drain(server: &mut ServerConnection) -> String {
    let mut wire = Vec::new();
    while server.poll_transmit(&mut wire).is_some() {}
    String::from_utf8(wire).unwrap()
}

/// Sends one request of `method` with `params` (era by `modern`) and answers it with the
/// raw `result`; returns what the server wrote for the answer.
fn answer(modern: bool, method: &str, params: &str, result: &str) -> String {
    let mut server = server();
    let now = Timestamp::from_millis(1);
    if !modern {
        server.handle_bytes(now, format!("{INITIALIZE}\n").as_bytes());
        server.handle_bytes(
            now,
            b"{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}\n",
        );
        drain(&mut server);
    }
    let line = if modern {
        let comma = if params.is_empty() { "" } else { "," };
        format!(
            r#"{{"jsonrpc":"2.0","id":7,"method":"{method}","params":{{{params}{comma}{META}}}}}"#
        )
    } else {
        format!(r#"{{"jsonrpc":"2.0","id":7,"method":"{method}","params":{{{params}}}}}"#)
    };
    server.handle_bytes(now, format!("{line}\n").as_bytes());
    let request = std::iter::from_fn(|| server.poll_event())
        .find_map(|event| match event {
            ServerEvent::Request(request) => Some(request),
            _ => None,
        })
        .expect("a request");
    let reply = Reply::Result(RawJson::from_text(result).unwrap());
    server.respond(now, request.token, reply).unwrap();
    drain(&mut server)
}

const CASES: &[(bool, &str, &str, &str)] = &[
    (
        true,
        "tools/call",
        r#""name":"echo""#,
        r#"{"content":[{"type":"text","text":"hi"}]}"#,
    ),
    (
        true,
        "tools/call",
        r#""name":"echo""#,
        r#" { "content" : [ ] , "isError" : false } "#,
    ),
    (
        true,
        "tools/call",
        r#""name":"echo""#,
        r#"{"content":[],"_meta":{"a":1,"b":{"c":[1, 2]}}}"#,
    ),
    (
        true,
        "tools/call",
        r#""name":"echo""#,
        r#"{"content":[],"_meta":{"io.modelcontextprotocol/serverInfo":{"name":"app","version":"2"}}}"#,
    ),
    (
        true,
        "tools/call",
        r#""name":"echo""#,
        r#"{"content":[],"_meta":{"io.modelcontextprotocol/serverInfo":{"name":5}}}"#,
    ),
    (
        true,
        "tools/call",
        r#""name":"echo""#,
        r#"{"content":[],"_meta":[1]}"#,
    ),
    (
        true,
        "tools/call",
        r#""name":"echo""#,
        r#"{"content":[],"_meta":{},"_meta":{"x":1}}"#,
    ),
    (
        true,
        "tools/call",
        r#""name":"echo""#,
        r#"{"content":[],"resultType":"complete","resultType":"complete"}"#,
    ),
    (
        true,
        "tools/call",
        r#""name":"echo""#,
        r#"{"isError":true}"#,
    ),
    (
        true,
        "tools/call",
        r#""name":"echo""#,
        r#"{"content":[{"type":"nope"}],"x":1e400}"#,
    ),
    (
        true,
        "tools/call",
        r#""name":"echo""#,
        r#"{"content":[],"resultType":"input_required"}"#,
    ),
    (
        true,
        "tools/call",
        r#""name":"echo""#,
        r#"{"content":[],"resultType":7}"#,
    ),
    (
        true,
        "tools/call",
        r#""name":"echo""#,
        r#"{"content":[],"structuredContent":null,"ttlMs":5}"#,
    ),
    (true, "tools/list", "", r#"{"tools":[]}"#),
    (
        true,
        "tools/list",
        "",
        r#"{"tools":[],"ttlMs":9,"cacheScope":"public"}"#,
    ),
    (
        true,
        "tools/list",
        "",
        r#"{"tools":[{"name":"a","inputSchema":{"type":"object"},"execution":{"taskSupport":"forbidden"}}]}"#,
    ),
    (true, "tools/list", "", r#"{"tools":5}"#),
    (
        true,
        "resources/read",
        r#""uri":"file:///a""#,
        r#"{"contents":[{"uri":"file:///a","text":"x"}]}"#,
    ),
    (
        true,
        "resources/read",
        r#""uri":"file:///a""#,
        r#"{"contents":[{"uri":"file:///a"}]}"#,
    ),
    (true, "prompts/get", r#""name":"p""#, r#"{"messages":[]}"#),
    (
        true,
        "prompts/get",
        r#""name":"p""#,
        r#"{"messages":[{"role":"robot","content":{"type":"text","text":"x"}}]}"#,
    ),
    (true, "resources/list", "", r#"{"resources":[]}"#),
    (
        true,
        "resources/list",
        "",
        r#"{"resources":[],"cacheScope":"public","_meta":{"k":"v"}}"#,
    ),
    (
        false,
        "tools/call",
        r#""name":"echo""#,
        r#"{"content":[{"type":"text","text":"hi"}]}"#,
    ),
    (
        false,
        "tools/call",
        r#""name":"echo""#,
        r#"{"content":[],"resultType":"complete","ttlMs":1,"cacheScope":"private","task":{"x":1}}"#,
    ),
    (
        false,
        "tools/call",
        r#""name":"echo""#,
        r#"{"content":[],"structuredContent":[1]}"#,
    ),
    (
        false,
        "tools/call",
        r#""name":"echo""#,
        r#"{"content":[],"_meta":{"io.modelcontextprotocol/serverInfo":{"name":"a","version":"1"}}}"#,
    ),
    (false, "tools/call", r#""name":"echo""#, r#"{"content":5}"#),
    (false, "tools/list", "", r#"{ "tools" : [ ] }"#),
];

#[test]
fn replies_go_out_byte_for_byte() {
    let mut actual = String::new();
    for (modern, method, params, result) in CASES {
        actual.push_str(&answer(*modern, method, params, result));
    }
    if let Some(path) = std::env::var_os("REPLY_SHAPING_WRITE") {
        std::fs::write(path, &actual).unwrap();
    }
    assert_eq!(actual, include_str!("reply_shaping.golden"));
}
