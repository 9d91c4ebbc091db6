//! The sealer interface: what a state is bound to and how sealing and opening fail.

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;

use crate::jsonrpc::Params;
use crate::mrtr::digest::salient_params_digest;
use crate::time::Timestamp;

/// What a sealed state is bound to: the request that will carry it back, and who sends it.
///
/// A state opens only under the same binding it was sealed with, so a state lifted from
/// one request cannot be replayed on another method, other parameters or by another
/// principal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct StateBinding<'a> {
    /// The JSON-RPC method of the request (`tools/call`, `prompts/get`, ...).
    pub method: &'a str,
    /// [`salient_params_digest`] of the request's params: which tool, prompt or resource
    /// with which arguments.
    pub params_digest: [u8; 32],
    /// The authenticated principal the request runs for, when the transport knows one
    /// (an OAuth subject, a session's user); `None` binds to "no principal".
    pub principal: Option<&'a str>,
}

impl<'a> StateBinding<'a> {
    /// The binding of a request with `method` and `params` run for `principal`, digesting
    /// the params with [`salient_params_digest`] so the retry of the same logical request
    /// (which adds `inputResponses` and `requestState`) yields the same binding.
    pub fn for_request(
        method: &'a str,
        params: Option<&Params>,
        principal: Option<&'a str>,
    ) -> StateBinding<'a> {
        StateBinding {
            method,
            params_digest: salient_params_digest(method, params),
            principal,
        }
    }
}

/// Seals application state into an opaque `requestState` string and opens it again.
///
/// The server calls [`seal`](StateSealer::seal) when a handler answers with an
/// `InputRequiredResult` carrying state, and [`open`](StateSealer::open) when the retry
/// brings it back. Everything the client echoes is attacker-controlled, so an
/// implementation must protect integrity (an HMAC or an AEAD), honour the binding and an
/// expiry, and reject anything else. [`HmacSealer`](crate::mrtr::HmacSealer) is the
/// default; the trait is object safe so a server can hold any sealer as
/// `Box<dyn StateSealer + Send>`. The core reads no clock: `now` comes from the driver.
pub trait StateSealer {
    /// Seals `state` (opaque application bytes, possibly empty) for the request described
    /// by `binding`, valid from `now` for the sealer's lifetime. Each call should give a
    /// fresh string, even for the same state.
    fn seal(
        &mut self,
        now: Timestamp,
        binding: &StateBinding<'_>,
        state: &[u8],
    ) -> Result<String, SealError>;

    /// Verifies `sealed` as received on a request described by `binding` at `now`, and
    /// returns the state bytes it carries. Every failure must be answered on the wire the
    /// same way (see [`INVALID_STATE_MESSAGE`](crate::mrtr::INVALID_STATE_MESSAGE)).
    fn open(
        &self,
        now: Timestamp,
        binding: &StateBinding<'_>,
        sealed: &str,
    ) -> Result<Vec<u8>, OpenError>;
}

impl<S: StateSealer + ?Sized> StateSealer for Box<S> {
    fn seal(
        &mut self,
        now: Timestamp,
        binding: &StateBinding<'_>,
        state: &[u8],
    ) -> Result<String, SealError> {
        (**self).seal(now, binding, state)
    }

    fn open(
        &self,
        now: Timestamp,
        binding: &StateBinding<'_>,
        sealed: &str,
    ) -> Result<Vec<u8>, OpenError> {
        (**self).open(now, binding, sealed)
    }
}

/// Why a `requestState` did not open.
///
/// The distinction is for logs and metrics only: the server answers every cause with
/// the same [`INVALID_STATE_MESSAGE`](crate::mrtr::INVALID_STATE_MESSAGE), so the wire
/// does not tell an attacker which check failed.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum OpenError {
    /// Not a token of a version and shape this sealer produces.
    #[error("requestState is malformed")]
    Malformed,
    /// Sealed under a key id this sealer does not (or no longer) hold.
    #[error("requestState names an unknown key")]
    UnknownKey,
    /// The integrity check failed: the token was tampered with, or it is bound to another
    /// request or principal.
    #[error("requestState failed verification")]
    Invalid,
    /// Authentic, but its lifetime has passed.
    #[error("requestState has expired")]
    Expired,
    /// Longer than the sealer accepts; rejected before any decoding.
    #[error("requestState is too large")]
    TooLarge,
}

/// Why a state could not be sealed.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SealError {
    /// The state is longer than the sealer's configured maximum (which `open` enforces
    /// too, so such a token could never come back).
    #[error("state is too large to seal")]
    TooLarge,
}
