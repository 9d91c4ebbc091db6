//! `cargo test` runs the official MCP conformance suite: `conformance/run` (every server
//! leg on tokio and smol, every client leg, each against its baseline in
//! `conformance/baselines/`) on the everything-server and everything-client cargo has
//! just built for this test. The runner installs its pinned Node and harness under the
//! target directory on first use and fails with an install hint when npm is missing.

use std::process::Command;

#[test]
fn the_official_conformance_suite_passes_every_leg() {
    let runner = concat!(env!("CARGO_MANIFEST_DIR"), "/run");
    let status = Command::new("bash")
        .arg(runner)
        .args(["--server-bin", env!("CARGO_BIN_EXE_everything-server")])
        .args(["--client-bin", env!("CARGO_BIN_EXE_everything-client")])
        .status()
        .unwrap_or_else(|error| panic!("could not start bash {runner}: {error}"));
    assert!(
        status.success(),
        "conformance/run failed ({status}): see the table above and \
         target/conformance-results/ for each leg's harness log and checks"
    );
}
