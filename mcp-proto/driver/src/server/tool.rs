//! Tools: a definition (name, description, input schema) and an async handler with typed
//! arguments.

use std::format;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use serde::de::DeserializeOwned;

use crate::server::context::{Context, ToolError};
use mcp_proto::json::RawJson;
use mcp_proto::types::{CallToolResult, Tool as ToolDefinition};

/// The future a tool handler returns.
pub type ToolFuture = Pin<Box<dyn Future<Output = Result<CallToolResult, ToolError>> + Send>>;

/// A type-erased tool handler: raw arguments in, a result out.
pub(crate) type ErasedHandler = Arc<dyn Fn(Option<RawJson>, Context) -> ToolFuture + Send + Sync>;

/// A tool the server offers: its definition, as `tools/list` shows it, and its handler.
#[derive(Clone)]
pub struct Tool {
    pub(crate) definition: ToolDefinition,
    pub(crate) handler: ErasedHandler,
}

impl std::fmt::Debug for Tool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tool")
            .field("definition", &self.definition)
            .finish_non_exhaustive()
    }
}

impl Tool {
    /// A tool whose arguments deserialize into `A`, with a hand-written JSON input schema.
    ///
    /// Arguments that do not fit `A` are answered with -32602 before the handler runs.
    pub fn new<A, F, Fut>(
        name: impl Into<String>,
        description: impl Into<String>,
        input_schema: serde_json::Value,
        handler: F,
    ) -> Self
    where
        A: DeserializeOwned + Send + 'static,
        F: Fn(A, Context) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<CallToolResult, ToolError>> + Send + 'static,
    {
        let schema = RawJson::from_serialize(&input_schema).unwrap_or_else(|_| {
            RawJson::from_text(r#"{"type":"object"}"#).unwrap_or_else(|_| RawJson::null())
        });
        let mut definition = ToolDefinition::new(name, schema);
        definition.description = Some(description.into());
        let handler = Arc::new(handler);
        let erased: ErasedHandler =
            Arc::new(move |arguments: Option<RawJson>, context: Context| {
                let handler = Arc::clone(&handler);
                Box::pin(async move {
                    let text = arguments.as_ref().map_or("{}", RawJson::get);
                    let arguments: A = serde_json::from_str(text).map_err(|error| {
                        ToolError::protocol(
                            mcp_proto::jsonrpc::ErrorCode::INVALID_PARAMS,
                            format!("Invalid arguments: {error}"),
                        )
                    })?;
                    handler(arguments, context).await
                }) as ToolFuture
            });
        Tool {
            definition,
            handler: erased,
        }
    }

    /// A tool whose input schema is generated from its argument type `A`.
    #[cfg(feature = "schemars")]
    pub fn typed<A, F, Fut>(
        name: impl Into<String>,
        description: impl Into<String>,
        handler: F,
    ) -> Self
    where
        A: DeserializeOwned + schemars::JsonSchema + Send + 'static,
        F: Fn(A, Context) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<CallToolResult, ToolError>> + Send + 'static,
    {
        let mut schema = serde_json::to_value(schemars::schema_for!(A)).unwrap_or_default();
        if let Some(object) = schema.as_object_mut() {
            // MCP input schemas are plain objects; the meta-schema and title add nothing.
            object.remove("$schema");
            object.remove("title");
        }
        Tool::new(name, description, schema, handler)
    }

    /// Sets the display title.
    pub fn with_title(mut self, title: impl Into<String>) -> Self {
        self.definition.title = Some(title.into());
        self
    }

    /// The definition `tools/list` shows.
    pub fn definition(&self) -> &ToolDefinition {
        &self.definition
    }
}
