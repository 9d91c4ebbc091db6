//! Checks of responses: the error object's code and data, and the result's type for the
//! method it answers, under the revision's `resultType` and caching rules.

use alloc::boxed::Box;
use alloc::format;
use alloc::vec::Vec;
use core::any::Any;
use serde::de::DeserializeOwned;

use crate::jsonrpc::scan::Plain;
use crate::jsonrpc::{ErrorCode, ErrorObject, Outcome, Response, ResultBody};
use crate::types::meta::keys;
use crate::types::{
    CallToolResult, CompleteResult, ContentBlock, CreateMessageResult, CreateTaskResult,
    DiscoverResult, ElicitResult, EmptyResult, ExtensionTask, GetPromptResult,
    GetTaskPayloadResult, InitializeResult, InputRequest, InputRequiredResult, ListPromptsResult,
    ListResourceTemplatesResult, ListResourcesResult, ListRootsResult, ListTasksResult,
    ListToolsResult, Method, MissingRequiredClientCapabilityErrorData, ReadResourceResult,
    ResultType, SubscriptionsListenResult, Task, TextContent, UnsupportedProtocolVersionErrorData,
};
use crate::validate::request::{check_elicitation, check_sampling};
use crate::validate::{Context, Direction, Rule, Violation, rules};
use crate::version::Era;

fn internal(rule: Rule, message: impl Into<alloc::string::String>) -> Violation {
    Violation::new(rule, ErrorCode::INTERNAL_ERROR, message)
}

fn shape(error: serde_json::Error) -> Violation {
    internal(Rule::ResultShape, format!("invalid result: {error}"))
}

/// What the sender or receiver already knows about a result (a server of one it shaped
/// itself, see `server::reply`; a client of a `serverInfo` it validated before), which
/// spares checks whose outcome is already decided.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Shaped<'a> {
    /// The result's text before the server appended members to it, when it only appended
    /// (no member of the application's text was removed or replaced) and every appended
    /// member is a valid value for its field (`resultType: "complete"`, the cache hints,
    /// a `_meta` object). The result then decodes as its type exactly when this text does,
    /// so this shorter text is decoded first; when it fails, the whole result is decoded
    /// for the exact error.
    pub(crate) before_additions: Option<&'a str>,
    /// `_meta` `serverInfo` is known to decode: the server stamped it from an
    /// [`Implementation`](crate::types::Implementation), which always decodes back (every
    /// field is a string, a list of strings or a unit enum), or the client validated the
    /// same text before.
    pub(crate) server_info_stamped: bool,
}

/// Where a check that decoded a result into its type leaves the value, so the receiver
/// can hand it to the application ([`ResultBody::into_decoded`]) instead of decoding the
/// text again; `None` when nobody wants it.
pub(crate) type Keep<'a> = Option<&'a mut Option<Box<dyn Any + Send + Sync>>>;

/// Checks a response, sparing what [`Shaped`] says is settled.
pub(crate) fn check_shaped_response(
    response: &Response,
    direction: Direction,
    era: Era,
    context: &Context<'_>,
    shaped: Shaped<'_>,
    keep: Keep<'_>,
) -> Result<(), Violation> {
    match &response.outcome {
        Outcome::Error(error) => check_error(error, era),
        Outcome::Result(body) => {
            if era == Era::Modern && direction == Direction::ClientToServer {
                return Err(Violation::new(
                    Rule::UnexpectedResponse,
                    ErrorCode::INVALID_REQUEST,
                    "Invalid Request: clients send no responses in 2026-07-28",
                ));
            }
            check_result(body, era, context, shaped, keep)
        }
    }
}

fn check_error(error: &ErrorObject, era: Era) -> Result<(), Violation> {
    let data = |what: &str| internal(Rule::ErrorShape, format!("error {}: {what}", error.code.0));
    match error.code {
        ErrorCode::RESOURCE_NOT_FOUND | ErrorCode::URL_ELICITATION_REQUIRED
            if era == Era::Modern =>
        {
            Err(data("this code must not be sent in 2026-07-28"))
        }
        ErrorCode::UNSUPPORTED_PROTOCOL_VERSION if era == Era::Modern => {
            match error
                .data
                .as_ref()
                .map(|d| d.decode::<UnsupportedProtocolVersionErrorData>())
            {
                Some(Ok(data)) if !data.supported.is_empty() => Ok(()),
                _ => Err(data(
                    "data must be {supported: [non-empty string list], requested: string}",
                )),
            }
        }
        ErrorCode::MISSING_REQUIRED_CLIENT_CAPABILITY if era == Era::Modern => {
            match error
                .data
                .as_ref()
                .map(|d| d.decode::<MissingRequiredClientCapabilityErrorData>())
            {
                Some(Ok(_)) => Ok(()),
                _ => Err(data(
                    "data must be {requiredCapabilities: ClientCapabilities}",
                )),
            }
        }
        _ => Ok(()),
    }
}

