//! Content blocks: what tool results, prompt messages and sampling messages are made of,
//! and the contents of a resource.
//!
//! Every block type carries its own `type` discriminator (see [`tags`](crate::types::tags)),
//! so it encodes the same whether it stands alone or sits in a union. The unions
//! ([`ContentBlock`], [`SamplingMessageContentBlock`], [`ResourceContents`]) encode as the
//! block itself and decode by looking at the discriminating member first, then decoding
//! only the matching type.

use alloc::string::String;
use alloc::vec::Vec;
use serde::de::{self, IgnoredAny, MapAccess};
use serde::{Deserialize, Deserializer, Serialize};

use crate::json::RawJson;
use crate::types::common::{Annotations, Icon};
use crate::types::meta::Meta;
use crate::types::resources::Resource;
use crate::types::tags::{
    AudioType, EmbeddedResourceType, ImageType, ResourceLinkType, TextType, ToolResultType,
    ToolUseType,
};
use crate::types::wire::{self, Replay};

/// Text for or from a model (`"type": "text"`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct TextContent {
    /// The `type` discriminator, always `"text"`.
    #[serde(rename = "type")]
    pub kind: TextType,
    /// The text.
    pub text: String,
    /// Hints about audience and importance.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub annotations: Option<Annotations>,
    /// Block metadata.
    #[serde(
        rename = "_meta",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub meta: Option<Meta>,
}

impl TextContent {
    /// A text block with no annotations.
    pub fn new(text: impl Into<String>) -> Self {
        TextContent {
            kind: TextType,
            text: text.into(),
            annotations: None,
            meta: None,
        }
    }
}

/// A Base64-encoded image (`"type": "image"`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ImageContent {
    /// The `type` discriminator, always `"image"`.
    #[serde(rename = "type")]
    pub kind: ImageType,
    /// Base64-encoded image bytes.
    pub data: String,
    /// MIME type of the image.
    pub mime_type: String,
    /// Hints about audience and importance.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub annotations: Option<Annotations>,
    /// Block metadata.
    #[serde(
        rename = "_meta",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub meta: Option<Meta>,
}

impl ImageContent {
    /// An image block from Base64 data and a MIME type.
    pub fn new(data: impl Into<String>, mime_type: impl Into<String>) -> Self {
        ImageContent {
            kind: ImageType,
            data: data.into(),
            mime_type: mime_type.into(),
            annotations: None,
            meta: None,
        }
    }
}

/// Base64-encoded audio (`"type": "audio"`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct AudioContent {
    /// The `type` discriminator, always `"audio"`.
    #[serde(rename = "type")]
    pub kind: AudioType,
    /// Base64-encoded audio bytes.
    pub data: String,
    /// MIME type of the audio.
    pub mime_type: String,
    /// Hints about audience and importance.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub annotations: Option<Annotations>,
    /// Block metadata.
    #[serde(
        rename = "_meta",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub meta: Option<Meta>,
}

impl AudioContent {
    /// An audio block from Base64 data and a MIME type.
    pub fn new(data: impl Into<String>, mime_type: impl Into<String>) -> Self {
        AudioContent {
            kind: AudioType,
            data: data.into(),
            mime_type: mime_type.into(),
            annotations: None,
            meta: None,
        }
    }
}

/// A link to a resource the server can read (`"type": "resource_link"`): every field of a
/// [`Resource`] plus the discriminator.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ResourceLink {
    /// The `type` discriminator, always `"resource_link"`.
    #[serde(rename = "type")]
    pub kind: ResourceLinkType,
    /// URI of the resource.
    pub uri: String,
    /// Programmatic name of the resource.
    pub name: String,
    /// Display name.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub title: Option<String>,
    /// What the resource is, as a hint to the model.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub description: Option<String>,
    /// MIME type, if known.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub mime_type: Option<String>,
    /// Hints about audience and importance.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub annotations: Option<Annotations>,
    /// Size of the raw content in bytes, if known.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub size: Option<i64>,
    /// Icons for display.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub icons: Option<Vec<Icon>>,
    /// Resource metadata.
    #[serde(
        rename = "_meta",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub meta: Option<Meta>,
}

impl From<Resource> for ResourceLink {
    fn from(resource: Resource) -> Self {
        ResourceLink {
            kind: ResourceLinkType,
            uri: resource.uri,
            name: resource.name,
            title: resource.title,
            description: resource.description,
            mime_type: resource.mime_type,
            annotations: resource.annotations,
            size: resource.size,
            icons: resource.icons,
            meta: resource.meta,
        }
    }
}

impl From<ResourceLink> for Resource {
    fn from(link: ResourceLink) -> Self {
        Resource {
            uri: link.uri,
            name: link.name,
            title: link.title,
            description: link.description,
            mime_type: link.mime_type,
            annotations: link.annotations,
            size: link.size,
            icons: link.icons,
            meta: link.meta,
        }
    }
}

