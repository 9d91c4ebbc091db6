//! The driver and the smol adapter end to end: a server and a client in memory (on smol's
//! global executor and on an executor the test runs) and over a real child process's
//! stdio, in both eras, including an era-portable elicitation.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use mcp_io_smol::SmolRuntime;
use mcp_io_smol::mcp_driver::Runtime;
use mcp_io_smol::mcp_driver::client::{Client, ClientHandlers};
use mcp_io_smol::mcp_driver::server::{Context, Server, Tool, ToolError};
use mcp_io_smol::mcp_proto::client::{ClientConfig, ClientMode};
use mcp_io_smol::mcp_proto::types::{
    CallToolResult, ClientCapabilities, ElicitAction, ElicitRequestParams, ElicitResult,
    Implementation,
};
use mcp_io_smol::mcp_proto::version::{Era, ProtocolVersion};
use serde::Deserialize;
use serde_json::json;

const CHILD: &str = "MCP_IO_SMOL_TEST_CHILD";
/// The value of [`CHILD`] that keeps the child alive after its stdin closes.
const LINGER: &str = "linger";

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
    let capabilities: ClientCapabilities =
        serde_json::from_value(json!({"elicitation": {}})).expect("capabilities");
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

/// `future`, or a panic once `seconds` have passed.
async fn within<T>(seconds: u64, future: impl Future<Output = T>) -> T {
    smol::future::or(future, async move {
        smol::Timer::after(Duration::from_secs(seconds)).await;
        panic!("not done within {seconds} s")
    })
    .await
}

async fn exercise(client: &Client, era: &str) {
    let tools = client.list_tools().await.expect("tools/list");
    let mut names: Vec<_> = tools.tools.iter().map(|tool| tool.name.clone()).collect();
    names.sort();
    assert_eq!(names, ["ask", "echo", "fail"]);
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

/// Checks what the client learnt in negotiation. Called after the first exchanges, not
/// straight after connecting: the driver can answer `connect_*` before it has recorded
/// these facts (its `Call::Ready` path sees the connection ready while the `Ready` event
/// still waits to be pumped), a race smol's executor threads hit about once in thirty
/// runs.
fn assert_negotiated(client: &Client, version: ProtocolVersion) {
    assert_eq!(client.protocol_version(), Some(version));
    assert_eq!(
        client.server_info().map(|info| info.name),
        Some("test-server".into())
    );
}

const ERAS: [(ClientMode, &str, ProtocolVersion); 2] = [
    (ClientMode::Legacy, "legacy", ProtocolVersion::V2025_11_25),
    (ClientMode::Auto, "modern", ProtocolVersion::V2026_07_28),
];

#[test]
fn in_memory_both_eras() {
    smol::block_on(async {
        let server = test_server();
        for (mode, era, version) in ERAS {
            let (config, handlers) = client_config(mode);
            let client = mcp_io_smol::connect_in_memory(&server, config, handlers)
                .await
                .expect("connected");
            within(10, exercise(&client, era)).await;
            assert_negotiated(&client, version);
        }
    });
}

#[test]
fn in_memory_on_an_executor_the_application_runs() {
    let executor = Arc::new(smol::Executor::new());
    let runtime = SmolRuntime::with_executor(Arc::clone(&executor));
    smol::block_on(executor.run(async {
        let server = test_server();
        for (mode, era, version) in ERAS {
            let (config, handlers) = client_config(mode);
            let client = runtime
                .connect_in_memory(&server, config, handlers)
                .await
                .expect("connected");
            within(10, exercise(&client, era)).await;
            assert_negotiated(&client, version);
        }
    }));
}

#[test]
fn timers_fire_at_their_deadline_stay_elapsed_and_move_when_reset() {
    smol::block_on(async {
        let runtime = SmolRuntime::default();
        let start = Instant::now();
        let mut timer = runtime.timer(start + Duration::from_secs(60));
        timer.as_mut().reset(start + Duration::from_millis(30));
        std::future::poll_fn(|cx| timer.as_mut().poll_elapsed(cx)).await;
        assert!(start.elapsed() >= Duration::from_millis(30));
        assert!(start.elapsed() < Duration::from_secs(10));
        // Elapsed stays elapsed until the timer is reset.
        std::future::poll_fn(|cx| timer.as_mut().poll_elapsed(cx)).await;
        timer
            .as_mut()
            .reset(Instant::now() + Duration::from_millis(30));
        let before = Instant::now();
        std::future::poll_fn(|cx| timer.as_mut().poll_elapsed(cx)).await;
        assert!(before.elapsed() >= Duration::from_millis(25));
    });
}

/// Not a test of its own: the child processes of `child_process_both_eras` and
/// `a_child_that_lingers_…` run this test binary with only this entry point selected
/// (`--ignored`) and the variable set, and it serves on its stdio.
#[test]
#[ignore = "the server side of the child-process tests, which run it with --ignored"]
fn serve_stdio_child() {
    if std::env::var_os(CHILD).is_none() {
        return;
    }
    // libtest has written "test serve_stdio_child ... " without a newline: end that line
    // so the first message starts on its own.
    println!();
    smol::block_on(mcp_io_smol::serve_stdio(&test_server())).expect("served");
    if std::env::var_os(CHILD).is_some_and(|value| value == LINGER) {
        // A server that does not exit when its client leaves: shutdown must kill it.
        std::thread::sleep(Duration::from_secs(60));
    }
    // Leave before libtest writes its summary into the closed pipe.
    std::process::exit(0);
}

#[test]
fn child_process_both_eras() {
    smol::block_on(async {
        for (mode, era, version) in ERAS {
            let mut command =
                smol::process::Command::new(std::env::current_exe().expect("this test binary"));
            // libtest's own lines on stdout are not JSON; the client skips them.
            command
                .args([
                    "--exact",
                    "serve_stdio_child",
                    "--ignored",
                    "--nocapture",
                    "--test-threads=1",
                ])
                .env(CHILD, "1");
            let (config, handlers) = client_config(mode);
            let (client, child) = mcp_io_smol::connect_child(command, config, handlers)
                .await
                .expect("spawned and connected");
            within(20, exercise(&client, era)).await;
            assert_negotiated(&client, version);
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
    });
}

#[test]
fn a_child_that_lingers_after_its_stdin_closes_is_killed_after_the_grace_period() {
    smol::block_on(async {
        let mut command =
            smol::process::Command::new(std::env::current_exe().expect("this test binary"));
        command
            .args([
                "--exact",
                "serve_stdio_child",
                "--ignored",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD, LINGER);
        let (config, handlers) = client_config(ClientMode::Auto);
        let (client, child) = mcp_io_smol::connect_child(command, config, handlers)
            .await
            .expect("spawned and connected");
        let echoed = within(20, client.call_tool("echo", json!({"text": "hi"})))
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
        assert!(start.elapsed() < Duration::from_secs(10));
    });
}
