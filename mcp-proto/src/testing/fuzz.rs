//! Fuzz bodies compiled with the crate (str0m's arrangement), so they cannot rot: the
//! cargo-fuzz targets are shims around these, and the crate's tests run them on fixed
//! inputs.
//!
//! Each body reads its input as a script: a byte picks the next step (bytes for the
//! peer, time passing, an application reply), the following bytes are its argument.

use alloc::vec::Vec;
use core::time::Duration;

use crate::client::{ClientConfig, ClientConnection, ClientEvent};
use crate::jsonrpc::{ErrorCode, ResultBody};
use crate::mrtr::HmacSealer;
use crate::server::{InputRequired, Reply, ServerConfig, ServerConnection, ServerEvent};
use crate::time::Timestamp;
use crate::types::{ElicitRequestParams, ElicitationSchema, Implementation, InputRequest};

pub use crate::testing::fuzz_http::http_server;
pub use crate::testing::fuzz_http_client::http_client;
pub use crate::testing::fuzz_params::param_headers;
pub use crate::testing::fuzz_sse::sse_decoder;
pub use crate::testing::fuzz_state::request_state;
pub use crate::testing::fuzz_uri::uri_template;

/// Upper bound on script steps, so every input finishes quickly.
const MAX_STEPS: usize = 4096;

/// Splits a script into steps: `(opcode, argument)`.
pub(crate) fn steps(data: &[u8]) -> impl Iterator<Item = (u8, &[u8])> + '_ {
    let mut rest = data;
    core::iter::from_fn(move || {
        let (&op, tail) = rest.split_first()?;
        let (&len, tail) = tail.split_first().unwrap_or((&0, tail));
        let len = usize::from(len).min(tail.len());
        let (argument, tail) = tail.split_at(len);
        rest = tail;
        Some((op, argument))
    })
    .take(MAX_STEPS)
}

pub(crate) fn reply_for(choice: u8) -> Reply {
    match choice % 4 {
        0 => Reply::result(&serde_json::json!({"tools": [], "content": [], "contents": []})),
        1 => Reply::error(ErrorCode::INVALID_PARAMS, "fuzz"),
        2 => {
            let mut input = InputRequired::default();
            input.requests.insert(
                "q".into(),
                InputRequest::Elicit(ElicitRequestParams::form("?", ElicitationSchema::default())),
            );
            input.state = Some(Vec::from(&b"fuzz"[..]));
            Reply::InputRequired(input)
        }
        _ => Reply::result(&serde_json::json!({"tools": 1})),
    }
}

/// The decoder's plain pass against its serde path: whatever text the plain pass
/// accepts, serde_json accepts too, with an equal envelope.
pub fn decode_paths(data: &[u8]) {
    if let Ok(text) = core::str::from_utf8(data) {
        assert!(
            crate::jsonrpc::paths_agree(text),
            "the plain pass and serde_json disagree on {text:?}"
        );
    }
}

/// A server connection fed arbitrary client bytes, time and replies. Checks that it never
/// panics, answers every request it surfaces, keeps its queues bounded and never lets a
/// deadline lie in the past after `handle_timeout`.
pub fn server_stream(data: &[u8]) {
    let sealer = HmacSealer::new("fuzz", [5; 32], [6; 16]);
    let mut config = ServerConfig::new(Implementation::new("fuzz-server", "1"));
    if let Ok(sealer) = sealer {
        config = config.with_sealer(sealer);
    }
    let limits = config.limits.clone();
    let mut server = ServerConnection::new(config);
    let mut now = Timestamp::ZERO;
    let mut open = Vec::new();
    let mut wire = Vec::new();
    for (op, argument) in steps(data) {
        match op % 8 {
            0..=3 => server.handle_bytes(now, argument),
            4 => {
                now = now.saturating_add(Duration::from_millis(u64::from(op) * 997));
                server.handle_timeout(now);
                assert!(server.poll_timeout().is_none_or(|at| at > now));
            }
            5 | 6 => {
                if !open.is_empty() {
                    let token = open.swap_remove(usize::from(op) % open.len());
                    let choice = argument.first().copied().unwrap_or(0);
                    assert!(server.respond(now, token, reply_for(choice)).is_ok());
                }
            }
            _ => server.handle_eof(now),
        }
        wire.clear();
        while server.poll_transmit(&mut wire).is_some() {}
        assert!(server.pending_events() <= limits.max_pending_events + 2);
        while let Some(event) = server.poll_event() {
            if let ServerEvent::Request(request) = event {
                open.push(request.token);
            }
        }
    }
    for token in open {
        assert!(server.respond(now, token, reply_for(0)).is_ok());
    }
}

