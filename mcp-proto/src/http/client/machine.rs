//! [`HttpClient`]: the Streamable HTTP client as a state machine over a
//! [`ClientConnection`] (see the type's docs).

use alloc::boxed::Box;
use alloc::collections::{BTreeMap, VecDeque};
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::time::Duration;

use crate::client::{ClientConfig, ClientConnection};
use crate::http::client::{
    HeaderContext, RequestAnswer, ResponseBody, assigned_session_id, called_tool,
    cancelled_request, failure_line, legacy_delete_headers, legacy_get_headers, message_line,
    read_request_answer, request_headers, response_body, screen_tools_list, transport_failure,
};
use crate::http::headers::MCP_SESSION_ID;
use crate::http::params::HeaderParam;
use crate::http::{HttpMethod, SseDecoder};
use crate::jsonrpc::{Message, RequestId, decode};
use crate::time::Timestamp;
use crate::version::{Era, ProtocolVersion};

use super::config::HttpClientConfig;
use super::exchange::{BodyError, ExchangeAction, ExchangeId, ExchangeRequest};

/// A request's exchange: enough to read its answer and to send it again.
#[derive(Debug)]
pub(super) struct RequestPost {
    pub(super) id: RequestId,
    method: String,
    /// The message, for a retry on a new session.
    pub(super) body: Vec<u8>,
    /// The session generation it went out under, and whether it carried the id.
    pub(super) generation: u64,
    carried_session: bool,
    /// Already sent again after a 404.
    pub(super) retried: bool,
    /// The response (or an error standing in for it) was fed.
    answered: bool,
    /// Legacy SSE: the answer's stream position, to resume it from when it ends early.
    last_event_id: Option<String>,
    /// Legacy SSE: the stream's last `retry` field, in milliseconds.
    retry_ms: Option<u64>,
    /// The exchange carrying it is a `GET` resuming the stream, not the POST.
    resumed: bool,
    /// The current exchange delivered an event.
    progressed: bool,
    /// Resumptions in a row that delivered no event.
    fruitless: u8,
}

/// What an exchange is for.
#[derive(Debug)]
pub(super) enum Purpose {
    /// A request of the connection: its answer is fed back.
    Request(Box<RequestPost>),
    /// A notification or a server request's answer: nothing comes back. A notification
    /// holds back later messages until it is acknowledged.
    OneWay,
    /// The legacy standalone GET stream.
    Listen,
    /// The `initialize` of a new legacy session.
    Reinitialize { id: RequestId },
    /// The `DELETE` ending the session.
    Delete,
}

/// How an answer's body is read.
#[derive(Debug)]
enum Body {
    /// No head yet.
    AwaitingHead,
    /// Read whole (JSON, or anything that is not a stream), up to the message limit.
    Whole(Vec<u8>),
    /// An SSE stream, event by event.
    Stream(Box<SseDecoder>),
}

#[derive(Debug)]
pub(super) struct Exchange {
    pub(super) purpose: Purpose,
    status: u16,
    pub(super) session_id: Option<String>,
    body: Body,
}

/// The legacy session.
#[derive(Debug, Default)]
pub(super) struct Session {
    pub(super) id: Option<String>,
    /// The version negotiated for it (remembered: a closed connection forgets it).
    pub(super) version: Option<ProtocolVersion>,
    /// Bumped with every new session.
    pub(super) generation: u64,
    /// The GET stream was opened in this generation.
    pub(super) listening: bool,
    /// The exchange opening a new session.
    pub(super) reinitializing: Option<ExchangeId>,
}

/// How far closing has come.
#[derive(Debug, PartialEq, Eq)]
enum Closing {
    Open,
    /// Waiting for the DELETE.
    Deleting,
    Done,
}

