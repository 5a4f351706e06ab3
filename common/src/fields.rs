//! Pulling a few fields out of an event without building a document tree.
//!
//! The wanted dotted paths form a tree; a serde visitor walks the event and descends only
//! into the objects on those paths, skipping everything else. Once every wanted top-level key
//! has been seen the parse stops early: filters that test `eventTime` or `eventName` read a
//! few hundred bytes of a 1.5 KB event. Arrays on a path mean "any element".

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

/// A value found at a wanted path.
#[derive(Debug, Clone, PartialEq)]
pub enum Val<'a> {
    Str(Cow<'a, str>),
    Num(f64),
    Bool(bool),
    Null,
    Object,
    Array,
}

/// Top-level keys that mark a container of events rather than an event.
const CONTAINER_KEYS: &[&str] =
    &["Records", "Events", "CloudTrailEvent", "logEvents", "messageType", "detail-type", "awslogs", "digestStartTime"];

#[derive(Debug, Default)]
struct Node {
    children: Vec<(Box<str>, Node)>,
    id: Option<usize>,
}

/// The set of wanted paths.
#[derive(Debug, Default)]
pub struct Paths {
    root: Node,
    count: usize,
}

impl Paths {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a dotted path (`userIdentity.sessionContext.sessionIssuer.arn`) and returns its id;
    /// the same path twice gets the same id.
    pub fn add(&mut self, path: &str) -> usize {
        let mut node = &mut self.root;
        for part in path.split('.') {
            let i = match node.children.iter().position(|(k, _)| &**k == part) {
                Some(i) => i,
                None => {
                    node.children.push((part.into(), Node::default()));
                    node.children.len() - 1
                }
            };
            node = &mut node.children[i].1;
        }
        *node.id.get_or_insert_with(|| {
            self.count += 1;
            self.count - 1
        })
    }

    /// Number of distinct paths.
    pub fn len(&self) -> usize {
        self.count
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }
}

/// What the text turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// An object without container keys: an event. Its text was read only as far as needed.
    Event,
    /// An object holding a container key (`Records`, `detail-type`, ...).
    Container,
    /// Valid JSON that is not an object.
    NotObject,
}

/// The values found, by path id.
#[derive(Debug, Default)]
pub struct Found<'a> {
    vals: Vec<(usize, Val<'a>)>,
}

impl<'a> Found<'a> {
    /// Empties the set for the next event, keeping its allocation.
    pub fn recycle<'b>(mut self) -> Found<'b> {
        self.vals.clear();
        // An empty Vec collected into the same layout reuses the allocation.
        Found { vals: self.vals.into_iter().map(|_| unreachable!()).collect() }
    }

    /// Every value found at path `id` (several when the path crosses an array).
    pub fn get(&self, id: usize) -> impl Iterator<Item = &Val<'a>> {
        self.vals.iter().filter(move |(i, _)| *i == id).map(|(_, v)| v)
    }

    /// The first string at path `id`.
    pub fn str(&self, id: usize) -> Option<&str> {
        self.get(id).find_map(|v| match v {
            Val::Str(s) => Some(s.as_ref()),
            _ => None,
        })
    }

    /// Every string at path `id`.
    pub fn strs(&self, id: usize) -> impl Iterator<Item = &str> {
        self.get(id).filter_map(|v| match v {
            Val::Str(s) => Some(s.as_ref()),
            _ => None,
        })
    }
}

struct Top {
    seen: u64,
    all: u64,
    container: bool,
    done: bool,
}

const STOP: &str = "ct: enough";

/// Reads the wanted paths of `json`. An `Err` is invalid JSON (as far as it was read).
pub fn extract<'a>(paths: &Paths, json: &'a [u8], found: &mut Found<'a>) -> Result<Shape, serde_json::Error> {
    found.vals.clear();
    let n = paths.root.children.len().min(64);
    let mut top = Top { seen: 0, all: if n == 64 { u64::MAX } else { (1u64 << n) - 1 }, container: false, done: false };
    let mut de = serde_json::Deserializer::from_slice(json);
    let res = de.deserialize_any(Level { node: &paths.root, out: &mut found.vals, top: Some(&mut top) });
    match res {
        Ok(true) => de.end().map(|_| Shape::Event),
        Ok(false) => de.end().map(|_| Shape::NotObject),
        Err(_) if top.container => Ok(Shape::Container),
        Err(_) if top.done => Ok(Shape::Event),
        Err(e) => Err(e),
    }
}

