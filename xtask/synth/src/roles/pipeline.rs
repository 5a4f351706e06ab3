//! `data-pipeline`: four runs a day turn s3://acme-data/incoming/DATE/part-NNNN.csv into
//! processed/DATE/part-NNNN.csv, keep their state in DynamoDB, queue jobs in SQS, encrypt with
//! one KMS key, and deploy the day's build of the `etl-transform` Lambda function.

use super::{ACCT, Check, Day, Never, Role, SYD, USE1, call, ck, res1};
use crate::json::obj;
use crate::record;

pub const BUCKET: &str = "acme-data";
pub const KEY_ID: &str = "3f6b2a9c-71d4-4e8a-b5c0-9d2e1f47a683";
pub const KEY_ALIAS: &str = "alias/etl-data";
pub const FUNCTION: &str = "etl-transform";
pub const TABLE: &str = "etl-state";
pub const QUEUE: &str = "etl-jobs";
pub const LOG_GROUP: &str = "/acme/etl";
const S3: &str = "s3.amazonaws.com";
const KMS: &str = "kms.amazonaws.com";
const DDB: &str = "dynamodb.amazonaws.com";
const SQS: &str = "sqs.amazonaws.com";
const LAMBDA: &str = "lambda.amazonaws.com";

#[derive(Default)]
pub struct State {
    /// The last published version of etl-transform.
    version: u32,
}

fn key_arn(region: &str) -> String {
    format!("arn:aws:kms:{region}:{ACCT}:key/{KEY_ID}")
}

fn fn_arn(name: &str) -> String {
    format!("arn:aws:lambda:{SYD}:{ACCT}:function:{name}")
}

fn table_arn(t: &str, region: &str) -> String {
    format!("arn:aws:dynamodb:{region}:{ACCT}:table/{t}")
}

fn queue_arn(q: &str) -> String {
    format!("arn:aws:sqs:{SYD}:{ACCT}:{q}")
}

fn queue_url(q: &str) -> String {
    format!("https://sqs.{SYD}.amazonaws.com/{ACCT}/{q}")
}

/// The function configuration Lambda returns from UpdateFunctionCode and PublishVersion.
fn fn_config(d: &mut Day, version: &str, sha: &str, status: &str) -> String {
    let rev = d.rng.guid();
    let modified = format!("{}.000+0000", &crate::time::iso(d.t)[..19]);
    let arn = if version == "$LATEST" { fn_arn(FUNCTION) } else { format!("{}:{version}", fn_arn(FUNCTION)) };
    obj(|j| {
        j.s("functionName", FUNCTION)
            .s("functionArn", &arn)
            .s("runtime", "python3.12")
            .s("role", &format!("arn:aws:iam::{ACCT}:role/etl-transform-exec"))
            .s("handler", "app.handler")
            .n("codeSize", 4_812_337)
            .s("description", "")
            .n("timeout", 120)
            .n("memorySize", 1024)
            .s("lastModified", &modified)
            .s("codeSha256", sha)
            .s("version", version)
            .o("tracingConfig", |j| {
                j.s("mode", "PassThrough");
            })
            .s("revisionId", &rev)
            .s("state", "Active")
            .s("lastUpdateStatus", status)
            .s("packageType", "Zip")
            .a("architectures", |j| {
                j.is("x86_64");
            })
            .o("ephemeralStorage", |j| {
                j.n("size", 512);
            });
    })
}

fn s3_call(d: &mut Day, name: &'static str, key: &str, size: i64) -> super::Call {
    let (bin, bout) = if name == "PutObject" { (size, 0) } else { (0, size) };
    let mut c = call(S3, name, SYD)
        .req(record::s3_object_params(BUCKET, key, SYD, false))
        .res(record::s3_object_resources(BUCKET, key, ACCT))
        .data();
    c.extra = Some(record::s3_extra(&mut d.rng, bin, bout, false));
    if name == "GetObject" { c.ro() } else { c }
}

