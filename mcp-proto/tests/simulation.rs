//! Client and server cores wired together through the deterministic `testing::Pair`:
//! every pairing of modes and eras, multi-round-trip requests, timeouts and cancellation
//! both ways, subscriptions across both eras, and the client's cache.

use core::time::Duration;

use mcp_proto::client::{ClientConfig, ClientEvent, ClientMode, RequestOptions};
use mcp_proto::connection::{Delivery, RequestHandle};
use mcp_proto::jsonrpc::{ErrorCode, Params, ResultBody};
use mcp_proto::mrtr::HmacSealer;
use mcp_proto::server::{Change, InboundRequest, InputRequired, Reply, ServerConfig, ServerEvent};
use mcp_proto::testing::{Pair, Side};
use mcp_proto::types::{
    ClientCapabilities, ClientRequest, ElicitRequestParams, ElicitResult, ElicitationCapability,
    ElicitationSchema, Implementation, InputRequest, InputResponse, InputResponses,
    ListChangedCapability, ServerCapabilities, ServerNotification, ServerRequest,
    SubscriptionFilter,
};
use mcp_proto::version::{Era, ProtocolVersion};
use serde_json::{Value, json};

fn client_config(mode: ClientMode) -> ClientConfig {
    let capabilities =
        ClientCapabilities::default().with_elicitation(ElicitationCapability::default());
    ClientConfig::new(Implementation::new("sim-client", "1.0"))
        .with_mode(mode)
        .with_capabilities(capabilities)
}

fn server_config() -> ServerConfig {
    let capabilities = ServerCapabilities::default().with_tools(ListChangedCapability::new(true));
    ServerConfig::new(Implementation::new("sim-server", "1.0"))
        .with_capabilities(capabilities)
        .with_sealer(HmacSealer::new("k1", [3; 32], [4; 16]).unwrap())
}

fn legacy_only_server() -> ServerConfig {
    server_config().with_versions(mcp_proto::version::versions_of(Era::Legacy))
}

fn request(method: &str, params: Value) -> ClientRequest {
    let params = Params::from_serialize(&params).unwrap();
    ClientRequest::decode(method, Some(&params)).unwrap()
}

fn ready(pair: &mut Pair) -> (Era, ProtocolVersion) {
    assert!(pair.drive());
    let found = pair.client_events.iter().find_map(|event| match event {
        ClientEvent::Ready { era, version } => Some((*era, version.clone())),
        _ => None,
    });
    pair.client_events.clear();
    found.expect("the client became ready")
}

/// Takes server events until a request arrives.
fn next_request(pair: &mut Pair) -> InboundRequest {
    assert!(pair.drive());
    while let Some(event) = pair.next_server_event() {
        if let ServerEvent::Request(request) = event {
            return *request;
        }
    }
    panic!("no request reached the server");
}

fn response_of(
    pair: &mut Pair,
    handle: RequestHandle,
) -> (Result<ResultBody, mcp_proto::jsonrpc::ErrorObject>, bool) {
    assert!(pair.drive());
    let position = pair
        .client_events
        .iter()
        .position(|event| matches!(event, ClientEvent::Response { handle: h, .. } if *h == handle))
        .expect("a response event");
    match pair.client_events.remove(position) {
        Some(ClientEvent::Response {
            outcome, cached, ..
        }) => (outcome, cached),
        _ => unreachable!(),
    }
}

fn call_tool(pair: &mut Pair, name: &str) -> RequestHandle {
    let call = request("tools/call", json!({"name": name, "arguments": {"x": 1}}));
    pair.client
        .send_request(pair.now, call, RequestOptions::new())
        .unwrap()
}

