//! The three benchmark messages and a small median-of-samples timer.
//!
//! Kept in a library so the bench binary stays a table of cases and so the messages can
//! be checked by tests (`cargo test -p mcp-proto-bench`).

use serde_json::{Value, json};
use std::hint::black_box;
use std::time::{Duration, Instant};

/// A 2026 `tools/call` request with five arguments and the full `_meta` envelope.
pub fn tools_call_request() -> Vec<u8> {
    let message = json!({
        "jsonrpc": "2.0",
        "id": 42,
        "method": "tools/call",
        "params": {
            "name": "search_books",
            "arguments": {
                "query": "sans-io protocol design",
                "limit": 20,
                "include_out_of_print": false,
                "min_rating": 4.5,
                "languages": ["en", "de", "fr"]
            },
            "_meta": {
                "io.modelcontextprotocol/protocolVersion": "2026-07-28",
                "io.modelcontextprotocol/clientCapabilities": {
                    "elicitation": {"form": {}},
                    "sampling": {}
                },
                "io.modelcontextprotocol/clientInfo": {"name": "bench-client", "version": "1.0.0"},
                "progressToken": "progress-42"
            }
        }
    });
    serde_json::to_vec(&message).unwrap_or_default()
}

/// A 2026 `tools/list` result with 50 tools, each with a 6-property input schema.
pub fn tools_list_result() -> Vec<u8> {
    let tools: Vec<Value> = (0..50)
        .map(|i| {
            json!({
                "name": format!("tool_{i:02}"),
                "title": format!("Tool number {i}"),
                "description": format!("Does the work of tool {i} on the given record and reports what changed."),
                "inputSchema": {
                    "type": "object",
                    "properties": {
                        "id": {"type": "string", "description": "Record id"},
                        "count": {"type": "integer", "minimum": 1, "maximum": 100},
                        "ratio": {"type": "number"},
                        "dry_run": {"type": "boolean", "default": false},
                        "tags": {"type": "array", "items": {"type": "string"}},
                        "mode": {"type": "string", "enum": ["fast", "safe", "thorough"]}
                    },
                    "required": ["id", "count"]
                },
                "annotations": {"readOnlyHint": i % 2 == 0, "idempotentHint": true}
            })
        })
        .collect();
    let message = json!({
        "jsonrpc": "2.0",
        "id": 7,
        "result": {
            "resultType": "complete",
            "tools": tools,
            "ttlMs": 60000,
            "cacheScope": "public",
            "_meta": {"io.modelcontextprotocol/serverInfo": {"name": "bench-server", "version": "1.0.0"}}
        }
    });
    serde_json::to_vec(&message).unwrap_or_default()
}

/// A 2026 `tools/call` result with one 64 KiB text block (prose with line breaks).
pub fn tools_call_result_64k() -> Vec<u8> {
    let line =
        "The quick brown fox jumps over the lazy dog; \"quoted\" text, tabs\tand unicode é.\n";
    let mut text = String::with_capacity(64 * 1024);
    while text.len() + line.len() <= 64 * 1024 {
        text.push_str(line);
    }
    while text.len() < 64 * 1024 {
        text.push('x');
    }
    let message = json!({
        "jsonrpc": "2.0",
        "id": 9,
        "result": {
            "resultType": "complete",
            "content": [{"type": "text", "text": text}],
            "isError": false
        }
    });
    serde_json::to_vec(&message).unwrap_or_default()
}

/// Median time of one call of `f`, over `samples` samples of a batch size chosen so a
/// sample lasts about `sample_target`.
pub fn median_time(samples: usize, sample_target: Duration, mut f: impl FnMut()) -> Duration {
    // Warm up and size the batch.
    let mut batch = 1u32;
    loop {
        let start = Instant::now();
        for _ in 0..batch {
            f();
        }
        let elapsed = start.elapsed();
        if elapsed >= sample_target / 2 || batch >= 1 << 24 {
            let per = elapsed / batch;
            batch = (sample_target.as_nanos() / per.as_nanos().max(1)).clamp(1, 1 << 24) as u32;
            break;
        }
        batch *= 2;
    }
    let mut times: Vec<Duration> = (0..samples)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..batch {
                f();
            }
            start.elapsed() / batch
        })
        .collect();
    times.sort();
    black_box(times.get(times.len() / 2).copied().unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_have_the_documented_shape() {
        let request: Value = serde_json::from_slice(&tools_call_request()).unwrap();
        assert_eq!(request["params"]["arguments"].as_object().unwrap().len(), 5);
        let list: Value = serde_json::from_slice(&tools_list_result()).unwrap();
        let tools = list["result"]["tools"].as_array().unwrap();
        assert_eq!(tools.len(), 50);
        assert!(
            tools
                .iter()
                .all(|t| t["inputSchema"]["properties"].as_object().unwrap().len() == 6)
        );
        let big: Value = serde_json::from_slice(&tools_call_result_64k()).unwrap();
        assert_eq!(
            big["result"]["content"][0]["text"].as_str().unwrap().len(),
            64 * 1024
        );
    }
}