/// The day's session of data-pipeline (one access key drawn from the day's stream).
pub fn role(d: &mut Day) -> Role {
    Role {
        name: "data-pipeline",
        id: "AROADA7TAPIPE3LINE5QW",
        session: "etl-runner".into(),
        key: format!("ASIA{}", d.rng.key_chars(16)),
        ip: "3.104.82.156",
        ua: "Boto3/1.34.51 md/Botocore#1.34.51 ua/2.0 os/linux#6.1.79 md/arch#x86_64 lang/python#3.12.2 cfg/retry-mode#standard Botocore/1.34.51",
        created: d.midnight,
    }
}

pub fn day(d: &mut Day, st: &mut State) {
    let date = d.date();
    let r = role(d);

    // Deploy the day's build of the transform, wait for it, publish a version.
    d.at(0, 30, 600);
    let sha = d.rng.base64(43) + "=";
    let cfg = fn_config(d, "$LATEST", &sha, "InProgress");
    d.emit(
        &r,
        call(LAMBDA, "UpdateFunctionCode20150331v2", SYD)
            .api("2015-03-31")
            .req(obj(|j| {
                j.s("functionName", FUNCTION).b("publish", false).b("dryRun", false);
            }))
            .resp(cfg),
        "deploy the day's code",
        vec![ck("lambda:UpdateFunctionCode", &fn_arn(FUNCTION), SYD)],
    );
    for _ in 0..d.rng.range(1, 3) {
        d.tick(3, 8);
        d.emit(
            &r,
            call(LAMBDA, "GetFunction20150331v2", SYD)
                .api("2015-03-31")
                .req(obj(|j| {
                    j.s("functionName", FUNCTION);
                }))
                .ro(),
            "wait for the update",
            vec![ck("lambda:GetFunction", &fn_arn(FUNCTION), SYD)],
        );
    }
    st.version += 1;
    let v = st.version.to_string();
    let cfg = fn_config(d, &v, &sha, "Successful");
    d.emit(
        &r,
        call(LAMBDA, "PublishVersion20150331", SYD)
            .api("2015-03-31")
            .req(obj(|j| {
                j.s("functionName", FUNCTION).s("codeSha256", &sha);
            }))
            .resp(cfg),
        "publish the version",
        vec![ck("lambda:PublishVersion", &fn_arn(FUNCTION), SYD)],
    );

    let mut part = 0;
    for (run, hour) in [0u32, 6, 12, 18].into_iter().enumerate() {
        d.at(hour + 1, 0, 300);
        let stream = format!("run/{date}T{hour:02}");
        let group_arn = format!("arn:aws:logs:{SYD}:{ACCT}:log-group:{LOG_GROUP}");
        d.emit(
            &r,
            call("logs.amazonaws.com", "CreateLogStream", SYD).req(obj(|j| {
                j.s("logGroupName", LOG_GROUP).s("logStreamName", &stream);
            })),
            "create the run's log stream",
            // The Service Authorization Reference lists the log-group type for CreateLogStream,
            // but CloudWatch Logs authorizes the new stream's ARN (its AccessDenied messages name
            // `log-group:G:log-stream:S`), which is why AWS's examples grant `log-group:G:*`.
            vec![ck("logs:CreateLogStream", &format!("{group_arn}:log-stream:{stream}"), SYD)],
        );
        d.unlogged(
            &r,
            "write the run's log",
            vec![ck("logs:PutLogEvents", &format!("{group_arn}:log-stream:{stream}"), SYD)],
        );

        // The run's settings are a blob encrypted under the pipeline key.
        d.emit(
            &r,
            call(KMS, "Decrypt", SYD)
                .req(obj(|j| {
                    j.s("encryptionAlgorithm", "SYMMETRIC_DEFAULT").o("encryptionContext", |j| {
                        j.s("pipeline", "etl");
                    });
                }))
                .res(res1("AWS::KMS::Key", &key_arn(SYD)))
                .ro(),
            "decrypt the run's settings",
            vec![
                ck("kms:Decrypt", &key_arn(SYD), SYD)
                    .c("kms:EncryptionContext:pipeline", "etl")
                    .cs("kms:EncryptionContextKeys", &["pipeline"])
                    .c("kms:EncryptionAlgorithm", "SYMMETRIC_DEFAULT"),
            ],
        );
        if run == 2 && d.rng.chance(0.5) {
            // Noise: an old settings blob under a retired key of another team.
            let other = format!("arn:aws:kms:{SYD}:{ACCT}:key/8d1c4e7a-2b3f-4a96-9e05-6c7b8a9d0e12");
            let c = call(KMS, "Decrypt", SYD)
                .req(obj(|j| {
                    j.s("encryptionAlgorithm", "SYMMETRIC_DEFAULT");
                }))
                .res(res1("AWS::KMS::Key", &other))
                .ro()
                .err(
                    "AccessDenied",
                    format!(
                        "User: arn:aws:sts::{ACCT}:assumed-role/data-pipeline/etl-runner is not authorized to perform: kms:Decrypt on resource: {other} because no identity-based policy allows the kms:Decrypt action"
                    ),
                );
            d.emit(&r, c, "", vec![]);
        }

        let prefix = format!("incoming/{date}/");
        d.emit(
            &r,
            call(S3, "ListObjects", SYD)
                .req(obj(|j| {
                    j.s("list-type", "2")
                        .s("bucketName", BUCKET)
                        .s("encoding-type", "url")
                        .s("prefix", &prefix)
                        .s("Host", &format!("{BUCKET}.s3.{SYD}.amazonaws.com"));
                }))
                .res(res1("AWS::S3::Bucket", &format!("arn:aws:s3:::{BUCKET}")))
                .ro()
                .data(),
            "list the day's new parts",
            vec![ck("s3:ListBucket", &format!("arn:aws:s3:::{BUCKET}"), SYD).c("s3:prefix", &prefix)],
        );

        for _ in 0..d.rng.range(2, 3) {
            part += 1;
            let inp = format!("incoming/{date}/part-{part:04}.csv");
            let out = format!("processed/{date}/part-{part:04}.csv");
            let size = d.rng.range(2_000_000, 9_000_000);
            let c = s3_call(d, "GetObject", &inp, size);
            d.emit(
                &r,
                c,
                "read an incoming part",
                vec![ck("s3:GetObject", &format!("arn:aws:s3:::{BUCKET}/{inp}"), SYD)],
            );
            d.tick(5, 30);
            d.emit(
                &r,
                call(KMS, "GenerateDataKey", SYD)
                    .req(obj(|j| {
                        j.s("keyId", KEY_ALIAS).s("keySpec", "AES_256").o("encryptionContext", |j| {
                            j.s("pipeline", "etl");
                        });
                    }))
                    .res(res1("AWS::KMS::Key", &key_arn(SYD)))
                    .ro(),
                "a data key for the processed part",
                vec![
                    ck("kms:GenerateDataKey", &key_arn(SYD), SYD)
                        .c("kms:EncryptionContext:pipeline", "etl")
                        .cs("kms:EncryptionContextKeys", &["pipeline"])
                        .c("kms:RequestAlias", KEY_ALIAS),
                ],
            );
            let c = s3_call(d, "PutObject", &out, size / 3);
            let vid = d.rng.alnum(32);
            let c = c.resp(obj(|j| {
                j.s("x-amz-server-side-encryption", "AES256").s("x-amz-version-id", &vid);
            }));
            d.emit(
                &r,
                c,
                "write the processed part",
                vec![ck("s3:PutObject", &format!("arn:aws:s3:::{BUCKET}/{out}"), SYD)],
            );
            let put = call(DDB, "PutItem", SYD)
                .req(obj(|j| {
                    j.s("tableName", TABLE)
                        .o("key", |j| {
                            j.s("pk", &format!("part#{date}#{part:04}"));
                        })
                        .a("item", |j| {
                            j.is("pk").is("date").is("status").is("rows");
                        })
                        .s("returnConsumedCapacity", "NONE");
                }))
                .res(res1("AWS::DynamoDB::Table", &table_arn(TABLE, SYD)))
                .data();
            if part == 3 && d.n % 2 == 1 {
                // Noise: the part was already marked done (a retried run): refused by the
                // table's condition, not by IAM.
                let c = put.err("ConditionalCheckFailedException", "The conditional request failed");
                d.emit(&r, c, "", vec![]);
                continue;
            }
            d.emit(&r, put, "mark the part done", vec![ck("dynamodb:PutItem", &table_arn(TABLE, SYD), SYD)]);
            let mid = d.rng.guid();
            let md5 = d.rng.hex(32);
            d.emit(
                &r,
                call(SQS, "SendMessage", SYD)
                    .req(obj(|j| {
                        j.s("queueUrl", &queue_url(QUEUE)).s("messageBody", "HIDDEN_DUE_TO_SECURITY_REASONS");
                    }))
                    .resp(obj(|j| {
                        j.s("mD5OfMessageBody", &md5).s("messageId", &mid);
                    }))
                    .res(res1("AWS::SQS::Queue", &queue_arn(QUEUE)))
                    .data(),
                "queue the load job",
                vec![ck("sqs:SendMessage", &queue_arn(QUEUE), SYD)],
            );
        }

        // Consume the previous run's jobs.
        for _ in 0..d.rng.range(1, 2) {
            d.tick(10, 60);
            d.emit(
                &r,
                call(SQS, "ReceiveMessage", SYD)
                    .req(obj(|j| {
                        j.s("queueUrl", &queue_url(QUEUE)).n("maxNumberOfMessages", 10).n("waitTimeSeconds", 20);
                    }))
                    .res(res1("AWS::SQS::Queue", &queue_arn(QUEUE)))
                    .data(),
                "receive load jobs",
                vec![ck("sqs:ReceiveMessage", &queue_arn(QUEUE), SYD)],
            );
            d.emit(
                &r,
                call(SQS, "DeleteMessage", SYD)
                    .req(obj(|j| {
                        j.s("queueUrl", &queue_url(QUEUE)).s("receiptHandle", "HIDDEN_DUE_TO_SECURITY_REASONS");
                    }))
                    .res(res1("AWS::SQS::Queue", &queue_arn(QUEUE)))
                    .data(),
                "delete a done job",
                vec![ck("sqs:DeleteMessage", &queue_arn(QUEUE), SYD)],
            );
        }
        let idx = format!("{}/index/by-date", table_arn(TABLE, SYD));
        d.emit(
            &r,
            call(DDB, "Query", SYD)
                .req(obj(|j| {
                    j.s("tableName", TABLE).s("indexName", "by-date").s("keyConditionExpression", "#d = :d").o(
                        "expressionAttributeNames",
                        |j| {
                            j.s("#d", "date");
                        },
                    );
                }))
                .res(res1("AWS::DynamoDB::Table", &table_arn(TABLE, SYD)))
                .ro()
                .data(),
            "count the day's parts",
            vec![ck("dynamodb:Query", &idx, SYD)],
        );
    }
}

