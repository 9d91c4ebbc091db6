//! Scenario tests of [`HttpClient`]: the exchanges it asks for, hand-written answers fed
//! back in arbitrary chunks, and the connection's events that come out.

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use alloc::{format, vec};
use core::time::Duration;

use proptest::prelude::*;
use serde_json::{Value, json};

use super::*;
use crate::Limits;
use crate::client::{ClientConfig, ClientEvent, ClientMode, RequestOptions};
use crate::connection::RequestHandle;
use crate::http::HttpMethod;
use crate::time::Timestamp;
use crate::types::{CallToolRequestParams, ClientRequest, Implementation};
use crate::version::{Era, ProtocolVersion};

const SSE: &str = "text/event-stream";
const JSON: &str = "application/json";

fn ms(millis: u64) -> Timestamp {
    Timestamp::from_millis(millis)
}

/// One millisecond before `at`.
fn before(at: Timestamp) -> Timestamp {
    Timestamp::from_nanos(at.as_nanos() - 1_000_000)
}

fn config(mode: ClientMode) -> ClientConfig {
    ClientConfig::new(Implementation::new("test-client", "0.1.0")).with_mode(mode)
}

fn modern() -> HttpClient {
    let mut client = HttpClient::new(
        Timestamp::ZERO,
        config(ClientMode::Pinned {
            version: ProtocolVersion::V2026_07_28,
            discover: None,
        }),
    );
    assert!(matches!(
        events(&mut client).as_slice(),
        [ClientEvent::Ready {
            era: Era::Modern,
            ..
        }]
    ));
    client
}

fn legacy() -> HttpClient {
    HttpClient::new(Timestamp::ZERO, config(ClientMode::Legacy))
}

/// What `poll_exchange` asks for, until it has nothing more.
#[derive(Debug, Default)]
struct Actions {
    starts: Vec<ExchangeRequest>,
    aborts: Vec<ExchangeId>,
}

impl Actions {
    fn only_start(mut self) -> ExchangeRequest {
        assert!(self.aborts.is_empty(), "{self:?}");
        assert_eq!(self.starts.len(), 1, "{self:?}");
        self.starts.remove(0)
    }

    fn is_empty(&self) -> bool {
        self.starts.is_empty() && self.aborts.is_empty()
    }
}

fn actions(client: &mut HttpClient) -> Actions {
    let mut actions = Actions::default();
    while let Some(action) = client.poll_exchange() {
        match action {
            ExchangeAction::Start(request) => actions.starts.push(request),
            ExchangeAction::Abort(exchange) => actions.aborts.push(exchange),
        }
    }
    actions
}

fn events(client: &mut HttpClient) -> Vec<ClientEvent> {
    core::iter::from_fn(|| client.poll_event()).collect()
}

fn header<'a>(request: &'a ExchangeRequest, name: &str) -> Option<&'a str> {
    request
        .headers
        .iter()
        .find(|(field, _)| field.eq_ignore_ascii_case(name))
        .map(|(_, value)| value.as_str())
}

fn body(request: &ExchangeRequest) -> Value {
    serde_json::from_slice(&request.body).unwrap()
}

fn send(client: &mut HttpClient, now: Timestamp, request: ClientRequest) -> RequestHandle {
    client
        .connection_mut()
        .send_request(now, request, RequestOptions::default())
        .unwrap()
}

fn call_tool(name: &str) -> ClientRequest {
    ClientRequest::CallTool(CallToolRequestParams::new(name, None))
}

/// Answers `exchange` whole: head, the body in one chunk, end.
fn answer(
    client: &mut HttpClient,
    now: Timestamp,
    exchange: ExchangeId,
    status: u16,
    headers: &[(&str, &str)],
    body: &[u8],
) {
    client.handle_response_head(now, exchange, status, headers);
    if !body.is_empty() {
        client.handle_body(now, exchange, body).unwrap();
    }
    client.handle_end(now, exchange);
}

fn sse_event(message: &Value) -> String {
    format!("event: message\ndata: {message}\n\n")
}

fn result(id: &Value, result: Value) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "result": result})
}

fn response_outcome(events: &[ClientEvent], handle: RequestHandle) -> Result<Value, i64> {
    for event in events {
        if let ClientEvent::Response {
            handle: answered,
            outcome,
            ..
        } = event
        {
            if *answered == handle {
                return match outcome {
                    Ok(body) => Ok(body.decode::<Value>().unwrap()),
                    Err(error) => Err(error.code.0),
                };
            }
        }
    }
    panic!("no response for {handle:?} in {events:?}");
}

