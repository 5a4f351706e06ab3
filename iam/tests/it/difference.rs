//! A difference test: ct's evaluator (`eval::evaluate` in `Mode::Simulate`) against a small
//! reference evaluator written from the IAM User Guide alone ("Policy evaluation logic";
//! "IAM JSON policy elements: Action", "... Resource", "... Condition", "... Condition
//! operators"; "IAM policy elements: Variables and tags"; "Single-valued vs. multivalued
//! context keys") and the STS API reference, not from ct's code.
//!
//! Where the documentation is silent, the reference follows ct's documented readings, each
//! in one function named for it (`reading_1_...` to `reading_8_...`), so that each can be
//! audited against its page. Where the pages are silent, a reading takes the side that can
//! never let a Deny fail to fire.
//!
//! The property test generates identity policies (1-3 statements, Allow and Deny, Action and
//! NotAction with wildcards, Resource and NotResource ARNs with `*` and `?` in several
//! segments and policy variables, conditions with string, numeric, Bool, IP, ARN and Null
//! operators, IfExists, ForAllValues and ForAnyValue) and requests (action, resource ARN,
//! context keys present or absent, several values for one key), and compares the decisions.
//! `CT_DIFFTEST_CASES` sets the number of cases (2,000 by default). Every difference it
//! found is a named test below, minimised, with the sentence of the page it follows.
//!
//! `CT_DIFFTEST_CASES=20000 cargo test -p ct-iam --test it -- --ignored difference::survey
//! --nocapture` runs many cases without stopping at the first difference, counts the
//! differences by the readings that explain them, and prints a shrunk case of each kind.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fmt;
use std::net::IpAddr;

use ct_iam::eval::{Context, Decision, Mode, Request, evaluate};
use ct_iam::policy::parse_document;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestError, TestRunner};
use serde_json::{Map, Value};

// ------------------------------------------------------------------------------------------
// The reference evaluator.
// ------------------------------------------------------------------------------------------

/// What a request comes to; `Invalid` for a policy IAM refuses, `Unknown` only from ct.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Answer {
    Allow,
    ExplicitDeny,
    ImplicitDeny,
    Invalid,
    Unknown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Effect {
    Allow,
    Deny,
}

/// A request: `service:Action`, the resource ARN, and the request context.
#[derive(Clone, PartialEq, Eq)]
struct Req {
    action: String,
    resource: String,
    context: Vec<(String, String)>,
}

impl Req {
    /// The values of a context key. "IAM JSON policy elements: Condition": "Context key
    /// names are not case-sensitive."
    fn values(&self, key: &str) -> Vec<&str> {
        self.context.iter().filter(|(k, _)| k.eq_ignore_ascii_case(key)).map(|(_, v)| v.as_str()).collect()
    }
}

/// Which of ct's readings the reference follows: all of them in the test; some switched off
/// (to the plain reading the pages leave open) to tell which readings explain a difference.
#[derive(Debug, Clone, Copy)]
struct Readings {
    arn_case: bool,
    arn_segments: bool,
    variables_in_resource_part: bool,
    absent_variable_fails_closed: bool,
    get_caller_identity: bool,
    service_wildcard_invalid: bool,
    negated_unreadable_value: bool,
    for_any_value_if_exists: bool,
}

const ALL: Readings = Readings {
    arn_case: true,
    arn_segments: true,
    variables_in_resource_part: true,
    absent_variable_fails_closed: true,
    get_caller_identity: true,
    service_wildcard_invalid: true,
    negated_unreadable_value: true,
    for_any_value_if_exists: true,
};

impl Readings {
    /// The readings switched off in either.
    fn and_off(self, o: Readings) -> Readings {
        Readings {
            arn_case: self.arn_case && o.arn_case,
            arn_segments: self.arn_segments && o.arn_segments,
            variables_in_resource_part: self.variables_in_resource_part && o.variables_in_resource_part,
            absent_variable_fails_closed: self.absent_variable_fails_closed && o.absent_variable_fails_closed,
            get_caller_identity: self.get_caller_identity && o.get_caller_identity,
            service_wildcard_invalid: self.service_wildcard_invalid && o.service_wildcard_invalid,
            negated_unreadable_value: self.negated_unreadable_value && o.negated_unreadable_value,
            for_any_value_if_exists: self.for_any_value_if_exists && o.for_any_value_if_exists,
        }
    }

    /// Each reading switched off alone, with its name. Reading 7 has no other reading to
    /// switch to (the pages say a multivalued key needs a set operator, and say no more).
    fn each_off() -> Vec<(&'static str, Readings)> {
        vec![
            ("1 (ARN case)", Readings { arn_case: false, ..ALL }),
            ("1 (ARN segments)", Readings { arn_segments: false, ..ALL }),
            ("2 (variables only in the resource part)", Readings { variables_in_resource_part: false, ..ALL }),
            ("3 (absent variable under Deny)", Readings { absent_variable_fails_closed: false, ..ALL }),
            ("4 (sts:GetCallerIdentity)", Readings { get_caller_identity: false, ..ALL }),
            ("5 (wildcard in a service prefix)", Readings { service_wildcard_invalid: false, ..ALL }),
            ("6 (negated operator, unreadable value)", Readings { negated_unreadable_value: false, ..ALL }),
            ("8 (ForAnyValue...IfExists, absent key)", Readings { for_any_value_if_exists: false, ..ALL }),
        ]
    }
}

/// One statement as the reference reads it from the JSON.
struct Stmt {
    effect: Effect,
    not_action: bool,
    actions: Vec<String>,
    not_resource: bool,
    resources: Vec<String>,
    /// Operator, key, values; every one must hold.
    conditions: Vec<(String, String, Vec<String>)>,
}

struct Pol {
    /// Policy variables are replaced only under Version 2012-10-17 ("IAM JSON policy
    /// elements: Version", of 2008-10-17: "For example, variables such as
    /// ${aws:username} aren't recognized as variables and are instead treated as literal
    /// strings in the policy.")
    variables: bool,
    statements: Vec<Stmt>,
}

/// A string, a number, a boolean, or a list of them, as text.
fn texts(v: &Value) -> Vec<String> {
    match v {
        Value::Array(a) => a.iter().flat_map(texts).collect(),
        Value::String(s) => vec![s.clone()],
        Value::Bool(b) => vec![b.to_string()],
        Value::Number(n) => vec![n.to_string()],
        _ => panic!("the generator writes no {v}"),
    }
}

/// Reads the documents this test generates (well-formed by construction); `None` for one
/// IAM refuses.
fn read_policy(doc: &Value, r: Readings) -> Option<Pol> {
    let statements = match &doc["Statement"] {
        Value::Array(a) => a.iter().collect::<Vec<_>>(),
        one => vec![one],
    };
    let mut out = Vec::new();
    for st in statements {
        let (not_action, actions) = match (st.get("Action"), st.get("NotAction")) {
            (Some(a), None) => (false, texts(a)),
            (None, Some(a)) => (true, texts(a)),
            _ => panic!("one of Action, NotAction"),
        };
        if r.service_wildcard_invalid && !actions.iter().all(|a| reading_5_action_is_valid(a)) {
            return None;
        }
        let (not_resource, resources) = match (st.get("Resource"), st.get("NotResource")) {
            (Some(a), None) => (false, texts(a)),
            (None, Some(a)) => (true, texts(a)),
            _ => panic!("one of Resource, NotResource"),
        };
        let mut conditions = Vec::new();
        if let Some(Value::Object(ops)) = st.get("Condition") {
            for (op, keys) in ops {
                for (key, values) in keys.as_object().expect("keys") {
                    conditions.push((op.clone(), key.clone(), texts(values)));
                }
            }
        }
        let effect = if st["Effect"] == "Deny" { Effect::Deny } else { Effect::Allow };
        out.push(Stmt { effect, not_action, actions, not_resource, resources, conditions });
    }
    Some(Pol { variables: doc.get("Version").is_some_and(|v| v == "2012-10-17"), statements: out })
}

