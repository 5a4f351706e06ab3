//! `build-agent`: ships the web app every night. Builds artefact 2.3.N (N grows daily) into
//! s3://acme-artifacts, launches a t2 instance with it, points DNS and the load balancer at it,
//! and terminates yesterday's instance.

use super::{ACCT, Check, Day, Never, Role, SYD, USE1, call, ck, items};
use crate::json::obj;
use crate::record::{self, Identity, RunSpec};
use crate::time;

pub const BUCKET: &str = "acme-artifacts";
pub const AMI: &str = "ami-0c9f3e7a51b2d4c68";
pub const SUBNET: &str = "subnet-04a7c1e93b5d28f60";
pub const VPC: &str = "vpc-0e21b7d49c3a5f816";
pub const SG: &str = "sg-07d3a9e15c2b4f681";
/// The instance profile, and (as the console names them) the role inside it.
pub const PROFILE: &str = "web-app-profile";
pub const ZONE: &str = "Z1D633PJN98FT9";
pub const TG: &str = "arn:aws:elasticloadbalancing:ap-southeast-2:111122223333:targetgroup/web-tg/6d0ecf831eec9f09";
pub const LOG_GROUP: &str = "/acme/build-agent";
pub const PARAM: &str = "/webapp/prod/db-url";
/// The bastion host, another team's instance (app=bastion) in the same account.
const BASTION: &str = "i-0b4571a0c9d3e2f18";
/// A web instance in us-east-1, outside the job's region.
const EAST_INSTANCE: &str = "i-0d1e2f3a4b5c6d7e8";
const EC2: &str = "ec2.amazonaws.com";
const S3: &str = "s3.amazonaws.com";

