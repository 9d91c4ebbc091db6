//! [`HttpSession`]: one 2025-11-25 session over Streamable HTTP.

use alloc::collections::{BTreeMap, VecDeque};
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::time::Duration;

use crate::connection::Related;
use crate::http::headers::MCP_SESSION_ID;
use crate::http::server::outcome::response_outcome;
use crate::http::server::{
    Chunks, HttpLimit, HttpTransmit, ResponseHead, ResponseId, SessionSettings, earliest,
};
use crate::http::session::{
    EventId, ReplayBuffer, duplicate_request_id, standalone_stream_conflict, takes_priming_event,
    unresumable_event_id,
};
use crate::http::sse::SseEncoder;
use crate::http::status::{HttpResponse, event_stream_headers, status_for_error};
use crate::jsonrpc::{Message, RequestId};
use crate::server::{ServerConnection, ServerEvent};
use crate::time::Timestamp;
use crate::version::Era;

/// The standalone `GET` stream's number.
const STANDALONE: u64 = 0;

/// How many finished POST streams a session keeps for resumption.
const KEPT_FINISHED_STREAMS: usize = 4;

/// One POSTed request still being served.
#[derive(Debug)]
struct PostedRequest {
    /// The POST's response, while the client still waits on it.
    response: Option<ResponseId>,
    /// Once answered with SSE: the stream's number.
    stream: Option<u64>,
    /// The session's `initialize`: its answer carries the session id, and a refusal ends
    /// the session.
    initialize: bool,
}

/// One SSE stream of the session.
#[derive(Debug)]
struct SseStream {
    replay: ReplayBuffer,
    /// The response currently carrying it, if any.
    live: Option<ResponseId>,
    finished: bool,
}

/// One 2025-11-25 session: its connection, the POSTs it answers, its SSE streams.
///
/// The session owns the session's [`ServerConnection`] and decides where each message
/// the connection sends goes, by what the message belongs to
/// ([`Transmit::related`](crate::connection::Transmit::related)):
///
/// - the response to a POSTed request, and the progress, log messages and
///   server-to-client requests sent while serving it, go out on that request's POST. The
///   first of them decides the form: when it is the response, the POST is answered with
///   plain JSON; when anything else comes first, the POST becomes an SSE stream that
///   ends with the response;
/// - everything else (published changes, cancelling a timed-out server request) goes on
///   the standalone `GET` stream, or nowhere when none was ever opened.
///
/// ```text
///  POST request ──▶ waiting ──first message is the response──▶ JSON, ended
///                      │
///                      └──anything else first──▶ SSE stream n ──response──▶ finished
///                                                  │    ▲
///                              client went away /  │    │ GET with Last-Event-ID
///                              close_stream(retry) ▼    │ (replays what it missed)
///                                                 kept in the replay buffer
/// ```
///
/// Stream 0 is the standalone `GET` stream; each SSE-answered POST gets the next number.
/// Every event carries an [`EventId`] and is kept in its stream's bounded
/// [`ReplayBuffer`], so a client whose connection dropped resumes with `GET` and
/// `Last-Event-ID`; the newest few finished streams are kept for that too. A dropped POST
/// is no cancellation in this era: the request runs on and its events wait for a
/// resumption. Versions that take them get a priming event first on every stream.
/// While any stream is carried, each gets a keep-alive comment every
/// [`SessionSettings::keep_alive`], on the deadline [`HttpSession::poll_timeout`]
/// names.
///
/// The session id is the
/// caller's (minted from its random source when [`HttpServer`](super::HttpServer)
/// dispatched an `initialize`); the session adds it to the answer to `initialize`.
#[derive(Debug)]
pub struct HttpSession {
    connection: ServerConnection,
    session_id: String,
    settings: SessionSettings,
    now: Timestamp,
    requests: BTreeMap<RequestId, PostedRequest>,
    streams: BTreeMap<u64, SseStream>,
    finished: VecDeque<u64>,
    next_stream: u64,
    next_response: u64,
    /// Open responses: each is a POST still waiting or a stream's carrier.
    open: usize,
    chunks: Chunks,
    encoder: SseEncoder,
    next_keep_alive: Option<Timestamp>,
    /// The client's `initialize` was refused, or the session was closed.
    ended: bool,
}

