//! One record read for display: its top-level keys in input order, each with its JSON text,
//! and the values found at a dotted path (`requestParameters.instanceType`, `resources.ARN`).
//!
//! Nothing is turned into a document tree: a value stays the text it was in the input, read
//! further only where a path goes into it, so that an object shown whole keeps its key order.

use std::borrow::Cow;
use std::fmt;

use ct_common::fields::Key;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

/// A JSON object: its keys in input order, each with its value's text.
#[derive(Debug, Default)]
pub struct Obj<'a>(pub Vec<(Cow<'a, str>, &'a RawValue)>);

impl<'a> Obj<'a> {
    /// Reads an object from `text`; `None` for valid JSON that is not an object.
    pub fn parse(text: &'a str) -> Result<Option<Obj<'a>>, serde_json::Error> {
        let mut de = serde_json::Deserializer::from_str(text);
        let obj = de.deserialize_any(ObjVisitor)?;
        de.end()?;
        Ok(obj)
    }

    /// The value of a top-level key (the last one, as JSON parsers keep, when repeated).
    pub fn get(&self, key: &str) -> Option<&'a RawValue> {
        self.0.iter().rev().find(|(k, _)| k == key).map(|(_, v)| *v)
    }

    pub fn has(&self, key: &str) -> bool {
        self.0.iter().any(|(k, _)| k == key)
    }

    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|(k, _)| k.as_ref())
    }

    /// Every value at `path` (dotted, already split). An array on the way means each of its
    /// elements, unless the next part is an index into it (`resources.0.ARN`).
    pub fn lookup(&self, path: &[&str], out: &mut Vec<&'a RawValue>) {
        if let Some((first, rest)) = path.split_first()
            && let Some(v) = self.get(first)
        {
            lookup(v, rest, out);
        }
    }

    /// The first string at `path`.
    pub fn str_at(&self, path: &[&str]) -> Option<String> {
        let mut found = Vec::new();
        self.lookup(path, &mut found);
        found.into_iter().find_map(as_string)
    }
}

/// Values at `path` below `raw`.
pub fn lookup<'a>(raw: &'a RawValue, path: &[&str], out: &mut Vec<&'a RawValue>) {
    let Some((first, rest)) = path.split_first() else {
        out.push(raw);
        return;
    };
    match raw.get().as_bytes().first() {
        Some(b'{') => {
            if let Ok(Some(obj)) = Obj::parse(raw.get())
                && let Some(v) = obj.get(first)
            {
                lookup(v, rest, out);
            }
        }
        Some(b'[') => {
            let Ok(items) = serde_json::from_str::<Vec<&RawValue>>(raw.get()) else { return };
            match first.parse::<usize>() {
                Ok(i) => {
                    if let Some(v) = items.get(i) {
                        lookup(v, rest, out);
                    }
                }
                Err(_) => {
                    for v in items {
                        lookup(v, path, out);
                    }
                }
            }
        }
        _ => {}
    }
}

/// The text of a JSON string value; `None` for any other value.
pub fn as_string(raw: &RawValue) -> Option<String> {
    if raw.get().starts_with('"') { serde_json::from_str::<String>(raw.get()).ok() } else { None }
}

/// What a JSON value's text starts with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    String,
    Number,
    Bool,
    Null,
    Array,
    Object,
}

pub fn shape(raw: &RawValue) -> Shape {
    match raw.get().as_bytes().first() {
        Some(b'"') => Shape::String,
        Some(b'{') => Shape::Object,
        Some(b'[') => Shape::Array,
        Some(b't' | b'f') => Shape::Bool,
        Some(b'n') => Shape::Null,
        _ => Shape::Number,
    }
}

/// Reads an object into an `Obj`, or anything else into `None`.
struct ObjVisitor;

impl<'de> Visitor<'de> for ObjVisitor {
    type Value = Option<Obj<'de>>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut obj = Obj::default();
        while let Some(Key(k)) = map.next_key::<Key<'de>>()? {
            let v: &'de RawValue = map.next_value()?;
            obj.0.push((k, v));
        }
        Ok(Some(obj))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<de::IgnoredAny>()?.is_some() {}
        Ok(None)
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
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
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(text: &str, path: &str) -> Vec<String> {
        let obj = Obj::parse(text).unwrap().unwrap();
        let parts: Vec<&str> = path.split('.').collect();
        let mut out = Vec::new();
        obj.lookup(&parts, &mut out);
        out.iter().map(|v| v.get().to_string()).collect()
    }

    #[test]
    fn paths_go_into_objects_and_every_element_of_arrays() {
        let ev = r#"{"a":{"b":"x","c":{"d":1}},"r":[{"ARN":"p"},{"ARN":"q"},{"type":"t"}],"esc\"aped":true}"#;
        assert_eq!(values(ev, "a.b"), ["\"x\""]);
        assert_eq!(values(ev, "a.c.d"), ["1"]);
        assert_eq!(values(ev, "a.c"), [r#"{"d":1}"#]);
        assert_eq!(values(ev, "r.ARN"), ["\"p\"", "\"q\""]);
        assert_eq!(values(ev, "r.1.ARN"), ["\"q\""]);
        assert_eq!(values(ev, "r.7.ARN"), Vec::<String>::new());
        assert_eq!(values(ev, "a.b.c"), Vec::<String>::new());
        assert_eq!(values(ev, "nothing"), Vec::<String>::new());
        assert_eq!(values(ev, "esc\"aped"), ["true"]);
        let obj = Obj::parse(ev).unwrap().unwrap();
        assert_eq!(obj.keys().collect::<Vec<_>>(), ["a", "r", "esc\"aped"]);
    }

    #[test]
    fn anything_but_an_object_is_none_and_bad_json_an_error() {
        assert!(Obj::parse("[1,2]").unwrap().is_none());
        assert!(Obj::parse("\"x\"").unwrap().is_none());
        assert!(Obj::parse("{\"a\":").is_err());
        assert!(Obj::parse("{} {}").is_err());
    }
}
