//! Editing the members of a JSON object's text without building a tree.
//!
//! Results and `_meta` objects arrive as raw text; adding `resultType`, removing cache
//! hints or stamping `serverInfo` must neither re-encode nor lose the other members (a
//! number a tree cannot hold, key order, escapes), so edits splice member texts.

use alloc::string::String;
use alloc::vec::Vec;

use crate::jsonrpc::scan::{is_key, object_entries};

/// Rewrites the object `text` without the members named in `remove`, then with each
/// `(key, raw value)` of `add` appended (replacing any member of that key). `None` when
/// `text` is not an object. Every added value must be valid JSON text.
pub(crate) fn splice_object(text: &str, remove: &[&str], add: &[(&str, &str)]) -> Option<String> {
    let entries = object_entries(text)?;
    Some(write_object(&entries, remove, add, text.len()))
}

/// The object made of `entries` (each a quoted key and a raw value, as
/// [`object_entries`] gives them) without the members named in `remove` or in `add`, then
/// with each `(key, raw value)` of `add` appended: what [`splice_object`] writes, for a
/// caller that has walked the object already. Written compactly (`"key":value`, joined
/// by `,`); valid JSON whenever the entries and the added values are.
pub(crate) fn write_object(
    entries: &[(&str, &str)],
    remove: &[&str],
    add: &[(&str, &str)],
    capacity: usize,
) -> String {
    let added: usize = add.iter().map(|(key, raw)| key.len() + raw.len() + 4).sum();
    let mut out = String::with_capacity(capacity + added + 2);
    out.push('{');
    let dropped = |quoted: &str| {
        remove.iter().any(|key| is_key(quoted, key))
            || add.iter().any(|(key, _)| is_key(quoted, key))
    };
    for (quoted, raw) in entries.iter().filter(|(quoted, _)| !dropped(quoted)) {
        if out.len() > 1 {
            out.push(',');
        }
        out.push_str(quoted);
        out.push(':');
        out.push_str(raw);
    }
    for (key, raw) in add {
        if out.len() > 1 {
            out.push(',');
        }
        push_quoted(&mut out, key);
        out.push(':');
        out.push_str(raw);
    }
    out.push('}');
    out
}

/// Appends `key` as a JSON string, exactly as serde_json writes it.
pub(crate) fn push_quoted(out: &mut String, key: &str) {
    // serde_json escapes only `"`, `\` and control characters.
    if key.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\') {
        out.push('"');
        out.push_str(key);
        out.push('"');
    } else {
        // A string always serialises.
        out.push_str(&serde_json::to_string(key).unwrap_or_default());
    }
}

/// The text of the object `text` up to its closing brace (left out), and whether the
/// object has no members: where members are appended without rewriting it. `None` when
/// the text does not open and close as an object.
pub(crate) fn open_object(text: &str) -> Option<(&str, bool)> {
    let open = text.trim_end().strip_suffix('}')?;
    let inner = open.trim_start().strip_prefix('{')?;
    Some((open, inner.trim().is_empty()))
}

/// Appends `text` as a JSON string, escaped exactly as serde_json escapes it: `"` and
/// `\\`, the control bytes (`\\b`, `\\f`, `\\n`, `\\r`, `\\t` in short, the others as
/// `\\u00xx`), nothing else.
pub(crate) fn push_json_string(out: &mut Vec<u8>, text: &str) {
    let hex = |nibble: u8| match nibble {
        0..10 => b'0' + nibble,
        _ => b'a' + (nibble - 10),
    };
    out.push(b'"');
    let bytes = text.as_bytes();
    let mut plain_from = 0;
    let mut unicode = [b'\\', b'u', b'0', b'0', 0, 0];
    for (at, &byte) in bytes.iter().enumerate() {
        let escape: &[u8] = match byte {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            0x08 => b"\\b",
            0x0c => b"\\f",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0..0x20 => {
                unicode[4] = hex(byte >> 4);
                unicode[5] = hex(byte & 0xf);
                &unicode
            }
            _ => continue,
        };
        out.extend_from_slice(bytes.get(plain_from..at).unwrap_or_default());
        out.extend_from_slice(escape);
        plain_from = at + 1;
    }
    out.extend_from_slice(bytes.get(plain_from..).unwrap_or_default());
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_objects_lose_only_their_closing_brace() {
        assert_eq!(open_object(r#"{"a":1}"#), Some((r#"{"a":1"#, false)));
        assert_eq!(open_object(" { } \n"), Some((" { ", true)));
        assert_eq!(open_object("{}"), Some(("{", true)));
        assert_eq!(open_object("[]"), None);
        assert_eq!(open_object("{"), None);
    }

    #[test]
    fn strings_are_escaped_as_serde_json_escapes_them() {
        let every_byte: String = (0u8..=0x7f).map(char::from).collect();
        for text in [
            every_byte.as_str(),
            "",
            "plain",
            "é 🦀 \u{2028}\u{7f}",
            "\"\\/",
        ] {
            let mut out = Vec::new();
            push_json_string(&mut out, text);
            assert_eq!(
                String::from_utf8(out).unwrap(),
                serde_json::to_string(text).unwrap()
            );
        }
    }

    #[test]
    fn removes_replaces_and_appends_members_verbatim() {
        let text = r#"{ "a" : 1e400, "resultType":"complete", "b":{"c":[1, 2]} }"#;
        let spliced = splice_object(text, &["resultType"], &[("b", "true"), ("d", "\"x\"")]);
        assert_eq!(spliced.as_deref(), Some(r#"{"a":1e400,"b":true,"d":"x"}"#));
        assert_eq!(
            splice_object("{}", &[], &[("k", "0")]).as_deref(),
            Some(r#"{"k":0}"#)
        );
        assert_eq!(splice_object("[1]", &[], &[]), None);
    }

    #[test]
    fn quotes_keys_as_serde_json_does() {
        for key in [
            "plain",
            "",
            "é/ü",
            "quo\"te",
            "back\\slash",
            "tab\there",
            "\u{1}",
        ] {
            let mut out = String::new();
            push_quoted(&mut out, key);
            assert_eq!(out, serde_json::to_string(key).unwrap(), "{key:?}");
        }
    }

    #[test]
    fn spliced_text_is_valid_json() {
        let text = r#"{"a\"b":"x\\y","n":-0.5E+3,"o":{"k":[true,null]},"a\"b":2}"#;
        let entries = object_entries(text).unwrap();
        for remove in [&[][..], &["a\"b"][..], &["n", "o"][..]] {
            let written = write_object(&entries, remove, &[("new\u{1}", "{\"x\":[]}")], 0);
            let value: serde_json::Value = serde_json::from_str(&written).unwrap();
            assert_eq!(value["new\u{1}"], serde_json::json!({"x": []}));
        }
    }
}
