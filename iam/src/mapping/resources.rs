//! The resources a call touched: those of the event's `resources[]` that fit the action's
//! resource types, else its ARN templates filled from the request, with the rules of the
//! services that name resources their own way (EC2 tags and launches, Route 53, DynamoDB
//! indexes, CodeBuild builds, CloudFormation stacks, ECS task definitions and services).

use std::borrow::Cow;

use super::plan::{ActionPlan, TypePlan};
use super::request::{Params, find_strings};
use crate::arn;
use crate::event::Event;
use crate::json::Json;

type Variable = (String, String);

/// The ARNs an action touched: those of `resources[]` that fit one of its resource types, or
/// else templates filled from the request: every required resource type (with `*` for what
/// the request does not name, as for a resource being created), and the optional types the
/// request names completely.
pub(super) fn resources<'e>(
    ev: &'e Event<'_>,
    params: &Params<'_>,
    plan: &ActionPlan,
    special: Option<Vec<Variable>>,
    (prefix, event): (&str, &str),
) -> Vec<Cow<'e, str>> {
    let mut out = Vec::new();
    if prefix == "ec2" && matches!(event, "CreateTags" | "DeleteTags") {
        return ec2_tagged(ev, params);
    }
    // What the few services of `own_type` name their own way, per type; when they name any,
    // `resources[]` does not speak for the call (it names the table of a query on an index).
    // (Only for those services: for the others, no list to make and drop per event.)
    let own = if matches!(prefix, "route53" | "dynamodb" | "codebuild" | "cloudformation" | "ecs")
        || (prefix == "ec2" && event == "RunInstances")
    {
        own_types(ev, params, plan, prefix, event)
    } else {
        None
    };
    if special.is_none()
        && !own.as_ref().is_some_and(|o| o.iter().any(Option::is_some))
        && let Some(listed) = &ev.resources
    {
        for r in listed {
            let Some(a) = r.arn.as_deref() else { continue };
            let fits = plan.types.iter().any(|t| same_type(r.kind.as_deref(), t.name) && t.glob.is_match(a));
            if fits && !out.iter().any(|o| o == a) {
                out.push(Cow::Borrowed(a));
            }
        }
        if !out.is_empty() {
            return out;
        }
    }
    let mut own = own.map(Vec::into_iter);
    for t in &plan.types {
        let own = own.as_mut().and_then(Iterator::next).flatten();
        for filled in own.unwrap_or_else(|| fill_type(ev, params, t, special.as_deref())) {
            if !out.iter().any(|o| *o == filled) {
                out.push(Cow::Owned(filled));
            }
        }
    }
    out
}

