//! Turning one inbound request into the application's [`Reply`]: routing by method to
//! the registered tools, and the multi-round-trip bookkeeping of era-portable input.

use std::format;

use std::collections::BTreeMap;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context as TaskContext, Poll, Waker};

use crate::server::completion::complete;
use crate::server::context::{Context, RequestFacts};
use crate::server::layer::{LayerFuture, Next, RequestInfo, Service};
use crate::server::outcome::{finish, tool_reply};
use crate::server::page::list_page;
use crate::server::tool::ToolFuture;
use crate::server::{ResourceRequest, Shared};
use mcp_proto::jsonrpc::{ErrorCode, ErrorObject, Params};
use mcp_proto::server::Reply;
use mcp_proto::types::{
    CallToolRequestParams, ClientRequest, GetPromptRequestParams, Method, ReadResourceRequestParams,
};
use mcp_proto::uri_template::MatchError;
use mcp_proto::version::Era;

/// Answers one request: through the layers, outermost first, to [`route`]. Runs on the
/// runtime, away from the connection's drive loop.
///
/// `typed` is the request as the connection's validation decoded it; routing uses it
/// instead of decoding the params again when no layer stands in between (a layer may
/// rewrite the params).
pub(crate) async fn dispatch(
    shared: Arc<Shared>,
    method: String,
    params: Option<Params>,
    typed: Option<ClientRequest>,
    context: Context,
) -> Reply {
    if shared.layers.is_empty() {
        // Boxed, as the chain's end is: routing's state is large, and this future is
        // moved on its way to the runtime.
        return Box::pin(route(shared, method, params, typed, context)).await;
    }
    let request = RequestInfo {
        method,
        params,
        context,
    };
    let layers = Arc::clone(&shared.layers);
    let inner: Service = Arc::new(move |request: RequestInfo| {
        let routed = route(
            Arc::clone(&shared),
            request.method,
            request.params,
            None,
            request.context,
        );
        Box::pin(routed) as LayerFuture
    });
    Next::chain(layers, inner).run(request).await
}

/// The server's own answer to one request: routing by method to the registered tools,
/// resources, prompts, completions and vendor methods. `typed`, when given, is `params`
/// decoded for `method`.
pub(crate) async fn route(
    shared: Arc<Shared>,
    method: String,
    params: Option<Params>,
    typed: Option<ClientRequest>,
    context: Context,
) -> Reply {
    let page_size = shared.page_size;
    match Method::parse(&method) {
        Some(Method::ToolsList) => {
            let tools: Vec<_> = shared.tools.values().map(|tool| &tool.definition).collect();
            list_page(&method, "tools", &tools, params.as_ref(), page_size)
        }
        Some(Method::ToolsCall) => {
            let typed = match typed {
                Some(ClientRequest::CallTool(typed)) => Some(typed),
                _ => None,
            };
            call_tool(&shared, params, typed, context).await
        }
        Some(Method::ResourcesList) => {
            let resources: Vec<_> = shared.resources.values().map(|r| &r.definition).collect();
            list_page(&method, "resources", &resources, params.as_ref(), page_size)
        }
        Some(Method::ResourcesTemplatesList) => {
            let templates: Vec<_> = shared.templates.iter().map(|t| &t.definition).collect();
            list_page(
                &method,
                "resourceTemplates",
                &templates,
                params.as_ref(),
                page_size,
            )
        }
        Some(Method::ResourcesRead) => {
            let typed = match typed {
                Some(ClientRequest::ReadResource(typed)) => Some(typed),
                _ => None,
            };
            read_resource(&shared, params, typed, context).await
        }
        Some(Method::PromptsList) => {
            let prompts: Vec<_> = shared.prompts.values().map(|p| &p.definition).collect();
            list_page(&method, "prompts", &prompts, params.as_ref(), page_size)
        }
        Some(Method::PromptsGet) => {
            let typed = match typed {
                Some(ClientRequest::GetPrompt(typed)) => Some(typed),
                _ => None,
            };
            get_prompt(&shared, params, typed, context).await
        }
        Some(Method::CompletionComplete) => complete(&shared, params, context).await,
        None => match shared.methods.get(&method) {
            Some(handler) => handler(params, context).await,
            None => not_found(&method),
        },
        _ => not_found(&method),
    }
}

