//! `ct-synth sample`: the small, story-driven bucket committed at `tests/data/bucket`.
//!
//! One day (2017-06-01 UTC, plus 2017-06-02 until about 18:00) in account 111122223333. Every
//! actor, key and address below is invented; tests rely on the story, which
//! `tests/data/bucket/.README.md` tells in a table. Changing anything here changes the committed
//! bytes, so regenerate the bucket and update the README counts together.

use std::collections::BTreeMap;
use std::path::Path;

use crate::catalog::{self, Ctx, Names};
use crate::json::obj;
use crate::layout::{self, LogFileMeta, Trail};
use crate::record::{self, AssumeRoleOut, Event, Identity, RunSpec, Session};
use crate::rng::Rng;
use crate::sha256;
use crate::sign::Signer;
use crate::time;

pub const ACCT: &str = "111122223333";
const SYD: &str = "ap-southeast-2";
const USE1: &str = "us-east-1";
const DUB: &str = "eu-west-1";
const VERSION: &str = "1.05";

const IAM: &str = "iam.amazonaws.com";
const STS: &str = "sts.amazonaws.com";
const EC2: &str = "ec2.amazonaws.com";
const S3: &str = "s3.amazonaws.com";
const KMS: &str = "kms.amazonaws.com";
const CFN: &str = "cloudformation.amazonaws.com";
const LOGS: &str = "logs.amazonaws.com";
const LAMBDA: &str = "lambda.amazonaws.com";
const ECR: &str = "ecr.amazonaws.com";
const SSM: &str = "ssm.amazonaws.com";
const CODEBUILD: &str = "codebuild.amazonaws.com";
const SIGNIN: &str = "signin.amazonaws.com";
const R53: &str = "route53.amazonaws.com";
const CF: &str = "cloudfront.amazonaws.com";
const ORGS: &str = "organizations.amazonaws.com";
const CW: &str = "monitoring.amazonaws.com";
const RDS: &str = "rds.amazonaws.com";
const DDB: &str = "dynamodb.amazonaws.com";

// User agents of mid-2017.
const UA_CONSOLE: &str = "console.amazonaws.com";
const UA_SIGNIN: &str = "signin.amazonaws.com";
const UA_CHROME: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/58.0.3029.110 Safari/537.36";
const UA_SAFARI: &str = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_12_5) AppleWebKit/603.2.4 (KHTML, like Gecko) Version/10.1.1 Safari/603.2.4";
const UA_CLI_CI: &str = "aws-cli/1.11.83 Python/2.7.12 Linux/4.4.0-1020-aws botocore/1.5.46";
const UA_CLI_ALICE: &str = "aws-cli/1.11.95 Python/2.7.13 Darwin/16.6.0 botocore/1.5.58";
const UA_CLI_BOB: &str = "aws-cli/1.11.90 Python/2.7.10 Darwin/16.6.0 botocore/1.5.53";
const UA_CLI_CAROL: &str = "aws-cli/1.11.91 Python/3.5.2 Linux/4.4.0-78-generic botocore/1.5.54";
const UA_BOTO_DEPLOY: &str = "Boto3/1.4.4 Python/2.7.12 Linux/4.4.0-1020-aws Botocore/1.5.46";
const UA_BOTO_CAROL: &str = "Boto3/1.4.4 Python/3.5.2 Linux/4.4.0-78-generic Botocore/1.5.54";
const UA_JAVA_BUILD: &str =
    "aws-sdk-java/1.11.136 Linux/4.9.27-14.31.amzn1.x86_64 OpenJDK_64-Bit_Server_VM/25.131-b11 java/1.8.0_131";
const UA_LAMBDA: &str = "aws-sdk-nodejs/2.58.0 linux/v6.10.3 exec-env/AWS_Lambda_nodejs6.10 callback";

// Principals (ids and keys are made up; AWS ids are a 4-letter prefix + 17 or 16 characters).
const ALICE_ID: &str = "AIDAJQ4LICE7K2M5XW3PA";
const ALICE_KEY: &str = "AKIAJ7QALICE2XK5M3PW";
const ALICE_CONSOLE_KEY: &str = "ASIAJ2WALICECON5OLE8";
const ALICE_CONSOLE_KEY2: &str = "ASIAJ9RALICEHOME4Q7Z";
const ALICE_IP: &str = "203.0.113.24";
const ALICE_HOME_IP6: &str = "2001:db8:4f2a:100::24";
const BOB_ID: &str = "AIDAKB3OBX7W2N4QE5MRT";
const BOB_KEY: &str = "AKIAKB9OB3TQ7W2X4M5N";
const BOB_CONSOLE_KEY: &str = "ASIAKB6OBCONSOLE4Z2Q";
const BOB_IP: &str = "198.51.100.77";
const CAROL_ID: &str = "AIDALC5AROL2Q8W4N7XEZ";
const CAROL_KEY: &str = "AKIALC7AROL4M2Q9W3XT";
const CAROL_IP: &str = "203.0.113.51";
const CAROL_IP6: &str = "2001:db8:77c1:20::51";
const ROOT_CONSOLE_KEY: &str = "ASIARO7OTCONSOLE3Q2W";
const ROOT_IP: &str = "192.0.2.10";
const CI_ID: &str = "AIDAMC1RUNNER6Q2W8XZK";
const CI_KEY: &str = "AKIAMC4RUNNER7Q2W5XZ";
const CI_IP: &str = "198.51.100.200";
const DEPLOY_ROLE_ID: &str = "AROAND3PLOY7AGENT2Q4W";
const BUILD_ROLE_ID: &str = "AROABU2ILD5AGENT7Q3WX";
const BUILD_IP: &str = "54.153.201.17";
const CFN_ROLE_ID: &str = "AROACF4NEXEC8Q2W5XZ7M";
const WEBAPP_ROLE_ID: &str = "AROAWE6BAPP2Q9W4X7ZKM";
const WEBAPP_IP: &str = "13.54.77.201";
const CAROL_KMS_KEY: &str = "7c1f3a9e-52d4-4b8a-9e07-3d6b2f81ac54";
const WEBAPP_KMS_KEY: &str = "e4b27d90-1c6f-4a35-8b2e-90f5c3a7d618";
const ARTIFACTS: &str = "deploy-artifacts-111122223333";
const VPCE: &str = "vpce-3f9c1a7e";

/// One serialised record, with what grouping into files needs.
struct Rec {
    time: i64,
    region: &'static str,
    json: String,
}

#[derive(Clone)]
struct Actor<'a> {
    id: Identity<'a>,
    ip: &'a str,
    ua: &'a str,
}

fn at(day: u32, h: u32, m: u32, s: u32) -> i64 {
    time::unix(2017, 6, day, h, m, s)
}

fn iam_user<'a>(name: &'a str, id: &'a str, key: Option<&'a str>, console: Option<Session>) -> Identity<'a> {
    Identity::IamUser { name, principal_id: id, access_key: key, session: console, invoked_by: None }
}

fn role<'a>(
    role: &'a str,
    role_id: &'a str,
    session_name: &'a str,
    key: &'a str,
    created: i64,
    invoked_by: Option<&'a str>,
) -> Identity<'a> {
    Identity::AssumedRole {
        path: "",
        role,
        role_id,
        session_name,
        access_key: key,
        session: Session { created, mfa: false },
        invoked_by,
        ec2_role_delivery: None,
    }
}

static NAMES: Names = Names {
    buckets: &[ARTIFACTS, "webapp-static-111122223333", "finance-reports-111122223333", "cloudtrail-111122223333"],
    tables: &["webapp-sessions-prod", "webapp-users"],
    functions: &["webapp-api", "thumbnailer"],
    log_groups: &["/aws/lambda/webapp-api", "/aws/codebuild/webapp-build", "/var/log/webapp"],
    kms_keys: &[CAROL_KMS_KEY, WEBAPP_KMS_KEY],
    things: &["webapp", "reports", "billing", "build"],
};

