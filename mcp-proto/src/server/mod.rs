//! The server side: [`ServerConnection`], one client on a byte stream, serving either
//! protocol era with nothing configured per era.
//!
//! # States
//!
//! ```text
//!                       notifications before the first request wait here
//!   AwaitingFirstRequest ─────────────────────────────────────────────────┐
//!     │                                                                    │ replayed
//!     ├─ initialize, or a request without a 2026 `_meta` protocol version ─┤ into the
//!     │     ▼                                                              │ chosen era
//!     │   Legacy(uninitialized) ── initialize answered ─▶ Legacy(version)  │
//!     │                              ── notifications/initialized ─▶ Legacy(initialized)
//!     │                                                                    │
//!     └─ a request whose `_meta` names a protocol version ─▶ Modern ◀──────┘
//!
//!   any state ── handle_eof / close ─▶ Closed (the `Closed` event is the last one)
//! ```
//!
//! The first request decides the era for the life of the connection (PROTOCOL 5.6.1, as
//! the reference SDK does). Afterwards cross-era traffic is refused: `initialize` on a
//! modern connection gets -32022 naming the served versions and echoing the requested
//! one; a request carrying a 2026 envelope on a legacy session gets -32600.
//!
//! - **Legacy**: `initialize` negotiates the version among every known 2025-era version
//!   served; then each request is validated under that version. `ping`,
//!   `logging/setLevel` and `resources/subscribe`/`unsubscribe` are answered by the core;
//!   everything else becomes a [`ServerEvent::Request`]. Server-to-client requests go out
//!   with [`ServerConnection::send_request`].
//! - **Modern**: every request stands alone. Its `_meta` envelope is checked in the
//!   specification's order (missing envelope -32602, unsupported version -32022 with
//!   `data.supported`/`data.requested`, unknown or removed method -32601, params -32602,
//!   undeclared capability -32021). `server/discover` and `subscriptions/listen` are
//!   answered by the core; an echoed `requestState` is verified and opened before the
//!   application sees the request, and a bad one is refused with -32602.
//!
//! Methods outside the specification's table are refused with -32601, except the vendor
//! methods named in [`ServerConfig::custom_methods`]: those pass the same envelope checks
//! and reach the application as ordinary [`ServerEvent::Request`]s in either era.
//!
//! Replies go through [`ServerConnection::respond`], which shapes the result for the era
//! it goes out under and validates it; an invalid reply becomes an error response (see
//! [`Delivery`](crate::connection::Delivery)).
//!
//! # The run loop
//!
//! After every input or command, drain `poll_transmit` (write the bytes), then
//! `poll_event` (act on the events), then read `poll_timeout`.
//!
//! ```
//! use mcp_proto::server::{Reply, ServerConfig, ServerConnection, ServerEvent};
//! use mcp_proto::types::Implementation;
//! use mcp_proto::Timestamp;
//!
//! let info = Implementation::new("example-server", "1.0.0");
//! let mut server = ServerConnection::new(ServerConfig::new(info));
//! let now = Timestamp::from_millis(1);
//!
//! // A 2026-07-28 client asks for the tool list: no handshake.
//! server.handle_bytes(now, concat!(
//!     r#"{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"_meta":{"#,
//!     r#""io.modelcontextprotocol/protocolVersion":"2026-07-28","#,
//!     r#""io.modelcontextprotocol/clientCapabilities":{}}}}"#,
//!     "\n",
//! ).as_bytes());
//!
//! let mut wire = Vec::new();
//! while let Some(_transmit) = server.poll_transmit(&mut wire) {}
//! while let Some(event) = server.poll_event() {
//!     if let ServerEvent::Request(request) = event {
//!         assert_eq!(request.method, "tools/list");
//!         let reply = Reply::result(&serde_json::json!({"tools": []}));
//!         server.respond(now, request.token, reply).unwrap();
//!     }
//! }
//! while let Some(_transmit) = server.poll_transmit(&mut wire) {}
//! let text = String::from_utf8(wire).unwrap();
//! // Shaped for 2026-07-28: resultType and the cache hints were added.
//! assert!(text.contains(r#""resultType":"complete""#));
//! assert!(text.contains(r#""ttlMs":0"#));
//! ```

mod config;
mod connection;
mod event;
mod inbound;
mod legacy;
mod modern;
mod publish;
mod reply;
mod subscriptions;

pub use config::{CacheHints, CustomMethodError, CustomMethods, ServerConfig};
pub use connection::{RequestOptions, ServerConnection};
pub use event::{Change, InboundRequest, InputRequired, Reply, RequestContext, ServerEvent};

#[cfg(test)]
mod tests;
