//! The server side of Streamable HTTP as state machines: which HTTP response each
//! message goes out on, in which form, and when.
//!
//! Three values share the work, the way quinn splits an endpoint from its connections,
//! so that a driver can serve sessions and exchanges concurrently without a lock around
//! all of them:
//!
//! - [`HttpServer`]: the endpoint. Fed each request's head and body
//!   ([`HttpServer::handle_request`]), it runs the transport checks, decides the era and
//!   answers with a [`Dispatch`]: a complete response, a 2026-07-28 request to serve on
//!   its own [`HttpExchange`], or a legacy message for one of the sessions in its bounded
//!   table. It expires idle sessions on the deadlines it names.
//! - [`HttpExchange`]: one 2026-07-28 request, from its POST to its last byte.
//! - [`HttpSession`]: one 2025-11-25 session: its connection, the POSTs it is answering,
//!   its SSE streams with their event ids and replay buffers, the standalone `GET`
//!   stream, resumption after `Last-Event-ID`, priming events, keep-alive comments and
//!   closing a stream for the client to poll (`retry`).
//!
//! Exchanges and sessions speak one output shape: [`HttpTransmit`]. Every HTTP request
//! handed to a session gets a [`ResponseId`]; each transmit names the response it
//! belongs to, carries the response's head the first time ([`ResponseHead`]: status and
//! headers, decided here), appends body bytes to the caller's buffer, and says when the
//! response ends. A driver keeps a map from [`ResponseId`] to wherever the response's
//! body goes, writes what it is given, and tells the state machine when the client went
//! away ([`HttpSession::handle_disconnect`], [`HttpExchange::handle_disconnect`]).
//!
//! # Run loop
//!
//! As everywhere in this crate: feed an input (`handle_*`, with `now` first) or a command
//! from the application (through `connection_mut`, which holds the
//! [`ServerConnection`](crate::server::ServerConnection)), then drain `poll_transmit`
//! until `None`, then `poll_event` until `None`, then read `poll_timeout`.
//! Call the exchange's or session's `poll_event`, not the connection's: a session learns
//! from the events which requests the client cancelled.

mod endpoint;
mod exchange;
mod outcome;
mod session;
#[cfg(test)]
mod tests;

pub use endpoint::{Dispatch, HttpLimit, HttpServer, HttpServerConfig, SessionSettings};
pub use exchange::HttpExchange;
pub use outcome::response_outcome;
pub use session::HttpSession;

use alloc::collections::VecDeque;
use alloc::string::String;
use alloc::vec::Vec;

use crate::http::status::HttpResponse;
use crate::time::Timestamp;

/// One HTTP response a session or exchange is producing, as the session numbers them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ResponseId(u64);

impl ResponseId {
    /// The response's number, unique within its session or exchange.
    pub fn as_u64(self) -> u64 {
        self.0
    }
}

/// The status and header fields that start a response.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ResponseHead {
    /// The status code.
    pub status: u16,
    /// Header fields to send, in order (the driver adds `Content-Length` or chunking).
    pub headers: Vec<(&'static str, String)>,
}

impl ResponseHead {
    /// The head of `response`, its body left behind.
    pub fn of(response: &HttpResponse) -> Self {
        ResponseHead {
            status: response.status,
            headers: response.headers.clone(),
        }
    }
}

/// What `poll_transmit` appended to the caller's buffer, and where it goes.
#[must_use = "the appended bytes belong to a response that must be written"]
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct HttpTransmit {
    /// The response the bytes belong to.
    pub response: ResponseId,
    /// The response's status and headers: present on its first transmit only. A
    /// response whose first transmit also ends it is a complete response (JSON, `202`, a
    /// refusal); any other is a stream (SSE) whose body follows in later transmits.
    pub head: Option<ResponseHead>,
    /// How many body bytes were appended (zero is possible: a head alone, or an end).
    pub len: usize,
    /// True when the response is complete: finish its body. Nothing more comes for it.
    pub end: bool,
}

/// The earlier of a connection's deadline and a keep-alive deadline.
fn earliest(connection: Option<Timestamp>, keep_alive: Option<Timestamp>) -> Option<Timestamp> {
    match (connection, keep_alive) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// A piece of response waiting for `poll_transmit`.
#[derive(Debug)]
struct Chunk {
    response: ResponseId,
    head: Option<ResponseHead>,
    body: Vec<u8>,
    end: bool,
}

/// The queue of response pieces waiting for `poll_transmit`, in order. The first piece
/// has a slot of its own: most responses are one piece (a JSON answer), and need no
/// queue allocated for them.
#[derive(Debug, Default)]
struct Chunks {
    first: Option<Chunk>,
    rest: VecDeque<Chunk>,
}

impl Chunks {
    fn push(&mut self, response: ResponseId, head: Option<ResponseHead>, body: Vec<u8>, end: bool) {
        // A piece of body right behind another of the same response joins it: one write.
        let last = match self.rest.back_mut() {
            Some(last) => Some(last),
            None => self.first.as_mut(),
        };
        if head.is_none()
            && let Some(last) = last
            && last.response == response
            && !last.end
        {
            last.body.extend_from_slice(&body);
            last.end = end;
            return;
        }
        let chunk = Chunk {
            response,
            head,
            body,
            end,
        };
        if self.first.is_none() && self.rest.is_empty() {
            self.first = Some(chunk);
        } else {
            self.rest.push_back(chunk);
        }
    }

    /// A complete response: head, body and end at once.
    fn complete(&mut self, response: ResponseId, complete: HttpResponse) {
        let HttpResponse {
            status,
            headers,
            body,
        } = complete;
        self.push(response, Some(ResponseHead { status, headers }), body, true);
    }

    fn pop(&mut self, out: &mut Vec<u8>) -> Option<HttpTransmit> {
        let chunk = match self.first.take() {
            Some(chunk) => chunk,
            None => self.rest.pop_front()?,
        };
        let len = chunk.body.len();
        if out.is_empty() && out.capacity() < len {
            *out = chunk.body;
        } else {
            out.extend_from_slice(&chunk.body);
        }
        Some(HttpTransmit {
            response: chunk.response,
            head: chunk.head,
            len,
            end: chunk.end,
        })
    }

    fn is_empty(&self) -> bool {
        self.first.is_none() && self.rest.is_empty()
    }

    fn shrink_to_fit(&mut self) {
        self.rest.shrink_to_fit();
    }
}
