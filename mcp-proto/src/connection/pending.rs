//! The table of our own requests awaiting answers: ids, handles and deadlines.
//!
//! Outbound JSON-RPC ids come from a counter and are never reused within a connection;
//! the application holds a [`RequestHandle`] that stays put when a retry changes the id.
//! Deadlines sit in an ordered set, so the next one is the first element.

use alloc::collections::{BTreeMap, BTreeSet};

use crate::connection::RequestHandle;
use crate::jsonrpc::RequestId;
use crate::time::Timestamp;

/// One request awaiting its answer.
#[derive(Debug)]
pub(crate) struct Pending<T> {
    /// The JSON-RPC id of the attempt on the wire now.
    pub(crate) id: RequestId,
    /// When it times out, if ever.
    pub(crate) deadline: Option<Timestamp>,
    /// What the owner keeps about it.
    pub(crate) extra: T,
}

/// How many classes of entries a [`PendingTable`] counts.
pub(crate) const CLASSES: usize = 3;

/// The class of an entry, which the table keeps a count of (so counting needs no scan
/// of the table); class 0 is the uncounted rest. An entry's class must not change while
/// it is in the table.
pub(crate) trait Classified {
    /// This entry's class, below [`CLASSES`].
    fn class(&self) -> usize {
        0
    }
}

/// Requests in flight, by handle and by wire id.
#[derive(Debug)]
pub(crate) struct PendingTable<T> {
    entries: BTreeMap<RequestHandle, Pending<T>>,
    /// How many entries of each class there are.
    counts: [usize; CLASSES],
    by_id: BTreeMap<RequestId, RequestHandle>,
    deadlines: BTreeSet<(Timestamp, RequestHandle)>,
    next_handle: u64,
    next_id: i64,
}

impl<T> Default for PendingTable<T> {
    fn default() -> Self {
        PendingTable {
            entries: BTreeMap::new(),
            counts: [0; CLASSES],
            by_id: BTreeMap::new(),
            deadlines: BTreeSet::new(),
            next_handle: 1,
            next_id: 1,
        }
    }
}

impl<T: Classified> PendingTable<T> {
    /// Frees the node an emptied map keeps (a `BTreeMap` keeps its root leaf after its
    /// last entry goes), so an idle connection holds no table memory.
    pub(crate) fn shrink_to_fit(&mut self) {
        if self.entries.is_empty() {
            self.entries = BTreeMap::new();
        }
        if self.by_id.is_empty() {
            self.by_id = BTreeMap::new();
        }
        if self.deadlines.is_empty() {
            self.deadlines = BTreeSet::new();
        }
    }

    /// A fresh wire id, never handed out before by this table.
    pub(crate) fn next_id(&mut self) -> RequestId {
        let id = self.next_id;
        self.next_id = self.next_id.saturating_add(1);
        RequestId::Number(id)
    }

    /// A fresh handle.
    pub(crate) fn next_handle(&mut self) -> RequestHandle {
        let handle = RequestHandle(self.next_handle);
        self.next_handle = self.next_handle.saturating_add(1);
        handle
    }

    /// Starts tracking `pending` under `handle`.
    pub(crate) fn insert(&mut self, handle: RequestHandle, pending: Pending<T>) {
        self.by_id.insert(pending.id.clone(), handle);
        if let Some(deadline) = pending.deadline {
            self.deadlines.insert((deadline, handle));
        }
        self.count(&pending.extra, true);
        if let Some(old) = self.entries.insert(handle, pending) {
            self.count(&old.extra, false);
            self.forget_indexes(handle, &old);
        }
    }

    /// How many entries of `class` there are.
    pub(crate) fn count_of(&self, class: usize) -> usize {
        self.counts.get(class).copied().unwrap_or(0)
    }

    fn count(&mut self, extra: &T, added: bool) {
        if let Some(count) = self.counts.get_mut(extra.class()) {
            *count = if added {
                count.saturating_add(1)
            } else {
                count.saturating_sub(1)
            };
        }
    }

    /// The request answered by a response with `id`.
    pub(crate) fn handle_of(&self, id: &RequestId) -> Option<RequestHandle> {
        self.by_id.get(id).copied()
    }

    /// The entry of `handle`.
    pub(crate) fn get(&self, handle: RequestHandle) -> Option<&Pending<T>> {
        self.entries.get(&handle)
    }

    /// The entry of `handle`, to change what the owner keeps (not the id or deadline).
    pub(crate) fn get_mut(&mut self, handle: RequestHandle) -> Option<&mut Pending<T>> {
        self.entries.get_mut(&handle)
    }

    /// Stops tracking `handle`, returning its entry.
    pub(crate) fn remove(&mut self, handle: RequestHandle) -> Option<Pending<T>> {
        let pending = self.entries.remove(&handle)?;
        self.count(&pending.extra, false);
        self.forget_indexes(handle, &pending);
        Some(pending)
    }

