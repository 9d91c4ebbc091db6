//! Property tests for the JSON-RPC envelope codec and the newline framing.
//!
//! The strategies write JSON text by hand (random whitespace, three escaping styles,
//! unicode, control characters, every number shape) so the decoder sees encodings that
//! serde_json itself never produces, while serde_json's `Value` is the oracle for what
//! `_meta` and `resultType` hold.

use std::collections::HashSet;
use std::fmt::Write as _;

use mcp_proto::framing::{FrameError, LineDecoder, encode_line};
use mcp_proto::json::RawJson;
use mcp_proto::jsonrpc::{
    DecodeError, ErrorCode, ErrorObject, InvalidReason, Message, MessageKind, Outcome, RequestId,
    decode, encode_error, encode_notification, encode_request, encode_result,
};
use mcp_proto::types::{Meta, ResultType};
use proptest::prelude::*;
use proptest::sample::{Index, select};
use proptest::test_runner::TestCaseResult;
use serde::de::IgnoredAny;
use serde_json::Value;

// ---------------------------------------------------------------------------------------
// JSON text
// ---------------------------------------------------------------------------------------

/// How a string literal is escaped.
#[derive(Clone, Copy, Debug)]
enum Escape {
    /// Only what JSON requires: quotes, backslashes, control characters.
    Minimal,
    /// Every character as `\uXXXX` (surrogate pairs above the BMP).
    Unicode,
    /// Even characters as `\uXXXX`, odd ones minimally with `\/` for slashes.
    Mixed,
}

fn escape() -> impl Strategy<Value = Escape> {
    prop_oneof![
        6 => Just(Escape::Minimal),
        1 => Just(Escape::Unicode),
        1 => Just(Escape::Mixed),
    ]
}

/// Characters that stress string escaping.
fn tricky_char() -> impl Strategy<Value = char> {
    prop_oneof![
        5 => proptest::char::range('a', 'z'),
        2 => select(vec!['"', '\\', '/', ' ', '\'', '{', '}', '[', ']', ',', ':', '.']),
        2 => proptest::char::range('\0', '\x1f'),
        1 => Just('\x7f'),
        2 => any::<char>(),
        1 => select(vec![
            'é', 'ß', '€', '\u{2028}', '\u{2029}', '\u{feff}', '\u{ffff}', '😀', '\u{10ffff}',
        ]),
    ]
}

fn text(max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(tricky_char(), 0..max).prop_map(|chars| chars.into_iter().collect())
}

fn string_literal(s: &str, style: Escape) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for (i, c) in s.chars().enumerate() {
        let all = match style {
            Escape::Minimal => false,
            Escape::Unicode => true,
            Escape::Mixed => i % 2 == 0,
        };
        if all {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                let _ = write!(out, "\\u{unit:04x}");
            }
            continue;
        }
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '/' if matches!(style, Escape::Mixed) => out.push_str("\\/"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if c < ' ' => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Insignificant whitespace; raw CR/LF only when `newlines` (framing turns them into spaces).
fn ws(newlines: bool) -> BoxedStrategy<String> {
    let chars = if newlines {
        vec![' ', '\t', '\n', '\r']
    } else {
        vec![' ', '\t']
    };
    prop_oneof![
        5 => Just(String::new()),
        1 => prop::collection::vec(select(chars), 1..4)
            .prop_map(|chars| chars.into_iter().collect::<String>()),
    ]
    .boxed()
}

/// Numbers of every shape, all within the range of an `f64`.
fn number() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<i64>().prop_map(|n| n.to_string()),
        (-1000i64..1000).prop_map(|n| n.to_string()),
        (any::<i32>(), "[0-9]{1,6}").prop_map(|(int, frac)| format!("{int}.{frac}")),
        (
            any::<bool>(),
            0u8..10,
            "[0-9]{0,4}",
            select(vec!["e", "E"]),
            select(vec!["", "+", "-"]),
            0u32..300,
        )
            .prop_map(|(negative, int, frac, e, sign, exp)| {
                let minus = if negative { "-" } else { "" };
                let frac = if frac.is_empty() {
                    String::new()
                } else {
                    format!(".{frac}")
                };
                format!("{minus}{int}{frac}{e}{sign}{exp}")
            }),
        select(vec![
            "0",
            "-0",
            "0.0",
            "-0.0",
            "1e0",
            "18446744073709551615",
            "18446744073709551616",
            "-9223372036854775809",
            "1.7976931348623157e308",
            "5e-324",
        ])
        .prop_map(String::from),
    ]
}

fn key() -> BoxedStrategy<String> {
    prop_oneof![
        2 => select(vec![
            "a", "b", "name", "_meta", "resultType", "id", "method", "jsonrpc", "params",
            "result", "error", "progressToken", "",
        ])
        .prop_map(String::from),
        1 => text(8),
    ]
    .boxed()
}

/// One object member before rendering.
#[derive(Clone, Debug)]
struct Member {
    key: String,
    escape: Escape,
    value: String,
    /// Whitespace before the key, after the key, after the colon, after the value.
    ws: [String; 4],
}

fn member(
    key: BoxedStrategy<String>,
    value: BoxedStrategy<String>,
    newlines: bool,
) -> impl Strategy<Value = Member> {
    (
        key,
        escape(),
        value,
        [ws(newlines), ws(newlines), ws(newlines), ws(newlines)],
    )
        .prop_map(|(key, escape, value, ws)| Member {
            key,
            escape,
            value,
            ws,
        })
}

/// Keeps the first member of each key: duplicate names are left to the explicit tests.
fn dedup(members: Vec<Member>) -> Vec<Member> {
    let mut seen = HashSet::new();
    members
        .into_iter()
        .filter(|m| seen.insert(m.key.clone()))
        .collect()
}

fn render_object(members: &[Member], empty_ws: &str) -> String {
    if members.is_empty() {
        return format!("{{{empty_ws}}}");
    }
    let mut out = String::from("{");
    for (i, m) in members.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&m.ws[0]);
        out.push_str(&string_literal(&m.key, m.escape));
        out.push_str(&m.ws[1]);
        out.push(':');
        out.push_str(&m.ws[2]);
        out.push_str(&m.value);
        out.push_str(&m.ws[3]);
    }
    out.push('}');
    out
}

