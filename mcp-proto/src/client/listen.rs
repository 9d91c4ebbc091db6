//! `subscriptions/listen` on a 2025-11-25 session, which has no listen request: the
//! client emulates it, so that an application listens the same way in both eras.
//!
//! A legacy server sends list changes on the session unasked, and resource updates once
//! `resources/subscribe` named the resource. An emulated subscription therefore:
//!
//! 1. keeps the part of its filter the server's capabilities announce
//!    ([`legacy_honoured`]);
//! 2. subscribes each resource it names that no other subscription names yet (the
//!    subscriptions count their resources), and is acknowledged
//!    ([`ClientEvent::SubscriptionAcknowledged`](crate::client::ClientEvent)) once every
//!    one of those answered, without the resources the server refused;
//! 3. gets, as [`ClientEvent::SubscriptionNotification`](crate::client::ClientEvent),
//!    each session notification its filter wants (an update of a subscribed resource
//!    covers its sub-resources: [`covers_uri`]);
//! 4. ends when cancelled: the resources no other subscription names are unsubscribed.

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;

use crate::connection::RequestHandle;
use crate::types::{ServerCapabilities, ServerNotification, SubscriptionFilter, covers_uri};

/// One emulated subscription.
#[derive(Debug)]
struct Subscription {
    /// What it delivers: the honoured filter, less the resources the server refused.
    filter: SubscriptionFilter,
    /// `resources/subscribe` answers still awaited.
    outstanding: usize,
}

/// The emulated subscriptions of one legacy session, and how many of them name each
/// subscribed resource.
#[derive(Debug, Default)]
pub(crate) struct LegacySubscriptions {
    subscriptions: BTreeMap<RequestHandle, Subscription>,
    subscribed: BTreeMap<String, usize>,
}

impl LegacySubscriptions {
    /// How many are open.
    pub(crate) fn len(&self) -> usize {
        self.subscriptions.len()
    }

    /// Opens subscription `handle` for `filter` as far as `capabilities` allow. Returns
    /// the resources to subscribe now (those no other subscription names yet); the
    /// subscription is acknowledged once each has been answered
    /// ([`Self::on_subscribe_answer`]), at once when there is none.
    pub(crate) fn open(
        &mut self,
        handle: RequestHandle,
        filter: &SubscriptionFilter,
        capabilities: Option<&ServerCapabilities>,
    ) -> Vec<String> {
        let filter = capabilities.map_or_else(SubscriptionFilter::default, |capabilities| {
            legacy_honoured(filter, capabilities)
        });
        let mut to_subscribe = Vec::new();
        for uri in filter.resource_subscriptions.iter().flatten() {
            let count = self.subscribed.entry(uri.clone()).or_insert(0);
            *count += 1;
            if *count == 1 {
                to_subscribe.push(uri.clone());
            }
        }
        self.subscriptions.insert(
            handle,
            Subscription {
                filter,
                outstanding: to_subscribe.len(),
            },
        );
        to_subscribe
    }

    /// The acknowledged filter of `handle` when nothing is outstanding any more.
    pub(crate) fn acknowledged(&self, handle: RequestHandle) -> Option<SubscriptionFilter> {
        let subscription = self.subscriptions.get(&handle)?;
        (subscription.outstanding == 0).then(|| subscription.filter.clone())
    }

    /// The server answered the `resources/subscribe` of `uri` that `handle` sent
    /// (`refused` when with an error, or not at all in time). Returns the filter to
    /// acknowledge when that was the last answer awaited.
    pub(crate) fn on_subscribe_answer(
        &mut self,
        handle: RequestHandle,
        uri: &str,
        refused: bool,
    ) -> Option<SubscriptionFilter> {
        if refused {
            // The server does not watch it: nobody is subscribed to it.
            self.subscribed.remove(uri);
            for subscription in self.subscriptions.values_mut() {
                if let Some(uris) = &mut subscription.filter.resource_subscriptions {
                    uris.retain(|subscribed| subscribed != uri);
                    if uris.is_empty() {
                        subscription.filter.resource_subscriptions = None;
                    }
                }
            }
        }
        let subscription = self.subscriptions.get_mut(&handle)?;
        if subscription.outstanding == 0 {
            return None;
        }
        subscription.outstanding -= 1;
        self.acknowledged(handle)
    }

    /// Ends subscription `handle`; returns the resources to unsubscribe (those no other
    /// subscription names), `None` when there was no such subscription.
    pub(crate) fn close(&mut self, handle: RequestHandle) -> Option<Vec<String>> {
        let subscription = self.subscriptions.remove(&handle)?;
        let mut to_unsubscribe = Vec::new();
        for uri in subscription.filter.resource_subscriptions.iter().flatten() {
            let Some(count) = self.subscribed.get_mut(uri) else {
                continue;
            };
            *count = count.saturating_sub(1);
            if *count == 0 {
                self.subscribed.remove(uri);
                to_unsubscribe.push(uri.clone());
            }
        }
        Some(to_unsubscribe)
    }

    /// Ends every subscription (the connection closed); returns their handles.
    pub(crate) fn close_all(&mut self) -> Vec<RequestHandle> {
        self.subscribed.clear();
        let handles = self.subscriptions.keys().copied().collect();
        self.subscriptions.clear();
        handles
    }

    /// The acknowledged subscriptions that want `notification`.
    pub(crate) fn wanting<'a>(
        &'a self,
        notification: &'a ServerNotification,
    ) -> impl Iterator<Item = RequestHandle> + 'a {
        self.subscriptions
            .iter()
            .filter(move |(_, subscription)| {
                subscription.outstanding == 0 && wants(&subscription.filter, notification)
            })
            .map(|(handle, _)| *handle)
    }
}

/// The part of `requested` a 2025-11-25 server delivers, by the capabilities it
/// announced: a list change only when the server announces `listChanged` for it, resource
/// updates only when it announces `subscribe`.
pub(crate) fn legacy_honoured(
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

/// True when a subscription with `filter` wants `notification`.
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
    use alloc::vec;

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