/// Methods whose complete 2026 result carries `ttlMs` and `cacheScope`.
fn is_cacheable(method: Method) -> bool {
    matches!(
        method,
        Method::ServerDiscover
            | Method::ToolsList
            | Method::PromptsList
            | Method::ResourcesList
            | Method::ResourcesTemplatesList
            | Method::ResourcesRead
    )
}

/// Methods that may answer with an `InputRequiredResult` (2026).
fn allows_input_required(method: Method) -> bool {
    matches!(
        method,
        Method::ToolsCall | Method::PromptsGet | Method::ResourcesRead
    )
}

fn check_result(
    body: &ResultBody,
    era: Era,
    context: &Context<'_>,
    shaped: Shaped<'_>,
    keep: Keep<'_>,
) -> Result<(), Violation> {
    if body.result_type_is_malformed() {
        return Err(internal(
            Rule::ResultShape,
            "invalid result: resultType must be a string",
        ));
    }
    if body.meta_is_malformed() {
        return Err(internal(
            Rule::ResultShape,
            "invalid result: _meta must be an object",
        ));
    }
    let members = body.members();
    let method = context.answering.and_then(Method::parse);
    match era {
        Era::Legacy => {
            if body.result_type().is_some() {
                return Err(internal(
                    Rule::ResultTypeForbidden,
                    "resultType must not appear on a 2025-11-25 result",
                ));
            }
            let server_info = body
                .meta()
                .is_some_and(|meta| meta.contains(keys::SERVER_INFO));
            if members.ttl_ms || members.cache_scope || server_info {
                return Err(internal(
                    Rule::ModernFieldOnLegacyResult,
                    "ttlMs, cacheScope and _meta serverInfo must not appear on a 2025-11-25 result",
                ));
            }
            match method {
                Some(method) => legacy_result(body, method, members.task, keep),
                None => Ok(()),
            }
        }
        Era::Modern => {
            let server_info = (!shaped.server_info_stamped)
                .then(|| body.meta().and_then(|meta| meta.server_info()))
                .flatten();
            if let Some(Err(error)) = server_info {
                return Err(shape(serde::de::Error::custom(format!(
                    "_meta serverInfo: {error}"
                ))));
            }
            let Some(result_type) = body.result_type() else {
                return Err(internal(
                    Rule::ResultTypeMissing,
                    "a 2026-07-28 result needs resultType",
                ));
            };
            let Some(method) = method else {
                return Ok(());
            };
            match result_type {
                ResultType::Complete => {
                    if is_cacheable(method) && !(members.ttl_ms && members.cache_scope) {
                        return Err(internal(
                            Rule::CacheHintsMissing,
                            format!("a complete {method} result needs ttlMs and cacheScope"),
                        ));
                    }
                    modern_result(body, method, shaped, keep)
                }
                ResultType::InputRequired if allows_input_required(method) => {
                    let result: InputRequiredResult = body.decode().map_err(shape)?;
                    input_required(&result)
                }
                ResultType::Task if context.tasks_extension && method == Method::ToolsCall => {
                    body.decode::<ExtensionTask>().map(drop).map_err(shape)
                }
                other => Err(internal(
                    Rule::ResultTypeNotAllowed,
                    format!("resultType {other:?} is not a valid answer to {method}"),
                )),
            }
        }
    }
}

fn input_required(result: &InputRequiredResult) -> Result<(), Violation> {
    if result.input_requests.is_none() && result.request_state.is_none() {
        return Err(internal(
            Rule::InputRequiredEmpty,
            "an InputRequiredResult needs inputRequests or requestState",
        ));
    }
    for request in result
        .input_requests
        .iter()
        .flat_map(|requests| requests.values())
    {
        match request {
            InputRequest::Elicit(elicit) => check_elicitation(elicit, Era::Modern)?,
            InputRequest::CreateMessage(sampling) => check_sampling(sampling, Era::Modern)
                .map_err(|violation| internal(violation.rule, violation.error.message))?,
            InputRequest::ListRoots(_) => {}
            InputRequest::Other { method, .. } => {
                return Err(internal(
                    Rule::ResultShape,
                    format!("invalid result: {method:?} is not an input request method"),
                ));
            }
        }
    }
    Ok(())
}

