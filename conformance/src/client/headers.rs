//! The HTTP header scenarios (2026-07-28): the standard `Mcp-Method`/`Mcp-Name` headers,
//! `Mcp-Param-*` headers mirrored from `x-mcp-header` arguments, and tools whose
//! annotations are invalid.

use serde_json::{Map, Value, json};

use super::{Invocation, ScenarioError, default_handlers, ensure};

/// `http-standard-headers`: one request of every kind that names something.
pub(super) async fn standard(invocation: &Invocation) -> Result<(), ScenarioError> {
    let client = invocation.connect(default_handlers()).await?;
    let tools = client.list_tools().await?;
    for tool in &tools.tools {
        client.call_tool(&tool.name, json!({})).await?;
    }
    for resource in client.list_resources().await? {
        client.read_resource(&resource.uri).await?;
    }
    for prompt in client.list_prompts().await? {
        client.get_prompt(&prompt.name, &[]).await?;
    }
    Ok(())
}

/// `http-custom-headers`: list the tools (which teaches the client their annotations),
/// then make exactly the calls of the context's `toolCalls`.
pub(super) async fn custom(invocation: &Invocation) -> Result<(), ScenarioError> {
    let calls = invocation
        .context
        .as_ref()
        .and_then(|context| context.get("toolCalls"))
        .and_then(Value::as_array)
        .ok_or_else(|| {
            ScenarioError::Invocation(String::from(
                "MCP_CONFORMANCE_CONTEXT has no toolCalls array",
            ))
        })?;
    let client = invocation.connect(default_handlers()).await?;
    client.list_tools().await?;
    for call in calls {
        let name = call.get("name").and_then(Value::as_str).ok_or_else(|| {
            ScenarioError::Invocation(format!("a tool call without a name: {call}"))
        })?;
        let arguments = call.get("arguments").cloned().unwrap_or_else(|| json!({}));
        let result = client.call_tool(name, arguments).await?;
        ensure(result.is_error != Some(true), || {
            format!("{name} reported an error")
        })?;
    }
    Ok(())
}

/// `http-invalid-tool-headers`: the client drops tools whose `x-mcp-header` annotations
/// are invalid from the listing; every tool that remains is called, with its required
/// string arguments filled in.
pub(super) async fn invalid_tools(invocation: &Invocation) -> Result<(), ScenarioError> {
    let client = invocation.connect(default_handlers()).await?;
    let tools = client.list_tools().await?;
    let names: Vec<&str> = tools.tools.iter().map(|tool| tool.name.as_str()).collect();
    eprintln!("usable tools: {}", names.join(", "));
    ensure(!tools.tools.is_empty(), || {
        String::from("no usable tool was listed")
    })?;
    for tool in &tools.tools {
        let arguments = sample_arguments(&tool.input_schema.to_value());
        client.call_tool(&tool.name, arguments).await?;
    }
    Ok(())
}

/// Arguments for a tool: a sample string for every required string property.
fn sample_arguments(schema: &Value) -> Value {
    let properties = schema.get("properties").and_then(Value::as_object);
    let required = schema.get("required").and_then(Value::as_array);
    let mut arguments = Map::new();
    for name in required.into_iter().flatten().filter_map(Value::as_str) {
        let kind = properties
            .and_then(|properties| properties.get(name))
            .and_then(|property| property.get("type"))
            .and_then(Value::as_str);
        if kind == Some("string") {
            arguments.insert(String::from(name), json!("us-east-1"));
        }
    }
    Value::Object(arguments)
}
