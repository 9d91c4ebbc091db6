//! The driver client's per-call and session features end to end, in both eras, in memory,
//! over Streamable HTTP and over a child process's stdio: progress callbacks, deadlines
//! that cancel the server's handler, log messages, and change notifications through
//! `Client::listen`.

use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::task::{Context as TaskContext, Poll};
use std::time::Duration;

use futures_io::{AsyncRead, AsyncWrite};
use futures_util::StreamExt;
use mcp_driver::client::{
    CallOptions, Client, ClientError, ClientHandlers, Progress, Subscription,
};
use mcp_driver::server::{Context, Prompt, Resource, ResourceRequest, Server, Tool, ToolError};
use mcp_proto::client::{ClientConfig, ClientMode};
use mcp_proto::types::{
    CallToolResult, GetPromptResult, Implementation, LoggingLevel, ReadResourceResult,
    ServerNotification, SubscriptionFilter,
};
use serde::Deserialize;
use serde_json::json;

use crate::harness::{Connection, Fixture, Harness, Link, child_command};
use crate::support::{Target, connect, duplex, in_time, sleep};

/// The server of these scenarios, for a child process.
pub const CLIENT_FEATURES_SERVER: Fixture = Fixture {
    name: "client-features",
    build: features_server,
};

/// How long any one step may take before the scenario fails.
const STEP: Duration = Duration::from_secs(30);

const NOTE: &str = "memo://note";

#[derive(Deserialize, schemars::JsonSchema)]
struct Nothing {}

#[derive(Deserialize, schemars::JsonSchema)]
struct Change {
    /// `tools`, `prompts` or `resource`.
    what: String,
}

/// Counts the handler futures of `wait_forever` that were dropped.
struct DropGuard(Arc<AtomicUsize>);

