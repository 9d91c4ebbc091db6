//! Makes a fixed number of sequential in-memory `tools/call echo` calls with our client and
//! server, for running under callgrind (`valgrind --tool=callgrind`): the instructions one
//! in-memory call costs, client and server together.
//!
//! `in-memory-calls [--legacy] [--calls N] [--in-flight K] [--rmcp]`: N calls in all, K at a
//! time (1 by default).

use mcp_bench::clients::{
    check_our_era, our_call, our_config, reference_arguments, reference_call, reference_connect,
};
use mcp_bench::echo::{ReferenceEcho, our_server};
use mcp_bench::sections::Era;
use mcp_io_tokio::mcp_driver::client::ClientHandlers;
use rmcp::ServiceExt as _;

fn main() -> Result<(), String> {
    let mut era = Era::Modern;
    let mut calls = 1000u32;
    let mut reference = false;
    let mut in_flight = 1u32;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--legacy" => era = Era::Legacy,
            "--rmcp" => reference = true,
            "--calls" => {
                calls = args
                    .next()
                    .and_then(|n| n.parse().ok())
                    .ok_or("--calls needs a number")?
            }
            "--in-flight" => {
                in_flight = args
                    .next()
                    .and_then(|n| n.parse().ok())
                    .filter(|&n| n > 0)
                    .ok_or("--in-flight needs a positive number")?
            }
            other => return Err(format!("unknown argument {other}")),
        }
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|error| error.to_string())?;
    runtime.block_on(async move {
        if reference {
            let (client_end, server_end) = tokio::io::duplex(64 * 1024);
            tokio::spawn(async move {
                if let Ok(running) = ReferenceEcho::default().serve(server_end).await {
                    let _ = running.waiting().await;
                }
            });
            let client = reference_connect(client_end, era).await?;
            let arguments = reference_arguments();
            for _ in 0..calls {
                reference_call(client.peer(), &arguments).await?;
            }
            let _ = client.cancel().await;
        } else {
            let client = mcp_io_tokio::connect_in_memory(
                &our_server(),
                our_config(era),
                ClientHandlers::new(),
            )
            .await
            .map_err(|error| error.to_string())?;
            check_our_era(&client, era)?;
            let mut callers = tokio::task::JoinSet::new();
            for caller in 0..in_flight {
                let client = client.clone();
                let share = calls / in_flight + u32::from(caller < calls % in_flight);
                callers.spawn(async move {
                    for _ in 0..share {
                        our_call(&client).await?;
                    }
                    Ok::<_, String>(())
                });
            }
            while let Some(done) = callers.join_next().await {
                done.map_err(|error| error.to_string())??;
            }
        }
        Ok::<_, String>(())
    })
}
