//! Streamable HTTP over real sockets, both eras on one endpoint: the status table, the
//! header ladder, 2026-07-28 requests answered as JSON or as SSE, DNS-rebinding refusal,
//! the body limit, a client disconnect cancelling the request, and a 2025-11-25 session
//! (initialize, `notifications/initialized`, calls with the returned `Mcp-Session-Id`,
//! elicitation pushed on the POST stream, DELETE).

use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::time::Duration;

use futures_util::io::{AsyncReadExt, AsyncWriteExt};
use mcp_driver::http::SessionSettings;
use serde_json::{Value, json};

use crate::harness::Harness;
use crate::http_fixture::{
    HttpFixture, POST_HEADERS, TOOLS, answer_seven, call, initialize, modern, open_session,
    ping_status, post_legacy, post_modern, post_raw, start, until_hanging, until_in_time,
};
use crate::support::{in_time, open};

/// The test server with the default session settings.
async fn serve(harness: &dyn Harness) -> HttpFixture {
    start(harness, SessionSettings::default()).await
}

/// `message` naming its client in `_meta` too.
fn identified(mut message: Value) -> Value {
    message["params"]["_meta"]["io.modelcontextprotocol/clientInfo"] =
        json!({"name": "http-test", "version": "1"});
    message
}

/// The status table and the header ladder of 2026-07-28 POSTs, GET without a session,
/// the media types, a malformed body, the body limit and an accepted notification.
pub async fn status_table_and_header_ladder(harness: &dyn Harness) {
    let addr = serve(harness).await.addr;

    let ok = post_modern(harness, addr, &modern(1, "tools/list", json!({})), true).await;
    assert_eq!(
        (ok.status, ok.header("content-type").as_str()),
        (200, "application/json")
    );
    let ok = ok.json().await;
    assert_eq!(ok["result"]["resultType"], "complete");
    assert_eq!(ok["result"]["tools"].as_array().map(Vec::len), Some(TOOLS));

    // Without the Mcp-Method header: 400 with -32020, the request's id kept.
    let no_method = post_modern(harness, addr, &modern(2, "tools/list", json!({})), false).await;
    assert_eq!(no_method.status, 400);
    let no_method = no_method.json().await;
    assert_eq!(no_method["error"]["code"], json!(-32020));
    assert_eq!(no_method["id"], 2);

    let removed = post_modern(harness, addr, &modern(3, "ping", json!({})), true).await;
    assert_eq!(
        (
            removed.status,
            removed.json().await["error"]["code"].clone()
        ),
        (404, json!(-32601))
    );

    let mut future = modern(4, "tools/list", json!({}));
    future["params"]["_meta"]["io.modelcontextprotocol/protocolVersion"] = json!("2099-01-01");
    let headers = [
        ("content-type", "application/json"),
        ("accept", "application/json, text/event-stream"),
        ("mcp-protocol-version", "2099-01-01"),
        ("mcp-method", "tools/list"),
    ];
    let unsupported = open(harness, addr, "POST", &headers, &future).await;
    assert_eq!(unsupported.status, 400);
    let unsupported = unsupported.json().await;
    assert_eq!(unsupported["error"]["code"], json!(-32022));
    assert_eq!(
        unsupported["error"]["data"]["supported"],
        json!(["2026-07-28"])
    );

    // A legacy initialize without a session id opens a session (the legacy status table
    // is the http_legacy module's).
    let legacy = post_legacy(harness, addr, None, &initialize(5, json!({}))).await;
    assert_eq!(
        (
            legacy.status,
            legacy.json().await["result"]["protocolVersion"].clone()
        ),
        (200, json!("2025-11-25"))
    );

    // GET and DELETE need a legacy session.
    let get = open(
        harness,
        addr,
        "GET",
        &[("accept", "text/event-stream")],
        &Value::Null,
    )
    .await;
    assert_eq!(
        (get.status, get.header("allow").as_str()),
        (405, "GET, POST, DELETE")
    );

    let wrong_type = post_raw(
        harness,
        addr,
        &[
            ("content-type", "text/plain"),
            ("accept", "application/json, text/event-stream"),
        ],
        b"{}",
    )
    .await;
    assert_eq!(wrong_type.status, 415);
    let wrong_accept = post_raw(
        harness,
        addr,
        &[
            ("content-type", "application/json"),
            ("accept", "text/html"),
        ],
        b"{}",
    )
    .await;
    assert_eq!(wrong_accept.status, 406);
    let headers = POST_HEADERS;
    let garbage = post_raw(harness, addr, &headers, b"{not json").await;
    assert_eq!(
        (
            garbage.status,
            garbage.json().await["error"]["code"].clone()
        ),
        (400, json!(-32700))
    );

    // The declared length alone is refused, before any of the body is read.
    let too_large = in_time(
        harness,
        Duration::from_secs(10),
        "the refusal of a large body",
        too_large_status(harness, addr),
    )
    .await;
    assert!(too_large.starts_with("HTTP/1.1 413"), "{too_large}");

    let notification = json!({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": 1,
        "_meta": {"io.modelcontextprotocol/protocolVersion": "2026-07-28"}}});
    let accepted = post_modern(harness, addr, &notification, true).await;
    assert_eq!(accepted.status, 202);
}

