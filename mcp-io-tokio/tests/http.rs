//! Streamable HTTP over real sockets: the status table, the header ladder, JSON versus
//! SSE, DNS-rebinding refusal, the body limit, and a client disconnect cancelling the
//! request.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::Request;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use mcp_io_tokio::http::HttpServer;
use mcp_io_tokio::mcp_driver::server::{Context, Server, Tool, ToolError};
use mcp_io_tokio::mcp_proto::types::{CallToolResult, Implementation};
use serde_json::{Value, json};

#[derive(serde::Deserialize, schemars::JsonSchema)]
struct Steps {
    steps: u32,
}

#[derive(serde::Deserialize, schemars::JsonSchema)]
struct Nothing {}

struct Flag(Arc<AtomicBool>);

impl Drop for Flag {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

async fn start(dropped: Arc<AtomicBool>) -> SocketAddr {
    let server = Server::builder(Implementation::new("http-test", "1.0.0"))
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
            "hang",
            "Never finishes",
            move |_args: Nothing, _ctx: Context| {
                let flag = Flag(Arc::clone(&dropped));
                async move {
                    let _flag = flag;
                    std::future::pending::<()>().await;
                    Ok::<_, ToolError>(CallToolResult::text("never"))
                }
            },
        ))
        .build();
    let http = HttpServer::bind(&server, "127.0.0.1:0".parse().expect("an address"))
        .await
        .expect("bound");
    let addr = http.local_addr().expect("an address");
    tokio::spawn(http.run());
    addr
}

fn modern(id: u32, method: &str, params: Value) -> Value {
    let mut params = params;
    params["_meta"] = json!({
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": {}
    });
    json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params})
}

struct Reply {
    status: u16,
    content_type: String,
    allow: String,
    body: String,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }
}

async fn send(addr: SocketAddr, method: &str, headers: &[(&str, &str)], body: Vec<u8>) -> Reply {
    let client = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
    let mut request = Request::builder()
        .method(method)
        .uri(format!("http://{addr}/mcp"));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let request = request
        .body(Full::new(Bytes::from(body)))
        .expect("a request");
    let response = client.request(request).await.expect("a response");
    let status = response.status().as_u16();
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    let (content_type, allow) = (header("content-type"), header("allow"));
    let body = response
        .into_body()
        .collect()
        .await
        .expect("a body")
        .to_bytes();
    Reply {
        status,
        content_type,
        allow,
        body: String::from_utf8_lossy(&body).into_owned(),
    }
}

