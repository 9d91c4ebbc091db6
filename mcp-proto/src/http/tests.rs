//! Tests of the Streamable HTTP rules: the status table, era routing, the modern ladder,
//! the header value form, `x-mcp-header`, client headers, SSE, sessions and replay.

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use alloc::{format, vec};
use core::time::Duration;
use proptest::prelude::*;
use serde_json::{Value, json};

use super::*;
use crate::json::RawJson;
use crate::jsonrpc::{ErrorCode, ErrorObject, Message, Request, RequestId, decode};
use crate::time::Timestamp;
use crate::version::{Era, ProtocolVersion};

// ---------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------

const PV: &str = "io.modelcontextprotocol/protocolVersion";
const CC: &str = "io.modelcontextprotocol/clientCapabilities";

fn owned(headers: &[(&str, &str)]) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(name, value)| (name.to_string(), value.to_string()))
        .collect()
}

/// Host, Content-Type and Accept of a well-formed POST, plus `extra`.
fn post_headers(extra: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut headers = owned(&[
        ("Host", "localhost:3000"),
        ("Content-Type", "application/json"),
        ("Accept", "application/json, text/event-stream"),
    ]);
    headers.extend(owned(extra));
    headers
}

/// A well-formed modern POST's headers for `method`, plus `extra`.
fn modern_headers(method: &str, extra: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut headers = post_headers(&[
        ("MCP-Protocol-Version", "2026-07-28"),
        ("Mcp-Method", method),
    ]);
    headers.extend(owned(extra));
    headers
}

fn envelope() -> Value {
    json!({ PV: "2026-07-28", CC: {} })
}

/// A modern request body: `params` plus the `_meta` envelope.
fn modern_body(id: i64, method: &str, mut params: Value) -> Vec<u8> {
    params["_meta"] = envelope();
    serde_json::to_vec(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}))
        .unwrap()
}

fn legacy_body(id: i64, method: &str, params: Value) -> Vec<u8> {
    serde_json::to_vec(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}))
        .unwrap()
}

/// Routes a request with the default config and hands the head and route to `then`.
fn routed<R>(
    method: HttpMethod,
    headers: &[(String, String)],
    body: &[u8],
    config: &RouteConfig,
    then: impl FnOnce(&RequestHead<'_>, Route<'_>) -> R,
) -> R {
    let pairs = header_pairs(headers);
    let head = RequestHead::new(method, "/mcp", &pairs);
    let route = route(&head, body, config);
    then(&head, route)
}

/// The refusal of a request that must be refused.
fn rejected(method: HttpMethod, headers: &[(String, String)], body: &[u8]) -> HttpResponse {
    routed(
        method,
        headers,
        body,
        &RouteConfig::default(),
        |_, route| match route {
            Route::Reject(response) => response,
            other => panic!("expected a rejection, got {other:?}"),
        },
    )
}

/// Which era a POST routes to (panics on refusals).
fn era_of(headers: &[(String, String)], body: &[u8]) -> Era {
    routed(
        HttpMethod::Post,
        headers,
        body,
        &RouteConfig::default(),
        |_, route| match route {
            Route::Modern(_) | Route::Accepted => Era::Modern,
            Route::Legacy(_) => Era::Legacy,
            other => panic!("expected a POST route, got {other:?}"),
        },
    )
}

/// Routes a modern POST and runs steps 6 and 7.
fn ladder(headers: &[(String, String)], body: &[u8]) -> Result<(), HttpResponse> {
    routed(
        HttpMethod::Post,
        headers,
        body,
        &RouteConfig::default(),
        |head, route| match route {
            Route::Modern(post) => check_modern_headers(head, &post.request),
            other => panic!("expected a modern route, got {other:?}"),
        },
    )
}

fn code(response: &HttpResponse) -> i64 {
    response
        .json_rpc_error_object()
        .expect("a JSON-RPC error body")
        .code
        .0
}

fn assert_refused(response: &HttpResponse, status: u16, error: i64, id: Option<i64>) {
    assert_eq!(response.status, status, "{response:?}");
    assert_eq!(code(response), error, "{response:?}");
    assert_eq!(
        response.json_rpc_id(),
        id.map(RequestId::Number),
        "{response:?}"
    );
}

