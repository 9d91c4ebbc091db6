//! The reference side of the differential test: the official `schema.json` of each
//! revision, compiled with the `jsonschema` crate.
//!
//! One validator is compiled per definition the test needs, by embedding the whole `$defs`
//! of the revision in a small root schema that points at the definition:
//! `{"$schema": <2020-12>, "$defs": <all defs>, "$ref": "#/$defs/<Def>"}`. Results are
//! checked through a wrapper that narrows `JSONRPCResultResponse.result` to the result type
//! of the answered method, or through the revision's own `<X>ResultResponse` definition
//! where one exists (2026).
//!
//! Formats: JSON Schema 2020-12 makes `format` an annotation (the format-annotation
//! vocabulary), and jsonschema 0.61 follows that: `validates_formats_by_default` is false
//! for Draft 2020-12 unless the meta-schema declares the format-assertion vocabulary,
//! which `https://json-schema.org/draft/2020-12/schema` does not. The validators below also
//! say so explicitly with `should_validate_formats(false)`, and the test
//! `formats_are_annotations` checks the default behaviour on the real schema (a `Root`
//! whose `uri` is not a URI is valid).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use jsonschema::{Draft, Validator};
use serde_json::{Value, json};

use crate::generate::Rev;

/// Where the schema of `rev` lives, next to this repository.
pub(crate) fn schema_path(rev: Rev) -> String {
    format!(
        "{}/../../shared/spec/{}/schema.json",
        env!("CARGO_MANIFEST_DIR"),
        rev.as_str()
    )
}

/// One revision's schema document and the validators compiled from it so far.
pub(crate) struct Schema {
    defs: Value,
    compiled: Mutex<HashMap<String, Arc<Validator>>>,
}

/// The schema of `rev`, read once. A missing or unreadable schema fails the test (the
/// differential test is never skipped).
pub(crate) fn schema(rev: Rev) -> &'static Schema {
    static LEGACY: OnceLock<Schema> = OnceLock::new();
    static MODERN: OnceLock<Schema> = OnceLock::new();
    let cell = match rev {
        Rev::R2025 => &LEGACY,
        Rev::R2026 => &MODERN,
    };
    cell.get_or_init(|| {
        let path = schema_path(rev);
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!(
                "the official {} schema must exist at {path} for the differential test: {e}",
                rev.as_str()
            )
        });
        let document: Value =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path} is not JSON: {e}"));
        let defs = document
            .get("$defs")
            .cloned()
            .unwrap_or_else(|| panic!("{path} has no $defs"));
        Schema {
            defs,
            compiled: Mutex::new(HashMap::new()),
        }
    })
}

/// What a message is checked against.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Target {
    /// A definition of `$defs`, as is.
    Def(String),
    /// `JSONRPCResultResponse` whose `result` is the definition named.
    ResultOf(String),
}

impl Target {
    pub(crate) fn def(name: &str) -> Target {
        Target::Def(name.to_owned())
    }

    fn key(&self) -> String {
        match self {
            Target::Def(name) => name.clone(),
            Target::ResultOf(name) => format!("JSONRPCResultResponse.result={name}"),
        }
    }
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.key())
    }
}

impl Schema {
    /// True when `$defs` has `name`.
    pub(crate) fn has(&self, name: &str) -> bool {
        self.defs.get(name).is_some()
    }

    fn root(&self, target: &Target) -> Value {
        let mut root = json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$defs": self.defs.clone(),
        });
        match target {
            Target::Def(name) => {
                assert!(self.has(name), "no $defs/{name} in the schema");
                root["$ref"] = json!(format!("#/$defs/{name}"));
            }
            Target::ResultOf(name) => {
                assert!(self.has(name), "no $defs/{name} in the schema");
                root["$ref"] = json!("#/$defs/JSONRPCResultResponse");
                root["properties"] = json!({"result": {"$ref": format!("#/$defs/{name}")}});
            }
        }
        root
    }

    /// The compiled validator for `target` (compiled on first use, then shared).
    pub(crate) fn validator(&self, target: &Target) -> Arc<Validator> {
        let key = target.key();
        if let Some(found) = self.compiled.lock().unwrap().get(&key) {
            return found.clone();
        }
        let validator = jsonschema::options()
            .with_draft(Draft::Draft202012)
            .should_validate_formats(false)
            .build(&self.root(target))
            .unwrap_or_else(|e| panic!("cannot compile {key}: {e}"));
        let validator = Arc::new(validator);
        self.compiled
            .lock()
            .unwrap()
            .entry(key)
            .or_insert(validator)
            .clone()
    }

    /// The verdict of the schema: `Ok` or the first error, with where it is.
    pub(crate) fn check(&self, target: &Target, instance: &Value) -> Result<(), String> {
        let validator = self.validator(target);
        if validator.is_valid(instance) {
            return Ok(());
        }
        match validator.validate(instance) {
            Ok(()) => Err("is_valid and validate disagree".into()),
            Err(error) => {
                let mut text = error.to_string();
                if text.chars().count() > 240 {
                    text = text.chars().take(240).collect::<String>() + "…";
                }
                Err(format!("at {:?}: {text}", error.instance_path().as_str()))
            }
        }
    }

    /// The schema's verdict with a more precise reason for a rejection by a union: the
    /// error of the union member the message meant to be (by `method`, or by `resultType`
    /// for the 2026 `<X>ResultResponse` unions), since jsonschema only says that no member
    /// of an `anyOf` matched.
    pub(crate) fn check_detailed(&self, target: &Target, instance: &Value) -> Result<(), String> {
        let error = match self.check(target, instance) {
            Ok(()) => return Ok(()),
            Err(error) => error,
        };
        let Target::Def(name) = target else {
            return Err(error);
        };
        if let Some(method) = instance.get("method").and_then(Value::as_str) {
            let members = self.defs[name.as_str()]["anyOf"].as_array().cloned();
            let Some(members) = members else {
                return Err(error);
            };
            let branch = members.iter().find_map(|member| {
                let def = member["$ref"].as_str()?.strip_prefix("#/$defs/")?;
                (self.defs[def]["properties"]["method"]["const"] == method).then_some(def)
            });
            return Err(match branch {
                Some(def) => match self.check(&Target::def(def), instance) {
                    Err(detail) => format!("{error}; as {def}: {detail}"),
                    Ok(()) => error,
                },
                None => format!("no member of {name} has the method {method:?}"),
            });
        }
        if let Some(result) = name.strip_suffix("Response") {
            if self.defs[name.as_str()]["properties"]["result"]["anyOf"].is_array() {
                let input_required =
                    instance.pointer("/result/resultType") == Some(&json!("input_required"));
                let def = if input_required {
                    "InputRequiredResult"
                } else {
                    result
                };
                if let Err(detail) = self.check(&Target::ResultOf(def.to_owned()), instance) {
                    return Err(format!("{error}; as {def}: {detail}"));
                }
            }
        }
        Err(error)
    }

    /// Compiles `target` with jsonschema's default options for the document's dialect
    /// (no explicit format setting), for the check that formats are annotations.
    pub(crate) fn default_options_validator(&self, target: &Target) -> Validator {
        jsonschema::validator_for(&self.root(target))
            .unwrap_or_else(|e| panic!("cannot compile {target}: {e}"))
    }
}
