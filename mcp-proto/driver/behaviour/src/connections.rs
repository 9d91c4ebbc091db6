//! The HTTP server's connection limits, over raw sockets: a half-sent head, a half-sent
//! body and an idle kept-alive connection are closed (or answered) after their timeouts
//! and not before, a long SSE response outlives them all, the connection cap queues the
//! next connection while the open ones are served, and a body shorter than its
//! `Content-Length` is a `400`, not a `413`.
//!
//! The limits are short (a few hundred milliseconds) and every timing check is loose:
//! closed not before 0.8 times the timeout, and within the timeout plus five seconds.

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::future::{Either, select};
use futures_util::io::{AsyncReadExt, AsyncWriteExt};
use mcp_driver::Runtime;
use mcp_driver::http::HttpEndpoint;
use mcp_driver::hyper::ConnectionLimits;
use mcp_driver::server::{Context, Server, Tool, ToolError};
use mcp_proto::types::{CallToolResult, Implementation};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::harness::{Harness, TcpLink};
use crate::http_fixture::modern;
use crate::support::{body_text, header, in_time, send, sleep};

/// How much later than its timeout a connection may be closed on a loaded machine.
const SLACK: Duration = Duration::from_secs(5);

#[derive(Deserialize, schemars::JsonSchema)]
struct Pause {
    millis: u64,
}

/// A server whose `pause` tool reports progress, waits, reports again and answers: with
/// a progress token its response is an SSE stream silent for the whole pause.
fn server(runtime: Arc<dyn Runtime>) -> Server {
    Server::builder(Implementation::new("connections", "1.0.0"))
        .tool(Tool::typed(
            "pause",
            "Waits, reporting progress before and after",
            move |args: Pause, ctx: Context| {
                let runtime = Arc::clone(&runtime);
                async move {
                    ctx.progress(1.0, Some(2.0), None).await;
                    mcp_driver::sleep(runtime.as_ref(), Duration::from_millis(args.millis)).await;
                    ctx.progress(2.0, Some(2.0), None).await;
                    Ok::<_, ToolError>(CallToolResult::text("paused"))
                }
            },
        ))
        .build()
}

/// Serves the scenarios' server under `limits`.
async fn serve(harness: &dyn Harness, limits: ConnectionLimits) -> std::net::SocketAddr {
    let endpoint = HttpEndpoint::new(&server(harness.runtime()), harness.runtime());
    harness
        .serve_http_with(endpoint, limits)
        .await
        .expect("serving")
}

fn millis(millis: u64) -> Duration {
    Duration::from_millis(millis)
}

/// The head of a valid 2026-07-28 POST (passing every check made before the body is
/// read), declaring `length` bytes of body.
fn post_head(addr: std::net::SocketAddr, method: &str, length: usize) -> String {
    format!(
        "POST /mcp HTTP/1.1\r\nhost: {addr}\r\ncontent-type: application/json\r\n\
         accept: application/json, text/event-stream\r\nmcp-protocol-version: 2026-07-28\r\n\
         mcp-method: {method}\r\ncontent-length: {length}\r\n\r\n"
    )
}

/// A complete `tools/list` POST, keeping the connection alive.
fn tools_list(addr: std::net::SocketAddr, id: u32) -> Vec<u8> {
    let body = serde_json::to_vec(&modern(id, "tools/list", json!({}))).expect("json");
    let mut request = post_head(addr, "tools/list", body.len()).into_bytes();
    request.extend_from_slice(&body);
    request
}

/// A response read off a raw connection.
#[derive(Debug)]
struct Raw {
    status: u16,
    head: String,
    body: String,
}

/// Reads one response with a `Content-Length` body; `None` if the connection closes (or
/// breaks) before a whole head arrives.
async fn read_response(stream: &mut Box<dyn TcpLink>) -> Option<Raw> {
    let mut bytes = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(at) = bytes.windows(4).position(|window| window == b"\r\n\r\n") {
            break at + 4;
        }
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return None,
            Ok(read) => bytes.extend_from_slice(&chunk[..read]),
        }
    };
    let head = String::from_utf8_lossy(&bytes[..head_end]).into_owned();
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|status| status.parse().ok())
        .expect("a status line");
    let length: usize = head
        .lines()
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse().ok())?
        })
        .unwrap_or(0);
    while bytes.len() < head_end + length {
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => break,
            Ok(read) => bytes.extend_from_slice(&chunk[..read]),
        }
    }
    let body = String::from_utf8_lossy(&bytes[head_end..]).into_owned();
    Some(Raw { status, head, body })
}

