//! Model tests: random sequences of application commands, deliveries in random chunks,
//! time advances and disconnects, run through `testing::Pair`, with the protocol's
//! invariants checked after every step.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use mcp_proto::client::{ClientConfig, ClientEvent, ClientMode, RequestOptions};
use mcp_proto::connection::{Delivery, ReplyToken, RequestHandle};
use mcp_proto::jsonrpc::{ErrorCode, Params, ResultBody};
use mcp_proto::mrtr::HmacSealer;
use mcp_proto::server::{Change, InboundRequest, InputRequired, Reply, ServerConfig, ServerEvent};
use mcp_proto::testing::Pair;
use mcp_proto::types::{
    ClientCapabilities, ClientRequest, ElicitRequestParams, ElicitResult, ElicitationCapability,
    ElicitationSchema, Implementation, InputRequest, InputResponse, InputResponses,
    ListChangedCapability, ServerCapabilities, ServerRequest, SubscriptionFilter,
};
use mcp_proto::version::ProtocolVersion;
use mcp_proto::{Limits, Timestamp};
use proptest::prelude::*;
use serde_json::{Value, json};

#[derive(Clone, Debug)]
enum Op {
    /// The client sends a request: 0 list, 1 call, 2 read, 3 listen.
    Send(u8),
    /// The server answers the nth open request: 0 result, 1 error, 2 input required,
    /// 3 an invalid result.
    Respond(usize, u8),
    /// The client cancels the nth open request.
    Cancel(usize),
    /// The client answers the nth input-required request.
    ProvideInput(usize),
    /// The server publishes a change.
    Publish,
    /// The server asks the client something (legacy sessions only).
    ServerRequest,
    /// The client answers the nth server request.
    ClientAnswer(usize),
    /// One step of the link.
    Step,
    /// Everything in flight is delivered.
    Drive,
    /// Time passes.
    Advance(u32),
    /// The client's stream closes.
    Disconnect,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => (0u8..4).prop_map(Op::Send),
        6 => (0usize..4, 0u8..4).prop_map(|(n, kind)| Op::Respond(n, kind)),
        1 => (0usize..4).prop_map(Op::Cancel),
        3 => (0usize..4).prop_map(Op::ProvideInput),
        1 => Just(Op::Publish),
        2 => Just(Op::ServerRequest),
        2 => (0usize..4).prop_map(Op::ClientAnswer),
        4 => Just(Op::Step),
        6 => Just(Op::Drive),
        2 => (0u32..90_000).prop_map(Op::Advance),
    ]
}

fn mode() -> impl Strategy<Value = ClientMode> {
    prop_oneof![
        Just(ClientMode::Auto),
        Just(ClientMode::Legacy),
        Just(ClientMode::Pinned {
            version: ProtocolVersion::V2026_07_28,
            discover: None
        }),
    ]
}

const LIMITS: Limits = {
    let mut limits = Limits::DEFAULT;
    limits.max_pending_events = 8;
    limits.max_inbound_in_flight = 4;
    limits.max_outbound_in_flight = 8;
    limits.max_queued_bytes = 4096;
    limits
};

fn pair(seed: u64, mode: ClientMode) -> Pair {
    let client = ClientConfig::new(Implementation::new("model-client", "1"))
        .with_mode(mode)
        .with_limits(LIMITS)
        .with_capabilities(
            ClientCapabilities::default().with_elicitation(ElicitationCapability::default()),
        );
    let server = ServerConfig::new(Implementation::new("model-server", "1"))
        .with_capabilities(
            ServerCapabilities::default().with_tools(ListChangedCapability::new(true)),
        )
        .with_limits(LIMITS)
        .with_sealer(HmacSealer::new("k", [1; 32], [2; 16]).unwrap());
    let mut pair = Pair::new(seed, client, server);
    pair.to_server.max_chunk = 1 + (seed % 97) as usize;
    pair.to_client.max_chunk = 1 + (seed % 89) as usize;
    pair
}

fn request(method: &str, params: Value) -> ClientRequest {
    ClientRequest::decode(method, Some(&Params::from_serialize(&params).unwrap())).unwrap()
}

