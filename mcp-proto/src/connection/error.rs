//! Errors of the application-facing API and why a connection closed.

/// A command the application issued that the connection cannot carry out now. The
/// connection is unchanged.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SendError {
    /// The transmit queue holds [`Limits::max_queued_bytes`](crate::Limits); drain
    /// `poll_transmit` first.
    #[error("the transmit queue is full")]
    QueueFull,
    /// [`Limits::max_outbound_in_flight`](crate::Limits) requests already await answers.
    #[error("too many requests in flight")]
    TooManyInFlight,
    /// The connection is closed.
    #[error("the connection is closed")]
    Closed,
    /// The lifecycle does not allow it yet (legacy: before `initialize` completes).
    #[error("not allowed before the session is initialized")]
    NotReady,
    /// Server-to-client requests exist only in 2025-11-25 sessions; at 2026-07-28 ask
    /// through an "input required" reply instead.
    #[error("no back channel: server-to-client requests need a 2025-11-25 session")]
    NoBackChannel,
    /// The peer did not declare the capability this message needs.
    #[error("the peer did not declare the capability this needs")]
    MissingCapability,
    /// The message does not belong to the era of this connection.
    #[error("not part of the protocol revision in use")]
    WrongEra,
    /// The parameters could not be encoded as JSON.
    #[error("the parameters could not be encoded")]
    Encode,
    /// The reply token's request is not in flight on this connection.
    #[error("the token's request is not in flight")]
    UnknownRequest,
    /// Progress must be a finite number larger than the last one reported.
    #[error("progress must be finite and increase with every report")]
    InvalidProgress,
    /// The connection sends this message itself (`initialize`,
    /// `notifications/initialized`); the application cannot.
    #[error("the connection sends this message itself")]
    Reserved,
    /// [`Limits::max_subscriptions`](crate::Limits) `subscriptions/listen` streams are
    /// already open on this connection.
    #[error("too many open subscriptions")]
    TooManySubscriptions,
    /// Another request in flight already uses this progress token; tokens must be unique
    /// among active requests.
    #[error("the progress token is already in use")]
    DuplicateProgressToken,
}

/// A call that names something the connection does not know: a caller bug, not a peer
/// fault.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ApiMisuse {
    /// The reply token does not belong to a request of this connection (or was already
    /// used).
    #[error("unknown reply token")]
    UnknownToken,
    /// The request handle is unknown or its request already finished.
    #[error("unknown or finished request handle")]
    UnknownHandle,
    /// The request is in flight but not waiting for input: `provide_input` answers an
    /// "input required" event only.
    #[error("the request is not waiting for input")]
    NotAwaitingInput,
    /// The input responses leave out a key the server asked for; every input request of
    /// the round must be answered before the retry.
    #[error("an input request of this round has no response")]
    IncompleteInput,
}

/// Why a connection closed; reported once, in the last event.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CloseReason {
    /// The peer ended the stream.
    PeerClosed,
    /// The application closed the connection.
    LocallyClosed,
    /// The peer is not a server this client can talk to (no common protocol version).
    Incompatible(alloc::string::String),
    /// The opening handshake (`initialize`) went unanswered past its deadline.
    HandshakeTimedOut,
}