/// Sends a `tools/list` on `stream` and checks that it is answered `200`.
async fn list_tools(
    harness: &dyn Harness,
    stream: &mut Box<dyn TcpLink>,
    addr: std::net::SocketAddr,
    what: &str,
) {
    stream.write_all(&tools_list(addr, 1)).await.expect("sent");
    let response = in_time(harness, SLACK, what, read_response(stream))
        .await
        .unwrap_or_else(|| panic!("{what}: the connection closed"));
    assert_eq!(response.status, 200, "{what}: {response:?}");
    assert!(response.body.contains("\"tools\""), "{what}: {response:?}");
}

/// Waits for the server to close `stream` without answering (a read returns end of
/// stream or an error, never bytes), and checks that it did so no sooner than 0.8 times
/// `timeout` after `since` and within `timeout` plus [`SLACK`]. Returns when it closed.
async fn expect_closed(
    harness: &dyn Harness,
    stream: &mut Box<dyn TcpLink>,
    since: Instant,
    timeout: Duration,
    what: &str,
) -> Duration {
    let mut chunk = [0u8; 1024];
    let bound = (timeout + SLACK).saturating_sub(since.elapsed());
    match in_time(harness, bound, what, stream.read(&mut chunk)).await {
        Ok(0) | Err(_) => {}
        Ok(read) => panic!(
            "{what}: answered instead of closed: {:?}",
            String::from_utf8_lossy(&chunk[..read])
        ),
    }
    let elapsed = since.elapsed();
    assert!(
        elapsed >= timeout.mul_f64(0.8),
        "{what}: closed after {elapsed:?}, before its timeout of {timeout:?}"
    );
    elapsed
}

/// A connection that sends half a request head, one that trickles its header lines, and
/// one that sends nothing are each closed after the header timeout, without an answer.
pub async fn header_timeout_closes_a_half_sent_head(harness: &dyn Harness) {
    let timeout = millis(400);
    let addr = serve(
        harness,
        ConnectionLimits::unlimited().with_header_read_timeout(timeout),
    )
    .await;

    let mut half = harness.connect_tcp(addr).await.expect("connected");
    let since = Instant::now();
    half.write_all(format!("POST /mcp HTTP/1.1\r\nhost: {addr}\r\n").as_bytes())
        .await
        .expect("sent");
    expect_closed(harness, &mut half, since, timeout, "a half-sent head").await;

    // A header line every 100 ms does not hold the head open: the timeout counts from
    // the head's start, not from its last byte.
    let mut trickle = harness.connect_tcp(addr).await.expect("connected");
    let since = Instant::now();
    trickle
        .write_all(format!("POST /mcp HTTP/1.1\r\nhost: {addr}\r\n").as_bytes())
        .await
        .expect("sent");
    let mut chunk = [0u8; 1024];
    for line in 0u32.. {
        let read = {
            let reading = trickle.read(&mut chunk);
            match select(reading, Box::pin(sleep(harness, millis(100)))).await {
                Either::Left((read, _)) => Some(read),
                Either::Right(((), _)) => None,
            }
        };
        match read {
            Some(Ok(0) | Err(_)) => break,
            Some(Ok(read)) => panic!(
                "a trickled head: answered instead of closed: {:?}",
                String::from_utf8_lossy(&chunk[..read])
            ),
            None => {}
        }
        assert!(
            since.elapsed() < timeout + SLACK,
            "a trickled head: still open after {:?}",
            since.elapsed()
        );
        let padding = format!("x-padding-{line}: {line}\r\n");
        if trickle.write_all(padding.as_bytes()).await.is_err() {
            break;
        }
    }
    let elapsed = since.elapsed();
    assert!(
        elapsed >= timeout.mul_f64(0.8),
        "a trickled head: closed after {elapsed:?}, before its timeout of {timeout:?}"
    );

    // A new connection owes its first head within the header timeout too.
    let mut silent = harness.connect_tcp(addr).await.expect("connected");
    let since = Instant::now();
    expect_closed(
        harness,
        &mut silent,
        since,
        timeout,
        "a silent new connection",
    )
    .await;

    // A whole request in time is served.
    let mut prompt = harness.connect_tcp(addr).await.expect("connected");
    list_tools(harness, &mut prompt, addr, "a prompt request").await;
}

