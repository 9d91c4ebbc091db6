//! One client connection under async I/O: [`ClientSide`] ties the connection's events to
//! waiting calls and callbacks; [`connect_stream`] and [`connect_in_memory`] drive it,
//! and the HTTP loop drives one whose connection lives in an [`HttpClient`].

use std::format;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};

use futures_channel::{mpsc, oneshot};
use futures_io::{AsyncRead, AsyncWrite};
use futures_util::{SinkExt, StreamExt};

use crate::client::listen::Listeners;
use crate::client::options::ProgressHandler;
use crate::client::{Call, Client, ClientError, ClientHandlers, Progress, ServerFacts};
use crate::memory::MemoryPair;
use crate::runtime::{Clock, Runtime};
use crate::server::Server;
use crate::server::session::ServerSide;
use crate::stream::{Side, StreamDriver};
use mcp_proto::client::{ClientConfig, ClientConnection, ClientEvent, RequestError};
use mcp_proto::connection::{ReplyToken, RequestHandle};
use mcp_proto::http::HttpClient;
use mcp_proto::jsonrpc::{ErrorCode, ErrorObject, ResultBody};
use mcp_proto::time::Timestamp;
use mcp_proto::types::{
    ElicitAction, ElicitResult, InputRequest, InputResponse, InputResponses, ServerRequest,
};

/// How many callback answers may wait for the drive loop before callback tasks wait.
const ANSWER_QUEUE: usize = 256;

/// What a callback task sends back to the loop.
enum Answer {
    Reply {
        token: ReplyToken,
        result: Result<ResultBody, ErrorObject>,
    },
    Input {
        handle: RequestHandle,
        responses: InputResponses,
    },
    /// Some input request of the round has no answer: the request ends here.
    Unanswerable { handle: RequestHandle },
}

/// Where a [`ClientSide`]'s connection lives: in the side itself (streams, in memory),
/// or inside the [`HttpClient`] state machine that is its HTTP transport.
pub(crate) trait ConnectionHost {
    fn connection(&self) -> &ClientConnection;
    fn connection_mut(&mut self) -> &mut ClientConnection;
}

impl ConnectionHost for ClientConnection {
    fn connection(&self) -> &ClientConnection {
        self
    }

    fn connection_mut(&mut self) -> &mut ClientConnection {
        self
    }
}

impl ConnectionHost for HttpClient {
    fn connection(&self) -> &ClientConnection {
        HttpClient::connection(self)
    }

    fn connection_mut(&mut self) -> &mut ClientConnection {
        HttpClient::connection_mut(self)
    }
}

/// A client connection plus the glue to waiting calls and callbacks.
pub(crate) struct ClientSide<H = ClientConnection> {
    /// The connection, or what holds it.
    pub(crate) host: H,
    runtime: Arc<dyn Runtime>,
    handlers: ClientHandlers,
    facts: Arc<Mutex<ServerFacts>>,
    waiting: BTreeMap<RequestHandle, oneshot::Sender<Result<ResultBody, ClientError>>>,
    ready_waiters: Vec<oneshot::Sender<Result<(), ClientError>>>,
    calls: mpsc::UnboundedReceiver<Call>,
    calls_closed: bool,
    answers_sender: mpsc::Sender<Answer>,
    answers: mpsc::Receiver<Answer>,
    /// Callback tasks that have not sent their answer yet: with none, the answer channel
    /// is not polled (nobody can send on it). A task that dies without answering leaves
    /// the channel polled for good, which costs time, never an answer.
    callbacks_in_flight: usize,
    /// Progress callbacks of calls in flight.
    progress: BTreeMap<RequestHandle, ProgressHandler>,
    /// Subscriptions, open and opening.
    listeners: Listeners,
}

impl ClientSide<ClientConnection> {
    pub(crate) fn new(
        now: Timestamp,
        config: ClientConfig,
        handlers: ClientHandlers,
        runtime: Arc<dyn Runtime>,
    ) -> (Self, Client) {
        ClientSide::with_host(ClientConnection::new(now, config), handlers, runtime)
    }
}

