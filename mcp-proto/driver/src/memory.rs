//! A client and a server connection in the same process, driven together by one task.
//!
//! Each side hands the other whole batches of lines through a plain buffer: no byte pipe,
//! no partial lines, no lock and no wake-up between the two. One turn of the loop lets
//! the client take what the server wrote and write its own lines, then lets the server do
//! the same; the loop goes round while either side moved, so a call's request, its
//! handler's first step and its reply all happen in the poll that the caller's request
//! woke. Only what waits on something else (a handler that awaits, a timer, a caller)
//! comes back through a waker.
//!
//! A side writes at most [`BUFFER_CAPACITY`] bytes ahead of its peer; the rest stays in
//! its connection's queue, under that connection's own limits, until the peer has taken
//! what is there. A closing side hands over everything. The task ends once both sides
//! have closed.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use crate::runtime::{Clock, Runtime, Timer};
use crate::stream::Side;
use mcp_proto::time::Timestamp;

/// How many bytes a side writes ahead of its peer before it leaves the rest queued.
const BUFFER_CAPACITY: usize = 1 << 20;

/// How many rounds one poll runs before it yields to the runtime, so that a pair that
/// keeps talking cannot hold a worker forever.
const ROUNDS_PER_POLL: usize = 64;

/// One side of the pair, with the lines it wrote that its peer has not taken yet.
struct End<T> {
    side: T,
    /// Lines for the peer.
    outgoing: Vec<u8>,
    /// The side has closed and handed over everything: nothing comes after `outgoing`.
    closed: bool,
    /// The peer's end of input has been delivered to this side.
    eof: bool,
}

impl<T: Side> End<T> {
    fn new(side: T) -> Self {
        End {
            side,
            outgoing: Vec::new(),
            closed: false,
            eof: false,
        }
    }

    /// One turn: commands, then what the peer wrote, timeouts, events and this side's
    /// own output. True when anything moved.
    fn turn(
        &mut self,
        now: Timestamp,
        cx: &mut Context<'_>,
        peer_output: &mut Vec<u8>,
        peer_closed: bool,
        scratch: &mut Vec<u8>,
    ) -> bool {
        let mut progressed = self.side.poll_commands(now, cx);
        if !self.eof {
            if !peer_output.is_empty() {
                // Take the whole batch (and keep the emptied buffer's capacity for the peer).
                std::mem::swap(peer_output, scratch);
                self.side.handle_bytes(now, scratch);
                scratch.clear();
                progressed = true;
            }
            if peer_closed {
                self.eof = true;
                self.side.handle_eof(now);
                progressed = true;
            }
        }
        if self
            .side
            .poll_timeout()
            .is_some_and(|deadline| deadline <= now)
        {
            self.side.handle_timeout(now);
            progressed = true;
        }
        if self.side.pump(now) {
            progressed = true;
            // Handlers that answered at once during the pump (most do) left their replies
            // in the command queue: apply them now, so they go out with this turn's lines.
            self.side.poll_commands(now, cx);
        }
        if !self.closed {
            let closing = self.side.is_closed();
            let before = self.outgoing.len();
            while (closing || self.outgoing.len() < BUFFER_CAPACITY)
                && self.side.poll_transmit(&mut self.outgoing)
            {}
            progressed |= self.outgoing.len() != before;
            if closing {
                self.closed = true;
                progressed = true;
            }
        }
        progressed
    }
}

/// The client and server of an in-memory pair, driven as one future until both close.
pub(crate) struct MemoryPair<C, S> {
    client: End<C>,
    server: End<S>,
    runtime: Arc<dyn Runtime>,
    clock: Clock,
    timer: Option<Pin<Box<dyn Timer>>>,
    /// The batch being handed to a side (kept for its capacity).
    scratch: Vec<u8>,
}

impl<C: Side, S: Side> MemoryPair<C, S> {
    pub(crate) fn new(client: C, server: S, runtime: Arc<dyn Runtime>, clock: Clock) -> Self {
        MemoryPair {
            client: End::new(client),
            server: End::new(server),
            runtime,
            clock,
            timer: None,
            scratch: Vec::new(),
        }
    }

    /// The earlier of the two sides' deadlines.
    fn deadline(&self) -> Option<Timestamp> {
        match (
            self.client.side.poll_timeout(),
            self.server.side.poll_timeout(),
        ) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }
}