fn render_array(items: &[(String, String, String)], empty_ws: &str) -> String {
    if items.is_empty() {
        return format!("[{empty_ws}]");
    }
    let parts: Vec<String> = items
        .iter()
        .map(|(before, value, after)| format!("{before}{value}{after}"))
        .collect();
    format!("[{}]", parts.join(","))
}

/// Any JSON value as text, at most four levels deep.
fn json_value(newlines: bool) -> BoxedStrategy<String> {
    let leaf = prop_oneof![
        select(vec!["null", "true", "false"]).prop_map(String::from),
        number(),
        (text(12), escape()).prop_map(|(s, e)| string_literal(&s, e)),
    ];
    leaf.prop_recursive(4, 40, 5, move |inner| {
        prop_oneof![
            (
                prop::collection::vec((ws(newlines), inner.clone(), ws(newlines)), 0..5),
                ws(newlines),
            )
                .prop_map(|(items, empty)| render_array(&items, &empty)),
            (
                prop::collection::vec(member(key(), inner, newlines), 0..5),
                ws(newlines),
            )
                .prop_map(|(members, empty)| render_object(&dedup(members), &empty)),
        ]
    })
    .boxed()
}

/// A `_meta` value: mostly an object with reserved and custom keys, sometimes any value.
fn meta_value(newlines: bool) -> BoxedStrategy<String> {
    let entry_key = prop_oneof![
        3 => select(vec![
            "progressToken",
            "io.modelcontextprotocol/protocolVersion",
            "io.modelcontextprotocol/clientCapabilities",
            "io.modelcontextprotocol/clientInfo",
            "io.modelcontextprotocol/logLevel",
            "io.modelcontextprotocol/subscriptionId",
            "traceparent",
            "com.example/trace",
        ])
        .prop_map(String::from),
        1 => text(10),
    ]
    .boxed();
    let entry_value = prop_oneof![
        2 => select(vec![
            "\"2025-11-25\"", "\"2026-07-28\"", "\"tok-1\"", "7", "-1", "\"debug\"", "{}",
        ])
        .prop_map(String::from),
        2 => json_value(newlines),
    ]
    .boxed();
    let object = (
        prop::collection::vec(member(entry_key, entry_value, newlines), 0..5),
        ws(newlines),
    )
        .prop_map(|(members, empty)| render_object(&dedup(members), &empty));
    prop_oneof![4 => object, 1 => json_value(newlines)].boxed()
}

fn result_type_value(newlines: bool) -> BoxedStrategy<String> {
    prop_oneof![
        3 => (select(vec!["complete", "input_required", "task"]), escape())
            .prop_map(|(s, e)| string_literal(s, e)),
        1 => (text(10), escape()).prop_map(|(s, e)| string_literal(&s, e)),
        1 => json_value(newlines),
    ]
    .boxed()
}

/// A generated `params` or `result` object and its members (unescaped key, value text).
#[derive(Clone, Debug)]
struct GenObject {
    text: String,
    members: Vec<(String, String)>,
}

impl GenObject {
    fn raw(&self) -> RawJson {
        RawJson::from_text(&self.text).expect("generated objects are valid JSON")
    }

    /// The value of top-level member `key`, parsed by serde_json.
    fn member(&self, key: &str) -> Option<Value> {
        self.members
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| serde_json::from_str(v).expect("generated values are valid JSON"))
    }
}

/// A `params` object (`result == false`) or a `result` object, sometimes with `_meta`
/// (its key sometimes escaped) and, for results, `resultType`.
fn top_object(newlines: bool, result: bool) -> BoxedStrategy<GenObject> {
    let special = |value: BoxedStrategy<String>, weight: f64| {
        prop::option::weighted(weight, (value, escape(), any::<Index>(), ws(newlines)))
    };
    let result_type = if result {
        special(result_type_value(newlines), 0.6).boxed()
    } else {
        Just(None).boxed()
    };
    (
        prop::collection::vec(member(key(), json_value(newlines), newlines), 0..6),
        special(meta_value(newlines), 0.6),
        result_type,
        ws(newlines),
    )
        .prop_map(|(members, meta, result_type, empty)| {
            let mut members = dedup(members);
            for (key, special) in [("_meta", meta), ("resultType", result_type)] {
                if let Some((value, escape, at, space)) = special {
                    members.retain(|m| m.key != key);
                    let at = at.index(members.len() + 1);
                    members.insert(
                        at,
                        Member {
                            key: key.into(),
                            escape,
                            value,
                            ws: [space.clone(), String::new(), space, String::new()],
                        },
                    );
                }
            }
            GenObject {
                text: render_object(&members, &empty),
                members: members.into_iter().map(|m| (m.key, m.value)).collect(),
            }
        })
        .boxed()
}

// ---------------------------------------------------------------------------------------
// Messages
// ---------------------------------------------------------------------------------------

fn request_id() -> BoxedStrategy<RequestId> {
    prop_oneof![
        3 => any::<i64>().prop_map(RequestId::Number),
        1 => select(vec![0, 1, -1, i64::MIN, i64::MAX]).prop_map(RequestId::Number),
        3 => text(16).prop_map(|s| RequestId::String(s.into())),
        1 => select(vec!["", "1", "req-1", "\"", "\\", "\\u0000", "é😀"]).prop_map(RequestId::from),
    ]
    .boxed()
}

fn method() -> BoxedStrategy<String> {
    prop_oneof![
        2 => select(vec![
            "ping",
            "initialize",
            "tools/list",
            "tools/call",
            "server/discover",
            "notifications/progress",
            "notifications/cancelled",
        ])
        .prop_map(String::from),
        1 => text(16),
    ]
    .boxed()
}

fn error_code() -> BoxedStrategy<i64> {
    prop_oneof![
        1 => any::<i64>(),
        1 => select(vec![-32700, -32600, -32601, -32602, -32603, -32001, -32002, -32042, 0]),
    ]
    .boxed()
}