/// A legacy client whose session `s-1` is open and whose standalone GET was refused:
/// requests go out at once.
fn legacy_session() -> HttpClient {
    let mut client = legacy();
    let initialize = actions(&mut client).only_start();
    let id = body(&initialize)["id"].clone();
    let init = result(
        &id,
        json!({"protocolVersion": "2025-11-25", "capabilities": {"tools": {}},
               "serverInfo": {"name": "srv", "version": "1"}}),
    );
    answer(
        &mut client,
        ms(1),
        initialize.exchange,
        200,
        &[("content-type", JSON), ("mcp-session-id", "s-1")],
        init.to_string().as_bytes(),
    );
    // The session's GET stream opens first; later messages wait for its head.
    let get = actions(&mut client).only_start();
    assert_eq!(get.method, HttpMethod::Get);
    answer(&mut client, ms(2), get.exchange, 405, &[], b"");
    let initialized = actions(&mut client).only_start();
    assert_eq!(body(&initialized)["method"], "notifications/initialized");
    answer(&mut client, ms(3), initialized.exchange, 202, &[], b"");
    assert_eq!(actions(&mut client).aborts, vec![initialized.exchange]);
    assert!(actions(&mut client).is_empty());
    events(&mut client);
    client
}

#[test]
fn modern_json_answer_reaches_the_connection_in_any_chunks() {
    let mut client = modern();
    let handle = send(&mut client, ms(1), ClientRequest::ListTools(None));
    let post = actions(&mut client).only_start();
    assert_eq!(post.method, HttpMethod::Post);
    assert_eq!(header(&post, "mcp-method"), Some("tools/list"));
    assert_eq!(header(&post, "mcp-protocol-version"), Some("2026-07-28"));
    assert_eq!(header(&post, "mcp-session-id"), None);
    assert_eq!(header(&post, "accept"), Some(POST_ACCEPT));
    let id = body(&post)["id"].clone();
    let text = result(&id, json!({"resultType": "complete", "tools": []})).to_string();
    let (first, second) = text.as_bytes().split_at(7);
    client.handle_response_head(ms(2), post.exchange, 200, &[("Content-Type", JSON)]);
    client.handle_body(ms(2), post.exchange, first).unwrap();
    client.handle_body(ms(2), post.exchange, second).unwrap();
    assert!(events(&mut client).is_empty(), "nothing before the end");
    client.handle_end(ms(3), post.exchange);
    let events = events(&mut client);
    assert_eq!(
        response_outcome(&events, handle).unwrap()["tools"],
        json!([])
    );
    assert_eq!(client.open_exchanges(), 0);
    assert!(actions(&mut client).is_empty());
}

#[test]
fn modern_sse_answer_delivers_progress_then_the_result() {
    let mut client = modern();
    let handle = client
        .connection_mut()
        .send_request(
            ms(1),
            call_tool("slow"),
            RequestOptions::default().with_progress(),
        )
        .unwrap();
    let post = actions(&mut client).only_start();
    assert_eq!(header(&post, "mcp-name"), Some("slow"));
    let sent = body(&post);
    let token = sent["params"]["_meta"]["progressToken"].clone();
    let progress = json!({"jsonrpc": "2.0", "method": "notifications/progress",
        "params": {"progressToken": token, "progress": 1, "total": 2}});
    let done = result(
        &sent["id"],
        json!({"resultType": "complete", "content": [], "isError": false}),
    );
    client.handle_response_head(
        ms(2),
        post.exchange,
        200,
        &[("content-type", "text/event-stream; charset=utf-8")],
    );
    client
        .handle_body(ms(2), post.exchange, sse_event(&progress).as_bytes())
        .unwrap();
    let first = events(&mut client);
    assert!(
        matches!(first.as_slice(), [ClientEvent::Progress { handle: h, .. }] if *h == handle),
        "{first:?}"
    );
    client
        .handle_body(ms(3), post.exchange, sse_event(&done).as_bytes())
        .unwrap();
    let second = events(&mut client);
    assert_eq!(response_outcome(&second, handle).unwrap()["isError"], false);
    client.handle_end(ms(4), post.exchange);
    assert!(events(&mut client).is_empty());
    assert!(actions(&mut client).is_empty());
}

#[test]
fn error_statuses_map_to_json_rpc_errors() {
    let mut client = modern();
    let refused = send(&mut client, ms(1), ClientRequest::ListTools(None));
    let bare = send(&mut client, ms(1), ClientRequest::ListPrompts(None));
    let posts = actions(&mut client).starts;
    assert_eq!(posts.len(), 2);
    // A transport refusal without an id: its error answers the request.
    let error = json!({"jsonrpc": "2.0", "id": null,
        "error": {"code": -32020, "message": "header mismatch"}});
    answer(
        &mut client,
        ms(2),
        posts[0].exchange,
        400,
        &[("content-type", JSON)],
        error.to_string().as_bytes(),
    );
    // A status without a JSON-RPC body: -32000.
    answer(
        &mut client,
        ms(2),
        posts[1].exchange,
        502,
        &[("content-type", "text/html")],
        b"<h1>bad gateway</h1>",
    );
    let events = events(&mut client);
    assert_eq!(response_outcome(&events, refused), Err(-32020));
    assert_eq!(
        response_outcome(&events, bare),
        Err(crate::http::TRANSPORT_ERROR.0)
    );
}

