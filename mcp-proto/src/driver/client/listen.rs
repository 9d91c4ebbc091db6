//! Change notifications in both eras: [`Subscription`], the stream
//! [`Client::listen`](crate::driver::client::Client::listen) returns, and [`Listeners`],
//! the drive loop's bookkeeping behind it.
//!
//! At 2026-07-28 each subscription is one `subscriptions/listen` request kept open; the
//! server tags its notifications with the request's id and the connection sorts them
//! out. A 2025-11-25 session has no listen request: list changes arrive on the session
//! unasked, and resource updates once `resources/subscribe` named the resource. There
//! each subscription gets the session's notifications that its filter asks for, and the
//! resources it names are subscribed (and unsubscribed when no subscription names them
//! any more).

use std::prelude::rust_2024::*;

use std::collections::BTreeMap;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_channel::{mpsc, oneshot};
use futures_util::{Stream, StreamExt};

use crate::client::{ClientConnection, ClientEvent, RequestError, RequestOptions};
use crate::connection::RequestHandle;
use crate::driver::client::{Call, ClientError};
use crate::time::Timestamp;
use crate::types::{
    ClientRequest, ServerCapabilities, ServerNotification, SubscribeRequestParams,
    SubscriptionFilter, UnsubscribeRequestParams, covers_uri,
};
use crate::version::Era;

/// How many notifications a subscription holds for a subscriber that is not reading;
/// one more ends the subscription (the subscriber listens again and refetches, as the
/// specification advises servers to do with slow listeners).
const SUBSCRIPTION_BUFFER: usize = 64;

/// A stream of change notifications: list changes (tools, prompts, resources) and
/// updates of subscribed resources, as the filter given to
/// [`Client::listen`](crate::driver::client::Client::listen) asked for.
///
/// The stream ends when the server ends the subscription, when the connection closes,
/// or when the subscriber falls more than 64 notifications behind. Dropping it ends the
/// subscription: at 2026-07-28 the listen request is cancelled; on a 2025-11-25 session
/// its resources are unsubscribed unless another subscription still names them. A live
/// subscription keeps the connection open.
#[derive(Debug)]
pub struct Subscription {
    key: u64,
    acknowledged: SubscriptionFilter,
    notifications: mpsc::Receiver<ServerNotification>,
    calls: mpsc::UnboundedSender<Call>,
}

impl Subscription {
    /// What the server will deliver: at 2026-07-28 the filter of its acknowledgement; on
    /// a 2025-11-25 session the part of the request its capabilities announce, without
    /// the resources it refused to subscribe. Compare it with what was asked for.
    pub fn acknowledged(&self) -> &SubscriptionFilter {
        &self.acknowledged
    }
}

impl Stream for Subscription {
    type Item = ServerNotification;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut().notifications.poll_next_unpin(cx)
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        // Never full: this sender's first message always has room.
        let _ = self.calls.unbounded_send(Call::Unlisten(self.key));
    }
}

/// What the drive loop hands back for an opened subscription.
#[derive(Debug)]
pub(crate) struct Opened {
    key: u64,
    acknowledged: SubscriptionFilter,
    notifications: mpsc::Receiver<ServerNotification>,
}

impl Opened {
    /// The subscription, which sends its end to the loop through `calls`.
    pub(crate) fn into_subscription(self, calls: mpsc::UnboundedSender<Call>) -> Subscription {
        Subscription {
            key: self.key,
            acknowledged: self.acknowledged,
            notifications: self.notifications,
            calls,
        }
    }
}

/// Where [`Client::listen`](crate::driver::client::Client::listen) waits.
pub(crate) type OpenAnswer = oneshot::Sender<Result<Opened, ClientError>>;

/// One subscription, from the listen call until it ends.
enum State {
    /// Waiting for the acknowledgement (2026) or the `resources/subscribe` answers
    /// (2025).
    Opening {
        answer: OpenAnswer,
        outstanding: usize,
    },
    /// Delivering.
    Open(mpsc::Sender<ServerNotification>),
}

struct Entry {
    state: State,
    /// What is delivered (for 2025, also what decides delivery).
    filter: SubscriptionFilter,
    /// The 2026 listen request.
    listen: Option<RequestHandle>,
}

/// What a request of the subscriptions is for.
#[derive(Clone)]
enum Owner {
    /// The 2026 listen request of a subscription.
    Listen(u64),
    /// A 2025 `resources/subscribe` a subscription waits for.
    Subscribe(u64, String),
}

/// Every subscription of one connection, in the drive loop.
#[derive(Default)]
pub(crate) struct Listeners {
    next_key: u64,
    entries: BTreeMap<u64, Entry>,
    owners: BTreeMap<RequestHandle, Owner>,
    /// 2025: how many subscriptions name each subscribed resource.
    subscribed: BTreeMap<String, usize>,
}

