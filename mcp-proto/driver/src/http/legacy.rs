//! 2025-11-25 sessions over HTTP: the endpoint's session steps, and the task that drives
//! one session: its [`HttpSession`] (which decides where every message goes) and the
//! handlers of its requests.
//!
//! The task only moves bytes: each HTTP request handed to the session gets a
//! [`ResponseId`](mcp_proto::http::server::ResponseId); the session's transmits name the
//! response they belong to, and the task answers the waiting POST or GET with the head,
//! or forwards body chunks to the response's stream. A stream whose client reads too
//! slowly (its queue is full) or went away is let go: the session keeps its events for a
//! resumption.

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use futures_channel::{mpsc, oneshot};
use futures_util::{SinkExt, StreamExt};

use crate::http::{HttpEndpoint, HttpReply, STREAM_QUEUE, SessionSettings};
use crate::runtime::{Clock, Runtime, Timer};
use crate::server::Server;
use crate::server::session::{Command, ServerSide};
use mcp_proto::http::server::{HttpSession, HttpTransmit, ResponseId};
use mcp_proto::http::{EventId, HttpResponse, session_not_found};
use mcp_proto::jsonrpc::{ErrorCode, ErrorObject, Message};
use mcp_proto::time::Timestamp;

/// How many inputs may wait for a session's task.
const INPUT_QUEUE: usize = 16;

/// How long a session must have sat idle before a request for the request to find it
/// quiet: a session that was quiet gives back its buffers when it idles again (it will
/// likely sit idle for long, one of thousands), a busy one keeps them for its next
/// request instead of allocating them again.
const QUIET: core::time::Duration = core::time::Duration::from_secs(1);

/// What the endpoint asks of a session's task: serve one HTTP request (a POSTed message,
/// or a `GET` for the standalone stream or a resumption).
#[derive(Debug)]
pub(crate) struct SessionInput {
    request: SessionRequest,
    reply: oneshot::Sender<Answer>,
}

#[derive(Debug)]
enum SessionRequest {
    Post(Message),
    Get(Option<EventId>),
}

/// A session's answer to one HTTP request.
#[derive(Debug)]
pub(crate) struct Answer {
    reply: HttpReply,
    /// The session ended with it (a refused `initialize`): forget it.
    ended: bool,
}

impl HttpEndpoint {
    /// A legacy `initialize` without a session: a new session with an unguessable id.
    pub(super) async fn initialize(&self, now: Timestamp, message: Message) -> HttpReply {
        let request_id = match &message {
            Message::Request(request) => Some(request.id.clone()),
            _ => None,
        };
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
        let settings = self.settings;
        let sender = spawn_session(
            &self.server,
            &self.runtime,
            self.clock,
            now,
            session_id.clone(),
            settings,
        );
        if let Err(response) =
            self.core()
                .accept_session(now, session_id.clone(), sender.clone(), request_id.as_ref())
        {
            return HttpReply::Complete(response);
        }
        match submit(sender, SessionRequest::Post(message)).await {
            Some(answer) => {
                if answer.ended {
                    if let Some(mut sender) = self.core().remove_session(&session_id) {
                        sender.close_channel();
                    }
                }
                answer.reply
            }
            None => HttpReply::Complete(session_not_found(request_id.as_ref())),
        }
    }

