//! What the client and server connections share: outbound queues, the table of our own
//! requests awaiting answers, handles, and the errors of the application-facing API.
//!
//! Both connection types follow one run-loop contract (quinn's and str0m's):
//!
//! 1. feed what happened with a `handle_*` call (`handle_bytes`, `handle_eof`,
//!    `handle_timeout`), or issue an application command (`respond`, `send_request`, …);
//! 2. drain, in this order, `poll_transmit` until `None` (write those bytes),
//!    then `poll_event` until `None` (act on them), then read `poll_timeout` (call
//!    `handle_timeout` at that time);
//! 3. repeat.
//!
//! Every call that can move time takes `now` first; a `now` smaller than one seen before
//! is clamped, so time never runs backwards inside a connection.

mod error;
mod outbox;
mod pending;

pub use error::{ApiMisuse, CloseReason, SendError};
pub(crate) use outbox::Outbox;
pub(crate) use pending::{Classified, Pending, PendingTable};

use crate::jsonrpc::{ErrorObject, RequestId, ResultBody};

/// Bytes `poll_transmit` appended to the caller's buffer: write them to the peer.
#[must_use = "the appended bytes must be written to the peer"]
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Transmit {
    /// How many bytes were appended (one framed message, newline included).
    pub len: usize,
    /// The inbound request the message belongs to, if any. A stream transport writes
    /// every message to its one stream and can ignore it; Streamable HTTP answers each
    /// POSTed request on that POST's own response, and routes by it.
    pub related: Related,
}

/// What an outgoing message belongs to: one inbound request, or the connection as a
/// whole.
///
/// A server knows it for every message it sends: a response answers the request of its
/// id; progress, log messages and server-to-client requests made while serving a request
/// belong to that request; published changes and the cancellation of a timed-out
/// request of our own belong to no request. A client's messages belong to no request.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Related {
    /// The connection as a whole (Streamable HTTP: the standalone `GET` stream).
    #[default]
    Connection,
    /// Sent while serving the inbound request of this id, before its response.
    Request(RequestId),
    /// The response that ends the inbound request of this id.
    Response(RequestId),
}

impl Related {
    /// The id of the inbound request the message belongs to, if any.
    pub fn request_id(&self) -> Option<&RequestId> {
        match self {
            Related::Connection => None,
            Related::Request(id) | Related::Response(id) => Some(id),
        }
    }

    /// True when the message is the response that ends its request.
    pub fn is_response(&self) -> bool {
        matches!(self, Related::Response(_))
    }
}

/// A request we sent, as the application names it. Stays the same across retries that
/// change the JSON-RPC id (multi-round-trip rounds, version re-probes).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RequestHandle(pub(crate) u64);

impl RequestHandle {
    /// The handle's number, unique within its connection.
    pub fn as_u64(self) -> u64 {
        self.0
    }
}

/// The right, and the duty, to answer one inbound request exactly once.
///
/// Handed out with each inbound request event and consumed by the connection's `respond`.
/// It is plain data (movable into a handler task). Dropping it does not answer the
/// request: the connection keeps the request in flight until it is answered, cancelled
/// or the connection closes.
#[must_use = "every inbound request must be answered through its token"]
#[derive(Debug, PartialEq, Eq)]
pub struct ReplyToken {
    pub(crate) slot: u64,
    pub(crate) id: RequestId,
}

impl ReplyToken {
    /// The JSON-RPC id of the request this token answers.
    pub fn id(&self) -> &RequestId {
        &self.id
    }

    /// The connection-local number of the request, as progress and log calls name it.
    pub fn slot(&self) -> u64 {
        self.slot
    }
}

/// What became of an application reply or notification.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Delivery {
    /// Queued for the peer as given (after the era's shaping of the result).
    Sent,
    /// Not sent, and rightly so: the request was cancelled or the connection closed.
    Swallowed,
    /// Not sent because nobody asked for it (progress without a token, a log message
    /// below the requested level or without one).
    Filtered,
    /// The reply could not go out as given; the peer received this error instead, so
    /// the request is still answered exactly once.
    Replaced {
        /// The error the peer received.
        error: ErrorObject,
        /// Why the reply was replaced.
        cause: ReplaceCause,
    },
}

/// Why a reply was replaced by an error.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum ReplaceCause {
    /// The result breaks the schema or a rule of the version it goes out under (-32603).
    InvalidResult,
    /// An input request needs a client capability this request did not declare (-32021).
    UndeclaredCapability,
    /// "Input required" is only for `tools/call`, `prompts/get` and `resources/read` at
    /// 2026-07-28; legacy sessions use server-to-client requests instead (-32603).
    InputRequiredNotAllowed,
    /// The state could not be sealed: no sealer configured, or the sealer refused (-32603).
    SealFailed,
}

/// How one of our requests ended.
pub type Outcome = Result<ResultBody, ErrorObject>;
