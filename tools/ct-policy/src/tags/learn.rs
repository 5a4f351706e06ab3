//! What one event did to tags: which calls tag, and how each service's tagging and creating
//! calls name the resource and its tags (EC2's in `ec2`).

use ct_iam::Event;
use ct_iam::json::Json;

use super::ec2::{EC2_CREATES, ec2};
use super::shapes::{Call, TAG_KEYS, TAGS, member, member_nested, read_keys, read_tags, scalar};
use super::state::Change;

/// What one event taught.
pub(super) enum Learnt {
    /// Not a change of tags.
    Nothing,
    Changes(Vec<(String, Change)>),
    /// A change of tags that could not be read, on these resources (none named: some resource
    /// of the service).
    Unreadable(Vec<String>),
}

/// Whether a call may be a tagging call: worth reading.
pub(super) fn might_tag(prefix: &str, name: &str) -> bool {
    if ["Get", "List", "Describe", "Search"].iter().any(|p| name.starts_with(p)) {
        return false;
    }
    tagging_name(name)
        || (prefix == "ec2" && EC2_CREATES.iter().any(|(n, _, _)| *n == name))
        || matches!(
            (prefix, name),
            ("ec2", "RunInstances")
                | ("lambda", "CreateFunction")
                | ("iam", "CreateRole" | "CreateUser" | "CreateInstanceProfile" | "CreatePolicy")
                | ("sqs", "CreateQueue")
                | ("sns", "CreateTopic")
                | ("logs", "CreateLogGroup")
                | ("dynamodb", "CreateTable")
                | ("kms", "CreateKey")
                | ("secretsmanager", "CreateSecret")
                | ("cloudformation", "CreateStack" | "UpdateStack" | "CreateChangeSet" | "ExecuteChangeSet")
                | ("elasticloadbalancing", "CreateLoadBalancer" | "CreateTargetGroup")
        )
}

/// A name of the tagging calls' kinds: TagResource, UntagQueue, AddTagsToResource,
/// PutBucketTagging, CreateOrUpdateTags...
fn tagging_name(name: &str) -> bool {
    name.contains("Tag") || name.starts_with("Untag")
}

/// An update call of another shape that carries tags (CodeBuild UpdateProject replaces a
/// project's tags with those it is given): whatever it did to the tags is unknown.
pub(super) fn may_change_tags(ev: &Event<'_>, name: &str) -> bool {
    ev.read_only != Some(true)
        && ["Update", "Modify", "Replace", "Set"].iter().any(|p| name.starts_with(p))
        && ev.request_parameters.is_some_and(|p| p.contains("\"tags\"") || p.contains("\"Tags\""))
}

