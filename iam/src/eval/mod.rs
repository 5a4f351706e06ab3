//! Evaluating identity policies, as IAM does, with a third answer for the logs' blind spots.
//!
//! Semantics from the IAM User Guide ("Policy evaluation logic", "IAM JSON policy elements:
//! Condition operators", "Creating a condition with multiple keys or values", "IAM policy
//! elements: Variables and tags"): an explicit Deny wins, an Allow is needed, and without one
//! the request is implicitly denied. Actions match case-insensitively, ARNs case-sensitively.
//!
//! CloudTrail does not record every condition key a request carried (principal and resource
//! tags, organisation ids, ...). In `Check` mode a condition on a key the logs cannot show is
//! Unknown, never guessed; in `Simulate` mode a key not given is absent, as in IAM.
//!
//! The request and its context are in `crate::request`, the operators in `crate::operator`;
//! here, beside the statements' matching and the decision: one condition (`condition`) and
//! policy variables (`variables`).

mod condition;
mod variables;

use ct_common::glob::Glob;

use self::condition::{Quant, condition};
pub use self::variables::arn_match_parts;
use self::variables::{Pattern, Subst, substitute_resource};
use crate::policy::{Effect, Patterns, Policy, Statement};
pub use crate::request::{Context, Known, Mode, Request, Scope, Tri, observable};

/// The decision for one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Decision {
    Allow,
    ExplicitDeny,
    ImplicitDeny,
    /// The decision depends on a condition key the logs cannot show.
    Unknown,
}

impl Decision {
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Allow => "Allow",
            Decision::ExplicitDeny => "ExplicitDeny",
            Decision::ImplicitDeny => "ImplicitDeny",
            Decision::Unknown => "Unknown",
        }
    }
}

/// The decision with what made it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub decision: Decision,
    /// `policy: statement` of the statement that decided (explicit deny, allow, or the one
    /// whose conditions could not be read).
    pub statement: Option<String>,
    /// For Unknown: the keys the logs could not show.
    pub unknown_keys: Vec<String>,
}

/// ARN matching for the Resource element (`resource_match`), case-sensitive.
pub fn arn_match(pattern: &str, arn: &str) -> bool {
    crate::resource_match::matches_text(pattern, arn, false)
}

/// How `pattern` (whose match is `matches`) settles `resource`, an ARN the logs showed only in
/// part (`instance/*`): True only if it matches whatever stands there, tried with stand-ins of
/// one and of eight characters the pattern does not hold (so that neither a run of `?`, which
/// fits one length only, nor a literal passes for a `*`); False if no name there could match
/// (another type, region or account); Unknown otherwise.
pub fn placeholder(pattern: &str, resource: &str, wide: bool, matches: impl Fn(&str) -> bool) -> Tri {
    let c = ('\u{E000}'..='\u{F8FF}').find(|&c| !pattern.contains(c)).unwrap_or('\u{1}');
    let fits = |n: usize| matches(&resource.replace('*', &c.to_string().repeat(n)));
    if fits(1) && fits(8) {
        Tri::True
    } else if placeholder_may_match(pattern, resource, wide) {
        Tri::Unknown
    } else {
        Tri::False
    }
}

/// Whether some name in place of the `*`s of `resource` (an ARN the logs showed in part) could
/// match `pattern`: their literal starts and ends must agree (one a prefix, or suffix, of the
/// other). `fold`, for a Deny, compares without case, so that it stays possible more often.
pub fn placeholder_may_match(pattern: &str, resource: &str, fold: bool) -> bool {
    let (p, r) = if fold {
        (pattern.to_ascii_lowercase(), resource.to_ascii_lowercase())
    } else {
        (pattern.to_string(), resource.to_string())
    };
    if !p.contains(['*', '?']) {
        // An exact ARN is one of the names when the resource, read as a pattern, matches it.
        return crate::resource_match::matches_text(&r, &p, false);
    }
    let lit_start = |s: &str| s.find(['*', '?']).unwrap_or(s.len());
    let (pp, rp) = (&p[..lit_start(&p)], &r[..lit_start(&r)]);
    let lit_end = |s: &str| s.rfind(['*', '?']).map_or(0, |i| i + 1);
    let (ps, rs) = (&p[lit_end(&p)..], &r[lit_end(&r)..]);
    (pp.starts_with(rp) || rp.starts_with(pp)) && (ps.ends_with(rs) || rs.ends_with(ps))
}