/// The decision ("Policy evaluation logic"): an explicit Deny that applies overrides any
/// Allow; without an Allow that applies the request is implicitly denied.
fn reference(doc: &Value, req: &Req, r: Readings) -> Answer {
    let Some(pol) = read_policy(doc, r) else { return Answer::Invalid };
    if r.get_caller_identity && reading_4_needs_no_permission(&req.action) {
        return Answer::Allow;
    }
    let applies = |s: &Stmt| statement_applies(s, pol.variables, req, r);
    if pol.statements.iter().any(|s| s.effect == Effect::Deny && applies(s)) {
        Answer::ExplicitDeny
    } else if pol.statements.iter().any(|s| s.effect == Effect::Allow && applies(s)) {
        Answer::Allow
    } else {
        Answer::ImplicitDeny
    }
}

fn statement_applies(s: &Stmt, variables: bool, req: &Req, r: Readings) -> bool {
    // "IAM JSON policy elements: NotAction": every action except those listed.
    let action = s.actions.iter().any(|a| action_matches(a, &req.action)) != s.not_action;
    action
        && resource_element_matches(s, variables, req, r)
        && s.conditions.iter().all(|(op, key, values)| condition_holds(op, key, values, s.effect, req, r))
}

/// `*` stands for any run of characters (also none), `?` for exactly one; every other
/// character for itself, compared by `eq`.
fn glob(pattern: &str, text: &str, eq: &dyn Fn(char, char) -> bool) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let s: Vec<char> = text.chars().collect();
    // m[i][j]: whether p[i..] matches s[j..].
    let mut m = vec![vec![false; s.len() + 1]; p.len() + 1];
    m[p.len()][s.len()] = true;
    for i in (0..p.len()).rev() {
        for j in (0..=s.len()).rev() {
            m[i][j] = match p[i] {
                '*' => m[i + 1][j] || (j < s.len() && m[i][j + 1]),
                '?' => j < s.len() && m[i + 1][j + 1],
                c => j < s.len() && eq(c, s[j]) && m[i + 1][j + 1],
            };
        }
    }
    m[0][0]
}

fn exact(a: char, b: char) -> bool {
    a == b
}

fn any_case(a: char, b: char) -> bool {
    a.to_lowercase().eq(b.to_lowercase())
}

/// "IAM JSON policy elements: Action": the service prefix and the action name are not
/// case-sensitive; wildcards (`*`, `?`) stand for several actions.
fn action_matches(pattern: &str, action: &str) -> bool {
    glob(pattern, action, &any_case)
}

/// Reading 5. "IAM JSON policy elements: Action" lets wildcards stand in the action name,
/// after the service prefix: a pattern with one in the prefix (`s*:GetObject`) is refused;
/// `*` alone is every action.
fn reading_5_action_is_valid(pattern: &str) -> bool {
    let prefix = pattern.split(':').next().unwrap_or("");
    pattern == "*" || !prefix.contains(['*', '?'])
}

/// Reading 4. STS API reference, GetCallerIdentity: "No permissions are required to
/// perform this operation. If an administrator attaches a policy to your identity that
/// explicitly denies access to the sts:GetCallerIdentity action, you can still perform
/// this operation."
fn reading_4_needs_no_permission(action: &str) -> bool {
    action.eq_ignore_ascii_case("sts:GetCallerIdentity")
}

/// Resource or NotResource ("IAM JSON policy elements: NotResource": every resource except
/// those listed).
fn resource_element_matches(s: &Stmt, variables: bool, req: &Req, r: Readings) -> bool {
    let hit = s.resources.iter().any(|pattern| {
        let text = if variables {
            match reading_2_substitute_in_resource_part(pattern, req, r.variables_in_resource_part) {
                Some(t) => t,
                None => {
                    return reading_3_absent_variable_pattern_matches(
                        s.effect,
                        s.not_resource,
                        r.absent_variable_fails_closed,
                    );
                }
            }
        } else {
            pattern.clone()
        };
        reading_1_arn_matches(&text, &req.resource, s.effect, s.not_resource, r)
    });
    hit != s.not_resource
}

/// Reading 1. "IAM JSON policy elements: Resource": "You can use wildcard characters (*
/// and ?) within the individual segments of an ARN (the parts separated by colons) ... If
/// the * wildcard is the last character of a resource ARN segment, it can expand to match
/// beyond the colon boundaries." So `*` and `?` match within a segment (every colon is a
/// segment boundary, those of the resource part too), and only a `*` that ends its segment
/// runs on past colons. ARNs are case-sensitive; the docs do not say whether a region or an
/// account differing only in case is the same, so in those two segments a Deny's Resource
/// matches ignoring case. An Allow's Resource and NotResource keep case, and so does a
/// Deny's NotResource: ignoring case there would exclude more and let the Deny fail to
/// fire, the very thing the reading is there to prevent.
///
/// For a Deny, the segment rule matches less than a wildcard running past colons would:
/// `arn:aws:s3:::secret/*.key` does not cover the object `secret/a:b.key` (S3 keys may hold
/// colons). That follows the page; whether AWS agrees is not known here.
///
/// Switched off: the whole pattern as one wildcard string (`arn_segments`), case-sensitive
/// throughout (`arn_case`).
fn reading_1_arn_matches(pattern: &str, arn: &str, effect: Effect, in_not_resource: bool, r: Readings) -> bool {
    // Wide where matching more refuses more: a Deny's Resource, an Allow's NotResource. There
    // every wildcard may cross colons (an S3 key may hold one) and the region and account
    // compare without case.
    let fold = ((effect == Effect::Deny) != in_not_resource) && r.arn_case;
    if !r.arn_segments || fold {
        let lower_region_account = |t: &str| {
            let mut parts: Vec<String> = t.split(':').map(String::from).collect();
            for i in [3, 4] {
                if let Some(p) = parts.get_mut(i) {
                    *p = p.to_lowercase();
                }
            }
            parts.join(":")
        };
        return glob(pattern, arn, &exact)
            || (fold && glob(&lower_region_account(pattern), &lower_region_account(arn), &exact));
    }
    let p: Vec<&str> = pattern.split(':').collect();
    let a: Vec<&str> = arn.split(':').collect();
    segments_match(&p, &a, fold)
}

/// Pattern segments against ARN segments, both cut at every colon.
fn segments_match(p: &[&str], a: &[&str], fold: bool) -> bool {
    fn go(p: &[&str], a: &[&str], i: usize, j: usize, fold: bool) -> bool {
        if i == p.len() {
            return j == a.len();
        }
        if j == a.len() {
            return false;
        }
        // Region and account: the fourth and fifth segments, 3 and 4 counted from 0.
        let folds = fold && matches!(i, 3 | 4) && matches!(j, 3 | 4);
        let eq: &dyn Fn(char, char) -> bool = if folds { &any_case } else { &exact };
        // The segment's own text: everything but a final `*` stays inside the segment.
        if !glob(p[i], a[j], eq) {
            return false;
        }
        // The segment ends at the ARN's next colon, or its final `*` runs on over whole
        // segments of the ARN.
        go(p, a, i + 1, j + 1, fold) || (p[i].ends_with('*') && (j + 1..a.len()).any(|k| go(p, a, i + 1, k + 1, fold)))
    }
    go(p, a, 0, 0, fold)
}

