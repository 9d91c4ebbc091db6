//! What the driver needs from an async runtime: spawning, timers and a clock.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use mcp_proto::time::Timestamp;

/// A boxed future the runtime runs to completion in the background.
pub type BoxFuture = Pin<Box<dyn Future<Output = ()> + Send + 'static>>;

/// An async runtime, as the driver sees it. Each adapter crate implements it in a few
/// lines (`mcp-io-tokio`, `mcp-io-smol`); nothing else in the driver is runtime-specific.
pub trait Runtime: Send + Sync + 'static {
    /// Runs `future` in the background.
    fn spawn(&self, future: BoxFuture);

    /// A timer that fires at `deadline`.
    fn timer(&self, deadline: Instant) -> Pin<Box<dyn Timer>>;

    /// The current time; overridable so tests can fake the clock.
    fn now(&self) -> Instant {
        Instant::now()
    }
}

/// A resettable one-shot timer.
pub trait Timer: Send {
    /// Moves the deadline.
    fn reset(self: Pin<&mut Self>, deadline: Instant);

    /// Ready once the deadline has passed.
    fn poll_elapsed(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()>;
}

/// Waits `duration` on `runtime`'s timer: a runtime-neutral sleep for code written
/// once for every adapter (a handler pacing its progress reports, say).
pub async fn sleep(runtime: &dyn Runtime, duration: Duration) {
    let mut timer = runtime.timer(runtime.now() + duration);
    std::future::poll_fn(|cx| timer.as_mut().poll_elapsed(cx)).await;
}

/// Converts between the runtime's clock and the core's [`Timestamp`]s.
///
/// Timestamps count from the Unix epoch (read once, when the clock is made) so that
/// timestamps sealed into `requestState` mean the same on every replica; after that only
/// the monotonic clock advances them, so they never run backwards.
#[derive(Clone, Copy, Debug)]
pub struct Clock {
    start: Instant,
    start_nanos: u64,
}

impl Clock {
    /// A clock anchored at `now`.
    pub fn new(now: Instant) -> Self {
        let since_epoch = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or(Duration::ZERO);
        Clock {
            start: now,
            start_nanos: u64::try_from(since_epoch.as_nanos()).unwrap_or(u64::MAX),
        }
    }

    /// The timestamp of `instant`.
    pub fn timestamp(&self, instant: Instant) -> Timestamp {
        Timestamp::from_nanos(self.start_nanos)
            .saturating_add(instant.saturating_duration_since(self.start))
    }

    /// The instant of `timestamp`.
    pub fn instant(&self, timestamp: Timestamp) -> Instant {
        let since = timestamp.saturating_since(Timestamp::from_nanos(self.start_nanos));
        self.start
            .checked_add(since)
            .unwrap_or(self.start + Duration::from_secs(86_400 * 365))
    }
}
