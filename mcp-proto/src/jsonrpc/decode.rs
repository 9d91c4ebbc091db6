//! Decoding one JSON-RPC message from bytes.
//!
//! The decoder checks that the bytes are one valid JSON value, then reads only the
//! envelope: `jsonrpc`, `id`, `method`, `params._meta` and, for results, `resultType` and
//! `_meta`. `params` and `result` are kept as raw JSON text. Every failure is a
//! [`DecodeError`] that names the JSON-RPC error the peer is owed and the id to answer
//! with, when one could be read.

use alloc::borrow::Cow;
use alloc::string::String;
use core::fmt;
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};
use serde_json::value::RawValue;

use crate::json::RawJson;
use crate::jsonrpc::error::{ErrorCode, ErrorObject};
use crate::jsonrpc::id::RequestId;
use crate::jsonrpc::message::{
    Message, MessageKind, MetaSlot, Notification, Outcome, Params, Request, Response, ResultBody,
    ResultMembers, ResultTypeSlot,
};
use crate::jsonrpc::scan::{is_whitespace, object_members, plain_string, skip_whitespace};
use crate::types::meta::{INDEXED_KEY_COUNT, Meta, MetaIndex, indexed_slot};

mod plain;

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

/// The envelope's members, borrowed from the input: the raw text of `jsonrpc`, `id`,
/// `method` and `error`, and `params` and `result` as the decoding pass leaves them.
#[derive(Default, Debug, PartialEq)]
struct Envelope<'a> {
    jsonrpc: Option<&'a str>,
    id: Option<&'a str>,
    method: Option<&'a str>,
    params: Option<Payload<'a>>,
    result: Option<Payload<'a>>,
    error: Option<&'a str>,
}

/// A `params` or `result` member as the single decoding pass leaves it.
#[derive(Debug, PartialEq)]
enum Payload<'a> {
    /// An object: its exact text and its `_meta` and `resultType` members, raw.
    Object {
        text: &'a str,
        meta: Option<MetaPayload<'a>>,
        result_type: Option<&'a str>,
        members: ResultMembers,
        /// The bytes of `text` that remove its one `_meta` member (see [`Params`]).
        meta_cut: Option<(usize, usize)>,
    },
    /// An object without members, whose text is located afterwards.
    EmptyObject,
    /// An object whose text is located afterwards, as no member gave its position (a
    /// member-less or non-object `_meta` at either end).
    Unlocated {
        meta: Option<MetaPayload<'a>>,
        result_type: Option<&'a str>,
        members: ResultMembers,
    },
    /// Any other JSON value.
    NotObject,
}

/// A `_meta` member as the single decoding pass leaves it: indexed in that pass.
#[derive(Debug, PartialEq)]
enum MetaPayload<'a> {
    /// An object: its exact text and where its reserved keys' values sit in that text.
    Object { text: &'a str, index: MetaIndex },
    /// An object without members, whose text is located afterwards.
    EmptyObject,
    /// Any other JSON value.
    NotObject,
}

impl<'a> MetaPayload<'a> {
    /// The slot of the `_meta` of a payload object whose text is `payload`.
    fn into_slot(self, payload: &'a str) -> MetaSlot {
        match self {
            MetaPayload::Object { text, index } => {
                MetaSlot::Present(Meta::from_checked_indexed(text, index))
            }
            // Rare: find the member-less object's exact text (`{ }` keeps its space).
            MetaPayload::EmptyObject => match object_members(payload, ["_meta"]) {
                [Some(text)] => MetaSlot::read(Some(text)),
                _ => MetaSlot::read(Some("{}")),
            },
            MetaPayload::NotObject => MetaSlot::Malformed,
        }
    }
}

