//! Tasks, in their two incompatible forms.
//!
//! - **2025-11-25 experimental tasks** (core of that revision): a requester opts in per
//!   request with `task: {ttl}`, gets a [`CreateTaskResult`] `{task}`, and uses
//!   `tasks/get`, `tasks/result`, `tasks/list`, `tasks/cancel` and
//!   `notifications/tasks/status`; either side may host tasks. The task shape is
//!   [`Task`] (`ttl`, `pollInterval`).
//! - **The 2026-07-28 tasks extension** ([`TASKS_EXTENSION_ID`]): the server alone decides
//!   to answer `tools/call` with a flat `resultType: "task"` result, and the client uses
//!   `tasks/get`, `tasks/update`, `tasks/cancel` and receives `notifications/tasks`. The
//!   task shape is [`ExtensionTask`] (`ttlMs`, `pollIntervalMs`, plus the status-specific
//!   `inputRequests`, `result` and `error`).
//!
//! `tasks/get` and `tasks/cancel` exist in both with the same params shape `{taskId}`
//! ([`TaskRequestParams`]); what differs is the result: a legacy [`Task`] for both in
//! 2025, an [`ExtensionTask`] for `tasks/get` and an [`EmptyResult`](crate::types::EmptyResult)
//! for `tasks/cancel` under the extension.

use alloc::string::String;
use alloc::vec::Vec;
use serde::{Deserialize, Serialize};

use crate::json::RawJson;
use crate::jsonrpc::ErrorObject;
use crate::types::common::Cursor;
use crate::types::meta::Meta;
use crate::types::mrtr::{InputRequests, InputResponses};
use crate::types::result::ResultType;

/// Identifier of the tasks extension, the key under `capabilities.extensions`.
pub const TASKS_EXTENSION_ID: &str = "io.modelcontextprotocol/tasks";

/// Where a task is in its life (same values in both task flavours).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum TaskStatus {
    /// Being processed.
    Working,
    /// Waiting for input from the requester.
    InputRequired,
    /// Finished with a result.
    Completed,
    /// Finished with an error.
    Failed,
    /// Cancelled before completion.
    Cancelled,
}

impl TaskStatus {
    /// True for `completed`, `failed` and `cancelled`, after which a task never changes.
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            TaskStatus::Completed | TaskStatus::Failed | TaskStatus::Cancelled
        )
    }
}

/// 2025-11-25: the `task` param asking for a task-augmented request.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct TaskMetadata {
    /// Requested time to live from creation, in milliseconds.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub ttl: Option<i64>,
}

/// A 2025-11-25 experimental task.
///
/// Also the whole result of legacy `tasks/get` and `tasks/cancel` and the params of
/// `notifications/tasks/status`, which are a task plus `_meta` (see the aliases below);
/// `result_type` and `meta` stay `None` where the task is nested in a [`CreateTaskResult`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Task {
    /// Result discriminator, when the task is a result (never sent by 2025 peers).
    #[serde(
        rename = "resultType",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub result_type: Option<ResultType>,
    /// The task's id.
    pub task_id: String,
    /// Current status.
    pub status: TaskStatus,
    /// Human-readable detail about the status.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub status_message: Option<String>,
    /// ISO 8601 creation time.
    pub created_at: String,
    /// ISO 8601 time of the last update.
    pub last_updated_at: String,
    /// Time to live from creation in milliseconds; `None` (JSON `null`) is unlimited.
    /// Always encoded, and required on decode, as the schema requires it.
    #[serde(deserialize_with = "crate::types::wire::nullable")]
    pub ttl: Option<i64>,
    /// Suggested polling interval in milliseconds.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub poll_interval: Option<i64>,
    /// Metadata, when the task is a result or notification params.
    #[serde(
        rename = "_meta",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub meta: Option<Meta>,
}

/// Result of legacy `tasks/get`: the task itself.
pub type GetTaskResult = Task;
/// Result of legacy `tasks/cancel`: the task after the cancellation attempt.
pub type CancelTaskResult = Task;
/// `params` of `notifications/tasks/status` (2025-11-25): the task itself.
pub type TaskStatusNotificationParams = Task;

/// 2025-11-25: the answer to a task-augmented request, `{task}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CreateTaskResult {
    /// Never sent by 2025 peers; kept for symmetry with every other result.
    #[serde(
        rename = "resultType",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub result_type: Option<ResultType>,
    /// The created task.
    pub task: Task,
    /// Result metadata (may hold `io.modelcontextprotocol/model-immediate-response`).
    #[serde(
        rename = "_meta",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub meta: Option<Meta>,
}