fn request_of(body: &[u8]) -> Request {
    match decode(body).unwrap() {
        Message::Request(request) => request,
        other => panic!("not a request: {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------
// Status table and transport refusals (3.5)
// ---------------------------------------------------------------------------------------

#[test]
fn status_for_error_follows_the_table() {
    let modern = [
        (-32700, 400),
        (-32600, 400),
        (-32602, 400),
        (-32020, 400),
        (-32021, 400),
        (-32022, 400),
        (-32601, 404),
        (-32603, 200),
        (-32002, 200),
        (-1, 200),
    ];
    for (code, status) in modern {
        assert_eq!(
            status_for_error(ErrorCode(code), Era::Modern),
            status,
            "{code}"
        );
    }
    let legacy = [
        (-32700, 400),
        (-32600, 400),
        (-32601, 200),
        (-32602, 200),
        (-32603, 200),
    ];
    for (code, status) in legacy {
        assert_eq!(
            status_for_error(ErrorCode(code), Era::Legacy),
            status,
            "{code}"
        );
    }
    let error = ErrorObject::new(ErrorCode::METHOD_NOT_FOUND);
    let response = HttpResponse::for_error(Era::Modern, Some(&RequestId::Number(3)), &error);
    assert_refused(&response, 404, -32601, Some(3));
}

#[test]
fn other_methods_get_405_with_allow() {
    let response = rejected(HttpMethod::Other, &post_headers(&[]), b"");
    assert_eq!(response.status, 405);
    assert_eq!(response.header("Allow"), Some("GET, POST, DELETE"));
    assert_eq!(HttpMethod::parse("PUT"), HttpMethod::Other);
    let with_session = HttpResponse::json(200, b"{}".to_vec()).with_header("Mcp-Session-Id", "s");
    assert_eq!(with_session.header("mcp-session-id"), Some("s"));
    assert_eq!(HttpMethod::parse("get"), HttpMethod::Other);
    assert_eq!(HttpMethod::parse("DELETE"), HttpMethod::Delete);
}

#[test]
fn get_and_delete_without_session_are_405() {
    let headers = owned(&[("Host", "localhost"), ("Accept", "text/event-stream")]);
    for method in [HttpMethod::Get, HttpMethod::Delete] {
        let response = rejected(method, &headers, b"");
        assert_eq!(response.status, 405);
        assert_eq!(response.header("allow"), Some("GET, POST, DELETE"));
    }
}

#[test]
fn modern_only_endpoint_answers_get_and_delete_with_allow_post() {
    let config = RouteConfig {
        eras: ServedEras::ModernOnly,
        ..RouteConfig::default()
    };
    let headers = owned(&[
        ("Host", "localhost"),
        ("Accept", "text/event-stream"),
        ("Mcp-Session-Id", "abc"),
    ]);
    for method in [HttpMethod::Get, HttpMethod::Delete] {
        routed(method, &headers, b"", &config, |_, route| {
            let Route::Reject(response) = route else {
                panic!("{route:?}")
            };
            assert_eq!(response.status, 405);
            assert_eq!(response.header("Allow"), Some("POST"));
        });
    }
    // A legacy initialize on a modern-only endpoint fails step 6.
    let body = legacy_body(1, "initialize", json!({"protocolVersion": "2025-11-25"}));
    routed(
        HttpMethod::Post,
        &post_headers(&[]),
        &body,
        &config,
        |head, route| {
            let Route::Modern(post) = route else {
                panic!("{route:?}")
            };
            let response = check_modern_headers(head, &post.request).unwrap_err();
            assert_refused(&response, 400, -32602, Some(1));
        },
    );
}

#[test]
fn legacy_get_and_delete_with_a_session_route() {
    let headers = owned(&[
        ("Host", "localhost"),
        ("Accept", "text/event-stream"),
        ("Mcp-Session-Id", "s-1"),
        ("Last-Event-ID", "0-4"),
    ]);
    routed(
        HttpMethod::Get,
        &headers,
        b"",
        &RouteConfig::default(),
        |_, route| {
            assert_eq!(
                route,
                Route::LegacyGet {
                    session_id: "s-1",
                    last_event_id: Some("0-4")
                }
            );
        },
    );
    routed(
        HttpMethod::Delete,
        &headers,
        b"",
        &RouteConfig::default(),
        |_, route| {
            assert_eq!(route, Route::LegacyDelete { session_id: "s-1" });
        },
    );
    // GET must accept an event stream.
    let json_only = owned(&[
        ("Host", "localhost"),
        ("Accept", "application/json"),
        ("Mcp-Session-Id", "s-1"),
    ]);
    assert_eq!(rejected(HttpMethod::Get, &json_only, b"").status, 406);
    // A malformed session id is a bad request.
    let malformed = owned(&[
        ("Host", "localhost"),
        ("Accept", "text/event-stream"),
        ("Mcp-Session-Id", "has space"),
    ]);
    assert_eq!(rejected(HttpMethod::Get, &malformed, b"").status, 400);
    // A GET announcing the modern version is not a legacy stream.
    let modern = owned(&[
        ("Host", "localhost"),
        ("Accept", "text/event-stream"),
        ("Mcp-Session-Id", "s-1"),
        ("MCP-Protocol-Version", "2026-07-28"),
    ]);
    assert_eq!(rejected(HttpMethod::Get, &modern, b"").status, 405);
}

#[test]
fn accept_must_list_json_and_event_stream() {
    let body = modern_body(1, "tools/list", json!({}));
    for accept in ["application/json", "text/event-stream", "text/html", ""] {
        let mut headers = modern_headers("tools/list", &[]);
        headers.retain(|(name, _)| name != "Accept");
        if !accept.is_empty() {
            headers.push(("Accept".into(), accept.into()));
        }
        let response = rejected(HttpMethod::Post, &headers, &body);
        assert_eq!(response.status, 406, "{accept:?}");
        assert_eq!(code(&response), -32000);
        assert_eq!(response.json_rpc_id(), None);
    }
    for accept in [
        "*/*",
        "application/*, text/*",
        "text/event-stream;q=0.5, application/json;q=0.9",
        "APPLICATION/JSON, Text/Event-Stream",
    ] {
        let mut headers = modern_headers("tools/list", &[]);
        headers.retain(|(name, _)| name != "Accept");
        headers.push(("accept".into(), accept.into()));
        assert_eq!(era_of(&headers, &body), Era::Modern, "{accept:?}");
    }
    // Two Accept headers together list both types.
    let mut split = modern_headers("tools/list", &[]);
    split.retain(|(name, _)| name != "Accept");
    split.extend(owned(&[
        ("Accept", "application/json"),
        ("Accept", "text/event-stream"),
    ]));
    assert_eq!(era_of(&split, &body), Era::Modern);
    // q=0 refuses even under a wildcard.
    let mut refused = modern_headers("tools/list", &[]);
    refused.retain(|(name, _)| name != "Accept");
    refused.push(("Accept".into(), "*/*, text/event-stream;q=0".into()));
    assert_eq!(rejected(HttpMethod::Post, &refused, &body).status, 406);
    // A JSON-only server may drop the event-stream requirement.
    let config = RouteConfig {
        require_event_stream: false,
        ..RouteConfig::default()
    };
    let mut json_only = modern_headers("tools/list", &[]);
    json_only.retain(|(name, _)| name != "Accept");
    json_only.push(("Accept".into(), "application/json".into()));
    routed(HttpMethod::Post, &json_only, &body, &config, |_, route| {
        assert!(matches!(route, Route::Modern(_)), "{route:?}");
    });
}

#[test]
fn content_type_must_be_json() {
    let body = modern_body(1, "tools/list", json!({}));
    for content_type in ["text/plain", "application/jsonx", ""] {
        let mut headers = modern_headers("tools/list", &[]);
        headers.retain(|(name, _)| name != "Content-Type");
        if !content_type.is_empty() {
            headers.push(("Content-Type".into(), content_type.into()));
        }
        assert_eq!(rejected(HttpMethod::Post, &headers, &body).status, 415);
    }
    let mut charset = modern_headers("tools/list", &[]);
    charset.retain(|(name, _)| name != "Content-Type");
    charset.push((
        "content-type".into(),
        "Application/JSON; charset=utf-8".into(),
    ));
    assert_eq!(era_of(&charset, &body), Era::Modern);
}

#[test]
fn oversized_bodies_get_413_before_parsing() {
    let config = RouteConfig {
        max_body_bytes: 16,
        ..RouteConfig::default()
    };
    // Not even JSON: the size decides first.
    let body = [b'x'; 17];
    routed(
        HttpMethod::Post,
        &post_headers(&[]),
        &body,
        &config,
        |_, route| {
            let Route::Reject(response) = route else {
                panic!("{route:?}")
            };
            assert_eq!(response.status, 413);
        },
    );
    // A declared Content-Length over the limit is refused from the head alone.
    let headers = post_headers(&[("Content-Length", "17")]);
    let pairs = header_pairs(&headers);
    let head = RequestHead::new(HttpMethod::Post, "/mcp", &pairs);
    assert_eq!(check_head(&head, &config).unwrap_err().status, 413);
    assert_eq!(DEFAULT_MAX_BODY_BYTES, 4 * 1024 * 1024);
}

#[test]
fn unparseable_and_invalid_bodies_get_400() {
    let headers = post_headers(&[]);
    assert_refused(
        &rejected(HttpMethod::Post, &headers, b"{not json"),
        400,
        -32700,
        None,
    );
    assert_refused(
        &rejected(
            HttpMethod::Post,
            &headers,
            br#"[{"jsonrpc":"2.0","id":1,"method":"ping"}]"#,
        ),
        400,
        -32600,
        None,
    );
    // An invalid message whose id is readable is answered with that id.
    assert_refused(
        &rejected(
            HttpMethod::Post,
            &headers,
            br#"{"jsonrpc":"1.0","id":5,"method":"ping"}"#,
        ),
        400,
        -32600,
        Some(5),
    );
    assert_refused(
        &rejected(HttpMethod::Post, &headers, b"42"),
        400,
        -32600,
        None,
    );
}

#[test]
fn modern_notifications_are_accepted_and_responses_refused() {
    let notification = serde_json::to_vec(&json!({
        "jsonrpc": "2.0", "method": "notifications/cancelled",
        "params": {"requestId": 1, "_meta": envelope()}
    }))
    .unwrap();
    let headers = modern_headers("notifications/cancelled", &[]);
    routed(
        HttpMethod::Post,
        &headers,
        &notification,
        &RouteConfig::default(),
        |_, route| {
            assert_eq!(route, Route::Accepted);
        },
    );
    assert_eq!(HttpResponse::accepted().status, 202);
    assert!(HttpResponse::accepted().body.is_empty());

    let response = br#"{"jsonrpc":"2.0","id":1,"result":{}}"#;
    let headers = post_headers(&[("MCP-Protocol-Version", "2026-07-28")]);
    assert_refused(
        &rejected(HttpMethod::Post, &headers, response),
        400,
        -32600,
        None,
    );
}

#[test]
fn legacy_responses_and_notifications_route_legacy() {
    let headers = post_headers(&[
        ("MCP-Protocol-Version", "2025-11-25"),
        ("Mcp-Session-Id", "s"),
    ]);
    for body in [
        &br#"{"jsonrpc":"2.0","id":1,"result":{}}"#[..],
        br#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#,
    ] {
        routed(
            HttpMethod::Post,
            &headers,
            body,
            &RouteConfig::default(),
            |_, route| {
                let Route::Legacy(post) = route else {
                    panic!("{route:?}")
                };
                assert_eq!(post.session_id, Some("s"));
                assert_eq!(post.protocol_version, Some(ProtocolVersion::V2025_11_25));
                assert!(
                    post.check_protocol_version(&[ProtocolVersion::V2025_11_25])
                        .is_ok()
                );
                let refused = post.check_protocol_version(&[ProtocolVersion::V2025_06_18]);
                assert_eq!(refused.unwrap_err().status, 400);
            },
        );
    }
}

#[test]
fn endpoint_path_is_enforced_when_configured() {
    let config = RouteConfig {
        endpoint_path: Some("/mcp".into()),
        ..RouteConfig::default()
    };
    let headers = post_headers(&[]);
    let pairs = header_pairs(&headers);
    let body = legacy_body(1, "initialize", json!({}));
    let other = RequestHead::new(HttpMethod::Post, "/other", &pairs);
    let Route::Reject(response) = route(&other, &body, &config) else {
        panic!()
    };
    assert_eq!(response.status, 404);
    let with_query = RequestHead::new(HttpMethod::Post, "/mcp?x=1", &pairs);
    assert!(matches!(
        route(&with_query, &body, &config),
        Route::Legacy(_)
    ));
}

// ---------------------------------------------------------------------------------------
// Host / Origin (DNS rebinding)
// ---------------------------------------------------------------------------------------

fn origin_check(
    policy: &OriginPolicy,
    host: Option<&str>,
    origin: Option<&str>,
) -> Result<(), OriginRejection> {
    let mut headers = Vec::new();
    if let Some(host) = host {
        headers.push(("Host", host.as_bytes()));
    }
    if let Some(origin) = origin {
        headers.push(("Origin", origin.as_bytes()));
    }
    policy.check(&RequestHead::new(HttpMethod::Post, "/mcp", &headers))
}

#[test]
fn loopback_policy_accepts_local_hosts_and_origins_on_any_port() {
    let policy = OriginPolicy::default();
    for host in [
        "localhost",
        "localhost:3000",
        "LOCALHOST:1",
        "127.0.0.1:8080",
        "[::1]",
        "[::1]:9",
    ] {
        assert_eq!(origin_check(&policy, Some(host), None), Ok(()), "{host}");
    }
    for origin in [
        "http://localhost:3000",
        "https://127.0.0.1",
        "http://[::1]:5173",
    ] {
        assert_eq!(
            origin_check(&policy, Some("localhost"), Some(origin)),
            Ok(()),
            "{origin}"
        );
    }
}

#[test]
fn bad_host_is_421_bad_origin_403_missing_host_400() {
    let policy = OriginPolicy::loopback();
    assert_eq!(
        origin_check(&policy, Some("evil.example.com"), None),
        Err(OriginRejection::InvalidHost)
    );
    assert_eq!(
        origin_check(&policy, Some("localhost.evil.com:80"), None),
        Err(OriginRejection::InvalidHost)
    );
    assert_eq!(
        origin_check(&policy, Some("::1"), None),
        Err(OriginRejection::InvalidHost)
    );
    assert_eq!(
        origin_check(
            &policy,
            Some("localhost:3000"),
            Some("http://evil.example.com")
        ),
        Err(OriginRejection::InvalidOrigin)
    );
    for origin in [
        "null",
        "ftp://localhost",
        "http://localhost/path",
        "localhost",
    ] {
        assert_eq!(
            origin_check(&policy, Some("localhost"), Some(origin)),
            Err(OriginRejection::InvalidOrigin),
            "{origin}"
        );
    }
    assert_eq!(
        origin_check(&policy, None, None),
        Err(OriginRejection::MissingHost)
    );
    assert_eq!(OriginRejection::InvalidHost.response().status, 421);
    assert_eq!(OriginRejection::InvalidOrigin.response().status, 403);
    assert_eq!(OriginRejection::MissingHost.response().status, 400);
}

#[test]
fn configured_hosts_and_origins() {
    let policy = OriginPolicy::empty()
        .with_host("mcp.example.com:8443")
        .with_origin("https://app.example.com")
        .with_host("not a host");
    assert_eq!(
        origin_check(&policy, Some("mcp.example.com:8443"), None),
        Ok(())
    );
    assert_eq!(
        origin_check(&policy, Some("mcp.example.com:80"), None),
        Err(OriginRejection::InvalidHost)
    );
    assert_eq!(
        origin_check(
            &policy,
            Some("mcp.example.com:8443"),
            Some("https://app.example.com:444")
        ),
        Ok(())
    );
    assert_eq!(
        origin_check(
            &policy,
            Some("mcp.example.com:8443"),
            Some("http://app.example.com")
        ),
        Err(OriginRejection::InvalidOrigin)
    );
    let open = OriginPolicy::allow_all();
    assert_eq!(
        origin_check(&open, None, Some("http://evil.example.com")),
        Ok(())
    );
    let any_origin = OriginPolicy::loopback().allow_any_origin();
    assert_eq!(
        origin_check(&any_origin, Some("localhost"), Some("http://x.y")),
        Ok(())
    );
    let any_host = OriginPolicy::loopback().allow_any_host();
    assert_eq!(origin_check(&any_host, Some("x.y"), None), Ok(()));
}

#[test]
fn dns_rebinding_probe_is_refused_then_accepted_on_localhost() {
    // The 2025 probe: a legacy initialize with MCP-Protocol-Version and Mcp-Method.
    let body = legacy_body(
        1,
        "initialize",
        json!({"protocolVersion": "2025-11-25", "capabilities": {},
               "clientInfo": {"name": "probe", "version": "1"}}),
    );
    let probe = |host: &str, origin: &str| {
        let mut headers = owned(&[
            ("Host", host),
            ("Origin", origin),
            ("Content-Type", "application/json"),
            ("Accept", "application/json, text/event-stream"),
            ("MCP-Protocol-Version", "2025-11-25"),
            ("Mcp-Method", "initialize"),
        ]);
        headers.shrink_to_fit();
        routed(
            HttpMethod::Post,
            &headers,
            &body,
            &RouteConfig::default(),
            |_, route| match route {
                Route::Reject(response) => Err(response.status),
                Route::Legacy(post) => {
                    assert_eq!(post.session_id, None);
                    Ok(())
                }
                other => panic!("{other:?}"),
            },
        )
    };
    let status = probe("evil.example.com", "http://evil.example.com").unwrap_err();
    assert!((400..500).contains(&status));
    assert_eq!(probe("localhost:3000", "http://localhost:3000"), Ok(()));
    assert_eq!(probe("127.0.0.1:3000", "http://127.0.0.1:3000"), Ok(()));
}

// ---------------------------------------------------------------------------------------
// Era routing (5.6.2)
// ---------------------------------------------------------------------------------------

#[test]
fn routing_precedence() {
    let initialize = legacy_body(1, "initialize", json!({"protocolVersion": "2025-11-25"}));
    let bare = legacy_body(2, "tools/list", json!({}));
    let enveloped = modern_body(3, "tools/list", json!({}));
    let with_header = |value: &str| post_headers(&[("MCP-Protocol-Version", value)]);

    // A modern header makes even initialize modern (it then gets 404 / -32601).
    assert_eq!(era_of(&with_header("2026-07-28"), &initialize), Era::Modern);
    // A legacy header and no envelope: legacy.
    for version in ["2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25"] {
        assert_eq!(
            era_of(&with_header(version), &bare),
            Era::Legacy,
            "{version}"
        );
    }
    // No header, no envelope: legacy.
    assert_eq!(era_of(&post_headers(&[]), &initialize), Era::Legacy);
    // Unknown and empty header values are modern.
    assert_eq!(era_of(&with_header("2099-01-01"), &bare), Era::Modern);
    assert_eq!(era_of(&with_header(""), &bare), Era::Modern);
    // The envelope alone is enough, and beats a legacy header.
    assert_eq!(era_of(&post_headers(&[]), &enveloped), Era::Modern);
    assert_eq!(era_of(&with_header("2025-11-25"), &enveloped), Era::Modern);
    // A legacy _meta (progressToken only) is no evidence.
    let progress = legacy_body(4, "tools/list", json!({"_meta": {"progressToken": "p"}}));
    assert_eq!(era_of(&post_headers(&[]), &progress), Era::Legacy);
    // Any duplicated copy naming a modern version is modern.
    let duplicated = post_headers(&[
        ("MCP-Protocol-Version", "2025-11-25"),
        ("MCP-Protocol-Version", "2026-07-28"),
    ]);
    assert_eq!(era_of(&duplicated, &bare), Era::Modern);
}

#[test]
fn a_modern_request_with_a_session_header_ignores_it() {
    let body = modern_body(1, "tools/list", json!({}));
    let headers = modern_headers("tools/list", &[("Mcp-Session-Id", "not valid ✗")]);
    assert_eq!(ladder(&headers, &body), Ok(()));
}

#[test]
fn legacy_only_endpoint_refuses_unknown_protocol_versions() {
    let config = RouteConfig {
        eras: ServedEras::LegacyOnly,
        ..RouteConfig::default()
    };
    let body = legacy_body(2, "tools/list", json!({}));
    for headers in [
        post_headers(&[("MCP-Protocol-Version", "2099-01-01")]),
        post_headers(&[
            ("MCP-Protocol-Version", "2025-11-25"),
            ("MCP-Protocol-Version", "2025-11-25"),
        ]),
    ] {
        routed(HttpMethod::Post, &headers, &body, &config, |_, route| {
            let Route::Reject(response) = route else {
                panic!("{route:?}")
            };
            assert_eq!(response.status, 400);
        });
    }
    // Even an enveloped body stays legacy there.
    let enveloped = modern_body(3, "tools/list", json!({}));
    routed(
        HttpMethod::Post,
        &post_headers(&[]),
        &enveloped,
        &config,
        |_, route| {
            assert!(matches!(route, Route::Legacy(_)), "{route:?}");
        },
    );
}

// ---------------------------------------------------------------------------------------
// The modern ladder, steps 6 and 7
// ---------------------------------------------------------------------------------------

#[test]
fn well_formed_modern_requests_pass() {
    let body = modern_body(1, "tools/list", json!({}));
    assert_eq!(ladder(&modern_headers("tools/list", &[]), &body), Ok(()));
    let call = modern_body(2, "tools/call", json!({"name": "echo", "arguments": {}}));
    assert_eq!(
        ladder(
            &modern_headers("tools/call", &[("Mcp-Name", "echo")]),
            &call
        ),
        Ok(())
    );
}

#[test]
fn missing_meta_version_with_a_correct_header_is_32602_not_32020() {
    let body = serde_json::to_vec(&json!({
        "jsonrpc": "2.0", "id": 9, "method": "tools/list",
        "params": {"_meta": {CC: {}}}
    }))
    .unwrap();
    let response = ladder(&modern_headers("tools/list", &[]), &body).unwrap_err();
    assert_refused(&response, 400, -32602, Some(9));
    let message = response.json_rpc_error_object().unwrap().message;
    assert!(message.contains(PV), "{message}");
    assert!(!message.contains(CC), "{message}");
}

#[test]
fn envelope_shape_errors_are_32602() {
    let cases = [
        json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list"}),
        json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}),
        json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {"_meta": 5}}),
        json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {"_meta": {PV: "2026-07-28"}}}),
        json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {"_meta": {PV: 2026, CC: {}}}}),
        json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {"_meta": {PV: "2026-07-28", CC: []}}}),
    ];
    for case in cases {
        let request = request_of(&serde_json::to_vec(&case).unwrap());
        let response = check_modern_envelope(&request).unwrap_err();
        assert_refused(&response, 400, -32602, Some(1));
    }
}