/// What data-pipeline must never be able to do.
pub fn never() -> Never {
    let one = |c: Check| vec![c];
    let s3o = |b: &str, k: &str| format!("arn:aws:s3:::{b}/{k}");
    let role = |n: &str| format!("arn:aws:iam::{ACCT}:role/{n}");
    let ctx_etl =
        |c: Check| c.c("kms:EncryptionContext:pipeline", "etl").cs("kms:EncryptionContextKeys", &["pipeline"]);
    vec![
        ("deploy code to another function".into(), one(ck("lambda:UpdateFunctionCode", &fn_arn("billing-api"), SYD))),
        ("read another function".into(), one(ck("lambda:GetFunction", &fn_arn("billing-api"), SYD))),
        ("delete the function".into(), one(ck("lambda:DeleteFunction", &fn_arn(FUNCTION), SYD))),
        (
            "make the function public".into(),
            one(ck("lambda:AddPermission", &fn_arn(FUNCTION), SYD).c("lambda:Principal", "*")),
        ),
        (
            "give the function the Admin role".into(),
            vec![
                ck("lambda:UpdateFunctionConfiguration", &fn_arn(FUNCTION), SYD),
                ck("iam:PassRole", &role("Admin"), SYD).c("iam:PassedToService", "lambda.amazonaws.com"),
            ],
        ),
        (
            "create a function".into(),
            vec![
                ck("lambda:CreateFunction", &fn_arn("miner"), SYD),
                ck("iam:PassRole", &role("etl-transform-exec"), SYD).c("iam:PassedToService", "lambda.amazonaws.com"),
            ],
        ),
        ("read a secret object".into(), one(ck("s3:GetObject", &s3o(BUCKET, "secrets/db.env"), SYD))),
        (
            "read the artefact bucket".into(),
            one(ck("s3:GetObject", &s3o("acme-artifacts", "builds/2.3.48/app-2.3.48.tar.gz"), SYD)),
        ),
        (
            "write into incoming/".into(),
            one(ck("s3:PutObject", &s3o(BUCKET, "incoming/2024-03-08/part-0001.csv"), SYD)),
        ),
        (
            "delete a processed part".into(),
            one(ck("s3:DeleteObject", &s3o(BUCKET, "processed/2024-03-07/part-0001.csv"), SYD)),
        ),
        (
            "list the whole data bucket".into(),
            one(ck("s3:ListBucket", &format!("arn:aws:s3:::{BUCKET}"), SYD).c("s3:prefix", "")),
        ),
        (
            "list the secrets prefix".into(),
            one(ck("s3:ListBucket", &format!("arn:aws:s3:::{BUCKET}"), SYD).c("s3:prefix", "secrets/")),
        ),
        ("make the data bucket public".into(), one(ck("s3:PutBucketPolicy", &format!("arn:aws:s3:::{BUCKET}"), SYD))),
        ("delete the state table".into(), one(ck("dynamodb:DeleteTable", &table_arn(TABLE, SYD), SYD))),
        ("write another table".into(), one(ck("dynamodb:PutItem", &table_arn("users", SYD), SYD))),
        (
            "query the table in us-east-1".into(),
            one(ck("dynamodb:Query", &format!("{}/index/by-date", table_arn(TABLE, USE1)), USE1)),
        ),
        ("scan the users table".into(), one(ck("dynamodb:Scan", &table_arn("users", SYD), SYD))),
        ("send to another queue".into(), one(ck("sqs:SendMessage", &queue_arn("billing-jobs"), SYD))),
        ("purge the job queue".into(), one(ck("sqs:PurgeQueue", &queue_arn(QUEUE), SYD))),
        ("delete the job queue".into(), one(ck("sqs:DeleteQueue", &queue_arn(QUEUE), SYD))),
        ("schedule the key's deletion".into(), one(ck("kms:ScheduleKeyDeletion", &key_arn(SYD), SYD))),
        ("change the key's policy".into(), one(ck("kms:PutKeyPolicy", &key_arn(SYD), SYD))),
        ("grant the key to someone".into(), one(ctx_etl(ck("kms:CreateGrant", &key_arn(SYD), SYD)))),
        (
            "decrypt with another key".into(),
            one(ck("kms:Decrypt", &format!("arn:aws:kms:{SYD}:{ACCT}:key/8d1c4e7a-2b3f-4a96-9e05-6c7b8a9d0e12"), SYD)
                .c("kms:EncryptionAlgorithm", "SYMMETRIC_DEFAULT")),
        ),
        (
            "decrypt with the key in us-east-1".into(),
            one(ctx_etl(ck("kms:Decrypt", &key_arn(USE1), USE1)).c("kms:EncryptionAlgorithm", "SYMMETRIC_DEFAULT")),
        ),
        ("create an IAM user".into(), one(ck("iam:CreateUser", &format!("arn:aws:iam::{ACCT}:user/backdoor"), USE1))),
        (
            "attach AdministratorAccess to itself".into(),
            one(ck("iam:AttachRolePolicy", &role("data-pipeline"), USE1)
                .c("iam:PolicyARN", "arn:aws:iam::aws:policy/AdministratorAccess")),
        ),
        (
            "delete its log group".into(),
            one(ck("logs:DeleteLogGroup", &format!("arn:aws:logs:{SYD}:{ACCT}:log-group:{LOG_GROUP}"), SYD)),
        ),
        (
            "launch a p2.16xlarge".into(),
            super::build::run_checks(SYD, "p2.16xlarge", &[("app", "etl")], "etl-transform-exec"),
        ),
    ]
}

