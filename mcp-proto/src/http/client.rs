//! The client's side: the headers of each POST, GET and DELETE, reading an answer's
//! status and body into the lines a line-framed client connection consumes, legacy
//! session recovery, and learning `x-mcp-header` annotations from `tools/list`; and
//! [`HttpClient`], the state machine that applies all of it over a
//! [`ClientConnection`](crate::client::ClientConnection).

mod config;
mod exchange;
mod machine;
mod recovery;

pub use config::{
    DEFAULT_LISTEN_GATE, DEFAULT_MAX_EXCHANGES, DEFAULT_MAX_FRUITLESS_RESUMES,
    DEFAULT_RESUME_DELAY, HttpClientConfig,
};
pub use exchange::{BodyError, ExchangeAction, ExchangeId, ExchangeRequest};
pub use machine::HttpClient;

use alloc::string::String;
use alloc::vec::Vec;

use serde_json::Value;

use crate::client::ClientConfig;
use crate::http::headers::{
    LAST_EVENT_ID, MCP_METHOD, MCP_NAME, MCP_PROTOCOL_VERSION, MCP_SESSION_ID, encode_header_value,
    name_member, params_string,
};
use crate::http::params::{
    HeaderParam, InvalidHeaderAnnotation, call_arguments, render_param_value, x_mcp_header_params,
};
use crate::http::status::{APPLICATION_JSON, TEXT_EVENT_STREAM, TRANSPORT_ERROR};
use crate::json::RawJson;
use crate::jsonrpc::{
    ErrorCode, ErrorObject, Message, Outcome, RequestId, Response, encode_error, encode_request,
    encode_result,
};
use crate::types::{
    CancelledNotificationParams, ClientNotification, InitializeRequestParams, InitializeResult,
};
use crate::version::ProtocolVersion;

/// The `Accept` value of every POST.
pub const POST_ACCEPT: &str = "application/json, text/event-stream";

/// What the headers of a message depend on besides the message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
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
#[non_exhaustive]
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

// Reading answers: what a client feeds its line-framed connection.

/// One JSON-RPC message from an HTTP body or an SSE event's data, framed as the single
/// line a line-framed connection reads: surrounding whitespace trimmed, every CR or LF
/// inside turned into a space (JSON allows raw line breaks only as whitespace between
/// tokens, since inside strings they are escaped, so the message is unchanged), and a
/// final `\n`.
pub fn message_line(data: &[u8]) -> Vec<u8> {
    let trimmed = data.trim_ascii();
    let mut line = Vec::with_capacity(trimmed.len() + 1);
    line.extend(trimmed.iter().map(|&byte| match byte {
        b'\r' | b'\n' => b' ',
        other => other,
    }));
    line.push(b'\n');
    line
}

/// The line of a JSON-RPC error answering `id`: what a client feeds its connection for a
/// request whose POST ended without the server's answer (a transport failure, a status
/// without a JSON-RPC body, a stream that closed before the response), so that the
/// request fails instead of waiting for its deadline.
pub fn failure_line(id: &RequestId, error: &ErrorObject) -> Vec<u8> {
    let mut line = Vec::new();
    encode_error(&mut line, Some(id), error);
    line.push(b'\n');
    line
}

/// The error of [`failure_line`] for a transport-level failure: code `-32000`
/// ([`TRANSPORT_ERROR`]) with `message`.
pub fn transport_failure(message: impl Into<String>) -> ErrorObject {
    ErrorObject::with_message(TRANSPORT_ERROR, message)
}

/// True when the answer to a POST means the legacy session is gone (3.3.3): status 404
/// to a POST that carried `Mcp-Session-Id`, unless the body is a recognized modern error
/// ([`is_modern_error`]: a `-32601` with 404 is a modern server's "method not found",
/// not a lost session). The client then starts a new session with a fresh `initialize`
/// sent without a session id.
pub fn is_session_expired(status: u16, carried_session: bool, error: Option<&ErrorObject>) -> bool {
    status == 404 && carried_session && !error.is_some_and(|error| is_modern_error(status, error))
}