#[test]
fn auto_client_and_dual_era_server_land_on_2026() {
    let mut pair = Pair::new(1, client_config(ClientMode::Auto), server_config());
    assert_eq!(
        ready(&mut pair),
        (Era::Modern, ProtocolVersion::V2026_07_28)
    );
    assert_eq!(pair.server.era(), Some(Era::Modern));
    assert_eq!(
        pair.client.server_info().map(|info| info.name.as_str()),
        Some("sim-server")
    );
    let handle = pair
        .client
        .send_request(
            pair.now,
            request("tools/list", json!({})),
            RequestOptions::new(),
        )
        .unwrap();
    let served = next_request(&mut pair);
    assert_eq!(served.context.version, ProtocolVersion::V2026_07_28);
    assert_eq!(
        served
            .context
            .client_info
            .as_ref()
            .map(|info| info.name.as_str()),
        Some("sim-client")
    );
    pair.server
        .respond(pair.now, served.token, Reply::result(&json!({"tools": []})))
        .unwrap();
    let (outcome, cached) = response_of(&mut pair, handle);
    assert!(!cached);
    assert_eq!(
        outcome.unwrap().decode::<Value>().unwrap()["resultType"],
        "complete"
    );
}

#[test]
fn legacy_client_gets_a_2025_session() {
    let mut pair = Pair::new(2, client_config(ClientMode::Legacy), server_config());
    assert_eq!(
        ready(&mut pair),
        (Era::Legacy, ProtocolVersion::V2025_11_25)
    );
    assert_eq!(
        pair.server.session_version(),
        Some(&ProtocolVersion::V2025_11_25)
    );
    assert!(
        pair.server_events
            .iter()
            .any(|event| matches!(event, ServerEvent::Initialized))
    );
    let handle = pair
        .client
        .send_request(
            pair.now,
            request("tools/list", json!({})),
            RequestOptions::new(),
        )
        .unwrap();
    let served = next_request(&mut pair);
    assert_eq!(served.context.era, Era::Legacy);
    pair.server
        .respond(pair.now, served.token, Reply::result(&json!({"tools": []})))
        .unwrap();
    let (outcome, _) = response_of(&mut pair, handle);
    assert_eq!(
        outcome.unwrap().decode::<Value>().unwrap(),
        json!({"tools": []})
    );
}

#[test]
fn auto_client_falls_back_with_a_legacy_only_server() {
    let mut pair = Pair::new(3, client_config(ClientMode::Auto), legacy_only_server());
    assert_eq!(
        ready(&mut pair),
        (Era::Legacy, ProtocolVersion::V2025_11_25)
    );
    assert_eq!(pair.server.era(), Some(Era::Legacy));
}

#[test]
fn pinned_client_sends_no_negotiation() {
    let mode = ClientMode::Pinned {
        version: ProtocolVersion::V2026_07_28,
        discover: None,
    };
    let mut pair = Pair::new(4, client_config(mode), server_config());
    pair.drive();
    assert!(
        pair.transcript().is_empty(),
        "nothing crossed the link before the first request"
    );
    let handle = call_tool(&mut pair, "echo");
    let served = next_request(&mut pair);
    assert_eq!(served.method, "tools/call");
    // The first thing the server ever received was this request.
    let transcript = String::from_utf8_lossy(pair.transcript()).into_owned();
    assert!(!transcript.contains("server/discover"));
    assert!(!transcript.contains("initialize"));
    pair.server
        .respond(
            pair.now,
            served.token,
            Reply::result(&json!({"content": []})),
        )
        .unwrap();
    assert!(response_of(&mut pair, handle).0.is_ok());
}

#[test]
fn unsupported_version_makes_the_client_reprobe_once() {
    let mut pair = Pair::new(5, client_config(ClientMode::Auto), server_config());
    // The first probe is rewritten to claim a version the server does not serve.
    fn first_probe_from_the_future(side: Side, bytes: &mut Vec<u8>) {
        let text = String::from_utf8(bytes.clone()).unwrap();
        if side == Side::Client && text.contains("server/discover") && text.contains("\"id\":1,") {
            *bytes = text.replace("2026-07-28", "2031-01-01").into_bytes();
        }
    }
    pair.tamper = Some(first_probe_from_the_future);
    assert_eq!(
        ready(&mut pair),
        (Era::Modern, ProtocolVersion::V2026_07_28)
    );
    let transcript = String::from_utf8_lossy(pair.transcript()).into_owned();
    assert_eq!(transcript.matches("server/discover").count(), 2);
    assert!(transcript.contains("-32022"));
    assert!(
        !transcript.contains("\"initialize\""),
        "-32022 is never a reason to fall back"
    );
}

fn elicit(message: &str) -> InputRequest {
    InputRequest::Elicit(ElicitRequestParams::form(
        message,
        ElicitationSchema::default(),
    ))
}