/// What a generated message was built from.
#[derive(Clone, Debug)]
enum GenMessage {
    Request {
        id: RequestId,
        method: String,
        params: Option<GenObject>,
    },
    Notification {
        method: String,
        params: Option<GenObject>,
    },
    Result {
        id: RequestId,
        result: GenObject,
    },
    Error {
        id: Option<RequestId>,
        code: i64,
        message: String,
        data: Option<String>,
    },
}

impl GenMessage {
    /// Encodes with the `encode_*` functions.
    fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        match self {
            GenMessage::Request { id, method, params } => {
                let params = params.as_ref().map(GenObject::raw);
                encode_request(&mut out, id, method, params.as_ref()).expect("params is an object");
            }
            GenMessage::Notification { method, params } => {
                let params = params.as_ref().map(GenObject::raw);
                encode_notification(&mut out, method, params.as_ref())
                    .expect("params is an object");
            }
            GenMessage::Result { id, result } => {
                encode_result(&mut out, id, &result.raw()).expect("result is an object");
            }
            GenMessage::Error {
                id,
                code,
                message,
                data,
            } => {
                let error = ErrorObject {
                    code: ErrorCode(*code),
                    message: message.clone(),
                    data: data
                        .as_deref()
                        .map(|d| RawJson::from_text(d).expect("data is valid JSON")),
                };
                encode_error(&mut out, id.as_ref(), &error);
            }
        }
        out
    }

    /// The message `decode` must produce for [`GenMessage::encode`].
    fn decoded(&self) -> Message {
        let bytes = self.encode();
        decode(&bytes).unwrap_or_else(|e| {
            panic!("{e:?} decoding {}", String::from_utf8_lossy(&bytes));
        })
    }
}

fn gen_message(newlines: bool) -> BoxedStrategy<GenMessage> {
    prop_oneof![
        (
            request_id(),
            method(),
            prop::option::of(top_object(newlines, false))
        )
            .prop_map(|(id, method, params)| GenMessage::Request { id, method, params }),
        (method(), prop::option::of(top_object(newlines, false)))
            .prop_map(|(method, params)| GenMessage::Notification { method, params }),
        (request_id(), top_object(newlines, true))
            .prop_map(|(id, result)| GenMessage::Result { id, result }),
        (
            prop::option::weighted(0.9, request_id()),
            error_code(),
            text(24),
            prop::option::of(json_value(newlines)),
        )
            .prop_map(|(id, code, message, data)| GenMessage::Error {
                id,
                code,
                message,
                data,
            }),
    ]
    .boxed()
}

/// Checks `_meta` as decoded against the generated member, parsed with serde_json.
fn check_meta(
    object: &GenObject,
    meta: Option<&Meta>,
    malformed: bool,
) -> Result<(), TestCaseError> {
    let whole: Value = serde_json::from_str(&object.text).expect("valid JSON");
    let expected = object.member("_meta");
    prop_assert_eq!(whole.get("_meta"), expected.as_ref());
    match &expected {
        None => {
            prop_assert!(meta.is_none());
            prop_assert!(!malformed);
        }
        Some(Value::Object(map)) => {
            prop_assert_eq!(meta.and_then(|meta| meta.to_map().ok()), Some(map.clone()));
            prop_assert!(!malformed);
            let protocol_version = map
                .get("io.modelcontextprotocol/protocolVersion")
                .and_then(Value::as_str);
            prop_assert_eq!(
                meta.and_then(|meta| meta.protocol_version().map(|v| v.into_owned())),
                protocol_version.map(String::from)
            );
        }
        Some(_) => {
            prop_assert!(meta.is_none());
            prop_assert!(malformed);
        }
    }
    Ok(())
}

fn check_params(generated: Option<&GenObject>, decoded: Option<&Message>) -> TestCaseResult {
    let params = decoded.and_then(Message::params);
    match (generated, params) {
        (None, None) => Ok(()),
        (Some(object), Some(params)) => {
            prop_assert_eq!(params.raw().get(), object.text.as_str());
            check_meta(object, params.meta(), params.meta_is_malformed())
        }
        (generated, params) => {
            prop_assert!(false, "params {:?} decoded as {:?}", generated, params);
            Ok(())
        }
    }
}

