//! [`ServerConnection`]: one client on a byte stream, either era.

use alloc::boxed::Box;
use alloc::collections::VecDeque;
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::time::Duration;
use serde::Serialize;

use crate::connection::{
    ApiMisuse, CloseReason, Delivery, Outbox, Pending, PendingTable, Related, ReplyToken,
    RequestHandle, SendError, Transmit,
};
use crate::framing::{FrameError, LineDecoder};
use crate::json::RawJson;
use crate::jsonrpc::{
    ErrorCode, ErrorObject, Message, Notification, Outcome as WireOutcome, Request, RequestId,
    Response, encode_error, encode_notification, encode_request, encode_result,
};
use crate::mrtr::StateSealer;
use crate::server::config::ServerConfig;
use crate::server::event::{Change, Reply, ServerEvent};
use crate::server::inbound::InboundTable;
use crate::server::reply::{Shaper, shape_reply};
use crate::server::subscriptions::Subscriptions;
use crate::time::Timestamp;
use crate::types::{
    CancelledNotificationParams, ClientCapabilities, ClientNotification, Implementation,
    LoggingLevel, LoggingMessageNotificationParams, Method, ProgressNotificationParams,
    ServerRequest,
};
use crate::validate::{Context, Direction, validate};
use crate::version::{Era, ProtocolVersion};

/// Options of a server-to-client request (legacy sessions).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RequestOptions {
    /// How long to wait for the answer; `None` uses
    /// [`Limits::default_request_timeout`](crate::Limits::default_request_timeout).
    pub timeout: Option<Duration>,
}

impl RequestOptions {
    /// Waits at most `timeout`.
    pub fn with_timeout(timeout: Duration) -> Self {
        RequestOptions {
            timeout: Some(timeout),
        }
    }
}

/// A connection's sealer (a newtype so the connection can derive `Debug`).
pub(crate) struct Sealer(pub(crate) Box<dyn StateSealer + Send>);

impl core::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Sealer")
    }
}

/// Where the connection is in its life; see the module docs for the diagram.
#[derive(Debug)]
pub(crate) enum Phase {
    /// No request yet; notifications wait here to be replayed into the chosen era.
    AwaitingFirstRequest { early: VecDeque<Notification> },
    /// A 2025-era session.
    Legacy(alloc::boxed::Box<LegacySession>),
    /// 2026-07-28, served per request.
    Modern,
    /// Closed; nothing more happens.
    Closed,
}

/// The state of a legacy session.
#[derive(Debug)]
pub(crate) struct LegacySession {
    /// Set once `initialize` is answered.
    pub(crate) version: Option<ProtocolVersion>,
    pub(crate) client_info: Option<Implementation>,
    pub(crate) capabilities: ClientCapabilities,
    /// Set by `notifications/initialized`.
    pub(crate) initialized: bool,
    /// Set by `logging/setLevel`.
    pub(crate) log_level: Option<LoggingLevel>,
}

/// What a server-to-client request is kept with.
#[derive(Debug)]
pub(crate) struct OutboundRequest {
    pub(crate) method: String,
}

/// The server counts none of its requests by class.
impl crate::connection::Classified for OutboundRequest {}

/// The server side of one connection over a byte stream (stdio, a pipe, in memory),
/// serving either protocol era with nothing configured per era.
///
/// See the [module docs](crate::server) for the state diagram and the run loop.
#[derive(Debug)]
pub struct ServerConnection {
    /// Shared by every connection of a server (sessions, per-request exchanges); its
    /// `sealer` is always `None`: the connection's own is [`Self::sealer`].
    pub(crate) config: Arc<ServerConfig>,
    /// Seals and opens multi-round-trip state (taken out of the configuration, since
    /// sealing needs `&mut`).
    pub(crate) sealer: Option<Sealer>,
    pub(crate) now: Timestamp,
    pub(crate) phase: Phase,
    decoder: LineDecoder,
    pub(crate) outbox: Outbox,
    pub(crate) events: VecDeque<ServerEvent>,
    pub(crate) inbound: InboundTable,
    pub(crate) outbound: PendingTable<OutboundRequest>,
    pub(crate) subscriptions: Subscriptions,
    /// Set when the connection must close once the decoder's lines are processed.
    eof: bool,
}

