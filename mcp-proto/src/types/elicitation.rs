//! Elicitation (`elicitation/create`): asking the user for input through a form or by
//! sending them to a URL, and the restricted JSON Schema subset forms are described with.
//!
//! Carried as a server request in 2025-11-25 and as an `inputRequests` entry in 2026-07-28.

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;
use serde::de::{self, IgnoredAny, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};

use crate::types::meta::Meta;
use crate::types::result::ResultType;
use crate::types::tags::{ArrayType, BooleanType, FormMode, ObjectType, StringType, UrlMode};
use crate::types::tasks::TaskMetadata;
use crate::types::wire;

/// `params` of a form-mode elicitation (`mode` absent or `"form"`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ElicitRequestFormParams {
    /// `"form"`, or absent (which also means form mode).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub mode: Option<FormMode>,
    /// What is being asked and why.
    pub message: String,
    /// The form: a flat object schema with primitive properties.
    pub requested_schema: ElicitationSchema,
    /// 2025-11-25 experimental: run the elicitation as a task.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub task: Option<TaskMetadata>,
    /// Request metadata (2025-11-25).
    #[serde(
        rename = "_meta",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub meta: Option<Meta>,
}

/// `params` of a URL-mode elicitation (`mode: "url"`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ElicitRequestURLParams {
    /// Always `"url"`.
    pub mode: UrlMode,
    /// Why the user should open the URL.
    pub message: String,
    /// The URL to open.
    pub url: String,
    /// 2025-11-25 only (required there): identifies the elicitation for
    /// `notifications/elicitation/complete`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub elicitation_id: Option<String>,
    /// 2025-11-25 experimental: run the elicitation as a task.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub task: Option<TaskMetadata>,
    /// Request metadata (2025-11-25).
    #[serde(
        rename = "_meta",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub meta: Option<Meta>,
}

/// `params` of `elicitation/create`: a form or a URL. Decoded by `mode`: `"url"` is URL
/// mode, `"form"` or no `mode` is form mode, anything else is an error.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
#[non_exhaustive]
pub enum ElicitRequestParams {
    /// Form mode.
    Form(ElicitRequestFormParams),
    /// URL mode.
    Url(ElicitRequestURLParams),
}

impl ElicitRequestParams {
    /// A form-mode request (with `mode` left out).
    pub fn form(message: impl Into<String>, requested_schema: ElicitationSchema) -> Self {
        ElicitRequestParams::Form(ElicitRequestFormParams {
            mode: None,
            message: message.into(),
            requested_schema,
            task: None,
            meta: None,
        })
    }

    /// A URL-mode request.
    pub fn url(message: impl Into<String>, url: impl Into<String>) -> Self {
        ElicitRequestParams::Url(ElicitRequestURLParams {
            mode: UrlMode,
            message: message.into(),
            url: url.into(),
            elicitation_id: None,
            task: None,
            meta: None,
        })
    }

    /// The message shown to the user.
    pub fn message(&self) -> &str {
        match self {
            ElicitRequestParams::Form(form) => &form.message,
            ElicitRequestParams::Url(url) => &url.message,
        }
    }

    /// True for URL mode.
    pub fn is_url(&self) -> bool {
        matches!(self, ElicitRequestParams::Url(_))
    }
}

#[derive(Deserialize)]
enum ModeKind {
    #[serde(rename = "form")]
    Form,
    #[serde(rename = "url")]
    Url,
    #[serde(other)]
    Other,
}

#[derive(Deserialize)]
struct ModeProbe {
    #[serde(default)]
    mode: Option<ModeKind>,
}

impl<'de> Deserialize<'de> for ElicitRequestParams {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = wire::capture(deserializer)?;
        let probe: ModeProbe = wire::decode_as(&raw)?;
        match probe.mode {
            None | Some(ModeKind::Form) => wire::decode_as(&raw).map(ElicitRequestParams::Form),
            Some(ModeKind::Url) => wire::decode_as(&raw).map(ElicitRequestParams::Url),
            Some(ModeKind::Other) => Err(de::Error::custom(
                "elicitation \"mode\" must be \"form\" or \"url\"",
            )),
        }
    }
}

/// The `requestedSchema` of a form: a flat object whose properties are primitive fields.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ElicitationSchema {
    /// The JSON Schema dialect (`$schema`).
    #[serde(
        rename = "$schema",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub schema: Option<String>,
    /// Always `"object"`.
    #[serde(rename = "type")]
    pub kind: ObjectType,
    /// The fields, by name (kept in name order; JSON objects carry no order).
    pub properties: BTreeMap<String, PrimitiveSchemaDefinition>,
    /// Names of the fields that must be filled.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub required: Option<Vec<String>>,
}

