//! JSON-RPC 2.0 as MCP uses it: the message envelope, request ids, error objects and the
//! error-code table, decoding from bytes and encoding into a caller-owned buffer.
//!
//! Decoding is lazy. [`decode`] validates the bytes as JSON and reads the envelope
//! (`jsonrpc`, `id`, `method`, `params._meta`, and for results `resultType` and `_meta`);
//! `params` and `result` stay raw until someone asks for a type with
//! [`Request::params_as`] or [`ResultBody::decode`]. Routing, envelope validation and
//! cancellation therefore never pay for decoding a large tool result.
//!
//! ```
//! use mcp_proto::jsonrpc::{decode, Message};
//!
//! let bytes = br#"{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"_meta":{"progressToken":"p"}}}"#;
//! let Message::Request(request) = decode(bytes)? else { unreachable!() };
//! assert_eq!(request.method, "tools/list");
//! assert!(request.meta().unwrap().progress_token().is_some());
//!
//! let mut out = Vec::new();
//! Message::Request(request).encode(&mut out);
//! assert_eq!(out, bytes);
//! # Ok::<(), mcp_proto::jsonrpc::DecodeError>(())
//! ```

mod decode;
mod encode;
mod error;
mod id;
pub(crate) mod message;
pub(crate) mod scan;

#[cfg(any(test, feature = "testing"))]
pub(crate) use decode::paths_agree;
pub use decode::{DecodeError, InvalidReason, decode};
pub use encode::{encode_error, encode_notification, encode_request, encode_result};
pub use error::{ErrorCode, ErrorObject};
pub use id::RequestId;
pub use message::{
    Message, MessageKind, Notification, Outcome, Params, Request, Response, ResultBody,
};

/// The only JSON-RPC version MCP speaks.
pub const JSONRPC_VERSION: &str = "2.0";
