//! The front door: transport checks, then the per-request era decision (5.6.2).

use alloc::string::String;

use crate::http::head::{HttpMethod, RequestHead};
use crate::http::headers::{LAST_EVENT_ID, MCP_PROTOCOL_VERSION, MCP_SESSION_ID};
use crate::http::media::{accepts, accepts_each, is_media_type};
use crate::http::origin::OriginPolicy;
use crate::http::session::is_valid_session_id;
use crate::http::status::{APPLICATION_JSON, HttpResponse, TEXT_EVENT_STREAM};
use crate::jsonrpc::{ErrorCode, ErrorObject, Message, Params, Request, decode};
use crate::types::meta::keys;
use crate::version::{Era, ProtocolVersion};

/// The default request body limit: 4 MiB, the reference SDK's.
pub const DEFAULT_MAX_BODY_BYTES: usize = 4 * 1024 * 1024;

/// Which eras an endpoint serves.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ServedEras {
    /// Both, decided per request (5.6.2).
    #[default]
    Both,
    /// 2025-11-25 and older only: every POST takes the legacy path.
    LegacyOnly,
    /// 2026-07-28 only: every POST takes the modern ladder; `GET` and `DELETE` are 405.
    ModernOnly,
}

/// What [`route`] needs to know about the endpoint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RouteConfig {
    /// The `Host`/`Origin` allow-lists (default: loopback).
    pub origin: OriginPolicy,
    /// The eras served (default: both).
    pub eras: ServedEras,
    /// The largest request body accepted; larger ones get 413 before any parsing.
    pub max_body_bytes: usize,
    /// Whether a POST's `Accept` must list `text/event-stream` as well as
    /// `application/json` (default true: the server may answer with a stream).
    pub require_event_stream: bool,
    /// The endpoint's path; requests for any other path get 404. `None` (the default)
    /// leaves path routing to the driver.
    pub endpoint_path: Option<String>,
}

impl Default for RouteConfig {
    fn default() -> Self {
        RouteConfig {
            origin: OriginPolicy::loopback(),
            eras: ServedEras::Both,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            require_event_stream: true,
            endpoint_path: None,
        }
    }
}

impl RouteConfig {
    /// The `Allow` value of a 405: `POST` when only the modern era is served, else
    /// `GET, POST, DELETE`.
    pub fn allow(&self) -> &'static str {
        match self.eras {
            ServedEras::ModernOnly => "POST",
            ServedEras::Both | ServedEras::LegacyOnly => "GET, POST, DELETE",
        }
    }

    fn method_not_allowed(&self) -> HttpResponse {
        HttpResponse::method_not_allowed(self.allow())
    }
}

/// A POST that takes the modern ladder: a request (modern notifications are
/// [`Route::Accepted`], modern responses are refused).
#[derive(Clone, Debug, PartialEq)]
pub struct ModernPost {
    /// The request. Next: [`check_modern_headers`](crate::http::check_modern_headers),
    /// then the connection's version, method and capability checks.
    pub request: Request,
}

/// A POST that takes the legacy path.
#[derive(Clone, Debug, PartialEq)]
pub struct LegacyPost<'a> {
    /// The message: a request, a notification or a response to a server request.
    pub message: Message,
    /// The `Mcp-Session-Id` header (syntax already checked), for
    /// [`SessionTable::resolve_post`](crate::http::SessionTable::resolve_post).
    pub session_id: Option<&'a str>,
    /// The `MCP-Protocol-Version` header: absent (the `initialize` POST, or a client
    /// older than 2025-06-18) or a known legacy version.
    pub protocol_version: Option<ProtocolVersion>,
}

impl LegacyPost<'_> {
    /// 3.3.4: a `MCP-Protocol-Version` header, when present, must name a version this
    /// server serves (normally the one negotiated in the session), else 400. Absent is
    /// fine: the `initialize` POST never carries it, and clients older than 2025-06-18
    /// never send it.
    pub fn check_protocol_version(&self, served: &[ProtocolVersion]) -> Result<(), HttpResponse> {
        match &self.protocol_version {
            Some(version) if !served.contains(version) => Err(HttpResponse::refusal(
                400,
                "Bad Request: unsupported MCP-Protocol-Version",
            )),
            _ => Ok(()),
        }
    }
}

