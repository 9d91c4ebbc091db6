//! RFC 6570 URI Templates, for MCP resource templates.
//!
//! A server advertises parameterised resources through `resources/templates/list`: each
//! `ResourceTemplate` carries a `uriTemplate` such as `file:///{+path}` or
//! `users://{id}/profile{?fields}`. A client may [expand](UriTemplate::expand) such a
//! template with its own values to build a URI for `resources/read`; the server must do
//! the inverse, [matching](UriTemplate::match_uri) each incoming URI against its templates
//! and extracting the variables' values. This module does both, as pure code over strings.
//!
//! ## Parsing and expansion
//!
//! [`UriTemplate::parse`] accepts all four levels of RFC 6570: literals; expressions with
//! the operators none, `+`, `#`, `.`, `/`, `;`, `?` and `&`; variable lists; prefix
//! modifiers `:N` (1 to [`MAX_PREFIX`]) and the explode modifier `*`. Anything else is a
//! typed [`TemplateError`] carrying the byte offset of the problem. Two deliberate
//! leniencies in literals: any non-ASCII character is accepted (RFC 6570 allows only the
//! `ucschar` and `iprivate` ranges), and so is `'` (a sub-delimiter of RFC 3986, harmless
//! to copy). Templates are bounded: at most [`MAX_TEMPLATE_LEN`] bytes,
//! [`MAX_EXPRESSIONS`] expressions and [`MAX_VARIABLES`] variables.
//!
//! [`UriTemplate::expand`] follows the algorithm of RFC 6570 appendix A exactly, with
//! values given as [`Variables`]: strings, lists and associative arrays ([`Value`]).
//! Variables that are absent, empty lists or empty maps are undefined and skipped. A
//! prefix modifier on a list or map is ignored (RFC 6570 section 2.4.1 says it does not
//! apply to composite values).
//!
//! ## Matching: the supported subset
//!
//! Matching inverts expansion for the forms resource templates use in practice:
//!
//! | form | matches | a value may contain (raw) | when several splits fit |
//! |------|---------|---------------------------|-------------------------|
//! | `{var}`, `{.var}` | the value (after `.`) | anything but `/`, `?`, `#` | shortest |
//! | `{/var}` | `/` and the value | anything but `/`, `?`, `#` | shortest |
//! | `{;var}` | `;var=` and the value | anything but `/`, `?`, `#` | shortest |
//! | `{+var}` | the value | anything but `?`, `#` | longest |
//! | `{#var}` | `#` and the value | anything but `#` | longest |
//! | `{?a,b}`, `{&c}` | a query string of `name=value` pairs | anything but `&`, `#` | — |
//!
//! - Expressions with several variables (`{x,y}`, `{/a,b}`) match their values joined by
//!   the operator's separator; every variable of a non-query expression is required and
//!   must match at least one character (a URI where one is absent or empty does not
//!   match).
//! - Query expressions (`?`, `&`) next to each other (`{?a,b}{&c}`) form one group: the
//!   part of the URI up to the next `#` (or its end) must be empty or the introducer of
//!   one of the group's expressions (`?` for `{?…}`, `&` for `{&…}`) followed by
//!   `&`-separated `name=value` pairs, **in any order**, each naming at most once a
//!   variable of that expression or of one after it in the group (so `{?a,b}{&c}` matches
//!   `?b=1&a=2&c=3` and also `&c=3`, its expansion when only `c` is defined). Every query variable is optional: an absent one is simply missing from the
//!   result. Unknown or repeated parameters, and parameters without `=`, do not match.
//!   `+` in a value stays `+` (RFC 6570 encodes a space as `%20`). A query group must
//!   end the template or be followed by a literal starting with `#` or by `{#…}`, and
//!   must not come after a fragment.
//! - Literals must appear verbatim; percent-encoded triplets compare case-insensitively
//!   in their hex digits, and a non-ASCII literal character matches either itself or its
//!   percent-encoded UTF-8.
//! - Not supported for matching (the match fails with [`MatchError::Unsupported`];
//!   [`UriTemplate::supports_matching`] tells in advance): prefix and explode modifiers,
//!   a variable named twice in one template, and a query group followed by anything other
//!   than a fragment or placed after one.
//!
//! **Ambiguity rule.** A URI may fit a template in several ways (`{name}.{ext}` against
//! `a.tar.gz`). The result is always the first fit in this priority order: from left to
//! right, each `{var}`, `{.var}`, `{/var}` and `{;var}` takes the *shortest* value that
//! lets the rest of the URI match, and each `{+var}` and `{#var}` the *longest* (so
//! `{name}.{ext}` gives `name = a`, `ext = tar.gz`, like the regex `^(.+?)\.(.+)$`).
//!
//! **Bounded work.** URIs longer than [`MAX_URI_LEN`] bytes are rejected up front. The
//! search is a depth-first search over (template step, URI position) states that
//! remembers the states that failed, so each is explored at most once: time is at most
//! proportional to the URI length times the template length (no exponential
//! backtracking, whatever the template), and memory to the URI length times the number of
//! variables (one bit per state, and an explicit stack instead of recursion).
//!
//! Extracted values are percent-decoded exactly once and must be UTF-8 (a URI with a
//! malformed `%` escape, or whose values decode to other bytes, is
//! [`MatchError::InvalidEncoding`]). **Do not decode them again**: a second decoding
//! would turn `%252e%252e` into `..` after the traversal checks below.
//!
//! ## Traversal rejection
//!
//! Servers typically map a template variable onto a file path or a key under some root.
//! So that no extracted value can escape that root, [`UriTemplate::match_uri`] and
//! [`UriTemplate::try_match`] reject ([`MatchError::Traversal`]) a URI when any extracted
//! value, **after percent-decoding**, contains:
//!
//! 1. a NUL character (`%00`): C and OS APIs truncate at it, so `a.txt%00.png` would open
//!    `a.txt`;
//! 2. a path segment (split on both `/` and `\`) made only of dots and spaces with at
//!    least one dot: `.` and `..` themselves however spelled (`..`, `%2e%2e`, `%2E.`,
//!    `..%2f`, `..\`, `..%5C`), and `...` or `.. ` which Windows trims to them;
//! 3. a leading `/` or `\`: an absolute or UNC path, which `Path::join` would substitute
//!    for the root (`file:///docs//etc/passwd` gives `+path = /etc/passwd`);
//! 4. a leading drive prefix, an ASCII letter followed by `:` (`C:/Windows`, `c:x`),
//!    absolute or drive-relative on Windows;
//! 5. for the one-segment forms `{var}`, `{.var}`, `{/var}` and `{;var}`: any `/` or `\`
//!    at all, which can only come from `%2F` or `%5C` (the template said "one segment").
//!
//! Values where dots are not a whole segment are fine: `a..b`, `.hidden`, `v1.2.3`,
//! `..hidden`, `dir/.config/x`. The checks apply to every variable, query and fragment
//! values included. They are lexical: a server should still resolve the final path and
//! check that it lies under its root (symbolic links, device names and case folding are
//! beyond what a URI can tell). For templates whose values are never used as paths,
//! [`UriTemplate::try_match_unchecked`] matches without these checks.
//!
//! ## Example
//!
//! ```
//! use mcp_proto::uri_template::{MatchError, UriTemplate, Variables};
//!
//! let template = UriTemplate::parse("file:///docs/{+path}")?;
//!
//! // A server resolving `resources/read`:
//! let vars = template.match_uri("file:///docs/guide/intro.md").unwrap();
//! assert_eq!(vars["path"], "guide/intro.md");
//!
//! // Escaping the root is refused, however it is spelled.
//! assert_eq!(template.match_uri("file:///docs/../etc/passwd"), None);
//! assert_eq!(template.match_uri("file:///docs/%2E%2E/etc/passwd"), None);
//! assert_eq!(
//!     template.try_match("file:///docs/guide/..%2F..%2Fsecret"),
//!     Err(MatchError::Traversal { variable: "path".into() })
//! );
//!
//! // A client building the URI:
//! let users = UriTemplate::parse("users://{id}/profile{?fields,lang}")?;
//! let uri = users.expand(&Variables::new().with("id", "ada").with("fields", "name email"));
//! assert_eq!(uri, "users://ada/profile?fields=name%20email");
//! // ...and the server reading it back, the absent `lang` simply missing.
//! let vars = users.match_uri(&uri).unwrap();
//! assert_eq!((vars["id"].as_str(), vars["fields"].as_str()), ("ada", "name email"));
//! assert!(!vars.contains_key("lang"));
//! # Ok::<(), mcp_proto::uri_template::TemplateError>(())
//! ```

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;
use core::fmt;
use core::str::FromStr;

/// The longest template [`UriTemplate::parse`] accepts, in bytes (4 KiB): real resource
/// templates are a few dozen bytes, and the bound caps the matcher's work.
pub const MAX_TEMPLATE_LEN: usize = 4096;

/// The most expressions (`{…}`) a template may have.
pub const MAX_EXPRESSIONS: usize = 64;

/// The most variables a template may name, over all its expressions (this also bounds the
/// matcher's memory).
pub const MAX_VARIABLES: usize = 64;

/// The largest prefix modifier, `{var:9999}`, as RFC 6570 allows (at most four digits).
pub const MAX_PREFIX: u16 = 9999;

/// The longest URI [`UriTemplate::try_match`] looks at, in bytes (8 KiB); longer ones are
/// [`MatchError::UriTooLong`] without any search.
pub const MAX_URI_LEN: usize = 8192;

/// Why a template failed to parse. Offsets are byte offsets into the template.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TemplateError {
    /// The template is longer than [`MAX_TEMPLATE_LEN`] bytes.
    #[error("URI template is longer than {max} bytes")]
    TooLong {
        /// The limit, [`MAX_TEMPLATE_LEN`].
        max: usize,
    },
    /// The template has more than [`MAX_EXPRESSIONS`] expressions.
    #[error("URI template has more than {max} expressions")]
    TooManyExpressions {
        /// The limit, [`MAX_EXPRESSIONS`].
        max: usize,
    },
    /// The template names more than [`MAX_VARIABLES`] variables.
    #[error("URI template has more than {max} variables")]
    TooManyVariables {
        /// The limit, [`MAX_VARIABLES`].
        max: usize,
    },
    /// An expression's `{` has no closing `}`.
    #[error("unclosed expression starting at byte {at}")]
    UnclosedExpression {
        /// Offset of the `{`.
        at: usize,
    },
    /// A `}` outside any expression, or a `{` inside one.
    #[error("unexpected brace at byte {at}")]
    UnexpectedBrace {
        /// Offset of the brace.
        at: usize,
    },
    /// A literal character RFC 6570 does not allow (a space, a control character, one of
    /// `"<>\^`|`, or a `%` not followed by two hex digits).
    #[error("invalid literal character at byte {at}")]
    InvalidLiteral {
        /// Offset of the character.
        at: usize,
    },
    /// An operator RFC 6570 reserves for future extensions (`=`, `,`, `!`, `@`, `|`).
    #[error("reserved operator at byte {at}")]
    ReservedOperator {
        /// Offset of the operator.
        at: usize,
    },
    /// A variable name is empty or has a character outside ALPHA, DIGIT, `_` and
    /// percent-encoded triplets (dots are allowed only between those).
    #[error("invalid variable name at byte {at}")]
    InvalidVariableName {
        /// Offset of the offending character (or of the `}` where a name was expected).
        at: usize,
    },
    /// A modifier is malformed: `:` not followed by 1 to 9999 without leading zeros, both
    /// modifiers on one variable, or anything else after a modifier.
    #[error("invalid modifier at byte {at}")]
    InvalidModifier {
        /// Offset of the offending character.
        at: usize,
    },
}

