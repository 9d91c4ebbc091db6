//! Serving Streamable HTTP requests, runtime- and library-neutral: an adapter hands each
//! request's head and body to an [`HttpEndpoint`] and writes back the [`HttpReply`].
//!
//! One endpoint serves both eras, deciding per POST ([`crate::http::route`], 5.6.2):
//!
//! - **2026-07-28**: each request is its own exchange. The rest of the header ladder
//!   runs, then a fresh connection serves the one request. The response is chosen
//!   lazily: when the first message out is the response it is one JSON body (status
//!   from [`crate::http::status_for_error`] when it is an error); when a notification
//!   comes first (progress, a log message, a listen acknowledgement) the reply becomes an
//!   SSE stream that ends with the response. Dropping the stream (the client went away)
//!   drops the exchange, which cancels the request: its handler future is dropped.
//! - **2025-11-25**: an `initialize` POST without a session id creates a session: one
//!   long-lived connection driven by its own task, with an unguessable `Mcp-Session-Id`
//!   from the operating system's random source. Later POSTs, the standalone `GET` stream
//!   and `DELETE` name the session; an unknown or ended one is `404`. Each POSTed request
//!   is answered on its own POST: as JSON when its response is the first thing it
//!   produces, otherwise as an SSE stream (priming event first, every event with a
//!   resumable id) carrying the progress, log messages and server-to-client requests its
//!   handler makes, then the response. Messages unrelated to any request (list-changed,
//!   resource updates) go on the `GET` stream. A dropped POST connection is not a
//!   cancellation in this era: the handler runs on, and its events wait in the stream's
//!   bounded replay buffer for a `GET` with `Last-Event-ID`. Sessions idle past the
//!   configured timeout are ended when the endpoint next handles a request.

use std::prelude::rust_2024::*;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use futures_channel::mpsc;

use crate::driver::runtime::{Clock, Runtime};
use crate::driver::server::Server;
use crate::http::{
    HeaderParam, HttpResponse, RequestHead, Route, RouteConfig, SessionTable, check_head, route,
    route_checked, x_mcp_header_params,
};

mod legacy;
mod modern;

use legacy::SessionInput;

/// How many SSE events may wait for a slow client before the exchange waits (modern) or
/// the connection is let go to be resumed (legacy).
const STREAM_QUEUE: usize = 32;

/// What to send back for one HTTP request.
#[derive(Debug)]
#[non_exhaustive]
pub enum HttpReply {
    /// A complete response.
    Complete(HttpResponse),
    /// `200` with these headers and an SSE body whose chunks arrive on `body`; the
    /// stream ends when the sender is dropped. At 2026-07-28, dropping the receiver
    /// cancels the request.
    Stream {
        /// The response headers (`Content-Type: text/event-stream`, …).
        headers: Vec<(&'static str, String)>,
        /// The body's chunks.
        body: mpsc::Receiver<Vec<u8>>,
    },
}

/// The legacy session settings of an endpoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct SessionSettings {
    /// The most live legacy sessions; an `initialize` beyond it gets `503`.
    pub max_sessions: usize,
    /// A session with no request for this long is ended (its id then gets `404`).
    pub idle_timeout: Duration,
    /// The bytes of events each SSE stream keeps for `Last-Event-ID` resumption.
    pub replay_bytes: usize,
    /// How often an idle SSE stream gets a keep-alive comment.
    pub keep_alive: Duration,
}

impl Default for SessionSettings {
    /// 10,000 sessions, 30 minutes idle, 64 KiB of replay per stream, a keep-alive every
    /// 15 seconds.
    fn default() -> Self {
        SessionSettings {
            max_sessions: 10_000,
            idle_timeout: Duration::from_secs(30 * 60),
            replay_bytes: 64 * 1024,
            keep_alive: Duration::from_secs(15),
        }
    }
}

/// One MCP endpoint: a server, the routing rules, the runtime its exchanges use, and the
/// table of legacy sessions.
pub struct HttpEndpoint {
    server: Server,
    runtime: Arc<dyn Runtime>,
    config: RouteConfig,
    clock: Clock,
    /// `x-mcp-header` annotations of each tool, read once.
    header_params: BTreeMap<String, Vec<HeaderParam>>,
    settings: SessionSettings,
    sessions: Mutex<SessionTable<mpsc::Sender<SessionInput>>>,
}

impl std::fmt::Debug for HttpEndpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpEndpoint")
            .field("config", &self.config)
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl HttpEndpoint {
    /// An endpoint for `server` serving both eras with the default rules: loopback
    /// Host/Origin allow-lists, a 4 MiB body limit, [`SessionSettings::default`].
    pub fn new(server: &Server, runtime: Arc<dyn Runtime>) -> Self {
        let header_params = server
            .shared
            .tools
            .values()
            .filter_map(|tool| {
                let params = x_mcp_header_params(&tool.definition.input_schema).ok()?;
                (!params.is_empty()).then(|| (tool.definition.name.clone(), params))
            })
            .collect();
        let settings = SessionSettings::default();
        HttpEndpoint {
            server: server.clone(),
            clock: Clock::new(runtime.now()),
            runtime,
            config: RouteConfig::default(),
            header_params,
            sessions: Mutex::new(SessionTable::new(settings.max_sessions)),
            settings,
        }
    }

    /// Replaces the routing rules (allow-lists, body limit, path, the eras served).
    pub fn with_route_config(mut self, config: RouteConfig) -> Self {
        self.config = config;
        self
    }

    /// Replaces the legacy session settings (call before serving: the session table is
    /// made anew).
    pub fn with_session_settings(mut self, settings: SessionSettings) -> Self {
        self.settings = settings;
        self.sessions = Mutex::new(SessionTable::new(settings.max_sessions));
        self
    }

    /// The routing rules in force.
    pub fn route_config(&self) -> &RouteConfig {
        &self.config
    }

    /// The number of live legacy sessions.
    pub fn session_count(&self) -> usize {
        self.table().len()
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
        self.serve_route(head, route(head, body, &self.config))
            .await
    }

    /// Serves one request whose head has already passed [`Self::check_head`] (the body was
    /// read after it): [`Self::handle`] without checking the head a second time.
    pub async fn handle_checked(&self, head: &RequestHead<'_>, body: &[u8]) -> HttpReply {
        self.serve_route(head, route_checked(head, body, &self.config))
            .await
    }

    async fn serve_route(&self, head: &RequestHead<'_>, route: Route<'_>) -> HttpReply {
        match route {
            Route::Modern(post) => modern::serve(self, head, post.request).await,
            Route::Legacy(post) => self.legacy_post(post).await,
            Route::LegacyGet {
                session_id,
                last_event_id,
            } => self.legacy_get(session_id, last_event_id).await,
            Route::LegacyDelete { session_id } => {
                HttpReply::Complete(self.legacy_delete(session_id))
            }
            Route::Accepted => HttpReply::Complete(HttpResponse::accepted()),
            Route::Reject(response) => HttpReply::Complete(response),
        }
    }

    fn table(&self) -> std::sync::MutexGuard<'_, SessionTable<mpsc::Sender<SessionInput>>> {
        self.sessions.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
