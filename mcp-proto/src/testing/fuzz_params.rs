//! The fuzz body of the `Mcp-Name` / `Mcp-Param-*` header rules: the value form
//! ([`encode_header_value`], [`decode_header_value`]), the `x-mcp-header` annotations
//! ([`x_mcp_header_params`]), the client's headers ([`request_headers`]) and the server's
//! checks ([`check_modern_headers`], [`check_param_headers`]).
//!
//! Every input, whatever byte 0 says, is first taken as a header value (after byte 0)
//! and as a tool name: decoding never panics; a decoded value re-encodes to visible ASCII
//! that decodes back to it; any text encodes to visible ASCII without surrounding
//! whitespace that decodes back to it; the client's `Mcp-Name` for a tool of that name
//! passes the server's check. Then byte 0 (mod 6) picks one more use of the rest:
//!
//! 0. nothing more;
//! 1. JSON `arguments` (a non-object is wrapped as `{"v": …}`): a schema annotating
//!    every primitive argument (nested objects included) is valid, the client's
//!    `Mcp-Param-*` headers for a call pass the server's check, and dropping or doubling
//!    one of them fails it;
//! 2. a JSON schema: reading its annotations never panics, and valid ones have token
//!    names, unique case-insensitively, with a path from the root; a call without
//!    arguments passes with them exactly when no header is sent;
//! 3. `name\nvalue`: one extra header on a fixed, correctly headed call: refused exactly
//!    when its name is one of the annotated headers (case-insensitively);
//! 4. the value of the string parameter's header: accepted exactly when it decodes to the
//!    argument;
//! 5. the value of the integer parameter's header: accepted only when it is a number
//!    equal to the argument.

use alloc::borrow::Cow;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use serde_json::{Map, Value, json};

use crate::http::{
    HeaderContext, HeaderParam, HttpMethod, RequestHead, check_modern_headers, check_param_headers,
    decode_header_value, encode_header_value, is_token, request_headers, trim_whitespace,
    x_mcp_header_params,
};
use crate::json::RawJson;
use crate::jsonrpc::{Message, Request, decode};

/// The most annotations a generated schema gets.
const MAX_ANNOTATIONS: usize = 32;

/// True for the bytes a header value may hold when sent: visible ASCII and space.
fn sendable(value: &str) -> bool {
    value.bytes().all(|b| (0x20..=0x7E).contains(&b))
        && trim_whitespace(value.as_bytes()) == value.as_bytes()
}

/// A 2026-07-28 `tools/call` of `name` with `arguments` (left out when `None`).
fn call(name: &str, arguments: Option<&Value>) -> Option<(Message, Request)> {
    let mut params = json!({
        "name": name,
        "_meta": {
            "io.modelcontextprotocol/protocolVersion": "2026-07-28",
            "io.modelcontextprotocol/clientCapabilities": {}
        }
    });
    if let (Some(arguments), Some(object)) = (arguments, params.as_object_mut()) {
        object.insert(String::from("arguments"), arguments.clone());
    }
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": params});
    let bytes = serde_json::to_vec(&body).ok()?;
    // Too deep to read back (the arguments are parsed again on both sides): skipped.
    serde_json::from_slice::<Value>(&bytes).ok()?;
    let message = decode(&bytes).ok()?;
    match &message {
        Message::Request(request) => {
            let request = request.clone();
            Some((message, request))
        }
        _ => None,
    }
}

/// The server's verdict on the client's headers for `request`, plus `extra` headers.
fn server_verdict(
    headers: &[(String, Vec<u8>)],
    request: &Request,
    params: &[HeaderParam],
) -> (bool, bool) {
    let refs: Vec<(&str, &[u8])> = headers
        .iter()
        .map(|(name, value)| (name.as_str(), value.as_slice()))
        .collect();
    let head = RequestHead::new(HttpMethod::Post, "/mcp", &refs);
    (
        check_modern_headers(&head, request).is_ok(),
        check_param_headers(&head, request, params).is_ok(),
    )
}