/// Checks that `decoded` holds exactly what `generated` was built from.
fn check_decoded(generated: &GenMessage, decoded: &Message) -> TestCaseResult {
    match (generated, decoded) {
        (GenMessage::Request { id, method, params }, Message::Request(request)) => {
            prop_assert_eq!(&request.id, id);
            prop_assert_eq!(&request.method, method);
            prop_assert_eq!(decoded.kind(), MessageKind::Request);
            check_params(params.as_ref(), Some(decoded))?;
        }
        (GenMessage::Notification { method, params }, Message::Notification(notification)) => {
            prop_assert_eq!(&notification.method, method);
            prop_assert_eq!(decoded.id(), None);
            check_params(params.as_ref(), Some(decoded))?;
        }
        (GenMessage::Result { id, result }, Message::Response(response)) => {
            prop_assert_eq!(response.id.as_ref(), Some(id));
            let Outcome::Result(body) = &response.outcome else {
                return Err(TestCaseError::fail(format!("not a result: {decoded:?}")));
            };
            prop_assert_eq!(body.raw().get(), result.text.as_str());
            check_meta(result, body.meta(), body.meta_is_malformed())?;
            match result.member("resultType") {
                None => {
                    prop_assert_eq!(body.result_type(), None);
                    prop_assert!(!body.result_type_is_malformed());
                    prop_assert_eq!(body.effective_result_type(), ResultType::Complete);
                }
                Some(Value::String(s)) => {
                    prop_assert_eq!(body.result_type(), Some(&ResultType::from_wire(&s)));
                    prop_assert!(!body.result_type_is_malformed());
                    prop_assert_eq!(body.effective_result_type(), ResultType::from_wire(&s));
                }
                Some(_) => {
                    prop_assert_eq!(body.result_type(), None);
                    prop_assert!(body.result_type_is_malformed());
                }
            }
        }
        (
            GenMessage::Error {
                id,
                code,
                message,
                data,
            },
            Message::Response(response),
        ) => {
            prop_assert_eq!(response.id.as_ref(), id.as_ref());
            let Outcome::Error(error) = &response.outcome else {
                return Err(TestCaseError::fail(format!("not an error: {decoded:?}")));
            };
            prop_assert_eq!(error.code, ErrorCode(*code));
            prop_assert_eq!(&error.message, message);
            prop_assert_eq!(error.data.as_ref().map(RawJson::get), data.as_deref());
        }
        _ => prop_assert!(false, "{:?} decoded as {:?}", generated, decoded),
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Chunked feeding
// ---------------------------------------------------------------------------------------

/// Where to cut a byte stream into chunks.
#[derive(Clone, Debug)]
enum Chunking {
    /// Cut at these positions (scaled to the stream's length).
    Cuts(Vec<Index>),
    /// Chunks of these sizes, repeated.
    Sizes(Vec<usize>),
}

fn chunking() -> impl Strategy<Value = Chunking> {
    prop_oneof![
        prop::collection::vec(any::<Index>(), 0..24).prop_map(Chunking::Cuts),
        prop::collection::vec(1usize..9, 1..8).prop_map(Chunking::Sizes),
    ]
}

impl Chunking {
    fn cuts(&self, len: usize) -> Vec<usize> {
        match self {
            Chunking::Cuts(indexes) => {
                let mut cuts: Vec<usize> = indexes.iter().map(|i| i.index(len + 1)).collect();
                cuts.sort_unstable();
                cuts
            }
            Chunking::Sizes(sizes) => {
                let mut cuts = Vec::new();
                let mut at = 0;
                for size in sizes.iter().cycle() {
                    at += size;
                    if at >= len {
                        break;
                    }
                    cuts.push(at);
                }
                cuts
            }
        }
    }
}

/// Feeds `stream` cut at `cuts` (sorted), draining after every push, then finishes.
fn run_decoder(
    limit: usize,
    stream: &[u8],
    cuts: &[usize],
) -> Result<Vec<Result<Message, FrameError>>, TestCaseError> {
    let mut decoder = LineDecoder::new(limit);
    let mut out = Vec::new();
    let mut start = 0;
    for &end in cuts.iter().chain(std::iter::once(&stream.len())) {
        decoder.push(&stream[start..end]);
        prop_assert!(decoder.buffered_len() <= limit);
        out.extend(std::iter::from_fn(|| decoder.next_message()));
        start = end;
    }
    decoder.finish();
    out.extend(std::iter::from_fn(|| decoder.next_message()));
    prop_assert!(decoder.is_empty());
    Ok(out)
}

/// The decoder's output for `stream` under `chunking`, after checking that one chunk and
/// one-byte chunks give the same.
fn run_all_chunkings(
    limit: usize,
    stream: &[u8],
    chunking: &Chunking,
) -> Result<Vec<Result<Message, FrameError>>, TestCaseError> {
    let chosen = run_decoder(limit, stream, &chunking.cuts(stream.len()))?;
    let whole = run_decoder(limit, stream, &[])?;
    let bytewise: Vec<usize> = (1..stream.len()).collect();
    let bytewise = run_decoder(limit, stream, &bytewise)?;
    prop_assert_eq!(&chosen, &whole, "chunked vs whole");
    prop_assert_eq!(&bytewise, &whole, "one-byte chunks vs whole");
    Ok(whole)
}

/// The message a line written by `encode_line` decodes to: the original, or for a payload
/// that held raw CR/LF whitespace (which framing turns into spaces) the same JSON value.
fn expected_after_framing(original: &Message, line: &[u8]) -> Result<Message, TestCaseError> {
    let content = line.strip_suffix(b"\n").unwrap_or(line);
    let content = content.strip_suffix(b"\r").unwrap_or(content);
    let encoded = original.to_vec();
    if encoded == content {
        return Ok(original.clone());
    }
    prop_assert!(encoded.iter().any(|b| matches!(b, b'\r' | b'\n')));
    let before: Value = serde_json::from_slice(&encoded).expect("valid JSON");
    let after: Value = serde_json::from_slice(content).expect("framed JSON is valid");
    prop_assert_eq!(before, after);
    decode(content).map_err(|e| TestCaseError::fail(format!("framed line: {e:?}")))
}

// ---------------------------------------------------------------------------------------
// 1. Round trip
// ---------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    /// encode_* → decode → Message::encode → decode: same message, same bytes, and the
    /// envelope (`_meta`, `resultType`) read exactly as generated.
    #[test]
    fn round_trip(generated in gen_message(true)) {
        let first = generated.encode();
        let decoded = decode(&first).map_err(|e| {
            TestCaseError::fail(format!("{e:?} decoding {}", String::from_utf8_lossy(&first)))
        })?;
        check_decoded(&generated, &decoded)?;
        let mut second = Vec::new();
        decoded.encode(&mut second);
        prop_assert_eq!(String::from_utf8_lossy(&second), String::from_utf8_lossy(&first));
        let again = decode(&second).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
        prop_assert_eq!(&again, &decoded);
    }
}

// ---------------------------------------------------------------------------------------
// 2. Chunking invariance
// ---------------------------------------------------------------------------------------

/// One message as framed on the stream.
#[derive(Clone, Debug)]
struct Framed {
    message: GenMessage,
    blanks_before: Vec<&'static str>,
    crlf: bool,
}

fn framed() -> impl Strategy<Value = Framed> {
    (
        gen_message(true),
        prop::collection::vec(select(vec!["\n", "\r\n", "  \n", "\t\r\n", " \r\n"]), 0..3),
        any::<bool>(),
    )
        .prop_map(|(message, blanks_before, crlf)| Framed {
            message,
            blanks_before,
            crlf,
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1_000))]

    /// Messages framed with `encode_line` come out the same whatever the chunking, with a
    /// line limit as tight as the longest line (plus `slack`).
    #[test]
    fn chunking_invariance(
        frames in prop::collection::vec(framed(), 0..8),
        final_newline in any::<bool>(),
        slack in 0usize..3,
        chunking in chunking(),
    ) {
        let mut stream = Vec::new();
        let mut expected = Vec::new();
        let mut longest = 3;
        for frame in &frames {
            for blank in &frame.blanks_before {
                stream.extend_from_slice(blank.as_bytes());
            }
            let original = frame.message.decoded();
            let start = stream.len();
            encode_line(&original, &mut stream);
            prop_assert_eq!(stream.iter().skip(start).filter(|b| **b == b'\n').count(), 1);
            prop_assert_eq!(stream.last(), Some(&b'\n'));
            longest = longest.max(stream.len() - start - 1);
            if frame.crlf {
                stream.pop();
                stream.extend_from_slice(b"\r\n");
            }
            expected.push(expected_after_framing(&original, &stream[start..])?);
        }
        if !final_newline && stream.last() == Some(&b'\n') {
            stream.pop();
        }
        let limit = longest + slack;
        let got = run_all_chunkings(limit, &stream, &chunking)?;
        let got: Vec<Message> = got
            .into_iter()
            .collect::<Result<_, _>>()
            .map_err(|e| TestCaseError::fail(format!("unexpected {e:?}")))?;
        prop_assert_eq!(got, expected);
    }
}

