//! check and simulate with every policy type of a real authorization: a permissions boundary,
//! SCPs, RCPs, a session policy, resource-based policies, a principal from
//! `get-account-authorization-details`, and facts stated with --assume.

use ct_testkit::Run;

fn policy(args: &[&str], stdin: &[u8]) -> Run {
    ct_testkit::run(env!("CARGO_BIN_EXE_ct-policy"), args, stdin)
}

fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> String {
    let p = dir.path().join(name);
    std::fs::write(&p, text).unwrap();
    p.to_str().unwrap().to_string()
}

const ROLE: &str = r#"{"type":"AssumedRole","principalId":"AROA:i-0abc","arn":"arn:aws:sts::111122223333:assumed-role/build/i-0abc","accountId":"111122223333","sessionContext":{"sessionIssuer":{"type":"Role","arn":"arn:aws:iam::111122223333:role/build","userName":"build"},"attributes":{"mfaAuthenticated":"false"}}}"#;

fn event(source: &str, name: &str, rest: &str) -> String {
    format!(
        r#"{{"eventVersion":"1.08","userIdentity":{ROLE},"eventTime":"2017-06-01T13:00:00Z","eventSource":"{source}","eventName":"{name}","awsRegion":"ap-southeast-2","sourceIPAddress":"203.0.113.9","eventType":"AwsApiCall","recipientAccountId":"111122223333"{rest}}}"#
    ) + "\n"
}

const ALLOW_ALL: &str = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#;

#[test]
fn a_boundary_fails_the_gate_where_it_allows_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let all = write(&dir, "all.json", ALLOW_ALL);
    let boundary = write(
        &dir,
        "boundary.json",
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":["s3:*","sts:*"],"Resource":"*"}}"#,
    );
    let calls = event("s3.amazonaws.com", "ListBuckets", "")
        + &event("ec2.amazonaws.com", "RunInstances", r#","requestParameters":{"instanceType":"t2.micro"}"#);
    policy(&["check", "--policy", &all, "-q"], calls.as_bytes()).assert_code(0);
    let run = policy(&["check", "--policy", &all, "--boundary", &boundary], calls.as_bytes());
    run.assert_code(1);
    let f = run.records();
    assert!(f.iter().all(|f| f["action"].as_str().unwrap().starts_with("ec2:")), "{}", run.stdout);
    assert!(f[0]["statement"].as_str().unwrap().contains("permissions boundary"), "{}", run.stdout);
}

#[test]
fn authorization_details_bring_the_roles_boundary() {
    let dir = tempfile::tempdir().unwrap();
    let details = write(
        &dir,
        "details.json",
        r#"{"UserDetailList":[],"GroupDetailList":[],"RoleDetailList":[
        {"RoleName":"build","Arn":"arn:aws:iam::111122223333:role/build","RolePolicyList":[{"PolicyName":"all","PolicyDocument":{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}}],
         "AttachedManagedPolicies":[],"PermissionsBoundary":{"PermissionsBoundaryType":"Policy","PermissionsBoundaryArn":"arn:aws:iam::111122223333:policy/s3-only"}},
        {"RoleName":"other","RolePolicyList":[],"AttachedManagedPolicies":[]}],
        "Policies":[{"Arn":"arn:aws:iam::111122223333:policy/s3-only","PolicyVersionList":[{"IsDefaultVersion":true,"Document":"%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22s3%3A%2A%22%2C%22Resource%22%3A%22%2A%22%7D%7D"}]}]}"#,
    );
    let run = policy(
        &["simulate", "--authorization-details", &details, "--role", "build", "--action", "ec2:RunInstances"],
        b"",
    );
    run.assert_code(1);
    assert!(run.stdout.starts_with("ImplicitDeny\tthe permissions boundary"), "{}", run.stdout);
    let run = policy(
        &["simulate", "--authorization-details", &details, "--role", "build", "--action", "s3:ListAllMyBuckets"],
        b"",
    );
    run.assert_code(0);
    // Without a name, the error lists the principals.
    let run = policy(&["simulate", "--authorization-details", &details, "--action", "s3:ListAllMyBuckets"], b"");
    run.assert_code(2);
    assert!(run.stderr.contains("build, other"), "{}", run.stderr);
    policy(&["simulate", "--role", "build", "--action", "s3:ListAllMyBuckets"], b"").assert_code(2);
}

