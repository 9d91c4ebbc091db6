//! Encoding messages into a caller-owned buffer.
//!
//! Every function appends exactly one compact JSON-RPC message to `out` (no trailing
//! newline: framing is the transport's job, see [`crate::framing`]). On error nothing is
//! appended.

use alloc::vec::Vec;
use serde::Serialize;

use crate::jsonrpc::error::ErrorObject;
use crate::jsonrpc::id::RequestId;
use crate::jsonrpc::message::{Message, Outcome};

/// Appends the compact JSON encoding of `value`.
pub(crate) fn write_json<T: Serialize + ?Sized>(
    out: &mut Vec<u8>,
    value: &T,
) -> Result<(), serde_json::Error> {
    #[cfg(feature = "std")]
    {
        serde_json::to_writer(&mut *out, value)
    }
    #[cfg(not(feature = "std"))]
    {
        out.extend_from_slice(&serde_json::to_vec(value)?);
        Ok(())
    }
}

/// Runs `write`, restoring `out` to its previous length if it fails.
fn atomically(
    out: &mut Vec<u8>,
    write: impl FnOnce(&mut Vec<u8>) -> Result<(), serde_json::Error>,
) -> Result<(), serde_json::Error> {
    let start = out.len();
    let result = write(out);
    if result.is_err() {
        out.truncate(start);
    }
    result
}

/// Appends `value` and checks that it encoded as a JSON object.
fn write_object<T: Serialize + ?Sized>(
    out: &mut Vec<u8>,
    value: &T,
    what: &str,
) -> Result<(), serde_json::Error> {
    let start = out.len();
    write_json(out, value)?;
    if out.get(start) == Some(&b'{') {
        Ok(())
    } else {
        Err(serde::ser::Error::custom(alloc::format!(
            "{what} must encode as a JSON object"
        )))
    }
}

/// Appends a request. `params`, when given, must encode as a JSON object.
pub fn encode_request<P: Serialize + ?Sized>(
    out: &mut Vec<u8>,
    id: &RequestId,
    method: &str,
    params: Option<&P>,
) -> Result<(), serde_json::Error> {
    atomically(out, |out| {
        out.extend_from_slice(b"{\"jsonrpc\":\"2.0\",\"id\":");
        write_json(out, id)?;
        out.extend_from_slice(b",\"method\":");
        write_json(out, method)?;
        if let Some(params) = params {
            out.extend_from_slice(b",\"params\":");
            write_object(out, params, "params")?;
        }
        out.push(b'}');
        Ok(())
    })
}

/// Appends a notification. `params`, when given, must encode as a JSON object.
pub fn encode_notification<P: Serialize + ?Sized>(
    out: &mut Vec<u8>,
    method: &str,
    params: Option<&P>,
) -> Result<(), serde_json::Error> {
    atomically(out, |out| {
        out.extend_from_slice(b"{\"jsonrpc\":\"2.0\",\"method\":");
        write_json(out, method)?;
        if let Some(params) = params {
            out.extend_from_slice(b",\"params\":");
            write_object(out, params, "params")?;
        }
        out.push(b'}');
        Ok(())
    })
}

/// Appends a result response. `result` must encode as a JSON object.
pub fn encode_result<R: Serialize + ?Sized>(
    out: &mut Vec<u8>,
    id: &RequestId,
    result: &R,
) -> Result<(), serde_json::Error> {
    atomically(out, |out| {
        out.extend_from_slice(b"{\"jsonrpc\":\"2.0\",\"id\":");
        write_json(out, id)?;
        out.extend_from_slice(b",\"result\":");
        write_object(out, result, "result")?;
        out.push(b'}');
        Ok(())
    })
}

/// Appends an error response. With `id` `None` (the request's id could not be read) the
/// `id` member is omitted, as the MCP schema defines it.
pub fn encode_error(out: &mut Vec<u8>, id: Option<&RequestId>, error: &ErrorObject) {
    out.extend_from_slice(b"{\"jsonrpc\":\"2.0\"");
    if let Some(id) = id {
        out.extend_from_slice(b",\"id\":");
        // Ids, codes and strings always serialise.
        let _ = write_json(out, id);
    }
    out.extend_from_slice(b",\"error\":");
    let _ = write_json(out, error);
    out.push(b'}');
}

impl Message {
    /// Appends this message, with `params` and `result` copied back verbatim.
    pub fn encode(&self, out: &mut Vec<u8>) {
        match self {
            Message::Request(request) => {
                out.extend_from_slice(b"{\"jsonrpc\":\"2.0\",\"id\":");
                let _ = write_json(out, &request.id);
                out.extend_from_slice(b",\"method\":");
                let _ = write_json(out, request.method.as_str());
                if let Some(params) = &request.params {
                    out.extend_from_slice(b",\"params\":");
                    out.extend_from_slice(params.raw().get().as_bytes());
                }
                out.push(b'}');
            }
            Message::Notification(notification) => {
                out.extend_from_slice(b"{\"jsonrpc\":\"2.0\",\"method\":");
                let _ = write_json(out, notification.method.as_str());
                if let Some(params) = &notification.params {
                    out.extend_from_slice(b",\"params\":");
                    out.extend_from_slice(params.raw().get().as_bytes());
                }
                out.push(b'}');
            }
            Message::Response(response) => match (&response.outcome, &response.id) {
                (Outcome::Result(body), Some(id)) => {
                    out.extend_from_slice(b"{\"jsonrpc\":\"2.0\",\"id\":");
                    let _ = write_json(out, id);
                    out.extend_from_slice(b",\"result\":");
                    out.extend_from_slice(body.raw().get().as_bytes());
                    out.push(b'}');
                }
                // Not constructible by decode: a result always has an id.
                (Outcome::Result(_), None) => {}
                (Outcome::Error(error), id) => encode_error(out, id.as_ref(), error),
            },
        }
    }

    /// The compact JSON encoding of this message as a new buffer.
    pub fn to_vec(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.encode(&mut out);
        out
    }
}
