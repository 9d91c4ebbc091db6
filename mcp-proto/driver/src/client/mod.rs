//! The client API: a [`Client`] over any transport, with typed calls and callbacks that
//! answer the server's questions in either era.
//!
//! The callbacks ([`ClientHandlers`]) answer both a 2025 server's live
//! `elicitation/create` request and a 2026 server's "input required" result, so the
//! application writes each once. Callbacks run as their own tasks, concurrently.
//!
//! Per call, [`CallOptions`] set a deadline (a call past it is cancelled at the server
//! and returns [`ClientError::TimedOut`]) and a progress callback. [`Client::listen`]
//! streams change notifications in either era.

use std::format;

/// The most pages a listing helper follows.
const MAX_PAGES: usize = 1024;

pub mod http;
mod listen;
mod options;
mod session;

pub use http::connect_http;
pub use listen::Subscription;
pub use options::{CallOptions, Progress};
pub use session::{connect_in_memory, connect_stream};

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};

use futures_channel::{mpsc, oneshot};
use serde::de::DeserializeOwned;

use mcp_proto::client::EncodedRequest;
use mcp_proto::jsonrpc::{ErrorObject, Params, ResultBody};
use mcp_proto::types::{
    CallToolRequestParams, CallToolResult, ClientRequest, CreateMessageRequestParams,
    CreateMessageResult, ElicitRequestParams, ElicitResult, GetPromptResult, Implementation,
    ListRootsResult, ListToolsResult, LoggingMessageNotificationParams, Prompt, ReadResourceResult,
    Resource, ResourceTemplate, ServerCapabilities, SubscriptionFilter,
};
use mcp_proto::version::{Era, ProtocolVersion};

/// The future an elicitation callback returns.
pub type ElicitFuture = Pin<Box<dyn Future<Output = ElicitResult> + Send>>;

/// Answers the server's elicitation requests (form or URL).
pub type ElicitHandler = Arc<dyn Fn(ElicitRequestParams) -> ElicitFuture + Send + Sync>;

/// The future a sampling callback returns.
pub type SampleFuture =
    Pin<Box<dyn Future<Output = Result<CreateMessageResult, ErrorObject>> + Send>>;

/// Answers the server's sampling requests with the client's model.
pub type SampleHandler = Arc<dyn Fn(CreateMessageRequestParams) -> SampleFuture + Send + Sync>;

/// The future a roots callback returns.
pub type RootsFuture = Pin<Box<dyn Future<Output = ListRootsResult> + Send>>;

/// Answers the server's questions about the client's roots.
pub type RootsHandler = Arc<dyn Fn() -> RootsFuture + Send + Sync>;

/// Receives the server's log messages.
pub type LogHandler = Arc<dyn Fn(LoggingMessageNotificationParams) + Send + Sync>;

/// The application's answers to questions from the server.
#[derive(Clone, Default)]
pub struct ClientHandlers {
    pub(crate) elicit: Option<ElicitHandler>,
    pub(crate) sample: Option<SampleHandler>,
    pub(crate) roots: Option<RootsHandler>,
    pub(crate) log: Option<LogHandler>,
}

impl fmt::Debug for ClientHandlers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientHandlers")
            .field("elicit", &self.elicit.is_some())
            .field("sample", &self.sample.is_some())
            .field("roots", &self.roots.is_some())
            .field("log", &self.log.is_some())
            .finish()
    }
}

impl ClientHandlers {
    /// No callbacks: requests that need one are declined.
    pub fn new() -> Self {
        ClientHandlers::default()
    }

    /// Answers elicitations with `handler` (declare the `elicitation` capability too).
    pub fn on_elicit<F, Fut>(mut self, handler: F) -> Self
    where
        F: Fn(ElicitRequestParams) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ElicitResult> + Send + 'static,
    {
        self.elicit = Some(Arc::new(move |params| Box::pin(handler(params))));
        self
    }

    /// Answers sampling requests with `handler` (declare the `sampling` capability too).
    pub fn on_sample<F, Fut>(mut self, handler: F) -> Self
    where
        F: Fn(CreateMessageRequestParams) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<CreateMessageResult, ErrorObject>> + Send + 'static,
    {
        self.sample = Some(Arc::new(move |params| Box::pin(handler(params))));
        self
    }

