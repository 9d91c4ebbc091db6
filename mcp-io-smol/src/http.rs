//! Streamable HTTP on hyper 1.x over `async-net`: accepting connections and translating
//! between hyper's request and response types and the driver's [`HttpEndpoint`]. No
//! protocol rule lives here: routing, headers, status codes and JSON-versus-SSE are all
//! the endpoint's.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;

use hyper::server::conn::http1;
use hyper::service::service_fn;
use mcp_driver::Runtime;
use mcp_driver::http::HttpEndpoint;
use mcp_driver::server::Server;
use smol::net::TcpListener;
use smol_hyper::rt::FuturesIo;

use crate::SmolRuntime;

pub use mcp_driver::hyper::{ResponseBody, serve};

/// A bound Streamable HTTP server, not yet accepting.
#[derive(Debug)]
pub struct HttpServer {
    listener: TcpListener,
    endpoint: Arc<HttpEndpoint>,
    /// Where each connection's task runs.
    runtime: SmolRuntime,
}

impl HttpServer {
    /// Binds `addr` for `server`. Bind to a loopback address for local use: the default
    /// Host/Origin allow-lists admit only localhost names.
    pub async fn bind(server: &Server, addr: SocketAddr) -> io::Result<Self> {
        Self::bind_endpoint(HttpEndpoint::new(server, SmolRuntime::shared()), addr).await
    }

    /// Binds `addr` for an endpoint configured by the caller (routing rules, session
    /// settings); make it with [`SmolRuntime::shared`] as its runtime (or the runtime
    /// given to [`Self::with_runtime`]).
    pub async fn bind_endpoint(endpoint: HttpEndpoint, addr: SocketAddr) -> io::Result<Self> {
        let listener = TcpListener::bind(addr).await?;
        Ok(HttpServer {
            listener,
            endpoint: Arc::new(endpoint),
            runtime: SmolRuntime::default(),
        })
    }

    /// Runs each connection's task on `runtime` instead of smol's global executor (pair
    /// it with an endpoint made on the same runtime).
    pub fn with_runtime(mut self, runtime: SmolRuntime) -> Self {
        self.runtime = runtime;
        self
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
            self.runtime.spawn(Box::pin(async move {
                let service = service_fn(move |request| serve(Arc::clone(&endpoint), request));
                let _ = http1::Builder::new()
                    .serve_connection(FuturesIo::new(stream), service)
                    .await;
            }));
        }
    }
}

/// Serves `server` on Streamable HTTP at `addr` (the MCP endpoint is every path).
pub async fn serve_http(server: &Server, addr: SocketAddr) -> io::Result<()> {
    HttpServer::bind(server, addr).await?.run().await
}
