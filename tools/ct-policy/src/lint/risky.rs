//! The grants that let a principal escalate its privileges or destroy broadly (Rhino Security
//! Labs' methods, the catalog's "Permissions management" access level, destructive verbs).

use ct_iam::Catalog;
use ct_iam::catalog::Action;
use ct_iam::policy::{Effect, Patterns, Policy, Statement};

use super::patterns::{overlap, pattern, vars_as_stars};
use super::validate::{Resolved, resolve};
use super::{Finding, Severity, at};

/// Rhino Security Labs' privilege-escalation methods that are one IAM action (methods 1-11 and
/// 13 of the article cited at the top of lint.rs; Cloudsplaining's
/// `PRIVILEGE_ESCALATION_METHODS`): each lets a principal give itself, or a principal it
/// controls, more permissions. Those not classed "Permissions management" by AWS are listed;
/// the rest come from the access level.
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
pub(super) fn risky_statement(policy: &Policy, st: &Statement, out: &mut Vec<Finding>) {
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