async fn post(addr: SocketAddr, message: &Value, method_header: Option<&str>) -> Reply {
    let mut headers = vec![
        ("content-type", "application/json"),
        ("accept", "application/json, text/event-stream"),
        ("mcp-protocol-version", "2026-07-28"),
    ];
    if let Some(method) = method_header {
        headers.push(("mcp-method", method));
    }
    send(
        addr,
        "POST",
        &headers,
        serde_json::to_vec(message).expect("json"),
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_table_and_header_ladder() {
    let addr = start(Arc::new(AtomicBool::new(false))).await;

    let ok = post(
        addr,
        &modern(1, "tools/list", json!({})),
        Some("tools/list"),
    )
    .await;
    assert_eq!(
        (ok.status, ok.content_type.as_str()),
        (200, "application/json")
    );
    assert_eq!(ok.json()["result"]["resultType"], "complete");
    assert_eq!(
        ok.json()["result"]["tools"].as_array().map(Vec::len),
        Some(2)
    );

    let no_method = post(addr, &modern(2, "tools/list", json!({})), None).await;
    assert_eq!(
        (no_method.status, no_method.json()["error"]["code"].clone()),
        (400, json!(-32020))
    );
    assert_eq!(no_method.json()["id"], 2);

    let removed = post(addr, &modern(3, "ping", json!({})), Some("ping")).await;
    assert_eq!(
        (removed.status, removed.json()["error"]["code"].clone()),
        (404, json!(-32601))
    );

    let mut future = modern(4, "tools/list", json!({}));
    future["params"]["_meta"]["io.modelcontextprotocol/protocolVersion"] = json!("2099-01-01");
    let headers = [
        ("content-type", "application/json"),
        ("accept", "application/json, text/event-stream"),
        ("mcp-protocol-version", "2099-01-01"),
        ("mcp-method", "tools/list"),
    ];
    let unsupported = send(
        addr,
        "POST",
        &headers,
        serde_json::to_vec(&future).expect("json"),
    )
    .await;
    assert_eq!(
        (
            unsupported.status,
            unsupported.json()["error"]["code"].clone()
        ),
        (400, json!(-32022))
    );
    assert_eq!(
        unsupported.json()["error"]["data"]["supported"],
        json!(["2026-07-28"])
    );

    // A legacy initialize without a session id opens a session (the legacy status table
    // is tests/http_legacy.rs).
    let initialize = json!({"jsonrpc": "2.0", "id": 5, "method": "initialize", "params": {
        "protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "x", "version": "1"}}});
    let headers = [
        ("content-type", "application/json"),
        ("accept", "application/json, text/event-stream"),
    ];
    let legacy = send(
        addr,
        "POST",
        &headers,
        serde_json::to_vec(&initialize).expect("json"),
    )
    .await;
    assert_eq!(
        (
            legacy.status,
            legacy.json()["result"]["protocolVersion"].clone()
        ),
        (200, json!("2025-11-25"))
    );

    // GET and DELETE need a legacy session.
    let get = send(addr, "GET", &[("accept", "text/event-stream")], Vec::new()).await;
    assert_eq!((get.status, get.allow.as_str()), (405, "GET, POST, DELETE"));

    let wrong_type = send(
        addr,
        "POST",
        &[
            ("content-type", "text/plain"),
            ("accept", "application/json, text/event-stream"),
        ],
        b"{}".to_vec(),
    )
    .await;
    assert_eq!(wrong_type.status, 415);
    let wrong_accept = send(
        addr,
        "POST",
        &[
            ("content-type", "application/json"),
            ("accept", "text/html"),
        ],
        b"{}".to_vec(),
    )
    .await;
    assert_eq!(wrong_accept.status, 406);
    let garbage = send(addr, "POST", &headers, b"{not json".to_vec()).await;
    assert_eq!(
        (garbage.status, garbage.json()["error"]["code"].clone()),
        (400, json!(-32700))
    );

    // The declared length alone is refused, before any of the body is read.
    assert!(too_large_status(addr).await.starts_with("HTTP/1.1 413"));

    let notification = json!({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": 1,
        "_meta": {"io.modelcontextprotocol/protocolVersion": "2026-07-28"}}});
    let accepted = post(addr, &notification, Some("notifications/cancelled")).await;
    assert_eq!(accepted.status, 202);
}

/// The status line the server answers a POST declaring a 5 MB body with, sent over a raw
/// socket so the refusal can arrive while the body is still unsent.
async fn too_large_status(addr: SocketAddr) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut socket = tokio::net::TcpStream::connect(addr)
        .await
        .expect("connected");
    let head = format!(
        "POST /mcp HTTP/1.1\r\nhost: {addr}\r\ncontent-type: application/json\r\n\
         accept: application/json, text/event-stream\r\ncontent-length: 5000000\r\n\r\n"
    );
    socket.write_all(head.as_bytes()).await.expect("head sent");
    let mut response = vec![0; 256];
    let read = socket.read(&mut response).await.expect("a response");
    String::from_utf8_lossy(&response[..read]).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dns_rebinding_is_refused() {
    let addr = start(Arc::new(AtomicBool::new(false))).await;
    let body = serde_json::to_vec(&modern(1, "tools/list", json!({}))).expect("json");
    let base = [
        ("content-type", "application/json"),
        ("accept", "application/json, text/event-stream"),
        ("mcp-protocol-version", "2026-07-28"),
        ("mcp-method", "tools/list"),
    ];
    let mut evil_host = base.to_vec();
    evil_host.push(("host", "evil.example.com"));
    assert_eq!(
        send(addr, "POST", &evil_host, body.clone()).await.status,
        421
    );
    let mut evil_origin = base.to_vec();
    evil_origin.push(("origin", "http://evil.example.com"));
    assert_eq!(
        send(addr, "POST", &evil_origin, body.clone()).await.status,
        403
    );
    let mut local_origin = base.to_vec();
    local_origin.push(("origin", "http://localhost:3000"));
    assert_eq!(send(addr, "POST", &local_origin, body).await.status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn progress_streams_as_sse_ending_with_the_response() {
    let addr = start(Arc::new(AtomicBool::new(false))).await;
    let mut call = modern(
        7,
        "tools/call",
        json!({"name": "count", "arguments": {"steps": 3}}),
    );
    call["params"]["_meta"]["progressToken"] = json!("p");
    let mut headers = vec![
        ("content-type", "application/json"),
        ("accept", "application/json, text/event-stream"),
        ("mcp-protocol-version", "2026-07-28"),
        ("mcp-method", "tools/call"),
        ("mcp-name", "count"),
    ];
    let reply = send(
        addr,
        "POST",
        &headers,
        serde_json::to_vec(&call).expect("json"),
    )
    .await;
    assert_eq!(
        (reply.status, reply.content_type.as_str()),
        (200, "text/event-stream")
    );
    let events: Vec<Value> = reply
        .body
        .lines()
        .filter_map(|line| line.strip_prefix("data: "))
        .map(|data| serde_json::from_str(data).expect("json events"))
        .collect();
    assert_eq!(events.len(), 4, "{}", reply.body);
    assert!(
        events[..3]
            .iter()
            .all(|event| event["method"] == "notifications/progress")
    );
    assert_eq!(events[3]["id"], 7);
    assert_eq!(events[3]["result"]["content"][0]["text"], "counted");
    // Without a progress token nothing streams: one JSON body.
    let plain = modern(
        8,
        "tools/call",
        json!({"name": "count", "arguments": {"steps": 3}}),
    );
    headers.retain(|(name, _)| *name != "mcp-name");
    headers.push(("mcp-name", "count"));
    let reply = send(
        addr,
        "POST",
        &headers,
        serde_json::to_vec(&plain).expect("json"),
    )
    .await;
    assert_eq!(
        (reply.status, reply.content_type.as_str()),
        (200, "application/json")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_disconnect_cancels_the_request() {
    let dropped = Arc::new(AtomicBool::new(false));
    let addr = start(Arc::clone(&dropped)).await;
    let mut call = modern(9, "tools/call", json!({"name": "hang", "arguments": {}}));
    // A progress token makes the exchange stream (its first event is not the response),
    // so the response starts and the client can walk away from it.
    call["params"]["_meta"]["progressToken"] = json!(1);
    let headers = [
        ("content-type", "application/json"),
        ("accept", "application/json, text/event-stream"),
        ("mcp-protocol-version", "2026-07-28"),
        ("mcp-method", "tools/call"),
        ("mcp-name", "hang"),
    ];
    let body = serde_json::to_vec(&call).expect("json");
    let pending = tokio::spawn(async move { send(addr, "POST", &headers, body).await });
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(!dropped.load(Ordering::SeqCst), "the handler is running");
    pending.abort();
    for _ in 0..50 {
        if dropped.load(Ordering::SeqCst) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the handler's future was not dropped after the client went away");
}
