//! The decoded message envelope.

use alloc::boxed::Box;
use alloc::string::String;
use core::any::{Any, TypeId};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::json::RawJson;
use crate::jsonrpc::error::ErrorObject;
use crate::jsonrpc::id::RequestId;
use crate::jsonrpc::scan::object_members;
use crate::types::CallToolResult;
use crate::types::meta::Meta;
use crate::types::result::ResultType;

/// The four kinds of JSON-RPC message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MessageKind {
    /// Has `method` and `id`: expects exactly one response.
    Request,
    /// Has `method` and no `id`: never answered.
    Notification,
    /// Has `result` and `id`.
    Result,
    /// Has `error`.
    Error,
}

/// One JSON-RPC message with its envelope decoded and its payload still raw.
///
/// Produced by [`decode`](crate::jsonrpc::decode); the payload (`params`, `result`) is
/// decoded into a type only when asked, through [`Request::params_as`] and friends.
#[derive(Clone, Debug, PartialEq)]
pub enum Message {
    /// A request.
    Request(Request),
    /// A notification.
    Notification(Notification),
    /// A result or error response.
    Response(Response),
}

impl Message {
    /// Which kind of message this is.
    pub fn kind(&self) -> MessageKind {
        match self {
            Message::Request(_) => MessageKind::Request,
            Message::Notification(_) => MessageKind::Notification,
            Message::Response(response) => match response.outcome {
                Outcome::Result(_) => MessageKind::Result,
                Outcome::Error(_) => MessageKind::Error,
            },
        }
    }

    /// The method of a request or notification.
    pub fn method(&self) -> Option<&str> {
        match self {
            Message::Request(request) => Some(&request.method),
            Message::Notification(notification) => Some(&notification.method),
            Message::Response(_) => None,
        }
    }

    /// The id of a request or response (`None` for notifications and for error responses
    /// whose id was unreadable).
    pub fn id(&self) -> Option<&RequestId> {
        match self {
            Message::Request(request) => Some(&request.id),
            Message::Notification(_) => None,
            Message::Response(response) => response.id.as_ref(),
        }
    }

    /// The `params` of a request or notification.
    pub fn params(&self) -> Option<&Params> {
        match self {
            Message::Request(request) => request.params.as_ref(),
            Message::Notification(notification) => notification.params.as_ref(),
            Message::Response(_) => None,
        }
    }
}

/// A `params` object: the raw text plus its decoded `_meta`.
#[derive(Clone, Debug)]
pub struct Params {
    raw: RawJson,
    meta: MetaSlot,
    /// When the object has exactly one `_meta` member and it is an object: the byte range
    /// of `raw` that removes it (with one comma beside it), so typed decoding can skip
    /// reading `_meta` a second time ([`Params::decode_without_meta`]).
    meta_cut: Option<(usize, usize)>,
}

impl PartialEq for Params {
    fn eq(&self, other: &Self) -> bool {
        // `meta_cut` follows from the text.
        self.raw == other.raw && self.meta == other.meta
    }
}

/// What the `_meta` member of `params` or `result` held.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum MetaSlot {
    Absent,
    Present(Meta),
    /// Present but not an object.
    Malformed,
}

impl MetaSlot {
    pub(crate) fn read(text: Option<&str>) -> MetaSlot {
        match text {
            None => MetaSlot::Absent,
            // The envelope pass has checked the text is valid JSON; an object is all
            // `_meta` needs to be.
            Some(text) if text.starts_with('{') => {
                MetaSlot::Present(Meta::from_checked_object(text))
            }
            Some(_) => MetaSlot::Malformed,
        }
    }

    fn get(&self) -> Option<&Meta> {
        match self {
            MetaSlot::Present(meta) => Some(meta),
            _ => None,
        }
    }
}