/// One object level of the walk; `top` only at the outermost.
struct Level<'p, 'o, 'a> {
    node: &'p Node,
    out: &'o mut Vec<(usize, Val<'a>)>,
    top: Option<&'o mut Top>,
}

impl<'de> Visitor<'de> for Level<'_, '_, 'de> {
    /// Whether the value was an object.
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<bool, A::Error> {
        while let Some(key) = map.next_key::<Key<'de>>()? {
            if let Some(top) = self.top.as_deref_mut()
                && CONTAINER_KEYS.contains(&key.0.as_ref())
            {
                top.container = true;
                return Err(de::Error::custom(STOP));
            }
            match self.node.children.iter().position(|(k, _)| **k == *key.0) {
                Some(i) => {
                    let child = &self.node.children[i].1;
                    map.next_value_seed(Value { node: child, out: self.out })?;
                    if let Some(top) = self.top.as_deref_mut()
                        && i < 64
                    {
                        top.seen |= 1 << i;
                        if top.seen == top.all {
                            top.done = true;
                            return Err(de::Error::custom(STOP));
                        }
                    }
                }
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(true)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<bool, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(false)
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_unit<E: de::Error>(self) -> Result<bool, E> {
        Ok(false)
    }
}

/// The value at a wanted node: recorded if wanted, descended into if it has wanted children.
struct Value<'p, 'o, 'a> {
    node: &'p Node,
    out: &'o mut Vec<(usize, Val<'a>)>,
}

impl<'de> DeserializeSeed<'de> for Value<'_, '_, 'de> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Value<'_, '_, 'de> {
    fn put(&mut self, v: Val<'de>) {
        if let Some(id) = self.node.id {
            self.out.push((id, v));
        }
    }
}

impl<'de> Visitor<'de> for Value<'_, '_, 'de> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_borrowed_str<E: de::Error>(mut self, s: &'de str) -> Result<(), E> {
        self.put(Val::Str(Cow::Borrowed(s)));
        Ok(())
    }
    fn visit_str<E: de::Error>(mut self, s: &str) -> Result<(), E> {
        self.put(Val::Str(Cow::Owned(s.to_owned())));
        Ok(())
    }
    fn visit_bool<E: de::Error>(mut self, b: bool) -> Result<(), E> {
        self.put(Val::Bool(b));
        Ok(())
    }
    fn visit_i64<E: de::Error>(mut self, n: i64) -> Result<(), E> {
        self.put(Val::Num(n as f64));
        Ok(())
    }
    fn visit_u64<E: de::Error>(mut self, n: u64) -> Result<(), E> {
        self.put(Val::Num(n as f64));
        Ok(())
    }
    fn visit_f64<E: de::Error>(mut self, n: f64) -> Result<(), E> {
        self.put(Val::Num(n));
        Ok(())
    }
    fn visit_unit<E: de::Error>(mut self) -> Result<(), E> {
        self.put(Val::Null);
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(mut self, map: A) -> Result<(), A::Error> {
        self.put(Val::Object);
        Level { node: self.node, out: self.out, top: None }.visit_map(map).map(|_| ())
    }
    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<(), A::Error> {
        self.put(Val::Array);
        // Each element is tested as if it stood at the path itself ("any element").
        let node = self.node;
        while seq.next_element_seed(Value { node, out: self.out })?.is_some() {}
        Ok(())
    }
}

/// A JSON object's key, borrowed from the input unless it holds escapes (ct-show reads
/// objects with it too).
pub struct Key<'de>(pub Cow<'de, str>);