impl<'a> Payload<'a> {
    /// Resolves an [`Payload::EmptyObject`] to its exact text by walking the top level of
    /// the message for `key`. Only member-less objects take this path, so the walk is short.
    fn located(self, input: &'a str, key: &str) -> Payload<'a> {
        let (meta, result_type, members) = match self {
            Payload::EmptyObject => (None, None, ResultMembers::default()),
            Payload::Unlocated {
                meta,
                result_type,
                members,
            } => (meta, result_type, members),
            other => return other,
        };
        let text = match object_members(input, [key]) {
            [Some(text)] => text,
            _ => "{}",
        };
        Payload::Object {
            text,
            meta,
            result_type,
            members,
            meta_cut: None,
        }
    }
}

#[derive(Clone, Copy)]
enum EnvelopeKey {
    Jsonrpc,
    Id,
    Method,
    Params,
    Result,
    Error,
    Other,
}

#[derive(Clone, Copy)]
enum PayloadKey {
    Meta,
    ResultType,
    TtlMs,
    CacheScope,
    Task,
    Other,
}

/// Reads an object key into a small enum without allocating.
struct KeySeed<K>(fn(&str) -> K);

impl<'de, K> DeserializeSeed<'de> for KeySeed<K> {
    type Value = K;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<K, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<K> Visitor<'_> for KeySeed<K> {
    type Value = K;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object key")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<K, E> {
        Ok((self.0)(key))
    }
}

fn envelope_key(key: &str) -> EnvelopeKey {
    match key {
        "jsonrpc" => EnvelopeKey::Jsonrpc,
        "id" => EnvelopeKey::Id,
        "method" => EnvelopeKey::Method,
        "params" => EnvelopeKey::Params,
        "result" => EnvelopeKey::Result,
        "error" => EnvelopeKey::Error,
        _ => EnvelopeKey::Other,
    }
}

fn payload_key(key: &str) -> PayloadKey {
    match key {
        "_meta" => PayloadKey::Meta,
        "resultType" => PayloadKey::ResultType,
        "ttlMs" => PayloadKey::TtlMs,
        "cacheScope" => PayloadKey::CacheScope,
        "task" => PayloadKey::Task,
        _ => PayloadKey::Other,
    }
}

/// Visits the top-level object once. `input` is the whole message, from which payload
/// spans are cut.
struct EnvelopeSeed<'a> {
    input: &'a str,
}

impl<'de> DeserializeSeed<'de> for EnvelopeSeed<'de> {
    type Value = Envelope<'de>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Envelope<'de>, D::Error> {
        deserializer.deserialize_map(self)
    }
}

/// The next member value's raw text (serde_json checks it as it skips).
fn raw<'de, A: MapAccess<'de>>(map: &mut A) -> Result<&'de str, A::Error> {
    map.next_value::<&'de RawValue>().map(RawValue::get)
}

fn set_once<T, E: de::Error>(slot: &mut Option<T>, value: T) -> Result<(), E> {
    if slot.is_some() {
        return Err(E::custom("duplicate member"));
    }
    *slot = Some(value);
    Ok(())
}

impl<'de> Visitor<'de> for EnvelopeSeed<'de> {
    type Value = Envelope<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON-RPC message object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Envelope<'de>, A::Error> {
        let mut envelope = Envelope::default();
        let payload = PayloadSeed { input: self.input };
        while let Some(key) = map.next_key_seed(KeySeed(envelope_key))? {
            match key {
                EnvelopeKey::Jsonrpc => set_once(&mut envelope.jsonrpc, raw(&mut map)?)?,
                EnvelopeKey::Id => set_once(&mut envelope.id, raw(&mut map)?)?,
                EnvelopeKey::Method => set_once(&mut envelope.method, raw(&mut map)?)?,
                EnvelopeKey::Error => set_once(&mut envelope.error, raw(&mut map)?)?,
                EnvelopeKey::Params => {
                    set_once(&mut envelope.params, map.next_value_seed(payload)?)?;
                }
                EnvelopeKey::Result => {
                    set_once(&mut envelope.result, map.next_value_seed(payload)?)?;
                }
                EnvelopeKey::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(envelope)
    }
}

/// Visits a `params` or `result` value: members are borrowed raw (serde_json checks them
/// as it skips), `_meta` and `resultType` are kept, and the object's own text is recovered
/// from the positions of its first and last member inside `input`.
#[derive(Clone, Copy)]
struct PayloadSeed<'a> {
    input: &'a str,
}

