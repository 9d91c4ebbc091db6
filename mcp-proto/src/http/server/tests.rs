//! Unit tests of the HTTP server state machines, fed hand-written requests and driven by
//! hand (the application's side played by the test).

use alloc::collections::BTreeMap;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::time::Duration;

use super::*;
use crate::http::{EventId, HttpMethod, RequestHead};
use crate::jsonrpc::{ErrorCode, Message, RequestId, decode};
use crate::server::{Reply, RequestOptions, ServerConfig, ServerConnection, ServerEvent};
use crate::time::Timestamp;
use crate::types::{Implementation, ServerRequest};

fn t(ms: u64) -> Timestamp {
    Timestamp::from_millis(ms)
}

fn connection() -> ServerConnection {
    ServerConnection::new(ServerConfig::new(Implementation::new("test", "1.0.0")))
}

fn message(text: &str) -> Message {
    decode(text.as_bytes()).unwrap()
}

const INITIALIZE: &str = r#"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}"#;
const INITIALIZED: &str = r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#;

/// One response as the test's "driver" wrote it.
#[derive(Debug, Default)]
struct Written {
    head: Option<ResponseHead>,
    body: Vec<u8>,
    ended: bool,
    transmits: usize,
}

impl Written {
    fn text(&self) -> &str {
        core::str::from_utf8(&self.body).unwrap()
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.head
            .as_ref()?
            .headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    fn status(&self) -> u16 {
        self.head.as_ref().unwrap().status
    }
}

/// Drains every transmit into per-response records, checking the framing contract:
/// a head first and only once, nothing after the end.
fn drain_into(
    written: &mut BTreeMap<ResponseId, Written>,
    mut poll: impl FnMut(&mut Vec<u8>) -> Option<HttpTransmit>,
) {
    loop {
        let mut out = Vec::new();
        let Some(transmit) = poll(&mut out) else {
            return;
        };
        assert_eq!(transmit.len, out.len());
        let entry = written.entry(transmit.response).or_default();
        assert!(!entry.ended, "a transmit after the end of {transmit:?}");
        assert_eq!(
            entry.head.is_none(),
            transmit.head.is_some(),
            "the head comes first, once"
        );
        if let Some(head) = transmit.head {
            entry.head = Some(head);
        }
        entry.body.extend_from_slice(&out);
        entry.ended = transmit.end;
        entry.transmits += 1;
    }
}

struct SessionHarness {
    session: HttpSession,
    written: BTreeMap<ResponseId, Written>,
}

impl SessionHarness {
    fn new() -> Self {
        let session = HttpSession::new(
            t(0),
            String::from("session-1"),
            connection(),
            SessionSettings::default(),
        );
        SessionHarness {
            session,
            written: BTreeMap::new(),
        }
    }

    /// A session past its handshake.
    fn initialized() -> Self {
        let mut harness = SessionHarness::new();
        let response = harness.post(t(0), INITIALIZE);
        assert_eq!(harness.written[&response].status(), 200);
        let response = harness.post(t(0), INITIALIZED);
        assert_eq!(harness.written[&response].status(), 202);
        harness.events();
        harness
    }

    fn drain(&mut self) {
        let session = &mut self.session;
        drain_into(&mut self.written, |out| session.poll_transmit(out));
    }

    fn post(&mut self, now: Timestamp, text: &str) -> ResponseId {
        let response = self.session.handle_post(now, message(text));
        self.drain();
        response
    }

    fn get(&mut self, now: Timestamp, last_event_id: Option<&str>) -> ResponseId {
        let last = last_event_id.map(|id| EventId::parse(id).unwrap());
        let response = self.session.handle_get(now, last);
        self.drain();
        response
    }

    fn events(&mut self) -> Vec<ServerEvent> {
        core::iter::from_fn(|| self.session.poll_event()).collect()
    }

    /// Reports `progress` on the request of `token`.
    fn progress(&mut self, now: Timestamp, token: &crate::connection::ReplyToken, progress: f64) {
        let connection = self.session.connection_mut();
        connection
            .progress(now, token, progress, None, None)
            .unwrap();
    }

    /// Answers the request of `token` with an empty tool result.
    fn answer(&mut self, now: Timestamp, token: crate::connection::ReplyToken) {
        let result = Reply::result(&serde_json::json!({"content": []}));
        self.session
            .connection_mut()
            .respond(now, token, result)
            .unwrap();
    }

