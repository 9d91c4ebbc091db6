//! Editing the members of a JSON object's text without building a tree.
//!
//! Results and `_meta` objects arrive as raw text; adding `resultType`, removing cache
//! hints or stamping `serverInfo` must neither re-encode nor lose the other members (a
//! number a tree cannot hold, key order, escapes), so edits splice member texts.

use alloc::string::String;

use crate::jsonrpc::scan::{is_key, object_entries};

/// Rewrites the object `text` without the members named in `remove`, then with each
/// `(key, raw value)` of `add` appended (replacing any member of that key). `None` when
/// `text` is not an object. Every added value must be valid JSON text.
pub(crate) fn splice_object(text: &str, remove: &[&str], add: &[(&str, &str)]) -> Option<String> {
    let entries = object_entries(text)?;
    let mut out = String::with_capacity(text.len() + 64);
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
        // A string always serialises.
        out.push_str(&serde_json::to_string(key).unwrap_or_default());
        out.push(':');
        out.push_str(raw);
    }
    out.push('}');
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
