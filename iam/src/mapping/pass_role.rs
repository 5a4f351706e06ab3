//! iam:PassRole, which CloudTrail never logs: inferred where a request passes a role, with the
//! service it is passed to (iam:PassedToService).

use std::borrow::Cow;
use std::sync::LazyLock;

use super::plan::ActionPlan;
use super::request::{Params, find_keys};
use super::{PREFIXES, ROLE_KEYS, Use};
use crate::catalog::Catalog;
use crate::event::Event;
use crate::json::Json;
use smallvec::SmallVec;

/// Where a role passed under a key goes, when it is not the service called (IAM User Guide,
/// "IAM and AWS STS condition context keys", iam:PassedToService: the service principal of
/// the final service that assumes the role): ECS task and execution roles to ECS tasks
/// (Amazon ECS Developer Guide, "Task IAM role" and "Task execution IAM role"), flow logs'
/// role to the flow logs service (Amazon VPC User Guide, "IAM role for publishing flow logs
/// to CloudWatch Logs"), an EKS node group's role to EC2 (Amazon EKS User Guide, "Amazon EKS
/// node IAM role"), RDS Enhanced Monitoring's role to its monitoring service (Amazon RDS User
/// Guide, "Setting up and enabling Enhanced Monitoring").
const PASSED_TO: &[(&str, &str, &str)] = &[
    ("ecs", "taskRoleArn", "ecs-tasks.amazonaws.com"),
    ("ecs", "executionRoleArn", "ecs-tasks.amazonaws.com"),
    ("ec2", "deliverLogsPermissionArn", "vpc-flow-logs.amazonaws.com"),
    ("eks", "nodeRole", "ec2.amazonaws.com"),
    ("rds", "monitoringRoleArn", "monitoring.rds.amazonaws.com"),
];

/// Services that do not set iam:PassedToService (IAM User Guide, iam:PassedToService: "Some
/// services, such as AWS CodeBuild and AWS CodeCommit do not support this condition key").
const NO_PASSED_TO: &[&str] = &["codebuild", "codecommit"];

/// iam:PassedToService for a role passed under `key` in a call to `source`: the exceptions
/// above, else the service called, whose principal is its endpoint name (`lambda.amazonaws.com`;
/// the IAM User Guide: "This is the usual format: SERVICE_NAME_URL.amazonaws.com"). None where
/// that is not known: the services without the key, and sources that are not their
/// service's principal (those of `PREFIXES`).
fn passed_to(source: &str, prefix: &str, key: &str) -> Option<String> {
    if let Some((_, _, service)) = PASSED_TO.iter().find(|(p, k, _)| *p == prefix && k.eq_ignore_ascii_case(key)) {
        return Some(service.to_string());
    }
    let first = source.split('.').next().unwrap_or(source);
    let plain = first == prefix && source.strip_prefix(first) == Some(".amazonaws.com");
    (plain && !NO_PASSED_TO.contains(&prefix) && !PREFIXES.iter().any(|(s, _)| *s == source))
        .then(|| source.to_string())
}

