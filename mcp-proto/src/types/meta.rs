//! The `_meta` object and its reserved keys.
//!
//! `_meta` may appear on params, results, notifications and many nested objects. It is an
//! open map: unknown keys are kept and re-encoded unchanged. Keys under a prefix whose
//! second label is `modelcontextprotocol` or `mcp` are reserved for MCP; [`Meta`] has a
//! typed accessor for every reserved key either revision defines, and [`keys`] names them.

use alloc::string::String;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::json::JsonObject;
use crate::types::capabilities::ClientCapabilities;
use crate::types::common::{Implementation, LoggingLevel, ProgressToken};

/// The reserved `_meta` keys of both revisions.
pub mod keys {
    /// Request `_meta`: opts in to progress notifications (both eras).
    pub const PROGRESS_TOKEN: &str = "progressToken";
    /// Request `_meta` (2026, required): the protocol version the request speaks.
    pub const PROTOCOL_VERSION: &str = "io.modelcontextprotocol/protocolVersion";
    /// Request `_meta` (2026, required): the client capabilities valid for this request.
    pub const CLIENT_CAPABILITIES: &str = "io.modelcontextprotocol/clientCapabilities";
    /// Request `_meta` (2026, optional): the client's identity.
    pub const CLIENT_INFO: &str = "io.modelcontextprotocol/clientInfo";
    /// Request `_meta` (2026, optional, deprecated): opt in to log messages at this level.
    pub const LOG_LEVEL: &str = "io.modelcontextprotocol/logLevel";
    /// Result `_meta` (2026): the server's identity.
    pub const SERVER_INFO: &str = "io.modelcontextprotocol/serverInfo";
    /// Notification and listen-result `_meta` (2026): the id of the listen request.
    pub const SUBSCRIPTION_ID: &str = "io.modelcontextprotocol/subscriptionId";
    /// 2025-11-25 experimental tasks: the task a message relates to (`{"taskId": ...}`).
    pub const RELATED_TASK: &str = "io.modelcontextprotocol/related-task";
    /// 2025-11-25 experimental tasks: an immediate answer for the model.
    pub const MODEL_IMMEDIATE_RESPONSE: &str = "io.modelcontextprotocol/model-immediate-response";
    /// W3C Trace Context `traceparent`.
    pub const TRACEPARENT: &str = "traceparent";
    /// W3C Trace Context `tracestate`.
    pub const TRACESTATE: &str = "tracestate";
    /// W3C Baggage.
    pub const BAGGAGE: &str = "baggage";
}

/// A `_meta` object: an open map with typed accessors for the reserved keys.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Meta(pub JsonObject);

/// The `taskId` wrapper of the 2025 `io.modelcontextprotocol/related-task` key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RelatedTaskMetadata {
    /// The task this message belongs to.
    pub task_id: String,
}

impl Meta {
    /// An empty `_meta`.
    pub fn new() -> Self {
        Meta(JsonObject::new())
    }

