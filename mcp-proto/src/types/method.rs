//! Method names and typed messages per direction.
//!
//! [`Method`] names every request and notification of both revisions and says where each
//! is defined (section 4 of the protocol digest). [`ClientRequest`], [`ServerRequest`],
//! [`ClientNotification`] and [`ServerNotification`] turn a decoded
//! [`Request`]/[`Notification`] into typed params and back; a method they do not know
//! becomes `Custom`, and whether it is allowed is for [`crate::validate`] to say.
//!
//! ## `tasks/get` and `tasks/cancel`
//!
//! The 2025-11-25 experimental tasks and the 2026-07-28 tasks extension both define
//! `tasks/get` and `tasks/cancel`, with the same params shape `{taskId}` (plus `_meta`).
//! Decoding therefore needs no era: there is one variant per method
//! ([`ClientRequest::GetTask`], [`ClientRequest::CancelTask`]) carrying
//! [`TaskRequestParams`]. The era matters only for the *result*: a legacy
//! [`Task`](crate::types::Task) for both methods in 2025-11-25, versus an
//! [`ExtensionTask`](crate::types::ExtensionTask) for `tasks/get` and an
//! [`EmptyResult`](crate::types::EmptyResult) for `tasks/cancel` under the extension.

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::json::RawJson;
use crate::jsonrpc::scan::Plain;
use crate::jsonrpc::{
    Notification, Params, Request, RequestId, encode_notification, encode_request,
};
use crate::types::Meta;
use crate::types::common::{NotificationParams, PaginatedRequestParams, RequestParams};
use crate::types::completion::CompleteRequestParams;
use crate::types::elicitation::ElicitRequestParams;
use crate::types::lifecycle::InitializeRequestParams;
use crate::types::logging::{LoggingMessageNotificationParams, SetLevelRequestParams};
use crate::types::notifications::{
    CancelledNotificationParams, ElicitationCompleteNotificationParams, ProgressNotificationParams,
};
use crate::types::prompts::GetPromptRequestParams;
use crate::types::resources::{
    ReadResourceRequestParams, ResourceUpdatedNotificationParams, SubscribeRequestParams,
    UnsubscribeRequestParams,
};
use crate::types::roots::ListRootsRequestParams;
use crate::types::sampling::CreateMessageRequestParams;
use crate::types::subscriptions::{
    SubscriptionsAcknowledgedNotificationParams, SubscriptionsListenRequestParams,
};
use crate::types::tasks::{
    TaskNotificationParams, TaskRequestParams, TaskStatusNotificationParams, TasksUpdateParams,
};
use crate::types::tools::CallToolRequestParams;
use crate::version::Era;

/// Which side of a connection sends a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Sender {
    /// The client.
    Client,
    /// The server.
    Server,
}

/// Every request and notification method of both revisions (and of the tasks extension).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Method {
    /// `initialize` (2025-11-25).
    Initialize,
    /// `ping` (2025-11-25).
    Ping,
    /// `server/discover` (2026-07-28).
    ServerDiscover,
    /// `tools/list`.
    ToolsList,
    /// `tools/call`.
    ToolsCall,
    /// `prompts/list`.
    PromptsList,
    /// `prompts/get`.
    PromptsGet,
    /// `resources/list`.
    ResourcesList,
    /// `resources/templates/list`.
    ResourcesTemplatesList,
    /// `resources/read`.
    ResourcesRead,
    /// `resources/subscribe` (2025-11-25).
    ResourcesSubscribe,
    /// `resources/unsubscribe` (2025-11-25).
    ResourcesUnsubscribe,
    /// `subscriptions/listen` (2026-07-28).
    SubscriptionsListen,
    /// `completion/complete`.
    CompletionComplete,
    /// `logging/setLevel` (2025-11-25).
    LoggingSetLevel,
    /// `sampling/createMessage` (2025 request; 2026 input request only).
    SamplingCreateMessage,
    /// `elicitation/create` (2025 request; 2026 input request only).
    ElicitationCreate,
    /// `roots/list` (2025 request; 2026 input request only).
    RootsList,
    /// `tasks/get` (2025 experimental tasks; 2026 tasks extension).
    TasksGet,
    /// `tasks/result` (2025 experimental tasks).
    TasksResult,
    /// `tasks/list` (2025 experimental tasks).
    TasksList,
    /// `tasks/cancel` (2025 experimental tasks; 2026 tasks extension).
    TasksCancel,
    /// `tasks/update` (2026 tasks extension).
    TasksUpdate,
    /// `notifications/initialized` (2025-11-25).
    NotificationsInitialized,
    /// `notifications/cancelled`.
    NotificationsCancelled,
    /// `notifications/progress`.
    NotificationsProgress,
    /// `notifications/message`.
    NotificationsMessage,
    /// `notifications/resources/updated`.
    NotificationsResourcesUpdated,
    /// `notifications/resources/list_changed`.
    NotificationsResourcesListChanged,
    /// `notifications/tools/list_changed`.
    NotificationsToolsListChanged,
    /// `notifications/prompts/list_changed`.
    NotificationsPromptsListChanged,
    /// `notifications/roots/list_changed` (2025-11-25).
    NotificationsRootsListChanged,
    /// `notifications/elicitation/complete` (2025-11-25).
    NotificationsElicitationComplete,
    /// `notifications/tasks/status` (2025 experimental tasks).
    NotificationsTasksStatus,
    /// `notifications/subscriptions/acknowledged` (2026-07-28).
    NotificationsSubscriptionsAcknowledged,
    /// `notifications/tasks` (2026 tasks extension).
    NotificationsTasks,
}

impl Method {
    /// Every method, requests first.
    pub const ALL: [Method; 36] = [
        Method::Initialize,
        Method::Ping,
        Method::ServerDiscover,
        Method::ToolsList,
        Method::ToolsCall,
        Method::PromptsList,
        Method::PromptsGet,
        Method::ResourcesList,
        Method::ResourcesTemplatesList,
        Method::ResourcesRead,
        Method::ResourcesSubscribe,
        Method::ResourcesUnsubscribe,
        Method::SubscriptionsListen,
        Method::CompletionComplete,
        Method::LoggingSetLevel,
        Method::SamplingCreateMessage,
        Method::ElicitationCreate,
        Method::RootsList,
        Method::TasksGet,
        Method::TasksResult,
        Method::TasksList,
        Method::TasksCancel,
        Method::TasksUpdate,
        Method::NotificationsInitialized,
        Method::NotificationsCancelled,
        Method::NotificationsProgress,
        Method::NotificationsMessage,
        Method::NotificationsResourcesUpdated,
        Method::NotificationsResourcesListChanged,
        Method::NotificationsToolsListChanged,
        Method::NotificationsPromptsListChanged,
        Method::NotificationsRootsListChanged,
        Method::NotificationsElicitationComplete,
        Method::NotificationsTasksStatus,
        Method::NotificationsSubscriptionsAcknowledged,
        Method::NotificationsTasks,
    ];

