//! Streamable HTTP served on an executor the application runs (`SmolRuntime::with_executor`),
//! not smol's global one: accepting, connections and exchanges all run on it. The
//! protocol itself is the behaviour suite's (`tests/behaviour.rs`).

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use mcp_io_smol::SmolRuntime;
use mcp_io_smol::http::HttpServer;
use mcp_io_smol::mcp_driver::Runtime;
use mcp_io_smol::mcp_driver::http::HttpEndpoint;
use serde_json::json;
use smol_hyper::rt::FuturesIo;

/// `future`, or a panic once `seconds` have passed.
async fn within<T>(seconds: u64, future: impl Future<Output = T>) -> T {
    smol::future::or(future, async move {
        smol::Timer::after(Duration::from_secs(seconds)).await;
        panic!("not done within {seconds} s")
    })
    .await
}

#[test]
fn the_server_runs_on_an_executor_the_application_runs() {
    let executor = Arc::new(smol::Executor::new());
    let runtime = SmolRuntime::with_executor(Arc::clone(&executor));
    smol::block_on(executor.run(async {
        // The suite's server: the fixture is declared once, in mcp-behaviour.
        let server = mcp_behaviour::transports::test_server();
        let endpoint = HttpEndpoint::new(&server, runtime.clone().into_shared());
        let http = HttpServer::bind_endpoint(endpoint, "127.0.0.1:0".parse().expect("an address"))
            .await
            .expect("bound")
            .with_runtime(runtime.clone());
        let addr = http.local_addr().expect("an address");
        runtime.spawn(Box::pin(async move {
            let _ = http.run().await;
        }));

        let stream = smol::net::TcpStream::connect(addr)
            .await
            .expect("connected");
        let (mut sender, connection) =
            hyper::client::conn::http1::handshake(FuturesIo::new(stream))
                .await
                .expect("a handshake");
        runtime.spawn(Box::pin(async move {
            let _ = connection.await;
        }));
        let call = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {
        "name": "ask", "arguments": {"question": "Colour?"},
        "_meta": {
            "io.modelcontextprotocol/protocolVersion": "2026-07-28",
            "io.modelcontextprotocol/clientCapabilities": {"elicitation": {}}
        }}});
        let request = hyper::Request::builder()
            .method("POST")
            .uri("/mcp")
            .header("host", addr.to_string())
            .header("content-type", "application/json")
            .header("accept", "application/json, text/event-stream")
            .header("mcp-protocol-version", "2026-07-28")
            .header("mcp-method", "tools/call")
            .header("mcp-name", "ask")
            .body(Full::new(Bytes::from(call.to_string())))
            .expect("a request");
        let response = within(10, sender.send_request(request))
            .await
            .expect("a response");
        let status = response.status();
        let body = within(10, response.into_body().collect())
            .await
            .expect("the whole answer")
            .to_bytes();
        // The tool asks the user: the answer is the 2026-07-28 input-required round with
        // the question and the sealed state, produced by an exchange on the executor.
        let answer: serde_json::Value = serde_json::from_slice(&body).expect("JSON");
        assert_eq!(status, 200, "{answer}");
        assert_eq!(answer["result"]["resultType"], "input_required", "{answer}");
        assert!(answer["result"]["requestState"].is_string(), "{answer}");
    }));
}
