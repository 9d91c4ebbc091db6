//! Legacy (2025-11-25) sessions, SSE event ids and the replay buffer for resumption.
//!
//! Only the legacy era has any of this. A modern (2026-07-28) endpoint mints no
//! `Mcp-Session-Id`, ignores one it receives, puts no `id:` on SSE events, sends no
//! priming event and never replays: a broken modern stream loses its request, which the
//! client re-issues with a new id.

use alloc::collections::{BTreeMap, VecDeque};
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;
use core::time::Duration;

use crate::http::route::LegacyPost;
use crate::http::status::HttpResponse;
use crate::jsonrpc::{ErrorCode, ErrorObject, Message, RequestId};
use crate::time::Timestamp;

/// The longest session id accepted (a UUID is 36 bytes, a JWT a few hundred).
pub const MAX_SESSION_ID_LENGTH: usize = 512;

/// True when `id` is a valid `Mcp-Session-Id`: 1 to [`MAX_SESSION_ID_LENGTH`] bytes of
/// visible ASCII (0x21–0x7E).
pub fn is_valid_session_id(id: &str) -> bool {
    (1..=MAX_SESSION_ID_LENGTH).contains(&id.len())
        && id.bytes().all(|b| (0x21..=0x7E).contains(&b))
}

/// Why a session could not be added.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum SessionInsertError {
    /// The table holds its maximum number of sessions (expire idle ones first).
    #[error("the session table is full")]
    Full,
    /// The id is not a valid session id (see [`is_valid_session_id`]).
    #[error("the session id is not 1 to 512 visible ASCII characters")]
    InvalidId,
    /// A session with this id already exists (the caller's random source repeated).
    #[error("a session with this id already exists")]
    Duplicate,
}

impl SessionInsertError {
    /// The answer to the `initialize` that wanted the session: 503 when full, 500
    /// otherwise (both are the server's problem, not the client's).
    pub fn response(self, id: Option<&RequestId>) -> HttpResponse {
        let (status, message) = match self {
            SessionInsertError::Full => (503, "Service Unavailable: too many sessions"),
            SessionInsertError::InvalidId | SessionInsertError::Duplicate => {
                (500, "Internal error: could not create a session")
            }
        };
        HttpResponse::json_rpc_error(
            status,
            id,
            &ErrorObject::with_message(ErrorCode::INTERNAL_ERROR, message),
        )
    }
}

/// What a legacy POST belongs to, once its session header is checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SessionResolution<'a> {
    /// An `initialize` without a session id: create a session (mint an id, answer
    /// `InitializeResult` with an `Mcp-Session-Id` header, then [`SessionTable::insert`]).
    Initialize,
    /// A message of this live session.
    Existing(&'a str),
}

#[derive(Clone, Debug)]
struct SessionEntry<T> {
    value: T,
    last_active: Timestamp,
}

/// A bounded table of legacy sessions, keyed by `Mcp-Session-Id`.
///
/// Ids come from the caller (the core draws no randomness): mint an unguessable one
/// (a UUIDv4 or 128 random bits in hex) and pass it to [`SessionTable::insert`]. Sessions
/// idle for longer than the caller's limit go with [`SessionTable::expire`]; wake up for
/// that at [`SessionTable::next_expiry`].
#[derive(Clone, Debug)]
pub struct SessionTable<T> {
    sessions: BTreeMap<String, SessionEntry<T>>,
    max_sessions: usize,
}

impl<T> SessionTable<T> {
    /// An empty table holding at most `max_sessions` sessions.
    pub fn new(max_sessions: usize) -> Self {
        SessionTable {
            sessions: BTreeMap::new(),
            max_sessions,
        }
    }

    /// The configured maximum.
    pub fn max_sessions(&self) -> usize {
        self.max_sessions
    }

    /// The number of live sessions.
    pub fn len(&self) -> usize {
        self.sessions.len()
    }

    /// True when no session is live.
    pub fn is_empty(&self) -> bool {
        self.sessions.is_empty()
    }

    /// True when no further session fits.
    pub fn is_full(&self) -> bool {
        self.sessions.len() >= self.max_sessions
    }