/// iam:PassRole, which CloudTrail never logs: a call that configures a resource with a role
/// (a parameter named like a role, or one of `ROLE_KEYS`, holding a role ARN, or an EC2
/// instance profile) needed it. One use per service the roles are passed to, with that
/// service as iam:PassedToService. An instance profile's role is not in the event: its use
/// has `role/*` in the account, and the launching action carries the profile
/// (ec2:InstanceProfile); that key is EC2's, not in PassRole's request context, so it is not
/// put on the PassRole use, where a policy condition on it could never hold.
pub(super) fn pass_role(
    ev: &Event<'_>,
    prefix: &str,
    name: &str,
    level: Option<&str>,
    params: &Params<'_>,
) -> Vec<Use<'static>> {
    if matches!(prefix, "iam" | "sts") {
        return Vec::new();
    }
    // Reads pass nothing: the event says so, or the catalog rates the action List or Read.
    let read_only = ev.read_only == Some(true)
        || level.is_some_and(|l| l == "List" || l == "Read")
        || ["Get", "List", "Describe"].iter().any(|p| name.starts_with(p));
    // Taking a role away from a resource passes nothing.
    let removal = ["Remove", "Delete", "Disassociate", "Detach"].iter().any(|p| name.starts_with(p));
    // A role ARN holds `:role/`.
    if read_only || removal || !(params.may_hold(":role/") || params.may_hold_any_case("iaminstanceprofile")) {
        return Vec::new();
    }
    let json = params.get();
    if json.is_null() {
        return Vec::new();
    }
    let mut roles = Vec::new();
    collect_role_arns(json, 0, &mut roles);
    // An instance profile anywhere in the request (EC2 launches, spot requests, Auto Scaling
    // launch configurations) passes its role, to EC2 (IAM User Guide, "Use an IAM role to
    // grant permissions to applications running on Amazon EC2 instances").
    let mut profiles = Vec::new();
    find_keys(json, "iamInstanceProfile", 0, &mut profiles);
    let source = ev.event_source.as_deref().unwrap_or("");
    // (service, roles), in the order met.
    let mut by_service: Vec<(Option<String>, Vec<String>)> = Vec::new();
    fn add(by_service: &mut Vec<(Option<String>, Vec<String>)>, service: Option<String>, role: String) {
        match by_service.iter_mut().find(|(s, _)| *s == service) {
            Some((_, list)) => list.push(role),
            None => by_service.push((service, vec![role])),
        }
    }
    for (role, key) in roles {
        add(&mut by_service, passed_to(source, prefix, key), role);
    }
    if !profiles.is_empty() && by_service.is_empty() {
        // The instance profile's role is not in the event; only its account is known.
        let acct = ev.account().unwrap_or("*");
        let role = format!("arn:{}:iam::{acct}:role/*", ev.partition());
        add(&mut by_service, Some("ec2.amazonaws.com".into()), role);
    }
    static PASS_ROLE: LazyLock<Option<u32>> =
        LazyLock::new(|| Catalog::get().action("iam", "PassRole").map(|a| ActionPlan::of(a).id));
    by_service
        .into_iter()
        .map(|(service, mut resources)| {
            resources.sort();
            resources.dedup();
            Use {
                action: "iam:PassRole".into(),
                known: true,
                inferred: true,
                resources: resources.into_iter().map(Cow::Owned).collect(),
                unnamed: false,
                // A role passed to a service ct cannot name: the record must say that this call
                // lacked the key, so that the other calls' values do not speak for it.
                absent: if service.is_none() {
                    SmallVec::from_slice(&["iam:PassedToService"])
                } else {
                    SmallVec::new()
                },
                context: service.map(|s| ("iam:PassedToService".into(), Cow::Owned(s))).into_iter().collect(),
                id: *PASS_ROLE,
                called_via_absent: false,
            }
        })
        .collect()
}

/// The role ARNs under role keys anywhere in `v`, each with its key.
fn collect_role_arns<'v>(v: &'v Json<'v>, depth: u8, out: &mut Vec<(String, &'v str)>) {
    if depth > 5 || out.len() >= 16 {
        return;
    }
    match v {
        Json::Object(m) => {
            for (k, x) in m {
                let role_key = k.as_bytes().windows(4).any(|w| w.eq_ignore_ascii_case(b"role"))
                    || ROLE_KEYS.iter().any(|r| r.eq_ignore_ascii_case(k));
                match x {
                    Json::String(s) if role_key && is_role_arn(s) => out.push((s.to_string(), &**k)),
                    // A list of role ARNs (Redshift's iamRoles).
                    Json::Array(a) if role_key && a.iter().any(|e| e.as_str().is_some_and(is_role_arn)) => {
                        out.extend(
                            a.iter().filter_map(Json::as_str).filter(|s| is_role_arn(s)).map(|s| (s.to_string(), &**k)),
                        );
                    }
                    // A map of role ARNs (Cognito identity pools' SetIdentityPoolRoles: roles by
                    // authenticated and unauthenticated).
                    Json::Object(m) if role_key && m.iter().any(|(_, e)| e.as_str().is_some_and(is_role_arn)) => {
                        out.extend(
                            m.iter()
                                .filter_map(|(_, e)| e.as_str())
                                .filter(|s| is_role_arn(s))
                                .map(|s| (s.to_string(), &**k)),
                        );
                    }
                    _ => collect_role_arns(x, depth + 1, out),
                }
            }
        }
        Json::Array(a) => a.iter().for_each(|x| collect_role_arns(x, depth + 1, out)),
        _ => {}
    }
}

fn is_role_arn(s: &str) -> bool {
    let mut parts = s.splitn(6, ':');
    let mut part = || parts.next();
    let (arn, _, service, _, _, rest) = (part(), part(), part(), part(), part(), part());
    arn == Some("arn") && service == Some("iam") && rest.is_some_and(|r| r.starts_with("role/"))
}
