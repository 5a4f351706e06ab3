//! `--resource-type` and `--resource-name`: on the event's `resources[]`, or, for events that
//! carry none (most management events, and every event CloudTrail wrote before it added the
//! field to a service), on the resources the IAM mapping finds in the request and response, as
//! the console's event history shows them.

use ct_common::fields::Found;
use ct_common::glob::Glob;
use ct_iam::arn;
use ct_iam::{Catalog, Event, Mapping};

/// The CloudFormation-style types the console shows, by the ARN's service and the first part
/// of its resource (what comes before the first `/` or `:`; `""` when there is no such part,
/// as for SNS topics and SQS queues). S3 is apart: a bucket's ARN has no `/`, an object's has.
/// Other resources are matched by their IAM resource type name (`subnet`, `image`) from the
/// Service Authorization Reference.
pub const TYPES: &[(&str, &str, &str)] = &[
    ("cloudformation", "stack", "AWS::CloudFormation::Stack"),
    ("dynamodb", "table", "AWS::DynamoDB::Table"),
    ("ec2", "instance", "AWS::EC2::Instance"),
    ("ec2", "security-group", "AWS::EC2::SecurityGroup"),
    ("ec2", "subnet", "AWS::EC2::Subnet"),
    ("ec2", "volume", "AWS::EC2::Volume"),
    ("ec2", "vpc", "AWS::EC2::VPC"),
    ("iam", "group", "AWS::IAM::Group"),
    ("iam", "instance-profile", "AWS::IAM::InstanceProfile"),
    ("iam", "policy", "AWS::IAM::Policy"),
    ("iam", "role", "AWS::IAM::Role"),
    ("iam", "user", "AWS::IAM::User"),
    ("kms", "key", "AWS::KMS::Key"),
    ("lambda", "function", "AWS::Lambda::Function"),
    ("rds", "cluster", "AWS::RDS::DBCluster"),
    ("rds", "db", "AWS::RDS::DBInstance"),
    ("sns", "", "AWS::SNS::Topic"),
    ("sqs", "", "AWS::SQS::Queue"),
];

/// The parts of an ARN after `arn:PARTITION:`: its service and its resource.
fn service_and_resource(arn: &str) -> Option<(&str, &str)> {
    let mut parts = arn.splitn(6, ':');
    if parts.next()? != "arn" {
        return None;
    }
    let _partition = parts.next()?;
    let service = parts.next()?;
    let (_region, _account) = (parts.next()?, parts.next()?);
    Some((service, parts.next()?))
}

/// The type the console shows for an ARN, when the table has it.
pub fn console_type(arn: &str) -> Option<&'static str> {
    let (service, resource) = service_and_resource(arn)?;
    if service == "s3" {
        return Some(if resource.contains('/') { "AWS::S3::Object" } else { "AWS::S3::Bucket" });
    }
    let kind = match resource.find(['/', ':']) {
        Some(i) => &resource[..i],
        None => "",
    };
    TYPES.iter().find(|(s, k, _)| *s == service && *k == kind).map(|(_, _, t)| *t)
}

/// The name the console shows for an ARN: a stack's name (`stack/NAME/ID`), a Lambda
/// function's name without its version or alias (`function:NAME:ALIAS`), else the last part
/// of the ARN (after its last `/`, or its last `:` when it has no `/`).
pub fn console_name(arn: &str) -> &str {
    if let Some((service, resource)) = service_and_resource(arn) {
        match service {
            "cloudformation" if resource.starts_with("stack/") || resource.starts_with("stackset/") => {
                let rest = resource.split_once('/').map_or(resource, |(_, r)| r);
                return rest.split(['/', ':']).next().unwrap_or(rest);
            }
            "lambda" if resource.starts_with("function:") => {
                return resource["function:".len()..].split(':').next().unwrap_or(resource);
            }
            _ => {}
        }
    }
    arn::tail(arn)
}

/// The text a `--resource-name` value needs in the event: the last part of the value (the
/// name itself, or the end of an ARN), which the event states wherever the resource came from.
pub fn name_literal(value: &str) -> &str {
    value.rsplit(['/', ':']).next().unwrap_or(value)
}

