//! Serde helpers shared by the wire types: constant discriminator fields, unions decided
//! by looking at a value before choosing its type, raw payloads that keep `null`, and
//! numbers that re-encode the way they were written.

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;
use serde::de::{self, DeserializeOwned, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serializer};
use serde_json::value::RawValue;

use crate::json::RawJson;

/// Declares a zero-sized type standing for one constant string on the wire (a `type` or
/// `mode` discriminator). It always encodes as that string and refuses any other string.
macro_rules! wire_tag {
    ($(#[$doc:meta])* $name:ident = $value:literal) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name;

        impl $name {
            /// The constant wire string.
            pub const VALUE: &'static str = $value;
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str($value)
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                $crate::types::wire::expect_str(deserializer, $value).map(|()| $name)
            }
        }
    };
}

pub(crate) use wire_tag;

/// Accepts exactly the string `expected`, borrowed or not, without allocating.
pub(crate) fn expect_str<'de, D: Deserializer<'de>>(
    deserializer: D,
    expected: &'static str,
) -> Result<(), D::Error> {
    struct Exact(&'static str);

    impl Visitor<'_> for Exact {
        type Value = ();

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "the string {:?}", self.0)
        }

        fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
            if v == self.0 {
                Ok(())
            } else {
                Err(E::invalid_value(de::Unexpected::Str(v), &self))
            }
        }
    }

    deserializer.deserialize_str(Exact(expected))
}

/// Reads one JSON value as raw text, so a union can look inside it before picking a type.
///
/// Works with serde_json's deserializers (text and `Value`), which is how every message
/// of this crate is decoded.
pub(crate) fn capture<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Box<RawValue>, D::Error> {
    Box::<RawValue>::deserialize(deserializer)
}

/// A union told apart by a string member (`"type"`), decoded in one pass.
///
/// [`deserialize_tagged`] reads the object's members until it meets [`Self::TAG`]; the
/// members before it (usually none: encoders put the tag first) are kept as values and
/// replayed, the rest are read straight from the input by the chosen variant's own
/// `Deserialize`. Long payloads such as a 64 KiB text block are therefore parsed once.
pub(crate) trait TaggedUnion: Sized {
    /// The discriminating member.
    const TAG: &'static str;
    /// What the union is, for error messages.
    const EXPECTING: &'static str;

    /// Decodes the variant named `tag` from `map`, which replays the whole object.
    fn from_tagged<'de, A: MapAccess<'de>>(tag: &str, map: Replay<A>) -> Result<Self, A::Error>;
}

/// Deserializes a [`TaggedUnion`].
pub(crate) fn deserialize_tagged<'de, D: Deserializer<'de>, T: TaggedUnion>(
    deserializer: D,
) -> Result<T, D::Error> {
    deserializer.deserialize_map(TaggedVisitor::<T>(core::marker::PhantomData))
}

struct TaggedVisitor<T>(core::marker::PhantomData<T>);

/// Reads an object key: `None` for the union's tag (no allocation), the key otherwise.
struct TagKey(&'static str);

impl<'de> de::DeserializeSeed<'de> for TagKey {
    type Value = Option<String>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl Visitor<'_> for TagKey {
    type Value = Option<String>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object key")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<Self::Value, E> {
        Ok((key != self.0).then(|| String::from(key)))
    }

    fn visit_string<E: de::Error>(self, key: String) -> Result<Self::Value, E> {
        Ok((key != self.0).then_some(key))
    }
}

/// Reads the tag's value: borrowed from the input when it can be.
struct TagValue;

