//! hyper 1.x glue shared by the runtime adapters (feature `hyper`): one request in,
//! through an [`HttpEndpoint`], one response out ([`serve`], [`serve_with`]); and one
//! accepted HTTP/1.1 connection served under its transport limits ([`serve_connection`],
//! [`ConnectionLimits`], [`ConnectionSlots`]). No socket and no runtime here: the
//! adapters accept connections and run each connection's task on their own executors;
//! the timers come from the endpoint's [`Runtime`].
//!
//! The limits are transport limits only (time to send a head, a body, the next request;
//! open connections): which requests are valid, and how a refusal reads, stay the
//! endpoint's.

use std::convert::Infallible;
use std::future::{Future, poll_fn};
use std::pin::{Pin, pin};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use bytes::Bytes;
use futures_util::StreamExt;
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full, LengthLimitError, Limited, StreamBody};
use hyper::body::{Body, Frame, Incoming, SizeHint};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};

use crate::http::{HttpEndpoint, HttpReply};
use crate::runtime::{Runtime, Timer};
use mcp_proto::http::{APPLICATION_JSON, HttpMethod, HttpResponse, RequestHead};

/// The body of every response: a complete buffer or an SSE stream.
pub type ResponseBody = BoxBody<Bytes, Infallible>;

/// The transport limits of an HTTP/1.1 server's connections: how long a client may take
/// to send a request head, a request body and (on a kept-alive connection) the start of
/// its next request, and how many connections may be open at once.
///
/// Without them an idle connection, a half-sent head or a half-sent body would hold a
/// socket and a task for ever, and open connections would be bounded only by the
/// file-descriptor limit (whose exhaustion fails every `accept`).
///
/// No timeout here cuts a response in progress: while a request is in flight (its
/// handler running, its SSE stream open for minutes, its body being written) none of them
/// runs, so long-lived streams of either era are never closed by these limits.
///
/// The defaults suit a server on the open network or behind a load balancer: 10 s for a
/// head, 30 s for a body, 75 s of keep-alive idleness (longer than the 60 s idle timeout
/// common among load balancers, so the server is not the side that closes a connection a
/// balancer is about to reuse), at most 1,024 connections. Each is set with a `with_*`
/// method; `None` removes a limit.
///
/// ```
/// use std::time::Duration;
/// use mcp_driver::hyper::ConnectionLimits;
///
/// // Behind a balancer that keeps idle upstream connections for 10 minutes.
/// let limits = ConnectionLimits::default()
///     .with_idle_timeout(Duration::from_secs(620))
///     .with_max_connections(10_000);
/// assert_eq!(limits.header_read_timeout, Some(Duration::from_secs(10)));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ConnectionLimits {
    /// How long a client has to send a complete request head: counted from the
    /// connection's acceptance for its first request, and from the first byte of the head
    /// for each later one. Past it the connection is closed without an answer (a client
    /// trickling its headers holds nothing for long). Default 10 s.
    pub header_read_timeout: Option<Duration>,
    /// How long a client has to send a request's whole body once its head has arrived.
    /// Past it the request is answered with the endpoint's `408` and the connection is
    /// closed. Default 30 s.
    pub body_read_timeout: Option<Duration>,
    /// How long a kept-alive connection with no request in flight may wait for the first
    /// byte of its next request before it is closed. Behind a load balancer that reuses
    /// connections, make it longer than the balancer's own idle timeout. Default 75 s.
    pub idle_timeout: Option<Duration>,
    /// The most connections open at once. When reached, the server stops accepting until
    /// one closes: further connections wait in the kernel's listen backlog (they are
    /// queued, not refused, and served in turn), while the open ones are served as
    /// usual. `Some(0)` counts as 1. Default 1,024.
    pub max_connections: Option<usize>,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        ConnectionLimits {
            header_read_timeout: Some(Duration::from_secs(10)),
            body_read_timeout: Some(Duration::from_secs(30)),
            idle_timeout: Some(Duration::from_secs(75)),
            max_connections: Some(1024),
        }
    }
}

