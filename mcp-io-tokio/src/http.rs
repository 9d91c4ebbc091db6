//! Streamable HTTP on hyper 1.x: accepting connections and translating between hyper's
//! request and response types and the driver's [`HttpEndpoint`]. No protocol rule lives
//! here: routing, headers, status codes and JSON-versus-SSE are all the endpoint's.

use std::convert::Infallible;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;

use bytes::Bytes;
use futures_util::StreamExt;
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full, Limited, StreamBody};
use hyper::body::{Frame, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use mcp_proto::driver::http::{HttpEndpoint, HttpReply};
use mcp_proto::driver::server::Server;
use mcp_proto::http::{HttpMethod, HttpResponse, RequestHead};
use tokio::net::TcpListener;

use crate::TokioRuntime;

/// The body of every response: a complete buffer or an SSE stream.
pub type ResponseBody = BoxBody<Bytes, Infallible>;

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

/// One request through the endpoint: a hyper/tower-compatible service body, for mounting
/// the endpoint into an existing hyper or axum application under any path.
pub async fn serve(
    endpoint: Arc<HttpEndpoint>,
    request: Request<Incoming>,
) -> Result<Response<ResponseBody>, Infallible> {
    let (parts, body) = request.into_parts();
    let headers: Vec<(&str, &[u8])> = parts
        .headers
        .iter()
        .map(|(name, value)| (name.as_str(), value.as_bytes()))
        .collect();
    let head = RequestHead::new(
        HttpMethod::parse(parts.method.as_str()),
        parts.uri.path(),
        &headers,
    );
    if let Err(refusal) = endpoint.check_head(&head) {
        return Ok(complete(refusal));
    }
    let body = match Limited::new(body, endpoint.max_body_bytes())
        .collect()
        .await
    {
        Ok(collected) => collected.to_bytes(),
        Err(_) => return Ok(complete(endpoint.body_too_large())),
    };
    Ok(match endpoint.handle(&head, &body).await {
        HttpReply::Complete(response) => complete(response),
        HttpReply::Stream { headers, body } => {
            let frames = body.map(|chunk| Ok::<_, Infallible>(Frame::data(Bytes::from(chunk))));
            let mut response = Response::new(BodyExt::boxed(StreamBody::new(frames)));
            for (name, value) in headers {
                if let Ok(value) = value.parse() {
                    response.headers_mut().insert(name, value);
                }
            }
            response
        }
        _ => complete(HttpResponse::empty(500)),
    })
}

fn complete(response: HttpResponse) -> Response<ResponseBody> {
    let mut out = Response::new(Full::new(Bytes::from(response.body)).boxed());
    *out.status_mut() = hyper::StatusCode::from_u16(response.status)
        .unwrap_or(hyper::StatusCode::INTERNAL_SERVER_ERROR);
    for (name, value) in response.headers {
        if let Ok(value) = value.parse() {
            out.headers_mut().insert(name, value);
        }
    }
    out
}