impl HttpSession {
    /// A session with id `session_id`, serving through `connection` (a fresh
    /// [`ServerConnection`]; a legacy session needs no state sealer).
    pub fn new(
        now: Timestamp,
        session_id: String,
        connection: ServerConnection,
        settings: SessionSettings,
    ) -> Self {
        HttpSession {
            connection,
            session_id,
            settings,
            now,
            requests: BTreeMap::new(),
            streams: BTreeMap::new(),
            finished: VecDeque::new(),
            next_stream: STANDALONE + 1,
            next_response: 0,
            open: 0,
            chunks: Chunks::default(),
            encoder: SseEncoder::new(),
            next_keep_alive: None,
            ended: false,
        }
    }

    // ---- getters -------------------------------------------------------------------

    /// The session's id.
    pub fn session_id(&self) -> &str {
        &self.session_id
    }

    /// The session's connection.
    pub fn connection(&self) -> &ServerConnection {
        &self.connection
    }

    /// The session's connection, for the application's commands (`respond`, `progress`,
    /// `send_request_for`, `publish`, …). Drain [`Self::poll_transmit`] afterwards.
    pub fn connection_mut(&mut self) -> &mut ServerConnection {
        &mut self.connection
    }

    /// True once the session is over: its `initialize` was refused, or it was closed.
    /// The endpoint forgets it ([`HttpServer::remove_session`](super::HttpServer::remove_session)).
    pub fn is_closed(&self) -> bool {
        self.ended || self.connection.is_closed()
    }

    /// True when no POST is waiting for an answer: the session may sit idle for long.
    pub fn is_quiet(&self) -> bool {
        self.requests.is_empty()
    }

    /// Responses still open (POSTs waiting, streams being carried).
    pub fn open_responses(&self) -> usize {
        self.open
    }

    // ---- inputs --------------------------------------------------------------------

    /// A POST of this session: `message` is its body, already routed here by the
    /// endpoint. Returns the response that answers it; its head and body come from
    /// [`Self::poll_transmit`].
    pub fn handle_post(&mut self, now: Timestamp, message: Message) -> ResponseId {
        self.advance(now);
        let full = self.open >= self.settings.max_open_responses;
        let response = self.open_response();
        match message {
            Message::Request(request) => {
                if full {
                    // The request is refused before the connection sees it.
                    let refusal = HttpLimit::ResponsesPerSession.response(Some(&request.id));
                    self.answer(response, refusal);
                    return response;
                }
                if self.requests.contains_key(&request.id) {
                    self.answer(response, duplicate_request_id(&request.id));
                    return response;
                }
                let initialize = request.method == "initialize";
                self.requests.insert(
                    request.id.clone(),
                    PostedRequest {
                        response: Some(response),
                        stream: None,
                        initialize,
                    },
                );
                self.connection
                    .handle_message(now, Message::Request(request));
            }
            other => {
                self.connection.handle_message(now, other);
                self.answer(response, HttpResponse::accepted());
            }
        }
        self.route();
        response
    }

