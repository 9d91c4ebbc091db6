//! The digest of the parameters that identify a logical request.
//!
//! A sealed `requestState` is bound to the request that will carry it back, so that a
//! state minted for `tools/call` of `delete_file` with `{"path":"a"}` cannot be replayed
//! on a call of the same tool with `{"path":"b"}`. Between rounds the client adds
//! `inputResponses` and `requestState` and may rewrite `_meta`, so only the members that
//! name the operation take part: `name` and `arguments` for `tools/call` and
//! `prompts/get`, `uri` for `resources/read`, nothing for any other method.
//!
//! Values are hashed in a canonical, type-tagged encoding rather than as received: a
//! client that re-serialises the same arguments with another key order, other whitespace
//! or other string escapes gets the same digest. Object keys are sorted here explicitly,
//! so the result does not depend on whether some other crate in the build turned on
//! serde_json's `preserve_order`.

use alloc::string::ToString;
use alloc::vec::Vec;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::json::RawJson;
use crate::jsonrpc::Params;
use crate::jsonrpc::scan::{is_key, object_entries};

/// Domain separation for the digest, so it can never collide with another SHA-256 use.
const DOMAIN: &[u8] = b"mcp-salient-params/v1";

/// `params` was absent or a JSON object (the two are the same for this purpose: the
/// retry of a parameterless request carries `requestState` in a `params` object).
const PARAMS_OBJECT: u8 = 0x01;
/// `params` was present but not a JSON object.
const PARAMS_MALFORMED: u8 = 0x02;

/// The member is absent.
const FIELD_MISSING: u8 = 0x00;
/// The member is present once; its canonical value follows.
const FIELD_PRESENT: u8 = 0x01;
/// The member is present once but its text could not be parsed (for example nesting
/// deeper than the parser allows); its raw text follows, length-prefixed.
const FIELD_UNPARSABLE: u8 = 0x02;
/// The member is present more than once; a count and each occurrence follow.
const FIELD_DUPLICATED: u8 = 0x03;

/// The members of `params` that identify the logical request for `method`.
fn salient_members(method: &str) -> &'static [&'static str] {
    match method {
        "tools/call" | "prompts/get" => &["name", "arguments"],
        "resources/read" => &["uri"],
        _ => &[],
    }
}

/// SHA-256 over a canonical encoding of the parameters of `params` that identify the
/// logical request `method` names, for binding a sealed `requestState` to its request.
///
/// For `tools/call` and `prompts/get` these are `name` and `arguments`, for
/// `resources/read` the `uri`, and for every other method nothing (the digest then only
/// covers the method). `inputResponses`, `requestState` and `_meta` never take part, as
/// they change between rounds. Values are canonicalised (object keys sorted, whitespace
/// and string escapes normalised), so the same arguments re-serialised differently give
/// the same digest, while a missing member, a member of another JSON type, an unparsable
/// member and a repeated member each encode distinctly.
///
/// Numbers are compared as serde_json parses them: `1` and `1.0` differ, and replicas
/// that share sealing keys should run builds with the same serde_json number features.
pub fn salient_params_digest(method: &str, params: Option<&Params>) -> [u8; 32] {
    salient_text_digest(method, params.map(|params| params.raw()))
}

/// [`salient_params_digest`] of params known by their text alone (their `_meta` never
/// takes part).
pub(crate) fn salient_text_digest(method: &str, params: Option<&RawJson>) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(DOMAIN);
    put_bytes(&mut hasher, method.as_bytes());
    let members = salient_members(method);
    let text = params.map_or("{}", RawJson::get);
    match object_entries(text) {
        Some(entries) => {
            hasher.update([PARAMS_OBJECT]);
            for wanted in members {
                put_bytes(&mut hasher, wanted.as_bytes());
                let mut occurrences = entries
                    .iter()
                    .filter(|(key, _)| is_key(key, wanted))
                    .map(|(_, value)| *value);
                match (occurrences.next(), occurrences.next()) {
                    (None, _) => hasher.update([FIELD_MISSING]),
                    (Some(value), None) => put_field_value(&mut hasher, value),
                    (Some(first), Some(second)) => {
                        let all: Vec<&str> =
                            [first, second].into_iter().chain(occurrences).collect();
                        hasher.update([FIELD_DUPLICATED]);
                        put_len(&mut hasher, all.len());
                        for value in all {
                            put_field_value(&mut hasher, value);
                        }
                    }
                }
            }
        }
        None => {
            hasher.update([PARAMS_MALFORMED]);
            put_bytes(&mut hasher, text.as_bytes());
        }
    }
    hasher.finalize().into()
}

/// Hashes one occurrence of a member: its canonical value, or its raw text when it
/// does not parse.
fn put_field_value(hasher: &mut Sha256, text: &str) {
    match serde_json::from_str::<Value>(text) {
        Ok(value) => {
            hasher.update([FIELD_PRESENT]);
            put_value(hasher, &value);
        }
        Err(_) => {
            hasher.update([FIELD_UNPARSABLE]);
            put_bytes(hasher, text.as_bytes());
        }
    }
}

