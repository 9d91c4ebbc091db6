//! `x-mcp-header`: tool arguments mirrored into `Mcp-Param-{Name}` headers (3.4.3).
//!
//! A tool's `inputSchema` may annotate a property with `"x-mcp-header": "Region"`; a
//! client calling the tool over Streamable HTTP then sends the argument's value as
//! `Mcp-Param-Region`, so gateways can route on it without reading the body. The
//! annotations of one schema are read once, with [`x_mcp_header_params`], into a list of
//! [`HeaderParam`]s that both sides reuse: the client to emit the headers
//! ([`request_headers`](crate::http::request_headers)), the server to check them
//! ([`check_param_headers`]).

use alloc::borrow::Cow;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;
use serde_json::Value;

use crate::http::head::RequestHead;
use crate::http::headers::{MCP_PARAM_PREFIX, decode_header_value, header_mismatch};
use crate::http::status::HttpResponse;
use crate::json::RawJson;
use crate::jsonrpc::Request;
use crate::jsonrpc::scan::object_members;

/// The JSON Schema `type` of an annotated property.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum HeaderParamType {
    /// `"string"`: sent as it is (or in the Base64 form).
    String,
    /// `"integer"`: sent in decimal, compared numerically.
    Integer,
    /// `"boolean"`: sent as `true` or `false`.
    Boolean,
}

/// One valid `x-mcp-header` annotation of a tool's input schema.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct HeaderParam {
    /// The annotation's value, as written: the header is `Mcp-Param-{name}`.
    pub name: String,
    /// The property names from the schema root down to the annotated property (one name
    /// for a top-level argument; more for a property of a nested object).
    pub path: Vec<String>,
    /// The annotated property's type.
    pub kind: HeaderParamType,
}

impl HeaderParam {
    /// The header this argument is mirrored into: `Mcp-Param-{name}`.
    pub fn header_name(&self) -> String {
        format!("{MCP_PARAM_PREFIX}{}", self.name)
    }

    /// The argument's value in `arguments` (the `tools/call` `arguments` object) at this
    /// parameter's path; `None` when any step is missing.
    pub fn value_in<'v>(&self, arguments: &'v Value) -> Option<&'v Value> {
        self.path
            .iter()
            .try_fold(arguments, |value, step| value.get(step.as_str()))
    }
}

/// What is wrong with an `x-mcp-header` annotation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AnnotationProblem {
    /// The value is not a string.
    NotAString,
    /// The value is the empty string.
    Empty,
    /// The value is not an RFC 9110 token (a space, colon, control or non-ASCII
    /// character).
    NotAToken,
    /// Another annotation of the schema has the same name, compared case-insensitively.
    Duplicate,
    /// The annotated property's `type` is not `"string"`, `"integer"` or `"boolean"`.
    NotPrimitive,
    /// The annotation is not reached from the root through `properties` keys alone
    /// (it sits under `items`, `anyOf`, `$defs`, … or on the root itself).
    NotReachable,
}

impl fmt::Display for AnnotationProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AnnotationProblem::NotAString => "the value is not a string",
            AnnotationProblem::Empty => "the value is empty",
            AnnotationProblem::NotAToken => "the value is not an HTTP token",
            AnnotationProblem::Duplicate => {
                "the value repeats another annotation (case-insensitively)"
            }
            AnnotationProblem::NotPrimitive => {
                "the property's type is not string, integer or boolean"
            }
            AnnotationProblem::NotReachable => {
                "the annotation is not reached from the root through properties alone"
            }
        })
    }
}

/// An invalid `x-mcp-header` annotation, which makes the whole tool invalid: clients
/// drop such a tool from the list they expose, servers should refuse to register it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid x-mcp-header at {pointer}: {problem}")]
pub struct InvalidHeaderAnnotation {
    /// JSON Pointer of the schema object holding the annotation.
    pub pointer: String,
    /// What is wrong.
    pub problem: AnnotationProblem,
}

/// True when `name` is an RFC 9110 token: `1*tchar`.
pub fn is_token(name: &str) -> bool {
    !name.is_empty()
        && name.bytes().all(|b| {
            b.is_ascii_alphanumeric()
                || matches!(
                    b,
                    b'!' | b'#'
                        | b'$'
                        | b'%'
                        | b'&'
                        | b'\''
                        | b'*'
                        | b'+'
                        | b'-'
                        | b'.'
                        | b'^'
                        | b'_'
                        | b'`'
                        | b'|'
                        | b'~'
                )
        })
}

