//! Constant discriminators (`type`, `mode`) as zero-sized types.
//!
//! Each type here encodes as exactly one string and refuses any other on decode, so a
//! struct such as [`TextContent`](crate::types::TextContent) carries its own `"type":
//! "text"` and round-trips on its own, outside any union. All of them implement
//! `Default`, which is the only value they have.

use crate::types::wire::wire_tag;

wire_tag!(
    /// `"type": "text"` of a text content block.
    TextType = "text"
);
wire_tag!(
    /// `"type": "image"` of an image content block.
    ImageType = "image"
);
wire_tag!(
    /// `"type": "audio"` of an audio content block.
    AudioType = "audio"
);
wire_tag!(
    /// `"type": "resource_link"` of a resource link content block.
    ResourceLinkType = "resource_link"
);
wire_tag!(
    /// `"type": "resource"` of an embedded resource content block.
    EmbeddedResourceType = "resource"
);
wire_tag!(
    /// `"type": "tool_use"` of a sampling tool-use block.
    ToolUseType = "tool_use"
);
wire_tag!(
    /// `"type": "tool_result"` of a sampling tool-result block.
    ToolResultType = "tool_result"
);
wire_tag!(
    /// `"type": "ref/prompt"` of a completion reference to a prompt.
    PromptRefType = "ref/prompt"
);
wire_tag!(
    /// `"type": "ref/resource"` of a completion reference to a resource template.
    ResourceRefType = "ref/resource"
);
wire_tag!(
    /// `"mode": "form"` of a form-mode elicitation.
    FormMode = "form"
);
wire_tag!(
    /// `"mode": "url"` of a URL-mode elicitation.
    UrlMode = "url"
);
wire_tag!(
    /// `"type": "object"` at the root of an elicitation schema.
    ObjectType = "object"
);
wire_tag!(
    /// `"type": "string"` of a string or single-select elicitation field.
    StringType = "string"
);
wire_tag!(
    /// `"type": "boolean"` of a boolean elicitation field.
    BooleanType = "boolean"
);
wire_tag!(
    /// `"type": "array"` of a multi-select elicitation field.
    ArrayType = "array"
);