impl Listeners {
    /// Opens a subscription for `filter`; `answer` hears when it is open.
    pub(crate) fn open(
        &mut self,
        connection: &mut ClientConnection,
        now: Timestamp,
        filter: SubscriptionFilter,
        answer: OpenAnswer,
    ) {
        let key = self.next_key;
        self.next_key = self.next_key.wrapping_add(1);
        if connection.era() == Some(Era::Legacy) {
            return self.open_legacy(connection, now, key, filter, answer);
        }
        match connection.listen(now, filter) {
            Ok(handle) => {
                self.owners.insert(handle, Owner::Listen(key));
                let entry = Entry {
                    state: State::Opening {
                        answer,
                        outstanding: 1,
                    },
                    filter: SubscriptionFilter::default(),
                    listen: Some(handle),
                };
                self.entries.insert(key, entry);
            }
            Err(error) => {
                let _ = answer.send(Err(ClientError::Failed(error.to_string())));
            }
        }
    }

    fn open_legacy(
        &mut self,
        connection: &mut ClientConnection,
        now: Timestamp,
        key: u64,
        filter: SubscriptionFilter,
        answer: OpenAnswer,
    ) {
        let filter = match connection.server_capabilities() {
            Some(capabilities) => legacy_honoured(&filter, capabilities),
            None => SubscriptionFilter::default(),
        };
        let mut outstanding = 0;
        for uri in filter.resource_subscriptions.iter().flatten() {
            let count = self.subscribed.entry(uri.clone()).or_insert(0);
            *count += 1;
            if *count > 1 {
                continue;
            }
            let request = ClientRequest::Subscribe(SubscribeRequestParams {
                uri: uri.clone(),
                meta: None,
            });
            if let Ok(handle) = connection.send_request(now, request, RequestOptions::new()) {
                self.owners
                    .insert(handle, Owner::Subscribe(key, uri.clone()));
                outstanding += 1;
            }
        }
        let entry = Entry {
            state: State::Opening {
                answer,
                outstanding,
            },
            filter,
            listen: None,
        };
        self.entries.insert(key, entry);
        self.settle(connection, now, key);
    }

    /// Opens the subscription `key` once nothing is outstanding.
    fn settle(&mut self, connection: &mut ClientConnection, now: Timestamp, key: u64) {
        let Some(entry) = self.entries.get_mut(&key) else {
            return;
        };
        let State::Opening { outstanding: 0, .. } = entry.state else {
            return;
        };
        let (sender, notifications) = mpsc::channel(SUBSCRIPTION_BUFFER);
        let State::Opening { answer, .. } =
            std::mem::replace(&mut entry.state, State::Open(sender))
        else {
            return;
        };
        let opened = Opened {
            key,
            acknowledged: entry.filter.clone(),
            notifications,
        };
        if answer.send(Ok(opened)).is_err() {
            // The listen call was given up while the subscription opened.
            self.close(connection, now, key);
        }
    }

    /// Ends the subscription `key`, on the application's behalf: the listen request is
    /// cancelled (2026), or the resources it alone named are unsubscribed (2025).
    pub(crate) fn close(&mut self, connection: &mut ClientConnection, now: Timestamp, key: u64) {
        let Some(entry) = self.entries.remove(&key) else {
            return;
        };
        if let Some(handle) = entry.listen {
            self.owners.remove(&handle);
            let _ = connection.cancel(now, handle, None);
        }
        if entry.listen.is_none() {
            for uri in entry.filter.resource_subscriptions.iter().flatten() {
                self.release(connection, now, uri);
            }
        }
    }

    /// 2025: one subscription less names `uri`; the last one unsubscribes it.
    fn release(&mut self, connection: &mut ClientConnection, now: Timestamp, uri: &str) {
        let Some(count) = self.subscribed.get_mut(uri) else {
            return;
        };
        *count = count.saturating_sub(1);
        if *count > 0 {
            return;
        }
        self.subscribed.remove(uri);
        if connection.is_closed() {
            return;
        }
        let request = ClientRequest::Unsubscribe(UnsubscribeRequestParams {
            uri: String::from(uri),
            meta: None,
        });
        // Nobody waits for the answer: it is dropped as an answer to an unknown call.
        let _ = connection.send_request(now, request, RequestOptions::new());
    }