/// What a client makes of a complete (not streamed) answer to a POSTed request.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum RequestAnswer {
    /// Feed this line to the connection: the server's response to the request, or an
    /// error response standing in for it.
    Message(Vec<u8>),
    /// The legacy session is gone ([`is_session_expired`]): start a new session, then
    /// send the request again.
    SessionExpired,
}

/// Reads the complete answer (`status`, `body`) to the POST of request `id`.
///
/// Clients read the JSON-RPC body whatever the status (3.4.6): the server's response to
/// `id` is fed as it is; an error response without an id (transport refusals carry none)
/// is fed with `id` put in, so that its code reaches the negotiation (a `-32022` proves a
/// modern server, anything else sends a probing client to `initialize`, 5.5.2); anything
/// else (an empty or non-JSON body, another message) becomes a `-32000` error naming the
/// status. A 404 to a POST that `carried_session` is [`RequestAnswer::SessionExpired`].
pub fn read_request_answer(
    status: u16,
    body: &[u8],
    id: &RequestId,
    carried_session: bool,
) -> RequestAnswer {
    let message = crate::jsonrpc::decode(body.trim_ascii()).ok();
    let response = match message {
        Some(Message::Response(response)) => Some(response),
        _ => None,
    };
    let error = response
        .as_ref()
        .and_then(|response| match &response.outcome {
            Outcome::Error(error) => Some(error),
            Outcome::Result(_) => None,
        });
    if is_session_expired(status, carried_session, error) {
        return RequestAnswer::SessionExpired;
    }
    let line = match &response {
        Some(response) if response.id.as_ref() == Some(id) => message_line(body),
        Some(Response { id: None, .. }) if error.is_some() => {
            failure_line(id, error.unwrap_or(&transport_failure("")))
        }
        _ => failure_line(
            id,
            &transport_failure(alloc::format!(
                "HTTP status {status} without a JSON-RPC response to request {id}"
            )),
        ),
    };
    RequestAnswer::Message(line)
}

/// The session id a legacy server assigned on the answer to `initialize`: the
/// `Mcp-Session-Id` value when it is a valid one (visible ASCII,
/// [`is_valid_session_id`](crate::http::is_valid_session_id)); `None` when absent or
/// unusable (the session then runs without an id).
pub fn assigned_session_id(value: Option<&[u8]>) -> Option<String> {
    let value = core::str::from_utf8(value?).ok()?.trim_matches([' ', '\t']);
    crate::http::is_valid_session_id(value).then(|| String::from(value))
}

/// The id of the request a `notifications/cancelled` message cancels. On Streamable
/// HTTP a 2026-07-28 client does not POST this notification: it drops the request's
/// POST instead, which the server takes as the cancellation (3.4.1, 12.1). A legacy
/// client POSTs it (a dropped connection is no cancellation in 2025).
pub fn cancelled_request(message: &Message) -> Option<RequestId> {
    let Message::Notification(notification) = message else {
        return None;
    };
    if notification.method != "notifications/cancelled" {
        return None;
    }
    let params: CancelledNotificationParams = notification.params_as().ok()?;
    params.request_id
}

/// The tool a `tools/call` request calls: whose `x-mcp-header` annotations
/// [`request_headers`] needs.
pub fn called_tool(message: &Message) -> Option<String> {
    match message {
        Message::Request(request) if request.method == "tools/call" => {
            params_string(request.params.as_ref(), "name").map(alloc::borrow::Cow::into_owned)
        }
        _ => None,
    }
}

// Legacy session recovery.

/// The body of the `initialize` that opens a new legacy session after the old one
/// expired: asks for `version` (the version the connection negotiated) with the
/// client's identity and capabilities from `config`. It is POSTed without
/// `Mcp-Session-Id` and without `MCP-Protocol-Version` (3.3.3, 3.3.4).
pub fn reinitialize_body(
    id: &RequestId,
    config: &ClientConfig,
    version: &ProtocolVersion,
) -> Vec<u8> {
    let params = InitializeRequestParams {
        protocol_version: String::from(version.as_str()),
        capabilities: config.capabilities.clone(),
        client_info: config.info.clone(),
        meta: None,
    };
    let mut body = Vec::new();
    // Capabilities that encoded for the first handshake encode again; should they not,
    // the empty body is refused by the server and the recovery fails.
    let _ = encode_request(&mut body, id, "initialize", Some(&params));
    body
}

