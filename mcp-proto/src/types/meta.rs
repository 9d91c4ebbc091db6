//! The `_meta` object and its reserved keys.
//!
//! `_meta` may appear on params, results, notifications and many nested objects. It is an
//! open map: unknown keys are kept and re-encoded unchanged. Keys under a prefix whose
//! second label is `modelcontextprotocol` or `mcp` are reserved for MCP; [`Meta`] has a
//! typed accessor for every reserved key either revision defines, and [`keys`] names them.

use alloc::borrow::Cow;
use alloc::string::String;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::json::{JsonObject, RawJson};
use crate::jsonrpc::scan::{Plain, object_members, walk};
use crate::types::capabilities::ClientCapabilities;
use crate::types::common::{Implementation, LoggingLevel, ProgressToken};

/// The reserved `_meta` keys of both revisions.
pub mod keys {
    /// Request `_meta`: opts in to progress notifications (both eras).
    pub const PROGRESS_TOKEN: &str = "progressToken";
    /// Request `_meta` (2026, required): the protocol version the request speaks.
    pub const PROTOCOL_VERSION: &str = "io.modelcontextprotocol/protocolVersion";
    /// Request `_meta` (2026, required): the client capabilities valid for this request.
    pub const CLIENT_CAPABILITIES: &str = "io.modelcontextprotocol/clientCapabilities";
    /// Request `_meta` (2026, optional): the client's identity.
    pub const CLIENT_INFO: &str = "io.modelcontextprotocol/clientInfo";
    /// Request `_meta` (2026, optional, deprecated): opt in to log messages at this level.
    pub const LOG_LEVEL: &str = "io.modelcontextprotocol/logLevel";
    /// Result `_meta` (2026): the server's identity.
    pub const SERVER_INFO: &str = "io.modelcontextprotocol/serverInfo";
    /// Notification and listen-result `_meta` (2026): the id of the listen request.
    pub const SUBSCRIPTION_ID: &str = "io.modelcontextprotocol/subscriptionId";
    /// 2025-11-25 experimental tasks: the task a message relates to (`{"taskId": ...}`).
    pub const RELATED_TASK: &str = "io.modelcontextprotocol/related-task";
    /// 2025-11-25 experimental tasks: an immediate answer for the model.
    pub const MODEL_IMMEDIATE_RESPONSE: &str = "io.modelcontextprotocol/model-immediate-response";
    /// W3C Trace Context `traceparent`.
    pub const TRACEPARENT: &str = "traceparent";
    /// W3C Trace Context `tracestate`.
    pub const TRACESTATE: &str = "tracestate";
    /// W3C Baggage.
    pub const BAGGAGE: &str = "baggage";
}

/// A `_meta` object: an open map with typed accessors for the reserved keys.
///
/// The object is kept as its JSON text, so decoding and re-encoding a message never builds
/// a tree for metadata nobody reads, and keys keep their order. A `_meta` read from a
/// message is indexed once: one pass over its top level records where each reserved key's
/// value sits, so the envelope checks, admission and the HTTP header cross-checks each
/// read their key without walking the object again. Other keys are found by a walk when
/// asked. The setters rebuild the text and the index (they are for building messages, not
/// for hot paths). Equality compares the text.
#[derive(Clone)]
#[non_exhaustive]
pub struct Meta {
    raw: RawJson,
    index: MetaIndex,
}

impl PartialEq for Meta {
    fn eq(&self, other: &Self) -> bool {
        // The index is a function of the text.
        self.raw == other.raw
    }
}

impl core::fmt::Debug for Meta {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_tuple("Meta").field(&self.raw).finish()
    }
}

/// The reserved keys a [`MetaIndex`] locates, in slot order.
const INDEXED_KEYS: [&str; 7] = [
    keys::PROGRESS_TOKEN,
    keys::PROTOCOL_VERSION,
    keys::CLIENT_CAPABILITIES,
    keys::CLIENT_INFO,
    keys::LOG_LEVEL,
    keys::SERVER_INFO,
    keys::SUBSCRIPTION_ID,
];

