//! The gate fails closed: a call is allowed only when the logs settle that the policy allows
//! it. Each case is one a review found the gate allowing although a request the log fits
//! would be denied, with the IAM User Guide page that says so.

use ct_iam::Event;
use ct_iam::eval::{Context, Decision, Known, Mode, Request, evaluate};
use ct_iam::policy::{Policy, parse_document};
use ct_policy::check::Gate;
use ct_record::{ActionRecord, Wire};

fn identity(p: &Policy) -> ct_iam::authorize::PolicySet {
    ct_iam::authorize::PolicySet { identity: vec![p.clone()], ..Default::default() }
}

fn pol(json: &str) -> Policy {
    parse_document(&serde_json::from_str(json).unwrap(), "p").unwrap()
}

/// The gate's decisions for one event: (action, decision) of each use.
fn on_event(p: &Policy, event: &str) -> Vec<(String, Decision)> {
    let mut gate = Gate::default();
    gate.event(&identity(p), &Event::parse(event.as_bytes()).unwrap());
    decisions(&gate)
}

fn on_record(p: &Policy, record: &str) -> Vec<(String, Decision)> {
    let mut gate = Gate::default();
    let w: Wire = serde_json::from_str(record).unwrap();
    gate.record(&identity(p), &ActionRecord::from_wire(w, 100));
    decisions(&gate)
}

fn decisions(gate: &Gate) -> Vec<(String, Decision)> {
    let mut out: Vec<(String, Decision)> = gate.allowed.keys().map(|a| (a.clone(), Decision::Allow)).collect();
    out.extend(gate.findings.keys().cloned());
    out.sort();
    out
}

fn event(identity: &str, source: &str, name: &str, rest: &str) -> String {
    format!(
        r#"{{"eventVersion":"1.08","userIdentity":{identity},"eventTime":"2024-06-01T13:00:00Z","eventSource":"{source}","eventName":"{name}","awsRegion":"us-east-1","sourceIPAddress":"203.0.113.5","eventType":"AwsApiCall","recipientAccountId":"111122223333"{rest}}}"#
    )
}

const ROLE: &str = r#"{"type":"AssumedRole","principalId":"AROA:s","arn":"arn:aws:sts::111122223333:assumed-role/ci/s","accountId":"111122223333","sessionContext":{"sessionIssuer":{"type":"Role","arn":"arn:aws:iam::111122223333:role/ci","userName":"ci"},"attributes":{"mfaAuthenticated":"false"}}}"#;

const ALLOW_ALL_BUT: &str = r#"{"Effect":"Allow","Action":"*","Resource":"*"}"#;

