//! `--strict` stops ct-policy at the first bad input, as it stops the other tools: no file
//! after it is read (issue 19: the inputs after a bad file used to be read all the same).

use ct_testkit::Run;

fn policy(args: &[&str]) -> Run {
    ct_testkit::run(env!("CARGO_BIN_EXE_ct-policy"), args, b"")
}

fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> String {
    let p = dir.path().join(name);
    std::fs::write(&p, text).unwrap();
    p.to_str().unwrap().to_string()
}

fn event(source: &str, name: &str, id: &str) -> String {
    format!(
        r#"{{"eventVersion":"1.08","userIdentity":{{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/alice","accountId":"111122223333","userName":"alice"}},"eventTime":"2017-06-01T00:00:00Z","eventSource":"{source}.amazonaws.com","eventName":"{name}","awsRegion":"us-east-1","eventID":"{id}","eventType":"AwsApiCall","recipientAccountId":"111122223333"}}"#
    ) + "\n"
}

#[test]
fn generate_reads_no_file_after_the_first_bad_one() {
    let dir = tempfile::tempdir().unwrap();
    let good = write(&dir, "a.txt", "s3:GetObject\n");
    let bad = write(&dir, "bad.txt", "not an action\nnor this\n");
    let after = write(&dir, "c.txt", "ec2:RunInstances\n");

    let lenient = policy(&["--compact", &good, &bad, &after]);
    lenient.assert_code(2);
    assert!(lenient.stdout.contains("ec2:RunInstances"), "{}", lenient.stdout);
    assert_eq!(lenient.stderr.matches("expected an action record").count(), 2, "{}", lenient.stderr);

    let strict = policy(&["--strict", "--compact", &good, &bad, &after]);
    strict.assert_code(2);
    assert!(strict.stdout.contains("s3:GetObject"), "{}", strict.stdout);
    assert!(!strict.stdout.contains("ec2:RunInstances"), "read past the bad file: {}", strict.stdout);
    assert_eq!(strict.stderr.matches("expected an action record").count(), 1, "{}", strict.stderr);
}

#[test]
fn check_reads_no_file_after_the_first_bad_one() {
    let dir = tempfile::tempdir().unwrap();
    let good = write(&dir, "good.ndjson", &event("s3", "ListBuckets", "1"));
    let broken = write(&dir, "broken.ndjson", "{\"eventVersion\":\n");
    let after = write(&dir, "after.ndjson", &event("ec2", "TerminateInstances", "2"));

    let lenient = policy(&["check", "--allow", "s3:*", &good, &broken, &after]);
    lenient.assert_code(2);
    assert!(lenient.stdout.contains("ec2:TerminateInstances"), "{}", lenient.stdout);

    let strict = policy(&["check", "--strict", "--allow", "s3:*", &good, &broken, &after]);
    strict.assert_code(2);
    assert_eq!(strict.stdout, "", "read past the bad file");
    assert!(strict.stderr.contains("broken.ndjson: line 1: invalid JSON"), "{}", strict.stderr);
    assert!(strict.stderr.contains("check: 1 events and 0 action records read"), "{}", strict.stderr);
}

#[test]
fn unused_reads_no_file_after_the_first_bad_one() {
    let dir = tempfile::tempdir().unwrap();
    let good = write(&dir, "good.ndjson", &event("s3", "ListBuckets", "1"));
    let bad = write(&dir, "bad.ndjson", &format!("{}nonsense\n", event("s3", "ListBuckets", "2")));
    let after = write(&dir, "after.ndjson", &event("ec2", "DescribeInstances", "3"));

    let strict = policy(&["unused", "--strict", "--allow", "s3:ListBuckets", "--allow", "ec2:*", &good, &bad, &after]);
    strict.assert_code(2);
    assert_eq!(strict.stderr.matches("bad.ndjson: line 2").count(), 1, "{}", strict.stderr);
    assert!(strict.stderr.contains("unused: 2 events and 0 action records read"), "{}", strict.stderr);
}
