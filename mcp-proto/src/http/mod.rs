//! Streamable HTTP, as pure functions and small state machines: every HTTP rule of the
//! MCP transport for both revisions, over a borrowed request head and body.
//!
//! Nothing here opens a socket or depends on an HTTP library. A driver parses a request
//! with whatever library it likes, lends its method, path and headers as a
//! [`RequestHead`], and writes back the [`HttpResponse`]s this module renders (status,
//! headers, body, all decided here). The JSON-RPC work behind the transport stays with
//! [`ServerConnection`](crate::server::ServerConnection) and
//! [`ClientConnection`](crate::client::ClientConnection).
//!
//! # Routing a request
//!
//! [`route`] runs the transport checks and decides the era of each request on its own
//! (5.6.2): the era is a property of the request, not of the connection.
//!
//! ```text
//!                  Host / Origin ──bad──▶ 400 (no Host) · 421 (Host) · 403 (Origin)
//!                        │
//!          ┌──────────┬──┴───────────┬──────────────┐
//!         POST       GET          DELETE        other ──▶ 405 + Allow
//!          │          │              │
//!   Accept ─▶ 406     └─ Mcp-Session-Id? ── no ──▶ 405 + Allow
//!   Content-Type ─▶ 415              │ yes (GET also needs Accept: text/event-stream → 406)
//!   size ─▶ 413              LegacyGet { session_id, last_event_id } / LegacyDelete
//!   JSON ─▶ 400 -32700 · batch/invalid ─▶ 400 -32600
//!          │
//!   MCP-Protocol-Version names a non-legacy value (2026-07-28, unknown, empty)
//!   or params._meta has io.modelcontextprotocol/protocolVersion?
//!          │ yes                                  │ no
//!       MODERN                                 LEGACY
//!   request      ─▶ Route::Modern            any message ─▶ Route::Legacy { session_id, … }
//!   notification ─▶ Route::Accepted (202)    duplicated MCP-Protocol-Version ─▶ 400
//!   response     ─▶ 400 -32600
//! ```
//!
//! [`RouteConfig::eras`] narrows this to one era: a modern-only endpoint sends every
//! POST down the modern ladder (a legacy `initialize` then fails step 6 with `-32602`)
//! and answers GET and DELETE with `405`, `Allow: POST`.
//!
//! # The modern validation ladder (3.4.5)
//!
//! The first failing step answers; every error carries the request's id.
//!
//! | Step | Check | Answer | Where |
//! | --- | --- | --- | --- |
//! | 1 | `Host` / `Origin` | 421 / 403 | [`route`] ([`OriginPolicy`]) |
//! | 2 | method is POST | 405, `Allow: POST` | [`route`] |
//! | 3 | `Accept`, `Content-Type` | 406, 415 | [`route`] |
//! | 4 | size, JSON, JSON-RPC | 413; 400 `-32700`; 400 `-32600` | [`route`] |
//! | 5 | notification | 202, dropped | [`route`] ([`Route::Accepted`]) |
//! | 6 | `_meta` envelope keys | 400 `-32602` | [`check_modern_headers`] |
//! | 7 | `MCP-Protocol-Version`, `Mcp-Method`, `Mcp-Name` vs body | 400 `-32020` | [`check_modern_headers`] |
//! | 8 | version served | 400 `-32022` | the connection |
//! | 9 | method implemented | 404 `-32601` | the connection |
//! | 10 | `Mcp-Param-*` vs `x-mcp-header` arguments | 400 `-32020` | [`check_param_headers`], called by whoever knows the tool |
//! | 11 | capabilities, params, handler | 400 `-32021`, `-32602`, … | the connection |
//!
//! Step 6 precedes step 7 so that a request whose `_meta` lacks the version but whose
//! header is right gets `-32602`; step 7 precedes 8 so that a self-contradicting client
//! (header `2026-07-28`, body `v999`) gets `-32020` while a consistent `v999` gets
//! `-32022`.
//!
//! # Status codes (3.5)
//!
//! | Situation | Legacy | Modern |
//! | --- | --- | --- |
//! | request handled | 200 JSON or SSE | 200 JSON or SSE |
//! | notification (legacy: or response) accepted | 202 | 202 ([`Route::Accepted`]) |
//! | response POSTed | 202 | 400 `-32600` |
//! | bad `Origin` / `Host` / no `Host` | 403 / 421 / 400 | same |
//! | GET or DELETE without a session | 405 | 405 (always) |
//! | `Accept`, `Content-Type`, size | 406, 415, 413 | same |
//! | unparseable JSON, invalid JSON-RPC or batch | 400 `-32700`, 400 `-32600` | same |
//! | missing session id (not `initialize`) | 400 | n/a: header ignored |
//! | unknown or terminated session | 404 `-32001` | n/a |
//! | bad `MCP-Protocol-Version` | 400 | 400 `-32022`, or `-32020` when it contradicts the body |
//! | `_meta` envelope incomplete | n/a | 400 `-32602` |
//! | header missing or ≠ body | n/a | 400 `-32020` |
//! | handler errors | [`status_for_error`] | [`status_for_error`] |
//!
//! # Legacy extras
//!
//! Sessions ([`SessionTable`]), SSE event ids ([`EventId`]), priming events and replay
//! after `Last-Event-ID` ([`ReplayBuffer`]) exist only in the legacy era; the modern era
//! has none of them.
//!
//! # Example: a modern POST
//!
//! ```
//! use mcp_proto::http::{
//!     HttpMethod, RequestHead, Route, RouteConfig, check_modern_headers, route,
//! };
//!
//! let body = br#"{"jsonrpc":"2.0","id":7,"method":"tools/list","params":{"_meta":{
//!     "io.modelcontextprotocol/protocolVersion":"2026-07-28",
//!     "io.modelcontextprotocol/clientCapabilities":{}}}}"#;
//! let headers: &[(&str, &[u8])] = &[
//!     ("Host", b"localhost:3000"),
//!     ("Content-Type", b"application/json"),
//!     ("Accept", b"application/json, text/event-stream"),
//!     ("MCP-Protocol-Version", b"2026-07-28"),
//!     ("Mcp-Method", b"tools/list"),
//! ];
//! let head = RequestHead::new(HttpMethod::Post, "/mcp", headers);
//! let config = RouteConfig::default();
//!
//! let Route::Modern(post) = route(&head, body, &config) else { panic!("not modern") };
//! // Steps 6 and 7 pass: hand `post.request` to the connection.
//! assert!(check_modern_headers(&head, &post.request).is_ok());
//!
//! // The same body announced as `prompts/list` contradicts itself: 400 with -32020.
//! let lying: &[(&str, &[u8])] = &[
//!     ("Host", b"localhost:3000"),
//!     ("Content-Type", b"application/json"),
//!     ("Accept", b"application/json, text/event-stream"),
//!     ("MCP-Protocol-Version", b"2026-07-28"),
//!     ("mcp-method", b"prompts/list"),
//! ];
//! let head = RequestHead::new(HttpMethod::Post, "/mcp", lying);
//! let Route::Modern(post) = route(&head, body, &config) else { panic!("not modern") };
//! let rejection = check_modern_headers(&head, &post.request).unwrap_err();
//! assert_eq!(rejection.status, 400);
//! assert_eq!(rejection.header("content-type"), Some("application/json"));
//! let error = rejection.json_rpc_error_object().unwrap();
//! assert_eq!(error.code.0, -32020);
//! assert!(rejection.body.starts_with(br#"{"jsonrpc":"2.0","id":7,"error""#));
//! ```

