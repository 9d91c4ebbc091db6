//! Streamable HTTP over real sockets on smol, both eras on one endpoint: 2026-07-28
//! requests (JSON and SSE answers, the header ladder) and a 2025-11-25 session
//! (initialize, `notifications/initialized`, calls with the returned `Mcp-Session-Id`,
//! elicitation pushed on the POST stream, DELETE).

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::Request;
use hyper::body::Incoming;
use mcp_io_smol::SmolRuntime;
use mcp_io_smol::http::HttpServer;
use mcp_io_smol::mcp_driver::Runtime;
use mcp_io_smol::mcp_driver::http::HttpEndpoint;
use mcp_io_smol::mcp_driver::server::{Context, Server, Tool, ToolError};
use mcp_io_smol::mcp_proto::types::{CallToolResult, ElicitRequestParams, Implementation};
use serde_json::{Value, json};
use smol_hyper::rt::FuturesIo;

#[derive(serde::Deserialize, schemars::JsonSchema)]
struct Echo {
    text: String,
}

#[derive(serde::Deserialize, schemars::JsonSchema)]
struct Steps {
    steps: u32,
}

#[derive(serde::Deserialize, schemars::JsonSchema)]
struct Nothing {}

/// A server on a loopback port whose tasks (accepting, connections, exchanges, sessions)
/// all run on `runtime`.
async fn start(runtime: SmolRuntime) -> SocketAddr {
    let server = Server::builder(Implementation::new("smol-http-test", "1.0.0"))
        .tool(Tool::typed(
            "echo",
            "Echoes",
            |args: Echo, _ctx: Context| async move {
                Ok::<_, ToolError>(CallToolResult::text(args.text))
            },
        ))
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
        .build();
    let endpoint = HttpEndpoint::new(&server, runtime.clone().into_shared());
    let http = HttpServer::bind_endpoint(endpoint, "127.0.0.1:0".parse().expect("an address"))
        .await
        .expect("bound")
        .with_runtime(runtime.clone());
    let addr = http.local_addr().expect("an address");
    runtime.spawn(Box::pin(async move {
        let _ = http.run().await;
    }));
    addr
}

/// `future`, or a panic once `seconds` have passed.
async fn within<T>(seconds: u64, future: impl Future<Output = T>) -> T {
    smol::future::or(future, async move {
        smol::Timer::after(Duration::from_secs(seconds)).await;
        panic!("not done within {seconds} s")
    })
    .await
}

/// A response whose body is read on demand.
struct Open {
    status: u16,
    headers: hyper::HeaderMap,
    body: Incoming,
    buffer: String,
}

impl Open {
    fn header(&self, name: &str) -> String {
        self.headers
            .get(name)
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default()
            .to_string()
    }

    /// The `data` of the next SSE event that has some; `None` when the body ends first.
    async fn next_event(&mut self) -> Option<Value> {
        loop {
            while let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let data = block.lines().find_map(|line| line.strip_prefix("data:"));
                match data.map(str::trim) {
                    Some(data) if !data.is_empty() => {
                        return Some(serde_json::from_str(data).expect("json data"));
                    }
                    // The priming event and keep-alive comments carry none.
                    _ => continue,
                }
            }
            let frame = within(5, self.body.frame()).await?.ok()?;
            if let Ok(data) = frame.into_data() {
                self.buffer.push_str(&String::from_utf8_lossy(&data));
            }
        }
    }

    async fn json(mut self) -> Value {
        while let Some(Ok(frame)) = within(5, self.body.frame()).await {
            if let Ok(data) = frame.into_data() {
                self.buffer.push_str(&String::from_utf8_lossy(&data));
            }
        }
        serde_json::from_str(&self.buffer).unwrap_or(Value::Null)
    }
}

