//! The `error.data` shapes of the typed MCP errors.
//!
//! The error object itself is [`ErrorObject`](crate::jsonrpc::ErrorObject), whose `data`
//! stays raw; decode it into one of these with
//! [`RawJson::decode`](crate::json::RawJson::decode) when the code says which it is.
//! The 2025-11-25 `-32042` data lives with elicitation:
//! [`URLElicitationRequiredErrorData`](crate::types::URLElicitationRequiredErrorData).

use alloc::string::String;
use alloc::vec::Vec;
use serde::{Deserialize, Serialize};

use crate::types::capabilities::ClientCapabilities;

/// `data` of `-32022` UnsupportedProtocolVersionError (2026-07-28).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct UnsupportedProtocolVersionErrorData {
    /// The versions the server supports.
    pub supported: Vec<String>,
    /// The version the client asked for.
    pub requested: String,
}

/// `data` of `-32021` MissingRequiredClientCapabilityError (2026-07-28).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct MissingRequiredClientCapabilityErrorData {
    /// The capabilities the request needs and the client did not declare.
    pub required_capabilities: ClientCapabilities,
}

/// `data` of a resource-not-found error (`-32602` in 2026-07-28, `-32002` in 2025-11-25).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ResourceNotFoundErrorData {
    /// The URI that was asked for.
    pub uri: String,
}
