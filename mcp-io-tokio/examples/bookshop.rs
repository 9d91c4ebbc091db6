//! The bookshop: `search_books(query)` and `reserve(title)`, where `reserve` asks the user
//! how many copies through era-portable elicitation (a live `elicitation/create` request
//! on a 2025-11-25 session, an "input required" round at 2026-07-28; one handler body).
//!
//! ```sh
//! cargo run --example bookshop             # in memory: a legacy and a modern client
//! cargo run --example bookshop -- --stdio  # serve on stdin/stdout
//! cargo run --example bookshop -- --http 127.0.0.1:8000   # Streamable HTTP (both eras)
//! ```

use std::time::Duration;

use mcp_io_tokio::mcp_driver::client::{Client, ClientHandlers};
use mcp_io_tokio::mcp_driver::server::{Context, Server, Tool, ToolError};
use mcp_io_tokio::mcp_proto::client::{ClientConfig, ClientMode};
use mcp_io_tokio::mcp_proto::types::{
    CallToolResult, ClientCapabilities, ElicitAction, ElicitRequestParams, ElicitResult,
    ElicitationCapability, Implementation,
};
use serde::Deserialize;
use serde_json::json;

const BOOKS: [(&str, &str); 4] = [
    ("Dune", "Frank Herbert"),
    ("The Left Hand of Darkness", "Ursula K. Le Guin"),
    ("Neuromancer", "William Gibson"),
    ("Hyperion", "Dan Simmons"),
];

#[derive(Deserialize, schemars::JsonSchema)]
struct Search {
    /// Words to look for in titles and authors.
    query: String,
}

#[derive(Deserialize, schemars::JsonSchema)]
struct Reserve {
    /// The exact title of the book.
    title: String,
}

async fn search_books(args: Search, _ctx: Context) -> Result<CallToolResult, ToolError> {
    let query = args.query.to_lowercase();
    let found: Vec<String> = BOOKS
        .iter()
        .filter(|(title, author)| {
            title.to_lowercase().contains(&query) || author.to_lowercase().contains(&query)
        })
        .map(|(title, author)| format!("{title} by {author}"))
        .collect();
    Ok(CallToolResult::text(if found.is_empty() {
        String::from("No books found")
    } else {
        found.join("\n")
    }))
}

async fn reserve(args: Reserve, ctx: Context) -> Result<CallToolResult, ToolError> {
    if !BOOKS.iter().any(|(title, _)| *title == args.title) {
        return Err(ToolError::failed(format!("We do not stock {}", args.title)));
    }
    let question: ElicitRequestParams = serde_json::from_value(json!({
        "mode": "form",
        "message": format!("How many copies of {} would you like?", args.title),
        "requestedSchema": {
            "type": "object",
            "properties": {"copies": {"type": "integer", "minimum": 1, "maximum": 5}},
            "required": ["copies"]
        }
    }))?;
    // A live request at 2025-11-25; "input required" and a re-run at 2026-07-28.
    let answer = ctx.elicit(question).await?;
    let copies = answer
        .content
        .as_ref()
        .and_then(|content| content.get("copies"))
        .and_then(|value| serde_json::to_value(value).ok())
        .and_then(|value| value.as_u64());
    Ok(CallToolResult::text(match (answer.action, copies) {
        (ElicitAction::Accept, Some(copies)) => {
            format!("Reserved {copies} copies of {}", args.title)
        }
        _ => format!("No reservation made for {}", args.title),
    }))
}

fn bookshop() -> Server {
    Server::builder(Implementation::new("bookshop", "1.0.0"))
        .instructions("Search the catalogue with search_books, then reserve a title.")
        .tool(Tool::typed(
            "search_books",
            "Finds books by title or author",
            search_books,
        ))
        .tool(Tool::typed("reserve", "Reserves copies of a book", reserve))
        .build()
}

fn customer(mode: ClientMode) -> (ClientConfig, ClientHandlers) {
    let capabilities =
        ClientCapabilities::default().with_elicitation(ElicitationCapability::default());
    let config = ClientConfig::new(Implementation::new("bookshop-customer", "1.0.0"))
        .with_mode(mode)
        .with_capabilities(capabilities);
    // The "user" answers every question with two copies.
    let handlers = ClientHandlers::new().on_elicit(|question| async move {
        println!("    (asked: {})", question_text(&question));
        serde_json::from_value(json!({"action": "accept", "content": {"copies": 2}}))
            .unwrap_or_else(|_| ElicitResult::new(ElicitAction::Decline))
    });
    (config, handlers)
}

fn question_text(question: &ElicitRequestParams) -> String {
    serde_json::to_value(question)
        .ok()
        .and_then(|value| {
            value
                .get("message")
                .and_then(|m| m.as_str().map(String::from))
        })
        .unwrap_or_default()
}

async fn shop(label: &str, client: &Client) -> Result<(), Box<dyn std::error::Error>> {
    let version = client
        .protocol_version()
        .map(|v| v.to_string())
        .unwrap_or_default();
    println!(
        "{label}: speaking {version} with {}",
        client.server_info().map(|i| i.name).unwrap_or_default()
    );
    let tools = client.list_tools().await?;
    let names: Vec<&str> = tools.tools.iter().map(|tool| tool.name.as_str()).collect();
    println!("  tools: {}", names.join(", "));
    let found = client
        .call_tool("search_books", json!({"query": "dune"}))
        .await?;
    println!("  search_books(dune) -> {}", text_of(&found));
    let reserved = client
        .call_tool("reserve", json!({"title": "Dune"}))
        .await?;
    println!("  reserve(Dune) -> {}", text_of(&reserved));
    Ok(())
}

fn text_of(result: &CallToolResult) -> String {
    serde_json::to_value(result)
        .ok()
        .and_then(|value| value["content"][0]["text"].as_str().map(String::from))
        .unwrap_or_default()
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let server = bookshop();
    let arguments: Vec<String> = std::env::args().skip(1).collect();
    match arguments.first().map(String::as_str) {
        Some("--stdio") => {
            mcp_io_tokio::serve_stdio(&server).await?;
        }
        Some("--http") => {
            let addr = arguments
                .get(1)
                .map_or("127.0.0.1:8000", String::as_str)
                .parse()?;
            let http = mcp_io_tokio::http::HttpServer::bind(&server, addr).await?;
            eprintln!("bookshop on http://{}/mcp", http.local_addr()?);
            http.run().await?;
        }
        None => {
            for (label, mode) in [
                ("legacy client", ClientMode::Legacy),
                ("modern client", ClientMode::Auto),
            ] {
                let (config, handlers) = customer(mode);
                let client = mcp_io_tokio::connect_in_memory(&server, config, handlers).await?;
                tokio::time::timeout(Duration::from_secs(10), shop(label, &client)).await??;
            }
        }
        Some(other) => {
            eprintln!(
                "unknown argument {other}; use no argument (in memory), --stdio or --http ADDR"
            );
            std::process::exit(2);
        }
    }
    Ok(())
}
