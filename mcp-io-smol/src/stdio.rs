//! This process's stdin and stdout as the driver's byte stream.
//!
//! Read and written through [`Unblock`], every message crosses to a blocking thread and
//! back: a thread hop each way, most of a call's latency on a fast server. When a
//! standard stream is a pipe or a socket (how MCP clients run their servers: most create
//! pipes, libuv-based ones such as Node create socket pairs) it goes through the reactor
//! instead ([`Async`]), on a duplicate of the descriptor in non-blocking mode, put back
//! in blocking mode when the server is done (the mode belongs to the open file, which
//! the process may share). Anything else (a terminal, a file) keeps [`Unblock`].

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use smol::Unblock;
use smol::io::{AsyncRead, AsyncWrite};

/// Stdin: a pipe or socket read through the reactor, or a blocking thread's handle.
pub(crate) enum Input {
    #[cfg(unix)]
    Direct(unix::Direct),
    Std(Unblock<io::Stdin>),
}

/// Stdout: a pipe or socket written through the reactor, or a blocking thread's handle.
pub(crate) enum Output {
    #[cfg(unix)]
    Direct(unix::Direct),
    Std(Unblock<io::Stdout>),
}

impl Input {
    /// This process's stdin, direct when it can be.
    pub(crate) fn open() -> Input {
        #[cfg(unix)]
        if let Some(direct) = unix::Direct::open(io::stdin()) {
            return Input::Direct(direct);
        }
        Input::Std(Unblock::new(io::stdin()))
    }
}

impl Output {
    /// This process's stdout, direct when it can be.
    pub(crate) fn open() -> Output {
        // What the process printed before is written before what the server writes.
        let _ = io::Write::flush(&mut io::stdout());
        #[cfg(unix)]
        if let Some(direct) = unix::Direct::open(io::stdout()) {
            return Output::Direct(direct);
        }
        Output::Std(Unblock::new(io::stdout()))
    }
}

impl AsyncRead for Input {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            #[cfg(unix)]
            Input::Direct(direct) => Pin::new(direct).poll_read(cx, buf),
            Input::Std(stdin) => Pin::new(stdin).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Output {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            #[cfg(unix)]
            Output::Direct(direct) => Pin::new(direct).poll_write(cx, buf),
            Output::Std(stdout) => Pin::new(stdout).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            #[cfg(unix)]
            Output::Direct(direct) => Pin::new(direct).poll_flush(cx),
            Output::Std(stdout) => Pin::new(stdout).poll_flush(cx),
        }
    }

    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            #[cfg(unix)]
            Output::Direct(direct) => Pin::new(direct).poll_close(cx),
            Output::Std(stdout) => Pin::new(stdout).poll_close(cx),
        }
    }
}

#[cfg(unix)]
mod unix {
    use std::fs::File;
    use std::io;
    use std::os::fd::AsFd;
    use std::os::unix::fs::FileTypeExt;
    use std::pin::Pin;
    use std::task::{Context, Poll};

    use smol::Async;
    use smol::io::{AsyncRead, AsyncWrite};

    /// A standard stream's descriptor, duplicated, registered with the reactor.
    pub(crate) struct Direct(Option<Async<File>>);

    impl Direct {
        /// `stream` through the reactor, or `None` when it is neither a pipe nor a
        /// socket (or the reactor cannot take it).
        pub(crate) fn open(stream: impl AsFd) -> Option<Direct> {
            let file = File::from(stream.as_fd().try_clone_to_owned().ok()?);
            let kind = file.metadata().ok()?.file_type();
            if !(kind.is_fifo() || kind.is_socket()) {
                return None;
            }
            Async::new(file).ok().map(|io| Direct(Some(io)))
        }

        fn io(&mut self) -> io::Result<&mut Async<File>> {
            self.0
                .as_mut()
                .ok_or_else(|| io::Error::from(io::ErrorKind::BrokenPipe))
        }
    }

    impl Drop for Direct {
        /// Back to blocking mode, for whoever shares the open file.
        fn drop(&mut self) {
            if let Some(Ok(file)) = self.0.take().map(Async::into_inner) {
                let _ = rustix::io::ioctl_fionbio(&file, false);
            }
        }
    }

    impl AsyncRead for Direct {
        fn poll_read(
            self: Pin<&mut Self>,
            cx: &mut Context<'_>,
            buf: &mut [u8],
        ) -> Poll<io::Result<usize>> {
            match self.get_mut().io() {
                Ok(io) => Pin::new(io).poll_read(cx, buf),
                Err(error) => Poll::Ready(Err(error)),
            }
        }
    }

    impl AsyncWrite for Direct {
        fn poll_write(
            self: Pin<&mut Self>,
            cx: &mut Context<'_>,
            buf: &[u8],
        ) -> Poll<io::Result<usize>> {
            match self.get_mut().io() {
                Ok(io) => Pin::new(io).poll_write(cx, buf),
                Err(error) => Poll::Ready(Err(error)),
            }
        }

        fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
            // Nothing is buffered: every write went to the descriptor.
            Poll::Ready(Ok(()))
        }

        /// Stdout is not closed: the descriptor stays open for the rest of the process.
        fn poll_close(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
            Poll::Ready(Ok(()))
        }
    }
}
