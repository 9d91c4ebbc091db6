//! The queue of framed messages waiting for `poll_transmit`.

use alloc::collections::VecDeque;
use alloc::vec::Vec;

use crate::connection::Transmit;
use crate::framing::frame_line;

/// Encoded, newline-framed messages in send order, with their total size.
#[derive(Debug, Default)]
pub(crate) struct Outbox {
    lines: VecDeque<Vec<u8>>,
    bytes: usize,
}

impl Outbox {
    /// Encodes a message with `encode` (which appends one JSON text) and queues it.
    pub(crate) fn push_with(&mut self, encode: impl FnOnce(&mut Vec<u8>)) {
        let mut line = Vec::new();
        encode(&mut line);
        frame_line(&mut line, 0);
        self.bytes = self.bytes.saturating_add(line.len());
        self.lines.push_back(line);
    }

    /// Appends the oldest queued message to `out`.
    pub(crate) fn poll_transmit(&mut self, out: &mut Vec<u8>) -> Option<Transmit> {
        let line = self.lines.pop_front()?;
        self.bytes = self.bytes.saturating_sub(line.len());
        out.extend_from_slice(&line);
        Some(Transmit { len: line.len() })
    }

    /// Bytes waiting.
    pub(crate) fn bytes(&self) -> usize {
        self.bytes
    }

    /// True when nothing waits.
    pub(crate) fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }
}