    /// The raw value under `key`.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.0.get(key)
    }

    /// True when `key` is present, whatever its value.
    pub fn contains(&self, key: &str) -> bool {
        self.0.contains_key(key)
    }

    /// Sets `key` to the JSON encoding of `value`.
    pub fn insert<T: Serialize + ?Sized>(&mut self, key: &str, value: &T) {
        if let Ok(value) = serde_json::to_value(value) {
            self.0.insert(String::from(key), value);
        }
    }

    /// Removes `key`, returning its value.
    pub fn remove(&mut self, key: &str) -> Option<Value> {
        self.0.remove(key)
    }

    /// True when no key is present.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn typed<T: DeserializeOwned>(&self, key: &str) -> Option<Result<T, serde_json::Error>> {
        self.0.get(key).map(crate::json::strict::from_value)
    }

    /// `progressToken`, when present and a string or integer.
    pub fn progress_token(&self) -> Option<ProgressToken> {
        self.typed(keys::PROGRESS_TOKEN).and_then(Result::ok)
    }

    /// `io.modelcontextprotocol/protocolVersion`, when present and a string.
    pub fn protocol_version(&self) -> Option<&str> {
        self.0.get(keys::PROTOCOL_VERSION).and_then(Value::as_str)
    }

    /// `io.modelcontextprotocol/clientCapabilities`, decoded; `Some(Err(_))` when present
    /// but malformed.
    pub fn client_capabilities(&self) -> Option<Result<ClientCapabilities, serde_json::Error>> {
        self.typed(keys::CLIENT_CAPABILITIES)
    }

    /// `io.modelcontextprotocol/clientInfo`, decoded.
    pub fn client_info(&self) -> Option<Result<Implementation, serde_json::Error>> {
        self.typed(keys::CLIENT_INFO)
    }

    /// `io.modelcontextprotocol/logLevel`, decoded.
    pub fn log_level(&self) -> Option<Result<LoggingLevel, serde_json::Error>> {
        self.typed(keys::LOG_LEVEL)
    }

    /// `io.modelcontextprotocol/serverInfo`, decoded.
    pub fn server_info(&self) -> Option<Result<Implementation, serde_json::Error>> {
        self.typed(keys::SERVER_INFO)
    }

    /// `io.modelcontextprotocol/subscriptionId`, when present and a string or integer.
    pub fn subscription_id(&self) -> Option<crate::jsonrpc::RequestId> {
        self.typed(keys::SUBSCRIPTION_ID).and_then(Result::ok)
    }

    /// `io.modelcontextprotocol/related-task` (2025 experimental tasks), decoded.
    pub fn related_task(&self) -> Option<Result<RelatedTaskMetadata, serde_json::Error>> {
        self.typed(keys::RELATED_TASK)
    }

    /// `io.modelcontextprotocol/model-immediate-response` (2025 experimental tasks).
    pub fn model_immediate_response(&self) -> Option<&str> {
        self.0
            .get(keys::MODEL_IMMEDIATE_RESPONSE)
            .and_then(Value::as_str)
    }

    /// `traceparent` (W3C Trace Context).
    pub fn traceparent(&self) -> Option<&str> {
        self.0.get(keys::TRACEPARENT).and_then(Value::as_str)
    }

    /// `tracestate` (W3C Trace Context).
    pub fn tracestate(&self) -> Option<&str> {
        self.0.get(keys::TRACESTATE).and_then(Value::as_str)
    }

    /// `baggage` (W3C Baggage).
    pub fn baggage(&self) -> Option<&str> {
        self.0.get(keys::BAGGAGE).and_then(Value::as_str)
    }

    /// Sets `io.modelcontextprotocol/protocolVersion`.
    pub fn set_protocol_version(&mut self, version: &str) {
        self.insert(keys::PROTOCOL_VERSION, version);
    }

    /// Sets `io.modelcontextprotocol/clientCapabilities`.
    pub fn set_client_capabilities(&mut self, capabilities: &ClientCapabilities) {
        self.insert(keys::CLIENT_CAPABILITIES, capabilities);
    }

    /// Sets `io.modelcontextprotocol/clientInfo`.
    pub fn set_client_info(&mut self, info: &Implementation) {
        self.insert(keys::CLIENT_INFO, info);
    }

    /// Sets `io.modelcontextprotocol/logLevel`.
    pub fn set_log_level(&mut self, level: LoggingLevel) {
        self.insert(keys::LOG_LEVEL, &level);
    }

    /// Sets `io.modelcontextprotocol/serverInfo`.
    pub fn set_server_info(&mut self, info: &Implementation) {
        self.insert(keys::SERVER_INFO, info);
    }

    /// Sets `io.modelcontextprotocol/subscriptionId`.
    pub fn set_subscription_id(&mut self, id: &crate::jsonrpc::RequestId) {
        self.insert(keys::SUBSCRIPTION_ID, id);
    }

    /// Sets `progressToken`.
    pub fn set_progress_token(&mut self, token: &ProgressToken) {
        self.insert(keys::PROGRESS_TOKEN, token);
    }
}

