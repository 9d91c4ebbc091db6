//! Logging: the 2025-11-25 `logging/setLevel` request and the log message notification.

use alloc::string::String;
use serde::{Deserialize, Serialize};

use crate::json::RawJson;
use crate::types::common::LoggingLevel;
use crate::types::meta::Meta;

/// `params` of `logging/setLevel` (2025-11-25 only; 2026 sets the level per request in
/// `_meta`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SetLevelRequestParams {
    /// The least severe level the client wants to receive.
    pub level: LoggingLevel,
    /// Request metadata.
    #[serde(
        rename = "_meta",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub meta: Option<Meta>,
}

/// `params` of `notifications/message`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct LoggingMessageNotificationParams {
    /// Severity of the message.
    pub level: LoggingLevel,
    /// Name of the logger.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub logger: Option<String>,
    /// The logged value (any JSON), kept raw.
    pub data: RawJson,
    /// Notification metadata.
    #[serde(
        rename = "_meta",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub meta: Option<Meta>,
}

impl LoggingMessageNotificationParams {
    /// A message at `level` whose data is the JSON string `message`.
    pub fn text(level: LoggingLevel, message: &str) -> Self {
        LoggingMessageNotificationParams {
            level,
            logger: None,
            data: RawJson::from_serialize(message).unwrap_or_else(|_| RawJson::null()),
            meta: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_stays_raw_even_when_null() {
        let params: LoggingMessageNotificationParams =
            serde_json::from_str(r#"{"level":"warning","data":null}"#).unwrap();
        assert!(params.data.is_null());
        assert_eq!(
            serde_json::to_string(&params).unwrap(),
            r#"{"level":"warning","data":null}"#
        );
        let text = LoggingMessageNotificationParams::text(LoggingLevel::Info, "hi \"there\"");
        assert_eq!(text.data.get(), r#""hi \"there\"""#);
    }
}