#[test]
fn header_version_contradicting_the_body_is_32020() {
    let body = serde_json::to_vec(&json!({
        "jsonrpc": "2.0", "id": 4, "method": "tools/list",
        "params": {"_meta": {PV: "v999", CC: {}}}
    }))
    .unwrap();
    let response = ladder(&modern_headers("tools/list", &[]), &body).unwrap_err();
    assert_refused(&response, 400, -32020, Some(4));
    // Without the header at all (the envelope routed it modern): also -32020.
    let ok_body = modern_body(5, "tools/list", json!({}));
    let headers = post_headers(&[("Mcp-Method", "tools/list")]);
    assert_refused(
        &ladder(&headers, &ok_body).unwrap_err(),
        400,
        -32020,
        Some(5),
    );
}

#[test]
fn http_header_validation_mcp_method_cases() {
    let body = modern_body(11, "tools/list", json!({}));
    // Mismatch, missing, and wrong case of the value.
    let mismatch = modern_headers("prompts/list", &[]);
    assert_refused(
        &ladder(&mismatch, &body).unwrap_err(),
        400,
        -32020,
        Some(11),
    );
    let mut missing = modern_headers("tools/list", &[]);
    missing.retain(|(name, _)| name != "Mcp-Method");
    assert_refused(&ladder(&missing, &body).unwrap_err(), 400, -32020, Some(11));
    let upper = modern_headers("TOOLS/LIST", &[]);
    assert_refused(&ladder(&upper, &body).unwrap_err(), 400, -32020, Some(11));
    // Header names in any case are the same header.
    for name in ["mcp-method", "MCP-METHOD"] {
        let mut headers = modern_headers("tools/list", &[]);
        headers.retain(|(field, _)| field != "Mcp-Method");
        headers.push((name.into(), "tools/list".into()));
        assert_eq!(ladder(&headers, &body), Ok(()), "{name}");
    }
    // Surrounding whitespace is not part of the value.
    let mut padded = modern_headers("tools/list", &[]);
    padded.retain(|(field, _)| field != "Mcp-Method");
    padded.push(("Mcp-Method".into(), " \ttools/list  ".into()));
    assert_eq!(ladder(&padded, &body), Ok(()));
    // Two copies cannot be trusted.
    let twice = modern_headers("tools/list", &[("mcp-method", "tools/list")]);
    assert_refused(&ladder(&twice, &body).unwrap_err(), 400, -32020, Some(11));
}

#[test]
fn http_header_validation_mcp_name_cases() {
    let body = modern_body(
        12,
        "tools/call",
        json!({"name": "test_simple_text", "arguments": {}}),
    );
    let with_name = |name: &str| modern_headers("tools/call", &[("Mcp-Name", name)]);
    assert_refused(
        &ladder(&with_name("wrong_tool_name"), &body).unwrap_err(),
        400,
        -32020,
        Some(12),
    );
    assert_eq!(ladder(&with_name("  test_simple_text  "), &body), Ok(()));
    // The Base64 form of the same name is the same name.
    assert_eq!(
        ladder(&with_name("=?base64?dGVzdF9zaW1wbGVfdGV4dA==?="), &body),
        Ok(())
    );
    // A malformed Base64 form is refused.
    assert_refused(
        &ladder(&with_name("=?base64?dGVzdA?=="), &body).unwrap_err(),
        400,
        -32020,
        Some(12),
    );
    // Missing header while the body names the tool.
    let missing = modern_headers("tools/call", &[]);
    assert_refused(&ladder(&missing, &body).unwrap_err(), 400, -32020, Some(12));
    // Both absent: left to dispatch (-32602 there).
    let nameless = modern_body(13, "tools/call", json!({"arguments": {}}));
    assert_eq!(ladder(&missing, &nameless), Ok(()));
    // resources/read mirrors the uri; prompts/get the name.
    let read = modern_body(
        14,
        "resources/read",
        json!({"uri": "file:///path/to/file%20name.txt"}),
    );
    let headers = modern_headers(
        "resources/read",
        &[("Mcp-Name", "file:///path/to/file%20name.txt")],
    );
    assert_eq!(ladder(&headers, &read), Ok(()));
    let wrong = modern_headers("resources/read", &[("Mcp-Name", "file:///other")]);
    assert_refused(&ladder(&wrong, &read).unwrap_err(), 400, -32020, Some(14));
    let prompt = modern_body(15, "prompts/get", json!({"name": "test_prompt"}));
    let headers = modern_headers("prompts/get", &[("Mcp-Name", "test_prompt")]);
    assert_eq!(ladder(&headers, &prompt), Ok(()));
    // Methods that name nothing ignore a stray Mcp-Name.
    let list = modern_body(16, "tools/list", json!({}));
    assert_eq!(
        ladder(&modern_headers("tools/list", &[("Mcp-Name", "x")]), &list),
        Ok(())
    );
}

