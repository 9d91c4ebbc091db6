//! Checks of requests and notifications: the 2026 `_meta` envelope, the method table and
//! the params' shape.

use alloc::boxed::Box;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use crate::jsonrpc::{ErrorCode, MessageKind, Notification, Params, Request};
use crate::types::Method;
use crate::types::meta::keys;
use crate::types::{
    ClientCapabilities, ClientNotification, ClientRequest, ElicitRequestParams, Implementation,
    LoggingLevel, ServerNotification, ServerRequest, TASKS_EXTENSION_ID,
};
use crate::validate::methods::params_required;
use crate::validate::{Context, Direction, Rule, Violation, method_allowed, rules};
use crate::version::{Era, ProtocolVersion};

fn invalid_params(rule: Rule, detail: impl core::fmt::Display) -> Violation {
    Violation::new(
        rule,
        ErrorCode::INVALID_PARAMS,
        format!("Invalid params: {detail}"),
    )
}

/// An optional reserved `_meta` member as decoded: absent is fine, malformed is -32602
/// naming `key`.
fn optional_member<T>(
    decoded: Option<Result<T, serde_json::Error>>,
    key: &str,
) -> Result<Option<T>, Violation> {
    decoded
        .transpose()
        .map_err(|error| invalid_params(Rule::RequestMeta, format!("{key}: {error}")))
}

fn not_found(method: &str, era: Era) -> Violation {
    let revision = match era {
        Era::Legacy => "2025-11-25",
        Era::Modern => "2026-07-28",
    };
    Violation::new(
        Rule::MethodNotInRevision,
        ErrorCode::METHOD_NOT_FOUND,
        format!("Method not found: {method} (not defined in {revision} for this direction)"),
    )
}

/// What checking a 2026 request envelope decoded: the reserved keys the request is served
/// with.
#[derive(Debug)]
pub(crate) struct Envelope {
    /// `io.modelcontextprotocol/clientCapabilities`.
    pub(crate) capabilities: ClientCapabilities,
    /// `io.modelcontextprotocol/clientInfo`, when present.
    pub(crate) client_info: Option<Implementation>,
    /// `io.modelcontextprotocol/logLevel`, when present.
    pub(crate) log_level: Option<LoggingLevel>,
}

/// What checking a request decoded on the way, kept so that the receiver does not decode
/// it again.
#[derive(Debug, Default)]
pub(crate) struct CheckedRequest {
    /// The 2026 envelope of a client request checked under 2026-07-28 (boxed: it is
    /// large, and a 2025 request, which has none, is moved about with it).
    pub(crate) envelope: Option<Box<Envelope>>,
    /// The typed client request (client-to-server checks only).
    pub(crate) typed: Option<ClientRequest>,
}

/// The 2026 request envelope, in the specification's order: required keys (-32602), then
/// the version (-32022), then the shape of the other reserved keys (-32602). Returns what
/// it decoded.
fn check_envelope(
    params: Option<&Params>,
    version: &ProtocolVersion,
) -> Result<Envelope, Violation> {
    let missing = || {
        invalid_params(
            Rule::RequestMeta,
            "params._meta with io.modelcontextprotocol/protocolVersion and \
             io.modelcontextprotocol/clientCapabilities is required",
        )
    };
    let params = params.ok_or_else(missing)?;
    if params.meta_is_malformed() {
        return Err(invalid_params(
            Rule::RequestMeta,
            "params._meta must be an object",
        ));
    }
    let meta = params.meta().ok_or_else(missing)?;
    let absent: Vec<&str> = [keys::PROTOCOL_VERSION, keys::CLIENT_CAPABILITIES]
        .into_iter()
        .filter(|key| !meta.contains(key))
        .collect();
    if !absent.is_empty() {
        return Err(invalid_params(
            Rule::RequestMeta,
            format!("params._meta is missing {}", absent.join(" and ")),
        ));
    }
    let Some(requested) = meta.protocol_version() else {
        return Err(invalid_params(
            Rule::RequestMeta,
            "io.modelcontextprotocol/protocolVersion must be a string",
        ));
    };
    if *requested != *version.as_str() {
        let mut violation = Violation::new(
            Rule::UnsupportedVersion,
            ErrorCode::UNSUPPORTED_PROTOCOL_VERSION,
            format!("Unsupported protocol version: {requested}"),
        );
        violation.error = violation.error.with_data(&serde_json::json!({
            "supported": [version.as_str()],
            "requested": &*requested,
        }));
        return Err(violation);
    }
    let capabilities = match meta.client_capabilities() {
        Some(Ok(capabilities)) => capabilities,
        Some(Err(error)) => {
            return Err(invalid_params(
                Rule::RequestMeta,
                format!("io.modelcontextprotocol/clientCapabilities: {error}"),
            ));
        }
        None => return Err(missing()),
    };
    let client_info = optional_member(meta.client_info(), keys::CLIENT_INFO)?;
    let log_level = optional_member(meta.log_level(), keys::LOG_LEVEL)?;
    Ok(Envelope {
        capabilities,
        client_info,
        log_level,
    })
}

/// `progressToken`, where present, is a string or an integer (both eras).
fn check_progress_token(params: Option<&Params>) -> Result<(), Violation> {
    let token = params
        .and_then(Params::meta)
        .and_then(|meta| meta.get(keys::PROGRESS_TOKEN));
    match token.as_ref() {
        Some(serde_json::Value::String(_)) => Ok(()),
        Some(serde_json::Value::Number(number)) if number.is_i64() || number.is_u64() => Ok(()),
        Some(_) => Err(invalid_params(
            Rule::RequestMeta,
            "_meta.progressToken must be a string or an integer",
        )),
        None => Ok(()),
    }
}

