//! (d) Resident memory per idle 2025-11-25 session: `VmRSS` of the server process before
//! and after opening 1,000 sessions (`initialize` + `notifications/initialized`, then
//! nothing), divided by the number of sessions.

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use crate::load::{self, LoadError};
use crate::process::{HttpProcess, Launch, on_generator_core, resident_kib};
use crate::serve::{Sdk, Transport};
use crate::settings::Settings;
use crate::table::{Cell, Row, Table, Target, Unit};

/// Sessions opened (and left idle) before the first reading, to warm the allocator.
const WARM_SESSIONS: usize = 20;

/// Connections the sessions are opened over (sessions outlive them).
const CONNECTIONS: usize = 10;

/// Time given to the server to settle before each reading.
const SETTLE: Duration = Duration::from_millis(500);

/// Adds the memory row.
pub fn run(settings: &Settings, table: &mut Table, server: &Path, pinned: bool) {
    let sessions = settings.sessions();
    let measure = |sdk| match measure(server, sdk, sessions, pinned) {
        Ok(kib) => Cell::Value(kib),
        Err(LoadError::Refused(status)) => {
            Cell::Missing(format!("not served yet (initialize → {})", status.as_u16()))
        }
        Err(error) => Cell::Missing(format!("failed: {error}")),
    };
    let ours = measure(Sdk::Ours);
    let reference = measure(Sdk::Reference);
    table.push(Row {
        label: format!("memory per idle 2025-11-25 HTTP session ({sessions} sessions)"),
        unit: Unit::KiB,
        ours,
        reference,
        target: Target::OursAtMost(4.0),
    });
}

fn measure(server: &Path, sdk: Sdk, sessions: usize, pinned: bool) -> Result<f64, LoadError> {
    let failed = |error: std::io::Error| LoadError::Failed(error.to_string());
    let launch = Launch {
        binary: server.to_path_buf(),
        sdk,
        transport: Transport::Http,
        pinned,
        callgrind_output: None,
    };
    let process = HttpProcess::start(&launch).map_err(failed)?;
    let (addr, pid) = (process.addr, process.pid());
    let result = on_generator_core(pinned, move || async move {
        open_sessions(addr, WARM_SESSIONS).await?;
        tokio::time::sleep(SETTLE).await;
        let before = resident_kib(pid).map_err(failed)?;
        open_sessions(addr, sessions).await?;
        tokio::time::sleep(SETTLE).await;
        let after = resident_kib(pid).map_err(failed)?;
        Ok(after.saturating_sub(before) as f64 / sessions as f64)
    })
    .map_err(failed)
    .and_then(|result| result);
    let _ = process.stop();
    result
}

/// Opens `sessions` sessions over [`CONNECTIONS`] connections, then closes the
/// connections (the sessions stay).
async fn open_sessions(addr: SocketAddr, sessions: usize) -> Result<(), LoadError> {
    let requests = load::Requests::new(addr)?;
    let mut tasks = tokio::task::JoinSet::new();
    for worker in 0..CONNECTIONS {
        let share = sessions / CONNECTIONS + usize::from(worker < sessions % CONNECTIONS);
        let requests = requests.clone();
        tasks.spawn(async move {
            let mut connection = load::connect(addr).await?;
            for _ in 0..share {
                load::open_session(&mut connection, &requests).await?;
            }
            Ok::<_, LoadError>(())
        });
    }
    while let Some(joined) = tasks.join_next().await {
        joined.map_err(|error| LoadError::Failed(error.to_string()))??;
    }
    Ok(())
}