impl ConnectionLimits {
    /// No limit at all: connections are held as long as their clients keep them, and
    /// accepted without bound (the behaviour of a bare hyper connection).
    pub fn unlimited() -> Self {
        ConnectionLimits {
            header_read_timeout: None,
            body_read_timeout: None,
            idle_timeout: None,
            max_connections: None,
        }
    }

    /// Sets [`Self::header_read_timeout`] (`None` removes it).
    pub fn with_header_read_timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.header_read_timeout = timeout.into();
        self
    }

    /// Sets [`Self::body_read_timeout`] (`None` removes it).
    pub fn with_body_read_timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.body_read_timeout = timeout.into();
        self
    }

    /// Sets [`Self::idle_timeout`] (`None` removes it).
    pub fn with_idle_timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.idle_timeout = timeout.into();
        self
    }

    /// Sets [`Self::max_connections`] (`None` removes it).
    pub fn with_max_connections(mut self, max: impl Into<Option<usize>>) -> Self {
        self.max_connections = max.into();
        self
    }
}

/// One request through the endpoint: a hyper/tower-compatible service body, for mounting
/// the endpoint into an existing hyper or axum application under any path. The body must
/// arrive within the default [`ConnectionLimits::body_read_timeout`]; [`serve_with`]
/// takes other limits.
pub async fn serve(
    endpoint: Arc<HttpEndpoint>,
    request: Request<Incoming>,
) -> Result<Response<ResponseBody>, Infallible> {
    serve_with(endpoint, ConnectionLimits::default(), request).await
}

/// [`serve`] under `limits`, of which one applies to a single request: the body must be
/// complete within [`ConnectionLimits::body_read_timeout`] of the call (when the head
/// has arrived), or the answer is the endpoint's `408`. A body that ends before its
/// declared length is the endpoint's `400`; one longer than the endpoint's limit its
/// `413`. After a `408` or a `400` the connection is closed, since the rest of the body
/// cannot be told from the next request.
pub async fn serve_with(
    endpoint: Arc<HttpEndpoint>,
    limits: ConnectionLimits,
    request: Request<Incoming>,
) -> Result<Response<ResponseBody>, Infallible> {
    let received = endpoint.runtime().now();
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
    let collect = Limited::new(body, endpoint.max_body_bytes()).collect();
    let deadline = limits
        .body_read_timeout
        .and_then(|timeout| received.checked_add(timeout));
    let body = match before(endpoint.runtime().as_ref(), deadline, collect).await {
        Some(Ok(collected)) => collected.to_bytes(),
        Some(Err(error)) if error.is::<LengthLimitError>() => {
            return Ok(complete(endpoint.body_too_large()));
        }
        // The connection broke or the client closed its side mid-body.
        Some(Err(_)) => return Ok(closing(complete(endpoint.body_incomplete()))),
        None => return Ok(closing(complete(endpoint.body_timed_out()))),
    };
    Ok(match endpoint.handle_checked(&head, &body).await {
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
    })
}

/// `future`'s output, or `None` if `deadline` passes first. The timer is made only if
/// the future is not ready at once (a small body usually arrives with its head).
async fn before<F: Future>(
    runtime: &dyn Runtime,
    deadline: Option<Instant>,
    future: F,
) -> Option<F::Output> {
    let mut future = pin!(future);
    let mut timer: Option<Pin<Box<dyn Timer>>> = None;
    poll_fn(|cx| {
        if let Poll::Ready(output) = future.as_mut().poll(cx) {
            return Poll::Ready(Some(output));
        }
        let Some(deadline) = deadline else {
            return Poll::Pending;
        };
        let timer = timer.get_or_insert_with(|| runtime.timer(deadline));
        timer.as_mut().poll_elapsed(cx).map(|()| None)
    })
    .await
}

