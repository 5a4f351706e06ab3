//! Operations whose IAM actions are not their own names: fixed renames, and the calls whose
//! actions depend on what the request holds. Each rule names the page it follows; the
//! completeness test (iam/tests/operations.rs) runs every operation of every service through
//! the mapping and fails on an operation that resolves to no action of the catalog and that no
//! rule or listed exception covers.

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
