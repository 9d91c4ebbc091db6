//! Vendor request methods with typed params and results
//! ([`ServerBuilder::method`](super::ServerBuilder::method)).

use std::format;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::server::context::{Context, ToolError};
use crate::server::outcome::without_input;
use mcp_proto::jsonrpc::{ErrorCode, Params};
use mcp_proto::server::Reply;

/// The future of an erased vendor method handler.
type MethodFuture = Pin<Box<dyn Future<Output = Reply> + Send>>;

/// A type-erased vendor method handler: raw params in, the reply out.
pub(crate) type ErasedMethod = Arc<dyn Fn(Option<Params>, Context) -> MethodFuture + Send + Sync>;

/// Erases a typed handler: params (without `_meta`) decode into `P`, or the request is
/// answered with -32602 before the handler runs; `R` must serialise to a JSON object.
pub(crate) fn erase<P, R, F, Fut>(handler: F) -> ErasedMethod
where
    P: DeserializeOwned + Send + 'static,
    R: Serialize + Send + 'static,
    F: Fn(P, Context) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<R, ToolError>> + Send + 'static,
{
    let handler = Arc::new(handler);
    Arc::new(move |params: Option<Params>, context: Context| {
        let handler = Arc::clone(&handler);
        Box::pin(async move {
            let params: P = match decode_without_meta(params.as_ref()) {
                Ok(params) => params,
                Err(error) => {
                    return Reply::error(
                        ErrorCode::INVALID_PARAMS,
                        format!("Invalid params: {error}"),
                    );
                }
            };
            without_input(handler(params, context).await)
        }) as MethodFuture
    })
}

/// The params as `P`, the protocol's `_meta` (the 2026 envelope, a progress token) left
/// out so `P` need not allow for it; absent params decode as `{}`.
fn decode_without_meta<P: DeserializeOwned>(params: Option<&Params>) -> serde_json::Result<P> {
    match params {
        Some(params) => params.decode_ignoring_meta(),
        None => serde_json::from_str("{}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Strict {
        depth: u32,
    }

    #[test]
    fn params_decode_without_the_envelope() {
        let params = Params::from_serialize(&serde_json::json!({
            "depth": 2,
            "_meta": {"io.modelcontextprotocol/protocolVersion": "2026-07-28"}
        }))
        .unwrap();
        assert_eq!(
            decode_without_meta::<Strict>(Some(&params)).unwrap(),
            Strict { depth: 2 }
        );
        let plain = Params::from_serialize(&serde_json::json!({"depth": 3})).unwrap();
        assert_eq!(
            decode_without_meta::<Strict>(Some(&plain)).unwrap(),
            Strict { depth: 3 }
        );
        assert!(decode_without_meta::<Strict>(None).is_err());
        assert_eq!(
            decode_without_meta::<serde_json::Value>(None).unwrap(),
            serde_json::json!({})
        );
    }
}
