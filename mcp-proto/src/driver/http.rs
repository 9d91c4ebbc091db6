//! Serving Streamable HTTP requests, runtime- and library-neutral: an adapter hands each
//! request's head and body to an [`HttpEndpoint`] and writes back the [`HttpReply`].
//!
//! Each 2026-07-28 request is its own exchange: the core's routing and header ladder
//! ([`crate::http`]), then a fresh connection serves the one request. The response is
//! chosen lazily: when the first message out is the response it is sent as one JSON
//! body (status from [`crate::http::status_for_error`] when it is an error); when a
//! notification comes first (progress, a log message, a listen acknowledgement) the reply
//! becomes an SSE stream that ends with the response. Dropping the stream (the client
//! went away) drops the exchange, which cancels the request: its handler future is
//! dropped.
//!
//! 2025-11-25 sessions over HTTP are not served yet: the endpoint is modern-only, so a
//! legacy `initialize` is refused by the ladder (400, -32602) and GET/DELETE get 405.

use std::prelude::rust_2024::*;

use std::collections::BTreeMap;
use std::future::poll_fn;
use std::sync::Arc;
use std::task::{Context, Poll};

use futures_channel::mpsc;
use futures_util::SinkExt;

use crate::driver::runtime::{Clock, Runtime};
use crate::driver::server::Server;
use crate::driver::server::session::ServerSide;
use crate::driver::stream::Side;
use crate::http::{
    HeaderParam, HttpResponse, RequestHead, Route, RouteConfig, ServedEras, SseEncoder, check_head,
    check_modern_headers, check_param_headers, event_stream_headers, route, status_for_error,
    x_mcp_header_params,
};
use crate::jsonrpc::{Message, Outcome, Request, decode};
use crate::types::Method;
use crate::version::Era;

/// How many SSE events may wait for a slow client before the exchange waits.
const STREAM_QUEUE: usize = 32;

/// What to send back for one HTTP request.
#[derive(Debug)]
#[non_exhaustive]
pub enum HttpReply {
    /// A complete response.
    Complete(HttpResponse),
    /// `200` with these headers and an SSE body whose chunks arrive on `body`; the
    /// stream ends when the sender is dropped. Dropping the receiver cancels the request.
    Stream {
        /// The response headers (`Content-Type: text/event-stream`, …).
        headers: Vec<(&'static str, String)>,
        /// The body's chunks.
        body: mpsc::Receiver<Vec<u8>>,
    },
}

/// One MCP endpoint: a server, the routing rules, and the runtime its exchanges use.
pub struct HttpEndpoint {
    server: Server,
    runtime: Arc<dyn Runtime>,
    config: RouteConfig,
    clock: Clock,
    /// `x-mcp-header` annotations of each tool, read once.
    header_params: BTreeMap<String, Vec<HeaderParam>>,
}

impl std::fmt::Debug for HttpEndpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpEndpoint")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl HttpEndpoint {
    /// An endpoint for `server` with the default rules: loopback Host/Origin allow-lists,
    /// a 4 MiB body limit.
    pub fn new(server: &Server, runtime: Arc<dyn Runtime>) -> Self {
        let config = RouteConfig {
            eras: ServedEras::ModernOnly,
            ..RouteConfig::default()
        };
        let header_params = server
            .shared
            .tools
            .iter()
            .filter_map(|(name, tool)| {
                let params = x_mcp_header_params(&tool.definition.input_schema).ok()?;
                (!params.is_empty()).then(|| (name.clone(), params))
            })
            .collect();
        HttpEndpoint {
            server: server.clone(),
            clock: Clock::new(runtime.now()),
            runtime,
            config,
            header_params,
        }
    }

    /// Replaces the routing rules (allow-lists, body limit, path). The endpoint stays
    /// modern-only until legacy sessions are served.
    pub fn with_route_config(mut self, config: RouteConfig) -> Self {
        self.config = RouteConfig {
            eras: ServedEras::ModernOnly,
            ..config
        };
        self
    }

    /// The largest body this endpoint reads.
    pub fn max_body_bytes(&self) -> usize {
        self.config.max_body_bytes
    }

    /// The answer to a body that turned out longer than [`Self::max_body_bytes`] while
    /// it was read (a declared `Content-Length` is refused by [`Self::check_head`]).
    pub fn body_too_large(&self) -> HttpResponse {
        HttpResponse::refusal(413, "Payload Too Large")
    }

