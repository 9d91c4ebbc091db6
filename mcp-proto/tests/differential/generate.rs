//! Strategies for realistic messages of each revision.
//!
//! Every strategy builds a `serde_json::Value` that the revision's schema accepts (the
//! differential test checks that too: an unmutated message the schema rejects is a bug of
//! this generator and fails the test). [`crate::mutate`] then breaks about half of them.
//!
//! Deliberately absent from the valid set, because the project differs from the schema
//! there on purpose (each has its own `#[test]` in `differential.rs`): `"id": null` on
//! error responses, integral floats (`1.0`) in integer fields, and the 2026 tasks
//! extension. Also kept out: members inside the 2026 `JSONObject` values of capabilities
//! and sampling `metadata` (the 2026 `JSONValue` admits neither `null` nor fractional
//! numbers, a schema quirk the mutations would otherwise hit), and `task`-augmented 2025
//! requests (their result is a `CreateTaskResult`, which this generator does not model).

use proptest::collection::{btree_map, vec};
use proptest::option;
use proptest::prelude::*;
use proptest::sample::select;
use serde_json::{Map, Value, json};

/// The two revisions under test.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Rev {
    R2025,
    R2026,
}

impl Rev {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Rev::R2025 => "2025-11-25",
            Rev::R2026 => "2026-07-28",
        }
    }

    pub(crate) fn modern(self) -> bool {
        self == Rev::R2026
    }
}

/// Which way a message travels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Dir {
    C2S,
    S2C,
}

impl Dir {
    pub(crate) fn flip(self) -> Dir {
        match self {
            Dir::C2S => Dir::S2C,
            Dir::S2C => Dir::C2S,
        }
    }
}

/// One generated message with what the receiver knows about it.
#[derive(Clone, Debug)]
pub(crate) struct Msg {
    /// What was generated, e.g. `request tools/call` or `result of prompts/get`.
    pub(crate) label: String,
    pub(crate) dir: Dir,
    /// For responses: the method of the request answered.
    pub(crate) answering: Option<&'static str>,
    pub(crate) json: Value,
}

type S<T> = BoxedStrategy<T>;

// ---------------------------------------------------------------------------------------
// Building blocks.

/// An object of the members whose value is `Some`.
fn obj<const N: usize>(members: [(&str, Option<Value>); N]) -> Value {
    let mut map = Map::new();
    for (key, value) in members {
        if let Some(value) = value {
            map.insert(key.to_owned(), value);
        }
    }
    Value::Object(map)
}

fn s(text: impl Into<String>) -> Value {
    Value::String(text.into())
}

fn word() -> S<String> {
    "[a-z][a-z0-9_]{0,7}".boxed()
}

fn text() -> S<String> {
    prop_oneof![
        6 => "[A-Za-z0-9 ,.]{0,16}",
        1 => Just("ünïcödé ✓ \"quoted\"\n\ttab".to_owned()),
    ]
    .boxed()
}

fn opt_text() -> S<Option<Value>> {
    option::of(text().prop_map(s)).boxed()
}

fn uri() -> S<String> {
    prop_oneof![
        "[a-z]{1,8}".prop_map(|p| format!("file:///project/{p}.rs")),
        "[a-z]{1,8}".prop_map(|p| format!("https://example.com/{p}")),
        Just("resource://weather/today".to_owned()),
    ]
    .boxed()
}

fn id() -> S<Value> {
    prop_oneof![
        (0i64..1_000_000).prop_map(Value::from),
        "[a-z0-9-]{1,12}".prop_map(Value::from),
    ]
    .boxed()
}

fn unit_interval() -> S<Value> {
    (0.0f64..=1.0).prop_map(Value::from).boxed()
}

fn base64() -> S<Value> {
    select(vec![
        "",
        "aGVsbG8=",
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAAB",
        "UklGRiQAAABXQVZF",
    ])
    .prop_map(s)
    .boxed()
}

fn mime() -> S<Value> {
    select(vec![
        "text/plain",
        "image/png",
        "audio/wav",
        "application/json",
        "text/x-rust",
    ])
    .prop_map(s)
    .boxed()
}

fn role() -> S<Value> {
    select(vec!["user", "assistant"]).prop_map(s).boxed()
}

const LEVELS: [&str; 8] = [
    "debug",
    "info",
    "notice",
    "warning",
    "error",
    "critical",
    "alert",
    "emergency",
];

fn level() -> S<Value> {
    select(LEVELS.to_vec()).prop_map(s).boxed()
}

fn timestamp() -> S<Value> {
    Just(s("2025-11-25T10:00:00Z")).boxed()
}

/// A `_meta` object of a content block, resource or tool (any members).
fn item_meta() -> S<Option<Value>> {
    option::weighted(
        0.15,
        prop_oneof![
            Just(json!({})),
            word().prop_map(|w| json!({ "example.com/tag": w }))
        ],
    )
    .boxed()
}

/// Arbitrary JSON (tool arguments, structured content, log data): no floats that are
/// integral, so integer/number distinctions never depend on formatting.
fn any_json() -> S<Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        (-1000i64..1000).prop_map(Value::from),
        Just(json!(2.5)),
        word().prop_map(s),
    ];
    leaf.prop_recursive(2, 8, 3, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..3).prop_map(Value::from),
            btree_map(word(), inner, 0..3).prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
    .boxed()
}

fn any_object() -> S<Value> {
    btree_map(word(), any_json(), 0..3)
        .prop_map(|m| Value::Object(m.into_iter().collect()))
        .boxed()
}

fn string_map() -> S<Value> {
    btree_map(word(), text().prop_map(s), 0..3)
        .prop_map(|m| Value::Object(m.into_iter().collect()))
        .boxed()
}

fn annotations() -> S<Value> {
    (
        option::of(vec(role(), 0..3).prop_map(Value::from)),
        option::of(unit_interval()),
        option::of(timestamp()),
    )
        .prop_map(|(audience, priority, modified)| {
            obj([
                ("audience", audience),
                ("priority", priority),
                ("lastModified", modified),
            ])
        })
        .boxed()
}

fn icon() -> S<Value> {
    (
        uri(),
        option::of(mime()),
        option::of(vec("[0-9]{2}x[0-9]{2}".prop_map(s), 0..2).prop_map(Value::from)),
        option::of(select(vec!["light", "dark"]).prop_map(s)),
    )
        .prop_map(|(src, mime, sizes, theme)| {
            obj([
                ("src", Some(s(src))),
                ("mimeType", mime),
                ("sizes", sizes),
                ("theme", theme),
            ])
        })
        .boxed()
}

fn icons() -> S<Option<Value>> {
    option::weighted(0.2, vec(icon(), 0..2).prop_map(Value::from)).boxed()
}

