//! One server connection under async I/O: [`ServerSide`] applies events and handler
//! commands to a [`ServerConnection`], and [`serve_stream`] pumps it from a byte stream.

use std::format;

use std::collections::{BTreeMap, VecDeque};
use std::io;
use std::sync::{Arc, Mutex};
use std::task::{Context as TaskContext, Poll, Waker};

use futures_channel::{mpsc, oneshot};
use futures_io::{AsyncRead, AsyncWrite};
use futures_util::future::{AbortHandle, Abortable};
use futures_util::{FutureExt, StreamExt};

use crate::runtime::{Clock, Runtime};
pub(crate) use crate::server::context::Command;
use crate::server::context::{Context, InputState, RequestFacts};
use crate::server::dispatch::{ReplyFuture, Started, start};
use crate::server::outcome::gathered_answers;
use crate::server::{Server, Shared};
use mcp_proto::connection::{Outcome, ReplyToken, RequestHandle};
use mcp_proto::http::server::{HttpExchange, HttpSession};
use mcp_proto::jsonrpc::{ErrorCode, ErrorObject, RequestId};
use mcp_proto::server::{InboundRequest, Reply, RequestOptions, ServerConnection, ServerEvent};
use mcp_proto::time::Timestamp;

/// How many handler commands may wait for the drive loop before handlers wait.
const COMMAND_QUEUE: usize = 256;

/// What a [`ServerSide`] drives: a connection, or one of the Streamable HTTP state
/// machines that hold one and route its output.
pub(crate) trait Served {
    fn connection_mut(&mut self) -> &mut ServerConnection;
    /// The next event (the HTTP machines see it first).
    fn poll_event(&mut self) -> Option<ServerEvent>;
}

impl Served for ServerConnection {
    fn connection_mut(&mut self) -> &mut ServerConnection {
        self
    }

    fn poll_event(&mut self) -> Option<ServerEvent> {
        ServerConnection::poll_event(self)
    }
}

impl Served for HttpSession {
    fn connection_mut(&mut self) -> &mut ServerConnection {
        HttpSession::connection_mut(self)
    }

    fn poll_event(&mut self) -> Option<ServerEvent> {
        HttpSession::poll_event(self)
    }
}

impl Served for HttpExchange {
    fn connection_mut(&mut self) -> &mut ServerConnection {
        HttpExchange::connection_mut(self)
    }

    fn poll_event(&mut self) -> Option<ServerEvent> {
        HttpExchange::poll_event(self)
    }
}

/// A server connection (or an HTTP machine around one) plus the bookkeeping that ties
/// its events to running handlers.
pub(crate) struct ServerSide<M: Served = ServerConnection> {
    pub(crate) connection: M,
    shared: Arc<Shared>,
    runtime: Arc<dyn Runtime>,
    /// Tokens of requests whose handlers run, with the handle that aborts them.
    running: BTreeMap<u64, (ReplyToken, Option<AbortHandle>)>,
    slot_of: BTreeMap<RequestId, u64>,
    /// Legacy server-to-client requests awaiting answers.
    waiting: BTreeMap<RequestHandle, oneshot::Sender<Outcome>>,
    /// Shared with every handler's [`Context`], so starting one clones no sender.
    sender: Arc<mpsc::Sender<Command>>,
    commands: mpsc::Receiver<Command>,
    /// Replies of handlers that finished on their first step, applied after the
    /// commands already in the channel.
    finished: VecDeque<Command>,
    /// `Some` when handlers run inside the task that drives this connection (see
    /// [`Self::run_handlers_inline`]): the handlers in progress, by slot.
    inline: Option<Vec<(u64, ReplyFuture)>>,
}

impl ServerSide {
    /// A connection for a byte stream: either era, so it may seal, and it hears
    /// published changes.
    pub(crate) fn new(server: &Server, runtime: Arc<dyn Runtime>) -> Self {
        let connection = ServerSide::connection_for(server, true);
        ServerSide::around(server, runtime, connection, true)
    }