impl ServerConnection {
    /// A connection waiting for its client's first message.
    pub fn new(mut config: ServerConfig) -> Self {
        config.prepare();
        let sealer = config
            .sealer
            .take()
            .map(|sealer| sealer as Box<dyn StateSealer + Send>);
        ServerConnection::with_shared_config(Arc::new(config), sealer)
    }

    /// A connection over a configuration shared with other connections of the same
    /// server, so that many connections (HTTP sessions, one per 2026 request) hold one
    /// copy of it. The configuration's own `sealer` is ignored; pass `sealer` instead
    /// (`None` when the connection needs none, such as a legacy-only session).
    pub fn with_shared_config(
        config: Arc<ServerConfig>,
        sealer: Option<Box<dyn StateSealer + Send>>,
    ) -> Self {
        let decoder = LineDecoder::new(config.limits.max_message_bytes);
        ServerConnection {
            config,
            sealer: sealer.map(Sealer),
            now: Timestamp::ZERO,
            phase: Phase::AwaitingFirstRequest {
                early: VecDeque::new(),
            },
            decoder,
            outbox: Outbox::default(),
            events: VecDeque::new(),
            inbound: InboundTable::default(),
            outbound: PendingTable::default(),
            subscriptions: Subscriptions::default(),
            eof: false,
        }
    }

    // ---- getters -------------------------------------------------------------------

    /// The era, once the first request decided it.
    pub fn era(&self) -> Option<Era> {
        match &self.phase {
            Phase::Legacy(_) => Some(Era::Legacy),
            Phase::Modern => Some(Era::Modern),
            _ => None,
        }
    }

    /// The legacy session's negotiated version, once `initialize` is answered.
    pub fn session_version(&self) -> Option<&ProtocolVersion> {
        match &self.phase {
            Phase::Legacy(session) => session.version.as_ref(),
            _ => None,
        }
    }

    /// True once the legacy session's client sent `notifications/initialized`.
    pub fn session_initialized(&self) -> bool {
        matches!(&self.phase, Phase::Legacy(session) if session.initialized)
    }

    /// The legacy session's client capabilities.
    pub fn session_capabilities(&self) -> Option<&ClientCapabilities> {
        match &self.phase {
            Phase::Legacy(session) if session.version.is_some() => Some(&session.capabilities),
            _ => None,
        }
    }

    /// The legacy session's client, as it introduced itself.
    pub fn session_client_info(&self) -> Option<&Implementation> {
        match &self.phase {
            Phase::Legacy(session) => session.client_info.as_ref(),
            _ => None,
        }
    }

