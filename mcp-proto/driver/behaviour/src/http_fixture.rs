//! The one Streamable HTTP test server of the raw-socket scenarios (`http`,
//! `http_legacy`) and their raw-request helpers: JSON-RPC messages of both eras, POSTs
//! with each era's headers, resumption with `Last-Event-ID` and a legacy session's
//! opening.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use futures_channel::mpsc;
use futures_util::StreamExt;
use futures_util::lock::Mutex;
use mcp_driver::http::{HttpEndpoint, SessionSettings};
use mcp_driver::server::{Context, Server, Tool, ToolError};
use mcp_proto::types::{CallToolResult, ElicitRequestParams, Implementation};
use serde_json::{Value, json};

use crate::harness::Harness;
use crate::support::{Open, in_time, open, send, sleep};

/// The test server's name, as `initialize` reports it.
pub const SERVER_NAME: &str = "http-test";

/// How many tools the test server lists.
pub const TOOLS: usize = 6;

#[derive(serde::Deserialize, schemars::JsonSchema)]
pub struct Echo {
    pub text: String,
}

#[derive(serde::Deserialize, schemars::JsonSchema)]
pub struct Steps {
    pub steps: u32,
}

#[derive(serde::Deserialize, schemars::JsonSchema)]
struct Nothing {}

/// The `echo` tool: answers its `text`.
pub fn echo_tool() -> Tool {
    Tool::typed("echo", "Echoes", |args: Echo, _ctx: Context| async move {
        Ok::<_, ToolError>(CallToolResult::text(args.text))
    })
}

/// Sets its flag when dropped: the handler's future is gone.
struct Flag(Arc<AtomicBool>);

impl Drop for Flag {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

/// Lets the `gate` and `poll` tools through: each [`Gate::open`] lets one waiting
/// handler (or the next to wait) go on.
#[derive(Clone)]
pub struct Gate {
    permits: mpsc::UnboundedSender<()>,
    waiting: Arc<Mutex<mpsc::UnboundedReceiver<()>>>,
}

impl Gate {
    fn new() -> Gate {
        let (permits, waiting) = mpsc::unbounded();
        Gate {
            permits,
            waiting: Arc::new(Mutex::new(waiting)),
        }
    }

    pub fn open(&self) {
        let _ = self.permits.unbounded_send(());
    }

