//! DNS-rebinding protection: the `Host` and `Origin` allow-lists.
//!
//! A page on `http://evil.example.com` can resolve its own name to `127.0.0.1` and then
//! talk to a server on the user's machine; its requests still say `Host:
//! evil.example.com` and `Origin: http://evil.example.com`. Both eras therefore require
//! the server to validate `Origin` (403 when present and not allowed) and, in practice,
//! `Host` (the reference SDK answers 421). A request without `Origin` (not from a
//! browser) passes the origin check.

use alloc::string::String;
use alloc::vec::Vec;

use crate::http::head::RequestHead;
use crate::http::status::HttpResponse;

/// The hosts a loopback-bound server answers to by default.
pub const LOOPBACK_HOSTS: [&str; 3] = ["localhost", "127.0.0.1", "[::1]"];

/// One allowed host, with a port or for any port.
#[derive(Clone, Debug, PartialEq, Eq)]
struct HostPattern {
    /// Lower-case host; IPv6 literals keep their brackets.
    host: String,
    /// `None` matches any port (and no port).
    port: Option<u16>,
}

impl HostPattern {
    fn parse(authority: &str) -> Option<HostPattern> {
        let (host, port) = split_authority(authority)?;
        Some(HostPattern {
            host: host.to_ascii_lowercase(),
            port,
        })
    }

    fn matches(&self, host: &str, port: Option<u16>) -> bool {
        self.host.eq_ignore_ascii_case(host) && (self.port.is_none() || self.port == port)
    }
}

/// One allowed origin: a scheme and a host pattern.
#[derive(Clone, Debug, PartialEq, Eq)]
struct OriginPattern {
    /// Lower-case scheme.
    scheme: String,
    host: HostPattern,
}

impl OriginPattern {
    fn parse(origin: &str) -> Option<OriginPattern> {
        let (scheme, authority) = split_origin(origin)?;
        Some(OriginPattern {
            scheme: scheme.to_ascii_lowercase(),
            host: HostPattern::parse(authority)?,
        })
    }
}

/// Which values a list allows.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Allow<T> {
    Any,
    List(Vec<T>),
}

impl<T> Allow<T> {
    fn push(&mut self, item: T) {
        match self {
            Allow::Any => {}
            Allow::List(items) => items.push(item),
        }
    }
}

/// The `Host` and `Origin` allow-lists of an endpoint.
///
/// The default, [`OriginPolicy::loopback`], suits a server bound to a loopback address:
/// `Host` must be `localhost`, `127.0.0.1` or `[::1]` with any port, and `Origin`, when
/// present, `http://` or `https://` one of those hosts with any port. A server reachable
/// under other names adds them with [`OriginPolicy::with_host`] and
/// [`OriginPolicy::with_origin`]; one behind a proxy that already checks lifts a list
/// with [`OriginPolicy::allow_any_host`] / [`OriginPolicy::allow_any_origin`].
///
/// A pattern that does not parse (`"exa mple"`, `"ftp:/x"`) is ignored: it matches
/// nothing, so a typo can only make the policy stricter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OriginPolicy {
    hosts: Allow<HostPattern>,
    origins: Allow<OriginPattern>,
}

impl Default for OriginPolicy {
    fn default() -> Self {
        OriginPolicy::loopback()
    }
}

/// Why a request failed the `Host`/`Origin` check.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum OriginRejection {
    /// No `Host` header although host checking is on (HTTP/1.1 requires one): 400.
    #[error("the Host header is missing")]
    MissingHost,
    /// `Host` is malformed or not allowed: 421 Misdirected Request.
    #[error("the Host header names a host this server does not answer to")]
    InvalidHost,
    /// `Origin` is present and malformed or not allowed: 403 Forbidden.
    #[error("the Origin header names an origin this server does not allow")]
    InvalidOrigin,
}

impl OriginRejection {
    /// The status to answer with.
    pub fn status(self) -> u16 {
        match self {
            OriginRejection::MissingHost => 400,
            OriginRejection::InvalidHost => 421,
            OriginRejection::InvalidOrigin => 403,
        }
    }

    /// The rendered refusal: the status with a `-32000` JSON-RPC error without `id`.
    pub fn response(self) -> HttpResponse {
        let message = match self {
            OriginRejection::MissingHost => "Bad Request: missing Host header",
            OriginRejection::InvalidHost => "Misdirected Request: Host not allowed",
            OriginRejection::InvalidOrigin => "Forbidden: Origin not allowed",
        };
        HttpResponse::refusal(self.status(), message)
    }
}

impl OriginPolicy {
    /// Loopback hosts with any port; `http`/`https` origins on those hosts.
    pub fn loopback() -> Self {
        let mut policy = OriginPolicy {
            hosts: Allow::List(Vec::new()),
            origins: Allow::List(Vec::new()),
        };
        for host in LOOPBACK_HOSTS {
            policy = policy
                .with_host(host)
                .with_origin(&alloc::format!("http://{host}"))
                .with_origin(&alloc::format!("https://{host}"));
        }
        policy
    }

