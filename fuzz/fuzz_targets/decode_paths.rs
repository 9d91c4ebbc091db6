//! The decoder's hand-written plain pass against its serde_json path: whatever the plain
//! pass accepts, serde_json must accept with an equal envelope.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| mcp_proto::testing::fuzz::decode_paths(data));
