//! The server API: build a [`Server`] from tools, then serve it over any byte stream
//! (stdio, a pipe, in memory) with [`serve_stream`], under any runtime.
//!
//! ```
//! use mcp_driver::server::{Context, Server, Tool, ToolError};
//! use mcp_proto::types::{CallToolResult, Implementation};
//!
//! #[derive(serde::Deserialize)]
//! struct Echo {
//!     text: String,
//! }
//!
//! let schema = serde_json::json!({
//!     "type": "object",
//!     "properties": {"text": {"type": "string"}},
//!     "required": ["text"]
//! });
//! let server = Server::builder(Implementation::new("echo-server", "1.0"))
//!     .tool(Tool::new("echo", "Repeats the text", schema, |args: Echo, _ctx: Context| async move {
//!         Ok::<_, ToolError>(CallToolResult::text(args.text))
//!     }))
//!     .build();
//! assert_eq!(server.info().name, "echo-server");
//! // Then, under a runtime: `serve_stream(&server, runtime, io).await`, or an adapter's
//! // helper such as `mcp_io_tokio::serve_stdio(&server).await`.
//! ```
//!
//! Besides tools ([`Tool`]), resources ([`Resource`], [`ResourceTemplate`]) and prompts
//! ([`Prompt`]), a server may offer, in both eras:
//!
//! - argument completion: [`Prompt::with_completion`] and
//!   [`ResourceTemplate::with_completion`] (the `completions` capability follows);
//! - paginated listings: [`ServerBuilder::page_size`];
//! - vendor request methods with typed params and results: [`ServerBuilder::method`];
//! - layers around every request its handlers answer: [`ServerBuilder::layer`].

mod completion;
mod context;
mod custom;
mod dispatch;
mod layer;
mod outcome;
mod page;
mod prompt;
mod registry;
mod resource;
mod sealing;
pub(crate) mod session;
mod tool;

pub use completion::{CompletionFuture, CompletionRequest, MAX_COMPLETION_VALUES};
pub use context::{Context, Interrupt, ToolError};
pub use layer::{LayerFuture, Next, RequestInfo};
pub use prompt::{Prompt, PromptFuture};
pub use resource::{ReadFuture, Resource, ResourceRequest, ResourceTemplate};
pub use session::serve_stream;
pub use tool::{Tool, ToolFuture};

use std::collections::BTreeMap;
use std::future::Future;
use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex, PoisonError};

use futures_channel::mpsc;
use serde::Serialize;
use serde::de::DeserializeOwned;

use mcp_proto::Limits;
use mcp_proto::mrtr::HmacSealer;
use mcp_proto::server::{Change, CustomMethodError, CustomMethods, ServerConfig};
use mcp_proto::types::{
    Implementation, ListChangedCapability, ResourcesCapability, ServerCapabilities,
};

use context::Command;
use custom::ErasedMethod;
use layer::ErasedLayer;
use registry::Registry;

