//! (a) Client and server in one process: ours through `connect_in_memory` (one task drives
//! both connections, which hand each other whole batches of lines), rmcp through a
//! `tokio::io::duplex` pipe between its client and its server.

use mcp_io_tokio::mcp_driver::client::ClientHandlers;
use rmcp::ServiceExt as _;

use crate::clients::{
    check_our_era, our_call, our_config, reference_arguments, reference_call, reference_connect,
};
use crate::echo::{ReferenceEcho, our_server};
use crate::sections::{Era, calls_per_second, two_worker_runtime};
use crate::settings::Settings;
use crate::table::{Cell, Row, Table, Target, Unit};

/// Bytes the duplex pipe buffers in each direction.
const PIPE_BYTES: usize = 64 * 1024;

/// Adds the in-memory rows: both eras, one call in flight and 64.
pub fn run(settings: &Settings, table: &mut Table) {
    let runtime = match two_worker_runtime() {
        Ok(runtime) => runtime,
        Err(error) => return table.note(format!("in memory: no runtime: {error}")),
    };
    for era in Era::BOTH {
        for in_flight in [1, 64] {
            let ours = runtime.block_on(ours(settings, era, in_flight));
            let reference = runtime.block_on(reference(settings, era, in_flight));
            table.push(Row {
                label: format!(
                    "in memory, {}, {in_flight} in flight: tools/call",
                    era.label()
                ),
                unit: Unit::PerSecond,
                ours: Cell::from(ours),
                reference: Cell::from(reference),
                target: Target::RatioAtLeast(3.0),
            });
        }
    }
}

async fn ours(settings: &Settings, era: Era, in_flight: usize) -> Result<f64, String> {
    let client =
        mcp_io_tokio::connect_in_memory(&our_server(), our_config(era), ClientHandlers::new())
            .await
            .map_err(|error| error.to_string())?;
    check_our_era(&client, era)?;
    let call = move || {
        let client = client.clone();
        async move { our_call(&client).await }
    };
    calls_per_second(call, in_flight, settings.warmup(), settings.duration()).await
}

async fn reference(settings: &Settings, era: Era, in_flight: usize) -> Result<f64, String> {
    let (client_end, server_end) = tokio::io::duplex(PIPE_BYTES);
    let server = tokio::spawn(async move {
        if let Ok(running) = ReferenceEcho::default().serve(server_end).await {
            let _ = running.waiting().await;
        }
    });
    let client = reference_connect(client_end, era).await?;
    let (peer, arguments) = (client.peer().clone(), reference_arguments());
    let call = move || {
        let (peer, arguments) = (peer.clone(), arguments.clone());
        async move { reference_call(&peer, &arguments).await }
    };
    let rate = calls_per_second(call, in_flight, settings.warmup(), settings.duration()).await;
    let _ = client.cancel().await;
    let _ = server.await;
    rate
}
