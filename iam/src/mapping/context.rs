//! The condition-key values an event shows for an action: the global keys of every call, the
//! service keys named like request parameters, request tags, and the keys whose values the
//! request shows in a shape of its own (ECS task definitions, KMS encryption context, Route 53
//! changes).

use std::borrow::Cow;

use super::plan::{ActionPlan, KEYS_ECS_TASK_DEFINITION, KEYS_KMS_CONTEXT, KEYS_ROUTE53_CHANGES};
use super::request::{Params, find_keys};
use super::{CALLED_VIA, via_service};
use crate::event::Event;
use crate::json::Json;
use smallvec::SmallVec;

/// Condition-key values that the event shows, for keys that apply to the action.
pub(super) fn context<'e>(
    ev: &'e Event<'_>,
    params: &Params<'e>,
    plan: &ActionPlan,
    absent: &mut SmallVec<[&'static str; 2]>,
    called_via_absent: &mut bool,
) -> Vec<(Cow<'static, str>, Cow<'e, str>)> {
    // Room for the usual keys (region, address, endpoint, MFA and a few more): no regrowth.
    let mut out: Vec<(Cow<'static, str>, Cow<'e, str>)> = Vec::with_capacity(8);
    // Global keys (aws:...) apply to every action; the service keys that apply are in the
    // plan. The global keys of every event, each once and pushed in sorted order: most events
    // have no others, and then need no sort and no search for duplicates.
    let via = via_service(ev);
    if let Some(service) = via
        && CALLED_VIA.contains(&service)
    {
        out.push(("aws:CalledVia".into(), service.into()));
    } else {
        *called_via_absent = true;
    }
    let mfa = ev
        .user_identity
        .as_ref()
        .and_then(|i| i.session_context.as_ref())
        .and_then(|s| s.attributes.as_ref())
        .and_then(|a| a.mfa_authenticated.as_deref());
    if let Some(m) = mfa {
        out.push(("aws:MultiFactorAuthPresent".into(), m.into()));
    }
    if let Some(r) = ev.aws_region.as_deref() {
        out.push(("aws:RequestedRegion".into(), r.into()));
    }
    // Through a VPC endpoint a request has no aws:SourceIp (IAM User Guide, global condition
    // keys); the address CloudTrail shows is then the one inside the VPC.
    if let Some(ip) = ev.source_ip_address.as_deref().filter(|s| s.parse::<std::net::IpAddr>().is_ok())
        && ev.vpc_endpoint_id.is_none()
    {
        out.push(("aws:SourceIp".into(), ip.into()));
    }
    if let Some(v) = ev.vpc_endpoint_id.as_deref() {
        out.push(("aws:SourceVpce".into(), v.into()));
    }
    // Only `true`: a direct call has aws:ViaAWSService false in IAM, but the event cannot
    // prove a call direct for the services that do not set the key (IAM User Guide, global
    // condition keys, aws:ViaAWSService: not EC2, Glue, Lake Formation, OpsWorks).
    if via.is_some() {
        out.push(("aws:ViaAWSService".into(), "true".into()));
    }
    debug_assert!(out.is_sorted());
    let globals = out.len();
    let mut put = |key: Cow<'static, str>, value: Cow<'e, str>| {
        if !out.iter().any(|(k, v)| *k == key && *v == value) {
            out.push((key, value));
        }
    };
    for &(key, param) in &plan.simple {
        // S3 logs some headers as a list of their values.
        let values = match params.may_hold(param).then(|| params.get().get(param)).flatten() {
            Some(Json::Array(a)) => a.iter().collect(),
            Some(v) => vec![v],
            None => {
                absent.push(key);
                continue;
            }
        };
        for v in values {
            match v {
                // A change set named by its ARN (changeSet/NAME/ID): the key's value is the name
                // (CloudFormation User Guide, condition keys: cloudformation:ChangeSetName).
                Json::String(s) if key == "cloudformation:ChangeSetName" && s.starts_with("arn:") => {
                    let name = s.split_once(":changeSet/").map_or(&s[..], |(_, r)| r.split('/').next().unwrap_or(r));
                    put(key.into(), name.to_string().into());
                }
                Json::String(s) => put(key.into(), s.to_string().into()),
                Json::Number(n) => put(key.into(), n.to_string().into()),
                _ => {}
            }
        }
    }
    // Tags in the request: EC2's tagSpecificationSet, and the common `tags` shapes.
    let mut tags: Vec<(String, String)> = Vec::new();
    // Every shape read below has its tags under a key `tags` or `Tags` (EC2's
    // tagSpecificationSet too, inside its items), which hold the text `ags`, or under EC2
    // CreateTags' `tagSet`.
    let tag_set = matches!(ev.event_name.as_deref(), Some("CreateTags" | "DeleteTags"));
    let tagged =
        if params.may_hold("ags") || (tag_set && params.may_hold("tagSet")) { params.get() } else { &Json::Null };
    // EC2 CreateTags and DeleteTags: tagSet.items[] of key and value (EC2 API Reference,
    // CreateTags; the CloudTrail record keeps the query API's shape).
    for t in tagged.get("tagSet").and_then(|t| t.get("items")).and_then(Json::as_array).into_iter().flatten() {
        if let (Some(k), Some(v)) = (t.get("key").and_then(Json::as_str), t.get("value").and_then(Json::as_str)) {
            tags.push((k.into(), v.into()));
        }
    }
    if let Some(items) = tagged.get("tagSpecificationSet").and_then(|t| t.get("items")).and_then(Json::as_array) {
        for spec in items {
            for t in spec.get("tags").and_then(Json::as_array).into_iter().flatten() {
                if let (Some(k), Some(v)) = (t.get("key").and_then(Json::as_str), t.get("value").and_then(Json::as_str))
                {
                    tags.push((k.into(), v.into()));
                }
            }
        }
    }
    for key in ["tags", "Tags"] {
        match tagged.get(key) {
            Some(Json::Object(m)) => {
                tags.extend(m.iter().filter_map(|(k, v)| Some((k.to_string(), v.as_str()?.to_string()))))
            }
            Some(Json::Array(a)) => tags.extend(a.iter().filter_map(|t| {
                let k = t.get("key").or_else(|| t.get("Key"))?.as_str()?;
                let v = t.get("value").or_else(|| t.get("Value"))?.as_str()?;
                Some((k.to_string(), v.to_string()))
            })),
            _ => {}
        }
    }
    for (k, v) in tags {
        put(format!("aws:RequestTag/{k}").into(), v.into());
        put("aws:TagKeys".into(), k.into());
    }
    // The instance profile a launch names (its role is not in the event; a later stage can
    // resolve it): ec2:InstanceProfile, a key of the instance resource type (Service
    // Authorization Reference, Amazon EC2: RunInstances, instance).
    if plan.instance_profile {
        for profile in instance_profiles(ev, params) {
            put("ec2:InstanceProfile".into(), profile.into());
        }
    }
    if plan.request_keys != 0 {
        request_keys(ev, params, plan.request_keys, &mut out, absent);
    }
    if out.len() > globals {
        out.sort();
    }
    out
}