/// `response` with `Connection: close`: the connection cannot carry another request.
fn closing(mut response: Response<ResponseBody>) -> Response<ResponseBody> {
    response.headers_mut().insert(
        hyper::header::CONNECTION,
        hyper::header::HeaderValue::from_static("close"),
    );
    response
}

fn complete(response: HttpResponse) -> Response<ResponseBody> {
    let mut out = Response::new(Full::new(Bytes::from(response.body)).boxed());
    *out.status_mut() = hyper::StatusCode::from_u16(response.status)
        .unwrap_or(hyper::StatusCode::INTERNAL_SERVER_ERROR);
    for (name, value) in response.headers {
        // Nearly every answer is JSON: its header needs no parsing.
        if name.eq_ignore_ascii_case("content-type") && value == APPLICATION_JSON {
            out.headers_mut().insert(
                hyper::header::CONTENT_TYPE,
                hyper::header::HeaderValue::from_static(APPLICATION_JSON),
            );
        } else if let Ok(value) = value.parse() {
            out.headers_mut().insert(name, value);
        }
    }
    out
}

/// Serves one accepted connection with `endpoint` until it closes: hyper's HTTP/1.1
/// server connection (keep-alive on) over `io`, each request through [`serve_with`], and
/// `limits`' timeouts kept by a watchdog beside it.
///
/// hyper's own `header_read_timeout` is left off: hyper 1.x arms it as soon as a
/// connection goes idle, so the wait for a kept-alive connection's next request would be
/// cut at the header timeout. Here the two are apart: the idle timeout runs while no
/// request is in flight and no byte of the next one has arrived, the header timeout from
/// the acceptance (first request) or from the first byte of a head, the body timeout in
/// [`serve_with`], and nothing while a request is in flight. A timed-out connection is
/// dropped (closed without an answer).
///
/// Returns when the connection has closed: by the client, by an I/O or protocol error
/// (a malformed head gets hyper's `400` first), or by a timeout.
pub async fn serve_connection<I>(endpoint: Arc<HttpEndpoint>, io: I, limits: ConnectionLimits)
where
    I: hyper::rt::Read + hyper::rt::Write + Unpin,
{
    let runtime = Arc::clone(endpoint.runtime());
    let watch = Arc::new(Watch {
        phase: Mutex::new(Phase::Waiting {
            since: runtime.now(),
            first: true,
        }),
        runtime: Arc::clone(&runtime),
    });
    let service = {
        let watch = Arc::clone(&watch);
        service_fn(move |request| {
            let in_flight = InFlight::begin(&watch);
            let endpoint = Arc::clone(&endpoint);
            async move {
                let response = serve_with(endpoint, limits, request).await?;
                Ok::<_, Infallible>(response.map(|body| Tracked {
                    body,
                    _in_flight: in_flight,
                }))
            }
        })
    };
    let io = WatchedIo {
        io,
        watch: Arc::clone(&watch),
    };
    let connection = http1::Builder::new()
        .header_read_timeout(None)
        .serve_connection(io, service);
    let mut connection = pin!(connection);
    let mut timer: Option<Pin<Box<dyn Timer>>> = None;
    let mut armed = None;
    // Every change of phase happens inside the connection's poll (hyper reads, calls the
    // service, drops a finished response body there), so the deadline read after it is
    // current.
    poll_fn(|cx| {
        if connection.as_mut().poll(cx).is_ready() {
            return Poll::Ready(());
        }
        let Some(deadline) = watch.deadline(&limits) else {
            return Poll::Pending;
        };
        let timer = match &mut timer {
            Some(timer) => {
                if armed != Some(deadline) {
                    timer.as_mut().reset(deadline);
                }
                timer
            }
            None => timer.insert(runtime.timer(deadline)),
        };
        armed = Some(deadline);
        // Elapsed: dropping the connection closes it.
        timer.as_mut().poll_elapsed(cx)
    })
    .await;
}

