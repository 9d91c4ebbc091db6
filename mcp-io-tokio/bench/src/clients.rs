//! Both SDKs' clients, set up for one era, and one `tools/call echo` each.

use mcp_io_tokio::mcp_driver::client::Client;
use mcp_io_tokio::mcp_proto::client::{ClientConfig, ClientMode};
use mcp_io_tokio::mcp_proto::types::Implementation;
use mcp_io_tokio::mcp_proto::version::Era as OurEra;
use rmcp::model::{CallToolRequestParams, JsonObject, ProtocolVersion};
use rmcp::service::{ClientLifecycleMode, ClientServiceExt as _, RunningService};
use rmcp::transport::IntoTransport;
use rmcp::{Peer, RoleClient, ServiceExt as _};

use crate::echo::TOOL_NAME;
use crate::sections::Era;
use crate::wire::ECHO_TEXT;

/// Our client configuration for `era`: the default probing client for 2026-07-28, the
/// handshake-only client for 2025-11-25.
pub fn our_config(era: Era) -> ClientConfig {
    let mode = match era {
        Era::Modern => ClientMode::Auto,
        Era::Legacy => ClientMode::Legacy,
    };
    ClientConfig::new(Implementation::new("bench", "1.0.0")).with_mode(mode)
}

/// Checks that our client settled on `era`.
pub fn check_our_era(client: &Client, era: Era) -> Result<(), String> {
    let wanted = match era {
        Era::Modern => OurEra::Modern,
        Era::Legacy => OurEra::Legacy,
    };
    match client.era() {
        Some(settled) if settled == wanted => Ok(()),
        other => Err(format!("our client settled on {other:?}, not {wanted:?}")),
    }
}

/// One `tools/call echo` through our client.
pub async fn our_call(client: &Client) -> Result<(), String> {
    let result = client
        .call_tool(TOOL_NAME, serde_json::json!({ "text": ECHO_TEXT }))
        .await
        .map_err(|error| error.to_string())?;
    if result.is_error == Some(true) {
        return Err(String::from("echo answered with a tool error"));
    }
    Ok(())
}

/// rmcp's client with no handler of its own.
pub type ReferenceClient = RunningService<RoleClient, ()>;

/// Connects rmcp's client over `transport`: `server/discover` and per-request metadata
/// for 2026-07-28, its default `initialize` handshake for 2025-11-25.
pub async fn reference_connect<T, E, A>(transport: T, era: Era) -> Result<ReferenceClient, String>
where
    T: IntoTransport<RoleClient, E, A>,
    E: std::error::Error + Send + Sync + 'static,
{
    let connected = match era {
        Era::Modern => {
            let lifecycle = ClientLifecycleMode::Discover {
                preferred_versions: vec![ProtocolVersion::V_2026_07_28],
            };
            ().serve_with_lifecycle(transport, lifecycle).await
        }
        Era::Legacy => ().serve(transport).await,
    };
    connected.map_err(|error| error.to_string())
}

/// The echo arguments as rmcp takes them.
pub fn reference_arguments() -> JsonObject {
    let mut arguments = JsonObject::new();
    arguments.insert(String::from("text"), ECHO_TEXT.into());
    arguments
}

/// One `tools/call echo` through rmcp's client.
pub async fn reference_call(peer: &Peer<RoleClient>, arguments: &JsonObject) -> Result<(), String> {
    let params = CallToolRequestParams::new(TOOL_NAME).with_arguments(arguments.clone());
    let result = peer
        .call_tool(params)
        .await
        .map_err(|error| error.to_string())?;
    if result.is_error == Some(true) {
        return Err(String::from("echo answered with a tool error"));
    }
    Ok(())
}