impl<'de> de::Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_borrowed_str<E: de::Error>(self, s: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(s)))
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(s.to_owned())))
            }
        }
        d.deserialize_str(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EV: &str = r#"{"eventVersion":"1.05","userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::1:assumed-role/r/s","sessionContext":{"sessionIssuer":{"userName":"r"},"attributes":{"mfaAuthenticated":"false"}}},"eventTime":"2017-06-01T13:05:42Z","eventName":"RunInstances","readOnly":false,"requestParameters":{"maxCount":2,"instanceType":"t2.micro","capabilities":["A","B"]},"resources":[{"type":"AWS::EC2::Instance","ARN":"x"},{"type":"AWS::S3::Bucket"}],"errorCode":null,"tail":[1,2,3]}"#;

    #[test]
    fn finds_nested_values_arrays_and_types() {
        let mut p = Paths::new();
        let (name, role, kind, n, caps, rt, err, mfa, missing) = (
            p.add("eventName"),
            p.add("userIdentity.sessionContext.sessionIssuer.userName"),
            p.add("userIdentity.type"),
            p.add("requestParameters.maxCount"),
            p.add("requestParameters.capabilities"),
            p.add("resources.type"),
            p.add("errorCode"),
            p.add("userIdentity.sessionContext.attributes.mfaAuthenticated"),
            p.add("responseElements.x"),
        );
        assert_eq!(p.add("eventName"), name);
        let mut f = Found::default();
        assert_eq!(extract(&p, EV.as_bytes(), &mut f).unwrap(), Shape::Event);
        assert_eq!(f.str(name), Some("RunInstances"));
        assert_eq!(f.str(role), Some("r"));
        assert_eq!(f.str(kind), Some("AssumedRole"));
        assert_eq!(f.get(n).collect::<Vec<_>>(), vec![&Val::Num(2.0)]);
        assert_eq!(f.strs(caps).collect::<Vec<_>>(), vec!["A", "B"]);
        assert_eq!(f.strs(rt).collect::<Vec<_>>(), vec!["AWS::EC2::Instance", "AWS::S3::Bucket"]);
        assert_eq!(f.get(err).collect::<Vec<_>>(), vec![&Val::Null]);
        assert_eq!(f.str(mfa), Some("false"));
        assert_eq!(f.get(missing).count(), 0);
    }

    #[test]
    fn stops_once_every_top_level_key_is_seen() {
        let mut p = Paths::new();
        let name = p.add("eventName");
        let mut f = Found::default();
        // Invalid JSON after eventName is never read.
        let text = br#"{"eventName":"A","x":tru"#;
        assert_eq!(extract(&p, text, &mut f).unwrap(), Shape::Event);
        assert_eq!(f.str(name), Some("A"));
        assert!(extract(&p, br#"{"x":tru,"eventName":"A"}"#, &mut f).is_err());
    }

    #[test]
    fn tells_containers_and_non_objects_apart() {
        let p = Paths::new();
        let mut f = Found::default();
        assert_eq!(extract(&p, br#"{"Records":[]}"#, &mut f).unwrap(), Shape::Container);
        assert_eq!(extract(&p, br#"{"version":"0","detail-type":"x","detail":{}}"#, &mut f).unwrap(), Shape::Container);
        assert_eq!(extract(&p, b"[1,2]", &mut f).unwrap(), Shape::NotObject);
        assert_eq!(extract(&p, b"\"s\"", &mut f).unwrap(), Shape::NotObject);
        assert_eq!(extract(&p, br#"{"eventName":"A"}"#, &mut f).unwrap(), Shape::Event);
        assert!(extract(&p, br#"{"eventName":"A"} x"#, &mut f).is_err());
    }

    #[test]
    fn escaped_keys_and_values_are_decoded() {
        let mut p = Paths::new();
        let name = p.add("eventName");
        let mut f = Found::default();
        extract(&p, br#"{"event\u004eame":"Console\u004cogin"}"#, &mut f).unwrap();
        assert_eq!(f.str(name), Some("ConsoleLogin"));
    }
}