impl Drop for DropGuard {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

fn text_result(text: impl Into<String>) -> CallToolResult {
    CallToolResult::text(text.into())
}

/// A server with a tool reporting progress three times, a tool that waits forever (and
/// counts its cancellations), a tool publishing changes, a resource and a prompt.
pub fn features_server() -> Server {
    let dropped = Arc::new(AtomicUsize::new(0));
    let this: Arc<OnceLock<Server>> = Arc::new(OnceLock::new());
    let counted = Arc::clone(&dropped);
    let publisher = Arc::clone(&this);
    let server = Server::builder(Implementation::new("features-server", "1.0.0"))
        .tool(Tool::typed(
            "steps",
            "Reports progress three times and logs",
            |_args: Nothing, ctx: Context| async move {
                for step in 1..=3 {
                    ctx.progress(f64::from(step), Some(3.0), Some(format!("step {step}")))
                        .await;
                }
                ctx.log(LoggingLevel::Debug, "too detailed").await;
                ctx.log(LoggingLevel::Info, "stepped").await;
                Ok::<_, ToolError>(text_result("done"))
            },
        ))
        .tool(Tool::typed(
            "wait_forever",
            "Never answers",
            move |_args: Nothing, _ctx: Context| {
                let guard = DropGuard(Arc::clone(&counted));
                async move {
                    let _guard = guard;
                    std::future::pending::<Result<CallToolResult, ToolError>>().await
                }
            },
        ))
        .tool(Tool::typed(
            "drops",
            "How many wait_forever handlers were dropped",
            move |_args: Nothing, _ctx: Context| {
                let count = dropped.load(Ordering::SeqCst);
                async move { Ok::<_, ToolError>(text_result(count.to_string())) }
            },
        ))
        .tool(Tool::typed(
            "change",
            "Publishes a change",
            move |args: Change, _ctx: Context| {
                if let Some(server) = publisher.get() {
                    publish(server, &args.what);
                }
                async move { Ok::<_, ToolError>(text_result("published")) }
            },
        ))
        .resource(Resource::new(
            NOTE,
            "note",
            |request: ResourceRequest, _ctx: Context| async move {
                let contents: ReadResourceResult = serde_json::from_value(
                    json!({"contents": [{"uri": request.uri, "text": "a note"}]}),
                )
                .expect("contents");
                Ok::<_, ToolError>(contents)
            },
        ))
        .prompt(Prompt::new(
            "hello",
            "Says hello",
            Vec::new(),
            |_arguments, _ctx: Context| async move {
                Ok::<_, ToolError>(
                    serde_json::from_value::<GetPromptResult>(json!({"messages": []}))
                        .expect("a prompt result"),
                )
            },
        ))
        .build();
    let _ = this.set(server.clone());
    server
}

fn publish(server: &Server, what: &str) {
    match what {
        "tools" => server.notify_tools_changed(),
        "prompts" => server.notify_prompts_changed(),
        _ => server.notify_resource_updated(NOTE),
    }
}

/// How a test makes the server publish a change: directly (in memory) or through the
/// `change` tool (a child process).
#[derive(Clone)]
enum Publisher {
    Direct(Server),
    Tool,
}

impl Publisher {
    async fn publish(&self, client: &Client, what: &str) {
        match self {
            Publisher::Direct(server) => publish(server, what),
            Publisher::Tool => {
                client
                    .call_tool("change", json!({ "what": what }))
                    .await
                    .expect("change");
            }
        }
    }
}

fn config(mode: ClientMode) -> ClientConfig {
    ClientConfig::new(Implementation::new("features-client", "1.0.0")).with_mode(mode)
}

const ERAS: [(ClientMode, &str); 2] =
    [(ClientMode::Legacy, "legacy"), (ClientMode::Auto, "modern")];

fn text(result: &CallToolResult) -> String {
    serde_json::to_value(result).expect("serialisable")["content"][0]["text"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

// The checks, each run in both eras over every link.

async fn progress_reaches_the_callback_in_order(harness: &dyn Harness, client: &Client, era: &str) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&seen);
    let options = CallOptions::new().on_progress(move |progress: Progress| {
        sink.lock().expect("unpoisoned").push((
            progress.progress,
            progress.total,
            progress.message,
        ));
    });
    let result = in_time(
        harness,
        STEP,
        "steps",
        client.call_tool_with("steps", json!({}), options),
    )
    .await
    .expect("steps");
    assert_eq!(text(&result), "done");
    let expected: Vec<_> = (1..=3)
        .map(|step| (f64::from(step), Some(3.0), Some(format!("step {step}"))))
        .collect();
    assert_eq!(*seen.lock().expect("unpoisoned"), expected, "{era}");
    // Without a callback the server is not asked for progress, and the call still works.
    let result = client.call_tool("steps", json!({})).await.expect("steps");
    assert_eq!(text(&result), "done");
}

async fn dropped_handlers(client: &Client) -> usize {
    let result = client.call_tool("drops", json!({})).await.expect("drops");
    text(&result).parse().expect("a count")
}

async fn a_timeout_cancels_the_handler(harness: &dyn Harness, client: &Client, era: &str) {
    let before = dropped_handlers(client).await;
    let options = CallOptions::new().timeout(Duration::from_millis(300));
    let error = in_time(
        harness,
        STEP,
        "wait_forever",
        client.call_tool_with("wait_forever", json!({}), options),
    )
    .await
    .expect_err("no answer in time");
    assert_eq!(error, ClientError::TimedOut, "{era}");
    // The cancellation reaches the server, which drops the handler's future.
    in_time(harness, STEP, "the handler's drop", async {
        while dropped_handlers(client).await != before + 1 {
            sleep(harness, Duration::from_millis(10)).await;
        }
    })
    .await;
    // The connection carries on.
    let result = client.call_tool("drops", json!({})).await.expect("drops");
    assert_eq!(text(&result), (before + 1).to_string(), "{era}");
}

async fn next_change(harness: &dyn Harness, subscription: &mut Subscription) -> ServerNotification {
    in_time(harness, STEP, "a change", subscription.next())
        .await
        .expect("the subscription is open")
}

async fn changes_reach_a_listener(
    harness: &dyn Harness,
    client: &Client,
    publisher: &Publisher,
    era: &str,
) {
    let filter = SubscriptionFilter::default()
        .with_tools_list_changed(true)
        .with_resource_subscriptions(vec![NOTE.to_string()]);
    let mut subscription = in_time(harness, STEP, "listen", client.listen(filter.clone()))
        .await
        .expect("listening");
    assert_eq!(subscription.acknowledged(), &filter, "{era}");
    // Prompt changes were not asked for: the first delivery is the tool change.
    publisher.publish(client, "prompts").await;
    publisher.publish(client, "tools").await;
    assert!(
        matches!(
            next_change(harness, &mut subscription).await,
            ServerNotification::ToolListChanged(_)
        ),
        "{era}"
    );
    publisher.publish(client, "resource").await;
    match next_change(harness, &mut subscription).await {
        ServerNotification::ResourceUpdated(params) => assert_eq!(params.uri, NOTE, "{era}"),
        other => panic!("{era}: unexpected {other:?}"),
    }
    // Ending it sends `resources/unsubscribe` on a 2025 session. Wait for a later answer
    // before the caller closes: a stdio server whose answer meets a closed pipe fails.
    drop(subscription);
    client.call_tool("drops", json!({})).await.expect("drops");
}

async fn every_check(harness: &dyn Harness, client: &Client, publisher: &Publisher, era: &str) {
    progress_reaches_the_callback_in_order(harness, client, era).await;
    a_timeout_cancels_the_handler(harness, client, era).await;
    changes_reach_a_listener(harness, client, publisher, era).await;
}

/// Every check in both eras over an in-process `link`, the server publishing directly.
async fn in_process_both_eras(harness: &dyn Harness, link: Link) {
    let server = features_server();
    for (mode, era) in ERAS {
        let connection = connect(harness, link, Target::Server(&server), config(mode)).await;
        every_check(
            harness,
            &connection.client,
            &Publisher::Direct(server.clone()),
            era,
        )
        .await;
        connection.close().await;
    }
}

/// Progress in order, a timeout dropping the handler, and changes reaching a listener, in memory.
pub async fn in_memory_both_eras(harness: &dyn Harness) {
    in_process_both_eras(harness, Link::InMemory).await;
}

/// Progress in order, a timeout dropping the handler, and changes reaching a listener, over HTTP.
pub async fn streamable_http_both_eras(harness: &dyn Harness) {
    in_process_both_eras(harness, Link::Http).await;
}

/// Progress in order, a timeout dropping the handler, changes reaching a listener, over a child.
pub async fn child_process_both_eras(harness: &dyn Harness) {
    for (mode, era) in ERAS {
        let connection = connect(
            harness,
            Link::ChildStdio,
            Target::Fixture(&CLIENT_FEATURES_SERVER),
            config(mode),
        )
        .await;
        every_check(harness, &connection.client, &Publisher::Tool, era).await;
        connection.close().await;
    }
}

// Log messages: asked for per connection (`logging/setLevel` on a 2025 session, the
// envelope's `logLevel` on every 2026 request) and reported to the callback.

async fn logs_reach_the_callback(
    harness: &dyn Harness,
    client: &Client,
    logged: &Arc<Mutex<Vec<String>>>,
    context: &str,
) {
    in_time(harness, STEP, "steps", client.call_tool("steps", json!({})))
        .await
        .expect("steps");
    assert_eq!(
        *logged.lock().expect("unpoisoned"),
        ["\"stepped\""],
        "{context}"
    );
}

fn logging_client(mode: ClientMode) -> (ClientConfig, ClientHandlers, Arc<Mutex<Vec<String>>>) {
    let logged = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&logged);
    let handlers = ClientHandlers::new().on_log(move |params| {
        sink.lock()
            .expect("unpoisoned")
            .push(params.data.get().to_string());
    });
    let config = config(mode).with_log_level(Some(LoggingLevel::Info));
    (config, handlers, logged)
}