/// One resource type's template filled from the request; empty when the type is optional
/// and the request does not name it.
fn fill_type(ev: &Event<'_>, params: &Params<'_>, t: &TypePlan, special: Option<&[Variable]>) -> Vec<String> {
    let (template, glob) = (t.arn, t.glob);
    // A value that is already a whole ARN of this type is the resource itself.
    if let Some(sp) = special
        && let Some((_, v)) = sp.iter().find(|(_, v)| v.starts_with("arn:"))
    {
        return if glob.is_match(v) { vec![v.clone()] } else { Vec::new() };
    }
    // Both look for an ARN, whose text holds `arn:` as it is (no lower-case copy needed to
    // rule it out).
    let arns = if params.may_hold("arn:") { [&t.whole, &t.named_arn] } else { [&None, &None] };
    for key in arns.into_iter().flatten() {
        let mut whole = Vec::new();
        if params.may_hold_any_case(key) {
            find_strings(params.get(), key, 0, &mut whole);
        }
        if let Some(a) = whole.iter().find(|s| s.starts_with("arn:") && glob.is_match(s)) {
            return vec![a.to_string()];
        }
    }
    // Several values of one variable (instancesSet.items[].instanceId) give several ARNs.
    let mut multi: Option<(&str, Vec<&str>)> = None;
    let mut single: Vec<(&str, &str)> =
        special.unwrap_or_default().iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let mut missing = 0;
    for (var, key) in &t.vars {
        if single.iter().any(|(k, _)| k == var) {
            continue;
        }
        let mut found = Vec::new();
        if params.may_hold_any_case(key) {
            find_strings(params.get(), key, 0, &mut found);
        }
        // SQS names a queue by its URL (https://sqs.REGION.amazonaws.com/ACCOUNT/NAME) in every
        // call but CreateQueue (Amazon SQS API Reference, QueueUrl).
        if *var == "QueueName" && found.is_empty() && params.may_hold_any_case("queueurl") {
            find_strings(params.get(), "queueUrl", 0, &mut found);
            found.iter_mut().for_each(|f| *f = f.rsplit('/').next().unwrap_or(f));
        }
        found.retain(|s| !s.is_empty() && !s.starts_with("arn:"));
        // The template holds the slash itself (`parameter/${ParameterNameWithoutLeadingSlash}`,
        // Service Authorization Reference, Systems Manager): `/app/db` is `parameter/app/db`.
        if *var == "ParameterNameWithoutLeadingSlash" {
            found.iter_mut().for_each(|f| *f = f.strip_prefix('/').unwrap_or(f));
        }
        found.sort_unstable();
        found.dedup();
        match found.len() {
            0 => missing += 1,
            1 => single.push((var, found[0])),
            _ if multi.is_none() => multi = Some((var, found)),
            _ => missing += 1,
        }
    }
    if !t.required && missing > 0 {
        return Vec::new();
    }
    let values: Vec<Option<&str>> = match &multi {
        Some((_, vals)) => vals.iter().map(|v| Some(*v)).collect(),
        None => vec![None],
    };
    let (partition, region, account) = (ev.partition(), ev.aws_region.as_deref(), ev.account());
    values
        .into_iter()
        .map(|mv| {
            arn::fill(template, |var| match var {
                "Partition" => Some(partition),
                "Region" => region,
                "Account" => account,
                _ => single
                    .iter()
                    .find(|(k, _)| *k == var)
                    .map(|(_, v)| *v)
                    .or_else(|| multi.as_ref().filter(|(k, _)| *k == var).and(mv)),
            })
        })
        .collect()
}

/// A template filled with the event's partition, region and account and with `vars` (`*`
/// for any variable not given).
fn fill_with(ev: &Event<'_>, t: &TypePlan, vars: &[(&str, &str)]) -> String {
    let (partition, region, account) = (ev.partition(), ev.aws_region.as_deref(), ev.account());
    arn::fill(t.arn, |var| match var {
        "Partition" => Some(partition),
        "Region" => region,
        "Account" => account,
        _ => vars.iter().find(|(k, _)| *k == var).map(|(_, v)| *v),
    })
}

/// The resources that EC2's CreateTags and DeleteTags name (`resourcesSet.items[].resourceId`),
/// each typed by its ID's prefix (Amazon EC2 User Guide, "Resource IDs"; the ARN formats from
/// the Service Authorization Reference). An ID of another prefix gives the ARN pattern of no
/// type (`*`): the call is not narrowed by a guess.
fn ec2_tagged<'e>(ev: &Event<'_>, params: &Params<'_>) -> Vec<Cow<'e, str>> {
    const TYPES: &[(&str, &str)] = &[
        ("i-", "instance"),
        ("vol-", "volume"),
        ("snap-", "snapshot"),
        ("eni-", "network-interface"),
        ("sg-", "security-group"),
        ("subnet-", "subnet"),
        ("vpc-", "vpc"),
        ("igw-", "internet-gateway"),
        ("rtb-", "route-table"),
        ("eipalloc-", "elastic-ip"),
        ("lt-", "launch-template"),
        ("ami-", "image"),
    ];
    let mut ids = Vec::new();
    if params.may_hold_any_case("resourceid") {
        find_strings(params.get(), "resourceId", 0, &mut ids);
    }
    let (partition, region, account) =
        (ev.partition(), ev.aws_region.as_deref().unwrap_or("*"), ev.account().unwrap_or("*"));
    let mut out: Vec<Cow<'e, str>> = Vec::new();
    for id in ids {
        let arn = match TYPES.iter().find(|(p, _)| id.starts_with(p)) {
            // Images and snapshots owned by others have no account in the ARN.
            Some((_, t @ ("image" | "snapshot"))) => format!("arn:{partition}:ec2:{region}::{t}/{id}"),
            Some((_, t)) => format!("arn:{partition}:ec2:{region}:{account}:{t}/{id}"),
            None => "*".to_string(),
        };
        if !out.iter().any(|o| *o == arn) {
            out.push(Cow::Owned(arn));
        }
    }
    out
}

