//! Interoperability with the reference Python SDK (`mcp==2.3.0` from PyPI): over stdio,
//! its `Client` in `auto`, `legacy` and `"2026-07-28"` modes against our bookshop, and our
//! client against its `MCPServer` in both eras; over Streamable HTTP, its `Client` in
//! `auto` and `"2026-07-28"` modes against our bookshop (and against `mcp-proto`'s
//! `blocking_http` example, which serves it without a runtime), and our client in legacy,
//! `2026-07-28` and auto modes against its `MCPServer` (with a legacy session ended by
//! the server and recovered). Each includes an elicitation round trip.
//!
//! The SDK is installed on first use into a virtual environment under the target
//! directory; it is never assumed present. A missing Python fails with the install hint.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::Duration;

use mcp_io_tokio::mcp_driver::client::{Client, ClientHandlers};
use mcp_io_tokio::mcp_proto::client::{ClientConfig, ClientMode};
use mcp_io_tokio::mcp_proto::types::{
    ClientCapabilities, ElicitAction, ElicitResult, Implementation,
};
use mcp_io_tokio::mcp_proto::version::ProtocolVersion;
use serde_json::{Value, json};

const SDK: &str = "mcp==2.3.0";

/// `<target>/debug`, from this test binary's path (`<target>/debug/deps/interop-…`).
fn profile_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary's path");
    exe.parent()
        .and_then(Path::parent)
        .expect("the test binary lives in <target>/<profile>/deps")
        .to_path_buf()
}

/// The virtual environment's python, created and filled on first use.
fn python() -> &'static Path {
    static PYTHON: OnceLock<PathBuf> = OnceLock::new();
    PYTHON.get_or_init(|| {
        let venv = profile_dir().join("python-interop").join("venv");
        let python = venv.join("bin").join("python");
        let marker = venv.join(format!("installed-{SDK}"));
        if marker.exists() {
            return python;
        }
        let status = Command::new("python3")
            .args(["-m", "venv"])
            .arg(&venv)
            .status()
            .unwrap_or_else(|error| {
                panic!(
                    "python3 is needed for the interop tests ({error}); install Python 3.10+ with venv \
                     and pip (Debian: apt install python3 python3-venv python3-pip)"
                )
            });
        assert!(status.success(), "python3 -m venv failed; install python3-venv (apt install python3-venv)");
        let status = Command::new(&python)
            .args(["-m", "pip", "install", "--quiet", "--disable-pip-version-check", SDK])
            .status()
            .expect("pip runs");
        assert!(status.success(), "pip install {SDK} failed: PyPI must be reachable for the interop tests");
        std::fs::write(&marker, SDK).expect("marker written");
        python
    })
}

fn script(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("interop")
        .join(name)
}

fn bookshop() -> PathBuf {
    let path = profile_dir().join("examples").join("bookshop");
    assert!(
        path.exists(),
        "the bookshop example is not built at {}; `cargo test` builds it (or run `cargo build --example bookshop`)",
        path.display()
    );
    path
}

/// Runs the reference client in `mode` against `target` (a command, or a URL) and checks
/// its report.
fn check_reference_client(mode: &str, version: &str, target: &[String]) {
    let output = Command::new(python())
        .arg(script("python_client.py"))
        .arg(mode)
        .args(target)
        .output()
        .expect("the reference client runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "mode {mode}: {stderr}");
    let report: Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|error| {
        panic!(
            "mode {mode}: unreadable report ({error}): {}",
            String::from_utf8_lossy(&output.stdout)
        )
    });
    assert_eq!(report["protocol_version"], version, "mode {mode}");
    assert_eq!(
        report["tools"],
        json!(["reserve", "search_books"]),
        "mode {mode}"
    );
    assert_eq!(
        report["search"],
        json!(["Dune by Frank Herbert"]),
        "mode {mode}"
    );
    // The elicitation round trip: a live request (legacy) or an input-required round.
    assert_eq!(
        report["reserve"],
        json!(["Reserved 2 copies of Dune"]),
        "mode {mode}"
    );
    if mode != "2026-07-28" {
        assert_eq!(report["server"], "bookshop", "mode {mode}");
    }
}