// ---------------------------------------------------------------------------------------
// 3. Resynchronisation
// ---------------------------------------------------------------------------------------

/// A line that is not valid JSON (always a -32700 once decoded).
#[derive(Clone, Debug)]
enum InvalidLine {
    Literal(&'static [u8]),
    /// A strict, non-empty prefix of a valid encoding.
    Truncated(GenMessage, Index),
    /// `{`, then bytes without newlines, then `,,`.
    Garbage(Vec<u8>),
}

const INVALID_LITERALS: &[&[u8]] = &[
    b"{",
    b"}",
    b"nul",
    b"tru",
    b"-",
    b"01",
    b"[1,2",
    b"\"abc",
    b"{'a':1}",
    b"{\"a\":1e}",
    b"{\"a\":01}",
    b"{\"jsonrpc\":\"2.0\",",
    b"{\"jsonrpc\":\"2.0\",\"method\":\"x\"}}",
    b"{\"id\":1,\"id\":2,}",
    b"\xff\xfe",
    b"{\"jsonrpc\":\"2.0\",\"method\":\"\xff\"}",
];

/// How the body of an over-long line is made.
#[derive(Clone, Debug)]
enum LongFill {
    /// These bytes (never CR or LF) repeated.
    Bytes(Vec<u8>),
    /// A valid message padded with spaces.
    Message(GenMessage),
}

#[derive(Clone, Debug)]
enum Line {
    Valid(GenMessage),
    Invalid(InvalidLine),
    TooLong { extra: usize, fill: LongFill },
}

fn no_newline_byte() -> impl Strategy<Value = u8> {
    any::<u8>().prop_filter("no CR or LF", |b| !matches!(b, b'\r' | b'\n'))
}

fn line() -> impl Strategy<Value = (Line, bool)> {
    let line = prop_oneof![
        3 => gen_message(false).prop_map(Line::Valid),
        1 => select(INVALID_LITERALS.to_vec()).prop_map(|l| Line::Invalid(InvalidLine::Literal(l))),
        1 => (gen_message(false), any::<Index>())
            .prop_map(|(m, at)| Line::Invalid(InvalidLine::Truncated(m, at))),
        1 => prop::collection::vec(no_newline_byte(), 0..24)
            .prop_map(|b| Line::Invalid(InvalidLine::Garbage(b))),
        1 => (0usize..40, prop::collection::vec(no_newline_byte(), 1..6))
            .prop_map(|(extra, b)| Line::TooLong { extra, fill: LongFill::Bytes(b) }),
        1 => (0usize..40, gen_message(false))
            .prop_map(|(extra, m)| Line::TooLong { extra, fill: LongFill::Message(m) }),
    ];
    (line, any::<bool>())
}

/// What the decoder yields for one line, in a comparable form.
#[derive(Debug, PartialEq)]
enum Seen {
    Message(Box<Message>),
    TooLong { length: usize, limit: usize },
    Parse,
    Other(String),
}

fn seen(item: Result<Message, FrameError>) -> Seen {
    match item {
        Ok(message) => Seen::Message(Box::new(message)),
        Err(FrameError::LineTooLong { length, limit }) => Seen::TooLong { length, limit },
        Err(FrameError::Decode(DecodeError::Parse { .. })) => Seen::Parse,
        Err(other) => Seen::Other(format!("{other:?}")),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1_000))]

    /// Valid lines, over-long lines and invalid JSON interleaved: every chunking yields the
    /// valid messages in order and exactly one error in each bad line's place.
    #[test]
    fn resynchronisation(
        lines in prop::collection::vec(line(), 0..10),
        final_newline in any::<bool>(),
        slack in 0usize..4,
        chunking in chunking(),
    ) {
        // Lines that must fit, and what they must give.
        let mut contents: Vec<Option<(Vec<u8>, Seen)>> = Vec::new();
        for (line, _) in &lines {
            contents.push(match line {
                Line::Valid(message) => {
                    let bytes = message.encode();
                    Some((bytes, Seen::Message(Box::new(message.decoded()))))
                }
                Line::Invalid(InvalidLine::Literal(bytes)) => Some((bytes.to_vec(), Seen::Parse)),
                Line::Invalid(InvalidLine::Truncated(message, at)) => {
                    let bytes = message.encode();
                    let cut = 1 + at.index(bytes.len() - 1);
                    Some((bytes[..cut].to_vec(), Seen::Parse))
                }
                Line::Invalid(InvalidLine::Garbage(middle)) => {
                    let mut bytes = b"{".to_vec();
                    bytes.extend_from_slice(middle);
                    bytes.extend_from_slice(b",,");
                    Some((bytes, Seen::Parse))
                }
                Line::TooLong { .. } => None,
            });
        }
        let limit = contents.iter().flatten().map(|(c, _)| c.len()).max().unwrap_or(0) + slack;

        let mut stream = Vec::new();
        let mut expected = Vec::new();
        for ((line, crlf), content) in lines.iter().zip(contents) {
            let content = match (line, content) {
                (_, Some((content, outcome))) => {
                    expected.push(outcome);
                    content
                }
                (Line::TooLong { extra, fill }, None) => {
                    let length = limit + 1 + extra;
                    let content = match fill {
                        LongFill::Bytes(bytes) => bytes.iter().copied().cycle().take(length).collect(),
                        LongFill::Message(message) => {
                            let mut bytes = message.encode();
                            if bytes.len() < length {
                                bytes.resize(length, b' ');
                            }
                            bytes
                        }
                    };
                    expected.push(Seen::TooLong { length: content.len() + usize::from(*crlf), limit });
                    content
                }
                (_, None) => unreachable!(),
            };
            prop_assert!(!content.contains(&b'\n'));
            stream.extend_from_slice(&content);
            stream.extend_from_slice(if *crlf { b"\r\n" } else { b"\n" });
        }
        if !final_newline && stream.last() == Some(&b'\n') {
            stream.pop();
        }
        let got: Vec<Seen> = run_all_chunkings(limit, &stream, &chunking)?
            .into_iter()
            .map(seen)
            .collect();
        prop_assert_eq!(got, expected);
    }
}