/// The Streamable HTTP client of both eras, without sockets: it owns a
/// [`ClientConnection`] (the line-framed client state machine stdio uses too) and is
/// its transport. Each message the connection transmits becomes an HTTP exchange for the
/// driver to make; the driver reports each answer's head, body chunks and end, and the
/// client feeds what they carry back to the connection.
///
/// # The run loop
///
/// The driver owns the sockets, a timer and one task per exchange:
///
/// 1. **Inputs.** For each exchange, report [`handle_response_head`](Self::handle_response_head)
///    once, then [`handle_body`](Self::handle_body) for each chunk as it arrives (any
///    chunking), then [`handle_end`](Self::handle_end); or
///    [`handle_failure`](Self::handle_failure) at any point when the transport broke.
///    Call [`handle_timeout`](Self::handle_timeout) when the deadline of
///    [`poll_timeout`](Self::poll_timeout) has passed. The application talks to the
///    connection through [`connection_mut`](Self::connection_mut) as it would on stdio.
/// 2. **Outputs**, after every input or application command, in this order: the
///    connection's events ([`poll_event`](Self::poll_event), or through
///    [`connection_mut`](Self::connection_mut)) until `None`, since handling them may
///    send more; then [`poll_exchange`](Self::poll_exchange) until `None`, starting or
///    dropping exchanges; then [`poll_timeout`](Self::poll_timeout) for the next
///    deadline. Once [`is_closed`](Self::is_closed) the driver stops.
///
/// The client never reads a clock: every deadline (the resume delay, the wait for the
/// standalone stream, the connection's own request deadlines) comes out of
/// `poll_timeout`, and time only moves through the `now` of the inputs.
///
/// # Exchanges
///
/// ```text
///            poll_exchange: Start(request)
///                       │
///                       ▼
///                 ┌───────────┐  handle_failure / handle_end
///                 │ requested │ ─────────────────────────────────┐
///                 └───────────┘                                  │
///                       │ handle_response_head                   │
///        ┌──────────────┼────────────────────┐                   │
///     202 │   application/json, other │    text/event-stream      │
///        ▼              ▼                    ▼                   │
///    finished     ┌───────────┐        ┌───────────┐             │
///    (Abort:      │ whole body│        │ SSE events│             │
///    body unread) └───────────┘        └───────────┘             │
///                       │ handle_body*         │ handle_body*    │
///                       │ handle_end           │ handle_end      │
///                       ▼                      ▼                 ▼
///                 answer read          each event fed;      the request fails,
///                                      early end: resume    or resumes (legacy)
/// ```
///
/// Any state may also end with [`ExchangeAction::Abort`] from the client: a cancelled
/// 2026-07-28 request, a resumed stream whose response is in, the closing of the
/// connection, a body over the limit.
///
/// # Out
///
/// Every message the connection transmits becomes its own `POST` with the headers of
/// [`request_headers`](crate::http::request_headers): a request (the `server/discover`
/// probe, `initialize`, the application's requests, each multi-round-trip retry), a
/// notification, or (legacy) the answer to a server request. Requests run concurrently;
/// a notification's POST is finished (its `202` read) before the next message goes out,
/// so `notifications/initialized` reaches the server before the requests that follow
/// it. At most [`HttpClientConfig::max_exchanges`] exchanges are open; later messages
/// wait in the connection.
///
/// # In
///
/// A `200 application/json` answer is fed to the connection as one line; a `200
/// text/event-stream` answer is decoded and each `message` event's data is fed as one
/// line; a `202` feeds nothing. A `4xx`/`5xx` answer is read by
/// [`read_request_answer`](crate::http::read_request_answer): its JSON-RPC error answers
/// the request (so a probing client learns the era from it); a status without a
/// JSON-RPC body, a transport failure, or a stream that ends before the response (and
/// cannot be resumed) answer it with a `-32000` error instead, so no request waits for
/// its deadline because of the transport. Bodies read whole are bounded by the
/// connection's [`Limits::max_message_bytes`](crate::Limits), SSE events likewise.
///
/// # 2026-07-28
///
/// Every POST carries `MCP-Protocol-Version`, `Mcp-Method` and `Mcp-Name`; a
/// `tools/call` also carries one `Mcp-Param-{Name}` per `x-mcp-header` annotated
/// argument, learnt from the `tools/list` results that passed through this client
/// ([`screen_tools_list`](crate::http::screen_tools_list); tools with invalid annotations
/// are dropped from the list the application sees). Cancellation is the end of the
/// POST: the connection's `notifications/cancelled` is not sent, the request's exchange
/// is aborted instead.
///
/// # 2025-11-25 sessions
///
/// - The `Mcp-Session-Id` on the answer to `initialize` is kept and sent on every later
///   request, with `MCP-Protocol-Version` (the negotiated version).
/// - As soon as the session has an id (and no notification's POST is pending), the
///   standalone `GET` stream is opened, once per session; its events are fed like those
///   of a POST stream. A `405` means the server has none; it is not reopened when the
///   server ends it. Later messages (`notifications/initialized` included, after the
///   first handshake) wait for the head of its answer (at most
///   [`HttpClientConfig::listen_gate`]): a server sends requests unrelated to any of ours
///   on that stream and loses them when it is not open yet.
/// - Cancellation is a POSTed `notifications/cancelled`; the request's exchange is
///   aborted too, since its answer would be ignored.
/// - When the connection closes, every exchange is aborted and the session is ended with
///   a `DELETE`; the client is closed once that answer is in.
///
/// **Resumption.** When a request's SSE stream ends before the response after giving
/// event ids, the client waits the stream's last `retry` time
/// ([`HttpClientConfig::resume_delay`] when none) and resumes it with a `GET` carrying
/// `Last-Event-ID` and the session id. A resumed stream is aborted once the response is
/// in; one that ends early again is resumed again as long as resuming brings events
/// ([`HttpClientConfig::max_fruitless_resumes`] empty resumptions in a row fail the
/// request). The request fails with a `-32000` error when its stream had no event id,
/// when the session changed meanwhile, or when the server refuses the `GET`.
///
/// **Session recovery.** A `404` to a POST that carried the session id
/// ([`is_session_expired`](crate::http::is_session_expired)) means the server ended the
/// session: new messages wait while a fresh `initialize` and its
/// `notifications/initialized` go out, and the request is sent again, once, on the new
/// session. Other requests that get a `404` meanwhile wait for the same new session;
/// requests whose stream the server cut fail with a `-32000` error (the server may have
/// acted on them); answers to server requests that get a `404` are dropped. When the new
/// session cannot be opened, every request waiting for it fails with a `-32000` error
/// naming the reason.
#[derive(Debug)]
pub struct HttpClient {
    pub(super) connection: ClientConnection,
    config: HttpClientConfig,
    /// The largest `now` seen.
    now: Timestamp,
    pub(super) exchanges: BTreeMap<ExchangeId, Exchange>,
    next_exchange: u64,
    /// Starts and aborts for the driver, in order.
    actions: VecDeque<ExchangeAction>,
    pub(super) session: Session,
    /// `x-mcp-header` annotations by tool name, from `tools/list` results.
    header_params: BTreeMap<String, Vec<HeaderParam>>,
    /// A notification's POST not yet acknowledged: later messages wait.
    pub(super) barrier: Option<ExchangeId>,
    /// The standalone `GET` whose answer later messages wait for, until when at most.
    listen_gate: Option<(ExchangeId, Timestamp)>,
    /// Requests to send again once the new session is open.
    pub(super) awaiting_session: VecDeque<Box<RequestPost>>,
    /// Legacy requests whose stream ended early, and when to resume each.
    resuming: Vec<(Timestamp, Box<RequestPost>)>,
    closing: Closing,
    /// Reused for each transmitted line.
    line: Vec<u8>,
}

