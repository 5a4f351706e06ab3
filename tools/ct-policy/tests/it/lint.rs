//! `ct-policy lint` end to end: each finding code on a minimal policy written from the AWS page
//! that defines the rule, a clean least-privilege policy, the exit statuses, bad files, and the
//! warnings after generation.

use ct_testkit::Run;
use serde_json::{Value, json};

fn policy(args: &[&str], stdin: &[u8]) -> Run {
    ct_testkit::run(env!("CARGO_BIN_EXE_ct-policy"), args, stdin)
}

/// Lints one document given on stdin; returns the run and its findings.
fn lint_doc(doc: &Value, extra: &[&str]) -> (Run, Vec<Value>) {
    let mut args = vec!["lint"];
    args.extend_from_slice(extra);
    args.push("-");
    let run = policy(&args, doc.to_string().as_bytes());
    let found = run.records();
    (run, found)
}

/// A Version 2012-10-17 document of these statements.
fn doc(statements: Value) -> Value {
    json!({"Version": "2012-10-17", "Statement": statements})
}

/// The codes found, in order.
fn codes(found: &[Value]) -> Vec<&str> {
    found.iter().map(|f| f["code"].as_str().unwrap()).collect()
}

/// Asserts that linting `statements` gives exactly `expected` codes and exit 1.
fn expect(statements: Value, expected: &[&str]) -> Vec<Value> {
    let (run, found) = lint_doc(&doc(statements), &[]);
    assert_eq!(codes(&found), expected, "{}", run.stdout);
    run.assert_code(1);
    found
}

