//! What a scenario needs from a runtime adapter ([`Harness`]), and the links a client
//! reaches a server over ([`Link`]).

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::process::ExitStatus;
use std::sync::Arc;
use std::time::Duration;

use mcp_driver::Runtime;
use mcp_driver::client::{self, Client, ClientError, ClientHandlers};
use mcp_driver::http::HttpEndpoint;
use mcp_driver::hyper::ConnectionLimits;
use mcp_driver::server::Server;
use mcp_proto::client::ClientConfig;

/// A boxed future borrowing the harness.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A TCP connection as the driver's byte stream.
pub trait TcpLink: futures_io::AsyncRead + futures_io::AsyncWrite + Send + Unpin {}

impl<T: futures_io::AsyncRead + futures_io::AsyncWrite + Send + Unpin> TcpLink for T {}

/// A server process started by [`Harness::connect_child`].
pub trait ChildProcess: Send {
    /// Waits up to `grace` for the process to exit (its clients dropped first), then
    /// kills it.
    fn shutdown(self: Box<Self>, grace: Duration) -> BoxFuture<'static, io::Result<ExitStatus>>;
}

/// A runtime adapter, as the scenarios see it: its runtime, its transports and its
/// Streamable HTTP server and client.
pub trait Harness: Send + Sync + 'static {
    /// The adapter's runtime, for endpoints, in-memory links and timers.
    fn runtime(&self) -> Arc<dyn Runtime>;

    /// Runs one scenario to completion (the body of each generated `#[test]`).
    fn block_on(&self, scenario: Pin<Box<dyn Future<Output = ()> + '_>>);

    /// Serves `server` on this process's stdin and stdout until stdin closes.
    fn serve_stdio<'a>(&'a self, server: &'a Server) -> BoxFuture<'a, io::Result<()>>;

    /// Spawns `command` as a server and connects to it over its stdio.
    fn connect_child(
        &self,
        command: std::process::Command,
        config: ClientConfig,
        handlers: ClientHandlers,
    ) -> BoxFuture<'_, io::Result<(Client, Box<dyn ChildProcess>)>>;

    /// Binds `endpoint` on a free loopback port and accepts connections in the
    /// background under the default connection limits; returns the bound address.
    fn serve_http(&self, endpoint: HttpEndpoint) -> BoxFuture<'_, io::Result<SocketAddr>> {
        self.serve_http_with(endpoint, ConnectionLimits::default())
    }

    /// [`Self::serve_http`] with the adapter's `HttpServer` serving every connection
    /// under `limits`.
    fn serve_http_with(
        &self,
        endpoint: HttpEndpoint,
        limits: ConnectionLimits,
    ) -> BoxFuture<'_, io::Result<SocketAddr>>;

    /// Like [`Harness::serve_http`], and returns the endpoint being served too, for
    /// scenarios that read its state (its live session count).
    fn serve_http_observed(
        &self,
        endpoint: HttpEndpoint,
    ) -> BoxFuture<'_, io::Result<(SocketAddr, Arc<HttpEndpoint>)>>;

    /// Connects a client to the Streamable HTTP endpoint at `url`.
    fn connect_http<'a>(
        &'a self,
        url: &'a str,
        config: ClientConfig,
        handlers: ClientHandlers,
    ) -> BoxFuture<'a, Result<Client, ClientError>>;

    /// Opens a TCP connection to `addr` (for probing a server with raw requests).
    fn connect_tcp(&self, addr: SocketAddr) -> BoxFuture<'_, io::Result<Box<dyn TcpLink>>>;
}

/// A server a scenario runs, by name, so that a child process can build the same one.
#[derive(Debug)]
pub struct Fixture {
    /// Its name, unique in [`crate::FIXTURES`].
    pub name: &'static str,
    /// Builds it.
    pub build: fn() -> Server,
}

/// How a client reaches a server.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Link {
    /// A server in this process, wired in memory.
    InMemory,
    /// A server in a child process, over its stdin and stdout.
    ChildStdio,
    /// A server in this process on a loopback Streamable HTTP endpoint.
    Http,
}

impl Link {
    /// Every link.
    pub const ALL: [Link; 3] = [Link::InMemory, Link::ChildStdio, Link::Http];
}

/// A connected client, and the child process behind it if any.
pub struct Connection {
    pub client: Client,
    child: Option<Box<dyn ChildProcess>>,
}