impl HttpClient {
    /// A client over a new [`ClientConnection`] made from `config` at `now`, with the
    /// default [`HttpClientConfig`].
    pub fn new(now: Timestamp, config: ClientConfig) -> Self {
        HttpClient::with_connection(
            now,
            ClientConnection::new(now, config),
            HttpClientConfig::default(),
        )
    }

    /// A client over `connection`, whatever it has queued already.
    pub fn with_connection(
        now: Timestamp,
        connection: ClientConnection,
        config: HttpClientConfig,
    ) -> Self {
        HttpClient {
            connection,
            config,
            now,
            exchanges: BTreeMap::new(),
            next_exchange: 0,
            actions: VecDeque::new(),
            session: Session::default(),
            header_params: BTreeMap::new(),
            barrier: None,
            listen_gate: None,
            awaiting_session: VecDeque::new(),
            resuming: Vec::new(),
            closing: Closing::Open,
            line: Vec::new(),
        }
    }

    // A. Getters.

    /// The connection: era, negotiated version, server facts.
    pub fn connection(&self) -> &ClientConnection {
        &self.connection
    }

    /// The connection, for the application's commands (`send_request`, `cancel`,
    /// `respond`, `close`, …) and for its events. What the commands transmit comes out of
    /// [`poll_exchange`](Self::poll_exchange).
    pub fn connection_mut(&mut self) -> &mut ClientConnection {
        &mut self.connection
    }

    /// The settings.
    pub fn config(&self) -> &HttpClientConfig {
        &self.config
    }

    /// The legacy session id the server assigned, if any.
    pub fn session_id(&self) -> Option<&str> {
        self.session.id.as_deref()
    }

    /// How many exchanges are open (started and not yet ended or aborted).
    pub fn open_exchanges(&self) -> usize {
        self.exchanges.len()
    }

    /// True once the connection is closed and the client is done with the endpoint
    /// (every exchange aborted, the `DELETE` ending a legacy session answered or
    /// failed): the driver can stop.
    pub fn is_closed(&self) -> bool {
        self.closing == Closing::Done
    }

    // B. Inputs.

