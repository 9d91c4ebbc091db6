//! Pagination of `tools/list`, `resources/list`, `resources/templates/list` and
//! `prompts/list`.
//!
//! With a page size set ([`ServerBuilder::page_size`](super::ServerBuilder::page_size)) a
//! listing is cut into pages of that many items, and every page but the last carries a
//! `nextCursor`. Without one (the default) everything is on the first page. Cursors are
//! opaque to clients; here one is the base64url text of the list method and the offset
//! where the next page starts, so a cursor of another list method, or one that was
//! altered, is refused with -32602 rather than silently serving the wrong page.

use std::format;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Serialize;

use mcp_proto::jsonrpc::{ErrorCode, Params};
use mcp_proto::server::Reply;
use mcp_proto::types::PaginatedRequestParams;

/// The longest cursor worth decoding; ours are far shorter.
const MAX_CURSOR_BYTES: usize = 128;

/// Why a cursor was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CursorError {
    /// Not a cursor this server hands out.
    Malformed,
    /// A cursor of another list method.
    Foreign,
    /// An offset no page of the listing starts at.
    OutOfRange,
}

/// The cursor of the page of `method` that starts at `offset`.
pub(crate) fn encode_cursor(method: &str, offset: usize) -> String {
    URL_SAFE_NO_PAD.encode(format!("{method} {offset}"))
}

/// The offset `cursor` names in the listing of `method`, which holds `len` items.
pub(crate) fn decode_cursor(method: &str, cursor: &str, len: usize) -> Result<usize, CursorError> {
    if cursor.len() > MAX_CURSOR_BYTES {
        return Err(CursorError::Malformed);
    }
    let bytes = URL_SAFE_NO_PAD
        .decode(cursor)
        .map_err(|_| CursorError::Malformed)?;
    let text = String::from_utf8(bytes).map_err(|_| CursorError::Malformed)?;
    let (named, offset) = text.rsplit_once(' ').ok_or(CursorError::Malformed)?;
    // Only the canonical decimal form: no sign, no leading zeros.
    if offset.is_empty()
        || !offset.bytes().all(|byte| byte.is_ascii_digit())
        || (offset.len() > 1 && offset.starts_with('0'))
    {
        return Err(CursorError::Malformed);
    }
    let offset: usize = offset.parse().map_err(|_| CursorError::Malformed)?;
    if named != method {
        return Err(CursorError::Foreign);
    }
    // Every cursor handed out points inside the listing, past its first page.
    if offset == 0 || offset >= len {
        return Err(CursorError::OutOfRange);
    }
    Ok(offset)
}

