//! The Streamable HTTP client on hyper-util's pooled client: the driver's
//! [`HttpTransport`] (moving requests and answers between the driver and hyper, nothing
//! more) and [`connect_http`]. Headers, statuses, SSE and sessions are the driver's.

use std::io;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::Full;
use hyper::Uri;
use hyper_util::client::legacy::Client as PooledClient;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use mcp_driver::client::http::{AnswerFuture, HttpRequest, HttpTransport};
use mcp_driver::client::{self, Client, ClientError, ClientHandlers};
use mcp_proto::client::ClientConfig;

use crate::TokioRuntime;

/// hyper-util's client bound to one MCP endpoint URL.
#[derive(Clone, Debug)]
pub struct HyperTransport {
    client: PooledClient<HttpConnector, Full<Bytes>>,
    url: Uri,
}

impl HyperTransport {
    /// A transport for the endpoint at `url` (`http://host:port/path`). Small writes
    /// (one JSON-RPC message per POST) go out at once: `TCP_NODELAY` is set.
    pub fn new(url: &str) -> Result<Self, ClientError> {
        let url: Uri = url
            .parse()
            .map_err(|error| ClientError::Failed(format!("invalid URL {url}: {error}")))?;
        let mut connector = HttpConnector::new();
        connector.set_nodelay(true);
        let client = PooledClient::builder(TokioExecutor::new()).build(connector);
        Ok(HyperTransport { client, url })
    }
}

impl HttpTransport for HyperTransport {
    fn send(&self, request: HttpRequest) -> AnswerFuture {
        let client = self.client.clone();
        let built = mcp_driver::hyper::client_request(&self.url, request);
        Box::pin(async move {
            let request = built.map_err(io::Error::other)?;
            let response = client.request(request).await.map_err(io::Error::other)?;
            Ok(mcp_driver::hyper::client_answer(response))
        })
    }
}

/// Connects to the MCP endpoint at `url` over Streamable HTTP, in the era `config`'s
/// mode chooses (probed, legacy or pinned); returns once negotiation is over.
pub async fn connect_http(
    url: &str,
    config: ClientConfig,
    handlers: ClientHandlers,
) -> Result<Client, ClientError> {
    let transport = Arc::new(HyperTransport::new(url)?);
    client::connect_http(config, handlers, TokioRuntime::shared(), transport).await
}
