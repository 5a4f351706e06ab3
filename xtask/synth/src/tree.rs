//! `ct-synth tree`: a large, statistically realistic log tree for benchmarks (bench/README.md, "The tree").
//!
//! The run is planned serially (which file, region, delivery time, record count), then each
//! file is generated, hashed, gzipped and written by a pool of threads. A file's content
//! depends only on the seed and its index, so the tree is byte-identical for any `--jobs`.
//! Digests come last, serially, because each one hashes its predecessor.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::catalog::{self, Ctx, EC2, KMS, LAMBDA, Names, S3, SERVICES, SIGNIN, STS};
use crate::json::obj;
use crate::layout::{self, LogFileMeta, Trail};
use crate::record::{self, AssumeRoleOut, Event, Identity, RunSpec, Session, Tls};
use crate::rng::{Rng, Weighted, hash_str};
use crate::sha256;
use crate::sign::Signer;
use crate::time;

pub struct Opts {
    pub out: PathBuf,
    pub size: u64,
    pub seed: u64,
    pub jobs: usize,
    pub start: i64,
    pub days: u32,
    pub account: String,
    pub force: bool,
}

/// Mean records per file and mean record size; together they turn `--size` into a file count.
const MEAN_RECORDS: u64 = 400;
const MEAN_RECORD_BYTES: u64 = 1450;

const REGIONS: &[(&str, u64)] = &[
    ("us-east-1", 32),
    ("us-west-2", 20),
    ("eu-west-1", 15),
    ("ap-southeast-2", 10),
    ("eu-central-1", 9),
    ("ap-northeast-1", 8),
    ("us-east-2", 6),
];

// ---------------------------------------------------------------------------------------
// Principals. Everything below is invented; names only need to look like a real estate.