/// Resources that the generic rules cannot find: the copy source of CopyObject, the two keys
/// of ReEncrypt.
pub(super) fn special_resource(
    prefix: &str,
    action: &str,
    event: &str,
    index: usize,
    params: &Params<'_>,
) -> Option<Vec<Variable>> {
    if !matches!(prefix, "s3" | "kms") {
        return None;
    }
    match (prefix, action) {
        ("s3", "GetObject") if index == 1 && (event == "CopyObject" || event == "UploadPartCopy") => {
            let src = params.get().get("x-amz-copy-source").and_then(Json::as_str)?;
            let src = src.trim_start_matches('/');
            let (bucket, key) = src.split_once('/')?;
            let key = key.split('?').next().unwrap_or(key);
            Some(vec![("BucketName".into(), bucket.into()), ("ObjectName".into(), key.into())])
        }
        ("kms", "ReEncryptFrom") => {
            Some(vec![("KeyId".into(), params.get().get("sourceKeyId").and_then(Json::as_str)?.to_string())])
        }
        ("kms", "ReEncryptTo") => {
            Some(vec![("KeyId".into(), params.get().get("destinationKeyId").and_then(Json::as_str)?.to_string())])
        }
        _ => None,
    }
}

/// Whether a CloudTrail resource type (`AWS::S3::Object`) names the IAM resource type
/// (`object`); unknown or missing types do not rule anything out.
fn same_type(cloudtrail: Option<&str>, iam: &str) -> bool {
    let Some(ct) = cloudtrail else { return true };
    // After the last `::` (std's `rsplit("::")` sets up a searcher per call).
    let last = ct.as_bytes().windows(2).rposition(|w| w == b"::").map_or(ct, |i| &ct[i + 2..]);
    // Letters and digits alone, without case (no allocation: this runs per resource and type).
    fn norm(s: &str) -> impl Iterator<Item = u8> + '_ {
        s.bytes().filter(u8::is_ascii_alphanumeric).map(|b| b.to_ascii_lowercase())
    }
    norm(last).eq(norm(iam)) || !ct.starts_with("AWS::")
}

/// `own_type` of each of the action's types (out of line: the few services it serves should
/// not make `resources` too big to inline for all the others).
#[inline(never)]
fn own_types(
    ev: &Event<'_>,
    params: &Params<'_>,
    plan: &ActionPlan,
    prefix: &str,
    event: &str,
) -> Option<Vec<Option<Vec<String>>>> {
    Some(plan.types.iter().map(|t| own_type(ev, params, prefix, event, t)).collect())
}