fn tools(list: &ListToolsResult, era: Era) -> Result<(), Violation> {
    list.tools
        .iter()
        .try_for_each(|tool| rules::tool(tool, era))
}

fn legacy_result(
    body: &ResultBody,
    method: Method,
    has_task: bool,
    keep: Keep<'_>,
) -> Result<(), Violation> {
    let task_augmentable = matches!(
        method,
        Method::ToolsCall | Method::SamplingCreateMessage | Method::ElicitationCreate
    );
    if task_augmentable && has_task {
        return body.decode::<CreateTaskResult>().map(drop).map_err(shape);
    }
    match method {
        Method::Initialize => body.decode::<InitializeResult>().map(drop),
        Method::Ping
        | Method::LoggingSetLevel
        | Method::ResourcesSubscribe
        | Method::ResourcesUnsubscribe => body.decode::<EmptyResult>().map(drop),
        Method::ToolsList => {
            let list: ListToolsResult = body.decode().map_err(shape)?;
            return tools(&list, Era::Legacy);
        }
        Method::ToolsCall => {
            // No structuredContent in the plain shape: nothing more to check (unless the
            // receiver wants the decoded value, below).
            if keep.is_none() && plain_call_tool_result(body.raw().get()) {
                return Ok(());
            }
            // The receiver decodes a plain result itself, as at 2026-07-28.
            if keep.is_some() && plain_received_tool_result(body) {
                return Ok(());
            }
            let result: CallToolResult = body.decode().map_err(shape)?;
            if result
                .structured_content
                .as_ref()
                .is_some_and(|s| !s.is_object())
            {
                return Err(internal(
                    Rule::ResultShape,
                    "invalid result: structuredContent must be an object in 2025-11-25",
                ));
            }
            if let Some(slot) = keep {
                *slot = Some(Box::new(result));
            }
            return Ok(());
        }
        Method::PromptsList => body.decode::<ListPromptsResult>().map(drop),
        Method::PromptsGet => body.decode::<GetPromptResult>().map(drop),
        Method::ResourcesList => body.decode::<ListResourcesResult>().map(drop),
        Method::ResourcesTemplatesList => body.decode::<ListResourceTemplatesResult>().map(drop),
        Method::ResourcesRead => body.decode::<ReadResourceResult>().map(drop),
        Method::CompletionComplete => body.decode::<CompleteResult>().map(drop),
        Method::SamplingCreateMessage => body.decode::<CreateMessageResult>().map(drop),
        Method::ElicitationCreate => body.decode::<ElicitResult>().map(drop),
        Method::RootsList => body.decode::<ListRootsResult>().map(drop),
        Method::TasksGet | Method::TasksCancel => body.decode::<Task>().map(drop),
        Method::TasksResult => body.decode::<GetTaskPayloadResult>().map(drop),
        Method::TasksList => body.decode::<ListTasksResult>().map(drop),
        _ => Ok(()),
    }
    .map_err(shape)
}

/// True when `text` is a `CallToolResult` of the plainest shape: an object with `content`
/// (an array of objects each holding exactly `"type": "text"` and a `text` string) and
/// optionally `isError` (`true` or `false`), each key once, nothing else, and no
/// backslash in any key or string. Such text always decodes as [`CallToolResult`] (with
/// no `structuredContent`), so the decode is spared; any other text, valid or not, is
/// decoded as before, which gives the same verdict and the exact error. One pass over the
/// bytes ([`Plain`]), as the shape is fixed.
pub(crate) fn plain_call_tool_result(text: &str) -> bool {
    let mut plain = Plain::new(text);
    tool_result(&mut plain).is_some() && plain.at_end()
}

/// The [`CallToolResult`] a result body of the plain shape holds, read in one pass: the
/// shape [`plain_call_tool_result`] accepts, plus optionally `"resultType": "complete"`
/// and a `_meta` object (the body's own, already indexed, is cloned). Such text always
/// decodes to the same value through serde; `None` for any other text, which the serde
/// decode reads.
pub(crate) fn plain_call_tool_result_value(body: &ResultBody) -> Option<CallToolResult> {
    // A block is large (over 300 bytes): room for one, the common case, rather than the
    // four a first push reserves.
    let mut content = Vec::with_capacity(1);
    let members = received_tool_result(body, |text| {
        content.push(ContentBlock::Text(TextContent::new(text)));
    })?;
    Some(CallToolResult {
        result_type: members.complete.then_some(ResultType::Complete),
        content,
        structured_content: None,
        is_error: members.is_error,
        meta: members.meta.then(|| body.meta().cloned()).flatten(),
    })
}

