//! The resources of an event, for the `resource-type`, `resource` and `resource-arn` columns:
//! those CloudTrail wrote in `resources[]`, or else those the IAM mapping finds in the request
//! and the response (a new stack's ARN in CreateStack's response), as the console's Event
//! history shows a resource for such calls.

use ct_iam::Catalog;
use ct_iam::mapping::{self, Mapping};

use crate::columns::Rec;
use crate::record::{Obj, as_string};

/// One resource of an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resource {
    /// `AWS::S3::Bucket` as CloudTrail writes it, or, for a resource the mapping found,
    /// the IAM resource type as `prefix:type` (`cloudformation:stack`); empty when unknown.
    pub kind: String,
    pub arn: String,
}

/// The resources of `rec`: its `resources[]` when it has any, else the mapping's.
pub fn of(rec: &Rec<'_>) -> Vec<Resource> {
    let listed = listed(&rec.obj);
    if !listed.is_empty() {
        return listed;
    }
    derived(rec.text)
}

/// `resources[]`: each entry's `type` and `ARN` (or `ARNPrefix`).
fn listed(obj: &Obj<'_>) -> Vec<Resource> {
    let mut entries = Vec::new();
    obj.lookup(&["resources"], &mut entries);
    let mut items = Vec::new();
    for e in entries {
        let Ok(list) = serde_json::from_str::<Vec<&serde_json::value::RawValue>>(e.get()) else { continue };
        for item in list {
            let Ok(Some(o)) = Obj::parse(item.get()) else { continue };
            let text = |k: &str| o.get(k).and_then(as_string);
            let Some(arn) = text("ARN").or_else(|| text("ARNPrefix")) else { continue };
            let res = Resource { kind: text("type").unwrap_or_default(), arn };
            if !items.contains(&res) {
                items.push(res);
            }
        }
    }
    items
}

/// What the IAM mapping says the call touched: the resources of the first action the event
/// used (not one only inferred from it, such as iam:PassRole), each with the type of the
/// action's resource types whose ARN template it fits. The point to change when the mapping
/// learns more (request parameters of more calls).
pub fn derived(text: &str) -> Vec<Resource> {
    let Ok(ev) = ct_iam::Event::parse(text.as_bytes()) else { return Vec::new() };
    let Mapping::Actions(uses) = mapping::map(&ev) else { return Vec::new() };
    let Some(first) = uses.iter().find(|u| !u.inferred) else { return Vec::new() };
    let action = Catalog::get().action_named(&first.action);
    let mut out: Vec<Resource> = Vec::new();
    for arn in &first.resources {
        let kind = action
            .and_then(|a| {
                a.resources.iter().find_map(|r| {
                    let t = Catalog::get().resource_type(a.prefix, r.name)?;
                    t.glob().is_match(arn).then(|| format!("{}:{}", a.prefix, t.name))
                })
            })
            .unwrap_or_default();
        let res = Resource { kind, arn: arn.to_string() };
        if !out.contains(&res) {
            out.push(res);
        }
    }
    out
}

/// The name of a resource as a table shows it: the resource part of its ARN, after the
/// fifth `:` (`stack/webapp-prod/1964...`, `role/deploy-agent`, a bucket's name,
/// `bucket/key` for an object), which names it within its account and region; anything that
/// is not an ARN as it is.
pub fn name(arn: &str) -> &str {
    if !arn.starts_with("arn:") {
        return arn;
    }
    match arn.match_indices(':').nth(4) {
        Some((i, _)) if i + 1 < arn.len() => &arn[i + 1..],
        _ => arn,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec_resources(text: &str) -> Vec<(String, String)> {
        let rec = Rec::new(text, Obj::parse(text).unwrap().unwrap());
        of(&rec).into_iter().map(|r| (r.kind, r.arn)).collect()
    }

    #[test]
    fn names_are_the_resource_part_of_the_arn() {
        assert_eq!(name("arn:aws:s3:::deploy-artifacts/builds/app.zip"), "deploy-artifacts/builds/app.zip");
        assert_eq!(name("arn:aws:iam::111122223333:role/deploy-agent"), "role/deploy-agent");
        assert_eq!(name("arn:aws:lambda:ap-southeast-2:111122223333:function:webapp-api"), "function:webapp-api");
        assert_eq!(name("arn:aws:cloudformation:ap-southeast-2:111122223333:stack/web/1f2e"), "stack/web/1f2e");
        assert_eq!(name("i-0abc"), "i-0abc");
        assert_eq!(name("arn:aws:s3"), "arn:aws:s3");
    }

    #[test]
    fn resources_as_cloudtrail_listed_them() {
        let ev = r#"{"eventVersion":"1.05","eventSource":"s3.amazonaws.com","eventName":"GetObject","resources":[{"type":"AWS::S3::Object","ARN":"arn:aws:s3:::b/k"},{"accountId":"111122223333","type":"AWS::S3::Bucket","ARN":"arn:aws:s3:::b"}]}"#;
        assert_eq!(
            rec_resources(ev),
            [
                ("AWS::S3::Object".into(), "arn:aws:s3:::b/k".into()),
                ("AWS::S3::Bucket".into(), "arn:aws:s3:::b".into())
            ]
        );
    }

    /// CreateStack has no resources[]; the console shows the new stack, whose ARN is in the
    /// response (AWS CloudFormation API Reference, CreateStack: StackId).
    #[test]
    fn a_created_stack_is_found_by_the_mapping() {
        let ev = r#"{"eventVersion":"1.05","userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::111122223333:assumed-role/deploy-agent/ci","accountId":"111122223333"},"eventTime":"2017-06-01T13:06:24Z","eventSource":"cloudformation.amazonaws.com","eventName":"CreateStack","awsRegion":"ap-southeast-2","sourceIPAddress":"198.51.100.200","requestParameters":{"stackName":"webapp-prod","roleARN":"arn:aws:iam::111122223333:role/cfn-exec"},"responseElements":{"stackId":"arn:aws:cloudformation:ap-southeast-2:111122223333:stack/webapp-prod/19646292-66eb-4562-855a-55545b100b89"},"eventType":"AwsApiCall","recipientAccountId":"111122223333"}"#;
        assert_eq!(
            rec_resources(ev),
            [(
                "cloudformation:stack".into(),
                "arn:aws:cloudformation:ap-southeast-2:111122223333:stack/webapp-prod/19646292-66eb-4562-855a-55545b100b89"
                    .into()
            )]
        );
        // Refused before a stack existed: the name, with the id left open.
        let failed = ev.replace(r#"{"stackId":"arn:aws:cloudformation:ap-southeast-2:111122223333:stack/webapp-prod/19646292-66eb-4562-855a-55545b100b89"}"#, "null");
        assert_eq!(
            rec_resources(&failed),
            [(
                "cloudformation:stack".into(),
                "arn:aws:cloudformation:ap-southeast-2:111122223333:stack/webapp-prod/*".into()
            )]
        );
        // A sign-in names no resource.
        let login = r#"{"eventVersion":"1.05","eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","eventType":"AwsConsoleSignIn"}"#;
        assert!(rec_resources(login).is_empty());
    }
}