/// A head declaring 100 bytes followed by 50 of them is answered `408` (or closed) after
/// the body timeout, and the connection then closes.
pub async fn body_timeout_answers_a_half_sent_body(harness: &dyn Harness) {
    let timeout = millis(400);
    let addr = serve(
        harness,
        ConnectionLimits::unlimited().with_body_read_timeout(timeout),
    )
    .await;
    let mut stream = harness.connect_tcp(addr).await.expect("connected");
    let mut request = post_head(addr, "tools/list", 100).into_bytes();
    request.extend_from_slice(&[b' '; 50]);
    stream.write_all(&request).await.expect("sent");
    let since = Instant::now();
    let answer = in_time(
        harness,
        timeout + SLACK,
        "a half-sent body",
        read_response(&mut stream),
    )
    .await;
    let elapsed = since.elapsed();
    assert!(
        elapsed >= timeout.mul_f64(0.8),
        "a half-sent body: answered after {elapsed:?}, before its timeout of {timeout:?}: {answer:?}"
    );
    if let Some(answer) = answer {
        assert_eq!(answer.status, 408, "a half-sent body: {answer:?}");
        assert!(
            answer
                .head
                .to_ascii_lowercase()
                .contains("connection: close"),
            "a half-sent body: the answer says the connection closes: {answer:?}"
        );
        expect_closed(
            harness,
            &mut stream,
            Instant::now(),
            Duration::ZERO,
            "after a 408",
        )
        .await;
    }
}

/// A kept-alive connection waits for its next request as long as the idle timeout (here
/// longer than the header timeout) and is closed after it.
pub async fn idle_keep_alive_connection_is_closed(harness: &dyn Harness) {
    let header_timeout = millis(300);
    let idle = millis(1200);
    let addr = serve(
        harness,
        ConnectionLimits::unlimited()
            .with_header_read_timeout(header_timeout)
            .with_idle_timeout(idle),
    )
    .await;
    let mut stream = harness.connect_tcp(addr).await.expect("connected");
    list_tools(harness, &mut stream, addr, "the first request").await;
    // Idle for twice the header timeout, well within the idle one: still open.
    sleep(harness, header_timeout * 2).await;
    list_tools(harness, &mut stream, addr, "a request after a pause").await;
    let since = Instant::now();
    expect_closed(harness, &mut stream, since, idle, "an idle connection").await;
}

/// An SSE response silent for far longer than every timeout, and a JSON response as
/// slow, are carried to their end.
pub async fn long_responses_outlive_every_timeout(harness: &dyn Harness) {
    let timeout = millis(300);
    let addr = serve(
        harness,
        ConnectionLimits::default()
            .with_header_read_timeout(timeout)
            .with_body_read_timeout(timeout)
            .with_idle_timeout(timeout),
    )
    .await;
    let mut call = modern(
        7,
        "tools/call",
        json!({"name": "pause", "arguments": {"millis": 2000}}),
    );
    call["params"]["_meta"]["progressToken"] = json!("p");
    let stream = call_pause(
        harness,
        addr,
        &call,
        2000,
        "an SSE response",
        "text/event-stream",
    )
    .await;
    let events: Vec<Value> = stream
        .lines()
        .filter_map(|line| line.strip_prefix("data: "))
        .filter_map(|data| serde_json::from_str(data).ok())
        .collect();
    let last = events.last().cloned().unwrap_or_default();
    assert_eq!(
        (
            events.len(),
            &last["id"],
            &last["result"]["content"][0]["text"]
        ),
        (3, &json!(7), &json!("paused")),
        "two progress events, the silence, then the response: {stream}"
    );

    let plain = modern(
        8,
        "tools/call",
        json!({"name": "pause", "arguments": {"millis": 1500}}),
    );
    let json = call_pause(
        harness,
        addr,
        &plain,
        1500,
        "a slow JSON response",
        "application/json",
    )
    .await;
    assert!(json.contains("paused"), "{json}");
}

