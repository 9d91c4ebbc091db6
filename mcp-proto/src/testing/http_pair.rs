//! [`HttpPair`]: an [`HttpClient`] and an [`HttpServer`] with its sessions and exchanges,
//! wired through a simulated HTTP layer with virtual time.

use alloc::boxed::Box;
use alloc::collections::{BTreeMap, VecDeque};
use alloc::format;
use alloc::string::{String, ToString};
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::time::Duration;

use crate::client::{ClientConfig, ClientEvent};
use crate::http::server::{
    Dispatch, HttpExchange, HttpServer, HttpServerConfig, HttpSession, HttpTransmit, ResponseId,
};
use crate::http::{
    ExchangeAction, ExchangeId, ExchangeRequest, HttpClient, HttpClientConfig, HttpMethod,
    HttpResponse, RequestHead,
};
use crate::jsonrpc::Message;
use crate::mrtr::StateSealer;
use crate::server::{ServerConfig, ServerConnection, ServerEvent};
use crate::testing::netsim::{NetSim, Rng};
use crate::testing::pair::MAX_STEPS;
use crate::time::Timestamp;

/// One HTTP request and its answer on the simulated network: one of the client's
/// exchanges, or a request the test wrote itself ([`HttpPair::send_raw`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ConnectionId {
    /// An exchange the client started.
    Client(ExchangeId),
    /// The `n`th request the test sent with [`HttpPair::send_raw`].
    Test(u64),
}

impl From<ExchangeId> for ConnectionId {
    fn from(exchange: ExchangeId) -> Self {
        ConnectionId::Client(exchange)
    }
}

/// The server-side state machine that serves an exchange, or that an event came from.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ServedBy {
    /// The legacy session with this id (in [`HttpPair::server`]'s table).
    Session(String),
    /// The 2026-07-28 exchange answering this connection (in [`HttpPair::exchanges`]).
    Exchange(ConnectionId),
}

/// Whose deadline [`HttpPair::late_deadlines`] names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DeadlineOwner {
    /// The client.
    Client,
    /// The server endpoint (session expiry).
    Endpoint,
    /// A session or an exchange.
    Server(ServedBy),
}

/// How far one exchange has come, as the simulated network saw it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExchangeOutcome {
    /// The request or its answer is still on its way.
    Open,
    /// The answer was delivered to its end.
    Ended,
    /// The test dropped the connection ([`HttpPair::drop_connection`]).
    Dropped,
    /// The client aborted the exchange.
    Aborted,
}

/// One HTTP exchange as it crossed the simulated network: the request and the answer as
/// far as it was delivered.
#[derive(Clone, Debug)]
pub struct ExchangeRecord {
    /// The connection.
    pub connection: ConnectionId,
    /// The request's method.
    pub method: HttpMethod,
    /// The request's header fields, as the client wrote them.
    pub request_headers: Vec<(String, String)>,
    /// The request's body.
    pub request_body: Vec<u8>,
    /// When it was sent.
    pub started: Timestamp,
    /// When its end (or its failure) reached the client.
    pub finished: Option<Timestamp>,
    /// Who served it, once the server routed it to a session or an exchange.
    pub served_by: Option<ServedBy>,
    /// The answer's status, once its head was delivered.
    pub status: Option<u16>,
    /// The answer's header fields.
    pub response_headers: Vec<(String, String)>,
    /// The answer's body bytes delivered so far.
    pub body: Vec<u8>,
    /// How it ended.
    pub outcome: ExchangeOutcome,
}

impl ExchangeRecord {
    /// The first request header named `name` (any case).
    pub fn request_header(&self, name: &str) -> Option<&str> {
        find_header(&self.request_headers, name)
    }

    /// The first answer header named `name` (any case).
    pub fn response_header(&self, name: &str) -> Option<&str> {
        find_header(&self.response_headers, name)
    }

    /// The delivered body as text (empty when it is not UTF-8).
    pub fn body_text(&self) -> &str {
        core::str::from_utf8(&self.body).unwrap_or_default()
    }
}

fn find_header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(field, _)| field.eq_ignore_ascii_case(name))
        .map(|(_, value)| value.as_str())
}