fn action_matches(patterns: &Patterns, action: &str) -> bool {
    let hit = |list: &[String]| list.iter().any(|p| Glob::new_ignore_case(p).is_match(action));
    match patterns {
        Patterns::Is(l) => hit(l),
        Patterns::Not(l) => !hit(l),
    }
}

fn resource_matches(
    patterns: &Patterns,
    req: &Request<'_>,
    vars: bool,
    effect: Effect,
    unknown: &mut Vec<String>,
) -> Tri {
    let deny = effect == Effect::Deny;
    // Read wide where matching more refuses more (`resource_match::matches`).
    let wide = deny == matches!(patterns, Patterns::Is(_));
    let Some(resource) = req.resource else {
        // The logs do not name the resource: only `*` settles it.
        return match patterns {
            Patterns::Is(l) if l.iter().any(|p| p == "*") => Tri::True,
            Patterns::Not(l) if l.iter().any(|p| p == "*") => Tri::False,
            _ => {
                unknown.push("the resource".into());
                Tri::Unknown
            }
        };
    };
    let mut any_unknown = false;
    let mut hit = false;
    let list = match patterns {
        Patterns::Is(l) | Patterns::Not(l) => l,
    };
    for p in list {
        let p = if vars {
            match substitute_resource(p, req.context, req.mode) {
                Subst::Text(t) => t,
                Subst::Missing { key, observable: false } => {
                    unknown.push(key);
                    any_unknown = true;
                    continue;
                }
                // A variable without a value. IAM User Guide, "IAM policy elements: Variables
                // and tags": for a key not in the request, "the policy element evaluates to
                // false" without a default. That reads clearly for an Allow (it grants
                // nothing there); for a Deny it would switch the Deny off because a key is
                // missing, which the guide does not spell out, so ct reads the pattern as
                // the one that keeps the Deny: matching under Resource, not matching under
                // NotResource.
                Subst::Missing { .. } => match (deny, patterns) {
                    (true, Patterns::Is(_)) => {
                        hit = true;
                        continue;
                    }
                    (true, Patterns::Not(_)) => continue,
                    (false, Patterns::Not(_)) => return Tri::False,
                    (false, Patterns::Is(_)) => continue,
                },
            }
        } else {
            Pattern { text: p.clone(), pieces: None }
        };
        let m = if req.mode == Mode::Check && resource != "*" && resource.contains('*') {
            // A placeholder (`instance/*`): the real ARN is one the logs did not show.
            placeholder(&p.text, resource, wide, |arn| p.arn_match(arn, wide))
        } else {
            Tri::from(p.arn_match(resource, wide))
        };
        match m {
            Tri::True => hit = true,
            Tri::Unknown => {
                any_unknown = true;
                if !unknown.iter().any(|k| k == "the resource") {
                    unknown.push("the resource".into());
                }
            }
            Tri::False => {}
        }
    }
    let is = if hit {
        Tri::True
    } else if any_unknown {
        Tri::Unknown
    } else {
        Tri::False
    };
    match patterns {
        Patterns::Is(_) => is,
        Patterns::Not(_) => match is {
            Tri::True => Tri::False,
            Tri::False => Tri::True,
            Tri::Unknown => Tri::Unknown,
        },
    }
}

fn applies(st: &Statement, req: &Request<'_>, vars: bool, scope: Scope, unknown: &mut Vec<String>) -> Tri {
    if !action_matches(&st.action, req.action) {
        return Tri::False;
    }
    let quant = if st.effect == Effect::Allow { Quant::All } else { Quant::Any };
    let mut t = match &st.principal {
        None => Tri::True,
        Some(p) => crate::principal::matches(p, req, st.effect, scope, unknown),
    };
    if t == Tri::False {
        return t;
    }
    t = t.and(resource_matches(&st.resource, req, vars, st.effect, unknown));
    for c in &st.conditions {
        if t == Tri::False {
            break;
        }
        t = t.and(condition(c, req, vars, quant, unknown));
    }
    t
}