/// Why [`UriTemplate::try_match`] did not produce values for a URI.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MatchError {
    /// The template uses a form matching does not support (see the
    /// [module docs](self)); [`UriTemplate::supports_matching`] is false.
    #[error("URI template uses a form that matching does not support")]
    Unsupported,
    /// The URI is longer than [`MAX_URI_LEN`] bytes.
    #[error("URI is longer than {} bytes", MAX_URI_LEN)]
    UriTooLong,
    /// The URI has a `%` not followed by two hex digits, or a value decodes to bytes that
    /// are not UTF-8.
    #[error("URI has an invalid percent-encoding")]
    InvalidEncoding,
    /// The URI is not an expansion of the template.
    #[error("URI does not match the template")]
    NoMatch,
    /// The URI matches, but a value could escape a server's root (see the
    /// [module docs](self#traversal-rejection)).
    #[error("value of `{variable}` could escape the server's root")]
    Traversal {
        /// The variable whose value was rejected.
        variable: String,
    },
}

/// A variable's value for [`UriTemplate::expand`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    /// A single string (the empty string is defined, and expands as such).
    String(String),
    /// A list of strings; an empty list counts as undefined.
    List(Vec<String>),
    /// An associative array of `(name, value)` pairs, expanded in this order; an empty one
    /// counts as undefined.
    Map(Vec<(String, String)>),
}

impl Value {
    /// Whether expansion treats the variable as defined.
    fn is_defined(&self) -> bool {
        match self {
            Value::String(_) => true,
            Value::List(items) => !items.is_empty(),
            Value::Map(pairs) => !pairs.is_empty(),
        }
    }
}

impl From<String> for Value {
    fn from(value: String) -> Self {
        Value::String(value)
    }
}

impl From<&str> for Value {
    fn from(value: &str) -> Self {
        Value::String(value.into())
    }
}

impl From<Vec<String>> for Value {
    fn from(items: Vec<String>) -> Self {
        Value::List(items)
    }
}

impl From<Vec<&str>> for Value {
    fn from(items: Vec<&str>) -> Self {
        Value::List(items.into_iter().map(String::from).collect())
    }
}

impl From<Vec<(String, String)>> for Value {
    fn from(pairs: Vec<(String, String)>) -> Self {
        Value::Map(pairs)
    }
}

impl From<Vec<(&str, &str)>> for Value {
    fn from(pairs: Vec<(&str, &str)>) -> Self {
        Value::Map(
            pairs
                .into_iter()
                .map(|(name, value)| (name.into(), value.into()))
                .collect(),
        )
    }
}

/// The values [`UriTemplate::expand`] substitutes, by variable name.
///
/// A variable that is not set is undefined, and its expression parts are skipped. A map of
/// matched values (from [`UriTemplate::match_uri`]) converts into this, so a match can be
/// expanded back.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Variables {
    values: BTreeMap<String, Value>,
}

impl Variables {
    /// No variables: every expression expands to nothing.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `name` to `value`, returning the value it replaces.
    pub fn insert(&mut self, name: impl Into<String>, value: impl Into<Value>) -> Option<Value> {
        self.values.insert(name.into(), value.into())
    }

    /// This set with `name` set to `value`, for building values in one expression.
    #[must_use]
    pub fn with(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        self.insert(name, value);
        self
    }

    /// The value of `name`, if set.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.values.get(name)
    }

    /// Unsets `name`, returning its value.
    pub fn remove(&mut self, name: &str) -> Option<Value> {
        self.values.remove(name)
    }

    /// How many variables are set.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether no variable is set.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Every set variable with its value, in name order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.values
            .iter()
            .map(|(name, value)| (name.as_str(), value))
    }
}

impl From<BTreeMap<String, String>> for Variables {
    fn from(map: BTreeMap<String, String>) -> Self {
        map.into_iter().collect()
    }
}

impl<K: Into<String>, V: Into<Value>> FromIterator<(K, V)> for Variables {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        Variables {
            values: iter
                .into_iter()
                .map(|(name, value)| (name.into(), value.into()))
                .collect(),
        }
    }
}

/// A parsed RFC 6570 URI template: expands values into URIs, and matches URIs back into
/// values (see the [module docs](self) for the rules).
///
/// Equality compares the template text.
#[derive(Clone, Debug)]
pub struct UriTemplate {
    source: String,
    parts: Vec<Part>,
    /// The compiled matcher, `None` when the template uses a form matching does not
    /// support.
    matcher: Option<Matcher>,
}

impl PartialEq for UriTemplate {
    fn eq(&self, other: &Self) -> bool {
        self.source == other.source
    }
}

impl Eq for UriTemplate {}

impl fmt::Display for UriTemplate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

impl FromStr for UriTemplate {
    type Err = TemplateError;

    fn from_str(template: &str) -> Result<Self, Self::Err> {
        Self::parse(template)
    }
}

impl UriTemplate {
    /// Parses `template` (RFC 6570 levels 1 to 4), checking every literal, operator,
    /// variable name and modifier, and the size bounds.
    pub fn parse(template: &str) -> Result<Self, TemplateError> {
        let parts = parse_parts(template)?;
        let matcher = Matcher::compile(&parts);
        Ok(UriTemplate {
            source: template.into(),
            parts,
            matcher,
        })
    }

    /// The template text, as parsed.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// Each variable name the template uses, once, in order of first appearance.
    pub fn variable_names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = Vec::new();
        for part in &self.parts {
            if let Part::Expression(expression) = part {
                for spec in &expression.vars {
                    if !names.contains(&spec.name.as_str()) {
                        names.push(&spec.name);
                    }
                }
            }
        }
        names
    }

    /// Expands the template with `vars` (RFC 6570 section 3 and appendix A): each
    /// expression gets its operator's prefix, separators and named-parameter form, values
    /// are percent-encoded (all but unreserved characters, or all but unreserved and
    /// reserved characters and existing `%XX` triplets for `+` and `#`), and undefined
    /// variables are skipped. Non-ASCII literal characters come out percent-encoded.
    pub fn expand(&self, vars: &Variables) -> String {
        let mut out = String::with_capacity(self.source.len());
        for part in &self.parts {
            match part {
                Part::Literal(text) => expand_literal(&mut out, text),
                Part::Expression(expression) => expand_expression(&mut out, expression, vars),
            }
        }
        out
    }

    /// Whether [`try_match`](Self::try_match) can work with this template (it fails with
    /// [`MatchError::Unsupported`] otherwise): no prefix or explode modifiers, no variable
    /// named twice, and query expressions only at the end or just before a fragment.
    pub fn supports_matching(&self) -> bool {
        self.matcher.is_some()
    }

    /// The variables' percent-decoded values if `uri` is an expansion of this template
    /// and no value fails the traversal checks; `None` otherwise. This is
    /// [`try_match`](Self::try_match) without the reason.
    pub fn match_uri(&self, uri: &str) -> Option<BTreeMap<String, String>> {
        self.try_match(uri).ok()
    }

    /// Matches `uri` against this template (see the [module docs](self) for the supported
    /// forms and the ambiguity rule) and returns each present variable's percent-decoded
    /// value, after rejecting values that could escape a server's root (see
    /// [traversal rejection](self#traversal-rejection)). Optional query variables that the
    /// URI does not carry are absent from the map.
    pub fn try_match(&self, uri: &str) -> Result<BTreeMap<String, String>, MatchError> {
        let (matcher, values) = self.match_values(uri)?;
        for (var, value) in values.iter().enumerate() {
            let Some(value) = value else { continue };
            let segment = matcher.segment_bound.get(var).copied().unwrap_or(true);
            if !is_safe_value(value, segment) {
                let variable = matcher.names.get(var).cloned().unwrap_or_default();
                return Err(MatchError::Traversal { variable });
            }
        }
        Ok(matcher.named(values))
    }

    /// [`try_match`](Self::try_match) without the traversal checks: values may contain
    /// `..` segments, NUL characters, encoded slashes or absolute paths. Only for
    /// templates whose values are never used as paths, keys under a root or C strings.
    pub fn try_match_unchecked(&self, uri: &str) -> Result<BTreeMap<String, String>, MatchError> {
        let (matcher, values) = self.match_values(uri)?;
        Ok(matcher.named(values))
    }

    /// The shared part of both matches: bounds, encoding, the search and decoding.
    fn match_values(&self, uri: &str) -> Result<(&Matcher, Vec<Option<String>>), MatchError> {
        let matcher = self.matcher.as_ref().ok_or(MatchError::Unsupported)?;
        if uri.len() > MAX_URI_LEN {
            return Err(MatchError::UriTooLong);
        }
        if !has_valid_escapes(uri) {
            return Err(MatchError::InvalidEncoding);
        }
        let raw = matcher.search(uri).ok_or(MatchError::NoMatch)?;
        let mut values = Vec::with_capacity(raw.len());
        for value in raw {
            match value {
                Some(text) => values.push(Some(
                    percent_decode(text).ok_or(MatchError::InvalidEncoding)?,
                )),
                None => values.push(None),
            }
        }
        Ok((matcher, values))
    }
}

// ---------------------------------------------------------------------------------------
// The parsed form.

/// A piece of a template: literal text (kept as written) or an expression.
#[derive(Clone, Debug)]
enum Part {
    Literal(String),
    Expression(Expression),
}

/// One `{…}`: an operator and its variables.
#[derive(Clone, Debug)]
struct Expression {
    operator: Operator,
    vars: Vec<VarSpec>,
}

/// A variable in an expression, with its modifier.
#[derive(Clone, Debug)]
struct VarSpec {
    name: String,
    modifier: Modifier,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Modifier {
    None,
    Prefix(u16),
    Explode,
}

/// The expression operators of RFC 6570 section 2.2.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Operator {
    Simple,
    Reserved,
    Fragment,
    Label,
    Path,
    PathParam,
    Query,
    QueryContinuation,
}

/// One row of the table in RFC 6570 appendix A.
struct OperatorSpec {
    first: &'static str,
    sep: &'static str,
    named: bool,
    ifemp: &'static str,
    allow_reserved: bool,
}

impl Operator {
    fn spec(self) -> OperatorSpec {
        let (first, sep, named, ifemp, allow_reserved) = match self {
            Operator::Simple => ("", ",", false, "", false),
            Operator::Reserved => ("", ",", false, "", true),
            Operator::Fragment => ("#", ",", false, "", true),
            Operator::Label => (".", ".", false, "", false),
            Operator::Path => ("/", "/", false, "", false),
            Operator::PathParam => (";", ";", true, "", false),
            Operator::Query => ("?", "&", true, "=", false),
            Operator::QueryContinuation => ("&", "&", true, "=", false),
        };
        OperatorSpec {
            first,
            sep,
            named,
            ifemp,
            allow_reserved,
        }
    }
}

// ---------------------------------------------------------------------------------------
// Parsing.

fn parse_parts(template: &str) -> Result<Vec<Part>, TemplateError> {
    if template.len() > MAX_TEMPLATE_LEN {
        return Err(TemplateError::TooLong {
            max: MAX_TEMPLATE_LEN,
        });
    }
    let bytes = template.as_bytes();
    let mut parts = Vec::new();
    let mut expressions = 0usize;
    let mut variables = 0usize;
    let mut i = 0;
    while let Some(&byte) = bytes.get(i) {
        if byte == b'{' {
            expressions += 1;
            if expressions > MAX_EXPRESSIONS {
                return Err(TemplateError::TooManyExpressions {
                    max: MAX_EXPRESSIONS,
                });
            }
            let (expression, next) = parse_expression(bytes, i)?;
            variables += expression.vars.len();
            if variables > MAX_VARIABLES {
                return Err(TemplateError::TooManyVariables { max: MAX_VARIABLES });
            }
            parts.push(Part::Expression(expression));
            i = next;
        } else {
            let start = i;
            i = scan_literal(bytes, i)?;
            // The scan stops only at ASCII bytes or the end, so these are char boundaries.
            let text = template.get(start..i).unwrap_or_default();
            parts.push(Part::Literal(text.into()));
        }
    }
    Ok(parts)
}