/// Sends one request on a fresh connection with hyper's client, driven on smol.
async fn send(addr: SocketAddr, method: &str, headers: &[(&str, &str)], body: &Value) -> Open {
    let stream = smol::net::TcpStream::connect(addr)
        .await
        .expect("connected");
    let (mut sender, connection) = hyper::client::conn::http1::handshake(FuturesIo::new(stream))
        .await
        .expect("a handshake");
    smol::spawn(connection).detach();
    let mut request = Request::builder()
        .method(method)
        .uri("/mcp")
        .header("host", addr.to_string());
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let bytes = if body.is_null() {
        Vec::new()
    } else {
        serde_json::to_vec(body).expect("json")
    };
    let request = request
        .body(Full::new(Bytes::from(bytes)))
        .expect("a request");
    let response = within(5, sender.send_request(request))
        .await
        .expect("a response");
    let (parts, body) = response.into_parts();
    Open {
        status: parts.status.as_u16(),
        headers: parts.headers,
        body,
        buffer: String::new(),
    }
}

/// A 2026-07-28 request: its version and capabilities in `_meta`.
fn modern(id: u32, method: &str, params: Value) -> Value {
    let mut params = params;
    params["_meta"] = json!({
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientInfo": {"name": "smol-test", "version": "1"},
        "io.modelcontextprotocol/clientCapabilities": {}
    });
    json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params})
}

/// POSTs a 2026-07-28 message with its version, method and (for tools/call) name headers.
async fn post_modern(addr: SocketAddr, message: &Value) -> Open {
    let method = message["method"].as_str().unwrap_or_default().to_string();
    let name = message["params"]["name"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let mut headers = vec![
        ("content-type", "application/json"),
        ("accept", "application/json, text/event-stream"),
        ("mcp-protocol-version", "2026-07-28"),
        ("mcp-method", method.as_str()),
    ];
    if !name.is_empty() {
        headers.push(("mcp-name", name.as_str()));
    }
    send(addr, "POST", &headers, message).await
}

/// POSTs a 2025-11-25 message in `session` (none for `initialize`).
async fn post_legacy(addr: SocketAddr, session: Option<&str>, message: &Value) -> Open {
    let mut headers = vec![
        ("content-type", "application/json"),
        ("accept", "application/json, text/event-stream"),
    ];
    if let Some(session) = session {
        headers.push(("mcp-session-id", session));
        headers.push(("mcp-protocol-version", "2025-11-25"));
    }
    send(addr, "POST", &headers, message).await
}

fn request(id: u32, method: &str, params: Value) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params})
}

fn call(id: u32, tool: &str, arguments: Value) -> Value {
    request(
        id,
        "tools/call",
        json!({"name": tool, "arguments": arguments}),
    )
}

#[test]
fn modern_requests_answer_as_json_or_sse() {
    smol::block_on(async {
        let addr = start(SmolRuntime::default()).await;

        let listed = post_modern(addr, &modern(1, "tools/list", json!({}))).await;
        assert_eq!(listed.status, 200);
        assert_eq!(listed.header("content-type"), "application/json");
        let listed = listed.json().await;
        assert_eq!(listed["id"], 1);
        assert_eq!(listed["result"]["resultType"], "complete");
        assert_eq!(listed["result"]["tools"].as_array().map(Vec::len), Some(3));

        let echo = modern(
            2,
            "tools/call",
            json!({"name": "echo", "arguments": {"text": "hi"}}),
        );
        let echoed = post_modern(addr, &echo).await;
        assert_eq!(echoed.status, 200);
        assert_eq!(echoed.json().await["result"]["content"][0]["text"], "hi");

        // Without the Mcp-Method header: 400 with -32020, the request's id kept.
        let headers = [
            ("content-type", "application/json"),
            ("accept", "application/json, text/event-stream"),
            ("mcp-protocol-version", "2026-07-28"),
        ];
        let bare = send(addr, "POST", &headers, &modern(3, "tools/list", json!({}))).await;
        assert_eq!(bare.status, 400);
        let bare = bare.json().await;
        assert_eq!(
            (bare["id"].clone(), bare["error"]["code"].clone()),
            (json!(3), json!(-32020))
        );

        // A progress token makes the answer an SSE stream that ends with the response.
        let mut count = modern(
            4,
            "tools/call",
            json!({"name": "count", "arguments": {"steps": 3}}),
        );
        count["params"]["_meta"]["progressToken"] = json!("p");
        let mut stream = post_modern(addr, &count).await;
        assert_eq!(stream.status, 200);
        assert_eq!(stream.header("content-type"), "text/event-stream");
        for step in 1..=3 {
            let event = stream.next_event().await.expect("a progress event");
            assert_eq!(event["method"], "notifications/progress");
            assert_eq!(event["params"]["progress"], step);
        }
        let response = stream.next_event().await.expect("the response");
        assert_eq!(response["id"], 4);
        assert_eq!(response["result"]["content"][0]["text"], "counted");
        assert!(stream.next_event().await.is_none(), "the stream ends");
    });
}