    /// The wire name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Method::Initialize => "initialize",
            Method::Ping => "ping",
            Method::ServerDiscover => "server/discover",
            Method::ToolsList => "tools/list",
            Method::ToolsCall => "tools/call",
            Method::PromptsList => "prompts/list",
            Method::PromptsGet => "prompts/get",
            Method::ResourcesList => "resources/list",
            Method::ResourcesTemplatesList => "resources/templates/list",
            Method::ResourcesRead => "resources/read",
            Method::ResourcesSubscribe => "resources/subscribe",
            Method::ResourcesUnsubscribe => "resources/unsubscribe",
            Method::SubscriptionsListen => "subscriptions/listen",
            Method::CompletionComplete => "completion/complete",
            Method::LoggingSetLevel => "logging/setLevel",
            Method::SamplingCreateMessage => "sampling/createMessage",
            Method::ElicitationCreate => "elicitation/create",
            Method::RootsList => "roots/list",
            Method::TasksGet => "tasks/get",
            Method::TasksResult => "tasks/result",
            Method::TasksList => "tasks/list",
            Method::TasksCancel => "tasks/cancel",
            Method::TasksUpdate => "tasks/update",
            Method::NotificationsInitialized => "notifications/initialized",
            Method::NotificationsCancelled => "notifications/cancelled",
            Method::NotificationsProgress => "notifications/progress",
            Method::NotificationsMessage => "notifications/message",
            Method::NotificationsResourcesUpdated => "notifications/resources/updated",
            Method::NotificationsResourcesListChanged => "notifications/resources/list_changed",
            Method::NotificationsToolsListChanged => "notifications/tools/list_changed",
            Method::NotificationsPromptsListChanged => "notifications/prompts/list_changed",
            Method::NotificationsRootsListChanged => "notifications/roots/list_changed",
            Method::NotificationsElicitationComplete => "notifications/elicitation/complete",
            Method::NotificationsTasksStatus => "notifications/tasks/status",
            Method::NotificationsSubscriptionsAcknowledged => {
                "notifications/subscriptions/acknowledged"
            }
            Method::NotificationsTasks => "notifications/tasks",
        }
    }

    /// The method with this wire name, if it is a known one (names are case-sensitive).
    pub fn parse(name: &str) -> Option<Method> {
        Some(match name {
            "initialize" => Method::Initialize,
            "ping" => Method::Ping,
            "server/discover" => Method::ServerDiscover,
            "tools/list" => Method::ToolsList,
            "tools/call" => Method::ToolsCall,
            "prompts/list" => Method::PromptsList,
            "prompts/get" => Method::PromptsGet,
            "resources/list" => Method::ResourcesList,
            "resources/templates/list" => Method::ResourcesTemplatesList,
            "resources/read" => Method::ResourcesRead,
            "resources/subscribe" => Method::ResourcesSubscribe,
            "resources/unsubscribe" => Method::ResourcesUnsubscribe,
            "subscriptions/listen" => Method::SubscriptionsListen,
            "completion/complete" => Method::CompletionComplete,
            "logging/setLevel" => Method::LoggingSetLevel,
            "sampling/createMessage" => Method::SamplingCreateMessage,
            "elicitation/create" => Method::ElicitationCreate,
            "roots/list" => Method::RootsList,
            "tasks/get" => Method::TasksGet,
            "tasks/result" => Method::TasksResult,
            "tasks/list" => Method::TasksList,
            "tasks/cancel" => Method::TasksCancel,
            "tasks/update" => Method::TasksUpdate,
            "notifications/initialized" => Method::NotificationsInitialized,
            "notifications/cancelled" => Method::NotificationsCancelled,
            "notifications/progress" => Method::NotificationsProgress,
            "notifications/message" => Method::NotificationsMessage,
            "notifications/resources/updated" => Method::NotificationsResourcesUpdated,
            "notifications/resources/list_changed" => Method::NotificationsResourcesListChanged,
            "notifications/tools/list_changed" => Method::NotificationsToolsListChanged,
            "notifications/prompts/list_changed" => Method::NotificationsPromptsListChanged,
            "notifications/roots/list_changed" => Method::NotificationsRootsListChanged,
            "notifications/elicitation/complete" => Method::NotificationsElicitationComplete,
            "notifications/tasks/status" => Method::NotificationsTasksStatus,
            "notifications/subscriptions/acknowledged" => {
                Method::NotificationsSubscriptionsAcknowledged
            }
            "notifications/tasks" => Method::NotificationsTasks,
            _ => return None,
        })
    }

    /// True for notifications, false for requests.
    pub const fn is_notification(self) -> bool {
        matches!(
            self,
            Method::NotificationsInitialized
                | Method::NotificationsCancelled
                | Method::NotificationsProgress
                | Method::NotificationsMessage
                | Method::NotificationsResourcesUpdated
                | Method::NotificationsResourcesListChanged
                | Method::NotificationsToolsListChanged
                | Method::NotificationsPromptsListChanged
                | Method::NotificationsRootsListChanged
                | Method::NotificationsElicitationComplete
                | Method::NotificationsTasksStatus
                | Method::NotificationsSubscriptionsAcknowledged
                | Method::NotificationsTasks
        )
    }

    /// True for requests, false for notifications.
    pub const fn is_request(self) -> bool {
        !self.is_notification()
    }

    /// Defined as a JSON-RPC message by 2025-11-25 (experimental tasks included).
    pub const fn in_2025(self) -> bool {
        !matches!(
            self,
            Method::ServerDiscover
                | Method::SubscriptionsListen
                | Method::TasksUpdate
                | Method::NotificationsSubscriptionsAcknowledged
                | Method::NotificationsTasks
        )
    }

    /// Defined as a JSON-RPC message by the 2026-07-28 core (the tasks extension and the
    /// input requests of [`Method::is_input_request`] excluded).
    pub const fn in_2026(self) -> bool {
        matches!(
            self,
            Method::ServerDiscover
                | Method::ToolsList
                | Method::ToolsCall
                | Method::PromptsList
                | Method::PromptsGet
                | Method::ResourcesList
                | Method::ResourcesTemplatesList
                | Method::ResourcesRead
                | Method::SubscriptionsListen
                | Method::CompletionComplete
                | Method::NotificationsCancelled
                | Method::NotificationsProgress
                | Method::NotificationsMessage
                | Method::NotificationsResourcesUpdated
                | Method::NotificationsResourcesListChanged
                | Method::NotificationsToolsListChanged
                | Method::NotificationsPromptsListChanged
                | Method::NotificationsSubscriptionsAcknowledged
        )
    }

    /// Defined by the 2026 tasks extension, so available at 2026-07-28 only when the
    /// extension was negotiated on the request (`tasks/get`, `tasks/update`,
    /// `tasks/cancel`, `notifications/tasks`).
    pub const fn is_tasks_extension(self) -> bool {
        matches!(
            self,
            Method::TasksGet
                | Method::TasksUpdate
                | Method::TasksCancel
                | Method::NotificationsTasks
        )
    }

    /// Defined in `era`, counting the tasks-extension methods at 2026-07-28 only when
    /// `tasks_extension` is negotiated.
    pub const fn defined_in(self, era: Era, tasks_extension: bool) -> bool {
        match era {
            Era::Legacy => self.in_2025(),
            Era::Modern => self.in_2026() || (tasks_extension && self.is_tasks_extension()),
        }
    }

    /// The 2026 input requests: server requests of 2025 that 2026 carries only inside an
    /// `InputRequiredResult` (`sampling/createMessage`, `elicitation/create`, `roots/list`).
    pub const fn is_input_request(self) -> bool {
        matches!(
            self,
            Method::SamplingCreateMessage | Method::ElicitationCreate | Method::RootsList
        )
    }

    /// A 2026 server may answer with an `InputRequiredResult` (`tools/call`,
    /// `prompts/get`, `resources/read`).
    pub const fn allows_input_required(self) -> bool {
        matches!(
            self,
            Method::ToolsCall | Method::PromptsGet | Method::ResourcesRead
        )
    }

    /// The 2026 result carries `ttlMs` and `cacheScope`.
    pub const fn is_cacheable(self) -> bool {
        matches!(
            self,
            Method::ServerDiscover
                | Method::ToolsList
                | Method::PromptsList
                | Method::ResourcesList
                | Method::ResourcesTemplatesList
                | Method::ResourcesRead
        )
    }

    /// The request takes a `cursor` and the result may carry `nextCursor`.
    pub const fn is_paginated(self) -> bool {
        matches!(
            self,
            Method::ToolsList
                | Method::PromptsList
                | Method::ResourcesList
                | Method::ResourcesTemplatesList
                | Method::TasksList
        )
    }

    /// True when `sender` may send this method in `era` (tasks-extension methods count as
    /// defined at 2026-07-28; combine with [`Method::defined_in`] to require negotiation).
    /// At 2026-07-28 a server sends no requests at all, and `notifications/cancelled`
    /// from a server may only end a `subscriptions/listen` stream.
    pub const fn sent_by(self, sender: Sender, era: Era) -> bool {
        match (era, sender) {
            (Era::Legacy, Sender::Client) => matches!(
                self,
                Method::Initialize
                    | Method::Ping
                    | Method::ToolsList
                    | Method::ToolsCall
                    | Method::PromptsList
                    | Method::PromptsGet
                    | Method::ResourcesList
                    | Method::ResourcesTemplatesList
                    | Method::ResourcesRead
                    | Method::ResourcesSubscribe
                    | Method::ResourcesUnsubscribe
                    | Method::CompletionComplete
                    | Method::LoggingSetLevel
                    | Method::TasksGet
                    | Method::TasksResult
                    | Method::TasksList
                    | Method::TasksCancel
                    | Method::NotificationsInitialized
                    | Method::NotificationsCancelled
                    | Method::NotificationsProgress
                    | Method::NotificationsRootsListChanged
                    | Method::NotificationsTasksStatus
            ),
            (Era::Legacy, Sender::Server) => matches!(
                self,
                Method::Ping
                    | Method::SamplingCreateMessage
                    | Method::ElicitationCreate
                    | Method::RootsList
                    | Method::TasksGet
                    | Method::TasksResult
                    | Method::TasksList
                    | Method::TasksCancel
                    | Method::NotificationsCancelled
                    | Method::NotificationsProgress
                    | Method::NotificationsMessage
                    | Method::NotificationsResourcesUpdated
                    | Method::NotificationsResourcesListChanged
                    | Method::NotificationsToolsListChanged
                    | Method::NotificationsPromptsListChanged
                    | Method::NotificationsElicitationComplete
                    | Method::NotificationsTasksStatus
            ),
            (Era::Modern, Sender::Client) => matches!(
                self,
                Method::ServerDiscover
                    | Method::ToolsList
                    | Method::ToolsCall
                    | Method::PromptsList
                    | Method::PromptsGet
                    | Method::ResourcesList
                    | Method::ResourcesTemplatesList
                    | Method::ResourcesRead
                    | Method::SubscriptionsListen
                    | Method::CompletionComplete
                    | Method::TasksGet
                    | Method::TasksUpdate
                    | Method::TasksCancel
                    | Method::NotificationsCancelled
            ),
            (Era::Modern, Sender::Server) => matches!(
                self,
                Method::NotificationsCancelled
                    | Method::NotificationsProgress
                    | Method::NotificationsMessage
                    | Method::NotificationsResourcesUpdated
                    | Method::NotificationsResourcesListChanged
                    | Method::NotificationsToolsListChanged
                    | Method::NotificationsPromptsListChanged
                    | Method::NotificationsSubscriptionsAcknowledged
                    | Method::NotificationsTasks
            ),
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Something done with a message's params, whatever their type.
trait ParamsVisitor {
    type Output;
    fn visit<P: Serialize + ?Sized>(self, params: Option<&P>) -> Self::Output;
}

struct EncodeRequest<'a> {
    out: &'a mut Vec<u8>,
    id: &'a RequestId,
    method: &'a str,
}

impl ParamsVisitor for EncodeRequest<'_> {
    type Output = Result<(), serde_json::Error>;
    fn visit<P: Serialize + ?Sized>(self, params: Option<&P>) -> Self::Output {
        encode_request(self.out, self.id, self.method, params)
    }
}

