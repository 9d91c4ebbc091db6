//! How a client connection is set up ([`ClientConfig`], [`ClientMode`]) and how one request
//! is sent ([`RequestOptions`]).

use core::time::Duration;

use crate::Limits;
use crate::client::cache::CacheLimits;
use crate::types::{ClientCapabilities, DiscoverResult, Implementation, LoggingLevel};
use crate::version::ProtocolVersion;

/// How the client finds out which protocol revision the server speaks.
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
// Built once per connection; boxing the saved discover result would only burden callers.
#[allow(clippy::large_enum_variant)]
pub enum ClientMode {
    /// Probe first, the dual-era client of the specification: send `server/discover` at
    /// 2026-07-28. A usable discover result naming a per-request version both sides
    /// speak means 2026-07-28 semantics from then on. A `-32022` naming such a version
    /// means the server is modern: probe once more at that version (never fall back on
    /// it), and give up with [`CloseReason::Incompatible`](crate::connection::CloseReason)
    /// when none is shared or the second probe is refused too. Any other error, an
    /// unusable result (`{}`, no `supportedVersions`, no modern version), or silence for
    /// [`Limits::probe_timeout`] means a legacy server: send `initialize`.
    #[default]
    Auto,
    /// Handshake only, for servers known to speak 2025-11-25: send `initialize` at once.
    Legacy,
    /// Zero round trips, for servers known to speak a per-request version: requests go out
    /// at `version` straight away. Server identity, capabilities and instructions come
    /// from `discover` when a saved discover result is given (the specification allows
    /// caching the verdict of an earlier probe), and are unknown otherwise.
    Pinned {
        /// The per-request version to speak.
        version: ProtocolVersion,
        /// A discover result saved from an earlier connection to the same server.
        discover: Option<DiscoverResult>,
    },
}

/// Everything a [`ClientConnection`](crate::client::ClientConnection) needs to start.
///
/// Built with [`ClientConfig::new`] and the `with_*` setters, so new settings can be
/// added without breaking callers.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct ClientConfig {
    /// Who we are: `clientInfo` of `initialize` and of the 2026 envelope.
    pub info: Implementation,
    /// What we support: `capabilities` of `initialize`, and the
    /// `io.modelcontextprotocol/clientCapabilities` of every 2026 request. Server
    /// requests (legacy) needing a capability not declared here are refused with -32601
    /// before they reach the application.
    pub capabilities: ClientCapabilities,
    /// How the revision is chosen.
    pub mode: ClientMode,
    /// Every bound of the connection.
    pub limits: Limits,
    /// The least severe log level wanted on every request (2026: the envelope's
    /// `io.modelcontextprotocol/logLevel`; 2025: one `logging/setLevel` after the
    /// handshake when the server offers logging). `None`: no log messages asked for.
    pub log_level: Option<LoggingLevel>,
    /// Whether 2026 requests carry `io.modelcontextprotocol/clientInfo` (the
    /// specification says SHOULD, unless configured not to). Default `true`.
    pub send_client_info: bool,
    /// Bounds of the response cache for the 2026 caching hints; `None` disables caching.
    /// Default: [`CacheLimits::default`].
    pub cache: Option<CacheLimits>,
}

impl ClientConfig {
    /// A client called `info`, with no capabilities, in [`ClientMode::Auto`], default
    /// limits, no log level, client info sent, and the default response cache.
    pub fn new(info: Implementation) -> Self {
        ClientConfig {
            info,
            capabilities: ClientCapabilities::default(),
            mode: ClientMode::Auto,
            limits: Limits::default(),
            log_level: None,
            send_client_info: true,
            cache: Some(CacheLimits::default()),
        }
    }

    /// Declares `capabilities`.
    pub fn with_capabilities(mut self, capabilities: ClientCapabilities) -> Self {
        self.capabilities = capabilities;
        self
    }

    /// Chooses how the revision is found.
    pub fn with_mode(mut self, mode: ClientMode) -> Self {
        self.mode = mode;
        self
    }

    /// Replaces the bounds.
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Asks for log messages at `level` and above on every request (`None`: none).
    pub fn with_log_level(mut self, level: Option<LoggingLevel>) -> Self {
        self.log_level = level;
        self
    }

    /// Whether 2026 requests carry the client's identity.
    pub fn with_client_info(mut self, send: bool) -> Self {
        self.send_client_info = send;
        self
    }

    /// Sets the response cache bounds (`None` disables the cache).
    pub fn with_cache(mut self, cache: Option<CacheLimits>) -> Self {
        self.cache = cache;
        self
    }
}

/// How one request is sent: its deadline, progress and logging opt-ins, and whether a
/// cached answer may stand in for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RequestOptions {
    /// How long each attempt may go unanswered before the request is cancelled and
    /// reported as timed out; `None` means [`Limits::default_request_timeout`]. A
    /// multi-round-trip request gets a fresh deadline with each retry, and none while the
    /// application gathers input. `subscriptions/listen` never times out.
    pub timeout: Option<Duration>,
    /// Ask for progress: the connection puts a fresh `progressToken` into `_meta` (unless
    /// the request already carries one) and reports `notifications/progress` for it as
    /// [`ClientEvent::Progress`](crate::client::ClientEvent::Progress). A token the
    /// application put into `_meta` itself is always tracked.
    pub progress: bool,
    /// 2026 only: the log level for this request, overriding
    /// [`ClientConfig::log_level`].
    pub log_level: Option<LoggingLevel>,
    /// Whether a fresh cached result may answer this request without asking the server
    /// (cacheable 2026 methods only). With `false` the request always goes out; its
    /// result still refreshes the cache. Default `true`.
    pub use_cache: bool,
}

impl Default for RequestOptions {
    fn default() -> Self {
        RequestOptions {
            timeout: None,
            progress: false,
            log_level: None,
            use_cache: true,
        }
    }
}

impl RequestOptions {
    /// The defaults: the default deadline, no progress, no per-request log level, cache
    /// allowed.
    pub fn new() -> Self {
        RequestOptions::default()
    }

    /// Gives each attempt `timeout` to be answered.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Asks for progress notifications.
    pub fn with_progress(mut self) -> Self {
        self.progress = true;
        self
    }

    /// Asks for log messages at `level` and above for this request (2026).
    pub fn with_log_level(mut self, level: LoggingLevel) -> Self {
        self.log_level = Some(level);
        self
    }

    /// Allows or forbids answering from the cache.
    pub fn with_cache(mut self, use_cache: bool) -> Self {
        self.use_cache = use_cache;
        self
    }
}
