//! The fuzz body of the Streamable HTTP client: [`HttpClient`] run by a script, the body
//! playing both the application (requests of every kind, cancellations, answers to
//! server requests, input for multi-round-trip requests, notifications, close) and the
//! driver with the server behind it (response heads with any status, content type and
//! session id; bodies as raw bytes or as well-formed JSON or SSE answers to the request
//! an exchange carries, cut into chunks of any size; ends, failures, reports about
//! exchanges that are over; time).
//!
//! Byte 0 sets the client up: bits 0-1 its mode (auto, legacy, pinned 2026-07-28, auto),
//! the rest the resume delay (in steps of 7 ms); the rest of the input is a script
//! of steps, an opcode byte, a length byte and the argument, as in
//! [`steps`](crate::testing::fuzz).
//!
//! Checked after every step: nothing panics; each exchange is started once, under a new
//! id, and ends at most once (by the driver's end or failure, or by the client's abort,
//! which names only an exchange that is open); the client's count of open exchanges is
//! the driver's; they stay bounded (the exchange limit, plus resumptions of requests the
//! connection bounds, plus the session's own few); every POST carries one JSON-RPC
//! message; no deadline lies in the past after `handle_timeout`; each request ends (a
//! response, a failure, a timeout, a cancellation) at most once; `Closed` comes once and
//! last.

use alloc::collections::{BTreeMap, BTreeSet};
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::time::Duration;

use serde_json::{Value, json};

use crate::Limits;
use crate::client::{ClientConfig, ClientEvent, ClientMode, RequestOptions};
use crate::connection::{ReplyToken, RequestHandle};
use crate::http::{ExchangeAction, ExchangeId, HttpClient, HttpClientConfig, HttpMethod};
use crate::jsonrpc::{ErrorCode, ErrorObject, Message, ResultBody, decode};
use crate::testing::fuzz::steps;
use crate::time::Timestamp;
use crate::types::{
    ClientCapabilities, ClientNotification, ClientRequest, ElicitAction, ElicitResult,
    Implementation, InputResponse, InputResponses, SubscriptionFilter,
};
use crate::version::ProtocolVersion;

/// Open exchanges before later messages wait.
const MAX_EXCHANGES: usize = 3;
/// The connection's own requests in flight at once.
const MAX_IN_FLIGHT: usize = 8;
/// The largest message (and body read whole).
const MAX_MESSAGE: usize = 4096;

/// Statuses a generic head picks from.
const STATUSES: [u16; 12] = [200, 202, 200, 400, 404, 405, 500, 204, 301, 200, 409, 503];
/// Content types a generic head picks from.
const CONTENT_TYPES: [Option<&str>; 7] = [
    Some("application/json"),
    Some("text/event-stream"),
    None,
    Some("text/plain"),
    Some("Application/JSON; charset=utf-8"),
    Some("TEXT/EVENT-STREAM ; q=1"),
    Some("application/jsonx"),
];
/// Session ids a generic head picks from.
const SESSION_IDS: [Option<&str>; 5] = [
    None,
    Some("s-1"),
    Some("s-2"),
    Some("bad id\u{1}"),
    Some(""),
];

/// What the driver knows of one started exchange.
struct Started {
    method: HttpMethod,
    /// The JSON-RPC id, method and progress token of the request a POST carries.
    request: Option<(Value, String, Option<Value>)>,
    /// The POST carries a notification or a response: nothing comes back.
    one_way: bool,
    /// Its head was reported.
    head: bool,
    /// SSE events sent on it, for their ids.
    events: u32,
}

struct Run {
    client: HttpClient,
    now: Timestamp,
    /// Started and not yet over, by the driver's reckoning.
    live: BTreeMap<ExchangeId, Started>,
    /// Every exchange ever started.
    seen: BTreeSet<ExchangeId>,
    /// Exchanges that are over (ended, failed or aborted).
    over: Vec<ExchangeId>,
    /// Requests of the application not yet ended.
    open: Vec<RequestHandle>,
    /// Requests waiting for input, with the keys asked for.
    awaiting: Vec<(RequestHandle, Vec<String>)>,
    ended: BTreeSet<RequestHandle>,
    tokens: Vec<ReplyToken>,
    closed: bool,
    /// Ids of the requests POSTed so far (for answers on other streams).
    posted: Vec<Value>,
    /// Server requests sent, for their ids.
    server_requests: u32,
    sessions: u32,
}

