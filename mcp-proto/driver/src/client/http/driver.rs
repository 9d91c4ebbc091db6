//! The HTTP client's drive loop: a thin loop over the [`HttpClient`] state machine,
//! which decides every request, header and retry (see the [parent module](super)). The
//! loop starts each exchange the client asks for as its own task, feeds the tasks'
//! reports back, sleeps until the client's next deadline, and drops the exchanges the
//! client aborts.

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use futures_channel::mpsc;
use futures_util::StreamExt;
use futures_util::future::AbortHandle;

use super::exchange::{self, Report, Reports};
use super::{HttpRequest, HttpTransport};
use crate::client::session::ClientSide;
use crate::runtime::{Clock, Runtime, Timer};
use mcp_proto::http::{ExchangeAction, ExchangeId, HttpClient};
use mcp_proto::time::Timestamp;

/// How many reports may wait for the loop before exchanges wait.
const REPORT_QUEUE: usize = 64;

pub(super) struct HttpDriver {
    side: ClientSide<HttpClient>,
    transport: Arc<dyn HttpTransport>,
    runtime: Arc<dyn Runtime>,
    clock: Clock,
    timer: Option<Pin<Box<dyn Timer>>>,
    reports_sender: Reports,
    reports: mpsc::Receiver<(ExchangeId, Report)>,
    /// The tasks of exchanges still running.
    running: BTreeMap<ExchangeId, AbortHandle>,
}

impl HttpDriver {
    pub(super) fn new(
        side: ClientSide<HttpClient>,
        transport: Arc<dyn HttpTransport>,
        runtime: Arc<dyn Runtime>,
        clock: Clock,
    ) -> Self {
        let (reports_sender, reports) = mpsc::channel(REPORT_QUEUE);
        HttpDriver {
            side,
            transport,
            runtime,
            clock,
            timer: None,
            reports_sender,
            reports,
            running: BTreeMap::new(),
        }
    }

    fn on_report(&mut self, now: Timestamp, exchange: ExchangeId, report: Report) {
        let client = &mut self.side.host;
        match report {
            Report::Head { status, headers } => {
                client.handle_response_head(now, exchange, status, &headers);
            }
            // A refused chunk has already failed its exchange (and queued its abort).
            Report::Chunk(chunk) => {
                let _ = client.handle_body(now, exchange, &chunk);
            }
            Report::End => {
                self.running.remove(&exchange);
                client.handle_end(now, exchange);
            }
            Report::Failed(reason) => {
                self.running.remove(&exchange);
                client.handle_failure(now, exchange, &reason);
            }
        }
    }

    /// Carries out what the client asks for; true when it asked for anything.
    fn run_actions(&mut self) -> bool {
        let mut any = false;
        while let Some(action) = self.side.host.poll_exchange() {
            any = true;
            match action {
                ExchangeAction::Start(request) => {
                    let exchange = request.exchange;
                    let request = HttpRequest {
                        method: request.method,
                        headers: request.headers,
                        body: request.body,
                    };
                    let abort = exchange::start(
                        &self.runtime,
                        &self.transport,
                        request,
                        exchange,
                        self.reports_sender.clone(),
                    );
                    self.running.insert(exchange, abort);
                }
                ExchangeAction::Abort(exchange) => {
                    if let Some(abort) = self.running.remove(&exchange) {
                        abort.abort();
                    }
                }
                _ => {}
            }
        }
        any
    }

    /// Stops every task still running (the client is done with them).
    fn stop_all(&mut self) {
        for (_, abort) in std::mem::take(&mut self.running) {
            abort.abort();
        }
    }
}

impl Future for HttpDriver {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        loop {
            let now = this.clock.timestamp(this.runtime.now());
            let mut progressed = this.side.apply_commands(now, cx);
            // Reports are always read, so that an acknowledgement is never stuck behind
            // input.
            while let Poll::Ready(Some((exchange, report))) = this.reports.poll_next_unpin(cx) {
                this.on_report(now, exchange, report);
                progressed = true;
            }
            if this
                .side
                .host
                .poll_timeout()
                .is_some_and(|deadline| deadline <= now)
            {
                this.side.host.handle_timeout(now);
                progressed = true;
            }
            // The drain order of `HttpClient`: events, then exchanges, then the deadline.
            progressed |= this.side.drain_events(now);
            progressed |= this.run_actions();
            if this.side.host.is_closed() {
                this.stop_all();
                return Poll::Ready(());
            }
            let next = this
                .side
                .host
                .poll_timeout()
                .filter(|deadline| *deadline > now);
            if let Some(deadline) = next {
                let at = this.clock.instant(deadline);
                let timer = this.timer.get_or_insert_with(|| this.runtime.timer(at));
                timer.as_mut().reset(at);
                if timer.as_mut().poll_elapsed(cx).is_ready() {
                    progressed = true;
                }
            }
            if !progressed {
                return Poll::Pending;
            }
        }
    }
}