/// `params` naming one task: `tasks/get`, `tasks/result`, `tasks/cancel` (2025-11-25) and
/// `tasks/get`, `tasks/cancel` (tasks extension); the same shape in both.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct TaskRequestParams {
    /// The task.
    pub task_id: String,
    /// Request metadata (the 2026 envelope under the extension).
    #[serde(
        rename = "_meta",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub meta: Option<Meta>,
}

impl TaskRequestParams {
    /// Params naming `task_id`.
    pub fn new(task_id: impl Into<String>) -> Self {
        TaskRequestParams {
            task_id: task_id.into(),
            meta: None,
        }
    }
}

/// `params` of `tasks/get` (both flavours).
pub type GetTaskRequestParams = TaskRequestParams;
/// `params` of `tasks/result` (2025-11-25 only).
pub type GetTaskPayloadRequestParams = TaskRequestParams;
/// `params` of `tasks/cancel` (both flavours).
pub type CancelTaskRequestParams = TaskRequestParams;
/// `params` of the extension's `tasks/get`.
pub type TasksGetParams = TaskRequestParams;
/// `params` of the extension's `tasks/cancel`.
pub type TasksCancelParams = TaskRequestParams;

/// Result of `tasks/result` (2025-11-25): exactly what the original request would have
/// returned, kept raw until the caller, who knows that request, decodes it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
#[non_exhaustive]
pub struct GetTaskPayloadResult(pub RawJson);

impl GetTaskPayloadResult {
    /// Decodes the payload as the original request's result type.
    pub fn decode<T: serde::de::DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        self.0.decode()
    }
}

/// Result of `tasks/list` (2025-11-25 only).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ListTasksResult {
    /// Never sent by 2025 peers; kept for symmetry with every other result.
    #[serde(
        rename = "resultType",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub result_type: Option<ResultType>,
    /// This page of tasks.
    pub tasks: Vec<Task>,
    /// Where the next page starts; absent on the last page.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub next_cursor: Option<Cursor>,
    /// Result metadata.
    #[serde(
        rename = "_meta",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub meta: Option<Meta>,
}

/// A tasks-extension task, flat, with its status-specific members (the extension's
/// `Task`, `DetailedTask` and `CreateTaskResult` in one type).
///
/// Used as the `resultType: "task"` answer to `tools/call` (no `inputRequests`, `result`
/// or `error` there), as the `resultType: "complete"` result of `tasks/get`, and as the
/// params of `notifications/tasks` (no `resultType`); see the aliases below.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ExtensionTask {
    /// `"task"` on a create result, `"complete"` on a `tasks/get` result, absent in a
    /// notification.
    #[serde(
        rename = "resultType",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub result_type: Option<ResultType>,
    /// The task's id (unguessable).
    pub task_id: String,
    /// Current status.
    pub status: TaskStatus,
    /// Human-readable detail about the status.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub status_message: Option<String>,
    /// ISO 8601 creation time.
    pub created_at: String,
    /// ISO 8601 time of the last update.
    pub last_updated_at: String,
    /// Time to live from creation in milliseconds; `None` (JSON `null`) is unlimited.
    /// Always encoded, as the extension requires it.
    #[serde(default)]
    pub ttl_ms: Option<u64>,
    /// Suggested polling interval in milliseconds.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub poll_interval_ms: Option<u64>,
    /// With `input_required`: every outstanding request, by key unique for the task.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub input_requests: Option<InputRequests>,
    /// With `completed`: the original request's result, kept raw.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub result: Option<RawJson>,
    /// With `failed`: the JSON-RPC error the request failed with.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub error: Option<ErrorObject>,
    /// Result or notification metadata.
    #[serde(
        rename = "_meta",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub meta: Option<Meta>,
}

impl ExtensionTask {
    /// A task in `status` with no status-specific members.
    pub fn new(
        task_id: impl Into<String>,
        status: TaskStatus,
        created_at: impl Into<String>,
        last_updated_at: impl Into<String>,
        ttl_ms: Option<u64>,
    ) -> Self {
        ExtensionTask {
            result_type: None,
            task_id: task_id.into(),
            status,
            status_message: None,
            created_at: created_at.into(),
            last_updated_at: last_updated_at.into(),
            ttl_ms,
            poll_interval_ms: None,
            input_requests: None,
            result: None,
            error: None,
            meta: None,
        }
    }
}

