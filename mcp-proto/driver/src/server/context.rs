//! The request context a handler receives, and the errors a handler returns.
//!
//! [`Context`] is how a handler talks back while it runs: progress, log messages, and
//! **era-portable input**. [`Context::elicit`] (and [`Context::sample`],
//! [`Context::roots`]) asks the client for input the way the request's era allows:
//!
//! - on a 2025-11-25 session it sends a live `elicitation/create` request to the client
//!   and waits for the answer;
//! - at 2026-07-28 there is no back channel: the first call returns
//!   [`Interrupt::InputRequired`], the handler returns it (with `?`), and the driver
//!   answers "input required". When the client retries with the answer, the handler runs
//!   again from the start and this time the same call returns the answer. Answers of
//!   earlier rounds travel in the sealed `requestState`, so a handler may ask several
//!   times; it must ask in the same order on every run.
//!
//! One handler body therefore serves both eras.

use std::format;

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

use futures_channel::{mpsc, oneshot};
use futures_util::SinkExt;
use serde::de::DeserializeOwned;

use mcp_proto::connection::Outcome;
use mcp_proto::json::RawJson;
use mcp_proto::jsonrpc::{ErrorCode, ErrorObject};
use mcp_proto::types::{
    ClientCapabilities, CreateMessageRequestParams, CreateMessageResult, ElicitRequestParams,
    ElicitResult, Implementation, InputRequest, InputRequests, InputResponse, InputResponses,
    ListRootsResult, LoggingLevel, ServerRequest,
};
use mcp_proto::version::{Era, ProtocolVersion};

/// What a handler sends to its connection's drive loop.
#[derive(Debug)]
pub(crate) enum Command {
    /// A handler finished.
    Reply {
        slot: u64,
        reply: mcp_proto::server::Reply,
    },
    /// Progress on a request.
    Progress {
        slot: u64,
        progress: f64,
        total: Option<f64>,
        message: Option<String>,
    },
    /// A log message for a request.
    Log {
        slot: u64,
        level: LoggingLevel,
        logger: Option<String>,
        data: RawJson,
    },
    /// A legacy server-to-client request.
    Request {
        /// The inbound request on whose behalf it is asked (HTTP routes it to that
        /// request's stream).
        slot: u64,
        request: ServerRequest,
        answer: oneshot::Sender<Outcome>,
    },
    /// A change to publish.
    Publish(mcp_proto::server::Change),
    /// End the connection carrying a request's SSE stream, telling the client to
    /// reconnect after `retry` (legacy Streamable HTTP; ignored elsewhere).
    CloseStream {
        slot: u64,
        retry: std::time::Duration,
    },
}

/// What the multi-round-trip rounds of one request have gathered so far.
#[derive(Debug, Default)]
pub(crate) struct InputState {
    /// Answers by key: from the sealed state of earlier rounds and this retry.
    pub(crate) answers: BTreeMap<String, InputResponse>,
    /// Input requests this run made that have no answer yet.
    pub(crate) pending: InputRequests,
    /// How many input calls this run made (the next key's number).
    pub(crate) calls: u32,
}

/// Everything a handler may learn about its request and do while it runs.
#[derive(Clone)]
pub struct Context {
    pub(crate) slot: u64,
    /// The connection's command channel, shared: each send clones a sender of its own.
    pub(crate) commands: Arc<mpsc::Sender<Command>>,
    pub(crate) era: Era,
    /// The rest, behind one allocation: a context is small to move (it travels into the
    /// handler's future) and shares its input state with the driver.
    pub(crate) facts: Arc<RequestFacts>,
}

/// What a [`Context`] knows of its request besides the era.
pub(crate) struct RequestFacts {
    pub(crate) version: ProtocolVersion,
    pub(crate) capabilities: ClientCapabilities,
    pub(crate) client_info: Option<Implementation>,
    /// The multi-round-trip input of this run, read by the driver when it returns.
    pub(crate) input: Mutex<InputState>,
}

impl fmt::Debug for Context {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Context")
            .field("era", &self.era)
            .field("version", &self.facts.version)
            .finish_non_exhaustive()
    }
}

/// Why a handler had to stop where it was.
#[derive(Debug)]
#[non_exhaustive]
pub enum Interrupt {
    /// 2026-07-28: the client must supply input first; return this from the handler and
    /// the driver answers "input required". The handler runs again on the retry.
    InputRequired,
    /// The input could not be obtained (the client lacks the capability, refused, timed
    /// out or the connection closed); the request fails with this error.
    Failed(ErrorObject),
}

impl fmt::Display for Interrupt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Interrupt::InputRequired => f.write_str("input required from the client"),
            Interrupt::Failed(error) => write!(f, "{error}"),
        }
    }
}

impl Context {
    /// The era of the request.
    pub fn era(&self) -> Era {
        self.era
    }

    /// The protocol version the request is served under.
    pub fn protocol_version(&self) -> &ProtocolVersion {
        &self.facts.version
    }

    /// The client's capabilities for this request.
    pub fn client_capabilities(&self) -> &ClientCapabilities {
        &self.facts.capabilities
    }