/// True when `body` holds a tool result [`plain_call_tool_result_value`] reads: it
/// decodes (so it is valid), and it is checked without building the value.
fn plain_received_tool_result(body: &ResultBody) -> bool {
    received_tool_result(body, |_| {}).is_some()
}

/// What [`received_tool_result`] found besides the blocks.
struct ReceivedMembers {
    is_error: Option<bool>,
    /// `"resultType": "complete"` is there.
    complete: bool,
    /// `_meta` is there, the body's own (object) `_meta`.
    meta: bool,
}

/// Reads a received tool result of the plain shape, each block's text to `block`.
fn received_tool_result<'a>(
    body: &'a ResultBody,
    mut block: impl FnMut(&'a str),
) -> Option<ReceivedMembers> {
    let mut plain = Plain::new(body.raw().get());
    plain.expect(b'{')?;
    let mut content = false;
    let mut members = ReceivedMembers {
        is_error: None,
        complete: false,
        meta: false,
    };
    plain.members(|plain, key| match key {
        "content" if !content => {
            content = true;
            text_blocks(plain, &mut block)
        }
        "isError" if members.is_error.is_none() => {
            members.is_error = Some(plain.boolean()?);
            Some(())
        }
        "resultType" if !members.complete => {
            members.complete = plain.string()? == "complete";
            members.complete.then_some(())
        }
        "_meta" if !members.meta => {
            let text = plain.value()?;
            members.meta = body.meta().is_some_and(|own| own.raw().get() == text);
            members.meta.then_some(())
        }
        _ => None,
    })?;
    (content && plain.at_end()).then_some(members)
}

fn tool_result(plain: &mut Plain<'_>) -> Option<()> {
    plain.expect(b'{')?;
    let (mut content, mut is_error) = (false, false);
    plain.members(|plain, key| match key {
        "content" if !content => {
            content = true;
            text_blocks(plain, |_| {})
        }
        "isError" if !is_error => {
            is_error = true;
            plain.boolean().map(drop)
        }
        _ => None,
    })?;
    content.then_some(())
}

/// Steps over an array of plain text blocks, handing each block's text to `block`.
fn text_blocks<'a>(plain: &mut Plain<'a>, mut block: impl FnMut(&'a str)) -> Option<()> {
    plain.elements(|plain| {
        plain.expect(b'{')?;
        let (mut kind, mut text) = (false, None);
        plain.members(|plain, key| match key {
            "type" if !kind => {
                kind = true;
                (plain.string()? == "text").then_some(())
            }
            "text" if text.is_none() => {
                text = Some(plain.string()?);
                Some(())
            }
            _ => None,
        })?;
        let text = text.filter(|_| kind)?;
        block(text);
        Some(())
    })
}

/// Whether `body` decodes as `T`, through [`Shaped::before_additions`] when it is known.
fn decodes<T: DeserializeOwned>(
    body: &ResultBody,
    shaped: Shaped<'_>,
) -> Result<(), serde_json::Error> {
    if let Some(text) = shaped.before_additions {
        if crate::json::strict::from_str::<T>(text).is_ok() {
            return Ok(());
        }
    }
    body.decode::<T>().map(drop)
}

