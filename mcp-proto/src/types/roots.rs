//! Roots (`roots/list`): the directories or files the client lets the server work on.
//!
//! Carried as a server request in 2025-11-25 and as an `inputRequests` entry in 2026-07-28
//! (where the feature is deprecated but fully functional).

use alloc::string::String;
use alloc::vec::Vec;
use serde::{Deserialize, Serialize};

use crate::types::common::RequestParams;
use crate::types::meta::Meta;
use crate::types::result::ResultType;

/// `params` of `roots/list`: nothing but an optional `_meta`.
pub type ListRootsRequestParams = RequestParams;

/// A root directory or file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Root {
    /// The root's URI (`file://` for now).
    pub uri: String,
    /// Display name.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub name: Option<String>,
    /// Root metadata.
    #[serde(
        rename = "_meta",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub meta: Option<Meta>,
}

impl Root {
    /// A root with a URI and no name.
    pub fn new(uri: impl Into<String>) -> Self {
        Root {
            uri: uri.into(),
            name: None,
            meta: None,
        }
    }
}

/// The client's answer to `roots/list` (2025: a result; 2026: an `inputResponses`
/// value, which carries no `resultType` and no `_meta`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ListRootsResult {
    /// Never sent in either revision for this result; kept for symmetry.
    #[serde(
        rename = "resultType",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub result_type: Option<ResultType>,
    /// The roots.
    pub roots: Vec<Root>,
    /// Result metadata (2025-11-25).
    #[serde(
        rename = "_meta",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub meta: Option<Meta>,
}

impl ListRootsResult {
    /// A result listing `roots`.
    pub fn new(roots: Vec<Root>) -> Self {
        ListRootsResult {
            result_type: None,
            roots,
            meta: None,
        }
    }
}
