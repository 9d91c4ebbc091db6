//! The exchanges of an [`HttpClient`](super::HttpClient): the HTTP requests it asks
//! the driver to make, the driver's answers, and the errors of those answers.

use alloc::string::String;
use alloc::vec::Vec;

use crate::http::HttpMethod;

/// Names one exchange (one HTTP request and its answer) of an [`HttpClient`](super::HttpClient). Ids are
/// never reused within one client.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ExchangeId(pub(super) u64);

impl ExchangeId {
    /// The id as a number (for logs).
    pub const fn as_u64(self) -> u64 {
        self.0
    }
}

impl core::fmt::Display for ExchangeId {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "exchange {}", self.0)
    }
}

/// One HTTP request to send to the MCP endpoint, as it is: the driver adds only `Host`
/// and `Content-Length`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ExchangeRequest {
    /// The exchange its answer is reported under.
    pub exchange: ExchangeId,
    /// `POST` (every message), `GET` (the legacy standalone stream, or a resumption) or
    /// `DELETE` (the end of a legacy session).
    pub method: HttpMethod,
    /// Every header, names as written here.
    pub headers: Vec<(String, String)>,
    /// The body: one JSON-RPC message for a `POST`, empty otherwise.
    pub body: Vec<u8>,
}

/// What the driver is to do next, from [`HttpClient::poll_exchange`](super::HttpClient::poll_exchange).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ExchangeAction {
    /// Send this request and report its answer with the `handle_*` inputs.
    Start(ExchangeRequest),
    /// Drop this exchange: stop sending or reading it and report nothing more about it
    /// (what was reported afterwards is ignored). For a 2026-07-28 request this is its
    /// cancellation; it also ends exchanges the client has no more use for.
    Abort(ExchangeId),
}

/// Why [`HttpClient::handle_body`](super::HttpClient::handle_body) refused a chunk.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BodyError {
    /// A body read whole (JSON, or an error status) grew past the connection's
    /// [`Limits::max_message_bytes`](crate::Limits): the exchange failed, and an
    /// [`ExchangeAction::Abort`] for it is queued.
    #[error("the answer exceeds {limit} bytes")]
    TooLarge {
        /// The limit.
        limit: usize,
    },
    /// The chunk came before [`HttpClient::handle_response_head`](super::HttpClient::handle_response_head) for its exchange: a
    /// driver bug; the chunk was ignored.
    #[error("a body chunk arrived before the answer's head")]
    BeforeHead,
}
