//! One 2026-07-28 exchange: the rest of the header ladder, then a fresh connection that
//! serves the one request, answered as JSON or as an SSE stream chosen lazily.

use std::prelude::rust_2024::*;

use std::future::poll_fn;
use std::sync::Arc;
use std::task::{Context, Poll};

use futures_channel::mpsc;
use futures_util::SinkExt;

use crate::driver::http::{HttpEndpoint, HttpReply, STREAM_QUEUE};
use crate::driver::runtime::{Clock, Runtime};
use crate::driver::server::session::ServerSide;
use crate::driver::stream::Side;
use crate::http::{
    HttpResponse, RequestHead, SseEncoder, check_modern_headers, check_param_headers,
    event_stream_headers, status_for_error,
};
use crate::jsonrpc::{ErrorCode, Message, Outcome, Request, RequestId, decode};
use crate::types::Method;
use crate::version::Era;

/// Serves one modern request (ladder steps 6 and 7 onwards).
pub(super) async fn serve(
    endpoint: &HttpEndpoint,
    head: &RequestHead<'_>,
    request: Request,
) -> HttpReply {
    if let Err(response) = check_modern_headers(head, &request) {
        return HttpReply::Complete(response);
    }
    // Only tools with `x-mcp-header` arguments need their name read from the body.
    if !endpoint.header_params.is_empty() && request.method == Method::ToolsCall.as_str() {
        if let Some(params) = crate::http::params_string(request.params.as_ref(), "name")
            .and_then(|name| endpoint.header_params.get(name.as_ref()))
        {
            if let Err(response) = check_param_headers(head, &request, params) {
                return HttpReply::Complete(response);
            }
        }
    }
    let id = request.id.clone();
    let listens = request.method == Method::SubscriptionsListen.as_str();
    let mut side = ServerSide::with_options(
        &endpoint.server,
        Arc::clone(&endpoint.runtime),
        true,
        listens,
    );
    // The exchange's task only waits for this one request's answer: its handler runs in
    // it rather than as a task of its own.
    side.run_handlers_inline();
    let now = endpoint.clock.timestamp(endpoint.runtime.now());
    side.connection.handle_exchange_request(now, request);
    let clock = endpoint.clock;
    let runtime = Arc::clone(&endpoint.runtime);
    let Some(first) = poll_fn(|cx| next_line(&mut side, &clock, &runtime, cx)).await else {
        return HttpReply::Complete(HttpResponse::empty(500));
    };
    if let Some(outcome) = final_outcome(&first, &id) {
        let status = match outcome {
            Some(code) => status_for_error(code, Era::Modern),
            None => 200,
        };
        let mut body = first;
        if body.last() == Some(&b'\n') {
            body.pop();
        }
        return HttpReply::Complete(HttpResponse::json(status, body));
    }
    // A notification came first: stream, and end with the response. A quiet stream (a
    // listen subscription, a slow handler) gets a keep-alive comment now and then.
    let (mut sender, body) = mpsc::channel(STREAM_QUEUE);
    let encoder = SseEncoder::new();
    let keep_alive = endpoint.settings.keep_alive;
    endpoint.runtime.spawn(Box::pin(async move {
        let mut timer = runtime.timer(runtime.now() + keep_alive);
        let mut line = first;
        loop {
            let mut event = Vec::new();
            let data = line.strip_suffix(b"\n").unwrap_or(&line);
            if encoder.message(&mut event, None, data).is_err() {
                break;
            }
            if sender.send(event).await.is_err() {
                // The client went away: dropping the exchange cancels the request.
                break;
            }
            if final_outcome(&line, &id).is_some() {
                break;
            }
            timer.as_mut().reset(runtime.now() + keep_alive);
            let next = loop {
                let polled = poll_fn(|cx| match next_line(&mut side, &clock, &runtime, cx) {
                    Poll::Ready(next) => Poll::Ready(Some(next)),
                    Poll::Pending => timer.as_mut().poll_elapsed(cx).map(|()| None),
                })
                .await;
                match polled {
                    Some(next) => break next,
                    None => {
                        let mut comment = Vec::new();
                        encoder.keep_alive(&mut comment);
                        if sender.send(comment).await.is_err() {
                            return;
                        }
                        timer.as_mut().reset(runtime.now() + keep_alive);
                    }
                }
            };
            match next {
                Some(next) => line = next,
                None => break,
            }
        }
    }));
    HttpReply::Stream {
        headers: event_stream_headers(),
        body,
    }
}

