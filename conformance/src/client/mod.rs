//! The everything-client's scenarios, chosen by `MCP_CONFORMANCE_SCENARIO`.
//!
//! Each scenario is what an application would do with the public client API
//! ([`mcp_driver::client`] over [`mcp_io_tokio::connect_http`]): connect in the
//! revision the harness asks for (`MCP_CONFORMANCE_PROTOCOL_VERSION`: a `2025-*` version
//! is the `initialize` lifecycle, [`ClientMode::Legacy`]; `2026-07-28` is the per-request
//! lifecycle pinned at that version, never probed, since several 2025 mocks answer an
//! unknown method with `{}`), list and call, and check what came back. The "user" behind
//! the callbacks accepts every form with its defaults, answers sampling with a canned
//! message and reports one root.
//!
//! The authorization scenarios (`auth/*`) are not implemented yet: they fail with a
//! message saying so.

mod basic;
mod headers;
mod mrtr;
mod schema;

use std::fmt;
use std::time::Duration;

use mcp_driver::client::{Client, ClientError, ClientHandlers};
use mcp_proto::client::{ClientConfig, ClientMode};
use mcp_proto::types::{
    CallToolResult, ClientCapabilities, ContentBlock, CreateMessageResult, ElicitAction,
    ElicitRequestParams, ElicitResult, Implementation, ListRootsResult,
};
use mcp_proto::version::{Era, ProtocolVersion};
use serde_json::{Value, json};

/// How long a scenario may take; the harness gives a client 30 seconds.
const SCENARIO_BUDGET: Duration = Duration::from_secs(25);

/// Why a scenario could not be run or failed.
#[derive(Debug)]
#[non_exhaustive]
pub enum ScenarioError {
    /// No scenario has that name.
    Unknown(String),
    /// The scenario exists but this client does not implement it (yet).
    Unsupported(String),
    /// The invocation is unusable (bad revision, bad context).
    Invocation(String),
    /// The scenario ran and something went wrong.
    Failed(String),
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScenarioError::Unknown(name) => write!(
                f,
                "unknown scenario {name:?}; known: {}",
                SCENARIOS.join(", ")
            ),
            ScenarioError::Unsupported(why)
            | ScenarioError::Invocation(why)
            | ScenarioError::Failed(why) => f.write_str(why),
        }
    }
}

impl std::error::Error for ScenarioError {}

impl From<ClientError> for ScenarioError {
    fn from(error: ClientError) -> Self {
        ScenarioError::Failed(format!("client error: {error}"))
    }
}

/// Fails the scenario with `message` unless `condition` holds.
fn ensure(condition: bool, message: impl FnOnce() -> String) -> Result<(), ScenarioError> {
    if condition {
        Ok(())
    } else {
        Err(ScenarioError::Failed(message()))
    }
}

/// The scenarios this client runs.
pub const SCENARIOS: [&str; 11] = [
    "initialize",
    "tools_call",
    "elicitation-sep1034-client-defaults",
    "sse-retry",
    "request-metadata",
    "sep-2322-client-request-state",
    "http-standard-headers",
    "http-custom-headers",
    "http-invalid-tool-headers",
    "json-schema-ref-no-deref",
    "json-schema-2020-12-preservation",
];

/// One run of the client, as the harness invokes it.
#[derive(Clone, Debug)]
pub struct Invocation {
    /// `MCP_CONFORMANCE_SCENARIO`.
    pub scenario: String,
    /// The MCP endpoint: the last command-line argument, used as it is.
    pub url: String,
    /// `MCP_CONFORMANCE_PROTOCOL_VERSION` (`2025-11-25` when not given).
    pub version: ProtocolVersion,
    /// `MCP_CONFORMANCE_CONTEXT`, parsed.
    pub context: Option<Value>,
}

impl Invocation {
    /// Reads an invocation: the scenario name, the endpoint, the revision (absent means
    /// 2025-11-25, as the harness defaults it) and the context JSON.
    pub fn new(
        scenario: &str,
        url: &str,
        version: Option<&str>,
        context: Option<&str>,
    ) -> Result<Self, ScenarioError> {
        let version = ProtocolVersion::parse(version.unwrap_or("2025-11-25"));
        if version.era().is_none() {
            return Err(ScenarioError::Invocation(format!(
                "MCP_CONFORMANCE_PROTOCOL_VERSION {version} is not a revision this client speaks"
            )));
        }
        let context = context
            .map(|text| {
                serde_json::from_str(text).map_err(|error| {
                    ScenarioError::Invocation(format!("MCP_CONFORMANCE_CONTEXT: {error}"))
                })
            })
            .transpose()?;
        Ok(Invocation {
            scenario: String::from(scenario),
            url: String::from(url),
            version,
            context,
        })
    }

    /// The lifecycle the harness asked for.
    pub fn era(&self) -> Era {
        self.version.era().unwrap_or(Era::Legacy)
    }

    /// How the client connects: `initialize` for a 2025 revision, pinned for 2026.
    pub fn mode(&self) -> ClientMode {
        match self.era() {
            Era::Legacy => ClientMode::Legacy,
            _ => ClientMode::Pinned {
                version: self.version.clone(),
                discover: None,
            },
        }
    }

