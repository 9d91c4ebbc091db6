//! The decoder's fast path: one hand-written pass that checks a message is valid JSON and
//! reads its envelope, for messages of the plain shape peers send.
//!
//! It accepts a subset of what the serde path accepts, and for that subset returns
//! exactly the [`Envelope`] the serde path returns (property-tested against it below).
//! The subset:
//! - every key of the envelope, of `params` or `result`, and of their `_meta`, is written
//!   without escapes and without control bytes;
//! - no envelope member appears twice;
//! - `params` and `result` are objects, each with at most one `_meta`, which is an object
//!   with members;
//! - values nest at most [`MAX_DEPTH`] deep.
//!
//! On any other text, valid or not, the reader answers `None` and the serde path decodes
//! it, with its errors and their positions. Nested values, strings with escapes included,
//! are checked as serde_json checks a value it skips: the JSON grammar, and no control
//! byte in a string (escapes `\uXXXX` are not paired up, as serde_json does not pair them
//! when it skips).
//!
//! The reader only moves forward through its text with bounds-checked reads and returns
//! `None` at its end: no input makes it panic or allocate.

use super::{Envelope, MetaPayload, Payload, member_cut};
use crate::jsonrpc::message::ResultMembers;
use crate::jsonrpc::scan::{is_whitespace, plain_run};
use crate::types::meta::{INDEXED_KEY_COUNT, MetaIndex, indexed_slot};

/// How deep values may nest before the text is left to serde_json (which skips nested
/// values without a limit). Bounds this reader's recursion.
const MAX_DEPTH: u32 = 64;

/// The envelope of `input`, or `None` when the text is not of the plain shape (or not
/// valid JSON) and the serde path must read it.
pub(super) fn envelope(input: &str) -> Option<Envelope<'_>> {
    // Offsets inside `_meta` are kept as `u32`.
    u32::try_from(input.len()).ok()?;
    let mut reader = Reader { input, at: 0 };
    let mut envelope = Envelope::default();
    reader.skip_whitespace();
    reader.expect(b'{')?;
    if !reader.close(b'}') {
        loop {
            match reader.key()? {
                "jsonrpc" => once(&mut envelope.jsonrpc, reader.value(1)?)?,
                "id" => once(&mut envelope.id, reader.value(1)?)?,
                "method" => once(&mut envelope.method, reader.value(1)?)?,
                "error" => once(&mut envelope.error, reader.value(1)?)?,
                "params" => once(&mut envelope.params, reader.payload()?)?,
                "result" => once(&mut envelope.result, reader.payload()?)?,
                _ => {
                    reader.value(1)?;
                }
            }
            if !reader.next_member(b'}')? {
                break;
            }
        }
    }
    reader.skip_whitespace();
    (reader.at == input.len()).then_some(envelope)
}

/// Fills an empty slot; a second value leaves the text to the serde path, which reports
/// the duplicate.
fn once<T>(slot: &mut Option<T>, value: T) -> Option<()> {
    if slot.is_some() {
        return None;
    }
    *slot = Some(value);
    Some(())
}

/// A cursor over the message text.
struct Reader<'a> {
    input: &'a str,
    at: usize,
}

impl<'a> Reader<'a> {
    fn peek(&self) -> Option<u8> {
        self.input.as_bytes().get(self.at).copied()
    }

    fn skip_whitespace(&mut self) {
        while self.peek().is_some_and(is_whitespace) {
            self.at += 1;
        }
    }

    /// Consumes `wanted`, the next byte.
    fn expect(&mut self, wanted: u8) -> Option<()> {
        (self.peek()? == wanted).then(|| self.at += 1)
    }

    /// Consumes `closing` (after whitespace) when it comes next.
    fn close(&mut self, closing: u8) -> bool {
        self.skip_whitespace();
        let closed = self.peek() == Some(closing);
        if closed {
            self.at += 1;
        }
        closed
    }

    /// After a member or element: true at a comma (another one follows), false at
    /// `closing` (the container ends), `None` at anything else.
    fn next_member(&mut self, closing: u8) -> Option<bool> {
        self.skip_whitespace();
        let byte = self.peek()?;
        self.at += 1;
        match byte {
            b',' => Some(true),
            _ if byte == closing => Some(false),
            _ => None,
        }
    }

