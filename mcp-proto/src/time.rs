//! Time without a clock: the [`Timestamp`] every state machine is fed.
//!
//! The core never reads a clock. Each `handle_*` input and each command that can start a
//! timer takes `now: Timestamp` as its first argument, and deadlines come back out of
//! `poll_timeout` as timestamps. The driver picks the epoch (the async driver uses the
//! Unix epoch, so timestamps sealed into `requestState` mean the same on every replica)
//! and converts to and from its runtime's clock.

use core::time::Duration;

/// A point in monotonic time, in nanoseconds since an epoch chosen by the driver.
///
/// Inputs must not go backwards: a state machine clamps a smaller `now` to the largest it
/// has seen, so an old stamp never moves its time back.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(u64);

impl Timestamp {
    /// The epoch itself.
    pub const ZERO: Timestamp = Timestamp(0);

    /// A timestamp `nanos` nanoseconds after the epoch.
    pub const fn from_nanos(nanos: u64) -> Self {
        Timestamp(nanos)
    }

    /// A timestamp `millis` milliseconds after the epoch (saturating).
    pub const fn from_millis(millis: u64) -> Self {
        Timestamp(millis.saturating_mul(1_000_000))
    }

    /// Nanoseconds since the epoch.
    pub const fn as_nanos(self) -> u64 {
        self.0
    }

    /// Whole milliseconds since the epoch.
    pub const fn as_millis(self) -> u64 {
        self.0 / 1_000_000
    }

    /// This timestamp moved `duration` later, saturating at the far future.
    pub fn saturating_add(self, duration: Duration) -> Self {
        let nanos = u64::try_from(duration.as_nanos()).unwrap_or(u64::MAX);
        Timestamp(self.0.saturating_add(nanos))
    }

    /// How long after `earlier` this is; zero when `earlier` is later.
    pub fn saturating_since(self, earlier: Timestamp) -> Duration {
        Duration::from_nanos(self.0.saturating_sub(earlier.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arithmetic_saturates_instead_of_wrapping() {
        let t = Timestamp::from_millis(5);
        assert_eq!(t.as_nanos(), 5_000_000);
        assert_eq!(t.saturating_add(Duration::from_millis(2)).as_millis(), 7);
        assert_eq!(
            Timestamp::from_nanos(u64::MAX)
                .saturating_add(Duration::MAX)
                .as_nanos(),
            u64::MAX
        );
        assert_eq!(
            t.saturating_since(Timestamp::from_millis(9)),
            Duration::ZERO
        );
        assert_eq!(
            Timestamp::from_millis(9).saturating_since(t),
            Duration::from_millis(4)
        );
    }
}