    /// The client configuration of every scenario: our identity, the capabilities the
    /// callbacks serve, and the mode.
    pub fn config(&self) -> ClientConfig {
        ClientConfig::new(Implementation::new(
            "mcp-conformance-everything-client",
            env!("CARGO_PKG_VERSION"),
        ))
        .with_mode(self.mode())
        .with_capabilities(capabilities())
    }

    /// Connects with [`Self::config`] and `handlers`.
    pub async fn connect(&self, handlers: ClientHandlers) -> Result<Client, ScenarioError> {
        let client = mcp_io_tokio::connect_http(&self.url, self.config(), handlers).await?;
        eprintln!(
            "connected to {} at {}",
            self.url,
            client
                .protocol_version()
                .map(|version| version.to_string())
                .unwrap_or_default()
        );
        Ok(client)
    }
}

/// The capabilities the default callbacks serve: form elicitation, sampling and roots.
fn capabilities() -> ClientCapabilities {
    serde_json::from_value(json!({
        "elicitation": {"form": {}},
        "sampling": {},
        "roots": {"listChanged": true}
    }))
    .unwrap_or_default()
}

/// The scripted user: accepts every form as the server pre-filled it (its defaults),
/// declines URL elicitations, answers sampling with a canned message and has one root.
pub fn default_handlers() -> ClientHandlers {
    ClientHandlers::new()
        .on_elicit(|question| async move {
            eprintln!("elicitation: {}", question.message());
            match question {
                ElicitRequestParams::Form(form) => {
                    ElicitResult::accept_with_defaults(&form.requested_schema, Default::default())
                }
                _ => ElicitResult::new(ElicitAction::Decline),
            }
        })
        .on_sample(|_request| async move {
            serde_json::from_value::<CreateMessageResult>(json!({
                "role": "assistant",
                "content": {"type": "text", "text": "A canned answer from the conformance client."},
                "model": "conformance-client-model",
                "stopReason": "endTurn"
            }))
            .map_err(|error| {
                mcp_proto::jsonrpc::ErrorObject::with_message(
                    mcp_proto::jsonrpc::ErrorCode::INTERNAL_ERROR,
                    error.to_string(),
                )
            })
        })
        .on_roots(|| async move {
            serde_json::from_value::<ListRootsResult>(json!({
                "roots": [{"uri": "file:///conformance/root", "name": "Conformance root"}]
            }))
            .unwrap_or_else(|_| ListRootsResult::new(Vec::new()))
        })
}

/// The text of a tool result's first text block.
fn first_text(result: &CallToolResult) -> Option<&str> {
    result.content.iter().find_map(|block| match block {
        ContentBlock::Text(text) => Some(text.text.as_str()),
        _ => None,
    })
}

/// Runs `invocation`'s scenario.
pub async fn run_scenario(invocation: &Invocation) -> Result<(), ScenarioError> {
    let name = invocation.scenario.as_str();
    if name.starts_with("auth/") {
        return Err(ScenarioError::Unsupported(format!(
            "{name}: authorization (OAuth) is not implemented by this client yet"
        )));
    }
    if !SCENARIOS.contains(&name) {
        return Err(ScenarioError::Unknown(String::from(name)));
    }
    let run = async {
        match name {
            "initialize" => basic::initialize(invocation).await,
            "tools_call" => basic::tools_call(invocation).await,
            "elicitation-sep1034-client-defaults" => basic::elicitation_defaults(invocation).await,
            "sse-retry" => basic::sse_retry(invocation).await,
            "request-metadata" => basic::request_metadata(invocation).await,
            "sep-2322-client-request-state" => mrtr::request_state(invocation).await,
            "http-standard-headers" => headers::standard(invocation).await,
            "http-custom-headers" => headers::custom(invocation).await,
            "http-invalid-tool-headers" => headers::invalid_tools(invocation).await,
            "json-schema-ref-no-deref" => schema::ref_no_deref(invocation).await,
            "json-schema-2020-12-preservation" => schema::preservation(invocation).await,
            other => Err(ScenarioError::Unknown(String::from(other))),
        }
    };
    tokio::time::timeout(SCENARIO_BUDGET, run)
        .await
        .map_err(|_| {
            ScenarioError::Failed(format!("{name} took longer than {SCENARIO_BUDGET:?}"))
        })?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_revision_chooses_the_lifecycle() {
        let legacy = Invocation::new("tools_call", "http://localhost:1/mcp", None, None)
            .expect("an invocation");
        assert_eq!(legacy.mode(), ClientMode::Legacy);
        let modern = Invocation::new(
            "tools_call",
            "http://localhost:1",
            Some("2026-07-28"),
            Some(r#"{"name":"tools_call"}"#),
        )
        .expect("an invocation");
        assert_eq!(
            modern.mode(),
            ClientMode::Pinned {
                version: ProtocolVersion::V2026_07_28,
                discover: None
            }
        );
        assert!(Invocation::new("tools_call", "u", Some("1999-01-01"), None).is_err());
        assert!(Invocation::new("tools_call", "u", None, Some("{")).is_err());
    }
}
