//! The client's response cache, driven by the 2026-07-28 caching hints.
//!
//! A 2026-07-28 server puts two hints on the complete results of the six cacheable
//! methods (`server/discover`, `tools/list`, `prompts/list`, `resources/list`,
//! `resources/templates/list` and `resources/read`): `ttlMs`, how long the result stays
//! fresh, and `cacheScope`, who may reuse it. [`ResponseCache`] keeps such results so a
//! client can answer a repeated request locally instead of asking the server again. It is
//! Sans-IO like the rest of the crate: it never reads a clock, every call that needs the
//! time takes `now`, and everything it does is deterministic.
//!
//! ## Freshness
//!
//! `ttlMs` counts from the moment the client *received* the response (the `now` passed to
//! [`ResponseCache::store`]). An entry received at `r` with `ttlMs = t` is fresh while
//! `now < r + t` and stale from `r + t` on ([`CachedResponse::expires`] is `r + t`).
//! A result whose `ttlMs` is absent, `0`, negative, or not an integer is immediately
//! stale, so it is not stored at all; neither is an `InputRequiredResult`
//! (`"resultType":"input_required"`) or any other non-complete result. Legacy
//! (2025-11-25) results carry no hints and are therefore never cached.
//!
//! ## Keys
//!
//! A [`CacheKey`] is the method plus the one parameter that selects the result: the
//! `uri` of `resources/read`, the `cursor` of a list page (a request without a cursor is
//! its own key, the first page), nothing for `server/discover`. Parameters are compared
//! after decoding, so two requests whose params differ only in JSON formatting share a
//! key. Each list page is cached on its own. Requests that retry a multi-round-trip
//! request (params carrying `inputResponses` or `requestState`) get no key: their results
//! answer one exchange and are never cached.
//!
//! ## Invalidation
//!
//! A change notification drops the entries it makes obsolete, fresh or not, through
//! [`ResponseCache::invalidate`]:
//!
//! | notification                            | drops                                         |
//! |-----------------------------------------|-----------------------------------------------|
//! | `notifications/tools/list_changed`      | every `tools/list` page                       |
//! | `notifications/prompts/list_changed`    | every `prompts/list` page                     |
//! | `notifications/resources/list_changed`  | every `resources/list` and `resources/templates/list` page |
//! | `notifications/resources/updated {uri}` | the `resources/read` of `uri`, and of every uri under it |
//!
//! "Under it" means the notified uri followed by `/`, `?` or `#` (or the notified uri
//! already ending in one of those): `file:///a` drops `file:///a`, `file:///a/b`,
//! `file:///a?v=2` and `file:///a#top`, but not `file:///ab`. `server/discover` results
//! are invalidated by none of these; they only expire.
//!
//! ## Bounds and eviction
//!
//! [`CacheLimits`] bounds both the number of entries and the total length of the stored
//! result JSON text; neither bound is ever exceeded. A result longer than
//! [`CacheLimits::max_bytes`] is not stored. When storing would exceed a bound, the cache
//! first drops every expired entry, then evicts entries in order of earliest expiry (ties:
//! oldest received, then key order) until the new one fits.
//!
//! ## Scope
//!
//! `cacheScope: "private"` results may only be reused within the same authorization
//! context. A `ResponseCache` belongs to one client connection, which is one context, so
//! it keeps private entries next to public ones. **It does not key by principal**: a
//! cache shared across users or credentials must key private entries by principal (or
//! refuse them), which this type does not do. An absent `cacheScope` is treated as
//! private.
//!
//! ## Example
//!
//! ```
//! use mcp_proto::client::cache::{CacheKey, CacheLimits, ResponseCache};
//! use mcp_proto::jsonrpc::{Message, Outcome, decode};
//! use mcp_proto::time::Timestamp;
//!
//! // The request the client is about to send, and its key.
//! let Message::Request(request) = decode(
//!     br#"{"jsonrpc":"2.0","id":1,"method":"resources/read","params":{"uri":"file:///notes"}}"#,
//! )? else { unreachable!() };
//! let key = CacheKey::for_request(&request.method, request.params.as_ref()).unwrap();
//!
//! // Nothing cached yet: send it. The response arrives at t = 1 s.
//! let mut cache = ResponseCache::new(CacheLimits::default());
//! let received = Timestamp::from_millis(1_000);
//! assert!(cache.lookup(received, &key).is_none());
//! let Message::Response(response) = decode(
//!     br#"{"jsonrpc":"2.0","id":1,"result":{"resultType":"complete",
//!         "contents":[{"uri":"file:///notes","text":"hi"}],"ttlMs":60000,"cacheScope":"private"}}"#,
//! )? else { unreachable!() };
//! let Outcome::Result(body) = response.outcome else { unreachable!() };
//! assert!(cache.store(received, key.clone(), &body));
//!
//! // Fresh for 60 s after it was received; the cached body is the one received.
//! let hit = cache.lookup(Timestamp::from_millis(60_999), &key).unwrap();
//! assert_eq!(hit.result(), &body);
//! assert!(cache.lookup(Timestamp::from_millis(61_000), &key).is_none());
//!
//! // A change notification drops the entry at once.
//! assert!(cache.store(received, key.clone(), &body));
//! let Message::Notification(notification) = decode(
//!     br#"{"jsonrpc":"2.0","method":"notifications/resources/updated","params":{"uri":"file:///notes"}}"#,
//! )? else { unreachable!() };
//! assert_eq!(cache.invalidate(&notification.method, notification.params.as_ref()), 1);
//! assert!(cache.is_empty());
//! # Ok::<(), mcp_proto::jsonrpc::DecodeError>(())
//! ```

