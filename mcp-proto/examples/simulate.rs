//! Two clients, one dual-era server, no I/O: a 2026-07-28 client and a 2025-11-25 client
//! each call a tool that needs the user's confirmation, over the deterministic simulated
//! link of `mcp_proto::testing::Pair`. The modern client is asked through an "input
//! required" result and retries; the legacy client is asked through a server-to-client
//! `elicitation/create` request. Every message that crosses the link is printed.
//!
//! ```sh
//! cargo run -p mcp-proto --example simulate
//! ```

use mcp_proto::client::{ClientConfig, ClientEvent, ClientMode, RequestOptions};
use mcp_proto::jsonrpc::{Params, ResultBody};
use mcp_proto::mrtr::HmacSealer;
use mcp_proto::server::{
    InputRequired, Reply, RequestOptions as ServerRequestOptions, ServerConfig, ServerEvent,
};
use mcp_proto::testing::Pair;
use mcp_proto::types::{
    ClientCapabilities, ClientRequest, ElicitRequestParams, ElicitResult, ElicitationCapability,
    ElicitationSchema, Implementation, InputRequest, InputResponse, ListChangedCapability,
    ServerCapabilities, ServerRequest,
};
use serde_json::json;

fn server_config() -> ServerConfig {
    let capabilities = ServerCapabilities::default().with_tools(ListChangedCapability::new(true));
    // Keys and the nonce seed come from the caller: a real server takes them from its
    // secret store and its random source.
    let sealer = HmacSealer::new("demo-key", [42; 32], [7; 16]).expect("a valid key id");
    ServerConfig::new(Implementation::new("bookshop-core", "0.1.0"))
        .with_capabilities(capabilities)
        .with_sealer(sealer)
}

fn client_config(mode: ClientMode) -> ClientConfig {
    let capabilities =
        ClientCapabilities::default().with_elicitation(ElicitationCapability::default());
    ClientConfig::new(Implementation::new("demo-client", "0.1.0"))
        .with_mode(mode)
        .with_capabilities(capabilities)
}

fn confirm() -> ElicitRequestParams {
    ElicitRequestParams::form("Reserve 2 copies?", ElicitationSchema::default())
}

/// Prints the transcript: every chunk's bytes, reassembled into lines per direction.
fn print_transcript(title: &str, transcript: &[u8]) {
    println!("== {title}");
    let (mut to_server, mut to_client) = (Vec::new(), Vec::new());
    let mut rest = transcript;
    let mut lines = Vec::new();
    while rest.len() >= 17 {
        let direction = rest[8];
        let len = u64::from_be_bytes(rest[9..17].try_into().expect("8 bytes")) as usize;
        let buffer = if direction == b'>' {
            &mut to_server
        } else {
            &mut to_client
        };
        buffer.extend_from_slice(&rest[17..17 + len]);
        while let Some(end) = buffer.iter().position(|byte| *byte == b'\n') {
            let line: Vec<u8> = buffer.drain(..=end).collect();
            let arrow = if direction == b'>' {
                "client → server"
            } else {
                "server → client"
            };
            lines.push(format!(
                "  {arrow}: {}",
                String::from_utf8_lossy(&line[..line.len() - 1])
            ));
        }
        rest = &rest[17 + len..];
    }
    for line in lines {
        println!("{line}");
    }
}

fn run(mode: ClientMode, title: &str) {
    let mut pair = Pair::new(2026, client_config(mode), server_config());
    pair.drive();
    let call = ClientRequest::decode(
        "tools/call",
        Some(
            &Params::from_serialize(&json!({"name": "reserve", "arguments": {"title": "Dune"}}))
                .expect("an object"),
        ),
    )
    .expect("a valid call");
    let handle = pair
        .client
        .send_request(pair.now, call, RequestOptions::new())
        .expect("sent");
    let mut legacy_question = None;
    let mut pending_call = None;
    loop {
        pair.drive();
        let mut progressed = false;
        while let Some(event) = pair.next_server_event() {
            progressed = true;
            match event {
                ServerEvent::Request(request) => {
                    let context = &request.context;
                    let confirmed = context
                        .input_responses
                        .as_ref()
                        .is_some_and(|answers| answers.contains_key("confirm"));
                    let reply = if confirmed || legacy_question == Some(true) {
                        Reply::result(
                            &json!({"content": [{"type": "text", "text": "Reserved 2 copies of Dune"}]}),
                        )
                    } else if context.era == mcp_proto::version::Era::Modern {
                        let mut input = InputRequired::default();
                        input
                            .requests
                            .insert("confirm".into(), InputRequest::Elicit(confirm()));
                        input.state = Some(b"reserve:Dune".to_vec());
                        Reply::InputRequired(input)
                    } else {
                        // A 2025 session: ask with a live request, answer once it returns.
                        pair.server
                            .send_request(
                                pair.now,
                                ServerRequest::Elicit(confirm()),
                                ServerRequestOptions::default(),
                            )
                            .expect("the session declared elicitation");
                        legacy_question = Some(false);
                        pending_call = Some(request.token);
                        continue;
                    };
                    pair.server
                        .respond(pair.now, request.token, reply)
                        .expect("a live token");
                }
                ServerEvent::Response { outcome: Ok(_), .. } => {
                    legacy_question = Some(true);
                    if let Some(token) = pending_call.take() {
                        let reply = Reply::result(
                            &json!({"content": [{"type": "text", "text": "Reserved 2 copies of Dune"}]}),
                        );
                        pair.server
                            .respond(pair.now, token, reply)
                            .expect("a live token");
                    }
                }
                _ => {}
            }
        }
        while let Some(event) = pair.next_client_event() {
            progressed = true;
            match event {
                ClientEvent::InputRequired {
                    handle, requests, ..
                } => {
                    let answers = requests
                        .keys()
                        .map(|key| {
                            (
                                key.clone(),
                                InputResponse::from(ElicitResult::accept(Default::default())),
                            )
                        })
                        .collect();
                    pair.client
                        .provide_input(pair.now, handle, answers)
                        .expect("awaiting input");
                }
                ClientEvent::Request { token, .. } => {
                    let answer =
                        ResultBody::from_serialize(&json!({"action": "accept", "content": {}}))
                            .expect("an object");
                    pair.client
                        .respond(pair.now, token, Ok(answer))
                        .expect("a live token");
                }
                ClientEvent::Response {
                    handle: done,
                    outcome,
                    ..
                } if done == handle => {
                    pair.drive();
                    print_transcript(title, pair.transcript());
                    let version = pair
                        .client
                        .protocol_version()
                        .map(|v| v.to_string())
                        .unwrap_or_default();
                    let text = outcome.map(|body| {
                        body.decode::<serde_json::Value>().expect("json")["content"][0]["text"]
                            .clone()
                    });
                    println!("  => {version}: {text:?}\n");
                    return;
                }
                _ => {}
            }
        }
        if !progressed {
            panic!("the exchange stalled");
        }
    }
}

fn main() {
    run(
        ClientMode::Auto,
        "auto client (probes server/discover, lands on 2026-07-28)",
    );
    run(
        ClientMode::Legacy,
        "legacy client (initialize handshake, 2025-11-25)",
    );
}
