//! The never-needed requests as CloudTrail events, for the gate benchmark (bench/README.md,
//! "Gate quality").
//!
//! `ct-policy check` judges what CloudTrail logged, so each request of a role's `never()` list
//! is written as the event of that call made successfully by the role, late on the last day:
//! the job's own session doing what it must not (a poisoned build step, a malicious pull
//! request), with the job's address and agent. Each role's events are one file,
//! `attacks/ROLE.ndjson`, one event per line in the order of its never list, and
//! `attacks/ROLE.what` names each line's request. A request CloudTrail cannot show by itself is
//! made by the logged call that needs it: iam:PassRole by the call that passes the role
//! (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html), and
//! logs:PutLogEvents, which CloudTrail does not record
//! (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/logging_cw_api_calls.html), by the
//! CreateLogStream that opens the stream to write to.

use super::{ACCT, Call, Day, Role, START, SYD, USE1, call, deployer, res1};
use crate::json::obj;
use crate::record::{self, RunSpec};
use crate::rng::Rng;
use crate::time;

const IAM: &str = "iam.amazonaws.com";
const EC2: &str = "ec2.amazonaws.com";
const S3: &str = "s3.amazonaws.com";
const KMS: &str = "kms.amazonaws.com";
const LAMBDA: &str = "lambda.amazonaws.com";
const LOGS: &str = "logs.amazonaws.com";

/// Fork streams of the attacks, far from the days' (1..=days), so that adding them changed
/// no day file.
const STREAM: u64 = 0xA77A_C000;

/// One role's attacks: `(what, call)` in the order of its never list.
pub type List = Vec<(String, Call)>;

