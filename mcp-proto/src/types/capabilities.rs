//! Client and server capabilities of both revisions.
//!
//! A capability is present when its key is present, even as `{}`. Legacy peers send
//! capabilities once in `initialize`; 2026 clients send theirs in every request's `_meta`
//! and servers publish theirs in `server/discover`.

use alloc::collections::BTreeMap;
use alloc::string::String;
use serde::{Deserialize, Serialize};

use crate::json::JsonObject;

/// Free-form settings keyed by name (`experimental`, `extensions`).
pub type CapabilityMap = BTreeMap<String, JsonObject>;

/// Root listing support (`roots`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct RootsCapability {
    /// 2025-11-25: the client notifies when its roots change.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub list_changed: Option<bool>,
}

/// Sampling support (`sampling`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SamplingCapability {
    /// The client honours `includeContext` other than `"none"` (deprecated).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub context: Option<JsonObject>,
    /// The client accepts `tools` and `toolChoice` in sampling requests.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub tools: Option<JsonObject>,
}

/// Elicitation support (`elicitation`); `{}` means form mode only.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ElicitationCapability {
    /// Form-mode elicitation.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub form: Option<JsonObject>,
    /// URL-mode elicitation.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub url: Option<JsonObject>,
}

impl ElicitationCapability {
    /// True when form mode may be requested (explicitly, or implied by an empty object).
    pub fn supports_form(&self) -> bool {
        self.form.is_some() || self.url.is_none()
    }

    /// True when URL mode may be requested.
    pub fn supports_url(&self) -> bool {
        self.url.is_some()
    }
}

/// 2025-11-25 experimental tasks: which requests of the peer may be task-augmented, as
/// seen by the client (`sampling/createMessage`, `elicitation/create`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ClientTaskRequests {
    /// `{"createMessage": {}}` when sampling requests may become tasks.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub sampling: Option<JsonObject>,
    /// `{"create": {}}` when elicitation requests may become tasks.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub elicitation: Option<JsonObject>,
}

/// 2025-11-25 experimental tasks on the client side (`tasks`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ClientTasksCapability {
    /// The client serves `tasks/list`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub list: Option<JsonObject>,
    /// The client serves `tasks/cancel`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub cancel: Option<JsonObject>,
    /// Which server requests may be task-augmented.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub requests: Option<ClientTaskRequests>,
}

/// What a client supports. One model for both revisions: `tasks` is 2025-only, and
/// `extensions` is 2026 (older peers may still send it; capability objects are open).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ClientCapabilities {
    /// Non-standard experimental capabilities.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub experimental: Option<CapabilityMap>,
    /// Root listing.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub roots: Option<RootsCapability>,
    /// LLM sampling.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub sampling: Option<SamplingCapability>,
    /// User elicitation.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub elicitation: Option<ElicitationCapability>,
    /// 2025-11-25 experimental tasks.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub tasks: Option<ClientTasksCapability>,
    /// Negotiated extensions by identifier (`io.modelcontextprotocol/tasks`, ...).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub extensions: Option<CapabilityMap>,
}

impl ClientCapabilities {
    /// Sets `experimental`: non-standard experimental capabilities.
    pub fn with_experimental(mut self, experimental: CapabilityMap) -> Self {
        self.experimental = Some(experimental);
        self
    }

    /// Sets `roots`: root listing.
    pub fn with_roots(mut self, roots: RootsCapability) -> Self {
        self.roots = Some(roots);
        self
    }

    /// Sets `sampling`: lLM sampling.
    pub fn with_sampling(mut self, sampling: SamplingCapability) -> Self {
        self.sampling = Some(sampling);
        self
    }

    /// Sets `elicitation`: user elicitation.
    pub fn with_elicitation(mut self, elicitation: ElicitationCapability) -> Self {
        self.elicitation = Some(elicitation);
        self
    }

    /// Sets `tasks`: 2025-11-25 experimental tasks.
    pub fn with_tasks(mut self, tasks: ClientTasksCapability) -> Self {
        self.tasks = Some(tasks);
        self
    }

