//! Decoding one JSON-RPC message from bytes.
//!
//! The decoder checks that the bytes are one valid JSON value, then reads only the
//! envelope: `jsonrpc`, `id`, `method`, `params._meta` and, for results, `resultType` and
//! `_meta`. `params` and `result` are kept as raw JSON text. Every failure is a
//! [`DecodeError`] that names the JSON-RPC error the peer is owed and the id to answer
//! with, when one could be read.

use alloc::borrow::{Cow, ToOwned};
use core::fmt;
use serde::de::IgnoredAny;
use serde::{Deserialize, Deserializer};
use serde_json::value::RawValue;

use crate::json::RawJson;
use crate::jsonrpc::error::{ErrorCode, ErrorObject};
use crate::jsonrpc::id::RequestId;
use crate::jsonrpc::message::{
    Message, MessageKind, Notification, Outcome, Params, Request, Response, ResultBody,
};

/// Why a message could not be decoded.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeError {
    /// The bytes are not one valid UTF-8 JSON value (-32700).
    #[error("invalid JSON at line {line}, column {column}")]
    Parse {
        /// 1-based line of the first error.
        line: usize,
        /// 1-based column of the first error.
        column: usize,
    },
    /// A JSON array: batches exist in neither revision (-32600).
    #[error("JSON-RPC batches are not supported")]
    Batch,
    /// Valid JSON that is not a valid JSON-RPC message (-32600).
    #[error("invalid JSON-RPC message: {reason}")]
    Invalid {
        /// What is wrong.
        reason: InvalidReason,
        /// The message's id, when it could be read.
        id: Option<RequestId>,
        /// What the message looked like, as far as could be told.
        kind: Option<MessageKind>,
    },
}

/// What makes a JSON value an invalid JSON-RPC message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum InvalidReason {
    /// The top-level value is not an object.
    NotAnObject,
    /// The object has the same member twice.
    DuplicateMember,
    /// `jsonrpc` is missing.
    MissingVersion,
    /// `jsonrpc` is not `"2.0"`.
    WrongVersion,
    /// `id` is `null` on a request or result.
    NullId,
    /// `id` is neither a string nor an integer.
    InvalidId,
    /// A result response has no `id`.
    MissingId,
    /// `method` is not a string.
    MethodNotString,
    /// `params` is present but not an object.
    ParamsNotObject,
    /// `result` is not an object.
    ResultNotObject,
    /// `error` is not an object with an integer `code` and a string `message`.
    InvalidErrorObject,
    /// Both `result` and `error` are present.
    ResultAndError,
    /// None of `method`, `result` or `error` is present.
    NotAMessage,
}

impl fmt::Display for InvalidReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            InvalidReason::NotAnObject => "the message is not a JSON object",
            InvalidReason::DuplicateMember => "the message has a duplicate member",
            InvalidReason::MissingVersion => "\"jsonrpc\" is missing",
            InvalidReason::WrongVersion => "\"jsonrpc\" must be \"2.0\"",
            InvalidReason::NullId => "\"id\" must not be null",
            InvalidReason::InvalidId => "\"id\" must be a string or an integer",
            InvalidReason::MissingId => "a result response needs an \"id\"",
            InvalidReason::MethodNotString => "\"method\" must be a string",
            InvalidReason::ParamsNotObject => "\"params\" must be an object",
            InvalidReason::ResultNotObject => "\"result\" must be an object",
            InvalidReason::InvalidErrorObject => {
                "\"error\" must be an object with an integer \"code\" and a string \"message\""
            }
            InvalidReason::ResultAndError => "a response cannot have both \"result\" and \"error\"",
            InvalidReason::NotAMessage => "no \"method\", \"result\" or \"error\" member",
        })
    }
}

impl DecodeError {
    /// The JSON-RPC error code the peer should receive.
    pub fn code(&self) -> ErrorCode {
        match self {
            DecodeError::Parse { .. } => ErrorCode::PARSE_ERROR,
            DecodeError::Batch | DecodeError::Invalid { .. } => ErrorCode::INVALID_REQUEST,
        }
    }