    /// The head of the answer to `exchange` arrived: call once per exchange, before its
    /// body. `headers` are the answer's header fields (names in any case). Reports for an
    /// exchange that was aborted or has ended are ignored.
    pub fn handle_response_head<N, V>(
        &mut self,
        now: Timestamp,
        exchange: ExchangeId,
        status: u16,
        headers: &[(N, V)],
    ) where
        N: AsRef<str>,
        V: AsRef<[u8]>,
    {
        let now = self.advance(now);
        let header = |name: &str| {
            headers
                .iter()
                .find(|(field, _)| field.as_ref().eq_ignore_ascii_case(name))
                .map(|(_, value)| value.as_ref())
        };
        let session_header = header(MCP_SESSION_ID);
        let kind = response_body(status, header("content-type"));
        let max_bytes = self.max_bytes();
        let Some(open) = self.exchanges.get_mut(&exchange) else {
            return;
        };
        if !matches!(open.body, Body::AwaitingHead) {
            return;
        }
        if self.listen_gate.is_some_and(|(gate, _)| gate == exchange) {
            self.listen_gate = None;
        }
        open.status = status;
        open.session_id = assigned_session_id(session_header);
        // The first handshake's session: kept before its answer is fed, so that
        // `notifications/initialized` carries it.
        if let Purpose::Request(post) = &open.purpose {
            if post.method == "initialize" && (200..300).contains(&status) {
                self.session.id = open.session_id.clone();
            }
        }
        match kind {
            ResponseBody::Accepted => {
                // Nothing to read: the exchange is over, and its body is dropped unread.
                self.on_end(now, exchange, None);
                self.actions.push_back(ExchangeAction::Abort(exchange));
            }
            ResponseBody::EventStream => {
                open.body = Body::Stream(Box::new(SseDecoder::new(max_bytes)));
            }
            ResponseBody::Json | ResponseBody::Other => open.body = Body::Whole(Vec::new()),
        }
    }

    /// A chunk of the body of `exchange`, as it arrived (any chunking): call after its
    /// head, for every chunk. An SSE stream is read event by event as chunks come, so
    /// its messages reach the connection while it is still open; any other body is kept
    /// until [`handle_end`](Self::handle_end), within the message limit. Chunks for an
    /// exchange that was aborted or has ended are ignored.
    pub fn handle_body(
        &mut self,
        now: Timestamp,
        exchange: ExchangeId,
        chunk: &[u8],
    ) -> Result<(), BodyError> {
        let now = self.advance(now);
        let limit = self.max_bytes();
        let Some(open) = self.exchanges.get_mut(&exchange) else {
            return Ok(());
        };
        match &mut open.body {
            Body::AwaitingHead => Err(BodyError::BeforeHead),
            Body::Whole(whole) => {
                if whole.len().saturating_add(chunk.len()) > limit {
                    let error = BodyError::TooLarge { limit };
                    self.on_end(now, exchange, Some(format!("{error}")));
                    self.actions.push_back(ExchangeAction::Abort(exchange));
                    return Err(error);
                }
                whole.extend_from_slice(chunk);
                Ok(())
            }
            Body::Stream(decoder) => {
                decoder.push(chunk);
                self.read_events(now, exchange);
                Ok(())
            }
        }
    }

    /// The answer to `exchange` is complete: call after its last chunk. Reports for an
    /// exchange that was aborted or has ended are ignored.
    pub fn handle_end(&mut self, now: Timestamp, exchange: ExchangeId) {
        let now = self.advance(now);
        let Some(open) = self.exchanges.get_mut(&exchange) else {
            return;
        };
        match &mut open.body {
            Body::AwaitingHead => {
                self.on_end(
                    now,
                    exchange,
                    Some(String::from("the answer ended before its head")),
                );
                return;
            }
            Body::Whole(whole) => {
                let whole = core::mem::take(whole);
                self.on_whole_body(now, exchange, &whole);
            }
            Body::Stream(decoder) => {
                decoder.finish();
                self.read_events(now, exchange);
            }
        }
        self.on_end(now, exchange, None);
        self.forget_abort(exchange);
    }

    /// The transport failed for `exchange` (no connection, a broken body): call instead of
    /// [`handle_end`](Self::handle_end), at any point; `reason` is used in the error a
    /// request gets. Reports for an exchange that was aborted or has ended are ignored.
    pub fn handle_failure(&mut self, now: Timestamp, exchange: ExchangeId, reason: &str) {
        let now = self.advance(now);
        self.on_end(now, exchange, Some(String::from(reason)));
        self.forget_abort(exchange);
    }

    /// Call when the deadline of [`poll_timeout`](Self::poll_timeout) has passed (an early
    /// call does nothing): runs the connection's deadlines, starts due resumptions and
    /// ends the wait for the standalone stream.
    pub fn handle_timeout(&mut self, now: Timestamp) {
        let now = self.advance(now);
        if self
            .connection
            .poll_timeout()
            .is_some_and(|deadline| deadline <= now)
        {
            self.connection.handle_timeout(now);
        }
        if self.closing == Closing::Open {
            self.start_resumes(now);
        }
        if self.listen_gate.is_some_and(|(_, until)| until <= now) {
            self.listen_gate = None;
        }
    }