fn client_headers(message: &Message, params: &[HeaderParam]) -> Vec<(String, Vec<u8>)> {
    request_headers(
        message,
        &HeaderContext::Modern {
            header_params: params,
        },
    )
    .into_iter()
    .map(|(name, value)| {
        assert!(
            sendable(&value),
            "{name}: {value:?} cannot be sent as it is"
        );
        (name, value.into_bytes())
    })
    .collect()
}

/// The value form on arbitrary bytes and text, and `Mcp-Name` on a tool named `text`.
fn value_forms(raw: &[u8]) {
    if let Ok(decoded) = decode_header_value(raw) {
        let encoded = encode_header_value(&decoded);
        assert!(sendable(&encoded), "{encoded:?}");
        assert_eq!(
            decode_header_value(encoded.as_bytes()).as_deref(),
            Ok(&*decoded)
        );
        if let Cow::Borrowed(text) = &decoded {
            assert_eq!(text.as_bytes(), raw, "a literal is read as it is");
        }
    }
    let text = String::from_utf8_lossy(raw);
    let encoded = encode_header_value(&text);
    assert!(sendable(&encoded), "{text:?} encodes to {encoded:?}");
    assert_eq!(
        decode_header_value(encoded.as_bytes()).as_deref(),
        Ok(&*text),
        "{text:?} encodes to {encoded:?}"
    );
    if is_token(&text) {
        assert!(text.bytes().all(|b| b.is_ascii_graphic()));
    }
    // The tool's name travels in Mcp-Name.
    if let Some((message, request)) = call(&text, None) {
        let headers = client_headers(&message, &[]);
        assert_eq!(
            server_verdict(&headers, &request, &[]),
            (true, true),
            "Mcp-Name for {text:?}: {headers:?}"
        );
    }
}

/// A schema for `value` annotating every primitive (and arrays and nulls, which are
/// never sent), numbering the annotations in `count`.
fn schema_for(value: &Value, count: &mut usize, depth: usize) -> Value {
    let mut annotate = |kind: &str| {
        if *count >= MAX_ANNOTATIONS {
            return json!({ "type": kind });
        }
        *count += 1;
        // Token characters beyond letters and digits, in a name unique by its number.
        let name = match *count % 3 {
            0 => format!("P{count}"),
            1 => format!("p{count}.x~"),
            _ => format!("Arg_{count}!#$%&'*+-^`|"),
        };
        json!({ "type": kind, "x-mcp-header": name })
    };
    match value {
        Value::String(_) | Value::Null => annotate("string"),
        Value::Number(_) => annotate("integer"),
        Value::Bool(_) => annotate("boolean"),
        Value::Array(_) => annotate("string"),
        Value::Object(object) if depth < 8 => {
            let mut properties = Map::new();
            for (key, child) in object {
                properties.insert(key.clone(), schema_for(child, count, depth + 1));
            }
            json!({ "type": "object", "properties": properties })
        }
        Value::Object(_) => json!({ "type": "object" }),
    }
}

/// True when the argument at `param`'s path is sent: present, not null, a primitive.
fn is_sent(param: &HeaderParam, arguments: &Value) -> bool {
    matches!(
        param.value_in(arguments),
        Some(Value::String(_) | Value::Number(_) | Value::Bool(_))
    )
}

/// Mode 1: the client's headers for `arguments` pass the server's check.
fn arguments_round_trip(arguments: Value) {
    let arguments = match arguments {
        Value::Object(_) => arguments,
        other => json!({ "v": other }),
    };
    let mut count = 0;
    let schema = schema_for(&arguments, &mut count, 0);
    let Ok(raw) = RawJson::from_serialize(&schema) else {
        return;
    };
    let params = x_mcp_header_params(&raw);
    assert!(
        params.is_ok(),
        "generated schema {schema} is refused: {params:?}"
    );
    let Ok(params) = params else {
        return;
    };
    assert_eq!(params.len(), count);
    let Some((message, request)) = call("fuzz", Some(&arguments)) else {
        return;
    };
    let mut headers = client_headers(&message, &params);
    let sent: Vec<&HeaderParam> = params.iter().filter(|p| is_sent(p, &arguments)).collect();
    let param_headers = headers
        .iter()
        .filter(|(name, _)| name.starts_with("Mcp-Param-"))
        .count();
    assert_eq!(param_headers, sent.len(), "{headers:?}");
    assert_eq!(
        server_verdict(&headers, &request, &params),
        (true, true),
        "{arguments} with {headers:?}"
    );
    if let Some(first) = sent.first() {
        let name = first.header_name();
        let at = headers.iter().position(|(field, _)| *field == name);
        if let Some(at) = at {
            let copy = headers.get(at).cloned();
            if let Some(copy) = copy {
                headers.push(copy);
                assert!(
                    !server_verdict(&headers, &request, &params).1,
                    "doubled {name}"
                );
                headers.pop();
            }
            headers.remove(at);
            assert!(
                !server_verdict(&headers, &request, &params).1,
                "dropped {name}"
            );
        }
    }
}