    /// Takes the events that concern subscriptions and gives back the others. Session
    /// notifications (2025) are delivered to the subscriptions that want them and given
    /// back too; so is `Closed`, after every subscription ended.
    pub(crate) fn on_event(
        &mut self,
        connection: &mut ClientConnection,
        now: Timestamp,
        event: ClientEvent,
    ) -> Option<ClientEvent> {
        let handle = match &event {
            ClientEvent::SubscriptionAcknowledged { handle, .. }
            | ClientEvent::SubscriptionNotification { handle, .. }
            | ClientEvent::SubscriptionEnded { handle, .. }
            | ClientEvent::Response { handle, .. }
            | ClientEvent::Failed { handle, .. }
            | ClientEvent::TimedOut { handle }
            | ClientEvent::Cancelled { handle } => *handle,
            ClientEvent::Notification(notification) => {
                self.deliver_unsolicited(connection, now, notification);
                return Some(event);
            }
            ClientEvent::Closed { .. } => {
                self.end_all();
                return Some(event);
            }
            _ => return Some(event),
        };
        let Some(owner) = self.owners.get(&handle).cloned() else {
            return Some(event);
        };
        match owner {
            Owner::Listen(key) => self.on_listen_event(connection, now, key, handle, event),
            Owner::Subscribe(key, uri) => {
                self.owners.remove(&handle);
                let refused = !matches!(event, ClientEvent::Response { outcome: Ok(_), .. });
                self.on_subscribed(connection, now, key, &uri, refused);
            }
        }
        None
    }

    fn on_listen_event(
        &mut self,
        connection: &mut ClientConnection,
        now: Timestamp,
        key: u64,
        handle: RequestHandle,
        event: ClientEvent,
    ) {
        match event {
            ClientEvent::SubscriptionAcknowledged { filter, .. } => {
                if let Some(entry) = self.entries.get_mut(&key) {
                    entry.filter = filter;
                    if let State::Opening { outstanding, .. } = &mut entry.state {
                        *outstanding = 0;
                    }
                }
                self.settle(connection, now, key);
            }
            ClientEvent::SubscriptionNotification { notification, .. } => {
                let delivered = match self.entries.get_mut(&key).map(|entry| &mut entry.state) {
                    Some(State::Open(sender)) => sender.try_send(notification).is_ok(),
                    _ => true,
                };
                if !delivered {
                    // The subscriber is gone or not keeping up.
                    self.close(connection, now, key);
                }
            }
            ClientEvent::SubscriptionEnded { error, .. } => {
                let error = error.map(ClientError::Rpc).unwrap_or_else(|| {
                    ClientError::Failed(String::from("the server ended the subscription"))
                });
                self.end(handle, key, error);
            }
            ClientEvent::Failed { error, .. } => {
                let error = match error {
                    RequestError::ConnectionClosed => ClientError::Closed,
                    other => ClientError::Failed(other.to_string()),
                };
                self.end(handle, key, error);
            }
            ClientEvent::TimedOut { .. } => self.end(handle, key, ClientError::TimedOut),
            ClientEvent::Cancelled { .. } => self.end(handle, key, ClientError::Cancelled),
            // A listen request is only ever answered by `SubscriptionEnded`.
            _ => {}
        }
    }

    /// The listen request `handle` is over: the subscription `key` ends, with `error`
    /// for a listen call still waiting.
    fn end(&mut self, handle: RequestHandle, key: u64, error: ClientError) {
        self.owners.remove(&handle);
        if let Some(Entry {
            state: State::Opening { answer, .. },
            ..
        }) = self.entries.remove(&key)
        {
            let _ = answer.send(Err(error));
        }
    }

    /// 2025: the answer to the `resources/subscribe` for `uri` of subscription `key`.
    fn on_subscribed(
        &mut self,
        connection: &mut ClientConnection,
        now: Timestamp,
        key: u64,
        uri: &str,
        refused: bool,
    ) {
        let Some(entry) = self.entries.get_mut(&key) else {
            return;
        };
        if refused {
            // The server does not watch it for us: nobody is subscribed to it.
            if let Some(uris) = &mut entry.filter.resource_subscriptions {
                uris.retain(|subscribed| subscribed != uri);
            }
            self.subscribed.remove(uri);
        }
        if let State::Opening { outstanding, .. } = &mut entry.state {
            *outstanding = outstanding.saturating_sub(1);
        }
        self.settle(connection, now, key);
    }

    /// 2025: a notification of the session, for every subscription whose filter wants it.
    fn deliver_unsolicited(
        &mut self,
        connection: &mut ClientConnection,
        now: Timestamp,
        notification: &ServerNotification,
    ) {
        let mut lagging = Vec::new();
        for (key, entry) in &mut self.entries {
            if entry.listen.is_some() || !wants(&entry.filter, notification) {
                continue;
            }
            if let State::Open(sender) = &mut entry.state {
                if sender.try_send(notification.clone()).is_err() {
                    lagging.push(*key);
                }
            }
        }
        for key in lagging {
            self.close(connection, now, key);
        }
    }