#[derive(Clone, Copy)]
enum SessKind {
    /// EC2 instance profile: session = instance id, private IP through a VPC endpoint.
    Instance,
    /// ECS task role: session = task id.
    EcsTask,
    /// Lambda execution role: session = function name.
    Lambda(&'static str),
    /// CI or automation with a fixed session name prefix.
    Automation(&'static str),
    /// Identity Center permission set: session = a person's e-mail, console use.
    Sso,
    /// Service-linked role used by a service on our behalf.
    Service(&'static str, &'static str),
}

struct RoleDef {
    name: &'static str,
    path: &'static str,
    kind: SessKind,
    weight: u64,
    ua: &'static str,
    /// Services this role mostly calls (60 % of its calls).
    focus: &'static [&'static str],
}

const UA_GO: &str = "aws-sdk-go/1.50.25 (go1.21.7; linux; amd64)";
const UA_JAVA: &str = "aws-sdk-java/2.21.42 Linux/5.10.209-198.858.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/17.0.10+7-LTS Java/17.0.10 vendor/Amazon.com_Inc. exec-env/AWS_ECS_FARGATE io/sync http/Apache cfg/retry-mode/legacy";
const UA_LAMBDA: &str = "Boto3/1.34.42 md/Botocore#1.34.42 ua/2.0 os/linux#5.10.209-220.850.amzn2.x86_64 md/arch#x86_64 lang/python#3.12.2 md/pyimpl#CPython exec-env/AWS_Lambda_python3.12 cfg/retry-mode#legacy Botocore/1.34.42";
const UA_NODE: &str = "aws-sdk-js/3.515.0 ua/2.0 os/linux#5.10.209-220.850.amzn2.x86_64 lang/js md/nodejs#20.11.0 exec-env/AWS_Lambda_nodejs20.x api/dynamodb#3.515.0";
const UA_CLI_CI: &str = "aws-cli/2.15.22 Python/3.11.6 Linux/6.5.0-1015-azure exe/x86_64.ubuntu.22 prompt/off command/cloudformation.deploy";
const UA_TF: &str = "APN/1.0 HashiCorp/1.0 Terraform/1.7.4 (+https://www.terraform.io) terraform-provider-aws/5.38.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.25.0 os/linux lang/go#1.21.7 md/GOOS#linux md/GOARCH#amd64";
const UA_BROWSER: &str = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36";
const UA_SSM: &str = "aws-sdk-go/1.44.260 (go1.21.5; linux; amd64) amazon-ssm-agent/3.2.2222.0";
const UA_KARPENTER: &str = "aws-sdk-go/1.50.25 (go1.21.7; linux; amd64) karpenter.sh-0.35.0";
const UA_DATADOG: &str = "datadog-aws-integration/1.0 aws-sdk-go/1.44.327 (go1.21.5; linux; amd64)";
const UA_CLI_MAC: &str =
    "aws-cli/2.15.19 Python/3.11.6 Darwin/23.3.0 exe/x86_64 prompt/off command/ec2.describe-instances";
const UA_CLI_LINUX: &str = "aws-cli/1.32.49 Python/3.9.16 Linux/5.10.209-198.858.amzn2.x86_64 botocore/1.34.49";
const UA_BOTO: &str = "Boto3/1.34.49 md/Botocore#1.34.49 ua/2.0 os/linux#5.15.0-1055-aws md/arch#x86_64 lang/python#3.10.12 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.49";

#[rustfmt::skip]
static ROLES: &[RoleDef] = &[
    RoleDef { name: "eks-prod-node-group-NodeInstanceRole-7QX2M4KD1B9Z", path: "", kind: SessKind::Instance, weight: 30, ua: UA_GO, focus: &["ec2.amazonaws.com", "ecr.amazonaws.com", "s3.amazonaws.com", "kms.amazonaws.com"] },
    RoleDef { name: "orders-api-task-role", path: "", kind: SessKind::EcsTask, weight: 24, ua: UA_JAVA, focus: &["dynamodb.amazonaws.com", "s3.amazonaws.com", "kms.amazonaws.com", "sqs.amazonaws.com", "secretsmanager.amazonaws.com"] },
    RoleDef { name: "payments-processor-role", path: "service-role/", kind: SessKind::Lambda("payments-processor"), weight: 20, ua: UA_LAMBDA, focus: &["dynamodb.amazonaws.com", "kms.amazonaws.com", "secretsmanager.amazonaws.com", "logs.amazonaws.com", "s3.amazonaws.com"] },
    RoleDef { name: "image-resizer-role", path: "service-role/", kind: SessKind::Lambda("image-resizer"), weight: 14, ua: UA_NODE, focus: &["s3.amazonaws.com", "logs.amazonaws.com", "kms.amazonaws.com"] },
    RoleDef { name: "karpenter-controller", path: "", kind: SessKind::Automation("1709"), weight: 12, ua: UA_KARPENTER, focus: &["ec2.amazonaws.com", "ssm.amazonaws.com", "iam.amazonaws.com", "sqs.amazonaws.com"] },
    RoleDef { name: "datadog-integration", path: "", kind: SessKind::Automation("DatadogAWSIntegration"), weight: 12, ua: UA_DATADOG, focus: &["monitoring.amazonaws.com", "ec2.amazonaws.com", "elasticloadbalancing.amazonaws.com", "rds.amazonaws.com", "tagging.amazonaws.com"] },
    RoleDef { name: "ssm-managed-instance", path: "", kind: SessKind::Instance, weight: 12, ua: UA_SSM, focus: &["ssm.amazonaws.com", "ec2.amazonaws.com", "s3.amazonaws.com"] },
    RoleDef { name: "github-actions-deploy", path: "", kind: SessKind::Automation("GitHubActions"), weight: 8, ua: UA_CLI_CI, focus: &["cloudformation.amazonaws.com", "s3.amazonaws.com", "ecr.amazonaws.com", "lambda.amazonaws.com", "ecs.amazonaws.com"] },
    RoleDef { name: "terraform-apply", path: "", kind: SessKind::Automation("terraform"), weight: 6, ua: UA_TF, focus: &["ec2.amazonaws.com", "iam.amazonaws.com", "s3.amazonaws.com", "rds.amazonaws.com", "route53.amazonaws.com"] },
    RoleDef { name: "AWSReservedSSO_AdministratorAccess_5c1e2f9a7b3d4e60", path: "aws-reserved/sso.amazonaws.com/", kind: SessKind::Sso, weight: 5, ua: UA_BROWSER, focus: &["ec2.amazonaws.com", "s3.amazonaws.com", "cloudformation.amazonaws.com", "iam.amazonaws.com"] },
    RoleDef { name: "AWSReservedSSO_ReadOnlyAccess_0d8c6b4a2f1e3957", path: "aws-reserved/sso.amazonaws.com/", kind: SessKind::Sso, weight: 5, ua: UA_BROWSER, focus: &["ec2.amazonaws.com", "monitoring.amazonaws.com", "logs.amazonaws.com", "cloudtrail.amazonaws.com"] },
    RoleDef { name: "AWSServiceRoleForConfig", path: "aws-service-role/config.amazonaws.com/", kind: SessKind::Service("config.amazonaws.com", "AWSConfig-Describe"), weight: 8, ua: "config.amazonaws.com", focus: &["ec2.amazonaws.com", "iam.amazonaws.com", "s3.amazonaws.com", "config.amazonaws.com"] },
    RoleDef { name: "AWSServiceRoleForAutoScaling", path: "aws-service-role/autoscaling.amazonaws.com/", kind: SessKind::Service("autoscaling.amazonaws.com", "AutoScaling"), weight: 4, ua: "autoscaling.amazonaws.com", focus: &["ec2.amazonaws.com", "elasticloadbalancing.amazonaws.com"] },
    RoleDef { name: "AWSGlueServiceRole-etl", path: "service-role/", kind: SessKind::Service("glue.amazonaws.com", "GlueJobRunnerSession"), weight: 4, ua: "glue.amazonaws.com", focus: &["s3.amazonaws.com", "glue.amazonaws.com", "logs.amazonaws.com"] },
    RoleDef { name: "codebuild-webapp-service-role", path: "service-role/", kind: SessKind::Automation("AWSCodeBuild"), weight: 5, ua: UA_BOTO, focus: &["ecr.amazonaws.com", "s3.amazonaws.com", "logs.amazonaws.com", "codebuild.amazonaws.com"] },
    RoleDef { name: "OrganizationAccountAccessRole", path: "", kind: SessKind::Automation("admin"), weight: 2, ua: UA_CLI_MAC, focus: &["iam.amazonaws.com", "organizations.amazonaws.com", "cloudtrail.amazonaws.com"] },
    RoleDef { name: "cfn-exec", path: "", kind: SessKind::Service("cloudformation.amazonaws.com", "AWSCloudFormation"), weight: 3, ua: "cloudformation.amazonaws.com", focus: &["ec2.amazonaws.com", "iam.amazonaws.com", "lambda.amazonaws.com", "s3.amazonaws.com"] },
];

/// IAM users other than alice, most active first.
static USERS: &[(&str, &str)] = &[
    ("jenkins", UA_CLI_LINUX),
    ("terraform-ci", UA_TF),
    ("svc-backup", UA_BOTO),
    ("splunk-reader", UA_BOTO),
    ("bob", UA_CLI_MAC),
    ("carol", UA_BOTO),
    ("s3-sync", UA_CLI_LINUX),
    ("dave", UA_CLI_MAC),
    ("erin", UA_BROWSER),
    ("frank", UA_CLI_MAC),
    ("grace", UA_BOTO),
    ("heidi", UA_CLI_LINUX),
    ("ivan", UA_BROWSER),
    ("judy", UA_CLI_MAC),
];
const ALICE_SHARE: f64 = 0.06;

static FEDERATED: &[&str] = &["dashboard-viewer", "partner-upload"];
static OTHER_ACCOUNTS: &[&str] = &["210987654321", "345678901234", "456789012345"];

/// Who AWSService identities are, and what they do.
#[rustfmt::skip]
static SERVICE_CALLS: &[(&str, &str, &[&str], u64)] = &[
    (STS, "AssumeRole", &["lambda.amazonaws.com", "ecs-tasks.amazonaws.com", "ec2.amazonaws.com", "config.amazonaws.com", "cloudformation.amazonaws.com", "codebuild.amazonaws.com", "states.amazonaws.com", "events.amazonaws.com", "backup.amazonaws.com", "eks.amazonaws.com"], 46),
    (KMS, "Decrypt", &["secretsmanager.amazonaws.com", "ssm.amazonaws.com", "logs.amazonaws.com", "dynamodb.amazonaws.com", "cloudtrail.amazonaws.com"], 12),
    (KMS, "GenerateDataKey", &["secretsmanager.amazonaws.com", "logs.amazonaws.com", "dynamodb.amazonaws.com", "cloudtrail.amazonaws.com"], 8),
    (S3, "PutObject", &["cloudtrail.amazonaws.com", "config.amazonaws.com", "delivery.logs.amazonaws.com", "logging.s3.amazonaws.com"], 9),
    (S3, "GetBucketAcl", &["cloudtrail.amazonaws.com", "config.amazonaws.com", "delivery.logs.amazonaws.com"], 6),
    (LAMBDA, "Invoke", &["events.amazonaws.com", "apigateway.amazonaws.com", "sns.amazonaws.com", "s3.amazonaws.com"], 9),
    ("backup.amazonaws.com", "BackupJobCompleted", &["backup.amazonaws.com"], 3),
    (KMS, "RotateKey", &["kms.amazonaws.com"], 2),
    ("health.amazonaws.com", "AWSHealthEvent", &["health.amazonaws.com"], 2),
    ("signin.amazonaws.com", "CredentialVerification", &["signin.amazonaws.com"], 1),
];

#[rustfmt::skip]
static ROOT_CALLS: &[(&str, &str)] = &[
    (SIGNIN, "ConsoleLogin"), ("iam.amazonaws.com", "GetAccountSummary"), ("iam.amazonaws.com", "ListUsers"),
    ("iam.amazonaws.com", "GetAccountPasswordPolicy"), ("iam.amazonaws.com", "ListMFADevices"),
    ("organizations.amazonaws.com", "DescribeOrganization"), ("organizations.amazonaws.com", "ListAccounts"),
    (S3, "ListBuckets"), (EC2, "DescribeRegions"), (EC2, "DescribeInstances"),
    ("cloudtrail.amazonaws.com", "DescribeTrails"), ("cloudtrail.amazonaws.com", "LookupEvents"),
    ("support.amazonaws.com", "DescribeTrustedAdvisorChecks"), ("health.amazonaws.com", "DescribeEvents"),
];

static NAMES: Names = Names {
    buckets: &[
        "acme-prod-data-lake",
        "acme-prod-assets",
        "acme-build-artifacts",
        "acme-prod-backups",
        "acme-cloudtrail-logs",
        "acme-alb-access-logs",
        "acme-partner-exchange",
        "acme-ml-datasets",
    ],
    tables: &["orders", "payments", "sessions", "inventory", "customers", "idempotency-keys"],
    functions: &[
        "payments-processor",
        "image-resizer",
        "orders-stream-consumer",
        "nightly-report",
        "auth-token-rotator",
        "slack-notifier",
    ],
    log_groups: &[
        "/aws/lambda/payments-processor",
        "/aws/lambda/image-resizer",
        "/ecs/orders-api",
        "/aws/codebuild/webapp",
        "/aws/eks/prod/cluster",
        "/aws/vpc/flow-logs",
    ],
    kms_keys: &[
        "0f3c7a52-6d1e-4b8f-9a27-3e5d1c8b4f60",
        "5b9e2d14-8c3a-47f1-b6d0-9a1e7c2f3b85",
        "c2a8f6e1-3b7d-4e59-8f14-6d0b2a9c7e31",
    ],
    things: &[
        "orders",
        "payments",
        "webapp",
        "reports",
        "checkout",
        "search",
        "auth",
        "inventory",
        "analytics",
        "notifications",
    ],
};

// ---------------------------------------------------------------------------------------
// Plan.

struct FilePlan {
    region: &'static str,
    delivered: i64,
    newest: i64,
    records: usize,
    uniq: String,
}

fn plan(o: &Opts) -> Vec<FilePlan> {
    let n = (o.size as f64 / (MEAN_RECORDS * MEAN_RECORD_BYTES) as f64).round().max(1.0) as usize;
    let mut rng = Rng::new(o.seed).fork(0);
    let regions = Weighted::new(REGIONS.iter().map(|r| r.1));
    let span = i64::from(o.days) * 86_400;
    (0..n)
        .map(|_| {
            let region = REGIONS[regions.draw(&mut rng)].0;
            // Deliveries every few minutes per region: uniform over the window, never before
            // the first events could be written.
            let delivered = o.start + 360 + rng.below((span - 360) as u64) as i64;
            FilePlan {
                region,
                delivered,
                newest: delivered - rng.range(300, 900),
                records: rng.range(200, 600) as usize,
                uniq: rng.alnum(16),
            }
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// Per-file generation.

/// One principal's session inside a file: the values that recur record after record.
struct Sess {
    kind: Who,
    name: String,
    principal_id: String,
    access_key: String,
    created: i64,
    mfa: bool,
    ip: String,
    ua: &'static str,
    vpce: Option<String>,
    console: bool,
}

#[derive(Clone, Copy)]
enum Who {
    Role(usize),
    User(usize),
    Alice,
    Federated(usize),
    Account(usize),
    Root,
}

struct Gen<'a> {
    seed: u64,
    account: &'a str,
    region: &'static str,
    rng: Rng,
    day: String,
}

/// A value derived from the seed and a name, so a principal keeps its ids everywhere.
fn derived(seed: u64, what: &str) -> Rng {
    Rng::new(seed).fork(hash_str(what))
}

fn public_ip(r: &mut Rng) -> String {
    let first = *r.pick(&[3u8, 13, 18, 34, 35, 44, 52, 54, 98, 107]);
    format!("{first}.{}.{}.{}", r.range(0, 255), r.range(0, 255), r.range(1, 254))
}

impl Gen<'_> {
    fn role_session(&mut self, idx: usize, hour: i64) -> Sess {
        let def = &ROLES[idx];
        let variant = self.rng.below(5);
        let mut r = derived(self.seed, &format!("role/{}/{hour}/{variant}", def.name));
        let mut stable = derived(self.seed, &format!("role/{}/{variant}", def.name));
        let role_id = format!("AROA{}", derived(self.seed, def.name).key_chars(17));
        let (name, ip, vpce) = match def.kind {
            SessKind::Instance => {
                let ip = format!("10.{}.{}.{}", stable.range(0, 3), stable.range(0, 255), stable.range(4, 250));
                let vpce = format!("vpce-0{}", derived(self.seed, self.region).hex(16));
                (format!("i-0{}", stable.hex(16)), ip, Some(vpce))
            }
            SessKind::EcsTask => (r.hex(32), public_ip(&mut stable), None),
            SessKind::Lambda(f) => (f.to_string(), public_ip(&mut r), None),
            SessKind::Automation("1709") => {
                (format!("{}", 1_709_000_000_000_000_000u64 + r.below(1 << 40)), public_ip(&mut stable), None)
            }
            SessKind::Automation("AWSCodeBuild") => (format!("AWSCodeBuild-{}", r.guid()), public_ip(&mut r), None),
            SessKind::Automation(p) => (
                if p.starts_with(|c: char| c.is_ascii_uppercase()) {
                    p.to_string()
                } else {
                    format!("{p}-{}", 1_709_251_200 + hour * 3600 + r.range(0, 3599))
                },
                public_ip(&mut r),
                None,
            ),
            SessKind::Sso => {
                let who = ["maria.garcia", "wei.chen", "sam.okafor", "priya.nair"]
                    [(hash_str(def.name) as usize + variant as usize) % 4];
                (format!("{who}@example.com"), format!("198.51.100.{}", stable.range(10, 200)), None)
            }
            SessKind::Service(svc, s) => (s.to_string(), svc.to_string(), None),
        };
        Sess {
            kind: Who::Role(idx),
            principal_id: role_id,
            access_key: format!("ASIA{}", r.key_chars(16)),
            created: hour * 3600 - r.range(0, 3000),
            mfa: matches!(def.kind, SessKind::Sso),
            console: matches!(def.kind, SessKind::Sso),
            name,
            ip,
            ua: def.ua,
            vpce,
        }
    }

    fn user_session(&mut self, who: Who, hour: i64) -> Sess {
        let (name, ua) = match who {
            Who::Alice => ("alice", UA_CLI_MAC),
            Who::User(i) => USERS[i],
            _ => unreachable!(),
        };
        let mut stable = derived(self.seed, &format!("user/{name}"));
        let principal_id = format!("AIDA{}", stable.key_chars(17));
        let long_key = format!("AKIA{}", stable.key_chars(16));
        let ip = if ua == UA_CLI_MAC || ua == UA_BROWSER {
            format!("203.0.113.{}", stable.range(10, 250))
        } else {
            public_ip(&mut stable)
        };
        // Humans sometimes work in the console: temporary ASIA keys with session attributes.
        let console = (ua == UA_BROWSER) || (matches!(who, Who::Alice) && self.rng.chance(0.3));
        let mut r = derived(self.seed, &format!("user/{name}/{hour}"));
        Sess {
            kind: who,
            name: name.to_string(),
            principal_id,
            access_key: if console { format!("ASIA{}", r.key_chars(16)) } else { long_key },
            created: hour * 3600 - r.range(0, 3000),
            mfa: console,
            ip,
            ua: if console { UA_BROWSER } else { ua },
            vpce: None,
            console,
        }
    }

    fn other_session(&mut self, who: Who, hour: i64) -> Sess {
        let mut r = derived(
            self.seed,
            &format!(
                "other/{}/{hour}",
                match who {
                    Who::Federated(i) => FEDERATED[i],
                    Who::Account(i) => OTHER_ACCOUNTS[i],
                    _ => "root",
                }
            ),
        );
        let (name, principal_id) = match who {
            Who::Federated(i) => {
                (FEDERATED[i].to_string(), format!("AIDA{}", derived(self.seed, "federation-broker").key_chars(17)))
            }
            Who::Account(i) => (
                OTHER_ACCOUNTS[i].to_string(),
                format!("AROA{}:{}", derived(self.seed, OTHER_ACCOUNTS[i]).key_chars(17), r.alnum(10)),
            ),
            _ => (String::new(), String::new()),
        };
        Sess {
            kind: who,
            name,
            principal_id,
            access_key: format!("ASIA{}", r.key_chars(16)),
            created: hour * 3600 - r.range(0, 3000),
            mfa: matches!(who, Who::Root),
            ip: public_ip(&mut r),
            ua: if matches!(who, Who::Root) { UA_BROWSER } else { UA_BOTO },
            vpce: None,
            console: matches!(who, Who::Root),
        }
    }

    fn identity<'s>(&self, s: &'s Sess) -> Identity<'s> {
        let session = Session { created: s.created, mfa: s.mfa };
        match s.kind {
            Who::Role(i) => {
                let def = &ROLES[i];
                Identity::AssumedRole {
                    path: def.path,
                    role: def.name,
                    role_id: &s.principal_id,
                    session_name: &s.name,
                    access_key: &s.access_key,
                    session,
                    invoked_by: match def.kind {
                        SessKind::Service(svc, _) => Some(svc),
                        _ => None,
                    },
                    ec2_role_delivery: match def.kind {
                        SessKind::Instance => Some("2.0"),
                        _ => None,
                    },
                }
            }
            Who::User(_) | Who::Alice => Identity::IamUser {
                name: &s.name,
                principal_id: &s.principal_id,
                access_key: Some(&s.access_key),
                session: s.console.then_some(session),
                invoked_by: None,
            },
            Who::Federated(_) => Identity::FederatedUser {
                name: &s.name,
                issuer_user: "federation-broker",
                issuer_id: &s.principal_id,
                access_key: &s.access_key,
                session,
            },
            Who::Account(_) => {
                Identity::AwsAccount { principal_id: &s.principal_id, account_id: &s.name, invoked_by: None }
            }
            Who::Root => Identity::Root { access_key: Some(&s.access_key), session: Some(session) },
        }
    }