/// One piece of an answer on its way to the client.
#[derive(Debug)]
enum Piece {
    Head {
        status: u16,
        headers: Vec<(String, String)>,
    },
    Body(Vec<u8>),
    End,
}

/// A request on its way to the server.
#[derive(Debug)]
struct Outgoing {
    connection: ConnectionId,
    method: HttpMethod,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl From<ExchangeRequest> for Outgoing {
    fn from(request: ExchangeRequest) -> Self {
        Outgoing {
            connection: ConnectionId::Client(request.exchange),
            method: request.method,
            headers: request.headers,
            body: request.body,
        }
    }
}

/// Where the server side of one connection stands.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Target {
    /// The request is on its way to the server.
    Pending,
    /// A session is answering it on `response`.
    Session {
        session_id: String,
        response: ResponseId,
    },
    /// Its exchange is answering it.
    Exchange,
    /// The server has sent all of its answer.
    Done,
}

/// The simulated HTTP layer: what is in flight each way, and which server response each
/// client exchange is.
#[derive(Debug, Default)]
struct Wire {
    to_server: VecDeque<(Timestamp, Outgoing)>,
    to_client: VecDeque<(Timestamp, ConnectionId, Piece)>,
    /// Every connection the client has not seen the end of.
    connections: BTreeMap<ConnectionId, Target>,
    /// The client exchange carrying each live session response.
    session_responses: BTreeMap<(String, ResponseId), ConnectionId>,
}

impl Wire {
    /// Queues what `transmit` says (head, `body` in chunks, end) for `exchange`.
    fn send(
        &mut self,
        now: Timestamp,
        link: &mut NetSim,
        exchange: ConnectionId,
        transmit: &HttpTransmit,
        body: &[u8],
    ) {
        let at = now.saturating_add(link.latency);
        if let Some(head) = &transmit.head {
            let headers = head
                .headers
                .iter()
                .map(|(name, value)| (String::from(*name), value.clone()))
                .collect();
            let status = head.status;
            self.to_client
                .push_back((at, exchange, Piece::Head { status, headers }));
        }
        for chunk in link.cut(body) {
            self.to_client.push_back((at, exchange, Piece::Body(chunk)));
        }
        if transmit.end {
            self.to_client.push_back((at, exchange, Piece::End));
            if let Some(target) = self.connections.get_mut(&exchange) {
                *target = Target::Done;
            }
        }
    }

    /// Queues a complete response for `exchange`.
    fn complete(
        &mut self,
        now: Timestamp,
        link: &mut NetSim,
        exchange: ConnectionId,
        response: HttpResponse,
    ) {
        let at = now.saturating_add(link.latency);
        let HttpResponse {
            status,
            headers,
            body,
        } = response;
        let headers = headers
            .into_iter()
            .map(|(name, value)| (String::from(name), value))
            .collect();
        self.to_client
            .push_back((at, exchange, Piece::Head { status, headers }));
        for chunk in link.cut(&body) {
            self.to_client.push_back((at, exchange, Piece::Body(chunk)));
        }
        self.to_client.push_back((at, exchange, Piece::End));
        if let Some(target) = self.connections.get_mut(&exchange) {
            *target = Target::Done;
        }
    }

    /// Routes everything `session` has for its responses.
    fn drain_session(
        &mut self,
        now: Timestamp,
        link: &mut NetSim,
        buffer: &mut Vec<u8>,
        session: &mut HttpSession,
    ) -> bool {
        let mut moved = false;
        loop {
            buffer.clear();
            let Some(transmit) = session.poll_transmit(buffer) else {
                return moved;
            };
            moved = true;
            let key = (String::from(session.session_id()), transmit.response);
            let Some(exchange) = self.session_responses.get(&key).copied() else {
                // The client went away from this response: its bytes go nowhere.
                continue;
            };
            if transmit.end {
                self.session_responses.remove(&key);
            }
            self.send(now, link, exchange, &transmit, buffer);
        }
    }

