//! Server-Sent Events: an encoder for response streams and a chunk-agnostic decoder
//! (the WHATWG `text/event-stream` parsing rules).
//!
//! # Decoder state machine
//!
//! [`SseDecoder`] splits the stream into lines (ended by CR, LF or CRLF, even when the CR
//! and the LF arrive in different chunks) and folds the lines into an event:
//!
//! - `data: x` appends `x` and a newline to the data buffer; `event: t` sets the type;
//!   `id: i` sets the id (unless it holds NUL); `retry: n` sets the reconnection delay
//!   (digits only); a line starting with `:` is a comment (keep-alive) and is ignored; a
//!   field without a colon has an empty value; one space after the colon is dropped;
//!   unknown fields are ignored.
//! - A blank line ends the event: it is queued when any field was seen (with the data's
//!   final newline removed) and the buffers are reset.
//!
//! An event's size is the bytes of the field lines it keeps (`data`, `event`, a valid
//! `id` or `retry`), each with one byte for its line end (or the bytes of the value it
//! stores, with one for its line end, when that is more: a byte that is not UTF-8 is
//! stored as U+FFFD, three bytes); comments and unknown fields do not count. While an event grows past the size limit the decoder **skips** to the next
//! blank line, storing nothing, and queues one [`SseError::EventTooLarge`] in its place,
//! so memory stays bounded by the limit ([`SseDecoder::buffered_len`] never exceeds it)
//! plus the events of the chunks pushed since the queue was last drained. An event still incomplete when the stream ends is dropped, as the
//! WHATWG rules say.
//!
//! Unlike a browser's `EventSource`, the decoder also queues events without data (a bare
//! `retry:` event, which MCP servers send before closing a connection) so the client
//! learns the delay; [`SseEvent::data`] tells them apart.

use alloc::collections::VecDeque;
use alloc::string::String;
use alloc::vec::Vec;
use memchr::memchr2;

/// The default limit on one decoded event: 4 MiB, like the request body limit.
pub const DEFAULT_MAX_EVENT_BYTES: usize = 4 * 1024 * 1024;

/// One Server-Sent Event.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SseEvent {
    /// The `event:` type; `None` means the default type, `message`.
    pub event: Option<String>,
    /// The `data:` lines joined with `\n`; `None` when the event had no `data` field. The
    /// priming event has `Some("")`.
    pub data: Option<String>,
    /// The `id:` field of this event, when it had one (an empty id resets the stream's
    /// last event id).
    pub id: Option<String>,
    /// The `retry:` field: how many milliseconds to wait before reconnecting.
    pub retry: Option<u64>,
}

impl SseEvent {
    /// A `message` event carrying `data` (one JSON-RPC message).
    pub fn message(data: impl Into<String>) -> Self {
        SseEvent {
            event: None,
            data: Some(data.into()),
            id: None,
            retry: None,
        }
    }

    /// True when the event is of the default type or explicitly `message`: the events
    /// MCP messages travel in.
    pub fn is_message(&self) -> bool {
        self.event.as_deref().is_none_or(|event| event == "message")
    }
}

/// Why the encoder refused an event, or what the decoder skipped.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SseError {
    /// An `id` or `event` value holds CR, LF or (for ids) NUL, which cannot be written.
    #[error("an SSE id or event type cannot hold CR, LF or NUL")]
    InvalidField,
    /// The decoder skipped an event longer than its limit.
    #[error("an SSE event of at least {length} bytes exceeds the {limit}-byte limit")]
    EventTooLarge {
        /// Bytes seen before and while skipping (at least the limit).
        length: usize,
        /// The configured limit.
        limit: usize,
    },
}

/// Writes Server-Sent Events.
///
/// Each MCP message becomes `event: message` (unless turned off with
/// [`SseEncoder::without_event_type`]), an optional `id:`, and one `data:` line per line
/// of the data (compact JSON has exactly one), ended by a blank line. The encoder has no
/// state; it only remembers that choice.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SseEncoder {
    event_type: bool,
}

impl Default for SseEncoder {
    fn default() -> Self {
        SseEncoder::new()
    }
}

impl SseEncoder {
    /// An encoder that writes `event: message` before each message.
    pub fn new() -> Self {
        SseEncoder { event_type: true }
    }

    /// An encoder that leaves the type out (`message` is the default anyway).
    pub fn without_event_type() -> Self {
        SseEncoder { event_type: false }
    }

    /// Appends a message event carrying `data` (one JSON-RPC message), with `id` when
    /// given (legacy resumable streams only).
    pub fn message(
        &self,
        out: &mut Vec<u8>,
        id: Option<&str>,
        data: &[u8],
    ) -> Result<(), SseError> {
        let event = self.event_type.then_some("message");
        write_event(out, event, id, Some(data), None)
    }