fn accept() -> InputResponse {
    InputResponse::from(ElicitResult::accept(Default::default()))
}

/// Runs a tool call through `rounds` input-required rounds, each asking `per_round`
/// elicitations, checking the state round-trips and the handle stays the same.
fn multi_round(seed: u64, rounds: u8, per_round: usize) {
    let mut pair = Pair::new(seed, client_config(ClientMode::Auto), server_config());
    ready(&mut pair);
    let handle = call_tool(&mut pair, "wizard");
    let mut ids = Vec::new();
    for round in 1..=rounds {
        let served = next_request(&mut pair);
        ids.push(served.token.id().clone());
        let expected_state = (round > 1).then(|| format!("after round {}", round - 1).into_bytes());
        assert_eq!(served.context.request_state, expected_state);
        if round > 1 {
            assert_eq!(
                served.context.input_responses.as_ref().map(|r| r.len()),
                Some(per_round)
            );
        }
        let mut input = InputRequired::default();
        for key in 0..per_round {
            input
                .requests
                .insert(format!("r{round}-{key}"), elicit("more?"));
        }
        input.state = Some(format!("after round {round}").into_bytes());
        assert_eq!(
            pair.server
                .respond(pair.now, served.token, Reply::InputRequired(input)),
            Ok(Delivery::Sent)
        );
        pair.drive();
        let event = pair.next_client_event().expect("input required");
        let ClientEvent::InputRequired {
            handle: h,
            round: r,
            requests,
        } = event
        else {
            panic!("expected InputRequired, got {event:?}");
        };
        assert_eq!((h, r), (handle, round));
        assert_eq!(requests.len(), per_round);
        let answers: InputResponses = requests.keys().map(|key| (key.clone(), accept())).collect();
        pair.client
            .provide_input(pair.now, handle, answers)
            .unwrap();
    }
    let served = next_request(&mut pair);
    ids.push(served.token.id().clone());
    assert_eq!(
        served.context.request_state,
        Some(format!("after round {rounds}").into_bytes())
    );
    pair.server
        .respond(
            pair.now,
            served.token,
            Reply::result(&json!({"content": [{"type": "text", "text": "done"}]})),
        )
        .unwrap();
    assert!(response_of(&mut pair, handle).0.is_ok());
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), ids.len(), "every round has a new JSON-RPC id");
}

#[test]
fn mrtr_with_one_two_and_three_rounds() {
    multi_round(10, 1, 1);
    multi_round(11, 2, 1);
    multi_round(12, 3, 1);
}

#[test]
fn mrtr_with_several_input_requests_per_round() {
    multi_round(13, 2, 3);
}

#[test]
fn mrtr_missing_responses_are_asked_for_again() {
    let mut pair = Pair::new(14, client_config(ClientMode::Auto), server_config());
    ready(&mut pair);
    let handle = call_tool(&mut pair, "form");
    let served = next_request(&mut pair);
    let mut input = InputRequired::default();
    input.requests.insert("name".into(), elicit("Name?"));
    input.requests.insert("age".into(), elicit("Age?"));
    pair.server
        .respond(pair.now, served.token, Reply::InputRequired(input))
        .unwrap();
    pair.drive();
    pair.client_events.clear();
    // Our client refuses to retry without every answer...
    let partial: InputResponses = [("name".to_string(), accept())].into_iter().collect();
    assert_eq!(
        pair.client.provide_input(pair.now, handle, partial),
        Err(mcp_proto::connection::ApiMisuse::IncompleteInput)
    );
    // ...so a less careful client is simulated by renaming one answer in flight.
    fn lose_age(side: Side, bytes: &mut Vec<u8>) {
        let text = String::from_utf8(bytes.clone()).unwrap();
        if side == Side::Client && text.contains("inputResponses") {
            *bytes = text.replace("\"age\":", "\"agx\":").into_bytes();
        }
    }
    pair.tamper = Some(lose_age);
    let answers: InputResponses = [
        ("name".to_string(), accept()),
        ("age".to_string(), accept()),
    ]
    .into_iter()
    .collect();
    pair.client
        .provide_input(pair.now, handle, answers)
        .unwrap();
    let served = next_request(&mut pair);
    let responses = served.context.input_responses.clone().unwrap();
    assert!(responses.contains_key("name") && !responses.contains_key("age"));
    // The server asks again for what is missing (preferred over an error).
    let mut again = InputRequired::default();
    again.requests.insert("age".into(), elicit("Age?"));
    pair.server
        .respond(pair.now, served.token, Reply::InputRequired(again))
        .unwrap();
    pair.drive();
    assert!(matches!(
        pair.next_client_event(),
        Some(ClientEvent::InputRequired { round: 2, .. })
    ));
}

