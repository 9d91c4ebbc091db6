//! Round-trips every official 2026-07-28 example message through the typed model.
//!
//! Each file under `shared/spec/2026-07-28/examples/<Type>/` is decoded into the Rust
//! type named by its directory, encoded again and compared with the original as a
//! `serde_json::Value`. Directories named `*Request`, `*Notification`, `*Response` and the
//! error-response types hold whole JSON-RPC messages: they go through
//! `mcp_proto::jsonrpc::decode`, the typed method enums or `ResultBody::decode`, and the
//! encoders. A directory with no mapping here fails the test, so new corpus types are
//! noticed; a missing corpus directory fails it too.

use std::fmt::Display;
use std::fs;
use std::path::{Path, PathBuf};

use mcp_proto::json::RawJson;
use mcp_proto::jsonrpc::{self, ErrorObject, Message, Outcome};
use mcp_proto::types::*;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// Members that examples carry although no schema type defines them. Unknown members are
/// ignored by design, so the typed round trip drops them; each entry names the file and
/// the JSON pointer of the member expected to vanish.
const NOT_IN_SCHEMA: &[(&str, &str)] = &[
    // A 2026 `ListRootsRequest` is an input request `{method, params?}`; the example keeps
    // the `id` of the JSON-RPC request it was derived from.
    ("ListRootsRequest/list-roots-request.json", "/id"),
];

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/spec/2026-07-28/examples")
}

type Checked = Result<Value, String>;

fn err(context: &str, error: impl Display) -> String {
    format!("{context}: {error}")
}

/// Decodes `text` as `T` and encodes it back.
fn check<T: Serialize + DeserializeOwned>(text: &str) -> Checked {
    let typed: T = serde_json::from_str(text).map_err(|e| err("decode", e))?;
    serde_json::to_value(&typed).map_err(|e| err("encode", e))
}

fn parse_message(text: &str) -> Result<Message, String> {
    jsonrpc::decode(text.as_bytes()).map_err(|e| err("jsonrpc::decode", e))
}

fn to_value(bytes: &[u8]) -> Checked {
    serde_json::from_slice(bytes).map_err(|e| err("re-encoded bytes", e))
}

/// A whole client request, through [`ClientRequest`].
fn client_request(text: &str, expected: Method) -> Checked {
    let Message::Request(request) = parse_message(text)? else {
        return Err("not a request".into());
    };
    let typed = ClientRequest::from_request(&request).map_err(|e| err("params", e))?;
    if typed.method() != expected.as_str() || matches!(typed, ClientRequest::Custom { .. }) {
        return Err(format!("decoded as {typed:?}, expected {expected}"));
    }
    let mut out = Vec::new();
    typed
        .encode(&request.id, &mut out)
        .map_err(|e| err("encode", e))?;
    to_value(&out)
}

/// A whole server notification, through [`ServerNotification`].
fn server_notification(text: &str, expected: Method) -> Checked {
    let Message::Notification(notification) = parse_message(text)? else {
        return Err("not a notification".into());
    };
    let typed =
        ServerNotification::from_notification(&notification).map_err(|e| err("params", e))?;
    if typed.method() != expected.as_str() || matches!(typed, ServerNotification::Custom { .. }) {
        return Err(format!("decoded as {typed:?}, expected {expected}"));
    }
    let mut out = Vec::new();
    typed.encode(&mut out).map_err(|e| err("encode", e))?;
    to_value(&out)
}

/// A whole result response whose result is a `T`, or an `InputRequiredResult` when its
/// `resultType` says so.
fn result_response<T: Serialize + DeserializeOwned>(text: &str) -> Checked {
    let Message::Response(response) = parse_message(text)? else {
        return Err("not a response".into());
    };
    let (Some(id), Outcome::Result(body)) = (&response.id, &response.outcome) else {
        return Err("not a result response".into());
    };
    let mut out = Vec::new();
    if body.effective_result_type() == ResultType::InputRequired {
        let typed: InputRequiredResult = body.decode().map_err(|e| err("result", e))?;
        jsonrpc::encode_result(&mut out, id, &typed).map_err(|e| err("encode", e))?;
    } else {
        let typed: T = body.decode().map_err(|e| err("result", e))?;
        jsonrpc::encode_result(&mut out, id, &typed).map_err(|e| err("encode", e))?;
    }
    to_value(&out)
}

