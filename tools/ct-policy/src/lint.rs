//! `ct-policy lint`: what IAM's own validator would reject or warn about in a policy, and the
//! grants that let a principal escalate its privileges or destroy broadly.
//!
//! The validator-like checks follow the IAM policy validation check reference (Access
//! Analyzer), https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html,
//! checked against the embedded action catalog. The privilege checks follow Rhino Security
//! Labs' "AWS IAM Privilege Escalation – Methods and Mitigation"
//! (https://rhinosecuritylabs.com/aws/aws-privilege-escalation-methods-mitigation/), the same
//! list Cloudsplaining's and Parliament's privilege-escalation findings use, widened by the
//! catalog's "Permissions management" access level, which AWS defines as the actions that grant
//! or change permissions (https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_understand-policy-summary-access-level-summaries.html).
//!
//! Finding codes (stable; `--ignore CODE` leaves one out):
//!
//! | code | severity | what |
//! | --- | --- | --- |
//! | invalid-action | error | an Action that is not `service:Action` |
//! | unknown-service | error | a service prefix the catalog does not know |
//! | unknown-action | error | an action that does not exist, or a pattern matching none |
//! | invalid-resource | error | a Resource that is neither `*` nor an ARN |
//! | resource-mismatch | error | no Resource of the statement fits the action's resource types |
//! | unknown-condition-key | error | a service condition key the catalog does not know |
//! | condition-key-mismatch | warning | a condition key that does not apply to an action |
//! | invalid-sid | error | a Sid with characters other than A-Z, a-z, 0-9 |
//! | duplicate-sid | error | two statements with one Sid |
//! | missing-version | warning | no Version, or 2008-10-17 (policy variables are text then) |
//! | policy-too-large | error | over 6,144 characters without whitespace |
//! | not-action | warning | Allow with NotAction |
//! | not-resource | warning | Allow with NotResource |
//! | service-wildcard | warning | `*` or `service:*` allowed on every resource |
//! | passrole-wildcard | warning | iam:PassRole on a wildcard role |
//! | assume-role-wildcard | warning | sts:AssumeRole on a wildcard role |
//! | privilege-escalation | warning | an IAM action that grants privileges |
//! | resource-exposure | warning | another service's Permissions management action |
//! | destructive-wildcard | warning | Delete/Terminate-like actions on every resource of a type |

use std::collections::HashMap;

use ct_common::glob::Glob;
use ct_iam::Catalog;
use ct_iam::catalog::Action;
use ct_iam::policy::{Effect, Patterns, Policy, Statement};
use serde::Serialize;

use crate::generate::MAX_POLICY_CHARS;

/// How bad a finding is: an error is something IAM rejects or a grant that cannot work; a
/// warning is valid but grants more than it seems.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// One finding, written as one NDJSON record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The policy's name: the file, and where in it for AWS CLI output.
    pub file: String,
    /// The statement's Sid, or `#N` (its 1-based position); null for the whole document.
    pub statement: Option<String>,
    pub severity: Severity,
    pub code: &'static str,
    pub message: String,
}

impl Finding {
    /// `FILE: statement S: error: code: message`, for people on a terminal.
    pub fn text(&self) -> String {
        match &self.statement {
            Some(s) => {
                format!("{}: statement {s}: {}: {}: {}", self.file, self.severity.as_str(), self.code, self.message)
            }
            None => format!("{}: {}: {}: {}", self.file, self.severity.as_str(), self.code, self.message),
        }
    }
}

/// Every code, for `--ignore` to check its argument against.
pub const CODES: &[&str] = &[
    "invalid-action",
    "unknown-service",
    "unknown-action",
    "invalid-resource",
    "resource-mismatch",
    "unknown-condition-key",
    "condition-key-mismatch",
    "invalid-sid",
    "duplicate-sid",
    "missing-version",
    "policy-too-large",
    "not-action",
    "not-resource",
    "service-wildcard",
    "passrole-wildcard",
    "assume-role-wildcard",
    "privilege-escalation",
    "resource-exposure",
    "destructive-wildcard",
];

