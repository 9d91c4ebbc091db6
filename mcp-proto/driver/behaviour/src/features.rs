//! The server API's completions, pagination, vendor methods and layers, each through a
//! real client in both eras: in memory, over Streamable HTTP and over a child process's
//! stdio.

use std::collections::BTreeMap;
use std::num::NonZeroUsize;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use mcp_driver::client::{Client, ClientError};
use mcp_driver::server::{
    CompletionRequest, Context, Next, Prompt, RequestInfo, Resource, ResourceRequest,
    ResourceTemplate, Server, Tool, ToolError,
};
use mcp_proto::client::{ClientConfig, ClientMode, RequestOptions};
use mcp_proto::jsonrpc::ErrorCode;
use mcp_proto::server::Reply;
use mcp_proto::types::{
    CallToolResult, ClientRequest, Completion, CompletionReference, GetPromptResult,
    Implementation, PaginatedRequestParams, PromptArgument, ReadResourceResult,
};
use mcp_proto::version::Era;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::harness::{Fixture, Harness, Link};
use crate::support::{Target, connect, in_time};

/// The features server a child process serves: two to a page, its layers watched by no
/// one.
pub const FEATURES_SERVER: Fixture = Fixture {
    name: "features",
    build: features_child_server,
};

/// A server with the defaults: one page, no completions, no vendor methods.
pub const PLAIN_SERVER: Fixture = Fixture {
    name: "features-plain",
    build: plain_server,
};

/// How long the checks of one era may take.
const LIMIT: Duration = Duration::from_secs(30);

const DOCS: &str = "file:///docs/{dir}/{name}";
/// An application error code, outside the range JSON-RPC and MCP reserve.
const FORBIDDEN: i64 = -31001;

#[derive(Deserialize, schemars::JsonSchema)]
struct Echo {
    text: String,
}

#[derive(Deserialize)]
struct StatsParams {
    depth: u32,
}

#[derive(Serialize, Deserialize, Debug, PartialEq)]
struct Stats {
    nodes: u32,
    era: String,
}

/// What the layers of a features server observed.
#[derive(Default)]
pub struct Observed {
    /// Every request that went through the outermost layer.
    requests: AtomicUsize,
    /// `tools/list` requests among them.
    tool_listings: AtomicUsize,
    /// Whether the `secret` tool's handler ever ran.
    secret_ran: AtomicBool,
    /// Each layer's entry and exit, in order.
    order: Mutex<Vec<&'static str>>,
}

/// The prompt `plain`, which offers no completions.
fn plain_prompt() -> Prompt {
    Prompt::new(
        "plain",
        "No completions",
        vec![argument("x")],
        |_arguments: BTreeMap<String, String>, _ctx: Context| async move {
            Ok::<_, ToolError>(prompt_result("plain"))
        },
    )
}

fn argument(name: &str) -> PromptArgument {
    serde_json::from_value(json!({ "name": name })).expect("an argument")
}

fn prompt_result(text: &str) -> GetPromptResult {
    serde_json::from_value(json!({
        "messages": [{"role": "user", "content": {"type": "text", "text": text}}]
    }))
    .expect("a prompt result")
}

fn contents(uri: &str) -> ReadResourceResult {
    serde_json::from_value(json!({"contents": [{"uri": uri, "text": "x"}]})).expect("contents")
}

fn echo_tool(name: &str) -> Tool {
    Tool::typed(name, "Echoes", |args: Echo, _ctx: Context| async move {
        Ok::<_, ToolError>(CallToolResult::text(args.text))
    })
}

