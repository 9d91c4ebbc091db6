//! Delivering changes to listeners of both eras, and ending listen streams.

use crate::jsonrpc::RequestId;
use crate::server::connection::{Phase, ServerConnection};
use crate::server::event::{Change, ServerEvent};
use crate::types::{
    CancelledNotificationParams, Meta, Method, NotificationParams,
    ResourceUpdatedNotificationParams, SubscriptionsListenResult,
};

/// The notification method announcing `change`.
fn method_of(change: &Change) -> Method {
    match change {
        Change::ToolsListChanged => Method::NotificationsToolsListChanged,
        Change::PromptsListChanged => Method::NotificationsPromptsListChanged,
        Change::ResourcesListChanged => Method::NotificationsResourcesListChanged,
        Change::ResourceUpdated(_) => Method::NotificationsResourcesUpdated,
    }
}

/// Params of the notification for `change`, tagged for a listen stream when given.
fn queue_change(conn: &mut ServerConnection, change: &Change, subscription: Option<&RequestId>) {
    let meta = subscription.map(|id| {
        let mut meta = Meta::new();
        meta.set_subscription_id(id);
        meta
    });
    let method = method_of(change).as_str();
    match change {
        Change::ResourceUpdated(uri) => {
            let params = ResourceUpdatedNotificationParams {
                uri: uri.clone(),
                meta,
            };
            conn.queue_notification(method, Some(&params));
        }
        _ => match meta {
            Some(meta) => {
                let params = NotificationParams { meta: Some(meta) };
                conn.queue_notification(method, Some(&params));
            }
            None => conn.queue_notification::<NotificationParams>(method, None),
        },
    }
}

/// True when the legacy session should hear of `change`.
fn legacy_wants(conn: &ServerConnection, change: &Change) -> bool {
    let Phase::Legacy(session) = &conn.phase else {
        return false;
    };
    if !session.initialized {
        return false;
    }
    let capabilities = &conn.config.capabilities;
    let resources = capabilities.resources.as_ref();
    match change {
        Change::ToolsListChanged => {
            capabilities
                .tools
                .as_ref()
                .and_then(|tools| tools.list_changed)
                == Some(true)
        }
        Change::PromptsListChanged => {
            capabilities
                .prompts
                .as_ref()
                .and_then(|prompts| prompts.list_changed)
                == Some(true)
        }
        Change::ResourcesListChanged => resources.and_then(|r| r.list_changed) == Some(true),
        Change::ResourceUpdated(uri) => {
            resources.and_then(|r| r.subscribe) == Some(true)
                && conn.subscriptions.resource_subscribed(uri)
        }
    }
}

pub(crate) fn publish(conn: &mut ServerConnection, change: &Change) -> usize {
    if conn.is_closed() {
        return 0;
    }
    let mut reached = 0;
    if legacy_wants(conn, change) && conn.has_outbox_room() {
        queue_change(conn, change, None);
        reached += 1;
    }
    for id in conn.subscriptions.listeners_of(change) {
        if conn.has_outbox_room() {
            queue_change(conn, change, Some(&id));
            reached += 1;
        } else {
            // The client is not keeping up: end its stream; it re-subscribes and refetches.
            conn.subscriptions.close(&id);
            conn.events
                .push_back(ServerEvent::SubscriptionClosed { id });
        }
    }
    reached
}

/// Ends every listen stream with its result and, on a stream transport, a cancellation
/// naming it (PROTOCOL 17 #1).
pub(crate) fn end_all(conn: &mut ServerConnection) {
    for id in conn.subscriptions.listen_ids() {
        conn.subscriptions.close(&id);
        conn.send_result(&id, &SubscriptionsListenResult::closing(&id));
        let mut cancelled = CancelledNotificationParams::new(id.clone());
        let mut meta = Meta::new();
        meta.set_subscription_id(&id);
        cancelled.meta = Some(meta);
        conn.queue_notification(Method::NotificationsCancelled.as_str(), Some(&cancelled));
        conn.events
            .push_back(ServerEvent::SubscriptionClosed { id });
    }
}
