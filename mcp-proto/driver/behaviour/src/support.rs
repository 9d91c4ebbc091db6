//! Runtime-neutral helpers of the scenarios: deadlines, sleeping, a raw HTTP/1.1 client
//! for probing servers (whole bodies, or SSE streams read one event at a time), and an
//! in-process byte pipe.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures_util::future::{Either, select};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use mcp_driver::Runtime;
use serde_json::Value;
use smol_hyper::rt::FuturesIo;

use crate::harness::Harness;

/// Runs `future`, failing the scenario with `what` if it takes longer than `limit`.
pub async fn in_time<T>(
    harness: &dyn Harness,
    limit: Duration,
    what: &str,
    future: impl Future<Output = T>,
) -> T {
    let runtime = harness.runtime();
    let timer = mcp_driver::sleep(runtime.as_ref(), limit);
    match select(std::pin::pin!(future), std::pin::pin!(timer)).await {
        Either::Left((value, _)) => value,
        Either::Right(((), _)) => panic!("{what}: not done within {limit:?}"),
    }
}

/// Waits `duration` on the harness's runtime.
pub async fn sleep(harness: &dyn Harness, duration: Duration) {
    let runtime = harness.runtime();
    mcp_driver::sleep(runtime.as_ref(), duration).await;
}

/// Sends one raw HTTP/1.1 request to `addr` on a connection of its own and returns the
/// response with its body unread.
pub async fn send(
    harness: &dyn Harness,
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Vec<u8>,
) -> hyper::Response<Incoming> {
    let stream = harness.connect_tcp(addr).await.expect("connected");
    let (mut sender, connection) = hyper::client::conn::http1::handshake(FuturesIo::new(stream))
        .await
        .expect("an HTTP/1.1 connection");
    harness.runtime().spawn(Box::pin(async move {
        let _ = connection.await;
    }));
    let mut request = hyper::Request::builder().method(method).uri(path);
    // The address as Host, unless the caller sends its own.
    if !headers
        .iter()
        .any(|(name, _)| name.eq_ignore_ascii_case("host"))
    {
        request = request.header("host", addr.to_string());
    }
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let request = request
        .body(Full::new(Bytes::from(body)))
        .expect("a request");
    sender.send_request(request).await.expect("a response")
}

/// The whole body of `response`, as text.
pub async fn body_text(response: hyper::Response<Incoming>) -> String {
    let body = response
        .into_body()
        .collect()
        .await
        .expect("a body")
        .to_bytes();
    String::from_utf8_lossy(&body).into_owned()
}

