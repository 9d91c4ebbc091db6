//! The `Mcp-*` request headers: names, the Base64 value form, and the server-side checks
//! of steps 6 and 7 of the modern validation ladder.

use alloc::borrow::Cow;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use crate::http::head::RequestHead;
use crate::http::status::HttpResponse;
use crate::jsonrpc::scan::object_members;
use crate::jsonrpc::{ErrorCode, ErrorObject, Params, Request};
use crate::types::meta::keys;

/// `MCP-Protocol-Version`: the request's protocol version (legacy: the negotiated one,
/// after `initialize`; modern: a copy of `_meta` `protocolVersion`).
pub const MCP_PROTOCOL_VERSION: &str = "MCP-Protocol-Version";
/// `Mcp-Method` (modern): a copy of the body's `method`.
pub const MCP_METHOD: &str = "Mcp-Method";
/// `Mcp-Name` (modern): a copy of `params.name`, `params.uri` or `params.taskId`.
pub const MCP_NAME: &str = "Mcp-Name";
/// `Mcp-Session-Id` (legacy): the session a request belongs to.
pub const MCP_SESSION_ID: &str = "Mcp-Session-Id";
/// The prefix of the modern `Mcp-Param-{Name}` headers mirrored from tool arguments.
pub const MCP_PARAM_PREFIX: &str = "Mcp-Param-";
/// `Last-Event-ID` (legacy): the last SSE event a resuming client saw.
pub const LAST_EVENT_ID: &str = "Last-Event-ID";

/// The start of the Base64 form of a header value.
pub const BASE64_PREFIX: &str = "=?base64?";
/// The end of the Base64 form of a header value.
pub const BASE64_SUFFIX: &str = "?=";

/// A header value that is neither a valid literal nor a valid Base64 form.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum InvalidHeaderValue {
    /// A literal value holds a byte outside visible ASCII, space and tab.
    #[error("the header value holds a character outside visible ASCII, space and tab")]
    InvalidCharacter,
    /// The `=?base64?…?=` payload is not canonical standard Base64 with padding.
    #[error("the header value's Base64 payload is malformed")]
    InvalidBase64,
    /// The Base64 payload does not decode to UTF-8.
    #[error("the header value's Base64 payload is not UTF-8")]
    InvalidUtf8,
}

/// True for the bytes a header value may hold: visible ASCII, space and tab.
fn is_field_byte(byte: u8) -> bool {
    byte == b'\t' || (0x20..=0x7E).contains(&byte)
}

/// True when `value` has the full `=?base64?…?=` shape.
fn looks_like_base64_form(value: &[u8]) -> bool {
    value.len() >= BASE64_PREFIX.len() + BASE64_SUFFIX.len()
        && value.starts_with(BASE64_PREFIX.as_bytes())
        && value.ends_with(BASE64_SUFFIX.as_bytes())
}

/// Renders a body value as an `Mcp-Name` / `Mcp-Param-*` header value (3.4.4).
///
/// The value is sent as it is when it is printable ASCII (0x20–0x7E) with no leading or
/// trailing space and does not itself look like the Base64 form; otherwise it is sent as
/// `=?base64?<standard Base64 of the UTF-8 bytes>?=`. The empty string is sent as an
/// empty value.
pub fn encode_header_value(value: &str) -> Cow<'_, str> {
    let bytes = value.as_bytes();
    let plain = bytes.iter().all(|b| (0x20..=0x7E).contains(b))
        && !value.starts_with(' ')
        && !value.ends_with(' ')
        && !looks_like_base64_form(bytes);
    if plain {
        Cow::Borrowed(value)
    } else {
        Cow::Owned(format!(
            "{BASE64_PREFIX}{}{BASE64_SUFFIX}",
            STANDARD.encode(bytes)
        ))
    }
}

