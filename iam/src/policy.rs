//! IAM policy documents: parsing with the grammar's rules, and the AWS CLI's wrappers.
//!
//! Sources: IAM User Guide, "IAM JSON policy element reference" and "Grammar of the IAM JSON
//! policy language". A document that breaks the grammar is an error, never read leniently:
//! a gate must not guess what a policy meant.

use std::fmt;

use serde_json::Value;

pub use crate::operator::ConditionOperator;

/// Allow or Deny.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    Allow,
    Deny,
}

/// A list of patterns, positive (`Action`) or negated (`NotAction`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Patterns {
    Is(Vec<String>),
    Not(Vec<String>),
}

/// One condition: operator (with its qualifiers), key, values.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    /// As written, such as `ForAnyValue:StringLikeIfExists`, and read once, here.
    pub operator: ConditionOperator,
    pub key: String,
    pub values: Vec<String>,
}

/// One statement.
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    /// The Sid, or `#N` (1-based position) when it has none.
    pub id: String,
    pub effect: Effect,
    pub action: Patterns,
    pub resource: Patterns,
    pub conditions: Vec<Condition>,
    /// Principal or NotPrincipal, in resource-based policies and RCPs only.
    pub principal: Option<Principals>,
}

/// A statement's Principal (or NotPrincipal, `not`): `*`, or entries by type (`AWS`,
/// `Service`, `Federated`, `CanonicalUser`) and value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principals {
    pub not: bool,
    pub entries: Vec<(String, String)>,
}

/// Which kind of policy a document is: the grammar differs (IAM User Guide, "Policies and
/// permissions in IAM": identity-based policies and SCPs name no Principal; resource-based
/// policies and RCPs must).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Attached to a user, group or role; also permissions boundaries and session policies.
    Identity,
    /// Attached to a resource (a bucket, queue, key, function policy).
    Resource,
    /// An AWS Organizations service control policy.
    Scp,
    /// An AWS Organizations resource control policy.
    Rcp,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Identity => "an identity policy",
            Kind::Resource => "a resource-based policy",
            Kind::Scp => "a service control policy",
            Kind::Rcp => "a resource control policy",
        }
    }
}

fn principals(v: &Value, not: bool, at: &str) -> Result<Principals, PolicyError> {
    let mut entries = Vec::new();
    match v {
        Value::String(s) if s == "*" => entries.push(("AWS".to_string(), "*".to_string())),
        Value::Object(m) if !m.is_empty() => {
            for (kind, vals) in m {
                if !matches!(kind.as_str(), "AWS" | "Service" | "Federated" | "CanonicalUser") {
                    return err(format!("{at}: unknown principal type {kind:?}"));
                }
                for v in strings(vals, &format!("{at}: Principal {kind}"))? {
                    entries.push((kind.clone(), v));
                }
            }
        }
        _ => return err(format!("{at}: Principal must be \"*\" or an object of principal types")),
    }
    Ok(Principals { not, entries })
}

/// A policy document.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    /// Where it came from, for messages (file name and position inside it).
    pub name: String,
    /// "2012-10-17", "2008-10-17", or None when absent (policy variables are literal then).
    pub version: Option<String>,
    pub statements: Vec<Statement>,
}

impl Policy {
    /// Whether policy variables such as `${aws:username}` are substituted (Version 2012-10-17).
    pub fn variables(&self) -> bool {
        self.version.as_deref() == Some("2012-10-17")
    }
}

/// A grammar error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyError(pub String);

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn err<T>(msg: impl Into<String>) -> Result<T, PolicyError> {
    Err(PolicyError(msg.into()))
}

/// Strings of a value that is a string or an array of strings.
fn strings(v: &Value, what: &str) -> Result<Vec<String>, PolicyError> {
    match v {
        Value::String(s) => Ok(vec![s.clone()]),
        Value::Array(a) if !a.is_empty() => a
            .iter()
            .map(|x| {
                x.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| PolicyError(format!("{what}: every value must be a string")))
            })
            .collect(),
        Value::Array(_) => err(format!("{what}: empty list")),
        _ => err(format!("{what}: expected a string or a list of strings")),
    }
}