/// Reading 2. "IAM policy elements: Variables and tags" allows policy variables in the
/// Resource element only in the resource portion of the ARN, the part after its fifth
/// colon. A `${...}` before the fifth colon stays literal text. `None`: a variable without
/// a value and without a default (reading 3).
///
/// Switched off: every variable in the ARN is replaced.
fn reading_2_substitute_in_resource_part(pattern: &str, req: &Req, only_resource_part: bool) -> Option<String> {
    let mut out = String::new();
    let mut rest = pattern;
    let mut colons = 0;
    while let Some(i) = rest.find("${") {
        let Some(len) = rest[i..].find('}') else { break };
        let before = &rest[..i];
        let whole = &rest[i..i + len + 1];
        colons += before.matches(':').count();
        out.push_str(before);
        rest = &rest[i + len + 1..];
        if only_resource_part && colons < 5 {
            out.push_str(whole);
            colons += whole.matches(':').count();
            continue;
        }
        // "${aws:PrincipalTag/team, 'company-wide'}": a default after a comma, in quotes.
        let inner = &whole[2..whole.len() - 1];
        let (key, default) = match inner.split_once(',') {
            Some((k, d)) => (k.trim(), Some(d.trim().trim_matches('\''))),
            None => (inner.trim(), None),
        };
        match (req.values(key).first(), default) {
            (Some(v), _) => out.push_str(v),
            (None, Some(d)) => out.push_str(d),
            (None, None) => return None,
        }
        colons = 5;
    }
    out.push_str(rest);
    Some(out)
}

/// Reading 3. "IAM policy elements: Variables and tags": "If AWS cannot resolve a variable
/// this might cause the entire statement to be invalid." An Allow's pattern then matches
/// nothing: its Resource covers nothing through it, its NotResource excludes everything
/// (the Allow does not apply). A Deny is not dropped: its Resource pattern matches every
/// resource, its NotResource pattern excludes none (the Deny applies).
///
/// Switched off: a Deny reads it as an Allow does.
fn reading_3_absent_variable_pattern_matches(effect: Effect, in_not_resource: bool, fails_closed: bool) -> bool {
    let deny = effect == Effect::Deny && fails_closed;
    deny != in_not_resource
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Base {
    StringEquals,
    StringLike,
    NumericLessThan,
    NumericEquals,
    Bool,
    IpAddress,
    ArnLike,
    Null,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SetOp {
    ForAllValues,
    ForAnyValue,
}

struct Op {
    base: Base,
    negated: bool,
    if_exists: bool,
    set: Option<SetOp>,
}

/// The operator names of "IAM JSON policy elements: Condition operators" that the
/// generator writes.
fn operator(text: &str) -> Op {
    let (set, rest) = match text.split_once(':') {
        Some(("ForAllValues", r)) => (Some(SetOp::ForAllValues), r),
        Some(("ForAnyValue", r)) => (Some(SetOp::ForAnyValue), r),
        _ => (None, text),
    };
    let (rest, if_exists) = rest.strip_suffix("IfExists").map_or((rest, false), |r| (r, true));
    let (base, negated) = match rest {
        "StringEquals" => (Base::StringEquals, false),
        "StringNotEquals" => (Base::StringEquals, true),
        "StringLike" => (Base::StringLike, false),
        "StringNotLike" => (Base::StringLike, true),
        "NumericLessThan" => (Base::NumericLessThan, false),
        "NumericEquals" => (Base::NumericEquals, false),
        "NumericNotEquals" => (Base::NumericEquals, true),
        "Bool" => (Base::Bool, false),
        "IpAddress" => (Base::IpAddress, false),
        "NotIpAddress" => (Base::IpAddress, true),
        "ArnLike" => (Base::ArnLike, false),
        "Null" => (Base::Null, false),
        _ => panic!("the generator writes no operator {text}"),
    };
    Op { base, negated, if_exists, set }
}

fn condition_holds(op: &str, key: &str, policy: &[String], effect: Effect, req: &Req, r: Readings) -> bool {
    let op = operator(op);
    let values = req.values(key);
    if op.base == Base::Null {
        // Condition operators, Null: true holds when the key is absent, false when it is
        // present; several values are ORed.
        let want = if values.is_empty() { "true" } else { "false" };
        return policy.iter().any(|v| v == want);
    }
    if values.is_empty() {
        // Condition operators: "If the key that you specify in a policy condition is not
        // present in the request context, the values do not match and the condition is
        // false. If the policy condition requires that the key is not matched, such as
        // StringNotLike or ArnNotLike, and the right key is not present, the condition is
        // true." IfExists: an absent key makes the condition true. "Single-valued vs.
        // multivalued context keys": ForAllValues also holds when the request has no such
        // key; ForAnyValue does not.
        return match op.set {
            Some(SetOp::ForAllValues) => true,
            Some(SetOp::ForAnyValue) if op.if_exists => {
                !r.for_any_value_if_exists || reading_8_for_any_value_if_exists_on_absent_key(effect)
            }
            Some(SetOp::ForAnyValue) => false,
            None => op.if_exists || op.negated,
        };
    }
    let one = |v: &str| value_satisfies(&op, v, policy, effect, r);
    match op.set {
        // ForAllValues: every request value matches some policy value; ForAnyValue: at least
        // one does ("Single-valued vs. multivalued context keys").
        Some(SetOp::ForAllValues) => values.iter().all(|v| one(v)),
        Some(SetOp::ForAnyValue) => values.iter().any(|v| one(v)),
        None => reading_7_without_set_operator(effect, &values, &one),
    }
}

/// Reading 7. "Single-valued vs. multivalued context keys": "Multivalued context keys
/// require a condition set operator." Without one, an Allow needs every request value to
/// satisfy the operator, a Deny applies if any does.
fn reading_7_without_set_operator(effect: Effect, values: &[&str], one: &dyn Fn(&str) -> bool) -> bool {
    match effect {
        Effect::Allow => values.iter().all(|v| one(v)),
        Effect::Deny => values.iter().any(|v| one(v)),
    }
}

/// Reading 8. IfExists says an absent key makes the condition true; ForAnyValue says an
/// absent key makes it false. Together: true under a Deny, false under an Allow.
fn reading_8_for_any_value_if_exists_on_absent_key(effect: Effect) -> bool {
    effect == Effect::Deny
}

/// Reading 6. A request value the operator cannot read (a number operator on "abc", an
/// address operator on "not-an-ip") matches no policy value, and the docs are silent on
/// what a negated operator makes of that: its condition makes a Deny apply and an Allow
/// not apply.
///
/// Switched off: the negation of "does not match", true for both.
fn reading_6_negated_operator_on_unreadable_value(effect: Effect) -> bool {
    effect == Effect::Deny
}

/// Whether a request value can be read by the operator's comparison at all.
fn readable(base: Base, v: &str) -> bool {
    match base {
        Base::NumericLessThan | Base::NumericEquals => v.parse::<f64>().is_ok(),
        Base::IpAddress => v.parse::<IpAddr>().is_ok(),
        _ => true,
    }
}

/// Whether one request value satisfies the operator, its negation included. Policy values
/// are ORed (Condition: "If a single condition operator includes multiple values for a
/// context key, those values are evaluated using a logical OR").
fn value_satisfies(op: &Op, v: &str, policy: &[String], effect: Effect, r: Readings) -> bool {
    if !readable(op.base, v) {
        return if op.negated && r.negated_unreadable_value {
            reading_6_negated_operator_on_unreadable_value(effect)
        } else {
            op.negated
        };
    }
    policy.iter().any(|p| compare(op.base, v, p)) != op.negated
}

/// The positive comparisons of "IAM JSON policy elements: Condition operators".
fn compare(base: Base, v: &str, p: &str) -> bool {
    let num = |s: &str| s.parse::<f64>().ok();
    match base {
        // "Exact matching, case sensitive".
        Base::StringEquals => v == p,
        // "Case-sensitive matching. The values can include multi-character match wildcards
        // (*) and single-character match wildcards (?) anywhere in the string."
        Base::StringLike => glob(p, v, &exact),
        Base::NumericLessThan => matches!((num(v), num(p)), (Some(a), Some(b)) if a < b),
        Base::NumericEquals => matches!((num(v), num(p)), (Some(a), Some(b)) if a == b),
        Base::Bool => v == p,
        Base::IpAddress => cidr_contains(p, v),
        // "Each of the six colon-delimited components of the ARN is checked separately and
        // each can include multi-character match wildcards (*) or single-character match
        // wildcards (?)."
        Base::ArnLike => {
            let pp: Vec<&str> = p.splitn(6, ':').collect();
            let vv: Vec<&str> = v.splitn(6, ':').collect();
            pp.len() == 6 && vv.len() == 6 && pp.iter().zip(&vv).all(|(p, v)| glob(p, v, &exact))
        }
        Base::Null => unreachable!("Null is decided by presence"),
    }
}

/// IpAddress: an address or a range in CIDR notation (one address without a prefix length
/// is that address alone).
fn cidr_contains(cidr: &str, ip: &str) -> bool {
    let (net, len) = cidr.split_once('/').map_or((cidr, None), |(n, l)| (n, l.parse::<u32>().ok()));
    let bits = |a: IpAddr| -> (u128, u32) {
        match a {
            IpAddr::V4(v) => (u128::from(u32::from(v)), 32),
            IpAddr::V6(v) => (u128::from(v), 128),
        }
    };
    let (Ok(net), Ok(ip)) = (net.parse::<IpAddr>(), ip.parse::<IpAddr>()) else { return false };
    if net.is_ipv4() != ip.is_ipv4() {
        return false;
    }
    let ((n, width), (a, _)) = (bits(net), bits(ip));
    let len = len.unwrap_or(width);
    let shift = width - len;
    shift >= width || (n >> shift) == (a >> shift)
}

// ------------------------------------------------------------------------------------------
// ct, and the comparison.
// ------------------------------------------------------------------------------------------

fn ct(doc: &Value, req: &Req) -> Answer {
    // ct refuses what IAM refuses when it loads a policy to evaluate: the grammar, then the
    // actions (`check_actions`, which ct-policy runs on every policy it is given).
    let Ok(policy) = parse_document(doc, "p") else { return Answer::Invalid };
    if ct_iam::policy::check_actions(&policy).is_err() {
        return Answer::Invalid;
    }
    let mut context = Context::new();
    for (k, v) in &req.context {
        context.add(k, v);
    }
    let request =
        Request { action: &req.action, resource: Some(&req.resource), context: &context, mode: Mode::Simulate };
    match evaluate(std::slice::from_ref(&policy), &request).decision {
        Decision::Allow => Answer::Allow,
        Decision::ExplicitDeny => Answer::ExplicitDeny,
        Decision::ImplicitDeny => Answer::ImplicitDeny,
        Decision::Unknown => Answer::Unknown,
    }
}

/// A generated case: the policy document and the request.
#[derive(Clone)]
struct Case {
    doc: Value,
    req: Req,
}

impl fmt::Debug for Case {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "\n  policy:   {}\n  action:   {}\n  resource: {}\n  context:  {:?}\n",
            self.doc, self.req.action, self.req.resource, self.req.context
        )
    }
}

