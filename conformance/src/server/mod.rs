//! The everything-server's fixtures: one [`Server`] serving both eras.

use mcp_proto::driver::server::Server;
use mcp_proto::types::Implementation;

/// Builds the everything-server: every fixture the suite's server scenarios call.
pub fn everything_server() -> Server {
    Server::builder(Implementation::new("mcp-conformance-test-server", "1.0.0")).build()
}
