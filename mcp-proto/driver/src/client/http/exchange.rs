//! One HTTP exchange as its own task: send the request, then report the answer's head,
//! each body chunk as it arrives, and its end, to the drive loop. The task decides
//! nothing: the [`HttpClient`](mcp_proto::http::HttpClient) state machine reads every report.

use std::sync::Arc;

use futures_channel::mpsc;
use futures_util::future::{AbortHandle, Abortable};
use futures_util::{SinkExt, StreamExt};

use crate::Runtime;
use crate::client::http::{HttpRequest, HttpTransport};
use mcp_proto::http::ExchangeId;

/// What an exchange reports to the loop, in this order: `Head`, then any `Chunk`s, then
/// `End` (or `Failed` at any point).
#[derive(Debug)]
pub(super) enum Report {
    /// The answer's status and header fields.
    Head {
        status: u16,
        headers: Vec<(String, Vec<u8>)>,
    },
    /// A piece of the body, as the transport delivered it.
    Chunk(Vec<u8>),
    /// The answer is complete.
    End,
    /// The exchange failed: no connection, or a broken body.
    Failed(String),
}

/// Reports of every exchange, tagged with the exchange.
pub(super) type Reports = mpsc::Sender<(ExchangeId, Report)>;

/// Starts `request` as its own task on `runtime`; its reports go to `reports` under
/// `exchange`. Aborting the returned handle drops the request and its answer: for a
/// 2026-07-28 request that is the cancellation.
pub(super) fn start(
    runtime: &Arc<dyn Runtime>,
    transport: &Arc<dyn HttpTransport>,
    request: HttpRequest,
    exchange: ExchangeId,
    reports: Reports,
) -> AbortHandle {
    let (handle, registration) = AbortHandle::new_pair();
    let task = run(Arc::clone(transport), request, exchange, reports);
    runtime.spawn(Box::pin(async move {
        let _ = Abortable::new(task, registration).await;
    }));
    handle
}

async fn run(
    transport: Arc<dyn HttpTransport>,
    request: HttpRequest,
    exchange: ExchangeId,
    mut reports: Reports,
) {
    let answer = match transport.send(request).await {
        Ok(answer) => answer,
        Err(error) => {
            let _ = reports
                .send((exchange, Report::Failed(error.to_string())))
                .await;
            return;
        }
    };
    let head = Report::Head {
        status: answer.status,
        headers: answer.headers,
    };
    if reports.send((exchange, head)).await.is_err() {
        return;
    }
    let mut body = answer.body;
    let last = loop {
        match body.next().await {
            Some(Ok(chunk)) => {
                if chunk.is_empty() {
                    continue;
                }
                if reports
                    .send((exchange, Report::Chunk(chunk)))
                    .await
                    .is_err()
                {
                    return;
                }
            }
            Some(Err(error)) => break Report::Failed(error.to_string()),
            None => break Report::End,
        }
    };
    let _ = reports.send((exchange, last)).await;
}
