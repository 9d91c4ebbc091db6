//! Each adapter's Streamable HTTP client (`connect_http`) against our own HTTP server,
//! over real sockets, in auto and pinned 2026-07-28 modes: listing and calling tools, an
//! elicitation round (input required, then the retry), a tool error, `Mcp-Param-*`
//! headers learnt from `tools/list`, and a timed-out request whose POST is dropped,
//! which cancels the handler on the server. The legacy era is covered by
//! `http_client_scripted` (the client loop against a fake transport), by `http_legacy`
//! (session expiry) and by the interop tests.

use std::net::SocketAddr;
use std::time::Duration;

use futures_channel::mpsc;
use futures_util::StreamExt;
use mcp_driver::client::{Client, ClientError, ClientHandlers};
use mcp_driver::http::HttpEndpoint;
use mcp_driver::server::{Context, Server, Tool, ToolError};
use mcp_proto::client::{ClientConfig, ClientMode, RequestOptions};
use mcp_proto::jsonrpc::Params;
use mcp_proto::types::{
    CallToolResult, ClientCapabilities, ClientRequest, ElicitAction, ElicitRequestParams,
    ElicitResult, Implementation,
};
use mcp_proto::version::{Era, ProtocolVersion};
use serde_json::json;

use crate::harness::Harness;
use crate::support::in_time;

#[derive(serde::Deserialize, schemars::JsonSchema)]
struct Search {
    query: String,
}

#[derive(serde::Deserialize, schemars::JsonSchema)]
struct Reserve {
    title: String,
}

#[derive(serde::Deserialize)]
struct Lookup {
    tenant: String,
    order: String,
}

#[derive(serde::Deserialize, schemars::JsonSchema)]
struct Nothing {}

