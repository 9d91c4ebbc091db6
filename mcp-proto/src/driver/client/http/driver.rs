//! The HTTP client's drive loop: the connection's transmits become exchanges, the
//! exchanges' reports become the connection's input (see the [parent module](super)).

use std::format;
use std::prelude::rust_2024::*;

use std::collections::{BTreeMap, VecDeque};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use futures_channel::mpsc;
use futures_util::StreamExt;
use futures_util::future::AbortHandle;

mod recovery;

use super::exchange::{self, Report, Reports};
use super::{HttpRequest, HttpTransport};
use crate::driver::client::session::ClientSide;
use crate::driver::runtime::{Clock, Runtime, Timer};
use crate::driver::stream::Side;
use crate::http::{
    HeaderContext, HeaderParam, HttpMethod, RequestAnswer, assigned_session_id, called_tool,
    cancelled_request, failure_line, legacy_delete_headers, legacy_get_headers, message_line,
    read_request_answer, request_headers, screen_tools_list, transport_failure,
};
use crate::jsonrpc::{Message, RequestId, decode};
use crate::time::Timestamp;
use crate::version::{Era, ProtocolVersion};

/// How many reports may wait for the loop before exchanges wait.
const REPORT_QUEUE: usize = 64;

/// How long to wait before resuming a legacy stream whose server sent no `retry` field.
const DEFAULT_RESUME_DELAY: Duration = Duration::from_secs(1);

/// How long later messages wait for the head of the answer to the standalone `GET`.
const LISTEN_GATE: Duration = Duration::from_secs(1);

/// Resumptions in a row that may bring no event before the request fails.
const MAX_FRUITLESS_RESUMES: u8 = 3;

/// A request's POST: enough to read its answer and to send it again.
#[derive(Debug)]
struct RequestPost {
    id: RequestId,
    method: String,
    /// The message, for a retry on a new session.
    body: Vec<u8>,
    /// The session generation it went out under, and whether it carried the id.
    generation: u64,
    carried_session: bool,
    /// Already sent again after a 404.
    retried: bool,
    /// The response (or an error standing in for it) was fed.
    answered: bool,
    /// Legacy SSE: the answer's stream position, to resume it from when it ends early.
    last_event_id: Option<String>,
    /// Legacy SSE: the stream's last `retry` field, in milliseconds.
    retry_ms: Option<u64>,
    /// The exchange carrying it is a `GET` resuming the stream, not the POST.
    resumed: bool,
    /// The current exchange delivered an event.
    progressed: bool,
    /// Resumptions in a row that delivered no event.
    fruitless: u8,
}

/// What an exchange is for.
#[derive(Debug)]
enum Purpose {
    /// A request of the connection: its answer is fed back.
    Request(Box<RequestPost>),
    /// A notification or a server request's answer: nothing comes back. A notification
    /// holds back later messages until it is acknowledged.
    OneWay,
    /// The legacy standalone GET stream.
    Listen,
    /// The `initialize` of a new legacy session.
    Reinitialize { id: RequestId },
    /// The `DELETE` ending the session.
    Delete,
}

#[derive(Debug)]
struct Exchange {
    purpose: Purpose,
    abort: AbortHandle,
    status: u16,
    session_id: Option<String>,
}

/// The legacy session.
#[derive(Debug, Default)]
struct Session {
    id: Option<String>,
    /// The version negotiated for it (remembered: a closed connection forgets it).
    version: Option<ProtocolVersion>,
    /// Bumped with every new session.
    generation: u64,
    /// The GET stream was opened in this generation.
    listening: bool,
    /// The exchange opening a new session.
    reinitializing: Option<u64>,
}

/// How far closing has come.
#[derive(Debug, PartialEq, Eq)]
enum Closing {
    Open,
    /// Waiting for the DELETE.
    Deleting(u64),
    Done,
}

pub(super) struct HttpDriver {
    side: ClientSide,
    transport: Arc<dyn HttpTransport>,
    runtime: Arc<dyn Runtime>,
    clock: Clock,
    timer: Option<Pin<Box<dyn Timer>>>,
    reports_sender: Reports,
    reports: mpsc::Receiver<(u64, Report)>,
    exchanges: BTreeMap<u64, Exchange>,
    next_exchange: u64,
    session: Session,
    /// `x-mcp-header` annotations by tool name, from `tools/list` results.
    header_params: BTreeMap<String, Vec<HeaderParam>>,
    /// A notification's POST not yet acknowledged: later messages wait.
    barrier: Option<u64>,
    /// The standalone `GET` whose answer later messages wait for, until when at most.
    listen_gate: Option<(u64, Timestamp)>,
    /// Requests to send again once the new session is open.
    awaiting_session: VecDeque<Box<RequestPost>>,
    /// Legacy requests whose stream ended early, and when to resume each.
    resuming: Vec<(Timestamp, Box<RequestPost>)>,
    closing: Closing,
}

