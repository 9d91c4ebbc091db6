//! `bench-server --impl ours|rmcp|floor --transport stdio|http [--port P]`: serves the echo
//! tool with either SDK. Over HTTP it binds 127.0.0.1:P (0, the default, picks a free
//! port), prints `listening on <address>` and runs until SIGTERM.

use std::process::ExitCode;

use mcp_bench::serve::{Sdk, Transport, serve};

const USAGE: &str = "usage: bench-server --impl ours|rmcp|floor --transport stdio|http [--port P]";

fn main() -> ExitCode {
    let Some((sdk, transport, port)) = parse(std::env::args().skip(1)) else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("bench-server: no runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(serve(sdk, transport, port)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("bench-server: {error}");
            ExitCode::FAILURE
        }
    }
}

fn parse(mut arguments: impl Iterator<Item = String>) -> Option<(Sdk, Transport, u16)> {
    let (mut sdk, mut transport, mut port) = (None, None, 0);
    while let Some(flag) = arguments.next() {
        let value = arguments.next()?;
        match flag.as_str() {
            "--impl" => sdk = Some(Sdk::parse(&value)?),
            "--transport" => transport = Some(Transport::parse(&value)?),
            "--port" => port = value.parse().ok()?,
            _ => return None,
        }
    }
    Some((sdk?, transport?, port))
}