/// Reports on its channel when dropped: the handler's future is gone.
struct DropSignal(mpsc::UnboundedSender<&'static str>);

impl Drop for DropSignal {
    fn drop(&mut self) {
        let _ = self.0.unbounded_send("dropped");
    }
}

async fn reserve(args: Reserve, ctx: Context) -> Result<CallToolResult, ToolError> {
    if args.title != "Dune" {
        return Err(ToolError::failed(format!("We do not stock {}", args.title)));
    }
    let question: ElicitRequestParams = serde_json::from_value(json!({
        "mode": "form",
        "message": "How many copies?",
        "requestedSchema": {"type": "object", "properties": {"copies": {"type": "integer"}}}
    }))?;
    let answer = ctx.elicit(question).await?;
    let copies = answer
        .content
        .as_ref()
        .and_then(|content| content.get("copies"))
        .and_then(|value| serde_json::to_value(value).ok())
        .and_then(|value| value.as_u64())
        .unwrap_or(0);
    Ok(CallToolResult::text(format!(
        "Reserved {copies} copies of {}",
        args.title
    )))
}

/// The bookshop plus `lookup_order` (its `tenant` argument is mirrored into
/// `Mcp-Param-Tenant`) and `hang` (reports its start and its drop on `signals`).
async fn start(harness: &dyn Harness, signals: mpsc::UnboundedSender<&'static str>) -> SocketAddr {
    let lookup_schema = json!({
        "type": "object",
        "properties": {
            "tenant": {"type": "string", "x-mcp-header": "Tenant"},
            "order": {"type": "string"}
        },
        "required": ["tenant", "order"]
    });
    let server = Server::builder(Implementation::new("http-bookshop", "1.0.0"))
        .tool(Tool::typed(
            "search_books",
            "Finds books",
            |args: Search, _ctx: Context| async move {
                let found = if "dune frank herbert".contains(&args.query.to_lowercase()) {
                    "Dune by Frank Herbert"
                } else {
                    "No books found"
                };
                Ok::<_, ToolError>(CallToolResult::text(found))
            },
        ))
        .tool(Tool::typed("reserve", "Reserves copies of a book", reserve))
        .tool(Tool::new(
            "lookup_order",
            "Finds an order of a tenant",
            lookup_schema,
            |args: Lookup, _ctx: Context| async move {
                Ok::<_, ToolError>(CallToolResult::text(format!(
                    "order {} of {}",
                    args.order, args.tenant
                )))
            },
        ))
        .tool(Tool::typed(
            "hang",
            "Never finishes",
            move |_args: Nothing, _ctx: Context| {
                let signal = DropSignal(signals.clone());
                async move {
                    let _ = signal.0.unbounded_send("started");
                    let _signal = signal;
                    std::future::pending::<()>().await;
                    Ok::<_, ToolError>(CallToolResult::text("never"))
                }
            },
        ))
        .build();
    harness
        .serve_http(HttpEndpoint::new(&server, harness.runtime()))
        .await
        .expect("bound")
}

pub(crate) fn config(mode: ClientMode) -> ClientConfig {
    let capabilities: ClientCapabilities =
        serde_json::from_value(json!({"elicitation": {}})).expect("capabilities");
    ClientConfig::new(Implementation::new("http-client-test", "1.0"))
        .with_mode(mode)
        .with_capabilities(capabilities)
}

pub(crate) fn handlers() -> ClientHandlers {
    ClientHandlers::new().on_elicit(|_question| async move {
        serde_json::from_value(json!({"action": "accept", "content": {"copies": 2}}))
            .unwrap_or_else(|_| ElicitResult::new(ElicitAction::Decline))
    })
}

fn modes() -> [ClientMode; 2] {
    [
        ClientMode::Auto,
        ClientMode::Pinned {
            version: ProtocolVersion::V2026_07_28,
            discover: None,
        },
    ]
}

pub(crate) fn text(result: &CallToolResult) -> (String, bool) {
    let value = serde_json::to_value(result).expect("json");
    (
        value["content"][0]["text"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        value["isError"].as_bool().unwrap_or(false),
    )
}

async fn connect(harness: &dyn Harness, addr: SocketAddr, mode: ClientMode) -> Client {
    let url = format!("http://{addr}/mcp");
    in_time(
        harness,
        Duration::from_secs(10),
        "connecting",
        harness.connect_http(&url, config(mode), handlers()),
    )
    .await
    .expect("connected")
}

/// In both modes the client negotiates 2026-07-28, lists, calls, elicits, and tells a
/// tool error from a protocol error, sending `Mcp-Param-*` headers learnt from the list.
pub async fn modern_client_lists_calls_and_elicits(harness: &dyn Harness) {
    let (signals, _) = mpsc::unbounded();
    let addr = start(harness, signals).await;
    for mode in modes() {
        let client = connect(harness, addr, mode.clone()).await;
        assert_eq!(client.era(), Some(Era::Modern), "{mode:?}");
        assert_eq!(
            client.protocol_version(),
            Some(ProtocolVersion::V2026_07_28)
        );
        let run = async {
            let tools = client.list_tools().await.expect("tools/list");
            let mut names: Vec<_> = tools.tools.iter().map(|tool| tool.name.clone()).collect();
            names.sort();
            assert_eq!(names, ["hang", "lookup_order", "reserve", "search_books"]);
            let found = client
                .call_tool("search_books", json!({"query": "dune"}))
                .await
                .expect("search_books");
            assert_eq!(text(&found), ("Dune by Frank Herbert".into(), false));
            // Input required, answered by the callback, then the retry.
            let reserved = client
                .call_tool("reserve", json!({"title": "Dune"}))
                .await
                .expect("reserve");
            assert_eq!(text(&reserved), ("Reserved 2 copies of Dune".into(), false));
            // A tool error is a result with isError, which the model sees.
            let refused = client
                .call_tool("reserve", json!({"title": "Ulysses"}))
                .await
                .expect("a tool error is a result");
            assert_eq!(text(&refused), ("We do not stock Ulysses".into(), true));
            // A protocol error is a JSON-RPC error.
            let unknown = client.call_tool("no_such_tool", json!({})).await;
            assert!(
                matches!(&unknown, Err(ClientError::Rpc(error)) if error.code.0 == -32602),
                "{unknown:?}"
            );
            // The server compares Mcp-Param-Tenant with the argument: a success proves
            // the header, learnt from tools/list above.
            let order = client
                .call_tool(
                    "lookup_order",
                    json!({"tenant": "Grüße & co", "order": "A-17"}),
                )
                .await
                .expect("lookup_order");
            assert_eq!(text(&order), ("order A-17 of Grüße & co".into(), false));
        };
        in_time(harness, Duration::from_secs(30), "the calls", run).await;
    }
}

/// Before `tools/list` the client knows no `x-mcp-header` annotation, so the server
/// refuses the call with -32020; after it the header goes out.
pub async fn param_headers_come_from_the_tools_list(harness: &dyn Harness) {
    let (signals, _) = mpsc::unbounded();
    let addr = start(harness, signals).await;
    let client = connect(harness, addr, ClientMode::Auto).await;
    let arguments = json!({"tenant": "acme", "order": "A-17"});
    let run = async {
        // Before tools/list the client knows no annotation, so the header is missing and
        // the server refuses the call with -32020 (HTTP 400).
        let refused = client.call_tool("lookup_order", arguments.clone()).await;
        assert!(
            matches!(&refused, Err(ClientError::Rpc(error)) if error.code.0 == -32020),
            "{refused:?}"
        );
        client.list_tools().await.expect("tools/list");
        let order = client
            .call_tool("lookup_order", arguments)
            .await
            .expect("lookup_order after tools/list");
        assert_eq!(text(&order), ("order A-17 of acme".into(), false));
    };
    in_time(harness, Duration::from_secs(30), "the calls", run).await;
}

pub(crate) fn call_request(name: &str) -> ClientRequest {
    let params = Params::from_serialize(&json!({"name": name, "arguments": {}})).expect("params");
    ClientRequest::decode("tools/call", Some(&params)).expect("a tools/call request")
}

async fn next_signal(
    harness: &dyn Harness,
    signals: &mut mpsc::UnboundedReceiver<&'static str>,
) -> &'static str {
    in_time(
        harness,
        Duration::from_secs(10),
        "the server reacts",
        signals.next(),
    )
    .await
    .expect("the server is running")
}

/// A request past its timeout fails with `TimedOut`; its dropped POST is the
/// cancellation (no notification at 2026-07-28), and the client goes on working.
pub async fn a_timed_out_request_drops_its_post_and_the_server_cancels(harness: &dyn Harness) {
    let (signals, mut signalled) = mpsc::unbounded();
    let addr = start(harness, signals).await;
    for mode in modes() {
        let client = connect(harness, addr, mode.clone()).await;
        // Long enough for the POST to reach the handler on a loaded machine.
        let options = RequestOptions::new().with_timeout(Duration::from_secs(1));
        let outcome = in_time(
            harness,
            Duration::from_secs(10),
            "the deadline ends the request",
            client.request(call_request("hang"), options),
        )
        .await;
        assert_eq!(outcome, Err(ClientError::TimedOut), "{mode:?}");
        assert_eq!(
            next_signal(harness, &mut signalled).await,
            "started",
            "{mode:?}"
        );
        // No notification is POSTed at 2026-07-28: the dropped POST is the cancellation,
        // and the server drops the handler.
        assert_eq!(
            next_signal(harness, &mut signalled).await,
            "dropped",
            "{mode:?}"
        );
        // The client goes on working.
        let found = in_time(
            harness,
            Duration::from_secs(10),
            "a call after the timeout",
            client.call_tool("search_books", json!({"query": "dune"})),
        )
        .await
        .expect("search_books after the timeout");
        assert_eq!(text(&found).0, "Dune by Frank Herbert");
    }
}
