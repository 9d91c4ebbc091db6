//! How one call is made: [`CallOptions`] (the core's [`RequestOptions`] plus a progress
//! callback), and the [`Progress`] the callback receives.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use mcp_proto::client::RequestOptions;
use mcp_proto::types::{LoggingLevel, ProgressNotificationParams};

/// One `notifications/progress` report for a call.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Progress {
    /// Progress so far; the server makes it grow with every report.
    pub progress: f64,
    /// The total to reach, when the server knows it.
    pub total: Option<f64>,
    /// What the server is doing, in words.
    pub message: Option<String>,
}

impl From<ProgressNotificationParams> for Progress {
    fn from(params: ProgressNotificationParams) -> Self {
        Progress {
            progress: params.progress,
            total: params.total,
            message: params.message,
        }
    }
}

/// Receives a call's progress reports, in the order the server sent them.
pub(crate) type ProgressHandler = Arc<dyn Fn(Progress) + Send + Sync>;

/// How one call is made: its deadline, its progress callback and its log level.
///
/// Built from [`CallOptions::new`] and the setters, or from the core's
/// [`RequestOptions`] (which [`Client::request`](crate::client::Client::request)
/// also accepts directly).
///
/// ```
/// use std::time::Duration;
/// use mcp_driver::client::CallOptions;
///
/// let options = CallOptions::new()
///     .timeout(Duration::from_secs(30))
///     .on_progress(|progress| println!("{} of {:?}", progress.progress, progress.total));
/// # drop(options);
/// ```
#[derive(Clone, Default)]
pub struct CallOptions {
    pub(crate) request: RequestOptions,
    pub(crate) on_progress: Option<ProgressHandler>,
}

impl fmt::Debug for CallOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CallOptions")
            .field("request", &self.request)
            .field("on_progress", &self.on_progress.is_some())
            .finish()
    }
}

impl CallOptions {
    /// The defaults: the connection's default deadline, no progress, the configured log
    /// level.
    pub fn new() -> Self {
        CallOptions::default()
    }

    /// Gives the call `timeout` to be answered (each round, for a multi-round call). When
    /// it passes, the server is sent `notifications/cancelled` and the call returns
    /// [`ClientError::TimedOut`](crate::client::ClientError::TimedOut).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.request = self.request.with_timeout(timeout);
        self
    }

    /// Asks the server for progress (a `progressToken` goes into the request's `_meta`)
    /// and hands every report to `callback`, in order, until the call ends.
    ///
    /// The callback runs on the connection's drive loop: keep it short (hand heavy work
    /// to a channel). A callback that panics is not called again.
    pub fn on_progress<F>(mut self, callback: F) -> Self
    where
        F: Fn(Progress) + Send + Sync + 'static,
    {
        self.request = self.request.with_progress();
        self.on_progress = Some(Arc::new(callback));
        self
    }

    /// Asks for log messages at `level` and above for this call (2026-07-28; a 2025
    /// session has one level for the whole session, set from
    /// [`ClientConfig::log_level`](mcp_proto::client::ClientConfig::log_level)). The
    /// messages reach [`ClientHandlers::on_log`](crate::client::ClientHandlers::on_log).
    pub fn log_level(mut self, level: LoggingLevel) -> Self {
        self.request = self.request.with_log_level(level);
        self
    }
}

impl From<RequestOptions> for CallOptions {
    fn from(request: RequestOptions) -> Self {
        CallOptions {
            request,
            on_progress: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_progress_callback_asks_the_core_for_progress() {
        let plain = CallOptions::new().timeout(Duration::from_secs(3));
        assert!(!plain.request.progress);
        assert_eq!(plain.request.timeout, Some(Duration::from_secs(3)));
        let watched = plain.on_progress(|_progress| {});
        assert!(watched.request.progress);
        assert!(watched.on_progress.is_some());
        let converted = CallOptions::from(RequestOptions::new().with_progress());
        assert!(converted.request.progress && converted.on_progress.is_none());
    }
}