    /// Appends any event.
    pub fn event(&self, out: &mut Vec<u8>, event: &SseEvent) -> Result<(), SseError> {
        write_event(
            out,
            event.event.as_deref(),
            event.id.as_deref(),
            event.data.as_deref().map(str::as_bytes),
            event.retry,
        )
    }

    /// Appends the legacy priming event: `id: <id>` and an empty `data:` line, sent first
    /// on a resumable stream (2025-11-25 clients only; never at 2026-07-28).
    pub fn priming(&self, out: &mut Vec<u8>, id: &str) -> Result<(), SseError> {
        write_event(out, None, Some(id), Some(&[]), None)
    }

    /// Appends a `retry: <millis>` event, sent before the server closes a legacy
    /// connection it expects the client to resume.
    pub fn retry(&self, out: &mut Vec<u8>, millis: u64) {
        out.extend_from_slice(alloc::format!("retry: {millis}\n\n").as_bytes());
    }

    /// Appends a comment line (`:` and LF), the keep-alive clients ignore.
    pub fn keep_alive(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(b":\n");
    }
}

fn write_event(
    out: &mut Vec<u8>,
    event: Option<&str>,
    id: Option<&str>,
    data: Option<&[u8]>,
    retry: Option<u64>,
) -> Result<(), SseError> {
    let breaks = |text: &str| text.bytes().any(|b| matches!(b, b'\r' | b'\n'));
    if event.is_some_and(breaks) || id.is_some_and(|id| breaks(id) || id.contains('\0')) {
        return Err(SseError::InvalidField);
    }
    if let Some(event) = event {
        out.extend_from_slice(b"event: ");
        out.extend_from_slice(event.as_bytes());
        out.push(b'\n');
    }
    if let Some(id) = id {
        out.extend_from_slice(b"id: ");
        out.extend_from_slice(id.as_bytes());
        out.push(b'\n');
    }
    if let Some(retry) = retry {
        out.extend_from_slice(alloc::format!("retry: {retry}\n").as_bytes());
    }
    if let Some(data) = data {
        let mut rest = data;
        loop {
            let end = memchr2(b'\r', b'\n', rest);
            let line = end.map_or(rest, |at| rest.get(..at).unwrap_or(&[]));
            out.extend_from_slice(if line.is_empty() { b"data:" } else { b"data: " });
            out.extend_from_slice(line);
            out.push(b'\n');
            let Some(at) = end else { break };
            // CRLF is one line end.
            let skip = if rest.get(at..at + 2) == Some(b"\r\n") {
                2
            } else {
                1
            };
            rest = rest.get(at + skip..).unwrap_or(&[]);
        }
    }
    out.push(b'\n');
    Ok(())
}

/// A bounded, chunk-agnostic Server-Sent Events decoder (see the module docs).
#[derive(Clone, Debug)]
pub struct SseDecoder {
    max_event_bytes: usize,
    /// Bytes of the current line not yet ended (none while skipping).
    line: Vec<u8>,
    /// Length of the current line, stored or not: zero means the line is blank.
    line_length: usize,
    /// The previous chunk ended with CR: a leading LF in the next one is its pair.
    after_cr: bool,
    /// Nothing has been read yet (a leading byte-order mark is dropped).
    at_start: bool,
    /// `Some(bytes seen)` while skipping an over-long event.
    skipping: Option<usize>,
    /// The current event's fields.
    event: Option<String>,
    data: Option<String>,
    id: Option<String>,
    retry: Option<u64>,
    /// Bytes the current event holds (line bytes of its fields).
    event_bytes: usize,
    /// The stream's last event id, carried across events.
    last_event_id: Option<String>,
    ready: VecDeque<Result<SseEvent, SseError>>,
}

impl Default for SseDecoder {
    fn default() -> Self {
        SseDecoder::new(DEFAULT_MAX_EVENT_BYTES)
    }
}

impl SseDecoder {
    /// A decoder that skips events larger than `max_event_bytes`.
    pub fn new(max_event_bytes: usize) -> Self {
        SseDecoder {
            max_event_bytes,
            line: Vec::new(),
            line_length: 0,
            after_cr: false,
            at_start: true,
            skipping: None,
            event: None,
            data: None,
            id: None,
            retry: None,
            event_bytes: 0,
            last_event_id: None,
            ready: VecDeque::new(),
        }
    }

    /// Feeds the next bytes of the stream, in chunks of any size.
    pub fn push(&mut self, mut chunk: &[u8]) {
        if self.after_cr && !chunk.is_empty() {
            self.after_cr = false;
            if let Some(rest) = chunk.strip_prefix(b"\n") {
                chunk = rest;
            }
        }
        while !chunk.is_empty() {
            let Some(at) = memchr2(b'\r', b'\n', chunk) else {
                self.take_partial(chunk);
                return;
            };
            self.take_partial(chunk.get(..at).unwrap_or(&[]));
            self.end_line();
            let crlf = chunk.get(at..at + 2) == Some(b"\r\n");
            if !crlf && chunk.get(at) == Some(&b'\r') && at + 1 == chunk.len() {
                // The LF of this CR may open the next chunk.
                self.after_cr = true;
            }
            chunk = chunk.get(at + if crlf { 2 } else { 1 }..).unwrap_or(&[]);
        }
    }