struct EncodeNotification<'a> {
    out: &'a mut Vec<u8>,
    method: &'a str,
}

impl ParamsVisitor for EncodeNotification<'_> {
    type Output = Result<(), serde_json::Error>;
    fn visit<P: Serialize + ?Sized>(self, params: Option<&P>) -> Self::Output {
        encode_notification(self.out, self.method, params)
    }
}

struct ToParams;

impl ParamsVisitor for ToParams {
    type Output = Result<Option<Params>, serde_json::Error>;
    fn visit<P: Serialize + ?Sized>(self, params: Option<&P>) -> Self::Output {
        params.map(Params::from_serialize).transpose()
    }
}

/// Decodes params a method requires; absent params decode as `{}` (and usually fail).
fn required<T: DeserializeOwned>(params: Option<&Params>) -> Result<T, serde_json::Error> {
    match params {
        Some(params) => params.decode(),
        None => serde_json::from_str("{}"),
    }
}

/// [`required`] for a type whose `_meta` member is set by `set_meta`: the `_meta` the
/// envelope decoder already read is given to it rather than read again (see
/// [`Params::decode_without_meta`]); anything else decodes the whole object.
pub(crate) fn required_with_meta<T: DeserializeOwned>(
    params: Option<&Params>,
    set_meta: impl FnOnce(&mut T, Meta),
) -> Result<T, serde_json::Error> {
    if let Some(typed) = params.and_then(|params| params.decode_without_meta(set_meta)) {
        return Ok(typed);
    }
    required(params)
}