/// Where a connection is between requests, for its watchdog.
#[derive(Clone, Copy, Debug)]
enum Phase {
    /// No request in flight, and no byte of the next one read, since `since` (the
    /// acceptance when `first`).
    Waiting { since: Instant, first: bool },
    /// A request head began to arrive at `since`.
    Head { since: Instant },
    /// This many requests in flight (handed to the service, response not finished).
    Busy(usize),
}

/// A connection's phase, shared by its I/O, its service and its watchdog (all polled in
/// the connection's one task).
struct Watch {
    phase: Mutex<Phase>,
    runtime: Arc<dyn Runtime>,
}

impl Watch {
    fn phase(&self) -> MutexGuard<'_, Phase> {
        self.phase.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// When the connection is to be closed, if nothing changes first.
    fn deadline(&self, limits: &ConnectionLimits) -> Option<Instant> {
        let (since, timeout) = match *self.phase() {
            Phase::Waiting { since, first: true } | Phase::Head { since } => {
                (since, limits.header_read_timeout)
            }
            Phase::Waiting {
                since,
                first: false,
            } => (since, limits.idle_timeout),
            Phase::Busy(_) => return None,
        };
        since.checked_add(timeout?)
    }

    /// A read returned: bytes of a new head (or the end of the stream) have arrived.
    fn read(&self) {
        let mut phase = self.phase();
        if let Phase::Waiting { first: false, .. } = *phase {
            *phase = Phase::Head {
                since: self.runtime.now(),
            };
        }
    }
}

/// One request in flight on a connection: from the service call until its response body
/// is finished (dropped by hyper after its last frame) or abandoned.
struct InFlight(Arc<Watch>);

impl InFlight {
    fn begin(watch: &Arc<Watch>) -> Self {
        let mut phase = watch.phase();
        *phase = match *phase {
            Phase::Busy(count) => Phase::Busy(count.saturating_add(1)),
            _ => Phase::Busy(1),
        };
        drop(phase);
        InFlight(Arc::clone(watch))
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        let now = self.0.runtime.now();
        let mut phase = self.0.phase();
        *phase = match *phase {
            Phase::Busy(count) if count > 1 => Phase::Busy(count - 1),
            _ => Phase::Waiting {
                since: now,
                first: false,
            },
        };
    }
}

/// A response body that keeps its request in flight until it is finished.
struct Tracked {
    body: ResponseBody,
    _in_flight: InFlight,
}

impl Body for Tracked {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        Pin::new(&mut self.get_mut().body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

/// A connection's I/O, telling its watch when bytes arrive.
struct WatchedIo<I> {
    io: I,
    watch: Arc<Watch>,
}

impl<I: hyper::rt::Read + Unpin> hyper::rt::Read for WatchedIo<I> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: hyper::rt::ReadBufCursor<'_>,
    ) -> Poll<std::io::Result<()>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.io).poll_read(cx, buf);
        if let Poll::Ready(Ok(())) = polled {
            this.watch.read();
        }
        polled
    }
}

impl<I: hyper::rt::Write + Unpin> hyper::rt::Write for WatchedIo<I> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.get_mut().io).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_shutdown(cx)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.get_mut().io).poll_write_vectored(cx, bufs)
    }
}

/// The accept loop of an HTTP/1.1 server, written once for every adapter: takes a
/// [`ConnectionSlots`] slot before each accept (so at most
/// [`ConnectionLimits::max_connections`] are open and further clients wait in the
/// kernel's backlog), accepts with `accept` (which yields a connection ready for hyper:
/// the adapter wraps its socket and sets `TCP_NODELAY`), serves each connection with
/// [`serve_connection`] on a task of `spawner`, and after a failed accept waits as
/// [`accept_retry_delay`] says. It never returns.
pub async fn accept_loop<A, F, I>(
    endpoint: &Arc<HttpEndpoint>,
    limits: ConnectionLimits,
    spawner: &dyn Runtime,
    mut accept: A,
) -> std::io::Result<()>
where
    A: FnMut() -> F,
    F: Future<Output = std::io::Result<I>>,
    I: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let slots = ConnectionSlots::new(limits.max_connections);
    loop {
        let slot = slots.acquire().await;
        let io = match accept().await {
            Ok(io) => io,
            Err(error) => {
                drop(slot);
                let delay = accept_retry_delay(&error);
                if !delay.is_zero() {
                    crate::sleep(endpoint.runtime().as_ref(), delay).await;
                }
                continue;
            }
        };
        let endpoint = Arc::clone(endpoint);
        spawner.spawn(Box::pin(async move {
            serve_connection(endpoint, io, limits).await;
            drop(slot);
        }));
    }
}

