//! [`Pair`]: a client and a server connection over a simulated link, with virtual time.

use alloc::collections::VecDeque;
use alloc::vec::Vec;
use core::time::Duration;

use crate::client::{ClientConfig, ClientConnection, ClientEvent};
use crate::server::{ServerConfig, ServerConnection, ServerEvent};
use crate::testing::netsim::NetSim;
use crate::time::Timestamp;

/// Which end of the pair.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    /// The client.
    Client,
    /// The server.
    Server,
}

/// How many steps [`Pair::drive`] takes before it reports that the pair does not settle.
pub const MAX_STEPS: usize = 100_000;

/// A client and a server wired together through two seeded [`NetSim`] links.
///
/// Events are collected into [`Pair::client_events`] and [`Pair::server_events`] for the
/// test to act on (answering a server request is `pair.server.respond(pair.now, …)`).
/// Time moves only through [`Pair::drive`] (to the next delivery) and [`Pair::advance`]
/// (to a later time, firing every deadline on the way).
pub struct Pair {
    /// The client.
    pub client: ClientConnection,
    /// The server.
    pub server: ServerConnection,
    /// The virtual time.
    pub now: Timestamp,
    /// Bytes from the client to the server.
    pub to_server: NetSim,
    /// Bytes from the server to the client.
    pub to_client: NetSim,
    /// Client events not yet taken by the test.
    pub client_events: VecDeque<ClientEvent>,
    /// Server events not yet taken by the test.
    pub server_events: VecDeque<ServerEvent>,
    /// Rewrites each whole message one side writes before it enters the link (rustls's
    /// `transfer_altered`): for tests of tampered traffic.
    pub tamper: Option<fn(Side, &mut Vec<u8>)>,
    transcript: Vec<u8>,
    buffer: Vec<u8>,
}

impl Pair {
    /// A pair whose links are seeded from `seed`; the client starts at time zero.
    pub fn new(seed: u64, client: ClientConfig, server: ServerConfig) -> Self {
        let now = Timestamp::ZERO;
        Pair {
            client: ClientConnection::new(now, client),
            server: ServerConnection::new(server),
            now,
            to_server: NetSim::new(seed),
            to_client: NetSim::new(seed ^ 0x5DEE_CE66_D1CE_4E5B),
            client_events: VecDeque::new(),
            server_events: VecDeque::new(),
            tamper: None,
            transcript: Vec::new(),
            buffer: Vec::new(),
        }
    }

    /// Everything that crossed the links, in delivery order: each chunk prefixed with its
    /// time, direction and length. Same seed and same steps ⇒ same transcript.
    pub fn transcript(&self) -> &[u8] {
        &self.transcript
    }

    /// Moves every queued message into the links and every event into the queues.
    fn flush(&mut self) -> bool {
        let mut moved = false;
        loop {
            self.buffer.clear();
            if self.client.poll_transmit(&mut self.buffer).is_none() {
                break;
            }
            if let Some(tamper) = self.tamper {
                tamper(Side::Client, &mut self.buffer);
            }
            self.to_server.send(self.now, &self.buffer);
            moved = true;
        }
        loop {
            self.buffer.clear();
            if self.server.poll_transmit(&mut self.buffer).is_none() {
                break;
            }
            if let Some(tamper) = self.tamper {
                tamper(Side::Server, &mut self.buffer);
            }
            self.to_client.send(self.now, &self.buffer);
            moved = true;
        }
        while let Some(event) = self.client.poll_event() {
            self.client_events.push_back(event);
            moved = true;
        }
        while let Some(event) = self.server.poll_event() {
            self.server_events.push_back(event);
            moved = true;
        }
        moved
    }

    fn record(&mut self, direction: u8, chunk: &[u8]) {
        self.transcript
            .extend_from_slice(&self.now.as_nanos().to_be_bytes());
        self.transcript.push(direction);
        self.transcript
            .extend_from_slice(&(chunk.len() as u64).to_be_bytes());
        self.transcript.extend_from_slice(chunk);
    }

    /// Delivers every chunk due now and fires every deadline due now.
    fn deliver_due(&mut self) -> bool {
        let mut moved = false;
        while let Some(chunk) = self.to_server.receive(self.now) {
            self.record(b'>', &chunk);
            self.server.handle_bytes(self.now, &chunk);
            moved = true;
        }
        while let Some(chunk) = self.to_client.receive(self.now) {
            self.record(b'<', &chunk);
            self.client.handle_bytes(self.now, &chunk);
            moved = true;
        }
        if self.server.poll_timeout().is_some_and(|at| at <= self.now) {
            self.server.handle_timeout(self.now);
            moved = true;
        }
        if self.client.poll_timeout().is_some_and(|at| at <= self.now) {
            self.client.handle_timeout(self.now);
            moved = true;
        }
        moved
    }

    /// One step: flush both sides, deliver what is due, or else move time to the next
    /// delivery. False when nothing is in flight and nothing is due.
    pub fn step(&mut self) -> bool {
        let flushed = self.flush();
        if self.deliver_due() {
            return true;
        }
        let next = [self.to_server.next_arrival(), self.to_client.next_arrival()]
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

    /// Steps until nothing is in flight; deadlines later than the last delivery are left
    /// alone (use [`Pair::advance`] to let them fire). False when the pair did not settle
    /// within [`MAX_STEPS`].
    pub fn drive(&mut self) -> bool {
        for _ in 0..MAX_STEPS {
            if !self.step() {
                return true;
            }
        }
        false
    }

    /// Lets `duration` pass: every delivery and deadline up to then happens in time
    /// order, then the pair is driven at the new time.
    pub fn advance(&mut self, duration: Duration) -> bool {
        let target = self.now.saturating_add(duration);
        for _ in 0..MAX_STEPS {
            self.drive();
            let next = [self.client.poll_timeout(), self.server.poll_timeout()]
                .into_iter()
                .flatten()
                .filter(|at| *at > self.now && *at <= target)
                .min();
            match next {
                Some(at) => {
                    self.now = at;
                    self.deliver_due();
                }
                None => {
                    self.now = target;
                    self.deliver_due();
                    return self.drive();
                }
            }
        }
        false
    }

    /// The client's end of the link closes: the server sees end of input.
    pub fn close_client_stream(&mut self) {
        self.drive();
        self.server.handle_eof(self.now);
        self.drive();
    }

    /// The server's end of the link closes: the client sees end of input.
    pub fn close_server_stream(&mut self) {
        self.drive();
        self.client.handle_eof(self.now);
        self.drive();
    }

    /// Takes the next client event.
    pub fn next_client_event(&mut self) -> Option<ClientEvent> {
        self.client_events.pop_front()
    }

    /// Takes the next server event.
    pub fn next_server_event(&mut self) -> Option<ServerEvent> {
        self.server_events.pop_front()
    }
}

impl core::fmt::Debug for Pair {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Pair")
            .field("now", &self.now)
            .field("client", &self.client)
            .field("server", &self.server)
            .finish_non_exhaustive()
    }
}
