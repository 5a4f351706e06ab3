//! What identity policies allow that nothing in the logs used, Allow statement by statement:
//! the question a team asks first when it tightens a role.
//!
//! Each call seen (from an event or an action record, through check's `Gate`) is tried
//! against every Allow statement on its own, with IAM's rules for whether a statement applies
//! (IAM User Guide, "Policy evaluation logic"). A statement the logs cannot settle (Unknown)
//! counts as used: calling it unused would lead to removing a permission the job needs.

use std::collections::{BTreeMap, BTreeSet};

use ct_common::glob::Glob;
use ct_iam::Catalog;
use ct_iam::eval::{self, Context, Mode, Request, Tri};
use ct_iam::policy::{Effect, Patterns, Policy, Statement};
use serde::Serialize;

/// One unused grant, as written to stdout.
#[derive(Debug, Serialize, Clone, PartialEq, Eq)]
pub struct Finding {
    /// `statement`, `service`, `action` or `resource`.
    pub kind: &'static str,
    pub policy: String,
    /// The Sid, or `#N` for the Nth statement without one.
    pub statement: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    /// statement: how many actions it allows; service: how many of the service's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub count: Option<usize>,
    /// resource: the actions used through the statement, none of them on this pattern.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub actions: Vec<String>,
    /// service, action: the statement's Action patterns that allow them (none for NotAction).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub patterns: Vec<String>,
}

impl Finding {
    fn new(kind: &'static str, policy: &Policy, st: &Statement) -> Finding {
        Finding {
            kind,
            policy: policy.name.clone(),
            statement: st.id.clone(),
            service: None,
            action: None,
            resource: None,
            count: None,
            actions: Vec::new(),
            patterns: Vec::new(),
        }
    }

    /// `POLICY: statement SID: unused ...`, for people.
    pub fn text(&self) -> String {
        let at = format!("{}: statement {}", self.policy, self.statement);
        let by = if self.patterns.is_empty() { String::new() } else { format!(" (by {})", self.patterns.join(", ")) };
        let count = self.count.unwrap_or(0);
        let actions = if count == 1 { "action" } else { "actions" };
        match self.kind {
            "statement" => format!("{at}: unused statement: allows {count} {actions}, no call used any"),
            "service" => {
                format!("{at}: unused service {}: {count} {actions}{by}", self.service.as_deref().unwrap_or(""))
            }
            "action" => format!("{at}: unused action {}{by}", self.action.as_deref().unwrap_or("")),
            _ => format!(
                "{at}: unused resource {}: matched by no call of {}",
                self.resource.as_deref().unwrap_or(""),
                self.actions.join(", ")
            ),
        }
    }
}

/// What the calls used of one Allow statement.
struct Stmt {
    policy: usize,
    index: usize,
    /// The statement once per Resource pattern, with that pattern alone: whether a call
    /// matched that pattern is whether that copy applies to it.
    single: Vec<Statement>,
    matched: Vec<bool>,
    /// Actions used, by lower-cased name: the name as the call gave it, and whether some call
    /// settled it (True; otherwise only Unknown decisions counted it).
    used: BTreeMap<String, (String, bool)>,
}

/// The Allow statements of a set of policies and what the calls used of them.
pub struct Unused {
    policies: Vec<Policy>,
    stmts: Vec<Stmt>,
    /// Uses handed in (one per action of a call, or per action record).
    pub calls: u64,
}

/// The findings and the counts for the summary.
pub struct Report {
    pub findings: Vec<Finding>,
    /// Allow statements looked at.
    pub statements: usize,
    /// Grants (statement and action) counted as used on Unknown decisions alone.
    pub unknown: usize,
}

impl Unused {
    pub fn new(policies: &[Policy]) -> Unused {
        let mut stmts = Vec::new();
        for (pi, p) in policies.iter().enumerate() {
            for (si, st) in p.statements.iter().enumerate() {
                // Deny statements grant nothing, so nothing of them can be unused.
                if st.effect != Effect::Allow {
                    continue;
                }
                // NotResource lists exceptions, not grants: nothing to report per pattern.
                let single: Vec<Statement> = match &st.resource {
                    Patterns::Is(list) => list
                        .iter()
                        .map(|r| Statement { resource: Patterns::Is(vec![r.clone()]), ..st.clone() })
                        .collect(),
                    Patterns::Not(_) => Vec::new(),
                };
                let matched = vec![false; single.len()];
                stmts.push(Stmt { policy: pi, index: si, single, matched, used: BTreeMap::new() });
            }
        }
        Unused { policies: policies.to_vec(), stmts, calls: 0 }
    }

    /// One use of `action` on `targets` (check's targets: ARNs, `*`, or None for a resource
    /// the logs do not name), in context `ctx`.
    pub fn call(&mut self, action: &str, targets: &[Option<String>], ctx: &Context) {
        self.calls += 1;
        let key = action.to_ascii_lowercase();
        for s in &mut self.stmts {
            let p = &self.policies[s.policy];
            let st = &p.statements[s.index];
            // Nothing left to learn from this action (the common case on a long trail).
            if s.used.get(&key).is_some_and(|u| u.1) && s.matched.iter().all(|&m| m) {
                continue;
            }
            for t in targets {
                let req = Request { action, resource: t.as_deref(), context: ctx, mode: Mode::Check };
                let applies = eval::statement_applies(p, st, &req);
                if applies == Tri::False {
                    continue;
                }
                let u = s.used.entry(key.clone()).or_insert_with(|| (action.to_string(), false));
                u.1 |= applies == Tri::True;
                for (one, m) in s.single.iter().zip(s.matched.iter_mut()) {
                    if !*m && eval::statement_applies(p, one, &req) != Tri::False {
                        *m = true;
                    }
                }
            }
        }
    }

