//! Building the `params` of an outgoing request: the 2026-07-28 `_meta` envelope and the
//! top-level members of a multi-round-trip retry.
//!
//! Params are edited as text: every member the application wrote is copied verbatim (its
//! `_meta` keys included, so a `progressToken` or trace context survives), the reserved
//! envelope keys are set, and `_meta` goes last. Nothing is re-encoded that need not be,
//! which is also what keeps an echoed `requestState` byte for byte.

use alloc::string::String;

use crate::json::RawJson;
use crate::jsonrpc::Params;
use crate::jsonrpc::scan::{is_key, object_entries};
use crate::types::{ClientCapabilities, Implementation, LoggingLevel, Meta, ProgressToken};
use crate::version::ProtocolVersion;

/// The reserved `_meta` keys every 2026 request carries.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Envelope<'a> {
    /// `io.modelcontextprotocol/protocolVersion`.
    pub(crate) version: &'a ProtocolVersion,
    /// `io.modelcontextprotocol/clientCapabilities`.
    pub(crate) capabilities: &'a ClientCapabilities,
    /// `io.modelcontextprotocol/clientInfo`, unless disabled.
    pub(crate) info: Option<&'a Implementation>,
    /// `io.modelcontextprotocol/logLevel`, when asked for.
    pub(crate) log_level: Option<LoggingLevel>,
}

impl Envelope<'_> {
    /// Writes the envelope keys into `meta`, replacing earlier values of those keys.
    fn stamp(&self, meta: &mut Meta) {
        meta.set_protocol_version(self.version.as_str());
        meta.set_client_capabilities(self.capabilities);
        if let Some(info) = self.info {
            meta.set_client_info(info);
        }
        if let Some(level) = self.log_level {
            meta.set_log_level(level);
        }
    }
}

/// Names of the members a retry sets; the application's own are dropped from retries.
pub(crate) const INPUT_RESPONSES: &str = "inputResponses";
/// See [`INPUT_RESPONSES`].
pub(crate) const REQUEST_STATE: &str = "requestState";

/// Rebuilds `base` (absent params count as `{}`): members named in `replace` are dropped,
/// `extra` members (key, raw JSON text) are appended, and `_meta` is edited by `edit` and
/// written last (left out when it ends up empty and `base` had none).
fn rebuild(
    base: Option<&Params>,
    replace: &[&str],
    extra: &[(&str, &str)],
    edit: impl FnOnce(&mut Meta),
) -> Option<Params> {
    let text = base.map_or("{}", |params| params.raw().get());
    let entries = object_entries(text)?;
    let had_meta = entries.iter().any(|(key, _)| is_key(key, "_meta"));
    let mut meta = base.and_then(Params::meta).cloned().unwrap_or_default();
    edit(&mut meta);
    let mut out = String::with_capacity(text.len() + 64);
    out.push('{');
    let push_member = |out: &mut String, quoted: &str, raw: &str| {
        if out.len() > 1 {
            out.push(',');
        }
        out.push_str(quoted);
        out.push(':');
        out.push_str(raw);
    };
    for (quoted, raw) in &entries {
        if is_key(quoted, "_meta") || replace.iter().any(|name| is_key(quoted, name)) {
            continue;
        }
        push_member(&mut out, quoted, raw);
    }
    for (name, raw) in extra {
        // Member names here are fixed ASCII identifiers: quoting is plain.
        let quoted = alloc::format!("\"{name}\"");
        push_member(&mut out, &quoted, raw);
    }
    if had_meta || !meta.is_empty() {
        push_member(&mut out, "\"_meta\"", meta.raw().get());
    }
    out.push('}');
    // Built from member texts of valid JSON, so it is one valid object; it is parsed once
    // more anyway, so that no slip here can ever put invalid JSON on the wire.
    RawJson::from_text(&out).ok().map(Params::from_object)
}

/// `base` with `progressToken` set in `_meta` (the application's other keys kept).
pub(crate) fn with_progress_token(base: Option<&Params>, token: &ProgressToken) -> Option<Params> {
    rebuild(base, &[], &[], |meta| meta.set_progress_token(token))
}

