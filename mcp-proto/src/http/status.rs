//! Rendered responses and the JSON-RPC error code → HTTP status table.

use alloc::string::String;
use alloc::vec::Vec;

use crate::jsonrpc::{ErrorCode, ErrorObject, RequestId, encode_error};
use crate::version::Era;

/// The JSON-RPC code of transport-level refusals that have no MCP code of their own
/// (bad `Origin`, wrong method, unacceptable `Accept`, …): `-32000`, as the reference SDK
/// sends.
pub const TRANSPORT_ERROR: ErrorCode = ErrorCode(-32000);

/// The media type of a JSON body.
pub const APPLICATION_JSON: &str = "application/json";

/// The media type of a Server-Sent Events stream.
pub const TEXT_EVENT_STREAM: &str = "text/event-stream";

/// A fully rendered HTTP response: what a driver writes back, untouched.
///
/// Every refusal this module produces is one of these, so a driver never has to know
/// which status or headers a rule implies.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpResponse {
    /// The status code.
    pub status: u16,
    /// Header fields to send, in order (the driver adds `Content-Length` or chunking).
    pub headers: Vec<(&'static str, String)>,
    /// The body; empty for `202 Accepted`.
    pub body: Vec<u8>,
}

impl HttpResponse {
    /// A response with no headers and no body.
    pub fn empty(status: u16) -> Self {
        HttpResponse {
            status,
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    /// `202 Accepted` with an empty body: the answer to an accepted notification (and,
    /// in the legacy era, to a POSTed response).
    pub fn accepted() -> Self {
        HttpResponse::empty(202)
    }

    /// `status` with a JSON body.
    pub fn json(status: u16, body: Vec<u8>) -> Self {
        HttpResponse {
            status,
            headers: alloc::vec![("Content-Type", String::from(APPLICATION_JSON))],
            body,
        }
    }

    /// `status` with a JSON-RPC error body; `id` is included when it could be read.
    pub fn json_rpc_error(status: u16, id: Option<&RequestId>, error: &ErrorObject) -> Self {
        let mut body = Vec::new();
        encode_error(&mut body, id, error);
        HttpResponse::json(status, body)
    }

    /// A JSON-RPC error answer whose status follows [`status_for_error`] for `era`: the
    /// way to answer a handler's error on a plain JSON response.
    pub fn for_error(era: Era, id: Option<&RequestId>, error: &ErrorObject) -> Self {
        HttpResponse::json_rpc_error(status_for_error(error.code, era), id, error)
    }

    /// A transport-level refusal: `status` with a `-32000` JSON-RPC error without `id`.
    pub fn refusal(status: u16, message: &str) -> Self {
        HttpResponse::json_rpc_error(
            status,
            None,
            &ErrorObject::with_message(TRANSPORT_ERROR, message),
        )
    }

    /// `405 Method Not Allowed` naming the methods that are (`"POST"` or
    /// `"GET, POST, DELETE"`).
    pub fn method_not_allowed(allow: &'static str) -> Self {
        let mut response = HttpResponse::refusal(405, "Method Not Allowed");
        response.headers.push(("Allow", String::from(allow)));
        response
    }

    /// This response with header `name: value` added (for example `Mcp-Session-Id` on
    /// the legacy `InitializeResult`).
    pub fn with_header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(field, _)| field.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    /// The JSON-RPC error object of the body, when the body is an error response.
    pub fn json_rpc_error_object(&self) -> Option<ErrorObject> {
        #[derive(serde::Deserialize)]
        struct Body {
            error: ErrorObject,
        }
        serde_json::from_slice::<Body>(&self.body)
            .ok()
            .map(|body| body.error)
    }

    /// The `id` member of a JSON-RPC error body, when present.
    pub fn json_rpc_id(&self) -> Option<RequestId> {
        #[derive(serde::Deserialize)]
        struct Body {
            id: Option<RequestId>,
        }
        serde_json::from_slice::<Body>(&self.body)
            .ok()
            .and_then(|body| body.id)
    }
}

/// The headers of a `text/event-stream` response: the media type plus the two fields
/// that keep proxies from buffering the stream.
pub fn event_stream_headers() -> Vec<(&'static str, String)> {
    alloc::vec![
        ("Content-Type", String::from(TEXT_EVENT_STREAM)),
        ("Cache-Control", String::from("no-cache")),
        ("X-Accel-Buffering", String::from("no")),
    ]
}

/// The HTTP status of a JSON-RPC error answered on a plain JSON response.
///
/// Modern (2026-07-28), the reference SDK's table, which the specification pins for the
/// envelope and header errors: `-32700`, `-32600`, `-32602`, `-32020`, `-32021` and
/// `-32022` → 400; `-32601` → 404; every other code → 200 with the error in the body.
///
/// Legacy (2025-11-25): only the transport-level codes `-32700` and `-32600` (and the
/// modern-only `-32020`…`-32022`, should one ever be sent) → 400; everything else,
/// `-32601` and `-32602` included, → 200, because legacy clients (the reference SDK's
/// among them) treat any non-2xx answer to a request as a transport failure and never
/// read the JSON-RPC body.
///
/// Clients must read the body whatever the status.
pub fn status_for_error(code: ErrorCode, era: Era) -> u16 {
    match (code, era) {
        (
            ErrorCode::PARSE_ERROR
            | ErrorCode::INVALID_REQUEST
            | ErrorCode::HEADER_MISMATCH
            | ErrorCode::MISSING_REQUIRED_CLIENT_CAPABILITY
            | ErrorCode::UNSUPPORTED_PROTOCOL_VERSION,
            _,
        )
        | (ErrorCode::INVALID_PARAMS, Era::Modern) => 400,
        (ErrorCode::METHOD_NOT_FOUND, Era::Modern) => 404,
        _ => 200,
    }
}