#[test]
fn scps_per_level_and_rcps_in_the_gate() {
    let dir = tempfile::tempdir().unwrap();
    let all = write(&dir, "all.json", ALLOW_ALL);
    let root = write(&dir, "root.json", ALLOW_ALL);
    let regions = write(
        &dir,
        "regions.json",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},
        {"Sid":"OnlySydney","Effect":"Deny","Action":"*","Resource":"*","Condition":{"StringNotEquals":{"aws:RequestedRegion":"ap-southeast-2"}}}]}"#,
    );
    let s3 = write(
        &dir,
        "ou.json",
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}"#,
    );
    let list = event("s3.amazonaws.com", "ListBuckets", "");
    let run = policy(&["check", "--policy", &all, "--scp", &root, "--scp", &regions, "-q"], list.as_bytes());
    run.assert_code(0);
    let elsewhere = list.replace("ap-southeast-2", "us-west-2");
    let run = policy(&["check", "--policy", &all, "--scp", &root, "--scp", &regions], elsewhere.as_bytes());
    run.assert_code(1);
    assert!(run.records()[0]["statement"].as_str().unwrap().contains("SCP level 2"), "{}", run.stdout);
    // Two files of one level (2:FILE) together allow what either allows.
    let ec2 = event("ec2.amazonaws.com", "DescribeInstances", "");
    let one_level = policy(
        &[
            "check",
            "--policy",
            &all,
            "--scp",
            &root,
            "--scp",
            &format!("2:{s3}"),
            "--scp",
            &format!("2:{regions}"),
            "-q",
        ],
        ec2.as_bytes(),
    );
    one_level.assert_code(0);
    let two_levels = policy(&["check", "--policy", &all, "--scp", &s3, "--scp", &regions], ec2.as_bytes());
    two_levels.assert_code(1);
    // An RCP denies; its Allow grants nothing.
    let rcp = write(
        &dir,
        "rcp.json",
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*","Condition":{"NotIpAddress":{"aws:SourceIp":"198.51.100.0/24"}}}}"#,
    );
    let run = policy(&["check", "--policy", &all, "--rcp", &rcp], list.as_bytes());
    run.assert_code(1);
    assert_eq!(run.records()[0]["decision"], "ExplicitDeny");
    // An RCP without Principal is not an RCP.
    let bad = write(&dir, "bad.json", ALLOW_ALL);
    policy(&["check", "--policy", &all, "--rcp", &bad], list.as_bytes()).assert_code(2);
}

#[test]
fn resource_policies_in_simulate_and_check() {
    let dir = tempfile::tempdir().unwrap();
    let none = write(
        &dir,
        "none.json",
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"sqs:ListQueues","Resource":"*"}}"#,
    );
    // The CLI's output of get-queue-attributes, the document as a string.
    let queue = write(
        &dir,
        "queue.json",
        r#"{"Attributes":{"Policy":"{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::111122223333:role/build\"},\"Action\":\"sqs:SendMessage\",\"Resource\":\"arn:aws:sqs:ap-southeast-2:111122223333:jobs\"}}"}}"#,
    );
    let q = "arn:aws:sqs:ap-southeast-2:111122223333:jobs";
    let rp = format!("{q}={queue}");
    let sim = |principal: &str| {
        policy(
            &[
                "simulate",
                "--policy",
                &none,
                "--resource-policy",
                &rp,
                "--action",
                "sqs:SendMessage",
                "--resource",
                q,
                "--principal",
                principal,
            ],
            b"",
        )
    };
    sim("arn:aws:sts::111122223333:assumed-role/build/i-0abc").assert_code(0);
    sim("arn:aws:iam::111122223333:role/other").assert_code(1);
    let no_caller = policy(
        &["simulate", "--policy", &none, "--resource-policy", &rp, "--action", "sqs:SendMessage", "--resource", q],
        b"",
    );
    no_caller.assert_code(2);
    assert!(no_caller.stderr.contains("--principal"), "{}", no_caller.stderr);
    // The gate takes the caller from each event.
    let send = event(
        "sqs.amazonaws.com",
        "SendMessage",
        r#","requestParameters":{"queueUrl":"https://sqs.ap-southeast-2.amazonaws.com/111122223333/jobs"}"#,
    );
    policy(&["check", "--policy", &none, "-q"], send.as_bytes()).assert_code(1);
    let run = policy(&["check", "--policy", &none, "--resource-policy", &rp, "-q"], send.as_bytes());
    run.assert_code(0);
}

