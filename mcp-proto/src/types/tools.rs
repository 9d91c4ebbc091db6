//! Tools: definitions, listing and calling.

use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;
use serde::{Deserialize, Serialize};

use crate::json::RawJson;
use crate::json::splice::push_json_string;
use crate::jsonrpc::Params;
use crate::jsonrpc::message::MetaSlot;
use crate::types::common::{Cursor, Icon};
use crate::types::content::ContentBlock;
use crate::types::meta::Meta;
use crate::types::mrtr::InputResponses;
use crate::types::result::{CacheScope, ResultType};
use crate::types::tasks::TaskMetadata;
use crate::types::wire;

/// Behaviour hints about a tool. All of them are hints, untrusted unless the server is.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ToolAnnotations {
    /// Display title.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub title: Option<String>,
    /// The tool does not modify its environment (default false).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub read_only_hint: Option<bool>,
    /// The tool may destroy data rather than only add (default true).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub destructive_hint: Option<bool>,
    /// Repeating a call with the same arguments has no further effect (default false).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub idempotent_hint: Option<bool>,
    /// The tool talks to an open world of external entities (default true).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub open_world_hint: Option<bool>,
}

/// Whether a tool can run as a 2025-11-25 experimental task.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum TaskSupport {
    /// The tool must not be called as a task (the default).
    #[default]
    Forbidden,
    /// The caller may ask for a task.
    Optional,
    /// The tool must be called as a task.
    Required,
}

/// Execution properties of a tool (2025-11-25 only).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ToolExecution {
    /// Whether the tool supports task-augmented calls; absent means forbidden.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub task_support: Option<TaskSupport>,
}

/// A tool the client can call.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Tool {
    /// Programmatic name, unique per server.
    pub name: String,
    /// Display name.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub title: Option<String>,
    /// What the tool does, as a hint to the model.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub description: Option<String>,
    /// JSON Schema of the arguments (an object schema), kept raw and relayed untouched.
    pub input_schema: RawJson,
    /// JSON Schema of `structuredContent`, kept raw (2025-11-25: an object schema).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub output_schema: Option<RawJson>,
    /// Behaviour hints.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub annotations: Option<ToolAnnotations>,
    /// Task support (2025-11-25 only).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub execution: Option<ToolExecution>,
    /// Icons for display.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub icons: Option<Vec<Icon>>,
    /// Tool metadata.
    #[serde(
        rename = "_meta",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub meta: Option<Meta>,
}

impl Tool {
    /// A tool with a name and a raw input schema.
    pub fn new(name: impl Into<String>, input_schema: RawJson) -> Self {
        Tool {
            name: name.into(),
            title: None,
            description: None,
            input_schema,
            output_schema: None,
            annotations: None,
            execution: None,
            icons: None,
            meta: None,
        }
    }
}

/// Result of `tools/list` (cacheable in 2026-07-28).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ListToolsResult {
    /// 2026-07-28 result discriminator.
    #[serde(
        rename = "resultType",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub result_type: Option<ResultType>,
    /// This page of tools.
    pub tools: Vec<Tool>,
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

/// `params` of `tools/call`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CallToolRequestParams {
    /// Name of the tool.
    pub name: String,
    /// Arguments (an object), kept raw.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present_object"
    )]
    pub arguments: Option<RawJson>,
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
    /// 2025-11-25 experimental: run the call as a task (ignored by 2026 servers).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub task: Option<TaskMetadata>,
    /// Request metadata (progress token; the 2026 envelope).
    #[serde(
        rename = "_meta",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub meta: Option<Meta>,
}

impl CallToolRequestParams {
    /// The params serde writes for this call, written directly when the call is plain
    /// (a name, arguments or none, nothing else): most calls, without serde's walk.
    /// `None` for any other call.
    pub(crate) fn plain_params(&self) -> Option<Params> {
        if self.input_responses.is_some()
            || self.request_state.is_some()
            || self.task.is_some()
            || self.meta.is_some()
        {
            return None;
        }
        let arguments = self.arguments.as_ref().map(RawJson::get);
        let mut out = Vec::with_capacity(24 + self.name.len() + arguments.map_or(0, str::len));
        out.extend_from_slice(b"{\"name\":");
        push_json_string(&mut out, &self.name);
        if let Some(arguments) = arguments {
            // Raw arguments are one checked JSON object, written verbatim.
            out.extend_from_slice(b",\"arguments\":");
            out.extend_from_slice(arguments.as_bytes());
        }
        out.push(b'}');
        let text = String::from_utf8(out).ok()?;
        // No `_meta`: the params' slot stays empty without a walk.
        Some(Params::from_parts(
            RawJson::from_checked(text.into_boxed_str()),
            MetaSlot::Absent,
        ))
    }

    /// A call of `name` with `arguments`.
    pub fn new(name: impl Into<String>, arguments: Option<RawJson>) -> Self {
        CallToolRequestParams {
            name: name.into(),
            arguments,
            input_responses: None,
            request_state: None,
            task: None,
            meta: None,
        }
    }
}

