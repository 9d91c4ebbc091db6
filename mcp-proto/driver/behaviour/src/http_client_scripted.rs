//! The HTTP client loop against a scripted fake transport, run on the harness's runtime:
//! every request it sends is recorded and answered by the scenario's script, so the
//! legacy session lifecycle (session id echo, the GET stream, a server request answered
//! by POST, DELETE on close), the recovery from a 404, the resumption of a stream that
//! ended early, the wait for the standalone stream, SSE parsing, `x-mcp-header`
//! learning, the retry after `-32022` and the dropped POST of a timed-out modern request
//! are checked deterministically.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use futures_channel::mpsc;
use futures_util::{StreamExt, stream};
use mcp_driver::Runtime;
use mcp_driver::client::http::{AnswerFuture, BodyChunks, HttpAnswer, HttpRequest, HttpTransport};
use mcp_driver::client::{self, Client, ClientError};
use mcp_proto::client::{ClientConfig, ClientMode, RequestOptions};
use mcp_proto::http::HttpMethod;
use mcp_proto::types::Implementation;
use mcp_proto::version::ProtocolVersion;
use serde_json::{Value, json};

use crate::harness::Harness;
use crate::http_client::{call_request, config, handlers, text};
use crate::support::in_time;

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

/// Keeps a stream open and reports on `dropped` when the client lets go of it (the
/// stream's body holds it).
struct Watch {
    _open: mpsc::UnboundedSender<Vec<u8>>,
    dropped: mpsc::UnboundedSender<()>,
}

impl Drop for Watch {
    fn drop(&mut self) {
        let _ = self.dropped.unbounded_send(());
    }
}