/// The never list as the events of successful calls by the day's session, in its order (see
/// `attacks.rs`).
pub fn attacks(d: &mut Day) -> super::attacks::List {
    use super::attacks as a;
    let other_key = format!("arn:aws:kms:{SYD}:{ACCT}:key/8d1c4e7a-2b3f-4a96-9e05-6c7b8a9d0e12");
    let fn_call = |name: &'static str, f: &str| {
        call(LAMBDA, name, SYD).api("2015-03-31").req(obj(|j| {
            j.s("functionName", f);
        }))
    };
    let decrypt = |key: &str, region: &'static str, ctx: bool| {
        call(KMS, "Decrypt", region)
            .req(obj(|j| {
                j.s("encryptionAlgorithm", "SYMMETRIC_DEFAULT");
                if ctx {
                    j.o("encryptionContext", |j| {
                        j.s("pipeline", "etl");
                    });
                }
            }))
            .res(res1("AWS::KMS::Key", key))
            .ro()
    };
    let table = |name: &'static str, t: &str, region: &'static str| {
        call(DDB, name, region)
            .req(obj(|j| {
                j.s("tableName", t);
            }))
            .res(res1("AWS::DynamoDB::Table", &table_arn(t, region)))
    };
    let queue = |name: &'static str, q: &str| {
        call(SQS, name, SYD)
            .req(obj(|j| {
                j.s("queueUrl", &queue_url(q));
            }))
            .res(res1("AWS::SQS::Queue", &queue_arn(q)))
    };
    let list = |prefix: &str| {
        call(S3, "ListObjects", SYD)
            .req(obj(|j| {
                j.s("list-type", "2")
                    .s("bucketName", BUCKET)
                    .s("encoding-type", "url")
                    .s("prefix", prefix)
                    .s("delimiter", "/")
                    .s("Host", &format!("{BUCKET}.s3.{SYD}.amazonaws.com"));
            }))
            .res(res1("AWS::S3::Bucket", &format!("arn:aws:s3:::{BUCKET}")))
            .ro()
            .data()
    };
    let mut out: super::attacks::List = Vec::new();
    let mut add = |what: &str, c: super::Call| out.push((what.to_string(), c));
    let sha = d.rng.base64(43) + "=";
    let cfg = fn_config(d, "$LATEST", &sha, "InProgress").replace(FUNCTION, "billing-api");
    add(
        "deploy code to another function",
        call(LAMBDA, "UpdateFunctionCode20150331v2", SYD)
            .api("2015-03-31")
            .req(obj(|j| {
                j.s("functionName", "billing-api").b("publish", false).b("dryRun", false);
            }))
            .resp(cfg),
    );
    add("read another function", fn_call("GetFunction20150331v2", "billing-api").ro());
    add("delete the function", a::delete_function(FUNCTION));
    add(
        "make the function public",
        call(LAMBDA, "AddPermission20150331v2", SYD)
            .api("2015-03-31")
            .req(obj(|j| {
                j.s("functionName", FUNCTION)
                    .s("statementId", "public-invoke")
                    .s("action", "lambda:InvokeFunction")
                    .s("principal", "*");
            }))
            .resp(obj(|j| {
                j.s(
                    "statement",
                    &format!(
                        r#"{{"Sid":"public-invoke","Effect":"Allow","Principal":"*","Action":"lambda:InvokeFunction","Resource":"{}"}}"#,
                        fn_arn(FUNCTION)
                    ),
                );
            })),
    );
    let cfg = fn_config(d, "$LATEST", &sha, "InProgress").replace("role/etl-transform-exec", "role/Admin");
    add(
        "give the function the Admin role",
        call(LAMBDA, "UpdateFunctionConfiguration20150331v2", SYD)
            .api("2015-03-31")
            .req(obj(|j| {
                j.s("functionName", FUNCTION).s("role", &format!("arn:aws:iam::{ACCT}:role/Admin"));
            }))
            .resp(cfg),
    );
    add("create a function", a::create_function(d, "miner", "etl-transform-exec", &[], "python3.12"));
    add("read a secret object", a::s3_object(d, "GetObject", BUCKET, "secrets/db.env", 412));
    add(
        "read the artefact bucket",
        a::s3_object(d, "GetObject", "acme-artifacts", "builds/2.3.48/app-2.3.48.tar.gz", 43_517_220),
    );
    add("write into incoming/", a::s3_object(d, "PutObject", BUCKET, "incoming/2024-03-08/part-0001.csv", 5_001_337));
    add("delete a processed part", a::s3_object(d, "DeleteObject", BUCKET, "processed/2024-03-07/part-0001.csv", 0));
    add("list the whole data bucket", list(""));
    add("list the secrets prefix", list("secrets/"));
    add("make the data bucket public", a::put_bucket_policy(BUCKET));
    add("delete the state table", table("DeleteTable", TABLE, SYD));
    add(
        "write another table",
        call(DDB, "PutItem", SYD)
            .req(obj(|j| {
                j.s("tableName", "users")
                    .o("key", |j| {
                        j.s("pk", "user#1");
                    })
                    .a("item", |j| {
                        j.is("pk").is("email").is("role");
                    })
                    .s("returnConsumedCapacity", "NONE");
            }))
            .res(res1("AWS::DynamoDB::Table", &table_arn("users", SYD)))
            .data(),
    );
    add(
        "query the table in us-east-1",
        call(DDB, "Query", USE1)
            .req(obj(|j| {
                j.s("tableName", TABLE).s("indexName", "by-date").s("keyConditionExpression", "#d = :d");
            }))
            .res(res1("AWS::DynamoDB::Table", &table_arn(TABLE, USE1)))
            .ro()
            .data(),
    );
    add("scan the users table", table("Scan", "users", SYD).ro().data());
    let (mid, md5) = (d.rng.guid(), d.rng.hex(32));
    add(
        "send to another queue",
        call(SQS, "SendMessage", SYD)
            .req(obj(|j| {
                j.s("queueUrl", &queue_url("billing-jobs")).s("messageBody", "HIDDEN_DUE_TO_SECURITY_REASONS");
            }))
            .resp(obj(|j| {
                j.s("mD5OfMessageBody", &md5).s("messageId", &mid);
            }))
            .res(res1("AWS::SQS::Queue", &queue_arn("billing-jobs")))
            .data(),
    );
    add("purge the job queue", queue("PurgeQueue", QUEUE));
    add("delete the job queue", queue("DeleteQueue", QUEUE));
    add("schedule the key's deletion", a::schedule_key_deletion(d, &key_arn(SYD)));
    add(
        "change the key's policy",
        call(KMS, "PutKeyPolicy", SYD)
            .req(obj(|j| {
                j.s("keyId", &key_arn(SYD))
                    .s("policyName", "default")
                    .s(
                        "policy",
                        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"kms:*","Resource":"*"}]}"#,
                    )
                    .b("bypassPolicyLockoutSafetyCheck", false);
            }))
            .res(res1("AWS::KMS::Key", &key_arn(SYD))),
    );
    let grant = d.rng.hex(64);
    add(
        "grant the key to someone",
        call(KMS, "CreateGrant", SYD)
            .req(obj(|j| {
                j.s("keyId", &key_arn(SYD))
                    .s("granteePrincipal", &format!("arn:aws:iam::{ACCT}:role/contractor"))
                    .a("operations", |j| {
                        j.is("Decrypt");
                    })
                    .o("constraints", |j| {
                        j.o("encryptionContextSubset", |j| {
                            j.s("pipeline", "etl");
                        });
                    });
            }))
            .resp(obj(|j| {
                j.s("grantId", &grant).s("keyId", &key_arn(SYD));
            }))
            .res(res1("AWS::KMS::Key", &key_arn(SYD))),
    );
    add("decrypt with another key", decrypt(&other_key, SYD, false));
    add("decrypt with the key in us-east-1", decrypt(&key_arn(USE1), USE1, true));
    add("create an IAM user", a::create_user(d, "backdoor"));
    add("attach AdministratorAccess to itself", a::attach_admin("data-pipeline"));
    add("delete its log group", a::delete_log_group(LOG_GROUP));
    add("launch a p2.16xlarge", a::launch(d, SYD, "p2.16xlarge", &[("app", "etl")], "etl-transform-exec"));
    out
}
