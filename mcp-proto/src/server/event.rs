//! What a server connection tells the application, and what the application answers.

use alloc::string::String;
use alloc::vec::Vec;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::connection::{CloseReason, Outcome, ReplyToken, RequestHandle};
use crate::json::RawJson;
use crate::jsonrpc::{ErrorCode, ErrorObject, Params, RequestId};
use crate::types::{
    ClientCapabilities, ClientNotification, ClientRequest, Implementation, InputRequests,
    InputResponses, LoggingLevel, ProgressToken, SubscriptionFilter,
};
use crate::version::{Era, ProtocolVersion};

/// Something the application must know or act on, from
/// [`ServerConnection::poll_event`](crate::server::ServerConnection::poll_event).
#[derive(Debug)]
#[non_exhaustive]
pub enum ServerEvent {
    /// The era of the connection is decided: a legacy session was initialized (the
    /// `initialize` result is queued), or the first 2026-07-28 request arrived.
    Ready {
        /// The era.
        era: Era,
        /// The session's negotiated version (legacy) or the first request's (modern).
        version: ProtocolVersion,
    },
    /// Legacy: the client sent `notifications/initialized`; requests to it may start.
    Initialized,
    /// A request for the application. Answer it exactly once with
    /// [`ServerConnection::respond`](crate::server::ServerConnection::respond).
    Request(alloc::boxed::Box<InboundRequest>),
    /// The client withdrew a request the application is working on; stop, and expect any
    /// later reply to be swallowed.
    Cancelled {
        /// The request's JSON-RPC id.
        id: RequestId,
        /// The reason the client gave.
        reason: Option<String>,
    },
    /// A notification the core does not handle itself (`roots/list_changed`, …).
    Notification(ClientNotification),
    /// Legacy: the answer to a server-to-client request.
    Response {
        /// The request.
        handle: RequestHandle,
        /// Its result or error.
        outcome: Outcome,
    },
    /// Legacy: a server-to-client request passed its deadline; `notifications/cancelled`
    /// is already queued.
    TimedOut {
        /// The request.
        handle: RequestHandle,
    },
    /// 2026-07-28: a `subscriptions/listen` stream opened (its acknowledgement is queued).
    SubscriptionOpened {
        /// The listen request's id, which tags every notification of the stream.
        id: RequestId,
        /// What the stream delivers: the acknowledged subset of the request.
        filter: SubscriptionFilter,
    },
    /// A listen stream ended: the client cancelled it, it overflowed, or the server
    /// ended it.
    SubscriptionClosed {
        /// The listen request's id.
        id: RequestId,
    },
    /// The connection closed. Always the last event.
    Closed {
        /// Why.
        reason: CloseReason,
    },
}

/// One inbound request, admitted: its envelope checked for the version it claims, its
/// state (if any) verified.
#[derive(Debug)]
pub struct InboundRequest {
    /// Answer through this, exactly once.
    pub token: ReplyToken,
    /// The method.
    pub method: String,
    /// The params, raw; decode with [`InboundRequest::decode`] or [`InboundRequest::typed`].
    pub params: Option<Params>,
    /// What the request carries besides its params.
    pub context: RequestContext,
    /// The params as validation decoded them (`None` for a vendor method), so that a
    /// driver routing the request as it came need not decode them again.
    pub(crate) typed: Option<ClientRequest>,
}

impl InboundRequest {
    /// The params decoded as `T`.
    pub fn decode<T: DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        match &self.params {
            Some(params) => params.decode(),
            None => serde_json::from_str("{}"),
        }
    }

    /// The request as the typed model.
    pub fn typed(&self) -> Result<ClientRequest, serde_json::Error> {
        // Decoded afresh: the fields are public and may have been changed since.
        ClientRequest::decode(&self.method, self.params.as_ref())
    }

    /// Takes the params as validation decoded them, when it kept them (`None` for a
    /// vendor method, or once taken): a server that routes the request by its typed form
    /// need not decode the params a second time.
    pub fn take_typed(&mut self) -> Option<ClientRequest> {
        self.typed.take()
    }
}

/// The per-request facts the application may act on.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct RequestContext {
    /// The version the request is served under.
    pub version: ProtocolVersion,
    /// Its era.
    pub era: Era,
    /// The client's capabilities: this request's own at 2026-07-28, the session's at
    /// 2025-11-25. Never rely on one not listed here.
    pub client_capabilities: ClientCapabilities,
    /// Who the client says it is (self-reported: for display and logs only).
    pub client_info: Option<Implementation>,
    /// Progress may be reported when the request carries a token.
    pub progress_token: Option<ProgressToken>,
    /// 2026-07-28: log messages at or above this level may accompany the request.
    pub log_level: Option<LoggingLevel>,
    /// 2026-07-28 retry of a multi-round-trip request: the client's answers, by key.
    pub input_responses: Option<InputResponses>,
    /// 2026-07-28 retry: the application state sealed into the previous round's
    /// `requestState`, verified and opened.
    pub request_state: Option<Vec<u8>>,
}

/// The application's answer to an inbound request.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum Reply {
    /// A result: one JSON object. The connection shapes it for the era (adds or strips
    /// `resultType` and cache hints) and validates it before it leaves.
    Result(RawJson),
    /// An error.
    Error(ErrorObject),
    /// 2026-07-28 `tools/call`, `prompts/get` and `resources/read` only: the client must
    /// supply input and retry.
    InputRequired(InputRequired),
}

impl Reply {
    /// A result from any serialisable value (an internal error when it cannot encode).
    pub fn result<T: Serialize + ?Sized>(value: &T) -> Reply {
        match RawJson::from_serialize(value) {
            Ok(raw) => Reply::Result(raw),
            Err(error) => Reply::Error(ErrorObject::with_message(
                ErrorCode::INTERNAL_ERROR,
                alloc::format!("result could not be encoded: {error}"),
            )),
        }
    }

    /// An error with `code` and `message`.
    pub fn error(code: ErrorCode, message: impl Into<String>) -> Reply {
        Reply::Error(ErrorObject::with_message(code, message))
    }

    /// A tool's result: a plain one (text blocks, optionally `isError`, nothing else)
    /// written directly, byte for byte what serde would write, without serde's walk; any
    /// other through serde.
    pub fn tool_result(result: &crate::types::CallToolResult) -> Reply {
        match result.plain_json() {
            Some(raw) => Reply::Result(raw),
            None => Reply::result(result),
        }
    }
}

/// "Input required": what the client must gather before retrying, and the state the
/// server wants back.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct InputRequired {
    /// Elicitation, sampling and roots requests, by server-chosen key.
    pub requests: InputRequests,
    /// Application state to seal into `requestState` and get back, verified, on the
    /// retry. `None` sends no state.
    pub state: Option<Vec<u8>>,
}

/// A change the server publishes to every listener of either era.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Change {
    /// The tool list changed.
    ToolsListChanged,
    /// The prompt list changed.
    PromptsListChanged,
    /// The resource list changed.
    ResourcesListChanged,
    /// The resource at this URI (or under it) changed.
    ResourceUpdated(String),
}