/// The contents of a resource embedded in a prompt or tool result (`"type": "resource"`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct EmbeddedResource {
    /// The `type` discriminator, always `"resource"`.
    #[serde(rename = "type")]
    pub kind: EmbeddedResourceType,
    /// The embedded contents.
    pub resource: ResourceContents,
    /// Hints about audience and importance.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub annotations: Option<Annotations>,
    /// Block metadata.
    #[serde(
        rename = "_meta",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub meta: Option<Meta>,
}

impl EmbeddedResource {
    /// Embeds `resource` with no annotations.
    pub fn new(resource: ResourceContents) -> Self {
        EmbeddedResource {
            kind: EmbeddedResourceType,
            resource,
            annotations: None,
            meta: None,
        }
    }
}

/// The text contents of a resource.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct TextResourceContents {
    /// URI of the resource.
    pub uri: String,
    /// MIME type, if known.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub mime_type: Option<String>,
    /// The text.
    pub text: String,
    /// Contents metadata.
    #[serde(
        rename = "_meta",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub meta: Option<Meta>,
}

/// The binary contents of a resource.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct BlobResourceContents {
    /// URI of the resource.
    pub uri: String,
    /// MIME type, if known.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub mime_type: Option<String>,
    /// Base64-encoded bytes.
    pub blob: String,
    /// Contents metadata.
    #[serde(
        rename = "_meta",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub meta: Option<Meta>,
}

/// Text or binary resource contents. Decoded by member: `text` present means text,
/// otherwise `blob` present means binary.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
#[non_exhaustive]
pub enum ResourceContents {
    /// Text contents.
    Text(TextResourceContents),
    /// Binary contents.
    Blob(BlobResourceContents),
}

impl ResourceContents {
    /// URI of the resource.
    pub fn uri(&self) -> &str {
        match self {
            ResourceContents::Text(text) => &text.uri,
            ResourceContents::Blob(blob) => &blob.uri,
        }
    }

    /// Text contents of `uri`.
    pub fn text(uri: impl Into<String>, text: impl Into<String>) -> Self {
        ResourceContents::Text(TextResourceContents {
            uri: uri.into(),
            mime_type: None,
            text: text.into(),
            meta: None,
        })
    }
}

#[derive(Deserialize)]
struct ResourceContentsProbe {
    #[serde(default)]
    text: Option<IgnoredAny>,
    #[serde(default)]
    blob: Option<IgnoredAny>,
}

impl<'de> Deserialize<'de> for ResourceContents {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = wire::capture(deserializer)?;
        let probe: ResourceContentsProbe = wire::decode_as(&raw)?;
        if probe.text.is_some() {
            wire::decode_as(&raw).map(ResourceContents::Text)
        } else if probe.blob.is_some() {
            wire::decode_as(&raw).map(ResourceContents::Blob)
        } else {
            Err(de::Error::custom(
                "resource contents need a \"text\" or a \"blob\" member",
            ))
        }
    }
}

/// A model's request to call a tool, in sampling (`"type": "tool_use"`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ToolUseContent {
    /// The `type` discriminator, always `"tool_use"`.
    #[serde(rename = "type")]
    pub kind: ToolUseType,
    /// Identifier that the matching tool result refers to.
    pub id: String,
    /// Name of the tool to call.
    pub name: String,
    /// Tool arguments (an object), kept raw.
    #[serde(deserialize_with = "crate::types::wire::raw_object")]
    pub input: RawJson,
    /// Block metadata; clients should keep it when replaying the block.
    #[serde(
        rename = "_meta",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub meta: Option<Meta>,
}

/// The result of a tool use, given back to the model in sampling (`"type": "tool_result"`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ToolResultContent {
    /// The `type` discriminator, always `"tool_result"`.
    #[serde(rename = "type")]
    pub kind: ToolResultType,
    /// The `id` of the tool use this answers.
    pub tool_use_id: String,
    /// Unstructured result, as in a tool call result.
    pub content: Vec<ContentBlock>,
    /// Structured result, kept raw (2025-11-25: an object; 2026-07-28: any value).
    #[serde(
        default,
        deserialize_with = "wire::raw_keep_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub structured_content: Option<RawJson>,
    /// True when the tool use failed.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub is_error: Option<bool>,
    /// Block metadata; clients should keep it when replaying the block.
    #[serde(
        rename = "_meta",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::types::wire::present"
    )]
    pub meta: Option<Meta>,
}

/// A block of a tool result or prompt message: text, image, audio, resource link or
/// embedded resource, told apart by `type`.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
#[non_exhaustive]
pub enum ContentBlock {
    /// `"text"`.
    Text(TextContent),
    /// `"image"`.
    Image(ImageContent),
    /// `"audio"`.
    Audio(AudioContent),
    /// `"resource_link"`.
    ResourceLink(ResourceLink),
    /// `"resource"`.
    Resource(EmbeddedResource),
}