use alloc::boxed::Box;
use alloc::collections::{BTreeMap, BTreeSet};
use alloc::string::String;
use alloc::vec::Vec;
use core::time::Duration;
use serde::Deserialize;
use serde::de::IgnoredAny;

use crate::jsonrpc::{Params, ResultBody};
use crate::time::Timestamp;
use crate::types::{CacheScope, Method, ResultType, covers_uri};

/// What a cached result is filed under: the method and the one parameter that selects it.
///
/// Built only by [`CacheKey::for_request`], so a key always names one of the six
/// cacheable methods, and a result is never served for another method or parameter.
/// Keys order by method, then parameter.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CacheKey {
    method: Method,
    /// The `uri` of `resources/read`, the `cursor` of a list page, `None` otherwise.
    param: Option<Box<str>>,
}

/// Retry markers shared by every cacheable request; their presence (even as `null`)
/// makes the request an MRTR retry.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DiscoverKeyParams {
    #[serde(default, deserialize_with = "crate::types::wire::present")]
    input_responses: Option<IgnoredAny>,
    #[serde(default, deserialize_with = "crate::types::wire::present")]
    request_state: Option<IgnoredAny>,
}

/// The key-relevant part of a list request's params.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PageKeyParams {
    #[serde(default, deserialize_with = "crate::types::wire::present")]
    cursor: Option<String>,
    #[serde(default, deserialize_with = "crate::types::wire::present")]
    input_responses: Option<IgnoredAny>,
    #[serde(default, deserialize_with = "crate::types::wire::present")]
    request_state: Option<IgnoredAny>,
}

/// The key-relevant part of a `resources/read` request's params.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ReadKeyParams {
    uri: String,
    #[serde(default, deserialize_with = "crate::types::wire::present")]
    input_responses: Option<IgnoredAny>,
    #[serde(default, deserialize_with = "crate::types::wire::present")]
    request_state: Option<IgnoredAny>,
}

/// The `uri` of `notifications/resources/updated`.
#[derive(Deserialize)]
struct UpdatedParams {
    uri: String,
}

/// The caching hints of a result; every other member is ignored.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Hints {
    #[serde(default, deserialize_with = "crate::types::wire::present")]
    ttl_ms: Option<serde_json::Number>,
    #[serde(default, deserialize_with = "crate::types::wire::present")]
    cache_scope: Option<CacheScope>,
}

/// Decodes `params` (absent params read as `{}`) into `T`, or `None` when malformed.
fn decode_params<T: for<'de> Deserialize<'de>>(params: Option<&Params>) -> Option<T> {
    match params {
        Some(params) => params.decode().ok(),
        None => serde_json::from_str("{}").ok(),
    }
}

impl CacheKey {
    /// Key for a request, or `None` when the request must not be cached (not a cacheable
    /// method, an MRTR retry carrying `inputResponses` or `requestState`, malformed
    /// params).
    ///
    /// The key holds the decoded `uri` of `resources/read` or `cursor` of a list page, so
    /// differently formatted params that mean the same request share a key.
    pub fn for_request(method: &str, params: Option<&Params>) -> Option<CacheKey> {
        let method = Method::parse(method).filter(|method| method.is_cacheable())?;
        let param = match method {
            Method::ResourcesRead => {
                let read: ReadKeyParams = decode_params(params)?;
                if read.input_responses.is_some() || read.request_state.is_some() {
                    return None;
                }
                Some(read.uri.into_boxed_str())
            }
            Method::ServerDiscover => {
                let discover: DiscoverKeyParams = decode_params(params)?;
                if discover.input_responses.is_some() || discover.request_state.is_some() {
                    return None;
                }
                None
            }
            _ => {
                let page: PageKeyParams = decode_params(params)?;
                if page.input_responses.is_some() || page.request_state.is_some() {
                    return None;
                }
                page.cursor.map(String::into_boxed_str)
            }
        };
        Some(CacheKey { method, param })
    }

    /// The request method this key caches, always one for which
    /// [`Method::is_cacheable`] holds.
    pub fn method(&self) -> Method {
        self.method
    }

    /// The `uri` of a `resources/read` key; `None` for every other method.
    pub fn uri(&self) -> Option<&str> {
        match self.method {
            Method::ResourcesRead => self.param.as_deref(),
            _ => None,
        }
    }

    /// The `cursor` of a list-page key; `None` for the first page and for the methods
    /// that are not paginated.
    pub fn cursor(&self) -> Option<&str> {
        match self.method {
            Method::ResourcesRead | Method::ServerDiscover => None,
            _ => self.param.as_deref(),
        }
    }

    /// The smallest key of `method`, where a range over all its keys starts.
    fn first_of(method: Method) -> CacheKey {
        CacheKey {
            method,
            param: None,
        }
    }
}

/// How much a [`ResponseCache`] may hold; neither bound is ever exceeded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CacheLimits {
    /// The most entries kept at once.
    pub max_entries: usize,
    /// The most result JSON text kept at once, in bytes, summed over all entries.
    pub max_bytes: usize,
}

impl Default for CacheLimits {
    /// 256 entries and 8 MiB of result JSON text: room for every page of a large
    /// server's lists and a working set of resources, without unbounded growth.
    fn default() -> Self {
        CacheLimits {
            max_entries: 256,
            max_bytes: 8 * 1024 * 1024,
        }
    }
}

