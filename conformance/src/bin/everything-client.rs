//! The conformance everything-client: `everything-client <server-url>`, with the scenario
//! named by `MCP_CONFORMANCE_SCENARIO` (see `conformance::client`).

use std::process::ExitCode;

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let Some(url) = std::env::args().skip(1).last() else {
        eprintln!("usage: MCP_CONFORMANCE_SCENARIO=<name> everything-client <server-url>");
        return ExitCode::from(2);
    };
    let Ok(scenario) = std::env::var("MCP_CONFORMANCE_SCENARIO") else {
        eprintln!("everything-client: MCP_CONFORMANCE_SCENARIO is not set");
        return ExitCode::from(2);
    };
    match conformance::client::run_scenario(&scenario, &url).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("everything-client: {scenario}: {error}");
            ExitCode::FAILURE
        }
    }
}