/// Scans literal characters from `i` up to the next `{` (or the end), returning where it
/// stopped.
fn scan_literal(bytes: &[u8], mut i: usize) -> Result<usize, TemplateError> {
    while let Some(&byte) = bytes.get(i) {
        match byte {
            b'{' => break,
            b'%' => {
                if !(is_hex(bytes.get(i + 1)) && is_hex(bytes.get(i + 2))) {
                    return Err(TemplateError::InvalidLiteral { at: i });
                }
                i += 3;
            }
            b'}' => return Err(TemplateError::UnexpectedBrace { at: i }),
            // Bytes of a non-ASCII character (the input is a str, so they form whole ones).
            0x80.. => i += 1,
            _ if is_literal_ascii(byte) => i += 1,
            _ => return Err(TemplateError::InvalidLiteral { at: i }),
        }
    }
    Ok(i)
}

/// ASCII characters RFC 6570 allows in literals, plus `'`.
fn is_literal_ascii(byte: u8) -> bool {
    byte.is_ascii_graphic() && !matches!(byte, b'"' | b'<' | b'>' | b'\\' | b'^' | b'`' | b'|')
}

/// Parses the expression whose `{` is at `open`, returning it and the offset after its `}`.
fn parse_expression(bytes: &[u8], open: usize) -> Result<(Expression, usize), TemplateError> {
    let body_start = open + 1;
    let close = bytes
        .get(body_start..)
        .and_then(|rest| rest.iter().position(|&b| b == b'{' || b == b'}'))
        .map(|offset| body_start + offset)
        .ok_or(TemplateError::UnclosedExpression { at: open })?;
    if bytes.get(close) == Some(&b'{') {
        return Err(TemplateError::UnexpectedBrace { at: close });
    }
    // Reading past the body yields `None`, which every check below treats as an error at
    // `close` (where a character was expected).
    let body = bytes.get(..close).unwrap_or_default();
    let (operator, mut i) = match body.get(body_start) {
        Some(b'+') => (Operator::Reserved, body_start + 1),
        Some(b'#') => (Operator::Fragment, body_start + 1),
        Some(b'.') => (Operator::Label, body_start + 1),
        Some(b'/') => (Operator::Path, body_start + 1),
        Some(b';') => (Operator::PathParam, body_start + 1),
        Some(b'?') => (Operator::Query, body_start + 1),
        Some(b'&') => (Operator::QueryContinuation, body_start + 1),
        Some(b'=' | b',' | b'!' | b'@' | b'|') => {
            return Err(TemplateError::ReservedOperator { at: body_start });
        }
        _ => (Operator::Simple, body_start),
    };
    let mut vars = Vec::new();
    loop {
        let name_start = i;
        i = scan_varname(body, i)?;
        let name = core::str::from_utf8(body.get(name_start..i).unwrap_or_default())
            .unwrap_or_default()
            .into();
        let modifier = match body.get(i) {
            Some(b':') => {
                let (length, next) = scan_prefix(body, i + 1)?;
                i = next;
                Modifier::Prefix(length)
            }
            Some(b'*') => {
                i += 1;
                Modifier::Explode
            }
            _ => Modifier::None,
        };
        vars.push(VarSpec { name, modifier });
        match body.get(i) {
            None => break,
            Some(b',') => i += 1,
            Some(_) if modifier != Modifier::None => {
                return Err(TemplateError::InvalidModifier { at: i });
            }
            Some(_) => return Err(TemplateError::InvalidVariableName { at: i }),
        }
    }
    Ok((Expression { operator, vars }, close + 1))
}

/// Scans a varname (`varchar *( ["."] varchar )`) from `i`, returning where it ends.
fn scan_varname(body: &[u8], mut i: usize) -> Result<usize, TemplateError> {
    loop {
        // A varchar is required here: at the start, and after each dot.
        if !scan_varchar(body, &mut i) {
            return Err(TemplateError::InvalidVariableName { at: i });
        }
        while scan_varchar(body, &mut i) {}
        if body.get(i) == Some(&b'.') {
            i += 1;
        } else {
            return Ok(i);
        }
    }
}

/// Advances past one varchar (ALPHA / DIGIT / `_` / pct-encoded) at `i`, if there is one.
fn scan_varchar(body: &[u8], i: &mut usize) -> bool {
    match body.get(*i) {
        Some(byte) if byte.is_ascii_alphanumeric() || *byte == b'_' => {
            *i += 1;
            true
        }
        Some(b'%') if is_hex(body.get(*i + 1)) && is_hex(body.get(*i + 2)) => {
            *i += 3;
            true
        }
        _ => false,
    }
}

/// Scans a prefix length (`%x31-39 0*3DIGIT`) from `i`, returning it and where it ends.
fn scan_prefix(body: &[u8], mut i: usize) -> Result<(u16, usize), TemplateError> {
    let mut length: u16 = 0;
    let mut digits = 0;
    while let Some(byte) = body.get(i).filter(|byte| byte.is_ascii_digit()) {
        if (digits == 0 && *byte == b'0') || digits == 4 {
            return Err(TemplateError::InvalidModifier { at: i });
        }
        length = length * 10 + u16::from(byte - b'0');
        digits += 1;
        i += 1;
    }
    if digits == 0 {
        return Err(TemplateError::InvalidModifier { at: i });
    }
    Ok((length, i))
}

fn is_hex(byte: Option<&u8>) -> bool {
    byte.is_some_and(u8::is_ascii_hexdigit)
}

fn hex_value(byte: u8) -> Option<u8> {
    match byte {
        b'0'..=b'9' => Some(byte - b'0'),
        b'a'..=b'f' => Some(byte - b'a' + 10),
        b'A'..=b'F' => Some(byte - b'A' + 10),
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------
// Expansion.

const HEX_DIGITS: &[u8; 16] = b"0123456789ABCDEF";

fn push_pct(out: &mut String, byte: u8) {
    out.push('%');
    for nibble in [byte >> 4, byte & 0x0F] {
        let digit = HEX_DIGITS.get(usize::from(nibble)).copied().unwrap_or(b'0');
        out.push(char::from(digit));
    }
}

fn is_unreserved(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~')
}

fn is_reserved(byte: u8) -> bool {
    matches!(
        byte,
        b':' | b'/'
            | b'?'
            | b'#'
            | b'['
            | b']'
            | b'@'
            | b'!'
            | b'$'
            | b'&'
            | b'\''
            | b'('
            | b')'
            | b'*'
            | b'+'
            | b','
            | b';'
            | b'='
    )
}

/// Appends a literal: ASCII and triplets as written, other characters percent-encoded.
fn expand_literal(out: &mut String, text: &str) {
    for c in text.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            let mut buf = [0u8; 4];
            for byte in c.encode_utf8(&mut buf).bytes() {
                push_pct(out, byte);
            }
        }
    }
}

/// Appends `value` percent-encoded: everything but unreserved characters, or (for `+` and
/// `#`) everything but unreserved and reserved characters and existing triplets.
fn encode(out: &mut String, value: &str, allow_reserved: bool) {
    let bytes = value.as_bytes();
    let mut i = 0;
    while let Some(&byte) = bytes.get(i) {
        if is_unreserved(byte) || (allow_reserved && is_reserved(byte)) {
            out.push(char::from(byte));
            i += 1;
        } else if allow_reserved
            && byte == b'%'
            && is_hex(bytes.get(i + 1))
            && is_hex(bytes.get(i + 2))
        {
            out.push_str(value.get(i..i + 3).unwrap_or_default());
            i += 3;
        } else {
            push_pct(out, byte);
            i += 1;
        }
    }
}

/// The first `length` characters of `value` (a triplet counting as one character where
/// triplets pass through, so a prefix never splits one).
fn prefix(value: &str, length: u16, allow_reserved: bool) -> &str {
    let bytes = value.as_bytes();
    let mut end = 0;
    for _ in 0..length {
        let Some(&byte) = bytes.get(end) else { break };
        end += if allow_reserved
            && byte == b'%'
            && is_hex(bytes.get(end + 1))
            && is_hex(bytes.get(end + 2))
        {
            3
        } else {
            value
                .get(end..)
                .and_then(|rest| rest.chars().next())
                .map_or(1, char::len_utf8)
        };
    }
    value.get(..end).unwrap_or(value)
}

fn expand_expression(out: &mut String, expression: &Expression, vars: &Variables) {
    let spec = expression.operator.spec();
    let allow = spec.allow_reserved;
    let mut first = true;
    for var in &expression.vars {
        let Some(value) = vars.get(&var.name).filter(|value| value.is_defined()) else {
            continue;
        };
        out.push_str(if first { spec.first } else { spec.sep });
        first = false;
        let explode = var.modifier == Modifier::Explode;
        match value {
            Value::String(text) => {
                if spec.named {
                    out.push_str(&var.name);
                    if text.is_empty() {
                        out.push_str(spec.ifemp);
                        continue;
                    }
                    out.push('=');
                }
                let text = match var.modifier {
                    Modifier::Prefix(length) => prefix(text, length, allow),
                    _ => text,
                };
                encode(out, text, allow);
            }
            Value::List(items) if explode => {
                for (index, item) in items.iter().enumerate() {
                    if index > 0 {
                        out.push_str(spec.sep);
                    }
                    if spec.named {
                        push_named(out, &var.name, item, &spec);
                    } else {
                        encode(out, item, allow);
                    }
                }
            }
            Value::Map(pairs) if explode => {
                for (index, (name, item)) in pairs.iter().enumerate() {
                    if index > 0 {
                        out.push_str(spec.sep);
                    }
                    if spec.named {
                        let mut encoded = String::new();
                        encode(&mut encoded, name, allow);
                        push_named(out, &encoded, item, &spec);
                    } else {
                        encode(out, name, allow);
                        out.push('=');
                        encode(out, item, allow);
                    }
                }
            }
            Value::List(_) | Value::Map(_) => {
                let mut joined = String::new();
                match value {
                    Value::List(items) => {
                        for (index, item) in items.iter().enumerate() {
                            if index > 0 {
                                joined.push(',');
                            }
                            encode(&mut joined, item, allow);
                        }
                    }
                    Value::Map(pairs) => {
                        for (index, (name, item)) in pairs.iter().enumerate() {
                            if index > 0 {
                                joined.push(',');
                            }
                            encode(&mut joined, name, allow);
                            joined.push(',');
                            encode(&mut joined, item, allow);
                        }
                    }
                    Value::String(_) => {}
                }
                if spec.named {
                    out.push_str(&var.name);
                    out.push_str(if joined.is_empty() { spec.ifemp } else { "=" });
                }
                out.push_str(&joined);
            }
        }
    }
}

/// Appends `name=value` for a named operator, or `name` and `ifemp` for an empty value.
fn push_named(out: &mut String, name: &str, value: &str, spec: &OperatorSpec) {
    out.push_str(name);
    if value.is_empty() {
        out.push_str(spec.ifemp);
    } else {
        out.push('=');
        encode(out, value, spec.allow_reserved);
    }
}

// ---------------------------------------------------------------------------------------
// Matching.

/// Which raw characters a captured value may contain.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Class {
    /// One segment: anything but `/`, `?`, `#`.
    Segment,
    /// Reserved expansion: anything but `?`, `#`.
    Reserved,
    /// A fragment: anything but `#`.
    Fragment,
}

impl Class {
    fn allows(self, c: char) -> bool {
        match self {
            Class::Segment => !matches!(c, '/' | '?' | '#'),
            Class::Reserved => !matches!(c, '?' | '#'),
            Class::Fragment => c != '#',
        }
    }
}

