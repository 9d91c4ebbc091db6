//! Scenario tests of [`ClientConnection`]: hand-written server lines in, the exact bytes
//! and events out.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::time::Duration;

use serde_json::{Value, json};

use super::connection::{queue_request, queue_stamped_request};
use super::*;
use crate::Limits;
use crate::connection::{ApiMisuse, CloseReason, Delivery, ReplyToken, RequestHandle, SendError};
use crate::json::RawJson;
use crate::jsonrpc::{ErrorCode, ErrorObject, RequestId, ResultBody};
use crate::time::Timestamp;
use crate::types::{
    CallToolRequestParams, CallToolResult, ClientCapabilities, ClientNotification, ClientRequest,
    DiscoverResult, ElicitAction, ElicitResult, ElicitationCapability, Implementation,
    InputResponses, LoggingLevel, Meta, PaginatedRequestParams, ProgressToken, ServerNotification,
    ServerRequest, SubscriptionFilter,
};
use crate::version::{Era, ProtocolVersion};

const DISCOVER_OK: &str = r#"{"jsonrpc":"2.0","id":1,"result":{"resultType":"complete","supportedVersions":["2026-07-28"],"capabilities":{"tools":{"listChanged":true}},"instructions":"Be nice.","ttlMs":60000,"cacheScope":"public","_meta":{"io.modelcontextprotocol/serverInfo":{"name":"srv","version":"2.0"}}}}"#;
const INIT_OK: &str = r#"{"jsonrpc":"2.0","id":2,"result":{"protocolVersion":"2025-11-25","capabilities":{"tools":{}},"serverInfo":{"name":"legacy-srv","version":"1.0"}}}"#;

fn ms(millis: u64) -> Timestamp {
    Timestamp::from_millis(millis)
}

fn info() -> Implementation {
    Implementation::new("test-client", "0.1.0")
}

fn config(mode: ClientMode) -> ClientConfig {
    ClientConfig::new(info()).with_mode(mode)
}

fn pinned() -> ClientConfig {
    config(ClientMode::Pinned {
        version: ProtocolVersion::V2026_07_28,
        discover: None,
    })
}

fn client(config: ClientConfig) -> ClientConnection {
    ClientConnection::new(Timestamp::ZERO, config)
}

/// Every queued message, each parsed from its own line.
fn sent(client: &mut ClientConnection) -> Vec<Value> {
    raw_lines(client)
        .iter()
        .map(|line| serde_json::from_slice(line).unwrap())
        .collect()
}

/// Every queued message as its raw line (newline included), checking the framing.
fn raw_lines(client: &mut ClientConnection) -> Vec<Vec<u8>> {
    let mut lines = Vec::new();
    loop {
        let mut out = Vec::new();
        let Some(transmit) = client.poll_transmit(&mut out) else {
            return lines;
        };
        assert_eq!(transmit.len, out.len());
        assert_eq!(out.last(), Some(&b'\n'));
        assert_eq!(out.iter().filter(|b| **b == b'\n').count(), 1);
        lines.push(out);
    }
}

fn events(client: &mut ClientConnection) -> Vec<ClientEvent> {
    core::iter::from_fn(|| client.poll_event()).collect()
}

fn feed(client: &mut ClientConnection, now: Timestamp, line: &str) {
    client.handle_bytes(now, line.as_bytes());
    client.handle_bytes(now, b"\n");
}

fn list_tools() -> ClientRequest {
    ClientRequest::ListTools(None)
}