impl<H: ConnectionHost> ClientSide<H> {
    /// A side over the connection `host` holds.
    pub(crate) fn with_host(
        host: H,
        handlers: ClientHandlers,
        runtime: Arc<dyn Runtime>,
    ) -> (Self, Client) {
        // Calls queue without a bound of their own: each belongs to a caller awaiting its
        // answer, so the queue is as long as the application's own concurrency (and the
        // connection refuses requests past `Limits::max_outbound_in_flight`). Sending
        // needs no clone of the sender, which a bounded channel allocates per send.
        let (calls_sender, calls) = mpsc::unbounded();
        // Callback tasks wait when the loop is behind, rather than queueing without bound.
        let (answers_sender, answers) = mpsc::channel(ANSWER_QUEUE);
        let facts = Arc::new(Mutex::new(ServerFacts::default()));
        let side = ClientSide {
            host,
            runtime,
            handlers,
            facts: Arc::clone(&facts),
            waiting: BTreeMap::new(),
            ready_waiters: Vec::new(),
            calls,
            calls_closed: false,
            answers_sender,
            answers,
            callbacks_in_flight: 0,
            progress: BTreeMap::new(),
            listeners: Listeners::default(),
        };
        let client = Client {
            calls: calls_sender,
            facts,
        };
        (side, client)
    }

    fn record_facts(&self) {
        let connection = self.host.connection();
        let mut facts = self.facts.lock().unwrap_or_else(PoisonError::into_inner);
        facts.era = connection.era();
        facts.version = connection.protocol_version().cloned();
        facts.info = connection.server_info().cloned();
        facts.capabilities = connection.server_capabilities().cloned();
        facts.instructions = connection.instructions().map(String::from);
    }

    fn on_call(&mut self, now: Timestamp, call: Call) {
        match call {
            Call::Request {
                request,
                options,
                answer,
            } => match self
                .host
                .connection_mut()
                .send_encoded(now, request, options.request)
            {
                Ok(handle) => {
                    self.waiting.insert(handle, answer);
                    if let Some(callback) = options.on_progress {
                        self.progress.insert(handle, callback);
                    }
                }
                Err(error) => {
                    let _ = answer.send(Err(ClientError::Failed(error.to_string())));
                }
            },
            Call::Ready(answer) => {
                if self.host.connection().is_ready() {
                    // A pinned connection is ready from the start, possibly before its
                    // `Ready` event is pumped: the facts must be there when `ready` returns.
                    self.record_facts();
                    let _ = answer.send(Ok(()));
                } else if self.host.connection().is_closed() {
                    let _ = answer.send(Err(ClientError::Closed));
                } else {
                    self.ready_waiters.push(answer);
                }
            }
            Call::Listen { filter, answer } => {
                self.listeners
                    .open(self.host.connection_mut(), now, filter, answer);
            }
            Call::Unlisten(key) => self.listeners.close(self.host.connection_mut(), now, key),
        }
    }

    fn on_answer(&mut self, now: Timestamp, answer: Answer) {
        match answer {
            Answer::Reply { token, result } => {
                let _ = self.host.connection_mut().respond(now, token, result);
            }
            Answer::Unanswerable { handle } => {
                let _ = self.host.connection_mut().cancel(now, handle, None);
                if let Some(waiter) = self.waiting.remove(&handle) {
                    let _ = waiter.send(Err(ClientError::Failed(String::from(
                        "the server asked for input this client cannot give",
                    ))));
                }
            }
            Answer::Input { handle, responses } => {
                if self
                    .host
                    .connection_mut()
                    .provide_input(now, handle, responses)
                    .is_err()
                {
                    if let Some(waiter) = self.waiting.remove(&handle) {
                        let _ = waiter.send(Err(ClientError::Failed(String::from(
                            "the server's input requests could not be answered",
                        ))));
                    }
                }
            }
        }
    }

    fn finish(&mut self, handle: RequestHandle, outcome: Result<ResultBody, ClientError>) {
        self.progress.remove(&handle);
        if let Some(waiter) = self.waiting.remove(&handle) {
            let _ = waiter.send(outcome);
        }
    }

