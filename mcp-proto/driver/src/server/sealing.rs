//! One sealer for every connection of a server: one key schedule, and one nonce counter
//! so that no two connections ever seal with the same nonce.

use std::sync::{Arc, Mutex, PoisonError};

use mcp_proto::mrtr::{HmacSealer, OpenError, SealError, StateBinding, StateSealer};
use mcp_proto::time::Timestamp;

/// A [`HmacSealer`] shared by the connections of one server.
#[derive(Clone)]
pub(crate) struct SharedSealer(pub(crate) Arc<Mutex<HmacSealer>>);

impl StateSealer for SharedSealer {
    fn seal(
        &mut self,
        now: Timestamp,
        binding: &StateBinding<'_>,
        state: &[u8],
    ) -> Result<String, SealError> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .seal(now, binding, state)
    }

    fn open(
        &self,
        now: Timestamp,
        binding: &StateBinding<'_>,
        sealed: &str,
    ) -> Result<Vec<u8>, OpenError> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .open(now, binding, sealed)
    }
}