    /// The connection closed: every stream ends, every waiting listen call fails.
    fn end_all(&mut self) {
        self.owners.clear();
        self.subscribed.clear();
        for (_, entry) in std::mem::take(&mut self.entries) {
            if let State::Opening { answer, .. } = entry.state {
                let _ = answer.send(Err(ClientError::Closed));
            }
        }
    }
}

/// The part of `requested` a 2025 server delivers, by the capabilities it announced.
fn legacy_honoured(
    requested: &SubscriptionFilter,
    capabilities: &ServerCapabilities,
) -> SubscriptionFilter {
    let list_changed = |offered: Option<bool>, wanted: Option<bool>| {
        (offered == Some(true) && wanted == Some(true)).then_some(true)
    };
    let resources = capabilities.resources.as_ref();
    let subscribable = resources.and_then(|resources| resources.subscribe) == Some(true);
    let mut uris: Vec<String> = Vec::new();
    for uri in requested.resource_subscriptions.iter().flatten() {
        if subscribable && !uris.contains(uri) {
            uris.push(uri.clone());
        }
    }
    SubscriptionFilter {
        tools_list_changed: list_changed(
            capabilities
                .tools
                .as_ref()
                .and_then(|tools| tools.list_changed),
            requested.tools_list_changed,
        ),
        prompts_list_changed: list_changed(
            capabilities
                .prompts
                .as_ref()
                .and_then(|prompts| prompts.list_changed),
            requested.prompts_list_changed,
        ),
        resources_list_changed: list_changed(
            resources.and_then(|resources| resources.list_changed),
            requested.resources_list_changed,
        ),
        resource_subscriptions: Some(uris).filter(|uris| !uris.is_empty()),
        ..SubscriptionFilter::default()
    }
}

/// True when a 2025 subscription with `filter` wants `notification`.
fn wants(filter: &SubscriptionFilter, notification: &ServerNotification) -> bool {
    match notification {
        ServerNotification::ToolListChanged(_) => filter.tools_list_changed == Some(true),
        ServerNotification::PromptListChanged(_) => filter.prompts_list_changed == Some(true),
        ServerNotification::ResourceListChanged(_) => filter.resources_list_changed == Some(true),
        ServerNotification::ResourceUpdated(params) => filter
            .resource_subscriptions
            .iter()
            .flatten()
            .any(|subscribed| covers_uri(subscribed, &params.uri)),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{ListChangedCapability, ResourcesCapability};

    fn everything() -> SubscriptionFilter {
        SubscriptionFilter {
            tools_list_changed: Some(true),
            prompts_list_changed: Some(true),
            resources_list_changed: Some(true),
            resource_subscriptions: Some(vec![
                String::from("file:///b"),
                String::from("file:///a"),
            ]),
            ..SubscriptionFilter::default()
        }
    }

    #[test]
    fn a_legacy_subscription_keeps_what_the_capabilities_announce() {
        let capabilities = ServerCapabilities {
            tools: Some(ListChangedCapability {
                list_changed: Some(true),
            }),
            resources: Some(ResourcesCapability {
                subscribe: Some(true),
                list_changed: None,
            }),
            ..ServerCapabilities::default()
        };
        let honoured = legacy_honoured(&everything(), &capabilities);
        assert_eq!(honoured.tools_list_changed, Some(true));
        assert_eq!(honoured.prompts_list_changed, None);
        assert_eq!(honoured.resources_list_changed, None);
        assert_eq!(
            honoured.resource_subscriptions,
            Some(vec![String::from("file:///b"), String::from("file:///a")])
        );
        let nothing = legacy_honoured(&everything(), &ServerCapabilities::default());
        assert!(nothing.is_empty());
    }

    #[test]
    fn a_legacy_subscription_gets_what_its_filter_names() {
        let filter = SubscriptionFilter {
            tools_list_changed: Some(true),
            resource_subscriptions: Some(vec![String::from("file:///a")]),
            ..SubscriptionFilter::default()
        };
        let updated = |uri: &str| {
            ServerNotification::ResourceUpdated(crate::types::ResourceUpdatedNotificationParams {
                uri: String::from(uri),
                meta: None,
            })
        };
        assert!(wants(&filter, &ServerNotification::ToolListChanged(None)));
        assert!(!wants(
            &filter,
            &ServerNotification::PromptListChanged(None)
        ));
        assert!(wants(&filter, &updated("file:///a")));
        assert!(wants(&filter, &updated("file:///a/b")));
        assert!(!wants(&filter, &updated("file:///ab")));
    }
}