/// The fewest readings that, switched off together, make the reference answer as ct did.
fn explain(case: &Case, ct_answer: Answer) -> String {
    let off = Readings::each_off();
    let mut subsets: Vec<u32> = (1..1u32 << off.len()).collect();
    subsets.sort_by_key(|s| s.count_ones());
    for s in subsets {
        let chosen: Vec<_> = off.iter().enumerate().filter(|(i, _)| s & (1 << i) != 0).map(|(_, o)| o).collect();
        let r = chosen.iter().fold(ALL, |r, (_, o)| r.and_off(*o));
        if reference(&case.doc, &case.req, r) == ct_answer {
            return chosen.iter().map(|(name, _)| *name).collect::<Vec<_>>().join(" with ");
        }
    }
    "no reading (a bug of ct or of the reference)".into()
}

/// `None` when ct and the reference agree; otherwise what differs.
fn difference(case: &Case) -> Option<(Answer, Answer, String)> {
    let c = ct(&case.doc, &case.req);
    let r = reference(&case.doc, &case.req, ALL);
    (c != r).then(|| (c, r, explain(case, c)))
}

// ------------------------------------------------------------------------------------------
// The generator.
// ------------------------------------------------------------------------------------------

const ACTIONS: &[&str] = &[
    "*",
    "s3:*",
    "s3:Get*",
    "s3:?etObject",
    "S3:getobject",
    "s3:Put?bject",
    "ec2:*Instances",
    "iam:PassRole",
    "iam:*",
    "sts:Get*",
];
/// A wildcard in the service prefix (reading 5).
const BAD_ACTIONS: &[&str] = &["s*:GetObject", "*:GetObject", "s?:GetObject"];
const REQUEST_ACTIONS: &[&str] = &["s3:GetObject", "s3:PutObject", "ec2:RunInstances", "iam:PassRole", "s3:ListBucket"];

// Resource patterns, built segment by segment. No wildcard in the service segment, which
// "IAM JSON policy elements: Resource" does not allow.
const PARTITIONS: &[&str] = &["aws", "aws", "*", "aw?"];
const SERVICES: &[&str] = &["s3", "ec2", "iam"];
const REGIONS: &[&str] = &["", "", "us-east-1", "US-EAST-1", "*", "us-*", "us-east-?", "${aws:username}"];
const ACCOUNTS: &[&str] = &["", "", "123456789012", "*", "1234*", "12345678901?", "AWS", "${aws:username}"];
const RESOURCE_PARTS: &[&str] = &[
    "*",
    "b/*",
    "b/${aws:username}/*",
    "b/home/${aws:username}",
    "b/${aws:PrincipalTag/team, 'all'}/*",
    "b/${AWS:UserName}",
    "b/*x",
    "b/a?c",
    "instance/*",
    "instance/i-?",
    "log-group:*",
    "log-group:g*:x",
    "${aws:username}",
];
const SHORT_PATTERNS: &[&str] = &["*", "*", "arn:aws:s3:*", "arn:*", "arn:aws:s3:::b/*"];

