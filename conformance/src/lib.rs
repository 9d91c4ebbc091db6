//! Conformance tooling: the everything-server and everything-client used with the
//! official MCP conformance suite, and interop tests against the reference SDK.
//!
//! The binaries arrive once the server and client APIs exist; this crate currently only
//! pins the dependency on the core.

pub use mcp_proto;