    /// The legacy session's subscribed resource URIs.
    pub fn resource_subscriptions(&self) -> impl Iterator<Item = &str> + '_ {
        self.subscriptions.resources()
    }

    /// The configuration (its `sealer` field is empty: the connection holds the sealer).
    pub fn config(&self) -> &ServerConfig {
        &self.config
    }

    /// True once closed.
    pub fn is_closed(&self) -> bool {
        matches!(self.phase, Phase::Closed)
    }

    /// True when nothing is queued either way and no request is in flight.
    pub fn is_idle(&self) -> bool {
        self.outbox.is_empty()
            && self.events.is_empty()
            && self.inbound.len() == 0
            && self.outbound.len() == 0
            && !self.decoder.has_line()
    }

    /// Frees the memory the connection's queues and tables keep once emptied: a queue
    /// keeps its capacity (four events make a kilobyte) and a map its first node after
    /// the last entry goes. For a connection that sits idle for long between bursts, such
    /// as one of thousands of legacy HTTP sessions; whatever is queued or in flight stays,
    /// and the next message allocates again what it needs.
    pub fn shrink_to_fit(&mut self) {
        if let Phase::AwaitingFirstRequest { early } = &mut self.phase {
            early.shrink_to_fit();
        }
        self.outbox.shrink_to_fit();
        self.events.shrink_to_fit();
        self.inbound.shrink_to_fit();
        self.outbound.shrink_to_fit();
        self.subscriptions.shrink_to_fit();
    }

    /// How many messages and events the connection's queues have room for without
    /// allocating: what [`Self::shrink_to_fit`] gives back once they are drained (for a
    /// server that keeps thousands of idle connections and watches their memory).
    pub fn queue_capacity(&self) -> usize {
        self.events.capacity() + self.outbox.capacity()
    }

    /// Encoded bytes waiting for `poll_transmit`; bounded by
    /// [`Limits::max_queued_bytes`](crate::Limits::max_queued_bytes) plus replies and
    /// the core's own error answers to one input.
    pub fn queued_bytes(&self) -> usize {
        self.outbox.bytes()
    }

    /// Events waiting for `poll_event`.
    pub fn pending_events(&self) -> usize {
        self.events.len()
    }

    /// False while the connection holds as much as its [`Limits`](crate::Limits) allow:
    /// drain `poll_transmit` and `poll_event` before reading more input. Input fed
    /// anyway is kept in the decoder, never dropped.
    pub fn wants_input(&self) -> bool {
        !self.is_closed() && self.has_room() && !self.decoder.has_line()
    }

    fn has_room(&self) -> bool {
        self.outbox.bytes() < self.config.limits.max_queued_bytes
            && self.events.len() < self.config.limits.max_pending_events
    }

    // ---- inputs --------------------------------------------------------------------

    /// Feeds bytes read from the client.
    pub fn handle_bytes(&mut self, now: Timestamp, data: &[u8]) {
        self.advance(now);
        if self.is_closed() {
            return;
        }
        self.decoder.push(data);
        self.process_lines();
    }

    /// Feeds one decoded message directly (in-memory transports without framing).
    pub fn handle_message(&mut self, now: Timestamp, message: Message) {
        self.advance(now);
        if !self.is_closed() {
            self.dispatch(message);
        }
    }

    /// Feeds one request the transport has already classified as 2026-07-28: a
    /// Streamable HTTP POST routed down the modern path (PROTOCOL 5.6.2), on a connection
    /// that serves just that exchange. Unlike on a stream, `initialize` here is no
    /// handshake attempt but a method the revision does not have: it goes down the
    /// validation ladder like any other request (404 and -32601 once `_meta` and headers
    /// check out).
    pub fn handle_exchange_request(&mut self, now: Timestamp, request: Request) {
        self.advance(now);
        if self.is_closed() {
            return;
        }
        if let Phase::AwaitingFirstRequest { .. } = self.phase {
            let version = self.modern_version_of(&request);
            self.events.push_back(ServerEvent::Ready {
                era: Era::Modern,
                version,
            });
            self.phase = Phase::Modern;
        }
        if let Phase::Modern = self.phase {
            self.on_modern_exchange(request);
        } else {
            self.dispatch(Message::Request(request));
        }
    }

    /// The client closed its end of the stream: the remaining input is processed, then
    /// the connection closes.
    pub fn handle_eof(&mut self, now: Timestamp) {
        self.advance(now);
        if self.is_closed() {
            return;
        }
        self.decoder.finish();
        self.eof = true;
        self.process_lines();
    }

    /// Time passed: requests past their deadline are cancelled, waiting input resumes.
    /// Calling it early is harmless.
    pub fn handle_timeout(&mut self, now: Timestamp) {
        self.advance(now);
        while let Some(handle) = self.outbound.pop_expired(self.now) {
            if let Some(pending) = self.outbound.remove(handle) {
                self.queue_cancelled(&pending.id, Some("timed out"));
                self.events.push_back(ServerEvent::TimedOut { handle });
            }
        }
        self.process_lines();
    }

    fn advance(&mut self, now: Timestamp) {
        self.now = self.now.max(now);
    }

    fn process_lines(&mut self) {
        while !self.is_closed() && self.has_room() {
            let Some(line) = self.decoder.next_message() else {
                break;
            };
            match line {
                Ok(message) => self.dispatch(message),
                Err(error) => self.refuse_line(&error),
            }
        }
        if self.eof && !self.decoder.has_line() && !self.is_closed() {
            self.shut(CloseReason::PeerClosed, false);
        }
    }

    fn refuse_line(&mut self, error: &FrameError) {
        let expects_reply = match error {
            FrameError::LineTooLong { .. } => true,
            FrameError::Decode(decode) => decode.expects_reply(),
        };
        if expects_reply {
            let id = match error {
                FrameError::Decode(decode) => decode.id().cloned(),
                _ => None,
            };
            let object = error.to_error_object();
            self.outbox
                .push_with(|out| encode_error(out, id.as_ref(), &object));
        }
    }

    fn dispatch(&mut self, message: Message) {
        match message {
            Message::Request(request) => self.on_request(request),
            Message::Notification(notification) => self.on_notification(notification),
            Message::Response(response) => self.on_response(response),
        }
    }

    /// Refuses a request whose id is already in flight; true when it did.
    pub(crate) fn refuse_duplicate(&mut self, request: &Request) -> bool {
        let duplicate =
            self.inbound.contains_id(&request.id) || self.subscriptions.is_listening(&request.id);
        if duplicate {
            self.refuse(
                &request.id,
                ErrorCode::INVALID_REQUEST,
                "Invalid Request: a request with this id is already in flight",
            );
        }
        duplicate
    }

    fn on_request(&mut self, request: Request) {
        if self.refuse_duplicate(&request) {
            return;
        }
        if let Phase::AwaitingFirstRequest { early } = &mut self.phase {
            let early = core::mem::take(early);
            let modern = crate::server::modern::is_modern_request(&request)
                && self.config.served_in(Era::Modern).next().is_some();
            self.phase = if modern {
                let version = self.modern_version_of(&request);
                self.events.push_back(ServerEvent::Ready {
                    era: Era::Modern,
                    version,
                });
                Phase::Modern
            } else {
                Phase::Legacy(alloc::boxed::Box::new(LegacySession {
                    version: None,
                    client_info: None,
                    capabilities: ClientCapabilities::default(),
                    initialized: false,
                    log_level: None,
                }))
            };
            for notification in early {
                self.on_notification(notification);
            }
        }
        match self.phase {
            Phase::Legacy(_) => self.on_legacy_request(request),
            Phase::Modern => self.on_modern_request(request),
            _ => {}
        }
    }

    fn on_notification(&mut self, notification: Notification) {
        let version = match &mut self.phase {
            Phase::AwaitingFirstRequest { early } => {
                if early.len() < self.config.limits.max_pending_events {
                    early.push_back(notification);
                }
                return;
            }
            Phase::Closed => return,
            Phase::Modern => ProtocolVersion::LATEST_MODERN,
            Phase::Legacy(session) => session
                .version
                .clone()
                .unwrap_or(ProtocolVersion::LATEST_LEGACY),
        };
        let message = Message::Notification(notification);
        if validate(&message, Direction::ClientToServer, &version, None).is_err() {
            // Invalid notifications get no answer; they are dropped.
            return;
        }
        let Message::Notification(notification) = message else {
            return;
        };
        let Ok(typed) = ClientNotification::from_notification(&notification) else {
            return;
        };
        match typed {
            ClientNotification::Initialized(_) => {
                if let Phase::Legacy(session) = &mut self.phase {
                    if session.version.is_some() && !session.initialized {
                        session.initialized = true;
                        self.events.push_back(ServerEvent::Initialized);
                    }
                }
            }
            ClientNotification::Cancelled(params) => self.on_cancelled(params),
            other => self.events.push_back(ServerEvent::Notification(other)),
        }
    }

    fn on_cancelled(&mut self, params: CancelledNotificationParams) {
        let Some(id) = params.request_id else {
            return;
        };
        if self.subscriptions.close(&id) {
            self.events
                .push_back(ServerEvent::SubscriptionClosed { id });
            return;
        }
        if self.inbound.cancel(&id) {
            self.events.push_back(ServerEvent::Cancelled {
                id,
                reason: params.reason,
            });
        }
    }

    fn on_response(&mut self, response: Response) {
        let Some(id) = &response.id else {
            return;
        };
        let Some(handle) = self.outbound.handle_of(id) else {
            return;
        };
        let Some(pending) = self.outbound.remove(handle) else {
            return;
        };
        let version = self
            .session_version()
            .cloned()
            .unwrap_or(ProtocolVersion::LATEST_LEGACY);
        let method = pending.extra.method;
        let message = Message::Response(response);
        let context = Context {
            answering: Some(&method),
            tasks_extension: false,
        };
        let checked = validate(
            &message,
            Direction::ClientToServer,
            &version,
            Some(&context),
        );
        let Message::Response(response) = message else {
            return;
        };
        let outcome = match (checked, response.outcome) {
            (Err(violation), _) => Err(violation.error),
            (Ok(()), WireOutcome::Result(body)) => Ok(body),
            (Ok(()), WireOutcome::Error(error)) => Err(error),
        };
        self.events
            .push_back(ServerEvent::Response { handle, outcome });
    }

    // ---- commands ------------------------------------------------------------------

    /// Answers an inbound request. The reply is shaped for the request's era and
    /// validated before it leaves; see [`Delivery`] for what can become of it.
    pub fn respond(
        &mut self,
        now: Timestamp,
        token: ReplyToken,
        reply: Reply,
    ) -> Result<Delivery, ApiMisuse> {
        self.advance(now);
        let entry = self.inbound.take(&token).ok_or(ApiMisuse::UnknownToken)?;
        if entry.cancelled || self.is_closed() {
            return Ok(Delivery::Swallowed);
        }
        let mut shaper = Shaper {
            config: &self.config,
            sealer: self
                .sealer
                .as_mut()
                .map(|sealer| &mut *sealer.0 as &mut (dyn StateSealer + Send)),
            now: self.now,
        };
        let (response, delivery) = shape_reply(&mut shaper, &entry, reply);
        // The envelope around a result is short: `{"jsonrpc":"2.0","id":…,"result":…}`.
        let capacity = match &response.outcome {
            WireOutcome::Result(body) => body.raw().get().len() + 64,
            WireOutcome::Error(_) => 0,
        };
        let message = Message::Response(response);
        self.outbox
            .push_related(Related::Response(entry.id), capacity, |out| {
                message.encode(out)
            });
        Ok(delivery)
    }

    /// Reports progress on an inbound request. Sent only when the request carried a
    /// progress token ([`Delivery::Filtered`] otherwise); `progress` must increase with
    /// every report.
    pub fn progress(
        &mut self,
        now: Timestamp,
        token: &ReplyToken,
        progress: f64,
        total: Option<f64>,
        message: Option<String>,
    ) -> Result<Delivery, SendError> {
        self.advance(now);
        if self.is_closed() {
            return Ok(Delivery::Swallowed);
        }
        let room = self.has_outbox_room();
        let entry = self
            .inbound
            .get_mut(token)
            .ok_or(SendError::UnknownRequest)?;
        if entry.cancelled {
            return Ok(Delivery::Swallowed);
        }
        let Some(progress_token) = entry.progress_token.clone() else {
            return Ok(Delivery::Filtered);
        };
        if !progress.is_finite() || entry.last_progress.is_some_and(|last| progress <= last) {
            return Err(SendError::InvalidProgress);
        }
        if !room {
            return Err(SendError::QueueFull);
        }
        entry.last_progress = Some(progress);
        let mut params = ProgressNotificationParams::new(progress_token, progress, total);
        params.message = message;
        self.queue_notification_related(
            Related::Request(token.id().clone()),
            Method::NotificationsProgress.as_str(),
            Some(&params),
        );
        Ok(Delivery::Sent)
    }

    /// Sends a log message. With a token it belongs to that request and is sent only when
    /// the request (2026-07-28 `logLevel`) or the session (`logging/setLevel`) asked for
    /// this level; without one it goes to a legacy session that set a level.
    pub fn log(
        &mut self,
        now: Timestamp,
        token: Option<&ReplyToken>,
        level: LoggingLevel,
        logger: Option<String>,
        data: RawJson,
    ) -> Result<Delivery, SendError> {
        self.advance(now);
        if self.is_closed() {
            return Ok(Delivery::Swallowed);
        }
        let session_level = match &self.phase {
            Phase::Legacy(session) if session.version.is_some() => session.log_level,
            _ => None,
        };
        let threshold = match token {
            Some(token) => {
                let entry = self
                    .inbound
                    .get_mut(token)
                    .ok_or(SendError::UnknownRequest)?;
                if entry.cancelled {
                    return Ok(Delivery::Swallowed);
                }
                match entry.era {
                    Era::Modern => entry.log_level,
                    Era::Legacy => session_level,
                }
            }
            None => session_level,
        };
        if threshold.is_none_or(|threshold| level < threshold) {
            return Ok(Delivery::Filtered);
        }
        if !self.has_outbox_room() {
            return Err(SendError::QueueFull);
        }
        let mut params = LoggingMessageNotificationParams::text(level, "");
        params.data = data;
        params.logger = logger;
        let related = token.map_or(Related::Connection, |token| {
            Related::Request(token.id().clone())
        });
        self.queue_notification_related(
            related,
            Method::NotificationsMessage.as_str(),
            Some(&params),
        );
        Ok(Delivery::Sent)
    }

    /// Sends a server-to-client request (`ping`, `elicitation/create`,
    /// `sampling/createMessage`, `roots/list`) on a legacy session. At 2026-07-28 there is
    /// no back channel ([`SendError::NoBackChannel`]): reply "input required" instead.
    pub fn send_request(
        &mut self,
        now: Timestamp,
        request: ServerRequest,
        options: RequestOptions,
    ) -> Result<RequestHandle, SendError> {
        self.send_request_related(now, Related::Connection, request, options)
    }

    /// [`Self::send_request`] made while serving the inbound request of `token`: the
    /// request belongs to it ([`Transmit::related`]), so Streamable HTTP sends it on
    /// that request's stream, where its client is listening.
    pub fn send_request_for(
        &mut self,
        now: Timestamp,
        token: &ReplyToken,
        request: ServerRequest,
        options: RequestOptions,
    ) -> Result<RequestHandle, SendError> {
        if !self.inbound.contains_id(token.id()) {
            return Err(SendError::UnknownRequest);
        }
        let related = Related::Request(token.id().clone());
        self.send_request_related(now, related, request, options)
    }

    fn send_request_related(
        &mut self,
        now: Timestamp,
        related: Related,
        request: ServerRequest,
        options: RequestOptions,
    ) -> Result<RequestHandle, SendError> {
        self.advance(now);
        let session = match &self.phase {
            Phase::Closed => return Err(SendError::Closed),
            Phase::Modern => return Err(SendError::NoBackChannel),
            Phase::AwaitingFirstRequest { .. } => return Err(SendError::NotReady),
            Phase::Legacy(session) => session,
        };
        let is_ping = matches!(request, ServerRequest::Ping(_));
        if session.version.is_none() || (!is_ping && !session.initialized) {
            return Err(SendError::NotReady);
        }
        let capabilities = &session.capabilities;
        let declared = match &request {
            ServerRequest::Ping(_) => true,
            ServerRequest::Elicit(_) => capabilities.elicitation.is_some(),
            ServerRequest::CreateMessage(_) => capabilities.sampling.is_some(),
            ServerRequest::ListRoots(_) => capabilities.roots.is_some(),
            _ => false,
        };
        if !declared {
            return Err(SendError::MissingCapability);
        }
        if self.outbound.len() >= self.config.limits.max_outbound_in_flight {
            return Err(SendError::TooManyInFlight);
        }
        if !self.has_outbox_room() {
            return Err(SendError::QueueFull);
        }
        let params = request.to_params().map_err(|_| SendError::Encode)?;
        let id = self.outbound.next_id();
        let handle = self.outbound.next_handle();
        let method = String::from(request.method());
        let mut line = Vec::new();
        encode_request(&mut line, &id, &method, params.as_ref().map(|p| p.raw()))
            .map_err(|_| SendError::Encode)?;
        self.outbox
            .push_related(related, line.len(), |out| out.append(&mut line));
        let timeout = options
            .timeout
            .unwrap_or(self.config.limits.default_request_timeout);
        self.outbound.insert(
            handle,
            Pending {
                id,
                deadline: Some(self.now.saturating_add(timeout)),
                extra: OutboundRequest { method },
            },
        );
        Ok(handle)
    }

    /// Withdraws a server-to-client request: `notifications/cancelled` is queued and a
    /// late answer is dropped.
    pub fn cancel_request(
        &mut self,
        now: Timestamp,
        handle: RequestHandle,
        reason: Option<&str>,
    ) -> Result<(), ApiMisuse> {
        self.advance(now);
        let pending = self
            .outbound
            .remove(handle)
            .ok_or(ApiMisuse::UnknownHandle)?;
        if !self.is_closed() {
            self.queue_cancelled(&pending.id, reason);
        }
        Ok(())
    }

    /// Publishes a change to every listener of either era: each 2026-07-28 listen stream
    /// that asked for it (tagged with its subscription id) and an initialized legacy
    /// session whose capabilities announce it. Returns how many listeners were reached.
    ///
    /// A listen stream whose notification no longer fits the transmit queue is ended
    /// (the client re-subscribes and refetches), as the specification advises.
    pub fn publish(&mut self, now: Timestamp, change: Change) -> usize {
        self.advance(now);
        crate::server::publish::publish(self, &change)
    }

    /// Ends every listen stream gracefully: each gets its `SubscriptionsListenResult` and,
    /// on this stream transport, a `notifications/cancelled` for its id.
    pub fn end_subscriptions(&mut self, now: Timestamp) {
        self.advance(now);
        crate::server::publish::end_all(self);
    }

    /// Closes the connection: listen streams end gracefully, in-flight requests are
    /// abandoned (later replies are swallowed), and `Closed` is the last event.
    pub fn close(&mut self, now: Timestamp) {
        self.advance(now);
        if !self.is_closed() {
            self.shut(CloseReason::LocallyClosed, true);
        }
    }

    fn shut(&mut self, reason: CloseReason, graceful: bool) {
        if graceful {
            crate::server::publish::end_all(self);
        }
        self.inbound.cancel_all();
        let handles: Vec<RequestHandle> = self.outbound.handles().collect();
        for handle in handles {
            self.outbound.remove(handle);
        }
        self.phase = Phase::Closed;
        self.events.push_back(ServerEvent::Closed { reason });
    }

    // ---- outputs -------------------------------------------------------------------

    /// Appends the next framed message for the client to `out`.
    pub fn poll_transmit(&mut self, out: &mut Vec<u8>) -> Option<Transmit> {
        self.outbox.poll_transmit(out)
    }

    /// The next event for the application.
    pub fn poll_event(&mut self) -> Option<ServerEvent> {
        self.events.pop_front()
    }

    /// When to call [`handle_timeout`](Self::handle_timeout) next: the earliest
    /// deadline, or the current time while input waits for room that polling made.
    pub fn poll_timeout(&self) -> Option<Timestamp> {
        if !self.is_closed() && self.decoder.has_line() && self.has_room() {
            return Some(self.now);
        }
        self.outbound.next_deadline()
    }

    // ---- helpers for the era modules -----------------------------------------------

    pub(crate) fn has_outbox_room(&self) -> bool {
        self.outbox.bytes() < self.config.limits.max_queued_bytes
    }

    /// Sends an error response: to the request of `id`, or with a `null` id.
    pub(crate) fn send_error(&mut self, id: Option<&RequestId>, error: ErrorObject) {
        let related = id.map_or(Related::Connection, |id| Related::Response(id.clone()));
        self.outbox
            .push_related(related, 0, |out| encode_error(out, id, &error));
    }

    /// Answers request `id` with an error of `code`.
    pub(crate) fn refuse(&mut self, id: &RequestId, code: ErrorCode, message: impl Into<String>) {
        self.send_error(Some(id), ErrorObject::with_message(code, message));
    }

    pub(crate) fn send_result<T: Serialize + ?Sized>(&mut self, id: &RequestId, result: &T) {
        let mut line = Vec::new();
        match encode_result(&mut line, id, result) {
            Ok(()) => self
                .outbox
                .push_related(Related::Response(id.clone()), line.len(), |out| {
                    out.append(&mut line)
                }),
            Err(_) => self.send_error(
                Some(id),
                ErrorObject::with_message(ErrorCode::INTERNAL_ERROR, "result could not be encoded"),
            ),
        }
    }

    pub(crate) fn queue_notification<T: Serialize + ?Sized>(
        &mut self,
        method: &str,
        params: Option<&T>,
    ) {
        self.queue_notification_related(Related::Connection, method, params);
    }

    pub(crate) fn queue_notification_related<T: Serialize + ?Sized>(
        &mut self,
        related: Related,
        method: &str,
        params: Option<&T>,
    ) {
        let mut line = Vec::new();
        if encode_notification(&mut line, method, params).is_ok() {
            self.outbox
                .push_related(related, line.len(), |out| out.append(&mut line));
        }
    }

    fn queue_cancelled(&mut self, id: &RequestId, reason: Option<&str>) {
        let mut params = CancelledNotificationParams::new(id.clone());
        params.reason = reason.map(String::from);
        self.queue_notification(Method::NotificationsCancelled.as_str(), Some(&params));
    }
}