/// What an accept loop does after `accept` failed with `error`: how long to wait before
/// accepting again. No accept error ends a server: one that concerns a single incoming
/// connection (reset or aborted before it was accepted, an interrupted call) is retried at
/// once; any other (out of file descriptors or memory, above all) is retried after a
/// second, by which time open connections may have closed; a server that stopped at the
/// first `EMFILE` would be down for good after one burst of clients.
pub fn accept_retry_delay(error: &std::io::Error) -> Duration {
    use std::io::ErrorKind;
    match error.kind() {
        ErrorKind::ConnectionAborted
        | ErrorKind::ConnectionReset
        | ErrorKind::ConnectionRefused
        | ErrorKind::Interrupted
        | ErrorKind::WouldBlock => Duration::ZERO,
        _ => Duration::from_secs(1),
    }
}

/// The open connections of one server, against [`ConnectionLimits::max_connections`]:
/// its accept loop takes a slot ([`Self::acquire`]) before each `accept` and hands it to
/// the connection's task, which frees it by dropping it when the connection ends. While
/// every slot is taken the loop does not accept, so new connections wait in the kernel's
/// listen backlog instead of being refused.
#[derive(Clone, Debug)]
pub struct ConnectionSlots {
    limit: Option<usize>,
    state: Arc<Mutex<SlotState>>,
}

#[derive(Debug, Default)]
struct SlotState {
    open: usize,
    /// The acceptors waiting for a slot.
    waiting: Vec<Waker>,
}

impl ConnectionSlots {
    /// Slots for at most `limit` open connections (`None`: any number; `Some(0)` counts
    /// as 1).
    pub fn new(limit: Option<usize>) -> Self {
        ConnectionSlots {
            limit: limit.map(|limit| limit.max(1)),
            state: Arc::default(),
        }
    }

    /// Waits for a free slot and takes it.
    pub async fn acquire(&self) -> ConnectionSlot {
        poll_fn(|cx| {
            let mut state = self.state();
            if self.limit.is_none_or(|limit| state.open < limit) {
                state.open = state.open.saturating_add(1);
                return Poll::Ready(ConnectionSlot {
                    state: Arc::clone(&self.state),
                });
            }
            if !state
                .waiting
                .iter()
                .any(|waker| waker.will_wake(cx.waker()))
            {
                state.waiting.push(cx.waker().clone());
            }
            Poll::Pending
        })
        .await
    }

    /// The number of slots taken: open connections.
    pub fn open(&self) -> usize {
        self.state().open
    }

