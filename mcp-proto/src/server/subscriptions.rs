//! Who listens for which changes: 2026-07-28 `subscriptions/listen` streams and the
//! legacy session's `resources/subscribe` set.

use alloc::collections::{BTreeMap, BTreeSet};
use alloc::string::String;
use alloc::vec::Vec;

use crate::jsonrpc::RequestId;
use crate::server::event::Change;
use crate::types::{ServerCapabilities, SubscriptionFilter, covers_uri};

/// Open listen streams by the listen request's id, and legacy resource subscriptions.
#[derive(Debug, Default)]
pub(crate) struct Subscriptions {
    listens: BTreeMap<RequestId, SubscriptionFilter>,
    resources: BTreeSet<String>,
}

impl Subscriptions {
    pub(crate) fn listen_count(&self) -> usize {
        self.listens.len()
    }

    pub(crate) fn is_listening(&self, id: &RequestId) -> bool {
        self.listens.contains_key(id)
    }

    pub(crate) fn open(&mut self, id: RequestId, filter: SubscriptionFilter) {
        self.listens.insert(id, filter);
    }

    pub(crate) fn close(&mut self, id: &RequestId) -> bool {
        self.listens.remove(id).is_some()
    }

    /// Every open stream's id, in order.
    pub(crate) fn listen_ids(&self) -> Vec<RequestId> {
        self.listens.keys().cloned().collect()
    }

    /// The streams that asked for `change`.
    pub(crate) fn listeners_of(&self, change: &Change) -> Vec<RequestId> {
        self.listens
            .iter()
            .filter(|(_, filter)| filter_wants(filter, change))
            .map(|(id, _)| id.clone())
            .collect()
    }

    pub(crate) fn subscribe_resource(&mut self, uri: String, limit: usize) -> bool {
        if self.resources.len() >= limit && !self.resources.contains(&uri) {
            return false;
        }
        self.resources.insert(uri);
        true
    }

    pub(crate) fn unsubscribe_resource(&mut self, uri: &str) {
        self.resources.remove(uri);
    }

    /// True when the legacy session subscribed to `uri` or to a resource it is under.
    pub(crate) fn resource_subscribed(&self, uri: &str) -> bool {
        self.resources
            .iter()
            .any(|subscribed| covers_uri(subscribed, uri))
    }

    /// Frees the node an emptied map keeps (a `BTreeMap` keeps its root leaf after its
    /// last entry goes).
    pub(crate) fn shrink_to_fit(&mut self) {
        if self.listens.is_empty() {
            self.listens = BTreeMap::new();
        }
        if self.resources.is_empty() {
            self.resources = BTreeSet::new();
        }
    }

    /// The legacy session's subscribed URIs.
    pub(crate) fn resources(&self) -> impl Iterator<Item = &str> + '_ {
        self.resources.iter().map(String::as_str)
    }
}

/// The part of `requested` this server honours: kinds its capabilities cover.
pub(crate) fn acknowledged(
    requested: &SubscriptionFilter,
    capabilities: &ServerCapabilities,
) -> SubscriptionFilter {
    let tools = capabilities
        .tools
        .as_ref()
        .and_then(|tools| tools.list_changed)
        == Some(true);
    let prompts = capabilities
        .prompts
        .as_ref()
        .and_then(|prompts| prompts.list_changed)
        == Some(true);
    let resources_list = capabilities
        .resources
        .as_ref()
        .and_then(|resources| resources.list_changed)
        == Some(true);
    let resources_subscribe = capabilities
        .resources
        .as_ref()
        .and_then(|resources| resources.subscribe)
        == Some(true);
    let keep =
        |wanted: Option<bool>, offered: bool| (wanted == Some(true) && offered).then_some(true);
    let mut filter = SubscriptionFilter::default();
    filter.tools_list_changed = keep(requested.tools_list_changed, tools);
    filter.prompts_list_changed = keep(requested.prompts_list_changed, prompts);
    filter.resources_list_changed = keep(requested.resources_list_changed, resources_list);
    filter.resource_subscriptions = requested
        .resource_subscriptions
        .clone()
        .filter(|_| resources_subscribe);
    filter
}

/// True when the server offers anything a listen stream could deliver.
pub(crate) fn offers_subscriptions(capabilities: &ServerCapabilities) -> bool {
    let everything = SubscriptionFilter {
        tools_list_changed: Some(true),
        prompts_list_changed: Some(true),
        resources_list_changed: Some(true),
        resource_subscriptions: Some(Vec::new()),
        ..SubscriptionFilter::default()
    };
    !acknowledged(&everything, capabilities).is_empty()
}

fn filter_wants(filter: &SubscriptionFilter, change: &Change) -> bool {
    match change {
        Change::ToolsListChanged => filter.tools_list_changed == Some(true),
        Change::PromptsListChanged => filter.prompts_list_changed == Some(true),
        Change::ResourcesListChanged => filter.resources_list_changed == Some(true),
        Change::ResourceUpdated(uri) => filter
            .resource_subscriptions
            .as_ref()
            .is_some_and(|uris| uris.iter().any(|subscribed| covers_uri(subscribed, uri))),
    }
}