fn not_found(method: &str) -> Reply {
    Reply::error(
        ErrorCode::METHOD_NOT_FOUND,
        format!("Method not found: {method}"),
    )
}

async fn call_tool(
    shared: &Shared,
    params: Option<Params>,
    typed: Option<CallToolRequestParams>,
    context: Context,
) -> Reply {
    let decoded = match typed {
        Some(typed) => Some(Ok(typed)),
        None => params.as_ref().map(Params::decode),
    };
    let params: CallToolRequestParams = match decoded {
        Some(Ok(params)) => params,
        Some(Err(error)) => {
            return Reply::error(
                ErrorCode::INVALID_PARAMS,
                format!("Invalid params: {error}"),
            );
        }
        None => return Reply::error(ErrorCode::INVALID_PARAMS, "tools/call needs params"),
    };
    match begin_tool(shared, params, context) {
        Ok((handler, facts)) => tool_reply(handler.await, &facts.input),
        Err(reply) => reply,
    }
}

/// The named tool's handler future for these params, with the request's facts (whose
/// input state [`tool_reply`] reads); the reply at once for an unknown tool.
fn begin_tool(
    shared: &Shared,
    params: CallToolRequestParams,
    context: Context,
) -> Result<(ToolFuture, Arc<RequestFacts>), Reply> {
    let Some(tool) = shared.tools.get(&params.name) else {
        return Err(Reply::error(
            ErrorCode::INVALID_PARAMS,
            format!("Unknown tool: {}", params.name),
        ));
    };
    let facts = Arc::clone(&context.facts);
    Ok(((tool.handler)(params.arguments, context), facts))
}

/// A handler's answer to one request, as a future.
pub(crate) type ReplyFuture = Pin<Box<dyn Future<Output = Reply> + Send>>;

/// How a request's handler started (see [`start`]).
pub(crate) enum Started {
    /// It answered on its first step.
    Done(Reply),
    /// It waits: its future, polled once already, goes on to the reply.
    Waiting(ReplyFuture),
    /// Not polled yet: its future, from the first step.
    Fresh(ReplyFuture),
}

/// Starts answering one request: [`dispatch`] behind a panic guard, as a future to poll
/// ([`Started::Fresh`]). A `tools/call` that validation decoded, on a server without
/// layers, goes straight to its tool instead: the handler's first step runs here, and
/// one that answers at once costs none of the routing futures (most tools answer at
/// once). A panicking handler answers -32603 either way.
pub(crate) fn start(
    shared: Arc<Shared>,
    method: String,
    params: Option<Params>,
    typed: Option<ClientRequest>,
    context: Context,
) -> Started {
    match typed {
        Some(ClientRequest::CallTool(typed))
            if shared.layers.is_empty() && Method::parse(&method) == Some(Method::ToolsCall) =>
        {
            start_tool(&shared, typed, context)
        }
        typed => Started::Fresh(Box::pin(guarded(dispatch(
            shared, method, params, typed, context,
        )))),
    }
}

/// [`start`] for a tool call: the handler's first step, under the panic guard.
fn start_tool(shared: &Shared, params: CallToolRequestParams, context: Context) -> Started {
    let first = std::panic::catch_unwind(AssertUnwindSafe(|| {
        let (mut handler, facts) = match begin_tool(shared, params, context) {
            Ok(begun) => begun,
            Err(reply) => return Ok(reply),
        };
        let mut noop = TaskContext::from_waker(Waker::noop());
        match handler.as_mut().poll(&mut noop) {
            Poll::Ready(outcome) => Ok(tool_reply(outcome, &facts.input)),
            Poll::Pending => Err((handler, facts)),
        }
    }));
    match first {
        Ok(Ok(reply)) => Started::Done(reply),
        Ok(Err((handler, facts))) => Started::Waiting(Box::pin(guarded(async move {
            tool_reply(handler.await, &facts.input)
        }))),
        Err(_) => Started::Done(panicked()),
    }
}