// ---------------------------------------------------------------------------------------
// 4. No panics
// ---------------------------------------------------------------------------------------

/// Whatever `decode` says about `bytes` must be consistent: errors are -32700 or -32600
/// (and -32700 exactly for input serde_json rejects), and a decoded message survives
/// re-encoding.
/// Methods a response may answer, for validating decoded responses in context.
const ANSWERED: [Option<&str>; 8] = [
    None,
    Some("tools/list"),
    Some("tools/call"),
    Some("server/discover"),
    Some("completion/complete"),
    Some("elicitation/create"),
    Some("subscriptions/listen"),
    Some("initialize"),
];

/// Runs the validator on `message` under both revisions, both directions and several
/// contexts. Its verdicts are checked elsewhere (the differential test); here it must
/// simply never panic, and every violation must carry a JSON-RPC error code.
fn validate_everywhere(message: &mcp_proto::jsonrpc::Message) {
    use mcp_proto::validate::{Context, Direction, validate};
    use mcp_proto::version::ProtocolVersion;
    for version in [
        ProtocolVersion::V2025_11_25,
        ProtocolVersion::V2026_07_28,
        ProtocolVersion::parse("2099-01-01"),
    ] {
        for direction in [Direction::ClientToServer, Direction::ServerToClient] {
            for answering in ANSWERED {
                for tasks_extension in [false, true] {
                    let context = Context {
                        answering,
                        tasks_extension,
                    };
                    if let Err(violation) = validate(message, direction, &version, Some(&context)) {
                        assert!((-32768..=-32000).contains(&violation.code().0));
                    }
                }
            }
        }
    }
}

fn check_any_decode(bytes: &[u8]) -> TestCaseResult {
    match decode(bytes) {
        Ok(message) => {
            prop_assert!(serde_json::from_slice::<IgnoredAny>(bytes).is_ok());
            let encoded = message.to_vec();
            let again = decode(&encoded).map_err(|e| {
                TestCaseError::fail(format!(
                    "re-encoding {} gave {} which fails: {e:?}",
                    String::from_utf8_lossy(bytes),
                    String::from_utf8_lossy(&encoded)
                ))
            })?;
            prop_assert_eq!(&again, &message);
            validate_everywhere(&message);
        }
        Err(error) => {
            let code = error.code().0;
            prop_assert!(code == -32700 || code == -32600, "code {}", code);
            let parse = matches!(error, DecodeError::Parse { .. });
            prop_assert_eq!(parse, code == -32700);
            if serde_json::from_slice::<IgnoredAny>(bytes).is_err() {
                prop_assert!(parse, "invalid JSON not a parse error: {:?}", error);
            }
            if serde_json::from_slice::<Value>(bytes).is_ok() {
                prop_assert!(!parse, "valid JSON reported as a parse error");
            }
            prop_assert_eq!(error.to_error_object().code, error.code());
        }
    }
    Ok(())
}

/// Bytes drawn mostly from JSON's alphabet.
fn jsonish_bytes() -> impl Strategy<Value = Vec<u8>> {
    let alphabet =
        b"{}[]\":,0123456789.-+eEtrufalsn \\u\n\t\r/_metaidjsonrpcmethodresulterror".to_vec();
    (
        select(vec![
            &b""[..],
            b"{",
            b"{\"jsonrpc\":\"2.0\",",
            b"{\"jsonrpc\":\"2.0\",\"id\":1,",
            b"{\"jsonrpc\":\"2.0\",\"method\":\"m\",\"params\":{\"_meta\":",
        ]),
        prop::collection::vec(select(alphabet), 0..256),
    )
        .prop_map(|(prefix, body)| [prefix, &body].concat())
}

#[derive(Clone, Debug)]
enum Mutation {
    Flip(Index, u8),
    Truncate(Index),
    Insert(Index, u8),
    Remove(Index),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let byte = prop_oneof![any::<u8>(), select(b"{}[]\":,\\ 0-enull".to_vec()),];
    prop_oneof![
        (any::<Index>(), 1u8..=255).prop_map(|(at, mask)| Mutation::Flip(at, mask)),
        any::<Index>().prop_map(Mutation::Truncate),
        (any::<Index>(), byte).prop_map(|(at, b)| Mutation::Insert(at, b)),
        any::<Index>().prop_map(Mutation::Remove),
    ]
}

fn apply(bytes: &mut Vec<u8>, mutation: &Mutation) {
    let len = bytes.len();
    match mutation {
        Mutation::Flip(at, mask) if len > 0 => bytes[at.index(len)] ^= *mask,
        Mutation::Truncate(at) => bytes.truncate(at.index(len + 1)),
        Mutation::Insert(at, b) => bytes.insert(at.index(len + 1), *b),
        Mutation::Remove(at) if len > 0 => {
            bytes.remove(at.index(len));
        }
        _ => {}
    }
}