/// A client connection in each mode, fed arbitrary server bytes, time and replies.
pub fn client_stream(data: &[u8]) {
    let mut client = ClientConnection::new(
        Timestamp::ZERO,
        ClientConfig::new(Implementation::new("fuzz-client", "1")),
    );
    let mut now = Timestamp::ZERO;
    let mut wire = Vec::new();
    let mut tokens = Vec::new();
    for (op, argument) in steps(data) {
        match op % 6 {
            0..=3 => client.handle_bytes(now, argument),
            4 => {
                now = now.saturating_add(Duration::from_millis(u64::from(op) * 991));
                client.handle_timeout(now);
                assert!(client.poll_timeout().is_none_or(|at| at > now));
            }
            _ => {
                if let Some(token) = tokens.pop() {
                    let answer =
                        ResultBody::from_serialize(&serde_json::json!({"action": "decline"}));
                    if let Ok(answer) = answer {
                        assert!(client.respond(now, token, Ok(answer)).is_ok());
                    }
                }
            }
        }
        wire.clear();
        while client.poll_transmit(&mut wire).is_some() {}
        while let Some(event) = client.poll_event() {
            if let ClientEvent::Request { token, .. } = event {
                tokens.push(token);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The seed corpus of `target`: every file of `fuzz/seeds/<target>/`, by name.
    fn seeds(target: &str) -> Vec<(alloc::string::String, Vec<u8>)> {
        let directory = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../fuzz/seeds")
            .join(target);
        let mut seeds: Vec<_> = std::fs::read_dir(&directory)
            .unwrap_or_else(|error| panic!("{}: {error}", directory.display()))
            .map(|entry| {
                let path = entry.unwrap().path();
                let name = path.file_name().unwrap().to_string_lossy().into_owned();
                (name, std::fs::read(&path).unwrap())
            })
            .collect();
        seeds.sort();
        assert!(seeds.len() >= 3, "{target} has {} seeds", seeds.len());
        seeds
    }

    /// Every seed of `fuzz/seeds` runs through its target's checks (the bodies here; for
    /// the three targets whose checks live in their shims, the same checks), so a change
    /// of a body's input format that strands the seeds shows here.
    #[test]
    fn seeds_run_through_their_bodies() {
        use crate::framing::LineDecoder;
        use crate::jsonrpc::decode;
        use crate::validate::{Context, Direction, validate};
        use crate::version::ProtocolVersion;

        type Body = fn(&[u8]);
        let bodies: [(&str, Body); 9] = [
            ("decode_paths", decode_paths),
            ("server_stream", server_stream),
            ("client_stream", client_stream),
            ("http_server", http_server),
            ("sse_decoder", sse_decoder),
            ("http_client", http_client),
            ("param_headers", param_headers),
            ("uri_template", uri_template),
            ("request_state", request_state),
        ];
        for (target, body) in bodies {
            for (_, seed) in seeds(target) {
                body(&seed);
            }
        }
        for (name, seed) in seeds("jsonrpc_decode") {
            let message = decode(&seed).unwrap_or_else(|error| panic!("{name}: {error}"));
            assert_eq!(decode(&message.to_vec()).unwrap(), message, "{name}");
            decode_paths(&seed);
        }
        for (name, seed) in seeds("validate") {
            let (choice, bytes) = seed.split_first().unwrap();
            let message = decode(bytes).unwrap_or_else(|error| panic!("{name}: {error}"));
            let version = if choice & 1 == 0 {
                ProtocolVersion::V2025_11_25
            } else {
                ProtocolVersion::V2026_07_28
            };
            let direction = if choice & 2 == 0 {
                Direction::ClientToServer
            } else {
                Direction::ServerToClient
            };
            let answering = [
                None,
                Some("tools/list"),
                Some("tools/call"),
                Some("prompts/get"),
                Some("resources/read"),
                Some("server/discover"),
                Some("elicitation/create"),
                Some("tasks/get"),
            ][usize::from(choice >> 2) % 8];
            let context = Context {
                answering,
                tasks_extension: choice & 0x80 != 0,
            };
            // The official examples are valid as the selector reads them.
            let verdict = validate(&message, direction, &version, Some(&context));
            assert!(verdict.is_ok(), "{name}: {verdict:?}");
        }
        for (name, seed) in seeds("line_decoder") {
            let (&limit, rest) = seed.split_first().unwrap();
            let mut decoder = LineDecoder::new(usize::from(limit));
            for chunk in rest.get(4..).unwrap().chunks(5) {
                decoder.push(chunk);
                assert!(decoder.buffered_len() <= usize::from(limit), "{name}");
                while decoder.next_message().is_some() {}
            }
            decoder.finish();
            while decoder.next_message().is_some() {}
            assert!(decoder.is_empty(), "{name}");
        }
    }

    /// A fixed script through both bodies: an initialize, a modern request, garbage,
    /// replies and time.
    #[test]
    fn bodies_run_on_sample_scripts() {
        let mut script = Vec::new();
        let mut push = |op: u8, bytes: &[u8]| {
            for chunk in bytes.chunks(255) {
                script.push(op);
                script.push(chunk.len() as u8);
                script.extend_from_slice(chunk);
            }
        };
        push(0, br#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x","_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{"elicitation":{}}}}}"#);
        push(0, b"\n{garbage\n");
        push(5, &[2]);
        push(4, &[]);
        push(7, &[]);
        server_stream(&script);
        client_stream(&script);
        decode_paths(br#"{"jsonrpc":"2.0","id":1,"result":{"content":[],"_meta":{"a":1}}}"#);
        // The HTTP body: a legacy session (initialize, a call with progress, a server
        // request, a dropped stream, a resumption, time), then a 2026 exchange.
        let mut http = Vec::new();
        let mut step = |op: u8, argument: &[u8]| {
            http.push(op);
            http.push(argument.len() as u8);
            http.extend_from_slice(argument);
        };
        let request = |method: u8, choice: u8, body: &[u8]| {
            let mut argument = alloc::vec![method, choice];
            argument.extend_from_slice(body);
            argument
        };
        step(0, &request(0, 0, br#"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"f","version":"1"}}}"#));
        step(
            0,
            &request(
                0,
                4 | 2,
                br#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#,
            ),
        );
        step(0, &request(0, 4 | 2, br#"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"t","arguments":{},"_meta":{"progressToken":"p"}}}"#));
        step(4, &[0x80]);
        step(5, &[]);
        step(6, &[1]);
        step(0, &request(1, 4 | 8 | 2, b""));
        step(3, &[]);
        step(4, &[1]);
        step(0, &request(0, 1 | 16, br#"{"jsonrpc":"2.0","id":3,"method":"tools/list","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}}}"#));
        step(4, &[0]);
        step(0, &request(2, 4, b""));
        http_server(&http);
        for seed in 0..64u64 {
            let mut rng = crate::testing::Rng::new(seed);
            let random: Vec<u8> = (0..512).map(|_| rng.next_u64() as u8).collect();
            server_stream(&random);
            client_stream(&random);
            decode_paths(&random);
            http_server(&random);
        }
    }
}