/// Whether a name glob matches an ARN: the ARN itself, its last part, or its console name. A
/// pattern's name (`instance/*`, a resource the call created) is no name.
fn name_matches(globs: &[Glob], arn: &str) -> bool {
    let tail = arn::tail(arn);
    let name = console_name(arn);
    globs.iter().any(|g| {
        g.is_match(arn) || (!tail.contains('*') && g.is_match(tail)) || (!name.contains('*') && g.is_match(name))
    })
}

/// The two predicates, tested together so that the mapping runs at most once per event.
#[derive(Debug)]
pub struct ResourceTest {
    pub type_path: usize,
    pub arn_path: usize,
    pub types: Vec<Glob>,
    pub names: Vec<Glob>,
}

/// A resource the mapping found: its ARN and the IAM action that used it.
struct Mapped {
    arn: String,
    action: String,
}

impl ResourceTest {
    /// Whether the event's resources satisfy both predicates; `line` is the event's text, read
    /// again (by the IAM event reader) only when it has no `resources[]`.
    pub fn holds(&self, line: &[u8], f: &Found<'_>) -> bool {
        let carried = f.strs(self.type_path).next().is_some() || f.strs(self.arn_path).next().is_some();
        if carried {
            return (self.types.is_empty() || f.strs(self.type_path).any(|t| self.types.iter().any(|g| g.is_match(t))))
                && (self.names.is_empty() || f.strs(self.arn_path).any(|a| name_matches(&self.names, a)));
        }
        let mapped = mapped(line);
        (self.types.is_empty() || mapped.iter().any(|m| self.type_holds(m)))
            && (self.names.is_empty() || mapped.iter().any(|m| name_matches(&self.names, &m.arn)))
    }

    fn type_holds(&self, m: &Mapped) -> bool {
        if let Some(t) = console_type(&m.arn)
            && self.types.iter().any(|g| g.is_match(t))
        {
            return true;
        }
        iam_type(&m.action, &m.arn).is_some_and(|t| self.types.iter().any(|g| g.is_match(t)))
    }
}

/// The resources the IAM mapping finds for an event: those of the actions the call used
/// (not the inferred ones, such as the iam:PassRole of a role named in the request).
fn mapped(line: &[u8]) -> Vec<Mapped> {
    let Ok(ev) = Event::parse(line) else { return Vec::new() };
    let Mapping::Actions(uses) = ct_iam::map(&ev) else { return Vec::new() };
    let mut out = Vec::new();
    for u in uses.into_iter().filter(|u| !u.inferred) {
        for r in u.resources {
            out.push(Mapped { arn: r.into_owned(), action: u.action.to_string() });
        }
    }
    out
}