    async fn pass(&self) {
        self.waiting.lock().await.next().await;
    }
}

/// The test server on a loopback port, and what a scenario needs of it.
pub struct HttpFixture {
    pub addr: SocketAddr,
    pub server: Server,
    /// Set when the `hang` handler is called.
    pub started: Arc<AtomicBool>,
    /// Set when the `hang` handler's future is dropped.
    pub dropped: Arc<AtomicBool>,
    /// Lets the `gate` and `poll` tools finish.
    pub gate: Gate,
}

/// Serves the test server under `settings`: tools `echo`, `count` (progress), `ask`
/// (elicits a number), `hang` (never finishes), `gate` (progress, then waits for the
/// gate) and `poll` (closes its stream, then waits for the gate).
pub async fn start(harness: &dyn Harness, settings: SessionSettings) -> HttpFixture {
    let started = Arc::new(AtomicBool::new(false));
    let dropped = Arc::new(AtomicBool::new(false));
    let gate = Gate::new();
    let (hang_started, hang_flag) = (Arc::clone(&started), Arc::clone(&dropped));
    let server = Server::builder(Implementation::new(SERVER_NAME, "1.0.0"))
        .tool(echo_tool())
        .tool(Tool::typed(
            "count",
            "Reports progress",
            |args: Steps, ctx: Context| async move {
                for step in 1..=args.steps {
                    ctx.progress(f64::from(step), Some(f64::from(args.steps)), None)
                        .await;
                }
                Ok::<_, ToolError>(CallToolResult::text("counted"))
            },
        ))
        .tool(Tool::typed(
            "ask",
            "Asks for a number",
            |_args: Nothing, ctx: Context| async move {
                let question: ElicitRequestParams = serde_json::from_value(json!({
                    "mode": "form",
                    "message": "Pick a number",
                    "requestedSchema": {"type": "object", "properties": {"n": {"type": "integer"}}}
                }))
                .map_err(|error| ToolError::failed(error.to_string()))?;
                let answer = ctx.elicit(question).await?;
                let n = serde_json::to_value(&answer.content).unwrap_or_default()["n"].clone();
                Ok::<_, ToolError>(CallToolResult::text(format!("picked {n}")))
            },
        ))
        .tool(Tool::typed(
            "hang",
            "Never finishes",
            move |_args: Nothing, _ctx: Context| {
                hang_started.store(true, Ordering::SeqCst);
                let flag = Flag(Arc::clone(&hang_flag));
                async move {
                    let _flag = flag;
                    std::future::pending::<()>().await;
                    Ok::<_, ToolError>(CallToolResult::text("never"))
                }
            },
        ))
        .tool(gated(
            "gate",
            "Reports progress, then waits to be let through",
            &gate,
            "through",
            |ctx| Box::pin(async move { ctx.progress(1.0, None, None).await }),
        ))
        .tool(gated(
            "poll",
            "Lets go of its connection, then waits to be let through",
            &gate,
            "polled",
            |ctx| Box::pin(async move { ctx.close_stream(Duration::from_millis(250)).await }),
        ))
        .build();
    let endpoint = HttpEndpoint::new(&server, harness.runtime()).with_session_settings(settings);
    let addr = harness.serve_http(endpoint).await.expect("bound");
    HttpFixture {
        addr,
        server,
        started,
        dropped,
        gate,
    }
}

/// A tool that does `first` with its context, then waits for `gate` and answers `answer`.
fn gated(
    name: &'static str,
    description: &'static str,
    gate: &Gate,
    answer: &'static str,
    first: fn(Context) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>>,
) -> Tool {
    let gate = gate.clone();
    Tool::typed(name, description, move |_args: Nothing, ctx: Context| {
        let gate = gate.clone();
        async move {
            first(ctx).await;
            gate.pass().await;
            Ok::<_, ToolError>(CallToolResult::text(answer))
        }
    })
}

/// Waits until `flag` is set.
pub async fn until(harness: &dyn Harness, flag: &AtomicBool) {
    while !flag.load(Ordering::SeqCst) {
        sleep(harness, Duration::from_millis(20)).await;
    }
}

/// Waits, within ten seconds, until `flag` is set: `what` names it if it never is.
pub async fn until_in_time(harness: &dyn Harness, what: &str, flag: &AtomicBool) {
    in_time(harness, Duration::from_secs(10), what, until(harness, flag)).await;
}

/// Runs `pending` (a request to the `hang` tool) until the handler has started and a
/// little longer.
pub async fn until_hanging<F: std::future::Future + Unpin>(
    harness: &dyn Harness,
    fixture: &HttpFixture,
    pending: &mut F,
) {
    let running = async {
        until_in_time(harness, "the handler starts", &fixture.started).await;
        sleep(harness, Duration::from_millis(200)).await;
    };
    crate::support::alongside(pending, "the hanging request", running).await;
}

/// A JSON-RPC request.
pub fn request(id: u32, method: &str, params: Value) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params})
}

/// A `tools/call` request.
pub fn call(id: u32, tool: &str, arguments: Value) -> Value {
    request(
        id,
        "tools/call",
        json!({"name": tool, "arguments": arguments}),
    )
}

/// A 2026-07-28 request: its version and capabilities in `_meta`.
pub fn modern(id: u32, method: &str, params: Value) -> Value {
    let mut params = params;
    params["_meta"] = json!({
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": {}
    });
    request(id, method, params)
}

/// The headers of a POST either era accepts the body and answer types of.
pub const POST_HEADERS: [(&str, &str); 2] = [
    ("content-type", "application/json"),
    ("accept", "application/json, text/event-stream"),
];

