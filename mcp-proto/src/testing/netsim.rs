//! A seeded, Sans-IO link: chunking and latency for bytes in flight.

use alloc::collections::VecDeque;
use alloc::vec::Vec;
use core::time::Duration;

use crate::time::Timestamp;

/// A small deterministic generator (SplitMix64): the simulation's only source of
/// "randomness", fully decided by its seed.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A generator starting from `seed`.
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `low..=high` (`low` when the range is empty).
    pub fn range(&mut self, low: u64, high: u64) -> u64 {
        if high <= low {
            return low;
        }
        let span = high - low + 1;
        low + self.next_u64() % span
    }
}

/// One direction of a simulated link: bytes written at one time arrive, cut into chunks
/// of random size, `latency` later and in order.
#[derive(Clone, Debug)]
pub struct NetSim {
    rng: Rng,
    /// One-way delay of every chunk.
    pub latency: Duration,
    /// Largest chunk a write is cut into (1 = byte by byte).
    pub max_chunk: usize,
    queue: VecDeque<(Timestamp, Vec<u8>)>,
}

impl NetSim {
    /// A link seeded by `seed`, with 1 ms latency and chunks of up to 64 bytes.
    pub fn new(seed: u64) -> Self {
        NetSim {
            rng: Rng::new(seed),
            latency: Duration::from_millis(1),
            max_chunk: 64,
            queue: VecDeque::new(),
        }
    }

    /// Sends `bytes` at `now`.
    pub fn send(&mut self, now: Timestamp, bytes: &[u8]) {
        let at = now.saturating_add(self.latency);
        for chunk in self.cut(bytes) {
            self.queue.push_back((at, chunk));
        }
    }

    /// Cuts `bytes` into chunks of random size (1 to [`NetSim::max_chunk`]) without
    /// sending them: for a caller keeping its own queue (an HTTP body, say).
    pub fn cut(&mut self, bytes: &[u8]) -> Vec<Vec<u8>> {
        let mut chunks = Vec::new();
        let mut rest = bytes;
        while !rest.is_empty() {
            let size = self.rng.range(1, self.max_chunk.max(1) as u64) as usize;
            let (chunk, tail) = rest.split_at(size.min(rest.len()));
            chunks.push(chunk.to_vec());
            rest = tail;
        }
        chunks
    }

    /// When the next chunk arrives.
    pub fn next_arrival(&self) -> Option<Timestamp> {
        self.queue.front().map(|(at, _)| *at)
    }

    /// The next chunk due at or before `now`.
    pub fn receive(&mut self, now: Timestamp) -> Option<Vec<u8>> {
        if self.next_arrival()? > now {
            return None;
        }
        self.queue.pop_front().map(|(_, chunk)| chunk)
    }

    /// True when nothing is in flight.
    pub fn is_empty(&self) -> bool {
        self.queue.is_empty()
    }

    /// Drops everything in flight (a lost connection).
    pub fn clear(&mut self) {
        self.queue.clear();
    }

    /// The generator, for decisions tests derive from the seed.
    pub fn rng(&mut self) -> &mut Rng {
        &mut self.rng
    }
}
