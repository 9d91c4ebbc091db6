//! The exact verdict of each validation rule the project commits to, one case each: the
//! rule that fires and the JSON-RPC error (code and, where defined, data) the receiver
//! must answer with.

use mcp_proto::jsonrpc::{Message, decode};
use mcp_proto::validate::{Context, Direction, Rule, Violation, validate};
use mcp_proto::version::ProtocolVersion;
use serde_json::{Value, json};

const C2S: Direction = Direction::ClientToServer;
const S2C: Direction = Direction::ServerToClient;

fn v2025() -> ProtocolVersion {
    ProtocolVersion::V2025_11_25
}

fn v2026() -> ProtocolVersion {
    ProtocolVersion::V2026_07_28
}

fn message(json: Value) -> Message {
    decode(&serde_json::to_vec(&json).unwrap()).unwrap()
}

fn envelope() -> Value {
    json!({
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": {}
    })
}

fn request(method: &str, mut params: Value) -> Message {
    params["_meta"] = envelope();
    message(json!({"jsonrpc": "2.0", "id": 7, "method": method, "params": params}))
}

fn check(
    message: &Message,
    direction: Direction,
    version: ProtocolVersion,
    answering: Option<&str>,
) -> Result<(), Violation> {
    let context = Context {
        answering,
        tasks_extension: false,
    };
    validate(message, direction, &version, Some(&context))
}

fn fails(result: Result<(), Violation>, rule: Rule, code: i64) -> Violation {
    let violation = result.expect_err("expected a violation");
    assert_eq!(violation.rule, rule, "{violation}");
    assert_eq!(violation.code().0, code, "{violation}");
    violation
}

#[test]
fn methods_removed_in_2026_are_not_found() {
    for method in [
        "ping",
        "logging/setLevel",
        "resources/subscribe",
        "initialize",
    ] {
        let params = match method {
            "logging/setLevel" => json!({"level": "info"}),
            "resources/subscribe" => json!({"uri": "file:///a"}),
            "initialize" => json!({"protocolVersion": "2025-11-25", "capabilities": {},
                "clientInfo": {"name": "c", "version": "1"}}),
            _ => json!({}),
        };
        let violation = fails(
            check(&request(method, params), C2S, v2026(), None),
            Rule::MethodNotInRevision,
            -32601,
        );
        assert_eq!(violation.id, Some(7.into()));
    }
}

#[test]
fn methods_added_in_2026_are_not_found_in_2025() {
    fails(
        check(&request("server/discover", json!({})), C2S, v2025(), None),
        Rule::MethodNotInRevision,
        -32601,
    );
    fails(
        check(
            &request("subscriptions/listen", json!({"notifications": {}})),
            C2S,
            v2025(),
            None,
        ),
        Rule::MethodNotInRevision,
        -32601,
    );
    // And no server-to-client request exists in 2026.
    let elicit = message(
        json!({"jsonrpc": "2.0", "id": 1, "method": "elicitation/create",
        "params": {"message": "m", "requestedSchema": {"type": "object", "properties": {}}}}),
    );
    assert!(check(&elicit, S2C, v2025(), None).is_ok());
    fails(
        check(&elicit, S2C, v2026(), None),
        Rule::MethodNotInRevision,
        -32601,
    );
}

#[test]
fn the_2026_envelope_comes_first() {
    let bare = message(json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list"}));
    fails(check(&bare, C2S, v2026(), None), Rule::RequestMeta, -32602);
    for missing in [
        "io.modelcontextprotocol/protocolVersion",
        "io.modelcontextprotocol/clientCapabilities",
    ] {
        let mut meta = envelope();
        meta.as_object_mut().unwrap().remove(missing);
        let m = message(
            json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {"_meta": meta}}),
        );
        let violation = fails(check(&m, C2S, v2026(), None), Rule::RequestMeta, -32602);
        assert!(violation.error.message.contains(missing), "{violation}");
    }
    // Missing envelope beats a removed method: -32602, not -32601.
    fails(
        check(
            &message(json!({"jsonrpc": "2.0", "id": 1, "method": "ping"})),
            C2S,
            v2026(),
            None,
        ),
        Rule::RequestMeta,
        -32602,
    );
    // clientInfo is optional; a malformed one is not.
    let mut meta = envelope();
    meta["io.modelcontextprotocol/clientInfo"] = json!({"name": "c"});
    let m = message(
        json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {"_meta": meta}}),
    );
    fails(check(&m, C2S, v2026(), None), Rule::RequestMeta, -32602);
}

#[test]
fn unsupported_version_names_supported_and_requested() {
    let mut meta = envelope();
    meta["io.modelcontextprotocol/protocolVersion"] = json!("2027-01-01");
    let m = message(
        json!({"jsonrpc": "2.0", "id": 3, "method": "tools/list", "params": {"_meta": meta}}),
    );
    let violation = fails(
        check(&m, C2S, v2026(), None),
        Rule::UnsupportedVersion,
        -32022,
    );
    assert_eq!(
        violation.error.data.unwrap().to_value(),
        json!({"supported": ["2026-07-28"], "requested": "2027-01-01"})
    );
}

#[test]
fn capability_the_request_did_not_declare() {
    let m = request(
        "subscriptions/listen",
        json!({"notifications": {"taskIds": ["t1"]}}),
    );
    let violation = fails(
        check(&m, C2S, v2026(), None),
        Rule::MissingClientCapability,
        -32021,
    );
    assert_eq!(
        violation.error.data.unwrap().to_value(),
        json!({"requiredCapabilities": {"extensions": {"io.modelcontextprotocol/tasks": {}}}})
    );
}

fn result(body: Value) -> Message {
    message(json!({"jsonrpc": "2.0", "id": 1, "result": body}))
}

