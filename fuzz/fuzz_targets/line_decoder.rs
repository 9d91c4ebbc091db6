//! `LineDecoder` fed chunks: byte 0 is the line limit, bytes 1-4 the chunk sizes (cycled).
#![no_main]

use libfuzzer_sys::fuzz_target;
use mcp_proto::framing::LineDecoder;

fuzz_target!(|data: &[u8]| {
    let Some((&[limit, a, b, c, d], mut rest)) = data.split_first_chunk::<5>() else {
        return;
    };
    let limit = usize::from(limit);
    let mut decoder = LineDecoder::new(limit);
    for size in [a, b, c, d]
        .iter()
        .map(|s| usize::from(*s) % 64 + 1)
        .cycle()
    {
        let (chunk, tail) = rest.split_at(size.min(rest.len()));
        decoder.push(chunk);
        assert!(decoder.buffered_len() <= limit);
        while decoder.next_message().is_some() {}
        rest = tail;
        if rest.is_empty() {
            break;
        }
    }
    decoder.finish();
    while decoder.next_message().is_some() {}
    assert!(decoder.is_empty());
});