/// The slot of an unescaped key in [`INDEXED_KEYS`].
pub(crate) fn indexed_slot(key: &str) -> Option<usize> {
    INDEXED_KEYS.iter().position(|indexed| *indexed == key)
}

/// The slots of the keys the typed accessors read (positions in [`INDEXED_KEYS`]).
mod slot {
    pub(super) const PROGRESS_TOKEN: usize = 0;
    pub(super) const PROTOCOL_VERSION: usize = 1;
    pub(super) const CLIENT_CAPABILITIES: usize = 2;
    pub(super) const CLIENT_INFO: usize = 3;
    pub(super) const LOG_LEVEL: usize = 4;
    pub(super) const SERVER_INFO: usize = 5;
    pub(super) const SUBSCRIPTION_ID: usize = 6;
}

/// How many reserved keys a [`MetaIndex`] locates.
pub(crate) const INDEXED_KEY_COUNT: usize = INDEXED_KEYS.len();

/// Where the values of the reserved keys sit in a `_meta` object's text, found in one
/// pass over its top level.
///
/// Each slot holds the byte range of the key's **first** occurrence (what a walk for the
/// key finds; a later duplicate is ignored the same way), or `(0, 0)` when the key is
/// absent: a JSON value is never empty. Keys written with escapes are compared after
/// unescaping. An index that is not `complete` (not built, text too long for `u32`
/// offsets, or text the walk could not follow) answers nothing and every lookup walks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct MetaIndex {
    spans: [(u32, u32); INDEXED_KEYS.len()],
    complete: bool,
}

impl MetaIndex {
    /// No index: every lookup walks the text.
    pub(crate) const NONE: MetaIndex = MetaIndex {
        spans: [(0, 0); INDEXED_KEYS.len()],
        complete: false,
    };

    /// An index whose spans (byte ranges into the object's text, `(0, 0)` for an absent
    /// key, the first occurrence of each key) were found by someone else's pass: the
    /// message decoder's.
    pub(crate) fn from_spans(spans: [(u32, u32); INDEXED_KEY_COUNT]) -> MetaIndex {
        MetaIndex {
            spans,
            complete: true,
        }
    }

    /// Indexes the object `text` in one pass.
    pub(crate) fn build(text: &str) -> MetaIndex {
        let mut index = MetaIndex::NONE;
        if u32::try_from(text.len()).is_err() {
            return index;
        }
        let base = text.as_ptr() as usize;
        let walked = walk(text, |quoted, value| {
            let inner = quoted.get(1..quoted.len().saturating_sub(1)).unwrap_or("");
            let slot = if inner.contains('\\') {
                serde_json::from_str::<String>(quoted)
                    .ok()
                    .and_then(|key| indexed_slot(&key))
            } else {
                indexed_slot(inner)
            };
            let Some(span) = slot.and_then(|slot| index.spans.get_mut(slot)) else {
                return;
            };
            if *span == (0, 0) {
                // `value` is a non-empty slice of `text`, whose length fits in u32.
                let start = (value.as_ptr() as usize).wrapping_sub(base);
                let end = start.wrapping_add(value.len());
                if let (Ok(start), Ok(end)) = (u32::try_from(start), u32::try_from(end)) {
                    *span = (start, end);
                }
            }
        });
        index.complete = walked.is_some();
        index
    }

    /// The raw value of `key` in `text` (the text this index was built from): `Some(None)`
    /// when the index knows the key is absent, `None` when the index cannot answer.
    fn lookup<'a>(&self, text: &'a str, key: &str) -> Option<Option<&'a str>> {
        if !self.complete {
            return None;
        }
        self.lookup_slot(text, indexed_slot(key)?)
    }

    /// [`Self::lookup`] of the key in `slot`.
    fn lookup_slot<'a>(&self, text: &'a str, slot: usize) -> Option<Option<&'a str>> {
        if !self.complete {
            return None;
        }
        let (start, end) = *self.spans.get(slot)?;
        if (start, end) == (0, 0) {
            return Some(None);
        }
        let range = usize::try_from(start).ok()?..usize::try_from(end).ok()?;
        Some(text.get(range))
    }
}