/// The lines a [`LineDecoder`] must give for a whole stream, computed independently.
fn model_lines(stream: &[u8], limit: usize) -> Vec<Result<Vec<u8>, FrameError>> {
    let mut out = Vec::new();
    for piece in stream.split(|b| *b == b'\n') {
        let content = piece.strip_suffix(b"\r").unwrap_or(piece);
        if content.len() > limit {
            out.push(Err(FrameError::LineTooLong {
                length: piece.len(),
                limit,
            }));
        } else if !content.iter().all(u8::is_ascii_whitespace) {
            out.push(Ok(content.to_vec()));
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(5_000))]

    #[test]
    fn decode_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        check_any_decode(&bytes)?;
    }

    #[test]
    fn decode_jsonish_bytes(bytes in jsonish_bytes()) {
        check_any_decode(&bytes)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3_000))]

    #[test]
    fn decode_mutated_encodings(
        message in gen_message(true),
        mutations in prop::collection::vec(mutation(), 1..5),
    ) {
        let mut bytes = message.encode();
        for mutation in &mutations {
            apply(&mut bytes, mutation);
        }
        check_any_decode(&bytes)?;
    }

    /// Arbitrary chunks with a small limit: no panic, the partial line never exceeds the
    /// limit, and the lines equal what an independent model computes from the whole stream.
    #[test]
    fn line_decoder_arbitrary_chunks(
        limit in 0usize..24,
        chunks in prop::collection::vec(
            prop::collection::vec(
                prop_oneof![4 => any::<u8>(), 2 => Just(b'\n'), 2 => Just(b'\r'), 1 => Just(b' ')],
                0..32,
            ),
            0..24,
        ),
    ) {
        let mut decoder = LineDecoder::new(limit);
        let mut lines = Vec::new();
        for chunk in &chunks {
            decoder.push(chunk);
            prop_assert!(decoder.buffered_len() <= limit);
            while let Some(line) = decoder.next_line() {
                if let Ok(line) = &line {
                    prop_assert!(line.len() <= limit);
                    // Decoding a framed line never panics either.
                    let _ = decode(line);
                }
                lines.push(line);
            }
        }
        decoder.finish();
        lines.extend(std::iter::from_fn(|| decoder.next_line()));
        prop_assert!(decoder.is_empty());
        prop_assert_eq!(decoder.buffered_len(), 0);
        prop_assert_eq!(lines, model_lines(&chunks.concat(), limit));
    }
}

// ---------------------------------------------------------------------------------------
// 5. Error mapping
// ---------------------------------------------------------------------------------------

fn invalid(bytes: &[u8]) -> (InvalidReason, Option<RequestId>, Option<MessageKind>) {
    match decode(bytes) {
        Err(DecodeError::Invalid { reason, id, kind }) => (reason, id, kind),
        other => panic!(
            "{}: expected an invalid message, got {other:?}",
            String::from_utf8_lossy(bytes)
        ),
    }
}

#[test]
fn batch_is_an_invalid_request() {
    for bytes in [
        &br#"[{"jsonrpc":"2.0","id":1,"method":"ping"}]"#[..],
        b"[]",
        b" \n[1, 2]\r\n",
    ] {
        let error = decode(bytes).unwrap_err();
        assert_eq!(error, DecodeError::Batch);
        assert_eq!(error.code(), ErrorCode::INVALID_REQUEST);
        assert_eq!(error.code().0, -32600);
        assert_eq!(error.id(), None);
        assert!(error.expects_reply());
    }
    // An unterminated array is a parse error, not a batch.
    assert!(matches!(decode(b"[1,"), Err(DecodeError::Parse { .. })));
}

#[test]
fn invalid_json_is_a_parse_error() {
    for bytes in [
        &b""[..],
        b"   ",
        b"{",
        b"nul",
        b"{\"jsonrpc\":\"2.0\",}",
        b"{\"jsonrpc\":\"2.0\",\"method\":\"x\"} x",
        b"{\"jsonrpc\":\"2.0\",\"id\":1,\"id\":2,\"method\":\"x\"",
        b"\xff",
    ] {
        let error = decode(bytes).unwrap_err();
        assert!(matches!(error, DecodeError::Parse { .. }), "{error:?}");
        assert_eq!(error.code().0, -32700);
        assert_eq!(error.id(), None);
        assert!(error.expects_reply());
        assert_eq!(error.to_error_object().code, ErrorCode::PARSE_ERROR);
    }
}

#[test]
fn method_not_a_string_keeps_the_id() {
    let bytes = br#"{"jsonrpc":"2.0","id":5,"method":3}"#;
    let error = decode(bytes).unwrap_err();
    assert_eq!(error.code().0, -32600);
    assert_eq!(error.id(), Some(&RequestId::Number(5)));
    assert!(error.expects_reply());
    assert_eq!(
        invalid(bytes),
        (
            InvalidReason::MethodNotString,
            Some(RequestId::Number(5)),
            Some(MessageKind::Request)
        )
    );
}