fn modern_result(
    body: &ResultBody,
    method: Method,
    shaped: Shaped<'_>,
    keep: Keep<'_>,
) -> Result<(), Violation> {
    match method {
        Method::ServerDiscover => body.decode::<DiscoverResult>().map(drop),
        Method::ToolsList => {
            let list: ListToolsResult = body.decode().map_err(shape)?;
            return tools(&list, Era::Modern);
        }
        // Derived struct decoders without unknown-field refusal: appending a valid member
        // the text lacked cannot change whether they decode.
        Method::ToolsCall => match keep {
            // The receiver wants the value: decode it once, here.
            // A plain result is only checked: the receiver decodes it when it asks
            // (`ResultBody::into_decoded`), on its own thread, off the task that reads
            // every response of the connection.
            Some(_) if plain_received_tool_result(body) => return Ok(()),
            Some(slot) => {
                let result: CallToolResult = body.decode().map_err(shape)?;
                *slot = Some(Box::new(result));
                return Ok(());
            }
            None => {
                let text = shaped.before_additions.unwrap_or(body.raw().get());
                if plain_call_tool_result(text) {
                    return Ok(());
                }
                decodes::<CallToolResult>(body, shaped)
            }
        },
        Method::PromptsList => body.decode::<ListPromptsResult>().map(drop),
        Method::PromptsGet => decodes::<GetPromptResult>(body, shaped),
        Method::ResourcesList => body.decode::<ListResourcesResult>().map(drop),
        Method::ResourcesTemplatesList => body.decode::<ListResourceTemplatesResult>().map(drop),
        Method::ResourcesRead => decodes::<ReadResourceResult>(body, shaped),
        Method::CompletionComplete => {
            let result: CompleteResult = body.decode().map_err(shape)?;
            if result.completion.values.len() > rules::MAX_COMPLETION_VALUES {
                return Err(internal(
                    Rule::ValueRange,
                    format!("completion.values holds more than {} values", rules::MAX_COMPLETION_VALUES),
                ));
            }
            return Ok(());
        }
        Method::SubscriptionsListen => {
            let result: SubscriptionsListenResult = body.decode().map_err(shape)?;
            if result.meta.as_ref().and_then(|meta| meta.subscription_id()).is_none() {
                return Err(internal(
                    Rule::ResultShape,
                    "invalid result: a listen result needs _meta io.modelcontextprotocol/subscriptionId",
                ));
            }
            return Ok(());
        }
        Method::TasksGet => body.decode::<ExtensionTask>().map(drop),
        Method::TasksUpdate | Method::TasksCancel => body.decode::<EmptyResult>().map(drop),
        _ => Ok(()),
    }
    .map_err(shape)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_plain_tool_result_shape_always_decodes() {
        let cases = [
            (r#"{"content":[{"type":"text","text":"hello"}]}"#, true),
            (r#"{"content":[]}"#, true),
            (
                r#" { "isError" : true , "content" : [ {"text":"a","type":"text"} , {"type":"text","text":""} ] } "#,
                true,
            ),
            (
                r#"{"content":[{"type":"text","text":"a"}],"isError":false}"#,
                true,
            ),
            (r#"{"\u0063ontent":[{"type":"text","text":"a"}]}"#, false),
            (r#"{"content":[{"type":"text","text":"a"}]} x"#, false),
            (r#"{"content":[{"type":"text","text":"a"}],}"#, false),
            (r#"{"content":[{"type":"text","text":"a"},]}"#, false),
            (
                r#"{"content":[{"type":"text","text":"a"}],"isError":truex}"#,
                false,
            ),
            (
                r#"{"content":[{"type":"text","text":"a"}],"isError":tru"#,
                false,
            ),
            (r#"{"content":[{"type":"text","text":"a"}"#, false),
            (r#"{"content":[{"type":"text","text":"a}"#, false),
            (r#"{"content":[{}]}"#, false),
            (r#"{}"#, false),
            ("", false),
            // Outside the shape: decoded as before (valid or not).
            (r#"{"content":[{"type":"text","text":"a\"b"}]}"#, false),
            (r#"{"content":[{"type":"text","text":"\ud800"}]}"#, false),
            (r#"{"content":[{"type":"t\u0065xt","text":"a"}]}"#, false),
            (
                r#"{"content":[{"type":"text","text":"a","text":"b"}]}"#,
                false,
            ),
            (
                r#"{"content":[{"type":"text","text":"a","annotations":{}}]}"#,
                false,
            ),
            (r#"{"content":[{"type":"text"}]}"#, false),
            (r#"{"content":[{"type":"image","text":"a"}]}"#, false),
            (r#"{"content":[{"type":"text","text":1}]}"#, false),
            (r#"{"content":[["text","a"]]}"#, false),
            (r#"{"content":{}}"#, false),
            (r#"{"content":[],"content":[]}"#, false),
            (r#"{"content":[],"isError":null}"#, false),
            (r#"{"content":[],"isError":true,"isError":true}"#, false),
            (r#"{"content":[],"structuredContent":{}}"#, false),
            (r#"{"content":[],"_meta":{}}"#, false),
            (r#"{"content":[],"resultType":"complete"}"#, false),
            (r#"{"isError":true}"#, false),
            (r#"[]"#, false),
        ];
        for (text, plain) in cases {
            assert_eq!(plain_call_tool_result(text), plain, "{text}");
            if plain {
                let decoded = crate::json::strict::from_str::<CallToolResult>(text);
                assert!(
                    decoded.is_ok_and(|result| result.structured_content.is_none()),
                    "{text}"
                );
            }
        }
    }
}