impl Default for Meta {
    fn default() -> Self {
        Meta::new()
    }
}

impl Serialize for Meta {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.raw.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Meta {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = RawJson::deserialize(deserializer)?;
        if raw.is_object() {
            // A `_meta` nested in typed params is seldom read key by key: no index
            // (lookups walk), so decoding does not pay for one.
            Ok(Meta {
                raw,
                index: MetaIndex::NONE,
            })
        } else {
            Err(serde::de::Error::custom("_meta must be a JSON object"))
        }
    }
}

/// The `taskId` wrapper of the 2025 `io.modelcontextprotocol/related-task` key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct RelatedTaskMetadata {
    /// The task this message belongs to.
    pub task_id: String,
}

impl Meta {
    /// An empty `_meta`.
    pub fn new() -> Self {
        Meta::indexed(RawJson::from_checked("{}".into()))
    }

    /// Builds a `_meta` from a map.
    pub fn from_map(map: &JsonObject) -> Self {
        Meta::indexed(RawJson::from(&Value::Object(map.clone())))
    }

    /// Wraps JSON text already known to be one object, indexing its reserved keys.
    pub(crate) fn from_checked_object(text: &str) -> Self {
        Meta::indexed(RawJson::from_checked(text.into()))
    }

    /// Wraps JSON text already known to be one object, with its index.
    pub(crate) fn from_checked_indexed(text: &str, index: MetaIndex) -> Self {
        Meta {
            raw: RawJson::from_checked(text.into()),
            index,
        }
    }

    /// Takes JSON text already known to be one object, indexing its reserved keys.
    pub(crate) fn from_checked_string(text: String) -> Self {
        Meta::indexed(RawJson::from_checked(text.into_boxed_str()))
    }

    fn indexed(raw: RawJson) -> Self {
        let index = MetaIndex::build(raw.get());
        Meta { raw, index }
    }

    /// The whole object as a map. Fails only for values a [`Value`] cannot hold (a number
    /// such as `1e400`); the text itself is always kept.
    pub fn to_map(&self) -> Result<JsonObject, serde_json::Error> {
        self.raw.decode()
    }

    /// The object's JSON text.
    pub fn raw(&self) -> &RawJson {
        &self.raw
    }

    /// The raw JSON text of the value under `key` (its first occurrence).
    pub fn get_raw(&self, key: &str) -> Option<&str> {
        let text = self.raw.get();
        if let Some(found) = self.index.lookup(text, key) {
            return found;
        }
        let [value] = object_members(text, [key]);
        value
    }

    /// The value under `key`, as a tree.
    pub fn get(&self, key: &str) -> Option<Value> {
        self.get_raw(key)
            .and_then(|raw| serde_json::from_str(raw).ok())
    }

    /// True when `key` is present, whatever its value.
    pub fn contains(&self, key: &str) -> bool {
        self.get_raw(key).is_some()
    }

    /// Sets `key` to the JSON encoding of `value`, replacing any earlier value. Works on
    /// the members' text, so no other member is re-encoded or lost.
    pub fn insert<T: Serialize + ?Sized>(&mut self, key: &str, value: &T) {
        if let Ok(value) = serde_json::to_string(value) {
            self.rebuild(key, Some(&value));
        }
    }

    /// Removes `key`, returning its raw value.
    pub fn remove(&mut self, key: &str) -> Option<RawJson> {
        let removed = self
            .get_raw(key)
            .and_then(|raw| RawJson::from_text(raw).ok());
        if removed.is_some() {
            self.rebuild(key, None);
        }
        removed
    }

