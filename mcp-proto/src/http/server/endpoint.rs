//! [`HttpServer`]: the endpoint that routes each HTTP request of either era.

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;
use core::time::Duration;

use crate::http::head::RequestHead;
use crate::http::headers::{check_modern_headers, params_string};
use crate::http::params::{HeaderParam, check_param_headers, x_mcp_header_params};
use crate::http::route::{Route, RouteConfig, check_head, route, route_checked};
use crate::http::session::{
    EventId, SessionResolution, SessionTable, session_not_found, unresumable_event_id,
};
use crate::http::status::HttpResponse;
use crate::jsonrpc::{ErrorCode, ErrorObject, Message, Request, RequestId};
use crate::time::Timestamp;
use crate::types::{Method, Tool};
use crate::version::ProtocolVersion;

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
    /// How often an idle SSE stream (either era) gets a keep-alive comment.
    pub keep_alive: Duration,
    /// The most HTTP responses one session keeps open at once (POSTs waiting for their
    /// answer, SSE streams being carried, the `GET` stream); one more request is
    /// refused with `503` ([`HttpLimit::ResponsesPerSession`]).
    pub max_open_responses: usize,
    /// The most 2026-07-28 exchanges served at once by the endpoint; one more is refused
    /// with `503` ([`HttpLimit::Exchanges`]).
    pub max_exchanges: usize,
}

impl Default for SessionSettings {
    /// 10,000 sessions, 30 minutes idle, 64 KiB of replay per stream, a keep-alive every
    /// 15 seconds, 64 open responses per session, 10,000 open exchanges.
    fn default() -> Self {
        SessionSettings {
            max_sessions: 10_000,
            idle_timeout: Duration::from_secs(30 * 60),
            replay_bytes: 64 * 1024,
            keep_alive: Duration::from_secs(15),
            max_open_responses: 64,
            max_exchanges: 10_000,
        }
    }
}

/// A bound of [`SessionSettings`] that refused a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum HttpLimit {
    /// [`SessionSettings::max_sessions`]: no room for a new legacy session.
    Sessions,
    /// [`SessionSettings::max_exchanges`]: too many 2026-07-28 requests in progress.
    Exchanges,
    /// [`SessionSettings::max_open_responses`]: the session holds too many responses
    /// open.
    ResponsesPerSession,
}

impl HttpLimit {
    /// The `503` that answers a request refused by this limit, carrying the request's
    /// id when it has one.
    pub fn response(self, id: Option<&RequestId>) -> HttpResponse {
        let message = match self {
            HttpLimit::Sessions => "Service Unavailable: too many sessions",
            HttpLimit::Exchanges => "Service Unavailable: too many requests in progress",
            HttpLimit::ResponsesPerSession => {
                "Service Unavailable: too many open streams in this session"
            }
        };
        HttpResponse::json_rpc_error(
            503,
            id,
            &ErrorObject::with_message(ErrorCode::INTERNAL_ERROR, message),
        )
    }
}

/// Everything an endpoint is configured with.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct HttpServerConfig {
    /// The transport checks: Host/Origin allow-lists, body limit, path, eras served.
    pub route: RouteConfig,
    /// The legacy session limits and the keep-alive period.
    pub sessions: SessionSettings,
    /// The `x-mcp-header` arguments of each tool, by tool name: a 2026 `tools/call`
    /// must carry them as `Mcp-Param-*` headers ([`Self::with_tools`] fills it).
    pub header_params: BTreeMap<String, Vec<HeaderParam>>,
}

impl HttpServerConfig {
    /// Reads the `x-mcp-header` annotations of `tools` (a tool whose annotations are
    /// invalid is left out: it can be called without headers).
    pub fn with_tools<'a>(mut self, tools: impl IntoIterator<Item = &'a Tool>) -> Self {
        for tool in tools {
            if let Ok(params) = x_mcp_header_params(&tool.input_schema)
                && !params.is_empty()
            {
                self.header_params.insert(tool.name.clone(), params);
            }
        }
        self
    }
}

