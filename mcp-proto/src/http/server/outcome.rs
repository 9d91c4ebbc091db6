//! Reading whether an encoded message is the response to a request, and how it ended,
//! without decoding it whole when the encoder's own layout tells.

use alloc::vec::Vec;

use crate::json::splice::push_json_string;
use crate::jsonrpc::{ErrorCode, Message, Outcome, RequestId, decode};

/// `Some(None)` when `line` (one JSON-RPC message, a trailing newline allowed) is the
/// successful response to `id`, `Some(Some(code))` when it is an error response to it,
/// `None` when it is anything else.
///
/// The HTTP status of a plain JSON answer depends on it
/// ([`status_for_error`](crate::http::status_for_error)).
pub fn response_outcome(line: &[u8], id: &RequestId) -> Option<Option<ErrorCode>> {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    // This crate's encoder writes `jsonrpc` first, then `id` for a response and `method`
    // for anything else: most lines are classified without a parse.
    if line.starts_with(br#"{"jsonrpc":"2.0","method":"#) {
        return None;
    }
    if let Some(rest) = line.strip_prefix(&br#"{"jsonrpc":"2.0","id":"#[..])
        && starts_with_id(rest, id).is_some_and(|rest| rest.starts_with(br#","result":"#))
    {
        return Some(None);
    }
    match decode(line) {
        Ok(Message::Response(response)) if response.id.as_ref() == Some(id) => {
            match response.outcome {
                Outcome::Result(_) => Some(None),
                Outcome::Error(error) => Some(Some(error.code)),
            }
        }
        _ => None,
    }
}

/// `text` without its leading `id` when it starts with the JSON encoding of `id` as this
/// crate's encoder writes it (`None` otherwise).
fn starts_with_id<'a>(text: &'a [u8], id: &RequestId) -> Option<&'a [u8]> {
    match id {
        RequestId::Number(number) => {
            let mut digits = [0u8; 20];
            let mut at = digits.len();
            let mut rest = number.unsigned_abs();
            loop {
                at -= 1;
                // A digit: `rest % 10` is below 10.
                *digits.get_mut(at)? = b'0' + (rest % 10) as u8;
                rest /= 10;
                if rest == 0 {
                    break;
                }
            }
            let text = if *number < 0 {
                text.strip_prefix(b"-")?
            } else {
                text
            };
            text.strip_prefix(digits.get(at..)?)
        }
        RequestId::String(string) => {
            let mut encoded = Vec::with_capacity(string.len() + 2);
            push_json_string(&mut encoded, string);
            text.strip_prefix(encoded.as_slice())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_recognised_as_the_encoder_writes_them() {
        for id in [
            RequestId::Number(0),
            RequestId::Number(7),
            RequestId::Number(-7),
            RequestId::Number(i64::MAX),
            RequestId::Number(i64::MIN),
            RequestId::from("req-1"),
            RequestId::from("quo\"te\u{1}é"),
        ] {
            let encoded = serde_json::to_vec(&id).unwrap();
            let mut line = encoded.clone();
            line.extend_from_slice(b",rest");
            assert_eq!(starts_with_id(&line, &id), Some(&b",rest"[..]), "{id}");
            let other = RequestId::Number(12);
            assert_eq!(starts_with_id(&line, &other).is_some(), id == other);
            let mut success = Vec::from(&br#"{"jsonrpc":"2.0","id":"#[..]);
            success.extend_from_slice(&encoded);
            success.extend_from_slice(br#","result":{}}"#);
            assert_eq!(response_outcome(&success, &id), Some(None), "{id}");
        }
        // A longer number sharing the digits is another id.
        assert_eq!(
            starts_with_id(b"71,", &RequestId::Number(7)),
            Some(&b"1,"[..])
        );
        assert_eq!(
            response_outcome(
                br#"{"jsonrpc":"2.0","id":71,"result":{}}"#,
                &RequestId::Number(7)
            ),
            None
        );
    }

    #[test]
    fn errors_give_their_code_and_other_messages_none() {
        let id = RequestId::Number(3);
        let error = br#"{"jsonrpc":"2.0","id":3,"error":{"code":-32601,"message":"no"}}"#;
        assert_eq!(
            response_outcome(error, &id),
            Some(Some(ErrorCode::METHOD_NOT_FOUND))
        );
        let progress = br#"{"jsonrpc":"2.0","method":"notifications/progress","params":{}}"#;
        assert_eq!(response_outcome(progress, &id), None);
        assert_eq!(response_outcome(b"not json", &id), None);
    }
}