    fn state(&self) -> MutexGuard<'_, SlotState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// One open connection's slot in its [`ConnectionSlots`]; dropping it frees the slot and
/// wakes a waiting acceptor.
#[derive(Debug)]
pub struct ConnectionSlot {
    state: Arc<Mutex<SlotState>>,
}

impl Drop for ConnectionSlot {
    fn drop(&mut self) {
        let waiting = {
            let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
            state.open = state.open.saturating_sub(1);
            std::mem::take(&mut state.waiting)
        };
        for waker in waiting {
            waker.wake();
        }
    }
}

/// The hyper request of an [`HttpRequest`](crate::client::http::HttpRequest) to the MCP
/// endpoint at `url`: for an adapter's
/// [`HttpTransport`](crate::client::http::HttpTransport) on a hyper client, which adds
/// `Host` (or lets its client add it) and sends it as it is.
pub fn client_request(
    url: &hyper::Uri,
    request: crate::client::http::HttpRequest,
) -> Result<Request<Full<Bytes>>, hyper::http::Error> {
    let mut builder = Request::builder()
        .method(request.method_name())
        .uri(url.clone());
    for (name, value) in &request.headers {
        builder = builder.header(name.as_str(), value.as_str());
    }
    builder.body(Full::new(Bytes::from(request.body)))
}

/// The [`HttpAnswer`](crate::client::http::HttpAnswer) of a hyper response: its status,
/// its headers and its body as a stream of chunks, read as they arrive (an SSE stream
/// stays open while the client loop reads it).
pub fn client_answer(response: Response<Incoming>) -> crate::client::http::HttpAnswer {
    let (parts, body) = response.into_parts();
    let headers = parts
        .headers
        .iter()
        .map(|(name, value)| (name.as_str().to_owned(), value.as_bytes().to_vec()))
        .collect();
    let chunks = body.into_data_stream().map(|chunk| {
        chunk
            .map(|bytes| bytes.to_vec())
            .map_err(std::io::Error::other)
    });
    crate::client::http::HttpAnswer::new(parts.status.as_u16(), headers, Box::pin(chunks))
}

#[cfg(test)]
mod tests {
    use futures_util::FutureExt;

    use super::*;

    #[test]
    fn accept_errors_of_one_connection_are_retried_at_once_and_others_after_a_pause() {
        use std::io::{Error, ErrorKind};
        for kind in [
            ErrorKind::ConnectionAborted,
            ErrorKind::ConnectionReset,
            ErrorKind::Interrupted,
        ] {
            assert_eq!(
                accept_retry_delay(&Error::from(kind)),
                Duration::ZERO,
                "{kind:?}"
            );
        }
        // EMFILE: too many open files.
        let exhausted = Error::from_raw_os_error(24);
        assert_eq!(accept_retry_delay(&exhausted), Duration::from_secs(1));
        assert_eq!(
            accept_retry_delay(&Error::from(ErrorKind::OutOfMemory)),
            Duration::from_secs(1)
        );
    }

    #[test]
    fn slots_stop_at_the_limit_and_free_on_drop() {
        let slots = ConnectionSlots::new(Some(2));
        let first = slots.acquire().now_or_never().expect("a free slot");
        let _second = slots.acquire().now_or_never().expect("a free slot");
        assert_eq!(slots.open(), 2);
        assert!(slots.acquire().now_or_never().is_none(), "full");
        drop(first);
        assert_eq!(slots.open(), 1);
        let _third = slots.acquire().now_or_never().expect("the freed slot");
        assert_eq!(slots.open(), 2);
    }

    #[test]
    fn no_limit_and_a_zero_limit() {
        let unlimited = ConnectionSlots::new(None);
        let held: Vec<_> = (0..100)
            .map(|_| unlimited.acquire().now_or_never().expect("a slot"))
            .collect();
        assert_eq!(unlimited.open(), held.len());
        let one = ConnectionSlots::new(Some(0));
        let _only = one.acquire().now_or_never().expect("zero counts as one");
        assert!(one.acquire().now_or_never().is_none());
    }

    #[test]
    fn limits_are_set_and_lifted() {
        let limits = ConnectionLimits::default()
            .with_header_read_timeout(Duration::from_secs(1))
            .with_body_read_timeout(None)
            .with_max_connections(5);
        assert_eq!(limits.header_read_timeout, Some(Duration::from_secs(1)));
        assert_eq!(limits.body_read_timeout, None);
        assert_eq!(limits.idle_timeout, Some(Duration::from_secs(75)));
        assert_eq!(limits.max_connections, Some(5));
        assert_eq!(
            ConnectionLimits::unlimited().with_idle_timeout(Duration::from_secs(2)),
            ConnectionLimits {
                idle_timeout: Some(Duration::from_secs(2)),
                ..ConnectionLimits::unlimited()
            }
        );
    }
}
