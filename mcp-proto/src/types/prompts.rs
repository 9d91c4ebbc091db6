//! Prompts: listing and getting prompt templates.

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;
use serde::{Deserialize, Serialize};

use crate::types::common::{Cursor, Icon, Role};
use crate::types::content::ContentBlock;
use crate::types::meta::Meta;
use crate::types::mrtr::InputResponses;
use crate::types::result::{CacheScope, ResultType};

/// A prompt or prompt template the server offers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Prompt {
    /// Programmatic name.
    pub name: String,
    /// Display name.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub title: Option<String>,
    /// What the prompt provides.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub description: Option<String>,
    /// Arguments the template accepts.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub arguments: Option<Vec<PromptArgument>>,
    /// Icons for display.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub icons: Option<Vec<Icon>>,
    /// Prompt metadata.
    #[serde(
        rename = "_meta",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub meta: Option<Meta>,
}

impl Prompt {
    /// A prompt named `name`, with nothing else said about it.
    pub fn new(name: impl Into<String>) -> Self {
        Prompt {
            name: name.into(),
            title: None,
            description: None,
            arguments: None,
            icons: None,
            meta: None,
        }
    }
}

/// An argument a prompt template accepts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct PromptArgument {
    /// Programmatic name.
    pub name: String,
    /// Display name.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub title: Option<String>,
    /// What the argument is.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub description: Option<String>,
    /// Whether the argument must be given.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub required: Option<bool>,
}

/// One message of a prompt: a role and a single content block.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct PromptMessage {
    /// Who speaks.
    pub role: Role,
    /// The content (one block, not an array).
    pub content: ContentBlock,
}

/// Result of `prompts/list` (cacheable in 2026-07-28).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ListPromptsResult {
    /// 2026-07-28 result discriminator.
    #[serde(
        rename = "resultType",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub result_type: Option<ResultType>,
    /// This page of prompts.
    pub prompts: Vec<Prompt>,
    /// Where the next page starts; absent on the last page.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub next_cursor: Option<Cursor>,
    /// 2026-07-28: how long the result may be cached, in milliseconds.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub ttl_ms: Option<u64>,
    /// 2026-07-28: who may reuse a cached copy.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub cache_scope: Option<CacheScope>,
    /// Result metadata.
    #[serde(
        rename = "_meta",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub meta: Option<Meta>,
}

/// `params` of `prompts/get`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct GetPromptRequestParams {
    /// Name of the prompt or template.
    pub name: String,
    /// Template arguments, name to value.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub arguments: Option<BTreeMap<String, String>>,
    /// 2026-07-28 retry: the answers to the previous round's input requests.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub input_responses: Option<InputResponses>,
    /// 2026-07-28 retry: the opaque state of the previous round, echoed verbatim.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub request_state: Option<String>,
    /// Request metadata (the 2026 envelope).
    #[serde(
        rename = "_meta",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub meta: Option<Meta>,
}

impl GetPromptRequestParams {
    /// Params getting `name` with no arguments.
    pub fn new(name: impl Into<String>) -> Self {
        GetPromptRequestParams {
            name: name.into(),
            arguments: None,
            input_responses: None,
            request_state: None,
            meta: None,
        }
    }
}

/// Result of `prompts/get` (when it is not an `InputRequiredResult`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct GetPromptResult {
    /// 2026-07-28 result discriminator.
    #[serde(
        rename = "resultType",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub result_type: Option<ResultType>,
    /// Description of the prompt.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub description: Option<String>,
    /// The messages.
    pub messages: Vec<PromptMessage>,
    /// Result metadata.
    #[serde(
        rename = "_meta",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub meta: Option<Meta>,
}