    /// A POST for a live session.
    pub(super) async fn legacy_post(&self, session_id: &str, message: Message) -> HttpReply {
        let request_id = match &message {
            Message::Request(request) => Some(request.id.clone()),
            _ => None,
        };
        let (reply, answer) = oneshot::channel();
        let input = SessionInput {
            request: SessionRequest::Post(message),
            reply,
        };
        // The session's queue has room (the usual case): hand the message over under the
        // lock, through the session's own sender; when it is full, wait for room with a
        // sender of this POST's own.
        let queued = match self.core().session_mut(session_id) {
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
        match delivered {
            true => match answer.await {
                Ok(answer) => answer.reply,
                Err(_) => HttpReply::Complete(session_not_found(request_id.as_ref())),
            },
            false => HttpReply::Complete(session_not_found(request_id.as_ref())),
        }
    }

    /// A `GET` for a live session: the standalone stream or a resumption.
    pub(super) async fn legacy_get(
        &self,
        session_id: &str,
        last_event_id: Option<EventId>,
    ) -> HttpReply {
        let Some(sender) = self.core().session(session_id).cloned() else {
            return HttpReply::Complete(session_not_found(None));
        };
        match submit(sender, SessionRequest::Get(last_event_id)).await {
            Some(answer) => answer.reply,
            None => HttpReply::Complete(session_not_found(None)),
        }
    }
}

/// Hands `request` to a session's task; `None` when the session has ended.
async fn submit(mut sender: mpsc::Sender<SessionInput>, request: SessionRequest) -> Option<Answer> {
    let (reply, answer) = oneshot::channel();
    sender.send(SessionInput { request, reply }).await.ok()?;
    answer.await.ok()
}

/// 128 bits from the operating system's random source, in hex.
fn mint_session_id() -> Option<String> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).ok()?;
    Some(bytes.iter().map(|byte| format!("{byte:02x}")).collect())
}

/// Starts the task of a new session and returns the sender of its inputs.
fn spawn_session(
    server: &Server,
    runtime: &Arc<dyn Runtime>,
    clock: Clock,
    now: Timestamp,
    session_id: String,
    settings: SessionSettings,
) -> mpsc::Sender<SessionInput> {
    let (task, sender) = SessionTask::new(
        server,
        Arc::clone(runtime),
        clock,
        now,
        session_id,
        settings,
    );
    runtime.spawn(Box::pin(task));
    sender
}

/// Where one of the session's HTTP responses stands, for the task.
#[derive(Debug)]
enum Carrier {
    /// Waiting for its head.
    Waiting(oneshot::Sender<Answer>),
    /// Streaming its body.
    Streaming(mpsc::Sender<Vec<u8>>),
}

/// The task of one legacy session: its state machine, its handlers, the HTTP responses
/// it is writing.
struct SessionTask {
    side: ServerSide<HttpSession>,
    inputs: mpsc::Receiver<SessionInput>,
    runtime: Arc<dyn Runtime>,
    clock: Clock,
    timer: Option<Pin<Box<dyn Timer>>>,
    carriers: BTreeMap<ResponseId, Carrier>,
    buffer: Vec<u8>,
    /// Since when no POST has been waiting; `None` while one is (or before the first).
    idle_since: Option<Timestamp>,
    /// Whether the requests served since the session last went idle found it quiet (a
    /// new session counts as quiet); see [`QUIET`].
    quiet: bool,
    /// Whether the session went idle once with its handshake done.
    settled: bool,
}

impl Future for SessionTask {
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
                        this.flush(now);
                        return Poll::Ready(());
                    }
                    Poll::Pending => break,
                }
            }
            while let Poll::Ready(Some(command)) = this.side.poll_command(cx) {
                match command {
                    Command::CloseStream { slot, retry } => {
                        if let Some(id) = this.side.request_id_of(slot).cloned() {
                            this.side.connection.close_stream(now, &id, retry);
                        }
                    }
                    command => this.side.apply(now, command),
                }
                progressed = true;
            }
            if this
                .side
                .connection
                .poll_timeout()
                .is_some_and(|deadline| deadline <= now)
            {
                this.side.connection.handle_timeout(now);
                progressed = true;
            }
            progressed |= this.side.pump(now);
            progressed |= this.flush(now);
            if this.side.connection.is_closed() {
                return Poll::Ready(());
            }
            if !progressed {
                if let Some(deadline) = this.side.connection.poll_timeout() {
                    let at = this.clock.instant(deadline);
                    let timer = this.timer.get_or_insert_with(|| this.runtime.timer(at));
                    timer.as_mut().reset(at);
                    if timer.as_mut().poll_elapsed(cx).is_ready() {
                        continue;
                    }
                }
                if this.side.connection.is_quiet() {
                    this.on_idle(now);
                }
                return Poll::Pending;
            }
        }
    }
}