    /// The id to answer with, when it could be read.
    pub fn id(&self) -> Option<&RequestId> {
        match self {
            DecodeError::Invalid { id, .. } => id.as_ref(),
            _ => None,
        }
    }

    /// False when the broken message was recognisably a notification or a response,
    /// which are never answered; true otherwise.
    pub fn expects_reply(&self) -> bool {
        !matches!(
            self,
            DecodeError::Invalid {
                kind: Some(MessageKind::Notification | MessageKind::Result | MessageKind::Error),
                ..
            }
        )
    }

    /// The error object to send back.
    pub fn to_error_object(&self) -> ErrorObject {
        match self {
            DecodeError::Parse { .. } => ErrorObject::new(ErrorCode::PARSE_ERROR),
            DecodeError::Batch => ErrorObject::with_message(
                ErrorCode::INVALID_REQUEST,
                "Invalid Request: JSON-RPC batches are not supported",
            ),
            DecodeError::Invalid { reason, .. } => ErrorObject::with_message(
                ErrorCode::INVALID_REQUEST,
                alloc::format!("Invalid Request: {reason}"),
            ),
        }
    }
}

/// One optional member of the envelope, borrowed as raw JSON. Absent and `null` differ.
#[derive(Default)]
struct Member<'a>(Option<&'a RawValue>);

impl<'de: 'a, 'a> Deserialize<'de> for Member<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        <&'a RawValue>::deserialize(deserializer).map(|raw| Member(Some(raw)))
    }
}

#[derive(Deserialize)]
struct Envelope<'a> {
    #[serde(default, borrow)]
    jsonrpc: Member<'a>,
    #[serde(default, borrow)]
    id: Member<'a>,
    #[serde(default, borrow)]
    method: Member<'a>,
    #[serde(default, borrow)]
    params: Member<'a>,
    #[serde(default, borrow)]
    result: Member<'a>,
    #[serde(default, borrow)]
    error: Member<'a>,
}

#[derive(Deserialize)]
struct IdOnly<'a> {
    #[serde(default, borrow)]
    id: Member<'a>,
}

fn first_byte(bytes: &[u8]) -> Option<u8> {
    bytes
        .iter()
        .copied()
        .find(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
}

fn parse_error(error: &serde_json::Error) -> DecodeError {
    DecodeError::Parse {
        line: error.line(),
        column: error.column(),
    }
}

/// Reads the id of a message whose envelope failed, for the error reply.
fn salvage_id(bytes: &[u8]) -> Option<RequestId> {
    let only: IdOnly<'_> = serde_json::from_slice(bytes).ok()?;
    serde_json::from_str(only.id.0?.get()).ok()
}

enum IdField {
    Absent,
    Null,
    Valid(RequestId),
    Invalid,
}

fn read_id(member: &Member<'_>) -> IdField {
    match member.0 {
        None => IdField::Absent,
        Some(raw) if raw.get() == "null" => IdField::Null,
        Some(raw) => match serde_json::from_str::<RequestId>(raw.get()) {
            Ok(id) => IdField::Valid(id),
            Err(_) => IdField::Invalid,
        },
    }
}

fn is_object(raw: &RawValue) -> bool {
    raw.get().starts_with('{')
}

/// Decodes one JSON-RPC message.
///
/// `bytes` must hold exactly one JSON value (surrounding whitespace is allowed). The
/// envelope is validated against JSON-RPC 2.0 as MCP narrows it (`id` never null on
/// requests, `params` and `result` always objects, no batches).
pub fn decode(bytes: &[u8]) -> Result<Message, DecodeError> {
    match first_byte(bytes) {
        Some(b'{') => {}
        Some(b'[') => {
            return match serde_json::from_slice::<IgnoredAny>(bytes) {
                Ok(_) => Err(DecodeError::Batch),
                Err(error) => Err(parse_error(&error)),
            };
        }
        _ => {
            return match serde_json::from_slice::<IgnoredAny>(bytes) {
                Ok(_) => Err(DecodeError::Invalid {
                    reason: InvalidReason::NotAnObject,
                    id: None,
                    kind: None,
                }),
                Err(error) => Err(parse_error(&error)),
            };
        }
    }
    let envelope: Envelope<'_> = match serde_json::from_slice(bytes) {
        Ok(envelope) => envelope,
        Err(error) if error.is_syntax() || error.is_eof() || error.is_io() => {
            return Err(parse_error(&error));
        }
        Err(_) => {
            // A data error (a duplicate member) may hide a syntax error further on.
            if let Err(error) = serde_json::from_slice::<IgnoredAny>(bytes) {
                return Err(parse_error(&error));
            }
            return Err(DecodeError::Invalid {
                reason: InvalidReason::DuplicateMember,
                id: salvage_id(bytes),
                kind: None,
            });
        }
    };
    interpret(&envelope)
}