impl Params {
    /// Wraps a raw `params` object, reading its `_meta`. `raw` must be a JSON object.
    pub(crate) fn from_object(raw: RawJson) -> Params {
        let [meta] = object_members(raw.get(), ["_meta"]);
        Params {
            meta: MetaSlot::read(meta),
            raw,
            meta_cut: None,
        }
    }

    /// Assembles params whose `_meta` the decoder already read.
    pub(crate) fn from_parts(raw: RawJson, meta: MetaSlot) -> Params {
        Params {
            raw,
            meta,
            meta_cut: None,
        }
    }

    /// Records where the decoder found the lone `_meta` member (see `meta_cut`).
    pub(crate) fn with_meta_cut(mut self, cut: Option<(usize, usize)>) -> Params {
        if matches!(self.meta, MetaSlot::Present(_)) {
            self.meta_cut = cut;
        }
        self
    }

    /// Decodes the object without its `_meta` member into `T`, then gives `T` the decoded
    /// `_meta`: the same value a decode of the whole object gives when it succeeds, without
    /// reading `_meta` again. `None` when this is not possible (no lone object `_meta`
    /// recorded) or the shorter text does not decode; decode the whole object then, which
    /// also gives the exact error.
    pub(crate) fn decode_without_meta<T: DeserializeOwned>(
        &self,
        set_meta: impl FnOnce(&mut T, Meta),
    ) -> Option<T> {
        let (from, to) = self.meta_cut?;
        let MetaSlot::Present(meta) = &self.meta else {
            return None;
        };
        let text = self.raw.get();
        let mut rest = String::with_capacity(text.len());
        rest.push_str(text.get(..from)?);
        rest.push_str(text.get(to..)?);
        let mut value: T = crate::json::strict::from_str(&rest).ok()?;
        set_meta(&mut value, meta.clone());
        Some(value)
    }

    /// The `_meta` a decode of the whole object gives it, when the decoder recorded a
    /// lone object `_meta` (as [`Self::decode_without_meta`] needs); `None` otherwise.
    pub(crate) fn lone_meta(&self) -> Option<&Meta> {
        self.meta_cut?;
        match &self.meta {
            MetaSlot::Present(meta) => Some(meta),
            _ => None,
        }
    }

    /// Serialises `value` (which must serialise to an object) as `params`.
    pub fn from_serialize<T: Serialize + ?Sized>(value: &T) -> Result<Params, serde_json::Error> {
        let raw = RawJson::from_serialize(value)?;
        if !raw.is_object() {
            return Err(serde::ser::Error::custom("params must be a JSON object"));
        }
        Ok(Params::from_object(raw))
    }

    /// The raw JSON text of the whole object, `_meta` included.
    pub fn raw(&self) -> &RawJson {
        &self.raw
    }

    /// The decoded `_meta`, when present and an object.
    pub fn meta(&self) -> Option<&Meta> {
        self.meta.get()
    }

    /// True when `_meta` is present but not a JSON object.
    pub fn meta_is_malformed(&self) -> bool {
        matches!(self.meta, MetaSlot::Malformed)
    }

    /// Decodes the whole object into `T`.
    pub fn decode<T: DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        self.raw.decode()
    }

    /// Decodes the object into `T` with the protocol's `_meta` left out (the 2026
    /// envelope, a progress token), so that an application's params type need not allow
    /// for it, `deny_unknown_fields` included.
    pub fn decode_ignoring_meta<T: DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        let text = self.raw.get();
        if self.meta().is_none() && !self.meta_is_malformed() {
            return serde_json::from_str(text);
        }
        match crate::json::splice::splice_object(text, &["_meta"], &[]) {
            Some(stripped) => serde_json::from_str(&stripped),
            None => serde_json::from_str(text),
        }
    }
}

fn decode_params<T: DeserializeOwned>(params: Option<&Params>) -> Result<T, serde_json::Error> {
    match params {
        Some(params) => params.decode(),
        None => serde_json::from_str("{}"),
    }
}

