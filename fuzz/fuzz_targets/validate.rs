//! `validate` on whatever `decode` accepts: the first byte picks the revision, the
//! direction, the answered method and the tasks extension; the rest is the message. The
//! validator must never panic and every violation must carry a JSON-RPC error code.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mcp_proto::jsonrpc::decode;
use mcp_proto::validate::{Context, Direction, validate};
use mcp_proto::version::ProtocolVersion;

const ANSWERED: [Option<&str>; 8] = [
    None,
    Some("tools/list"),
    Some("tools/call"),
    Some("prompts/get"),
    Some("resources/read"),
    Some("server/discover"),
    Some("elicitation/create"),
    Some("tasks/get"),
];

fuzz_target!(|data: &[u8]| {
    let Some((&choice, bytes)) = data.split_first() else {
        return;
    };
    let Ok(message) = decode(bytes) else {
        return;
    };
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
    let context = Context {
        answering: ANSWERED[usize::from(choice >> 2) % ANSWERED.len()],
        tasks_extension: choice & 0x80 != 0,
    };
    if let Err(violation) = validate(&message, direction, &version, Some(&context)) {
        assert!((-32768..=-32000).contains(&violation.code().0));
    }
});
