//! # mcp-proto
//!
//! A Sans-IO core for the Model Context Protocol: everything that is protocol, as pure
//! code fed bytes and time, with no I/O, clock, randomness or async runtime of its own.
//! It speaks both revisions side by side: **2025-11-25** (the `initialize` handshake,
//! sessions, server-initiated requests) and **2026-07-28** (no handshake, a per-request
//! `_meta` envelope, `server/discover`, multi-round-trip requests, `subscriptions/listen`).
//!
//! The crate is `#![no_std]` with `alloc`; the `std` feature only adds conveniences.
//!
//! ## Layers
//!
//! - [`jsonrpc`]: the message envelope, ids, error objects, lazy decoding and encoding
//!   into caller-owned buffers.
//! - [`framing`]: newline-delimited framing for stdio and other byte streams.
//! - [`types`]: every wire type of both revisions in one model (snake_case in Rust,
//!   camelCase on the wire, unknown fields ignored), and typed method enums per direction.
//! - [`version`]: protocol version strings, the era each belongs to, negotiation order.
//! - [`validate`]: per-version validation of a decoded message, giving the exact JSON-RPC
//!   error the receiver must answer with.
//! - [`server`]: [`server::ServerConnection`], a client on a byte stream served in either
//!   era (the first request decides), with request tracking, reply shaping and
//!   validation, server-to-client requests, subscriptions and multi-round-trip replies.
//! - [`client`]: [`client::ClientConnection`], with era negotiation (`Auto`, `Legacy`,
//!   `Pinned`), the 2026 `_meta` envelope, deadlines and cancellation, the
//!   multi-round-trip loop, `subscriptions/listen` and a response cache.
//! - [`mrtr`]: sealing and opening `requestState` ([`mrtr::HmacSealer`] or your own
//!   [`mrtr::StateSealer`]).
//! - [`http`]: Streamable HTTP without sockets: the pure rules (routing each request to
//!   a 2026 exchange or a legacy session, the status table, `Accept`/`Content-Type`, the
//!   Host/Origin policy, the `Mcp-*` headers both ways with the `=?base64?…?=` form and
//!   `x-mcp-header` parameters, SSE encoding and decoding) and the state machines of
//!   both sides: [`http::server`] (`HttpServer`, `HttpSession`, `HttpExchange`: which
//!   response each message goes out on, event ids, replay and resumption, keep-alives,
//!   session expiry) and [`http::HttpClient`] (which request to make next, session ids,
//!   SSE, resumption, re-initialising after a 404).
//! - [`uri_template`]: RFC 6570 templates, expanded and matched, with traversal refused.
//! - [`connection`]: what both sides share: the run-loop contract, handles, tokens,
//!   errors; [`Timestamp`] and [`Limits`].
//! - `testing` (feature `testing`): `Pair`, a client and a server over a seeded simulated
//!   link with virtual time; `HttpPair`, the same for the HTTP client and server state
//!   machines (seeded chunking, dropped connections, every deadline virtual); and the
//!   fuzz bodies.
//!
//! ## The run loop
//!
//! Every state machine is driven the same way, by whoever owns the I/O: feed what
//! happened (`handle_bytes`, `handle_eof`, `handle_timeout`, each with `now` first) or
//! issue a command (`respond`, `send_request`, …); then drain `poll_transmit` (write the
//! bytes), `poll_event` (act on the events) and read `poll_timeout` (when to call
//! `handle_timeout`). Nothing else ever happens: the core does no I/O, reads no clock and
//! draws no randomness, so the same inputs always give the same bytes.
//!
//! ## Decoding a message and checking it under a revision
//!
//! ```
//! use mcp_proto::jsonrpc::decode;
//! use mcp_proto::validate::{validate, Direction};
//! use mcp_proto::version::ProtocolVersion;
//!
//! let ping = decode(br#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#)?;
//! // Fine in a 2025-11-25 session...
//! assert!(validate(&ping, Direction::ClientToServer, &ProtocolVersion::V2025_11_25, None).is_ok());
//! // ...but at 2026-07-28 every request needs the `_meta` envelope first (-32602)...
//! let error = validate(&ping, Direction::ClientToServer, &ProtocolVersion::V2026_07_28, None)
//!     .unwrap_err();
//! assert_eq!(error.code().0, -32602);
//! // ...and with it, `ping` is a method 2026-07-28 removed (-32601).
//! let ping = decode(br#"{"jsonrpc":"2.0","id":2,"method":"ping","params":{"_meta":{
//!     "io.modelcontextprotocol/protocolVersion":"2026-07-28",
//!     "io.modelcontextprotocol/clientCapabilities":{}}}}"#)?;
//! let error = validate(&ping, Direction::ClientToServer, &ProtocolVersion::V2026_07_28, None)
//!     .unwrap_err();
//! assert_eq!(error.code().0, -32601);
//! # Ok::<(), mcp_proto::jsonrpc::DecodeError>(())
//! ```

#![no_std]
#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing,
        clippy::unreachable,
        clippy::todo,
        clippy::unimplemented
    )
)]
#![warn(
    missing_docs,
    clippy::std_instead_of_core,
    clippy::std_instead_of_alloc,
    clippy::alloc_instead_of_core
)]

extern crate alloc;
#[cfg(any(feature = "std", test))]
extern crate std;

pub mod client;
pub mod connection;
#[cfg(test)]
mod fast_path_tests;
pub mod framing;
pub mod http;
pub mod json;
pub mod jsonrpc;
mod limits;
pub mod mrtr;
pub mod server;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
pub mod time;
pub mod types;
pub mod uri_template;
pub mod validate;
pub mod version;

pub use limits::Limits;
pub use time::Timestamp;
