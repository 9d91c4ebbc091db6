//! The lifecycle of each revision: the 2025-11-25 `initialize` handshake, the 2026-07-28
//! `server/discover` request, and the empty result shared by acknowledgements.

use alloc::string::String;
use alloc::vec::Vec;
use serde::{Deserialize, Serialize};

use crate::types::capabilities::{ClientCapabilities, ServerCapabilities};
use crate::types::common::Implementation;
use crate::types::meta::Meta;
use crate::types::result::{CacheScope, ResultType};

/// `params` of `initialize` (2025-11-25 only).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct InitializeRequestParams {
    /// The newest protocol version the client supports.
    pub protocol_version: String,
    /// What the client supports.
    pub capabilities: ClientCapabilities,
    /// The client's identity.
    pub client_info: Implementation,
    /// Request metadata.
    #[serde(
        rename = "_meta",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub meta: Option<Meta>,
}

/// Result of `initialize` (2025-11-25 only).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct InitializeResult {
    /// Never sent by a 2025 server; kept for symmetry with every other result.
    #[serde(
        rename = "resultType",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub result_type: Option<ResultType>,
    /// The protocol version the session will use.
    pub protocol_version: String,
    /// What the server supports.
    pub capabilities: ServerCapabilities,
    /// The server's identity.
    pub server_info: Implementation,
    /// Guidance on how to use the server, e.g. for a system prompt.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub instructions: Option<String>,
    /// Result metadata.
    #[serde(
        rename = "_meta",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub meta: Option<Meta>,
}

/// Result of `server/discover` (2026-07-28 only; cacheable).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct DiscoverResult {
    /// Result discriminator.
    #[serde(
        rename = "resultType",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub result_type: Option<ResultType>,
    /// Protocol versions the server serves.
    pub supported_versions: Vec<String>,
    /// What the server supports.
    pub capabilities: ServerCapabilities,
    /// Guidance on how to use the server, e.g. for a system prompt.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub instructions: Option<String>,
    /// A `serverInfo` in the body, which some servers send; the schema puts the identity
    /// in `_meta["io.modelcontextprotocol/serverInfo"]` instead.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub server_info: Option<Implementation>,
    /// How long the result may be cached, in milliseconds.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub ttl_ms: Option<u64>,
    /// Who may reuse a cached copy.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub cache_scope: Option<CacheScope>,
    /// Result metadata (server identity).
    #[serde(
        rename = "_meta",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub meta: Option<Meta>,
}

/// A result with no data: the answer to `ping`, `logging/setLevel`,
/// `resources/subscribe`/`unsubscribe` (all 2025-11-25, exactly `{}` there) and to the
/// tasks extension's `tasks/update` and `tasks/cancel` (`{"resultType": "complete"}`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct EmptyResult {
    /// 2026-07-28 result discriminator.
    #[serde(
        rename = "resultType",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub result_type: Option<ResultType>,
    /// Result metadata.
    #[serde(
        rename = "_meta",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub meta: Option<Meta>,
}

impl EmptyResult {
    /// The legacy empty result, `{}`.
    pub fn legacy() -> Self {
        EmptyResult::default()
    }

    /// The modern empty result, `{"resultType": "complete"}`.
    pub fn complete() -> Self {
        EmptyResult {
            result_type: Some(ResultType::Complete),
            meta: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn empty_results() {
        assert_eq!(serde_json::to_string(&EmptyResult::legacy()).unwrap(), "{}");
        assert_eq!(
            serde_json::to_value(EmptyResult::complete()).unwrap(),
            json!({"resultType": "complete"})
        );
    }

    #[test]
    fn initialize_round_trip() {
        let value = json!({
            "protocolVersion": "2025-11-25",
            "capabilities": {"roots": {"listChanged": true}, "tasks": {"list": {}}},
            "clientInfo": {"name": "c", "version": "1", "description": "d"}
        });
        let params: InitializeRequestParams = serde_json::from_value(value.clone()).unwrap();
        assert_eq!(serde_json::to_value(&params).unwrap(), value);

        let result = json!({
            "protocolVersion": "2025-11-25",
            "capabilities": {"logging": {}, "tools": {"listChanged": true}},
            "serverInfo": {"name": "s", "version": "2"},
            "instructions": "be nice"
        });
        let typed: InitializeResult = serde_json::from_value(result.clone()).unwrap();
        assert_eq!(serde_json::to_value(&typed).unwrap(), result);
    }
}
