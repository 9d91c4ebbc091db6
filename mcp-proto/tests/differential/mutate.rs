//! Deliberate breakages applied to generated messages.
//!
//! A mutation is chosen by kind plus two indices (which matching place, which variant), so
//! proptest can shrink it. When a kind has nothing to act on in a message it falls back to
//! removing a member, so every mutated case changes something.
//!
//! Not every mutation makes a message invalid (removing an optional member, a negative
//! `size`, a `resultType` the schema types only as a string...): the oracle decides, the
//! mutation only says what it did.

use proptest::prelude::*;
use proptest::sample::Index;
use serde_json::{Value, json};

use crate::generate::{Msg, Rev};

/// The kinds of breakage, in the order [`Mutation::kind`] indexes them.
pub(crate) const KINDS: &[&str] = &[
    "remove-member",
    "null-member",
    "change-type",
    "out-of-range",
    "unknown-enum",
    "wrong-const",
    "meta-envelope",
    "other-revision-method",
    "result-type",
    "cache-hints",
    "id",
    "direction",
    "schema-inexpressible",
    "unknown-method",
    "extra-member",
];

/// One breakage to apply.
#[derive(Clone, Debug)]
pub(crate) struct Mutation {
    pub(crate) kind: usize,
    pub(crate) place: Index,
    pub(crate) variant: Index,
}

pub(crate) fn mutation() -> impl Strategy<Value = Mutation> {
    (0..KINDS.len(), any::<Index>(), any::<Index>()).prop_map(|(kind, place, variant)| Mutation {
        kind,
        place,
        variant,
    })
}

/// A path of object keys (and array indices) from the root to a member.
type Path = Vec<Step>;

#[derive(Clone, Debug)]
enum Step {
    Key(String),
    At(usize),
}

fn show(path: &Path) -> String {
    let mut out = String::new();
    for step in path {
        match step {
            Step::Key(key) => {
                out.push('/');
                out.push_str(key);
            }
            Step::At(at) => {
                out.push('/');
                out.push_str(&at.to_string());
            }
        }
    }
    out
}

/// Every object member under `value`, depth first, with its key.
fn members(value: &Value) -> Vec<Path> {
    fn walk(value: &Value, prefix: &mut Path, out: &mut Vec<Path>) {
        match value {
            Value::Object(map) => {
                for (key, child) in map {
                    prefix.push(Step::Key(key.clone()));
                    out.push(prefix.clone());
                    walk(child, prefix, out);
                    prefix.pop();
                }
            }
            Value::Array(items) => {
                for (at, child) in items.iter().enumerate() {
                    prefix.push(Step::At(at));
                    walk(child, prefix, out);
                    prefix.pop();
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(value, &mut Vec::new(), &mut out);
    out
}

fn last_key(path: &Path) -> Option<&str> {
    match path.last() {
        Some(Step::Key(key)) => Some(key),
        _ => None,
    }
}

fn get_mut<'a>(value: &'a mut Value, path: &Path) -> Option<&'a mut Value> {
    let mut at = value;
    for step in path {
        at = match step {
            Step::Key(key) => at.get_mut(key.as_str())?,
            Step::At(index) => at.get_mut(*index)?,
        };
    }
    Some(at)
}

fn get<'a>(value: &'a Value, path: &Path) -> Option<&'a Value> {
    let mut at = value;
    for step in path {
        at = match step {
            Step::Key(key) => at.get(key.as_str())?,
            Step::At(index) => at.get(*index)?,
        };
    }
    Some(at)
}

fn remove(value: &mut Value, path: &Path) -> bool {
    let Some((Step::Key(key), parent)) = path.split_last() else {
        return false;
    };
    get_mut(value, &parent.to_vec())
        .and_then(Value::as_object_mut)
        .and_then(|map| map.remove(key))
        .is_some()
}