    /// A fresh connection of `server` that seals only when `seals` (2026 exchanges; a
    /// legacy session never does).
    pub(crate) fn connection_for(server: &Server, seals: bool) -> ServerConnection {
        let sealer = if seals {
            server.shared.shared_sealer()
        } else {
            None
        };
        ServerConnection::with_shared_config(server.shared.shared_config(), sealer)
    }
}

impl<M: Served> ServerSide<M> {
    /// Drives `connection` (a connection, or an HTTP machine holding one), which hears
    /// published changes only when `listens` (a stream, a legacy session, a 2026
    /// `subscriptions/listen`).
    pub(crate) fn around(
        server: &Server,
        runtime: Arc<dyn Runtime>,
        connection: M,
        listens: bool,
    ) -> Self {
        let (sender, commands) = mpsc::channel(COMMAND_QUEUE);
        if listens {
            server.shared.listen(sender.clone());
        }
        ServerSide {
            connection,
            shared: Arc::clone(&server.shared),
            runtime,
            running: BTreeMap::new(),
            slot_of: BTreeMap::new(),
            waiting: BTreeMap::new(),
            sender: Arc::new(sender),
            commands,
            finished: VecDeque::new(),
            inline: None,
        }
    }

    /// Runs handlers inside the task that drives this connection, polled by
    /// [`Side::poll_commands`](crate::stream::Side::poll_commands), instead of
    /// spawning each on the runtime: for a connection that serves one request and whose
    /// task does nothing but wait for its answer (a 2026-07-28 HTTP exchange), which
    /// saves the task, the wake-ups and the channel hop of the reply. Cancellation and
    /// dropping the connection still drop the handler's future, and a panicking handler
    /// still answers -32603.
    pub(crate) fn run_handlers_inline(&mut self) {
        self.inline.get_or_insert_with(Vec::new);
    }

    /// Polls the handlers run inline and takes the replies of those that finished.
    fn poll_inline(&mut self, cx: &mut TaskContext<'_>) -> Vec<(u64, Reply)> {
        let mut finished = Vec::new();
        if let Some(inline) = &mut self.inline {
            inline.retain_mut(|(slot, handler)| match handler.poll_unpin(cx) {
                Poll::Ready(reply) => {
                    finished.push((*slot, reply));
                    false
                }
                Poll::Pending => true,
            });
        }
        finished
    }

    /// Frees what the connection and this bookkeeping keep once emptied (queue capacity,
    /// the first node of a map), for a connection that sits idle for long between
    /// requests: one of thousands of legacy HTTP sessions. Running handlers and queued
    /// commands stay.
    pub(crate) fn shrink_to_fit(&mut self) {
        if self.running.is_empty() {
            self.running = BTreeMap::new();
        }
        if self.slot_of.is_empty() {
            self.slot_of = BTreeMap::new();
        }
        if self.waiting.is_empty() {
            self.waiting = BTreeMap::new();
        }
        self.finished.shrink_to_fit();
        if let Some(inline) = &mut self.inline {
            inline.shrink_to_fit();
        }
    }

    /// The capacity, in elements, of the queues [`Self::shrink_to_fit`] gives back.
    #[cfg(test)]
    pub(crate) fn queue_capacity(&self) -> usize {
        self.finished.capacity()
    }

    /// The JSON-RPC id of the running request in `slot`.
    pub(crate) fn request_id_of(&self, slot: u64) -> Option<&RequestId> {
        self.running.get(&slot).map(|(token, _)| token.id())
    }

    /// The next handler command: from the channel first, then the replies of handlers
    /// that finished at once.
    pub(crate) fn poll_command(&mut self, cx: &mut TaskContext<'_>) -> Poll<Option<Command>> {
        match self.commands.poll_next_unpin(cx) {
            Poll::Ready(Some(command)) => Poll::Ready(Some(command)),
            Poll::Ready(None) => Poll::Ready(self.finished.pop_front()),
            Poll::Pending => match self.finished.pop_front() {
                Some(command) => Poll::Ready(Some(command)),
                None => Poll::Pending,
            },
        }
    }