/// Checks a `_meta` key against the naming rules of both revisions: an optional prefix of
/// dot-separated labels ending in `/`, then a name that is empty or starts and ends with an
/// ASCII letter or digit and holds only letters, digits, `.`, `_` and `-`.
pub fn is_valid_key(key: &str) -> bool {
    let (prefix, name) = match key.rfind('/') {
        Some(slash) => (key.get(..slash), key.get(slash + 1..).unwrap_or("")),
        None => (None, key),
    };
    if let Some(prefix) = prefix {
        if !prefix.split('.').all(is_valid_label) {
            return false;
        }
    }
    is_valid_name(name)
}

fn is_valid_label(label: &str) -> bool {
    let bytes = label.as_bytes();
    match (bytes.first(), bytes.last()) {
        (Some(first), Some(last)) => {
            first.is_ascii_alphabetic()
                && last.is_ascii_alphanumeric()
                && bytes
                    .iter()
                    .all(|b| b.is_ascii_alphanumeric() || *b == b'-')
        }
        _ => false,
    }
}

fn is_valid_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    match (bytes.first(), bytes.last()) {
        (None, _) | (_, None) => true,
        (Some(first), Some(last)) => {
            first.is_ascii_alphanumeric()
                && last.is_ascii_alphanumeric()
                && bytes
                    .iter()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
        }
    }
}

/// True when `key` sits under a prefix reserved for MCP: one whose second label is
/// `modelcontextprotocol` or `mcp` (`io.modelcontextprotocol/`, `dev.mcp/`).
pub fn is_reserved_key(key: &str) -> bool {
    let Some(slash) = key.rfind('/') else {
        return false;
    };
    let prefix = key.get(..slash).unwrap_or("");
    matches!(
        prefix.split('.').nth(1),
        Some("modelcontextprotocol" | "mcp")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_rules() {
        for good in [
            "progressToken",
            "io.modelcontextprotocol/protocolVersion",
            "com.example/x-y_z.1",
            "com.example/",
            "",
            "a",
        ] {
            assert!(is_valid_key(good), "{good}");
        }
        for bad in [
            "-a",
            "a-",
            "1com.example/x",
            "com..example/x",
            "com.example-/x",
            "x y",
        ] {
            assert!(!is_valid_key(bad), "{bad}");
        }
        assert!(is_reserved_key("io.modelcontextprotocol/x"));
        assert!(is_reserved_key("dev.mcp/x"));
        assert!(is_reserved_key("org.modelcontextprotocol.api/x"));
        assert!(!is_reserved_key("com.example.mcp/x"));
        assert!(!is_reserved_key("progressToken"));
    }

    #[test]
    fn typed_accessors() {
        let meta: Meta = serde_json::from_str(
            r#"{"io.modelcontextprotocol/protocolVersion":"2026-07-28",
                "io.modelcontextprotocol/clientCapabilities":{"sampling":{}},
                "io.modelcontextprotocol/logLevel":"info","progressToken":7,
                "io.modelcontextprotocol/subscriptionId":"sub-1"}"#,
        )
        .unwrap();
        assert_eq!(meta.protocol_version(), Some("2026-07-28"));
        assert!(
            meta.client_capabilities()
                .unwrap()
                .unwrap()
                .sampling
                .is_some()
        );
        assert_eq!(meta.log_level().unwrap().unwrap(), LoggingLevel::Info);
        assert_eq!(meta.progress_token(), Some(ProgressToken::Number(7)));
        assert_eq!(meta.subscription_id(), Some("sub-1".into()));
        assert!(meta.client_info().is_none());
    }
}
