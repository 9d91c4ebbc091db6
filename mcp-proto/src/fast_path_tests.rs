//! Differential property tests of the one-pass readers that spare a serde decode for
//! text of a plain shape (`scan::Plain`): whatever text a fast path accepts, the full
//! strict decode accepts too and gives the same value. The texts are built from keys,
//! values and whitespace near the plain shapes, escapes, duplicates and strays included.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use proptest::prelude::*;
use proptest::strategy::ValueTree;

use crate::json::RawJson;
use crate::jsonrpc::Outcome;
use crate::jsonrpc::{Message, decode};
use crate::types::meta::plain_implementation;
use crate::types::method::{plain_call_tool, required_with_meta};
use crate::types::{
    CallToolRequestParams, CallToolResult, ContentBlock, ImageContent, Implementation, Meta,
    ResultType, TextContent,
};
use crate::validate::{plain_call_tool_result, plain_call_tool_result_value};

fn key() -> impl Strategy<Value = &'static str> {
    prop::sample::select(
        &[
            "name",
            "arguments",
            "_meta",
            "task",
            "n\\u0061me",
            "content",
            "isError",
            "type",
            "text",
            "version",
            "structuredContent",
            "x",
            "",
        ][..],
    )
}

fn value() -> impl Strategy<Value = String> {
    let leaf = prop::sample::select(
        &[
            r#""echo""#,
            r#""e\u0063ho""#,
            r#""a\"b""#,
            r#""""#,
            r#""é""#,
            r#""text""#,
            "1",
            "1.5",
            "-0",
            "null",
            "true",
            "false",
            "{}",
            "[]",
            r#"{"text":"hi"}"#,
            r#"{"a":1,"a":2}"#,
            r#"{"progressToken":1}"#,
            r#"{"io.modelcontextprotocol/protocolVersion":"2026-07-28"}"#,
        ][..],
    )
    .prop_map(String::from);
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4)
                .prop_map(|items| format!("[{}]", items.join(","))),
            prop::collection::vec((key(), inner, whitespace()), 0..4).prop_map(object),
        ]
    })
}

fn whitespace() -> impl Strategy<Value = &'static str> {
    prop::sample::select(&["", " ", "\n\t"][..])
}