impl<'de> DeserializeSeed<'de> for PayloadSeed<'de> {
    type Value = Payload<'de>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Payload<'de>, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for PayloadSeed<'de> {
    type Value = Payload<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Payload<'de>, A::Error> {
        let mut meta = None;
        let mut result_type = None;
        let mut members = ResultMembers::default();
        let mut unlocated = false;
        let mut meta_members = 0usize;
        // The first `_meta` member's key start and value end, when it is an object.
        let mut meta_member = None;
        let mut first_start = None;
        let mut last_end = None;
        while let Some(key) = map.next_key_seed(KeySeed(payload_key))? {
            if let PayloadKey::Meta = key {
                // Indexed as it is checked; the first `_meta` counts.
                let payload = map.next_value_seed(MetaSeed { input: self.input })?;
                meta_members += 1;
                match &payload {
                    MetaPayload::Object { text, .. } => {
                        let (start, end) = span_of(self.input, text)
                            .ok_or_else(|| de::Error::custom("_meta outside the input"))?;
                        first_start.get_or_insert(start);
                        last_end = Some(end);
                        if meta_members == 1 {
                            meta_member =
                                key_start(self.input.as_bytes(), start).map(|key| (key, end));
                        }
                    }
                    // No position to take: the payload object is found by a walk.
                    MetaPayload::EmptyObject | MetaPayload::NotObject => unlocated = true,
                }
                if meta.is_none() {
                    meta = Some(payload);
                }
                continue;
            }
            let value: &'de RawValue = map.next_value()?;
            let (start, end) = span_of(self.input, value.get())
                .ok_or_else(|| de::Error::custom("payload member outside the input"))?;
            first_start.get_or_insert(start);
            last_end = Some(end);
            match key {
                PayloadKey::Meta => {}
                PayloadKey::ResultType => {
                    result_type.get_or_insert(value.get());
                }
                PayloadKey::TtlMs => members.ttl_ms = true,
                PayloadKey::CacheScope => members.cache_scope = true,
                PayloadKey::Task => members.task = true,
                PayloadKey::Other => {}
            }
        }
        if unlocated {
            return Ok(Payload::Unlocated {
                meta,
                result_type,
                members,
            });
        }
        let bytes = self.input.as_bytes();
        let (start, end) = match (first_start, last_end) {
            (Some(first), Some(last)) => object_start(bytes, first)
                .zip(object_end(bytes, last))
                .ok_or_else(|| de::Error::custom("payload object bounds not found"))?,
            // No member to take a position from: the caller finds the object by key.
            _ => return Ok(Payload::EmptyObject),
        };
        let text = self
            .input
            .get(start..end)
            .ok_or_else(|| de::Error::custom("payload object bounds not found"))?;
        // Only a lone `_meta` can be cut: with two, decoding must see both.
        let meta_cut = meta_member
            .filter(|_| meta_members == 1)
            .and_then(|(key, value_end)| member_cut(bytes, key, value_end))
            .and_then(|(from, to)| Some((from.checked_sub(start)?, to.checked_sub(start)?)));
        Ok(Payload::Object {
            text,
            meta,
            result_type,
            members,
            meta_cut,
        })
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Payload<'de>, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Payload::NotObject)
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Payload<'de>, E> {
        Ok(Payload::NotObject)
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Payload<'de>, E> {
        Ok(Payload::NotObject)
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Payload<'de>, E> {
        Ok(Payload::NotObject)
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Payload<'de>, E> {
        Ok(Payload::NotObject)
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<Payload<'de>, E> {
        Ok(Payload::NotObject)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Payload<'de>, E> {
        Ok(Payload::NotObject)
    }
}

/// Visits a `_meta` value: an object's members are borrowed raw (serde_json checks them as
/// it skips) and the first occurrence of each reserved key is recorded, so the `_meta`
/// index costs no pass of its own.
#[derive(Clone, Copy)]
struct MetaSeed<'a> {
    input: &'a str,
}