/// POSTs a 2026-07-28 message with its version header, its method header unless
/// `method_header` is false, and the name header when it names a tool.
pub async fn post_modern(
    harness: &dyn Harness,
    addr: SocketAddr,
    message: &Value,
    method_header: bool,
) -> Open {
    let method = message["method"].as_str().unwrap_or_default().to_owned();
    let name = message["params"]["name"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let mut headers = POST_HEADERS.to_vec();
    headers.push(("mcp-protocol-version", "2026-07-28"));
    if method_header {
        headers.push(("mcp-method", method.as_str()));
    }
    if !name.is_empty() {
        headers.push(("mcp-name", name.as_str()));
    }
    open(harness, addr, "POST", &headers, message).await
}

/// POSTs a 2025-11-25 message in `session` (none for `initialize`).
pub async fn post_legacy(
    harness: &dyn Harness,
    addr: SocketAddr,
    session: Option<&str>,
    message: &Value,
) -> Open {
    let mut headers = POST_HEADERS.to_vec();
    if let Some(session) = session {
        headers.push(("mcp-session-id", session));
        headers.push(("mcp-protocol-version", "2025-11-25"));
    }
    open(harness, addr, "POST", &headers, message).await
}

/// POSTs a `ping` with `id` in `session` and returns the answer's status.
pub async fn ping_status(harness: &dyn Harness, addr: SocketAddr, session: &str, id: u32) -> u16 {
    post_legacy(
        harness,
        addr,
        Some(session),
        &request(id, "ping", json!({})),
    )
    .await
    .status
}

/// POSTs `body` as is (not JSON-encoded) with `headers`.
pub async fn post_raw(
    harness: &dyn Harness,
    addr: SocketAddr,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Open {
    let response = send(harness, addr, "POST", "/mcp", headers, body.to_vec()).await;
    Open::new(harness, response)
}

/// The headers of a GET on `session`'s standalone stream.
pub fn get_headers(session: &str) -> [(&str, &str); 3] {
    [
        ("accept", "text/event-stream"),
        ("mcp-session-id", session),
        ("mcp-protocol-version", "2025-11-25"),
    ]
}

/// The status of the answer to a GET with `headers`.
pub async fn get_status(harness: &dyn Harness, addr: SocketAddr, headers: &[(&str, &str)]) -> u16 {
    open(harness, addr, "GET", headers, &Value::Null)
        .await
        .status
}

/// Resumes session `session`'s stream after event `last_event_id` with `GET`.
pub async fn resume(
    harness: &dyn Harness,
    addr: SocketAddr,
    session: &str,
    last_event_id: &str,
) -> Open {
    let mut headers = get_headers(session).to_vec();
    headers.push(("last-event-id", last_event_id));
    open(harness, addr, "GET", &headers, &Value::Null).await
}

/// A 2025-11-25 `initialize` request with `capabilities`.
pub fn initialize(id: u32, capabilities: Value) -> Value {
    request(
        id,
        "initialize",
        json!({"protocolVersion": "2025-11-25", "capabilities": capabilities,
               "clientInfo": {"name": "test", "version": "1"}}),
    )
}

/// Opens a session with the elicitation capability, checking the answer and that
/// `notifications/initialized` is accepted, and returns its id.
pub async fn open_session(harness: &dyn Harness, addr: SocketAddr) -> String {
    let initialize = initialize(0, json!({"elicitation": {}}));
    let reply = post_legacy(harness, addr, None, &initialize).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("content-type"), "application/json");
    let session = reply.header("mcp-session-id");
    assert!(
        session.len() >= 32,
        "an unguessable session id: {session:?}"
    );
    let body = reply.json().await;
    assert_eq!(body["result"]["protocolVersion"], "2025-11-25");
    assert_eq!(body["result"]["serverInfo"]["name"], SERVER_NAME);
    let initialized = json!({"jsonrpc": "2.0", "method": "notifications/initialized"});
    assert_eq!(
        post_legacy(harness, addr, Some(&session), &initialized)
            .await
            .status,
        202
    );
    session
}

/// Answers the elicitation `question` (from the `ask` tool) with 7, by POST in `session`,
/// which is accepted with 202.
pub async fn answer_seven(
    harness: &dyn Harness,
    addr: SocketAddr,
    session: &str,
    question: &Value,
) {
    assert_eq!(question["params"]["message"], "Pick a number");
    let answer = json!({"jsonrpc": "2.0", "id": question["id"],
        "result": {"action": "accept", "content": {"n": 7}}});
    assert_eq!(
        post_legacy(harness, addr, Some(session), &answer)
            .await
            .status,
        202
    );
}