fn implementation() -> S<Value> {
    (
        word(),
        "[0-9]\\.[0-9]\\.[0-9]",
        opt_text(),
        icons(),
        option::of(uri()),
    )
        .prop_map(|(name, version, title, icons, site)| {
            obj([
                ("name", Some(s(name))),
                ("version", Some(s(version))),
                ("title", title),
                ("icons", icons),
                ("websiteUrl", site.map(s)),
            ])
        })
        .boxed()
}

// ---------------------------------------------------------------------------------------
// Content.

fn text_content() -> S<Value> {
    (text(), option::weighted(0.3, annotations()), item_meta())
        .prop_map(|(text, annotations, meta)| {
            obj([
                ("type", Some(s("text"))),
                ("text", Some(s(text))),
                ("annotations", annotations),
                ("_meta", meta),
            ])
        })
        .boxed()
}

fn media_content(kind: &'static str) -> S<Value> {
    (base64(), mime(), option::weighted(0.3, annotations()))
        .prop_map(move |(data, mime, annotations)| {
            obj([
                ("type", Some(s(kind))),
                ("data", Some(data)),
                ("mimeType", Some(mime)),
                ("annotations", annotations),
            ])
        })
        .boxed()
}

fn resource_link() -> S<Value> {
    (
        uri(),
        word(),
        opt_text(),
        option::of(mime()),
        option::of((0u32..100_000).prop_map(Value::from)),
        icons(),
        option::weighted(0.3, annotations()),
    )
        .prop_map(|(uri, name, description, mime, size, icons, annotations)| {
            obj([
                ("type", Some(s("resource_link"))),
                ("uri", Some(s(uri))),
                ("name", Some(s(name))),
                ("description", description),
                ("mimeType", mime),
                ("size", size),
                ("icons", icons),
                ("annotations", annotations),
            ])
        })
        .boxed()
}

fn resource_contents() -> S<Value> {
    prop_oneof![
        (uri(), text(), option::of(mime()), item_meta()).prop_map(|(uri, text, mime, meta)| {
            obj([
                ("uri", Some(s(uri))),
                ("text", Some(s(text))),
                ("mimeType", mime),
                ("_meta", meta),
            ])
        }),
        (uri(), base64(), option::of(mime())).prop_map(|(uri, blob, mime)| {
            obj([
                ("uri", Some(s(uri))),
                ("blob", Some(blob)),
                ("mimeType", mime),
            ])
        }),
    ]
    .boxed()
}

fn embedded_resource() -> S<Value> {
    (resource_contents(), option::weighted(0.3, annotations()))
        .prop_map(|(resource, annotations)| {
            obj([
                ("type", Some(s("resource"))),
                ("resource", Some(resource)),
                ("annotations", annotations),
            ])
        })
        .boxed()
}

fn content_block() -> S<Value> {
    prop_oneof![
        5 => text_content(),
        1 => media_content("image"),
        1 => media_content("audio"),
        1 => resource_link(),
        1 => embedded_resource(),
    ]
    .boxed()
}

fn content_list() -> S<Value> {
    vec(content_block(), 0..3).prop_map(Value::from).boxed()
}

fn sampling_block(_rev: Rev) -> S<Value> {
    let tool_use = (word(), word(), any_object()).prop_map(
        |(id, name, input)| json!({"type": "tool_use", "id": id, "name": name, "input": input}),
    );
    let tool_result = (word(), content_list(), option::of(any::<bool>())).prop_map(
        move |(id, content, is_error)| {
            obj([
                ("type", Some(s("tool_result"))),
                ("toolUseId", Some(s(id))),
                ("content", Some(content)),
                ("isError", is_error.map(Value::from)),
            ])
        },
    );
    prop_oneof![
        5 => text_content(),
        1 => media_content("image"),
        1 => media_content("audio"),
        1 => tool_use,
        1 => tool_result,
    ]
    .boxed()
}

fn sampling_content(rev: Rev) -> S<Value> {
    prop_oneof![
        4 => sampling_block(rev),
        1 => vec(sampling_block(rev), 1..3).prop_map(Value::from),
    ]
    .boxed()
}

// ---------------------------------------------------------------------------------------
// Capabilities, envelope.

/// A capability object whose members are free: always `{}` (see the module comment).
fn empty() -> Value {
    json!({})
}

fn client_capabilities(rev: Rev) -> S<Value> {
    (
        option::of(prop_oneof![
            Just(empty()),
            Just(json!({"listChanged": true})),
            Just(json!({"listChanged": false}))
        ]),
        option::of(prop_oneof![
            Just(empty()),
            Just(json!({"context": {}, "tools": {}})),
            Just(json!({"tools": {}}))
        ]),
        option::of(prop_oneof![
            Just(empty()),
            Just(json!({"form": {}, "url": {}})),
            Just(json!({"form": {}}))
        ]),
        option::weighted(0.1, Just(json!({"example.com/feature": {}}))),
        option::weighted(0.1, Just(json!({"io.modelcontextprotocol/ui": {}}))),
    )
        .prop_map(
            move |(roots, sampling, elicitation, experimental, extensions)| {
                let roots = if rev.modern() {
                    roots.map(|_| empty())
                } else {
                    roots
                };
                obj([
                    ("roots", roots),
                    ("sampling", sampling),
                    ("elicitation", elicitation),
                    ("experimental", experimental),
                    ("extensions", extensions.filter(|_| rev.modern())),
                ])
            },
        )
        .boxed()
}

fn server_capabilities(rev: Rev) -> S<Value> {
    (
        option::of(Just(empty())),
        option::of(Just(empty())),
        option::of(option::of(any::<bool>())),
        option::of((option::of(any::<bool>()), option::of(any::<bool>()))),
        option::of(option::of(any::<bool>())),
        option::weighted(0.1, Just(json!({"example.com/feature": {}}))),
        option::weighted(0.1, Just(json!({"io.modelcontextprotocol/ui": {}}))),
    )
        .prop_map(
            move |(completions, logging, prompts, resources, tools, experimental, extensions)| {
                let list_changed =
                    |flag: Option<bool>| obj([("listChanged", flag.map(Value::from))]);
                obj([
                    ("completions", completions),
                    ("logging", logging),
                    ("prompts", prompts.map(list_changed)),
                    (
                        "resources",
                        resources.map(|(subscribe, changed)| {
                            obj([
                                ("subscribe", subscribe.map(Value::from)),
                                ("listChanged", changed.map(Value::from)),
                            ])
                        }),
                    ),
                    ("tools", tools.map(list_changed)),
                    ("experimental", experimental),
                    ("extensions", extensions.filter(|_| rev.modern())),
                ])
            },
        )
        .boxed()
}

