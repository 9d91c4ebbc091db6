//! Runtime-neutral helpers of the scenarios: deadlines, sleeping, and a raw HTTP/1.1
//! client for probing servers.

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use bytes::Bytes;
use futures_util::future::{Either, select};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
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
    let mut request = hyper::Request::builder()
        .method(method)
        .uri(path)
        .header("host", addr.to_string());
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
