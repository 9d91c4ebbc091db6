//! The table of inbound requests the application is working on.
//!
//! Each admitted request gets a slot number (from a counter, never reused) carried by its
//! [`ReplyToken`]. The slot stays until the application replies: a cancelled request
//! keeps its slot, marked, so its late reply is swallowed rather than mistaken for a
//! foreign token. Ids index the slots for duplicate detection and cancellation; a
//! cancelled request's id is released, since the client is done with it.

use alloc::boxed::Box;
use alloc::collections::BTreeMap;

use crate::connection::ReplyToken;
use crate::jsonrpc::RequestId;
use crate::types::{ClientCapabilities, LoggingLevel, ProgressToken};
use crate::version::{Era, ProtocolVersion};

/// What the connection keeps about one inbound request until it is answered.
#[derive(Debug)]
pub(crate) struct InboundEntry {
    pub(crate) id: RequestId,
    /// The method: borrowed for a method of the protocol, owned for a vendor's.
    pub(crate) method: alloc::borrow::Cow<'static, str>,
    pub(crate) version: ProtocolVersion,
    pub(crate) era: Era,
    pub(crate) capabilities: ClientCapabilities,
    pub(crate) progress_token: Option<ProgressToken>,
    pub(crate) last_progress: Option<f64>,
    pub(crate) log_level: Option<LoggingLevel>,
    /// What sealed state must be bound to (multi-round-trip methods).
    pub(crate) bound_params: Option<BoundParams>,
    pub(crate) cancelled: bool,
}

/// The salient params a sealed state is bound to: digested already (the request echoed a
/// state, which had to be opened), or kept raw and digested only if the handler seals a
/// round (most requests never do, and the digest is the costliest step of admission).
#[derive(Debug)]
pub(crate) enum BoundParams {
    /// The digest of the salient params.
    Digest([u8; 32]),
    /// The params' text (their `_meta` is not salient, so its decoded copy is not kept),
    /// to digest on demand.
    Raw(Option<crate::json::RawJson>),
}

impl BoundParams {
    /// The digest of the salient params of a request to `method`.
    pub(crate) fn digest(&self, method: &str) -> [u8; 32] {
        match self {
            BoundParams::Digest(digest) => *digest,
            BoundParams::Raw(params) => crate::mrtr::salient_text_digest(method, params.as_ref()),
        }
    }
}

/// Inbound requests in flight, by slot and by id.
#[derive(Debug, Default)]
pub(crate) struct InboundTable {
    /// Boxed: an entry is large, and the map's node operations move its values.
    entries: BTreeMap<u64, Box<InboundEntry>>,
    by_id: BTreeMap<RequestId, u64>,
    next_slot: u64,
}

impl InboundTable {
    /// True when a live (not cancelled) request uses `id`.
    pub(crate) fn contains_id(&self, id: &RequestId) -> bool {
        self.by_id.contains_key(id)
    }

    /// Requests holding a slot, cancelled ones included.
    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }

    /// Admits `entry`, returning its token.
    pub(crate) fn admit(&mut self, entry: Box<InboundEntry>) -> ReplyToken {
        self.next_slot = self.next_slot.saturating_add(1);
        let slot = self.next_slot;
        let id = entry.id.clone();
        self.by_id.insert(id.clone(), slot);
        self.entries.insert(slot, entry);
        ReplyToken { slot, id }
    }

    /// The entry a token answers.
    pub(crate) fn get_mut(&mut self, token: &ReplyToken) -> Option<&mut InboundEntry> {
        self.entries
            .get_mut(&token.slot)
            .filter(|entry| entry.id == token.id)
            .map(|entry| &mut **entry)
    }

    /// Removes the entry a token answers.
    pub(crate) fn take(&mut self, token: &ReplyToken) -> Option<Box<InboundEntry>> {
        let entry = self.entries.get(&token.slot)?;
        if entry.id != token.id {
            return None;
        }
        let entry = self.entries.remove(&token.slot)?;
        if self.by_id.get(&entry.id) == Some(&token.slot) {
            self.by_id.remove(&entry.id);
        }
        Some(entry)
    }

    /// Marks the request with `id` cancelled; true when it was live.
    pub(crate) fn cancel(&mut self, id: &RequestId) -> bool {
        let Some(slot) = self.by_id.remove(id) else {
            return false;
        };
        match self.entries.get_mut(&slot) {
            Some(entry) => {
                entry.cancelled = true;
                true
            }
            None => false,
        }
    }

    /// Frees the node an emptied map keeps (a `BTreeMap` keeps its root leaf after its
    /// last entry goes), so an idle connection holds no table memory.
    pub(crate) fn shrink_to_fit(&mut self) {
        if self.entries.is_empty() {
            self.entries = BTreeMap::new();
        }
        if self.by_id.is_empty() {
            self.by_id = BTreeMap::new();
        }
    }

    /// Marks every request cancelled (the connection closed).
    pub(crate) fn cancel_all(&mut self) {
        self.by_id.clear();
        for entry in self.entries.values_mut() {
            entry.cancelled = true;
        }
    }
}
