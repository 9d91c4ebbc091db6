//! The 2026-07-28 diagnostic tools the `server-stateless` scenario calls, the change
//! triggers for `subscriptions/listen`, and the header fixture (CONFORMANCE.md 4.2.3,
//! 4.2.5).

use std::sync::{Arc, OnceLock};

use mcp_driver::server::{Context, Server, ServerBuilder, Tool, ToolError};
use mcp_proto::jsonrpc::{ErrorCode, ErrorObject};
use mcp_proto::types::{CallToolResult, ElicitRequestParams, LoggingLevel};
use serde::Deserialize;
use serde_json::{Value, json};

use super::input::name_question;
use super::{from_json, no_arguments};

#[derive(Deserialize)]
struct Region {
    region: String,
}

/// Registers the diagnostic tools; the triggers publish through `server`, set once the
/// server is built.
pub(crate) fn register(builder: ServerBuilder, server: &Arc<OnceLock<Server>>) -> ServerBuilder {
    let tools_server = Arc::clone(server);
    let prompts_server = Arc::clone(server);
    builder
        .tool(Tool::new(
            "test_missing_capability",
            "Needs the sampling capability of the calling client",
            no_arguments(),
            |_: Value, ctx: Context| async move {
                if ctx.client_capabilities().sampling.is_none() {
                    return Err(ToolError::Protocol(
                        ErrorObject::with_message(
                            ErrorCode::MISSING_REQUIRED_CLIENT_CAPABILITY,
                            "This tool needs the sampling client capability",
                        )
                        .with_data(&json!({"requiredCapabilities": {"sampling": {}}})),
                    ));
                }
                Ok(CallToolResult::text("The client can sample"))
            },
        ))
        .tool(Tool::new(
            "test_streaming_elicitation",
            "Asks the user a question (input required at 2026-07-28)",
            no_arguments(),
            |_: Value, ctx: Context| async move {
                let question: ElicitRequestParams =
                    from_json(name_question("What is your name?")["params"].clone())?;
                let answer = ctx.elicit(question).await?;
                Ok(CallToolResult::text(format!(
                    "Elicited: {}",
                    serde_json::to_value(&answer.content).unwrap_or(Value::Null)
                )))
            },
        ))
        .tool(Tool::new(
            "test_logging_tool",
            "Logs one message (sent only if the request asked for a log level)",
            no_arguments(),
            |_: Value, ctx: Context| async move {
                ctx.log(LoggingLevel::Info, "test_logging_tool ran").await;
                Ok(CallToolResult::text("Logged"))
            },
        ))
        .tool(Tool::new(
            "test_trigger_tool_change",
            "Announces a change of the tool list",
            no_arguments(),
            move |_: Value, _ctx: Context| {
                let server = Arc::clone(&tools_server);
                async move {
                    if let Some(server) = server.get() {
                        server.notify_tools_changed();
                    }
                    Ok(CallToolResult::text("Tool list change announced"))
                }
            },
        ))
        .tool(Tool::new(
            "test_trigger_prompt_change",
            "Announces a change of the prompt list",
            no_arguments(),
            move |_: Value, _ctx: Context| {
                let server = Arc::clone(&prompts_server);
                async move {
                    if let Some(server) = server.get() {
                        server.notify_prompts_changed();
                    }
                    Ok(CallToolResult::text("Prompt list change announced"))
                }
            },
        ))
        .tool(Tool::new(
            "test_header_param",
            "Echoes a region mirrored into the Mcp-Param-Region header",
            json!({
                "type": "object",
                "properties": {"region": {"type": "string", "x-mcp-header": "Region"}},
                "required": ["region"]
            }),
            |args: Region, _ctx: Context| async move {
                Ok(CallToolResult::text(format!("Region: {}", args.region)))
            },
        ))
}
