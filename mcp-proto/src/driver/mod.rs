//! The async driver (feature `driver`): where the Sans-IO state machines meet async I/O,
//! written once for every runtime.
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
//!   [`http::HttpEndpoint`], shared by the adapters.
//! - [`server`]: the server API ([`server::Server`], [`server::Tool`],
//!   [`server::Context`]) and [`server::serve_stream`].

// The driver is std code by definition; the crate's core/alloc discipline guards the
// no_std state machines, not this module.
#![allow(clippy::std_instead_of_core, clippy::std_instead_of_alloc)]

pub mod client;
pub mod http;
#[cfg(feature = "hyper")]
pub mod hyper;
mod memory;
mod runtime;
pub mod server;
mod stream;

pub use runtime::{BoxFuture, Clock, Runtime, Timer, sleep};