impl<'de> DeserializeSeed<'de> for MetaSeed<'de> {
    type Value = MetaPayload<'de>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for MetaSeed<'de> {
    type Value = MetaPayload<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut spans = [(0usize, 0usize); INDEXED_KEY_COUNT];
        let mut first_start = None;
        let mut last_end = None;
        while let Some(slot) = map.next_key_seed(KeySeed(indexed_slot))? {
            let value: &'de RawValue = map.next_value()?;
            let (start, end) = span_of(self.input, value.get())
                .ok_or_else(|| de::Error::custom("_meta member outside the input"))?;
            first_start.get_or_insert(start);
            last_end = Some(end);
            if let Some(span) = slot.and_then(|slot| spans.get_mut(slot)) {
                if *span == (0, 0) {
                    *span = (start, end);
                }
            }
        }
        let (Some(first), Some(last)) = (first_start, last_end) else {
            // No member to take a position from: the caller finds the object.
            return Ok(MetaPayload::EmptyObject);
        };
        let bytes = self.input.as_bytes();
        let (start, text) = object_start(bytes, first)
            .zip(object_end(bytes, last))
            .and_then(|(start, end)| Some((start, self.input.get(start..end)?)))
            .ok_or_else(|| de::Error::custom("_meta object bounds not found"))?;
        // Offsets into the object's text; `(0, 0)` stays "absent".
        let relative = |(from, to): (usize, usize)| -> Option<(u32, u32)> {
            if (from, to) == (0, 0) {
                return Some((0, 0));
            }
            Some((
                u32::try_from(from.checked_sub(start)?).ok()?,
                u32::try_from(to.checked_sub(start)?).ok()?,
            ))
        };
        let mut relative_spans = [(0u32, 0u32); INDEXED_KEY_COUNT];
        let mut indexed = true;
        for (out, span) in relative_spans.iter_mut().zip(spans) {
            match relative(span) {
                Some(span) => *out = span,
                None => indexed = false,
            }
        }
        let index = if indexed {
            MetaIndex::from_spans(relative_spans)
        } else {
            // Offsets too large for the index: lookups walk instead.
            MetaIndex::NONE
        };
        Ok(MetaPayload::Object { text, index })
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(MetaPayload::NotObject)
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(MetaPayload::NotObject)
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(MetaPayload::NotObject)
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(MetaPayload::NotObject)
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(MetaPayload::NotObject)
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
        Ok(MetaPayload::NotObject)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(MetaPayload::NotObject)
    }
}

/// Where `part`, a slice borrowed from `input`, sits inside it.
fn span_of(input: &str, part: &str) -> Option<(usize, usize)> {
    let start = (part.as_ptr() as usize).checked_sub(input.as_ptr() as usize)?;
    let end = start.checked_add(part.len())?;
    (end <= input.len()).then_some((start, end))
}

/// Steps back over whitespace ending at `at`; returns the index just after the previous
/// non-whitespace byte.
fn back_over_whitespace(bytes: &[u8], mut at: usize) -> usize {
    while at > 0 && bytes.get(at - 1).copied().is_some_and(is_whitespace) {
        at -= 1;
    }
    at
}

/// Given the start of an object's first member value, finds the object's `{`: back over
/// the member's key (see [`key_start`]) and whitespace. Exact for valid JSON, which
/// serde_json has already established.
fn object_start(bytes: &[u8], first_value: usize) -> Option<usize> {
    let open_quote = key_start(bytes, first_value)?;
    let brace = back_over_whitespace(bytes, open_quote).checked_sub(1)?;
    (*bytes.get(brace)? == b'{').then_some(brace)
}

/// Given the start of a member's value, finds the opening quote of its key: back over
/// `:`, whitespace and the key string (whose escaped quotes are skipped by counting
/// backslashes). Exact for valid JSON.
fn key_start(bytes: &[u8], value: usize) -> Option<usize> {
    let colon = back_over_whitespace(bytes, value).checked_sub(1)?;
    if *bytes.get(colon)? != b':' {
        return None;
    }
    let close_quote = back_over_whitespace(bytes, colon).checked_sub(1)?;
    if *bytes.get(close_quote)? != b'"' {
        return None;
    }
    let mut search_end = close_quote;
    loop {
        let quote = memchr::memrchr(b'"', bytes.get(..search_end)?)?;
        let backslashes = bytes
            .get(..quote)?
            .iter()
            .rev()
            .take_while(|b| **b == b'\\')
            .count();
        if backslashes % 2 == 0 {
            return Some(quote);
        }
        search_end = quote;
    }
}