/// Log messages at the configured level reach the callback, in both eras, on every link.
pub async fn log_messages_reach_the_callback_in_both_eras(harness: &dyn Harness) {
    for link in Link::ALL {
        for (mode, era) in ERAS {
            let (config, handlers, logged) = logging_client(mode);
            let connection =
                Connection::open(harness, link, &CLIENT_FEATURES_SERVER, config, handlers)
                    .await
                    .expect("connected");
            logs_reach_the_callback(
                harness,
                &connection.client,
                &logged,
                &format!("{link:?} {era}"),
            )
            .await;
            connection.close().await;
        }
    }
}

/// At 2026-07-28 a call's own log level asks for its log messages, on every link.
pub async fn a_per_call_log_level_at_2026(harness: &dyn Harness) {
    for link in Link::ALL {
        let logged = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&logged);
        let handlers = ClientHandlers::new().on_log(move |params| {
            sink.lock().expect("unpoisoned").push(params.level);
        });
        let connection = Connection::open(
            harness,
            link,
            &CLIENT_FEATURES_SERVER,
            config(ClientMode::Auto),
            handlers,
        )
        .await
        .expect("connected");
        let client = &connection.client;
        in_time(harness, STEP, "steps", async {
            // No level configured: nothing is asked for.
            client.call_tool("steps", json!({})).await.expect("steps");
            assert!(logged.lock().expect("unpoisoned").is_empty(), "{link:?}");
            let options = CallOptions::new().log_level(LoggingLevel::Debug);
            client
                .call_tool_with("steps", json!({}), options)
                .await
                .expect("steps");
        })
        .await;
        assert_eq!(
            *logged.lock().expect("unpoisoned"),
            [LoggingLevel::Debug, LoggingLevel::Info],
            "{link:?}"
        );
        connection.close().await;
    }
}

