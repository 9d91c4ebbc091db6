//! Resources and the resource template (CONFORMANCE.md 4.3).

use mcp_driver::server::{Context, Resource, ResourceRequest, ResourceTemplate, ServerBuilder};
use mcp_proto::types::ReadResourceResult;
use serde_json::json;

use super::{RED_PIXEL_PNG, from_json};

/// Registers the resources.
pub(crate) fn register(builder: ServerBuilder) -> ServerBuilder {
    let builder = builder
        .resource(
            Resource::new(
                "test://static-text",
                "static-text",
                |request: ResourceRequest, _ctx: Context| async move {
                    from_json::<ReadResourceResult>(json!({"contents": [{
                        "uri": request.uri,
                        "mimeType": "text/plain",
                        "text": "This is the content of the static text resource."
                    }]}))
                },
            )
            .with_description("A static text resource")
            .with_mime_type("text/plain"),
        )
        .resource(
            Resource::new(
                "test://static-binary",
                "static-binary",
                |request: ResourceRequest, _ctx: Context| async move {
                    from_json::<ReadResourceResult>(json!({"contents": [{
                        "uri": request.uri,
                        "mimeType": "image/png",
                        "blob": RED_PIXEL_PNG
                    }]}))
                },
            )
            .with_description("A static binary resource (a PNG)")
            .with_mime_type("image/png"),
        )
        .resource(
            Resource::new(
                "test://watched-resource",
                "watched-resource",
                |request: ResourceRequest, _ctx: Context| async move {
                    from_json::<ReadResourceResult>(json!({"contents": [{
                        "uri": request.uri,
                        "mimeType": "text/plain",
                        "text": "Watched resource content"
                    }]}))
                },
            )
            .with_description("A resource to subscribe to")
            .with_mime_type("text/plain"),
        );
    match ResourceTemplate::new(
        "test://template/{id}/data",
        "template-data",
        |request: ResourceRequest, _ctx: Context| async move {
            let id = request.variables.get("id").cloned().unwrap_or_default();
            let text =
                json!({"id": id, "templateTest": true, "data": format!("Data for ID: {id}")});
            from_json::<ReadResourceResult>(json!({"contents": [{
                "uri": request.uri,
                "mimeType": "application/json",
                "text": text.to_string()
            }]}))
        },
    ) {
        Ok(template) => {
            builder.resource_template(template.with_description("Data by id, from a URI template"))
        }
        Err(error) => panic!("the template fixture is a valid URI template: {error}"),
    }
}