impl ElicitationSchema {
    /// An empty form.
    pub fn new() -> Self {
        ElicitationSchema {
            schema: None,
            kind: ObjectType,
            properties: BTreeMap::new(),
            required: None,
        }
    }
}

impl Default for ElicitationSchema {
    fn default() -> Self {
        ElicitationSchema::new()
    }
}

/// Formats a string field may require.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum StringFormat {
    /// `"email"`.
    Email,
    /// `"uri"`.
    Uri,
    /// `"date"`.
    Date,
    /// `"date-time"`.
    DateTime,
}

/// A free text field (`"type": "string"` with no `enum` or `oneOf`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct StringSchema {
    /// Always `"string"`.
    #[serde(rename = "type")]
    pub kind: StringType,
    /// Field label.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub title: Option<String>,
    /// Field help text.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub description: Option<String>,
    /// Minimum length in characters.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub min_length: Option<i64>,
    /// Maximum length in characters.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub max_length: Option<i64>,
    /// Required format.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub format: Option<StringFormat>,
    /// Pre-filled value.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub default: Option<String>,
}

/// Whether a numeric field takes any number or only integers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum NumberKind {
    /// `"number"`.
    #[default]
    Number,
    /// `"integer"`.
    Integer,
}

/// A numeric field (`"type": "number"` or `"integer"`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct NumberSchema {
    /// `"number"` or `"integer"`.
    #[serde(rename = "type")]
    pub kind: NumberKind,
    /// Field label.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub title: Option<String>,
    /// Field help text.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub description: Option<String>,
    /// Smallest allowed value.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "wire::compact_opt_f64",
        deserialize_with = "crate::types::wire::present"
    )]
    pub minimum: Option<f64>,
    /// Largest allowed value.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "wire::compact_opt_f64",
        deserialize_with = "crate::types::wire::present"
    )]
    pub maximum: Option<f64>,
    /// Pre-filled value.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "wire::compact_opt_f64",
        deserialize_with = "crate::types::wire::present"
    )]
    pub default: Option<f64>,
}

/// A yes/no field (`"type": "boolean"`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct BooleanSchema {
    /// Always `"boolean"`.
    #[serde(rename = "type")]
    pub kind: BooleanType,
    /// Field label.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub title: Option<String>,
    /// Field help text.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub description: Option<String>,
    /// Pre-filled value.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub default: Option<bool>,
}

/// One choice of a titled enum: a value and its label.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct TitledEnumOption {
    /// The value (wire `const`).
    #[serde(rename = "const")]
    pub value: String,
    /// The label shown for it.
    pub title: String,
}

/// Single choice among plain strings (`"type": "string"` with `enum`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct UntitledSingleSelectEnumSchema {
    /// Always `"string"`.
    #[serde(rename = "type")]
    pub kind: StringType,
    /// Field label.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub title: Option<String>,
    /// Field help text.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub description: Option<String>,
    /// The choices (wire `enum`).
    #[serde(rename = "enum")]
    pub values: Vec<String>,
    /// Pre-selected value.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub default: Option<String>,
}

/// Single choice among labelled values (`"type": "string"` with `oneOf`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct TitledSingleSelectEnumSchema {
    /// Always `"string"`.
    #[serde(rename = "type")]
    pub kind: StringType,
    /// Field label.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub title: Option<String>,
    /// Field help text.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub description: Option<String>,
    /// The choices with their labels.
    pub one_of: Vec<TitledEnumOption>,
    /// Pre-selected value.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub default: Option<String>,
}

/// The `items` of an untitled multi-select: plain string choices.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct UntitledEnumItems {
    /// Always `"string"`.
    #[serde(rename = "type")]
    pub kind: StringType,
    /// The choices (wire `enum`).
    #[serde(rename = "enum")]
    pub values: Vec<String>,
}

/// The `items` of a titled multi-select: labelled choices.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct TitledEnumItems {
    /// The choices with their labels.
    pub any_of: Vec<TitledEnumOption>,
}

/// Several choices among plain strings (`"type": "array"`, `items.enum`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct UntitledMultiSelectEnumSchema {
    /// Always `"array"`.
    #[serde(rename = "type")]
    pub kind: ArrayType,
    /// Field label.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub title: Option<String>,
    /// Field help text.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub description: Option<String>,
    /// Fewest choices allowed.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub min_items: Option<i64>,
    /// Most choices allowed.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub max_items: Option<i64>,
    /// The choices.
    pub items: UntitledEnumItems,
    /// Pre-selected values.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub default: Option<Vec<String>>,
}

