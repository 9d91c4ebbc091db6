//! Tools that need input from the client (CONFORMANCE.md 4.2.2 and 4.2.4).
//!
//! Each is one handler body for both eras: on a 2025-11-25 session the question is a
//! live `elicitation/create` (or `sampling/createMessage`, `roots/list`) request; at
//! 2026-07-28 it is an "input required" result and the handler runs again on the retry.

use mcp_driver::server::{Context, Interrupt, ServerBuilder, Tool, ToolError};
use mcp_proto::types::{
    CallToolResult, CreateMessageResult, ElicitRequestParams, ElicitResult, InputRequest,
    InputRequests, InputResponse,
};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{from_json, no_arguments};

/// A form elicitation asking `message` with the given properties, all required.
pub(crate) fn form(message: &str, properties: Value, required: &[&str]) -> Value {
    json!({
        "method": "elicitation/create",
        "params": {
            "mode": "form",
            "message": message,
            "requestedSchema": {"type": "object", "properties": properties, "required": required}
        }
    })
}

/// A form elicitation asking for a `name`.
pub(crate) fn name_question(message: &str) -> Value {
    form(message, json!({"name": {"type": "string"}}), &["name"])
}

/// A form elicitation asking to confirm (`ok`, a boolean).
fn confirm_question() -> Value {
    form(
        "Please confirm",
        json!({"ok": {"type": "boolean"}}),
        &["ok"],
    )
}

/// A sampling request for one user message.
fn sampling(text: &str, max_tokens: u32) -> Value {
    json!({
        "method": "sampling/createMessage",
        "params": {
            "messages": [{"role": "user", "content": {"type": "text", "text": text}}],
            "maxTokens": max_tokens
        }
    })
}

/// Input requests by key, written as JSON.
pub(crate) fn requests(entries: Vec<(&str, Value)>) -> Result<InputRequests, ToolError> {
    entries
        .into_iter()
        .map(|(key, request)| Ok((String::from(key), from_json::<InputRequest>(request)?)))
        .collect()
}

/// The accepted content of an elicitation answer as JSON (`null` when there is none).
pub(crate) fn content_of(answer: &ElicitResult) -> Value {
    serde_json::to_value(&answer.content).unwrap_or(Value::Null)
}

fn action_of(answer: &ElicitResult) -> String {
    serde_json::to_value(answer.action)
        .ok()
        .and_then(|value| value.as_str().map(String::from))
        .unwrap_or_default()
}

fn sampled_text(answer: &CreateMessageResult) -> String {
    let value = serde_json::to_value(answer).unwrap_or(Value::Null);
    match &value["content"] {
        Value::Array(blocks) => blocks
            .iter()
            .filter_map(|block| block["text"].as_str())
            .collect::<Vec<_>>()
            .join(" "),
        block => block["text"].as_str().unwrap_or_default().to_owned(),
    }
}

/// A failure to get input, told to the model as a tool result (the catalogue's "not
/// supported or error" text); "input required" still propagates to the driver.
fn unavailable(interrupt: Interrupt) -> Result<CallToolResult, ToolError> {
    match interrupt {
        Interrupt::Failed(error) => Ok(CallToolResult::text(format!(
            "The client's input is not supported or error: {error}"
        ))),
        other => Err(other.into()),
    }
}

/// Asks `question` (a `{method, params}` elicitation) and reports the answer as
/// `"<label>: action=…, content=…"`.
async fn elicit_and_report(
    ctx: &Context,
    question: &Value,
    label: &str,
) -> Result<CallToolResult, ToolError> {
    let question: ElicitRequestParams = from_json(question["params"].clone())?;
    match ctx.elicit(question).await {
        Ok(answer) => Ok(CallToolResult::text(format!(
            "{label}: action={}, content={}",
            action_of(&answer),
            content_of(&answer)
        ))),
        Err(interrupt) => unavailable(interrupt),
    }
}

#[derive(Deserialize)]
struct Prompted {
    prompt: String,
}

#[derive(Deserialize)]
struct Message {
    message: String,
}

