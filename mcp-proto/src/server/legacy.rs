//! Serving a 2025-era session: the `initialize` handshake, then requests under the
//! negotiated version, with `ping`, `logging/setLevel` and resource subscriptions
//! answered by the core.

use alloc::vec::Vec;

use crate::jsonrpc::{ErrorCode, ErrorObject, Message, Request};
use crate::server::connection::{Phase, ServerConnection};
use crate::server::event::{RequestContext, ServerEvent};
use crate::server::inbound::{BoundParams, InboundEntry};
use crate::types::meta::keys;
use crate::types::{
    ClientRequest, EmptyResult, InitializeRequestParams, InitializeResult, Method,
    SetLevelRequestParams, SubscribeRequestParams, UnsubscribeRequestParams,
};
use crate::validate::{Direction, validate, validate_request};
use crate::version::{Era, ProtocolVersion, negotiate_legacy};

impl ServerConnection {
    pub(crate) fn on_legacy_request(&mut self, request: Request) {
        let Phase::Legacy(session) = &self.phase else {
            return;
        };
        let is_initialize = request.method == Method::Initialize.as_str();
        if !is_initialize
            && request
                .meta()
                .is_some_and(|meta| meta.contains(keys::PROTOCOL_VERSION))
        {
            self.refuse(
                &request.id,
                ErrorCode::INVALID_REQUEST,
                "Invalid Request: this connection serves a 2025-era session; \
                     per-request protocol versions are not accepted on it",
            );
            return;
        }
        if is_initialize {
            self.on_initialize(request);
            return;
        }
        let Some(version) = session.version.clone() else {
            if request.method == Method::Ping.as_str() {
                self.send_result(&request.id, &EmptyResult::legacy());
            } else {
                self.refuse(
                    &request.id,
                    ErrorCode::INVALID_REQUEST,
                    "Invalid Request: the session is not initialized; send initialize first",
                );
            }
            return;
        };
        let typed = match validate_request(&request, Direction::ClientToServer, &version, None) {
            Ok(checked) => checked.typed,
            // An admitted vendor method goes on to the application like any other.
            Err(violation) if self.config.admits_custom(&violation, Some(&request.method)) => None,
            Err(violation) => {
                self.send_error(violation.id.as_ref(), violation.error);
                return;
            }
        };
        match Method::parse(&request.method) {
            Some(Method::Ping) => self.send_result(&request.id, &EmptyResult::legacy()),
            Some(Method::LoggingSetLevel) => self.on_set_level(&request),
            Some(Method::ResourcesSubscribe | Method::ResourcesUnsubscribe) => {
                self.on_resource_subscription(&request)
            }
            _ => {
                let Phase::Legacy(session) = &self.phase else {
                    return;
                };
                let context = RequestContext {
                    version,
                    era: Era::Legacy,
                    client_capabilities: session.capabilities.clone(),
                    client_info: session.client_info.clone(),
                    progress_token: request.meta().and_then(|meta| meta.progress_token()),
                    log_level: None,
                    input_responses: None,
                    request_state: None,
                };
                self.admit(request, context, None, typed);
            }
        }
    }

    fn on_initialize(&mut self, request: Request) {
        let Phase::Legacy(session) = &self.phase else {
            return;
        };
        if session.version.is_some() {
            self.refuse(
                &request.id,
                ErrorCode::INVALID_REQUEST,
                "Invalid Request: the session is already initialized",
            );
            return;
        }
        let id = request.id.clone();
        let message = Message::Request(request);
        let checked = validate(
            &message,
            Direction::ClientToServer,
            &ProtocolVersion::LATEST_LEGACY,
            None,
        );
        let Message::Request(request) = message else {
            return;
        };
        let params = checked.map_err(|violation| violation.error).and_then(|()| {
            request
                .params_as::<InitializeRequestParams>()
                .map_err(|error| {
                    ErrorObject::with_message(
                        ErrorCode::INVALID_PARAMS,
                        alloc::format!("Invalid params: {error}"),
                    )
                })
        });
        let params = match params {
            Ok(params) => params,
            Err(error) => {
                self.send_error(Some(&id), error);
                return;
            }
        };
        let requested = ProtocolVersion::parse(&params.protocol_version);
        let legacy = self.config.versions_of(Era::Legacy);
        let Some(version) = negotiate_legacy(&requested, &legacy) else {
            let supported: Vec<&str> = self
                .config
                .versions
                .iter()
                .map(ProtocolVersion::as_str)
                .collect();
            let error = ErrorObject::with_message(
                ErrorCode::INVALID_PARAMS,
                alloc::format!(
                    "initialize is not served here; supported protocol versions: {}",
                    supported.join(", ")
                ),
            )
            .with_data(&serde_json::json!({
                "supported": supported,
                "requested": params.protocol_version,
            }));
            self.send_error(Some(&id), error);
            return;
        };
        // `extensions` is a 2026-07-28 member.
        let mut capabilities = self.config.capabilities.clone();
        capabilities.extensions = None;
        let result = InitializeResult {
            result_type: None,
            protocol_version: String::from(version.as_str()),
            capabilities,
            server_info: self.config.info.clone(),
            instructions: self.config.instructions.clone(),
            meta: None,
        };
        self.send_result(&id, &result);
        if let Phase::Legacy(session) = &mut self.phase {
            session.version = Some(version.clone());
            session.client_info = Some(params.client_info);
            session.capabilities = params.capabilities;
        }
        self.events.push_back(ServerEvent::Ready {
            era: Era::Legacy,
            version,
        });
    }