/// Hashes `value` in a type-tagged canonical form: objects with their keys in byte
/// order, strings unescaped, every variable-length part length-prefixed. Recursion is
/// bounded by serde_json's own nesting limit on the parse that produced `value`.
fn put_value(hasher: &mut Sha256, value: &Value) {
    match value {
        Value::Null => hasher.update(b"n"),
        Value::Bool(false) => hasher.update(b"f"),
        Value::Bool(true) => hasher.update(b"t"),
        Value::Number(number) => {
            hasher.update(b"#");
            put_bytes(hasher, number.to_string().as_bytes());
        }
        Value::String(string) => {
            hasher.update(b"s");
            put_bytes(hasher, string.as_bytes());
        }
        Value::Array(items) => {
            hasher.update(b"[");
            put_len(hasher, items.len());
            for item in items {
                put_value(hasher, item);
            }
        }
        Value::Object(map) => {
            hasher.update(b"{");
            put_len(hasher, map.len());
            let mut members: Vec<(&alloc::string::String, &Value)> = map.iter().collect();
            members.sort_unstable_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
            for (key, member) in members {
                put_bytes(hasher, key.as_bytes());
                put_value(hasher, member);
            }
        }
    }
}

/// Hashes a length as eight big-endian bytes.
fn put_len(hasher: &mut Sha256, len: usize) {
    hasher.update(u64::try_from(len).unwrap_or(u64::MAX).to_be_bytes());
}

/// Hashes `bytes` behind their length.
fn put_bytes(hasher: &mut Sha256, bytes: &[u8]) {
    put_len(hasher, bytes.len());
    hasher.update(bytes);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::RawJson;

    fn params(text: &str) -> Params {
        Params::from_object(RawJson::from_text(text).unwrap())
    }

    fn digest(method: &str, text: &str) -> [u8; 32] {
        salient_params_digest(method, Some(&params(text)))
    }

    #[test]
    fn key_order_whitespace_and_escapes_do_not_matter() {
        let a = digest(
            "tools/call",
            r#"{"name":"t","arguments":{"b":[1,{"y":2,"x":3}],"a":"é"}}"#,
        );
        let b = digest(
            "tools/call",
            r#"{ "arguments" : { "a" : "\u00e9", "b" : [ 1 , { "x":3, "y":2 } ] } , "name" : "\u0074" }"#,
        );
        assert_eq!(a, b);
    }

    #[test]
    fn round_members_and_meta_are_ignored() {
        let first = digest(
            "tools/call",
            r#"{"name":"t","arguments":{"a":1},"_meta":{"k":1}}"#,
        );
        let retry = digest(
            "tools/call",
            r#"{"name":"t","arguments":{"a":1},"_meta":{"k":2},"requestState":"x","inputResponses":{"q":{}}}"#,
        );
        assert_eq!(first, retry);
        // Other methods cover nothing in params: absent params and a retry's params agree.
        assert_eq!(
            salient_params_digest("sampling/anything", None),
            digest("sampling/anything", r#"{"requestState":"x","cursor":"c"}"#)
        );
    }

    #[test]
    fn salient_members_and_method_matter() {
        let base = digest("tools/call", r#"{"name":"t","arguments":{"a":1}}"#);
        for other in [
            digest("tools/call", r#"{"name":"u","arguments":{"a":1}}"#),
            digest("tools/call", r#"{"name":"t","arguments":{"a":2}}"#),
            digest("tools/call", r#"{"name":"t","arguments":{"a":"1"}}"#),
            digest("tools/call", r#"{"name":"t","arguments":{"a":1.0}}"#),
            digest("tools/call", r#"{"name":"t"}"#),
            digest("tools/call", r#"{"name":"t","arguments":{}}"#),
            digest("tools/call", r#"{"name":"t","arguments":null}"#),
            digest("prompts/get", r#"{"name":"t","arguments":{"a":1}}"#),
        ] {
            assert_ne!(base, other);
        }
        assert_ne!(
            digest("resources/read", r#"{"uri":"file:///a"}"#),
            digest("resources/read", r#"{"uri":"file:///b"}"#)
        );
        // `name` only matters where it identifies the request.
        assert_eq!(
            digest("resources/read", r#"{"uri":"u","name":"x"}"#),
            digest("resources/read", r#"{"uri":"u","name":"y"}"#)
        );
    }

    #[test]
    fn missing_malformed_and_duplicated_are_distinct() {
        let cases = [
            digest("tools/call", r#"{}"#),
            digest("tools/call", r#"{"name":null}"#),
            digest("tools/call", r#"{"name":1}"#),
            digest("tools/call", r#"{"name":"1"}"#),
            digest("tools/call", r#"{"name":["1"]}"#),
            digest("tools/call", r#"{"name":"1","name":"1"}"#),
            digest("tools/call", r#"{"name":"1","name":"2"}"#),
            // Concatenation ambiguity: a name that looks like an encoded name + arguments.
            digest("tools/call", r#"{"name":"ab"}"#),
            digest("tools/call", r#"{"name":"a","arguments":"b"}"#),
        ];
        for (i, a) in cases.iter().enumerate() {
            for b in cases.iter().skip(i + 1) {
                assert_ne!(a, b);
            }
        }
        assert_eq!(salient_params_digest("tools/call", None), cases[0]);
    }

    #[test]
    fn unparsably_deep_values_still_bind() {
        let deep = |open: &str| {
            let mut text = alloc::string::String::from(r#"{"name":"t","arguments":"#);
            text.push_str(&open.repeat(200));
            text.push_str(&"]".repeat(200));
            text.push('}');
            text
        };
        // Deeper than serde_json's limit: hashed as raw text, deterministically.
        let a = digest("tools/call", &deep("["));
        assert_eq!(a, digest("tools/call", &deep("[")));
        assert_ne!(a, digest("tools/call", r#"{"name":"t"}"#));
    }
}
