//! A JSON value that borrows its strings from the text: the request parameters of every
//! event are read into one, and serde_json's `Value` copies each key and string into its own
//! allocation and each object into a B-tree. Objects keep their members sorted by key, the
//! last of equal keys winning, as `Value`'s map does, so lookups and walks see the same
//! members in the same order.

use std::borrow::Cow;
use std::fmt;

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Number;

#[derive(Debug, Clone, PartialEq)]
pub enum Json<'a> {
    Null,
    Bool(bool),
    Number(Number),
    String(Cow<'a, str>),
    Array(Vec<Json<'a>>),
    /// Sorted by key, keys distinct.
    Object(Vec<(Cow<'a, str>, Json<'a>)>),
}

impl<'a> Json<'a> {
    /// The text read, or `Null` when it is absent or not JSON.
    pub fn parse(text: Option<&'a str>) -> Json<'a> {
        text.and_then(|t| serde_json::from_str(t).ok()).unwrap_or(Json::Null)
    }

    /// The member `key` of an object.
    pub fn get(&self, key: &str) -> Option<&Json<'a>> {
        match self {
            Json::Object(m) => m.binary_search_by(|(k, _)| k.as_ref().cmp(key)).ok().map(|i| &m[i].1),
            _ => None,
        }
    }

    /// The member `key` of an object, the key compared without ASCII case (CloudTrail logs
    /// some services' parameters in their API's case, others in camel case).
    pub fn get_ci(&self, key: &str) -> Option<&Json<'a>> {
        match self {
            Json::Object(m) => m.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)).map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Json::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[Json<'a>]> {
        match self {
            Json::Array(a) => Some(a),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Json::Null)
    }
}

/// A string borrowed when it has no escapes.
struct Str<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for Str<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Str<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Str<'de>, E> {
                Ok(Str(Cow::Borrowed(s)))
            }
            fn visit_str<E>(self, s: &str) -> Result<Str<'de>, E> {
                Ok(Str(Cow::Owned(s.to_string())))
            }
        }
        d.deserialize_str(V)
    }
}

impl<'de> Deserialize<'de> for Json<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(JsonVisitor)
    }
}

struct JsonVisitor;

impl<'de> Visitor<'de> for JsonVisitor {
    type Value = Json<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_unit<E>(self) -> Result<Json<'de>, E> {
        Ok(Json::Null)
    }
    fn visit_bool<E>(self, b: bool) -> Result<Json<'de>, E> {
        Ok(Json::Bool(b))
    }
    fn visit_i64<E>(self, n: i64) -> Result<Json<'de>, E> {
        Ok(Json::Number(n.into()))
    }
    fn visit_u64<E>(self, n: u64) -> Result<Json<'de>, E> {
        Ok(Json::Number(n.into()))
    }
    fn visit_f64<E>(self, n: f64) -> Result<Json<'de>, E> {
        Ok(Number::from_f64(n).map_or(Json::Null, Json::Number))
    }
    fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Json<'de>, E> {
        Ok(Json::String(Cow::Borrowed(s)))
    }
    fn visit_str<E>(self, s: &str) -> Result<Json<'de>, E> {
        Ok(Json::String(Cow::Owned(s.to_string())))
    }
    fn visit_string<E>(self, s: String) -> Result<Json<'de>, E> {
        Ok(Json::String(Cow::Owned(s)))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<Json<'de>, A::Error> {
        let mut v = Vec::new();
        while let Some(x) = a.next_element()? {
            v.push(x);
        }
        Ok(Json::Array(v))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Json<'de>, A::Error> {
        let mut m: Vec<(Cow<'de, str>, Json<'de>)> = Vec::new();
        while let Some((Str(k), v)) = a.next_entry::<Str<'de>, Json<'de>>()? {
            m.push((k, v));
        }
        // Sorted, and of equal keys the last (a stable sort keeps them in order).
        m.sort_by(|a, b| a.0.cmp(&b.0));
        let mut out: Vec<(Cow<'de, str>, Json<'de>)> = Vec::with_capacity(m.len());
        for (k, v) in m {
            match out.last_mut() {
                Some(last) if last.0 == k => last.1 = v,
                _ => out.push((k, v)),
            }
        }
        Ok(Json::Object(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::Value;

    /// The same tree as serde_json's `Value` reads, member for member.
    fn same(j: &Json<'_>, v: &Value) -> bool {
        match (j, v) {
            (Json::Null, Value::Null) => true,
            (Json::Bool(a), Value::Bool(b)) => a == b,
            (Json::Number(a), Value::Number(b)) => a == b && a.to_string() == b.to_string(),
            (Json::String(a), Value::String(b)) => a == b,
            (Json::Array(a), Value::Array(b)) => a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same(x, y)),
            (Json::Object(a), Value::Object(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|((ka, va), (kb, vb))| ka == kb && same(va, vb))
            }
            _ => false,
        }
    }

    #[test]
    fn reads_as_value_does() {
        for text in [
            r#"{"b":1,"a":[true,null,"x\"y",1.5,-2,18446744073709551615],"b":{"z":{},"é":"\u00e9"}}"#,
            r#"[]"#,
            r#""s""#,
            r#"1e400"#,
            r#"{"a":1,"a":2,"a":3}"#,
        ] {
            let v: Result<Value, _> = serde_json::from_str(text);
            let j: Result<Json<'_>, _> = serde_json::from_str(text);
            match (j, v) {
                (Ok(j), Ok(v)) => assert!(same(&j, &v), "{text}"),
                (j, v) => assert_eq!(j.is_ok(), v.is_ok(), "{text}"),
            }
        }
        let j = Json::parse(Some(r#"{"b":1,"a":2,"b":3}"#));
        assert_eq!(j.get("b"), Some(&Json::Number(3.into())));
        assert_eq!(j.get("c"), None);
        assert!(Json::parse(Some("{")).is_null());
    }

    fn arb_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(Value::from),
            "[a-c\"\\\\é]{0,4}".prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 32, 5, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
                proptest::collection::vec(("[a-d]{0,2}", inner), 0..5)
                    .prop_map(|kv| Value::Object(kv.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn any_value_reads_the_same(v in arb_value(), dup in "[a-d]{0,2}") {
            let mut text = v.to_string();
            // A key twice at the top: the last one wins, as in Value.
            if v.is_object() {
                let inner = &text[1..text.len() - 1];
                let sep = if inner.is_empty() { "" } else { "," };
                text = format!("{{\"{dup}\":1,{inner}{sep}\"{dup}\":2}}");
            }
            let v: Value = serde_json::from_str(&text).unwrap();
            let j: Json<'_> = serde_json::from_str(&text).unwrap();
            prop_assert!(same(&j, &v), "{}", text);
        }
    }
}