    /// The server side of `exchange` learns that the client went away.
    fn disconnect(
        &mut self,
        now: Timestamp,
        exchange: ConnectionId,
        server: &mut HttpServer<HttpSession>,
        exchanges: &mut BTreeMap<ConnectionId, HttpExchange>,
    ) {
        self.to_client.retain(|(_, to, _)| *to != exchange);
        self.to_server
            .retain(|(_, request)| request.connection != exchange);
        match self.connections.remove(&exchange) {
            Some(Target::Session {
                session_id,
                response,
            }) => {
                self.session_responses
                    .remove(&(session_id.clone(), response));
                if let Some(session) = server.session_mut(&session_id) {
                    session.handle_disconnect(now, response);
                }
            }
            Some(Target::Exchange) => {
                if let Some(served) = exchanges.get_mut(&exchange) {
                    served.handle_disconnect(now);
                }
            }
            Some(Target::Pending | Target::Done) | None => {}
        }
    }
}

/// An [`HttpClient`] and an [`HttpServer`] serving both eras, wired through a simulated
/// HTTP layer with virtual time: quinn's `Pair` for Streamable HTTP.
///
/// The pair plays the HTTP driver of both sides. Each [`ExchangeAction::Start`] the client
/// asks for travels [`NetSim::latency`] to the server, gets a `Host: localhost` header
/// and is routed by [`HttpServer::handle_request`]: a 2026-07-28 request to a new
/// [`HttpExchange`] in [`HttpPair::exchanges`], a legacy message to its
/// [`HttpSession`] in the server's table (an `initialize` makes one, its id minted from
/// the pair's seeded generator), anything else answered at once. Every
/// [`HttpTransmit`] of a session or exchange travels back to the client as
/// `handle_response_head`, the body cut into chunks of random size by [`HttpPair::link`]
/// (`handle_body` each), then `handle_end`. An [`ExchangeAction::Abort`] and a connection
/// the test drops ([`HttpPair::drop_connection`]) reach the server as
/// `handle_disconnect` at once. Every session and exchange runs on the same shared
/// [`ServerConfig`] (its own sealer is dropped); each exchange gets a sealer from
/// [`HttpPair::exchange_sealer`] when it is set, for input-required replies that carry
/// state.
///
/// The test plays both applications: the client's events collect in
/// [`HttpPair::client_events`] and requests go out through
/// `pair.client.connection_mut()`; the server's events collect in
/// [`HttpPair::server_events`] with the [`ServedBy`] they came from, and are answered
/// through [`HttpPair::server_connection_mut`]. After a command, step or drive the pair:
/// it drains every machine.
///
/// Time moves only here. [`HttpPair::step`] delivers what is due, fires due deadlines,
/// or else moves `now` to the next delivery or to the earliest deadline of any machine
/// (the client, the endpoint, each session and each exchange), whichever is first.
/// [`HttpPair::drive`] settles what is in flight without moving time past the last
/// delivery: keep-alive comments recur forever, so running to the last deadline would
/// never end. [`HttpPair::advance`] lets a duration pass, every deadline on the way
/// firing in order, and [`HttpPair::run_until`] steps (deadlines included) until a
/// condition holds.
pub struct HttpPair {
    /// The client.
    pub client: HttpClient,
    /// The endpoint, whose table holds the legacy sessions.
    pub server: HttpServer<HttpSession>,
    /// The 2026-07-28 exchanges being served, by the connection they answer. One is
    /// dropped once its response is complete and its events are taken.
    pub exchanges: BTreeMap<ConnectionId, HttpExchange>,
    /// The virtual time.
    pub now: Timestamp,
    /// The latency of every request and answer piece, and the chunking of answer
    /// bodies (its generator is the pair's seed).
    pub link: NetSim,
    /// Client events not yet taken by the test.
    pub client_events: VecDeque<ClientEvent>,
    /// Server events not yet taken by the test, with the machine they came from.
    pub server_events: VecDeque<(ServedBy, ServerEvent)>,
    /// Makes the `requestState` sealer of each new exchange (`None`: exchanges have
    /// none, and an input-required reply with state is refused).
    pub exchange_sealer: Option<fn() -> Box<dyn StateSealer + Send>>,
    server_config: Arc<ServerConfig>,
    rng: Rng,
    wire: Wire,
    records: BTreeMap<ConnectionId, ExchangeRecord>,
    next_raw: u64,
    late: Vec<(DeadlineOwner, Timestamp, Timestamp)>,
    buffer: Vec<u8>,
}