/// Where a request goes, or the response that refuses it.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Route<'a> {
    /// A 2026-07-28 request: continue with the modern ladder.
    Modern(ModernPost),
    /// A legacy message: check its session, then serve it.
    Legacy(LegacyPost<'a>),
    /// A legacy standalone SSE stream (`GET` with a session), or a resume when
    /// `last_event_id` is present.
    LegacyGet {
        /// The `Mcp-Session-Id` header.
        session_id: &'a str,
        /// The `Last-Event-ID` header, when resuming.
        last_event_id: Option<&'a str>,
    },
    /// Legacy session termination (`DELETE` with a session).
    LegacyDelete {
        /// The `Mcp-Session-Id` header.
        session_id: &'a str,
    },
    /// A modern notification: answer `202 Accepted` ([`HttpResponse::accepted`]) and
    /// drop it (2026-07-28 defines no client notifications on HTTP).
    Accepted,
    /// Refused: write this response.
    Reject(HttpResponse),
}

/// The era a POSTed `message` takes under 5.6.2, for an endpoint serving both.
///
/// Modern when any `MCP-Protocol-Version` header names something other than a known
/// legacy version (the modern version, an unknown string, an empty or non-UTF-8 value),
/// or when the body's `params._meta` holds `io.modelcontextprotocol/protocolVersion`.
/// Legacy otherwise: no header or a legacy one, and no envelope. The method does not
/// matter: an `initialize` with modern headers is modern (and then 404, `-32601`).
pub fn post_era(head: &RequestHead<'_>, message: &Message) -> Era {
    let modern_header = names_non_legacy_version(head);
    let envelope = message
        .params()
        .and_then(Params::meta)
        .is_some_and(|meta| meta.contains(keys::PROTOCOL_VERSION));
    if modern_header || envelope {
        Era::Modern
    } else {
        Era::Legacy
    }
}

/// True when any `MCP-Protocol-Version` header names something other than a known legacy
/// version (the modern version, an unknown string, an empty or non-UTF-8 value).
fn names_non_legacy_version(head: &RequestHead<'_>) -> bool {
    head.headers_named(MCP_PROTOCOL_VERSION).any(|value| {
        core::str::from_utf8(value).map_or(true, |version| {
            ProtocolVersion::parse(version).era() != Some(Era::Legacy)
        })
    })
}

/// The `Mcp-Session-Id` header: `Ok(None)` when absent, a 400 refusal when present but not
/// a valid session id (empty, too long, or outside visible ASCII).
fn session_header<'a>(head: &RequestHead<'a>) -> Result<Option<&'a str>, HttpResponse> {
    match head.header(MCP_SESSION_ID) {
        None => Ok(None),
        Some(value) => core::str::from_utf8(value)
            .ok()
            .filter(|id| is_valid_session_id(id))
            .map(Some)
            .ok_or_else(|| HttpResponse::refusal(400, "Bad Request: malformed Mcp-Session-Id")),
    }
}

/// The checks that need only the head, in ladder order (steps 1–3 and the declared part
/// of 4), so a driver can refuse before reading the body: `Host`/`Origin` (400/421/403),
/// the endpoint path (404), the method (405 with `Allow`), then for `POST` `Accept`
/// (406), `Content-Type` (415) and a `Content-Length` over the limit (413); for `GET`,
/// `Accept: text/event-stream` (406). [`route`] runs it first.
pub fn check_head(head: &RequestHead<'_>, config: &RouteConfig) -> Result<(), HttpResponse> {
    config
        .origin
        .check(head)
        .map_err(|rejection| rejection.response())?;
    if config
        .endpoint_path
        .as_ref()
        .is_some_and(|path| head.path_without_query() != path)
    {
        return Err(HttpResponse::refusal(404, "Not Found"));
    }
    match head.method {
        HttpMethod::Post => {
            let [json_ok, event_stream_ok] =
                accepts_each(head, [APPLICATION_JSON, TEXT_EVENT_STREAM]);
            let event_stream_ok = !config.require_event_stream || event_stream_ok;
            if !json_ok || !event_stream_ok {
                return Err(HttpResponse::refusal(
                    406,
                    "Not Acceptable: the client must accept both application/json and text/event-stream",
                ));
            }
            if !head
                .header("content-type")
                .is_some_and(|value| is_media_type(value, APPLICATION_JSON))
            {
                return Err(HttpResponse::refusal(
                    415,
                    "Unsupported Media Type: Content-Type must be application/json",
                ));
            }
            let declared = head
                .header_str("content-length")
                .and_then(|length| length.parse::<u64>().ok());
            if declared.is_some_and(|length| length > config.max_body_bytes as u64) {
                return Err(too_large(config));
            }
            Ok(())
        }
        HttpMethod::Get | HttpMethod::Delete => {
            if config.eras == ServedEras::ModernOnly || head.header(MCP_SESSION_ID).is_none() {
                return Err(config.method_not_allowed());
            }
            // Only legacy sessions use GET and DELETE; a modern client never does.
            if config.eras == ServedEras::Both && names_non_legacy_version(head) {
                return Err(config.method_not_allowed());
            }
            if head.method == HttpMethod::Get && !accepts(head, TEXT_EVENT_STREAM) {
                return Err(HttpResponse::refusal(
                    406,
                    "Not Acceptable: the client must accept text/event-stream",
                ));
            }
            session_header(head).map(drop)
        }
        HttpMethod::Other => Err(config.method_not_allowed()),
    }
}