/// A whole error response with code `code`, whose `data` (when `D` is not `()`) is
/// decoded into `D` and encoded back into the error before the message is re-encoded.
fn error_response<D: Serialize + DeserializeOwned>(text: &str, code: i64) -> Checked {
    let Message::Response(response) = parse_message(text)? else {
        return Err("not a response".into());
    };
    let Outcome::Error(error) = &response.outcome else {
        return Err("not an error response".into());
    };
    let error = typed_error::<D>(error, code)?;
    let mut out = Vec::new();
    jsonrpc::encode_error(&mut out, response.id.as_ref(), &error);
    to_value(&out)
}

/// A bare error object with code `code`.
fn error_object(text: &str, code: i64) -> Checked {
    let error: ErrorObject = serde_json::from_str(text).map_err(|e| err("decode", e))?;
    let error = typed_error::<Value>(&error, code)?;
    serde_json::to_value(&error).map_err(|e| err("encode", e))
}

fn typed_error<D: Serialize + DeserializeOwned>(
    error: &ErrorObject,
    code: i64,
) -> Result<ErrorObject, String> {
    if error.code.0 != code {
        return Err(format!("code {} where {code} was expected", error.code.0));
    }
    let data = match &error.data {
        Some(data) => {
            let typed: D = data.decode().map_err(|e| err("error.data", e))?;
            Some(RawJson::from_serialize(&typed).map_err(|e| err("error.data encode", e))?)
        }
        None => None,
    };
    Ok(ErrorObject {
        code: error.code,
        message: error.message.clone(),
        data,
    })
}