/// One cached result with its hints, as [`ResponseCache::lookup`] returns it.
#[derive(Clone, Debug, PartialEq)]
pub struct CachedResponse {
    result: ResultBody,
    scope: CacheScope,
    received: Timestamp,
    expires: Timestamp,
}

impl CachedResponse {
    /// The result exactly as received, to hand back as if it had just arrived.
    pub fn result(&self) -> &ResultBody {
        &self.result
    }

    /// Who may reuse the result (`cacheScope`; private when the server sent none).
    pub fn scope(&self) -> CacheScope {
        self.scope
    }

    /// When the client received the result, the start of its freshness lifetime.
    pub fn received(&self) -> Timestamp {
        self.received
    }

    /// When the result turns stale: `received + ttlMs`. Fresh while `now < expires`.
    pub fn expires(&self) -> Timestamp {
        self.expires
    }

    /// True while the result may still be served at `now`.
    pub fn is_fresh(&self, now: Timestamp) -> bool {
        now < self.expires
    }

    /// How many bytes of JSON text the result accounts for against
    /// [`CacheLimits::max_bytes`].
    fn size(&self) -> usize {
        self.result.raw().get().len()
    }

    /// Where the entry sits in eviction order.
    fn order_key(&self, key: CacheKey) -> (Timestamp, Timestamp, CacheKey) {
        (self.expires, self.received, key)
    }
}

/// The response cache of one client connection, driven by `ttlMs`/`cacheScope` hints.
///
/// See the [module documentation](self) for the freshness, key, invalidation and
/// eviction rules. Private entries are kept because one connection is one authorization
/// context; a cache shared across principals must key by principal, which this type does
/// not do.
#[derive(Clone, Debug)]
pub struct ResponseCache {
    limits: CacheLimits,
    entries: BTreeMap<CacheKey, CachedResponse>,
    /// Every entry as (expires, received, key): the eviction order, expired ones first.
    order: BTreeSet<(Timestamp, Timestamp, CacheKey)>,
    /// Sum of [`CachedResponse::size`] over `entries`.
    bytes: usize,
}

impl Default for ResponseCache {
    /// An empty cache with [`CacheLimits::default`].
    fn default() -> Self {
        ResponseCache::new(CacheLimits::default())
    }
}

impl ResponseCache {
    /// An empty cache that will never hold more than `limits` allow.
    pub fn new(limits: CacheLimits) -> Self {
        ResponseCache {
            limits,
            entries: BTreeMap::new(),
            order: BTreeSet::new(),
            bytes: 0,
        }
    }

    /// The bounds this cache keeps.
    pub fn limits(&self) -> CacheLimits {
        self.limits
    }

    /// A fresh entry for the key, if any (stale entries are removed when met).
    pub fn lookup(&mut self, now: Timestamp, key: &CacheKey) -> Option<&CachedResponse> {
        let fresh = self.entries.get(key)?.is_fresh(now);
        if !fresh {
            self.remove(key);
            return None;
        }
        self.entries.get(key)
    }

    /// Store a result received at `now` under its hints; returns whether it was stored.
    ///
    /// Not stored: a non-complete `resultType` (such as `input_required`) or a malformed
    /// one, a `ttlMs` that is absent, `0`, negative or not an integer, a `cacheScope` that
    /// is neither `"public"` nor `"private"`, a result longer than
    /// [`CacheLimits::max_bytes`], or any result when `max_entries` is 0. Whether stored or
    /// not, the newer response supersedes any entry already under `key`, which is
    /// removed. Making room may evict other entries (see the module documentation).
    pub fn store(&mut self, now: Timestamp, key: CacheKey, result: &ResultBody) -> bool {
        self.remove(&key);
        if result.result_type_is_malformed()
            || result.effective_result_type() != ResultType::Complete
        {
            return false;
        }
        let Some((ttl_ms, scope)) = read_hints(result) else {
            return false;
        };
        let expires = now.saturating_add(Duration::from_millis(ttl_ms));
        if expires <= now {
            return false;
        }
        let entry = CachedResponse {
            result: result.clone(),
            scope,
            received: now,
            expires,
        };
        let size = entry.size();
        if size > self.limits.max_bytes || self.limits.max_entries == 0 {
            return false;
        }
        if !self.fits(size) {
            self.purge_expired(now);
            while !self.fits(size) {
                let Some((_, _, victim)) = self.order.pop_first() else {
                    return false;
                };
                self.take(&victim);
            }
        }
        self.order.insert(entry.order_key(key.clone()));
        self.bytes = self.bytes.saturating_add(size);
        self.entries.insert(key, entry);
        true
    }

    /// Apply a server notification (method name + params) and drop every entry it
    /// invalidates; returns how many were dropped.
    ///
    /// `notifications/resources/updated` with unreadable params drops every
    /// `resources/read` entry, since some resource changed but not which. Notifications
    /// with no bearing on cached results drop nothing.
    pub fn invalidate(&mut self, method: &str, params: Option<&Params>) -> usize {
        match Method::parse(method) {
            Some(Method::NotificationsToolsListChanged) => self.drop_method(Method::ToolsList),
            Some(Method::NotificationsPromptsListChanged) => self.drop_method(Method::PromptsList),
            Some(Method::NotificationsResourcesListChanged) => self
                .drop_method(Method::ResourcesList)
                .saturating_add(self.drop_method(Method::ResourcesTemplatesList)),
            Some(Method::NotificationsResourcesUpdated) => {
                match decode_params::<UpdatedParams>(params) {
                    Some(updated) => self.drop_uri(&updated.uri),
                    None => self.drop_method(Method::ResourcesRead),
                }
            }
            _ => 0,
        }
    }