    /// The token of the one request event waiting.
    fn request(&mut self) -> crate::connection::ReplyToken {
        let mut tokens: Vec<_> = self
            .events()
            .into_iter()
            .filter_map(|event| match event {
                ServerEvent::Request(request) => Some(request.token),
                _ => None,
            })
            .collect();
        assert_eq!(tokens.len(), 1);
        tokens.remove(0)
    }
}

fn call(id: u64) -> String {
    alloc::format!(
        r#"{{"jsonrpc":"2.0","id":{id},"method":"tools/call","params":{{"name":"slow","arguments":{{}},"_meta":{{"progressToken":"p{id}"}}}}}}"#
    )
}

/// The SSE event ids in a stream body, in order.
fn event_ids(body: &str) -> Vec<String> {
    body.lines()
        .filter_map(|line| line.strip_prefix("id: "))
        .map(ToString::to_string)
        .collect()
}

/// The keep-alive comments (a lone `:` line) in a stream body.
fn comments(body: &str) -> usize {
    body.lines().filter(|line| *line == ":").count()
}

#[test]
fn initialize_is_answered_as_json_with_the_session_id() {
    let mut harness = SessionHarness::new();
    let response = harness.post(t(0), INITIALIZE);
    let written = &harness.written[&response];
    assert_eq!(written.status(), 200);
    assert!(written.ended);
    assert_eq!(written.transmits, 1, "a complete response is one transmit");
    assert_eq!(written.header("mcp-session-id"), Some("session-1"));
    assert_eq!(written.header("content-type"), Some("application/json"));
    assert!(written.text().contains(r#""protocolVersion":"2025-11-25""#));
    assert!(!harness.session.is_closed());

    // A notification is accepted with 202 and no body.
    let response = harness.post(t(1), INITIALIZED);
    let written = &harness.written[&response];
    assert_eq!((written.status(), written.ended), (202, true));
    assert!(written.body.is_empty());
    assert_eq!(harness.session.open_responses(), 0);
}

#[test]
fn a_refused_initialize_ends_the_session_without_an_id() {
    let mut harness = SessionHarness::new();
    let response = harness.post(
        t(0),
        r#"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25"}}"#,
    );
    let written = &harness.written[&response];
    assert!(written.text().contains(r#""error""#), "{}", written.text());
    assert_eq!(written.header("mcp-session-id"), None);
    assert!(harness.session.is_closed());
}

#[test]
fn a_request_answered_at_once_is_json_and_its_status_follows_the_error() {
    let mut harness = SessionHarness::initialized();
    let response = harness.post(
        t(1),
        r#"{"jsonrpc":"2.0","id":5,"method":"no/such/method"}"#,
    );
    let written = &harness.written[&response];
    // Legacy clients read -32601 on a 200 (see `status_for_error`).
    assert_eq!(written.status(), 200);
    assert!(written.text().contains("-32601"));
    assert!(harness.session.is_quiet());
}

#[test]
fn progress_first_makes_a_stream_that_ends_with_the_response() {
    let mut harness = SessionHarness::initialized();
    let response = harness.post(t(1), &call(1));
    assert!(!harness.written.contains_key(&response), "nothing yet");
    let token = harness.request();
    let connection = harness.session.connection_mut();
    connection.progress(t(2), &token, 0.5, None, None).unwrap();
    harness.drain();
    let written = &harness.written[&response];
    assert_eq!(written.status(), 200);
    assert_eq!(written.header("content-type"), Some("text/event-stream"));
    assert!(!written.ended);
    // The priming event (empty data), then the progress.
    assert_eq!(event_ids(written.text()), ["1-0", "1-1"]);
    assert!(written.text().contains("notifications/progress"));

    harness.answer(t(3), token);
    harness.drain();
    let written = &harness.written[&response];
    assert!(written.ended);
    assert_eq!(event_ids(written.text()), ["1-0", "1-1", "1-2"]);
    assert!(written.text().contains(r#""result""#));
    assert!(harness.session.is_quiet());
    assert_eq!(harness.session.open_responses(), 0);
}

#[test]
fn a_server_request_made_for_a_request_goes_on_its_stream_and_others_on_get() {
    let mut harness = SessionHarness::initialized();
    let get = harness.get(t(1), None);
    assert_eq!(harness.written[&get].status(), 200);
    let response = harness.post(t(1), &call(2));
    let token = harness.request();
    harness
        .session
        .connection_mut()
        .send_request_for(
            t(2),
            &token,
            ServerRequest::Ping(None),
            RequestOptions::default(),
        )
        .unwrap();
    harness
        .session
        .connection_mut()
        .send_request(t(2), ServerRequest::Ping(None), RequestOptions::default())
        .unwrap();
    harness.drain();
    let posted = harness.written[&response].text();
    let standalone = harness.written[&get].text();
    assert_eq!(posted.matches(r#""method":"ping""#).count(), 1, "{posted}");
    assert_eq!(
        standalone.matches(r#""method":"ping""#).count(),
        1,
        "{standalone}"
    );
    // The standalone stream is stream 0.
    assert_eq!(event_ids(standalone), ["0-0", "0-1"]);
}

#[test]
fn without_a_get_stream_unrelated_messages_go_nowhere() {
    let mut harness = SessionHarness::initialized();
    harness
        .session
        .connection_mut()
        .send_request(t(2), ServerRequest::Ping(None), RequestOptions::default())
        .unwrap();
    harness.drain();
    assert!(harness.written.values().all(|written| written.ended));
}

#[test]
fn a_second_standalone_get_is_409_and_a_duplicate_id_400() {
    let mut harness = SessionHarness::initialized();
    harness.get(t(1), None);
    let second = harness.get(t(1), None);
    assert_eq!(harness.written[&second].status(), 409);
    harness.post(t(1), &call(3));
    let duplicate = harness.post(t(1), &call(3));
    assert_eq!(harness.written[&duplicate].status(), 400);
}

#[test]
fn a_dropped_stream_resumes_after_the_last_event_seen() {
    let mut harness = SessionHarness::initialized();
    let response = harness.post(t(1), &call(4));
    let token = harness.request();
    harness.progress(t(2), &token, 1.0);
    harness.drain();
    assert_eq!(event_ids(harness.written[&response].text()), ["1-0", "1-1"]);

    // The client goes away: the request runs on, its events are kept.
    harness.session.handle_disconnect(t(3), response);
    assert_eq!(harness.session.open_responses(), 0);
    harness.progress(t(4), &token, 2.0);
    harness.answer(t(5), token);
    harness.drain();
    assert_eq!(event_ids(harness.written[&response].text()), ["1-0", "1-1"]);

    // Resuming after 1-1 replays the two events it missed, and ends: the stream is done.
    let resumed = harness.get(t(6), Some("1-1"));
    let written = &harness.written[&resumed];
    assert_eq!(written.status(), 200);
    assert_eq!(event_ids(written.text()), ["1-2", "1-3"]);
    assert!(written.ended);
    assert!(written.text().contains(r#""result""#));

    // An unknown stream cannot be resumed.
    let unknown = harness.get(t(7), Some("9-0"));
    assert_eq!(harness.written[&unknown].status(), 400);
}

#[test]
fn a_resumed_live_stream_moves_to_the_new_connection() {
    let mut harness = SessionHarness::initialized();
    let response = harness.post(t(1), &call(5));
    let token = harness.request();
    harness.progress(t(2), &token, 1.0);
    harness.drain();
    let resumed = harness.get(t(3), Some("1-0"));
    // The old connection ends; the new one carries the stream from after 1-0.
    assert!(harness.written[&response].ended);
    assert_eq!(event_ids(harness.written[&resumed].text()), ["1-1"]);
    harness.answer(t(4), token);
    harness.drain();
    let written = &harness.written[&resumed];
    assert!(written.ended);
    assert_eq!(event_ids(written.text()), ["1-1", "1-2"]);
}

#[test]
fn close_stream_sends_retry_and_ends_the_connection_only() {
    let mut harness = SessionHarness::initialized();
    let response = harness.post(t(1), &call(6));
    let token = harness.request();
    harness
        .session
        .close_stream(t(2), &RequestId::Number(6), Duration::from_millis(250));
    harness.drain();
    let written = &harness.written[&response];
    assert!(written.ended);
    assert!(
        written.text().ends_with("retry: 250\n\n"),
        "{}",
        written.text()
    );
    // The request is still served: its answer waits for the resumption.
    harness.answer(t(3), token);
    harness.drain();
    let resumed = harness.get(t(4), Some("1-0"));
    assert!(harness.written[&resumed].text().contains(r#""result""#));
}

#[test]
fn keep_alive_comments_go_on_live_streams_at_the_deadline() {
    let mut harness = SessionHarness::initialized();
    assert_eq!(harness.session.poll_timeout(), None, "nothing carried");
    let get = harness.get(t(1_000), None);
    let keep_alive = SessionSettings::default().keep_alive;
    let due = t(1_000).saturating_add(keep_alive);
    assert_eq!(harness.session.poll_timeout(), Some(due));
    // Early: nothing.
    harness.session.handle_timeout(t(2_000));
    harness.drain();
    assert_eq!(comments(harness.written[&get].text()), 0);
    harness.session.handle_timeout(due);
    harness.drain();
    assert_eq!(comments(harness.written[&get].text()), 1);
    let next = harness.session.poll_timeout().unwrap();
    assert!(next > due, "the next deadline is later");
    harness.session.handle_disconnect(due, get);
    assert_eq!(harness.session.poll_timeout(), None);
}

#[test]
fn a_cancelled_request_ends_its_stream_and_close_ends_everything() {
    let mut harness = SessionHarness::initialized();
    let first = harness.post(t(1), &call(7));
    let first_token = harness.request();
    harness.progress(t(2), &first_token, 1.0);
    let second = harness.post(t(2), &call(8));
    let _second_token = harness.request();
    harness.post(
        t(3),
        r#"{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":7}}"#,
    );
    harness.events();
    harness.drain();
    assert!(harness.written[&first].ended);
    assert!(!harness.written.contains_key(&second));
    let get = harness.get(t(4), None);
    harness.session.close(t(5));
    harness.drain();
    assert!(harness.written[&second].ended, "a waiting POST ends too");
    assert!(harness.written[&get].ended);
    assert!(harness.session.is_closed());
    assert_eq!(harness.session.open_responses(), 0);
}

fn modern_request(id: u64, method: &str, extra: &str) -> crate::jsonrpc::Request {
    let text = alloc::format!(
        r#"{{"jsonrpc":"2.0","id":{id},"method":"{method}","params":{{{extra}"_meta":{{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{{}},"progressToken":"x"}}}}}}"#
    );
    match message(&text) {
        Message::Request(request) => request,
        other => panic!("{other:?}"),
    }
}

struct ExchangeHarness {
    exchange: HttpExchange,
    written: BTreeMap<ResponseId, Written>,
}

impl ExchangeHarness {
    fn new(request: crate::jsonrpc::Request) -> Self {
        let exchange = HttpExchange::new(t(0), connection(), request, Duration::from_secs(15));
        ExchangeHarness {
            exchange,
            written: BTreeMap::new(),
        }
    }

    /// The token of the exchange's request.
    fn request(&mut self) -> crate::connection::ReplyToken {
        core::iter::from_fn(|| self.exchange.poll_event())
            .find_map(|event| match event {
                ServerEvent::Request(request) => Some(request.token),
                _ => None,
            })
            .unwrap()
    }

    fn drain(&mut self) -> Option<&Written> {
        let exchange = &mut self.exchange;
        drain_into(&mut self.written, |out| exchange.poll_transmit(out));
        self.written.values().next()
    }
}

#[test]
fn an_exchange_answered_first_is_json_with_the_error_status() {
    let mut harness = ExchangeHarness::new(modern_request(1, "no/such", ""));
    let written = harness.drain().unwrap();
    assert_eq!(written.status(), 404);
    assert!(written.ended);
    assert!(written.text().contains("-32601"));
    assert!(harness.exchange.is_finished());
}

#[test]
fn an_exchange_with_progress_first_streams_without_ids_and_keeps_alive() {
    let mut harness = ExchangeHarness::new(modern_request(
        2,
        "tools/call",
        r#""name":"slow","arguments":{},"#,
    ));
    let token = harness.request();
    assert!(harness.drain().is_none(), "nothing decided yet");
    harness
        .exchange
        .connection_mut()
        .progress(t(1), &token, 0.5, None, None)
        .unwrap();
    let written = harness.drain().unwrap();
    assert_eq!(written.header("content-type"), Some("text/event-stream"));
    assert!(
        !written.text().contains("id:"),
        "no event ids at 2026-07-28"
    );
    assert!(harness.exchange.is_streaming());

    let due = harness.exchange.poll_timeout().unwrap();
    assert_eq!(due, t(0).saturating_add(Duration::from_secs(15)));
    harness.exchange.handle_timeout(due);
    assert_eq!(comments(harness.drain().unwrap().text()), 1);

    harness
        .exchange
        .connection_mut()
        .respond(
            due,
            token,
            Reply::result(&serde_json::json!({"content": []})),
        )
        .unwrap();
    let written = harness.drain().unwrap();
    assert!(written.ended);
    assert!(written.text().contains(r#""result""#));
    assert!(harness.exchange.is_finished());
    assert_eq!(harness.exchange.poll_timeout(), None);
}

#[test]
fn a_disconnected_exchange_cancels_its_request() {
    let mut harness = ExchangeHarness::new(modern_request(
        3,
        "tools/call",
        r#""name":"slow","arguments":{},"#,
    ));
    let token = harness.request();
    harness.exchange.handle_disconnect(t(1));
    let closed = core::iter::from_fn(|| harness.exchange.poll_event())
        .any(|event| matches!(event, ServerEvent::Closed { .. }));
    assert!(closed);
    let delivery = harness
        .exchange
        .connection_mut()
        .respond(t(2), token, Reply::error(ErrorCode::INTERNAL_ERROR, "late"))
        .unwrap();
    assert_eq!(delivery, crate::connection::Delivery::Swallowed);
    assert!(harness.drain().is_none());
    assert!(harness.exchange.is_finished());
}

fn head<'a>(method: HttpMethod, headers: &'a [(&'a str, &'a [u8])]) -> RequestHead<'a> {
    RequestHead::new(method, "/mcp", headers)
}

const POST_HEADERS: &[(&str, &[u8])] = &[
    ("Host", b"localhost"),
    ("Content-Type", b"application/json"),
    ("Accept", b"application/json, text/event-stream"),
];

#[test]
fn the_endpoint_routes_each_era_and_keeps_the_session_table() {
    let config = HttpServerConfig {
        sessions: SessionSettings {
            max_sessions: 1,
            idle_timeout: Duration::from_secs(60),
            ..SessionSettings::default()
        },
        ..HttpServerConfig::default()
    };
    let mut server: HttpServer<u32> = HttpServer::new(config);

    // A legacy initialize: the caller mints the id and registers the session.
    let post = head(HttpMethod::Post, POST_HEADERS);
    let Dispatch::Initialize(_) = server.handle_request(t(0), &post, INITIALIZE.as_bytes()) else {
        panic!("an initialize")
    };
    server
        .accept_session(t(0), String::from("abc"), 7, None)
        .unwrap();
    // The table is full: the next one is refused with 503.
    let refusal = server
        .accept_session(t(0), String::from("def"), 8, Some(&RequestId::Number(0)))
        .unwrap_err();
    assert_eq!(refusal.status, 503);

    // A POST naming the session is dispatched to it.
    let with_session: &[(&str, &[u8])] = &[
        ("Host", b"localhost"),
        ("Content-Type", b"application/json"),
        ("Accept", b"application/json, text/event-stream"),
        ("Mcp-Session-Id", b"abc"),
    ];
    let post = head(HttpMethod::Post, with_session);
    match server.handle_request(t(10), &post, INITIALIZED.as_bytes()) {
        Dispatch::Post { session_id, .. } => assert_eq!(session_id, "abc"),
        other => panic!("{other:?}"),
    }
    let get_headers: &[(&str, &[u8])] = &[
        ("Host", b"localhost"),
        ("Accept", b"text/event-stream"),
        ("Mcp-Session-Id", b"abc"),
        ("Last-Event-ID", b"1-4"),
    ];
    match server.handle_request(t(10), &head(HttpMethod::Get, get_headers), b"") {
        Dispatch::Get {
            session_id,
            last_event_id,
        } => {
            assert_eq!(session_id, "abc");
            assert_eq!(last_event_id, EventId::parse("1-4"));
        }
        other => panic!("{other:?}"),
    }

    // A modern POST is an exchange of its own.
    let modern_headers: &[(&str, &[u8])] = &[
        ("Host", b"localhost"),
        ("Content-Type", b"application/json"),
        ("Accept", b"application/json, text/event-stream"),
        ("MCP-Protocol-Version", b"2026-07-28"),
        ("Mcp-Method", b"tools/list"),
    ];
    let body = br#"{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}}}"#;
    assert!(matches!(
        server.handle_request(t(10), &head(HttpMethod::Post, modern_headers), body),
        Dispatch::Exchange(_)
    ));

    // Idle expiry: the deadline named first is a lower bound (60 s after the session
    // began); at it nothing expires, and the next one is 60 s after the last use.
    assert_eq!(server.poll_timeout(), Some(t(60_000)));
    assert!(server.handle_timeout(t(60_000)).is_empty());
    assert_eq!(server.poll_timeout(), Some(t(60_010)));
    assert!(server.handle_timeout(t(60_009)).is_empty());
    let expired = server.handle_timeout(t(60_010));
    assert_eq!(expired, [(String::from("abc"), 7)]);
    match server.handle_request(t(60_011), &post, INITIALIZED.as_bytes()) {
        Dispatch::Respond(response) => assert_eq!(response.status, 404),
        other => panic!("{other:?}"),
    }
    assert_eq!(server.poll_timeout(), None);

    // DELETE ends a session.
    server
        .accept_session(t(70_000), String::from("abc"), 9, None)
        .unwrap();
    let delete_headers: &[(&str, &[u8])] = &[("Host", b"localhost"), ("Mcp-Session-Id", b"abc")];
    match server.handle_request(t(70_001), &head(HttpMethod::Delete, delete_headers), b"") {
        Dispatch::Deleted {
            session_id,
            session,
        } => assert_eq!((session_id.as_str(), session), ("abc", 9)),
        other => panic!("{other:?}"),
    }
    assert_eq!(server.session_count(), 0);
}

#[test]
fn exchanges_in_progress_are_bounded_with_a_typed_refusal() {
    let config = HttpServerConfig {
        sessions: SessionSettings {
            max_exchanges: 2,
            ..SessionSettings::default()
        },
        ..HttpServerConfig::default()
    };
    let mut server: HttpServer<()> = HttpServer::new(config);
    let headers: &[(&str, &[u8])] = &[
        ("Host", b"localhost"),
        ("Content-Type", b"application/json"),
        ("Accept", b"application/json, text/event-stream"),
        ("MCP-Protocol-Version", b"2026-07-28"),
        ("Mcp-Method", b"tools/list"),
    ];
    let body = br#"{"jsonrpc":"2.0","id":9,"method":"tools/list","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}}}"#;
    let post = head(HttpMethod::Post, headers);
    for _ in 0..2 {
        assert!(matches!(
            server.handle_request(t(0), &post, body),
            Dispatch::Exchange(_)
        ));
    }
    assert_eq!(server.open_exchanges(), 2);
    match server.handle_request(t(0), &post, body) {
        Dispatch::Refused { limit, response } => {
            assert_eq!(limit, HttpLimit::Exchanges);
            assert_eq!(response.status, 503);
            assert_eq!(response.json_rpc_id(), Some(RequestId::Number(9)));
        }
        other => panic!("{other:?}"),
    }
    server.end_exchange();
    assert!(matches!(
        server.handle_request(t(0), &post, body),
        Dispatch::Exchange(_)
    ));
}

#[test]
fn a_session_bounds_its_open_responses() {
    let settings = SessionSettings {
        max_open_responses: 2,
        ..SessionSettings::default()
    };
    let mut harness = SessionHarness {
        session: HttpSession::new(t(0), String::from("s"), connection(), settings),
        written: BTreeMap::new(),
    };
    harness.post(t(0), INITIALIZE);
    harness.post(t(0), INITIALIZED);
    harness.events();
    let first = harness.post(t(1), &call(1));
    let get = harness.get(t(1), None);
    assert_eq!(harness.session.open_responses(), 2);
    let refused = harness.post(t(1), &call(2));
    let written = &harness.written[&refused];
    assert_eq!(written.status(), 503);
    assert!(written.text().contains(r#""id":2"#));
    let refused_get = harness.get(t(1), None);
    assert_eq!(harness.written[&refused_get].status(), 503);
    // The refused call never reached the application; the first still can be answered.
    let token = harness.request();
    harness.answer(t(2), token);
    harness.drain();
    assert!(harness.written[&first].ended);
    harness.session.handle_disconnect(t(3), get);
    assert_eq!(harness.session.open_responses(), 0);
}

#[test]
fn only_a_listen_exchange_hears_published_changes() {
    let listen = ExchangeHarness::new(modern_request(
        4,
        "subscriptions/listen",
        r#""notifications":{"toolsListChanged":true},"#,
    ));
    assert!(listen.exchange.hears_changes());
    let list = ExchangeHarness::new(modern_request(5, "tools/list", ""));
    assert!(!list.exchange.hears_changes());
}