/// The page of `items` the request asks for, as the result of `method` with the items
/// under `key`, and `nextCursor` when more follow.
pub(crate) fn list_page<T: Serialize>(
    method: &str,
    key: &str,
    items: &[T],
    params: Option<&Params>,
    page_size: Option<usize>,
) -> Reply {
    let cursor = match params.map(Params::decode::<PaginatedRequestParams>) {
        Some(Ok(params)) => params.cursor,
        Some(Err(error)) => {
            return Reply::error(
                ErrorCode::INVALID_PARAMS,
                format!("Invalid params: {error}"),
            );
        }
        None => None,
    };
    let start = match cursor
        .as_deref()
        .map(|c| decode_cursor(method, c, items.len()))
    {
        None => 0,
        Some(Ok(offset)) => offset,
        Some(Err(_)) => {
            return Reply::error(
                ErrorCode::INVALID_PARAMS,
                format!("Invalid params: {method} does not know this cursor"),
            );
        }
    };
    let end = match page_size {
        Some(size) => start.saturating_add(size.max(1)).min(items.len()),
        None => items.len(),
    };
    let page = items.get(start..end).unwrap_or_default();
    let mut result = serde_json::Map::new();
    result.insert(
        String::from(key),
        serde_json::to_value(page).unwrap_or_default(),
    );
    if end < items.len() {
        result.insert(
            String::from("nextCursor"),
            serde_json::Value::String(encode_cursor(method, end)),
        );
    }
    Reply::result(&result)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result_of(reply: Reply) -> serde_json::Value {
        match reply {
            Reply::Result(raw) => serde_json::from_str(raw.get()).unwrap(),
            other => std::panic!("not a result: {other:?}"),
        }
    }

    fn error_code(reply: Reply) -> i64 {
        match reply {
            Reply::Error(error) => error.code.0,
            other => std::panic!("not an error: {other:?}"),
        }
    }

    fn with_cursor(cursor: &str) -> Params {
        Params::from_serialize(&serde_json::json!({ "cursor": cursor })).unwrap()
    }

    #[test]
    fn cursors_round_trip_and_name_their_method() {
        let cursor = encode_cursor("tools/list", 20);
        assert_eq!(decode_cursor("tools/list", &cursor, 21), Ok(20));
        assert_eq!(
            decode_cursor("prompts/list", &cursor, 21),
            Err(CursorError::Foreign)
        );
        assert_eq!(
            decode_cursor("tools/list", &cursor, 20),
            Err(CursorError::OutOfRange)
        );
        let zero = encode_cursor("tools/list", 0);
        assert_eq!(
            decode_cursor("tools/list", &zero, 5),
            Err(CursorError::OutOfRange)
        );
    }

    #[test]
    fn malformed_cursors_are_refused() {
        let forged = |text: &str| URL_SAFE_NO_PAD.encode(text);
        for cursor in [
            String::new(),
            String::from("not base64!"),
            URL_SAFE_NO_PAD.encode([0xff, 0xfe]),
            forged("tools/list"),
            forged("tools/list "),
            forged("tools/list -1"),
            forged("tools/list +1"),
            forged("tools/list 01"),
            forged("tools/list 1.0"),
            forged("tools/list 99999999999999999999999999"),
            "A".repeat(MAX_CURSOR_BYTES + 4),
        ] {
            assert_eq!(
                decode_cursor("tools/list", &cursor, 100),
                Err(CursorError::Malformed),
                "{cursor:?}"
            );
        }
    }

    #[test]
    fn pages_cover_the_listing_once_in_order() {
        let items: Vec<u32> = (0..7).collect();
        let mut seen = Vec::new();
        let mut params = None;
        let mut pages = 0;
        loop {
            let page = result_of(list_page(
                "tools/list",
                "tools",
                &items,
                params.as_ref(),
                Some(3),
            ));
            pages += 1;
            let found = page["tools"].as_array().unwrap();
            assert!(found.len() <= 3);
            seen.extend(found.iter().map(|item| item.as_u64().unwrap() as u32));
            match page.get("nextCursor") {
                Some(cursor) => params = Some(with_cursor(cursor.as_str().unwrap())),
                None => break,
            }
        }
        assert_eq!(pages, 3);
        assert_eq!(seen, items);
    }

    #[test]
    fn without_a_page_size_everything_is_on_one_page() {
        let items: Vec<u32> = (0..500).collect();
        let page = result_of(list_page("prompts/list", "prompts", &items, None, None));
        assert_eq!(page["prompts"].as_array().unwrap().len(), 500);
        assert!(page.get("nextCursor").is_none());
        let empty: Vec<u32> = Vec::new();
        let page = result_of(list_page("prompts/list", "prompts", &empty, None, Some(2)));
        assert_eq!(page["prompts"], serde_json::json!([]));
        assert!(page.get("nextCursor").is_none());
    }

    #[test]
    fn bad_cursors_are_invalid_params() {
        let items: Vec<u32> = (0..7).collect();
        let foreign = with_cursor(&encode_cursor("resources/list", 3));
        let reply = list_page("tools/list", "tools", &items, Some(&foreign), Some(3));
        assert_eq!(error_code(reply), -32602);
        let garbage = with_cursor("garbage");
        let reply = list_page("tools/list", "tools", &items, Some(&garbage), Some(3));
        assert_eq!(error_code(reply), -32602);
        // Paging off: a cursor was never handed out, but a valid one is still honoured.
        let valid = with_cursor(&encode_cursor("tools/list", 5));
        let page = result_of(list_page("tools/list", "tools", &items, Some(&valid), None));
        assert_eq!(page["tools"], serde_json::json!([5, 6]));
    }
}
