//! What a handler's outcome becomes on the wire: the mapping of [`ToolError`]s and
//! [`Interrupt`]s to replies, and the answers a multi-round-trip retry brings back.
//!
//! - A tool's own failure ([`ToolError::Failed`]) goes to the model as a result with
//!   `isError`; for any other method it is an internal error.
//! - A protocol error is answered as it is.
//! - "Input required" at 2026-07-28 becomes [`InputRequired`] with the answers gathered
//!   so far sealed into its state (the handler runs again from the start on the retry);
//!   a method without a multi-round-trip form cannot ask, and fails.

use std::collections::BTreeMap;
use std::sync::{Mutex, PoisonError};

use crate::server::context::{InputState, Interrupt, ToolError};
use mcp_proto::jsonrpc::ErrorCode;
use mcp_proto::server::{InputRequired, Reply};
use mcp_proto::types::{CallToolResult, InputResponse};

/// The reply for a tool handler's outcome.
pub(crate) fn tool_reply(
    outcome: Result<CallToolResult, ToolError>,
    input: &Mutex<InputState>,
) -> Reply {
    match outcome {
        Ok(result) => tool_result(&result),
        // A tool's own failure goes to the model as a result, not as a protocol error.
        Err(ToolError::Failed(message)) => tool_result(&CallToolResult::error(message)),
        other => finish(other, input),
    }
}

/// A tool's result as a reply: a plain one written directly, any other through serde.
fn tool_result(result: &CallToolResult) -> Reply {
    Reply::tool_result(result)
}

/// The reply for a handler's outcome: its result, its error, or "input required" with
/// the answers gathered so far sealed into the state.
pub(crate) fn finish<T: serde::Serialize>(
    outcome: Result<T, ToolError>,
    input: &Mutex<InputState>,
) -> Reply {
    match outcome {
        Ok(result) => Reply::result(&result),
        Err(ToolError::Failed(message)) => Reply::error(ErrorCode::INTERNAL_ERROR, message),
        Err(ToolError::Protocol(error)) => Reply::Error(error),
        Err(ToolError::Interrupted(Interrupt::Failed(error))) => Reply::Error(error),
        Err(ToolError::Interrupted(Interrupt::InputRequired)) => {
            let state = input.lock().unwrap_or_else(PoisonError::into_inner);
            if state.pending.is_empty() {
                return Reply::error(
                    ErrorCode::INTERNAL_ERROR,
                    "the handler asked for input it did not name",
                );
            }
            // Earlier answers ride along in the sealed state: the handler runs again from
            // the start on the retry and asks the same questions in the same order.
            let carried = serde_json::to_vec(&state.answers).unwrap_or_default();
            Reply::InputRequired(InputRequired {
                requests: state.pending.clone(),
                state: Some(carried),
            })
        }
    }
}

/// The reply for the outcome of a handler whose method has no multi-round-trip form
/// (completions, vendor methods): its result or its error; input it asks for at
/// 2026-07-28 cannot be requested, so the request fails.
pub(crate) fn without_input<T: serde::Serialize>(outcome: Result<T, ToolError>) -> Reply {
    match outcome {
        Ok(result) => Reply::result(&result),
        Err(ToolError::Failed(message)) => Reply::error(ErrorCode::INTERNAL_ERROR, message),
        Err(ToolError::Protocol(error)) => Reply::Error(error),
        Err(ToolError::Interrupted(Interrupt::Failed(error))) => Reply::Error(error),
        Err(ToolError::Interrupted(Interrupt::InputRequired)) => Reply::error(
            ErrorCode::INTERNAL_ERROR,
            "Internal error: this method cannot ask the client for input",
        ),
    }
}

/// The answers a retry brings: those sealed into earlier rounds' state plus this round's.
pub(crate) fn gathered_answers(
    state: Option<&[u8]>,
    responses: Option<&mcp_proto::types::InputResponses>,
) -> BTreeMap<String, InputResponse> {
    let mut answers: BTreeMap<String, InputResponse> = state
        .and_then(|bytes| serde_json::from_slice(bytes).ok())
        .unwrap_or_default();
    if let Some(responses) = responses {
        for (key, response) in responses {
            answers.insert(key.clone(), response.clone());
        }
    }
    answers
}