#[derive(Default)]
pub struct State {
    /// Yesterday's instance: id, type, Name tag.
    prev: Option<(String, &'static str, String)>,
}

fn arn(kind: &str, id: &str, region: &str) -> String {
    format!("arn:aws:ec2:{region}:{ACCT}:{kind}/{id}")
}

/// Every check of a RunInstances with an instance profile and tags on the instance: the
/// resource types the Service Authorization Reference marks required (image, instance,
/// network-interface, security-group, subnet, volume), ec2:CreateTags for the tags
/// (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/supported-iam-actions-tagging.html) and
/// iam:PassRole for the profile's role (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_switch-role-ec2.html).
pub fn run_checks(region: &str, itype: &str, tags: &[(&str, &str)], passed_role: &str) -> Vec<Check> {
    let vpc = arn("vpc", VPC, region);
    vec![
        ck("ec2:RunInstances", &format!("arn:aws:ec2:{region}::image/{AMI}"), region)
            .c("ec2:Owner", "amazon")
            .c("ec2:Public", "true"),
        ck("ec2:RunInstances", &arn("instance", "*", region), region).c("ec2:InstanceType", itype).req_tags(tags),
        ck("ec2:RunInstances", &arn("network-interface", "*", region), region)
            .c("ec2:Subnet", &arn("subnet", SUBNET, region)),
        ck("ec2:RunInstances", &arn("security-group", SG, region), region).c("ec2:Vpc", &vpc),
        ck("ec2:RunInstances", &arn("subnet", SUBNET, region), region).c("ec2:Vpc", &vpc),
        ck("ec2:RunInstances", &arn("volume", "*", region), region).c("ec2:VolumeType", "gp3"),
        ck("ec2:CreateTags", &arn("instance", "*", region), region)
            .c("ec2:CreateAction", "RunInstances")
            .req_tags(tags),
        ck("iam:PassRole", &format!("arn:aws:iam::{ACCT}:role/{passed_role}"), region)
            .c("iam:PassedToService", "ec2.amazonaws.com"),
    ]
}

fn obj_arn(key: &str) -> String {
    format!("arn:aws:s3:::{BUCKET}/{key}")
}

fn s3_object(d: &mut Day, name: &'static str, bucket: &str, key: &str, size: i64) -> super::Call {
    let (bin, bout) = if name == "PutObject" { (size, 0) } else { (0, size) };
    let mut c = call(S3, name, SYD)
        .req(record::s3_object_params(bucket, key, SYD, false))
        .res(record::s3_object_resources(bucket, key, ACCT))
        .data();
    c.extra = Some(record::s3_extra(&mut d.rng, bin, bout, false));
    if name == "PutObject" {
        let v = d.rng.alnum(32);
        c = c.resp(obj(|j| {
            j.s("x-amz-server-side-encryption", "AES256").s("x-amz-version-id", &v);
        }));
    } else {
        c = c.ro();
    }
    c
}

/// The night's session of build-agent (one access key drawn from the day's stream).
pub fn role(d: &mut Day) -> Role {
    let date = d.date();
    Role {
        name: "build-agent",
        id: "AROABU2ILD5AGENT7Q3WX",
        session: format!("nightly-{}", date.replace('-', "")),
        key: format!("ASIA{}", d.rng.key_chars(16)),
        ip: "54.153.201.17",
        ua: "aws-cli/2.15.30 Python/3.11.8 Linux/6.1.79-99.164.amzn2023.x86_64 exe/x86_64.amzn.2023",
        created: d.midnight + 2 * 3600,
    }
}

pub fn day(d: &mut Day, st: &mut State) {
    let date = d.date();
    let n = 40 + d.n;
    let r = role(d);
    d.at(2, 0, 300);

    // The build's log stream. PutLogEvents is not recorded by CloudTrail
    // (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/logging_cw_api_calls.html).
    let stream = format!("nightly/{date}");
    let group_arn = format!("arn:aws:logs:{SYD}:{ACCT}:log-group:{LOG_GROUP}");
    d.emit(
        &r,
        call("logs.amazonaws.com", "CreateLogStream", SYD).req(obj(|j| {
            j.s("logGroupName", LOG_GROUP).s("logStreamName", &stream);
        })),
        "create the night's log stream",
        // The Service Authorization Reference lists the log-group type for CreateLogStream,
        // but CloudWatch Logs authorizes the new stream's ARN (its AccessDenied messages name
        // `log-group:G:log-stream:S`), which is why AWS's examples grant `log-group:G:*`.
        vec![ck("logs:CreateLogStream", &format!("{group_arn}:log-stream:{stream}"), SYD)],
    );
    d.unlogged(
        &r,
        "write the build log",
        vec![ck("logs:PutLogEvents", &format!("{group_arn}:log-stream:{stream}"), SYD)],
    );

    d.emit(
        &r,
        call("ssm.amazonaws.com", "GetParameter", SYD)
            .req(obj(|j| {
                j.s("name", PARAM);
            }))
            .ro(),
        "read the database URL",
        vec![ck("ssm:GetParameter", &format!("arn:aws:ssm:{SYD}:{ACCT}:parameter{PARAM}"), SYD)],
    );

    // Upload the artefact and its checksum, then read the artefact back for the deploy.
    let tar = format!("builds/2.3.{n}/app-2.3.{n}.tar.gz");
    let sum = format!("{tar}.sha256");
    let size = d.rng.range(40_000_000, 48_000_000);
    let c = s3_object(d, "PutObject", BUCKET, &tar, size);
    d.emit(&r, c, "upload the artefact", vec![ck("s3:PutObject", &obj_arn(&tar), SYD)]);
    let c = s3_object(d, "PutObject", BUCKET, &sum, 97);
    d.emit(&r, c, "upload its checksum", vec![ck("s3:PutObject", &obj_arn(&sum), SYD)]);
    d.tick(30, 90);
    let c = s3_object(d, "GetObject", BUCKET, &tar, size);
    d.emit(&r, c, "download the artefact to deploy it", vec![ck("s3:GetObject", &obj_arn(&tar), SYD)]);
    if d.rng.chance(0.5) {
        // Noise: a stray read of the data bucket, refused.
        let k = format!("incoming/{date}/part-0001.csv");
        let c = s3_object(d, "GetObject", "acme-data", &k, 0).err("AccessDenied", "Access Denied");
        d.emit(&r, c, "", vec![]);
    }

    // Launch the new instance. Some nights the script's typo'd size fails validation first.
    let itype = if d.n.is_multiple_of(3) { "t2.small" } else { "t2.micro" };
    let name_tag = format!("web-{date}");
    let tags = [("app", "webapp"), ("Name", name_tag.as_str())];
    if d.n % 4 == 2 || d.last {
        let bad = call(EC2, "RunInstances", SYD).req(obj(|j| {
            items(j, "instancesSet", "imageId", &[AMI]);
            j.s("instanceType", "t2.smal");
        }));
        let bad = bad.err("Client.InvalidParameterValue", "Invalid value 't2.smal' for InstanceType.");
        d.emit(&r, bad, "", vec![]);
    }
    let token = d.rng.guid();
    let spec = RunSpec {
        account: ACCT,
        region: SYD,
        instance_type: itype,
        count: 1,
        ami: AMI,
        subnet: SUBNET,
        vpc: VPC,
        security_group: SG,
        profile: PROFILE,
        key_name: None,
        tags: &tags,
        launch_ms: d.t * 1000,
        client_token: &token,
    };
    let (req, resp, ids) = record::run_instances(&mut d.rng, &spec);
    let id = ids[0].clone();
    d.emit(
        &r,
        call(EC2, "RunInstances", SYD).req(req).resp(resp),
        &format!("launch {itype} {id} with profile {PROFILE}"),
        run_checks(SYD, itype, &tags, PROFILE),
    );
    // The instance gets its profile's credentials: EC2 assumes the role inside the profile,
    // with the instance ID as the session name (IAM User Guide, "Use an IAM role to grant
    // permissions to applications running on Amazon EC2 instances"; CloudTrail logs the
    // AssumeRole with userIdentity type AWSService, invokedBy ec2.amazonaws.com).
    d.tick(5, 20);
    let role_arn = format!("arn:aws:iam::{ACCT}:role/{PROFILE}");
    let expires = time::iso(d.t + 6 * 3600);
    let key_id = format!("ASIA{}", d.rng.key_chars(16));
    let assume = call("sts.amazonaws.com", "AssumeRole", SYD)
        .req(obj(|j| {
            j.s("roleArn", &role_arn).s("roleSessionName", &id);
        }))
        .resp(obj(|j| {
            j.o("credentials", |j| {
                j.s("accessKeyId", &key_id).s("sessionToken", "IQoJb3JpZ2luX2VjEXAMPLE").s("expiration", &expires);
            });
        }))
        .res(format!(r#"[{{"accountId":"{ACCT}","type":"AWS::IAM::Role","ARN":"{role_arn}"}}]"#))
        .ro();
    d.other(
        Identity::AwsService { invoked_by: "ec2.amazonaws.com" },
        "ec2.amazonaws.com",
        "ec2.amazonaws.com",
        &assume,
    );
    let version = format!("2.3.{n}");
    let req_id = d.rng.guid();
    d.emit(
        &r,
        call(EC2, "CreateTags", SYD)
            .req(obj(|j| {
                items(j, "resourcesSet", "resourceId", &[&id]);
                j.o("tagSet", |j| {
                    j.a("items", |j| {
                        j.io(|j| {
                            j.s("key", "version").s("value", &version);
                        });
                    });
                });
            }))
            .resp(obj(|j| {
                j.s("requestId", &req_id).b("_return", true);
            })),
        "tag the new instance with its version",
        vec![
            ck("ec2:CreateTags", &arn("instance", &id, SYD), SYD)
                .res_tags(&tags, true)
                .c("ec2:InstanceType", itype)
                .req_tags(&[("version", &version)]),
        ],
    );
    // Wait for it to run; the first poll is sometimes throttled.
    for i in 0..d.rng.range(2, 4) {
        d.tick(20, 40);
        let c = call(EC2, "DescribeInstances", SYD)
            .req(obj(|j| {
                items(j, "instancesSet", "instanceId", &[&id]);
                j.o("filterSet", |_| {});
            }))
            .ro();
        if i == 0 && d.rng.chance(0.4) {
            let c = c.err("Client.RequestLimitExceeded", "Request limit exceeded.");
            d.emit(&r, c, "", vec![]);
            continue;
        }
        d.emit(&r, c, "wait for the instance", vec![ck("ec2:DescribeInstances", "*", SYD)]);
    }

    // Put it behind the load balancer and in DNS.
    d.emit(
        &r,
        call("elasticloadbalancing.amazonaws.com", "RegisterTargets", SYD).api("2015-12-01").req(obj(|j| {
            j.s("targetGroupArn", TG).a("targets", |j| {
                j.io(|j| {
                    j.s("id", &id).n("port", 8080);
                });
            });
        })),
        "register the instance with the target group",
        vec![ck("elasticloadbalancing:RegisterTargets", TG, SYD)],
    );
    let ip = format!("10.0.{}.{}", d.rng.range(0, 3), d.rng.range(4, 250));
    let change = format!("C{}", d.rng.key_chars(13));
    let batch = obj(|j| {
        j.s("comment", &format!("nightly {version}")).a("changes", |j| {
            j.io(|j| {
                j.s("action", "UPSERT").o("resourceRecordSet", |j| {
                    j.s("name", "web.acme.example").s("type", "A").n("tTL", 60).a("resourceRecords", |j| {
                        j.io(|j| {
                            j.s("value", &ip);
                        });
                    });
                });
            });
        });
    });
    let zone_req = obj(|j| {
        j.s("hostedZoneId", ZONE).raw("changeBatch", &batch);
    });
    let r53 = "route53.amazonaws.com";
    if d.rng.chance(0.3) {
        let c = call(r53, "ChangeResourceRecordSets", USE1).api("2013-04-01").req(zone_req.clone());
        let c = c.err(
            "PriorRequestNotComplete",
            "The request was rejected because Route 53 was still processing a prior request.",
        );
        d.emit(&r, c, "", vec![]);
        d.tick(2, 5);
    }
    let submitted = time::java_date(d.t);
    d.emit(
        &r,
        call(r53, "ChangeResourceRecordSets", USE1).api("2013-04-01").req(zone_req).resp(obj(|j| {
            j.o("changeInfo", |j| {
                j.s("id", &format!("/change/{change}"))
                    .s("status", "PENDING")
                    .s("submittedAt", &submitted)
                    .s("comment", &format!("nightly {version}"));
            });
        })),
        "point web.acme.example at the new instance",
        vec![
            ck("route53:ChangeResourceRecordSets", &format!("arn:aws:route53:::hostedzone/{ZONE}"), USE1)
                .cs("route53:ChangeResourceRecordSetsNormalizedRecordNames", &["web.acme.example"])
                .cs("route53:ChangeResourceRecordSetsRecordTypes", &["A"])
                .cs("route53:ChangeResourceRecordSetsActions", &["UPSERT"]),
        ],
    );
    for _ in 0..d.rng.range(2, 3) {
        d.tick(10, 30);
        d.emit(
            &r,
            call(r53, "GetChange", USE1)
                .api("2013-04-01")
                .req(obj(|j| {
                    j.s("id", &change);
                }))
                .ro(),
            "wait for the DNS change",
            vec![ck("route53:GetChange", &format!("arn:aws:route53:::change/{change}"), USE1)],
        );
    }

    // Retire yesterday's instance.
    if let Some((old, old_type, old_name)) = st.prev.take() {
        let old_tags = [("app", "webapp"), ("Name", old_name.as_str())];
        d.emit(
            &r,
            call("elasticloadbalancing.amazonaws.com", "DeregisterTargets", SYD).api("2015-12-01").req(obj(|j| {
                j.s("targetGroupArn", TG).a("targets", |j| {
                    j.io(|j| {
                        j.s("id", &old).n("port", 8080);
                    });
                });
            })),
            "deregister yesterday's instance",
            vec![ck("elasticloadbalancing:DeregisterTargets", TG, SYD)],
        );
        d.tick(60, 300);
        let req_id = d.rng.guid();
        d.emit(
            &r,
            call(EC2, "TerminateInstances", SYD)
                .req(obj(|j| {
                    items(j, "instancesSet", "instanceId", &[&old]);
                }))
                .resp(obj(|j| {
                    j.s("requestId", &req_id).o("instancesSet", |j| {
                        j.a("items", |j| {
                            j.io(|j| {
                                j.s("instanceId", &old)
                                    .o("currentState", |j| {
                                        j.n("code", 32).s("name", "shutting-down");
                                    })
                                    .o("previousState", |j| {
                                        j.n("code", 16).s("name", "running");
                                    });
                            });
                        });
                    });
                })),
            &format!("terminate yesterday's instance {old}"),
            vec![
                ck("ec2:TerminateInstances", &arn("instance", &old, SYD), SYD)
                    .res_tags(&old_tags, true)
                    .c("ec2:InstanceType", old_type),
            ],
        );
    }
    st.prev = Some((id, itype, name_tag));
}

/// What build-agent must never be able to do.
pub fn never() -> Never {
    let tags = [("app", "webapp"), ("Name", "web-2024-03-09")];
    let bastion = [("app", "bastion"), ("Name", "bastion")];
    let bastion_id = BASTION;
    let role = |n: &str| format!("arn:aws:iam::{ACCT}:role/{n}");
    let zone = |z: &str| format!("arn:aws:route53:::hostedzone/{z}");
    let s3o = |b: &str, k: &str| format!("arn:aws:s3:::{b}/{k}");
    let one = |c: Check| vec![c];
    vec![
        ("launch in us-east-1".into(), run_checks(USE1, "t2.micro", &tags, PROFILE)),
        ("launch a p2.16xlarge".into(), run_checks(SYD, "p2.16xlarge", &tags, PROFILE)),
        ("launch an m5.24xlarge".into(), run_checks(SYD, "m5.24xlarge", &tags, PROFILE)),
        ("launch with the Admin role passed".into(), run_checks(SYD, "t2.micro", &tags, "Admin")),
        ("launch an instance tagged app=bastion".into(), run_checks(SYD, "t2.micro", &bastion, PROFILE)),
        (
            "terminate the bastion".into(),
            one(ck("ec2:TerminateInstances", &arn("instance", bastion_id, SYD), SYD)
                .res_tags(&bastion, true)
                .c("ec2:InstanceType", "t3.nano")),
        ),
        (
            "stop the bastion".into(),
            one(ck("ec2:StopInstances", &arn("instance", bastion_id, SYD), SYD)
                .res_tags(&bastion, true)
                .c("ec2:InstanceType", "t3.nano")),
        ),
        (
            "retag the bastion as app=webapp".into(),
            one(ck("ec2:CreateTags", &arn("instance", bastion_id, SYD), SYD)
                .res_tags(&bastion, true)
                .c("ec2:InstanceType", "t3.nano")
                .req_tags(&[("app", "webapp")])),
        ),
        (
            "terminate an instance in us-east-1".into(),
            one(ck("ec2:TerminateInstances", &arn("instance", EAST_INSTANCE, USE1), USE1)
                .res_tags(&tags, true)
                .c("ec2:InstanceType", "t2.micro")),
        ),
        (
            "open the web security group to the world".into(),
            one(ck("ec2:AuthorizeSecurityGroupIngress", &arn("security-group", SG, SYD), SYD)
                .c("ec2:Vpc", &arn("vpc", VPC, SYD))),
        ),
        (
            "pass the Admin role to EC2 directly".into(),
            one(ck("iam:PassRole", &role("Admin"), SYD).c("iam:PassedToService", "ec2.amazonaws.com")),
        ),
        (
            "pass the web role to Lambda".into(),
            one(ck("iam:PassRole", &role(PROFILE), SYD).c("iam:PassedToService", "lambda.amazonaws.com")),
        ),
        ("create an IAM user".into(), one(ck("iam:CreateUser", &format!("arn:aws:iam::{ACCT}:user/backdoor"), USE1))),
        (
            "attach AdministratorAccess to itself".into(),
            one(ck("iam:AttachRolePolicy", &role("build-agent"), USE1)
                .c("iam:PolicyARN", "arn:aws:iam::aws:policy/AdministratorAccess")),
        ),
        (
            "create an access key for alice".into(),
            one(ck("iam:CreateAccessKey", &format!("arn:aws:iam::{ACCT}:user/alice"), USE1)),
        ),
        ("assume the Admin role".into(), one(ck("sts:AssumeRole", &role("Admin"), USE1))),
        (
            "read the data bucket".into(),
            one(ck("s3:GetObject", &s3o("acme-data", "incoming/2024-03-08/part-0001.csv"), SYD)),
        ),
        ("read finance reports".into(), one(ck("s3:GetObject", &s3o("acme-finance", "2024/q1.xlsx"), SYD))),
        (
            "overwrite the production release".into(),
            one(ck("s3:PutObject", &s3o(BUCKET, "releases/prod/app.tar.gz"), SYD)),
        ),
        (
            "delete an old artefact".into(),
            one(ck("s3:DeleteObject", &s3o(BUCKET, "builds/2.3.47/app-2.3.47.tar.gz"), SYD)),
        ),
        (
            "change the artefact bucket's policy".into(),
            one(ck("s3:PutBucketPolicy", "arn:aws:s3:::acme-artifacts", SYD)),
        ),
        (
            "change another hosted zone".into(),
            one(ck("route53:ChangeResourceRecordSets", &zone("Z3AADJGX6KTTL2"), USE1)
                .cs("route53:ChangeResourceRecordSetsNormalizedRecordNames", &["www.acme.example"])
                .cs("route53:ChangeResourceRecordSetsRecordTypes", &["A"])
                .cs("route53:ChangeResourceRecordSetsActions", &["UPSERT"])),
        ),
        ("delete the hosted zone".into(), one(ck("route53:DeleteHostedZone", &zone(ZONE), USE1))),
        (
            "read the admin password parameter".into(),
            one(ck("ssm:GetParameter", &format!("arn:aws:ssm:{SYD}:{ACCT}:parameter/webapp/prod/admin-password"), SYD)),
        ),
        (
            "overwrite the database URL".into(),
            one(ck("ssm:PutParameter", &format!("arn:aws:ssm:{SYD}:{ACCT}:parameter{PARAM}"), SYD)),
        ),
        (
            "register targets with the admin target group".into(),
            one(ck(
                "elasticloadbalancing:RegisterTargets",
                "arn:aws:elasticloadbalancing:ap-southeast-2:111122223333:targetgroup/admin-tg/94b1e3c5a7d2f086",
                SYD,
            )),
        ),
        (
            "delete the load balancer".into(),
            one(ck(
                "elasticloadbalancing:DeleteLoadBalancer",
                "arn:aws:elasticloadbalancing:ap-southeast-2:111122223333:loadbalancer/app/web-alb/50dc6c495c0c9188",
                SYD,
            )),
        ),
        (
            "delete its log group".into(),
            one(ck("logs:DeleteLogGroup", &format!("arn:aws:logs:{SYD}:{ACCT}:log-group:{LOG_GROUP}"), SYD)),
        ),
        (
            "write into another log group".into(),
            one(ck(
                "logs:PutLogEvents",
                &format!("arn:aws:logs:{SYD}:{ACCT}:log-group:/aws/lambda/etl-transform:log-stream:x"),
                SYD,
            )),
        ),
        (
            "schedule deletion of the data key".into(),
            one(ck(
                "kms:ScheduleKeyDeletion",
                &format!("arn:aws:kms:{SYD}:{ACCT}:key/{}", super::pipeline::KEY_ID),
                SYD,
            )),
        ),
    ]
}

/// The never list as the events of successful calls by the night's session, in its order
/// (see `attacks.rs`).
pub fn attacks(d: &mut Day) -> super::attacks::List {
    use super::attacks as a;
    let tags = [("app", "webapp"), ("Name", "web-2024-03-09")];
    let bastion = [("app", "bastion"), ("Name", "bastion")];
    let r53 = "route53.amazonaws.com";
    let elb = "elasticloadbalancing.amazonaws.com";
    let key = format!("arn:aws:kms:{SYD}:{ACCT}:key/{}", super::pipeline::KEY_ID);
    let change = |d: &mut Day, zone: &str, name: &str| {
        let (id, at) = (d.rng.key_chars(13), time::java_date(d.t));
        let batch = obj(|j| {
            j.a("changes", |j| {
                j.io(|j| {
                    j.s("action", "UPSERT").o("resourceRecordSet", |j| {
                        j.s("name", name).s("type", "A").n("tTL", 60).a("resourceRecords", |j| {
                            j.io(|j| {
                                j.s("value", "198.51.100.66");
                            });
                        });
                    });
                });
            });
        });
        call(r53, "ChangeResourceRecordSets", USE1)
            .api("2013-04-01")
            .req(obj(|j| {
                j.s("hostedZoneId", zone).raw("changeBatch", &batch);
            }))
            .resp(obj(|j| {
                j.o("changeInfo", |j| {
                    j.s("id", &format!("/change/C{id}")).s("status", "PENDING").s("submittedAt", &at);
                });
            }))
    };
    let mut out: super::attacks::List = Vec::new();
    let mut add = |what: &str, c: super::Call| out.push((what.to_string(), c));
    add("launch in us-east-1", a::launch(d, USE1, "t2.micro", &tags, PROFILE));
    add("launch a p2.16xlarge", a::launch(d, SYD, "p2.16xlarge", &tags, PROFILE));
    add("launch an m5.24xlarge", a::launch(d, SYD, "m5.24xlarge", &tags, PROFILE));
    add("launch with the Admin role passed", a::launch(d, SYD, "t2.micro", &tags, "Admin"));
    add("launch an instance tagged app=bastion", a::launch(d, SYD, "t2.micro", &bastion, PROFILE));
    add("terminate the bastion", a::state_change(d, "TerminateInstances", BASTION, SYD));
    add("stop the bastion", a::state_change(d, "StopInstances", BASTION, SYD));
    let req_id = d.rng.guid();
    add(
        "retag the bastion as app=webapp",
        call(EC2, "CreateTags", SYD)
            .req(obj(|j| {
                items(j, "resourcesSet", "resourceId", &[BASTION]);
                j.o("tagSet", |j| {
                    j.a("items", |j| {
                        j.io(|j| {
                            j.s("key", "app").s("value", "webapp");
                        });
                    });
                });
            }))
            .resp(obj(|j| {
                j.s("requestId", &req_id).b("_return", true);
            })),
    );
    add("terminate an instance in us-east-1", a::state_change(d, "TerminateInstances", EAST_INSTANCE, USE1));
    let (req_id, rule) = (d.rng.guid(), d.rng.hex(17));
    add(
        "open the web security group to the world",
        call(EC2, "AuthorizeSecurityGroupIngress", SYD)
            .req(obj(|j| {
                j.s("groupId", SG).o("ipPermissions", |j| {
                    j.a("items", |j| {
                        j.io(|j| {
                            j.s("ipProtocol", "tcp").n("fromPort", 22).n("toPort", 22).o("groups", |_| {});
                            items(j, "ipRanges", "cidrIp", &["0.0.0.0/0"]);
                            j.o("ipv6Ranges", |_| {}).o("prefixListIds", |_| {});
                        });
                    });
                });
            }))
            .resp(obj(|j| {
                j.s("requestId", &req_id).b("_return", true).o("securityGroupRuleSet", |j| {
                    j.a("items", |j| {
                        j.io(|j| {
                            j.s("groupOwnerId", ACCT)
                                .s("groupId", SG)
                                .s("securityGroupRuleId", &format!("sgr-{rule}"))
                                .b("isEgress", false)
                                .s("ipProtocol", "tcp")
                                .n("fromPort", 22)
                                .n("toPort", 22)
                                .s("cidrIpv4", "0.0.0.0/0");
                        });
                    });
                });
            })),
    );
    add("pass the Admin role to EC2 directly", a::associate_profile(d, BASTION, "Admin"));
    add("pass the web role to Lambda", a::create_function(d, "web-shell", PROFILE, &[], "python3.12"));
    add("create an IAM user", a::create_user(d, "backdoor"));
    add("attach AdministratorAccess to itself", a::attach_admin("build-agent"));
    let (key_id, secret_created) = (d.rng.key_chars(16), time::java_date(d.t));
    add(
        "create an access key for alice",
        call("iam.amazonaws.com", "CreateAccessKey", USE1)
            .req(obj(|j| {
                j.s("userName", "alice");
            }))
            .resp(obj(|j| {
                j.o("accessKey", |j| {
                    j.s("userName", "alice")
                        .s("accessKeyId", &format!("AKIA{key_id}"))
                        .s("status", "Active")
                        .s("createDate", &secret_created);
                });
            })),
    );
    let admin = format!("arn:aws:iam::{ACCT}:role/Admin");
    let (ak, exp) = (format!("ASIA{}", d.rng.key_chars(16)), d.t + 3600);
    let session_arn = format!("arn:aws:sts::{ACCT}:assumed-role/Admin/nightly");
    let resp = record::assume_role_response(
        &mut d.rng,
        &record::AssumeRoleOut {
            access_key: &ak,
            token_len: 600,
            expiration: exp,
            role_id: "AROAADM1N5ROLE7Q2WX3Z",
            session_arn: &session_arn,
            session_name: "nightly",
        },
        false,
    );
    add(
        "assume the Admin role",
        call("sts.amazonaws.com", "AssumeRole", USE1)
            .req(obj(|j| {
                j.s("roleArn", &admin).s("roleSessionName", "nightly");
            }))
            .resp(resp)
            .res(format!(r#"[{{"accountId":"{ACCT}","type":"AWS::IAM::Role","ARN":"{admin}"}}]"#))
            .ro(),
    );
    add(
        "read the data bucket",
        a::s3_object(d, "GetObject", "acme-data", "incoming/2024-03-08/part-0001.csv", 6_120_448),
    );
    add("read finance reports", a::s3_object(d, "GetObject", "acme-finance", "2024/q1.xlsx", 88_311));
    add(
        "overwrite the production release",
        a::s3_object(d, "PutObject", BUCKET, "releases/prod/app.tar.gz", 41_873_205),
    );
    add("delete an old artefact", a::s3_object(d, "DeleteObject", BUCKET, "builds/2.3.47/app-2.3.47.tar.gz", 0));
    add("change the artefact bucket's policy", a::put_bucket_policy(BUCKET));
    add("change another hosted zone", change(d, "Z3AADJGX6KTTL2", "www.acme.example"));
    let (id, at) = (d.rng.key_chars(13), time::java_date(d.t));
    add(
        "delete the hosted zone",
        call(r53, "DeleteHostedZone", USE1)
            .api("2013-04-01")
            .req(obj(|j| {
                j.s("id", ZONE);
            }))
            .resp(obj(|j| {
                j.o("changeInfo", |j| {
                    j.s("id", &format!("/change/C{id}")).s("status", "PENDING").s("submittedAt", &at);
                });
            })),
    );
    add(
        "read the admin password parameter",
        call("ssm.amazonaws.com", "GetParameter", SYD)
            .req(obj(|j| {
                j.s("name", "/webapp/prod/admin-password").b("withDecryption", true);
            }))
            .ro(),
    );
    add(
        "overwrite the database URL",
        call("ssm.amazonaws.com", "PutParameter", SYD)
            .req(obj(|j| {
                j.s("name", PARAM).s("type", "String").b("overwrite", true);
            }))
            .resp(obj(|j| {
                j.n("version", 9).s("tier", "Standard");
            })),
    );
    add(
        "register targets with the admin target group",
        call(elb, "RegisterTargets", SYD).api("2015-12-01").req(obj(|j| {
            j.s(
                "targetGroupArn",
                "arn:aws:elasticloadbalancing:ap-southeast-2:111122223333:targetgroup/admin-tg/94b1e3c5a7d2f086",
            )
            .a("targets", |j| {
                j.io(|j| {
                    j.s("id", "i-0c3d9e8f7a6b5c4d2").n("port", 443);
                });
            });
        })),
    );
    add(
        "delete the load balancer",
        call(elb, "DeleteLoadBalancer", SYD).api("2015-12-01").req(obj(|j| {
            j.s(
                "loadBalancerArn",
                "arn:aws:elasticloadbalancing:ap-southeast-2:111122223333:loadbalancer/app/web-alb/50dc6c495c0c9188",
            );
        })),
    );
    add("delete its log group", a::delete_log_group(LOG_GROUP));
    add("write into another log group", a::create_log_stream("/aws/lambda/etl-transform", "x"));
    add("schedule deletion of the data key", a::schedule_key_deletion(d, &key));
    out
}
