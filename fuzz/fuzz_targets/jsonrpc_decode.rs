//! `decode` on arbitrary bytes: a message must survive re-encoding, an error must be
//! -32700 or -32600.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mcp_proto::jsonrpc::decode;

fuzz_target!(|data: &[u8]| {
    match decode(data) {
        Ok(message) => {
            let encoded = message.to_vec();
            let again = decode(&encoded).expect("a re-encoded message decodes");
            assert_eq!(again, message);
        }
        Err(error) => assert!(matches!(error.code().0, -32700 | -32600)),
    }
});