impl<'de> de::DeserializeSeed<'de> for TagValue {
    type Value = alloc::borrow::Cow<'de, str>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for TagValue {
    type Value = alloc::borrow::Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_borrowed_str<E: de::Error>(self, value: &'de str) -> Result<Self::Value, E> {
        Ok(alloc::borrow::Cow::Borrowed(value))
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<Self::Value, E> {
        Ok(alloc::borrow::Cow::Owned(String::from(value)))
    }

    fn visit_string<E: de::Error>(self, value: String) -> Result<Self::Value, E> {
        Ok(alloc::borrow::Cow::Owned(value))
    }
}

impl<'de, T: TaggedUnion> Visitor<'de> for TaggedVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(T::EXPECTING)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<T, A::Error> {
        let mut before = Vec::new();
        while let Some(key) = map.next_key_seed(TagKey(T::TAG))? {
            let Some(key) = key else {
                let tag = map.next_value_seed(TagValue)?;
                let replay = Replay {
                    before: before.into_iter(),
                    tag_name: T::TAG,
                    tag: None,
                    pending: Pending::Nothing,
                    rest: map,
                };
                return T::from_tagged(&tag, replay);
            };
            before.push((key, map.next_value::<serde_json::Value>()?));
        }
        Err(de::Error::missing_field(T::TAG))
    }
}

enum Pending {
    Nothing,
    Value(serde_json::Value),
    Tag(&'static str),
}

/// A map that yields the members read before the tag, then the tag, then the rest of the
/// underlying map.
pub(crate) struct Replay<A> {
    before: alloc::vec::IntoIter<(String, serde_json::Value)>,
    tag_name: &'static str,
    tag: Option<&'static str>,
    pending: Pending,
    rest: A,
}

impl<A> Replay<A> {
    /// The replayed object as a deserializer for the variant whose tag is `tag` (the
    /// tag's value as read, which the variant matched: the tag replays as that value).
    pub(crate) fn tagged(mut self, tag: &'static str) -> de::value::MapAccessDeserializer<Self> {
        self.tag = Some(tag);
        de::value::MapAccessDeserializer::new(self)
    }
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for Replay<A> {
    type Error = A::Error;

    fn next_key_seed<K: de::DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        if let Some((key, value)) = self.before.next() {
            self.pending = Pending::Value(value);
            return seed
                .deserialize(de::value::StringDeserializer::new(key))
                .map(Some);
        }
        if let Some(tag) = self.tag.take() {
            self.pending = Pending::Tag(tag);
            return seed
                .deserialize(de::value::StrDeserializer::new(self.tag_name))
                .map(Some);
        }
        self.rest.next_key_seed(seed)
    }

    fn next_value_seed<V: de::DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, A::Error> {
        match core::mem::replace(&mut self.pending, Pending::Nothing) {
            Pending::Value(value) => seed
                .deserialize(crate::json::strict::Strict(value))
                .map_err(de::Error::custom),
            Pending::Tag(tag) => seed.deserialize(de::value::StrDeserializer::new(tag)),
            Pending::Nothing => self.rest.next_value_seed(seed),
        }
    }
}

/// Decodes captured raw text into `T`, reporting failures as the caller's error type.
pub(crate) fn decode_as<T: DeserializeOwned, E: de::Error>(raw: &RawValue) -> Result<T, E> {
    crate::json::strict::from_str(raw.get()).map_err(E::custom)
}

/// True when the captured value is a JSON array.
pub(crate) fn is_array(raw: &RawValue) -> bool {
    raw.get().trim_start().starts_with('[')
}

/// `deserialize_with` for every optional field: absent stays `None` (through
/// `#[serde(default)]`), but a present `null` is refused like any other wrong type, as
/// the schemas require. Fields where `null` is a legal value use their own helper.
pub(crate) fn present<'de, D: Deserializer<'de>, T: serde::Deserialize<'de>>(
    deserializer: D,
) -> Result<Option<T>, D::Error> {
    T::deserialize(deserializer).map(Some)
}

/// `deserialize_with` for an optional weight between 0 and 1 (`priority`,
/// `costPriority`, ...): `null` and values outside the interval are refused.
pub(crate) fn unit_interval<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<f64>, D::Error> {
    let value = f64::deserialize(deserializer)?;
    if (0.0..=1.0).contains(&value) {
        Ok(Some(value))
    } else {
        Err(de::Error::custom(format_args!("{value} is outside 0 to 1")))
    }
}