/// Condition keys whose values the request shows in a shape of its own, for the actions whose
/// `request_keys` name them; a key the request does not show goes to `absent` (out of line:
/// few actions have any).
#[inline(never)]
fn request_keys<'e>(
    ev: &Event<'_>,
    params: &Params<'e>,
    bits: u8,
    out: &mut Vec<(Cow<'static, str>, Cow<'e, str>)>,
    absent: &mut SmallVec<[&'static str; 2]>,
) {
    let mut put = |key: Cow<'static, str>, value: Cow<'e, str>| {
        if !out.iter().any(|(k, v)| *k == key && *v == value) {
            out.push((key, value));
        }
    };
    if bits & KEYS_ECS_TASK_DEFINITION != 0 {
        match service_task_definition(ev, params) {
            Some(arn) => put("ecs:task-definition".into(), arn.into()),
            None => absent.push("ecs:task-definition"),
        }
    }
    // AWS KMS Developer Guide, "AWS KMS condition keys": kms:EncryptionContext:context-key
    // holds the value of each pair of the request's encryption context (requestParameters.
    // encryptionContext, an object, in the CloudTrail record) and kms:EncryptionContextKeys its
    // keys. A request without one has neither: the catalog's spelling of the templated key
    // goes to `absent`, standing for every context key.
    if bits & KEYS_KMS_CONTEXT != 0 {
        let context = params.may_hold("encryptionContext").then(|| params.get().get("encryptionContext")).flatten();
        let mut any = false;
        // (The text borrowed from the event where it can be: a fresh string per value was
        // most of the cost of these keys on a trail.)
        let text = |s: &Cow<'e, str>| match s {
            Cow::Borrowed(b) => Cow::Borrowed(*b),
            Cow::Owned(o) => Cow::Owned(o.clone()),
        };
        for (k, v) in context.and_then(|c| if let Json::Object(m) = c { Some(m) } else { None }).into_iter().flatten() {
            let v = match v {
                Json::String(s) => text(s),
                Json::Number(n) => n.to_string().into(),
                _ => continue,
            };
            put(format!("kms:EncryptionContext:{k}").into(), v);
            put("kms:EncryptionContextKeys".into(), text(k));
            any = true;
        }
        if !any {
            absent.extend(["kms:EncryptionContext:${EncryptionContextKey}", "kms:EncryptionContextKeys"]);
        }
    }
    // Route 53 Developer Guide, "Using IAM policy conditions for fine-grained access control to
    // manage resource record sets": the three multivalued keys of ChangeResourceRecordSets hold
    // each change's action, record name (normalized) and record type, from the request's
    // changeBatch.changes[] (Route 53 API Reference, Change and ResourceRecordSet).
    if bits & KEYS_ROUTE53_CHANGES != 0 {
        let batch = params.may_hold("changeBatch").then(|| params.get().get("changeBatch")).flatten();
        let changes = batch.and_then(|b| b.get("changes")).and_then(Json::as_array).unwrap_or_default();
        fn set<'j>(c: &'j Json<'_>, key: &str) -> Option<&'j str> {
            c.get("resourceRecordSet").and_then(|r| r.get(key)).and_then(Json::as_str)
        }
        for c in changes {
            if let Some(a) = c.get("action").and_then(Json::as_str) {
                put("route53:ChangeResourceRecordSetsActions".into(), a.to_string().into());
            }
            if let Some(n) = set(c, "name") {
                put("route53:ChangeResourceRecordSetsNormalizedRecordNames".into(), normalized_record_name(n).into());
            }
            if let Some(t) = set(c, "type") {
                put("route53:ChangeResourceRecordSetsRecordTypes".into(), t.to_string().into());
            }
        }
        if changes.is_empty() {
            absent.extend([
                "route53:ChangeResourceRecordSetsActions",
                "route53:ChangeResourceRecordSetsNormalizedRecordNames",
                "route53:ChangeResourceRecordSetsRecordTypes",
            ]);
        }
    }
}