/// Every finding of a policy: the validator's checks and the risky grants. `size` is the
/// document's size without whitespace when the caller has its text (see [`size`]); otherwise
/// the size is estimated from the parsed policy.
pub fn lint(policy: &Policy, size: Option<usize>) -> Vec<Finding> {
    let mut out = Vec::new();
    let doc = |severity, code, message: String| Finding {
        file: policy.name.clone(),
        statement: None,
        severity,
        code,
        message,
    };
    // "General warning – Missing version": without 2012-10-17, ${aws:username} and the like
    // are compared as plain text (IAM User Guide, "IAM JSON policy elements: Version").
    match policy.version.as_deref() {
        None => out.push(doc(
            Severity::Warning,
            "missing-version",
            "no Version: policy variables are plain text; add \"Version\": \"2012-10-17\"".into(),
        )),
        Some("2012-10-17") => {}
        Some(v) => out.push(doc(
            Severity::Warning,
            "missing-version",
            format!("Version {v}: policy variables are plain text; use \"2012-10-17\""),
        )),
    }
    // "In IAM, the Sid value must be unique within a JSON policy" and holds only ASCII letters
    // and digits (IAM User Guide, "IAM JSON policy elements: Sid").
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for (i, st) in policy.statements.iter().enumerate() {
        let Some(sid) = sid_of(st, i) else { continue };
        if !sid.bytes().all(|b| b.is_ascii_alphanumeric()) {
            out.push(at(policy, st, Severity::Error, "invalid-sid", "a Sid may hold only A-Z, a-z and 0-9".into()));
        }
        if let Some(first) = seen.insert(sid, i) {
            out.push(at(
                policy,
                st,
                Severity::Error,
                "duplicate-sid",
                format!("statement {} has the same Sid; Sids must be unique in a policy", first + 1),
            ));
        }
    }
    for st in &policy.statements {
        validate_statement(policy, st, &mut out);
        risky_statement(policy, st, &mut out);
    }
    // IAM quotas: a managed policy holds at most 6,144 characters, whitespace not counted.
    let size = size.unwrap_or_else(|| estimated_size(policy));
    if size > MAX_POLICY_CHARS {
        out.push(doc(
            Severity::Error,
            "policy-too-large",
            format!("{size} characters without whitespace, over the {MAX_POLICY_CHARS} a managed policy may hold"),
        ));
    }
    out
}

/// The grants of a policy that allow privilege escalation or broad destruction (the warnings
/// of [`lint`] only), for a policy ct-policy has just generated.
pub fn risky_grants(policy: &Policy) -> Vec<Finding> {
    let mut out = Vec::new();
    for st in &policy.statements {
        risky_statement(policy, st, &mut out);
    }
    out
}

/// The size IAM counts: characters outside string literals that are not JSON whitespace,
/// and every character inside them.
pub fn size(text: &str) -> usize {
    let (mut n, mut in_string, mut escaped) = (0, false, false);
    for c in text.chars() {
        if in_string {
            n += 1;
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
        } else if !matches!(c, ' ' | '\t' | '\n' | '\r') {
            n += 1;
            in_string = c == '"';
        }
    }
    n
}