/// Reads an `Mcp-Name` / `Mcp-Param-*` header value (already trimmed) back into the body
/// value it stands for.
///
/// A value with the full `=?base64?…?=` shape is decoded strictly: standard alphabet,
/// canonical `=` padding, no stray bits, UTF-8 result. Anything else (`SGVsbG8=`,
/// `=?base64?SGVsbG8=` without the suffix) is a literal, which must hold only visible
/// ASCII, space and tab.
pub fn decode_header_value(raw: &[u8]) -> Result<Cow<'_, str>, InvalidHeaderValue> {
    if looks_like_base64_form(raw) {
        let payload = raw
            .get(BASE64_PREFIX.len()..raw.len() - BASE64_SUFFIX.len())
            .ok_or(InvalidHeaderValue::InvalidBase64)?;
        let bytes = STANDARD
            .decode(payload)
            .map_err(|_| InvalidHeaderValue::InvalidBase64)?;
        return String::from_utf8(bytes)
            .map(Cow::Owned)
            .map_err(|_| InvalidHeaderValue::InvalidUtf8);
    }
    if !raw.iter().copied().all(is_field_byte) {
        return Err(InvalidHeaderValue::InvalidCharacter);
    }
    core::str::from_utf8(raw)
        .map(Cow::Borrowed)
        .map_err(|_| InvalidHeaderValue::InvalidCharacter)
}

/// The `params` member that `Mcp-Name` mirrors for `method`: `name` for `tools/call` and
/// `prompts/get`, `uri` for `resources/read`, `taskId` for the Tasks extension's
/// `tasks/get`, `tasks/update` and `tasks/cancel`; `None` for every other method.
pub fn name_member(method: &str) -> Option<&'static str> {
    match method {
        "tools/call" | "prompts/get" => Some("name"),
        "resources/read" => Some("uri"),
        "tasks/get" | "tasks/update" | "tasks/cancel" => Some("taskId"),
        _ => None,
    }
}

/// The string value of the top-level member `member` of `params` (a tool call's `name`,
/// say), read without decoding the rest; `None` when absent or not a string.
pub fn params_string<'a>(params: Option<&'a Params>, member: &str) -> Option<Cow<'a, str>> {
    let [raw] = object_members(params?.raw().get(), [member]);
    let raw = raw?;
    match crate::jsonrpc::scan::plain_string(raw) {
        Some(text) => Some(Cow::Borrowed(text)),
        None => serde_json::from_str::<String>(raw).ok().map(Cow::Owned),
    }
}

/// A 400 answer with JSON-RPC error `code`, carrying the request's id.
pub(crate) fn bad_request(request: &Request, code: ErrorCode, message: String) -> HttpResponse {
    HttpResponse::json_rpc_error(
        400,
        Some(&request.id),
        &ErrorObject::with_message(code, message),
    )
}

/// A 400 / `-32020` answer.
pub(crate) fn header_mismatch(request: &Request, detail: &str) -> HttpResponse {
    bad_request(
        request,
        ErrorCode::HEADER_MISMATCH,
        format!("Header mismatch: {detail}"),
    )
}

/// Step 6 of the modern ladder: `params._meta` must be an object holding
/// `io.modelcontextprotocol/protocolVersion` (a string) and
/// `io.modelcontextprotocol/clientCapabilities` (an object). Failure: 400 with `-32602`
/// naming what is missing, and the request's id. `clientInfo` is never required.
pub fn check_modern_envelope(request: &Request) -> Result<(), HttpResponse> {
    let invalid = |detail: String| {
        bad_request(
            request,
            ErrorCode::INVALID_PARAMS,
            format!("Invalid params: {detail}"),
        )
    };
    let required = || {
        invalid(format!(
            "params._meta with {} and {} is required",
            keys::PROTOCOL_VERSION,
            keys::CLIENT_CAPABILITIES
        ))
    };
    let params = request.params.as_ref().ok_or_else(required)?;
    if params.meta_is_malformed() {
        return Err(invalid(String::from("params._meta must be an object")));
    }
    let meta = params.meta().ok_or_else(required)?;
    let absent: Vec<&str> = [keys::PROTOCOL_VERSION, keys::CLIENT_CAPABILITIES]
        .into_iter()
        .filter(|key| !meta.contains(key))
        .collect();
    if !absent.is_empty() {
        return Err(invalid(format!(
            "params._meta is missing {}",
            absent.join(" and ")
        )));
    }
    if meta.protocol_version().is_none() {
        return Err(invalid(format!(
            "{} must be a string",
            keys::PROTOCOL_VERSION
        )));
    }
    if !meta
        .get_raw(keys::CLIENT_CAPABILITIES)
        .is_some_and(|raw| raw.starts_with('{'))
    {
        return Err(invalid(format!(
            "{} must be an object",
            keys::CLIENT_CAPABILITIES
        )));
    }
    Ok(())
}