fn declares_tasks(capabilities: &ClientCapabilities) -> bool {
    capabilities
        .extensions
        .as_ref()
        .is_some_and(|extensions| extensions.contains_key(TASKS_EXTENSION_ID))
}

pub(crate) fn check_request(
    request: &Request,
    direction: Direction,
    version: &ProtocolVersion,
    era: Era,
    context: &Context<'_>,
) -> Result<CheckedRequest, Violation> {
    let params = request.params.as_ref();
    let mut tasks_extension = context.tasks_extension;
    let mut checked = CheckedRequest::default();
    if era == Era::Modern && direction == Direction::ClientToServer {
        let envelope = check_envelope(params, version)?;
        tasks_extension |= declares_tasks(&envelope.capabilities);
        checked.envelope = Some(Box::new(envelope));
    }
    check_progress_token(params)?;
    if !method_allowed(
        &request.method,
        MessageKind::Request,
        direction,
        era,
        tasks_extension,
    ) {
        // Naming a tasks-extension method without declaring the extension is a missing
        // capability, not an unknown method.
        if era == Era::Modern
            && direction == Direction::ClientToServer
            && method_allowed(&request.method, MessageKind::Request, direction, era, true)
        {
            return Err(rules::missing_tasks_extension());
        }
        return Err(not_found(&request.method, era));
    }
    require_params(&request.method, params, era)?;
    let shape = |error: serde_json::Error| invalid_params(Rule::ParamsShape, error);
    match direction {
        Direction::ClientToServer => {
            let typed = ClientRequest::decode(&request.method, params).map_err(shape)?;
            rules::client_request(&typed, era, tasks_extension)?;
            checked.typed = Some(typed);
            Ok(checked)
        }
        Direction::ServerToClient => {
            let typed = ServerRequest::decode(&request.method, params).map_err(shape)?;
            match &typed {
                ServerRequest::Elicit(elicit) => check_elicitation(elicit, era)?,
                ServerRequest::CreateMessage(sampling) => check_sampling(sampling, era)?,
                _ => {}
            }
            Ok(checked)
        }
    }
}

fn require_params(method: &str, params: Option<&Params>, era: Era) -> Result<(), Violation> {
    let required = Method::parse(method).is_some_and(|method| params_required(method, era));
    if required && params.is_none() {
        return Err(invalid_params(
            Rule::ParamsShape,
            format!("{method} needs params"),
        ));
    }
    Ok(())
}

/// Sampling parameters, wherever they travel (a 2025 request, a 2026 input request):
/// every tool offered to the model has an object input schema, as the schema requires.
pub(crate) fn check_sampling(
    params: &crate::types::CreateMessageRequestParams,
    era: Era,
) -> Result<(), Violation> {
    for tool in params.tools.iter().flatten() {
        // The tool rules speak of results (-32603); in a request they are bad params.
        rules::tool(tool, era).map_err(|violation| {
            Violation::new(
                violation.rule,
                ErrorCode::INVALID_PARAMS,
                format!("Invalid params: {}", violation.error.message),
            )
        })?;
    }
    Ok(())
}

/// Elicitation parameters, wherever they travel (a 2025 request, a 2026 input request).
pub(crate) fn check_elicitation(params: &ElicitRequestParams, era: Era) -> Result<(), Violation> {
    match params {
        ElicitRequestParams::Form(form) => rules::elicitation_schema(&form.requested_schema),
        ElicitRequestParams::Url(url) => {
            if era == Era::Legacy && url.elicitation_id.is_none() {
                return Err(invalid_params(
                    Rule::ParamsShape,
                    "missing field `elicitationId` (required on 2025-11-25 URL elicitation)",
                ));
            }
            Ok(())
        }
    }
}

pub(crate) fn check_notification(
    notification: &Notification,
    direction: Direction,
    era: Era,
    context: &Context<'_>,
) -> Result<(), Violation> {
    let method = &notification.method;
    let params = notification.params.as_ref();
    if !method_allowed(
        method,
        MessageKind::Notification,
        direction,
        era,
        context.tasks_extension,
    ) {
        return Err(not_found(method, era));
    }
    require_params(method, params, era)?;
    let shape = |error: serde_json::Error| invalid_params(Rule::ParamsShape, error);
    let cancelled = match direction {
        Direction::ClientToServer => {
            match ClientNotification::decode(method, params).map_err(shape)? {
                ClientNotification::Cancelled(cancelled) => Some(cancelled),
                _ => None,
            }
        }
        Direction::ServerToClient => {
            match ServerNotification::decode(method, params).map_err(shape)? {
                ServerNotification::Cancelled(cancelled) => Some(cancelled),
                _ => None,
            }
        }
    };
    if era == Era::Modern {
        if cancelled.is_some_and(|cancelled| cancelled.request_id.is_none()) {
            return Err(invalid_params(
                Rule::ParamsShape,
                "missing field `requestId` (required on 2026-07-28)",
            ));
        }
        let subscription = params
            .and_then(Params::meta)
            .and_then(|meta| meta.get(keys::SUBSCRIPTION_ID));
        if let Some(id) = subscription {
            if serde_json::from_value::<crate::jsonrpc::RequestId>(id.clone()).is_err() {
                return Err(invalid_params(
                    Rule::ParamsShape,
                    String::from(
                        "_meta.io.modelcontextprotocol/subscriptionId must be a string or an integer",
                    ),
                ));
            }
        }
    }
    Ok(())
}
