//! Typed values survive encoding: for every valid message of either revision that the
//! generators of the differential test produce, decoding it into the typed model,
//! encoding that value and decoding again gives the same typed value, and the encoding
//! is the same JSON (as a value) as the message we started from.

// Shared with the differential test, which uses all of it; this test only needs the
// valid-message strategies.
#[path = "differential/generate.rs"]
#[allow(dead_code)]
mod generate;

use std::fmt::Debug;

use mcp_proto::jsonrpc::{
    ErrorObject, Message, Notification, Outcome, Request, RequestId, ResultBody, decode,
    encode_error, encode_result,
};
use mcp_proto::types::*;
use mcp_proto::validate::{Context, Direction, validate};
use mcp_proto::version::ProtocolVersion;
use proptest::prelude::*;
use proptest::test_runner::{Config as ProptestConfig, TestCaseError, TestRunner};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use generate::{Dir, Msg, Rev};

fn version(rev: Rev) -> ProtocolVersion {
    match rev {
        Rev::R2025 => ProtocolVersion::V2025_11_25,
        Rev::R2026 => ProtocolVersion::V2026_07_28,
    }
}

fn direction(dir: Dir) -> Direction {
    match dir {
        Dir::C2S => Direction::ClientToServer,
        Dir::S2C => Direction::ServerToClient,
    }
}

fn same_json(encoded: &[u8], original: &Value) -> Result<(), TestCaseError> {
    let encoded: Value =
        serde_json::from_slice(encoded).map_err(|e| TestCaseError::fail(e.to_string()))?;
    prop_assert_eq!(&encoded, original);
    Ok(())
}

/// Decodes `body` as `T`, re-encodes it as a result, decodes again: identity.
fn result_round_trip<T: DeserializeOwned + Serialize + PartialEq + Debug>(
    id: &RequestId,
    body: &ResultBody,
    original: &Value,
) -> Result<(), TestCaseError> {
    let typed: T = body
        .decode()
        .map_err(|e| TestCaseError::fail(e.to_string()))?;
    let mut out = Vec::new();
    encode_result(&mut out, id, &typed).map_err(|e| TestCaseError::fail(e.to_string()))?;
    let Ok(Message::Response(again)) = decode(&out) else {
        return Err(TestCaseError::fail("re-encoded result does not decode"));
    };
    let Outcome::Result(again) = again.outcome else {
        return Err(TestCaseError::fail("re-encoded result became an error"));
    };
    let again: T = again
        .decode()
        .map_err(|e| TestCaseError::fail(e.to_string()))?;
    prop_assert_eq!(&again, &typed);
    same_json(&out, original)
}

fn result_of(
    rev: Rev,
    method: &str,
    id: &RequestId,
    body: &ResultBody,
    original: &Value,
) -> Result<(), TestCaseError> {
    if body.result_type() == Some(&ResultType::InputRequired) {
        return result_round_trip::<InputRequiredResult>(id, body, original);
    }
    let task = body
        .raw()
        .decode::<Value>()
        .ok()
        .and_then(|v| v.get("task").cloned())
        .is_some();
    match (rev, method) {
        (_, "completion/complete") => result_round_trip::<CompleteResult>(id, body, original),
        (_, "prompts/get") => result_round_trip::<GetPromptResult>(id, body, original),
        (_, "prompts/list") => result_round_trip::<ListPromptsResult>(id, body, original),
        (_, "resources/list") => result_round_trip::<ListResourcesResult>(id, body, original),
        (_, "resources/templates/list") => {
            result_round_trip::<ListResourceTemplatesResult>(id, body, original)
        }
        (_, "resources/read") => result_round_trip::<ReadResourceResult>(id, body, original),
        (Rev::R2025, "tools/call" | "sampling/createMessage" | "elicitation/create") if task => {
            result_round_trip::<CreateTaskResult>(id, body, original)
        }
        (_, "tools/call") => result_round_trip::<CallToolResult>(id, body, original),
        (_, "tools/list") => result_round_trip::<ListToolsResult>(id, body, original),
        (_, "server/discover") => result_round_trip::<DiscoverResult>(id, body, original),
        (_, "subscriptions/listen") => {
            result_round_trip::<SubscriptionsListenResult>(id, body, original)
        }
        (_, "initialize") => result_round_trip::<InitializeResult>(id, body, original),
        (_, "ping" | "logging/setLevel" | "resources/subscribe" | "resources/unsubscribe") => {
            result_round_trip::<EmptyResult>(id, body, original)
        }
        (Rev::R2025, "tasks/get" | "tasks/cancel") => result_round_trip::<Task>(id, body, original),
        (_, "tasks/result") => result_round_trip::<GetTaskPayloadResult>(id, body, original),
        (_, "tasks/list") => result_round_trip::<ListTasksResult>(id, body, original),
        (_, "sampling/createMessage") => {
            result_round_trip::<CreateMessageResult>(id, body, original)
        }
        (_, "roots/list") => result_round_trip::<ListRootsResult>(id, body, original),
        (_, "elicitation/create") => result_round_trip::<ElicitResult>(id, body, original),
        (_, other) => Err(TestCaseError::fail(format!("no result type for {other}"))),
    }
}

