//! The behaviour suite: every end-to-end scenario of the driver and the runtime adapters
//! (servers and clients in both eras, in memory, over a child process's stdio and over
//! Streamable HTTP on real sockets), written once against [`Harness`].
//!
//! Each adapter's test crate implements [`Harness`] for its runtime in a few lines and
//! expands [`suite!`], which declares one `#[test]` per scenario (and the ignored entry
//! point a child process serves from). Both adapters therefore run the same scenarios
//! over the same links, and no fixture is declared twice.

#![allow(missing_docs, unreachable_pub)]

pub mod client_features;
pub mod connections;
pub mod features;
pub mod harness;
pub mod http;
pub mod http_client;
pub mod http_client_scripted;
pub mod http_fixture;
pub mod http_legacy;
pub mod support;
pub mod transports;

pub use harness::{ChildProcess, Connection, Fixture, Harness, Link, TcpLink};

/// Every fixture a child process can serve, by name (see [`harness::serve_child`]).
pub const FIXTURES: &[&Fixture] = &[
    &transports::TEST_SERVER,
    &features::FEATURES_SERVER,
    &features::PLAIN_SERVER,
    &client_features::CLIENT_FEATURES_SERVER,
];

/// Declares the whole suite in the calling module: one `#[test]` per scenario, each
/// running on the harness that the function named by the argument returns (defined
/// beside the call), grouped in one module per scenario file, and the ignored
/// `serve_child` entry point.
#[macro_export]
macro_rules! suite {
    ($harness:ident) => {
        $crate::scenarios!($harness, transports: in_memory_both_eras, child_process_both_eras, streamable_http_both_eras, a_child_that_lingers_after_its_stdin_closes_is_killed_after_the_grace_period);
        $crate::scenarios!($harness, features: in_memory_both_eras, streamable_http_both_eras, child_process_both_eras, defaults_list_on_one_page_and_offer_no_completions);
        $crate::scenarios!($harness, client_features: in_memory_both_eras, streamable_http_both_eras, child_process_both_eras, log_messages_reach_the_callback_in_both_eras, a_per_call_log_level_at_2026, dropping_a_subscription_cancels_its_listen_request_at_2026, dropping_a_subscription_unsubscribes_its_resources_on_a_2025_session, a_subscription_ends_with_the_connection);
        $crate::scenarios!($harness, http: status_table_and_header_ladder, dns_rebinding_is_refused, modern_requests_answer_as_json_or_sse, a_client_disconnect_cancels_the_request, a_legacy_session_opens_calls_elicits_and_ends);
        $crate::scenarios!($harness, http_legacy: session_lifecycle_and_status_codes, progress_streams_on_the_post_with_priming_and_event_ids, elicitation_is_pushed_on_the_post_stream_and_answered_by_post, list_changed_reaches_the_get_stream_and_a_second_get_conflicts, a_cancelled_notification_drops_the_handler_but_a_disconnect_does_not, a_broken_post_stream_resumes_with_last_event_id, a_handler_closes_its_stream_and_the_answer_waits_for_the_resume, an_idle_session_expires_and_its_id_gets_404, the_session_table_is_bounded, quiet_streams_of_both_eras_get_keep_alive_comments, our_client_recovers_from_an_expired_session_by_itself);
        $crate::scenarios!($harness, http_client: modern_client_lists_calls_and_elicits, param_headers_come_from_the_tools_list, a_timed_out_request_drops_its_post_and_the_server_cancels);
        $crate::scenarios!($harness, http_client_scripted: legacy_session_lifecycle, legacy_404_opens_a_new_session_and_retries_once, legacy_404_twice_fails_the_request, modern_streams_headers_and_dropped_posts, legacy_stream_ended_early_is_resumed_after_its_retry_time, legacy_stream_that_cannot_be_resumed_fails_the_request, legacy_requests_wait_for_the_standalone_stream_for_a_while, modern_request_refused_with_unsupported_version_is_sent_again);
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