    /// The client, as it introduced itself (for display and logs only).
    pub fn client_info(&self) -> Option<&Implementation> {
        self.facts.client_info.as_ref()
    }

    /// Reports progress; sent only when the request asked for progress. `progress` must
    /// increase with every report.
    pub async fn progress(&self, progress: f64, total: Option<f64>, message: Option<String>) {
        let command = Command::Progress {
            slot: self.slot,
            progress,
            total,
            message,
        };
        let _ = mpsc::Sender::clone(&self.commands).send(command).await;
    }

    /// Sends a log message with this request; sent only at or above the level the client
    /// asked for.
    pub async fn log(&self, level: LoggingLevel, data: impl serde::Serialize) {
        let Ok(data) = RawJson::from_serialize(&data) else {
            return;
        };
        let command = Command::Log {
            slot: self.slot,
            level,
            logger: None,
            data,
        };
        let _ = mpsc::Sender::clone(&self.commands).send(command).await;
    }

    /// Ends the HTTP connection carrying this request's SSE stream now, with a `retry`
    /// hint, while the request goes on ("SSE polling", 2025-11-25 Streamable HTTP): the
    /// client reconnects after `retry` with `GET` and `Last-Event-ID`, and what the
    /// handler sends meanwhile (its result too) waits in the session's replay buffer.
    /// It spares long-running requests a long-lived connection. It does nothing on
    /// other transports, at 2026-07-28 (no resumption there), or for clients older than
    /// 2025-11-25 (no priming events to resume from).
    pub async fn close_stream(&self, retry: std::time::Duration) {
        let command = Command::CloseStream {
            slot: self.slot,
            retry,
        };
        let _ = mpsc::Sender::clone(&self.commands).send(command).await;
    }

    /// Asks the user for input through the client (form or URL elicitation), in the way
    /// the request's era allows (see the module docs).
    pub async fn elicit(&self, params: ElicitRequestParams) -> Result<ElicitResult, Interrupt> {
        if self.facts.capabilities.elicitation.is_none() {
            return Err(missing("elicitation"));
        }
        self.ask(
            InputRequest::Elicit(params.clone()),
            ServerRequest::Elicit(params),
        )
        .await
    }

    /// Asks the client's model for a completion (sampling).
    pub async fn sample(
        &self,
        params: CreateMessageRequestParams,
    ) -> Result<CreateMessageResult, Interrupt> {
        if self.facts.capabilities.sampling.is_none() {
            return Err(missing("sampling"));
        }
        let boxed = Box::new(params);
        self.ask(
            InputRequest::CreateMessage(boxed.clone()),
            ServerRequest::CreateMessage(boxed),
        )
        .await
    }

    /// Asks the client for its roots.
    pub async fn roots(&self) -> Result<ListRootsResult, Interrupt> {
        if self.facts.capabilities.roots.is_none() {
            return Err(missing("roots"));
        }
        self.ask(
            InputRequest::ListRoots(None),
            ServerRequest::ListRoots(None),
        )
        .await
    }

    /// Asks for several inputs at once, each under a key the handler chooses (at
    /// 2026-07-28 the keys are the `inputRequests` keys the client sees and answers).
    ///
    /// On a 2025-11-25 session each request goes to the client live, in key order, and
    /// the answers come back together. At 2026-07-28 the first run returns
    /// [`Interrupt::InputRequired`] asking for every key at once; the retry that answers
    /// them all returns the answers. A retry that leaves a key unanswered asks again for
    /// the missing ones. Each request needs its client capability (elicitation,
    /// sampling or roots), checked against this request's client; a method that is none
    /// of these fails with -32602.
    pub async fn input(&self, requests: InputRequests) -> Result<InputResponses, Interrupt> {
        for request in requests.values() {
            let declared = match request {
                InputRequest::Elicit(_) => self.facts.capabilities.elicitation.is_some(),
                InputRequest::CreateMessage(_) => self.facts.capabilities.sampling.is_some(),
                InputRequest::ListRoots(_) => self.facts.capabilities.roots.is_some(),
                other => return Err(unaskable(other.method())),
            };
            if !declared {
                return Err(missing(capability_name(request)));
            }
        }
        match self.era {
            Era::Legacy => {
                let mut answers = InputResponses::new();
                for (key, request) in requests {
                    let answer: InputResponse = self.send_live(live_request(request)?).await?;
                    answers.insert(key, answer);
                }
                Ok(answers)
            }
            _ => {
                let mut state = self
                    .facts
                    .input
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner);
                let mut answers = InputResponses::new();
                let mut missing_any = false;
                for (key, request) in requests {
                    match state.answers.get(&key) {
                        Some(answer) if answer.method() == request_method(&request) => {
                            answers.insert(key, answer.clone());
                        }
                        _ => {
                            missing_any = true;
                            state.pending.insert(key, request);
                        }
                    }
                }
                if missing_any {
                    Err(Interrupt::InputRequired)
                } else {
                    Ok(answers)
                }
            }
        }
    }

    async fn ask<T: DeserializeOwned>(
        &self,
        input: InputRequest,
        request: ServerRequest,
    ) -> Result<T, Interrupt> {
        match self.era {
            Era::Legacy => self.send_live(request).await,
            _ => {
                let mut state = self
                    .facts
                    .input
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner);
                state.calls += 1;
                let key = format!("input-{}", state.calls);
                if let Some(answer) = state.answers.get(&key) {
                    let value = serde_json::to_value(answer).map_err(malformed)?;
                    return serde_json::from_value(value).map_err(malformed);
                }
                state.pending.insert(key, input);
                Err(Interrupt::InputRequired)
            }
        }
    }

    /// Sends a legacy server-to-client request and waits for the client's answer.
    async fn send_live<T: DeserializeOwned>(&self, request: ServerRequest) -> Result<T, Interrupt> {
        let (answer, response) = oneshot::channel();
        let command = Command::Request {
            slot: self.slot,
            request,
            answer,
        };
        if mpsc::Sender::clone(&self.commands)
            .send(command)
            .await
            .is_err()
        {
            return Err(closed());
        }
        match response.await {
            Ok(Ok(body)) => body.decode().map_err(malformed),
            Ok(Err(error)) => Err(Interrupt::Failed(error)),
            Err(_) => Err(closed()),
        }
    }
}

