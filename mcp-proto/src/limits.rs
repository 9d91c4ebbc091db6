//! Every bound of a connection in one place.

use core::time::Duration;

/// The bounds a client or server connection keeps, each with a defined behaviour when
/// it is reached, so no peer and no application can make the core grow without bound.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Largest inbound message (one stdio line). Longer lines are skipped whole and
    /// answered with -32600. Default 4 MiB, the reference SDK's limit.
    pub max_message_bytes: usize,
    /// Inbound requests being worked on at once. Beyond it a request is answered with
    /// -32603 and never reaches the application. Default 256.
    pub max_inbound_in_flight: usize,
    /// Our own requests awaiting an answer at once. Beyond it sending fails with
    /// [`SendError::TooManyInFlight`](crate::connection::SendError::TooManyInFlight).
    /// Default 256.
    pub max_outbound_in_flight: usize,
    /// Encoded bytes waiting in the transmit queue. Past it, notifications are refused
    /// ([`SendError::QueueFull`](crate::connection::SendError::QueueFull)) and inbound
    /// lines wait in the decoder until the queue drains. Replies are always queued (there
    /// is at most one per admitted request). Default 16 MiB.
    pub max_queued_bytes: usize,
    /// Application events waiting to be polled. Past it, inbound lines wait in the
    /// decoder until events are drained. Default 1024.
    pub max_pending_events: usize,
    /// Open `subscriptions/listen` streams on one connection. Beyond it a listen request
    /// is answered with -32603. Default 16.
    pub max_subscriptions: usize,
    /// Legacy `resources/subscribe` URIs remembered for one session. Default 1024.
    pub max_resource_subscriptions: usize,
    /// Client side: rounds of one multi-round-trip request before it fails. Default 10,
    /// the reference client's bound.
    pub max_input_rounds: u8,
    /// Client side: how long `server/discover` may go unanswered before `Auto` mode falls
    /// back to `initialize`. Default 10 s.
    pub probe_timeout: Duration,
    /// Default deadline of a request sent without its own timeout. Default 60 s.
    pub default_request_timeout: Duration,
}

impl Limits {
    /// The default bounds, usable in `const` items.
    pub const DEFAULT: Limits = Limits {
        max_message_bytes: crate::framing::DEFAULT_MAX_LINE_LENGTH,
        max_inbound_in_flight: 256,
        max_outbound_in_flight: 256,
        max_queued_bytes: 16 * 1024 * 1024,
        max_pending_events: 1024,
        max_subscriptions: 16,
        max_resource_subscriptions: 1024,
        max_input_rounds: 10,
        probe_timeout: Duration::from_secs(10),
        default_request_timeout: Duration::from_secs(60),
    };
}

impl Default for Limits {
    fn default() -> Self {
        Limits::DEFAULT
    }
}
