//! The HTTP client loop against a scripted fake transport: every request it sends is
//! recorded and answered by the test's script, so the legacy session lifecycle (session
//! id echo, the GET stream, a server request answered by POST, DELETE on close), the
//! recovery from a 404, SSE parsing, `x-mcp-header` learning and the dropped POST of a
//! timed-out modern request are checked deterministically.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use futures_util::stream;
use mcp_io_tokio::TokioRuntime;
use mcp_io_tokio::mcp_proto::client::{ClientConfig, ClientMode, RequestOptions};
use mcp_io_tokio::mcp_proto::driver::client::http::{
    AnswerFuture, BodyChunks, HttpAnswer, HttpRequest, HttpTransport,
};
use mcp_io_tokio::mcp_proto::driver::client::{self, Client, ClientError};
use mcp_io_tokio::mcp_proto::http::HttpMethod;
use mcp_io_tokio::mcp_proto::types::Implementation;
use serde_json::{Value, json};
use tokio::sync::mpsc;

use super::{call_request, config, handlers, text};

/// One request as the fake saw it.
#[derive(Clone, Debug)]
struct Seen {
    method: &'static str,
    headers: Vec<(String, String)>,
    body: Value,
}

impl Seen {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(field, _)| field.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    fn rpc_method(&self) -> &str {
        self.body["method"].as_str().unwrap_or_default()
    }

    /// `(HTTP method, JSON-RPC method, Mcp-Session-Id)`: what the session tests compare.
    fn summary(&self) -> (&'static str, String, Option<String>) {
        (
            self.method,
            self.rpc_method().to_string(),
            self.header("mcp-session-id").map(String::from),
        )
    }
}

/// How the script answers.
enum Reply {
    Json(u16, Vec<(&'static str, String)>, Value),
    /// An SSE stream whose chunks the script sends later.
    Stream(mpsc::UnboundedReceiver<Vec<u8>>),
    Status(u16),
}

type Script = Box<dyn Fn(&Seen) -> Reply + Send + Sync>;

struct Fake {
    seen: Arc<Mutex<Vec<Seen>>>,
    announce: mpsc::UnboundedSender<Seen>,
    script: Script,
}

impl HttpTransport for Fake {
    fn send(&self, request: HttpRequest) -> AnswerFuture {
        let method = match request.method {
            HttpMethod::Get => "GET",
            HttpMethod::Delete => "DELETE",
            _ => "POST",
        };
        let seen = Seen {
            method,
            headers: request.headers.clone(),
            body: serde_json::from_slice(&request.body).unwrap_or(Value::Null),
        };
        self.seen
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(seen.clone());
        let reply = (self.script)(&seen);
        let _ = self.announce.send(seen);
        Box::pin(async move {
            Ok(match reply {
                Reply::Json(status, headers, body) => {
                    let mut headers: Vec<(String, Vec<u8>)> = headers
                        .into_iter()
                        .map(|(name, value)| (name.to_string(), value.into_bytes()))
                        .collect();
                    headers.push(("Content-Type".into(), b"application/json".to_vec()));
                    let body = serde_json::to_vec(&body).unwrap_or_default();
                    HttpAnswer::new(status, headers, chunks(vec![body]))
                }
                Reply::Stream(receiver) => {
                    let headers = vec![("content-type".into(), b"text/event-stream".to_vec())];
                    let body = stream::unfold(receiver, |mut receiver| async move {
                        receiver.recv().await.map(|chunk| (Ok(chunk), receiver))
                    });
                    HttpAnswer::new(200, headers, Box::pin(body))
                }
                Reply::Status(status) => HttpAnswer::new(status, Vec::new(), chunks(Vec::new())),
            })
        })
    }
}

fn chunks(parts: Vec<Vec<u8>>) -> BodyChunks {
    Box::pin(stream::iter(parts.into_iter().map(Ok)))
}

/// A fake answering with `script`; returns what it saw so far and a feed of each request.
fn fake(
    script: Script,
) -> (
    Arc<Fake>,
    Arc<Mutex<Vec<Seen>>>,
    mpsc::UnboundedReceiver<Seen>,
) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let (announce, announced) = mpsc::unbounded_channel();
    let fake = Arc::new(Fake {
        seen: Arc::clone(&seen),
        announce,
        script,
    });
    (fake, seen, announced)
}

fn seen_so_far(seen: &Mutex<Vec<Seen>>) -> Vec<Seen> {
    seen.lock().unwrap_or_else(PoisonError::into_inner).clone()
}

async fn connect(config: ClientConfig, fake: Arc<Fake>) -> Client {
    tokio::time::timeout(
        Duration::from_secs(10),
        client::connect_http(config, handlers(), TokioRuntime::shared(), fake),
    )
    .await
    .expect("connected in time")
    .expect("connected")
}

/// Waits until the fake sees a request for which `wanted` holds.
async fn wait_for(
    announced: &mut mpsc::UnboundedReceiver<Seen>,
    wanted: impl Fn(&Seen) -> bool,
) -> Seen {
    tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            let seen = announced.recv().await.expect("the fake is alive");
            if wanted(&seen) {
                return seen;
            }
        }
    })
    .await
    .expect("the request comes in time")
}

