//! Finding top-level members of an already validated JSON object without building it.
//!
//! The decoder first lets serde_json check the whole message and capture `params` or
//! `result` as raw text. To read `_meta` or `resultType` out of that text it then walks
//! only the top level of the object, jumping over nested values and long strings with
//! `memchr`, so a 64 KiB tool result costs a memory scan rather than a second parse.
//!
//! Every function here is total: on text that is not the valid JSON it expects, it returns
//! `None` rather than panicking.

use memchr::memchr2;

/// Returns the raw value text of each of `keys` at the top level of the JSON object
/// `text`; keys that are absent give `None`. Keys are compared after unescaping.
pub(crate) fn object_members<'a, const N: usize>(
    text: &'a str,
    keys: [&str; N],
) -> [Option<&'a str>; N] {
    let mut found = [None; N];
    let mut missing = N;
    // Only the first occurrence of a key counts, so the walk stops once every key is
    // found: nothing after that can change the answer (and text that is malformed
    // further on gives what was found before it either way).
    let _ = walk_until(text, |key, value| {
        for (wanted, slot) in keys.iter().zip(found.iter_mut()) {
            if slot.is_none() && key_matches(key, wanted) {
                *slot = Some(value);
                missing -= 1;
            }
        }
        missing == 0
    });
    found
}

/// Every top-level member of the JSON object `text` as (quoted key, value) raw text, in
/// order; `None` when `text` is not an object.
pub(crate) fn object_entries(text: &str) -> Option<alloc::vec::Vec<(&str, &str)>> {
    // Results and `_meta` objects hold a handful of members: one allocation, no growth.
    let mut entries = alloc::vec::Vec::with_capacity(8);
    walk(text, |key, value| entries.push((key, value)))?;
    Some(entries)
}

/// True when the quoted JSON key `quoted` names `wanted`.
pub(crate) fn is_key(quoted: &str, wanted: &str) -> bool {
    key_matches(quoted, wanted)
}

/// Calls `member` with the quoted key and raw value of each top-level member, in order.
pub(crate) fn walk<'a>(text: &'a str, mut member: impl FnMut(&'a str, &'a str)) -> Option<()> {
    walk_until(text, |key, value| {
        member(key, value);
        false
    })
}

/// [`walk`], stopping early (with `Some`) once `member` returns true.
fn walk_until<'a>(text: &'a str, mut member: impl FnMut(&'a str, &'a str) -> bool) -> Option<()> {
    let bytes = text.as_bytes();
    let mut at = skip_whitespace(bytes, 0);
    if *bytes.get(at)? != b'{' {
        return None;
    }
    at += 1;
    loop {
        at = skip_whitespace(bytes, at);
        match *bytes.get(at)? {
            b'}' => return Some(()),
            b'"' => {}
            _ => return None,
        }
        let key_end = string_end(bytes, at)?;
        let key = text.get(at..key_end)?;
        at = skip_whitespace(bytes, key_end);
        if *bytes.get(at)? != b':' {
            return None;
        }
        at = skip_whitespace(bytes, at + 1);
        let value_end = value_end(bytes, at)?;
        if member(key, text.get(at..value_end)?) {
            return Some(());
        }
        at = skip_whitespace(bytes, value_end);
        match *bytes.get(at)? {
            b',' => at += 1,
            b'}' => return Some(()),
            _ => return None,
        }
    }
}