#[test]
fn a_transport_failure_fails_the_request_with_its_reason() {
    let mut client = modern();
    let handle = send(&mut client, ms(1), ClientRequest::ListTools(None));
    let post = actions(&mut client).only_start();
    client.handle_failure(ms(2), post.exchange, "connection refused");
    let events = events(&mut client);
    let ClientEvent::Response {
        outcome: Err(error),
        ..
    } = &events[0]
    else {
        panic!("{events:?}");
    };
    assert_eq!(error.code, crate::http::TRANSPORT_ERROR);
    assert!(error.message.contains("connection refused"), "{error:?}");
    assert_eq!(response_outcome(&events, handle), Err(-32000));
    assert!(
        actions(&mut client).is_empty(),
        "no abort for an ended exchange"
    );
}

#[test]
fn a_body_over_the_limit_is_refused_and_the_exchange_aborted() {
    let limits = Limits {
        max_message_bytes: 200,
        ..Limits::default()
    };
    let mut client = HttpClient::new(
        Timestamp::ZERO,
        config(ClientMode::Pinned {
            version: ProtocolVersion::V2026_07_28,
            discover: None,
        })
        .with_limits(limits),
    );
    let handle = send(&mut client, ms(1), ClientRequest::ListTools(None));
    let post = actions(&mut client).only_start();
    client.handle_response_head(ms(2), post.exchange, 200, &[("content-type", JSON)]);
    client
        .handle_body(ms(2), post.exchange, &[b' '; 150])
        .unwrap();
    assert_eq!(
        client.handle_body(ms(2), post.exchange, &[b' '; 150]),
        Err(BodyError::TooLarge { limit: 200 })
    );
    let aborted = actions(&mut client);
    assert_eq!(aborted.aborts, vec![post.exchange]);
    assert_eq!(response_outcome(&events(&mut client), handle), Err(-32000));
    // Whatever the driver still reports is ignored.
    assert_eq!(client.handle_body(ms(3), post.exchange, b"x"), Ok(()));
    client.handle_end(ms(3), post.exchange);
    assert!(events(&mut client).is_empty());
}

#[test]
fn a_chunk_before_the_head_is_refused() {
    let mut client = modern();
    send(&mut client, ms(1), ClientRequest::ListTools(None));
    let post = actions(&mut client).only_start();
    assert_eq!(
        client.handle_body(ms(1), post.exchange, b"{}"),
        Err(BodyError::BeforeHead)
    );
}

#[test]
fn legacy_initialize_captures_the_session_id_for_later_requests() {
    let mut client = legacy();
    let initialize = actions(&mut client).only_start();
    assert_eq!(body(&initialize)["method"], "initialize");
    assert_eq!(header(&initialize, "mcp-session-id"), None);
    assert_eq!(header(&initialize, "mcp-protocol-version"), None);
    let id = body(&initialize)["id"].clone();
    let init = result(
        &id,
        json!({"protocolVersion": "2025-11-25", "capabilities": {},
               "serverInfo": {"name": "srv", "version": "1"}}),
    );
    answer(
        &mut client,
        ms(1),
        initialize.exchange,
        200,
        &[("content-type", JSON), ("Mcp-Session-Id", "s-1")],
        init.to_string().as_bytes(),
    );
    assert_eq!(client.session_id(), Some("s-1"));
    assert!(matches!(
        events(&mut client).as_slice(),
        [ClientEvent::Ready {
            era: Era::Legacy,
            ..
        }]
    ));
    // The session's GET stream opens first; everything else waits for its head.
    let handle = send(&mut client, ms(2), ClientRequest::ListTools(None));
    let get = actions(&mut client).only_start();
    assert_eq!(get.method, HttpMethod::Get);
    assert_eq!(header(&get, "accept"), Some(SSE));
    assert_eq!(header(&get, "mcp-session-id"), Some("s-1"));
    assert_eq!(header(&get, "mcp-protocol-version"), Some("2025-11-25"));
    assert_eq!(header(&get, "last-event-id"), None);
    assert!(get.body.is_empty());
    assert_eq!(
        client.poll_timeout(),
        Some(ms(1).saturating_add(DEFAULT_LISTEN_GATE))
    );
    assert!(actions(&mut client).is_empty(), "held by the GET");
    client.handle_response_head(ms(3), get.exchange, 200, &[("content-type", SSE)]);
    // Then the notification, which holds back the request until its 202.
    let initialized = actions(&mut client).only_start();
    assert_eq!(body(&initialized)["method"], "notifications/initialized");
    assert_eq!(header(&initialized, "mcp-session-id"), Some("s-1"));
    assert_eq!(
        header(&initialized, "mcp-protocol-version"),
        Some("2025-11-25")
    );
    assert!(actions(&mut client).is_empty(), "held by the notification");
    client.handle_response_head(ms(4), initialized.exchange, 202, &[("content-length", "0")]);
    let mut released = actions(&mut client);
    assert_eq!(
        released.aborts,
        vec![initialized.exchange],
        "body dropped unread"
    );
    released.aborts.clear();
    let list = released.only_start();
    assert_eq!(body(&list)["method"], "tools/list");
    assert_eq!(header(&list, "mcp-session-id"), Some("s-1"));
    assert_eq!(header(&list, "mcp-protocol-version"), Some("2025-11-25"));
    // A server message on the GET stream reaches the application.
    let log = json!({"jsonrpc": "2.0", "method": "notifications/message",
        "params": {"level": "info", "data": "hello"}});
    client
        .handle_body(ms(5), get.exchange, sse_event(&log).as_bytes())
        .unwrap();
    let logged = events(&mut client);
    assert!(
        matches!(logged.as_slice(), [ClientEvent::Log { .. }]),
        "{logged:?}"
    );
    let done = result(&body(&list)["id"], json!({"tools": []}));
    answer(
        &mut client,
        ms(6),
        list.exchange,
        200,
        &[("content-type", JSON)],
        done.to_string().as_bytes(),
    );
    assert!(response_outcome(&events(&mut client), handle).is_ok());
}