/// What the test keeps while it plays the application on both sides.
#[derive(Default)]
struct Apps {
    open: Vec<InboundRequest>,
    cancelled_ids: BTreeSet<String>,
    awaiting_input: Vec<(RequestHandle, Vec<String>)>,
    handles: Vec<RequestHandle>,
    client_requests: Vec<ReplyToken>,
}

fn take_events(pair: &mut Pair, apps: &mut Apps) {
    while let Some(event) = pair.next_server_event() {
        match event {
            ServerEvent::Request(request) => apps.open.push(*request),
            ServerEvent::Cancelled { id, .. } => {
                apps.cancelled_ids.insert(id.to_string());
            }
            _ => {}
        }
    }
    while let Some(event) = pair.next_client_event() {
        match event {
            ClientEvent::InputRequired {
                handle, requests, ..
            } => {
                apps.awaiting_input
                    .push((handle, requests.keys().cloned().collect()));
            }
            ClientEvent::Request { token, .. } => apps.client_requests.push(token),
            _ => {}
        }
    }
}

fn apply(pair: &mut Pair, apps: &mut Apps, op: &Op) {
    let now = pair.now;
    match op {
        Op::Send(kind) => {
            let sent = match kind {
                0 => pair.client.send_request(
                    now,
                    request("tools/list", json!({})),
                    RequestOptions::new(),
                ),
                1 => pair.client.send_request(
                    now,
                    request("tools/call", json!({"name": "t", "arguments": {"n": 1}})),
                    RequestOptions::new().with_timeout(Duration::from_secs(30)),
                ),
                2 => pair.client.send_request(
                    now,
                    request("resources/read", json!({"uri": "file:///x"})),
                    RequestOptions::new(),
                ),
                _ => pair.client.listen(
                    now,
                    SubscriptionFilter::default().with_tools_list_changed(true),
                ),
            };
            if let Ok(handle) = sent {
                apps.handles.push(handle);
            }
        }
        Op::Respond(n, kind) => {
            if apps.open.is_empty() {
                return;
            }
            let request = apps.open.remove(n % apps.open.len());
            let was_cancelled = apps.cancelled_ids.contains(&request.token.id().to_string());
            let reply = match kind {
                0 => Reply::result(&json!({"content": [], "tools": [], "contents": []})),
                1 => Reply::error(ErrorCode::INVALID_PARAMS, "no"),
                2 => {
                    let mut input = InputRequired::default();
                    input.requests.insert(
                        "q".into(),
                        InputRequest::Elicit(ElicitRequestParams::form(
                            "?",
                            ElicitationSchema::default(),
                        )),
                    );
                    input.state = Some(b"state".to_vec());
                    Reply::InputRequired(input)
                }
                _ => Reply::result(&json!({"tools": 7, "content": "x", "contents": false})),
            };
            let delivery = pair
                .server
                .respond(now, request.token, reply)
                .expect("tokens from events are known");
            if was_cancelled {
                assert_eq!(
                    delivery,
                    Delivery::Swallowed,
                    "nothing is sent after a cancellation"
                );
            }
        }
        Op::Cancel(n) => {
            if !apps.handles.is_empty() {
                let handle = apps.handles[n % apps.handles.len()];
                let _ = pair.client.cancel(now, handle, None);
            }
        }
        Op::ProvideInput(n) => {
            if apps.awaiting_input.is_empty() {
                return;
            }
            let (handle, keys) = apps.awaiting_input.remove(n % apps.awaiting_input.len());
            let answers: InputResponses = keys
                .into_iter()
                .map(|key| {
                    (
                        key,
                        InputResponse::from(ElicitResult::accept(Default::default())),
                    )
                })
                .collect();
            let _ = pair.client.provide_input(now, handle, answers);
        }
        Op::Publish => {
            pair.server.publish(now, Change::ToolsListChanged);
        }
        Op::ServerRequest => {
            let elicit =
                ServerRequest::Elicit(ElicitRequestParams::form("?", ElicitationSchema::default()));
            let _ = pair.server.send_request(
                now,
                elicit,
                mcp_proto::server::RequestOptions::with_timeout(Duration::from_secs(20)),
            );
        }
        Op::ClientAnswer(n) => {
            if apps.client_requests.is_empty() {
                return;
            }
            let token = apps.client_requests.remove(n % apps.client_requests.len());
            let answer = ResultBody::from_serialize(&json!({"action": "decline"})).unwrap();
            pair.client
                .respond(now, token, Ok(answer))
                .expect("tokens from events are known");
        }
        Op::Step => {
            pair.step();
        }
        Op::Drive => {
            pair.drive();
        }
        Op::Advance(ms) => {
            pair.advance(Duration::from_millis(u64::from(*ms)));
        }
        Op::Disconnect => pair.close_client_stream(),
    }
}

