//! Deterministic simulation of a client and a server over a simulated link (feature
//! `testing`), in the manner of quinn-proto's `Pair`.
//!
//! [`Pair`] owns a [`ClientConnection`](crate::client::ClientConnection) and a
//! [`ServerConnection`](crate::server::ServerConnection), a virtual clock and two
//! one-way links. A [`NetSim`] seeded by the test splits every write into chunks of
//! random size and delays them by a latency, so framing, reassembly and timing are
//! exercised exactly as over a real pipe, and the same seed gives the same transcript
//! byte for byte. Nothing here reads a clock or a random source: time moves only when
//! the test moves it, and the "randomness" is a seeded generator.
//!
//! ```
//! # #[cfg(feature = "testing")] {
//! use mcp_proto::client::{ClientConfig, ClientEvent};
//! use mcp_proto::server::ServerConfig;
//! use mcp_proto::testing::Pair;
//! use mcp_proto::types::Implementation;
//! use mcp_proto::version::{Era, ProtocolVersion};
//!
//! let client = ClientConfig::new(Implementation::new("client", "1"));
//! let server = ServerConfig::new(Implementation::new("server", "1"));
//! let mut pair = Pair::new(7, client, server);
//! pair.drive();
//! // An auto client and a dual-era server settle on 2026-07-28 through server/discover.
//! assert_eq!(pair.client.era(), Some(Era::Modern));
//! assert_eq!(pair.client.protocol_version(), Some(&ProtocolVersion::V2026_07_28));
//! assert!(pair.client_events.iter().any(|event| matches!(event, ClientEvent::Ready { .. })));
//! # }
//! ```
//!
//! [`HttpPair`] does the same for Streamable HTTP: an
//! [`HttpClient`](crate::http::HttpClient) against an
//! [`HttpServer`](crate::http::server::HttpServer) with its legacy sessions and its
//! 2026-07-28 exchanges, the pair playing the HTTP layer (requests, response heads, body
//! chunks, dropped connections) with virtual time. The test plays both applications:
//!
//! ```
//! # #[cfg(feature = "testing")] {
//! use mcp_proto::client::{ClientConfig, ClientEvent, ClientMode, RequestOptions};
//! use mcp_proto::server::{Reply, ServerConfig, ServerEvent};
//! use mcp_proto::testing::HttpPair;
//! use mcp_proto::types::{ClientRequest, Implementation, ServerCapabilities};
//!
//! let client = ClientConfig::new(Implementation::new("client", "1")).with_mode(ClientMode::Legacy);
//! let capabilities: ServerCapabilities = serde_json::from_str(r#"{"tools":{}}"#).unwrap();
//! let server = ServerConfig::new(Implementation::new("server", "1")).with_capabilities(capabilities);
//! let mut pair = HttpPair::new(7, client, server);
//! pair.drive();
//! // The handshake made a legacy session, its id minted from the seed.
//! assert_eq!(pair.server.session_count(), 1);
//! assert!(pair.client.session_id().is_some());
//!
//! let now = pair.now;
//! let request = ClientRequest::ListTools(None);
//! let handle = pair.client.connection_mut().send_request(now, request, RequestOptions::new()).unwrap();
//! pair.drive();
//! // The server's application answers through the session that got the request.
//! while let Some((served_by, event)) = pair.next_server_event() {
//!     if let ServerEvent::Request(request) = event {
//!         let connection = pair.server_connection_mut(&served_by).unwrap();
//!         let reply = Reply::result(&serde_json::json!({"tools": []}));
//!         connection.respond(now, request.token, reply).unwrap();
//!     }
//! }
//! pair.drive();
//! assert!(pair.client_events.iter().any(|event| matches!(
//!     event,
//!     ClientEvent::Response { handle: answered, outcome: Ok(_), .. } if *answered == handle
//! )));
//! # }
//! ```

pub mod fuzz;
mod fuzz_http;
mod fuzz_http_client;
mod fuzz_params;
mod fuzz_sse;
mod fuzz_state;
mod fuzz_uri;
mod http_pair;
mod netsim;
mod pair;

pub use http_pair::{
    ConnectionId, DeadlineOwner, ExchangeOutcome, ExchangeRecord, HttpPair, ServedBy,
};
pub use netsim::{NetSim, Rng};
pub use pair::{MAX_STEPS, Pair, Side};