    // D. Outputs.

    /// The connection's next event (the same as `connection_mut().poll_event()`): call
    /// until `None` after every input and command, before
    /// [`poll_exchange`](Self::poll_exchange).
    pub fn poll_event(&mut self) -> Option<crate::client::ClientEvent> {
        self.connection.poll_event()
    }

    /// The next exchange to start or abort: call until `None` after every input and
    /// command (after draining events). It takes the connection's transmits one by one,
    /// unless a notification's POST, the standalone stream's head or a new session is
    /// still awaited, or [`HttpClientConfig::max_exchanges`] are open; it also notices
    /// that the connection closed (aborting every exchange and ending a legacy session).
    pub fn poll_exchange(&mut self) -> Option<ExchangeAction> {
        loop {
            if let Some(action) = self.actions.pop_front() {
                return Some(action);
            }
            if !self.step() {
                return None;
            }
        }
    }

    /// The next deadline: the connection's (request deadlines, the probe), the next
    /// resumption, the end of the wait for the standalone stream. Call
    /// [`handle_timeout`](Self::handle_timeout) once it has passed.
    pub fn poll_timeout(&self) -> Option<Timestamp> {
        let resume = self.resuming.iter().map(|(at, _)| *at).min();
        let gate = self.listen_gate.map(|(_, until)| until);
        [self.connection.poll_timeout(), resume, gate]
            .into_iter()
            .flatten()
            .min()
    }

    // Internals.

    /// Moves time forward (never back) and returns the time to use.
    fn advance(&mut self, now: Timestamp) -> Timestamp {
        self.now = self.now.max(now);
        self.note_version();
        self.now
    }

    pub(super) fn max_bytes(&self) -> usize {
        self.connection.config().limits.max_message_bytes
    }

    fn era(&self) -> Option<Era> {
        self.connection.era()
    }

    /// Remembers the legacy version once it is settled.
    fn note_version(&mut self) {
        if self.session.version.is_none() && self.era() == Some(Era::Legacy) {
            self.session.version = self.connection.protocol_version().cloned();
        }
    }

    /// One step of [`poll_exchange`](Self::poll_exchange): false when there is nothing
    /// to do.
    fn step(&mut self) -> bool {
        self.note_version();
        if self.closing != Closing::Open {
            return false;
        }
        if self.connection.is_closed() {
            self.close();
            return true;
        }
        // The standalone stream first: what follows waits for it.
        if self.open_listen() {
            return true;
        }
        if self.barrier.is_some()
            || self.listen_gate.is_some()
            || self.session.reinitializing.is_some()
            || self.exchanges.len() >= self.config.max_exchanges
        {
            return false;
        }
        if let Some(post) = self.awaiting_session.pop_front() {
            self.send_again(post);
            return true;
        }
        let mut line = core::mem::take(&mut self.line);
        line.clear();
        let sent = self.connection.poll_transmit(&mut line).is_some();
        if sent {
            self.dispatch(&line);
        }
        self.line = line;
        sent
    }

    pub(super) fn start(
        &mut self,
        method: HttpMethod,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
        purpose: Purpose,
    ) -> ExchangeId {
        let exchange = ExchangeId(self.next_exchange);
        self.next_exchange = self.next_exchange.saturating_add(1);
        self.exchanges.insert(
            exchange,
            Exchange {
                purpose,
                status: 0,
                session_id: None,
                body: Body::AwaitingHead,
            },
        );
        self.actions
            .push_back(ExchangeAction::Start(ExchangeRequest {
                exchange,
                method,
                headers,
                body,
            }));
        exchange
    }

    /// Forgets `exchange` and has the driver drop it (or never start it).
    pub(super) fn drop_exchange(&mut self, exchange: ExchangeId) {
        if self.exchanges.remove(&exchange).is_none() {
            return;
        }
        let queued = self.actions.iter().position(|action| {
            matches!(action, ExchangeAction::Start(request) if request.exchange == exchange)
        });
        match queued {
            Some(at) => {
                self.actions.remove(at);
            }
            None => self.actions.push_back(ExchangeAction::Abort(exchange)),
        }
    }

    /// `exchange` is over on the driver's side too: an abort for it would be moot.
    fn forget_abort(&mut self, exchange: ExchangeId) {
        self.actions
            .retain(|action| *action != ExchangeAction::Abort(exchange));
    }