/// The HTTP client run by `data`; see the module docs.
pub fn http_client(data: &[u8]) {
    let Some((&setup, script)) = data.split_first() else {
        return;
    };
    let mode = match (setup & 3) % 3 {
        0 => ClientMode::Auto,
        1 => ClientMode::Legacy,
        _ => ClientMode::Pinned {
            version: ProtocolVersion::V2026_07_28,
            discover: None,
        },
    };
    let limits = Limits {
        max_message_bytes: MAX_MESSAGE,
        max_outbound_in_flight: MAX_IN_FLIGHT,
        ..Limits::default()
    };
    let capabilities: ClientCapabilities =
        serde_json::from_value(json!({"elicitation": {}, "roots": {"listChanged": true}}))
            .unwrap_or_default();
    let config = ClientConfig::new(Implementation::new("fuzz-http-client", "1"))
        .with_mode(mode)
        .with_limits(limits)
        .with_capabilities(capabilities);
    let connection = crate::client::ClientConnection::new(Timestamp::ZERO, config);
    let http = HttpClientConfig::default()
        .with_max_exchanges(MAX_EXCHANGES)
        .with_resume_delay(Duration::from_millis(u64::from(setup >> 2) * 7))
        .with_listen_gate(Duration::from_millis(250))
        .with_max_fruitless_resumes(2);
    let mut run = Run {
        client: HttpClient::with_connection(Timestamp::ZERO, connection, http),
        now: Timestamp::ZERO,
        live: BTreeMap::new(),
        seen: BTreeSet::new(),
        over: Vec::new(),
        open: Vec::new(),
        awaiting: Vec::new(),
        ended: BTreeSet::new(),
        tokens: Vec::new(),
        closed: false,
        posted: Vec::new(),
        server_requests: 0,
        sessions: 0,
    };
    run.drain();
    for (op, argument) in steps(script) {
        let arg = |at: usize| argument.get(at).copied().unwrap_or(0);
        match op % 16 {
            0 | 1 => run.request(arg(0), arg(1)),
            2 => run.application(arg(0), arg(1)),
            3 => run.head(arg(0), arg(1), arg(2), arg(3)),
            4 => run.raw_body(arg(0), argument.get(1..).unwrap_or_default()),
            5 | 6 | 13 => run.answer(arg(0), arg(1), arg(2), arg(3)),
            7 => run.end(arg(0), false),
            8 => run.end(arg(0), true),
            9 => run.pass_time(op >> 4),
            10 => run.jump_to_deadline(),
            11 => run.stale_report(arg(0), argument.get(1..).unwrap_or_default()),
            12 | 14 => run.stream_traffic(arg(0), arg(1), arg(2), arg(3)),
            _ => run.answer_all(arg(0), arg(1)),
        }
        run.drain();
        if run.client.is_closed() {
            break;
        }
    }
}

impl Run {
    /// Drains events and exchange actions, checking each.
    fn drain(&mut self) {
        loop {
            let mut any = false;
            while let Some(event) = self.client.poll_event() {
                any = true;
                self.event(event);
            }
            while let Some(action) = self.client.poll_exchange() {
                any = true;
                self.action(action);
            }
            if !any {
                break;
            }
        }
        assert_eq!(
            self.client.open_exchanges(),
            self.live.len(),
            "the client's open exchanges are not the driver's"
        );
        assert!(
            self.live.len() <= MAX_EXCHANGES + MAX_IN_FLIGHT + 4,
            "{} exchanges open",
            self.live.len()
        );
    }