/// What to do with one HTTP request, as [`HttpServer::handle_request`] decides.
#[derive(Debug)]
#[non_exhaustive]
pub enum Dispatch<'h, S> {
    /// Answer with this complete response.
    Respond(HttpResponse),
    /// A bound of the configuration refused the request: answer with `response` (a
    /// `503`).
    Refused {
        /// The bound.
        limit: HttpLimit,
        /// The answer.
        response: HttpResponse,
    },
    /// A 2026-07-28 request that passed the header ladder: serve it on an
    /// [`HttpExchange`](super::HttpExchange) with a fresh connection, and call
    /// [`HttpServer::end_exchange`] once it is over (finished or dropped): the endpoint
    /// counts the exchanges in progress against [`SessionSettings::max_exchanges`].
    Exchange(Request),
    /// A legacy `initialize` without a session: mint an unguessable session id, make an
    /// [`HttpSession`](super::HttpSession) with it, register it with
    /// [`HttpServer::accept_session`] and hand it the message
    /// ([`HttpSession::handle_post`](super::HttpSession::handle_post)).
    Initialize(Message),
    /// A POST for the live session `session_id`: hand the message to it.
    Post {
        /// The session's id.
        session_id: &'h str,
        /// The POSTed message.
        message: Message,
    },
    /// A `GET` for the live session `session_id`: the standalone stream, or a
    /// resumption after `last_event_id`
    /// ([`HttpSession::handle_get`](super::HttpSession::handle_get)).
    Get {
        /// The session's id.
        session_id: &'h str,
        /// The `Last-Event-ID` header, parsed.
        last_event_id: Option<EventId>,
    },
    /// A `DELETE` ended this session, now out of the table: close it
    /// ([`HttpSession::close`](super::HttpSession::close)) and answer `200`.
    Deleted {
        /// The session's id.
        session_id: String,
        /// What the caller kept for it.
        session: S,
    },
}

/// One Streamable HTTP endpoint serving both eras: the transport rules, the era of each
/// request, and the bounded table of legacy sessions.
///
/// `S` is whatever the caller keeps per session: the [`HttpSession`](super::HttpSession)
/// itself (a single-threaded server), or a handle to the task that drives it.
#[derive(Debug)]
pub struct HttpServer<S> {
    config: HttpServerConfig,
    sessions: SessionTable<S>,
    /// No session expires before this (a lower bound: using a session only moves its
    /// own expiry later), so that naming the next deadline costs no scan of the table.
    next_expiry: Option<Timestamp>,
    /// 2026-07-28 exchanges dispatched and not yet ended.
    open_exchanges: usize,
}

impl<S> HttpServer<S> {
    /// An endpoint with `config`.
    pub fn new(config: HttpServerConfig) -> Self {
        let sessions = SessionTable::new(config.sessions.max_sessions);
        HttpServer {
            config,
            sessions,
            next_expiry: None,
            open_exchanges: 0,
        }
    }

    /// The configuration in force.
    pub fn config(&self) -> &HttpServerConfig {
        &self.config
    }

    /// The number of live legacy sessions.
    pub fn session_count(&self) -> usize {
        self.sessions.len()
    }

    /// The value kept for session `session_id`.
    pub fn session(&self, session_id: &str) -> Option<&S> {
        self.sessions.get(session_id)
    }

    /// The value kept for session `session_id`, mutably.
    pub fn session_mut(&mut self, session_id: &str) -> Option<&mut S> {
        self.sessions.get_mut(session_id)
    }

    /// Every live session's value, ordered by id (to run their timers, say).
    pub fn sessions_mut(&mut self) -> impl Iterator<Item = (&str, &mut S)> {
        self.sessions.iter_mut()
    }

    /// Checks that need only the head (Host/Origin, method, media types, a declared
    /// length over the limit): call before reading the body, and answer the refusal.
    pub fn check_head(&self, head: &RequestHead<'_>) -> Result<(), HttpResponse> {
        check_head(head, &self.config.route)
    }

    /// The answer to a body that turned out longer than the limit while it was read.
    pub fn body_too_large(&self) -> HttpResponse {
        HttpResponse::refusal(413, "Payload Too Large")
    }

    /// The answer to a body that ended before its declared length (the client closed
    /// its side, or the connection broke, mid-body): `400`, since what arrived is not the
    /// request the head announced.
    pub fn body_incomplete(&self) -> HttpResponse {
        HttpResponse::refusal(400, "Bad Request: incomplete body")
    }

    /// The answer to a body that did not arrive in the time a server allows after its
    /// head: `408 Request Timeout`.
    pub fn body_timed_out(&self) -> HttpResponse {
        HttpResponse::refusal(408, "Request Timeout")
    }