/// `deserialize_with` for a raw payload that must be a JSON object (tool-use `input`).
pub(crate) fn raw_object<'de, D: Deserializer<'de>>(deserializer: D) -> Result<RawJson, D::Error> {
    let raw = RawJson::deserialize(deserializer)?;
    if raw.is_object() {
        Ok(raw)
    } else {
        Err(de::Error::custom("expected a JSON object"))
    }
}

/// `deserialize_with` for an optional raw payload that must be a JSON object when present
/// (`tools/call` `arguments`).
pub(crate) fn present_object<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<RawJson>, D::Error> {
    raw_object(deserializer).map(Some)
}

/// `deserialize_with` (without `default`) for a member that must be present but may be
/// `null`: a missing member is an error, `null` is `None`.
pub(crate) fn nullable<'de, D: Deserializer<'de>, T: serde::Deserialize<'de>>(
    deserializer: D,
) -> Result<Option<T>, D::Error> {
    Option::<T>::deserialize(deserializer)
}

/// `deserialize_with` for an optional raw payload that may legitimately be `null`
/// (`structuredContent`): a present `null` stays `Some("null")` instead of vanishing.
pub(crate) fn raw_keep_null<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<RawJson>, D::Error> {
    RawJson::deserialize(deserializer).map(Some)
}

/// 2^53: every integer of smaller magnitude is exact in an `f64`.
pub(crate) const EXACT_INTEGER_LIMIT: f64 = 9_007_199_254_740_992.0;

/// `serialize_with` for JSON `number` fields: integral values are written as integers
/// (`50`, not `50.0`), so a number re-encodes as it was most likely written.
pub(crate) fn compact_f64<S: Serializer>(value: &f64, serializer: S) -> Result<S::Ok, S::Error> {
    let value = *value;
    if value.is_finite() && -EXACT_INTEGER_LIMIT < value && value < EXACT_INTEGER_LIMIT {
        #[allow(clippy::cast_possible_truncation)]
        let integer = value as i64;
        #[allow(clippy::cast_precision_loss, clippy::float_cmp)]
        if integer as f64 == value {
            return serializer.serialize_i64(integer);
        }
    }
    serializer.serialize_f64(value)
}

/// [`compact_f64`] for optional fields (only called when the value is present).
pub(crate) fn compact_opt_f64<S: Serializer>(
    value: &Option<f64>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match value {
        Some(value) => compact_f64(value, serializer),
        None => serializer.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::tags::TextType as Hello;
    use serde::Serialize;

    #[derive(Serialize)]
    struct Num(#[serde(serialize_with = "compact_f64")] f64);

    #[test]
    fn tags_and_numbers() {
        assert_eq!(Hello::VALUE, "text");
        assert_eq!(serde_json::to_string(&Hello).unwrap(), "\"text\"");
        assert!(serde_json::from_str::<Hello>("\"text\"").is_ok());
        assert!(serde_json::from_str::<Hello>("\"t\\u0065xt\"").is_ok());
        assert!(serde_json::from_str::<Hello>("\"image\"").is_err());
        assert!(serde_json::from_str::<Hello>("3").is_err());
        assert!(serde_json::from_value::<Hello>(serde_json::json!("text")).is_ok());
        assert_eq!(serde_json::to_string(&Num(50.0)).unwrap(), "50");
        assert_eq!(serde_json::to_string(&Num(-3.0)).unwrap(), "-3");
        assert_eq!(serde_json::to_string(&Num(0.25)).unwrap(), "0.25");
        let huge: f64 = serde_json::from_str(&serde_json::to_string(&Num(1e300)).unwrap()).unwrap();
        assert_eq!(huge, 1e300);
    }
}
