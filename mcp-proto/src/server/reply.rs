//! Turning the application's [`Reply`] into the response the client receives: shaped for
//! the era it goes out under, sealed where it carries state, validated before it leaves.
//!
//! - 2025 results lose `resultType`, `ttlMs` and `cacheScope`.
//! - 2026 results gain `resultType: "complete"` when absent, the method's cache hints
//!   when it is cacheable and they are absent, and `serverInfo` in `_meta` (unless
//!   configured off); tools lose the 2025-only `execution` member.
//! - "Input required" is checked against the capabilities this request declared, and its
//!   state sealed, bound to the method, the salient params and the principal.
//!
//! Whatever fails becomes an error response (see [`ReplaceCause`]), so the request is
//! still answered exactly once and nothing invalid reaches the wire.

use alloc::borrow::Cow;
use alloc::string::String;

use crate::connection::{Delivery, ReplaceCause};
use crate::json::RawJson;
use crate::json::splice::{open_object, push_quoted, write_object};
use crate::jsonrpc::message::{MetaSlot, ResultMembers, ResultTypeSlot};
use crate::jsonrpc::scan::{is_key, object_entries, walk};
use crate::jsonrpc::{ErrorCode, ErrorObject, Outcome, Response, ResultBody};
use crate::mrtr::StateBinding;
use crate::mrtr::StateSealer;
use crate::server::config::ServerConfig;
use crate::server::event::{InputRequired, Reply};
use crate::server::inbound::InboundEntry;
use crate::time::Timestamp;
use crate::types::meta::keys;
use crate::types::{
    ClientCapabilities, ElicitRequestParams, InputRequest, InputRequiredResult, Meta, Method,
    ResultType,
};
use crate::validate::{Context, Shaped, validate_reply};
use crate::version::Era;

/// What shaping a reply needs of its connection, borrowed for one reply: the
/// configuration, the state sealer and the time.
pub(crate) struct Shaper<'a> {
    pub(crate) config: &'a ServerConfig,
    pub(crate) sealer: Option<&'a mut (dyn StateSealer + Send)>,
    pub(crate) now: Timestamp,
}

/// The response that answers `entry` with `reply`, shaped for its era, sealed where it
/// carries state and validated, or the error response that replaces it; and what became
/// of the reply. A pure function of its inputs: the caller queues the response.
pub(crate) fn shape_reply(
    shaper: &mut Shaper<'_>,
    entry: &InboundEntry,
    reply: Reply,
) -> (Response, Delivery) {
    let mut before_additions = None;
    let mut server_info_stamped = false;
    let outcome = match reply {
        Reply::Error(error) => Ok(Outcome::Error(error)),
        Reply::Result(raw) => shape_result(shaper.config, entry, raw)
            .map(|shaped| {
                before_additions = shaped.before_additions;
                server_info_stamped = shaped.server_info_stamped;
                Outcome::Result(shaped.body)
            })
            .map_err(|error| (error, ReplaceCause::InvalidResult)),
        Reply::InputRequired(input) => input_required(shaper, entry, input)
            .map(|raw| Outcome::Result(ResultBody::from_object(raw))),
    };
    let replace = |error: ErrorObject, cause: ReplaceCause| {
        let response = Response {
            id: Some(entry.id.clone()),
            outcome: Outcome::Error(error.clone()),
        };
        (response, Delivery::Replaced { error, cause })
    };
    let outcome = match outcome {
        Ok(outcome) => outcome,
        Err((error, cause)) => return replace(error, cause),
    };
    let response = Response {
        id: Some(entry.id.clone()),
        outcome,
    };
    let context = Context {
        answering: Some(&entry.method),
        tasks_extension: false,
    };
    let shaped = Shaped {
        before_additions: before_additions.as_ref().map(RawJson::get),
        server_info_stamped,
    };
    match validate_reply(&response, &entry.version, &context, shaped) {
        Ok(()) => (response, Delivery::Sent),
        Err(violation) => replace(
            ErrorObject::with_message(
                ErrorCode::INTERNAL_ERROR,
                alloc::format!(
                    "Internal error: the server produced an invalid reply ({})",
                    violation.error.message
                ),
            ),
            ReplaceCause::InvalidResult,
        ),
    }
}