    pub(super) fn feed(&mut self, now: Timestamp, line: &[u8]) {
        self.connection.handle_bytes(now, line);
    }

    // Out: the connection's messages.

    pub(super) fn headers(&self, message: &Message, modern: bool) -> Vec<(String, String)> {
        if modern {
            let params = called_tool(message)
                .and_then(|tool| self.header_params.get(&tool))
                .map_or(&[][..], Vec::as_slice);
            return request_headers(
                message,
                &HeaderContext::Modern {
                    header_params: params,
                },
            );
        }
        let context = HeaderContext::Legacy {
            protocol_version: self.session.version.as_ref(),
            session_id: self.session.id.as_deref(),
        };
        request_headers(message, &context)
    }

    fn dispatch(&mut self, line: &[u8]) {
        // The connection writes only messages it can read back.
        let Ok(message) = decode(line.trim_ascii()) else {
            return;
        };
        let modern = match self.era() {
            Some(era) => era == Era::Modern,
            // Before the era is settled: the probe carries the 2026 envelope, `initialize`
            // does not.
            None => message
                .params()
                .and_then(|params| params.meta())
                .is_some_and(|meta| meta.protocol_version().is_some()),
        };
        if let Some(id) = cancelled_request(&message) {
            let on_wire = self.stop_request(&id);
            // 2026-07-28: dropping the POST is the cancellation; nothing is sent. Legacy:
            // the notification goes out (for a request the server has).
            if modern || !on_wire {
                return;
            }
        }
        let headers = self.headers(&message, modern);
        let body = line.trim_ascii_end().to_vec();
        let purpose = match &message {
            Message::Request(request) => Purpose::Request(Box::new(RequestPost {
                id: request.id.clone(),
                method: request.method.clone(),
                body: body.clone(),
                generation: self.session.generation,
                carried_session: !modern && self.session.id.is_some(),
                retried: false,
                answered: false,
                last_event_id: None,
                retry_ms: None,
                resumed: false,
                progressed: false,
                fruitless: 0,
            })),
            Message::Notification(_) | Message::Response(_) => Purpose::OneWay,
        };
        let notification = matches!(message, Message::Notification(_));
        let exchange = self.start(HttpMethod::Post, headers, body, purpose);
        if notification {
            self.barrier = Some(exchange);
        }
    }

    /// Stops request `id`: drops its exchange (or its place in the queue for a new
    /// session). True when its POST was on the wire.
    fn stop_request(&mut self, id: &RequestId) -> bool {
        self.awaiting_session.retain(|post| &post.id != id);
        if let Some(at) = self.resuming.iter().position(|(_, post)| &post.id == id) {
            // The server has it, between two connections of its stream.
            self.resuming.remove(at);
            return true;
        }
        let exchange = self
            .exchanges
            .iter()
            .find_map(|(exchange, open)| match &open.purpose {
                Purpose::Request(post) if &post.id == id => Some(*exchange),
                _ => None,
            });
        match exchange {
            Some(exchange) => {
                self.drop_exchange(exchange);
                true
            }
            None => false,
        }
    }

    /// Sends a request again on the current session (after a 404).
    fn send_again(&mut self, mut post: Box<RequestPost>) {
        let Ok(message) = decode(&post.body) else {
            return;
        };
        let headers = self.headers(&message, false);
        post.generation = self.session.generation;
        post.carried_session = self.session.id.is_some();
        // A new POST: nothing of the old one's answer (the 404 marked it answered) or of
        // its stream carries over, or an early end of the new stream would be ignored.
        post.answered = false;
        post.last_event_id = None;
        post.retry_ms = None;
        post.resumed = false;
        post.progressed = false;
        post.fruitless = 0;
        let body = post.body.clone();
        self.start(HttpMethod::Post, headers, body, Purpose::Request(post));
    }

    /// Opens the legacy GET stream once the session is established. Later messages wait
    /// for its answer (at most [`HttpClientConfig::listen_gate`]): a server may send a
    /// request related to none of ours (an elicitation during the next call) on that
    /// stream at once, and drops it when the stream is not open yet.
    fn open_listen(&mut self) -> bool {
        if self.session.listening
            || self.barrier.is_some()
            || self.session.reinitializing.is_some()
            || self.closing != Closing::Open
        {
            return false;
        }
        let (Some(version), Some(id)) = (self.session.version.clone(), self.session.id.clone())
        else {
            return false;
        };
        self.session.listening = true;
        let headers = legacy_get_headers(&version, &id, None);
        let exchange = self.start(HttpMethod::Get, headers, Vec::new(), Purpose::Listen);
        self.listen_gate = Some((exchange, self.now.saturating_add(self.config.listen_gate)));
        true
    }