/// The `_meta` of a request's params: the 2026 envelope, or the optional 2025 `_meta`.
fn request_meta(rev: Rev) -> S<Option<Value>> {
    match rev {
        Rev::R2026 => (
            client_capabilities(rev),
            option::of(implementation()),
            option::weighted(0.2, level()),
            option::weighted(0.2, id()),
        )
            .prop_map(|(caps, info, level, token)| {
                Some(obj([
                    (
                        "io.modelcontextprotocol/protocolVersion",
                        Some(s("2026-07-28")),
                    ),
                    ("io.modelcontextprotocol/clientCapabilities", Some(caps)),
                    ("io.modelcontextprotocol/clientInfo", info),
                    ("io.modelcontextprotocol/logLevel", level),
                    ("progressToken", token),
                ]))
            })
            .boxed(),
        Rev::R2025 => option::weighted(
            0.3,
            option::of(id()).prop_map(|token| obj([("progressToken", token)])),
        )
        .boxed(),
    }
}

/// Params of a request: `fields` plus the `_meta` of the revision.
fn with_meta(meta: Option<Value>, fields: Value) -> Value {
    let mut fields = fields;
    if let Some(meta) = meta {
        fields["_meta"] = meta;
    }
    fields
}

fn request(id: Value, method: &str, params: Option<Value>) -> Value {
    obj([
        ("jsonrpc", Some(s("2.0"))),
        ("id", Some(id)),
        ("method", Some(s(method))),
        ("params", params),
    ])
}

fn notification(method: &str, params: Option<Value>) -> Value {
    obj([
        ("jsonrpc", Some(s("2.0"))),
        ("method", Some(s(method))),
        ("params", params),
    ])
}

fn result_response(id: Value, result: Value) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "result": result})
}

// ---------------------------------------------------------------------------------------
// Domain objects.

fn tool_name() -> S<String> {
    "[A-Za-z][A-Za-z0-9_.-]{0,20}".boxed()
}

fn object_schema() -> S<Value> {
    btree_map(
        word(),
        select(vec!["string", "number", "integer", "boolean"]).prop_map(|t| json!({ "type": t })),
        0..3,
    )
    .prop_flat_map(|properties| {
        let names: Vec<String> = properties.keys().cloned().collect();
        let required = proptest::sample::subsequence(names.clone(), 0..=names.len());
        (Just(properties), option::of(required))
    })
    .prop_map(|(properties, required)| {
        obj([
            ("type", Some(s("object"))),
            (
                "properties",
                Some(Value::Object(properties.into_iter().collect())),
            ),
            ("required", required.map(Value::from)),
        ])
    })
    .boxed()
}

fn tool(rev: Rev) -> S<Value> {
    (
        tool_name(),
        opt_text(),
        text(),
        object_schema(),
        option::weighted(0.3, object_schema()),
        option::weighted(
            0.3,
            (
                option::of(any::<bool>()),
                option::of(any::<bool>()),
                opt_text(),
            )
                .prop_map(|(read_only, destructive, title)| {
                    obj([
                        ("readOnlyHint", read_only.map(Value::from)),
                        ("destructiveHint", destructive.map(Value::from)),
                        ("title", title),
                    ])
                }),
        ),
        icons(),
        option::weighted(0.2, select(vec!["forbidden", "optional", "required"])),
        item_meta(),
    )
        .prop_map(
            move |(name, title, description, input, output, annotations, icons, task, meta)| {
                obj([
                    ("name", Some(s(name))),
                    ("title", title),
                    ("description", Some(s(description))),
                    ("inputSchema", Some(input)),
                    ("outputSchema", output),
                    ("annotations", annotations),
                    ("icons", icons),
                    (
                        "execution",
                        task.filter(|_| !rev.modern())
                            .map(|t| json!({ "taskSupport": t })),
                    ),
                    ("_meta", meta),
                ])
            },
        )
        .boxed()
}

fn resource() -> S<Value> {
    (
        uri(),
        word(),
        opt_text(),
        opt_text(),
        option::of(mime()),
        option::of((0u32..100_000).prop_map(Value::from)),
        icons(),
        option::weighted(0.3, annotations()),
    )
        .prop_map(
            |(uri, name, title, description, mime, size, icons, annotations)| {
                obj([
                    ("uri", Some(s(uri))),
                    ("name", Some(s(name))),
                    ("title", title),
                    ("description", description),
                    ("mimeType", mime),
                    ("size", size),
                    ("icons", icons),
                    ("annotations", annotations),
                ])
            },
        )
        .boxed()
}

fn resource_template() -> S<Value> {
    (word(), word(), opt_text(), option::of(mime()))
        .prop_map(|(path, name, description, mime)| {
            obj([
                ("uriTemplate", Some(s(format!("file:///{path}/{{name}}")))),
                ("name", Some(s(name))),
                ("description", description),
                ("mimeType", mime),
            ])
        })
        .boxed()
}

fn prompt() -> S<Value> {
    let argument = (word(), opt_text(), option::of(any::<bool>())).prop_map(
        |(name, description, required)| {
            obj([
                ("name", Some(s(name))),
                ("description", description),
                ("required", required.map(Value::from)),
            ])
        },
    );
    (
        word(),
        opt_text(),
        text(),
        option::of(vec(argument, 0..3)),
        icons(),
    )
        .prop_map(|(name, title, description, arguments, icons)| {
            obj([
                ("name", Some(s(name))),
                ("title", title),
                ("description", Some(s(description))),
                ("arguments", arguments.map(Value::from)),
                ("icons", icons),
            ])
        })
        .boxed()
}

fn prompt_message() -> S<Value> {
    (role(), content_block())
        .prop_map(|(role, content)| json!({"role": role, "content": content}))
        .boxed()
}

fn root() -> S<Value> {
    (word(), option::of(word()))
        .prop_map(|(path, name)| {
            obj([
                ("uri", Some(s(format!("file:///home/{path}")))),
                ("name", name.map(s)),
            ])
        })
        .boxed()
}

fn task() -> S<Value> {
    (
        "[a-f0-9]{8}",
        select(vec![
            "working",
            "input_required",
            "completed",
            "failed",
            "cancelled",
        ]),
        prop_oneof![Just(Value::Null), (0u32..600_000).prop_map(Value::from)],
        option::of((0u32..10_000).prop_map(Value::from)),
        opt_text(),
    )
        .prop_map(|(task_id, status, ttl, poll, message)| {
            obj([
                ("taskId", Some(s(task_id))),
                ("status", Some(s(status))),
                ("createdAt", Some(s("2025-11-25T10:00:00Z"))),
                ("lastUpdatedAt", Some(s("2025-11-25T10:00:05Z"))),
                ("ttl", Some(ttl)),
                ("pollInterval", poll),
                ("statusMessage", message),
            ])
        })
        .boxed()
}