/// `tools/call` params read in one pass when they have the plain shape: `name` (a string
/// without backslashes), optionally `arguments` (an object, taken as it is written) and
/// `_meta` (the lone object the envelope decoder already read), each once and nothing
/// else. That is what a decode of the whole object gives for such text; `None` for any
/// other text, which is decoded then (with the exact error when it fails).
pub(crate) fn plain_call_tool(params: &Params) -> Option<CallToolRequestParams> {
    let mut plain = Plain::new(params.raw().get());
    plain.expect(b'{')?;
    let (mut name, mut arguments, mut has_meta) = (None, None, false);
    plain.members(|plain, key| match key {
        "name" if name.is_none() => {
            name = Some(plain.string()?);
            Some(())
        }
        "arguments" if arguments.is_none() => {
            let raw = plain.value()?;
            arguments = raw.starts_with('{').then_some(raw);
            arguments.map(drop)
        }
        "_meta" if !has_meta => {
            has_meta = true;
            // The decoder's copy of this object: stepping over its text spares a scan.
            plain.skip_exactly(params.lone_meta()?.raw().get())
        }
        _ => None,
    })?;
    if !plain.at_end() {
        return None;
    }
    let meta = match has_meta {
        true => Some(params.lone_meta()?.clone()),
        false => None,
    };
    let arguments = arguments.map(|raw| RawJson::from_checked(raw.into()));
    let mut typed = CallToolRequestParams::new(name?, arguments);
    typed.meta = meta;
    Some(typed)
}

/// Decodes params a method may omit, keeping their absence.
fn optional<T: DeserializeOwned>(params: Option<&Params>) -> Result<Option<T>, serde_json::Error> {
    params.map(Params::decode).transpose()
}

fn raw(params: Option<&Params>) -> Option<RawJson> {
    params.map(|params| params.raw().clone())
}

/// The envelope conversions every typed request enum shares, written once. Each enum
/// provides `decode(method, params)`, `method()` and `visit_params`.
macro_rules! request_conveniences {
    ($ty:ident) => {
        impl $ty {
            /// Decodes a request from its envelope.
            pub fn from_request(request: &Request) -> Result<Self, serde_json::Error> {
                $ty::decode(&request.method, request.params.as_ref())
            }

            /// Appends this request with `id` to `out` (nothing is appended on error).
            pub fn encode(
                &self,
                id: &RequestId,
                out: &mut Vec<u8>,
            ) -> Result<(), serde_json::Error> {
                self.visit_params(EncodeRequest {
                    out,
                    id,
                    method: self.method(),
                })
            }

            /// The params as a raw [`Params`], `None` when the request has none.
            pub fn to_params(&self) -> Result<Option<Params>, serde_json::Error> {
                self.visit_params(ToParams)
            }

            /// The envelope-level [`Request`] with `id`.
            pub fn to_request(&self, id: RequestId) -> Result<Request, serde_json::Error> {
                Ok(Request {
                    id,
                    method: String::from(self.method()),
                    params: self.to_params()?,
                })
            }
        }
    };
}

/// The envelope conversions every typed notification enum shares, written once.
macro_rules! notification_conveniences {
    ($ty:ident) => {
        impl $ty {
            /// Decodes a notification from its envelope.
            pub fn from_notification(
                notification: &Notification,
            ) -> Result<Self, serde_json::Error> {
                $ty::decode(&notification.method, notification.params.as_ref())
            }

            /// Appends this notification to `out` (nothing is appended on error).
            pub fn encode(&self, out: &mut Vec<u8>) -> Result<(), serde_json::Error> {
                self.visit_params(EncodeNotification {
                    out,
                    method: self.method(),
                })
            }

            /// The params as a raw [`Params`], `None` when the notification has none.
            pub fn to_params(&self) -> Result<Option<Params>, serde_json::Error> {
                self.visit_params(ToParams)
            }

            /// The envelope-level [`Notification`].
            pub fn to_notification(&self) -> Result<Notification, serde_json::Error> {
                Ok(Notification {
                    method: String::from(self.method()),
                    params: self.to_params()?,
                })
            }
        }
    };
}

/// A request from client to server, with typed params.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum ClientRequest {
    /// `initialize` (2025-11-25).
    Initialize(Box<InitializeRequestParams>),
    /// `ping` (2025-11-25; params optional).
    Ping(Option<RequestParams>),
    /// `server/discover` (2026-07-28).
    Discover(RequestParams),
    /// `tools/list` (params optional in 2025).
    ListTools(Option<PaginatedRequestParams>),
    /// `tools/call`.
    CallTool(CallToolRequestParams),
    /// `prompts/list` (params optional in 2025).
    ListPrompts(Option<PaginatedRequestParams>),
    /// `prompts/get`.
    GetPrompt(GetPromptRequestParams),
    /// `resources/list` (params optional in 2025).
    ListResources(Option<PaginatedRequestParams>),
    /// `resources/templates/list` (params optional in 2025).
    ListResourceTemplates(Option<PaginatedRequestParams>),
    /// `resources/read`.
    ReadResource(ReadResourceRequestParams),
    /// `resources/subscribe` (2025-11-25).
    Subscribe(SubscribeRequestParams),
    /// `resources/unsubscribe` (2025-11-25).
    Unsubscribe(UnsubscribeRequestParams),
    /// `subscriptions/listen` (2026-07-28).
    SubscriptionsListen(SubscriptionsListenRequestParams),
    /// `completion/complete`.
    Complete(CompleteRequestParams),
    /// `logging/setLevel` (2025-11-25).
    SetLevel(SetLevelRequestParams),
    /// `tasks/get`: 2025 experimental tasks or the 2026 extension (same params).
    GetTask(TaskRequestParams),
    /// `tasks/result` (2025 experimental tasks).
    GetTaskPayload(TaskRequestParams),
    /// `tasks/list` (2025 experimental tasks; params optional).
    ListTasks(Option<PaginatedRequestParams>),
    /// `tasks/cancel`: 2025 experimental tasks or the 2026 extension (same params).
    CancelTask(TaskRequestParams),
    /// `tasks/update` (2026 tasks extension).
    UpdateTask(TasksUpdateParams),
    /// Any other method, params kept raw.
    Custom {
        /// The method name.
        method: String,
        /// The params, when present.
        params: Option<RawJson>,
    },
}

