//! The queue of framed messages waiting for `poll_transmit`.

use alloc::collections::VecDeque;
use alloc::vec::Vec;

use crate::connection::{Related, Transmit};
use crate::framing::frame_line;

/// Encoded, newline-framed messages in send order, each with what it belongs to, and
/// their total size.
#[derive(Debug, Default)]
pub(crate) struct Outbox {
    lines: VecDeque<(Vec<u8>, Related)>,
    bytes: usize,
}

impl Outbox {
    /// Encodes a message with `encode` (which appends one JSON text) and queues it as
    /// belonging to the connection as a whole.
    pub(crate) fn push_with(&mut self, encode: impl FnOnce(&mut Vec<u8>)) {
        self.push_related(Related::Connection, 0, encode);
    }

    /// [`Self::push_with`] for a message of about `capacity` bytes that belongs to
    /// `related`.
    pub(crate) fn push_related(
        &mut self,
        related: Related,
        capacity: usize,
        encode: impl FnOnce(&mut Vec<u8>),
    ) {
        let mut line = Vec::with_capacity(capacity);
        encode(&mut line);
        frame_line(&mut line, 0);
        self.bytes = self.bytes.saturating_add(line.len());
        self.lines.push_back((line, related));
    }

    /// Appends the oldest queued message to `out`.
    pub(crate) fn poll_transmit(&mut self, out: &mut Vec<u8>) -> Option<Transmit> {
        let (line, related) = self.lines.pop_front()?;
        let len = line.len();
        self.bytes = self.bytes.saturating_sub(len);
        if out.is_empty() && out.capacity() < len {
            // `out` would have to allocate anyway: hand over the line itself.
            *out = line;
        } else {
            out.extend_from_slice(&line);
        }
        Some(Transmit { len, related })
    }

    /// Bytes waiting.
    pub(crate) fn bytes(&self) -> usize {
        self.bytes
    }

    /// True when nothing waits.
    pub(crate) fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// The queue's capacity, in messages.
    pub(crate) fn capacity(&self) -> usize {
        self.lines.capacity()
    }

    /// Frees the queue's spare capacity (all of it once drained).
    pub(crate) fn shrink_to_fit(&mut self) {
        self.lines.shrink_to_fit();
    }
}
