//! smol runtime adapter for [`mcp_proto`].
//!
//! The adapter owns pipes, timers and task spawning and nothing else: every protocol rule
//! lives in `mcp-proto`, and the drive loops in `mcp_driver`. This crate mirrors
//! `mcp-io-tokio` name for name, so switching runtimes is a change of crate name. It
//! supplies:
//!
//! - [`SmolRuntime`], the driver's [`Runtime`] on smol: tasks on smol's global executor
//!   or on an [`Executor`] of your own, timers on [`smol::Timer`];
//! - [`serve_stdio`]: a server on this process's stdin/stdout;
//! - [`connect_child`]: a client that spawns a server process and talks to it over its
//!   stdio, with a clean shutdown ([`ChildServer::shutdown`]);
//! - [`connect_in_memory`]: a client wired to a server in the same process;
//! - [`http::serve_http`] / [`http::HttpServer`]: Streamable HTTP on hyper 1.x over
//!   `async-net`, every connection under [`http::ConnectionLimits`] (header, body and
//!   keep-alive timeouts, the most open connections;
//!   [`http::HttpServer::with_connection_limits`]), and [`http::serve`] to mount the
//!   endpoint into an existing hyper application;
//! - [`connect_http`]: a client of a Streamable HTTP endpoint (`http://`) in either era
//!   (hyper's client connection as the driver's
//!   [`HttpTransport`](mcp_driver::client::http::HttpTransport),
//!   [`http_client::HyperTransport`]).
//!
//! The free functions run their tasks on smol's global executor (what [`smol::spawn`]
//! uses). To run everything on an executor you drive yourself, make a runtime with
//! [`SmolRuntime::with_executor`] and call the same operations as its methods.
//!
//! ```no_run
//! use mcp_io_smol::mcp_driver::server::{Context, Server, Tool, ToolError};
//! use mcp_io_smol::mcp_proto::types::{CallToolResult, Implementation};
//!
//! #[derive(serde::Deserialize, schemars::JsonSchema)]
//! struct Echo { text: String }
//!
//! fn main() -> std::io::Result<()> {
//!     let server = Server::builder(Implementation::new("echo", "1.0"))
//!         .tool(Tool::typed("echo", "Repeats the text", |args: Echo, _ctx: Context| async move {
//!             Ok::<_, ToolError>(CallToolResult::text(args.text))
//!         }))
//!         .build();
//!     smol::block_on(mcp_io_smol::serve_stdio(&server))
//! }
//! ```

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::process::{ExitStatus, Stdio};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

pub mod http;
pub mod http_client;
mod stdio;

pub use http_client::connect_http;

pub use mcp_driver;
use mcp_driver::client::{self, Client, ClientError, ClientHandlers};
use mcp_driver::server::{self, Server};
use mcp_driver::{BoxFuture, Runtime, Timer};
pub use mcp_proto;
use mcp_proto::client::ClientConfig;
use smol::Executor;
use smol::io::{AsyncRead, AsyncWrite};
use smol::process::{Child, Command};

/// The driver's runtime on smol: tasks spawned and detached on smol's global executor
/// (the default) or on an [`Executor`] the application runs, timers on [`smol::Timer`].
#[derive(Clone, Debug, Default)]
pub struct SmolRuntime {
    /// Where tasks go; `None` is smol's global executor.
    executor: Option<Arc<Executor<'static>>>,
}

impl SmolRuntime {
    /// The runtime on smol's global executor, shared.
    pub fn shared() -> Arc<dyn Runtime> {
        Arc::new(SmolRuntime::default())
    }

    /// A runtime that spawns its tasks on `executor`. The tasks make progress only while
    /// something runs the executor (`executor.run(...)` on one or more threads), so an
    /// application that already drives its own executor keeps all of its work there.
    pub fn with_executor(executor: Arc<Executor<'static>>) -> Self {
        SmolRuntime {
            executor: Some(executor),
        }
    }

    /// This runtime, shared, for the driver's constructors (`HttpEndpoint::new`, …).
    pub fn into_shared(self) -> Arc<dyn Runtime> {
        Arc::new(self)
    }

    /// [`serve_stdio`] with this runtime's tasks.
    pub async fn serve_stdio(&self, server: &Server) -> io::Result<()> {
        let io = Duplex {
            reader: stdio::Input::open(),
            writer: stdio::Output::open(),
        };
        server::serve_stream(server, self.clone().into_shared(), io).await
    }