/// The bytes to cut from an object's text to remove one member, with one comma beside it:
/// the member's key starts at `key` and its value ends at `value_end` (both indices into
/// `bytes`, the text the object lies in). What remains is the same object without that
/// member, valid JSON.
fn member_cut(bytes: &[u8], key: usize, value_end: usize) -> Option<(usize, usize)> {
    let before = back_over_whitespace(bytes, key).checked_sub(1)?;
    match *bytes.get(before)? {
        // Not the first member: the comma before it goes with it.
        b',' => Some((before, value_end)),
        // The first member: the comma after it goes, if another member follows.
        b'{' => {
            let after = skip_whitespace(bytes, value_end);
            match *bytes.get(after)? {
                b',' => Some((key, after + 1)),
                _ => Some((key, value_end)),
            }
        }
        _ => None,
    }
}

/// Given the end of an object's last member value, finds the index just past its `}`.
fn object_end(bytes: &[u8], last_value_end: usize) -> Option<usize> {
    let at = skip_whitespace(bytes, last_value_end);
    (*bytes.get(at)? == b'}').then_some(at + 1)
}

#[derive(Deserialize)]
struct IdOnly<'a> {
    #[serde(default, borrow)]
    id: Option<&'a RawValue>,
}

fn first_byte(bytes: &[u8]) -> Option<u8> {
    bytes.iter().copied().find(|b| !is_whitespace(*b))
}

fn parse_error(error: &serde_json::Error) -> DecodeError {
    DecodeError::Parse {
        line: error.line(),
        column: error.column(),
    }
}

/// The position of the first invalid UTF-8 byte, as a parse error.
fn utf8_error(bytes: &[u8], error: Option<core::str::Utf8Error>) -> DecodeError {
    let valid = error.map_or(bytes.len(), |error| error.valid_up_to());
    let prefix = bytes.get(..valid).unwrap_or(bytes);
    let line = 1 + memchr::memchr_iter(b'\n', prefix).count();
    let line_start = memchr::memrchr(b'\n', prefix).map_or(0, |at| at + 1);
    DecodeError::Parse {
        line,
        column: prefix.len() - line_start + 1,
    }
}

/// Reads the id of a message whose envelope failed, for the error reply.
fn salvage_id(text: &str) -> Option<RequestId> {
    let only: IdOnly<'_> = serde_json::from_str(text).ok()?;
    serde_json::from_str(only.id?.get()).ok()
}

enum IdField {
    Absent,
    Null,
    Valid(RequestId),
    Invalid,
}

fn read_id(member: Option<&str>) -> IdField {
    match member {
        None => IdField::Absent,
        Some("null") => IdField::Null,
        Some(raw) => {
            match fast_id(raw).map_or_else(|| serde_json::from_str::<RequestId>(raw), Ok) {
                Ok(id) => IdField::Valid(id),
                Err(_) => IdField::Invalid,
            }
        }
    }
}

/// The common ids read without serde_json: a string without escapes, or a non-negative
/// integer of at most 18 digits (always within `i64`; valid JSON has no leading zeros).
/// `None` for anything else, which serde_json reads (`-0`, for one, is a float to it).
fn fast_id(raw: &str) -> Option<RequestId> {
    if let Some(text) = plain_string(raw) {
        return Some(RequestId::String(text.into()));
    }
    if (1..=18).contains(&raw.len()) && raw.bytes().all(|b| b.is_ascii_digit()) {
        return raw.parse::<i64>().ok().map(RequestId::Number);
    }
    None
}