    // In: the exchanges' answers.

    /// Feeds the events the stream of `exchange` has decoded so far.
    fn read_events(&mut self, now: Timestamp, exchange: ExchangeId) {
        loop {
            let Some(open) = self.exchanges.get_mut(&exchange) else {
                return;
            };
            let Body::Stream(decoder) = &mut open.body else {
                return;
            };
            let Some(event) = decoder.next_event() else {
                return;
            };
            // An event over the limit is skipped; the rest of the stream goes on.
            let Ok(event) = event else { continue };
            let position = (event.id.is_some() || event.retry.is_some())
                .then(|| (decoder.last_event_id().map(String::from), event.retry));
            // Other event types, and priming events with empty data, carry no message.
            let message = event.is_message();
            let data = event.data.filter(|data| message && !data.trim().is_empty());
            if let Some(data) = data {
                self.on_data(now, exchange, data.as_bytes());
            }
            if let Some((last_event_id, retry)) = position {
                if let Some(Exchange {
                    purpose: Purpose::Request(post),
                    ..
                }) = self.exchanges.get_mut(&exchange)
                {
                    post.last_event_id = last_event_id;
                    post.retry_ms = retry.or(post.retry_ms);
                    post.progressed = true;
                }
            }
        }
    }

    /// One message of an SSE stream.
    fn on_data(&mut self, now: Timestamp, exchange: ExchangeId, data: &[u8]) {
        let Some(open) = self.exchanges.get_mut(&exchange) else {
            return;
        };
        let line = message_line(data);
        match &mut open.purpose {
            Purpose::Request(post) => {
                let answers = matches!(
                    decode(line.trim_ascii()),
                    Ok(Message::Response(response)) if response.id.as_ref() == Some(&post.id)
                );
                post.answered |= answers;
                post.progressed = true;
                // A resumed stream has nothing more for us once the response is in.
                let finished = answers && post.resumed;
                let learn = answers && post.method == "tools/list";
                let line = if learn { self.learn_tools(line) } else { line };
                self.feed(now, &line);
                if finished {
                    self.drop_exchange(exchange);
                }
            }
            Purpose::Listen => {
                // A response here (a server replaying a stream on the standalone one)
                // ends any wait to resume that request's own stream.
                if let Ok(Message::Response(response)) = decode(line.trim_ascii()) {
                    if let Some(id) = &response.id {
                        self.answered_elsewhere(id);
                    }
                }
                self.feed(now, &line);
            }
            Purpose::Reinitialize { id } => {
                let id = id.clone();
                self.on_reinitialize_answer(now, exchange, &id, data);
            }
            Purpose::OneWay | Purpose::Delete => {}
        }
    }

    /// The whole body of an answer that is not a stream.
    fn on_whole_body(&mut self, now: Timestamp, exchange: ExchangeId, body: &[u8]) {
        let Some(open) = self.exchanges.get_mut(&exchange) else {
            return;
        };
        let status = open.status;
        match &mut open.purpose {
            Purpose::Request(post) if post.resumed && !(200..300).contains(&status) => {
                post.answered = true;
                let error = transport_failure(format!(
                    "the answer's stream ended early and the server refused to resume it \
                     (HTTP status {status})"
                ));
                let line = failure_line(&post.id, &error);
                self.feed(now, &line);
            }
            Purpose::Request(post) => {
                post.answered = true;
                let learn = post.method == "tools/list" && (200..300).contains(&status);
                match read_request_answer(status, body, &post.id, post.carried_session) {
                    RequestAnswer::Message(line) => {
                        let line = if learn { self.learn_tools(line) } else { line };
                        self.feed(now, &line);
                    }
                    RequestAnswer::SessionExpired => {
                        if let Some(Exchange {
                            purpose: Purpose::Request(post),
                            ..
                        }) = self.exchanges.remove(&exchange)
                        {
                            self.session_expired(now, post);
                        }
                    }
                }
            }
            Purpose::Reinitialize { id } => {
                let id = id.clone();
                if !self.on_reinitialize_answer(now, exchange, &id, body) {
                    self.reinitialize_failed(now, &format!("HTTP status {status}"));
                }
            }
            Purpose::OneWay | Purpose::Listen | Purpose::Delete => {}
        }
    }