    /// [`connect_in_memory`] with this runtime's tasks.
    pub async fn connect_in_memory(
        &self,
        server: &Server,
        config: ClientConfig,
        handlers: ClientHandlers,
    ) -> Result<Client, ClientError> {
        client::connect_in_memory(server, config, handlers, self.clone().into_shared()).await
    }

    /// [`connect_child`] with this runtime's tasks.
    pub async fn connect_child(
        &self,
        mut command: Command,
        config: ClientConfig,
        handlers: ClientHandlers,
    ) -> io::Result<(Client, ChildServer)> {
        command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .kill_on_drop(true);
        let mut child = command.spawn()?;
        let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
            return Err(io::Error::other("the child's stdio was not piped"));
        };
        let io = Duplex {
            reader: stdout,
            writer: stdin,
        };
        let client = client::connect_stream(config, handlers, self.clone().into_shared(), io)
            .await
            .map_err(io::Error::other)?;
        Ok((client, ChildServer { child }))
    }
}

impl Runtime for SmolRuntime {
    fn spawn(&self, future: BoxFuture) {
        match &self.executor {
            Some(executor) => executor.spawn(future).detach(),
            None => smol::spawn(future).detach(),
        }
    }

    fn timer(&self, deadline: Instant) -> Pin<Box<dyn Timer>> {
        Box::pin(SmolTimer {
            timer: smol::Timer::at(deadline),
            deadline,
        })
    }
}

/// A [`smol::Timer`] as the driver's [`Timer`]. An async-io timer that has fired stays
/// pending until it is set again; the driver's timers stay elapsed, so the deadline is
/// kept beside it and checked first.
struct SmolTimer {
    timer: smol::Timer,
    deadline: Instant,
}

impl Timer for SmolTimer {
    fn reset(self: Pin<&mut Self>, deadline: Instant) {
        let this = self.get_mut();
        // The driver resets before every poll, mostly to the same deadline: re-registering
        // with the reactor each time would be wasted work.
        if this.deadline != deadline {
            this.deadline = deadline;
            this.timer.set_at(deadline);
        }
    }

    fn poll_elapsed(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        if Instant::now() >= this.deadline {
            return Poll::Ready(());
        }
        Pin::new(&mut this.timer).poll(cx).map(drop)
    }
}

/// A reader and a writer as one byte stream, the shape the driver takes (smol has no
/// `join` of its own).
struct Duplex<R, W> {
    reader: R,
    writer: W,
}

impl<R: AsyncRead + Unpin, W: Unpin> AsyncRead for Duplex<R, W> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().reader).poll_read(cx, buf)
    }
}

impl<R: Unpin, W: AsyncWrite + Unpin> AsyncWrite for Duplex<R, W> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().writer).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().writer).poll_flush(cx)
    }

    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().writer).poll_close(cx)
    }
}

/// Serves `server` on this process's stdin and stdout until stdin closes.
pub async fn serve_stdio(server: &Server) -> io::Result<()> {
    SmolRuntime::default().serve_stdio(server).await
}

/// A client wired to `server` in this process.
pub async fn connect_in_memory(
    server: &Server,
    config: ClientConfig,
    handlers: ClientHandlers,
) -> Result<Client, ClientError> {
    SmolRuntime::default()
        .connect_in_memory(server, config, handlers)
        .await
}

/// A server running as a child process, talked to over its stdio.
#[derive(Debug)]
pub struct ChildServer {
    child: Child,
}

impl ChildServer {
    /// Ends the child cleanly: the caller drops its clients first (which closes the
    /// child's stdin), then this waits up to `grace` for the child to exit and kills it
    /// otherwise.
    pub async fn shutdown(mut self, grace: Duration) -> io::Result<ExitStatus> {
        let exited = async { Some(self.child.status().await) };
        let expired = async {
            smol::Timer::after(grace).await;
            None
        };
        let outcome = smol::future::or(exited, expired).await;
        match outcome {
            Some(status) => status,
            None => {
                self.child.kill()?;
                self.child.status().await
            }
        }
    }
}

/// Spawns `command` as an MCP server and connects to it over its stdin/stdout.
pub async fn connect_child(
    command: Command,
    config: ClientConfig,
    handlers: ClientHandlers,
) -> io::Result<(Client, ChildServer)> {
    SmolRuntime::default()
        .connect_child(command, config, handlers)
        .await
}
