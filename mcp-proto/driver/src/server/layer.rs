//! Layers: code that runs around every request the server's handlers answer, to log,
//! time, authorise or rewrite (see [`ServerBuilder::layer`](super::ServerBuilder::layer)).

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use serde::de::DeserializeOwned;

use crate::server::context::Context;
use mcp_proto::jsonrpc::Params;
use mcp_proto::server::Reply;

/// The future a layer, or the rest of the chain, returns.
pub type LayerFuture = Pin<Box<dyn Future<Output = Reply> + Send>>;

/// A type-erased layer.
pub(crate) type ErasedLayer = Arc<dyn Fn(RequestInfo, Next) -> LayerFuture + Send + Sync>;

/// What the chain ends in: the server's own answer to a request.
pub(crate) type Service = Arc<dyn Fn(RequestInfo) -> LayerFuture + Send + Sync>;

/// Erases a layer.
pub(crate) fn erase<F, Fut>(layer: F) -> ErasedLayer
where
    F: Fn(RequestInfo, Next) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Reply> + Send + 'static,
{
    Arc::new(move |request, next| Box::pin(layer(request, next)) as LayerFuture)
}

/// A request on its way through the layers to its handler.
#[derive(Debug)]
#[non_exhaustive]
pub struct RequestInfo {
    /// The method, such as `tools/call`. A layer that changes it reroutes the request;
    /// the reply is still checked as an answer to the method the client sent.
    pub method: String,
    /// The params as the client sent them (`_meta` included), raw.
    pub params: Option<Params>,
    /// The request's context: era, version, client capabilities and client info, and
    /// the way to report progress or log. Handlers further in get this context.
    pub context: Context,
}

impl RequestInfo {
    /// The params decoded as `T` (absent params decode as `{}`).
    pub fn decode<T: DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        match &self.params {
            Some(params) => params.decode(),
            None => serde_json::from_str("{}"),
        }
    }

    /// For `tools/call`, `prompts/get`: the `name` the request names; for
    /// `resources/read`: the `uri`. `None` for other methods.
    pub fn target(&self) -> Option<String> {
        #[derive(serde::Deserialize)]
        struct Target {
            name: Option<String>,
            uri: Option<String>,
        }
        let wants_uri = match self.method.as_str() {
            "tools/call" | "prompts/get" => false,
            "resources/read" => true,
            _ => return None,
        };
        let target: Target = self.decode().ok()?;
        if wants_uri { target.uri } else { target.name }
    }
}

/// The rest of the chain after one layer: the next layer, or at the end the service
/// the layers wrap (the server's own routing).
pub struct Next {
    layers: Arc<[ErasedLayer]>,
    index: usize,
    inner: Service,
}

impl fmt::Debug for Next {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Next")
            .field(
                "remaining_layers",
                &self.layers.len().saturating_sub(self.index),
            )
            .finish_non_exhaustive()
    }
}

impl Next {
    /// The whole chain of `layers`, outermost first, around `inner`.
    pub(crate) fn chain(layers: Arc<[ErasedLayer]>, inner: Service) -> Self {
        Next {
            layers,
            index: 0,
            inner,
        }
    }

    /// Runs the rest of the chain on `request` and gives back its reply.
    pub fn run(self, request: RequestInfo) -> LayerFuture {
        match self.layers.get(self.index).cloned() {
            Some(layer) => {
                let next = Next {
                    layers: self.layers,
                    index: self.index.saturating_add(1),
                    inner: self.inner,
                };
                layer(request, next)
            }
            None => (self.inner)(request),
        }
    }
}