    /// Answers roots requests with `handler` (declare the `roots` capability too).
    pub fn on_roots<F, Fut>(mut self, handler: F) -> Self
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ListRootsResult> + Send + 'static,
    {
        self.roots = Some(Arc::new(move || Box::pin(handler())));
        self
    }

    /// Hands the server's log messages (`notifications/message`) to `handler`.
    ///
    /// Messages come only when asked for, in the way of each era: set a level with
    /// [`ClientConfig::with_log_level`](mcp_proto::client::ClientConfig::with_log_level) (a
    /// 2025 session sends `logging/setLevel` once, when the server offers logging; at
    /// 2026 every request carries the level) or per call with
    /// [`CallOptions::log_level`] (2026). The handler runs on the connection's drive
    /// loop: keep it short. A handler that panics is not called again.
    pub fn on_log<F>(mut self, handler: F) -> Self
    where
        F: Fn(LoggingMessageNotificationParams) + Send + Sync + 'static,
    {
        self.log = Some(Arc::new(handler));
        self
    }
}

/// How a client call failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    /// The server answered with a JSON-RPC error.
    #[error("{0}")]
    Rpc(ErrorObject),
    /// The request timed out (the cancellation was sent).
    #[error("the request timed out")]
    TimedOut,
    /// The request was cancelled.
    #[error("the request was cancelled")]
    Cancelled,
    /// The request failed in the client: too many input rounds, a method of the other era.
    #[error("{0}")]
    Failed(String),
    /// The connection is closed.
    #[error("the connection is closed")]
    Closed,
    /// The result is not what the method returns.
    #[error("unexpected result: {0}")]
    Decode(String),
}

/// What the client learnt about its server during negotiation.
#[derive(Clone, Debug, Default)]
pub(crate) struct ServerFacts {
    pub(crate) era: Option<Era>,
    pub(crate) version: Option<ProtocolVersion>,
    pub(crate) info: Option<Implementation>,
    pub(crate) capabilities: Option<ServerCapabilities>,
    pub(crate) instructions: Option<String>,
}

/// What the application asks of the connection's drive loop.
#[derive(Debug)]
pub(crate) enum Call {
    Request {
        /// Encoded by the caller, on its own thread.
        request: EncodedRequest,
        options: CallOptions,
        answer: oneshot::Sender<Result<ResultBody, ClientError>>,
    },
    Ready(oneshot::Sender<Result<(), ClientError>>),
    /// Open a subscription.
    Listen {
        filter: SubscriptionFilter,
        answer: listen::OpenAnswer,
    },
    /// A [`Subscription`] was dropped: end it.
    Unlisten(u64),
}

/// A connected MCP client. Cheap to clone; the connection closes when the last clone is
/// dropped.
#[derive(Clone, Debug)]
pub struct Client {
    pub(crate) calls: mpsc::UnboundedSender<Call>,
    pub(crate) facts: Arc<Mutex<ServerFacts>>,
}

impl Client {
    fn facts(&self) -> ServerFacts {
        self.facts
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The era the connection settled on.
    pub fn era(&self) -> Option<Era> {
        self.facts().era
    }

    /// The protocol version in use.
    pub fn protocol_version(&self) -> Option<ProtocolVersion> {
        self.facts().version
    }

    /// The server's identity.
    pub fn server_info(&self) -> Option<Implementation> {
        self.facts().info
    }

    /// What the server offers.
    pub fn server_capabilities(&self) -> Option<ServerCapabilities> {
        self.facts().capabilities
    }

    /// The server's guidance for the model.
    pub fn instructions(&self) -> Option<String> {
        self.facts().instructions
    }

    /// Waits until negotiation is over.
    pub(crate) async fn ready(&self) -> Result<(), ClientError> {
        let (answer, response) = oneshot::channel();
        self.calls
            .unbounded_send(Call::Ready(answer))
            .map_err(|_| ClientError::Closed)?;
        response.await.map_err(|_| ClientError::Closed)?
    }

    /// Sends any request and waits for its result. `options` are [`CallOptions`] or the
    /// core's [`RequestOptions`](mcp_proto::client::RequestOptions).
    pub async fn request(
        &self,
        request: ClientRequest,
        options: impl Into<CallOptions>,
    ) -> Result<ResultBody, ClientError> {
        // Serialised here, by the caller, rather than by the task that drives the
        // connection for every caller.
        let request = EncodedRequest::new(&request)
            .map_err(|error| ClientError::Failed(error.to_string()))?;
        let (answer, response) = oneshot::channel();
        let call = Call::Request {
            request,
            options: options.into(),
            answer,
        };
        self.calls
            .unbounded_send(call)
            .map_err(|_| ClientError::Closed)?;
        response.await.map_err(|_| ClientError::Closed)?
    }

    async fn typed<T: DeserializeOwned + 'static>(
        &self,
        request: ClientRequest,
    ) -> Result<T, ClientError> {
        self.typed_with(request, CallOptions::new()).await
    }