/// A record name as route53:ChangeResourceRecordSetsNormalizedRecordNames holds it (Route 53
/// Developer Guide, "Using IAM policy conditions for fine-grained access control to manage
/// resource record sets", on normalization): in lower case, without the trailing dot, every
/// character but a-z, 0-9, hyphen, underscore and period written as a backslash and its
/// three-digit octal code (`*` is `\052`). An escape already written so stays as it is.
fn normalized_record_name(name: &str) -> String {
    let b = name.strip_suffix('.').unwrap_or(name).as_bytes();
    let mut out = String::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let c = b[i].to_ascii_lowercase();
        if c == b'\\' && b.get(i + 1..i + 4).is_some_and(|d| d.iter().all(|d| (b'0'..=b'7').contains(d))) {
            out.extend(b[i..i + 4].iter().map(|&d| char::from(d)));
            i += 4;
            continue;
        }
        if c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, b'-' | b'_' | b'.') {
            out.push(char::from(c));
        } else {
            out.push_str(&format!("\\{c:03o}"));
        }
        i += 1;
    }
    out
}

/// ecs:task-definition of CreateService, UpdateService and CreateTaskSet: the ARN of the task
/// definition the request names (Service Authorization Reference, Amazon ECS: the key's type is
/// ARN; ECS API Reference, UpdateService: taskDefinition is FAMILY:REVISION or the full ARN,
/// or FAMILY alone for its latest ACTIVE revision, which the response's service shows:
/// service.taskDefinition). `None` when the request names none, or only a family the response
/// does not resolve.
fn service_task_definition(ev: &Event<'_>, params: &Params<'_>) -> Option<String> {
    let named = params.str_at("taskDefinition").filter(|t| !t.is_empty())?;
    if named.starts_with("arn:") {
        return Some(named.to_string());
    }
    if let Some((family, revision)) = named.split_once(':') {
        let (region, account) = (ev.aws_region.as_deref()?, ev.account()?);
        return Some(format!("arn:{}:ecs:{region}:{account}:task-definition/{family}:{revision}", ev.partition()));
    }
    let response = params.response_with("taskDefinition");
    let resolved = response.get("service").and_then(|s| s.get("taskDefinition")).and_then(Json::as_str);
    resolved.filter(|a| a.starts_with("arn:") && a.contains(&format!(":task-definition/{named}:"))).map(String::from)
}

/// The ARNs of the instance profiles a request names (`iamInstanceProfile`: `{"arn": ...}` or
/// `{"name": ...}` in EC2 launches, a name or ARN in Auto Scaling launch configurations). A
/// profile named by name is in the call's account: arn:PARTITION:iam::ACCOUNT:instance-profile/NAME.
fn instance_profiles(ev: &Event<'_>, params: &Params<'_>) -> Vec<String> {
    if !params.may_hold_any_case("iaminstanceprofile") {
        return Vec::new();
    }
    let mut found = Vec::new();
    find_keys(params.get(), "iamInstanceProfile", 0, &mut found);
    let mut out: Vec<String> = found
        .into_iter()
        .filter_map(|p| {
            let text = match p {
                Json::String(s) => s,
                _ => p.get("arn").or_else(|| p.get("name")).and_then(Json::as_str)?,
            };
            if text.starts_with("arn:") {
                return Some(text.to_string());
            }
            let name = text.trim_start_matches('/');
            let account = ev.account()?;
            (!name.is_empty()).then(|| format!("arn:{}:iam::{account}:instance-profile/{name}", ev.partition()))
        })
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}