fn model_preferences() -> S<Value> {
    (
        option::of(vec(word().prop_map(|n| json!({ "name": n })), 0..3)),
        option::of(unit_interval()),
        option::of(unit_interval()),
        option::of(unit_interval()),
    )
        .prop_map(|(hints, cost, speed, intelligence)| {
            obj([
                ("hints", hints.map(Value::from)),
                ("costPriority", cost),
                ("speedPriority", speed),
                ("intelligencePriority", intelligence),
            ])
        })
        .boxed()
}

fn create_message_params(rev: Rev) -> S<Value> {
    let message = (role(), sampling_content(rev))
        .prop_map(|(role, content)| json!({"role": role, "content": content}));
    (
        vec(message, 1..3),
        1u32..4096,
        opt_text(),
        option::weighted(
            0.3,
            select(vec!["none", "thisServer", "allServers"]).prop_map(s),
        ),
        option::of((0.0f64..2.0).prop_map(Value::from)),
        option::weighted(0.2, vec(word().prop_map(s), 0..2).prop_map(Value::from)),
        option::weighted(0.3, model_preferences()),
        option::weighted(0.1, Just(empty())),
        option::weighted(0.2, vec(tool(rev), 0..2).prop_map(Value::from)),
        option::weighted(
            0.2,
            select(vec!["auto", "none", "required"]).prop_map(|m| json!({ "mode": m })),
        ),
    )
        .prop_map(
            |(
                messages,
                max,
                system,
                context,
                temperature,
                stop,
                prefs,
                metadata,
                tools,
                choice,
            )| {
                obj([
                    ("messages", Some(Value::from(messages))),
                    ("maxTokens", Some(Value::from(max))),
                    ("systemPrompt", system),
                    ("includeContext", context),
                    ("temperature", temperature),
                    ("stopSequences", stop),
                    ("modelPreferences", prefs),
                    ("metadata", metadata),
                    ("tools", tools),
                    ("toolChoice", choice),
                ])
            },
        )
        .boxed()
}

/// One field of an elicitation form, consistent (bounds in order, defaults in the enum).
fn primitive_schema() -> S<Value> {
    let string = (
        opt_text(),
        option::of((0u32..5, 5u32..50)),
        option::weighted(0.3, select(vec!["email", "uri", "date", "date-time"])),
        option::weighted(0.3, word()),
    )
        .prop_map(|(title, bounds, format, default)| {
            // A default only without a format, and within the length bounds.
            let default = default.filter(|_| format.is_none()).map(|mut d| {
                if let Some((min, _)) = bounds {
                    while d.len() < min as usize {
                        d.push('x');
                    }
                }
                d
            });
            obj([
                ("type", Some(s("string"))),
                ("title", title),
                ("minLength", bounds.map(|b| Value::from(b.0))),
                ("maxLength", bounds.map(|b| Value::from(b.1))),
                ("format", format.map(s)),
                ("default", default.map(s)),
            ])
        });
    let number = (
        select(vec!["number", "integer"]),
        option::of((-100i64..0, 0i64..100)),
        option::weighted(0.3, any::<bool>()),
    )
        .prop_map(|(kind, bounds, with_default)| {
            obj([
                ("type", Some(s(kind))),
                ("minimum", bounds.map(|b| Value::from(b.0))),
                ("maximum", bounds.map(|b| Value::from(b.1))),
                (
                    "default",
                    with_default.filter(|d| *d).map(|_| Value::from(0)),
                ),
            ])
        });
    let boolean = option::of(any::<bool>()).prop_map(|default| {
        obj([
            ("type", Some(s("boolean"))),
            ("default", default.map(Value::from)),
        ])
    });
    let options = || vec(word(), 1..4);
    let untitled_single = (options(), any::<bool>()).prop_map(|(options, with_default)| {
        obj([
            ("type", Some(s("string"))),
            ("default", with_default.then(|| s(options[0].clone()))),
            ("enum", Some(Value::from(options))),
        ])
    });
    let titled_single = options().prop_map(|options| {
        let one_of: Vec<Value> = options
            .iter()
            .map(|o| json!({"const": o, "title": o.to_uppercase()}))
            .collect();
        json!({"type": "string", "oneOf": one_of})
    });
    let untitled_multi = (options(), any::<bool>()).prop_map(|(options, with_default)| {
        obj([
            ("type", Some(s("array"))),
            ("items", Some(json!({"type": "string", "enum": options}))),
            ("minItems", Some(Value::from(0))),
            ("maxItems", Some(Value::from(options.len()))),
            (
                "default",
                with_default.then(|| Value::from(vec![options[0].clone()])),
            ),
        ])
    });
    let titled_multi = options().prop_map(|options| {
        let any_of: Vec<Value> = options
            .iter()
            .map(|o| json!({"const": o, "title": o.to_uppercase()}))
            .collect();
        json!({"type": "array", "items": {"anyOf": any_of}})
    });
    let legacy = options().prop_map(|options| {
        let names: Vec<String> = options.iter().map(|o| o.to_uppercase()).collect();
        json!({"type": "string", "enum": options, "enumNames": names})
    });
    prop_oneof![
        3 => string,
        2 => number,
        1 => boolean,
        1 => untitled_single,
        1 => titled_single,
        1 => untitled_multi,
        1 => titled_multi,
        1 => legacy,
    ]
    .boxed()
}

fn elicit_params(rev: Rev) -> S<Value> {
    let form = (
        text(),
        any::<bool>(),
        btree_map(word(), primitive_schema(), 0..3),
    )
        .prop_flat_map(|(message, explicit_mode, properties)| {
            let names: Vec<String> = properties.keys().cloned().collect();
            (
                Just((message, explicit_mode, properties)),
                option::of(proptest::sample::subsequence(
                    names.clone(),
                    0..=names.len(),
                )),
            )
        })
        .prop_map(|((message, explicit_mode, properties), required)| {
            obj([
                ("mode", explicit_mode.then(|| s("form"))),
                ("message", Some(s(message))),
                (
                    "requestedSchema",
                    Some(obj([
                        ("type", Some(s("object"))),
                        (
                            "properties",
                            Some(Value::Object(properties.into_iter().collect())),
                        ),
                        ("required", required.map(Value::from)),
                    ])),
                ),
            ])
        });
    let url = (text(), uri(), "[a-f0-9]{8}").prop_map(move |(message, url, elicitation_id)| {
        obj([
            ("mode", Some(s("url"))),
            ("message", Some(s(message))),
            ("url", Some(s(url))),
            ("elicitationId", (!rev.modern()).then(|| s(elicitation_id))),
        ])
    });
    prop_oneof![3 => form, 1 => url].boxed()
}

