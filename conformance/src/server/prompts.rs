//! Prompts, including the multi-round-trip prompt (CONFORMANCE.md 4.4, 4.5).

use std::collections::BTreeMap;

use mcp_driver::server::{Context, Prompt, ServerBuilder};
use mcp_proto::types::{GetPromptResult, InputResponse, PromptArgument};
use serde_json::json;

use super::input::{content_of, form, requests};
use super::{RED_PIXEL_PNG, from_json};

fn argument(name: &str, description: &str) -> Result<PromptArgument, serde_json::Error> {
    serde_json::from_value(json!({"name": name, "description": description, "required": true}))
}

/// Registers the prompts.
pub(crate) fn register(builder: ServerBuilder) -> ServerBuilder {
    let arguments = ["arg1", "arg2"]
        .iter()
        .filter_map(|name| argument(name, "A value to echo").ok())
        .collect();
    let resource_argument = argument("resourceUri", "The URI of the resource to embed")
        .into_iter()
        .collect();
    builder
        .prompt(Prompt::new(
            "test_simple_prompt",
            "A simple prompt without arguments",
            Vec::new(),
            |_: BTreeMap<String, String>, _ctx: Context| async move {
                from_json::<GetPromptResult>(json!({"messages": [
                    {"role": "user", "content": {"type": "text", "text": "This is a simple prompt for testing."}}
                ]}))
            },
        ))
        .prompt(
            Prompt::new(
                "test_prompt_with_arguments",
                "A prompt with two required arguments",
                arguments,
                |args: BTreeMap<String, String>, _ctx: Context| async move {
                    let arg1 = args.get("arg1").cloned().unwrap_or_default();
                    let arg2 = args.get("arg2").cloned().unwrap_or_default();
                    from_json::<GetPromptResult>(json!({"messages": [{"role": "user", "content": {
                        "type": "text",
                        "text": format!("Prompt with arguments: arg1='{arg1}', arg2='{arg2}'")
                    }}]}))
                },
            )
            .with_completion("arg1", |request, _ctx: Context| async move {
                let values: Vec<String> = ["test1", "test2", "testValue1", "other"]
                    .iter()
                    .filter(|value| value.starts_with(request.value.as_str()))
                    .map(|value| String::from(*value))
                    .collect();
                Ok::<_, mcp_driver::server::ToolError>(values)
            }),
        )
        .prompt(Prompt::new(
            "test_prompt_with_embedded_resource",
            "A prompt embedding the resource it is given",
            resource_argument,
            |args: BTreeMap<String, String>, _ctx: Context| async move {
                let uri = args.get("resourceUri").cloned().unwrap_or_default();
                from_json::<GetPromptResult>(json!({"messages": [
                    {"role": "user", "content": {"type": "resource", "resource": {
                        "uri": uri, "mimeType": "text/plain", "text": "Embedded resource content for testing."
                    }}},
                    {"role": "user", "content": {"type": "text", "text": "Please process the embedded resource above."}}
                ]}))
            },
        ))
        .prompt(Prompt::new(
            "test_prompt_with_image",
            "A prompt with an image",
            Vec::new(),
            |_: BTreeMap<String, String>, _ctx: Context| async move {
                from_json::<GetPromptResult>(json!({"messages": [
                    {"role": "user", "content": {"type": "image", "data": RED_PIXEL_PNG, "mimeType": "image/png"}},
                    {"role": "user", "content": {"type": "text", "text": "Please analyze the image above."}}
                ]}))
            },
        ))
        .prompt(Prompt::new(
            "test_input_required_result_prompt",
            "A prompt that asks the user for context first",
            Vec::new(),
            |_: BTreeMap<String, String>, ctx: Context| async move {
                let answers = ctx
                    .input(requests(vec![(
                        "user_context",
                        form(
                            "What context should the prompt use?",
                            json!({"context": {"type": "string"}}),
                            &["context"],
                        ),
                    )])?)
                    .await?;
                let context = match answers.get("user_context") {
                    Some(InputResponse::Elicit(answer)) => content_of(answer)["context"]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned(),
                    _ => String::new(),
                };
                from_json::<GetPromptResult>(json!({"messages": [{"role": "user", "content": {
                    "type": "text", "text": format!("Prompt with context: {context}")
                }}]}))
            },
        ))
}