fn first_round_with_state(seed: u64) -> (Pair, RequestHandle) {
    let mut pair = Pair::new(seed, client_config(ClientMode::Auto), server_config());
    ready(&mut pair);
    let handle = call_tool(&mut pair, "confirm");
    let served = next_request(&mut pair);
    let mut input = InputRequired::default();
    input.requests.insert("ok".into(), elicit("Sure?"));
    input.state = Some(b"approved-by-nobody-yet".to_vec());
    pair.server
        .respond(pair.now, served.token, Reply::InputRequired(input))
        .unwrap();
    pair.drive();
    pair.client_events.clear();
    (pair, handle)
}

fn assert_state_refused(pair: &mut Pair, handle: RequestHandle) {
    let (outcome, _) = response_of(pair, handle);
    let error = outcome.unwrap_err();
    assert_eq!(error.code, ErrorCode::INVALID_PARAMS);
    assert_eq!(error.message, mcp_proto::mrtr::INVALID_STATE_MESSAGE);
    assert!(
        !pair
            .server_events
            .iter()
            .any(|event| matches!(event, ServerEvent::Request(_))),
        "a refused state never reaches the application"
    );
}

#[test]
fn mrtr_tampered_state_is_refused() {
    let (mut pair, handle) = first_round_with_state(15);
    fn tamper_state(side: Side, bytes: &mut Vec<u8>) {
        let text = String::from_utf8(bytes.clone()).unwrap();
        if side == Side::Client && text.contains("\"requestState\":\"v1.") {
            *bytes = text
                .replacen("\"requestState\":\"v1.", "\"requestState\":\"v1.X", 1)
                .into_bytes();
        }
    }
    pair.tamper = Some(tamper_state);
    let answers: InputResponses = [("ok".to_string(), accept())].into_iter().collect();
    pair.client
        .provide_input(pair.now, handle, answers)
        .unwrap();
    assert_state_refused(&mut pair, handle);
}

#[test]
fn mrtr_expired_state_is_refused() {
    let (mut pair, handle) = first_round_with_state(16);
    // The user takes longer than the state's 600 s lifetime.
    pair.advance(Duration::from_secs(601));
    let answers: InputResponses = [("ok".to_string(), accept())].into_iter().collect();
    pair.client
        .provide_input(pair.now, handle, answers)
        .unwrap();
    assert_state_refused(&mut pair, handle);
}

#[test]
fn mrtr_state_replayed_on_another_call_is_refused() {
    let (mut pair, handle) = first_round_with_state(17);
    // Copy the state onto a call of another tool, as an attacker would.
    fn move_to_other_tool(side: Side, bytes: &mut Vec<u8>) {
        let text = String::from_utf8(bytes.clone()).unwrap();
        if side == Side::Client && text.contains("requestState") {
            *bytes = text
                .replace("\"name\":\"confirm\"", "\"name\":\"delete_everything\"")
                .into_bytes();
        }
    }
    pair.tamper = Some(move_to_other_tool);
    let answers: InputResponses = [("ok".to_string(), accept())].into_iter().collect();
    pair.client
        .provide_input(pair.now, handle, answers)
        .unwrap();
    assert_state_refused(&mut pair, handle);
}