    fn event(&mut self, event: ClientEvent) {
        assert!(!self.closed, "an event after Closed: {event:?}");
        let ended = match event {
            ClientEvent::Response { handle, .. }
            | ClientEvent::Failed { handle, .. }
            | ClientEvent::TimedOut { handle }
            | ClientEvent::Cancelled { handle }
            | ClientEvent::SubscriptionEnded { handle, .. } => Some(handle),
            ClientEvent::InputRequired {
                handle, requests, ..
            } => {
                self.awaiting
                    .push((handle, requests.keys().cloned().collect()));
                None
            }
            ClientEvent::Request { token, .. } => {
                self.tokens.push(token);
                None
            }
            ClientEvent::Closed { .. } => {
                self.closed = true;
                None
            }
            _ => None,
        };
        if let Some(handle) = ended {
            assert!(self.ended.insert(handle), "{handle:?} ended twice");
            self.open.retain(|open| *open != handle);
            self.awaiting.retain(|(waiting, _)| *waiting != handle);
        }
    }

    fn action(&mut self, action: ExchangeAction) {
        match action {
            ExchangeAction::Start(request) => {
                let id = request.exchange;
                assert!(self.seen.insert(id), "{id} started twice");
                let mut started = Started {
                    method: request.method,
                    request: None,
                    one_way: false,
                    head: false,
                    events: 0,
                };
                if request.method == HttpMethod::Post {
                    let message = decode(&request.body);
                    assert!(message.is_ok(), "a POST without a message: {message:?}");
                    let Ok(message) = message else {
                        return;
                    };
                    match &message {
                        Message::Request(posted) => {
                            let id: Value = serde_json::to_value(&posted.id).unwrap_or(Value::Null);
                            let token = posted
                                .params
                                .as_ref()
                                .and_then(|params| params.meta())
                                .and_then(|meta| meta.get_raw("progressToken"))
                                .and_then(|raw| serde_json::from_str(raw).ok());
                            self.posted.push(id.clone());
                            started.request = Some((id, posted.method.clone(), token));
                        }
                        _ => started.one_way = true,
                    }
                } else {
                    assert!(request.body.is_empty());
                }
                self.live.insert(id, started);
            }
            ExchangeAction::Abort(id) => {
                assert!(
                    self.live.remove(&id).is_some(),
                    "{id} aborted while not open (started: {})",
                    self.seen.contains(&id)
                );
                self.over.push(id);
            }
        }
    }

    fn pick(&self, choice: u8) -> Option<ExchangeId> {
        let len = self.live.len();
        if len == 0 {
            return None;
        }
        self.live.keys().nth(usize::from(choice) % len).copied()
    }

    // The application.

    fn request(&mut self, kind: u8, options: u8) {
        let now = self.now;
        let request = match kind % 12 {
            0 => Ok(ClientRequest::ListTools(None)),
            1 => params(json!({"name": "deploy", "arguments": {"region": "eu west", "n": kind, "flag": true}}))
                .map(ClientRequest::CallTool),
            2 => params(json!({"name": "other"})).map(ClientRequest::CallTool),
            3 => params(json!({"uri": "file:///a/b"})).map(ClientRequest::ReadResource),
            4 => params(json!({"name": "p"})).map(ClientRequest::GetPrompt),
            5 => Ok(ClientRequest::Ping(None)),
            6 => {
                let filter: SubscriptionFilter = serde_json::from_value(
                    json!({"toolsListChanged": true, "resourceSubscriptions": ["file:///a"]}),
                )
                .unwrap_or_default();
                if let Ok(handle) = self.client.connection_mut().listen(now, filter) {
                    self.open.push(handle);
                }
                return;
            }
            7 => params(json!({"uri": "file:///a"})).map(ClientRequest::Subscribe),
            8 => Ok(ClientRequest::ListResources(None)),
            9 => Ok(ClientRequest::ListPrompts(None)),
            10 => params(json!({"name": "deploy", "arguments": {"region": "\u{e9}t\u{e9} ", "n": 1.5}}))
                .map(ClientRequest::CallTool),
            _ => params(json!({"level": "info"})).map(ClientRequest::SetLevel),
        };
        let Ok(request) = request else {
            return;
        };
        let settings = RequestOptions {
            progress: options & 1 != 0,
            timeout: match (options >> 1) & 3 {
                0 => None,
                1 => Some(Duration::from_millis(50)),
                2 => Some(Duration::from_secs(1)),
                _ => Some(Duration::from_secs(30)),
            },
            use_cache: options & 8 == 0,
            ..RequestOptions::default()
        };
        if let Ok(handle) = self
            .client
            .connection_mut()
            .send_request(now, request, settings)
        {
            self.open.push(handle);
        }
    }

