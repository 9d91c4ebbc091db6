//! The fuzz body of RFC 6570 URI templates ([`UriTemplate`]): parsing, matching and
//! expansion, and [`covers_uri`].
//!
//! Input: byte 0 holds flags, the rest is split at line feeds into a template, a URI and
//! one value per variable (in [`UriTemplate::variable_names`] order; a default when
//! missing). Flag bit 4 repeats the URI up to [`MAX_URI_LEN`], for the bounded-work
//! claim; bits 0-3 leave query variables undefined (variable `i` when bit `i % 4` is set);
//! bits 5-7 pick one of [`FIXED`].
//!
//! Checked: nothing panics (and nothing runs long: libFuzzer's `-timeout` catches a
//! super-linear search); a parsed template prints as its text; a checked match is the
//! unchecked one, or fails only with [`MatchError::Traversal`]; matched values name
//! template variables and hold no NUL; and **expand then match**: for a template that
//! supports matching, the expansion of values that fit its forms (non-empty, no `%`, and
//! for `{+…}` no `?` or `#`, for `{#…}` no `#`) always matches, and for the unambiguous
//! templates of [`FIXED`] it gives back exactly those values.

use alloc::collections::BTreeMap;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use crate::types::covers_uri;
use crate::uri_template::{MAX_URI_LEN, MatchError, UriTemplate, Variables};

/// Templates whose expansions match back to the values expanded (each capture is
/// followed by text its values cannot produce once encoded).
const FIXED: [&str; 6] = [
    "x://{id}/p{+path}/s{/seg}{?q,r}{#frag}",
    "file:///{+path}",
    "users://{id}/profile{?fields,lang}",
    "x://{.ext}{;p}{&c,d}",
    "mcp://{a}{/b,c}{#d}",
    "search://{?q}{&page,sort}#top",
];

/// An expression's operator character (`None` for simple expansion) and its variables,
/// read from the text of a template that parsed and supports matching (so no modifiers).
fn expressions(template: &str) -> Vec<(Option<char>, Vec<&str>)> {
    let mut found = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let after = rest.get(open + 1..).unwrap_or_default();
        let Some(close) = after.find('}') else { break };
        let body = after.get(..close).unwrap_or_default();
        let operator = body.chars().next().filter(|c| "+#./;?&".contains(*c));
        let names = body
            .get(operator.map_or(0, char::len_utf8)..)
            .unwrap_or_default();
        found.push((operator, names.split(',').collect()));
        rest = after.get(close + 1..).unwrap_or_default();
    }
    found
}

/// Values for `template`'s variables from `lines`, made to fit their forms; query
/// variables left undefined as `flags` say.
fn values_for(template: &str, lines: &[&[u8]], flags: u8) -> Variables {
    let mut vars = Variables::new();
    let mut index = 0;
    for (operator, names) in expressions(template) {
        for name in names {
            let line = lines.get(index).copied();
            let query = matches!(operator, Some('?' | '&'));
            let undefined = query && flags & (1 << (index % 4)) != 0;
            index += 1;
            if undefined {
                continue;
            }
            let mut value = match line {
                Some(line) => String::from_utf8_lossy(line).into_owned(),
                None => alloc::format!("v{index}"),
            };
            // No `%` anywhere: a value's own triplets pass through `{+…}` and `{#…}`
            // unencoded, and decoding them would change it.
            value.retain(|c| match operator {
                Some('+') => !matches!(c, '%' | '?' | '#'),
                Some('#') => !matches!(c, '%' | '#'),
                _ => c != '%',
            });
            if value.is_empty() && !query {
                value.push('x');
            }
            vars.insert(name, value.as_str());
        }
    }
    vars
}

/// The defined values of `vars` as the map a match returns.
fn as_map(vars: &Variables) -> BTreeMap<String, String> {
    vars.iter()
        .filter_map(|(name, value)| match value {
            crate::uri_template::Value::String(text) => Some((String::from(name), text.clone())),
            _ => None,
        })
        .collect()
}

/// Matches `uri` both ways and checks that the answers agree.
fn match_both(template: &UriTemplate, uri: &str) -> Result<BTreeMap<String, String>, MatchError> {
    let checked = template.try_match(uri);
    let unchecked = template.try_match_unchecked(uri);
    let agree = match (&checked, &unchecked) {
        (Ok(values), Ok(same)) => {
            assert_eq!(values, same);
            let names = template.variable_names();
            for (name, value) in values {
                assert!(names.contains(&name.as_str()), "{name} is no variable");
                assert!(
                    !value.contains('\0'),
                    "{name} = {value:?} passed the checks"
                );
                assert!(
                    !value.starts_with(['/', '\\']),
                    "{name} = {value:?} passed the checks"
                );
            }
            true
        }
        (Err(MatchError::Traversal { variable }), Ok(values)) => values.contains_key(variable),
        (Err(error), Err(same)) => error == same,
        _ => false,
    };
    assert!(
        agree,
        "{template}: checked {checked:?}, unchecked {unchecked:?} on {uri:?}"
    );
    if !template.supports_matching() {
        assert_eq!(unchecked, Err(MatchError::Unsupported));
    }
    unchecked
}