    /// What each Allow statement allows that no call used.
    pub fn report(&self) -> Report {
        let mut findings = Vec::new();
        let mut unknown = 0;
        for s in &self.stmts {
            let p = &self.policies[s.policy];
            let st = &p.statements[s.index];
            unknown += s.used.values().filter(|u| !u.1).count();
            let (allowed, unresolved) = expand(&st.action);
            if s.used.is_empty() {
                let mut f = Finding::new("statement", p, st);
                f.count = Some(allowed.values().map(Vec::len).sum::<usize>() + unresolved.len());
                findings.push(f);
                continue;
            }
            let by = |name: &str| -> Vec<String> {
                match &st.action {
                    Patterns::Is(list) => {
                        list.iter().filter(|pat| Glob::new_ignore_case(pat).is_match(name)).cloned().collect()
                    }
                    Patterns::Not(_) => Vec::new(),
                }
            };
            for (service, actions) in &allowed {
                let unused: Vec<&String> =
                    actions.iter().filter(|a| !s.used.contains_key(&a.to_ascii_lowercase())).collect();
                if unused.len() == actions.len() {
                    // One line for the service: `*` would otherwise write every action there is.
                    let mut f = Finding::new("service", p, st);
                    f.service = Some(service.clone());
                    f.count = Some(actions.len());
                    let mut patterns: BTreeSet<String> = BTreeSet::new();
                    actions.iter().for_each(|a| patterns.extend(by(a)));
                    f.patterns = patterns.into_iter().collect();
                    findings.push(f);
                    continue;
                }
                for a in unused {
                    let mut f = Finding::new("action", p, st);
                    f.action = Some(a.clone());
                    f.patterns = by(a);
                    findings.push(f);
                }
            }
            // Names outside the catalog (a new action, a misspelling): unused unless a call
            // of that name was seen.
            for pattern in unresolved {
                let g = Glob::new_ignore_case(&pattern);
                if !s.used.values().any(|u| g.is_match(&u.0)) {
                    let mut f = Finding::new("action", p, st);
                    f.action = Some(pattern.clone());
                    f.patterns = vec![pattern];
                    findings.push(f);
                }
            }
            let Patterns::Is(resources) = &st.resource else { continue };
            let mut used: Vec<String> = s.used.values().map(|u| u.0.clone()).collect();
            used.sort();
            for (r, _) in resources.iter().zip(&s.matched).filter(|(_, m)| !**m) {
                let mut f = Finding::new("resource", p, st);
                f.resource = Some(r.clone());
                f.actions = used.clone();
                findings.push(f);
            }
        }
        Report { findings, statements: self.stmts.len(), unknown }
    }
}

/// The catalog actions an Action or NotAction element allows, by service prefix, sorted; and
/// the Action patterns that match no catalog action (kept as written).
fn expand(patterns: &Patterns) -> (BTreeMap<String, Vec<String>>, Vec<String>) {
    let catalog = Catalog::get();
    let (list, negated) = match patterns {
        Patterns::Is(l) => (l, false),
        Patterns::Not(l) => (l, true),
    };
    // Matched as the evaluator matches them: the whole `service:Action`, case-insensitively
    // (IAM User Guide, "IAM JSON policy elements: Action"), so `s3*` and `*` span services.
    let globs: Vec<Glob> = list.iter().map(|p| Glob::new_ignore_case(p)).collect();
    let every_service =
        negated || list.iter().any(|p| p.split_once(':').is_none_or(|(service, _)| service.contains(['*', '?'])));
    let services: BTreeSet<String> = if every_service {
        catalog.prefixes().map(String::from).collect()
    } else {
        list.iter().filter_map(|p| p.split_once(':')).map(|(s, _)| s.to_ascii_lowercase()).collect()
    };
    let mut out = BTreeMap::new();
    for service in &services {
        let mut names: Vec<String> = catalog
            .actions_of(service)
            .map(|a| a.full_name())
            .filter(|n| globs.iter().any(|g| g.is_match(n)) != negated)
            .map(String::from)
            .collect();
        if !names.is_empty() {
            names.sort();
            out.insert(service.clone(), names);
        }
    }
    let unresolved = if negated {
        Vec::new()
    } else {
        list.iter()
            .zip(&globs)
            .filter(|(_, g)| !out.values().flatten().any(|n| g.is_match(n)))
            .map(|(p, _)| p.clone())
            .collect()
    };
    (out, unresolved)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn is(l: &[&str]) -> Patterns {
        Patterns::Is(l.iter().map(|s| s.to_string()).collect())
    }

    #[test]
    fn patterns_expand_across_services_and_keep_unknown_names() {
        let (all, unresolved) = expand(&is(&["*"]));
        assert!(all.len() > 300 && unresolved.is_empty());
        let (some, unresolved) = expand(&is(&["s3:Get*", "S3:putobject", "sqs:NoSuchThing"]));
        assert_eq!(some.keys().collect::<Vec<_>>(), ["s3"]);
        assert!(some["s3"].contains(&"s3:PutObject".to_string()));
        assert!(some["s3"].contains(&"s3:GetObject".to_string()));
        assert!(!some["s3"].contains(&"s3:ListBucket".to_string()));
        assert_eq!(unresolved, ["sqs:NoSuchThing"]);
    }

    #[test]
    fn not_action_is_every_other_action() {
        let (all, _) = expand(&is(&["*"]));
        let (not, unresolved) = expand(&Patterns::Not(vec!["iam:*".into(), "s3:GetObject".into()]));
        assert!(!not.contains_key("iam") && unresolved.is_empty());
        assert_eq!(not["s3"].len() + 1, all["s3"].len());
        assert_eq!(not["ec2"], all["ec2"]);
    }
}