/// How the script answers.
enum Reply {
    Json(u16, Vec<(&'static str, String)>, Value),
    /// An SSE stream whose chunks the script sends later, watched or not.
    Stream(mpsc::UnboundedReceiver<Vec<u8>>, Option<Watch>),
    Status(u16),
    /// The head of `1` comes after the delay.
    After(Duration, Box<Reply>),
}

type Script = Box<dyn Fn(&Seen) -> Reply + Send + Sync>;

struct Fake {
    runtime: Arc<dyn Runtime>,
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
            at: self.runtime.now(),
        };
        self.seen
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(seen.clone());
        let (delay, reply) = match (self.script)(&seen) {
            Reply::After(delay, reply) => (delay, *reply),
            reply => (Duration::ZERO, reply),
        };
        let _ = self.announce.unbounded_send(seen);
        let runtime = Arc::clone(&self.runtime);
        Box::pin(async move {
            if !delay.is_zero() {
                mcp_driver::sleep(runtime.as_ref(), delay).await;
            }
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
                Reply::Stream(receiver, watch) => {
                    let headers = vec![("content-type".into(), b"text/event-stream".to_vec())];
                    let body =
                        stream::unfold((receiver, watch), |(mut receiver, watch)| async move {
                            let chunk = receiver.next().await?;
                            Some((Ok(chunk), (receiver, watch)))
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

/// A fake on `harness`'s runtime answering with `script`; returns what it saw so far and
/// a feed of each request.
fn fake(
    harness: &dyn Harness,
    script: Script,
) -> (
    Arc<Fake>,
    Arc<Mutex<Vec<Seen>>>,
    mpsc::UnboundedReceiver<Seen>,
) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let (announce, announced) = mpsc::unbounded();
    let fake = Arc::new(Fake {
        runtime: harness.runtime(),
        seen: Arc::clone(&seen),
        announce,
        script,
    });
    (fake, seen, announced)
}

fn seen_so_far(seen: &Mutex<Vec<Seen>>) -> Vec<Seen> {
    seen.lock().unwrap_or_else(PoisonError::into_inner).clone()
}

async fn connect(harness: &dyn Harness, config: ClientConfig, fake: Arc<Fake>) -> Client {
    in_time(
        harness,
        Duration::from_secs(10),
        "connecting",
        client::connect_http(config, handlers(), harness.runtime(), fake),
    )
    .await
    .expect("connected")
}

/// Waits until the fake sees a request for which `wanted` holds.
async fn wait_for(
    harness: &dyn Harness,
    announced: &mut mpsc::UnboundedReceiver<Seen>,
    wanted: impl Fn(&Seen) -> bool,
) -> Seen {
    in_time(harness, Duration::from_secs(10), "the request", async {
        loop {
            let seen = announced.next().await.expect("the fake is alive");
            if wanted(&seen) {
                return seen;
            }
        }
    })
    .await
}

/// Waits for the report of a dropped stream.
async fn dropped(harness: &dyn Harness, reports: &mut mpsc::UnboundedReceiver<()>, what: &str) {
    in_time(harness, Duration::from_secs(10), what, reports.next())
        .await
        .expect("the fake is alive");
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
                let (sender, receiver) = mpsc::unbounded();
                let question = json!({"jsonrpc": "2.0", "id": "e-1", "method": "elicitation/create", "params": {
                    "mode": "form", "message": "How many copies?",
                    "requestedSchema": {"type": "object", "properties": {"copies": {"type": "integer"}}}}});
                let _ = sender.unbounded_send(b"id: 1\ndata:\n\n".to_vec());
                let _ = sender.unbounded_send(event(&question));
                *open_call.lock().unwrap_or_else(PoisonError::into_inner) = Some((id, sender));
                Reply::Stream(receiver, None)
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
                    let _ = sender.unbounded_send(event(&done));
                }
                Reply::Status(202)
            }
            _ => Reply::Status(202),
        }
    })
}

/// A legacy session: initialize without a session id, every later request with it and
/// the version, the GET stream, the elicitation answer POSTed, DELETE on drop.
pub async fn legacy_session_lifecycle(harness: &dyn Harness) {
    let (fake, seen, mut announced) = fake(harness, legacy_script(&[]));
    let client = connect(harness, config(ClientMode::Legacy), fake).await;
    assert_eq!(
        client.server_info().map(|info| info.name),
        Some("fake-legacy".into())
    );
    let reserved = client
        .call_tool("reserve", json!({"title": "Dune"}))
        .await
        .expect("reserve");
    assert_eq!(text(&reserved), ("Reserved 2 copies".into(), false));
    wait_for(harness, &mut announced, |seen| seen.method == "GET").await;
    drop(client);
    let delete = wait_for(harness, &mut announced, |seen| seen.method == "DELETE").await;
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

/// A 404 on the session opens a new one and sends the request again, once.
pub async fn legacy_404_opens_a_new_session_and_retries_once(harness: &dyn Harness) {
    let (fake, seen, _announced) = fake(harness, legacy_script(&["s-1"]));
    let client = connect(harness, config(ClientMode::Legacy), fake).await;
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

/// A second 404 in a row fails the request with -32000.
pub async fn legacy_404_twice_fails_the_request(harness: &dyn Harness) {
    let (fake, _seen, _announced) = fake(harness, legacy_script(&["s-1", "s-2"]));
    let client = connect(harness, config(ClientMode::Legacy), fake).await;
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
                let (sender, receiver) = mpsc::unbounded();
                let progress = json!({"jsonrpc": "2.0", "method": "notifications/progress",
                    "params": {"progressToken": 99, "progress": 1}});
                let _ = sender.unbounded_send(b": keep-alive\n\n".to_vec());
                let _ = sender.unbounded_send(event(&progress));
                // One message over two data lines, split across chunks.
                let done = format!(
                    "data: {{\"jsonrpc\":\"2.0\",\"id\":{id},\ndata: \"result\":{{\"resultType\":\"complete\",\"content\":[{{\"type\":\"text\",\"text\":\"in {}\"}}]}}}}\n\n",
                    seen.header("mcp-param-region").unwrap_or("nowhere")
                );
                let (first, second) = done.split_at(20);
                let _ = sender.unbounded_send(first.as_bytes().to_vec());
                let _ = sender.unbounded_send(second.as_bytes().to_vec());
                Reply::Stream(receiver, None)
            }
            ("tools/call", Some("slow")) => {
                let (sender, receiver) = mpsc::unbounded::<Vec<u8>>();
                let watch = Watch {
                    _open: sender,
                    dropped: dropped.clone(),
                };
                Reply::Stream(receiver, Some(watch))
            }
            _ => Reply::Status(202),
        }
    })
}