/// A one-pass reader of JSON text of a fixed, plain shape, for fast paths that accept
/// only text they are sure of and leave everything else to serde: each step returns
/// `None` as soon as the text leaves the expected shape. Strings must hold no backslash
/// (and no control byte), so a string's text is the bytes between its quotes and a key
/// compares as written.
pub(crate) struct Plain<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> Plain<'a> {
    /// A reader at the start of `text`.
    pub(crate) fn new(text: &'a str) -> Self {
        Plain { text, at: 0 }
    }

    fn skip_whitespace(&mut self) {
        self.at = skip_whitespace(self.text.as_bytes(), self.at);
    }

    /// True when only whitespace is left.
    pub(crate) fn at_end(&mut self) -> bool {
        self.skip_whitespace();
        self.at == self.text.len()
    }

    /// The next non-whitespace byte, consumed.
    fn next(&mut self) -> Option<u8> {
        self.skip_whitespace();
        let byte = *self.text.as_bytes().get(self.at)?;
        self.at += 1;
        Some(byte)
    }

    /// Consumes `wanted`, the next non-whitespace byte.
    pub(crate) fn expect(&mut self, wanted: u8) -> Option<()> {
        (self.next()? == wanted).then_some(())
    }

    /// Consumes `closing` when it is the next non-whitespace byte.
    fn close(&mut self, closing: u8) -> bool {
        self.skip_whitespace();
        let closed = self.text.as_bytes().get(self.at) == Some(&closing);
        if closed {
            self.at += 1;
        }
        closed
    }

    /// A string without backslashes or control bytes: its text.
    pub(crate) fn string(&mut self) -> Option<&'a str> {
        self.expect(b'"')?;
        let start = self.at;
        self.at = plain_run(self.text.as_bytes(), self.at);
        if *self.text.as_bytes().get(self.at)? != b'"' {
            return None;
        }
        let inner = self.text.get(start..self.at)?;
        self.at += 1;
        Some(inner)
    }

    /// `true` or `false`, ending where a member or element does.
    pub(crate) fn boolean(&mut self) -> Option<bool> {
        self.skip_whitespace();
        let rest = self.text.as_bytes().get(self.at..)?;
        let (value, length) = if rest.starts_with(b"true") {
            (true, 4)
        } else if rest.starts_with(b"false") {
            (false, 5)
        } else {
            return None;
        };
        self.at += length;
        match self.text.as_bytes().get(self.at) {
            Some(b',' | b'}' | b']') => Some(value),
            Some(byte) if is_whitespace(*byte) => Some(value),
            _ => None,
        }
    }

    /// Any one value, skipped over unchecked (the text must be valid JSON): its raw text.
    pub(crate) fn value(&mut self) -> Option<&'a str> {
        self.skip_whitespace();
        let start = self.at;
        self.at = value_end(self.text.as_bytes(), start)?;
        self.text.get(start..self.at)
    }

    /// Steps over `value`, the complete text of one JSON object or array, when the text
    /// goes on with exactly it (a complete object or array ends where its text does).
    pub(crate) fn skip_exactly(&mut self, value: &str) -> Option<()> {
        self.skip_whitespace();
        let composite = value.starts_with('{') || value.starts_with('[');
        let rest = self.text.get(self.at..)?;
        (composite && rest.starts_with(value)).then(|| self.at += value.len())
    }

    /// Calls `member` with each key of an object (the reader then at its value), after
    /// the object's opening brace.
    pub(crate) fn members(
        &mut self,
        mut member: impl FnMut(&mut Self, &'a str) -> Option<()>,
    ) -> Option<()> {
        if self.close(b'}') {
            return Some(());
        }
        loop {
            let key = self.string()?;
            self.expect(b':')?;
            member(self, key)?;
            match self.next()? {
                b',' => {}
                b'}' => return Some(()),
                _ => return None,
            }
        }
    }

    /// Calls `element` at each element of an array.
    pub(crate) fn elements(
        &mut self,
        mut element: impl FnMut(&mut Self) -> Option<()>,
    ) -> Option<()> {
        self.expect(b'[')?;
        if self.close(b']') {
            return Some(());
        }
        loop {
            element(self)?;
            match self.next()? {
                b',' => {}
                b']' => return Some(()),
                _ => return None,
            }
        }
    }

    /// True when the text is `{}` (whitespace allowed).
    pub(crate) fn is_empty_object(text: &str) -> bool {
        let mut plain = Plain::new(text);
        plain.expect(b'{').is_some() && plain.close(b'}') && plain.at_end()
    }
}

/// The index of the first byte at or after `at` that is `"`, `\` or a control byte (or the
/// end): eight bytes at a time while eight remain, then one at a time.
///
/// In each eight-byte word, a byte's high bit is marked where it is `"` or `\` (zero
/// after the XOR) or below 0x20. A borrow can only mark a byte above one that really is
/// marked, so the lowest mark is exact.
pub(crate) fn plain_run(bytes: &[u8], mut at: usize) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = ONES * 0x80;
    while let Some(chunk) = bytes.get(at..).and_then(<[u8]>::first_chunk::<8>) {
        let word = u64::from_le_bytes(*chunk);
        let quote = word ^ (ONES * u64::from(b'"'));
        let backslash = word ^ (ONES * u64::from(b'\\'));
        let marked = (quote.wrapping_sub(ONES) & !quote)
            | (backslash.wrapping_sub(ONES) & !backslash)
            | (word.wrapping_sub(ONES * 0x20) & !word);
        let marked = marked & HIGHS;
        if marked != 0 {
            // The lowest mark is a real one: the first byte to attend to.
            return at + (marked.trailing_zeros() / 8) as usize;
        }
        at += 8;
    }
    while bytes
        .get(at)
        .is_some_and(|&byte| byte >= 0x20 && byte != b'"' && byte != b'\\')
    {
        at += 1;
    }
    at
}