#[test]
fn reference_client_against_our_bookshop_over_stdio() {
    let command = [bookshop().display().to_string(), String::from("--stdio")];
    for (mode, version) in [
        ("auto", "2026-07-28"),
        ("legacy", "2025-11-25"),
        ("2026-07-28", "2026-07-28"),
    ] {
        check_reference_client(mode, version, &command);
    }
}

/// Stops the child when the test ends, however it ends.
struct Running(std::process::Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn reference_client_against_our_bookshop_over_http() {
    check_reference_client_over_http(&bookshop(), &["--http", "127.0.0.1:0"]);
}

/// The same three modes against `mcp-proto`'s `blocking_http` example: the bookshop
/// served with `std::net`, threads and the core's HTTP state machines, no async runtime
/// and no driver.
#[test]
fn reference_client_against_the_blocking_example_over_http() {
    let path = profile_dir().join("examples").join("blocking_http");
    assert!(
        path.exists(),
        "mcp-proto's blocking_http example is not built at {}; `cargo test` at the workspace \
         root builds it (or run `cargo build -p mcp-proto --example blocking_http`)",
        path.display()
    );
    check_reference_client_over_http(&path, &["--addr", "127.0.0.1:0"]);
}

/// Starts `server` with `args` (it announces `bookshop on <url>` on stderr) and runs the
/// reference client against it in `auto`, `legacy` and `2026-07-28` modes.
fn check_reference_client_over_http(server: &Path, args: &[&str]) {
    use std::io::{BufRead, BufReader};
    let mut child = Command::new(server)
        .args(args)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the server starts");
    let stderr = child.stderr.take().expect("piped stderr");
    let _running = Running(child);
    let mut line = String::new();
    BufReader::new(stderr)
        .read_line(&mut line)
        .expect("the server announces its address");
    let url = line
        .trim()
        .strip_prefix("bookshop on ")
        .unwrap_or_else(|| panic!("unexpected announcement: {line}"))
        .to_string();
    for (mode, version) in [
        ("auto", "2026-07-28"),
        ("legacy", "2025-11-25"),
        ("2026-07-28", "2026-07-28"),
    ] {
        check_reference_client(mode, version, std::slice::from_ref(&url));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn our_client_against_the_reference_server_over_stdio() {
    let python = python().to_path_buf();
    for (mode, version) in [
        (ClientMode::Legacy, ProtocolVersion::V2025_11_25),
        (ClientMode::Auto, ProtocolVersion::V2026_07_28),
    ] {
        let mut command = tokio::process::Command::new(&python);
        command.arg(script("python_server.py"));
        let (config, handlers) = our_client(mode);
        let (client, child) = mcp_io_tokio::connect_child(command, config, handlers)
            .await
            .expect("the reference server starts");
        assert_eq!(client.protocol_version(), Some(version.clone()));
        let label = version.to_string();
        let run = shop_at_the_reference_server(&client, &label);
        tokio::time::timeout(Duration::from_secs(60), run)
            .await
            .expect("in time");
        drop(client);
        let status = child
            .shutdown(Duration::from_secs(10))
            .await
            .expect("exited");
        assert!(
            status.success(),
            "the reference server exits when its stdin closes: {status}"
        );
    }
}

/// Our client's configuration for the reference server: elicitation declared, answered
/// with 3 copies.
fn our_client(mode: ClientMode) -> (ClientConfig, ClientHandlers) {
    let capabilities: ClientCapabilities =
        serde_json::from_value(json!({"elicitation": {}})).expect("capabilities");
    let config = ClientConfig::new(Implementation::new("mcp-rs-interop", "1.0"))
        .with_mode(mode)
        .with_capabilities(capabilities);
    let handlers = ClientHandlers::new().on_elicit(|_question| async move {
        serde_json::from_value(json!({"action": "accept", "content": {"copies": 3}}))
            .unwrap_or_else(|_| ElicitResult::new(ElicitAction::Decline))
    });
    (config, handlers)
}

/// Lists the reference server's tools, echoes, and reserves (the elicitation round
/// trip: a live request answered by POST on a legacy session, an input-required round
/// at 2026-07-28).
async fn shop_at_the_reference_server(client: &Client, label: &str) {
    let tools = client.list_tools().await.expect("tools/list");
    let mut names: Vec<_> = tools.tools.iter().map(|tool| tool.name.clone()).collect();
    names.sort();
    assert_eq!(names, ["echo", "reserve"], "{label}");
    let echoed = client
        .call_tool("echo", json!({"text": "hello"}))
        .await
        .expect("echo");
    let echoed = serde_json::to_value(&echoed).expect("json");
    assert_eq!(echoed["content"][0]["text"], "hello", "{label}");
    let reserved = client
        .call_tool("reserve", json!({"title": "Dune"}))
        .await
        .expect("reserve");
    let reserved = serde_json::to_value(&reserved).expect("json");
    assert_eq!(
        reserved["content"][0]["text"], "Reserved 3 copies of Dune",
        "{label}"
    );
}

/// A free loopback port: bound, read, released.
fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    listener.local_addr().expect("an address").port()
}

/// The reference server on Streamable HTTP at `port`, once it accepts connections; its
/// log goes to a file under the target directory, shown when it does not come up.
fn start_reference_http_server(port: u16) -> Running {
    // The venv (and with it the python-interop directory) first: the log lives there.
    let python = python();
    let log_path = profile_dir().join("python-interop").join("http-server.log");
    let log = std::fs::File::create(&log_path).expect("the server log");
    let child = Command::new(python)
        .arg(script("python_server.py"))
        .args(["--http", &port.to_string()])
        .stdout(std::process::Stdio::null())
        .stderr(log)
        .spawn()
        .expect("the reference server starts");
    let mut running = Running(child);
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return running;
        }
        let exited = running.0.try_wait().ok().flatten();
        if exited.is_some() || std::time::Instant::now() > deadline {
            let log = std::fs::read_to_string(&log_path).unwrap_or_default();
            panic!(
                "the reference HTTP server did not listen on 127.0.0.1:{port} within 60 s \
                 (exit status {exited:?}); its log:\n{log}"
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Asks the reference server to end every open session; returns how many it ended.
async fn end_reference_sessions(port: u16) -> u64 {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut socket = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .expect("connected");
    let request = format!(
        "POST /end-sessions HTTP/1.1\r\nhost: 127.0.0.1:{port}\r\ncontent-length: 0\r\n\
         connection: close\r\n\r\n"
    );
    socket
        .write_all(request.as_bytes())
        .await
        .expect("request sent");
    let mut response = String::new();
    socket
        .read_to_string(&mut response)
        .await
        .expect("an answer");
    let body = response.split("\r\n\r\n").nth(1).unwrap_or_default();
    let report: Value = serde_json::from_str(body)
        .unwrap_or_else(|error| panic!("unreadable /end-sessions answer ({error}): {response}"));
    report["ended"].as_u64().expect("a count")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn our_client_against_the_reference_server_over_http() {
    let port = free_port();
    let _server = start_reference_http_server(port);
    let url = format!("http://127.0.0.1:{port}/mcp");
    let pinned = ClientMode::Pinned {
        version: ProtocolVersion::V2026_07_28,
        discover: None,
    };
    for (mode, version) in [
        (ClientMode::Legacy, ProtocolVersion::V2025_11_25),
        (pinned, ProtocolVersion::V2026_07_28),
        (ClientMode::Auto, ProtocolVersion::V2026_07_28),
    ] {
        let label = format!("{mode:?}");
        let (config, handlers) = our_client(mode);
        let run = async {
            let client = mcp_io_tokio::connect_http(&url, config, handlers)
                .await
                .expect("connected to the reference server");
            assert_eq!(client.protocol_version(), Some(version.clone()), "{label}");
            shop_at_the_reference_server(&client, &label).await;
            client
        };
        let client = tokio::time::timeout(Duration::from_secs(60), run)
            .await
            .expect("in time");
        if version == ProtocolVersion::V2025_11_25 {
            // The server ends the session; the next request gets 404, and the client
            // opens a new session and sends it again without the caller noticing.
            assert!(
                end_reference_sessions(port).await >= 1,
                "a session was open"
            );
            let recovery = async {
                let echoed = client
                    .call_tool("echo", json!({"text": "again"}))
                    .await
                    .expect("echo on a new session");
                let echoed = serde_json::to_value(&echoed).expect("json");
                assert_eq!(echoed["content"][0]["text"], "again");
                shop_at_the_reference_server(&client, "legacy, new session").await;
            };
            tokio::time::timeout(Duration::from_secs(60), recovery)
                .await
                .expect("in time");
            assert!(
                end_reference_sessions(port).await >= 1,
                "the client opened a new session"
            );
        }
    }
}