/// An object of `(key, raw value, whitespace)` members, the whitespace around each part.
pub(crate) fn object(members: Vec<(&'static str, String, &'static str)>) -> String {
    let members: Vec<String> = members
        .into_iter()
        .map(|(key, value, space)| format!(r#"{space}"{key}"{space}:{space}{value}{space}"#))
        .collect();
    format!("{{{}}}", members.join(","))
}

/// An object of members near the plain shapes: the content of a text result is likely.
fn candidate() -> impl Strategy<Value = String> {
    let text_block = prop::collection::vec(
        prop_oneof![
            4 => (Just("type"), prop::sample::select(&[r#""text""#, r#""image""#, "1"][..]), whitespace()),
            4 => (Just("text"), prop::sample::select(&[r#""hi""#, r#""""#, r#""a\nb""#, "null"][..]), whitespace()),
            1 => (prop::sample::select(&["x", "t\\u0065xt", "_meta"][..]), prop::sample::select(&["{}", r#""x""#][..]), whitespace()),
        ]
        .prop_map(|(key, value, space)| (key, String::from(value), space)),
        0..4,
    )
    .prop_map(object);
    let content = prop::collection::vec(text_block, 0..3)
        .prop_map(|blocks| format!("[{}]", blocks.join(",")));
    let member = prop_oneof![
        1 => (key(), value(), whitespace()),
        2 => (Just("content"), content, whitespace()),
        1 => (Just("isError"), prop::sample::select(&["true", "false", "null", "1"][..]).prop_map(String::from), whitespace()),
    ];
    prop::collection::vec(member, 0..5).prop_map(object)
}

/// A result near `{"content": [...], "resultType": "complete", "_meta": {…}}`, as a
/// 2026-07-28 client receives it.
fn received_result_candidate() -> impl Strategy<Value = String> {
    let extra = prop_oneof![
        (
            Just("resultType"),
            prop::sample::select(
                &[
                    r#""complete""#,
                    r#""input_required""#,
                    "1",
                    r#""c\u006fmplete""#
                ][..]
            )
            .prop_map(String::from),
            whitespace(),
        ),
        (
            Just("_meta"),
            prop::sample::select(
                &[
                    "{}",
                    r#"{"io.modelcontextprotocol/serverInfo":{"name":"s","version":"1"}}"#,
                    "[]",
                    "null"
                ][..]
            )
            .prop_map(String::from),
            whitespace(),
        ),
    ];
    let base = prop_oneof![
        2 => prop::sample::select(&[
            r#"{"content":[{"type":"text","text":"hi"}]}"#,
            r#"{"content":[],"isError":true}"#,
            r#"{ "content" : [ { "text" : "a", "type" : "text" } , {"type":"text","text":""} ] }"#,
        ][..]).prop_map(String::from),
        1 => candidate(),
    ];
    (base, prop::collection::vec(extra, 0..3)).prop_map(|(text, extra)| {
        // The candidate's members, then the extra ones.
        let inner = text
            .strip_prefix('{')
            .and_then(|t| t.strip_suffix('}'))
            .unwrap_or("");
        let mut members: Vec<String> = Vec::new();
        if !inner.is_empty() {
            members.push(String::from(inner));
        }
        for (key, value, space) in extra {
            members.push(format!(r#"{space}"{key}"{space}:{space}{value}"#));
        }
        format!("{{{}}}", members.join(","))
    })
}

/// An object near `{"name": …, "arguments": {…}, "_meta": {…}}`.
fn params_candidate() -> impl Strategy<Value = String> {
    let member = prop_oneof![
        (
            prop::sample::select(&["name", "name", "n\\u0061me", "task", "_meta"][..]),
            prop::sample::select(&[r#""echo""#, r#""e\u0063ho""#, r#""""#, "1", "{}"][..])
                .prop_map(String::from),
            whitespace(),
        ),
        (
            prop::sample::select(&["arguments", "_meta", "requestState"][..]),
            value(),
            whitespace(),
        ),
    ];
    prop::collection::vec(member, 0..4).prop_map(object)
}

/// An object near `{"name": …, "version": …}`.
fn implementation_candidate() -> impl Strategy<Value = String> {
    let member = (
        prop::sample::select(&["name", "version", "title", "n\\u0061me", "x"][..]),
        prop::sample::select(
            &[
                r#""bench""#,
                r#""1.0""#,
                r#""""#,
                r#""a\"b""#,
                r#""é""#,
                "1",
                "null",
            ][..],
        )
        .prop_map(String::from),
        whitespace(),
    );
    prop::collection::vec(member, 0..4).prop_map(object)
}

/// A tool result as a handler builds it: mostly text blocks, sometimes with what takes
/// it off the plain path (annotations, block or result `_meta`, structured content, a
/// result type, another kind of block).
fn handler_result() -> impl Strategy<Value = CallToolResult> {
    let block = prop_oneof![
        6 => any::<String>().prop_map(|text| ContentBlock::Text(TextContent::new(text))),
        2 => prop::sample::select(&["", "a \"quoted\" \\ line\nnext\u{1}\u{7f}", "é ü 🦀 \u{2028}", "</script>"][..])
            .prop_map(|text| ContentBlock::Text(TextContent::new(text))),
        1 => Just(ContentBlock::Text(TextContent { meta: Some(Meta::new()), ..TextContent::new("m") })),
        1 => Just(ContentBlock::Image(ImageContent::new("AAAA", "image/png"))),
    ];
    (
        prop::collection::vec(block, 0..4),
        prop::option::of(any::<bool>()),
        0..12u8,
    )
        .prop_map(|(content, is_error, extra)| {
            let mut result = CallToolResult::new(content);
            result.is_error = is_error;
            match extra {
                0 => result.meta = Some(Meta::new()),
                1 => result.result_type = Some(ResultType::Complete),
                2 => result.structured_content = Some(RawJson::from_text("{\"a\":1}").unwrap()),
                _ => {}
            }
            result
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2048))]

    #[test]
    fn plain_tool_calls_encode_as_serde_does(
        name in prop_oneof![any::<String>(), Just(String::from("echo")), Just(String::from("a\"b\\c\u{1}"))],
        arguments in prop::option::of(prop::sample::select(&["{}", r#"{"text":"hi"}"#, r#"{ "a" : [1, 2.50], "b":{"_meta":1} }"#][..])),
        extra in 0..8u8,
    ) {
        let mut call = CallToolRequestParams::new(name, arguments.map(|text| RawJson::from_text(text).unwrap()));
        match extra {
            0 => call.meta = Some(Meta::new()),
            1 => call.request_state = Some(String::from("s")),
            _ => {}
        }
        let plain = call.plain_params();
        prop_assert_eq!(plain.is_some(), extra > 1);
        if let Some(plain) = plain {
            let serde = crate::jsonrpc::Params::from_serialize(&call).unwrap();
            prop_assert_eq!(plain.raw().get(), serde.raw().get());
            prop_assert_eq!(&plain, &serde);
            prop_assert!(plain.meta().is_none() && !plain.meta_is_malformed());
        }
    }

    #[test]
    fn plain_tool_results_encode_as_serde_does(result in handler_result()) {
        let plain = result.plain_json();
        let plain_shaped = result.result_type.is_none()
            && result.structured_content.is_none()
            && result.meta.is_none()
            && result.content.iter().all(|block| {
                matches!(block, ContentBlock::Text(text) if text.meta.is_none() && text.annotations.is_none())
            });
        prop_assert_eq!(plain.is_some(), plain_shaped);
        if let Some(plain) = plain {
            prop_assert_eq!(plain.get(), serde_json::to_string(&result).unwrap());
        }
    }

    #[test]
    fn plain_tool_call_params_decode_as_the_full_decoder_does(
        params in prop_oneof![candidate(), params_candidate()]
    ) {
        let line = format!(r#"{{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{params}}}"#);
        let Ok(Message::Request(request)) = decode(line.as_bytes()) else {
            return Ok(());
        };
        let Some(params) = request.params.as_ref() else {
            return Ok(());
        };
        if let Some(fast) = plain_call_tool(params) {
            let full: CallToolRequestParams = required_with_meta(Some(params), |typed: &mut CallToolRequestParams, meta| typed.meta = Some(meta))
                .map_err(|error| TestCaseError::fail(format!("{params:?}: {error}")))?;
            prop_assert_eq!(&fast.name, &full.name);
            prop_assert_eq!(fast.arguments.as_ref().map(RawJson::get), full.arguments.as_ref().map(RawJson::get));
            prop_assert_eq!(&fast.meta, &full.meta);
            prop_assert!(full.task.is_none() && full.input_responses.is_none() && full.request_state.is_none());
        }
    }

    #[test]
    fn plain_tool_results_decode(text in candidate()) {
        if plain_call_tool_result(&text) {
            let full: CallToolResult = crate::json::strict::from_str(&text)
                .map_err(|error| TestCaseError::fail(format!("{text}: {error}")))?;
            prop_assert!(full.structured_content.is_none(), "{}", text);
        }
    }

    #[test]
    fn plain_received_tool_results_decode_alike(text in received_result_candidate()) {
        let line = format!(r#"{{"jsonrpc":"2.0","id":1,"result":{text}}}"#);
        let Ok(Message::Response(response)) = decode(line.as_bytes()) else {
            return Ok(());
        };
        let Outcome::Result(body) = &response.outcome else {
            return Ok(());
        };
        if let Some(fast) = plain_call_tool_result_value(body) {
            let full: CallToolResult = crate::json::strict::from_str(body.raw().get())
                .map_err(|error| TestCaseError::fail(format!("{text}: {error}")))?;
            prop_assert_eq!(&fast, &full, "{}", text);
            // Meta equality compares text; the index must agree as well.
            prop_assert_eq!(
                fast.meta.as_ref().map(|meta| meta.server_info().is_some()),
                full.meta.as_ref().map(|meta| meta.server_info().is_some())
            );
        }
    }

    #[test]
    fn plain_implementations_decode_alike(
        text in prop_oneof![candidate(), implementation_candidate()]
    ) {
        if let Some(fast) = plain_implementation(&text) {
            let full: Implementation = crate::json::strict::from_str(&text)
                .map_err(|error| TestCaseError::fail(format!("{text}: {error}")))?;
            prop_assert_eq!(fast, full);
        }
    }
}

#[test]
fn the_candidates_reach_each_fast_path() {
    // The generators above are only worth something if they produce accepted texts.
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let (mut results, mut params, mut implementations, mut received) = (0, 0, 0, 0);
    for _ in 0..4000 {
        let text = received_result_candidate()
            .new_tree(&mut runner)
            .unwrap()
            .current();
        let line = format!(r#"{{"jsonrpc":"2.0","id":1,"result":{text}}}"#);
        if let Ok(Message::Response(response)) = decode(line.as_bytes()) {
            if let Outcome::Result(body) = &response.outcome {
                received +=
                    usize::from(plain_call_tool_result_value(body).is_some_and(|result| {
                        result.meta.is_some() && result.result_type.is_some()
                    }));
            }
        }
        let text = candidate().new_tree(&mut runner).unwrap().current();
        results += usize::from(plain_call_tool_result(&text));
        let text = params_candidate().new_tree(&mut runner).unwrap().current();
        let line = format!(r#"{{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{text}}}"#);
        if let Ok(Message::Request(request)) = decode(line.as_bytes()) {
            params += usize::from(request.params.as_ref().and_then(plain_call_tool).is_some());
        }
        let text = implementation_candidate()
            .new_tree(&mut runner)
            .unwrap()
            .current();
        implementations += usize::from(plain_implementation(&text).is_some());
    }
    assert!(results > 20, "{results} plain results");
    assert!(
        received > 20,
        "{received} plain received results with resultType and _meta"
    );
    assert!(params > 20, "{params} plain params");
    assert!(
        implementations > 20,
        "{implementations} plain implementations"
    );
}