impl ContentBlock {
    /// A text block.
    pub fn text(text: impl Into<String>) -> Self {
        ContentBlock::Text(TextContent::new(text))
    }

    /// The text of a text block.
    pub fn as_text(&self) -> Option<&str> {
        match self {
            ContentBlock::Text(text) => Some(&text.text),
            _ => None,
        }
    }
}

impl From<TextContent> for ContentBlock {
    fn from(value: TextContent) -> Self {
        ContentBlock::Text(value)
    }
}

impl From<ImageContent> for ContentBlock {
    fn from(value: ImageContent) -> Self {
        ContentBlock::Image(value)
    }
}

impl From<AudioContent> for ContentBlock {
    fn from(value: AudioContent) -> Self {
        ContentBlock::Audio(value)
    }
}

impl From<ResourceLink> for ContentBlock {
    fn from(value: ResourceLink) -> Self {
        ContentBlock::ResourceLink(value)
    }
}

impl From<EmbeddedResource> for ContentBlock {
    fn from(value: EmbeddedResource) -> Self {
        ContentBlock::Resource(value)
    }
}

impl wire::TaggedUnion for ContentBlock {
    const TAG: &'static str = "type";
    const EXPECTING: &'static str = "a content block object";

    fn from_tagged<'de, A: MapAccess<'de>>(tag: &str, map: Replay<A>) -> Result<Self, A::Error> {
        match tag {
            TextType::VALUE => {
                TextContent::deserialize(map.tagged(TextType::VALUE)).map(ContentBlock::Text)
            }
            ImageType::VALUE => {
                ImageContent::deserialize(map.tagged(ImageType::VALUE)).map(ContentBlock::Image)
            }
            AudioType::VALUE => {
                AudioContent::deserialize(map.tagged(AudioType::VALUE)).map(ContentBlock::Audio)
            }
            ResourceLinkType::VALUE => {
                ResourceLink::deserialize(map.tagged(ResourceLinkType::VALUE))
                    .map(ContentBlock::ResourceLink)
            }
            EmbeddedResourceType::VALUE => {
                EmbeddedResource::deserialize(map.tagged(EmbeddedResourceType::VALUE))
                    .map(ContentBlock::Resource)
            }
            _ => Err(de::Error::custom(
                "content block \"type\" must be one of text, image, audio, resource_link, resource",
            )),
        }
    }
}

impl<'de> Deserialize<'de> for ContentBlock {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        wire::deserialize_tagged(deserializer)
    }
}

/// A block of a sampling message: text, image, audio, tool use or tool result, told
/// apart by `type`.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
#[non_exhaustive]
pub enum SamplingMessageContentBlock {
    /// `"text"`.
    Text(TextContent),
    /// `"image"`.
    Image(ImageContent),
    /// `"audio"`.
    Audio(AudioContent),
    /// `"tool_use"`.
    ToolUse(ToolUseContent),
    /// `"tool_result"`.
    ToolResult(ToolResultContent),
}

impl SamplingMessageContentBlock {
    /// A text block.
    pub fn text(text: impl Into<String>) -> Self {
        SamplingMessageContentBlock::Text(TextContent::new(text))
    }
}

impl wire::TaggedUnion for SamplingMessageContentBlock {
    const TAG: &'static str = "type";
    const EXPECTING: &'static str = "a sampling content block object";

    fn from_tagged<'de, A: MapAccess<'de>>(tag: &str, map: Replay<A>) -> Result<Self, A::Error> {
        use SamplingMessageContentBlock as B;
        match tag {
            TextType::VALUE => TextContent::deserialize(map.tagged(TextType::VALUE)).map(B::Text),
            ImageType::VALUE => {
                ImageContent::deserialize(map.tagged(ImageType::VALUE)).map(B::Image)
            }
            AudioType::VALUE => {
                AudioContent::deserialize(map.tagged(AudioType::VALUE)).map(B::Audio)
            }
            ToolUseType::VALUE => {
                ToolUseContent::deserialize(map.tagged(ToolUseType::VALUE)).map(B::ToolUse)
            }
            ToolResultType::VALUE => {
                ToolResultContent::deserialize(map.tagged(ToolResultType::VALUE)).map(B::ToolResult)
            }
            _ => Err(de::Error::custom(
                "sampling content \"type\" must be one of text, image, audio, tool_use, tool_result",
            )),
        }
    }
}