    /// Routes one request (head and whole body): see [`Dispatch`] for what to do next.
    /// Idle sessions are not expired here: call [`Self::handle_timeout`] at
    /// [`Self::poll_timeout`].
    pub fn handle_request<'h>(
        &mut self,
        now: Timestamp,
        head: &RequestHead<'h>,
        body: &[u8],
    ) -> Dispatch<'h, S> {
        let routed = route(head, body, &self.config.route);
        self.dispatch(now, head, routed)
    }

    /// [`Self::handle_request`] for a request whose head already passed
    /// [`Self::check_head`].
    pub fn handle_checked_request<'h>(
        &mut self,
        now: Timestamp,
        head: &RequestHead<'h>,
        body: &[u8],
    ) -> Dispatch<'h, S> {
        let routed = route_checked(head, body, &self.config.route);
        self.dispatch(now, head, routed)
    }

    fn dispatch<'h>(
        &mut self,
        now: Timestamp,
        head: &RequestHead<'h>,
        routed: Route<'h>,
    ) -> Dispatch<'h, S> {
        match routed {
            Route::Modern(post) => self.modern(head, post.request),
            Route::Legacy(post) => {
                if let Err(response) = post.check_protocol_version(&ProtocolVersion::LEGACY) {
                    return Dispatch::Respond(response);
                }
                match self.sessions.resolve_post(now, &post) {
                    Err(response) => Dispatch::Respond(response),
                    Ok(SessionResolution::Initialize) => Dispatch::Initialize(post.message),
                    Ok(SessionResolution::Existing(session_id)) => Dispatch::Post {
                        session_id,
                        message: post.message,
                    },
                }
            }
            Route::LegacyGet {
                session_id,
                last_event_id,
            } => {
                if let Err(response) = self.sessions.resolve_stream(now, session_id) {
                    return Dispatch::Respond(response);
                }
                let last_event_id = match last_event_id.map(EventId::parse) {
                    None => None,
                    Some(Some(id)) => Some(id),
                    Some(None) => return Dispatch::Respond(unresumable_event_id()),
                };
                Dispatch::Get {
                    session_id,
                    last_event_id,
                }
            }
            Route::LegacyDelete { session_id } => match self.sessions.remove(session_id) {
                Some(session) => Dispatch::Deleted {
                    session_id: String::from(session_id),
                    session,
                },
                None => Dispatch::Respond(session_not_found(None)),
            },
            Route::Accepted => Dispatch::Respond(HttpResponse::accepted()),
            Route::Reject(response) => Dispatch::Respond(response),
        }
    }

    /// Steps 6, 7 and 10 of the modern ladder: the `_meta` envelope and the headers
    /// against the body, and a tool's `Mcp-Param-*` headers against its arguments.
    fn modern(&mut self, head: &RequestHead<'_>, request: Request) -> Dispatch<'static, S> {
        if let Err(response) = check_modern_headers(head, &request) {
            return Dispatch::Respond(response);
        }
        // Only tools with `x-mcp-header` arguments need their name read from the body.
        if !self.config.header_params.is_empty()
            && request.method == Method::ToolsCall.as_str()
            && let Some(params) = params_string(request.params.as_ref(), "name")
                .and_then(|name| self.config.header_params.get(name.as_ref()))
            && let Err(response) = check_param_headers(head, &request, params)
        {
            return Dispatch::Respond(response);
        }
        if self.open_exchanges >= self.config.sessions.max_exchanges {
            let limit = HttpLimit::Exchanges;
            let response = limit.response(Some(&request.id));
            return Dispatch::Refused { limit, response };
        }
        self.open_exchanges += 1;
        Dispatch::Exchange(request)
    }

    /// An exchange of [`Dispatch::Exchange`] is over (its response ended, or its client
    /// went away): it no longer counts against [`SessionSettings::max_exchanges`].
    pub fn end_exchange(&mut self) {
        self.open_exchanges = self.open_exchanges.saturating_sub(1);
    }

    /// 2026-07-28 exchanges dispatched and not yet ended.
    pub fn open_exchanges(&self) -> usize {
        self.open_exchanges
    }

    /// Registers a new session under `session_id` (after [`Dispatch::Initialize`]).
    /// When it cannot be (the table is full, the id is invalid or taken), `value` is
    /// dropped and the answer to the `initialize` request `request_id` comes back.
    pub fn accept_session(
        &mut self,
        now: Timestamp,
        session_id: String,
        value: S,
        request_id: Option<&RequestId>,
    ) -> Result<(), HttpResponse> {
        self.sessions
            .insert(now, session_id, value)
            .map_err(|error| error.response(request_id))?;
        let expiry = now.saturating_add(self.config.sessions.idle_timeout);
        self.next_expiry = Some(self.next_expiry.map_or(expiry, |next| next.min(expiry)));
        Ok(())
    }

    /// Forgets session `session_id` (it closed itself: a refused `initialize`), giving
    /// back its value.
    pub fn remove_session(&mut self, session_id: &str) -> Option<S> {
        self.sessions.remove(session_id)
    }

    /// Ends the sessions idle for [`SessionSettings::idle_timeout`] at `now`: each comes
    /// back with its id, for the caller to close. Calling it early is harmless (and
    /// cheap: the table is only walked once a session may have expired).
    pub fn handle_timeout(&mut self, now: Timestamp) -> Vec<(String, S)> {
        if self.next_expiry.is_none_or(|next| now < next) {
            return Vec::new();
        }
        let idle = self.config.sessions.idle_timeout;
        let expired = self.sessions.expire(now, idle);
        self.next_expiry = self.sessions.next_expiry(idle);
        expired
    }

    /// When the next session may go idle for too long (never in the past after
    /// [`Self::handle_timeout`]).
    pub fn poll_timeout(&self) -> Option<Timestamp> {
        self.next_expiry
    }
}
