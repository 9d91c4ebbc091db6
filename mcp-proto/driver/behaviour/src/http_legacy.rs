//! 2025-11-25 sessions on Streamable HTTP over real sockets: the session lifecycle and its
//! status codes, JSON versus SSE per POST, elicitation pushed on the POST stream, the
//! standalone GET stream, cancellation, resumption with `Last-Event-ID`, DELETE and idle
//! expiry — all on the same endpoint that serves 2026-07-28 requests — keep-alive
//! comments on quiet streams of both eras, and our client recovering from an expired
//! session.

use std::sync::atomic::Ordering;
use std::time::Duration;

use mcp_driver::client::ClientHandlers;
use mcp_driver::http::{HttpEndpoint, SessionSettings};
use mcp_driver::server::{Context, Server, Tool, ToolError};
use mcp_proto::client::{ClientConfig, ClientMode};
use mcp_proto::types::{CallToolResult, Implementation};
use serde_json::{Value, json};

use crate::harness::Harness;
use crate::http_fixture::{
    HttpFixture, POST_HEADERS, Steps, TOOLS, answer_seven, call, get_headers, get_status,
    initialize, open_session, ping_status, post_legacy as post, post_modern, request, resume,
    start, until_hanging, until_in_time,
};
use crate::support::{in_time, open, sleep};

/// How long an idle session lives in the expiry scenarios, and how long they wait for it
/// to be gone (generous: the machine may be loaded).
const IDLE: Duration = Duration::from_secs(1);
const EXPIRED: Duration = Duration::from_millis(2500);

/// The test server with the default session settings, and a session opened on it.
async fn with_session(harness: &dyn Harness) -> (HttpFixture, String) {
    let fixture = start(harness, SessionSettings::default()).await;
    let session = open_session(harness, fixture.addr).await;
    (fixture, session)
}

/// Sessions open independently, and each status code of the session table: a missing
/// or unknown id, initialize inside a session, an unknown version, a method error, DELETE.
pub async fn session_lifecycle_and_status_codes(harness: &dyn Harness) {
    let (fixture, session) = with_session(harness).await;
    let addr = fixture.addr;

    let listed = post(
        harness,
        addr,
        Some(&session),
        &request(1, "tools/list", json!({})),
    )
    .await;
    assert_eq!(listed.status, 200);
    let listed = listed.json().await;
    assert_eq!(listed["id"], 1);
    assert_eq!(
        listed["result"]["tools"].as_array().map(Vec::len),
        Some(TOOLS)
    );
    assert!(
        listed["result"].get("resultType").is_none(),
        "legacy results carry no resultType"
    );

    // A second session is independent of the first.
    let other = open_session(harness, addr).await;
    assert_ne!(other, session);

    // No session id on a non-initialize message: 400.
    let headers = POST_HEADERS;
    let missing = open(
        harness,
        addr,
        "POST",
        &headers,
        &request(2, "tools/list", json!({})),
    )
    .await;
    assert_eq!(missing.status, 400);

    // An unknown session: 404 with -32001.
    let unknown = post(
        harness,
        addr,
        Some("no-such-session"),
        &request(3, "ping", json!({})),
    )
    .await;
    assert_eq!(unknown.status, 404);
    assert_eq!(unknown.json().await["error"]["code"], -32001);

    // initialize inside a session: 400.
    let again = post(harness, addr, Some(&session), &initialize(4, json!({}))).await;
    assert_eq!(again.status, 400);

    // An unsupported MCP-Protocol-Version on a legacy POST: 400.
    let headers = [
        ("content-type", "application/json"),
        ("accept", "application/json, text/event-stream"),
        ("mcp-session-id", session.as_str()),
        ("mcp-protocol-version", "2024-01-01"),
    ];
    let version = open(
        harness,
        addr,
        "POST",
        &headers,
        &request(5, "ping", json!({})),
    )
    .await;
    assert!(
        version.status == 400,
        "unknown versions are refused: {}",
        version.status
    );

    // ping answers `{}` on the session.
    let ping = post(
        harness,
        addr,
        Some(&session),
        &request(6, "ping", json!({})),
    )
    .await;
    assert_eq!(ping.json().await["result"], json!({}));

    // A method error stays a 200 with the error in the body (legacy clients read no
    // body on non-2xx answers).
    let missing_tool = post(
        harness,
        addr,
        Some(&session),
        &call(7, "no_such_tool", json!({})),
    )
    .await;
    assert_eq!(missing_tool.status, 200);
    assert!(missing_tool.json().await.get("error").is_some());

    // DELETE ends the session; its id is then unknown.
    let headers = [("mcp-session-id", session.as_str())];
    assert_eq!(
        open(harness, addr, "DELETE", &headers, &Value::Null)
            .await
            .status,
        200
    );
    assert_eq!(ping_status(harness, addr, &session, 8).await, 404);
    // The other session lives on.
    assert_eq!(ping_status(harness, addr, &other, 9).await, 200);
}