    /// Applies one handler command.
    pub(crate) fn apply(&mut self, now: Timestamp, command: Command) {
        match command {
            Command::Reply { slot, reply } => {
                if let Some((token, _)) = self.running.remove(&slot) {
                    self.slot_of.remove(token.id());
                    let _ = self.connection.connection_mut().respond(now, token, reply);
                }
            }
            Command::Progress {
                slot,
                progress,
                total,
                message,
            } => {
                if let Some((token, _)) = self.running.get(&slot) {
                    let _ = self
                        .connection
                        .connection_mut()
                        .progress(now, token, progress, total, message);
                }
            }
            Command::Log {
                slot,
                level,
                logger,
                data,
            } => {
                if let Some((token, _)) = self.running.get(&slot) {
                    let _ =
                        self.connection
                            .connection_mut()
                            .log(now, Some(token), level, logger, data);
                }
            }
            Command::Request {
                slot,
                request,
                answer,
            } => {
                let options = RequestOptions::default();
                let sent = match self.running.get(&slot) {
                    Some((token, _)) => self
                        .connection
                        .connection_mut()
                        .send_request_for(now, token, request, options),
                    None => self
                        .connection
                        .connection_mut()
                        .send_request(now, request, options),
                };
                match sent {
                    Ok(handle) => {
                        self.waiting.insert(handle, answer);
                    }
                    Err(error) => {
                        let _ = answer.send(Err(ErrorObject::with_message(
                            ErrorCode::INTERNAL_ERROR,
                            format!("the request could not be sent: {error}"),
                        )));
                    }
                }
            }
            Command::Publish(change) => {
                self.connection.connection_mut().publish(now, change);
            }
            // Only a legacy HTTP session has connections to close; it handles this itself.
            Command::CloseStream { .. } => {}
        }
    }

    /// Takes every pending event; true when there was one.
    pub(crate) fn pump(&mut self, now: Timestamp) -> bool {
        let mut any = false;
        while let Some(event) = self.connection.poll_event() {
            any = true;
            self.on_event(now, event);
        }
        any
    }

    fn on_event(&mut self, now: Timestamp, event: ServerEvent) {
        match event {
            ServerEvent::Request(mut request) => {
                let typed = request.take_typed();
                // Taken field by field: the request is large, and only its parts move on.
                let InboundRequest {
                    token,
                    method,
                    params,
                    context: facts,
                    ..
                } = *request;
                let slot = token.slot();
                let input = InputState {
                    answers: gathered_answers(
                        facts.request_state.as_deref(),
                        facts.input_responses.as_ref(),
                    ),
                    ..InputState::default()
                };
                let context = Context {
                    slot,
                    commands: Arc::clone(&self.sender),
                    era: facts.era,
                    facts: Arc::new(RequestFacts {
                        version: facts.version,
                        capabilities: facts.client_capabilities,
                        client_info: facts.client_info,
                        input: Mutex::new(input),
                    }),
                };
                let started = start(Arc::clone(&self.shared), method, params, typed, context);
                self.slot_of.insert(token.id().clone(), slot);
                let (handler, polled) = match started {
                    Started::Done(reply) => {
                        self.running.insert(slot, (token, None));
                        self.finished.push_back(Command::Reply { slot, reply });
                        return;
                    }
                    Started::Waiting(handler) => (handler, true),
                    Started::Fresh(handler) => (handler, false),
                };
                match &mut self.inline {
                    Some(inline) => {
                        // Cancelling drops it from the list.
                        inline.push((slot, handler));
                        self.running.insert(slot, (token, None));
                    }
                    None => {
                        // The handler's first step runs here: one that answers without
                        // waiting (most do) costs no task, no channel and no wake-up. Its
                        // reply queues behind the commands it sent on the way, as if it
                        // had run elsewhere.
                        let mut handler = handler;
                        let mut first = TaskContext::from_waker(Waker::noop());
                        if !polled {
                            if let Poll::Ready(reply) = handler.as_mut().poll(&mut first) {
                                self.running.insert(slot, (token, None));
                                self.finished.push_back(Command::Reply { slot, reply });
                                return;
                            }
                        }
                        // One that waits carries on as its own task (polled again there,
                        // so it registers the task's waker).
                        let (abort, registration) = AbortHandle::new_pair();
                        self.running.insert(slot, (token, Some(abort)));
                        let mut sender = mpsc::Sender::clone(&self.sender);
                        self.runtime.spawn(Box::pin(async move {
                            if let Ok(reply) = Abortable::new(handler, registration).await {
                                let command = Command::Reply { slot, reply };
                                let _ = futures_util::SinkExt::send(&mut sender, command).await;
                            }
                        }));
                    }
                }
            }
            ServerEvent::Cancelled { id, .. } => {
                // The handler's future is dropped; the token is spent (the reply is
                // swallowed by the connection either way).
                if let Some(slot) = self.slot_of.remove(&id) {
                    if let Some((token, abort)) = self.running.remove(&slot) {
                        match abort {
                            Some(abort) => abort.abort(),
                            None => {
                                if let Some(inline) = &mut self.inline {
                                    inline.retain(|(running, _)| *running != slot);
                                }
                            }
                        }
                        let _ = self.connection.connection_mut().respond(
                            now,
                            token,
                            Reply::error(ErrorCode::INTERNAL_ERROR, "cancelled"),
                        );
                    }
                }
            }
            ServerEvent::Response { handle, outcome } => {
                if let Some(answer) = self.waiting.remove(&handle) {
                    let _ = answer.send(outcome);
                }
            }
            ServerEvent::TimedOut { handle } => {
                if let Some(answer) = self.waiting.remove(&handle) {
                    let _ = answer.send(Err(ErrorObject::with_message(
                        ErrorCode::INTERNAL_ERROR,
                        "the client did not answer in time",
                    )));
                }
            }
            ServerEvent::Closed { .. } => {
                for (_, (_, abort)) in std::mem::take(&mut self.running) {
                    if let Some(abort) = abort {
                        abort.abort();
                    }
                }
                if let Some(inline) = &mut self.inline {
                    inline.clear();
                }
                self.waiting.clear();
                self.commands.close();
            }
            _ => {}
        }
    }
}