    /// Drops the entry under `key`; returns whether there was one.
    pub fn remove(&mut self, key: &CacheKey) -> bool {
        match self.entries.get(key) {
            Some(entry) => {
                let order_key = entry.order_key(key.clone());
                self.order.remove(&order_key);
                self.take(key);
                true
            }
            None => false,
        }
    }

    /// Drops every entry that is stale at `now`; returns how many were dropped.
    pub fn purge_expired(&mut self, now: Timestamp) -> usize {
        let mut dropped = 0usize;
        while let Some((expires, _, _)) = self.order.first() {
            if *expires > now {
                break;
            }
            if let Some((_, _, key)) = self.order.pop_first() {
                self.take(&key);
                dropped = dropped.saturating_add(1);
            }
        }
        dropped
    }

    /// Drops every entry.
    pub fn clear(&mut self) {
        self.entries.clear();
        self.order.clear();
        self.bytes = 0;
    }

    /// How many entries are held, stale ones not yet met included.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when no entry is held.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The total length of the held result JSON text, in bytes.
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// True when one more entry of `size` bytes stays within both bounds.
    fn fits(&self, size: usize) -> bool {
        self.entries.len() < self.limits.max_entries
            && self.bytes.saturating_add(size) <= self.limits.max_bytes
    }

    /// Removes `key` from `entries` and the byte count; the caller keeps `order` in step.
    fn take(&mut self, key: &CacheKey) {
        if let Some(entry) = self.entries.remove(key) {
            self.bytes = self.bytes.saturating_sub(entry.size());
        }
    }

    /// Removes every key that `doomed` accepts among those of `method` starting at
    /// `start` while `within` holds; returns how many were removed.
    fn drop_range(
        &mut self,
        start: CacheKey,
        within: impl Fn(&CacheKey) -> bool,
        doomed: impl Fn(&CacheKey) -> bool,
    ) -> usize {
        let keys: Vec<CacheKey> = self
            .entries
            .range(start..)
            .map(|(key, _)| key)
            .take_while(|key| within(key))
            .filter(|key| doomed(key))
            .cloned()
            .collect();
        for key in &keys {
            self.remove(key);
        }
        keys.len()
    }

    /// Drops every entry of `method`.
    fn drop_method(&mut self, method: Method) -> usize {
        self.drop_range(
            CacheKey::first_of(method),
            |key| key.method == method,
            |_| true,
        )
    }

    /// Drops the `resources/read` entries of `uri` and of every uri under it.
    fn drop_uri(&mut self, uri: &str) -> usize {
        // Keys of one method order by uri, and the uris that start with `uri` come
        // together right from `uri` itself.
        let start = CacheKey {
            method: Method::ResourcesRead,
            param: Some(uri.into()),
        };
        self.drop_range(
            start,
            |key| {
                key.method == Method::ResourcesRead
                    && key.uri().is_some_and(|cached| cached.starts_with(uri))
            },
            |key| key.uri().is_some_and(|cached| covers_uri(uri, cached)),
        )
    }
}