    /// A `GET` of this session: the standalone stream (`last_event_id` absent; `409`
    /// when one is already carried), or the resumption of a stream after the event the
    /// client saw last (`400` when that stream is gone or the event no longer kept).
    pub fn handle_get(&mut self, now: Timestamp, last_event_id: Option<EventId>) -> ResponseId {
        self.advance(now);
        let full = self.open >= self.settings.max_open_responses;
        let response = self.open_response();
        if full {
            self.answer(response, HttpLimit::ResponsesPerSession.response(None));
            return response;
        }
        let Some(last) = last_event_id else {
            let busy = self
                .streams
                .get(&STANDALONE)
                .is_some_and(|stream| stream.live.is_some());
            if busy {
                self.answer(response, standalone_stream_conflict());
            } else {
                self.start_stream(STANDALONE, Some(response), false);
            }
            self.update_keep_alive();
            return response;
        };
        let Some(stream) = self.streams.get_mut(&last.stream) else {
            self.answer(response, unresumable_event_id());
            return response;
        };
        let mut body = Vec::new();
        let replayed = match stream.replay.replay_after(last) {
            Ok(events) => {
                for (id, data) in events {
                    let _ = self.encoder.message(&mut body, Some(&id.to_string()), data);
                }
                true
            }
            Err(_) => false,
        };
        if !replayed {
            self.answer(response, unresumable_event_id());
            return response;
        }
        let finished = stream.finished;
        let previous = match finished {
            true => None,
            false => stream.live.replace(response),
        };
        let head = ResponseHead {
            status: 200,
            headers: event_stream_headers(),
        };
        self.chunks.push(response, Some(head), body, finished);
        if finished {
            self.open = self.open.saturating_sub(1);
        }
        if let Some(previous) = previous {
            // The stream moves to the new connection; the old one ends.
            self.end_response(previous);
        }
        self.update_keep_alive();
        response
    }

    /// The client went away from `response` (or the driver let it go because the client
    /// read too slowly). Nothing is lost: a stream's events stay in its replay buffer for
    /// a `GET` with `Last-Event-ID`, and a POSTed request runs on.
    pub fn handle_disconnect(&mut self, now: Timestamp, response: ResponseId) {
        self.advance(now);
        let mut gone = false;
        for request in self.requests.values_mut() {
            if request.response == Some(response) {
                request.response = None;
                gone = true;
            }
        }
        for stream in self.streams.values_mut() {
            if stream.live == Some(response) {
                stream.live = None;
                gone = true;
            }
        }
        if gone {
            self.open = self.open.saturating_sub(1);
        }
        self.update_keep_alive();
    }

    /// Time passed: the connection's deadlines, and a keep-alive comment on every
    /// carried stream when one is due. Calling it early is harmless.
    pub fn handle_timeout(&mut self, now: Timestamp) {
        self.advance(now);
        self.connection.handle_timeout(now);
        if self.next_keep_alive.is_some_and(|at| at <= now) {
            let mut comment = Vec::new();
            self.encoder.keep_alive(&mut comment);
            let live: Vec<ResponseId> = self
                .streams
                .values()
                .filter_map(|stream| stream.live)
                .collect();
            for response in live {
                self.chunks.push(response, None, comment.clone(), false);
            }
            self.next_keep_alive = None;
            self.update_keep_alive();
        }
        self.route();
    }

    // ---- commands ------------------------------------------------------------------

    /// Ends the connection carrying request `id`'s stream after a `retry` event telling
    /// the client when to resume it (SEP-1699 polling); the stream itself goes on in the
    /// replay buffer. Does nothing for a client that cannot resume (no priming events).
    pub fn close_stream(&mut self, now: Timestamp, id: &RequestId, retry: Duration) {
        self.advance(now);
        self.route();
        if !self.primes() {
            return;
        }
        let Some(number) = self.stream_of(id) else {
            return;
        };
        let Some(live) = self
            .streams
            .get_mut(&number)
            .and_then(|stream| stream.live.take())
        else {
            return;
        };
        let mut body = Vec::new();
        let millis = u64::try_from(retry.as_millis()).unwrap_or(u64::MAX);
        self.encoder.retry(&mut body, millis);
        self.chunks.push(live, None, body, true);
        self.open = self.open.saturating_sub(1);
        self.update_keep_alive();
    }

    /// Ends the session (a `DELETE`, idle expiry, the server shutting down): the
    /// connection closes, every open response ends.
    pub fn close(&mut self, now: Timestamp) {
        self.advance(now);
        self.connection.close(now);
        self.route();
        self.end_all();
    }

    /// Frees what the session's queues and tables keep once emptied, for a session that
    /// will sit idle for long, one of thousands; streams and their replay buffers stay.
    pub fn shrink_to_fit(&mut self) {
        self.connection.shrink_to_fit();
        if self.requests.is_empty() {
            self.requests = BTreeMap::new();
        }
        self.finished.shrink_to_fit();
        self.chunks.shrink_to_fit();
    }

