//! Operations whose IAM actions are not their own names: fixed renames, and the calls whose
//! actions depend on what the request holds. Each rule names the page it follows; the
//! completeness test (iam/tests/operations.rs) runs every operation of every service through
//! the mapping and fails on an operation that resolves to no action of the catalog and that no
//! rule or listed exception covers.

use std::sync::LazyLock;

use crate::json::Json;

/// (IAM prefix, operation as CloudTrail logs it, the actions it needs).
const FIXED: &[(&str, &str, &[&str])] = &[
    // Service Authorization Reference, "Actions, resources, and condition keys for AWS Budget
    // Service", API operations table: the budget, notification and subscriber calls are
    // authorised by two actions, ModifyBudget and ViewBudget.
    ("budgets", "CreateBudget", &["budgets:ModifyBudget"]),
    ("budgets", "UpdateBudget", &["budgets:ModifyBudget"]),
    ("budgets", "DeleteBudget", &["budgets:ModifyBudget"]),
    ("budgets", "CreateNotification", &["budgets:ModifyBudget"]),
    ("budgets", "UpdateNotification", &["budgets:ModifyBudget"]),
    ("budgets", "DeleteNotification", &["budgets:ModifyBudget"]),
    ("budgets", "CreateSubscriber", &["budgets:ModifyBudget"]),
    ("budgets", "UpdateSubscriber", &["budgets:ModifyBudget"]),
    ("budgets", "DeleteSubscriber", &["budgets:ModifyBudget"]),
    ("budgets", "DescribeBudget", &["budgets:ViewBudget"]),
    ("budgets", "DescribeBudgets", &["budgets:ViewBudget"]),
    ("budgets", "DescribeBudgetPerformanceHistory", &["budgets:ViewBudget"]),
    ("budgets", "DescribeBudgetNotificationsForAccount", &["budgets:ViewBudget"]),
    ("budgets", "DescribeNotificationsForBudget", &["budgets:ViewBudget"]),
    ("budgets", "DescribeSubscribersForNotification", &["budgets:ViewBudget"]),
    // Amazon SQS Developer Guide, "Amazon SQS API permissions: Actions and resource
    // reference": a batch call needs the action of the single call.
    ("sqs", "SendMessageBatch", &["sqs:SendMessage"]),
    ("sqs", "DeleteMessageBatch", &["sqs:DeleteMessage"]),
    ("sqs", "ChangeMessageVisibilityBatch", &["sqs:ChangeMessageVisibility"]),
    // Amazon SNS Developer Guide, "Amazon SNS message batching": a batch is published with
    // the permission of a single message, sns:Publish.
    ("sns", "PublishBatch", &["sns:Publish"]),
    // Amazon DynamoDB Developer Guide, "Using IAM with transactions": TransactGetItems needs
    // dynamodb:GetItem on each table read.
    ("dynamodb", "TransactGetItems", &["dynamodb:GetItem"]),
    // Amazon Timestream Developer Guide, "How Amazon Timestream works with IAM": a query needs
    // timestream:Select.
    ("timestream", "Query", &["timestream:Select"]),
    // AWS Lambda Developer Guide, "Lambda API permissions": GetLayerVersionByArn is authorised
    // as lambda:GetLayerVersion.
    ("lambda", "GetLayerVersionByArn", &["lambda:GetLayerVersion"]),
    // Service Authorization Reference, Amazon Detective: ListOrganizationAdminAccounts is
    // authorised by detective:ListOrganizationAdminAccount (singular).
    ("detective", "ListOrganizationAdminAccounts", &["detective:ListOrganizationAdminAccount"]),
    // Amazon CloudFront Developer Guide, "Tagging Amazon CloudFront distributions": a
    // distribution created with tags needs both cloudfront:CreateDistribution and
    // cloudfront:TagResource.
    ("cloudfront", "CreateDistributionWithTags", &["cloudfront:CreateDistribution", "cloudfront:TagResource"]),
    // Amazon S3 Control API Reference (the Outposts bucket calls) and the Amazon S3 on
    // Outposts User Guide, "Setting up IAM with S3 on Outposts": lifecycle, tagging and
    // replication calls on an Outposts bucket, deletes included, use these actions.
    ("s3-outposts", "PutBucketLifecycleConfiguration", &["s3-outposts:PutLifecycleConfiguration"]),
    ("s3-outposts", "GetBucketLifecycleConfiguration", &["s3-outposts:GetLifecycleConfiguration"]),
    ("s3-outposts", "DeleteBucketLifecycleConfiguration", &["s3-outposts:PutLifecycleConfiguration"]),
    ("s3-outposts", "DeleteBucketTagging", &["s3-outposts:PutBucketTagging"]),
    ("s3-outposts", "PutBucketReplication", &["s3-outposts:PutReplicationConfiguration"]),
    ("s3-outposts", "GetBucketReplication", &["s3-outposts:GetReplicationConfiguration"]),
    ("s3-outposts", "DeleteBucketReplication", &["s3-outposts:PutReplicationConfiguration"]),
];