/// What an event did to tags.
pub(super) fn learn(call: &Call<'_>, prefix: &str, name: &str) -> Learnt {
    let (p, r, a) = (call.partition(), call.region(), call.account());
    match (prefix, name) {
        ("ec2", _) => ec2(call, name),
        // Object tags are not resource tags (IAM reads them as s3:ExistingObjectTag).
        ("s3", "PutObjectTagging" | "DeleteObjectTagging") => Learnt::Nothing,
        // "Sets the tags for a bucket ... this operation replaces them" (Amazon S3 API
        // Reference, PutBucketTagging); DeleteBucketTagging removes them all.
        ("s3", "PutBucketTagging" | "DeleteBucketTagging") => {
            let Some(bucket) = call.param(&["bucketName"]) else { return unreadable(call) };
            let arn = format!("arn:{p}:s3:::{bucket}");
            if name == "DeleteBucketTagging" {
                return Learnt::Changes(vec![(arn, Change::ReplaceAll(Vec::new()))]);
            }
            match member(&call.params, &["Tagging"]).and_then(|t| member_nested(t, &["TagSet"])).and_then(read_tags) {
                Some(tags) => Learnt::Changes(vec![(arn, Change::ReplaceAll(tags))]),
                None => Learnt::Unreadable(vec![arn]),
            }
        }
        // TagRole, UntagUser, ... (IAM API Reference): the entity by name, or by ARN.
        ("iam", _) if name.starts_with("Tag") || name.starts_with("Untag") => {
            let entity = name.trim_start_matches("Untag").trim_start_matches("Tag");
            let arn = match entity {
                "Role" => call.param(&["roleName"]).map(|n| format!("arn:{p}:iam::{a}:role/{n}")),
                "User" => call.param(&["userName"]).map(|n| format!("arn:{p}:iam::{a}:user/{n}")),
                "InstanceProfile" => {
                    call.param(&["instanceProfileName"]).map(|n| format!("arn:{p}:iam::{a}:instance-profile/{n}"))
                }
                "ServerCertificate" => {
                    call.param(&["serverCertificateName"]).map(|n| format!("arn:{p}:iam::{a}:server-certificate/{n}"))
                }
                "Policy" => call.param(&["policyArn"]),
                "OpenIDConnectProvider" => call.param(&["openIDConnectProviderArn"]),
                "SAMLProvider" => call.param(&["sAMLProviderArn", "samlProviderArn"]),
                "MFADevice" => call.param(&["serialNumber"]).filter(|s| s.starts_with("arn:")),
                _ => None,
            };
            tag_or_untag(call, arn, name.starts_with("Tag"))
        }
        // The created entity's ARN is in the answer (IAM API Reference, CreateRole: Role.Arn).
        ("iam", "CreateRole" | "CreateUser" | "CreateInstanceProfile" | "CreatePolicy") => {
            let what = &["role", "user", "instanceProfile", "policy"];
            let arn =
                what.iter().find_map(|w| call.response().get(w)).and_then(|o| member(o, &["arn"])).and_then(scalar);
            created(call, arn, true)
        }
        // Lambda API Reference, CreateFunction: Tags; the answer's FunctionArn.
        ("lambda", "CreateFunction") => created(call, member(call.response(), &["functionArn"]).and_then(scalar), true),
        // SQS API Reference, TagQueue and UntagQueue: QueueUrl, Tags, TagKeys.
        ("sqs", "TagQueue" | "UntagQueue") => {
            let arn = call.param(&["queueUrl"]).and_then(|u| queue_arn(&u, p, r));
            tag_or_untag(call, arn, name == "TagQueue")
        }
        // CreateQueue and CreateTopic answer for an existing queue or topic of the same name
        // (SQS API Reference, CreateQueue; SNS API Reference, CreateTopic: "this action is
        // idempotent"): their tags are set, not the whole set.
        ("sqs", "CreateQueue") => {
            let arn = member(call.response(), &["queueUrl"]).and_then(scalar).and_then(|u| queue_arn(&u, p, r));
            created(call, arn, false)
        }
        ("sns", "CreateTopic") => created(call, member(call.response(), &["topicArn"]).and_then(scalar), false),
        // CloudWatch Logs API Reference, TagLogGroup (tags) and UntagLogGroup (tags, a list of
        // keys): the group by name.
        ("logs", "TagLogGroup" | "UntagLogGroup") => {
            let arn = call.param(&["logGroupName"]).map(|n| format!("arn:{p}:logs:{r}:{a}:log-group:{n}"));
            let Some(arn) = arn else { return unreadable(call) };
            let tags = member(&call.params, &["tags"]);
            match (name, tags) {
                ("TagLogGroup", Some(t)) => set_or_unknown(arn, read_tags(t).map(Change::Set)),
                ("UntagLogGroup", Some(t)) => set_or_unknown(arn, read_keys(t).map(removal)),
                _ => Learnt::Unreadable(vec![arn]),
            }
        }
        // CreateLogGroup fails on an existing group (ResourceAlreadyExistsException).
        ("logs", "CreateLogGroup") => {
            let arn = call.param(&["logGroupName"]).map(|n| format!("arn:{p}:logs:{r}:{a}:log-group:{n}"));
            created(call, arn, true)
        }
        // DynamoDB API Reference, CreateTable: Tags; the answer's TableDescription.TableArn.
        ("dynamodb", "CreateTable") => {
            let arn = call.response().get("tableDescription").and_then(|d| member(d, &["tableArn"])).and_then(scalar);
            created(call, arn, true)
        }
        // KMS API Reference, CreateKey: Tags of TagKey and TagValue; KeyMetadata.Arn.
        ("kms", "CreateKey") => {
            let arn = call.response().get("keyMetadata").and_then(|d| member(d, &["arn"])).and_then(scalar);
            created(call, arn, true)
        }
        // Secrets Manager API Reference, CreateSecret: Tags; the answer's ARN.
        ("secretsmanager", "CreateSecret") => created(call, member(call.response(), &["arn"]).and_then(scalar), true),
        // CloudFormation API Reference, CreateStack: Tags; the answer's StackId.
        ("cloudformation", "CreateStack") => {
            let arn = member(call.response(), &["stackId"]).and_then(scalar).or_else(|| stack_arn(call));
            created(call, arn, true)
        }
        // UpdateStack, Tags: "If you don't specify this parameter, CloudFormation doesn't
        // modify the stack's tags. If you specify an empty value, CloudFormation removes all
        // associated tags." (CloudFormation API Reference, UpdateStack.)
        ("cloudformation", "UpdateStack") => {
            let Some(tags) = member(&call.params, &["tags"]) else { return Learnt::Nothing };
            let Some(arn) = stack_arn(call) else { return unreadable(call) };
            set_or_unknown(arn, read_tags(tags).map(Change::ReplaceAll))
        }
        // A change set carries tags that its execution gives the stack (CreateChangeSet, Tags):
        // from the change set on, the stack's tags are not known.
        ("cloudformation", "CreateChangeSet" | "ExecuteChangeSet") => {
            let arn = member(call.response(), &["stackId"]).and_then(scalar).or_else(|| stack_arn(call));
            match arn {
                Some(arn) => Learnt::Changes(vec![(arn, Change::Unknown)]),
                None => Learnt::Unreadable(Vec::new()),
            }
        }
        // RDS API Reference, AddTagsToResource and RemoveTagsFromResource: ResourceName (an
        // ARN), Tags, TagKeys.
        ("rds", "AddTagsToResource" | "RemoveTagsFromResource") => {
            tag_or_untag(call, call.param(&["resourceName"]), name == "AddTagsToResource")
        }
        // Elastic Load Balancing API Reference (version 2015-12-01), AddTags and RemoveTags:
        // ResourceArns; the classic API (2012-06-01) names load balancers, tags and keys
        // as {Key} objects.
        ("elasticloadbalancing", "AddTags" | "RemoveTags") => {
            let mut arns: Vec<String> = member(&call.params, &["resourceArns"]).and_then(read_keys).unwrap_or_default();
            if let Some(names) = member(&call.params, &["loadBalancerNames"]).and_then(read_keys) {
                arns.extend(names.iter().map(|n| format!("arn:{p}:elasticloadbalancing:{r}:{a}:loadbalancer/{n}")));
            }
            let change = if name == "AddTags" {
                member(&call.params, &["tags"]).and_then(read_tags).map(Change::Set)
            } else {
                member(&call.params, &["tagKeys", "tags"]).and_then(read_keys).map(removal)
            };
            on_each(call, arns, change)
        }
        // CreateLoadBalancer and CreateTargetGroup answer for an existing one of the same
        // settings (ELB API Reference: "this operation is idempotent"): tags set, not all.
        ("elasticloadbalancing", "CreateLoadBalancer" | "CreateTargetGroup") => {
            let list = member(call.response(), &["loadBalancers", "targetGroups"]).and_then(Json::as_array);
            let arn = list.and_then(|l| l.first()).and_then(|x| member(x, &["loadBalancerArn", "targetGroupArn"]));
            match arn.and_then(scalar) {
                Some(arn) => created(call, Some(arn), false),
                None => Learnt::Nothing,
            }
        }
        // Resource Groups Tagging API Reference, TagResources and UntagResources:
        // ResourceARNList.
        ("tag", "TagResources" | "UntagResources") => {
            let arns = member(&call.params, &["resourceARNList", "ResourceARNList"]).and_then(read_keys);
            let change = if name == "TagResources" {
                member(&call.params, TAGS).and_then(read_tags).map(Change::Set)
            } else {
                member(&call.params, TAG_KEYS).and_then(read_keys).map(removal)
            };
            on_each(call, arns.unwrap_or_default(), change)
        }
        // The common TagResource and UntagResource of most services (Lambda, SNS, ECS,
        // DynamoDB, Logs, KMS, Secrets Manager, ECR, CloudFront, Step Functions...): the
        // resource by ARN, or by KeyId (KMS) or SecretId (Secrets Manager).
        (_, "TagResource" | "UntagResource") => {
            let arn = match prefix {
                "kms" => call.arn_or(&["keyId"], |id| format!("arn:{p}:kms:{r}:{a}:key/{id}")),
                "secretsmanager" => {
                    call.arn_or(&["secretId"], |id| format!("arn:{p}:secretsmanager:{r}:{a}:secret:{id}"))
                }
                _ => call
                    .param(&["resourceArn", "resourceARN", "resource", "arn", "resourceName", "resourceId"])
                    .filter(|s| s.starts_with("arn:")),
            };
            tag_or_untag(call, arn, name == "TagResource")
        }
        _ if tagging_name(name) => unreadable(call),
        // An update that carried tags (`may_change_tags`).
        _ => Learnt::Changes(call.mapped.iter().map(|a| (a.clone(), Change::Unknown)).collect()),
    }
}

