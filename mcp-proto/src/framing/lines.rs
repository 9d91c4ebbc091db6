//! Newline-delimited JSON framing.
//!
//! # State machine
//!
//! [`LineDecoder`] is in one of two states:
//!
//! - **Collecting**: bytes since the last newline are kept in a partial-line buffer. A
//!   newline completes the line, which is queued (a trailing `\r` is dropped, blank lines
//!   are skipped). If the partial line grows past the limit, the decoder switches to
//!   discarding.
//! - **Discarding**: an over-long line is being skipped. Bytes are counted, not stored.
//!   The next newline queues one [`FrameError::LineTooLong`] in the line's place and
//!   returns to collecting, so the messages after it are not lost.
//!
//! Complete lines and the partial one share one buffer, reused from line to line: a
//! message costs no allocation of its own. The buffer is compacted each time the queue
//! of complete lines runs empty, and gives back capacity beyond 64 KiB then, so one large
//! message does not keep its size held.
//!
//! Memory is bounded by the line limit plus the unread lines of the chunks pushed since
//! the queue was last drained: drain [`LineDecoder::next_line`] (or
//! [`LineDecoder::next_message`]) until it returns `None` before pushing more.

use alloc::collections::VecDeque;
use alloc::vec::Vec;
use memchr::memchr;

use crate::jsonrpc::{DecodeError, ErrorCode, ErrorObject, Message, decode};

/// The default maximum line length: 4 MiB, the reference SDK's default message limit.
pub const DEFAULT_MAX_LINE_LENGTH: usize = 4 * 1024 * 1024;

/// How much buffer capacity a decoder keeps once its queue is drained.
const RETAINED_CAPACITY: usize = 64 * 1024;

/// A line that could not become a message.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FrameError {
    /// The line was longer than the limit; it was skipped whole.
    #[error("line of {length} bytes exceeds the {limit}-byte limit")]
    LineTooLong {
        /// Length of the skipped line, without its newline.
        length: usize,
        /// The configured limit.
        limit: usize,
    },
    /// The line is not a valid JSON-RPC message.
    #[error(transparent)]
    Decode(#[from] DecodeError),
}

impl FrameError {
    /// The error object the peer should receive.
    pub fn to_error_object(&self) -> ErrorObject {
        match self {
            FrameError::LineTooLong { limit, .. } => ErrorObject::with_message(
                ErrorCode::INVALID_REQUEST,
                alloc::format!("Invalid Request: message exceeds {limit} bytes"),
            ),
            FrameError::Decode(error) => error.to_error_object(),
        }
    }
}

/// A bounded decoder of newline-delimited messages, fed arbitrary chunks.
#[derive(Debug)]
pub struct LineDecoder {
    max_line_length: usize,
    /// The complete lines not yet taken, then the partial line (from `partial_start`).
    buffer: Vec<u8>,
    partial_start: usize,
    /// `Some(n)` while skipping an over-long line of which `n` bytes were seen.
    discarding: Option<usize>,
    /// The last chunk ended in a `\r` that is not in the partial line yet: the first half of a
    /// `\r\n` (dropped) unless something other than `\n` follows (then it is content).
    held_cr: bool,
    /// Where each complete line sits in `buffer`, or the error that replaced it.
    ready: VecDeque<Result<(usize, usize), FrameError>>,
}

impl Default for LineDecoder {
    fn default() -> Self {
        LineDecoder::new(DEFAULT_MAX_LINE_LENGTH)
    }
}

impl LineDecoder {
    /// A decoder that refuses lines longer than `max_line_length` bytes.
    pub fn new(max_line_length: usize) -> Self {
        LineDecoder {
            max_line_length,
            buffer: Vec::new(),
            partial_start: 0,
            discarding: None,
            held_cr: false,
            ready: VecDeque::new(),
        }
    }

    /// The configured line limit.
    pub fn max_line_length(&self) -> usize {
        self.max_line_length
    }

    /// Feeds the next bytes of the stream.
    pub fn push(&mut self, mut chunk: &[u8]) {
        while !chunk.is_empty() {
            let newline = memchr(b'\n', chunk);
            let (segment, rest) = match newline {
                Some(at) => (
                    chunk.get(..at).unwrap_or(&[]),
                    chunk.get(at + 1..).unwrap_or(&[]),
                ),
                None => (chunk, &[][..]),
            };
            self.take_segment(segment, newline.is_some());
            chunk = rest;
        }
    }

