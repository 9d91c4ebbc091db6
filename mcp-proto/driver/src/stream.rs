//! The drive loop of one connection over a byte stream, shared by both sides: read,
//! feed, drain, write, sleep until the next deadline (quinn's connection driver, as one
//! future).

use std::vec;

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use futures_io::{AsyncRead, AsyncWrite};

use crate::runtime::{Clock, Runtime, Timer};
use mcp_proto::time::Timestamp;

/// A connection plus its application glue, as the drive loop sees it.
pub(crate) trait Side {
    /// Applies every command waiting for the loop; true when there was one.
    fn poll_commands(&mut self, now: Timestamp, cx: &mut Context<'_>) -> bool;
    /// Takes every event; true when there was one.
    fn pump(&mut self, now: Timestamp) -> bool;
    fn wants_input(&self) -> bool;
    fn handle_bytes(&mut self, now: Timestamp, data: &[u8]);
    fn handle_eof(&mut self, now: Timestamp);
    fn handle_timeout(&mut self, now: Timestamp);
    fn poll_timeout(&self) -> Option<Timestamp>;
    /// Appends the next message to `out`; true when there was one.
    fn poll_transmit(&mut self, out: &mut Vec<u8>) -> bool;
    fn is_closed(&self) -> bool;
}

/// The [`Side`] methods that only forward to the side's `connection` field, which both
/// connection types name alike.
macro_rules! forward_to_connection {
    () => {
        fn wants_input(&self) -> bool {
            self.connection.wants_input()
        }

        fn handle_bytes(&mut self, now: Timestamp, data: &[u8]) {
            self.connection.handle_bytes(now, data);
        }

        fn handle_eof(&mut self, now: Timestamp) {
            self.connection.handle_eof(now);
        }

        fn handle_timeout(&mut self, now: Timestamp) {
            self.connection.handle_timeout(now);
        }

        fn poll_timeout(&self) -> Option<Timestamp> {
            self.connection.poll_timeout()
        }

        fn poll_transmit(&mut self, out: &mut Vec<u8>) -> bool {
            self.connection.poll_transmit(out).is_some()
        }

        fn is_closed(&self) -> bool {
            self.connection.is_closed()
        }
    };
}
pub(crate) use forward_to_connection;

/// Drives `side` over `io` until the connection closes and its last bytes are written.
pub(crate) struct StreamDriver<T, S> {
    side: T,
    io: S,
    runtime: Arc<dyn Runtime>,
    clock: Clock,
    timer: Option<Pin<Box<dyn Timer>>>,
    read_buffer: Vec<u8>,
    write_buffer: Vec<u8>,
    written: usize,
    read_closed: bool,
}

impl<T: Side, S: AsyncRead + AsyncWrite + Unpin> StreamDriver<T, S> {
    pub(crate) fn new(side: T, io: S, runtime: Arc<dyn Runtime>, clock: Clock) -> Self {
        StreamDriver {
            side,
            io,
            runtime,
            clock,
            timer: None,
            read_buffer: vec![0; 64 * 1024],
            write_buffer: Vec::new(),
            written: 0,
            read_closed: false,
        }
    }
}

impl<T: Side + Unpin, S: AsyncRead + AsyncWrite + Unpin> Future for StreamDriver<T, S> {
    type Output = io::Result<()>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        loop {
            let now = this.clock.timestamp(this.runtime.now());
            let mut progressed = this.side.poll_commands(now, cx);

            if !this.read_closed && this.side.wants_input() {
                match Pin::new(&mut this.io).poll_read(cx, &mut this.read_buffer) {
                    Poll::Ready(Ok(0)) | Poll::Ready(Err(_)) => {
                        this.read_closed = true;
                        this.side.handle_eof(now);
                        progressed = true;
                    }
                    Poll::Ready(Ok(read)) => {
                        let chunk = this.read_buffer.get(..read).unwrap_or_default();
                        this.side.handle_bytes(now, chunk);
                        progressed = true;
                    }
                    Poll::Pending => {}
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

            if this.side.pump(now) {
                progressed = true;
                // Handlers that answered at once during the pump (most do) left their
                // replies in the command queue: apply them now, so they go out with this
                // pass's writes rather than a pass later.
                this.side.poll_commands(now, cx);
            }

            if this.written == this.write_buffer.len() {
                this.write_buffer.clear();
                this.written = 0;
                while this.write_buffer.len() < 256 * 1024
                    && this.side.poll_transmit(&mut this.write_buffer)
                {}
            }
            let had_output = !this.write_buffer.is_empty();
            while this.written < this.write_buffer.len() {
                let pending = this.write_buffer.get(this.written..).unwrap_or_default();
                match Pin::new(&mut this.io).poll_write(cx, pending) {
                    Poll::Ready(Ok(0)) => return Poll::Ready(Err(io::ErrorKind::WriteZero.into())),
                    Poll::Ready(Ok(n)) => {
                        this.written += n;
                        progressed = true;
                    }
                    // The peer closed its end and left: what it did not read it no longer
                    // wants (a client that exits with answers in flight). A clean end.
                    Poll::Ready(Err(error))
                        if matches!(
                            error.kind(),
                            io::ErrorKind::BrokenPipe | io::ErrorKind::ConnectionReset
                        ) =>
                    {
                        return Poll::Ready(Ok(()));
                    }
                    Poll::Ready(Err(error)) => return Poll::Ready(Err(error)),
                    Poll::Pending => break,
                }
            }
            let drained = this.written == this.write_buffer.len();
            if drained && had_output {
                if let Poll::Ready(Err(error)) = Pin::new(&mut this.io).poll_flush(cx) {
                    return Poll::Ready(Err(error));
                }
            }
            if this.side.is_closed() && drained && !had_output {
                let _ = Pin::new(&mut this.io).poll_close(cx);
                return Poll::Ready(Ok(()));
            }
            if !progressed {
                return Poll::Pending;
            }
        }
    }
}