// Ending a subscription, watched on the wire: a byte stream whose traffic is recorded.

/// A byte stream that records what passes through it in each direction.
struct Tap<S> {
    inner: S,
    read: Arc<Mutex<Vec<u8>>>,
    written: Arc<Mutex<Vec<u8>>>,
}

impl<S: AsyncRead + Unpin> AsyncRead for Tap<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut TaskContext<'_>,
        buf: &mut [u8],
    ) -> Poll<std::io::Result<usize>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.inner).poll_read(cx, buf);
        if let Poll::Ready(Ok(count)) = polled {
            this.read
                .lock()
                .expect("unpoisoned")
                .extend_from_slice(&buf[..count]);
        }
        polled
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Tap<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut TaskContext<'_>,
        data: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.inner).poll_write(cx, data);
        if let Poll::Ready(Ok(written)) = polled {
            let sent = &data[..written];
            this.written
                .lock()
                .expect("unpoisoned")
                .extend_from_slice(sent);
        }
        polled
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_close(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_close(cx)
    }
}

/// Every JSON message recorded in `bytes`.
fn messages(bytes: &Arc<Mutex<Vec<u8>>>) -> Vec<serde_json::Value> {
    let bytes = bytes.lock().expect("unpoisoned").clone();
    String::from_utf8(bytes)
        .expect("UTF-8")
        .lines()
        .filter_map(|line| serde_json::from_str(line).ok())
        .collect()
}

/// A client talking to `server` over an in-process byte stream, with its traffic
/// recorded: (client, what the client read, what it wrote).
async fn tapped_client(
    harness: &dyn Harness,
    server: &Server,
    mode: ClientMode,
) -> (Client, Arc<Mutex<Vec<u8>>>, Arc<Mutex<Vec<u8>>>) {
    let (client_end, server_end) = duplex();
    let server = server.clone();
    let runtime = harness.runtime();
    harness.runtime().spawn(Box::pin(async move {
        let _ = mcp_driver::server::serve_stream(&server, runtime, server_end).await;
    }));
    let read = Arc::new(Mutex::new(Vec::new()));
    let written = Arc::new(Mutex::new(Vec::new()));
    let tap = Tap {
        inner: client_end,
        read: Arc::clone(&read),
        written: Arc::clone(&written),
    };
    let client = mcp_driver::client::connect_stream(
        config(mode),
        ClientHandlers::new(),
        harness.runtime(),
        tap,
    )
    .await
    .expect("connected");
    (client, read, written)
}