/// The status line the server answers a POST declaring a 5 MB body with, sent over a raw
/// socket so the refusal can arrive while the body is still unsent.
async fn too_large_status(harness: &dyn Harness, addr: SocketAddr) -> String {
    let mut socket = harness.connect_tcp(addr).await.expect("connected");
    let head = format!(
        "POST /mcp HTTP/1.1\r\nhost: {addr}\r\ncontent-type: application/json\r\n\
         accept: application/json, text/event-stream\r\ncontent-length: 5000000\r\n\r\n"
    );
    socket.write_all(head.as_bytes()).await.expect("head sent");
    socket.flush().await.expect("head flushed");
    let mut response = vec![0; 256];
    let read = socket.read(&mut response).await.expect("a response");
    String::from_utf8_lossy(&response[..read]).into_owned()
}

/// A foreign Host is refused with 421 and a foreign Origin with 403; a local Origin is
/// served.
pub async fn dns_rebinding_is_refused(harness: &dyn Harness) {
    let addr = serve(harness).await.addr;
    let body = modern(1, "tools/list", json!({}));
    let base = [
        ("content-type", "application/json"),
        ("accept", "application/json, text/event-stream"),
        ("mcp-protocol-version", "2026-07-28"),
        ("mcp-method", "tools/list"),
    ];
    let mut evil_host = base.to_vec();
    evil_host.push(("host", "evil.example.com"));
    assert_eq!(
        open(harness, addr, "POST", &evil_host, &body).await.status,
        421
    );
    let mut evil_origin = base.to_vec();
    evil_origin.push(("origin", "http://evil.example.com"));
    assert_eq!(
        open(harness, addr, "POST", &evil_origin, &body)
            .await
            .status,
        403
    );
    let mut local_origin = base.to_vec();
    local_origin.push(("origin", "http://localhost:3000"));
    assert_eq!(
        open(harness, addr, "POST", &local_origin, &body)
            .await
            .status,
        200
    );
}