#[test]
fn assume_states_what_the_logs_cannot_show() {
    let dir = tempfile::tempdir().unwrap();
    let tagged = write(
        &dir,
        "tagged.json",
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListAllMyBuckets","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/team":"build"}}}}"#,
    );
    let list = event("s3.amazonaws.com", "ListBuckets", "");
    let run = policy(&["check", "--policy", &tagged], list.as_bytes());
    run.assert_code(1);
    assert_eq!(run.records()[0]["decision"], "Unknown");
    policy(&["check", "--policy", &tagged, "--assume", "aws:PrincipalTag/team=build", "-q"], list.as_bytes())
        .assert_code(0);
    let run = policy(&["check", "--policy", &tagged, "--assume", "aws:PrincipalTag/team=web"], list.as_bytes());
    assert_eq!(run.records()[0]["decision"], "ImplicitDeny");
    policy(&["check", "--policy", &tagged, "--assume", "novalue"], list.as_bytes()).assert_code(2);
}

#[test]
fn a_policy_iam_would_refuse_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let bad = write(
        &dir,
        "bad.json",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"s*:GetObject","Resource":"*"}]}"#,
    );
    let run = policy(&["simulate", "--policy", &bad, "--action", "s3:GetObject"], b"");
    run.assert_code(2);
    assert!(run.stderr.contains("service prefix"), "{}", run.stderr);
    policy(&["check", "--deny", "iam*"], b"").assert_code(2);
}

#[test]
fn resource_tags_come_from_the_tags_the_input_applied() {
    // IAM User Guide, "Controlling access to AWS resources using tags": aws:ResourceTag/KEY is
    // the tag the resource carries. CloudTrail does not log it with the call, but the input
    // shows the launch that created the instance with its tags (Amazon EC2 API Reference,
    // RunInstances, TagSpecification). The termination comes first in the input.
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        &dir,
        "p.json",
        r#"{"Version":"2012-10-17","Statement":[
        {"Effect":"Allow","Action":"ec2:RunInstances","Resource":"*"},
        {"Effect":"Allow","Action":"ec2:CreateTags","Resource":"*","Condition":{"StringEquals":{"ec2:CreateAction":"RunInstances"}}},
        {"Effect":"Allow","Action":"ec2:TerminateInstances","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/app":"web"}}}]}"#,
    );
    let launch = |id: &str, app: &str| {
        event(
            "ec2.amazonaws.com",
            "RunInstances",
            &format!(
                r#","requestParameters":{{"instancesSet":{{"items":[{{"imageId":"ami-1","minCount":1,"maxCount":1}}]}},"instanceType":"t2.micro","tagSpecificationSet":{{"items":[{{"resourceType":"instance","tags":[{{"key":"app","value":"{app}"}}]}}]}}}},"responseElements":{{"instancesSet":{{"items":[{{"instanceId":"{id}"}}]}}}}"#
            ),
        )
        .replace("13:00:00Z", "12:00:00Z")
    };
    let terminate = |id: &str| {
        event(
            "ec2.amazonaws.com",
            "TerminateInstances",
            &format!(r#","requestParameters":{{"instancesSet":{{"items":[{{"instanceId":"{id}"}}]}}}}"#),
        )
    };
    let ours = terminate("i-0web") + &launch("i-0web", "web");
    let run = policy(&["check", "--policy", &p], ours.as_bytes());
    run.assert_code(0);
    // Another tag value: refused for certain.
    let other = terminate("i-0db") + &launch("i-0db", "db");
    let run = policy(&["check", "--policy", &p], other.as_bytes());
    run.assert_code(1);
    assert_eq!(run.records()[0]["decision"], "ImplicitDeny", "{}", run.stdout);
    // An instance the input did not create: its tags are not known.
    let run = policy(&["check", "--policy", &p], terminate("i-0else").as_bytes());
    assert_eq!(run.records()[0]["decision"], "Unknown", "{}", run.stdout);
    assert_eq!(run.records()[0]["unknown"][0], "aws:ResourceTag/app", "{}", run.stdout);
    // --trail: the whole trail shows who launched it, and with which tags.
    let trail =
        write(&dir, "trail.ndjson", &launch("i-0else", "web").replace("assumed-role/build/", "assumed-role/ops/"));
    let run = policy(&["check", "--policy", &p, "--trail", &trail], terminate("i-0else").as_bytes());
    run.assert_code(0);
}

