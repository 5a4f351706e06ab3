//! Evaluation cases, each from the IAM User Guide page named in its comment.

use ct_iam::eval::{Context, Decision, Mode, Request, arn_match, evaluate};
use ct_iam::policy::{Policy, parse_document, parse_file};

fn pol(json: &str) -> Policy {
    parse_document(&serde_json::from_str(json).unwrap(), "p").unwrap()
}

fn decide(policies: &[Policy], action: &str, resource: Option<&str>, ctx: &[(&str, &str)], mode: Mode) -> Decision {
    let mut c = Context::new();
    for (k, v) in ctx {
        c.add(k, v);
    }
    evaluate(policies, &Request { action, resource, context: &c, mode }).decision
}

fn sim(p: &Policy, action: &str, resource: &str, ctx: &[(&str, &str)]) -> Decision {
    decide(std::slice::from_ref(p), action, Some(resource), ctx, Mode::Simulate)
}

#[test]
fn explicit_deny_wins_and_an_allow_is_needed() {
    // "Policy evaluation logic": an explicit deny overrides any allow; without an allow the
    // request is implicitly denied.
    let p = pol(r#"{"Version":"2012-10-17","Statement":[
            {"Effect":"Allow","Action":"ec2:*","Resource":"*"},
            {"Sid":"NoTerminate","Effect":"Deny","Action":"ec2:TerminateInstances","Resource":"*"}]}"#);
    assert_eq!(sim(&p, "ec2:RunInstances", "*", &[]), Decision::Allow);
    assert_eq!(sim(&p, "ec2:TerminateInstances", "*", &[]), Decision::ExplicitDeny);
    assert_eq!(sim(&p, "s3:GetObject", "arn:aws:s3:::b/k", &[]), Decision::ImplicitDeny);
    let out = evaluate(
        &[p],
        &Request {
            action: "ec2:TerminateInstances",
            resource: Some("*"),
            context: &Context::new(),
            mode: Mode::Simulate,
        },
    );
    assert_eq!(out.statement.as_deref(), Some("p: NoTerminate"));
}

#[test]
fn actions_match_case_insensitively_with_wildcards_and_not_action() {
    // "IAM JSON policy elements: Action": action names are case-insensitive; * and ? match.
    let p = pol(
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":["S3:get*","iam:?etUser"],"Resource":"*"}}"#,
    );
    assert_eq!(sim(&p, "s3:GetObject", "*", &[]), Decision::Allow);
    assert_eq!(sim(&p, "iam:GetUser", "*", &[]), Decision::Allow);
    assert_eq!(sim(&p, "iam:GetUsers", "*", &[]), Decision::ImplicitDeny);
    // "NotAction": everything except the listed actions.
    let p = pol(r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}}"#);
    assert_eq!(sim(&p, "ec2:RunInstances", "*", &[]), Decision::Allow);
    assert_eq!(sim(&p, "iam:CreateUser", "*", &[]), Decision::ImplicitDeny);
}

