//! The everything-client's scenarios, chosen by `MCP_CONFORMANCE_SCENARIO`.

use std::fmt;

/// Why a scenario could not be run or failed.
#[derive(Debug)]
pub struct ScenarioError(pub String);

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ScenarioError {}

/// Runs the scenario `name` against the MCP endpoint `url`.
pub async fn run_scenario(name: &str, url: &str) -> Result<(), ScenarioError> {
    Err(ScenarioError(format!(
        "unknown scenario {name:?} (server {url})"
    )))
}