/// Every `x-mcp-header` annotation of `schema` (a tool's `inputSchema`), or the first
/// invalid one. Properties are visited in `serde_json`'s map order (by name unless its
/// `preserve_order` feature is on); header order carries no meaning.
///
/// An annotation is valid when its value is a non-empty token, unique case-insensitively
/// within the schema, on a property whose `type` is `"string"`, `"integer"` or
/// `"boolean"`, and reached from the root through `properties` keys only. Values of the
/// data keywords `const`, `default`, `enum` and `examples` are not searched: they are
/// instances, not schemas.
pub fn x_mcp_header_params(schema: &RawJson) -> Result<Vec<HeaderParam>, InvalidHeaderAnnotation> {
    let schema = schema.to_value();
    let mut walk = Walk {
        pointer: String::new(),
        path: Vec::new(),
        found: Vec::new(),
    };
    walk.schema(&schema, Position::Root)?;
    Ok(walk.found)
}

/// Checks the `x-mcp-header` annotations of `schema` (see [`x_mcp_header_params`]).
pub fn validate_x_mcp_header_schema(schema: &RawJson) -> Result<(), InvalidHeaderAnnotation> {
    x_mcp_header_params(schema).map(drop)
}

/// Where a schema object sits.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Position {
    /// The root schema.
    Root,
    /// A property schema reached through `properties` only (its path is `Walk::path`).
    Property,
    /// Anywhere else.
    Elsewhere,
}

struct Walk {
    /// JSON Pointer of the current value.
    pointer: String,
    /// Property path of the current value, meaningful at [`Position::Property`].
    path: Vec<String>,
    found: Vec<HeaderParam>,
}

impl Walk {
    fn fail(&self, problem: AnnotationProblem) -> InvalidHeaderAnnotation {
        InvalidHeaderAnnotation {
            pointer: self.pointer.clone(),
            problem,
        }
    }

    /// Runs `inner` with `step` appended to the pointer.
    fn descend<T>(&mut self, step: &str, inner: impl FnOnce(&mut Self) -> T) -> T {
        let length = self.pointer.len();
        self.pointer.push('/');
        for c in step.chars() {
            match c {
                '~' => self.pointer.push_str("~0"),
                '/' => self.pointer.push_str("~1"),
                other => self.pointer.push(other),
            }
        }
        let result = inner(self);
        self.pointer.truncate(length);
        result
    }