fn fail(error: impl std::fmt::Display) -> TestCaseError {
    TestCaseError::fail(error.to_string())
}

fn as_request(message: &Message) -> Result<&Request, serde_json::Error> {
    match message {
        Message::Request(request) => Ok(request),
        _ => Err(serde::de::Error::custom("not a request")),
    }
}

fn as_notification(message: &Message) -> Result<&Notification, serde_json::Error> {
    match message {
        Message::Notification(notification) => Ok(notification),
        _ => Err(serde::de::Error::custom("not a notification")),
    }
}

/// Typed value of `message` -> bytes -> typed value again: equal.
fn typed_identity<T: PartialEq + Debug>(
    message: &Message,
    out: &mut Vec<u8>,
    typed_of: impl Fn(&Message) -> Result<T, serde_json::Error>,
    encode: impl FnOnce(&T, &mut Vec<u8>) -> Result<(), serde_json::Error>,
) -> Result<(), TestCaseError> {
    let typed = typed_of(message).map_err(fail)?;
    encode(&typed, out).map_err(fail)?;
    let again = decode(out).map_err(fail)?;
    let again = typed_of(&again).map_err(fail)?;
    prop_assert_eq!(&again, &typed);
    Ok(())
}

fn round_trip(rev: Rev, msg: &Msg) -> Result<(), TestCaseError> {
    let bytes = serde_json::to_vec(&msg.json).expect("serialisable");
    let message = decode(&bytes).map_err(|e| TestCaseError::fail(e.to_string()))?;
    let context = Context {
        answering: msg.answering,
        tasks_extension: false,
    };
    // Only valid messages have a typed value to round-trip.
    if validate(&message, direction(msg.dir), &version(rev), Some(&context)).is_err() {
        return Err(TestCaseError::reject("not valid under its revision"));
    }
    let mut out = Vec::new();
    match (&message, msg.dir) {
        (Message::Request(request), Dir::C2S) => typed_identity(
            &message,
            &mut out,
            |m| as_request(m).and_then(ClientRequest::from_request),
            |typed, out| typed.encode(&request.id, out),
        )?,
        (Message::Request(request), Dir::S2C) => typed_identity(
            &message,
            &mut out,
            |m| as_request(m).and_then(ServerRequest::from_request),
            |typed, out| typed.encode(&request.id, out),
        )?,
        (Message::Notification(_), Dir::C2S) => typed_identity(
            &message,
            &mut out,
            |m| as_notification(m).and_then(ClientNotification::from_notification),
            |typed, out| typed.encode(out),
        )?,
        (Message::Notification(_), Dir::S2C) => typed_identity(
            &message,
            &mut out,
            |m| as_notification(m).and_then(ServerNotification::from_notification),
            |typed, out| typed.encode(out),
        )?,
        (Message::Response(response), _) => match &response.outcome {
            Outcome::Result(body) => {
                let id = response.id.clone().expect("a result has an id");
                let method = msg.answering.expect("generated results name their method");
                return result_of(rev, method, &id, body, &msg.json);
            }
            Outcome::Error(error) => {
                let typed: ErrorObject = error.clone();
                encode_error(&mut out, response.id.as_ref(), &typed);
                let Ok(Message::Response(again)) = decode(&out) else {
                    return Err(TestCaseError::fail("re-encoded error does not decode"));
                };
                prop_assert_eq!(again.outcome, Outcome::Error(typed));
            }
        },
    }
    same_json(&out, &msg.json)
}

fn run(rev: Rev) {
    let config = ProptestConfig {
        failure_persistence: None,
        max_global_rejects: 20_000,
        ..ProptestConfig::with_cases(3_000)
    };
    let mut runner = TestRunner::new(config);
    let checked = std::sync::atomic::AtomicUsize::new(0);
    let result = runner.run(&generate::message(rev), |msg| {
        round_trip(rev, &msg)?;
        checked.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Ok(())
    });
    if let Err(error) = result {
        panic!("typed round trip under {}: {error}", rev.as_str());
    }
    let checked = checked.into_inner();
    println!("typed round trip {}: {checked} messages", rev.as_str());
    // Nearly every generated message is valid; a collapse here means the test went vacuous.
    assert!(
        checked >= 2_900,
        "only {checked} messages were round-tripped"
    );
}

#[test]
fn typed_round_trip_2025_11_25() {
    run(Rev::R2025);
}

#[test]
fn typed_round_trip_2026_07_28() {
    run(Rev::R2026);
}
