//! Multi-round-trip requests (2026-07-28): sealing and opening `requestState`.
//!
//! ## What `requestState` is
//!
//! At 2026-07-28 a server that needs more from the client mid-request (an elicitation, a
//! sampling call, a list of roots) answers with an `InputRequiredResult` instead of
//! sending a request of its own. The client gathers the inputs and retries the *same*
//! request (same method, same `name`/`uri`/`arguments`) with `inputResponses` added. So
//! that the server need not remember anything between rounds, possibly on another
//! replica, the result may carry `requestState`: an opaque string the client echoes byte
//! for byte on the retry. Each round carries a fresh `requestState`.
//!
//! ## Threat model
//!
//! Whatever the client echoes is attacker-controlled. A server that decoded its own state
//! back without checking it would let a client forge progress ("the user already
//! approved"), replay an old round, or move a state minted for one call onto another.
//! A [`StateSealer`] therefore protects the state's integrity with a MAC, and refuses:
//!
//! - anything it did not seal itself, or that was altered in any byte;
//! - a state presented on a request other than the one it was issued for: the
//!   [`StateBinding`] covers the method, a [`salient_params_digest`] of the parameters
//!   that identify the logical request (`name` and `arguments` for `tools/call` and
//!   `prompts/get`, `uri` for `resources/read`; never `inputResponses`, `requestState`
//!   or `_meta`, which change between rounds) and, when the transport authenticates
//!   one, the principal;
//! - a state past its expiry (600 s per round by default), which bounds replay.
//!
//! The state is authenticated, not encrypted: the client can read it, so it must not hold
//! secrets. Every failure is answered with the same error, -32602
//! ([`INVALID_STATE_CODE`]) and [`INVALID_STATE_MESSAGE`], so the wire does not reveal
//! which check failed; [`OpenError`] tells the cause to logs only.
//!
//! The core reads no clock and no random source: `now` comes from the driver (on the Unix
//! epoch, so replicas agree), and keys and the nonce seed from the caller.
//!
//! ## Keys and rotation
//!
//! [`HmacSealer`] holds one sealing key and up to [`MAX_KEYS`]` - 1` older keys for
//! opening only. Every replica that may receive a retry needs the same keys. Each token
//! names its key id, so after [`HmacSealer::rotate`] tokens sealed under the previous key
//! keep opening until it is [retired](HmacSealer::retire) (or pushed out by later
//! rotations); rotate, wait one TTL, then retire.
//!
//! ## Token format
//!
//! ```text
//! v1.<key_id>.<base64url-no-pad(payload)>.<base64url-no-pad(tag)>
//!
//! payload = expiry ‖ nonce ‖ state
//!   expiry  u64 big-endian: (now + ttl) in milliseconds of the driver's epoch, rounded up
//!   nonce   16 bytes: HMAC-SHA256(key, "mcp-request-state/nonce/v1" ‖ seed ‖ counter)[..16],
//!           counter a u64 big-endian incremented on every seal
//!   state   the application bytes, possibly none
//!
//! tag = HMAC-SHA256(key, "mcp-request-state/v1"
//!                        ‖ len(key_id) ‖ key_id
//!                        ‖ len(method) ‖ method
//!                        ‖ params_digest                     (32 bytes)
//!                        ‖ 0x00                              (no principal)
//!                          | 0x01 ‖ len(principal) ‖ principal
//!                        ‖ payload)
//!   len(x) is the byte length of x as a u64 big-endian
//! ```
//!
//! Key ids are 1 to 16 characters of `[A-Za-z0-9_-]`. [`HmacSealer::open`](StateSealer::open)
//! checks, in order: the length bound ([`OpenError::TooLarge`], before any decoding), the
//! shape, version and base64 ([`OpenError::Malformed`]), the key id
//! ([`OpenError::UnknownKey`]), the tag in constant time ([`OpenError::Invalid`]) and
//! finally the expiry ([`OpenError::Expired`]; a state opens up to and including its
//! expiry instant).
//!
//! ## Example
//!
//! ```
//! use core::time::Duration;
//! use mcp_proto::jsonrpc::Params;
//! use mcp_proto::mrtr::{HmacSealer, OpenError, StateBinding, StateSealer};
//! use mcp_proto::time::Timestamp;
//!
//! // Keys and seed come from the caller's random source; fixed here for the example.
//! let mut sealer = HmacSealer::new("2026a", [0x42; 32], [0x17; 16])?;
//! let now = Timestamp::from_millis(1_780_000_000_000);
//!
//! // Round 1: the handler needs input and keeps its progress in the state.
//! let call = Params::from_serialize(&serde_json::json!({
//!     "name": "deploy", "arguments": { "env": "prod", "replicas": 3 }
//! }))?;
//! let binding = StateBinding::for_request("tools/call", Some(&call), Some("alice"));
//! let request_state = sealer.seal(now, &binding, b"step=confirm")?;
//!
//! // Round 2: the retry adds inputResponses and echoes requestState; the arguments may
//! // come back re-serialised in another order.
//! let retry = Params::from_serialize(&serde_json::json!({
//!     "arguments": { "replicas": 3, "env": "prod" },
//!     "name": "deploy",
//!     "inputResponses": { "confirm": { "action": "accept" } },
//!     "requestState": request_state,
//! }))?;
//! let binding = StateBinding::for_request("tools/call", Some(&retry), Some("alice"));
//! let later = now.saturating_add(Duration::from_secs(30));
//! assert_eq!(sealer.open(later, &binding, &request_state)?, b"step=confirm");
//!
//! // A tampered echo never opens...
//! let tampered = format!("{request_state}-TAMPERED");
//! assert!(sealer.open(later, &binding, &tampered).is_err());
//! // ...nor does the genuine state on another tool call, or after its expiry.
//! let other = StateBinding::for_request("tools/call", Some(&Params::from_serialize(
//!     &serde_json::json!({ "name": "deploy", "arguments": { "env": "dev", "replicas": 3 } }),
//! )?), Some("alice"));
//! assert_eq!(sealer.open(later, &other, &request_state), Err(OpenError::Invalid));
//! let too_late = now.saturating_add(Duration::from_secs(601));
//! assert_eq!(sealer.open(too_late, &binding, &request_state), Err(OpenError::Expired));
//! # Ok::<(), Box<dyn core::error::Error>>(())
//! ```

mod digest;
mod hmac_sealer;
mod seal;

pub use digest::salient_params_digest;
pub(crate) use digest::salient_text_digest;
pub use hmac_sealer::{
    DEFAULT_MAX_STATE_LEN, DEFAULT_TTL, HmacSealer, KeyError, MAX_KEY_ID_LEN, MAX_KEYS,
};
pub use seal::{OpenError, SealError, StateBinding, StateSealer};

use crate::jsonrpc::ErrorCode;

/// The one message a server answers with for every `requestState` that fails to open,
/// whatever the cause, so the wire does not reveal which check failed.
pub const INVALID_STATE_MESSAGE: &str = "Invalid or expired requestState";

/// The JSON-RPC error code sent with [`INVALID_STATE_MESSAGE`]: -32602, invalid params.
pub const INVALID_STATE_CODE: ErrorCode = ErrorCode::INVALID_PARAMS;