    fn schema(&mut self, value: &Value, position: Position) -> Result<(), InvalidHeaderAnnotation> {
        match value {
            Value::Object(object) => {
                if let Some(annotation) = object.get("x-mcp-header") {
                    self.annotation(object, annotation, position)?;
                }
                for (key, child) in object {
                    match key.as_str() {
                        "x-mcp-header" | "const" | "default" | "enum" | "examples" => {}
                        "properties" if position != Position::Elsewhere => {
                            self.descend(key, |walk| walk.properties(child))?;
                        }
                        _ => self.descend(key, |walk| walk.schema(child, Position::Elsewhere))?,
                    }
                }
                Ok(())
            }
            Value::Array(items) => {
                for (index, item) in items.iter().enumerate() {
                    self.descend(&format!("{index}"), |walk| {
                        walk.schema(item, Position::Elsewhere)
                    })?;
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// The value of a `properties` keyword reached through properties only.
    fn properties(&mut self, value: &Value) -> Result<(), InvalidHeaderAnnotation> {
        let Value::Object(properties) = value else {
            return self.schema(value, Position::Elsewhere);
        };
        for (name, property) in properties {
            self.path.push(name.clone());
            let result = self.descend(name, |walk| walk.schema(property, Position::Property));
            self.path.pop();
            result?;
        }
        Ok(())
    }

    fn annotation(
        &mut self,
        object: &serde_json::Map<String, Value>,
        annotation: &Value,
        position: Position,
    ) -> Result<(), InvalidHeaderAnnotation> {
        if position != Position::Property {
            return Err(self.fail(AnnotationProblem::NotReachable));
        }
        let Value::String(name) = annotation else {
            return Err(self.fail(AnnotationProblem::NotAString));
        };
        if name.is_empty() {
            return Err(self.fail(AnnotationProblem::Empty));
        }
        if !is_token(name) {
            return Err(self.fail(AnnotationProblem::NotAToken));
        }
        if self
            .found
            .iter()
            .any(|param| param.name.eq_ignore_ascii_case(name))
        {
            return Err(self.fail(AnnotationProblem::Duplicate));
        }
        let kind = match object.get("type").and_then(Value::as_str) {
            Some("string") => HeaderParamType::String,
            Some("integer") => HeaderParamType::Integer,
            Some("boolean") => HeaderParamType::Boolean,
            _ => return Err(self.fail(AnnotationProblem::NotPrimitive)),
        };
        self.found.push(HeaderParam {
            name: name.clone(),
            path: self.path.clone(),
            kind,
        });
        Ok(())
    }
}

/// The header text a client sends for an argument value, before the Base64 form is
/// applied: a string as it is, a number in decimal, a boolean as `true`/`false`. `None`
/// for `null` and for objects and arrays, which are not mirrored.
pub fn render_param_value(value: &Value) -> Option<Cow<'_, str>> {
    match value {
        Value::String(text) => Some(Cow::Borrowed(text)),
        Value::Number(number) => Some(Cow::Owned(format!("{number}"))),
        Value::Bool(true) => Some(Cow::Borrowed("true")),
        Value::Bool(false) => Some(Cow::Borrowed("false")),
        Value::Null | Value::Object(_) | Value::Array(_) => None,
    }
}

/// The `arguments` object of a `tools/call` request as a tree; `Value::Null` when absent.
pub(crate) fn call_arguments(request: &Request) -> Value {
    let raw = request.params.as_ref().and_then(|params| {
        let [arguments] = object_members(params.raw().get(), ["arguments"]);
        arguments
    });
    raw.and_then(|raw| serde_json::from_str(raw).ok())
        .unwrap_or(Value::Null)
}

/// True when `text` is a JSON number (`-`? digits, optional fraction and exponent).
fn is_json_number(text: &str) -> bool {
    let rest = text.strip_prefix('-').unwrap_or(text);
    let (mantissa, exponent) = match rest.find(['e', 'E']) {
        Some(at) => (rest.get(..at).unwrap_or(""), rest.get(at + 1..)),
        None => (rest, None),
    };
    let (integer, fraction) = match mantissa.split_once('.') {
        Some((integer, fraction)) => (integer, Some(fraction)),
        None => (mantissa, None),
    };
    let digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
    digits(integer)
        && fraction.is_none_or(digits)
        && exponent
            .is_none_or(|exponent| digits(exponent.strip_prefix(['+', '-']).unwrap_or(exponent)))
}

/// True when header text `text` stands for the body number `number` (`42`, `42.0` and
/// `4.2e1` all stand for 42).
fn same_number(text: &str, number: &serde_json::Number) -> bool {
    if !is_json_number(text) {
        return false;
    }
    if let (Some(body), Ok(header)) = (number.as_i64(), text.parse::<i64>()) {
        return body == header;
    }
    if let (Some(body), Ok(header)) = (number.as_u64(), text.parse::<u64>()) {
        return body == header;
    }
    match (number.as_f64(), text.parse::<f64>()) {
        (Some(body), Ok(header)) => body == header,
        _ => false,
    }
}

/// Step 10 of the modern ladder: each annotated argument of a `tools/call` against its
/// `Mcp-Param-{Name}` header, with `params` from [`x_mcp_header_params`] of the called
/// tool's input schema.
///
/// - argument present (string, number or boolean) ⇒ the header must be present, once,
///   and equal it after decoding the Base64 form (numbers compare numerically);
/// - argument absent or `null` ⇒ the header must be absent;
/// - an argument that is an object or array is left to the arguments' schema validation
///   (`-32602`);
/// - a header with invalid characters or a malformed Base64 form is refused.
///
/// Every failure is 400 with `-32020` and the request's id. Headers named
/// `Mcp-Param-*` that no annotation names are ignored.
pub fn check_param_headers(
    head: &RequestHead<'_>,
    request: &Request,
    params: &[HeaderParam],
) -> Result<(), HttpResponse> {
    if params.is_empty() {
        return Ok(());
    }
    let arguments = call_arguments(request);
    for param in params {
        let header_name = param.header_name();
        let header = head.unique_header(&header_name).map_err(|_| {
            header_mismatch(request, &format!("{header_name} header is duplicated"))
        })?;
        let value = param.value_in(&arguments);
        let expected = match value {
            None | Some(Value::Null) => {
                if header.is_some() {
                    return Err(header_mismatch(
                        request,
                        &format!("{header_name} header is present but the argument is absent"),
                    ));
                }
                continue;
            }
            Some(Value::Object(_) | Value::Array(_)) => continue,
            Some(value) => value,
        };
        let Some(raw) = header else {
            return Err(header_mismatch(
                request,
                &format!("{header_name} header is required"),
            ));
        };
        let decoded = decode_header_value(raw)
            .map_err(|error| header_mismatch(request, &format!("{header_name} header: {error}")))?;
        let equal = match expected {
            Value::Number(number) => same_number(&decoded, number),
            other => render_param_value(other).is_some_and(|text| text == decoded),
        };
        if !equal {
            return Err(header_mismatch(
                request,
                &format!("{header_name} header does not match the argument"),
            ));
        }
    }
    Ok(())
}