/// Mode 2: an arbitrary schema's annotations.
fn schema_annotations(schema: &RawJson) {
    let Ok(params) = x_mcp_header_params(schema) else {
        return;
    };
    for (index, param) in params.iter().enumerate() {
        assert!(is_token(&param.name), "{:?}", param.name);
        assert!(!param.path.is_empty());
        for other in params.iter().skip(index + 1) {
            assert!(!param.name.eq_ignore_ascii_case(&other.name));
        }
    }
    // A call without arguments: no header is sent, and none is needed.
    if let Some((message, request)) = call("fuzz", None) {
        let headers = client_headers(&message, &params);
        assert!(
            !headers
                .iter()
                .any(|(name, _)| name.starts_with("Mcp-Param-"))
        );
        assert_eq!(server_verdict(&headers, &request, &params), (true, true));
    }
}

/// The fixed call of modes 3-5: its params and correct headers.
/// A call's annotations, the request, and its headers.
type Call = (Vec<HeaderParam>, Request, Vec<(String, Vec<u8>)>);

fn fixed_call() -> Option<Call> {
    let schema = json!({"type": "object", "properties": {
        "region": {"type": "string", "x-mcp-header": "Region"},
        "n": {"type": "integer", "x-mcp-header": "N"},
        "flag": {"type": "boolean", "x-mcp-header": "Flag"},
        "opt": {"type": "string", "x-mcp-header": "Opt"},
        "deep": {"type": "object", "properties": {"k": {"type": "string", "x-mcp-header": "Deep"}}}
    }});
    let params = x_mcp_header_params(&RawJson::from_serialize(&schema).ok()?).ok()?;
    let arguments = json!({"region": "eu-west 1", "n": 42, "flag": true, "deep": {"k": "é"}});
    let (message, request) = call("deploy", Some(&arguments))?;
    let headers = client_headers(&message, &params);
    assert_eq!(server_verdict(&headers, &request, &params), (true, true));
    Some((params, request, headers))
}

/// Mode 3: one extra header.
fn extra_header(rest: &[u8]) {
    let Some((params, request, mut headers)) = fixed_call() else {
        return;
    };
    let (name, value) = match rest.iter().position(|b| *b == b'\n') {
        Some(at) => (
            rest.get(..at).unwrap_or(&[]),
            rest.get(at + 1..).unwrap_or(&[]),
        ),
        None => (rest, &[][..]),
    };
    let name = String::from_utf8_lossy(name).into_owned();
    let annotated = params
        .iter()
        .any(|param| param.header_name().eq_ignore_ascii_case(&name));
    headers.push((name.clone(), value.to_vec()));
    let (_, accepted) = server_verdict(&headers, &request, &params);
    assert_eq!(accepted, !annotated, "extra header {name:?}");
}

/// Modes 4 and 5: the value of one parameter's header replaced.
fn replaced_value(header: &str, rest: &[u8]) {
    let Some((params, request, mut headers)) = fixed_call() else {
        return;
    };
    for (name, value) in headers.iter_mut() {
        if name == header {
            *value = rest.to_vec();
        }
    }
    let (_, accepted) = server_verdict(&headers, &request, &params);
    let decoded = decode_header_value(trim_whitespace(rest));
    if header == "Mcp-Param-Region" {
        assert_eq!(accepted, decoded.as_deref() == Ok("eu-west 1"), "{rest:?}");
    } else if accepted {
        let number = decoded.ok().and_then(|text| text.parse::<f64>().ok());
        assert_eq!(number, Some(42.0), "{rest:?} accepted for 42");
    }
}

