//! The fuzz body of the Streamable HTTP server: [`HttpServer`] with its
//! [`HttpSession`]s and [`HttpExchange`]s, run by a script of requests (any method, a
//! chosen set of headers, arbitrary bodies), disconnects, time, and the application's
//! replies, progress, server requests and `close_stream`.
//!
//! Checked after every step: nothing panics; every response starts with its head, once,
//! and nothing follows its end; no deadline lies in the past after `handle_timeout`;
//! sessions, open responses and exchanges stay within their limits.

use alloc::collections::{BTreeMap, BTreeSet};
use alloc::format;
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::time::Duration;

use crate::connection::ReplyToken;
use crate::http::server::{
    Dispatch, HttpExchange, HttpServer, HttpServerConfig, HttpSession, HttpTransmit, ResponseId,
    SessionSettings,
};
use crate::http::{EventId, HttpMethod, RequestHead};
use crate::jsonrpc::Message;
use crate::mrtr::HmacSealer;
use crate::server::{Change, RequestOptions, ServerConfig, ServerConnection, ServerEvent};
use crate::testing::fuzz::{reply_for, steps};
use crate::time::Timestamp;
use crate::types::{Implementation, ServerRequest};

/// Where a response or a request lives: a session (by id) or an exchange (by number).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Owner {
    Session(String),
    Exchange(u64),
}

/// The limits the script runs under: small, so that it reaches them.
fn settings() -> SessionSettings {
    SessionSettings {
        max_sessions: 3,
        idle_timeout: Duration::from_secs(60),
        replay_bytes: 512,
        keep_alive: Duration::from_secs(5),
        max_open_responses: 6,
        max_exchanges: 6,
    }
}

/// The state of one script run.
struct Run {
    server: HttpServer<HttpSession>,
    config: Arc<ServerConfig>,
    exchanges: BTreeMap<u64, HttpExchange>,
    next_exchange: u64,
    next_session: u64,
    now: Timestamp,
    /// Responses seen started and ended, for the framing checks.
    started: BTreeSet<(Owner, ResponseId)>,
    ended: BTreeSet<(Owner, ResponseId)>,
    tokens: Vec<(Owner, ReplyToken)>,
    buffer: Vec<u8>,
}

/// The HTTP server state machines run by a script; see the module docs.
pub fn http_server(data: &[u8]) {
    let mut run = Run {
        server: HttpServer::new(HttpServerConfig {
            sessions: settings(),
            ..HttpServerConfig::default()
        }),
        config: ServerConfig::new(Implementation::new("fuzz-http", "1")).into_shared(),
        exchanges: BTreeMap::new(),
        next_exchange: 0,
        next_session: 0,
        now: Timestamp::ZERO,
        started: BTreeSet::new(),
        ended: BTreeSet::new(),
        tokens: Vec::new(),
        buffer: Vec::new(),
    };
    for (op, argument) in steps(data) {
        match op % 8 {
            0..=2 => run.request(op, argument),
            3 => run.pass_time(op),
            4 => run.reply(op, argument),
            5 => run.ask(op),
            6 => run.disconnect(op, argument),
            _ => run.publish(op),
        }
        run.drain();
        assert!(run.server.session_count() <= settings().max_sessions);
        assert!(run.server.open_exchanges() <= settings().max_exchanges);
        assert_eq!(run.server.open_exchanges(), run.exchanges.len());
        for (_, session) in run.server.sessions_mut() {
            assert!(session.open_responses() <= settings().max_open_responses);
        }
    }
}