    fn version(&self, source: &str) -> &'static str {
        match hash_str(source) % 20 {
            0..=11 => "1.08",
            12..=16 => "1.09",
            17..=18 => "1.10",
            _ => "1.11",
        }
    }

    /// Draws an (eventSource, eventName) a role or user would call in this region.
    fn draw_general(&mut self, services: &Weighted, focus: &[&str]) -> (&'static str, &'static str) {
        for _ in 0..20 {
            let svc = if !focus.is_empty() && self.rng.chance(0.6) {
                let want = *self.rng.pick(focus);
                SERVICES
                    .iter()
                    .filter(|s| s.source == want)
                    .nth(if self.rng.chance(0.35) { 0 } else { 1 })
                    .or_else(|| SERVICES.iter().find(|s| s.source == want))
                    .unwrap()
            } else {
                &SERVICES[services.draw(&mut self.rng)]
            };
            if svc.global && self.region != "us-east-1" {
                continue;
            }
            let name = svc.events[self.rng.zipf(svc.events.len())];
            return (svc.source, name);
        }
        (EC2, "DescribeInstances")
    }

    fn tls(&mut self, source: &str) -> Tls<'static> {
        let v13 = self.rng.chance(0.6);
        let host = if source == S3 {
            format!("{}.s3.{}.amazonaws.com", self.rng.pick(NAMES.buckets), self.region)
        } else {
            format!("{}.{}.amazonaws.com", source.trim_end_matches(".amazonaws.com"), self.region)
        };
        Tls {
            version: if v13 { "TLSv1.3" } else { "TLSv1.2" },
            cipher: if v13 { "TLS_AES_128_GCM_SHA256" } else { "ECDHE-RSA-AES128-GCM-SHA256" },
            host,
        }
    }

    fn error(&mut self, source: &str, name: &str, caller: &str, target: Option<&str>) -> (&'static str, String) {
        let prefix =
            SERVICES.iter().find(|s| s.source == source).map_or("aws", |s| ct_iam::mapping::prefix_of(s.source));
        let act = catalog::action(name);
        let res = target.map_or_else(|| "*".to_string(), str::to_string);
        let x = self.rng.below(100);
        if source == EC2 {
            return match x {
                0..=44 => (
                    "Client.UnauthorizedOperation",
                    format!(
                        "You are not authorized to perform this operation. User: {caller} is not authorized to perform: ec2:{act} on resource: {res} because no identity-based policy allows the ec2:{act} action. Encoded authorization failure message: {}",
                        self.rng.base64(240)
                    ),
                ),
                45..=69 => ("Client.RequestLimitExceeded", "Request limit exceeded.".into()),
                70..=84 => (
                    "Client.InvalidInstanceID.NotFound",
                    format!("The instance ID 'i-0{}' does not exist", self.rng.hex(16)),
                ),
                _ => ("Client.DryRunOperation", "Request would have succeeded, but DryRun flag is set.".into()),
            };
        }
        let modern = !matches!(source, S3 | STS | "iam.amazonaws.com" | "cloudformation.amazonaws.com");
        match x {
            0..=49 => (
                if modern { "AccessDeniedException" } else { "AccessDenied" },
                if source == S3 {
                    "Access Denied".into()
                } else {
                    format!(
                        "User: {caller} is not authorized to perform: {prefix}:{act} on resource: {res} because no identity-based policy allows the {prefix}:{act} action"
                    )
                },
            ),
            50..=69 => (
                if source == S3 {
                    "SlowDown"
                } else if modern {
                    "ThrottlingException"
                } else {
                    "Throttling"
                },
                "Rate exceeded".into(),
            ),
            70..=86 => match source {
                S3 => ("NoSuchKey", "The specified key does not exist.".into()),
                "iam.amazonaws.com" => (
                    "NoSuchEntityException",
                    format!("The role with name {}-service-role cannot be found.", self.rng.pick(NAMES.things)),
                ),
                "dynamodb.amazonaws.com" if name != "Query" => {
                    ("ConditionalCheckFailedException", "The conditional request failed".into())
                }
                _ => ("ResourceNotFoundException", format!("Requested resource not found: {res}")),
            },
            _ => (
                "ValidationException",
                format!(
                    "1 validation error detected: Value null at '{}' failed to satisfy constraint: Member must not be null",
                    catalog::noun(name)
                ),
            ),
        }
    }

    /// Generates one log file's records.
    fn file(&mut self, p: &FilePlan, out: &mut String) -> (usize, i64, i64) {
        let hour = p.newest.div_euclid(3600);
        let services = Weighted::new(SERVICES.iter().map(|s| u64::from(s.weight)));
        let role_w = Weighted::new(ROLES.iter().map(|r| r.weight));

        // The principals active in this file.
        let n_roles = self.rng.range(10, 20) as usize;
        let roles: Vec<Sess> = (0..n_roles)
            .map(|_| {
                let i = role_w.draw(&mut self.rng);
                self.role_session(i, hour)
            })
            .collect();
        let n_users = self.rng.range(2, 4) as usize;
        let users: Vec<Sess> = (0..n_users)
            .map(|_| {
                let i = self.rng.zipf(USERS.len());
                self.user_session(Who::User(i), hour)
            })
            .collect();
        let alice = self.user_session(Who::Alice, hour);
        let fed = {
            let i = self.rng.index(FEDERATED.len());
            self.other_session(Who::Federated(i), hour)
        };
        let accts: Vec<Sess> = (0..OTHER_ACCOUNTS.len()).map(|i| self.other_session(Who::Account(i), hour)).collect();
        let root = self.other_session(Who::Root, hour);

        // Event times: a few minutes before delivery, roughly ordered, with stragglers.
        let span = self.rng.range(120, 420);
        let mut times: Vec<i64> = (0..p.records)
            .map(|_| {
                if self.rng.chance(0.02) {
                    p.newest - self.rng.range(span, 3600)
                } else {
                    p.newest - self.rng.below(span as u64) as i64
                }
            })
            .collect();
        times.sort_unstable();
        for i in 1..times.len() {
            if self.rng.chance(0.12) {
                times.swap(i - 1, i);
            }
        }
        let oldest = *times.iter().min().unwrap();
        let newest = *times.iter().max().unwrap();

        let kinds = Weighted::new([740u64, 130, 90, 20, 14, 6]);
        let svc_calls = Weighted::new(SERVICE_CALLS.iter().map(|c| c.3));
        out.push_str("{\"Records\":[");
        for (i, &t) in times.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            match kinds.draw(&mut self.rng) {
                0 => {
                    let k = if self.rng.chance(0.5) { self.rng.zipf(roles.len()) } else { self.rng.index(roles.len()) };
                    let s = &roles[k];
                    let Who::Role(ri) = s.kind else { unreachable!() };
                    let (src, name) = self.draw_general(&services, ROLES[ri].focus);
                    self.api_call(s, t, src, name, out);
                }
                1 => {
                    let s = if self.rng.chance(ALICE_SHARE) { &alice } else { &users[self.rng.zipf(users.len())] };
                    let (src, name) = self.draw_general(&services, &[]);
                    self.api_call(s, t, src, name, out);
                }
                2 => {
                    let c = &SERVICE_CALLS[svc_calls.draw(&mut self.rng)];
                    let by = *self.rng.pick(c.2);
                    self.service_call(c.0, c.1, by, t, out);
                }
                3 => {
                    let (src, name) = self.draw_general(&services, &[]);
                    self.api_call(&fed, t, src, name, out);
                }
                4 => {
                    let s = &accts[self.rng.zipf(accts.len())];
                    let (src, name) = *self.rng.pick(&[
                        (S3, "GetObject"),
                        (S3, "GetObject"),
                        (S3, "PutObject"),
                        (S3, "HeadObject"),
                        (S3, "ListObjects"),
                        (KMS, "Decrypt"),
                        (KMS, "GenerateDataKey"),
                        (STS, "AssumeRole"),
                        (LAMBDA, "Invoke"),
                    ]);
                    self.api_call(s, t, src, name, out);
                }
                _ => {
                    let (src, name) = *self.rng.pick(ROOT_CALLS);
                    let (src, name) =
                        if self.region != "us-east-1" && SERVICES.iter().any(|s| s.source == src && s.global) {
                            (EC2, "DescribeInstances")
                        } else {
                            (src, name)
                        };
                    self.api_call(&root, t, src, name, out);
                }
            }
        }
        out.push_str("]}");
        (p.records, oldest, newest)
    }

    /// A call by a role, user, federated user, other account or root.
    fn api_call(&mut self, s: &Sess, t: i64, source: &'static str, name: &'static str, out: &mut String) {
        let version = self.version(source);
        let identity = self.identity(s);
        let caller_arn = identity.arn(self.account);
        let svc_data = SERVICES.iter().any(|x| x.source == source && x.data && x.events.contains(&name));
        let mut ev = Event {
            version,
            time: t,
            source,
            name,
            region: self.region,
            ip: &s.ip,
            ua: Some(s.ua),
            account: self.account,
            event_id: self.rng.guid(),
            request_id: Some(if source == S3 { self.rng.upper_hex(16) } else { self.rng.guid() }),
            read_only: Some(catalog::read_only(name)),
            vpce: s.vpce.as_deref().filter(|_| {
                matches!(source, S3 | KMS | "ssm.amazonaws.com" | "ecr.amazonaws.com" | "logs.amazonaws.com" | STS)
            }),
            console_cred: s.console && source != SIGNIN,
            identity,
            ..Event::default()
        };
        if svc_data {
            ev.data();
        }
        if !s.ua.ends_with(".amazonaws.com") {
            ev.tls = Some(self.tls(source));
        }
        if matches!(s.kind, Who::Account(_)) {
            ev.shared_event_id = Some(self.rng.guid());
        }
        let failed = self.rng.chance(0.03);
        if source == SIGNIN {
            ev.event_type = "AwsConsoleSignIn";
            ev.request_id = None;
            ev.read_only = Some(false);
            ev.ua = Some(UA_BROWSER);
            ev.tls = None;
            ev.console_cred = false;
            if name == "ConsoleLogin" {
                let ok = !failed;
                ev.resp = Some(obj(|j| {
                    j.s("ConsoleLogin", if ok { "Success" } else { "Failure" });
                }));
                if !ok {
                    ev.error_message = Some("Failed authentication".into());
                }
                // Plain escaping here (no Gson `\u003d`): the bench checks ct-unzip byte for byte
                // against `jq -c`, which would unescape them.
                ev.extra = Some(obj(|j| {
                    j.s("LoginTo", "https://console.aws.amazon.com/console/home?state=hashArgs&isauthcode=true")
                        .s("MobileVersion", "No")
                        .s("MFAUsed", if s.mfa { "Yes" } else { "No" });
                }));
            }
            ev.write(out);
            return;
        }
        let day = &self.day;
        let ctx = Ctx { account: self.account, region: self.region, names: &NAMES, legacy: false, day };
        let mut p = catalog::generic(&ctx, &mut self.rng, source, name);
        match (source, name) {
            (STS, "AssumeRole") => {
                let target = &ROLES[self.rng.index(ROLES.len())];
                let sess_name = format!("{}-{}", s.name.split('@').next().unwrap_or("session"), self.rng.digits(10));
                let role_arn = format!("arn:aws:iam::{}:role/{}{}", self.account, target.path, target.name);
                p.req = Some(obj(|j| {
                    j.s("roleArn", &role_arn).s("roleSessionName", &sess_name).n("durationSeconds", 3600);
                }));
                if !failed {
                    let role_id = format!("AROA{}", derived(self.seed, target.name).key_chars(17));
                    let out_arn = format!("arn:aws:sts::{}:assumed-role/{}/{}", self.account, target.name, sess_name);
                    let key = format!("ASIA{}", self.rng.key_chars(16));
                    let token_len = self.rng.range(380, 900) as usize;
                    p.resp = Some(record::assume_role_response(
                        &mut self.rng,
                        &AssumeRoleOut {
                            access_key: &key,
                            token_len,
                            expiration: t + 3600,
                            role_id: &role_id,
                            session_arn: &out_arn,
                            session_name: &sess_name,
                        },
                        false,
                    ));
                }
                p.resources = Some(record::resources(&[("AWS::IAM::Role", &role_arn, Some(self.account))]));
                p.target = Some(role_arn);
            }
            (EC2, "RunInstances") if !failed => {
                let count = *self.rng.pick(&[1usize, 1, 1, 2, 2, 3]);
                let mut h = derived(self.seed, self.region);
                let (subnet, vpc, sg) =
                    (format!("subnet-0{}", h.hex(16)), format!("vpc-0{}", h.hex(16)), format!("sg-0{}", h.hex(16)));
                let ami = format!("ami-0{}", h.hex(16));
                let token = self.rng.guid();
                let thing = *self.rng.pick(NAMES.things);
                let tags = [("Name", thing), ("team", "platform"), ("karpenter.sh/nodepool", "default")];
                let instance_type =
                    *self.rng.pick(&["m5.large", "c6i.xlarge", "t3.medium", "r6g.large", "m6i.2xlarge"]);
                let spec = RunSpec {
                    account: self.account,
                    region: self.region,
                    instance_type,
                    count,
                    ami: &ami,
                    subnet: &subnet,
                    vpc: &vpc,
                    security_group: &sg,
                    profile: "eks-prod-node-group-NodeInstanceProfile",
                    key_name: None,
                    tags: &tags,
                    launch_ms: t * 1000,
                    client_token: &token,
                };
                let (req, resp, _) = record::run_instances(&mut self.rng, &spec);
                p.req = Some(req);
                p.resp = Some(resp);
            }
            _ => {}
        }
        if failed {
            let (code, msg) = self.error(source, name, &caller_arn, p.target.as_deref());
            ev.error_code = Some(code);
            ev.error_message = Some(msg);
            p.resp = None;
        }
        ev.req = p.req;
        ev.resp = p.resp;
        ev.resources = p.resources;
        ev.extra = p.extra;
        ev.write(out);
    }

    /// A call made by an AWS service itself (userIdentity type AWSService, or an untyped
    /// identity for service events).
    fn service_call(&mut self, source: &'static str, name: &'static str, by: &'static str, t: i64, out: &mut String) {
        let mut ev = Event {
            version: self.version(source),
            identity: Identity::AwsService { invoked_by: by },
            time: t,
            source,
            name,
            region: self.region,
            ip: by,
            ua: Some(by),
            account: self.account,
            event_id: self.rng.guid(),
            request_id: Some(self.rng.guid()),
            read_only: Some(catalog::read_only(name)),
            ..Event::default()
        };
        match name {
            "AssumeRole" => {
                let target = &ROLES[self.rng.index(ROLES.len())];
                let sess_name = match by {
                    "ec2.amazonaws.com" => format!("i-0{}", self.rng.hex(16)),
                    "ecs-tasks.amazonaws.com" => self.rng.hex(32),
                    "lambda.amazonaws.com" => self.rng.pick(NAMES.functions).to_string(),
                    _ => format!("{}-{}", by.split('.').next().unwrap_or("svc"), self.rng.digits(19)),
                };
                let role_arn = format!("arn:aws:iam::{}:role/{}{}", self.account, target.path, target.name);
                let role_id = format!("AROA{}", derived(self.seed, target.name).key_chars(17));
                let out_arn = format!("arn:aws:sts::{}:assumed-role/{}/{}", self.account, target.name, sess_name);
                let key = format!("ASIA{}", self.rng.key_chars(16));
                let token_len = self.rng.range(380, 900) as usize;
                ev.req = Some(obj(|j| {
                    j.s("roleArn", &role_arn).s("roleSessionName", &sess_name);
                }));
                ev.resp = Some(record::assume_role_response(
                    &mut self.rng,
                    &AssumeRoleOut {
                        access_key: &key,
                        token_len,
                        expiration: t + 3 * 3600,
                        role_id: &role_id,
                        session_arn: &out_arn,
                        session_name: &sess_name,
                    },
                    false,
                ));
                ev.resources = Some(record::resources(&[("AWS::IAM::Role", &role_arn, Some(self.account))]));
                ev.shared_event_id = Some(self.rng.guid());
            }
            "BackupJobCompleted" | "RotateKey" | "AWSHealthEvent" | "CredentialVerification" => {
                ev.identity = Identity::ServiceUntyped { invoked_by: by };
                ev.event_type = "AwsServiceEvent";
                ev.request_id = None;
                ev.read_only = Some(false);
                ev.service_details = Some(match name {
                    "BackupJobCompleted" => obj(|j| {
                        j.s("backupJobId", &self.rng.guid().to_ascii_uppercase())
                            .s("backupVaultName", "prod-daily")
                            .s(
                                "resourceArn",
                                &format!(
                                    "arn:aws:dynamodb:{}:{}:table/{}",
                                    self.region,
                                    self.account,
                                    self.rng.pick(NAMES.tables)
                                ),
                            )
                            .s("state", "COMPLETED")
                            .n("backupSizeInBytes", self.rng.range(1 << 20, 1 << 34));
                    }),
                    "RotateKey" => obj(|j| {
                        let key = *self.rng.pick(NAMES.kms_keys);
                        j.s("keyId", key).s("rotationType", "AUTOMATIC");
                    }),
                    "AWSHealthEvent" => obj(|j| {
                        j.s("eventTypeCode", "AWS_EC2_OPERATIONAL_NOTIFICATION")
                            .s("eventTypeCategory", "accountNotification")
                            .s("service", "EC2");
                    }),
                    _ => obj(|j| {
                        j.s("CredentialType", "PASSWORD");
                    }),
                });
            }
            _ => {
                let day = &self.day;
                let ctx = Ctx { account: self.account, region: self.region, names: &NAMES, legacy: false, day };
                let p = catalog::generic(&ctx, &mut self.rng, source, name);
                if name == "Invoke" || (source == S3 && name.ends_with("Object")) {
                    ev.data();
                }
                ev.req = p.req;
                ev.resp = p.resp;
                ev.resources = p.resources;
                ev.extra = p.extra;
            }
        }
        ev.write(out);
    }
}

