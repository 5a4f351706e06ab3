//! The evaluator's readings of the IAM User Guide, each with the sentence it follows, and every
//! policy type of a real authorization (boundaries, SCPs, RCPs, session and resource-based
//! policies).

use ct_iam::authorize::{PolicySet, ResourcePolicy, authorize};
use ct_iam::eval::{Context, Decision, Mode, Request, evaluate};
use ct_iam::policy::{Kind, Policy, action_syntax, check_actions, parse_document, parse_document_as};

fn pol(json: &str) -> Policy {
    parse_document(&serde_json::from_str(json).unwrap(), "p").unwrap()
}

fn pol_as(json: &str, name: &str, kind: Kind) -> Policy {
    parse_document_as(&serde_json::from_str(json).unwrap(), name, kind).unwrap()
}

fn ctx(kv: &[(&str, &str)]) -> Context {
    let mut c = Context::new();
    for (k, v) in kv {
        c.add(k, v);
    }
    c
}

fn sim(p: &Policy, action: &str, resource: &str, kv: &[(&str, &str)]) -> Decision {
    let c = ctx(kv);
    evaluate(std::slice::from_ref(p), &Request { action, resource: Some(resource), context: &c, mode: Mode::Simulate })
        .decision
}

const ALLOW_ALL: &str = r#"{"Effect":"Allow","Action":"*","Resource":"*"}"#;

fn with_allow_all(deny: &str) -> Policy {
    pol(&format!(r#"{{"Version":"2012-10-17","Statement":[{ALLOW_ALL},{deny}]}}"#))
}

#[test]
fn wildcards_stay_in_their_segment_unless_a_star_ends_it() {
    // IAM User Guide, "IAM JSON policy elements: Resource": "You can use wildcard characters
    // (* and ?) within the individual segments of an ARN"; "If the * wildcard is the last
    // character of a resource ARN segment, it can expand to match beyond colon boundaries."
    let p = pol(r#"{"Version":"2012-10-17","Statement":[
        {"Effect":"Allow","Action":"sqs:SendMessage","Resource":"arn:aws:sqs:us-east-1:111122223333:jobs?"},
        {"Effect":"Allow","Action":"sqs:DeleteMessage","Resource":"arn:aws:sqs:us-*-1:111122223333:jobs"}]}"#);
    assert_eq!(sim(&p, "sqs:SendMessage", "arn:aws:sqs:us-east-1:111122223333:jobs1", &[]), Decision::Allow);
    // `?` is not the colon of a longer resource part.
    assert_eq!(sim(&p, "sqs:SendMessage", "arn:aws:sqs:us-east-1:111122223333:jobs:x", &[]), Decision::ImplicitDeny);
    // `us-*-1` stays in the region: it cannot reach over the account into another queue.
    assert_eq!(sim(&p, "sqs:DeleteMessage", "arn:aws:sqs:us-west-1:111122223333:jobs", &[]), Decision::Allow);
    assert_eq!(
        sim(&p, "sqs:DeleteMessage", "arn:aws:sqs:us-east:9:x-1:111122223333:jobs", &[]),
        Decision::ImplicitDeny
    );
}

#[test]
fn variables_are_substituted_only_after_the_fifth_colon() {
    // IAM User Guide, "IAM policy elements: Variables and tags": a policy variable in the
    // Resource element can be used "only in the resource portion of the ARN. This portion of
    // the ARN appears after the fifth colon (:)".
    let p = pol(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject",
        "Resource":"arn:aws:s3:::${aws:username}/*"},{"Effect":"Allow","Action":"sqs:SendMessage",
        "Resource":"arn:aws:sqs:us-east-1:${aws:PrincipalAccount}:q"}]}"#);
    let who = [("aws:username", "alice"), ("aws:PrincipalAccount", "111122223333")];
    assert_eq!(sim(&p, "s3:GetObject", "arn:aws:s3:::alice/k", &who), Decision::Allow);
    assert_eq!(sim(&p, "sqs:SendMessage", "arn:aws:sqs:us-east-1:111122223333:q", &who), Decision::ImplicitDeny);
}