impl<M: Served> Drop for ServerSide<M> {
    /// A dropped connection (a closed stream, an abandoned HTTP exchange) stops its
    /// handlers: each running handler's future is dropped.
    fn drop(&mut self) {
        // Handlers run inline go with `inline`.
        for (_, abort) in self.running.values() {
            if let Some(abort) = abort {
                abort.abort();
            }
        }
    }
}

impl<M: Served> ServerSide<M> {
    /// Polls the handlers run inline and applies every command waiting; true when
    /// anything happened.
    pub(crate) fn drive_commands(&mut self, now: Timestamp, cx: &mut TaskContext<'_>) -> bool {
        let finished = self.poll_inline(cx);
        let mut any = !finished.is_empty();
        // What a finished handler sent before it returned (progress, log messages) is in
        // the channel already, and goes out before its reply, as it would from a task.
        while let Poll::Ready(Some(command)) = self.poll_command(cx) {
            self.apply(now, command);
            any = true;
        }
        for (slot, reply) in finished {
            self.apply(now, Command::Reply { slot, reply });
        }
        any
    }
}

impl crate::stream::Side for ServerSide {
    fn poll_commands(&mut self, now: Timestamp, cx: &mut TaskContext<'_>) -> bool {
        self.drive_commands(now, cx)
    }

    fn pump(&mut self, now: Timestamp) -> bool {
        ServerSide::pump(self, now)
    }

    crate::stream::forward_to_connection!();
}

/// Serves one client on a byte stream (stdio, a pipe, a socket) until it closes.
///
/// A handler's first step runs on the connection's drive loop: one that answers without
/// waiting (most do) replies at once, one that waits carries on as its own task on
/// `runtime`, so handlers that await run concurrently. Work that blocks a thread belongs
/// behind an await (a blocking-task pool). A cancelled request's handler future is
/// dropped.
pub async fn serve_stream<S>(server: &Server, runtime: Arc<dyn Runtime>, io: S) -> io::Result<()>
where
    S: AsyncRead + AsyncWrite + Unpin + Send,
{
    let clock = Clock::new(runtime.now());
    let side = ServerSide::new(server, Arc::clone(&runtime));
    crate::stream::StreamDriver::new(side, io, runtime, clock).await
}