#[test]
fn a_clean_least_privilege_policy_exits_0_without_output() {
    let clean = doc(json!([
        {"Sid": "ReadObjects", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::my-bucket/*"},
        {"Sid": "List", "Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::my-bucket",
         "Condition": {"StringLike": {"s3:prefix": "reports/*"}}},
        {"Sid": "Describe", "Effect": "Allow", "Action": ["ec2:DescribeInstances", "ec2:DescribeImages"], "Resource": "*"},
        {"Sid": "Run", "Effect": "Allow", "Action": "ec2:RunInstances",
         "Resource": ["arn:aws:ec2:ap-southeast-2:111122223333:instance/*", "arn:aws:ec2:ap-southeast-2::image/ami-0a1b"],
         "Condition": {"StringEquals": {"ec2:InstanceType": "t2.micro", "aws:RequestedRegion": "ap-southeast-2"}}},
        {"Sid": "Pass", "Effect": "Allow", "Action": "iam:PassRole", "Resource": "arn:aws:iam::111122223333:role/app",
         "Condition": {"StringEquals": {"iam:PassedToService": "ec2.amazonaws.com"}}},
        {"Sid": "Own", "Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::my-bucket/${aws:username}/*"},
        {"Sid": "NoDeletes", "Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "*"}
    ]));
    let (run, found) = lint_doc(&clean, &[]);
    assert_eq!(found, Vec::<Value>::new());
    assert_eq!((run.code, run.stdout.as_str(), run.stderr.as_str()), (0, "", ""));
}

#[test]
fn the_record_form_and_the_text_form() {
    let d = doc(json!([{"Sid": "Pass", "Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}]));
    let (run, found) = lint_doc(&d, &[]);
    run.assert_code(1);
    assert_eq!(
        found,
        vec![json!({"file": "<stdin>", "statement": "Pass", "severity": "warning", "code": "passrole-wildcard",
            "message": "iam:PassRole on *: any role there can be passed to a service, and no iam:PassedToService condition limits which"})]
    );
    // Keys in a stable order.
    assert!(run.stdout.starts_with("{\"file\":\"<stdin>\",\"statement\":\"Pass\",\"severity\":\"warning\",\"code\":"));
    assert!(run.stderr.contains("lint: 1 policy file read, 0 errors and 1 warning"), "{}", run.stderr);
    let text = policy(&["lint", "--format", "text", "-q", "-"], d.to_string().as_bytes());
    text.assert_code(1);
    assert_eq!(text.stderr, "");
    assert_eq!(
        text.stdout,
        "<stdin>: statement Pass: warning: passrole-wildcard: iam:PassRole on *: any role there can be passed to a \
         service, and no iam:PassedToService condition limits which\n"
    );
}

// https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html
// ("Error – Invalid action", "Error – Invalid service in action"), and the grammar's
// action_string = "<service>:<action>" (reference_policies_grammar.html).
#[test]
fn actions_that_do_not_exist() {
    let f = expect(
        json!([{"Sid": "A", "Effect": "Allow", "Resource": "*",
            "Action": ["s3:GetObjekt", "s3:Gett*", "nosuchservice:Get", "GetObject", "s3:Get*", "S3:getobject"]}]),
        &["unknown-action", "unknown-action", "unknown-service", "invalid-action"],
    );
    assert_eq!(f[0]["message"], "s3:GetObjekt is not an action of s3");
    assert_eq!(f[1]["message"], "s3:Gett* matches no action of s3");
    assert_eq!(f[0]["severity"], "error");
    assert_eq!(f[0]["statement"], "A");
}

// https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html
// ("Error – Unsupported resource ARN in policy"), and the Service Authorization Reference: "If
// there is no value for this column, you must specify all resources ("*")"
// (https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html).
#[test]
fn resources_that_fit_none_of_the_action_s_resource_types() {
    // s3:GetObject acts on objects, not on the bucket.
    let f = expect(
        json!([{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::my-bucket"}]),
        &["resource-mismatch"],
    );
    assert_eq!(f[0]["statement"], "#1");
    // An action without resource types needs *.
    let f = expect(
        json!([{"Effect": "Allow", "Action": "ec2:DescribeInstances", "Resource": "arn:aws:ec2:*:*:instance/*"}]),
        &["resource-mismatch"],
    );
    assert!(f[0]["message"].as_str().unwrap().contains("must be *"));
    // A pattern is reported only when none of its actions fits: s3:Get* holds GetObject.
    let (run, _) = lint_doc(
        &doc(json!([{"Effect": "Allow", "Action": "s3:Get*", "Resource": "arn:aws:s3:::b/*"}])),
        &["--ignore", "resource-exposure"],
    );
    run.assert_code(0);
    // "Resource must be in ARN format or *".
    expect(
        json!([{"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": ["*", "my-bucket"]}]),
        &["invalid-resource"],
    );
    // NotResource is not checked against types.
    let (run, found) =
        lint_doc(&doc(json!([{"Effect": "Deny", "Action": "s3:GetObject", "NotResource": "arn:aws:s3:::b"}])), &[]);
    assert_eq!((run.code, found.len()), (0, 0), "{}", run.stdout);
}

// https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html
// ("Error – Invalid service condition key", and the check that a key is supported by the
// actions), with https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
// (IfExists: "If the key is not present, the condition evaluates to true").
#[test]
fn condition_keys_that_do_not_exist_or_do_not_apply() {
    let f = expect(
        json!([{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*",
            "Condition": {"StringEquals": {"ec2:InstanceType": "t2.micro", "s3:NoSuchKey": "x"}}}]),
        &["condition-key-mismatch", "unknown-condition-key"],
    );
    assert!(f[0]["message"].as_str().unwrap().contains("allows nothing"), "{}", f[0]);
    // Keys of a family (s3:ExistingObjectTag/<key>) and global keys are known.
    let (run, _) = lint_doc(
        &doc(json!([{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*",
            "Condition": {"StringEquals": {"s3:ExistingObjectTag/team": "a", "aws:PrincipalTag/team": "a"}}}])),
        &[],
    );
    run.assert_code(0);
    // With IfExists, a key that applies to some of the actions is the documented way to
    // restrict those only; not a finding.
    let (run, _) = lint_doc(
        &doc(json!([{"Effect": "Allow", "Action": ["ec2:RunInstances", "ec2:CreateTags"], "Resource": "*",
            "Condition": {"StringEqualsIfExists": {"ec2:InstanceType": "t2.micro"}}}])),
        &[],
    );
    run.assert_code(0);
    // Without IfExists, the actions without the key are never allowed.
    let f = expect(
        json!([{"Effect": "Allow", "Action": ["ec2:RunInstances", "s3:ListAllMyBuckets"], "Resource": "*",
            "Condition": {"StringEquals": {"ec2:InstanceType": "t2.micro"}}}]),
        &["condition-key-mismatch"],
    );
    assert!(f[0]["message"].as_str().unwrap().contains("s3:ListAllMyBuckets"), "{}", f[0]);
}

// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_sid.html: "The
// Sid element supports ASCII uppercase letters (A-Z), lowercase letters (a-z), and numbers
// (0-9)" and "In IAM, the Sid value must be unique within a JSON policy".
#[test]
fn sids_repeated_or_with_other_characters() {
    let f = expect(
        json!([
            {"Sid": "Read", "Effect": "Allow", "Action": "ec2:DescribeInstances", "Resource": "*"},
            {"Sid": "Read", "Effect": "Allow", "Action": "ec2:DescribeImages", "Resource": "*"},
            {"Sid": "read-2", "Effect": "Allow", "Action": "ec2:DescribeVolumes", "Resource": "*"}
        ]),
        &["duplicate-sid", "invalid-sid"],
    );
    assert_eq!(f[0]["message"], "statement 1 has the same Sid; Sids must be unique in a policy");
}

// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_version.html:
// without Version 2012-10-17, policy variables are treated as literal strings
// (Access Analyzer: "General warning – Missing version").
#[test]
fn a_missing_or_old_version() {
    for d in [
        json!({"Statement": [{"Effect": "Allow", "Action": "ec2:DescribeInstances", "Resource": "*"}]}),
        json!({"Version": "2008-10-17", "Statement": [{"Effect": "Allow", "Action": "ec2:DescribeInstances", "Resource": "*"}]}),
    ] {
        let (run, found) = lint_doc(&d, &[]);
        assert_eq!(codes(&found), ["missing-version"]);
        assert_eq!(found[0]["statement"], Value::Null);
        run.assert_code(1);
    }
}

// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html: managed policy
// size 6,144 characters, "IAM does not count white space when calculating the size".
#[test]
fn a_document_over_the_managed_policy_size() {
    let arn = |i: usize| format!("arn:aws:s3:::bucket-with-a-rather-long-name-{i:04}/*");
    let under: Vec<String> = (0..100).map(arn).collect();
    let over: Vec<String> = (0..130).map(arn).collect();
    let d = |r: &[String]| doc(json!([{"Sid": "Get", "Effect": "Allow", "Action": "s3:GetObject", "Resource": r}]));
    // Pretty-printed, the under-limit document is larger than the limit with its whitespace.
    let pretty = serde_json::to_string_pretty(&d(&under)).unwrap();
    assert!(pretty.len() > 6144 && serde_json::to_string(&d(&under)).unwrap().len() < 6144);
    let run = policy(&["lint", "-"], pretty.as_bytes());
    assert_eq!((run.code, run.stdout.as_str()), (0, ""), "{}", run.stderr);
    let (run, found) = lint_doc(&d(&over), &[]);
    assert_eq!(codes(&found), ["policy-too-large"]);
    assert_eq!(found[0]["severity"], "error");
    run.assert_code(1);
}

// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html
// and ..._notresource.html: with Allow, they allow everything not listed.
#[test]
fn allow_with_not_action_or_not_resource() {
    expect(
        json!([{"Effect": "Allow", "NotAction": "iam:*", "NotResource": "arn:aws:s3:::secret/*"}]),
        &["not-action", "not-resource"],
    );
    // Deny with them is how guard rails are written.
    let (run, _) =
        lint_doc(&doc(json!([{"Effect": "Deny", "NotAction": "iam:*", "NotResource": "arn:aws:s3:::x"}])), &[]);
    run.assert_code(0);
}

// https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html ("Apply least-privilege
// permissions"): * or service:* on every resource.
#[test]
fn every_action_of_a_service_on_every_resource() {
    let f = expect(
        json!([{"Effect": "Allow", "Action": ["*", "s3:*"], "Resource": "*"}]),
        &["service-wildcard", "service-wildcard"],
    );
    assert!(f[0]["message"].as_str().unwrap().contains("administrator"));
    // On one bucket, s3:* is broad but not every resource.
    let (_, found) = lint_doc(&doc(json!([{"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::b"}])), &[]);
    assert!(!codes(&found).contains(&"service-wildcard"));
}

// https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html
// ("Security warning – Pass role with star in resource"), and
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html (iam:PassedToService).
#[test]
fn passrole_on_a_wildcard_role() {
    let f = expect(
        json!([{"Sid": "P", "Effect": "Allow", "Action": "iam:Pass*",
            "Resource": ["arn:aws:iam::111122223333:role/*", "arn:aws:iam::111122223333:role/app"]}]),
        &["passrole-wildcard"],
    );
    assert_eq!(
        f[0]["message"],
        "iam:Pass* allows iam:PassRole on arn:aws:iam::111122223333:role/*: any role there can be passed to a service, \
         and no iam:PassedToService condition limits which"
    );
    let f = expect(
        json!([{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*",
            "Condition": {"StringEquals": {"iam:PassedToService": "lambda.amazonaws.com"}}}]),
        &["passrole-wildcard"],
    );
    assert!(!f[0]["message"].as_str().unwrap().contains("PassedToService"));
}

// Rhino Security Labs, https://rhinosecuritylabs.com/aws/aws-privilege-escalation-methods-mitigation/
// (methods 1-11, 13), and the access level "Permissions management" of
// https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_understand-policy-summary-access-level-summaries.html.
#[test]
fn iam_actions_that_grant_privileges() {
    let f = expect(
        json!([{"Sid": "Iam", "Effect": "Allow",
            "Action": ["iam:CreatePolicyVersion", "iam:CreateAccessKey", "iam:AddUserToGroup", "iam:GetUser"],
            "Resource": ["arn:aws:iam::111122223333:user/bob", "arn:aws:iam::111122223333:policy/app",
                "arn:aws:iam::111122223333:group/admins"]}]),
        &["privilege-escalation", "privilege-escalation", "privilege-escalation"],
    );
    assert_eq!(
        f[0]["message"],
        "iam:CreatePolicyVersion: grants permissions, so a principal allowed it can raise its own privileges"
    );
    // A pattern: one finding naming what it covers.
    let f = expect(
        json!([{"Effect": "Allow", "Action": "iam:Put*", "Resource": "arn:aws:iam::111122223333:role/app"}]),
        &["privilege-escalation"],
    );
    assert!(f[0]["message"].as_str().unwrap().starts_with("iam:Put* allows iam:PutGroupPolicy"), "{}", f[0]);
}

// Cloudsplaining's "Resource Exposure": the Permissions management actions of other services
// change resource policies (access level definition as above).
#[test]
fn other_services_permissions_management() {
    expect(
        json!([{"Effect": "Allow", "Action": "s3:PutBucketPolicy", "Resource": "arn:aws:s3:::b"}]),
        &["resource-exposure"],
    );
}

// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_permissions-to-switch.html:
// "Resource": "*" lets the principal assume any role that trusts the account.
#[test]
fn assume_role_on_a_wildcard_role() {
    expect(json!([{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}]), &["assume-role-wildcard"]);
    let (run, _) = lint_doc(
        &doc(
            json!([{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "arn:aws:iam::111122223333:role/deploy"}]),
        ),
        &[],
    );
    run.assert_code(0);
}

// Write actions that delete or terminate, on every resource of their type (Cloudsplaining's
// "Infrastructure Modification"; kms:ScheduleKeyDeletion per
// https://docs.aws.amazon.com/kms/latest/developerguide/deleting-keys.html).
#[test]
fn destruction_on_every_resource_of_a_type() {
    expect(
        json!([{"Effect": "Allow", "Action": ["ec2:TerminateInstances", "kms:ScheduleKeyDeletion"], "Resource": "*"}]),
        &["destructive-wildcard", "destructive-wildcard"],
    );
    expect(
        json!([{"Effect": "Allow", "Action": "ec2:TerminateInstances", "Resource": "arn:aws:ec2:*:*:instance/*"}]),
        &["destructive-wildcard"],
    );
    // Named instances, or a prefix of names, are not type-wide.
    let (run, _) = lint_doc(
        &doc(json!([{"Effect": "Allow", "Action": ["ec2:TerminateInstances", "s3:DeleteObject"],
            "Resource": ["arn:aws:ec2:ap-southeast-2:111122223333:instance/i-0a1b", "arn:aws:s3:::b/tmp/*"]}])),
        &[],
    );
    run.assert_code(0);
}

#[test]
fn ignore_and_errors_only_filter_findings_and_the_status() {
    let d = doc(json!([{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}]));
    let (run, found) = lint_doc(&d, &["--ignore", "passrole-wildcard"]);
    assert_eq!((run.code, found.len()), (0, 0));
    let (run, found) = lint_doc(&d, &["--errors-only"]);
    assert_eq!((run.code, found.len()), (0, 0));
    let bad = policy(&["lint", "--ignore", "no-such-code", "-"], d.to_string().as_bytes());
    bad.assert_code(2);
    assert!(bad.stderr.contains("not a finding code"), "{}", bad.stderr);
}

#[test]
fn bad_files_exit_2_naming_the_file_and_the_others_are_still_linted() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.json");
    std::fs::write(&good, doc(json!([{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}])).to_string())
        .unwrap();
    let broken = dir.path().join("broken.json");
    std::fs::write(&broken, "{\"Statement\": [").unwrap();
    let principal = dir.path().join("principal.json");
    std::fs::write(
        &principal,
        json!({"Statement": {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}})
            .to_string(),
    )
    .unwrap();
    let missing = dir.path().join("missing.json");
    let (g, b, p, m) =
        (good.to_str().unwrap(), broken.to_str().unwrap(), principal.to_str().unwrap(), missing.to_str().unwrap());
    let run = policy(&["lint", b, g, p, m], b"");
    run.assert_code(2);
    assert!(run.stderr.contains(&format!("ct-policy: {b}: ")), "{}", run.stderr);
    assert!(run.stderr.contains(&format!("ct-policy: {p}: statement #1: Principal")), "{}", run.stderr);
    assert!(run.stderr.contains(&format!("ct-policy: {m}: cannot read")), "{}", run.stderr);
    // The good file's finding is still written.
    assert_eq!(run.stdout.lines().count(), 1);
    assert!(run.stdout.contains(g));
    // No file is a usage error.
    policy(&["lint"], b"").assert_code(2);
}

#[test]
fn aws_cli_output_is_linted_policy_by_policy() {
    let inner =
        json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}]});
    let out = json!({"RoleName": "deploy", "PolicyName": "deploy", "PolicyDocument": inner});
    let run = policy(&["lint", "-"], out.to_string().as_bytes());
    run.assert_code(1);
    let f = &run.records()[0];
    assert_eq!(f["code"], "passrole-wildcard");
}

#[test]
fn generate_names_risky_grants_on_stderr_and_still_exits_0() {
    let run = policy(&[], b"iam:PutRolePolicy\nec2:DescribeInstances\n");
    run.assert_code(0);
    let doc: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(doc["Version"], "2012-10-17");
    let warned: Vec<&str> = run.stderr.lines().filter(|l| l.starts_with("ct-policy: policy: warning: ")).collect();
    assert_eq!(warned.len(), 1, "{}", run.stderr);
    assert!(warned[0].contains("privilege-escalation: iam:PutRolePolicy"), "{}", warned[0]);
    // A harmless policy: no warning.
    let run = policy(&[], b"ec2:DescribeInstances\n");
    assert_eq!((run.code, run.stderr.as_str()), (0, ""));
}