/// A request: expects exactly one response carrying the same id.
#[derive(Clone, Debug, PartialEq)]
pub struct Request {
    /// The id the response must echo.
    pub id: RequestId,
    /// The method name.
    pub method: String,
    /// The params object, when present.
    pub params: Option<Params>,
}

impl Request {
    /// Decodes `params` into `T`; absent params decode as an empty object.
    pub fn params_as<T: DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        decode_params(self.params.as_ref())
    }

    /// The decoded `params._meta`.
    pub fn meta(&self) -> Option<&Meta> {
        self.params.as_ref().and_then(Params::meta)
    }
}

/// A notification: never answered.
#[derive(Clone, Debug, PartialEq)]
pub struct Notification {
    /// The method name.
    pub method: String,
    /// The params object, when present.
    pub params: Option<Params>,
}

impl Notification {
    /// Decodes `params` into `T`; absent params decode as an empty object.
    pub fn params_as<T: DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        decode_params(self.params.as_ref())
    }

    /// The decoded `params._meta`.
    pub fn meta(&self) -> Option<&Meta> {
        self.params.as_ref().and_then(Params::meta)
    }
}

/// A response to a request.
#[derive(Clone, Debug, PartialEq)]
pub struct Response {
    /// The id of the request answered; `None` only on an error response whose request id
    /// could not be read.
    pub id: Option<RequestId>,
    /// The result or the error.
    pub outcome: Outcome,
}

/// What a response carries.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// A successful result.
    Result(ResultBody),
    /// An error.
    Error(ErrorObject),
}

/// A `result` object: the raw text plus its decoded `resultType` and `_meta`.
#[derive(Clone, Debug, PartialEq)]
pub struct ResultBody {
    raw: RawJson,
    result_type: ResultTypeSlot,
    meta: MetaSlot,
    members: ResultMembers,
    decoded: DecodedSlot,
}

/// The typed value a receiver's validation decoded the result into, kept so that
/// [`ResultBody::into_decoded`] does not decode the same text again. It is a cache of the
/// text, not part of the value: clones leave it behind and equality ignores it.
#[derive(Default)]
pub(crate) struct DecodedSlot(Option<Box<dyn Any + Send + Sync>>);

impl Clone for DecodedSlot {
    fn clone(&self) -> Self {
        DecodedSlot(None)
    }
}

impl PartialEq for DecodedSlot {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl core::fmt::Debug for DecodedSlot {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(if self.0.is_some() {
            "Decoded"
        } else {
            "NotDecoded"
        })
    }
}

/// Whether the top-level members the result checks ask about are present, read in the
/// same pass as `resultType` and `_meta`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct ResultMembers {
    /// `ttlMs`.
    pub(crate) ttl_ms: bool,
    /// `cacheScope`.
    pub(crate) cache_scope: bool,
    /// `task` (a 2025 `CreateTaskResult`).
    pub(crate) task: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum ResultTypeSlot {
    Absent,
    Present(ResultType),
    /// Present but not a string.
    Malformed,
}

impl ResultTypeSlot {
    pub(crate) fn read(text: Option<&str>) -> ResultTypeSlot {
        match text {
            None => ResultTypeSlot::Absent,
            Some(text) => match serde_json::from_str::<ResultType>(text) {
                Ok(result_type) => ResultTypeSlot::Present(result_type),
                Err(_) => ResultTypeSlot::Malformed,
            },
        }
    }
}

impl ResultBody {
    /// Wraps a raw `result` object, reading `resultType` and `_meta`. `raw` must be a JSON
    /// object.
    pub(crate) fn from_object(raw: RawJson) -> ResultBody {
        let [result_type, meta, ttl_ms, cache_scope, task] = object_members(
            raw.get(),
            ["resultType", "_meta", "ttlMs", "cacheScope", "task"],
        );
        ResultBody {
            result_type: ResultTypeSlot::read(result_type),
            meta: MetaSlot::read(meta),
            members: ResultMembers {
                ttl_ms: ttl_ms.is_some(),
                cache_scope: cache_scope.is_some(),
                task: task.is_some(),
            },
            raw,
            decoded: DecodedSlot::default(),
        }
    }

