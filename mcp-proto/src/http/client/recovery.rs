//! Legacy session recovery: a 404 to a POST that carried the session id opens a new
//! session and sends the request again, once (see [`HttpClient`]).

use alloc::boxed::Box;
use alloc::format;
use alloc::vec::Vec;

use super::exchange::ExchangeId;
use super::machine::{HttpClient, Purpose, RequestPost};
use crate::http::HttpMethod;
use crate::http::client::{
    HeaderContext, failure_line, initialized_body, read_reinitialize_answer, reinitialize_body,
    request_headers, transport_failure,
};
use crate::jsonrpc::{RequestId, decode};
use crate::time::Timestamp;

impl HttpClient {
    /// A 404 to `post`, which carried the session id: open a new session (once for all
    /// requests that meet the same fate) and send `post` again, once.
    pub(super) fn session_expired(&mut self, now: Timestamp, mut post: Box<RequestPost>) {
        if post.retried {
            let error = transport_failure("the new session expired too (HTTP status 404)");
            self.feed(now, &failure_line(&post.id, &error));
            return;
        }
        post.retried = true;
        let stale = post.generation < self.session.generation;
        self.awaiting_session.push_back(post);
        if stale || self.session.reinitializing.is_some() {
            // A newer session exists or is being opened: the retry waits for it.
            return;
        }
        let Some(version) = self.session.version.clone() else {
            return;
        };
        // The old session's GET stream ends with it.
        let listening: Vec<ExchangeId> = self
            .exchanges
            .iter()
            .filter(|(_, open)| matches!(open.purpose, Purpose::Listen))
            .map(|(exchange, _)| *exchange)
            .collect();
        for exchange in listening {
            self.drop_exchange(exchange);
        }
        self.session.id = None;
        self.session.generation = self.session.generation.saturating_add(1);
        self.session.listening = false;
        let id = RequestId::from(format!("reinitialize-{}", self.session.generation).as_str());
        let body = reinitialize_body(&id, self.connection.config(), &version);
        let headers = match decode(&body) {
            Ok(message) => request_headers(
                &message,
                &HeaderContext::Legacy {
                    protocol_version: None,
                    session_id: None,
                },
            ),
            Err(_) => Vec::new(),
        };
        let exchange = self.start(
            HttpMethod::Post,
            headers,
            body,
            Purpose::Reinitialize { id },
        );
        self.session.reinitializing = Some(exchange);
    }

    /// Reads a message for the re-initialising exchange; false when it is not the answer.
    /// Once it is, the exchange is over (a stream carrying it is dropped).
    pub(super) fn on_reinitialize_answer(
        &mut self,
        now: Timestamp,
        exchange: ExchangeId,
        id: &RequestId,
        data: &[u8],
    ) -> bool {
        let Some(version) = self.session.version.clone() else {
            return false;
        };
        let Some(verdict) = read_reinitialize_answer(data, id, &version) else {
            return false;
        };
        let session_id = self
            .exchanges
            .get(&exchange)
            .and_then(|open| open.session_id.clone());
        self.drop_exchange(exchange);
        self.session.reinitializing = None;
        match verdict {
            Ok(()) => {
                self.session.id = session_id;
                let body = initialized_body();
                let headers = match decode(&body) {
                    Ok(message) => self.headers(&message, false),
                    Err(_) => Vec::new(),
                };
                let exchange = self.start(HttpMethod::Post, headers, body, Purpose::OneWay);
                self.barrier = Some(exchange);
            }
            Err(reason) => self.reinitialize_failed(now, &reason),
        }
        true
    }

    /// The new session could not be opened: every request waiting for it fails.
    pub(super) fn reinitialize_failed(&mut self, now: Timestamp, reason: &str) {
        if let Some(exchange) = self.session.reinitializing.take() {
            self.drop_exchange(exchange);
        }
        let error = transport_failure(format!(
            "the session expired and a new one could not be opened: {reason}"
        ));
        for post in core::mem::take(&mut self.awaiting_session) {
            self.feed(now, &failure_line(&post.id, &error));
        }
    }
}
