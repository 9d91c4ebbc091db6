//! Runtime-neutral helpers of the scenarios: deadlines, sleeping, a raw HTTP/1.1 client
//! for probing servers, and an in-process byte pipe.

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
