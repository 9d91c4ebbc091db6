//! Per-version validation of decoded messages.
//!
//! [`validate`] takes a decoded [`Message`], the direction it travels and the protocol
//! version it is sent under, and either accepts it or returns the [`Violation`]: the rule
//! it breaks and the exact JSON-RPC error the receiver must answer with.
//!
//! The checks run in the order the 2026 specification gives for a server receiving a
//! request, so the first failing check decides the error:
//!
//! 1. the `_meta` envelope (2026 requests): missing `params._meta`,
//!    `io.modelcontextprotocol/protocolVersion` or `io.modelcontextprotocol/clientCapabilities`,
//!    or a reserved key of the wrong shape → -32602;
//! 2. the protocol version: not the one checked under → -32022 with `data.supported` and
//!    `data.requested`;
//! 3. the method: unknown, or removed in / not yet part of this revision, for this
//!    direction → -32601;
//! 4. the params: not the shape the method's schema defines → -32602; a client capability
//!    the request needs but did not declare → -32021;
//! 5. the rules the schema cannot state (tool names, elicitation schema consistency).
//!
//! Responses need to know which method they answer ([`Context::answering`]) to check the
//! result's type; without it only the rules common to every result are checked
//! (`resultType` required at 2026 and absent at 2025, no cache hints at 2025).
//!
//! The typed model accepts the union of both revisions; everything that one revision
//! requires or forbids and the other does not is decided here.

mod methods;
mod request;
mod response;
mod rules;
mod violation;

pub use methods::method_allowed;
pub use rules::is_valid_tool_name;
pub use violation::{Rule, Violation};

pub(crate) use request::CheckedRequest;
pub(crate) use response::Shaped;
#[cfg(test)]
pub(crate) use response::plain_call_tool_result;
pub(crate) use response::plain_call_tool_result_value;

use response::Keep;

use crate::jsonrpc::{ErrorCode, Message, Request, Response};
use crate::version::{Era, ProtocolVersion};

/// Which way a message travels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Direction {
    /// From the client to the server.
    ClientToServer,
    /// From the server to the client.
    ServerToClient,
}

/// What validation needs to know beyond the message itself.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Context<'a> {
    /// For a response: the method of the request it answers.
    pub answering: Option<&'a str>,
    /// Whether the `io.modelcontextprotocol/tasks` extension is in use on this exchange
    /// (2026: declared in the request's client capabilities and offered by the server).
    pub tasks_extension: bool,
}

/// Checks `message`, travelling in `direction`, under `version`.
///
/// Returns the first broken rule with the error the receiver must answer with. An unknown
/// `version` is itself a violation (-32022).
pub fn validate(
    message: &Message,
    direction: Direction,
    version: &ProtocolVersion,
    context: Option<&Context<'_>>,
) -> Result<(), Violation> {
    validate_keeping(
        message,
        direction,
        version,
        context,
        Shaped::default(),
        None,
    )
}

/// [`validate`], with what the receiver already knows of a response's result
/// ([`Shaped`]), leaving in `keep` the typed value the check decoded the result into (a
/// `tools/call` result), for [`ResultBody::into_decoded`](crate::jsonrpc::ResultBody::into_decoded).
pub(crate) fn validate_keeping(
    message: &Message,
    direction: Direction,
    version: &ProtocolVersion,
    context: Option<&Context<'_>>,
    shaped: Shaped<'_>,
    keep: Keep<'_>,
) -> Result<(), Violation> {
    let context = context.copied().unwrap_or_default();
    let era = era_of(version).map_err(|violation| with_id(violation, message))?;
    let checked = match message {
        Message::Request(request) => {
            request::check_request(request, direction, version, era, &context).map(drop)
        }
        Message::Notification(notification) => {
            request::check_notification(notification, direction, era, &context)
        }
        Message::Response(response) => {
            response::check_shaped_response(response, direction, era, &context, shaped, keep)
        }
    };
    checked.map_err(|violation| with_id(violation, message))
}

/// [`validate`] for a request, keeping what the checks decoded (the 2026 envelope, the
/// typed request) so the receiver does not decode it again.
pub(crate) fn validate_request(
    request: &Request,
    direction: Direction,
    version: &ProtocolVersion,
    context: Option<&Context<'_>>,
) -> Result<CheckedRequest, Violation> {
    let context = context.copied().unwrap_or_default();
    era_of(version)
        .and_then(|era| request::check_request(request, direction, version, era, &context))
        .map_err(|mut violation| {
            violation.id = Some(request.id.clone());
            violation
        })
}

/// [`validate`] for a server's response to a client request, with what the server knows
/// of a result it shaped itself ([`Shaped`]).
pub(crate) fn validate_reply(
    response: &Response,
    version: &ProtocolVersion,
    context: &Context<'_>,
    shaped: Shaped<'_>,
) -> Result<(), Violation> {
    era_of(version)
        .and_then(|era| {
            response::check_shaped_response(
                response,
                Direction::ServerToClient,
                era,
                context,
                shaped,
                None,
            )
        })
        .map_err(|mut violation| {
            violation.id = response.id.clone();
            violation
        })
}

/// The era of `version`; an unknown version is a violation (-32022).
fn era_of(version: &ProtocolVersion) -> Result<Era, Violation> {
    version.era().ok_or_else(|| {
        Violation::new(
            Rule::UnsupportedVersion,
            ErrorCode::UNSUPPORTED_PROTOCOL_VERSION,
            alloc::format!("Unsupported protocol version: {version}"),
        )
    })
}

fn with_id(mut violation: Violation, message: &Message) -> Violation {
    violation.id = message.id().cloned();
    violation
}