    /// Sets `extensions`: negotiated extensions by identifier
    /// (`io.modelcontextprotocol/tasks`, ...).
    pub fn with_extensions(mut self, extensions: CapabilityMap) -> Self {
        self.extensions = Some(extensions);
        self
    }
}

/// Change notification support of a server feature (`prompts`, `tools`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ListChangedCapability {
    /// The server emits `list_changed` notifications for this feature.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub list_changed: Option<bool>,
}

impl ListChangedCapability {
    /// The capability, announcing `notifications/*/list_changed` when `list_changed`.
    pub fn new(list_changed: bool) -> Self {
        ListChangedCapability {
            list_changed: Some(list_changed),
        }
    }
}

/// Resource support (`resources`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ResourcesCapability {
    /// Per-resource update notifications (legacy `resources/subscribe`, 2026 listen).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub subscribe: Option<bool>,
    /// The server emits `notifications/resources/list_changed`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub list_changed: Option<bool>,
}

impl ResourcesCapability {
    /// The capability, announcing resource subscriptions and list changes as given.
    pub fn new(subscribe: bool, list_changed: bool) -> Self {
        ResourcesCapability {
            subscribe: Some(subscribe),
            list_changed: Some(list_changed),
        }
    }
}

/// 2025-11-25 experimental tasks: which client requests may be task-augmented.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ServerTaskRequests {
    /// `{"call": {}}` when `tools/call` may become a task.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub tools: Option<JsonObject>,
}

/// 2025-11-25 experimental tasks on the server side (`tasks`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ServerTasksCapability {
    /// The server serves `tasks/list`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub list: Option<JsonObject>,
    /// The server serves `tasks/cancel`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub cancel: Option<JsonObject>,
    /// Which client requests may be task-augmented.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub requests: Option<ServerTaskRequests>,
}

/// What a server supports. `tasks` is 2025-only; `extensions` is 2026.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ServerCapabilities {
    /// Non-standard experimental capabilities.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub experimental: Option<CapabilityMap>,
    /// Log message notifications.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub logging: Option<JsonObject>,
    /// `completion/complete`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub completions: Option<JsonObject>,
    /// Prompts.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub prompts: Option<ListChangedCapability>,
    /// Resources.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub resources: Option<ResourcesCapability>,
    /// Tools.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub tools: Option<ListChangedCapability>,
    /// 2025-11-25 experimental tasks.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub tasks: Option<ServerTasksCapability>,
    /// Extensions by identifier.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub extensions: Option<CapabilityMap>,
}

impl ServerCapabilities {
    /// Sets `experimental`: non-standard experimental capabilities.
    pub fn with_experimental(mut self, experimental: CapabilityMap) -> Self {
        self.experimental = Some(experimental);
        self
    }

    /// Sets `logging`: log message notifications.
    pub fn with_logging(mut self, logging: JsonObject) -> Self {
        self.logging = Some(logging);
        self
    }

    /// Sets `completions`: `completion/complete`.
    pub fn with_completions(mut self, completions: JsonObject) -> Self {
        self.completions = Some(completions);
        self
    }

    /// Sets `prompts`: prompts.
    pub fn with_prompts(mut self, prompts: ListChangedCapability) -> Self {
        self.prompts = Some(prompts);
        self
    }

    /// Sets `resources`: resources.
    pub fn with_resources(mut self, resources: ResourcesCapability) -> Self {
        self.resources = Some(resources);
        self
    }

    /// Sets `tools`: tools.
    pub fn with_tools(mut self, tools: ListChangedCapability) -> Self {
        self.tools = Some(tools);
        self
    }

    /// Sets `tasks`: 2025-11-25 experimental tasks.
    pub fn with_tasks(mut self, tasks: ServerTasksCapability) -> Self {
        self.tasks = Some(tasks);
        self
    }

    /// Sets `extensions`: extensions by identifier.
    pub fn with_extensions(mut self, extensions: CapabilityMap) -> Self {
        self.extensions = Some(extensions);
        self
    }
}