#[test]
fn mrtr_round_bound_fails_the_request() {
    let mut limits = mcp_proto::Limits::default();
    limits.max_input_rounds = 2;
    let mut pair = Pair::new(
        18,
        client_config(ClientMode::Auto).with_limits(limits),
        server_config(),
    );
    ready(&mut pair);
    let handle = call_tool(&mut pair, "forever");
    for _ in 0..3 {
        let served = next_request(&mut pair);
        let mut input = InputRequired::default();
        input.requests.insert("again".into(), elicit("Again?"));
        pair.server
            .respond(pair.now, served.token, Reply::InputRequired(input))
            .unwrap();
        pair.drive();
        match pair.next_client_event() {
            Some(ClientEvent::InputRequired { requests, .. }) => {
                let answers = requests.keys().map(|key| (key.clone(), accept())).collect();
                pair.client
                    .provide_input(pair.now, handle, answers)
                    .unwrap();
            }
            Some(ClientEvent::Failed { handle: failed, .. }) => {
                assert_eq!(failed, handle);
                return;
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    panic!("the round bound never fired");
}

#[test]
fn client_timeout_cancels_on_the_server() {
    let mut pair = Pair::new(20, client_config(ClientMode::Auto), server_config());
    ready(&mut pair);
    let call = request("tools/call", json!({"name": "slow"}));
    let handle = pair
        .client
        .send_request(
            pair.now,
            call,
            RequestOptions::new().with_timeout(Duration::from_secs(2)),
        )
        .unwrap();
    let served = next_request(&mut pair);
    pair.advance(Duration::from_secs(3));
    assert!(
        pair.client_events
            .iter()
            .any(|event| matches!(event, ClientEvent::TimedOut { handle: h } if *h == handle))
    );
    assert!(
        pair.server_events
            .iter()
            .any(|event| matches!(event, ServerEvent::Cancelled { .. }))
    );
    // The late reply is swallowed by the server; nothing reaches the client.
    assert_eq!(
        pair.server.respond(
            pair.now,
            served.token,
            Reply::result(&json!({"content": []}))
        ),
        Ok(Delivery::Swallowed)
    );
    pair.client_events.clear();
    pair.drive();
    assert!(pair.client_events.is_empty());
}

#[test]
fn explicit_client_cancel_reaches_the_server() {
    let mut pair = Pair::new(21, client_config(ClientMode::Legacy), server_config());
    ready(&mut pair);
    let handle = call_tool(&mut pair, "slow");
    let served = next_request(&mut pair);
    pair.client
        .cancel(pair.now, handle, Some("changed my mind".into()))
        .unwrap();
    pair.drive();
    assert!(
        pair.client_events
            .iter()
            .any(|event| matches!(event, ClientEvent::Cancelled { .. }))
    );
    let cancelled = pair.server_events.iter().find_map(|event| match event {
        ServerEvent::Cancelled { id, reason } => Some((id.clone(), reason.clone())),
        _ => None,
    });
    assert_eq!(
        cancelled,
        Some((served.token.id().clone(), Some("changed my mind".into())))
    );
}

#[test]
fn server_request_timeout_cancels_on_the_client() {
    let mut pair = Pair::new(22, client_config(ClientMode::Legacy), server_config());
    ready(&mut pair);
    let elicitation = ServerRequest::Elicit(ElicitRequestParams::form(
        "Name?",
        ElicitationSchema::default(),
    ));
    let options = mcp_proto::server::RequestOptions::with_timeout(Duration::from_secs(1));
    let handle = pair
        .server
        .send_request(pair.now, elicitation, options)
        .unwrap();
    pair.drive();
    let token = pair
        .client_events
        .iter()
        .find_map(|event| match event {
            ClientEvent::Request { token, .. } => Some(token.id().clone()),
            _ => None,
        })
        .expect("the client got the elicitation");
    pair.advance(Duration::from_secs(2));
    assert!(
        pair.server_events
            .iter()
            .any(|event| matches!(event, ServerEvent::TimedOut { handle: h } if *h == handle))
    );
    assert!(
        pair.client_events
            .iter()
            .any(|event| matches!(event, ClientEvent::RequestCancelled { id, .. } if *id == token))
    );
}

#[test]
fn legacy_elicitation_by_push_round_trips() {
    let mut pair = Pair::new(23, client_config(ClientMode::Legacy), server_config());
    ready(&mut pair);
    let elicitation = ServerRequest::Elicit(ElicitRequestParams::form(
        "Name?",
        ElicitationSchema::default(),
    ));
    let handle = pair
        .server
        .send_request(
            pair.now,
            elicitation,
            mcp_proto::server::RequestOptions::default(),
        )
        .unwrap();
    pair.drive();
    let token = loop {
        match pair.next_client_event() {
            Some(ClientEvent::Request { token, .. }) => break token,
            Some(_) => continue,
            None => panic!("no request reached the client"),
        }
    };
    let answer =
        ResultBody::from_serialize(&json!({"action": "accept", "content": {"name": "Ada"}}))
            .unwrap();
    assert_eq!(
        pair.client.respond(pair.now, token, Ok(answer)),
        Ok(Delivery::Sent)
    );
    pair.drive();
    let outcome = pair.server_events.iter().find_map(|event| match event {
        ServerEvent::Response { handle: h, outcome } if *h == handle => Some(outcome.clone()),
        _ => None,
    });
    let body = outcome.expect("answered").unwrap();
    assert_eq!(body.decode::<Value>().unwrap()["content"]["name"], "Ada");
}

#[test]
fn listen_and_list_changed_reach_both_eras() {
    // 2026: a listen stream.
    let mut pair = Pair::new(30, client_config(ClientMode::Auto), server_config());
    ready(&mut pair);
    let filter = SubscriptionFilter::default()
        .with_tools_list_changed(true)
        .with_prompts_list_changed(true);
    let listen = pair.client.listen(pair.now, filter).unwrap();
    pair.drive();
    let acknowledged = pair.client_events.iter().find_map(|event| match event {
        ClientEvent::SubscriptionAcknowledged { handle, filter } if *handle == listen => {
            Some(filter.clone())
        }
        _ => None,
    });
    let acknowledged = acknowledged.expect("acknowledged");
    assert_eq!(acknowledged.tools_list_changed, Some(true));
    assert_eq!(
        acknowledged.prompts_list_changed, None,
        "the server has no prompts"
    );
    assert_eq!(pair.server.publish(pair.now, Change::ToolsListChanged), 1);
    pair.drive();
    assert!(pair.client_events.iter().any(|event| matches!(
        event,
        ClientEvent::SubscriptionNotification { handle, notification: ServerNotification::ToolListChanged(_) } if *handle == listen
    )));
    // The server ends it gracefully; the client sees the end once.
    pair.server.end_subscriptions(pair.now);
    pair.drive();
    let ends = pair
        .client_events
        .iter()
        .filter(|event| matches!(event, ClientEvent::SubscriptionEnded { handle, .. } if *handle == listen))
        .count();
    assert_eq!(ends, 1);

    // 2025: the session hears the same change as a plain notification.
    let mut pair = Pair::new(31, client_config(ClientMode::Legacy), server_config());
    ready(&mut pair);
    assert_eq!(pair.server.publish(pair.now, Change::ToolsListChanged), 1);
    pair.drive();
    assert!(pair.client_events.iter().any(|event| matches!(
        event,
        ClientEvent::Notification(ServerNotification::ToolListChanged(_))
    )));
}

#[test]
fn cache_hits_expire_and_are_invalidated() {
    let config = server_config().with_cache_hints(
        mcp_proto::types::Method::ToolsList,
        mcp_proto::server::CacheHints {
            ttl_ms: 10_000,
            scope: mcp_proto::types::CacheScope::Public,
        },
    );
    let mut pair = Pair::new(40, client_config(ClientMode::Auto), config);
    ready(&mut pair);
    let list = |pair: &mut Pair| {
        pair.client
            .send_request(
                pair.now,
                request("tools/list", json!({})),
                RequestOptions::new(),
            )
            .unwrap()
    };
    let first = list(&mut pair);
    let served = next_request(&mut pair);
    pair.server
        .respond(pair.now, served.token, Reply::result(&json!({"tools": []})))
        .unwrap();
    assert!(!response_of(&mut pair, first).1);
    // Within the TTL the cache answers and nothing is sent.
    let sent_before = pair.transcript().len();
    let second = list(&mut pair);
    assert!(response_of(&mut pair, second).1, "served from the cache");
    assert_eq!(pair.transcript().len(), sent_before);
    // After the TTL the server is asked again.
    pair.advance(Duration::from_secs(11));
    let third = list(&mut pair);
    let served = next_request(&mut pair);
    pair.server
        .respond(pair.now, served.token, Reply::result(&json!({"tools": []})))
        .unwrap();
    assert!(!response_of(&mut pair, third).1);
    // A list-changed notification on a listen stream invalidates the fresh entry.
    let filter = SubscriptionFilter::default().with_tools_list_changed(true);
    pair.client.listen(pair.now, filter).unwrap();
    pair.drive();
    pair.server.publish(pair.now, Change::ToolsListChanged);
    pair.drive();
    let fourth = list(&mut pair);
    let served = next_request(&mut pair);
    pair.server
        .respond(pair.now, served.token, Reply::result(&json!({"tools": []})))
        .unwrap();
    assert!(
        !response_of(&mut pair, fourth).1,
        "invalidated by the change"
    );
}

#[test]
fn same_seed_same_transcript() {
    let run = |seed: u64| {
        let mut pair = Pair::new(seed, client_config(ClientMode::Auto), server_config());
        ready(&mut pair);
        let handle = call_tool(&mut pair, "wizard");
        let served = next_request(&mut pair);
        let mut input = InputRequired::default();
        input.requests.insert("q".into(), elicit("?"));
        input.state = Some(b"s".to_vec());
        pair.server
            .respond(pair.now, served.token, Reply::InputRequired(input))
            .unwrap();
        pair.drive();
        pair.client_events.clear();
        let answers: InputResponses = [("q".to_string(), accept())].into_iter().collect();
        pair.client
            .provide_input(pair.now, handle, answers)
            .unwrap();
        pair.drive();
        pair.transcript().to_vec()
    };
    assert_eq!(run(99), run(99));
    assert_ne!(run(99), run(100), "the seed decides the chunking");
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]

    /// Whatever the chunking and latency, each mode settles and a two-round
    /// multi-round-trip call completes (modern) or a push elicitation completes (legacy).
    #[test]
    fn any_chunking_and_latency_settle_the_same_way(
        seed in proptest::prelude::any::<u64>(),
        chunk in 1usize..200,
        latency_ms in 0u64..50,
        legacy in proptest::prelude::any::<bool>(),
    ) {
        let mode = if legacy { ClientMode::Legacy } else { ClientMode::Auto };
        let mut pair = Pair::new(seed, client_config(mode), server_config());
        for link in [&mut pair.to_server, &mut pair.to_client] {
            link.max_chunk = chunk;
            link.latency = Duration::from_millis(latency_ms);
        }
        let (era, _) = ready(&mut pair);
        proptest::prop_assert_eq!(era, if legacy { Era::Legacy } else { Era::Modern });
        if legacy {
            let elicitation = ServerRequest::Elicit(ElicitRequestParams::form("?", ElicitationSchema::default()));
            let handle = pair.server.send_request(pair.now, elicitation, mcp_proto::server::RequestOptions::default()).unwrap();
            pair.drive();
            let token = pair.client_events.drain(..).find_map(|event| match event {
                ClientEvent::Request { token, .. } => Some(token),
                _ => None,
            }).unwrap();
            let answer = ResultBody::from_serialize(&json!({"action": "cancel"})).unwrap();
            pair.client.respond(pair.now, token, Ok(answer)).unwrap();
            pair.drive();
            let answered = pair.server_events.iter().any(|event| {
                matches!(event, ServerEvent::Response { handle: h, outcome: Ok(_) } if *h == handle)
            });
            proptest::prop_assert!(answered, "the elicitation was answered");
        } else {
            let handle = call_tool(&mut pair, "wizard");
            for round in 1..=2u8 {
                let served = next_request(&mut pair);
                let mut input = InputRequired::default();
                input.requests.insert(format!("k{round}"), elicit("?"));
                input.state = Some(vec![round; 3]);
                pair.server.respond(pair.now, served.token, Reply::InputRequired(input)).unwrap();
                pair.drive();
                let Some(ClientEvent::InputRequired { requests, .. }) = pair.next_client_event() else {
                    return Err(proptest::test_runner::TestCaseError::fail("no input request"));
                };
                let answers = requests.keys().map(|key| (key.clone(), accept())).collect();
                pair.client.provide_input(pair.now, handle, answers).unwrap();
            }
            let served = next_request(&mut pair);
            proptest::prop_assert_eq!(served.context.request_state, Some(vec![2u8; 3]));
            pair.server.respond(pair.now, served.token, Reply::result(&json!({"content": []}))).unwrap();
            proptest::prop_assert!(response_of(&mut pair, handle).0.is_ok());
        }
    }
}