    /// The exchange ended (`failure` says why when it broke).
    fn on_end(&mut self, now: Timestamp, exchange: ExchangeId, failure: Option<String>) {
        let Some(open) = self.exchanges.remove(&exchange) else {
            return;
        };
        match open.purpose {
            Purpose::Request(post) if !post.answered => {
                if let Some(post) = self.resume_later(now, post) {
                    let reason = failure.unwrap_or_else(|| {
                        String::from("the server ended the answer before the response")
                    });
                    self.feed(now, &failure_line(&post.id, &transport_failure(reason)));
                }
            }
            Purpose::OneWay if self.barrier == Some(exchange) => self.barrier = None,
            Purpose::Listen if self.listen_gate.is_some_and(|(gate, _)| gate == exchange) => {
                self.listen_gate = None;
            }
            Purpose::Reinitialize { .. } if self.session.reinitializing == Some(exchange) => {
                let reason = failure.unwrap_or_else(|| String::from("no answer to initialize"));
                self.reinitialize_failed(now, &reason);
            }
            Purpose::Delete => self.closing = Closing::Done,
            _ => {}
        }
    }

    /// Reads the `x-mcp-header` annotations of a `tools/list` page, and returns the line
    /// to feed (without tools whose annotations are invalid).
    fn learn_tools(&mut self, line: Vec<u8>) -> Vec<u8> {
        if self.era() != Some(Era::Modern) {
            return line;
        }
        let Some(screened) = screen_tools_list(&line) else {
            return line;
        };
        for (name, params) in screened.header_params {
            if params.is_empty() {
                self.header_params.remove(&name);
            } else {
                self.header_params.insert(name, params);
            }
        }
        for (name, _) in &screened.invalid {
            self.header_params.remove(name);
        }
        screened.filtered.unwrap_or(line)
    }

    // Resumption (legacy).

    /// A legacy request's SSE stream ended before its response: when the stream can be
    /// resumed (it gave an event id, the session is the same, and resuming still brings
    /// events), the request waits for the stream's `retry` time and is resumed with a
    /// `GET` carrying `Last-Event-ID`. Otherwise it is handed back.
    fn resume_later(
        &mut self,
        now: Timestamp,
        mut post: Box<RequestPost>,
    ) -> Option<Box<RequestPost>> {
        post.fruitless = if post.progressed {
            0
        } else {
            post.fruitless.saturating_add(1)
        };
        let resumable = self.era() == Some(Era::Legacy)
            && self.closing == Closing::Open
            && post.last_event_id.is_some()
            && self.session.id.is_some()
            && post.generation == self.session.generation
            && post.fruitless < self.config.max_fruitless_resumes;
        if !resumable {
            return Some(post);
        }
        let delay = post
            .retry_ms
            .map_or(self.config.resume_delay, Duration::from_millis);
        self.resuming.push((now.saturating_add(delay), post));
        None
    }

    /// Request `id` got its response on another stream: its own stream, open or waiting
    /// to be resumed, is no longer needed for it.
    fn answered_elsewhere(&mut self, id: &RequestId) {
        self.resuming.retain(|(_, post)| &post.id != id);
        for open in self.exchanges.values_mut() {
            if let Purpose::Request(post) = &mut open.purpose {
                if &post.id == id {
                    post.answered = true;
                }
            }
        }
    }

    /// Starts the `GET` of every resumption that is due.
    fn start_resumes(&mut self, now: Timestamp) {
        if !self.resuming.iter().any(|(at, _)| *at <= now) {
            return;
        }
        let (due, later) = core::mem::take(&mut self.resuming)
            .into_iter()
            .partition::<Vec<_>, _>(|(at, _)| *at <= now);
        self.resuming = later;
        for (_, mut post) in due {
            let session = match (&self.session.version, &self.session.id) {
                (Some(version), Some(id)) if post.generation == self.session.generation => Some(
                    legacy_get_headers(version, id, post.last_event_id.as_deref()),
                ),
                _ => None,
            };
            let Some(headers) = session else {
                let error =
                    transport_failure("the session ended before the answer's stream resumed");
                self.feed(now, &failure_line(&post.id, &error));
                continue;
            };
            post.resumed = true;
            post.progressed = false;
            self.start(HttpMethod::Get, headers, Vec::new(), Purpose::Request(post));
        }
    }

    // Closing.

    /// The connection closed: drop every exchange and end a legacy session.
    fn close(&mut self) {
        let version = self.session.version.clone();
        let open: Vec<ExchangeId> = self.exchanges.keys().copied().collect();
        for exchange in open {
            self.drop_exchange(exchange);
        }
        self.awaiting_session.clear();
        self.resuming.clear();
        self.barrier = None;
        self.listen_gate = None;
        self.session.reinitializing = None;
        self.closing = match (version, self.session.id.take()) {
            (Some(version), Some(id)) => {
                let headers = legacy_delete_headers(&version, &id);
                self.start(HttpMethod::Delete, headers, Vec::new(), Purpose::Delete);
                Closing::Deleting
            }
            _ => Closing::Done,
        };
    }
}