/// A result shaped for its era, with what the shaping knows about it.
struct ShapedResult {
    body: ResultBody,
    /// The application's text, when the shaping only appended members it lacked.
    before_additions: Option<RawJson>,
    /// Whether the shaping stamped `_meta` `serverInfo` from the configuration.
    server_info_stamped: bool,
}

impl ShapedResult {
    fn unchanged(body: ResultBody) -> Self {
        ShapedResult {
            body,
            before_additions: None,
            server_info_stamped: false,
        }
    }
}

fn invalid(message: &str) -> ErrorObject {
    ErrorObject::with_message(
        ErrorCode::INTERNAL_ERROR,
        alloc::format!("Internal error: the server produced an invalid reply ({message})"),
    )
}

/// The result as it goes out under the entry's era: its text, edited where the era asks,
/// and what the one walk of its top level learnt about the members validation reads.
fn shape_result(
    config: &ServerConfig,
    entry: &InboundEntry,
    raw: RawJson,
) -> Result<ShapedResult, ErrorObject> {
    let text = raw.get();
    let found = TopLevel::of(text).ok_or_else(|| invalid("a result must be a JSON object"))?;
    let not_object = || invalid("a result must be a JSON object");
    let task = found.task;
    match entry.era {
        Era::Legacy => {
            const MODERN_ONLY: [&str; 3] = ["resultType", "ttlMs", "cacheScope"];
            let meta = MetaSlot::read(found.meta);
            let members = ResultMembers {
                ttl_ms: false,
                cache_scope: false,
                task,
            };
            let stale = found.result_type.is_some() || found.ttl_ms || found.cache_scope;
            let raw = if stale {
                let entries = object_entries(text).ok_or_else(not_object)?;
                // Built from the members of a valid object: valid.
                let text = write_object(&entries, &MODERN_ONLY, &[], text.len());
                RawJson::from_checked(text.into())
            } else {
                raw
            };
            Ok(ShapedResult::unchanged(ResultBody::from_parts(
                raw,
                ResultTypeSlot::Absent,
                meta,
                members,
            )))
        }
        Era::Modern => {
            if entry.method == Method::ToolsList.as_str() && text.contains("\"execution\"") {
                if let Some(stripped) = without_tool_execution(text) {
                    let shaped = shape_result(config, entry, stripped)?;
                    // The application's text lost members: decode the result itself.
                    return Ok(ShapedResult {
                        before_additions: None,
                        ..shaped
                    });
                }
            }
            let existing_result_type = found.result_type;
            let add_result_type = existing_result_type.is_none();
            let result_type = match existing_result_type {
                Some(existing) => ResultTypeSlot::read(Some(existing)),
                None => ResultTypeSlot::Present(ResultType::Complete),
            };
            let mut members = ResultMembers {
                ttl_ms: found.ttl_ms,
                cache_scope: found.cache_scope,
                task,
            };
            let (mut ttl_ms, mut cache_scope) = (None, None);
            let method = Method::parse(&entry.method);
            if let Some(method) = method.filter(|method| method.is_cacheable()) {
                let hints = config.hints_for(method);
                if !members.ttl_ms {
                    ttl_ms = Some(alloc::format!("{}", hints.ttl_ms));
                    members.ttl_ms = true;
                }
                if !members.cache_scope {
                    // A unit variant always serialises; the text goes out unchecked.
                    let scope = serde_json::to_string(&hints.scope)
                        .map_err(|_| invalid("the cache scope could not be encoded"))?;
                    cache_scope = Some(scope);
                    members.cache_scope = true;
                }
            }
            let existing_meta = found.meta;
            let stamped = if config.stamp_server_info {
                stamped_meta(config, existing_meta)
            } else {
                None
            };
            // Every other addition is of a member the text lacked.
            let appended_only = stamped.is_none() || existing_meta.is_none();
            let server_info_stamped = stamped.is_some();
            // At most `resultType`, the two cache hints and `_meta`, in that order.
            let additions = [
                add_result_type.then_some(("resultType", "\"complete\"")),
                ttl_ms.as_deref().map(|text| ("ttlMs", text)),
                cache_scope.as_deref().map(|text| ("cacheScope", text)),
                stamped.as_ref().map(|meta| ("_meta", meta.raw().get())),
            ];
            let mut add = [("", ""); 4];
            let mut count = 0;
            for (slot, addition) in add.iter_mut().zip(additions.into_iter().flatten()) {
                *slot = addition;
                count += 1;
            }
            let add = add.get(..count).unwrap_or_default();
            let text = if add.is_empty() {
                None
            } else if appended_only {
                // Only members the text lacked: appended to it as it is.
                Some(append_members(text, add).ok_or_else(not_object)?)
            } else {
                // A `_meta` replaced: the object is written again without the old one.
                let entries = object_entries(text).ok_or_else(not_object)?;
                // Valid member texts and valid added values: one valid object.
                Some(write_object(&entries, &[], add, text.len()))
            };
            let meta = match stamped {
                Some(stamped) => MetaSlot::Present(stamped),
                None => MetaSlot::read(existing_meta),
            };
            let Some(text) = text else {
                return Ok(ShapedResult::unchanged(ResultBody::from_parts(
                    raw,
                    result_type,
                    meta,
                    members,
                )));
            };
            Ok(ShapedResult {
                body: ResultBody::from_parts(
                    RawJson::from_checked(text.into_boxed_str()),
                    result_type,
                    meta,
                    members,
                ),
                before_additions: appended_only.then_some(raw),
                server_info_stamped,
            })
        }
    }
}