/// Decodes one JSON-RPC message.
///
/// `bytes` must hold exactly one JSON value (surrounding whitespace is allowed). The
/// envelope is validated against JSON-RPC 2.0 as MCP narrows it (`id` never null on
/// requests, `params` and `result` always objects, no batches). The whole input is
/// checked for JSON validity in the same single pass that reads the envelope.
pub fn decode(bytes: &[u8]) -> Result<Message, DecodeError> {
    let text = match simdutf8::basic::from_utf8(bytes) {
        Ok(text) => text,
        // The fast check says only "invalid"; the standard one says where.
        Err(_) => return Err(utf8_error(bytes, core::str::from_utf8(bytes).err())),
    };
    match first_byte(bytes) {
        Some(b'{') => {}
        Some(b'[') => {
            return match serde_json::from_str::<IgnoredAny>(text) {
                Ok(_) => Err(DecodeError::Batch),
                Err(error) => Err(parse_error(&error)),
            };
        }
        _ => {
            return match serde_json::from_str::<IgnoredAny>(text) {
                Ok(_) => Err(DecodeError::Invalid {
                    reason: InvalidReason::NotAnObject,
                    id: None,
                    kind: None,
                }),
                Err(error) => Err(parse_error(&error)),
            };
        }
    }
    let envelope = match plain::envelope(text) {
        Some(envelope) => envelope,
        None => serde_envelope(text)?,
    };
    interpret(envelope)
}

/// True when the plain pass leaves `text` to serde_json, or reads the same envelope
/// serde_json reads (the decoder's two paths agree): for differential fuzzing.
#[cfg(any(test, feature = "testing"))]
pub(crate) fn paths_agree(text: &str) -> bool {
    match plain::envelope(text) {
        None => true,
        Some(plain) => serde_envelope(text).is_ok_and(|serde| serde == plain),
    }
}

/// Reads the envelope through serde_json: any text the plain pass leaves, errors included.
fn serde_envelope(text: &str) -> Result<Envelope<'_>, DecodeError> {
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let envelope = EnvelopeSeed { input: text }
        .deserialize(&mut deserializer)
        .and_then(|envelope| deserializer.end().map(|()| envelope));
    let envelope = match envelope {
        Ok(envelope) => envelope,
        Err(error) if error.is_syntax() || error.is_eof() || error.is_io() => {
            return Err(parse_error(&error));
        }
        Err(_) => {
            // A data error (a duplicate member) may hide a syntax error further on.
            if let Err(error) = serde_json::from_str::<IgnoredAny>(text) {
                return Err(parse_error(&error));
            }
            return Err(DecodeError::Invalid {
                reason: InvalidReason::DuplicateMember,
                id: salvage_id(text),
                kind: None,
            });
        }
    };
    Ok(Envelope {
        params: envelope.params.map(|p| p.located(text, "params")),
        result: envelope.result.map(|r| r.located(text, "result")),
        ..envelope
    })
}

