//! Conformance tooling: the everything-server and everything-client that the official
//! MCP conformance suite (`@modelcontextprotocol/conformance`) drives, built on the
//! public server and client API exactly as a user would build them.
//!
//! - [`server::everything_server`] holds the fixtures of the suite's server scenarios
//!   (`shared/spec/CONFORMANCE.md` section 4) for both eras on one endpoint; the
//!   `everything-server` binary serves it on `--port` with tokio or smol.
//! - [`client`] holds the client scenarios (sections 6 and 7); the `everything-client`
//!   binary runs the one named by `MCP_CONFORMANCE_SCENARIO` against the URL it is given.
//! - `conformance/run` installs the pinned harness and runs every leg against both.

pub mod client;
pub mod server;

pub use mcp_proto;