#[test]
fn a_405_to_the_standalone_get_is_final_and_releases_later_messages() {
    let mut client = legacy_session();
    // legacy_session answered the GET with 405: nothing reopens it.
    send(&mut client, ms(10), ClientRequest::ListTools(None));
    let list = actions(&mut client).only_start();
    assert_eq!(list.method, HttpMethod::Post);
    assert_eq!(client.poll_timeout().filter(|at| *at < ms(1000)), None);
}

#[test]
fn the_wait_for_the_standalone_stream_ends_at_its_deadline() {
    let mut client = legacy();
    let initialize = actions(&mut client).only_start();
    let id = body(&initialize)["id"].clone();
    let init = result(
        &id,
        json!({"protocolVersion": "2025-11-25", "capabilities": {},
               "serverInfo": {"name": "srv", "version": "1"}}),
    );
    answer(
        &mut client,
        ms(1),
        initialize.exchange,
        200,
        &[("content-type", JSON), ("mcp-session-id", "s-1")],
        init.to_string().as_bytes(),
    );
    let get = actions(&mut client).only_start();
    assert_eq!(get.method, HttpMethod::Get);
    assert!(actions(&mut client).is_empty());
    let deadline = client.poll_timeout().unwrap();
    assert_eq!(deadline, ms(1).saturating_add(DEFAULT_LISTEN_GATE));
    client.handle_timeout(before(deadline));
    assert!(
        actions(&mut client).is_empty(),
        "an early call does nothing"
    );
    client.handle_timeout(deadline);
    assert_eq!(
        body(&actions(&mut client).only_start())["method"],
        "notifications/initialized"
    );
}

/// Starts a `tools/call` on a legacy session and answers its POST with an SSE stream
/// that gives event id `e-1` (and `retry`, when given) and then ends.
fn call_cut_short(
    client: &mut HttpClient,
    retry: Option<u64>,
) -> (RequestHandle, Value, ExchangeId) {
    let handle = send(client, ms(10), call_tool("slow"));
    let post = actions(client).only_start();
    let id = body(&post)["id"].clone();
    client.handle_response_head(ms(11), post.exchange, 200, &[("content-type", SSE)]);
    let mut stream = String::from("id: e-1\ndata:\n\n");
    if let Some(retry) = retry {
        stream.push_str(&format!("retry: {retry}\n\n"));
    }
    client
        .handle_body(ms(11), post.exchange, stream.as_bytes())
        .unwrap();
    client.handle_end(ms(12), post.exchange);
    (handle, id, post.exchange)
}

#[test]
fn a_stream_ended_early_is_resumed_with_last_event_id() {
    let mut client = legacy_session();
    let (handle, id, _) = call_cut_short(&mut client, None);
    assert!(events(&mut client).is_empty(), "the request waits");
    assert!(actions(&mut client).is_empty());
    let due = ms(12).saturating_add(DEFAULT_RESUME_DELAY);
    assert_eq!(client.poll_timeout(), Some(due));
    client.handle_timeout(due);
    let resume = actions(&mut client).only_start();
    assert_eq!(resume.method, HttpMethod::Get);
    assert_eq!(header(&resume, "last-event-id"), Some("e-1"));
    assert_eq!(header(&resume, "mcp-session-id"), Some("s-1"));
    assert_eq!(header(&resume, "mcp-protocol-version"), Some("2025-11-25"));
    assert_eq!(header(&resume, "accept"), Some(SSE));
    client.handle_response_head(due, resume.exchange, 200, &[("content-type", SSE)]);
    let done = result(&id, json!({"content": [], "isError": false}));
    let replay = format!("id: e-2\n{}", sse_event(&done));
    client
        .handle_body(due, resume.exchange, replay.as_bytes())
        .unwrap();
    assert!(response_outcome(&events(&mut client), handle).is_ok());
    assert_eq!(
        actions(&mut client).aborts,
        vec![resume.exchange],
        "the resumed stream is dropped once the response is in"
    );
}

#[test]
fn the_retry_field_sets_the_resume_deadline() {
    let mut client = legacy_session();
    call_cut_short(&mut client, Some(250));
    let due = ms(12).saturating_add(Duration::from_millis(250));
    assert_eq!(client.poll_timeout(), Some(due));
    client.handle_timeout(before(due));
    assert!(actions(&mut client).is_empty());
    client.handle_timeout(due);
    assert_eq!(actions(&mut client).only_start().method, HttpMethod::Get);
}

