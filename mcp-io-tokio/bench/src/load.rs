//! The Streamable HTTP load generator: hyper 1.x HTTP/1.1 client connections with
//! `TCP_NODELAY` and keep-alive, one connection per task, the same pre-built request
//! bytes for either server, every response body read to its end (JSON or SSE).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use hdrhistogram::Histogram;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::{self, SendRequest};
use hyper::header::HeaderValue;
use hyper::{Request, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;
use tokio::sync::Barrier;

use crate::wire;

/// The session header of the legacy path.
const SESSION_HEADER: &str = "mcp-session-id";

/// Which Streamable HTTP path the requests take.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HttpPath {
    /// 2026-07-28: stateless POSTs carrying `_meta` and the `Mcp-*` headers.
    Modern,
    /// 2025-11-25: `initialize` and `notifications/initialized` per connection, then
    /// calls carrying `Mcp-Session-Id`.
    Legacy,
}

/// Why load could not be generated.
#[derive(Debug)]
pub enum LoadError {
    /// The server answered `initialize` with this error status: the path is not served.
    Refused(StatusCode),
    /// Anything else: connection, protocol or a malformed answer.
    Failed(String),
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LoadError::Refused(status) => write!(f, "initialize refused with {status}"),
            LoadError::Failed(reason) => f.write_str(reason),
        }
    }
}

impl std::error::Error for LoadError {}

fn failed(error: impl std::fmt::Display) -> LoadError {
    LoadError::Failed(error.to_string())
}

/// The request bodies and headers, built once per server address.
#[derive(Debug, Clone)]
pub struct Requests {
    host: HeaderValue,
    modern_call: Bytes,
    legacy_initialize: Bytes,
    legacy_initialized: Bytes,
    legacy_call: Bytes,
}

impl Requests {
    /// The requests for a server at `addr`.
    pub fn new(addr: SocketAddr) -> Result<Requests, LoadError> {
        Ok(Requests {
            host: HeaderValue::try_from(addr.to_string()).map_err(failed)?,
            modern_call: Bytes::from(wire::modern_call()),
            legacy_initialize: Bytes::from(wire::legacy_initialize()),
            legacy_initialized: Bytes::from(wire::legacy_initialized()),
            legacy_call: Bytes::from(wire::legacy_call()),
        })
    }

    fn post(&self, body: &Bytes) -> hyper::http::request::Builder {
        Request::post("/mcp")
            .header("host", self.host.clone())
            .header("content-type", "application/json")
            .header("accept", "application/json, text/event-stream")
            .header("content-length", body.len())
    }

    /// The `tools/call echo` of `path`; `session` is the legacy session id.
    pub fn call(
        &self,
        path: HttpPath,
        session: Option<&HeaderValue>,
    ) -> Result<Request<Full<Bytes>>, LoadError> {
        let request = match (path, session) {
            (HttpPath::Modern, _) => self
                .post(&self.modern_call)
                .header("mcp-protocol-version", wire::MODERN_VERSION)
                .header("mcp-method", "tools/call")
                .header("mcp-name", "echo")
                .body(Full::new(self.modern_call.clone())),
            (HttpPath::Legacy, Some(session)) => self
                .post(&self.legacy_call)
                .header("mcp-protocol-version", wire::LEGACY_VERSION)
                .header(SESSION_HEADER, session.clone())
                .body(Full::new(self.legacy_call.clone())),
            (HttpPath::Legacy, None) => return Err(failed("a legacy call needs a session")),
        };
        request.map_err(failed)
    }

    fn initialize(&self) -> Result<Request<Full<Bytes>>, LoadError> {
        self.post(&self.legacy_initialize)
            .body(Full::new(self.legacy_initialize.clone()))
            .map_err(failed)
    }

    fn initialized(&self, session: &HeaderValue) -> Result<Request<Full<Bytes>>, LoadError> {
        self.post(&self.legacy_initialized)
            .header("mcp-protocol-version", wire::LEGACY_VERSION)
            .header(SESSION_HEADER, session.clone())
            .body(Full::new(self.legacy_initialized.clone()))
            .map_err(failed)
    }
}

/// One keep-alive HTTP/1.1 connection.
pub type Connection = SendRequest<Full<Bytes>>;

/// Opens a connection with `TCP_NODELAY` (without it, responses written in several
/// small pieces wait for delayed ACKs, about 40 ms each).
pub async fn connect(addr: SocketAddr) -> Result<Connection, LoadError> {
    let stream = TcpStream::connect(addr).await.map_err(failed)?;
    stream.set_nodelay(true).map_err(failed)?;
    let (sender, connection) = http1::handshake(TokioIo::new(stream))
        .await
        .map_err(failed)?;
    tokio::spawn(connection);
    Ok(sender)
}

/// A response read to its end.
#[derive(Debug)]
pub struct Reply {
    /// The status.
    pub status: StatusCode,
    /// The `Mcp-Session-Id` header, if any.
    pub session: Option<HeaderValue>,
    /// The whole body.
    pub body: Bytes,
}

