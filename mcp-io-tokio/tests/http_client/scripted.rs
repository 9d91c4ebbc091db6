//! The HTTP client loop against a scripted fake transport: every request it sends is
//! recorded and answered by the test's script, so the legacy session lifecycle (session
//! id echo, the GET stream, a server request answered by POST, DELETE on close), the
//! recovery from a 404, the resumption of a stream that ended early, the wait for the
//! standalone stream, SSE parsing, `x-mcp-header` learning, the retry after `-32022` and
//! the dropped POST of a timed-out modern request are checked deterministically.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use futures_util::stream;
use mcp_io_tokio::TokioRuntime;
use mcp_io_tokio::mcp_driver::client::http::{
    AnswerFuture, BodyChunks, HttpAnswer, HttpRequest, HttpTransport,
};
use mcp_io_tokio::mcp_driver::client::{self, Client, ClientError};
use mcp_io_tokio::mcp_proto::client::{ClientConfig, ClientMode, RequestOptions};
use mcp_io_tokio::mcp_proto::http::HttpMethod;
use mcp_io_tokio::mcp_proto::types::Implementation;
use serde_json::{Value, json};
use tokio::sync::mpsc;
use tokio::time::Instant;

use super::{call_request, config, handlers, text};

/// One request as the fake saw it.
#[derive(Clone, Debug)]
struct Seen {
    method: &'static str,
    headers: Vec<(String, String)>,
    body: Value,
    /// When the loop sent it.
    at: Instant,
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
    /// The head of `1` comes after the delay.
    After(Duration, Box<Reply>),
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
            at: Instant::now(),
        };
        self.seen
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(seen.clone());
        let (delay, reply) = match (self.script)(&seen) {
            Reply::After(delay, reply) => (delay, *reply),
            reply => (Duration::ZERO, reply),
        };
        let _ = self.announce.send(seen);
        Box::pin(async move {
            tokio::time::sleep(delay).await;
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
                Reply::After(..) => HttpAnswer::new(500, Vec::new(), chunks(Vec::new())),
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

/// A legacy server (session `s-1`) whose `tools/call` streams end early: `resumable`
/// gives its events ids and a 300 ms `retry` and is resumed by a `GET` with
/// `Last-Event-ID: call-1` (that stream stays open; `resumed_dropped` hears when the
/// client lets go of it); `refused` gives an id but refuses the `GET` with 404;
/// `anonymous` gives no id. The standalone `GET` (no `Last-Event-ID`) answers after
/// `listen_delay` with a stream that stays open.
fn resuming_script(listen_delay: Duration, resumed_dropped: mpsc::UnboundedSender<()>) -> Script {
    let pending: Mutex<Option<Value>> = Mutex::new(None);
    let open: Mutex<Vec<mpsc::UnboundedSender<Vec<u8>>>> = Mutex::new(Vec::new());
    Box::new(move |seen: &Seen| {
        let id = seen.body["id"].clone();
        let stream = |events: &[&[u8]], keep: bool| {
            let (sender, receiver) = mpsc::unbounded_channel();
            for event in events {
                let _ = sender.send(event.to_vec());
            }
            if keep {
                open.lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .push(sender);
            }
            Reply::Stream(receiver)
        };
        match (seen.method, seen.header("last-event-id")) {
            ("GET", None) => {
                return Reply::After(
                    listen_delay,
                    Box::new(stream(&[b"id: l-1\ndata:\n\n"], true)),
                );
            }
            ("GET", Some(_)) if seen.header("mcp-session-id") != Some("s-1") => {
                return Reply::Status(400);
            }
            ("GET", Some("call-1")) => {
                let Some(call) = pending
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .take()
                else {
                    return Reply::Status(400);
                };
                let done = json!({"jsonrpc": "2.0", "id": call, "result": {
                    "content": [{"type": "text", "text": "resumed"}]}});
                let (sender, receiver) = mpsc::unbounded_channel();
                let _ = sender.send(b"id: call-2\ndata:\n\n".to_vec());
                let _ = sender.send(event(&done));
                let dropped = resumed_dropped.clone();
                tokio::spawn(async move {
                    sender.closed().await;
                    let _ = dropped.send(());
                });
                return Reply::Stream(receiver);
            }
            ("GET", Some(_)) => return Reply::Status(404),
            ("DELETE", _) => return Reply::Status(200),
            _ => {}
        }
        match (seen.rpc_method(), seen.body["params"]["name"].as_str()) {
            ("initialize", _) => Reply::Json(
                200,
                vec![("Mcp-Session-Id", "s-1".into())],
                initialize_result(&id),
            ),
            ("tools/list", _) => Reply::Json(
                200,
                Vec::new(),
                json!({"jsonrpc": "2.0", "id": id, "result": {"tools": []}}),
            ),
            ("tools/call", Some("resumable")) => {
                *pending.lock().unwrap_or_else(PoisonError::into_inner) = Some(id);
                // The stream ends after the priming event and the retry time.
                stream(&[b"id: call-1\nretry: 300\ndata:\n\n"], false)
            }
            ("tools/call", Some("refused")) => {
                stream(&[b"id: call-9\nretry: 50\ndata:\n\n"], false)
            }
            ("tools/call", Some("anonymous")) => stream(&[b"data:\n\n"], false),
            _ => Reply::Status(202),
        }
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn legacy_stream_ended_early_is_resumed_after_its_retry_time() {
    let (dropped, mut was_dropped) = mpsc::unbounded_channel();
    let (fake, seen, _announced) = fake(resuming_script(Duration::ZERO, dropped));
    let client = connect(config(ClientMode::Legacy), fake).await;
    let result = tokio::time::timeout(
        Duration::from_secs(10),
        client.call_tool("resumable", json!({})),
    )
    .await
    .expect("in time")
    .expect("the resumed stream brings the result");
    assert_eq!(text(&result), ("resumed".into(), false));
    // The resumed stream, which the server keeps open, is let go once the result is in.
    tokio::time::timeout(Duration::from_secs(10), was_dropped.recv())
        .await
        .expect("the resumed stream is dropped");

    let all = seen_so_far(&seen);
    let call = all
        .iter()
        .find(|seen| seen.rpc_method() == "tools/call")
        .expect("the call");
    let resume = all
        .iter()
        .find(|seen| seen.header("last-event-id").is_some())
        .expect("a resuming GET");
    assert_eq!(resume.method, "GET");
    assert_eq!(resume.header("last-event-id"), Some("call-1"));
    assert_eq!(resume.header("mcp-session-id"), Some("s-1"));
    assert_eq!(resume.header("mcp-protocol-version"), Some("2025-11-25"));
    assert_eq!(resume.header("accept"), Some("text/event-stream"));
    let waited = resume.at.duration_since(call.at);
    assert!(
        waited >= Duration::from_millis(300) && waited < Duration::from_millis(2000),
        "the retry time is respected: {waited:?}"
    );
    assert_eq!(
        all.iter()
            .filter(|seen| seen.rpc_method() == "tools/call")
            .count(),
        1,
        "the call itself is not repeated"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn legacy_stream_that_cannot_be_resumed_fails_the_request() {
    let (dropped, _) = mpsc::unbounded_channel();
    let (fake, seen, _announced) = fake(resuming_script(Duration::ZERO, dropped));
    let client = connect(config(ClientMode::Legacy), fake).await;
    for (tool, reason) in [
        ("anonymous", "ended the answer before the response"),
        ("refused", "refused to resume it (HTTP status 404)"),
    ] {
        let outcome =
            tokio::time::timeout(Duration::from_secs(10), client.call_tool(tool, json!({})))
                .await
                .expect("in time");
        assert!(
            matches!(&outcome, Err(ClientError::Rpc(error))
                if error.code.0 == -32000 && error.message.contains(reason)),
            "{tool}: {outcome:?}"
        );
    }
    let resumes: Vec<_> = seen_so_far(&seen)
        .into_iter()
        .filter_map(|seen| seen.header("last-event-id").map(String::from))
        .collect();
    assert_eq!(
        resumes,
        ["call-9"],
        "only a stream with an event id is resumed"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn legacy_requests_wait_for_the_standalone_stream_for_a_while() {
    for (listen_delay, least, most) in [
        // The head comes: requests follow it.
        (Duration::from_millis(300), 300, 900),
        // It does not come: requests go after one second anyway.
        (Duration::from_secs(3), 1000, 2500),
    ] {
        let (dropped, _) = mpsc::unbounded_channel();
        let (fake, seen, _announced) = fake(resuming_script(listen_delay, dropped));
        let client = connect(config(ClientMode::Legacy), fake).await;
        client.list_tools().await.expect("tools/list");
        let all = seen_so_far(&seen);
        let get = all
            .iter()
            .find(|seen| seen.method == "GET")
            .expect("the GET");
        let list = all
            .iter()
            .find(|seen| seen.rpc_method() == "tools/list")
            .expect("tools/list");
        let waited = list.at.duration_since(get.at);
        assert!(
            waited >= Duration::from_millis(least) && waited < Duration::from_millis(most),
            "{listen_delay:?}: tools/list went {waited:?} after the GET"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn modern_request_refused_with_unsupported_version_is_sent_again() {
    let refusals = Mutex::new(1);
    let (fake, seen, _announced) = fake(Box::new(move |seen: &Seen| {
        let id = seen.body["id"].clone();
        let mut left = refusals.lock().unwrap_or_else(PoisonError::into_inner);
        if *left > 0 {
            *left -= 1;
            return Reply::Json(
                400,
                Vec::new(),
                json!({"jsonrpc": "2.0", "id": id, "error": {"code": -32022,
                    "message": "Unsupported protocol version",
                    "data": {"supported": ["2026-07-28"], "requested": "2026-07-28"}}}),
            );
        }
        Reply::Json(
            200,
            Vec::new(),
            json!({"jsonrpc": "2.0", "id": id, "result": {"resultType": "complete",
                "ttlMs": 0, "cacheScope": "private", "tools": []}}),
        )
    }));
    let pinned =
        ClientConfig::new(Implementation::new("scripted", "1")).with_mode(ClientMode::Pinned {
            version: mcp_io_tokio::mcp_proto::version::ProtocolVersion::V2026_07_28,
            discover: None,
        });
    let client = connect(pinned, fake).await;
    let tools = client
        .list_tools()
        .await
        .expect("tools/list, the second time");
    assert!(tools.tools.is_empty());
    let posts = seen_so_far(&seen);
    assert_eq!(posts.len(), 2);
    assert_ne!(posts[0].body["id"], posts[1].body["id"], "a new id");
    for post in &posts {
        assert_eq!(post.rpc_method(), "tools/list");
        assert_eq!(post.header("mcp-protocol-version"), Some("2026-07-28"));
        assert_eq!(
            post.body["params"]["_meta"]["io.modelcontextprotocol/protocolVersion"],
            "2026-07-28"
        );
    }
}
