//! The client half of multi-round-trip requests (2026-07-28, section 7.5): reading an
//! `InputRequiredResult`, bounding the rounds, and what a retry must carry.
//!
//! The retry is the same logical request: same method and params, a new JSON-RPC id,
//! the answers as `inputResponses`, the last `requestState` echoed exactly as received
//! (its JSON text is kept, never decoded and re-encoded), and a fresh envelope. The
//! connection keeps the application's handle across rounds.

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;

use crate::jsonrpc::ResultBody;
use crate::jsonrpc::scan::object_members;
use crate::types::{InputRequests, InputRequiredResult, InputResponses};

/// Where one logical request is in its rounds.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Rounds {
    /// Input-required results received so far.
    pub(crate) round: u8,
    /// The `requestState` of the last round as its raw JSON string text (quotes and
    /// escapes included), to be echoed byte for byte; `None` when the server sent none.
    pub(crate) request_state: Option<Box<str>>,
    /// The keys of the last round's input requests, all of which the retry must answer.
    pub(crate) expected: Vec<String>,
}

/// One round the server asked for.
#[derive(Debug, PartialEq)]
pub(crate) struct InputRound {
    /// What the server asks for (empty when it sent only `requestState`).
    pub(crate) requests: InputRequests,
    /// `requestState` as raw JSON text.
    pub(crate) request_state: Option<Box<str>>,
}

/// Reads an `InputRequiredResult` (already validated for the version in use).
pub(crate) fn read_round(body: &ResultBody) -> Result<InputRound, serde_json::Error> {
    let result: InputRequiredResult = body.decode()?;
    let [state] = object_members(body.raw().get(), ["requestState"]);
    Ok(InputRound {
        requests: result.input_requests.unwrap_or_default(),
        // Decoding succeeded, so a present member is a JSON string.
        request_state: state
            .filter(|_| result.request_state.is_some())
            .map(Box::from),
    })
}

impl Rounds {
    /// Records a new round; `None` when it would exceed `limit` rounds.
    pub(crate) fn advance(&mut self, round: &InputRound, limit: u8) -> Option<u8> {
        let next = self.round.checked_add(1).filter(|next| *next <= limit)?;
        self.round = next;
        self.request_state.clone_from(&round.request_state);
        self.expected = round.requests.keys().cloned().collect();
        Some(next)
    }

    /// True when `responses` answers every input request of the last round.
    pub(crate) fn is_answered_by(&self, responses: &InputResponses) -> bool {
        self.expected.iter().all(|key| responses.contains_key(key))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::RawJson;

    #[test]
    fn rounds_keep_state_text_and_stop_at_the_limit() {
        let text = r#"{"resultType":"input_required","inputRequests":{"k":{"method":"roots/list"}},"requestState":"s\u0031 \"q\""}"#;
        let body = ResultBody::from_object(RawJson::from_text(text).unwrap());
        let round = read_round(&body).unwrap();
        assert_eq!(round.request_state.as_deref(), Some(r#""s\u0031 \"q\"""#));
        let mut rounds = Rounds::default();
        assert_eq!(rounds.advance(&round, 2), Some(1));
        assert!(!rounds.is_answered_by(&InputResponses::new()));
        assert_eq!(rounds.advance(&round, 2), Some(2));
        assert_eq!(rounds.advance(&round, 2), None);

        let bare = ResultBody::from_object(
            RawJson::from_text(r#"{"resultType":"input_required","inputRequests":{}}"#).unwrap(),
        );
        let round = read_round(&bare).unwrap();
        assert!(round.request_state.is_none() && round.requests.is_empty());
    }
}