impl<'de> Deserialize<'de> for SamplingMessageContentBlock {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        wire::deserialize_tagged(deserializer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;
    use serde_json::json;

    #[test]
    fn tag_anywhere_in_the_object() {
        let first = json!({"type": "text", "text": "hi", "annotations": {"priority": 0.5}});
        let last = r#"{"annotations":{"priority":0.5},"text":"hi","type":"text"}"#;
        let middle = r#"{"text":"hi","type":"text","annotations":{"priority":0.5}}"#;
        let expected: ContentBlock = serde_json::from_value(first).unwrap();
        for text in [last, middle] {
            assert_eq!(
                crate::json::strict::from_str::<ContentBlock>(text).unwrap(),
                expected
            );
        }
        // Members replayed from before the tag are still checked strictly.
        assert!(
            crate::json::strict::from_str::<ContentBlock>(
                r#"{"annotations":[],"text":"hi","type":"text"}"#
            )
            .is_err()
        );
        assert!(crate::json::strict::from_str::<ContentBlock>(r#"{"text":"hi"}"#).is_err());
    }

    fn round_trip<T: Serialize + serde::de::DeserializeOwned>(value: serde_json::Value) -> T {
        let typed: T = serde_json::from_value(value.clone()).unwrap();
        assert_eq!(serde_json::to_value(&typed).unwrap(), value);
        // And through text, which is how messages are decoded.
        let typed: T = serde_json::from_str(&value.to_string()).unwrap();
        assert_eq!(serde_json::to_value(&typed).unwrap(), value);
        typed
    }

    #[test]
    fn content_block_tags() {
        let text: ContentBlock = round_trip(json!({"type": "text", "text": "hi"}));
        assert_eq!(text.as_text(), Some("hi"));
        assert!(matches!(
            round_trip::<ContentBlock>(
                json!({"type": "image", "data": "AA==", "mimeType": "image/png"})
            ),
            ContentBlock::Image(_)
        ));
        assert!(matches!(
            round_trip::<ContentBlock>(
                json!({"type": "audio", "data": "AA==", "mimeType": "audio/wav"})
            ),
            ContentBlock::Audio(_)
        ));
        assert!(matches!(
            round_trip::<ContentBlock>(
                json!({"type": "resource_link", "uri": "file:///a", "name": "a", "size": 3})
            ),
            ContentBlock::ResourceLink(_)
        ));
        let embedded: ContentBlock = round_trip(
            json!({"type": "resource", "resource": {"uri": "file:///b", "blob": "AA=="}}),
        );
        let ContentBlock::Resource(embedded) = embedded else {
            panic!("not a resource")
        };
        assert!(matches!(embedded.resource, ResourceContents::Blob(_)));

        // Sampling-only kinds are not content blocks, and vice versa.
        assert!(
            serde_json::from_value::<ContentBlock>(
                json!({"type": "tool_use", "id": "1", "name": "x", "input": {}})
            )
            .is_err()
        );
        assert!(
            serde_json::from_value::<SamplingMessageContentBlock>(
                json!({"type": "resource_link", "uri": "file:///a", "name": "a"})
            )
            .is_err()
        );
        assert!(serde_json::from_value::<ContentBlock>(json!({"text": "no type"})).is_err());
        assert!(serde_json::from_value::<ContentBlock>(json!({"type": "video"})).is_err());
        // A known tag with a missing required member is an error, not another variant.
        assert!(serde_json::from_value::<ContentBlock>(json!({"type": "image"})).is_err());
        // A standalone block refuses a foreign tag.
        assert!(
            serde_json::from_value::<TextContent>(json!({"type": "image", "text": "x"})).is_err()
        );
    }

    #[test]
    fn sampling_blocks_keep_raw_payloads() {
        let block: SamplingMessageContentBlock = round_trip(json!({
            "type": "tool_result", "toolUseId": "c1",
            "content": [{"type": "text", "text": "ok"}],
            "structuredContent": null, "isError": false
        }));
        let SamplingMessageContentBlock::ToolResult(result) = block else {
            panic!("not a tool result")
        };
        // A present null survives the round trip.
        assert_eq!(result.structured_content.unwrap().get(), "null");

        let text = r#"{"type":"tool_use","id":"c1","name":"w","input":{ "b" : 1, "a" : 2 }}"#;
        let block: SamplingMessageContentBlock = serde_json::from_str(text).unwrap();
        let SamplingMessageContentBlock::ToolUse(tool_use) = block else {
            panic!("not a tool use")
        };
        assert_eq!(tool_use.input.get(), r#"{ "b" : 1, "a" : 2 }"#);
    }

    #[test]
    fn resource_contents_by_member() {
        assert!(matches!(
            round_trip::<ResourceContents>(json!({"uri": "a:b", "text": ""})),
            ResourceContents::Text(_)
        ));
        assert!(matches!(
            round_trip::<ResourceContents>(json!({"uri": "a:b", "mimeType": "x/y", "blob": ""})),
            ResourceContents::Blob(_)
        ));
        assert!(serde_json::from_value::<ResourceContents>(json!({"uri": "a:b"})).is_err());
    }
}
