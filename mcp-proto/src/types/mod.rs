//! Every wire type of both protocol revisions, in one model.
//!
//! Conventions, shared by every file of this module:
//!
//! - One Rust type carries the union of both revisions' fields. Fields that only one
//!   revision defines are `Option`s; [`crate::validate`] decides, per version, what is
//!   required, allowed or forbidden.
//! - Rust names are snake_case; the wire is camelCase. `_meta` is the field `meta` of
//!   type [`Meta`]. Unknown fields are ignored when decoding.
//! - Optional fields are skipped when `None`, so a value re-encodes to what was received.
//! - Payloads owned by someone else (tool arguments, input and output schemas, structured
//!   tool output) stay raw JSON ([`RawJson`](crate::json::RawJson)) so they are neither
//!   parsed nor reordered on the way through.

pub mod capabilities;
pub mod common;
pub mod meta;
pub mod result;

pub use capabilities::*;
pub use common::*;
pub use meta::Meta;
pub use result::*;