/// A server definition shared by all its connections: who it is and what it offers.
/// Cheap to clone.
#[derive(Clone)]
pub struct Server {
    pub(crate) shared: Arc<Shared>,
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("info", &self.shared.info)
            .field("tools", &self.shared.tools.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

/// What every connection of a server shares.
pub(crate) struct Shared {
    pub(crate) info: Implementation,
    pub(crate) instructions: Option<String>,
    pub(crate) tools: Registry<Tool>,
    pub(crate) resources: BTreeMap<String, Resource>,
    pub(crate) templates: Vec<ResourceTemplate>,
    pub(crate) prompts: Registry<Prompt>,
    pub(crate) capabilities: ServerCapabilities,
    pub(crate) limits: Limits,
    /// Items per page of the list methods; `None` lists everything on one page.
    pub(crate) page_size: Option<usize>,
    /// Vendor method handlers by method name (the names are in `custom_methods` too).
    pub(crate) methods: BTreeMap<String, ErasedMethod>,
    pub(crate) custom_methods: CustomMethods,
    /// Layers, outermost first.
    pub(crate) layers: Arc<[ErasedLayer]>,
    sealing: SealingKey,
    listeners: Mutex<Listeners>,
    /// The connection configuration, made once and shared by every connection.
    shared_config: std::sync::OnceLock<Arc<ServerConfig>>,
    /// The sealer, made once and shared by every connection that may seal.
    sealer: std::sync::OnceLock<Option<sealing::SharedSealer>>,
}

/// The connections that receive published changes.
#[derive(Default)]
struct Listeners {
    senders: Vec<mpsc::Sender<Command>>,
    /// Closed senders are swept when the list reaches this length (amortised: each
    /// registration costs O(1) on average however many connections are live).
    sweep_at: usize,
}

/// The key `requestState` is sealed with.
#[derive(Clone)]
struct SealingKey {
    id: String,
    key: [u8; 32],
    nonce_seed: [u8; 16],
}

impl Shared {
    /// The configuration of one new connection.
    pub(crate) fn connection_config(&self) -> ServerConfig {
        let mut config = ServerConfig::new(self.info.clone())
            .with_capabilities(self.capabilities.clone())
            .with_limits(self.limits.clone());
        config.custom_methods = self.custom_methods.clone();
        if let Some(instructions) = &self.instructions {
            config = config.with_instructions(instructions.clone());
        }
        if let Ok(sealer) =
            HmacSealer::new(&self.sealing.id, self.sealing.key, self.sealing.nonce_seed)
        {
            config = config.with_sealer(sealer);
        }
        config
    }

    /// The configuration every connection shares (its `sealer` is empty; see
    /// [`Self::shared_sealer`]).
    pub(crate) fn shared_config(&self) -> Arc<ServerConfig> {
        Arc::clone(
            self.shared_config
                .get_or_init(|| self.connection_config().into_shared()),
        )
    }

    /// A handle on the server's one sealer, for a connection that may seal.
    pub(crate) fn shared_sealer(&self) -> Option<Box<dyn mcp_proto::mrtr::StateSealer + Send>> {
        let sealer = self.sealer.get_or_init(|| {
            HmacSealer::new(&self.sealing.id, self.sealing.key, self.sealing.nonce_seed)
                .ok()
                .map(|sealer| sealing::SharedSealer(Arc::new(Mutex::new(sealer))))
        });
        sealer
            .clone()
            .map(|sealer| Box::new(sealer) as Box<dyn mcp_proto::mrtr::StateSealer + Send>)
    }

    /// Registers a connection for published changes.
    pub(crate) fn listen(&self, sender: mpsc::Sender<Command>) {
        let mut listeners = self
            .listeners
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if listeners.senders.len() >= listeners.sweep_at {
            listeners.senders.retain(|listener| !listener.is_closed());
            listeners.sweep_at = (listeners.senders.len() * 2).max(16);
        }
        listeners.senders.push(sender);
    }

    fn publish(&self, change: &Change) {
        let mut listeners = self
            .listeners
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        listeners.senders.retain(|listener| !listener.is_closed());
        for listener in listeners.senders.iter_mut() {
            // A connection whose queue is full misses this change; its client refetches
            // on the next one (list-changed carries no data).
            let _ = listener.try_send(Command::Publish(change.clone()));
        }
    }
}

impl Server {
    /// Starts a server definition.
    pub fn builder(info: Implementation) -> ServerBuilder {
        ServerBuilder {
            info,
            instructions: None,
            tools: Registry::default(),
            resources: BTreeMap::new(),
            templates: Vec::new(),
            prompts: Registry::default(),
            limits: Limits::default(),
            page_size: None,
            methods: BTreeMap::new(),
            custom_methods: CustomMethods::new(),
            layers: Vec::new(),
            sealing: None,
        }
    }

    /// Tells every connected client, of either era, that the tool list changed.
    pub fn notify_tools_changed(&self) {
        self.shared.publish(&Change::ToolsListChanged);
    }

    /// Tells every connected client that the resource list changed.
    pub fn notify_resources_changed(&self) {
        self.shared.publish(&Change::ResourcesListChanged);
    }

    /// Tells every connected client that the prompt list changed.
    pub fn notify_prompts_changed(&self) {
        self.shared.publish(&Change::PromptsListChanged);
    }

    /// Tells the clients subscribed to `uri` (or to a resource it is under) that it
    /// changed.
    pub fn notify_resource_updated(&self, uri: impl Into<String>) {
        self.shared.publish(&Change::ResourceUpdated(uri.into()));
    }

    /// The server's identity.
    pub fn info(&self) -> &Implementation {
        &self.shared.info
    }
}

/// Builds a [`Server`].
pub struct ServerBuilder {
    info: Implementation,
    instructions: Option<String>,
    tools: Registry<Tool>,
    resources: BTreeMap<String, Resource>,
    templates: Vec<ResourceTemplate>,
    prompts: Registry<Prompt>,
    limits: Limits,
    page_size: Option<usize>,
    methods: BTreeMap<String, ErasedMethod>,
    custom_methods: CustomMethods,
    layers: Vec<ErasedLayer>,
    sealing: Option<(String, [u8; 32], [u8; 16])>,
}

impl std::fmt::Debug for ServerBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerBuilder")
            .field("info", &self.info)
            .field("tools", &self.tools.keys().collect::<Vec<_>>())
            .field("resources", &self.resources.keys().collect::<Vec<_>>())
            .field("templates", &self.templates.len())
            .field("prompts", &self.prompts.keys().collect::<Vec<_>>())
            .field("page_size", &self.page_size)
            .field("methods", &self.custom_methods)
            .field("layers", &self.layers.len())
            .finish_non_exhaustive()
    }
}