    /// Rewrites the object without `key`, then with `key: value` appended when given.
    fn rebuild(&mut self, key: &str, value: Option<&str>) {
        let added = value.map(|value| [(key, value)]);
        let add: &[(&str, &str)] = added.as_ref().map_or(&[], |added| added.as_slice());
        if let Some(text) = crate::json::splice::splice_object(self.raw.get(), &[key], add) {
            // Built from valid member texts, so it is one valid object.
            *self = Meta::indexed(RawJson::from_checked(text.into()));
        }
    }

    /// True when no key is present.
    pub fn is_empty(&self) -> bool {
        // The text is one valid object: it is empty when `}` follows `{` and whitespace.
        self.raw
            .get()
            .trim_start()
            .trim_start_matches('{')
            .trim_start()
            .starts_with('}')
    }

    /// The raw value of the reserved key `key`, whose index slot is `slot`.
    fn get_reserved(&self, slot: usize, key: &str) -> Option<&str> {
        let text = self.raw.get();
        debug_assert_eq!(INDEXED_KEYS.get(slot), Some(&key));
        if let Some(found) = self.index.lookup_slot(text, slot) {
            return found;
        }
        let [value] = object_members(text, [key]);
        value
    }

    fn typed<T: DeserializeOwned>(
        &self,
        slot: usize,
        key: &str,
    ) -> Option<Result<T, serde_json::Error>> {
        self.get_reserved(slot, key)
            .map(crate::json::strict::from_str)
    }

    fn string(&self, key: &str) -> Option<Cow<'_, str>> {
        string_value(self.get_raw(key)?)
    }

    fn reserved_string(&self, slot: usize, key: &str) -> Option<Cow<'_, str>> {
        string_value(self.get_reserved(slot, key)?)
    }
}

/// The [`Implementation`] that `raw` (valid JSON text) decodes as, read in one pass when
/// it is the plain `{"name": …, "version": …}` (each once, in either order, nothing else,
/// no backslash in a string): that decodes as [`Implementation::new`] of the two strings.
/// `None` for any other text; decode it then.
pub(crate) fn plain_implementation(raw: &str) -> Option<Implementation> {
    let mut plain = Plain::new(raw);
    plain.expect(b'{')?;
    let (mut name, mut version) = (None, None);
    plain.members(|plain, key| match key {
        "name" if name.is_none() => {
            name = Some(plain.string()?);
            Some(())
        }
        "version" if version.is_none() => {
            version = Some(plain.string()?);
            Some(())
        }
        _ => None,
    })?;
    plain
        .at_end()
        .then(|| name.zip(version))
        .flatten()
        .map(|(name, version)| Implementation::new(name, version))
}

/// A raw JSON value (valid JSON text) read as a string, when it is one.
fn string_value(raw: &str) -> Option<Cow<'_, str>> {
    // Without a backslash a valid JSON string is its quotes around its text.
    if let Some(inner) = crate::jsonrpc::scan::plain_string(raw) {
        return Some(Cow::Borrowed(inner));
    }
    match serde_json::from_str::<&str>(raw) {
        Ok(text) => Some(Cow::Borrowed(text)),
        // Escaped strings cannot be borrowed.
        Err(_) => serde_json::from_str::<String>(raw).ok().map(Cow::Owned),
    }
}

impl Meta {
    /// `progressToken`, when present and a string or integer.
    pub fn progress_token(&self) -> Option<ProgressToken> {
        self.typed(slot::PROGRESS_TOKEN, keys::PROGRESS_TOKEN)
            .and_then(Result::ok)
    }

