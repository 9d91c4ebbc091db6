//! The driver end to end on each link: a server and a client in memory, over a real
//! child process's stdio and over Streamable HTTP, in both eras, including an
//! era-portable elicitation, sampling, roots, resources, templates and prompts.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use mcp_driver::client::{Client, ClientHandlers};
use mcp_driver::server::{
    Context, Prompt, Resource, ResourceRequest, ResourceTemplate, Server, Tool, ToolError,
};
use mcp_proto::client::{ClientConfig, ClientMode};
use mcp_proto::types::{
    CallToolResult, ClientCapabilities, ElicitAction, ElicitRequestParams, ElicitResult,
    GetPromptResult, Implementation, InputRequests, InputResponse, ReadResourceResult,
};
use mcp_proto::version::{Era, ProtocolVersion};
use serde::Deserialize;
use serde_json::json;

use crate::harness::{Connection, Fixture, Harness, Link, lingering_child_command};
use crate::support::in_time;

/// The server of these scenarios.
pub const TEST_SERVER: Fixture = Fixture {
    name: "transports",
    build: test_server,
};

#[derive(Deserialize, schemars::JsonSchema)]
struct Echo {
    text: String,
}

#[derive(Deserialize, schemars::JsonSchema)]
struct Ask {
    question: String,
}

pub fn test_server() -> Server {
    Server::builder(Implementation::new("test-server", "1.0.0"))
        .tool(crate::http_fixture::echo_tool())
        .tool(Tool::typed(
            "ask",
            "Asks the user twice",
            |args: Ask, ctx: Context| async move {
                let first = ctx.elicit(question(&args.question)).await?;
                let second = ctx.elicit(question("Are you sure?")).await?;
                let era = match ctx.era() {
                    Era::Legacy => "legacy",
                    _ => "modern",
                };
                Ok::<_, ToolError>(CallToolResult::text(format!(
                    "{era}: {} then {}",
                    answer_of(&first),
                    answer_of(&second)
                )))
            },
        ))
        .tool(Tool::typed(
            "fail",
            "Always fails",
            |_args: Echo, _ctx: Context| async move {
                Err::<CallToolResult, _>(ToolError::failed("it broke"))
            },
        ))
        .tool(Tool::typed(
            "panic",
            "Panics on any text",
            |args: Echo, _ctx: Context| async move {
                assert!(args.text.is_empty(), "a handler bug");
                Ok::<_, ToolError>(CallToolResult::text(""))
            },
        ))
        .tool(Tool::typed(
            "summarise",
            "Asks the client's model and roots",
            |args: Echo, ctx: Context| async move {
                let request = serde_json::from_value(json!({
                    "messages": [{"role": "user", "content": {"type": "text", "text": args.text}}],
                    "maxTokens": 10
                }))?;
                let sampled = ctx.sample(request).await?;
                let roots = ctx.roots().await?;
                let said = serde_json::to_value(&sampled)?["content"]["text"].clone();
                Ok::<_, ToolError>(CallToolResult::text(format!(
                    "{} under {}",
                    said.as_str().unwrap_or_default(),
                    roots.roots.first().map(|root| root.uri.as_str()).unwrap_or_default()
                )))
            },
        ))
        .tool(Tool::typed(
            "survey",
            "Asks for a colour and the roots at once, under chosen keys",
            |_args: Echo, ctx: Context| async move {
                let asked: InputRequests = serde_json::from_value(json!({
                    "colour": {"method": "elicitation/create", "params": {
                        "mode": "form", "message": "Colour?",
                        "requestedSchema": {"type": "object", "properties": {"answer": {"type": "string"}}}
                    }},
                    "where": {"method": "roots/list", "params": {}}
                }))?;
                let answers = ctx.input(asked).await?;
                let colour = match answers.get("colour") {
                    Some(InputResponse::Elicit(answer)) => answer_of(answer),
                    other => format!("no colour: {other:?}"),
                };
                let root = match answers.get("where") {
                    Some(InputResponse::ListRoots(roots)) => roots.roots[0].uri.clone(),
                    other => format!("no roots: {other:?}"),
                };
                Ok::<_, ToolError>(CallToolResult::text(format!("{colour} at {root}")))
            },
        ))
        .resource(
            Resource::new("memo://readme", "readme", |request: ResourceRequest, _ctx: Context| async move {
                Ok::<_, ToolError>(text_contents(&request.uri, "read me"))
            })
            .with_mime_type("text/plain"),
        )
        .resource_template(
            ResourceTemplate::new("file:///docs/{+path}", "docs", |request: ResourceRequest, _ctx: Context| async move {
                let path = request.variables.get("path").cloned().unwrap_or_default();
                Ok::<_, ToolError>(text_contents(&request.uri, &format!("doc at {path}")))
            })
            .expect("a valid template"),
        )
        .prompt(Prompt::new(
            "greet",
            "Greets someone",
            vec![serde_json::from_value(json!({"name": "who", "required": true})).expect("an argument")],
            |arguments: BTreeMap<String, String>, _ctx: Context| async move {
                let who = arguments.get("who").cloned().unwrap_or_default();
                Ok::<_, ToolError>(
                    serde_json::from_value::<GetPromptResult>(json!({
                        "messages": [{"role": "user", "content": {"type": "text", "text": format!("Hello, {who}")}}]
                    }))
                    .expect("a prompt result"),
                )
            },
        ))
        .build()
}