#[test]
fn result_type_rules() {
    let call = json!({"content": [{"type": "text", "text": "ok"}]});
    // Legacy: absent is right, present is wrong.
    assert!(check(&result(call.clone()), S2C, v2025(), Some("tools/call")).is_ok());
    let mut modern = call.clone();
    modern["resultType"] = json!("complete");
    fails(
        check(&result(modern.clone()), S2C, v2025(), Some("tools/call")),
        Rule::ResultTypeForbidden,
        -32603,
    );
    // 2026: required.
    fails(
        check(&result(call), S2C, v2026(), Some("tools/call")),
        Rule::ResultTypeMissing,
        -32603,
    );
    assert!(check(&result(modern), S2C, v2026(), Some("tools/call")).is_ok());
    // A missing resultType from an older server reads as complete.
    let Message::Response(response) = result(json!({"content": []})) else {
        unreachable!()
    };
    let mcp_proto::jsonrpc::Outcome::Result(body) = response.outcome else {
        unreachable!()
    };
    assert_eq!(
        body.effective_result_type(),
        mcp_proto::types::ResultType::Complete
    );
}

#[test]
fn input_required_only_where_allowed() {
    let input = json!({"resultType": "input_required", "requestState": "s"});
    for method in ["tools/call", "prompts/get", "resources/read"] {
        assert!(
            check(&result(input.clone()), S2C, v2026(), Some(method)).is_ok(),
            "{method}"
        );
    }
    fails(
        check(&result(input.clone()), S2C, v2026(), Some("tools/list")),
        Rule::ResultTypeNotAllowed,
        -32603,
    );
    fails(
        check(&result(input), S2C, v2025(), Some("tools/call")),
        Rule::ResultTypeForbidden,
        -32603,
    );
    fails(
        check(
            &result(json!({"resultType": "input_required"})),
            S2C,
            v2026(),
            Some("tools/call"),
        ),
        Rule::InputRequiredEmpty,
        -32603,
    );
}

#[test]
fn cache_hints_required_in_2026_and_forbidden_in_2025() {
    let list = json!({"resultType": "complete", "tools": []});
    fails(
        check(&result(list.clone()), S2C, v2026(), Some("tools/list")),
        Rule::CacheHintsMissing,
        -32603,
    );
    let mut hinted = list;
    hinted["ttlMs"] = json!(0);
    hinted["cacheScope"] = json!("private");
    assert!(check(&result(hinted), S2C, v2026(), Some("tools/list")).is_ok());
    fails(
        check(
            &result(json!({"tools": [], "ttlMs": 5, "cacheScope": "public"})),
            S2C,
            v2025(),
            Some("tools/list"),
        ),
        Rule::ModernFieldOnLegacyResult,
        -32603,
    );
}

#[test]
fn tool_definitions() {
    let tools = |tool: Value| result(json!({"tools": [tool]}));
    assert!(
        check(
            &tools(json!({"name": "get_weather", "inputSchema": {"type": "object"}})),
            S2C,
            v2025(),
            Some("tools/list")
        )
        .is_ok()
    );
    fails(
        check(
            &tools(json!({"name": "t", "inputSchema": {"type": "string"}})),
            S2C,
            v2025(),
            Some("tools/list"),
        ),
        Rule::ToolSchemaType,
        -32603,
    );
    fails(
        check(
            &tools(json!({"name": "has space", "inputSchema": {"type": "object"}})),
            S2C,
            v2025(),
            Some("tools/list"),
        ),
        Rule::ToolName,
        -32603,
    );
}

#[test]
fn elicitation_schema_consistency() {
    let elicit = |schema: Value| {
        message(
            json!({"jsonrpc": "2.0", "id": 2, "method": "elicitation/create",
            "params": {"message": "How many?", "requestedSchema": schema}}),
        )
    };
    assert!(check(&elicit(json!({"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]})), S2C, v2025(), None).is_ok());
    fails(
        check(
            &elicit(json!({"type": "object", "properties": {}, "required": ["n"]})),
            S2C,
            v2025(),
            None,
        ),
        Rule::ElicitationSchema,
        -32602,
    );
    // A nested object is not a primitive property: the schema itself says no.
    fails(
        check(
            &elicit(json!({"type": "object", "properties": {"o": {"type": "object"}}})),
            S2C,
            v2025(),
            None,
        ),
        Rule::ParamsShape,
        -32602,
    );
}

#[test]
fn error_codes_of_the_other_revision() {
    let error = |code: i64| {
        message(json!({"jsonrpc": "2.0", "id": 1, "error": {"code": code, "message": "m"}}))
    };
    assert!(check(&error(-32002), S2C, v2025(), None).is_ok());
    fails(
        check(&error(-32002), S2C, v2026(), None),
        Rule::ErrorShape,
        -32603,
    );
    fails(
        check(&error(-32022), S2C, v2026(), None),
        Rule::ErrorShape,
        -32603,
    );
}

#[test]
fn sampling_tools_need_an_object_input_schema() {
    let sampling = |schema: Value| {
        message(
            json!({"jsonrpc": "2.0", "id": 3, "method": "sampling/createMessage", "params": {
                "messages": [{"role": "user", "content": {"type": "text", "text": "hi"}}],
                "maxTokens": 10,
                "tools": [{"name": "t", "inputSchema": schema}]
            }}),
        )
    };
    assert!(check(&sampling(json!({"type": "object"})), S2C, v2025(), None).is_ok());
    for schema in [Value::Null, json!({"type": "string"}), json!([])] {
        fails(
            check(&sampling(schema), S2C, v2025(), None),
            Rule::ToolSchemaType,
            -32602,
        );
    }
}
