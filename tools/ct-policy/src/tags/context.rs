//! The condition keys a resource's tags go by, and the context entries a tag state gives a
//! request.

use std::collections::BTreeSet;

use ct_iam::eval::Context;

use super::state::{Know, TagState};

/// The condition keys a resource's tags go by: the global aws:ResourceTag/, and the service's
/// own spelling where its resource types list one (Service Authorization Reference:
/// ec2:ResourceTag/, iam:ResourceTag/, s3:BucketTag/, rds:db-tag/ ...).
pub fn tag_key_prefixes(arn: &str) -> Vec<&'static str> {
    let mut out = vec!["aws:ResourceTag/"];
    let p: Vec<&str> = arn.splitn(6, ':').collect();
    let (service, resource) = match p[..] {
        [_, _, s, _, _, r] => (s, r),
        _ => return out,
    };
    let own = match service {
        "ec2" => Some("ec2:ResourceTag/"),
        "iam" if resource.starts_with("role/") || resource.starts_with("user/") => Some("iam:ResourceTag/"),
        "ecs" => Some("ecs:ResourceTag/"),
        "elasticloadbalancing" => Some("elasticloadbalancing:ResourceTag/"),
        "secretsmanager" => Some("secretsmanager:ResourceTag/"),
        "ssm" => Some("ssm:resourceTag/"),
        "s3" if !resource.contains('/') => Some("s3:BucketTag/"),
        "rds" => match resource.split(':').next() {
            Some("db") => Some("rds:db-tag/"),
            Some("cluster") => Some("rds:cluster-tag/"),
            Some("snapshot") => Some("rds:snapshot-tag/"),
            Some("cluster-snapshot") => Some("rds:cluster-snapshot-tag/"),
            _ => None,
        },
        _ => None,
    };
    out.extend(own);
    out
}

/// Whether a condition key is one of a resource's tags.
pub fn is_resource_tag_key(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    k.starts_with("aws:resourcetag/")
        || [
            "ec2:resourcetag/",
            "iam:resourcetag/",
            "ecs:resourcetag/",
            "elasticloadbalancing:resourcetag/",
            "secretsmanager:resourcetag/",
            "ssm:resourcetag/",
            "s3:buckettag/",
            "rds:db-tag/",
            "rds:cluster-tag/",
            "rds:snapshot-tag/",
            "rds:cluster-snapshot-tag/",
        ]
        .iter()
        .any(|p| k.starts_with(p))
}

/// The context entries a resource's tags give a request on it.
///
/// Entries of `proven` and `unproven` are lower-cased condition keys, prefixes ending in `/`
/// (every key under it), or prefixes ending in `*`. A key is settled when it has values, or
/// when `proven` covers it and `unproven` does not ([`TagContext::knows`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TagContext {
    /// `aws:ResourceTag/KEY` (and the service's spelling) with the tag's value.
    pub values: Vec<(String, String)>,
    /// Keys whose absence is proven: single keys removed in the stream, and, for a complete
    /// state, every key under the prefixes.
    pub proven: Vec<String>,
    /// Keys never proven absent: those the stream cannot settle, and AWS's own (`aws:`) tags.
    pub unproven: Vec<String>,
}

fn listed(list: &[String], k: &str) -> bool {
    list.iter().any(|u| {
        k == u
            || (u.ends_with('/') && k.starts_with(u.as_str()))
            || u.strip_suffix('*').is_some_and(|p| k.starts_with(p))
    })
}

impl TagContext {
    /// Whether the entries settle `key`: it has a value, or its absence is proven. The rule
    /// the evaluator's `Context::knows` takes for these keys once it reads `proven`.
    pub fn knows(&self, key: &str) -> bool {
        let k = key.to_ascii_lowercase();
        self.values.iter().any(|(v, _)| v.eq_ignore_ascii_case(&k))
            || (listed(&self.proven, &k) && !listed(&self.unproven, &k))
    }

    /// Adds the entries to a request's context: the values, and the keys it must not take as
    /// proven. (The evaluator's Context has no field for keys proven absent beyond its own
    /// `observable()` ones yet: until it does, an absent tag stays Unknown, a present one
    /// settles.)
    pub fn apply(&self, ctx: &mut Context) {
        for (k, v) in &self.values {
            ctx.add(k, v);
        }
        for p in &self.proven {
            if !ctx.absent.contains(p) {
                ctx.absent.push(p.clone());
            }
        }
        for u in &self.unproven {
            if !ctx.unproven.contains(u) {
                ctx.unproven.push(u.clone());
            }
        }
    }
}

/// The context entries of a state for the resource `arn`; empty without a state.
pub fn tag_context(state: Option<&TagState>, arn: &str) -> TagContext {
    let mut out = TagContext::default();
    let Some(state) = state else { return out };
    for prefix in tag_key_prefixes(arn) {
        let lower = prefix.to_ascii_lowercase();
        for (k, v) in &state.keys {
            match v {
                Know::Value(v) => out.values.push((format!("{prefix}{k}"), v.clone())),
                Know::Absent => out.proven.push(format!("{lower}{}", k.to_ascii_lowercase())),
                Know::Unknown => out.unproven.push(format!("{lower}{}", k.to_ascii_lowercase())),
            }
        }
        if state.complete {
            out.proven.push(lower.clone());
            out.unproven.push(format!("{lower}aws:*"));
        }
    }
    // The evaluator reads condition keys without case: a value of one spelling of a tag key
    // and an unknown of another (EC2 keys are case sensitive) leave the key unsettled.
    let unsure: BTreeSet<String> = out.unproven.iter().filter(|u| !u.ends_with('*')).cloned().collect();
    out.values.retain(|(k, _)| !unsure.contains(&k.to_ascii_lowercase()));
    out
}
