//! Protocol versions and the era each belongs to.
//!
//! Versions are an enumerated set, not dates: an unknown string is kept verbatim as
//! [`ProtocolVersion::Unknown`] and is never "newer" or "older" than anything. The known
//! versions are ordered by release, which is the order negotiation uses.
//!
//! The handshake-era ("legacy") versions are reachable only through `initialize`; the
//! modern version only through the per-request `_meta` envelope.

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::cmp::Ordering;
use core::fmt;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Which lifecycle a protocol version uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Era {
    /// Handshake era (2024-11-05 … 2025-11-25): `initialize`, sessions, server requests.
    Legacy,
    /// Per-request era (2026-07-28 on): `_meta` envelope, no handshake, no session.
    Modern,
}

impl Era {
    /// Both eras, oldest first.
    pub const ALL: [Era; 2] = [Era::Legacy, Era::Modern];
}

/// A protocol version string.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ProtocolVersion {
    /// `2024-11-05`: the original revision (HTTP+SSE transport).
    V2024_11_05,
    /// `2025-03-26`: Streamable HTTP; the only revision with batching.
    V2025_03_26,
    /// `2025-06-18`: elicitation, the `MCP-Protocol-Version` header.
    V2025_06_18,
    /// `2025-11-25`: the last handshake-era revision.
    V2025_11_25,
    /// `2026-07-28`: the first per-request revision.
    V2026_07_28,
    /// Any other string, kept verbatim.
    Unknown(Box<str>),
}

impl ProtocolVersion {
    /// Every known version, oldest first.
    pub const KNOWN: [ProtocolVersion; 5] = [
        ProtocolVersion::V2024_11_05,
        ProtocolVersion::V2025_03_26,
        ProtocolVersion::V2025_06_18,
        ProtocolVersion::V2025_11_25,
        ProtocolVersion::V2026_07_28,
    ];

    /// Every handshake-era version, oldest first: what a legacy `MCP-Protocol-Version`
    /// header may name.
    pub const LEGACY: [ProtocolVersion; 4] = [
        ProtocolVersion::V2024_11_05,
        ProtocolVersion::V2025_03_26,
        ProtocolVersion::V2025_06_18,
        ProtocolVersion::V2025_11_25,
    ];

    /// The newest handshake-era version.
    pub const LATEST_LEGACY: ProtocolVersion = ProtocolVersion::V2025_11_25;

    /// The newest per-request version.
    pub const LATEST_MODERN: ProtocolVersion = ProtocolVersion::V2026_07_28;

    /// Parses a version string; unknown strings are preserved.
    pub fn parse(value: &str) -> ProtocolVersion {
        match value {
            "2024-11-05" => ProtocolVersion::V2024_11_05,
            "2025-03-26" => ProtocolVersion::V2025_03_26,
            "2025-06-18" => ProtocolVersion::V2025_06_18,
            "2025-11-25" => ProtocolVersion::V2025_11_25,
            "2026-07-28" => ProtocolVersion::V2026_07_28,
            other => ProtocolVersion::Unknown(other.into()),
        }
    }

    /// The version string.
    pub fn as_str(&self) -> &str {
        match self {
            ProtocolVersion::V2024_11_05 => "2024-11-05",
            ProtocolVersion::V2025_03_26 => "2025-03-26",
            ProtocolVersion::V2025_06_18 => "2025-06-18",
            ProtocolVersion::V2025_11_25 => "2025-11-25",
            ProtocolVersion::V2026_07_28 => "2026-07-28",
            ProtocolVersion::Unknown(other) => other,
        }
    }

    /// The era of a known version; `None` for unknown strings.
    pub fn era(&self) -> Option<Era> {
        match self {
            ProtocolVersion::V2024_11_05
            | ProtocolVersion::V2025_03_26
            | ProtocolVersion::V2025_06_18
            | ProtocolVersion::V2025_11_25 => Some(Era::Legacy),
            ProtocolVersion::V2026_07_28 => Some(Era::Modern),
            ProtocolVersion::Unknown(_) => None,
        }
    }

    /// True for the versions this crate knows.
    pub fn is_known(&self) -> bool {
        !matches!(self, ProtocolVersion::Unknown(_))
    }

    /// Position in release order; `None` for unknown strings.
    pub fn release_rank(&self) -> Option<u8> {
        Some(match self {
            ProtocolVersion::V2024_11_05 => 0,
            ProtocolVersion::V2025_03_26 => 1,
            ProtocolVersion::V2025_06_18 => 2,
            ProtocolVersion::V2025_11_25 => 3,
            ProtocolVersion::V2026_07_28 => 4,
            ProtocolVersion::Unknown(_) => return None,
        })
    }

