//! [`ClientConnection`]: the client state machine for stream transports.

use alloc::boxed::Box;
use alloc::collections::{BTreeMap, BTreeSet, VecDeque};
use alloc::string::String;
use alloc::vec::Vec;
use core::time::Duration;

use crate::client::cache::{CacheKey, ResponseCache};
use crate::client::config::{ClientConfig, ClientMode, RequestOptions};
use crate::client::encoded::EncodedRequest;
use crate::client::envelope::{self, Envelope};
use crate::client::event::{ClientEvent, RequestError};
use crate::client::listen::LegacySubscriptions;
use crate::client::mrtr::{self, Rounds};
use crate::client::negotiation::{self, Phase, ProbeVerdict, ServerDetails};
use crate::connection::{
    ApiMisuse, Classified, CloseReason, Delivery, Outbox, Pending, PendingTable, ReplaceCause,
    ReplyToken, RequestHandle, SendError, Transmit,
};
use crate::framing::{FrameError, LineDecoder};
use crate::json::RawJson;
use crate::json::splice::open_object;
use crate::jsonrpc::scan::object_members;
use crate::jsonrpc::{
    DecodeError, ErrorCode, ErrorObject, Message, MessageKind, Notification, Outcome, Params,
    RequestId, Response, ResultBody, encode_error, encode_request, encode_result,
};
use crate::time::Timestamp;
use crate::types::meta::keys;
use crate::types::{
    CancelledNotificationParams, ClientCapabilities, ClientNotification, ClientRequest,
    DiscoverResult, ElicitRequestParams, EmptyResult, Implementation, InitializeRequestParams,
    InputResponses, LoggingLevel, Meta, Method, ProgressToken, ResultType, Sender,
    ServerCapabilities, ServerNotification, ServerRequest, SetLevelRequestParams,
    SubscribeRequestParams, SubscriptionFilter, SubscriptionsListenRequestParams,
    TASKS_EXTENSION_ID, UnsubscribeRequestParams,
};
use crate::validate::{Context, Direction, Rule, Shaped, Violation, validate, validate_keeping};
use crate::version::{Era, ProtocolVersion};

/// One request of the application, from `send_request` until its terminal event.
#[derive(Debug)]
struct AppRequest {
    /// The wire method.
    method: String,
    /// The method, when it is one MCP defines.
    known: Option<Method>,
    /// The params as the application gave them (plus a progress token the connection
    /// allocated), without the envelope: each attempt is stamped afresh.
    base: Option<Params>,
    /// Deadline of each attempt.
    timeout: Duration,
    /// 2026 `io.modelcontextprotocol/logLevel`.
    log_level: Option<LoggingLevel>,
    /// The progress token reported progress is matched by.
    progress_token: Option<ProgressToken>,
    /// Where the result is cached; `None` when not cacheable, and after a round of input.
    cache_key: Option<CacheKey>,
    /// Whether a fresh cached result may answer it.
    use_cache: bool,
    /// A `subscriptions/listen` request: no deadline, ended by the server.
    listen: bool,
    /// Multi-round-trip progress.
    rounds: Rounds,
    /// Waiting for the application's input: no deadline runs, and a stray answer to the
    /// finished attempt's id is dropped.
    awaiting_input: bool,
    /// The `inputResponses` (raw JSON text) of the attempt on the wire, when it is a
    /// retry: sent again when the attempt is repeated.
    input_responses: Option<Box<str>>,
    /// Already sent again at another version after a `-32022`.
    version_retried: bool,
}

/// What a request in the pending table is.
#[derive(Debug)]
enum Outbound {
    /// The `server/discover` probe of [`ClientMode::Auto`].
    Probe,
    /// The legacy handshake.
    Initialize,
    /// The legacy `logging/setLevel` sent after the handshake; its answer is not reported.
    SetLevel,
    /// An application request.
    App(Box<AppRequest>),
    /// Legacy: a `resources/subscribe` for the emulated subscription `subscription`.
    Subscribe {
        subscription: RequestHandle,
        uri: String,
    },
    /// Legacy: a `resources/unsubscribe` no emulated subscription needs any more; its
    /// answer is not reported.
    Unsubscribe,
}

/// The classes of [`Outbound`] entries the pending table counts.
mod class {
    /// An application request other than a subscription.
    pub(super) const REQUEST: usize = 1;
    /// An application `subscriptions/listen`.
    pub(super) const LISTEN: usize = 2;
}

impl Classified for Outbound {
    fn class(&self) -> usize {
        match self {
            Outbound::App(request) if request.listen => class::LISTEN,
            Outbound::App(_) => class::REQUEST,
            _ => 0,
        }
    }
}

/// The kind of [`Outbound`], copied out so the entry can be taken afterwards.
#[derive(Clone, Copy, PartialEq, Eq)]
enum OutboundKind {
    Probe,
    Initialize,
    SetLevel,
    App,
    Subscribe,
    Unsubscribe,
}

/// A server request (legacy) the application holds a [`ReplyToken`] for.
#[derive(Debug)]
struct InboundSlot {
    id: RequestId,
    method: String,
    /// The server withdrew it: a reply is swallowed.
    cancelled: bool,
}

/// The client side of an MCP connection over a byte stream (stdio, a pipe, an in-memory
/// channel), as a Sans-IO state machine.
///
/// It chooses the protocol revision ([`ClientMode`]), stamps every 2026-07-28 request
/// with the `_meta` envelope, matches answers to requests, runs deadlines, the
/// multi-round-trip loop, `subscriptions/listen` streams and the response cache, and
/// answers or surfaces the server's own requests on 2025-11-25 sessions. It never
/// performs I/O and never reads a clock: feed it bytes and time, issue commands, and
/// drain its outputs in the documented order (see the [module docs](crate::client)).
#[derive(Debug)]
pub struct ClientConnection {
    config: ClientConfig,
    phase: Phase,
    details: ServerDetails,
    /// The latest time seen.
    now: Timestamp,
    decoder: LineDecoder,
    /// The stream ended; close once every line before the end is processed.
    eof: bool,
    outbox: Outbox,
    events: VecDeque<ClientEvent>,
    /// Requests on the wire (application and internal ones).
    pending: PendingTable<Outbound>,
    /// Application requests waiting for the revision to be settled.
    held: VecDeque<(RequestHandle, Box<AppRequest>)>,
    /// Progress tokens of live requests.
    progress: BTreeMap<ProgressToken, RequestHandle>,
    /// Server requests (legacy) the application has not answered, by slot.
    inbound: BTreeMap<u64, InboundSlot>,
    /// Slots of those not cancelled, by the server's id.
    inbound_ids: BTreeMap<RequestId, u64>,
    next_slot: u64,
    cache: Option<ResponseCache>,
    /// Legacy sessions: the emulated `subscriptions/listen` streams.
    legacy_listens: LegacySubscriptions,
    /// At 2026-07-28: the `_meta` every request without its own carries at the
    /// configured log level, made once per version spoken (the version it was made for
    /// beside it).
    envelope_meta: Option<(ProtocolVersion, Meta)>,
    /// The text of the last `_meta` `serverInfo` that passed validation: a server stamps
    /// the same one on every 2026 result, so an equal text is not decoded again.
    validated_server_info: Option<Box<str>>,
}

/// The envelope of a request under `config` at `version`.
fn envelope<'a>(
    config: &'a ClientConfig,
    version: &'a ProtocolVersion,
    log_level: Option<LoggingLevel>,
) -> Envelope<'a> {
    Envelope {
        version,
        capabilities: &config.capabilities,
        info: config.send_client_info.then_some(&config.info),
        log_level,
    }
}

/// True when `capabilities` declare the 2026 tasks extension.
fn declares_tasks(capabilities: &ClientCapabilities) -> bool {
    capabilities
        .extensions
        .as_ref()
        .is_some_and(|extensions| extensions.contains_key(TASKS_EXTENSION_ID))
}

/// True when the client declared the capability a server request method needs (the
/// finer checks, such as the elicitation mode, follow in [`declares_for`]).
fn declares_method(capabilities: &ClientCapabilities, method: Option<Method>) -> bool {
    let tasks = capabilities.tasks.is_some();
    match method {
        Some(Method::Ping) => true,
        Some(Method::SamplingCreateMessage) => capabilities.sampling.is_some(),
        Some(Method::RootsList) => capabilities.roots.is_some(),
        Some(Method::ElicitationCreate) => capabilities.elicitation.is_some(),
        Some(Method::TasksGet | Method::TasksResult | Method::TasksList | Method::TasksCancel) => {
            tasks
        }
        // Unknown and client-bound methods are refused by validation with -32601.
        _ => true,
    }
}

