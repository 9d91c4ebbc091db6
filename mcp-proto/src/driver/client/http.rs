//! A [`Client`] over Streamable HTTP, in both eras, for any HTTP library: the adapter
//! implements [`HttpTransport`] (send one request, return its answer with the body as a
//! stream of chunks) and [`connect_http`] does the rest.
//!
//! # The loop
//!
//! The client connection ([`ClientConnection`](crate::client::ClientConnection)) is the
//! same line-framed state machine stdio uses; this loop is its transport:
//!
//! - **Out.** Every message the connection transmits becomes its own `POST`, with the
//!   headers of [`request_headers`](crate::http::request_headers): a request (the
//!   `server/discover` probe, `initialize`, the application's requests, each
//!   multi-round-trip retry), a notification, or (legacy) the answer to a server
//!   request. Each POST runs as its own task, so requests run concurrently and a
//!   request's SSE stream stays open while it runs. A notification's POST is finished
//!   (its `202` read) before the next message goes out, so `notifications/initialized`
//!   reaches the server before the requests that follow it.
//! - **In.** A `200 application/json` answer is fed to the connection as one line; a
//!   `200 text/event-stream` answer is decoded ([`SseDecoder`](crate::http::SseDecoder))
//!   and each `message` event's data is fed as one line (notifications, legacy server
//!   requests, then the response); a `202` feeds nothing. A `4xx`/`5xx` answer is read by
//!   [`read_request_answer`](crate::http::read_request_answer): its JSON-RPC error is fed
//!   with the request's id, so the request fails with the server's error and a probing
//!   client learns the era from it (a `-32022` means modern, any other refusal sends it
//!   to `initialize`); a status without a JSON-RPC body, a transport failure, or a stream
//!   that ends before the response (and cannot be resumed, see below) feed a `-32000`
//!   error instead, so no request waits for its deadline because of the transport.
//!
//! # 2026-07-28
//!
//! Every POST carries `MCP-Protocol-Version`, `Mcp-Method` and `Mcp-Name`. For
//! `tools/call` it also carries one `Mcp-Param-{Name}` per `x-mcp-header` annotated
//! argument, from the annotations learnt from the `tools/list` results that passed
//! through this client ([`screen_tools_list`](crate::http::screen_tools_list); tools with
//! invalid annotations are dropped from the list the application sees). Call
//! `list_tools` before calling an annotated tool: a server refuses a call without its
//! headers with `-32020`.
//!
//! Cancellation is the end of the POST: when a request times out (or is otherwise
//! cancelled) the connection queues `notifications/cancelled`, and this loop drops the
//! request's POST instead of sending it, which the server takes as the cancellation.
//!
//! # 2025-11-25 sessions
//!
//! - The `Mcp-Session-Id` on the answer to `initialize` is kept, and every later POST
//!   carries it with `MCP-Protocol-Version` (the negotiated version).
//! - Once `notifications/initialized` is accepted, the standalone `GET` stream is opened;
//!   its events are fed like those of a POST stream. A `405` means the server has none.
//!   It is not reopened when the server ends it. Later messages wait for the head of its
//!   answer (at most one second): a server sends requests unrelated to any of ours (an
//!   elicitation it starts while handling a call, say) on that stream, and loses them
//!   when the stream is not open yet.
//! - Server requests (elicitation, sampling, roots, ping), which arrive on a POST's
//!   stream or on the GET stream, are answered by the application's callbacks; each
//!   answer is POSTed (the server answers `202`).
//! - Cancellation is a POSTed `notifications/cancelled`; the request's stream is dropped
//!   too, since its answer would be ignored.
//! - When the connection closes (the last [`Client`] is dropped), every POST still open
//!   is dropped and the session is ended with a `DELETE`.
//!
//! **Resumption.** A server may end a request's SSE stream before the response, having
//! given its events ids ("reconnect later"). The loop then waits the stream's last
//! `retry` time (one second when the server gave none) and resumes it with a `GET`
//! carrying `Last-Event-ID` (the last id seen) and the session id, reading the rest of
//! the stream, response included, from that answer; the resumed stream is dropped once
//! the response is in. A resumed stream that ends early again is resumed again, as long
//! as resuming brings events (three empty resumptions in a row fail the request). The
//! request fails with a `-32000` error when its stream had no event id, when the
//! session changed meanwhile, or when the server refuses the `GET` (any status but a
//! `2xx` stream). The request's deadline keeps running throughout, and cancelling it
//! stops the wait.
//!
//! **Session recovery.** A `404` to a POST that carried the session id
//! ([`is_session_expired`](crate::http::is_session_expired)) means the server ended the
//! session. The loop then opens a new one, transparently: new messages wait while a
//! fresh `initialize` (the negotiated version, no session id) and its
//! `notifications/initialized` go out, and the request that got the 404 is sent again,
//! once, on the new session. Other requests in flight at that moment fare as follows:
//! those that also get a `404` are retried once on the new session in the same way (one
//! recovery serves them all); those whose SSE stream the server cut when it ended the
//! session fail with a `-32000` error (the server may have acted on them, so they are
//! not repeated); server requests whose answers get a `404` are dropped (they belonged
//! to the old session). When the new session cannot be opened, every request waiting
//! for it fails with a `-32000` error naming the reason, and later requests go out
//! without a session id (the server refuses them).