/// 2026-07-28 requests answer as one JSON body, or, given a progress token, as an SSE
/// stream of progress that ends with the response.
pub async fn modern_requests_answer_as_json_or_sse(harness: &dyn Harness) {
    let addr = serve(harness).await.addr;

    let list = identified(modern(1, "tools/list", json!({})));
    let listed = post_modern(harness, addr, &list, true).await;
    assert_eq!(listed.status, 200);
    assert_eq!(listed.header("content-type"), "application/json");
    let listed = listed.json().await;
    assert_eq!(listed["id"], 1);
    assert_eq!(listed["result"]["resultType"], "complete");
    assert_eq!(
        listed["result"]["tools"].as_array().map(Vec::len),
        Some(TOOLS)
    );

    let echo = identified(modern(
        2,
        "tools/call",
        json!({"name": "echo", "arguments": {"text": "hi"}}),
    ));
    let echoed = post_modern(harness, addr, &echo, true).await;
    assert_eq!(echoed.status, 200);
    assert_eq!(echoed.json().await["result"]["content"][0]["text"], "hi");

    // A progress token makes the answer an SSE stream that ends with the response.
    let mut count = modern(
        7,
        "tools/call",
        json!({"name": "count", "arguments": {"steps": 3}}),
    );
    count["params"]["_meta"]["progressToken"] = json!("p");
    let mut stream = post_modern(harness, addr, &count, true).await;
    assert_eq!(
        (stream.status, stream.header("content-type").as_str()),
        (200, "text/event-stream")
    );
    for step in 1..=3 {
        let event = stream.next_message().await.expect("a progress event");
        assert_eq!(event["method"], "notifications/progress");
        assert_eq!(event["params"]["progress"], step);
    }
    let response = stream.next_message().await.expect("the response");
    assert_eq!(response["id"], 7);
    assert_eq!(response["result"]["content"][0]["text"], "counted");
    assert!(stream.next_message().await.is_none(), "the stream ends");

    // Without a progress token nothing streams: one JSON body.
    let plain = modern(
        8,
        "tools/call",
        json!({"name": "count", "arguments": {"steps": 3}}),
    );
    let reply = post_modern(harness, addr, &plain, true).await;
    assert_eq!(
        (reply.status, reply.header("content-type").as_str()),
        (200, "application/json")
    );
    assert_eq!(
        reply.json().await["result"]["content"][0]["text"],
        "counted"
    );
}

/// A client walking away from a streaming 2026-07-28 answer drops the handler.
pub async fn a_client_disconnect_cancels_the_request(harness: &dyn Harness) {
    let fixture = serve(harness).await;
    let addr = fixture.addr;
    let mut call = modern(9, "tools/call", json!({"name": "hang", "arguments": {}}));
    // A progress token makes the exchange stream (its first event is not the response),
    // so the response starts and the client can walk away from it.
    call["params"]["_meta"]["progressToken"] = json!(1);
    let mut pending = Box::pin(post_modern(harness, addr, &call, true));
    until_hanging(harness, &fixture, &mut pending).await;
    assert!(
        !fixture.dropped.load(Ordering::SeqCst),
        "the handler is running"
    );
    drop(pending);
    until_in_time(
        harness,
        "the handler's future is dropped after the client went away",
        &fixture.dropped,
    )
    .await;
}

/// A 2025-11-25 session on the same endpoint: initialize, `notifications/initialized`,
/// a call, elicitation on the POST stream answered by POST, unknown ids and DELETE.
pub async fn a_legacy_session_opens_calls_elicits_and_ends(harness: &dyn Harness) {
    let addr = serve(harness).await.addr;
    let session = open_session(harness, addr).await;

    let echoed = post_legacy(
        harness,
        addr,
        Some(&session),
        &call(1, "echo", json!({"text": "hi"})),
    )
    .await;
    assert_eq!(echoed.status, 200);
    assert_eq!(echoed.header("content-type"), "application/json");
    let echoed = echoed.json().await;
    assert_eq!(echoed["id"], 1);
    assert_eq!(echoed["result"]["content"][0]["text"], "hi");
    assert!(
        echoed["result"].get("resultType").is_none(),
        "legacy results carry none"
    );

    // Elicitation goes out on the POST's SSE stream; the answer is POSTed back.
    let mut asking = post_legacy(harness, addr, Some(&session), &call(2, "ask", json!({}))).await;
    assert_eq!(asking.header("content-type"), "text/event-stream");
    let question = asking.next_message().await.expect("the question");
    assert_eq!(question["method"], "elicitation/create");
    answer_seven(harness, addr, &session, &question).await;
    let response = asking.next_message().await.expect("the tool's response");
    assert_eq!(response["id"], 2);
    assert_eq!(response["result"]["content"][0]["text"], "picked 7");

    // An unknown session is 404; DELETE ends this one.
    assert_eq!(ping_status(harness, addr, "no-such-session", 3).await, 404);
    let ended = open(
        harness,
        addr,
        "DELETE",
        &[("mcp-session-id", session.as_str())],
        &Value::Null,
    )
    .await;
    assert_eq!(ended.status, 200);
    assert_eq!(ping_status(harness, addr, &session, 4).await, 404);
}