#[test]
fn the_trail_names_the_role_inside_an_instance_profile() {
    // Amazon EC2 User Guide, "IAM roles for Amazon EC2": launching with an instance profile
    // needs iam:PassRole on the role inside it, which the launch's event does not name; the
    // trail's AddRoleToInstanceProfile does (IAM API Reference).
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        &dir,
        "p.json",
        r#"{"Version":"2012-10-17","Statement":[
        {"Effect":"Allow","Action":"ec2:RunInstances","Resource":"*"},
        {"Effect":"Allow","Action":"iam:PassRole","Resource":"arn:aws:iam::111122223333:role/web","Condition":{"StringEquals":{"iam:PassedToService":"ec2.amazonaws.com"}}}]}"#,
    );
    let launch = event(
        "ec2.amazonaws.com",
        "RunInstances",
        r#","requestParameters":{"instancesSet":{"items":[{"imageId":"ami-1","minCount":1,"maxCount":1}]},"instanceType":"t2.micro","iamInstanceProfile":{"name":"web-profile"}}"#,
    );
    let run = policy(&["check", "--policy", &p], launch.as_bytes());
    run.assert_code(1);
    let add = |role: &str| {
        event(
            "iam.amazonaws.com",
            "AddRoleToInstanceProfile",
            &format!(r#","requestParameters":{{"instanceProfileName":"web-profile","roleName":"{role}"}}"#),
        )
        .replace("13:00:00Z", "09:00:00Z")
    };
    let trail = write(&dir, "trail.ndjson", &add("web"));
    let run = policy(&["check", "--policy", &p, "--trail", &trail], launch.as_bytes());
    run.assert_code(0);
    // The profile holds the Admin role: refused for certain.
    let admin = write(&dir, "admin.ndjson", &add("Admin"));
    let run = policy(&["check", "--policy", &p, "--trail", &admin], launch.as_bytes());
    run.assert_code(1);
    let f = run.records();
    assert!(f.iter().any(|f| f["action"] == "iam:PassRole" && f["decision"] == "ImplicitDeny"), "{}", run.stdout);
}