impl Run {
    /// One HTTP request: the method from the first byte, headers chosen by the bits of
    /// the second, the rest the body.
    fn request(&mut self, op: u8, argument: &[u8]) {
        let method = match argument.first().copied().unwrap_or(op) % 3 {
            0 => HttpMethod::Post,
            1 => HttpMethod::Get,
            _ => HttpMethod::Delete,
        };
        let choice = argument.get(1).copied().unwrap_or(0);
        let body = argument.get(2..).unwrap_or_default();
        let mut headers: Vec<(String, Vec<u8>)> = alloc::vec![
            (String::from("Host"), Vec::from(&b"localhost"[..])),
            (
                String::from("Accept"),
                Vec::from(&b"application/json, text/event-stream"[..]),
            ),
            (
                String::from("Content-Type"),
                Vec::from(&b"application/json"[..])
            ),
        ];
        if choice & 1 != 0 {
            headers.push((
                String::from("MCP-Protocol-Version"),
                Vec::from(&b"2026-07-28"[..]),
            ));
        }
        if choice & 2 != 0 {
            headers.push((
                String::from("MCP-Protocol-Version"),
                Vec::from(&b"2025-11-25"[..]),
            ));
        }
        if choice & 4 != 0 {
            let index = u64::from(choice >> 4) % self.next_session.max(1);
            headers.push((
                String::from("Mcp-Session-Id"),
                format!("s{index}").into_bytes(),
            ));
        }
        if choice & 8 != 0 {
            let stream = choice >> 5;
            headers.push((
                String::from("Last-Event-ID"),
                format!("{stream}-{}", op % 4).into_bytes(),
            ));
        }
        if choice & 16 != 0 {
            headers.push((String::from("Mcp-Method"), Vec::from(&b"tools/call"[..])));
        }
        let refs: Vec<(&str, &[u8])> = headers
            .iter()
            .map(|(name, value)| (name.as_str(), value.as_slice()))
            .collect();
        let head = RequestHead::new(method, "/mcp", &refs);
        let now = self.now;
        match self.server.handle_request(now, &head, body) {
            Dispatch::Exchange(request) => {
                let sealer = HmacSealer::new("fuzz", [5; 32], [6; 16]).ok();
                let connection = ServerConnection::with_shared_config(
                    Arc::clone(&self.config),
                    sealer.map(|sealer| alloc::boxed::Box::new(sealer) as _),
                );
                let exchange = HttpExchange::new(now, connection, request, settings().keep_alive);
                self.exchanges.insert(self.next_exchange, exchange);
                self.next_exchange += 1;
            }
            Dispatch::Initialize(message) => {
                let id = format!("s{}", self.next_session);
                self.next_session += 1;
                let connection =
                    ServerConnection::with_shared_config(Arc::clone(&self.config), None);
                let session = HttpSession::new(now, id.clone(), connection, settings());
                if self
                    .server
                    .accept_session(now, id.clone(), session, None)
                    .is_ok()
                {
                    self.post(&id, message);
                }
            }
            Dispatch::Post {
                session_id,
                message,
            } => {
                let id = String::from(session_id);
                self.post(&id, message);
            }
            Dispatch::Get {
                session_id,
                last_event_id,
            } => {
                let id = String::from(session_id);
                self.get(&id, last_event_id);
            }
            Dispatch::Deleted {
                session_id,
                mut session,
            } => {
                session.close(now);
                self.drain_session(&session_id, &mut session);
            }
            _ => {}
        }
    }

    fn post(&mut self, id: &str, message: Message) {
        let now = self.now;
        if let Some(session) = self.server.session_mut(id) {
            let _ = session.handle_post(now, message);
        }
    }

    fn get(&mut self, id: &str, last_event_id: Option<EventId>) {
        let now = self.now;
        if let Some(session) = self.server.session_mut(id) {
            let _ = session.handle_get(now, last_event_id);
        }
    }

    /// Time passes: every machine's deadlines run, expired sessions close.
    fn pass_time(&mut self, op: u8) {
        self.now = self
            .now
            .saturating_add(Duration::from_millis(u64::from(op) * 331));
        let now = self.now;
        for (id, mut session) in self.server.handle_timeout(now) {
            session.close(now);
            self.drain_session(&id, &mut session);
        }
        assert!(self.server.poll_timeout().is_none_or(|at| at > now));
        for (_, session) in self.server.sessions_mut() {
            session.handle_timeout(now);
            assert!(session.poll_timeout().is_none_or(|at| at > now));
        }
        for exchange in self.exchanges.values_mut() {
            exchange.handle_timeout(now);
            assert!(exchange.poll_timeout().is_none_or(|at| at > now));
        }
    }

    fn connection_of(&mut self, owner: &Owner) -> Option<&mut ServerConnection> {
        match owner {
            Owner::Session(id) => self.server.session_mut(id).map(HttpSession::connection_mut),
            Owner::Exchange(number) => self
                .exchanges
                .get_mut(number)
                .map(HttpExchange::connection_mut),
        }
    }

    /// The application answers one request (or reports progress on it first).
    fn reply(&mut self, op: u8, argument: &[u8]) {
        if self.tokens.is_empty() {
            return;
        }
        let (owner, token) = self
            .tokens
            .swap_remove(usize::from(op >> 3) % self.tokens.len());
        let now = self.now;
        let choice = argument.first().copied().unwrap_or(0);
        let Some(connection) = self.connection_of(&owner) else {
            return;
        };
        if choice & 0x80 != 0 {
            let _ = connection.progress(now, &token, f64::from(choice), None, None);
            self.tokens.push((owner, token));
            return;
        }
        let _ = connection.respond(now, token, reply_for(choice));
    }