pub fn text_contents(uri: &str, text: &str) -> ReadResourceResult {
    serde_json::from_value(json!({"contents": [{"uri": uri, "text": text}]})).expect("contents")
}

pub fn question(message: &str) -> ElicitRequestParams {
    serde_json::from_value(json!({
        "message": message,
        "requestedSchema": {"type": "object", "properties": {"answer": {"type": "string"}}}
    }))
    .expect("a valid form")
}

pub fn answer_of(result: &ElicitResult) -> String {
    let value = serde_json::to_value(result).expect("serialisable");
    value["content"]["answer"]
        .as_str()
        .unwrap_or("-")
        .to_string()
}

/// A client of `mode` that answers elicitations ('blue', then 'yes'), sampling and roots.
pub fn client_config(mode: ClientMode) -> (ClientConfig, ClientHandlers) {
    let capabilities: ClientCapabilities =
        serde_json::from_value(json!({"elicitation": {}, "sampling": {}, "roots": {}}))
            .expect("capabilities");
    let config = ClientConfig::new(Implementation::new("test-client", "1.0.0"))
        .with_mode(mode)
        .with_capabilities(capabilities);
    let handlers = ClientHandlers::new()
        .on_elicit(|params| async move {
            let message = serde_json::to_value(&params).expect("serialisable")["message"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            let answer = if message.starts_with("Are") {
                "yes"
            } else {
                "blue"
            };
            serde_json::from_value(json!({"action": "accept", "content": {"answer": answer}}))
                .unwrap_or_else(|_| ElicitResult::new(ElicitAction::Decline))
        })
        .on_sample(|_params| async move {
            Ok(serde_json::from_value(json!({
            "role": "assistant", "content": {"type": "text", "text": "short"}, "model": "test-model"
        }))
        .expect("a sampling result"))
        })
        .on_roots(|| async move {
            serde_json::from_value(json!({"roots": [{"uri": "file:///work", "name": "work"}]}))
                .expect("roots")
        });
    (config, handlers)
}

fn text(result: &CallToolResult) -> String {
    serde_json::to_value(result).expect("serialisable")["content"][0]["text"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

async fn resources_and_prompts(client: &Client, era: &str) {
    let resources = client.list_resources().await.expect("resources/list");
    assert_eq!(resources.len(), 1);
    assert_eq!(resources[0].uri, "memo://readme");
    let templates = client.list_resource_templates().await.expect("templates");
    assert_eq!(templates[0].uri_template, "file:///docs/{+path}");
    let read = client.read_resource("memo://readme").await.expect("read");
    assert_eq!(read.contents[0].uri(), "memo://readme");
    let read = client
        .read_resource("file:///docs/guide/intro.md")
        .await
        .expect("read via template");
    let text = serde_json::to_value(&read).expect("json")["contents"][0]["text"].clone();
    assert_eq!(text, "doc at guide/intro.md");
    let refused = client
        .read_resource("file:///docs/../etc/passwd")
        .await
        .expect_err("traversal");
    assert!(
        refused.to_string().contains("Invalid resource URI"),
        "{refused}"
    );
    let missing = client
        .read_resource("memo://nothing")
        .await
        .expect_err("not found");
    let expected = if era == "legacy" { "-32002" } else { "-32602" };
    assert!(missing.to_string().contains(expected), "{era}: {missing}");
    let prompts = client.list_prompts().await.expect("prompts/list");
    assert_eq!(prompts[0].name, "greet");
    let prompt = client
        .get_prompt("greet", &[("who", "Ada")])
        .await
        .expect("prompts/get");
    let text =
        serde_json::to_value(&prompt).expect("json")["messages"][0]["content"]["text"].clone();
    assert_eq!(text, "Hello, Ada");
    let refused = client
        .get_prompt("greet", &[])
        .await
        .expect_err("missing argument");
    assert!(refused.to_string().contains("who"), "{refused}");
}

/// Resources, prompts and every tool of [`test_server`], checked from `client` in `era`.
pub async fn exercise(client: &Client, era: &str) {
    resources_and_prompts(client, era).await;
    let tools = client.list_tools().await.expect("tools/list");
    let names: Vec<_> = tools.tools.iter().map(|tool| tool.name.clone()).collect();
    // Listed in registration order.
    assert_eq!(
        names,
        ["echo", "ask", "fail", "panic", "summarise", "survey"]
    );
    assert!(tools.tools[0].input_schema.get().contains("properties"));
    let echoed = client
        .call_tool("echo", json!({"text": "hi"}))
        .await
        .expect("echo");
    assert_eq!(text(&echoed), "hi");
    let asked = client
        .call_tool("ask", json!({"question": "Colour?"}))
        .await
        .expect("ask");
    assert_eq!(text(&asked), format!("{era}: blue then yes"));
    let summary = client
        .call_tool("summarise", json!({"text": "a long text"}))
        .await
        .expect("summarise");
    assert_eq!(text(&summary), "short under file:///work");
    let surveyed = client
        .call_tool("survey", json!({"text": ""}))
        .await
        .expect("survey");
    assert_eq!(text(&surveyed), "blue at file:///work");
    let failed = client
        .call_tool("fail", json!({"text": ""}))
        .await
        .expect("a result");
    assert_eq!(failed.is_error, Some(true));
    let error = client
        .call_tool("echo", json!({"wrong": 1}))
        .await
        .expect_err("bad arguments");
    assert!(error.to_string().contains("Invalid arguments"), "{error}");
}

/// Each era: the client's mode, the era's name in the tools' answers, the version.
pub const ERAS: [(ClientMode, &str, ProtocolVersion); 2] = [
    (ClientMode::Legacy, "legacy", ProtocolVersion::V2025_11_25),
    (ClientMode::Auto, "modern", ProtocolVersion::V2026_07_28),
];

/// Both eras over `link`.
async fn both_eras(harness: &dyn Harness, link: Link) {
    for (mode, era, version) in ERAS {
        let (config, handlers) = client_config(mode);
        let connection = Connection::open(harness, link, &TEST_SERVER, config, handlers)
            .await
            .expect("connected");
        let client = &connection.client;
        assert_eq!(client.protocol_version(), Some(version), "{link:?}");
        assert_eq!(
            client.server_info().map(|info| info.name),
            Some("test-server".into())
        );
        in_time(harness, Duration::from_secs(20), era, exercise(client, era)).await;
        connection.close().await;
    }
}

/// Every feature of the test server in memory, in both eras.
pub async fn in_memory_both_eras(harness: &dyn Harness) {
    both_eras(harness, Link::InMemory).await;
}

/// Every feature of the test server over a child process's stdio, in both eras.
pub async fn child_process_both_eras(harness: &dyn Harness) {
    both_eras(harness, Link::ChildStdio).await;
}

/// Every feature of the test server over Streamable HTTP, in both eras.
pub async fn streamable_http_both_eras(harness: &dyn Harness) {
    both_eras(harness, Link::Http).await;
}

/// A child server that lingers after its stdin closes is killed once the grace period ends.
pub async fn a_child_that_lingers_after_its_stdin_closes_is_killed_after_the_grace_period(
    harness: &dyn Harness,
) {
    let (config, handlers) = client_config(ClientMode::Auto);
    let (client, child) = harness
        .connect_child(lingering_child_command(&TEST_SERVER), config, handlers)
        .await
        .expect("spawned and connected");
    let echoed = in_time(
        harness,
        Duration::from_secs(20),
        "echo",
        client.call_tool("echo", json!({"text": "hi"})),
    )
    .await
    .expect("echo");
    assert_eq!(text(&echoed), "hi");
    drop(client);
    let start = Instant::now();
    let status = child
        .shutdown(Duration::from_millis(300))
        .await
        .expect("ended");
    assert!(!status.success(), "killed, not exited: {status}");
    assert!(start.elapsed() >= Duration::from_millis(300));
    assert!(start.elapsed() < Duration::from_secs(20));
}
