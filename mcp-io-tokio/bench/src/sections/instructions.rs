//! (e) Instructions the server executes per `tools/call echo`, counted by callgrind: the
//! server runs under `valgrind --tool=callgrind` twice, once serving a baseline of calls
//! and once serving the baseline plus N more; (total₂ − total₁) / N is the cost of one
//! call with start-up, the handshake and shutdown cancelled out.

use std::io::{self, BufRead as _, BufReader, Write as _};
use std::path::{Path, PathBuf};
use std::process::Stdio;

use crate::load::{self, HttpPath, LoadError};
use crate::process::{HttpProcess, Launch, on_generator_core};
use crate::serve::{Sdk, Transport};
use crate::settings::Settings;
use crate::table::{Cell, Row, Table, Target, Unit};
use crate::wire;

/// One way of reaching the server.
#[derive(Clone, Copy, Debug)]
enum Route {
    Stdio(HttpPath),
    Http(HttpPath),
}

impl Route {
    const ALL: [Route; 4] = [
        Route::Http(HttpPath::Modern),
        Route::Http(HttpPath::Legacy),
        Route::Stdio(HttpPath::Modern),
        Route::Stdio(HttpPath::Legacy),
    ];

    fn label(self) -> &'static str {
        match self {
            Route::Http(HttpPath::Modern) => "HTTP 2026-07-28 stateless",
            Route::Http(HttpPath::Legacy) => "HTTP 2025-11-25 session",
            Route::Stdio(HttpPath::Modern) => "stdio 2026-07-28",
            Route::Stdio(HttpPath::Legacy) => "stdio 2025-11-25",
        }
    }
}

/// Adds the instruction rows (skipped when valgrind is missing).
pub fn run(settings: &Settings, table: &mut Table, server: &Path) {
    if std::process::Command::new("valgrind")
        .arg("--version")
        .stdout(Stdio::null())
        .status()
        .is_err()
    {
        return table.note("instructions per call: valgrind is not installed; skipped");
    }
    for route in Route::ALL {
        let cell = |sdk| match per_call(settings, server, sdk, route) {
            Ok(instructions) => Cell::Value(instructions),
            Err(LoadError::Refused(status)) => {
                Cell::Missing(format!("not served yet (initialize → {})", status.as_u16()))
            }
            Err(error) => Cell::Missing(format!("failed: {error}")),
        };
        let ours = cell(Sdk::Ours);
        let reference = cell(Sdk::Reference);
        table.push(Row {
            label: format!("server instructions per call, {}", route.label()),
            unit: Unit::Instructions,
            ours,
            reference,
            target: Target::RatioAtMost(1.0 / 3.0),
        });
    }
}

fn per_call(settings: &Settings, server: &Path, sdk: Sdk, route: Route) -> Result<f64, LoadError> {
    let baseline = settings.baseline_calls();
    let counted = settings.counted_calls();
    let first = total(server, sdk, route, baseline)?;
    let second = total(server, sdk, route, baseline + counted)?;
    Ok(second.saturating_sub(first) as f64 / counted as f64)
}

/// The instructions of one whole server run that served `calls` calls.
fn total(server: &Path, sdk: Sdk, route: Route, calls: u64) -> Result<u64, LoadError> {
    let failed = |error: io::Error| LoadError::Failed(error.to_string());
    let output = output_file(sdk, route);
    let transport = match route {
        Route::Stdio(_) => Transport::Stdio,
        Route::Http(_) => Transport::Http,
    };
    let launch = Launch {
        binary: server.to_path_buf(),
        sdk,
        transport,
        pinned: false,
        callgrind_output: Some(output.clone()),
    };
    match route {
        Route::Stdio(path) => serve_stdio_calls(&launch, path, calls).map_err(failed)?,
        Route::Http(path) => {
            let process = HttpProcess::start(&launch).map_err(failed)?;
            let addr = process.addr;
            let driven = on_generator_core(false, move || async move {
                let requests = load::Requests::new(addr)?;
                let mut connection = load::connect(addr).await?;
                let session = match path {
                    HttpPath::Modern => None,
                    HttpPath::Legacy => Some(load::open_session(&mut connection, &requests).await?),
                };
                load::call_sequentially(&mut connection, &requests, path, session.as_ref(), calls)
                    .await
            })
            .map_err(failed)
            .and_then(|result| result);
            process.stop().map_err(failed)?;
            driven?;
        }
    }
    let totals = read_totals(&output).map_err(failed);
    let _ = std::fs::remove_file(&output);
    totals
}

fn output_file(sdk: Sdk, route: Route) -> PathBuf {
    std::env::temp_dir().join(format!(
        "mcp-bench-{}-{}-{:?}.callgrind",
        std::process::id(),
        sdk.argument(),
        route
    ))
}

/// Writes the requests as lines to a stdio server and reads an answer to each.
fn serve_stdio_calls(launch: &Launch, path: HttpPath, calls: u64) -> io::Result<()> {
    let mut child = launch
        .command()
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()?;
    let (Some(mut stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
        return Err(io::Error::other("stdio not piped"));
    };
    let mut stdout = BufReader::new(stdout);
    let mut exchange = |line: &str, answered: bool| -> io::Result<()> {
        stdin.write_all(line.as_bytes())?;
        stdin.write_all(b"\n")?;
        stdin.flush()?;
        if answered {
            read_response(&mut stdout)?;
        }
        Ok(())
    };
    let call = match path {
        HttpPath::Modern => wire::modern_call(),
        HttpPath::Legacy => {
            exchange(&wire::legacy_initialize(), true)?;
            exchange(&wire::legacy_initialized(), false)?;
            wire::legacy_call()
        }
    };
    for _ in 0..calls {
        exchange(&call, true)?;
    }
    drop(stdin);
    let status = child.wait()?;
    if status.success() {
        Ok(())
    } else {
        Err(io::Error::other(format!(
            "the stdio server exited with {status}"
        )))
    }
}

/// Reads lines until a response (a message with an `id` and a `result` or `error`).
fn read_response(stdout: &mut impl io::BufRead) -> io::Result<()> {
    let mut line = String::new();
    loop {
        line.clear();
        if stdout.read_line(&mut line)? == 0 {
            return Err(io::Error::other("the stdio server closed its output"));
        }
        let message: serde_json::Value = serde_json::from_str(&line).map_err(io::Error::other)?;
        if message.get("error").is_some() {
            return Err(io::Error::other(format!(
                "the server answered {}",
                line.trim()
            )));
        }
        if message.get("id").is_some() && message.get("result").is_some() {
            return Ok(());
        }
    }
}

/// The `totals:` (or `summary:`) line of a callgrind output file.
fn read_totals(output: &Path) -> io::Result<u64> {
    let file = BufReader::new(std::fs::File::open(output)?);
    let mut summary = None;
    for line in file.lines() {
        let line = line?;
        let value = line
            .strip_prefix("totals:")
            .or_else(|| line.strip_prefix("summary:"));
        if let Some(value) = value
            && let Some(first) = value.split_whitespace().next()
        {
            summary = first.parse().ok();
        }
    }
    summary.ok_or_else(|| io::Error::other(format!("no totals in {}", output.display())))
}
