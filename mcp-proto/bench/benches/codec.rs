//! Codec benchmark: mcp-proto beside `serde_json::Value` and rmcp's typed model.
//!
//! For each of three messages it measures, in the same run, the median time of:
//! envelope-only decode (ours) vs a `Value` parse; full typed decode, encode, and
//! decode+encode (ours) vs rmcp's `JsonRpcMessage` model and `Value`. Run with
//! `cargo bench -p mcp-proto-bench` (add `-- --quick` for a fast, noisier pass).

use std::hint::black_box;
use std::time::Duration;

use mcp_proto::jsonrpc::{Message, Outcome, RequestId, decode, encode_request, encode_result};
use mcp_proto::types::{CallToolRequestParams, CallToolResult, ClientRequest, ListToolsResult};
use mcp_proto_bench::{median_time, tools_call_request, tools_call_result_64k, tools_list_result};
use serde_json::Value;

struct Timer {
    samples: usize,
    target: Duration,
}

impl Timer {
    fn time(&self, f: impl FnMut()) -> Duration {
        median_time(self.samples, self.target, f)
    }
}

struct Row {
    case: String,
    ours: Duration,
    value: Option<Duration>,
    rmcp: Option<Duration>,
}

fn ns(d: Duration) -> String {
    format!("{:>10.0}", d.as_secs_f64() * 1e9)
}

fn ratio(theirs: Option<Duration>, ours: Duration) -> String {
    match theirs {
        Some(t) => format!("{:>8.2}x", t.as_secs_f64() / ours.as_secs_f64()),
        None => format!("{:>9}", "-"),
    }
}

fn print(rows: &[Row]) {
    println!(
        "{:<44} {:>10} {:>10} {:>10} {:>9} {:>9}",
        "case (median ns per message)", "ours", "Value", "rmcp", "vs Value", "vs rmcp"
    );
    for row in rows {
        println!(
            "{:<44} {} {} {} {} {}",
            row.case,
            ns(row.ours),
            row.value.map(ns).unwrap_or_else(|| format!("{:>10}", "-")),
            row.rmcp.map(ns).unwrap_or_else(|| format!("{:>10}", "-")),
            ratio(row.value, row.ours),
            ratio(row.rmcp, row.ours),
        );
    }
}

fn typed_request(bytes: &[u8]) -> (RequestId, ClientRequest) {
    match decode(bytes) {
        Ok(Message::Request(request)) => {
            let typed = ClientRequest::from_request(&request).expect("typed request");
            (request.id, typed)
        }
        other => panic!("not a request: {other:?}"),
    }
}

fn typed_result<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> (RequestId, T) {
    match decode(bytes) {
        Ok(Message::Response(response)) => match response.outcome {
            Outcome::Result(body) => (
                response.id.expect("id"),
                body.decode::<T>().expect("typed result"),
            ),
            Outcome::Error(error) => panic!("error response: {error}"),
        },
        other => panic!("not a response: {other:?}"),
    }
}

fn encode_typed_request(out: &mut Vec<u8>, id: &RequestId, request: &ClientRequest) {
    match request {
        ClientRequest::CallTool(params) => {
            encode_request::<CallToolRequestParams>(out, id, "tools/call", Some(params))
                .expect("encode")
        }
        other => panic!("unexpected request {other:?}"),
    }
}

fn same_json(a: &[u8], b: &[u8]) -> bool {
    serde_json::from_slice::<Value>(a).ok() == serde_json::from_slice::<Value>(b).ok()
}

fn request_rows(timer: &Timer, rows: &mut Vec<Row>) {
    let bytes = tools_call_request();
    let label = "tools/call request (5 args, 2026 _meta)";
    let mut out = Vec::with_capacity(bytes.len() * 2);

    let (id, typed) = typed_request(&bytes);
    encode_typed_request(&mut out, &id, &typed);
    assert!(same_json(&out, &bytes), "our encoding changed the request");
    let rmcp_message: rmcp::model::ClientJsonRpcMessage =
        serde_json::from_slice(&bytes).expect("rmcp decodes the request");
    let value: Value = serde_json::from_slice(&bytes).expect("Value");

    let value_decode = timer.time(|| {
        black_box(serde_json::from_slice::<Value>(black_box(&bytes)).ok());
    });
    rows.push(Row {
        case: format!("{label}: envelope decode"),
        ours: timer.time(|| {
            black_box(decode(black_box(&bytes)).ok());
        }),
        value: Some(value_decode),
        rmcp: None,
    });
    let rmcp_decode = timer.time(|| {
        black_box(
            serde_json::from_slice::<rmcp::model::ClientJsonRpcMessage>(black_box(&bytes)).ok(),
        );
    });
    rows.push(Row {
        case: format!("{label}: typed decode"),
        ours: timer.time(|| {
            black_box(typed_request(black_box(&bytes)));
        }),
        value: Some(value_decode),
        rmcp: Some(rmcp_decode),
    });
    rows.push(Row {
        case: format!("{label}: encode"),
        ours: timer.time(|| {
            out.clear();
            encode_typed_request(&mut out, &id, black_box(&typed));
        }),
        value: Some(timer.time(|| {
            out.clear();
            serde_json::to_writer(&mut out, black_box(&value)).ok();
        })),
        rmcp: Some(timer.time(|| {
            out.clear();
            serde_json::to_writer(&mut out, black_box(&rmcp_message)).ok();
        })),
    });
    rows.push(Row {
        case: format!("{label}: decode+encode"),
        ours: timer.time(|| {
            let (id, typed) = typed_request(black_box(&bytes));
            out.clear();
            encode_typed_request(&mut out, &id, &typed);
        }),
        value: Some(timer.time(|| {
            let value: Value = serde_json::from_slice(black_box(&bytes)).unwrap_or_default();
            out.clear();
            serde_json::to_writer(&mut out, &value).ok();
        })),
        rmcp: Some(timer.time(|| {
            let message: rmcp::model::ClientJsonRpcMessage =
                serde_json::from_slice(black_box(&bytes)).expect("rmcp");
            out.clear();
            serde_json::to_writer(&mut out, &message).ok();
        })),
    });
}