    // ---- outputs -------------------------------------------------------------------

    /// Appends the next piece of a response to `out` and says which response it belongs
    /// to (see [`HttpTransmit`]).
    pub fn poll_transmit(&mut self, out: &mut Vec<u8>) -> Option<HttpTransmit> {
        self.route();
        self.chunks.pop(out)
    }

    /// The next event for the application (the connection's, after the session has
    /// seen it: a cancelled request's stream ends here).
    pub fn poll_event(&mut self) -> Option<ServerEvent> {
        let event = self.connection.poll_event()?;
        match &event {
            ServerEvent::Cancelled { id, .. } => self.end_request(id),
            ServerEvent::Closed { .. } => {
                self.route();
                self.end_all();
            }
            _ => {}
        }
        Some(event)
    }

    /// When to call [`Self::handle_timeout`] next.
    pub fn poll_timeout(&self) -> Option<Timestamp> {
        earliest(self.connection.poll_timeout(), self.next_keep_alive)
    }

    // ---- routing -------------------------------------------------------------------

    fn advance(&mut self, now: Timestamp) {
        self.now = self.now.max(now);
    }

    fn open_response(&mut self) -> ResponseId {
        let response = ResponseId(self.next_response);
        self.next_response += 1;
        self.open += 1;
        response
    }

    /// Answers `response` completely.
    fn answer(&mut self, response: ResponseId, complete: HttpResponse) {
        self.chunks.complete(response, complete);
        self.open = self.open.saturating_sub(1);
    }

    /// Ends `response` with nothing more.
    fn end_response(&mut self, response: ResponseId) {
        self.chunks.push(response, None, Vec::new(), true);
        self.open = self.open.saturating_sub(1);
    }

    /// Moves everything the connection has queued to the responses it belongs to.
    fn route(&mut self) {
        loop {
            let mut line = Vec::new();
            let Some(transmit) = self.connection.poll_transmit(&mut line) else {
                break;
            };
            if line.last() == Some(&b'\n') {
                line.pop();
            }
            match transmit.related {
                Related::Request(id) => self.during(&id, &line),
                Related::Response(id) => self.respond(&id, line),
                _ => {
                    if self.streams.contains_key(&STANDALONE) {
                        self.stream_event(STANDALONE, &line);
                    }
                }
            }
        }
    }

    /// A message sent while serving request `id`: on its stream, opened when need be.
    fn during(&mut self, id: &RequestId, data: &[u8]) {
        if let Some(number) = self.stream_of(id) {
            self.stream_event(number, data);
        }
    }

    /// The response to request `id`: plain JSON when it comes first, else the last
    /// event of its stream.
    fn respond(&mut self, id: &RequestId, data: Vec<u8>) {
        let Some(request) = self.requests.get(id) else {
            // The request ended (cancelled): nothing more goes to its POST.
            return;
        };
        let initialize = request.initialize;
        let error = response_outcome(&data, id).flatten();
        if initialize && error.is_some() {
            // A refused initialize leaves no session behind.
            self.ended = true;
        }
        if request.stream.is_none() {
            let response = request.response;
            self.requests.remove(id);
            if let Some(response) = response {
                let status = error.map_or(200, |code| status_for_error(code, Era::Legacy));
                let mut complete = HttpResponse::json(status, data);
                if initialize && error.is_none() {
                    complete = complete.with_header(MCP_SESSION_ID, self.session_id.clone());
                }
                self.answer(response, complete);
            }
            return;
        }
        if let Some(number) = self.stream_of(id) {
            self.stream_event(number, &data);
            self.finish_stream(number);
        }
        self.requests.remove(id);
    }

    /// The SSE stream answering request `id`, opened (with its head and priming event)
    /// when the POST has not been answered yet; `None` once the request has ended.
    fn stream_of(&mut self, id: &RequestId) -> Option<u64> {
        let request = self.requests.get_mut(id)?;
        if let Some(number) = request.stream {
            return Some(number);
        }
        let number = self.next_stream;
        self.next_stream += 1;
        request.stream = Some(number);
        // From here on the stream carries the POST's response.
        let live = request.response.take();
        let initialize = request.initialize;
        self.start_stream(number, live, initialize);
        Some(number)
    }

