//! `subscriptions/listen` (2026-07-28 only): a long-lived request on which the server
//! delivers the notifications the client opted in to.

use alloc::string::String;
use alloc::vec::Vec;
use serde::{Deserialize, Serialize};

use crate::jsonrpc::RequestId;
use crate::types::meta::Meta;
use crate::types::result::ResultType;

/// The notification types a listen stream carries; each is opt-in, absent means no.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SubscriptionFilter {
    /// Deliver `notifications/tools/list_changed`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub tools_list_changed: Option<bool>,
    /// Deliver `notifications/prompts/list_changed`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub prompts_list_changed: Option<bool>,
    /// Deliver `notifications/resources/list_changed`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub resources_list_changed: Option<bool>,
    /// Deliver `notifications/resources/updated` for these URIs.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub resource_subscriptions: Option<Vec<String>>,
    /// Tasks extension only: deliver `notifications/tasks` for these task ids.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub task_ids: Option<Vec<String>>,
}

impl SubscriptionFilter {
    /// Sets `tools_list_changed`: deliver `notifications/tools/list_changed`.
    pub fn with_tools_list_changed(mut self, tools_list_changed: bool) -> Self {
        self.tools_list_changed = Some(tools_list_changed);
        self
    }

    /// Sets `prompts_list_changed`: deliver `notifications/prompts/list_changed`.
    pub fn with_prompts_list_changed(mut self, prompts_list_changed: bool) -> Self {
        self.prompts_list_changed = Some(prompts_list_changed);
        self
    }

    /// Sets `resources_list_changed`: deliver `notifications/resources/list_changed`.
    pub fn with_resources_list_changed(mut self, resources_list_changed: bool) -> Self {
        self.resources_list_changed = Some(resources_list_changed);
        self
    }

    /// Sets `resource_subscriptions`: deliver `notifications/resources/updated` for these URIs.
    pub fn with_resource_subscriptions(mut self, resource_subscriptions: Vec<String>) -> Self {
        self.resource_subscriptions = Some(resource_subscriptions);
        self
    }

    /// Sets `task_ids`: tasks extension only: deliver `notifications/tasks` for these task ids.
    pub fn with_task_ids(mut self, task_ids: Vec<String>) -> Self {
        self.task_ids = Some(task_ids);
        self
    }
}

impl SubscriptionFilter {
    /// True when nothing at all is asked for.
    pub fn is_empty(&self) -> bool {
        !self.tools_list_changed.unwrap_or(false)
            && !self.prompts_list_changed.unwrap_or(false)
            && !self.resources_list_changed.unwrap_or(false)
            && self
                .resource_subscriptions
                .as_ref()
                .is_none_or(Vec::is_empty)
            && self.task_ids.as_ref().is_none_or(Vec::is_empty)
    }
}

/// `params` of `subscriptions/listen`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SubscriptionsListenRequestParams {
    /// What the client opts in to.
    pub notifications: SubscriptionFilter,
    /// Request metadata (the 2026 envelope).
    #[serde(
        rename = "_meta",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub meta: Option<Meta>,
}

/// `params` of `notifications/subscriptions/acknowledged`, the first message of a stream.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SubscriptionsAcknowledgedNotificationParams {
    /// The subset of the requested filter the server will honour.
    pub notifications: SubscriptionFilter,
    /// Notification metadata (the subscription id).
    #[serde(
        rename = "_meta",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub meta: Option<Meta>,
}

/// Result of `subscriptions/listen`, sent only when the server ends the stream gracefully.
///
/// Its `_meta` must carry `io.modelcontextprotocol/subscriptionId`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SubscriptionsListenResult {
    /// Result discriminator.
    #[serde(
        rename = "resultType",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub result_type: Option<ResultType>,
    /// Result metadata (the subscription id, required).
    #[serde(
        rename = "_meta",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub meta: Option<Meta>,
}

impl SubscriptionsListenResult {
    /// The result closing the stream opened by the listen request `id`.
    pub fn closing(id: &RequestId) -> Self {
        let mut meta = Meta::new();
        meta.set_subscription_id(id);
        SubscriptionsListenResult {
            result_type: Some(ResultType::Complete),
            meta: Some(meta),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn closing_result() {
        assert_eq!(
            serde_json::to_value(SubscriptionsListenResult::closing(&RequestId::Number(4)))
                .unwrap(),
            json!({"resultType": "complete", "_meta": {"io.modelcontextprotocol/subscriptionId": 4}})
        );
        let filter: SubscriptionFilter =
            serde_json::from_value(json!({"taskIds": ["t"], "toolsListChanged": false})).unwrap();
        assert!(!filter.is_empty());
        assert!(SubscriptionFilter::default().is_empty());
    }
}