    fn application(&mut self, what: u8, pick: u8) {
        let now = self.now;
        let pick = usize::from(pick);
        match what % 7 {
            0 => {
                if let Some(handle) = self.open.get(pick % self.open.len().max(1)).copied() {
                    let _ = self.client.connection_mut().cancel(now, handle, None);
                }
            }
            1 | 2 => {
                if self.tokens.is_empty() {
                    return;
                }
                let token = self.tokens.swap_remove(pick % self.tokens.len());
                let reply = match (what >> 3) % 3 {
                    0 => ResultBody::from_serialize(&json!({"action": "decline"}))
                        .map_err(|_| ErrorObject::new(ErrorCode::INTERNAL_ERROR)),
                    1 => ResultBody::from_serialize(&json!({"roots": [{"uri": "file:///r"}]}))
                        .map_err(|_| ErrorObject::new(ErrorCode::INTERNAL_ERROR)),
                    _ => Err(ErrorObject::with_message(ErrorCode::INVALID_PARAMS, "no")),
                };
                let _ = self.client.connection_mut().respond(now, token, reply);
            }
            3 => {
                if self.awaiting.is_empty() {
                    return;
                }
                let (handle, keys) = self.awaiting.swap_remove(pick % self.awaiting.len());
                let mut responses = InputResponses::new();
                for key in keys {
                    responses.insert(
                        key,
                        InputResponse::Elicit(ElicitResult::new(ElicitAction::Decline)),
                    );
                }
                let _ = self
                    .client
                    .connection_mut()
                    .provide_input(now, handle, responses);
            }
            4 => {
                let notification = if pick % 2 == 0 {
                    ClientNotification::RootsListChanged(None)
                } else {
                    ClientNotification::Custom {
                        method: String::from("notifications/fuzz"),
                        params: None,
                    }
                };
                let _ = self.client.connection_mut().notify(now, notification);
            }
            5 if pick % 4 == 0 => self.client.connection_mut().close(now),
            _ => {}
        }
    }

    // The driver.

    fn head(&mut self, pick: u8, status: u8, content_type: u8, session: u8) {
        let Some(exchange) = self.pick(pick) else {
            return;
        };
        let status = STATUSES
            .get(usize::from(status) % STATUSES.len())
            .copied()
            .unwrap_or(200);
        let mut headers: Vec<(&str, &str)> = Vec::new();
        if let Some(Some(value)) =
            CONTENT_TYPES.get(usize::from(content_type) % CONTENT_TYPES.len())
        {
            headers.push(("Content-Type", value));
        }
        if let Some(Some(value)) = SESSION_IDS.get(usize::from(session) % SESSION_IDS.len()) {
            headers.push(("mcp-session-id", value));
        }
        self.report_head(exchange, status, &headers);
    }

    fn report_head(&mut self, exchange: ExchangeId, status: u16, headers: &[(&str, &str)]) {
        if let Some(started) = self.live.get_mut(&exchange) {
            if started.head {
                return;
            }
            started.head = true;
        }
        self.client
            .handle_response_head(self.now, exchange, status, headers);
    }

    fn raw_body(&mut self, pick: u8, chunk: &[u8]) {
        let Some(exchange) = self.pick(pick) else {
            return;
        };
        self.chunks(exchange, chunk, 0);
    }