/// A tagging call not read: unknown on the resources the mapping names, or on some resource
/// of the service.
pub(super) fn unreadable(call: &Call<'_>) -> Learnt {
    Learnt::Unreadable(call.mapped.clone())
}

fn set_or_unknown(arn: String, change: Option<Change>) -> Learnt {
    match change {
        Some(c) => Learnt::Changes(vec![(arn, c)]),
        None => Learnt::Unreadable(vec![arn]),
    }
}

fn removal(keys: Vec<String>) -> Change {
    Change::Remove(keys.into_iter().map(|k| (k, None)).collect())
}

/// Tags (`tag`) or keys removed, on the resource `arn` (or, failing it, the mapping's).
fn tag_or_untag(call: &Call<'_>, arn: Option<String>, tag: bool) -> Learnt {
    let arns = match arn {
        Some(a) => vec![a],
        None => call.mapped.clone(),
    };
    let change = if tag {
        member(&call.params, TAGS)
            .or_else(|| member(&call.params, &["tagResourceInput"]).and_then(|t| member(t, TAGS)))
            .and_then(read_tags)
            .map(Change::Set)
    } else {
        member(&call.params, TAG_KEYS).and_then(read_keys).map(removal)
    };
    on_each(call, arns, change)
}

fn on_each(call: &Call<'_>, arns: Vec<String>, change: Option<Change>) -> Learnt {
    let arns = if arns.is_empty() { call.mapped.clone() } else { arns };
    match change {
        Some(c) if !arns.is_empty() => Learnt::Changes(arns.into_iter().map(|a| (a, c.clone())).collect()),
        _ => Learnt::Unreadable(arns),
    }
}

