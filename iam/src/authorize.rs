//! The whole authorization of a request: every policy type, in the order AWS reads them.
//!
//! IAM User Guide, "Policy evaluation logic" and "How AWS enforcement code logic evaluates
//! requests to allow or deny access":
//! 1. an explicit Deny in any policy (identity, resource-based, permissions boundary, session,
//!    SCP, RCP) refuses the request;
//! 2. the SCPs must allow it at every level of the organisation, from the root to the
//!    account (an SCP that allows nothing there is an implicit deny);
//! 3. RCPs can only deny: AWS attaches RCPFullAWSAccess at every level, and "RCPs alone are
//!    not sufficient in granting permissions" — so an RCP's Allow statements change nothing;
//! 4. an identity-based policy must allow it, or, in the resource's own account, a
//!    resource-based policy that names the caller ("Within the same account ... the result
//!    is the union"); across accounts both must ("Cross-account policy evaluation logic");
//! 5. the permissions boundary and the session policy, when there are, must allow it too.
//!
//! Readings ct chooses where the guide leaves room, each so that no Deny is lost and nothing
//! is allowed that AWS might refuse:
//! - A resource-based policy's Allow in the same account does not pass over a boundary or a
//!   session policy (AWS lets a grant to a user's ARN or a session's ARN do so; ct does not
//!   distinguish the grants, so it asks for the boundary's and the session policy's Allow).
//! - A resource whose account ct cannot tell (an S3 bucket's ARN has none; give
//!   `aws:ResourceAccount` to settle it) is read as in another account: both the identity
//!   policy and the resource-based policy must allow.
//! - Resource-based policies count only where given: ct cannot see a policy it was not given,
//!   so a resource without one is judged on the principal's policies alone.
//! - SCPs and RCPs apply to every request: AWS exempts the management account and
//!   service-linked roles, which the caller of ct must leave out of the SCPs it gives.

use crate::eval::{self, Decision, Mode, Outcome, Request, Scan, Scope, Tri};
use crate::policy::Policy;

/// A resource-based policy and the resources it is attached to (an ARN pattern).
#[derive(Debug, Clone)]
pub struct ResourcePolicy {
    pub pattern: String,
    pub policy: Policy,
}

/// Every policy that takes part in a decision.
#[derive(Debug, Clone, Default)]
pub struct PolicySet {
    /// The principal's identity-based policies (inline, managed, its groups').
    pub identity: Vec<Policy>,
    /// Its permissions boundary.
    pub boundary: Option<Vec<Policy>>,
    /// The session policy passed when the role was assumed.
    pub session: Option<Vec<Policy>>,
    /// SCPs, one entry per level of the organisation (root, OUs, account).
    pub scps: Vec<Vec<Policy>>,
    /// RCPs, one entry per level.
    pub rcps: Vec<Vec<Policy>>,
    pub resource: Vec<ResourcePolicy>,
}

impl PolicySet {
    /// Only identity-based policies: the decision is `eval::evaluate`'s.
    pub fn identity_only(&self) -> bool {
        self.boundary.is_none()
            && self.session.is_none()
            && self.scps.is_empty()
            && self.rcps.is_empty()
            && self.resource.is_empty()
    }

    /// Every policy, for listings.
    pub fn all(&self) -> impl Iterator<Item = &Policy> {
        self.identity
            .iter()
            .chain(self.boundary.iter().flatten())
            .chain(self.session.iter().flatten())
            .chain(self.scps.iter().flatten())
            .chain(self.rcps.iter().flatten())
            .chain(self.resource.iter().map(|r| &r.policy))
    }
}

/// The account of an ARN, when it names one (not `*`).
fn arn_account(arn: &str) -> Option<&str> {
    crate::arn::account(arn).filter(|a| *a != "*")
}

/// Whether a resource-based policy attached to `pattern` governs the request's resource.
fn governs(pattern: &str, req: &Request<'_>) -> Tri {
    match req.resource {
        None => match req.mode {
            Mode::Simulate => Tri::False,
            Mode::Check => Tri::Unknown,
        },
        Some("*") => Tri::False,
        // A placeholder (`instance/*`): the real ARN is one the logs did not show.
        Some(r) if req.mode == Mode::Check && r.contains('*') => {
            eval::placeholder(pattern, r, true, |arn| eval::arn_match(pattern, arn))
        }
        Some(r) => Tri::from(eval::arn_match(pattern, r)),
    }
}

