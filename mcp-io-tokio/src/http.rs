//! Streamable HTTP on hyper 1.x: accepting connections and translating between hyper's
//! request and response types and the driver's [`HttpEndpoint`]. No protocol rule lives
//! here: routing, headers, status codes and JSON-versus-SSE are all the endpoint's.
//!
//! Every connection is served under [`ConnectionLimits`] (the driver's
//! [`serve_connection`](mcp_driver::hyper::serve_connection)): by default a request head must arrive within 10 s, its body
//! within 30 s, a kept-alive connection is closed after 75 s without a request, and at
//! most 1,024 connections are open at once (further ones wait in the listen backlog).
//! Responses in progress, SSE streams included, are never cut by these limits.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;

use hyper_util::rt::TokioIo;
use mcp_driver::http::HttpEndpoint;
use mcp_driver::hyper::accept_loop;
use mcp_driver::server::Server;
use tokio::net::TcpListener;

use crate::TokioRuntime;

pub use mcp_driver::hyper::{ConnectionLimits, ResponseBody, serve, serve_with};

/// A bound Streamable HTTP server, not yet accepting.
#[derive(Debug)]
pub struct HttpServer {
    listener: TcpListener,
    endpoint: Arc<HttpEndpoint>,
    limits: ConnectionLimits,
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
            limits: ConnectionLimits::default(),
        })
    }

    /// Serves every connection under `limits` instead of [`ConnectionLimits::default`]
    /// (header, body and keep-alive timeouts; the most open connections).
    pub fn with_connection_limits(mut self, limits: ConnectionLimits) -> Self {
        self.limits = limits;
        self
    }

    /// The connection limits in force.
    pub fn connection_limits(&self) -> ConnectionLimits {
        self.limits
    }

    /// The endpoint this server serves (its live session count, its rules).
    pub fn endpoint(&self) -> &Arc<HttpEndpoint> {
        &self.endpoint
    }

    /// The bound address (useful after binding port 0).
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Accepts connections for ever. With [`ConnectionLimits::max_connections`] open it
    /// stops accepting until one closes; after a failed accept it waits as
    /// [`accept_retry_delay`](mcp_driver::hyper::accept_retry_delay) says (a second when out of file descriptors) and goes on.
    pub async fn run(self) -> io::Result<()> {
        let listener = &self.listener;
        accept_loop(&self.endpoint, self.limits, &TokioRuntime, || async move {
            let (stream, _) = listener.accept().await?;
            // Small writes (SSE events, JSON bodies) must not wait for Nagle's timer. A
            // socket the peer has already reset may refuse it: the connection then ends
            // on its own.
            let _ = stream.set_nodelay(true);
            Ok(TokioIo::new(stream))
        })
        .await
    }
}

/// Serves `server` on Streamable HTTP at `addr` (the MCP endpoint is every path), under
/// the default [`ConnectionLimits`].
pub async fn serve_http(server: &Server, addr: SocketAddr) -> io::Result<()> {
    HttpServer::bind(server, addr).await?.run().await
}