/// The extension's `resultType: "task"` answer to `tools/call`.
pub type CreateTaskExtResult = ExtensionTask;
/// The extension's task with status-specific members.
pub type DetailedTask = ExtensionTask;
/// Result of the extension's `tasks/get`.
pub type GetTaskExtResult = ExtensionTask;
/// `params` of `notifications/tasks` (tasks extension).
pub type TaskNotificationParams = ExtensionTask;

/// `params` of `tasks/update` (tasks extension only).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct TasksUpdateParams {
    /// The task.
    pub task_id: String,
    /// Answers to some or all of the task's outstanding input requests.
    pub input_responses: InputResponses,
    /// Request metadata (the 2026 envelope).
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
    use alloc::string::ToString;
    use serde_json::json;

    #[test]
    fn legacy_task_shapes() {
        let task = json!({"taskId": "t1", "status": "working", "createdAt": "a",
            "lastUpdatedAt": "b", "ttl": null, "pollInterval": 500});
        let typed: Task = serde_json::from_value(task.clone()).unwrap();
        assert_eq!(typed.ttl, None);
        assert_eq!(serde_json::to_value(&typed).unwrap(), task);

        let created = json!({"task": task, "_meta":
            {"io.modelcontextprotocol/model-immediate-response": "started"}});
        let typed: CreateTaskResult = serde_json::from_value(created.clone()).unwrap();
        assert_eq!(
            typed
                .meta
                .as_ref()
                .unwrap()
                .model_immediate_response()
                .as_deref(),
            Some("started")
        );
        assert_eq!(serde_json::to_value(&typed).unwrap(), created);

        let listed: ListTasksResult = serde_json::from_value(json!({"tasks": [
            {"taskId": "t", "status": "input_required", "createdAt": "a", "lastUpdatedAt": "b", "ttl": 60000}
        ], "nextCursor": ""}))
        .unwrap();
        assert_eq!(listed.tasks[0].status, TaskStatus::InputRequired);
        assert_eq!(listed.next_cursor.as_deref(), Some(""));
    }

    #[test]
    fn extension_task_shapes() {
        let created = json!({"resultType": "task", "taskId": "t", "status": "working",
            "createdAt": "a", "lastUpdatedAt": "b", "ttlMs": 3600000, "pollIntervalMs": 2000});
        let typed: CreateTaskExtResult = serde_json::from_value(created.clone()).unwrap();
        assert_eq!(typed.result_type, Some(ResultType::Task));
        assert_eq!(serde_json::to_value(&typed).unwrap(), created);

        let waiting = json!({"resultType": "complete", "taskId": "t", "status": "input_required",
            "createdAt": "a", "lastUpdatedAt": "b", "ttlMs": null,
            "inputRequests": {"name": {"method": "elicitation/create", "params": {"mode": "form",
                "message": "Name?", "requestedSchema": {"type": "object",
                "properties": {"name": {"type": "string"}}, "required": ["name"]}}}}});
        let typed: GetTaskExtResult = serde_json::from_str(&waiting.to_string()).unwrap();
        assert_eq!(typed.input_requests.as_ref().map(|r| r.len()), Some(1));
        assert_eq!(serde_json::to_value(&typed).unwrap(), waiting);

        let done = r#"{"taskId":"t","status":"completed","createdAt":"a","lastUpdatedAt":"b","ttlMs":1,"result":{"content":[],"isError":true}}"#;
        let typed: TaskNotificationParams = serde_json::from_str(done).unwrap();
        assert!(typed.status.is_terminal());
        assert_eq!(
            typed.result.as_ref().unwrap().get(),
            r#"{"content":[],"isError":true}"#
        );
        assert_eq!(serde_json::to_string(&typed).unwrap(), done);

        let failed: DetailedTask =
            serde_json::from_value(json!({"taskId": "t", "status": "failed",
            "createdAt": "a", "lastUpdatedAt": "b", "ttlMs": 1,
            "error": {"code": -32603, "message": "rate limited"}}))
            .unwrap();
        assert_eq!(failed.error.unwrap().code.0, -32603);

        let update: TasksUpdateParams = serde_json::from_value(json!({"taskId": "t",
            "inputResponses": {"name": {"action": "accept", "content": {"input": "Luca"}}}}))
        .unwrap();
        assert_eq!(update.input_responses.len(), 1);
    }
}
