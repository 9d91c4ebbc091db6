//! The JSON-RPC error object and MCP's table of error codes.

use alloc::string::String;
use core::fmt;
use serde::{Deserialize, Serialize};

use crate::json::RawJson;

/// A JSON-RPC error code.
///
/// The associated constants are every code MCP defines in either revision; any other
/// integer is carried through unchanged.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ErrorCode(pub i64);

impl ErrorCode {
    /// -32700: the message was not valid JSON.
    pub const PARSE_ERROR: ErrorCode = ErrorCode(-32700);
    /// -32600: valid JSON but not a valid JSON-RPC message (also: a batch, a response
    /// where none is allowed, cross-era traffic on a locked stream).
    pub const INVALID_REQUEST: ErrorCode = ErrorCode(-32600);
    /// -32601: unknown, removed or unadvertised method.
    pub const METHOD_NOT_FOUND: ErrorCode = ErrorCode(-32601);
    /// -32602: bad params, including a missing 2026 `_meta` envelope and unknown tools.
    pub const INVALID_PARAMS: ErrorCode = ErrorCode(-32602);
    /// -32603: the server failed.
    pub const INTERNAL_ERROR: ErrorCode = ErrorCode(-32603);
    /// -32001: session not found (implementation-defined range; seen in the TypeScript SDK).
    pub const SESSION_NOT_FOUND: ErrorCode = ErrorCode(-32001);
    /// -32002: resource not found (2025-11-25 only; 2026 uses -32602 with `data.uri`).
    pub const RESOURCE_NOT_FOUND: ErrorCode = ErrorCode(-32002);
    /// -32020: an HTTP header is missing, malformed or disagrees with the body (2026).
    pub const HEADER_MISMATCH: ErrorCode = ErrorCode(-32020);
    /// -32021: the request needs a client capability it did not declare (2026).
    pub const MISSING_REQUIRED_CLIENT_CAPABILITY: ErrorCode = ErrorCode(-32021);
    /// -32022: the requested protocol version is not served (2026).
    pub const UNSUPPORTED_PROTOCOL_VERSION: ErrorCode = ErrorCode(-32022);
    /// -32042: URL-mode elicitation required (2025-11-25 only).
    pub const URL_ELICITATION_REQUIRED: ErrorCode = ErrorCode(-32042);

    /// The standard message for a known code, or `None` for any other code.
    pub const fn default_message(self) -> Option<&'static str> {
        Some(match self.0 {
            -32700 => "Parse error",
            -32600 => "Invalid Request",
            -32601 => "Method not found",
            -32602 => "Invalid params",
            -32603 => "Internal error",
            -32001 => "Session not found",
            -32002 => "Resource not found",
            -32020 => "Header mismatch",
            -32021 => "Missing required client capability",
            -32022 => "Unsupported protocol version",
            -32042 => "URL elicitation required",
            _ => return None,
        })
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.default_message() {
            Some(message) => write!(f, "{} ({message})", self.0),
            None => write!(f, "{}", self.0),
        }
    }
}

/// The `error` member of a JSON-RPC error response.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorObject {
    /// What kind of error this is.
    pub code: ErrorCode,
    /// One short sentence describing the error.
    pub message: String,
    /// Additional information; its shape is fixed for the typed MCP errors
    /// (`-32021`, `-32022`, resource not found) and free otherwise. `None` when the member
    /// is absent; a `null` member is kept as `Some` so that re-encoding writes it back.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present_data"
    )]
    pub data: Option<RawJson>,
}

/// Reads a present `data` member, `null` included (plain `Option` would turn `null` into
/// `None` and lose it on re-encoding).
fn present_data<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<RawJson>, D::Error> {
    RawJson::deserialize(deserializer).map(Some)
}

impl ErrorObject {
    /// An error with the code's standard message and no data.
    pub fn new(code: ErrorCode) -> Self {
        ErrorObject {
            code,
            message: String::from(code.default_message().unwrap_or("Error")),
            data: None,
        }
    }

    /// An error with a custom message and no data.
    pub fn with_message(code: ErrorCode, message: impl Into<String>) -> Self {
        ErrorObject {
            code,
            message: message.into(),
            data: None,
        }
    }

    /// Sets `data` to the JSON encoding of `data`.
    pub fn with_data<T: Serialize + ?Sized>(mut self, data: &T) -> Self {
        self.data = RawJson::from_serialize(data).ok();
        self
    }
}

impl fmt::Display for ErrorObject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "JSON-RPC error {}: {}", self.code.0, self.message)
    }
}

impl core::error::Error for ErrorObject {}