/// A server with five tools, three resources, three templates and three prompts, listed
/// `page_size` at a time, with completions, two vendor methods and three layers.
pub fn features_server(page_size: Option<usize>, observed: &Arc<Observed>) -> Server {
    let mut builder = Server::builder(Implementation::new("features-server", "1.0.0"));
    if let Some(size) = page_size.and_then(NonZeroUsize::new) {
        builder = builder.page_size(size);
    }
    for name in ["t1", "t2", "t3", "t4"] {
        builder = builder.tool(echo_tool(name));
    }
    let secret = Arc::clone(observed);
    builder = builder.tool(Tool::typed(
        "secret",
        "Never runs: a layer refuses it",
        move |args: Echo, _ctx: Context| {
            secret.secret_ran.store(true, Ordering::SeqCst);
            async move { Ok::<_, ToolError>(CallToolResult::text(args.text)) }
        },
    ));
    for uri in ["memo://a", "memo://b", "memo://c"] {
        builder = builder.resource(Resource::new(
            uri,
            uri,
            |request: ResourceRequest, _ctx: Context| async move {
                Ok::<_, ToolError>(contents(&request.uri))
            },
        ));
    }
    let read = |request: ResourceRequest, _ctx: Context| async move {
        Ok::<_, ToolError>(contents(&request.uri))
    };
    builder = builder
        .resource_template(
            ResourceTemplate::new(DOCS, "docs", read)
                .expect("a template")
                .with_completion(
                    "dir",
                    |request: CompletionRequest, _ctx: Context| async move {
                        Ok::<_, ToolError>(request.matching(["guides", "games", "api"]))
                    },
                ),
        )
        .resource_template(
            ResourceTemplate::new("file:///logs/{day}", "logs", read).expect("a template"),
        )
        .resource_template(
            ResourceTemplate::new("file:///notes/{id}", "notes", read).expect("a template"),
        );
    builder = builder
        .prompt(
            Prompt::new(
                "greet",
                "Greets someone of a team",
                vec![argument("team"), argument("who"), argument("mood")],
                |_arguments: BTreeMap<String, String>, _ctx: Context| async move {
                    Ok::<_, ToolError>(prompt_result("hello"))
                },
            )
            .with_completion(
                "who",
                |request: CompletionRequest, _ctx: Context| async move {
                    let team: &[&str] = match request.resolved.get("team").map(String::as_str) {
                        Some("a") => &["Ada", "Alan", "Alice"],
                        _ => &["Bob", "Bea", "Alma"],
                    };
                    Ok::<_, ToolError>(request.matching(team))
                },
            ),
        )
        .prompt(
            Prompt::new(
                "count",
                "Counts",
                vec![argument("n")],
                |_arguments: BTreeMap<String, String>, _ctx: Context| async move {
                    Ok::<_, ToolError>(prompt_result("counted"))
                },
            )
            .with_completion(
                "n",
                |_request: CompletionRequest, _ctx: Context| async move {
                    Ok::<_, ToolError>((0..250).map(|n| n.to_string()).collect::<Vec<_>>())
                },
            )
            // A provider that knows more exist than it returns.
            .with_completion(
                "sample",
                |_request: CompletionRequest, _ctx: Context| async move {
                    Ok::<_, ToolError>(
                        Completion::new(vec!["1".into(), "2".into()]).with_total(5000, true),
                    )
                },
            ),
        )
        .prompt(plain_prompt());
    builder = builder
        .method(
            "acme/stats",
            |params: StatsParams, ctx: Context| async move {
                let era = match ctx.era() {
                    Era::Legacy => "legacy",
                    _ => "modern",
                };
                Ok::<_, ToolError>(Stats {
                    nodes: params.depth * 2,
                    era: era.into(),
                })
            },
        )
        .expect("a vendor method")
        .method("acme/refuse", |_params: Value, _ctx: Context| async move {
            Err::<Value, _>(ToolError::protocol(
                ErrorCode(FORBIDDEN),
                "refused by the handler",
            ))
        })
        .expect("a vendor method");
    let counting = Arc::clone(observed);
    let ordering = Arc::clone(observed);
    let inner = Arc::clone(observed);
    builder
        // Outermost: counts everything, refused requests included.
        .layer(move |request: RequestInfo, next: Next| {
            counting.requests.fetch_add(1, Ordering::SeqCst);
            if request.method == "tools/list" {
                counting.tool_listings.fetch_add(1, Ordering::SeqCst);
            }
            next.run(request)
        })
        // Then: refuses the secret tool without calling the rest of the chain.
        .layer(move |request: RequestInfo, next: Next| {
            let ordering = Arc::clone(&ordering);
            async move {
                if request.target().as_deref() == Some("secret") {
                    return Reply::error(ErrorCode(FORBIDDEN), "Forbidden: secret");
                }
                ordering.order.lock().expect("order").push("second>");
                let reply = next.run(request).await;
                ordering.order.lock().expect("order").push("<second");
                reply
            }
        })
        // Innermost: records its place, and rewrites a reply.
        .layer(move |request: RequestInfo, next: Next| {
            let inner = Arc::clone(&inner);
            async move {
                inner.order.lock().expect("order").push("third>");
                let is_acme = request.method == "acme/stats";
                let reply = next.run(request).await;
                inner.order.lock().expect("order").push("<third");
                match reply {
                    // Rewriting on the way out: the vendor result gains a member.
                    Reply::Result(raw) if is_acme => {
                        let mut value: Value = serde_json::from_str(raw.get()).expect("json");
                        value["layered"] = json!(true);
                        Reply::result(&value)
                    }
                    other => other,
                }
            }
        })
        .build()
}