    /// Feeds `body` to `exchange` in chunks of `size` (1-64; 0 for one chunk).
    fn chunks(&mut self, exchange: ExchangeId, body: &[u8], size: u8) {
        let size = match size % 65 {
            0 => body.len().max(1),
            size => usize::from(size),
        };
        for chunk in body.chunks(size) {
            if !self.live.contains_key(&exchange) {
                return;
            }
            let head = self.live.get(&exchange).is_some_and(|started| started.head);
            let outcome = self.client.handle_body(self.now, exchange, chunk);
            if !head {
                assert!(outcome.is_err(), "a chunk before the head was taken");
            }
            // A refused chunk (over the limit) has the client abort the exchange.
            self.drain();
        }
    }

    /// The driver ends `exchange`: its answer is complete, or the transport failed.
    fn end(&mut self, pick: u8, failure: bool) {
        let Some(exchange) = self.pick(pick) else {
            return;
        };
        self.finish(exchange, failure);
    }

    fn finish(&mut self, exchange: ExchangeId, failure: bool) {
        if self.live.remove(&exchange).is_none() {
            return;
        }
        self.over.push(exchange);
        if failure {
            self.client
                .handle_failure(self.now, exchange, "connection reset");
        } else {
            self.client.handle_end(self.now, exchange);
        }
    }

    /// Reports about an exchange that is over (or was never started): ignored.
    fn stale_report(&mut self, pick: u8, chunk: &[u8]) {
        let exchange = match self.over.get(usize::from(pick) % self.over.len().max(1)) {
            Some(exchange) => *exchange,
            None => return,
        };
        let now = self.now;
        match pick % 4 {
            0 => self.client.handle_response_head(
                now,
                exchange,
                200,
                &[("content-type", "application/json")],
            ),
            1 => {
                let _ = self.client.handle_body(now, exchange, chunk);
            }
            2 => self.client.handle_end(now, exchange),
            _ => self.client.handle_failure(now, exchange, "late"),
        }
        // Ignored: the drain finds no abort for it (its check would fail), and nothing
        // else changes.
        self.drain();
    }

    fn pass_time(&mut self, scale: u8) {
        let step = match scale % 8 {
            0 => Duration::from_millis(1),
            1 => Duration::from_millis(10),
            2 => Duration::from_millis(49),
            3 => Duration::from_millis(250),
            4 => Duration::from_secs(1),
            5 => Duration::from_secs(10),
            6 => Duration::from_secs(61),
            _ => Duration::from_millis(u64::from(scale) * 97),
        };
        self.now = self.now.saturating_add(step);
        self.timeout();
    }

    /// Time moves to the next deadline exactly.
    fn jump_to_deadline(&mut self) {
        if let Some(deadline) = self.client.poll_timeout() {
            self.now = self.now.max(deadline);
        }
        self.timeout();
    }

    fn timeout(&mut self) {
        let now = self.now;
        self.client.handle_timeout(now);
        assert!(
            self.client.poll_timeout().is_none_or(|at| at > now),
            "a deadline in the past after handle_timeout: {:?} at {now:?}",
            self.client.poll_timeout()
        );
    }

    // The server's answers.