// Request ARNs, from the same pieces.
const REQUEST_PARTITIONS: &[&str] = &["aws", "aws", "aws-cn"];
const REQUEST_REGIONS: &[&str] = &["", "", "us-east-1", "US-EAST-1", "us-east-2", "eu-west-1", "${aws:username}"];
const REQUEST_ACCOUNTS: &[&str] = &["", "", "123456789012", "123456789013", "aws", "${aws:username}"];
const REQUEST_RESOURCE_PARTS: &[&str] = &[
    "b/alice/k",
    "b/home/alice",
    "b/alice",
    "b/x",
    "b/ax",
    "b/a:x",
    "b/abc",
    "b/all/k",
    "b/Alice/k",
    "instance/i-1",
    "instance/i-12",
    "log-group:g1:x",
    "log-group:g:y:x",
    "log-group:g",
    "alice",
    "b/${aws:username}/k",
];

/// Context keys with the values a request may give them. aws:username and
/// aws:PrincipalTag/team are single-valued (they stand in policy variables, which
/// multivalued keys cannot: "Single-valued vs. multivalued context keys"); the others may
/// take several values.
const CONTEXT: &[(&str, &[&str])] = &[
    ("aws:username", &["alice", "bob", "Alice"]),
    ("AWS:UserName", &["alice"]),
    ("aws:PrincipalTag/team", &["web", "all"]),
    ("aws:TagKeys", &["environment", "owner", "cost-center"]),
    ("aws:RequestedRegion", &["us-east-1", "eu-west-1"]),
    ("aws:SourceIp", &["10.1.2.3", "192.168.1.1", "2001:db8::1", "not-an-ip"]),
    ("aws:MultiFactorAuthPresent", &["true", "false", "abc"]),
    ("s3:max-keys", &["5", "10", "10.0", "-2", "abc"]),
    (
        "aws:SourceArn",
        &[
            "arn:aws:s3:::b",
            "arn:aws:sns:us-east-1:123456789012:t",
            "arn:aws:sns:us-east-1:999:x:123456789012:t",
            "abc",
        ],
    ),
];
const SINGLE_VALUED: &[&str] = &["aws:username", "aws:principaltag/team"];

#[derive(Debug, Clone, Copy)]
enum Kind {
    Str,
    Null,
    Bool,
    Num,
    Ip,
    Arn,
}

const OPERATORS: &[(&str, Kind)] = &[
    ("StringEquals", Kind::Str),
    ("StringNotEquals", Kind::Str),
    ("StringLike", Kind::Str),
    ("StringEqualsIfExists", Kind::Str),
    ("StringNotEqualsIfExists", Kind::Str),
    ("ForAllValues:StringEquals", Kind::Str),
    ("ForAnyValue:StringEquals", Kind::Str),
    ("ForAnyValue:StringLikeIfExists", Kind::Str),
    ("ForAnyValue:StringEqualsIfExists", Kind::Str),
    ("ForAllValues:StringNotEqualsIfExists", Kind::Str),
    ("ForAnyValue:StringNotEquals", Kind::Str),
    ("Null", Kind::Null),
    ("Bool", Kind::Bool),
    ("BoolIfExists", Kind::Bool),
    ("NumericLessThan", Kind::Num),
    ("NumericLessThanIfExists", Kind::Num),
    ("NumericNotEquals", Kind::Num),
    ("ForAnyValue:NumericNotEquals", Kind::Num),
    ("ForAllValues:NumericLessThan", Kind::Num),
    ("IpAddress", Kind::Ip),
    ("NotIpAddress", Kind::Ip),
    ("NotIpAddressIfExists", Kind::Ip),
    ("ArnLike", Kind::Arn),
    ("ArnLikeIfExists", Kind::Arn),
    ("ForAnyValue:ArnLike", Kind::Arn),
];

fn keys_of(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::Str => &["aws:username", "AWS:UserName", "aws:PrincipalTag/team", "aws:TagKeys", "aws:RequestedRegion"],
        Kind::Null => &["aws:username", "aws:TagKeys", "aws:SourceIp", "s3:max-keys"],
        Kind::Bool => &["aws:MultiFactorAuthPresent"],
        Kind::Num => &["s3:max-keys"],
        Kind::Ip => &["aws:SourceIp"],
        Kind::Arn => &["aws:SourceArn"],
    }
}

fn values_of(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::Str => &["alice", "Alice", "a*", "environment", "owner", "web", "us-*", "eu-west-1"],
        Kind::Null | Kind::Bool => &["true", "false"],
        Kind::Num => &["10", "5.5", "-1"],
        Kind::Ip => &["10.0.0.0/8", "192.168.1.1", "2001:db8::/32"],
        Kind::Arn => &["arn:aws:sns:*:123456789012:*", "arn:aws:s3:::b", "arn:aws:*:*:*:*"],
    }
}

fn pick(list: &'static [&'static str]) -> impl Strategy<Value = String> {
    prop::sample::select(list).prop_map(String::from)
}

/// A list as JSON: one string alone, sometimes, else an array.
fn list_json(items: Vec<String>, scalar: bool) -> Value {
    if items.len() == 1 && scalar {
        Value::String(items.into_iter().next().unwrap_or_default())
    } else {
        Value::Array(items.into_iter().map(Value::String).collect())
    }
}

fn arb_condition() -> impl Strategy<Value = (String, String, Value)> {
    prop::sample::select(OPERATORS).prop_flat_map(|(op, kind)| {
        let values = prop::collection::vec(pick(values_of(kind)), 1..=2);
        (Just(op.to_string()), pick(keys_of(kind)), values, any::<bool>()).prop_map(move |(op, key, values, scalar)| {
            let value = match kind {
                // Condition values written as JSON booleans and numbers.
                Kind::Bool | Kind::Null if scalar => Value::Bool(values[0] == "true"),
                Kind::Num if scalar => serde_json::from_str(&values[0]).unwrap_or(Value::Null),
                _ => list_json(values, scalar),
            };
            (op, key, value)
        })
    })
}

fn arb_resource_pattern() -> impl Strategy<Value = String> {
    let arn = (pick(PARTITIONS), pick(SERVICES), pick(REGIONS), pick(ACCOUNTS), pick(RESOURCE_PARTS))
        .prop_map(|(p, s, r, a, x)| format!("arn:{p}:{s}:{r}:{a}:{x}"));
    prop_oneof![1 => pick(SHORT_PATTERNS), 4 => arn]
}

fn arb_statement() -> impl Strategy<Value = Value> {
    let actions = prop::collection::vec(prop_oneof![30 => pick(ACTIONS), 1 => pick(BAD_ACTIONS)], 1..=2);
    let resources = prop::collection::vec(arb_resource_pattern(), 1..=2);
    let conditions = prop::collection::vec(arb_condition(), 0..=2);
    (
        prop::bool::weighted(0.4),
        actions,
        prop::bool::weighted(0.2),
        resources,
        prop::bool::weighted(0.2),
        conditions,
        any::<bool>(),
    )
        .prop_map(|(deny, actions, not_action, resources, not_resource, conditions, scalar)| {
            let mut st = Map::new();
            st.insert("Effect".into(), Value::String(if deny { "Deny" } else { "Allow" }.into()));
            st.insert(if not_action { "NotAction" } else { "Action" }.into(), list_json(actions, scalar));
            st.insert(if not_resource { "NotResource" } else { "Resource" }.into(), list_json(resources, scalar));
            if !conditions.is_empty() {
                let mut ops = Map::new();
                for (op, key, value) in conditions {
                    let keys = ops.entry(op).or_insert_with(|| Value::Object(Map::new()));
                    if let Value::Object(keys) = keys {
                        keys.insert(key, value);
                    }
                }
                st.insert("Condition".into(), Value::Object(ops));
            }
            Value::Object(st)
        })
}

