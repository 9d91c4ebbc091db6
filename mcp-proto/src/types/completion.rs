//! Argument completion (`completion/complete`).

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;
use serde::de;
use serde::{Deserialize, Deserializer, Serialize};

use crate::types::meta::Meta;
use crate::types::result::ResultType;
use crate::types::tags::{PromptRefType, ResourceRefType};
use crate::types::wire;

/// A reference to a prompt (`"type": "ref/prompt"`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct PromptReference {
    /// The `type` discriminator, always `"ref/prompt"`.
    #[serde(rename = "type")]
    pub kind: PromptRefType,
    /// Name of the prompt.
    pub name: String,
    /// Display name.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub title: Option<String>,
}

/// A reference to a resource or resource template (`"type": "ref/resource"`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ResourceTemplateReference {
    /// The `type` discriminator, always `"ref/resource"`.
    #[serde(rename = "type")]
    pub kind: ResourceRefType,
    /// The URI or URI template.
    pub uri: String,
}

/// What is being completed: a prompt argument or a resource template variable.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(untagged)]
#[non_exhaustive]
pub enum CompletionReference {
    /// `"ref/prompt"`.
    Prompt(PromptReference),
    /// `"ref/resource"`.
    Resource(ResourceTemplateReference),
}

impl CompletionReference {
    /// A reference to the prompt `name`.
    pub fn prompt(name: impl Into<String>) -> Self {
        CompletionReference::Prompt(PromptReference {
            kind: PromptRefType,
            name: name.into(),
            title: None,
        })
    }

    /// A reference to the resource template `uri`.
    pub fn resource(uri: impl Into<String>) -> Self {
        CompletionReference::Resource(ResourceTemplateReference {
            kind: ResourceRefType,
            uri: uri.into(),
        })
    }
}

#[derive(Deserialize)]
enum ReferenceKind {
    #[serde(rename = "ref/prompt")]
    Prompt,
    #[serde(rename = "ref/resource")]
    Resource,
    #[serde(other)]
    Other,
}

#[derive(Deserialize)]
struct ReferenceProbe {
    #[serde(rename = "type", default)]
    kind: Option<ReferenceKind>,
}

impl<'de> Deserialize<'de> for CompletionReference {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = wire::capture(deserializer)?;
        let probe: ReferenceProbe = wire::decode_as(&raw)?;
        match probe.kind {
            Some(ReferenceKind::Prompt) => wire::decode_as(&raw).map(CompletionReference::Prompt),
            Some(ReferenceKind::Resource) => {
                wire::decode_as(&raw).map(CompletionReference::Resource)
            }
            _ => Err(de::Error::custom(
                "a completion reference needs \"type\": \"ref/prompt\" or \"ref/resource\"",
            )),
        }
    }
}

/// The argument being completed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CompletionArgument {
    /// Name of the argument.
    pub name: String,
    /// What the user typed so far.
    pub value: String,
}

impl CompletionArgument {
    /// The argument `name`, with the `value` typed so far.
    pub fn new(name: impl Into<String>, value: impl Into<String>) -> Self {
        CompletionArgument {
            name: name.into(),
            value: value.into(),
        }
    }
}

/// Extra context for a completion.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CompletionContext {
    /// Already resolved arguments or template variables, name to value.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub arguments: Option<BTreeMap<String, String>>,
}

impl CompletionContext {
    /// The values of arguments already resolved, by name.
    pub fn new(arguments: BTreeMap<String, String>) -> Self {
        CompletionContext {
            arguments: Some(arguments),
        }
    }
}

/// `params` of `completion/complete`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CompleteRequestParams {
    /// The prompt or resource template the argument belongs to (wire `ref`).
    #[serde(rename = "ref")]
    pub reference: CompletionReference,
    /// The argument being completed.
    pub argument: CompletionArgument,
    /// Previously resolved arguments.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub context: Option<CompletionContext>,
    /// Request metadata (the 2026 envelope).
    #[serde(
        rename = "_meta",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub meta: Option<Meta>,
}