impl SessionTask {
    /// A fresh session of `server`, and the sender the endpoint hands its inputs to.
    fn new(
        server: &Server,
        runtime: Arc<dyn Runtime>,
        clock: Clock,
        now: Timestamp,
        session_id: String,
        settings: SessionSettings,
    ) -> (Self, mpsc::Sender<SessionInput>) {
        let (sender, inputs) = mpsc::channel(INPUT_QUEUE);
        let connection = ServerSide::connection_for(server, false);
        let session = HttpSession::new(now, session_id, connection, settings);
        let side = ServerSide::around(server, Arc::clone(&runtime), session, true);
        let task = SessionTask {
            side,
            inputs,
            runtime,
            clock,
            timer: None,
            carriers: BTreeMap::new(),
            buffer: Vec::new(),
            idle_since: None,
            quiet: true,
            settled: false,
        };
        (task, sender)
    }

    fn on_input(&mut self, now: Timestamp, input: SessionInput) {
        let response = match input.request {
            SessionRequest::Post(message) => self.side.connection.handle_post(now, message),
            SessionRequest::Get(last_event_id) => {
                self.side.connection.handle_get(now, last_event_id)
            }
        };
        self.carriers
            .insert(response, Carrier::Waiting(input.reply));
    }

    /// Writes everything the session has for its responses; true when there was any.
    fn flush(&mut self, now: Timestamp) -> bool {
        let mut any = false;
        loop {
            let mut buffer = std::mem::take(&mut self.buffer);
            buffer.clear();
            let Some(transmit) = self.side.connection.poll_transmit(&mut buffer) else {
                self.buffer = buffer;
                return any;
            };
            any = true;
            self.deliver(now, transmit, buffer);
        }
    }

    /// Hands one transmit to the response it names.
    fn deliver(&mut self, now: Timestamp, transmit: HttpTransmit, body: Vec<u8>) {
        let response = transmit.response;
        let carrier = match (self.carriers.remove(&response), transmit.head) {
            (Some(Carrier::Waiting(waiting)), Some(head)) => {
                let ended = self.side.connection.is_closed();
                let (answer, carrier) = if transmit.end {
                    let complete = HttpResponse {
                        status: head.status,
                        headers: head.headers,
                        body,
                    };
                    (HttpReply::Complete(complete), None)
                } else {
                    let (mut sender, receiver) = mpsc::channel(STREAM_QUEUE);
                    if !body.is_empty() {
                        let _ = sender.try_send(body);
                    }
                    let stream = HttpReply::Stream {
                        headers: head.headers,
                        body: receiver,
                    };
                    (stream, Some(Carrier::Streaming(sender)))
                };
                let answer = Answer {
                    reply: answer,
                    ended,
                };
                if waiting.send(answer).is_err() {
                    // The client went away before the answer.
                    if !transmit.end {
                        self.side.connection.handle_disconnect(now, response);
                    }
                    return;
                }
                carrier
            }
            (Some(Carrier::Streaming(mut sender)), None) => {
                if !body.is_empty() && sender.try_send(body).is_err() {
                    // Full (a slow reader) or closed: let the connection go; the session
                    // keeps the events for a resumption.
                    if !transmit.end {
                        self.side.connection.handle_disconnect(now, response);
                    }
                    return;
                }
                Some(Carrier::Streaming(sender))
            }
            (other, _) => other,
        };
        if let Some(carrier) = carrier
            && !transmit.end
        {
            self.carriers.insert(response, carrier);
        }
    }