/// Condition values may be strings, booleans or numbers (written as JSON); IAM compares text.
fn condition_values(v: &Value, what: &str) -> Result<Vec<String>, PolicyError> {
    let one = |x: &Value| match x {
        Value::String(s) => Ok(s.clone()),
        Value::Bool(b) => Ok(b.to_string()),
        Value::Number(n) => Ok(n.to_string()),
        _ => err(format!("{what}: condition values must be strings, numbers or booleans")),
    };
    match v {
        Value::Array(a) => a.iter().map(one).collect(),
        x => Ok(vec![one(x)?]),
    }
}

fn patterns(st: &serde_json::Map<String, Value>, is: &str, not: &str, at: &str) -> Result<Patterns, PolicyError> {
    match (st.get(is), st.get(not)) {
        (Some(_), Some(_)) => err(format!("{at}: both {is} and {not}")),
        (Some(v), None) => Ok(Patterns::Is(strings(v, &format!("{at}: {is}"))?)),
        (None, Some(v)) => Ok(Patterns::Not(strings(v, &format!("{at}: {not}"))?)),
        (None, None) => err(format!("{at}: neither {is} nor {not}")),
    }
}

/// Whether an Action or NotAction value is one IAM accepts: `*`, or `prefix:name` where the
/// service prefix holds no wildcard (IAM User Guide, "IAM JSON policy elements: Action": the
/// name may hold `*` and `?`; IAM refuses a document whose prefix is `s*` or missing, and a
/// gate must not guess what such a document was meant to deny).
pub fn action_syntax(p: &str) -> Result<(), String> {
    if p == "*" {
        return Ok(());
    }
    match p.split_once(':') {
        None => Err(format!("{p:?}: an action is service:Action (or * alone)")),
        Some((prefix, _)) if prefix.is_empty() || prefix.contains(['*', '?']) => {
            Err(format!("{p:?}: the service prefix cannot hold a wildcard; IAM refuses this policy"))
        }
        Some((_, name)) if name.is_empty() || name.contains(':') => {
            Err(format!("{p:?}: an action is service:Action, with one colon"))
        }
        Some(_) => Ok(()),
    }
}

/// The checks of `action_syntax` over a whole policy, for the evaluator (lint reports them
/// one by one instead).
pub fn check_actions(p: &Policy) -> Result<(), PolicyError> {
    for st in &p.statements {
        let (Patterns::Is(list) | Patterns::Not(list)) = &st.action;
        for a in list {
            action_syntax(a).map_err(|e| PolicyError(format!("{}: statement {}: {e}", p.name, st.id)))?;
        }
    }
    Ok(())
}

/// Parses one identity policy document (the object with `Statement`).
pub fn parse_document(doc: &Value, name: &str) -> Result<Policy, PolicyError> {
    parse_document_as(doc, name, Kind::Identity)
}