/// The header rules run on `data`; see the module docs.
pub fn param_headers(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    value_forms(rest);
    match mode % 6 {
        1 => {
            if let Ok(arguments) = serde_json::from_slice::<Value>(rest) {
                arguments_round_trip(arguments);
            }
        }
        2 => {
            if let Ok(text) = core::str::from_utf8(rest) {
                if let Ok(schema) = RawJson::from_text(text) {
                    schema_annotations(&schema);
                }
            }
        }
        3 => extra_header(rest),
        4 => replaced_value("Mcp-Param-Region", rest),
        5 => replaced_value("Mcp-Param-N", rest),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_mode(mode: u8, rest: &[u8]) -> Vec<u8> {
        let mut data = alloc::vec![mode];
        data.extend_from_slice(rest);
        data
    }

    #[test]
    fn sample_inputs() {
        let values: [&[u8]; 11] = [
            b"",
            b"eu-west 1",
            b" padded ",
            b"trailing ",
            b" leading",
            b"=?base64?w6k=?=",
            b"=?base64?w6k?=",
            b"=?base64??=",
            b"=?base64?/w==?=",
            "Jörg \u{1F600}".as_bytes(),
            b"tab\there\x7F\xFF",
        ];
        for value in values {
            for mode in 0..6 {
                param_headers(&with_mode(mode, value));
            }
        }
        let arguments: [&str; 6] = [
            r#"{"region":"eu-west-1","n":42,"flag":false,"list":[1],"none":null}"#,
            r#"{"a":{"b":{"c":" x "}},"big":18446744073709551615,"neg":-9223372036854775808}"#,
            r#"{"f":1.5e300,"z":-0.0,"e":1E2,"s":"=?base64?AA==?=","u":"\u00e9\u0000"}"#,
            r#""just a string""#,
            r#"[1,2,3]"#,
            r#"{"x-mcp-header":"k","properties":{"type":"integer"}}"#,
        ];
        for text in arguments {
            param_headers(&with_mode(1, text.as_bytes()));
        }
        let schemas: [&str; 5] = [
            r#"{"type":"object","properties":{"r":{"type":"string","x-mcp-header":"Region"}}}"#,
            r#"{"properties":{"a":{"type":"integer","x-mcp-header":"A"},"b":{"type":"boolean","x-mcp-header":"a"}}}"#,
            r#"{"x-mcp-header":"Root","type":"string"}"#,
            r#"{"properties":{"a":{"items":{"type":"string","x-mcp-header":"I"}}}}"#,
            r#"{"properties":{"a":{"type":"number","x-mcp-header":"has space"}}}"#,
        ];
        for text in schemas {
            param_headers(&with_mode(2, text.as_bytes()));
        }
        for extra in [
            &b"Mcp-Param-Region\neu-west 1"[..],
            b"mcp-param-opt\nx",
            b"MCP-PARAM-DEEP\n",
            b"Mcp-Param-Other\nanything",
            b"X-Unrelated",
        ] {
            param_headers(&with_mode(3, extra));
        }
        for region in [
            &b"eu-west 1"[..],
            b" eu-west 1\t",
            b"=?base64?ZXUtd2VzdCAx?=",
            b"eu-west 2",
        ] {
            param_headers(&with_mode(4, region));
        }
        for n in [
            &b"42"[..],
            b"42.0",
            b"4.2e1",
            b"=?base64?NDI=?=",
            b"042",
            b"43",
            b"0x2A",
        ] {
            param_headers(&with_mode(5, n));
        }
    }

    #[test]
    fn random_inputs() {
        for seed in 0..128u64 {
            let mut rng = crate::testing::Rng::new(seed);
            let random: Vec<u8> = (0..(rng.next_u64() % 200))
                .map(|_| rng.next_u64() as u8)
                .collect();
            param_headers(&random);
        }
    }
}
