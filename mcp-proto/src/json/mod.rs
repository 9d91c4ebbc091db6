//! JSON values kept as raw text.
//!
//! MCP carries several payloads whose shape belongs to somebody else: tool arguments,
//! input and output schemas, structured tool output, request `params` before anyone asked
//! for a type. [`RawJson`] keeps such a value as the exact text that was received (already
//! checked to be valid JSON), so routing and validation never pay for building a tree, and
//! re-encoding writes the bytes back unchanged.

use alloc::boxed::Box;
use alloc::string::String;
use core::fmt;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::value::RawValue;

pub(crate) mod splice;
pub(crate) mod strict;

/// A JSON object as a tree, for the few places that need to look inside one.
pub type JsonObject = serde_json::Map<String, serde_json::Value>;

/// A valid JSON value kept as its original text.
///
/// Equality compares the text, so two values that differ only in whitespace or key order
/// are different `RawJson`s; compare [`RawJson::to_value`] results for semantic equality.
#[derive(Clone)]
pub struct RawJson(Repr);

/// Where the text lives. Both variants hold text already checked to be one valid JSON
/// value: `Parsed` came through serde (a nested field), `Checked` was cut out of a message
/// the envelope decoder validated in the same pass, which avoids parsing it twice.
#[derive(Clone)]
enum Repr {
    Parsed(Box<RawValue>),
    Checked(Box<str>),
}

impl RawJson {
    /// Parses `text`, keeping it verbatim when it is one valid JSON value.
    pub fn from_text(text: &str) -> Result<Self, serde_json::Error> {
        RawValue::from_string(String::from(text)).map(RawJson::from_raw)
    }

    /// Wraps text that the caller has already validated as exactly one JSON value with no
    /// surrounding whitespace.
    pub(crate) fn from_checked(text: Box<str>) -> Self {
        RawJson(Repr::Checked(text))
    }

    /// Serialises `value` to compact JSON text.
    pub fn from_serialize<T: Serialize + ?Sized>(value: &T) -> Result<Self, serde_json::Error> {
        serde_json::value::to_raw_value(value).map(RawJson::from_raw)
    }

    /// Wraps an already parsed raw value.
    pub fn from_raw(raw: Box<RawValue>) -> Self {
        RawJson(Repr::Parsed(raw))
    }

    /// The JSON text exactly as received or produced.
    pub fn get(&self) -> &str {
        match &self.0 {
            Repr::Parsed(raw) => raw.get(),
            Repr::Checked(text) => text,
        }
    }

    /// Decodes the text into a typed value. Structs decode only from JSON objects (serde
    /// alone would also take an array of their fields), as the MCP schemas require.
    pub fn decode<T: DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        strict::from_str(self.get())
    }

    /// Builds a [`serde_json::Value`] tree of the text.
    pub fn to_value(&self) -> serde_json::Value {
        // The text is always valid JSON; the fallback only guards an impossible case.
        serde_json::from_str(self.get()).unwrap_or(serde_json::Value::Null)
    }

    /// The first non-whitespace byte, which tells the JSON type without parsing.
    fn first_byte(&self) -> u8 {
        self.get()
            .bytes()
            .find(|b| !b.is_ascii_whitespace())
            .unwrap_or(b'n')
    }

    /// True when the value is a JSON object.
    pub fn is_object(&self) -> bool {
        self.first_byte() == b'{'
    }

    /// True when the value is JSON `null`.
    pub fn is_null(&self) -> bool {
        self.first_byte() == b'n'
    }
}

impl PartialEq for RawJson {
    fn eq(&self, other: &Self) -> bool {
        self.get() == other.get()
    }
}

impl Eq for RawJson {}

impl fmt::Debug for RawJson {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RawJson({})", self.get())
    }
}

impl fmt::Display for RawJson {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.get())
    }
}

impl Serialize for RawJson {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match &self.0 {
            Repr::Parsed(raw) => raw.serialize(serializer),
            // Rare: a decoded payload nested into a typed value. Serde can only write raw
            // text through a RawValue, which checks the text once more.
            Repr::Checked(text) => RawValue::from_string(String::from(&**text))
                .map_err(serde::ser::Error::custom)?
                .serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for RawJson {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Box::<RawValue>::deserialize(deserializer).map(RawJson::from_raw)
    }
}

impl From<&serde_json::Value> for RawJson {
    fn from(value: &serde_json::Value) -> Self {
        // Serialising a Value cannot fail: its map keys are strings.
        RawJson::from_serialize(value).unwrap_or_else(|_| RawJson::null())
    }
}

impl RawJson {
    /// The JSON `null` value.
    pub fn null() -> Self {
        RawJson::from_raw(alloc::borrow::ToOwned::to_owned(RawValue::NULL))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_text_verbatim_and_reports_shape() {
        let raw = RawJson::from_text(r#" { "b" : 1, "a" : [2] } "#).unwrap();
        // Surrounding whitespace is not part of the value; everything inside is kept.
        assert_eq!(raw.get(), r#"{ "b" : 1, "a" : [2] }"#);
        assert!(raw.is_object());
        assert!(!raw.is_null());
        assert!(RawJson::null().is_null());
        assert!(RawJson::from_text("nul").is_err());
        let encoded = serde_json::to_string(&raw).unwrap();
        assert_eq!(encoded, r#"{ "b" : 1, "a" : [2] }"#);
    }
}
