//! 2025-11-25 sessions over HTTP: the endpoint's session step, and the task that drives
//! one session's connection and routes its output to the right stream.
//!
//! Every output of the connection is drained right after the call that produced it, so
//! its destination is known without reading it:
//!
//! - the immediate answer to a POSTed request (`initialize`, `ping`, an error) and the
//!   reply, progress, log messages and server-to-client requests of that request's
//!   handler go to the request's own POST: the first of them decides JSON (it is the
//!   response) or SSE (anything else comes first);
//! - everything else (published changes, the cancellation of a timed-out server
//!   request) goes to the standalone `GET` stream, or nowhere when none was ever opened.
//!
//! Stream 0 is the `GET` stream; each SSE-answered POST gets the next number. Every
//! event carries an [`EventId`] and is kept in its stream's [`ReplayBuffer`], so a
//! client whose connection dropped resumes with `GET` and `Last-Event-ID`. The newest
//! few finished streams are kept for that too.

use std::prelude::rust_2024::*;

use std::collections::{BTreeMap, VecDeque};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use futures_channel::{mpsc, oneshot};
use futures_util::{SinkExt, StreamExt};

use crate::driver::http::modern::final_outcome;
use crate::driver::http::{HttpEndpoint, HttpReply, STREAM_QUEUE, SessionSettings};
use crate::driver::runtime::{Clock, Runtime, Timer};
use crate::driver::server::Server;
use crate::driver::server::session::{Command, ServerSide};
use crate::http::{
    EventId, HttpResponse, LegacyPost, MCP_SESSION_ID, ReplayBuffer, SessionResolution, SseEncoder,
    duplicate_request_id, event_stream_headers, session_not_found, standalone_stream_conflict,
    status_for_error, takes_priming_event, unresumable_event_id,
};
use crate::jsonrpc::{ErrorCode, ErrorObject, Message, RequestId};
use crate::time::Timestamp;
use crate::version::{Era, ProtocolVersion};

/// The standalone `GET` stream's number.
const STANDALONE: u64 = 0;

/// How many finished POST streams a session keeps for resumption.
const KEPT_FINISHED_STREAMS: usize = 4;

/// How many inputs may wait for a session's task.
const INPUT_QUEUE: usize = 16;

/// How long a session must have sat idle before a request for the request to find it
/// quiet: a session that was quiet gives back its buffers when it idles again (it will
/// likely sit idle for long, one of thousands), a busy one keeps them for its next
/// request instead of allocating them again.
const QUIET: core::time::Duration = core::time::Duration::from_secs(1);

/// What the endpoint asks of a session's task.
#[derive(Debug)]
pub(crate) enum SessionInput {
    /// A POSTed message.
    Post {
        message: Message,
        reply: oneshot::Sender<PostReply>,
    },
    /// A `GET`: the standalone stream, or a resumption after an event id.
    Get {
        last_event_id: Option<EventId>,
        reply: oneshot::Sender<Result<mpsc::Receiver<Vec<u8>>, HttpResponse>>,
    },
}

/// How a POST is answered.
#[derive(Debug)]
pub(crate) enum PostReply {
    /// `202 Accepted`: a notification or a response.
    Accepted,
    /// One JSON-RPC response.
    Json {
        status: u16,
        body: Vec<u8>,
        error: Option<ErrorCode>,
    },
    /// An SSE stream.
    Stream(mpsc::Receiver<Vec<u8>>),
}

impl HttpEndpoint {
    pub(super) fn now(&self) -> Timestamp {
        self.clock.timestamp(self.runtime.now())
    }

    /// Ends the sessions idle past the timeout: their tasks see the input channel close.
    fn expire_sessions(&self, now: Timestamp) {
        let expired = self.table().expire(now, self.settings.idle_timeout);
        for (_, mut sender) in expired {
            sender.close_channel();
        }
    }