/// Sends one request and reads the whole response.
pub async fn exchange(
    connection: &mut Connection,
    request: Request<Full<Bytes>>,
) -> Result<Reply, LoadError> {
    connection.ready().await.map_err(failed)?;
    let response = connection.send_request(request).await.map_err(failed)?;
    let status = response.status();
    let session = response.headers().get(SESSION_HEADER).cloned();
    let body = response
        .into_body()
        .collect()
        .await
        .map_err(failed)?
        .to_bytes();
    Ok(Reply {
        status,
        session,
        body,
    })
}

/// `initialize` then `notifications/initialized` on `connection`: the new session's id.
pub async fn open_session(
    connection: &mut Connection,
    requests: &Requests,
) -> Result<HeaderValue, LoadError> {
    let reply = exchange(connection, requests.initialize()?).await?;
    if !reply.status.is_success() {
        return Err(LoadError::Refused(reply.status));
    }
    let session = reply
        .session
        .ok_or_else(|| failed("initialize answered without Mcp-Session-Id"))?;
    let reply = exchange(connection, requests.initialized(&session)?).await?;
    if !reply.status.is_success() {
        return Err(failed(format!(
            "notifications/initialized answered {}",
            reply.status
        )));
    }
    Ok(session)
}

/// Sends `calls` sequential calls on one connection; every answer must be 200.
pub async fn call_sequentially(
    connection: &mut Connection,
    requests: &Requests,
    path: HttpPath,
    session: Option<&HeaderValue>,
    calls: u64,
) -> Result<(), LoadError> {
    for _ in 0..calls {
        let reply = exchange(connection, requests.call(path, session)?).await?;
        if reply.status != StatusCode::OK {
            return Err(failed(format!("tools/call answered {}", reply.status)));
        }
    }
    Ok(())
}

/// What one load run measured.
#[derive(Debug)]
pub struct LoadReport {
    /// Successful calls inside the measured window.
    pub calls: u64,
    /// Non-200 answers inside the measured window.
    pub failures: u64,
    /// The measured window.
    pub window: Duration,
    /// Latency of each successful call, in nanoseconds.
    pub latency: Histogram<u64>,
}

impl LoadReport {
    /// Calls per second.
    pub fn rate(&self) -> f64 {
        self.calls as f64 / self.window.as_secs_f64()
    }

    /// The latency at `quantile` (0.5, 0.99), in microseconds.
    pub fn micros_at(&self, quantile: f64) -> f64 {
        self.latency.value_at_quantile(quantile) as f64 / 1000.0
    }
}

/// How a load run is shaped.
#[derive(Clone, Copy, Debug)]
pub struct LoadShape {
    /// Concurrent connections, one task each.
    pub connections: usize,
    /// Calls before the measured window starts.
    pub warmup: Duration,
    /// The measured window.
    pub window: Duration,
}

/// Runs `shape.connections` tasks, each on its own connection (with its own session on
/// the legacy path), calling back to back: a warm-up, then the measured window.
pub async fn run(
    addr: SocketAddr,
    path: HttpPath,
    shape: LoadShape,
) -> Result<LoadReport, LoadError> {
    let requests = Arc::new(Requests::new(addr)?);
    let barrier = Arc::new(Barrier::new(shape.connections));
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..shape.connections {
        let (requests, barrier) = (Arc::clone(&requests), Arc::clone(&barrier));
        tasks.spawn(async move {
            let setup = async {
                let mut connection = connect(addr).await?;
                let session = match path {
                    HttpPath::Modern => None,
                    HttpPath::Legacy => Some(open_session(&mut connection, &requests).await?),
                };
                Ok::<_, LoadError>((connection, session))
            }
            .await;
            // Everyone passes the barrier, failed or not, so nobody waits forever.
            barrier.wait().await;
            let (connection, session) = setup?;
            drive(connection, &requests, path, session, shape).await
        });
    }
    let mut total = LoadReport {
        calls: 0,
        failures: 0,
        window: shape.window,
        latency: new_histogram()?,
    };
    while let Some(joined) = tasks.join_next().await {
        let report = joined.map_err(failed)??;
        total.calls += report.calls;
        total.failures += report.failures;
        total.latency.add(&report.latency).map_err(failed)?;
    }
    Ok(total)
}

fn new_histogram() -> Result<Histogram<u64>, LoadError> {
    // 1 ns to 60 s at three significant digits.
    Histogram::new_with_bounds(1, 60_000_000_000, 3).map_err(failed)
}

async fn drive(
    mut connection: Connection,
    requests: &Requests,
    path: HttpPath,
    session: Option<HeaderValue>,
    shape: LoadShape,
) -> Result<LoadReport, LoadError> {
    let mut report = LoadReport {
        calls: 0,
        failures: 0,
        window: shape.window,
        latency: new_histogram()?,
    };
    let measured_from = Instant::now() + shape.warmup;
    let until = measured_from + shape.window;
    loop {
        let sent = Instant::now();
        if sent >= until {
            return Ok(report);
        }
        let reply = exchange(&mut connection, requests.call(path, session.as_ref())?).await?;
        if sent < measured_from {
            continue;
        }
        if reply.status == StatusCode::OK {
            report.calls += 1;
            let nanos = u64::try_from(sent.elapsed().as_nanos()).unwrap_or(u64::MAX);
            report.latency.saturating_record(nanos.max(1));
        } else {
            report.failures += 1;
        }
    }
}
