//! tokio runtime adapter for [`mcp_proto`].
//!
//! The adapter owns pipes, timers and task spawning and nothing else: every protocol rule
//! lives in `mcp-proto`, and the drive loops in `mcp_driver`. This crate supplies:
//!
//! - [`TokioRuntime`], the driver's [`Runtime`] on tokio;
//! - [`serve_stdio`]: a server on this process's stdin/stdout;
//! - [`connect_child`]: a client that spawns a server process and talks to it over its
//!   stdio, with a clean shutdown ([`ChildServer::shutdown`]);
//! - [`connect_in_memory`]: a client wired to a server in the same process;
//! - [`http::serve_http`] / [`http::HttpServer`]: Streamable HTTP on hyper 1.x, every
//!   connection under [`http::ConnectionLimits`] (header, body and keep-alive timeouts,
//!   the most open connections; [`http::HttpServer::with_connection_limits`]), and
//!   [`http::serve`] to mount the endpoint into an existing hyper or axum application;
//! - [`connect_http`]: a client of a Streamable HTTP endpoint in either era (hyper-util's
//!   client as the driver's [`HttpTransport`](mcp_driver::client::http::HttpTransport),
//!   [`http_client::HyperTransport`]).
//!
//! ```no_run
//! use mcp_io_tokio::mcp_driver::server::{Context, Server, Tool, ToolError};
//! use mcp_io_tokio::mcp_proto::types::{CallToolResult, Implementation};
//!
//! #[derive(serde::Deserialize, schemars::JsonSchema)]
//! struct Echo { text: String }
//!
//! #[tokio::main(flavor = "current_thread")]
//! async fn main() -> std::io::Result<()> {
//!     let server = Server::builder(Implementation::new("echo", "1.0"))
//!         .tool(Tool::typed("echo", "Repeats the text", |args: Echo, _ctx: Context| async move {
//!             Ok::<_, ToolError>(CallToolResult::text(args.text))
//!         }))
//!         .build();
//!     mcp_io_tokio::serve_stdio(&server).await
//! }
//! ```

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::process::Stdio;
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
use tokio::process::{Child, Command};
use tokio_util::compat::TokioAsyncReadCompatExt;

/// The driver's runtime on tokio: `tokio::spawn` and `tokio::time::Sleep`.
#[derive(Clone, Copy, Debug, Default)]
pub struct TokioRuntime;

impl TokioRuntime {
    /// The runtime, shared.
    pub fn shared() -> Arc<dyn Runtime> {
        Arc::new(TokioRuntime)
    }
}

impl Runtime for TokioRuntime {
    fn spawn(&self, future: BoxFuture) {
        tokio::spawn(future);
    }

    fn timer(&self, deadline: Instant) -> Pin<Box<dyn Timer>> {
        Box::pin(TokioTimer(Box::pin(tokio::time::sleep_until(
            deadline.into(),
        ))))
    }
}

/// A tokio `Sleep` as the driver's [`Timer`] (boxed, so the timer itself is `Unpin`).
struct TokioTimer(Pin<Box<tokio::time::Sleep>>);

impl Timer for TokioTimer {
    fn reset(self: Pin<&mut Self>, deadline: Instant) {
        self.get_mut().0.as_mut().reset(deadline.into());
    }

    fn poll_elapsed(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        self.get_mut().0.as_mut().poll(cx)
    }
}

/// Serves `server` on this process's stdin and stdout until stdin closes.
pub async fn serve_stdio(server: &Server) -> io::Result<()> {
    let io = tokio::io::join(stdio::Input::open(), stdio::Output::open()).compat();
    server::serve_stream(server, TokioRuntime::shared(), io).await
}

/// A client wired to `server` in this process.
pub async fn connect_in_memory(
    server: &Server,
    config: ClientConfig,
    handlers: ClientHandlers,
) -> Result<Client, ClientError> {
    client::connect_in_memory(server, config, handlers, TokioRuntime::shared()).await
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
    pub async fn shutdown(mut self, grace: Duration) -> io::Result<std::process::ExitStatus> {
        match tokio::time::timeout(grace, self.child.wait()).await {
            Ok(status) => status,
            Err(_) => {
                self.child.kill().await?;
                self.child.wait().await
            }
        }
    }
}

/// Spawns `command` as an MCP server and connects to it over its stdin/stdout.
pub async fn connect_child(
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
    let io = tokio::io::join(stdout, stdin).compat();
    let client = client::connect_stream(config, handlers, TokioRuntime::shared(), io)
        .await
        .map_err(io::Error::other)?;
    Ok((client, ChildServer { child }))
}
