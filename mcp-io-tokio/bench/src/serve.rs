//! What `bench-server` runs: either SDK's echo server on stdio or Streamable HTTP.
//!
//! Over HTTP both servers sit behind the same hyper 1.x HTTP/1.1 accept loop with
//! `TCP_NODELAY` on every accepted socket, so the comparison is of the MCP layers, not of
//! two different web stacks. An HTTP server prints `listening on <address>` on stdout once
//! bound and exits cleanly on SIGTERM (so callgrind writes its totals).

use std::convert::Infallible;
use std::io::{self, Write as _};
use std::net::SocketAddr;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::{BodyExt as _, Full};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use mcp_io_tokio::http::HttpServer;
use rmcp::ServiceExt;
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::{StreamableHttpServerConfig, StreamableHttpService};
use tokio::net::TcpListener;
use tokio::signal::unix::{SignalKind, signal};

use crate::echo::{ReferenceEcho, our_server};

/// Which SDK serves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sdk {
    /// This project (`mcp-proto` + `mcp-io-tokio`).
    Ours,
    /// rmcp 3.11.0.
    Reference,
    /// No MCP at all: the same accept loop answering every request with one fixed JSON
    /// body (an echo result), read to its end. The floor under the HTTP rows (HTTP only).
    Floor,
}

impl Sdk {
    /// The command-line spelling.
    pub fn argument(self) -> &'static str {
        match self {
            Sdk::Ours => "ours",
            Sdk::Reference => "rmcp",
            Sdk::Floor => "floor",
        }
    }

    /// Parses the command-line spelling.
    pub fn parse(text: &str) -> Option<Sdk> {
        match text {
            "ours" => Some(Sdk::Ours),
            "rmcp" => Some(Sdk::Reference),
            "floor" => Some(Sdk::Floor),
            _ => None,
        }
    }
}

/// How the server is reached.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Transport {
    /// Newline-delimited JSON on stdin/stdout.
    Stdio,
    /// Streamable HTTP on a loopback port.
    Http,
}

impl Transport {
    /// The command-line spelling.
    pub fn argument(self) -> &'static str {
        match self {
            Transport::Stdio => "stdio",
            Transport::Http => "http",
        }
    }

    /// Parses the command-line spelling.
    pub fn parse(text: &str) -> Option<Transport> {
        match text {
            "stdio" => Some(Transport::Stdio),
            "http" => Some(Transport::Http),
            _ => None,
        }
    }
}

/// The line an HTTP server prints once bound.
pub const LISTENING: &str = "listening on ";

/// Serves until stdin closes (stdio) or SIGTERM arrives (HTTP).
pub async fn serve(sdk: Sdk, transport: Transport, port: u16) -> io::Result<()> {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    match (sdk, transport) {
        (Sdk::Ours, Transport::Stdio) => mcp_io_tokio::serve_stdio(&our_server()).await,
        (Sdk::Reference, Transport::Stdio) => {
            let running = ReferenceEcho::default()
                .serve(rmcp::transport::stdio())
                .await
                .map_err(io::Error::other)?;
            running.waiting().await.map_err(io::Error::other)?;
            Ok(())
        }
        (Sdk::Ours, Transport::Http) => {
            let http = HttpServer::bind(&our_server(), addr).await?;
            announce(http.local_addr()?)?;
            until_terminated(http.run()).await
        }
        (Sdk::Reference, Transport::Http) => {
            let listener = TcpListener::bind(addr).await?;
            announce(listener.local_addr()?)?;
            until_terminated(serve_reference_http(listener)).await
        }
        (Sdk::Floor, Transport::Http) => {
            let listener = TcpListener::bind(addr).await?;
            announce(listener.local_addr()?)?;
            until_terminated(serve_floor(listener)).await
        }
        (Sdk::Floor, Transport::Stdio) => Err(io::Error::other("the floor serves HTTP only")),
    }
}

fn announce(addr: SocketAddr) -> io::Result<()> {
    let mut stdout = io::stdout().lock();
    writeln!(stdout, "{LISTENING}{addr}")?;
    stdout.flush()
}

async fn until_terminated(server: impl Future<Output = io::Result<()>>) -> io::Result<()> {
    let mut terminate = signal(SignalKind::terminate())?;
    tokio::select! {
        result = server => result,
        _ = terminate.recv() => Ok(()),
    }
}

/// rmcp's Streamable HTTP service in its default stateful mode (legacy sessions for
/// 2025-11-25 clients; 2026-07-28 requests are always served statelessly) with
/// `json_response` on, so a 2026-07-28 call is answered with one JSON body as ours is.
async fn serve_reference_http(listener: TcpListener) -> io::Result<()> {
    let config = StreamableHttpServerConfig::default().with_json_response(true);
    let service = StreamableHttpService::new(
        || Ok(ReferenceEcho::default()),
        Arc::new(LocalSessionManager::default()),
        config,
    );
    loop {
        let (stream, _) = listener.accept().await?;
        stream.set_nodelay(true)?;
        let service = service.clone();
        tokio::spawn(async move {
            let handler = service_fn(move |request| {
                let service = service.clone();
                async move { Ok::<_, Infallible>(service.handle(request).await) }
            });
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), handler)
                .await;
        });
    }
}

/// The answer of [`Sdk::Floor`]: what an echo call's result looks like.
const FLOOR_ANSWER: &str =
    r#"{"jsonrpc":"2.0","id":1,"result":{"content":[{"type":"text","text":"hello"}]}}"#;

/// [`Sdk::Floor`]: the accept loop of the two SDKs, reading each request's body and
/// answering it with [`FLOOR_ANSWER`].
async fn serve_floor(listener: TcpListener) -> io::Result<()> {
    loop {
        let (stream, _) = listener.accept().await?;
        stream.set_nodelay(true)?;
        tokio::spawn(async move {
            let handler = service_fn(
                |request: hyper::Request<hyper::body::Incoming>| async move {
                    let _ = request.into_body().collect().await;
                    hyper::Response::builder()
                        .header(hyper::header::CONTENT_TYPE, "application/json")
                        .body(Full::new(Bytes::from_static(FLOOR_ANSWER.as_bytes())))
                },
            );
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), handler)
                .await;
        });
    }
}