/// The body of the `notifications/initialized` that follows a successful re-initialise.
pub fn initialized_body() -> Vec<u8> {
    let mut body = Vec::new();
    // A notification without params always encodes.
    let _ = ClientNotification::Initialized(None).encode(&mut body);
    body
}

/// Reads one message that arrived for the re-initialising `initialize` request `id`:
/// `None` when it is not the answer (a notification on the stream), `Some(Ok(()))` when
/// the server accepted at `version`, and `Some(Err(reason))` when it refused or answered
/// with another version (the connection's messages follow `version`, so the new session
/// must speak it).
pub fn read_reinitialize_answer(
    data: &[u8],
    id: &RequestId,
    version: &ProtocolVersion,
) -> Option<Result<(), String>> {
    let Ok(Message::Response(response)) = crate::jsonrpc::decode(data.trim_ascii()) else {
        return None;
    };
    if response.id.as_ref() != Some(id) {
        return None;
    }
    Some(match response.outcome {
        Outcome::Error(error) => Err(alloc::format!(
            "the server refused the new session: {} ({})",
            error.message,
            error.code.0
        )),
        Outcome::Result(body) => match body.decode::<InitializeResult>() {
            Ok(result) if result.protocol_version == version.as_str() => Ok(()),
            Ok(result) => Err(alloc::format!(
                "the new session speaks {}, not {version}",
                result.protocol_version
            )),
            Err(error) => Err(alloc::format!("invalid initialize result: {error}")),
        },
    })
}

// Learning `x-mcp-header` annotations from `tools/list`.

/// What a `tools/list` response tells a 2026-07-28 HTTP client about `Mcp-Param-*`
/// headers ([`screen_tools_list`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScreenedTools {
    /// Every valid tool of the page by name, with its annotations (empty when it has
    /// none): what [`request_headers`] needs for a later `tools/call`.
    pub header_params: Vec<(String, Vec<HeaderParam>)>,
    /// Tools whose annotations are invalid, by name, with the reason: the client drops
    /// them from the list it exposes (3.4.3) and should log a warning.
    pub invalid: Vec<(String, InvalidHeaderAnnotation)>,
    /// The response line without the invalid tools, to feed instead of the original;
    /// `None` when every tool is valid (feed the original).
    pub filtered: Option<Vec<u8>>,
}

/// Reads the `x-mcp-header` annotations of every tool in `line`, a response to
/// `tools/list` (3.4.3): `None` when it is not a result with a `tools` array.
pub fn screen_tools_list(line: &[u8]) -> Option<ScreenedTools> {
    let Ok(Message::Response(Response {
        id: Some(id),
        outcome: Outcome::Result(body),
    })) = crate::jsonrpc::decode(line.trim_ascii())
    else {
        return None;
    };
    let mut result: Value = body.decode().ok()?;
    let tools = result.get_mut("tools")?.as_array_mut()?;
    let mut screened = ScreenedTools {
        header_params: Vec::new(),
        invalid: Vec::new(),
        filtered: None,
    };
    tools.retain(|tool| {
        let Some(name) = tool.get("name").and_then(Value::as_str) else {
            return true;
        };
        let schema = tool
            .get("inputSchema")
            .and_then(|schema| RawJson::from_serialize(schema).ok());
        let Some(schema) = schema else {
            return true;
        };
        match x_mcp_header_params(&schema) {
            Ok(params) => {
                screened.header_params.push((String::from(name), params));
                true
            }
            Err(problem) => {
                screened.invalid.push((String::from(name), problem));
                false
            }
        }
    });
    if !screened.invalid.is_empty() {
        let mut filtered = Vec::new();
        if encode_result(&mut filtered, &id, &result).is_ok() {
            filtered.push(b'\n');
            screened.filtered = Some(filtered);
        }
    }
    Some(screened)
}

#[cfg(test)]
mod tests;