#[test]
fn a_deny_is_kept_when_its_variable_has_no_value() {
    // The guide says an element whose variable has no value "evaluates to false"; for a Deny
    // that would lift the Deny because a key is missing. ct keeps the Deny (fails closed).
    let p = with_allow_all(
        r#"{"Effect":"Deny","Action":"s3:*","Resource":"arn:aws:s3:::${aws:PrincipalTag/team}-secrets/*"}"#,
    );
    assert_eq!(sim(&p, "s3:GetObject", "arn:aws:s3:::build-secrets/k", &[]), Decision::ExplicitDeny);
    let c = with_allow_all(
        r#"{"Effect":"Deny","Action":"s3:*","Resource":"*","Condition":{"StringNotEquals":{"s3:prefix":"${aws:PrincipalTag/team}/"}}}"#,
    );
    assert_eq!(sim(&c, "s3:ListBucket", "arn:aws:s3:::b", &[("s3:prefix", "x/")]), Decision::ExplicitDeny);
    // An Allow with such a variable grants nothing there.
    let a = pol(r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*",
        "Resource":"arn:aws:s3:::${aws:PrincipalTag/team}-secrets/*"}}"#);
    assert_eq!(sim(&a, "s3:GetObject", "arn:aws:s3:::build-secrets/k", &[]), Decision::ImplicitDeny);
}

#[test]
fn get_caller_identity_needs_no_permission() {
    // AWS STS API Reference, GetCallerIdentity: "No permissions are required to perform this
    // operation. If an administrator attaches a policy to your identity that explicitly denies
    // access to the sts:GetCallerIdentity action, you can still perform this operation."
    let p = pol(r#"{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"sts:*","Resource":"*"}}"#);
    assert_eq!(sim(&p, "sts:GetCallerIdentity", "*", &[]), Decision::Allow);
    assert_eq!(sim(&p, "sts:AssumeRole", "*", &[]), Decision::ExplicitDeny);
}

#[test]
fn a_wildcard_in_the_service_prefix_is_refused() {
    // IAM refuses such policies ("Vendor s* is not valid"): the prefix names one service.
    assert!(action_syntax("s*:GetObject").is_err());
    assert!(action_syntax("*:GetObject").is_err());
    assert!(action_syntax("GetObject").is_err());
    assert!(action_syntax("s3:Get:Object").is_err());
    assert!(action_syntax("s3:Get*").is_ok() && action_syntax("*").is_ok() && action_syntax("iam:*Key?").is_ok());
    let p = pol(r#"{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"s*:GetObject","Resource":"*"}}"#);
    assert!(check_actions(&p).unwrap_err().0.contains("service prefix"));
}

#[test]
fn open_cases_fall_on_the_side_of_the_deny() {
    // A negated operator on a value of the wrong type: the guide does not say. Deny applies,
    // Allow does not.
    let d = with_allow_all(
        r#"{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"NumericNotEquals":{"s3:max-keys":"10"}}}"#,
    );
    assert_eq!(sim(&d, "s3:ListBucket", "*", &[("s3:max-keys", "ten")]), Decision::ExplicitDeny);
    let a = pol(r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*",
        "Condition":{"NumericNotEquals":{"s3:max-keys":"10"}}}}"#);
    assert_eq!(sim(&a, "s3:ListBucket", "*", &[("s3:max-keys", "ten")]), Decision::ImplicitDeny);
    assert_eq!(sim(&a, "s3:ListBucket", "*", &[("s3:max-keys", "11")]), Decision::Allow);

    // Upper case in the region or account of a policy's ARN: a Deny matches without case, an
    // Allow does not (real ARNs write both in lower case and digits).
    let d = with_allow_all(r#"{"Effect":"Deny","Action":"ec2:*","Resource":"arn:aws:ec2:US-EAST-1:*:instance/*"}"#);
    assert_eq!(sim(&d, "ec2:StopInstances", "arn:aws:ec2:us-east-1:1:instance/i-1", &[]), Decision::ExplicitDeny);
    let a = pol(
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"ec2:*","Resource":"arn:aws:ec2:US-EAST-1:*:instance/*"}}"#,
    );
    assert_eq!(sim(&a, "ec2:StopInstances", "arn:aws:ec2:us-east-1:1:instance/i-1", &[]), Decision::ImplicitDeny);

    // A multivalued key under an operator without a set qualifier: a Deny applies when any
    // value holds, an Allow needs all.
    let d = with_allow_all(
        r#"{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:TagKeys":"owner"}}}"#,
    );
    let two = [("aws:TagKeys", "env"), ("aws:TagKeys", "owner")];
    assert_eq!(sim(&d, "ec2:CreateTags", "*", &two), Decision::ExplicitDeny);
    let a = pol(r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*",
        "Condition":{"StringEquals":{"aws:TagKeys":"owner"}}}}"#);
    assert_eq!(sim(&a, "ec2:CreateTags", "*", &two), Decision::ImplicitDeny);

    // ForAnyValue with IfExists on an absent key: IfExists says true, ForAnyValue false.
    let d = with_allow_all(
        r#"{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"ForAnyValue:StringEqualsIfExists":{"aws:TagKeys":"owner"}}}"#,
    );
    assert_eq!(sim(&d, "ec2:CreateTags", "*", &[]), Decision::ExplicitDeny);
    let a = pol(r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*",
        "Condition":{"ForAnyValue:StringEqualsIfExists":{"aws:TagKeys":"owner"}}}}"#);
    assert_eq!(sim(&a, "ec2:CreateTags", "*", &[]), Decision::ImplicitDeny);
}