/// True when the client declared what the server request needs.
fn declares_for(capabilities: &ClientCapabilities, request: &ServerRequest) -> bool {
    let tasks = capabilities.tasks.as_ref();
    match request {
        ServerRequest::Ping(_) => true,
        ServerRequest::CreateMessage(_) => capabilities.sampling.is_some(),
        ServerRequest::ListRoots(_) => capabilities.roots.is_some(),
        ServerRequest::Elicit(ElicitRequestParams::Form(_)) => capabilities
            .elicitation
            .as_ref()
            .is_some_and(|e| e.supports_form()),
        ServerRequest::Elicit(ElicitRequestParams::Url(_)) => capabilities
            .elicitation
            .as_ref()
            .is_some_and(|e| e.supports_url()),
        ServerRequest::GetTask(_) | ServerRequest::GetTaskPayload(_) => tasks.is_some(),
        ServerRequest::ListTasks(_) => tasks.is_some_and(|t| t.list.is_some()),
        ServerRequest::CancelTask(_) => tasks.is_some_and(|t| t.cancel.is_some()),
        ServerRequest::Custom { .. } => false,
    }
}

/// Checks a 2026 result the way a client reads it when `violation` is only a missing
/// default: a result without `resultType` is complete, and missing cache hints mean
/// `ttlMs` 0 (older servers). The result is checked again with those members added;
/// any other violation stands.
fn check_with_defaults(
    message: &Message,
    version: &ProtocolVersion,
    context: &Context<'_>,
    mut violation: Violation,
) -> Result<(), Violation> {
    let Message::Response(Response {
        id,
        outcome: Outcome::Result(body),
    }) = message
    else {
        return Err(violation);
    };
    let mut text = String::from(body.raw().get());
    // Each pass supplies one kind of default: at most resultType, then the hints.
    for _ in 0..2 {
        let [ttl_ms, cache_scope] = object_members(&text, ["ttlMs", "cacheScope"]);
        let missing: Vec<&str> = match violation.rule {
            Rule::ResultTypeMissing => alloc::vec![r#""resultType":"complete""#],
            Rule::CacheHintsMissing => [
                ttl_ms.is_none().then_some(r#""ttlMs":0"#),
                cache_scope.is_none().then_some(r#""cacheScope":"private""#),
            ]
            .into_iter()
            .flatten()
            .collect(),
            _ => return Err(violation),
        };
        text = with_members(&text, &missing);
        let Ok(raw) = RawJson::from_text(&text) else {
            return Err(violation);
        };
        let completed = Message::Response(Response {
            id: id.clone(),
            outcome: Outcome::Result(ResultBody::from_object(raw)),
        });
        match validate(
            &completed,
            Direction::ServerToClient,
            version,
            Some(context),
        ) {
            Ok(()) => return Ok(()),
            Err(next) => violation = next,
        }
    }
    Err(violation)
}

/// The JSON object `object` with `members` (`"name":value` texts) added first.
fn with_members(object: &str, members: &[&str]) -> String {
    let inner = object.trim().strip_prefix('{').unwrap_or_default();
    let mut text = String::from("{");
    text.push_str(&members.join(","));
    if !members.is_empty() && !inner.trim_start().starts_with('}') {
        text.push(',');
    }
    text.push_str(inner);
    text
}

/// The line of a request to `method` without its closing brace, with room for
/// `capacity` more bytes: params go on after it.
fn open_request_line(id: &RequestId, method: &str, capacity: usize) -> Result<Vec<u8>, SendError> {
    let mut line = Vec::with_capacity(64 + method.len() + capacity);
    encode_request::<RawJson>(&mut line, id, method, None).map_err(|_| SendError::Encode)?;
    if line.pop() != Some(b'}') {
        return Err(SendError::Encode);
    }
    Ok(line)
}

/// Appends one request to `outbox`; nothing is queued when it cannot be encoded.
pub(super) fn queue_request(
    outbox: &mut Outbox,
    id: &RequestId,
    method: &str,
    params: Option<&Params>,
) -> Result<(), SendError> {
    // Room for the envelope, the method and the params, so the line grows once.
    let text = params.map(|params| params.raw().get());
    let mut line = open_request_line(id, method, text.map_or(0, str::len) + 12)?;
    if let Some(text) = text {
        // Params hold one JSON object's text, checked when they were made: it is written
        // as it is (serialising it would parse text kept unparsed once more).
        if !text.starts_with('{') {
            return Err(SendError::Encode);
        }
        line.extend_from_slice(b",\"params\":");
        line.extend_from_slice(text.as_bytes());
    }
    line.push(b'}');
    outbox.push_with(|out| *out = line);
    Ok(())
}

/// The `_meta` a 2026 request without one of its own takes as it is: the envelope the
/// connection made once for its version and log level ([`envelope::stamped_meta`]).
/// `None` when the request needs its params rebuilt (it has a `_meta`, another log level,
/// or the connection is not a ready 2026 one).
fn fresh_envelope<'a>(
    phase: &Phase,
    envelope_meta: Option<&'a (ProtocolVersion, Meta)>,
    config: &ClientConfig,
    request: &AppRequest,
) -> Option<&'a Meta> {
    let Phase::Ready {
        era: Era::Modern,
        version,
    } = phase
    else {
        return None;
    };
    let (made_for, meta) = envelope_meta?;
    let without_meta = request
        .base
        .as_ref()
        .is_none_or(|params| params.meta().is_none() && !params.meta_is_malformed());
    (made_for == version && request.log_level == config.log_level && without_meta).then_some(meta)
}

/// [`queue_request`] of `base` params (`{}` when absent) with `meta` appended as their
/// `_meta`, written straight into the line: the stamped params are never built apart.
pub(super) fn queue_stamped_request(
    outbox: &mut Outbox,
    id: &RequestId,
    method: &str,
    base: Option<&Params>,
    meta: &Meta,
) -> Result<(), SendError> {
    let text = base.map_or("{}", |params| params.raw().get());
    let (open, empty) = open_object(text).ok_or(SendError::Encode)?;
    let meta = meta.raw().get();
    let mut line = open_request_line(id, method, open.len() + meta.len() + 16)?;
    line.extend_from_slice(b",\"params\":");
    line.extend_from_slice(open.as_bytes());
    if !empty {
        line.push(b',');
    }
    line.extend_from_slice(b"\"_meta\":");
    line.extend_from_slice(meta.as_bytes());
    line.extend_from_slice(b"}}");
    outbox.push_with(|out| *out = line);
    Ok(())
}

impl ClientConnection {
    /// A connection starting at `now`, with the opening message of `config.mode` queued:
    /// `server/discover` ([`ClientMode::Auto`]), `initialize` ([`ClientMode::Legacy`]),
    /// or nothing at all ([`ClientMode::Pinned`], which is ready at once and reports
    /// [`ClientEvent::Ready`] as its first event; pinning a version that is not a
    /// per-request one closes the connection as
    /// [`CloseReason::Incompatible`]).
    pub fn new(now: Timestamp, config: ClientConfig) -> Self {
        enum Opening {
            Probe,
            Initialize,
            Pinned(ProtocolVersion, Box<ServerDetails>),
        }
        let opening = match &config.mode {
            ClientMode::Auto => Opening::Probe,
            ClientMode::Legacy => Opening::Initialize,
            ClientMode::Pinned { version, discover } => Opening::Pinned(
                version.clone(),
                Box::new(
                    discover
                        .as_ref()
                        .map(ServerDetails::from_discover)
                        .unwrap_or_default(),
                ),
            ),
        };
        let mut connection = ClientConnection {
            decoder: LineDecoder::new(config.limits.max_message_bytes),
            cache: config.cache.map(ResponseCache::new),
            envelope_meta: None,
            validated_server_info: None,
            config,
            phase: Phase::Initializing,
            details: ServerDetails::default(),
            now,
            eof: false,
            outbox: Outbox::default(),
            events: VecDeque::new(),
            pending: PendingTable::default(),
            held: VecDeque::new(),
            progress: BTreeMap::new(),
            inbound: BTreeMap::new(),
            inbound_ids: BTreeMap::new(),
            legacy_listens: LegacySubscriptions::default(),
            next_slot: 1,
        };
        match opening {
            Opening::Probe => connection.send_probe(ProtocolVersion::LATEST_MODERN, None),
            Opening::Initialize => connection.send_initialize(),
            Opening::Pinned(version, details) => {
                if version.era() == Some(Era::Modern) {
                    connection.details = *details;
                    connection.become_ready(Era::Modern, version);
                } else {
                    connection.close_with(CloseReason::Incompatible(alloc::format!(
                        "{version} is not a per-request protocol version: pin a 2026 version \
                         or use ClientMode::Legacy"
                    )));
                }
            }
        }
        connection
    }

    // A. Getters.

    /// The configuration the connection was built with.
    pub fn config(&self) -> &ClientConfig {
        &self.config
    }

    /// The lifecycle in use, once settled.
    pub fn era(&self) -> Option<Era> {
        match &self.phase {
            Phase::Ready { era, .. } => Some(*era),
            _ => None,
        }
    }

    /// The protocol version in use, once settled.
    pub fn protocol_version(&self) -> Option<&ProtocolVersion> {
        match &self.phase {
            Phase::Ready { version, .. } => Some(version),
            _ => None,
        }
    }

    /// The server's identity: from `initialize`, the discover probe, a saved discover
    /// result ([`ClientMode::Pinned`]), or the latest `server/discover` answered.
    pub fn server_info(&self) -> Option<&Implementation> {
        self.details.info.as_ref()
    }

    /// The server's capabilities, from the same sources as [`Self::server_info`].
    pub fn server_capabilities(&self) -> Option<&ServerCapabilities> {
        self.details.capabilities.as_ref()
    }

    /// The server's guidance for the model, when it gave any.
    pub fn instructions(&self) -> Option<&str> {
        self.details.instructions.as_deref()
    }

    /// True once the revision is settled and requests go out as they are sent.
    pub fn is_ready(&self) -> bool {
        matches!(self.phase, Phase::Ready { .. })
    }

    /// True once the connection is closed (the last events may still wait).
    pub fn is_closed(&self) -> bool {
        matches!(self.phase, Phase::Closed)
    }

    /// True when nothing is queued (bytes, events, lines) and nothing is in flight in
    /// either direction: a test driver may stop pumping.
    pub fn is_idle(&self) -> bool {
        self.outbox.is_empty()
            && self.events.is_empty()
            && !self.decoder.has_line()
            && self.pending.len() == 0
            && self.held.is_empty()
            && self.inbound.is_empty()
    }

    /// Encoded bytes waiting for `poll_transmit`.
    pub fn queued_bytes(&self) -> usize {
        self.outbox.bytes()
    }

    /// Events waiting for `poll_event`.
    pub fn pending_events(&self) -> usize {
        self.events.len()
    }

    /// False while complete lines wait because the event queue (or transmit queue) is
    /// full: the driver may stop reading until the application drains events.
    pub fn wants_input(&self) -> bool {
        !self.is_closed() && !self.eof && !self.decoder.has_line()
    }

    /// The response cache, when enabled (to inspect, or to clear after a change the
    /// server did not announce).
    pub fn cache_mut(&mut self) -> Option<&mut ResponseCache> {
        self.cache.as_mut()
    }

    // B. Inputs.

    /// Feeds bytes read from the server. Complete lines are processed at once, up to the
    /// event bound; the rest wait (see [`Self::poll_timeout`]). A line that is not a
    /// valid message is ignored (a client does not answer garbage), except a malformed
    /// request whose id could be read, which is answered with the decoder's error.
    pub fn handle_bytes(&mut self, now: Timestamp, data: &[u8]) {
        self.advance(now);
        if self.is_closed() || self.eof {
            return;
        }
        self.decoder.push(data);
        self.pump();
    }

    /// The server closed its end. Lines already received are processed first; then
    /// every open request ends with [`ClientEvent::Failed`] and
    /// [`ClientEvent::Closed`] (`PeerClosed`) comes last.
    pub fn handle_eof(&mut self, now: Timestamp) {
        self.advance(now);
        if self.is_closed() || self.eof {
            return;
        }
        self.eof = true;
        self.decoder.finish();
        self.pump();
    }

    /// Time passed: requests past their deadline are cancelled, an unanswered probe falls
    /// back to `initialize`, and lines held back by the event bound are processed when
    /// there is room again. Early calls do nothing harmful.
    pub fn handle_timeout(&mut self, now: Timestamp) {
        let now = self.advance(now);
        while let Some(handle) = self.pending.pop_expired(now) {
            self.expire(handle);
        }
        self.pump();
    }

    // C. Commands.

    /// Sends `request`, or holds it until the revision is settled, and returns the handle
    /// its events will carry.
    ///
    /// A fresh cached result (2026, cacheable method, [`RequestOptions::use_cache`])
    /// answers at once with [`ClientEvent::Response`] `cached: true` and nothing is
    /// sent. A method the negotiated revision does not define is refused with
    /// [`SendError::WrongEra`] (held requests whose method the chosen revision lacks end
    /// with [`RequestError::WrongEra`]); methods MCP does not define at all (extensions)
    /// are sent as given. `initialize` is [`SendError::Reserved`]. A
    /// `subscriptions/listen` request is handled as [`Self::listen`] describes.
    pub fn send_request(
        &mut self,
        now: Timestamp,
        request: ClientRequest,
        options: RequestOptions,
    ) -> Result<RequestHandle, SendError> {
        self.advance(now);
        let method = request.method();
        let known = self.sendable(method)?;
        let params = request.encode_params().map_err(|_| SendError::Encode)?;
        self.submit(String::from(method), known, params, options)
    }

    /// [`Self::send_request`] of a request encoded beforehand ([`EncodedRequest::new`],
    /// which a driver can run on the caller's thread).
    pub fn send_encoded(
        &mut self,
        now: Timestamp,
        request: EncodedRequest,
        options: RequestOptions,
    ) -> Result<RequestHandle, SendError> {
        self.advance(now);
        let known = self.sendable(&request.method)?;
        self.submit(request.method, known, request.params, options)
    }

    /// Whether a request to `method` may be sent now: the connection is open, and a
    /// method MCP defines is a request of the revision in use (or of either while it is
    /// not settled), never `initialize`. The method, when MCP defines it.
    fn sendable(&self, method: &str) -> Result<Option<Method>, SendError> {
        if self.is_closed() {
            return Err(SendError::Closed);
        }
        let known = Method::parse(method);
        if let Some(known) = known {
            if known == Method::Initialize {
                return Err(SendError::Reserved);
            }
            let allowed = match self.phase.intended_era() {
                Some(era) => known.sent_by(Sender::Client, era),
                None => {
                    known.sent_by(Sender::Client, Era::Legacy)
                        || known.sent_by(Sender::Client, Era::Modern)
                }
            };
            if known.is_notification() || !allowed {
                return Err(SendError::WrongEra);
            }
        }
        Ok(known)
    }

    /// Opens a subscription to the notifications `filter` asks for, in either era.
    ///
    /// At 2026-07-28 it is a `subscriptions/listen` stream, whose notifications, told
    /// apart by their subscription id, arrive as [`ClientEvent::SubscriptionAcknowledged`]
    /// and then [`ClientEvent::SubscriptionNotification`]s; the server ends it with
    /// [`ClientEvent::SubscriptionEnded`].
    ///
    /// A 2025-11-25 session has no listen request, so the connection emulates one with
    /// the same events: the filter is cut to what the server's capabilities announce, the
    /// resources it names are subscribed (`resources/subscribe`, shared between
    /// subscriptions), [`ClientEvent::SubscriptionAcknowledged`] comes once the server
    /// answered (without the resources it refused), and each session notification the
    /// filter wants is delivered as a [`ClientEvent::SubscriptionNotification`] too (it
    /// still arrives as a [`ClientEvent::Notification`] as well).
    ///
    /// A subscription never times out; end it with [`Self::cancel`] (a legacy one then
    /// unsubscribes the resources no other subscription names). At most
    /// [`Limits::max_subscriptions`](crate::Limits) are open.
    pub fn listen(
        &mut self,
        now: Timestamp,
        filter: SubscriptionFilter,
    ) -> Result<RequestHandle, SendError> {
        if self.era() == Some(Era::Legacy) {
            return self.listen_legacy(now, &filter);
        }
        let request = ClientRequest::SubscriptionsListen(SubscriptionsListenRequestParams {
            notifications: filter,
            meta: None,
        });
        self.send_request(now, request, RequestOptions::default())
    }

    /// The emulated subscription of a 2025-11-25 session (see [`Self::listen`]).
    fn listen_legacy(
        &mut self,
        now: Timestamp,
        filter: &SubscriptionFilter,
    ) -> Result<RequestHandle, SendError> {
        self.advance(now);
        if self.is_closed() {
            return Err(SendError::Closed);
        }
        if self.legacy_listens.len() >= self.config.limits.max_subscriptions {
            return Err(SendError::TooManySubscriptions);
        }
        let handle = self.pending.next_handle();
        let capabilities = self.details.capabilities.as_ref();
        let to_subscribe = self.legacy_listens.open(handle, filter, capabilities);
        for uri in to_subscribe {
            let request = ClientRequest::Subscribe(SubscribeRequestParams {
                uri: uri.clone(),
                meta: None,
            });
            let sent = self.send_own(
                &request,
                Outbound::Subscribe {
                    subscription: handle,
                    uri: uri.clone(),
                },
            );
            if !sent {
                self.legacy_listens.on_subscribe_answer(handle, &uri, true);
            }
        }
        if let Some(filter) = self.legacy_listens.acknowledged(handle) {
            self.events
                .push_back(ClientEvent::SubscriptionAcknowledged { handle, filter });
        }
        Ok(handle)
    }

    /// Sends a request of the connection's own (not the application's): true when sent.
    fn send_own(&mut self, request: &ClientRequest, extra: Outbound) -> bool {
        let id = self.pending.next_id();
        let mut line = Vec::new();
        if request.encode(&id, &mut line).is_err() {
            return false;
        }
        self.track_own(id, line, extra);
        true
    }

    /// The server answered (or did not answer in time) the `resources/subscribe` of
    /// `uri` for the emulated subscription `subscription`.
    fn on_subscribe_answer(&mut self, subscription: RequestHandle, uri: &str, refused: bool) {
        if let Some(filter) = self
            .legacy_listens
            .on_subscribe_answer(subscription, uri, refused)
        {
            self.events
                .push_back(ClientEvent::SubscriptionAcknowledged {
                    handle: subscription,
                    filter,
                });
        }
    }

    /// Retries a request after [`ClientEvent::InputRequired`] with the answers to every
    /// input request of that round (keyed as the server keyed them).
    ///
    /// The retry keeps the method and params, gets a new JSON-RPC id, carries
    /// `inputResponses` and the round's `requestState` exactly as received, and a fresh
    /// envelope; the handle stays the same and a new deadline starts.
    pub fn provide_input(
        &mut self,
        now: Timestamp,
        handle: RequestHandle,
        responses: InputResponses,
    ) -> Result<(), ApiMisuse> {
        self.advance(now);
        let Some(request) = self.pending_app(handle) else {
            return Err(if self.is_open_handle(handle) {
                ApiMisuse::NotAwaitingInput
            } else {
                ApiMisuse::UnknownHandle
            });
        };
        if !request.awaiting_input {
            return Err(ApiMisuse::NotAwaitingInput);
        }
        if !request.rounds.is_answered_by(&responses) {
            return Err(ApiMisuse::IncompleteInput);
        }
        let Ok(text) = serde_json::to_string(&responses) else {
            self.drop_with(handle, RequestError::Encode);
            return Ok(());
        };
        self.retry(handle, &text);
        Ok(())
    }

    /// Cancels one of our requests: `notifications/cancelled` goes out when the server
    /// has it (not for a request still held, or waiting for input, which the server is
    /// not working on), any answer is dropped, and [`ClientEvent::Cancelled`] is
    /// reported. Cancelling a listen request ends its stream.
    pub fn cancel(
        &mut self,
        now: Timestamp,
        handle: RequestHandle,
        reason: Option<String>,
    ) -> Result<(), ApiMisuse> {
        self.advance(now);
        if let Some(to_unsubscribe) = self.legacy_listens.close(handle) {
            if !self.is_closed() {
                for uri in to_unsubscribe {
                    let request =
                        ClientRequest::Unsubscribe(UnsubscribeRequestParams { uri, meta: None });
                    self.send_own(&request, Outbound::Unsubscribe);
                }
            }
            self.events.push_back(ClientEvent::Cancelled { handle });
            return Ok(());
        }
        if let Some(at) = self.held.iter().position(|(held, _)| *held == handle) {
            if let Some((_, request)) = self.held.remove(at) {
                self.forget_progress(&request);
            }
        } else if let Some(Pending {
            id,
            extra: Outbound::App(request),
            ..
        }) = self.take_app(handle)
        {
            self.forget_progress(&request);
            // While input is gathered the server is working on nothing.
            if !request.awaiting_input {
                self.queue_cancelled(id, reason);
            }
        } else {
            return Err(ApiMisuse::UnknownHandle);
        }
        self.events.push_back(ClientEvent::Cancelled { handle });
        Ok(())
    }

    /// Answers a server request ([`ClientEvent::Request`]) exactly once.
    ///
    /// Returns [`Delivery::Swallowed`] when the server cancelled the request or the
    /// connection closed meanwhile, and [`Delivery::Replaced`] when the result breaks
    /// the schema of the version in use (the server then gets -32603 instead).
    pub fn respond(
        &mut self,
        now: Timestamp,
        token: ReplyToken,
        reply: Result<ResultBody, ErrorObject>,
    ) -> Result<Delivery, ApiMisuse> {
        self.advance(now);
        if self.is_closed() {
            return Ok(Delivery::Swallowed);
        }
        let ReplyToken { slot, id } = token;
        if self.inbound.get(&slot).is_none_or(|entry| entry.id != id) {
            return Err(ApiMisuse::UnknownToken);
        }
        let Some(entry) = self.inbound.remove(&slot) else {
            return Err(ApiMisuse::UnknownToken);
        };
        if entry.cancelled {
            return Ok(Delivery::Swallowed);
        }
        self.inbound_ids.remove(&id);
        let body = match reply {
            Ok(body) => body,
            Err(error) => {
                self.queue_error(Some(&id), &error);
                return Ok(Delivery::Sent);
            }
        };
        let version = self
            .protocol_version()
            .cloned()
            .unwrap_or(ProtocolVersion::LATEST_LEGACY);
        let message = Message::Response(Response {
            id: Some(id),
            outcome: Outcome::Result(body),
        });
        let context = Context {
            answering: Some(&entry.method),
            tasks_extension: false,
        };
        match validate(
            &message,
            Direction::ClientToServer,
            &version,
            Some(&context),
        ) {
            Ok(()) => {
                self.outbox.push_with(|out| message.encode(out));
                Ok(Delivery::Sent)
            }
            Err(violation) => {
                self.queue_error(message.id(), &violation.error);
                Ok(Delivery::Replaced {
                    error: violation.error,
                    cause: ReplaceCause::InvalidResult,
                })
            }
        }
    }

    /// Sends a notification once the revision is settled ([`SendError::NotReady`]
    /// before): `notifications/roots/list_changed` and `notifications/progress` (for a
    /// server request) on 2025 sessions, `notifications/cancelled` in both revisions (for
    /// one of our requests it acts as [`Self::cancel`], with the application's params).
    /// `notifications/initialized` is the connection's own ([`SendError::Reserved`]).
    /// Refused with [`SendError::QueueFull`] while the transmit queue holds
    /// [`Limits::max_queued_bytes`](crate::Limits).
    pub fn notify(
        &mut self,
        now: Timestamp,
        notification: ClientNotification,
    ) -> Result<(), SendError> {
        self.advance(now);
        if self.is_closed() {
            return Err(SendError::Closed);
        }
        let known = Method::parse(notification.method());
        if known == Some(Method::NotificationsInitialized) {
            return Err(SendError::Reserved);
        }
        let Some(era) = self.era() else {
            return Err(SendError::NotReady);
        };
        if known.is_some_and(|m| !m.is_notification() || !m.sent_by(Sender::Client, era)) {
            return Err(SendError::WrongEra);
        }
        if self.outbox.bytes() >= self.config.limits.max_queued_bytes {
            return Err(SendError::QueueFull);
        }
        let mut line = Vec::new();
        notification
            .encode(&mut line)
            .map_err(|_| SendError::Encode)?;
        if let ClientNotification::Cancelled(CancelledNotificationParams {
            request_id: Some(id),
            ..
        }) = &notification
        {
            let ours = self
                .pending
                .handle_of(id)
                .filter(|handle| self.kind_of(*handle) == Some(OutboundKind::App));
            if let Some(handle) = ours {
                if let Some(Pending {
                    extra: Outbound::App(request),
                    ..
                }) = self.pending.remove(handle)
                {
                    self.forget_progress(&request);
                }
                self.events.push_back(ClientEvent::Cancelled { handle });
            }
        }
        self.outbox.push_with(|out| out.append(&mut line));
        Ok(())
    }

    /// Closes the connection: every open request ends with [`ClientEvent::Failed`], then
    /// [`ClientEvent::Closed`] (`LocallyClosed`). Bytes already queued can still be
    /// drained; afterwards nothing is sent or received.
    pub fn close(&mut self, now: Timestamp) {
        self.advance(now);
        self.close_with(CloseReason::LocallyClosed);
    }

    // D. Outputs.

    /// Appends the next framed message to `out`. Drain until `None` first.
    pub fn poll_transmit(&mut self, out: &mut Vec<u8>) -> Option<Transmit> {
        self.outbox.poll_transmit(out)
    }

    /// The next event for the application. Drain until `None` after the transmits.
    pub fn poll_event(&mut self) -> Option<ClientEvent> {
        self.events.pop_front()
    }

    /// When to call [`Self::handle_timeout`]: the earliest deadline, or the latest `now`
    /// when received lines wait for room in the event queue and there is room again.
    /// `None` when nothing is timed (and after close).
    pub fn poll_timeout(&self) -> Option<Timestamp> {
        if self.is_closed() {
            return None;
        }
        let deadline = self.pending.next_deadline();
        if self.decoder.has_line() && self.has_room() {
            return Some(deadline.map_or(self.now, |deadline| deadline.min(self.now)));
        }
        deadline
    }

    // Internals: time, queues, bookkeeping.

    /// Moves time forward to `now` (never back) and returns the current time.
    fn advance(&mut self, now: Timestamp) -> Timestamp {
        self.now = self.now.max(now);
        self.now
    }

    /// Room to process another inbound line.
    fn has_room(&self) -> bool {
        self.events.len() < self.config.limits.max_pending_events
            && self.outbox.bytes() < self.config.limits.max_queued_bytes
    }

    fn kind_of(&self, handle: RequestHandle) -> Option<OutboundKind> {
        self.pending
            .get(handle)
            .map(|pending| match &pending.extra {
                Outbound::Probe => OutboundKind::Probe,
                Outbound::Initialize => OutboundKind::Initialize,
                Outbound::SetLevel => OutboundKind::SetLevel,
                Outbound::App(_) => OutboundKind::App,
                Outbound::Subscribe { .. } => OutboundKind::Subscribe,
                Outbound::Unsubscribe => OutboundKind::Unsubscribe,
            })
    }

    fn pending_app(&self, handle: RequestHandle) -> Option<&AppRequest> {
        match self.pending.get(handle).map(|pending| &pending.extra) {
            Some(Outbound::App(request)) => Some(request),
            _ => None,
        }
    }

    /// Takes the pending entry of `handle` when it is an application request.
    fn take_app(&mut self, handle: RequestHandle) -> Option<Pending<Outbound>> {
        self.pending_app(handle)?;
        self.pending.remove(handle)
    }

    /// Ends the pending application request `handle` with [`ClientEvent::Failed`].
    fn drop_with(&mut self, handle: RequestHandle, error: RequestError) {
        if let Some(Pending {
            extra: Outbound::App(request),
            ..
        }) = self.take_app(handle)
        {
            self.fail(handle, &request, error);
        }
    }

    /// True for a handle of a live application request, held or pending.
    fn is_open_handle(&self, handle: RequestHandle) -> bool {
        self.held.iter().any(|(held, _)| *held == handle) || self.pending_app(handle).is_some()
    }

    /// Live application requests (held, on the wire, or waiting for input).
    fn requests_in_flight(&self) -> usize {
        self.pending.count_of(class::REQUEST)
            + self.pending.count_of(class::LISTEN)
            + self.held.len()
    }

    /// Open (or held) `subscriptions/listen` requests.
    fn open_listens(&self) -> usize {
        let on_wire = self.pending.count_of(class::LISTEN);
        on_wire + self.held.iter().filter(|(_, r)| r.listen).count()
    }

    fn forget_progress(&mut self, request: &AppRequest) {
        if let Some(token) = &request.progress_token {
            self.progress.remove(token);
        }
    }

    /// Ends `handle` with [`ClientEvent::Failed`].
    fn fail(&mut self, handle: RequestHandle, request: &AppRequest, error: RequestError) {
        self.forget_progress(request);
        self.events.push_back(ClientEvent::Failed { handle, error });
    }

    fn queue_error(&mut self, id: Option<&RequestId>, error: &ErrorObject) {
        self.outbox.push_with(|out| encode_error(out, id, error));
    }

    fn queue_empty_result(&mut self, id: &RequestId) {
        // An empty struct always encodes.
        self.outbox
            .push_with(|out| drop(encode_result(out, id, &EmptyResult::default())));
    }

    fn queue_cancelled(&mut self, id: RequestId, reason: Option<String>) {
        let notification = ClientNotification::Cancelled(CancelledNotificationParams {
            request_id: Some(id),
            reason,
            meta: None,
        });
        let mut line = Vec::new();
        if notification.encode(&mut line).is_ok() {
            self.outbox.push_with(|out| out.append(&mut line));
        }
    }

    /// Ends the connection once: every open request fails, in handle order, then
    /// [`ClientEvent::Closed`].
    fn close_with(&mut self, reason: CloseReason) {
        if self.is_closed() {
            return;
        }
        self.phase = Phase::Closed;
        let mut open = BTreeSet::new();
        open.extend(self.held.drain(..).map(|(handle, _)| handle));
        open.extend(self.legacy_listens.close_all());
        let on_wire: Vec<RequestHandle> = self.pending.handles().collect();
        for handle in on_wire {
            if let Some(Pending {
                extra: Outbound::App(_),
                ..
            }) = self.pending.remove(handle)
            {
                open.insert(handle);
            }
        }
        for handle in open {
            self.events.push_back(ClientEvent::Failed {
                handle,
                error: RequestError::ConnectionClosed,
            });
        }
        self.progress.clear();
        self.inbound.clear();
        self.inbound_ids.clear();
        self.events.push_back(ClientEvent::Closed { reason });
    }

    // Negotiation.

    /// Sends `server/discover` at `version`: the first probe, or the one re-probe, which
    /// keeps the probe's entry under a new id (`again`).
    fn send_probe(&mut self, version: ProtocolVersion, again: Option<RequestHandle>) {
        let id = self.pending.next_id();
        let params = envelope::stamp(
            None,
            &envelope(&self.config, &version, self.config.log_level),
        );
        let queued = queue_request(
            &mut self.outbox,
            &id,
            Method::ServerDiscover.as_str(),
            params.as_ref(),
        );
        if queued.is_err() {
            // Our own envelope always encodes; should it not, the server cannot be probed.
            if let Some(probe) = again {
                self.pending.remove(probe);
            }
            return self.send_initialize();
        }
        let deadline = Some(self.now.saturating_add(self.config.limits.probe_timeout));
        match again {
            Some(probe) => {
                self.pending.rekey(probe, id);
                self.pending.set_deadline(probe, deadline);
            }
            None => {
                let probe = self.pending.next_handle();
                self.pending.insert(
                    probe,
                    Pending {
                        id,
                        deadline,
                        extra: Outbound::Probe,
                    },
                );
            }
        }
        self.phase = Phase::Probing {
            version,
            reprobed: again.is_some(),
        };
    }

    /// Sends `initialize` (the legacy handshake).
    fn send_initialize(&mut self) {
        self.phase = Phase::Initializing;
        let params = InitializeRequestParams {
            protocol_version: String::from(ProtocolVersion::LATEST_LEGACY.as_str()),
            capabilities: self.config.capabilities.clone(),
            client_info: self.config.info.clone(),
            meta: None,
        };
        let id = self.pending.next_id();
        let mut line = Vec::new();
        if encode_request(&mut line, &id, Method::Initialize.as_str(), Some(&params)).is_err() {
            self.close_with(CloseReason::Incompatible(String::from(
                "the client's capabilities could not be encoded",
            )));
            return;
        }
        self.track_own(id, line, Outbound::Initialize);
    }

    /// Queues `line`, a request the connection sends on its own behalf, and tracks its
    /// answer under `id` with the default deadline.
    fn track_own(&mut self, id: RequestId, mut line: Vec<u8>, extra: Outbound) {
        self.outbox.push_with(|out| out.append(&mut line));
        let handle = self.pending.next_handle();
        let deadline = self
            .now
            .saturating_add(self.config.limits.default_request_timeout);
        self.pending.insert(
            handle,
            Pending {
                id,
                deadline: Some(deadline),
                extra,
            },
        );
    }

    /// Speaks `version` of `era` from now on.
    fn speak(&mut self, era: Era, version: ProtocolVersion) {
        self.envelope_meta = (era == Era::Modern).then(|| {
            let meta =
                envelope::stamped_meta(&envelope(&self.config, &version, self.config.log_level));
            (version.clone(), meta)
        });
        self.phase = Phase::Ready { era, version };
    }

    /// Settles the revision, reports it, and sends the held requests in order.
    fn become_ready(&mut self, era: Era, version: ProtocolVersion) {
        self.speak(era, version.clone());
        self.events.push_back(ClientEvent::Ready { era, version });
        let held = core::mem::take(&mut self.held);
        for (handle, request) in held {
            self.dispatch(handle, request);
        }
    }

    fn on_probe_answer(&mut self, probe: RequestHandle, response: &Response) {
        let Phase::Probing { version, reprobed } = &self.phase else {
            return;
        };
        let verdict = match &response.outcome {
            Outcome::Result(body) => negotiation::judge_probe_result(body),
            Outcome::Error(error) => negotiation::judge_probe_error(error, version, *reprobed),
        };
        if !matches!(verdict, ProbeVerdict::Reprobe(_)) {
            self.pending.remove(probe);
        }
        match verdict {
            ProbeVerdict::Modern { version, details } => {
                self.details = *details;
                if let Outcome::Result(body) = &response.outcome {
                    self.cache_discover(&version, response, body);
                }
                self.become_ready(Era::Modern, version);
            }
            ProbeVerdict::Reprobe(version) => self.send_probe(version, Some(probe)),
            ProbeVerdict::Legacy => self.send_initialize(),
            ProbeVerdict::Incompatible(reason) => {
                self.close_with(CloseReason::Incompatible(reason));
            }
        }
    }

    /// Keeps a probe's discover result in the cache when it is valid at `version`, so an
    /// application `server/discover` is answered locally while it is fresh.
    fn cache_discover(
        &mut self,
        version: &ProtocolVersion,
        response: &Response,
        body: &ResultBody,
    ) {
        let Some(cache) = self.cache.as_mut() else {
            return;
        };
        let Some(key) = CacheKey::for_request(Method::ServerDiscover.as_str(), None) else {
            return;
        };
        let message = Message::Response(response.clone());
        let context = Context {
            answering: Some(Method::ServerDiscover.as_str()),
            tasks_extension: false,
        };
        if validate(&message, Direction::ServerToClient, version, Some(&context)).is_ok() {
            cache.store(self.now, key, body);
        }
    }

    fn on_initialize_answer(&mut self, response: &Response) {
        let outcome = match &response.outcome {
            Outcome::Result(body) => Ok(body),
            Outcome::Error(error) => Err(error),
        };
        match negotiation::judge_initialize(outcome) {
            Ok((version, details)) => {
                let logging = details
                    .capabilities
                    .as_ref()
                    .is_some_and(|c| c.logging.is_some());
                self.details = details;
                self.queue_notification(&ClientNotification::Initialized(None));
                match (self.config.log_level, logging) {
                    (Some(level), true) => {
                        self.send_set_level(level);
                        self.phase = Phase::SettingLevel { version };
                    }
                    _ => self.become_ready(Era::Legacy, version),
                }
            }
            Err(reason) => self.close_with(CloseReason::Incompatible(reason)),
        }
    }

    fn queue_notification(&mut self, notification: &ClientNotification) {
        let mut line = Vec::new();
        if notification.encode(&mut line).is_ok() {
            self.outbox.push_with(|out| out.append(&mut line));
        }
    }

    /// Legacy: the handshake's `logging/setLevel` was answered (a refusal too: the
    /// session works without log messages) or timed out; the connection is ready.
    fn on_set_level_answer(&mut self) {
        if let Phase::SettingLevel { version } = &self.phase {
            let version = version.clone();
            self.become_ready(Era::Legacy, version);
        }
    }

    /// Legacy: asks for log messages at `level` for the session.
    fn send_set_level(&mut self, level: LoggingLevel) {
        let request = ClientRequest::SetLevel(SetLevelRequestParams { level, meta: None });
        let id = self.pending.next_id();
        let mut line = Vec::new();
        if request.encode(&id, &mut line).is_err() {
            return;
        }
        self.track_own(id, line, Outbound::SetLevel);
    }

    // Application requests.

    /// Registers an application request and sends or holds it.
    fn submit(
        &mut self,
        method: String,
        known: Option<Method>,
        params: Option<Params>,
        options: RequestOptions,
    ) -> Result<RequestHandle, SendError> {
        let listen = known == Some(Method::SubscriptionsListen);
        if self.requests_in_flight() >= self.config.limits.max_outbound_in_flight {
            return Err(SendError::TooManyInFlight);
        }
        if listen && self.open_listens() >= self.config.limits.max_subscriptions {
            return Err(SendError::TooManySubscriptions);
        }
        let own_token = params
            .as_ref()
            .and_then(Params::meta)
            .and_then(Meta::progress_token);
        if own_token
            .as_ref()
            .is_some_and(|token| self.progress.contains_key(token))
        {
            return Err(SendError::DuplicateProgressToken);
        }
        let handle = self.pending.next_handle();
        let (base, progress_token) = match own_token {
            Some(token) => (params, Some(token)),
            None if options.progress => {
                // The handle's number is unique; skip numbers the application chose itself.
                let mut number = i64::try_from(handle.as_u64()).unwrap_or(i64::MAX);
                while self.progress.contains_key(&ProgressToken::Number(number)) {
                    number = number.saturating_add(1);
                }
                let token = ProgressToken::Number(number);
                let base = envelope::with_progress_token(params.as_ref(), &token)
                    .ok_or(SendError::Encode)?;
                (Some(base), Some(token))
            }
            None => (params, None),
        };
        if let Some(token) = &progress_token {
            self.progress.insert(token.clone(), handle);
        }
        let request = Box::new(AppRequest {
            cache_key: CacheKey::for_request(&method, base.as_ref()),
            method,
            known,
            base,
            timeout: options
                .timeout
                .unwrap_or(self.config.limits.default_request_timeout),
            log_level: options.log_level.or(self.config.log_level),
            progress_token,
            use_cache: options.use_cache,
            listen,
            rounds: Rounds::default(),
            awaiting_input: false,
            input_responses: None,
            version_retried: false,
        });
        if self.is_ready() {
            self.dispatch(handle, request);
        } else {
            self.held.push_back((handle, request));
        }
        Ok(handle)
    }

    /// Sends a request of the application once the revision is settled: refused when the
    /// revision lacks its method, answered from the cache when allowed and fresh.
    fn dispatch(&mut self, handle: RequestHandle, request: Box<AppRequest>) {
        let Some(era) = self.era() else {
            self.held.push_back((handle, request));
            return;
        };
        if request
            .known
            .is_some_and(|method| !method.sent_by(Sender::Client, era))
        {
            self.fail(handle, &request, RequestError::WrongEra);
            return;
        }
        if era == Era::Modern && request.use_cache {
            let now = self.now;
            let hit = match (&request.cache_key, self.cache.as_mut()) {
                (Some(key), Some(cache)) => cache.lookup(now, key).map(|hit| hit.result().clone()),
                _ => None,
            };
            if let Some(result) = hit {
                self.forget_progress(&request);
                self.events.push_back(ClientEvent::Response {
                    handle,
                    outcome: Ok(result),
                    cached: true,
                });
                return;
            }
        }
        self.transmit(handle, request);
    }

    /// The params of one attempt of `request` under the settled revision: the
    /// application's params, stamped with the envelope at 2026 (plus the retry members
    /// when `input_responses` is given). `Err` when they cannot be built.
    fn attempt_params(
        &self,
        request: &AppRequest,
        input_responses: Option<&str>,
    ) -> Result<Option<Params>, RequestError> {
        match &self.phase {
            Phase::Ready {
                era: Era::Modern,
                version,
            } => {
                let envelope = envelope(&self.config, version, request.log_level);
                let stamped = match input_responses {
                    Some(responses) => envelope::retry(
                        request.base.as_ref(),
                        &envelope,
                        responses,
                        request.rounds.request_state.as_deref(),
                    ),
                    None => envelope::stamp(request.base.as_ref(), &envelope),
                };
                stamped.map(Some).ok_or(RequestError::Encode)
            }
            _ => Ok(request.base.clone()),
        }
    }

    /// Puts an attempt of `request` on the wire with a new id and its deadline: the
    /// first, or the one a `-32022` refused, again (with its `inputResponses`, if any).
    fn transmit(&mut self, handle: RequestHandle, request: Box<AppRequest>) {
        let id = self.pending.next_id();
        let fresh = request
            .input_responses
            .is_none()
            .then(|| {
                fresh_envelope(
                    &self.phase,
                    self.envelope_meta.as_ref(),
                    &self.config,
                    &request,
                )
            })
            .flatten();
        let queued = match fresh {
            // Most 2026 requests: the connection's envelope goes straight into the line.
            Some(meta) => queue_stamped_request(
                &mut self.outbox,
                &id,
                &request.method,
                request.base.as_ref(),
                meta,
            ),
            None => {
                let params = match self.attempt_params(&request, request.input_responses.as_deref())
                {
                    Ok(params) => params,
                    Err(error) => return self.fail(handle, &request, error),
                };
                queue_request(&mut self.outbox, &id, &request.method, params.as_ref())
            }
        };
        if queued.is_err() {
            return self.fail(handle, &request, RequestError::Encode);
        }
        let deadline = (!request.listen).then(|| self.now.saturating_add(request.timeout));
        self.pending.insert(
            handle,
            Pending {
                id,
                deadline,
                extra: Outbound::App(request),
            },
        );
    }

    /// Puts the next attempt of a request waiting for input on the wire: same handle, a
    /// new id (the finished attempt's id is forgotten), `input_responses` (raw JSON
    /// text) and the last `requestState`, and a fresh deadline.
    fn retry(&mut self, handle: RequestHandle, input_responses: &str) {
        let Some(request) = self.pending_app(handle) else {
            return;
        };
        let params = match self.attempt_params(request, Some(input_responses)) {
            Ok(params) => params,
            Err(error) => return self.drop_with(handle, error),
        };
        let timeout = request.timeout;
        let id = self.pending.next_id();
        let queued = match self.pending.get(handle).map(|pending| &pending.extra) {
            Some(Outbound::App(request)) => {
                queue_request(&mut self.outbox, &id, &request.method, params.as_ref())
            }
            _ => return,
        };
        if queued.is_err() {
            return self.drop_with(handle, RequestError::Encode);
        }
        self.pending.rekey(handle, id);
        self.pending
            .set_deadline(handle, Some(self.now.saturating_add(timeout)));
        if let Some(Pending {
            extra: Outbound::App(request),
            ..
        }) = self.pending.get_mut(handle)
        {
            request.awaiting_input = false;
            request.input_responses = Some(Box::from(input_responses));
        }
    }

    /// A deadline passed.
    fn expire(&mut self, handle: RequestHandle) {
        let Some(pending) = self.pending.remove(handle) else {
            return;
        };
        match pending.extra {
            Outbound::Probe => {
                // Silence is the legacy verdict. No cancellation: to a legacy server the
                // probe was never a request it knew.
                if matches!(self.phase, Phase::Probing { .. }) {
                    self.send_initialize();
                }
            }
            Outbound::Initialize => self.close_with(CloseReason::HandshakeTimedOut),
            // Unanswered, the level may or may not be in effect; the session goes on.
            Outbound::SetLevel => self.on_set_level_answer(),
            Outbound::Unsubscribe => {}
            Outbound::Subscribe { subscription, uri } => {
                self.on_subscribe_answer(subscription, &uri, true);
            }
            Outbound::App(request) => {
                self.forget_progress(&request);
                self.queue_cancelled(pending.id, Some(String::from("Request timed out")));
                self.events.push_back(ClientEvent::TimedOut { handle });
            }
        }
    }

    // Inbound messages.

    /// Processes waiting lines while there is room for their events.
    fn pump(&mut self) {
        while !self.is_closed() && self.has_room() {
            let Some(line) = self.decoder.next_message() else {
                break;
            };
            self.on_line(line);
        }
        if self.eof && !self.decoder.has_line() {
            self.close_with(CloseReason::PeerClosed);
        }
    }

    fn on_line(&mut self, line: Result<Message, FrameError>) {
        match line {
            Ok(message @ Message::Response(_)) => self.on_response(message),
            Ok(Message::Notification(notification)) => self.on_notification(notification),
            Ok(message @ Message::Request(_)) => self.on_server_request(&message),
            // A request we can name is owed an error; anything else from the server is
            // dropped: a client does not answer garbage.
            Err(FrameError::Decode(
                ref error @ DecodeError::Invalid {
                    id: Some(ref id),
                    kind: Some(MessageKind::Request),
                    ..
                },
            )) => self.queue_error(Some(id), &error.to_error_object()),
            Err(_) => {}
        }
    }

    fn on_response(&mut self, message: Message) {
        let Message::Response(response) = &message else {
            return;
        };
        // Answers to ids we do not track (late, cancelled, unknown, unreadable) are dropped.
        let Some(handle) = response
            .id
            .as_ref()
            .and_then(|id| self.pending.handle_of(id))
        else {
            return;
        };
        match self.kind_of(handle) {
            Some(OutboundKind::Probe) => self.on_probe_answer(handle, response),
            Some(OutboundKind::Initialize) => {
                self.pending.remove(handle);
                self.on_initialize_answer(response);
            }
            Some(OutboundKind::SetLevel) => {
                self.pending.remove(handle);
                self.on_set_level_answer();
            }
            Some(OutboundKind::Unsubscribe) => {
                self.pending.remove(handle);
            }
            Some(OutboundKind::Subscribe) => {
                if let Some(Pending {
                    extra: Outbound::Subscribe { subscription, uri },
                    ..
                }) = self.pending.remove(handle)
                {
                    let refused = !matches!(response.outcome, Outcome::Result(_));
                    self.on_subscribe_answer(subscription, &uri, refused);
                }
            }
            // A second answer to an attempt already answered with "input required".
            Some(OutboundKind::App)
                if self.pending_app(handle).is_some_and(|r| r.awaiting_input) => {}
            Some(OutboundKind::App) => self.on_app_answer(handle, message),
            None => {}
        }
    }

    fn on_app_answer(&mut self, handle: RequestHandle, message: Message) {
        let Some(Pending {
            id,
            extra: Outbound::App(mut request),
            ..
        }) = self.pending.remove(handle)
        else {
            return;
        };
        let Phase::Ready { era, version } = &self.phase else {
            return;
        };
        let era = *era;
        let context = Context {
            answering: Some(&request.method),
            tasks_extension: era == Era::Modern && declares_tasks(&self.config.capabilities),
        };
        let server_info = match &message {
            Message::Response(Response {
                outcome: Outcome::Result(body),
                ..
            }) => body.meta().and_then(|meta| meta.get_raw(keys::SERVER_INFO)),
            _ => None,
        };
        let shaped = Shaped {
            server_info_stamped: server_info.is_some()
                && server_info == self.validated_server_info.as_deref(),
            ..Shaped::default()
        };
        let mut decoded = None;
        let verdict = match validate_keeping(
            &message,
            Direction::ServerToClient,
            version,
            Some(&context),
            shaped,
            Some(&mut decoded),
        ) {
            Err(violation) if era == Era::Modern => {
                check_with_defaults(&message, version, &context, violation)
            }
            verdict => verdict,
        };
        let Message::Response(response) = message else {
            return;
        };
        let outcome = match (verdict, response.outcome) {
            (Err(violation), _) => Err(violation.error),
            (Ok(()), Outcome::Result(mut body)) => {
                if !shaped.server_info_stamped {
                    self.validated_server_info = body
                        .meta()
                        .and_then(|meta| meta.get_raw(keys::SERVER_INFO))
                        .map(Box::from);
                }
                if let Some(value) = decoded {
                    body.keep_decoded(value);
                }
                Ok(body)
            }
            (Ok(()), Outcome::Error(error)) => Err(error),
        };
        // Refused with -32022 while listing a version we speak: send it again at that
        // version (once), which the connection speaks from now on.
        let retry_at = match &outcome {
            Err(error) if era == Era::Modern && !request.version_retried => {
                negotiation::retry_version(error)
            }
            _ => None,
        };
        if let Some(version) = retry_at {
            request.version_retried = true;
            self.speak(era, version);
            return self.transmit(handle, request);
        }
        if request.listen {
            self.forget_progress(&request);
            self.events.push_back(ClientEvent::SubscriptionEnded {
                handle,
                error: outcome.err(),
            });
            return;
        }
        if let Ok(body) = &outcome {
            if era == Era::Modern && body.effective_result_type() == ResultType::InputRequired {
                return self.on_input_required(handle, id, request, body);
            }
            if era == Era::Modern {
                let now = self.now;
                if let (Some(key), Some(cache)) = (request.cache_key.take(), self.cache.as_mut()) {
                    cache.store(now, key, body);
                }
            }
            if request.known == Some(Method::ServerDiscover) {
                if let Ok(discover) = body.decode::<DiscoverResult>() {
                    self.details = ServerDetails::from_discover(&discover);
                }
            }
        }
        self.forget_progress(&request);
        self.events.push_back(ClientEvent::Response {
            handle,
            outcome,
            cached: false,
        });
    }

    /// A round of a multi-round-trip request: wait for the application's input, or fail
    /// past the round bound.
    fn on_input_required(
        &mut self,
        handle: RequestHandle,
        id: RequestId,
        mut request: Box<AppRequest>,
        body: &ResultBody,
    ) {
        let round = match mrtr::read_round(body) {
            Ok(round) => round,
            Err(error) => {
                // Validation decoded it already; kept for robustness.
                self.forget_progress(&request);
                self.events.push_back(ClientEvent::Response {
                    handle,
                    outcome: Err(ErrorObject::with_message(
                        ErrorCode::INTERNAL_ERROR,
                        alloc::format!("invalid result: {error}"),
                    )),
                    cached: false,
                });
                return;
            }
        };
        let limit = self.config.limits.max_input_rounds;
        match request.rounds.advance(&round, limit) {
            Some(number) => {
                // Results of retries are never cached.
                request.cache_key = None;
                request.awaiting_input = true;
                // Kept under the answered id with no deadline until the retry rekeys it.
                self.pending.insert(
                    handle,
                    Pending {
                        id,
                        deadline: None,
                        extra: Outbound::App(request),
                    },
                );
                self.events.push_back(ClientEvent::InputRequired {
                    handle,
                    round: number,
                    requests: round.requests,
                });
            }
            None => self.fail(handle, &request, RequestError::TooManyRounds { limit }),
        }
    }

    fn on_notification(&mut self, notification: Notification) {
        if let Some(cache) = self.cache.as_mut() {
            cache.invalidate(&notification.method, notification.params.as_ref());
        }
        let Ok(typed) = ServerNotification::from_notification(&notification) else {
            return;
        };
        if let Some(subscription) = notification.meta().and_then(Meta::subscription_id) {
            // Tagged: it belongs to a listen stream, or to one that is over.
            if let Some(handle) = self.listen_handle(&subscription) {
                self.on_stream_notification(handle, typed);
            }
            return;
        }
        match typed {
            ServerNotification::Cancelled(params) => {
                let Some(id) = params.request_id else {
                    return;
                };
                if let Some(handle) = self.listen_handle(&id) {
                    self.end_listen(handle);
                } else if let Some(slot) = self.inbound_ids.remove(&id) {
                    if let Some(entry) = self.inbound.get_mut(&slot) {
                        entry.cancelled = true;
                    }
                    self.events.push_back(ClientEvent::RequestCancelled {
                        id,
                        reason: params.reason,
                    });
                }
            }
            ServerNotification::Progress(params) => {
                let handle = self.progress.get(&params.progress_token).copied();
                // Only requests on the wire make progress; stale tokens are dropped.
                let working =
                    |h: &RequestHandle| self.pending_app(*h).is_some_and(|r| !r.awaiting_input);
                if let Some(handle) = handle.filter(working) {
                    self.events
                        .push_back(ClientEvent::Progress { handle, params });
                }
            }
            ServerNotification::LoggingMessage(params) => {
                self.events.push_back(ClientEvent::Log { params });
            }
            other => {
                // Legacy: the emulated subscriptions that want it get it too.
                let wanting: Vec<RequestHandle> = self.legacy_listens.wanting(&other).collect();
                for handle in wanting {
                    self.events
                        .push_back(ClientEvent::SubscriptionNotification {
                            handle,
                            notification: other.clone(),
                        });
                }
                self.events.push_back(ClientEvent::Notification(other));
            }
        }
    }

    /// The open listen request whose id is `id`.
    fn listen_handle(&self, id: &RequestId) -> Option<RequestHandle> {
        self.pending
            .handle_of(id)
            .filter(|handle| self.pending_app(*handle).is_some_and(|r| r.listen))
    }

    fn on_stream_notification(&mut self, handle: RequestHandle, notification: ServerNotification) {
        let event = match notification {
            ServerNotification::SubscriptionsAcknowledged(params) => {
                ClientEvent::SubscriptionAcknowledged {
                    handle,
                    filter: params.notifications,
                }
            }
            ServerNotification::Cancelled(_) => return self.end_listen(handle),
            notification => ClientEvent::SubscriptionNotification {
                handle,
                notification,
            },
        };
        self.events.push_back(event);
    }

    fn end_listen(&mut self, handle: RequestHandle) {
        if let Some(Pending {
            extra: Outbound::App(request),
            ..
        }) = self.pending.remove(handle)
        {
            self.forget_progress(&request);
            self.events.push_back(ClientEvent::SubscriptionEnded {
                handle,
                error: None,
            });
        }
    }

    /// A request from the server. Only 2025 sessions have a back channel: there `ping`
    /// is answered here, requests for declared capabilities go to the application, and
    /// everything else gets an error. Before the handshake completes only `ping` is
    /// answered; a 2026 server sends no requests at all (-32601).
    fn on_server_request(&mut self, message: &Message) {
        let Message::Request(request) = message else {
            return;
        };
        let id = &request.id;
        let version = match &self.phase {
            Phase::Ready {
                era: Era::Legacy,
                version,
            } => version.clone(),
            Phase::Ready {
                era: Era::Modern, ..
            } => {
                return self.refuse(id, &request.method, "no server requests in 2026-07-28");
            }
            _ if request.method == Method::Ping.as_str() => return self.queue_empty_result(id),
            _ => return self.refuse(id, &request.method, "the session is not initialized"),
        };
        if self.inbound_ids.contains_key(id) {
            return self.queue_error(
                Some(id),
                &ErrorObject::with_message(
                    ErrorCode::INVALID_REQUEST,
                    "Invalid Request: this id is already in flight",
                ),
            );
        }
        let capabilities = &self.config.capabilities;
        if !declares_method(capabilities, Method::parse(&request.method)) {
            return self.refuse(
                id,
                &request.method,
                "the client did not declare that capability",
            );
        }
        if let Err(violation) = validate(message, Direction::ServerToClient, &version, None) {
            return self.queue_error(Some(id), &violation.error);
        }
        let typed = match ServerRequest::from_request(request) {
            Ok(typed) => typed,
            Err(error) => {
                return self.queue_error(
                    Some(id),
                    &ErrorObject::with_message(
                        ErrorCode::INVALID_PARAMS,
                        alloc::format!("Invalid params: {error}"),
                    ),
                );
            }
        };
        if matches!(typed, ServerRequest::Ping(_)) {
            return self.queue_empty_result(id);
        }
        if !declares_for(&self.config.capabilities, &typed) {
            return self.refuse(
                id,
                &request.method,
                "the client did not declare that capability",
            );
        }
        if self.inbound.len() >= self.config.limits.max_inbound_in_flight {
            return self.queue_error(
                Some(id),
                &ErrorObject::with_message(
                    ErrorCode::INTERNAL_ERROR,
                    "Internal error: too many requests in flight",
                ),
            );
        }
        let slot = self.next_slot;
        self.next_slot = self.next_slot.saturating_add(1);
        self.inbound.insert(
            slot,
            InboundSlot {
                id: id.clone(),
                method: request.method.clone(),
                cancelled: false,
            },
        );
        self.inbound_ids.insert(id.clone(), slot);
        self.events.push_back(ClientEvent::Request {
            token: ReplyToken {
                slot,
                id: id.clone(),
            },
            request: typed,
        });
    }

    /// Answers `id` with -32601.
    fn refuse(&mut self, id: &RequestId, method: &str, why: &str) {
        let error = ErrorObject::with_message(
            ErrorCode::METHOD_NOT_FOUND,
            alloc::format!("Method not found: {method} ({why})"),
        );
        self.queue_error(Some(id), &error);
    }
}