    pub(super) async fn legacy_post(&self, post: LegacyPost<'_>) -> HttpReply {
        let now = self.now();
        self.expire_sessions(now);
        if let Err(response) = post.check_protocol_version(&ProtocolVersion::LEGACY) {
            return HttpReply::Complete(response);
        }
        let resolution = self.table().resolve_post(now, &post);
        let request_id = match &post.message {
            Message::Request(request) => Some(request.id.clone()),
            _ => None,
        };
        match resolution {
            Err(response) => HttpReply::Complete(response),
            Ok(SessionResolution::Initialize) => {
                self.initialize(now, post.message, request_id).await
            }
            Ok(SessionResolution::Existing(session_id)) => {
                let (reply, answer) = oneshot::channel();
                let input = SessionInput::Post {
                    message: post.message,
                    reply,
                };
                // The session's queue has room (the usual case): hand the message over
                // under the table's lock, through the session's own sender; when it is
                // full, wait for room with a sender of this POST's own.
                let queued = match self.table().get_mut(session_id) {
                    Some(sender) => sender.try_send(input).map_err(|refused| {
                        refused
                            .is_full()
                            .then(|| (sender.clone(), refused.into_inner()))
                    }),
                    None => Err(None),
                };
                let delivered = match queued {
                    Ok(()) => true,
                    Err(Some((mut sender, input))) => sender.send(input).await.is_ok(),
                    Err(None) => false,
                };
                let reply = match delivered {
                    true => Some(answered(answer).await),
                    false => None,
                };
                match reply {
                    Some(reply) => post_reply(reply, None),
                    None => HttpReply::Complete(session_not_found(request_id.as_ref())),
                }
            }
        }
    }

    async fn initialize(
        &self,
        now: Timestamp,
        message: Message,
        request_id: Option<RequestId>,
    ) -> HttpReply {
        let Some(session_id) = mint_session_id() else {
            return HttpReply::Complete(HttpResponse::json_rpc_error(
                500,
                request_id.as_ref(),
                &ErrorObject::with_message(
                    ErrorCode::INTERNAL_ERROR,
                    "Internal error: no random source for a session id",
                ),
            ));
        };
        let sender = self.spawn_session();
        if let Err(error) = self.table().insert(now, session_id.clone(), sender.clone()) {
            let mut sender = sender;
            sender.close_channel();
            return HttpReply::Complete(error.response(request_id.as_ref()));
        }
        match submit(Some(sender), message).await {
            Some(PostReply::Json {
                error: Some(_),
                status,
                body,
            }) => {
                // A refused initialize leaves no session behind.
                if let Some(mut sender) = self.table().remove(&session_id) {
                    sender.close_channel();
                }
                HttpReply::Complete(HttpResponse::json(status, body))
            }
            Some(reply) => post_reply(reply, Some(session_id)),
            None => HttpReply::Complete(session_not_found(request_id.as_ref())),
        }
    }

    pub(super) async fn legacy_get(
        &self,
        session_id: &str,
        last_event_id: Option<&str>,
    ) -> HttpReply {
        let now = self.now();
        self.expire_sessions(now);
        if let Err(response) = self.table().resolve_stream(now, session_id) {
            return HttpReply::Complete(response);
        }
        let last_event_id = match last_event_id.map(EventId::parse) {
            None => None,
            Some(Some(id)) => Some(id),
            Some(None) => return HttpReply::Complete(unresumable_event_id()),
        };
        let Some(mut sender) = self.table().get(session_id).cloned() else {
            return HttpReply::Complete(session_not_found(None));
        };
        let (reply, answer) = oneshot::channel();
        let input = SessionInput::Get {
            last_event_id,
            reply,
        };
        if sender.send(input).await.is_err() {
            return HttpReply::Complete(session_not_found(None));
        }
        match answer.await {
            Ok(Ok(body)) => HttpReply::Stream {
                headers: event_stream_headers(),
                body,
            },
            Ok(Err(response)) => HttpReply::Complete(response),
            Err(_) => HttpReply::Complete(session_not_found(None)),
        }
    }

    pub(super) fn legacy_delete(&self, session_id: &str) -> HttpResponse {
        let now = self.now();
        self.expire_sessions(now);
        match self.table().remove(session_id) {
            Some(mut sender) => {
                sender.close_channel();
                HttpResponse::empty(200)
            }
            None => session_not_found(None),
        }
    }

    fn spawn_session(&self) -> mpsc::Sender<SessionInput> {
        let (session, sender) = LegacySession::new(
            &self.server,
            Arc::clone(&self.runtime),
            self.clock,
            self.settings,
        );
        self.runtime.spawn(Box::pin(session));
        sender
    }
}

