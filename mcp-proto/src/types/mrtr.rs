//! Multi round-trip requests (2026-07-28 only).
//!
//! Instead of sending requests of its own, a 2026 server answers `tools/call`,
//! `prompts/get` or `resources/read` with an [`InputRequiredResult`] listing
//! [`InputRequests`]; the client fulfils them and retries the original request with the
//! matching [`InputResponses`] (and the opaque `requestState`). The tasks extension reuses
//! both maps for `tasks/get` and `tasks/update`.

use alloc::boxed::Box;
use alloc::collections::BTreeMap;
use alloc::string::String;
use serde::de::{self, IgnoredAny};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::value::RawValue;

use crate::json::RawJson;
use crate::types::elicitation::{ElicitRequestParams, ElicitResult};
use crate::types::meta::Meta;
use crate::types::method::Method;
use crate::types::result::ResultType;
use crate::types::roots::{ListRootsRequestParams, ListRootsResult};
use crate::types::sampling::{CreateMessageRequestParams, CreateMessageResult};
use crate::types::wire;

/// A request the server needs the client to fulfil: `{method, params}`, with no
/// `jsonrpc` and no `id`. Decoded by `method`.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum InputRequest {
    /// `elicitation/create`.
    Elicit(ElicitRequestParams),
    /// `sampling/createMessage`.
    CreateMessage(Box<CreateMessageRequestParams>),
    /// `roots/list` (params optional).
    ListRoots(Option<ListRootsRequestParams>),
    /// Any other method, kept raw so validation can refuse it with context.
    Other {
        /// The method name.
        method: String,
        /// The params, when present.
        params: Option<RawJson>,
    },
}

impl InputRequest {
    /// The method name.
    pub fn method(&self) -> &str {
        match self {
            InputRequest::Elicit(_) => Method::ElicitationCreate.as_str(),
            InputRequest::CreateMessage(_) => Method::SamplingCreateMessage.as_str(),
            InputRequest::ListRoots(_) => Method::RootsList.as_str(),
            InputRequest::Other { method, .. } => method,
        }
    }
}

impl Serialize for InputRequest {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("method", self.method())?;
        match self {
            InputRequest::Elicit(params) => map.serialize_entry("params", params)?,
            InputRequest::CreateMessage(params) => map.serialize_entry("params", params)?,
            InputRequest::ListRoots(Some(params)) => map.serialize_entry("params", params)?,
            InputRequest::Other {
                params: Some(params),
                ..
            } => map.serialize_entry("params", params)?,
            InputRequest::ListRoots(None) | InputRequest::Other { params: None, .. } => {}
        }
        map.end()
    }
}

#[derive(Deserialize)]
struct RawInputRequest {
    method: String,
    #[serde(default, deserialize_with = "crate::types::wire::present")]
    params: Option<Box<RawValue>>,
}

fn required_params<E: de::Error>(
    params: Option<Box<RawValue>>,
    method: &str,
) -> Result<Box<RawValue>, E> {
    params.ok_or_else(|| E::custom(alloc::format!("{method} input request needs \"params\"")))
}

impl<'de> Deserialize<'de> for InputRequest {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let RawInputRequest { method, params } = RawInputRequest::deserialize(deserializer)?;
        match Method::parse(&method) {
            Some(Method::ElicitationCreate) => {
                let params = required_params(params, &method)?;
                wire::decode_as(&params).map(InputRequest::Elicit)
            }
            Some(Method::SamplingCreateMessage) => {
                let params = required_params(params, &method)?;
                wire::decode_as(&params).map(InputRequest::CreateMessage)
            }
            Some(Method::RootsList) => params
                .map(|params| wire::decode_as(&params))
                .transpose()
                .map(InputRequest::ListRoots),
            _ => Ok(InputRequest::Other {
                method,
                params: params.map(RawJson::from_raw),
            }),
        }
    }
}

/// Input requests by server-chosen key.
pub type InputRequests = BTreeMap<String, InputRequest>;

/// The client's answer to one input request. There is no tag on the wire, so it is
/// decoded by shape: `action` means an elicitation result, else `roots` a roots list,
/// else `model`, `role` or `content` a sampling result.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
#[non_exhaustive]
pub enum InputResponse {
    /// Answer to `elicitation/create`.
    Elicit(ElicitResult),
    /// Answer to `sampling/createMessage`.
    CreateMessage(Box<CreateMessageResult>),
    /// Answer to `roots/list`.
    ListRoots(ListRootsResult),
}

impl InputResponse {
    /// The method of the input request this answers.
    pub fn method(&self) -> Method {
        match self {
            InputResponse::Elicit(_) => Method::ElicitationCreate,
            InputResponse::CreateMessage(_) => Method::SamplingCreateMessage,
            InputResponse::ListRoots(_) => Method::RootsList,
        }
    }
}

impl From<ElicitResult> for InputResponse {
    fn from(value: ElicitResult) -> Self {
        InputResponse::Elicit(value)
    }
}

impl From<CreateMessageResult> for InputResponse {
    fn from(value: CreateMessageResult) -> Self {
        InputResponse::CreateMessage(Box::new(value))
    }
}

impl From<ListRootsResult> for InputResponse {
    fn from(value: ListRootsResult) -> Self {
        InputResponse::ListRoots(value)
    }
}

#[derive(Deserialize)]
struct ResponseProbe {
    #[serde(default)]
    action: Option<IgnoredAny>,
    #[serde(default)]
    roots: Option<IgnoredAny>,
    #[serde(default)]
    model: Option<IgnoredAny>,
    #[serde(default)]
    role: Option<IgnoredAny>,
    #[serde(default)]
    content: Option<IgnoredAny>,
}

