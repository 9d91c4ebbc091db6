//! The borrowed request head every check in this module reads.

/// The HTTP method of a request, as far as MCP cares.
///
/// The endpoint accepts `POST` (both eras) and, for legacy sessions only, `GET` and
/// `DELETE`; every other method is answered `405 Method Not Allowed`. CORS preflight
/// (`OPTIONS`) for browser clients is the driver's business, before routing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum HttpMethod {
    /// `GET`: a legacy standalone SSE stream or a `Last-Event-ID` resume.
    Get,
    /// `POST`: one JSON-RPC message.
    Post,
    /// `DELETE`: legacy session termination.
    Delete,
    /// Any other method (`PUT`, `OPTIONS`, …).
    Other,
}

impl HttpMethod {
    /// Reads a method token. Methods are case-sensitive (RFC 9110 §9.1), so `get` is
    /// [`HttpMethod::Other`].
    pub fn parse(method: &str) -> HttpMethod {
        match method {
            "GET" => HttpMethod::Get,
            "POST" => HttpMethod::Post,
            "DELETE" => HttpMethod::Delete,
            _ => HttpMethod::Other,
        }
    }
}

/// A request's method, path and headers, borrowed from whatever HTTP library parsed them.
///
/// Header names compare case-insensitively (`mcp-method`, `Mcp-Method` and `MCP-METHOD`
/// are one header); values are case-sensitive and are returned with surrounding spaces
/// and tabs trimmed, because optional whitespace is not part of a field value
/// (RFC 9110 §5.5).
///
/// When a name occurs more than once, [`RequestHead::header`] returns the **first** copy.
/// Checks that must not guess between copies (the modern `MCP-Protocol-Version`,
/// `Mcp-Method`, `Mcp-Name` and `Mcp-Param-*` headers) use [`RequestHead::unique_header`]
/// instead, which refuses duplicates; list-valued headers (`Accept`) read every copy with
/// [`RequestHead::headers_named`].
///
/// An HTTP/2 or HTTP/3 driver passes the `:authority` pseudo-header as `Host`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RequestHead<'a> {
    /// The request method.
    pub method: HttpMethod,
    /// The request target's path, query included if the driver keeps it.
    pub path: &'a str,
    /// Every header field in arrival order, as (name, raw value).
    pub headers: &'a [(&'a str, &'a [u8])],
}

/// A header that must occur at most once occurred several times.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the header occurs more than once")]
pub struct DuplicateHeader;

impl<'a> RequestHead<'a> {
    /// A head from its parts.
    pub fn new(method: HttpMethod, path: &'a str, headers: &'a [(&'a str, &'a [u8])]) -> Self {
        RequestHead {
            method,
            path,
            headers,
        }
    }

    /// The first value of header `name` (case-insensitive), trimmed of spaces and tabs.
    pub fn header(&self, name: &str) -> Option<&'a [u8]> {
        self.headers_named(name).next()
    }

    /// The first value of header `name` as text; `None` when absent or not UTF-8.
    pub fn header_str(&self, name: &str) -> Option<&'a str> {
        self.header(name)
            .and_then(|value| core::str::from_utf8(value).ok())
    }

    /// Every value of header `name`, in arrival order, each trimmed.
    pub fn headers_named<'n>(&self, name: &'n str) -> impl Iterator<Item = &'a [u8]> + 'n
    where
        'a: 'n,
    {
        self.headers
            .iter()
            .filter(move |(field, _)| field.eq_ignore_ascii_case(name))
            .map(|(_, value)| trim_whitespace(value))
    }

    /// The value of header `name` when it occurs at most once.
    pub fn unique_header(&self, name: &str) -> Result<Option<&'a [u8]>, DuplicateHeader> {
        let mut values = self.headers_named(name);
        let first = values.next();
        match values.next() {
            Some(_) => Err(DuplicateHeader),
            None => Ok(first),
        }
    }

    /// [`Self::unique_header`] for several names, in one pass over the headers.
    pub fn unique_headers<const N: usize>(
        &self,
        names: [&str; N],
    ) -> [Result<Option<&'a [u8]>, DuplicateHeader>; N] {
        let mut found: [Result<Option<&'a [u8]>, DuplicateHeader>; N] = [Ok(None); N];
        for (field, value) in self.headers {
            for (name, slot) in names.iter().zip(found.iter_mut()) {
                if field.eq_ignore_ascii_case(name) {
                    *slot = match slot {
                        Ok(None) => Ok(Some(trim_whitespace(value))),
                        _ => Err(DuplicateHeader),
                    };
                }
            }
        }
        found
    }

    /// The path without its query string.
    pub fn path_without_query(&self) -> &'a str {
        self.path.split('?').next().unwrap_or(self.path)
    }
}

/// `value` without leading and trailing spaces and horizontal tabs.
pub fn trim_whitespace(value: &[u8]) -> &[u8] {
    let is_space = |b: &u8| *b == b' ' || *b == b'\t';
    let start = value
        .iter()
        .position(|b| !is_space(b))
        .unwrap_or(value.len());
    let end = value
        .iter()
        .rposition(|b| !is_space(b))
        .map_or(start, |at| at + 1);
    value.get(start..end).unwrap_or(&[])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unique_headers_agree_with_unique_header() {
        let headers: [(&str, &[u8]); 5] = [
            ("MCP-Protocol-Version", b" 2026-07-28 "),
            ("mcp-method", b"tools/call"),
            ("Mcp-Name", b"a"),
            ("mcp-name", b"b"),
            ("Other", b"x"),
        ];
        let head = RequestHead::new(HttpMethod::Post, "/", &headers);
        let names = ["mcp-protocol-version", "MCP-METHOD", "mcp-name", "absent"];
        let together = head.unique_headers(names);
        for (name, found) in names.iter().zip(together) {
            assert_eq!(found, head.unique_header(name), "{name}");
        }
    }
}