impl ClientRequest {
    /// [`Self::to_params`], with a plain `tools/call` written directly
    /// ([`CallToolRequestParams::plain_params`]): the params a connection sends.
    pub(crate) fn encode_params(&self) -> Result<Option<Params>, serde_json::Error> {
        if let ClientRequest::CallTool(call) = self {
            if let Some(params) = call.plain_params() {
                return Ok(Some(params));
            }
        }
        self.to_params()
    }

    /// The wire method name.
    pub fn method(&self) -> &str {
        match self {
            ClientRequest::Initialize(_) => Method::Initialize.as_str(),
            ClientRequest::Ping(_) => Method::Ping.as_str(),
            ClientRequest::Discover(_) => Method::ServerDiscover.as_str(),
            ClientRequest::ListTools(_) => Method::ToolsList.as_str(),
            ClientRequest::CallTool(_) => Method::ToolsCall.as_str(),
            ClientRequest::ListPrompts(_) => Method::PromptsList.as_str(),
            ClientRequest::GetPrompt(_) => Method::PromptsGet.as_str(),
            ClientRequest::ListResources(_) => Method::ResourcesList.as_str(),
            ClientRequest::ListResourceTemplates(_) => Method::ResourcesTemplatesList.as_str(),
            ClientRequest::ReadResource(_) => Method::ResourcesRead.as_str(),
            ClientRequest::Subscribe(_) => Method::ResourcesSubscribe.as_str(),
            ClientRequest::Unsubscribe(_) => Method::ResourcesUnsubscribe.as_str(),
            ClientRequest::SubscriptionsListen(_) => Method::SubscriptionsListen.as_str(),
            ClientRequest::Complete(_) => Method::CompletionComplete.as_str(),
            ClientRequest::SetLevel(_) => Method::LoggingSetLevel.as_str(),
            ClientRequest::GetTask(_) => Method::TasksGet.as_str(),
            ClientRequest::GetTaskPayload(_) => Method::TasksResult.as_str(),
            ClientRequest::ListTasks(_) => Method::TasksList.as_str(),
            ClientRequest::CancelTask(_) => Method::TasksCancel.as_str(),
            ClientRequest::UpdateTask(_) => Method::TasksUpdate.as_str(),
            ClientRequest::Custom { method, .. } => method,
        }
    }

    /// Decodes the params of a client request named `method`.
    pub fn decode(method: &str, params: Option<&Params>) -> Result<Self, serde_json::Error> {
        Ok(match Method::parse(method) {
            Some(Method::Initialize) => ClientRequest::Initialize(required(params)?),
            Some(Method::Ping) => ClientRequest::Ping(optional(params)?),
            Some(Method::ServerDiscover) => ClientRequest::Discover(required(params)?),
            Some(Method::ToolsList) => ClientRequest::ListTools(optional(params)?),
            Some(Method::ToolsCall) => {
                ClientRequest::CallTool(match params.and_then(plain_call_tool) {
                    Some(typed) => typed,
                    None => {
                        required_with_meta(params, |typed: &mut CallToolRequestParams, meta| {
                            typed.meta = Some(meta)
                        })?
                    }
                })
            }
            Some(Method::PromptsList) => ClientRequest::ListPrompts(optional(params)?),
            Some(Method::PromptsGet) => ClientRequest::GetPrompt(required_with_meta(
                params,
                |typed: &mut GetPromptRequestParams, meta| typed.meta = Some(meta),
            )?),
            Some(Method::ResourcesList) => ClientRequest::ListResources(optional(params)?),
            Some(Method::ResourcesTemplatesList) => {
                ClientRequest::ListResourceTemplates(optional(params)?)
            }
            Some(Method::ResourcesRead) => ClientRequest::ReadResource(required_with_meta(
                params,
                |typed: &mut ReadResourceRequestParams, meta| typed.meta = Some(meta),
            )?),
            Some(Method::ResourcesSubscribe) => ClientRequest::Subscribe(required(params)?),
            Some(Method::ResourcesUnsubscribe) => ClientRequest::Unsubscribe(required(params)?),
            Some(Method::SubscriptionsListen) => {
                ClientRequest::SubscriptionsListen(required(params)?)
            }
            Some(Method::CompletionComplete) => ClientRequest::Complete(required(params)?),
            Some(Method::LoggingSetLevel) => ClientRequest::SetLevel(required(params)?),
            Some(Method::TasksGet) => ClientRequest::GetTask(required(params)?),
            Some(Method::TasksResult) => ClientRequest::GetTaskPayload(required(params)?),
            Some(Method::TasksList) => ClientRequest::ListTasks(optional(params)?),
            Some(Method::TasksCancel) => ClientRequest::CancelTask(required(params)?),
            Some(Method::TasksUpdate) => ClientRequest::UpdateTask(required(params)?),
            _ => ClientRequest::Custom {
                method: String::from(method),
                params: raw(params),
            },
        })
    }

    fn visit_params<V: ParamsVisitor>(&self, visitor: V) -> V::Output {
        match self {
            ClientRequest::Initialize(p) => visitor.visit(Some(p)),
            ClientRequest::Ping(p) => visitor.visit(p.as_ref()),
            ClientRequest::Discover(p) => visitor.visit(Some(p)),
            ClientRequest::ListTools(p)
            | ClientRequest::ListPrompts(p)
            | ClientRequest::ListResources(p)
            | ClientRequest::ListResourceTemplates(p)
            | ClientRequest::ListTasks(p) => visitor.visit(p.as_ref()),
            ClientRequest::CallTool(p) => visitor.visit(Some(p)),
            ClientRequest::GetPrompt(p) => visitor.visit(Some(p)),
            ClientRequest::ReadResource(p) => visitor.visit(Some(p)),
            ClientRequest::Subscribe(p) => visitor.visit(Some(p)),
            ClientRequest::Unsubscribe(p) => visitor.visit(Some(p)),
            ClientRequest::SubscriptionsListen(p) => visitor.visit(Some(p)),
            ClientRequest::Complete(p) => visitor.visit(Some(p)),
            ClientRequest::SetLevel(p) => visitor.visit(Some(p)),
            ClientRequest::GetTask(p)
            | ClientRequest::GetTaskPayload(p)
            | ClientRequest::CancelTask(p) => visitor.visit(Some(p)),
            ClientRequest::UpdateTask(p) => visitor.visit(Some(p)),
            ClientRequest::Custom { params, .. } => visitor.visit(params.as_ref()),
        }
    }
}