/// Operations whose name is not an action of their service but whose documentation in the SDK
/// models names exactly one action of it (iam/data/documented.tsv, by
/// scripts/aws-documented-actions.py: "Required permissions: dms:ListDataProviders").
static DOCUMENTED: LazyLock<Table> = LazyLock::new(|| table(include_str!("../data/documented.tsv")));

/// Calls IAM does not authorise by the caller's policies, from the SDK models
/// (iam/data/unsigned.tsv, by scripts/aws-unsigned.py): operations sent without SigV4 (a user
/// pool's access token, a SAML assertion, an Identity Center token) and every operation of a
/// bearer-token API (`*`).
static UNSIGNED: LazyLock<Table> = LazyLock::new(|| table(include_str!("../data/unsigned.tsv")));

/// A table the SDK-model scripts write: (key, key) -> value, tab-separated, `#` comments.
type Table = hashbrown::HashMap<(&'static str, &'static str), &'static str>;

fn table(text: &'static str) -> Table {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| {
            let mut f = l.split('\t');
            Some(((f.next()?, f.next()?), f.next()?))
        })
        .collect()
}

/// Why a call of `source` needs no IAM permission of the caller, when the SDK models send it
/// unsigned or with a bearer token.
pub fn unsigned(source: &str, operation: &str) -> Option<&'static str> {
    UNSIGNED.get(&(source, operation)).or_else(|| UNSIGNED.get(&(source, "*"))).copied()
}

/// The action the SDK documentation names for an operation whose name is no action.
pub fn documented(prefix: &str, operation: &str) -> Option<&'static str> {
    DOCUMENTED.get(&(prefix, operation)).copied()
}

/// The actions of an operation that a fixed rule renames, as (prefix, action name) pairs.
pub fn fixed(prefix: &str, operation: &str) -> Option<Vec<(&'static str, &'static str)>> {
    let (_, _, actions) = FIXED.iter().find(|(p, o, _)| *p == prefix && *o == operation)?;
    Some(actions.iter().filter_map(|a| a.split_once(':')).collect())
}

/// Every fixed rule, for the completeness test and the man page.
pub fn fixed_rules() -> impl Iterator<Item = (&'static str, &'static str, &'static [&'static str])> {
    FIXED.iter().copied()
}

/// Operations whose actions follow from the request (`by_request`), and what they need when
/// the request does not tell: nothing can be named then, and the operation's own name is kept,
/// which the catalog does not hold, so that the user is told.
pub const BY_REQUEST: &[(&str, &str)] = &[
    ("dynamodb", "ExecuteStatement"),
    ("dynamodb", "BatchExecuteStatement"),
    ("dynamodb", "ExecuteTransaction"),
    ("dynamodb", "TransactWriteItems"),
];

