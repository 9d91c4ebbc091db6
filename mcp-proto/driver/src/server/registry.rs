//! Named items in registration order: the server's tools and prompts.
//!
//! `tools/list` and `prompts/list` show items in the order the server registered them
//! (clients and tests often take the first as the default), and calls look them up by
//! name. Registering a name again replaces the item in its place.

use std::collections::BTreeMap;

/// Items by name, iterated in registration order.
#[derive(Clone, Debug)]
pub(crate) struct Registry<T> {
    items: Vec<T>,
    index: BTreeMap<String, usize>,
}

impl<T> Default for Registry<T> {
    fn default() -> Self {
        Registry {
            items: Vec::new(),
            index: BTreeMap::new(),
        }
    }
}

impl<T> Registry<T> {
    /// Adds `item` under `name`, or replaces the item of that name where it stands.
    pub(crate) fn insert(&mut self, name: String, item: T) {
        match self.index.get(&name).and_then(|&at| self.items.get_mut(at)) {
            Some(slot) => *slot = item,
            None => {
                self.index.insert(name, self.items.len());
                self.items.push(item);
            }
        }
    }

    /// The item named `name`.
    pub(crate) fn get(&self, name: &str) -> Option<&T> {
        self.index.get(name).and_then(|&at| self.items.get(at))
    }

    /// Every item, in registration order.
    pub(crate) fn values(&self) -> impl Iterator<Item = &T> + '_ {
        self.items.iter()
    }

    /// Every name, sorted.
    pub(crate) fn keys(&self) -> impl Iterator<Item = &String> + '_ {
        self.index.keys()
    }

    /// True when nothing is registered.
    pub(crate) fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registration_order_is_kept_and_a_repeated_name_replaces_in_place() {
        let mut registry = Registry::default();
        for (name, value) in [("zeta", 1), ("alpha", 2), ("mid", 3), ("alpha", 4)] {
            registry.insert(String::from(name), value);
        }
        assert_eq!(registry.values().copied().collect::<Vec<_>>(), [1, 4, 3]);
        assert_eq!(registry.get("alpha"), Some(&4));
        assert_eq!(registry.get("nope"), None);
        assert_eq!(
            registry.keys().map(String::as_str).collect::<Vec<_>>(),
            ["alpha", "mid", "zeta"]
        );
        assert!(!registry.is_empty());
        assert!(Registry::<u8>::default().is_empty());
    }
}
