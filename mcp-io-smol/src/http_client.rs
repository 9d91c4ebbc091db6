//! The Streamable HTTP client on hyper's HTTP/1.1 client connection over smol's
//! `TcpStream`: the driver's [`HttpTransport`] (moving requests and answers between the
//! driver and hyper, nothing more) and [`connect_http`]. Headers, statuses, SSE and
//! sessions are the driver's.
//!
//! Each request gets a connection of its own, kept until its answer's body ends: the
//! requests of one client run concurrently (a legacy session holds its `GET` stream open
//! while it posts), and no pool has to track which connection is free.

use std::io;
use std::sync::Arc;

use hyper::Uri;
use mcp_driver::Runtime;
use mcp_driver::client::http::{AnswerFuture, HttpRequest, HttpTransport};
use mcp_driver::client::{self, Client, ClientError, ClientHandlers};
use mcp_proto::client::ClientConfig;
use smol::net::TcpStream;
use smol_hyper::rt::FuturesIo;

use crate::SmolRuntime;

/// hyper's client connection bound to one MCP endpoint URL (`http://` only).
#[derive(Clone, Debug)]
pub struct HyperTransport {
    url: Uri,
    /// `host:port` to connect to.
    authority: String,
    /// Where each connection's task runs.
    runtime: SmolRuntime,
}

impl HyperTransport {
    /// A transport for the endpoint at `url` (`http://host:port/path`), its connections'
    /// tasks on `runtime`.
    pub fn new(url: &str, runtime: SmolRuntime) -> Result<Self, ClientError> {
        let invalid = |why: &str| ClientError::Failed(format!("invalid URL {url}: {why}"));
        let parsed: Uri = url.parse().map_err(|_| invalid("not a URI"))?;
        if parsed.scheme_str() != Some("http") {
            return Err(invalid("only http:// is supported"));
        }
        let host = parsed.host().ok_or_else(|| invalid("no host"))?;
        let port = parsed.port_u16().unwrap_or(80);
        Ok(HyperTransport {
            authority: format!("{host}:{port}"),
            url: parsed,
            runtime,
        })
    }
}

impl HttpTransport for HyperTransport {
    fn send(&self, request: HttpRequest) -> AnswerFuture {
        let mut built = mcp_driver::hyper::client_request(&self.url, request);
        if let (Ok(request), Some(authority)) = (&mut built, self.url.authority()) {
            if let Ok(host) = authority.as_str().parse() {
                request.headers_mut().insert(hyper::header::HOST, host);
            }
        }
        let authority = self.authority.clone();
        let runtime = self.runtime.clone();
        Box::pin(async move {
            let request = built.map_err(io::Error::other)?;
            let stream = TcpStream::connect(authority.as_str()).await?;
            // Small writes (one JSON-RPC message per POST) must not wait for Nagle's timer.
            stream.set_nodelay(true)?;
            let (mut sender, connection) =
                hyper::client::conn::http1::handshake(FuturesIo::new(stream))
                    .await
                    .map_err(io::Error::other)?;
            runtime.spawn(Box::pin(async move {
                let _ = connection.await;
            }));
            let response = sender
                .send_request(request)
                .await
                .map_err(io::Error::other)?;
            Ok(mcp_driver::hyper::client_answer(response))
        })
    }
}

impl SmolRuntime {
    /// [`connect_http`] with this runtime's tasks.
    pub async fn connect_http(
        &self,
        url: &str,
        config: ClientConfig,
        handlers: ClientHandlers,
    ) -> Result<Client, ClientError> {
        let transport = Arc::new(HyperTransport::new(url, self.clone())?);
        client::connect_http(config, handlers, self.clone().into_shared(), transport).await
    }
}

/// Connects to the MCP endpoint at `url` over Streamable HTTP, in the era `config`'s
/// mode chooses (probed, legacy or pinned); returns once negotiation is over.
pub async fn connect_http(
    url: &str,
    config: ClientConfig,
    handlers: ClientHandlers,
) -> Result<Client, ClientError> {
    SmolRuntime::default()
        .connect_http(url, config, handlers)
        .await
}