/// Progress streams on the POST after a priming event, every event with its own id.
pub async fn progress_streams_on_the_post_with_priming_and_event_ids(harness: &dyn Harness) {
    let (fixture, session) = with_session(harness).await;
    let mut message = call(10, "count", json!({"steps": 3}));
    message["params"]["_meta"] = json!({"progressToken": "p"});
    let mut reply = post(harness, fixture.addr, Some(&session), &message).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("content-type"), "text/event-stream");
    let priming = reply.next_event().await.expect("a priming event");
    assert!(priming.id.is_some(), "the priming event has an id");
    assert_eq!(priming.data.as_deref(), Some(""), "and empty data");
    let mut ids = vec![priming.id.clone()];
    for step in 1..=3 {
        let event = reply.next_event().await.expect("a progress event");
        assert_eq!(event.json()["method"], "notifications/progress");
        assert_eq!(event.json()["params"]["progress"], step);
        ids.push(event.id.clone());
    }
    let last = reply.next_event().await.expect("the response");
    assert_eq!(last.json()["id"], 10);
    assert_eq!(last.json()["result"]["content"][0]["text"], "counted");
    ids.push(last.id.clone());
    assert!(reply.next_event().await.is_none(), "the stream ends");
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), ids.len(), "event ids are unique: {ids:?}");
}

/// An elicitation goes out on the POST's stream; the answer POSTed back finishes the tool.
pub async fn elicitation_is_pushed_on_the_post_stream_and_answered_by_post(harness: &dyn Harness) {
    let (fixture, session) = with_session(harness).await;
    let addr = fixture.addr;
    let mut reply = post(harness, addr, Some(&session), &call(11, "ask", json!({}))).await;
    assert_eq!(reply.header("content-type"), "text/event-stream");
    let mut question = Value::Null;
    while let Some(event) = reply.next_event().await {
        if event.json()["method"] == "elicitation/create" {
            question = event.json();
            break;
        }
    }
    answer_seven(harness, addr, &session, &question).await;
    let response = reply.next_event().await.expect("the tool's response");
    assert_eq!(response.json()["id"], 11);
    assert_eq!(response.json()["result"]["content"][0]["text"], "picked 7");
}

/// A list change reaches the session's GET stream; a second GET conflicts (409), a GET
/// without a session is 405 and with an unknown one 404.
pub async fn list_changed_reaches_the_get_stream_and_a_second_get_conflicts(harness: &dyn Harness) {
    let (fixture, session) = with_session(harness).await;
    let addr = fixture.addr;
    let headers = get_headers(&session);
    let mut stream = open(harness, addr, "GET", &headers, &Value::Null).await;
    assert_eq!(stream.status, 200);
    assert_eq!(stream.header("content-type"), "text/event-stream");
    let priming = stream.next_event().await.expect("a priming event");
    assert_eq!(priming.data.as_deref(), Some(""));

    assert_eq!(get_status(harness, addr, &headers).await, 409);

    fixture.server.notify_tools_changed();
    let event = stream.next_event().await.expect("a notification");
    assert_eq!(event.json()["method"], "notifications/tools/list_changed");

    // GET without the session: 405 (nothing to stream); with an unknown one: 404.
    let bare = [("accept", "text/event-stream")];
    assert_eq!(get_status(harness, addr, &bare).await, 405);
    let unknown = [("accept", "text/event-stream"), ("mcp-session-id", "nope")];
    assert_eq!(get_status(harness, addr, &unknown).await, 404);
}

