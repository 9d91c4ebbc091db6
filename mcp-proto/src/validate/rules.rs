//! Content rules: the ones the schemas cannot state (tool names, elicitation schema
//! consistency, capability needs) and the per-revision differences of shared types.

use alloc::format;
use alloc::string::String;

use crate::json::RawJson;
use crate::jsonrpc::ErrorCode;
use crate::types::{
    ClientRequest, ElicitationSchema, PrimitiveSchemaDefinition, TASKS_EXTENSION_ID, Tool,
};
use crate::validate::{Rule, Violation};
use crate::version::Era;

/// The longest tool name the specification recommends.
pub(crate) const MAX_TOOL_NAME_LENGTH: usize = 128;

/// The most completion values a 2026 result may carry.
pub(crate) use crate::types::MAX_COMPLETION_VALUES;

pub(crate) fn missing_tasks_extension() -> Violation {
    let mut violation = Violation::new(
        Rule::MissingClientCapability,
        ErrorCode::MISSING_REQUIRED_CLIENT_CAPABILITY,
        "Missing required client capability: the io.modelcontextprotocol/tasks extension",
    );
    violation.error = violation.error.with_data(&serde_json::json!({
        "requiredCapabilities": {"extensions": {TASKS_EXTENSION_ID: {}}}
    }));
    violation
}

/// Rules on a decoded client request beyond its shape.
pub(crate) fn client_request(
    request: &ClientRequest,
    era: Era,
    tasks_extension: bool,
) -> Result<(), Violation> {
    if let ClientRequest::SubscriptionsListen(listen) = request {
        if era == Era::Modern && listen.notifications.task_ids.is_some() && !tasks_extension {
            return Err(missing_tasks_extension());
        }
    }
    Ok(())
}

/// A tool name: 1 to 128 characters of `[A-Za-z0-9_.-]` (the specification's SHOULD).
pub fn is_valid_tool_name(name: &str) -> bool {
    (1..=MAX_TOOL_NAME_LENGTH).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
}

/// True when `schema` is a JSON object whose `type` is `"object"`.
fn is_object_schema(schema: &RawJson) -> bool {
    #[derive(serde::Deserialize)]
    struct TypeOnly {
        #[serde(rename = "type")]
        kind: Option<serde_json::Value>,
    }
    schema.is_object()
        && schema
            .decode::<TypeOnly>()
            .is_ok_and(|only| only.kind.as_ref().and_then(|k| k.as_str()) == Some("object"))
}

/// A tool definition: object input schema (and, at 2025, object output schema), name rules.
pub(crate) fn tool(tool: &Tool, era: Era) -> Result<(), Violation> {
    if !is_object_schema(&tool.input_schema) {
        return Err(Violation::new(
            Rule::ToolSchemaType,
            ErrorCode::INTERNAL_ERROR,
            format!(
                "tool {:?}: inputSchema must be an object schema with \"type\": \"object\"",
                tool.name
            ),
        ));
    }
    if let Some(output) = &tool.output_schema {
        let ok = match era {
            Era::Legacy => is_object_schema(output),
            Era::Modern => output.is_object(),
        };
        if !ok {
            return Err(Violation::new(
                Rule::ToolSchemaType,
                ErrorCode::INTERNAL_ERROR,
                format!(
                    "tool {:?}: outputSchema has the wrong shape for this revision",
                    tool.name
                ),
            ));
        }
    }
    if !is_valid_tool_name(&tool.name) {
        return Err(Violation::new(
            Rule::ToolName,
            ErrorCode::INTERNAL_ERROR,
            format!(
                "tool name {:?} must be 1 to {MAX_TOOL_NAME_LENGTH} characters of A-Z, a-z, 0-9, '_', '.', '-'",
                tool.name
            ),
        ));
    }
    Ok(())
}

fn elicitation_error(detail: String) -> Violation {
    Violation::new(
        Rule::ElicitationSchema,
        ErrorCode::INVALID_PARAMS,
        format!("Invalid params: requestedSchema: {detail}"),
    )
}

fn ordered<T: PartialOrd + core::fmt::Debug>(
    name: &str,
    what: &str,
    low: Option<T>,
    high: Option<T>,
) -> Result<(), Violation> {
    match (low, high) {
        (Some(low), Some(high)) if low > high => Err(elicitation_error(format!(
            "property {name:?}: min{what} {low:?} is above max{what} {high:?}"
        ))),
        _ => Ok(()),
    }
}