impl<C: Side + Unpin, S: Side + Unpin> Future for MemoryPair<C, S> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        for _ in 0..ROUNDS_PER_POLL {
            let now = this.clock.timestamp(this.runtime.now());
            let client = this.client.turn(
                now,
                cx,
                &mut this.server.outgoing,
                this.server.closed,
                &mut this.scratch,
            );
            let server = this.server.turn(
                now,
                cx,
                &mut this.client.outgoing,
                this.client.closed,
                &mut this.scratch,
            );
            if this.client.closed && this.server.closed {
                return Poll::Ready(());
            }
            let mut progressed = client || server;
            if let Some(deadline) = this.deadline() {
                let at = this.clock.instant(deadline);
                let timer = this.timer.get_or_insert_with(|| this.runtime.timer(at));
                timer.as_mut().reset(at);
                // An elapsed timer means a side's deadline is due: go round again.
                progressed |= timer.as_mut().poll_elapsed(cx).is_ready();
            }
            if !progressed {
                return Poll::Pending;
            }
        }
        // Still busy: let the runtime run others first, then come back.
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A side that writes `lines` lines of `size` bytes, one per transmit, and records
    /// what it reads.
    struct Scripted {
        to_write: usize,
        size: usize,
        read: usize,
        closed: bool,
    }

    impl Side for Scripted {
        fn poll_commands(&mut self, _: Timestamp, _: &mut Context<'_>) -> bool {
            false
        }
        fn pump(&mut self, _: Timestamp) -> bool {
            false
        }
        fn wants_input(&self) -> bool {
            true
        }
        fn handle_bytes(&mut self, _: Timestamp, data: &[u8]) {
            self.read += data.len();
        }
        fn handle_eof(&mut self, _: Timestamp) {
            self.closed = true;
        }
        fn handle_timeout(&mut self, _: Timestamp) {}
        fn poll_timeout(&self) -> Option<Timestamp> {
            None
        }
        fn poll_transmit(&mut self, out: &mut Vec<u8>) -> bool {
            if self.to_write == 0 {
                return false;
            }
            self.to_write -= 1;
            out.resize(out.len() + self.size, b'x');
            true
        }
        fn is_closed(&self) -> bool {
            self.closed
        }
    }

    #[test]
    fn a_side_writes_no_further_ahead_than_the_buffer_holds() {
        let size = 64 * 1024;
        let mut end = End::new(Scripted {
            to_write: 64,
            size,
            read: 0,
            closed: false,
        });
        let waker = std::task::Waker::noop();
        let mut cx = Context::from_waker(waker);
        let (mut peer_output, mut scratch) = (Vec::new(), Vec::new());
        let now = Timestamp::from_millis(0);
        assert!(end.turn(now, &mut cx, &mut peer_output, false, &mut scratch));
        assert_eq!(
            end.outgoing.len(),
            BUFFER_CAPACITY,
            "a full buffer stops the writer"
        );
        assert_eq!(
            end.side.to_write,
            64 - BUFFER_CAPACITY / size,
            "the rest stays queued"
        );
        // The peer takes the batch: the side writes on.
        end.outgoing.clear();
        assert!(end.turn(now, &mut cx, &mut peer_output, false, &mut scratch));
        assert_eq!(end.side.to_write, 64 - 2 * BUFFER_CAPACITY / size);
        // A closing side hands over everything that is left.
        end.side.closed = true;
        end.outgoing.clear();
        assert!(end.turn(now, &mut cx, &mut peer_output, false, &mut scratch));
        assert_eq!(end.side.to_write, 0);
        assert!(end.closed);
    }

    #[test]
    fn the_peer_closing_delivers_its_last_lines_then_the_end() {
        let mut end = End::new(Scripted {
            to_write: 0,
            size: 1,
            read: 0,
            closed: false,
        });
        let waker = std::task::Waker::noop();
        let mut cx = Context::from_waker(waker);
        let (mut peer_output, mut scratch) = (b"{}\n".to_vec(), Vec::new());
        let now = Timestamp::from_millis(0);
        assert!(end.turn(now, &mut cx, &mut peer_output, true, &mut scratch));
        assert_eq!(end.side.read, 3);
        assert!(end.eof && end.side.closed && end.closed);
        assert!(peer_output.is_empty());
    }
}