    /// Release order of two known versions; `None` when either is unknown.
    pub fn compare(&self, other: &ProtocolVersion) -> Option<Ordering> {
        Some(self.release_rank()?.cmp(&other.release_rank()?))
    }

    /// True when this version is known and at least `other` (also known).
    pub fn is_at_least(&self, other: &ProtocolVersion) -> bool {
        matches!(
            self.compare(other),
            Some(Ordering::Greater | Ordering::Equal)
        )
    }
}

/// The `initialize` rule of the handshake era: answer with the requested version when it
/// is supported, otherwise with the newest supported legacy version. `None` when
/// `supported` holds no legacy version.
pub fn negotiate_legacy(
    requested: &ProtocolVersion,
    supported: &[ProtocolVersion],
) -> Option<ProtocolVersion> {
    if requested.era() == Some(Era::Legacy) && supported.contains(requested) {
        return Some(requested.clone());
    }
    newest(supported.iter().filter(|v| v.era() == Some(Era::Legacy)))
}

/// The newest per-request version both sides list; `None` when they share none.
pub fn select_modern(
    ours: &[ProtocolVersion],
    theirs: &[ProtocolVersion],
) -> Option<ProtocolVersion> {
    newest(
        ours.iter()
            .filter(|v| v.era() == Some(Era::Modern) && theirs.contains(v)),
    )
}

/// The newest known version of `versions`.
pub fn newest<'a>(versions: impl Iterator<Item = &'a ProtocolVersion>) -> Option<ProtocolVersion> {
    versions
        .filter_map(|v| Some((v.release_rank()?, v)))
        .max_by_key(|(rank, _)| *rank)
        .map(|(_, v)| v.clone())
}

/// Every known version of `era`, oldest first.
pub fn versions_of(era: Era) -> Vec<ProtocolVersion> {
    ProtocolVersion::KNOWN
        .iter()
        .filter(|v| v.era() == Some(era))
        .cloned()
        .collect()
}

impl fmt::Display for ProtocolVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<&str> for ProtocolVersion {
    fn from(value: &str) -> Self {
        ProtocolVersion::parse(value)
    }
}

impl Serialize for ProtocolVersion {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ProtocolVersion {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = alloc::borrow::Cow::<'de, str>::deserialize(deserializer)?;
        Ok(ProtocolVersion::parse(&value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_round_trips_and_preserves_unknown() {
        for v in ProtocolVersion::KNOWN {
            assert_eq!(ProtocolVersion::parse(v.as_str()), v);
        }
        let odd = ProtocolVersion::parse("2027-01-01");
        assert_eq!(odd.as_str(), "2027-01-01");
        assert_eq!(odd.era(), None);
        assert_eq!(odd.compare(&ProtocolVersion::V2026_07_28), None);
        assert!(!odd.is_at_least(&ProtocolVersion::V2024_11_05));
    }

    #[test]
    fn eras_and_order() {
        assert_eq!(versions_of(Era::Legacy).len(), 4);
        assert_eq!(versions_of(Era::Modern), [ProtocolVersion::V2026_07_28]);
        assert!(ProtocolVersion::V2026_07_28.is_at_least(&ProtocolVersion::V2025_11_25));
        assert!(!ProtocolVersion::V2025_03_26.is_at_least(&ProtocolVersion::V2025_06_18));
    }

    #[test]
    fn negotiation() {
        let all = ProtocolVersion::KNOWN;
        assert_eq!(
            negotiate_legacy(&ProtocolVersion::V2025_06_18, &all),
            Some(ProtocolVersion::V2025_06_18)
        );
        assert_eq!(
            negotiate_legacy(&"1999-01-01".into(), &all),
            Some(ProtocolVersion::V2025_11_25)
        );
        // A modern version is not reachable through initialize.
        assert_eq!(
            negotiate_legacy(&ProtocolVersion::V2026_07_28, &all),
            Some(ProtocolVersion::V2025_11_25)
        );
        assert_eq!(
            select_modern(&all, &[ProtocolVersion::V2026_07_28, "2099-01-01".into()]),
            Some(ProtocolVersion::V2026_07_28)
        );
        assert_eq!(select_modern(&all, &[ProtocolVersion::V2025_11_25]), None);
    }
}