    /// Moves `handle` to a new wire id (a retry); the old id is forgotten, so a late
    /// answer to it is dropped.
    pub(crate) fn rekey(&mut self, handle: RequestHandle, id: RequestId) {
        if let Some(pending) = self.entries.get_mut(&handle) {
            self.by_id.remove(&pending.id);
            self.by_id.insert(id.clone(), handle);
            pending.id = id;
        }
    }

    /// Sets or clears the deadline of `handle`.
    pub(crate) fn set_deadline(&mut self, handle: RequestHandle, deadline: Option<Timestamp>) {
        if let Some(pending) = self.entries.get_mut(&handle) {
            if let Some(old) = pending.deadline {
                self.deadlines.remove(&(old, handle));
            }
            pending.deadline = deadline;
            if let Some(new) = deadline {
                self.deadlines.insert((new, handle));
            }
        }
    }

    /// The earliest deadline.
    pub(crate) fn next_deadline(&self) -> Option<Timestamp> {
        self.deadlines.first().map(|(deadline, _)| *deadline)
    }

    /// The earliest request whose deadline is at or before `now`; its deadline is
    /// cleared so it is reported once.
    pub(crate) fn pop_expired(&mut self, now: Timestamp) -> Option<RequestHandle> {
        let &(deadline, handle) = self.deadlines.first()?;
        if deadline > now {
            return None;
        }
        self.set_deadline(handle, None);
        Some(handle)
    }

    /// Requests in flight.
    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }

    /// Handles in flight, oldest first.
    pub(crate) fn handles(&self) -> impl Iterator<Item = RequestHandle> + '_ {
        self.entries.keys().copied()
    }

    fn forget_indexes(&mut self, handle: RequestHandle, pending: &Pending<T>) {
        if self.by_id.get(&pending.id) == Some(&handle) {
            self.by_id.remove(&pending.id);
        }
        if let Some(deadline) = pending.deadline {
            self.deadlines.remove(&(deadline, handle));
        }
    }
}

#[cfg(test)]
impl Classified for () {}

/// Test entries of a chosen class.
#[cfg(test)]
impl Classified for usize {
    fn class(&self) -> usize {
        *self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_never_reused_and_deadlines_pop_in_order() {
        let mut table: PendingTable<()> = PendingTable::default();
        let (a, b) = (table.next_handle(), table.next_handle());
        let (id_a, id_b) = (table.next_id(), table.next_id());
        assert_ne!(id_a, id_b);
        table.insert(
            a,
            Pending {
                id: id_a.clone(),
                deadline: Some(Timestamp::from_millis(20)),
                extra: (),
            },
        );
        table.insert(
            b,
            Pending {
                id: id_b.clone(),
                deadline: Some(Timestamp::from_millis(10)),
                extra: (),
            },
        );
        assert_eq!(table.next_deadline(), Some(Timestamp::from_millis(10)));
        assert_eq!(table.pop_expired(Timestamp::from_millis(5)), None);
        assert_eq!(table.pop_expired(Timestamp::from_millis(25)), Some(b));
        assert_eq!(table.pop_expired(Timestamp::from_millis(25)), Some(a));
        assert_eq!(table.pop_expired(Timestamp::from_millis(25)), None);
        let retry = table.next_id();
        table.rekey(a, retry.clone());
        assert_eq!(table.handle_of(&id_a), None);
        assert_eq!(table.handle_of(&retry), Some(a));
        assert!(table.remove(a).is_some());
        assert_eq!(table.handle_of(&retry), None);
        assert_eq!(table.len(), 1);
    }

    #[test]
    fn counts_follow_inserts_replacements_and_removals() {
        let mut table: PendingTable<usize> = PendingTable::default();
        let entry = |table: &mut PendingTable<usize>, class| Pending {
            id: table.next_id(),
            deadline: None,
            extra: class,
        };
        let (a, b, c) = (
            table.next_handle(),
            table.next_handle(),
            table.next_handle(),
        );
        let (ea, eb, ec) = (
            entry(&mut table, 1),
            entry(&mut table, 1),
            entry(&mut table, 2),
        );
        table.insert(a, ea);
        table.insert(b, eb);
        table.insert(c, ec);
        assert_eq!(
            (table.count_of(0), table.count_of(1), table.count_of(2)),
            (0, 2, 1)
        );
        // Replacing an entry moves it between counts.
        let replacement = entry(&mut table, 0);
        table.insert(b, replacement);
        assert_eq!(
            (table.count_of(0), table.count_of(1), table.count_of(2)),
            (1, 1, 1)
        );
        assert!(table.remove(c).is_some());
        assert!(table.remove(c).is_none(), "a second removal counts nothing");
        assert_eq!((table.count_of(1), table.count_of(2)), (1, 0));
        assert_eq!(table.count_of(CLASSES), 0, "no such class");
    }
}