/// True when `path` lies strictly inside a value whose content the schema leaves free
/// (tool arguments and input, structured content, log and error data, tool input/output
/// schemas) or types as a 2026 `JSONObject` (capabilities' `experimental`/`extensions`,
/// sampling `metadata`; see `schema_quirk_2026_json_value_has_no_null_or_fraction`).
/// Mutations never reach inside these; the member itself can still be mutated.
fn inside_free_value(path: &Path) -> bool {
    let free = [
        "arguments",
        "structuredContent",
        "data",
        "input",
        "inputSchema",
        "outputSchema",
        "experimental",
        "extensions",
        "metadata",
    ];
    path.iter()
        .rev()
        .skip(1)
        .any(|step| matches!(step, Step::Key(key) if free.contains(&key.as_str())))
}

/// Member paths a generic mutation may pick.
fn candidates(value: &Value) -> Vec<Path> {
    members(value)
        .into_iter()
        .filter(|path| !inside_free_value(path))
        .collect()
}

/// Paths whose last key is one of `keys` (outside free values).
fn keyed(value: &Value, keys: &[&str]) -> Vec<Path> {
    candidates(value)
        .into_iter()
        .filter(|path| last_key(path).is_some_and(|key| keys.contains(&key)))
        .collect()
}

fn pick<'a, T>(items: &'a [T], index: &Index) -> Option<&'a T> {
    (!items.is_empty()).then(|| index.get(items))
}

fn is_request(json: &Value) -> bool {
    json.get("method").is_some() && json.get("id").is_some()
}

fn is_notification(json: &Value) -> bool {
    json.get("method").is_some() && json.get("id").is_none()
}

fn is_result(json: &Value) -> bool {
    json.get("result").is_some()
}

/// A value of another JSON type than `value` (never an integral float: see exception (b)).
fn other_type(value: &Value, variant: &Index) -> Value {
    match value {
        Value::String(_) => variant
            .get(&[json!(1.5), json!(true), json!(["x"]), json!({})])
            .clone(),
        Value::Number(_) => variant.get(&[json!("7"), json!(false), json!([7])]).clone(),
        Value::Bool(_) => variant.get(&[json!("true"), json!(1), json!(null)]).clone(),
        Value::Array(_) => variant.get(&[json!({}), json!("[]"), json!(0)]).clone(),
        Value::Object(_) => variant.get(&[json!([]), json!("{}"), json!(0)]).clone(),
        Value::Null => json!("null"),
    }
}

const OTHER_2025_REQUESTS: &[&str] = &[
    "initialize",
    "ping",
    "logging/setLevel",
    "resources/subscribe",
    "resources/unsubscribe",
    "tasks/get",
    "tasks/list",
    "tasks/result",
    "tasks/cancel",
];
const OTHER_2026_REQUESTS: &[&str] = &["server/discover", "subscriptions/listen"];
const OTHER_2025_NOTIFICATIONS: &[&str] = &[
    "notifications/initialized",
    "notifications/roots/list_changed",
    "notifications/elicitation/complete",
    "notifications/tasks/status",
];
const OTHER_2026_NOTIFICATIONS: &[&str] = &["notifications/subscriptions/acknowledged"];

/// Applies `mutation` to `msg` under `rev`; returns what was done.
pub(crate) fn apply(msg: &mut Msg, rev: Rev, mutation: &Mutation) -> String {
    let kind = KINDS[mutation.kind];
    match try_apply(msg, rev, kind, mutation) {
        Some(done) => format!("{kind}: {done}"),
        None => format!(
            "remove-member (as {kind} had nothing to act on): {}",
            remove_any(msg, mutation)
        ),
    }
}

fn remove_any(msg: &mut Msg, mutation: &Mutation) -> String {
    let mut paths = candidates(&msg.json);
    // A quarter of the time, one of the envelope's members (`jsonrpc`, `id`, `method`,
    // `params`, `result`, `error`), which a uniform pick would rarely reach.
    if mutation.variant.index(4) == 0 {
        paths.retain(|path| path.len() == 1);
    }
    match pick(&paths, &mutation.place) {
        Some(path) => {
            let path = path.clone();
            remove(&mut msg.json, &path);
            format!("removed {}", show(&path))
        }
        None => "nothing to remove".to_owned(),
    }
}

fn set(msg: &mut Msg, path: &Path, value: Value) -> String {
    let text = format!("{} = {value}", show(path));
    if let Some(slot) = get_mut(&mut msg.json, path) {
        *slot = value;
    }
    text
}

