//! The JSON Schema scenarios: tool input schemas reach the application as the server
//! wrote them, and nothing in them is fetched.

use serde_json::json;

use super::{Invocation, ScenarioError, default_handlers, ensure};

/// `json-schema-ref-no-deref`: list tools whose schema holds a `$ref` to a network URL;
/// the client keeps the schema as it is and never fetches the reference.
pub(super) async fn ref_no_deref(invocation: &Invocation) -> Result<(), ScenarioError> {
    let client = invocation.connect(default_handlers()).await?;
    let tools = client.list_tools().await?;
    for tool in &tools.tools {
        eprintln!("{}: {}", tool.name, tool.input_schema.get());
    }
    ensure(!tools.tools.is_empty(), || String::from("no tool listed"))
}

/// The tool whose schema the echo scenario round-trips.
const FOCAL_TOOL: &str = "json_schema_2020_12_tool";

/// `json-schema-2020-12-preservation`: send the focal tool's `inputSchema`, as received,
/// back through `json_schema_echo`.
pub(super) async fn preservation(invocation: &Invocation) -> Result<(), ScenarioError> {
    let client = invocation.connect(default_handlers()).await?;
    let tools = client.list_tools().await?;
    let focal = tools
        .tools
        .iter()
        .find(|tool| tool.name == FOCAL_TOOL)
        .ok_or_else(|| ScenarioError::Failed(format!("the server lists no {FOCAL_TOOL}")))?;
    let schema = focal.input_schema.to_value();
    eprintln!("{FOCAL_TOOL}: {}", focal.input_schema.get());
    let result = client
        .call_tool("json_schema_echo", json!({ "schema": schema }))
        .await?;
    ensure(result.is_error != Some(true), || {
        String::from("json_schema_echo reported an error")
    })
}
