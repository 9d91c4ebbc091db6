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
//! - Unions without a shared tag in the schema (content blocks, resource contents,
//!   elicitation params and fields, sampling content, input requests and responses) are
//!   Rust enums that encode as the inner value and decode by looking at the value first
//!   (its `type`, `mode` or `method`, or which members it has), then decoding only the
//!   matching type. Each member type carries its own discriminator as a zero-sized field
//!   from [`tags`], so it also round-trips on its own.
//! - JSON `number` fields are `f64` and re-encode integral values as integers (`50`,
//!   not `50.0`); JSON `integer` fields (sizes, counts, milliseconds) are `u64`.
//! - [`method`] names every method and holds the typed message enums per direction.

pub mod capabilities;
pub mod common;
pub mod completion;
pub mod content;
pub mod elicitation;
pub mod errors;
pub mod lifecycle;
pub mod logging;
pub mod meta;
pub mod method;
pub mod mrtr;
pub mod notifications;
pub mod prompts;
pub mod resources;
pub mod result;
pub mod roots;
pub mod sampling;
pub mod subscriptions;
pub mod tags;
pub mod tasks;
pub mod tools;
pub(crate) mod wire;

pub use capabilities::*;
pub use common::*;
pub use completion::*;
pub use content::*;
pub use elicitation::*;
pub use errors::*;
pub use lifecycle::*;
pub use logging::*;
pub use meta::Meta;
pub use method::*;
pub use mrtr::*;
pub use notifications::*;
pub use prompts::*;
pub use resources::*;
pub use result::*;
pub use roots::*;
pub use sampling::*;
pub use subscriptions::*;
pub use tasks::*;
pub use tools::*;