fn try_apply(msg: &mut Msg, rev: Rev, kind: &str, m: &Mutation) -> Option<String> {
    let json = msg.json.clone();
    match kind {
        "remove-member" => Some(remove_any(msg, m)),
        "null-member" => {
            let mut paths = candidates(&json);
            if json.get("error").is_some() {
                // `"id": null` on an error response is exception (a).
                paths.retain(|p| show(p) != "/id");
            }
            let path = pick(&paths, &m.place)?.clone();
            Some(set(msg, &path, Value::Null))
        }
        "change-type" => {
            let paths = candidates(&json);
            let path = pick(&paths, &m.place)?.clone();
            let current = get_mut(&mut msg.json, &path)?.clone();
            Some(set(msg, &path, other_type(&current, &m.variant)))
        }
        "out-of-range" => {
            let priorities = keyed(
                &json,
                &[
                    "priority",
                    "costPriority",
                    "speedPriority",
                    "intelligencePriority",
                ],
            );
            let ttl = keyed(&json, &["ttlMs"]);
            let values = keyed(&json, &["values"]);
            let elicited = keyed(&json, &["content"])
                .into_iter()
                .filter(|p| get(&json, p).is_some_and(|v| v.is_object()))
                .collect::<Vec<_>>();
            let mut options: Vec<(Path, Value)> = Vec::new();
            for path in priorities {
                options.push((path.clone(), json!(1.5)));
                options.push((path, json!(-0.25)));
            }
            for path in ttl {
                options.push((path.clone(), json!(-1)));
                options.push((path, json!(2.5)));
            }
            for path in values {
                let many: Vec<String> = (0..101).map(|i| format!("v{i}")).collect();
                options.push((path, json!(many)));
            }
            for path in elicited {
                // ElicitResult content values: string, integer, boolean or string array.
                let mut content = get(&json, &path)?.clone();
                content["x_extra"] = m.variant.get(&[json!(1.5), json!(null), json!({})]).clone();
                options.push((path, content));
            }
            let (path, value) = pick(&options, &m.place)?.clone();
            Some(set(msg, &path, value))
        }
        "unknown-enum" => {
            let paths = keyed(
                &json,
                &[
                    "role",
                    "level",
                    "cacheScope",
                    "action",
                    "includeContext",
                    "theme",
                    "status",
                    "taskSupport",
                    "io.modelcontextprotocol/logLevel",
                    "audience",
                    "format",
                ],
            );
            let path = pick(&paths, &m.place)?.clone();
            let current = get_mut(&mut msg.json, &path)?.clone();
            if current.is_array() {
                return Some(set(msg, &path, json!(["user", "moderator"])));
            }
            // `format` is an enum only in elicitation string schemas; elsewhere the
            // generator never emits it.
            Some(set(msg, &path, json!("bogus")))
        }
        "wrong-const" => {
            let mut paths = keyed(&json, &["type", "jsonrpc", "mode"]);
            paths.retain(|p| get(&json, p).is_some_and(|v| v.is_string()));
            let path = pick(&paths, &m.place)?.clone();
            let value = match last_key(&path) {
                Some("jsonrpc") => m
                    .variant
                    .get(&[json!("1.0"), json!("2"), json!(2.0)])
                    .clone(),
                _ => m
                    .variant
                    .get(&[json!("bogus"), json!("Text"), json!("")])
                    .clone(),
            };
            Some(set(msg, &path, value))
        }
        "meta-envelope" => {
            if !(is_request(&json) || is_notification(&json)) {
                return None;
            }
            let meta_path: Path = vec![Step::Key("params".into()), Step::Key("_meta".into())];
            let has_params = json.get("params").is_some_and(Value::is_object);
            let has_meta = json.pointer("/params/_meta").is_some();
            let mut options: Vec<(&str, Option<Value>)> = vec![
                ("_meta", Some(json!("not an object"))),
                ("_meta", Some(json!([]))),
                ("progressToken", Some(json!(1.5))),
                ("progressToken", Some(json!(null))),
                ("progressToken", Some(json!({"token": 1}))),
            ];
            if rev.modern() && is_request(&json) {
                options.extend([
                    ("_meta", None),
                    ("io.modelcontextprotocol/protocolVersion", None),
                    ("io.modelcontextprotocol/clientCapabilities", None),
                    (
                        "io.modelcontextprotocol/protocolVersion",
                        Some(json!("2025-11-25")),
                    ),
                    (
                        "io.modelcontextprotocol/protocolVersion",
                        Some(json!("2099-01-01")),
                    ),
                    (
                        "io.modelcontextprotocol/protocolVersion",
                        Some(json!(20260728)),
                    ),
                    (
                        "io.modelcontextprotocol/clientCapabilities",
                        Some(json!("all")),
                    ),
                    (
                        "io.modelcontextprotocol/clientCapabilities",
                        Some(json!(null)),
                    ),
                    (
                        "io.modelcontextprotocol/clientInfo",
                        Some(json!({"name": "x"})),
                    ),
                    ("io.modelcontextprotocol/clientInfo", Some(json!("client"))),
                    ("io.modelcontextprotocol/logLevel", Some(json!("verbose"))),
                    (
                        "io.modelcontextprotocol/clientCapabilities",
                        Some(json!({"roots": []})),
                    ),
                ]);
            }
            if rev.modern() && is_notification(&json) {
                options.push(("io.modelcontextprotocol/subscriptionId", Some(json!(1.5))));
                options.push(("io.modelcontextprotocol/subscriptionId", Some(json!(null))));
            }
            let (key, value) = pick(&options, &m.place)?.clone();
            if !has_params {
                msg.json["params"] = json!({});
            }
            if key == "_meta" {
                return Some(match value {
                    Some(value) => set(msg, &meta_path, value),
                    None => {
                        remove(&mut msg.json, &meta_path);
                        "removed /params/_meta".to_owned()
                    }
                });
            }
            if !has_meta {
                msg.json["params"]["_meta"] = json!({});
            }
            let mut path = meta_path.clone();
            path.push(Step::Key(key.to_owned()));
            Some(match value {
                Some(value) => set(msg, &path, value),
                None => {
                    remove(&mut msg.json, &path);
                    format!("removed {}", show(&path))
                }
            })
        }
        "other-revision-method" => {
            if is_request(&json) {
                let table = if rev.modern() {
                    OTHER_2025_REQUESTS
                } else {
                    OTHER_2026_REQUESTS
                };
                let method = *pick(table, &m.variant)?;
                msg.json["method"] = json!(method);
                Some(format!("method = {method}"))
            } else if is_notification(&json) {
                let table = if rev.modern() {
                    OTHER_2025_NOTIFICATIONS
                } else {
                    OTHER_2026_NOTIFICATIONS
                };
                let method = *pick(table, &m.variant)?;
                msg.json["method"] = json!(method);
                Some(format!("method = {method}"))
            } else {
                None
            }
        }
        "result-type" => {
            if !is_result(&json) || !json["result"].is_object() {
                return None;
            }
            let result = &mut msg.json["result"];
            if rev.modern() {
                let choice = m.variant.get(&[
                    None,
                    Some("bogus"),
                    Some("input_required"),
                    Some("complete"),
                    Some("task"),
                    Some("Complete"),
                ]);
                match choice {
                    None => {
                        result.as_object_mut()?.remove("resultType")?;
                        Some("removed /result/resultType".into())
                    }
                    Some(value) => {
                        result["resultType"] = json!(value);
                        Some(format!("/result/resultType = {value:?}"))
                    }
                }
            } else {
                let (key, value) = m
                    .variant
                    .get(&[
                        ("resultType", json!("complete")),
                        ("ttlMs", json!(0)),
                        ("cacheScope", json!("private")),
                        (
                            "_meta",
                            json!({"io.modelcontextprotocol/serverInfo":
                            {"name": "s", "version": "1"}}),
                        ),
                    ])
                    .clone();
                result[key] = value.clone();
                Some(format!("/result/{key} = {value}"))
            }
        }
        "cache-hints" => {
            if !is_result(&json) || !json["result"].is_object() {
                return None;
            }
            let result = &mut msg.json["result"];
            if rev.modern() {
                result.get("ttlMs")?;
                let choices = [
                    ("ttlMs", None),
                    ("cacheScope", None),
                    ("cacheScope", Some(json!("shared"))),
                    ("ttlMs", Some(json!("60000"))),
                    ("ttlMs", Some(json!(-5))),
                ];
                match m.variant.get(&choices) {
                    (key, None) => {
                        result.as_object_mut()?.remove(*key)?;
                        Some(format!("removed /result/{key}"))
                    }
                    (key, Some(value)) => {
                        result[*key] = value.clone();
                        Some(format!("/result/{key} = {value}"))
                    }
                }
            } else {
                result["ttlMs"] = json!(1000);
                result["cacheScope"] = json!("public");
                Some("added ttlMs/cacheScope".into())
            }
        }
        "id" => {
            let is_error = json.get("error").is_some();
            if is_notification(&json) {
                msg.json["id"] = json!(7);
                return Some("added id (notification → request)".into());
            }
            let mut options = vec![
                Some(json!(1.5)),
                Some(json!(true)),
                Some(json!({"id": 1})),
                Some(json!([1])),
                Some(json!(null)),
                None,
            ];
            if is_error {
                // `"id": null` on an error response is exception (a); absent is fine.
                options.retain(|o| o.as_ref().is_none_or(|v| !v.is_null()));
            }
            match pick(&options, &m.variant)? {
                Some(value) => {
                    msg.json["id"] = value.clone();
                    Some(format!("/id = {value}"))
                }
                None => {
                    msg.json.as_object_mut()?.remove("id");
                    Some("removed /id".into())
                }
            }
        }
        "direction" => {
            msg.dir = msg.dir.flip();
            Some(format!("sent {:?} instead", msg.dir))
        }
        "schema-inexpressible" => inexpressible(msg, &json, m),
        "unknown-method" => {
            json.get("method")?;
            let method = m
                .variant
                .get(&["tools/delete", "Tools/List", "", "notifications/x"]);
            msg.json["method"] = json!(method);
            Some(format!("method = {method:?}"))
        }
        "extra-member" => {
            let mut objects: Vec<Path> = candidates(&json)
                .into_iter()
                .filter(|p| get(&json, p).is_some_and(Value::is_object))
                .collect();
            objects.push(Vec::new());
            let path = pick(&objects, &m.place)?.clone();
            let target = get_mut(&mut msg.json, &path)?;
            target["x-extension"] = json!({"any": [1, "two"]});
            Some(format!("added {}/x-extension", show(&path)))
        }
        _ => unreachable!("unknown mutation kind {kind}"),
    }
}