    /// The application asks the client something while serving a request (legacy), or
    /// ends a request's stream for the client to poll.
    fn ask(&mut self, op: u8) {
        if self.tokens.is_empty() {
            return;
        }
        let (owner, token) = self.tokens.swap_remove(0);
        let now = self.now;
        match &owner {
            Owner::Session(session_id) if op & 0x10 != 0 => {
                if let Some(session) = self.server.session_mut(session_id) {
                    session.close_stream(now, token.id(), Duration::from_millis(100));
                }
            }
            _ => {
                if let Some(connection) = self.connection_of(&owner) {
                    let _ = connection.send_request_for(
                        now,
                        &token,
                        ServerRequest::Ping(None),
                        RequestOptions::default(),
                    );
                }
            }
        }
        self.tokens.push((owner, token));
    }

    /// The client goes away from a response (a session's, or an exchange's).
    fn disconnect(&mut self, op: u8, argument: &[u8]) {
        let now = self.now;
        let pick = usize::from(argument.first().copied().unwrap_or(op));
        if op & 0x10 != 0 {
            if let Some(number) = self
                .exchanges
                .keys()
                .nth(pick % self.exchanges.len().max(1))
            {
                let number = *number;
                if let Some(exchange) = self.exchanges.get_mut(&number) {
                    exchange.handle_disconnect(now);
                }
            }
            return;
        }
        let open: Vec<(Owner, ResponseId)> = self
            .started
            .iter()
            .filter(|key| !self.ended.contains(*key))
            .cloned()
            .collect();
        if let Some((Owner::Session(id), response)) = open.get(pick % open.len().max(1)) {
            if let Some(session) = self.server.session_mut(id) {
                session.handle_disconnect(now, *response);
            }
        }
    }

    fn publish(&mut self, op: u8) {
        let now = self.now;
        let change = match op % 3 {
            0 => Change::ToolsListChanged,
            1 => Change::ResourceUpdated(String::from("file:///a/b")),
            _ => Change::PromptsListChanged,
        };
        for (_, session) in self.server.sessions_mut() {
            session.connection_mut().publish(now, change.clone());
        }
    }

    /// Drains every machine's transmits and events, checking the framing.
    fn drain(&mut self) {
        let ids: Vec<String> = self
            .server
            .sessions_mut()
            .map(|(id, _)| String::from(id))
            .collect();
        for id in ids {
            let mut transmits = Vec::new();
            let mut events = Vec::new();
            if let Some(session) = self.server.session_mut(&id) {
                collect(session, &mut self.buffer, &mut transmits, &mut events);
            }
            self.record(&Owner::Session(id.clone()), transmits, events);
            let closed = self.server.session(&id).is_some_and(HttpSession::is_closed);
            if closed {
                self.server.remove_session(&id);
            }
        }
        let numbers: Vec<u64> = self.exchanges.keys().copied().collect();
        for number in numbers {
            let mut transmits = Vec::new();
            let mut events = Vec::new();
            let mut finished = false;
            if let Some(exchange) = self.exchanges.get_mut(&number) {
                while let Some(transmit) = exchange.poll_transmit(&mut self.buffer) {
                    transmits.push(transmit);
                    self.buffer.clear();
                }
                while let Some(event) = exchange.poll_event() {
                    events.push(event);
                }
                finished = exchange.is_finished();
            }
            self.record(&Owner::Exchange(number), transmits, events);
            if finished {
                self.exchanges.remove(&number);
                self.server.end_exchange();
            }
        }
    }

    /// A session that left the table: its last transmits and events.
    fn drain_session(&mut self, id: &str, session: &mut HttpSession) {
        let mut transmits = Vec::new();
        let mut events = Vec::new();
        collect(session, &mut self.buffer, &mut transmits, &mut events);
        self.record(&Owner::Session(String::from(id)), transmits, events);
    }

    fn record(&mut self, owner: &Owner, transmits: Vec<HttpTransmit>, events: Vec<ServerEvent>) {
        for transmit in transmits {
            let key = (owner.clone(), transmit.response);
            assert!(!self.ended.contains(&key), "a transmit after the end");
            let first = self.started.insert(key.clone());
            assert_eq!(first, transmit.head.is_some(), "the head comes first, once");
            if transmit.end {
                self.ended.insert(key);
            }
        }
        for event in events {
            if let ServerEvent::Request(request) = event {
                self.tokens.push((owner.clone(), request.token));
            }
        }
    }
}

fn collect(
    session: &mut HttpSession,
    buffer: &mut Vec<u8>,
    transmits: &mut Vec<HttpTransmit>,
    events: &mut Vec<ServerEvent>,
) {
    loop {
        let mut any = false;
        while let Some(transmit) = session.poll_transmit(buffer) {
            transmits.push(transmit);
            buffer.clear();
            any = true;
        }
        while let Some(event) = session.poll_event() {
            events.push(event);
            any = true;
        }
        if !any {
            break;
        }
    }
}
