//! One 2026-07-28 exchange: an [`HttpExchange`] (which decides JSON or SSE, and when a
//! keep-alive comment is due) driven together with its request's handler, in the task of
//! the HTTP request itself until the response's head is known, then (for a stream) in a
//! task of its own that forwards the body. Dropping the stream (the client went away)
//! drops the exchange and with it the handler.

use std::future::poll_fn;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use futures_channel::mpsc;
use futures_util::SinkExt;

use crate::http::{HttpEndpoint, HttpReply, STREAM_QUEUE};
use crate::runtime::{Clock, Runtime, Timer};
use crate::server::session::ServerSide;
use mcp_proto::http::HttpResponse;
use mcp_proto::http::server::{HttpExchange, HttpTransmit};
use mcp_proto::jsonrpc::Request;
use mcp_proto::time::Timestamp;

/// Serves one modern request that passed the endpoint's ladder.
pub(super) async fn serve(endpoint: &HttpEndpoint, now: Timestamp, request: Request) -> HttpReply {
    let keep_alive = endpoint.settings.keep_alive;
    let connection = ServerSide::connection_for(&endpoint.server, true);
    let exchange = HttpExchange::new(now, connection, request, keep_alive);
    let listens = exchange.hears_changes();
    let mut side = ServerSide::around(
        &endpoint.server,
        Arc::clone(&endpoint.runtime),
        exchange,
        listens,
    );
    // The exchange's task only waits for this one request's answer: its handler runs in
    // it rather than as a task of its own.
    side.run_handlers_inline();
    let mut driver = ExchangeDriver {
        _slot: endpoint.exchange_slot(),
        side,
        clock: endpoint.clock,
        runtime: Arc::clone(&endpoint.runtime),
        timer: None,
    };
    let mut body = Vec::new();
    let Some(first) = poll_fn(|cx| driver.poll_transmit(cx, &mut body)).await else {
        return HttpReply::Complete(HttpResponse::empty(500));
    };
    let Some(head) = first.head else {
        return HttpReply::Complete(HttpResponse::empty(500));
    };
    if first.end {
        return HttpReply::Complete(HttpResponse {
            status: head.status,
            headers: head.headers,
            body,
        });
    }
    // A stream: its body goes on from a task of its own.
    let (mut sender, receiver) = mpsc::channel(STREAM_QUEUE);
    endpoint.runtime.spawn(Box::pin(async move {
        let mut chunk = body;
        loop {
            if !chunk.is_empty() && sender.send(chunk).await.is_err() {
                // The client went away: dropping the exchange cancels the request.
                let now = driver.now();
                driver.side.connection.handle_disconnect(now);
                return;
            }
            let mut next = Vec::new();
            match poll_fn(|cx| driver.poll_transmit(cx, &mut next)).await {
                Some(transmit) => {
                    chunk = next;
                    if transmit.end {
                        if !chunk.is_empty() {
                            let _ = sender.send(chunk).await;
                        }
                        return;
                    }
                }
                None => return,
            }
        }
    }));
    HttpReply::Stream {
        headers: head.headers,
        body: receiver,
    }
}

/// An exchange and its handler, driven until each next transmit.
struct ExchangeDriver {
    /// Ends the exchange in the endpoint's count when the driver goes.
    _slot: super::ExchangeSlot,
    side: ServerSide<HttpExchange>,
    clock: Clock,
    runtime: Arc<dyn Runtime>,
    timer: Option<Pin<Box<dyn Timer>>>,
}

impl ExchangeDriver {
    fn now(&self) -> Timestamp {
        self.clock.timestamp(self.runtime.now())
    }

    /// Drives the exchange until it has its next transmit (`None` once it is finished).
    fn poll_transmit(
        &mut self,
        cx: &mut Context<'_>,
        out: &mut Vec<u8>,
    ) -> Poll<Option<HttpTransmit>> {
        loop {
            let now = self.now();
            let mut progressed = self.side.drive_commands(now, cx);
            progressed |= self.side.pump(now);
            if let Some(transmit) = self.side.connection.poll_transmit(out) {
                return Poll::Ready(Some(transmit));
            }
            if self.side.connection.is_finished() {
                return Poll::Ready(None);
            }
            if let Some(deadline) = self.side.connection.poll_timeout() {
                if deadline <= now {
                    self.side.connection.handle_timeout(now);
                    continue;
                }
                let at = self.clock.instant(deadline);
                let timer = self.timer.get_or_insert_with(|| self.runtime.timer(at));
                timer.as_mut().reset(at);
                if timer.as_mut().poll_elapsed(cx).is_ready() {
                    continue;
                }
            }
            if !progressed {
                return Poll::Pending;
            }
        }
    }
}