impl HttpDriver {
    pub(super) fn new(
        side: ClientSide,
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
            exchanges: BTreeMap::new(),
            next_exchange: 0,
            session: Session::default(),
            header_params: BTreeMap::new(),
            barrier: None,
            listen_gate: None,
            awaiting_session: VecDeque::new(),
            resuming: Vec::new(),
            closing: Closing::Open,
        }
    }

    fn max_bytes(&self) -> usize {
        self.side.connection.config().limits.max_message_bytes
    }

    fn era(&self) -> Option<Era> {
        self.side.connection.era()
    }

    /// The negotiated version of a legacy connection.
    fn legacy_version(&self) -> Option<ProtocolVersion> {
        match self.era() {
            Some(Era::Legacy) => self.side.connection.protocol_version().cloned(),
            _ => None,
        }
    }

    /// Remembers the legacy version once it is settled.
    fn note_version(&mut self) {
        if self.session.version.is_none() {
            self.session.version = self.legacy_version();
        }
    }

    fn start(
        &mut self,
        method: HttpMethod,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
        purpose: Purpose,
    ) -> u64 {
        let number = self.next_exchange;
        self.next_exchange += 1;
        let request = HttpRequest {
            method,
            headers,
            body,
        };
        let abort = exchange::start(
            &self.runtime,
            &self.transport,
            request,
            number,
            self.reports_sender.clone(),
            self.max_bytes(),
        );
        self.exchanges.insert(
            number,
            Exchange {
                purpose,
                abort,
                status: 0,
                session_id: None,
            },
        );
        number
    }

    fn drop_exchange(&mut self, number: u64) {
        if let Some(exchange) = self.exchanges.remove(&number) {
            exchange.abort.abort();
        }
    }

    fn feed(&mut self, now: Timestamp, line: &[u8]) {
        self.side.handle_bytes(now, line);
    }

    // Out: the connection's messages.

    /// Sends what the connection transmits, unless a notification or a new session is
    /// still under way.
    fn send_transmits(&mut self) -> bool {
        let mut any = false;
        while self.barrier.is_none()
            && self.listen_gate.is_none()
            && self.session.reinitializing.is_none()
        {
            if let Some(post) = self.awaiting_session.pop_front() {
                self.send_again(post);
                any = true;
                continue;
            }
            let mut line = Vec::new();
            if self.side.poll_transmit(&mut line).is_none() {
                break;
            }
            any = true;
            self.dispatch(&line);
        }
        any
    }

    fn headers(&self, message: &Message, modern: bool) -> Vec<(String, String)> {
        if modern {
            let params = called_tool(message)
                .and_then(|tool| self.header_params.get(&tool))
                .map_or(&[][..], Vec::as_slice);
            return request_headers(
                message,
                &HeaderContext::Modern {
                    header_params: params,
                },
            );
        }
        let context = HeaderContext::Legacy {
            protocol_version: self.session.version.as_ref(),
            session_id: self.session.id.as_deref(),
        };
        request_headers(message, &context)
    }

    fn dispatch(&mut self, line: &[u8]) {
        // The connection writes only messages it can read back.
        let Ok(message) = decode(line.trim_ascii()) else {
            return;
        };
        let modern = match self.era() {
            Some(era) => era == Era::Modern,
            // Before the era is settled: the probe carries the 2026 envelope, `initialize`
            // does not.
            None => message
                .params()
                .and_then(|params| params.meta())
                .is_some_and(|meta| meta.protocol_version().is_some()),
        };
        if let Some(id) = cancelled_request(&message) {
            let on_wire = self.stop_request(&id);
            // 2026-07-28: dropping the POST is the cancellation; nothing is sent. Legacy:
            // the notification goes out (for a request the server has).
            if modern || !on_wire {
                return;
            }
        }
        let headers = self.headers(&message, modern);
        let body = line.trim_ascii_end().to_vec();
        let purpose = match &message {
            Message::Request(request) => Purpose::Request(Box::new(RequestPost {
                id: request.id.clone(),
                method: request.method.clone(),
                body: body.clone(),
                generation: self.session.generation,
                carried_session: !modern && self.session.id.is_some(),
                retried: false,
                answered: false,
                last_event_id: None,
                retry_ms: None,
                resumed: false,
                progressed: false,
                fruitless: 0,
            })),
            Message::Notification(_) | Message::Response(_) => Purpose::OneWay,
        };
        let notification = matches!(message, Message::Notification(_));
        let number = self.start(HttpMethod::Post, headers, body, purpose);
        if notification {
            self.barrier = Some(number);
        }
    }

    /// Stops request `id`: drops its POST (or its place in the queue for a new session).
    /// True when its POST was on the wire.
    fn stop_request(&mut self, id: &RequestId) -> bool {
        self.awaiting_session.retain(|post| &post.id != id);
        if let Some(at) = self.resuming.iter().position(|(_, post)| &post.id == id) {
            // The server has it, between two connections of its stream.
            self.resuming.remove(at);
            return true;
        }
        let number = self
            .exchanges
            .iter()
            .find_map(|(number, exchange)| match &exchange.purpose {
                Purpose::Request(post) if &post.id == id => Some(*number),
                _ => None,
            });
        match number {
            Some(number) => {
                self.drop_exchange(number);
                true
            }
            None => false,
        }
    }

    /// Sends a request again on the current session (after a 404).
    fn send_again(&mut self, mut post: Box<RequestPost>) {
        let Ok(message) = decode(&post.body) else {
            return;
        };
        let headers = self.headers(&message, false);
        post.generation = self.session.generation;
        post.carried_session = self.session.id.is_some();
        let body = post.body.clone();
        self.start(HttpMethod::Post, headers, body, Purpose::Request(post));
    }

    /// Opens the legacy GET stream once the session is established. Later messages wait
    /// for its answer (at most [`LISTEN_GATE`]): a server may send a request related to
    /// none of ours (an elicitation during the next call) on that stream at once, and
    /// drops it when the stream is not open yet.
    fn open_listen(&mut self, now: Timestamp) -> bool {
        if self.session.listening
            || self.barrier.is_some()
            || self.session.reinitializing.is_some()
            || self.closing != Closing::Open
        {
            return false;
        }
        let (Some(version), Some(id)) = (self.session.version.clone(), self.session.id.clone())
        else {
            return false;
        };
        self.session.listening = true;
        let headers = legacy_get_headers(&version, &id, None);
        let number = self.start(HttpMethod::Get, headers, Vec::new(), Purpose::Listen);
        self.listen_gate = Some((number, now.saturating_add(LISTEN_GATE)));
        true
    }

    // In: the exchanges' reports.

    fn on_report(&mut self, now: Timestamp, number: u64, report: Report) {
        let Some(exchange) = self.exchanges.get_mut(&number) else {
            // Dropped meanwhile.
            return;
        };
        match report {
            Report::Head { status, session_id } => {
                if self.listen_gate.is_some_and(|(gate, _)| gate == number) {
                    self.listen_gate = None;
                }
                exchange.status = status;
                exchange.session_id = assigned_session_id(session_id.as_deref());
                // The first handshake's session: kept before its answer is fed, so that
                // `notifications/initialized` carries it.
                if let Purpose::Request(post) = &exchange.purpose {
                    if post.method == "initialize" && (200..300).contains(&status) {
                        self.session.id = exchange.session_id.clone();
                    }
                }
            }
            Report::Data(data) => self.on_data(now, number, data.as_bytes()),
            Report::Position {
                last_event_id,
                retry,
            } => {
                if let Purpose::Request(post) = &mut exchange.purpose {
                    post.last_event_id = last_event_id;
                    post.retry_ms = retry.or(post.retry_ms);
                    post.progressed = true;
                }
            }
            Report::Body(body) => self.on_body(now, number, &body),
            Report::End => self.on_end(now, number, None),
            Report::Failed(reason) => self.on_end(now, number, Some(reason)),
        }
    }

    /// One message of an SSE stream.
    fn on_data(&mut self, now: Timestamp, number: u64, data: &[u8]) {
        let Some(exchange) = self.exchanges.get_mut(&number) else {
            return;
        };
        let line = message_line(data);
        match &mut exchange.purpose {
            Purpose::Request(post) => {
                let answers = matches!(
                    decode(line.trim_ascii()),
                    Ok(Message::Response(response)) if response.id.as_ref() == Some(&post.id)
                );
                post.answered |= answers;
                post.progressed = true;
                // A resumed stream has nothing more for us once the response is in.
                let finished = answers && post.resumed;
                let learn = answers && post.method == "tools/list";
                let line = if learn { self.learn_tools(line) } else { line };
                self.feed(now, &line);
                if finished {
                    self.drop_exchange(number);
                }
            }
            Purpose::Listen => {
                // A response here (a server replaying a stream on the standalone one)
                // ends any wait to resume that request's own stream.
                if let Ok(Message::Response(response)) = decode(line.trim_ascii()) {
                    if let Some(id) = &response.id {
                        self.answered_elsewhere(id);
                    }
                }
                self.feed(now, &line);
            }
            Purpose::Reinitialize { id } => {
                let id = id.clone();
                self.on_reinitialize_answer(now, number, &id, data);
            }
            Purpose::OneWay | Purpose::Delete => {}
        }
    }

    /// The whole body of an answer that is not a stream.
    fn on_body(&mut self, now: Timestamp, number: u64, body: &[u8]) {
        let Some(exchange) = self.exchanges.get_mut(&number) else {
            return;
        };
        let status = exchange.status;
        match &mut exchange.purpose {
            Purpose::Request(post) if post.resumed && !(200..300).contains(&status) => {
                post.answered = true;
                let error = transport_failure(format!(
                    "the answer's stream ended early and the server refused to resume it \
                     (HTTP status {status})"
                ));
                let line = failure_line(&post.id, &error);
                self.feed(now, &line);
            }
            Purpose::Request(post) => {
                post.answered = true;
                let learn = post.method == "tools/list" && (200..300).contains(&status);
                match read_request_answer(status, body, &post.id, post.carried_session) {
                    RequestAnswer::Message(line) => {
                        let line = if learn { self.learn_tools(line) } else { line };
                        self.feed(now, &line);
                    }
                    RequestAnswer::SessionExpired => {
                        if let Some(Exchange {
                            purpose: Purpose::Request(post),
                            ..
                        }) = self.exchanges.remove(&number)
                        {
                            self.session_expired(now, post);
                        }
                    }
                }
            }
            Purpose::Reinitialize { id } => {
                let id = id.clone();
                if !self.on_reinitialize_answer(now, number, &id, body) {
                    self.reinitialize_failed(now, &format!("HTTP status {status}"));
                }
            }
            Purpose::OneWay | Purpose::Listen | Purpose::Delete => {}
        }
    }

    /// The exchange ended (`failure` says why when it broke).
    fn on_end(&mut self, now: Timestamp, number: u64, failure: Option<String>) {
        let Some(exchange) = self.exchanges.remove(&number) else {
            return;
        };
        match exchange.purpose {
            Purpose::Request(post) if !post.answered => {
                if let Some(post) = self.resume_later(now, post) {
                    let reason = failure.unwrap_or_else(|| {
                        String::from("the server ended the answer before the response")
                    });
                    self.feed(now, &failure_line(&post.id, &transport_failure(reason)));
                }
            }
            Purpose::OneWay if self.barrier == Some(number) => self.barrier = None,
            Purpose::Listen if self.listen_gate.is_some_and(|(gate, _)| gate == number) => {
                self.listen_gate = None;
            }
            Purpose::Reinitialize { .. } if self.session.reinitializing == Some(number) => {
                let reason = failure.unwrap_or_else(|| String::from("no answer to initialize"));
                self.reinitialize_failed(now, &reason);
            }
            Purpose::Delete => self.closing = Closing::Done,
            _ => {}
        }
    }

    /// Reads the `x-mcp-header` annotations of a `tools/list` page, and returns the line
    /// to feed (without tools whose annotations are invalid).
    fn learn_tools(&mut self, line: Vec<u8>) -> Vec<u8> {
        if self.era() != Some(Era::Modern) {
            return line;
        }
        let Some(screened) = screen_tools_list(&line) else {
            return line;
        };
        for (name, params) in screened.header_params {
            if params.is_empty() {
                self.header_params.remove(&name);
            } else {
                self.header_params.insert(name, params);
            }
        }
        for (name, _) in &screened.invalid {
            self.header_params.remove(name);
        }
        screened.filtered.unwrap_or(line)
    }

    // Resumption (legacy).

    /// A legacy request's SSE stream ended before its response: when the stream can be
    /// resumed (it gave an event id, the session is the same, and resuming still brings
    /// events), the request waits for the stream's `retry` time and is resumed with a
    /// `GET` carrying `Last-Event-ID`. Otherwise it is handed back.
    fn resume_later(
        &mut self,
        now: Timestamp,
        mut post: Box<RequestPost>,
    ) -> Option<Box<RequestPost>> {
        post.fruitless = if post.progressed {
            0
        } else {
            post.fruitless.saturating_add(1)
        };
        let resumable = self.era() == Some(Era::Legacy)
            && self.closing == Closing::Open
            && post.last_event_id.is_some()
            && self.session.id.is_some()
            && post.generation == self.session.generation
            && post.fruitless < MAX_FRUITLESS_RESUMES;
        if !resumable {
            return Some(post);
        }
        let delay = post
            .retry_ms
            .map_or(DEFAULT_RESUME_DELAY, Duration::from_millis);
        self.resuming.push((now.saturating_add(delay), post));
        None
    }

    /// Request `id` got its response on another stream: its own stream, open or waiting
    /// to be resumed, is no longer needed for it.
    fn answered_elsewhere(&mut self, id: &RequestId) {
        self.resuming.retain(|(_, post)| &post.id != id);
        for exchange in self.exchanges.values_mut() {
            if let Purpose::Request(post) = &mut exchange.purpose {
                if &post.id == id {
                    post.answered = true;
                }
            }
        }
    }

    /// When the next resumption is due.
    fn next_resume(&self) -> Option<Timestamp> {
        self.resuming.iter().map(|(at, _)| *at).min()
    }

    /// Sends the `GET` of every resumption that is due.
    fn start_resumes(&mut self, now: Timestamp) -> bool {
        if !self.resuming.iter().any(|(at, _)| *at <= now) {
            return false;
        }
        let (due, later) = std::mem::take(&mut self.resuming)
            .into_iter()
            .partition::<Vec<_>, _>(|(at, _)| *at <= now);
        self.resuming = later;
        for (_, mut post) in due {
            let session = match (&self.session.version, &self.session.id) {
                (Some(version), Some(id)) if post.generation == self.session.generation => Some(
                    legacy_get_headers(version, id, post.last_event_id.as_deref()),
                ),
                _ => None,
            };
            let Some(headers) = session else {
                let error =
                    transport_failure("the session ended before the answer's stream resumed");
                self.feed(now, &failure_line(&post.id, &error));
                continue;
            };
            post.resumed = true;
            post.progressed = false;
            self.start(HttpMethod::Get, headers, Vec::new(), Purpose::Request(post));
        }
        true
    }

    // Closing.

    /// The connection closed: drop every exchange and end a legacy session.
    fn close(&mut self) {
        let version = self.session.version.clone();
        for number in self.exchanges.keys().copied().collect::<Vec<_>>() {
            self.drop_exchange(number);
        }
        self.awaiting_session.clear();
        self.resuming.clear();
        self.barrier = None;
        self.listen_gate = None;
        self.closing = match (version, self.session.id.take()) {
            (Some(version), Some(id)) => {
                let headers = legacy_delete_headers(&version, &id);
                Closing::Deleting(self.start(
                    HttpMethod::Delete,
                    headers,
                    Vec::new(),
                    Purpose::Delete,
                ))
            }
            _ => Closing::Done,
        };
    }
}

