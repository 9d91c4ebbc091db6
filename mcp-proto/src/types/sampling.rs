//! Sampling (`sampling/createMessage`): the server asks the client's model for a message.
//!
//! Carried as a server request in 2025-11-25 and as an `inputRequests` entry in 2026-07-28
//! (where the feature is deprecated but fully functional).

use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;
use serde::{Deserialize, Deserializer, Serialize};

use crate::json::JsonObject;
use crate::types::common::Role;
use crate::types::content::SamplingMessageContentBlock;
use crate::types::meta::Meta;
use crate::types::result::ResultType;
use crate::types::tasks::TaskMetadata;
use crate::types::tools::Tool;
use crate::types::wire;

/// The standard `stopReason` values (the field is an open string).
pub mod stop_reason {
    /// The model finished its turn.
    pub const END_TURN: &str = "endTurn";
    /// A stop sequence was produced.
    pub const STOP_SEQUENCE: &str = "stopSequence";
    /// The token limit was reached.
    pub const MAX_TOKENS: &str = "maxTokens";
    /// The model wants to call tools.
    pub const TOOL_USE: &str = "toolUse";
}

/// The content of a sampling message: one block or several. Decoded by shape (an array
/// is `Many`); encodes back the way it came.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
#[non_exhaustive]
pub enum SamplingContent {
    /// A single block.
    One(SamplingMessageContentBlock),
    /// An array of blocks.
    Many(Vec<SamplingMessageContentBlock>),
}

impl SamplingContent {
    /// The blocks as a slice, whichever form they came in.
    pub fn blocks(&self) -> &[SamplingMessageContentBlock] {
        match self {
            SamplingContent::One(block) => core::slice::from_ref(block),
            SamplingContent::Many(blocks) => blocks,
        }
    }

    /// The blocks as a vector.
    pub fn into_blocks(self) -> Vec<SamplingMessageContentBlock> {
        match self {
            SamplingContent::One(block) => vec![block],
            SamplingContent::Many(blocks) => blocks,
        }
    }
}

impl From<SamplingMessageContentBlock> for SamplingContent {
    fn from(block: SamplingMessageContentBlock) -> Self {
        SamplingContent::One(block)
    }
}

impl<'de> Deserialize<'de> for SamplingContent {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = wire::capture(deserializer)?;
        if wire::is_array(&raw) {
            wire::decode_as(&raw).map(SamplingContent::Many)
        } else {
            wire::decode_as(&raw).map(SamplingContent::One)
        }
    }
}

/// A message to or from the model.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SamplingMessage {
    /// Who speaks.
    pub role: Role,
    /// One block or several.
    pub content: SamplingContent,
    /// Message metadata.
    #[serde(
        rename = "_meta",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub meta: Option<Meta>,
}

impl SamplingMessage {
    /// A user message holding one text block.
    pub fn user_text(text: impl Into<String>) -> Self {
        SamplingMessage {
            role: Role::User,
            content: SamplingContent::One(SamplingMessageContentBlock::text(text)),
            meta: None,
        }
    }
}

/// A hint for model selection, matched as a substring of model names.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ModelHint {
    /// A (partial) model name.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub name: Option<String>,
}

/// The server's advisory preferences for model selection.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ModelPreferences {
    /// Hints evaluated in order, first match wins.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub hints: Option<Vec<ModelHint>>,
    /// Weight of cost, 0 to 1.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "wire::compact_opt_f64",
        deserialize_with = "crate::types::wire::unit_interval"
    )]
    pub cost_priority: Option<f64>,
    /// Weight of speed, 0 to 1.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "wire::compact_opt_f64",
        deserialize_with = "crate::types::wire::unit_interval"
    )]
    pub speed_priority: Option<f64>,
    /// Weight of capability, 0 to 1.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "wire::compact_opt_f64",
        deserialize_with = "crate::types::wire::unit_interval"
    )]
    pub intelligence_priority: Option<f64>,
}

/// Which servers' context to attach to the prompt (the last two values are deprecated).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub enum IncludeContext {
    /// `"none"` (the default).
    #[default]
    None,
    /// `"thisServer"`: context from the requesting server.
    ThisServer,
    /// `"allServers"`: context from every connected server.
    AllServers,
}

/// How the model may use tools.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum ToolChoiceMode {
    /// The model decides (the default).
    #[default]
    Auto,
    /// The model must use at least one tool.
    Required,
    /// The model must not use tools.
    None,
}

/// Tool selection settings of a sampling request.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ToolChoice {
    /// The mode; absent means `auto`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub mode: Option<ToolChoiceMode>,
}

