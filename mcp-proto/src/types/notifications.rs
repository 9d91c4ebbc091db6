//! Notification params not owned by a feature file: cancellation, progress, and the
//! 2025-11-25 elicitation completion signal.
//!
//! The list-changed notifications (`notifications/tools/list_changed` and friends) and
//! `notifications/initialized` carry only `_meta`: their params are
//! [`NotificationParams`](crate::types::NotificationParams).

use alloc::string::String;
use serde::{Deserialize, Serialize};

use crate::jsonrpc::RequestId;
use crate::types::common::ProgressToken;
use crate::types::meta::Meta;
use crate::types::wire;

/// `params` of `notifications/cancelled`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CancelledNotificationParams {
    /// The id of the request to cancel (required in 2026-07-28, optional in 2025-11-25).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub request_id: Option<RequestId>,
    /// Why, for logs or display.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub reason: Option<String>,
    /// Notification metadata.
    #[serde(
        rename = "_meta",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub meta: Option<Meta>,
}

impl CancelledNotificationParams {
    /// Cancels the request `id`.
    pub fn new(id: RequestId) -> Self {
        CancelledNotificationParams {
            request_id: Some(id),
            reason: None,
            meta: None,
        }
    }
}

/// `params` of `notifications/progress`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ProgressNotificationParams {
    /// The token of the request making progress.
    pub progress_token: ProgressToken,
    /// Progress so far; increases with every notification.
    #[serde(serialize_with = "wire::compact_f64")]
    pub progress: f64,
    /// Total to reach, if known.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "wire::compact_opt_f64",
        deserialize_with = "crate::types::wire::present"
    )]
    pub total: Option<f64>,
    /// What is happening.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub message: Option<String>,
    /// Notification metadata.
    #[serde(
        rename = "_meta",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub meta: Option<Meta>,
}

impl ProgressNotificationParams {
    /// Progress `progress` (out of `total`, if known) for `token`.
    pub fn new(token: ProgressToken, progress: f64, total: Option<f64>) -> Self {
        ProgressNotificationParams {
            progress_token: token,
            progress,
            total,
            message: None,
            meta: None,
        }
    }
}

/// `params` of `notifications/elicitation/complete` (2025-11-25 only): a URL-mode
/// elicitation finished out of band.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ElicitationCompleteNotificationParams {
    /// The `elicitationId` of the finished elicitation.
    pub elicitation_id: String,
    /// Notification metadata.
    #[serde(
        rename = "_meta",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub meta: Option<Meta>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn progress_numbers_re_encode_as_written() {
        let value = json!({"progressToken": 7, "progress": 50, "total": 100, "message": "m"});
        let params: ProgressNotificationParams = serde_json::from_value(value.clone()).unwrap();
        assert_eq!(serde_json::to_value(&params).unwrap(), value);
        let fractional = json!({"progressToken": "t", "progress": 0.5});
        let params: ProgressNotificationParams =
            serde_json::from_value(fractional.clone()).unwrap();
        assert_eq!(serde_json::to_value(&params).unwrap(), fractional);
    }

    #[test]
    fn cancelled_request_id_optional() {
        let params: CancelledNotificationParams = serde_json::from_str("{}").unwrap();
        assert_eq!(params.request_id, None);
        let params: CancelledNotificationParams =
            serde_json::from_str(r#"{"requestId":"123","reason":"r"}"#).unwrap();
        assert_eq!(params.request_id, Some(RequestId::from("123")));
    }
}