/// The `_meta` that `envelope` stamps into params without one: the same text on every
/// request of a connection, so a connection makes it once and passes it to [`stamp`].
pub(crate) fn stamped_meta(envelope: &Envelope<'_>) -> Meta {
    let mut meta = Meta::default();
    envelope.stamp(&mut meta);
    meta
}

/// The params of a 2026 request: `base` with `envelope` stamped into `_meta`. (Most
/// requests skip this: the connection writes its [`stamped_meta`] straight into their
/// line.)
pub(crate) fn stamp(base: Option<&Params>, envelope: &Envelope<'_>) -> Option<Params> {
    rebuild(base, &[], &[], |meta| envelope.stamp(meta))
}

/// The params of a multi-round-trip retry: `base` without any retry members of its own,
/// plus `inputResponses` (raw JSON text) and, when the server sent one, `requestState`
/// (its raw JSON string text exactly as received), with a fresh envelope.
pub(crate) fn retry(
    base: Option<&Params>,
    envelope: &Envelope<'_>,
    input_responses: &str,
    request_state: Option<&str>,
) -> Option<Params> {
    let mut extra = alloc::vec![(INPUT_RESPONSES, input_responses)];
    if let Some(state) = request_state {
        extra.push((REQUEST_STATE, state));
    }
    rebuild(base, &[INPUT_RESPONSES, REQUEST_STATE], &extra, |meta| {
        envelope.stamp(meta)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::meta::keys;

    fn params(text: &str) -> Params {
        Params::from_object(RawJson::from_text(text).unwrap())
    }

    #[test]
    fn stamping_keeps_members_and_meta_keys_verbatim() {
        let caps = ClientCapabilities::default();
        let info = Implementation::new("c", "1");
        let envelope = Envelope {
            version: &ProtocolVersion::V2026_07_28,
            capabilities: &caps,
            info: Some(&info),
            log_level: Some(LoggingLevel::Warning),
        };
        let base = params(r#"{"name":"x","arguments":{"a": 1.50},"_meta":{"progressToken":"p"}}"#);
        let stamped = stamp(Some(&base), &envelope).unwrap();
        assert_eq!(
            stamped.raw().get(),
            r#"{"name":"x","arguments":{"a": 1.50},"_meta":{"progressToken":"p","io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{},"io.modelcontextprotocol/clientInfo":{"name":"c","version":"1"},"io.modelcontextprotocol/logLevel":"warning"}}"#
        );
        let meta = stamped.meta().unwrap();
        assert_eq!(meta.protocol_version().as_deref(), Some("2026-07-28"));
        assert!(meta.contains(keys::PROGRESS_TOKEN));

        let empty = stamp(None, &envelope).unwrap();
        assert!(
            empty
                .raw()
                .get()
                .starts_with(r#"{"_meta":{"io.modelcontextprotocol/protocolVersion""#)
        );
    }

    #[test]
    fn retries_replace_their_members_and_echo_state_verbatim() {
        let caps = ClientCapabilities::default();
        let envelope = Envelope {
            version: &ProtocolVersion::V2026_07_28,
            capabilities: &caps,
            info: None,
            log_level: None,
        };
        let base = params(r#"{"name":"x","requestState":"old","inputResponses":{}}"#);
        let state = r#""a \u00e9\/ \"b\"  ""#;
        let retried = retry(
            Some(&base),
            &envelope,
            r#"{"k":{"action":"accept"}}"#,
            Some(state),
        )
        .unwrap();
        assert_eq!(
            retried.raw().get(),
            alloc::format!(
                r#"{{"name":"x","inputResponses":{{"k":{{"action":"accept"}}}},"requestState":{state},"_meta":{{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{{}}}}}}"#
            )
        );
        let without = retry(Some(&base), &envelope, "{}", None).unwrap();
        assert!(!without.raw().get().contains("requestState"));
    }

    #[test]
    fn progress_token_joins_existing_meta() {
        let base = params(r#"{"cursor":"c","_meta":{"traceparent":"00-x"}}"#);
        let with = with_progress_token(Some(&base), &ProgressToken::Number(3)).unwrap();
        assert_eq!(
            with.raw().get(),
            r#"{"cursor":"c","_meta":{"traceparent":"00-x","progressToken":3}}"#
        );
    }
}