struct FileOut {
    meta: LogFileMeta,
    records: usize,
    json_bytes: u64,
    gz_bytes: u64,
}

fn gen_file(o: &Opts, i: usize, p: &FilePlan) -> std::io::Result<FileOut> {
    let mut g = Gen {
        seed: o.seed,
        account: &o.account,
        region: p.region,
        rng: Rng::new(o.seed).fork(1 + i as u64),
        day: time::ymd_path(p.newest),
    };
    let mut body = String::with_capacity(p.records * 1700);
    let (records, oldest, newest) = g.file(p, &mut body);
    let key = layout::log_key(&o.account, p.region, p.delivered, &p.uniq);
    let gz = layout::gzip(body.as_bytes());
    layout::write_file(&o.out, &key, &gz)?;
    Ok(FileOut {
        meta: LogFileMeta {
            key,
            region: p.region.to_string(),
            delivered: p.delivered,
            sha256: sha256::hex_digest(body.as_bytes()),
            oldest,
            newest,
        },
        records,
        json_bytes: body.len() as u64,
        gz_bytes: gz.len() as u64,
    })
}

/// Prepares the output folder: refuses to mix with an earlier tree unless `force`.
pub fn prepare_out(out: &Path, force: bool) -> Result<(), String> {
    let logs = out.join("AWSLogs");
    if logs.exists() {
        if !force {
            return Err(format!("{} already exists; pass --force to replace it", logs.display()));
        }
        std::fs::remove_dir_all(&logs).map_err(|e| format!("removing {}: {e}", logs.display()))?;
    }
    let _ = std::fs::remove_file(out.join("manifest.json"));
    std::fs::create_dir_all(out).map_err(|e| format!("creating {}: {e}", out.display()))
}