fn decide(set: &PolicySet, action: &str, resource: &str, caller: &str, kv: &[(&str, &str)]) -> Decision {
    let mut c = ctx(kv);
    c.caller = Some(caller.to_string());
    authorize(set, &Request { action, resource: Some(resource), context: &c, mode: Mode::Simulate }).decision
}

const ROLE: &str = "arn:aws:sts::111122223333:assumed-role/build/i-0abc";
const BUCKET: &str = "arn:aws:s3:::artifacts/app.tgz";

fn set(identity: &str) -> PolicySet {
    PolicySet { identity: vec![pol(identity)], ..Default::default() }
}

#[test]
fn a_boundary_and_a_session_policy_cap_what_identity_policies_allow() {
    // IAM User Guide, "Permissions boundaries for IAM entities": "the effective permissions
    // are the intersection of both policy types"; "Session policies": the session's
    // permissions are the intersection of the identity-based and the session policies.
    let mut s =
        set(r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":["s3:*","ec2:*"],"Resource":"*"}}"#);
    s.boundary =
        Some(vec![pol(r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}"#)]);
    assert_eq!(decide(&s, "s3:GetObject", BUCKET, ROLE, &[]), Decision::Allow);
    assert_eq!(decide(&s, "ec2:RunInstances", "*", ROLE, &[]), Decision::ImplicitDeny);
    s.session = Some(vec![pol(
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:List*","Resource":"*"}}"#,
    )]);
    assert_eq!(decide(&s, "s3:GetObject", BUCKET, ROLE, &[]), Decision::ImplicitDeny);
    assert_eq!(decide(&s, "s3:ListBucket", "arn:aws:s3:::artifacts", ROLE, &[]), Decision::Allow);
    // A boundary does not grant.
    let mut only =
        set(r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}}"#);
    only.boundary =
        Some(vec![pol(r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#)]);
    assert_eq!(decide(&only, "s3:GetObject", BUCKET, ROLE, &[]), Decision::ImplicitDeny);
}

#[test]
fn scps_must_allow_at_every_level_and_rcps_only_deny() {
    // IAM User Guide, "How AWS enforcement code logic evaluates requests": the SCPs of every
    // level must allow; an RCP can only deny ("RCPs alone are not sufficient in granting
    // permissions").
    let mut s = set(r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#);
    let full = pol_as(
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#,
        "root",
        Kind::Scp,
    );
    let ou = pol_as(
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":["s3:*","sts:*"],"Resource":"*"}}"#,
        "ou",
        Kind::Scp,
    );
    s.scps = vec![vec![full], vec![ou]];
    assert_eq!(decide(&s, "s3:GetObject", BUCKET, ROLE, &[]), Decision::Allow);
    assert_eq!(decide(&s, "ec2:RunInstances", "*", ROLE, &[]), Decision::ImplicitDeny);
    let rcp = pol_as(
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*",
            "Condition":{"StringNotEqualsIfExists":{"aws:PrincipalOrgID":"o-abc"}}}}"#,
        "rcp",
        Kind::Rcp,
    );
    s.rcps = vec![vec![rcp]];
    assert_eq!(decide(&s, "s3:GetObject", BUCKET, ROLE, &[("aws:PrincipalOrgID", "o-abc")]), Decision::Allow);
    assert_eq!(decide(&s, "s3:GetObject", BUCKET, ROLE, &[("aws:PrincipalOrgID", "o-zzz")]), Decision::ExplicitDeny);
    // A Deny in an SCP wins over every Allow.
    s.scps.push(vec![pol_as(
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"s3:DeleteObject","Resource":"*"}}"#,
        "acct",
        Kind::Scp,
    )]);
    assert_eq!(decide(&s, "s3:DeleteObject", BUCKET, ROLE, &[("aws:PrincipalOrgID", "o-abc")]), Decision::ExplicitDeny);
}

#[test]
fn resource_policies_grant_in_the_account_and_need_both_across() {
    // IAM User Guide, "Policy evaluation logic": within one account the permissions are the
    // union of identity-based and resource-based policies; "Cross-account policy evaluation
    // logic": across accounts both must allow.
    let none =
        set(r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"sqs:ListQueues","Resource":"*"}}"#);
    let queue = "arn:aws:sqs:us-east-1:111122223333:jobs";
    let grant = |principal: &str| {
        pol_as(
            &format!(
                r#"{{"Version":"2012-10-17","Statement":{{"Effect":"Allow","Principal":{{"AWS":"{principal}"}},"Action":"sqs:SendMessage","Resource":"{queue}"}}}}"#
            ),
            "queue-policy",
            Kind::Resource,
        )
    };
    let mut s = none.clone();
    s.resource = vec![ResourcePolicy { pattern: queue.into(), policy: grant("arn:aws:iam::111122223333:role/build") }];
    assert_eq!(decide(&s, "sqs:SendMessage", queue, ROLE, &[]), Decision::Allow);
    // Another role of the account is not named.
    assert_eq!(
        decide(&s, "sqs:SendMessage", queue, "arn:aws:sts::111122223333:assumed-role/other/x", &[]),
        Decision::ImplicitDeny
    );
    // Naming the account hands the decision to its identity policies.
    s.resource[0].policy = grant("111122223333");
    assert_eq!(decide(&s, "sqs:SendMessage", queue, ROLE, &[]), Decision::ImplicitDeny);
    // Across accounts the caller's identity policy must allow too.
    let other = "arn:aws:sts::444455556666:assumed-role/build/i-1";
    s.resource[0].policy = grant("arn:aws:iam::444455556666:role/build");
    assert_eq!(decide(&s, "sqs:SendMessage", queue, other, &[]), Decision::ImplicitDeny);
    let mut both =
        set(r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"sqs:SendMessage","Resource":"*"}}"#);
    both.resource = s.resource.clone();
    assert_eq!(decide(&both, "sqs:SendMessage", queue, other, &[]), Decision::Allow);
    // A resource policy's Deny wins.
    both.resource.push(ResourcePolicy {
        pattern: "arn:aws:sqs:*:*:jobs".into(),
        policy: pol_as(
            r#"{"Version":"2012-10-17","Statement":{"Effect":"Deny","Principal":"*","Action":"sqs:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}}"#,
            "deny-plain",
            Kind::Resource,
        ),
    });
    assert_eq!(
        decide(&both, "sqs:SendMessage", queue, other, &[("aws:SecureTransport", "false")]),
        Decision::ExplicitDeny
    );
    // An S3 bucket's ARN names no account: read as another account's unless stated.
    let mut b = set(r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"sqs:*","Resource":"*"}}"#);
    b.resource = vec![ResourcePolicy {
        pattern: "arn:aws:s3:::artifacts/*".into(),
        policy: pol_as(
            r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/build"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::artifacts/*"}}"#,
            "bucket-policy",
            Kind::Resource,
        ),
    }];
    assert_eq!(decide(&b, "s3:GetObject", BUCKET, ROLE, &[]), Decision::ImplicitDeny);
    assert_eq!(decide(&b, "s3:GetObject", BUCKET, ROLE, &[("aws:ResourceAccount", "111122223333")]), Decision::Allow);
}