request_conveniences!(ClientRequest);

/// A request from server to client (2025-11-25 only: 2026 servers send none), with typed
/// params.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum ServerRequest {
    /// `ping` (params optional).
    Ping(Option<RequestParams>),
    /// `sampling/createMessage`.
    CreateMessage(Box<CreateMessageRequestParams>),
    /// `roots/list` (params optional).
    ListRoots(Option<ListRootsRequestParams>),
    /// `elicitation/create`.
    Elicit(ElicitRequestParams),
    /// `tasks/get` (experimental tasks hosted by the client).
    GetTask(TaskRequestParams),
    /// `tasks/result`.
    GetTaskPayload(TaskRequestParams),
    /// `tasks/list` (params optional).
    ListTasks(Option<PaginatedRequestParams>),
    /// `tasks/cancel`.
    CancelTask(TaskRequestParams),
    /// Any other method, params kept raw.
    Custom {
        /// The method name.
        method: String,
        /// The params, when present.
        params: Option<RawJson>,
    },
}

impl ServerRequest {
    /// The wire method name.
    pub fn method(&self) -> &str {
        match self {
            ServerRequest::Ping(_) => Method::Ping.as_str(),
            ServerRequest::CreateMessage(_) => Method::SamplingCreateMessage.as_str(),
            ServerRequest::ListRoots(_) => Method::RootsList.as_str(),
            ServerRequest::Elicit(_) => Method::ElicitationCreate.as_str(),
            ServerRequest::GetTask(_) => Method::TasksGet.as_str(),
            ServerRequest::GetTaskPayload(_) => Method::TasksResult.as_str(),
            ServerRequest::ListTasks(_) => Method::TasksList.as_str(),
            ServerRequest::CancelTask(_) => Method::TasksCancel.as_str(),
            ServerRequest::Custom { method, .. } => method,
        }
    }

    /// Decodes the params of a server request named `method`.
    pub fn decode(method: &str, params: Option<&Params>) -> Result<Self, serde_json::Error> {
        Ok(match Method::parse(method) {
            Some(Method::Ping) => ServerRequest::Ping(optional(params)?),
            Some(Method::SamplingCreateMessage) => ServerRequest::CreateMessage(required(params)?),
            Some(Method::RootsList) => ServerRequest::ListRoots(optional(params)?),
            Some(Method::ElicitationCreate) => ServerRequest::Elicit(required(params)?),
            Some(Method::TasksGet) => ServerRequest::GetTask(required(params)?),
            Some(Method::TasksResult) => ServerRequest::GetTaskPayload(required(params)?),
            Some(Method::TasksList) => ServerRequest::ListTasks(optional(params)?),
            Some(Method::TasksCancel) => ServerRequest::CancelTask(required(params)?),
            _ => ServerRequest::Custom {
                method: String::from(method),
                params: raw(params),
            },
        })
    }

    fn visit_params<V: ParamsVisitor>(&self, visitor: V) -> V::Output {
        match self {
            ServerRequest::Ping(p) | ServerRequest::ListRoots(p) => visitor.visit(p.as_ref()),
            ServerRequest::CreateMessage(p) => visitor.visit(Some(p)),
            ServerRequest::Elicit(p) => visitor.visit(Some(p)),
            ServerRequest::GetTask(p)
            | ServerRequest::GetTaskPayload(p)
            | ServerRequest::CancelTask(p) => visitor.visit(Some(p)),
            ServerRequest::ListTasks(p) => visitor.visit(p.as_ref()),
            ServerRequest::Custom { params, .. } => visitor.visit(params.as_ref()),
        }
    }
}

request_conveniences!(ServerRequest);

/// A notification from client to server, with typed params.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum ClientNotification {
    /// `notifications/cancelled`.
    Cancelled(CancelledNotificationParams),
    /// `notifications/progress` (2025-11-25: for a server request).
    Progress(ProgressNotificationParams),
    /// `notifications/initialized` (2025-11-25; params optional).
    Initialized(Option<NotificationParams>),
    /// `notifications/roots/list_changed` (2025-11-25; params optional).
    RootsListChanged(Option<NotificationParams>),
    /// `notifications/tasks/status` (2025 experimental tasks).
    TaskStatus(TaskStatusNotificationParams),
    /// Any other method, params kept raw.
    Custom {
        /// The method name.
        method: String,
        /// The params, when present.
        params: Option<RawJson>,
    },
}

impl ClientNotification {
    /// The wire method name.
    pub fn method(&self) -> &str {
        match self {
            ClientNotification::Cancelled(_) => Method::NotificationsCancelled.as_str(),
            ClientNotification::Progress(_) => Method::NotificationsProgress.as_str(),
            ClientNotification::Initialized(_) => Method::NotificationsInitialized.as_str(),
            ClientNotification::RootsListChanged(_) => {
                Method::NotificationsRootsListChanged.as_str()
            }
            ClientNotification::TaskStatus(_) => Method::NotificationsTasksStatus.as_str(),
            ClientNotification::Custom { method, .. } => method,
        }
    }

    /// Decodes the params of a client notification named `method`.
    pub fn decode(method: &str, params: Option<&Params>) -> Result<Self, serde_json::Error> {
        Ok(match Method::parse(method) {
            Some(Method::NotificationsCancelled) => {
                ClientNotification::Cancelled(required(params)?)
            }
            Some(Method::NotificationsProgress) => ClientNotification::Progress(required(params)?),
            Some(Method::NotificationsInitialized) => {
                ClientNotification::Initialized(optional(params)?)
            }
            Some(Method::NotificationsRootsListChanged) => {
                ClientNotification::RootsListChanged(optional(params)?)
            }
            Some(Method::NotificationsTasksStatus) => {
                ClientNotification::TaskStatus(required(params)?)
            }
            _ => ClientNotification::Custom {
                method: String::from(method),
                params: raw(params),
            },
        })
    }

    fn visit_params<V: ParamsVisitor>(&self, visitor: V) -> V::Output {
        match self {
            ClientNotification::Cancelled(p) => visitor.visit(Some(p)),
            ClientNotification::Progress(p) => visitor.visit(Some(p)),
            ClientNotification::Initialized(p) | ClientNotification::RootsListChanged(p) => {
                visitor.visit(p.as_ref())
            }
            ClientNotification::TaskStatus(p) => visitor.visit(Some(p)),
            ClientNotification::Custom { params, .. } => visitor.visit(params.as_ref()),
        }
    }
}

notification_conveniences!(ClientNotification);