/// The first members of a result's top level that shaping reads, found in one walk
/// (the first is what a walk of the shaped text finds for a key shaping leaves alone).
#[derive(Default)]
struct TopLevel<'a> {
    result_type: Option<&'a str>,
    meta: Option<&'a str>,
    ttl_ms: bool,
    cache_scope: bool,
    task: bool,
}

impl<'a> TopLevel<'a> {
    /// The members of the object `text`; `None` when it is not an object.
    fn of(text: &'a str) -> Option<Self> {
        let mut found = TopLevel::default();
        walk(text, |quoted, value| {
            if is_key(quoted, "resultType") {
                found.result_type.get_or_insert(value);
            } else if is_key(quoted, "_meta") {
                found.meta.get_or_insert(value);
            } else if is_key(quoted, "ttlMs") {
                found.ttl_ms = true;
            } else if is_key(quoted, "cacheScope") {
                found.cache_scope = true;
            } else if is_key(quoted, "task") {
                found.task = true;
            }
        })?;
        Some(found)
    }
}

/// The object `text` with the `(key, raw value)` members of `add` appended, its own
/// text kept as it is; for members it lacks. `None` when `text` is not an object's text.
fn append_members(text: &str, add: &[(&str, &str)]) -> Option<String> {
    let (open, mut empty) = open_object(text)?;
    let added: usize = add.iter().map(|(key, raw)| key.len() + raw.len() + 4).sum();
    let mut out = String::with_capacity(open.len() + added + 1);
    out.push_str(open);
    for (key, raw) in add {
        if !empty {
            out.push(',');
        }
        empty = false;
        push_quoted(&mut out, key);
        out.push(':');
        out.push_str(raw);
    }
    out.push('}');
    Some(out)
}

/// A `tools/list` result without the 2025-only `Tool.execution` members, or `None` when
/// there is none to remove (or the result is not shaped like a tool list: validation then
/// reports it).
fn without_tool_execution(text: &str) -> Option<RawJson> {
    let mut value: serde_json::Value = serde_json::from_str(text).ok()?;
    let tools = value.get_mut("tools")?.as_array_mut()?;
    let mut removed = false;
    for tool in tools.iter_mut() {
        if let Some(tool) = tool.as_object_mut() {
            removed |= tool.remove("execution").is_some();
        }
    }
    if !removed {
        return None;
    }
    RawJson::from_serialize(&value).ok()
}

/// `_meta` with `serverInfo` added, or `None` when it is there already or `_meta` is not
/// an object (validation then reports it). The existing members are kept verbatim, in
/// order, written compactly.
fn stamped_meta(config: &ServerConfig, existing: Option<&str>) -> Option<Meta> {
    let cache = config.stamp_cache();
    let json = match (existing, cache) {
        (None, Some(cache)) => return Some(cache.alone.clone()),
        (_, Some(cache)) => Cow::Borrowed(cache.json.as_str()),
        (_, None) => Cow::Owned(serde_json::to_string(&config.info).ok()?),
    };
    let add = [(keys::SERVER_INFO, json.as_ref())];
    let text = match existing {
        // `existing` is one valid JSON value, as a walk of a valid object cut it.
        Some(text) => {
            let entries = object_entries(text)?;
            if entries
                .iter()
                .any(|(quoted, _)| is_key(quoted, keys::SERVER_INFO))
            {
                return None;
            }
            write_object(&entries, &[], &add, text.len())
        }
        None => write_object(&[], &[], &add, 0),
    };
    Some(Meta::from_checked_string(text))
}

