//! What a server connection is configured with.

use alloc::boxed::Box;
use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use crate::Limits;
use crate::mrtr::StateSealer;
use crate::types::{CacheScope, Implementation, Method, ServerCapabilities};
use crate::version::{Era, ProtocolVersion};

/// The caching hints a 2026-07-28 result of one method carries when the application's
/// result does not set its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CacheHints {
    /// Freshness lifetime in milliseconds (`ttlMs`).
    pub ttl_ms: u64,
    /// Who may reuse the result (`cacheScope`).
    pub scope: CacheScope,
}

impl Default for CacheHints {
    /// The specification's safe default: immediately stale, private.
    fn default() -> Self {
        CacheHints {
            ttl_ms: 0,
            scope: CacheScope::Private,
        }
    }
}

/// The configuration of a [`ServerConnection`](crate::server::ServerConnection): who the
/// server is, what it offers, which versions it serves and its bounds.
#[non_exhaustive]
pub struct ServerConfig {
    /// `serverInfo`: name and version (and optional display fields).
    pub info: Implementation,
    /// What the server offers; announced by `initialize` and `server/discover`, and
    /// consulted for subscriptions and list-changed notifications.
    pub capabilities: ServerCapabilities,
    /// Guidance for the model, announced by `initialize` and `server/discover`.
    pub instructions: Option<String>,
    /// The protocol versions served, both eras. Default: every known version.
    pub versions: Vec<ProtocolVersion>,
    /// Caching hints per cacheable method at 2026-07-28; methods not named get
    /// [`CacheHints::default`].
    pub cache_hints: BTreeMap<Method, CacheHints>,
    /// Put `io.modelcontextprotocol/serverInfo` in every 2026-07-28 result's `_meta`, as
    /// the specification recommends. Default true.
    pub stamp_server_info: bool,
    /// Every bound of the connection.
    pub limits: Limits,
    /// Seals and opens the `requestState` of multi-round-trip replies. Without one, a
    /// reply that carries state is replaced by -32603 and every incoming state is refused.
    pub sealer: Option<Box<dyn StateSealer + Send + Sync>>,
    /// The authenticated principal requests on this connection act for, bound into
    /// sealed state so it cannot be replayed by someone else.
    pub principal: Option<String>,
}

impl ServerConfig {
    /// A server named by `info` with no capabilities, serving every known version.
    pub fn new(info: Implementation) -> Self {
        ServerConfig {
            info,
            capabilities: ServerCapabilities::default(),
            instructions: None,
            versions: ProtocolVersion::KNOWN.to_vec(),
            cache_hints: BTreeMap::new(),
            stamp_server_info: true,
            limits: Limits::default(),
            sealer: None,
            principal: None,
        }
    }

    /// Sets the capabilities.
    pub fn with_capabilities(mut self, capabilities: ServerCapabilities) -> Self {
        self.capabilities = capabilities;
        self
    }

    /// Sets the instructions.
    pub fn with_instructions(mut self, instructions: impl Into<String>) -> Self {
        self.instructions = Some(instructions.into());
        self
    }

    /// Serves only `versions`.
    pub fn with_versions(mut self, versions: Vec<ProtocolVersion>) -> Self {
        self.versions = versions;
        self
    }

    /// Sets the caching hints of `method`'s results.
    pub fn with_cache_hints(mut self, method: Method, hints: CacheHints) -> Self {
        self.cache_hints.insert(method, hints);
        self
    }

    /// Sets the bounds.
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Sets the sealer of multi-round-trip state.
    pub fn with_sealer(mut self, sealer: impl StateSealer + Send + Sync + 'static) -> Self {
        self.sealer = Some(Box::new(sealer));
        self
    }

    /// Sets the principal bound into sealed state.
    pub fn with_principal(mut self, principal: impl Into<String>) -> Self {
        self.principal = Some(principal.into());
        self
    }

    /// The versions served in `era`.
    pub fn versions_of(&self, era: Era) -> Vec<ProtocolVersion> {
        self.versions
            .iter()
            .filter(|version| version.era() == Some(era))
            .cloned()
            .collect()
    }

    /// The hints for `method`.
    pub fn hints_for(&self, method: Method) -> CacheHints {
        self.cache_hints.get(&method).copied().unwrap_or_default()
    }
}

impl fmt::Debug for ServerConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerConfig")
            .field("info", &self.info)
            .field("capabilities", &self.capabilities)
            .field("instructions", &self.instructions)
            .field("versions", &self.versions)
            .field("cache_hints", &self.cache_hints)
            .field("stamp_server_info", &self.stamp_server_info)
            .field("limits", &self.limits)
            .field("sealer", &self.sealer.as_ref().map(|_| "…"))
            .field("principal", &self.principal)
            .finish()
    }
}