    /// Answers the request `exchange` carries, well formed: `choice` picks the answer,
    /// `form` its shape (bit 0: SSE; 1: a priming event; 2: a retry field; 3: a server
    /// request first; 4: progress first; 5: cut before the response; 6: left open; 7: the
    /// wrong id), `size` the chunks.
    fn answer(&mut self, pick: u8, choice: u8, form: u8, size: u8) {
        let Some(exchange) = self.pick(pick) else {
            return;
        };
        let Some(started) = self.live.get(&exchange) else {
            return;
        };
        if started.method != HttpMethod::Post {
            self.stream_traffic(pick, choice, form, size);
            return;
        }
        if started.one_way {
            // Accepted; now and then refused, with a body to read.
            if choice % 8 == 7 {
                self.report_head(exchange, 400, &[("content-type", "application/json")]);
                self.finish(exchange, false);
            } else {
                self.report_head(exchange, 202, &[]);
            }
            return;
        }
        let Some((id, method, token)) = started.request.clone() else {
            return;
        };
        let id = if form & 0x80 != 0 { json!("nope") } else { id };
        let message = response(&id, &method, choice);
        let mut session = String::new();
        if method == "initialize" && choice & 0x40 == 0 {
            self.sessions += 1;
            session = format!("s-{}", self.sessions);
        }
        let mut headers: Vec<(&str, &str)> = Vec::new();
        if !session.is_empty() {
            headers.push(("Mcp-Session-Id", &session));
        }
        if form & 1 == 0 {
            headers.push(("content-type", "application/json"));
            let status = if message.get("error").is_some() && choice & 0x20 != 0 {
                400
            } else {
                200
            };
            self.report_head(exchange, status, &headers);
            self.chunks(exchange, message.to_string().as_bytes(), size);
        } else {
            headers.push(("content-type", "text/event-stream"));
            self.report_head(exchange, 200, &headers);
            let mut stream = String::new();
            let events = self.live.get(&exchange).map_or(0, |started| started.events);
            let mut next_id = events;
            let mut event = |stream: &mut String, data: Option<&Value>| {
                next_id += 1;
                match data {
                    Some(data) => stream.push_str(&format!(
                        "event: message\nid: {}-{next_id}\ndata: {data}\n\n",
                        exchange.as_u64()
                    )),
                    None => {
                        stream.push_str(&format!("id: {}-{next_id}\ndata:\n\n", exchange.as_u64()))
                    }
                }
            };
            if form & 2 != 0 {
                event(&mut stream, None);
            }
            if form & 4 != 0 {
                stream.push_str(&format!("retry: {}\n\n", u32::from(size) * 3));
            }
            if form & 8 != 0 {
                self.server_requests += 1;
                event(
                    &mut stream,
                    Some(&server_message(self.server_requests, choice)),
                );
            }
            if let (true, Some(token)) = (form & 16 != 0, token) {
                let progress = json!({"jsonrpc": "2.0", "method": "notifications/progress",
                    "params": {"progressToken": token, "progress": 1, "total": 2}});
                event(&mut stream, Some(&progress));
            }
            if form & 32 == 0 {
                event(&mut stream, Some(&message));
            }
            if let Some(started) = self.live.get_mut(&exchange) {
                started.events = next_id;
            }
            self.chunks(exchange, stream.as_bytes(), size);
        }
        if form & 0x40 == 0 {
            self.finish(exchange, false);
        }
    }

    /// Answers every open exchange in turn (a quick way through handshakes).
    fn answer_all(&mut self, choice: u8, form: u8) {
        let open: Vec<ExchangeId> = self.live.keys().copied().collect();
        for exchange in open {
            if let Some(pick) = self.live.keys().position(|id| *id == exchange) {
                self.answer(pick as u8, choice, form & !0x40, 0);
            }
        }
    }

    /// SSE events on any stream: server requests, notifications, the response to a
    /// request POSTed earlier (as a server replays on a resumed or standalone stream).
    fn stream_traffic(&mut self, pick: u8, choice: u8, form: u8, size: u8) {
        let Some(exchange) = self.pick(pick) else {
            return;
        };
        let headed = self.live.get(&exchange).is_some_and(|started| started.head);
        if !headed {
            let status = if choice % 16 == 15 { 405 } else { 200 };
            self.report_head(exchange, status, &[("content-type", "text/event-stream")]);
        }
        let mut next_id = self.live.get(&exchange).map_or(0, |started| started.events);
        let mut stream = String::new();
        for round in 0..=(form & 3) {
            next_id += 1;
            let message = match (choice.wrapping_add(round)) % 4 {
                0 | 1 => {
                    self.server_requests += 1;
                    server_message(self.server_requests, choice >> 2)
                }
                _ => {
                    let pick = usize::from(size) % self.posted.len().max(1);
                    let id = self.posted.get(pick).cloned().unwrap_or(json!(0));
                    response(&id, "", choice >> 2)
                }
            };
            if form & 4 != 0 {
                stream.push_str(&format!("retry: {}\n", u32::from(choice) * 5));
            }
            stream.push_str(&format!(
                "id: {}-{next_id}\ndata: {message}\n\n",
                exchange.as_u64()
            ));
        }
        if let Some(started) = self.live.get_mut(&exchange) {
            started.events = next_id;
        }
        self.chunks(exchange, stream.as_bytes(), size >> 2);
        if form & 8 != 0 {
            self.finish(exchange, form & 16 != 0);
        }
    }
}