fn malformed(error: impl fmt::Display) -> Interrupt {
    Interrupt::Failed(ErrorObject::with_message(
        ErrorCode::INVALID_PARAMS,
        format!("the client's answer is malformed: {error}"),
    ))
}

/// The client capability an input request needs.
fn capability_name(request: &InputRequest) -> &'static str {
    match request {
        InputRequest::Elicit(_) => "elicitation",
        InputRequest::CreateMessage(_) => "sampling",
        _ => "roots",
    }
}

/// The method an input request asks, as its answer reports it.
fn request_method(request: &InputRequest) -> mcp_proto::types::Method {
    use mcp_proto::types::Method;
    match request {
        InputRequest::Elicit(_) => Method::ElicitationCreate,
        InputRequest::CreateMessage(_) => Method::SamplingCreateMessage,
        _ => Method::RootsList,
    }
}

/// The live legacy request for an input request (`input` refuses other methods first).
fn live_request(request: InputRequest) -> Result<ServerRequest, Interrupt> {
    match request {
        InputRequest::Elicit(params) => Ok(ServerRequest::Elicit(params)),
        InputRequest::CreateMessage(params) => Ok(ServerRequest::CreateMessage(params)),
        InputRequest::ListRoots(params) => Ok(ServerRequest::ListRoots(params)),
        other => Err(unaskable(other.method())),
    }
}

fn unaskable(method: &str) -> Interrupt {
    Interrupt::Failed(ErrorObject::with_message(
        ErrorCode::INVALID_PARAMS,
        format!("{method} cannot be asked of the client"),
    ))
}

fn missing(capability: &str) -> Interrupt {
    Interrupt::Failed(
        ErrorObject::with_message(
            ErrorCode::MISSING_REQUIRED_CLIENT_CAPABILITY,
            format!("This request needs the {capability} client capability"),
        )
        .with_data(&serde_json::json!({ "requiredCapabilities": { capability: {} } })),
    )
}

fn closed() -> Interrupt {
    Interrupt::Failed(ErrorObject::with_message(
        ErrorCode::INTERNAL_ERROR,
        "the connection closed",
    ))
}

/// How a tool handler fails.
///
/// A plain failure (any error type converts with `?`) becomes a result with
/// `isError: true`, which the model sees; [`ToolError::Protocol`] becomes a JSON-RPC
/// error; an [`Interrupt`] asks for input or fails the request.
#[derive(Debug)]
#[non_exhaustive]
pub enum ToolError {
    /// The tool ran and failed; the text goes to the model.
    Failed(String),
    /// The request itself is wrong (unknown argument, …): a JSON-RPC error.
    Protocol(ErrorObject),
    /// Input is needed or could not be obtained.
    Interrupted(Interrupt),
}

impl ToolError {
    /// A failure reported to the model.
    pub fn failed(message: impl Into<String>) -> Self {
        ToolError::Failed(message.into())
    }

    /// A JSON-RPC error for the caller.
    pub fn protocol(code: ErrorCode, message: impl Into<String>) -> Self {
        ToolError::Protocol(ErrorObject::with_message(code, message))
    }
}

impl fmt::Display for ToolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ToolError::Failed(message) => f.write_str(message),
            ToolError::Protocol(error) => write!(f, "{error}"),
            ToolError::Interrupted(interrupt) => write!(f, "{interrupt}"),
        }
    }
}

impl From<Interrupt> for ToolError {
    fn from(interrupt: Interrupt) -> Self {
        ToolError::Interrupted(interrupt)
    }
}

impl<E: std::error::Error + Send + Sync + 'static> From<E> for ToolError {
    fn from(error: E) -> Self {
        ToolError::Failed(error.to_string())
    }
}
