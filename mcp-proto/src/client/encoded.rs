//! A client request encoded ahead of sending.

use alloc::string::String;

use crate::connection::SendError;
use crate::jsonrpc::Params;
use crate::types::ClientRequest;

/// A client request turned into its method and wire params ([`Self::new`]).
///
/// Encoding is pure: a driver can encode on the caller's thread and hand the connection
/// only what goes on the wire ([`ClientConnection::send_encoded`]), which keeps the
/// serialisation off the task that drives the connection.
///
/// [`ClientConnection::send_encoded`]: crate::client::ClientConnection::send_encoded
#[derive(Clone, Debug, PartialEq)]
pub struct EncodedRequest {
    pub(crate) method: String,
    pub(crate) params: Option<Params>,
}

impl EncodedRequest {
    /// Encodes `request`: [`SendError::Encode`] when its params do not serialise to a
    /// JSON object.
    pub fn new(request: &ClientRequest) -> Result<Self, SendError> {
        Ok(EncodedRequest {
            method: String::from(request.method()),
            params: request.encode_params().map_err(|_| SendError::Encode)?,
        })
    }

    /// The request's method.
    pub fn method(&self) -> &str {
        &self.method
    }

    /// The request's params, as they go on the wire (before a 2026 envelope is added).
    pub fn params(&self) -> Option<&Params> {
        self.params.as_ref()
    }
}