/// Decides a request against every policy of `set`.
pub fn authorize(set: &PolicySet, req: &Request<'_>) -> Outcome {
    if set.identity_only() || eval::always_allowed(req.action) {
        return eval::evaluate(&set.identity, req);
    }
    let ctx = req.context;
    let first = |k: &str| ctx.get(k).and_then(|v| v.first()).map(String::as_str);
    let caller_account = ctx.caller.as_deref().and_then(arn_account).or_else(|| first("aws:PrincipalAccount"));
    let resource_account = first("aws:ResourceAccount").or_else(|| req.resource.and_then(arn_account));
    let same = caller_account.is_some() && caller_account == resource_account;
    let scope = if same { Scope::SameAccount } else { Scope::Any };

    let identity = eval::scan(&set.identity, req, "", Scope::Any);
    let boundary = set.boundary.as_ref().map(|b| eval::scan(b, req, "permissions boundary", Scope::Any));
    let session = set.session.as_ref().map(|s| eval::scan(s, req, "session policy", Scope::Any));
    let scps: Vec<Scan> = set
        .scps
        .iter()
        .enumerate()
        .map(|(i, l)| eval::scan(l, req, &format!("SCP level {}", i + 1), Scope::Any))
        .collect();
    let rcps: Vec<Scan> = set
        .rcps
        .iter()
        .enumerate()
        .map(|(i, l)| eval::scan(l, req, &format!("RCP level {}", i + 1), Scope::Any))
        .collect();
    let mut resources: Vec<(Tri, Scan)> = Vec::new();
    for rp in &set.resource {
        let g = governs(&rp.pattern, req);
        if g != Tri::False {
            let mut sc = eval::scan(std::slice::from_ref(&rp.policy), req, "resource policy", scope);
            if g == Tri::Unknown {
                // Whether it governs the resource is open: its Deny might apply, its Allow
                // cannot be counted on.
                sc.deny_unknown = sc.deny.take().or(sc.deny_unknown);
                sc.allow_unknown = sc.allow.take().or(sc.allow_unknown);
                if sc.deny_unknown.is_some() || sc.allow_unknown.is_some() {
                    sc.keys.push("the resource".into());
                }
            }
            resources.push((g, sc));
        }
    }

    let scans: Vec<&Scan> = std::iter::once(&identity)
        .chain(boundary.iter())
        .chain(session.iter())
        .chain(scps.iter())
        .chain(rcps.iter())
        .chain(resources.iter().map(|(_, s)| s))
        .collect();
    let mut keys: Vec<String> = scans.iter().flat_map(|s| s.keys.iter().cloned()).collect();
    keys.sort();
    keys.dedup();
    let out = |decision, statement: Option<String>, unknown_keys| Outcome { decision, statement, unknown_keys };
    if let Some(s) = scans.iter().find_map(|s| s.deny.clone()) {
        return out(Decision::ExplicitDeny, Some(s), Vec::new());
    }
    let deny_unknown = scans.iter().find_map(|s| s.deny_unknown.clone());

    // The grant: identity-based, resource-based, or both across accounts.
    let resource_allow = resources.iter().fold(Tri::False, |t, (_, s)| t.or(s.allows()));
    let grant = if resources.is_empty() {
        identity.allows()
    } else if same {
        identity.allows().or(resource_allow)
    } else {
        identity.allows().and(resource_allow)
    };
    // Each limit with the words that name it when it refuses.
    let mut limits: Vec<(Tri, String, Option<String>)> = Vec::new();
    let grant_refusal = if !resources.is_empty() && !same && identity.allows() != Tri::False {
        Some("no resource-based policy given for the resource allows the caller (cross-account, or an account ct cannot tell: see aws:ResourceAccount)".to_string())
    } else {
        None
    };
    limits.push((grant, String::new(), grant_refusal));
    if let Some(b) = &boundary {
        limits.push((
            b.allows(),
            "permissions boundary".into(),
            Some("the permissions boundary allows nothing here".into()),
        ));
    }
    if let Some(s) = &session {
        limits.push((s.allows(), "session policy".into(), Some("the session policy allows nothing here".into())));
    }
    for (i, s) in scps.iter().enumerate() {
        limits.push((s.allows(), format!("SCP level {}", i + 1), Some(format!("no SCP at level {} allows it", i + 1))));
    }
    if let Some((_, _, why)) = limits.iter().find(|(t, _, _)| *t == Tri::False) {
        return out(Decision::ImplicitDeny, why.clone(), Vec::new());
    }
    let allow_statement = identity.allow.clone().or_else(|| resources.iter().find_map(|(_, s)| s.allow.clone()));
    if limits.iter().all(|(t, _, _)| *t == Tri::True) {
        return match deny_unknown {
            None => out(Decision::Allow, allow_statement, Vec::new()),
            Some(d) => out(Decision::Unknown, Some(d), keys),
        };
    }
    let open = deny_unknown.or_else(|| scans.iter().find_map(|s| s.allow_unknown.clone()));
    out(Decision::Unknown, open, keys)
}
