//! Server processes (`bench-server`, pinned to core 0 with `taskset`, or under callgrind),
//! their resident memory, and the load generator's own core.

use std::io::{self, BufRead as _, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};

use crate::serve::{LISTENING, Sdk, Transport};

/// The core the server process runs on.
pub const SERVER_CORE: usize = 0;

/// The core the load generator runs on.
pub const GENERATOR_CORE: usize = 1;

/// The `bench-server` binary beside the running `bench` binary. Under `cargo run` it is
/// (re)built first, in the same profile, because `cargo run --bin bench` builds only the
/// driver.
pub fn server_binary() -> io::Result<PathBuf> {
    let path = std::env::current_exe()?.with_file_name("bench-server");
    if let Some(cargo) = std::env::var_os("CARGO") {
        let mut command = Command::new(cargo);
        command.args([
            "build",
            "--quiet",
            "-p",
            "mcp-bench",
            "--bin",
            "bench-server",
        ]);
        if !cfg!(debug_assertions) {
            command.arg("--release");
        }
        let status = command.status()?;
        if !status.success() {
            return Err(io::Error::other("building bench-server failed"));
        }
    }
    if path.exists() {
        Ok(path)
    } else {
        Err(io::Error::other(format!(
            "{} is missing: run `cargo build --release -p mcp-bench` first",
            path.display()
        )))
    }
}

/// Whether the machine has the two cores and the `taskset` tool the pinning needs.
pub fn can_pin() -> bool {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    cores > GENERATOR_CORE
        && Command::new("taskset")
            .arg("-V")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|status| status.success())
}

/// How to start a server process.
#[derive(Clone, Debug)]
pub struct Launch {
    /// The `bench-server` binary.
    pub binary: PathBuf,
    /// Which SDK serves.
    pub sdk: Sdk,
    /// stdio or HTTP.
    pub transport: Transport,
    /// Pin the process to [`SERVER_CORE`].
    pub pinned: bool,
    /// Run under `valgrind --tool=callgrind`, writing its totals to this file.
    pub callgrind_output: Option<PathBuf>,
}

impl Launch {
    /// The command line, wrapped in `taskset` and/or `valgrind` as asked.
    pub fn command(&self) -> Command {
        let mut words: Vec<String> = Vec::new();
        if self.pinned {
            words.extend(["taskset".into(), "-c".into(), SERVER_CORE.to_string()]);
        }
        if let Some(output) = &self.callgrind_output {
            words.extend([
                "valgrind".into(),
                "--tool=callgrind".into(),
                "--quiet".into(),
                format!("--callgrind-out-file={}", output.display()),
            ]);
        }
        words.push(self.binary.display().to_string());
        words.extend([
            "--impl".into(),
            self.sdk.argument().into(),
            "--transport".into(),
            self.transport.argument().into(),
        ]);
        let mut command = Command::new(&words[0]);
        command.args(&words[1..]);
        command
    }
}

/// A running HTTP server process.
#[derive(Debug)]
pub struct HttpProcess {
    child: Child,
    /// Where it listens.
    pub addr: SocketAddr,
    /// Kept open so the server never sees a closed stdout.
    _stdout: BufReader<ChildStdout>,
}

impl HttpProcess {
    /// Starts the server and waits for its `listening on` line.
    pub fn start(launch: &Launch) -> io::Result<HttpProcess> {
        let mut child = launch
            .command()
            .args(["--port", "0"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .spawn()?;
        let stdout = child
            .stdout
            .take()
            .ok_or_else(|| io::Error::other("stdout not piped"))?;
        let mut stdout = BufReader::new(stdout);
        let mut line = String::new();
        stdout.read_line(&mut line)?;
        let addr = line
            .trim()
            .strip_prefix(LISTENING)
            .and_then(|addr| addr.parse().ok());
        let Some(addr) = addr else {
            let _ = child.kill();
            let _ = child.wait();
            return Err(io::Error::other(format!(
                "bench-server said {line:?} instead of its address"
            )));
        };
        Ok(HttpProcess {
            child,
            addr,
            _stdout: stdout,
        })
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Resident memory in KiB.
    pub fn resident_kib(&self) -> io::Result<u64> {
        resident_kib(self.pid())
    }

    /// Asks the server to exit (SIGTERM) and waits for it.
    pub fn stop(mut self) -> io::Result<()> {
        let status = Command::new("kill")
            .args(["-TERM", &self.pid().to_string()])
            .status()?;
        if !status.success() {
            let _ = self.child.kill();
        }
        self.child.wait()?;
        Ok(())
    }
}

impl Drop for HttpProcess {
    fn drop(&mut self) {
        // A no-op after `stop`; kills a server left behind by an error.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `VmRSS` of a process, in KiB, from `/proc/<pid>/status`.
pub fn resident_kib(pid: u32) -> io::Result<u64> {
    let status = std::fs::read_to_string(Path::new("/proc").join(pid.to_string()).join("status"))?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .ok_or_else(|| io::Error::other("no VmRSS line"))
}

/// Runs `work` on a fresh single-threaded tokio runtime on a thread pinned to
/// [`GENERATOR_CORE`] (when `pinned`): the load generator never competes with the
/// server for its core.
pub fn on_generator_core<T, F>(
    pinned: bool,
    work: impl FnOnce() -> F + Send + 'static,
) -> io::Result<T>
where
    F: Future<Output = T>,
    T: Send + 'static,
{
    let thread = std::thread::spawn(move || {
        if pinned {
            let _ = core_affinity::set_for_current(core_affinity::CoreId { id: GENERATOR_CORE });
        }
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map(|runtime| runtime.block_on(work()))
    });
    match thread.join() {
        Ok(result) => result,
        Err(panic) => std::panic::resume_unwind(panic),
    }
}
