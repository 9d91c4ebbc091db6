//! [`HttpClientConfig`]: the settings of an [`HttpClient`](super::HttpClient) beyond
//! those of its connection, and their defaults.

use core::time::Duration;

/// How long a legacy request waits before resuming its stream when the server sent no
/// `retry` field.
pub const DEFAULT_RESUME_DELAY: Duration = Duration::from_secs(1);

/// How long later messages wait, at most, for the head of the answer to the standalone
/// `GET` of a legacy session.
pub const DEFAULT_LISTEN_GATE: Duration = Duration::from_secs(1);

/// Resumptions of one legacy stream in a row that may bring no event before its request
/// fails.
pub const DEFAULT_MAX_FRUITLESS_RESUMES: u8 = 3;

/// How many exchanges may be open at once before later messages wait.
pub const DEFAULT_MAX_EXCHANGES: usize = 512;

/// The settings of an [`HttpClient`](super::HttpClient) beyond those of its connection: start from
/// [`HttpClientConfig::default`] and use the `with_*` setters.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct HttpClientConfig {
    /// Open exchanges at most: while this many are open, later messages of the
    /// connection wait (their POST starts once one ends). Resumptions and the messages
    /// of a session recovery are not held back. Default [`DEFAULT_MAX_EXCHANGES`].
    pub max_exchanges: usize,
    /// The wait before resuming a legacy stream whose server gave no `retry` field.
    /// Default [`DEFAULT_RESUME_DELAY`].
    pub resume_delay: Duration,
    /// The longest later messages wait for the head of the answer to the standalone
    /// `GET`. Default [`DEFAULT_LISTEN_GATE`].
    pub listen_gate: Duration,
    /// Resumptions in a row that may bring no event before the request fails. Default
    /// [`DEFAULT_MAX_FRUITLESS_RESUMES`].
    pub max_fruitless_resumes: u8,
}

impl Default for HttpClientConfig {
    fn default() -> Self {
        HttpClientConfig {
            max_exchanges: DEFAULT_MAX_EXCHANGES,
            resume_delay: DEFAULT_RESUME_DELAY,
            listen_gate: DEFAULT_LISTEN_GATE,
            max_fruitless_resumes: DEFAULT_MAX_FRUITLESS_RESUMES,
        }
    }
}

impl HttpClientConfig {
    /// Allows `max` open exchanges at once.
    pub fn with_max_exchanges(mut self, max: usize) -> Self {
        self.max_exchanges = max;
        self
    }

    /// Waits `delay` before resuming a legacy stream whose server gave no `retry` field.
    pub fn with_resume_delay(mut self, delay: Duration) -> Self {
        self.resume_delay = delay;
        self
    }

    /// Lets later messages wait at most `gate` for the standalone stream's head.
    pub fn with_listen_gate(mut self, gate: Duration) -> Self {
        self.listen_gate = gate;
        self
    }

    /// Fails a request after `max` resumptions in a row that brought no event.
    pub fn with_max_fruitless_resumes(mut self, max: u8) -> Self {
        self.max_fruitless_resumes = max;
        self
    }
}
