//! (b) A client spawning `bench-server --transport stdio` as its child and calling it
//! over the child's stdin/stdout: ours through `connect_child`, rmcp through its
//! `TokioChildProcess` transport.

use std::path::Path;
use std::time::Duration;

use mcp_io_tokio::mcp_driver::client::ClientHandlers;
use rmcp::transport::TokioChildProcess;
use tokio::process::Command;

use crate::clients::{
    check_our_era, our_call, our_config, reference_arguments, reference_call, reference_connect,
};
use crate::sections::{Era, calls_per_second, two_worker_runtime};
use crate::serve::Sdk;
use crate::settings::Settings;
use crate::table::{Cell, Row, Table, Target, Unit};

/// Adds the stdio rows: both eras, one call in flight and 64.
pub fn run(settings: &Settings, table: &mut Table, server: &Path) {
    let runtime = match two_worker_runtime() {
        Ok(runtime) => runtime,
        Err(error) => return table.note(format!("stdio: no runtime: {error}")),
    };
    for era in Era::BOTH {
        for in_flight in [1, 64] {
            let ours = runtime.block_on(ours(settings, server, era, in_flight));
            let reference = runtime.block_on(reference(settings, server, era, in_flight));
            table.push(Row {
                label: format!(
                    "stdio child, {}, {in_flight} in flight: tools/call",
                    era.label()
                ),
                unit: Unit::PerSecond,
                ours: Cell::from(ours),
                reference: Cell::from(reference),
                target: Target::RatioAtLeast(2.0),
            });
        }
    }
}

fn server_command(server: &Path, sdk: Sdk) -> Command {
    let mut command = Command::new(server);
    command.args(["--impl", sdk.argument(), "--transport", "stdio"]);
    command
}

async fn ours(
    settings: &Settings,
    server: &Path,
    era: Era,
    in_flight: usize,
) -> Result<f64, String> {
    let (client, child) = mcp_io_tokio::connect_child(
        server_command(server, Sdk::Ours),
        our_config(era),
        ClientHandlers::new(),
    )
    .await
    .map_err(|error| error.to_string())?;
    check_our_era(&client, era)?;
    let caller = client.clone();
    let call = move || {
        let client = caller.clone();
        async move { our_call(&client).await }
    };
    let rate = calls_per_second(call, in_flight, settings.warmup(), settings.duration()).await;
    drop(client);
    let _ = child.shutdown(Duration::from_secs(5)).await;
    rate
}

async fn reference(
    settings: &Settings,
    server: &Path,
    era: Era,
    in_flight: usize,
) -> Result<f64, String> {
    let transport = TokioChildProcess::new(server_command(server, Sdk::Reference))
        .map_err(|error| error.to_string())?;
    let client = reference_connect(transport, era).await?;
    let (peer, arguments) = (client.peer().clone(), reference_arguments());
    let call = move || {
        let (peer, arguments) = (peer.clone(), arguments.clone());
        async move { reference_call(&peer, &arguments).await }
    };
    let rate = calls_per_second(call, in_flight, settings.warmup(), settings.duration()).await;
    let _ = client.cancel().await;
    rate
}
