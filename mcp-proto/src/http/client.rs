//! The client's side: the headers of each POST, GET and DELETE, and reading an answer's
//! status for era detection.

use alloc::string::String;
use alloc::vec::Vec;

use crate::http::headers::{
    LAST_EVENT_ID, MCP_METHOD, MCP_NAME, MCP_PROTOCOL_VERSION, MCP_SESSION_ID, encode_header_value,
    name_member, params_string,
};
use crate::http::params::{HeaderParam, call_arguments, render_param_value};
use crate::http::status::{APPLICATION_JSON, TEXT_EVENT_STREAM};
use crate::jsonrpc::{ErrorCode, ErrorObject, Message};
use crate::version::ProtocolVersion;

/// The `Accept` value of every POST.
pub const POST_ACCEPT: &str = "application/json, text/event-stream";

/// What the headers of a message depend on besides the message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HeaderContext<'a> {
    /// A 2026-07-28 message: the version comes from its own `_meta`.
    Modern {
        /// The `x-mcp-header` annotations of the tool a `tools/call` calls (from
        /// [`x_mcp_header_params`](crate::http::x_mcp_header_params) of its input
        /// schema); empty for other methods or unannotated tools.
        header_params: &'a [HeaderParam],
    },
    /// A legacy message.
    Legacy {
        /// The negotiated version; `None` for the `initialize` POST itself, which
        /// carries no `MCP-Protocol-Version`.
        protocol_version: Option<&'a ProtocolVersion>,
        /// The session the server assigned, if any.
        session_id: Option<&'a str>,
    },
}

impl HeaderContext<'_> {
    /// The context of a modern message without annotated arguments.
    pub const MODERN: HeaderContext<'static> = HeaderContext::Modern { header_params: &[] };
}

fn header(name: &str, value: impl Into<String>) -> (String, String) {
    (String::from(name), value.into())
}

/// The headers of the POST carrying `message` (3.2, 3.3.4, 3.4.2).
///
/// Always `Content-Type: application/json` and `Accept: application/json,
/// text/event-stream`. Legacy: `MCP-Protocol-Version` (after `initialize`) and
/// `Mcp-Session-Id` (when assigned). Modern: `MCP-Protocol-Version` from `_meta`,
/// `Mcp-Method`, `Mcp-Name` for the methods that name something (in the Base64 form when
/// the value is not header-safe), and for `tools/call` one `Mcp-Param-{Name}` per
/// annotated argument that is present and not `null` (strings as they are, numbers in
/// decimal, booleans as `true`/`false`; objects and arrays are never mirrored).
pub fn request_headers(message: &Message, context: &HeaderContext<'_>) -> Vec<(String, String)> {
    let mut headers = alloc::vec![
        header("Content-Type", APPLICATION_JSON),
        header("Accept", POST_ACCEPT),
    ];
    match context {
        HeaderContext::Legacy {
            protocol_version,
            session_id,
        } => {
            if let Some(version) = protocol_version {
                headers.push(header(MCP_PROTOCOL_VERSION, version.as_str()));
            }
            if let Some(session_id) = session_id {
                headers.push(header(MCP_SESSION_ID, *session_id));
            }
        }
        HeaderContext::Modern { header_params } => {
            let version = message
                .params()
                .and_then(|params| params.meta())
                .and_then(|meta| meta.protocol_version());
            if let Some(version) = version {
                headers.push(header(MCP_PROTOCOL_VERSION, version.as_ref()));
            }
            let Some(method) = message.method() else {
                return headers;
            };
            headers.push(header(MCP_METHOD, method));
            let name =
                name_member(method).and_then(|member| params_string(message.params(), member));
            if let Some(name) = name {
                headers.push(header(MCP_NAME, encode_header_value(&name).as_ref()));
            }
            if let (Message::Request(request), "tools/call") = (message, method) {
                if !header_params.is_empty() {
                    let arguments = call_arguments(request);
                    for param in *header_params {
                        let value = param.value_in(&arguments).and_then(render_param_value);
                        if let Some(value) = value {
                            headers.push((
                                param.header_name(),
                                encode_header_value(&value).into_owned(),
                            ));
                        }
                    }
                }
            }
        }
    }
    headers
}

/// The headers of a legacy `GET` opening the standalone stream, or resuming one after
/// `last_event_id`.
pub fn legacy_get_headers(
    protocol_version: &ProtocolVersion,
    session_id: &str,
    last_event_id: Option<&str>,
) -> Vec<(String, String)> {
    let mut headers = alloc::vec![
        header("Accept", TEXT_EVENT_STREAM),
        header(MCP_PROTOCOL_VERSION, protocol_version.as_str()),
        header(MCP_SESSION_ID, session_id),
    ];
    if let Some(last_event_id) = last_event_id {
        headers.push(header(LAST_EVENT_ID, last_event_id));
    }
    headers
}

/// The headers of a legacy `DELETE` ending a session.
pub fn legacy_delete_headers(
    protocol_version: &ProtocolVersion,
    session_id: &str,
) -> Vec<(String, String)> {
    alloc::vec![
        header(MCP_PROTOCOL_VERSION, protocol_version.as_str()),
        header(MCP_SESSION_ID, session_id),
    ]
}

/// True when an answer proves the server is modern (5.5.2): a JSON-RPC error `-32020`,
/// `-32021` or `-32022`, or `-32601` delivered with status 404. Any other 4xx means
/// "legacy": fall back to `initialize`.
pub fn is_modern_error(status: u16, error: &ErrorObject) -> bool {
    match error.code {
        ErrorCode::HEADER_MISMATCH
        | ErrorCode::MISSING_REQUIRED_CLIENT_CAPABILITY
        | ErrorCode::UNSUPPORTED_PROTOCOL_VERSION => true,
        ErrorCode::METHOD_NOT_FOUND => status == 404,
        _ => false,
    }
}

/// How the body of an answer to a POST is to be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ResponseBody {
    /// 202: nothing to read.
    Accepted,
    /// One JSON-RPC message (`application/json`).
    Json,
    /// A stream of SSE events ([`SseDecoder`](crate::http::SseDecoder)).
    EventStream,
    /// Anything else: a transport-level failure with this status.
    Other,
}

/// Reads an answer's status and `Content-Type`: how to read its body. A JSON error body
/// with a 4xx status is still [`ResponseBody::Json`]: clients read the JSON-RPC error
/// whatever the status.
pub fn response_body(status: u16, content_type: Option<&[u8]>) -> ResponseBody {
    use crate::http::media::is_media_type;
    if status == 202 {
        return ResponseBody::Accepted;
    }
    match content_type {
        Some(value) if is_media_type(value, APPLICATION_JSON) => ResponseBody::Json,
        Some(value) if is_media_type(value, TEXT_EVENT_STREAM) && (200..300).contains(&status) => {
            ResponseBody::EventStream
        }
        _ => ResponseBody::Other,
    }
}

/// Renders headers as `(name, value-bytes)` pairs, the shape
/// [`RequestHead`](crate::http::RequestHead) borrows (for tests and in-process loops).
pub fn header_pairs(headers: &[(String, String)]) -> Vec<(&str, &[u8])> {
    headers
        .iter()
        .map(|(name, value)| (name.as_str(), value.as_bytes()))
        .collect()
}
