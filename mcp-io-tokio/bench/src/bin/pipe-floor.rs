//! `pipe-floor [--calls N]`: the floor under the stdio one-in-flight rows. This process
//! spawns itself as a child and they pass lines the size of an echo call's request (300
//! bytes) and answer (170 bytes) back and forth through pipes, with blocking reads and
//! no work in between: no JSON, no runtime. Whatever an MCP client and server do per
//! call comes on top of the round trips per second this prints.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, ExitCode, Stdio};
use std::time::Instant;

const REQUEST_BYTES: usize = 300;
const ANSWER_BYTES: usize = 170;

fn line(bytes: usize, fill: u8) -> Vec<u8> {
    let mut line = vec![fill; bytes - 1];
    line.push(b'\n');
    line
}

/// The child: answers every line with a fixed one until its input ends.
fn answer() -> std::io::Result<()> {
    let answer = line(ANSWER_BYTES, b'b');
    let mut input = BufReader::new(std::io::stdin().lock());
    let mut output = std::io::stdout().lock();
    let mut buffer = Vec::with_capacity(REQUEST_BYTES);
    loop {
        buffer.clear();
        if input.read_until(b'\n', &mut buffer)? == 0 {
            return Ok(());
        }
        output.write_all(&answer)?;
        output.flush()?;
    }
}

fn main() -> ExitCode {
    let mut arguments = std::env::args().skip(1);
    let mut calls = 100_000u32;
    while let Some(argument) = arguments.next() {
        match argument.as_str() {
            "--child" => {
                return match answer() {
                    Ok(()) => ExitCode::SUCCESS,
                    Err(_) => ExitCode::FAILURE,
                };
            }
            "--calls" => match arguments.next().and_then(|n| n.parse().ok()) {
                Some(n) => calls = n,
                None => {
                    eprintln!("--calls needs a number");
                    return ExitCode::from(2);
                }
            },
            other => {
                eprintln!("usage: pipe-floor [--calls N] (unknown argument {other})");
                return ExitCode::from(2);
            }
        }
    }
    match run(calls) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("pipe-floor: {error}");
            ExitCode::FAILURE
        }
    }
}

fn run(calls: u32) -> std::io::Result<()> {
    let mut child = Command::new(std::env::current_exe()?)
        .arg("--child")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()?;
    let (Some(mut to_child), Some(from_child)) = (child.stdin.take(), child.stdout.take()) else {
        return Err(std::io::Error::other("the child's pipes are missing"));
    };
    let mut from_child = BufReader::new(from_child);
    let request = line(REQUEST_BYTES, b'a');
    let mut buffer = Vec::with_capacity(ANSWER_BYTES);
    let started = Instant::now();
    for _ in 0..calls {
        to_child.write_all(&request)?;
        to_child.flush()?;
        buffer.clear();
        if from_child.read_until(b'\n', &mut buffer)? == 0 {
            return Err(std::io::Error::other("the child stopped answering"));
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    drop(to_child);
    child.wait()?;
    println!(
        "{calls} round trips in {elapsed:.3} s: {:.0}/s, {:.1} µs each",
        f64::from(calls) / elapsed,
        elapsed / f64::from(calls) * 1e6
    );
    Ok(())
}
