//! Change notifications in both eras: [`Subscription`], the stream
//! [`Client::listen`](crate::client::Client::listen) returns, and [`Listeners`],
//! the drive loop's bookkeeping behind it.
//!
//! Each subscription is one [`ClientConnection::listen`]: a `subscriptions/listen`
//! request kept open at 2026-07-28, and the connection's emulation of one on a
//! 2025-11-25 session (its filter cut to the server's capabilities, its resources
//! subscribed and unsubscribed). Either way the connection reports the same events; this
//! module only hands them to each subscription's channel.

use std::collections::BTreeMap;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_channel::{mpsc, oneshot};
use futures_util::{Stream, StreamExt};

use crate::client::{Call, ClientError};
use mcp_proto::client::{ClientConnection, ClientEvent, RequestError};
use mcp_proto::connection::RequestHandle;
use mcp_proto::time::Timestamp;
use mcp_proto::types::{ServerNotification, SubscriptionFilter};

/// How many notifications a subscription holds for a subscriber that is not reading;
/// one more ends the subscription (the subscriber listens again and refetches, as the
/// specification advises servers to do with slow listeners).
const SUBSCRIPTION_BUFFER: usize = 64;

/// A stream of change notifications: list changes (tools, prompts, resources) and
/// updates of subscribed resources, as the filter given to
/// [`Client::listen`](crate::client::Client::listen) asked for.
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

/// Where [`Client::listen`](crate::client::Client::listen) waits.
pub(crate) type OpenAnswer = oneshot::Sender<Result<Opened, ClientError>>;

/// One subscription, from the listen call until it ends.
enum State {
    /// Waiting for the acknowledgement.
    Opening { answer: OpenAnswer },
    /// Delivering.
    Open(mpsc::Sender<ServerNotification>),
}

struct Entry {
    state: State,
    /// What is delivered, once acknowledged.
    filter: SubscriptionFilter,
    /// The connection's subscription.
    listen: RequestHandle,
}

/// Every subscription of one connection, in the drive loop.
#[derive(Default)]
pub(crate) struct Listeners {
    next_key: u64,
    entries: BTreeMap<u64, Entry>,
    /// The subscription of each of the connection's listen handles.
    owners: BTreeMap<RequestHandle, u64>,
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
        match connection.listen(now, filter) {
            Ok(handle) => {
                self.owners.insert(handle, key);
                let entry = Entry {
                    state: State::Opening { answer },
                    filter: SubscriptionFilter::default(),
                    listen: handle,
                };
                self.entries.insert(key, entry);
            }
            Err(error) => {
                let _ = answer.send(Err(ClientError::Failed(error.to_string())));
            }
        }
    }

    /// Opens the subscription `key`: the connection acknowledged it with `filter`.
    fn settle(
        &mut self,
        connection: &mut ClientConnection,
        now: Timestamp,
        key: u64,
        filter: SubscriptionFilter,
    ) {
        let Some(entry) = self.entries.get_mut(&key) else {
            return;
        };
        if !matches!(entry.state, State::Opening { .. }) {
            return;
        }
        entry.filter = filter;
        let (sender, notifications) = mpsc::channel(SUBSCRIPTION_BUFFER);
        let State::Opening { answer } = std::mem::replace(&mut entry.state, State::Open(sender))
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

    /// Ends the subscription `key`, on the application's behalf: the connection cancels
    /// it (2026: the listen request; 2025: the resources it alone named are
    /// unsubscribed).
    pub(crate) fn close(&mut self, connection: &mut ClientConnection, now: Timestamp, key: u64) {
        let Some(entry) = self.entries.remove(&key) else {
            return;
        };
        self.owners.remove(&entry.listen);
        let _ = connection.cancel(now, entry.listen, None);
    }

    /// Takes the events that concern subscriptions and gives back the others; `Closed`
    /// is given back after every subscription ended.
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
            ClientEvent::Closed { .. } => {
                self.end_all();
                return Some(event);
            }
            _ => return Some(event),
        };
        let Some(key) = self.owners.get(&handle).copied() else {
            return Some(event);
        };
        self.on_listen_event(connection, now, key, handle, event);
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
                self.settle(connection, now, key, filter);
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

    /// The connection closed: every stream ends, every waiting listen call fails.
    fn end_all(&mut self) {
        self.owners.clear();
        for (_, entry) in std::mem::take(&mut self.entries) {
            if let State::Opening { answer, .. } = entry.state {
                let _ = answer.send(Err(ClientError::Closed));
            }
        }
    }
}
