//! What validation reports: the rule that failed and the error the receiver answers with.

use alloc::string::String;
use core::fmt;

use crate::jsonrpc::{ErrorCode, ErrorObject, RequestId};

/// One protocol rule a message can break.
///
/// [`Rule::schema_expressible`] tells whether the official `schema.json` of the revision
/// can express the rule; the differential tests use it to accept exactly the verdicts
/// where this validator is stricter than the schema.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Rule {
    /// The protocol version is unknown, or not the one the message is checked under.
    UnsupportedVersion,
    /// A 2026 request lacks `params._meta` or one of its required keys, or one of the
    /// reserved keys has the wrong shape.
    RequestMeta,
    /// The method does not exist in this revision for this direction and message kind.
    MethodNotInRevision,
    /// A request needs a client capability (or extension) it did not declare.
    MissingClientCapability,
    /// `params` do not have the shape the method's schema defines.
    ParamsShape,
    /// A value is outside the range the schema allows (a priority above 1, more than 100
    /// completion values, ...).
    ValueRange,
    /// A tool's `inputSchema` (or 2025 `outputSchema`) is not an object schema with
    /// `"type": "object"`.
    ToolSchemaType,
    /// A tool name breaks the naming rules (1-64 characters of `[A-Za-z0-9_.-]`).
    ToolName,
    /// An elicitation `requestedSchema` breaks a rule the schema cannot state (a
    /// `required` name with no property, a default outside its enum, min above max).
    ElicitationSchema,
    /// A `result` does not have the shape the answered method's result defines.
    ResultShape,
    /// `resultType` is missing from a 2026 result.
    ResultTypeMissing,
    /// `resultType` is present on a 2025 result.
    ResultTypeForbidden,
    /// `resultType` names a kind the method cannot return in this revision (unknown,
    /// `input_required` outside `tools/call`/`prompts/get`/`resources/read`, `task`
    /// without the tasks extension).
    ResultTypeNotAllowed,
    /// An `InputRequiredResult` has neither `inputRequests` nor `requestState`.
    InputRequiredEmpty,
    /// `ttlMs`/`cacheScope` are missing from a 2026 cacheable result.
    CacheHintsMissing,
    /// `ttlMs`/`cacheScope` or `serverInfo` appear on a 2025 result.
    ModernFieldOnLegacyResult,
    /// An error response uses a code this revision forbids (-32002 and -32042 at 2026),
    /// or a typed error's `data` has the wrong shape.
    ErrorShape,
    /// A response where the revision allows none (a client answering at 2026).
    UnexpectedResponse,
}

impl Rule {
    /// True when the revision's `schema.json` can express this rule, so a message the
    /// schema accepts never breaks it.
    pub fn schema_expressible(self) -> bool {
        matches!(
            self,
            Rule::RequestMeta
                | Rule::MethodNotInRevision
                | Rule::ParamsShape
                | Rule::ValueRange
                | Rule::ToolSchemaType
                | Rule::ResultShape
                | Rule::ResultTypeMissing
                | Rule::CacheHintsMissing
        )
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

/// A broken rule and the JSON-RPC error the receiver must answer with.
///
/// For requests the error is what the peer gets back. For notifications and responses,
/// which are never answered, it is the error the receiver reports locally; an invalid
/// outbound result is replaced on the wire by this error (code -32603).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{rule}: {}", error.message)]
pub struct Violation {
    /// Which rule failed.
    pub rule: Rule,
    /// The id of the offending request or response, when it has one.
    pub id: Option<RequestId>,
    /// The error to answer with.
    pub error: ErrorObject,
}

impl Violation {
    pub(crate) fn new(rule: Rule, code: ErrorCode, message: impl Into<String>) -> Self {
        Violation {
            rule,
            id: None,
            error: ErrorObject::with_message(code, message),
        }
    }

    /// The JSON-RPC error code.
    pub fn code(&self) -> ErrorCode {
        self.error.code
    }
}