#[test]
fn name_members_per_method() {
    assert_eq!(name_member("tools/call"), Some("name"));
    assert_eq!(name_member("prompts/get"), Some("name"));
    assert_eq!(name_member("resources/read"), Some("uri"));
    assert_eq!(name_member("tasks/get"), Some("taskId"));
    assert_eq!(name_member("tools/list"), None);
}

// ---------------------------------------------------------------------------------------
// Header value encoding (3.4.4)
// ---------------------------------------------------------------------------------------

#[test]
fn decoding_follows_the_conformance_cases() {
    assert_eq!(
        decode_header_value(b"=?base64?SGVsbG8=?=").unwrap(),
        "Hello"
    );
    assert_eq!(
        decode_header_value(b"=?base64?SGVsbG8?="),
        Err(InvalidHeaderValue::InvalidBase64)
    );
    assert_eq!(
        decode_header_value(b"=?base64?SGVs!!!bG8=?="),
        Err(InvalidHeaderValue::InvalidBase64)
    );
    assert_eq!(decode_header_value(b"SGVsbG8=").unwrap(), "SGVsbG8=");
    assert_eq!(
        decode_header_value(b"=?base64?SGVsbG8=").unwrap(),
        "=?base64?SGVsbG8="
    );
    // Non-canonical trailing bits, wrong-case markers, bad UTF-8 and raw control bytes.
    assert_eq!(
        decode_header_value(b"=?base64?SGVsbG9=?="),
        Err(InvalidHeaderValue::InvalidBase64)
    );
    assert_eq!(
        decode_header_value(b"=?BASE64?SGVsbG8=?=").unwrap(),
        "=?BASE64?SGVsbG8=?="
    );
    assert_eq!(
        decode_header_value(b"=?base64?/w==?="),
        Err(InvalidHeaderValue::InvalidUtf8)
    );
    assert_eq!(
        decode_header_value(b"a\x01b"),
        Err(InvalidHeaderValue::InvalidCharacter)
    );
    assert_eq!(
        decode_header_value(b"gr\xc3\xbc"),
        Err(InvalidHeaderValue::InvalidCharacter)
    );
    assert_eq!(decode_header_value(b"=?base64??=").unwrap(), "");
    assert_eq!(decode_header_value(b"").unwrap(), "");
}

#[test]
fn encoding_follows_the_table() {
    let table = [
        ("eu-central-1", "eu-central-1"),
        ("a b c", "a b c"),
        (" lead", "=?base64?IGxlYWQ=?="),
        ("Grüße", "=?base64?R3LDvMOfZQ==?="),
        ("x\ny", "=?base64?eAp5?="),
        ("\tx", "=?base64?CXg=?="),
        ("", ""),
        ("Hello, 世界", "=?base64?SGVsbG8sIOS4lueVjA==?="),
        (" padded ", "=?base64?IHBhZGRlZCA=?="),
        // A plain value that looks like the form is wrapped itself.
        ("=?base64?abc?=", "=?base64?PT9iYXNlNjQ/YWJjPz0=?="),
    ];
    for (value, header) in table {
        assert_eq!(encode_header_value(value), header, "{value:?}");
    }
}

proptest! {
    #[test]
    fn header_values_round_trip(value in "\\PC*|[ -~\t\r\n]*") {
        let header = encode_header_value(&value);
        prop_assert!(header.bytes().all(|b| (0x20..=0x7E).contains(&b)));
        prop_assert!(!header.starts_with(' ') && !header.ends_with(' '));
        let decoded = decode_header_value(header.as_bytes()).unwrap().into_owned();
        prop_assert_eq!(decoded, value);
    }
}

// ---------------------------------------------------------------------------------------
// x-mcp-header (3.4.3)
// ---------------------------------------------------------------------------------------

fn schema(value: Value) -> RawJson {
    RawJson::from(&value)
}

#[test]
fn annotations_are_collected_with_their_paths() {
    let params = x_mcp_header_params(&schema(json!({
        "type": "object",
        "properties": {
            "region": {"type": "string", "x-mcp-header": "Region"},
            "count": {"type": "integer", "x-mcp-header": "Count"},
            "target": {"type": "object", "properties": {
                "zone": {"type": "string", "x-mcp-header": "Zone"}
            }},
            "plain": {"type": "string"},
            "data": {"type": "string", "default": {"x-mcp-header": "NotAnAnnotation"}}
        }
    })))
    .unwrap();
    let mut summary: Vec<(&str, Vec<&str>, HeaderParamType)> = params
        .iter()
        .map(|p| {
            (
                p.name.as_str(),
                p.path.iter().map(String::as_str).collect(),
                p.kind,
            )
        })
        .collect();
    summary.sort();
    assert_eq!(
        summary,
        vec![
            ("Count", vec!["count"], HeaderParamType::Integer),
            ("Region", vec!["region"], HeaderParamType::String),
            ("Zone", vec!["target", "zone"], HeaderParamType::String),
        ]
    );
    let count = params.iter().find(|p| p.name == "Count").unwrap();
    assert_eq!(count.header_name(), "Mcp-Param-Count");
}

#[test]
fn invalid_annotations_invalidate_the_tool() {
    let prop = |annotation: Value, kind: Value| json!({"type": "object", "properties": {"p": {"type": kind, "x-mcp-header": annotation}}});
    let cases = [
        (prop(json!(""), json!("string")), AnnotationProblem::Empty),
        (
            prop(json!(7), json!("string")),
            AnnotationProblem::NotAString,
        ),
        (
            prop(json!("Has Space"), json!("string")),
            AnnotationProblem::NotAToken,
        ),
        (
            prop(json!("Has:Colon"), json!("string")),
            AnnotationProblem::NotAToken,
        ),
        (
            prop(json!("Grüße"), json!("string")),
            AnnotationProblem::NotAToken,
        ),
        (
            prop(json!("Tab\tName"), json!("string")),
            AnnotationProblem::NotAToken,
        ),
        (
            prop(json!("Obj"), json!("object")),
            AnnotationProblem::NotPrimitive,
        ),
        (
            prop(json!("Arr"), json!("array")),
            AnnotationProblem::NotPrimitive,
        ),
        (
            prop(json!("Nul"), json!("null")),
            AnnotationProblem::NotPrimitive,
        ),
        (
            prop(json!("Num"), json!("number")),
            AnnotationProblem::NotPrimitive,
        ),
        (
            json!({"type": "object", "properties": {
                "a": {"type": "string", "x-mcp-header": "Same"},
                "b": {"type": "string", "x-mcp-header": "Same"}}}),
            AnnotationProblem::Duplicate,
        ),
        (
            json!({"type": "object", "properties": {
                "a": {"type": "string", "x-mcp-header": "Region"},
                "b": {"type": "string", "x-mcp-header": "REGION"}}}),
            AnnotationProblem::Duplicate,
        ),
        (
            json!({"type": "object", "properties": {"list": {"type": "array",
                "items": {"type": "string", "x-mcp-header": "Item"}}}}),
            AnnotationProblem::NotReachable,
        ),
        (
            json!({"type": "object", "anyOf": [{"properties": {
                "a": {"type": "string", "x-mcp-header": "A"}}}]}),
            AnnotationProblem::NotReachable,
        ),
        (
            json!({"type": "object", "$defs": {"d": {"type": "string", "x-mcp-header": "D"}}}),
            AnnotationProblem::NotReachable,
        ),
        (
            json!({"type": "object", "x-mcp-header": "Root"}),
            AnnotationProblem::NotReachable,
        ),
    ];
    for (case, problem) in cases {
        let error = validate_x_mcp_header_schema(&schema(case.clone())).unwrap_err();
        assert_eq!(error.problem, problem, "{case}");
    }
    let error = validate_x_mcp_header_schema(&schema(json!({"properties": {"list": {
        "items": {"type": "string", "x-mcp-header": "Item"}}}})))
    .unwrap_err();
    assert_eq!(error.pointer, "/properties/list/items");
    assert!(is_token("Mcp_Param-1.x!#$%&'*+^`|~"));
    assert!(!is_token(""));
}

fn region_tool() -> Vec<HeaderParam> {
    x_mcp_header_params(&schema(json!({
        "type": "object",
        "properties": {"region": {"type": "string", "x-mcp-header": "Region"}},
        "required": ["region"]
    })))
    .unwrap()
}

/// Steps 6, 7 and 10 for a `tools/call` of `test_header_param`.
fn call_with(
    arguments: Value,
    extra: &[(&str, &str)],
    params: &[HeaderParam],
) -> Result<(), HttpResponse> {
    let body = modern_body(
        21,
        "tools/call",
        json!({"name": "test_header_param", "arguments": arguments}),
    );
    let mut headers = modern_headers("tools/call", &[("Mcp-Name", "test_header_param")]);
    headers.extend(owned(extra));
    routed(
        HttpMethod::Post,
        &headers,
        &body,
        &RouteConfig::default(),
        |head, route| {
            let Route::Modern(post) = route else {
                panic!("{route:?}")
            };
            check_modern_headers(head, &post.request)?;
            check_param_headers(head, &post.request, params)
        },
    )
}

#[test]
fn custom_header_server_validation_cases() {
    let params = region_tool();
    let accept = |body: &str, header: &str| {
        call_with(
            json!({"region": body}),
            &[("Mcp-Param-Region", header)],
            &params,
        )
    };
    assert_eq!(accept("Hello", "=?base64?SGVsbG8=?="), Ok(()));
    assert_eq!(accept("SGVsbG8=", "SGVsbG8="), Ok(()));
    assert_eq!(accept("=?base64?SGVsbG8=", "=?base64?SGVsbG8="), Ok(()));
    assert_eq!(accept("us-west1", "us-west1"), Ok(()));
    for header in ["=?base64?SGVsbG8?=", "=?base64?SGVs!!!bG8=?="] {
        assert_refused(&accept("Hello", header).unwrap_err(), 400, -32020, Some(21));
    }
    assert_refused(
        &accept("us-west1", "us-east1").unwrap_err(),
        400,
        -32020,
        Some(21),
    );
    // Missing header while the body has a value.
    let missing = call_with(json!({"region": "Hello"}), &[], &params).unwrap_err();
    assert_refused(&missing, 400, -32020, Some(21));
    // Header names in any case.
    assert_eq!(
        call_with(
            json!({"region": "x"}),
            &[("mcp-param-region", "x")],
            &params
        ),
        Ok(())
    );
    // Two copies are refused.
    let twice = call_with(
        json!({"region": "x"}),
        &[("Mcp-Param-Region", "x"), ("MCP-PARAM-REGION", "x")],
        &params,
    );
    assert_refused(&twice.unwrap_err(), 400, -32020, Some(21));
}

