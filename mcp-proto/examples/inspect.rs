//! Reads JSON-RPC messages, one per line, and prints for each its kind, its method (or
//! id) and whether it is valid under 2025-11-25 and under 2026-07-28 — and if not, the
//! exact JSON-RPC error the receiver must answer with.
//!
//! ```text
//! cargo run -p mcp-proto --example inspect                      # built-in samples
//! cargo run -p mcp-proto --example inspect < messages.jsonl     # your own
//! cargo run -p mcp-proto --example inspect -- --answering tools/list < results.jsonl
//! ```
//!
//! Requests and notifications are checked in the direction their method implies
//! (`sampling/createMessage`, `roots/list`, `elicitation/create` and the server's
//! notifications travel server to client; everything else client to server).
//! `--answering METHOD` tells which request responses answer.

use std::io::{BufRead, IsTerminal, Read};

use mcp_proto::framing::{FrameError, LineDecoder};
use mcp_proto::jsonrpc::Message;
use mcp_proto::types::{Method, Sender};
use mcp_proto::validate::{Context, Direction, validate};
use mcp_proto::version::{Era, ProtocolVersion};

const SAMPLES: &str = include_str!("sample.jsonl");

/// Server to client when only servers send the method (in either revision); the core's
/// method table decides, so the example knows no protocol rule of its own.
fn direction_of(message: &Message) -> Direction {
    let sent_by = |method: Method, sender| Era::ALL.iter().any(|era| method.sent_by(sender, *era));
    match message.method().and_then(Method::parse) {
        Some(method) if sent_by(method, Sender::Server) && !sent_by(method, Sender::Client) => {
            Direction::ServerToClient
        }
        Some(_) => Direction::ClientToServer,
        // Unknown methods go client to server; responses answer a client's request.
        None if message.method().is_some() => Direction::ClientToServer,
        None => Direction::ServerToClient,
    }
}

fn describe(message: &Message) -> String {
    let kind = format!("{:?}", message.kind()).to_lowercase();
    match (message.method(), message.id()) {
        (Some(method), Some(id)) => format!("{kind:<12} {method:<28} id={id}"),
        (Some(method), None) => format!("{kind:<12} {method:<28}"),
        (None, Some(id)) => format!("{kind:<12} {:<28} id={id}", "-"),
        (None, None) => format!("{kind:<12} {:<28}", "-"),
    }
}

fn verdict(message: &Message, version: &ProtocolVersion, context: &Context<'_>) -> String {
    match validate(message, direction_of(message), version, Some(context)) {
        Ok(()) => "ok".to_string(),
        Err(violation) => format!(
            "{} ({}: {})",
            violation.code().0,
            violation.rule,
            violation.error.message
        ),
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let answering = args
        .iter()
        .position(|arg| arg == "--answering")
        .and_then(|at| args.get(at + 1))
        .cloned();
    let context = Context {
        answering: answering.as_deref(),
        tasks_extension: false,
    };

    let mut input = Vec::new();
    if std::io::stdin().is_terminal() {
        println!("(no input piped: inspecting the built-in samples)");
        input.extend_from_slice(SAMPLES.as_bytes());
    } else {
        let mut stdin = std::io::stdin().lock();
        if stdin.fill_buf().map(|b| b.is_empty()).unwrap_or(true) {
            input.extend_from_slice(SAMPLES.as_bytes());
        } else if let Err(error) = stdin.read_to_end(&mut input) {
            eprintln!("cannot read stdin: {error}");
            std::process::exit(1);
        }
    }

    let mut decoder = LineDecoder::default();
    decoder.push(&input);
    decoder.finish();
    let versions = [ProtocolVersion::V2025_11_25, ProtocolVersion::V2026_07_28];
    let mut line = 0;
    while let Some(next) = decoder.next_message() {
        line += 1;
        match next {
            Ok(message) => {
                println!("{line:>3}  {}", describe(&message));
                for version in &versions {
                    println!("       {version}: {}", verdict(&message, version, &context));
                }
            }
            Err(FrameError::Decode(error)) => println!(
                "{line:>3}  undecodable: {error} -> answer {} ({})",
                error.code().0,
                error.to_error_object().message
            ),
            Err(error) => println!("{line:>3}  refused: {error}"),
        }
    }
}