/// Expands values that fit `template` and matches the result: it must match, and give
/// the values back when `exact`.
fn expand_then_match(template: &UriTemplate, lines: &[&[u8]], flags: u8, exact: bool) {
    if !template.supports_matching() {
        return;
    }
    let vars = values_for(template.as_str(), lines, flags);
    let uri = template.expand(&vars);
    if uri.len() > MAX_URI_LEN {
        return;
    }
    let matched = match_both(template, &uri);
    assert!(
        matched.is_ok(),
        "{template} expanded with {vars:?} to {uri:?}, which does not match: {matched:?}"
    );
    let Ok(values) = matched else {
        return;
    };
    if exact {
        assert_eq!(values, as_map(&vars), "{template} -> {uri:?}");
    }
}

/// URI templates run on `data`; see the module docs.
pub fn uri_template(data: &[u8]) {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let mut lines = rest.split(|b| *b == b'\n');
    let template_text = String::from_utf8_lossy(lines.next().unwrap_or_default());
    let mut uri = String::from_utf8_lossy(lines.next().unwrap_or_default()).into_owned();
    let values: Vec<&[u8]> = lines.collect();
    if flags & 0x10 != 0 && !uri.is_empty() {
        let unit = uri.clone();
        while uri.len() + unit.len() <= MAX_URI_LEN {
            uri.push_str(&unit);
        }
    }
    assert!(covers_uri(&uri, &uri));
    if covers_uri(&template_text, &uri) {
        assert!(uri.starts_with(&*template_text));
    }
    if let Ok(template) = UriTemplate::parse(&template_text) {
        assert_eq!(template.to_string(), template_text);
        let _ = match_both(&template, &uri);
        let mut defaults = Variables::new();
        for name in template.variable_names() {
            defaults.insert(name, uri.as_str());
        }
        let _ = match_both(&template, &template.expand(&defaults));
        expand_then_match(&template, &values, flags, false);
    }
    let fixed = FIXED
        .get(usize::from(flags >> 5) % FIXED.len())
        .copied()
        .unwrap_or_default();
    if let Ok(template) = UriTemplate::parse(fixed) {
        let _ = match_both(&template, &uri);
        let mut values = values;
        values.insert(0, rest.split(|b| *b == b'\n').next().unwrap_or_default());
        expand_then_match(&template, &values, flags, true);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(flags: u8, lines: &[&str]) -> Vec<u8> {
        let mut data = alloc::vec![flags];
        data.extend_from_slice(lines.join("\n").as_bytes());
        data
    }

    #[test]
    fn sample_inputs() {
        let cases: [&[&str]; 10] = [
            &[
                "file:///docs/{+path}",
                "file:///docs/guide/intro.md",
                "a/b c/é.md",
            ],
            &[
                "users://{id}/profile{?fields,lang}",
                "users://ada/profile?lang=en&fields=a",
                "J\u{f6}rg & Co: 50%?",
                "name email",
                "",
            ],
            &["{name}.{ext}", "a.tar.gz", "a.b", "c"],
            &["x://{.ext}{;p}", "x://.tar.gz;p=a%3Bb", "tar.gz", "a;b=c"],
            &[
                "doc://{+base}/x{#frag}",
                "doc://a/b/x#s/1?x",
                "a/b",
                "s/1?x",
            ],
            &[
                "search://{?q,page}{&sort}",
                "search://?q=a%26b&sort=-date",
                "a&b=c #d",
                "",
                "-date",
            ],
            &["{?a}{&b}", "&b=1", "", "1"],
            &["f://{+a}{&q,r}#end", "f://&q=1&q=1&r=2#end"],
            &[
                "{a}{b}{c}{d}{e}{f}{g}{h}",
                "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!",
            ],
            &["bad{", "x", "y"],
        ];
        for lines in cases {
            for flags in [0, 0x01, 0x03, 0x0F, 0x10, 0x20, 0x45, 0x80, 0xE2, 0xFF] {
                uri_template(&input(flags, lines));
            }
        }
        uri_template(b"");
        uri_template(b"\x00");
    }

    #[test]
    fn random_inputs() {
        let alphabet = b"{}+#./;?&=,*:%0123456789aAbz\n\n/\\-_~\xC3\xA9";
        for seed in 0..256u64 {
            let mut rng = crate::testing::Rng::new(seed);
            let length = (rng.next_u64() % 120) as usize;
            let random: Vec<u8> = (0..length)
                .map(|i| {
                    let r = rng.next_u64();
                    if i == 0 {
                        r as u8
                    } else {
                        alphabet[(r % alphabet.len() as u64) as usize]
                    }
                })
                .collect();
            uri_template(&random);
        }
    }
}
