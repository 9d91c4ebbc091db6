//! smol runtime adapter for [`mcp_proto`].
//!
//! The same surface as `mcp-io-tokio`, built on async-io, async-net and async-process.
//! The transports arrive with the async driver; until then this crate only re-exports the
//! core so downstream code can depend on the final crate name.

pub use mcp_proto;