/// The `ttlMs` (in milliseconds, non-zero) and scope of a result worth storing, or `None`
/// when the hints say not to store it or cannot be read.
fn read_hints(result: &ResultBody) -> Option<(u64, CacheScope)> {
    let hints: Hints = result.decode().ok()?;
    // Negative and absent mean 0, which is not worth storing; a fraction is malformed.
    let ttl_ms = hints.ttl_ms?.as_u64().filter(|ttl| *ttl > 0)?;
    Some((ttl_ms, hints.cache_scope.unwrap_or(CacheScope::Private)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jsonrpc::{Message, Outcome, decode};
    use alloc::format;
    use proptest::prelude::*;

    fn params(text: &str) -> Params {
        let line = format!(r#"{{"jsonrpc":"2.0","id":1,"method":"m","params":{text}}}"#);
        match decode(line.as_bytes()).unwrap() {
            Message::Request(request) => request.params.unwrap(),
            other => panic!("not a request: {other:?}"),
        }
    }

    fn key(method: &str, text: Option<&str>) -> Option<CacheKey> {
        let params = text.map(params);
        CacheKey::for_request(method, params.as_ref())
    }

    fn list_key(method: &str, cursor: Option<&str>) -> CacheKey {
        match cursor {
            Some(cursor) => key(method, Some(&format!(r#"{{"cursor":"{cursor}"}}"#))),
            None => key(method, None),
        }
        .unwrap()
    }

    fn read_key(uri: &str) -> CacheKey {
        key("resources/read", Some(&format!(r#"{{"uri":"{uri}"}}"#))).unwrap()
    }

    fn body(text: &str) -> ResultBody {
        let line = format!(r#"{{"jsonrpc":"2.0","id":1,"result":{text}}}"#);
        match decode(line.as_bytes()).unwrap() {
            Message::Response(response) => match response.outcome {
                Outcome::Result(body) => body,
                Outcome::Error(error) => panic!("error: {error:?}"),
            },
            other => panic!("not a response: {other:?}"),
        }
    }

    fn hinted(ttl: &str) -> ResultBody {
        body(&format!(
            r#"{{"resultType":"complete","tools":[],"ttlMs":{ttl},"cacheScope":"public"}}"#
        ))
    }

    fn at(millis: u64) -> Timestamp {
        Timestamp::from_millis(millis)
    }

    fn notify(cache: &mut ResponseCache, method: &str, text: Option<&str>) -> usize {
        let params = text.map(params);
        cache.invalidate(method, params.as_ref())
    }

    #[test]
    fn store_then_fresh_hit_returns_the_body_as_received() {
        let mut cache = ResponseCache::default();
        let key = list_key("tools/list", None);
        let result = body(
            r#"{"resultType":"complete","tools":[{"name":"t","inputSchema":{"type":"object"}}],"ttlMs":1000,"cacheScope":"private"}"#,
        );
        assert!(cache.lookup(at(0), &key).is_none());
        assert!(cache.store(at(100), key.clone(), &result));
        assert_eq!((cache.len(), cache.bytes()), (1, result.raw().get().len()));
        let hit = cache.lookup(at(500), &key).unwrap();
        assert_eq!(hit.result(), &result);
        assert_eq!(hit.result().raw().get(), result.raw().get());
        assert_eq!(hit.scope(), CacheScope::Private);
        assert_eq!((hit.received(), hit.expires()), (at(100), at(1100)));
        assert!(hit.is_fresh(at(1099)));
    }

    #[test]
    fn stale_at_exactly_received_plus_ttl() {
        let mut cache = ResponseCache::default();
        let key = list_key("prompts/list", None);
        assert!(cache.store(at(1_000), key.clone(), &hinted("250")));
        assert!(cache.lookup(at(1_249), &key).is_some());
        assert!(
            cache
                .lookup(Timestamp::from_nanos(1_249_999_999), &key)
                .is_some()
        );
        assert!(cache.lookup(at(1_250), &key).is_none());
        // The stale entry was removed when met.
        assert!(cache.is_empty());
        assert_eq!(cache.bytes(), 0);
    }

    #[test]
    fn unusable_ttls_are_not_stored() {
        let mut cache = ResponseCache::default();
        let key = list_key("tools/list", None);
        for ttl in ["0", "-5", "1.5", "1e3", r#""100""#, "null", "{}", "true"] {
            assert!(
                !cache.store(at(0), key.clone(), &hinted(ttl)),
                "ttlMs {ttl}"
            );
        }
        let absent = body(r#"{"resultType":"complete","tools":[],"cacheScope":"public"}"#);
        assert!(!cache.store(at(0), key.clone(), &absent));
        let legacy = body(r#"{"tools":[]}"#);
        assert!(!cache.store(at(0), key.clone(), &legacy));
        assert!(cache.is_empty());
    }

    #[test]
    fn malformed_or_missing_scope() {
        let mut cache = ResponseCache::default();
        let key = list_key("tools/list", None);
        let bad = body(r#"{"resultType":"complete","tools":[],"ttlMs":10,"cacheScope":"shared"}"#);
        assert!(!cache.store(at(0), key.clone(), &bad));
        let null = body(r#"{"resultType":"complete","tools":[],"ttlMs":10,"cacheScope":null}"#);
        assert!(!cache.store(at(0), key.clone(), &null));
        let absent = body(r#"{"resultType":"complete","tools":[],"ttlMs":10}"#);
        assert!(cache.store(at(0), key.clone(), &absent));
        assert_eq!(
            cache.lookup(at(1), &key).unwrap().scope(),
            CacheScope::Private
        );
        // An absent resultType reads as complete.
        let untyped = body(r#"{"tools":[],"ttlMs":10,"cacheScope":"public"}"#);
        assert!(cache.store(at(0), key.clone(), &untyped));
        assert_eq!(
            cache.lookup(at(1), &key).unwrap().scope(),
            CacheScope::Public
        );
    }

    #[test]
    fn non_complete_results_are_not_stored() {
        let mut cache = ResponseCache::default();
        let key = read_key("file:///a");
        let input_required = body(
            r#"{"resultType":"input_required","inputRequests":{},"requestState":"s","ttlMs":1000,"cacheScope":"public"}"#,
        );
        assert!(!cache.store(at(0), key.clone(), &input_required));
        let task = body(r#"{"resultType":"task","ttlMs":1000,"cacheScope":"public"}"#);
        assert!(!cache.store(at(0), key.clone(), &task));
        let malformed =
            body(r#"{"resultType":7,"contents":[],"ttlMs":1000,"cacheScope":"public"}"#);
        assert!(!cache.store(at(0), key.clone(), &malformed));
        assert!(cache.is_empty());
    }

    #[test]
    fn a_new_response_supersedes_the_old_entry() {
        let mut cache = ResponseCache::default();
        let key = list_key("tools/list", None);
        assert!(cache.store(at(0), key.clone(), &hinted("1000")));
        assert!(!cache.store(at(10), key.clone(), &hinted("0")));
        assert!(cache.lookup(at(20), &key).is_none());
        assert!(cache.store(at(30), key.clone(), &hinted("1000")));
        assert!(cache.store(at(40), key.clone(), &hinted("5")));
        assert_eq!(cache.len(), 1);
        assert_eq!(cache.lookup(at(41), &key).unwrap().expires(), at(45));
        assert!(cache.remove(&key));
        assert!(!cache.remove(&key));
        assert_eq!(cache.bytes(), 0);
    }

    #[test]
    fn mrtr_retries_get_no_key() {
        for (method, text) in [
            (
                "resources/read",
                r#"{"uri":"file:///a","inputResponses":{}}"#,
            ),
            (
                "resources/read",
                r#"{"uri":"file:///a","requestState":"opaque"}"#,
            ),
            (
                "resources/read",
                r#"{"uri":"file:///a","requestState":null}"#,
            ),
            (
                "tools/list",
                r#"{"inputResponses":{"k":{"action":"cancel"}}}"#,
            ),
            ("prompts/list", r#"{"cursor":"c","requestState":"s"}"#),
            ("server/discover", r#"{"requestState":"s"}"#),
        ] {
            assert_eq!(key(method, Some(text)), None, "{method} {text}");
        }
    }

    #[test]
    fn only_cacheable_methods_with_sound_params_get_a_key() {
        for method in [
            "tools/call",
            "prompts/get",
            "ping",
            "initialize",
            "resources/subscribe",
            "notifications/tools/list_changed",
            "x/custom",
            "Tools/List",
        ] {
            assert_eq!(key(method, None), None, "{method}");
            assert_eq!(
                key(method, Some(r#"{"uri":"file:///a"}"#)),
                None,
                "{method}"
            );
        }
        // Malformed params.
        assert_eq!(key("resources/read", None), None);
        assert_eq!(key("resources/read", Some("{}")), None);
        assert_eq!(key("resources/read", Some(r#"{"uri":5}"#)), None);
        assert_eq!(key("tools/list", Some(r#"{"cursor":5}"#)), None);
        assert_eq!(key("tools/list", Some(r#"{"cursor":null}"#)), None);
        // Every cacheable method gets one.
        let discover = key("server/discover", None).unwrap();
        assert_eq!(discover.method(), Method::ServerDiscover);
        assert_eq!((discover.uri(), discover.cursor()), (None, None));
        for method in [
            "tools/list",
            "prompts/list",
            "resources/list",
            "resources/templates/list",
        ] {
            let page = list_key(method, Some("c2"));
            assert_eq!(page.method().as_str(), method);
            assert_eq!((page.cursor(), page.uri()), (Some("c2"), None));
        }
        let read = read_key("file:///a");
        assert_eq!((read.uri(), read.cursor()), (Some("file:///a"), None));
    }

    #[test]
    fn keys_follow_the_salient_parameter() {
        assert_ne!(
            list_key("tools/list", None),
            list_key("tools/list", Some("c"))
        );
        assert_ne!(
            list_key("tools/list", Some("c1")),
            list_key("tools/list", Some("c2"))
        );
        assert_ne!(list_key("tools/list", None), list_key("prompts/list", None));
        assert_ne!(read_key("file:///a"), read_key("file:///b"));
        // Absent params and `{}` are the same first page; `_meta` and unknown members
        // do not matter.
        assert_eq!(key("tools/list", Some("{}")), key("tools/list", None));
        assert_eq!(
            key(
                "tools/list",
                Some(r#"{"_meta":{"progressToken":1},"cursor":"c"}"#)
            ),
            Some(list_key("tools/list", Some("c")))
        );
        // Differently formatted JSON of the same uri.
        assert_eq!(
            key(
                "resources/read",
                Some(r#"{ "_meta" : {}, "uri" : "file:\/\/\/\u0061" }"#)
            ),
            Some(read_key("file:///a"))
        );

        let mut cache = ResponseCache::default();
        assert!(cache.store(at(0), list_key("tools/list", Some("c1")), &hinted("100")));
        assert!(
            cache
                .lookup(at(1), &list_key("tools/list", Some("c2")))
                .is_none()
        );
        assert!(cache.lookup(at(1), &list_key("tools/list", None)).is_none());
        assert!(
            cache
                .lookup(at(1), &list_key("prompts/list", Some("c1")))
                .is_none()
        );
        assert!(
            cache
                .lookup(at(1), &list_key("tools/list", Some("c1")))
                .is_some()
        );
    }

    /// A cache holding one entry for each cacheable method, plus extra read uris.
    fn populated(uris: &[&str]) -> ResponseCache {
        let mut cache = ResponseCache::default();
        let result = hinted("10000");
        for method in [
            "tools/list",
            "prompts/list",
            "resources/list",
            "resources/templates/list",
        ] {
            assert!(cache.store(at(0), list_key(method, None), &result));
            assert!(cache.store(at(0), list_key(method, Some("p2")), &result));
        }
        assert!(cache.store(at(0), key("server/discover", None).unwrap(), &result));
        for uri in uris {
            assert!(cache.store(at(0), read_key(uri), &result));
        }
        cache
    }

    fn methods_left(cache: &ResponseCache) -> Vec<Method> {
        cache.entries.keys().map(CacheKey::method).collect()
    }

    #[test]
    fn list_changed_notifications_drop_their_lists() {
        let mut cache = populated(&["file:///a"]);
        assert_eq!(
            notify(&mut cache, "notifications/tools/list_changed", None),
            2
        );
        assert!(!methods_left(&cache).contains(&Method::ToolsList));
        assert_eq!(cache.len(), 8);

        assert_eq!(
            notify(&mut cache, "notifications/prompts/list_changed", Some("{}")),
            2
        );
        assert!(!methods_left(&cache).contains(&Method::PromptsList));

        assert_eq!(
            notify(&mut cache, "notifications/resources/list_changed", None),
            4
        );
        assert_eq!(
            methods_left(&cache),
            [Method::ServerDiscover, Method::ResourcesRead]
        );
        // Discover and reads stay; repeated notifications find nothing more.
        assert_eq!(
            notify(&mut cache, "notifications/tools/list_changed", None),
            0
        );
        assert_eq!(
            notify(
                &mut cache,
                "notifications/message",
                Some(r#"{"level":"info","data":1}"#)
            ),
            0
        );
        assert_eq!(notify(&mut cache, "tools/list", None), 0);
        assert_eq!(cache.len(), 2);
        assert!(
            cache
                .lookup(at(1), &key("server/discover", None).unwrap())
                .is_some()
        );
        // The byte count followed.
        assert_eq!(cache.bytes(), 2 * hinted("10000").raw().get().len());
    }

    #[test]
    fn resource_updated_drops_the_uri_and_those_under_it() {
        let uris = [
            "file:///a",
            "file:///a/b",
            "file:///a/b/c",
            "file:///a?v=2",
            "file:///a#top",
            "file:///ab",
            "file:///a.txt",
            "file:///",
            "file:///b",
        ];
        let mut cache = populated(&uris);
        let before = cache.len();
        let updated = r#"{"uri":"file:///a"}"#;
        assert_eq!(
            notify(&mut cache, "notifications/resources/updated", Some(updated)),
            5
        );
        assert_eq!(cache.len(), before - 5);
        for gone in [
            "file:///a",
            "file:///a/b",
            "file:///a/b/c",
            "file:///a?v=2",
            "file:///a#top",
        ] {
            assert!(cache.lookup(at(1), &read_key(gone)).is_none(), "{gone}");
        }
        for kept in ["file:///ab", "file:///a.txt", "file:///", "file:///b"] {
            assert!(cache.lookup(at(1), &read_key(kept)).is_some(), "{kept}");
        }
        // A sub-resource notification drops only itself and what is under it.
        let mut cache = populated(&uris);
        let sub = r#"{"uri":"file:///a/b","_meta":{}}"#;
        assert_eq!(
            notify(&mut cache, "notifications/resources/updated", Some(sub)),
            2
        );
        assert!(cache.lookup(at(1), &read_key("file:///a")).is_some());
        // No match: nothing dropped, lists untouched.
        let none = r#"{"uri":"file:///zzz"}"#;
        assert_eq!(
            notify(&mut cache, "notifications/resources/updated", Some(none)),
            0
        );
        // A notified uri ending in a separator covers what follows it.
        let dir = r#"{"uri":"file:///"}"#;
        assert_eq!(
            notify(&mut cache, "notifications/resources/updated", Some(dir)),
            uris.len() - 2
        );
        assert_eq!(cache.len(), 9);
        assert!(!methods_left(&cache).contains(&Method::ResourcesRead));
    }

    #[test]
    fn resource_updated_without_a_readable_uri_drops_every_read() {
        let mut cache = populated(&["file:///a", "https://x/y"]);
        assert_eq!(
            notify(&mut cache, "notifications/resources/updated", None),
            2
        );
        let mut cache = populated(&["file:///a", "https://x/y"]);
        assert_eq!(
            notify(
                &mut cache,
                "notifications/resources/updated",
                Some(r#"{"uri":1}"#)
            ),
            2
        );
        assert_eq!(cache.len(), 9);
    }

    fn sized(len: usize, ttl: u64) -> ResultBody {
        // `{"ttlMs":T,"cacheScope":"public","p":"xxx…"}` padded to exactly `len` bytes.
        let head = format!(r#"{{"ttlMs":{ttl},"cacheScope":"public","p":""#);
        let pad = len - head.len() - 2;
        let result = body(&format!("{head}{}\"}}", "x".repeat(pad)));
        assert_eq!(result.raw().get().len(), len);
        result
    }

    #[test]
    fn eviction_drops_expired_then_earliest_expiry() {
        let limits = CacheLimits {
            max_entries: 3,
            max_bytes: 1_000,
        };
        let mut cache = ResponseCache::new(limits);
        let [a, b, c, d, e] = ["a", "b", "c", "d", "e"].map(read_key);
        assert!(cache.store(at(0), a.clone(), &sized(100, 50)));
        assert!(cache.store(at(0), b.clone(), &sized(100, 500)));
        assert!(cache.store(at(10), c.clone(), &sized(100, 300)));
        // Full by count at t=100: `a` (expired at 50) goes, nothing else.
        assert!(cache.store(at(100), d.clone(), &sized(100, 1000)));
        assert_eq!(cache.len(), 3);
        assert!(!cache.entries.contains_key(&a));
        // Full again: earliest expiry is `c` (310), before `b` (500).
        assert!(cache.store(at(100), e.clone(), &sized(100, 1000)));
        assert!(!cache.entries.contains_key(&c));
        assert_eq!(
            cache.entries.keys().cloned().collect::<Vec<_>>(),
            [b.clone(), d.clone(), e.clone()]
        );
        // Full by count and bytes: 900 more bytes need `b` (expires 500) out, then one
        // of `d` and `e` (both expire at 1100, both received at 100): key order picks `d`.
        assert!(cache.store(at(100), a.clone(), &sized(900, 1000)));
        assert_eq!(
            cache.entries.keys().cloned().collect::<Vec<_>>(),
            [a.clone(), e.clone()]
        );
        assert_eq!(cache.bytes(), 1_000);
        // Too large for the cache at all: not stored, nothing evicted.
        assert!(!cache.store(at(100), b.clone(), &sized(1_001, 1000)));
        assert_eq!(cache.len(), 2);
        // Exactly max_bytes fits, evicting everything else.
        assert!(cache.store(at(100), b.clone(), &sized(1_000, 1000)));
        assert_eq!(cache.entries.keys().cloned().collect::<Vec<_>>(), [b]);
        assert_eq!(cache.bytes(), 1_000);

        let mut none = ResponseCache::new(CacheLimits {
            max_entries: 0,
            max_bytes: 1_000,
        });
        assert!(!none.store(at(0), d, &sized(100, 1000)));
        assert!(none.is_empty());
    }

    #[test]
    fn eviction_ties_break_on_received_then_key() {
        let limits = CacheLimits {
            max_entries: 2,
            max_bytes: 10_000,
        };
        let mut cache = ResponseCache::new(limits);
        // Same expiry (1000); `z` was received earlier, so it goes first.
        assert!(cache.store(at(100), read_key("a"), &sized(100, 900)));
        assert!(cache.store(at(0), read_key("z"), &sized(100, 1000)));
        assert!(cache.store(at(200), read_key("m"), &sized(100, 5000)));
        assert_eq!(
            cache.entries.keys().cloned().collect::<Vec<_>>(),
            [read_key("a"), read_key("m")]
        );
    }

    #[test]
    fn eviction_is_deterministic() {
        let run = || {
            let mut cache = ResponseCache::new(CacheLimits {
                max_entries: 4,
                max_bytes: 600,
            });
            let mut stored = Vec::new();
            for i in 0..40u64 {
                let k = read_key(&format!("r{}", (i * 7) % 11));
                let ok = cache.store(
                    at(i * 10),
                    k,
                    &sized(100 + (i as usize * 37) % 200, 50 + (i * 13) % 90),
                );
                stored.push(ok);
                assert!(cache.len() <= 4 && cache.bytes() <= 600);
            }
            (
                stored,
                cache.entries.clone(),
                cache.order.clone(),
                cache.bytes(),
            )
        };
        assert_eq!(run(), run());
    }

    #[test]
    fn purge_and_clear() {
        let mut cache = ResponseCache::default();
        assert!(cache.store(at(0), read_key("a"), &hinted("10")));
        assert!(cache.store(at(0), read_key("b"), &hinted("20")));
        assert!(cache.store(at(0), read_key("c"), &hinted("30")));
        assert_eq!(cache.purge_expired(at(20)), 2);
        assert_eq!(cache.len(), 1);
        cache.clear();
        assert!(cache.is_empty());
        assert_eq!(cache.bytes(), 0);
        assert_eq!(cache.limits(), CacheLimits::default());
    }

    #[derive(Clone, Debug)]
    enum Op {
        Store { key: u8, len: usize, ttl: i64 },
        Lookup { key: u8 },
        Invalidate { which: u8, uri: u8 },
        Advance { millis: u64 },
        Remove { key: u8 },
    }

    fn op_key(index: u8) -> CacheKey {
        match index % 8 {
            0 => list_key("tools/list", None),
            1 => list_key("tools/list", Some("p2")),
            2 => list_key("prompts/list", None),
            3 => list_key("resources/templates/list", None),
            4 => key("server/discover", None).unwrap(),
            n => read_key(&format!(
                "file:///{}",
                ["a", "a/b", "ab"][usize::from(n - 5)]
            )),
        }
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            (any::<u8>(), 50usize..400, -10i64..200).prop_map(|(key, len, ttl)| Op::Store {
                key,
                len,
                ttl
            }),
            any::<u8>().prop_map(|key| Op::Lookup { key }),
            (0u8..5, 0u8..3).prop_map(|(which, uri)| Op::Invalidate { which, uri }),
            (0u64..120).prop_map(|millis| Op::Advance { millis }),
            any::<u8>().prop_map(|key| Op::Remove { key }),
        ]
    }

    fn ttl_body(len: usize, ttl: i64) -> ResultBody {
        let head = format!(r#"{{"ttlMs":{ttl},"cacheScope":"private","p":""#);
        body(&format!(
            "{head}{}\"}}",
            "x".repeat(len.saturating_sub(head.len() + 2))
        ))
    }

    proptest! {
        #[test]
        fn bounds_and_freshness_hold(
            max_entries in 0usize..6,
            max_bytes in 0usize..1200,
            ops in proptest::collection::vec(op(), 0..80),
        ) {
            let mut cache = ResponseCache::new(CacheLimits { max_entries, max_bytes });
            let mut now = at(0);
            for op in ops {
                match op {
                    Op::Store { key, len, ttl } => {
                        let result = ttl_body(len, ttl);
                        let size = result.raw().get().len();
                        let stored = cache.store(now, op_key(key), &result);
                        prop_assert_eq!(stored, ttl > 0 && size <= max_bytes && max_entries > 0);
                        if stored {
                            let hit = cache.lookup(now, &op_key(key));
                            prop_assert!(hit.is_some());
                        }
                    }
                    Op::Lookup { key } => {
                        if let Some(hit) = cache.lookup(now, &op_key(key)) {
                            prop_assert!(hit.expires() > now);
                            prop_assert!(hit.received() <= now);
                        }
                    }
                    Op::Invalidate { which, uri } => {
                        let method = [
                            "notifications/tools/list_changed",
                            "notifications/prompts/list_changed",
                            "notifications/resources/list_changed",
                            "notifications/resources/updated",
                            "notifications/progress",
                        ][usize::from(which)];
                        let text = format!(r#"{{"uri":"file:///{}"}}"#, ["a", "a/b", "b"][usize::from(uri)]);
                        let before = cache.len();
                        let dropped = notify(&mut cache, method, Some(&text));
                        prop_assert_eq!(cache.len(), before - dropped);
                    }
                    Op::Advance { millis } => {
                        now = now.saturating_add(Duration::from_millis(millis));
                    }
                    Op::Remove { key } => {
                        cache.remove(&op_key(key));
                    }
                }
                prop_assert!(cache.len() <= max_entries);
                prop_assert!(cache.bytes() <= max_bytes);
                prop_assert_eq!(cache.order.len(), cache.len());
                prop_assert_eq!(
                    cache.bytes(),
                    cache.entries.values().map(CachedResponse::size).sum::<usize>()
                );
            }
        }
    }
}