#[test]
fn fruitless_resumptions_give_up() {
    let mut client = legacy_session();
    let (handle, _, _) = call_cut_short(&mut client, Some(10));
    let mut now = ms(12);
    for round in 1..=DEFAULT_MAX_FRUITLESS_RESUMES {
        now = client.poll_timeout().unwrap();
        client.handle_timeout(now);
        let resume = actions(&mut client).only_start();
        assert_eq!(
            header(&resume, "last-event-id"),
            Some("e-1"),
            "round {round}"
        );
        // The server opens the stream and ends it without an event.
        answer(
            &mut client,
            now,
            resume.exchange,
            200,
            &[("content-type", SSE)],
            b": hi\n\n",
        );
    }
    assert_eq!(
        client
            .poll_timeout()
            .filter(|at| *at <= now.saturating_add(Duration::from_secs(1))),
        None
    );
    let events = events(&mut client);
    assert_eq!(response_outcome(&events, handle), Err(-32000));
}

#[test]
fn a_refused_resumption_fails_the_request() {
    let mut client = legacy_session();
    let (handle, _, _) = call_cut_short(&mut client, Some(5));
    let due = client.poll_timeout().unwrap();
    client.handle_timeout(due);
    let resume = actions(&mut client).only_start();
    answer(&mut client, due, resume.exchange, 400, &[], b"no");
    let events = events(&mut client);
    let ClientEvent::Response {
        outcome: Err(error),
        ..
    } = &events[0]
    else {
        panic!("{events:?}");
    };
    assert!(error.message.contains("refused to resume"), "{error:?}");
    assert_eq!(response_outcome(&events, handle), Err(-32000));
}

#[test]
fn a_stream_without_event_ids_is_not_resumed() {
    let mut client = legacy_session();
    let handle = send(&mut client, ms(10), call_tool("slow"));
    let post = actions(&mut client).only_start();
    answer(
        &mut client,
        ms(11),
        post.exchange,
        200,
        &[("content-type", SSE)],
        b"data:\n\n",
    );
    assert_eq!(response_outcome(&events(&mut client), handle), Err(-32000));
    assert!(actions(&mut client).is_empty());
}

/// Answers the re-initialise POST of `client` with session `session` and its
/// `notifications/initialized` with 202; returns what comes next.
fn reinitialize(client: &mut HttpClient, now: Timestamp, session: &str) -> Actions {
    let initialize = actions(client).only_start();
    assert_eq!(body(&initialize)["method"], "initialize");
    assert_eq!(header(&initialize, "mcp-session-id"), None);
    assert_eq!(header(&initialize, "mcp-protocol-version"), None);
    let init = result(
        &body(&initialize)["id"],
        json!({"protocolVersion": "2025-11-25", "capabilities": {},
               "serverInfo": {"name": "srv", "version": "1"}}),
    );
    answer(
        client,
        now,
        initialize.exchange,
        200,
        &[("content-type", JSON), ("mcp-session-id", session)],
        init.to_string().as_bytes(),
    );
    let initialized = actions(client).only_start();
    assert_eq!(body(&initialized)["method"], "notifications/initialized");
    assert_eq!(header(&initialized, "mcp-session-id"), Some(session));
    answer(client, now, initialized.exchange, 202, &[], b"");
    let mut next = actions(client);
    assert_eq!(next.aborts, vec![initialized.exchange]);
    next.aborts.clear();
    // The new session's GET stream comes first; refuse it.
    let get = next.starts.remove(0);
    assert_eq!(get.method, HttpMethod::Get);
    assert_eq!(header(&get, "mcp-session-id"), Some(session));
    assert!(next.is_empty());
    answer(client, now, get.exchange, 405, &[], b"");
    actions(client)
}

#[test]
fn a_404_opens_a_new_session_and_retries_once() {
    let mut client = legacy_session();
    let handle = send(&mut client, ms(10), ClientRequest::ListTools(None));
    let post = actions(&mut client).only_start();
    let expired = json!({"jsonrpc": "2.0", "id": null,
        "error": {"code": -32001, "message": "Session not found"}});
    answer(
        &mut client,
        ms(11),
        post.exchange,
        404,
        &[("content-type", JSON)],
        expired.to_string().as_bytes(),
    );
    assert!(events(&mut client).is_empty(), "the request waits");
    let retry = reinitialize(&mut client, ms(12), "s-2").only_start();
    assert_eq!(retry.body, post.body, "the same message");
    assert_eq!(header(&retry, "mcp-session-id"), Some("s-2"));
    assert_eq!(client.session_id(), Some("s-2"));
    // A second 404 fails it.
    answer(&mut client, ms(13), retry.exchange, 404, &[], b"");
    let events = events(&mut client);
    let ClientEvent::Response {
        outcome: Err(error),
        ..
    } = &events[0]
    else {
        panic!("{events:?}");
    };
    assert!(error.message.contains("expired too"), "{error:?}");
    assert_eq!(response_outcome(&events, handle), Err(-32000));
    assert!(actions(&mut client).is_empty());
}