/// Hands `message` to a session's task; `None` when the session has ended.
async fn submit(sender: Option<mpsc::Sender<SessionInput>>, message: Message) -> Option<PostReply> {
    let mut sender = sender?;
    let (reply, answer) = oneshot::channel();
    sender
        .send(SessionInput::Post { message, reply })
        .await
        .ok()?;
    Some(answered(answer).await)
}

/// The session's answer to a POST it was handed.
async fn answered(answer: oneshot::Receiver<PostReply>) -> PostReply {
    match answer.await {
        Ok(reply) => reply,
        // The request was cancelled before anything was sent: an empty stream.
        Err(_) => PostReply::Stream(mpsc::channel(0).1),
    }
}

fn post_reply(reply: PostReply, new_session: Option<String>) -> HttpReply {
    match reply {
        PostReply::Accepted => HttpReply::Complete(HttpResponse::accepted()),
        PostReply::Json { status, body, .. } => {
            let mut response = HttpResponse::json(status, body);
            if let Some(session_id) = new_session {
                response = response.with_header(MCP_SESSION_ID, session_id);
            }
            HttpReply::Complete(response)
        }
        PostReply::Stream(body) => {
            let mut headers = event_stream_headers();
            if let Some(session_id) = new_session {
                headers.push((MCP_SESSION_ID, session_id));
            }
            HttpReply::Stream { headers, body }
        }
    }
}

/// 128 bits from the operating system's random source, in hex.
fn mint_session_id() -> Option<String> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).ok()?;
    Some(bytes.iter().map(|byte| format!("{byte:02x}")).collect())
}

/// Where a drained message goes.
#[derive(Clone, Debug)]
enum Target {
    /// The POST of this request.
    Request(RequestId),
    /// The standalone stream.
    Session,
}

/// One POSTed request still being served.
#[derive(Debug)]
struct Exchange {
    /// Until the first message: how to answer the POST.
    reply: Option<oneshot::Sender<PostReply>>,
    /// Once answered with SSE: the stream's number.
    stream: Option<u64>,
}

/// One SSE stream of the session.
#[derive(Debug)]
struct SseStream {
    replay: ReplayBuffer,
    /// The connection currently carrying it, if any.
    live: Option<mpsc::Sender<Vec<u8>>>,
    finished: bool,
}

/// The task of one legacy session: its connection, the requests it serves, its streams.
struct LegacySession {
    side: ServerSide,
    inputs: mpsc::Receiver<SessionInput>,
    runtime: Arc<dyn Runtime>,
    clock: Clock,
    timer: Option<Pin<Box<dyn Timer>>>,
    settings: SessionSettings,
    exchanges: BTreeMap<RequestId, Exchange>,
    streams: BTreeMap<u64, SseStream>,
    finished: VecDeque<u64>,
    next_stream: u64,
    next_keep_alive: Option<Timestamp>,
    encoder: SseEncoder,
    /// Since when no POST has been waiting; `None` while one is (or before the first).
    idle_since: Option<Timestamp>,
    /// Whether the requests served since the session last went idle found it quiet (a
    /// new session counts as quiet); see [`QUIET`].
    quiet: bool,
    /// Whether the session went idle once with its handshake done.
    settled: bool,
}