impl<'de> Deserialize<'de> for InputResponse {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = wire::capture(deserializer)?;
        let probe: ResponseProbe = wire::decode_as(&raw)?;
        if probe.action.is_some() {
            wire::decode_as(&raw).map(InputResponse::Elicit)
        } else if probe.roots.is_some() {
            wire::decode_as(&raw).map(InputResponse::ListRoots)
        } else if probe.model.is_some() || probe.role.is_some() || probe.content.is_some() {
            wire::decode_as(&raw).map(InputResponse::CreateMessage)
        } else {
            Err(de::Error::custom(
                "an input response must be an elicitation result (action), a roots list (roots) \
                 or a sampling result (role, content, model)",
            ))
        }
    }
}

/// Input responses by the key of the input request they answer.
pub type InputResponses = BTreeMap<String, InputResponse>;

/// A result asking for input before the request can complete
/// (`resultType: "input_required"`); at least one of the two fields is present.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct InputRequiredResult {
    /// Result discriminator, `"input_required"`.
    #[serde(
        rename = "resultType",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub result_type: Option<ResultType>,
    /// What the client must fulfil before retrying.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub input_requests: Option<InputRequests>,
    /// Opaque state the client echoes on the retry.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub request_state: Option<String>,
    /// Result metadata.
    #[serde(
        rename = "_meta",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub meta: Option<Meta>,
}

impl InputRequiredResult {
    /// An input-required result with the right `resultType`.
    pub fn new(input_requests: Option<InputRequests>, request_state: Option<String>) -> Self {
        InputRequiredResult {
            result_type: Some(ResultType::InputRequired),
            input_requests,
            request_state,
            meta: None,
        }
    }
}

/// The retry members every MRTR-capable request's params share (the schema's
/// `InputResponseRequestParams`); the concrete params types repeat them.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct InputResponseRequestParams {
    /// The answers to the previous round's input requests.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub input_responses: Option<InputResponses>,
    /// The opaque state of the previous round, echoed verbatim.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub request_state: Option<String>,
    /// Request metadata (the 2026 envelope).
    #[serde(
        rename = "_meta",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub meta: Option<Meta>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;
    use serde_json::json;

    #[test]
    fn input_requests_by_method() {
        let value = json!({
            "confirm": {"method": "elicitation/create", "params": {"mode": "form", "message": "ok?",
                "requestedSchema": {"type": "object", "properties": {"ok": {"type": "boolean"}}}}},
            "draft": {"method": "sampling/createMessage", "params": {"messages": [], "maxTokens": 5}},
            "where": {"method": "roots/list"},
            "where2": {"method": "roots/list", "params": {"_meta": {"k": 1}}},
            "odd": {"method": "x/y", "params": {"a": [1]}}
        });
        let requests: InputRequests = serde_json::from_str(&value.to_string()).unwrap();
        assert!(matches!(
            requests.get("confirm"),
            Some(InputRequest::Elicit(_))
        ));
        assert!(matches!(
            requests.get("draft"),
            Some(InputRequest::CreateMessage(_))
        ));
        assert!(matches!(
            requests.get("where"),
            Some(InputRequest::ListRoots(None))
        ));
        assert!(matches!(
            requests.get("where2"),
            Some(InputRequest::ListRoots(Some(_)))
        ));
        assert!(
            matches!(requests.get("odd"), Some(InputRequest::Other { method, .. }) if method == "x/y")
        );
        assert_eq!(serde_json::to_value(&requests).unwrap(), value);
        // From a Value tree too.
        let again: InputRequests = serde_json::from_value(value).unwrap();
        assert_eq!(again, requests);

        assert!(
            serde_json::from_value::<InputRequest>(json!({"method": "elicitation/create"}))
                .is_err()
        );
        assert!(serde_json::from_value::<InputRequest>(json!({"params": {}})).is_err());
    }

    #[test]
    fn input_responses_by_shape() {
        let value = json!({
            "confirm": {"action": "accept", "content": {"ok": true}},
            "declined": {"action": "decline"},
            "draft": {"role": "assistant", "content": {"type": "text", "text": "t"}, "model": "m"},
            "where": {"roots": [{"uri": "file:///p", "name": "p"}]}
        });
        let responses: InputResponses = serde_json::from_str(&value.to_string()).unwrap();
        assert!(matches!(
            responses.get("confirm"),
            Some(InputResponse::Elicit(_))
        ));
        assert!(matches!(
            responses.get("declined"),
            Some(InputResponse::Elicit(_))
        ));
        assert!(matches!(
            responses.get("draft"),
            Some(InputResponse::CreateMessage(_))
        ));
        assert!(matches!(
            responses.get("where"),
            Some(InputResponse::ListRoots(_))
        ));
        assert_eq!(serde_json::to_value(&responses).unwrap(), value);

        // Shapes that fit nothing, or that pick a type and then fail it, are errors.
        assert!(serde_json::from_value::<InputResponse>(json!({})).is_err());
        assert!(serde_json::from_value::<InputResponse>(json!(null)).is_err());
        assert!(serde_json::from_value::<InputResponse>(json!({"model": "m"})).is_err());
        assert!(serde_json::from_value::<InputResponse>(json!({"roots": 1})).is_err());
    }

    #[test]
    fn input_required_result() {
        let result = InputRequiredResult::new(None, Some("s".into()));
        assert_eq!(
            serde_json::to_value(&result).unwrap(),
            json!({"resultType": "input_required", "requestState": "s"})
        );
    }
}