    /// A key written without escapes, with the colon after it: the key's text, the reader
    /// at its value.
    fn key(&mut self) -> Option<&'a str> {
        self.skip_whitespace();
        self.expect(b'"')?;
        let start = self.at;
        self.skip_plain();
        if self.peek()? != b'"' {
            return None;
        }
        let key = self.input.get(start..self.at)?;
        self.at += 1;
        self.skip_whitespace();
        self.expect(b':')?;
        self.skip_whitespace();
        Some(key)
    }

    /// Steps over string bytes that need no attention (neither `"`, `\` nor a control
    /// byte).
    fn skip_plain(&mut self) {
        self.at = plain_run(self.input.as_bytes(), self.at);
    }

    /// Steps over one string, the reader at its opening quote, checking its escapes.
    fn string(&mut self) -> Option<()> {
        self.expect(b'"')?;
        loop {
            self.skip_plain();
            match self.peek()? {
                b'"' => {
                    self.at += 1;
                    return Some(());
                }
                b'\\' => {
                    self.at += 1;
                    match self.peek()? {
                        b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => self.at += 1,
                        b'u' => {
                            let hex = self.input.as_bytes().get(self.at + 1..self.at + 5)?;
                            if !hex.iter().all(u8::is_ascii_hexdigit) {
                                return None;
                            }
                            self.at += 5;
                        }
                        _ => return None,
                    }
                }
                // A control byte.
                _ => return None,
            }
        }
    }

    /// Steps over one or more digits.
    fn digits(&mut self) -> Option<()> {
        if !self.peek()?.is_ascii_digit() {
            return None;
        }
        while self.peek().is_some_and(|byte| byte.is_ascii_digit()) {
            self.at += 1;
        }
        Some(())
    }

    /// Steps over one number: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
    fn number(&mut self) -> Option<()> {
        if self.peek()? == b'-' {
            self.at += 1;
        }
        match self.peek()? {
            b'0' => self.at += 1,
            b'1'..=b'9' => self.digits()?,
            _ => return None,
        }
        if self.peek() == Some(b'.') {
            self.at += 1;
            self.digits()?;
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.at += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.at += 1;
            }
            self.digits()?;
        }
        Some(())
    }

    /// Steps over `word`, a literal.
    fn literal(&mut self, word: &str) -> Option<()> {
        let rest = self.input.as_bytes().get(self.at..)?;
        rest.starts_with(word.as_bytes())
            .then(|| self.at += word.len())
    }

    /// Steps over an object or an array at nesting level `depth`, the reader at its
    /// opening byte: `entry` reads each member or element, up to `closing`.
    fn container(
        &mut self,
        depth: u32,
        closing: u8,
        mut entry: impl FnMut(&mut Self) -> Option<()>,
    ) -> Option<()> {
        if depth >= MAX_DEPTH {
            return None;
        }
        self.at += 1;
        if self.close(closing) {
            return Some(());
        }
        loop {
            self.skip_whitespace();
            entry(self)?;
            if !self.next_member(closing)? {
                return Some(());
            }
        }
    }

    /// Steps over one value at nesting level `depth`, checking it.
    fn skip_value(&mut self, depth: u32) -> Option<()> {
        match self.peek()? {
            b'"' => self.string(),
            b'{' => self.container(depth, b'}', |reader| {
                reader.string()?;
                reader.skip_whitespace();
                reader.expect(b':')?;
                reader.skip_whitespace();
                reader.skip_value(depth + 1)
            }),
            b'[' => self.container(depth, b']', |reader| reader.skip_value(depth + 1)),
            b't' => self.literal("true"),
            b'f' => self.literal("false"),
            b'n' => self.literal("null"),
            b'-' | b'0'..=b'9' => self.number(),
            _ => None,
        }
    }

    /// One value, checked: its raw text.
    fn value(&mut self, depth: u32) -> Option<&'a str> {
        let start = self.at;
        self.skip_value(depth)?;
        self.input.get(start..self.at)
    }

    /// A `params` or `result` object, read as the serde path's payload visitor reads it.
    fn payload(&mut self) -> Option<Payload<'a>> {
        let start = self.at;
        self.expect(b'{')?;
        let mut meta = None;
        let mut result_type = None;
        let mut members = ResultMembers::default();
        // The `_meta` member's key start and value end.
        let mut meta_member = None;
        if !self.close(b'}') {
            loop {
                self.skip_whitespace();
                let key_start = self.at;
                match self.key()? {
                    "_meta" => {
                        if meta.is_some() {
                            return None;
                        }
                        meta = Some(self.meta()?);
                        meta_member = Some((key_start, self.at));
                    }
                    "resultType" => {
                        let value = self.value(2)?;
                        result_type.get_or_insert(value);
                    }
                    key => {
                        self.value(2)?;
                        match key {
                            "ttlMs" => members.ttl_ms = true,
                            "cacheScope" => members.cache_scope = true,
                            "task" => members.task = true,
                            _ => {}
                        }
                    }
                }
                if !self.next_member(b'}')? {
                    break;
                }
            }
        }
        let text = self.input.get(start..self.at)?;
        let meta_cut = match meta_member {
            Some((key, value_end)) => {
                let (from, to) = member_cut(self.input.as_bytes(), key, value_end)?;
                Some((from.checked_sub(start)?, to.checked_sub(start)?))
            }
            None => None,
        };
        Some(Payload::Object {
            text,
            meta,
            result_type,
            members,
            meta_cut,
        })
    }

    /// A `_meta` object with members, its reserved keys indexed (first occurrence).
    fn meta(&mut self) -> Option<MetaPayload<'a>> {
        let start = self.at;
        self.expect(b'{')?;
        if self.close(b'}') {
            return None;
        }
        let mut spans = [(0u32, 0u32); INDEXED_KEY_COUNT];
        loop {
            let key = self.key()?;
            let value_start = self.at;
            self.skip_value(3)?;
            if let Some(span) = indexed_slot(key).and_then(|slot| spans.get_mut(slot)) {
                if *span == (0, 0) {
                    *span = (
                        u32::try_from(value_start - start).ok()?,
                        u32::try_from(self.at - start).ok()?,
                    );
                }
            }
            if !self.next_member(b'}')? {
                break;
            }
        }
        Some(MetaPayload::Object {
            text: self.input.get(start..self.at)?,
            index: MetaIndex::from_spans(spans),
        })
    }
}