/// Typed params from JSON.
fn params<T: serde::de::DeserializeOwned>(value: Value) -> Result<T, serde_json::Error> {
    serde_json::from_value(value)
}

/// A server request or notification (number `n`).
fn server_message(n: u32, choice: u8) -> Value {
    let id = format!("srv-{n}");
    match choice % 7 {
        0 => json!({"jsonrpc": "2.0", "id": id, "method": "elicitation/create",
            "params": {"message": "?", "requestedSchema": {"type": "object", "properties": {}}}}),
        1 => json!({"jsonrpc": "2.0", "id": id, "method": "roots/list"}),
        2 => json!({"jsonrpc": "2.0", "id": id, "method": "ping"}),
        3 => json!({"jsonrpc": "2.0", "method": "notifications/tools/list_changed"}),
        4 => json!({"jsonrpc": "2.0", "method": "notifications/message",
            "params": {"level": "info", "data": "x"}}),
        5 => json!({"jsonrpc": "2.0", "method": "notifications/cancelled",
            "params": {"requestId": format!("srv-{}", n.saturating_sub(1))}}),
        _ => json!({"jsonrpc": "2.0", "id": id, "method": "sampling/createMessage",
            "params": {"messages": [], "maxTokens": 1}}),
    }
}

/// A response to request `id` of `method`, `choice` picking among plausible answers.
fn response(id: &Value, method: &str, choice: u8) -> Value {
    let error = |code: i64, data: Value| json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": "fuzz", "data": data}});
    let result = |result: Value| json!({"jsonrpc": "2.0", "id": id, "result": result});
    let server_info = json!({"name": "fuzz-server", "version": "1"});
    let capabilities = json!({"tools": {"listChanged": true}, "resources": {"subscribe": true},
        "prompts": {}, "logging": {}});
    match (method, choice % 4) {
        ("server/discover", 0 | 1) => result(json!({"resultType": "complete",
            "supportedVersions": ["2026-07-28"], "capabilities": capabilities,
            "_meta": {"io.modelcontextprotocol/serverInfo": server_info}})),
        ("server/discover", 2) => error(-32022, json!({"supported": ["2026-07-28", "2025-11-25"]})),
        ("server/discover", _) => error(-32601, Value::Null),
        ("initialize", 0 | 1) => result(json!({"protocolVersion": "2025-11-25",
            "capabilities": capabilities, "serverInfo": server_info})),
        ("initialize", 2) => result(json!({"protocolVersion": "2025-06-18",
            "capabilities": {}, "serverInfo": server_info})),
        ("tools/list", 0 | 1) => result(json!({"tools": [
            {"name": "deploy", "inputSchema": {"type": "object", "properties": {
                "region": {"type": "string", "x-mcp-header": "Region"},
                "n": {"type": "integer", "x-mcp-header": "N"},
                "flag": {"type": "boolean", "x-mcp-header": "Flag"}}}},
            {"name": "bad", "inputSchema": {"type": "object", "properties": {
                "x": {"type": "object", "x-mcp-header": "X"}}}},
            {"name": "other", "inputSchema": {"type": "object"}}]})),
        ("tools/call", 0) => result(json!({"content": [{"type": "text", "text": "ok"}]})),
        ("tools/call", 1) => result(json!({"resultType": "input_required",
            "inputRequests": {"q": {"method": "elicitation/create", "params": {"message": "?",
                "requestedSchema": {"type": "object", "properties": {}}}}},
            "requestState": "state-1"})),
        ("tools/call", 2) => result(json!({"resultType": "input_required", "requestState": "s"})),
        ("resources/read", 0 | 1) => {
            result(json!({"contents": [{"uri": "file:///a/b", "text": "x"}],
            "ttlMs": 60000, "cacheScope": "private"}))
        }
        ("subscriptions/listen", 0) => json!({"jsonrpc": "2.0",
            "method": "notifications/subscriptions/acknowledged",
            "params": {"_meta": {"io.modelcontextprotocol/subscriptionId": id},
                "notifications": {"toolsListChanged": true}}}),
        (_, 0 | 1) => result(json!({})),
        (_, 2) => error(-32602, Value::Null),
        _ => error(
            [-32020, -32603, -32601, -32000]
                .get(usize::from(choice >> 2) % 4)
                .copied()
                .unwrap_or(-32000),
            Value::Null,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A script: setup byte, then `(opcode, argument)` steps.
    fn script(setup: u8, steps: &[(u8, &[u8])]) -> Vec<u8> {
        let mut data = alloc::vec![setup];
        for (op, argument) in steps {
            data.push(*op);
            data.push(argument.len() as u8);
            data.extend_from_slice(argument);
        }
        data
    }

    /// Handshakes of each mode, requests answered as JSON and as SSE, a cut stream and
    /// its resumption, a session lost and recovered, input rounds, time and close.
    pub(crate) fn samples() -> Vec<Vec<u8>> {
        let session: &[(u8, &[u8])] = &[
            (15, &[0, 0]),         // answer initialize (legacy) or the probe
            (15, &[0, 0]),         // the GET: a server request on it, left open
            (15, &[0, 0]),         // notifications/initialized: 202
            (1, &[1, 0]),          // tools/call deploy
            (5, &[1, 0, 0x23, 9]), // SSE: priming event, then cut before the response
            (10, &[]),             // to the resume deadline: GET with Last-Event-ID
            (5, &[1, 2, 0x08, 4]), // the resumed stream replays the response, ends
            (2, &[1, 0]),          // answer the server request
            (0, &[0, 1]),          // tools/list with progress
            (5, &[2, 0, 0x1E, 7]), // SSE: priming, retry, server request, progress, response
            (0, &[3, 4]),          // resources/read, timeout 50 ms
            (3, &[2, 4, 0, 1]),    // 404 to it with the session id: a new session
            (7, &[2]),
            (15, &[0, 0]), // the new initialize, and the rest
            (15, &[0, 0]),
            (9, &[0x60]),
            (10, &[]),
            (2, &[0, 0]), // cancel
            (2, &[3, 0]),
            (2, &[4, 0]),
            (2, &[5, 0]), // close: DELETE
            (15, &[0, 0]),
        ];
        let modern: &[(u8, &[u8])] = &[
            (0, &[0, 0]),
            (13, &[0, 1, 0, 0]),
            (1, &[1, 9]),
            (5, &[0, 1, 0x19, 5]), // input required over SSE
            (2, &[3, 0]),          // provide input
            (6, &[0, 0, 0, 0]),
            (0, &[6, 0]),          // listen
            (5, &[0, 0, 0x41, 0]), // acknowledged, left open
            (2, &[0, 0]),          // cancel
            (4, &[0, b'{', b'x']),
            (8, &[0]),
            (9, &[0x60]),
            (11, &[1, b'a']),
            (2, &[5, 4]),
            (15, &[0, 0]),
        ];
        let mut samples = Vec::new();
        for setup in 0..3u8 {
            samples.push(script(setup, session));
            samples.push(script(setup | 0x10, modern));
        }
        samples
    }

    #[test]
    fn sample_scripts() {
        for sample in samples() {
            http_client(&sample);
        }
        http_client(b"");
    }

    #[test]
    fn random_scripts() {
        for seed in 0..96u64 {
            let mut rng = crate::testing::Rng::new(seed);
            let random: Vec<u8> = (0..(rng.next_u64() % 600))
                .map(|_| rng.next_u64() as u8)
                .collect();
            http_client(&random);
        }
    }
}