/// `params` of `sampling/createMessage`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CreateMessageRequestParams {
    /// The conversation.
    pub messages: Vec<SamplingMessage>,
    /// Model selection preferences.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub model_preferences: Option<ModelPreferences>,
    /// System prompt the client may change or drop.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub system_prompt: Option<String>,
    /// Context to attach.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub include_context: Option<IncludeContext>,
    /// Sampling temperature.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "wire::compact_opt_f64",
        deserialize_with = "crate::types::wire::present"
    )]
    pub temperature: Option<f64>,
    /// Most tokens to sample.
    pub max_tokens: i64,
    /// Sequences that stop sampling.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub stop_sequences: Option<Vec<String>>,
    /// Provider-specific metadata passed through.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub metadata: Option<JsonObject>,
    /// Tools the model may call (needs the client's `sampling.tools`).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub tools: Option<Vec<Tool>>,
    /// How the model may use the tools.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub tool_choice: Option<ToolChoice>,
    /// 2025-11-25 experimental: run the sampling as a task.
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

impl CreateMessageRequestParams {
    /// A request for at most `max_tokens` tokens continuing `messages`.
    pub fn new(messages: Vec<SamplingMessage>, max_tokens: i64) -> Self {
        CreateMessageRequestParams {
            messages,
            model_preferences: None,
            system_prompt: None,
            include_context: None,
            temperature: None,
            max_tokens,
            stop_sequences: None,
            metadata: None,
            tools: None,
            tool_choice: None,
            task: None,
            meta: None,
        }
    }
}

/// The client's answer to `sampling/createMessage` (2025: a result; 2026: an
/// `inputResponses` value, which carries no `resultType`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CreateMessageResult {
    /// Never sent in either revision for this result; kept for symmetry.
    #[serde(
        rename = "resultType",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub result_type: Option<ResultType>,
    /// Who speaks (normally the assistant).
    pub role: Role,
    /// One block or several.
    pub content: SamplingContent,
    /// The model that produced the message.
    pub model: String,
    /// Why sampling stopped; see [`stop_reason`] for the standard values.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub stop_reason: Option<String>,
    /// Result metadata.
    #[serde(
        rename = "_meta",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub meta: Option<Meta>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;
    use serde_json::json;

    #[test]
    fn one_versus_many() {
        let one = json!({"role": "user", "content": {"type": "text", "text": "hi"}});
        let message: SamplingMessage = serde_json::from_str(&one.to_string()).unwrap();
        assert!(matches!(message.content, SamplingContent::One(_)));
        assert_eq!(message.content.blocks().len(), 1);
        assert_eq!(serde_json::to_value(&message).unwrap(), one);

        let many = json!({"role": "assistant", "content": [
            {"type": "tool_use", "id": "a", "name": "w", "input": {"city": "Paris"}},
            {"type": "text", "text": "and"}
        ]});
        let message: SamplingMessage = serde_json::from_str(&many.to_string()).unwrap();
        assert!(matches!(message.content, SamplingContent::Many(ref b) if b.len() == 2));
        assert_eq!(serde_json::to_value(&message).unwrap(), many);

        let empty: SamplingContent = serde_json::from_str(" []").unwrap();
        assert_eq!(empty, SamplingContent::Many(Vec::new()));
        assert!(serde_json::from_str::<SamplingContent>("\"text\"").is_err());
    }

    #[test]
    fn create_message_round_trip() {
        let params = json!({
            "messages": [{"role": "user", "content": {"type": "text", "text": "q"}}],
            "modelPreferences": {"hints": [{"name": "claude"}], "costPriority": 0.3, "speedPriority": 1},
            "includeContext": "thisServer", "temperature": 0.7, "maxTokens": 100,
            "stopSequences": ["\n"], "metadata": {"k": 1},
            "tools": [{"name": "w", "inputSchema": {"type": "object"}}],
            "toolChoice": {"mode": "required"}, "task": {"ttl": 5}
        });
        let typed: CreateMessageRequestParams = serde_json::from_str(&params.to_string()).unwrap();
        assert_eq!(typed.include_context, Some(IncludeContext::ThisServer));
        assert_eq!(serde_json::to_value(&typed).unwrap(), params);

        let result = json!({"role": "assistant", "content": {"type": "text", "text": "a"},
            "model": "m", "stopReason": "somethingElse", "_meta": {"k": "v"}});
        let typed: CreateMessageResult = serde_json::from_str(&result.to_string()).unwrap();
        assert_eq!(typed.stop_reason.as_deref(), Some("somethingElse"));
        assert_eq!(serde_json::to_value(&typed).unwrap(), result);
    }
}