fn tools_only() -> SubscriptionFilter {
    SubscriptionFilter::default().with_tools_list_changed(true)
}

/// At 2026-07-28 dropping a subscription cancels its listen request, seen on the wire.
pub async fn dropping_a_subscription_cancels_its_listen_request_at_2026(harness: &dyn Harness) {
    let server = features_server();
    let (client, read, written) = tapped_client(harness, &server, ClientMode::Auto).await;
    let mut first = in_time(harness, STEP, "listen", client.listen(tools_only()))
        .await
        .expect("listening");
    server.notify_tools_changed();
    next_change(harness, &mut first).await;
    let listens: Vec<_> = messages(&written)
        .into_iter()
        .filter(|message| message["method"] == "subscriptions/listen")
        .collect();
    assert_eq!(listens.len(), 1);
    let first_id = listens[0]["id"].clone();
    drop(first);

    // The server acknowledges a second subscription only after it read the first one's
    // cancellation, which went out before the second listen request.
    let mut second = in_time(harness, STEP, "listen", client.listen(tools_only()))
        .await
        .expect("listening again");
    let cancelled: Vec<_> = messages(&written)
        .into_iter()
        .filter(|message| message["method"] == "notifications/cancelled")
        .collect();
    assert_eq!(cancelled.len(), 1, "one cancellation");
    assert_eq!(cancelled[0]["params"]["requestId"], first_id);
    server.notify_tools_changed();
    next_change(harness, &mut second).await;

    // The server delivered to the first subscription once, before it ended.
    let tagged_first = messages(&read)
        .into_iter()
        .filter(|message| {
            message["method"] == "notifications/tools/list_changed"
                && message["params"]["_meta"]["io.modelcontextprotocol/subscriptionId"] == first_id
        })
        .count();
    assert_eq!(tagged_first, 1);
}

/// On a 2025 session dropping the last subscription naming a resource unsubscribes it.
pub async fn dropping_a_subscription_unsubscribes_its_resources_on_a_2025_session(
    harness: &dyn Harness,
) {
    let server = features_server();
    let (client, _read, written) = tapped_client(harness, &server, ClientMode::Legacy).await;
    let filter = SubscriptionFilter::default().with_resource_subscriptions(vec![NOTE.to_string()]);
    let first = client.listen(filter.clone()).await.expect("listening");
    let mut second = client.listen(filter).await.expect("listening twice");
    let sent = |method: &str| {
        messages(&written)
            .into_iter()
            .filter(|message| message["method"] == method)
            .count()
    };
    assert_eq!(sent("resources/subscribe"), 1, "subscribed once for both");
    drop(first);
    server.notify_resource_updated(NOTE);
    next_change(harness, &mut second).await;
    // A round trip after the drop: the loop has handled it.
    client.call_tool("drops", json!({})).await.expect("drops");
    assert_eq!(
        sent("resources/unsubscribe"),
        0,
        "still named by the second"
    );
    drop(second);
    client.call_tool("drops", json!({})).await.expect("drops");
    assert_eq!(
        sent("resources/unsubscribe"),
        1,
        "unsubscribed with the last"
    );
}

/// A subscription ends once its connection does (the child server gone), in both eras.
pub async fn a_subscription_ends_with_the_connection(harness: &dyn Harness) {
    for (mode, era) in ERAS {
        let (client, child) = harness
            .connect_child(
                child_command(&CLIENT_FEATURES_SERVER),
                config(mode),
                ClientHandlers::new(),
            )
            .await
            .expect("spawned and connected");
        let mut subscription = in_time(harness, STEP, "listen", client.listen(tools_only()))
            .await
            .expect("listening");
        drop(client);
        // The subscription keeps the connection open; the server going away ends it.
        let _ = child.shutdown(Duration::from_millis(1)).await;
        assert!(
            in_time(harness, STEP, "the end", subscription.next())
                .await
                .is_none(),
            "{era}"
        );
    }
}
