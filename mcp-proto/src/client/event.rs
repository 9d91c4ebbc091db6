//! What a client connection tells the application: [`ClientEvent`].

use alloc::string::String;

use crate::connection::{CloseReason, ReplyToken, RequestHandle};
use crate::jsonrpc::{ErrorObject, RequestId, ResultBody};
use crate::types::{
    InputRequests, LoggingMessageNotificationParams, ProgressNotificationParams,
    ServerNotification, ServerRequest, SubscriptionFilter,
};
use crate::version::{Era, ProtocolVersion};

/// Something the application must know or act on, drained with
/// [`ClientConnection::poll_event`](crate::client::ClientConnection::poll_event).
///
/// Every request handle ends with exactly one terminal event: [`Response`],
/// [`Failed`], [`TimedOut`], [`Cancelled`] or, for `subscriptions/listen`,
/// [`SubscriptionEnded`]. [`InputRequired`] is not terminal: the request waits for
/// [`provide_input`](crate::client::ClientConnection::provide_input) (or `cancel`).
/// [`Closed`] is always the last event.
///
/// [`Response`]: ClientEvent::Response
/// [`Failed`]: ClientEvent::Failed
/// [`TimedOut`]: ClientEvent::TimedOut
/// [`Cancelled`]: ClientEvent::Cancelled
/// [`SubscriptionEnded`]: ClientEvent::SubscriptionEnded
/// [`InputRequired`]: ClientEvent::InputRequired
/// [`Closed`]: ClientEvent::Closed
#[derive(Debug, PartialEq)]
#[non_exhaustive]
pub enum ClientEvent {
    /// The revision is settled: requests held until now are on their way, and the
    /// server's identity and capabilities are known (when the server said them).
    Ready {
        /// Which lifecycle the connection uses.
        era: Era,
        /// The protocol version in use.
        version: ProtocolVersion,
    },
    /// The answer to a request.
    Response {
        /// The request answered.
        handle: RequestHandle,
        /// The server's result or error. A result that breaks the schema or a rule of the
        /// version in use arrives as `Err` with the error describing the violation
        /// (-32603), so the application never sees an invalid result as valid. A 2026
        /// result without `resultType` is complete, and one without cache hints is fresh
        /// for 0 ms: neither is a violation.
        outcome: Result<ResultBody, ErrorObject>,
        /// True when the result came from the response cache and nothing was sent.
        cached: bool,
    },
    /// 2026 multi-round-trip: the server needs input before it can finish. Fulfil every
    /// request, then retry with
    /// [`provide_input`](crate::client::ClientConnection::provide_input); `requests` may
    /// be empty when the server only sent `requestState` (then retry at once, after a
    /// short back-off). No deadline runs until the retry is sent.
    InputRequired {
        /// The request waiting for input.
        handle: RequestHandle,
        /// Which round this is, starting at 1.
        round: u8,
        /// What the server asks for, by key.
        requests: InputRequests,
    },
    /// A request ended without an answer from the server.
    Failed {
        /// The request that failed.
        handle: RequestHandle,
        /// Why.
        error: RequestError,
    },
    /// A request passed its deadline; `notifications/cancelled` is already queued and a
    /// late answer will be dropped.
    TimedOut {
        /// The request that timed out.
        handle: RequestHandle,
    },
    /// A request the application cancelled is gone (`notifications/cancelled` is queued
    /// when the server had it).
    Cancelled {
        /// The request cancelled.
        handle: RequestHandle,
    },
    /// `notifications/progress` for a request that asked for progress.
    Progress {
        /// The request making progress.
        handle: RequestHandle,
        /// The notification's params.
        params: ProgressNotificationParams,
    },
    /// `notifications/message`: a log message from the server.
    Log {
        /// The notification's params.
        params: LoggingMessageNotificationParams,
    },
    /// Any other server notification outside a listen stream (list changes on a legacy
    /// session, `notifications/elicitation/complete`, extensions, ...).
    Notification(ServerNotification),
    /// A 2025-11-25 server request (`elicitation/create`, `sampling/createMessage`,
    /// `roots/list`, client-hosted tasks) for a capability the client declared. Answer it
    /// exactly once with [`respond`](crate::client::ClientConnection::respond). `ping`
    /// never shows up here: the connection answers it.
    Request {
        /// The right to answer.
        token: ReplyToken,
        /// The request.
        request: ServerRequest,
    },
    /// The server withdrew one of its requests; a later `respond` is swallowed.
    RequestCancelled {
        /// The id of the withdrawn request.
        id: RequestId,
        /// Why, if the server said.
        reason: Option<String>,
    },
    /// A `subscriptions/listen` stream is open: the server acknowledged it with the
    /// subset of the filter it will honour.
    SubscriptionAcknowledged {
        /// The listen request.
        handle: RequestHandle,
        /// What the server will deliver (compare with what was asked for).
        filter: SubscriptionFilter,
    },
    /// A notification delivered on a listen stream (tagged with its subscription id).
    SubscriptionNotification {
        /// The listen request whose stream carried it.
        handle: RequestHandle,
        /// The notification.
        notification: ServerNotification,
    },
    /// The server ended a listen stream: with its listen result (`error: None`), with
    /// `notifications/cancelled` for the listen id (`error: None`), or by refusing the
    /// listen request (`error: Some`).
    SubscriptionEnded {
        /// The listen request.
        handle: RequestHandle,
        /// The server's error, when it refused the subscription.
        error: Option<ErrorObject>,
    },
    /// The connection is closed; always the last event, emitted once.
    Closed {
        /// Why.
        reason: CloseReason,
    },
}

/// Why a request ended without an answer from the server.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RequestError {
    /// The server asked for input more than
    /// [`Limits::max_input_rounds`](crate::Limits) times.
    #[error("the server asked for input more than {limit} times")]
    TooManyRounds {
        /// The configured bound.
        limit: u8,
    },
    /// The request was held until the revision was settled, and the revision chosen has
    /// no such method (e.g. `ping` on a 2026 server, `subscriptions/listen` on a
    /// 2025 one).
    #[error("the method does not exist in the protocol revision in use")]
    WrongEra,
    /// The connection closed before the answer came.
    #[error("the connection closed")]
    ConnectionClosed,
    /// The retry could not be encoded.
    #[error("the request could not be encoded")]
    Encode,
}
