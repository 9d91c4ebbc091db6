//! tokio runtime adapter for [`mcp_proto`].
//!
//! The adapter owns sockets, pipes, timers and task spawning and nothing else: every
//! protocol rule lives in `mcp-proto`. The transports (stdio, child process, in-memory,
//! Streamable HTTP) arrive with the async driver; until then this crate only re-exports
//! the core so downstream code can depend on the final crate name.

pub use mcp_proto;