fn allow_all_but(deny: &str) -> Policy {
    pol(&format!(r#"{{"Version":"2012-10-17","Statement":[{ALLOW_ALL_BUT},{deny}]}}"#))
}

#[test]
fn tags_in_a_shape_ct_does_not_read_prove_nothing() {
    // "Controlling access to AWS resources using tags": aws:TagKeys holds the request's tag
    // keys. KMS logs them as tagKey/tagValue pairs, which ct does not read; ForAllValues holds
    // for an absent key, so taking them as absent would allow any tag.
    let p = pol(
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"kms:CreateKey","Resource":"*","Condition":{"ForAllValues:StringEquals":{"aws:TagKeys":["Name"]}}}}"#,
    );
    let tagged = event(
        ROLE,
        "kms.amazonaws.com",
        "CreateKey",
        r#","requestParameters":{"tags":[{"tagKey":"owner","tagValue":"x"}]}"#,
    );
    // The tags also need kms:TagResource (AWS KMS API Reference, CreateKey), which this
    // policy does not grant.
    assert_eq!(
        on_event(&p, &tagged),
        vec![("kms:CreateKey".into(), Decision::Unknown), ("kms:TagResource".into(), Decision::ImplicitDeny)]
    );
    // A request that says nothing of tags had none.
    let plain = event(ROLE, "kms.amazonaws.com", "CreateKey", r#","requestParameters":{"description":"k"}"#);
    assert_eq!(on_event(&p, &plain), vec![("kms:CreateKey".into(), Decision::Allow)]);
}

#[test]
fn a_service_key_the_event_does_not_show_is_not_absent() {
    // Service Authorization Reference, Amazon EC2: ec2:InstanceType applies to
    // TerminateInstances through the instance resource, which the event does not describe.
    let p = allow_all_but(
        r#"{"Effect":"Deny","Action":"ec2:TerminateInstances","Resource":"*","Condition":{"StringLike":{"ec2:InstanceType":"p4d.*"}}}"#,
    );
    let e = event(
        ROLE,
        "ec2.amazonaws.com",
        "TerminateInstances",
        r#","requestParameters":{"instancesSet":{"items":[{"instanceId":"i-1"}]}}"#,
    );
    assert_eq!(on_event(&p, &e), vec![("ec2:TerminateInstances".into(), Decision::Unknown)]);
}

#[test]
fn s3_headers_logged_as_lists_are_read() {
    // Amazon S3 condition keys: s3:x-amz-acl is the request's canned ACL. CloudTrail may log
    // the header as a list of its values.
    let p = allow_all_but(
        r#"{"Effect":"Deny","Action":"s3:PutObject","Resource":"*","Condition":{"StringEquals":{"s3:x-amz-acl":"public-read"}}}"#,
    );
    let e = event(
        ROLE,
        "s3.amazonaws.com",
        "PutObject",
        r#","requestParameters":{"bucketName":"b","key":"k","x-amz-acl":["public-read"]}"#,
    );
    assert_eq!(on_event(&p, &e), vec![("s3:PutObject".into(), Decision::ExplicitDeny)]);
}

#[test]
fn no_source_ip_through_a_vpc_endpoint() {
    // IAM User Guide, global condition keys, aws:SourceIp: a request through a VPC endpoint
    // has no aws:SourceIp. NotIpAddress holds for an absent key, so this Deny applies.
    let p = allow_all_but(
        r#"{"Effect":"Deny","Action":"s3:GetObject","Resource":"*","Condition":{"NotIpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}"#,
    );
    let e = event(
        ROLE,
        "s3.amazonaws.com",
        "GetObject",
        r#","requestParameters":{"bucketName":"b","key":"k"},"vpcEndpointId":"vpce-1""#,
    )
    .replace("203.0.113.5", "10.1.2.3");
    assert_eq!(on_event(&p, &e), vec![("s3:GetObject".into(), Decision::ExplicitDeny)]);
}

#[test]
fn keys_iam_always_has_are_unknown_when_the_log_hides_them() {
    // IAM User Guide, global condition keys: aws:PrincipalType and aws:PrincipalArn are in
    // every request. A cross-account caller's log (type AWSAccount) shows neither.
    let p = allow_all_but(
        r#"{"Effect":"Deny","Action":"s3:GetObject","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalType":"AssumedRole"}}}"#,
    );
    let other = r#"{"type":"AWSAccount","principalId":"AROA:x","accountId":"444455556666"}"#;
    let e = event(other, "s3.amazonaws.com", "GetObject", r#","requestParameters":{"bucketName":"b","key":"k"}"#);
    assert_eq!(on_event(&p, &e), vec![("s3:GetObject".into(), Decision::Unknown)]);
    // Shown, they settle it.
    let e = event(ROLE, "s3.amazonaws.com", "GetObject", r#","requestParameters":{"bucketName":"b","key":"k"}"#);
    assert_eq!(on_event(&p, &e), vec![("s3:GetObject".into(), Decision::ExplicitDeny)]);
}

#[test]
fn a_record_s_principal_account_is_its_callers_not_the_account_called() {
    // aws:PrincipalAccount is the caller's account. A record's accounts are those called.
    let p = pol(
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalAccount":"111122223333"}}}}"#,
    );
    let record = r#"{"action":"s3:GetObject","count":1,"first":"2024-06-01T13:00:00Z","last":"2024-06-01T13:00:00Z","regions":["us-east-1"],"accounts":["111122223333"],"principals":["arn:aws:iam::222233334444:role/reader"],"resources":["arn:aws:s3:::b/k"],"known":true}"#;
    assert_eq!(on_record(&p, record), vec![("s3:GetObject".into(), Decision::ImplicitDeny)]);
}

#[test]
fn a_record_whose_events_named_no_resource_speaks_only_for_those_that_did() {
    // ct-actions marks `resources` partial when an event named none of the action's
    // resources; the gate then cannot read the record's resources as all of them.
    let p = pol(
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"ec2:ReleaseAddress","Resource":"arn:aws:ec2:us-east-1:111122223333:elastic-ip/eipalloc-1"}}"#,
    );
    let whole = r#"{"action":"ec2:ReleaseAddress","count":2,"regions":["us-east-1"],"accounts":["111122223333"],"principals":["arn:aws:iam::111122223333:role/ci"],"resources":["arn:aws:ec2:us-east-1:111122223333:elastic-ip/eipalloc-1"],"known":true}"#;
    assert_eq!(on_record(&p, whole), vec![("ec2:ReleaseAddress".into(), Decision::Allow)]);
    let partial = whole.replace(r#""known":true"#, r#""known":true,"partial":["resources"]"#);
    assert_eq!(on_record(&p, &partial), vec![("ec2:ReleaseAddress".into(), Decision::Unknown)]);
}

#[test]
fn variables_settle_nothing_the_logs_do_not_show() {
    // "IAM policy elements: Variables and tags": a default stands in when the key is absent;
    // principal tags are never in the logs, so their absence is not shown.
    let p = pol(
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::shared/${aws:PrincipalTag/team, 'x'}"}}"#,
    );
    let check = |ctx: &Context, mode| {
        evaluate(
            std::slice::from_ref(&p),
            &Request { action: "s3:GetObject", resource: Some("arn:aws:s3:::shared/x"), context: ctx, mode },
        )
        .decision
    };
    assert_eq!(check(&Context::new(), Mode::Check), Decision::Unknown);
    assert_eq!(check(&Context::new(), Mode::Simulate), Decision::Allow);
    // A variable over values pooled from several events: which one a request had is unknown.
    let q = pol(
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::logs-${aws:PrincipalAccount}/*"}}"#,
    );
    let mut pooled = Context::new();
    pooled.add("aws:PrincipalAccount", "111122223333");
    pooled.add("aws:PrincipalAccount", "222233334444");
    pooled.known = Known::Pooled(vec!["aws:principalaccount".into()]);
    let req = Request {
        action: "s3:GetObject",
        resource: Some("arn:aws:s3:::logs-111122223333/x"),
        context: &pooled,
        mode: Mode::Check,
    };
    assert_eq!(evaluate(std::slice::from_ref(&q), &req).decision, Decision::Unknown);
    // One value, but from a set some events lacked: the others would not fill the variable.
    let mut partial = Context::new();
    partial.add("aws:PrincipalAccount", "111122223333");
    partial.known = Known::Pooled(Vec::new());
    let req = Request { context: &partial, ..req };
    assert_eq!(evaluate(std::slice::from_ref(&q), &req).decision, Decision::Unknown);
}

#[test]
fn a_record_keeps_only_its_first_and_last_times() {
    // "IAM JSON policy elements: Condition operators", date operators. A record spanning
    // 01-01 to 01-03 may hold a call on 01-02: DateEquals cannot be settled, DateLessThan can.
    let on = allow_all_but(
        r#"{"Effect":"Deny","Action":"s3:GetObject","Resource":"*","Condition":{"DateEquals":{"aws:CurrentTime":"2024-01-02T00:00:00Z"}}}"#,
    );
    let before = allow_all_but(
        r#"{"Effect":"Deny","Action":"s3:GetObject","Resource":"*","Condition":{"DateLessThan":{"aws:CurrentTime":"2023-12-31T00:00:00Z"}}}"#,
    );
    let record = r#"{"action":"s3:GetObject","count":3,"first":"2024-01-01T00:00:00Z","last":"2024-01-03T00:00:00Z","regions":["us-east-1"],"accounts":["111122223333"],"principals":["arn:aws:iam::111122223333:role/ci"],"resources":["arn:aws:s3:::b/k"],"known":true}"#;
    assert_eq!(on_record(&on, record), vec![("s3:GetObject".into(), Decision::Unknown)]);
    assert_eq!(on_record(&before, record), vec![("s3:GetObject".into(), Decision::Allow)]);
}

#[test]
fn an_event_s_principal_account_is_never_the_account_called() {
    // aws:PrincipalAccount is the caller's account. Without the identity's accountId, the
    // principal's ARN tells it; the recipient account is the one called.
    let p = pol(
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalAccount":"111122223333"}}}}"#,
    );
    let other = r#"{"type":"AssumedRole","arn":"arn:aws:sts::222233334444:assumed-role/reader/s","sessionContext":{"sessionIssuer":{"type":"Role","arn":"arn:aws:iam::222233334444:role/reader"}}}"#;
    let e = event(other, "s3.amazonaws.com", "GetObject", r#","requestParameters":{"bucketName":"b","key":"k"}"#);
    assert_eq!(on_event(&p, &e), vec![("s3:GetObject".into(), Decision::ImplicitDeny)]);
}

/// ROLE with userIdentity.invokedBy (CloudTrail User Guide, "CloudTrail userIdentity
/// element": the service that made the request with the caller's credentials).
fn role_via(service: &str) -> String {
    ROLE.replacen(
        r#""accountId":"111122223333","#,
        &format!(r#""accountId":"111122223333","invokedBy":"{service}","#),
        1,
    )
}

#[test]
fn calls_made_through_a_service_carry_called_via() {
    // IAM User Guide, "AWS global condition context keys", aws:CalledVia: an ordered list of
    // the services (of its CalledVia services table) that called with the principal's
    // credentials; "not present when the principal makes the call directly". The guide's own
    // example allows an action only if ForAnyValue:StringEquals finds the service.
    let p = pol(
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":["ec2:RunInstances","iam:PassRole"],"Resource":"*","Condition":{"ForAnyValue:StringEquals":{"aws:CalledVia":["cloudformation.amazonaws.com"]}}}}"#,
    );
    let run = r#","requestParameters":{"instanceType":"t3.micro","iamInstanceProfile":{"name":"web"}}"#;
    // Through CloudFormation: allowed, PassRole too (whose own context leaves the globals out).
    let via = event(&role_via("cloudformation.amazonaws.com"), "ec2.amazonaws.com", "RunInstances", run)
        .replace("203.0.113.5", "cloudformation.amazonaws.com");
    assert_eq!(
        on_event(&p, &via),
        [("ec2:RunInstances".into(), Decision::Allow), ("iam:PassRole".into(), Decision::Allow)]
    );
    // Directly: the key is absent, so ForAnyValue does not hold and nothing allows the call.
    let direct = event(ROLE, "ec2.amazonaws.com", "RunInstances", run);
    assert_eq!(
        on_event(&p, &direct),
        [("ec2:RunInstances".into(), Decision::ImplicitDeny), ("iam:PassRole".into(), Decision::ImplicitDeny)]
    );
    // Through a service outside the table: no aws:CalledVia of its own, but an earlier
    // CloudFormation in the chain would have put its name there; the event cannot tell.
    let other = event(&role_via("autoscaling.amazonaws.com"), "ec2.amazonaws.com", "RunInstances", run);
    assert_eq!(on_event(&p, &other)[0], ("ec2:RunInstances".into(), Decision::Unknown));
}

#[test]
fn a_chain_shows_only_its_last_service() {
    // IAM User Guide, aws:CalledVia: CloudFormation calling DynamoDB calling KMS gives the KMS
    // request [cloudformation, dynamodb]; CloudTrail's KMS event names only DynamoDB.
    let via_dynamodb = |list: &str, op: &str| {
        pol(&format!(
            r#"{{"Version":"2012-10-17","Statement":{{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*","Condition":{{"{op}":{{"aws:CalledVia":{list}}}}}}}}}"#
        ))
    };
    let kms = event(
        &role_via("dynamodb.amazonaws.com"),
        "kms.amazonaws.com",
        "Decrypt",
        r#","requestParameters":{"encryptionContext":{"aws:dynamodb:tableName":"Orders"}}"#,
    )
    .replace("203.0.113.5", "dynamodb.amazonaws.com");
    // DynamoDB is in the list whatever came before it.
    let any = via_dynamodb(r#"["dynamodb.amazonaws.com"]"#, "ForAnyValue:StringEquals");
    assert_eq!(on_event(&any, &kms), [("kms:Decrypt".into(), Decision::Allow)]);
    // Whether CloudFormation came first the event cannot say.
    let first = via_dynamodb(r#"["cloudformation.amazonaws.com"]"#, "ForAnyValue:StringEquals");
    assert_eq!(on_event(&first, &kms), [("kms:Decrypt".into(), Decision::Unknown)]);
    // ForAllValues over the list: DynamoDB alone fits, but an earlier service might not.
    let all = via_dynamodb(r#"["dynamodb.amazonaws.com"]"#, "ForAllValues:StringEquals");
    assert_eq!(on_event(&all, &kms), [("kms:Decrypt".into(), Decision::Unknown)]);
    // ...and a value that does not fit settles it.
    let none = via_dynamodb(r#"["athena.amazonaws.com"]"#, "ForAllValues:StringEquals");
    assert_eq!(on_event(&none, &kms), [("kms:Decrypt".into(), Decision::ImplicitDeny)]);
}

#[test]
fn via_aws_service_is_true_through_a_service_and_unsettled_otherwise() {
    // IAM User Guide, aws:ViaAWSService: true when a service uses the principal's credentials;
    // false for a direct call, but not set at all by EC2, Glue, Lake Formation and OpsWorks,
    // so an event without invokedBy does not prove false.
    let p = pol(
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"Bool":{"aws:ViaAWSService":"true"}}}}"#,
    );
    let get = r#","requestParameters":{"bucketName":"b","key":"k"}"#;
    let via = event(&role_via("athena.amazonaws.com"), "s3.amazonaws.com", "GetObject", get);
    assert_eq!(on_event(&p, &via), [("s3:GetObject".into(), Decision::Allow)]);
    let direct = event(ROLE, "s3.amazonaws.com", "GetObject", get);
    assert_eq!(on_event(&p, &direct), [("s3:GetObject".into(), Decision::Unknown)]);
}

#[test]
fn a_resource_refused_for_certain_outranks_an_open_one() {
    // Every resource a call touches must be allowed (IAM User Guide, "Policy evaluation
    // logic"): one that no statement can allow refuses the call whatever another's open
    // decision, so that --unknown allow cannot pass it. RunInstances in us-east-1 against an
    // Allow scoped to ap-southeast-2: the image is refused outright, the new instance (named by
    // the logs only as instance/*) cannot be in that region either.
    let p = pol(
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"ec2:RunInstances","Resource":["arn:aws:ec2:ap-southeast-2::image/*","arn:aws:ec2:ap-southeast-2:111122223333:*"]}}"#,
    );
    let run = event(
        ROLE,
        "ec2.amazonaws.com",
        "RunInstances",
        r#","requestParameters":{"instancesSet":{"items":[{"imageId":"ami-1"}]},"instanceType":"t2.micro"}"#,
    );
    assert_eq!(on_event(&p, &run), [("ec2:RunInstances".into(), Decision::ImplicitDeny)]);
}

#[test]
fn request_only_keys_absent_from_a_logged_request_are_absent() {
    // Service Authorization Reference, AWS CloudFormation: cloudformation:RoleArn "filters
    // access by the ARN of an IAM service role" given in the request; a CreateStack logged
    // without roleARN had none, so a Null condition on it holds.
    let p = pol(
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"cloudformation:CreateStack","Resource":"*","Condition":{"Null":{"cloudformation:RoleArn":"true"}}}}"#,
    );
    let direct =
        event(ROLE, "cloudformation.amazonaws.com", "CreateStack", r#","requestParameters":{"stackName":"web"}"#);
    assert_eq!(on_event(&p, &direct), [("cloudformation:CreateStack".into(), Decision::Allow)]);
    let with_role = event(
        ROLE,
        "cloudformation.amazonaws.com",
        "CreateStack",
        r#","requestParameters":{"stackName":"web","roleARN":"arn:aws:iam::111122223333:role/cfn"}"#,
    );
    assert_eq!(
        on_event(&p, &with_role),
        [
            ("cloudformation:CreateStack".into(), Decision::ImplicitDeny),
            ("iam:PassRole".into(), Decision::ImplicitDeny)
        ]
    );
    // Without requestParameters the record shows nothing of the request.
    let hidden = event(ROLE, "cloudformation.amazonaws.com", "CreateStack", "");
    assert_eq!(on_event(&p, &hidden), [("cloudformation:CreateStack".into(), Decision::Unknown)]);
    // Amazon EC2 User Guide, "Grant permission to tag resources during creation":
    // ec2:CreateAction is set only when a create call tags what it creates.
    let retag = pol(
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"ec2:CreateTags","Resource":"*","Condition":{"StringEquals":{"ec2:CreateAction":"RunInstances"}}}}"#,
    );
    let tags = event(
        ROLE,
        "ec2.amazonaws.com",
        "CreateTags",
        r#","requestParameters":{"resourcesSet":{"items":[{"resourceId":"i-0abc"}]},"tagSet":{"items":[{"key":"app","value":"web"}]}}"#,
    );
    assert_eq!(on_event(&retag, &tags), [("ec2:CreateTags".into(), Decision::ImplicitDeny)]);
}

#[test]
fn a_service_key_the_action_does_not_take_is_absent() {
    // Service Authorization Reference, AWS CloudFormation: DescribeStacks lists no condition
    // key, so cloudformation:RoleArn is never in its request context; a Null condition on it
    // holds. A key the action does take (ec2:InstanceType on TerminateInstances, through the
    // instance) stays unsettled when the event does not show it.
    let p = pol(
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":["cloudformation:DescribeStacks","ec2:TerminateInstances"],"Resource":"*","Condition":{"Null":{"cloudformation:RoleArn":"true","ec2:InstanceType":"true"}}}}"#,
    );
    let d =
        event(ROLE, "cloudformation.amazonaws.com", "DescribeStacks", r#","requestParameters":{"stackName":"web"}"#);
    assert_eq!(on_event(&p, &d), [("cloudformation:DescribeStacks".into(), Decision::Allow)]);
    let t = event(
        ROLE,
        "ec2.amazonaws.com",
        "TerminateInstances",
        r#","requestParameters":{"instancesSet":{"items":[{"instanceId":"i-1"}]}}"#,
    );
    assert_eq!(on_event(&p, &t), [("ec2:TerminateInstances".into(), Decision::Unknown)]);
}
