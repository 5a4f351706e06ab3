//! One event read for its tags, and the tags and tag keys of every JSON shape the services
//! log them in.

use std::cell::OnceCell;

use ct_iam::json::Json;
use ct_iam::{Event, Use};

/// One event, read for its tags.
pub(super) struct Call<'e> {
    pub(super) ev: &'e Event<'e>,
    pub(super) params: Json<'e>,
    /// Read when first needed: most tagging calls answer nothing of use.
    pub(super) response: OnceCell<Json<'e>>,
    /// The ARNs the mapping gave the call's first action, without patterns.
    pub(super) mapped: Vec<String>,
}

impl<'e> Call<'e> {
    pub(super) fn new(ev: &'e Event<'e>, uses: &[Use<'_>]) -> Self {
        let mapped = uses
            .iter()
            .find(|u| !u.inferred)
            .map(|u| u.resources.iter().filter(|r| !r.contains('*')).map(|r| r.to_string()).collect())
            .unwrap_or_default();
        Call { ev, params: Json::parse(ev.request_parameters), response: OnceCell::new(), mapped }
    }

    pub(super) fn response(&self) -> &Json<'e> {
        self.response.get_or_init(|| Json::parse(self.ev.response_elements))
    }

    pub(super) fn partition(&self) -> &str {
        self.ev.partition()
    }

    pub(super) fn region(&self) -> &str {
        self.ev.aws_region.as_deref().unwrap_or("*")
    }

    pub(super) fn account(&self) -> &str {
        self.ev.account().unwrap_or("*")
    }

    /// A request string under one of `names`.
    pub(super) fn param(&self, names: &[&str]) -> Option<String> {
        member(&self.params, names).and_then(scalar)
    }

    /// An ARN of `service` from a request value that is an ARN or a bare name or id, built
    /// with `make` from the bare one.
    pub(super) fn arn_or(&self, names: &[&str], make: impl Fn(&str) -> String) -> Option<String> {
        let v = self.param(names)?;
        Some(if v.starts_with("arn:") { v } else { make(&v) })
    }
}

/// A member of an object under one of `names`: exact first, then without case.
pub(super) fn member<'j, 'a>(v: &'j Json<'a>, names: &[&str]) -> Option<&'j Json<'a>> {
    let Json::Object(m) = v else { return None };
    names
        .iter()
        .find_map(|n| v.get(n))
        .or_else(|| m.iter().find(|(k, _)| names.iter().any(|n| k.eq_ignore_ascii_case(n))).map(|(_, x)| x))
}

/// A member that holds a list or an object (the XML-shaped records put counters such as
/// `"tag": 1` beside the `Tag` list).
pub(super) fn member_nested<'j, 'a>(v: &'j Json<'a>, names: &[&str]) -> Option<&'j Json<'a>> {
    let Json::Object(m) = v else { return None };
    m.iter()
        .filter(|(_, x)| matches!(x, Json::Array(_) | Json::Object(_)))
        .find(|(k, _)| names.iter().any(|n| k.as_ref() == *n))
        .or_else(|| {
            m.iter()
                .filter(|(_, x)| matches!(x, Json::Array(_) | Json::Object(_)))
                .find(|(k, _)| names.iter().any(|n| k.eq_ignore_ascii_case(n)))
        })
        .map(|(_, x)| x)
}

/// A scalar as text: records converted from XML write values as booleans or numbers
/// (S3's `"Value": true`), which IAM reads as the strings they were.
pub(super) fn scalar(v: &Json<'_>) -> Option<String> {
    match v {
        Json::String(s) => Some(s.to_string()),
        Json::Bool(b) => Some(b.to_string()),
        Json::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

pub(super) const KEY_NAMES: &[&str] = &["key", "Key", "tagKey", "TagKey"];
const VALUE_NAMES: &[&str] = &["value", "Value", "tagValue", "TagValue"];
/// Lists wrapped in an object: `items` (EC2's query shape, CloudFront), `item` (EC2 records
/// converted from XML), `Tag` and `TagSet` (S3), `member` (query APIs).
const WRAPPERS: &[&str] = &["items", "item", "Tag", "TagSet", "tagSet", "member"];

/// One tag of a list: an object with a key and, perhaps, a value.
pub(super) fn tag_of(v: &Json<'_>) -> Option<(String, Option<String>)> {
    if !matches!(v, Json::Object(_)) {
        return None;
    }
    let k = member(v, KEY_NAMES).and_then(scalar)?;
    Some((k, member(v, VALUE_NAMES).and_then(scalar)))
}

/// Whether an object is one tag (where XML held one, its list is that tag alone) rather than a
/// map of tags: a key, perhaps a value, and the counters of XML-converted records.
fn one_tag(v: &Json<'_>) -> bool {
    let Json::Object(m) = v else { return false };
    member(v, KEY_NAMES).is_some()
        && m.iter().all(|(k, _)| k == "tag" || KEY_NAMES.contains(&k.as_ref()) || VALUE_NAMES.contains(&k.as_ref()))
}

/// The tags of every shape the services log: a map of key to value (Lambda, SQS, Logs); a
/// list of key and value objects (IAM, ECS, DynamoDB, KMS's tagKey and tagValue); such a list
/// wrapped in an object (`tagSet.items`, S3's `TagSet.Tag`, a single tag where XML had one).
/// `None` when the shape is none of these. A key without a value has the empty value (EC2 API
/// Reference, CreateTags: "we set the value to an empty string").
pub(super) fn read_tags(v: &Json<'_>) -> Option<Vec<(String, String)>> {
    Some(read_tag_list(v)?.into_iter().map(|(k, v)| (k, v.unwrap_or_default())).collect())
}

pub(super) fn read_tag_list(v: &Json<'_>) -> Option<Vec<(String, Option<String>)>> {
    match v {
        Json::Array(a) => a.iter().map(tag_of).collect(),
        Json::Object(m) => {
            if let Some(inner) = member_nested(v, WRAPPERS) {
                return match inner {
                    Json::Object(_) if one_tag(inner) => Some(vec![tag_of(inner)?]),
                    _ => read_tag_list(inner),
                };
            }
            if one_tag(v) {
                return Some(vec![tag_of(v)?]);
            }
            m.iter().map(|(k, x)| Some((k.to_string(), Some(scalar(x)?)))).collect()
        }
        _ => None,
    }
}

/// Tag keys: a list of strings, or of tag objects, perhaps wrapped (CloudFront's
/// `tagKeys.items`).
pub(super) fn read_keys(v: &Json<'_>) -> Option<Vec<String>> {
    match v {
        Json::String(s) => Some(vec![s.to_string()]),
        Json::Array(a) => a.iter().map(|x| scalar(x).or_else(|| tag_of(x).map(|(k, _)| k))).collect(),
        Json::Object(_) => match member_nested(v, WRAPPERS) {
            Some(inner) => read_keys(inner),
            None => tag_of(v).map(|(k, _)| vec![k]),
        },
        _ => None,
    }
}

pub(super) const TAGS: &[&str] = &["tags", "Tags", "tagList", "TagList"];
pub(super) const TAG_KEYS: &[&str] = &["tagKeys", "TagKeys", "tagKeyList", "keys"];