/// `answer`, answering -32603 instead when it panics.
async fn guarded(answer: impl Future<Output = Reply>) -> Reply {
    futures_util::FutureExt::catch_unwind(AssertUnwindSafe(answer))
        .await
        .unwrap_or_else(|_| panicked())
}

/// The reply of a handler that panicked.
fn panicked() -> Reply {
    Reply::error(
        ErrorCode::INTERNAL_ERROR,
        "Internal error: the handler panicked",
    )
}

async fn read_resource(
    shared: &Shared,
    params: Option<Params>,
    typed: Option<ReadResourceRequestParams>,
    context: Context,
) -> Reply {
    let decoded = typed_or_decoded(typed, params.as_ref());
    let uri = match decoded {
        Some(Ok(params)) => params.uri,
        _ => return Reply::error(ErrorCode::INVALID_PARAMS, "resources/read needs a uri"),
    };
    let facts = Arc::clone(&context.facts);
    if let Some(resource) = shared.resources.get(&uri) {
        let request = ResourceRequest {
            uri,
            variables: BTreeMap::new(),
        };
        return finish((resource.read)(request, context).await, &facts.input);
    }
    for template in &shared.templates {
        match template.template.try_match(&uri) {
            Ok(variables) => {
                let request = ResourceRequest { uri, variables };
                return finish((template.read)(request, context).await, &facts.input);
            }
            Err(MatchError::Traversal { .. }) => {
                return Reply::error(
                    ErrorCode::INVALID_PARAMS,
                    format!("Invalid resource URI: {uri}"),
                );
            }
            Err(_) => continue,
        }
    }
    // 2025-11-25 has a code for this; 2026-07-28 removed it in favour of -32602. Both
    // name the URI in `data` (SEP-2164).
    let code = match context.era {
        Era::Legacy => ErrorCode::RESOURCE_NOT_FOUND,
        _ => ErrorCode::INVALID_PARAMS,
    };
    Reply::Error(
        ErrorObject::with_message(code, format!("Resource not found: {uri}"))
            .with_data(&serde_json::json!({ "uri": uri })),
    )
}

async fn get_prompt(
    shared: &Shared,
    params: Option<Params>,
    typed: Option<GetPromptRequestParams>,
    context: Context,
) -> Reply {
    let decoded = typed_or_decoded(typed, params.as_ref());
    let params = match decoded {
        Some(Ok(params)) => params,
        _ => return Reply::error(ErrorCode::INVALID_PARAMS, "prompts/get needs a name"),
    };
    let Some(prompt) = shared.prompts.get(&params.name) else {
        return Reply::error(
            ErrorCode::INVALID_PARAMS,
            format!("Unknown prompt: {}", params.name),
        );
    };
    let arguments: BTreeMap<String, String> =
        params.arguments.unwrap_or_default().into_iter().collect();
    let missing: Vec<&str> = prompt
        .definition
        .arguments
        .iter()
        .flatten()
        .filter(|argument| {
            argument.required == Some(true) && !arguments.contains_key(&argument.name)
        })
        .map(|argument| argument.name.as_str())
        .collect();
    if !missing.is_empty() {
        return Reply::error(
            ErrorCode::INVALID_PARAMS,
            format!("Missing required arguments: {}", missing.join(", ")),
        );
    }
    let facts = Arc::clone(&context.facts);
    finish((prompt.get)(arguments, context).await, &facts.input)
}

/// The params validation already decoded, else decoded here.
fn typed_or_decoded<T: serde::de::DeserializeOwned>(
    typed: Option<T>,
    params: Option<&Params>,
) -> Option<Result<T, serde_json::Error>> {
    match typed {
        Some(typed) => Some(Ok(typed)),
        None => params.map(Params::decode::<T>),
    }
}
