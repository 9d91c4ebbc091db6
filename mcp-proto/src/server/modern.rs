//! Serving 2026-07-28 requests: each one stands alone, checked against its own `_meta`
//! envelope, with `server/discover` and `subscriptions/listen` answered by the core and
//! any echoed `requestState` verified before the application sees the request.

use alloc::string::String;
use alloc::vec::Vec;

use crate::jsonrpc::{ErrorCode, ErrorObject, Request};
use crate::mrtr::{INVALID_STATE_MESSAGE, StateBinding, salient_params_digest};
use crate::server::connection::ServerConnection;
use crate::server::event::{RequestContext, ServerEvent};
use crate::server::inbound::BoundParams;
use crate::server::subscriptions::{acknowledged, offers_subscriptions};
use crate::types::meta::keys;
use crate::types::{
    ClientRequest, DiscoverResult, InputResponseRequestParams, Meta, Method, ResultType,
    SubscriptionsAcknowledgedNotificationParams, SubscriptionsListenRequestParams,
};
use crate::validate::{CheckedRequest, Direction, validate_request};
use crate::version::{Era, ProtocolVersion};

impl ServerConnection {
    /// The modern versions served, as strings.
    fn modern_versions(&self) -> Vec<String> {
        self.config
            .versions_of(Era::Modern)
            .iter()
            .map(|version| String::from(version.as_str()))
            .collect()
    }

    /// -32022 naming what is served and echoing what was asked.
    fn unsupported_version(&self, requested: &str, message: String) -> ErrorObject {
        ErrorObject::with_message(ErrorCode::UNSUPPORTED_PROTOCOL_VERSION, message).with_data(
            &serde_json::json!({
                "supported": self.modern_versions(),
                "requested": requested,
            }),
        )
    }

    /// The version a modern request is served under: the one it claims when served, else
    /// the newest served (the request is then refused with -32022).
    pub(crate) fn modern_version_of(&self, request: &Request) -> ProtocolVersion {
        let claimed = request.meta().and_then(|meta| meta.protocol_version());
        match claimed {
            Some(version) if self.config.serves_modern(&version) => {
                ProtocolVersion::parse(&version)
            }
            _ => self
                .config
                .served_in(Era::Modern)
                .last()
                .cloned()
                .unwrap_or(ProtocolVersion::LATEST_MODERN),
        }
    }

    /// A request of a 2026 exchange the transport classified (no handshake possible).
    pub(crate) fn on_modern_exchange(&mut self, request: Request) {
        if !self.refuse_duplicate(&request) {
            self.on_modern_ladder(request);
        }
    }

    pub(crate) fn on_modern_request(&mut self, request: Request) {
        if request.method == Method::Initialize.as_str() {
            // A legacy handshake on a stream already serving 2026-07-28 (PROTOCOL 5.6.1).
            let requested = request
                .params
                .as_ref()
                .and_then(|params| params.decode::<serde_json::Value>().ok())
                .and_then(|value| {
                    value
                        .get("protocolVersion")
                        .and_then(|version| version.as_str().map(String::from))
                })
                .unwrap_or_default();
            let error = self.unsupported_version(
                &requested,
                alloc::format!(
                    "initialize is not part of the protocol served on this connection; \
                     supported protocol versions: {}",
                    self.modern_versions().join(", ")
                ),
            );
            self.send_error(Some(&request.id), error);
            return;
        }
        self.on_modern_ladder(request);
    }

    /// The validation ladder (PROTOCOL 3.4.5), then admission.
    fn on_modern_ladder(&mut self, request: Request) {
        let version = self.modern_version_of(&request);
        let checked = match validate_request(&request, Direction::ClientToServer, &version, None) {
            Ok(checked) => checked,
            // An admitted vendor method has passed the envelope and version checks,
            // which come before the method's; it goes on to the application.
            Err(violation) if self.config.admits_custom(&violation, Some(&request.method)) => {
                CheckedRequest::default()
            }
            Err(mut violation) => {
                if violation.code() == ErrorCode::UNSUPPORTED_PROTOCOL_VERSION {
                    let requested = request
                        .meta()
                        .and_then(|meta| meta.protocol_version())
                        .map(|requested| String::from(&*requested))
                        .unwrap_or_default();
                    let text = violation.error.message.clone();
                    violation.error = self.unsupported_version(&requested, text);
                }
                self.send_error(violation.id.as_ref(), violation.error);
                return;
            }
        };
        let meta = request.meta();
        let progress_token = meta.and_then(Meta::progress_token);
        let context = match checked.envelope.map(|envelope| *envelope) {
            Some(envelope) => RequestContext {
                version,
                era: Era::Modern,
                client_capabilities: envelope.capabilities,
                client_info: envelope.client_info,
                progress_token,
                log_level: envelope.log_level,
                input_responses: None,
                request_state: None,
            },
            // A vendor method: the same envelope, checked but not kept.
            None => RequestContext {
                version,
                era: Era::Modern,
                // Validation checked these shapes, so errors cannot occur here.
                client_capabilities: meta
                    .and_then(Meta::client_capabilities)
                    .and_then(Result::ok)
                    .unwrap_or_default(),
                client_info: meta.and_then(Meta::client_info).and_then(Result::ok),
                progress_token,
                log_level: meta.and_then(Meta::log_level).and_then(Result::ok),
                input_responses: None,
                request_state: None,
            },
        };
        let method = Method::parse(&request.method);
        match method {
            Some(Method::ServerDiscover) => self.answer_discover(&request),
            Some(Method::SubscriptionsListen) => self.on_listen(request),
            Some(method) if method.allows_input_required() => {
                self.admit_multi_round(request, context, checked.typed)
            }
            _ => self.admit(request, context, None, checked.typed),
        }
    }

