//! Prompts: definitions as `prompts/list` shows them, and async handlers.

use std::prelude::rust_2024::*;

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use crate::driver::server::context::{Context, ToolError};
use crate::types::{GetPromptResult, Prompt as PromptDefinition, PromptArgument};

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
}

impl std::fmt::Debug for Prompt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Prompt")
            .field("definition", &self.definition)
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
        let definition = PromptDefinition {
            name: name.into(),
            title: None,
            description: Some(description.into()),
            arguments: (!arguments.is_empty()).then_some(arguments),
            icons: None,
            meta: None,
        };
        Prompt {
            definition,
            get: Arc::new(move |arguments, context| {
                Box::pin(handler(arguments, context)) as PromptFuture
            }),
        }
    }
}
