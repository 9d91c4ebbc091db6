//! (c) Streamable HTTP: requests per second and p50/p99 latency at 1, 16 and 64
//! connections, on the 2026-07-28 stateless path and the 2025-11-25 session path, with
//! the server pinned to core 0 and the load generator to core 1.

use std::path::Path;

use crate::load::{self, HttpPath, LoadError, LoadReport, LoadShape};
use crate::process::{HttpProcess, Launch, on_generator_core};
use crate::serve::{Sdk, Transport};
use crate::settings::Settings;
use crate::table::{Cell, Row, Table, Target, Unit};

/// The connection counts measured.
const CONNECTIONS: [usize; 3] = [1, 16, 64];

/// The paths measured, with their row labels.
const PATHS: [(HttpPath, &str); 2] = [
    (HttpPath::Modern, "2026-07-28 stateless"),
    (HttpPath::Legacy, "2025-11-25 session"),
];

/// One SDK's reports, path by path and connection count by connection count.
type Reports = Vec<Result<LoadReport, String>>;

/// Adds the HTTP rows.
pub fn run(settings: &Settings, table: &mut Table, server: &Path, pinned: bool) {
    let ours = measure(settings, table, server, Sdk::Ours, pinned);
    let reference = measure(settings, table, server, Sdk::Reference, pinned);
    floor(settings, table, server, pinned, reference.first());
    let mut index = 0;
    for (_, path_label) in PATHS {
        for connections in CONNECTIONS {
            let (ours, reference) = (&ours[index], &reference[index]);
            index += 1;
            let label = format!("HTTP {path_label}, {connections} conn");
            let cell =
                |report: &Result<LoadReport, String>, pick: fn(&LoadReport) -> f64| match report {
                    Ok(report) => Cell::Value(pick(report)),
                    Err(reason) => Cell::Missing(reason.clone()),
                };
            table.push(Row {
                label: format!("{label}: tools/call"),
                unit: Unit::PerSecond,
                ours: cell(ours, LoadReport::rate),
                reference: cell(reference, LoadReport::rate),
                target: Target::RatioAtLeast(2.0),
            });
            table.push(Row {
                label: format!("{label}: p50 latency"),
                unit: Unit::Micros,
                ours: cell(ours, |report| report.micros_at(0.5)),
                reference: cell(reference, |report| report.micros_at(0.5)),
                target: Target::None,
            });
            table.push(Row {
                label: format!("{label}: p99 latency"),
                unit: Unit::Micros,
                ours: cell(ours, |report| report.micros_at(0.99)),
                reference: cell(reference, |report| report.micros_at(0.99)),
                target: Target::RatioAtMost(1.0),
            });
            for (sdk, report) in [(Sdk::Ours, ours), (Sdk::Reference, reference)] {
                if let Ok(report) = report
                    && report.failures > 0
                {
                    table.note(format!(
                        "{label}: {} answered {} calls with a non-200 status",
                        sdk.argument(),
                        report.failures
                    ));
                }
            }
        }
    }
}

/// Every (path, connections) measurement of one SDK against one server process.
fn measure(
    settings: &Settings,
    table: &mut Table,
    server: &Path,
    sdk: Sdk,
    pinned: bool,
) -> Reports {
    let every = |reason: String| {
        (0..PATHS.len() * CONNECTIONS.len())
            .map(|_| Err(reason.clone()))
            .collect()
    };
    let launch = Launch {
        binary: server.to_path_buf(),
        sdk,
        transport: Transport::Http,
        pinned,
        callgrind_output: None,
    };
    let process = match HttpProcess::start(&launch) {
        Ok(process) => process,
        Err(error) => return every(format!("failed: {error}")),
    };
    let addr = process.addr;
    let mut reports = Vec::new();
    for (path, _) in PATHS {
        let served = match path {
            HttpPath::Modern => Ok(()),
            HttpPath::Legacy => on_generator_core(pinned, move || probe_session(addr))
                .map_err(|error| LoadError::Failed(error.to_string()))
                .and_then(|result| result),
        };
        for connections in CONNECTIONS {
            let shape = LoadShape {
                connections,
                warmup: settings.warmup(),
                window: settings.duration(),
            };
            let report = match &served {
                Err(LoadError::Refused(status)) => {
                    Err(format!("not served yet (initialize → {})", status.as_u16()))
                }
                Err(error) => Err(format!("failed: {error}")),
                Ok(()) => on_generator_core(pinned, move || load::run(addr, path, shape))
                    .map_err(|error| error.to_string())
                    .and_then(|result| result.map_err(|error| error.to_string()))
                    .map_err(|reason| format!("failed: {reason}")),
            };
            reports.push(report);
        }
    }
    if let Err(error) = process.stop() {
        table.note(format!(
            "stopping the {} HTTP server: {error}",
            sdk.argument()
        ));
    }
    reports
}

/// Notes what a server with no MCP at all ([`Sdk::Floor`]) makes on the 2026-07-28 path
/// at one connection, against `reference` (rmcp's report there): the most any server on
/// this accept loop can make at that row.
fn floor(
    settings: &Settings,
    table: &mut Table,
    server: &Path,
    pinned: bool,
    reference: Option<&Result<LoadReport, String>>,
) {
    let launch = Launch {
        binary: server.to_path_buf(),
        sdk: Sdk::Floor,
        transport: Transport::Http,
        pinned,
        callgrind_output: None,
    };
    let process = match HttpProcess::start(&launch) {
        Ok(process) => process,
        Err(error) => return table.note(format!("the HTTP floor did not start: {error}")),
    };
    let addr = process.addr;
    let shape = LoadShape {
        connections: 1,
        warmup: settings.warmup(),
        window: settings.duration(),
    };
    let report = on_generator_core(pinned, move || load::run(addr, HttpPath::Modern, shape));
    let _ = process.stop();
    match (report, reference) {
        (Ok(Ok(floor)), Some(Ok(reference))) => table.note(format!(
            "HTTP floor (the same accept loop answering a fixed JSON body, no MCP), 1 conn: \
             {:.0}/s, p50 {:.0} µs: {:.2}× rmcp's 2026-07-28 row",
            floor.rate(),
            floor.micros_at(0.5),
            floor.rate() / reference.rate()
        )),
        (Ok(Ok(floor)), _) => table.note(format!(
            "HTTP floor (no MCP), 1 conn: {:.0}/s, p50 {:.0} µs",
            floor.rate(),
            floor.micros_at(0.5)
        )),
        (Ok(Err(error)), _) => table.note(format!("the HTTP floor failed: {error}")),
        (Err(error), _) => table.note(format!("the HTTP floor failed: {error}")),
    }
}

/// Opens one legacy session: `Refused` when the server answers `initialize` with an
/// error status (our session path is not there yet).
pub async fn probe_session(addr: std::net::SocketAddr) -> Result<(), LoadError> {
    let requests = load::Requests::new(addr)?;
    let mut connection = load::connect(addr).await?;
    load::open_session(&mut connection, &requests)
        .await
        .map(drop)
}
