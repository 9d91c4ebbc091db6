//! What a server connection is configured with.

use alloc::boxed::Box;
use alloc::collections::{BTreeMap, BTreeSet};
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use crate::Limits;
use crate::mrtr::StateSealer;
use crate::types::{CacheScope, Implementation, Meta, Method, ServerCapabilities};
use crate::validate::{Rule, Violation};
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
    /// Vendor request methods (outside the specification's method table) admitted as
    /// ordinary [`ServerEvent::Request`](crate::server::ServerEvent::Request)s in both
    /// eras; every other unknown method is refused with -32601. Default: none.
    pub custom_methods: CustomMethods,
    /// `info` encoded for stamping, made where the configuration stops changing.
    stamp: Option<StampCache>,
}

/// `serverInfo` encoded once for the `_meta` of every 2026-07-28 result, with the
/// `Implementation` it was encoded from (a configuration whose `info` changed since is
/// not served from it).
pub(crate) struct StampCache {
    info: Implementation,
    /// `info` as JSON text.
    pub(crate) json: String,
    /// `{"io.modelcontextprotocol/serverInfo": info}`: the `_meta` of a result that has
    /// none of its own.
    pub(crate) alone: Meta,
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
            custom_methods: CustomMethods::new(),
            stamp: None,
        }
    }

    /// Encodes `info` for stamping: called where the configuration becomes shared and
    /// stops changing (a connection made from it, a driver's shared configuration).
    pub(crate) fn prepare(&mut self) {
        self.stamp = serde_json::to_string(&self.info).ok().map(|json| {
            let mut alone = alloc::string::String::with_capacity(json.len() + 48);
            alone.push('{');
            crate::json::splice::push_quoted(&mut alone, crate::types::meta::keys::SERVER_INFO);
            alone.push(':');
            alone.push_str(&json);
            alone.push('}');
            StampCache {
                info: self.info.clone(),
                alone: Meta::from_checked_string(alone),
                json,
            }
        });
    }

    /// The stamping cache, when it still describes `info`.
    pub(crate) fn stamp_cache(&self) -> Option<&StampCache> {
        self.stamp.as_ref().filter(|cache| cache.info == self.info)
    }

    /// The configuration frozen for many connections of one server (Streamable HTTP
    /// sessions and exchanges, each a [`ServerConnection`](crate::server::ServerConnection)
    /// made with `with_shared_config`): one copy for all of them, with what can be
    /// encoded once (the `serverInfo` stamp) encoded now. Its `sealer` is dropped: take
    /// it out first and give each connection its own handle on it.
    pub fn into_shared(mut self) -> alloc::sync::Arc<ServerConfig> {
        self.sealer = None;
        self.prepare();
        alloc::sync::Arc::new(self)
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

    /// Admits requests of the vendor method `method` (see [`CustomMethods::insert`]).
    pub fn with_custom_method(mut self, method: &str) -> Result<Self, CustomMethodError> {
        self.custom_methods.insert(method)?;
        Ok(self)
    }

    /// The versions served in `era`.
    pub fn versions_of(&self, era: Era) -> Vec<ProtocolVersion> {
        self.versions
            .iter()
            .filter(|version| version.era() == Some(era))
            .cloned()
            .collect()
    }

    /// The versions served in `era`, without collecting them.
    pub(crate) fn served_in(&self, era: Era) -> impl Iterator<Item = &ProtocolVersion> {
        self.versions
            .iter()
            .filter(move |version| version.era() == Some(era))
    }

    /// True when a `_meta` that names `version` is one this server serves at 2026-07-28.
    pub(crate) fn serves_modern(&self, version: &str) -> bool {
        self.served_in(Era::Modern)
            .any(|served| served.as_str() == version)
    }

    /// True when `violation`, found on a request of `method`, only says the method is
    /// not in the revision's table, and `method` is an admitted vendor method: every
    /// check that comes before the method's (the envelope, the version) has passed.
    pub(crate) fn admits_custom(&self, violation: &Violation, method: Option<&str>) -> bool {
        violation.rule == Rule::MethodNotInRevision
            && method.is_some_and(|method| self.custom_methods.contains(method))
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
            .field("custom_methods", &self.custom_methods)
            .finish()
    }
}

/// A bounded set of vendor request method names a server admits besides the
/// specification's own.
///
/// Requests of these methods reach the application in both eras after the checks every
/// request gets (the 2026 `_meta` envelope and version, `progressToken`'s shape, and the
/// 2025 session being initialized); their params and results are checked only for being
/// JSON objects, since no schema describes them. 2026 results still gain `resultType`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CustomMethods {
    names: BTreeSet<String>,
}

impl CustomMethods {
    /// The most names one set holds.
    pub const MAX_METHODS: usize = 64;
    /// The longest name, in bytes.
    pub const MAX_NAME_BYTES: usize = 128;

    /// An empty set.
    pub const fn new() -> Self {
        CustomMethods {
            names: BTreeSet::new(),
        }
    }

    /// Adds `method`; true when it was not there yet.
    ///
    /// Refused: an empty or overlong name, a method of the specification's table (of
    /// either revision, requests and notifications alike: their rules are not
    /// negotiable), a name under `rpc.` (reserved by JSON-RPC) or `notifications/`, and a
    /// name beyond [`Self::MAX_METHODS`].
    pub fn insert(&mut self, method: &str) -> Result<bool, CustomMethodError> {
        if method.is_empty() || method.len() > Self::MAX_NAME_BYTES {
            return Err(CustomMethodError::BadName);
        }
        if Method::parse(method).is_some() {
            return Err(CustomMethodError::Specified);
        }
        if method.starts_with("rpc.") || method.starts_with("notifications/") {
            return Err(CustomMethodError::Reserved);
        }
        if self.names.contains(method) {
            return Ok(false);
        }
        if self.names.len() >= Self::MAX_METHODS {
            return Err(CustomMethodError::TooMany);
        }
        self.names.insert(String::from(method));
        Ok(true)
    }

    /// True when requests of `method` are admitted.
    pub fn contains(&self, method: &str) -> bool {
        self.names.contains(method)
    }

    /// How many names the set holds.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// True when no vendor method is admitted.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// The names, in order.
    pub fn iter(&self) -> impl Iterator<Item = &str> + '_ {
        self.names.iter().map(String::as_str)
    }
}

/// Why a vendor method name was not admitted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CustomMethodError {
    /// Empty, or longer than [`CustomMethods::MAX_NAME_BYTES`].
    #[error("a custom method name must be 1 to 128 bytes long")]
    BadName,
    /// The specification defines this method.
    #[error("the specification defines this method; it cannot be custom")]
    Specified,
    /// `rpc.` names belong to JSON-RPC; `notifications/` names are notifications.
    #[error("names under rpc. and notifications/ cannot be custom request methods")]
    Reserved,
    /// [`CustomMethods::MAX_METHODS`] names are admitted already.
    #[error("too many custom methods (at most 64)")]
    TooMany,
}