    fn on_event(&mut self, now: Timestamp, event: ClientEvent) {
        let Some(event) = self
            .listeners
            .on_event(self.host.connection_mut(), now, event)
        else {
            return;
        };
        match event {
            ClientEvent::Ready { .. } => {
                self.record_facts();
                for waiter in self.ready_waiters.drain(..) {
                    let _ = waiter.send(Ok(()));
                }
            }
            ClientEvent::Response {
                handle, outcome, ..
            } => self.finish(handle, outcome.map_err(ClientError::Rpc)),
            ClientEvent::Failed { handle, error } => {
                let error = match error {
                    RequestError::ConnectionClosed => ClientError::Closed,
                    other => ClientError::Failed(other.to_string()),
                };
                self.finish(handle, Err(error));
            }
            ClientEvent::TimedOut { handle } => self.finish(handle, Err(ClientError::TimedOut)),
            ClientEvent::Cancelled { handle } => self.finish(handle, Err(ClientError::Cancelled)),
            ClientEvent::InputRequired {
                handle, requests, ..
            } => {
                let handlers = self.handlers.clone();
                let mut sender = self.answers_sender.clone();
                self.callbacks_in_flight += 1;
                self.runtime.spawn(Box::pin(async move {
                    let answers = requests.into_iter().map(|(key, request)| {
                        let handlers = handlers.clone();
                        async move { (key, fulfil(&handlers, request).await) }
                    });
                    let answered = futures_util::future::join_all(answers).await;
                    let responses: Option<InputResponses> = answered
                        .into_iter()
                        .map(|(key, answer)| answer.map(|answer| (key, answer)))
                        .collect();
                    let answer = match responses {
                        Some(responses) => Answer::Input { handle, responses },
                        None => Answer::Unanswerable { handle },
                    };
                    let _ = sender.send(answer).await;
                }));
            }
            ClientEvent::Request { token, request } => {
                let handlers = self.handlers.clone();
                let mut sender = self.answers_sender.clone();
                self.callbacks_in_flight += 1;
                self.runtime.spawn(Box::pin(async move {
                    let result = answer_request(&handlers, request).await;
                    let _ = sender.send(Answer::Reply { token, result }).await;
                }));
            }
            ClientEvent::Progress { handle, params } => {
                if let Some(callback) = self.progress.get(&handle) {
                    if !run_callback(|| callback(Progress::from(params))) {
                        self.progress.remove(&handle);
                    }
                }
            }
            ClientEvent::Log { params } => {
                if let Some(handler) = &self.handlers.log {
                    if !run_callback(|| handler(params)) {
                        self.handlers.log = None;
                    }
                }
            }
            ClientEvent::Closed { .. } => {
                self.progress.clear();
                for (_, waiter) in std::mem::take(&mut self.waiting) {
                    let _ = waiter.send(Err(ClientError::Closed));
                }
                for waiter in self.ready_waiters.drain(..) {
                    let _ = waiter.send(Err(ClientError::Closed));
                }
            }
            _ => {}
        }
    }
}

/// Runs an application callback on the drive loop; false when it panicked (the loop
/// carries on without it).
fn run_callback(callback: impl FnOnce()) -> bool {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(callback)).is_ok()
}

/// A declined elicitation: what a client without a callback answers.
fn declined() -> ElicitResult {
    ElicitResult::new(ElicitAction::Decline)
}

/// This round's answer to one input request, or `None` when the client cannot give one
/// (no callback, or the callback refused): the retry is then not sent.
async fn fulfil(handlers: &ClientHandlers, request: InputRequest) -> Option<InputResponse> {
    match request {
        InputRequest::Elicit(params) => Some(InputResponse::from(match &handlers.elicit {
            Some(handler) => handler(params).await,
            None => declined(),
        })),
        InputRequest::CreateMessage(params) => {
            let handler = handlers.sample.as_ref()?;
            handler(*params).await.ok().map(InputResponse::from)
        }
        InputRequest::ListRoots(_) => {
            let handler = handlers.roots.as_ref()?;
            Some(InputResponse::from(handler().await))
        }
        _ => None,
    }
}

fn encode<T: serde::Serialize>(result: &T) -> Result<ResultBody, ErrorObject> {
    ResultBody::from_serialize(result)
        .map_err(|error| ErrorObject::with_message(ErrorCode::INTERNAL_ERROR, error.to_string()))
}

async fn answer_request(
    handlers: &ClientHandlers,
    request: ServerRequest,
) -> Result<ResultBody, ErrorObject> {
    let unsupported = |method: &str| {
        ErrorObject::with_message(
            ErrorCode::METHOD_NOT_FOUND,
            format!("Method not found: {method}"),
        )
    };
    match request {
        ServerRequest::Elicit(params) => match &handlers.elicit {
            Some(handler) => encode(&handler(params).await),
            None => encode(&declined()),
        },
        ServerRequest::CreateMessage(params) => match &handlers.sample {
            Some(handler) => encode(&handler(*params).await?),
            None => Err(unsupported("sampling/createMessage")),
        },
        ServerRequest::ListRoots(_) => match &handlers.roots {
            Some(handler) => encode(&handler().await),
            None => Err(unsupported("roots/list")),
        },
        other => Err(unsupported(other.method())),
    }
}