impl HttpPair {
    /// A pair seeded from `seed`: a client made from `client` with the default
    /// [`HttpClientConfig`], and an endpoint with the default [`HttpServerConfig`]
    /// serving with `server`. The clock starts at zero.
    pub fn new(seed: u64, client: ClientConfig, server: ServerConfig) -> Self {
        HttpPair::with_configs(
            seed,
            client,
            HttpClientConfig::default(),
            server,
            HttpServerConfig::default(),
        )
    }

    /// [`HttpPair::new`] with the HTTP settings of both sides given.
    pub fn with_configs(
        seed: u64,
        client: ClientConfig,
        http_client: HttpClientConfig,
        server: ServerConfig,
        http_server: HttpServerConfig,
    ) -> Self {
        let now = Timestamp::ZERO;
        let connection = crate::client::ClientConnection::new(now, client);
        HttpPair {
            client: HttpClient::with_connection(now, connection, http_client),
            server: HttpServer::new(http_server),
            exchanges: BTreeMap::new(),
            now,
            link: NetSim::new(seed),
            client_events: VecDeque::new(),
            server_events: VecDeque::new(),
            exchange_sealer: None,
            server_config: server.into_shared(),
            rng: Rng::new(seed ^ 0x2545_F491_4F6C_DD1D),
            wire: Wire::default(),
            records: BTreeMap::new(),
            next_raw: 0,
            late: Vec::new(),
            buffer: Vec::new(),
        }
    }

    // ---- getters -------------------------------------------------------------------

    /// Every request sent (the client's exchanges and the test's own), with what crossed
    /// the network for it.
    pub fn records(&self) -> &BTreeMap<ConnectionId, ExchangeRecord> {
        &self.records
    }

    /// The record of `connection`.
    pub fn record(&self, connection: impl Into<ConnectionId>) -> Option<&ExchangeRecord> {
        self.records.get(&connection.into())
    }

    /// The exchanges whose connection is open: started, and their answer's end not yet
    /// delivered to the client (the ones [`HttpPair::drop_connection`] can drop).
    pub fn open_connections(&self) -> Vec<ConnectionId> {
        self.wire.connections.keys().copied().collect()
    }

    /// How many session responses the pair is carrying for `session_id` (each is a
    /// connection the session counts in
    /// [`HttpSession::open_responses`]).
    pub fn carried_responses(&self, session_id: &str) -> usize {
        self.wire
            .session_responses
            .keys()
            .filter(|(id, _)| id == session_id)
            .count()
    }

    /// True when nothing is in flight either way.
    pub fn is_quiet(&self) -> bool {
        self.wire.to_server.is_empty() && self.wire.to_client.is_empty()
    }

    /// Every time a machine's deadline was still due right after its `handle_timeout`:
    /// who, at what time, and the deadline it gave. A correct machine never appears
    /// here (its driver would spin).
    pub fn late_deadlines(&self) -> &[(DeadlineOwner, Timestamp, Timestamp)] {
        &self.late
    }

    /// The earliest deadline of any machine.
    pub fn next_deadline(&mut self) -> Option<Timestamp> {
        let fixed = [self.client.poll_timeout(), self.server.poll_timeout()];
        let exchanges = self
            .exchanges
            .values()
            .filter_map(HttpExchange::poll_timeout)
            .min();
        let sessions = self
            .server
            .sessions_mut()
            .filter_map(|(_, session)| session.poll_timeout())
            .min();
        fixed
            .into_iter()
            .chain([exchanges, sessions])
            .flatten()
            .min()
    }

    /// The server connection of `served_by`, for the application's commands
    /// (`respond`, `progress`, `send_request_for`, `publish`, …); `None` once that
    /// session or exchange is gone.
    pub fn server_connection_mut(&mut self, served_by: &ServedBy) -> Option<&mut ServerConnection> {
        match served_by {
            ServedBy::Session(id) => self.server.session_mut(id).map(HttpSession::connection_mut),
            ServedBy::Exchange(exchange) => self
                .exchanges
                .get_mut(exchange)
                .map(HttpExchange::connection_mut),
        }
    }

    /// Takes the next client event.
    pub fn next_client_event(&mut self) -> Option<ClientEvent> {
        self.client_events.pop_front()
    }

    /// Takes the next server event, with the machine it came from.
    pub fn next_server_event(&mut self) -> Option<(ServedBy, ServerEvent)> {
        self.server_events.pop_front()
    }