// Routine calls people make while looking around.
const CONSOLE_SYD: &[(&str, &str)] = &[
    (EC2, "DescribeInstances"),
    (EC2, "DescribeInstanceStatus"),
    (EC2, "DescribeVolumes"),
    (EC2, "DescribeSecurityGroups"),
    (EC2, "DescribeSubnets"),
    (EC2, "DescribeVpcs"),
    (EC2, "DescribeAddresses"),
    (EC2, "DescribeTags"),
    (CFN, "ListStacks"),
    (CFN, "DescribeStacks"),
    (LOGS, "DescribeLogGroups"),
    (LOGS, "DescribeLogStreams"),
    (LOGS, "GetLogEvents"),
    (S3, "ListBuckets"),
    (S3, "GetBucketLocation"),
    (S3, "GetBucketPolicy"),
    (S3, "GetBucketAcl"),
    (S3, "GetBucketVersioning"),
    (CW, "DescribeAlarms"),
    (CW, "GetMetricStatistics"),
    (LAMBDA, "ListFunctions20150331"),
    (LAMBDA, "GetFunction20150331v2"),
];
const CONSOLE_GLOBAL: &[(&str, &str)] = &[
    (IAM, "ListUsers"),
    (IAM, "ListRoles"),
    (IAM, "GetRole"),
    (IAM, "ListAttachedRolePolicies"),
    (IAM, "ListPolicies"),
    (IAM, "GetAccountSummary"),
    (IAM, "ListGroups"),
    (IAM, "GetUser"),
    (CF, "ListDistributions"),
    (R53, "ListHostedZones"),
    (R53, "GetHostedZone"),
    (R53, "ListResourceRecordSets"),
];
const CLI_SYD: &[(&str, &str)] = &[
    (EC2, "DescribeInstances"),
    (CFN, "DescribeStacks"),
    (LOGS, "FilterLogEvents"),
    (EC2, "DescribeImages"),
    (CFN, "DescribeStackResources"),
    (LOGS, "DescribeLogStreams"),
    (S3, "ListBuckets"),
    (STS, "GetCallerIdentity"),
    (EC2, "DescribeSnapshots"),
    (SSM, "GetParameter"),
];
const CLI_DUB: &[(&str, &str)] = &[
    (EC2, "DescribeInstances"),
    (EC2, "DescribeVolumes"),
    (S3, "ListBuckets"),
    (RDS, "DescribeDBInstances"),
    (EC2, "DescribeRegions"),
    (RDS, "DescribeDBSnapshots"),
    (S3, "GetBucketLocation"),
    (CW, "GetMetricStatistics"),
];

struct Story {
    rng: Rng,
    recs: Vec<Rec>,
    /// Index of the record delivered twice.
    duplicate: Option<usize>,
}