pub fn run(o: &Opts, signer: &Signer) -> Result<(), String> {
    prepare_out(&o.out, o.force)?;
    let plans = plan(o);
    let next = AtomicUsize::new(0);
    let jobs = o.jobs.max(1).min(plans.len());
    let mut outs: Vec<Option<FileOut>> = (0..plans.len()).map(|_| None).collect();
    let results = std::thread::scope(|s| {
        let handles: Vec<_> = (0..jobs)
            .map(|_| {
                s.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        if i >= plans.len() {
                            return Ok(mine);
                        }
                        mine.push((i, gen_file(o, i, &plans[i])?));
                    }
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("generator thread panicked"))
            .collect::<Vec<std::io::Result<Vec<(usize, FileOut)>>>>()
    });
    for r in results {
        for (i, f) in r.map_err(|e| format!("writing log file: {e}"))? {
            outs[i] = Some(f);
        }
    }
    let outs: Vec<FileOut> = outs.into_iter().map(|o| o.expect("every file generated")).collect();

    // Digests: one chain per region, hourly, covering every delivery, signed, with their
    // signature sidecars.
    let bucket = format!("aws-cloudtrail-logs-{}-3f8a91c2", o.account);
    let trail = Trail { account: &o.account, bucket: &bucket, name: "org-audit-trail", home_region: "us-east-1" };
    let mut drng = Rng::new(o.seed).fork(u64::MAX);
    let mut digest_files = 0u64;
    let mut digest_gz = 0u64;
    for (region, _) in REGIONS {
        let files: Vec<&LogFileMeta> = outs.iter().map(|f| &f.meta).filter(|m| m.region == *region).collect();
        // CloudTrail's digest clock is offset per region (e.g. HH:04:04).
        let first_end = o.start + drng.range(60, 3599);
        let count = o.days as usize * 24 + 1;
        for d in layout::digest_chain(&trail, region, first_end, count, &files, signer) {
            digest_gz += layout::write_digest(&o.out, &d).map_err(|e| format!("writing digest: {e}"))?;
            digest_files += 1;
        }
    }

    let records: usize = outs.iter().map(|f| f.records).sum();
    let json_bytes: u64 = outs.iter().map(|f| f.json_bytes).sum();
    let gz_bytes: u64 = outs.iter().map(|f| f.gz_bytes).sum();
    let start = outs.iter().map(|f| f.meta.oldest).min().unwrap_or(o.start);
    let end = outs.iter().map(|f| f.meta.newest).max().unwrap_or(o.start);
    let manifest = serde_json::json!({
        "files": outs.len(),
        "digest_files": digest_files,
        "records": records,
        "json_bytes": json_bytes,
        "gz_bytes": gz_bytes,
        "digest_gz_bytes": digest_gz,
        "start": time::iso(start),
        "end": time::iso(end),
        "account": o.account,
        "regions": REGIONS.iter().map(|r| r.0).collect::<Vec<_>>(),
        "seed": o.seed,
        "size_target": o.size,
        "generator": format!("ct-synth {}", env!("CARGO_PKG_VERSION")),
    });
    let text = serde_json::to_string_pretty(&manifest).expect("manifest") + "\n";
    std::fs::write(o.out.join("manifest.json"), text).map_err(|e| format!("writing manifest: {e}"))?;
    eprintln!(
        "ct-synth tree: {} files ({} digests), {records} records, {json_bytes} B JSON, {gz_bytes} B gz (ratio {:.2}:1)",
        outs.len(),
        digest_files,
        json_bytes as f64 / gz_bytes.max(1) as f64
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(out: PathBuf, jobs: usize) -> Opts {
        Opts {
            out,
            size: 2_000_000,
            seed: 7,
            jobs,
            start: time::parse_date("2024-03-01").unwrap(),
            days: 1,
            account: "719313497108".into(),
            force: true,
        }
    }

    fn read_tree(root: &Path) -> Vec<(String, Vec<u8>)> {
        let mut out = Vec::new();
        let mut stack = vec![root.to_path_buf()];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    stack.push(p);
                } else {
                    out.push((p.strip_prefix(root).unwrap().display().to_string(), std::fs::read(&p).unwrap()));
                }
            }
        }
        out.sort();
        out
    }

    #[test]
    fn same_seed_same_bytes_for_any_jobs() {
        let base = std::env::temp_dir().join(format!("ct-synth-test-{}", std::process::id()));
        let (a, b) = (base.join("a"), base.join("b"));
        let key = Signer::test_key();
        run(&opts(a.clone(), 1), &key).unwrap();
        run(&opts(b.clone(), 3), &key).unwrap();
        let (ta, tb) = (read_tree(&a), read_tree(&b));
        assert!(ta.len() > 7 * 25, "{}", ta.len());
        assert!(ta == tb, "trees differ between --jobs 1 and --jobs 3");

        // Every record is an object with the mandatory fields.
        use std::io::Read;
        let mut n = 0;
        for (path, bytes) in &ta {
            if !path.contains("/CloudTrail/") {
                continue;
            }
            let mut text = String::new();
            flate2::read::GzDecoder::new(&bytes[..]).read_to_string(&mut text).unwrap();
            let v: serde_json::Value = serde_json::from_str(&text).unwrap();
            for r in v["Records"].as_array().unwrap() {
                for k in ["eventVersion", "eventTime", "eventSource", "eventName"] {
                    assert!(r[k].is_string(), "{k} missing in {r}");
                }
                n += 1;
            }
        }
        assert!(n > 1000);
        std::fs::remove_dir_all(&base).unwrap();
    }
}