/// The actions of a call whose actions follow from its request, or `None` when the request
/// does not show them (or the call is not one of `BY_REQUEST`).
pub fn by_request(prefix: &str, operation: &str, request: &Json<'_>) -> Option<Vec<(&'static str, &'static str)>> {
    let mut out: Vec<(&'static str, &'static str)> = Vec::new();
    let mut push = |a: &'static str| {
        if !out.iter().any(|(_, n)| *n == a) {
            out.push(("dynamodb", a));
        }
    };
    match (prefix, operation) {
        // Amazon DynamoDB Developer Guide, "IAM security policies with PartiQL for DynamoDB":
        // a statement needs PartiQLSelect, PartiQLInsert, PartiQLUpdate or PartiQLDelete by
        // its verb, in ExecuteStatement, BatchExecuteStatement and ExecuteTransaction alike.
        ("dynamodb", "ExecuteStatement") => push(partiql_action(request.get_ci("statement")?.as_str()?)?),
        ("dynamodb", "BatchExecuteStatement" | "ExecuteTransaction") => {
            let list = request.get_ci("statements").or_else(|| request.get_ci("transactStatements"))?;
            for item in list.as_array()? {
                push(partiql_action(item.get_ci("statement")?.as_str()?)?);
            }
        }
        // Amazon DynamoDB Developer Guide, "Using IAM with transactions": each item of a
        // TransactWriteItems needs the action of its kind.
        ("dynamodb", "TransactWriteItems") => {
            for item in request.get_ci("transactItems")?.as_array()? {
                let Json::Object(kinds) = item else { return None };
                for (kind, _) in kinds {
                    push(match kind.to_ascii_lowercase().as_str() {
                        "put" => "PutItem",
                        "update" => "UpdateItem",
                        "delete" => "DeleteItem",
                        "conditioncheck" => "ConditionCheckItem",
                        _ => return None,
                    });
                }
            }
        }
        _ => return None,
    }
    (!out.is_empty()).then_some(out)
}

/// The PartiQL action of a statement, by its first word.
fn partiql_action(statement: &str) -> Option<&'static str> {
    let verb = statement.split_whitespace().next()?;
    Some(match verb.to_ascii_uppercase().as_str() {
        "SELECT" => "PartiQLSelect",
        "INSERT" => "PartiQLInsert",
        "UPDATE" => "PartiQLUpdate",
        "DELETE" => "PartiQLDelete",
        _ => return None,
    })
}

