//! Resources and resource templates: definitions as `resources/list` and
//! `resources/templates/list` show them, and async read handlers.

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use crate::server::completion::{self, CompletionRequest, ErasedCompleter};
use crate::server::context::{Context, ToolError};
use mcp_proto::types::{
    Completion, ReadResourceResult, Resource as ResourceDefinition,
    ResourceTemplate as TemplateDefinition,
};
use mcp_proto::uri_template::{TemplateError, UriTemplate};

/// The future a read handler returns.
pub type ReadFuture = Pin<Box<dyn Future<Output = Result<ReadResourceResult, ToolError>> + Send>>;

/// A type-erased read handler.
pub(crate) type ErasedRead = Arc<dyn Fn(ResourceRequest, Context) -> ReadFuture + Send + Sync>;

/// What a read handler is asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResourceRequest {
    /// The URI the client asked for.
    pub uri: String,
    /// For a template: each variable's value, percent-decoded and checked against
    /// traversal; empty for a fixed resource.
    pub variables: BTreeMap<String, String>,
}

fn erase<F, Fut>(handler: F) -> ErasedRead
where
    F: Fn(ResourceRequest, Context) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<ReadResourceResult, ToolError>> + Send + 'static,
{
    Arc::new(move |request, context| Box::pin(handler(request, context)) as ReadFuture)
}

/// A resource at a fixed URI.
#[derive(Clone)]
pub struct Resource {
    pub(crate) definition: ResourceDefinition,
    pub(crate) read: ErasedRead,
}

impl std::fmt::Debug for Resource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Resource")
            .field("definition", &self.definition)
            .finish_non_exhaustive()
    }
}

impl Resource {
    /// A resource at `uri`, named `name`, read by `handler`.
    pub fn new<F, Fut>(uri: impl Into<String>, name: impl Into<String>, handler: F) -> Self
    where
        F: Fn(ResourceRequest, Context) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<ReadResourceResult, ToolError>> + Send + 'static,
    {
        Resource {
            definition: ResourceDefinition::new(uri, name),
            read: erase(handler),
        }
    }

    /// Sets the description.
    pub fn with_description(mut self, description: impl Into<String>) -> Self {
        self.definition.description = Some(description.into());
        self
    }

    /// Sets the MIME type.
    pub fn with_mime_type(mut self, mime_type: impl Into<String>) -> Self {
        self.definition.mime_type = Some(mime_type.into());
        self
    }
}

/// A family of resources named by an RFC 6570 URI template, such as `file:///{+path}`.
#[derive(Clone)]
pub struct ResourceTemplate {
    pub(crate) definition: TemplateDefinition,
    pub(crate) template: UriTemplate,
    pub(crate) read: ErasedRead,
    /// Completion providers by variable name.
    pub(crate) completions: BTreeMap<String, ErasedCompleter>,
}

impl std::fmt::Debug for ResourceTemplate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResourceTemplate")
            .field("definition", &self.definition)
            .field("completions", &self.completions.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

impl ResourceTemplate {
    /// Resources matching `uri_template`, read by `handler` with the matched variables.
    pub fn new<F, Fut>(
        uri_template: &str,
        name: impl Into<String>,
        handler: F,
    ) -> Result<Self, TemplateError>
    where
        F: Fn(ResourceRequest, Context) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<ReadResourceResult, ToolError>> + Send + 'static,
    {
        let template = UriTemplate::parse(uri_template)?;
        let definition = TemplateDefinition::new(uri_template, name);
        Ok(ResourceTemplate {
            definition,
            template,
            read: erase(handler),
            completions: BTreeMap::new(),
        })
    }

    /// Suggests values for the template variable `variable` with `provider`
    /// (`completion/complete` with a `ref/resource` reference naming this template's
    /// `uriTemplate` exactly). The provider returns every match as a `Vec<String>` (at
    /// most 100 are sent; `total` and `hasMore` tell the rest), or a [`Completion`] with
    /// its own `total`. Values of variables the user already chose arrive in
    /// [`CompletionRequest::resolved`]. A server with any provider announces
    /// `completions`.
    pub fn with_completion<F, Fut, C>(mut self, variable: impl Into<String>, provider: F) -> Self
    where
        F: Fn(CompletionRequest, Context) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<C, ToolError>> + Send + 'static,
        C: Into<Completion> + 'static,
    {
        self.completions
            .insert(variable.into(), completion::erase(provider));
        self
    }

    /// Sets the description.
    pub fn with_description(mut self, description: impl Into<String>) -> Self {
        self.definition.description = Some(description.into());
        self
    }
}