fn too_large(config: &RouteConfig) -> HttpResponse {
    HttpResponse::refusal(
        413,
        &alloc::format!(
            "Payload Too Large: the body exceeds {} bytes",
            config.max_body_bytes
        ),
    )
}

/// Routes one request: [`check_head`], then for a POST the body limit (413), decoding
/// (400 with `-32700` or `-32600`, with the id when readable), and the era decision of
/// [`post_era`] (as restricted by [`RouteConfig::eras`]).
///
/// The modern side then refuses responses (400, `-32600`) and accepts notifications
/// (202). The legacy side refuses a `MCP-Protocol-Version` that is not a known legacy
/// version or is duplicated (400), and a malformed `Mcp-Session-Id` (400). Sessions
/// themselves are not looked up here: see
/// [`SessionTable::resolve_post`](crate::http::SessionTable::resolve_post).
pub fn route<'a>(head: &RequestHead<'a>, body: &[u8], config: &RouteConfig) -> Route<'a> {
    match check_head(head, config).and_then(|()| route_inner(head, body, config)) {
        Ok(route) => route,
        Err(response) => Route::Reject(response),
    }
}

/// [`route`] for a request whose head has already passed [`check_head`] under the same
/// `config` (a driver that checks the head before reading the body): the same answer,
/// without checking the head a second time.
pub fn route_checked<'a>(head: &RequestHead<'a>, body: &[u8], config: &RouteConfig) -> Route<'a> {
    match route_inner(head, body, config) {
        Ok(route) => route,
        Err(response) => Route::Reject(response),
    }
}

fn route_inner<'a>(
    head: &RequestHead<'a>,
    body: &[u8],
    config: &RouteConfig,
) -> Result<Route<'a>, HttpResponse> {
    match head.method {
        HttpMethod::Get => {
            let session_id = session_header(head)?.ok_or_else(|| config.method_not_allowed())?;
            let last_event_id = head.header_str(LAST_EVENT_ID).filter(|id| !id.is_empty());
            return Ok(Route::LegacyGet {
                session_id,
                last_event_id,
            });
        }
        HttpMethod::Delete => {
            let session_id = session_header(head)?.ok_or_else(|| config.method_not_allowed())?;
            return Ok(Route::LegacyDelete { session_id });
        }
        HttpMethod::Post => {}
        HttpMethod::Other => return Err(config.method_not_allowed()),
    }
    if body.len() > config.max_body_bytes {
        return Err(too_large(config));
    }
    let message = decode(body)
        .map_err(|error| HttpResponse::json_rpc_error(400, error.id(), &error.to_error_object()))?;
    let era = match config.eras {
        ServedEras::Both => post_era(head, &message),
        ServedEras::LegacyOnly => Era::Legacy,
        ServedEras::ModernOnly => Era::Modern,
    };
    match era {
        Era::Modern => match message {
            Message::Request(request) => Ok(Route::Modern(ModernPost { request })),
            Message::Notification(_) => Ok(Route::Accepted),
            Message::Response(_) => Err(HttpResponse::json_rpc_error(
                400,
                None,
                &ErrorObject::with_message(
                    ErrorCode::INVALID_REQUEST,
                    "Invalid Request: clients send no responses at 2026-07-28",
                ),
            )),
        },
        Era::Legacy => {
            let protocol_version = match head.unique_header(MCP_PROTOCOL_VERSION) {
                Err(_) => {
                    return Err(HttpResponse::refusal(
                        400,
                        "Bad Request: MCP-Protocol-Version header is duplicated",
                    ));
                }
                Ok(None) => None,
                Ok(Some(value)) => {
                    let version = core::str::from_utf8(value)
                        .map(ProtocolVersion::parse)
                        .ok()
                        .filter(|version| version.era() == Some(Era::Legacy))
                        .ok_or_else(|| {
                            HttpResponse::refusal(
                                400,
                                "Bad Request: unsupported MCP-Protocol-Version",
                            )
                        })?;
                    Some(version)
                }
            };
            Ok(Route::Legacy(LegacyPost {
                message,
                session_id: session_header(head)?,
                protocol_version,
            }))
        }
    }
}