impl Future for LegacySession {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        loop {
            let now = this.clock.timestamp(this.runtime.now());
            let mut progressed = false;
            loop {
                match this.inputs.poll_next_unpin(cx) {
                    Poll::Ready(Some(input)) => {
                        if let Some(since) = this.idle_since.take() {
                            this.quiet = now.saturating_since(since) >= QUIET;
                        }
                        this.on_input(now, input);
                        progressed = true;
                    }
                    Poll::Ready(None) => {
                        // DELETE, expiry, or the endpoint is gone.
                        this.side.connection.close(now);
                        return Poll::Ready(());
                    }
                    Poll::Pending => break,
                }
            }
            while let Poll::Ready(Some(command)) = this.side.poll_command(cx) {
                if let Command::CloseStream { slot, retry } = command {
                    this.close_stream(slot, retry);
                    progressed = true;
                    continue;
                }
                let (target, is_reply) = this.target_of(&command);
                this.side.apply(now, command);
                this.drain(&target, is_reply);
                progressed = true;
            }
            if this
                .side
                .connection
                .poll_timeout()
                .is_some_and(|deadline| deadline <= now)
            {
                this.side.connection.handle_timeout(now);
                this.drain(&Target::Session, false);
                progressed = true;
            }
            progressed |= this.side.pump(now);
            for id in this.side.take_cancelled() {
                this.end_exchange(&id);
            }
            this.drain(&Target::Session, false);
            if this.side.connection.is_closed() {
                return Poll::Ready(());
            }
            this.keep_alive(now);
            if !progressed {
                let next = [this.side.connection.poll_timeout(), this.next_keep_alive]
                    .into_iter()
                    .flatten()
                    .min();
                if let Some(deadline) = next {
                    let at = this.clock.instant(deadline);
                    let timer = this.timer.get_or_insert_with(|| this.runtime.timer(at));
                    timer.as_mut().reset(at);
                    if timer.as_mut().poll_elapsed(cx).is_ready() {
                        continue;
                    }
                }
                if this.exchanges.is_empty() {
                    this.on_idle(now);
                }
                return Poll::Pending;
            }
        }
    }
}

impl LegacySession {
    /// A fresh session of `server`, and the sender the endpoint hands its inputs to.
    fn new(
        server: &Server,
        runtime: Arc<dyn Runtime>,
        clock: Clock,
        settings: SessionSettings,
    ) -> (Self, mpsc::Sender<SessionInput>) {
        let (sender, inputs) = mpsc::channel(INPUT_QUEUE);
        let mut side = ServerSide::with_options(server, Arc::clone(&runtime), false, true);
        side.track_cancelled = true;
        let session = LegacySession {
            side,
            inputs,
            runtime,
            clock,
            timer: None,
            settings,
            exchanges: BTreeMap::new(),
            streams: BTreeMap::new(),
            finished: VecDeque::new(),
            next_stream: STANDALONE + 1,
            next_keep_alive: None,
            encoder: SseEncoder::new(),
            idle_since: None,
            quiet: true,
            settled: false,
        };
        (session, sender)
    }

    /// Where the output of `command` goes, and whether it is a request's final answer.
    fn target_of(&self, command: &Command) -> (Target, bool) {
        let request = |slot: u64| {
            self.side
                .request_id_of(slot)
                .map_or(Target::Session, |id| Target::Request(id.clone()))
        };
        match command {
            Command::Reply { slot, .. } => (request(*slot), true),
            Command::Progress { slot, .. }
            | Command::Log { slot, .. }
            | Command::Request { slot, .. } => (request(*slot), false),
            Command::Publish(_) | Command::CloseStream { .. } => (Target::Session, false),
        }
    }

    /// No POST is waiting: the session may now sit idle for long, one of thousands. It
    /// gives back what its queues and tables kept when its handshake has just completed
    /// or its last requests found it quiet; a busy session keeps them for the next
    /// request (freeing them after every request cost about 1,000 instructions, seven
    /// allocations, per call).
    fn on_idle(&mut self, now: Timestamp) {
        self.idle_since.get_or_insert(now);
        let handshake_done = !self.settled && self.side.connection.session_initialized();
        if self.quiet || handshake_done {
            self.settled |= handshake_done;
            self.shrink_to_fit();
        }
    }

    /// Frees what the session's queues and tables keep once emptied; the streams and
    /// their replay buffers stay.
    fn shrink_to_fit(&mut self) {
        self.side.shrink_to_fit();
        if self.exchanges.is_empty() {
            self.exchanges = BTreeMap::new();
        }
        self.finished.shrink_to_fit();
    }

    fn on_input(&mut self, now: Timestamp, input: SessionInput) {
        match input {
            SessionInput::Post { message, reply } => match message {
                Message::Request(request) => {
                    let id = request.id.clone();
                    if self.exchanges.contains_key(&id) {
                        let refusal = duplicate_request_id(&id);
                        let _ = reply.send(PostReply::Json {
                            status: refusal.status,
                            body: refusal.body,
                            error: Some(ErrorCode::INVALID_REQUEST),
                        });
                        return;
                    }
                    self.exchanges.insert(
                        id.clone(),
                        Exchange {
                            reply: Some(reply),
                            stream: None,
                        },
                    );
                    self.side
                        .connection
                        .handle_message(now, Message::Request(request));
                    // The core answered at once (initialize, ping, an error): the last
                    // line is the response.
                    self.drain(&Target::Request(id), true);
                }
                other => {
                    self.side.connection.handle_message(now, other);
                    let _ = reply.send(PostReply::Accepted);
                    self.drain(&Target::Session, false);
                }
            },
            SessionInput::Get {
                last_event_id,
                reply,
            } => {
                let _ = reply.send(self.open_get(last_event_id));
            }
        }
    }