    fn take_segment(&mut self, segment: &[u8], complete: bool) {
        let held_cr = core::mem::take(&mut self.held_cr);
        if let Some(seen) = self.discarding {
            let length = seen + segment.len();
            if complete {
                self.discarding = None;
                self.queue_too_long(length);
            } else {
                self.discarding = Some(length);
            }
            return;
        }
        // A `\r` before the newline is not part of the line, so it does not count. At the
        // end of a chunk the newline may still be coming: hold the `\r` back until then.
        let (body, ends_with_cr) = match segment.split_last() {
            Some((b'\r', body)) => (body, true),
            _ => (segment, false),
        };
        // A `\r` held back from the previous chunk is content unless the line ends here.
        let keep_held = held_cr && !(complete && segment.is_empty());
        let partial = self.buffered_len();
        if partial + usize::from(keep_held) + body.len() > self.max_line_length {
            let length = partial + usize::from(held_cr) + segment.len();
            self.buffer.truncate(self.partial_start);
            if complete {
                self.queue_too_long(length);
            } else {
                self.discarding = Some(length);
            }
            return;
        }
        if keep_held {
            self.buffer.push(b'\r');
        }
        self.buffer.extend_from_slice(body);
        if complete {
            self.complete_line();
        } else {
            self.held_cr = ends_with_cr;
        }
    }

    fn queue_too_long(&mut self, length: usize) {
        self.ready.push_back(Err(FrameError::LineTooLong {
            length,
            limit: self.max_line_length,
        }));
    }

    fn complete_line(&mut self) {
        // The line's final `\r`, if any, was never stored.
        let (start, end) = (self.partial_start, self.buffer.len());
        let blank = self
            .buffer
            .get(start..)
            .is_none_or(|line| line.iter().all(u8::is_ascii_whitespace));
        if blank {
            self.buffer.truncate(start);
            return;
        }
        self.ready.push_back(Ok((start, end)));
        self.partial_start = end;
    }

    /// The next queued entry, its line borrowed from the buffer, to `take`; the buffer is
    /// compacted once the queue is empty.
    fn take_next<T>(&mut self, take: impl FnOnce(&[u8]) -> T) -> Option<Result<T, FrameError>> {
        let entry = self.ready.pop_front()?;
        let taken = entry.map(|(start, end)| take(self.buffer.get(start..end).unwrap_or(&[])));
        if self.ready.is_empty() {
            self.compact();
        }
        Some(taken)
    }

    /// Moves the partial line to the front of the buffer (the lines before it are all
    /// taken) and gives back capacity beyond `RETAINED_CAPACITY`.
    fn compact(&mut self) {
        self.buffer.drain(..self.partial_start);
        self.partial_start = 0;
        if self.buffer.capacity() > RETAINED_CAPACITY {
            self.buffer
                .shrink_to(RETAINED_CAPACITY.max(self.buffer.len()));
        }
    }

    /// Ends the stream: a final line without a newline is taken as complete.
    pub fn finish(&mut self) {
        // A final `\r` is dropped, as before a newline.
        self.held_cr = false;
        if let Some(length) = self.discarding.take() {
            self.queue_too_long(length);
        } else if self.buffered_len() > 0 {
            self.complete_line();
        }
    }

    /// The next complete line (without its newline), or the error that replaced it.
    pub fn next_line(&mut self) -> Option<Result<Vec<u8>, FrameError>> {
        self.take_next(<[u8]>::to_vec)
    }

    /// The next complete line decoded as a message (straight from the buffer).
    pub fn next_message(&mut self) -> Option<Result<Message, FrameError>> {
        self.take_next(decode)
            .map(|decoded| decoded.and_then(|message| message.map_err(FrameError::from)))
    }

    /// True when a complete line (or the error that replaced one) waits to be taken.
    pub fn has_line(&self) -> bool {
        !self.ready.is_empty()
    }

    /// Bytes held for a line not yet complete.
    pub fn buffered_len(&self) -> usize {
        self.buffer.len().saturating_sub(self.partial_start)
    }

    /// True when nothing is queued and no partial line is held.
    pub fn is_empty(&self) -> bool {
        self.ready.is_empty()
            && self.buffered_len() == 0
            && self.discarding.is_none()
            && !self.held_cr
    }
}