    fn answer_discover(&mut self, request: &Request) {
        let hints = self.config.hints_for(Method::ServerDiscover);
        // The 2025 experimental `tasks` capability is not part of 2026-07-28 (the tasks
        // extension is announced under `extensions`).
        let mut capabilities = self.config.capabilities.clone();
        capabilities.tasks = None;
        let mut result = DiscoverResult {
            result_type: Some(ResultType::Complete),
            supported_versions: self.modern_versions(),
            capabilities,
            instructions: self.config.instructions.clone(),
            server_info: None,
            ttl_ms: Some(hints.ttl_ms),
            cache_scope: Some(hints.scope),
            meta: None,
        };
        if self.config.stamp_server_info {
            let mut meta = Meta::new();
            meta.set_server_info(&self.config.info);
            result.meta = Some(meta);
        }
        self.send_result(&request.id, &result);
    }

    fn on_listen(&mut self, request: Request) {
        if !offers_subscriptions(&self.config.capabilities) {
            self.refuse(
                &request.id,
                ErrorCode::METHOD_NOT_FOUND,
                "Method not found: this server offers no subscriptions",
            );
            return;
        }
        if self.subscriptions.listen_count() >= self.config.limits.max_subscriptions {
            self.refuse(
                &request.id,
                ErrorCode::INTERNAL_ERROR,
                "Too many open subscriptions on this connection",
            );
            return;
        }
        let params = match request.params_as::<SubscriptionsListenRequestParams>() {
            Ok(params) => params,
            Err(error) => {
                self.refuse(
                    &request.id,
                    ErrorCode::INVALID_PARAMS,
                    alloc::format!("Invalid params: {error}"),
                );
                return;
            }
        };
        let filter = acknowledged(&params.notifications, &self.config.capabilities);
        let mut meta = Meta::new();
        meta.set_subscription_id(&request.id);
        let acknowledgement = SubscriptionsAcknowledgedNotificationParams {
            notifications: filter.clone(),
            meta: Some(meta),
        };
        self.queue_notification(
            Method::NotificationsSubscriptionsAcknowledged.as_str(),
            Some(&acknowledgement),
        );
        self.subscriptions.open(request.id.clone(), filter.clone());
        self.events.push_back(ServerEvent::SubscriptionOpened {
            id: request.id,
            filter,
        });
    }

    /// `tools/call`, `prompts/get`, `resources/read`: verify and open any echoed state,
    /// hand over the input responses, and remember what a sealed state must be bound to.
    fn admit_multi_round(
        &mut self,
        request: Request,
        mut context: RequestContext,
        typed: Option<ClientRequest>,
    ) {
        // The round's members as validation decoded them (every multi-round method has
        // them, with the same rules); decoded here only if validation kept nothing.
        let (input_responses, request_state) = match &typed {
            Some(ClientRequest::CallTool(params)) => {
                (params.input_responses.clone(), params.request_state.clone())
            }
            Some(ClientRequest::GetPrompt(params)) => {
                (params.input_responses.clone(), params.request_state.clone())
            }
            Some(ClientRequest::ReadResource(params)) => {
                (params.input_responses.clone(), params.request_state.clone())
            }
            _ => {
                let round = request
                    .params_as::<InputResponseRequestParams>()
                    .unwrap_or_default();
                (round.input_responses, round.request_state)
            }
        };
        let mut bound = BoundParams::Raw(None);
        if let Some(sealed) = &request_state {
            let digest = salient_params_digest(&request.method, request.params.as_ref());
            bound = BoundParams::Digest(digest);
            let binding = StateBinding {
                method: &request.method,
                params_digest: digest,
                principal: self.config.principal.as_deref(),
            };
            let opened = self
                .sealer
                .as_ref()
                .ok_or(())
                .and_then(|sealer| sealer.0.open(self.now, &binding, sealed).map_err(|_| ()));
            match opened {
                Ok(state) => context.request_state = Some(state),
                Err(()) => {
                    self.send_error(
                        Some(&request.id),
                        ErrorObject::with_message(ErrorCode::INVALID_PARAMS, INVALID_STATE_MESSAGE),
                    );
                    return;
                }
            }
        }
        context.input_responses = input_responses;
        if matches!(bound, BoundParams::Raw(_)) {
            bound = BoundParams::Raw(request.params.as_ref().map(|params| params.raw().clone()));
        }
        self.admit(request, context, Some(bound), typed);
    }
}

/// True when a request's `_meta` names a 2026 protocol version: the only evidence of a
/// modern request (a `_meta` alone is not: legacy requests carry `progressToken`).
pub(crate) fn is_modern_request(request: &Request) -> bool {
    request.method != Method::Initialize.as_str()
        && request
            .meta()
            .is_some_and(|meta| meta.contains(keys::PROTOCOL_VERSION))
}