/// Steps 6 and 7 of the modern validation ladder, in that order.
///
/// 6. the `_meta` envelope ([`check_modern_envelope`]) → 400, `-32602`;
/// 7. the request metadata headers against the body → 400, `-32020`:
///    `MCP-Protocol-Version` absent, duplicated or ≠ `_meta` `protocolVersion`;
///    `Mcp-Method` absent, duplicated or ≠ `method` (exact, case-sensitive);
///    for the methods of [`name_member`]: `Mcp-Name` duplicated, malformed, or (after
///    decoding the Base64 form) ≠ the body's value, or absent while the body has the
///    value. When both are absent the check passes and dispatch answers the missing
///    member with `-32602`.
///
/// Steps 8 and later (the version served → `-32022`, the method → `-32601`, `Mcp-Param-*`
/// → [`check_param_headers`](crate::http::check_param_headers), capabilities) belong to
/// whoever knows the server's versions, methods and tools. Every error carries the
/// request's id.
pub fn check_modern_headers(head: &RequestHead<'_>, request: &Request) -> Result<(), HttpResponse> {
    check_modern_envelope(request)?;
    // The envelope check proved the version is present and a string.
    let body_version = request
        .meta()
        .and_then(|meta| meta.protocol_version())
        .unwrap_or_default();
    // One pass over the headers for the three this step reads; checked in order below.
    let [version, method, name] = head.unique_headers([MCP_PROTOCOL_VERSION, MCP_METHOD, MCP_NAME]);
    let duplicated = |name: &str| header_mismatch(request, &format!("{name} header is duplicated"));
    match version.map_err(|_| duplicated(MCP_PROTOCOL_VERSION))? {
        None => {
            return Err(header_mismatch(
                request,
                "MCP-Protocol-Version header is required",
            ));
        }
        Some(value) if value != body_version.as_bytes() => {
            return Err(header_mismatch(
                request,
                "MCP-Protocol-Version header does not match _meta io.modelcontextprotocol/protocolVersion",
            ));
        }
        Some(_) => {}
    }
    match method.map_err(|_| duplicated(MCP_METHOD))? {
        None => return Err(header_mismatch(request, "Mcp-Method header is required")),
        Some(value) if value != request.method.as_bytes() => {
            return Err(header_mismatch(
                request,
                "Mcp-Method header does not match the request method",
            ));
        }
        Some(_) => {}
    }
    if let Some(member) = name_member(&request.method) {
        let body_value = params_string(request.params.as_ref(), member);
        match (name.map_err(|_| duplicated(MCP_NAME))?, body_value) {
            (None, Some(_)) => {
                return Err(header_mismatch(
                    request,
                    &format!("Mcp-Name header is required for {}", request.method),
                ));
            }
            (Some(raw), Some(expected)) => {
                let decoded = decode_header_value(raw).map_err(|error| {
                    header_mismatch(request, &format!("Mcp-Name header: {error}"))
                })?;
                if *decoded != *expected {
                    return Err(header_mismatch(
                        request,
                        &format!("Mcp-Name header does not match params.{member}"),
                    ));
                }
            }
            // No body value: dispatch answers the missing member with -32602.
            (_, None) => {}
        }
    }
    Ok(())
}