    /// Checks that need only the head (Host/Origin, method, media types, a declared
    /// length over the limit): call before reading the body.
    pub fn check_head(&self, head: &RequestHead<'_>) -> Result<(), HttpResponse> {
        check_head(head, &self.config)
    }

    /// Serves one request.
    pub async fn handle(&self, head: &RequestHead<'_>, body: &[u8]) -> HttpReply {
        match route(head, body, &self.config) {
            Route::Modern(post) => self.modern(head, post.request).await,
            Route::Accepted => HttpReply::Complete(HttpResponse::accepted()),
            Route::Reject(response) => HttpReply::Complete(response),
            // A modern-only configuration routes nothing else; refuse defensively.
            _ => HttpReply::Complete(HttpResponse::method_not_allowed("POST")),
        }
    }

    async fn modern(&self, head: &RequestHead<'_>, request: Request) -> HttpReply {
        if let Err(response) = check_modern_headers(head, &request) {
            return HttpReply::Complete(response);
        }
        if request.method == Method::ToolsCall.as_str() {
            let name = request
                .params
                .as_ref()
                .and_then(|params| params.decode::<serde_json::Value>().ok())
                .and_then(|params| {
                    params
                        .get("name")
                        .and_then(|n| n.as_str().map(String::from))
                });
            if let Some(params) = name.and_then(|name| self.header_params.get(&name)) {
                if let Err(response) = check_param_headers(head, &request, params) {
                    return HttpReply::Complete(response);
                }
            }
        }
        let id = request.id.clone();
        let mut side = ServerSide::new(&self.server, Arc::clone(&self.runtime));
        let now = self.clock.timestamp(self.runtime.now());
        side.connection
            .handle_message(now, Message::Request(request));
        let clock = self.clock;
        let runtime = Arc::clone(&self.runtime);
        let Some(first) = poll_fn(|cx| next_line(&mut side, &clock, &runtime, cx)).await else {
            return HttpReply::Complete(HttpResponse::empty(500));
        };
        if let Some(outcome) = final_outcome(&first, &id) {
            let status = match outcome {
                Some(code) => status_for_error(code, Era::Modern),
                None => 200,
            };
            let body = first.strip_suffix(b"\n").unwrap_or(&first).to_vec();
            return HttpReply::Complete(HttpResponse::json(status, body));
        }
        // A notification came first: stream, and end with the response.
        let (mut sender, body) = mpsc::channel(STREAM_QUEUE);
        let encoder = SseEncoder::new();
        self.runtime.spawn(Box::pin(async move {
            let mut line = first;
            loop {
                let mut event = Vec::new();
                let data = line.strip_suffix(b"\n").unwrap_or(&line);
                if encoder.message(&mut event, None, data).is_err() {
                    break;
                }
                if sender.send(event).await.is_err() {
                    // The client went away: dropping the exchange cancels the request.
                    break;
                }
                if final_outcome(&line, &id).is_some() {
                    break;
                }
                match poll_fn(|cx| next_line(&mut side, &clock, &runtime, cx)).await {
                    Some(next) => line = next,
                    None => break,
                }
            }
        }));
        HttpReply::Stream {
            headers: event_stream_headers(),
            body,
        }
    }
}

/// `Some(None)` when `line` is the successful response to `id`, `Some(Some(code))` when
/// it is an error response, `None` otherwise.
fn final_outcome(
    line: &[u8],
    id: &crate::jsonrpc::RequestId,
) -> Option<Option<crate::jsonrpc::ErrorCode>> {
    match decode(line.strip_suffix(b"\n").unwrap_or(line)) {
        Ok(Message::Response(response)) if response.id.as_ref() == Some(id) => {
            match response.outcome {
                Outcome::Result(_) => Some(None),
                Outcome::Error(error) => Some(Some(error.code)),
            }
        }
        _ => None,
    }
}

/// Drives the exchange until it writes its next message (`None` once it is closed).
fn next_line(
    side: &mut ServerSide,
    clock: &Clock,
    runtime: &Arc<dyn Runtime>,
    cx: &mut Context<'_>,
) -> Poll<Option<Vec<u8>>> {
    loop {
        let now = clock.timestamp(runtime.now());
        let mut progressed = Side::poll_commands(side, now, cx);
        progressed |= side.pump(now);
        let mut line = Vec::new();
        if side.connection.poll_transmit(&mut line).is_some() {
            return Poll::Ready(Some(line));
        }
        if side.connection.is_closed() {
            return Poll::Ready(None);
        }
        if !progressed {
            return Poll::Pending;
        }
    }
}