/// The value of header `name` in `response`, or "".
pub fn header(response: &hyper::Response<Incoming>, name: &str) -> String {
    response
        .headers()
        .get(name)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// Polls `unfinished` while `meanwhile` runs and returns what `meanwhile` gives;
/// `unfinished` must not finish first (`what` names it). Dropping it afterwards is like
/// aborting a task that ran it (so box it: dropping a `pin!`ned reference drops nothing).
pub async fn alongside<F: Future + Unpin, T>(
    unfinished: &mut F,
    what: &str,
    meanwhile: impl Future<Output = T>,
) -> T {
    match select(unfinished, std::pin::pin!(meanwhile)).await {
        Either::Left(_) => panic!("{what} finished"),
        Either::Right((value, _)) => value,
    }
}

/// How long a streamed body may stay quiet before [`Open`] gives up on it.
const QUIET_LIMIT: Duration = Duration::from_secs(10);

/// `future`'s output, or `None` once `limit` has passed on `runtime`.
async fn within<T>(
    runtime: &dyn Runtime,
    limit: Duration,
    future: impl Future<Output = T>,
) -> Option<T> {
    let timer = mcp_driver::sleep(runtime, limit);
    match select(std::pin::pin!(future), std::pin::pin!(timer)).await {
        Either::Left((value, _)) => Some(value),
        Either::Right(((), _)) => None,
    }
}

/// Sends one raw request to the MCP path (`/mcp`) of `addr` with `body` as JSON (none
/// when it is `null`) and returns the response with its body to be read on demand.
pub async fn open(
    harness: &dyn Harness,
    addr: SocketAddr,
    method: &str,
    headers: &[(&str, &str)],
    body: &Value,
) -> Open {
    let bytes = if body.is_null() {
        Vec::new()
    } else {
        serde_json::to_vec(body).expect("json")
    };
    let response = in_time(
        harness,
        QUIET_LIMIT,
        "the response head",
        send(harness, addr, method, "/mcp", headers, bytes),
    )
    .await;
    Open::new(harness, response)
}

/// A response whose body is read on demand: whole, or one SSE event at a time. A body
/// quiet for ten seconds fails the scenario (or, for [`Open::keep_alive_arrives`], is a
/// `false`).
pub struct Open {
    pub status: u16,
    pub headers: hyper::HeaderMap,
    body: Incoming,
    buffer: String,
    runtime: Arc<dyn Runtime>,
}

impl Open {
    /// `response`, its body unread.
    pub fn new(harness: &dyn Harness, response: hyper::Response<Incoming>) -> Open {
        let (parts, body) = response.into_parts();
        Open {
            status: parts.status.as_u16(),
            headers: parts.headers,
            body,
            buffer: String::new(),
            runtime: harness.runtime(),
        }
    }

    /// The value of header `name`, or "".
    pub fn header(&self, name: &str) -> String {
        self.headers
            .get(name)
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    }

    /// Reads the next chunk of the body into the buffer: false when the body ends (or
    /// breaks), `None` when it stays quiet for `limit`.
    async fn read_more(&mut self, limit: Duration) -> Option<bool> {
        let frame = within(self.runtime.as_ref(), limit, self.body.frame()).await?;
        let Some(Ok(frame)) = frame else {
            return Some(false);
        };
        if let Ok(data) = frame.into_data() {
            self.buffer.push_str(&String::from_utf8_lossy(&data));
        }
        Some(true)
    }

    /// Reads until the next complete SSE event, skipping keep-alive comments; `None`
    /// when the body ends first.
    pub async fn next_event(&mut self) -> Option<Event> {
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let event = Event::parse(&block);
                if event.is_comment() {
                    continue;
                }
                return Some(event);
            }
            let more = self.read_more(QUIET_LIMIT).await;
            if !more.expect("the stream went quiet") {
                return None;
            }
        }
    }

    /// The JSON `data` of the next SSE event that has some (skipping the priming event
    /// and comments); `None` when the body ends first.
    pub async fn next_message(&mut self) -> Option<Value> {
        loop {
            let event = self.next_event().await?;
            if event.data.as_deref().is_some_and(|data| !data.is_empty()) {
                return Some(event.json());
            }
        }
    }

    /// Reads until a keep-alive comment arrives, skipping events; false when the body
    /// ends or stays quiet first.
    pub async fn keep_alive_arrives(&mut self) -> bool {
        loop {
            if let Some(end) = self.buffer.find('\n') {
                let line: String = self.buffer.drain(..end + 1).collect();
                if line.starts_with(':') {
                    return true;
                }
                continue;
            }
            if self.read_more(QUIET_LIMIT).await != Some(true) {
                return false;
            }
        }
    }

    /// The rest of the body, as text.
    pub async fn text(mut self) -> String {
        while self
            .read_more(QUIET_LIMIT)
            .await
            .expect("the body went quiet")
        {}
        self.buffer
    }

    /// The rest of the body as JSON, or `null` if it is not.
    pub async fn json(self) -> Value {
        serde_json::from_str(&self.text().await).unwrap_or(Value::Null)
    }
}

/// One SSE event.
#[derive(Debug, Default)]
pub struct Event {
    pub id: Option<String>,
    pub data: Option<String>,
    pub retry: Option<u64>,
    /// Whether it has a comment line.
    pub comment: bool,
}

impl Event {
    /// The event of one block of lines.
    pub fn parse(block: &str) -> Event {
        let mut event = Event::default();
        for line in block.lines() {
            if line.starts_with(':') {
                event.comment = true;
            } else if let Some(id) = line.strip_prefix("id:") {
                event.id = Some(id.trim().to_owned());
            } else if let Some(data) = line.strip_prefix("data:") {
                event.data = Some(data.trim().to_owned());
            } else if let Some(retry) = line.strip_prefix("retry:") {
                event.retry = retry.trim().parse().ok();
            }
        }
        event
    }