#[test]
fn resources_match_case_sensitively_by_arn_part() {
    // "IAM JSON policy elements: Resource": ARNs are case-sensitive; wildcards within parts;
    // a trailing * of a part may run past colons; bucket/* does not match the bucket itself.
    assert!(arn_match("arn:aws:s3:::my-bucket/*", "arn:aws:s3:::my-bucket/a/b.txt"));
    assert!(!arn_match("arn:aws:s3:::my-bucket/*", "arn:aws:s3:::my-bucket"));
    assert!(!arn_match("arn:aws:s3:::MyBucket/*", "arn:aws:s3:::mybucket/x"));
    assert!(arn_match("arn:aws:iam::*:role/deploy-*", "arn:aws:iam::111122223333:role/deploy-agent"));
    assert!(arn_match("arn:aws:ec2:*:*:instance/*", "arn:aws:ec2:ap-southeast-2:111122223333:instance/i-1"));
    assert!(!arn_match("arn:aws:ec2:us-east-1:*:instance/*", "arn:aws:ec2:ap-southeast-2:111122223333:instance/i-1"));
    assert!(arn_match("*", "anything"));
    // "NotResource": every resource but the listed ones.
    let p = pol(
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","NotResource":"arn:aws:s3:::secret/*"}}"#,
    );
    assert_eq!(sim(&p, "s3:GetObject", "arn:aws:s3:::public/x", &[]), Decision::Allow);
    assert_eq!(sim(&p, "s3:GetObject", "arn:aws:s3:::secret/x", &[]), Decision::ImplicitDeny);
}

#[test]
fn condition_operators() {
    // "IAM JSON policy elements: Condition operators".
    let with = |op: &str, key: &str, val: &str| {
        pol(&format!(
            r#"{{"Version":"2012-10-17","Statement":{{"Effect":"Allow","Action":"*","Resource":"*","Condition":{{"{op}":{{"{key}":{val}}}}}}}}}"#
        ))
    };
    let a = |p: &Policy, ctx: &[(&str, &str)]| sim(p, "ec2:RunInstances", "*", ctx) == Decision::Allow;
    assert!(a(
        &with("StringEquals", "aws:RequestedRegion", r#"["ap-southeast-2","eu-west-1"]"#),
        &[("aws:RequestedRegion", "eu-west-1")]
    ));
    assert!(!a(
        &with("StringEquals", "aws:RequestedRegion", r#""ap-southeast-2""#),
        &[("aws:RequestedRegion", "us-east-1")]
    ));
    // Key names are case-insensitive.
    assert!(a(
        &with("StringEquals", "AWS:requestedregion", r#""ap-southeast-2""#),
        &[("aws:RequestedRegion", "ap-southeast-2")]
    ));
    assert!(a(
        &with("StringNotEquals", "aws:RequestedRegion", r#""us-east-1""#),
        &[("aws:RequestedRegion", "ap-southeast-2")]
    ));
    assert!(a(
        &with("StringEqualsIgnoreCase", "ec2:InstanceType", r#""T2.MICRO""#),
        &[("ec2:InstanceType", "t2.micro")]
    ));
    assert!(a(&with("StringLike", "ec2:InstanceType", r#""t2.*""#), &[("ec2:InstanceType", "t2.micro")]));
    assert!(!a(&with("StringLike", "ec2:InstanceType", r#""t2.*""#), &[("ec2:InstanceType", "m5.large")]));
    assert!(a(&with("StringNotLike", "ec2:InstanceType", r#""*.metal""#), &[("ec2:InstanceType", "m5.large")]));
    assert!(a(&with("NumericLessThanEquals", "s3:max-keys", r#""10""#), &[("s3:max-keys", "10")]));
    assert!(!a(&with("NumericLessThan", "s3:max-keys", r#""10""#), &[("s3:max-keys", "10")]));
    assert!(a(&with("NumericGreaterThan", "s3:max-keys", "5"), &[("s3:max-keys", "10")]));
    assert!(a(
        &with("DateLessThan", "aws:CurrentTime", r#""2019-07-16T12:00:00Z""#),
        &[("aws:CurrentTime", "2017-06-01T00:00:00Z")]
    ));
    assert!(!a(
        &with("DateGreaterThan", "aws:CurrentTime", r#""2019-07-16T12:00:00Z""#),
        &[("aws:CurrentTime", "2017-06-01T00:00:00Z")]
    ));
    assert!(a(&with("Bool", "aws:MultiFactorAuthPresent", "true"), &[("aws:MultiFactorAuthPresent", "true")]));
    assert!(!a(&with("Bool", "aws:MultiFactorAuthPresent", r#""true""#), &[("aws:MultiFactorAuthPresent", "false")]));
    assert!(a(
        &with("IpAddress", "aws:SourceIp", r#"["203.0.113.0/24","2001:DB8:1234:5678::/64"]"#),
        &[("aws:SourceIp", "203.0.113.7")]
    ));
    assert!(a(
        &with("IpAddress", "aws:SourceIp", r#""2001:DB8:1234:5678::/64""#),
        &[("aws:SourceIp", "2001:db8:1234:5678::9")]
    ));
    assert!(a(&with("NotIpAddress", "aws:SourceIp", r#""203.0.113.0/24""#), &[("aws:SourceIp", "198.51.100.1")]));
    assert!(a(&with("IpAddress", "aws:SourceIp", r#""203.0.113.7""#), &[("aws:SourceIp", "203.0.113.7")]));
    assert!(a(
        &with("ArnLike", "aws:PrincipalArn", r#""arn:aws:iam::*:role/deploy-*""#),
        &[("aws:PrincipalArn", "arn:aws:iam::1:role/deploy-agent")]
    ));
    assert!(a(
        &with("ArnNotEquals", "aws:PrincipalArn", r#""arn:aws:iam::1:role/x""#),
        &[("aws:PrincipalArn", "arn:aws:iam::1:role/y")]
    ));
    assert!(a(
        &with("BinaryEquals", "aws:SomeBinary", r#""QmluYXJ5VmFsdWVJbkJhc2U2NA==""#),
        &[("aws:SomeBinary", "QmluYXJ5VmFsdWVJbkJhc2U2NA==")]
    ));
}

#[test]
fn absent_keys_ifexists_and_null() {
    // Condition operators page: an absent key makes a condition false, except for negated
    // operators (true), ...IfExists (true) and Null.
    let with = |op: &str, val: &str| {
        pol(&format!(
            r#"{{"Version":"2012-10-17","Statement":{{"Effect":"Allow","Action":"*","Resource":"*","Condition":{{"{op}":{{"ec2:InstanceType":{val}}}}}}}}}"#
        ))
    };
    let a = |p: &Policy| sim(p, "ec2:RunInstances", "*", &[]) == Decision::Allow;
    assert!(!a(&with("StringLike", r#""t2.*""#)));
    assert!(a(&with("StringNotEquals", r#""m5.large""#)));
    assert!(a(&with("StringLikeIfExists", r#""t2.*""#)));
    assert!(a(&with("Null", r#""true""#)));
    assert!(!a(&with("Null", r#""false""#)));
    assert!(a(&with("ForAllValues:StringEquals", r#""t2.micro""#)), "ForAllValues holds for an absent key");
    assert!(!a(&with("ForAnyValue:StringEquals", r#""t2.micro""#)), "ForAnyValue does not");
}

#[test]
fn multivalued_keys_with_set_qualifiers() {
    // "Creating a condition with multiple context keys or values": ForAllValues needs every
    // request value in the set, ForAnyValue at least one.
    let p = |q: &str| {
        pol(&format!(
            r#"{{"Version":"2012-10-17","Statement":{{"Effect":"Allow","Action":"*","Resource":"*","Condition":{{"{q}:StringEquals":{{"aws:TagKeys":["environment","cost-center"]}}}}}}}}"#
        ))
    };
    let both = [("aws:TagKeys", "environment"), ("aws:TagKeys", "cost-center")];
    let extra = [("aws:TagKeys", "environment"), ("aws:TagKeys", "owner")];
    assert_eq!(sim(&p("ForAllValues"), "ec2:CreateTags", "*", &both), Decision::Allow);
    assert_eq!(sim(&p("ForAllValues"), "ec2:CreateTags", "*", &extra), Decision::ImplicitDeny);
    assert_eq!(sim(&p("ForAnyValue"), "ec2:CreateTags", "*", &extra), Decision::Allow);
}

#[test]
fn policy_variables_only_in_version_2012() {
    // "IAM policy elements: Variables and tags": ${aws:username} is replaced under
    // 2012-10-17; under 2008-10-17 it is plain text.
    let doc = |v: &str| {
        pol(&format!(
            r#"{{"Version":"{v}","Statement":{{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::home/${{aws:username}}/*"}}}}"#
        ))
    };
    let ctx = [("aws:username", "alice")];
    assert_eq!(sim(&doc("2012-10-17"), "s3:GetObject", "arn:aws:s3:::home/alice/x", &ctx), Decision::Allow);
    assert_eq!(sim(&doc("2012-10-17"), "s3:GetObject", "arn:aws:s3:::home/bob/x", &ctx), Decision::ImplicitDeny);
    assert_eq!(sim(&doc("2008-10-17"), "s3:GetObject", "arn:aws:s3:::home/alice/x", &ctx), Decision::ImplicitDeny);
    assert_eq!(sim(&doc("2008-10-17"), "s3:GetObject", "arn:aws:s3:::home/${aws:username}/x", &ctx), Decision::Allow);
    // A variable without a value makes the statement not apply; a default fills it.
    assert_eq!(sim(&doc("2012-10-17"), "s3:GetObject", "arn:aws:s3:::home/alice/x", &[]), Decision::ImplicitDeny);
    let d = pol(
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::home/${aws:username, 'anonymous'}/*"}}"#,
    );
    assert_eq!(sim(&d, "s3:GetObject", "arn:aws:s3:::home/anonymous/x", &[]), Decision::Allow);
}

#[test]
fn what_the_logs_cannot_show_is_unknown_in_check_mode() {
    // Principal tags are not in CloudTrail records: a check cannot settle this condition.
    let p = pol(
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"ec2:*","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/team":"web"}}}}"#,
    );
    assert_eq!(decide(std::slice::from_ref(&p), "ec2:RunInstances", Some("*"), &[], Mode::Check), Decision::Unknown);
    assert_eq!(
        decide(std::slice::from_ref(&p), "ec2:RunInstances", Some("*"), &[], Mode::Simulate),
        Decision::ImplicitDeny
    );
    // A region the logs always show is not Unknown.
    let r = pol(
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:RequestedRegion":"ap-southeast-2"}}}}"#,
    );
    assert_eq!(
        decide(&[r], "ec2:RunInstances", Some("*"), &[("aws:RequestedRegion", "us-east-1")], Mode::Check),
        Decision::ImplicitDeny
    );
    // A resource the logs did not name is settled only by Resource "*".
    let scoped = pol(
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"ec2:*","Resource":"arn:aws:ec2:*:*:instance/i-1"}}"#,
    );
    assert_eq!(decide(std::slice::from_ref(&scoped), "ec2:StopInstances", None, &[], Mode::Check), Decision::Unknown);
    // A possible explicit deny makes an allowed action Unknown, never Allow.
    let maybe_deny = pol(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},
            {"Effect":"Deny","Action":"*","Resource":"*","Condition":{"StringNotEquals":{"aws:ResourceTag/env":"dev"}}}]}"#);
    assert_eq!(decide(&[maybe_deny], "ec2:StopInstances", Some("*"), &[], Mode::Check), Decision::Unknown);
}

#[test]
fn the_aws_example_that_allows_nothing_and_its_fix() {
    // "IAM JSON policy elements: Condition operators", ...IfExists: a StringLike on
    // ec2:InstanceType over Resource * allows nothing for RunInstances, whose image, subnet and
    // other resources carry no instance type; StringLikeIfExists works.
    let broken = pol(
        r#"{"Version":"2012-10-17","Statement":{"Sid":"THISPOLICYDOESNOTWORK","Effect":"Allow","Action":"ec2:RunInstances","Resource":"*","Condition":{"StringLike":{"ec2:InstanceType":["t1.*","t2.*","m3.*"]}}}}"#,
    );
    let fixed = pol(
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"ec2:RunInstances","Resource":"*","Condition":{"StringLikeIfExists":{"ec2:InstanceType":["t1.*","t2.*","m3.*"]}}}}"#,
    );
    let image = "arn:aws:ec2:ap-southeast-2::image/ami-1";
    assert_eq!(sim(&broken, "ec2:RunInstances", image, &[]), Decision::ImplicitDeny);
    assert_eq!(sim(&fixed, "ec2:RunInstances", image, &[]), Decision::Allow);
    assert_eq!(
        sim(&fixed, "ec2:RunInstances", "arn:aws:ec2:ap-southeast-2:1:instance/*", &[("ec2:InstanceType", "m5.large")]),
        Decision::ImplicitDeny
    );
}

#[test]
fn grammar_errors_are_errors() {
    let bad = |j: &str| parse_document(&serde_json::from_str(j).unwrap(), "p").unwrap_err().0;
    assert!(
        bad(r#"{"Version":"2012-10-17","Statement":{"Effect":"Permit","Action":"*","Resource":"*"}}"#)
            .contains("Effect")
    );
    assert!(bad(r#"{"Statement":{"Effect":"Allow","Action":"*","NotAction":"s3:*","Resource":"*"}}"#).contains("both"));
    assert!(bad(r#"{"Statement":{"Effect":"Allow","Action":"*"}}"#).contains("Resource"));
    assert!(
        bad(r#"{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEqualz":{"k":"v"}}}}"#)
            .contains("unknown condition operator")
    );
    assert!(bad(r#"{"Version":"2013-01-01","Statement":[]}"#).contains("Version"));
    assert!(
        bad(r#"{"Statement":{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}}"#).contains("Principal")
    );
}

#[test]
fn aws_cli_wrappers() {
    let doc = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}}"#;
    let version = format!(r#"{{"PolicyVersion":{{"Document":{doc},"VersionId":"v2","IsDefaultVersion":true}}}}"#);
    assert_eq!(parse_file(&version, "f", None).unwrap().len(), 1);
    let role = format!(r#"{{"RoleName":"r","PolicyName":"p","PolicyDocument":{doc}}}"#);
    assert_eq!(parse_file(&role, "f", None).unwrap()[0].statements.len(), 1);
    let encoded = r#"{"PolicyVersion":{"Document":"%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22*%22%2C%22Resource%22%3A%22*%22%7D%7D"}}"#;
    assert_eq!(parse_file(encoded, "f", None).unwrap()[0].statements.len(), 1);
    let details = format!(
        r#"{{"UserDetailList":[],"RoleDetailList":[{{"RoleName":"build-agent","Arn":"arn:aws:iam::1:role/build-agent","RolePolicyList":[{{"PolicyName":"inline","PolicyDocument":{doc}}}],"AttachedManagedPolicies":[{{"PolicyName":"ro","PolicyArn":"arn:aws:iam::aws:policy/RO"}}]}},{{"RoleName":"other","RolePolicyList":[],"AttachedManagedPolicies":[]}}],"Policies":[{{"Arn":"arn:aws:iam::aws:policy/RO","PolicyVersionList":[{{"Document":{doc},"IsDefaultVersion":true}}]}}]}}"#
    );
    assert_eq!(parse_file(&details, "f", Some("build-agent")).unwrap().len(), 2);
    assert!(parse_file(&details, "f", None).unwrap_err().0.contains("--role"));
}

/// Regressions from a review of fail-open paths.
#[test]
fn pooled_contexts_settle_only_keys_every_event_had() {
    use ct_iam::eval::Known;
    let mut pooled = Context::new();
    pooled.add("aws:RequestedRegion", "ap-southeast-2");
    pooled.add("aws:SourceVpce", "vpce-1");
    pooled.known = Known::Pooled(vec!["aws:requestedregion".into()]);
    fn req(c: &Context) -> Request<'_> {
        Request { action: "s3:ListBucket", resource: Some("*"), context: c, mode: Mode::Check }
    }
    // Null on a key some events may have lacked: Unknown, not a skipped Deny.
    let null_deny = pol(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},
            {"Effect":"Deny","Action":"*","Resource":"*","Condition":{"Null":{"aws:SourceVpce":"true"}}}]}"#);
    assert_eq!(evaluate(std::slice::from_ref(&null_deny), &req(&pooled)).decision, Decision::Unknown);
    // Set qualifiers never read pooled values.
    let mut tags = Context::new();
    tags.add("aws:TagKeys", "env");
    tags.add("aws:TagKeys", "owner");
    tags.known = Known::Pooled(vec!["aws:tagkeys".into()]);
    let any = pol(
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"ForAnyValue:StringEquals":{"aws:TagKeys":"env"}}}}"#,
    );
    assert_eq!(evaluate(&[any], &req(&tags)).decision, Decision::Unknown);
    // The region, which every event has, still settles.
    let region = pol(
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:RequestedRegion":"ap-southeast-2"}}}}"#,
    );
    assert_eq!(evaluate(&[region], &req(&pooled)).decision, Decision::Allow);
    // Nothing known: every condition is Unknown.
    let mut nothing = Context::new();
    nothing.known = Known::Nothing;
    let deny_region = pol(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},
            {"Effect":"Deny","Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:RequestedRegion":"eu-west-1"}}}]}"#);
    assert_eq!(evaluate(&[deny_region], &req(&nothing)).decision, Decision::Unknown);
}

#[test]
fn unresolvable_variables_arn_parts_and_null_with_both_values() {
    // An unresolvable variable makes the statement not apply, also under NotResource.
    let p = pol(
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","NotResource":"arn:aws:s3:::home-${aws:username}/*"}}"#,
    );
    assert_eq!(sim(&p, "s3:GetObject", "arn:aws:s3:::other/x", &[]), Decision::ImplicitDeny);
    // ArnLike compares part by part: a * never runs past a colon (the docs' counter-example).
    let arn = pol(
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"ArnLike":{"aws:SourceArn":"arn:aws:someservice:*:111122223333:finance/*"}}}}"#,
    );
    let tricky = "arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt";
    assert_eq!(sim(&arn, "s3:GetObject", "*", &[("aws:SourceArn", tricky)]), Decision::ImplicitDeny);
    // Null with both values always holds.
    let both = pol(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},
            {"Effect":"Deny","Action":"*","Resource":"*","Condition":{"Null":{"aws:SourceVpce":["true","false"]}}}]}"#);
    assert_eq!(sim(&both, "s3:GetObject", "*", &[("aws:SourceVpce", "vpce-1")]), Decision::ExplicitDeny);
    assert_eq!(sim(&both, "s3:GetObject", "*", &[]), Decision::ExplicitDeny);
}

#[test]
fn duplicate_keys_boundaries_and_groups_in_policy_files() {
    let dup =
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*","Effect":"Allow"}]}"#;
    assert!(parse_file(dup, "f", None).unwrap_err().0.contains("appears twice"));
    let doc = r#"{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"iam:*","Resource":"*"}}"#;
    let details = format!(
        r#"{{"UserDetailList":[{{"UserName":"alice","Arn":"arn:aws:iam::1:user/alice","GroupList":["admins"],"UserPolicyList":[],"AttachedManagedPolicies":[]}}],"GroupDetailList":[{{"GroupName":"admins","GroupPolicyList":[{{"PolicyName":"no-iam","PolicyDocument":{doc}}}],"AttachedManagedPolicies":[]}}],"RoleDetailList":[],"Policies":[]}}"#
    );
    let ps = parse_file(&details, "f", Some("alice")).unwrap();
    assert_eq!(ps.len(), 1, "the group's policy counts for the user");
    let bounded = details.replace(
        r#""GroupList":["admins"]"#,
        r#""GroupList":[],"PermissionsBoundary":{"PermissionsBoundaryArn":"arn:aws:iam::1:policy/b"}"#,
    );
    assert!(parse_file(&bounded, "f", Some("alice")).unwrap_err().0.contains("permissions boundary"));
    // parse_granted keeps the boundary, from the account's managed policies.
    let with_doc = bounded.replace(
        r#""Policies":[]"#,
        &format!(r#""Policies":[{{"Arn":"arn:aws:iam::1:policy/b","PolicyVersionList":[{{"Document":{doc},"IsDefaultVersion":true}}]}}]"#),
    );
    let g = ct_iam::policy::parse_granted(&with_doc, "f", Some(ct_iam::policy::Who::User("alice"))).unwrap();
    assert_eq!(g.boundary.expect("the boundary").statements[0].effect, ct_iam::policy::Effect::Deny);
    assert_eq!(g.arn.as_deref(), Some("arn:aws:iam::1:user/alice"));
    assert!(ct_iam::policy::parse_granted(&with_doc, "f", Some(ct_iam::policy::Who::Role("alice"))).is_err());
    let twins = r#"{"UserDetailList":[{"UserName":"x","UserPolicyList":[],"AttachedManagedPolicies":[]}],"RoleDetailList":[{"RoleName":"x","RolePolicyList":[],"AttachedManagedPolicies":[]}],"Policies":[]}"#;
    assert!(parse_file(twins, "f", Some("x")).unwrap_err().0.contains("both named"));
    let role = ct_iam::policy::parse_granted(twins, "f", Some(ct_iam::policy::Who::Role("x"))).unwrap();
    assert!(role.identity.is_empty() && role.boundary.is_none());
}

#[test]
fn a_condition_value_the_operator_cannot_read_refuses_the_policy() {
    // IAM refuses such policies; evaluating them would make the condition silently false and
    // switch a Deny off (a fail-open gate).
    let parse = |op: &str, value: &str| {
        let text = format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Deny","Action":"*","Resource":"*","Condition":{{"{op}":{{"aws:CurrentTime":"{value}"}}}}}}]}}"#
        );
        ct_iam::policy::parse_file(&text, "p.json", None)
    };
    for (op, value) in [
        ("DateGreaterThan", "not-a-date"),
        ("DateLessThan", "2020-02-30T00:00:00Z"),
        ("NumericLessThan", "ten"),
        ("IpAddress", "10.0.0.0/33"),
        ("IpAddress", "ten.0.0.1"),
        ("Bool", "yes"),
        ("Null", "maybe"),
    ] {
        let err = parse(op, value).unwrap_err().to_string();
        assert!(err.contains("is not a value this operator can compare"), "{op} {value}: {err}");
    }
    for (op, value) in [
        ("DateGreaterThan", "2020-01-01T00:00:00Z"),
        ("DateGreaterThan", "1577836800"),
        ("NumericLessThan", "10"),
        ("IpAddress", "2001:db8::/32"),
        ("Bool", "${aws:SecureTransport}"),
    ] {
        assert!(parse(op, value).is_ok(), "{op} {value}");
    }
}

#[test]
fn a_deny_on_not_resource_needs_the_resource_stated() {
    // "IAM JSON policy elements: NotResource": a Deny with NotResource applies to every
    // resource except those listed. Whether a request is one of them needs its resource:
    // without it nothing is decided (the gate then fails closed), with it the deny applies.
    // Found by the `eval` fuzz target, whose requests now always state a resource.
    let p = pol(r#"{"Version":"2012-10-17","Statement":[
            {"Effect":"Allow","Action":"ec2:*","Resource":"*"},
            {"Effect":"Deny","NotAction":"s3:Get*","NotResource":"arn:aws:s3:::b/*"}]}"#);
    let ps = std::slice::from_ref(&p);
    assert_eq!(decide(ps, "ec2:RunInstances", None, &[], Mode::Simulate), Decision::Unknown);
    assert_eq!(decide(ps, "ec2:RunInstances", None, &[], Mode::Check), Decision::Unknown);
    assert_eq!(sim(&p, "ec2:RunInstances", "*", &[]), Decision::ExplicitDeny);
    assert_eq!(sim(&p, "ec2:RunInstances", "arn:aws:ec2:us-east-1:1:instance/i-1", &[]), Decision::ExplicitDeny);
}

#[test]
fn special_character_variables_stand_for_the_characters_themselves() {
    // "IAM policy elements: Variables and tags", special characters: `${*}` represents the
    // `*` character, `${?}` the `?` character, `${$}` the `$` character, where the bare
    // characters would be wildcards (or start a variable). Decided in both modes: the
    // characters are in the policy, nothing is left to the logs (but a `*` in a resource
    // from the logs is a part they did not show, see below).
    let p = pol(r#"{"Version":"2012-10-17","Statement":[
            {"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/${aws:username}/${*}"},
            {"Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::b/a${?}*"},
            {"Effect":"Allow","Action":"s3:DeleteObject","Resource":"arn:aws:s3:::b/${$}x"}]}"#);
    let user = [("aws:username", "alice")];
    let ps = std::slice::from_ref(&p);
    assert_eq!(sim(&p, "s3:GetObject", "arn:aws:s3:::b/alice/*", &user), Decision::Allow);
    assert_eq!(sim(&p, "s3:GetObject", "arn:aws:s3:::b/bob/*", &user), Decision::ImplicitDeny);
    // From the logs, `alice/*` is an object whose name they did not show: it may be `*`.
    assert_eq!(decide(ps, "s3:GetObject", Some("arn:aws:s3:::b/alice/*"), &user, Mode::Check), Decision::Unknown);
    for mode in [Mode::Simulate, Mode::Check] {
        let d = |action: &str, resource: &str| decide(ps, action, Some(resource), &user, mode);
        assert_eq!(d("s3:GetObject", "arn:aws:s3:::b/alice/report"), Decision::ImplicitDeny, "{mode:?}");
        // `a${?}*`: an `a`, a question mark, then anything.
        assert_eq!(d("s3:PutObject", "arn:aws:s3:::b/a?"), Decision::Allow, "{mode:?}");
        assert_eq!(d("s3:PutObject", "arn:aws:s3:::b/a?later"), Decision::Allow, "{mode:?}");
        assert_eq!(d("s3:PutObject", "arn:aws:s3:::b/ab"), Decision::ImplicitDeny, "{mode:?}");
        assert_eq!(d("s3:DeleteObject", "arn:aws:s3:::b/$x"), Decision::Allow, "{mode:?}");
    }
    // In a condition: StringLike keeps the character apart from its wildcards; StringEquals
    // compares it as any other character; ArnLike part by part.
    let c = pol(r#"{"Version":"2012-10-17","Statement":[
            {"Effect":"Allow","Action":"s3:ListBucket","Resource":"*","Condition":{"StringLike":{"s3:prefix":"home/${*}"}}},
            {"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"StringEquals":{"s3:prefix":"a${*}"}}},
            {"Effect":"Allow","Action":"iam:PassRole","Resource":"*","Condition":{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/r${?}"}}}]}"#);
    assert_eq!(sim(&c, "s3:ListBucket", "*", &[("s3:prefix", "home/*")]), Decision::Allow);
    assert_eq!(sim(&c, "s3:ListBucket", "*", &[("s3:prefix", "home/x")]), Decision::ImplicitDeny);
    assert_eq!(sim(&c, "s3:GetObject", "*", &[("s3:prefix", "a*")]), Decision::Allow);
    assert_eq!(sim(&c, "s3:GetObject", "*", &[("s3:prefix", "ab")]), Decision::ImplicitDeny);
    assert_eq!(sim(&c, "iam:PassRole", "*", &[("aws:PrincipalArn", "arn:aws:iam::1:role/r?")]), Decision::Allow);
    assert_eq!(sim(&c, "iam:PassRole", "*", &[("aws:PrincipalArn", "arn:aws:iam::1:role/rx")]), Decision::ImplicitDeny);
    // Found by the `eval` fuzz target: simulate answered Unknown for `${?}` in a Resource.
    let f = pol(
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:RunInstances","Resource":"arsaw:${?}:::b/${aws:username}/*"}]}"#,
    );
    assert_eq!(sim(&f, "ec2:RunInstances", "arn:aws0:ec1:ap-south", &[]), Decision::ImplicitDeny);
}

#[test]
fn a_resource_the_logs_did_not_show_is_settled_only_by_a_pattern_that_fits_any_name() {
    // ct-actions writes `arn:aws:s3:::b/*` for an object whose name the event did not show.
    // "IAM JSON policy elements: Resource": `?` matches exactly one character, so eight of them
    // allow only names of eight characters; the object may have any other length, and the
    // gate must not read the allow as covering it.
    let eight = pol(
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/????????"}}"#,
    );
    let one = pol(
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/?"}}"#,
    );
    let any = pol(
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/?*"}}"#,
    );
    let shown = Some("arn:aws:s3:::b/*");
    let check = |p: &Policy| decide(std::slice::from_ref(p), "s3:GetObject", shown, &[], Mode::Check);
    assert_eq!(check(&eight), Decision::Unknown);
    assert_eq!(check(&one), Decision::Unknown);
    assert_eq!(check(&any), Decision::Allow);
    // A name the logs did show is decided as it is.
    let named = |p: &Policy, r: &str| decide(std::slice::from_ref(p), "s3:GetObject", Some(r), &[], Mode::Check);
    assert_eq!(named(&eight, "arn:aws:s3:::b/abcdefgh"), Decision::Allow);
    assert_eq!(named(&eight, "arn:aws:s3:::b/abc"), Decision::ImplicitDeny);
}
