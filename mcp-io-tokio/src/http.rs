//! Streamable HTTP on hyper 1.x: accepting connections and translating between hyper's
//! request and response types and the driver's [`HttpEndpoint`]. No protocol rule lives
//! here: routing, headers, status codes and JSON-versus-SSE are all the endpoint's.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use mcp_driver::http::HttpEndpoint;
use mcp_driver::server::Server;
use tokio::net::TcpListener;

use crate::TokioRuntime;

pub use mcp_driver::hyper::{ResponseBody, serve};

/// A bound Streamable HTTP server, not yet accepting.
#[derive(Debug)]
pub struct HttpServer {
    listener: TcpListener,
    endpoint: Arc<HttpEndpoint>,
}

impl HttpServer {
    /// Binds `addr` for `server`. Bind to a loopback address for local use: the default
    /// Host/Origin allow-lists admit only localhost names.
    pub async fn bind(server: &Server, addr: SocketAddr) -> io::Result<Self> {
        Self::bind_endpoint(HttpEndpoint::new(server, TokioRuntime::shared()), addr).await
    }

    /// Binds `addr` for an endpoint configured by the caller (routing rules, session
    /// settings); make it with [`TokioRuntime::shared`] as its runtime.
    pub async fn bind_endpoint(endpoint: HttpEndpoint, addr: SocketAddr) -> io::Result<Self> {
        let listener = TcpListener::bind(addr).await?;
        Ok(HttpServer {
            listener,
            endpoint: Arc::new(endpoint),
        })
    }

    /// The endpoint this server serves (its live session count, its rules).
    pub fn endpoint(&self) -> &Arc<HttpEndpoint> {
        &self.endpoint
    }

    /// The bound address (useful after binding port 0).
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Accepts connections until an accept fails.
    pub async fn run(self) -> io::Result<()> {
        loop {
            let (stream, _) = self.listener.accept().await?;
            // Small writes (SSE events, JSON bodies) must not wait for Nagle's timer.
            stream.set_nodelay(true)?;
            let endpoint = Arc::clone(&self.endpoint);
            tokio::spawn(async move {
                let service = service_fn(move |request| serve(Arc::clone(&endpoint), request));
                let _ = http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    }
}

/// Serves `server` on Streamable HTTP at `addr` (the MCP endpoint is every path).
pub async fn serve_http(server: &Server, addr: SocketAddr) -> io::Result<()> {
    HttpServer::bind(server, addr).await?.run().await
}
