//! Prompts: definitions as `prompts/list` shows them, and async handlers.

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use crate::server::completion::{self, CompletionRequest, ErasedCompleter};
use crate::server::context::{Context, ToolError};
use mcp_proto::types::{Completion, GetPromptResult, Prompt as PromptDefinition, PromptArgument};

/// The future a prompt handler returns.
pub type PromptFuture = Pin<Box<dyn Future<Output = Result<GetPromptResult, ToolError>> + Send>>;

/// A type-erased prompt handler.
pub(crate) type ErasedPrompt =
    Arc<dyn Fn(BTreeMap<String, String>, Context) -> PromptFuture + Send + Sync>;

/// A prompt the server offers.
#[derive(Clone)]
pub struct Prompt {
    pub(crate) definition: PromptDefinition,
    pub(crate) get: ErasedPrompt,
    /// Completion providers by argument name.
    pub(crate) completions: BTreeMap<String, ErasedCompleter>,
}

impl std::fmt::Debug for Prompt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Prompt")
            .field("definition", &self.definition)
            .field("completions", &self.completions.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

impl Prompt {
    /// A prompt named `name` taking `arguments`, built by `handler` from the arguments'
    /// values. Required arguments that are missing are answered with -32602 before the
    /// handler runs.
    pub fn new<F, Fut>(
        name: impl Into<String>,
        description: impl Into<String>,
        arguments: Vec<PromptArgument>,
        handler: F,
    ) -> Self
    where
        F: Fn(BTreeMap<String, String>, Context) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<GetPromptResult, ToolError>> + Send + 'static,
    {
        let mut definition = PromptDefinition::new(name);
        definition.description = Some(description.into());
        definition.arguments = (!arguments.is_empty()).then_some(arguments);
        Prompt {
            definition,
            get: Arc::new(move |arguments, context| {
                Box::pin(handler(arguments, context)) as PromptFuture
            }),
            completions: BTreeMap::new(),
        }
    }

    /// Suggests values for the argument `argument` with `provider` (`completion/complete`
    /// with a `ref/prompt` reference). The provider returns every match as a
    /// `Vec<String>` (at most 100 are sent; `total` and `hasMore` tell the rest), or a
    /// [`Completion`] with its own `total`. A later provider for the same argument
    /// replaces an earlier one; a server with any provider announces `completions`.
    pub fn with_completion<F, Fut, C>(mut self, argument: impl Into<String>, provider: F) -> Self
    where
        F: Fn(CompletionRequest, Context) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<C, ToolError>> + Send + 'static,
        C: Into<Completion> + 'static,
    {
        self.completions
            .insert(argument.into(), completion::erase(provider));
        self
    }

    /// The definition `prompts/list` shows.
    pub fn definition(&self) -> &PromptDefinition {
        &self.definition
    }
}