/// Parses one policy document of the given kind.
pub fn parse_document_as(doc: &Value, name: &str, kind: Kind) -> Result<Policy, PolicyError> {
    let obj = doc.as_object().ok_or_else(|| PolicyError(format!("{name}: a policy document must be a JSON object")))?;
    for k in obj.keys() {
        if !matches!(k.as_str(), "Version" | "Id" | "Statement") {
            return err(format!("{name}: unknown top-level element {k:?}"));
        }
    }
    let version = match obj.get("Version") {
        None => None,
        Some(Value::String(v)) if v == "2012-10-17" || v == "2008-10-17" => Some(v.clone()),
        Some(v) => return err(format!("{name}: Version must be \"2012-10-17\" or \"2008-10-17\", not {v}")),
    };
    let raw = match obj.get("Statement") {
        Some(Value::Array(a)) => a.iter().collect::<Vec<_>>(),
        Some(s @ Value::Object(_)) => vec![s],
        Some(_) => return err(format!("{name}: Statement must be an object or a list of objects")),
        None => return err(format!("{name}: no Statement")),
    };
    let mut statements = Vec::new();
    for (i, st) in raw.into_iter().enumerate() {
        let st = st.as_object().ok_or_else(|| PolicyError(format!("{name}: statement {}: not an object", i + 1)))?;
        let id = match st.get("Sid") {
            Some(Value::String(s)) => s.clone(),
            None => format!("#{}", i + 1),
            Some(_) => return err(format!("{name}: statement {}: Sid must be a string", i + 1)),
        };
        let at = format!("{name}: statement {id}");
        for k in st.keys() {
            match k.as_str() {
                "Sid" | "Effect" | "Action" | "NotAction" | "Resource" | "NotResource" | "Condition" => {}
                "Principal" | "NotPrincipal" if matches!(kind, Kind::Resource | Kind::Rcp) => {}
                "Principal" | "NotPrincipal" => {
                    return err(format!("{at}: {k} belongs in resource policies, not in {}", kind.as_str()));
                }
                _ => return err(format!("{at}: unknown element {k:?}")),
            }
        }
        let effect = match st.get("Effect").and_then(Value::as_str) {
            Some("Allow") => Effect::Allow,
            Some("Deny") => Effect::Deny,
            _ => return err(format!("{at}: Effect must be \"Allow\" or \"Deny\"")),
        };
        let action = patterns(st, "Action", "NotAction", &at)?;
        let resource = patterns(st, "Resource", "NotResource", &at)?;
        let mut conditions = Vec::new();
        if let Some(c) = st.get("Condition") {
            let ops = c.as_object().ok_or_else(|| PolicyError(format!("{at}: Condition must be an object")))?;
            for (op, keys) in ops {
                let operator = ConditionOperator::parse(op).map_err(|e| PolicyError(format!("{at}: {e}")))?;
                let keys = keys
                    .as_object()
                    .ok_or_else(|| PolicyError(format!("{at}: Condition {op}: expected an object of keys")))?;
                for (key, vals) in keys {
                    let values = condition_values(vals, &format!("{at}: Condition {op} {key}"))?;
                    for v in &values {
                        operator.check_value(v).map_err(|e| PolicyError(format!("{at}: Condition {op} {key}: {e}")))?;
                    }
                    conditions.push(Condition { operator: operator.clone(), key: key.clone(), values });
                }
            }
        }
        let principal = match (st.get("Principal"), st.get("NotPrincipal")) {
            (Some(_), Some(_)) => return err(format!("{at}: both Principal and NotPrincipal")),
            (Some(v), None) => Some(principals(v, false, &at)?),
            (None, Some(v)) => Some(principals(v, true, &at)?),
            (None, None) if matches!(kind, Kind::Resource | Kind::Rcp) => {
                return err(format!("{at}: {} needs a Principal", kind.as_str()));
            }
            (None, None) => None,
        };
        statements.push(Statement { id, effect, action, resource, conditions, principal });
    }
    Ok(Policy { name: name.to_string(), version, statements })
}