    /// Starts stream `number` on `live` (its head, then a priming event when the client
    /// takes one). The answer to `initialize` carries the session id.
    fn start_stream(&mut self, number: u64, live: Option<ResponseId>, initialize: bool) {
        let replay_bytes = self.settings.replay_bytes;
        let primes = self.primes();
        let stream = self.streams.entry(number).or_insert_with(|| SseStream {
            replay: ReplayBuffer::new(number, replay_bytes),
            live: None,
            finished: false,
        });
        stream.live = live;
        let Some(live) = live else {
            return;
        };
        let mut body = Vec::new();
        if primes {
            let id = stream.replay.next_id().to_string();
            let _ = self.encoder.priming(&mut body, &id);
        }
        let mut head = ResponseHead {
            status: 200,
            headers: event_stream_headers(),
        };
        if initialize {
            head.headers.push((MCP_SESSION_ID, self.session_id.clone()));
        }
        self.chunks.push(live, Some(head), body, false);
        self.update_keep_alive();
    }

    /// One message on stream `number`: kept for replay, sent when carried.
    fn stream_event(&mut self, number: u64, data: &[u8]) {
        let Some(stream) = self.streams.get_mut(&number) else {
            return;
        };
        let id = stream.replay.push(data).to_string();
        let Some(live) = stream.live else {
            return;
        };
        let mut body = Vec::new();
        if self.encoder.message(&mut body, Some(&id), data).is_ok() {
            self.chunks.push(live, None, body, false);
        }
    }

    /// Stream `number` is complete: its carrier ends; it stays for resumption a while.
    fn finish_stream(&mut self, number: u64) {
        let Some(stream) = self.streams.get_mut(&number) else {
            return;
        };
        stream.finished = true;
        if let Some(live) = stream.live.take() {
            self.end_response(live);
        }
        self.finished.push_back(number);
        while self.finished.len() > KEPT_FINISHED_STREAMS {
            if let Some(oldest) = self.finished.pop_front() {
                self.streams.remove(&oldest);
            }
        }
        self.update_keep_alive();
    }

    /// The client cancelled request `id`: its POST ends without a response.
    fn end_request(&mut self, id: &RequestId) {
        self.route();
        let Some(request) = self.requests.remove(id) else {
            return;
        };
        match (request.stream, request.response) {
            (Some(number), _) => self.finish_stream(number),
            // Nothing was sent yet: an empty stream (the client stopped waiting anyway).
            (None, Some(response)) => {
                let head = ResponseHead {
                    status: 200,
                    headers: event_stream_headers(),
                };
                self.chunks.push(response, Some(head), Vec::new(), true);
                self.open = self.open.saturating_sub(1);
            }
            (None, None) => {}
        }
    }

    /// The session is over: every open response ends (a POST still waiting gets an
    /// empty stream).
    fn end_all(&mut self) {
        let ids: Vec<RequestId> = self.requests.keys().cloned().collect();
        for id in ids {
            self.end_request(&id);
        }
        let live: Vec<ResponseId> = self
            .streams
            .values_mut()
            .filter_map(|stream| stream.live.take())
            .collect();
        for response in live {
            self.end_response(response);
        }
        self.next_keep_alive = None;
    }

    /// True when the client negotiated a version that understands priming events (and
    /// so can resume).
    fn primes(&self) -> bool {
        self.connection
            .session_version()
            .is_some_and(takes_priming_event)
    }

    /// Arms the keep-alive deadline while any stream is carried, clears it otherwise.
    fn update_keep_alive(&mut self) {
        let any_live = self.streams.values().any(|stream| stream.live.is_some());
        if !any_live {
            self.next_keep_alive = None;
        } else if self.next_keep_alive.is_none() {
            self.next_keep_alive = Some(self.now.saturating_add(self.settings.keep_alive));
        }
    }
}