    /// `io.modelcontextprotocol/protocolVersion`, when present and a string.
    pub fn protocol_version(&self) -> Option<Cow<'_, str>> {
        self.reserved_string(slot::PROTOCOL_VERSION, keys::PROTOCOL_VERSION)
    }

    /// `io.modelcontextprotocol/clientCapabilities`, decoded; `Some(Err(_))` when present
    /// but malformed.
    pub fn client_capabilities(&self) -> Option<Result<ClientCapabilities, serde_json::Error>> {
        let raw = self.get_reserved(slot::CLIENT_CAPABILITIES, keys::CLIENT_CAPABILITIES)?;
        // `{}` (the usual declaration) decodes as the default: every member is optional.
        if Plain::is_empty_object(raw) {
            return Some(Ok(ClientCapabilities::default()));
        }
        Some(crate::json::strict::from_str(raw))
    }

    /// `io.modelcontextprotocol/clientInfo`, decoded.
    pub fn client_info(&self) -> Option<Result<Implementation, serde_json::Error>> {
        let raw = self.get_reserved(slot::CLIENT_INFO, keys::CLIENT_INFO)?;
        if let Some(info) = plain_implementation(raw) {
            return Some(Ok(info));
        }
        Some(crate::json::strict::from_str(raw))
    }

    /// `io.modelcontextprotocol/logLevel`, decoded.
    pub fn log_level(&self) -> Option<Result<LoggingLevel, serde_json::Error>> {
        self.typed(slot::LOG_LEVEL, keys::LOG_LEVEL)
    }

    /// `io.modelcontextprotocol/serverInfo`, decoded.
    pub fn server_info(&self) -> Option<Result<Implementation, serde_json::Error>> {
        self.typed(slot::SERVER_INFO, keys::SERVER_INFO)
    }

    /// `io.modelcontextprotocol/subscriptionId`, when present and a string or integer.
    pub fn subscription_id(&self) -> Option<crate::jsonrpc::RequestId> {
        self.typed(slot::SUBSCRIPTION_ID, keys::SUBSCRIPTION_ID)
            .and_then(Result::ok)
    }

    /// `io.modelcontextprotocol/related-task` (2025 experimental tasks), decoded.
    pub fn related_task(&self) -> Option<Result<RelatedTaskMetadata, serde_json::Error>> {
        self.get_raw(keys::RELATED_TASK)
            .map(crate::json::strict::from_str)
    }

    /// `io.modelcontextprotocol/model-immediate-response` (2025 experimental tasks).
    pub fn model_immediate_response(&self) -> Option<Cow<'_, str>> {
        self.string(keys::MODEL_IMMEDIATE_RESPONSE)
    }

    /// `traceparent` (W3C Trace Context).
    pub fn traceparent(&self) -> Option<Cow<'_, str>> {
        self.string(keys::TRACEPARENT)
    }

    /// `tracestate` (W3C Trace Context).
    pub fn tracestate(&self) -> Option<Cow<'_, str>> {
        self.string(keys::TRACESTATE)
    }

    /// `baggage` (W3C Baggage).
    pub fn baggage(&self) -> Option<Cow<'_, str>> {
        self.string(keys::BAGGAGE)
    }

    /// Sets `io.modelcontextprotocol/protocolVersion`.
    pub fn set_protocol_version(&mut self, version: &str) {
        self.insert(keys::PROTOCOL_VERSION, version);
    }

    /// Sets `io.modelcontextprotocol/clientCapabilities`.
    pub fn set_client_capabilities(&mut self, capabilities: &ClientCapabilities) {
        self.insert(keys::CLIENT_CAPABILITIES, capabilities);
    }

    /// Sets `io.modelcontextprotocol/clientInfo`.
    pub fn set_client_info(&mut self, info: &Implementation) {
        self.insert(keys::CLIENT_INFO, info);
    }

    /// Sets `io.modelcontextprotocol/logLevel`.
    pub fn set_log_level(&mut self, level: LoggingLevel) {
        self.insert(keys::LOG_LEVEL, &level);
    }

    /// Sets `io.modelcontextprotocol/serverInfo`.
    pub fn set_server_info(&mut self, info: &Implementation) {
        self.insert(keys::SERVER_INFO, info);
    }

    /// Sets `io.modelcontextprotocol/subscriptionId`.
    pub fn set_subscription_id(&mut self, id: &crate::jsonrpc::RequestId) {
        self.insert(keys::SUBSCRIPTION_ID, id);
    }

    /// Sets `progressToken`.
    pub fn set_progress_token(&mut self, token: &ProgressToken) {
        self.insert(keys::PROGRESS_TOKEN, token);
    }
}