/// A resource made by the call with the request's tags: all of them (`complete`), or, for a
/// call that may answer for an existing resource, only those set.
fn created(call: &Call<'_>, arn: Option<String>, complete: bool) -> Learnt {
    let Some(arn) = arn else { return Learnt::Nothing };
    let tags = match member(&call.params, TAGS) {
        None => Some(Vec::new()),
        Some(t) => read_tags(t),
    };
    let change = match (tags, complete) {
        (Some(tags), true) => Change::Created { tags, complete: true },
        (Some(tags), false) if tags.is_empty() => return Learnt::Nothing,
        (Some(tags), false) => Change::Set(tags),
        // Made here, with tags not read: nothing is known of them, nor of what came before.
        (None, _) => Change::Unknown,
    };
    Learnt::Changes(vec![(arn, change)])
}

/// A stack's ARN from StackName, a name or an ID (the key leaves the ID out).
fn stack_arn(call: &Call<'_>) -> Option<String> {
    let (p, r, a) = (call.partition(), call.region(), call.account());
    call.arn_or(&["stackName"], |n| format!("arn:{p}:cloudformation:{r}:{a}:stack/{n}/*"))
}

/// A queue's ARN from its URL, https://sqs.REGION.amazonaws.com/ACCOUNT/NAME (SQS Developer
/// Guide, "Amazon SQS queue and message identifiers").
fn queue_arn(url: &str, partition: &str, region: &str) -> Option<String> {
    let mut parts = url.trim_end_matches('/').rsplit('/');
    let (name, account) = (parts.next()?, parts.next()?);
    (!name.is_empty() && account.bytes().all(|b| b.is_ascii_digit()))
        .then(|| format!("arn:{partition}:sqs:{region}:{account}:{name}"))
}
