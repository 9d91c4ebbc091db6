//! Argument completion (`completion/complete`): suggestions for a prompt's argument
//! ([`Prompt::with_completion`](super::Prompt::with_completion)) or a resource template's
//! variable ([`ResourceTemplate::with_completion`](super::ResourceTemplate::with_completion)).
//!
//! A server with at least one provider announces the `completions` capability; one
//! without answers `completion/complete` with -32601. A reference to a prompt or template
//! the server does not have, or to an argument it does not take, is -32602. An argument
//! without a provider completes to nothing. At most 100 values go out: a provider that
//! returns more has the rest cut, with `hasMore: true` and `total` counting them all.

use std::format;

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use crate::server::Shared;
use crate::server::context::{Context, ToolError};
use crate::server::outcome::without_input;
use mcp_proto::jsonrpc::{ErrorCode, Params};
use mcp_proto::server::Reply;
use mcp_proto::types::{CompleteRequestParams, CompleteResult, Completion, CompletionReference};

pub use mcp_proto::types::MAX_COMPLETION_VALUES;

/// The future a completion provider returns.
pub type CompletionFuture = Pin<Box<dyn Future<Output = Result<Completion, ToolError>> + Send>>;

/// A type-erased completion provider.
pub(crate) type ErasedCompleter =
    Arc<dyn Fn(CompletionRequest, Context) -> CompletionFuture + Send + Sync>;

/// What a completion provider is asked.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct CompletionRequest {
    /// The argument (or template variable) being completed.
    pub argument: String,
    /// What the user has typed for it so far.
    pub value: String,
    /// The other arguments the user has already settled on (`context.arguments`).
    pub resolved: BTreeMap<String, String>,
}

impl CompletionRequest {
    /// The `candidates` that start with what the user has typed so far, in their order.
    pub fn matching<I, S>(&self, candidates: I) -> Vec<String>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        candidates
            .into_iter()
            .filter(|candidate| candidate.as_ref().starts_with(&self.value))
            .map(|candidate| String::from(candidate.as_ref()))
            .collect()
    }
}

/// Turns a provider into the erased form: anything that converts into [`Completion`]
/// (a `Vec<String>` of every match, or a `Completion` with its own `total`).
pub(crate) fn erase<F, Fut, C>(provider: F) -> ErasedCompleter
where
    F: Fn(CompletionRequest, Context) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<C, ToolError>> + Send + 'static,
    C: Into<Completion> + 'static,
{
    let provider = Arc::new(provider);
    Arc::new(move |request, context| {
        let provider = Arc::clone(&provider);
        Box::pin(async move { provider(request, context).await.map(Into::into) })
            as CompletionFuture
    })
}

/// Answers `completion/complete`.
pub(crate) async fn complete(shared: &Shared, params: Option<Params>, context: Context) -> Reply {
    if shared.capabilities.completions.is_none() {
        return Reply::error(
            ErrorCode::METHOD_NOT_FOUND,
            "Method not found: this server offers no completions",
        );
    }
    let params = match params.as_ref().map(Params::decode::<CompleteRequestParams>) {
        Some(Ok(params)) => params,
        Some(Err(error)) => {
            return Reply::error(
                ErrorCode::INVALID_PARAMS,
                format!("Invalid params: {error}"),
            );
        }
        None => {
            return Reply::error(
                ErrorCode::INVALID_PARAMS,
                "completion/complete needs params",
            );
        }
    };
    let (providers, declared): (&BTreeMap<String, ErasedCompleter>, Vec<&str>) =
        match &params.reference {
            CompletionReference::Prompt(reference) => {
                let Some(prompt) = shared.prompts.get(&reference.name) else {
                    return Reply::error(
                        ErrorCode::INVALID_PARAMS,
                        format!("Unknown prompt: {}", reference.name),
                    );
                };
                let declared = prompt
                    .definition
                    .arguments
                    .iter()
                    .flatten()
                    .map(|argument| argument.name.as_str())
                    .collect();
                (&prompt.completions, declared)
            }
            CompletionReference::Resource(reference) => {
                let template = shared
                    .templates
                    .iter()
                    .find(|template| template.definition.uri_template == reference.uri);
                let Some(template) = template else {
                    return Reply::error(
                        ErrorCode::INVALID_PARAMS,
                        format!("Unknown resource template: {}", reference.uri),
                    );
                };
                (&template.completions, template.template.variable_names())
            }
            _ => {
                return Reply::error(
                    ErrorCode::INVALID_PARAMS,
                    "Invalid params: unknown reference type",
                );
            }
        };
    let name = params.argument.name;
    if !declared.contains(&name.as_str()) && !providers.contains_key(&name) {
        return Reply::error(
            ErrorCode::INVALID_PARAMS,
            format!("Invalid params: no argument named {name} to complete"),
        );
    }
    let Some(provider) = providers.get(&name) else {
        return Reply::result(&CompleteResult::new(Completion::default()));
    };
    let request = CompletionRequest {
        argument: name,
        value: params.argument.value,
        resolved: params
            .context
            .and_then(|context| context.arguments)
            .unwrap_or_default(),
    };
    let outcome = provider(request, context)
        .await
        .map(|completion| CompleteResult::new(Completion::capped(completion)));
    without_input(outcome)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(count: usize) -> Vec<String> {
        (0..count).map(|n| format!("v{n}")).collect()
    }

    #[test]
    fn every_match_counts_toward_total_and_at_most_100_go_out() {
        let few = Completion::capped(Completion::from(values(3)));
        assert_eq!(
            (few.values.len(), few.total, few.has_more),
            (3, Some(3), Some(false))
        );
        let exact = Completion::capped(Completion::from(values(100)));
        assert_eq!(
            (exact.values.len(), exact.total, exact.has_more),
            (100, Some(100), Some(false))
        );
        let many = Completion::capped(Completion::from(values(250)));
        assert_eq!(
            (many.values.len(), many.total, many.has_more),
            (100, Some(250), Some(true))
        );
        assert_eq!(many.values[99], "v99");
    }

    #[test]
    fn a_providers_own_total_is_kept_unless_too_small() {
        let own = Completion::new(values(10)).with_total(5000, true);
        assert_eq!(Completion::capped(own.clone()), own);
        let mut understated = Completion::new(values(150));
        understated.total = Some(7);
        let understated = Completion::capped(understated);
        assert_eq!(
            (understated.total, understated.has_more),
            (Some(150), Some(true))
        );
    }

    #[test]
    fn matching_keeps_candidates_with_the_typed_prefix() {
        let request = CompletionRequest {
            argument: String::from("colour"),
            value: String::from("bl"),
            resolved: BTreeMap::new(),
        };
        assert_eq!(
            request.matching(["red", "blue", "black", "Blue"]),
            ["blue", "black"]
        );
    }
}