/// The messages each side wrote, reassembled from the transcript.
fn wire(transcript: &[u8]) -> (Vec<Value>, Vec<Value>) {
    let (mut to_server, mut to_client) = (Vec::new(), Vec::new());
    let mut rest = transcript;
    while rest.len() >= 17 {
        let direction = rest[8];
        let len = u64::from_be_bytes(rest[9..17].try_into().unwrap()) as usize;
        let chunk = &rest[17..17 + len];
        if direction == b'>' {
            to_server.extend_from_slice(chunk)
        } else {
            to_client.extend_from_slice(chunk)
        }
        rest = &rest[17 + len..];
    }
    let parse = |bytes: &[u8]| -> Vec<Value> {
        bytes
            .split(|byte| *byte == b'\n')
            .filter(|line| !line.is_empty())
            .filter_map(|line| serde_json::from_slice(line).ok())
            .collect()
    };
    (parse(&to_server), parse(&to_client))
}

fn check_wire(transcript: &[u8]) {
    let (to_server, to_client) = wire(transcript);
    // Requests of each side: ids never reused.
    for messages in [&to_server, &to_client] {
        let ids: Vec<String> = messages
            .iter()
            .filter(|m| m.get("method").is_some() && m.get("id").is_some())
            .map(|m| m["id"].to_string())
            .collect();
        let unique: BTreeSet<&String> = ids.iter().collect();
        assert_eq!(unique.len(), ids.len(), "a request id was reused: {ids:?}");
    }
    // Every client request is answered at most once.
    let mut answers: BTreeMap<String, usize> = BTreeMap::new();
    for message in &to_client {
        if message.get("method").is_none() {
            if let Some(id) = message.get("id") {
                *answers.entry(id.to_string()).or_default() += 1;
            }
        }
    }
    for (id, count) in answers {
        assert!(count <= 1, "request {id} answered {count} times");
    }
}

fn run(seed: u64, mode: ClientMode, ops: &[Op]) -> Vec<u8> {
    let mut pair = pair(seed, mode);
    let mut apps = Apps::default();
    for op in ops {
        apply(&mut pair, &mut apps, op);
        take_events(&mut pair, &mut apps);
        let now: Timestamp = pair.now;
        // After handle_timeout(now), the next deadline is never in the past.
        pair.server.handle_timeout(now);
        pair.client.handle_timeout(now);
        assert!(
            pair.server.poll_timeout().is_none_or(|at| at > now),
            "server deadline in the past"
        );
        assert!(
            pair.client.poll_timeout().is_none_or(|at| at > now),
            "client deadline in the past"
        );
        // Bounded queues.
        assert!(pair.server.pending_events() <= LIMITS.max_pending_events + 2);
        assert!(pair.server.queued_bytes() <= LIMITS.max_queued_bytes + 64 * 1024);
        assert!(pair.client.pending_events() <= LIMITS.max_pending_events + 2);
        assert!(pair.client.queued_bytes() <= LIMITS.max_queued_bytes + 64 * 1024);
        take_events(&mut pair, &mut apps);
    }
    pair.drive();
    check_wire(pair.transcript());
    if std::env::var_os("MODEL_DEBUG").is_some() {
        let (a, b) = wire(pair.transcript());
        eprintln!("{} to server, {} to client", a.len(), b.len());
    }
    pair.transcript().to_vec()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn invariants_hold_and_runs_are_deterministic(
        seed in any::<u64>(),
        mode in mode(),
        mut ops in proptest::collection::vec(op(), 1..80),
        disconnect_at in proptest::option::weighted(0.3, 0usize..80),
    ) {
        if let Some(at) = disconnect_at {
            ops.insert(at.min(ops.len()), Op::Disconnect);
        }
        let first = run(seed, mode.clone(), &ops);
        let second = run(seed, mode, &ops);
        prop_assert!(first == second, "same seed and ops, different transcripts");
    }
}