fn elicit_result() -> S<Value> {
    let value = prop_oneof![
        word().prop_map(s),
        (-100i64..100).prop_map(Value::from),
        any::<bool>().prop_map(Value::from),
        vec(word().prop_map(s), 0..3).prop_map(Value::from),
    ];
    (
        select(vec!["accept", "decline", "cancel"]),
        option::of(btree_map(word(), value, 0..3)),
    )
        .prop_map(|(action, content)| {
            let content = content
                .filter(|_| action == "accept")
                .map(|c| Value::Object(c.into_iter().collect()));
            obj([("action", Some(s(action))), ("content", content)])
        })
        .boxed()
}

fn create_message_result(rev: Rev) -> S<Value> {
    (
        role(),
        sampling_content(rev),
        word(),
        option::of(select(vec![
            "endTurn",
            "stopSequence",
            "maxTokens",
            "toolUse",
        ])),
    )
        .prop_map(|(role, content, model, stop)| {
            obj([
                ("role", Some(role)),
                ("content", Some(content)),
                ("model", Some(s(model))),
                ("stopReason", stop.map(s)),
            ])
        })
        .boxed()
}

fn list_roots_result() -> S<Value> {
    vec(root(), 0..3)
        .prop_map(|roots| json!({ "roots": roots }))
        .boxed()
}

/// 2026 input requests (the `inputRequests` of an `InputRequiredResult`).
fn input_request() -> S<Value> {
    let rev = Rev::R2026;
    prop_oneof![
        create_message_params(rev)
            .prop_map(|p| json!({"method": "sampling/createMessage", "params": p})),
        elicit_params(rev).prop_map(|p| json!({"method": "elicitation/create", "params": p})),
        option::of(Just(empty()))
            .prop_map(|p| obj([("method", Some(s("roots/list"))), ("params", p)])),
    ]
    .boxed()
}

fn input_response() -> S<Value> {
    prop_oneof![
        create_message_result(Rev::R2026),
        list_roots_result(),
        elicit_result(),
    ]
    .boxed()
}

fn keyed<T: Strategy<Value = Value> + 'static>(values: T) -> S<Value> {
    btree_map("[a-z_]{1,10}", values, 1..3)
        .prop_map(|m| Value::Object(m.into_iter().collect()))
        .boxed()
}

fn input_required_result() -> S<Value> {
    (
        option::of(keyed(input_request())),
        option::of("[A-Za-z0-9]{4,12}"),
        any::<bool>(),
    )
        .prop_map(|(requests, state, prefer_requests)| {
            // At least one of the two.
            let (requests, state) = match (requests, state) {
                (None, None) if prefer_requests => (Some(json!({})), None),
                (None, None) => (None, Some("opaque".to_owned())),
                other => other,
            };
            obj([
                ("resultType", Some(s("input_required"))),
                ("inputRequests", requests),
                ("requestState", state.map(s)),
            ])
        })
        .boxed()
}

/// 2026 retry members of `tools/call`, `prompts/get`, `resources/read` params.
fn retry_members(rev: Rev) -> S<(Option<Value>, Option<Value>)> {
    if !rev.modern() {
        return Just((None, None)).boxed();
    }
    option::weighted(
        0.15,
        (
            option::of(keyed(input_response())),
            option::of("[A-Za-z0-9]{4,12}".prop_map(s)),
        ),
    )
    .prop_map(|retry| retry.unwrap_or((None, None)))
    .boxed()
}

// ---------------------------------------------------------------------------------------
// Requests.

fn paginated(rev: Rev) -> S<Value> {
    (
        request_meta(rev),
        option::of("[A-Za-z0-9=]{1,12}".prop_map(s)),
    )
        .prop_map(|(meta, cursor)| with_meta(meta, obj([("cursor", cursor)])))
        .boxed()
}

/// Params that 2025 may leave out when they would be empty.
fn maybe_absent(rev: Rev, params: Value) -> Option<Value> {
    if !rev.modern() && params.as_object().is_some_and(Map::is_empty) && params.is_object() {
        // Absent or `{}`: both are valid at 2025; decide by the params' own content.
        return None;
    }
    Some(params)
}