#[test]
fn a_legacy_session_opens_calls_elicits_and_ends() {
    smol::block_on(async {
        let addr = start(SmolRuntime::default()).await;
        let initialize = request(
            0,
            "initialize",
            json!({"protocolVersion": "2025-11-25", "capabilities": {"elicitation": {}},
                   "clientInfo": {"name": "smol-test", "version": "1"}}),
        );
        let opened = post_legacy(addr, None, &initialize).await;
        assert_eq!(opened.status, 200);
        assert_eq!(opened.header("content-type"), "application/json");
        let session = opened.header("mcp-session-id");
        assert!(
            session.len() >= 32,
            "an unguessable session id: {session:?}"
        );
        let opened = opened.json().await;
        assert_eq!(opened["result"]["protocolVersion"], "2025-11-25");
        assert_eq!(opened["result"]["serverInfo"]["name"], "smol-http-test");

        let initialized = json!({"jsonrpc": "2.0", "method": "notifications/initialized"});
        let accepted = post_legacy(addr, Some(&session), &initialized).await;
        assert_eq!(accepted.status, 202);

        let echoed = post_legacy(
            addr,
            Some(&session),
            &call(1, "echo", json!({"text": "hi"})),
        )
        .await;
        assert_eq!(echoed.status, 200);
        assert_eq!(echoed.header("content-type"), "application/json");
        let echoed = echoed.json().await;
        assert_eq!(echoed["id"], 1);
        assert_eq!(echoed["result"]["content"][0]["text"], "hi");
        assert!(
            echoed["result"].get("resultType").is_none(),
            "legacy results carry none"
        );

        // Elicitation goes out on the POST's SSE stream; the answer is POSTed back.
        let mut asking = post_legacy(addr, Some(&session), &call(2, "ask", json!({}))).await;
        assert_eq!(asking.header("content-type"), "text/event-stream");
        let question = asking.next_event().await.expect("the question");
        assert_eq!(question["method"], "elicitation/create");
        assert_eq!(question["params"]["message"], "Pick a number");
        let answer = json!({"jsonrpc": "2.0", "id": question["id"],
            "result": {"action": "accept", "content": {"n": 7}}});
        assert_eq!(post_legacy(addr, Some(&session), &answer).await.status, 202);
        let response = asking.next_event().await.expect("the tool's response");
        assert_eq!(response["id"], 2);
        assert_eq!(response["result"]["content"][0]["text"], "picked 7");

        // An unknown session is 404; DELETE ends this one.
        let unknown = post_legacy(
            addr,
            Some("no-such-session"),
            &request(3, "ping", json!({})),
        )
        .await;
        assert_eq!(unknown.status, 404);
        let ended = send(
            addr,
            "DELETE",
            &[("mcp-session-id", session.as_str())],
            &Value::Null,
        )
        .await;
        assert_eq!(ended.status, 200);
        let after = post_legacy(addr, Some(&session), &request(4, "ping", json!({}))).await;
        assert_eq!(after.status, 404);
    });
}

#[test]
fn the_server_runs_on_an_executor_the_application_runs() {
    let executor = Arc::new(smol::Executor::new());
    let runtime = SmolRuntime::with_executor(Arc::clone(&executor));
    smol::block_on(executor.run(async {
        let addr = start(runtime).await;
        let mut count = modern(
            1,
            "tools/call",
            json!({"name": "count", "arguments": {"steps": 2}}),
        );
        count["params"]["_meta"]["progressToken"] = json!("p");
        let mut stream = post_modern(addr, &count).await;
        assert_eq!(stream.header("content-type"), "text/event-stream");
        let mut events = 0;
        while stream.next_event().await.is_some() {
            events += 1;
        }
        assert_eq!(events, 3, "two progress events and the response");
    }));
}