impl Story {
    fn ev<'a>(
        &mut self,
        a: &Actor<'a>,
        t: i64,
        region: &'static str,
        source: &'static str,
        name: &'static str,
    ) -> Event<'a> {
        let request_id = if source == S3 { self.rng.upper_hex(16) } else { self.rng.guid() };
        Event {
            version: VERSION,
            identity: a.id.clone(),
            time: t,
            source,
            name,
            region,
            ip: a.ip,
            ua: Some(a.ua),
            account: ACCT,
            event_id: self.rng.guid(),
            request_id: Some(request_id),
            read_only: Some(catalog::read_only(name)),
            api_version: (source == CF).then_some("2017_03_25"),
            ..Event::default()
        }
    }

    fn push(&mut self, ev: &Event) -> usize {
        let region = match ev.region {
            SYD => SYD,
            USE1 => USE1,
            _ => DUB,
        };
        self.recs.push(Rec { time: ev.time, region, json: ev.to_json() });
        self.recs.len() - 1
    }

    /// A call whose parameters come from the generic catalog shapes.
    fn routine(&mut self, a: &Actor, t: i64, region: &'static str, source: &'static str, name: &'static str) {
        let day = time::ymd_path(t);
        let ctx = Ctx { account: ACCT, region, names: &NAMES, legacy: true, day: &day };
        let p = catalog::generic(&ctx, &mut self.rng, source, name);
        let mut ev = self.ev(a, t, region, source, name);
        ev.req = p.req;
        ev.resp = p.resp;
        ev.resources = p.resources;
        ev.extra = p.extra;
        self.push(&ev);
    }

    /// `n` routine calls from `calls`, `gap` seconds apart; returns the time after the last.
    fn browse(
        &mut self,
        a: &Actor,
        mut t: i64,
        region: &'static str,
        calls: &[(&'static str, &'static str)],
        n: usize,
        gap: (i64, i64),
    ) -> i64 {
        for _ in 0..n {
            // Half Zipf (a few pages dominate), half uniform (the rest still shows up).
            let k = if self.rng.chance(0.5) { self.rng.zipf(calls.len()) } else { self.rng.index(calls.len()) };
            let (s, name) = calls[k];
            // Global services are recorded in us-east-1 whatever the console region.
            let r = if matches!(s, IAM | CF | R53 | ORGS) { USE1 } else { region };
            self.routine(a, t, r, s, name);
            t += self.rng.range(gap.0, gap.1);
        }
        t
    }

    fn console_login(&mut self, id: Identity, t: i64, ip: &str, ua: &str, ok: bool, mfa: bool) {
        let a = Actor { id, ip, ua };
        let mut ev = self.ev(&a, t, USE1, SIGNIN, "ConsoleLogin");
        ev.event_type = "AwsConsoleSignIn";
        ev.request_id = None;
        ev.read_only = Some(false);
        ev.resp = Some(obj(|j| {
            j.s("ConsoleLogin", if ok { "Success" } else { "Failure" });
        }));
        if !ok {
            ev.error_message = Some("Failed authentication".into());
        }
        ev.extra = Some(obj(|j| {
            j.s_gson("LoginTo", "https://console.aws.amazon.com/console/home?state=hashArgs%23&isauthcode=true")
                .s("MobileVersion", "No")
                .s("MFAUsed", if mfa { "Yes" } else { "No" });
        }));
        self.push(&ev);
    }

    #[allow(clippy::too_many_arguments)]
    fn s3_object(
        &mut self,
        a: &Actor,
        t: i64,
        name: &'static str,
        bucket: &str,
        key: &str,
        size: i64,
        vpce: Option<&'static str>,
    ) -> usize {
        let mut ev = self.ev(a, t, SYD, S3, name);
        ev.data();
        ev.vpce = vpce;
        ev.req = Some(record::s3_object_params(bucket, key, SYD, true));
        ev.resources = Some(record::s3_object_resources(bucket, key, ACCT));
        let (bin, bout) = if name == "PutObject" { (size, 0) } else { (0, size) };
        ev.extra = Some(record::s3_extra(&mut self.rng, bin, bout, true));
        self.push(&ev)
    }

    fn kms_by_service(
        &mut self,
        t: i64,
        region: &'static str,
        name: &'static str,
        by: &'static str,
        key: &str,
        context: (&str, &str),
    ) {
        let a = Actor { id: Identity::AwsService { invoked_by: by }, ip: by, ua: by };
        let mut ev = self.ev(&a, t, region, KMS, name);
        let arn = format!("arn:aws:kms:{region}:{ACCT}:key/{key}");
        ev.req = Some(obj(|j| {
            if name != "Decrypt" {
                j.s("keyId", &arn).s("keySpec", "AES_256");
            }
            j.o("encryptionContext", |j| {
                j.s(context.0, context.1);
            });
        }));
        ev.resources = Some(record::resources(&[("AWS::KMS::Key", &arn, Some(ACCT))]));
        self.push(&ev);
    }

    fn assume_role(
        &mut self,
        a: &Actor,
        t: i64,
        region: &'static str,
        out: &AssumeRoleOut,
        role_name: &str,
        duration: bool,
    ) {
        let mut ev = self.ev(a, t, region, STS, "AssumeRole");
        let role_arn = format!("arn:aws:iam::{ACCT}:role/{role_name}");
        ev.req = Some(obj(|j| {
            j.s("roleArn", &role_arn).s("roleSessionName", out.session_name);
            if duration {
                j.n("durationSeconds", 3600);
            }
        }));
        ev.resp = Some(record::assume_role_response(&mut self.rng, out, true));
        ev.resources = Some(record::resources(&[("AWS::IAM::Role", &role_arn, Some(ACCT))]));
        if matches!(a.id, Identity::AwsService { .. }) {
            ev.shared_event_id = Some(self.rng.guid());
        }
        self.push(&ev);
    }

    // -------------------------------------------------------------------------------------
    // The story.

    /// The webapp-api Lambda function runs all day: config refresh every 30 minutes (SSM
    /// parameter, decrypted by KMS on SSM's behalf) and a cold start every 2 hours (Lambda
    /// assumes the execution role, a new log stream appears).
    fn background(&mut self) {
        let mut t = at(1, 0, 7, 0);
        let end = at(2, 17, 50, 0);
        let mut tick = 0;
        while t < end {
            let session_key = format!("ASIAWE{}", self.rng.key_chars(14));
            let created = t - 40;
            if tick % 4 == 0 {
                let by = Actor {
                    id: Identity::AwsService { invoked_by: "lambda.amazonaws.com" },
                    ip: "lambda.amazonaws.com",
                    ua: "lambda.amazonaws.com",
                };
                let out = AssumeRoleOut {
                    access_key: &session_key,
                    token_len: 356,
                    expiration: created + 12 * 3600,
                    role_id: WEBAPP_ROLE_ID,
                    session_arn: &format!("arn:aws:sts::{ACCT}:assumed-role/webapp-api/webapp-api"),
                    session_name: "webapp-api",
                };
                self.assume_role(&by, created, SYD, &out, "webapp-api", false);
            }
            let me = Actor {
                id: role("webapp-api", WEBAPP_ROLE_ID, "webapp-api", &session_key, created, None),
                ip: WEBAPP_IP,
                ua: UA_LAMBDA,
            };
            if tick % 4 == 0 {
                let mut ev = self.ev(&me, t - 20, SYD, LOGS, "CreateLogStream");
                let stream = format!("{}/[$LATEST]{}", time::ymd_path(t), self.rng.hex(32));
                ev.req = Some(obj(|j| {
                    j.s("logGroupName", "/aws/lambda/webapp-api").s("logStreamName", &stream);
                }));
                self.push(&ev);
            }
            let mut ev = self.ev(&me, t, SYD, SSM, "GetParameters");
            ev.req = Some(obj(|j| {
                j.a("names", |j| {
                    j.is("/webapp/prod/db-url").is("/webapp/prod/session-secret");
                })
                .b("withDecryption", true);
            }));
            self.push(&ev);
            self.kms_by_service(
                t + 1,
                SYD,
                "Decrypt",
                "ssm.amazonaws.com",
                WEBAPP_KMS_KEY,
                ("PARAMETER_ARN", &format!("arn:aws:ssm:{SYD}:{ACCT}:parameter/webapp/prod/session-secret")),
            );
            t += 1800 + self.rng.range(-90, 90);
            tick += 1;
        }
        // Two service events: KMS rotates carol's key; a vendor shares an EBS snapshot with us.
        let svc = |by: &'static str| Actor { id: Identity::ServiceUntyped { invoked_by: by }, ip: by, ua: by };
        let mut ev = self.ev(&svc("kms.amazonaws.com"), at(1, 3, 12, 44), SYD, KMS, "RotateKey");
        ev.event_type = "AwsServiceEvent";
        ev.request_id = None;
        ev.read_only = Some(false);
        ev.ip = "AWS Internal";
        ev.ua = Some("AWS Internal");
        ev.resources = Some(record::resources(&[(
            "AWS::KMS::Key",
            &format!("arn:aws:kms:{SYD}:{ACCT}:key/{CAROL_KMS_KEY}"),
            Some(ACCT),
        )]));
        self.push(&ev);
        let mut ev = self.ev(&svc("ec2.amazonaws.com"), at(1, 15, 20, 3), DUB, EC2, "SharedSnapshotVolumeCreated");
        ev.event_type = "AwsServiceEvent";
        ev.request_id = None;
        ev.read_only = Some(false);
        ev.service_details = Some(obj(|j| {
            j.s("snapshotId", "snap-0b5e9d2c7a41f3806").s("sharedBy", "444455556666");
        }));
        self.push(&ev);
    }

    fn root(&mut self) {
        let t0 = at(1, 7, 42, 9);
        self.console_login(Identity::Root { access_key: None, session: None }, t0, ROOT_IP, UA_CHROME, true, true);
        let me = Actor {
            id: Identity::Root {
                access_key: Some(ROOT_CONSOLE_KEY),
                session: Some(Session { created: t0, mfa: true }),
            },
            ip: ROOT_IP,
            ua: UA_CONSOLE,
        };
        let calls: &[(&str, &str)] = &[
            (IAM, "GetAccountSummary"),
            (IAM, "ListUsers"),
            (IAM, "ListAccessKeys"),
            (IAM, "ListMFADevices"),
            (ORGS, "DescribeOrganization"),
            (ORGS, "ListAccounts"),
            (IAM, "GetAccountPasswordPolicy"),
            (S3, "ListBuckets"),
        ];
        let mut t = t0 + 25;
        for &(s, n) in calls {
            let mut ev = self.ev(&me, t, USE1, s, n);
            if n == "ListAccessKeys" {
                ev.req = Some(obj(|j| {
                    j.s("userName", "alice");
                }));
            }
            if s == S3 {
                ev.req = Some(obj(|j| {
                    j.s("Host", "s3.amazonaws.com");
                }));
            }
            self.push(&ev);
            t += self.rng.range(8, 60);
        }
    }

    fn alice(&mut self) {
        // Day 1 morning: console, MFA.
        let t0 = at(1, 8, 58, 31);
        self.console_login(iam_user("alice", ALICE_ID, None, None), t0, ALICE_IP, UA_CHROME, true, true);
        let session = Some(Session { created: t0, mfa: true });
        let console =
            Actor { id: iam_user("alice", ALICE_ID, Some(ALICE_CONSOLE_KEY), session), ip: ALICE_IP, ua: UA_CONSOLE };
        let via_signin = Actor { ua: UA_SIGNIN, ..console.clone() };
        self.routine(&via_signin, t0 + 3, USE1, IAM, "GetUser");
        self.routine(&via_signin, t0 + 4, USE1, IAM, "ListMFADevices");
        let t = self.browse(&console, t0 + 20, SYD, CONSOLE_SYD, 45, (5, 70));
        let t = self.browse(&console, t, USE1, CONSOLE_GLOBAL, 20, (5, 60));
        let t = t.max(at(1, 10, 5, 0));
        // She prepares the role CloudFormation will use for the deploy this afternoon.
        self.create_cfn_role(&console, t.max(at(1, 10, 12, 31)));
        let t = self.browse(&console, at(1, 10, 20, 0), SYD, CONSOLE_SYD, 45, (10, 120));
        self.browse(&console, t, USE1, CONSOLE_GLOBAL, 10, (10, 90));

        // Day 1 afternoon: CLI, watching the deploy.
        let cli = Actor { id: iam_user("alice", ALICE_ID, Some(ALICE_KEY), None), ip: ALICE_IP, ua: UA_CLI_ALICE };
        self.browse(&cli, at(1, 14, 30, 5), SYD, CLI_SYD, 60, (20, 150));

        // Day 2 morning: console from home over IPv6.
        let t0 = at(2, 9, 10, 2);
        self.console_login(iam_user("alice", ALICE_ID, None, None), t0, ALICE_HOME_IP6, UA_CHROME, true, true);
        let home = Actor {
            id: iam_user("alice", ALICE_ID, Some(ALICE_CONSOLE_KEY2), Some(Session { created: t0, mfa: true })),
            ip: ALICE_HOME_IP6,
            ua: UA_CONSOLE,
        };
        let t = self.browse(&home, t0 + 15, SYD, CONSOLE_SYD, 30, (10, 90));
        self.browse(&home, t, USE1, CONSOLE_GLOBAL, 10, (10, 60));
    }

    fn create_cfn_role(&mut self, a: &Actor, t: i64) {
        let policy = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"cloudformation.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
        let role_arn = format!("arn:aws:iam::{ACCT}:role/cfn-exec");
        let mut ev = self.ev(a, t, USE1, IAM, "CreateRole");
        ev.req = Some(obj(|j| {
            j.s("roleName", "cfn-exec")
                .s("description", "Role CloudFormation uses for webapp stacks")
                .s("assumeRolePolicyDocument", policy);
        }));
        ev.resp = Some(obj(|j| {
            j.o("role", |j| {
                j.s("path", "/")
                    .s("roleName", "cfn-exec")
                    .s("roleId", CFN_ROLE_ID)
                    .s("arn", &role_arn)
                    .s("createDate", &time::java_date(t))
                    .s("assumeRolePolicyDocument", "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Principal%22%3A%7B%22Service%22%3A%22cloudformation.amazonaws.com%22%7D%2C%22Action%22%3A%22sts%3AAssumeRole%22%7D%5D%7D");
            });
        }));
        self.push(&ev);
        for (i, policy_arn) in
            ["arn:aws:iam::aws:policy/PowerUserAccess", "arn:aws:iam::aws:policy/IAMFullAccess"].iter().enumerate()
        {
            let mut ev = self.ev(a, t + 20 + 15 * i as i64, USE1, IAM, "AttachRolePolicy");
            ev.req = Some(obj(|j| {
                j.s("roleName", "cfn-exec").s("policyArn", policy_arn);
            }));
            self.push(&ev);
        }
        let mut ev = self.ev(a, t + 60, USE1, IAM, "GetRole");
        ev.req = Some(obj(|j| {
            j.s("roleName", "cfn-exec");
        }));
        self.push(&ev);
    }

    fn bob(&mut self) {
        let t0 = at(1, 9, 30, 12);
        self.console_login(iam_user("bob", BOB_ID, None, None), t0, BOB_IP, UA_SAFARI, false, false);
        let t1 = t0 + 29;
        self.console_login(iam_user("bob", BOB_ID, None, None), t1, BOB_IP, UA_SAFARI, true, false);
        let console = Actor {
            id: iam_user("bob", BOB_ID, Some(BOB_CONSOLE_KEY), Some(Session { created: t1, mfa: false })),
            ip: BOB_IP,
            ua: UA_CONSOLE,
        };
        let t = self.browse(&console, t1 + 12, SYD, CONSOLE_SYD, 40, (5, 80));
        let t = self.browse(&console, t, USE1, CONSOLE_GLOBAL, 25, (5, 60));
        // Bob is not an IAM admin.
        let mut ev = self.ev(&console, t.max(at(1, 10, 45, 10)), USE1, IAM, "GetAccountAuthorizationDetails");
        ev.error_code = Some("AccessDenied");
        ev.error_message = Some(record::not_authorized(
            &format!("arn:aws:iam::{ACCT}:user/bob"),
            "iam:GetAccountAuthorizationDetails",
            &format!("arn:aws:iam::{ACCT}:*"),
        ));
        self.push(&ev);
        self.browse(&console, t.max(at(1, 10, 46, 0)), SYD, CONSOLE_SYD, 15, (10, 120));

        let cli = Actor { id: iam_user("bob", BOB_ID, Some(BOB_KEY), None), ip: BOB_IP, ua: UA_CLI_BOB };
        self.browse(&cli, at(2, 10, 0, 41), SYD, CLI_SYD, 30, (15, 100));
    }

    fn carol(&mut self) {
        let cli = Actor { id: iam_user("carol", CAROL_ID, Some(CAROL_KEY), None), ip: CAROL_IP, ua: UA_CLI_CAROL };
        let script = Actor { ua: UA_BOTO_CAROL, ..cli.clone() };
        let key_arn = format!("arn:aws:kms:{SYD}:{ACCT}:key/{CAROL_KMS_KEY}");
        let mut t = at(1, 10, 5, 13);
        for name in ["ListKeys", "ListAliases", "DescribeKey", "GetKeyRotationStatus"] {
            let mut ev = self.ev(&cli, t, SYD, KMS, name);
            if name.starts_with("List") {
                ev.req = Some(obj(|j| {
                    j.n("limit", 100);
                }));
            } else {
                ev.req = Some(obj(|j| {
                    j.s("keyId", "alias/finance-reports");
                }));
                ev.resources = Some(record::resources(&[("AWS::KMS::Key", &key_arn, Some(ACCT))]));
            }
            self.push(&ev);
            t += self.rng.range(20, 90);
        }
        // A reporting script encrypts and decrypts report files with her key.
        let kms_op = |story: &mut Story, a: &Actor, t: i64, name: &'static str, denied: bool| {
            let mut ev = story.ev(a, t, SYD, KMS, name);
            let report = format!("reports/2017-05/{}.csv", story.rng.range(1, 31));
            ev.req = Some(obj(|j| {
                if name != "Decrypt" {
                    j.s("keyId", "alias/finance-reports");
                }
                if name == "GenerateDataKey" {
                    j.s("keySpec", "AES_256");
                }
                j.o("encryptionContext", |j| {
                    j.s("report", &report);
                });
            }));
            ev.resources = Some(record::resources(&[("AWS::KMS::Key", &key_arn, Some(ACCT))]));
            if denied {
                ev.error_code = Some("AccessDeniedException");
                ev.error_message = Some(format!(
                    "The ciphertext refers to a customer master key that does not exist, does not exist in this region, or you are not allowed to access. (Service: AWSKMS; Status Code: 400; Error Code: AccessDeniedException; Request ID: {})",
                    story.rng.guid()
                ));
                ev.resources = None;
            }
            story.push(&ev);
        };
        let mut t = at(1, 11, 2, 40);
        for i in 0..36 {
            let name = ["GenerateDataKey", "Encrypt", "Decrypt", "Decrypt"][i % 4];
            kms_op(self, &script, t, name, i == 18);
            t += self.rng.range(3, 40);
        }
        self.browse(&cli, at(1, 13, 40, 2), SYD, CLI_SYD, 25, (20, 200));
        // Ireland, over IPv6.
        let v6 = Actor { ip: CAROL_IP6, ..cli.clone() };
        self.browse(&v6, at(1, 15, 2, 17), DUB, CLI_DUB, 40, (10, 60));
        // A late run of the report script, just before midnight (delivered on 06-02).
        let mut t = at(1, 23, 52, 6);
        for i in 0..8 {
            kms_op(self, &script, t, ["GenerateDataKey", "Encrypt"][i % 2], false);
            t += self.rng.range(20, 45);
        }
    }

    /// A CodeBuild run of the `webapp-build` project, started by ci-runner.
    fn build(&mut self, start: i64, terminate: Option<&str>) {
        let ci = Actor { id: iam_user("ci-runner", CI_ID, Some(CI_KEY), None), ip: CI_IP, ua: UA_CLI_CI };
        let build_id = self.rng.guid();
        let mut ev = self.ev(&ci, start, SYD, CODEBUILD, "StartBuild");
        ev.req = Some(obj(|j| {
            j.s("projectName", "webapp-build").s("sourceVersion", &self.rng.hex(40));
        }));
        ev.resp = Some(obj(|j| {
            j.o("build", |j| {
                j.s("id", &format!("webapp-build:{build_id}"))
                    .s("arn", &format!("arn:aws:codebuild:{SYD}:{ACCT}:build/webapp-build:{build_id}"))
                    .s("buildStatus", "IN_PROGRESS")
                    .s("projectName", "webapp-build");
            });
        }));
        self.push(&ev);

        let session_name = format!("AWSCodeBuild-{build_id}");
        let key = format!("ASIABU{}", self.rng.key_chars(14));
        let t = start + 9;
        let by = Actor {
            id: Identity::AwsService { invoked_by: "codebuild.amazonaws.com" },
            ip: "codebuild.amazonaws.com",
            ua: "codebuild.amazonaws.com",
        };
        let out = AssumeRoleOut {
            access_key: &key,
            token_len: 356,
            expiration: t + 3600,
            role_id: BUILD_ROLE_ID,
            session_arn: &format!("arn:aws:sts::{ACCT}:assumed-role/build-agent/{session_name}"),
            session_name: &session_name,
        };
        self.assume_role(&by, t, SYD, &out, "build-agent", false);
        let me = Actor {
            id: role("build-agent", BUILD_ROLE_ID, &session_name, &key, t, None),
            ip: BUILD_IP,
            ua: UA_JAVA_BUILD,
        };
        let mut t = t + 6;
        let mut ev = self.ev(&me, t, SYD, ECR, "GetAuthorizationToken");
        ev.req = Some(obj(|j| {
            j.a("registryIds", |j| {
                j.is(ACCT);
            });
        }));
        self.push(&ev);
        for layer in 0..6 {
            t += self.rng.range(1, 4);
            let name = if layer == 0 { "BatchGetImage" } else { "GetDownloadUrlForLayer" };
            let mut ev = self.ev(&me, t, SYD, ECR, name);
            ev.req = Some(obj(|j| {
                j.s("registryId", ACCT).s("repositoryName", "webapp-build-image");
                if layer == 0 {
                    j.a("imageIds", |j| {
                        j.io(|j| {
                            j.s("imageTag", "node6");
                        });
                    });
                } else {
                    j.s("layerDigest", &format!("sha256:{}", self.rng.hex(64)));
                }
            }));
            ev.resources = Some(record::resources(&[(
                "AWS::ECR::Repository",
                &format!("arn:aws:ecr:{SYD}:{ACCT}:repository/webapp-build-image"),
                Some(ACCT),
            )]));
            self.push(&ev);
        }
        let logs = Actor { ua: UA_CLI_CI, ..me.clone() };
        let stream = build_id.clone();
        let mut ev = self.ev(&logs, t + 5, SYD, LOGS, "CreateLogStream");
        ev.req = Some(obj(|j| {
            j.s("logGroupName", "/aws/codebuild/webapp-build").s("logStreamName", &stream);
        }));
        self.push(&ev);
        t += 8;
        let s3 = Actor { ua: UA_CLI_CI, ..me.clone() };
        for (i, key) in [
            "sources/webapp-src.zip",
            "cache/node_modules.tar.gz",
            "cache/npm-cache.tar.gz",
            "fixtures/users.json",
            "fixtures/sessions.json",
            "config/build.env",
        ]
        .iter()
        .enumerate()
        {
            // Half the downloads go through the S3 gateway endpoint, which the record names.
            let size = self.rng.range(2_000, 90_000_000);
            self.s3_object(&s3, t, "GetObject", ARTIFACTS, key, size, (i % 2 == 0).then_some(VPCE));
            if i == 0 {
                self.kms_by_service(
                    t,
                    SYD,
                    "Decrypt",
                    "s3.amazonaws.com",
                    WEBAPP_KMS_KEY,
                    ("aws:s3:arn", &format!("arn:aws:s3:::{ARTIFACTS}/{key}")),
                );
            }
            t += self.rng.range(1, 6);
        }
        for i in 0..10 {
            let mut ev = self.ev(&logs, t, SYD, LOGS, "PutLogEvents");
            ev.req = Some(obj(|j| {
                j.s("logGroupName", "/aws/codebuild/webapp-build")
                    .s("logStreamName", &stream)
                    .s("sequenceToken", &self.rng.digits(56));
            }));
            ev.resp = Some(obj(|j| {
                j.s("nextSequenceToken", &self.rng.digits(56));
            }));
            self.push(&ev);
            t += self.rng.range(10, 40);
            if i == 5 {
                let report = format!("arn:aws:codebuild:{SYD}:{ACCT}:report/webapp-build-unit:{}", self.rng.guid());
                for name in ["CreateReport", "BatchPutTestCases", "UpdateReport"] {
                    let mut ev = self.ev(&logs, t, SYD, CODEBUILD, name);
                    ev.req = Some(obj(|j| {
                        j.s(if name == "CreateReport" { "reportGroupArn" } else { "reportArn" }, &report);
                    }));
                    self.push(&ev);
                    t += self.rng.range(1, 5);
                }
            }
        }
        if let Some(id) = terminate {
            // The integration-test instance from the last run is cleaned up.
            let mut ev = self.ev(&me, t, SYD, EC2, "TerminateInstances");
            ev.req = Some(catalog::instances_set(id));
            ev.resp = Some(catalog::instance_state_change(&mut self.rng, id, "TerminateInstances"));
            self.push(&ev);
            t += 4;
        }
        // ci-runner polls for the result.
        let mut p = start + 30;
        while p < t + 30 {
            let mut ev = self.ev(&ci, p, SYD, CODEBUILD, "BatchGetBuilds");
            ev.req = Some(obj(|j| {
                j.a("ids", |j| {
                    j.is(&format!("webapp-build:{build_id}"));
                });
            }));
            self.push(&ev);
            p += 60 + self.rng.range(0, 20);
        }
    }

    /// deploy-agent: assumed by ci-runner, deploys the webapp stack.
    fn deploy(&mut self, day: u32, h: u32, m: u32, first: bool) {
        let ci = Actor { id: iam_user("ci-runner", CI_ID, Some(CI_KEY), None), ip: CI_IP, ua: UA_CLI_CI };
        let t0 = at(day, h, m, 58);
        let session_name = format!("ci-deploy-{}", t0 - 58);
        let key = format!("ASIAND{}", self.rng.key_chars(14));
        let session_arn = format!("arn:aws:sts::{ACCT}:assumed-role/deploy-agent/{session_name}");
        let out = AssumeRoleOut {
            access_key: &key,
            token_len: 356,
            expiration: t0 + 3600,
            role_id: DEPLOY_ROLE_ID,
            session_arn: &session_arn,
            session_name: &session_name,
        };
        // Global STS endpoint: recorded in us-east-1.
        self.assume_role(&ci, t0, USE1, &out, "deploy-agent", true);
        let cli =
            Actor { id: role("deploy-agent", DEPLOY_ROLE_ID, &session_name, &key, t0, None), ip: CI_IP, ua: UA_CLI_CI };
        let boto = Actor { ua: UA_BOTO_DEPLOY, ..cli.clone() };
        let mut t = t0 + 12;
        self.routine(&cli, t, USE1, STS, "GetCallerIdentity");
        let version = if first { "1.4.0" } else { "1.4.1" };
        let template_url = format!("https://s3-{SYD}.amazonaws.com/{ARTIFACTS}/templates/webapp-{version}.yaml");
        t += 20;
        let mut ev = self.ev(&cli, t, SYD, CFN, "ValidateTemplate");
        ev.req = Some(obj(|j| {
            j.s("templateURL", &template_url);
        }));
        self.push(&ev);
        t += 15;
        for (k, size) in
            [(format!("templates/webapp-{version}.yaml"), 14_702), (format!("builds/webapp-{version}.zip"), 23_841_533)]
        {
            self.s3_object(&cli, t, "PutObject", ARTIFACTS, &k, size, None);
            self.kms_by_service(
                t,
                SYD,
                "GenerateDataKey",
                "s3.amazonaws.com",
                WEBAPP_KMS_KEY,
                ("aws:s3:arn", &format!("arn:aws:s3:::{ARTIFACTS}/{k}")),
            );
            t += self.rng.range(4, 25);
        }
        let stack_id = format!(
            "arn:aws:cloudformation:{SYD}:{ACCT}:stack/webapp-prod/{}",
            if first { self.rng.guid() } else { "5f0c2b7e-46a1-11e7-9d2c-50fa5262a89e".to_string() }
        );
        let name = if first { "CreateStack" } else { "UpdateStack" };
        let mut ev = self.ev(&cli, t, SYD, CFN, name);
        ev.req = Some(obj(|j| {
            j.s("stackName", "webapp-prod")
                .s("templateURL", &template_url)
                .a("parameters", |j| {
                    for (k, v) in [
                        ("Environment", "prod"),
                        ("InstanceType", "t2.micro"),
                        ("ArtifactKey", &format!("builds/webapp-{version}.zip") as &str),
                    ] {
                        j.io(|j| {
                            j.s("parameterKey", k).s("parameterValue", v);
                        });
                    }
                })
                .a("capabilities", |j| {
                    j.is("CAPABILITY_IAM").is("CAPABILITY_NAMED_IAM");
                })
                .s("roleARN", &format!("arn:aws:iam::{ACCT}:role/cfn-exec"));
            if first {
                j.b("disableRollback", false).a("tags", |j| {
                    j.io(|j| {
                        j.s("key", "team").s("value", "web");
                    });
                });
            }
        }));
        ev.resp = Some(obj(|j| {
            j.s("stackId", &stack_id);
        }));
        self.push(&ev);
        let stack_t = t;
        t += 1;
        self.cfn_exec(stack_t + 2, first);
        let describe = |s: &mut Story, t: i64, name: &'static str| {
            let mut ev = s.ev(&boto, t, SYD, CFN, name);
            ev.req = Some(obj(|j| {
                j.s("stackName", "webapp-prod");
            }));
            s.push(&ev)
        };
        // The script polls the stack; on day 1 a retry collides with the stack it just created.
        for i in 0..14 {
            t += self.rng.range(20, 40);
            describe(self, t, "DescribeStacks");
            t += self.rng.range(1, 3);
            let idx = describe(self, t, "DescribeStackEvents");
            if first && i == 6 {
                self.duplicate = Some(idx);
            }
            if first && i == 2 {
                let mut ev = self.ev(&cli, t + 1, SYD, CFN, "CreateStack");
                ev.req = Some(obj(|j| {
                    j.s("stackName", "webapp-prod")
                        .s("templateURL", &template_url)
                        .a("capabilities", |j| {
                            j.is("CAPABILITY_IAM").is("CAPABILITY_NAMED_IAM");
                        })
                        .s("roleARN", &format!("arn:aws:iam::{ACCT}:role/cfn-exec"));
                }));
                ev.error_code = Some("AlreadyExistsException");
                ev.error_message = Some("Stack [webapp-prod] already exists".into());
                self.push(&ev);
            }
        }
        // Instances.
        let launches: &[(&str, usize)] =
            if first { &[("t2.micro", 2), ("t2.small", 1), ("t2.smal", 1)] } else { &[("t2.small", 1)] };
        let mut launched = Vec::new();
        for &(ty, count) in launches {
            t += self.rng.range(10, 30);
            let mut ev = self.ev(&boto, t, SYD, EC2, "RunInstances");
            let token = self.rng.guid();
            let tags = [("Name", "webapp-prod"), ("aws:cloudformation:stack-name", "webapp-prod"), ("team", "web")];
            let spec = RunSpec {
                account: ACCT,
                region: SYD,
                instance_type: ty,
                count,
                ami: "ami-0a9c3f51",
                subnet: "subnet-6e7f829a",
                vpc: "vpc-1a2b3c4d",
                security_group: "sg-5d3e9a21",
                profile: "webapp-prod-InstanceProfile-1QH8Z3K7M2W5X",
                key_name: Some("webapp-ops"),
                tags: &tags,
                launch_ms: t * 1000,
                client_token: &token,
            };
            let (req, resp, ids) = record::run_instances(&mut self.rng, &spec);
            ev.req = Some(req);
            if ty == "t2.smal" {
                ev.error_code = Some("Client.InvalidParameterValue");
                ev.error_message = Some("Invalid value 't2.smal' for InstanceType.".into());
            } else {
                ev.resp = Some(resp);
                launched.extend(ids);
            }
            self.push(&ev);
        }
        for id in &launched {
            t += self.rng.range(1, 4);
            let mut ev = self.ev(&boto, t, SYD, EC2, "CreateTags");
            ev.req = Some(obj(|j| {
                j.o("resourcesSet", |j| {
                    j.a("items", |j| {
                        j.io(|j| {
                            j.s("resourceId", id);
                        });
                    });
                })
                .o("tagSet", |j| {
                    j.a("items", |j| {
                        j.io(|j| {
                            j.s("key", "deployed-by").s("value", &session_name);
                        });
                    });
                });
            }));
            ev.resp = Some(catalog::ec2_ok(&mut self.rng));
            self.push(&ev);
        }
        for _ in 0..5 {
            t += self.rng.range(15, 40);
            let mut ev = self.ev(&boto, t, SYD, EC2, "DescribeInstances");
            ev.req = Some(obj(|j| {
                j.o("instancesSet", |j| {
                    j.a("items", |j| {
                        for id in &launched {
                            j.io(|j| {
                                j.s("instanceId", id);
                            });
                        }
                    });
                })
                .o("filterSet", |_| {});
            }));
            self.push(&ev);
        }
        // New code for the API function, then a smoke test.
        t += 20;
        let fn_arn = format!("arn:aws:lambda:{SYD}:{ACCT}:function:webapp-api");
        let mut ev = self.ev(&cli, t, SYD, LAMBDA, "UpdateFunctionCode20150331v2");
        ev.req = Some(obj(|j| {
            j.s("functionName", "webapp-api")
                .s("s3Bucket", ARTIFACTS)
                .s("s3Key", &format!("builds/webapp-{version}.zip"))
                .b("publish", true);
        }));
        let sha = self.rng.base64(43) + "=";
        ev.resp = Some(obj(|j| {
            j.s("functionName", "webapp-api")
                .s("functionArn", &fn_arn)
                .s("runtime", "nodejs6.10")
                .s("role", &format!("arn:aws:iam::{ACCT}:role/webapp-api"))
                .s("handler", "index.handler")
                .n("codeSize", 23_841_533)
                .s("description", "")
                .n("timeout", 30)
                .n("memorySize", 512)
                .s("lastModified", &format!("{}.{:03}+0000", &time::iso(t)[..19], self.rng.below(1000)))
                .s("codeSha256", &sha)
                .s("version", if first { "14" } else { "15" })
                .o("tracingConfig", |j| {
                    j.s("mode", "PassThrough");
                });
        }));
        self.push(&ev);
        t += 9;
        let mut ev = self.ev(&cli, t, SYD, LAMBDA, "Invoke");
        ev.data();
        ev.read_only = Some(false);
        ev.req = Some(obj(|j| {
            j.s("functionName", &fn_arn).s("invocationType", "RequestResponse").s("logType", "Tail");
        }));
        ev.extra = Some(obj(|j| {
            j.s("functionVersion", &format!("{fn_arn}:$LATEST"));
        }));
        ev.resources = Some(record::resources(&[("AWS::Lambda::Function", &fn_arn, Some(ACCT))]));
        self.push(&ev);
        t += 30;
        let caller = format!("arn:aws:sts::{ACCT}:assumed-role/deploy-agent/{session_name}");
        if first {
            // The deploy script tries to create an SMTP user: not allowed.
            let mut ev = self.ev(&cli, t, USE1, IAM, "CreateUser");
            ev.req = Some(obj(|j| {
                j.s("userName", "webapp-smtp").s("path", "/service/");
            }));
            ev.error_code = Some("AccessDenied");
            ev.error_message = Some(record::not_authorized(
                &caller,
                "iam:CreateUser",
                &format!("arn:aws:iam::{ACCT}:user/service/webapp-smtp"),
            ));
            self.push(&ev);
            t += 20;
            // DNS and CDN for the new version.
            let mut ev = self.ev(&cli, t, USE1, R53, "ChangeResourceRecordSets");
            let change = format!("C{}", self.rng.key_chars(13));
            ev.req = Some(obj(|j| {
                j.s("hostedZoneId", "Z3M3LMPEXAMPLE").o("changeBatch", |j| {
                    j.a("changes", |j| {
                        j.io(|j| {
                            j.s("action", "UPSERT").o("resourceRecordSet", |j| {
                                j.s("name", "api.webapp.example.com").s("type", "CNAME").n("tTL", 60).a(
                                    "resourceRecords",
                                    |j| {
                                        j.io(|j| {
                                            j.s("value", "webapp-prod-1234567890.ap-southeast-2.elb.amazonaws.com");
                                        });
                                    },
                                );
                            });
                        });
                    });
                });
            }));
            ev.resp = Some(obj(|j| {
                j.o("changeInfo", |j| {
                    j.s("id", &format!("/change/{change}"))
                        .s("status", "PENDING")
                        .s("submittedAt", &time::java_date(t));
                });
            }));
            self.push(&ev);
            for _ in 0..3 {
                t += self.rng.range(10, 20);
                let mut ev = self.ev(&cli, t, USE1, R53, "GetChange");
                ev.req = Some(obj(|j| {
                    j.s("id", &change);
                }));
                self.push(&ev);
            }
            t += 15;
            let mut ev = self.ev(&cli, t, USE1, CF, "CreateInvalidation");
            ev.req = Some(obj(|j| {
                j.s("distributionId", "E2QWRUHEXAMPLE").o("invalidationBatch", |j| {
                    j.o("paths", |j| {
                        j.n("quantity", 1).a("items", |j| {
                            j.is("/*");
                        });
                    })
                    .s("callerReference", &session_name);
                });
            }));
            ev.resp = Some(obj(|j| {
                j.o("invalidation", |j| {
                    j.s("id", &format!("I{}", self.rng.key_chars(13))).s("status", "InProgress");
                })
                .s("location", "https://cloudfront.amazonaws.com/2017-03-25/distribution/E2QWRUHEXAMPLE/invalidation");
            }));
            self.push(&ev);
        }
        // Retiring the previous generation of instances is not deploy-agent's job.
        t += 25;
        let old = if first { "i-0c4d1e8f2a7b9c305" } else { "i-07e2b9c4d1f3a8e56" };
        let mut ev = self.ev(&boto, t, SYD, EC2, "TerminateInstances");
        ev.req = Some(catalog::instances_set(old));
        ev.error_code = Some("Client.UnauthorizedOperation");
        ev.error_message = Some(format!(
            "You are not authorized to perform this operation. Encoded authorization failure message: {}",
            self.rng.base64(280)
        ));
        self.push(&ev);
        // Final checks while the stack settles.
        for _ in 0..6 {
            t += self.rng.range(60, 400);
            describe(self, t, "DescribeStacks");
            t += 2;
            self.routine(&boto, t, SYD, EC2, "DescribeInstanceStatus");
        }
    }

    /// cfn-exec: CloudFormation works on the stack with the role alice created.
    fn cfn_exec(&mut self, t: i64, first: bool) {
        let by = Actor {
            id: Identity::AwsService { invoked_by: "cloudformation.amazonaws.com" },
            ip: "cloudformation.amazonaws.com",
            ua: "cloudformation.amazonaws.com",
        };
        let key = format!("ASIACF{}", self.rng.key_chars(14));
        let out = AssumeRoleOut {
            access_key: &key,
            token_len: 356,
            expiration: t + 3600,
            role_id: CFN_ROLE_ID,
            session_arn: &format!("arn:aws:sts::{ACCT}:assumed-role/cfn-exec/AWSCloudFormation"),
            session_name: "AWSCloudFormation",
        };
        self.assume_role(&by, t, SYD, &out, "cfn-exec", false);
        let me = Actor {
            id: role("cfn-exec", CFN_ROLE_ID, "AWSCloudFormation", &key, t, Some("cloudformation.amazonaws.com")),
            ip: "cloudformation.amazonaws.com",
            ua: "cloudformation.amazonaws.com",
        };
        let mut t = t + 5;
        let steps: &[(&str, &str, &str)] = if first {
            &[
                (EC2, "CreateSecurityGroup", SYD),
                (EC2, "AuthorizeSecurityGroupIngress", SYD),
                (IAM, "CreateRole", USE1),
                (IAM, "PutRolePolicy", USE1),
                (IAM, "CreateInstanceProfile", USE1),
                (IAM, "AddRoleToInstanceProfile", USE1),
                (DDB, "CreateTable", SYD),
                (DDB, "DescribeTable", SYD),
                (DDB, "DescribeTable", SYD),
                (EC2, "DescribeSecurityGroups", SYD),
                (IAM, "GetRole", USE1),
                (IAM, "GetInstanceProfile", USE1),
            ]
        } else {
            &[
                (EC2, "DescribeSecurityGroups", SYD),
                (DDB, "DescribeTable", SYD),
                (IAM, "GetRole", USE1),
                (DDB, "UpdateTable", SYD),
                (DDB, "DescribeTable", SYD),
            ]
        };
        for &(s, name, region) in steps {
            let region: &'static str = if region == USE1 { USE1 } else { SYD };
            let mut ev = self.ev(&me, t, region, s, name);
            ev.req = Some(match (s, name) {
                (EC2, "CreateSecurityGroup") => obj(|j| {
                    j.s("groupName", "webapp-prod-WebSG-1K2M3N4P5Q6R")
                        .s("groupDescription", "webapp instances")
                        .s("vpcId", "vpc-1a2b3c4d");
                }),
                (EC2, "AuthorizeSecurityGroupIngress") => obj(|j| {
                    j.s("groupId", "sg-5d3e9a21").o("ipPermissions", |j| {
                        j.a("items", |j| {
                            j.io(|j| {
                                j.s("ipProtocol", "tcp").n("fromPort", 443).n("toPort", 443).o("ipRanges", |j| {
                                    j.a("items", |j| {
                                        j.io(|j| {
                                            j.s("cidrIp", "0.0.0.0/0");
                                        });
                                    });
                                });
                            });
                        });
                    });
                }),
                (EC2, _) => obj(|j| {
                    j.o("securityGroupIdSet", |j| {
                        j.a("items", |j| {
                            j.io(|j| {
                                j.s("groupId", "sg-5d3e9a21");
                            });
                        });
                    });
                }),
                (IAM, "CreateInstanceProfile" | "GetInstanceProfile") => obj(|j| {
                    j.s("instanceProfileName", "webapp-prod-InstanceProfile-1QH8Z3K7M2W5X");
                }),
                (IAM, "AddRoleToInstanceProfile") => obj(|j| {
                    j.s("instanceProfileName", "webapp-prod-InstanceProfile-1QH8Z3K7M2W5X")
                        .s("roleName", "webapp-prod-InstanceRole-1UJ3KX8M2QZ7P");
                }),
                (IAM, "PutRolePolicy") => obj(|j| {
                    j.s("roleName", "webapp-prod-InstanceRole-1UJ3KX8M2QZ7P").s("policyName", "artifacts-read").s(
                        "policyDocument",
                        &format!(r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":["s3:GetObject"],"Resource":"arn:aws:s3:::{ARTIFACTS}/builds/*"}}]}}"#),
                    );
                }),
                (IAM, _) => obj(|j| {
                    j.s("roleName", "webapp-prod-InstanceRole-1UJ3KX8M2QZ7P");
                    if name == "CreateRole" {
                        j.s("path", "/").s("assumeRolePolicyDocument", r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":["ec2.amazonaws.com"]},"Action":["sts:AssumeRole"]}]}"#);
                    }
                }),
                _ => obj(|j| {
                    j.s("tableName", "webapp-sessions-prod");
                    if name == "CreateTable" {
                        j.a("attributeDefinitions", |j| {
                            j.io(|j| {
                                j.s("attributeName", "sid").s("attributeType", "S");
                            });
                        })
                        .a("keySchema", |j| {
                            j.io(|j| {
                                j.s("attributeName", "sid").s("keyType", "HASH");
                            });
                        })
                        .o("provisionedThroughput", |j| {
                            j.n("readCapacityUnits", 5).n("writeCapacityUnits", 5);
                        });
                    }
                }),
            });
            if name == "CreateSecurityGroup" {
                ev.resp = Some(obj(|j| {
                    j.s("requestId", &self.rng.guid()).b("_return", true).s("groupId", "sg-5d3e9a21");
                }));
            }
            if s == DDB {
                ev.resources = Some(record::resources(&[(
                    "AWS::DynamoDB::Table",
                    &format!("arn:aws:dynamodb:{SYD}:{ACCT}:table/webapp-sessions-prod"),
                    Some(ACCT),
                )]));
            }
            self.push(&ev);
            t += self.rng.range(2, 25);
        }
    }
}

/// Summary of what was written.
pub struct Summary {
    pub files: usize,
    pub digests: usize,
    pub records: usize,
    pub gz_bytes: u64,
}

/// The trail's bucket, named in every digest (`digestS3Bucket`, the signed string).
pub const BUCKET: &str = "cloudtrail-111122223333";

/// Writes the sample under `out`; its digests are signed with `signer`.
pub fn run(out: &Path, seed: u64, force: bool, signer: &Signer) -> Result<Summary, String> {
    crate::tree::prepare_out(out, force)?;
    let mut st = Story { rng: Rng::new(seed), recs: Vec::new(), duplicate: None };
    st.background();
    st.root();
    st.alice();
    st.bob();
    st.carol();
    st.build(at(1, 2, 0, 14), None);
    st.build(at(1, 12, 58, 3), Some("i-09b1f4e7c2d8a6053"));
    st.deploy(1, 13, 4, true);
    st.build(at(2, 8, 55, 40), None);
    st.deploy(2, 9, 1, false);

    let mut rng = st.rng.fork(1);
    let dup = st.duplicate.expect("story marks a duplicate");
    // Group per region into delivery files: one file per clock hour of events, split at 60.
    let mut order: Vec<usize> = (0..st.recs.len()).collect();
    order.sort_by_key(|&i| (st.recs[i].time, i));
    let mut groups: BTreeMap<(&str, i64), Vec<Vec<usize>>> = BTreeMap::new();
    for i in order {
        let r = &st.recs[i];
        let g = groups.entry((r.region, r.time.div_euclid(3600))).or_default();
        match g.last_mut() {
            Some(last) if last.len() < 60 => last.push(i),
            _ => g.push(vec![i]),
        }
    }
    let mut files: Vec<(&'static str, Vec<usize>)> = Vec::new();
    for ((region, _), gs) in groups {
        let region: &'static str = [SYD, USE1, DUB].into_iter().find(|r| *r == region).unwrap();
        for g in gs {
            files.push((region, g));
        }
    }
    // The duplicate delivery: the same record again in the region's next file.
    let at_file = files.iter().position(|(_, g)| g.contains(&dup)).unwrap();
    let region = files[at_file].0;
    let next = (at_file + 1..files.len()).find(|&k| files[k].0 == region).expect("a later file");
    files[next].1.push(dup);

    let mut metas: Vec<LogFileMeta> = Vec::new();
    let mut records = 0;
    let mut gz_bytes = 0u64;
    for (region, mut idx) in files {
        // Roughly, not strictly, in time order.
        for k in 1..idx.len() {
            if rng.chance(0.15) {
                idx.swap(k - 1, k);
            }
        }
        let oldest = idx.iter().map(|&i| st.recs[i].time).min().unwrap();
        let newest = idx.iter().map(|&i| st.recs[i].time).max().unwrap();
        let mut delivered = newest + rng.range(300, 900);
        let midnight = (newest.div_euclid(86_400) + 1) * 86_400;
        if newest >= midnight - 900 && delivered < midnight {
            // Late events of a day arrive in the next day's folder, as in real buckets.
            delivered = midnight + rng.range(60, 420);
        }
        let body = layout::log_file_body(idx.iter().map(|&i| st.recs[i].json.as_str()));
        let key = layout::log_key(ACCT, region, delivered, &rng.alnum(16));
        let gz = layout::gzip(body.as_bytes());
        layout::write_file(out, &key, &gz).map_err(|e| format!("writing {key}: {e}"))?;
        records += idx.len();
        gz_bytes += gz.len() as u64;
        metas.push(LogFileMeta {
            key,
            region: region.to_string(),
            delivered,
            sha256: sha256::hex_digest(body.as_bytes()),
            oldest,
            newest,
        });
    }

    let trail = Trail { account: ACCT, bucket: BUCKET, name: "main-trail", home_region: USE1 };
    let last = metas.iter().map(|m| m.delivered).max().unwrap();
    let mut digests = 0;
    for (k, region) in [SYD, USE1, DUB].into_iter().enumerate() {
        let first_end = at(1, 0, 0, 0) + [2_272, 1_105, 3_017][k];
        let count = ((last - first_end).div_euclid(3600) + 2) as usize;
        let files: Vec<&LogFileMeta> = metas.iter().filter(|m| m.region == region).collect();
        for d in layout::digest_chain(&trail, region, first_end, count, &files, signer) {
            gz_bytes += layout::write_digest(out, &d).map_err(|e| format!("writing {}: {e}", d.key))?;
            digests += 1;
        }
    }
    Ok(Summary { files: metas.len(), digests, records, gz_bytes })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_have_aws_lengths() {
        for id in [ALICE_ID, BOB_ID, CAROL_ID, CI_ID, DEPLOY_ROLE_ID, BUILD_ROLE_ID, CFN_ROLE_ID, WEBAPP_ROLE_ID] {
            assert_eq!(id.len(), 21, "{id}");
        }
        for k in [
            ALICE_KEY,
            ALICE_CONSOLE_KEY,
            ALICE_CONSOLE_KEY2,
            BOB_KEY,
            BOB_CONSOLE_KEY,
            CAROL_KEY,
            ROOT_CONSOLE_KEY,
            CI_KEY,
        ] {
            assert_eq!(k.len(), 20, "{k}");
        }
    }

    #[test]
    fn sample_is_deterministic() {
        let base = std::env::temp_dir().join(format!("ct-synth-sample-{}", std::process::id()));
        let key = Signer::test_key();
        let a = run(&base.join("a"), 2017, true, &key).unwrap();
        run(&base.join("b"), 2017, true, &key).unwrap();
        assert!((40..=80).contains(&a.files), "{} files", a.files);
        assert!((600..=1500).contains(&a.records), "{} records", a.records);
        let list = |d: &Path| {
            let mut v = Vec::new();
            let mut stack = vec![d.to_path_buf()];
            while let Some(p) = stack.pop() {
                for e in std::fs::read_dir(&p).unwrap() {
                    let p = e.unwrap().path();
                    if p.is_dir() {
                        stack.push(p);
                    } else {
                        v.push((p.strip_prefix(d).unwrap().to_path_buf(), std::fs::read(&p).unwrap()));
                    }
                }
            }
            v.sort();
            v
        };
        let files = list(&base.join("a"));
        assert!(files == list(&base.join("b")));

        // Every record parses and carries the mandatory fields; the story's landmarks hold.
        use std::io::Read;
        let (mut logins, mut ids) = (0, Vec::new());
        for (path, bytes) in &files {
            if !path.to_string_lossy().contains("/CloudTrail/") {
                continue;
            }
            let mut text = String::new();
            flate2::read::GzDecoder::new(&bytes[..]).read_to_string(&mut text).unwrap();
            let v: serde_json::Value = serde_json::from_str(&text).unwrap();
            for r in v["Records"].as_array().unwrap() {
                for k in ["eventVersion", "eventTime", "eventSource", "eventName", "eventID"] {
                    assert!(r[k].is_string(), "{k} missing in {r}");
                }
                logins += usize::from(r["eventName"] == "ConsoleLogin");
                ids.push(r["eventID"].as_str().unwrap().to_string());
            }
        }
        assert_eq!(logins, 5);
        ids.sort();
        let before = ids.len();
        ids.dedup();
        assert_eq!(before - ids.len(), 1, "exactly one duplicate delivery");
        std::fs::remove_dir_all(&base).unwrap();
    }
}