#[test]
fn absent_or_null_arguments_must_have_no_header() {
    let params = region_tool();
    assert_eq!(call_with(json!({}), &[], &params), Ok(()));
    assert_eq!(call_with(json!({"region": null}), &[], &params), Ok(()));
    let stray = call_with(json!({}), &[("Mcp-Param-Region", "x")], &params).unwrap_err();
    assert_refused(&stray, 400, -32020, Some(21));
    // Unannotated Mcp-Param-* headers are ignored.
    assert_eq!(
        call_with(json!({}), &[("Mcp-Param-Other", "x")], &params),
        Ok(())
    );
    // No annotations: nothing to check.
    assert_eq!(
        call_with(json!({}), &[("Mcp-Param-Region", "x")], &[]),
        Ok(())
    );
}

#[test]
fn numbers_compare_numerically_and_booleans_exactly() {
    let params = x_mcp_header_params(&schema(json!({"type": "object", "properties": {
        "priority": {"type": "integer", "x-mcp-header": "Priority"},
        "verbose": {"type": "boolean", "x-mcp-header": "Verbose"}
    }})))
    .unwrap();
    for header in ["42", "42.0", "4.2e1"] {
        assert_eq!(
            call_with(
                json!({"priority": 42}),
                &[("Mcp-Param-Priority", header)],
                &params
            ),
            Ok(()),
            "{header}"
        );
    }
    for header in ["43", "forty-two", "0x2a", "+42", ""] {
        assert!(
            call_with(
                json!({"priority": 42}),
                &[("Mcp-Param-Priority", header)],
                &params
            )
            .is_err(),
            "{header}"
        );
    }
    assert_eq!(
        call_with(
            json!({"verbose": false}),
            &[("Mcp-Param-Verbose", "false")],
            &params
        ),
        Ok(())
    );
    assert!(
        call_with(
            json!({"verbose": false}),
            &[("Mcp-Param-Verbose", "False")],
            &params
        )
        .is_err()
    );
}

// ---------------------------------------------------------------------------------------
// Client headers
// ---------------------------------------------------------------------------------------

fn find<'h>(headers: &'h [(String, String)], name: &str) -> Option<&'h str> {
    headers
        .iter()
        .find(|(field, _)| field.eq_ignore_ascii_case(name))
        .map(|(_, value)| value.as_str())
}

fn custom_headers_tool() -> Vec<HeaderParam> {
    x_mcp_header_params(&schema(json!({"type": "object", "properties": {
        "region": {"type": "string", "x-mcp-header": "Region"},
        "priority": {"type": "integer", "x-mcp-header": "Priority"},
        "verbose": {"type": "boolean", "x-mcp-header": "Verbose"},
        "debug": {"type": "boolean", "x-mcp-header": "Debug"},
        "empty_val": {"type": "string", "x-mcp-header": "EmptyVal"},
        "method_val": {"type": "string", "x-mcp-header": "Method"},
        "float_val": {"type": "number"},
        "non_ascii_val": {"type": "string", "x-mcp-header": "NonAscii"},
        "whitespace_val": {"type": "string", "x-mcp-header": "Whitespace"},
        "leading_space_val": {"type": "string", "x-mcp-header": "LeadingSpace"},
        "trailing_space_val": {"type": "string", "x-mcp-header": "TrailingSpace"},
        "internal_space_val": {"type": "string", "x-mcp-header": "InternalSpace"},
        "control_char_val": {"type": "string", "x-mcp-header": "ControlChar"},
        "crlf_val": {"type": "string", "x-mcp-header": "Crlf"},
        "tab_val": {"type": "string", "x-mcp-header": "Tab"},
        "query": {"type": "string"}
    }})))
    .unwrap()
}

fn custom_headers_call() -> Message {
    decode(&modern_body(
        31,
        "tools/call",
        json!({"name": "test_custom_headers", "arguments": {
            "region": "us-west1", "priority": 42, "verbose": false, "debug": true,
            "empty_val": "", "method_val": "test-method", "float_val": 1.25,
            "non_ascii_val": "Hello, 世界", "whitespace_val": " padded ",
            "leading_space_val": " us-west1", "trailing_space_val": "us-west1 ",
            "internal_space_val": "us west 1", "control_char_val": "line1\nline2",
            "crlf_val": "line1\r\nline2", "tab_val": "\tindented",
            "query": "SELECT * FROM users"
        }}),
    ))
    .unwrap()
}

#[test]
fn client_emits_the_custom_headers_table() {
    let params = custom_headers_tool();
    let message = custom_headers_call();
    let headers = request_headers(
        &message,
        &HeaderContext::Modern {
            header_params: &params,
        },
    );
    let expected = [
        ("Content-Type", "application/json"),
        ("Accept", "application/json, text/event-stream"),
        ("MCP-Protocol-Version", "2026-07-28"),
        ("Mcp-Method", "tools/call"),
        ("Mcp-Name", "test_custom_headers"),
        ("Mcp-Param-Region", "us-west1"),
        ("Mcp-Param-Priority", "42"),
        ("Mcp-Param-Verbose", "false"),
        ("Mcp-Param-Debug", "true"),
        ("Mcp-Param-EmptyVal", ""),
        ("Mcp-Param-Method", "test-method"),
        ("Mcp-Param-NonAscii", "=?base64?SGVsbG8sIOS4lueVjA==?="),
        ("Mcp-Param-Whitespace", "=?base64?IHBhZGRlZCA=?="),
        ("Mcp-Param-LeadingSpace", "=?base64?IHVzLXdlc3Qx?="),
        ("Mcp-Param-TrailingSpace", "=?base64?dXMtd2VzdDEg?="),
        ("Mcp-Param-InternalSpace", "us west 1"),
        ("Mcp-Param-ControlChar", "=?base64?bGluZTEKbGluZTI=?="),
        ("Mcp-Param-Crlf", "=?base64?bGluZTENCmxpbmUy?="),
        ("Mcp-Param-Tab", "=?base64?CWluZGVudGVk?="),
    ];
    for (name, value) in expected {
        assert_eq!(find(&headers, name), Some(value), "{name}");
    }
    assert_eq!(headers.len(), expected.len(), "{headers:?}");
    assert!(find(&headers, "Mcp-Param-Query").is_none());
}

#[test]
fn client_headers_pass_the_server_checks() {
    let params = custom_headers_tool();
    let message = custom_headers_call();
    let headers = request_headers(
        &message,
        &HeaderContext::Modern {
            header_params: &params,
        },
    );
    let mut all = headers.clone();
    all.push(("Host".into(), "localhost".into()));
    let body = message.to_vec();
    routed(
        HttpMethod::Post,
        &all,
        &body,
        &RouteConfig::default(),
        |head, route| {
            let Route::Modern(post) = route else {
                panic!("{route:?}")
            };
            assert_eq!(check_modern_headers(head, &post.request), Ok(()));
            assert_eq!(check_param_headers(head, &post.request, &params), Ok(()));
        },
    );
    // Names that need the Base64 form survive the trip too.
    for (method, params) in [
        ("resources/read", json!({"uri": "file:///ü/ space "})),
        ("prompts/get", json!({"name": "=?base64?x?="})),
        ("tasks/get", json!({"taskId": "t-1"})),
    ] {
        let message = decode(&modern_body(32, method, params)).unwrap();
        let mut headers = request_headers(&message, &HeaderContext::MODERN);
        headers.push(("Host".into(), "localhost".into()));
        let body = message.to_vec();
        routed(
            HttpMethod::Post,
            &headers,
            &body,
            &RouteConfig::default(),
            |head, route| {
                let Route::Modern(post) = route else {
                    panic!("{route:?}")
                };
                assert_eq!(
                    check_modern_headers(head, &post.request),
                    Ok(()),
                    "{method}"
                );
            },
        );
    }
}

#[test]
fn client_omits_null_and_absent_arguments() {
    let params = custom_headers_tool();
    let message = decode(&modern_body(
        33,
        "tools/call",
        json!({"name": "test_custom_headers_null",
               "arguments": {"region": "us-west1", "priority": 42, "verbose": null}}),
    ))
    .unwrap();
    let headers = request_headers(
        &message,
        &HeaderContext::Modern {
            header_params: &params,
        },
    );
    assert_eq!(find(&headers, "Mcp-Param-Region"), Some("us-west1"));
    assert_eq!(find(&headers, "Mcp-Param-Priority"), Some("42"));
    assert_eq!(find(&headers, "Mcp-Param-Verbose"), None);
    assert_eq!(find(&headers, "Mcp-Param-Debug"), None);
}

#[test]
fn client_legacy_headers() {
    let initialize = decode(&legacy_body(
        0,
        "initialize",
        json!({"protocolVersion": "2025-11-25"}),
    ))
    .unwrap();
    let headers = request_headers(
        &initialize,
        &HeaderContext::Legacy {
            protocol_version: None,
            session_id: None,
        },
    );
    assert_eq!(
        headers,
        owned(&[
            ("Content-Type", "application/json"),
            ("Accept", "application/json, text/event-stream")
        ])
    );
    let list = decode(&legacy_body(1, "tools/list", json!({}))).unwrap();
    let version = ProtocolVersion::V2025_11_25;
    let headers = request_headers(
        &list,
        &HeaderContext::Legacy {
            protocol_version: Some(&version),
            session_id: Some("s-9"),
        },
    );
    assert_eq!(find(&headers, "MCP-Protocol-Version"), Some("2025-11-25"));
    assert_eq!(find(&headers, "Mcp-Session-Id"), Some("s-9"));
    assert_eq!(find(&headers, "Mcp-Method"), None);
    // And the server routes them to the legacy path with the session reported.
    let mut all = headers.clone();
    all.push(("Host".into(), "localhost".into()));
    routed(
        HttpMethod::Post,
        &all,
        &list.to_vec(),
        &RouteConfig::default(),
        |_, route| {
            let Route::Legacy(post) = route else {
                panic!("{route:?}")
            };
            assert_eq!(post.session_id, Some("s-9"));
        },
    );
    let get = legacy_get_headers(&version, "s-9", Some("2-7"));
    assert_eq!(find(&get, "Accept"), Some("text/event-stream"));
    assert_eq!(find(&get, "Last-Event-ID"), Some("2-7"));
    let delete = legacy_delete_headers(&version, "s-9");
    assert_eq!(find(&delete, "Mcp-Session-Id"), Some("s-9"));
}