fn arb_policy() -> impl Strategy<Value = Value> {
    let version = prop::sample::select(&["2012-10-17", "2012-10-17", "2012-10-17", "2012-10-17", "2008-10-17", ""][..]);
    (version, prop::collection::vec(arb_statement(), 1..=3), any::<bool>()).prop_map(|(version, mut sts, one)| {
        let mut doc = Map::new();
        if !version.is_empty() {
            doc.insert("Version".into(), Value::String(version.into()));
        }
        let statement = if sts.len() == 1 && one { sts.remove(0) } else { Value::Array(sts) };
        doc.insert("Statement".into(), statement);
        Value::Object(doc)
    })
}

/// The resource patterns of a generated policy.
fn patterns_of(doc: &Value) -> Vec<String> {
    let sts = match &doc["Statement"] {
        Value::Array(a) => a.clone(),
        one => vec![one.clone()],
    };
    sts.iter()
        .flat_map(|st| texts(st.get("Resource").or_else(|| st.get("NotResource")).unwrap_or(&Value::Null)))
        .collect()
}

/// An ARN that a pattern may match: each `*` and `?` replaced, each variable given a value,
/// the region's case sometimes changed.
fn instantiate(pattern: &str, choices: &[u8]) -> String {
    let mut c = choices.iter().copied().cycle();
    let mut next = |n: usize| usize::from(c.next().unwrap_or(0)) % n;
    let mut out = String::new();
    let mut rest = pattern;
    while let Some(ch) = rest.chars().next() {
        if rest.starts_with("${")
            && let Some(end) = rest.find('}')
        {
            out.push_str(["alice", "all", "web", "Alice"][next(4)]);
            rest = &rest[end + 1..];
            continue;
        }
        match ch {
            '*' => out.push_str(["", "k", "k:x", "alice", "us-east-1"][next(5)]),
            '?' => out.push_str(["q", "1", ":"][next(3)]),
            c => out.push(c),
        }
        rest = &rest[ch.len_utf8()..];
    }
    if next(3) == 0 {
        let mut parts: Vec<String> = out.split(':').map(String::from).collect();
        if let Some(region) = parts.get_mut(3) {
            *region = region.to_uppercase();
        }
        out = parts.join(":");
    }
    out
}

fn arb_context() -> impl Strategy<Value = Vec<(String, String)>> {
    let pair = prop::sample::select(CONTEXT).prop_flat_map(|(key, values)| (Just(key.to_string()), pick(values)));
    prop::collection::vec(pair, 0..=5).prop_map(|pairs| {
        let mut out: Vec<(String, String)> = Vec::new();
        for (k, v) in pairs {
            let single = SINGLE_VALUED.contains(&k.to_ascii_lowercase().as_str());
            if single && out.iter().any(|(o, _)| o.eq_ignore_ascii_case(&k)) {
                continue;
            }
            out.push((k, v));
        }
        out
    })
}

fn arb_case() -> impl Strategy<Value = Case> {
    arb_policy().prop_flat_map(|doc| {
        let patterns = patterns_of(&doc);
        let arn = (
            pick(REQUEST_PARTITIONS),
            pick(SERVICES),
            pick(REQUEST_REGIONS),
            pick(REQUEST_ACCOUNTS),
            pick(REQUEST_RESOURCE_PARTS),
        )
            .prop_map(|(p, s, r, a, x)| format!("arn:{p}:{s}:{r}:{a}:{x}"));
        let derived = (prop::sample::select(patterns), prop::collection::vec(any::<u8>(), 6))
            .prop_map(|(p, choices)| instantiate(&p, &choices));
        let resource = prop_oneof![4 => arn, 4 => derived, 1 => Just("*".to_string())];
        let action = prop_oneof![14 => pick(REQUEST_ACTIONS), 1 => Just("sts:GetCallerIdentity".to_string())];
        (Just(doc), action, resource, arb_context())
            .prop_map(|(doc, action, resource, context)| Case { doc, req: Req { action, resource, context } })
    })
}

fn cases() -> u32 {
    std::env::var("CT_DIFFTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(2_000)
}

proptest! {
    #![proptest_config(Config { cases: cases(), failure_persistence: None, max_shrink_iters: 2_000, ..Config::default() })]

    /// ct decides every generated request as the reference does.
    #[test]
    fn ct_agrees_with_the_reference(case in arb_case()) {
        if let Some((c, r, why)) = difference(&case) {
            prop_assert!(false, "ct: {c:?}, reference: {r:?}; explained by reading {why}");
        }
    }
}

/// Runs many cases without stopping at a difference: counts them by the reading that
/// explains them, and prints a minimal case of each kind (proptest's shrinking, with a
/// property that fails only on that kind).
#[test]
#[ignore = "a survey for a person to read: cargo test -p ct-iam --test it -- --ignored difference::survey --nocapture"]
fn survey() {
    let config = || Config { cases: cases(), failure_persistence: None, max_shrink_iters: 20_000, ..Config::default() };
    let kinds: RefCell<BTreeMap<String, usize>> = RefCell::default();
    let answers: RefCell<BTreeMap<String, usize>> = RefCell::default();
    TestRunner::new(config())
        .run(&arb_case(), |case| {
            let c = ct(&case.doc, &case.req);
            *answers.borrow_mut().entry(format!("{c:?}")).or_default() += 1;
            if let Some((_, _, why)) = difference(&case) {
                *kinds.borrow_mut().entry(why).or_default() += 1;
            }
            Ok(())
        })
        .expect("the survey's property never fails");
    println!("ct's answers over {} cases: {:?}", cases(), answers.borrow());
    for (kind, n) in kinds.borrow().iter() {
        let mut runner = TestRunner::new(Config { cases: cases() * 4, ..config() });
        let found = runner.run(&arb_case(), |case| match difference(&case) {
            Some((c, r, why)) if why == *kind => Err(TestCaseError::fail(format!("ct {c:?}, reference {r:?}"))),
            _ => Ok(()),
        });
        match found {
            Err(TestError::Fail(why, case)) => {
                println!("\n{n} differences explained by reading {kind}; minimal: {why}{case:?}")
            }
            other => println!("\n{n} differences explained by reading {kind}; none found again ({other:?})"),
        }
    }
}

// ------------------------------------------------------------------------------------------
// The differences found, minimised: each case decided by the reference (which must give the
// answer the page calls for) and by ct.
// ------------------------------------------------------------------------------------------

#[track_caller]
fn expect(policy: &str, action: &str, resource: &str, context: &[(&str, &str)], expected: Answer) {
    let doc: Value = serde_json::from_str(policy).expect("the test's policy is JSON");
    let req = Req {
        action: action.into(),
        resource: resource.into(),
        context: context.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
    };
    assert_eq!(reference(&doc, &req, ALL), expected, "the reference, for {action} on {resource}");
    assert_eq!(ct(&doc, &req), expected, "ct, for {action} on {resource} ({:?})", Case { doc: doc.clone(), req });
}

#[test]
fn reading_1_a_deny_matches_the_region_and_the_account_ignoring_case() {
    // "IAM JSON policy elements: Resource": "In the Resource element, the IAM user name is
    // case sensitive." Whether a region or an account differing only in case is the same is
    // not said; a Deny then matches ignoring case in those two segments, an Allow does not.
    // Found as: Deny "arn:aws:s3:us-east-1::*" against "arn:aws:s3:US-EAST-1::".
    let p = r#"{"Version":"2012-10-17","Statement":[
        {"Effect":"Allow","Action":"*","Resource":"*"},
        {"Effect":"Deny","Action":"ec2:*","Resource":"arn:aws:ec2:us-east-1:*:instance/*"},
        {"Effect":"Deny","Action":"iam:*","Resource":"arn:aws:iam::aws:policy/*"},
        {"Effect":"Deny","Action":"s3:*","Resource":"arn:aws:s3:::secret/*"}]}"#;
    expect(p, "ec2:RunInstances", "arn:aws:ec2:US-EAST-1:123456789012:instance/i-1", &[], Answer::ExplicitDeny);
    expect(p, "iam:GetPolicy", "arn:aws:iam::AWS:policy/AdministratorAccess", &[], Answer::ExplicitDeny);
    // Elsewhere case counts, for a Deny too.
    expect(p, "s3:GetObject", "arn:aws:s3:::SECRET/x", &[], Answer::Allow);
    // An Allow keeps case in the region as well.
    let allow = r#"{"Version":"2012-10-17","Statement":[
        {"Effect":"Allow","Action":"ec2:*","Resource":"arn:aws:ec2:us-east-1:*:instance/*"}]}"#;
    expect(allow, "ec2:RunInstances", "arn:aws:ec2:US-EAST-1:123456789012:instance/i-1", &[], Answer::ImplicitDeny);
}

