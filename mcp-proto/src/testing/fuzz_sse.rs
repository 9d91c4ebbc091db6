//! The fuzz body of the Server-Sent Events decoder: [`SseDecoder`] fed arbitrary bytes in
//! arbitrary chunks.
//!
//! Input: byte 0 picks the event limit (see [`limit_for`]), bytes 1-4 the chunk sizes
//! (1-64 bytes, cycled; a size byte with its top bit set pushes an empty chunk first),
//! the rest is the stream. Checked: nothing panics; after every push the decoder holds
//! at most its limit; after `finish` it holds nothing; the events (and the last event
//! id) are the same whether the stream comes in one chunk or in these chunks; every
//! decoded event re-encodes ([`SseEncoder::event`]) to bytes that decode to the same
//! event.

use alloc::string::String;
use alloc::vec::Vec;

use crate::http::{SseDecoder, SseEncoder, SseError, SseEvent};

/// The event limit byte 0 picks: 0-127 as they are, then larger limits in steps of 64,
/// so that both tiny limits (hit within one line) and roomy ones are reached.
fn limit_for(byte: u8) -> usize {
    match byte {
        0..=127 => usize::from(byte),
        _ => usize::from(byte - 127) * 64,
    }
}

type Decoded = Vec<Result<SseEvent, SseError>>;

/// Pushes `chunks`, draining after each and checking the bound; then finishes.
fn decode<'a>(limit: usize, chunks: impl Iterator<Item = &'a [u8]>) -> (Decoded, Option<String>) {
    let mut decoder = SseDecoder::new(limit);
    let mut events = Vec::new();
    for chunk in chunks {
        decoder.push(chunk);
        assert!(
            decoder.buffered_len() <= limit,
            "{} bytes held over the {limit}-byte limit",
            decoder.buffered_len()
        );
        events.extend(core::iter::from_fn(|| decoder.next_event()));
    }
    let last_event_id = decoder.last_event_id().map(String::from);
    decoder.finish();
    assert_eq!(decoder.buffered_len(), 0);
    events.extend(core::iter::from_fn(|| decoder.next_event()));
    (events, last_event_id)
}

/// The SSE decoder fed `data` as described in the module docs.
pub fn sse_decoder(data: &[u8]) {
    let Some((&[limit, a, b, c, d], stream)) = data.split_first_chunk::<5>() else {
        return;
    };
    let limit = limit_for(limit);
    let sizes = [a, b, c, d];
    let mut chunks: Vec<&[u8]> = Vec::new();
    let mut rest = stream;
    for (index, size) in sizes.iter().cycle().enumerate() {
        if rest.is_empty() {
            break;
        }
        if size & 0x80 != 0 && index % 4 == 0 {
            chunks.push(&[]);
        }
        let (chunk, tail) = rest.split_at((usize::from(*size) % 64 + 1).min(rest.len()));
        chunks.push(chunk);
        rest = tail;
    }
    let (pieces, pieces_id) = decode(limit, chunks.iter().copied());
    let (whole, whole_id) = decode(limit, core::iter::once(stream));
    assert_eq!(pieces, whole, "one chunk and many disagree");
    assert_eq!(pieces_id, whole_id);
    // Byte by byte, for short streams (the CR/LF pairs split every way).
    if stream.len() <= 256 {
        let (bytes, bytes_id) = decode(limit, stream.chunks(1));
        assert_eq!(bytes, whole, "one chunk and single bytes disagree");
        assert_eq!(bytes_id, whole_id);
    }
    let encoder = SseEncoder::without_event_type();
    let mut out = Vec::new();
    for event in whole.iter() {
        match event {
            Ok(event) => {
                assert!(
                    event.event.is_some()
                        || event.data.is_some()
                        || event.id.is_some()
                        || event.retry.is_some()
                );
                for field in [&event.event, &event.data, &event.id].into_iter().flatten() {
                    assert!(field.len() <= limit);
                }
                out.clear();
                assert!(
                    encoder.event(&mut out, event).is_ok(),
                    "{event:?} does not encode"
                );
                let (again, _) = decode(usize::MAX, core::iter::once(out.as_slice()));
                assert_eq!(
                    again.as_slice(),
                    [Ok(event.clone())],
                    "{event:?} does not survive re-encoding"
                );
            }
            Err(error) => assert!(
                matches!(error, SseError::EventTooLarge { length, limit: reported }
                    if *reported == limit && *length > limit),
                "the decoder reported {error:?} at the {limit}-byte limit"
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Builds an input: the limit byte, four chunk sizes, the stream.
    fn input(limit: u8, sizes: [u8; 4], stream: &[u8]) -> Vec<u8> {
        let mut data = alloc::vec![limit];
        data.extend_from_slice(&sizes);
        data.extend_from_slice(stream);
        data
    }

    #[test]
    fn sample_streams() {
        let streams: [&[u8]; 6] = [
            b"event: message\nid: 0-1\ndata: {\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}\n\n",
            b"\xEF\xBB\xBF: keep-alive\r\nevent: message\r\nid: 7\rdata: {\"a\":\r\ndata:1}\n\nretry: 250\n\n",
            b"id\ndata\n\n:\n\nevent: endpoint\ndata: /messages\nunknown: x\nretry: soon\n\n",
            b"data: a\r\r\ndata: b\n\n\r\n\rid: \0x\ndata: c\n\n",
            b"data: 1234567890\ndata: 1234567890\ndata: 1234567890\n\ndata: after\n\n",
            b"retry: 99999999999999999999999\n\nid:\n\ndata: \xFF\xFE\n\ndata: half",
        ];
        for stream in streams {
            for limit in [0, 1, 5, 6, 7, 12, 20, 127, 128, 255] {
                for sizes in [[0, 0, 0, 0], [1, 2, 3, 0x80], [63, 7, 0x85, 2]] {
                    sse_decoder(&input(limit, sizes, stream));
                }
            }
        }
        // Too short to hold a stream.
        sse_decoder(b"");
        sse_decoder(b"\x01\x02");
    }

    #[test]
    fn random_inputs() {
        for seed in 0..256u64 {
            let mut rng = crate::testing::Rng::new(seed);
            let alphabet = b"data:id:event:retry: \r\n\n\n0123456789x\xEF\xBB\xBF\0";
            let length = (rng.next_u64() % 400) as usize;
            let random: Vec<u8> = (0..length)
                .map(|i| {
                    let r = rng.next_u64();
                    if i < 5 || r % 7 == 0 {
                        r as u8
                    } else {
                        alphabet[(r % alphabet.len() as u64) as usize]
                    }
                })
                .collect();
            sse_decoder(&random);
        }
    }
}
