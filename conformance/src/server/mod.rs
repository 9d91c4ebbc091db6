//! The everything-server: one [`Server`] carrying every fixture the conformance suite's
//! server scenarios call (`shared/spec/CONFORMANCE.md` section 4), serving both eras on
//! one endpoint with nothing configured per era.
//!
//! It is built with the public server API only, as any user would write it: tools,
//! resources, templates and prompts on [`Server::builder`], era-portable input through
//! [`Context`](mcp_driver::server::Context), change notifications through
//! [`Server::notify_tools_changed`] and its siblings.

mod content;
mod diagnostic;
mod input;
mod prompts;
mod resources;

use std::sync::{Arc, OnceLock};

use mcp_driver::Runtime;
use mcp_driver::server::{Server, ToolError};
use mcp_proto::types::Implementation;
use serde::de::DeserializeOwned;

/// A 1×1 red PNG, Base64-encoded: the image of every image fixture.
pub const RED_PIXEL_PNG: &str = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==";

/// A few samples of 16-bit mono silence as a WAV file, Base64-encoded.
pub const SILENT_WAV: &str =
    "UklGRjQAAABXQVZFZm10IBAAAAABAAEAQB8AAIA+AAACABAAZGF0YRAAAAAAAAAAAAAAAAAAAAAAAAAA";

/// Builds the everything-server. `runtime` paces the fixtures that report progress or
/// log over time (the adapter's runtime: tokio or smol).
pub fn everything_server(runtime: Arc<dyn Runtime>) -> Server {
    // The trigger tools publish list changes through the server they belong to.
    let this: Arc<OnceLock<Server>> = Arc::new(OnceLock::new());
    let builder = Server::builder(Implementation::new("mcp-conformance-test-server", "1.0.0"));
    let builder = content::register(builder, &runtime);
    let builder = input::register(builder);
    let builder = diagnostic::register(builder, &this);
    let builder = resources::register(builder);
    let builder = prompts::register(builder);
    let server = builder.build();
    let _ = this.set(server.clone());
    server
}

/// Decodes a result written as JSON: the fixtures' results are given exactly as the
/// suite's catalogue spells them.
pub(crate) fn from_json<T: DeserializeOwned>(value: serde_json::Value) -> Result<T, ToolError> {
    serde_json::from_value(value).map_err(|error| ToolError::failed(error.to_string()))
}

/// The input schema of a tool without arguments.
pub(crate) fn no_arguments() -> serde_json::Value {
    serde_json::json!({"type": "object", "properties": {}})
}