/// Several choices among labelled values (`"type": "array"`, `items.anyOf`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct TitledMultiSelectEnumSchema {
    /// Always `"array"`.
    #[serde(rename = "type")]
    pub kind: ArrayType,
    /// Field label.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub title: Option<String>,
    /// Field help text.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub description: Option<String>,
    /// Fewest choices allowed.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub min_items: Option<i64>,
    /// Most choices allowed.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub max_items: Option<i64>,
    /// The choices.
    pub items: TitledEnumItems,
    /// Pre-selected values.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub default: Option<Vec<String>>,
}

/// Deprecated single choice with labels in a parallel `enumNames` array.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct LegacyTitledEnumSchema {
    /// Always `"string"`.
    #[serde(rename = "type")]
    pub kind: StringType,
    /// Field label.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub title: Option<String>,
    /// Field help text.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub description: Option<String>,
    /// The choices (wire `enum`).
    #[serde(rename = "enum")]
    pub values: Vec<String>,
    /// Labels, one per choice.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub enum_names: Option<Vec<String>>,
    /// Pre-selected value.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub default: Option<String>,
}

/// One field of a form.
///
/// Decoded by shape: `type` `"boolean"`, `"number"`/`"integer"` and `"array"` (with
/// `items.anyOf` titled, otherwise untitled) are unambiguous; a `"string"` is a titled
/// single select with `oneOf`, a legacy titled enum with `enum` and `enumNames`, an
/// untitled single select with `enum` alone, and a free text field otherwise.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
#[non_exhaustive]
pub enum PrimitiveSchemaDefinition {
    /// Free text.
    String(StringSchema),
    /// A number or integer.
    Number(NumberSchema),
    /// A boolean.
    Boolean(BooleanSchema),
    /// Single choice among plain strings.
    UntitledSingleSelectEnum(UntitledSingleSelectEnumSchema),
    /// Single choice among labelled values.
    TitledSingleSelectEnum(TitledSingleSelectEnumSchema),
    /// Several choices among plain strings.
    UntitledMultiSelectEnum(UntitledMultiSelectEnumSchema),
    /// Several choices among labelled values.
    TitledMultiSelectEnum(TitledMultiSelectEnumSchema),
    /// Deprecated labelled enum (`enumNames`).
    LegacyTitledEnum(LegacyTitledEnumSchema),
}

#[derive(Deserialize)]
enum SchemaKind {
    #[serde(rename = "string")]
    String,
    #[serde(rename = "number", alias = "integer")]
    Number,
    #[serde(rename = "boolean")]
    Boolean,
    #[serde(rename = "array")]
    Array,
    #[serde(other)]
    Other,
}

#[derive(Deserialize)]
struct ItemsProbe {
    #[serde(rename = "anyOf", default)]
    any_of: Option<IgnoredAny>,
}

#[derive(Deserialize)]
struct SchemaProbe {
    #[serde(rename = "type", default)]
    kind: Option<SchemaKind>,
    #[serde(rename = "enum", default)]
    values: Option<IgnoredAny>,
    #[serde(rename = "oneOf", default)]
    one_of: Option<IgnoredAny>,
    #[serde(rename = "enumNames", default)]
    enum_names: Option<IgnoredAny>,
    #[serde(default)]
    items: Option<ItemsProbe>,
}

impl<'de> Deserialize<'de> for PrimitiveSchemaDefinition {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use PrimitiveSchemaDefinition as P;
        let raw = wire::capture(deserializer)?;
        let probe: SchemaProbe = wire::decode_as(&raw)?;
        match probe.kind {
            Some(SchemaKind::Boolean) => wire::decode_as(&raw).map(P::Boolean),
            Some(SchemaKind::Number) => wire::decode_as(&raw).map(P::Number),
            Some(SchemaKind::Array) => {
                if probe.items.is_some_and(|items| items.any_of.is_some()) {
                    wire::decode_as(&raw).map(P::TitledMultiSelectEnum)
                } else {
                    wire::decode_as(&raw).map(P::UntitledMultiSelectEnum)
                }
            }
            Some(SchemaKind::String) => {
                let as_enum = if probe.one_of.is_some() {
                    Some(wire::decode_as(&raw).map(P::TitledSingleSelectEnum))
                } else if probe.values.is_some() && probe.enum_names.is_some() {
                    Some(wire::decode_as(&raw).map(P::LegacyTitledEnum))
                } else if probe.values.is_some() {
                    Some(wire::decode_as(&raw).map(P::UntitledSingleSelectEnum))
                } else {
                    None
                };
                match as_enum {
                    Some(Ok(schema)) => Ok(schema),
                    // The schemas' union is an open `anyOf`: a string field whose enum
                    // members are malformed is still a valid plain string field.
                    Some(Err(error)) => wire::decode_as(&raw)
                        .map(P::String)
                        .map_err(|_: D::Error| error),
                    None => wire::decode_as(&raw).map(P::String),
                }
            }
            Some(SchemaKind::Other) | None => Err(de::Error::custom(
                "an elicitation field needs \"type\" string, number, integer, boolean or array",
            )),
        }
    }
}