fn call_tool(name: &str) -> ClientRequest {
    ClientRequest::CallTool(CallToolRequestParams::new(
        name,
        Some(RawJson::from_text(r#"{"dir": "/tmp", "n": 1.50}"#).unwrap()),
    ))
}

fn send(client: &mut ClientConnection, request: ClientRequest) -> RequestHandle {
    client
        .send_request(Timestamp::ZERO, request, RequestOptions::default())
        .unwrap()
}

fn meta(message: &Value) -> &Value {
    &message["params"]["_meta"]
}

fn assert_envelope(message: &Value) {
    let meta = meta(message);
    assert_eq!(
        meta["io.modelcontextprotocol/protocolVersion"],
        "2026-07-28"
    );
    assert_eq!(
        meta["io.modelcontextprotocol/clientCapabilities"],
        json!({})
    );
    assert_eq!(
        meta["io.modelcontextprotocol/clientInfo"],
        json!({"name": "test-client", "version": "0.1.0"})
    );
}

fn response(handle: RequestHandle, text: &str) -> ClientEvent {
    ClientEvent::Response {
        handle,
        outcome: Ok(ResultBody::from_object(RawJson::from_text(text).unwrap())),
        cached: false,
    }
}

fn ok_outcome(event: &ClientEvent) -> Value {
    match event {
        ClientEvent::Response {
            outcome: Ok(body), ..
        } => serde_json::from_str(body.raw().get()).unwrap(),
        other => panic!("not a result: {other:?}"),
    }
}

fn ready_modern() -> ClientEvent {
    ClientEvent::Ready {
        era: Era::Modern,
        version: ProtocolVersion::V2026_07_28,
    }
}

/// A legacy client past its handshake, with `capabilities`.
fn legacy_ready(capabilities: ClientCapabilities) -> ClientConnection {
    let mut client = client(config(ClientMode::Legacy).with_capabilities(capabilities));
    feed(&mut client, ms(1), &INIT_OK.replace("\"id\":2", "\"id\":1"));
    sent(&mut client);
    events(&mut client);
    assert_eq!(client.era(), Some(Era::Legacy));
    client
}

// Negotiation.

#[test]
fn auto_probes_with_envelope_and_discover_result_makes_it_modern() {
    let mut client = client(config(ClientMode::Auto));
    let lines = sent(&mut client);
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["id"], 1);
    assert_eq!(lines[0]["method"], "server/discover");
    assert_envelope(&lines[0]);
    assert_eq!(client.poll_timeout(), Some(ms(10_000)));

    // Held until the revision is settled.
    let handle = send(&mut client, list_tools());
    assert!(sent(&mut client).is_empty());
    assert!(!client.is_ready() && !client.is_idle());

    feed(&mut client, ms(5), DISCOVER_OK);
    let lines = sent(&mut client);
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["id"], 2);
    assert_eq!(lines[0]["method"], "tools/list");
    assert_envelope(&lines[0]);
    assert_eq!(events(&mut client), [ready_modern()]);
    assert_eq!(client.era(), Some(Era::Modern));
    assert_eq!(
        client.protocol_version(),
        Some(&ProtocolVersion::V2026_07_28)
    );
    assert_eq!(client.server_info().unwrap().name, "srv");
    assert!(client.server_capabilities().unwrap().tools.is_some());
    assert_eq!(client.instructions(), Some("Be nice."));

    let answer = r#"{"resultType":"complete","tools":[],"ttlMs":0,"cacheScope":"public"}"#;
    feed(
        &mut client,
        ms(6),
        &alloc::format!(r#"{{"jsonrpc":"2.0","id":2,"result":{answer}}}"#),
    );
    assert_eq!(events(&mut client), [response(handle, answer)]);
    assert!(client.is_idle());
}

#[test]
fn auto_falls_back_on_method_not_found_and_held_request_goes_out_unstamped() {
    let mut client = client(config(ClientMode::Auto));
    sent(&mut client);
    let handle = send(&mut client, list_tools());
    feed(
        &mut client,
        ms(1),
        r#"{"jsonrpc":"2.0","id":1,"error":{"code":-32601,"message":"Method not found"}}"#,
    );
    let lines = sent(&mut client);
    assert_eq!(
        lines,
        [
            json!({"jsonrpc":"2.0","id":2,"method":"initialize","params":{
            "protocolVersion":"2025-11-25","capabilities":{},
            "clientInfo":{"name":"test-client","version":"0.1.0"}}})
        ]
    );
    assert!(events(&mut client).is_empty());

    feed(&mut client, ms(2), INIT_OK);
    let lines = sent(&mut client);
    assert_eq!(
        lines,
        [
            json!({"jsonrpc":"2.0","method":"notifications/initialized"}),
            json!({"jsonrpc":"2.0","id":3,"method":"tools/list"}),
        ]
    );
    assert_eq!(
        events(&mut client),
        [ClientEvent::Ready {
            era: Era::Legacy,
            version: ProtocolVersion::V2025_11_25
        }]
    );
    assert_eq!(client.server_info().unwrap().name, "legacy-srv");
    feed(
        &mut client,
        ms(3),
        r#"{"jsonrpc":"2.0","id":3,"result":{"tools":[]}}"#,
    );
    assert_eq!(events(&mut client), [response(handle, r#"{"tools":[]}"#)]);
}

#[test]
fn auto_falls_back_on_an_empty_or_legacy_only_discover_result() {
    for result in [
        "{}",
        r#"{"supportedVersions":["2026-07-28"]}"#,
        r#"{"resultType":"complete","supportedVersions":["2025-11-25"],"capabilities":{}}"#,
    ] {
        let mut client = client(config(ClientMode::Auto));
        sent(&mut client);
        feed(
            &mut client,
            ms(1),
            &alloc::format!(r#"{{"jsonrpc":"2.0","id":1,"result":{result}}}"#),
        );
        let lines = sent(&mut client);
        assert_eq!(lines.len(), 1, "{result}");
        assert_eq!(lines[0]["method"], "initialize");
        assert!(events(&mut client).is_empty());
    }
}

#[test]
fn auto_falls_back_when_the_probe_times_out_and_drops_the_late_answer() {
    let mut client = client(config(ClientMode::Auto));
    sent(&mut client);
    client.handle_timeout(ms(9_999));
    assert!(sent(&mut client).is_empty());
    client.handle_timeout(ms(10_000));
    let lines = sent(&mut client);
    assert_eq!(
        lines.len(),
        1,
        "no cancellation for the probe, just initialize"
    );
    assert_eq!(
        (lines[0]["id"].as_i64(), lines[0]["method"].as_str()),
        (Some(2), Some("initialize"))
    );
    // The server was merely slow: its discover result is too late to count.
    feed(&mut client, ms(10_001), DISCOVER_OK);
    assert!(sent(&mut client).is_empty() && events(&mut client).is_empty());
    assert!(!client.is_ready());
    feed(&mut client, ms(10_002), INIT_OK);
    assert_eq!(client.era(), Some(Era::Legacy));
}

#[test]
fn unsupported_version_reprobes_once_then_closes_incompatible() {
    let refusal = |id: u8| {
        alloc::format!(
            r#"{{"jsonrpc":"2.0","id":{id},"error":{{"code":-32022,"message":"Unsupported protocol version","data":{{"supported":["2026-07-28"],"requested":"2026-07-28"}}}}}}"#
        )
    };
    let mut client = client(config(ClientMode::Auto));
    sent(&mut client);
    let handle = send(&mut client, list_tools());
    feed(&mut client, ms(1), &refusal(1));
    let lines = sent(&mut client);
    assert_eq!(lines.len(), 1);
    assert_eq!(
        (lines[0]["id"].as_i64(), lines[0]["method"].as_str()),
        (Some(2), Some("server/discover"))
    );
    assert_envelope(&lines[0]);
    assert_eq!(client.poll_timeout(), Some(ms(10_001)));

    feed(&mut client, ms(2), &refusal(2));
    assert!(
        sent(&mut client).is_empty(),
        "never falls back to initialize on -32022"
    );
    let events = events(&mut client);
    assert_eq!(events.len(), 2);
    assert_eq!(
        events[0],
        ClientEvent::Failed {
            handle,
            error: RequestError::ConnectionClosed
        }
    );
    assert!(matches!(
        &events[1],
        ClientEvent::Closed {
            reason: CloseReason::Incompatible(_)
        }
    ));
    assert!(client.is_closed());
    assert_eq!(
        client.send_request(ms(3), list_tools(), RequestOptions::new()),
        Err(SendError::Closed)
    );
}

#[test]
fn unsupported_version_then_discover_result_is_modern_and_no_common_version_is_incompatible() {
    let mut client = client(config(ClientMode::Auto));
    sent(&mut client);
    feed(
        &mut client,
        ms(1),
        r#"{"jsonrpc":"2.0","id":1,"error":{"code":-32022,"message":"no","data":{"supported":["2099-01-01","2026-07-28"],"requested":"2026-07-28"}}}"#,
    );
    assert_eq!(sent(&mut client)[0]["id"], 2);
    feed(
        &mut client,
        ms(2),
        &DISCOVER_OK.replace("\"id\":1", "\"id\":2"),
    );
    assert_eq!(events(&mut client), [ready_modern()]);

    let mut client = self::client(config(ClientMode::Auto));
    sent(&mut client);
    feed(
        &mut client,
        ms(1),
        r#"{"jsonrpc":"2.0","id":1,"error":{"code":-32022,"message":"no","data":{"supported":["2099-01-01"],"requested":"2026-07-28"}}}"#,
    );
    assert!(sent(&mut client).is_empty());
    match events(&mut client).as_slice() {
        [
            ClientEvent::Closed {
                reason: CloseReason::Incompatible(why),
            },
        ] => {
            assert!(why.contains("2099-01-01"), "{why}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn legacy_mode_handshakes_and_accepts_an_older_legacy_version() {
    let mut client = client(config(ClientMode::Legacy).with_log_level(Some(LoggingLevel::Warning)));
    assert_eq!(
        sent(&mut client),
        [
            json!({"jsonrpc":"2.0","id":1,"method":"initialize","params":{
            "protocolVersion":"2025-11-25","capabilities":{},
            "clientInfo":{"name":"test-client","version":"0.1.0"}}})
        ]
    );
    assert_eq!(client.poll_timeout(), Some(ms(60_000)));
    feed(
        &mut client,
        ms(1),
        r#"{"jsonrpc":"2.0","id":1,"result":{"protocolVersion":"2025-06-18","capabilities":{"logging":{}},"serverInfo":{"name":"old","version":"0.9"},"instructions":"hi"}}"#,
    );
    assert_eq!(
        sent(&mut client),
        [
            json!({"jsonrpc":"2.0","method":"notifications/initialized"}),
            json!({"jsonrpc":"2.0","id":2,"method":"logging/setLevel","params":{"level":"warning"}}),
        ]
    );
    assert_eq!(client.instructions(), Some("hi"));
    // An application request waits for the setLevel answer, so that the server has the
    // session's log level before it runs anything.
    assert!(events(&mut client).is_empty());
    let ping = client.send_request(ms(1), ClientRequest::Ping(None), RequestOptions::default());
    assert!(ping.is_ok());
    assert!(sent(&mut client).is_empty());
    // The answer itself is the connection's own business: it only makes it ready.
    feed(
        &mut client,
        ms(2),
        r#"{"jsonrpc":"2.0","id":2,"result":{}}"#,
    );
    assert_eq!(
        events(&mut client),
        [ClientEvent::Ready {
            era: Era::Legacy,
            version: ProtocolVersion::V2025_06_18
        }]
    );
    assert_eq!(
        sent(&mut client),
        [json!({"jsonrpc":"2.0","id":3,"method":"ping"})]
    );
}

#[test]
fn a_refused_or_unanswered_set_level_still_makes_the_legacy_connection_ready() {
    for answer in [
        Some(r#"{"jsonrpc":"2.0","id":2,"error":{"code":-32601,"message":"no"}}"#),
        None,
    ] {
        let mut client =
            client(config(ClientMode::Legacy).with_log_level(Some(LoggingLevel::Debug)));
        sent(&mut client);
        feed(
            &mut client,
            ms(1),
            r#"{"jsonrpc":"2.0","id":1,"result":{"protocolVersion":"2025-11-25","capabilities":{"logging":{}},"serverInfo":{"name":"s","version":"1"}}}"#,
        );
        assert_eq!(sent(&mut client).len(), 2, "initialized and setLevel");
        assert!(events(&mut client).is_empty());
        match answer {
            Some(line) => feed(&mut client, ms(2), line),
            None => {
                let deadline = client.poll_timeout().expect("the setLevel deadline");
                client.handle_timeout(deadline);
            }
        }
        assert!(
            matches!(
                events(&mut client).as_slice(),
                [ClientEvent::Ready {
                    era: Era::Legacy,
                    ..
                }]
            ),
            "{answer:?}"
        );
    }
}

#[test]
fn legacy_mode_closes_on_a_version_it_does_not_speak_or_no_answer() {
    let mut client = client(config(ClientMode::Legacy));
    sent(&mut client);
    feed(
        &mut client,
        ms(1),
        r#"{"jsonrpc":"2.0","id":1,"result":{"protocolVersion":"2026-07-28","capabilities":{},"serverInfo":{"name":"s","version":"1"}}}"#,
    );
    assert!(matches!(
        events(&mut client).as_slice(),
        [ClientEvent::Closed {
            reason: CloseReason::Incompatible(_)
        }]
    ));
    assert!(sent(&mut client).is_empty());

    let mut client = self::client(config(ClientMode::Legacy));
    sent(&mut client);
    client.handle_timeout(ms(60_000));
    assert!(
        sent(&mut client).is_empty(),
        "initialize is never cancelled"
    );
    assert_eq!(
        events(&mut client),
        [ClientEvent::Closed {
            reason: CloseReason::HandshakeTimedOut
        }]
    );
}

#[test]
fn pinned_mode_sends_nothing_until_the_first_request_which_carries_the_envelope() {
    let discover: DiscoverResult = serde_json::from_value(json!({
        "resultType":"complete","supportedVersions":["2026-07-28"],"capabilities":{"prompts":{}},
        "ttlMs":0,"cacheScope":"public",
        "_meta":{"io.modelcontextprotocol/serverInfo":{"name":"saved","version":"3"}}}))
    .unwrap();
    let mut client = client(config(ClientMode::Pinned {
        version: ProtocolVersion::V2026_07_28,
        discover: Some(discover),
    }));
    assert!(sent(&mut client).is_empty());
    assert_eq!(client.poll_timeout(), None);
    assert_eq!(events(&mut client), [ready_modern()]);
    assert_eq!(client.server_info().unwrap().name, "saved");
    assert!(client.server_capabilities().unwrap().prompts.is_some());

    // The application's own `_meta` keys survive the stamping.
    let mut params = CallToolRequestParams::new("cleanup", None);
    let mut own = Meta::new();
    own.insert("progressToken", "mine");
    own.insert("traceparent", "00-abc");
    params.meta = Some(own);
    send(&mut client, ClientRequest::CallTool(params));
    let lines = raw_lines(&mut client);
    assert_eq!(
        core::str::from_utf8(&lines[0]).unwrap(),
        concat!(
            r#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"cleanup","_meta":{"#,
            r#""progressToken":"mine","traceparent":"00-abc","#,
            r#""io.modelcontextprotocol/protocolVersion":"2026-07-28","#,
            r#""io.modelcontextprotocol/clientCapabilities":{},"#,
            r#""io.modelcontextprotocol/clientInfo":{"name":"test-client","version":"0.1.0"}}}}"#,
            "\n"
        )
    );

    let mut client = self::client(config(ClientMode::Pinned {
        version: ProtocolVersion::V2025_11_25,
        discover: None,
    }));
    assert!(matches!(
        events(&mut client).as_slice(),
        [ClientEvent::Closed {
            reason: CloseReason::Incompatible(_)
        }]
    ));
}

#[test]
fn envelope_follows_client_info_and_log_level_settings() {
    let caps = ClientCapabilities {
        elicitation: Some(ElicitationCapability::default()),
        ..ClientCapabilities::default()
    };
    let mut client = client(
        pinned()
            .with_client_info(false)
            .with_capabilities(caps)
            .with_log_level(Some(LoggingLevel::Info)),
    );
    send(&mut client, list_tools());
    client
        .send_request(
            ms(1),
            list_tools(),
            RequestOptions::new()
                .with_log_level(LoggingLevel::Error)
                .with_cache(false),
        )
        .unwrap();
    let lines = sent(&mut client);
    for line in &lines {
        assert!(
            meta(line)
                .get("io.modelcontextprotocol/clientInfo")
                .is_none()
        );
        assert_eq!(
            meta(line)["io.modelcontextprotocol/clientCapabilities"],
            json!({"elicitation": {}})
        );
    }
    assert_eq!(meta(&lines[0])["io.modelcontextprotocol/logLevel"], "info");
    assert_eq!(meta(&lines[1])["io.modelcontextprotocol/logLevel"], "error");
}

#[test]
fn methods_outside_the_negotiated_era_are_refused() {
    let mut modern = client(pinned());
    assert_eq!(
        modern.send_request(ms(0), ClientRequest::Ping(None), RequestOptions::new()),
        Err(SendError::WrongEra)
    );
    let init = ClientRequest::Initialize(alloc::boxed::Box::new(
        crate::types::InitializeRequestParams {
            protocol_version: "2025-11-25".into(),
            capabilities: ClientCapabilities::default(),
            client_info: info(),
            meta: None,
        },
    ));
    assert_eq!(
        modern.send_request(ms(0), init.clone(), RequestOptions::new()),
        Err(SendError::Reserved)
    );
    // Extension methods MCP does not define go out as given.
    let custom = ClientRequest::Custom {
        method: "com.example/do".into(),
        params: None,
    };
    assert!(
        modern
            .send_request(ms(0), custom, RequestOptions::new())
            .is_ok()
    );

    let mut legacy = legacy_ready(ClientCapabilities::default());
    // `listen` is emulated on a legacy session; the request itself is refused.
    let listen =
        ClientRequest::SubscriptionsListen(crate::types::SubscriptionsListenRequestParams {
            notifications: SubscriptionFilter::default(),
            meta: None,
        });
    assert_eq!(
        legacy.send_request(ms(2), listen, RequestOptions::new()),
        Err(SendError::WrongEra)
    );
    assert_eq!(
        legacy.send_request(
            ms(2),
            ClientRequest::Discover(Default::default()),
            RequestOptions::new()
        ),
        Err(SendError::WrongEra)
    );
    assert_eq!(
        legacy.send_request(ms(2), init, RequestOptions::new()),
        Err(SendError::Reserved)
    );
    assert!(
        legacy
            .send_request(ms(2), ClientRequest::Ping(None), RequestOptions::new())
            .is_ok()
    );

    // Held while probing, then refused by the revision the probe found.
    let mut auto = client(config(ClientMode::Auto));
    sent(&mut auto);
    let ping = send(&mut auto, ClientRequest::Ping(None));
    feed(&mut auto, ms(1), DISCOVER_OK);
    assert!(sent(&mut auto).is_empty());
    assert_eq!(
        events(&mut auto),
        [
            ready_modern(),
            ClientEvent::Failed {
                handle: ping,
                error: RequestError::WrongEra
            }
        ]
    );
}

// Deadlines and cancellation.

#[test]
fn timeout_sends_cancelled_reports_timed_out_and_drops_the_late_answer() {
    let mut client = client(pinned());
    let handle = client
        .send_request(
            ms(0),
            list_tools(),
            RequestOptions::new().with_timeout(Duration::from_secs(1)),
        )
        .unwrap();
    sent(&mut client);
    events(&mut client);
    assert_eq!(client.poll_timeout(), Some(ms(1_000)));
    client.handle_timeout(ms(999));
    assert!(sent(&mut client).is_empty() && events(&mut client).is_empty());
    client.handle_timeout(ms(1_000));
    assert_eq!(
        sent(&mut client),
        [
            json!({"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":1,"reason":"Request timed out"}})
        ]
    );
    assert_eq!(events(&mut client), [ClientEvent::TimedOut { handle }]);
    assert_eq!(client.poll_timeout(), None);
    feed(
        &mut client,
        ms(1_001),
        r#"{"jsonrpc":"2.0","id":1,"result":{"resultType":"complete","tools":[],"ttlMs":0,"cacheScope":"public"}}"#,
    );
    assert!(events(&mut client).is_empty() && sent(&mut client).is_empty());
    assert!(client.is_idle());
}

#[test]
fn explicit_cancel_sends_cancelled_once() {
    let mut client = client(pinned());
    events(&mut client);
    let handle = send(&mut client, call_tool("slow"));
    sent(&mut client);
    client
        .cancel(ms(5), handle, Some("user stopped".into()))
        .unwrap();
    assert_eq!(
        sent(&mut client),
        [
            json!({"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":1,"reason":"user stopped"}})
        ]
    );
    assert_eq!(events(&mut client), [ClientEvent::Cancelled { handle }]);
    assert_eq!(
        client.cancel(ms(6), handle, None),
        Err(ApiMisuse::UnknownHandle)
    );
    feed(
        &mut client,
        ms(7),
        r#"{"jsonrpc":"2.0","id":1,"result":{"resultType":"complete","content":[]}}"#,
    );
    assert!(events(&mut client).is_empty());

    // A held request is withdrawn without a word on the wire.
    let mut auto = self::client(config(ClientMode::Auto));
    sent(&mut auto);
    let held = send(&mut auto, list_tools());
    auto.cancel(ms(1), held, None).unwrap();
    assert!(sent(&mut auto).is_empty());
    assert_eq!(events(&mut auto), [ClientEvent::Cancelled { handle: held }]);
}

// Multi-round-trip requests.

fn elicit_round(id: i64, key: &str, state: Option<&str>) -> String {
    let state = state.map_or(String::new(), |s| alloc::format!(r#","requestState":{s}"#));
    alloc::format!(
        r#"{{"jsonrpc":"2.0","id":{id},"result":{{"resultType":"input_required","inputRequests":{{"{key}":{{"method":"elicitation/create","params":{{"mode":"form","message":"Sure?","requestedSchema":{{"type":"object","properties":{{"ok":{{"type":"boolean"}}}}}}}}}}}}{state}}}}}"#
    )
}

fn accept(key: &str) -> InputResponses {
    let mut responses = InputResponses::new();
    responses.insert(key.into(), ElicitResult::new(ElicitAction::Accept).into());
    responses
}

fn done(id: i64) -> String {
    alloc::format!(
        r#"{{"jsonrpc":"2.0","id":{id},"result":{{"resultType":"complete","content":[{{"type":"text","text":"done"}}]}}}}"#
    )
}

#[test]
fn mrtr_one_round_retries_the_same_request_with_a_new_id() {
    let mut client = client(pinned());
    events(&mut client);
    let handle = send(&mut client, call_tool("cleanup"));
    let first = sent(&mut client);
    feed(&mut client, ms(1), &elicit_round(1, "confirm", None));
    match events(&mut client).as_slice() {
        [
            ClientEvent::InputRequired {
                handle: h,
                round: 1,
                requests,
            },
        ] => {
            assert_eq!(*h, handle);
            assert_eq!(requests.keys().collect::<Vec<_>>(), ["confirm"]);
            assert_eq!(requests["confirm"].method(), "elicitation/create");
        }
        other => panic!("{other:?}"),
    }
    client
        .provide_input(ms(2), handle, accept("confirm"))
        .unwrap();
    let retry = sent(&mut client);
    assert_eq!(retry.len(), 1);
    assert_eq!(retry[0]["id"], 2);
    assert_eq!(retry[0]["method"], "tools/call");
    assert_eq!(retry[0]["params"]["name"], first[0]["params"]["name"]);
    assert_eq!(
        retry[0]["params"]["arguments"],
        first[0]["params"]["arguments"]
    );
    assert_eq!(
        retry[0]["params"]["inputResponses"],
        json!({"confirm": {"action": "accept"}})
    );
    assert!(retry[0]["params"].get("requestState").is_none());
    assert_envelope(&retry[0]);

    // A stray answer to the finished attempt is dropped; the retry's answer ends it.
    feed(&mut client, ms(3), &done(1));
    assert!(events(&mut client).is_empty());
    feed(&mut client, ms(3), &done(2));
    let events = events(&mut client);
    assert!(
        matches!(events.as_slice(), [ClientEvent::Response { handle: h, cached: false, .. }] if *h == handle)
    );
    assert_eq!(ok_outcome(&events[0])["content"][0]["text"], "done");
}

#[test]
fn mrtr_two_rounds_echo_each_request_state_byte_for_byte() {
    let mut client = client(pinned());
    events(&mut client);
    let handle = send(&mut client, call_tool("cleanup"));
    sent(&mut client);
    let state_one = r#""v1.\u00e9 \/ \"q\"\t  tail ""#;
    let state_two = r#""v2.\\\n\u2028""#;
    feed(&mut client, ms(1), &elicit_round(1, "a", Some(state_one)));
    events(&mut client);
    client.provide_input(ms(2), handle, accept("a")).unwrap();
    let retry = raw_lines(&mut client);
    let text = core::str::from_utf8(&retry[0]).unwrap();
    assert!(
        text.contains(&alloc::format!(r#","requestState":{state_one},"#)),
        "{text}"
    );
    assert!(text.starts_with(r#"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"cleanup","arguments":{"dir": "/tmp", "n": 1.50},"inputResponses":{"a":{"action":"accept"}},"requestState":"#));

    feed(&mut client, ms(3), &elicit_round(2, "b", Some(state_two)));
    assert!(matches!(
        events(&mut client).as_slice(),
        [ClientEvent::InputRequired { round: 2, .. }]
    ));
    client.provide_input(ms(4), handle, accept("b")).unwrap();
    let retry = raw_lines(&mut client);
    let text = core::str::from_utf8(&retry[0]).unwrap();
    assert!(
        text.contains(&alloc::format!(r#""requestState":{state_two},"#)),
        "{text}"
    );
    assert!(!text.contains("v1."));
    let parsed: Value = serde_json::from_str(text).unwrap();
    assert_eq!(parsed["id"], 3);
    assert_eq!(
        parsed["params"]["inputResponses"],
        json!({"b": {"action": "accept"}})
    );
    feed(&mut client, ms(5), &done(3));
    assert!(matches!(
        events(&mut client).as_slice(),
        [ClientEvent::Response { outcome: Ok(_), .. }]
    ));
}

#[test]
fn mrtr_state_only_round_can_be_retried_at_once_and_no_deadline_runs_meanwhile() {
    let mut client = client(pinned());
    events(&mut client);
    let handle = client
        .send_request(
            ms(0),
            call_tool("busy"),
            RequestOptions::new().with_timeout(Duration::from_secs(5)),
        )
        .unwrap();
    sent(&mut client);
    feed(
        &mut client,
        ms(1),
        r#"{"jsonrpc":"2.0","id":1,"result":{"resultType":"input_required","requestState":"later"}}"#,
    );
    match events(&mut client).as_slice() {
        [
            ClientEvent::InputRequired {
                round: 1, requests, ..
            },
        ] => assert!(requests.is_empty()),
        other => panic!("{other:?}"),
    }
    // The user (or back-off) takes as long as it takes.
    assert_eq!(client.poll_timeout(), None);
    client.handle_timeout(ms(60_000));
    assert!(events(&mut client).is_empty() && sent(&mut client).is_empty());

    client
        .provide_input(ms(60_000), handle, InputResponses::new())
        .unwrap();
    let retry = sent(&mut client);
    assert_eq!(retry[0]["params"]["inputResponses"], json!({}));
    assert_eq!(retry[0]["params"]["requestState"], "later");
    assert_eq!(client.poll_timeout(), Some(ms(65_000)));
}

#[test]
fn mrtr_round_bound_ends_the_request_with_a_typed_failure() {
    let limits = Limits {
        max_input_rounds: 2,
        ..Limits::default()
    };
    let mut client = client(pinned().with_limits(limits));
    events(&mut client);
    let handle = send(&mut client, call_tool("loop"));
    for id in 1..=2 {
        feed(&mut client, ms(1), &elicit_round(id, "k", Some("\"s\"")));
        assert!(matches!(
            events(&mut client).as_slice(),
            [ClientEvent::InputRequired { .. }]
        ));
        client.provide_input(ms(1), handle, accept("k")).unwrap();
    }
    let ids: Vec<Value> = sent(&mut client).iter().map(|m| m["id"].clone()).collect();
    assert_eq!(ids, [json!(1), json!(2), json!(3)]);
    feed(&mut client, ms(2), &elicit_round(3, "k", Some("\"s\"")));
    assert_eq!(
        events(&mut client),
        [ClientEvent::Failed {
            handle,
            error: RequestError::TooManyRounds { limit: 2 }
        }]
    );
    assert!(client.is_idle());
}

#[test]
fn provide_input_misuse_is_refused() {
    let mut client = client(pinned());
    events(&mut client);
    let handle = send(&mut client, call_tool("x"));
    assert_eq!(
        client.provide_input(ms(0), handle, InputResponses::new()),
        Err(ApiMisuse::NotAwaitingInput)
    );
    feed(&mut client, ms(1), &elicit_round(1, "k", None));
    events(&mut client);
    assert_eq!(
        client.provide_input(ms(1), handle, accept("other")),
        Err(ApiMisuse::IncompleteInput)
    );
    assert_eq!(
        client.provide_input(ms(1), RequestHandle(99), accept("k")),
        Err(ApiMisuse::UnknownHandle)
    );
    // Cancelling while input is gathered sends nothing: the server is not working on it.
    sent(&mut client);
    client.cancel(ms(2), handle, None).unwrap();
    assert!(sent(&mut client).is_empty());
    assert_eq!(events(&mut client), [ClientEvent::Cancelled { handle }]);
}

// Legacy server requests.

#[test]
fn legacy_elicitation_request_is_surfaced_and_answered_once() {
    let caps = ClientCapabilities {
        elicitation: Some(ElicitationCapability::default()),
        ..ClientCapabilities::default()
    };
    let mut client = legacy_ready(caps);
    feed(
        &mut client,
        ms(2),
        r#"{"jsonrpc":"2.0","id":"e-1","method":"elicitation/create","params":{"message":"Name?","requestedSchema":{"type":"object","properties":{"name":{"type":"string"}}}}}"#,
    );
    let token = match events(&mut client).pop() {
        Some(ClientEvent::Request {
            token,
            request: ServerRequest::Elicit(_),
        }) => token,
        other => panic!("{other:?}"),
    };
    assert_eq!(token.id(), &RequestId::from("e-1"));
    let mut content = alloc::collections::BTreeMap::new();
    content.insert("name".into(), "Ada".into());
    let result = ResultBody::from_serialize(&ElicitResult::accept(content)).unwrap();
    assert_eq!(client.respond(ms(3), token, Ok(result)), Ok(Delivery::Sent));
    assert_eq!(
        sent(&mut client),
        [json!({"jsonrpc":"2.0","id":"e-1","result":{"action":"accept","content":{"name":"Ada"}}})]
    );
    let forged = ReplyToken {
        slot: 1,
        id: "e-1".into(),
    };
    assert_eq!(
        client.respond(
            ms(4),
            forged,
            Err(ErrorObject::new(ErrorCode::INTERNAL_ERROR))
        ),
        Err(ApiMisuse::UnknownToken)
    );
    assert!(client.is_idle());
}

#[test]
fn legacy_invalid_reply_is_replaced_and_undeclared_requests_never_reach_the_app() {
    let caps = ClientCapabilities {
        roots: Some(Default::default()),
        ..ClientCapabilities::default()
    };
    let mut client = legacy_ready(caps);
    feed(
        &mut client,
        ms(2),
        r#"{"jsonrpc":"2.0","id":5,"method":"sampling/createMessage","params":{"messages":[],"maxTokens":5}}"#,
    );
    assert!(events(&mut client).is_empty());
    let lines = sent(&mut client);
    assert_eq!(lines[0]["id"], 5);
    assert_eq!(lines[0]["error"]["code"], -32601);

    feed(
        &mut client,
        ms(3),
        r#"{"jsonrpc":"2.0","id":6,"method":"roots/list"}"#,
    );
    let Some(ClientEvent::Request { token, .. }) = client.poll_event() else {
        panic!("no request")
    };
    let wrong = ResultBody::from_serialize(&json!({"roots": "nope"})).unwrap();
    match client.respond(ms(4), token, Ok(wrong)) {
        Ok(Delivery::Replaced { error, .. }) => assert_eq!(error.code, ErrorCode::INTERNAL_ERROR),
        other => panic!("{other:?}"),
    }
    let lines = sent(&mut client);
    assert_eq!(
        (lines[0]["id"].as_i64(), lines[0]["error"]["code"].as_i64()),
        (Some(6), Some(-32603))
    );
}

#[test]
fn ping_is_answered_by_the_connection() {
    let mut client = legacy_ready(ClientCapabilities::default());
    feed(
        &mut client,
        ms(2),
        r#"{"jsonrpc":"2.0","id":7,"method":"ping"}"#,
    );
    assert_eq!(
        raw_lines(&mut client),
        [b"{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":{}}\n".to_vec()]
    );
    assert!(events(&mut client).is_empty());

    // Before the handshake completes, ping is the one request answered.
    let mut probing = client_auto_probed();
    feed(
        &mut probing,
        ms(1),
        r#"{"jsonrpc":"2.0","id":"p","method":"ping"}"#,
    );
    feed(
        &mut probing,
        ms(1),
        r#"{"jsonrpc":"2.0","id":"q","method":"roots/list"}"#,
    );
    let lines = sent(&mut probing);
    assert_eq!(lines[0], json!({"jsonrpc":"2.0","id":"p","result":{}}));
    assert_eq!(lines[1]["error"]["code"], -32601);
}

fn client_auto_probed() -> ClientConnection {
    let mut client = client(config(ClientMode::Auto));
    sent(&mut client);
    client
}

#[test]
fn server_requests_on_a_modern_connection_are_method_not_found() {
    let caps = ClientCapabilities {
        elicitation: Some(ElicitationCapability::default()),
        ..ClientCapabilities::default()
    };
    let mut client = client(pinned().with_capabilities(caps));
    events(&mut client);
    for line in [
        r#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#,
        r#"{"jsonrpc":"2.0","id":2,"method":"elicitation/create","params":{"message":"m","requestedSchema":{"type":"object","properties":{}}}}"#,
    ] {
        feed(&mut client, ms(1), line);
    }
    let lines = sent(&mut client);
    assert_eq!(lines.len(), 2);
    assert!(lines.iter().all(|line| line["error"]["code"] == -32601));
    assert!(events(&mut client).is_empty());
}

#[test]
fn server_cancelling_its_request_swallows_the_reply() {
    let caps = ClientCapabilities {
        roots: Some(Default::default()),
        ..ClientCapabilities::default()
    };
    let mut client = legacy_ready(caps);
    feed(
        &mut client,
        ms(2),
        r#"{"jsonrpc":"2.0","id":9,"method":"roots/list"}"#,
    );
    feed(
        &mut client,
        ms(3),
        r#"{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":9,"reason":"gone"}}"#,
    );
    let mut all = events(&mut client);
    assert_eq!(
        all.pop(),
        Some(ClientEvent::RequestCancelled {
            id: RequestId::Number(9),
            reason: Some("gone".into())
        })
    );
    let Some(ClientEvent::Request { token, .. }) = all.pop() else {
        panic!("no request")
    };
    let roots = ResultBody::from_serialize(&json!({"roots": []})).unwrap();
    assert_eq!(
        client.respond(ms(4), token, Ok(roots)),
        Ok(Delivery::Swallowed)
    );
    assert!(sent(&mut client).is_empty());
    assert!(client.is_idle());
}

// Notifications, progress, cache, subscriptions.

#[test]
fn progress_and_log_notifications_are_routed() {
    let mut client = client(pinned());
    events(&mut client);
    let handle = client
        .send_request(
            ms(0),
            call_tool("long"),
            RequestOptions::new().with_progress(),
        )
        .unwrap();
    let lines = sent(&mut client);
    let token = meta(&lines[0])["progressToken"].clone();
    assert!(token.is_i64());
    let progress = alloc::format!(
        r#"{{"jsonrpc":"2.0","method":"notifications/progress","params":{{"progressToken":{token},"progress":1,"total":2}}}}"#
    );
    feed(&mut client, ms(1), &progress);
    feed(
        &mut client,
        ms(1),
        r#"{"jsonrpc":"2.0","method":"notifications/message","params":{"level":"info","data":"hello"}}"#,
    );
    feed(
        &mut client,
        ms(1),
        r#"{"jsonrpc":"2.0","method":"notifications/custom","params":{"x":1}}"#,
    );
    feed(
        &mut client,
        ms(1),
        r#"{"jsonrpc":"2.0","method":"notifications/progress","params":{}}"#,
    );
    let all = events(&mut client);
    assert_eq!(all.len(), 3, "{all:?}");
    match &all[0] {
        ClientEvent::Progress { handle: h, params } => {
            assert_eq!(*h, handle);
            assert_eq!(params.total, Some(2.0));
            assert_eq!(
                params.progress_token,
                ProgressToken::Number(token.as_i64().unwrap())
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(&all[1], ClientEvent::Log { params } if params.level == LoggingLevel::Info));
    assert!(
        matches!(&all[2], ClientEvent::Notification(ServerNotification::Custom { method, .. }) if method == "notifications/custom")
    );

    // After the answer the token is stale.
    feed(&mut client, ms(2), &done(1));
    events(&mut client);
    feed(&mut client, ms(3), &progress);
    assert!(events(&mut client).is_empty());
}

#[test]
fn duplicate_progress_tokens_are_refused() {
    let mut client = client(pinned());
    let with_token = || {
        let mut meta = Meta::new();
        meta.insert("progressToken", &3);
        ClientRequest::ListPrompts(Some(PaginatedRequestParams {
            cursor: None,
            meta: Some(meta),
        }))
    };
    send(&mut client, with_token());
    assert_eq!(
        client.send_request(ms(0), with_token(), RequestOptions::new()),
        Err(SendError::DuplicateProgressToken)
    );
    // A token the connection allocates steps around the application's.
    send(&mut client, call_tool("a"));
    let handle = client
        .send_request(ms(0), call_tool("b"), RequestOptions::new().with_progress())
        .unwrap();
    let lines = sent(&mut client);
    assert_eq!(handle.as_u64(), 3);
    assert_eq!(meta(&lines[0])["progressToken"], 3);
    assert_eq!(meta(&lines[2])["progressToken"], 4);
}

#[test]
fn cache_answers_fresh_results_without_writing_and_list_changed_invalidates() {
    let mut client = client(pinned());
    events(&mut client);
    let first = send(&mut client, list_tools());
    let result = r#"{"resultType":"complete","tools":[{"name":"t","inputSchema":{"type":"object"}}],"ttlMs":60000,"cacheScope":"public"}"#;
    feed(
        &mut client,
        ms(10),
        &alloc::format!(r#"{{"jsonrpc":"2.0","id":1,"result":{result}}}"#),
    );
    sent(&mut client);
    assert_eq!(events(&mut client), [response(first, result)]);

    let second = client
        .send_request(ms(20), list_tools(), RequestOptions::new())
        .unwrap();
    assert!(sent(&mut client).is_empty(), "a cache hit writes nothing");
    match events(&mut client).as_slice() {
        [
            ClientEvent::Response {
                handle,
                outcome: Ok(body),
                cached: true,
            },
        ] => {
            assert_eq!(*handle, second);
            assert_eq!(body.raw().get(), result);
        }
        other => panic!("{other:?}"),
    }
    // Bypassing the cache still asks.
    client
        .send_request(
            ms(21),
            list_tools(),
            RequestOptions::new().with_cache(false),
        )
        .unwrap();
    assert_eq!(sent(&mut client).len(), 1);

    feed(
        &mut client,
        ms(30),
        r#"{"jsonrpc":"2.0","method":"notifications/tools/list_changed"}"#,
    );
    assert_eq!(
        events(&mut client),
        [ClientEvent::Notification(
            ServerNotification::ToolListChanged(None)
        )]
    );
    client
        .send_request(ms(31), list_tools(), RequestOptions::new())
        .unwrap();
    assert_eq!(sent(&mut client)[0]["method"], "tools/list");

    // Legacy sessions never cache.
    let mut legacy = legacy_ready(ClientCapabilities::default());
    send(&mut legacy, list_tools());
    feed(
        &mut legacy,
        ms(2),
        r#"{"jsonrpc":"2.0","id":2,"result":{"tools":[]}}"#,
    );
    send(&mut legacy, list_tools());
    assert_eq!(sent(&mut legacy).len(), 2);
}

#[test]
fn invalid_results_become_errors() {
    let mut client = client(pinned());
    events(&mut client);
    let handle = send(&mut client, list_tools());
    // `tools` is not a list.
    feed(
        &mut client,
        ms(1),
        r#"{"jsonrpc":"2.0","id":1,"result":{"resultType":"complete","tools":{},"ttlMs":0,"cacheScope":"public"}}"#,
    );
    match events(&mut client).as_slice() {
        [
            ClientEvent::Response {
                handle: h,
                outcome: Err(error),
                cached: false,
            },
        ] => {
            assert_eq!(*h, handle);
            assert_eq!(error.code, ErrorCode::INTERNAL_ERROR);
        }
        other => panic!("{other:?}"),
    }
    // Input required is only for tools/call, prompts/get, resources/read.
    let handle = send(&mut client, list_tools());
    feed(
        &mut client,
        ms(2),
        r#"{"jsonrpc":"2.0","id":2,"result":{"resultType":"input_required","requestState":"x"}}"#,
    );
    assert!(matches!(
        events(&mut client).as_slice(),
        [ClientEvent::Response { handle: h, outcome: Err(_), .. }] if *h == handle
    ));
    // Server errors pass through.
    send(&mut client, call_tool("x"));
    feed(
        &mut client,
        ms(3),
        r#"{"jsonrpc":"2.0","id":3,"error":{"code":-32602,"message":"Unknown tool: x"}}"#,
    );
    assert!(matches!(
        events(&mut client).as_slice(),
        [ClientEvent::Response {
            outcome: Err(ErrorObject {
                code: ErrorCode::INVALID_PARAMS,
                ..
            }),
            ..
        }]
    ));
}

#[test]
fn results_without_result_type_or_cache_hints_are_read_with_the_defaults() {
    let mut client = client(pinned());
    events(&mut client);
    // No resultType: complete, never retried.
    let handle = send(&mut client, call_tool("x"));
    sent(&mut client);
    feed(
        &mut client,
        ms(1),
        r#"{"jsonrpc":"2.0","id":1,"result":{"content":[{"type":"text","text":"old"}]}}"#,
    );
    let got = events(&mut client);
    assert!(matches!(got.as_slice(), [ClientEvent::Response { handle: h, .. }] if *h == handle));
    assert_eq!(ok_outcome(&got[0])["content"][0]["text"], "old");
    assert!(sent(&mut client).is_empty());
    // No cache hints (nor resultType): ttlMs 0, so nothing is cached.
    for (id, result) in [
        (2, r#"{"resultType":"complete","tools":[]}"#),
        (3, r#"{"tools":[],"ttlMs":60000}"#),
    ] {
        let handle = send(&mut client, list_tools());
        assert_eq!(sent(&mut client).len(), 1, "not answered from the cache");
        feed(
            &mut client,
            ms(2),
            &alloc::format!(r#"{{"jsonrpc":"2.0","id":{id},"result":{result}}}"#),
        );
        let got = events(&mut client);
        assert!(
            matches!(got.as_slice(), [ClientEvent::Response { handle: h, cached: false, .. }] if *h == handle)
        );
        assert_eq!(ok_outcome(&got[0])["tools"], json!([]));
    }
    // The defaults do not excuse anything else.
    send(&mut client, call_tool("x"));
    feed(
        &mut client,
        ms(3),
        r#"{"jsonrpc":"2.0","id":4,"result":{"content":"not a list"}}"#,
    );
    assert!(matches!(
        events(&mut client).as_slice(),
        [ClientEvent::Response {
            outcome: Err(ErrorObject {
                code: ErrorCode::INTERNAL_ERROR,
                ..
            }),
            ..
        }]
    ));
}

fn unsupported_version(id: i64, supported: &str) -> String {
    alloc::format!(
        r#"{{"jsonrpc":"2.0","id":{id},"error":{{"code":-32022,"message":"Unsupported protocol version","data":{{"supported":{supported},"requested":"2026-07-28"}}}}}}"#
    )
}

#[test]
fn unsupported_version_resends_a_request_once_at_a_version_the_server_supports() {
    let mut client = client(pinned());
    events(&mut client);
    let handle = send(&mut client, list_tools());
    let first = sent(&mut client);
    feed(
        &mut client,
        ms(1),
        &unsupported_version(1, r#"["2026-07-28"]"#),
    );
    assert!(events(&mut client).is_empty(), "the application waits");
    let again = sent(&mut client);
    assert_eq!(again.len(), 1);
    assert_eq!(again[0]["id"], 2, "a new id");
    assert_eq!(again[0]["method"], first[0]["method"]);
    assert_envelope(&again[0]);
    // Refused again: the application gets the error.
    feed(
        &mut client,
        ms(2),
        &unsupported_version(2, r#"["2026-07-28"]"#),
    );
    match events(&mut client).as_slice() {
        [
            ClientEvent::Response {
                handle: h,
                outcome: Err(error),
                ..
            },
        ] => {
            assert_eq!(*h, handle);
            assert_eq!(error.code, ErrorCode::UNSUPPORTED_PROTOCOL_VERSION);
        }
        other => panic!("{other:?}"),
    }
    assert!(sent(&mut client).is_empty());
    // No version in common: the error at once.
    let handle = send(&mut client, list_tools());
    sent(&mut client);
    feed(
        &mut client,
        ms(3),
        &unsupported_version(3, r#"["2099-01-01"]"#),
    );
    assert!(matches!(
        events(&mut client).as_slice(),
        [ClientEvent::Response { handle: h, outcome: Err(_), .. }] if *h == handle
    ));
    assert!(sent(&mut client).is_empty());
    assert_eq!(
        client.protocol_version(),
        Some(&ProtocolVersion::V2026_07_28)
    );
}

#[test]
fn unsupported_version_on_a_retry_resends_its_input_and_state() {
    let mut client = client(pinned());
    events(&mut client);
    let handle = send(&mut client, call_tool("cleanup"));
    sent(&mut client);
    feed(&mut client, ms(1), &elicit_round(1, "a", Some(r#""s-1""#)));
    events(&mut client);
    client.provide_input(ms(2), handle, accept("a")).unwrap();
    let retry = sent(&mut client);
    feed(
        &mut client,
        ms(3),
        &unsupported_version(2, r#"["2026-07-28"]"#),
    );
    let again = sent(&mut client);
    assert_eq!(again.len(), 1);
    assert_eq!(again[0]["id"], 3);
    for member in ["name", "arguments", "inputResponses", "requestState"] {
        assert_eq!(
            again[0]["params"][member], retry[0]["params"][member],
            "{member}"
        );
    }
    assert_eq!(again[0]["params"]["requestState"], "s-1");
    feed(&mut client, ms(4), &done(3));
    let got = events(&mut client);
    assert!(matches!(got.as_slice(), [ClientEvent::Response { handle: h, .. }] if *h == handle));
    assert_eq!(ok_outcome(&got[0])["content"][0]["text"], "done");
}

fn tagged(method: &str, params: &str, sub: i64) -> String {
    alloc::format!(
        r#"{{"jsonrpc":"2.0","method":"{method}","params":{{{params}"_meta":{{"io.modelcontextprotocol/subscriptionId":{sub}}}}}}}"#
    )
}

#[test]
fn listen_stream_acknowledgement_notifications_and_end_by_response() {
    let mut client = client(pinned());
    events(&mut client);
    let filter = SubscriptionFilter {
        tools_list_changed: Some(true),
        resource_subscriptions: Some(alloc::vec!["file:///a".into()]),
        ..SubscriptionFilter::default()
    };
    let handle = client.listen(ms(0), filter).unwrap();
    let lines = sent(&mut client);
    assert_eq!(lines[0]["method"], "subscriptions/listen");
    assert_eq!(
        lines[0]["params"]["notifications"],
        json!({"toolsListChanged": true, "resourceSubscriptions": ["file:///a"]})
    );
    assert_envelope(&lines[0]);
    assert_eq!(
        client.poll_timeout(),
        None,
        "listen requests never time out"
    );

    feed(
        &mut client,
        ms(1),
        &tagged(
            "notifications/subscriptions/acknowledged",
            r#""notifications":{"toolsListChanged":true},"#,
            1,
        ),
    );
    feed(
        &mut client,
        ms(2),
        &tagged("notifications/tools/list_changed", "", 1),
    );
    feed(
        &mut client,
        ms(2),
        &tagged("notifications/tools/list_changed", "", 42),
    );
    feed(
        &mut client,
        ms(2),
        r#"{"jsonrpc":"2.0","method":"notifications/prompts/list_changed"}"#,
    );
    let all = events(&mut client);
    assert_eq!(all.len(), 3, "{all:?}");
    assert_eq!(
        all[0],
        ClientEvent::SubscriptionAcknowledged {
            handle,
            filter: SubscriptionFilter {
                tools_list_changed: Some(true),
                ..SubscriptionFilter::default()
            }
        }
    );
    assert!(matches!(
        &all[1],
        ClientEvent::SubscriptionNotification { handle: h, notification: ServerNotification::ToolListChanged(Some(_)) } if *h == handle
    ));
    assert_eq!(
        all[2],
        ClientEvent::Notification(ServerNotification::PromptListChanged(None))
    );

    feed(
        &mut client,
        ms(3),
        r#"{"jsonrpc":"2.0","id":1,"result":{"resultType":"complete","_meta":{"io.modelcontextprotocol/subscriptionId":1}}}"#,
    );
    // A cancellation as well is accepted, and ends nothing twice.
    feed(
        &mut client,
        ms(3),
        r#"{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":1}}"#,
    );
    feed(
        &mut client,
        ms(4),
        &tagged("notifications/tools/list_changed", "", 1),
    );
    assert_eq!(
        events(&mut client),
        [ClientEvent::SubscriptionEnded {
            handle,
            error: None
        }]
    );
    assert!(client.is_idle());
}

#[test]
fn listen_ends_by_server_cancellation_or_client_cancel_and_is_bounded() {
    let limits = Limits {
        max_subscriptions: 2,
        ..Limits::default()
    };
    let mut client = client(pinned().with_limits(limits));
    events(&mut client);
    let a = client.listen(ms(0), SubscriptionFilter::default()).unwrap();
    let b = client.listen(ms(0), SubscriptionFilter::default()).unwrap();
    assert_eq!(
        client.listen(ms(0), SubscriptionFilter::default()),
        Err(SendError::TooManySubscriptions)
    );
    sent(&mut client);
    feed(
        &mut client,
        ms(1),
        r#"{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":1,"_meta":{"io.modelcontextprotocol/subscriptionId":1}}}"#,
    );
    assert_eq!(
        events(&mut client),
        [ClientEvent::SubscriptionEnded {
            handle: a,
            error: None
        }]
    );
    client.cancel(ms(2), b, None).unwrap();
    assert_eq!(
        sent(&mut client),
        [json!({"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":2}})]
    );
    assert_eq!(events(&mut client), [ClientEvent::Cancelled { handle: b }]);

    // A server refusing to serve listen ends it with its error.
    let c = client.listen(ms(3), SubscriptionFilter::default()).unwrap();
    feed(
        &mut client,
        ms(3),
        r#"{"jsonrpc":"2.0","id":3,"error":{"code":-32601,"message":"Method not found"}}"#,
    );
    assert!(matches!(
        events(&mut client).as_slice(),
        [ClientEvent::SubscriptionEnded { handle, error: Some(_) }] if *handle == c
    ));
}

// Stream ends, bounds, misc.

#[test]
fn eof_processes_the_last_line_fails_open_requests_and_reports_closed_last() {
    let mut client = client(pinned());
    events(&mut client);
    let a = send(&mut client, call_tool("a"));
    let b = send(&mut client, call_tool("b"));
    let c = client.listen(ms(0), SubscriptionFilter::default()).unwrap();
    sent(&mut client);
    // The final answer has no newline before the end of the stream.
    client.handle_bytes(ms(1), done(1).as_bytes());
    assert!(events(&mut client).is_empty());
    client.handle_eof(ms(2));
    let all = events(&mut client);
    assert!(matches!(&all[0], ClientEvent::Response { handle, .. } if *handle == a));
    assert_eq!(
        all[1..],
        [
            ClientEvent::Failed {
                handle: b,
                error: RequestError::ConnectionClosed
            },
            ClientEvent::Failed {
                handle: c,
                error: RequestError::ConnectionClosed
            },
            ClientEvent::Closed {
                reason: CloseReason::PeerClosed
            },
        ]
    );
    assert!(client.is_closed() && client.is_idle());
    assert_eq!(client.poll_timeout(), None);
    client.handle_bytes(ms(3), b"{}\n");
    client.handle_eof(ms(3));
    client.close(ms(3));
    assert!(events(&mut client).is_empty(), "Closed is emitted once");
}

#[test]
fn full_event_queue_pauses_input_until_drained() {
    let limits = Limits {
        max_pending_events: 2,
        ..Limits::default()
    };
    let mut client = client(pinned().with_limits(limits));
    let log =
        r#"{"jsonrpc":"2.0","method":"notifications/message","params":{"level":"info","data":1}}"#;
    // Ready already fills one slot.
    let chunk = alloc::format!("{log}\n{log}\n{log}\n");
    client.handle_bytes(ms(5), chunk.as_bytes());
    assert!(!client.wants_input());
    // Nothing to do until the application drains.
    assert_eq!(client.poll_timeout(), None);
    assert_eq!(events(&mut client).len(), 2);
    assert_eq!(client.poll_timeout(), Some(ms(5)));
    client.handle_timeout(ms(5));
    assert_eq!(events(&mut client).len(), 2);
    assert!(client.wants_input());
    assert_eq!(client.poll_timeout(), None);
}

#[test]
fn garbage_is_ignored_but_a_malformed_request_with_an_id_is_answered() {
    let mut client = client(pinned());
    events(&mut client);
    for line in [
        "not json",
        "[1,2]",
        r#"{"jsonrpc":"2.0","id":77,"result":{}}"#,
        r#"{"jsonrpc":"1.0","method":"x"}"#,
        r#"{"jsonrpc":"2.0","method":"notifications/progress","params":{"progressToken":[]}}"#,
    ] {
        feed(&mut client, ms(1), line);
    }
    assert!(sent(&mut client).is_empty());
    assert!(events(&mut client).is_empty());
    feed(
        &mut client,
        ms(2),
        r#"{"jsonrpc":"2.0","id":3,"method":"x","params":[1]}"#,
    );
    let lines = sent(&mut client);
    assert_eq!(
        (lines[0]["id"].as_i64(), lines[0]["error"]["code"].as_i64()),
        (Some(3), Some(-32600))
    );
}

#[test]
fn notify_follows_the_lifecycle_the_era_and_the_queue_bound() {
    let mut auto = client_auto_probed();
    let roots_changed = ClientNotification::RootsListChanged(None);
    assert_eq!(
        auto.notify(ms(0), roots_changed.clone()),
        Err(SendError::NotReady)
    );
    assert_eq!(
        auto.notify(ms(0), ClientNotification::Initialized(None)),
        Err(SendError::Reserved)
    );

    let mut modern = client(pinned());
    assert_eq!(
        modern.notify(ms(0), roots_changed.clone()),
        Err(SendError::WrongEra)
    );

    let limits = Limits {
        max_queued_bytes: 10,
        ..Limits::default()
    };
    let mut legacy = client(config(ClientMode::Legacy).with_limits(limits));
    sent(&mut legacy);
    feed(&mut legacy, ms(1), &INIT_OK.replace("\"id\":2", "\"id\":1"));
    assert_eq!(
        legacy.notify(ms(1), roots_changed.clone()),
        Err(SendError::QueueFull)
    );
    sent(&mut legacy);
    assert_eq!(legacy.notify(ms(1), roots_changed), Ok(()));
    assert_eq!(
        sent(&mut legacy),
        [json!({"jsonrpc":"2.0","method":"notifications/roots/list_changed"})]
    );
}

#[test]
fn close_fails_open_requests_and_bounds_in_flight() {
    let limits = Limits {
        max_outbound_in_flight: 1,
        ..Limits::default()
    };
    let mut client = client(pinned().with_limits(limits));
    events(&mut client);
    let handle = send(&mut client, list_tools());
    assert_eq!(
        client.send_request(ms(0), list_tools(), RequestOptions::new()),
        Err(SendError::TooManyInFlight)
    );
    client.close(ms(1));
    assert_eq!(
        events(&mut client),
        [
            ClientEvent::Failed {
                handle,
                error: RequestError::ConnectionClosed
            },
            ClientEvent::Closed {
                reason: CloseReason::LocallyClosed
            }
        ]
    );
    // The request was queued before the close and may still be written.
    assert_eq!(sent(&mut client).len(), 1);
    assert_eq!(
        client.notify(ms(2), ClientNotification::RootsListChanged(None)),
        Err(SendError::Closed)
    );
}

#[test]
fn time_never_runs_backwards() {
    let mut client = client(pinned());
    client
        .send_request(
            ms(1_000),
            list_tools(),
            RequestOptions::new().with_timeout(Duration::from_secs(1)),
        )
        .unwrap();
    // An older stamp is clamped: the deadline stays 1 s after the latest time seen.
    client
        .send_request(
            ms(10),
            call_tool("x"),
            RequestOptions::new().with_timeout(Duration::from_secs(1)),
        )
        .unwrap();
    assert_eq!(client.poll_timeout(), Some(ms(2_000)));
    client.handle_timeout(ms(1_500));
    client.handle_timeout(ms(500));
    assert!(
        !events(&mut client)
            .iter()
            .any(|e| matches!(e, ClientEvent::TimedOut { .. }))
    );
}

#[test]
fn same_inputs_give_byte_identical_outputs() {
    let run = || {
        let mut client = client(config(ClientMode::Auto).with_log_level(Some(LoggingLevel::Debug)));
        let mut bytes = Vec::new();
        send(&mut client, call_tool("a"));
        client.listen(ms(0), SubscriptionFilter::default()).unwrap();
        feed(&mut client, ms(1), DISCOVER_OK);
        feed(&mut client, ms(2), &elicit_round(2, "k", Some(r#""s""#)));
        let handle = RequestHandle(2);
        client.provide_input(ms(3), handle, accept("k")).unwrap();
        client.handle_timeout(ms(100_000));
        while client.poll_transmit(&mut bytes).is_some() {}
        (bytes, events(&mut client))
    };
    let (first, first_events) = run();
    let (second, second_events) = run();
    assert_eq!(first, second);
    assert_eq!(first_events, second_events);
    let text = String::from_utf8(first).unwrap();
    assert_eq!(text.lines().count(), 5, "{text}");
}

#[test]
fn queued_requests_write_params_text_as_serialising_them_would() {
    use crate::connection::Outbox;
    use crate::jsonrpc::{Params, encode_request};

    let checked = |text: &str| {
        let params = Params::from_serialize(&serde_json::from_str::<Value>(text).unwrap()).unwrap();
        // The decoder's kind of params: text kept unparsed after one checking pass.
        let message = crate::jsonrpc::decode(
            alloc::format!(r#"{{"jsonrpc":"2.0","id":1,"method":"m","params":{text}}}"#).as_bytes(),
        )
        .unwrap();
        (params, message.params().cloned().unwrap())
    };
    for text in [
        "{}",
        r#"{"name":"echo","arguments":{"text":"a \"quoted\" é\n"}}"#,
        r#"{ "spaced" : [1, 2.50] , "_meta": {"progressToken": 7} }"#,
    ] {
        let (serialised, decoded) = checked(text);
        for (id, method) in [
            (RequestId::Number(7), "tools/call"),
            (RequestId::from("x\"y"), "a/\"b"),
        ] {
            for params in [Some(&serialised), Some(&decoded), None] {
                let mut expected = Vec::new();
                encode_request(&mut expected, &id, method, params.map(Params::raw)).unwrap();
                expected.push(b'\n');
                let mut outbox = Outbox::default();
                queue_request(&mut outbox, &id, method, params).unwrap();
                let mut written = Vec::new();
                let _ = outbox.poll_transmit(&mut written).unwrap();
                assert_eq!(
                    String::from_utf8(written).unwrap(),
                    String::from_utf8(expected).unwrap()
                );
            }
        }
    }
}

#[test]
fn an_encoded_request_goes_out_and_is_refused_as_the_request_would_be() {
    use crate::client::EncodedRequest;

    for (mut direct, mut encoded) in [
        (client(pinned()), client(pinned())),
        (
            legacy_ready(ClientCapabilities::default()),
            legacy_ready(ClientCapabilities::default()),
        ),
    ] {
        for request in [call_tool("echo"), list_tools(), ClientRequest::Ping(None)] {
            let by_value = direct.send_request(ms(0), request.clone(), RequestOptions::new());
            let ahead = EncodedRequest::new(&request).unwrap();
            assert_eq!(ahead.method(), request.method());
            let by_encoding = encoded.send_encoded(ms(0), ahead, RequestOptions::new());
            assert_eq!(by_value.is_ok(), by_encoding.is_ok(), "{request:?}");
            assert_eq!(by_value.err(), by_encoding.err());
            assert_eq!(raw_lines(&mut direct), raw_lines(&mut encoded));
        }
    }
}

#[test]
fn a_stamped_line_carries_what_stamping_the_params_gives() {
    use crate::client::envelope::{Envelope, stamp, stamped_meta};
    use crate::connection::Outbox;
    use crate::jsonrpc::{Message, Params};

    let caps = ClientCapabilities::default();
    let info = Implementation::new("c", "1");
    for log_level in [None, Some(crate::types::LoggingLevel::Debug)] {
        let envelope = Envelope {
            version: &ProtocolVersion::V2026_07_28,
            capabilities: &caps,
            info: Some(&info),
            log_level,
        };
        let meta = stamped_meta(&envelope);
        for base in [
            None,
            Some("{}"),
            Some(" { } "),
            Some(r#" { "name" : "x" , "arguments":{"a": [1, 2.50]} } "#),
            Some(r#"{"cursor":"c"}"#),
        ] {
            let base = base.map(|text| Params::from_object(RawJson::from_text(text).unwrap()));
            let id = RequestId::Number(3);
            let mut outbox = Outbox::default();
            queue_stamped_request(&mut outbox, &id, "tools/call", base.as_ref(), &meta).unwrap();
            let mut direct = Vec::new();
            let _ = outbox.poll_transmit(&mut direct).unwrap();
            let stamped = stamp(base.as_ref(), &envelope).unwrap();
            queue_request(&mut outbox, &id, "tools/call", Some(&stamped)).unwrap();
            let mut built = Vec::new();
            let _ = outbox.poll_transmit(&mut built).unwrap();
            // The same message, member for member (whitespace inside `params` aside).
            let direct_value: Value = serde_json::from_slice(&direct).unwrap();
            let built_value: Value = serde_json::from_slice(&built).unwrap();
            assert_eq!(direct_value, built_value, "{base:?}");
            let Ok(Message::Request(request)) = crate::jsonrpc::decode(&direct) else {
                panic!("{base:?}");
            };
            assert_eq!(request.params.as_ref().and_then(Params::meta), Some(&meta));
        }
    }
}

// The result as the application receives it.

#[test]
fn a_tool_result_arrives_decoded_once_and_equal_to_a_fresh_decoding() {
    let received = |text: &str| {
        let mut client = legacy_ready(ClientCapabilities::default());
        let handle = send(&mut client, call_tool("cleanup"));
        let id = sent(&mut client)[0]["id"].clone();
        feed(
            &mut client,
            ms(2),
            &format!(r#"{{"jsonrpc":"2.0","id":{id},"result":{text}}}"#),
        );
        match events(&mut client).pop() {
            Some(ClientEvent::Response {
                handle: h,
                outcome: Ok(body),
                ..
            }) if h == handle => body,
            other => panic!("no result: {other:?}"),
        }
    };
    // A result beyond the plain shape: validation decoded it into its type and kept it;
    // a clone does not carry it.
    let text = r#"{"content":[{"type":"text","text":"done","annotations":{"priority":1}}],"structuredContent":{"n":1}}"#;
    let body = received(text);
    assert!(format!("{body:?}").contains("decoded: Decoded"), "{body:?}");
    assert!(format!("{:?}", body.clone()).contains("decoded: NotDecoded"));
    let fresh: CallToolResult = body.decode().unwrap();
    assert_eq!(
        body.clone().into_decoded::<CallToolResult>().unwrap(),
        fresh
    );
    // Another type falls back to decoding the text.
    let as_value: Value = body.clone().into_decoded().unwrap();
    assert_eq!(as_value, serde_json::from_str::<Value>(text).unwrap());
    assert_eq!(body.into_decoded::<CallToolResult>().unwrap(), fresh);

    // A plain result is only checked; the receiver reads it when it asks, to the same value.
    for text in [
        r#"{"content":[{"type":"text","text":"done"}],"isError":false}"#,
        r#"{"content":[],"_meta":{"k":1}}"#,
    ] {
        let body = received(text);
        assert!(
            format!("{body:?}").contains("decoded: NotDecoded"),
            "{body:?}"
        );
        let fresh: CallToolResult = body.decode().unwrap();
        assert_eq!(body.into_decoded::<CallToolResult>().unwrap(), fresh);
    }
}

#[test]
fn a_server_info_is_decoded_again_only_when_its_text_changes() {
    let mut client = client(config(ClientMode::Auto));
    sent(&mut client);
    feed(&mut client, ms(5), DISCOVER_OK);
    events(&mut client);
    let outcome = |client: &mut ClientConnection, id: u64, server_info: &str| {
        let handle = send(client, call_tool("cleanup"));
        assert_eq!(sent(client)[0]["id"], id);
        feed(
            client,
            ms(6),
            &format!(
                r#"{{"jsonrpc":"2.0","id":{id},"result":{{"resultType":"complete","content":[],"_meta":{{"io.modelcontextprotocol/serverInfo":{server_info}}}}}}}"#
            ),
        );
        match events(client).as_slice() {
            [
                ClientEvent::Response {
                    handle: h, outcome, ..
                },
            ] if *h == handle => outcome.is_ok(),
            other => panic!("no response: {other:?}"),
        }
    };
    let valid = r#"{"name":"srv","version":"2.0"}"#;
    assert!(outcome(&mut client, 2, valid));
    assert!(outcome(&mut client, 3, valid), "the same text again");
    assert!(
        !outcome(&mut client, 4, r#"{"name":7}"#),
        "a new text is checked"
    );
    assert!(outcome(&mut client, 5, valid));
    assert!(!outcome(&mut client, 6, r#"{"version":"2.0"}"#));
}

// Listening on a legacy session (emulated).

/// A legacy client past its handshake with a server announcing tool list changes and
/// resource subscriptions.
fn legacy_listening() -> ClientConnection {
    let mut client = client(config(ClientMode::Legacy));
    feed(
        &mut client,
        ms(1),
        r#"{"jsonrpc":"2.0","id":1,"result":{"protocolVersion":"2025-11-25","capabilities":{"tools":{"listChanged":true},"resources":{"subscribe":true}},"serverInfo":{"name":"s","version":"1"}}}"#,
    );
    sent(&mut client);
    events(&mut client);
    assert_eq!(client.era(), Some(Era::Legacy));
    client
}

#[test]
fn a_legacy_listen_subscribes_its_resources_and_is_acknowledged_without_refused_ones() {
    let mut client = legacy_listening();
    let filter: SubscriptionFilter = serde_json::from_value(json!({
        "toolsListChanged": true,
        "promptsListChanged": true,
        "resourceSubscriptions": ["file:///a", "file:///b"]
    }))
    .unwrap();
    let handle = client.listen(ms(2), filter.clone()).unwrap();
    assert_eq!(
        sent(&mut client),
        [
            json!({"jsonrpc":"2.0","id":2,"method":"resources/subscribe","params":{"uri":"file:///a"}}),
            json!({"jsonrpc":"2.0","id":3,"method":"resources/subscribe","params":{"uri":"file:///b"}}),
        ]
    );
    assert!(events(&mut client).is_empty(), "acknowledged once answered");
    feed(
        &mut client,
        ms(3),
        r#"{"jsonrpc":"2.0","id":2,"result":{}}"#,
    );
    assert!(events(&mut client).is_empty());
    feed(
        &mut client,
        ms(3),
        r#"{"jsonrpc":"2.0","id":3,"error":{"code":-32602,"message":"no such resource"}}"#,
    );
    // Prompts are not announced and file:///b was refused.
    let acknowledged: SubscriptionFilter = serde_json::from_value(json!({
        "toolsListChanged": true,
        "resourceSubscriptions": ["file:///a"]
    }))
    .unwrap();
    assert_eq!(
        events(&mut client),
        [ClientEvent::SubscriptionAcknowledged {
            handle,
            filter: acknowledged
        }]
    );

    // A second subscription to the same resource sends nothing and is acknowledged at once.
    let second = client
        .listen(
            ms(4),
            serde_json::from_value(json!({"resourceSubscriptions": ["file:///a"]})).unwrap(),
        )
        .unwrap();
    assert!(sent(&mut client).is_empty());
    assert!(matches!(
        events(&mut client).as_slice(),
        [ClientEvent::SubscriptionAcknowledged { handle: h, .. }] if *h == second
    ));

    // An update under the resource reaches both, as well as the plain notification.
    feed(
        &mut client,
        ms(5),
        r#"{"jsonrpc":"2.0","method":"notifications/resources/updated","params":{"uri":"file:///a/part"}}"#,
    );
    let seen = events(&mut client);
    let delivered: Vec<RequestHandle> = seen
        .iter()
        .filter_map(|event| match event {
            ClientEvent::SubscriptionNotification { handle, .. } => Some(*handle),
            _ => None,
        })
        .collect();
    assert_eq!(delivered, [handle, second]);
    assert!(matches!(seen.last(), Some(ClientEvent::Notification(_))));
    // A list change only reaches the subscription that asked for it.
    feed(
        &mut client,
        ms(5),
        r#"{"jsonrpc":"2.0","method":"notifications/tools/list_changed"}"#,
    );
    let seen = events(&mut client);
    assert!(matches!(
        seen.first(),
        Some(ClientEvent::SubscriptionNotification { handle: h, .. }) if *h == handle
    ));
    assert_eq!(seen.len(), 2);

    // Cancelling the first keeps file:///a (the second names it); the second's cancel
    // unsubscribes it.
    client.cancel(ms(6), handle, None).unwrap();
    assert!(sent(&mut client).is_empty());
    assert_eq!(events(&mut client), [ClientEvent::Cancelled { handle }]);
    client.cancel(ms(6), second, None).unwrap();
    assert_eq!(
        sent(&mut client),
        [
            json!({"jsonrpc":"2.0","id":4,"method":"resources/unsubscribe","params":{"uri":"file:///a"}})
        ]
    );
    assert_eq!(
        events(&mut client),
        [ClientEvent::Cancelled { handle: second }]
    );
    feed(
        &mut client,
        ms(7),
        r#"{"jsonrpc":"2.0","id":4,"result":{}}"#,
    );
    assert!(events(&mut client).is_empty());
    assert!(client.is_idle());
}

#[test]
fn a_legacy_listen_fails_when_the_connection_closes_and_its_subscribe_can_time_out() {
    let mut client = legacy_listening();
    let filter: SubscriptionFilter =
        serde_json::from_value(json!({"resourceSubscriptions": ["file:///a"]})).unwrap();
    let handle = client.listen(ms(2), filter).unwrap();
    sent(&mut client);
    // No answer in time: the resource counts as refused.
    let deadline = client.poll_timeout().unwrap();
    client.handle_timeout(deadline);
    assert_eq!(
        events(&mut client),
        [ClientEvent::SubscriptionAcknowledged {
            handle,
            filter: SubscriptionFilter::default()
        }]
    );
    client.handle_eof(deadline);
    let closing = events(&mut client);
    assert_eq!(
        closing.first(),
        Some(&ClientEvent::Failed {
            handle,
            error: RequestError::ConnectionClosed
        })
    );
}