use std::prelude::rust_2024::*;

use std::fmt;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;

use futures_util::Stream;

use crate::client::ClientConfig;
use crate::driver::Runtime;
use crate::driver::client::session::ClientSide;
use crate::driver::client::{Client, ClientError, ClientHandlers};
use crate::driver::runtime::Clock;
use crate::http::HttpMethod;

mod driver;
mod exchange;

/// One HTTP request to the MCP endpoint, as the loop builds it: the adapter sends it to
/// the endpoint's URL as it is.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct HttpRequest {
    /// `POST` (every message), `GET` (the legacy standalone stream) or `DELETE` (the end
    /// of a legacy session).
    pub method: HttpMethod,
    /// Every header to send (the adapter adds `Host` and `Content-Length`).
    pub headers: Vec<(String, String)>,
    /// The body: one JSON-RPC message for a POST, empty otherwise.
    pub body: Vec<u8>,
}

impl HttpRequest {
    /// The method's name on the wire.
    pub fn method_name(&self) -> &'static str {
        match self.method {
            HttpMethod::Get => "GET",
            HttpMethod::Delete => "DELETE",
            _ => "POST",
        }
    }
}

/// The body of an answer, chunk by chunk as it arrives, so that an SSE stream is read
/// while it is still open. Dropping it drops the exchange.
pub type BodyChunks = Pin<Box<dyn Stream<Item = io::Result<Vec<u8>>> + Send>>;

/// The answer to one [`HttpRequest`].
#[non_exhaustive]
pub struct HttpAnswer {
    /// The status code.
    pub status: u16,
    /// The header fields, names in any case.
    pub headers: Vec<(String, Vec<u8>)>,
    /// The body.
    pub body: BodyChunks,
}

impl HttpAnswer {
    /// An answer with `status`, `headers` and a streamed `body`.
    pub fn new(status: u16, headers: Vec<(String, Vec<u8>)>, body: BodyChunks) -> Self {
        HttpAnswer {
            status,
            headers,
            body,
        }
    }

    /// The value of header `name` (compared case-insensitively), if present.
    pub fn header(&self, name: &str) -> Option<&[u8]> {
        self.headers
            .iter()
            .find(|(field, _)| field.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_slice())
    }
}

impl fmt::Debug for HttpAnswer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpAnswer")
            .field("status", &self.status)
            .field("headers", &self.headers)
            .finish_non_exhaustive()
    }
}

/// The future of an [`HttpAnswer`]: ready once the answer's head has arrived (its body
/// keeps arriving through [`HttpAnswer::body`]). Dropping it abandons the request.
pub type AnswerFuture = Pin<Box<dyn Future<Output = io::Result<HttpAnswer>> + Send>>;

/// What the client loop needs from an HTTP library: send one request to the MCP
/// endpoint and return its answer. Each runtime adapter implements it on its HTTP
/// client; it moves bytes only (every header, status and body rule is the loop's).
pub trait HttpTransport: Send + Sync + 'static {
    /// Sends `request` to the endpoint. Several requests may be in flight at once.
    fn send(&self, request: HttpRequest) -> AnswerFuture;
}

/// Connects to an MCP endpoint over Streamable HTTP through `transport`: the loop runs
/// on `runtime`, and this returns once negotiation is over (the era chosen by
/// `config`'s mode: probed with `server/discover`, legacy `initialize`, or pinned).
pub async fn connect_http(
    config: ClientConfig,
    handlers: ClientHandlers,
    runtime: Arc<dyn Runtime>,
    transport: Arc<dyn HttpTransport>,
) -> Result<Client, ClientError> {
    let clock = Clock::new(runtime.now());
    let now = clock.timestamp(runtime.now());
    let (side, client) = ClientSide::new(now, config, handlers, Arc::clone(&runtime));
    let loop_future = driver::HttpDriver::new(side, transport, Arc::clone(&runtime), clock);
    runtime.spawn(Box::pin(loop_future));
    client.ready().await?;
    Ok(client)
}
