//! Reading single fields of an event without building a document tree.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};

use crate::fields::Key;

/// The string value of a top-level key of a JSON object (the first one, if the key repeats),
/// or `None` when it is missing, not a string, or the text is not an object.
pub fn top_level_str<'a>(json: &'a [u8], key: &str) -> Option<Cow<'a, str>> {
    let mut de = serde_json::Deserializer::from_slice(json);
    TopLevel { key }.deserialize(&mut de).ok().flatten()
}

struct TopLevel<'k> {
    key: &'k str,
}

impl<'de> DeserializeSeed<'de> for TopLevel<'_> {
    type Value = Option<Cow<'de, str>>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for TopLevel<'_> {
    type Value = Option<Cow<'de, str>>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut found = None;
        while let Some(k) = map.next_key::<Key<'de>>()? {
            if found.is_none() && k.0 == self.key {
                found = Some(map.next_value::<Str<'de>>()?.0);
            } else {
                // serde_json checks that the whole object is consumed.
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(found.flatten())
    }
}

/// A value kept only if it is a string; any other value is skipped.
pub(crate) struct Str<'de>(pub(crate) Option<Cow<'de, str>>);

impl<'de> de::Deserialize<'de> for Str<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(StrVisitor).map(Str)
    }
}

struct StrVisitor;

impl<'de> Visitor<'de> for StrVisitor {
    type Value = Option<Cow<'de, str>>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }
    fn visit_borrowed_str<E: de::Error>(self, s: &'de str) -> Result<Self::Value, E> {
        Ok(Some(Cow::Borrowed(s)))
    }
    fn visit_str<E: de::Error>(self, s: &str) -> Result<Self::Value, E> {
        Ok(Some(Cow::Owned(s.to_owned())))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(None)
    }
    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_top_level_strings_only() {
        let ev = br#"{"requestParameters":{"eventID":"inner"},"eventID":"e-1","n":5}"#;
        assert_eq!(top_level_str(ev, "eventID").as_deref(), Some("e-1"));
        assert_eq!(top_level_str(ev, "n"), None);
        assert_eq!(top_level_str(ev, "missing"), None);
        assert_eq!(top_level_str(br#"{"eventID":"a\"b"}"#, "eventID").as_deref(), Some("a\"b"));
        assert_eq!(top_level_str(br#"{"event\u0049D":"esc"}"#, "eventID").as_deref(), Some("esc"));
        assert_eq!(top_level_str(br#"{"eventID":"first","eventID":"second"}"#, "eventID").as_deref(), Some("first"));
        assert_eq!(top_level_str(b"[1]", "eventID"), None);
    }
}