impl Future for HttpDriver {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        loop {
            let now = this.clock.timestamp(this.runtime.now());
            let mut progressed = this.side.poll_commands(now, cx);
            // The connection buffers what it has no room for yet (within its limits);
            // reports are always read, so that an acknowledgement is never stuck behind
            // input.
            while let Poll::Ready(Some((number, report))) = this.reports.poll_next_unpin(cx) {
                this.on_report(now, number, report);
                progressed = true;
            }
            if this
                .side
                .poll_timeout()
                .is_some_and(|deadline| deadline <= now)
            {
                this.side.handle_timeout(now);
                progressed = true;
            }
            if this.closing == Closing::Open {
                progressed |= this.start_resumes(now);
            }
            if this.listen_gate.is_some_and(|(_, until)| until <= now) {
                this.listen_gate = None;
                progressed = true;
            }
            let gate = this.listen_gate.map(|(_, until)| until);
            let next = [this.side.poll_timeout(), this.next_resume(), gate]
                .into_iter()
                .flatten()
                .filter(|deadline| *deadline > now)
                .min();
            if let Some(deadline) = next {
                let at = this.clock.instant(deadline);
                let timer = this.timer.get_or_insert_with(|| this.runtime.timer(at));
                timer.as_mut().reset(at);
                if timer.as_mut().poll_elapsed(cx).is_ready() {
                    progressed = true;
                }
            }
            progressed |= this.side.pump(now);
            this.note_version();
            if this.closing == Closing::Open {
                // The standalone stream first: what follows waits for it.
                progressed |= this.open_listen(now);
                progressed |= this.send_transmits();
                if this.side.is_closed() {
                    this.close();
                    progressed = true;
                }
            }
            if this.closing == Closing::Done {
                return Poll::Ready(());
            }
            if !progressed {
                return Poll::Pending;
            }
        }
    }
}