/// Registers the input tools.
pub(crate) fn register(builder: ServerBuilder) -> ServerBuilder {
    let builder = builder
        .tool(Tool::new(
            "test_sampling",
            "Asks the client's model to answer a prompt",
            json!({"type": "object", "properties": {"prompt": {"type": "string"}}, "required": ["prompt"]}),
            |args: Prompted, ctx: Context| async move {
                let request = from_json(sampling(&args.prompt, 100)["params"].clone())?;
                match ctx.sample(request).await {
                    Ok(answer) => Ok(CallToolResult::text(format!(
                        "LLM response: {}",
                        sampled_text(&answer)
                    ))),
                    Err(interrupt) => unavailable(interrupt),
                }
            },
        ))
        .tool(Tool::new(
            "test_elicitation",
            "Asks the user for a username and an email",
            json!({"type": "object", "properties": {"message": {"type": "string"}}, "required": ["message"]}),
            |args: Message, ctx: Context| async move {
                let question = form(
                    &args.message,
                    json!({
                        "username": {"type": "string", "description": "Your username"},
                        "email": {"type": "string", "description": "Your email address"}
                    }),
                    &["username", "email"],
                );
                elicit_and_report(&ctx, &question, "User response").await
            },
        ))
        .tool(Tool::new(
            "test_elicitation_sep1034_defaults",
            "Asks for five fields that all have defaults",
            no_arguments(),
            |_: Value, ctx: Context| async move {
                let question = form(
                    "Please review your profile (defaults provided)",
                    json!({
                        "name": {"type": "string", "default": "John Doe"},
                        "age": {"type": "integer", "default": 30},
                        "score": {"type": "number", "default": 95.5},
                        "status": {"type": "string", "enum": ["active", "inactive", "pending"], "default": "active"},
                        "verified": {"type": "boolean", "default": true}
                    }),
                    &[],
                );
                elicit_and_report(&ctx, &question, "Elicitation completed").await
            },
        ))
        .tool(Tool::new(
            "test_elicitation_sep1330_enums",
            "Asks for five kinds of enumerated choice",
            no_arguments(),
            |_: Value, ctx: Context| async move {
                let question = form(
                    "Pick your options",
                    json!({
                        "untitledSingle": {"type": "string", "enum": ["option1", "option2", "option3"]},
                        "titledSingle": {"type": "string", "oneOf": [
                            {"const": "value1", "title": "First Option"},
                            {"const": "value2", "title": "Second Option"},
                            {"const": "value3", "title": "Third Option"}
                        ]},
                        "legacyEnum": {"type": "string", "enum": ["opt1", "opt2", "opt3"],
                            "enumNames": ["Option One", "Option Two", "Option Three"]},
                        "untitledMulti": {"type": "array", "items": {"type": "string", "enum": ["option1", "option2", "option3"]}},
                        "titledMulti": {"type": "array", "items": {"anyOf": [
                            {"const": "value1", "title": "First Choice"},
                            {"const": "value2", "title": "Second Choice"},
                            {"const": "value3", "title": "Third Choice"}
                        ]}}
                    }),
                    &[],
                );
                elicit_and_report(&ctx, &question, "Elicitation completed").await
            },
        ));
    register_input_required(builder)
}

fn elicited(answer: Option<&InputResponse>) -> Option<&ElicitResult> {
    match answer {
        Some(InputResponse::Elicit(answer)) => Some(answer),
        _ => None,
    }
}

fn field(answer: Option<&InputResponse>, name: &str) -> String {
    elicited(answer)
        .map(|answer| match &content_of(answer)[name] {
            Value::String(text) => text.clone(),
            Value::Null => String::new(),
            other => other.to_string(),
        })
        .unwrap_or_default()
}