    /// Sends everything the connection has queued to `target`; when `ends` is set, the
    /// last message is the target request's response.
    fn drain(&mut self, target: &Target, ends: bool) {
        let mut lines = Vec::new();
        loop {
            let mut line = Vec::new();
            if self.side.connection.poll_transmit(&mut line).is_none() {
                break;
            }
            if line.last() == Some(&b'\n') {
                line.pop();
            }
            lines.push(line);
        }
        let count = lines.len();
        for (index, line) in lines.into_iter().enumerate() {
            self.emit(target, line, ends && index + 1 == count);
        }
    }

    fn emit(&mut self, target: &Target, data: Vec<u8>, is_final: bool) {
        let Target::Request(id) = target else {
            if self.streams.contains_key(&STANDALONE) {
                self.stream_event(STANDALONE, &data);
            }
            return;
        };
        let Some(exchange) = self.exchanges.get_mut(id) else {
            // The request ended (cancelled): nothing more goes to its POST.
            return;
        };
        if is_final && let Some(reply) = exchange.reply.take() {
            // The response comes first: the POST is answered with plain JSON.
            let error = final_outcome(&data, id).flatten();
            let status = error.map_or(200, |code| status_for_error(code, Era::Legacy));
            let _ = reply.send(PostReply::Json {
                status,
                body: data,
                error,
            });
            self.exchanges.remove(id);
            return;
        }
        let Some(number) = self.stream_of(id) else {
            return;
        };
        self.stream_event(number, &data);
        if is_final {
            self.finish_stream(number);
            self.exchanges.remove(id);
        }
    }

    /// The SSE stream answering request `id`, opened (with its priming event) when the
    /// POST has not been answered yet; `None` once the request has ended.
    fn stream_of(&mut self, id: &RequestId) -> Option<u64> {
        let exchange = self.exchanges.get_mut(id)?;
        if let Some(reply) = exchange.reply.take() {
            let number = self.next_stream;
            self.next_stream += 1;
            exchange.stream = Some(number);
            let (sender, receiver) = mpsc::channel(STREAM_QUEUE);
            let live = reply
                .send(PostReply::Stream(receiver))
                .is_ok()
                .then_some(sender);
            self.open_stream(number, live);
        }
        exchange_stream(&self.exchanges, id)
    }

    /// Ends the connection carrying request `slot`'s stream after a `retry` event; the
    /// stream itself goes on in the replay buffer until the client resumes it.
    fn close_stream(&mut self, slot: u64, retry: core::time::Duration) {
        if !self.primes() {
            // Without event ids the client could not resume: keep the connection.
            return;
        }
        let Some(id) = self.side.request_id_of(slot).cloned() else {
            return;
        };
        let Some(number) = self.stream_of(&id) else {
            return;
        };
        if let Some(stream) = self.streams.get_mut(&number) {
            let mut chunk = Vec::new();
            let millis = u64::try_from(retry.as_millis()).unwrap_or(u64::MAX);
            self.encoder.retry(&mut chunk, millis);
            send_live(&mut stream.live, chunk);
            stream.live = None;
        }
    }

    /// True when the client negotiated a version that understands priming events.
    fn primes(&self) -> bool {
        self.side
            .connection
            .session_version()
            .is_some_and(takes_priming_event)
    }

    /// Starts stream `number` on `live`, with a priming event when the client takes one.
    fn open_stream(&mut self, number: u64, live: Option<mpsc::Sender<Vec<u8>>>) {
        let primes = self.primes();
        let stream = self.streams.entry(number).or_insert_with(|| SseStream {
            replay: ReplayBuffer::new(number, self.settings.replay_bytes),
            live: None,
            finished: false,
        });
        stream.live = live;
        if primes {
            let mut chunk = Vec::new();
            let id = stream.replay.next_id().to_string();
            if self.encoder.priming(&mut chunk, &id).is_ok() {
                send_live(&mut stream.live, chunk);
            }
        }
    }