/// One step of the compiled matcher.
#[derive(Clone, Debug)]
enum Step {
    /// Text that must appear verbatim (template literals and operator punctuation).
    Literal(String),
    /// A required, non-empty value of variable `var`.
    Capture {
        var: usize,
        class: Class,
        greedy: bool,
        slot: usize,
    },
    /// A group of optional, order-insensitive query parameters.
    Query {
        /// Per expression of the group, in order: its introducer (`?` or `&`) and where
        /// its variables start in `vars`.
        leads: Vec<(u8, usize)>,
        vars: Vec<usize>,
        slot: usize,
    },
}

/// A template compiled for matching.
#[derive(Clone, Debug)]
struct Matcher {
    /// Variable names, indexed by variable number.
    names: Vec<String>,
    /// Per variable: whether its form promises a single segment (traversal rule 5).
    segment_bound: Vec<bool>,
    steps: Vec<Step>,
    /// Number of memoised steps (captures and query groups).
    slots: usize,
}

/// A state of the search: at the start of a step, or inside a capture that has consumed
/// at least one unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Start,
    Inside,
}

#[derive(Clone, Copy, Debug)]
struct Frame {
    kind: Kind,
    step: usize,
    pos: usize,
    /// The next alternative to try.
    alt: u8,
}

/// What one alternative of a state leads to.
enum Next {
    Accept,
    Go(Kind, usize, usize),
    Skip,
    Exhausted,
}

/// A fixed-size bit set (the failed states).
struct Bits(Vec<u64>);

impl Bits {
    fn new(len: usize) -> Self {
        Bits(vec![0; len.div_ceil(64)])
    }

    fn get(&self, index: usize) -> bool {
        self.0
            .get(index / 64)
            .is_some_and(|word| word & (1 << (index % 64)) != 0)
    }

    fn set(&mut self, index: usize) {
        if let Some(word) = self.0.get_mut(index / 64) {
            *word |= 1 << (index % 64);
        }
    }
}

impl Matcher {
    /// Compiles `parts` into matching steps, or `None` for an unsupported template.
    fn compile(parts: &[Part]) -> Option<Matcher> {
        let mut matcher = Matcher {
            names: Vec::new(),
            segment_bound: Vec::new(),
            steps: Vec::new(),
            slots: 0,
        };
        for part in parts {
            let expression = match part {
                Part::Literal(text) => {
                    matcher.push_literal(text);
                    continue;
                }
                Part::Expression(expression) => expression,
            };
            if expression
                .vars
                .iter()
                .any(|var| var.modifier != Modifier::None)
            {
                return None;
            }
            let operator = expression.operator;
            let spec = operator.spec();
            if matches!(operator, Operator::Query | Operator::QueryContinuation) {
                let mut ids = Vec::with_capacity(expression.vars.len());
                for var in &expression.vars {
                    ids.push(matcher.add_var(&var.name, false)?);
                }
                let lead = if operator == Operator::Query {
                    b'?'
                } else {
                    b'&'
                };
                if let Some(Step::Query { leads, vars, .. }) = matcher.steps.last_mut() {
                    leads.push((lead, vars.len()));
                    vars.extend(ids);
                } else {
                    let slot = matcher.next_slot();
                    matcher.steps.push(Step::Query {
                        leads: vec![(lead, 0)],
                        vars: ids,
                        slot,
                    });
                }
                continue;
            }
            let (class, greedy, segment) = match operator {
                Operator::Reserved => (Class::Reserved, true, false),
                Operator::Fragment => (Class::Fragment, true, false),
                _ => (Class::Segment, false, true),
            };
            for (index, var) in expression.vars.iter().enumerate() {
                matcher.push_literal(if index == 0 { spec.first } else { spec.sep });
                if spec.named {
                    matcher.push_literal(&var.name);
                    matcher.push_literal("=");
                }
                let id = matcher.add_var(&var.name, segment)?;
                let slot = matcher.next_slot();
                matcher.steps.push(Step::Capture {
                    var: id,
                    class,
                    greedy,
                    slot,
                });
            }
        }
        // A query group runs to the fragment or the end: only a fragment may follow it,
        // and it must come before any fragment (a URI's fragment is its last part; this
        // also keeps each group to one possible start).
        let mut fragment = false;
        for (index, step) in matcher.steps.iter().enumerate() {
            match step {
                Step::Query { .. } if fragment => return None,
                Step::Query { .. } => match matcher.steps.get(index + 1) {
                    None => {}
                    Some(Step::Literal(text)) if text.starts_with('#') => {}
                    Some(_) => return None,
                },
                Step::Literal(text) => fragment |= text.contains('#'),
                Step::Capture { class, .. } => fragment |= *class == Class::Fragment,
            }
        }
        Some(matcher)
    }

    fn push_literal(&mut self, text: &str) {
        if text.is_empty() {
            return;
        }
        if let Some(Step::Literal(last)) = self.steps.last_mut() {
            last.push_str(text);
        } else {
            self.steps.push(Step::Literal(text.into()));
        }
    }

    /// Registers a variable, or `None` if the template already named it.
    fn add_var(&mut self, name: &str, segment: bool) -> Option<usize> {
        if self.names.iter().any(|known| known == name) {
            return None;
        }
        self.names.push(name.into());
        self.segment_bound.push(segment);
        Some(self.names.len() - 1)
    }

    fn next_slot(&mut self) -> usize {
        self.slots += 1;
        self.slots - 1
    }

    /// The memo slot of a state, if it is memoised (inside a capture, start of a query).
    fn memo_slot(&self, kind: Kind, step: usize) -> Option<usize> {
        match (kind, self.steps.get(step)) {
            (Kind::Inside, Some(Step::Capture { slot, .. }))
            | (Kind::Start, Some(Step::Query { slot, .. })) => Some(*slot),
            _ => None,
        }
    }

    /// Finds the first fit of `uri` in priority order and returns each variable's raw
    /// (still encoded) value. A depth-first search over states `(step, position)` with an
    /// explicit stack; states that failed are remembered, so each is explored at most
    /// once.
    fn search<'u>(&self, uri: &'u str) -> Option<Vec<Option<&'u str>>> {
        let width = uri.len() + 1;
        let mut failed = Bits::new(self.slots.saturating_mul(width));
        let mut stack = vec![Frame {
            kind: Kind::Start,
            step: 0,
            pos: 0,
            alt: 0,
        }];
        while let Some(top) = stack.last_mut() {
            let frame = *top;
            top.alt += 1;
            match self.next(uri, frame) {
                Next::Accept => return Some(self.captures(uri, &stack)),
                Next::Go(kind, step, pos) => {
                    if let Some(slot) = self.memo_slot(kind, step) {
                        if failed.get(slot * width + pos) {
                            continue;
                        }
                    }
                    stack.push(Frame {
                        kind,
                        step,
                        pos,
                        alt: 0,
                    });
                }
                Next::Skip => {}
                Next::Exhausted => {
                    stack.pop();
                    if let Some(slot) = self.memo_slot(frame.kind, frame.step) {
                        failed.set(slot * width + frame.pos);
                    }
                }
            }
        }
        None
    }

    /// Alternative number `frame.alt` of a state, in priority order.
    fn next(&self, uri: &str, frame: Frame) -> Next {
        let Frame {
            kind,
            step,
            pos,
            alt,
        } = frame;
        let Some(current) = self.steps.get(step) else {
            return match alt {
                0 if pos == uri.len() => Next::Accept,
                0 => Next::Skip,
                _ => Next::Exhausted,
            };
        };
        match (kind, current) {
            (Kind::Start, Step::Literal(text)) => match alt {
                0 => match_literal(text, uri, pos)
                    .map_or(Next::Skip, |end| Next::Go(Kind::Start, step + 1, end)),
                _ => Next::Exhausted,
            },
            (Kind::Start, Step::Query { leads, vars, .. }) => match alt {
                0 => self
                    .scan_query(leads, vars, uri, pos, |_, _| {})
                    .map_or(Next::Skip, |end| Next::Go(Kind::Start, step + 1, end)),
                _ => Next::Exhausted,
            },
            (Kind::Start, Step::Capture { class, .. }) => match alt {
                0 => unit(uri, pos, *class)
                    .map_or(Next::Skip, |len| Next::Go(Kind::Inside, step, pos + len)),
                _ => Next::Exhausted,
            },
            (Kind::Inside, Step::Capture { class, greedy, .. }) => {
                let extend = || {
                    unit(uri, pos, *class)
                        .map_or(Next::Skip, |len| Next::Go(Kind::Inside, step, pos + len))
                };
                let stop = || Next::Go(Kind::Start, step + 1, pos);
                match (alt, *greedy) {
                    (0, true) | (1, false) => extend(),
                    (0, false) | (1, true) => stop(),
                    _ => Next::Exhausted,
                }
            }
            (Kind::Inside, _) => Next::Exhausted,
        }
    }

    /// Reads the raw values off the stack of an accepted search.
    fn captures<'u>(&self, uri: &'u str, stack: &[Frame]) -> Vec<Option<&'u str>> {
        let mut values = vec![None; self.names.len()];
        let mut start = 0;
        for frame in stack {
            match (frame.kind, self.steps.get(frame.step)) {
                (Kind::Start, Some(Step::Capture { .. })) => start = frame.pos,
                // The last `Inside` frame of a capture is where it stopped.
                (Kind::Inside, Some(Step::Capture { var, .. })) => {
                    if let Some(value) = values.get_mut(*var) {
                        *value = uri.get(start..frame.pos);
                    }
                }
                (Kind::Start, Some(Step::Query { leads, vars, .. })) => {
                    self.scan_query(leads, vars, uri, frame.pos, |var, raw| {
                        if let Some(value) = values.get_mut(var) {
                            *value = Some(raw);
                        }
                    });
                }
                _ => {}
            }
        }
        values
    }

    /// Checks the query group at `pos` (up to the next `#` or the end), reporting each
    /// parameter's variable and raw value to `found`; returns where the group ends.
    ///
    /// The group's text starts with the introducer of the first expression that has a
    /// value (`{?a}{&b}` expands to `&b=1` when only `b` is defined), so the introducer
    /// found says which expressions may follow: that one and those after it.
    fn scan_query<'u>(
        &self,
        leads: &[(u8, usize)],
        vars: &[usize],
        uri: &'u str,
        pos: usize,
        mut found: impl FnMut(usize, &'u str),
    ) -> Option<usize> {
        let bytes = uri.as_bytes();
        let from = match bytes.get(pos) {
            None | Some(b'#') => return Some(pos),
            Some(byte) => leads.iter().find(|(lead, _)| lead == byte)?.1,
        };
        let vars = vars.get(from..)?;
        // Each parameter must name a distinct variable of the group, so a scan reads at
        // most `vars.len() + 1` parameters before it fails or ends.
        let mut seen: u64 = 0;
        let mut start = pos + 1;
        loop {
            let rest = bytes.get(start..)?;
            let (end, more) = match memchr::memchr2(b'&', b'#', rest) {
                Some(offset) => (start + offset, rest.get(offset) == Some(&b'&')),
                None => (bytes.len(), false),
            };
            let (name, value) = uri.get(start..end)?.split_once('=')?;
            let (index, var) = vars.iter().enumerate().find(|(_, var)| {
                self.names
                    .get(**var)
                    .is_some_and(|known| match_literal(known, name, 0) == Some(name.len()))
            })?;
            // At most MAX_VARIABLES (64) variables, so the index fits the mask.
            let bit = 1u64.checked_shl(u32::try_from(index).ok()?)?;
            if seen & bit != 0 {
                return None;
            }
            seen |= bit;
            found(*var, value);
            if !more {
                return Some(end);
            }
            start = end + 1;
        }
    }

    /// The matched values by name (absent query variables left out).
    fn named(&self, values: Vec<Option<String>>) -> BTreeMap<String, String> {
        self.names
            .iter()
            .zip(values)
            .filter_map(|(name, value)| Some((name.clone(), value?)))
            .collect()
    }
}

