//! `Accept` and `Content-Type`: media type matching (RFC 9110 §12.5.1, §8.3).

use crate::http::head::{RequestHead, trim_whitespace};

/// Splits `type/subtype` (parameters already removed) into its two halves.
fn split_media_type(text: &[u8]) -> Option<(&[u8], &[u8])> {
    let text = trim_whitespace(text);
    let slash = text.iter().position(|b| *b == b'/')?;
    let (kind, rest) = text.split_at(slash);
    let subtype = rest.get(1..)?;
    (!kind.is_empty() && !subtype.is_empty()).then_some((kind, subtype))
}

/// True when the `q` parameter of a media range is zero ("not acceptable").
fn q_is_zero(parameters: &[u8]) -> bool {
    parameters
        .split(|b| *b == b';')
        .filter_map(|parameter| {
            let parameter = trim_whitespace(parameter);
            let equals = parameter.iter().position(|b| *b == b'=')?;
            let (name, value) = parameter.split_at(equals);
            trim_whitespace(name)
                .eq_ignore_ascii_case(b"q")
                .then(|| trim_whitespace(value.get(1..).unwrap_or(&[])))
        })
        .next_back()
        .is_some_and(|q| {
            // A weight is `0` or `1` followed by an optional fraction of up to 3 digits.
            q.first() == Some(&b'0')
                && q.get(1..)
                    .is_none_or(|fraction| fraction.iter().all(|b| matches!(b, b'.' | b'0')))
        })
}

/// True when the `Accept` headers of `head` accept `media_type` (`"application/json"`).
///
/// Every `Accept` header and every comma-separated range counts; the most specific range
/// that matches decides (`type/subtype` over `type/*` over `*/*`), and a weight of `q=0`
/// refuses. No `Accept` header accepts nothing: MCP requires clients to list the types.
pub fn accepts(head: &RequestHead<'_>, media_type: &str) -> bool {
    let [accepted] = accepts_each(head, [media_type]);
    accepted
}

/// [`accepts`] for several media types in one pass over the `Accept` headers.
pub(crate) fn accepts_each<const N: usize>(
    head: &RequestHead<'_>,
    media_types: [&str; N],
) -> [bool; N] {
    if let Some(listed) = common_accept(head) {
        // Two exact ranges without parameters: a media type is accepted exactly when it
        // is one of them (what the general reading below finds for such a header).
        return media_types.map(|media_type| {
            listed
                .iter()
                .any(|range| media_type.as_bytes().eq_ignore_ascii_case(range))
        });
    }
    let wanted = media_types.map(|media_type| split_media_type(media_type.as_bytes()));
    // Per media type: (specificity, acceptable) of the best match so far.
    let mut best: [Option<(u8, bool)>; N] = [None; N];
    for value in head.headers_named("accept") {
        for range in value.split(|b| *b == b',') {
            let (range, parameters) = match range.iter().position(|b| *b == b';') {
                Some(at) => range.split_at(at),
                None => (range, &[][..]),
            };
            let Some((kind, subtype)) = split_media_type(range) else {
                continue;
            };
            // Read once per range, and only when some media type matches it.
            let mut acceptable = None;
            for (want, best) in wanted.iter().zip(best.iter_mut()) {
                let Some((want_kind, want_subtype)) = want else {
                    continue;
                };
                let specificity = if kind == b"*" && subtype == b"*" {
                    0
                } else if kind.eq_ignore_ascii_case(want_kind) && subtype == b"*" {
                    1
                } else if kind.eq_ignore_ascii_case(want_kind)
                    && subtype.eq_ignore_ascii_case(want_subtype)
                {
                    2
                } else {
                    continue;
                };
                let acceptable = *acceptable.get_or_insert_with(|| !q_is_zero(parameters));
                if best.is_none_or(|(seen, _)| specificity > seen) {
                    *best = Some((specificity, acceptable));
                } else if *best == Some((specificity, true)) && !acceptable {
                    // Equally specific ranges disagree: refusal wins.
                    *best = Some((specificity, false));
                }
            }
        }
    }
    best.map(|best| best.is_some_and(|(_, acceptable)| acceptable))
}

/// The ranges of the `Accept` header most clients send, when it is the only one: exactly
/// `application/json, text/event-stream` (in either order).
fn common_accept(head: &RequestHead<'_>) -> Option<[&'static [u8]; 2]> {
    const JSON_FIRST: &[u8] = b"application/json, text/event-stream";
    const STREAM_FIRST: &[u8] = b"text/event-stream, application/json";
    let mut values = head.headers_named("accept");
    let value = values.next()?;
    if values.next().is_some() || !(value == JSON_FIRST || value == STREAM_FIRST) {
        return None;
    }
    Some([b"application/json", b"text/event-stream"])
}

/// True when `content_type` names `media_type`, ignoring case and parameters
/// (`application/json; charset=utf-8` is JSON).
pub fn is_media_type(content_type: &[u8], media_type: &str) -> bool {
    let essence = match content_type.iter().position(|b| *b == b';') {
        Some(at) => content_type.get(..at).unwrap_or(&[]),
        None => content_type,
    };
    trim_whitespace(essence).eq_ignore_ascii_case(media_type.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_common_accept_header_reads_as_any_other() {
        let wanted = [
            "application/json",
            "text/event-stream",
            "APPLICATION/JSON",
            "application/*",
            "text/html",
            "*/*",
        ];
        for value in [
            "application/json, text/event-stream",
            "text/event-stream, application/json",
        ] {
            let headers: [(&str, &[u8]); 1] = [("Accept", value.as_bytes())];
            let head = RequestHead::new(crate::http::HttpMethod::Post, "/", &headers);
            assert!(common_accept(&head).is_some());
            for media_type in wanted {
                assert_eq!(
                    accepts(&head, media_type),
                    accepts_general(&head, media_type),
                    "{value} / {media_type}"
                );
            }
        }
    }

    /// `accepts` by the general reading only.
    fn accepts_general(head: &RequestHead<'_>, media_type: &str) -> bool {
        // A second, empty Accept header changes nothing but disables the fast path.
        let mut headers: alloc::vec::Vec<(&str, &[u8])> = head.headers.to_vec();
        headers.push(("Accept", b""));
        let head = RequestHead::new(head.method, head.path, &headers);
        assert!(common_accept(&head).is_none());
        accepts(&head, media_type)
    }
}