impl<H: ConnectionHost> ClientSide<H> {
    /// Applies every call and callback answer waiting for the loop; true when there was
    /// one.
    pub(crate) fn apply_commands(&mut self, now: Timestamp, cx: &mut Context<'_>) -> bool {
        let mut any = false;
        while !self.calls_closed {
            match self.calls.poll_next_unpin(cx) {
                Poll::Ready(Some(call)) => {
                    self.on_call(now, call);
                    any = true;
                }
                Poll::Ready(None) => {
                    // Every `Client` was dropped: close the connection.
                    self.calls_closed = true;
                    self.host.connection_mut().close(now);
                    any = true;
                }
                Poll::Pending => break,
            }
        }
        while self.callbacks_in_flight > 0 {
            let Poll::Ready(Some(answer)) = self.answers.poll_next_unpin(cx) else {
                break;
            };
            self.callbacks_in_flight -= 1;
            self.on_answer(now, answer);
            any = true;
        }
        any
    }

    /// Takes every event of the connection; true when there was one.
    pub(crate) fn drain_events(&mut self, now: Timestamp) -> bool {
        let mut any = false;
        while let Some(event) = self.host.connection_mut().poll_event() {
            any = true;
            self.on_event(now, event);
        }
        any
    }
}

impl Side for ClientSide<ClientConnection> {
    fn poll_commands(&mut self, now: Timestamp, cx: &mut Context<'_>) -> bool {
        self.apply_commands(now, cx)
    }

    fn pump(&mut self, now: Timestamp) -> bool {
        self.drain_events(now)
    }

    fn wants_input(&self) -> bool {
        self.host.wants_input()
    }

    fn handle_bytes(&mut self, now: Timestamp, data: &[u8]) {
        self.host.handle_bytes(now, data);
    }

    fn handle_eof(&mut self, now: Timestamp) {
        self.host.handle_eof(now);
    }

    fn handle_timeout(&mut self, now: Timestamp) {
        self.host.handle_timeout(now);
    }

    fn poll_timeout(&self) -> Option<Timestamp> {
        self.host.poll_timeout()
    }

    fn poll_transmit(&mut self, out: &mut Vec<u8>) -> bool {
        self.host.poll_transmit(out).is_some()
    }

    fn is_closed(&self) -> bool {
        self.host.is_closed()
    }
}

/// Connects to a server on a byte stream (a child process's stdio, a socket): the drive
/// loop runs on `runtime`, and this returns once negotiation is over.
pub async fn connect_stream<S>(
    config: ClientConfig,
    handlers: ClientHandlers,
    runtime: Arc<dyn Runtime>,
    io: S,
) -> Result<Client, ClientError>
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let clock = Clock::new(runtime.now());
    let now = clock.timestamp(runtime.now());
    let (side, client) = ClientSide::new(now, config, handlers, Arc::clone(&runtime));
    let driver = StreamDriver::new(side, io, Arc::clone(&runtime), clock);
    runtime.spawn(Box::pin(async move {
        let _ = driver.await;
    }));
    client.ready().await?;
    Ok(client)
}

/// Connects a client to a server in the same process: no framing, no pipe. One task
/// drives both connections, which hand each other whole batches of lines, so a call
/// costs no wake-up between client and server.
pub async fn connect_in_memory(
    server: &Server,
    config: ClientConfig,
    handlers: ClientHandlers,
    runtime: Arc<dyn Runtime>,
) -> Result<Client, ClientError> {
    let clock = Clock::new(runtime.now());
    let now = clock.timestamp(runtime.now());
    let (client_side, client) = ClientSide::new(now, config, handlers, Arc::clone(&runtime));
    let server_side = ServerSide::new(server, Arc::clone(&runtime));
    runtime.spawn(Box::pin(MemoryPair::new(
        client_side,
        server_side,
        Arc::clone(&runtime),
        clock,
    )));
    client.ready().await?;
    Ok(client)
}
