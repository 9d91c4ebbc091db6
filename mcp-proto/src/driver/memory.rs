//! A client and a server connection in the same process, each driven by its own task:
//! the two exchange whole batches of lines through a pair of in-memory links, never a
//! byte pipe (no partial lines, no copy into a fixed-size buffer), and each side runs on
//! whichever worker is free, in parallel with the other.

use std::prelude::rust_2024::*;

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};

use futures_util::task::AtomicWaker;

use crate::driver::runtime::{Clock, Runtime, Timer};
use crate::driver::stream::Side;

/// One direction of an in-memory pair: the lines one side wrote that the other has not
/// taken yet.
#[derive(Default)]
pub(crate) struct Link {
    state: Mutex<LinkState>,
    /// The reading side's task.
    reader: AtomicWaker,
    /// The writing side's task, waiting for room.
    writer: AtomicWaker,
}

/// How many bytes a link holds before its writer waits for the reader: what a side has
/// not moved yet stays in its connection's queue, under the connection's own limits.
const LINK_CAPACITY: usize = 1 << 20;

#[derive(Default)]
struct LinkState {
    bytes: Vec<u8>,
    /// The writing side closed: nothing more comes after `bytes`.
    closed: bool,
}

impl Link {
    fn lock(&self) -> std::sync::MutexGuard<'_, LinkState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Appends `out` (whole lines) for the reader and wakes it; `out` is left empty.
    fn write(&self, out: &mut Vec<u8>) {
        {
            let mut state = self.lock();
            if state.bytes.is_empty() {
                // The usual case: hand the buffer over instead of copying it.
                std::mem::swap(&mut state.bytes, out);
            } else {
                state.bytes.append(out);
            }
        }
        self.reader.wake();
    }

    /// True when the reader has left room for more; otherwise the writer is woken once
    /// it has taken what is there.
    fn has_room(&self, cx: &mut Context<'_>) -> bool {
        self.writer.register(cx.waker());
        self.lock().bytes.len() < LINK_CAPACITY
    }

    /// Tells the reader nothing more comes.
    fn close(&self) {
        self.lock().closed = true;
        self.reader.wake();
    }

    /// Takes everything written so far into `into` (empty on entry); true when the
    /// writer has closed and everything is taken.
    fn read(&self, into: &mut Vec<u8>, cx: &mut Context<'_>) -> bool {
        self.reader.register(cx.waker());
        let (taken, closed) = {
            let mut state = self.lock();
            std::mem::swap(&mut state.bytes, into);
            (!into.is_empty(), state.closed)
        };
        if taken {
            self.writer.wake();
        }
        closed
    }
}

/// One side of an in-memory pair, driven as its own task until its connection closes.
pub(crate) struct MemoryEnd<T> {
    side: T,
    incoming: Arc<Link>,
    outgoing: Arc<Link>,
    runtime: Arc<dyn Runtime>,
    clock: Clock,
    timer: Option<Pin<Box<dyn Timer>>>,
    /// What was last taken from `incoming` (kept for its capacity).
    input: Vec<u8>,
    /// What the side wrote this turn (kept for its capacity).
    output: Vec<u8>,
    eof: bool,
}

impl<T: Side> MemoryEnd<T> {
    pub(crate) fn new(
        side: T,
        incoming: Arc<Link>,
        outgoing: Arc<Link>,
        runtime: Arc<dyn Runtime>,
        clock: Clock,
    ) -> Self {
        MemoryEnd {
            side,
            incoming,
            outgoing,
            runtime,
            clock,
            timer: None,
            input: Vec::new(),
            output: Vec::new(),
            eof: false,
        }
    }
}

impl<T: Side + Unpin> Future for MemoryEnd<T> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        loop {
            let now = this.clock.timestamp(this.runtime.now());
            let mut progressed = this.side.poll_commands(now, cx);

            if !this.eof {
                let closed = this.incoming.read(&mut this.input, cx);
                if !this.input.is_empty() {
                    this.side.handle_bytes(now, &this.input);
                    this.input.clear();
                    progressed = true;
                }
                if closed {
                    this.eof = true;
                    this.side.handle_eof(now);
                    progressed = true;
                }
            }

            if let Some(deadline) = this.side.poll_timeout() {
                if deadline <= now {
                    this.side.handle_timeout(now);
                    progressed = true;
                } else {
                    let at = this.clock.instant(deadline);
                    let timer = this.timer.get_or_insert_with(|| this.runtime.timer(at));
                    timer.as_mut().reset(at);
                    if timer.as_mut().poll_elapsed(cx).is_ready() {
                        progressed = true;
                    }
                }
            }

            progressed |= this.side.pump(now);

            // A closing side hands over everything left; otherwise only while the
            // reader keeps up (its connection queues the rest, within its limits).
            let closing = this.side.is_closed();
            if closing || this.outgoing.has_room(cx) {
                while (closing || this.output.len() < LINK_CAPACITY)
                    && this.side.poll_transmit(&mut this.output).is_some()
                {}
            }
            if !this.output.is_empty() {
                this.outgoing.write(&mut this.output);
            }
            if this.side.is_closed() {
                this.outgoing.close();
                return Poll::Ready(());
            }
            if !progressed {
                return Poll::Pending;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::task::{Wake, Waker};

    struct CountWakes(AtomicUsize);

    impl Wake for CountWakes {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    #[test]
    fn a_full_link_holds_its_writer_until_the_reader_takes() {
        let link = Link::default();
        let wakes = Arc::new(CountWakes(AtomicUsize::new(0)));
        let waker = Waker::from(Arc::clone(&wakes));
        let mut cx = Context::from_waker(&waker);
        assert!(link.has_room(&mut cx));
        link.write(&mut vec![b'x'; LINK_CAPACITY]);
        assert!(!link.has_room(&mut cx), "a full link has no room");
        let mut taken = Vec::new();
        assert!(!link.read(&mut taken, &mut cx));
        assert_eq!(taken.len(), LINK_CAPACITY);
        assert!(
            wakes.0.load(Ordering::SeqCst) >= 1,
            "taking wakes the writer"
        );
        assert!(link.has_room(&mut cx));
    }
}
