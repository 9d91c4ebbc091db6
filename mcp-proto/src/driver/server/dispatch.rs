//! Turning one inbound request into the application's [`Reply`]: routing by method to
//! the registered tools, and the multi-round-trip bookkeeping of era-portable input.

use std::format;
use std::prelude::rust_2024::*;

use std::collections::BTreeMap;
use std::sync::{Arc, PoisonError};

use crate::driver::server::Shared;
use crate::driver::server::context::{Context, Interrupt, ToolError};
use crate::jsonrpc::{ErrorCode, Params};
use crate::server::{InputRequired, Reply};
use crate::types::{CallToolRequestParams, CallToolResult, InputResponse, Method};

/// Answers one request. Runs on the runtime, away from the connection's drive loop.
pub(crate) async fn dispatch(
    shared: Arc<Shared>,
    method: String,
    params: Option<Params>,
    context: Context,
) -> Reply {
    match Method::parse(&method) {
        Some(Method::ToolsList) => {
            let tools: Vec<_> = shared.tools.values().map(|tool| &tool.definition).collect();
            Reply::result(&serde_json::json!({ "tools": tools }))
        }
        Some(Method::ToolsCall) => call_tool(&shared, params, context).await,
        _ => Reply::error(
            ErrorCode::METHOD_NOT_FOUND,
            format!("Method not found: {method}"),
        ),
    }
}

async fn call_tool(shared: &Shared, params: Option<Params>, context: Context) -> Reply {
    let params: CallToolRequestParams = match params.as_ref().map(Params::decode) {
        Some(Ok(params)) => params,
        Some(Err(error)) => {
            return Reply::error(
                ErrorCode::INVALID_PARAMS,
                format!("Invalid params: {error}"),
            );
        }
        None => return Reply::error(ErrorCode::INVALID_PARAMS, "tools/call needs params"),
    };
    let Some(tool) = shared.tools.get(&params.name) else {
        return Reply::error(
            ErrorCode::INVALID_PARAMS,
            format!("Unknown tool: {}", params.name),
        );
    };
    let input = Arc::clone(&context.input);
    match (tool.handler)(params.arguments, context).await {
        Ok(result) => Reply::result(&result),
        Err(ToolError::Failed(message)) => Reply::result(&CallToolResult::error(message)),
        Err(ToolError::Protocol(error)) => Reply::Error(error),
        Err(ToolError::Interrupted(Interrupt::Failed(error))) => Reply::Error(error),
        Err(ToolError::Interrupted(Interrupt::InputRequired)) => {
            let state = input.lock().unwrap_or_else(PoisonError::into_inner);
            if state.pending.is_empty() {
                return Reply::error(
                    ErrorCode::INTERNAL_ERROR,
                    "the tool asked for input it did not name",
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

/// The answers a retry brings: those sealed into earlier rounds' state plus this round's.
pub(crate) fn gathered_answers(
    state: Option<&[u8]>,
    responses: Option<&crate::types::InputResponses>,
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