    fn on_set_level(&mut self, request: &Request) {
        if self.config.capabilities.logging.is_none() {
            self.refuse(
                &request.id,
                ErrorCode::METHOD_NOT_FOUND,
                "Method not found: this server does not offer logging",
            );
            return;
        }
        match request.params_as::<SetLevelRequestParams>() {
            Ok(params) => {
                if let Phase::Legacy(session) = &mut self.phase {
                    session.log_level = Some(params.level);
                }
                self.send_result(&request.id, &EmptyResult::legacy());
            }
            Err(error) => self.send_error(
                Some(&request.id),
                ErrorObject::with_message(
                    ErrorCode::INVALID_PARAMS,
                    alloc::format!("Invalid params: {error}"),
                ),
            ),
        }
    }

    fn on_resource_subscription(&mut self, request: &Request) {
        let offered = self
            .config
            .capabilities
            .resources
            .as_ref()
            .and_then(|resources| resources.subscribe)
            == Some(true);
        if !offered {
            self.refuse(
                &request.id,
                ErrorCode::METHOD_NOT_FOUND,
                "Method not found: this server does not offer resource subscriptions",
            );
            return;
        }
        let invalid = |error: serde_json::Error| {
            ErrorObject::with_message(
                ErrorCode::INVALID_PARAMS,
                alloc::format!("Invalid params: {error}"),
            )
        };
        let outcome = if request.method == Method::ResourcesSubscribe.as_str() {
            request
                .params_as::<SubscribeRequestParams>()
                .map_err(invalid)
                .and_then(|params| {
                    let limit = self.config.limits.max_resource_subscriptions;
                    if self.subscriptions.subscribe_resource(params.uri, limit) {
                        Ok(())
                    } else {
                        Err(ErrorObject::with_message(
                            ErrorCode::INTERNAL_ERROR,
                            "Too many resource subscriptions",
                        ))
                    }
                })
        } else {
            request
                .params_as::<UnsubscribeRequestParams>()
                .map_err(invalid)
                .map(|params| self.subscriptions.unsubscribe_resource(&params.uri))
        };
        match outcome {
            Ok(()) => self.send_result(&request.id, &EmptyResult::legacy()),
            Err(error) => self.send_error(Some(&request.id), error),
        }
    }

    /// Admits a request for the application, or refuses it when too many are in flight.
    pub(crate) fn admit(
        &mut self,
        request: Request,
        context: RequestContext,
        bound_params: Option<BoundParams>,
        typed: Option<ClientRequest>,
    ) {
        if self.inbound.len() >= self.config.limits.max_inbound_in_flight {
            self.refuse(
                &request.id,
                ErrorCode::INTERNAL_ERROR,
                "Too many requests in flight; retry later",
            );
            return;
        }
        let token = self.inbound.admit(alloc::boxed::Box::new(InboundEntry {
            id: request.id.clone(),
            method: match Method::parse(&request.method) {
                Some(known) => alloc::borrow::Cow::Borrowed(known.as_str()),
                None => alloc::borrow::Cow::Owned(request.method.clone()),
            },
            version: context.version.clone(),
            era: context.era,
            capabilities: context.client_capabilities.clone(),
            progress_token: context.progress_token.clone(),
            last_progress: None,
            log_level: context.log_level,
            bound_params,
            cancelled: false,
        }));
        self.events
            .push_back(ServerEvent::Request(alloc::boxed::Box::new(
                crate::server::event::InboundRequest {
                    token,
                    method: request.method,
                    params: request.params,
                    context,
                    typed,
                },
            )));
    }
}

use alloc::string::String;