#[test]
fn reading_1_a_deny_not_resource_keeps_the_case_of_the_region() {
    // Reading 1 read to the letter ("a Deny matches case-insensitively") would let a Deny's
    // NotResource exclude US-EAST-1 through us-east-1, and so the Deny fail to fire: the one
    // thing the reading is for. A NotResource excludes only what it names, case kept
    // ("IAM JSON policy elements: NotResource"). Passes on main; guards the fix. Found as a
    // difference of a first version of the reference: Deny NotResource
    // "arn:aw?:iam:us-*:1234*:log-group:g*:x" against "arn:awq:iam:US-:1234:log-group:g:x".
    let p = r#"{"Version":"2012-10-17","Statement":[
        {"Effect":"Allow","Action":"*","Resource":"*"},
        {"Effect":"Deny","Action":"ec2:*","NotResource":"arn:aws:ec2:us-east-1:*:instance/*"}]}"#;
    expect(p, "ec2:RunInstances", "arn:aws:ec2:US-EAST-1:123456789012:instance/i-1", &[], Answer::ExplicitDeny);
    expect(p, "ec2:RunInstances", "arn:aws:ec2:us-east-1:123456789012:instance/i-1", &[], Answer::Allow);
}

#[test]
fn reading_1_wildcards_stay_inside_their_segment_but_a_final_star() {
    // "IAM JSON policy elements: Resource": "You can use wildcard characters (* and ?) within
    // the individual segments of an ARN (the parts separated by colons)"; "If the * wildcard
    // is the last character of a resource ARN segment, it can expand to match beyond the
    // colon boundaries." Found as: Allow "arn:aws:s3:::b/*x" against "arn:aws:s3:::b/k:xx".
    let p = |resource: &str| {
        format!(r#"{{"Version":"2012-10-17","Statement":{{"Effect":"Allow","Action":"*","Resource":"{resource}"}}}}"#)
    };
    let stream = "arn:aws:logs:us-east-1:123456789012:log-group:app:log-stream:x-prod";
    // A `*` inside a segment does not run past a colon...
    expect(
        &p("arn:aws:logs:us-east-1:123456789012:log-group:app*-prod"),
        "logs:GetLogEvents",
        stream,
        &[],
        Answer::ImplicitDeny,
    );
    expect(&p("arn:aws:s3:::b/*x"), "s3:GetObject", "arn:aws:s3:::b/k:xx", &[], Answer::ImplicitDeny);
    // ... nor does a `?` match one ...
    expect(&p("arn:aws:s3:::b/a?c"), "s3:GetObject", "arn:aws:s3:::b/a:c", &[], Answer::ImplicitDeny);
    // ... also when another segment ends with a `*` (found as this case).
    expect(
        &p("arn:aw?:ec2:us-*::instance/*"),
        "ec2:RunInstances",
        "arn:aw::ec2:us-::instance/",
        &[],
        Answer::ImplicitDeny,
    );
    // A `*` that ends its segment does.
    expect(&p("arn:aws:logs:us-east-1:123456789012:log-group:app*"), "logs:GetLogEvents", stream, &[], Answer::Allow);
    expect(&p("arn:aws:logs:*"), "logs:GetLogEvents", stream, &[], Answer::Allow);
}

#[test]
fn reading_2_a_variable_before_the_fifth_colon_stays_literal() {
    // "IAM policy elements: Variables and tags": variables stand in the Resource element only
    // in the resource portion of the ARN, after its fifth colon. Found as: Allow NotResource
    // "arn:aws:s3::${aws:username}:b/*" against "arn:aws:s3:::b/alice/k", no aws:username.
    let p = r#"{"Version":"2012-10-17","Statement":[
        {"Effect":"Allow","Action":"ec2:*","Resource":"arn:aws:ec2:us-east-1:${aws:username}:instance/*"}]}"#;
    let user = [("aws:username", "123456789012")];
    expect(p, "ec2:RunInstances", "arn:aws:ec2:us-east-1:123456789012:instance/i-1", &user, Answer::ImplicitDeny);
    expect(p, "ec2:RunInstances", "arn:aws:ec2:us-east-1:${aws:username}:instance/i-1", &user, Answer::Allow);
    let not = r#"{"Version":"2012-10-17","Statement":[
        {"Effect":"Allow","Action":"*","NotResource":"arn:aws:s3::${aws:username}:b/*"}]}"#;
    expect(not, "s3:GetObject", "arn:aws:s3:::b/alice/k", &[], Answer::Allow);
    // After the fifth colon it is replaced.
    let home = r#"{"Version":"2012-10-17","Statement":[
        {"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::home/${aws:username}/*"}]}"#;
    expect(home, "s3:GetObject", "arn:aws:s3:::home/alice/x", &[("aws:username", "alice")], Answer::Allow);
}