/// What the user did with an elicitation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum ElicitAction {
    /// Submitted the form or agreed to open the URL.
    Accept,
    /// Explicitly said no.
    Decline,
    /// Dismissed without choosing.
    Cancel,
}

/// One submitted form value: a string, a number, a boolean or a list of strings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(untagged)]
#[non_exhaustive]
pub enum ElicitValue {
    /// A string (free text or single choice).
    String(String),
    /// A number, kept exactly as sent (integer or not).
    Number(serde_json::Number),
    /// A boolean.
    Boolean(bool),
    /// Several choices.
    StringArray(Vec<String>),
}

impl From<&str> for ElicitValue {
    fn from(value: &str) -> Self {
        ElicitValue::String(value.into())
    }
}

impl From<bool> for ElicitValue {
    fn from(value: bool) -> Self {
        ElicitValue::Boolean(value)
    }
}

impl From<i64> for ElicitValue {
    fn from(value: i64) -> Self {
        ElicitValue::Number(value.into())
    }
}

struct ElicitValueVisitor;

impl<'de> Visitor<'de> for ElicitValueVisitor {
    type Value = ElicitValue;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string, a number, a boolean or an array of strings")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<ElicitValue, E> {
        Ok(ElicitValue::String(v.into()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<ElicitValue, E> {
        Ok(ElicitValue::String(v))
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<ElicitValue, E> {
        Ok(ElicitValue::Boolean(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<ElicitValue, E> {
        Ok(ElicitValue::Number(v.into()))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<ElicitValue, E> {
        Ok(ElicitValue::Number(v.into()))
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<ElicitValue, E> {
        // Both schemas type submitted numbers as integers.
        Err(E::custom("a submitted number must be an integer"))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<ElicitValue, A::Error> {
        let mut values = Vec::new();
        while let Some(value) = seq.next_element::<String>()? {
            values.push(value);
        }
        Ok(ElicitValue::StringArray(values))
    }
}

impl<'de> Deserialize<'de> for ElicitValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ElicitValueVisitor)
    }
}

/// The client's answer to `elicitation/create` (2025: a result; 2026: an
/// `inputResponses` value, which carries no `resultType`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ElicitResult {
    /// Never sent in either revision for this result; kept for symmetry.
    #[serde(
        rename = "resultType",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub result_type: Option<ResultType>,
    /// What the user did.
    pub action: ElicitAction,
    /// The submitted form, only for `accept` in form mode.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub content: Option<BTreeMap<String, ElicitValue>>,
    /// Result metadata (2025-11-25).
    #[serde(
        rename = "_meta",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub meta: Option<Meta>,
}

impl ElicitResult {
    /// An answer with `action` and no content.
    pub fn new(action: ElicitAction) -> Self {
        ElicitResult {
            result_type: None,
            action,
            content: None,
            meta: None,
        }
    }

    /// An `accept` carrying the submitted form.
    pub fn accept(content: BTreeMap<String, ElicitValue>) -> Self {
        ElicitResult {
            content: Some(content),
            ..ElicitResult::new(ElicitAction::Accept)
        }
    }

    /// An `accept` of the form `schema` describes, as the user submitted it: `content`
    /// holds the fields they filled in, and every field they left untouched that has a
    /// `default` is submitted with that default ([`ElicitationSchema::defaults`]), as the
    /// specification asks of clients that pre-fill forms.
    pub fn accept_with_defaults(
        schema: &ElicitationSchema,
        mut content: BTreeMap<String, ElicitValue>,
    ) -> Self {
        for (name, value) in schema.defaults() {
            content.entry(name).or_insert(value);
        }
        ElicitResult::accept(content)
    }
}

impl ElicitationSchema {
    /// The form as the server pre-filled it: the `default` of every field that has one,
    /// by field name, as the value a client submits.
    ///
    /// Both revisions' schemas type a submitted number as an integer, so a fractional
    /// default of a number field is submitted rounded to the nearest integer (halves
    /// away from zero); a default that is not finite or beyond ±(2^53−1) is left out.
    pub fn defaults(&self) -> BTreeMap<String, ElicitValue> {
        self.properties
            .iter()
            .filter_map(|(name, field)| Some((name.clone(), field.default_value()?)))
            .collect()
    }
}

impl PrimitiveSchemaDefinition {
    /// This field's `default`, as the value a client submits (see
    /// [`ElicitationSchema::defaults`]).
    pub fn default_value(&self) -> Option<ElicitValue> {
        use PrimitiveSchemaDefinition as P;
        match self {
            P::String(field) => field.default.clone().map(ElicitValue::String),
            P::Number(field) => field.default.and_then(submitted_number),
            P::Boolean(field) => field.default.map(ElicitValue::Boolean),
            P::UntitledSingleSelectEnum(field) => field.default.clone().map(ElicitValue::String),
            P::TitledSingleSelectEnum(field) => field.default.clone().map(ElicitValue::String),
            P::LegacyTitledEnum(field) => field.default.clone().map(ElicitValue::String),
            P::UntitledMultiSelectEnum(field) => {
                field.default.clone().map(ElicitValue::StringArray)
            }
            P::TitledMultiSelectEnum(field) => field.default.clone().map(ElicitValue::StringArray),
        }
    }
}

/// `value` as a submitted (integer) number: rounded half away from zero; `None` when not
/// finite or not exactly representable.
fn submitted_number(value: f64) -> Option<ElicitValue> {
    if !value.is_finite() || value.abs() >= wire::EXACT_INTEGER_LIMIT {
        return None;
    }
    // In range, so the cast is exact after truncation; `core` has no `f64::round`.
    #[allow(clippy::cast_possible_truncation, clippy::cast_precision_loss)]
    let rounded = {
        let truncated = value as i64;
        let fraction = value - truncated as f64;
        if fraction >= 0.5 {
            truncated + 1
        } else if fraction <= -0.5 {
            truncated - 1
        } else {
            truncated
        }
    };
    Some(ElicitValue::Number(rounded.into()))
}

/// `error.data` of `-32042` URLElicitationRequiredError (2025-11-25 only): URL-mode
/// elicitations the client must complete before retrying.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct URLElicitationRequiredErrorData {
    /// The elicitations, each with its `elicitationId`.
    pub elicitations: Vec<ElicitRequestURLParams>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;
    use serde_json::json;

    fn round_trip<T: Serialize + serde::de::DeserializeOwned>(value: serde_json::Value) -> T {
        let typed: T = serde_json::from_str(&value.to_string()).unwrap();
        assert_eq!(serde_json::to_value(&typed).unwrap(), value);
        typed
    }

    #[test]
    fn form_versus_url() {
        let form = json!({"message": "m", "requestedSchema": {"type": "object", "properties": {}}});
        assert!(matches!(
            round_trip::<ElicitRequestParams>(form),
            ElicitRequestParams::Form(_)
        ));
        let explicit = json!({"mode": "form", "message": "m",
            "requestedSchema": {"type": "object", "properties": {}, "required": []}});
        assert!(matches!(
            round_trip::<ElicitRequestParams>(explicit),
            ElicitRequestParams::Form(ElicitRequestFormParams { mode: Some(_), .. })
        ));
        let url = json!({"mode": "url", "message": "m", "url": "https://x", "elicitationId": "e1"});
        let ElicitRequestParams::Url(url) = round_trip::<ElicitRequestParams>(url) else {
            panic!("not url")
        };
        assert_eq!(url.elicitation_id.as_deref(), Some("e1"));
        // URL mode with a missing url is an error, not a form.
        assert!(
            serde_json::from_value::<ElicitRequestParams>(json!({"mode": "url", "message": "m"}))
                .is_err()
        );
        assert!(
            serde_json::from_value::<ElicitRequestParams>(json!({"mode": "voice", "message": "m"}))
                .is_err()
        );
        // Form mode needs a schema.
        assert!(serde_json::from_value::<ElicitRequestParams>(json!({"message": "m"})).is_err());
    }

    #[test]
    fn primitive_schemas_by_shape() {
        use PrimitiveSchemaDefinition as P;
        let cases = [
            (
                json!({"type": "string", "format": "date-time", "minLength": 1}),
                "String",
            ),
            (
                json!({"type": "integer", "minimum": 0, "maximum": 9.5, "default": 3}),
                "Number",
            ),
            (json!({"type": "boolean", "default": true}), "Boolean"),
            (
                json!({"type": "string", "enum": ["a", "b"], "default": "a"}),
                "UntitledSingle",
            ),
            (
                json!({"type": "string", "oneOf": [{"const": "a", "title": "A"}]}),
                "TitledSingle",
            ),
            (
                json!({"type": "array", "items": {"type": "string", "enum": ["a"]}, "minItems": 1}),
                "UntitledMulti",
            ),
            (
                json!({"type": "array", "items": {"anyOf": [{"const": "a", "title": "A"}]}, "default": ["a"]}),
                "TitledMulti",
            ),
            (
                json!({"type": "string", "enum": ["a"], "enumNames": ["A"]}),
                "Legacy",
            ),
        ];
        for (value, expected) in cases {
            let got = match round_trip::<P>(value) {
                P::String(_) => "String",
                P::Number(_) => "Number",
                P::Boolean(_) => "Boolean",
                P::UntitledSingleSelectEnum(_) => "UntitledSingle",
                P::TitledSingleSelectEnum(_) => "TitledSingle",
                P::UntitledMultiSelectEnum(_) => "UntitledMulti",
                P::TitledMultiSelectEnum(_) => "TitledMulti",
                P::LegacyTitledEnum(_) => "Legacy",
            };
            assert_eq!(got, expected);
        }
        assert!(serde_json::from_value::<P>(json!({"type": "object"})).is_err());
        assert!(serde_json::from_value::<P>(json!({"enum": ["a"]})).is_err());
        assert!(
            serde_json::from_value::<P>(json!({"type": "string", "format": "hostname"})).is_err()
        );
    }

    #[test]
    fn elicit_result_values() {
        let value = json!({"action": "accept", "content":
            {"name": "n", "age": 30, "ok": true, "tags": ["a", "b"]}});
        let result: ElicitResult = round_trip(value);
        let content = result.content.unwrap();
        assert_eq!(content.get("age"), Some(&ElicitValue::from(30)));
        assert_eq!(content.get("ok"), Some(&ElicitValue::Boolean(true)));
        assert!(matches!(content.get("tags"), Some(ElicitValue::StringArray(t)) if t.len() == 2));
        assert!(serde_json::from_value::<ElicitResult>(json!({"action": "maybe"})).is_err());
        assert!(serde_json::from_value::<ElicitValue>(json!({"nested": 1})).is_err());
        assert!(serde_json::from_value::<ElicitValue>(json!([1])).is_err());
        // Both schemas type submitted numbers as integers.
        assert!(serde_json::from_value::<ElicitValue>(json!(0.5)).is_err());
        assert!(serde_json::from_value::<ElicitValue>(json!(null)).is_err());
    }

    #[test]
    fn untouched_fields_are_submitted_with_their_defaults() {
        // The SEP-1034 form: every field has a default, none is required.
        let schema: ElicitationSchema = serde_json::from_value(json!({
            "type": "object",
            "properties": {
                "name": {"type": "string", "default": "John Doe"},
                "age": {"type": "integer", "default": 30},
                "score": {"type": "number", "default": 95.5},
                "debt": {"type": "number", "default": -2.5},
                "status": {"type": "string", "enum": ["active", "inactive"], "default": "active"},
                "verified": {"type": "boolean", "default": true},
                "tags": {"type": "array", "items": {"type": "string", "enum": ["a", "b"]},
                    "default": ["b"]},
                "huge": {"type": "number", "default": 1e300},
                "comment": {"type": "string"}
            },
            "required": []
        }))
        .unwrap();
        let mut typed = BTreeMap::new();
        typed.insert(String::from("name"), ElicitValue::from("Ada"));
        let result = ElicitResult::accept_with_defaults(&schema, typed);
        assert_eq!(
            serde_json::to_value(&result).unwrap(),
            json!({"action": "accept", "content": {
                "name": "Ada", "age": 30, "score": 96, "debt": -3, "status": "active",
                "verified": true, "tags": ["b"]
            }})
        );
        // What is submitted is a valid result of both revisions.
        let text = serde_json::to_string(&result).unwrap();
        assert_eq!(serde_json::from_str::<ElicitResult>(&text).unwrap(), result);
        assert!(ElicitationSchema::new().defaults().is_empty());
    }
}
