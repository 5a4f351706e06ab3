//! One condition of a statement against a request: the operator's comparison of each request
//! value with the policy's values (variables substituted), the set qualifiers, IfExists, and
//! what the logs cannot settle.

use std::net::IpAddr;

use ct_common::time;

use super::variables::{Pattern, Subst, substitute};
use crate::operator::{Base, SetQ};
use crate::policy::Condition;
use crate::request::{Mode, Request, Tri};

/// How several request values of one key (from several events of an aggregate) are read
/// for an operator without a set qualifier: an Allow must hold for every request, a Deny
/// applies if it holds for any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Quant {
    All,
    Any,
}

pub(super) fn condition(c: &Condition, req: &Request<'_>, vars: bool, quant: Quant, unknown: &mut Vec<String>) -> Tri {
    let Some(op) = c.operator.parsed() else { return Tri::Unknown };
    let knowable = req.mode == Mode::Simulate || req.context.knows(&c.key) || never_in_context(req.action, &c.key);
    if !knowable {
        // A key this context cannot vouch for (pooled from many events, or never shown by
        // the logs): neither its values nor its absence settle anything.
        unknown.push(c.key.clone());
        return Tri::Unknown;
    }
    let time_key = c.key.eq_ignore_ascii_case("aws:CurrentTime") || c.key.eq_ignore_ascii_case("aws:EpochTime");
    let ordering = matches!(
        op.base,
        Base::DateLessThan | Base::DateLessThanEquals | Base::DateGreaterThan | Base::DateGreaterThanEquals
    );
    if req.mode == Mode::Check && req.context.pooled() && time_key && !ordering {
        // An aggregate keeps only its first and last times: enough to place every event
        // before or after a date, not to say whether one fell on it.
        unknown.push(c.key.clone());
        return Tri::Unknown;
    }
    if req.mode == Mode::Check
        && req.context.pooled()
        && op.set.is_some()
        && req.context.get(&c.key).is_some_and(|v| v.len() > 1)
    {
        // Set qualifiers compare one request's values; pooled values mix requests. One value
        // pooled from requests that all had the key is each request's whole set.
        unknown.push(c.key.clone());
        return Tri::Unknown;
    }
    let present = req.context.get(&c.key);
    if op.base == Base::Null {
        let want_absent = c.values.iter().any(|v| v.eq_ignore_ascii_case("true"));
        let want_present = c.values.iter().any(|v| v.eq_ignore_ascii_case("false"));
        // Several values are ORed: ["true","false"] always holds.
        return Tri::from(if present.is_some() { want_present } else { want_absent });
    }
    // Whether this statement is a Deny: the side that cases the guide leaves open fall on.
    let deny = quant == Quant::Any;
    let Some(values) = present else {
        // Absent key: IfExists and ForAllValues hold, ForAnyValue does not, a negated
        // operator holds, any other does not (IAM User Guide, condition operators).
        if op.if_exists && op.set == Some(SetQ::ForAnyValue) {
            // IfExists says an absent key holds, ForAnyValue that it does not ("If the key
            // ... is not present, the condition returns false"); the guide does not say which
            // wins. ct reads it so that a Deny applies and an Allow does not.
            return Tri::from(deny);
        }
        return Tri::from(op.if_exists || op.set == Some(SetQ::ForAllValues) || (op.set.is_none() && op.negated));
    };
    // Policy values, with variables where the operator takes them.
    let mut pol = Vec::new();
    for v in &c.values {
        if vars && op.takes_variables() {
            match substitute(v, req.context, req.mode) {
                Subst::Text(t) => pol.push(t),
                Subst::Missing { key, observable: false } => {
                    unknown.push(key);
                    return Tri::Unknown;
                }
                // A variable without a value: "the policy element evaluates to false" (IAM
                // User Guide, policy variables) for an Allow; a Deny is kept (see
                // `resource_matches`).
                Subst::Missing { .. } => return Tri::from(deny),
            }
        } else {
            pol.push(Pattern { text: v.clone(), pieces: None });
        }
    }
    let positive = |r: &str| pol.iter().any(|p| compare(op.base, r, p));
    // The test for one request value, negation included. A request value the operator cannot
    // read (NumericEquals on "abc") matches no policy value; what a negated operator makes of
    // it the guide does not say, so there the value counts for a Deny and against an Allow.
    let one = |r: &str| {
        if op.negated && !readable(op.base, r) {
            deny
        } else if op.negated {
            !positive(r)
        } else {
            positive(r)
        }
    };
    let every = match op.set {
        Some(SetQ::ForAllValues) => true,
        Some(SetQ::ForAnyValue) => false,
        None => quant == Quant::All,
    };
    let held = if every { values.iter().all(|r| one(r)) } else { values.iter().any(|r| one(r)) };
    let k = c.key.to_ascii_lowercase();
    if req.mode == Mode::Check && req.context.partial.contains(&k) && held == every {
        // Some of the request's values: one that holds settles "any", one that fails settles
        // "every"; otherwise the values not shown might decide.
        unknown.push(c.key.clone());
        return Tri::Unknown;
    }
    Tri::from(held)
}

