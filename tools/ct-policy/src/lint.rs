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

mod patterns;
mod risky;
mod validate;

use std::collections::HashMap;

use ct_iam::policy::{Effect, Patterns, Policy, Statement};
use serde::Serialize;

use crate::generate::MAX_POLICY_CHARS;

pub use patterns::overlap;
use risky::risky_statement;
use validate::validate_statement;

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

#[cfg(test)]
mod tests {
    use ct_iam::Catalog;

    use super::patterns::{template_as_stars, vars_as_stars};
    use super::validate::{applies, known_key};
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