/// At 2025-11-25 a dropped connection does not cancel the handler; a
/// `notifications/cancelled` does.
pub async fn a_cancelled_notification_drops_the_handler_but_a_disconnect_does_not(
    harness: &dyn Harness,
) {
    let (fixture, session) = with_session(harness).await;
    let addr = fixture.addr;
    let mut message = call(12, "hang", json!({}));
    message["params"]["_meta"] = json!({"progressToken": 1});
    let mut pending = Box::pin(async {
        post(harness, addr, Some(&session), &message)
            .await
            .text()
            .await
    });
    until_hanging(harness, &fixture, &mut pending).await;
    // At 2025-11-25 a dropped connection is not a cancellation.
    drop(pending);
    sleep(harness, Duration::from_millis(200)).await;
    assert!(
        !fixture.dropped.load(Ordering::SeqCst),
        "the handler runs on after the client's connection went away"
    );
    let cancel = json!({"jsonrpc": "2.0", "method": "notifications/cancelled",
        "params": {"requestId": 12, "reason": "no longer needed"}});
    assert_eq!(
        post(harness, addr, Some(&session), &cancel).await.status,
        202
    );
    until_in_time(
        harness,
        "notifications/cancelled drops the handler",
        &fixture.dropped,
    )
    .await;
}

/// A POST stream broken before its response is resumed with `Last-Event-ID`, which
/// replays the missed response; a foreign event id is refused.
pub async fn a_broken_post_stream_resumes_with_last_event_id(harness: &dyn Harness) {
    let (fixture, session) = with_session(harness).await;
    let addr = fixture.addr;
    let mut message = call(13, "gate", json!({}));
    message["params"]["_meta"] = json!({"progressToken": "g"});
    let mut reply = post(harness, addr, Some(&session), &message).await;
    let _priming = reply.next_event().await.expect("a priming event");
    let progress = reply.next_event().await.expect("a progress event");
    assert_eq!(progress.json()["method"], "notifications/progress");
    let last_seen = progress.id.clone().expect("an event id");
    // The connection breaks before the response.
    drop(reply);
    fixture.gate.open();
    sleep(harness, Duration::from_millis(100)).await;

    let mut resumed = resume(harness, addr, &session, &last_seen).await;
    assert_eq!(resumed.status, 200);
    let response = resumed.next_event().await.expect("the missed response");
    assert_eq!(response.json()["id"], 13);
    assert_eq!(response.json()["result"]["content"][0]["text"], "through");
    assert!(
        resumed.next_event().await.is_none(),
        "a finished stream ends after its replay"
    );

    // A foreign event id is refused.
    let headers = [
        ("accept", "text/event-stream"),
        ("mcp-session-id", session.as_str()),
        ("last-event-id", "not-ours"),
    ];
    assert_eq!(get_status(harness, addr, &headers).await, 400);
}

/// A handler closing its stream ends the connection after a `retry` hint; its answer
/// waits for the client to resume.
pub async fn a_handler_closes_its_stream_and_the_answer_waits_for_the_resume(
    harness: &dyn Harness,
) {
    let (fixture, session) = with_session(harness).await;
    let addr = fixture.addr;
    let mut reply = post(harness, addr, Some(&session), &call(21, "poll", json!({}))).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("content-type"), "text/event-stream");
    let priming = reply.next_event().await.expect("a priming event");
    assert_eq!(priming.data.as_deref(), Some(""));
    let primed = priming.id.clone().expect("the priming event has an id");
    let retry = reply.next_event().await.expect("a retry event");
    assert_eq!(retry.retry, Some(250));
    assert!(
        reply.next_event().await.is_none(),
        "the server ends the connection after the retry hint"
    );

    // The handler goes on; its answer waits for the client to come back.
    fixture.gate.open();
    sleep(harness, Duration::from_millis(100)).await;
    let mut resumed = resume(harness, addr, &session, &primed).await;
    assert_eq!(resumed.status, 200);
    let response = resumed.next_event().await.expect("the answer");
    assert_eq!(response.json()["id"], 21);
    assert_eq!(response.json()["result"]["content"][0]["text"], "polled");
}