/// The params of each client-to-server request method of `rev`.
fn client_request_params(rev: Rev) -> Vec<(&'static str, S<Option<Value>>)> {
    let meta = move || request_meta(rev);
    let mut methods: Vec<(&'static str, S<Option<Value>>)> = Vec::new();
    let paginated_methods: &[&'static str] = if rev.modern() {
        &[
            "tools/list",
            "prompts/list",
            "resources/list",
            "resources/templates/list",
        ]
    } else {
        &[
            "tools/list",
            "prompts/list",
            "resources/list",
            "resources/templates/list",
            "tasks/list",
        ]
    };
    for method in paginated_methods {
        methods.push((
            method,
            (paginated(rev), any::<bool>())
                .prop_map(move |(p, keep)| if keep { Some(p) } else { maybe_absent(rev, p) })
                .boxed(),
        ));
    }
    methods.push((
        "tools/call",
        (
            meta(),
            tool_name(),
            option::of(any_object()),
            retry_members(rev),
        )
            .prop_map(|(meta, name, arguments, (responses, state))| {
                Some(with_meta(
                    meta,
                    obj([
                        ("name", Some(s(name))),
                        ("arguments", arguments),
                        ("inputResponses", responses),
                        ("requestState", state),
                    ]),
                ))
            })
            .boxed(),
    ));
    methods.push((
        "prompts/get",
        (meta(), word(), option::of(string_map()), retry_members(rev))
            .prop_map(|(meta, name, arguments, (responses, state))| {
                Some(with_meta(
                    meta,
                    obj([
                        ("name", Some(s(name))),
                        ("arguments", arguments),
                        ("inputResponses", responses),
                        ("requestState", state),
                    ]),
                ))
            })
            .boxed(),
    ));
    methods.push((
        "resources/read",
        (meta(), uri(), retry_members(rev))
            .prop_map(|(meta, uri, (responses, state))| {
                Some(with_meta(
                    meta,
                    obj([
                        ("uri", Some(s(uri))),
                        ("inputResponses", responses),
                        ("requestState", state),
                    ]),
                ))
            })
            .boxed(),
    ));
    let reference = prop_oneof![
        (word(), opt_text()).prop_map(|(name, title)| obj([
            ("type", Some(s("ref/prompt"))),
            ("name", Some(s(name))),
            ("title", title)
        ])),
        word().prop_map(|p| json!({"type": "ref/resource", "uri": format!("file:///{p}/{{x}}")})),
    ];
    methods.push((
        "completion/complete",
        (meta(), reference, word(), text(), option::of(string_map()))
            .prop_map(|(meta, reference, name, value, context)| {
                Some(with_meta(
                    meta,
                    obj([
                        ("ref", Some(reference)),
                        ("argument", Some(json!({"name": name, "value": value}))),
                        ("context", context.map(|c| json!({ "arguments": c }))),
                    ]),
                ))
            })
            .boxed(),
    ));
    if rev.modern() {
        methods.push((
            "server/discover",
            meta()
                .prop_map(|meta| Some(with_meta(meta, json!({}))))
                .boxed(),
        ));
        let filter = (
            option::of(any::<bool>()),
            option::of(any::<bool>()),
            option::of(any::<bool>()),
            option::of(vec(uri().prop_map(s), 0..3)),
        )
            .prop_map(|(tools, prompts, resources, subscriptions)| {
                obj([
                    ("toolsListChanged", tools.map(Value::from)),
                    ("promptsListChanged", prompts.map(Value::from)),
                    ("resourcesListChanged", resources.map(Value::from)),
                    ("resourceSubscriptions", subscriptions.map(Value::from)),
                ])
            });
        methods.push((
            "subscriptions/listen",
            (meta(), filter)
                .prop_map(|(meta, filter)| {
                    Some(with_meta(meta, json!({ "notifications": filter })))
                })
                .boxed(),
        ));
    } else {
        methods.push((
            "initialize",
            (
                meta(),
                select(vec!["2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"]),
                client_capabilities(rev),
                implementation(),
            )
                .prop_map(|(meta, version, caps, info)| {
                    Some(with_meta(
                        meta,
                        json!({"protocolVersion": version, "capabilities": caps, "clientInfo": info}),
                    ))
                })
                .boxed(),
        ));
        methods.push((
            "ping",
            meta()
                .prop_map(move |meta| maybe_absent(rev, with_meta(meta, json!({}))))
                .boxed(),
        ));
        methods.push((
            "logging/setLevel",
            (meta(), level())
                .prop_map(|(meta, level)| Some(with_meta(meta, json!({ "level": level }))))
                .boxed(),
        ));
        for method in ["resources/subscribe", "resources/unsubscribe"] {
            methods.push((
                method,
                (meta(), uri())
                    .prop_map(|(meta, uri)| Some(with_meta(meta, json!({ "uri": uri }))))
                    .boxed(),
            ));
        }
        for method in ["tasks/get", "tasks/result", "tasks/cancel"] {
            methods.push((
                method,
                "[a-f0-9]{8}"
                    .prop_map(|t| Some(json!({ "taskId": t })))
                    .boxed(),
            ));
        }
    }
    methods
}

/// The params of each 2025 server-to-client request method.
fn server_request_params() -> Vec<(&'static str, S<Option<Value>>)> {
    let rev = Rev::R2025;
    let meta = move || request_meta(rev);
    vec![
        (
            "ping",
            meta()
                .prop_map(move |meta| maybe_absent(rev, with_meta(meta, json!({}))))
                .boxed(),
        ),
        (
            "sampling/createMessage",
            (meta(), create_message_params(rev))
                .prop_map(|(meta, p)| Some(with_meta(meta, p)))
                .boxed(),
        ),
        (
            "roots/list",
            meta()
                .prop_map(move |meta| maybe_absent(rev, with_meta(meta, json!({}))))
                .boxed(),
        ),
        (
            "elicitation/create",
            (meta(), elicit_params(rev))
                .prop_map(|(meta, p)| Some(with_meta(meta, p)))
                .boxed(),
        ),
        (
            "tasks/get",
            "[a-f0-9]{8}"
                .prop_map(|t| Some(json!({ "taskId": t })))
                .boxed(),
        ),
        (
            "tasks/list",
            paginated(rev)
                .prop_map(move |p| maybe_absent(rev, p))
                .boxed(),
        ),
    ]
}

fn requests(dir: Dir, methods: Vec<(&'static str, S<Option<Value>>)>) -> S<Msg> {
    let arms: Vec<S<Msg>> = methods
        .into_iter()
        .map(|(method, params)| {
            (id(), params)
                .prop_map(move |(id, params)| Msg {
                    label: format!("request {method}"),
                    dir,
                    answering: None,
                    json: request(id, method, params),
                })
                .boxed()
        })
        .collect();
    proptest::strategy::Union::new(arms).boxed()
}

// ---------------------------------------------------------------------------------------
// Notifications.

fn notification_meta(rev: Rev) -> S<Option<Value>> {
    if rev.modern() {
        option::weighted(
            0.2,
            id().prop_map(|sub| json!({ "io.modelcontextprotocol/subscriptionId": sub })),
        )
        .boxed()
    } else {
        option::weighted(0.1, Just(empty())).boxed()
    }
}

fn notification_params(rev: Rev, dir: Dir) -> Vec<(&'static str, S<Option<Value>>)> {
    let meta = move || notification_meta(rev);
    let mut out: Vec<(&'static str, S<Option<Value>>)> = Vec::new();
    out.push((
        "notifications/cancelled",
        (meta(), id(), opt_text(), any::<bool>())
            .prop_map(move |(meta, id, reason, with_id)| {
                let id = (with_id || rev.modern()).then_some(id);
                Some(with_meta(
                    meta,
                    obj([("requestId", id), ("reason", reason)]),
                ))
            })
            .boxed(),
    ));
    let list_changed = move || {
        meta()
            .prop_map(|meta| meta.map(|m| json!({ "_meta": m })))
            .boxed()
    };
    let progress = (
        meta(),
        id(),
        prop_oneof![
            (0u32..100).prop_map(Value::from),
            (0.0f64..100.0).prop_map(Value::from)
        ],
        option::of((100u32..200).prop_map(Value::from)),
        opt_text(),
    )
        .prop_map(|(meta, token, progress, total, message)| {
            Some(with_meta(
                meta,
                obj([
                    ("progressToken", Some(token)),
                    ("progress", Some(progress)),
                    ("total", total),
                    ("message", message),
                ]),
            ))
        })
        .boxed();
    let task_status = (meta(), task())
        .prop_map(|(meta, task)| Some(with_meta(meta, task)))
        .boxed();
    match (rev, dir) {
        (Rev::R2025, Dir::C2S) => {
            out.push(("notifications/progress", progress));
            out.push(("notifications/initialized", list_changed()));
            out.push(("notifications/roots/list_changed", list_changed()));
            out.push(("notifications/tasks/status", task_status));
        }
        (_, Dir::S2C) => {
            out.push(("notifications/progress", progress));
            out.push((
                "notifications/message",
                (meta(), level(), any_json(), option::of(word()))
                    .prop_map(|(meta, level, data, logger)| {
                        Some(with_meta(
                            meta,
                            obj([
                                ("level", Some(level)),
                                ("data", Some(data)),
                                ("logger", logger.map(s)),
                            ]),
                        ))
                    })
                    .boxed(),
            ));
            out.push((
                "notifications/resources/updated",
                (meta(), uri())
                    .prop_map(|(meta, uri)| Some(with_meta(meta, json!({ "uri": uri }))))
                    .boxed(),
            ));
            out.push(("notifications/resources/list_changed", list_changed()));
            out.push(("notifications/tools/list_changed", list_changed()));
            out.push(("notifications/prompts/list_changed", list_changed()));
            if rev.modern() {
                out.push((
                    "notifications/subscriptions/acknowledged",
                    (
                        meta(),
                        option::of(any::<bool>()),
                        option::of(vec(uri().prop_map(s), 0..2)),
                    )
                        .prop_map(|(meta, tools, subscriptions)| {
                            Some(with_meta(
                                meta,
                                json!({"notifications": obj([
                                    ("toolsListChanged", tools.map(Value::from)),
                                    ("resourceSubscriptions", subscriptions.map(Value::from)),
                                ])}),
                            ))
                        })
                        .boxed(),
                ));
            } else {
                out.push((
                    "notifications/elicitation/complete",
                    "[a-f0-9]{8}"
                        .prop_map(|e| Some(json!({ "elicitationId": e })))
                        .boxed(),
                ));
                out.push(("notifications/tasks/status", task_status));
            }
        }
        (Rev::R2026, Dir::C2S) => {}
    }
    out
}

fn notifications(rev: Rev, dir: Dir) -> S<Msg> {
    let arms: Vec<S<Msg>> = notification_params(rev, dir)
        .into_iter()
        .map(|(method, params)| {
            params
                .prop_map(move |params| Msg {
                    label: format!("notification {method}"),
                    dir,
                    answering: None,
                    json: notification(method, params),
                })
                .boxed()
        })
        .collect();
    proptest::strategy::Union::new(arms).boxed()
}

// ---------------------------------------------------------------------------------------
// Results.

/// The `_meta` of a result.
fn result_meta(rev: Rev) -> S<Option<Value>> {
    if rev.modern() {
        option::weighted(
            0.2,
            implementation().prop_map(|info| json!({ "io.modelcontextprotocol/serverInfo": info })),
        )
        .boxed()
    } else {
        option::weighted(0.1, Just(json!({"example.com/trace": "abc"}))).boxed()
    }
}

fn cache_hints() -> S<(Value, Value)> {
    (
        prop_oneof![Just(0u64), 0u64..86_400_000].prop_map(Value::from),
        select(vec!["private", "public"]).prop_map(s),
    )
        .boxed()
}

/// Adds the revision's common result members to `body`: `resultType` (2026), cache hints
/// (2026, cacheable methods) and `_meta`.
fn finish_result(rev: Rev, cacheable: bool, body: S<Value>) -> S<Value> {
    (body, result_meta(rev), cache_hints())
        .prop_map(move |(mut body, meta, (ttl, scope))| {
            if rev.modern() {
                if body.get("resultType").is_none() {
                    body["resultType"] = s("complete");
                }
                if cacheable {
                    body["ttlMs"] = ttl;
                    body["cacheScope"] = scope;
                }
            }
            if let Some(meta) = meta {
                if body.get("_meta").is_none() {
                    body["_meta"] = meta;
                }
            }
            body
        })
        .boxed()
}

fn next_cursor() -> S<Option<Value>> {
    option::of("[A-Za-z0-9]{1,8}".prop_map(s)).boxed()
}

fn list_result(key: &'static str, item: S<Value>) -> S<Value> {
    (vec(item, 0..3), next_cursor())
        .prop_map(move |(items, cursor)| {
            let mut body = obj([("nextCursor", cursor)]);
            body[key] = Value::from(items);
            body
        })
        .boxed()
}

/// The result of each method `rev`'s server answers, as `(method, cacheable, body)`.
fn server_results(rev: Rev) -> Vec<(&'static str, S<Value>)> {
    let mut out: Vec<(&'static str, S<Value>)> = Vec::new();
    let modern = rev.modern();
    let call_tool = (
        content_list(),
        option::weighted(0.3, any_object()),
        option::of(any::<bool>()),
    )
        .prop_map(|(content, structured, is_error)| {
            obj([
                ("content", Some(content)),
                ("structuredContent", structured),
                ("isError", is_error.map(Value::from)),
            ])
        })
        .boxed();
    let get_prompt = (opt_text(), vec(prompt_message(), 0..3))
        .prop_map(|(description, messages)| {
            obj([
                ("description", description),
                ("messages", Some(Value::from(messages))),
            ])
        })
        .boxed();
    let read = vec(resource_contents(), 0..3)
        .prop_map(|contents| json!({ "contents": contents }))
        .boxed();
    let mrtr = |body: S<Value>, cacheable: bool| -> S<Value> {
        if modern {
            prop_oneof![
                3 => finish_result(rev, cacheable, body),
                1 => finish_result(rev, false, input_required_result()),
            ]
            .boxed()
        } else {
            finish_result(rev, cacheable, body)
        }
    };
    out.push(("tools/call", mrtr(call_tool, false)));
    out.push(("prompts/get", mrtr(get_prompt, false)));
    out.push(("resources/read", mrtr(read, true)));
    out.push((
        "tools/list",
        finish_result(rev, true, list_result("tools", tool(rev))),
    ));
    out.push((
        "prompts/list",
        finish_result(rev, true, list_result("prompts", prompt())),
    ));
    out.push((
        "resources/list",
        finish_result(rev, true, list_result("resources", resource())),
    ));
    out.push((
        "resources/templates/list",
        finish_result(
            rev,
            true,
            list_result("resourceTemplates", resource_template()),
        ),
    ));
    out.push((
        "completion/complete",
        finish_result(
            rev,
            false,
            (
                vec(word().prop_map(s), 0..5),
                option::of(0u32..1000),
                option::of(any::<bool>()),
            )
                .prop_map(|(values, total, more)| {
                    json!({"completion": obj([
                        ("values", Some(Value::from(values))),
                        ("total", total.map(Value::from)),
                        ("hasMore", more.map(Value::from)),
                    ])})
                })
                .boxed(),
        ),
    ));
    if modern {
        out.push((
            "server/discover",
            finish_result(
                rev,
                true,
                (server_capabilities(rev), opt_text())
                    .prop_map(|(caps, instructions)| {
                        obj([
                            ("supportedVersions", Some(json!(["2026-07-28"]))),
                            ("capabilities", Some(caps)),
                            ("instructions", instructions),
                        ])
                    })
                    .boxed(),
            ),
        ));
        out.push((
            "subscriptions/listen",
            finish_result(
                rev,
                false,
                (id(), option::weighted(0.3, implementation()))
                    .prop_map(|(sub, info)| {
                        json!({"_meta": obj([
                            ("io.modelcontextprotocol/subscriptionId", Some(sub)),
                            ("io.modelcontextprotocol/serverInfo", info),
                        ])})
                    })
                    .boxed(),
            ),
        ));
    } else {
        out.push((
            "initialize",
            finish_result(
                rev,
                false,
                (server_capabilities(rev), implementation(), opt_text())
                    .prop_map(|(caps, info, instructions)| {
                        obj([
                            ("protocolVersion", Some(s("2025-11-25"))),
                            ("capabilities", Some(caps)),
                            ("serverInfo", Some(info)),
                            ("instructions", instructions),
                        ])
                    })
                    .boxed(),
            ),
        ));
        for method in [
            "ping",
            "logging/setLevel",
            "resources/subscribe",
            "resources/unsubscribe",
        ] {
            out.push((method, Just(json!({})).boxed()));
        }
        out.push(("tasks/get", finish_result(rev, false, task())));
        out.push(("tasks/cancel", finish_result(rev, false, task())));
        out.push((
            "tasks/list",
            finish_result(rev, false, list_result("tasks", task())),
        ));
        out.push(("tasks/result", finish_result(rev, false, any_object())));
    }
    out
}

/// 2025: what the client answers to the server's requests.
fn client_results() -> Vec<(&'static str, S<Value>)> {
    let rev = Rev::R2025;
    vec![
        ("ping", Just(json!({})).boxed()),
        (
            "sampling/createMessage",
            finish_result(rev, false, create_message_result(rev)),
        ),
        ("roots/list", finish_result(rev, false, list_roots_result())),
        (
            "elicitation/create",
            finish_result(rev, false, elicit_result()),
        ),
        ("tasks/get", finish_result(rev, false, task())),
        (
            "tasks/list",
            finish_result(rev, false, list_result("tasks", task())),
        ),
    ]
}

fn results(dir: Dir, methods: Vec<(&'static str, S<Value>)>) -> S<Msg> {
    let arms: Vec<S<Msg>> = methods
        .into_iter()
        .map(|(method, body)| {
            (id(), body)
                .prop_map(move |(id, body)| Msg {
                    label: format!("result of {method}"),
                    dir,
                    answering: Some(method),
                    json: result_response(id, body),
                })
                .boxed()
        })
        .collect();
    proptest::strategy::Union::new(arms).boxed()
}

// ---------------------------------------------------------------------------------------
// Errors.

fn errors(rev: Rev) -> S<Msg> {
    let mut codes: Vec<(i64, &'static str)> = vec![
        (-32700, "Parse error"),
        (-32600, "Invalid Request"),
        (-32601, "Method not found"),
        (-32602, "Invalid params"),
        (-32603, "Internal error"),
        (-32000, "Server error"),
    ];
    if !rev.modern() {
        codes.push((-32002, "Resource not found"));
    }
    let answering: Vec<&'static str> = if rev.modern() {
        vec![
            "tools/call",
            "tools/list",
            "resources/read",
            "server/discover",
        ]
    } else {
        vec!["tools/call", "initialize", "resources/read", "ping"]
    };
    let typed = if rev.modern() {
        prop_oneof![
            Just(
                json!({"code": -32022, "message": "Unsupported protocol version",
                "data": {"supported": ["2026-07-28"], "requested": "2099-01-01"}})
            ),
            Just(
                json!({"code": -32021, "message": "Missing required client capability",
                "data": {"requiredCapabilities": {"elicitation": {}}}})
            ),
            Just(json!({"code": -32020, "message": "Header mismatch"})),
        ]
        .boxed()
    } else {
        Just(
            json!({"code": -32042, "message": "URL elicitation required",
            "data": {"elicitations": [{"mode": "url", "message": "Sign in",
                "url": "https://example.com/login", "elicitationId": "e1"}]}}),
        )
        .boxed()
    };
    let plain =
        (select(codes), option::weighted(0.3, any_json())).prop_map(|((code, message), data)| {
            obj([
                ("code", Some(Value::from(code))),
                ("message", Some(s(message))),
                ("data", data),
            ])
        });
    let dirs = if rev.modern() {
        vec![Dir::S2C]
    } else {
        vec![Dir::S2C, Dir::C2S]
    };
    (
        id(),
        prop_oneof![4 => plain, 1 => typed],
        select(answering),
        select(dirs),
    )
        .prop_map(|(id, error, answering, dir)| Msg {
            label: "error response".to_owned(),
            dir,
            answering: Some(answering),
            json: json!({"jsonrpc": "2.0", "id": id, "error": error}),
        })
        .boxed()
}

// ---------------------------------------------------------------------------------------
// Everything of one revision.

/// A valid message of `rev`.
pub(crate) fn message(rev: Rev) -> S<Msg> {
    match rev {
        Rev::R2025 => prop_oneof![
            6 => requests(Dir::C2S, client_request_params(rev)),
            2 => requests(Dir::S2C, server_request_params()),
            2 => notifications(rev, Dir::C2S),
            3 => notifications(rev, Dir::S2C),
            6 => results(Dir::S2C, server_results(rev)),
            2 => results(Dir::C2S, client_results()),
            1 => errors(rev),
        ]
        .boxed(),
        Rev::R2026 => prop_oneof![
            8 => requests(Dir::C2S, client_request_params(rev)),
            1 => notifications(rev, Dir::C2S),
            3 => notifications(rev, Dir::S2C),
            8 => results(Dir::S2C, server_results(rev)),
            1 => errors(rev),
        ]
        .boxed(),
    }
}

/// 2026 has no server-to-client requests at all: the 2025 ones, sent under 2026, each
/// with a 2026 `_meta` envelope. Every one of them must be rejected.
pub(crate) fn modern_server_request() -> S<Msg> {
    let rev = Rev::R2026;
    (
        id(),
        request_meta(rev),
        prop_oneof![
            create_message_params(rev).prop_map(|p| ("sampling/createMessage", p)),
            elicit_params(rev).prop_map(|p| ("elicitation/create", p)),
            Just(("roots/list", json!({}))),
            Just(("ping", json!({}))),
        ],
    )
        .prop_map(|(id, meta, (method, params))| Msg {
            label: format!("2026 server request {method}"),
            dir: Dir::S2C,
            answering: None,
            json: request(id, method, Some(with_meta(meta, params))),
        })
        .boxed()
}