/// The size of the policy written compactly (for documents inside AWS CLI output, whose
/// file text holds more than the document).
fn estimated_size(policy: &Policy) -> usize {
    use serde_json::{Map, Value, json};
    let list = |v: &[String]| Value::from(v.to_vec());
    let statements: Vec<Value> = policy
        .statements
        .iter()
        .enumerate()
        .map(|(i, st)| {
            let mut m = Map::new();
            if let Some(sid) = sid_of(st, i) {
                m.insert("Sid".into(), sid.into());
            }
            m.insert("Effect".into(), if st.effect == Effect::Allow { "Allow" } else { "Deny" }.into());
            match &st.action {
                Patterns::Is(v) => m.insert("Action".into(), list(v)),
                Patterns::Not(v) => m.insert("NotAction".into(), list(v)),
            };
            match &st.resource {
                Patterns::Is(v) => m.insert("Resource".into(), list(v)),
                Patterns::Not(v) => m.insert("NotResource".into(), list(v)),
            };
            let mut cond: Map<String, Value> = Map::new();
            for c in &st.conditions {
                let op = cond.entry(c.operator.clone()).or_insert_with(|| json!({}));
                if let Some(o) = op.as_object_mut() {
                    o.insert(c.key.clone(), list(&c.values));
                }
            }
            if !cond.is_empty() {
                m.insert("Condition".into(), Value::Object(cond));
            }
            Value::Object(m)
        })
        .collect();
    let mut doc = Map::new();
    if let Some(v) = &policy.version {
        doc.insert("Version".into(), v.clone().into());
    }
    doc.insert("Statement".into(), statements.into());
    serde_json::to_string(&Value::Object(doc)).map(|s| s.chars().count()).unwrap_or(0)
}

/// The Sid as written, or None when the statement has none (the parser names it `#N`).
fn sid_of(st: &Statement, i: usize) -> Option<&str> {
    (st.id != format!("#{}", i + 1)).then_some(st.id.as_str())
}

fn at(policy: &Policy, st: &Statement, severity: Severity, code: &'static str, message: String) -> Finding {
    Finding { file: policy.name.clone(), statement: Some(st.id.clone()), severity, code, message }
}

/// What one Action pattern stands for in the catalog.
enum Resolved<'c> {
    /// `*`, a wildcard service prefix, or a malformed or unknown one: not checked further.
    Opaque,
    /// The actions an exact name or a pattern matches (at least one).
    Actions { wild: bool, actions: Vec<&'c Action> },
}

fn resolve<'c>(catalog: &'c Catalog, pattern: &str) -> Resolved<'c> {
    let Some((prefix, name)) = pattern.split_once(':') else { return Resolved::Opaque };
    if prefix.contains(['*', '?']) {
        return Resolved::Opaque;
    }
    if name.contains(['*', '?']) {
        let g = Glob::new_ignore_case(name);
        // Names first: the iterator borrows `prefix`, the actions returned must outlive it.
        let names: Vec<&'static str> =
            catalog.actions_of(prefix).filter(|a| g.is_match(a.name)).map(|a| a.name).collect();
        let actions: Vec<&Action> = names.iter().filter_map(|n| catalog.action(prefix, n)).collect();
        if actions.is_empty() {
            return Resolved::Opaque;
        }
        return Resolved::Actions { wild: true, actions };
    }
    match catalog.action(prefix, name) {
        Some(a) => Resolved::Actions { wild: false, actions: vec![a] },
        None => Resolved::Opaque,
    }
}