#[test]
fn a_request_sent_again_on_a_new_session_resumes_its_stream_when_it_ends_early() {
    let mut client = legacy_session();
    let handle = send(&mut client, ms(10), call_tool("slow"));
    let post = actions(&mut client).only_start();
    answer(&mut client, ms(11), post.exchange, 404, &[], b"");
    let retry = reinitialize(&mut client, ms(12), "s-2").only_start();
    assert_eq!(retry.body, post.body);
    // The server lets go of the new POST's stream after its priming event (a handler
    // closing its stream): the request waits for the resumption, it is not forgotten.
    answer(
        &mut client,
        ms(13),
        retry.exchange,
        200,
        &[("content-type", SSE)],
        b"id: 1-0\nretry: 250\ndata:\n\n",
    );
    assert!(events(&mut client).is_empty(), "the request waits");
    assert_eq!(
        client.poll_timeout(),
        Some(ms(263)),
        "the resumption is planned"
    );
    client.handle_timeout(ms(263));
    let resume = actions(&mut client).only_start();
    assert_eq!(resume.method, HttpMethod::Get);
    assert_eq!(header(&resume, "last-event-id"), Some("1-0"));
    assert_eq!(header(&resume, "mcp-session-id"), Some("s-2"));
    let id = body(&retry)["id"].clone();
    let done = sse_event(&result(&id, json!({"content": []})));
    answer(
        &mut client,
        ms(264),
        resume.exchange,
        200,
        &[("content-type", SSE)],
        format!("id: 1-1\n{done}").as_bytes(),
    );
    assert!(response_outcome(&events(&mut client), handle).is_ok());
}

#[test]
fn a_refused_new_session_fails_the_waiting_requests() {
    let mut client = legacy_session();
    let handle = send(&mut client, ms(10), ClientRequest::ListTools(None));
    let post = actions(&mut client).only_start();
    answer(&mut client, ms(11), post.exchange, 404, &[], b"");
    let initialize = actions(&mut client).only_start();
    answer(&mut client, ms(12), initialize.exchange, 503, &[], b"");
    let events = events(&mut client);
    assert_eq!(response_outcome(&events, handle), Err(-32000));
    assert_eq!(client.session_id(), None);
}

#[test]
fn closing_a_legacy_session_aborts_its_exchanges_and_deletes_it() {
    let mut client = legacy_session();
    send(&mut client, ms(10), call_tool("slow"));
    let post = actions(&mut client).only_start();
    client.connection_mut().close(ms(11));
    let closing = actions(&mut client);
    assert_eq!(closing.aborts, vec![post.exchange]);
    assert_eq!(closing.starts.len(), 1);
    let delete = &closing.starts[0];
    assert_eq!(delete.method, HttpMethod::Delete);
    assert_eq!(header(delete, "mcp-session-id"), Some("s-1"));
    assert_eq!(header(delete, "mcp-protocol-version"), Some("2025-11-25"));
    assert!(!client.is_closed());
    answer(&mut client, ms(12), delete.exchange, 200, &[], b"");
    assert!(client.is_closed());
    assert!(actions(&mut client).is_empty());
}

#[test]
fn closing_a_modern_client_needs_no_request() {
    let mut client = modern();
    send(&mut client, ms(1), ClientRequest::ListTools(None));
    let post = actions(&mut client).only_start();
    client.connection_mut().close(ms(2));
    let closing = actions(&mut client);
    assert_eq!(closing.aborts, vec![post.exchange]);
    assert!(closing.starts.is_empty());
    assert!(client.is_closed());
}

#[test]
fn modern_cancellation_aborts_the_post_and_sends_nothing() {
    let mut client = modern();
    let handle = send(&mut client, ms(1), call_tool("slow"));
    let post = actions(&mut client).only_start();
    client.connection_mut().cancel(ms(2), handle, None).unwrap();
    let cancelled = actions(&mut client);
    assert_eq!(cancelled.aborts, vec![post.exchange]);
    assert!(cancelled.starts.is_empty(), "{cancelled:?}");
    assert!(matches!(
        events(&mut client).as_slice(),
        [ClientEvent::Cancelled { .. }]
    ));
}

#[test]
fn a_modern_timeout_aborts_the_post() {
    let mut client = modern();
    let handle = client
        .connection_mut()
        .send_request(
            ms(1),
            call_tool("slow"),
            RequestOptions::default().with_timeout(Duration::from_millis(100)),
        )
        .unwrap();
    let post = actions(&mut client).only_start();
    let deadline = client.poll_timeout().unwrap();
    assert_eq!(deadline, ms(101));
    client.handle_timeout(deadline);
    assert!(matches!(
        events(&mut client).as_slice(),
        [ClientEvent::TimedOut { handle: h }] if *h == handle
    ));
    let aborted = actions(&mut client);
    assert_eq!(aborted.aborts, vec![post.exchange]);
    assert!(aborted.starts.is_empty());
}

