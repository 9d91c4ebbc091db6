//! One HTTP exchange as its own task: send the request, read the answer's head, then its
//! body (whole, or event by event for an SSE stream), and report each step to the drive
//! loop. The task decides nothing: the loop reads every report with the core's rules.

use std::prelude::rust_2024::*;

use std::sync::Arc;

use futures_channel::mpsc;
use futures_util::future::{AbortHandle, Abortable};
use futures_util::{SinkExt, StreamExt};

use crate::driver::Runtime;
use crate::driver::client::http::{HttpRequest, HttpTransport};
use crate::http::{MCP_SESSION_ID, ResponseBody, SseDecoder, response_body};

/// What an exchange reports to the loop, in this order: `Head`, then any `Data` and
/// `Position` or one `Body`, then `End` (or `Failed` at any point).
#[derive(Debug)]
pub(super) enum Report {
    /// The answer's status and the `Mcp-Session-Id` it carried.
    Head {
        status: u16,
        session_id: Option<Vec<u8>>,
    },
    /// The data of one SSE `message` event (empty priming events are skipped).
    Data(String),
    /// An SSE event carried an `id` or a `retry` field (sent after its `Data`): where a
    /// resumed stream would pick up, and how long to wait before resuming.
    Position {
        /// The stream's last event id so far (`None` after an empty `id:`).
        last_event_id: Option<String>,
        /// The event's `retry` field, in milliseconds.
        retry: Option<u64>,
    },
    /// The whole body of an answer that is not a stream (and not a 202).
    Body(Vec<u8>),
    /// The answer is complete.
    End,
    /// The exchange failed: no connection, a broken body, a body over the limit.
    Failed(String),
}

/// Reports of every exchange, tagged with the exchange's number.
pub(super) type Reports = mpsc::Sender<(u64, Report)>;

/// Starts `request` as its own task on `runtime`; its reports go to `reports` under
/// `number`. Aborting the returned handle drops the request and its answer: for a
/// 2026-07-28 request that is the cancellation.
pub(super) fn start(
    runtime: &Arc<dyn Runtime>,
    transport: &Arc<dyn HttpTransport>,
    request: HttpRequest,
    number: u64,
    reports: Reports,
    max_bytes: usize,
) -> AbortHandle {
    let (handle, registration) = AbortHandle::new_pair();
    let task = run(Arc::clone(transport), request, number, reports, max_bytes);
    runtime.spawn(Box::pin(async move {
        let _ = Abortable::new(task, registration).await;
    }));
    handle
}

async fn run(
    transport: Arc<dyn HttpTransport>,
    request: HttpRequest,
    number: u64,
    mut reports: Reports,
    max_bytes: usize,
) {
    let answer = match transport.send(request).await {
        Ok(answer) => answer,
        Err(error) => {
            let _ = reports
                .send((number, Report::Failed(error.to_string())))
                .await;
            return;
        }
    };
    let head = Report::Head {
        status: answer.status,
        session_id: answer.header(MCP_SESSION_ID).map(<[u8]>::to_vec),
    };
    if reports.send((number, head)).await.is_err() {
        return;
    }
    let kind = response_body(answer.status, answer.header("content-type"));
    let mut body = answer.body;
    let last = match kind {
        // Nothing to read; dropping the body releases the connection.
        ResponseBody::Accepted => Report::End,
        ResponseBody::EventStream => {
            let mut decoder = SseDecoder::new(max_bytes);
            loop {
                let finished = match body.next().await {
                    Some(Ok(chunk)) => {
                        decoder.push(&chunk);
                        false
                    }
                    Some(Err(error)) => break Report::Failed(error.to_string()),
                    None => {
                        decoder.finish();
                        true
                    }
                };
                while let Some(event) = decoder.next_event() {
                    // An event over the limit is skipped; the rest of the stream goes on.
                    let Ok(event) = event else { continue };
                    let position =
                        (event.id.is_some() || event.retry.is_some()).then(|| Report::Position {
                            last_event_id: decoder.last_event_id().map(String::from),
                            retry: event.retry,
                        });
                    // Other event types, and priming events with empty data, carry no
                    // message.
                    let message = event.is_message();
                    let data = event.data.filter(|data| message && !data.trim().is_empty());
                    for report in [data.map(Report::Data), position].into_iter().flatten() {
                        if reports.send((number, report)).await.is_err() {
                            return;
                        }
                    }
                }
                if finished {
                    break Report::End;
                }
            }
        }
        ResponseBody::Json | ResponseBody::Other => {
            let mut whole = Vec::new();
            loop {
                match body.next().await {
                    Some(Ok(chunk)) if whole.len() + chunk.len() <= max_bytes => {
                        whole.extend_from_slice(&chunk)
                    }
                    Some(Ok(_)) => {
                        break Report::Failed(format!("the answer exceeds {max_bytes} bytes"));
                    }
                    Some(Err(error)) => break Report::Failed(error.to_string()),
                    None => {
                        if reports.send((number, Report::Body(whole))).await.is_err() {
                            return;
                        }
                        break Report::End;
                    }
                }
            }
        }
    };
    let _ = reports.send((number, last)).await;
}