    /// Assembles a result whose top-level members the caller already read (the decoder,
    /// or the server shaping a reply it has just walked).
    pub(crate) fn from_parts(
        raw: RawJson,
        result_type: ResultTypeSlot,
        meta: MetaSlot,
        members: ResultMembers,
    ) -> ResultBody {
        ResultBody {
            raw,
            result_type,
            meta,
            members,
            decoded: DecodedSlot::default(),
        }
    }

    /// Which of `ttlMs`, `cacheScope` and `task` are present.
    pub(crate) fn members(&self) -> ResultMembers {
        self.members
    }

    /// Serialises `value` (which must serialise to an object) as a `result`.
    pub fn from_serialize<T: Serialize + ?Sized>(
        value: &T,
    ) -> Result<ResultBody, serde_json::Error> {
        let raw = RawJson::from_serialize(value)?;
        if !raw.is_object() {
            return Err(serde::ser::Error::custom("result must be a JSON object"));
        }
        Ok(ResultBody::from_object(raw))
    }

    /// The raw JSON text of the whole object.
    pub fn raw(&self) -> &RawJson {
        &self.raw
    }

    /// `resultType` as sent, when present and a string.
    pub fn result_type(&self) -> Option<&ResultType> {
        match &self.result_type {
            ResultTypeSlot::Present(result_type) => Some(result_type),
            _ => None,
        }
    }

    /// `resultType` as a client must read it: absent means [`ResultType::Complete`].
    pub fn effective_result_type(&self) -> ResultType {
        self.result_type().cloned().unwrap_or(ResultType::Complete)
    }

    /// True when `resultType` is present but not a string.
    pub fn result_type_is_malformed(&self) -> bool {
        matches!(self.result_type, ResultTypeSlot::Malformed)
    }

    /// The decoded `_meta`, when present and an object.
    pub fn meta(&self) -> Option<&Meta> {
        self.meta.get()
    }

    /// True when `_meta` is present but not a JSON object.
    pub fn meta_is_malformed(&self) -> bool {
        matches!(self.meta, MetaSlot::Malformed)
    }

    /// Decodes the whole object into `T`.
    pub fn decode<T: DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        self.raw.decode()
    }

    /// Decodes the whole object into `T`, like [`decode`](Self::decode), but hands over
    /// the value the receiving connection's validation already decoded when it is a `T`
    /// (a `tools/call` result as [`CallToolResult`](crate::types::CallToolResult), say),
    /// so the text is read once.
    ///
    /// A `tools/call` result of the plain shape (text blocks, and at most `isError`,
    /// `resultType` and `_meta`) is not kept by validation, which only checks it: it is
    /// read here, in one pass, on the thread that asks for it.
    pub fn into_decoded<T: DeserializeOwned + Any>(mut self) -> Result<T, serde_json::Error> {
        if let Some(kept) = self.decoded.0.take() {
            if let Ok(value) = kept.downcast::<T>() {
                return Ok(*value);
            }
        }
        if TypeId::of::<T>() == TypeId::of::<CallToolResult>() {
            let plain = crate::validate::plain_call_tool_result_value(&self)
                .map(|result| Box::new(result) as Box<dyn Any>)
                .and_then(|result| result.downcast::<T>().ok());
            if let Some(value) = plain {
                return Ok(*value);
            }
        }
        self.raw.decode()
    }

    /// Keeps `value`, the decoding of this very text, for [`into_decoded`](Self::into_decoded).
    pub(crate) fn keep_decoded(&mut self, value: Box<dyn Any + Send + Sync>) {
        self.decoded = DecodedSlot(Some(value));
    }
}