/// The ARNs of resource type `t` that a call names in a form the templates cannot take as it
/// is; `None` leaves the type to the generic rules, an empty list leaves it out.
fn own_type(ev: &Event<'_>, params: &Params<'_>, prefix: &str, event: &str, t: &TypePlan) -> Option<Vec<String>> {
    match (prefix, t.name) {
        // Route 53 writes ids as paths (`/hostedzone/Z1`, `/change/C1`) or bare (`Z1`), and the
        // ARNs hold the bare id: arn:aws:route53:::hostedzone/Z1 (Service Authorization
        // Reference, Amazon Route 53: resource types hostedzone and change; Route 53 Developer
        // Guide, "Logging Amazon Route 53 API calls with AWS CloudTrail", whose records carry
        // requestParameters.hostedZoneId, and id for GetHostedZone and GetChange).
        ("route53", "hostedzone") => {
            let id = params.str_at("hostedZoneId").or_else(|| {
                // `id` names a zone only in the zone's own calls (GetHostedZone, DeleteHostedZone...).
                event.contains("HostedZone").then(|| params.str_at("id")).flatten()
            })?;
            Some(vec![fill_with(ev, t, &[("Id", bare_id(id))])])
        }
        ("route53", "change") => Some(vec![fill_with(ev, t, &[("Id", bare_id(params.str_at("id")?))])]),
        // A query or scan of an index is authorised on the index's ARN, table/T/index/I, not on
        // the table's (Service Authorization Reference, Amazon DynamoDB: Query and Scan take
        // the index resource type; DynamoDB Developer Guide, "IAM policy to grant access to a
        // specific DynamoDB table and its indexes").
        ("dynamodb", "index") => {
            let index = params.str_at("indexName")?;
            let table = params.str_at("tableName")?;
            // TableName may be the table's ARN.
            if table.starts_with("arn:") {
                return Some(vec![format!("{table}/index/{index}")]);
            }
            Some(vec![fill_with(ev, t, &[("TableName", table), ("IndexName", index)])])
        }
        ("dynamodb", "table") if matches!(event, "Query" | "Scan") && params.str_at("indexName").is_some() => {
            Some(Vec::new())
        }
        // CodeBuild's build calls take build ids, `PROJECT:UUID` (or the build's ARN,
        // ...:build/PROJECT:UUID), and are authorised on the project (Service Authorization
        // Reference, AWS CodeBuild: BatchGetBuilds, StopBuild... take the project type).
        ("codebuild", "project")
            if matches!(event, "BatchGetBuilds" | "BatchDeleteBuilds" | "StopBuild" | "RetryBuild") =>
        {
            let mut ids = Vec::new();
            for key in ["ids", "id"] {
                if params.may_hold(key) {
                    match params.get().get(key) {
                        Some(Json::String(s)) => ids.push(&**s),
                        Some(Json::Array(a)) => ids.extend(a.iter().filter_map(Json::as_str)),
                        _ => {}
                    }
                }
            }
            let mut projects: Vec<&str> = ids
                .iter()
                .filter_map(|id| {
                    let id = id.rsplit_once(":build/").map_or(*id, |(_, b)| b);
                    id.rsplit_once(':').map(|(project, _)| project).filter(|p| !p.is_empty() && !p.contains('/'))
                })
                .collect();
            projects.sort_unstable();
            projects.dedup();
            if projects.is_empty() {
                return None;
            }
            Some(projects.into_iter().map(|p| fill_with(ev, t, &[("ProjectName", p)])).collect())
        }
        // CloudFormation: a stack's ARN is stack/NAME/UUID. A call that made the stack (or a
        // change set of it) returns its id (CloudFormation API Reference, CreateStack and
        // CreateChangeSet: StackId); other calls name it by name or ARN (StackName), and change
        // set calls are authorised on the stack (Service Authorization Reference, AWS
        // CloudFormation: CreateChangeSet, DescribeChangeSet, ExecuteChangeSet and
        // DeleteChangeSet take the stack type).
        ("cloudformation", "stack") => {
            if let Some(id) = params.response_with("stackId").get("stackId").and_then(Json::as_str)
                && t.glob.is_match(id)
            {
                return Some(vec![id.to_string()]);
            }
            let name = params.str_at("stackName")?;
            if name.starts_with("arn:") {
                return t.glob.is_match(name).then(|| vec![name.to_string()]);
            }
            Some(vec![fill_with(ev, t, &[("StackName", name)])])
        }
        ("ec2", "security-group") if event == "RunInstances" => launch_security_groups(ev, params, t),
        ("ecs", "task-definition") => ecs_task_definitions(ev, params, event, t),
        ("ecs", "service") => ecs_services(ev, params, t),
        _ => None,
    }
}

