//! The core scenarios: the handshake, a tool call in either lifecycle, elicitation
//! defaults, SSE resumption and the per-request metadata.

use mcp_driver::client::CallOptions;
use mcp_proto::types::{ClientRequest, RequestParams};
use serde_json::json;

use super::{Invocation, ScenarioError, default_handlers, ensure, first_text};

/// `initialize`: the handshake (the harness checks our `initialize`), then a listing.
pub(super) async fn initialize(invocation: &Invocation) -> Result<(), ScenarioError> {
    let client = invocation.connect(default_handlers()).await?;
    let tools = client.list_tools().await?;
    eprintln!("{} tools", tools.tools.len());
    Ok(())
}

/// `tools_call`: list the tools, then `add_numbers` with numeric arguments.
pub(super) async fn tools_call(invocation: &Invocation) -> Result<(), ScenarioError> {
    let client = invocation.connect(default_handlers()).await?;
    let tools = client.list_tools().await?;
    ensure(
        tools.tools.iter().any(|tool| tool.name == "add_numbers"),
        || String::from("the server lists no add_numbers tool"),
    )?;
    let result = client
        .call_tool("add_numbers", json!({"a": 2, "b": 3}))
        .await?;
    let text = first_text(&result).unwrap_or_default();
    eprintln!("add_numbers(2, 3) -> {text}");
    ensure(text.contains('5'), || format!("unexpected sum: {text:?}"))
}

/// `elicitation-sep1034-client-defaults`: the tool asks a form whose fields all have
/// defaults; the user accepts without touching them, so every default comes back.
pub(super) async fn elicitation_defaults(invocation: &Invocation) -> Result<(), ScenarioError> {
    let client = invocation.connect(default_handlers()).await?;
    client.list_tools().await?;
    let result = client
        .call_tool("test_client_elicitation_defaults", json!({}))
        .await?;
    eprintln!(
        "test_client_elicitation_defaults -> {}",
        first_text(&result).unwrap_or_default()
    );
    ensure(result.is_error != Some(true), || {
        String::from("the tool reported an error")
    })
}

/// `sse-retry`: the server closes the call's stream before the result; the client
/// waits the stream's `retry` time and resumes with `GET` and `Last-Event-ID`.
pub(super) async fn sse_retry(invocation: &Invocation) -> Result<(), ScenarioError> {
    let client = invocation.connect(default_handlers()).await?;
    client.list_tools().await?;
    let result = client.call_tool("test_reconnection", json!({})).await?;
    let text = first_text(&result).unwrap_or_default();
    eprintln!("test_reconnection -> {text}");
    ensure(!text.is_empty(), || String::from("an empty result"))
}

/// `request-metadata`: every request carries the 2026 envelope; the server refuses the
/// first one with -32022, which the client answers by retrying at a version the
/// server supports.
pub(super) async fn request_metadata(invocation: &Invocation) -> Result<(), ScenarioError> {
    let client = invocation.connect(default_handlers()).await?;
    let discovered = client
        .request(
            ClientRequest::Discover(RequestParams::default()),
            CallOptions::new(),
        )
        .await?;
    eprintln!("server/discover -> {}", discovered.raw().get());
    let tools = client.list_tools().await?;
    eprintln!("{} tools", tools.tools.len());
    Ok(())
}