#[test]
fn client_reads_answers() {
    let error = |code| ErrorObject::new(ErrorCode(code));
    assert!(is_modern_error(400, &error(-32020)));
    assert!(is_modern_error(400, &error(-32022)));
    assert!(is_modern_error(404, &error(-32601)));
    assert!(!is_modern_error(200, &error(-32601)));
    assert!(!is_modern_error(400, &error(-32602)));
    assert_eq!(response_body(202, None), ResponseBody::Accepted);
    assert_eq!(
        response_body(200, Some(b"application/json; charset=utf-8")),
        ResponseBody::Json
    );
    assert_eq!(
        response_body(400, Some(b"application/json")),
        ResponseBody::Json
    );
    assert_eq!(
        response_body(200, Some(b"text/event-stream")),
        ResponseBody::EventStream
    );
    assert_eq!(response_body(404, Some(b"text/html")), ResponseBody::Other);
}

fn fed(answer: RequestAnswer) -> Value {
    let RequestAnswer::Message(line) = answer else {
        panic!("{answer:?}")
    };
    assert_eq!(line.last(), Some(&b'\n'));
    assert_eq!(line.iter().filter(|&&byte| byte == b'\n').count(), 1);
    serde_json::from_slice(&line).unwrap()
}

#[test]
fn client_turns_answers_into_lines() {
    assert_eq!(
        message_line(b"  {\"a\":\r\n 1}\n\n"),
        b"{\"a\":   1}\n".to_vec()
    );
    let id = RequestId::from(7);
    // The response to the request is fed as it is, whatever the status.
    let own = br#"{"jsonrpc":"2.0","id":7,"error":{"code":-32022,"message":"v","data":{"supported":["2026-07-28"]}}}"#;
    let line = fed(read_request_answer(400, own, &id, false));
    assert_eq!(line["error"]["data"]["supported"][0], "2026-07-28");
    // An id-less refusal gets the request's id, keeping its code.
    let refusal = br#"{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"Bad Request"}}"#;
    let line = fed(read_request_answer(400, refusal, &id, false));
    assert_eq!(
        (line["id"].clone(), line["error"]["code"].clone()),
        (json!(7), json!(-32600))
    );
    // No JSON-RPC body: a -32000 error naming the status.
    let line = fed(read_request_answer(405, b"<html>no</html>", &id, false));
    assert_eq!(line["error"]["code"], -32000);
    assert!(line["error"]["message"].as_str().unwrap().contains("405"));
    let line = fed(read_request_answer(
        200,
        br#"{"jsonrpc":"2.0","id":8,"result":{}}"#,
        &id,
        false,
    ));
    assert_eq!(
        (line["id"].clone(), line["error"]["code"].clone()),
        (json!(7), json!(-32000))
    );
    // 404 to a POST with a session: the session is gone, unless the body is a modern
    // "method not found".
    assert_eq!(
        read_request_answer(404, refusal, &id, true),
        RequestAnswer::SessionExpired
    );
    assert_eq!(
        read_request_answer(404, b"", &id, true),
        RequestAnswer::SessionExpired
    );
    let not_found = br#"{"jsonrpc":"2.0","id":7,"error":{"code":-32601,"message":"nope"}}"#;
    assert_eq!(
        fed(read_request_answer(404, not_found, &id, true))["error"]["code"],
        -32601
    );
    assert_eq!(
        fed(read_request_answer(404, refusal, &id, false))["error"]["code"],
        -32600
    );
    assert!(is_session_expired(404, true, None));
    assert!(!is_session_expired(400, true, None));

    assert_eq!(
        assigned_session_id(Some(b" s-1 ")),
        Some(String::from("s-1"))
    );
    assert_eq!(assigned_session_id(Some(b"has space")), None);
    assert_eq!(assigned_session_id(Some("\u{e9}".as_bytes())), None);
    assert_eq!(assigned_session_id(None), None);
}

