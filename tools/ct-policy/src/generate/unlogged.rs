//! Actions a job needs that the trail does not show: data events, calls CloudTrail does not
//! log, and (`--guess`) the List/Describe/Get partners of the actions used.

use std::collections::BTreeSet;

use ct_iam::Catalog;

/// Services whose object-level calls CloudTrail logs only as data events, the management calls
/// that show a job working with that data, and the data actions.
pub(super) const DATA_EVENTS: &[(&str, &[&str], &[&str])] = &[
    (
        "s3",
        &[
            "CreateBucket",
            "GetBucketLocation",
            "GetBucketPolicy",
            "PutBucketPolicy",
            "GetBucketVersioning",
            "GetEncryptionConfiguration",
        ],
        &["GetObject", "PutObject", "DeleteObject", "ListBucket", "GetObjectVersion"],
    ),
    (
        "lambda",
        &["CreateFunction", "UpdateFunctionCode", "UpdateFunctionConfiguration", "GetFunction", "PublishVersion"],
        &["InvokeFunction"],
    ),
    (
        "dynamodb",
        &["CreateTable", "DescribeTable", "UpdateTable"],
        &["GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "Scan", "BatchGetItem", "BatchWriteItem"],
    ),
];

/// Calls that CloudTrail does not record, each with the logged call that shows a job makes it:
/// a log stream is created to be written to (CloudWatch Logs User Guide, "Logging Amazon
/// CloudWatch Logs API and console operations in AWS CloudTrail": PutLogEvents is not logged).
pub(super) const UNLOGGED_NEXT: &[(&str, &str, &str)] =
    &[("logs:CreateLogStream", "logs:PutLogEvents", "CloudTrail does not log PutLogEvents")];

const VERBS: &[&str] = &[
    "Create",
    "Delete",
    "Update",
    "Put",
    "Run",
    "Start",
    "Stop",
    "Terminate",
    "Modify",
    "Attach",
    "Detach",
    "Get",
    "List",
    "Describe",
    "Set",
    "Add",
    "Remove",
    "Register",
    "Deregister",
    "Associate",
    "Disassociate",
    "Enable",
    "Disable",
    "Tag",
    "Untag",
    "Invoke",
    "Publish",
    "Send",
    "Reboot",
    "Restore",
    "Upload",
    "Change",
    "Validate",
];

/// The List/Describe/Get partners of the actions used, from the catalog.
pub(super) fn guess(used: &BTreeSet<String>) -> Vec<String> {
    let catalog = Catalog::get();
    let mut out = BTreeSet::new();
    for full in used {
        let Some(a) = catalog.action_named(full) else { continue };
        let noun = VERBS.iter().find_map(|v| a.name.strip_prefix(v)).unwrap_or(a.name);
        if noun.is_empty() {
            continue;
        }
        let singular = noun.strip_suffix('s').unwrap_or(noun);
        for verb in ["Describe", "List", "Get"] {
            for form in [singular.to_string(), format!("{singular}s"), format!("{singular}es")] {
                if let Some(p) = catalog.action(a.prefix, &format!("{verb}{form}")) {
                    let name = p.full_name().to_string();
                    if !used.contains(&name.to_ascii_lowercase()) {
                        out.insert(name);
                    }
                }
            }
        }
    }
    out.into_iter().collect()
}