    fn stream_event(&mut self, number: u64, data: &[u8]) {
        let Some(stream) = self.streams.get_mut(&number) else {
            return;
        };
        let id = stream.replay.push(data).to_string();
        let mut chunk = Vec::new();
        if self.encoder.message(&mut chunk, Some(&id), data).is_ok() {
            send_live(&mut stream.live, chunk);
        }
    }

    fn finish_stream(&mut self, number: u64) {
        if let Some(stream) = self.streams.get_mut(&number) {
            stream.finished = true;
            stream.live = None;
        }
        self.finished.push_back(number);
        while self.finished.len() > KEPT_FINISHED_STREAMS {
            if let Some(oldest) = self.finished.pop_front() {
                self.streams.remove(&oldest);
            }
        }
    }

    /// The client cancelled request `id`: its POST ends without a response.
    fn end_exchange(&mut self, id: &RequestId) {
        if let Some(exchange) = self.exchanges.remove(id) {
            if let Some(number) = exchange.stream {
                self.finish_stream(number);
            }
        }
    }

    fn open_get(
        &mut self,
        last_event_id: Option<EventId>,
    ) -> Result<mpsc::Receiver<Vec<u8>>, HttpResponse> {
        let (sender, receiver) = mpsc::channel(STREAM_QUEUE);
        let Some(last) = last_event_id else {
            let busy = self
                .streams
                .get(&STANDALONE)
                .and_then(|stream| stream.live.as_ref())
                .is_some_and(|live| !live.is_closed());
            if busy {
                return Err(standalone_stream_conflict());
            }
            self.open_stream(STANDALONE, Some(sender));
            return Ok(receiver);
        };
        let Some(stream) = self.streams.get_mut(&last.stream) else {
            return Err(unresumable_event_id());
        };
        let mut chunk = Vec::new();
        match stream.replay.replay_after(last) {
            Ok(events) => {
                for (id, data) in events {
                    let _ = self
                        .encoder
                        .message(&mut chunk, Some(&id.to_string()), data);
                }
            }
            Err(_) => return Err(unresumable_event_id()),
        }
        let mut live = Some(sender);
        if !chunk.is_empty() {
            send_live(&mut live, chunk);
        }
        if !stream.finished {
            stream.live = live;
        }
        Ok(receiver)
    }

    /// Sends a keep-alive comment on every live stream when one is due.
    fn keep_alive(&mut self, now: Timestamp) {
        let any_live = self.streams.values().any(|stream| stream.live.is_some());
        if !any_live {
            self.next_keep_alive = None;
            return;
        }
        match self.next_keep_alive {
            None => {}
            Some(at) if at <= now => {
                for stream in self.streams.values_mut() {
                    let mut chunk = Vec::new();
                    self.encoder.keep_alive(&mut chunk);
                    send_live(&mut stream.live, chunk);
                }
            }
            Some(_) => return,
        }
        self.next_keep_alive = Some(now.saturating_add(self.settings.keep_alive));
    }
}

fn exchange_stream(exchanges: &BTreeMap<RequestId, Exchange>, id: &RequestId) -> Option<u64> {
    exchanges.get(id).and_then(|exchange| exchange.stream)
}

