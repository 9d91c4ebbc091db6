//! This process's stdin and stdout as the driver's byte stream.
//!
//! `tokio::io::stdin` and `tokio::io::stdout` hand every read and every write to the
//! blocking thread pool: a thread hop each way per message, most of a call's latency on
//! a fast server. When a standard stream is a pipe or a socket (how MCP clients run
//! their servers: most create pipes, libuv-based ones such as Node create socket pairs)
//! it is read and written through the reactor instead, on a duplicate of the descriptor
//! in non-blocking mode, and put back in blocking mode when the server is done (the
//! mode belongs to the open file, which the process may share). Anything else (a
//! terminal, a file) keeps tokio's standard handles.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// Stdin: a pipe or socket read through the reactor, or tokio's standard handle.
pub(crate) enum Input {
    #[cfg(unix)]
    Direct(unix::Direct),
    Std(tokio::io::Stdin),
}

/// Stdout: a pipe or socket written through the reactor, or tokio's standard handle.
pub(crate) enum Output {
    #[cfg(unix)]
    Direct(unix::Direct),
    Std(tokio::io::Stdout),
}

impl Input {
    /// This process's stdin, direct when it can be.
    pub(crate) fn open() -> Input {
        #[cfg(unix)]
        if let Some(direct) = unix::Direct::open(std::io::stdin(), unix::Role::Read) {
            return Input::Direct(direct);
        }
        Input::Std(tokio::io::stdin())
    }
}

impl Output {
    /// This process's stdout, direct when it can be.
    pub(crate) fn open() -> Output {
        // What the process printed before is written before what the server writes.
        let _ = std::io::Write::flush(&mut std::io::stdout());
        #[cfg(unix)]
        if let Some(direct) = unix::Direct::open(std::io::stdout(), unix::Role::Write) {
            return Output::Direct(direct);
        }
        Output::Std(tokio::io::stdout())
    }
}

impl AsyncRead for Input {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
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

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            #[cfg(unix)]
            Output::Direct(direct) => Pin::new(direct).poll_shutdown(cx),
            Output::Std(stdout) => Pin::new(stdout).poll_shutdown(cx),
        }
    }
}

#[cfg(unix)]
mod unix {
    use std::fs::File;
    use std::io;
    use std::os::fd::{AsFd, OwnedFd};
    use std::os::unix::fs::FileTypeExt;
    use std::pin::Pin;
    use std::task::{Context, Poll};

    use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
    use tokio::net::UnixStream;
    use tokio::net::unix::pipe;

    /// Which way a standard stream goes.
    #[derive(Clone, Copy, PartialEq, Eq)]
    pub(crate) enum Role {
        Read,
        Write,
    }

    /// A standard stream's descriptor, duplicated, registered with the reactor.
    pub(crate) struct Direct(Option<Kind>);

    enum Kind {
        Reader(pipe::Receiver),
        Writer(pipe::Sender),
        Socket(UnixStream),
    }

    impl Direct {
        /// `stream` through the reactor, or `None` when it is neither a pipe nor a
        /// socket (or the runtime cannot take it).
        pub(crate) fn open(stream: impl AsFd, role: Role) -> Option<Direct> {
            let fd: OwnedFd = stream.as_fd().try_clone_to_owned().ok()?;
            let kind = File::from(fd.try_clone().ok()?)
                .metadata()
                .ok()?
                .file_type();
            let kind = if kind.is_fifo() {
                match role {
                    Role::Read => Kind::Reader(pipe::Receiver::from_owned_fd(fd).ok()?),
                    Role::Write => Kind::Writer(pipe::Sender::from_owned_fd(fd).ok()?),
                }
            } else if kind.is_socket() {
                let socket = std::os::unix::net::UnixStream::from(fd);
                socket.set_nonblocking(true).ok()?;
                Kind::Socket(UnixStream::from_std(socket).ok()?)
            } else {
                return None;
            };
            Some(Direct(Some(kind)))
        }

        fn kind(&mut self) -> io::Result<&mut Kind> {
            self.0
                .as_mut()
                .ok_or_else(|| io::Error::from(io::ErrorKind::BrokenPipe))
        }
    }

    impl Drop for Direct {
        /// Back to blocking mode, for whoever shares the open file.
        fn drop(&mut self) {
            match self.0.take() {
                Some(Kind::Reader(pipe)) => drop(pipe.into_blocking_fd()),
                Some(Kind::Writer(pipe)) => drop(pipe.into_blocking_fd()),
                Some(Kind::Socket(socket)) => {
                    if let Ok(socket) = socket.into_std() {
                        let _ = socket.set_nonblocking(false);
                    }
                }
                None => {}
            }
        }
    }

    fn wrong_way() -> io::Error {
        io::Error::new(
            io::ErrorKind::Unsupported,
            "a standard stream used the wrong way",
        )
    }

    impl AsyncRead for Direct {
        fn poll_read(
            self: Pin<&mut Self>,
            cx: &mut Context<'_>,
            buf: &mut ReadBuf<'_>,
        ) -> Poll<io::Result<()>> {
            match self.get_mut().kind() {
                Ok(Kind::Reader(pipe)) => Pin::new(pipe).poll_read(cx, buf),
                Ok(Kind::Socket(socket)) => Pin::new(socket).poll_read(cx, buf),
                Ok(Kind::Writer(_)) => Poll::Ready(Err(wrong_way())),
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
            match self.get_mut().kind() {
                Ok(Kind::Writer(pipe)) => Pin::new(pipe).poll_write(cx, buf),
                Ok(Kind::Socket(socket)) => Pin::new(socket).poll_write(cx, buf),
                Ok(Kind::Reader(_)) => Poll::Ready(Err(wrong_way())),
                Err(error) => Poll::Ready(Err(error)),
            }
        }

        fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
            // Nothing is buffered: every write went to the descriptor.
            Poll::Ready(Ok(()))
        }

        /// Stdout is not shut down (as with tokio's handle): the descriptor stays open
        /// for the rest of the process, and a socket is not half-closed for its sharers.
        fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
            Poll::Ready(Ok(()))
        }
    }
}