/// Whether one statement of `policy` applies to a request, whatever its other statements say
/// (for ct-policy unused: what each Allow statement was needed for). Unknown when the logs
/// cannot settle it.
pub fn statement_applies(policy: &Policy, st: &Statement, req: &Request<'_>) -> Tri {
    applies(st, req, policy.variables(), Scope::Any, &mut Vec::new())
}

/// Actions that need no permission and that no policy can deny: "No permissions are required
/// to perform this operation. If an administrator attaches a policy to your identity that
/// explicitly denies access to the sts:GetCallerIdentity action, you can still perform this
/// operation" (AWS STS API Reference, GetCallerIdentity).
pub fn always_allowed(action: &str) -> bool {
    action.eq_ignore_ascii_case("sts:GetCallerIdentity")
}

/// The statement named for an action that needs no permission.
pub const ALWAYS_ALLOWED: &str = "needs no permission (AWS STS API Reference, GetCallerIdentity)";

/// What one set of policies says about a request: the first statement of each kind that
/// applies (`True`) or might (`Unknown`), and the keys that left it open.
#[derive(Debug, Clone, Default)]
pub struct Scan {
    pub deny: Option<String>,
    pub deny_unknown: Option<String>,
    pub allow: Option<String>,
    pub allow_unknown: Option<String>,
    pub keys: Vec<String>,
}

impl Scan {
    /// Whether these policies allow the request (not counting their denies).
    pub fn allows(&self) -> Tri {
        if self.allow.is_some() {
            Tri::True
        } else if self.allow_unknown.is_some() {
            Tri::Unknown
        } else {
            Tri::False
        }
    }
}

/// Reads every statement of `policies` against the request; `label` prefixes the statements
/// named (`permissions boundary`, `SCP level 1`), `scope` reads their Principal elements.
pub fn scan(policies: &[Policy], req: &Request<'_>, label: &str, scope: Scope) -> Scan {
    let mut out = Scan::default();
    for p in policies {
        for st in &p.statements {
            let mut unknown = Vec::new();
            let t = applies(st, req, p.variables(), scope, &mut unknown);
            let id = || {
                if label.is_empty() {
                    format!("{}: {}", p.name, st.id)
                } else {
                    format!("{label} {}: {}", p.name, st.id)
                }
            };
            match (st.effect, t) {
                (Effect::Deny, Tri::True) => out.deny = out.deny.take().or_else(|| Some(id())),
                (Effect::Deny, Tri::Unknown) => {
                    out.deny_unknown = out.deny_unknown.take().or_else(|| Some(id()));
                    out.keys.extend(unknown);
                }
                (Effect::Allow, Tri::True) => out.allow = out.allow.take().or_else(|| Some(id())),
                (Effect::Allow, Tri::Unknown) => {
                    out.allow_unknown = out.allow_unknown.take().or_else(|| Some(id()));
                    out.keys.extend(unknown);
                }
                (_, Tri::False) => {}
            }
        }
    }
    out.keys.sort();
    out.keys.dedup();
    out
}

/// Decides one request against a set of identity policies.
pub fn evaluate(policies: &[Policy], req: &Request<'_>) -> Outcome {
    if always_allowed(req.action) {
        return Outcome { decision: Decision::Allow, statement: Some(ALWAYS_ALLOWED.into()), unknown_keys: Vec::new() };
    }
    let sc = scan(policies, req, "", Scope::Any);
    let out = |decision, statement, unknown_keys| Outcome { decision, statement, unknown_keys };
    if let Some(s) = sc.deny {
        return out(Decision::ExplicitDeny, Some(s), Vec::new());
    }
    match (sc.allow, sc.deny_unknown, sc.allow_unknown) {
        (Some(s), None, _) => out(Decision::Allow, Some(s), Vec::new()),
        (Some(_), Some(d), _) => out(Decision::Unknown, Some(d), sc.keys),
        (None, _, Some(a)) => out(Decision::Unknown, Some(a), sc.keys),
        (None, _, None) => out(Decision::ImplicitDeny, None, Vec::new()),
    }
}