fn features_child_server() -> Server {
    features_server(Some(2), &Arc::new(Observed::default()))
}

pub fn plain_server() -> Server {
    Server::builder(Implementation::new("plain-server", "1.0.0"))
        .tool(echo_tool("t1"))
        .tool(echo_tool("t2"))
        .tool(echo_tool("t3"))
        .prompt(plain_prompt())
        .build()
}

fn config(mode: ClientMode) -> ClientConfig {
    ClientConfig::new(Implementation::new("features-client", "1.0.0")).with_mode(mode)
}

const ERAS: [(ClientMode, &str); 2] =
    [(ClientMode::Legacy, "legacy"), (ClientMode::Auto, "modern")];

fn code_of(error: &ClientError) -> i64 {
    match error {
        ClientError::Rpc(error) => error.code.0,
        other => panic!("not a JSON-RPC error: {other}"),
    }
}

fn values(completion: &Completion) -> Vec<&str> {
    completion.values.iter().map(String::as_str).collect()
}

async fn check_completions(client: &Client, era: &str) {
    let capabilities = client.server_capabilities().expect("negotiated");
    assert!(
        capabilities.completions.is_some(),
        "{era}: completions announced"
    );
    let greet = || CompletionReference::prompt("greet");
    let team_a = client
        .complete(greet(), "who", "Al", &[("team", "a")])
        .await
        .expect("completion");
    assert_eq!(values(&team_a.completion), ["Alan", "Alice"], "{era}");
    assert_eq!(team_a.completion.total, Some(2));
    assert_eq!(team_a.completion.has_more, Some(false));
    let team_b = client
        .complete(greet(), "who", "Al", &[])
        .await
        .expect("completion");
    assert_eq!(
        values(&team_b.completion),
        ["Alma"],
        "{era}: context.arguments decides"
    );
    // A declared argument without a provider completes to nothing.
    let mood = client
        .complete(greet(), "mood", "h", &[])
        .await
        .expect("completion");
    assert!(mood.completion.values.is_empty(), "{era}");
    let many = client
        .complete(CompletionReference::prompt("count"), "n", "", &[])
        .await
        .expect("completion");
    assert_eq!(many.completion.values.len(), 100, "{era}: capped at 100");
    assert_eq!(many.completion.values[0], "0");
    assert_eq!(many.completion.total, Some(250));
    assert_eq!(many.completion.has_more, Some(true));
    let own = client
        .complete(CompletionReference::prompt("count"), "sample", "", &[])
        .await
        .expect("completion");
    assert_eq!(
        (own.completion.total, own.completion.has_more),
        (Some(5000), Some(true))
    );
    let dirs = client
        .complete(
            CompletionReference::resource(DOCS),
            "dir",
            "g",
            &[("name", "x")],
        )
        .await
        .expect("template completion");
    assert_eq!(values(&dirs.completion), ["guides", "games"], "{era}");
    let names = client
        .complete(CompletionReference::resource(DOCS), "name", "", &[])
        .await
        .expect("template completion");
    assert!(names.completion.values.is_empty());
    for (reference, argument) in [
        (CompletionReference::prompt("nope"), "who"),
        (CompletionReference::prompt("greet"), "nobody"),
        (CompletionReference::resource("file:///nope/{x}"), "x"),
        (CompletionReference::resource(DOCS), "nobody"),
        // A fixed resource is not a template.
        (CompletionReference::resource("memo://a"), "x"),
    ] {
        let error = client
            .complete(reference.clone(), argument, "", &[])
            .await
            .expect_err("unknown reference");
        assert_eq!(code_of(&error), -32602, "{era}: {reference:?} {argument}");
    }
}

async fn list_page(client: &Client, request: ClientRequest) -> Result<Value, ClientError> {
    client
        .request(request, RequestOptions::new())
        .await?
        .decode::<Value>()
        .map_err(|error| ClientError::Decode(error.to_string()))
}

fn cursor(cursor: &str) -> Option<PaginatedRequestParams> {
    Some(PaginatedRequestParams::from_cursor(cursor))
}