/// A notification from server to client, with typed params.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum ServerNotification {
    /// `notifications/cancelled` (2026: only to end a `subscriptions/listen` stream).
    Cancelled(CancelledNotificationParams),
    /// `notifications/progress`.
    Progress(ProgressNotificationParams),
    /// `notifications/message`.
    LoggingMessage(LoggingMessageNotificationParams),
    /// `notifications/resources/updated`.
    ResourceUpdated(ResourceUpdatedNotificationParams),
    /// `notifications/resources/list_changed` (params optional).
    ResourceListChanged(Option<NotificationParams>),
    /// `notifications/tools/list_changed` (params optional).
    ToolListChanged(Option<NotificationParams>),
    /// `notifications/prompts/list_changed` (params optional).
    PromptListChanged(Option<NotificationParams>),
    /// `notifications/elicitation/complete` (2025-11-25).
    ElicitationComplete(ElicitationCompleteNotificationParams),
    /// `notifications/tasks/status` (2025 experimental tasks).
    TaskStatus(TaskStatusNotificationParams),
    /// `notifications/subscriptions/acknowledged` (2026-07-28).
    SubscriptionsAcknowledged(SubscriptionsAcknowledgedNotificationParams),
    /// `notifications/tasks` (2026 tasks extension).
    Tasks(Box<TaskNotificationParams>),
    /// Any other method, params kept raw.
    Custom {
        /// The method name.
        method: String,
        /// The params, when present.
        params: Option<RawJson>,
    },
}

impl ServerNotification {
    /// The wire method name.
    pub fn method(&self) -> &str {
        match self {
            ServerNotification::Cancelled(_) => Method::NotificationsCancelled.as_str(),
            ServerNotification::Progress(_) => Method::NotificationsProgress.as_str(),
            ServerNotification::LoggingMessage(_) => Method::NotificationsMessage.as_str(),
            ServerNotification::ResourceUpdated(_) => {
                Method::NotificationsResourcesUpdated.as_str()
            }
            ServerNotification::ResourceListChanged(_) => {
                Method::NotificationsResourcesListChanged.as_str()
            }
            ServerNotification::ToolListChanged(_) => {
                Method::NotificationsToolsListChanged.as_str()
            }
            ServerNotification::PromptListChanged(_) => {
                Method::NotificationsPromptsListChanged.as_str()
            }
            ServerNotification::ElicitationComplete(_) => {
                Method::NotificationsElicitationComplete.as_str()
            }
            ServerNotification::TaskStatus(_) => Method::NotificationsTasksStatus.as_str(),
            ServerNotification::SubscriptionsAcknowledged(_) => {
                Method::NotificationsSubscriptionsAcknowledged.as_str()
            }
            ServerNotification::Tasks(_) => Method::NotificationsTasks.as_str(),
            ServerNotification::Custom { method, .. } => method,
        }
    }

    /// Decodes the params of a server notification named `method`.
    pub fn decode(method: &str, params: Option<&Params>) -> Result<Self, serde_json::Error> {
        Ok(match Method::parse(method) {
            Some(Method::NotificationsCancelled) => {
                ServerNotification::Cancelled(required(params)?)
            }
            Some(Method::NotificationsProgress) => ServerNotification::Progress(required(params)?),
            Some(Method::NotificationsMessage) => {
                ServerNotification::LoggingMessage(required(params)?)
            }
            Some(Method::NotificationsResourcesUpdated) => {
                ServerNotification::ResourceUpdated(required(params)?)
            }
            Some(Method::NotificationsResourcesListChanged) => {
                ServerNotification::ResourceListChanged(optional(params)?)
            }
            Some(Method::NotificationsToolsListChanged) => {
                ServerNotification::ToolListChanged(optional(params)?)
            }
            Some(Method::NotificationsPromptsListChanged) => {
                ServerNotification::PromptListChanged(optional(params)?)
            }
            Some(Method::NotificationsElicitationComplete) => {
                ServerNotification::ElicitationComplete(required(params)?)
            }
            Some(Method::NotificationsTasksStatus) => {
                ServerNotification::TaskStatus(required(params)?)
            }
            Some(Method::NotificationsSubscriptionsAcknowledged) => {
                ServerNotification::SubscriptionsAcknowledged(required(params)?)
            }
            Some(Method::NotificationsTasks) => ServerNotification::Tasks(required(params)?),
            _ => ServerNotification::Custom {
                method: String::from(method),
                params: raw(params),
            },
        })
    }

    fn visit_params<V: ParamsVisitor>(&self, visitor: V) -> V::Output {
        match self {
            ServerNotification::Cancelled(p) => visitor.visit(Some(p)),
            ServerNotification::Progress(p) => visitor.visit(Some(p)),
            ServerNotification::LoggingMessage(p) => visitor.visit(Some(p)),
            ServerNotification::ResourceUpdated(p) => visitor.visit(Some(p)),
            ServerNotification::ResourceListChanged(p)
            | ServerNotification::ToolListChanged(p)
            | ServerNotification::PromptListChanged(p) => visitor.visit(p.as_ref()),
            ServerNotification::ElicitationComplete(p) => visitor.visit(Some(p)),
            ServerNotification::TaskStatus(p) => visitor.visit(Some(p)),
            ServerNotification::SubscriptionsAcknowledged(p) => visitor.visit(Some(p)),
            ServerNotification::Tasks(p) => visitor.visit(Some(p)),
            ServerNotification::Custom { params, .. } => visitor.visit(params.as_ref()),
        }
    }
}

