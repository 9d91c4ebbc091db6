//! The smol adapter's own API: a server and a client in memory on an executor the test
//! runs (`SmolRuntime::with_executor`), in both eras, and its timers. Everything common
//! to both adapters is in the behaviour suite (`tests/behaviour.rs`), whose test server
//! and checks this reuses.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use mcp_behaviour::transports::{ERAS, client_config, exercise, test_server};
use mcp_io_smol::SmolRuntime;
use mcp_io_smol::mcp_driver::Runtime;
use mcp_io_smol::mcp_driver::client::Client;
use mcp_io_smol::mcp_proto::version::ProtocolVersion;

/// `future`, or a panic once `seconds` have passed.
async fn within<T>(seconds: u64, future: impl Future<Output = T>) -> T {
    smol::future::or(future, async move {
        smol::Timer::after(Duration::from_secs(seconds)).await;
        panic!("not done within {seconds} s")
    })
    .await
}

/// Checks what the client learnt in negotiation.
fn assert_negotiated(client: &Client, version: ProtocolVersion) {
    assert_eq!(client.protocol_version(), Some(version));
    assert_eq!(
        client.server_info().map(|info| info.name),
        Some("test-server".into())
    );
}

#[test]
fn in_memory_on_an_executor_the_application_runs() {
    let executor = Arc::new(smol::Executor::new());
    let runtime = SmolRuntime::with_executor(Arc::clone(&executor));
    smol::block_on(executor.run(async {
        let server = test_server();
        for (mode, era, version) in ERAS {
            let (config, handlers) = client_config(mode);
            let client = runtime
                .connect_in_memory(&server, config, handlers)
                .await
                .expect("connected");
            assert_negotiated(&client, version);
            within(20, exercise(&client, era)).await;
        }
    }));
}

#[test]
fn timers_fire_at_their_deadline_stay_elapsed_and_move_when_reset() {
    smol::block_on(async {
        let runtime = SmolRuntime::default();
        let start = Instant::now();
        let mut timer = runtime.timer(start + Duration::from_secs(60));
        timer.as_mut().reset(start + Duration::from_millis(30));
        std::future::poll_fn(|cx| timer.as_mut().poll_elapsed(cx)).await;
        assert!(start.elapsed() >= Duration::from_millis(30));
        assert!(start.elapsed() < Duration::from_secs(10));
        // Elapsed stays elapsed until the timer is reset.
        std::future::poll_fn(|cx| timer.as_mut().poll_elapsed(cx)).await;
        timer
            .as_mut()
            .reset(Instant::now() + Duration::from_millis(30));
        let before = Instant::now();
        std::future::poll_fn(|cx| timer.as_mut().poll_elapsed(cx)).await;
        assert!(before.elapsed() >= Duration::from_millis(25));
    });
}