/// Turns the bytes appended to `out` since `start` into exactly one line: every raw
/// `\n` or `\r` becomes a space, and a newline is appended.
///
/// Valid JSON never holds a raw newline inside a string, so any such byte is whitespace
/// between tokens (a pretty-printed payload kept raw) and replacing it keeps the meaning.
pub fn frame_line(out: &mut Vec<u8>, start: usize) {
    if let Some(written) = out.get_mut(start..) {
        // Compact JSON seldom holds a raw line break (only whitespace inside raw values
        // kept verbatim can): search for them rather than visit every byte.
        let mut at = 0;
        while let Some(found) = written
            .get(at..)
            .and_then(|rest| memchr::memchr2(b'\n', b'\r', rest))
        {
            let index = at + found;
            if let Some(byte) = written.get_mut(index) {
                *byte = b' ';
            }
            at = index + 1;
        }
    }
    out.push(b'\n');
}

/// Appends `message` as one line.
pub fn encode_line(message: &Message, out: &mut Vec<u8>) {
    let start = out.len();
    message.encode(out);
    frame_line(out, start);
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    fn lines(decoder: &mut LineDecoder) -> Vec<Result<Vec<u8>, FrameError>> {
        core::iter::from_fn(|| decoder.next_line()).collect()
    }

    #[test]
    fn splits_lines_and_trims_carriage_returns() {
        let mut decoder = LineDecoder::new(16);
        decoder.push(b"one\r\ntw");
        decoder.push(b"o\n\n  \nthree");
        assert_eq!(
            lines(&mut decoder),
            vec![Ok(b"one".to_vec()), Ok(b"two".to_vec())]
        );
        decoder.finish();
        assert_eq!(lines(&mut decoder), vec![Ok(b"three".to_vec())]);
        assert!(decoder.is_empty());
    }

    #[test]
    fn skips_over_long_lines_and_resynchronises() {
        let mut decoder = LineDecoder::new(4);
        decoder.push(b"abcd\nabc");
        decoder.push(b"defgh");
        decoder.push(b"ij\nok\nabcdefg\n");
        assert_eq!(
            lines(&mut decoder),
            vec![
                Ok(b"abcd".to_vec()),
                Err(FrameError::LineTooLong {
                    length: 10,
                    limit: 4
                }),
                Ok(b"ok".to_vec()),
                Err(FrameError::LineTooLong {
                    length: 7,
                    limit: 4
                }),
            ]
        );
        assert_eq!(decoder.buffered_len(), 0);
    }

    #[test]
    fn one_buffer_serves_every_line_and_a_large_one_is_given_back() {
        let mut decoder = LineDecoder::new(1 << 20);
        let large = vec![b'x'; 200 * 1024];
        decoder.push(&large);
        decoder.push(b"\nsmall\npart");
        assert_eq!(decoder.next_line(), Some(Ok(large)));
        assert_eq!(decoder.next_line(), Some(Ok(b"small".to_vec())));
        // The queue is drained: only the partial line is kept, in a trimmed buffer.
        assert_eq!(decoder.next_line(), None);
        assert_eq!(decoder.buffered_len(), 4);
        assert!(decoder.buffer.capacity() <= RETAINED_CAPACITY);
        decoder.push(b"ial\n");
        assert_eq!(lines(&mut decoder), vec![Ok(b"partial".to_vec())]);
        assert!(decoder.is_empty());
    }

    #[test]
    fn limit_excludes_carriage_return() {
        let mut decoder = LineDecoder::new(2);
        decoder.push(b"ab\r\n");
        assert_eq!(lines(&mut decoder), vec![Ok(b"ab".to_vec())]);
    }

    #[test]
    fn frames_pretty_payloads_on_one_line() {
        let message =
            decode(b"{\"jsonrpc\":\"2.0\",\"method\":\"x\",\"params\":{\n\"a\" :\r\n 1}}").unwrap();
        let mut out = Vec::new();
        encode_line(&message, &mut out);
        assert_eq!(out.iter().filter(|b| **b == b'\n').count(), 1);
        assert_eq!(out.last(), Some(&b'\n'));
        let mut decoder = LineDecoder::default();
        decoder.push(&out);
        let again = decoder.next_message().unwrap().unwrap();
        assert_eq!(again.method(), message.method());
        assert_eq!(
            again.params().unwrap().raw().to_value(),
            message.params().unwrap().raw().to_value()
        );
    }
}