    // ---- the network ---------------------------------------------------------------

    /// The connection of `exchange` breaks now, wherever its request or answer is: what
    /// is in flight for it is lost, the client gets `handle_failure`, the server side
    /// `handle_disconnect`. False when it was not open.
    pub fn drop_connection(&mut self, connection: impl Into<ConnectionId>) -> bool {
        let connection = connection.into();
        if !self.wire.connections.contains_key(&connection) {
            return false;
        }
        let now = self.now;
        self.wire
            .disconnect(now, connection, &mut self.server, &mut self.exchanges);
        if let ConnectionId::Client(exchange) = connection {
            self.client
                .handle_failure(now, exchange, "the simulated connection dropped");
        }
        if let Some(record) = self.records.get_mut(&connection) {
            record.outcome = ExchangeOutcome::Dropped;
            record.finished = Some(now);
        }
        true
    }

    /// Sends a request the test wrote (another client, or a broken one) to the server:
    /// `Host` and `Content-Length` are added, the answer is only recorded
    /// ([`HttpPair::record`]).
    pub fn send_raw(
        &mut self,
        method: HttpMethod,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> ConnectionId {
        let connection = ConnectionId::Test(self.next_raw);
        self.next_raw += 1;
        let headers = headers
            .iter()
            .map(|(name, value)| (String::from(*name), String::from(*value)))
            .collect();
        self.start(Outgoing {
            connection,
            method,
            headers,
            body: body.to_vec(),
        });
        connection
    }

    // ---- time ----------------------------------------------------------------------

    /// One step: drain every machine, deliver what is due and fire due deadlines; or
    /// else move time to the next delivery or deadline, whichever comes first. False when nothing is in flight and no machine has a deadline.
    pub fn step(&mut self) -> bool {
        let flushed = self.flush();
        if self.deliver_due() {
            return true;
        }
        let next = [self.next_arrival(), self.next_deadline()]
            .into_iter()
            .flatten()
            .min();
        match next {
            Some(at) => {
                self.now = self.now.max(at);
                self.deliver_due();
                true
            }
            None => flushed,
        }
    }

    /// Delivers everything in flight, moving time to each delivery (and firing the
    /// deadlines met on the way), until nothing is in flight and nothing is due;
    /// deadlines later than that are left alone (use
    /// [`HttpPair::advance`] or [`HttpPair::run_until`] to let them fire). False when
    /// the pair did not settle within [`MAX_STEPS`].
    pub fn drive(&mut self) -> bool {
        self.drive_bounded(MAX_STEPS)
    }

    /// [`HttpPair::drive`] in at most `max_steps` steps: false when that was not enough.
    pub fn drive_bounded(&mut self, max_steps: usize) -> bool {
        for _ in 0..max_steps {
            let flushed = self.flush();
            let delivered = self.deliver_due();
            if flushed || delivered {
                continue;
            }
            // Time moves to the next delivery, firing the deadlines before it on the way.
            match self.next_arrival() {
                Some(arrival) => {
                    let deadline = self.next_deadline().filter(|at| *at < arrival);
                    self.now = self.now.max(deadline.unwrap_or(arrival));
                }
                None => return true,
            }
        }
        false
    }

    /// Lets `duration` pass: deliveries and deadlines up to then happen in time order,
    /// then the pair is driven at the new time. False when it did not settle.
    pub fn advance(&mut self, duration: Duration) -> bool {
        let target = self.now.saturating_add(duration);
        for _ in 0..MAX_STEPS {
            if !self.drive() {
                return false;
            }
            match self.next_deadline().filter(|at| *at <= target) {
                Some(at) => {
                    self.now = self.now.max(at);
                    self.deliver_due();
                }
                None => {
                    self.now = self.now.max(target);
                    self.deliver_due();
                    return self.drive();
                }
            }
        }
        false
    }

    /// Steps (deadlines included) until `done` holds: true when it does, false when the
    /// pair ran out of things to do or of [`MAX_STEPS`] first.
    pub fn run_until(&mut self, mut done: impl FnMut(&mut HttpPair) -> bool) -> bool {
        for _ in 0..MAX_STEPS {
            if done(self) {
                return true;
            }
            if !self.step() {
                self.flush();
                return done(self);
            }
        }
        false
    }

    // ---- internals -----------------------------------------------------------------

    fn next_arrival(&self) -> Option<Timestamp> {
        let to_server = self.wire.to_server.front().map(|(at, _)| *at);
        let to_client = self.wire.to_client.front().map(|(at, _, _)| *at);
        [to_server, to_client].into_iter().flatten().min()
    }

    /// Moves every output of every machine: client events and exchanges, session and
    /// exchange transmits and events. True when anything moved.
    fn flush(&mut self) -> bool {
        let mut moved = false;
        loop {
            let mut again = false;
            while let Some(event) = self.client.poll_event() {
                self.client_events.push_back(event);
                again = true;
            }
            while let Some(action) = self.client.poll_exchange() {
                again = true;
                match action {
                    ExchangeAction::Start(request) => self.start(Outgoing::from(request)),
                    ExchangeAction::Abort(exchange) => self.abort(exchange.into()),
                }
            }
            again |= self.flush_server();
            if !again {
                return moved;
            }
            moved = true;
        }
    }

    /// Drains the sessions and exchanges, and forgets those that are over.
    fn flush_server(&mut self) -> bool {
        let now = self.now;
        let mut moved = false;
        let mut closed = Vec::new();
        for (id, session) in self.server.sessions_mut() {
            loop {
                let mut again =
                    self.wire
                        .drain_session(now, &mut self.link, &mut self.buffer, session);
                while let Some(event) = session.poll_event() {
                    self.server_events
                        .push_back((ServedBy::Session(String::from(id)), event));
                    again = true;
                }
                if !again {
                    break;
                }
                moved = true;
            }
            if session.is_closed() {
                closed.push(String::from(id));
            }
        }
        for id in closed {
            if let Some(session) = self.server.remove_session(&id) {
                self.retire(id, session);
                moved = true;
            }
        }
        let mut finished = Vec::new();
        for (exchange, served) in &mut self.exchanges {
            loop {
                let mut again = false;
                loop {
                    self.buffer.clear();
                    let Some(transmit) = served.poll_transmit(&mut self.buffer) else {
                        break;
                    };
                    again = true;
                    if self.wire.connections.contains_key(exchange) {
                        self.wire
                            .send(now, &mut self.link, *exchange, &transmit, &self.buffer);
                    }
                }
                while let Some(event) = served.poll_event() {
                    self.server_events
                        .push_back((ServedBy::Exchange(*exchange), event));
                    again = true;
                }
                if !again {
                    break;
                }
                moved = true;
            }
            if served.is_finished() {
                finished.push(*exchange);
            }
        }
        for exchange in finished {
            if self.exchanges.remove(&exchange).is_some() {
                self.server.end_exchange();
            }
        }
        moved
    }

    /// A session left the table (deleted, expired, closed): it closes, its last bytes
    /// go out, its events are kept, and any response it still had ends.
    fn retire(&mut self, id: String, mut session: HttpSession) {
        let now = self.now;
        session.close(now);
        self.wire
            .drain_session(now, &mut self.link, &mut self.buffer, &mut session);
        while let Some(event) = session.poll_event() {
            self.server_events
                .push_back((ServedBy::Session(id.clone()), event));
        }
        self.wire
            .drain_session(now, &mut self.link, &mut self.buffer, &mut session);
        let orphans: Vec<(String, ResponseId)> = self
            .wire
            .session_responses
            .keys()
            .filter(|(session_id, _)| *session_id == id)
            .cloned()
            .collect();
        let at = now.saturating_add(self.link.latency);
        for key in orphans {
            if let Some(exchange) = self.wire.session_responses.remove(&key) {
                self.wire.to_client.push_back((at, exchange, Piece::End));
                if let Some(target) = self.wire.connections.get_mut(&exchange) {
                    *target = Target::Done;
                }
            }
        }
    }

    /// A request is on its way.
    fn start(&mut self, request: Outgoing) {
        let at = self.now.saturating_add(self.link.latency);
        self.records.insert(
            request.connection,
            ExchangeRecord {
                connection: request.connection,
                method: request.method,
                request_headers: request.headers.clone(),
                request_body: request.body.clone(),
                started: self.now,
                finished: None,
                served_by: None,
                status: None,
                response_headers: Vec::new(),
                body: Vec::new(),
                outcome: ExchangeOutcome::Open,
            },
        );
        self.wire
            .connections
            .insert(request.connection, Target::Pending);
        self.wire.to_server.push_back((at, request));
    }

    /// The client drops an exchange.
    fn abort(&mut self, exchange: ConnectionId) {
        if !self.wire.connections.contains_key(&exchange) {
            return;
        }
        self.wire
            .disconnect(self.now, exchange, &mut self.server, &mut self.exchanges);
        if let Some(record) = self.records.get_mut(&exchange) {
            record.outcome = ExchangeOutcome::Aborted;
            record.finished = Some(self.now);
        }
    }

    /// Delivers every piece due now and fires every deadline due now.
    fn deliver_due(&mut self) -> bool {
        let mut moved = false;
        while self
            .wire
            .to_server
            .front()
            .is_some_and(|(at, _)| *at <= self.now)
        {
            if let Some((_, request)) = self.wire.to_server.pop_front() {
                self.serve(request);
                moved = true;
            }
        }
        while self
            .wire
            .to_client
            .front()
            .is_some_and(|(at, _, _)| *at <= self.now)
        {
            if let Some((_, exchange, piece)) = self.wire.to_client.pop_front() {
                self.deliver(exchange, piece);
                moved = true;
            }
        }
        moved | self.fire_deadlines()
    }

    /// One piece of an answer reaches the client.
    fn deliver(&mut self, connection: ConnectionId, piece: Piece) {
        let now = self.now;
        let record = self.records.get_mut(&connection);
        let client = match connection {
            ConnectionId::Client(exchange) => Some(exchange),
            ConnectionId::Test(_) => None,
        };
        match piece {
            Piece::Head { status, headers } => {
                if let Some(exchange) = client {
                    self.client
                        .handle_response_head(now, exchange, status, &headers);
                }
                if let Some(record) = record {
                    record.status = Some(status);
                    record.response_headers = headers;
                }
            }
            Piece::Body(chunk) => {
                if let Some(exchange) = client {
                    // A refused chunk (over the limit) aborts the exchange: the client
                    // says so itself.
                    let _ = self.client.handle_body(now, exchange, &chunk);
                }
                if let Some(record) = record {
                    record.body.extend_from_slice(&chunk);
                }
            }
            Piece::End => {
                if let Some(exchange) = client {
                    self.client.handle_end(now, exchange);
                }
                self.wire.connections.remove(&connection);
                if let Some(record) = record {
                    record.outcome = ExchangeOutcome::Ended;
                    record.finished = Some(now);
                }
            }
        }
    }

    /// A request reaches the server: routed, and handed to whoever serves it.
    fn serve(&mut self, request: Outgoing) {
        let now = self.now;
        let exchange = request.connection;
        let mut fields = request.headers.clone();
        fields.push((String::from("Host"), String::from("localhost")));
        if request.method == HttpMethod::Post {
            fields.push((
                String::from("Content-Length"),
                request.body.len().to_string(),
            ));
        }
        let headers: Vec<(&str, &[u8])> = fields
            .iter()
            .map(|(name, value)| (name.as_str(), value.as_bytes()))
            .collect();
        let head = RequestHead::new(request.method, "/mcp", &headers);
        match self.server.handle_request(now, &head, &request.body) {
            Dispatch::Respond(response) | Dispatch::Refused { response, .. } => {
                self.wire.complete(now, &mut self.link, exchange, response);
            }
            Dispatch::Exchange(request) => {
                let sealer = self.exchange_sealer.map(|make| make());
                let connection =
                    ServerConnection::with_shared_config(Arc::clone(&self.server_config), sealer);
                let keep_alive = self.server.config().sessions.keep_alive;
                let served = HttpExchange::new(now, connection, request, keep_alive);
                self.exchanges.insert(exchange, served);
                self.wire.connections.insert(exchange, Target::Exchange);
                self.served_by(exchange, ServedBy::Exchange(exchange));
            }
            Dispatch::Initialize(message) => {
                let session_id = self.mint_session_id();
                let connection =
                    ServerConnection::with_shared_config(Arc::clone(&self.server_config), None);
                let settings = self.server.config().sessions;
                let session = HttpSession::new(now, session_id.clone(), connection, settings);
                let request_id = match &message {
                    Message::Request(request) => Some(request.id.clone()),
                    _ => None,
                };
                match self.server.accept_session(
                    now,
                    session_id.clone(),
                    session,
                    request_id.as_ref(),
                ) {
                    Ok(()) => self.session_input(exchange, session_id, |session| {
                        session.handle_post(now, message)
                    }),
                    Err(refusal) => self.wire.complete(now, &mut self.link, exchange, refusal),
                }
            }
            Dispatch::Post {
                session_id,
                message,
            } => self.session_input(exchange, String::from(session_id), |session| {
                session.handle_post(now, message)
            }),
            Dispatch::Get {
                session_id,
                last_event_id,
            } => self.session_input(exchange, String::from(session_id), |session| {
                session.handle_get(now, last_event_id)
            }),
            Dispatch::Deleted {
                session_id,
                session,
            } => {
                self.retire(session_id, session);
                let response = HttpResponse::empty(200);
                self.wire.complete(now, &mut self.link, exchange, response);
            }
        }
    }

    /// Hands one request to session `session_id`; its response is carried by `exchange`.
    fn session_input(
        &mut self,
        exchange: ConnectionId,
        session_id: String,
        input: impl FnOnce(&mut HttpSession) -> ResponseId,
    ) {
        let Some(session) = self.server.session_mut(&session_id) else {
            let response = HttpResponse::refusal(404, "Not Found");
            self.wire
                .complete(self.now, &mut self.link, exchange, response);
            return;
        };
        let response = input(session);
        self.wire
            .session_responses
            .insert((session_id.clone(), response), exchange);
        self.wire.connections.insert(
            exchange,
            Target::Session {
                session_id: session_id.clone(),
                response,
            },
        );
        self.served_by(exchange, ServedBy::Session(session_id));
    }

    fn served_by(&mut self, exchange: ConnectionId, served_by: ServedBy) {
        if let Some(record) = self.records.get_mut(&exchange) {
            record.served_by = Some(served_by);
        }
    }

    /// An unguessable-looking session id from the seeded generator.
    fn mint_session_id(&mut self) -> String {
        let high = self.rng.next_u64();
        let low = self.rng.next_u64();
        format!("{high:016x}{low:016x}")
    }

    /// Fires every deadline due now, noting any machine still due right after.
    fn fire_deadlines(&mut self) -> bool {
        let now = self.now;
        let mut fired = false;
        if self.client.poll_timeout().is_some_and(|at| at <= now) {
            self.client.handle_timeout(now);
            self.check_deadline(DeadlineOwner::Client, self.client.poll_timeout());
            fired = true;
        }
        if self.server.poll_timeout().is_some_and(|at| at <= now) {
            let expired = self.server.handle_timeout(now);
            self.check_deadline(DeadlineOwner::Endpoint, self.server.poll_timeout());
            for (id, session) in expired {
                self.retire(id, session);
            }
            fired = true;
        }
        let mut late = Vec::new();
        for (id, session) in self.server.sessions_mut() {
            if session.poll_timeout().is_some_and(|at| at <= now) {
                session.handle_timeout(now);
                late.push((ServedBy::Session(String::from(id)), session.poll_timeout()));
            }
        }
        for (exchange, served) in &mut self.exchanges {
            if served.poll_timeout().is_some_and(|at| at <= now) {
                served.handle_timeout(now);
                late.push((ServedBy::Exchange(*exchange), served.poll_timeout()));
            }
        }
        for (served_by, deadline) in late {
            self.check_deadline(DeadlineOwner::Server(served_by), deadline);
            fired = true;
        }
        fired
    }

    fn check_deadline(&mut self, owner: DeadlineOwner, deadline: Option<Timestamp>) {
        if let Some(deadline) = deadline.filter(|at| *at <= self.now) {
            self.late.push((owner, self.now, deadline));
        }
    }
}

impl core::fmt::Debug for HttpPair {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("HttpPair")
            .field("now", &self.now)
            .field("client", &self.client)
            .field("sessions", &self.server.session_count())
            .field("exchanges", &self.exchanges.len())
            .finish_non_exhaustive()
    }
}