fn input_required(
    shaper: &mut Shaper<'_>,
    entry: &InboundEntry,
    input: InputRequired,
) -> Result<RawJson, (ErrorObject, ReplaceCause)> {
    let allowed = entry.era == Era::Modern
        && Method::parse(&entry.method).is_some_and(Method::allows_input_required);
    if !allowed {
        return Err((
            ErrorObject::with_message(
                ErrorCode::INTERNAL_ERROR,
                "Internal error: input required is not available for this request",
            ),
            ReplaceCause::InputRequiredNotAllowed,
        ));
    }
    for request in input.requests.values() {
        if let Some(required) = missing_capability(request, &entry.capabilities) {
            let error = ErrorObject::with_message(
                ErrorCode::MISSING_REQUIRED_CLIENT_CAPABILITY,
                alloc::format!("This request needs the {required} client capability"),
            )
            .with_data(&serde_json::json!({ "requiredCapabilities": required_object(required) }));
            return Err((error, ReplaceCause::UndeclaredCapability));
        }
    }
    let request_state = match input.state {
        None => None,
        Some(state) => {
            let now = shaper.now;
            let principal = shaper.config.principal.clone();
            let binding = StateBinding {
                method: &entry.method,
                params_digest: entry
                    .bound_params
                    .as_ref()
                    .map(|bound| bound.digest(&entry.method))
                    .unwrap_or_default(),
                principal: principal.as_deref(),
            };
            let sealed = shaper
                .sealer
                .as_mut()
                .and_then(|sealer| sealer.seal(now, &binding, &state).ok());
            match sealed {
                Some(sealed) => Some(sealed),
                None => {
                    return Err((
                        ErrorObject::with_message(
                            ErrorCode::INTERNAL_ERROR,
                            "Internal error: the request state could not be sealed",
                        ),
                        ReplaceCause::SealFailed,
                    ));
                }
            }
        }
    };
    let mut result = InputRequiredResult {
        result_type: Some(ResultType::InputRequired),
        input_requests: (!input.requests.is_empty()).then_some(input.requests),
        request_state,
        meta: None,
    };
    if shaper.config.stamp_server_info {
        let mut meta = Meta::new();
        meta.set_server_info(&shaper.config.info);
        result.meta = Some(meta);
    }
    RawJson::from_serialize(&result).map_err(|_| {
        (
            invalid("the input requests could not be encoded"),
            ReplaceCause::InvalidResult,
        )
    })
}

/// The capability an input request needs that `declared` lacks, by name.
fn missing_capability(
    request: &InputRequest,
    declared: &ClientCapabilities,
) -> Option<&'static str> {
    match request {
        InputRequest::Elicit(ElicitRequestParams::Form(_)) => (!declared
            .elicitation
            .as_ref()
            .is_some_and(|e| e.supports_form()))
        .then_some("elicitation"),
        InputRequest::Elicit(ElicitRequestParams::Url(_)) => (!declared
            .elicitation
            .as_ref()
            .is_some_and(|e| e.supports_url()))
        .then_some("elicitation.url"),
        InputRequest::CreateMessage(params) => {
            let sampling = declared.sampling.as_ref();
            if sampling.is_none() {
                Some("sampling")
            } else if params.tools.is_some() && sampling.and_then(|s| s.tools.as_ref()).is_none() {
                Some("sampling.tools")
            } else {
                None
            }
        }
        InputRequest::ListRoots(_) => declared.roots.is_none().then_some("roots"),
        // Validation refuses other methods.
        InputRequest::Other { .. } => None,
    }
}

/// `requiredCapabilities` for a capability named like `elicitation.url`.
fn required_object(name: &str) -> serde_json::Value {
    match name.split_once('.') {
        Some((outer, inner)) => serde_json::json!({ outer: { inner: {} } }),
        None => serde_json::json!({ name: {} }),
    }
}