#[test]
fn legacy_cancellation_posts_the_notification_and_drops_the_stream() {
    let mut client = legacy_session();
    let handle = send(&mut client, ms(10), call_tool("slow"));
    let post = actions(&mut client).only_start();
    let id = body(&post)["id"].clone();
    client
        .connection_mut()
        .cancel(ms(11), handle, None)
        .unwrap();
    let cancelled = actions(&mut client);
    assert_eq!(cancelled.aborts, vec![post.exchange]);
    let notification = &cancelled.starts[0];
    assert_eq!(cancelled.starts.len(), 1);
    assert_eq!(body(notification)["method"], "notifications/cancelled");
    assert_eq!(body(notification)["params"]["requestId"], id);
    assert_eq!(header(notification, "mcp-session-id"), Some("s-1"));
}

#[test]
fn notifications_hold_back_later_messages_until_acknowledged() {
    let mut client = legacy_session();
    let handle = send(&mut client, ms(10), call_tool("slow"));
    let post = actions(&mut client).only_start();
    client
        .connection_mut()
        .cancel(ms(11), handle, None)
        .unwrap();
    let notification = actions(&mut client).starts.remove(0);
    send(&mut client, ms(12), ClientRequest::ListTools(None));
    assert!(actions(&mut client).is_empty(), "held by the notification");
    client.handle_failure(ms(13), notification.exchange, "reset");
    let list = actions(&mut client).only_start();
    assert_eq!(body(&list)["method"], "tools/list");
    assert_ne!(list.exchange, post.exchange);
}

#[test]
fn open_exchanges_are_bounded() {
    let config = HttpClientConfig::default().with_max_exchanges(1);
    let connection = crate::client::ClientConnection::new(
        Timestamp::ZERO,
        self::config(ClientMode::Pinned {
            version: ProtocolVersion::V2026_07_28,
            discover: None,
        }),
    );
    let mut client = HttpClient::with_connection(Timestamp::ZERO, connection, config);
    send(&mut client, ms(1), ClientRequest::ListTools(None));
    send(&mut client, ms(1), ClientRequest::ListPrompts(None));
    let first = actions(&mut client).only_start();
    assert_eq!(client.open_exchanges(), 1);
    assert!(actions(&mut client).is_empty(), "the second waits");
    client.handle_failure(ms(2), first.exchange, "gone");
    assert_eq!(
        body(&actions(&mut client).only_start())["method"],
        "prompts/list"
    );
}