    /// Allows nothing: add every host and origin explicitly.
    pub fn empty() -> Self {
        OriginPolicy {
            hosts: Allow::List(Vec::new()),
            origins: Allow::List(Vec::new()),
        }
    }

    /// Checks nothing (for servers behind a proxy that enforces its own policy).
    pub fn allow_all() -> Self {
        OriginPolicy {
            hosts: Allow::Any,
            origins: Allow::Any,
        }
    }

    /// Also allows `Host: host` (`"example.com"` for any port, `"example.com:8443"` for
    /// one port, `"[::1]"` for an IPv6 literal).
    pub fn with_host(mut self, host: &str) -> Self {
        if let Some(pattern) = HostPattern::parse(host) {
            self.hosts.push(pattern);
        }
        self
    }

    /// Also allows `Origin: origin` (`"https://app.example.com"` for any port,
    /// `"https://app.example.com:8443"` for one port).
    pub fn with_origin(mut self, origin: &str) -> Self {
        if let Some(pattern) = OriginPattern::parse(origin) {
            self.origins.push(pattern);
        }
        self
    }

    /// Stops checking `Host`.
    pub fn allow_any_host(mut self) -> Self {
        self.hosts = Allow::Any;
        self
    }

    /// Stops checking `Origin`.
    pub fn allow_any_origin(mut self) -> Self {
        self.origins = Allow::Any;
        self
    }

    /// Checks `Host` (first) and `Origin` of `head`.
    pub fn check(&self, head: &RequestHead<'_>) -> Result<(), OriginRejection> {
        self.check_host(head.header("host"))?;
        self.check_origin(head.header("origin"))
    }

    /// Checks a `Host` value (`None`: the header is absent).
    pub fn check_host(&self, host: Option<&[u8]>) -> Result<(), OriginRejection> {
        let Allow::List(patterns) = &self.hosts else {
            return Ok(());
        };
        let host = host.ok_or(OriginRejection::MissingHost)?;
        let (name, port) = core::str::from_utf8(host)
            .ok()
            .and_then(split_authority)
            .ok_or(OriginRejection::InvalidHost)?;
        if patterns.iter().any(|pattern| pattern.matches(name, port)) {
            Ok(())
        } else {
            Err(OriginRejection::InvalidHost)
        }
    }

    /// Checks an `Origin` value (`None`: the header is absent, which passes).
    pub fn check_origin(&self, origin: Option<&[u8]>) -> Result<(), OriginRejection> {
        let Allow::List(patterns) = &self.origins else {
            return Ok(());
        };
        let Some(origin) = origin else {
            return Ok(());
        };
        let (scheme, authority) = core::str::from_utf8(origin)
            .ok()
            .and_then(split_origin)
            .ok_or(OriginRejection::InvalidOrigin)?;
        let (name, port) = split_authority(authority).ok_or(OriginRejection::InvalidOrigin)?;
        if patterns.iter().any(|pattern| {
            pattern.scheme.eq_ignore_ascii_case(scheme) && pattern.host.matches(name, port)
        }) {
            Ok(())
        } else {
            Err(OriginRejection::InvalidOrigin)
        }
    }
}

/// Splits a serialized origin (`scheme://authority`, no path) into its parts.
fn split_origin(origin: &str) -> Option<(&str, &str)> {
    let (scheme, authority) = origin.split_once("://")?;
    let scheme_ok = scheme
        .bytes()
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic())
        && scheme
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'));
    (scheme_ok && !authority.contains('/')).then_some((scheme, authority))
}

/// Splits `host[:port]` (RFC 9110 §7.2); IPv6 literals keep their brackets. `None` for
/// anything else, including user info and bare IPv6 addresses.
fn split_authority(authority: &str) -> Option<(&str, Option<u16>)> {
    let (host, port) = if authority.starts_with('[') {
        let close = authority.find(']')?;
        let (host, rest) = authority.split_at(close + 1);
        let inner = host.get(1..host.len() - 1)?;
        let inner_ok = !inner.is_empty()
            && inner
                .bytes()
                .all(|b| b.is_ascii_hexdigit() || matches!(b, b':' | b'.'));
        if !inner_ok {
            return None;
        }
        match rest {
            "" => (host, None),
            _ => (host, Some(rest.strip_prefix(':')?)),
        }
    } else {
        match authority.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        }
    };
    if !host.starts_with('[') {
        let name_ok = !host.is_empty()
            && host
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'~'));
        if !name_ok {
            return None;
        }
    }
    let port = match port {
        // `host:` with an empty port is the same as no port (RFC 3986 §3.2.3).
        None | Some("") => None,
        Some(digits) if digits.bytes().all(|b| b.is_ascii_digit()) => Some(digits.parse().ok()?),
        Some(_) => return None,
    };
    Some((host, port))
}