fn initialize_result(id: &Value) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "result": {
        "protocolVersion": "2025-11-25",
        "capabilities": {"tools": {}},
        "serverInfo": {"name": "fake-legacy", "version": "1"}
    }})
}

fn event(message: &Value) -> Vec<u8> {
    format!("event: message\ndata: {message}\n\n").into_bytes()
}

/// A legacy server whose sessions are `s-1`, `s-2`, …: `tools/list` on a session listed
/// in `expired` answers 404 like the reference SDK; `tools/call` streams an elicitation
/// request, and the tool's result follows the client's POSTed answer.
fn legacy_script(expired: &'static [&'static str]) -> Script {
    let sessions = Mutex::new(0);
    let open_call: Mutex<Option<(Value, mpsc::UnboundedSender<Vec<u8>>)>> = Mutex::new(None);
    Box::new(move |seen: &Seen| {
        let id = seen.body["id"].clone();
        let session = seen.header("mcp-session-id");
        if seen.method == "GET" {
            return Reply::Status(405);
        }
        if seen.method == "DELETE" {
            return Reply::Status(200);
        }
        if session.is_some_and(|session| expired.contains(&session)) {
            return Reply::Json(
                404,
                Vec::new(),
                json!({"jsonrpc": "2.0", "id": null, "error": {"code": -32600, "message": "Session not found"}}),
            );
        }
        match seen.rpc_method() {
            "initialize" => {
                let mut count = sessions.lock().unwrap_or_else(PoisonError::into_inner);
                *count += 1;
                Reply::Json(
                    200,
                    vec![("Mcp-Session-Id", format!("s-{count}"))],
                    initialize_result(&id),
                )
            }
            "tools/list" => Reply::Json(
                200,
                Vec::new(),
                json!({"jsonrpc": "2.0", "id": id, "result": {"tools": []}}),
            ),
            "tools/call" => {
                let (sender, receiver) = mpsc::unbounded_channel();
                let question = json!({"jsonrpc": "2.0", "id": "e-1", "method": "elicitation/create", "params": {
                    "mode": "form", "message": "How many copies?",
                    "requestedSchema": {"type": "object", "properties": {"copies": {"type": "integer"}}}}});
                let _ = sender.send(b"id: 1\ndata:\n\n".to_vec());
                let _ = sender.send(event(&question));
                *open_call.lock().unwrap_or_else(PoisonError::into_inner) = Some((id, sender));
                Reply::Stream(receiver)
            }
            // The answer to the elicitation: the tool finishes on its stream.
            "" if seen.body["id"] == "e-1" => {
                let copies = seen.body["result"]["content"]["copies"].clone();
                if let Some((call, sender)) = open_call
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .take()
                {
                    let done = json!({"jsonrpc": "2.0", "id": call, "result": {
                        "content": [{"type": "text", "text": format!("Reserved {copies} copies")}]}});
                    let _ = sender.send(event(&done));
                }
                Reply::Status(202)
            }
            _ => Reply::Status(202),
        }
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn legacy_session_lifecycle() {
    let (fake, seen, mut announced) = fake(legacy_script(&[]));
    let client = connect(config(ClientMode::Legacy), fake).await;
    assert_eq!(
        client.server_info().map(|info| info.name),
        Some("fake-legacy".into())
    );
    let reserved = client
        .call_tool("reserve", json!({"title": "Dune"}))
        .await
        .expect("reserve");
    assert_eq!(text(&reserved), ("Reserved 2 copies".into(), false));
    wait_for(&mut announced, |seen| seen.method == "GET").await;
    drop(client);
    let delete = wait_for(&mut announced, |seen| seen.method == "DELETE").await;
    assert_eq!(delete.header("mcp-session-id"), Some("s-1"));
    assert_eq!(delete.header("mcp-protocol-version"), Some("2025-11-25"));

    let all = seen_so_far(&seen);
    let initialize = &all[0];
    assert_eq!(initialize.rpc_method(), "initialize");
    assert_eq!(initialize.header("mcp-session-id"), None);
    assert_eq!(initialize.header("mcp-protocol-version"), None);
    // Everything after initialize carries the session and the negotiated version.
    for later in &all[1..] {
        assert_eq!(later.header("mcp-session-id"), Some("s-1"), "{later:?}");
        assert_eq!(
            later.header("mcp-protocol-version"),
            Some("2025-11-25"),
            "{later:?}"
        );
    }
    let posts: Vec<_> = all
        .iter()
        .filter(|seen| seen.method == "POST")
        .map(|seen| (seen.rpc_method().to_string(), seen.body["id"].clone()))
        .collect();
    assert_eq!(posts[1], ("notifications/initialized".into(), Value::Null));
    assert_eq!(posts[2].0, "tools/call");
    assert_eq!(
        posts[3],
        (String::new(), json!("e-1")),
        "the elicitation answer is POSTed"
    );
    let get = all.iter().find(|seen| seen.method == "GET").expect("a GET");
    assert_eq!(get.header("accept"), Some("text/event-stream"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn legacy_404_opens_a_new_session_and_retries_once() {
    let (fake, seen, _announced) = fake(legacy_script(&["s-1"]));
    let client = connect(config(ClientMode::Legacy), fake).await;
    let tools = client
        .list_tools()
        .await
        .expect("retried on the new session");
    assert!(tools.tools.is_empty());
    let posts: Vec<_> = seen_so_far(&seen)
        .iter()
        .filter(|seen| seen.method == "POST")
        .map(Seen::summary)
        .collect();
    let post = |method: &str, session: Option<&str>| {
        ("POST", method.to_string(), session.map(String::from))
    };
    assert_eq!(
        posts,
        [
            post("initialize", None),
            post("notifications/initialized", Some("s-1")),
            post("tools/list", Some("s-1")),
            post("initialize", None),
            post("notifications/initialized", Some("s-2")),
            post("tools/list", Some("s-2")),
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn legacy_404_twice_fails_the_request() {
    let (fake, _seen, _announced) = fake(legacy_script(&["s-1", "s-2"]));
    let client = connect(config(ClientMode::Legacy), fake).await;
    let outcome = client.list_tools().await;
    assert!(
        matches!(&outcome, Err(ClientError::Rpc(error)) if error.code.0 == -32000),
        "{outcome:?}"
    );
}

/// A modern server: `tools/list` offers `regional` (its `region` argument annotated) and
/// `broken` (an invalid annotation); `regional` streams progress, a comment and a
/// multi-line event before its result; `slow` streams nothing and reports on `dropped`
/// when the client lets go of its stream.
fn modern_script(dropped: mpsc::UnboundedSender<()>) -> Script {
    Box::new(move |seen: &Seen| {
        let id = seen.body["id"].clone();
        let result = |result: Value| {
            Reply::Json(
                200,
                Vec::new(),
                json!({"jsonrpc": "2.0", "id": id, "result": result}),
            )
        };
        match (seen.rpc_method(), seen.body["params"]["name"].as_str()) {
            ("server/discover", _) => result(json!({
                "resultType": "complete", "supportedVersions": ["2026-07-28"],
                "capabilities": {"tools": {}}, "ttlMs": 0, "cacheScope": "public",
                "_meta": {"io.modelcontextprotocol/serverInfo": {"name": "fake-modern", "version": "1"}}})),
            ("tools/list", _) => result(
                json!({"resultType": "complete", "ttlMs": 0, "cacheScope": "public", "tools": [
                {"name": "regional", "inputSchema": {"type": "object", "properties": {
                    "region": {"type": "string", "x-mcp-header": "Region"}}}},
                {"name": "broken", "inputSchema": {"type": "object", "properties": {
                    "region": {"type": "string", "x-mcp-header": "has space"}}}}]}),
            ),
            ("tools/call", Some("regional")) => {
                let (sender, receiver) = mpsc::unbounded_channel();
                let progress = json!({"jsonrpc": "2.0", "method": "notifications/progress",
                    "params": {"progressToken": 99, "progress": 1}});
                let _ = sender.send(b": keep-alive\n\n".to_vec());
                let _ = sender.send(event(&progress));
                // One message over two data lines, split across chunks.
                let done = format!(
                    "data: {{\"jsonrpc\":\"2.0\",\"id\":{id},\ndata: \"result\":{{\"resultType\":\"complete\",\"content\":[{{\"type\":\"text\",\"text\":\"in {}\"}}]}}}}\n\n",
                    seen.header("mcp-param-region").unwrap_or("nowhere")
                );
                let (first, second) = done.split_at(20);
                let _ = sender.send(first.as_bytes().to_vec());
                let _ = sender.send(second.as_bytes().to_vec());
                Reply::Stream(receiver)
            }
            ("tools/call", Some("slow")) => {
                let (sender, receiver) = mpsc::unbounded_channel::<Vec<u8>>();
                let dropped = dropped.clone();
                tokio::spawn(async move {
                    sender.closed().await;
                    let _ = dropped.send(());
                });
                Reply::Stream(receiver)
            }
            _ => Reply::Status(202),
        }
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn modern_streams_headers_and_dropped_posts() {
    let (dropped, mut was_dropped) = mpsc::unbounded_channel();
    let (fake, seen, _announced) = fake(modern_script(dropped));
    let config = ClientConfig::new(Implementation::new("scripted", "1"));
    let client = connect(config, fake).await;
    assert_eq!(
        client.server_info().map(|info| info.name),
        Some("fake-modern".into())
    );
    let tools = client.list_tools().await.expect("tools/list");
    let names: Vec<_> = tools.tools.iter().map(|tool| tool.name.as_str()).collect();
    assert_eq!(
        names,
        ["regional"],
        "the tool with an invalid annotation is dropped"
    );
    let result = client
        .call_tool("regional", json!({"region": "eu-west"}))
        .await
        .expect("regional");
    assert_eq!(text(&result), ("in eu-west".into(), false));

    let options = RequestOptions::new().with_timeout(Duration::from_millis(200));
    let outcome = client.request(call_request("slow"), options).await;
    assert_eq!(outcome, Err(ClientError::TimedOut));
    tokio::time::timeout(Duration::from_secs(10), was_dropped.recv())
        .await
        .expect("the POST is dropped in time");

    let all = seen_so_far(&seen);
    let call = all
        .iter()
        .find(|seen| seen.body["params"]["name"] == "regional")
        .expect("the call");
    assert_eq!(call.header("mcp-param-region"), Some("eu-west"));
    assert_eq!(call.header("mcp-name"), Some("regional"));
    assert_eq!(call.header("mcp-protocol-version"), Some("2026-07-28"));
    assert!(
        all.iter()
            .all(|seen| seen.rpc_method() != "notifications/cancelled"),
        "a modern client cancels by dropping the POST, not by notification"
    );
}