/// Result of `tools/call` (when it is not an `InputRequiredResult` or a task).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CallToolResult {
    /// 2026-07-28 result discriminator.
    #[serde(
        rename = "resultType",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub result_type: Option<ResultType>,
    /// Unstructured result (may be empty).
    pub content: Vec<ContentBlock>,
    /// Structured result conforming to the output schema, kept raw (2025-11-25: an
    /// object; 2026-07-28: any value, `null` included).
    #[serde(
        default,
        deserialize_with = "wire::raw_keep_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub structured_content: Option<RawJson>,
    /// True when the tool failed (an execution error the model may correct).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub is_error: Option<bool>,
    /// Result metadata.
    #[serde(
        rename = "_meta",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub meta: Option<Meta>,
}

impl CallToolResult {
    /// A result made of `content`.
    pub fn new(content: Vec<ContentBlock>) -> Self {
        CallToolResult {
            result_type: None,
            content,
            structured_content: None,
            is_error: None,
            meta: None,
        }
    }

    /// A successful result holding one text block.
    pub fn text(text: impl Into<String>) -> Self {
        CallToolResult::new(vec![ContentBlock::text(text)])
    }

    /// A tool execution error (`isError: true`) explained by one text block.
    pub fn error(text: impl Into<String>) -> Self {
        CallToolResult {
            is_error: Some(true),
            ..CallToolResult::text(text)
        }
    }

    /// The JSON text serde writes for this result, written directly when the result is
    /// plain (text blocks without annotations or `_meta`, optionally `isError`, nothing
    /// else): the common tool answer, without serde's walk. `None` for any other result.
    pub(crate) fn plain_json(&self) -> Option<RawJson> {
        if self.result_type.is_some() || self.structured_content.is_some() || self.meta.is_some() {
            return None;
        }
        let texts = self.content.iter().map(|block| match block {
            ContentBlock::Text(text) if text.annotations.is_none() && text.meta.is_none() => {
                Some(text.text.as_str())
            }
            _ => None,
        });
        let length: usize = texts
            .clone()
            .map(|text| text.map(str::len))
            .sum::<Option<usize>>()?;
        let mut out = Vec::with_capacity(48 + length + 32 * self.content.len());
        out.extend_from_slice(b"{\"content\":[");
        for (index, text) in texts.enumerate() {
            if index > 0 {
                out.push(b',');
            }
            out.extend_from_slice(b"{\"type\":\"text\",\"text\":");
            push_json_string(&mut out, text?);
            out.push(b'}');
        }
        out.push(b']');
        match self.is_error {
            Some(true) => out.extend_from_slice(b",\"isError\":true"),
            Some(false) => out.extend_from_slice(b",\"isError\":false"),
            None => {}
        }
        out.push(b'}');
        let text = String::from_utf8(out).ok()?;
        Some(RawJson::from_checked(text.into_boxed_str()))
    }

    /// True when `isError` is set to true.
    pub fn is_error(&self) -> bool {
        self.is_error == Some(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn tool_keeps_schemas_verbatim() {
        let text = r#"{"name":"t","inputSchema":{"type":"object","$defs":{"a":{}},"x-mcp-header":"X"},"outputSchema":{"type":"array"},"execution":{"taskSupport":"optional"}}"#;
        let tool: Tool = serde_json::from_str(text).unwrap();
        assert_eq!(
            tool.input_schema.get(),
            r#"{"type":"object","$defs":{"a":{}},"x-mcp-header":"X"}"#
        );
        assert_eq!(
            tool.execution.as_ref().and_then(|e| e.task_support),
            Some(TaskSupport::Optional)
        );
        assert_eq!(serde_json::to_string(&tool).unwrap(), text);
    }

    #[test]
    fn call_tool_result_helpers() {
        let result = CallToolResult::error("bad date");
        assert!(result.is_error());
        assert_eq!(
            serde_json::to_value(&result).unwrap(),
            json!({"content": [{"type": "text", "text": "bad date"}], "isError": true})
        );
        let decoded: CallToolResult = serde_json::from_str(
            r#"{"resultType":"complete","content":[],"structuredContent":[1,2]}"#,
        )
        .unwrap();
        assert_eq!(decoded.result_type, Some(ResultType::Complete));
        assert_eq!(decoded.structured_content.unwrap().get(), "[1,2]");
    }

    #[test]
    fn call_params_union() {
        let params: CallToolRequestParams = serde_json::from_value(json!({
            "name": "cleanup", "arguments": {"dir": "/tmp"},
            "inputResponses": {"ok": {"action": "accept"}},
            "requestState": "s1", "task": {"ttl": 60000}
        }))
        .unwrap();
        assert_eq!(params.request_state.as_deref(), Some("s1"));
        assert_eq!(params.task.unwrap().ttl, Some(60000));
        assert_eq!(params.input_responses.unwrap().len(), 1);
    }
}