#[test]
fn a_change_set_named_by_arn_is_judged_on_its_stack() {
    // Service Authorization Reference, AWS CloudFormation: DescribeChangeSet and
    // ExecuteChangeSet are authorised on the stack. A change set named by its ARN alone does not
    // name the stack; the CreateChangeSet that made it answers with both (CloudFormation API
    // Reference, CreateChangeSet: Id, StackId).
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        &dir,
        "p.json",
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":["cloudformation:CreateChangeSet","cloudformation:DescribeChangeSet","cloudformation:ExecuteChangeSet"],"Resource":"arn:aws:cloudformation:ap-southeast-2:111122223333:stack/test-*/*"}}"#,
    );
    let cs = "arn:aws:cloudformation:ap-southeast-2:111122223333:changeSet/pr-1/c9ef9188";
    let create = |stack: &str| {
        event(
            "cloudformation.amazonaws.com",
            "CreateChangeSet",
            &format!(
                r#","requestParameters":{{"stackName":"{stack}","changeSetName":"pr-1"}},"responseElements":{{"id":"{cs}","stackId":"arn:aws:cloudformation:ap-southeast-2:111122223333:stack/{stack}/9b1e22ed"}}"#
            ),
        )
        .replace("13:00:00Z", "12:00:00Z")
    };
    let execute = event(
        "cloudformation.amazonaws.com",
        "ExecuteChangeSet",
        &format!(r#","requestParameters":{{"changeSetName":"{cs}"}}"#),
    );
    // Alone, the stack is unknown: not passed.
    let run = policy(&["check", "--policy", &p], execute.as_bytes());
    run.assert_code(1);
    assert_eq!(run.records()[0]["decision"], "Unknown", "{}", run.stdout);
    // After its CreateChangeSet in the same input, or in --trail: the stack is known.
    let run = policy(&["check", "--policy", &p], (create("test-pr-1") + &execute).as_bytes());
    run.assert_code(0);
    let trail = write(&dir, "trail.ndjson", &create("test-pr-1"));
    let run = policy(&["check", "--policy", &p, "--trail", &trail], execute.as_bytes());
    run.assert_code(0);
    // A change set of a stack the policy does not cover is refused for certain.
    let trail = write(&dir, "prod.ndjson", &create("prod"));
    let run = policy(&["check", "--policy", &p, "--trail", &trail], execute.as_bytes());
    run.assert_code(1);
    assert_eq!(run.records()[0]["decision"], "ImplicitDeny", "{}", run.stdout);
}

#[test]
fn records_settle_called_via_only_when_every_call_went_through_one_service() {
    // IAM User Guide, global condition keys, aws:CalledVia: the services that made the request
    // with the principal's credentials. A record pools its calls' values; it stands for every
    // call only when all of them went through a service (`via` = `count`) and the same one.
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        &dir,
        "p.json",
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:DescribeTable","Resource":"*","Condition":{"ForAnyValue:StringEquals":{"aws:CalledVia":"cloudformation.amazonaws.com"}}}}"#,
    );
    let record = |via: u64, services: &str| {
        format!(
            r#"{{"action":"dynamodb:DescribeTable","count":4,"denied":0,"first":"2024-03-08T10:18:28Z","last":"2024-03-08T13:23:26Z","regions":["ap-southeast-2"],"accounts":["111122223333"],"principals":["arn:aws:iam::111122223333:role/ci-role"],"resources":["arn:aws:dynamodb:ap-southeast-2:111122223333:table/t"],"context":{{"aws:CalledVia":[{services}],"aws:ViaAWSService":["true"]}},"known":true,"via":{via}}}"#
        ) + "\n"
    };
    let cfn = r#""cloudformation.amazonaws.com""#;
    let run = policy(&["check", "--policy", &p], record(4, cfn).as_bytes());
    run.assert_code(0);
    // One call of the four was made directly: it had no aws:CalledVia.
    let run = policy(&["check", "--policy", &p], record(3, cfn).as_bytes());
    run.assert_code(1);
    assert_eq!(run.records()[0]["decision"], "Unknown", "{}", run.stdout);
    // Two services: some call may have gone through Athena alone.
    let two = format!(r#"{cfn},"athena.amazonaws.com""#);
    let run = policy(&["check", "--policy", &p], record(4, &two).as_bytes());
    run.assert_code(1);
}
