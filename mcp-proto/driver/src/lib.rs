//! # mcp-driver
//!
//! The async driver of [`mcp_proto`]: where the Sans-IO state machines meet async I/O,
//! written once for every runtime, and the application API (servers with tools,
//! resources and prompts; clients with callbacks) on top.
//!
//! It is built on `mcp-proto`'s public API alone, with no private door into the core:
//! whatever it does, a driver of your own (a blocking server, an embedded transport, a
//! WebAssembly worker) can do with `mcp-proto` too. `mcp-proto`'s `blocking_http` example
//! is one.
//!
//! A runtime adapter implements [`Runtime`] (spawn, timers, clock) and hands the driver a
//! byte stream (anything `futures_io::AsyncRead + AsyncWrite`); the driver does the rest:
//! it feeds bytes and time to a connection, drains its output in the documented order,
//! runs each request's handler (on the drive loop until it first waits, then as its own
//! task), and routes handler commands (replies, progress, log messages,
//! server-to-client requests) back into the connection.
//!
//! - [`client`]: the client API ([`client::Client`], [`client::ClientHandlers`]) and
//!   [`client::connect_stream`] / [`client::connect_in_memory`] /
//!   [`client::connect_http`] (Streamable HTTP in both eras over any HTTP library that
//!   implements [`client::http::HttpTransport`]).
//! - [`http`]: [`http::HttpEndpoint`], which serves Streamable HTTP requests for any HTTP
//!   library.
//! - `hyper` (feature `hyper`): the hyper 1.x glue that runs one request through an
//!   [`http::HttpEndpoint`], and one HTTP/1.1 connection under its `ConnectionLimits`
//!   (header, body and keep-alive timeouts, the most open connections), shared by the
//!   adapters.
//! - [`server`]: the server API ([`server::Server`], [`server::Tool`],
//!   [`server::Context`]) and [`server::serve_stream`].

#![forbid(unsafe_code)]

pub mod client;
pub mod http;
#[cfg(feature = "hyper")]
pub mod hyper;
mod memory;
mod runtime;
pub mod server;
mod stream;

pub use runtime::{BoxFuture, Clock, Runtime, Timer, sleep};
