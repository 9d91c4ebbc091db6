//! `bench [--quick] [--only <section>] [--no-callgrind]`: runs every comparison of our
//! MCP implementation with rmcp 3.11.0 and prints one markdown table on stdout
//! (progress goes to stderr). See the crate's README for what each row measures.

use std::process::ExitCode;

use mcp_bench::process::{can_pin, server_binary};
use mcp_bench::sections::{http, in_memory, instructions, session_memory, stdio};
use mcp_bench::settings::{Section, Settings};
use mcp_bench::table::Table;

fn main() -> ExitCode {
    let settings = match Settings::parse(std::env::args().skip(1)) {
        Ok(settings) => settings,
        Err(error) => {
            eprintln!("bench: {error}");
            eprintln!(
                "usage: bench [--quick] [--only in-memory|stdio|http|session-memory|instructions] [--no-callgrind]"
            );
            return ExitCode::from(2);
        }
    };
    let server = match server_binary() {
        Ok(server) => server,
        Err(error) => {
            eprintln!("bench: {error}");
            return ExitCode::FAILURE;
        }
    };
    let pinned = can_pin();
    let mut table = Table::default();
    if !pinned {
        table.note("taskset or a second core is missing: server and load generator are not pinned");
    }
    for section in Section::ALL {
        if !settings.runs(section) {
            continue;
        }
        eprintln!("== {}", section.name());
        match section {
            Section::InMemory => in_memory::run(&settings, &mut table),
            Section::Stdio => stdio::run(&settings, &mut table, &server),
            Section::Http => http::run(&settings, &mut table, &server, pinned),
            Section::SessionMemory => session_memory::run(&settings, &mut table, &server, pinned),
            Section::Instructions => instructions::run(&settings, &mut table, &server),
        }
    }
    if settings.quick {
        table.note("--quick: short warm-ups and windows, a smoke run only");
    }
    println!("{}", table.markdown());
    ExitCode::SUCCESS
}
