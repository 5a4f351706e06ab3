//! The Principal element of resource-based policies and RCPs, matched against the caller.
//!
//! IAM User Guide, "AWS JSON policy elements: Principal": an AWS account principal (the
//! 12-digit ID or `arn:aws:iam::ID:root`) stands for every principal of the account, as far
//! as that account's own policies let them; a role principal (`arn:aws:iam::ID:role/NAME`)
//! matches every session of the role; a role session principal
//! (`arn:aws:sts::ID:assumed-role/NAME/SESSION`) that one session; a user principal that
//! user; `*` everyone. Wildcards are not patterns in Principal ("you cannot use a wildcard to
//! match part of a principal name or ARN"), so values compare as written.

use crate::arn::{account, role_parts, session_parts};
use crate::policy::{Effect, Principals};
use crate::request::{Mode, Request, Scope, Tri};

/// How an entry names the caller.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Hit {
    No,
    /// Through the caller's account only.
    Account,
    /// The caller itself (or everyone).
    Direct,
    /// The record does not say (a role's ARN given where a session's is named).
    Unknown,
}

fn aws_entry(value: &str, caller: &str, caller_account: Option<&str>) -> Hit {
    if value == "*" {
        return Hit::Direct;
    }
    let is_account = value.len() == 12 && value.bytes().all(|b| b.is_ascii_digit());
    let root = value.strip_prefix("arn:").and_then(|_| value.strip_suffix(":root")).and_then(account);
    if is_account || root.is_some() {
        let id = if is_account { value } else { root.unwrap_or_default() };
        return if caller_account == Some(id) { Hit::Account } else { Hit::No };
    }
    if value == caller {
        return Hit::Direct;
    }
    // A role names all its sessions.
    if let (Some(r), Some(s)) = (role_parts(value), session_parts(caller))
        && r == s
    {
        return Hit::Direct;
    }
    // A session named where the record shows only the role (an aggregate of its sessions).
    if let (Some(s), Some(r)) = (session_parts(value), role_parts(caller))
        && r == s
    {
        return Hit::Unknown;
    }
    Hit::No
}

/// Whether the statement's Principal (or NotPrincipal) names the caller of `req`.
pub fn matches(p: &Principals, req: &Request<'_>, effect: Effect, scope: Scope, unknown: &mut Vec<String>) -> Tri {
    let ctx = req.context;
    let caller =
        ctx.caller.as_deref().or_else(|| ctx.get("aws:PrincipalArn").and_then(|v| v.first()).map(|s| s.as_str()));
    let Some(caller) = caller else {
        // Everyone includes a caller the record does not name.
        if !p.not && p.entries.iter().any(|(t, v)| t == "AWS" && v == "*") {
            return Tri::True;
        }
        if req.mode == Mode::Simulate {
            return Tri::from(p.not);
        }
        unknown.push("the caller".into());
        return Tri::Unknown;
    };
    let caller_account =
        account(caller).or_else(|| ctx.get("aws:PrincipalAccount").and_then(|v| v.first()).map(|s| s.as_str()));
    let mut best = Hit::No;
    for (kind, value) in &p.entries {
        let hit = match kind.as_str() {
            "AWS" => aws_entry(value, caller, caller_account),
            // A service principal is a service calling, which a CloudTrail caller here is not
            // unless the record names the service itself.
            "Service" if value == caller => Hit::Direct,
            _ => Hit::No,
        };
        best = match (best, hit) {
            (Hit::Direct, _) | (_, Hit::Direct) => Hit::Direct,
            (Hit::Unknown, _) | (_, Hit::Unknown) => Hit::Unknown,
            (Hit::Account, _) | (_, Hit::Account) => Hit::Account,
            _ => Hit::No,
        };
    }
    // In the caller's own account an Allow that names only the account grants nothing by
    // itself; a Deny that names the account still applies to its principals.
    if best == Hit::Account && scope == Scope::SameAccount && effect == Effect::Allow {
        best = Hit::No;
    }
    let t = match best {
        Hit::Direct | Hit::Account => Tri::True,
        Hit::No => Tri::False,
        Hit::Unknown => {
            unknown.push("the caller's session".into());
            Tri::Unknown
        }
    };
    if !p.not {
        return t;
    }
    match t {
        Tri::True => Tri::False,
        Tri::False => Tri::True,
        Tri::Unknown => Tri::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_role_names_its_sessions_and_an_account_its_principals() {
        let s = "arn:aws:sts::111122223333:assumed-role/deploy/i-0abc";
        assert!(aws_entry("arn:aws:iam::111122223333:role/ci/deploy", s, Some("111122223333")) == Hit::Direct);
        assert!(aws_entry("arn:aws:iam::111122223333:role/other", s, Some("111122223333")) == Hit::No);
        assert!(aws_entry("111122223333", s, Some("111122223333")) == Hit::Account);
        assert!(aws_entry("arn:aws:iam::111122223333:root", s, Some("111122223333")) == Hit::Account);
        assert!(aws_entry("arn:aws:iam::444455556666:root", s, Some("111122223333")) == Hit::No);
        // Principal values are not patterns.
        assert!(aws_entry("arn:aws:iam::111122223333:role/*", s, Some("111122223333")) == Hit::No);
    }
}
