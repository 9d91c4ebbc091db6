//! The client side of a connection: [`ClientConnection`], a Sans-IO state machine for
//! stream transports (stdio, pipes, in-memory channels), and its [`cache`].
//!
//! ## Choosing the revision
//!
//! A client does not know in advance whether the server speaks 2025-11-25 (the
//! `initialize` handshake) or 2026-07-28 (a `_meta` envelope on every request). The
//! [`ClientMode`] decides how it finds out:
//!
//! ```text
//!       Auto                          Legacy                  Pinned
//!         |                             |                        |
//!         v                             |                        |
//!   +-----------+  -32022 naming a      |                        |
//!   |  Probing  |--version we speak---+ |                        |
//!   | (server/  |                     | |                        |
//!   | discover) |<--re-probe, once----+ |                        |
//!   +-----------+                       v                        |
//!     |   |   |   other error, `{}`,  +----------------+         |
//!     |   |   +---no modern version,->|  Initializing  |         |
//!     |   |       no answer in time   |  (initialize)  |         |
//!     |   |                           +----------------+         |
//!     |   |                             |            |           |
//!     |   | -32022 again, or            | result     | error, a  |
//!     |   | no version in common        v            | version we|
//!     |   |                       +------------+     | don't     |
//!     |   |                       |   Legacy   |     | speak, no |
//!     |   |                       | (2025-era) |     | answer    |
//!     |   v                       +------------+     v           |
//!     |  +-------------------------------------------------+     |
//!     |  | Closed (Incompatible, HandshakeTimedOut; also   |     |
//!     |  | from any state: end of stream, close())         |     |
//!     |  +-------------------------------------------------+     |
//!     | discover result with a modern version in common          |
//!     v                                                          |
//!   +------------+                                               |
//!   |   Modern   |<----------------------------------------------+
//!   | (2026-era) |
//!   +------------+
//! ```
//!
//! Requests sent before the revision is settled are held (within
//! [`Limits::max_outbound_in_flight`](crate::Limits)) and go out, stamped for the chosen
//! revision, right after [`ClientEvent::Ready`]. `Legacy` sends
//! `notifications/initialized` (and `logging/setLevel` when a log level is configured and
//! the server offers logging) before the held requests; `Modern` stamps every request with
//! the `_meta` envelope.
//!
//! Once `Modern`, a request the server refuses with `-32022` while listing a per-request
//! version the client speaks is sent again at that version, once, with a new id (and the
//! same `inputResponses` and `requestState` when it was a multi-round-trip retry); the
//! connection speaks that version from then on. Only a second refusal, or one naming no
//! version in common, reaches the application.
//!
//! Results are read as a 2026 client must: a result without `resultType` is complete, and
//! a cacheable result without `ttlMs`/`cacheScope` is fresh for 0 ms (not cached); every
//! other rule of the version in use is enforced (a result breaking one arrives as a
//! -32603 error).
//!
//! ## The run loop
//!
//! After every input (`handle_bytes`, `handle_eof`, `handle_timeout`) and every command
//! (`send_request`, `listen`, `provide_input`, `cancel`, `respond`, `notify`, `close`),
//! drain the outputs in this order:
//!
//! 1. [`ClientConnection::poll_transmit`] until `None`, writing the bytes to the server;
//! 2. [`ClientConnection::poll_event`] until `None`, acting on each event;
//! 3. [`ClientConnection::poll_timeout`], and call `handle_timeout` at that time.
//!
//! Every call takes `now`; time never runs backwards inside the connection. Ids are
//! integers from 1, and the same inputs give byte-identical outputs.
//!
//! ```
//! use mcp_proto::client::{ClientConfig, ClientConnection, ClientEvent, RequestOptions};
//! use mcp_proto::types::{ClientRequest, Implementation};
//! use mcp_proto::version::{Era, ProtocolVersion};
//! use mcp_proto::Timestamp;
//!
//! let now = Timestamp::ZERO;
//! let mut client = ClientConnection::new(now, ClientConfig::new(Implementation::new("demo", "1.0")));
//! // Held until the revision is known.
//! let list = client.send_request(now, ClientRequest::ListTools(None), RequestOptions::new())?;
//!
//! // 1. Transmit: the probe goes first, stamped with the 2026 envelope.
//! let mut wire = Vec::new();
//! while let Some(_transmit) = client.poll_transmit(&mut wire) {}
//! let probe: serde_json::Value = serde_json::from_slice(&wire).unwrap();
//! assert_eq!(probe["method"], "server/discover");
//! assert_eq!(probe["params"]["_meta"]["io.modelcontextprotocol/protocolVersion"], "2026-07-28");
//! // 2. Events: none yet. 3. Timeout: the probe's deadline.
//! assert!(client.poll_event().is_none());
//! assert!(client.poll_timeout().is_some());
//!
//! // The server answers the probe: a modern server.
//! client.handle_bytes(now, br#"{"jsonrpc":"2.0","id":1,"result":{"resultType":"complete","supportedVersions":["2026-07-28"],"capabilities":{"tools":{}},"ttlMs":0,"cacheScope":"public","_meta":{"io.modelcontextprotocol/serverInfo":{"name":"srv","version":"2"}}}}
//! "#);
//! wire.clear();
//! while let Some(_transmit) = client.poll_transmit(&mut wire) {}
//! let sent: serde_json::Value = serde_json::from_slice(&wire).unwrap();
//! assert_eq!((sent["id"].as_i64(), sent["method"].as_str()), (Some(2), Some("tools/list")));
//! assert_eq!(
//!     client.poll_event(),
//!     Some(ClientEvent::Ready { era: Era::Modern, version: ProtocolVersion::V2026_07_28 })
//! );
//! assert_eq!(client.server_info().map(|info| info.name.as_str()), Some("srv"));
//!
//! client.handle_bytes(now, br#"{"jsonrpc":"2.0","id":2,"result":{"resultType":"complete","tools":[],"ttlMs":0,"cacheScope":"public"}}
//! "#);
//! match client.poll_event() {
//!     Some(ClientEvent::Response { handle, outcome: Ok(result), cached: false }) => {
//!         assert_eq!(handle, list);
//!         assert!(result.raw().get().contains(r#""tools":[]"#));
//!     }
//!     other => panic!("unexpected {other:?}"),
//! }
//! assert!(client.is_idle());
//! # Ok::<(), mcp_proto::connection::SendError>(())
//! ```

pub mod cache;
mod config;
mod connection;
mod encoded;
mod envelope;
mod event;
mod listen;
mod mrtr;
mod negotiation;

pub use config::{ClientConfig, ClientMode, RequestOptions};
pub use connection::ClientConnection;
pub use encoded::EncodedRequest;
pub use event::{ClientEvent, RequestError};

#[cfg(test)]
mod tests;
