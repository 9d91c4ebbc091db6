//! The driver and the tokio adapter end to end: a server and a client in memory and over a
//! real child process's stdio, in both eras, including an era-portable elicitation.

use std::time::Duration;

use mcp_io_tokio::mcp_proto::client::{ClientConfig, ClientMode};
use mcp_io_tokio::mcp_proto::driver::client::{Client, ClientHandlers};
use mcp_io_tokio::mcp_proto::driver::server::{Context, Server, Tool, ToolError};
use mcp_io_tokio::mcp_proto::types::{
    CallToolResult, ClientCapabilities, ElicitAction, ElicitRequestParams, ElicitResult,
    ElicitationCapability, Implementation,
};
use mcp_io_tokio::mcp_proto::version::{Era, ProtocolVersion};
use serde::Deserialize;
use serde_json::json;

const CHILD: &str = "MCP_IO_TOKIO_TEST_CHILD";

#[derive(Deserialize, schemars::JsonSchema)]
struct Echo {
    text: String,
}

#[derive(Deserialize, schemars::JsonSchema)]
struct Ask {
    question: String,
}

fn test_server() -> Server {
    Server::builder(Implementation::new("test-server", "1.0.0"))
        .tool(Tool::typed(
            "echo",
            "Echoes",
            |args: Echo, _ctx: Context| async move {
                Ok::<_, ToolError>(CallToolResult::text(args.text))
            },
        ))
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
        .build()
}

fn question(message: &str) -> ElicitRequestParams {
    serde_json::from_value(json!({
        "message": message,
        "requestedSchema": {"type": "object", "properties": {"answer": {"type": "string"}}}
    }))
    .expect("a valid form")
}

fn answer_of(result: &ElicitResult) -> String {
    let value = serde_json::to_value(result).expect("serialisable");
    value["content"]["answer"]
        .as_str()
        .unwrap_or("-")
        .to_string()
}

fn client_config(mode: ClientMode) -> (ClientConfig, ClientHandlers) {
    let capabilities = ClientCapabilities {
        elicitation: Some(ElicitationCapability::default()),
        ..ClientCapabilities::default()
    };
    let config = ClientConfig::new(Implementation::new("test-client", "1.0.0"))
        .with_mode(mode)
        .with_capabilities(capabilities);
    let handlers = ClientHandlers::new().on_elicit(|params| async move {
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
    });
    (config, handlers)
}

fn text(result: &CallToolResult) -> String {
    serde_json::to_value(result).expect("serialisable")["content"][0]["text"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

async fn exercise(client: &Client, era: &str) {
    let tools = client.list_tools().await.expect("tools/list");
    let mut names: Vec<_> = tools.tools.iter().map(|tool| tool.name.clone()).collect();
    names.sort();
    assert_eq!(names, ["ask", "echo", "fail", "panic"]);
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_memory_both_eras() {
    let server = test_server();
    for (mode, era, version) in [
        (ClientMode::Legacy, "legacy", ProtocolVersion::V2025_11_25),
        (ClientMode::Auto, "modern", ProtocolVersion::V2026_07_28),
    ] {
        let (config, handlers) = client_config(mode);
        let client = mcp_io_tokio::connect_in_memory(&server, config, handlers)
            .await
            .expect("connected");
        assert_eq!(client.protocol_version(), Some(version));
        assert_eq!(
            client.server_info().map(|info| info.name),
            Some("test-server".into())
        );
        tokio::time::timeout(Duration::from_secs(10), exercise(&client, era))
            .await
            .expect("in time");
    }
}

/// Not a test of its own: the child process of `child_process_both_eras` runs this test
/// binary with only this test selected and the variable set, and serves on its stdio.
#[tokio::test(flavor = "current_thread")]
async fn serve_stdio_child() {
    if std::env::var_os(CHILD).is_none() {
        return;
    }
    // libtest has written "test serve_stdio_child ... " without a newline: end that line
    // so the first message starts on its own.
    println!();
    mcp_io_tokio::serve_stdio(&test_server())
        .await
        .expect("served");
    // Leave before libtest writes its summary into the closed pipe.
    std::process::exit(0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn child_process_both_eras() {
    for (mode, era) in [(ClientMode::Legacy, "legacy"), (ClientMode::Auto, "modern")] {
        let mut command =
            tokio::process::Command::new(std::env::current_exe().expect("this test binary"));
        // libtest's own lines on stdout are not JSON; the client skips them.
        command
            .args([
                "--exact",
                "serve_stdio_child",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD, "1");
        let (config, handlers) = client_config(mode);
        let (client, child) = mcp_io_tokio::connect_child(command, config, handlers)
            .await
            .expect("spawned and connected");
        tokio::time::timeout(Duration::from_secs(20), exercise(&client, era))
            .await
            .expect("in time");
        drop(client);
        let status = child
            .shutdown(Duration::from_secs(10))
            .await
            .expect("exited");
        assert!(
            status.success(),
            "the server exits cleanly when its stdin closes: {status}"
        );
    }
}
