//! Unit tests of the server connection, fed hand-written client lines.

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use serde_json::{Value, json};

use super::*;
use crate::Timestamp;
use crate::types::Implementation;

const MODERN_META: &str = r#""_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}"#;

fn plain_server() -> ServerConnection {
    ServerConnection::new(ServerConfig::new(Implementation::new(
        "test-server",
        "1.0.0",
    )))
}

fn t(ms: u64) -> Timestamp {
    Timestamp::from_millis(ms)
}

/// Feeds one line and returns every message written, as JSON values.
fn feed(server: &mut ServerConnection, now: Timestamp, line: &str) -> Vec<Value> {
    server.handle_bytes(now, line.as_bytes());
    server.handle_bytes(now, b"\n");
    drain(server)
}

fn drain(server: &mut ServerConnection) -> Vec<Value> {
    let mut wire = Vec::new();
    while server.poll_transmit(&mut wire).is_some() {}
    String::from_utf8(wire)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

fn events(server: &mut ServerConnection) -> Vec<ServerEvent> {
    core::iter::from_fn(|| server.poll_event()).collect()
}

fn only_request(server: &mut ServerConnection) -> InboundRequest {
    let mut requests: Vec<InboundRequest> = events(server)
        .into_iter()
        .filter_map(|event| match event {
            ServerEvent::Request(request) => Some(*request),
            _ => None,
        })
        .collect();
    assert_eq!(requests.len(), 1);
    requests.remove(0)
}

#[test]
fn modern_request_is_served_without_handshake_and_result_is_shaped() {
    let mut server = plain_server();
    let out = feed(
        &mut server,
        t(1),
        &alloc::format!(
            r#"{{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{{{MODERN_META}}}}}"#
        ),
    );
    assert!(out.is_empty());
    assert_eq!(server.era(), Some(crate::version::Era::Modern));
    let request = only_request(&mut server);
    assert_eq!(
        request.context.version,
        crate::version::ProtocolVersion::V2026_07_28
    );
    let delivery = server
        .respond(t(2), request.token, Reply::result(&json!({"tools": []})))
        .unwrap();
    assert_eq!(delivery, crate::connection::Delivery::Sent);
    let out = drain(&mut server);
    assert_eq!(out[0]["result"]["resultType"], "complete");
    assert_eq!(out[0]["result"]["ttlMs"], 0);
    assert_eq!(out[0]["result"]["cacheScope"], "private");
    assert_eq!(
        out[0]["result"]["_meta"]["io.modelcontextprotocol/serverInfo"]["name"],
        "test-server"
    );
}

use crate::connection::{Delivery, ReplaceCause, SendError};
use crate::jsonrpc::RequestId;
use crate::mrtr::HmacSealer;
use crate::types::{
    ClientCapabilities, ElicitRequestParams, ElicitationSchema, InputRequest,
    ListChangedCapability, LoggingLevel, ResourcesCapability, ServerCapabilities, ServerRequest,
};
use crate::version::Era;

fn modern(id: u32, method: &str, params: &str) -> String {
    let comma = if params.is_empty() { "" } else { "," };
    alloc::format!(
        r#"{{"jsonrpc":"2.0","id":{id},"method":"{method}","params":{{{params}{comma}{MODERN_META}}}}}"#
    )
}

fn modern_with(
    id: u32,
    method: &str,
    params: &str,
    capabilities: &str,
    extra_meta: &str,
) -> String {
    let comma = if params.is_empty() { "" } else { "," };
    alloc::format!(
        r#"{{"jsonrpc":"2.0","id":{id},"method":"{method}","params":{{{params}{comma}"_meta":{{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{capabilities}{extra_meta}}}}}}}"#
    )
}

const INITIALIZE: &str = r#"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{"elicitation":{},"roots":{}},"clientInfo":{"name":"legacy-client","version":"0.1"}}}"#;
const INITIALIZED: &str = r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#;

fn rich_server() -> ServerConnection {
    let capabilities = ServerCapabilities {
        tools: Some(ListChangedCapability {
            list_changed: Some(true),
        }),
        resources: Some(ResourcesCapability {
            subscribe: Some(true),
            list_changed: None,
        }),
        logging: Some(Default::default()),
        ..ServerCapabilities::default()
    };
    let sealer = HmacSealer::new("k1", [7; 32], [9; 16]).unwrap();
    ServerConnection::new(
        ServerConfig::new(Implementation::new("test-server", "1.0.0"))
            .with_capabilities(capabilities)
            .with_instructions("be nice")
            .with_sealer(sealer),
    )
}

fn legacy_session(server: &mut ServerConnection) {
    let out = feed(server, t(1), INITIALIZE);
    assert_eq!(out[0]["result"]["protocolVersion"], "2025-11-25");
    assert!(feed(server, t(1), INITIALIZED).is_empty());
    events(server);
}

#[test]
fn legacy_handshake_negotiates_and_strips_2026_members() {
    let mut server = rich_server();
    let out = feed(&mut server, t(1), INITIALIZE);
    assert_eq!(out.len(), 1);
    assert_eq!(out[0]["id"], 0);
    assert_eq!(out[0]["result"]["serverInfo"]["name"], "test-server");
    assert_eq!(out[0]["result"]["instructions"], "be nice");
    assert!(out[0]["result"].get("resultType").is_none());
    assert!(matches!(
        events(&mut server).as_slice(),
        [ServerEvent::Ready {
            era: Era::Legacy,
            ..
        }]
    ));
    feed(&mut server, t(1), INITIALIZED);
    assert!(matches!(
        events(&mut server).as_slice(),
        [ServerEvent::Initialized]
    ));
    feed(
        &mut server,
        t(2),
        r#"{"jsonrpc":"2.0","id":1,"method":"tools/list"}"#,
    );
    let request = only_request(&mut server);
    assert_eq!(request.context.era, Era::Legacy);
    assert!(request.context.client_capabilities.elicitation.is_some());
    let reply = Reply::result(
        &json!({"tools": [], "resultType": "complete", "ttlMs": 5, "cacheScope": "public"}),
    );
    assert_eq!(
        server.respond(t(3), request.token, reply),
        Ok(Delivery::Sent)
    );
    let out = drain(&mut server);
    assert_eq!(out[0]["result"], json!({"tools": []}));
}

#[test]
fn legacy_versions_are_echoed_or_replaced_by_the_newest() {
    for (asked, answered) in [
        ("2025-06-18", "2025-06-18"),
        ("2024-11-05", "2024-11-05"),
        ("2023-01-01", "2025-11-25"),
        ("2026-07-28", "2025-11-25"),
    ] {
        let mut server = plain_server();
        let line = INITIALIZE.replace("2025-11-25", asked);
        let out = feed(&mut server, t(1), &line);
        assert_eq!(
            out[0]["result"]["protocolVersion"], answered,
            "asked {asked}"
        );
    }
}

#[test]
fn requests_before_initialize_are_refused_except_ping() {
    let mut server = plain_server();
    let out = feed(
        &mut server,
        t(1),
        r#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#,
    );
    assert_eq!(out[0]["result"], json!({}));
    let out = feed(
        &mut server,
        t(1),
        r#"{"jsonrpc":"2.0","id":2,"method":"tools/list"}"#,
    );
    assert_eq!(out[0]["error"]["code"], -32600);
    let out = feed(&mut server, t(1), INITIALIZE);
    assert!(out[0]["result"].is_object());
    let out = feed(&mut server, t(1), INITIALIZE);
    assert_eq!(
        out[0]["error"]["code"], -32600,
        "a second initialize is refused"
    );
}

#[test]
fn notifications_before_the_first_request_are_replayed_into_the_era() {
    let mut server = plain_server();
    assert!(
        feed(
            &mut server,
            t(1),
            r#"{"jsonrpc":"2.0","method":"notifications/roots/list_changed"}"#
        )
        .is_empty()
    );
    assert!(events(&mut server).is_empty());
    feed(&mut server, t(1), INITIALIZE);
    let seen = events(&mut server);
    assert!(
        matches!(
            seen.as_slice(),
            [ServerEvent::Notification(_), ServerEvent::Ready { .. }]
        ),
        "{seen:?}"
    );
}

#[test]
fn cross_era_traffic_is_refused() {
    let mut server = plain_server();
    feed(&mut server, t(1), &modern(1, "tools/list", ""));
    let out = feed(
        &mut server,
        t(1),
        &INITIALIZE.replace("2025-11-25", "2025-06-18"),
    );
    assert_eq!(out[0]["error"]["code"], -32022);
    assert_eq!(out[0]["error"]["data"]["supported"], json!(["2026-07-28"]));
    assert_eq!(out[0]["error"]["data"]["requested"], "2025-06-18");

    let mut server = plain_server();
    legacy_session(&mut server);
    let out = feed(&mut server, t(1), &modern(5, "tools/list", ""));
    assert_eq!(out[0]["error"]["code"], -32600);
    // A legacy request carrying only a progress token in `_meta` is fine.
    feed(
        &mut server,
        t(1),
        r#"{"jsonrpc":"2.0","id":6,"method":"tools/list","params":{"_meta":{"progressToken":"p"}}}"#,
    );
    let request = only_request(&mut server);
    assert_eq!(
        request.context.progress_token,
        Some(crate::types::ProgressToken::String("p".into()))
    );
}

#[test]
fn modern_envelope_is_checked_in_the_specified_order() {
    let mut server = plain_server();
    feed(&mut server, t(1), &modern(1, "tools/list", ""));
    events(&mut server);
    let out = feed(
        &mut server,
        t(1),
        r#"{"jsonrpc":"2.0","id":2,"method":"tools/list","params":{}}"#,
    );
    assert_eq!(out[0]["error"]["code"], -32602);
    let out = feed(
        &mut server,
        t(1),
        &modern(3, "tools/list", "").replace("2026-07-28", "2099-01-01"),
    );
    assert_eq!(out[0]["error"]["code"], -32022);
    assert_eq!(
        out[0]["error"]["data"],
        json!({"supported": ["2026-07-28"], "requested": "2099-01-01"})
    );
    let out = feed(&mut server, t(1), &modern(4, "ping", ""));
    assert_eq!(out[0]["error"]["code"], -32601);
    let out = feed(
        &mut server,
        t(1),
        &modern(5, "tools/call", r#""arguments":{}"#),
    );
    assert_eq!(out[0]["error"]["code"], -32602);
    assert!(events(&mut server).is_empty());
}

#[test]
fn duplicate_ids_in_flight_are_refused_and_the_original_survives() {
    let mut server = plain_server();
    feed(&mut server, t(1), &modern(1, "tools/list", ""));
    let request = only_request(&mut server);
    let out = feed(&mut server, t(1), &modern(1, "prompts/list", ""));
    assert_eq!(out[0]["error"]["code"], -32600);
    assert!(events(&mut server).is_empty());
    assert_eq!(
        server.respond(t(2), request.token, Reply::result(&json!({"tools": []}))),
        Ok(Delivery::Sent)
    );
    // Once answered, the id may be used again.
    feed(&mut server, t(3), &modern(1, "prompts/list", ""));
    assert_eq!(only_request(&mut server).method, "prompts/list");
}

#[test]
fn cancelled_requests_swallow_their_reply() {
    let mut server = plain_server();
    feed(&mut server, t(1), &modern(7, "tools/list", ""));
    let request = only_request(&mut server);
    feed(
        &mut server,
        t(2),
        r#"{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":7,"reason":"user"}}"#,
    );
    let seen = events(&mut server);
    assert!(
        matches!(&seen[..], [ServerEvent::Cancelled { id: RequestId::Number(7), reason: Some(reason) }] if reason == "user")
    );
    assert_eq!(
        server.respond(t(3), request.token, Reply::result(&json!({"tools": []}))),
        Ok(Delivery::Swallowed)
    );
    assert!(drain(&mut server).is_empty());
}

#[test]
fn unknown_tokens_are_misuse() {
    let mut server = plain_server();
    let token = crate::connection::ReplyToken {
        slot: 99,
        id: RequestId::Number(1),
    };
    assert_eq!(
        server.respond(t(1), token, Reply::result(&json!({}))),
        Err(crate::connection::ApiMisuse::UnknownToken)
    );
}

#[test]
fn progress_is_sent_only_when_asked_for_and_must_increase() {
    let mut server = plain_server();
    feed(
        &mut server,
        t(1),
        &modern_with(1, "tools/list", "", "{}", r#","progressToken":"tok""#),
    );
    let request = only_request(&mut server);
    assert_eq!(
        server.progress(t(2), &request.token, 1.0, Some(3.0), None),
        Ok(Delivery::Sent)
    );
    assert_eq!(
        server.progress(t(2), &request.token, 1.0, None, None),
        Err(SendError::InvalidProgress)
    );
    let out = drain(&mut server);
    assert_eq!(out[0]["method"], "notifications/progress");
    assert_eq!(
        out[0]["params"],
        json!({"progressToken": "tok", "progress": 1, "total": 3})
    );
    feed(&mut server, t(1), &modern(2, "tools/list", ""));
    let plain = only_request(&mut server);
    assert_eq!(
        server.progress(t(2), &plain.token, 1.0, None, None),
        Ok(Delivery::Filtered)
    );
}

#[test]
fn log_messages_follow_the_requested_level() {
    let mut server = rich_server();
    feed(
        &mut server,
        t(1),
        &modern_with(
            1,
            "tools/list",
            "",
            "{}",
            r#","io.modelcontextprotocol/logLevel":"warning""#,
        ),
    );
    let request = only_request(&mut server);
    let data = crate::json::RawJson::from_text("\"disk almost full\"").unwrap();
    assert_eq!(
        server.log(
            t(2),
            Some(&request.token),
            LoggingLevel::Info,
            None,
            data.clone()
        ),
        Ok(Delivery::Filtered)
    );
    assert_eq!(
        server.log(
            t(2),
            Some(&request.token),
            LoggingLevel::Error,
            Some("disk".into()),
            data.clone()
        ),
        Ok(Delivery::Sent)
    );
    assert_eq!(
        server.log(t(2), None, LoggingLevel::Error, None, data.clone()),
        Ok(Delivery::Filtered)
    );
    let out = drain(&mut server);
    assert_eq!(out.len(), 1);
    assert_eq!(
        out[0]["params"],
        json!({"level": "error", "logger": "disk", "data": "disk almost full"})
    );

    let mut server = rich_server();
    legacy_session(&mut server);
    assert_eq!(
        server.log(t(2), None, LoggingLevel::Error, None, data.clone()),
        Ok(Delivery::Filtered)
    );
    let out = feed(
        &mut server,
        t(2),
        r#"{"jsonrpc":"2.0","id":1,"method":"logging/setLevel","params":{"level":"info"}}"#,
    );
    assert_eq!(out[0]["result"], json!({}));
    assert_eq!(
        server.log(t(2), None, LoggingLevel::Debug, None, data.clone()),
        Ok(Delivery::Filtered)
    );
    assert_eq!(
        server.log(t(2), None, LoggingLevel::Info, None, data),
        Ok(Delivery::Sent)
    );
}

#[test]
fn legacy_server_requests_route_answers_and_time_out() {
    let mut server = rich_server();
    assert_eq!(
        server.send_request(t(0), ServerRequest::Ping(None), RequestOptions::default()),
        Err(SendError::NotReady)
    );
    legacy_session(&mut server);
    let elicit = ServerRequest::Elicit(ElicitRequestParams::form(
        "Name?",
        ElicitationSchema::default(),
    ));
    let handle = server
        .send_request(
            t(10),
            elicit.clone(),
            RequestOptions::with_timeout(core::time::Duration::from_secs(5)),
        )
        .unwrap();
    let out = drain(&mut server);
    assert_eq!(out[0]["method"], "elicitation/create");
    let id = out[0]["id"].clone();
    feed(
        &mut server,
        t(11),
        &alloc::format!(r#"{{"jsonrpc":"2.0","id":{id},"result":{{"action":"decline"}}}}"#),
    );
    let seen = events(&mut server);
    assert!(
        matches!(&seen[..], [ServerEvent::Response { handle: h, outcome: Ok(_) }] if *h == handle),
        "{seen:?}"
    );

    let second = server
        .send_request(
            t(20),
            elicit,
            RequestOptions::with_timeout(core::time::Duration::from_secs(5)),
        )
        .unwrap();
    let out = drain(&mut server);
    assert_ne!(out[0]["id"], id, "ids are never reused");
    assert_eq!(server.poll_timeout(), Some(t(5_020)));
    server.handle_timeout(t(5_019));
    assert!(events(&mut server).is_empty());
    server.handle_timeout(t(5_020));
    assert!(
        matches!(events(&mut server).as_slice(), [ServerEvent::TimedOut { handle }] if *handle == second)
    );
    let out = drain(&mut server);
    assert_eq!(out[0]["method"], "notifications/cancelled");
    assert_eq!(out[0]["params"]["requestId"], out_id(&out));
    // A late answer is dropped.
    feed(
        &mut server,
        t(5_021),
        &alloc::format!(
            r#"{{"jsonrpc":"2.0","id":{},"result":{{"action":"decline"}}}}"#,
            out[0]["params"]["requestId"]
        ),
    );
    assert!(events(&mut server).is_empty());
    // Sampling was not declared by this client.
    let sampling: ServerRequest = ServerRequest::decode(
        "sampling/createMessage",
        Some(
            &crate::jsonrpc::Params::from_serialize(&json!({"messages": [], "maxTokens": 5}))
                .unwrap(),
        ),
    )
    .unwrap();
    assert_eq!(
        server.send_request(t(6_000), sampling, RequestOptions::default()),
        Err(SendError::MissingCapability)
    );
}

fn out_id(out: &[Value]) -> Value {
    out[0]["params"]["requestId"].clone()
}

#[test]
fn modern_connections_have_no_back_channel() {
    let mut server = plain_server();
    feed(&mut server, t(1), &modern(1, "tools/list", ""));
    assert_eq!(
        server.send_request(t(1), ServerRequest::Ping(None), RequestOptions::default()),
        Err(SendError::NoBackChannel)
    );
}

#[test]
fn invalid_results_never_reach_the_wire() {
    let mut server = plain_server();
    feed(&mut server, t(1), &modern(1, "tools/list", ""));
    let request = only_request(&mut server);
    let delivery = server
        .respond(t(2), request.token, Reply::result(&json!({"tools": 5})))
        .unwrap();
    assert!(matches!(
        delivery,
        Delivery::Replaced {
            cause: ReplaceCause::InvalidResult,
            ..
        }
    ));
    let out = drain(&mut server);
    assert_eq!(out[0]["error"]["code"], -32603);
    assert_eq!(out[0]["id"], 1);
    assert!(out[0].get("result").is_none());
}

fn elicitation_input() -> InputRequired {
    let mut input = InputRequired::default();
    input.requests.insert(
        String::from("user_name"),
        InputRequest::Elicit(ElicitRequestParams::form(
            "Name?",
            ElicitationSchema::default(),
        )),
    );
    input.state = Some(b"round-1".to_vec());
    input
}

#[test]
fn input_required_round_trip_seals_and_opens_state() {
    let mut server = rich_server();
    let call = r#""name":"greet","arguments":{"a":1,"b":2}"#;
    feed(
        &mut server,
        t(1),
        &modern_with(1, "tools/call", call, r#"{"elicitation":{}}"#, ""),
    );
    let request = only_request(&mut server);
    assert_eq!(
        server.respond(
            t(2),
            request.token,
            Reply::InputRequired(elicitation_input())
        ),
        Ok(Delivery::Sent)
    );
    let out = drain(&mut server);
    let result = &out[0]["result"];
    assert_eq!(result["resultType"], "input_required");
    assert_eq!(
        result["inputRequests"]["user_name"]["method"],
        "elicitation/create"
    );
    let state = result["requestState"].as_str().unwrap().to_string();

    // The retry: same call (arguments reordered), answers and the state echoed.
    let retry = alloc::format!(
        r#""name":"greet","arguments":{{"b":2,"a":1}},"inputResponses":{{"user_name":{{"action":"accept","content":{{"name":"Ada"}}}}}},"requestState":"{state}""#
    );
    feed(
        &mut server,
        t(3),
        &modern_with(2, "tools/call", &retry, r#"{"elicitation":{}}"#, ""),
    );
    let request = only_request(&mut server);
    assert_eq!(
        request.context.request_state.as_deref(),
        Some(&b"round-1"[..])
    );
    assert!(
        request
            .context
            .input_responses
            .as_ref()
            .unwrap()
            .contains_key("user_name")
    );

    // Tampered, or moved onto another call: one fixed error, nothing for the application.
    for (state, call) in [
        (alloc::format!("{state}-TAMPERED"), "greet"),
        (state.clone(), "other"),
    ] {
        let retry = alloc::format!(
            r#""name":"{call}","arguments":{{"a":1,"b":2}},"inputResponses":{{}},"requestState":"{state}""#
        );
        let out = feed(
            &mut server,
            t(4),
            &modern_with(3, "tools/call", &retry, r#"{"elicitation":{}}"#, ""),
        );
        assert_eq!(out[0]["error"]["code"], -32602);
        assert_eq!(
            out[0]["error"]["message"],
            crate::mrtr::INVALID_STATE_MESSAGE
        );
        assert!(events(&mut server).is_empty());
    }
    // Expired: the default time to live is 600 s.
    let out = feed(
        &mut server,
        t(700_000),
        &modern_with(4, "tools/call", &retry, r#"{"elicitation":{}}"#, ""),
    );
    assert_eq!(out[0]["error"]["code"], -32602);
}

#[test]
fn input_required_needs_declared_capabilities_the_right_method_and_era() {
    let mut server = rich_server();
    feed(
        &mut server,
        t(1),
        &modern_with(
            1,
            "tools/call",
            r#""name":"greet""#,
            r#"{"sampling":{}}"#,
            "",
        ),
    );
    let request = only_request(&mut server);
    let delivery = server
        .respond(
            t(2),
            request.token,
            Reply::InputRequired(elicitation_input()),
        )
        .unwrap();
    assert!(matches!(
        delivery,
        Delivery::Replaced {
            cause: ReplaceCause::UndeclaredCapability,
            ..
        }
    ));
    let out = drain(&mut server);
    assert_eq!(out[0]["error"]["code"], -32021);
    assert_eq!(
        out[0]["error"]["data"],
        json!({"requiredCapabilities": {"elicitation": {}}})
    );

    feed(
        &mut server,
        t(3),
        &modern_with(2, "tools/list", "", r#"{"elicitation":{}}"#, ""),
    );
    let request = only_request(&mut server);
    let delivery = server
        .respond(
            t(3),
            request.token,
            Reply::InputRequired(elicitation_input()),
        )
        .unwrap();
    assert!(matches!(
        delivery,
        Delivery::Replaced {
            cause: ReplaceCause::InputRequiredNotAllowed,
            ..
        }
    ));

    let mut server = rich_server();
    legacy_session(&mut server);
    feed(
        &mut server,
        t(3),
        r#"{"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"greet"}}"#,
    );
    let request = only_request(&mut server);
    let delivery = server
        .respond(
            t(3),
            request.token,
            Reply::InputRequired(elicitation_input()),
        )
        .unwrap();
    assert!(matches!(
        delivery,
        Delivery::Replaced {
            cause: ReplaceCause::InputRequiredNotAllowed,
            ..
        }
    ));

    // No sealer: state cannot be sealed, and incoming state cannot be trusted.
    let mut server = plain_server();
    feed(
        &mut server,
        t(1),
        &modern_with(
            1,
            "tools/call",
            r#""name":"greet""#,
            r#"{"elicitation":{}}"#,
            "",
        ),
    );
    let request = only_request(&mut server);
    let delivery = server
        .respond(
            t(2),
            request.token,
            Reply::InputRequired(elicitation_input()),
        )
        .unwrap();
    assert!(matches!(
        delivery,
        Delivery::Replaced {
            cause: ReplaceCause::SealFailed,
            ..
        }
    ));
    let out = feed(
        &mut server,
        t(3),
        &modern_with(
            2,
            "tools/call",
            r#""name":"greet","requestState":"v1.x.y.z""#,
            "{}",
            "",
        ),
    );
    assert_eq!(out[1]["error"]["code"], -32602);
}

#[test]
fn discover_announces_versions_capabilities_and_server_info() {
    let mut server = rich_server();
    let out = feed(&mut server, t(1), &modern(1, "server/discover", ""));
    let result = &out[0]["result"];
    assert_eq!(result["supportedVersions"], json!(["2026-07-28"]));
    assert_eq!(
        result["capabilities"]["tools"],
        json!({"listChanged": true})
    );
    assert_eq!(result["instructions"], "be nice");
    assert_eq!(
        result["_meta"]["io.modelcontextprotocol/serverInfo"]["name"],
        "test-server"
    );
    assert_eq!(result["resultType"], "complete");
    assert_eq!(result["ttlMs"], 0);
}

#[test]
fn listen_streams_get_acknowledged_tagged_changes_and_a_graceful_end() {
    let mut server = rich_server();
    let filter = r#""notifications":{"toolsListChanged":true,"promptsListChanged":true,"resourceSubscriptions":["file:///a"]}"#;
    let out = feed(
        &mut server,
        t(1),
        &modern(5, "subscriptions/listen", filter),
    );
    assert_eq!(out[0]["method"], "notifications/subscriptions/acknowledged");
    // Prompts are not offered, so they are not acknowledged.
    assert_eq!(
        out[0]["params"]["notifications"],
        json!({"toolsListChanged": true, "resourceSubscriptions": ["file:///a"]})
    );
    assert_eq!(
        out[0]["params"]["_meta"]["io.modelcontextprotocol/subscriptionId"],
        5
    );
    assert_eq!(server.publish(t(2), Change::ToolsListChanged), 1);
    assert_eq!(server.publish(t(2), Change::PromptsListChanged), 0);
    assert_eq!(
        server.publish(t(2), Change::ResourceUpdated("file:///a/b".into())),
        1
    );
    assert_eq!(
        server.publish(t(2), Change::ResourceUpdated("file:///ab".into())),
        0
    );
    let out = drain(&mut server);
    assert_eq!(out.len(), 2);
    assert_eq!(
        out[0]["params"]["_meta"]["io.modelcontextprotocol/subscriptionId"],
        5
    );
    assert_eq!(out[1]["params"]["uri"], "file:///a/b");
    server.end_subscriptions(t(3));
    let out = drain(&mut server);
    assert_eq!(out[0]["id"], 5);
    assert_eq!(out[0]["result"]["resultType"], "complete");
    assert_eq!(out[1]["method"], "notifications/cancelled");
    assert_eq!(server.publish(t(4), Change::ToolsListChanged), 0);

    // Cancelled by the client: closed, nothing sent.
    feed(
        &mut server,
        t(5),
        &modern(
            6,
            "subscriptions/listen",
            r#""notifications":{"toolsListChanged":true}"#,
        ),
    );
    feed(
        &mut server,
        t(5),
        r#"{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":6}}"#,
    );
    assert!(events(&mut server).iter().any(|event| matches!(
        event,
        ServerEvent::SubscriptionClosed {
            id: RequestId::Number(6)
        }
    )));
    assert_eq!(server.publish(t(6), Change::ToolsListChanged), 0);

    let mut plain = plain_server();
    let out = feed(
        &mut plain,
        t(1),
        &modern(
            1,
            "subscriptions/listen",
            r#""notifications":{"toolsListChanged":true}"#,
        ),
    );
    assert_eq!(out[0]["error"]["code"], -32601);
}

#[test]
fn legacy_sessions_hear_changes_they_are_owed() {
    let mut server = rich_server();
    assert_eq!(server.publish(t(0), Change::ToolsListChanged), 0);
    legacy_session(&mut server);
    assert_eq!(server.publish(t(1), Change::ToolsListChanged), 1);
    assert_eq!(
        server.publish(t(1), Change::ResourceUpdated("file:///x".into())),
        0
    );
    let out = drain(&mut server);
    assert_eq!(out[0]["method"], "notifications/tools/list_changed");
    assert!(out[0].get("params").is_none());
    let out = feed(
        &mut server,
        t(1),
        r#"{"jsonrpc":"2.0","id":3,"method":"resources/subscribe","params":{"uri":"file:///x"}}"#,
    );
    assert_eq!(out[0]["result"], json!({}));
    assert_eq!(
        server.resource_subscriptions().collect::<Vec<_>>(),
        ["file:///x"]
    );
    assert_eq!(
        server.publish(t(1), Change::ResourceUpdated("file:///x".into())),
        1
    );
    let out = drain(&mut server);
    assert_eq!(out[0]["method"], "notifications/resources/updated");
    assert!(out[0]["params"].get("_meta").is_none());
}

#[test]
fn bounds_pause_input_and_refuse_excess_requests() {
    let limits = crate::Limits {
        max_pending_events: 2,
        max_inbound_in_flight: 3,
        ..crate::Limits::default()
    };
    let mut server =
        ServerConnection::new(ServerConfig::new(Implementation::new("s", "1")).with_limits(limits));
    let mut batch = String::new();
    for id in 1..=5 {
        batch.push_str(&modern(id, "tools/list", ""));
        batch.push('\n');
    }
    server.handle_bytes(t(1), batch.as_bytes());
    // Two events (Ready and the first request) fill the queue; the rest waits.
    assert!(!server.wants_input());
    assert_eq!(server.poll_timeout(), None);
    let first = events(&mut server);
    assert_eq!(first.len(), 2);
    assert_eq!(
        server.poll_timeout(),
        Some(t(1)),
        "waiting input asks to be resumed now"
    );
    server.handle_timeout(t(1));
    let second = events(&mut server);
    assert_eq!(second.len(), 2);
    server.handle_timeout(t(1));
    // Requests beyond the third in flight are refused with -32603, never surfaced.
    let out = drain(&mut server);
    assert_eq!(out.len(), 2);
    assert_eq!(
        (out[0]["id"].clone(), out[1]["id"].clone()),
        (json!(4), json!(5))
    );
    assert_eq!(out[0]["error"]["code"], -32603);
    assert!(events(&mut server).is_empty());
    assert!(server.wants_input());
}

#[test]
fn eof_closes_after_the_remaining_input_and_closed_is_last() {
    let mut server = plain_server();
    server.handle_bytes(t(1), modern(1, "tools/list", "").as_bytes());
    server.handle_eof(t(2));
    let seen = events(&mut server);
    assert!(matches!(seen.last(), Some(ServerEvent::Closed { .. })));
    assert!(
        seen.iter()
            .any(|event| matches!(event, ServerEvent::Request(_)))
    );
    assert!(server.is_closed());
    server.handle_bytes(t(3), b"{}\n");
    assert!(events(&mut server).is_empty());
}

#[test]
fn garbage_gets_json_rpc_errors_and_the_stream_goes_on() {
    let mut server = plain_server();
    let out = feed(&mut server, t(1), "{not json");
    assert_eq!(out[0]["error"]["code"], -32700);
    let out = feed(&mut server, t(1), r#"{"jsonrpc":"2.0","id":4,"method":5}"#);
    assert_eq!(out[0]["error"]["code"], -32600);
    feed(&mut server, t(1), &modern(1, "tools/list", ""));
    assert_eq!(only_request(&mut server).method, "tools/list");
}

#[test]
fn client_capabilities_are_per_request_at_2026() {
    let mut server = plain_server();
    feed(
        &mut server,
        t(1),
        &modern_with(1, "tools/list", "", r#"{"elicitation":{}}"#, ""),
    );
    let first = only_request(&mut server);
    feed(
        &mut server,
        t(1),
        &modern_with(2, "tools/list", "", "{}", ""),
    );
    let second = only_request(&mut server);
    assert!(first.context.client_capabilities.elicitation.is_some());
    assert_eq!(
        second.context.client_capabilities,
        ClientCapabilities::default()
    );
}

#[test]
fn members_of_the_other_revision_are_stripped() {
    let mut server = plain_server();
    feed(&mut server, t(1), &modern(1, "tools/list", ""));
    let request = only_request(&mut server);
    let tools = json!({"tools": [{"name": "a", "inputSchema": {"type": "object"}, "execution": {"taskSupport": "optional"}}]});
    assert_eq!(
        server.respond(t(2), request.token, Reply::result(&tools)),
        Ok(Delivery::Sent)
    );
    let out = drain(&mut server);
    assert!(out[0]["result"]["tools"][0].get("execution").is_none());
    assert_eq!(out[0]["result"]["tools"][0]["name"], "a");
    assert_eq!(out[0]["result"]["resultType"], "complete");
}

fn vendor_server() -> ServerConnection {
    ServerConnection::new(
        ServerConfig::new(Implementation::new("test-server", "1.0.0"))
            .with_custom_method("acme/stats")
            .unwrap(),
    )
}

#[test]
fn admitted_custom_methods_reach_the_application_in_the_legacy_era() {
    let mut server = vendor_server();
    // Before initialize a vendor method is refused like every other request.
    let out = feed(
        &mut server,
        t(1),
        r#"{"jsonrpc":"2.0","id":9,"method":"acme/stats","params":{}}"#,
    );
    assert_eq!(out[0]["error"]["code"], -32600);
    legacy_session(&mut server);
    let out = feed(
        &mut server,
        t(2),
        r#"{"jsonrpc":"2.0","id":1,"method":"acme/stats","params":{"depth":2,"_meta":{"progressToken":"p1"}}}"#,
    );
    assert!(out.is_empty(), "{out:?}");
    let request = only_request(&mut server);
    assert_eq!(request.method, "acme/stats");
    assert_eq!(request.decode::<Value>().unwrap()["depth"], 2);
    assert!(matches!(
        request.typed().unwrap(),
        crate::types::ClientRequest::Custom { ref method, .. } if method == "acme/stats"
    ));
    assert_eq!(
        request.context.progress_token,
        Some(crate::types::ProgressToken::String("p1".into()))
    );
    server
        .respond(t(3), request.token, Reply::result(&json!({"count": 3})))
        .unwrap();
    let out = drain(&mut server);
    assert_eq!(out[0]["id"], 1);
    assert_eq!(out[0]["result"], json!({"count": 3}));
    // Methods not admitted are still unknown; so is a known method of the other era.
    for (id, method) in [(2, "acme/other"), (3, "server/discover")] {
        let line = alloc::format!(r#"{{"jsonrpc":"2.0","id":{id},"method":"{method}"}}"#);
        let out = feed(&mut server, t(4), &line);
        assert_eq!(out[0]["error"]["code"], -32601, "{method}");
    }
    // The shape checks that precede the method's still apply.
    let out = feed(
        &mut server,
        t(5),
        r#"{"jsonrpc":"2.0","id":4,"method":"acme/stats","params":{"_meta":{"progressToken":true}}}"#,
    );
    assert_eq!(out[0]["error"]["code"], -32602);
    let out = feed(
        &mut server,
        t(5),
        r#"{"jsonrpc":"2.0","id":5,"method":"acme/stats","params":[1]}"#,
    );
    assert_eq!(out[0]["error"]["code"], -32600);
    assert!(events(&mut server).is_empty());
}

#[test]
fn admitted_custom_methods_reach_the_application_in_the_modern_era() {
    let mut server = vendor_server();
    let out = feed(&mut server, t(1), &modern(1, "acme/stats", r#""depth":2"#));
    assert!(out.is_empty(), "{out:?}");
    let request = only_request(&mut server);
    assert_eq!(request.method, "acme/stats");
    assert_eq!(request.context.era, Era::Modern);
    assert_eq!(request.decode::<Value>().unwrap()["depth"], 2);
    server
        .respond(t(2), request.token, Reply::result(&json!({"count": 3})))
        .unwrap();
    let out = drain(&mut server);
    assert_eq!(out[0]["result"]["count"], 3);
    assert_eq!(out[0]["result"]["resultType"], "complete");
    // Not a cacheable method: no hints are invented for it.
    assert!(out[0]["result"].get("ttlMs").is_none());
    let out = feed(&mut server, t(3), &modern(2, "acme/other", ""));
    assert_eq!(out[0]["error"]["code"], -32601);
    // The envelope is checked first, as for every 2026 request.
    let out = feed(
        &mut server,
        t(3),
        r#"{"jsonrpc":"2.0","id":3,"method":"acme/stats","params":{}}"#,
    );
    assert_eq!(out[0]["error"]["code"], -32602);
    let out = feed(
        &mut server,
        t(3),
        &modern(4, "acme/stats", "").replace("2026-07-28", "2099-01-01"),
    );
    assert_eq!(out[0]["error"]["code"], -32022);
    assert!(events(&mut server).is_empty());
    // A result must still be one JSON object.
    feed(&mut server, t(4), &modern(5, "acme/stats", ""));
    let request = only_request(&mut server);
    let delivery = server
        .respond(t(5), request.token, Reply::result(&json!([1, 2])))
        .unwrap();
    assert!(matches!(delivery, Delivery::Replaced { .. }));
    assert_eq!(drain(&mut server)[0]["error"]["code"], -32603);
}

#[test]
fn servers_without_custom_methods_refuse_them_in_both_eras() {
    let mut server = plain_server();
    let out = feed(&mut server, t(1), &modern(1, "acme/stats", ""));
    assert_eq!(out[0]["error"]["code"], -32601);
    let mut server = plain_server();
    legacy_session(&mut server);
    let out = feed(
        &mut server,
        t(1),
        r#"{"jsonrpc":"2.0","id":1,"method":"acme/stats"}"#,
    );
    assert_eq!(out[0]["error"]["code"], -32601);
    assert!(events(&mut server).is_empty());
}

#[test]
fn custom_method_names_are_bounded_and_never_the_specifications() {
    let mut methods = CustomMethods::new();
    for (name, error) in [
        ("tools/list", CustomMethodError::Specified),
        ("ping", CustomMethodError::Specified),
        ("server/discover", CustomMethodError::Specified),
        ("notifications/initialized", CustomMethodError::Specified),
        ("notifications/acme", CustomMethodError::Reserved),
        ("rpc.discover", CustomMethodError::Reserved),
        ("", CustomMethodError::BadName),
    ] {
        assert_eq!(methods.insert(name), Err(error), "{name:?}");
    }
    let long = "a".repeat(CustomMethods::MAX_NAME_BYTES + 1);
    assert_eq!(methods.insert(&long), Err(CustomMethodError::BadName));
    assert_eq!(methods.insert("acme/x"), Ok(true));
    assert_eq!(methods.insert("acme/x"), Ok(false));
    for n in 1..CustomMethods::MAX_METHODS {
        assert_eq!(methods.insert(&alloc::format!("acme/{n}")), Ok(true));
    }
    assert_eq!(methods.len(), CustomMethods::MAX_METHODS);
    assert_eq!(
        methods.insert("acme/one-more"),
        Err(CustomMethodError::TooMany)
    );
    // A name already admitted is still fine at the bound.
    assert_eq!(methods.insert("acme/x"), Ok(false));
    assert!(methods.contains("acme/x") && !methods.contains("acme/one-more"));
    assert!(
        ServerConfig::new(Implementation::new("s", "1"))
            .with_custom_method("tools/call")
            .is_err()
    );
}

fn request_line(line: &str) -> crate::jsonrpc::Request {
    match crate::jsonrpc::decode(line.as_bytes()) {
        Ok(crate::jsonrpc::Message::Request(request)) => request,
        other => panic!("not a request: {other:?}"),
    }
}

#[test]
fn an_http_exchange_treats_initialize_as_a_removed_method() {
    // On a stream, `initialize` is a handshake attempt; on a POST the transport already
    // routed down the 2026 path it is a method 2026-07-28 does not have (404, -32601).
    let mut server = plain_server();
    server.handle_exchange_request(t(0), request_line(&modern(5, "initialize", "")));
    let out = drain(&mut server);
    assert_eq!(out.len(), 1);
    assert_eq!(out[0]["id"], 5);
    assert_eq!(out[0]["error"]["code"], -32601);
    assert_eq!(server.era(), Some(Era::Modern));

    // The ladder still runs in order: without `_meta` the envelope fails first (-32602).
    let mut server = plain_server();
    let bare = r#"{"jsonrpc":"2.0","id":6,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"c","version":"1"}}}"#;
    server.handle_exchange_request(t(0), request_line(bare));
    let out = drain(&mut server);
    assert_eq!(out[0]["error"]["code"], -32602);

    // An ordinary request is served as usual.
    let mut server = plain_server();
    server.handle_exchange_request(t(0), request_line(&modern(7, "tools/list", "")));
    assert!(
        drain(&mut server)
            .iter()
            .all(|message| message.get("error").is_none())
    );
}
