//! Shim: the body lives in `mcp_proto::testing::fuzz::uri_template`, compiled and tested with the crate.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| mcp_proto::testing::fuzz::uri_template(data));