impl Connection {
    /// Connects to `fixture` over `link`.
    pub async fn open(
        harness: &dyn Harness,
        link: Link,
        fixture: &Fixture,
        config: ClientConfig,
        handlers: ClientHandlers,
    ) -> Result<Connection, ClientError> {
        match link {
            Link::InMemory => {
                let server = (fixture.build)();
                let client =
                    client::connect_in_memory(&server, config, handlers, harness.runtime()).await?;
                Ok(Connection {
                    client,
                    child: None,
                })
            }
            Link::ChildStdio => {
                let (client, child) = harness
                    .connect_child(child_command(fixture), config, handlers)
                    .await
                    .map_err(|error| ClientError::Failed(error.to_string()))?;
                Ok(Connection {
                    client,
                    child: Some(child),
                })
            }
            Link::Http => {
                let endpoint = HttpEndpoint::new(&(fixture.build)(), harness.runtime());
                let addr = harness
                    .serve_http(endpoint)
                    .await
                    .map_err(|error| ClientError::Failed(error.to_string()))?;
                let url = format!("http://{addr}/mcp");
                let client = harness.connect_http(&url, config, handlers).await?;
                Ok(Connection {
                    client,
                    child: None,
                })
            }
        }
    }

    /// Connects to `server`, which the scenario built itself (to watch its state or
    /// publish changes on it), over an in-process link: in memory or Streamable HTTP. A
    /// child process builds its own server from a fixture: see [`Connection::open`].
    pub async fn open_in_process(
        harness: &dyn Harness,
        link: Link,
        server: &Server,
        config: ClientConfig,
        handlers: ClientHandlers,
    ) -> Result<Connection, ClientError> {
        let client = match link {
            Link::InMemory => {
                client::connect_in_memory(server, config, handlers, harness.runtime()).await?
            }
            Link::Http => {
                let endpoint = HttpEndpoint::new(server, harness.runtime());
                let addr = harness
                    .serve_http(endpoint)
                    .await
                    .map_err(|error| ClientError::Failed(error.to_string()))?;
                let url = format!("http://{addr}/mcp");
                harness.connect_http(&url, config, handlers).await?
            }
            Link::ChildStdio => {
                panic!("a child process serves a fixture: connect with Connection::open")
            }
        };
        Ok(Connection {
            client,
            child: None,
        })
    }

    /// Drops the client and, for a child process, checks that it exits cleanly once its
    /// stdin closes.
    pub async fn close(self) {
        drop(self.client);
        if let Some(child) = self.child {
            let status = child
                .shutdown(Duration::from_secs(10))
                .await
                .expect("the child exited");
            assert!(
                status.success(),
                "the server exits cleanly when its stdin closes: {status}"
            );
        }
    }
}

/// The variable that tells the child which fixture to serve.
const CHILD: &str = "MCP_BEHAVIOUR_CHILD";

/// The command that runs this test binary as a server of `fixture` on its stdio.
pub fn child_command(fixture: &Fixture) -> std::process::Command {
    let mut command =
        std::process::Command::new(std::env::current_exe().expect("this test binary"));
    // libtest's own lines on stdout are not JSON; the client skips them.
    command
        .args([
            "--exact",
            "serve_child",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD, fixture.name);
    command
}

/// The variable that keeps the child alive after its stdin closes.
const LINGER: &str = "MCP_BEHAVIOUR_LINGER";

/// The command of [`child_command`] for a server that does not exit when its client
/// leaves: it stays a minute after its stdin closes, so only a kill ends it sooner.
pub fn lingering_child_command(fixture: &Fixture) -> std::process::Command {
    let mut command = child_command(fixture);
    command.env(LINGER, "1");
    command
}

/// The body of the generated `serve_child` entry point: serves the fixture named by the
/// environment on stdio, then exits (before libtest writes its summary into the closed
/// pipe), a minute later when told to linger. Does nothing when run without the variable.
pub fn serve_child(harness: &dyn Harness) {
    let Some(name) = std::env::var_os(CHILD) else {
        return;
    };
    let fixture = crate::FIXTURES
        .iter()
        .find(|fixture| *fixture.name == *name)
        .unwrap_or_else(|| panic!("no fixture named {name:?}"));
    // libtest has written "test serve_child ... " without a newline: end that line so
    // the first message starts on its own.
    println!();
    let server = (fixture.build)();
    harness.block_on(Box::pin(async {
        harness.serve_stdio(&server).await.expect("served");
    }));
    if std::env::var_os(LINGER).is_some() {
        // A server that does not exit when its client leaves: shutdown must kill it.
        std::thread::sleep(Duration::from_secs(60));
    }
    std::process::exit(0);
}