/// The round trip for one example of the type `dir`, or an error saying what failed.
fn round_trip(dir: &str, text: &str) -> Checked {
    match dir {
        // Content.
        "TextContent" => check::<TextContent>(text),
        "ImageContent" => check::<ImageContent>(text),
        "AudioContent" => check::<AudioContent>(text),
        "ResourceLink" => check::<ResourceLink>(text),
        "EmbeddedResource" => check::<EmbeddedResource>(text),
        "TextResourceContents" => check::<TextResourceContents>(text),
        "BlobResourceContents" => check::<BlobResourceContents>(text),
        "ResourceContents" => check::<ResourceContents>(text),
        "ToolUseContent" => check::<ToolUseContent>(text),
        "ToolResultContent" => check::<ToolResultContent>(text),
        "ContentBlock" => check::<ContentBlock>(text),
        "SamplingMessageContentBlock" => check::<SamplingMessageContentBlock>(text),
        "Annotations" => check::<Annotations>(text),
        "Icon" => check::<Icon>(text),
        "Implementation" => check::<Implementation>(text),

        // Capabilities and lifecycle.
        "ClientCapabilities" => check::<ClientCapabilities>(text),
        "ServerCapabilities" => check::<ServerCapabilities>(text),
        "DiscoverResult" => check::<DiscoverResult>(text),
        "EmptyResult" => check::<EmptyResult>(text),
        "RequestParams" => check::<RequestParams>(text),
        "NotificationParams" => check::<NotificationParams>(text),
        "PaginatedRequestParams" => check::<PaginatedRequestParams>(text),

        // Tools.
        "Tool" => check::<Tool>(text),
        "ToolAnnotations" => check::<ToolAnnotations>(text),
        "CallToolRequestParams" => check::<CallToolRequestParams>(text),
        "CallToolResult" => check::<CallToolResult>(text),
        "ListToolsResult" => check::<ListToolsResult>(text),

        // Resources.
        "Resource" => check::<Resource>(text),
        "ResourceTemplate" => check::<ResourceTemplate>(text),
        "ListResourcesResult" => check::<ListResourcesResult>(text),
        "ListResourceTemplatesResult" => check::<ListResourceTemplatesResult>(text),
        "ReadResourceRequestParams" => check::<ReadResourceRequestParams>(text),
        "ReadResourceResult" => check::<ReadResourceResult>(text),
        "ResourceUpdatedNotificationParams" => check::<ResourceUpdatedNotificationParams>(text),

        // Prompts and completion.
        "Prompt" => check::<Prompt>(text),
        "PromptArgument" => check::<PromptArgument>(text),
        "PromptMessage" => check::<PromptMessage>(text),
        "ListPromptsResult" => check::<ListPromptsResult>(text),
        "GetPromptRequestParams" => check::<GetPromptRequestParams>(text),
        "GetPromptResult" => check::<GetPromptResult>(text),
        "CompleteRequestParams" => check::<CompleteRequestParams>(text),
        "CompleteResult" => check::<CompleteResult>(text),
        "PromptReference" => check::<PromptReference>(text),
        "ResourceTemplateReference" => check::<ResourceTemplateReference>(text),

        // Notifications' params.
        "CancelledNotificationParams" => check::<CancelledNotificationParams>(text),
        "ProgressNotificationParams" => check::<ProgressNotificationParams>(text),
        "LoggingMessageNotificationParams" => check::<LoggingMessageNotificationParams>(text),
        "SubscriptionsAcknowledgedNotificationParams" => {
            check::<SubscriptionsAcknowledgedNotificationParams>(text)
        }

        // Elicitation.
        "ElicitRequestParams" => check::<ElicitRequestParams>(text),
        "ElicitRequestFormParams" => check::<ElicitRequestFormParams>(text),
        "ElicitRequestURLParams" => check::<ElicitRequestURLParams>(text),
        "ElicitResult" => check::<ElicitResult>(text),
        "PrimitiveSchemaDefinition" => check::<PrimitiveSchemaDefinition>(text),
        "StringSchema" => check::<StringSchema>(text),
        "NumberSchema" => check::<NumberSchema>(text),
        "BooleanSchema" => check::<BooleanSchema>(text),
        "UntitledSingleSelectEnumSchema" => check::<UntitledSingleSelectEnumSchema>(text),
        "TitledSingleSelectEnumSchema" => check::<TitledSingleSelectEnumSchema>(text),
        "UntitledMultiSelectEnumSchema" => check::<UntitledMultiSelectEnumSchema>(text),
        "TitledMultiSelectEnumSchema" => check::<TitledMultiSelectEnumSchema>(text),
        "LegacyTitledEnumSchema" => check::<LegacyTitledEnumSchema>(text),

        // Sampling and roots.
        "CreateMessageRequestParams" => check::<CreateMessageRequestParams>(text),
        "CreateMessageResult" => check::<CreateMessageResult>(text),
        "SamplingMessage" => check::<SamplingMessage>(text),
        "ModelPreferences" => check::<ModelPreferences>(text),
        "ModelHint" => check::<ModelHint>(text),
        "ToolChoice" => check::<ToolChoice>(text),
        "Root" => check::<Root>(text),
        "ListRootsResult" => check::<ListRootsResult>(text),

        // Multi round-trip requests: the three 2026 "requests" are input requests
        // `{method, params}`, not JSON-RPC messages.
        "CreateMessageRequest" | "ElicitRequest" | "ListRootsRequest" | "InputRequest" => {
            check::<InputRequest>(text)
        }
        "InputRequests" => check::<InputRequests>(text),
        "InputResponse" => check::<InputResponse>(text),
        "InputResponses" => check::<InputResponses>(text),
        "InputRequiredResult" => check::<InputRequiredResult>(text),
        "InputResponseRequestParams" => check::<InputResponseRequestParams>(text),

        // Subscriptions.
        "SubscriptionFilter" => check::<SubscriptionFilter>(text),
        "SubscriptionsListenRequestParams" => check::<SubscriptionsListenRequestParams>(text),
        "SubscriptionsListenResult" => check::<SubscriptionsListenResult>(text),

        // Whole client requests.
        "DiscoverRequest" => client_request(text, Method::ServerDiscover),
        "ListToolsRequest" => client_request(text, Method::ToolsList),
        "CallToolRequest" => client_request(text, Method::ToolsCall),
        "ListPromptsRequest" => client_request(text, Method::PromptsList),
        "GetPromptRequest" => client_request(text, Method::PromptsGet),
        "ListResourcesRequest" => client_request(text, Method::ResourcesList),
        "ListResourceTemplatesRequest" => client_request(text, Method::ResourcesTemplatesList),
        "ReadResourceRequest" => client_request(text, Method::ResourcesRead),
        "SubscriptionsListenRequest" => client_request(text, Method::SubscriptionsListen),
        "CompleteRequest" => client_request(text, Method::CompletionComplete),

        // Whole notifications (all of them may come from the server).
        "CancelledNotification" => server_notification(text, Method::NotificationsCancelled),
        "ProgressNotification" => server_notification(text, Method::NotificationsProgress),
        "LoggingMessageNotification" => server_notification(text, Method::NotificationsMessage),
        "ResourceUpdatedNotification" => {
            server_notification(text, Method::NotificationsResourcesUpdated)
        }
        "ResourceListChangedNotification" => {
            server_notification(text, Method::NotificationsResourcesListChanged)
        }
        "ToolListChangedNotification" => {
            server_notification(text, Method::NotificationsToolsListChanged)
        }
        "PromptListChangedNotification" => {
            server_notification(text, Method::NotificationsPromptsListChanged)
        }
        "SubscriptionsAcknowledgedNotification" => {
            server_notification(text, Method::NotificationsSubscriptionsAcknowledged)
        }

        // Whole result responses.
        "DiscoverResultResponse" => result_response::<DiscoverResult>(text),
        "ListToolsResultResponse" => result_response::<ListToolsResult>(text),
        "CallToolResultResponse" => result_response::<CallToolResult>(text),
        "ListPromptsResultResponse" => result_response::<ListPromptsResult>(text),
        "GetPromptResultResponse" => result_response::<GetPromptResult>(text),
        "ListResourcesResultResponse" => result_response::<ListResourcesResult>(text),
        "ListResourceTemplatesResultResponse" => {
            result_response::<ListResourceTemplatesResult>(text)
        }
        "ReadResourceResultResponse" => result_response::<ReadResourceResult>(text),
        "CompleteResultResponse" => result_response::<CompleteResult>(text),
        "SubscriptionsListenResultResponse" => result_response::<SubscriptionsListenResult>(text),

        // Errors: bare error objects, and whole error responses with typed data.
        "ParseError" => error_object(text, -32700),
        "InvalidRequestError" => error_object(text, -32600),
        "MethodNotFoundError" => error_object(text, -32601),
        "InvalidParamsError" => error_object(text, -32602),
        "InternalError" => error_object(text, -32603),
        "HeaderMismatchError" => error_response::<Value>(text, -32020),
        "MissingRequiredClientCapabilityError" => {
            error_response::<MissingRequiredClientCapabilityErrorData>(text, -32021)
        }
        "UnsupportedProtocolVersionError" => {
            error_response::<UnsupportedProtocolVersionErrorData>(text, -32022)
        }

        other => Err(format!(
            "no Rust type is mapped to the corpus directory {other:?}; add it to round_trip()"
        )),
    }
}