#[test]
fn resource_and_control_policies_follow_their_grammar() {
    // IAM User Guide, "AWS JSON policy elements: Principal": resource-based policies must name
    // a principal; identity-based policies and SCPs cannot.
    let v: serde_json::Value = serde_json::from_str(
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}"#,
    )
    .unwrap();
    assert!(parse_document_as(&v, "f", Kind::Resource).unwrap_err().0.contains("Principal"));
    let v: serde_json::Value = serde_json::from_str(
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}}"#,
    )
    .unwrap();
    assert!(parse_document_as(&v, "f", Kind::Scp).is_err());
    assert!(parse_document_as(&v, "f", Kind::Resource).is_ok());
}

#[test]
fn a_deny_covers_object_keys_that_hold_colons() {
    // S3 User Guide, "Naming Amazon S3 objects": a key may hold a colon. A Deny's wildcard is
    // read across colons so that secret/*.key still covers secret/a:b.key; an Allow's keeps
    // to its segment (IAM User Guide, "IAM JSON policy elements: Resource").
    let d = with_allow_all(r#"{"Effect":"Deny","Action":"s3:GetObject","Resource":"arn:aws:s3:::secret/*.key"}"#);
    assert_eq!(sim(&d, "s3:GetObject", "arn:aws:s3:::secret/a:b.key", &[]), Decision::ExplicitDeny);
    let a = pol(
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::secret/*.key"}}"#,
    );
    assert_eq!(sim(&a, "s3:GetObject", "arn:aws:s3:::secret/a:b.key", &[]), Decision::ImplicitDeny);
    assert_eq!(sim(&a, "s3:GetObject", "arn:aws:s3:::secret/ab.key", &[]), Decision::Allow);
}