async fn check_pagination(client: &Client, observed: &Observed, era: &str) {
    let before = observed.tool_listings.load(Ordering::SeqCst);
    let tools = client.list_tools().await.expect("tools/list");
    let mut names: Vec<_> = tools.tools.iter().map(|tool| tool.name.as_str()).collect();
    names.sort_unstable();
    assert_eq!(names, ["secret", "t1", "t2", "t3", "t4"], "{era}");
    assert_eq!(
        observed.tool_listings.load(Ordering::SeqCst) - before,
        3,
        "{era}: five tools two to a page are three requests"
    );
    let resources = client.list_resources().await.expect("resources/list");
    assert_eq!(resources.len(), 3, "{era}");
    let templates = client.list_resource_templates().await.expect("templates");
    let uris: Vec<_> = templates.iter().map(|t| t.uri_template.as_str()).collect();
    assert_eq!(
        uris,
        [DOCS, "file:///logs/{day}", "file:///notes/{id}"],
        "{era}"
    );
    let prompts = client.list_prompts().await.expect("prompts/list");
    assert_eq!(prompts.len(), 3, "{era}");

    let first = list_page(client, ClientRequest::ListTools(None))
        .await
        .expect("page");
    assert_eq!(first["tools"].as_array().map(Vec::len), Some(2), "{era}");
    let next = first["nextCursor"].as_str().expect("a cursor").to_string();
    let second = list_page(client, ClientRequest::ListTools(cursor(&next)))
        .await
        .expect("page two");
    assert_eq!(second["tools"].as_array().map(Vec::len), Some(2));
    assert_ne!(first["tools"][0]["name"], second["tools"][0]["name"]);
    for request in [
        ClientRequest::ListTools(cursor("not a cursor")),
        ClientRequest::ListTools(cursor("")),
        // A cursor of another listing.
        ClientRequest::ListPrompts(cursor(&next)),
        ClientRequest::ListResources(cursor(&next)),
    ] {
        let method = request.method().to_string();
        let error = list_page(client, request).await.expect_err("a bad cursor");
        assert_eq!(code_of(&error), -32602, "{era}: {method}");
    }
}

async fn check_vendor_methods(client: &Client, era: &str) {
    #[derive(Deserialize, Debug, PartialEq)]
    struct Layered {
        nodes: u32,
        era: String,
        layered: bool,
    }
    let stats: Layered = client
        .request_custom("acme/stats", &json!({"depth": 21}))
        .await
        .expect("a vendor result");
    assert_eq!(
        stats,
        Layered {
            nodes: 42,
            era: era.into(),
            layered: true
        }
    );
    let error = client
        .request_custom::<_, Value>("acme/stats", &json!({"depth": "deep"}))
        .await
        .expect_err("bad params");
    assert_eq!(code_of(&error), -32602, "{era}");
    let error = client
        .request_custom::<_, Value>("acme/refuse", &json!({}))
        .await
        .expect_err("the handler's error");
    assert_eq!(code_of(&error), FORBIDDEN, "{era}");
    let error = client
        .request_custom::<_, Value>("acme/unknown", &json!({}))
        .await
        .expect_err("not offered");
    assert_eq!(code_of(&error), -32601, "{era}");
    let refused = client
        .request_custom::<_, Value>("acme/stats", &json!([1]))
        .await
        .expect_err("params must be an object");
    assert!(matches!(refused, ClientError::Failed(_)), "{refused:?}");
}

async fn check_layers(client: &Client, observed: &Observed, era: &str) {
    let before = observed.requests.load(Ordering::SeqCst);
    observed.order.lock().expect("order").clear();
    let echoed = client
        .call_tool("t1", json!({"text": "hi"}))
        .await
        .expect("t1");
    assert!(!echoed.content.is_empty());
    assert_eq!(
        *observed.order.lock().expect("order"),
        ["second>", "third>", "<third", "<second"],
        "{era}: registration order, first registered outermost"
    );
    let refused = client
        .call_tool("secret", json!({"text": "hi"}))
        .await
        .expect_err("refused by a layer");
    assert_eq!(code_of(&refused), FORBIDDEN, "{era}");
    assert!(refused.to_string().contains("Forbidden"), "{refused}");
    assert!(
        !observed.secret_ran.load(Ordering::SeqCst),
        "{era}: the handler never ran"
    );
    client
        .read_resource("memo://a")
        .await
        .expect("resources/read");
    assert_eq!(
        observed.requests.load(Ordering::SeqCst) - before,
        3,
        "{era}: every request reached the outermost layer, the refused one too"
    );
}