/// The length of the unit (a character, a `%XX` triplet, or the triplets of one
/// percent-encoded UTF-8 character) at `pos` if `class` allows it; `None` at the end.
///
/// A value that ends inside an encoded character cannot decode to UTF-8, so captures
/// take encoded characters whole: `{a}{b}` against `%C3%A9x` gives `a = é`, not the
/// undecodable `%C3`.
fn unit(uri: &str, pos: usize, class: Class) -> Option<usize> {
    let c = uri.get(pos..)?.chars().next()?;
    if c == '%' {
        // Escapes were validated up front.
        Some(3 * encoded_char_len(uri.as_bytes(), pos))
    } else if class.allows(c) {
        Some(c.len_utf8())
    } else {
        None
    }
}

/// How many triplets from `pos` spell one UTF-8 character: 2 to 4 when they do, else 1.
fn encoded_char_len(bytes: &[u8], pos: usize) -> usize {
    let byte_at = |at: usize| -> Option<u8> {
        if bytes.get(at) != Some(&b'%') {
            return None;
        }
        let high = bytes.get(at + 1).copied().and_then(hex_value)?;
        let low = bytes.get(at + 2).copied().and_then(hex_value)?;
        Some((high << 4) | low)
    };
    let length = match byte_at(pos) {
        Some(0xC2..=0xDF) => 2,
        Some(0xE0..=0xEF) => 3,
        Some(0xF0..=0xF4) => 4,
        _ => return 1,
    };
    let mut decoded = [0u8; 4];
    for (index, slot) in decoded.iter_mut().enumerate().take(length) {
        match byte_at(pos + 3 * index) {
            Some(byte) => *slot = byte,
            None => return 1,
        }
    }
    match decoded.get(..length).map(core::str::from_utf8) {
        Some(Ok(_)) => length,
        _ => 1,
    }
}

/// Matches literal text (as written in the template) at `pos` of `uri`, returning where
/// it ends. Triplets compare case-insensitively; a non-ASCII character matches itself or
/// its percent-encoded UTF-8.
fn match_literal(text: &str, uri: &str, pos: usize) -> Option<usize> {
    let bytes = uri.as_bytes();
    let triplet = |at: usize, byte: u8| -> bool {
        bytes.get(at) == Some(&b'%')
            && bytes.get(at + 1).copied().and_then(hex_value) == Some(byte >> 4)
            && bytes.get(at + 2).copied().and_then(hex_value) == Some(byte & 0x0F)
    };
    let text_bytes = text.as_bytes();
    let mut i = 0;
    let mut at = pos;
    while let Some(&byte) = text_bytes.get(i) {
        if byte == b'%' {
            let high = text_bytes.get(i + 1).copied().and_then(hex_value)?;
            let low = text_bytes.get(i + 2).copied().and_then(hex_value)?;
            if !triplet(at, (high << 4) | low) {
                return None;
            }
            i += 3;
            at += 3;
        } else if byte.is_ascii() {
            if bytes.get(at) != Some(&byte) {
                return None;
            }
            i += 1;
            at += 1;
        } else {
            let c = text.get(i..)?.chars().next()?;
            if uri.get(at..).is_some_and(|rest| rest.starts_with(c)) {
                at += c.len_utf8();
            } else {
                let mut buf = [0u8; 4];
                for encoded in c.encode_utf8(&mut buf).bytes() {
                    if !triplet(at, encoded) {
                        return None;
                    }
                    at += 3;
                }
            }
            i += c.len_utf8();
        }
    }
    Some(at)
}

/// Whether every `%` in `uri` starts a `%XX` triplet.
fn has_valid_escapes(uri: &str) -> bool {
    let bytes = uri.as_bytes();
    memchr::memchr_iter(b'%', bytes)
        .all(|at| is_hex(bytes.get(at + 1)) && is_hex(bytes.get(at + 2)))
}

