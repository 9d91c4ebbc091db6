//! Serves the conformance everything-server on Streamable HTTP at
//! `http://127.0.0.1:<port>/mcp`, both eras on one endpoint.
//!
//! ```sh
//! everything-server --port 3000 [--runtime tokio|smol]
//! ```

use std::net::{Ipv4Addr, SocketAddr};
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut port: u16 = 3000;
    let mut runtime = String::from("tokio");
    let mut arguments = std::env::args().skip(1);
    while let Some(argument) = arguments.next() {
        match (argument.as_str(), arguments.next()) {
            ("--port", Some(value)) => match value.parse() {
                Ok(value) => port = value,
                Err(_) => return usage(&format!("bad port {value:?}")),
            },
            ("--runtime", Some(value)) => runtime = value,
            _ => return usage(&format!("unexpected argument {argument:?}")),
        }
    }
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let served = match runtime.as_str() {
        "tokio" => tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .and_then(|rt| {
                rt.block_on(async {
                    let server = conformance::server::everything_server(
                        mcp_io_tokio::TokioRuntime::shared(),
                    );
                    let http = mcp_io_tokio::http::HttpServer::bind(&server, addr).await?;
                    eprintln!(
                        "everything-server (tokio) on http://{}/mcp",
                        http.local_addr()?
                    );
                    http.run().await
                })
            }),
        "smol" => smol::block_on(async {
            let server = conformance::server::everything_server(mcp_io_smol::SmolRuntime::shared());
            let http = mcp_io_smol::http::HttpServer::bind(&server, addr).await?;
            eprintln!(
                "everything-server (smol) on http://{}/mcp",
                http.local_addr()?
            );
            http.run().await
        }),
        other => return usage(&format!("unknown runtime {other:?}")),
    };
    match served {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("everything-server: {error}");
            ExitCode::FAILURE
        }
    }
}

fn usage(problem: &str) -> ExitCode {
    eprintln!(
        "everything-server: {problem}\nusage: everything-server --port N [--runtime tokio|smol]"
    );
    ExitCode::from(2)
}