    /// Whether it is only a comment (a keep-alive).
    pub fn is_comment(&self) -> bool {
        self.comment && self.id.is_none() && self.data.is_none() && self.retry.is_none()
    }

    /// Its data as JSON, or `null`.
    pub fn json(&self) -> Value {
        serde_json::from_str(self.data.as_deref().unwrap_or_default()).unwrap_or(Value::Null)
    }
}

pub use pipe::{PipeEnd, duplex};

mod pipe {
    use std::io;
    use std::pin::Pin;
    use std::task::{Context, Poll, ready};

    use futures_channel::mpsc;
    use futures_io::{AsyncRead, AsyncWrite};
    use futures_util::StreamExt;

    /// One end of an in-process byte pipe (see [`duplex`]): what one end writes, the other
    /// reads. Dropping or closing an end is the other's end of input.
    #[derive(Debug)]
    pub struct PipeEnd {
        incoming: mpsc::UnboundedReceiver<Vec<u8>>,
        /// The chunk being read, and how much of it has been.
        chunk: Vec<u8>,
        offset: usize,
        outgoing: mpsc::UnboundedSender<Vec<u8>>,
    }

    /// A pair of connected byte streams, for a client and a server in one process over a
    /// real byte stream (framing included), on any runtime.
    pub fn duplex() -> (PipeEnd, PipeEnd) {
        let (a_out, b_in) = mpsc::unbounded();
        let (b_out, a_in) = mpsc::unbounded();
        let end = |incoming, outgoing| PipeEnd {
            incoming,
            chunk: Vec::new(),
            offset: 0,
            outgoing,
        };
        (end(a_in, a_out), end(b_in, b_out))
    }

    impl AsyncRead for PipeEnd {
        fn poll_read(
            self: Pin<&mut Self>,
            cx: &mut Context<'_>,
            buf: &mut [u8],
        ) -> Poll<io::Result<usize>> {
            let this = self.get_mut();
            while this.offset == this.chunk.len() {
                match ready!(this.incoming.poll_next_unpin(cx)) {
                    Some(chunk) => {
                        this.chunk = chunk;
                        this.offset = 0;
                    }
                    None => return Poll::Ready(Ok(0)),
                }
            }
            let available = &this.chunk[this.offset..];
            let count = available.len().min(buf.len());
            buf[..count].copy_from_slice(&available[..count]);
            this.offset += count;
            Poll::Ready(Ok(count))
        }
    }

    impl AsyncWrite for PipeEnd {
        fn poll_write(
            self: Pin<&mut Self>,
            _cx: &mut Context<'_>,
            data: &[u8],
        ) -> Poll<io::Result<usize>> {
            if data.is_empty() {
                return Poll::Ready(Ok(0));
            }
            let sent = self
                .outgoing
                .unbounded_send(data.to_vec())
                .map(|()| data.len())
                .map_err(|_| io::Error::from(io::ErrorKind::BrokenPipe));
            Poll::Ready(sent)
        }

        fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
            Poll::Ready(Ok(()))
        }

        fn poll_close(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
            self.outgoing.close_channel();
            Poll::Ready(Ok(()))
        }
    }
}

/// What a scenario's client connects to.
pub enum Target<'a> {
    /// The server a fixture builds (in a child process over its stdio).
    Fixture(&'a crate::harness::Fixture),
    /// A server built by the scenario (only over an in-process link).
    Server(&'a mcp_driver::server::Server),
}

/// A client configured by `config`, with no handlers, connected to `target` over `link`.
pub async fn connect(
    harness: &dyn Harness,
    link: crate::harness::Link,
    target: Target<'_>,
    config: mcp_proto::client::ClientConfig,
) -> crate::harness::Connection {
    use crate::harness::Connection;
    let handlers = mcp_driver::client::ClientHandlers::new();
    let opened = match target {
        Target::Fixture(fixture) => {
            Connection::open(harness, link, fixture, config, handlers).await
        }
        Target::Server(server) => {
            Connection::open_in_process(harness, link, server, config, handlers).await
        }
    };
    opened.expect("connected")
}