#[test]
fn client_reads_cancellations_and_tool_names() {
    let cancelled = decode(br#"{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":4,"reason":"timeout"}}"#).unwrap();
    assert_eq!(cancelled_request(&cancelled), Some(RequestId::from(4)));
    let progress = decode(br#"{"jsonrpc":"2.0","method":"notifications/progress","params":{"progressToken":4,"progress":1}}"#).unwrap();
    assert_eq!(cancelled_request(&progress), None);
    let call = decode(&modern_body(
        3,
        "tools/call",
        json!({"name": "lookup", "arguments": {}}),
    ))
    .unwrap();
    assert_eq!(called_tool(&call).as_deref(), Some("lookup"));
    let get = decode(&modern_body(3, "prompts/get", json!({"name": "lookup"}))).unwrap();
    assert_eq!(called_tool(&get), None);
}

#[test]
fn client_reinitializes_a_legacy_session() {
    use crate::client::ClientConfig;
    use crate::types::Implementation;
    let id = RequestId::from("reinitialize-1");
    let version = ProtocolVersion::V2025_11_25;
    let config = ClientConfig::new(Implementation::new("again", "2"));
    let body: Value = serde_json::from_slice(&reinitialize_body(&id, &config, &version)).unwrap();
    assert_eq!(body["method"], "initialize");
    assert_eq!(body["id"], "reinitialize-1");
    assert_eq!(body["params"]["protocolVersion"], "2025-11-25");
    assert_eq!(body["params"]["clientInfo"]["name"], "again");
    let initialized: Value = serde_json::from_slice(&initialized_body()).unwrap();
    assert_eq!(initialized["method"], "notifications/initialized");

    let answer = |version: &str| {
        format!(
            r#"{{"jsonrpc":"2.0","id":"reinitialize-1","result":{{"protocolVersion":"{version}","capabilities":{{}},"serverInfo":{{"name":"s","version":"1"}}}}}}"#
        )
    };
    assert_eq!(
        read_reinitialize_answer(answer("2025-11-25").as_bytes(), &id, &version),
        Some(Ok(()))
    );
    assert!(matches!(
        read_reinitialize_answer(answer("2025-06-18").as_bytes(), &id, &version),
        Some(Err(_))
    ));
    let refused =
        br#"{"jsonrpc":"2.0","id":"reinitialize-1","error":{"code":-32602,"message":"no"}}"#;
    assert!(matches!(
        read_reinitialize_answer(refused, &id, &version),
        Some(Err(_))
    ));
    let other = br#"{"jsonrpc":"2.0","method":"notifications/message","params":{"level":"info","data":"x"}}"#;
    assert_eq!(read_reinitialize_answer(other, &id, &version), None);
}

#[test]
fn client_learns_header_params_from_tools_list() {
    let page = json!({"jsonrpc": "2.0", "id": 5, "result": {"tools": [
        {"name": "plain", "inputSchema": {"type": "object"}},
        {"name": "regional", "inputSchema": {"type": "object", "properties": {
            "where": {"type": "object", "properties": {"region": {"type": "string", "x-mcp-header": "Region"}}}}}},
        {"name": "broken", "inputSchema": {"type": "object", "properties": {
            "n": {"type": "number", "x-mcp-header": "N"}}}}
    ], "nextCursor": "c"}});
    let screened = screen_tools_list(&serde_json::to_vec(&page).unwrap()).unwrap();
    assert_eq!(screened.header_params.len(), 2);
    assert!(screened.header_params[0].1.is_empty());
    assert_eq!(screened.header_params[1].0, "regional");
    assert_eq!(screened.header_params[1].1[0].path, ["where", "region"]);
    assert_eq!(screened.invalid.len(), 1);
    assert_eq!(screened.invalid[0].0, "broken");
    let filtered: Value = serde_json::from_slice(&screened.filtered.unwrap()).unwrap();
    assert_eq!(filtered["id"], 5);
    assert_eq!(filtered["result"]["nextCursor"], "c");
    assert_eq!(filtered["result"]["tools"].as_array().unwrap().len(), 2);
    // Every tool valid: nothing to rewrite.
    let clean = json!({"jsonrpc": "2.0", "id": 6, "result": {"tools": [{"name": "plain", "inputSchema": {}}]}});
    assert_eq!(
        screen_tools_list(&serde_json::to_vec(&clean).unwrap())
            .unwrap()
            .filtered,
        None
    );
    assert_eq!(
        screen_tools_list(br#"{"jsonrpc":"2.0","id":6,"result":{}}"#),
        None
    );
}

// ---------------------------------------------------------------------------------------
// SSE
// ---------------------------------------------------------------------------------------

fn decode_all(decoder: &mut SseDecoder) -> Vec<Result<SseEvent, SseError>> {
    core::iter::from_fn(|| decoder.next_event()).collect()
}

fn decode_chunks(chunks: &[&[u8]], limit: usize) -> Vec<Result<SseEvent, SseError>> {
    let mut decoder = SseDecoder::new(limit);
    for chunk in chunks {
        decoder.push(chunk);
    }
    decoder.finish();
    decode_all(&mut decoder)
}

#[test]
fn encoder_writes_messages_priming_retry_and_keep_alives() {
    let encoder = SseEncoder::new();
    let mut out = Vec::new();
    encoder
        .message(&mut out, None, br#"{"jsonrpc":"2.0","id":1,"result":{}}"#)
        .unwrap();
    assert_eq!(
        out,
        b"event: message\ndata: {\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}\n\n"
    );
    out.clear();
    encoder.message(&mut out, Some("0-3"), b"{}").unwrap();
    assert_eq!(out, b"event: message\nid: 0-3\ndata: {}\n\n");
    out.clear();
    encoder.priming(&mut out, "0-0").unwrap();
    assert_eq!(out, b"id: 0-0\ndata:\n\n");
    out.clear();
    encoder.retry(&mut out, 5000);
    encoder.keep_alive(&mut out);
    assert_eq!(out, b"retry: 5000\n\n:\n");
    out.clear();
    SseEncoder::without_event_type()
        .message(&mut out, None, b"a\r\nb\rc\n")
        .unwrap();
    assert_eq!(out, b"data: a\ndata: b\ndata: c\ndata:\n\n");
    assert_eq!(
        encoder.message(&mut out, Some("a\nb"), b"{}"),
        Err(SseError::InvalidField)
    );
    assert_eq!(
        encoder.priming(&mut out, "a\0"),
        Err(SseError::InvalidField)
    );
    let headers = event_stream_headers();
    assert!(headers.contains(&("X-Accel-Buffering", "no".into())));
    assert!(headers.contains(&("Content-Type", "text/event-stream".into())));
}

#[test]
fn decoder_reads_fields_comments_and_line_ends() {
    let stream = b"\xEF\xBB\xBF: keep-alive\r\nevent: message\r\nid: 7\rdata: {\"a\":\r\ndata:1}\n\nretry: 250\n\nid\ndata\n\n:\n\nevent: endpoint\ndata: /messages\nunknown: x\nretry: soon\n\n";
    let events = decode_chunks(&[stream], 1024);
    assert_eq!(
        events,
        vec![
            Ok(SseEvent {
                event: Some("message".into()),
                data: Some("{\"a\":\n1}".into()),
                id: Some("7".into()),
                retry: None
            }),
            Ok(SseEvent {
                retry: Some(250),
                ..SseEvent::default()
            }),
            Ok(SseEvent {
                id: Some(String::new()),
                data: Some(String::new()),
                ..SseEvent::default()
            }),
            Ok(SseEvent {
                event: Some("endpoint".into()),
                data: Some("/messages".into()),
                ..SseEvent::default()
            }),
        ]
    );
    assert!(matches!(&events[0], Ok(event) if event.is_message()));
    assert!(matches!(&events[3], Ok(event) if !event.is_message()));
}

#[test]
fn decoder_tracks_the_last_event_id() {
    let mut decoder = SseDecoder::default();
    decoder.push(b"id: 0-1\ndata: x\n\ndata: y\n\n");
    assert_eq!(decoder.last_event_id(), Some("0-1"));
    decoder.push(b"id: bad\0id\ndata: z\n\n");
    assert_eq!(decoder.last_event_id(), Some("0-1"));
    decoder.push(b"id:\ndata: z\n\n");
    assert_eq!(decoder.last_event_id(), None);
    assert_eq!(decode_all(&mut decoder).len(), 4);
}

#[test]
fn priming_event_decodes_to_empty_data() {
    let mut out = Vec::new();
    SseEncoder::new().priming(&mut out, "3-0").unwrap();
    let events = decode_chunks(&[&out], 64);
    assert_eq!(
        events,
        vec![Ok(SseEvent {
            data: Some(String::new()),
            id: Some("3-0".into()),
            ..SseEvent::default()
        })]
    );
}

#[test]
fn crlf_split_across_chunks_is_one_line_end() {
    let events = decode_chunks(&[b"data: a\r", b"\ndata: b\r", b"", b"\n\r", b"\n"], 64);
    assert_eq!(events, vec![Ok(SseEvent::message("a\nb"))]);
    // A lone CR followed by another line in the next chunk.
    let events = decode_chunks(&[b"data: a\r", b"data: b\r\r"], 64);
    assert_eq!(events, vec![Ok(SseEvent::message("a\nb"))]);
}

#[test]
fn oversized_events_are_skipped_and_reported() {
    let big = format!("data: {}\n\n", "x".repeat(100));
    let stream = format!("data: small\n\n{big}data: after\n\n");
    for chunk_size in [1, 7, 1000] {
        let chunks: Vec<&[u8]> = stream.as_bytes().chunks(chunk_size).collect();
        let events = decode_chunks(&chunks, 32);
        assert_eq!(events.len(), 3, "{chunk_size}");
        assert_eq!(events[0], Ok(SseEvent::message("small")));
        assert!(matches!(
            events[1],
            Err(SseError::EventTooLarge { limit: 32, .. })
        ));
        assert_eq!(events[2], Ok(SseEvent::message("after")));
    }
    // Many small lines add up too.
    let lines = "data: 1234567890\n".repeat(10) + "\n";
    let events = decode_chunks(&[lines.as_bytes()], 64);
    assert!(matches!(events[..], [Err(SseError::EventTooLarge { .. })]));
    // The buffer never holds more than the limit.
    let mut decoder = SseDecoder::new(32);
    decoder.push("y".repeat(10_000).as_bytes());
    assert!(decoder.buffered_len() <= 32);
}

/// Found by the `sse_decoder` fuzz body: a kept line that fit the limit by itself went
/// over it with its line end counted, and the decoder held one byte more than its limit.
#[test]
fn a_line_end_never_takes_an_event_over_the_limit() {
    for (stream, limit) in [
        (&b"data: 12345678901234\n\n"[..], 20),
        (b"data:\n\n", 5),
        (b"event: x\ndata: y\n\n", 16),
    ] {
        for chunk_size in [1, 3, stream.len()] {
            let mut decoder = SseDecoder::new(limit);
            let mut events = Vec::new();
            for chunk in stream.chunks(chunk_size) {
                decoder.push(chunk);
                assert!(decoder.buffered_len() <= limit, "{stream:?} at {limit}");
                events.extend(decode_all(&mut decoder));
            }
            assert!(
                matches!(events[..], [Err(SseError::EventTooLarge { length, limit: reported })]
                    if length > limit && reported == limit),
                "{stream:?}: {events:?}"
            );
        }
        // One byte more of room is enough.
        let events = decode_chunks(&[stream], limit + 1);
        assert!(matches!(events[..], [Ok(_)]), "{stream:?}: {events:?}");
    }
}

/// Found by the `sse_decoder` fuzzer: bytes that are not UTF-8 are stored as U+FFFD
/// (three bytes each), so an event within the limit on the wire could store more than
/// the limit.
#[test]
fn what_an_event_stores_counts_against_the_limit() {
    let stream = b"data: \xfe\xfe\xfe\xfe\xfe\xfe\xfe\n\n";
    // 14 bytes on the wire, 21 stored (and a line end).
    for limit in [20, 21] {
        let events = decode_chunks(&[stream], limit);
        assert!(
            matches!(events[..], [Err(SseError::EventTooLarge { .. })]),
            "{limit}: {events:?}"
        );
    }
    let events = decode_chunks(&[stream], 22);
    assert_eq!(events, vec![Ok(SseEvent::message("\u{fffd}".repeat(7)))]);
}

#[test]
fn unterminated_event_is_dropped_at_the_end() {
    let events = decode_chunks(&[b"data: done\n\ndata: half"], 64);
    assert_eq!(events, vec![Ok(SseEvent::message("done"))]);
    let events = decode_chunks(&[b"data: no blank line\n"], 64);
    assert!(events.is_empty());
}

fn arbitrary_event() -> impl Strategy<Value = SseEvent> {
    (
        proptest::option::of("[a-z]{1,8}"),
        proptest::option::of("[ -~\n]{0,40}"),
        proptest::option::of("[0-9]{1,3}-[0-9]{1,3}"),
        proptest::option::of(0u64..100_000),
    )
        .prop_map(|(event, data, id, retry)| SseEvent {
            event,
            data,
            id,
            retry,
        })
        .prop_filter("an event needs a field", |event| {
            event.event.is_some()
                || event.data.is_some()
                || event.id.is_some()
                || event.retry.is_some()
        })
}

proptest! {
    #[test]
    fn decoding_is_chunk_invariant(
        stream in proptest::collection::vec(
            prop_oneof![Just(b'\r'), Just(b'\n'), Just(b':'), Just(b' '), any::<u8>(),
                        Just(b'd'), Just(b'a'), Just(b't')],
            0..300,
        ),
        cuts in proptest::collection::vec(0usize..300, 0..12),
        limit in prop_oneof![Just(16usize), Just(4096usize)],
    ) {
        let whole = decode_chunks(&[&stream], limit);
        let mut cuts: Vec<usize> = cuts.into_iter().map(|cut| cut.min(stream.len())).collect();
        cuts.sort_unstable();
        let mut chunks = Vec::new();
        let mut start = 0;
        for cut in cuts {
            chunks.push(&stream[start..cut]);
            start = cut;
        }
        chunks.push(&stream[start..]);
        prop_assert_eq!(decode_chunks(&chunks, limit), whole);
    }

    #[test]
    fn encoded_events_decode_back(
        events in proptest::collection::vec(arbitrary_event(), 0..8),
        chunk_size in 1usize..64,
    ) {
        let encoder = SseEncoder::new();
        let mut out = Vec::new();
        for event in &events {
            encoder.event(&mut out, event).unwrap();
            encoder.keep_alive(&mut out);
        }
        let chunks: Vec<&[u8]> = out.chunks(chunk_size).collect();
        let decoded: Vec<SseEvent> = decode_chunks(&chunks, 4096)
            .into_iter()
            .collect::<Result<_, _>>()
            .unwrap();
        prop_assert_eq!(decoded, events);
    }
}

// ---------------------------------------------------------------------------------------
// Sessions
// ---------------------------------------------------------------------------------------

#[test]
fn session_ids_are_visible_ascii() {
    assert!(is_valid_session_id("5b7c0e7e-3b7a-4c34-9d7e-0f3f2f1c9a11"));
    assert!(is_valid_session_id("!~"));
    assert!(!is_valid_session_id(""));
    assert!(!is_valid_session_id("a b"));
    assert!(!is_valid_session_id("tab\t"));
    assert!(!is_valid_session_id("ü"));
    assert!(!is_valid_session_id(&"x".repeat(MAX_SESSION_ID_LENGTH + 1)));
}

#[test]
fn session_table_is_bounded() {
    let t0 = Timestamp::from_millis(0);
    let mut table = SessionTable::new(2);
    assert_eq!(table.insert(t0, "a".into(), 1), Ok(()));
    assert_eq!(
        table.insert(t0, "a".into(), 9),
        Err(SessionInsertError::Duplicate)
    );
    assert_eq!(
        table.insert(t0, "bad id".into(), 9),
        Err(SessionInsertError::InvalidId)
    );
    assert_eq!(table.insert(t0, "b".into(), 2), Ok(()));
    assert!(table.is_full());
    assert_eq!(
        table.insert(t0, "c".into(), 3),
        Err(SessionInsertError::Full)
    );
    assert_eq!(SessionInsertError::Full.response(None).status, 503);
    assert_eq!(table.get("a"), Some(&1));
    *table.get_mut("b").unwrap() = 20;
    assert_eq!(
        table.iter().collect::<Vec<_>>(),
        vec![("a", &1), ("b", &20)]
    );
    assert_eq!(table.remove("a"), Some(1));
    assert_eq!(table.remove("a"), None);
    assert_eq!(table.insert(t0, "c".into(), 3), Ok(()));
    assert_eq!(table.len(), 2);
}

#[test]
fn idle_sessions_expire() {
    let idle = Duration::from_secs(60);
    let mut table = SessionTable::new(8);
    table
        .insert(Timestamp::from_millis(0), "old".into(), ())
        .unwrap();
    table
        .insert(Timestamp::from_millis(10_000), "new".into(), ())
        .unwrap();
    assert_eq!(
        table.next_expiry(idle),
        Some(Timestamp::from_millis(60_000))
    );
    assert!(table.touch(Timestamp::from_millis(30_000), "old"));
    assert!(!table.touch(Timestamp::from_millis(30_000), "gone"));
    assert_eq!(
        table.next_expiry(idle),
        Some(Timestamp::from_millis(70_000))
    );
    assert!(
        table
            .expire(Timestamp::from_millis(69_999), idle)
            .is_empty()
    );
    let expired = table.expire(Timestamp::from_millis(70_000), idle);
    assert_eq!(expired, vec![("new".to_string(), ())]);
    assert_eq!(table.expire(Timestamp::from_millis(90_000), idle).len(), 1);
    assert!(table.is_empty());
    assert_eq!(table.next_expiry(idle), None);
}

/// Resolves the session of a legacy POST of `body` with `session` as its header.
fn resolve(
    table: &mut SessionTable<u8>,
    session: Option<&str>,
    body: &[u8],
) -> Result<Option<String>, HttpResponse> {
    let mut headers = post_headers(&[("MCP-Protocol-Version", "2025-11-25")]);
    if let Some(session) = session {
        headers.push(("Mcp-Session-Id".into(), session.into()));
    }
    routed(
        HttpMethod::Post,
        &headers,
        body,
        &RouteConfig::default(),
        |_, route| {
            let Route::Legacy(post) = route else {
                panic!("{route:?}")
            };
            table.resolve_post(Timestamp::from_millis(5), &post).map(
                |resolution| match resolution {
                    SessionResolution::Initialize => None,
                    SessionResolution::Existing(id) => Some(id.to_string()),
                },
            )
        },
    )
}

#[test]
fn legacy_posts_resolve_their_session() {
    let mut table = SessionTable::new(4);
    table.insert(Timestamp::ZERO, "live".into(), 0u8).unwrap();
    let initialize = legacy_body(1, "initialize", json!({"protocolVersion": "2025-11-25"}));
    let list = legacy_body(2, "tools/list", json!({}));
    assert_eq!(resolve(&mut table, None, &initialize), Ok(None));
    assert_eq!(
        resolve(&mut table, Some("live"), &list),
        Ok(Some("live".into()))
    );
    assert_eq!(
        table.next_expiry(Duration::ZERO),
        Some(Timestamp::from_millis(5))
    );
    assert_refused(
        &resolve(&mut table, Some("live"), &initialize).unwrap_err(),
        400,
        -32600,
        Some(1),
    );
    assert_refused(
        &resolve(&mut table, Some("dead"), &list).unwrap_err(),
        404,
        -32001,
        Some(2),
    );
    assert_refused(
        &resolve(&mut table, None, &list).unwrap_err(),
        400,
        -32000,
        Some(2),
    );
    // A terminated session is 404 from then on, for streams too.
    assert!(table.resolve_stream(Timestamp::ZERO, "live").is_ok());
    table.remove("live");
    assert_eq!(
        table
            .resolve_stream(Timestamp::ZERO, "live")
            .unwrap_err()
            .status,
        404
    );
    assert_refused(
        &resolve(&mut table, Some("live"), &list).unwrap_err(),
        404,
        -32001,
        Some(2),
    );
}

// ---------------------------------------------------------------------------------------
// Event ids and replay
// ---------------------------------------------------------------------------------------

#[test]
fn event_ids_name_their_stream() {
    let id = EventId {
        stream: 3,
        sequence: 17,
    };
    assert_eq!(id.to_string(), "3-17");
    assert_eq!(EventId::parse("3-17"), Some(id));
    for bad in [
        "",
        "3",
        "3-",
        "-17",
        "a-1",
        "1-2-3",
        "+1-2",
        "99999999999999999999-1",
    ] {
        assert_eq!(EventId::parse(bad), None, "{bad}");
    }
}

#[test]
fn replay_resumes_after_the_last_seen_event() {
    let mut buffer = ReplayBuffer::new(2, 1024);
    assert_eq!(buffer.last_id(), None);
    let priming = buffer.next_id();
    let first = buffer.push(b"{\"n\":1}");
    let second = buffer.push(b"{\"n\":2}");
    assert_eq!(priming.to_string(), "2-0");
    assert_eq!(buffer.last_id(), Some(second));
    let replay: Vec<(EventId, Vec<u8>)> = buffer
        .replay_after(priming)
        .unwrap()
        .map(|(id, data)| (id, data.to_vec()))
        .collect();
    assert_eq!(
        replay,
        vec![
            (first, b"{\"n\":1}".to_vec()),
            (second, b"{\"n\":2}".to_vec())
        ]
    );
    assert_eq!(buffer.replay_after(second).unwrap().count(), 0);
    assert_eq!(
        buffer
            .replay_after(EventId {
                stream: 2,
                sequence: 3
            })
            .err(),
        Some(ReplayError::Unknown)
    );
    assert_eq!(
        buffer
            .replay_after(EventId {
                stream: 1,
                sequence: 0
            })
            .err(),
        Some(ReplayError::OtherStream)
    );
}

#[test]
fn replay_buffer_is_bounded_and_says_when_events_are_gone() {
    // Each event costs its data plus 32 bytes: two 18-byte events fit in 100, not three.
    let mut buffer = ReplayBuffer::new(0, 100);
    let priming = buffer.next_id();
    let ids: Vec<EventId> = (0..3)
        .map(|n| buffer.push(format!("{{\"n\":{n:010}}}").as_bytes()))
        .collect();
    assert_eq!(buffer.len(), 2);
    assert!(buffer.buffered_bytes() <= 100);
    assert_eq!(buffer.replay_after(priming).err(), Some(ReplayError::Gone));
    assert_eq!(buffer.replay_after(ids[0]).unwrap().count(), 2);
    // An event larger than the whole budget is not kept: resuming before it is gone.
    let huge = buffer.push(&[b'x'; 200]);
    assert_eq!(buffer.replay_after(ids[2]).err(), Some(ReplayError::Gone));
    assert_eq!(buffer.replay_after(huge).unwrap().count(), 0);
}

#[test]
fn legacy_resume_flow_from_last_event_id() {
    let mut buffer = ReplayBuffer::new(5, 4096);
    let encoder = SseEncoder::new();
    let mut stream = Vec::new();
    encoder
        .priming(&mut stream, &buffer.next_id().to_string())
        .unwrap();
    for n in 0..3 {
        let data = format!(
            "{{\"jsonrpc\":\"2.0\",\"method\":\"notifications/progress\",\"params\":{{\"progress\":{n}}}}}"
        );
        let id = buffer.push(data.as_bytes());
        encoder
            .message(&mut stream, Some(&id.to_string()), data.as_bytes())
            .unwrap();
    }
    // The client saw everything up to the second message, then lost the connection.
    let mut decoder = SseDecoder::default();
    let cut = stream.len() - 40;
    decoder.push(&stream[..cut]);
    let seen = decode_all(&mut decoder);
    assert_eq!(seen.len(), 3);
    let last = decoder.last_event_id().unwrap().to_string();
    assert_eq!(last, "5-2");
    // It resumes with GET + Last-Event-ID; the server maps the id back to the stream.
    let headers = owned(&[
        ("Host", "localhost"),
        ("Accept", "text/event-stream"),
        ("Mcp-Session-Id", "s"),
        ("Last-Event-ID", &last),
    ]);
    routed(
        HttpMethod::Get,
        &headers,
        b"",
        &RouteConfig::default(),
        |_, route| {
            let Route::LegacyGet {
                last_event_id: Some(last),
                ..
            } = route
            else {
                panic!("{route:?}")
            };
            let last = EventId::parse(last).unwrap();
            assert_eq!(last.stream, buffer.stream());
            let replayed: Vec<String> = buffer
                .replay_after(last)
                .unwrap()
                .map(|(id, _)| id.to_string())
                .collect();
            assert_eq!(replayed, vec!["5-3".to_string()]);
        },
    );
}

// ---------------------------------------------------------------------------------------
// Request head
// ---------------------------------------------------------------------------------------

#[test]
fn header_lookup_is_case_insensitive_trimmed_and_first_wins() {
    let headers: &[(&str, &[u8])] = &[("X-Thing", b"  one\t"), ("x-thing", b"two"), ("Other", b"")];
    let head = RequestHead::new(HttpMethod::Post, "/mcp?a=b", headers);
    assert_eq!(head.header("X-THING"), Some(&b"one"[..]));
    assert_eq!(head.headers_named("x-thing").count(), 2);
    assert_eq!(head.unique_header("x-thing"), Err(DuplicateHeader));
    assert_eq!(head.unique_header("other"), Ok(Some(&b""[..])));
    assert_eq!(head.unique_header("missing"), Ok(None));
    assert_eq!(head.path_without_query(), "/mcp");
    assert_eq!(trim_whitespace(b" \t \t"), b"");
}

#[test]
fn legacy_session_refusals_and_the_priming_rule() {
    let id = RequestId::from(7);
    let gone = session_not_found(Some(&id));
    assert_eq!(gone.status, 404);
    assert_eq!(gone.json_rpc_error_object().map(|e| e.code.0), Some(-32001));
    assert_eq!(gone.json_rpc_id(), Some(id.clone()));

    let conflict = standalone_stream_conflict();
    assert_eq!(conflict.status, 409);
    assert_eq!(conflict.json_rpc_id(), None);

    let unresumable = unresumable_event_id();
    assert_eq!(unresumable.status, 400);

    let duplicate = duplicate_request_id(&id);
    assert_eq!(duplicate.status, 400);
    assert_eq!(
        duplicate.json_rpc_error_object().map(|e| e.code.0),
        Some(-32600)
    );
    assert_eq!(duplicate.json_rpc_id(), Some(id));

    assert!(takes_priming_event(&ProtocolVersion::V2025_11_25));
    for older in [
        ProtocolVersion::V2024_11_05,
        ProtocolVersion::V2025_03_26,
        ProtocolVersion::V2025_06_18,
    ] {
        assert!(!takes_priming_event(&older), "{older}");
    }
    assert!(!takes_priming_event(&ProtocolVersion::parse("1999-01-01")));
    assert!(
        ProtocolVersion::LEGACY
            .iter()
            .all(|version| version.era() == Some(Era::Legacy))
    );
    assert_eq!(
        ProtocolVersion::LEGACY.len(),
        ProtocolVersion::KNOWN
            .iter()
            .filter(|version| version.era() == Some(Era::Legacy))
            .count()
    );
}
