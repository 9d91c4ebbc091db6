//! What every result shares: the 2026 `resultType` tag and the caching hints.

use alloc::boxed::Box;
use core::fmt;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The 2026 `resultType` of a result.
///
/// Required on every result a 2026 server sends; absent from legacy results, which a
/// client treats as [`ResultType::Complete`]. Values other than the three below are kept
/// in [`ResultType::Other`] so that validation can refuse them with context.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ResultType {
    /// `"complete"`: an ordinary, final result.
    Complete,
    /// `"input_required"`: an [`InputRequiredResult`](crate::types::InputRequiredResult).
    InputRequired,
    /// `"task"`: a tasks-extension `CreateTaskResult`.
    Task,
    /// Any other value, valid only if an extension negotiated on the request defines it.
    Other(Box<str>),
}

impl ResultType {
    /// The wire string.
    pub fn as_str(&self) -> &str {
        match self {
            ResultType::Complete => "complete",
            ResultType::InputRequired => "input_required",
            ResultType::Task => "task",
            ResultType::Other(other) => other,
        }
    }

    /// Parses a wire string.
    pub fn from_wire(value: &str) -> ResultType {
        match value {
            "complete" => ResultType::Complete,
            "input_required" => ResultType::InputRequired,
            "task" => ResultType::Task,
            other => ResultType::Other(other.into()),
        }
    }
}

impl fmt::Display for ResultType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for ResultType {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ResultType {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = alloc::borrow::Cow::<'de, str>::deserialize(deserializer)?;
        Ok(ResultType::from_wire(&value))
    }
}

/// Who may reuse a cached result (2026 `cacheScope`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum CacheScope {
    /// No user-specific data: any cache may serve it to anyone.
    Public,
    /// Reusable only within the same authorization context.
    Private,
}