    /// No POST is waiting: the session may now sit idle for long, one of thousands. It
    /// gives back what its queues and tables kept when its handshake has just completed
    /// or its last requests found it quiet; a busy session keeps them for the next
    /// request (freeing them after every request cost about 1,000 instructions, seven
    /// allocations, per call).
    fn on_idle(&mut self, now: Timestamp) {
        self.idle_since.get_or_insert(now);
        let handshake_done =
            !self.settled && self.side.connection.connection().session_initialized();
        if self.quiet || handshake_done {
            self.settled |= handshake_done;
            self.side.shrink_to_fit();
            self.side.connection.shrink_to_fit();
            if self.carriers.is_empty() {
                self.carriers = BTreeMap::new();
            }
            self.buffer = Vec::new();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::{Server, Tool, ToolError};
    use mcp_proto::jsonrpc::decode;
    use mcp_proto::types::{CallToolResult, Implementation};
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
        fn spawn(&self, _future: crate::runtime::BoxFuture) {
            std::panic!("the test's handler answers without a task");
        }

        fn timer(&self, _deadline: Instant) -> Pin<Box<dyn Timer>> {
            Box::pin(NeverFires)
        }

        fn now(&self) -> Instant {
            self.start + Duration::from_nanos(self.elapsed_nanos.load(Ordering::SeqCst))
        }
    }

    fn session(runtime: &Arc<Inert>) -> (SessionTask, mpsc::Sender<SessionInput>) {
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
        let now = clock.timestamp(runtime.now());
        SessionTask::new(
            &server,
            runtime,
            clock,
            now,
            String::from("session-1"),
            SessionSettings::default(),
        )
    }

    /// Posts `message` and polls the session until it has answered and waits again.
    fn post(
        session: &mut SessionTask,
        inputs: &mut mpsc::Sender<SessionInput>,
        message: &str,
    ) -> HttpReply {
        let (reply, mut answer) = oneshot::channel();
        let message = decode(message.as_bytes()).expect("a valid message");
        inputs
            .try_send(SessionInput {
                request: SessionRequest::Post(message),
                reply,
            })
            .expect("room for the input");
        let mut cx = Context::from_waker(Waker::noop());
        assert!(Pin::new(&mut *session).poll(&mut cx).is_pending());
        answer
            .try_recv()
            .expect("the sender is kept")
            .expect("answered")
            .reply
    }

    fn queue_capacity(session: &SessionTask) -> usize {
        let connection = session.side.connection.connection();
        session.side.queue_capacity() + connection.queue_capacity()
    }

    fn call(session: &mut SessionTask, inputs: &mut mpsc::Sender<SessionInput>, id: u32) {
        let call = format!(
            r#"{{"jsonrpc":"2.0","id":{id},"method":"tools/call","params":{{"name":"echo","arguments":{{}}}}}}"#
        );
        match post(session, inputs, &call) {
            HttpReply::Complete(response) => {
                assert_eq!(response.status, 200);
                assert!(String::from_utf8_lossy(&response.body).contains("echoed"));
            }
            other => std::panic!("a JSON answer, not {other:?}"),
        }
        assert!(session.side.connection.is_quiet());
        assert_eq!(session.side.connection.connection().pending_events(), 0);
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
            HttpReply::Complete(HttpResponse { status: 200, .. })
        ));
        let initialized = r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#;
        assert!(matches!(
            post(&mut session, &mut inputs, initialized),
            HttpReply::Complete(HttpResponse { status: 202, .. })
        ));
        assert_eq!(queue_capacity(&session), 0, "after the handshake");

        // A request right after another: the emptied queues keep their capacity.
        runtime.advance(QUIET / 2);
        call(&mut session, &mut inputs, 1);
        assert!(queue_capacity(&session) > 0, "busy");
        call(&mut session, &mut inputs, 2);
        assert!(queue_capacity(&session) > 0, "still busy");

        // A request after a quiet spell: the session gives them back when it idles.
        runtime.advance(QUIET);
        call(&mut session, &mut inputs, 3);
        assert_eq!(queue_capacity(&session), 0, "after a quiet request");
    }
}