    async fn typed_with<T: DeserializeOwned + 'static>(
        &self,
        request: ClientRequest,
        options: CallOptions,
    ) -> Result<T, ClientError> {
        let body = self.request(request, options).await?;
        body.into_decoded()
            .map_err(|error| ClientError::Decode(error.to_string()))
    }

    /// `tools/list`, every page, as one result.
    pub async fn list_tools(&self) -> Result<ListToolsResult, ClientError> {
        let tools = self.every_page("tools/list", "tools").await?;
        serde_json::from_value(serde_json::json!({ "tools": tools }))
            .map_err(|error| ClientError::Decode(error.to_string()))
    }

    /// Every page of a paginated list method, each page's `key` array joined.
    async fn every_page(
        &self,
        method: &str,
        key: &str,
    ) -> Result<Vec<serde_json::Value>, ClientError> {
        let mut items = Vec::new();
        let mut cursor: Option<String> = None;
        // A server that keeps handing out cursors cannot keep us forever.
        for _ in 0..MAX_PAGES {
            let params = match &cursor {
                Some(cursor) => serde_json::json!({ "cursor": cursor }),
                None => serde_json::json!({}),
            };
            let page: serde_json::Value = self.typed(decode_request(method, &params)?).await?;
            if let Some(found) = page.get(key).and_then(serde_json::Value::as_array) {
                items.extend(found.iter().cloned());
            }
            cursor = page
                .get("nextCursor")
                .and_then(|c| c.as_str())
                .map(String::from);
            if cursor.is_none() {
                return Ok(items);
            }
        }
        Err(ClientError::Failed(format!(
            "{method}: more than {MAX_PAGES} pages"
        )))
    }

    async fn listed<T: DeserializeOwned>(
        &self,
        method: &str,
        key: &str,
    ) -> Result<Vec<T>, ClientError> {
        self.every_page(method, key)
            .await?
            .into_iter()
            .map(|item| {
                serde_json::from_value(item).map_err(|error| ClientError::Decode(error.to_string()))
            })
            .collect()
    }

    /// `resources/list`, every page.
    pub async fn list_resources(&self) -> Result<Vec<Resource>, ClientError> {
        self.listed("resources/list", "resources").await
    }

    /// `resources/templates/list`, every page.
    pub async fn list_resource_templates(&self) -> Result<Vec<ResourceTemplate>, ClientError> {
        self.listed("resources/templates/list", "resourceTemplates")
            .await
    }

    /// `resources/read`.
    pub async fn read_resource(&self, uri: &str) -> Result<ReadResourceResult, ClientError> {
        self.typed(decode_request(
            "resources/read",
            &serde_json::json!({ "uri": uri }),
        )?)
        .await
    }

    /// `prompts/list`, every page.
    pub async fn list_prompts(&self) -> Result<Vec<Prompt>, ClientError> {
        self.listed("prompts/list", "prompts").await
    }

    /// `prompts/get` with string arguments.
    pub async fn get_prompt(
        &self,
        name: &str,
        arguments: &[(&str, &str)],
    ) -> Result<GetPromptResult, ClientError> {
        let arguments: serde_json::Map<String, serde_json::Value> = arguments
            .iter()
            .map(|(key, value)| (String::from(*key), serde_json::Value::from(*value)))
            .collect();
        let params = serde_json::json!({ "name": name, "arguments": arguments });
        self.typed(decode_request("prompts/get", &params)?).await
    }

    /// `tools/call` with JSON arguments; multi-round input is handled by the callbacks.
    pub async fn call_tool(
        &self,
        name: &str,
        arguments: serde_json::Value,
    ) -> Result<CallToolResult, ClientError> {
        self.call_tool_with(name, arguments, CallOptions::new())
            .await
    }

    /// `tools/call` with a deadline, a progress callback or a log level ([`CallOptions`]).
    pub async fn call_tool_with(
        &self,
        name: &str,
        arguments: serde_json::Value,
        options: CallOptions,
    ) -> Result<CallToolResult, ClientError> {
        let request = if arguments.is_object() {
            // The request the generic path below would decode, built directly.
            let arguments = mcp_proto::json::RawJson::from(&arguments);
            ClientRequest::CallTool(CallToolRequestParams::new(name, Some(arguments)))
        } else {
            // Not an object: the decoder says what is wrong with it.
            decode_request(
                "tools/call",
                &serde_json::json!({ "name": name, "arguments": arguments }),
            )?
        };
        self.typed_with(request, options).await
    }

    /// Subscribes to the change notifications `filter` asks for, in either era, and
    /// returns once the subscription is in place (a change published afterwards is
    /// delivered).
    ///
    /// At 2026-07-28 this opens a `subscriptions/listen` request and waits for the
    /// server's acknowledgement; a server that offers no subscriptions refuses with
    /// [`ClientError::Rpc`]. On a 2025-11-25 session the session's own list-changed
    /// notifications are delivered, and each resource in
    /// `filter.resource_subscriptions` is subscribed with `resources/subscribe` first.
    /// [`Subscription::acknowledged`] tells what will be delivered.
    pub async fn listen(&self, filter: SubscriptionFilter) -> Result<Subscription, ClientError> {
        let (answer, response) = oneshot::channel();
        self.calls
            .unbounded_send(Call::Listen { filter, answer })
            .map_err(|_| ClientError::Closed)?;
        let opened = response.await.map_err(|_| ClientError::Closed)??;
        Ok(opened.into_subscription(self.calls.clone()))
    }
}