/// Compares a quoted JSON key with a plain string, unescaping only when needed.
fn key_matches(quoted: &str, wanted: &str) -> bool {
    let inner = quoted.get(1..quoted.len().saturating_sub(1)).unwrap_or("");
    if !inner.contains('\\') {
        return inner == wanted;
    }
    serde_json::from_str::<alloc::string::String>(quoted).is_ok_and(|key| key == wanted)
}

/// The text of the raw JSON value `raw` (one valid JSON value, no surrounding
/// whitespace) when it is a string without escapes: the bytes between its quotes, which
/// is then exactly the string. `None` for any other value, or a string with a backslash
/// (decode those with serde_json).
pub(crate) fn plain_string(raw: &str) -> Option<&str> {
    raw.strip_prefix('"')
        .and_then(|rest| rest.strip_suffix('"'))
        .filter(|inner| !inner.contains('\\'))
}

/// JSON's four whitespace bytes.
pub(crate) fn is_whitespace(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\n' | b'\r')
}

/// The index of the first non-whitespace byte at or after `at`.
pub(crate) fn skip_whitespace(bytes: &[u8], mut at: usize) -> usize {
    while bytes.get(at).copied().is_some_and(is_whitespace) {
        at += 1;
    }
    at
}

/// `at` is an opening quote; returns the index just past the closing quote.
fn string_end(bytes: &[u8], at: usize) -> Option<usize> {
    let mut cursor = at + 1;
    loop {
        let offset = memchr2(b'"', b'\\', bytes.get(cursor..)?)?;
        let hit = cursor + offset;
        if *bytes.get(hit)? == b'"' {
            return Some(hit + 1);
        }
        cursor = hit + 2;
    }
}

/// Returns the index just past the JSON value starting at `at`.
fn value_end(bytes: &[u8], at: usize) -> Option<usize> {
    match *bytes.get(at)? {
        b'"' => string_end(bytes, at),
        b'{' | b'[' => {
            let mut depth = 0usize;
            let mut cursor = at;
            loop {
                match *bytes.get(cursor)? {
                    b'"' => {
                        cursor = string_end(bytes, cursor)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth = depth.checked_sub(1)?;
                        if depth == 0 {
                            return Some(cursor + 1);
                        }
                    }
                    _ => {}
                }
                cursor += 1;
            }
        }
        _ => {
            let mut cursor = at;
            while let Some(b) = bytes.get(cursor) {
                if matches!(b, b',' | b'}' | b']') || is_whitespace(*b) {
                    break;
                }
                cursor += 1;
            }
            (cursor > at).then_some(cursor)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_top_level_members_only() {
        let text = r#" { "a" : {"resultType":"x","_meta":1}, "s":"q\"uo\\te}", "_meta" : {"k":[1,{"x":"]"}]},
            "resultType":"complete", "n": -1.5e3, "t": true } "#;
        let [meta, result_type, missing, n] =
            object_members(text, ["_meta", "resultType", "missing", "n"]);
        assert_eq!(meta, Some(r#"{"k":[1,{"x":"]"}]}"#));
        assert_eq!(result_type, Some(r#""complete""#));
        assert_eq!(missing, None);
        assert_eq!(n, Some("-1.5e3"));
    }

    #[test]
    fn stops_once_every_key_is_found() {
        // Whatever follows the last wanted key, even broken text, changes nothing.
        let [a, b] = object_members(r#"{"a":1,"b":[2],"a":3,"c":}"#, ["a", "b"]);
        assert_eq!((a, b), (Some("1"), Some("[2]")));
        let [a, missing] = object_members(r#"{"a":1,"c":}"#, ["a", "z"]);
        assert_eq!((a, missing), (Some("1"), None));
        assert!(object_entries(r#"{"a":1,"c":}"#).is_none());
    }

    #[test]
    fn plain_strings_read_as_serde_json_reads_them() {
        for raw in [
            r#""2.0""#,
            r#""""#,
            r#""é""#,
            r#""a\"b""#,
            r#""\u0041""#,
            "1",
            "null",
            "[\"a\"]",
        ] {
            if let Some(plain) = plain_string(raw) {
                assert_eq!(Some(plain), serde_json::from_str::<&str>(raw).ok(), "{raw}");
            } else {
                assert!(!raw.starts_with('"') || raw.contains('\\'), "{raw}");
            }
        }
    }

    #[test]
    fn unescapes_keys() {
        let [meta] = object_members(r#"{"\u005fmeta":{}}"#, ["_meta"]);
        assert_eq!(meta, Some("{}"));
    }

    #[test]
    fn never_panics_on_garbage() {
        for text in [
            "",
            "{",
            "{\"",
            "{\"a\":",
            "{\"a\":[",
            "[]",
            "{\"a\"}",
            "{\"a\":1,",
            "\"\\",
        ] {
            let _ = object_members(text, ["a"]);
        }
    }
}
