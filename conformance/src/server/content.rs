//! Content and behaviour tools, alike in both eras (CONFORMANCE.md 4.2.1).

use std::sync::Arc;
use std::time::Duration;

use mcp_driver::server::{Context, ServerBuilder, Tool, ToolError};
use mcp_driver::{Runtime, sleep};
use mcp_proto::types::{CallToolResult, LoggingLevel};
use serde_json::{Value, json};

use super::{RED_PIXEL_PNG, SILENT_WAV, from_json, no_arguments};

/// The JSON Schema 2020-12 fixture, kept verbatim in `tools/list`.
const JSON_SCHEMA_2020_12: &str = r##"{"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object","$defs":{"address":{"$anchor":"addressDef","type":"object","properties":{"street":{"type":"string"},"city":{"type":"string"}}}},"properties":{"name":{"type":"string"},"address":{"$ref":"#/$defs/address"},"contactMethod":{"type":"string","enum":["phone","email"]},"phone":{"type":"string"},"email":{"type":"string"}},"allOf":[{"anyOf":[{"required":["phone"]},{"required":["email"]}]}],"if":{"properties":{"contactMethod":{"const":"phone"}},"required":["contactMethod"]},"then":{"required":["phone"]},"else":{"required":["email"]},"additionalProperties":false}"##;

fn fixed(
    name: &'static str,
    description: &'static str,
    result: fn() -> Result<CallToolResult, ToolError>,
) -> Tool {
    Tool::new(
        name,
        description,
        no_arguments(),
        move |_: Value, _ctx: Context| async move { result() },
    )
}

/// Registers the content tools; `test_simple_text` first, as the header scenario calls
/// the first listed tool with no arguments.
pub(crate) fn register(builder: ServerBuilder, runtime: &Arc<dyn Runtime>) -> ServerBuilder {
    let progress_runtime = Arc::clone(runtime);
    let logging_runtime = Arc::clone(runtime);
    let reconnection_runtime = Arc::clone(runtime);
    let schema: Value = serde_json::from_str(JSON_SCHEMA_2020_12).unwrap_or_default();
    builder
        .tool(fixed(
            "test_simple_text",
            "Returns a simple text response",
            || {
                Ok(CallToolResult::text(
                    "This is a simple text response for testing.",
                ))
            },
        ))
        .tool(fixed(
            "test_image_content",
            "Returns an image (a red pixel)",
            || {
                from_json(json!({"content": [
                    {"type": "image", "data": RED_PIXEL_PNG, "mimeType": "image/png"}
                ]}))
            },
        ))
        .tool(fixed(
            "test_audio_content",
            "Returns a short WAV clip",
            || {
                from_json(json!({"content": [
                    {"type": "audio", "data": SILENT_WAV, "mimeType": "audio/wav"}
                ]}))
            },
        ))
        .tool(fixed(
            "test_embedded_resource",
            "Returns an embedded text resource",
            || {
                from_json(json!({"content": [{"type": "resource", "resource": {
                    "uri": "test://embedded-resource",
                    "mimeType": "text/plain",
                    "text": "This is an embedded resource content."
                }}]}))
            },
        ))
        .tool(fixed(
            "test_multiple_content_types",
            "Returns text, an image and an embedded resource",
            || {
                from_json(json!({"content": [
                    {"type": "text", "text": "Multiple content types test:"},
                    {"type": "image", "data": RED_PIXEL_PNG, "mimeType": "image/png"},
                    {"type": "resource", "resource": {
                        "uri": "test://mixed-content-resource",
                        "mimeType": "application/json",
                        "text": "{\"test\":\"data\",\"value\":123}"
                    }}
                ]}))
            },
        ))
        .tool(fixed(
            "test_error_handling",
            "Always fails, as a tool result with isError",
            || {
                Err(ToolError::failed(
                    "This tool intentionally returns an error for testing",
                ))
            },
        ))
        .tool(Tool::new(
            "test_tool_with_progress",
            "Reports progress 0, 50 and 100 before answering",
            no_arguments(),
            move |_: Value, ctx: Context| {
                let runtime = Arc::clone(&progress_runtime);
                async move {
                    for (step, progress) in [0.0, 50.0, 100.0].into_iter().enumerate() {
                        if step > 0 {
                            sleep(runtime.as_ref(), Duration::from_millis(50)).await;
                        }
                        ctx.progress(progress, Some(100.0), None).await;
                    }
                    Ok(CallToolResult::text("Progress test completed"))
                }
            },
        ))
        .tool(Tool::new(
            "test_tool_with_logging",
            "Logs three messages while it runs",
            no_arguments(),
            move |_: Value, ctx: Context| {
                let runtime = Arc::clone(&logging_runtime);
                async move {
                    let messages = [
                        "Tool execution started",
                        "Tool processing data",
                        "Tool execution completed",
                    ];
                    for (step, message) in messages.into_iter().enumerate() {
                        if step > 0 {
                            sleep(runtime.as_ref(), Duration::from_millis(50)).await;
                        }
                        ctx.log(LoggingLevel::Info, message).await;
                    }
                    Ok(CallToolResult::text("Logging test completed"))
                }
            },
        ))
        .tool(Tool::new(
            "test_reconnection",
            "Closes its SSE connection before answering; the answer waits for the resume",
            no_arguments(),
            move |_: Value, ctx: Context| {
                let runtime = Arc::clone(&reconnection_runtime);
                async move {
                    ctx.close_stream(Duration::from_millis(500)).await;
                    sleep(runtime.as_ref(), Duration::from_millis(100)).await;
                    Ok(CallToolResult::text("Reconnection test completed"))
                }
            },
        ))
        .tool(Tool::new(
            "json_schema_2020_12_tool",
            "Has a JSON Schema 2020-12 input schema with every keyword kept",
            schema,
            |arguments: Value, _ctx: Context| async move {
                Ok(CallToolResult::text(format!("Received: {arguments}")))
            },
        ))
}