mod client;
mod head;
mod headers;
pub use headers::params_string;
mod media;
mod origin;
mod params;
mod route;
pub mod server;
mod session;
mod sse;
mod status;
#[cfg(test)]
mod tests;

pub use client::{
    BodyError, DEFAULT_LISTEN_GATE, DEFAULT_MAX_EXCHANGES, DEFAULT_MAX_FRUITLESS_RESUMES,
    DEFAULT_RESUME_DELAY, ExchangeAction, ExchangeId, ExchangeRequest, HttpClient,
    HttpClientConfig,
};
pub use client::{
    HeaderContext, POST_ACCEPT, RequestAnswer, ResponseBody, ScreenedTools, assigned_session_id,
    called_tool, cancelled_request, failure_line, header_pairs, initialized_body, is_modern_error,
    is_session_expired, legacy_delete_headers, legacy_get_headers, message_line,
    read_reinitialize_answer, read_request_answer, reinitialize_body, request_headers,
    response_body, screen_tools_list, transport_failure,
};
pub use head::{DuplicateHeader, HttpMethod, RequestHead, trim_whitespace};
pub use headers::{
    BASE64_PREFIX, BASE64_SUFFIX, InvalidHeaderValue, LAST_EVENT_ID, MCP_METHOD, MCP_NAME,
    MCP_PARAM_PREFIX, MCP_PROTOCOL_VERSION, MCP_SESSION_ID, check_modern_envelope,
    check_modern_headers, decode_header_value, encode_header_value, name_member,
};
pub use media::{accepts, is_media_type};
pub use origin::{LOOPBACK_HOSTS, OriginPolicy, OriginRejection};
pub use params::{
    AnnotationProblem, HeaderParam, HeaderParamType, InvalidHeaderAnnotation, check_param_headers,
    is_token, render_param_value, validate_x_mcp_header_schema, x_mcp_header_params,
};
pub use route::{
    DEFAULT_MAX_BODY_BYTES, LegacyPost, ModernPost, Route, RouteConfig, ServedEras, check_head,
    post_era, route, route_checked,
};
pub use session::{
    EventId, MAX_SESSION_ID_LENGTH, ReplayBuffer, ReplayError, SessionInsertError,
    SessionResolution, SessionTable, duplicate_request_id, is_valid_session_id, session_not_found,
    standalone_stream_conflict, takes_priming_event, unresumable_event_id,
};
pub use sse::{DEFAULT_MAX_EVENT_BYTES, SseDecoder, SseEncoder, SseError, SseEvent};
pub use status::{
    APPLICATION_JSON, HttpResponse, TEXT_EVENT_STREAM, TRANSPORT_ERROR, event_stream_headers,
    status_for_error,
};