    /// Ends the stream. An event without its closing blank line is dropped.
    pub fn finish(&mut self) {
        self.line.clear();
        self.line_length = 0;
        self.after_cr = false;
        self.skipping = None;
        self.reset_event();
    }

    /// The next complete event, or the error that replaced a skipped one.
    pub fn next_event(&mut self) -> Option<Result<SseEvent, SseError>> {
        self.ready.pop_front()
    }

    /// The stream's last event id (what a reconnecting client sends as `Last-Event-ID`);
    /// `None` before any id or after an empty `id:`.
    pub fn last_event_id(&self) -> Option<&str> {
        self.last_event_id.as_deref()
    }

    /// Bytes held for the current line and event.
    pub fn buffered_len(&self) -> usize {
        self.line.len().saturating_add(self.event_bytes)
    }

    /// The configured limit.
    pub fn max_event_bytes(&self) -> usize {
        self.max_event_bytes
    }

    fn take_partial(&mut self, bytes: &[u8]) {
        self.line_length = self.line_length.saturating_add(bytes.len());
        if let Some(seen) = &mut self.skipping {
            *seen = seen.saturating_add(bytes.len());
            return;
        }
        let held = self
            .line
            .len()
            .saturating_add(self.event_bytes)
            .saturating_add(bytes.len());
        if held > self.max_event_bytes {
            self.start_skipping(held);
            return;
        }
        self.line.extend_from_slice(bytes);
    }

    fn start_skipping(&mut self, seen: usize) {
        self.line = Vec::new();
        self.reset_event();
        self.skipping = Some(seen);
    }

    fn reset_event(&mut self) {
        self.event = None;
        self.data = None;
        self.id = None;
        self.retry = None;
        self.event_bytes = 0;
    }

    fn end_line(&mut self) {
        let mut line = core::mem::take(&mut self.line);
        let mut length = core::mem::take(&mut self.line_length);
        if core::mem::take(&mut self.at_start) && line.starts_with(b"\xEF\xBB\xBF") {
            line.drain(..3);
            length = length.saturating_sub(3);
        }
        if length == 0 {
            self.dispatch();
            return;
        }
        if let Some(seen) = &mut self.skipping {
            // Line ends count too, so a limit is never undercounted.
            *seen = seen.saturating_add(1);
            return;
        }
        if line.first() == Some(&b':') {
            return;
        }
        let (name, value) = match line.iter().position(|b| *b == b':') {
            Some(colon) => {
                let (name, rest) = line.split_at(colon);
                let value = rest.get(1..).unwrap_or(&[]);
                (name, value.strip_prefix(b" ").unwrap_or(value))
            }
            None => (line.as_slice(), &[][..]),
        };
        let value = String::from_utf8_lossy(value);
        let kept = match name {
            b"data" | b"event" => true,
            b"id" => !value.contains('\0'),
            b"retry" => !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()),
            _ => false,
        };
        if !kept {
            return;
        }
        // A kept line counts with its line end (the line alone fit, in `take_partial`;
        // with its end it may not), or as what it stores when that is more: each byte
        // that is not UTF-8 is stored as U+FFFD, three bytes.
        let size = line.len().max(value.len()).saturating_add(1);
        let event_bytes = self.event_bytes.saturating_add(size);
        if event_bytes > self.max_event_bytes {
            self.start_skipping(event_bytes);
            return;
        }
        self.event_bytes = event_bytes;
        match name {
            b"data" => {
                let data = self.data.get_or_insert_with(String::new);
                data.push_str(&value);
                data.push('\n');
            }
            b"event" => self.event = Some(value.into_owned()),
            b"id" => self.id = Some(value.into_owned()),
            _ => self.retry = value.parse().ok(),
        }
    }

    fn dispatch(&mut self) {
        if let Some(length) = self.skipping.take() {
            self.ready.push_back(Err(SseError::EventTooLarge {
                length,
                limit: self.max_event_bytes,
            }));
            return;
        }
        if let Some(id) = &self.id {
            self.last_event_id = (!id.is_empty()).then(|| id.clone());
        }
        let seen_field = self.event.is_some()
            || self.data.is_some()
            || self.id.is_some()
            || self.retry.is_some();
        if seen_field {
            let mut data = self.data.take();
            if let Some(data) = &mut data {
                data.pop();
            }
            self.ready.push_back(Ok(SseEvent {
                event: self.event.take(),
                data,
                id: self.id.take(),
                retry: self.retry.take(),
            }));
        }
        self.reset_event();
    }
}