/// The security groups of an EC2 launch. RunInstances is authorised on each group the new
/// instances get (Service Authorization Reference, Amazon EC2: RunInstances takes the
/// security-group type, arn:${Partition}:ec2:${Region}:${Account}:security-group/${SecurityGroupId}).
/// The request names them by ID in groupSet.items[].groupId, and for the interfaces it creates
/// in networkInterfaceSet.items[].groupSet (EC2 API Reference, RunInstances: SecurityGroupId,
/// and InstanceNetworkInterfaceSpecification's Groups); or by name (groupName), whose ARN the
/// request cannot give; or not at all, when the instances get the VPC's default group or a
/// launch template's. The response then shows the groups they got, by ID (the instances'
/// groupSet and their interfaces'), which are exactly the groups of the launch. `None` (the type's
/// pattern, `security-group/*`) when neither shows them; a group named by name with no response
/// keeps the pattern beside the IDs named.
fn launch_security_groups(ev: &Event<'_>, params: &Params<'_>, t: &TypePlan) -> Option<Vec<String>> {
    /// The IDs of a groupSet (`{"items":[{"groupId":...}]}`) into `ids`, and whether it names a
    /// group by name only.
    fn read(set: Option<&Json<'_>>, ids: &mut Vec<String>) -> bool {
        let mut by_name = false;
        for g in set.and_then(|s| s.get("items")).and_then(Json::as_array).into_iter().flatten() {
            match g.get("groupId").and_then(Json::as_str) {
                Some(id) => ids.push(id.to_string()),
                None => by_name |= g.get("groupName").is_some(),
            }
        }
        by_name
    }
    /// Every groupSet of `v` and of the items of its networkInterfaceSet.
    fn read_all(v: &Json<'_>, ids: &mut Vec<String>) -> bool {
        let mut by_name = read(v.get("groupSet"), ids);
        let interfaces = v.get("networkInterfaceSet").and_then(|s| s.get("items")).and_then(Json::as_array);
        for ni in interfaces.into_iter().flatten() {
            by_name |= read(ni.get("groupSet"), ids);
        }
        by_name
    }
    let mut ids = Vec::new();
    let by_name = params.may_hold("groupSet") && read_all(params.get(), &mut ids);
    if ids.is_empty() || by_name {
        let response = params.response_with("groupId");
        let mut got = Vec::new();
        let instances = response.get("instancesSet").and_then(|s| s.get("items")).and_then(Json::as_array);
        for instance in instances.into_iter().flatten() {
            read_all(instance, &mut got);
        }
        if !got.is_empty() {
            ids = got;
        } else if ids.is_empty() {
            return None;
        } else {
            ids.push("*".to_string());
        }
    }
    let mut out: Vec<String> = ids.iter().map(|id| fill_with(ev, t, &[("SecurityGroupId", id.as_str())])).collect();
    out.sort_unstable();
    out.dedup();
    Some(out)
}

