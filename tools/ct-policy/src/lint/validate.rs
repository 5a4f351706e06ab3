//! The checks IAM's validator makes on one statement: actions, resources, condition keys and
//! their operators, checked against the embedded action catalog.

use ct_common::glob::Glob;
use ct_iam::Catalog;
use ct_iam::catalog::Action;
use ct_iam::policy::{Effect, Patterns, Policy, Statement};

use super::patterns::{overlap, pattern, template_as_stars, vars_as_stars};
use super::{Finding, Severity, at};

/// What one Action pattern stands for in the catalog.
pub(super) enum Resolved<'c> {
    /// `*`, a wildcard service prefix, or a malformed or unknown one: not checked further.
    Opaque,
    /// The actions an exact name or a pattern matches (at least one).
    Actions { wild: bool, actions: Vec<&'c Action> },
}

pub(super) fn resolve<'c>(catalog: &'c Catalog, pattern: &str) -> Resolved<'c> {
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
pub(super) fn validate_statement(policy: &Policy, st: &Statement, out: &mut Vec<Finding>) {
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
pub(super) fn known_key(catalog: &Catalog, key: &str) -> bool {
    catalog.condition_key(key).is_some()
        || key.split_once(':').is_some_and(|(prefix, _)| catalog.actions_of(prefix).any(|a| applies(catalog, a, key)))
}

/// Whether `key` applies to the action: the catalog's rule, widened to families whose variable
/// is not a tag key (`kms:EncryptionContext:${EncryptionContextKey}`,
/// `codebuild:secondarySources/${sourceIdentifier}.location`).
pub(super) fn applies(catalog: &Catalog, a: &Action, key: &str) -> bool {
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

/// Whether one of `resources` can name a resource of one of the action's types.
fn fits(catalog: &Catalog, a: &Action, resources: &[String]) -> bool {
    a.resources.iter().any(|rt| {
        catalog
            .resource_type(a.prefix, rt.name)
            .is_some_and(|t| resources.iter().any(|r| overlap(&vars_as_stars(r), t.glob().as_str())))
    })
}