/// The multi-round-trip fixtures (SEP-2322), each asking under the keys the suite checks.
fn register_input_required(builder: ServerBuilder) -> ServerBuilder {
    builder
        .tool(Tool::new(
            "test_input_required_result_elicitation",
            "Asks for the user's name, then greets them",
            no_arguments(),
            |_: Value, ctx: Context| async move {
                let asked = requests(vec![("user_name", name_question("What is your name?"))])?;
                let answers = ctx.input(asked).await?;
                Ok(CallToolResult::text(format!(
                    "Hello, {}!",
                    field(answers.get("user_name"), "name")
                )))
            },
        ))
        .tool(Tool::new(
            "test_input_required_result_sampling",
            "Asks the client's model a question",
            no_arguments(),
            |_: Value, ctx: Context| async move {
                let asked = requests(vec![(
                    "sample_request",
                    sampling("What is the capital of France?", 100),
                )])?;
                let answers = ctx.input(asked).await?;
                let text = match answers.get("sample_request") {
                    Some(InputResponse::CreateMessage(answer)) => sampled_text(answer),
                    _ => String::new(),
                };
                Ok(CallToolResult::text(format!("The model said: {text}")))
            },
        ))
        .tool(Tool::new(
            "test_input_required_result_list_roots",
            "Asks the client for its roots",
            no_arguments(),
            |_: Value, ctx: Context| async move {
                let asked = requests(vec![(
                    "roots_request",
                    json!({"method": "roots/list", "params": {}}),
                )])?;
                let answers = ctx.input(asked).await?;
                let count = match answers.get("roots_request") {
                    Some(InputResponse::ListRoots(roots)) => roots.roots.len(),
                    _ => 0,
                };
                Ok(CallToolResult::text(format!("Found {count} root(s)")))
            },
        ))
        .tool(Tool::new(
            "test_input_required_result_request_state",
            "Asks for a confirmation, carrying request state",
            no_arguments(),
            |_: Value, ctx: Context| async move {
                let asked = requests(vec![("confirm", confirm_question())])?;
                let answers = ctx.input(asked).await?;
                Ok(CallToolResult::text(format!(
                    "state-ok: confirmed={}",
                    field(answers.get("confirm"), "ok")
                )))
            },
        ))
        .tool(Tool::new(
            "test_input_required_result_multiple_inputs",
            "Asks for a name, a greeting and the roots at once",
            no_arguments(),
            |_: Value, ctx: Context| async move {
                let asked = requests(vec![
                    ("user_name", name_question("What is your name?")),
                    ("greeting", sampling("Generate a greeting", 50)),
                    (
                        "client_roots",
                        json!({"method": "roots/list", "params": {}}),
                    ),
                ])?;
                let answers = ctx.input(asked).await?;
                let greeting = match answers.get("greeting") {
                    Some(InputResponse::CreateMessage(answer)) => sampled_text(answer),
                    _ => String::new(),
                };
                let roots = match answers.get("client_roots") {
                    Some(InputResponse::ListRoots(roots)) => roots.roots.len(),
                    _ => 0,
                };
                Ok(CallToolResult::text(format!(
                    "Name: {}; Greeting: {greeting}; Roots: {roots}",
                    field(answers.get("user_name"), "name")
                )))
            },
        ))
        .tool(Tool::new(
            "test_input_required_result_multi_round",
            "Asks for a name, then for a favourite colour",
            no_arguments(),
            |_: Value, ctx: Context| async move {
                let first = ctx
                    .input(requests(vec![(
                        "step1",
                        form(
                            "Step 1: What is your name?",
                            json!({"name": {"type": "string"}}),
                            &["name"],
                        ),
                    )])?)
                    .await?;
                let second = ctx
                    .input(requests(vec![(
                        "step2",
                        form(
                            "Step 2: What is your favorite color?",
                            json!({"color": {"type": "string"}}),
                            &["color"],
                        ),
                    )])?)
                    .await?;
                Ok(CallToolResult::text(format!(
                    "Multi-round complete for {} who likes {}",
                    field(first.get("step1"), "name"),
                    field(second.get("step2"), "color")
                )))
            },
        ))
        .tool(Tool::new(
            "test_input_required_result_tampered_state",
            "Asks for a confirmation; its request state is sealed against tampering",
            no_arguments(),
            |_: Value, ctx: Context| async move {
                let asked = requests(vec![("confirm", confirm_question())])?;
                ctx.input(asked).await?;
                Ok(CallToolResult::text("Confirmed with untampered state"))
            },
        ))
        .tool(Tool::new(
            "test_input_required_result_capabilities",
            "Asks only for what this request's client can answer",
            no_arguments(),
            |_: Value, ctx: Context| async move {
                let capabilities = ctx.client_capabilities();
                let mut entries = Vec::new();
                if capabilities.elicitation.is_some() {
                    entries.push(("user_name", name_question("What is your name?")));
                }
                if capabilities.sampling.is_some() {
                    entries.push(("sample_request", sampling("Say hello", 20)));
                }
                if entries.is_empty() {
                    return Ok(CallToolResult::text(
                        "The client declared neither elicitation nor sampling",
                    ));
                }
                let answers = ctx.input(requests(entries)?).await?;
                Ok(CallToolResult::text(format!(
                    "Answered {} input request(s)",
                    answers.len()
                )))
            },
        ))
}