/// The checks IAM's validator makes on one statement.
fn validate_statement(policy: &Policy, st: &Statement, out: &mut Vec<Finding>) {
    let catalog = Catalog::get();
    let mut resolved = Vec::new();
    // Whether every Action pattern resolved: only then can a condition key or a resource be
    // said to fit none of the statement's actions.
    let mut all_resolved = true;
    let patterns = match &st.action {
        Patterns::Is(v) => v.as_slice(),
        Patterns::Not(v) => v.as_slice(),
    };
    for p in patterns {
        // "Error – Invalid action" / IAM: "Actions/Conditions must be prefaced by a vendor".
        let Some((prefix, name)) = p.split_once(':') else {
            if p != "*" {
                out.push(at(
                    policy,
                    st,
                    Severity::Error,
                    "invalid-action",
                    format!("{p}: an action is service:Action"),
                ));
            }
            all_resolved = false;
            continue;
        };
        if prefix.contains(['*', '?']) {
            out.push(at(
                policy,
                st,
                Severity::Error,
                "invalid-action",
                format!("{p}: the service prefix cannot hold a wildcard (IAM refuses the policy)"),
            ));
            all_resolved = false;
            continue;
        }
        // "Error – Invalid service in action".
        if !catalog.has_service(prefix) {
            out.push(at(
                policy,
                st,
                Severity::Error,
                "unknown-service",
                format!("{p}: no service has the prefix {prefix}"),
            ));
            all_resolved = false;
            continue;
        }
        match resolve(catalog, p) {
            Resolved::Actions { wild, actions } => {
                if matches!(st.action, Patterns::Is(_)) {
                    resolved.push((p.as_str(), wild, actions));
                }
            }
            // "Error – Invalid action": the action does not exist (or the pattern matches none).
            Resolved::Opaque => {
                let what = if name.contains(['*', '?']) { "matches no action of" } else { "is not an action of" };
                out.push(at(policy, st, Severity::Error, "unknown-action", format!("{p} {what} {prefix}")));
                all_resolved = false;
            }
        }
    }
    if matches!(st.action, Patterns::Not(_)) {
        all_resolved = false;
    }
    let resources = match &st.resource {
        Patterns::Is(v) => Some(v.as_slice()),
        Patterns::Not(_) => None,
    };
    for r in resources.into_iter().flatten() {
        // IAM: "Resource must be in ARN format or "*"".
        if r != "*" && !r.starts_with("arn:") {
            out.push(at(policy, st, Severity::Error, "invalid-resource", format!("{r}: a resource is * or an ARN")));
        }
    }
    // "Error – Unsupported resource ARN in policy": every action must fit one of the
    // statement's resources, or the request's resource never matches the statement. An exact
    // action is reported on its own; a pattern when none of its actions fits.
    if let Some(resources) = resources {
        let any = resources.iter().any(|r| pattern(r).is_match("*"));
        if !any {
            for (p, wild, actions) in &resolved {
                let fitting = actions.iter().any(|a| fits(catalog, a, resources));
                if !fitting {
                    let msg = match (wild, actions.first()) {
                        (false, Some(a)) if a.resources.is_empty() => {
                            format!("{p} takes no resource type, so its Resource must be *")
                        }
                        (false, Some(a)) => format!(
                            "{p} acts on {}; no Resource of the statement is one of them",
                            a.resources.iter().map(|r| r.name).collect::<Vec<_>>().join(", ")
                        ),
                        _ => format!(
                            "none of the {} actions {p} matches acts on a Resource of the statement",
                            actions.len()
                        ),
                    };
                    out.push(at(policy, st, Severity::Error, "resource-mismatch", msg));
                }
            }
        }
    }
    for c in &st.conditions {
        let key = c.key.as_str();
        // Global keys (aws:...) apply to every request that has them.
        if key.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("aws:")) {
            continue;
        }
        // "Error – Invalid service condition key".
        if !known_key(catalog, key) {
            out.push(at(policy, st, Severity::Error, "unknown-condition-key", format!("{key} is not a condition key")));
            continue;
        }
        if !all_resolved {
            continue;
        }
        // "Unsupported action for condition key": for an action without the key, a condition
        // on it is false (the statement never allows or denies that action) unless written
        // ...IfExists, which makes it true there; so it matters only when it fits nothing.
        let if_exists = c.operator.ends_with("IfExists");
        let lacking: Vec<&str> = resolved
            .iter()
            .filter(|(_, _, actions)| !actions.iter().any(|a| applies(catalog, a, key)))
            .map(|(p, _, _)| *p)
            .collect();
        if lacking.is_empty() || (if_exists && lacking.len() < resolved.len()) {
            continue;
        }
        let msg = if lacking.len() == resolved.len() {
            format!(
                "{key} applies to none of the statement's actions, so the condition {}",
                never(c.operator.as_str(), st.effect)
            )
        } else {
            format!(
                "{key} does not apply to {}: the statement never {} them",
                lacking.join(", "),
                if st.effect == Effect::Allow { "allows" } else { "denies" }
            )
        };
        out.push(at(policy, st, Severity::Warning, "condition-key-mismatch", msg));
    }
}