    /// Adds session `id` with `value`, active as of `now`.
    pub fn insert(
        &mut self,
        now: Timestamp,
        id: String,
        value: T,
    ) -> Result<(), SessionInsertError> {
        if !is_valid_session_id(&id) {
            return Err(SessionInsertError::InvalidId);
        }
        if self.sessions.contains_key(&id) {
            return Err(SessionInsertError::Duplicate);
        }
        if self.is_full() {
            return Err(SessionInsertError::Full);
        }
        self.sessions.insert(
            id,
            SessionEntry {
                value,
                last_active: now,
            },
        );
        Ok(())
    }

    /// True when session `id` is live.
    pub fn contains(&self, id: &str) -> bool {
        self.sessions.contains_key(id)
    }

    /// The value of session `id`.
    pub fn get(&self, id: &str) -> Option<&T> {
        self.sessions.get(id).map(|entry| &entry.value)
    }

    /// The value of session `id`, mutably.
    pub fn get_mut(&mut self, id: &str) -> Option<&mut T> {
        self.sessions.get_mut(id).map(|entry| &mut entry.value)
    }

    /// Marks session `id` active at `now` (never moving its time back); false when it
    /// does not exist.
    pub fn touch(&mut self, now: Timestamp, id: &str) -> bool {
        match self.sessions.get_mut(id) {
            Some(entry) => {
                entry.last_active = entry.last_active.max(now);
                true
            }
            None => false,
        }
    }

    /// Ends session `id` (a `DELETE`, or the server's own decision); later requests
    /// carrying the id get 404.
    pub fn remove(&mut self, id: &str) -> Option<T> {
        self.sessions.remove(id).map(|entry| entry.value)
    }

    /// Removes and returns every session idle for `idle` or longer at `now`.
    pub fn expire(&mut self, now: Timestamp, idle: Duration) -> Vec<(String, T)> {
        let expired: Vec<String> = self
            .sessions
            .iter()
            .filter(|(_, entry)| entry.last_active.saturating_add(idle) <= now)
            .map(|(id, _)| id.clone())
            .collect();
        expired
            .into_iter()
            .filter_map(|id| {
                let entry = self.sessions.remove(&id)?;
                Some((id, entry.value))
            })
            .collect()
    }

    /// When the next session reaches `idle`; `None` when the table is empty.
    pub fn next_expiry(&self, idle: Duration) -> Option<Timestamp> {
        self.sessions
            .values()
            .map(|entry| entry.last_active.saturating_add(idle))
            .min()
    }

    /// Every live session, ordered by id.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &T)> {
        self.sessions
            .iter()
            .map(|(id, entry)| (id.as_str(), &entry.value))
    }

    /// Every live session, ordered by id, mutably (without marking any active).
    pub fn iter_mut(&mut self) -> impl Iterator<Item = (&str, &mut T)> {
        self.sessions
            .iter_mut()
            .map(|(id, entry)| (id.as_str(), &mut entry.value))
    }

    /// The session step of a legacy POST (5.6.2, 3.3.3), marking a live session active:
    ///
    /// - `initialize` without `Mcp-Session-Id` → [`SessionResolution::Initialize`];
    /// - `initialize` with one → 400, `-32600` (the session is already initialized);
    /// - a known session id → [`SessionResolution::Existing`];
    /// - an unknown or terminated one → 404, `-32001` (the client starts over);
    /// - any other message without one → 400 (this server requires sessions).
    ///
    /// Refusals of a request carry its id.
    pub fn resolve_post<'a>(
        &mut self,
        now: Timestamp,
        post: &LegacyPost<'a>,
    ) -> Result<SessionResolution<'a>, HttpResponse> {
        let request_id = match &post.message {
            Message::Request(request) => Some(&request.id),
            _ => None,
        };
        let is_initialize =
            matches!(&post.message, Message::Request(r) if r.method == "initialize");
        match (post.session_id, is_initialize) {
            (None, true) => Ok(SessionResolution::Initialize),
            (Some(_), true) => Err(HttpResponse::json_rpc_error(
                400,
                request_id,
                &ErrorObject::with_message(
                    ErrorCode::INVALID_REQUEST,
                    "Invalid Request: initialize must be sent without Mcp-Session-Id",
                ),
            )),
            (None, false) => Err(HttpResponse::json_rpc_error(
                400,
                request_id,
                &ErrorObject::with_message(
                    crate::http::status::TRANSPORT_ERROR,
                    "Bad Request: Mcp-Session-Id header is required",
                ),
            )),
            (Some(id), false) => {
                if self.touch(now, id) {
                    Ok(SessionResolution::Existing(id))
                } else {
                    Err(session_not_found(request_id))
                }
            }
        }
    }

    /// The session step of a legacy `GET` or `DELETE`: `Ok` when `session_id` is live
    /// (and marks it active), 404 otherwise.
    pub fn resolve_stream(&mut self, now: Timestamp, session_id: &str) -> Result<(), HttpResponse> {
        if self.touch(now, session_id) {
            Ok(())
        } else {
            Err(session_not_found(None))
        }
    }
}

