//! The conformance everything-client: `everything-client [...] <server-url>`, with the
//! scenario named by `MCP_CONFORMANCE_SCENARIO`, the revision by
//! `MCP_CONFORMANCE_PROTOCOL_VERSION` and scenario data in `MCP_CONFORMANCE_CONTEXT`
//! (see `conformance::client`).

use std::process::ExitCode;

use conformance::client::{Invocation, ScenarioError, run_scenario};

const USAGE: &str = "usage: MCP_CONFORMANCE_SCENARIO=<scenario> \
[MCP_CONFORMANCE_PROTOCOL_VERSION=<revision>] [MCP_CONFORMANCE_CONTEXT=<json>] \
everything-client <server-url>";

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    // The harness appends the URL as the last argument.
    let Some(url) = std::env::args().skip(1).last() else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    let variable = |name: &str| std::env::var(name).ok().filter(|value| !value.is_empty());
    let Some(scenario) = variable("MCP_CONFORMANCE_SCENARIO") else {
        eprintln!("everything-client: MCP_CONFORMANCE_SCENARIO is not set\n{USAGE}");
        return ExitCode::from(2);
    };
    let invocation = match Invocation::new(
        &scenario,
        &url,
        variable("MCP_CONFORMANCE_PROTOCOL_VERSION").as_deref(),
        variable("MCP_CONFORMANCE_CONTEXT").as_deref(),
    ) {
        Ok(invocation) => invocation,
        Err(error) => {
            eprintln!("everything-client: {error}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run_scenario(&invocation).await {
        Ok(()) => {
            eprintln!("everything-client: {scenario}: done");
            ExitCode::SUCCESS
        }
        Err(error @ ScenarioError::Unknown(_)) => {
            eprintln!("everything-client: {error}\n{USAGE}");
            ExitCode::from(2)
        }
        Err(error) => {
            eprintln!("everything-client: {scenario}: {error}");
            ExitCode::FAILURE
        }
    }
}
