//! The behaviour suite (`mcp-behaviour`) on tokio: every scenario, over every link.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::process::ExitStatus;
use std::sync::Arc;
use std::time::Duration;

use mcp_behaviour::harness::BoxFuture;
use mcp_behaviour::{ChildProcess, Harness, TcpLink};
use mcp_io_tokio::ChildServer;
use mcp_io_tokio::TokioRuntime;
use mcp_io_tokio::http::{ConnectionLimits, HttpServer};
use mcp_io_tokio::mcp_driver::Runtime;
use mcp_io_tokio::mcp_driver::client::{Client, ClientError, ClientHandlers};
use mcp_io_tokio::mcp_driver::http::HttpEndpoint;
use mcp_io_tokio::mcp_driver::server::Server;
use mcp_io_tokio::mcp_proto::client::ClientConfig;
use tokio_util::compat::TokioAsyncReadCompatExt;

mcp_behaviour::suite!(harness);

/// The suite's harness: a two-thread runtime per scenario.
fn harness() -> Tokio {
    Tokio
}

struct Tokio;

/// The adapter's child server, as the harness's.
struct Child(ChildServer);

impl ChildProcess for Child {
    fn shutdown(self: Box<Self>, grace: Duration) -> BoxFuture<'static, io::Result<ExitStatus>> {
        Box::pin(self.0.shutdown(grace))
    }
}

impl Harness for Tokio {
    fn runtime(&self) -> Arc<dyn Runtime> {
        TokioRuntime::shared()
    }

    fn block_on(&self, scenario: Pin<Box<dyn Future<Output = ()> + '_>>) {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a runtime")
            .block_on(scenario);
    }

    fn serve_stdio<'a>(&'a self, server: &'a Server) -> BoxFuture<'a, io::Result<()>> {
        Box::pin(mcp_io_tokio::serve_stdio(server))
    }

    fn connect_child(
        &self,
        command: std::process::Command,
        config: ClientConfig,
        handlers: ClientHandlers,
    ) -> BoxFuture<'_, io::Result<(Client, Box<dyn ChildProcess>)>> {
        Box::pin(async move {
            let (client, child) =
                mcp_io_tokio::connect_child(command.into(), config, handlers).await?;
            Ok((client, Box::new(Child(child)) as Box<dyn ChildProcess>))
        })
    }

    fn serve_http_with(
        &self,
        endpoint: HttpEndpoint,
        limits: ConnectionLimits,
    ) -> BoxFuture<'_, io::Result<SocketAddr>> {
        Box::pin(async move {
            let server = HttpServer::bind_endpoint(endpoint, ([127, 0, 0, 1], 0).into())
                .await?
                .with_connection_limits(limits);
            let addr = server.local_addr()?;
            tokio::spawn(server.run());
            Ok(addr)
        })
    }

    fn serve_http_observed(
        &self,
        endpoint: HttpEndpoint,
    ) -> BoxFuture<'_, io::Result<(SocketAddr, Arc<HttpEndpoint>)>> {
        Box::pin(async move {
            let server = HttpServer::bind_endpoint(endpoint, ([127, 0, 0, 1], 0).into()).await?;
            let addr = server.local_addr()?;
            let endpoint = Arc::clone(server.endpoint());
            tokio::spawn(server.run());
            Ok((addr, endpoint))
        })
    }

    fn connect_http<'a>(
        &'a self,
        url: &'a str,
        config: ClientConfig,
        handlers: ClientHandlers,
    ) -> BoxFuture<'a, Result<Client, ClientError>> {
        Box::pin(mcp_io_tokio::connect_http(url, config, handlers))
    }

    fn connect_tcp(&self, addr: SocketAddr) -> BoxFuture<'_, io::Result<Box<dyn TcpLink>>> {
        Box::pin(async move {
            let stream = tokio::net::TcpStream::connect(addr).await?;
            stream.set_nodelay(true)?;
            Ok(Box::new(stream.compat()) as Box<dyn TcpLink>)
        })
    }
}
