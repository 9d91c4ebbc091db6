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
use std::prelude::rust_2024::*;

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use crate::driver::server::Shared;
use crate::driver::server::context::{Context, ToolError};
use crate::driver::server::dispatch::without_input;
use crate::jsonrpc::{ErrorCode, Params};
use crate::server::Reply;
use crate::types::{CompleteRequestParams, CompleteResult, Completion, CompletionReference};

/// The most values one completion result carries (the specification's bound).
pub const MAX_COMPLETION_VALUES: usize = 100;

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

impl From<Vec<String>> for Completion {
    /// Every matching value: `total` is their count and `hasMore` whether the result
    /// will have to leave some out.
    fn from(values: Vec<String>) -> Self {
        let total = i64::try_from(values.len()).unwrap_or(i64::MAX);
        Completion {
            has_more: Some(values.len() > MAX_COMPLETION_VALUES),
            total: Some(total),
            values,
        }
    }
}

/// `completion` cut to [`MAX_COMPLETION_VALUES`], with `hasMore` and `total` saying so.
pub(crate) fn capped(mut completion: Completion) -> Completion {
    let count = completion.values.len();
    if count > MAX_COMPLETION_VALUES {
        completion.values.truncate(MAX_COMPLETION_VALUES);
        completion.has_more = Some(true);
        let count = i64::try_from(count).unwrap_or(i64::MAX);
        completion.total = Some(completion.total.map_or(count, |total| total.max(count)));
    }
    completion
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
        };
    let name = params.argument.name;
    if !declared.contains(&name.as_str()) && !providers.contains_key(&name) {
        return Reply::error(
            ErrorCode::INVALID_PARAMS,
            format!("Invalid params: no argument named {name} to complete"),
        );
    }
    let Some(provider) = providers.get(&name) else {
        return Reply::result(&CompleteResult {
            result_type: None,
            completion: Completion::default(),
            meta: None,
        });
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
        .map(|completion| CompleteResult {
            result_type: None,
            completion: capped(completion),
            meta: None,
        });
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
        let few = capped(Completion::from(values(3)));
        assert_eq!(
            (few.values.len(), few.total, few.has_more),
            (3, Some(3), Some(false))
        );
        let exact = capped(Completion::from(values(100)));
        assert_eq!(
            (exact.values.len(), exact.total, exact.has_more),
            (100, Some(100), Some(false))
        );
        let many = capped(Completion::from(values(250)));
        assert_eq!(
            (many.values.len(), many.total, many.has_more),
            (100, Some(250), Some(true))
        );
        assert_eq!(many.values[99], "v99");
    }

    #[test]
    fn a_providers_own_total_is_kept_unless_too_small() {
        let own = Completion {
            values: values(10),
            total: Some(5000),
            has_more: Some(true),
        };
        assert_eq!(capped(own.clone()), own);
        let understated = capped(Completion {
            values: values(150),
            total: Some(7),
            has_more: None,
        });
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