fn interpret(envelope: Envelope<'_>) -> Result<Message, DecodeError> {
    let id = read_id(envelope.id);
    let kind = if envelope.method.is_some() {
        match id {
            IdField::Absent => MessageKind::Notification,
            _ => MessageKind::Request,
        }
    } else if envelope.error.is_some() {
        MessageKind::Error
    } else if envelope.result.is_some() {
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

    match envelope.jsonrpc {
        None => return fail(InvalidReason::MissingVersion),
        Some("\"2.0\"") => {}
        Some(raw) => match serde_json::from_str::<Cow<'_, str>>(raw) {
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
            let method = envelope.method.and_then(|raw| match plain_string(raw) {
                Some(method) => Some(String::from(method)),
                None => serde_json::from_str::<String>(raw).ok(),
            });
            let Some(method) = method else {
                return fail(InvalidReason::MethodNotString);
            };
            let params = match envelope.params {
                None => None,
                Some(Payload::Object {
                    text,
                    meta,
                    meta_cut,
                    ..
                }) => Some(
                    Params::from_parts(
                        RawJson::from_checked(text.into()),
                        meta.map_or(MetaSlot::Absent, |meta| meta.into_slot(text)),
                    )
                    .with_meta_cut(meta_cut),
                ),
                // `located` has already resolved these.
                Some(Payload::EmptyObject | Payload::Unlocated { .. }) => Some(Params::from_parts(
                    RawJson::from_checked("{}".into()),
                    MetaSlot::Absent,
                )),
                Some(Payload::NotObject) => return fail(InvalidReason::ParamsNotObject),
            };
            Ok(match known_id {
                Some(id) => Message::Request(Request { id, method, params }),
                None => Message::Notification(Notification { method, params }),
            })
        }
        MessageKind::Result | MessageKind::Error => {
            if envelope.result.is_some() && envelope.error.is_some() {
                return fail(InvalidReason::ResultAndError);
            }
            let outcome = if let Some(raw) = envelope.error {
                match serde_json::from_str::<ErrorObject>(raw) {
                    Ok(error) => Outcome::Error(error),
                    Err(_) => return fail(InvalidReason::InvalidErrorObject),
                }
            } else {
                match envelope.result {
                    Some(Payload::Object {
                        text,
                        meta,
                        result_type,
                        members,
                        ..
                    }) => Outcome::Result(ResultBody::from_parts(
                        RawJson::from_checked(text.into()),
                        ResultTypeSlot::read(result_type),
                        meta.map_or(MetaSlot::Absent, |meta| meta.into_slot(text)),
                        members,
                    )),
                    Some(Payload::EmptyObject | Payload::Unlocated { .. }) => {
                        Outcome::Result(ResultBody::from_parts(
                            RawJson::from_checked("{}".into()),
                            ResultTypeSlot::Absent,
                            MetaSlot::Absent,
                            ResultMembers::default(),
                        ))
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The decoder's single pass finds the same `params`/`result` text and `_meta` as
    /// reading the payload object on its own does, wherever `_meta` sits and whatever it
    /// holds.
    #[test]
    fn payload_and_meta_match_a_separate_reading() {
        let payloads = [
            r#"{"_meta":{}}"#,
            r#"{ "_meta" : { } }"#,
            r#"{"_meta":[1,{"a":2}]}"#,
            r#"{"_meta":"x","b":1}"#,
            r#"{"a":1,"_meta":null}"#,
            r#"{"a":1,"_meta":{},"b":2}"#,
            r#"{"_meta":{"progressToken":1},"_meta":7}"#,
            r#"{"_meta":7,"_meta":{"progressToken":1}}"#,
            r#"{"\u005fmeta":{"io.modelcontextprotocol/logLevel":"info"},"resultType":"complete"}"#,
            r#"{"a":{"_meta":1},"_meta":{"progressToken":"t","x":{"y":[]}},"ttlMs":1,"task":{}}"#,
        ];
        for payload in payloads {
            let request =
                alloc::format!(r#"{{"jsonrpc":"2.0","id":1,"method":"m","params": {payload} }}"#);
            let Ok(Message::Request(request)) = decode(request.as_bytes()) else {
                panic!("{payload}");
            };
            let expected = Params::from_object(RawJson::from_text(payload).unwrap());
            assert_eq!(request.params.as_ref(), Some(&expected), "{payload}");
            let response = alloc::format!(r#"{{"jsonrpc":"2.0","id":1,"result": {payload} }}"#);
            let Ok(Message::Response(response)) = decode(response.as_bytes()) else {
                panic!("{payload}");
            };
            let expected = ResultBody::from_object(RawJson::from_text(payload).unwrap());
            assert_eq!(response.outcome, Outcome::Result(expected), "{payload}");
        }
    }

    /// Typed decoding that skips the lone `_meta` gives exactly what decoding the whole
    /// params gives: the same value, or the same error.
    #[test]
    fn typed_params_without_meta_decode_as_the_whole() {
        use crate::types::{CallToolRequestParams, ClientRequest};
        use alloc::string::ToString;
        let meta = r#"{"io.modelcontextprotocol/protocolVersion":"2026-07-28","x":[1,{"y":"}"}]}"#;
        let payloads = [
            alloc::format!(r#"{{"_meta":{meta}}}"#),
            alloc::format!(r#"{{"_meta":{meta},"name":"echo"}}"#),
            alloc::format!(r#"{{ "_meta" : {meta} , "name" : "echo" , "arguments" : {{}} }}"#),
            alloc::format!(r#"{{"name":"echo","_meta":{meta},"arguments":{{"a":1}}}}"#),
            alloc::format!(r#"{{"name":"echo","arguments":{{"a":1}} , "_meta":{meta} }}"#),
            alloc::format!(r#"{{"name":"echo","\u005fmeta":{meta}}}"#),
            alloc::format!(r#"{{"na\"me":1,"_meta":{meta},"name":"echo"}}"#),
            alloc::format!(r#"{{"name":"echo","_meta":{meta},"_meta":{{}}}}"#),
            alloc::format!(r#"{{"name":"echo","_meta":{meta},"arguments":[1]}}"#),
            alloc::format!(r#"{{"name":7,"_meta":{meta}}}"#),
            alloc::format!(r#"{{"name":"echo","_meta":{meta},"name":"twice"}}"#),
            String::from(r#"{"name":"echo","_meta":{}}"#),
            String::from(r#"{"name":"echo","_meta":[]}"#),
            String::from(r#"{"name":"echo"}"#),
        ];
        for payload in payloads {
            let line = alloc::format!(
                r#"{{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{payload}}}"#
            );
            let Ok(Message::Request(request)) = decode(line.as_bytes()) else {
                panic!("{payload}");
            };
            let params = request.params.as_ref().unwrap();
            let whole = params.decode::<CallToolRequestParams>();
            let typed = ClientRequest::decode("tools/call", Some(params));
            match (whole, typed) {
                (Ok(whole), Ok(ClientRequest::CallTool(typed))) => {
                    assert_eq!(whole, typed, "{payload}");
                }
                (Err(whole), Err(typed)) => {
                    assert_eq!(whole.to_string(), typed.to_string(), "{payload}");
                }
                (whole, typed) => panic!("{payload}: {whole:?} vs {typed:?}"),
            }
        }
    }

    #[test]
    fn member_cuts_leave_the_object_without_the_member() {
        for (text, key, expected) in [
            (r#"{"a":1,"m":{"x":2},"b":3}"#, "m", r#"{"a":1,"b":3}"#),
            (r#"{"m":{"x":2},"b":3}"#, "m", r#"{"b":3}"#),
            (r#"{"a":1,"m":{"x":2}}"#, "m", r#"{"a":1}"#),
            (r#"{ "m" : {} }"#, "m", r#"{  }"#),
            (r#"{ "a" : 1 , "m" : {} }"#, "m", r#"{ "a" : 1  }"#),
            (r#"{"q\"m":0,"m":{}}"#, "m", r#"{"q\"m":0}"#),
        ] {
            let [value] = object_members(text, [key]);
            let value = value.unwrap();
            let start = value.as_ptr() as usize - text.as_ptr() as usize;
            let bytes = text.as_bytes();
            let key = key_start(bytes, start).unwrap();
            let (from, to) = member_cut(bytes, key, start + value.len()).unwrap();
            let cut = alloc::format!("{}{}", &text[..from], &text[to..]);
            assert_eq!(cut, expected);
            let _: serde_json::Value = serde_json::from_str(&cut).unwrap();
        }
    }

    #[test]
    fn ids_read_as_serde_json_reads_them() {
        for raw in [
            "0",
            "-0",
            "7",
            "-7",
            "123456789012345678",
            "-123456789012345678",
            "1234567890123456789",
            "9223372036854775807",
            "9223372036854775808",
            "-9223372036854775808",
            "1.5",
            "1e3",
            r#""x""#,
            r#""""#,
            r#""a\"b""#,
            "true",
        ] {
            let fast = fast_id(raw);
            let slow = serde_json::from_str::<RequestId>(raw).ok();
            assert!(fast.is_none() || fast == slow, "{raw}");
            assert_eq!(
                fast.or_else(|| serde_json::from_str::<RequestId>(raw).ok()),
                slow,
                "{raw}"
            );
        }
    }
}