/// An idle session expires and its id gets 404; a fresh initialize opens a new one.
pub async fn an_idle_session_expires_and_its_id_gets_404(harness: &dyn Harness) {
    let mut settings = SessionSettings::default();
    settings.idle_timeout = IDLE;
    let fixture = start(harness, settings).await;
    let addr = fixture.addr;
    let session = open_session(harness, addr).await;
    assert_eq!(ping_status(harness, addr, &session, 1).await, 200);
    sleep(harness, EXPIRED).await;
    assert_eq!(ping_status(harness, addr, &session, 2).await, 404);
    // The client's recovery: a fresh initialize opens a new session.
    let fresh = open_session(harness, addr).await;
    assert_ne!(fresh, session);
}

/// An initialize beyond the most sessions is refused with 503 and no session id.
pub async fn the_session_table_is_bounded(harness: &dyn Harness) {
    let mut settings = SessionSettings::default();
    settings.max_sessions = 2;
    let fixture = start(harness, settings).await;
    let addr = fixture.addr;
    open_session(harness, addr).await;
    open_session(harness, addr).await;
    let refused = post(harness, addr, None, &initialize(0, json!({}))).await;
    assert_eq!(refused.status, 503);
    assert!(refused.header("mcp-session-id").is_empty());
}

/// The legacy GET stream and a waiting 2026-07-28 exchange stream both get keep-alive
/// comments.
pub async fn quiet_streams_of_both_eras_get_keep_alive_comments(harness: &dyn Harness) {
    let mut settings = SessionSettings::default();
    settings.keep_alive = Duration::from_millis(50);
    let fixture = start(harness, settings).await;
    let addr = fixture.addr;

    // The legacy GET stream.
    let session = open_session(harness, addr).await;
    let headers = get_headers(&session);
    let mut stream = open(harness, addr, "GET", &headers, &Value::Null).await;
    assert!(stream.keep_alive_arrives().await, "legacy GET stream");

    // A 2026-07-28 exchange that streams, then waits.
    let mut message = call(14, "gate", json!({}));
    message["params"]["_meta"] = json!({
        "progressToken": "k",
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": {}
    });
    let mut modern = post_modern(harness, addr, &message, true).await;
    assert_eq!(modern.header("content-type"), "text/event-stream");
    assert!(modern.keep_alive_arrives().await, "modern exchange stream");
    fixture.gate.open();
    let response = modern.next_event().await.expect("the response");
    assert_eq!(response.json()["result"]["content"][0]["text"], "through");
}

/// Our client, its session expired, opens a new one and retries the call by itself.
pub async fn our_client_recovers_from_an_expired_session_by_itself(harness: &dyn Harness) {
    let server = Server::builder(Implementation::new("expiring", "1.0.0"))
        .tool(Tool::typed(
            "count",
            "Counts",
            |args: Steps, _ctx: Context| async move {
                Ok::<_, ToolError>(CallToolResult::text(format!("{}", args.steps)))
            },
        ))
        .build();
    let mut settings = SessionSettings::default();
    settings.idle_timeout = IDLE;
    let endpoint = HttpEndpoint::new(&server, harness.runtime()).with_session_settings(settings);
    let (addr, endpoint) = harness.serve_http_observed(endpoint).await.expect("bound");
    let url = format!("http://{addr}/mcp");

    let config = ClientConfig::new(Implementation::new("c", "1")).with_mode(ClientMode::Legacy);
    let client = in_time(
        harness,
        Duration::from_secs(10),
        "connecting",
        harness.connect_http(&url, config, ClientHandlers::new()),
    )
    .await
    .expect("connected");
    let first = client.call_tool("count", json!({"steps": 1})).await;
    assert!(first.is_ok(), "{first:?}");
    assert_eq!(endpoint.session_count(), 1);
    sleep(harness, EXPIRED).await;
    // The session expired: the next POST gets 404, and the client opens a new session
    // and retries the call without the caller noticing.
    let second = in_time(
        harness,
        Duration::from_secs(10),
        "the retried call",
        client.call_tool("count", json!({"steps": 2})),
    )
    .await;
    assert_eq!(
        second.expect("recovered").content.len(),
        1,
        "the retried call's result"
    );
    assert_eq!(
        endpoint.session_count(),
        1,
        "the expired session is gone, the new one lives"
    );
}