notification_conveniences!(ServerNotification);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jsonrpc::{Message, decode};

    #[test]
    fn plain_call_params_read_as_a_full_decode() {
        for (params, plain) in [
            (r#"{"name":"echo","arguments":{"text":"hello"}}"#, true),
            (
                r#"{ "arguments" : { "a" : [1,{"b":"}"}] } , "name" : "e" }"#,
                true,
            ),
            (r#"{"name":"echo"}"#, true),
            (
                r#"{"name":"echo","arguments":{},"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","progressToken":1}}"#,
                true,
            ),
            // An empty `_meta` has no recorded place: decoded in full.
            (r#"{"_meta":{},"name":"echo"}"#, false),
            // Outside the shape: the full decode answers.
            (r#"{"name":"e\u0063ho"}"#, false),
            (r#"{"name":"echo","arguments":[]}"#, false),
            (r#"{"name":"echo","arguments":null}"#, false),
            (r#"{"name":"echo","name":"other"}"#, false),
            (r#"{"name":"echo","task":{"ttl":1}}"#, false),
            (r#"{"name":"echo","requestState":"s"}"#, false),
            (r#"{"name":"echo","_meta":{},"_meta":{}}"#, false),
            (r#"{"name":1}"#, false),
            (r#"{"arguments":{}}"#, false),
        ] {
            let line = alloc::format!(
                r#"{{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{params}}}"#
            );
            let Ok(Message::Request(request)) = decode(line.as_bytes()) else {
                panic!("{line}");
            };
            let params = request.params.as_ref().expect("params");
            let fast = plain_call_tool(params);
            assert_eq!(fast.is_some(), plain, "{params:?}");
            if let Some(fast) = fast {
                let full: CallToolRequestParams =
                    crate::json::strict::from_str(params.raw().get()).expect("decodes");
                assert_eq!(fast.name, full.name);
                assert_eq!(
                    fast.arguments.as_ref().map(RawJson::get),
                    full.arguments.as_ref().map(RawJson::get)
                );
                assert_eq!(fast.meta, full.meta, "{params:?}");
                assert!(full.input_responses.is_none() && full.request_state.is_none());
                assert!(full.task.is_none());
            }
        }
    }

    #[test]
    fn method_names_round_trip() {
        for method in Method::ALL {
            assert_eq!(Method::parse(method.as_str()), Some(method));
            assert_eq!(
                method.is_notification(),
                method.as_str().starts_with("notifications/")
            );
            // Every method is defined somewhere, and has a sender there.
            assert!(method.in_2025() || method.in_2026() || method.is_tasks_extension());
            let sent =
                |era| method.sent_by(Sender::Client, era) || method.sent_by(Sender::Server, era);
            assert_eq!(sent(Era::Legacy), method.in_2025(), "{method}");
            if method.in_2026() {
                assert!(sent(Era::Modern), "{method}");
            }
        }
        assert_eq!(Method::parse("Ping"), None);
        assert!(!Method::Ping.in_2026());
        assert!(Method::TasksGet.in_2025() && !Method::TasksGet.in_2026());
        assert!(Method::TasksGet.defined_in(Era::Modern, true));
        assert!(!Method::TasksGet.defined_in(Era::Modern, false));
        assert!(!Method::TasksResult.defined_in(Era::Modern, true));
        assert!(!Method::SamplingCreateMessage.sent_by(Sender::Server, Era::Modern));
        assert!(Method::SamplingCreateMessage.is_input_request());
        assert!(Method::NotificationsCancelled.sent_by(Sender::Server, Era::Modern));
        assert!(!Method::NotificationsProgress.sent_by(Sender::Client, Era::Modern));
    }

    fn reencode_request(text: &str) -> (ClientRequest, Vec<u8>) {
        let Message::Request(request) = decode(text.as_bytes()).unwrap() else {
            panic!("not a request")
        };
        let typed = ClientRequest::from_request(&request).unwrap();
        let mut out = Vec::new();
        typed.encode(&request.id, &mut out).unwrap();
        (typed, out)
    }

    #[test]
    fn client_requests_keep_absent_params_absent() {
        let text = r#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#;
        let (typed, out) = reencode_request(text);
        assert_eq!(typed, ClientRequest::Ping(None));
        assert_eq!(out, text.as_bytes());

        let text = r#"{"jsonrpc":"2.0","id":"a","method":"tools/list","params":{}}"#;
        let (typed, out) = reencode_request(text);
        assert_eq!(
            typed,
            ClientRequest::ListTools(Some(PaginatedRequestParams::default()))
        );
        assert_eq!(out, text.as_bytes());
    }

    #[test]
    fn custom_and_errors() {
        let text = r#"{"jsonrpc":"2.0","id":2,"method":"x/do","params":{"b":1,"a":2}}"#;
        let (typed, out) = reencode_request(text);
        assert!(matches!(typed, ClientRequest::Custom { ref method, .. } if method == "x/do"));
        assert_eq!(out, text.as_bytes());

        // A known method with bad params is an error, not a Custom.
        let Message::Request(request) =
            decode(br#"{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{}}"#).unwrap()
        else {
            panic!("not a request")
        };
        assert!(ClientRequest::from_request(&request).is_err());
        let Message::Request(request) =
            decode(br#"{"jsonrpc":"2.0","id":3,"method":"tools/call"}"#).unwrap()
        else {
            panic!("not a request")
        };
        assert!(ClientRequest::from_request(&request).is_err());
    }

    #[test]
    fn tasks_methods_share_params_across_eras() {
        let legacy = r#"{"jsonrpc":"2.0","id":4,"method":"tasks/get","params":{"taskId":"t"}}"#;
        let modern = r#"{"jsonrpc":"2.0","id":5,"method":"tasks/cancel","params":{"taskId":"t","_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28"}}}"#;
        let (typed, out) = reencode_request(legacy);
        assert_eq!(typed, ClientRequest::GetTask(TaskRequestParams::new("t")));
        assert_eq!(out, legacy.as_bytes());
        let (typed, out) = reencode_request(modern);
        assert!(matches!(typed, ClientRequest::CancelTask(ref p) if p.meta.is_some()));
        assert_eq!(out, modern.as_bytes());
        let update = r#"{"jsonrpc":"2.0","id":6,"method":"tasks/update","params":{"taskId":"t","inputResponses":{"k":{"action":"cancel"}}}}"#;
        let (typed, out) = reencode_request(update);
        assert!(matches!(typed, ClientRequest::UpdateTask(_)));
        assert_eq!(out, update.as_bytes());
    }

    #[test]
    fn server_messages() {
        let text = r#"{"jsonrpc":"2.0","id":7,"method":"elicitation/create","params":{"mode":"url","message":"m","url":"https://x","elicitationId":"e"}}"#;
        let Message::Request(request) = decode(text.as_bytes()).unwrap() else {
            panic!("not a request")
        };
        let typed = ServerRequest::from_request(&request).unwrap();
        assert!(matches!(
            typed,
            ServerRequest::Elicit(ElicitRequestParams::Url(_))
        ));
        let mut out = Vec::new();
        typed.encode(&request.id, &mut out).unwrap();
        assert_eq!(out, text.as_bytes());
        let rebuilt = typed.to_request(request.id.clone()).unwrap();
        assert_eq!(Message::Request(rebuilt).to_vec(), text.as_bytes());

        let text = r#"{"jsonrpc":"2.0","method":"notifications/tools/list_changed"}"#;
        let Message::Notification(notification) = decode(text.as_bytes()).unwrap() else {
            panic!("not a notification")
        };
        let typed = ServerNotification::from_notification(&notification).unwrap();
        assert_eq!(typed, ServerNotification::ToolListChanged(None));
        let mut out = Vec::new();
        typed.encode(&mut out).unwrap();
        assert_eq!(out, text.as_bytes());

        let text = r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#;
        let Message::Notification(notification) = decode(text.as_bytes()).unwrap() else {
            panic!("not a notification")
        };
        let typed = ClientNotification::from_notification(&notification).unwrap();
        assert_eq!(typed, ClientNotification::Initialized(None));
        assert_eq!(
            Message::Notification(typed.to_notification().unwrap()).to_vec(),
            text.as_bytes()
        );
    }
}
