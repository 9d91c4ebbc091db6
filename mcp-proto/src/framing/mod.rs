//! Framing for byte-stream transports (stdio, pipes, sockets).
//!
//! MCP's stdio transport sends one JSON-RPC message per line. [`LineDecoder`] turns an
//! arbitrarily chunked byte stream back into messages with a bounded buffer, and
//! [`encode_line`] / [`frame_line`] write messages that are guaranteed to be one line.

mod lines;

pub use lines::{DEFAULT_MAX_LINE_LENGTH, FrameError, LineDecoder, encode_line, frame_line};