fn never(operator: &str, effect: Effect) -> &'static str {
    match (operator.ends_with("IfExists"), effect) {
        (true, _) => "restricts nothing",
        (false, Effect::Allow) => "never holds and the statement allows nothing",
        (false, Effect::Deny) => "never holds and the statement denies nothing",
    }
}

/// Whether a service key exists: exactly, or as a member of a family that one of the
/// service's actions takes (`s3:ExistingObjectTag/<key>`, `kms:EncryptionContext:${EncryptionContextKey}`).
fn known_key(catalog: &Catalog, key: &str) -> bool {
    catalog.condition_key(key).is_some()
        || key.split_once(':').is_some_and(|(prefix, _)| catalog.actions_of(prefix).any(|a| applies(catalog, a, key)))
}

/// Whether `key` applies to the action: the catalog's rule, widened to families whose variable
/// is not a tag key (`kms:EncryptionContext:${EncryptionContextKey}`,
/// `codebuild:secondarySources/${sourceIdentifier}.location`).
fn applies(catalog: &Catalog, a: &Action, key: &str) -> bool {
    if catalog.key_applies(a, key) {
        return true;
    }
    let names = |template: &&str| {
        template.contains(['$', '<']) && Glob::new_ignore_case(&template_as_stars(template)).is_match(key)
    };
    a.condition_keys.iter().any(names)
        || a.resources
            .iter()
            .any(|r| catalog.resource_type(a.prefix, r.name).is_some_and(|rt| rt.condition_keys.iter().any(names)))
}

/// A key family as a pattern: `${Var}` and `<var>` stand for any text.
fn template_as_stars(template: &str) -> String {
    let mut out = String::with_capacity(template.len());
    let mut chars = template.chars().peekable();
    while let Some(c) = chars.next() {
        let close = match (c, chars.peek()) {
            ('$', Some('{')) => '}',
            ('<', _) => '>',
            _ => {
                out.push(c);
                continue;
            }
        };
        out.push('*');
        for d in chars.by_ref() {
            if d == close {
                break;
            }
        }
    }
    out
}

/// A policy resource as a pattern: policy variables (`${aws:username}`) may be anything.
fn pattern(r: &str) -> Glob {
    Glob::new(&vars_as_stars(r))
}