fn decode_request(method: &str, params: &serde_json::Value) -> Result<ClientRequest, ClientError> {
    let params =
        Params::from_serialize(params).map_err(|error| ClientError::Failed(error.to_string()))?;
    ClientRequest::decode(method, Some(&params))
        .map_err(|error| ClientError::Failed(error.to_string()))
}

/// Completion and vendor methods.
impl Client {
    /// `completion/complete`: suggestions for the argument `argument` of a prompt or
    /// resource template (`reference`), given what the user typed so far (`value`) and
    /// the arguments already settled on (`resolved`, sent as `context.arguments` when not
    /// empty).
    pub async fn complete(
        &self,
        reference: mcp_proto::types::CompletionReference,
        argument: &str,
        value: &str,
        resolved: &[(&str, &str)],
    ) -> Result<mcp_proto::types::CompleteResult, ClientError> {
        let argument = mcp_proto::types::CompletionArgument::new(argument, value);
        let mut params = mcp_proto::types::CompleteRequestParams::new(reference, argument);
        if !resolved.is_empty() {
            let resolved = resolved
                .iter()
                .map(|(name, value)| (String::from(*name), String::from(*value)))
                .collect();
            params = params.with_context(mcp_proto::types::CompletionContext::new(resolved));
        }
        self.typed(ClientRequest::Complete(params)).await
    }

    /// Sends the vendor request `method` (one outside the specification's table) with
    /// `params`, which must serialise to a JSON object, and decodes its result as `R`.
    ///
    /// The request carries the era's envelope like any other; a server that does not
    /// offer the method answers -32601 ([`ClientError::Rpc`]). At 2026-07-28 the result
    /// also holds `resultType` (and may hold `_meta`), which `R` may ignore.
    pub async fn request_custom<P, R>(&self, method: &str, params: &P) -> Result<R, ClientError>
    where
        P: serde::Serialize + ?Sized,
        R: DeserializeOwned,
    {
        let params = Params::from_serialize(params)
            .map_err(|error| ClientError::Failed(error.to_string()))?;
        let request = ClientRequest::Custom {
            method: String::from(method),
            params: Some(params.raw().clone()),
        };
        let body = self.request(request, CallOptions::new()).await?;
        body.decode()
            .map_err(|error| ClientError::Decode(error.to_string()))
    }
}
