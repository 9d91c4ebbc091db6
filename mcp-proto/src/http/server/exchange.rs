//! [`HttpExchange`]: one 2026-07-28 request over Streamable HTTP.

use alloc::vec::Vec;
use core::time::Duration;

use crate::http::server::outcome::response_outcome;
use crate::http::server::{Chunks, HttpTransmit, ResponseHead, ResponseId, earliest};
use crate::http::sse::SseEncoder;
use crate::http::status::{HttpResponse, event_stream_headers, status_for_error};
use crate::jsonrpc::{Request, RequestId};
use crate::server::{ServerConnection, ServerEvent};
use crate::time::Timestamp;
use crate::types::Method;
use crate::version::Era;

/// The one response of an exchange.
const RESPONSE: ResponseId = ResponseId(0);

/// Where the exchange's response stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Form {
    /// Nothing sent yet.
    Undecided,
    /// Streaming: events until the response.
    Sse,
    /// Answered, or the client went away.
    Done,
}

/// One 2026-07-28 request, served by a connection of its own.
///
/// A 2026 POST has no session: it is served by a connection of its own, and nothing
/// mutable is shared between exchanges, so each can run on its own task without locks.
/// The response's form is chosen lazily, by the first message out:
///
/// ```text
///            ┌── the response comes first ──▶ JSON (status from the error code) ──▶ done
/// undecided ─┤
///            └── anything else first ───────▶ SSE ── events … response ──────────▶ done
///                (progress, a log message,      │
///                 a listen acknowledgement)     └── client went away ──▶ done, request
///                                                   cancelled (its handler is dropped)
/// ```
///
/// SSE events carry no ids at 2026-07-28 (a broken stream loses its request, which the
/// client issues again), and a quiet stream (a `subscriptions/listen`, a slow handler)
/// gets a keep-alive comment on the deadline [`HttpExchange::poll_timeout`] names.
#[derive(Debug)]
pub struct HttpExchange {
    connection: ServerConnection,
    id: RequestId,
    /// The request is a `subscriptions/listen`.
    listens: bool,
    form: Form,
    keep_alive: Duration,
    next_keep_alive: Option<Timestamp>,
    now: Timestamp,
    chunks: Chunks,
    encoder: SseEncoder,
}

impl HttpExchange {
    /// Serves `request` (dispatched by [`HttpServer`](super::HttpServer) as
    /// [`Dispatch::Exchange`](super::Dispatch::Exchange)) on `connection`, a fresh
    /// [`ServerConnection`] (with the server's state sealer, for multi-round-trip
    /// requests). An SSE answer gets a keep-alive comment after `keep_alive` of silence.
    pub fn new(
        now: Timestamp,
        mut connection: ServerConnection,
        request: Request,
        keep_alive: Duration,
    ) -> Self {
        let id = request.id.clone();
        let listens = request.method == Method::SubscriptionsListen.as_str();
        connection.handle_exchange_request(now, request);
        HttpExchange {
            connection,
            id,
            listens,
            form: Form::Undecided,
            keep_alive,
            next_keep_alive: None,
            now,
            chunks: Chunks::default(),
            encoder: SseEncoder::new(),
        }
    }

    // ---- getters -------------------------------------------------------------------

    /// The exchange's connection.
    pub fn connection(&self) -> &ServerConnection {
        &self.connection
    }

    /// The exchange's connection, for the application's commands (`respond`,
    /// `progress`, `log`, `publish`, …). Drain [`Self::poll_transmit`] afterwards.
    pub fn connection_mut(&mut self) -> &mut ServerConnection {
        &mut self.connection
    }

    /// The id of the request being served.
    pub fn request_id(&self) -> &RequestId {
        &self.id
    }

    /// True when the exchange serves a `subscriptions/listen`: the one kind of 2026
    /// exchange the server's published changes (`ServerConnection::publish`) concern.
    pub fn hears_changes(&self) -> bool {
        self.listens
    }

