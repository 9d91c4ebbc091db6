//! The behaviour suite: every end-to-end scenario of the driver and the runtime adapters
//! (servers and clients in both eras, in memory, over a child process's stdio and over
//! Streamable HTTP on real sockets), written once against [`Harness`].
//!
//! Each adapter's test crate implements [`Harness`] for its runtime in a few lines and
//! expands [`suite!`], which declares one `#[test]` per scenario (and the ignored entry
//! point a child process serves from). Both adapters therefore run the same scenarios
//! over the same links, and no fixture is declared twice.

#![allow(missing_docs, unreachable_pub)]

pub mod connections;
pub mod harness;
pub mod support;
pub mod transports;

pub use harness::{ChildProcess, Connection, Fixture, Harness, Link, TcpLink};

/// Every fixture a child process can serve, by name (see [`harness::serve_child`]).
pub const FIXTURES: &[&Fixture] = &[&transports::TEST_SERVER];

/// Declares the whole suite in the calling module: one `#[test]` per scenario, each
/// running on the harness that the function named by the argument returns (defined
/// beside the call), grouped in one module per scenario file, and the ignored
/// `serve_child` entry point.
#[macro_export]
macro_rules! suite {
    ($harness:ident) => {
        $crate::scenarios!($harness, transports: in_memory_both_eras, child_process_both_eras, streamable_http_both_eras);
        $crate::scenarios!($harness, connections: header_timeout_closes_a_half_sent_head, body_timeout_answers_a_half_sent_body, idle_keep_alive_connection_is_closed, long_responses_outlive_every_timeout, connection_cap_queues_the_next_connection, short_body_is_a_bad_request);

        /// Not a test of its own: a scenario's child process runs this test binary with
        /// only this entry point selected and serves the named fixture on its stdio.
        #[test]
        #[ignore = "the server side of the child-process scenarios, which run it with --ignored"]
        fn serve_child() {
            $crate::harness::serve_child(&$harness());
        }
    };
}

/// One module of scenarios: `harness, module: scenario, scenario, ...`.
#[doc(hidden)]
#[macro_export]
macro_rules! scenarios {
    ($harness:ident, $module:ident: $($scenario:ident),+ $(,)?) => {
        mod $module {
            $(
                #[test]
                fn $scenario() {
                    let harness = super::$harness();
                    $crate::harness::Harness::block_on(
                        &harness,
                        Box::pin($crate::$module::$scenario(&harness)),
                    );
                }
            )+
        }
    };
}
