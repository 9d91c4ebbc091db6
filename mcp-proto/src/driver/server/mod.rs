//! The server API: build a [`Server`] from tools, then serve it over any byte stream
//! (stdio, a pipe, in memory) with [`serve_stream`], under any runtime.
//!
//! ```
//! use mcp_proto::driver::server::{Context, Server, Tool, ToolError};
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

use std::prelude::rust_2024::*;

mod context;
mod dispatch;
mod prompt;
mod resource;
mod sealing;
pub(crate) mod session;
mod tool;

pub use context::{Context, Interrupt, ToolError};
pub use prompt::{Prompt, PromptFuture};
pub use resource::{ReadFuture, Resource, ResourceRequest, ResourceTemplate};
pub use session::serve_stream;
pub use tool::{Tool, ToolFuture};

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};

use futures_channel::mpsc;

use crate::Limits;
use crate::mrtr::HmacSealer;
use crate::server::{Change, ServerConfig};
use crate::types::{
    Implementation, ListChangedCapability, ResourcesCapability, ServerCapabilities,
};

use context::Command;

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
    pub(crate) tools: BTreeMap<String, Tool>,
    pub(crate) resources: BTreeMap<String, Resource>,
    pub(crate) templates: Vec<ResourceTemplate>,
    pub(crate) prompts: BTreeMap<String, Prompt>,
    pub(crate) capabilities: ServerCapabilities,
    pub(crate) limits: Limits,
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
        Arc::clone(self.shared_config.get_or_init(|| {
            let mut config = self.connection_config();
            config.sealer = None;
            Arc::new(config)
        }))
    }

    /// A handle on the server's one sealer, for a connection that may seal.
    pub(crate) fn shared_sealer(&self) -> Option<Box<dyn crate::mrtr::StateSealer + Send>> {
        let sealer = self.sealer.get_or_init(|| {
            HmacSealer::new(&self.sealing.id, self.sealing.key, self.sealing.nonce_seed)
                .ok()
                .map(|sealer| sealing::SharedSealer(Arc::new(Mutex::new(sealer))))
        });
        sealer
            .clone()
            .map(|sealer| Box::new(sealer) as Box<dyn crate::mrtr::StateSealer + Send>)
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
            tools: BTreeMap::new(),
            resources: BTreeMap::new(),
            templates: Vec::new(),
            prompts: BTreeMap::new(),
            limits: Limits::default(),
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
#[derive(Debug)]
pub struct ServerBuilder {
    info: Implementation,
    instructions: Option<String>,
    tools: BTreeMap<String, Tool>,
    resources: BTreeMap<String, Resource>,
    templates: Vec<ResourceTemplate>,
    prompts: BTreeMap<String, Prompt>,
    limits: Limits,
    sealing: Option<(String, [u8; 32], [u8; 16])>,
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
            capabilities.tools = Some(ListChangedCapability {
                list_changed: Some(true),
            });
        }
        if !self.resources.is_empty() || !self.templates.is_empty() {
            capabilities.resources = Some(ResourcesCapability {
                subscribe: Some(true),
                list_changed: Some(true),
            });
        }
        if !self.prompts.is_empty() {
            capabilities.prompts = Some(ListChangedCapability {
                list_changed: Some(true),
            });
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