#[test]
fn wrong_version_notification_needs_no_reply() {
    let bytes = br#"{"jsonrpc":"1.0","method":"x"}"#;
    let error = decode(bytes).unwrap_err();
    assert_eq!(error.code().0, -32600);
    assert!(!error.expects_reply());
    assert_eq!(
        invalid(bytes),
        (
            InvalidReason::WrongVersion,
            None,
            Some(MessageKind::Notification)
        )
    );
    assert_eq!(
        invalid(br#"{"method":"x"}"#),
        (
            InvalidReason::MissingVersion,
            None,
            Some(MessageKind::Notification)
        )
    );
}

#[test]
fn null_id() {
    let bytes = br#"{"jsonrpc":"2.0","id":null,"method":"ping"}"#;
    let error = decode(bytes).unwrap_err();
    assert_eq!(error.code().0, -32600);
    assert!(error.expects_reply());
    assert_eq!(
        invalid(bytes),
        (InvalidReason::NullId, None, Some(MessageKind::Request))
    );
    assert_eq!(
        invalid(br#"{"jsonrpc":"2.0","id":null,"result":{}}"#),
        (InvalidReason::NullId, None, Some(MessageKind::Result))
    );
    // An error response may carry a null id (the request's id was unreadable).
    let message =
        decode(br#"{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"Parse error"}}"#)
            .unwrap();
    assert_eq!(message.kind(), MessageKind::Error);
    assert_eq!(message.id(), None);
}

#[test]
fn result_and_error_together_is_invalid() {
    let bytes = br#"{"jsonrpc":"2.0","id":1,"result":{},"error":{"code":1,"message":"m"}}"#;
    let error = decode(bytes).unwrap_err();
    assert_eq!(error.code().0, -32600);
    assert_eq!(error.id(), Some(&RequestId::Number(1)));
    assert!(!error.expects_reply());
    assert_eq!(invalid(bytes).0, InvalidReason::ResultAndError);
}

#[test]
fn top_level_scalars_are_invalid_requests() {
    for bytes in [&b"\"hello\""[..], b"42", b"null", b"true", b" \"\" "] {
        let error = decode(bytes).unwrap_err();
        assert_eq!(error.code().0, -32600);
        assert!(error.expects_reply());
        assert_eq!(invalid(bytes), (InvalidReason::NotAnObject, None, None));
    }
}

#[test]
fn other_envelope_errors() {
    assert_eq!(
        invalid(br#"{"jsonrpc":"2.0","id":1,"id":2,"method":"x"}"#),
        (InvalidReason::DuplicateMember, None, None)
    );
    assert_eq!(
        invalid(br#"{"jsonrpc":"2.0","id":7,"method":"x","params":[1]}"#),
        (
            InvalidReason::ParamsNotObject,
            Some(RequestId::Number(7)),
            Some(MessageKind::Request)
        )
    );
    assert_eq!(
        invalid(br#"{"jsonrpc":"2.0","id":1.5,"method":"x"}"#),
        (InvalidReason::InvalidId, None, Some(MessageKind::Request))
    );
    assert_eq!(
        invalid(br#"{"jsonrpc":"2.0","result":{}}"#),
        (InvalidReason::MissingId, None, Some(MessageKind::Result))
    );
    assert_eq!(
        invalid(br#"{"jsonrpc":"2.0","id":"a","result":1}"#),
        (
            InvalidReason::ResultNotObject,
            Some(RequestId::from("a")),
            Some(MessageKind::Result)
        )
    );
    assert_eq!(
        invalid(br#"{"jsonrpc":"2.0","id":3,"error":{"code":"x","message":"m"}}"#),
        (
            InvalidReason::InvalidErrorObject,
            Some(RequestId::Number(3)),
            Some(MessageKind::Error)
        )
    );
    assert_eq!(
        invalid(br#"{"jsonrpc":"2.0","id":4}"#),
        (InvalidReason::NotAMessage, Some(RequestId::Number(4)), None)
    );
}

// ---------------------------------------------------------------------------------------
// Regressions found by the properties above
// ---------------------------------------------------------------------------------------

fn all_lines(decoder: &mut LineDecoder) -> Vec<Result<Vec<u8>, FrameError>> {
    std::iter::from_fn(|| decoder.next_line()).collect()
}

/// A `\r\n` split across two pushes, on a line exactly at the limit.
#[test]
fn crlf_split_across_pushes_at_the_limit() {
    let expected = vec![Ok(b"abcd".to_vec()), Ok(b"ok".to_vec())];
    let mut whole = LineDecoder::new(4);
    whole.push(b"abcd\r\nok\n");
    assert_eq!(all_lines(&mut whole), expected);
    let mut split = LineDecoder::new(4);
    split.push(b"abcd\r");
    assert_eq!(split.buffered_len(), 4);
    split.push(b"\nok\n");
    assert_eq!(all_lines(&mut split), expected);
    // A `\r` that turns out not to end the line still counts.
    let mut split = LineDecoder::new(4);
    split.push(b"abcd\r");
    split.push(b"x\nok\n");
    assert_eq!(
        all_lines(&mut split),
        vec![
            Err(FrameError::LineTooLong {
                length: 6,
                limit: 4
            }),
            Ok(b"ok".to_vec())
        ]
    );
}

/// A final unterminated line loses its trailing `\r` whatever its length.
#[test]
fn trailing_carriage_return_at_end_of_stream() {
    for (input, line) in [(&b"ab\r"[..], &b"ab"[..]), (b"abcd\r", b"abcd")] {
        let mut decoder = LineDecoder::new(4);
        decoder.push(input);
        decoder.finish();
        assert_eq!(all_lines(&mut decoder), vec![Ok(line.to_vec())]);
        assert!(decoder.is_empty());
    }
}

/// `"data": null` is a value, kept through decoding and re-encoding.
#[test]
fn null_error_data_round_trips() {
    let bytes = br#"{"jsonrpc":"2.0","id":1,"error":{"code":1,"message":"m","data":null}}"#;
    let message = decode(bytes).unwrap();
    let Message::Response(response) = &message else {
        panic!("{message:?}");
    };
    let Outcome::Error(error) = &response.outcome else {
        panic!("{message:?}");
    };
    assert_eq!(error.data.as_ref().map(RawJson::get), Some("null"));
    assert_eq!(message.to_vec(), bytes);
    let absent = decode(br#"{"jsonrpc":"2.0","id":1,"error":{"code":1,"message":"m"}}"#).unwrap();
    assert_ne!(absent, message);
}

/// `params` and `result` are kept verbatim, including an empty object with whitespace.
#[test]
fn empty_payload_objects_are_kept_verbatim() {
    for bytes in [
        &br#"{"jsonrpc":"2.0","id":1,"method":"m","params":{ }}"#[..],
        br#"{"jsonrpc":"2.0","method":"m","params":{}}"#,
        br#"{"jsonrpc":"2.0","id":1,"result":{	 }}"#,
        br#"{"jsonrpc":"2.0","id":1,"result":{ "a" : { } }}"#,
    ] {
        let message = decode(bytes).unwrap();
        assert_eq!(
            String::from_utf8_lossy(&message.to_vec()),
            String::from_utf8_lossy(bytes)
        );
    }
}