/// `(role, [(what, event line)])` for every role, the scenario's three and the others of
/// [`super::MORE`].
pub fn generate(seed: u64, days: u32) -> Vec<(&'static str, Vec<(String, String)>)> {
    type Maker = fn(&mut Day) -> (Role, List);
    let makers: [(&'static str, Maker); 4] = [
        ("build-agent", |d| (super::build::role(d), super::build::attacks(d))),
        ("data-pipeline", |d| (super::pipeline::role(d), super::pipeline::attacks(d))),
        ("ci-role", |d| (super::ci::caller(d, super::ci::ATTACK_PR), super::ci::attacks(d))),
        ("deployer", |d| (deployer::role(d), deployer::attacks(d))),
    ];
    let root = Rng::new(seed);
    let first = time::unix(START.0, START.1, START.2, 0, 0, 0);
    let midnight = first + i64::from(days - 1) * 86_400;
    let mut out = Vec::new();
    for (i, (name, make)) in makers.into_iter().enumerate() {
        let mut d = Day {
            n: days,
            midnight,
            t: midnight,
            rng: root.fork(STREAM + i as u64),
            last: false,
            events: Vec::new(),
            judge: Vec::new(),
        };
        // Late in the evening, after the job's own calls; the payloads' times (launch times,
        // creation dates) are taken as the calls are made up, so all of them at once.
        d.at(22, 0, 900);
        let (role, list) = make(&mut d);
        let mut lines = Vec::new();
        for (what, c) in list {
            d.emit(&role, c, "", Vec::new());
            let (_, line) = d.events.pop().expect("emit records one event");
            lines.push((what, line));
        }
        out.push((name, lines));
    }
    out
}

/// EC2's `{"items":[...]}` of one instance's state change (TerminateInstances, StopInstances).
pub fn state_change(d: &mut Day, name: &'static str, id: &str, region: &'static str) -> Call {
    let (code, state) = if name == "StopInstances" { (64, "stopping") } else { (32, "shutting-down") };
    let req_id = d.rng.guid();
    call(EC2, name, region)
        .req(obj(|j| {
            super::items(j, "instancesSet", "instanceId", &[id]);
            if name == "StopInstances" {
                j.b("force", false);
            }
        }))
        .resp(obj(|j| {
            j.s("requestId", &req_id).o("instancesSet", |j| {
                j.a("items", |j| {
                    j.io(|j| {
                        j.s("instanceId", id)
                            .o("currentState", |j| {
                                j.n("code", code).s("name", state);
                            })
                            .o("previousState", |j| {
                                j.n("code", 16).s("name", "running");
                            });
                    });
                });
            });
        }))
}

/// A RunInstances with build-agent's image, subnet and security group.
pub fn launch(d: &mut Day, region: &'static str, itype: &str, tags: &[(&str, &str)], profile: &str) -> Call {
    use super::build::{AMI, SG, SUBNET, VPC};
    let token = d.rng.guid();
    let spec = RunSpec {
        account: ACCT,
        region,
        instance_type: itype,
        count: 1,
        ami: AMI,
        subnet: SUBNET,
        vpc: VPC,
        security_group: SG,
        profile,
        key_name: None,
        tags,
        launch_ms: d.t * 1000,
        client_token: &token,
    };
    let (req, resp, _) = record::run_instances(&mut d.rng, &spec);
    call(EC2, "RunInstances", region).req(req).resp(resp)
}

/// AssociateIamInstanceProfile: gives a running instance a profile, and so its role
/// (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_AssociateIamInstanceProfile.html).
pub fn associate_profile(d: &mut Day, instance: &str, profile: &str) -> Call {
    let profile_arn = format!("arn:aws:iam::{ACCT}:instance-profile/{profile}");
    let (req_id, assoc, profile_id) = (d.rng.guid(), d.rng.hex(17), d.rng.key_chars(17));
    call(EC2, "AssociateIamInstanceProfile", SYD)
        .req(obj(|j| {
            j.o("AssociateIamInstanceProfileRequest", |j| {
                j.s("InstanceId", instance).o("IamInstanceProfile", |j| {
                    j.s("Name", profile);
                });
            });
        }))
        .resp(obj(|j| {
            j.o("AssociateIamInstanceProfileResponse", |j| {
                j.s("xmlns", "http://ec2.amazonaws.com/doc/2016-11-15/").s("requestId", &req_id).o(
                    "iamInstanceProfileAssociation",
                    |j| {
                        j.s("associationId", &format!("iip-assoc-{assoc}"))
                            .s("instanceId", instance)
                            .o("iamInstanceProfile", |j| {
                                j.s("arn", &profile_arn).s("id", &format!("AIPA{profile_id}"));
                            })
                            .s("state", "associating");
                    },
                );
            });
        }))
}

/// An S3 object call (GetObject, PutObject, DeleteObject), a data event.
pub fn s3_object(d: &mut Day, name: &'static str, bucket: &str, key: &str, size: i64) -> Call {
    let (bin, bout) = if name == "GetObject" { (0, size) } else { (size, 0) };
    let mut c = call(S3, name, SYD)
        .req(record::s3_object_params(bucket, key, SYD, false))
        .res(record::s3_object_resources(bucket, key, ACCT))
        .data();
    c.extra = Some(record::s3_extra(&mut d.rng, bin, bout, false));
    match name {
        "GetObject" => c.ro(),
        "PutObject" => {
            let v = d.rng.alnum(32);
            c.resp(obj(|j| {
                j.s("x-amz-server-side-encryption", "AES256").s("x-amz-version-id", &v);
            }))
        }
        _ => c,
    }
}

/// PutBucketPolicy with a statement that opens the bucket to everyone.
pub fn put_bucket_policy(bucket: &str) -> Call {
    let host = format!("{bucket}.s3.{SYD}.amazonaws.com");
    call(S3, "PutBucketPolicy", SYD)
        .req(obj(|j| {
            j.o("bucketPolicy", |j| {
                j.s("Version", "2012-10-17").a("Statement", |j| {
                    j.io(|j| {
                        j.s("Effect", "Allow")
                            .s("Principal", "*")
                            .s("Action", "s3:GetObject")
                            .s("Resource", &format!("arn:aws:s3:::{bucket}/*"));
                    });
                });
            })
            .s("bucketName", bucket)
            .s("Host", &host)
            .s("policy", "");
        }))
        .res(res1("AWS::S3::Bucket", &format!("arn:aws:s3:::{bucket}")))
}

/// iam:CreateUser (IAM is global: its calls are logged in us-east-1).
pub fn create_user(d: &mut Day, name: &str) -> Call {
    let id = d.rng.key_chars(17);
    let created = time::java_date(d.t);
    call(IAM, "CreateUser", USE1)
        .req(obj(|j| {
            j.s("userName", name);
        }))
        .resp(obj(|j| {
            j.o("user", |j| {
                j.s("path", "/")
                    .s("userName", name)
                    .s("userId", &format!("AIDA{id}"))
                    .s("arn", &format!("arn:aws:iam::{ACCT}:user/{name}"))
                    .s("createDate", &created);
            });
        }))
}

/// iam:AttachRolePolicy of AdministratorAccess to `role`.
pub fn attach_admin(role: &str) -> Call {
    call(IAM, "AttachRolePolicy", USE1).req(obj(|j| {
        j.s("roleName", role).s("policyArn", "arn:aws:iam::aws:policy/AdministratorAccess");
    }))
}

/// kms:ScheduleKeyDeletion with the shortest waiting period.
pub fn schedule_key_deletion(d: &mut Day, key_arn: &str) -> Call {
    let deletion = time::java_date(d.midnight + 8 * 86_400);
    call(KMS, "ScheduleKeyDeletion", SYD)
        .req(obj(|j| {
            j.s("keyId", key_arn).n("pendingWindowInDays", 7);
        }))
        .resp(obj(|j| {
            j.s("keyId", key_arn)
                .s("deletionDate", &deletion)
                .s("keyState", "PendingDeletion")
                .n("pendingWindowInDays", 7);
        }))
        .res(res1("AWS::KMS::Key", key_arn))
}

/// logs:DeleteLogGroup.
pub fn delete_log_group(group: &str) -> Call {
    call(LOGS, "DeleteLogGroup", SYD).req(obj(|j| {
        j.s("logGroupName", group);
    }))
}

/// logs:CreateLogStream, the logged step before writing into a group.
pub fn create_log_stream(group: &str, stream: &str) -> Call {
    call(LOGS, "CreateLogStream", SYD).req(obj(|j| {
        j.s("logGroupName", group).s("logStreamName", stream);
    }))
}

/// lambda:CreateFunction of a `runtime` function with `role`, and `tags` when given.
pub fn create_function(d: &mut Day, name: &str, role: &str, tags: &[(&str, &str)], runtime: &str) -> Call {
    let fn_arn = format!("arn:aws:lambda:{SYD}:{ACCT}:function:{name}");
    let role_arn = format!("arn:aws:iam::{ACCT}:role/{role}");
    let (rev, sha) = (d.rng.guid(), d.rng.base64(43) + "=");
    let modified = format!("{}.000+0000", &time::iso(d.t)[..19]);
    call(LAMBDA, "CreateFunction20150331", SYD)
        .api("2015-03-31")
        .req(obj(|j| {
            j.s("functionName", name)
                .s("runtime", runtime)
                .s("role", &role_arn)
                .s("handler", "index.handler")
                .o("code", |_| {})
                .n("timeout", 30)
                .n("memorySize", 256)
                .b("publish", false);
            if !tags.is_empty() {
                j.o("tags", |j| {
                    for (k, v) in tags {
                        j.s(k, v);
                    }
                });
            }
        }))
        .resp(obj(|j| {
            j.s("functionName", name)
                .s("functionArn", &fn_arn)
                .s("runtime", runtime)
                .s("role", &role_arn)
                .s("handler", "index.handler")
                .n("codeSize", 1_204_113)
                .n("timeout", 30)
                .n("memorySize", 256)
                .s("lastModified", &modified)
                .s("codeSha256", &sha)
                .s("version", "$LATEST")
                .s("revisionId", &rev)
                .s("state", "Pending")
                .s("stateReason", "The function is being created.")
                .s("stateReasonCode", "Creating")
                .s("packageType", "Zip");
        }))
}

/// lambda:DeleteFunction.
pub fn delete_function(name: &str) -> Call {
    call(LAMBDA, "DeleteFunction20150331", SYD).api("2015-03-31").req(obj(|j| {
        j.s("functionName", name);
    }))
}
