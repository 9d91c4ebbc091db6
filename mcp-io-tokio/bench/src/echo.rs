//! The one tool both servers serve: `echo(text) -> text`, with one argument type (so one
//! input schema) shared by the two SDKs.

use mcp_io_tokio::mcp_driver::server::{Context, Server, Tool, ToolError};
use mcp_io_tokio::mcp_proto::types::{CallToolResult, Implementation};
use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{ServerCapabilities, ServerConfig};
use rmcp::{ServerHandler, tool, tool_handler, tool_router};

/// The tool's name on the wire.
pub const TOOL_NAME: &str = "echo";

/// The tool's description on the wire.
const DESCRIPTION: &str = "Repeats the text";

/// The arguments of `echo`.
#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
pub struct EchoArgs {
    /// The text to send back.
    pub text: String,
}

/// Our server with the echo tool.
pub fn our_server() -> Server {
    Server::builder(Implementation::new("bench-echo", "1.0.0"))
        .tool(Tool::typed(TOOL_NAME, DESCRIPTION, our_echo))
        .build()
}

async fn our_echo(args: EchoArgs, _context: Context) -> Result<CallToolResult, ToolError> {
    Ok(CallToolResult::text(args.text))
}

/// rmcp's server with the echo tool, written with its macros. The router is built once
/// and kept (`router = self.tool_router`) rather than rebuilt per call, which is what a bare
/// `#[tool_handler]` does in 3.11: the faster of rmcp's two documented forms.
#[derive(Debug, Clone)]
pub struct ReferenceEcho {
    tool_router: ToolRouter<Self>,
}

impl Default for ReferenceEcho {
    fn default() -> Self {
        ReferenceEcho {
            tool_router: Self::tool_router(),
        }
    }
}

#[tool_router]
impl ReferenceEcho {
    /// Repeats the text.
    #[tool(name = "echo", description = "Repeats the text")]
    fn echo(&self, Parameters(args): Parameters<EchoArgs>) -> String {
        args.text
    }
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for ReferenceEcho {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
    }
}