/// Creates that tag what they create when the request carries tags, and for which AWS then
/// also authorises a tagging action (IAM never logs it: the create call is the event):
/// (IAM prefix, operation, the request member that holds the tags, the tagging action, the
/// resource type of what the call creates, which is what gets tagged).
const TAG_ON_CREATE: &[(&str, &str, &str, &str, &str)] = &[
    // Amazon SQS API Reference, CreateQueue: "To be able to tag a queue on creation, you must
    // have the sqs:CreateQueue and sqs:TagQueue permissions."
    ("sqs", "CreateQueue", "tags", "sqs:TagQueue", "queue"),
    // Amazon SNS API Reference, CreateTopic: sns:CreateTopic and sns:TagResource.
    ("sns", "CreateTopic", "tags", "sns:TagResource", "topic"),
    // AWS Secrets Manager API Reference, CreateSecret: "If you include tags in the secret, you
    // also need secretsmanager:TagResource."
    ("secretsmanager", "CreateSecret", "tags", "secretsmanager:TagResource", "Secret"),
    // AWS KMS API Reference, CreateKey and ReplicateKey: "To use the Tags parameter,
    // kms:TagResource".
    ("kms", "CreateKey", "tags", "kms:TagResource", "key"),
    ("kms", "ReplicateKey", "tags", "kms:TagResource", "key"),
    // CloudWatch Logs API Reference, CreateLogGroup: logs:TagResource or logs:TagLogGroup (the
    // newer one is named).
    ("logs", "CreateLogGroup", "tags", "logs:TagResource", "log-group"),
    // Service Authorization Reference, AWS Budget Service, API operations table.
    ("budgets", "CreateBudget", "resourceTags", "budgets:TagResource", "budget"),
    ("budgets", "CreateBudgetAction", "resourceTags", "budgets:TagResource", "budgetAction"),
    // Amazon ECS Developer Guide, "Grant permission to tag resources on creation": the create
    // call and ecs:TagResource.
    ("ecs", "CreateCapacityProvider", "tags", "ecs:TagResource", "capacity-provider"),
    ("ecs", "CreateCluster", "tags", "ecs:TagResource", "cluster"),
    ("ecs", "CreateService", "tags", "ecs:TagResource", "service"),
    ("ecs", "CreateTaskSet", "tags", "ecs:TagResource", "task-set"),
    ("ecs", "RegisterContainerInstance", "tags", "ecs:TagResource", "container-instance"),
    ("ecs", "RegisterTaskDefinition", "tags", "ecs:TagResource", "task-definition"),
    ("ecs", "RunTask", "tags", "ecs:TagResource", "task"),
    ("ecs", "StartTask", "tags", "ecs:TagResource", "task"),
    // AWS Lambda Developer Guide, "Using tags on Lambda functions" and "Using tags on event
    // source mappings": lambda:TagResource "to perform a tag on create".
    ("lambda", "CreateFunction", "tags", "lambda:TagResource", "function"),
    ("lambda", "CreateEventSourceMapping", "tags", "lambda:TagResource", "eventSourceMapping"),
    // Elastic Load Balancing User Guide, "Tagging resources during creation": additional
    // authorization on elasticloadbalancing:AddTags.
    ("elasticloadbalancing", "CreateLoadBalancer", "tags", "elasticloadbalancing:AddTags", "loadbalancer"),
    ("elasticloadbalancing", "CreateTargetGroup", "tags", "elasticloadbalancing:AddTags", "targetgroup"),
    // Amazon RDS User Guide, "Granting permission to tag RDS resources during creation":
    // additional authorization on rds:AddTagsToResource.
    ("rds", "CreateDBInstance", "tags", "rds:AddTagsToResource", "db"),
    ("rds", "CreateDBCluster", "tags", "rds:AddTagsToResource", "cluster"),
    // AWS CloudFormation Template Reference, AWS::SSM::Parameter: ssm:PutParameter and
    // ssm:AddTagsToResource (PutParameter takes tags only when it creates the parameter).
    ("ssm", "PutParameter", "tags", "ssm:AddTagsToResource", "parameter"),
    // Amazon S3 User Guide, "Creating a table with tags": s3tables:CreateTable and
    // s3tables:TagResource.
    ("s3tables", "CreateTable", "tags", "s3tables:TagResource", "Table"),
];

/// A create that tags what it creates.
#[derive(Debug, Clone, Copy)]
pub struct TagOnCreate {
    /// The request member that holds the tags.
    pub member: &'static str,
    /// The tagging action, `prefix:Name`.
    pub action: &'static str,
    /// The resource type (the tagging action's) of what the call creates.
    pub created: &'static str,
}

/// The tag-on-create rule of an operation.
pub fn tag_on_create(prefix: &str, operation: &str) -> Option<TagOnCreate> {
    TAG_ON_CREATE
        .iter()
        .find(|(p, o, ..)| *p == prefix && *o == operation)
        .map(|&(_, _, member, action, created)| TagOnCreate { member, action, created })
}

/// Every tag-on-create rule, for the tests and the man page.
pub fn tag_on_create_rules() -> impl Iterator<Item = (&'static str, &'static str, &'static str)> {
    TAG_ON_CREATE.iter().map(|(p, o, _, a, _)| (*p, *o, *a))
}

/// Whether the request's member `member` (any case) holds at least one tag.
pub fn holds_tags(request: &Json<'_>, member: &str) -> bool {
    match request.get_ci(member) {
        Some(Json::Object(m)) => !m.is_empty(),
        Some(Json::Array(a)) => !a.is_empty(),
        _ => false,
    }
}