/// 404 with `-32001`: the session is unknown or has ended (3.3.3); the client starts a
/// new one. Refusals of a request carry its id.
pub fn session_not_found(id: Option<&RequestId>) -> HttpResponse {
    HttpResponse::json_rpc_error(
        404,
        id,
        &ErrorObject::with_message(ErrorCode::SESSION_NOT_FOUND, "Session not found"),
    )
}

/// 409 for a `GET` without `Last-Event-ID` while the session's standalone stream is
/// open: each message goes on exactly one stream (3.3.2), so there is one such stream.
pub fn standalone_stream_conflict() -> HttpResponse {
    HttpResponse::json_rpc_error(
        409,
        None,
        &ErrorObject::with_message(
            crate::http::status::TRANSPORT_ERROR,
            "Conflict: this session's GET stream is already open",
        ),
    )
}

/// 400 for a `Last-Event-ID` this session cannot resume from: not an [`EventId`] of
/// ours, never issued, or past what the [`ReplayBuffer`] still holds (a client must
/// never silently miss a message).
pub fn unresumable_event_id() -> HttpResponse {
    HttpResponse::json_rpc_error(
        400,
        None,
        &ErrorObject::with_message(
            crate::http::status::TRANSPORT_ERROR,
            "Bad Request: unknown Last-Event-ID",
        ),
    )
}

/// 400 with `-32600` for a request whose id is still in flight in the session: the
/// answer could not be told apart from the first one's.
pub fn duplicate_request_id(id: &RequestId) -> HttpResponse {
    HttpResponse::json_rpc_error(
        400,
        Some(id),
        &ErrorObject::with_message(
            ErrorCode::INVALID_REQUEST,
            "Invalid Request: this id is already in flight",
        ),
    )
}

/// True when a session that negotiated `version` gets priming events (an id and empty
/// data) on its SSE streams: 2025-11-25 and later only, since older clients may choke on
/// an empty `data` field (3.3.5).
pub fn takes_priming_event(version: &crate::version::ProtocolVersion) -> bool {
    version
        .compare(&crate::version::ProtocolVersion::V2025_11_25)
        .is_some_and(|order| order.is_ge())
}

/// A legacy SSE event id: which stream of the session, and the event's place in it.
///
/// Written as `<stream>-<sequence>` in decimal (`3-17`), so a `Last-Event-ID` names the
/// one stream to resume (3.3.5: ids are unique across the session's streams and replay
/// covers only the stream the id came from). Number the streams of a session with a
/// counter of your own (say 0 for the `GET` stream, then one per SSE-answered POST).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EventId {
    /// The stream within the session.
    pub stream: u64,
    /// The event's number within the stream, from 0.
    pub sequence: u64,
}

impl EventId {
    /// Reads `<stream>-<sequence>`; `None` for anything else (a foreign `Last-Event-ID`).
    pub fn parse(text: &str) -> Option<EventId> {
        let (stream, sequence) = text.split_once('-')?;
        let number = |part: &str| {
            (!part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()))
                .then(|| part.parse::<u64>().ok())
                .flatten()
        };
        Some(EventId {
            stream: number(stream)?,
            sequence: number(sequence)?,
        })
    }
}

impl fmt::Display for EventId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.stream, self.sequence)
    }
}

/// Why a stream cannot be resumed after an event id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum ReplayError {
    /// The id belongs to another stream.
    #[error("the event id belongs to another stream")]
    OtherStream,
    /// The id was never issued on this stream.
    #[error("the event id was never issued")]
    Unknown,
    /// Events after the id were dropped to keep the buffer bounded.
    #[error("events after this id are no longer buffered")]
    Gone,
}