/// An elicitation `requestedSchema`: every `required` name is a property, bounds are
/// ordered, and defaults lie within their own schema.
pub(crate) fn elicitation_schema(schema: &ElicitationSchema) -> Result<(), Violation> {
    for name in schema.required.iter().flatten() {
        if !schema.properties.contains_key(name) {
            return Err(elicitation_error(format!(
                "required property {name:?} is not defined"
            )));
        }
    }
    for (name, property) in &schema.properties {
        let bad_default =
            || elicitation_error(format!("property {name:?}: default is outside the schema"));
        match property {
            PrimitiveSchemaDefinition::String(string) => {
                ordered(name, "Length", string.min_length, string.max_length)?;
                if let Some(default) = &string.default {
                    let length = i64::try_from(default.chars().count()).unwrap_or(i64::MAX);
                    if string.min_length.is_some_and(|min| length < min)
                        || string.max_length.is_some_and(|max| length > max)
                    {
                        return Err(bad_default());
                    }
                }
            }
            PrimitiveSchemaDefinition::Number(number) => {
                ordered(name, "imum", number.minimum, number.maximum)?;
                if let Some(default) = number.default {
                    if number.minimum.is_some_and(|min| default < min)
                        || number.maximum.is_some_and(|max| default > max)
                    {
                        return Err(bad_default());
                    }
                }
            }
            PrimitiveSchemaDefinition::Boolean(_) => {}
            PrimitiveSchemaDefinition::UntitledSingleSelectEnum(one) => {
                if one
                    .default
                    .as_ref()
                    .is_some_and(|d| !one.values.contains(d))
                {
                    return Err(bad_default());
                }
            }
            PrimitiveSchemaDefinition::TitledSingleSelectEnum(one) => {
                if one
                    .default
                    .as_ref()
                    .is_some_and(|d| !one.one_of.iter().any(|option| &option.value == d))
                {
                    return Err(bad_default());
                }
            }
            PrimitiveSchemaDefinition::LegacyTitledEnum(one) => {
                if one
                    .default
                    .as_ref()
                    .is_some_and(|d| !one.values.contains(d))
                {
                    return Err(bad_default());
                }
                if one
                    .enum_names
                    .as_ref()
                    .is_some_and(|names| names.len() != one.values.len())
                {
                    return Err(elicitation_error(format!(
                        "property {name:?}: enumNames must name every enum value"
                    )));
                }
            }
            PrimitiveSchemaDefinition::UntitledMultiSelectEnum(many) => {
                ordered(name, "Items", many.min_items, many.max_items)?;
                if many
                    .default
                    .iter()
                    .flatten()
                    .any(|d| !many.items.values.contains(d))
                {
                    return Err(bad_default());
                }
            }
            PrimitiveSchemaDefinition::TitledMultiSelectEnum(many) => {
                ordered(name, "Items", many.min_items, many.max_items)?;
                if many
                    .default
                    .iter()
                    .flatten()
                    .any(|d| !many.items.any_of.iter().any(|option| &option.value == d))
                {
                    return Err(bad_default());
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tool_names() {
        assert!(is_valid_tool_name("get_weather"));
        assert!(is_valid_tool_name("admin.tools-list_v2"));
        assert!(!is_valid_tool_name(""));
        assert!(!is_valid_tool_name("has space"));
        assert!(!is_valid_tool_name("a/b"));
        assert!(!is_valid_tool_name(&"x".repeat(129)));
        assert!(is_valid_tool_name(&"x".repeat(128)));
    }

    #[test]
    fn elicitation_schema_consistency() {
        let schema = |json: &str| serde_json::from_str::<ElicitationSchema>(json).unwrap();
        assert!(elicitation_schema(&schema(
            r#"{"type":"object","properties":{"n":{"type":"integer","minimum":1,"default":2}},"required":["n"]}"#
        ))
        .is_ok());
        for bad in [
            r#"{"type":"object","properties":{},"required":["n"]}"#,
            r#"{"type":"object","properties":{"n":{"type":"number","minimum":5,"maximum":1}}}"#,
            r#"{"type":"object","properties":{"n":{"type":"number","maximum":1,"default":3}}}"#,
            r#"{"type":"object","properties":{"c":{"type":"string","enum":["a","b"],"default":"z"}}}"#,
            r#"{"type":"object","properties":{"s":{"type":"string","minLength":3,"default":"ab"}}}"#,
        ] {
            assert_eq!(
                elicitation_schema(&schema(bad)).unwrap_err().rule,
                Rule::ElicitationSchema,
                "{bad}"
            );
        }
    }
}