#[test]
fn modern_param_headers_come_from_screened_tools_list() {
    let mut client = modern();
    let handle = send(&mut client, ms(1), ClientRequest::ListTools(None));
    let list = actions(&mut client).only_start();
    let tools = result(
        &body(&list)["id"],
        json!({"resultType": "complete", "tools": [
            {"name": "regional", "inputSchema": {"type": "object", "properties": {
                "region": {"type": "string", "x-mcp-header": "Region"}}}},
            {"name": "broken", "inputSchema": {"type": "object", "properties": {
                "bad": {"type": "object", "x-mcp-header": "Bad"}}}}
        ]}),
    );
    answer(
        &mut client,
        ms(2),
        list.exchange,
        200,
        &[("content-type", JSON)],
        tools.to_string().as_bytes(),
    );
    let listed = response_outcome(&events(&mut client), handle).unwrap();
    assert_eq!(
        listed["tools"].as_array().unwrap().len(),
        1,
        "the broken tool is dropped"
    );
    assert_eq!(listed["tools"][0]["name"], "regional");
    let call = ClientRequest::CallTool(CallToolRequestParams::new(
        "regional",
        Some(crate::json::RawJson::from_text(r#"{"region":"eu-west"}"#).unwrap()),
    ));
    send(&mut client, ms(3), call);
    let post = actions(&mut client).only_start();
    assert_eq!(header(&post, "mcp-param-region"), Some("eu-west"));
}

/// The events a modern `tools/call` with progress yields when its SSE answer arrives in
/// `cuts` pieces.
fn sse_answer_in_pieces(cuts: &[usize]) -> Vec<ClientEvent> {
    let mut client = modern();
    client
        .connection_mut()
        .send_request(
            ms(1),
            call_tool("slow"),
            RequestOptions::default().with_progress(),
        )
        .unwrap();
    let post = actions(&mut client).only_start();
    let sent = body(&post);
    let token = sent["params"]["_meta"]["progressToken"].clone();
    let mut stream = String::from(": keep-alive\r\n\r\n");
    for step in 1..=3 {
        let progress = json!({"jsonrpc": "2.0", "method": "notifications/progress",
            "params": {"progressToken": token, "progress": step, "message": "ünïcödé\nline"}});
        stream.push_str(&format!("data: {progress}\r\n\r\n"));
    }
    let log = json!({"jsonrpc": "2.0", "method": "notifications/message",
        "params": {"level": "info", "data": "half way"}});
    stream.push_str(&format!("event: message\nid: 7\ndata: {log}\n\n"));
    stream.push_str("event: other\ndata: not a message\n\n");
    let done = result(
        &sent["id"],
        json!({"resultType": "complete", "content": [], "isError": false}),
    );
    stream.push_str(&format!("data: {done}\r\n\r\n"));
    let bytes = stream.as_bytes();
    client.handle_response_head(ms(2), post.exchange, 200, &[("content-type", SSE)]);
    let mut start = 0;
    let mut points: Vec<usize> = cuts.iter().map(|cut| cut % (bytes.len() + 1)).collect();
    points.sort_unstable();
    for point in points {
        client
            .handle_body(ms(2), post.exchange, &bytes[start..point.max(start)])
            .unwrap();
        start = point.max(start);
    }
    client
        .handle_body(ms(2), post.exchange, &bytes[start..])
        .unwrap();
    client.handle_end(ms(3), post.exchange);
    events(&mut client)
}

#[test]
fn the_whole_sse_answer_yields_every_message() {
    let events = sse_answer_in_pieces(&[]);
    assert_eq!(events.len(), 5, "{events:?}");
    assert!(matches!(events[4], ClientEvent::Response { .. }));
}

proptest! {
    #[test]
    fn any_chunking_of_an_sse_answer_yields_the_same_events(
        cuts in proptest::collection::vec(any::<usize>(), 0..24)
    ) {
        prop_assert_eq!(sse_answer_in_pieces(&cuts), sse_answer_in_pieces(&[]));
    }
}

#[test]
fn time_never_runs_backwards() {
    let mut client = legacy_session();
    call_cut_short(&mut client, Some(100));
    let due = client.poll_timeout().unwrap();
    // An older stamp is clamped: it neither fires the resumption nor moves it.
    client.handle_timeout(ms(1));
    assert!(actions(&mut client).is_empty());
    assert_eq!(client.poll_timeout(), Some(due));
}

/// One report a driver might make, about the `exchange`-th exchange still open.
#[derive(Clone, Debug)]
enum Input {
    Head {
        exchange: usize,
        status: u16,
        stream: bool,
    },
    Chunk {
        exchange: usize,
        bytes: Vec<u8>,
    },
    End {
        exchange: usize,
    },
    Failure {
        exchange: usize,
    },
    Timeout {
        after_ms: u64,
    },
    Request,
}

fn input() -> impl Strategy<Value = Input> {
    prop_oneof![
        (
            0..4usize,
            prop::sample::select(vec![200u16, 202, 400, 404, 405, 500]),
            any::<bool>()
        )
            .prop_map(|(exchange, status, stream)| Input::Head {
                exchange,
                status,
                stream
            }),
        (0..4usize, prop::collection::vec(any::<u8>(), 0..64))
            .prop_map(|(exchange, bytes)| Input::Chunk { exchange, bytes }),
        (
            0..4usize,
            Just(b"id: 1\ndata: {\"jsonrpc\":\"2.0\",\"method\":\"x\"}\n\n".to_vec())
        )
            .prop_map(|(exchange, bytes)| Input::Chunk { exchange, bytes }),
        (0..4usize).prop_map(|exchange| Input::End { exchange }),
        (0..4usize).prop_map(|exchange| Input::Failure { exchange }),
        (0..3_000u64).prop_map(|after_ms| Input::Timeout { after_ms }),
        Just(Input::Request),
    ]
}

proptest! {
    #[test]
    fn arbitrary_reports_never_panic_and_stay_bounded(
        inputs in prop::collection::vec(input(), 0..64)
    ) {
        let mut client = legacy_session();
        let mut open: Vec<ExchangeId> = Vec::new();
        let mut now = ms(100);
        for input in inputs {
            match input {
                Input::Head { exchange, status, stream } => {
                    if let Some(exchange) = open.get(exchange).copied() {
                        let kind = if stream { SSE } else { JSON };
                        client.handle_response_head(now, exchange, status, &[("content-type", kind)]);
                    }
                }
                Input::Chunk { exchange, bytes } => {
                    if let Some(exchange) = open.get(exchange).copied() {
                        let _ = client.handle_body(now, exchange, &bytes);
                    }
                }
                Input::End { exchange } => {
                    if exchange < open.len() {
                        let exchange = open.remove(exchange);
                        client.handle_end(now, exchange);
                    }
                }
                Input::Failure { exchange } => {
                    if exchange < open.len() {
                        let exchange = open.remove(exchange);
                        client.handle_failure(now, exchange, "broken");
                    }
                }
                Input::Timeout { after_ms } => {
                    now = now.saturating_add(Duration::from_millis(after_ms));
                    client.handle_timeout(now);
                }
                Input::Request => {
                    let _ = client.connection_mut().send_request(
                        now,
                        ClientRequest::ListTools(None),
                        RequestOptions::default(),
                    );
                }
            }
            events(&mut client);
            while let Some(action) = client.poll_exchange() {
                match action {
                    ExchangeAction::Start(request) => open.push(request.exchange),
                    ExchangeAction::Abort(exchange) => open.retain(|o| *o != exchange),
                }
            }
            prop_assert!(client.open_exchanges() <= open.len());
            prop_assert!(client.open_exchanges() <= DEFAULT_MAX_EXCHANGES);
        }
    }
}