/// The task definitions of an ECS call,
/// task-definition/${TaskDefinitionFamilyName}:${TaskDefinitionRevisionNumber} (Service
/// Authorization Reference, Amazon ECS). RegisterTaskDefinition makes a new revision
/// of the request's `family`: its ARN is in the response (ECS API Reference,
/// RegisterTaskDefinition: taskDefinition.taskDefinitionArn), else any revision of the family.
/// RunTask and StartTask name one by `taskDefinition`, DeleteTaskDefinitions several by
/// `taskDefinitions`: an ARN, FAMILY:REVISION, or FAMILY alone for its latest ACTIVE revision
/// (ECS API Reference, RunTask: taskDefinition), which the response's tasks name
/// (tasks[].taskDefinitionArn) and which is otherwise any revision of the family.
fn ecs_task_definitions(ev: &Event<'_>, params: &Params<'_>, event: &str, t: &TypePlan) -> Option<Vec<String>> {
    let fits = |a: &&str| t.glob.is_match(a);
    if event == "RegisterTaskDefinition" {
        let response = params.response_with("taskDefinitionArn");
        let made = response.get("taskDefinition").and_then(|d| d.get("taskDefinitionArn")).and_then(Json::as_str);
        if let Some(arn) = made.filter(fits) {
            return Some(vec![arn.to_string()]);
        }
        return Some(vec![fill_with(ev, t, &[("TaskDefinitionFamilyName", params.str_at("family")?)])]);
    }
    let mut named: Vec<&str> = Vec::new();
    if params.may_hold("taskDefinition") {
        let p = params.get();
        named.extend(p.get("taskDefinition").and_then(Json::as_str));
        named.extend(p.get("taskDefinitions").and_then(Json::as_array).into_iter().flatten().filter_map(Json::as_str));
    }
    let mut out = Vec::new();
    for td in named {
        if td.starts_with("arn:") {
            out.extend(Some(td).filter(fits).map(String::from));
            continue;
        }
        let (family, revision) = td.split_once(':').map_or((td, None), |(f, r)| (f, Some(r)));
        if revision.is_none() {
            let response = params.response_with("taskDefinitionArn");
            let mut ran = Vec::new();
            find_strings(&response, "taskDefinitionArn", 0, &mut ran);
            let of_family = |a: &&str| {
                fits(a)
                    && a.rsplit_once(":task-definition/")
                        .is_some_and(|(_, d)| d.rsplit_once(':').is_some_and(|(f, _)| f == family))
            };
            let before = out.len();
            out.extend(ran.into_iter().filter(of_family).map(String::from));
            if out.len() > before {
                continue;
            }
        }
        let mut vars = vec![("TaskDefinitionFamilyName", family)];
        vars.extend(revision.map(|r| ("TaskDefinitionRevisionNumber", r)));
        out.push(fill_with(ev, t, &vars));
    }
    out.sort_unstable();
    out.dedup();
    (!out.is_empty()).then_some(out)
}

/// The services of an ECS call, service/${ClusterName}/${ServiceName} (Service Authorization
/// Reference, Amazon ECS). The request names them by name or ARN (`service`: UpdateService,
/// DeleteService; `services`: DescribeServices; `serviceName`: CreateService) in `cluster`, a
/// name or ARN, or else the default cluster, `default` (ECS API Reference, UpdateService and
/// DescribeServices: cluster). A service ARN of the old form, service/NAME, names no cluster:
/// the request's is used. A call that returns the service (CreateService, UpdateService,
/// DeleteService) shows its ARN in the response (service.serviceArn).
fn ecs_services(ev: &Event<'_>, params: &Params<'_>, t: &TypePlan) -> Option<Vec<String>> {
    // All three keys hold the text `service`.
    if !params.may_hold("service") {
        return None;
    }
    let response = params.response_with("serviceArn");
    if let Some(arn) = response.get("service").and_then(|s| s.get("serviceArn")).and_then(Json::as_str)
        && t.glob.is_match(arn)
    {
        return Some(vec![arn.to_string()]);
    }
    let p = params.get();
    let mut named: Vec<&str> = Vec::new();
    named.extend(p.get("service").and_then(Json::as_str));
    named.extend(p.get("serviceName").and_then(Json::as_str));
    named.extend(p.get("services").and_then(Json::as_array).into_iter().flatten().filter_map(Json::as_str));
    named.retain(|s| !s.is_empty());
    if named.is_empty() {
        return None;
    }
    let cluster = p.get("cluster").and_then(Json::as_str).filter(|c| !c.is_empty()).unwrap_or("default");
    let mut out: Vec<String> = named
        .into_iter()
        .map(|s| {
            if t.glob.is_match(s) {
                return s.to_string();
            }
            let name = s.rsplit('/').next().unwrap_or(s);
            match cluster.split_once(":cluster/") {
                // The cluster's ARN: the service is in its partition, region and account.
                Some((head, c)) => format!("{head}:service/{c}/{name}"),
                None => fill_with(ev, t, &[("ClusterName", cluster), ("ServiceName", name)]),
            }
        })
        .collect();
    out.sort_unstable();
    out.dedup();
    Some(out)
}

/// An id written as a path (`/hostedzone/Z1`): its last part.
fn bare_id(id: &str) -> &str {
    if id.starts_with('/') { id.rsplit('/').next().unwrap_or(id) } else { id }
}