/// Checks a `_meta` key against the naming rules of both revisions: an optional prefix of
/// dot-separated labels ending in `/`, then a name that is empty or starts and ends with an
/// ASCII letter or digit and holds only letters, digits, `.`, `_` and `-`.
pub fn is_valid_key(key: &str) -> bool {
    let (prefix, name) = match key.rfind('/') {
        Some(slash) => (key.get(..slash), key.get(slash + 1..).unwrap_or("")),
        None => (None, key),
    };
    if let Some(prefix) = prefix {
        if !prefix.split('.').all(is_valid_label) {
            return false;
        }
    }
    is_valid_name(name)
}

fn is_valid_label(label: &str) -> bool {
    let bytes = label.as_bytes();
    match (bytes.first(), bytes.last()) {
        (Some(first), Some(last)) => {
            first.is_ascii_alphabetic()
                && last.is_ascii_alphanumeric()
                && bytes
                    .iter()
                    .all(|b| b.is_ascii_alphanumeric() || *b == b'-')
        }
        _ => false,
    }
}

fn is_valid_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    match (bytes.first(), bytes.last()) {
        (None, _) | (_, None) => true,
        (Some(first), Some(last)) => {
            first.is_ascii_alphanumeric()
                && last.is_ascii_alphanumeric()
                && bytes
                    .iter()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
        }
    }
}