/// `Some(None)` when `line` is the successful response to `id`, `Some(Some(code))` when
/// it is an error response, `None` otherwise.
pub(super) fn final_outcome(line: &[u8], id: &RequestId) -> Option<Option<ErrorCode>> {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    // The connection's encoder writes `jsonrpc` first, then `id` for a response and
    // `method` for anything else: most lines are classified without a parse.
    if line.starts_with(br#"{"jsonrpc":"2.0","method":"#) {
        return None;
    }
    if let Some(rest) = line.strip_prefix(&br#"{"jsonrpc":"2.0","id":"#[..]) {
        if starts_with_id(rest, id).is_some_and(|rest| rest.starts_with(br#","result":"#)) {
            return Some(None);
        }
    }
    match decode(line) {
        Ok(Message::Response(response)) if response.id.as_ref() == Some(id) => {
            match response.outcome {
                Outcome::Result(_) => Some(None),
                Outcome::Error(error) => Some(Some(error.code)),
            }
        }
        _ => None,
    }
}

/// `text` without its leading `id` when it starts with the JSON encoding of `id` as the
/// connection's encoder writes it (`None` otherwise).
fn starts_with_id<'a>(text: &'a [u8], id: &RequestId) -> Option<&'a [u8]> {
    match id {
        RequestId::Number(number) => {
            let mut digits = [0u8; 20];
            let mut at = digits.len();
            let mut rest = number.unsigned_abs();
            loop {
                at -= 1;
                // A digit: `rest % 10` is below 10.
                *digits.get_mut(at)? = b'0' + (rest % 10) as u8;
                rest /= 10;
                if rest == 0 {
                    break;
                }
            }
            let text = if *number < 0 {
                text.strip_prefix(b"-")?
            } else {
                text
            };
            text.strip_prefix(digits.get(at..)?)
        }
        RequestId::String(string) => {
            let mut encoded = Vec::with_capacity(string.len() + 2);
            serde_json::to_writer(&mut encoded, string).ok()?;
            text.strip_prefix(encoded.as_slice())
        }
    }
}

/// Drives the exchange until it writes its next message (`None` once it is closed).
fn next_line(
    side: &mut ServerSide,
    clock: &Clock,
    runtime: &Arc<dyn Runtime>,
    cx: &mut Context<'_>,
) -> Poll<Option<Vec<u8>>> {
    loop {
        let now = clock.timestamp(runtime.now());
        let mut progressed = Side::poll_commands(side, now, cx);
        progressed |= side.pump(now);
        let mut line = Vec::new();
        if side.connection.poll_transmit(&mut line).is_some() {
            return Poll::Ready(Some(line));
        }
        if side.connection.is_closed() {
            return Poll::Ready(None);
        }
        if !progressed {
            return Poll::Pending;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_recognised_as_the_encoder_writes_them() {
        for id in [
            RequestId::Number(0),
            RequestId::Number(7),
            RequestId::Number(-7),
            RequestId::Number(i64::MAX),
            RequestId::Number(i64::MIN),
            RequestId::from("req-1"),
            RequestId::from("quo\"te\u{1}é"),
        ] {
            let encoded = serde_json::to_vec(&id).unwrap();
            let mut line = encoded.clone();
            line.extend_from_slice(b",rest");
            assert_eq!(starts_with_id(&line, &id), Some(&b",rest"[..]), "{id}");
            let other = RequestId::Number(12);
            assert_eq!(starts_with_id(&line, &other).is_some(), id == other);
            let mut success = Vec::from(&br#"{"jsonrpc":"2.0","id":"#[..]);
            success.extend_from_slice(&encoded);
            success.extend_from_slice(br#","result":{}}"#);
            assert_eq!(final_outcome(&success, &id), Some(None), "{id}");
        }
        // A longer number sharing the digits is another id.
        assert_eq!(
            starts_with_id(b"71,", &RequestId::Number(7)),
            Some(&b"1,"[..])
        );
        assert_eq!(
            final_outcome(
                br#"{"jsonrpc":"2.0","id":71,"result":{}}"#,
                &RequestId::Number(7)
            ),
            None
        );
    }
}