/// POSTs `message`, a call of the `pause` tool for `pause` milliseconds, and returns
/// the body of its answer, which comes within the pause and some slack as a 200 of
/// `content_type`.
async fn call_pause(
    harness: &dyn Harness,
    addr: std::net::SocketAddr,
    message: &Value,
    pause: u64,
    what: &str,
    content_type: &str,
) -> String {
    let headers = [
        ("content-type", "application/json"),
        ("accept", "application/json, text/event-stream"),
        ("mcp-protocol-version", "2026-07-28"),
        ("mcp-method", "tools/call"),
        ("mcp-name", "pause"),
    ];
    in_time(harness, millis(pause) + SLACK * 2, what, async {
        let body = serde_json::to_vec(message).expect("json");
        let response = send(harness, addr, "POST", "/mcp", &headers, body).await;
        assert_eq!(response.status(), 200);
        assert_eq!(header(&response, "content-type"), content_type);
        body_text(response).await
    })
    .await
}

/// With two connections open at a cap of two, a third connects (the listen backlog) but
/// gets no answer while requests on the two are still served; once one of them closes,
/// the third is accepted and answered.
pub async fn connection_cap_queues_the_next_connection(harness: &dyn Harness) {
    let addr = serve(harness, ConnectionLimits::default().with_max_connections(2)).await;
    let mut first = harness.connect_tcp(addr).await.expect("connected");
    list_tools(harness, &mut first, addr, "the first connection").await;
    let mut second = harness.connect_tcp(addr).await.expect("connected");
    list_tools(harness, &mut second, addr, "the second connection").await;

    let mut third = harness
        .connect_tcp(addr)
        .await
        .expect("the backlog takes it");
    third.write_all(&tools_list(addr, 3)).await.expect("sent");
    let mut chunk = [0u8; 1024];
    let early = {
        let reading = third.read(&mut chunk);
        match select(reading, Box::pin(sleep(harness, millis(1000)))).await {
            Either::Left((read, _)) => Some(read.map(|read| chunk[..read].to_vec())),
            Either::Right(((), _)) => None,
        }
    };
    assert!(
        early.is_none(),
        "the third connection waits while the cap is full: {early:?}"
    );

    list_tools(harness, &mut first, addr, "the first connection, cap full").await;
    list_tools(
        harness,
        &mut second,
        addr,
        "the second connection, cap full",
    )
    .await;

    drop(first);
    let answer = in_time(
        harness,
        SLACK,
        "the third connection, once the first closed",
        read_response(&mut third),
    )
    .await
    .expect("an answer");
    assert_eq!(answer.status, 200, "{answer:?}");
    list_tools(harness, &mut third, addr, "the third connection again").await;
}

/// A body that ends (the client closes its side) before its `Content-Length` is a
/// `400`, never a `413`; a body over the endpoint's limit still is a `413`.
pub async fn short_body_is_a_bad_request(harness: &dyn Harness) {
    let endpoint = HttpEndpoint::new(&server(harness.runtime()), harness.runtime());
    let mut route = endpoint.route_config();
    route.max_body_bytes = 1000;
    let endpoint = endpoint.with_route_config(route);
    let addr = harness
        .serve_http_with(endpoint, ConnectionLimits::default())
        .await
        .expect("serving");

    let mut stream = harness.connect_tcp(addr).await.expect("connected");
    let mut request = post_head(addr, "tools/list", 100).into_bytes();
    request.extend_from_slice(br#"{"jsonrpc":"#);
    stream.write_all(&request).await.expect("sent");
    stream.close().await.expect("half-closed");
    let answer = in_time(harness, SLACK, "a short body", read_response(&mut stream)).await;
    if let Some(answer) = answer {
        assert_eq!(answer.status, 400, "a short body: {answer:?}");
        assert!(answer.body.contains("-32000"), "a short body: {answer:?}");
    }

    // Chunked, so that no declared length is refused before the body is read.
    let mut stream = harness.connect_tcp(addr).await.expect("connected");
    let head =
        post_head(addr, "tools/list", 0).replace("content-length: 0", "transfer-encoding: chunked");
    stream.write_all(head.as_bytes()).await.expect("sent");
    let chunk = format!("{:x}\r\n{}\r\n", 1500, " ".repeat(1500));
    stream.write_all(chunk.as_bytes()).await.expect("sent");
    let answer = in_time(harness, SLACK, "a long body", read_response(&mut stream))
        .await
        .expect("an answer");
    assert_eq!(answer.status, 413, "a long body: {answer:?}");
}