/// The bytes charged for each buffered event beyond its data.
const EVENT_OVERHEAD: usize = 32;

/// The events of one legacy SSE stream, kept for resumption within a byte budget.
///
/// Each event sent on the stream gets the next [`EventId`] from [`ReplayBuffer::push`]
/// (data events, which are kept) or [`ReplayBuffer::next_id`] (the priming event and
/// other data-less events, which are not). When the buffer goes over its budget the
/// oldest events go first; resuming from before a dropped event is then
/// [`ReplayError::Gone`], so a client never silently misses a message.
#[derive(Clone, Debug)]
pub struct ReplayBuffer {
    stream: u64,
    next_sequence: u64,
    events: VecDeque<(u64, Vec<u8>)>,
    bytes: usize,
    max_bytes: usize,
    /// The newest sequence number dropped (or too large to keep).
    dropped_through: Option<u64>,
}

impl ReplayBuffer {
    /// An empty buffer for stream `stream` keeping at most `max_bytes` (data plus a small
    /// per-event overhead).
    pub fn new(stream: u64, max_bytes: usize) -> Self {
        ReplayBuffer {
            stream,
            next_sequence: 0,
            events: VecDeque::new(),
            bytes: 0,
            max_bytes,
            dropped_through: None,
        }
    }

    /// The stream this buffer numbers.
    pub fn stream(&self) -> u64 {
        self.stream
    }

    /// Bytes charged for the buffered events.
    pub fn buffered_bytes(&self) -> usize {
        self.bytes
    }

    /// The number of buffered events.
    pub fn len(&self) -> usize {
        self.events.len()
    }

    /// True when no event is buffered.
    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// The id of the newest event issued; `None` before the first.
    pub fn last_id(&self) -> Option<EventId> {
        self.next_sequence.checked_sub(1).map(|sequence| EventId {
            stream: self.stream,
            sequence,
        })
    }

    fn allocate(&mut self) -> EventId {
        let id = EventId {
            stream: self.stream,
            sequence: self.next_sequence,
        };
        self.next_sequence = self.next_sequence.saturating_add(1);
        id
    }

    /// The id for an event without data, such as the priming event (`id: …` plus an
    /// empty `data:`), which is not buffered.
    pub fn next_id(&mut self) -> EventId {
        self.allocate()
    }

    /// Buffers `data` (one JSON-RPC message) and returns the id to send it under. Older
    /// events are dropped to stay within budget; an event larger than the whole budget
    /// is not kept at all.
    pub fn push(&mut self, data: &[u8]) -> EventId {
        let id = self.allocate();
        let cost = data.len().saturating_add(EVENT_OVERHEAD);
        if cost > self.max_bytes {
            self.dropped_through = Some(id.sequence);
            return id;
        }
        while self.bytes.saturating_add(cost) > self.max_bytes {
            let Some((sequence, dropped)) = self.events.pop_front() else {
                break;
            };
            self.bytes = self
                .bytes
                .saturating_sub(dropped.len().saturating_add(EVENT_OVERHEAD));
            self.dropped_through = Some(sequence);
        }
        self.bytes = self.bytes.saturating_add(cost);
        self.events.push_back((id.sequence, data.to_vec()));
        id
    }

    /// The buffered events after `last` (the client's `Last-Event-ID`), oldest first,
    /// to send again before the stream continues.
    pub fn replay_after(
        &self,
        last: EventId,
    ) -> Result<impl Iterator<Item = (EventId, &[u8])> + '_, ReplayError> {
        if last.stream != self.stream {
            return Err(ReplayError::OtherStream);
        }
        if last.sequence >= self.next_sequence {
            return Err(ReplayError::Unknown);
        }
        if self
            .dropped_through
            .is_some_and(|dropped| dropped > last.sequence)
        {
            return Err(ReplayError::Gone);
        }
        let stream = self.stream;
        Ok(self
            .events
            .iter()
            .filter(move |(sequence, _)| *sequence > last.sequence)
            .map(move |(sequence, data)| {
                (
                    EventId {
                        stream,
                        sequence: *sequence,
                    },
                    data.as_slice(),
                )
            }))
    }
}