#[test]
fn reading_3_a_deny_with_an_unresolved_variable_still_applies() {
    // "IAM policy elements: Variables and tags": "If AWS cannot resolve a variable this might
    // cause the entire statement to be invalid." An Allow is then dropped; a Deny is not: its
    // Resource pattern matches every resource, its NotResource pattern excludes none. Found
    // as: Deny "arn:aws:s3:::b/${aws:username}/*" against "arn:aws:s3:::b/alice/k", no
    // aws:username.
    let p = r#"{"Version":"2012-10-17","Statement":[
        {"Effect":"Allow","Action":"s3:*","Resource":"*"},
        {"Effect":"Deny","Action":"s3:DeleteObject","Resource":"arn:aws:s3:::home/${aws:username}/*"},
        {"Effect":"Deny","Action":"s3:PutObject","NotResource":"arn:aws:s3:::team-${aws:PrincipalTag/team}/*"}]}"#;
    expect(p, "s3:DeleteObject", "arn:aws:s3:::home/alice/x", &[], Answer::ExplicitDeny);
    expect(p, "s3:PutObject", "arn:aws:s3:::team-web/x", &[], Answer::ExplicitDeny);
    // With the keys present the patterns are read as written.
    let known = [("aws:username", "alice"), ("aws:PrincipalTag/team", "web")];
    expect(p, "s3:DeleteObject", "arn:aws:s3:::home/bob/x", &known, Answer::Allow);
    expect(p, "s3:PutObject", "arn:aws:s3:::team-web/x", &known, Answer::Allow);
    // An Allow with an unresolved variable does not apply, under Resource or NotResource.
    let allow = r#"{"Version":"2012-10-17","Statement":[
        {"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::home/${aws:username}/*"},
        {"Effect":"Allow","Action":"s3:PutObject","NotResource":"arn:aws:s3:::home/${aws:username}/*"}]}"#;
    expect(allow, "s3:GetObject", "arn:aws:s3:::home/alice/x", &[], Answer::ImplicitDeny);
    expect(allow, "s3:PutObject", "arn:aws:s3:::other/x", &[], Answer::ImplicitDeny);
}

#[test]
fn reading_4_get_caller_identity_needs_no_permission() {
    // STS API reference, GetCallerIdentity: "No permissions are required to perform this
    // operation. If an administrator attaches a policy to your identity that explicitly
    // denies access to the sts:GetCallerIdentity action, you can still perform this
    // operation." Found as: Allow "*" on "arn:aws:s3:::*" and sts:GetCallerIdentity.
    let deny = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"sts:*","Resource":"*"}]}"#;
    expect(deny, "sts:GetCallerIdentity", "*", &[], Answer::Allow);
    let other = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#;
    expect(other, "sts:GetCallerIdentity", "*", &[], Answer::Allow);
    expect(deny, "sts:GetSessionToken", "*", &[], Answer::ExplicitDeny);
}

#[test]
fn reading_5_a_wildcard_in_the_service_prefix_makes_the_policy_invalid() {
    // "IAM JSON policy elements: Action": wildcards stand in the action name, after the
    // service prefix; `*` alone is every action. Found as: Allow "s*:GetObject".
    let p = |element: &str, action: &str| {
        format!(r#"{{"Version":"2012-10-17","Statement":{{"Effect":"Allow","{element}":"{action}","Resource":"*"}}}}"#)
    };
    for action in ["s*:GetObject", "*:GetObject", "s?:GetObject"] {
        for element in ["Action", "NotAction"] {
            expect(&p(element, action), "s3:GetObject", "*", &[], Answer::Invalid);
        }
    }
    expect(&p("Action", "*"), "s3:GetObject", "*", &[], Answer::Allow);
    expect(&p("Action", "s3:Get*"), "s3:GetObject", "*", &[], Answer::Allow);
}

#[test]
fn reading_6_a_negated_operator_on_a_value_it_cannot_read() {
    // "IAM JSON policy elements: Condition operators" compares numbers with the numeric
    // operators and addresses with the address operators, and says nothing of a request
    // value that is neither: the condition makes a Deny apply and an Allow not apply. Found
    // as: Allow NotIpAddress "10.0.0.0/8" with aws:SourceIp "not-an-ip".
    let allow = r#"{"Version":"2012-10-17","Statement":[
        {"Effect":"Allow","Action":"ec2:*","Resource":"*","Condition":{"NotIpAddress":{"aws:SourceIp":"10.0.0.0/8"}}},
        {"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"NumericNotEquals":{"s3:max-keys":"10"}}}]}"#;
    expect(allow, "ec2:RunInstances", "*", &[("aws:SourceIp", "not-an-ip")], Answer::ImplicitDeny);
    expect(allow, "s3:ListBucket", "*", &[("s3:max-keys", "abc")], Answer::ImplicitDeny);
    expect(allow, "ec2:RunInstances", "*", &[("aws:SourceIp", "192.0.2.1")], Answer::Allow);
    let deny = r#"{"Version":"2012-10-17","Statement":[
        {"Effect":"Allow","Action":"*","Resource":"*"},
        {"Effect":"Deny","Action":"*","Resource":"*","Condition":{"NotIpAddress":{"aws:SourceIp":"10.0.0.0/8"}}},
        {"Effect":"Deny","Action":"s3:*","Resource":"*","Condition":{"NumericNotEquals":{"s3:max-keys":"10"}}}]}"#;
    expect(deny, "ec2:RunInstances", "*", &[("aws:SourceIp", "not-an-ip")], Answer::ExplicitDeny);
    expect(deny, "s3:ListBucket", "*", &[("aws:SourceIp", "10.0.0.1"), ("s3:max-keys", "abc")], Answer::ExplicitDeny);
}

#[test]
fn reading_7_a_multivalued_key_without_a_set_operator() {
    // "Single-valued vs. multivalued context keys": "Multivalued context keys require a
    // condition set operator." Without one, an Allow needs every value to satisfy the
    // operator, a Deny applies if any does. No difference found; passes on main, and pins
    // the reading for the fix.
    let allow = r#"{"Version":"2012-10-17","Statement":[
        {"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:TagKeys":["environment","owner"]}}}]}"#;
    let tags = |a: &'static str, b: &'static str| [("aws:TagKeys", a), ("aws:TagKeys", b)];
    expect(allow, "ec2:CreateTags", "*", &tags("environment", "owner"), Answer::Allow);
    expect(allow, "ec2:CreateTags", "*", &tags("environment", "cost-center"), Answer::ImplicitDeny);
    let deny = r#"{"Version":"2012-10-17","Statement":[
        {"Effect":"Allow","Action":"*","Resource":"*"},
        {"Effect":"Deny","Action":"*","Resource":"*","Condition":{"StringNotEquals":{"aws:TagKeys":"environment"}}}]}"#;
    expect(deny, "ec2:CreateTags", "*", &tags("environment", "owner"), Answer::ExplicitDeny);
    expect(deny, "ec2:CreateTags", "*", &[("aws:TagKeys", "environment")], Answer::Allow);
}

#[test]
fn reading_8_for_any_value_if_exists_on_an_absent_key() {
    // "IAM JSON policy elements: Condition operators": IfExists makes an absent key's
    // condition true; "Single-valued vs. multivalued context keys": ForAnyValue is false
    // for a key the request does not have. Together: true under a Deny, false under an
    // Allow. Found as: Allow ForAnyValue:StringLikeIfExists on aws:TagKeys, absent.
    let allow = r#"{"Version":"2012-10-17","Statement":[
        {"Effect":"Allow","Action":"sqs:*","Resource":"*","Condition":{"ForAnyValue:StringEqualsIfExists":{"aws:TagKeys":"team"}}}]}"#;
    expect(allow, "sqs:ListQueues", "*", &[], Answer::ImplicitDeny);
    expect(allow, "sqs:ListQueues", "*", &[("aws:TagKeys", "team")], Answer::Allow);
    let deny = r#"{"Version":"2012-10-17","Statement":[
        {"Effect":"Allow","Action":"*","Resource":"*"},
        {"Effect":"Deny","Action":"sqs:*","Resource":"*","Condition":{"ForAnyValue:StringEqualsIfExists":{"aws:TagKeys":"team"}}}]}"#;
    expect(deny, "sqs:ListQueues", "*", &[], Answer::ExplicitDeny);
    expect(deny, "sqs:ListQueues", "*", &[("aws:TagKeys", "owner")], Answer::Allow);
}