/// True when `key` sits under a prefix reserved for MCP: one whose second label is
/// `modelcontextprotocol` or `mcp` (`io.modelcontextprotocol/`, `dev.mcp/`).
pub fn is_reserved_key(key: &str) -> bool {
    let Some(slash) = key.rfind('/') else {
        return false;
    };
    let prefix = key.get(..slash).unwrap_or("");
    matches!(
        prefix.split('.').nth(1),
        Some("modelcontextprotocol" | "mcp")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_client_info_and_empty_capabilities_read_as_a_full_decode() {
        for (raw, plain) in [
            (r#"{"name":"bench","version":"1.0.0"}"#, true),
            (r#" { "version" : "" , "name" : "é" } "#, true),
            (r#"{"name":"a\"b","version":"1"}"#, false),
            (r#"{"name":"a","version":"1","title":"A"}"#, false),
            (r#"{"name":"a","name":"b","version":"1"}"#, false),
            (r#"{"name":"a"}"#, false),
            (r#"{"name":"a","version":1}"#, false),
        ] {
            let fast = plain_implementation(raw);
            assert_eq!(fast.is_some(), plain, "{raw}");
            if let Some(fast) = fast {
                let full: Implementation = crate::json::strict::from_str(raw).expect("decodes");
                assert_eq!(fast, full);
            }
        }
        for (raw, empty) in [
            ("{}", true),
            (" { } ", true),
            ("{\"roots\":{}}", false),
            ("[]", false),
        ] {
            assert_eq!(Plain::is_empty_object(raw), empty, "{raw}");
        }
        let full: ClientCapabilities = crate::json::strict::from_str(" { } ").expect("decodes");
        assert_eq!(full, ClientCapabilities::default());
    }

    #[test]
    fn key_rules() {
        for good in [
            "progressToken",
            "io.modelcontextprotocol/protocolVersion",
            "com.example/x-y_z.1",
            "com.example/",
            "",
            "a",
        ] {
            assert!(is_valid_key(good), "{good}");
        }
        for bad in [
            "-a",
            "a-",
            "1com.example/x",
            "com..example/x",
            "com.example-/x",
            "x y",
        ] {
            assert!(!is_valid_key(bad), "{bad}");
        }
        assert!(is_reserved_key("io.modelcontextprotocol/x"));
        assert!(is_reserved_key("dev.mcp/x"));
        assert!(is_reserved_key("org.modelcontextprotocol.api/x"));
        assert!(!is_reserved_key("com.example.mcp/x"));
        assert!(!is_reserved_key("progressToken"));
    }

    #[test]
    fn edits_keep_every_other_member_verbatim() {
        let mut meta: Meta =
            serde_json::from_str(r#"{"big":1e400,"traceparent":"00-a","x":{"y":[1, 2]}}"#).unwrap();
        assert!(meta.to_map().is_err(), "a Value cannot hold 1e400");
        meta.insert("progressToken", &7);
        meta.insert("traceparent", "00-b");
        assert_eq!(
            meta.raw().get(),
            r#"{"big":1e400,"x":{"y":[1, 2]},"progressToken":7,"traceparent":"00-b"}"#
        );
        assert_eq!(meta.remove("big").unwrap().get(), "1e400");
        assert!(meta.remove("big").is_none());
        assert_eq!(meta.progress_token(), Some(ProgressToken::Number(7)));
        let mut empty = Meta::new();
        assert!(empty.is_empty());
        empty.set_protocol_version("2026-07-28");
        assert_eq!(
            empty.raw().get(),
            r#"{"io.modelcontextprotocol/protocolVersion":"2026-07-28"}"#
        );
    }

    /// Every lookup through the index agrees with a walk of the text for the same key.
    fn agrees_with_walk(text: &str) {
        let meta = Meta::from_checked_object(text);
        for key in INDEXED_KEYS.iter().chain(&["other", "_meta", ""]) {
            let [walked] = object_members(text, [key]);
            assert_eq!(meta.get_raw(key), walked, "{key} in {text}");
        }
    }

    #[test]
    fn index_reads_what_a_walk_reads() {
        let deep = alloc::format!("{}1{}", "[".repeat(5000), "]".repeat(5000));
        for text in [
            "{}",
            " { } ",
            r#"{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{},"io.modelcontextprotocol/clientInfo":{"name":"a","version":"1"}}"#,
            // Duplicates: the first occurrence wins, as a walk finds it.
            r#"{"progressToken":1,"progressToken":"two","io.modelcontextprotocol/logLevel":"info","io.modelcontextprotocol/logLevel":7}"#,
            // Escaped keys name the same key once unescaped.
            r#"{"io.modelcontextprotocol\/protocolVersion":"x","progress\u0054oken":2}"#,
            // Keys in nested values and in strings are not top-level members.
            r#"{"a":{"progressToken":1,"io.modelcontextprotocol/serverInfo":{}},"b":"\"progressToken\":3","c":[{"io.modelcontextprotocol/subscriptionId":1}]}"#,
            r#"{ "progressToken" : -1.5e3 , "io.modelcontextprotocol/subscriptionId" :"s" }"#,
            // Deep nesting is skipped without recursion.
            &alloc::format!(r#"{{"x":{deep},"progressToken":"after"}}"#),
        ] {
            agrees_with_walk(text);
        }
        let meta = Meta::from_checked_object(r#"{"progressToken":1,"progressToken":"two"}"#);
        assert_eq!(meta.progress_token(), Some(ProgressToken::Number(1)));
    }

    #[test]
    fn the_decoder_indexes_meta_as_a_walk_does() {
        for meta in [
            "{}",
            "{ }",
            r#"{"progressToken":1,"progressToken":"two","io.modelcontextprotocol/logLevel":"info"}"#,
            r#"{ "io.modelcontextprotocol\/protocolVersion" : "x" , "progress\u0054oken" : [ 2 ] }"#,
            r#"{"a":{"progressToken":1},"b":"\"progressToken\":3","io.modelcontextprotocol/clientInfo":{"name":"n","version":"1"}}"#,
        ] {
            let line = alloc::format!(
                r#"{{"jsonrpc":"2.0","id":1,"method":"m","params":{{"a":1,"_meta": {meta} ,"_meta":{{"progressToken":9}}}}}}"#
            );
            let message = crate::jsonrpc::decode(line.as_bytes()).unwrap();
            let decoded = message.params().and_then(|params| params.meta()).unwrap();
            assert_eq!(decoded.raw().get(), meta);
            assert_eq!(decoded.index, MetaIndex::build(meta), "{meta}");
            agrees_with_walk(meta);
        }
    }

    #[test]
    fn index_falls_back_to_walking_text_it_cannot_follow() {
        // Not reachable through the decoder (it checks the text first), but total anyway.
        for text in [
            "{",
            r#"{"progressToken":1,"#,
            r#"{"progressToken"}"#,
            "[1]",
            "",
        ] {
            let index = MetaIndex::build(text);
            assert!(!index.complete, "{text}");
            agrees_with_walk(text);
        }
    }

    #[test]
    fn edits_and_decoding_keep_lookups_right() {
        let mut meta = Meta::new();
        meta.set_log_level(LoggingLevel::Debug);
        meta.insert("progressToken", "t");
        assert_eq!(meta.log_level().unwrap().unwrap(), LoggingLevel::Debug);
        meta.remove("io.modelcontextprotocol/logLevel");
        assert!(meta.log_level().is_none());
        assert_eq!(
            meta.progress_token(),
            Some(ProgressToken::String("t".into()))
        );
        // A decoded `_meta` is not indexed, and reads the same by walking.
        let decoded: Meta = serde_json::from_str(r#"{"progressToken":5}"#).unwrap();
        assert_eq!(decoded.progress_token(), Some(ProgressToken::Number(5)));
        assert_eq!(decoded, Meta::from_checked_object(r#"{"progressToken":5}"#));
    }

    #[test]
    fn accessor_slots_name_their_keys() {
        assert_eq!(INDEXED_KEYS[slot::PROGRESS_TOKEN], keys::PROGRESS_TOKEN);
        assert_eq!(INDEXED_KEYS[slot::PROTOCOL_VERSION], keys::PROTOCOL_VERSION);
        assert_eq!(
            INDEXED_KEYS[slot::CLIENT_CAPABILITIES],
            keys::CLIENT_CAPABILITIES
        );
        assert_eq!(INDEXED_KEYS[slot::CLIENT_INFO], keys::CLIENT_INFO);
        assert_eq!(INDEXED_KEYS[slot::LOG_LEVEL], keys::LOG_LEVEL);
        assert_eq!(INDEXED_KEYS[slot::SERVER_INFO], keys::SERVER_INFO);
        assert_eq!(INDEXED_KEYS[slot::SUBSCRIPTION_ID], keys::SUBSCRIPTION_ID);
    }

    #[test]
    fn strings_read_as_serde_json_reads_them() {
        for raw in [
            r#""2026-07-28""#,
            r#""""#,
            r#""a\"b""#,
            r#""\u0041""#,
            r#""é ü""#,
            "7",
            "null",
            r#"{"a":"b"}"#,
            r#"["x"]"#,
        ] {
            let expected = serde_json::from_str::<String>(raw).ok();
            assert_eq!(string_value(raw).map(Cow::into_owned), expected, "{raw}");
        }
    }

    #[test]
    fn typed_accessors() {
        let meta: Meta = serde_json::from_str(
            r#"{"io.modelcontextprotocol/protocolVersion":"2026-07-28",
                "io.modelcontextprotocol/clientCapabilities":{"sampling":{}},
                "io.modelcontextprotocol/logLevel":"info","progressToken":7,
                "io.modelcontextprotocol/subscriptionId":"sub-1"}"#,
        )
        .unwrap();
        assert_eq!(meta.protocol_version().as_deref(), Some("2026-07-28"));
        assert!(
            meta.client_capabilities()
                .unwrap()
                .unwrap()
                .sampling
                .is_some()
        );
        assert_eq!(meta.log_level().unwrap().unwrap(), LoggingLevel::Info);
        assert_eq!(meta.progress_token(), Some(ProgressToken::Number(7)));
        assert_eq!(meta.subscription_id(), Some("sub-1".into()));
        assert!(meta.client_info().is_none());
    }
}