/// Whether one request value satisfies the positive comparison with one policy value.
fn compare(base: Base, req: &str, pattern: &Pattern) -> bool {
    let pol = pattern.text.as_str();
    let num = |s: &str| s.trim().parse::<f64>().ok();
    let date = |s: &str| time::parse_event_time(s).or_else(|| s.parse::<i64>().ok().map(time::Time::from_secs));
    match base {
        Base::StringEquals => req == pol,
        Base::StringEqualsIgnoreCase => req.to_lowercase() == pol.to_lowercase(),
        Base::StringLike => pattern.glob_match(req),
        Base::NumericEquals => num(req).zip(num(pol)).is_some_and(|(a, b)| a == b),
        Base::NumericLessThan => num(req).zip(num(pol)).is_some_and(|(a, b)| a < b),
        Base::NumericLessThanEquals => num(req).zip(num(pol)).is_some_and(|(a, b)| a <= b),
        Base::NumericGreaterThan => num(req).zip(num(pol)).is_some_and(|(a, b)| a > b),
        Base::NumericGreaterThanEquals => num(req).zip(num(pol)).is_some_and(|(a, b)| a >= b),
        Base::DateEquals => date(req).zip(date(pol)).is_some_and(|(a, b)| a == b),
        Base::DateLessThan => date(req).zip(date(pol)).is_some_and(|(a, b)| a < b),
        Base::DateLessThanEquals => date(req).zip(date(pol)).is_some_and(|(a, b)| a <= b),
        Base::DateGreaterThan => date(req).zip(date(pol)).is_some_and(|(a, b)| a > b),
        Base::DateGreaterThanEquals => date(req).zip(date(pol)).is_some_and(|(a, b)| a >= b),
        Base::Bool => req.eq_ignore_ascii_case(pol),
        Base::BinaryEquals => req == pol,
        Base::IpAddress => ip_in(req, pol),
        Base::ArnLike => pattern.arn_match_parts(req),
        Base::Null => false,
    }
}

/// Whether a request value is of the type the operator compares.
fn readable(base: Base, v: &str) -> bool {
    match base {
        Base::NumericEquals
        | Base::NumericLessThan
        | Base::NumericLessThanEquals
        | Base::NumericGreaterThan
        | Base::NumericGreaterThanEquals => v.trim().parse::<f64>().is_ok_and(f64::is_finite),
        Base::DateEquals
        | Base::DateLessThan
        | Base::DateLessThanEquals
        | Base::DateGreaterThan
        | Base::DateGreaterThanEquals => time::parse_event_time(v).is_some() || v.parse::<i64>().is_ok(),
        Base::IpAddress => v.parse::<IpAddr>().is_ok(),
        Base::Bool => v.eq_ignore_ascii_case("true") || v.eq_ignore_ascii_case("false"),
        Base::ArnLike => v.splitn(6, ':').count() == 6,
        _ => true,
    }
}

fn ip_in(ip: &str, cidr: &str) -> bool {
    let Ok(ip) = ip.parse::<IpAddr>() else { return false };
    let (net, bits) = match cidr.split_once('/') {
        Some((n, b)) => match (n.parse::<IpAddr>(), b.parse::<u8>()) {
            (Ok(n), Ok(b)) => (n, b),
            _ => return false,
        },
        None => match cidr.parse::<IpAddr>() {
            Ok(n) => (n, if n.is_ipv4() { 32 } else { 128 }),
            Err(_) => return false,
        },
    };
    match (ip, net) {
        (IpAddr::V4(a), IpAddr::V4(n)) if bits <= 32 => {
            let m = if bits == 0 { 0 } else { u32::MAX << (32 - u32::from(bits)) };
            u32::from(a) & m == u32::from(n) & m
        }
        (IpAddr::V6(a), IpAddr::V6(n)) if bits <= 128 => {
            let m = if bits == 0 { 0 } else { u128::MAX << (128 - u32::from(bits)) };
            u128::from(a) & m == u128::from(n) & m
        }
        _ => false,
    }
}

/// Whether a service's condition key can never be in the request context of `action`: the
/// Service Authorization Reference lists, for each action, the keys of its own and of its
/// resource types; a key it lists for neither (cloudformation:RoleArn on DescribeStacks, s3:
/// keys on a KMS call) is absent from every such request. Global (aws:) keys may be in any.
fn never_in_context(action: &str, key: &str) -> bool {
    if key.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("aws:")) {
        return false;
    }
    let catalog = crate::Catalog::get();
    catalog.action_named(action).is_some_and(|a| !catalog.key_applies(a, key))
}