/// The IAM resource type (of the action's own resource types) that an ARN is of.
fn iam_type(action: &str, arn: &str) -> Option<&'static str> {
    let catalog = Catalog::get();
    let a = catalog.action_named(action)?;
    a.resources
        .iter()
        .filter_map(|r| catalog.resource_type(a.prefix, r.name))
        .find(|t| t.glob().is_match(arn))
        .map(|t| t.name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn console_types_by_service_and_resource() {
        let t = console_type;
        assert_eq!(
            t("arn:aws:cloudformation:ap-southeast-2:111122223333:stack/webapp-prod/1964"),
            Some("AWS::CloudFormation::Stack")
        );
        assert_eq!(t("arn:aws:s3:::deploy-artifacts"), Some("AWS::S3::Bucket"));
        assert_eq!(t("arn:aws:s3:::deploy-artifacts/builds/a.zip"), Some("AWS::S3::Object"));
        assert_eq!(t("arn:aws:ec2:ap-southeast-2:111122223333:instance/i-0abc"), Some("AWS::EC2::Instance"));
        assert_eq!(t("arn:aws:ec2:ap-southeast-2:111122223333:security-group/sg-1"), Some("AWS::EC2::SecurityGroup"));
        assert_eq!(t("arn:aws:iam::111122223333:role/service-role/deploy"), Some("AWS::IAM::Role"));
        assert_eq!(t("arn:aws:iam::111122223333:user/alice"), Some("AWS::IAM::User"));
        assert_eq!(t("arn:aws:iam::111122223333:policy/p"), Some("AWS::IAM::Policy"));
        assert_eq!(t("arn:aws:lambda:us-east-1:111122223333:function:webapp-api"), Some("AWS::Lambda::Function"));
        assert_eq!(t("arn:aws:dynamodb:us-east-1:111122223333:table/sessions"), Some("AWS::DynamoDB::Table"));
        assert_eq!(t("arn:aws:kms:us-east-1:111122223333:key/7c1f"), Some("AWS::KMS::Key"));
        assert_eq!(t("arn:aws:sns:us-east-1:111122223333:alerts"), Some("AWS::SNS::Topic"));
        assert_eq!(t("arn:aws:sqs:us-east-1:111122223333:jobs"), Some("AWS::SQS::Queue"));
        assert_eq!(t("arn:aws:rds:us-east-1:111122223333:db:orders"), Some("AWS::RDS::DBInstance"));
        assert_eq!(t("arn:aws:ec2:ap-southeast-2::image/ami-1"), None, "left to the IAM type name");
        assert_eq!(t("not an arn"), None);
    }

    #[test]
    fn console_names() {
        let n = console_name;
        assert_eq!(n("arn:aws:cloudformation:ap-southeast-2:111122223333:stack/webapp-prod/1964-ab"), "webapp-prod");
        assert_eq!(n("arn:aws:cloudformation:ap-southeast-2:111122223333:stack/webapp-prod/*"), "webapp-prod");
        assert_eq!(n("arn:aws:lambda:us-east-1:111122223333:function:webapp-api:live"), "webapp-api");
        assert_eq!(n("arn:aws:iam::111122223333:role/service-role/deploy"), "deploy");
        assert_eq!(n("arn:aws:s3:::bucket"), "bucket");
        assert_eq!(n("arn:aws:sqs:us-east-1:111122223333:jobs"), "jobs");
        assert_eq!(name_literal("arn:aws:cloudformation:*:stack/webapp-prod/*"), "*");
        assert_eq!(name_literal("webapp-prod"), "webapp-prod");
    }

    #[test]
    fn a_pattern_is_no_name() {
        let g = [Glob::new("*")];
        assert!(!name_matches(&[Glob::new("i-*")], "arn:aws:ec2:r:1:instance/*"));
        assert!(name_matches(&g, "arn:aws:ec2:r:1:instance/*"), "the ARN itself still matches a pattern");
        assert!(name_matches(&[Glob::new("webapp-prod")], "arn:aws:cloudformation:r:1:stack/webapp-prod/*"));
    }

    #[test]
    fn the_mapping_answers_for_events_without_resources() {
        let create = br#"{"eventVersion":"1.05","eventSource":"cloudformation.amazonaws.com","eventName":"CreateStack","awsRegion":"ap-southeast-2","recipientAccountId":"111122223333","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/alice","accountId":"111122223333"},"requestParameters":{"stackName":"webapp-prod","roleARN":"arn:aws:iam::111122223333:role/cfn-exec"},"responseElements":{"stackId":"arn:aws:cloudformation:ap-southeast-2:111122223333:stack/webapp-prod/19646292"}}"#;
        let m = mapped(create);
        assert!(
            m.iter().any(|m| console_name(&m.arn) == "webapp-prod"),
            "{:?}",
            m.iter().map(|m| &m.arn).collect::<Vec<_>>()
        );
        assert!(m.iter().all(|m| !m.arn.contains("cfn-exec")), "the passed role is an inferred use");
        let subnet = Mapped {
            arn: "arn:aws:ec2:ap-southeast-2:111122223333:subnet/subnet-1".into(),
            action: "ec2:RunInstances".into(),
        };
        assert_eq!(iam_type(&subnet.action, &subnet.arn), Some("subnet"));
    }
}