/// Breakages of rules the schemas cannot state (or state loosely).
fn inexpressible(msg: &mut Msg, json: &Value, m: &Mutation) -> Option<String> {
    let mut options: Vec<(Path, Value)> = Vec::new();
    let tool_names: Vec<Path> = candidates(json)
        .into_iter()
        .filter(|p| {
            last_key(p) == Some("name")
                && (p.len() >= 2
                    && matches!(&p[p.len() - 2], Step::At(_))
                    && p.iter().any(|s| matches!(s, Step::Key(k) if k == "tools"))
                    || json.get("method").and_then(Value::as_str) == Some("tools/call")
                        && p.len() == 2)
        })
        .collect();
    for path in tool_names {
        options.push((path.clone(), json!("bad name!")));
        options.push((path.clone(), json!("")));
        options.push((path, json!("x".repeat(65))));
    }
    for path in keyed(json, &["requestedSchema"]) {
        let mut schema = get(json, &path)?.clone();
        schema["required"] = json!(["no_such_field"]);
        options.push((path.clone(), schema));
    }
    for path in keyed(json, &["minimum", "minLength", "minItems"]) {
        options.push((path, json!(1000)));
    }
    for path in keyed(json, &["size", "maxTokens", "total", "pollInterval"]) {
        let negative = get(json, &path).is_some_and(|v| v.is_u64());
        if negative {
            options.push((path, json!(-1)));
        }
    }
    if json.pointer("/result/resultType") == Some(&json!("input_required")) {
        let mut result = json["result"].clone();
        let map = result.as_object_mut()?;
        map.remove("inputRequests");
        map.remove("requestState");
        options.push((vec![Step::Key("result".into())], result));
    }
    let (path, value) = pick(&options, &m.place)?.clone();
    Some(set(msg, &path, value))
}