    /// True when the response is complete (or the client went away) and every byte of
    /// it has been polled: the exchange can be dropped.
    pub fn is_finished(&self) -> bool {
        self.form == Form::Done && self.chunks.is_empty()
    }

    /// True once the response is an SSE stream.
    pub fn is_streaming(&self) -> bool {
        self.form == Form::Sse
    }

    // ---- inputs --------------------------------------------------------------------

    /// The client went away before the response ended: the request is cancelled (the
    /// connection closes; its `Closed` event tells the application to stop the handler)
    /// and nothing more is sent.
    pub fn handle_disconnect(&mut self, now: Timestamp) {
        self.advance(now);
        self.form = Form::Done;
        self.next_keep_alive = None;
        self.chunks = Chunks::default();
        self.connection.close(now);
        let mut discard = Vec::new();
        while self.connection.poll_transmit(&mut discard).is_some() {
            discard.clear();
        }
    }

    /// Time passed: the connection's deadlines, and a keep-alive comment when the
    /// stream has been quiet long enough. Calling it early is harmless.
    pub fn handle_timeout(&mut self, now: Timestamp) {
        self.advance(now);
        self.connection.handle_timeout(now);
        self.route();
        if self.form == Form::Sse && self.next_keep_alive.is_some_and(|at| at <= now) {
            let mut comment = Vec::new();
            self.encoder.keep_alive(&mut comment);
            self.chunks.push(RESPONSE, None, comment, false);
            self.next_keep_alive = Some(self.now.saturating_add(self.keep_alive));
        }
    }

    // ---- outputs -------------------------------------------------------------------

    /// Appends the next piece of the response to `out`: the first transmit carries its
    /// head (JSON or SSE, decided by the first message), the last one `end`.
    pub fn poll_transmit(&mut self, out: &mut Vec<u8>) -> Option<HttpTransmit> {
        self.route();
        self.chunks.pop(out)
    }

    /// The next event for the application.
    pub fn poll_event(&mut self) -> Option<ServerEvent> {
        self.connection.poll_event()
    }

    /// When to call [`Self::handle_timeout`] next.
    pub fn poll_timeout(&self) -> Option<Timestamp> {
        earliest(self.connection.poll_timeout(), self.next_keep_alive)
    }

    fn advance(&mut self, now: Timestamp) {
        self.now = self.now.max(now);
    }

    /// Moves what the connection sent into the response.
    fn route(&mut self) {
        loop {
            let mut line = Vec::new();
            if self.connection.poll_transmit(&mut line).is_none() {
                break;
            }
            if self.form == Form::Done {
                continue;
            }
            if line.last() == Some(&b'\n') {
                line.pop();
            }
            let outcome = response_outcome(&line, &self.id);
            if self.form == Form::Undecided
                && let Some(error) = outcome
            {
                let status = error.map_or(200, |code| status_for_error(code, Era::Modern));
                self.chunks
                    .complete(RESPONSE, HttpResponse::json(status, line));
                self.form = Form::Done;
                continue;
            }
            let head = match self.form {
                Form::Undecided => {
                    self.form = Form::Sse;
                    Some(ResponseHead {
                        status: 200,
                        headers: event_stream_headers(),
                    })
                }
                _ => None,
            };
            let mut body = Vec::new();
            let _ = self.encoder.message(&mut body, None, &line);
            let end = outcome.is_some();
            self.chunks.push(RESPONSE, head, body, end);
            if end {
                self.form = Form::Done;
                self.next_keep_alive = None;
            } else {
                self.next_keep_alive = Some(self.now.saturating_add(self.keep_alive));
            }
        }
        if self.connection.is_closed() {
            // Closed without a response (the server shut the exchange down).
            match self.form {
                Form::Undecided => self.chunks.complete(RESPONSE, HttpResponse::empty(500)),
                Form::Sse => self.chunks.push(RESPONSE, None, Vec::new(), true),
                Form::Done => {}
            }
            self.form = Form::Done;
            self.next_keep_alive = None;
        }
    }
}
