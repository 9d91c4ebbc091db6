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

pub mod fuzz;
mod netsim;
mod pair;

pub use netsim::{NetSim, Rng};
pub use pair::{MAX_STEPS, Pair, Side};