/// An unknown URI is an error naming the URI in `data` (SEP-2164): -32002 on a
/// 2025-11-25 session, -32602 at 2026-07-28, which dropped the dedicated code.
async fn check_missing_resource(client: &Client, era: &str) {
    let error = client
        .read_resource("memo://nowhere")
        .await
        .expect_err("no such resource");
    let ClientError::Rpc(error) = &error else {
        panic!("{era}: not a JSON-RPC error: {error}");
    };
    let expected = if era == "legacy" { -32002 } else { -32602 };
    assert_eq!(error.code.0, expected, "{era}");
    let data: Value = error
        .data
        .as_ref()
        .and_then(|data| serde_json::from_str(data.get()).ok())
        .expect("data");
    assert_eq!(data["uri"], "memo://nowhere", "{era}");
}

/// Every check in both eras over an in-process `link`, with the layers watched.
async fn watched_both_eras(harness: &dyn Harness, link: Link) {
    let observed = Arc::new(Observed::default());
    let server = features_server(Some(2), &observed);
    for (mode, era) in ERAS {
        let connection = connect(harness, link, Target::Server(&server), config(mode)).await;
        let client = &connection.client;
        // The handshake or discovery is the core's: no layer saw it.
        assert_eq!(
            observed.requests.load(Ordering::SeqCst),
            0,
            "{link:?} {era}"
        );
        in_time(harness, LIMIT, era, async {
            check_layers(client, &observed, era).await;
            check_completions(client, era).await;
            check_pagination(client, &observed, era).await;
            check_vendor_methods(client, era).await;
            check_missing_resource(client, era).await;
        })
        .await;
        connection.close().await;
        observed.requests.store(0, Ordering::SeqCst);
    }
}

/// Layers, completions, pages, vendor methods and a missing resource, in memory, both eras.
pub async fn in_memory_both_eras(harness: &dyn Harness) {
    watched_both_eras(harness, Link::InMemory).await;
}

/// Layers, completions, pages, vendor methods and a missing resource over HTTP, both eras.
pub async fn streamable_http_both_eras(harness: &dyn Harness) {
    watched_both_eras(harness, Link::Http).await;
}

/// Completions, vendor methods, every page and a layer's refusal, over a child, both eras.
pub async fn child_process_both_eras(harness: &dyn Harness) {
    for (mode, era) in ERAS {
        let connection = connect(
            harness,
            Link::ChildStdio,
            Target::Fixture(&FEATURES_SERVER),
            config(mode),
        )
        .await;
        let client = &connection.client;
        in_time(harness, LIMIT, era, async {
            check_completions(client, era).await;
            check_vendor_methods(client, era).await;
            let tools = client.list_tools().await.expect("every page");
            assert_eq!(tools.tools.len(), 5, "{era}");
            let error = client
                .call_tool("secret", json!({"text": "x"}))
                .await
                .expect_err("refused by a layer");
            assert_eq!(code_of(&error), FORBIDDEN, "{era}");
        })
        .await;
        connection.close().await;
    }
}

/// A default server lists on one page, offers no completions or vendor methods; every link.
pub async fn defaults_list_on_one_page_and_offer_no_completions(harness: &dyn Harness) {
    for link in Link::ALL {
        for (mode, era) in ERAS {
            let connection =
                connect(harness, link, Target::Fixture(&PLAIN_SERVER), config(mode)).await;
            let client = &connection.client;
            in_time(harness, LIMIT, era, async {
                let page = list_page(client, ClientRequest::ListTools(None))
                    .await
                    .expect("page");
                assert_eq!(
                    page["tools"].as_array().map(Vec::len),
                    Some(3),
                    "{link:?} {era}"
                );
                assert!(page.get("nextCursor").is_none(), "{link:?} {era}");
                let capabilities = client.server_capabilities().expect("negotiated");
                assert!(capabilities.completions.is_none(), "{link:?} {era}");
                let error = client
                    .complete(CompletionReference::prompt("plain"), "x", "", &[])
                    .await
                    .expect_err("no completions offered");
                assert_eq!(code_of(&error), -32601, "{link:?} {era}");
                let error = client
                    .request_custom::<_, Value>("acme/stats", &json!({"depth": 1}))
                    .await
                    .expect_err("no vendor methods");
                assert_eq!(code_of(&error), -32601, "{link:?} {era}");
            })
            .await;
            connection.close().await;
        }
    }
}