#[cfg(test)]
mod tests {
    //! Differential tests: on texts near real messages (escapes, duplicates, bad numbers,
    //! control bytes, truncations and deep nesting included), whatever the plain reader
    //! accepts the serde path accepts too, with an equal envelope.

    use alloc::format;
    use alloc::string::String;
    use alloc::vec::Vec;

    use proptest::prelude::*;
    use proptest::strategy::ValueTree;

    use super::super::{MetaPayload, Payload, serde_envelope};
    use super::envelope;
    use crate::fast_path_tests::object;
    use crate::jsonrpc::scan::plain_run;

    fn whitespace() -> impl Strategy<Value = &'static str> {
        prop::sample::select(&["", "", " ", "\n\t ", "\r"][..])
    }

    fn leaf() -> impl Strategy<Value = String> {
        let valid = prop::sample::select(
            &[
                r#""2.0""#,
                r#""x""#,
                r#""""#,
                r#""a\"b\\c\/d\b\f\n\r\t""#,
                r#""\u00e9\uD800""#,
                "\"é ünïcode\"",
                r#""complete""#,
                r#""input_required""#,
                "0",
                "7",
                "-0",
                "-12.5e+3",
                "1E9",
                "true",
                "false",
                "null",
                "{}",
                "[]",
                "{ }",
                "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
            ][..],
        );
        let invalid = prop::sample::select(
            &[
                r#""\u12G4""#,
                r#""\x""#,
                "\"a\u{1}b\"",
                "01",
                "1.",
                "-",
                "1e",
                ".5",
                "tru",
                "nul",
                "[1,]",
                "{\"a\":1,}",
            ][..],
        );
        prop_oneof![12 => valid, 1 => invalid].prop_map(String::from)
    }

    fn value() -> impl Strategy<Value = String> {
        leaf().prop_recursive(3, 16, 4, |inner| {
            prop_oneof![
                prop::collection::vec((inner.clone(), whitespace()), 0..4).prop_map(|items| {
                    let items: Vec<String> = items
                        .into_iter()
                        .map(|(item, space)| format!("{space}{item}{space}"))
                        .collect();
                    format!("[{}]", items.join(","))
                }),
                prop::collection::vec(
                    (
                        prop::sample::select(&["a", "x\\ny", "_meta"][..]),
                        inner,
                        whitespace()
                    ),
                    0..3
                )
                .prop_map(object),
            ]
        })
    }

    /// Members usually with distinct keys: one object in eight keeps its duplicates.
    fn distinct(
        members: Vec<(&'static str, String, &'static str)>,
        keep_duplicates: u8,
    ) -> Vec<(&'static str, String, &'static str)> {
        if keep_duplicates % 8 == 0 {
            return members;
        }
        let mut seen = Vec::new();
        members
            .into_iter()
            .filter(|(key, _, _)| {
                let new = !seen.contains(key);
                seen.push(*key);
                new
            })
            .collect()
    }

    /// Mostly an object of up to `most - 1` members (usually with distinct keys),
    /// sometimes any other value.
    fn object_or_value(
        member: impl Strategy<Value = (&'static str, String, &'static str)> + 'static,
        most: usize,
    ) -> impl Strategy<Value = String> {
        prop_oneof![
            8 => (prop::collection::vec(member, 0..most), any::<u8>())
                .prop_map(|(members, keep)| object(distinct(members, keep))),
            1 => value(),
        ]
    }

    fn meta() -> impl Strategy<Value = String> {
        let member = (
            prop::sample::select(
                &[
                    "progressToken",
                    "io.modelcontextprotocol/protocolVersion",
                    "io.modelcontextprotocol/clientInfo",
                    "io.modelcontextprotocol/serverInfo",
                    "io.modelcontextprotocol/logLevel",
                    "io.modelcontextprotocol/subscriptionId",
                    "vendor/x",
                    "progress\\u0054oken",
                ][..],
            ),
            value(),
            whitespace(),
        );
        object_or_value(member, 5)
    }

    fn payload() -> impl Strategy<Value = String> {
        let member = prop_oneof![
            5 => (Just("_meta"), meta(), whitespace()),
            4 => (
                prop::sample::select(&[
                    "resultType", "ttlMs", "cacheScope", "task", "name", "arguments",
                    "content", "\\u005fmeta", "",
                ][..]),
                value(),
                whitespace(),
            ),
        ];
        object_or_value(member, 4)
    }

    /// A text near a JSON-RPC message, sometimes cut short or with a stray byte.
    fn message() -> impl Strategy<Value = String> {
        let member = prop_oneof![
            2 => (Just("jsonrpc"), prop::sample::select(&[r#""2.0""#, r#""2.\u0030""#, "2"][..]).prop_map(String::from), whitespace()),
            2 => (Just("id"), prop::sample::select(&["1", r#""a-1""#, "null", "1.5", "-0", "[]"][..]).prop_map(String::from), whitespace()),
            2 => (Just("method"), prop::sample::select(&[r#""tools/call""#, r#""t\u006fols/list""#, "1"][..]).prop_map(String::from), whitespace()),
            5 => (prop::sample::select(&["params", "result"][..]), payload(), whitespace()),
            1 => (prop::sample::select(&["error", "x", "i\\u0064", "jsonrpc"][..]), value(), whitespace()),
        ];
        let text = (prop::collection::vec(member, 0..6), any::<u8>())
            .prop_map(|(members, keep)| object(distinct(members, keep)));
        (
            text,
            0..20usize,
            any::<u16>(),
            prop::sample::select(&[b'}', b',', b'"', b'\\', 1u8, b' '][..]),
        )
            .prop_map(|(text, damage, at, byte)| {
                let at = usize::from(at) % (text.len() + 1);
                match damage {
                    // Cut short, on a character boundary.
                    0 => text
                        .char_indices()
                        .map(|(i, _)| i)
                        .take_while(|i| *i <= at)
                        .last()
                        .map_or(text.clone(), |cut| String::from(&text[..cut])),
                    // A stray byte (ASCII, so the text stays UTF-8).
                    1 if text.is_char_boundary(at) => {
                        let mut text = text;
                        text.insert(at, char::from(byte));
                        text
                    }
                    2 => format!(" {text} \n"),
                    3 => format!("{text}{text}"),
                    _ => text,
                }
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4096))]

        #[test]
        fn plain_runs_stop_where_a_byte_loop_stops(
            bytes in prop::collection::vec(
                prop_oneof![8 => 0x20u8..=0xff, 1 => Just(b'"'), 1 => Just(b'\\'), 1 => 0u8..0x20],
                0..40,
            ),
            start in 0usize..40,
        ) {
            let start = start.min(bytes.len());
            let expected = bytes
                .iter()
                .skip(start)
                .position(|&byte| byte < 0x20 || byte == b'"' || byte == b'\\')
                .map_or(bytes.len(), |offset| start + offset);
            prop_assert_eq!(plain_run(&bytes, start), expected);
        }

        #[test]
        fn what_the_plain_reader_accepts_serde_reads_alike(text in message()) {
            if let Some(plain) = envelope(&text) {
                let Ok(serde) = serde_envelope(&text) else {
                    return Err(TestCaseError::fail(format!("serde refuses {text}")));
                };
                prop_assert_eq!(plain, serde, "{}", text);
            }
        }
    }

    #[test]
    fn the_generator_reaches_both_paths() {
        let mut runner = proptest::test_runner::TestRunner::deterministic();
        let (mut accepted, mut left, mut with_meta) = (0, 0, 0);
        for _ in 0..4000 {
            let text = message().new_tree(&mut runner).unwrap().current();
            match envelope(&text) {
                Some(found) => {
                    accepted += 1;
                    let indexed = |payload: &Option<Payload<'_>>| {
                        matches!(
                            payload,
                            Some(Payload::Object {
                                meta: Some(MetaPayload::Object { .. }),
                                ..
                            })
                        )
                    };
                    with_meta += usize::from(indexed(&found.params) || indexed(&found.result));
                }
                None => left += 1,
            }
        }
        assert!(accepted > 400, "{accepted} accepted");
        assert!(left > 400, "{left} left to serde");
        assert!(
            with_meta > 100,
            "{with_meta} accepted with an indexed _meta, {accepted} in all"
        );
    }

    #[test]
    fn real_messages_take_the_plain_path() {
        for text in [
            r#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"text":"hello"},"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{},"io.modelcontextprotocol/clientInfo":{"name":"bench","version":"1.0.0"}}}}"#,
            r#"{"jsonrpc":"2.0","id":1,"result":{"content":[{"type":"text","text":"line\nnext \"quoted\""}],"resultType":"complete","_meta":{"io.modelcontextprotocol/serverInfo":{"name":"bench-echo","version":"1.0.0"}}}}"#,
            r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#,
            r#"{"jsonrpc":"2.0","id":"a","error":{"code":-32602,"message":"bad","data":{"x":[1.5e3,null,true]}}}"#,
        ] {
            let plain = envelope(text).unwrap_or_else(|| panic!("left to serde: {text}"));
            assert_eq!(Ok(plain), serde_envelope(text), "{text}");
        }
        // Each left to serde, which answers these (an error or an equal envelope).
        for text in [
            r#"{"jsonrpc":"2.0","jsonrpc":"2.0","id":1,"method":"m"}"#,
            r#"{"jsonrpc":"2.0","id":1,"method":"m","params":{"_meta":{}}}"#,
            r#"{"jsonrpc":"2.0","id":1,"method":"m","params":{"\u005fmeta":{"a":1}}}"#,
            r#"{"jsonrpc":"2.0","id":1,"method":"m","params":[]}"#,
            r#"{"jsonrpc":"2.0","id":01,"method":"m"}"#,
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"a\u{1}\"}",
            r#"{"jsonrpc":"2.0","id":1,"method":"m"} x"#,
        ] {
            assert!(envelope(text).is_none(), "{text}");
        }
    }
}