/// Decodes `%XX` triplets once; `None` if the result is not UTF-8.
fn percent_decode(raw: &str) -> Option<String> {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&byte) = bytes.get(i) {
        if byte == b'%' {
            let high = bytes.get(i + 1).copied().and_then(hex_value)?;
            let low = bytes.get(i + 2).copied().and_then(hex_value)?;
            out.push((high << 4) | low);
            i += 3;
        } else {
            out.push(byte);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The traversal checks of the module docs, on a decoded value; `segment` for the
/// one-segment forms.
fn is_safe_value(value: &str, segment: bool) -> bool {
    let bytes = value.as_bytes();
    if value.contains('\0') {
        return false;
    }
    if segment && value.contains(['/', '\\']) {
        return false;
    }
    if matches!(bytes.first(), Some(b'/' | b'\\')) {
        return false;
    }
    if bytes.first().is_some_and(u8::is_ascii_alphabetic) && bytes.get(1) == Some(&b':') {
        return false;
    }
    !value
        .split(['/', '\\'])
        .any(|part| part.contains('.') && part.bytes().all(|byte| byte == b'.' || byte == b' '))
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::format;
    use alloc::string::ToString;
    use proptest::prelude::*;

    /// The variables of RFC 6570 sections 1.2 and 3.2.
    fn rfc_vars() -> Variables {
        Variables::new()
            .with("count", vec!["one", "two", "three"])
            .with("dom", vec!["example", "com"])
            .with("dub", "me/too")
            .with("hello", "Hello World!")
            .with("half", "50%")
            .with("var", "value")
            .with("who", "fred")
            .with("base", "http://example.com/home/")
            .with("path", "/foo/bar")
            .with("list", vec!["red", "green", "blue"])
            .with("keys", vec![("semi", ";"), ("dot", "."), ("comma", ",")])
            .with("v", "6")
            .with("x", "1024")
            .with("y", "768")
            .with("empty", "")
            .with("empty_keys", Vec::<(String, String)>::new())
    }

    fn check_table(table: &[(&str, &str)]) {
        let vars = rfc_vars();
        for (template, expected) in table {
            let parsed =
                UriTemplate::parse(template).unwrap_or_else(|error| panic!("{template}: {error}"));
            assert_eq!(parsed.expand(&vars), *expected, "expanding {template}");
        }
    }

    fn template(text: &str) -> UriTemplate {
        UriTemplate::parse(text).unwrap()
    }

    fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(name, value)| (name.to_string(), value.to_string()))
            .collect()
    }

    // --- Expansion: RFC 6570 section 1.2, levels 1 to 4 -------------------------------

    #[test]
    fn rfc_level_1_examples() {
        check_table(&[("{var}", "value"), ("{hello}", "Hello%20World%21")]);
    }

    #[test]
    fn rfc_level_2_examples() {
        check_table(&[
            ("{+var}", "value"),
            ("{+hello}", "Hello%20World!"),
            ("{+path}/here", "/foo/bar/here"),
            ("here?ref={+path}", "here?ref=/foo/bar"),
            ("X{#var}", "X#value"),
            ("X{#hello}", "X#Hello%20World!"),
        ]);
    }

    #[test]
    fn rfc_level_3_examples() {
        check_table(&[
            ("map?{x,y}", "map?1024,768"),
            ("{x,hello,y}", "1024,Hello%20World%21,768"),
            ("{+x,hello,y}", "1024,Hello%20World!,768"),
            ("{+path,x}/here", "/foo/bar,1024/here"),
            ("{#x,hello,y}", "#1024,Hello%20World!,768"),
            ("{#path,x}/here", "#/foo/bar,1024/here"),
            ("X{.var}", "X.value"),
            ("X{.x,y}", "X.1024.768"),
            ("{/var}", "/value"),
            ("{/var,x}/here", "/value/1024/here"),
            ("{;x,y}", ";x=1024;y=768"),
            ("{;x,y,empty}", ";x=1024;y=768;empty"),
            ("{?x,y}", "?x=1024&y=768"),
            ("{?x,y,empty}", "?x=1024&y=768&empty="),
            ("?fixed=yes{&x}", "?fixed=yes&x=1024"),
            ("{&x,y,empty}", "&x=1024&y=768&empty="),
        ]);
    }

    #[test]
    fn rfc_level_4_examples() {
        check_table(&[
            ("{var:3}", "val"),
            ("{var:30}", "value"),
            ("{list}", "red,green,blue"),
            ("{list*}", "red,green,blue"),
            ("{keys}", "semi,%3B,dot,.,comma,%2C"),
            ("{keys*}", "semi=%3B,dot=.,comma=%2C"),
            ("{+path:6}/here", "/foo/b/here"),
            ("{+list}", "red,green,blue"),
            ("{+list*}", "red,green,blue"),
            ("{+keys}", "semi,;,dot,.,comma,,"),
            ("{+keys*}", "semi=;,dot=.,comma=,"),
            ("{#path:6}/here", "#/foo/b/here"),
            ("{#list}", "#red,green,blue"),
            ("{#list*}", "#red,green,blue"),
            ("{#keys}", "#semi,;,dot,.,comma,,"),
            ("{#keys*}", "#semi=;,dot=.,comma=,"),
            ("X{.var:3}", "X.val"),
            ("X{.list}", "X.red,green,blue"),
            ("X{.list*}", "X.red.green.blue"),
            ("X{.keys}", "X.semi,%3B,dot,.,comma,%2C"),
            ("X{.keys*}", "X.semi=%3B.dot=..comma=%2C"),
            ("{/var:1,var}", "/v/value"),
            ("{/list}", "/red,green,blue"),
            ("{/list*}", "/red/green/blue"),
            ("{/list*,path:4}", "/red/green/blue/%2Ffoo"),
            ("{/keys}", "/semi,%3B,dot,.,comma,%2C"),
            ("{/keys*}", "/semi=%3B/dot=./comma=%2C"),
            ("{;hello:5}", ";hello=Hello"),
            ("{;list}", ";list=red,green,blue"),
            ("{;list*}", ";list=red;list=green;list=blue"),
            ("{;keys}", ";keys=semi,%3B,dot,.,comma,%2C"),
            ("{;keys*}", ";semi=%3B;dot=.;comma=%2C"),
            ("{?var:3}", "?var=val"),
            ("{?list}", "?list=red,green,blue"),
            ("{?list*}", "?list=red&list=green&list=blue"),
            ("{?keys}", "?keys=semi,%3B,dot,.,comma,%2C"),
            ("{?keys*}", "?semi=%3B&dot=.&comma=%2C"),
            ("{&var:3}", "&var=val"),
            ("{&list}", "&list=red,green,blue"),
            ("{&list*}", "&list=red&list=green&list=blue"),
            ("{&keys}", "&keys=semi,%3B,dot,.,comma,%2C"),
            ("{&keys*}", "&semi=%3B&dot=.&comma=%2C"),
        ]);
    }

    // --- Expansion: RFC 6570 section 3.2 ------------------------------------------------

    #[test]
    fn rfc_3_2_1_variable_expansion() {
        check_table(&[
            ("{count}", "one,two,three"),
            ("{count*}", "one,two,three"),
            ("{/count}", "/one,two,three"),
            ("{/count*}", "/one/two/three"),
            ("{;count}", ";count=one,two,three"),
            ("{;count*}", ";count=one;count=two;count=three"),
            ("{?count}", "?count=one,two,three"),
            ("{?count*}", "?count=one&count=two&count=three"),
            ("{&count*}", "&count=one&count=two&count=three"),
        ]);
    }

    #[test]
    fn rfc_3_2_2_simple_string_expansion() {
        check_table(&[
            ("{var}", "value"),
            ("{hello}", "Hello%20World%21"),
            ("{half}", "50%25"),
            ("O{empty}X", "OX"),
            ("O{undef}X", "OX"),
            ("{x,y}", "1024,768"),
            ("{x,hello,y}", "1024,Hello%20World%21,768"),
            ("?{x,empty}", "?1024,"),
            ("?{x,undef}", "?1024"),
            ("?{undef,y}", "?768"),
            ("{var:3}", "val"),
            ("{var:30}", "value"),
            ("{list}", "red,green,blue"),
            ("{list*}", "red,green,blue"),
            ("{keys}", "semi,%3B,dot,.,comma,%2C"),
            ("{keys*}", "semi=%3B,dot=.,comma=%2C"),
        ]);
    }

    #[test]
    fn rfc_3_2_3_reserved_expansion() {
        check_table(&[
            ("{+var}", "value"),
            ("{+hello}", "Hello%20World!"),
            ("{+half}", "50%25"),
            ("{base}index", "http%3A%2F%2Fexample.com%2Fhome%2Findex"),
            ("{+base}index", "http://example.com/home/index"),
            ("O{+empty}X", "OX"),
            ("O{+undef}X", "OX"),
            ("{+path}/here", "/foo/bar/here"),
            ("here?ref={+path}", "here?ref=/foo/bar"),
            ("up{+path}{var}/here", "up/foo/barvalue/here"),
            ("{+x,hello,y}", "1024,Hello%20World!,768"),
            ("{+path,x}/here", "/foo/bar,1024/here"),
            ("{+path:6}/here", "/foo/b/here"),
            ("{+list}", "red,green,blue"),
            ("{+list*}", "red,green,blue"),
            ("{+keys}", "semi,;,dot,.,comma,,"),
            ("{+keys*}", "semi=;,dot=.,comma=,"),
        ]);
    }

    #[test]
    fn rfc_3_2_4_fragment_expansion() {
        check_table(&[
            ("{#var}", "#value"),
            ("{#hello}", "#Hello%20World!"),
            ("{#half}", "#50%25"),
            ("foo{#empty}", "foo#"),
            ("foo{#undef}", "foo"),
            ("{#x,hello,y}", "#1024,Hello%20World!,768"),
            ("{#path,x}/here", "#/foo/bar,1024/here"),
            ("{#path:6}/here", "#/foo/b/here"),
            ("{#list}", "#red,green,blue"),
            ("{#list*}", "#red,green,blue"),
            ("{#keys}", "#semi,;,dot,.,comma,,"),
            ("{#keys*}", "#semi=;,dot=.,comma=,"),
        ]);
    }

    #[test]
    fn rfc_3_2_5_label_expansion() {
        check_table(&[
            ("{.who}", ".fred"),
            ("{.who,who}", ".fred.fred"),
            ("{.half,who}", ".50%25.fred"),
            ("www{.dom*}", "www.example.com"),
            ("X{.var}", "X.value"),
            ("X{.empty}", "X."),
            ("X{.undef}", "X"),
            ("X{.var:3}", "X.val"),
            ("X{.list}", "X.red,green,blue"),
            ("X{.list*}", "X.red.green.blue"),
            ("X{.keys}", "X.semi,%3B,dot,.,comma,%2C"),
            ("X{.keys*}", "X.semi=%3B.dot=..comma=%2C"),
            ("X{.empty_keys}", "X"),
            ("X{.empty_keys*}", "X"),
        ]);
    }

    #[test]
    fn rfc_3_2_6_path_segment_expansion() {
        check_table(&[
            ("{/who}", "/fred"),
            ("{/who,who}", "/fred/fred"),
            ("{/half,who}", "/50%25/fred"),
            ("{/who,dub}", "/fred/me%2Ftoo"),
            ("{/var}", "/value"),
            ("{/var,empty}", "/value/"),
            ("{/var,undef}", "/value"),
            ("{/var,x}/here", "/value/1024/here"),
            ("{/var:1,var}", "/v/value"),
            ("{/list}", "/red,green,blue"),
            ("{/list*}", "/red/green/blue"),
            ("{/list*,path:4}", "/red/green/blue/%2Ffoo"),
            ("{/keys}", "/semi,%3B,dot,.,comma,%2C"),
            ("{/keys*}", "/semi=%3B/dot=./comma=%2C"),
        ]);
    }

    #[test]
    fn rfc_3_2_7_path_style_parameter_expansion() {
        check_table(&[
            ("{;who}", ";who=fred"),
            ("{;half}", ";half=50%25"),
            ("{;empty}", ";empty"),
            ("{;v,empty,who}", ";v=6;empty;who=fred"),
            ("{;v,bar,who}", ";v=6;who=fred"),
            ("{;x,y}", ";x=1024;y=768"),
            ("{;x,y,empty}", ";x=1024;y=768;empty"),
            ("{;x,y,undef}", ";x=1024;y=768"),
            ("{;hello:5}", ";hello=Hello"),
            ("{;list}", ";list=red,green,blue"),
            ("{;list*}", ";list=red;list=green;list=blue"),
            ("{;keys}", ";keys=semi,%3B,dot,.,comma,%2C"),
            ("{;keys*}", ";semi=%3B;dot=.;comma=%2C"),
        ]);
    }

    #[test]
    fn rfc_3_2_8_form_style_query_expansion() {
        check_table(&[
            ("{?who}", "?who=fred"),
            ("{?half}", "?half=50%25"),
            ("{?x,y}", "?x=1024&y=768"),
            ("{?x,y,empty}", "?x=1024&y=768&empty="),
            ("{?x,y,undef}", "?x=1024&y=768"),
            ("{?var:3}", "?var=val"),
            ("{?list}", "?list=red,green,blue"),
            ("{?list*}", "?list=red&list=green&list=blue"),
            ("{?keys}", "?keys=semi,%3B,dot,.,comma,%2C"),
            ("{?keys*}", "?semi=%3B&dot=.&comma=%2C"),
        ]);
    }

    #[test]
    fn rfc_3_2_9_form_style_query_continuation() {
        check_table(&[
            ("{&who}", "&who=fred"),
            ("{&half}", "&half=50%25"),
            ("?fixed=yes{&x}", "?fixed=yes&x=1024"),
            ("{&x,y,empty}", "&x=1024&y=768&empty="),
            ("{&var:3}", "&var=val"),
            ("{&list}", "&list=red,green,blue"),
            ("{&list*}", "&list=red&list=green&list=blue"),
            ("{&keys}", "&keys=semi,%3B,dot,.,comma,%2C"),
            ("{&keys*}", "&semi=%3B&dot=.&comma=%2C"),
        ]);
    }

    #[test]
    fn expansion_edge_cases() {
        let vars = Variables::new()
            .with("u", "caf\u{e9} \u{1f600}")
            .with("pct", "%41%zz%")
            .with("one", vec![""])
            .with("empty_list", Vec::<String>::new());
        // Non-ASCII values are percent-encoded UTF-8; a prefix counts characters.
        assert_eq!(template("{u}").expand(&vars), "caf%C3%A9%20%F0%9F%98%80");
        assert_eq!(template("{u:4}").expand(&vars), "caf%C3%A9");
        // `+` keeps valid triplets and encodes a stray `%`; a prefix never splits one.
        assert_eq!(template("{+pct}").expand(&vars), "%41%25zz%25");
        assert_eq!(template("{+pct:1}").expand(&vars), "%41");
        assert_eq!(template("{pct}").expand(&vars), "%2541%25zz%25");
        // Non-ASCII literals come out encoded; `'` is copied.
        assert_eq!(
            template("caf\u{e9}/it's{?empty_list}").expand(&vars),
            "caf%C3%A9/it's"
        );
        // A list of one empty string is defined.
        assert_eq!(template("{;one}").expand(&vars), ";one");
        assert_eq!(template("{?one}").expand(&vars), "?one=");
        assert_eq!(template("{/one*}").expand(&vars), "/");
        assert_eq!(template("{?one*}").expand(&vars), "?one=");
        // Prefixes do not apply to lists and maps.
        assert_eq!(template("{list:2}").expand(&rfc_vars()), "red,green,blue");
        assert_eq!(template("").expand(&vars), "");
        assert_eq!(template("no-expressions").expand(&vars), "no-expressions");
    }

    #[test]
    fn variables_and_accessors() {
        let mut vars = Variables::new();
        assert!(vars.is_empty());
        assert_eq!(vars.insert("a", "1"), None);
        assert_eq!(vars.insert("a", "2"), Some(Value::from("1")));
        vars.insert("b", vec![String::from("x")]);
        assert_eq!(vars.len(), 2);
        assert_eq!(vars.get("a"), Some(&Value::String("2".into())));
        let names: Vec<&str> = vars.iter().map(|(name, _)| name).collect();
        assert_eq!(names, ["a", "b"]);
        assert_eq!(vars.remove("b"), Some(Value::List(vec!["x".into()])));
        assert_eq!(vars.get("b"), None);
        let collected: Variables = [("k", "v")].into_iter().collect();
        assert_eq!(collected.get("k"), Some(&Value::from("v")));
        assert_eq!(
            Value::from(vec![(String::from("n"), String::from("v"))]),
            Value::Map(vec![("n".into(), "v".into())])
        );

        let parsed: UriTemplate = "a{b}{?c,b}{d}".parse().unwrap();
        assert_eq!(parsed.as_str(), "a{b}{?c,b}{d}");
        assert_eq!(parsed.to_string(), "a{b}{?c,b}{d}");
        assert_eq!(parsed.variable_names(), ["b", "c", "d"]);
        assert_eq!(parsed, template("a{b}{?c,b}{d}"));
        assert_ne!(parsed, template("a{b}"));
    }

    // --- Parse errors ---------------------------------------------------------------------

    #[test]
    fn parse_errors_are_typed_with_offsets() {
        use TemplateError::*;
        let cases: &[(&str, TemplateError)] = &[
            ("abc{var", UnclosedExpression { at: 3 }),
            ("{", UnclosedExpression { at: 0 }),
            ("a}b", UnexpectedBrace { at: 1 }),
            ("{a{b}", UnexpectedBrace { at: 2 }),
            ("{}", InvalidVariableName { at: 1 }),
            ("{+}", InvalidVariableName { at: 2 }),
            ("{a,}", InvalidVariableName { at: 3 }),
            ("{,a}", ReservedOperator { at: 1 }),
            ("{a-b}", InvalidVariableName { at: 2 }),
            ("{ a}", InvalidVariableName { at: 1 }),
            ("{.a..b}", InvalidVariableName { at: 4 }),
            ("{a.}", InvalidVariableName { at: 3 }),
            ("{.a}{a%2}", InvalidVariableName { at: 6 }),
            ("{=a}", ReservedOperator { at: 1 }),
            ("{!a}", ReservedOperator { at: 1 }),
            ("{@a}", ReservedOperator { at: 1 }),
            ("{|a}", ReservedOperator { at: 1 }),
            ("{a:}", InvalidModifier { at: 3 }),
            ("{a:0}", InvalidModifier { at: 3 }),
            ("{a:012}", InvalidModifier { at: 3 }),
            ("{a:10000}", InvalidModifier { at: 7 }),
            ("{a:x}", InvalidModifier { at: 3 }),
            ("{a:3*}", InvalidModifier { at: 4 }),
            ("{a*:3}", InvalidModifier { at: 3 }),
            ("{a**}", InvalidModifier { at: 3 }),
            ("a b", InvalidLiteral { at: 1 }),
            ("a\"b", InvalidLiteral { at: 1 }),
            ("a<b>", InvalidLiteral { at: 1 }),
            ("a\\b", InvalidLiteral { at: 1 }),
            ("a^b", InvalidLiteral { at: 1 }),
            ("a`b", InvalidLiteral { at: 1 }),
            ("a|b", InvalidLiteral { at: 1 }),
            ("a\nb", InvalidLiteral { at: 1 }),
            ("a%zz", InvalidLiteral { at: 1 }),
            ("a%4", InvalidLiteral { at: 1 }),
        ];
        for (text, expected) in cases {
            assert_eq!(UriTemplate::parse(text), Err(*expected), "parsing {text:?}");
        }
        // What is fine.
        for text in [
            "",
            "{a:9999}",
            "{a:1}",
            "{a_b.c%20d.9}",
            "{+a,b*,c:5}",
            "x%2Fy{a}",
            "\u{e9}{a}",
            "it's",
        ] {
            assert!(UriTemplate::parse(text).is_ok(), "parsing {text:?}");
        }
        assert_eq!(
            UnclosedExpression { at: 3 }.to_string(),
            "unclosed expression starting at byte 3"
        );
    }

    #[test]
    fn template_size_is_bounded() {
        let long = "a".repeat(MAX_TEMPLATE_LEN + 1);
        assert_eq!(
            UriTemplate::parse(&long),
            Err(TemplateError::TooLong {
                max: MAX_TEMPLATE_LEN
            })
        );
        assert!(UriTemplate::parse(&long[1..]).is_ok());
        let many: String = (0..=MAX_EXPRESSIONS).map(|i| format!("{{v{i}}}")).collect();
        assert_eq!(
            UriTemplate::parse(&many),
            Err(TemplateError::TooManyExpressions {
                max: MAX_EXPRESSIONS
            })
        );
        let names: Vec<String> = (0..=MAX_VARIABLES).map(|i| format!("v{i}")).collect();
        let wide = format!("{{{}}}", names.join(","));
        assert_eq!(
            UriTemplate::parse(&wide),
            Err(TemplateError::TooManyVariables { max: MAX_VARIABLES })
        );
        let fits = format!("{{?{}}}", names[..MAX_VARIABLES].join(","));
        let fits = template(&fits);
        assert!(fits.supports_matching());
        // The 64th query variable still fits the duplicate mask.
        let last = format!("?v{}=x", MAX_VARIABLES - 1);
        assert_eq!(
            fits.match_uri(&last),
            Some(map(&[(format!("v{}", MAX_VARIABLES - 1).as_str(), "x")]))
        );
    }

    // --- Matching -------------------------------------------------------------------------

    #[test]
    fn matches_the_documented_forms() {
        let t = template("users://{id}/profile");
        assert_eq!(
            t.match_uri("users://42/profile"),
            Some(map(&[("id", "42")]))
        );
        assert_eq!(t.match_uri("users:///profile"), None, "empty is absent");
        assert_eq!(t.match_uri("users://a/b/profile"), None, "one segment");
        assert_eq!(
            t.match_uri("users://J%C3%B6rg%20K/profile"),
            Some(map(&[("id", "J\u{f6}rg K")]))
        );

        let t = template("file:///{+path}");
        assert_eq!(
            t.match_uri("file:///a/b/c.txt"),
            Some(map(&[("path", "a/b/c.txt")]))
        );
        assert_eq!(t.match_uri("file:///a?b"), None, "no query in {{+path}}");
        assert_eq!(t.match_uri("file:///a#b"), None, "no fragment in {{+path}}");

        let t = template("repo://{owner}{/repo}{/branch}");
        assert_eq!(
            t.match_uri("repo://o/r/main"),
            Some(map(&[("owner", "o"), ("repo", "r"), ("branch", "main")]))
        );
        assert_eq!(
            t.match_uri("repo://o/r"),
            None,
            "every path variable is required"
        );

        let t = template("doc://x{#section}");
        assert_eq!(
            t.match_uri("doc://x#a/b?c"),
            Some(map(&[("section", "a/b?c")]))
        );

        let t = template("m://{;x,y}");
        assert_eq!(
            t.match_uri("m://;x=1;y=2"),
            Some(map(&[("x", "1"), ("y", "2")]))
        );
        assert_eq!(t.match_uri("m://;y=2;x=1"), None);

        let t = template("m://{x,y}");
        assert_eq!(t.match_uri("m://1,2"), Some(map(&[("x", "1"), ("y", "2")])));

        // A literal triplet matches case-insensitively; a non-ASCII literal either way.
        let t = template("caf\u{e9}/a%2Fb/{x}");
        assert_eq!(t.match_uri("caf\u{e9}/a%2fb/1"), Some(map(&[("x", "1")])));
        assert_eq!(t.match_uri("caf%c3%A9/a%2Fb/1"), Some(map(&[("x", "1")])));
        assert_eq!(t.match_uri("cafe/a%2Fb/1"), None);

        // A template without expressions matches only itself.
        let t = template("config://app");
        assert_eq!(t.match_uri("config://app"), Some(BTreeMap::new()));
        assert_eq!(t.match_uri("config://app2"), None);
    }

    #[test]
    fn ambiguity_rule_is_shortest_for_segments_and_longest_for_reserved() {
        let t = template("f://{name}.{ext}");
        assert_eq!(
            t.match_uri("f://a.tar.gz"),
            Some(map(&[("name", "a"), ("ext", "tar.gz")]))
        );
        let t = template("f://{+dir}/{file}");
        assert_eq!(
            t.match_uri("f://a/b/c"),
            Some(map(&[("dir", "a/b"), ("file", "c")]))
        );
        let t = template("f://{+a}-{+b}");
        assert_eq!(
            t.match_uri("f://1-2-3"),
            Some(map(&[("a", "1-2"), ("b", "3")]))
        );
        let t = template("f://{a}-{b}");
        assert_eq!(
            t.match_uri("f://1-2-3"),
            Some(map(&[("a", "1"), ("b", "2-3")]))
        );
        // Shortest means shortest that still lets the rest match.
        let t = template("f://{a}x");
        assert_eq!(t.match_uri("f://xxx"), Some(map(&[("a", "xx")])));
        // A triplet is never split between variables.
        let t = template("f://{a}{b}");
        assert_eq!(
            t.match_uri("f://%41%42"),
            Some(map(&[("a", "A"), ("b", "B")]))
        );
    }

    #[test]
    fn literal_mismatch_is_no_match() {
        let t = template("users://{id}/profile{?fields}");
        for uri in [
            "users://42/profil",
            "users://42/profiles",
            "user://42/profile",
            "users://42/Profile",
            "users://42/profile/",
            "",
        ] {
            assert_eq!(t.try_match(uri), Err(MatchError::NoMatch), "{uri}");
        }
    }

    #[test]
    fn query_parameters_are_optional_and_order_insensitive() {
        let t = template("search://items{?q,page}{&sort}");
        let all = map(&[("q", "rust lang"), ("page", "2"), ("sort", "asc")]);
        for uri in [
            "search://items?q=rust%20lang&page=2&sort=asc",
            "search://items?sort=asc&page=2&q=rust%20lang",
            "search://items?page=2&sort=asc&q=rust%20lang",
        ] {
            assert_eq!(t.match_uri(uri), Some(all.clone()), "{uri}");
        }
        assert_eq!(t.match_uri("search://items"), Some(BTreeMap::new()));
        assert_eq!(
            t.match_uri("search://items?page=3"),
            Some(map(&[("page", "3")]))
        );
        assert_eq!(t.match_uri("search://items?q="), Some(map(&[("q", "")])));
        assert_eq!(
            t.match_uri("search://items?q=a+b=c?d"),
            Some(map(&[("q", "a+b=c?d")]))
        );
        for uri in [
            "search://items?",
            "search://items?other=1",
            "search://items?q=1&q=2",
            "search://items?q",
            "search://items?q=1&",
            "search://items&q=1",
            "search://items?q=1#frag",
        ] {
            assert_eq!(t.match_uri(uri), None, "{uri}");
        }

        // After a literal query, a continuation group; then a fragment.
        let t = template("api://books?type=novel{&page,lang}{#part}");
        assert_eq!(
            t.match_uri("api://books?type=novel&lang=en#ch1"),
            Some(map(&[("lang", "en"), ("part", "ch1")]))
        );
        assert_eq!(
            t.match_uri("api://books?type=novel#ch1"),
            Some(map(&[("part", "ch1")]))
        );
        assert_eq!(t.match_uri("api://books?lang=en&type=novel#ch1"), None);
    }

    /// Found by the `uri_template` fuzzer: with captures side by side, the shortest
    /// value could end inside a percent-encoded character, and the match then failed
    /// with `InvalidEncoding` although the expansion it came from splits cleanly.
    #[test]
    fn captures_take_encoded_characters_whole() {
        let t = template("x://{a}{b}");
        let uri = t.expand(&Variables::new().with("a", "\u{e9}").with("b", "x"));
        assert_eq!(uri, "x://%C3%A9x");
        assert_eq!(t.match_uri(&uri), Some(map(&[("a", "\u{e9}"), ("b", "x")])));
        let uri = t.expand(
            &Variables::new()
                .with("a", "\u{1F600}\u{fffd}")
                .with("b", "\u{7d3}"),
        );
        assert_eq!(
            t.match_uri(&uri),
            Some(map(&[("a", "\u{1F600}"), ("b", "\u{fffd}\u{7d3}")]))
        );
        // Lower-case hex spells the same characters.
        assert_eq!(
            t.match_uri("x://%c3%a9%e2%82%acz"),
            Some(map(&[("a", "\u{e9}"), ("b", "\u{20ac}z")]))
        );
        // Triplets that are no character stay units of their own, and still fail to
        // decode.
        assert_eq!(t.try_match("x://%C3%28"), Err(MatchError::InvalidEncoding));
        assert_eq!(
            t.try_match("x://%ED%A0%80x"),
            Err(MatchError::InvalidEncoding)
        );
        assert_eq!(
            t.match_uri("x://%41%C3"),
            None,
            "a lone lead byte is no character"
        );
        let t = template("x://{+a}{b}");
        assert_eq!(
            t.match_uri("x://p/%F0%9F%98%80"),
            Some(map(&[("a", "p/"), ("b", "\u{1F600}")]))
        );
    }

    /// Found by the `uri_template` fuzz body: `{?q,page}{&sort}` with only `sort`
    /// defined expands to `&sort=…`, which the matcher refused (it wanted `?`).
    #[test]
    fn a_query_group_starts_with_the_first_expression_that_has_a_value() {
        let t = template("search://items{?q,page}{&sort}");
        let vars = Variables::new().with("sort", "-date");
        let uri = t.expand(&vars);
        assert_eq!(uri, "search://items&sort=-date");
        assert_eq!(t.match_uri(&uri), Some(map(&[("sort", "-date")])));
        // After `&`, only the continuation's variables.
        assert_eq!(t.match_uri("search://items&q=1"), None);
        assert_eq!(t.match_uri("search://items&sort=a&q=1"), None);
        assert_eq!(
            t.match_uri("search://items?sort=a&q=1"),
            Some(map(&[("q", "1"), ("sort", "a")]))
        );
        // The other way round: `{&a}{?b}` with only `b` gives `?b=…`.
        let t = template("x://p?k=v{&a}{?b}");
        let uri = t.expand(&Variables::new().with("b", "2"));
        assert_eq!(uri, "x://p?k=v?b=2");
        assert_eq!(t.match_uri(&uri), Some(map(&[("b", "2")])));
        assert_eq!(t.match_uri("x://p?k=v?a=1"), None);
    }

    #[test]
    fn unsupported_templates_say_so() {
        for text in [
            "{var:3}",
            "{/list*}",
            "{a}/{a}",
            "{a}{?a}",
            "{?q}/more",
            "{?q}{x}",
            "{#f}{?q}",
            "a#b{?q}",
        ] {
            let t = template(text);
            assert!(!t.supports_matching(), "{text}");
            assert_eq!(
                t.try_match("anything"),
                Err(MatchError::Unsupported),
                "{text}"
            );
        }
        assert!(template("{?q}#{frag}").supports_matching());
        assert!(template("{?q}{#frag}").supports_matching());
    }

    #[test]
    fn expand_then_match_round_trips() {
        let cases: &[(&str, &[(&str, &str)])] = &[
            ("users://{id}/profile", &[("id", "J\u{f6}rg & Co: 50%?")]),
            (
                "file:///{+path}",
                &[("path", "dir/sub dir/\u{e9}t\u{e9}.md")],
            ),
            (
                "repo://{owner}{/repo}",
                &[("owner", "o w"), ("repo", "r,#?")],
            ),
            ("x://{.ext}{;p}", &[("ext", "tar.gz"), ("p", "a;b=c")]),
            (
                "search://{?q,page}{&sort}",
                &[("q", "a&b=c #d"), ("sort", "-date")],
            ),
            (
                "doc://{+base}/x{#frag}",
                &[("base", "a/b"), ("frag", "s/1?x")],
            ),
        ];
        for (text, values) in cases {
            let t = template(text);
            let vars: Variables = values.iter().copied().collect();
            let uri = t.expand(&vars);
            assert_eq!(t.match_uri(&uri), Some(map(values)), "{text} -> {uri}");
            // And the matched values expand back to the same URI.
            let back = Variables::from(t.match_uri(&uri).unwrap());
            assert_eq!(t.expand(&back), uri);
        }
    }

    #[test]
    fn invalid_encodings_are_rejected() {
        let t = template("f://{a}");
        assert_eq!(t.try_match("f://%zz"), Err(MatchError::InvalidEncoding));
        assert_eq!(t.try_match("f://a%"), Err(MatchError::InvalidEncoding));
        assert_eq!(t.try_match("f://a%4"), Err(MatchError::InvalidEncoding));
        assert_eq!(t.try_match("f://%FF%FE"), Err(MatchError::InvalidEncoding));
    }

    // --- Traversal ------------------------------------------------------------------------

    #[test]
    fn traversal_is_rejected_in_reserved_paths() {
        let t = template("file:///docs/{+path}");
        for uri in [
            "file:///docs/..",
            "file:///docs/../etc/passwd",
            "file:///docs/a/../../etc/passwd",
            "file:///docs/a/..",
            "file:///docs/.",
            "file:///docs/./a",
            "file:///docs/a/./b",
            "file:///docs/%2e%2e/etc/passwd",
            "file:///docs/%2E%2E/etc/passwd",
            "file:///docs/%2E./etc/passwd",
            "file:///docs/.%2e/etc/passwd",
            "file:///docs/..%2fetc/passwd",
            "file:///docs/..%2Fetc/passwd",
            "file:///docs/a%2F..%2F..%2Fetc",
            "file:///docs/..\\etc\\passwd",
            "file:///docs/a\\..\\..\\etc",
            "file:///docs/..%5Cetc",
            "file:///docs/..%5cetc",
            "file:///docs/...",
            "file:///docs/.. /etc",
            "file:///docs/..%20/etc",
            "file:///docs/a%00.txt",
            "file:///docs/%00",
            "file:///docs//etc/passwd",
            "file:///docs/%2Fetc/passwd",
            "file:///docs/%5Cserver%5Cshare",
            "file:///docs/C:/Windows/win.ini",
            "file:///docs/c:secret",
            "file:///docs/C%3A%5CWindows",
        ] {
            assert_eq!(
                t.try_match(uri),
                Err(MatchError::Traversal {
                    variable: "path".into()
                }),
                "{uri}"
            );
            assert_eq!(t.match_uri(uri), None, "{uri}");
        }
    }

    #[test]
    fn traversal_is_rejected_in_segments_queries_and_fragments() {
        let simple = template("files://{name}");
        for uri in [
            "files://..",
            "files://.",
            "files://%2e%2e",
            "files://%2E.",
            "files://a%2Fb",
            "files://a%2fb",
            "files://..%2Fetc",
            "files://a%5Cb",
            "files://..\\etc",
            "files://a%00",
        ] {
            assert_eq!(
                simple.try_match(uri),
                Err(MatchError::Traversal {
                    variable: "name".into()
                }),
                "{uri}"
            );
        }
        let path = template("files://root{/dir}");
        assert_eq!(path.match_uri("files://root/.."), None);
        assert_eq!(path.match_uri("files://root/a%2F..%2F.."), None);
        let param = template("files://x{;f}");
        assert_eq!(param.match_uri("files://x;f=.."), None);
        let query = template("search://x{?file}");
        for uri in [
            "search://x?file=..",
            "search://x?file=../etc/passwd",
            "search://x?file=%2e%2e%2fetc",
            "search://x?file=a%00",
            "search://x?file=/etc/passwd",
        ] {
            assert_eq!(
                query.try_match(uri),
                Err(MatchError::Traversal {
                    variable: "file".into()
                }),
                "{uri}"
            );
        }
        let fragment = template("doc://x{#f}");
        assert_eq!(fragment.match_uri("doc://x#a/../b"), None);

        // The unchecked variant lets them through, decoded once.
        assert_eq!(
            query.try_match_unchecked("search://x?file=%2e%2e%2fetc"),
            Ok(map(&[("file", "../etc")]))
        );
        assert_eq!(
            simple.try_match_unchecked("files://a%2Fb"),
            Ok(map(&[("name", "a/b")]))
        );
    }

    #[test]
    fn benign_dots_are_accepted() {
        let t = template("file:///docs/{+path}");
        for (uri, path) in [
            ("file:///docs/a..b", "a..b"),
            ("file:///docs/.hidden", ".hidden"),
            ("file:///docs/..hidden", "..hidden"),
            ("file:///docs/v1.2.3/notes.txt", "v1.2.3/notes.txt"),
            ("file:///docs/dir/.config/x", "dir/.config/x"),
            ("file:///docs/a.../b", "a.../b"),
            ("file:///docs/%2E%2Eb", "..b"),
            ("file:///docs/%252e%252e/x", "%2e%2e/x"),
            ("file:///docs/ab:c", "ab:c"),
            ("file:///docs/a/b:/c", "a/b:/c"),
        ] {
            assert_eq!(t.match_uri(uri), Some(map(&[("path", path)])), "{uri}");
        }
        let simple = template("files://{name}");
        for name in ["a..b", ".hidden", "...x", "x.", "1:2"] {
            let uri = format!("files://{name}");
            assert_eq!(
                simple.match_uri(&uri),
                Some(map(&[("name", name)])),
                "{uri}"
            );
        }
    }

    #[test]
    fn long_inputs_are_bounded() {
        let t = template("f://{+a}");
        let fits = format!("f://{}", "a".repeat(MAX_URI_LEN - 4));
        assert_eq!(fits.len(), MAX_URI_LEN);
        assert!(t.match_uri(&fits).is_some());
        let long = format!("{fits}a");
        assert_eq!(t.try_match(&long), Err(MatchError::UriTooLong));

        // Adversarial templates finish quickly: every state is explored at most once.
        let uri = format!("f://{}", "a".repeat(MAX_URI_LEN - 4));
        let lazy: String = (0..32).map(|i| format!("{{v{i}}}")).collect();
        assert_eq!(template(&format!("f://{lazy}!")).match_uri(&uri), None);
        let greedy: String = (0..32).map(|i| format!("{{+v{i}}}")).collect();
        assert_eq!(template(&format!("f://{greedy}!")).match_uri(&uri), None);
        let mixed: String = (0..32).map(|i| format!("{{v{i}}}a")).collect();
        assert_eq!(template(&format!("f://{mixed}!")).match_uri(&uri), None);
        let continuation = template("f://{+a}{&q,r}#end");
        let uri = format!("f://{}", "&q=1".repeat(2000));
        assert_eq!(continuation.match_uri(&uri), None);
        // `{+a}` may contain `&`, and takes the longest value: the whole query here.
        let uri = format!("f://{}&r=2#end", "&q=1".repeat(2000));
        let vars = continuation.match_uri(&uri).unwrap();
        assert_eq!(vars.len(), 1);
        assert!(vars["a"] == uri[4..uri.len() - 4]);
        let short = template("f://{a}{&q,r}#end");
        assert_eq!(
            short.match_uri("f://x&r=2&q=1#end"),
            Some(map(&[("a", "x"), ("q", "1"), ("r", "2")]))
        );
    }

    // --- Properties -----------------------------------------------------------------------

    /// Template-shaped strings, so generated ones get past the parser often.
    fn template_like() -> impl Strategy<Value = String> {
        prop_oneof![
            any::<String>(),
            "[a-z:/{}+#./;?&=,*%0-9A-F.\\\\-]{0,40}",
            "([a-z/:]{0,4}\\{[+#./;?&]?[a-z]{1,3}(:[0-9]{1,2}|\\*)?(,[a-z]{1,3})?\\}){0,4}[a-z/]{0,3}",
        ]
    }

    /// URI-shaped strings, with escapes, dots and separators.
    fn uri_like() -> impl Strategy<Value = String> {
        prop_oneof![any::<String>(), "[a-z:/?#&=;,.%0-9A-Fa-f\\\\\u{e9}-]{0,60}",]
    }

    /// Values for the round trip, including ones the traversal checks reject.
    fn value() -> impl Strategy<Value = String> {
        "[a-zA-Z0-9 ./\\\\:?#&=;,%+~_\u{e9}\u{1f600}-]{1,16}"
    }

    /// Values for `+` and `#`, which keep reserved characters and triplets as they are:
    /// without the characters that would change meaning there (`?` is fine in `#`).
    fn reserved_value(fragment: bool) -> impl Strategy<Value = String> {
        if fragment {
            "[a-zA-Z0-9 ./\\\\:?&=;,+~_\u{e9}-]{1,16}"
        } else {
            "[a-zA-Z0-9 ./\\\\:&=;,+~_\u{e9}-]{1,16}"
        }
    }

    proptest! {
        #[test]
        fn parse_and_match_never_panic(text in template_like(), uri in uri_like()) {
            if let Ok(parsed) = UriTemplate::parse(&text) {
                let _ = parsed.try_match(&uri);
                let _ = parsed.try_match_unchecked(&uri);
                let expanded = parsed.expand(
                    &Variables::new().with("a", "x").with("b", vec!["1", "2"]),
                );
                let _ = parsed.match_uri(&expanded);
            }
        }

        #[test]
        fn safe_values_round_trip(
            id in value(),
            path in reserved_value(false),
            seg in value(),
            q in proptest::option::of(value()),
            r in proptest::option::of(prop_oneof![Just(String::new()), value()]),
            frag in reserved_value(true),
        ) {
            let t = template("x://{id}/p{+path}/s{/seg}{?q,r}{#frag}");
            let mut expected = map(&[
                ("id", id.as_str()),
                ("path", path.as_str()),
                ("seg", seg.as_str()),
                ("frag", frag.as_str()),
            ]);
            let mut vars: Variables = expected.clone().into();
            for (name, value) in [("q", &q), ("r", &r)] {
                if let Some(value) = value {
                    expected.insert(name.into(), value.clone());
                    vars.insert(name, value.as_str());
                }
            }
            let segment = ["id", "seg"];
            let safe = expected
                .iter()
                .all(|(name, value)| is_safe_value(value, segment.contains(&name.as_str())));
            let uri = t.expand(&vars);
            let unchecked = t.try_match_unchecked(&uri);
            prop_assert_eq!(unchecked.as_ref().ok(), Some(&expected), "{}", uri);
            if safe {
                prop_assert_eq!(t.match_uri(&uri), Some(expected), "{}", uri);
            } else {
                let rejected = matches!(t.try_match(&uri), Err(MatchError::Traversal { .. }));
                prop_assert!(rejected, "{}", uri);
            }
        }
    }
}
