//! The five parts of a run, each adding rows to the table.

use std::time::{Duration, Instant};

pub mod http;
pub mod in_memory;
pub mod instructions;
pub mod session_memory;
pub mod stdio;

/// The protocol era a client speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Era {
    /// 2026-07-28: per-request `_meta`, no handshake.
    Modern,
    /// 2025-11-25: `initialize` handshake.
    Legacy,
}

impl Era {
    /// Both eras, the modern one first.
    pub const BOTH: [Era; 2] = [Era::Modern, Era::Legacy];

    /// The protocol version, as a row label.
    pub fn label(self) -> &'static str {
        match self {
            Era::Modern => "2026-07-28",
            Era::Legacy => "2025-11-25",
        }
    }
}

/// A tokio runtime with two worker threads (the machine's two cores), shared by the
/// client and server of the in-process measurements.
pub fn two_worker_runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
}

/// Calls per second of `call`, with `in_flight` tasks calling back to back: a warm-up,
/// then `window`; a call counts when it starts inside the window.
pub async fn calls_per_second<F, Fut>(
    call: F,
    in_flight: usize,
    warmup: Duration,
    window: Duration,
) -> Result<f64, String>
where
    F: Fn() -> Fut + Clone + Send + 'static,
    Fut: Future<Output = Result<(), String>> + Send,
{
    let measured_from = Instant::now() + warmup;
    let until = measured_from + window;
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..in_flight {
        let call = call.clone();
        tasks.spawn(async move {
            let mut counted = 0u64;
            loop {
                let started = Instant::now();
                if started >= until {
                    return Ok::<_, String>(counted);
                }
                call().await?;
                if started >= measured_from {
                    counted += 1;
                }
            }
        });
    }
    let mut total = 0;
    while let Some(joined) = tasks.join_next().await {
        total += joined.map_err(|error| error.to_string())??;
    }
    Ok(total as f64 / window.as_secs_f64())
}