/// Writes `chunk` to a stream's connection; a full or closed connection is let go (the
/// client resumes from the replay buffer).
fn send_live(live: &mut Option<mpsc::Sender<Vec<u8>>>, chunk: Vec<u8>) {
    if let Some(sender) = live {
        if sender.try_send(chunk).is_err() {
            *live = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::driver::server::{Server, Tool, ToolError};
    use crate::jsonrpc::decode;
    use crate::types::{CallToolResult, Implementation};
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::task::Waker;
    use std::time::{Duration, Instant};

    /// A clock the test moves, no background tasks (the test's handler answers at
    /// once) and timers that never fire.
    struct Inert {
        start: Instant,
        elapsed_nanos: AtomicU64,
    }

    impl Inert {
        fn advance(&self, by: Duration) {
            let nanos = u64::try_from(by.as_nanos()).unwrap();
            self.elapsed_nanos.fetch_add(nanos, Ordering::SeqCst);
        }
    }

    struct NeverFires;

    impl Timer for NeverFires {
        fn reset(self: Pin<&mut Self>, _deadline: Instant) {}

        fn poll_elapsed(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<()> {
            Poll::Pending
        }
    }

    impl Runtime for Inert {
        fn spawn(&self, _future: crate::driver::runtime::BoxFuture) {
            std::panic!("the test's handler answers without a task");
        }

        fn timer(&self, _deadline: Instant) -> Pin<Box<dyn Timer>> {
            Box::pin(NeverFires)
        }

        fn now(&self) -> Instant {
            self.start + Duration::from_nanos(self.elapsed_nanos.load(Ordering::SeqCst))
        }
    }

    fn session(runtime: &Arc<Inert>) -> (LegacySession, mpsc::Sender<SessionInput>) {
        let server = Server::builder(Implementation::new("idle", "1.0.0"))
            .tool(Tool::new(
                "echo",
                "Answers at once",
                serde_json::json!({"type": "object"}),
                |_arguments: serde_json::Value, _context| async {
                    Ok::<_, ToolError>(CallToolResult::text("echoed"))
                },
            ))
            .build();
        let runtime: Arc<dyn Runtime> = Arc::clone(runtime) as Arc<dyn Runtime>;
        let clock = Clock::new(runtime.now());
        LegacySession::new(&server, runtime, clock, SessionSettings::default())
    }

    /// Posts `message` and polls the session until it has answered and waits again.
    fn post(
        session: &mut LegacySession,
        inputs: &mut mpsc::Sender<SessionInput>,
        message: &str,
    ) -> PostReply {
        let (reply, mut answer) = oneshot::channel();
        let message = decode(message.as_bytes()).expect("a valid message");
        inputs
            .try_send(SessionInput::Post { message, reply })
            .expect("room for the input");
        let mut cx = Context::from_waker(Waker::noop());
        assert!(Pin::new(&mut *session).poll(&mut cx).is_pending());
        answer
            .try_recv()
            .expect("the sender is kept")
            .expect("answered")
    }

    fn call(session: &mut LegacySession, inputs: &mut mpsc::Sender<SessionInput>, id: u32) {
        let call = format!(
            r#"{{"jsonrpc":"2.0","id":{id},"method":"tools/call","params":{{"name":"echo","arguments":{{}}}}}}"#
        );
        match post(session, inputs, &call) {
            PostReply::Json { status, body, .. } => {
                assert_eq!(status, 200);
                assert!(String::from_utf8_lossy(&body).contains("echoed"));
            }
            other => std::panic!("a JSON answer, not {other:?}"),
        }
        assert!(session.exchanges.is_empty());
        assert_eq!(session.side.connection.pending_events(), 0);
    }

    /// An idle session is most of what a server with thousands of them holds: after its
    /// handshake, and after requests that found it quiet, its emptied queues give back
    /// their capacity (four events alone are about a kilobyte); a busy session keeps
    /// them for its next request.
    #[test]
    fn an_idle_session_gives_back_its_queues() {
        let runtime = Arc::new(Inert {
            start: Instant::now(),
            elapsed_nanos: AtomicU64::new(0),
        });
        let (mut session, mut inputs) = session(&runtime);
        let initialize = r#"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"test","version":"1.0.0"}}}"#;
        assert!(matches!(
            post(&mut session, &mut inputs, initialize),
            PostReply::Json { status: 200, .. }
        ));
        let initialized = r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#;
        assert!(matches!(
            post(&mut session, &mut inputs, initialized),
            PostReply::Accepted
        ));
        assert_eq!(session.side.queue_capacity(), 0, "after the handshake");

        // A request right after another: the emptied queues keep their capacity.
        runtime.advance(QUIET / 2);
        call(&mut session, &mut inputs, 1);
        assert!(session.side.queue_capacity() > 0, "busy");
        call(&mut session, &mut inputs, 2);
        assert!(session.side.queue_capacity() > 0, "still busy");

        // A request after a quiet spell: the session gives them back when it idles.
        runtime.advance(QUIET);
        call(&mut session, &mut inputs, 3);
        assert_eq!(session.side.queue_capacity(), 0, "after a quiet request");
    }
}