/// Removes the member at `pointer`, failing when it is not there (a stale exception).
fn remove_member(value: &mut Value, pointer: &str) -> Result<(), String> {
    let (parent, key) = pointer
        .rsplit_once('/')
        .ok_or_else(|| format!("bad pointer {pointer:?}"))?;
    value
        .pointer_mut(parent)
        .and_then(Value::as_object_mut)
        .and_then(|object| object.remove(key))
        .map(|_| ())
        .ok_or_else(|| format!("exception {pointer:?} no longer applies; remove it"))
}

#[test]
fn every_2026_example_round_trips() {
    let root = corpus_dir();
    let entries = fs::read_dir(&root).unwrap_or_else(|e| {
        panic!(
            "the 2026-07-28 example corpus was expected at {} ({e}); it must exist for this test",
            root.display()
        )
    });

    let mut dirs: Vec<PathBuf> = entries.map(|entry| entry.unwrap().path()).collect();
    dirs.sort();
    let mut found = 0usize;
    let mut round_tripped = 0usize;
    let mut failures = Vec::new();

    for dir in &dirs {
        let type_name = dir.file_name().unwrap().to_str().unwrap().to_owned();
        if !dir.is_dir() {
            failures.push(format!("{type_name}: not a directory"));
            continue;
        }
        let mut files: Vec<PathBuf> = fs::read_dir(dir)
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .collect();
        files.sort();
        for file in files {
            found += 1;
            let name = format!(
                "{type_name}/{}",
                file.file_name().unwrap().to_str().unwrap()
            );
            let text = fs::read_to_string(&file).unwrap();
            let mut original: Value = match serde_json::from_str(&text) {
                Ok(value) => value,
                Err(e) => {
                    failures.push(format!("{name}: not JSON: {e}"));
                    continue;
                }
            };
            let mut outcome = round_trip(&type_name, &text);
            for (file_name, pointer) in NOT_IN_SCHEMA {
                if *file_name == name {
                    if let Err(e) = remove_member(&mut original, pointer) {
                        outcome = Err(e);
                    }
                }
            }
            match outcome {
                Ok(encoded) if encoded == original => round_tripped += 1,
                Ok(encoded) => failures.push(format!(
                    "{name}: re-encoded value differs\n  original: {original}\n  encoded:  {encoded}"
                )),
                Err(e) => failures.push(format!("{name}: {e}")),
            }
        }
    }

    println!("corpus: {round_tripped} files round-tripped");
    assert!(
        failures.is_empty(),
        "{} of {found} corpus files failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(round_tripped, found);
    // The corpus had 129 files when this test was written; fewer means files went missing.
    assert!(
        found >= 129,
        "only {found} corpus files found in {}",
        root.display()
    );
}