fn vars_as_stars(r: &str) -> String {
    let mut out = String::with_capacity(r.len());
    let mut rest = r;
    while let Some(i) = rest.find("${") {
        out.push_str(&rest[..i]);
        match rest[i..].find('}') {
            Some(j) => {
                out.push('*');
                rest = &rest[i + j + 1..];
            }
            None => {
                rest = &rest[i..];
                break;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Whether one of `resources` can name a resource of one of the action's types.
fn fits(catalog: &Catalog, a: &Action, resources: &[String]) -> bool {
    a.resources.iter().any(|rt| {
        catalog
            .resource_type(a.prefix, rt.name)
            .is_some_and(|t| resources.iter().any(|r| overlap(&vars_as_stars(r), t.glob().as_str())))
    })
}

/// Whether some text matches both wildcard patterns (`*` any run, `?` one character): a walk
/// over pairs of positions, as in the product of the two patterns' automata.
pub fn overlap(a: &str, b: &str) -> bool {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let (n, m) = (a.len(), b.len());
    let mut seen = vec![false; (n + 1) * (m + 1)];
    let mut todo = vec![(0usize, 0usize)];
    while let Some((i, j)) = todo.pop() {
        if std::mem::replace(&mut seen[i * (m + 1) + j], true) {
            continue;
        }
        if i == n && j == m {
            return true;
        }
        let (x, y) = (a.get(i).copied(), b.get(j).copied());
        let mut next = |i: usize, j: usize| {
            if !seen[i * (m + 1) + j] {
                todo.push((i, j));
            }
        };
        if x == Some('*') {
            next(i + 1, j);
            if j < m {
                next(i, j + 1);
            }
        }
        if y == Some('*') {
            next(i, j + 1);
            if i < n {
                next(i + 1, j);
            }
        }
        if let (Some(x), Some(y)) = (x, y)
            && x != '*'
            && y != '*'
            && (x == '?' || y == '?' || x == y)
        {
            next(i + 1, j + 1);
        }
    }
    false
}

/// Rhino Security Labs' privilege-escalation methods that are one IAM action (methods 1-11 and
/// 13 of the article cited at the top; Cloudsplaining's `PRIVILEGE_ESCALATION_METHODS`): each
/// lets a principal give itself, or a principal it controls, more permissions. Those not
/// classed "Permissions management" by AWS are listed; the rest come from the access level.
const ESCALATION: &[&str] = &[
    "iam:CreateAccessKey",
    "iam:CreateLoginProfile",
    "iam:UpdateLoginProfile",
    "iam:AddUserToGroup",
    "iam:UpdateAssumeRolePolicy",
    "iam:CreateUser",
];

/// Verbs of destructive actions: Write actions named so delete data or resources for good.
const DESTRUCTIVE: &[&str] = &["Delete", "Terminate", "Purge", "Destroy"];

fn is_escalation(a: &Action) -> bool {
    a.prefix.eq_ignore_ascii_case("iam")
        && (a.access_level.contains("Permissions management")
            || ESCALATION.iter().any(|e| e.eq_ignore_ascii_case(a.full_name())))
}

fn is_exposure(a: &Action) -> bool {
    !a.prefix.eq_ignore_ascii_case("iam") && a.access_level.contains("Permissions management")
}

fn is_destructive(a: &Action) -> bool {
    // kms:ScheduleKeyDeletion makes every ciphertext under the key unreadable once it runs.
    a.full_name().eq_ignore_ascii_case("kms:ScheduleKeyDeletion")
        || (a.access_level == "Write" && DESTRUCTIVE.iter().any(|v| a.name.starts_with(v)))
}

/// Whether a resource pattern covers every resource of one of the action's types in its
/// account and region: the name parts of the type's ARN filled with a name nobody chose still
/// match it (`arn:aws:ec2:*:*:instance/*`, `arn:aws:s3:::*`).
fn type_wide(catalog: &Catalog, a: &Action, r: &str) -> bool {
    let g = pattern(r);
    if g.is_match("*") {
        return true;
    }
    let parts: Vec<&str> = r.split(':').collect();
    let part = |i: usize, default: &'static str| {
        parts.get(i).copied().filter(|p| !p.is_empty() && !p.contains(['*', '?', '$'])).unwrap_or(default)
    };
    a.resources.iter().any(|rt| {
        catalog.resource_type(a.prefix, rt.name).is_some_and(|t| {
            let arn = ct_iam::arn::fill(t.arn, |v| {
                Some(match v {
                    "Partition" => part(1, "aws"),
                    "Region" => part(3, "us-east-1"),
                    "Account" => part(4, "111122223333"),
                    _ => "ct-lint-any-name",
                })
            });
            g.is_match(&arn)
        })
    })
}

/// Whether a role ARN pattern names more than one role: it is `*`-like or has a wildcard, in
/// any part, and can match a role.
fn wildcard_role(r: &str) -> bool {
    let r = vars_as_stars(r);
    (r.contains(['*', '?'])) && overlap(&r, "arn:*:iam::*:role/*")
}

/// The privilege checks on one Allow statement.
fn risky_statement(policy: &Policy, st: &Statement, out: &mut Vec<Finding>) {
    if st.effect != Effect::Allow {
        return;
    }
    let catalog = Catalog::get();
    // IAM User Guide, "IAM JSON policy elements: NotAction": Allow with NotAction allows every
    // action not listed, of every service, including ones added later.
    if let Patterns::Not(v) = &st.action {
        out.push(at(
            policy,
            st,
            Severity::Warning,
            "not-action",
            format!("Allow with NotAction allows every action except {}, including IAM's", v.join(", ")),
        ));
    }
    // "IAM JSON policy elements: NotResource": Allow with NotResource allows every resource not
    // listed, including ones created later.
    let star = [String::from("*")];
    let resources: &[String] = match &st.resource {
        Patterns::Not(v) => {
            out.push(at(
                policy,
                st,
                Severity::Warning,
                "not-resource",
                format!("Allow with NotResource allows every resource except {}", v.join(", ")),
            ));
            // Every other resource: the grants are checked as if on *.
            &star
        }
        Patterns::Is(v) => v,
    };
    let on_all = resources.iter().any(|r| pattern(r).is_match("*"));
    let Patterns::Is(actions) = &st.action else { return };
    for p in actions {
        // `*` and `service:*` on every resource: administrator of the account or the service
        // (IAM User Guide, "Security best practices: Apply least-privilege permissions").
        let service_wide = p == "*" || p.split_once(':').is_some_and(|(_, n)| n.chars().all(|c| c == '*'));
        if service_wide && on_all {
            let msg = if p.split_once(':').is_none() {
                "* on every resource allows every action of every service: administrator access".to_string()
            } else {
                format!("{p} on every resource allows every action of the service, present and future")
            };
            out.push(at(policy, st, Severity::Warning, "service-wildcard", msg));
            continue;
        }
        let matched: Vec<&Action> = match resolve(catalog, p) {
            Resolved::Actions { actions, .. } => actions,
            Resolved::Opaque => continue,
        };
        let named = |list: &[&Action]| -> String {
            let mut names: Vec<&str> = list.iter().map(|a| a.full_name()).collect();
            names.sort_unstable();
            let more = names.len().saturating_sub(4);
            names.truncate(4);
            let mut s = names.join(", ");
            if more > 0 {
                s.push_str(&format!(" and {more} more"));
            }
            s
        };
        let via = |list: &[&Action]| {
            if list.len() == 1 && list[0].full_name().eq_ignore_ascii_case(p) {
                String::new()
            } else {
                format!("{p} allows ")
            }
        };
        // Access Analyzer, "Security warning – Pass role with star in resource": passing any
        // role lets the caller hand a service a more privileged role than its own (Rhino,
        // methods 3 and 15-21). iam:PassedToService at least limits which services receive it.
        let pass: Vec<&Action> =
            matched.iter().copied().filter(|a| a.full_name().eq_ignore_ascii_case("iam:PassRole")).collect();
        if !pass.is_empty() {
            let wild: Vec<&str> = resources.iter().map(String::as_str).filter(|r| wildcard_role(r)).collect();
            if !wild.is_empty() {
                let limited = st.conditions.iter().any(|c| c.key.eq_ignore_ascii_case("iam:PassedToService"));
                out.push(at(
                    policy,
                    st,
                    Severity::Warning,
                    "passrole-wildcard",
                    format!(
                        "{}iam:PassRole on {}: any role there can be passed to a service{}",
                        via(&pass),
                        wild.join(", "),
                        if limited { "" } else { ", and no iam:PassedToService condition limits which" }
                    ),
                ));
            }
        }
        // Assuming any role is as much as the most privileged role that trusts the account
        // (Rhino, method 13 and the sts:AssumeRole half of methods 9, 12).
        let assume: Vec<&Action> =
            matched.iter().copied().filter(|a| a.full_name().eq_ignore_ascii_case("sts:AssumeRole")).collect();
        if !assume.is_empty() {
            let wild: Vec<&str> = resources.iter().map(String::as_str).filter(|r| wildcard_role(r)).collect();
            if !wild.is_empty() {
                out.push(at(
                    policy,
                    st,
                    Severity::Warning,
                    "assume-role-wildcard",
                    format!(
                        "{}sts:AssumeRole on {}: any role there that trusts the account can be assumed",
                        via(&assume),
                        wild.join(", ")
                    ),
                ));
            }
        }
        let esc: Vec<&Action> = matched.iter().copied().filter(|a| is_escalation(a)).collect();
        if !esc.is_empty() {
            out.push(at(
                policy,
                st,
                Severity::Warning,
                "privilege-escalation",
                format!(
                    "{}{}: {} permissions, so a principal allowed {} can raise its own privileges",
                    via(&esc),
                    named(&esc),
                    if esc.len() == 1 { "grants" } else { "these grant" },
                    if esc.len() == 1 { "it" } else { "them" }
                ),
            ));
        }
        // Cloudsplaining's "Resource Exposure": Permissions management actions of other
        // services change resource policies and grants (s3:PutBucketPolicy, kms:CreateGrant).
        let exp: Vec<&Action> = matched.iter().copied().filter(|a| is_exposure(a)).collect();
        if !exp.is_empty() {
            out.push(at(
                policy,
                st,
                Severity::Warning,
                "resource-exposure",
                format!(
                    "{}{}: {} who may use a resource, and can open it to anyone",
                    via(&exp),
                    named(&exp),
                    if exp.len() == 1 { "changes" } else { "these change" }
                ),
            ));
        }
        let gone: Vec<&Action> = matched
            .iter()
            .copied()
            .filter(|a| is_destructive(a) && !is_escalation(a))
            .filter(|a| resources.iter().any(|r| type_wide(catalog, a, r)))
            .collect();
        if !gone.is_empty() {
            out.push(at(
                policy,
                st,
                Severity::Warning,
                "destructive-wildcard",
                format!(
                    "{}{} on every resource of the type: one call can destroy any of them",
                    via(&gone),
                    named(&gone)
                ),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlap_of_two_patterns() {
        assert!(overlap("arn:aws:s3:::b/*", "arn:*:s3:::*/*"));
        assert!(!overlap("arn:aws:s3:::b", "arn:*:s3:::*/*"));
        assert!(overlap("*", "arn:*:s3:::*/*"));
        assert!(overlap("arn:aws:s3:::*", "arn:*:s3:::*/*"));
        assert!(overlap("a?c", "*b*"));
        assert!(!overlap("abc", "*d*"));
        assert!(!overlap("a?c", "x*"));
        assert!(overlap("a*c", "*b*?"));
        assert!(overlap("", "*"));
        assert!(!overlap("", "?"));
        assert!(overlap("arn:aws:iam::1:role/x", "arn:*:iam::*:role/*"));
    }

    #[test]
    fn size_skips_whitespace_outside_strings_only() {
        assert_eq!(size("{ \"a b\" : [ 1 ,\n 2 ] }"), "{\"a b\":[1,2]}".len());
        assert_eq!(size(r#"{"a\" b":1}"#), r#"{"a\" b":1}"#.len());
    }

    #[test]
    fn key_families() {
        assert_eq!(template_as_stars("kms:EncryptionContext:${EncryptionContextKey}"), "kms:EncryptionContext:*");
        assert_eq!(template_as_stars("s3:ExistingObjectTag/<key>"), "s3:ExistingObjectTag/*");
        let c = Catalog::get();
        assert!(known_key(c, "kms:EncryptionContext:purpose"));
        assert!(known_key(c, "codebuild:secondarySources/src1.location"));
        assert!(known_key(c, "s3:ExistingObjectTag/team"));
        assert!(!known_key(c, "s3:NoSuchKey"));
        assert!(!known_key(c, "nosuchservice:Key"));
        let decrypt = c.action("kms", "Decrypt").unwrap();
        assert!(applies(c, decrypt, "kms:EncryptionContext:purpose"));
        assert!(!applies(c, decrypt, "s3:prefix"));
    }

    #[test]
    fn variables_are_wildcards() {
        assert_eq!(vars_as_stars("arn:aws:iam::1:user/${aws:username}"), "arn:aws:iam::1:user/*");
        assert_eq!(vars_as_stars("a${b"), "a${b");
    }
}
