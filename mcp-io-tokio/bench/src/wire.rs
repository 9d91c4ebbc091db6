//! The messages the load generators send, built once: the same bytes go to either server.

/// The protocol version of the stateless path.
pub const MODERN_VERSION: &str = "2026-07-28";

/// The protocol version of the session path.
pub const LEGACY_VERSION: &str = "2025-11-25";

/// The text every call echoes.
pub const ECHO_TEXT: &str = "hello";

/// A 2026-07-28 `tools/call echo`: the request carries its version, client capabilities
/// and client identity in `_meta`.
pub fn modern_call() -> String {
    format!(
        concat!(
            r#"{{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{{"name":"echo","#,
            r#""arguments":{{"text":"{text}"}},"_meta":{{"#,
            r#""io.modelcontextprotocol/protocolVersion":"{version}","#,
            r#""io.modelcontextprotocol/clientCapabilities":{{}},"#,
            r#""io.modelcontextprotocol/clientInfo":{{"name":"bench","version":"1.0.0"}}}}}}}}"#
        ),
        text = ECHO_TEXT,
        version = MODERN_VERSION,
    )
}

/// The 2025-11-25 `initialize` request.
pub fn legacy_initialize() -> String {
    format!(
        concat!(
            r#"{{"jsonrpc":"2.0","id":0,"method":"initialize","params":{{"#,
            r#""protocolVersion":"{version}","capabilities":{{}},"#,
            r#""clientInfo":{{"name":"bench","version":"1.0.0"}}}}}}"#
        ),
        version = LEGACY_VERSION,
    )
}

/// The `notifications/initialized` notification that completes the handshake.
pub fn legacy_initialized() -> String {
    String::from(r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#)
}

/// A 2025-11-25 `tools/call echo` inside a session.
pub fn legacy_call() -> String {
    format!(
        r#"{{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{{"name":"echo","arguments":{{"text":"{ECHO_TEXT}"}}}}}}"#
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_message_is_json() {
        for message in [
            modern_call(),
            legacy_initialize(),
            legacy_initialized(),
            legacy_call(),
        ] {
            let value: serde_json::Value = serde_json::from_str(&message).expect("valid JSON");
            assert_eq!(value["jsonrpc"], "2.0");
        }
        let call: serde_json::Value = serde_json::from_str(&modern_call()).expect("JSON");
        assert_eq!(
            call["params"]["_meta"]["io.modelcontextprotocol/protocolVersion"],
            MODERN_VERSION
        );
    }
}
