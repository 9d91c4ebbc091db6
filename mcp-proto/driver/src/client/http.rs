//! A [`Client`] over Streamable HTTP, in both eras, for any HTTP library: the adapter
//! implements [`HttpTransport`] (send one request, return its answer with the body as a
//! stream of chunks) and [`connect_http`] does the rest.
//!
//! # The loop
//!
//! Every protocol decision is made by the Sans-IO [`HttpClient`]
//! state machine, which owns the client connection (the same line-framed
//! [`ClientConnection`](mcp_proto::client::ClientConnection) stdio uses) and is its
//! transport; its documentation describes the behaviour in full: which `POST`, `GET` or
//! `DELETE` each message becomes and with which headers, how JSON and SSE answers and
//! error statuses are read, `x-mcp-header` parameters in 2026-07-28, and in a legacy
//! session the session id, the standalone `GET` stream, resumption with
//! `Last-Event-ID`, recovery from a `404`, cancellation and the `DELETE` on close.
//!
//! This loop only moves bytes and time:
//!
//! - each [`ExchangeAction::Start`](mcp_proto::http::ExchangeAction::Start) becomes an
//!   [`HttpRequest`] sent through the [`HttpTransport`] on its own task, so requests run
//!   concurrently and a request's SSE stream stays open while it runs; the task reports
//!   the answer's head, each body chunk as it arrives, and the end (or the failure) back
//!   to the loop through a bounded channel, and the loop hands each report to the state
//!   machine;
//! - each [`ExchangeAction::Abort`](mcp_proto::http::ExchangeAction::Abort) drops the
//!   exchange's task, and with it the request (a 2026-07-28 cancellation) or the
//!   answer's body;
//! - the loop sleeps until the state machine's next deadline (request deadlines, the
//!   resume delay, the wait for the standalone stream) and then calls its
//!   `handle_timeout`;
//! - the application's calls go to the connection, and the connection's events to the
//!   waiting calls and callbacks, as on every other transport.
//!
//! The loop ends once the state machine is closed: the last [`Client`] was dropped and
//! (legacy) the session's `DELETE` was answered.

use std::fmt;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;

use futures_util::Stream;

use crate::Runtime;
use crate::client::session::ClientSide;
use crate::client::{Client, ClientError, ClientHandlers};
use crate::runtime::Clock;
use mcp_proto::client::ClientConfig;
use mcp_proto::http::{HttpClient, HttpMethod};

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
    let http = HttpClient::new(now, config);
    let (side, client) = ClientSide::with_host(http, handlers, Arc::clone(&runtime));
    let loop_future = driver::HttpDriver::new(side, transport, Arc::clone(&runtime), clock);
    runtime.spawn(Box::pin(loop_future));
    client.ready().await?;
    Ok(client)
}
