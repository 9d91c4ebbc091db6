//! End-to-end comparison of this project's MCP server and client with rmcp 3.11.0, the
//! reference Rust SDK: calls per second in memory, over stdio and over Streamable HTTP,
//! latency percentiles, resident memory per idle legacy session and instructions per call.
//!
//! The `bench` binary runs every measurement and prints one markdown table; the
//! `bench-server` binary is the server process it starts. See `README.md` beside this
//! crate for what each row measures.

pub mod clients;
pub mod echo;
pub mod load;
pub mod process;
pub mod sections;
pub mod serve;
pub mod settings;
pub mod table;
pub mod wire;