impl ServerBuilder {
    /// Guidance for the model about how to use this server.
    pub fn instructions(mut self, instructions: impl Into<String>) -> Self {
        self.instructions = Some(instructions.into());
        self
    }

    /// Adds a tool (a later tool of the same name replaces an earlier one).
    pub fn tool(mut self, tool: Tool) -> Self {
        self.tools.insert(tool.definition.name.clone(), tool);
        self
    }

    /// Adds a resource at a fixed URI.
    pub fn resource(mut self, resource: Resource) -> Self {
        self.resources
            .insert(resource.definition.uri.clone(), resource);
        self
    }

    /// Adds a resource template; templates are tried in the order they were added.
    pub fn resource_template(mut self, template: ResourceTemplate) -> Self {
        self.templates.push(template);
        self
    }

    /// Adds a prompt (a later prompt of the same name replaces an earlier one).
    pub fn prompt(mut self, prompt: Prompt) -> Self {
        self.prompts.insert(prompt.definition.name.clone(), prompt);
        self
    }

    /// Cuts the listings of `tools/list`, `resources/list`, `resources/templates/list`
    /// and `prompts/list` into pages of `items` each, every page but the last carrying
    /// an opaque `nextCursor`; a cursor the server did not hand out for that method is
    /// refused with -32602. Default: no pagination, everything on the first page, which
    /// is what most clients expect.
    pub fn page_size(mut self, items: NonZeroUsize) -> Self {
        self.page_size = Some(items.get());
        self
    }

    /// Answers requests of the vendor method `name` (such as `"acme/stats"`) with
    /// `handler`, in both eras.
    ///
    /// The params, without the protocol's `_meta`, decode into `P` (absent params as
    /// `{}`), or the request is answered with -32602 before the handler runs. The
    /// handler's `R` must serialise to a JSON object (anything else is answered with
    /// -32603); a [`ToolError`] becomes a JSON-RPC error (-32603 for a plain failure).
    /// At 2026-07-28 a vendor method cannot ask for input ([`Context::elicit`] and the
    /// like fail it); on a 2025-11-25 session it can. A later handler for the same name
    /// replaces an earlier one.
    ///
    /// Refused: names of the specification's own methods, names under `rpc.` or
    /// `notifications/`, and more than [`CustomMethods::MAX_METHODS`] names (see
    /// [`CustomMethods::insert`]).
    ///
    /// ```
    /// use mcp_driver::server::{Context, Server, ToolError};
    /// use mcp_proto::types::Implementation;
    ///
    /// #[derive(serde::Deserialize)]
    /// struct StatsParams {
    ///     depth: u32,
    /// }
    ///
    /// #[derive(serde::Serialize)]
    /// struct Stats {
    ///     nodes: u32,
    /// }
    ///
    /// let server = Server::builder(Implementation::new("vendor", "1.0"))
    ///     .method("acme/stats", |params: StatsParams, _ctx: Context| async move {
    ///         Ok::<_, ToolError>(Stats { nodes: params.depth * 2 })
    ///     })
    ///     .expect("a vendor method name")
    ///     .build();
    /// # drop(server);
    /// ```
    pub fn method<P, R, F, Fut>(mut self, name: &str, handler: F) -> Result<Self, CustomMethodError>
    where
        P: DeserializeOwned + Send + 'static,
        R: Serialize + Send + 'static,
        F: Fn(P, Context) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<R, ToolError>> + Send + 'static,
    {
        self.custom_methods.insert(name)?;
        self.methods
            .insert(String::from(name), custom::erase(handler));
        Ok(self)
    }

