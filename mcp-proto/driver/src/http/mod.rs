//! Serving Streamable HTTP requests, runtime- and library-neutral: an adapter hands each
//! request's head and body to an [`HttpEndpoint`] and writes back the [`HttpReply`].
//!
//! One endpoint serves both eras, deciding per POST ([`mcp_proto::http::route`], 5.6.2):
//!
//! - **2026-07-28**: each request is its own exchange. The rest of the header ladder
//!   runs, then a fresh connection serves the one request. The response is chosen
//!   lazily: when the first message out is the response it is one JSON body (status
//!   from [`mcp_proto::http::status_for_error`] when it is an error); when a notification
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

use std::sync::{Arc, Mutex, PoisonError};

use futures_channel::mpsc;

use crate::runtime::{Clock, Runtime};
use crate::server::Server;
pub use mcp_proto::http::server::SessionSettings;
use mcp_proto::http::server::{Dispatch, HttpServer, HttpServerConfig};
use mcp_proto::http::{HttpResponse, RequestHead, RouteConfig};
use mcp_proto::time::Timestamp;

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

/// One MCP endpoint: a server, the runtime its exchanges and sessions run on, and the
/// core's [`HttpServer`], which routes every request and keeps the legacy sessions'
/// table (each session's task is reached through its input channel).
pub struct HttpEndpoint {
    server: Server,
    runtime: Arc<dyn Runtime>,
    clock: Clock,
    core: Arc<Mutex<HttpServer<mpsc::Sender<SessionInput>>>>,
    /// The settings in force, copied out of the core so that serving a request reads
    /// them without its lock.
    settings: SessionSettings,
}

impl std::fmt::Debug for HttpEndpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpEndpoint")
            .field("config", self.core().config())
            .finish_non_exhaustive()
    }
}

impl HttpEndpoint {
    /// An endpoint for `server` serving both eras with the default rules: loopback
    /// Host/Origin allow-lists, a 4 MiB body limit, [`SessionSettings::default`].
    pub fn new(server: &Server, runtime: Arc<dyn Runtime>) -> Self {
        let config = HttpServerConfig::default()
            .with_tools(server.shared.tools.values().map(|tool| &tool.definition));
        HttpEndpoint {
            server: server.clone(),
            clock: Clock::new(runtime.now()),
            runtime,
            core: Arc::new(Mutex::new(HttpServer::new(config))),
            settings: SessionSettings::default(),
        }
    }

    /// Replaces the routing rules (allow-lists, body limit, path, the eras served).
    pub fn with_route_config(self, route: RouteConfig) -> Self {
        self.reconfigure(|config| config.route = route)
    }

    /// Replaces the legacy session settings (call before serving: the session table is
    /// made anew).
    pub fn with_session_settings(self, settings: SessionSettings) -> Self {
        self.reconfigure(|config| config.sessions = settings)
    }

    fn reconfigure(mut self, change: impl FnOnce(&mut HttpServerConfig)) -> Self {
        let mut config = self.core().config().clone();
        change(&mut config);
        self.settings = config.sessions;
        *self.core() = HttpServer::new(config);
        self
    }

    /// The routing rules in force.
    pub fn route_config(&self) -> RouteConfig {
        self.core().config().route.clone()
    }

    /// The number of live legacy sessions.
    pub fn session_count(&self) -> usize {
        self.core().session_count()
    }

    /// The largest body this endpoint reads.
    pub fn max_body_bytes(&self) -> usize {
        self.core().config().route.max_body_bytes
    }

    /// The answer to a body that turned out longer than [`Self::max_body_bytes`] while
    /// it was read (a declared `Content-Length` is refused by [`Self::check_head`]).
    pub fn body_too_large(&self) -> HttpResponse {
        self.core().body_too_large()
    }

    /// The answer to a body that ended before its declared `Content-Length` (or broke off
    /// mid-chunk) while it was read: `400`.
    pub fn body_incomplete(&self) -> HttpResponse {
        self.core().body_incomplete()
    }

    /// The answer to a body that was not complete within the server's body-read timeout:
    /// `408`.
    pub fn body_timed_out(&self) -> HttpResponse {
        self.core().body_timed_out()
    }

    /// The runtime the endpoint's exchanges, sessions and timers run on.
    pub(crate) fn runtime(&self) -> &Arc<dyn Runtime> {
        &self.runtime
    }

    /// Checks that need only the head (Host/Origin, method, media types, a declared
    /// length over the limit): call before reading the body.
    pub fn check_head(&self, head: &RequestHead<'_>) -> Result<(), HttpResponse> {
        self.core().check_head(head)
    }

    /// Serves one request.
    pub async fn handle(&self, head: &RequestHead<'_>, body: &[u8]) -> HttpReply {
        let now = self.now();
        let dispatch = self.expiring(now).handle_request(now, head, body);
        self.serve(now, dispatch).await
    }

    /// Serves one request whose head has already passed [`Self::check_head`] (the body was
    /// read after it): [`Self::handle`] without checking the head a second time.
    pub async fn handle_checked(&self, head: &RequestHead<'_>, body: &[u8]) -> HttpReply {
        let now = self.now();
        let dispatch = self.expiring(now).handle_checked_request(now, head, body);
        self.serve(now, dispatch).await
    }

    async fn serve(
        &self,
        now: Timestamp,
        dispatch: Dispatch<'_, mpsc::Sender<SessionInput>>,
    ) -> HttpReply {
        match dispatch {
            Dispatch::Respond(response) | Dispatch::Refused { response, .. } => {
                HttpReply::Complete(response)
            }
            Dispatch::Exchange(request) => modern::serve(self, now, request).await,
            Dispatch::Initialize(message) => self.initialize(now, message).await,
            Dispatch::Post {
                session_id,
                message,
            } => self.legacy_post(session_id, message).await,
            Dispatch::Get {
                session_id,
                last_event_id,
            } => self.legacy_get(session_id, last_event_id).await,
            // Its task sees the input channel close, and closes the session.
            Dispatch::Deleted { mut session, .. } => {
                session.close_channel();
                HttpReply::Complete(HttpResponse::empty(200))
            }
            _ => HttpReply::Complete(HttpResponse::empty(500)),
        }
    }

    fn now(&self) -> Timestamp {
        self.clock.timestamp(self.runtime.now())
    }

    /// The core, after ending the sessions idle past the timeout (their tasks see their
    /// input channel close).
    fn expiring(
        &self,
        now: Timestamp,
    ) -> std::sync::MutexGuard<'_, HttpServer<mpsc::Sender<SessionInput>>> {
        let mut core = self.core();
        for (_, mut sender) in core.handle_timeout(now) {
            sender.close_channel();
        }
        core
    }

    fn core(&self) -> std::sync::MutexGuard<'_, HttpServer<mpsc::Sender<SessionInput>>> {
        self.core.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A guard that tells the core when the exchange it was taken for is over (its
    /// response ended, or the client dropped it), wherever that happens.
    fn exchange_slot(&self) -> ExchangeSlot {
        ExchangeSlot(Arc::clone(&self.core))
    }
}

/// One 2026 exchange counted by the core; dropping it ends the exchange there.
struct ExchangeSlot(Arc<Mutex<HttpServer<mpsc::Sender<SessionInput>>>>);

impl Drop for ExchangeSlot {
    fn drop(&mut self) {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .end_exchange();
    }
}