/// Which principal of `aws iam get-account-authorization-details` output to read: a role, a
/// user, or either (by name or ARN).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who<'a> {
    Role(&'a str),
    User(&'a str),
    Either(&'a str),
}

/// What a principal is granted: its identity policies (inline, managed, and its groups'), and
/// its permissions boundary.
#[derive(Debug, Clone, Default)]
pub struct Granted {
    pub identity: Vec<Policy>,
    pub boundary: Option<Policy>,
    /// The principal's ARN, when the file names it.
    pub arn: Option<String>,
}

/// A document given as a JSON string (the API returns them URL-encoded; the CLI decodes them,
/// but not every tool does) or as an object.
fn doc_of(d: &Value, at: &str, kind: Kind) -> Result<Policy, PolicyError> {
    match d {
        Value::String(s) => {
            let decoded = percent_decode(s);
            no_duplicate_keys(&decoded).map_err(|e| PolicyError(format!("{at}: {e}")))?;
            let inner: Value =
                serde_json::from_str(&decoded).map_err(|e| PolicyError(format!("{at}: invalid JSON: {e}")))?;
            parse_document_as(&inner, at, kind)
        }
        other => parse_document_as(other, at, kind),
    }
}

fn read_json(text: &str, name: &str) -> Result<Value, PolicyError> {
    no_duplicate_keys(text).map_err(|e| PolicyError(format!("{name}: {e}")))?;
    serde_json::from_str(text).map_err(|e| PolicyError(format!("{name}: invalid JSON: {e}")))
}

/// Parses a file's JSON: one policy document of `kind`, or the AWS CLI's output around one:
/// `aws iam get-policy-version`, `get-role-policy`, `get-user-policy` (identity policies),
/// `aws s3api get-bucket-policy`, `aws kms get-key-policy`, `aws lambda get-policy`,
/// `aws sqs get-queue-attributes --attribute-names Policy` (resource-based policies) and
/// `aws organizations describe-policy` (SCPs and RCPs).
pub fn parse_file_as(text: &str, name: &str, kind: Kind) -> Result<Policy, PolicyError> {
    let v = read_json(text, name)?;
    if v.get("Statement").is_some() {
        return parse_document_as(&v, name, kind);
    }
    for ptr in ["/PolicyVersion/Document", "/PolicyDocument", "/Policy/Content", "/Policy", "/Attributes/Policy"] {
        if let Some(d) = v.pointer(ptr).filter(|d| d.is_string() || d.get("Statement").is_some()) {
            return doc_of(d, name, kind);
        }
    }
    err(format!("{name}: not a policy document nor AWS CLI output holding one"))
}

/// Parses a file of identity policies: a document, the AWS CLI's output around one, or
/// `get-account-authorization-details` output (with `who` naming the role or user). A
/// principal with a permissions boundary is an error here: use `parse_granted`, which keeps it.
pub fn parse_file(text: &str, name: &str, principal: Option<&str>) -> Result<Vec<Policy>, PolicyError> {
    let g = parse_granted(text, name, principal.map(Who::Either))?;
    if g.boundary.is_some() {
        // A boundary limits what the policies allow; leaving it out would allow too much.
        return err(format!("{name}: the principal has a permissions boundary, which this use does not evaluate"));
    }
    Ok(g.identity)
}

/// Parses a file of identity policies as `parse_file` does, keeping a principal's boundary.
pub fn parse_granted(text: &str, name: &str, who: Option<Who<'_>>) -> Result<Granted, PolicyError> {
    let v = read_json(text, name)?;
    if v.get("RoleDetailList").is_some() || v.get("UserDetailList").is_some() {
        return authorization_details(&v, name, who);
    }
    Ok(Granted { identity: vec![parse_file_as(text, name, Kind::Identity)?], ..Default::default() })
}

/// The policies of one role or user in `aws iam get-account-authorization-details` output:
/// its inline policies, the default version of each managed policy attached to it, its
/// groups' policies, and its permissions boundary.
fn authorization_details(v: &Value, name: &str, who: Option<Who<'_>>) -> Result<Granted, PolicyError> {
    let mut candidates = Vec::new();
    for (list, key, inline, is_role) in [
        ("RoleDetailList", "RoleName", "RolePolicyList", true),
        ("UserDetailList", "UserName", "UserPolicyList", false),
    ] {
        for d in v.get(list).and_then(Value::as_array).into_iter().flatten() {
            if let Some(n) = d.get(key).and_then(Value::as_str) {
                candidates.push((n.to_string(), d, inline, is_role));
            }
        }
    }
    let named = |n: &str, d: &Value, p: &str| n == p || d.get("Arn").and_then(Value::as_str) == Some(p);
    let matching: Vec<_> = match who {
        Some(Who::Either(p)) => candidates.iter().filter(|(n, d, _, _)| named(n, d, p)).collect(),
        Some(Who::Role(p)) => candidates.iter().filter(|(n, d, _, r)| *r && named(n, d, p)).collect(),
        Some(Who::User(p)) => candidates.iter().filter(|(n, d, _, r)| !*r && named(n, d, p)).collect(),
        None if candidates.len() == 1 => candidates.iter().collect(),
        None => Vec::new(),
    };
    if matching.len() > 1 {
        return err(format!("{name}: a role and a user are both named so; give --role NAME or --user NAME"));
    }
    let Some((who, detail, inline, _)) = matching.first().copied() else {
        let names: Vec<&str> = candidates.iter().map(|(n, _, _, _)| n.as_str()).collect();
        let asked = match who {
            Some(Who::Role(p) | Who::User(p) | Who::Either(p)) => format!("no role or user {p:?}; "),
            None => String::new(),
        };
        return err(format!(
            "{name}: {asked}account authorization details hold {} roles and users; name one with --role or --user (one of: {})",
            names.len(),
            names.join(", ")
        ));
    };
    let managed = v.get("Policies").and_then(Value::as_array);
    // The default version of a managed policy, by ARN.
    let managed_doc = |arn: &str, at: &str, what: &str| -> Result<Policy, PolicyError> {
        let pol = managed.into_iter().flatten().find(|p| p.get("Arn").and_then(Value::as_str) == Some(arn));
        let Some(pol) = pol else {
            return err(format!("{name}: {who}: {what} {arn} is attached but its document is not in the file"));
        };
        let version = pol
            .get("PolicyVersionList")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .find(|pv| pv.get("IsDefaultVersion").and_then(Value::as_bool) == Some(true));
        let Some(doc) = version.and_then(|pv| pv.get("Document")) else {
            return err(format!("{name}: {who}: managed policy {arn} has no default version document"));
        };
        doc_of(doc, at, Kind::Identity)
    };
    let mut out = Vec::new();
    // A user's groups: their inline and attached policies count too.
    let mut attached: Vec<&Value> =
        detail.get("AttachedManagedPolicies").and_then(Value::as_array).into_iter().flatten().collect();
    for g in detail.get("GroupList").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str) {
        let group = v
            .get("GroupDetailList")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .find(|d| d.get("GroupName").and_then(Value::as_str) == Some(g));
        let Some(group) = group else {
            return err(format!("{name}: {who} is in group {g}, whose policies are not in the file"));
        };
        for p in group.get("GroupPolicyList").and_then(Value::as_array).into_iter().flatten() {
            let pname = p.get("PolicyName").and_then(Value::as_str).unwrap_or("?");
            out.push(doc_of(
                p.get("PolicyDocument").unwrap_or(&Value::Null),
                &format!("{name}: group {g} inline {pname}"),
                Kind::Identity,
            )?);
        }
        attached.extend(group.get("AttachedManagedPolicies").and_then(Value::as_array).into_iter().flatten());
    }
    for p in detail.get(*inline).and_then(Value::as_array).into_iter().flatten() {
        let pname = p.get("PolicyName").and_then(Value::as_str).unwrap_or("?");
        out.push(doc_of(
            p.get("PolicyDocument").unwrap_or(&Value::Null),
            &format!("{name}: {who} inline {pname}"),
            Kind::Identity,
        )?);
    }
    for a in attached {
        let arn = a.get("PolicyArn").and_then(Value::as_str).unwrap_or("?");
        out.push(managed_doc(arn, &format!("{name}: {who} managed {arn}"), "managed policy")?);
    }
    let boundary = match detail.get("PermissionsBoundary").filter(|b| !b.is_null()) {
        Some(b) => {
            let Some(arn) = b.get("PermissionsBoundaryArn").and_then(Value::as_str) else {
                return err(format!("{name}: {who}: a permissions boundary without PermissionsBoundaryArn"));
            };
            Some(managed_doc(arn, &format!("{name}: {who} boundary {arn}"), "permissions boundary")?)
        }
        None => None,
    };
    let arn = detail.get("Arn").and_then(Value::as_str).map(str::to_string);
    Ok(Granted { identity: out, boundary, arn })
}

/// IAM rejects a document with a key twice in one object; a JSON reader would keep one of
/// them silently (`"Effect":"Deny",...,"Effect":"Allow"`), so such a document is an error.
pub fn no_duplicate_keys(text: &str) -> Result<(), String> {
    use serde::de::{Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
    struct Walk;
    impl<'de> Visitor<'de> for Walk {
        type Value = ();
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("JSON")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
            let mut seen = std::collections::HashSet::new();
            while let Some(k) = map.next_key::<String>()? {
                if !seen.insert(k.clone()) {
                    return Err(serde::de::Error::custom(format!("the key {k:?} appears twice in one object")));
                }
                map.next_value_seed(WalkSeed)?;
            }
            Ok(())
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
            while seq.next_element_seed(WalkSeed)?.is_some() {}
            Ok(())
        }
        fn visit_str<E>(self, _: &str) -> Result<(), E> {
            Ok(())
        }
        fn visit_bool<E>(self, _: bool) -> Result<(), E> {
            Ok(())
        }
        fn visit_i64<E>(self, _: i64) -> Result<(), E> {
            Ok(())
        }
        fn visit_u64<E>(self, _: u64) -> Result<(), E> {
            Ok(())
        }
        fn visit_f64<E>(self, _: f64) -> Result<(), E> {
            Ok(())
        }
        fn visit_unit<E>(self) -> Result<(), E> {
            Ok(())
        }
    }
    struct WalkSeed;
    impl<'de> serde::de::DeserializeSeed<'de> for WalkSeed {
        type Value = ();
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
            d.deserialize_any(Walk)
        }
    }
    let _ = IgnoredAny;
    let mut de = serde_json::Deserializer::from_str(text);
    de.deserialize_any(Walk).and_then(|_| de.end()).map_err(|e| e.to_string())
}

fn percent_decode(s: &str) -> String {
    if !s.contains('%') {
        return s.to_string();
    }
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && let Ok(x) = u8::from_str_radix(std::str::from_utf8(&b[i + 1..i + 3]).unwrap_or("zz"), 16)
        {
            out.push(x);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