    /// Wraps every request that reaches the server's handlers in `layer`, to log, time,
    /// authorise or rewrite.
    ///
    /// A layer receives the request ([`RequestInfo`]) and the rest of the chain ([`Next`]).
    /// It may call [`Next::run`] once, with the request as it came or changed, and return
    /// what it gives back, changed or not; or it may answer by itself without calling it
    /// (a refusal, a cached answer).
    ///
    /// Layers run in the order they were registered: the first registered is the outermost,
    /// so it sees the request first and the reply last. Innermost is the server's own
    /// routing to its tools, resources, prompts, completions and vendor methods.
    ///
    /// Layers see every request that reaches the application. Requests the protocol core
    /// answers by itself never reach them: `initialize`, `ping`, `logging/setLevel`,
    /// `resources/subscribe` and `unsubscribe`, `server/discover`, `subscriptions/listen`,
    /// and any request refused before routing (a malformed envelope, an unknown method).
    ///
    /// ```
    /// use std::sync::Arc;
    /// use std::sync::atomic::{AtomicUsize, Ordering};
    ///
    /// use mcp_driver::server::{Next, RequestInfo, Server};
    /// use mcp_proto::jsonrpc::ErrorCode;
    /// use mcp_proto::server::Reply;
    /// use mcp_proto::types::Implementation;
    ///
    /// let seen = Arc::new(AtomicUsize::new(0));
    /// let counter = Arc::clone(&seen);
    /// let server = Server::builder(Implementation::new("guarded", "1.0"))
    ///     // Outermost: counts every request, refused ones included.
    ///     .layer(move |request: RequestInfo, next: Next| {
    ///         counter.fetch_add(1, Ordering::Relaxed);
    ///         next.run(request)
    ///     })
    ///     // Inside it: refuses one method without calling the rest of the chain.
    ///     .layer(|request: RequestInfo, next: Next| async move {
    ///         if request.method == "prompts/list" {
    ///             return Reply::error(ErrorCode(-31001), "not for you");
    ///         }
    ///         next.run(request).await
    ///     })
    ///     .build();
    /// # drop(server);
    /// ```
    pub fn layer<F, Fut>(mut self, layer: F) -> Self
    where
        F: Fn(RequestInfo, Next) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = mcp_proto::server::Reply> + Send + 'static,
    {
        self.layers.push(layer::erase(layer));
        self
    }

    /// Sets every connection's bounds.
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// The key that seals multi-round-trip state. Servers behind a load balancer need the
    /// same key on every replica; without one, a random key is drawn at build time.
    pub fn sealing_key(
        mut self,
        key_id: impl Into<String>,
        key: [u8; 32],
        nonce_seed: [u8; 16],
    ) -> Self {
        self.sealing = Some((key_id.into(), key, nonce_seed));
        self
    }

    /// The server.
    pub fn build(self) -> Server {
        let (id, key, nonce_seed) = self.sealing.unwrap_or_else(|| {
            let mut key = [0u8; 32];
            let mut nonce_seed = [0u8; 16];
            // Every supported OS provides randomness; were it missing the key would stay
            // zero, and state would still bind to its request but be forgeable.
            let _ = getrandom::fill(&mut key).and_then(|()| getrandom::fill(&mut nonce_seed));
            (String::from("k0"), key, nonce_seed)
        });
        let mut capabilities = ServerCapabilities::default();
        if !self.tools.is_empty() {
            capabilities.tools = Some(ListChangedCapability::new(true));
        }
        if !self.resources.is_empty() || !self.templates.is_empty() {
            capabilities.resources = Some(ResourcesCapability::new(true, true));
        }
        if !self.prompts.is_empty() {
            capabilities.prompts = Some(ListChangedCapability::new(true));
        }
        // Handlers may always log (`Context::log`): a legacy client needs the capability
        // to send `logging/setLevel`, after which the messages flow.
        capabilities.logging = Some(Default::default());
        let completes = self
            .prompts
            .values()
            .any(|prompt| !prompt.completions.is_empty())
            || self
                .templates
                .iter()
                .any(|template| !template.completions.is_empty());
        if completes {
            capabilities.completions = Some(mcp_proto::json::JsonObject::new());
        }
        Server {
            shared: Arc::new(Shared {
                info: self.info,
                instructions: self.instructions,
                tools: self.tools,
                resources: self.resources,
                templates: self.templates,
                prompts: self.prompts,
                capabilities,
                limits: self.limits,
                page_size: self.page_size,
                methods: self.methods,
                custom_methods: self.custom_methods,
                layers: Arc::from(self.layers),
                sealing: SealingKey {
                    id,
                    key,
                    nonce_seed,
                },
                listeners: Mutex::new(Listeners::default()),
                shared_config: std::sync::OnceLock::new(),
                sealer: std::sync::OnceLock::new(),
            }),
        }
    }
}