fn result_rows<T>(timer: &Timer, rows: &mut Vec<Row>, label: &str, bytes: Vec<u8>)
where
    T: serde::de::DeserializeOwned + serde::Serialize,
{
    let mut out = Vec::with_capacity(bytes.len() * 2);
    let (id, typed) = typed_result::<T>(&bytes);
    encode_result(&mut out, &id, &typed).expect("encode");
    assert!(same_json(&out, &bytes), "our encoding changed {label}");
    let rmcp_message: rmcp::model::ServerJsonRpcMessage =
        serde_json::from_slice(&bytes).expect("rmcp decodes the result");
    let value: Value = serde_json::from_slice(&bytes).expect("Value");

    let value_decode = timer.time(|| {
        black_box(serde_json::from_slice::<Value>(black_box(&bytes)).ok());
    });
    rows.push(Row {
        case: format!("{label}: envelope decode"),
        ours: timer.time(|| {
            black_box(decode(black_box(&bytes)).ok());
        }),
        value: Some(value_decode),
        rmcp: None,
    });
    let rmcp_decode = timer.time(|| {
        black_box(
            serde_json::from_slice::<rmcp::model::ServerJsonRpcMessage>(black_box(&bytes)).ok(),
        );
    });
    rows.push(Row {
        case: format!("{label}: typed decode"),
        ours: timer.time(|| {
            black_box(typed_result::<T>(black_box(&bytes)));
        }),
        value: Some(value_decode),
        rmcp: Some(rmcp_decode),
    });
    rows.push(Row {
        case: format!("{label}: encode"),
        ours: timer.time(|| {
            out.clear();
            encode_result(&mut out, &id, black_box(&typed)).ok();
        }),
        value: Some(timer.time(|| {
            out.clear();
            serde_json::to_writer(&mut out, black_box(&value)).ok();
        })),
        rmcp: Some(timer.time(|| {
            out.clear();
            serde_json::to_writer(&mut out, black_box(&rmcp_message)).ok();
        })),
    });
    rows.push(Row {
        case: format!("{label}: decode+encode"),
        ours: timer.time(|| {
            let (id, typed) = typed_result::<T>(black_box(&bytes));
            out.clear();
            encode_result(&mut out, &id, &typed).ok();
        }),
        value: Some(timer.time(|| {
            let value: Value = serde_json::from_slice(black_box(&bytes)).unwrap_or_default();
            out.clear();
            serde_json::to_writer(&mut out, &value).ok();
        })),
        rmcp: Some(timer.time(|| {
            let message: rmcp::model::ServerJsonRpcMessage =
                serde_json::from_slice(black_box(&bytes)).expect("rmcp");
            out.clear();
            serde_json::to_writer(&mut out, &message).ok();
        })),
    });
}

/// Where the envelope decode of the 64 KiB result spends its time: the two passes any
/// validating decoder must make (UTF-8, then JSON syntax with escapes), measured on the
/// same bytes, beside the `Value` parse. Their sum bounds what the envelope can reach.
fn envelope_profile(timer: &Timer) {
    let bytes = tools_call_result_64k();
    let utf8 = timer.time(|| {
        black_box(simdutf8::basic::from_utf8(black_box(&bytes)).is_ok());
    });
    let text = std::str::from_utf8(&bytes).expect("utf-8");
    let scan = timer.time(|| {
        black_box(serde_json::from_str::<serde::de::IgnoredAny>(black_box(text)).is_ok());
    });
    let envelope = timer.time(|| {
        black_box(decode(black_box(&bytes)).ok());
    });
    let value = timer.time(|| {
        black_box(serde_json::from_slice::<Value>(black_box(&bytes)).ok());
    });
    let floor = utf8 + scan;
    println!();
    println!("64 KiB result, envelope decode profile (median ns):");
    println!(
        "  UTF-8 validation (simdutf8)                {:>10.0}",
        utf8.as_secs_f64() * 1e9
    );
    println!(
        "  JSON syntax scan (serde_json IgnoredAny)   {:>10.0}",
        scan.as_secs_f64() * 1e9
    );
    println!(
        "  floor = the two passes                     {:>10.0}  ({:.2}x faster than Value)",
        floor.as_secs_f64() * 1e9,
        value.as_secs_f64() / floor.as_secs_f64()
    );
    println!(
        "  envelope decode (ours)                     {:>10.0}  ({:.2}x faster than Value)",
        envelope.as_secs_f64() * 1e9,
        value.as_secs_f64() / envelope.as_secs_f64()
    );
    println!(
        "  Value parse                                {:>10.0}",
        value.as_secs_f64() * 1e9
    );
}

fn main() {
    let quick = std::env::args().any(|arg| arg == "--quick");
    let timer = if quick {
        Timer {
            samples: 11,
            target: Duration::from_millis(2),
        }
    } else {
        Timer {
            samples: 51,
            target: Duration::from_millis(10),
        }
    };
    let mut rows = Vec::new();
    request_rows(&timer, &mut rows);
    result_rows::<ListToolsResult>(
        &timer,
        &mut rows,
        "tools/list result (50 tools)",
        tools_list_result(),
    );
    result_rows::<CallToolResult>(
        &timer,
        &mut rows,
        "tools/call result (64 KiB text)",
        tools_call_result_64k(),
    );
    print(&rows);
    envelope_profile(&timer);
}
