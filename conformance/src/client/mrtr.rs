//! `sep-2322-client-request-state`: multi-round-trip requests (2026-07-28) as the
//! client's input loop runs them.
//!
//! The loop answers each round through the elicitation callback and retries on its own:
//! a new JSON-RPC id, `inputResponses`, and the round's `requestState` exactly as
//! received (none when the server sent none). While the user is still thinking about the
//! first call's question, an unrelated call goes out; it must carry nothing of the
//! other call's round.

use std::collections::BTreeMap;
use std::sync::Arc;

use mcp_driver::client::ClientHandlers;
use mcp_proto::types::{
    ElicitAction, ElicitRequestParams, ElicitResult, ElicitValue, PrimitiveSchemaDefinition,
};
use serde_json::json;
use tokio::sync::{Notify, watch};

use super::{Invocation, ScenarioError, ensure, first_text};

/// Calls `name` and checks its text.
async fn expect_text(
    client: &mcp_driver::client::Client,
    name: &str,
    expected: &str,
) -> Result<(), ScenarioError> {
    let result = client.call_tool(name, json!({})).await?;
    let text = first_text(&result).unwrap_or_default();
    eprintln!("{name} -> {text}");
    ensure(text == expected, || {
        format!("{name}: expected {expected:?}, got {text:?}")
    })
}

pub(super) async fn request_state(invocation: &Invocation) -> Result<(), ScenarioError> {
    // `asked` tells the scenario the first question arrived; the user answers once
    // `answer` turns true.
    let asked = Arc::new(Notify::new());
    let (answer, answered) = watch::channel(false);
    let handlers = {
        let asked = Arc::clone(&asked);
        ClientHandlers::new().on_elicit(move |question| {
            let asked = Arc::clone(&asked);
            let mut answered = answered.clone();
            async move {
                eprintln!("elicitation: {}", question.message());
                asked.notify_one();
                if answered.wait_for(|ready| *ready).await.is_err() {
                    return ElicitResult::new(ElicitAction::Cancel);
                }
                confirm(&question)
            }
        })
    };
    let client = invocation.connect(handlers).await?;
    client.list_tools().await?;
    let first = expect_text(&client, "test_mrtr_echo_state", "echo-state-ok");
    let meanwhile = async {
        // Round 1 is in: the echo-state call waits for the user. An unrelated call now.
        asked.notified().await;
        let unrelated = expect_text(&client, "test_mrtr_unrelated", "unrelated-ok").await;
        let _ = answer.send(true);
        unrelated
    };
    let (first, meanwhile) = tokio::join!(first, meanwhile);
    first?;
    meanwhile?;
    // A round without requestState: the retry carries none.
    expect_text(&client, "test_mrtr_no_state", "no-state-ok").await?;
    // A result without resultType is complete: no retry.
    expect_text(
        &client,
        "test_mrtr_no_result_type",
        "no-result-type-test-ok",
    )
    .await
}

/// The user ticks every box of the form and accepts.
fn confirm(question: &ElicitRequestParams) -> ElicitResult {
    let ElicitRequestParams::Form(form) = question else {
        return ElicitResult::new(ElicitAction::Decline);
    };
    let ticked: BTreeMap<String, ElicitValue> = form
        .requested_schema
        .properties
        .iter()
        .filter(|(_, field)| matches!(field, PrimitiveSchemaDefinition::Boolean(_)))
        .map(|(name, _)| (name.clone(), ElicitValue::Boolean(true)))
        .collect();
    ElicitResult::accept_with_defaults(&form.requested_schema, ticked)
}