fn interpret(envelope: &Envelope<'_>) -> Result<Message, DecodeError> {
    let id = read_id(&envelope.id);
    let kind = if envelope.method.0.is_some() {
        match id {
            IdField::Absent => MessageKind::Notification,
            _ => MessageKind::Request,
        }
    } else if envelope.error.0.is_some() {
        MessageKind::Error
    } else if envelope.result.0.is_some() {
        MessageKind::Result
    } else {
        let id = match id {
            IdField::Valid(id) => Some(id),
            _ => None,
        };
        return Err(invalid(InvalidReason::NotAMessage, id, None));
    };
    let known_id = match &id {
        IdField::Valid(id) => Some(id.clone()),
        _ => None,
    };
    let fail = |reason| Err(invalid(reason, known_id.clone(), Some(kind)));

    match envelope.jsonrpc.0 {
        None => return fail(InvalidReason::MissingVersion),
        Some(raw) => match serde_json::from_str::<Cow<'_, str>>(raw.get()) {
            Ok(version) if version == "2.0" => {}
            _ => return fail(InvalidReason::WrongVersion),
        },
    }
    match (&id, kind) {
        (IdField::Invalid, _) => return fail(InvalidReason::InvalidId),
        (IdField::Null, MessageKind::Request | MessageKind::Result) => {
            return fail(InvalidReason::NullId);
        }
        (IdField::Absent, MessageKind::Result) => return fail(InvalidReason::MissingId),
        _ => {}
    }

    match kind {
        MessageKind::Request | MessageKind::Notification => {
            let method = envelope
                .method
                .0
                .and_then(|raw| serde_json::from_str::<alloc::string::String>(raw.get()).ok());
            let Some(method) = method else {
                return fail(InvalidReason::MethodNotString);
            };
            let params = match envelope.params.0 {
                None => None,
                Some(raw) if is_object(raw) => {
                    Some(Params::from_object(RawJson::from_raw(raw.to_owned())))
                }
                Some(_) => return fail(InvalidReason::ParamsNotObject),
            };
            Ok(match known_id {
                Some(id) => Message::Request(Request { id, method, params }),
                None => Message::Notification(Notification { method, params }),
            })
        }
        MessageKind::Result | MessageKind::Error => {
            if envelope.result.0.is_some() && envelope.error.0.is_some() {
                return fail(InvalidReason::ResultAndError);
            }
            let outcome = if let Some(raw) = envelope.error.0 {
                match serde_json::from_str::<ErrorObject>(raw.get()) {
                    Ok(error) => Outcome::Error(error),
                    Err(_) => return fail(InvalidReason::InvalidErrorObject),
                }
            } else {
                match envelope.result.0 {
                    Some(raw) if is_object(raw) => {
                        Outcome::Result(ResultBody::from_object(RawJson::from_raw(raw.to_owned())))
                    }
                    _ => return fail(InvalidReason::ResultNotObject),
                }
            };
            Ok(Message::Response(Response {
                id: known_id,
                outcome,
            }))
        }
    }
}

fn invalid(reason: InvalidReason, id: Option<RequestId>, kind: Option<MessageKind>) -> DecodeError {
    DecodeError::Invalid { reason, id, kind }
}