impl CompleteRequestParams {
    /// Completes `argument` of the prompt or resource template `reference`.
    pub fn new(reference: CompletionReference, argument: CompletionArgument) -> Self {
        CompleteRequestParams {
            reference,
            argument,
            context: None,
            meta: None,
        }
    }

    /// With the values of the arguments already resolved.
    pub fn with_context(mut self, context: CompletionContext) -> Self {
        self.context = Some(context);
        self
    }
}

/// The most values one completion result carries (the specification's bound).
pub const MAX_COMPLETION_VALUES: usize = 100;

/// The completion values of a [`CompleteResult`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Completion {
    /// Suggested values, at most 100.
    pub values: Vec<String>,
    /// How many values exist in all, which may exceed `values.len()`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub total: Option<i64>,
    /// True when more values exist than were sent.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub has_more: Option<bool>,
}

impl Completion {
    /// Exactly these values, saying nothing of others (`total` and `hasMore` unset).
    pub fn new(values: Vec<String>) -> Self {
        Completion {
            values,
            total: None,
            has_more: None,
        }
    }

    /// Says that `total` values exist in all, and whether more exist than were sent.
    pub fn with_total(mut self, total: i64, has_more: bool) -> Self {
        self.total = Some(total);
        self.has_more = Some(has_more);
        self
    }

    /// The completion cut to [`MAX_COMPLETION_VALUES`], with `hasMore` and `total`
    /// saying so when it had more.
    pub fn capped(mut self) -> Completion {
        let count = self.values.len();
        if count > MAX_COMPLETION_VALUES {
            self.values.truncate(MAX_COMPLETION_VALUES);
            self.has_more = Some(true);
            let count = i64::try_from(count).unwrap_or(i64::MAX);
            self.total = Some(self.total.map_or(count, |total| total.max(count)));
        }
        self
    }
}

impl From<Vec<String>> for Completion {
    /// Every matching value: `total` is their count and `hasMore` whether the result
    /// will have to leave some out.
    fn from(values: Vec<String>) -> Self {
        let total = i64::try_from(values.len()).unwrap_or(i64::MAX);
        Completion {
            has_more: Some(values.len() > MAX_COMPLETION_VALUES),
            total: Some(total),
            values,
        }
    }
}

/// Result of `completion/complete`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CompleteResult {
    /// 2026-07-28 result discriminator.
    #[serde(
        rename = "resultType",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub result_type: Option<ResultType>,
    /// The suggestions.
    pub completion: Completion,
    /// Result metadata.
    #[serde(
        rename = "_meta",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub meta: Option<Meta>,
}

impl CompleteResult {
    /// The result carrying `completion`.
    pub fn new(completion: Completion) -> Self {
        CompleteResult {
            result_type: None,
            completion,
            meta: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn references_by_type() {
        let params: CompleteRequestParams = serde_json::from_value(json!({
            "ref": {"type": "ref/resource", "uri": "res://items/{id}"},
            "argument": {"name": "id", "value": "4"},
            "context": {"arguments": {"kind": "x"}}
        }))
        .unwrap();
        assert_eq!(
            params.reference,
            CompletionReference::resource("res://items/{id}")
        );
        let prompt: CompletionReference =
            serde_json::from_str(r#"{"type":"ref/prompt","name":"p","title":"P"}"#).unwrap();
        assert!(matches!(prompt, CompletionReference::Prompt(ref p) if p.name == "p"));
        assert_eq!(
            serde_json::to_value(&prompt).unwrap(),
            json!({"type": "ref/prompt", "name": "p", "title": "P"})
        );
        assert!(
            serde_json::from_value::<CompletionReference>(json!({"type": "ref/tool"})).is_err()
        );
        assert!(serde_json::from_value::<CompletionReference>(json!({"name": "p"})).is_err());
    }
}