/// SSE parsing, `Mcp-Param-*` and `Mcp-Name` headers, and a timed-out request cancelled
/// by dropping its POST, not by notification.
pub async fn modern_streams_headers_and_dropped_posts(harness: &dyn Harness) {
    let (dropped_sender, mut was_dropped) = mpsc::unbounded();
    let (fake, seen, _announced) = fake(harness, modern_script(dropped_sender));
    let config = ClientConfig::new(Implementation::new("scripted", "1"));
    let client = connect(harness, config, fake).await;
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
    let outcome = in_time(
        harness,
        Duration::from_secs(10),
        "the deadline ends the request",
        client.request(call_request("slow"), options),
    )
    .await;
    assert_eq!(outcome, Err(ClientError::TimedOut));
    dropped(harness, &mut was_dropped, "the POST is dropped").await;

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
            let (sender, receiver) = mpsc::unbounded();
            for event in events {
                let _ = sender.unbounded_send(event.to_vec());
            }
            if keep {
                open.lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .push(sender);
            }
            Reply::Stream(receiver, None)
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
                let (sender, receiver) = mpsc::unbounded();
                let _ = sender.unbounded_send(b"id: call-2\ndata:\n\n".to_vec());
                let _ = sender.unbounded_send(event(&done));
                let watch = Watch {
                    _open: sender,
                    dropped: resumed_dropped.clone(),
                };
                return Reply::Stream(receiver, Some(watch));
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

/// A stream ended before its response is resumed by `GET` with `Last-Event-ID` after
/// its retry time; the call itself is not repeated.
pub async fn legacy_stream_ended_early_is_resumed_after_its_retry_time(harness: &dyn Harness) {
    let (dropped_sender, mut was_dropped) = mpsc::unbounded();
    let (fake, seen, _announced) = fake(harness, resuming_script(Duration::ZERO, dropped_sender));
    let client = connect(harness, config(ClientMode::Legacy), fake).await;
    let result = in_time(
        harness,
        Duration::from_secs(10),
        "the resumed call",
        client.call_tool("resumable", json!({})),
    )
    .await
    .expect("the resumed stream brings the result");
    assert_eq!(text(&result), ("resumed".into(), false));
    // The resumed stream, which the server keeps open, is let go once the result is in.
    dropped(harness, &mut was_dropped, "the resumed stream is dropped").await;

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

/// A stream without an event id, or whose resumption is refused, fails the request.
pub async fn legacy_stream_that_cannot_be_resumed_fails_the_request(harness: &dyn Harness) {
    let (dropped_sender, _) = mpsc::unbounded();
    let (fake, seen, _announced) = fake(harness, resuming_script(Duration::ZERO, dropped_sender));
    let client = connect(harness, config(ClientMode::Legacy), fake).await;
    for (tool, reason) in [
        ("anonymous", "ended the answer before the response"),
        ("refused", "refused to resume it (HTTP status 404)"),
    ] {
        let outcome = in_time(
            harness,
            Duration::from_secs(10),
            tool,
            client.call_tool(tool, json!({})),
        )
        .await;
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

/// Requests wait for the standalone stream's head, but no longer than a second.
pub async fn legacy_requests_wait_for_the_standalone_stream_for_a_while(harness: &dyn Harness) {
    for (listen_delay, least, most) in [
        // The head comes: requests follow it.
        (Duration::from_millis(300), 300, 900),
        // It does not come: requests go after one second anyway. The fake stamps the GET
        // when its task first runs, which on a loaded machine can be a little after the
        // client started its one-second wait: the lower bound leaves room for that.
        (Duration::from_secs(3), 800, 2500),
    ] {
        let (dropped_sender, _) = mpsc::unbounded();
        let (fake, seen, _announced) = fake(harness, resuming_script(listen_delay, dropped_sender));
        let client = connect(harness, config(ClientMode::Legacy), fake).await;
        in_time(
            harness,
            Duration::from_secs(10),
            "tools/list",
            client.list_tools(),
        )
        .await
        .expect("tools/list");
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

/// A request refused with -32022 is sent again with a new id.
pub async fn modern_request_refused_with_unsupported_version_is_sent_again(harness: &dyn Harness) {
    let refusals = Mutex::new(1);
    let (fake, seen, _announced) = fake(
        harness,
        Box::new(move |seen: &Seen| {
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
        }),
    );
    let pinned =
        ClientConfig::new(Implementation::new("scripted", "1")).with_mode(ClientMode::Pinned {
            version: ProtocolVersion::V2026_07_28,
            discover: None,
        });
    let client = connect(harness, pinned, fake).await;
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
