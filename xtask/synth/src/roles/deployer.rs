//! `deployer`: the release role of the orders service, a gate scenario beside the three of the
//! policy-quality one (its days are `more/days/`, its truth `more/judge.ndjson`). It passes a
//! role on almost every call, each to another service: a preview Lambda function per pull
//! request (role `preview-exec`, tagged stage=preview, deleted two days later by its tag), the
//! production function's code and configuration (`orders-api-exec`), the Step Functions state
//! machine (`orders-flow-sfn`), and an ECS task definition with its task and execution roles,
//! rolled out to the worker service. iam:PassRole is checked with iam:PassedToService, the
//! service that will assume the role
//! (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#ck_PassedToService),
//! and ECS task roles go to `ecs-tasks.amazonaws.com`
//! (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-iam-roles.html).

use std::collections::BTreeSet;

use super::{ACCT, Call, Check, Day, Never, Role, SYD, USE1, call, ck, res1};
use crate::json::obj;
use crate::time;

const LAMBDA: &str = "lambda.amazonaws.com";
const STATES: &str = "states.amazonaws.com";
const ECS: &str = "ecs.amazonaws.com";
const API_FN: &str = "orders-api";
const CLUSTER: &str = "orders";
const SERVICE: &str = "orders-worker";
const FAMILY: &str = "orders-worker";
const FLOW: &str = "orders-flow";
const PREVIEW_ROLE: &str = "preview-exec";
const API_ROLE: &str = "orders-api-exec";
const FLOW_ROLE: &str = "orders-flow-sfn";
const TASK_ROLE: &str = "orders-worker-task";
const EXEC_ROLE: &str = "ecsTaskExecutionRole";
/// The pull request of the never-needed calls.
const ATTACK_PR: u32 = 400;

#[derive(Default)]
pub struct State {
    /// The pull requests whose previews are live.
    previews: BTreeSet<u32>,
    /// The worker's task definition revision.
    revision: u32,
}

fn fn_arn(f: &str, region: &str) -> String {
    format!("arn:aws:lambda:{region}:{ACCT}:function:{f}")
}

fn role_arn(r: &str) -> String {
    format!("arn:aws:iam::{ACCT}:role/{r}")
}

fn flow_arn(f: &str) -> String {
    format!("arn:aws:states:{SYD}:{ACCT}:stateMachine:{f}")
}

fn task_def_arn(family: &str, rev: u32) -> String {
    format!("arn:aws:ecs:{SYD}:{ACCT}:task-definition/{family}:{rev}")
}

fn service_arn(s: &str) -> String {
    format!("arn:aws:ecs:{SYD}:{ACCT}:service/{CLUSTER}/{s}")
}

fn cluster_arn() -> String {
    format!("arn:aws:ecs:{SYD}:{ACCT}:cluster/{CLUSTER}")
}

/// iam:PassRole of `role` to `service`.
fn pass(role: &str, service: &str) -> Check {
    ck("iam:PassRole", &role_arn(role), SYD).c("iam:PassedToService", service)
}

fn preview_tags(pr: &str) -> [(&'static str, &str); 2] {
    [("stage", "preview"), ("pr", pr)]
}

/// The checks of a CreateFunction with tags: the function, the tags, which need
/// lambda:TagResource (https://docs.aws.amazon.com/lambda/latest/dg/configuration-tags.html),
/// and the role passed.
pub fn create_checks(f: &str, tags: &[(&str, &str)], role: &str) -> Vec<Check> {
    vec![
        ck("lambda:CreateFunction", &fn_arn(f, SYD), SYD).req_tags(tags),
        ck("lambda:TagResource", &fn_arn(f, SYD), SYD).req_tags(tags),
        pass(role, "lambda.amazonaws.com"),
    ]
}

/// The day's session of the release workflow.
pub fn role(d: &mut Day) -> Role {
    Role {
        name: "deployer",
        id: "AROADEPL0YER4GHA2Q7WX",
        session: format!("gha-release-{}", 9_200_000_000u64 + u64::from(d.n) * 53),
        key: format!("ASIA{}", d.rng.key_chars(16)),
        ip: "4.197.93.22",
        ua: "aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0-1016-azure exe/x86_64.ubuntu.22 prompt/off",
        created: d.midnight + 10 * 3600,
    }
}

fn config_resp(d: &mut Day, f: &str, role: &str, status: &str) -> String {
    let (rev, sha) = (d.rng.guid(), d.rng.base64(43) + "=");
    let modified = format!("{}.000+0000", &time::iso(d.t)[..19]);
    obj(|j| {
        j.s("functionName", f)
            .s("functionArn", &fn_arn(f, SYD))
            .s("runtime", "nodejs20.x")
            .s("role", &role_arn(role))
            .s("handler", "index.handler")
            .n("codeSize", 2_311_904)
            .n("timeout", 15)
            .n("memorySize", 512)
            .s("lastModified", &modified)
            .s("codeSha256", &sha)
            .s("version", "$LATEST")
            .s("revisionId", &rev)
            .s("state", "Active")
            .s("lastUpdateStatus", status)
            .s("packageType", "Zip");
    })
}

fn create_function(d: &mut Day, f: &str, role: &str, tags: &[(&str, &str)]) -> Call {
    super::attacks::create_function(d, f, role, tags, "nodejs20.x")
}

fn get_config(f: &str) -> Call {
    call(LAMBDA, "GetFunctionConfiguration20150331v2", SYD)
        .api("2015-03-31")
        .req(obj(|j| {
            j.s("functionName", f);
        }))
        .ro()
}

fn update_config(d: &mut Day, f: &str, role: &str) -> Call {
    let resp = config_resp(d, f, role, "InProgress");
    call(LAMBDA, "UpdateFunctionConfiguration20150331v2", SYD)
        .api("2015-03-31")
        .req(obj(|j| {
            j.s("functionName", f).s("role", &role_arn(role)).o("environment", |_| {});
        }))
        .resp(resp)
}

fn update_code(d: &mut Day, f: &str, region: &'static str) -> Call {
    let resp = config_resp(d, f, API_ROLE, "InProgress");
    call(LAMBDA, "UpdateFunctionCode20150331v2", region)
        .api("2015-03-31")
        .req(obj(|j| {
            j.s("functionName", f).b("publish", false).b("dryRun", false);
        }))
        .resp(resp)
}

fn update_flow(d: &mut Day, flow: &str, role: &str) -> Call {
    let (at, rev) = (time::java_date(d.t), d.rng.guid());
    call(STATES, "UpdateStateMachine", SYD)
        .api("2016-11-23")
        .req(obj(|j| {
            j.s("stateMachineArn", &flow_arn(flow))
                .s("definition", "HIDDEN_DUE_TO_SECURITY_REASONS")
                .s("roleArn", &role_arn(role));
        }))
        .resp(obj(|j| {
            j.s("updateDate", &at).s("revisionId", &rev);
        }))
}

fn register(family: &str, rev: u32, task_role: &str) -> Call {
    let image = format!("{ACCT}.dkr.ecr.{SYD}.amazonaws.com/{family}:build-{rev}");
    let def = |j: &mut crate::json::Json| {
        j.s("family", family)
            .s("taskRoleArn", &role_arn(task_role))
            .s("executionRoleArn", &role_arn(EXEC_ROLE))
            .s("networkMode", "awsvpc")
            .a("containerDefinitions", |j| {
                j.io(|j| {
                    j.s("name", "worker").s("image", &image).b("essential", true);
                });
            })
            .a("requiresCompatibilities", |j| {
                j.is("FARGATE");
            })
            .s("cpu", "512")
            .s("memory", "1024");
    };
    call(ECS, "RegisterTaskDefinition", SYD).api("2014-11-13").req(obj(def)).resp(obj(|j| {
        j.o("taskDefinition", |j| {
            j.s("taskDefinitionArn", &task_def_arn(family, rev)).n("revision", i64::from(rev)).s("status", "ACTIVE");
            def(j);
        });
    }))
}

fn update_service(service: &str, family: &str, rev: u32) -> Call {
    call(ECS, "UpdateService", SYD)
        .api("2014-11-13")
        .req(obj(|j| {
            j.s("cluster", CLUSTER).s("service", service).s("taskDefinition", &format!("{family}:{rev}"));
        }))
        .resp(obj(|j| {
            j.o("service", |j| {
                j.s("serviceArn", &service_arn(service))
                    .s("serviceName", service)
                    .s("clusterArn", &cluster_arn())
                    .s("taskDefinition", &task_def_arn(family, rev))
                    .n("desiredCount", 2)
                    .s("status", "ACTIVE");
            });
        }))
}

pub fn day(d: &mut Day, st: &mut State) {
    let r = role(d);
    // Two pull requests a day, each with its preview function.
    let first = 300 + 2 * d.n;
    for (k, pr) in [first, first + 1].into_iter().enumerate() {
        d.at(11 + 4 * k as u32, 0, 1800);
        let f = format!("preview-pr-{pr}");
        let prs = pr.to_string();
        let tags = preview_tags(&prs);
        let c = create_function(d, &f, PREVIEW_ROLE, &tags);
        d.emit(&r, c, &format!("create the preview {f}"), create_checks(&f, &tags, PREVIEW_ROLE));
        for i in 0..d.rng.range(1, 3) {
            d.tick(2, 6);
            if i == 0 && d.rng.chance(0.3) {
                let c = get_config(&f).err("TooManyRequestsException", "Rate exceeded");
                d.emit(&r, c, "", vec![]);
                continue;
            }
            d.emit(
                &r,
                get_config(&f),
                "wait for the preview",
                vec![ck("lambda:GetFunctionConfiguration", &fn_arn(&f, SYD), SYD)],
            );
        }
        st.previews.insert(pr);
    }
    if d.n % 3 == 2 {
        // Noise: a developer's step lists every function, which the role may not.
        let c = call(LAMBDA, "ListFunctions20150331", SYD).api("2015-03-31").ro().err(
            "AccessDeniedException",
            format!(
                "User: arn:aws:sts::{ACCT}:assumed-role/deployer/{} is not authorized to perform: lambda:ListFunctions on resource: * because no identity-based policy allows the lambda:ListFunctions action",
                r.session
            ),
        );
        d.emit(&r, c, "", vec![]);
    }

    // The production release: the API function, the state machine, the worker.
    d.at(17, 0, 1200);
    let c = update_code(d, API_FN, SYD);
    d.emit(&r, c, "deploy the API's code", vec![ck("lambda:UpdateFunctionCode", &fn_arn(API_FN, SYD), SYD)]);
    d.tick(3, 8);
    d.emit(
        &r,
        get_config(API_FN),
        "wait for the code update",
        vec![ck("lambda:GetFunctionConfiguration", &fn_arn(API_FN, SYD), SYD)],
    );
    if d.rng.chance(0.4) {
        // Noise: the configuration update came while the code update was still running.
        let c = update_config(d, API_FN, API_ROLE).err(
            "ResourceConflictException",
            format!(
                "The operation cannot be performed at this time. An update is in progress for resource: {}",
                fn_arn(API_FN, SYD)
            ),
        );
        d.emit(&r, c, "", vec![]);
        d.tick(5, 10);
    }
    let c = update_config(d, API_FN, API_ROLE);
    d.emit(
        &r,
        c,
        "update the API's configuration (its role passed again)",
        vec![
            ck("lambda:UpdateFunctionConfiguration", &fn_arn(API_FN, SYD), SYD),
            pass(API_ROLE, "lambda.amazonaws.com"),
        ],
    );
    let c = update_flow(d, FLOW, FLOW_ROLE);
    d.emit(
        &r,
        c,
        "update the order flow",
        vec![ck("states:UpdateStateMachine", &flow_arn(FLOW), SYD), pass(FLOW_ROLE, STATES)],
    );
    d.emit(
        &r,
        call(STATES, "DescribeStateMachine", SYD)
            .api("2016-11-23")
            .req(obj(|j| {
                j.s("stateMachineArn", &flow_arn(FLOW));
            }))
            .ro(),
        "read the flow back",
        vec![ck("states:DescribeStateMachine", &flow_arn(FLOW), SYD)],
    );
    st.revision += 1;
    let rev = 40 + st.revision;
    d.emit(
        &r,
        register(FAMILY, rev, TASK_ROLE),
        &format!("register {FAMILY}:{rev}"),
        vec![
            ck("ecs:RegisterTaskDefinition", &task_def_arn(FAMILY, rev), SYD),
            pass(TASK_ROLE, "ecs-tasks.amazonaws.com"),
            pass(EXEC_ROLE, "ecs-tasks.amazonaws.com"),
        ],
    );
    d.emit(
        &r,
        update_service(SERVICE, FAMILY, rev),
        "roll the worker service to it",
        vec![ck("ecs:UpdateService", &service_arn(SERVICE), SYD).c("ecs:task-definition", &task_def_arn(FAMILY, rev))],
    );
    for _ in 0..d.rng.range(2, 3) {
        d.tick(30, 60);
        d.emit(
            &r,
            call(ECS, "DescribeServices", SYD)
                .api("2014-11-13")
                .req(obj(|j| {
                    j.s("cluster", CLUSTER).a("services", |j| {
                        j.is(SERVICE);
                    });
                }))
                .ro(),
            "wait for the rollout",
            vec![ck("ecs:DescribeServices", &service_arn(SERVICE), SYD).c("ecs:cluster", &cluster_arn())],
        );
    }

    // Previews of pull requests two days old go, chosen by their tag.
    d.at(20, 0, 1200);
    let old: Vec<u32> = st.previews.iter().copied().filter(|p| *p + 4 <= first).collect();
    for pr in old {
        st.previews.remove(&pr);
        let f = format!("preview-pr-{pr}");
        let prs = pr.to_string();
        d.emit(
            &r,
            super::attacks::delete_function(&f),
            &format!("delete the preview {f}"),
            vec![ck("lambda:DeleteFunction", &fn_arn(&f, SYD), SYD).res_tags(&preview_tags(&prs), false)],
        );
    }
}

/// What deployer must never be able to do.
pub fn never() -> Never {
    let one = |c: Check| vec![c];
    let pr = ATTACK_PR.to_string();
    let preview = format!("preview-pr-{ATTACK_PR}");
    let prod_tags = [("stage", "prod")];
    let rev = 48;
    vec![
        (
            "give the production function the Admin role".into(),
            vec![
                ck("lambda:UpdateFunctionConfiguration", &fn_arn(API_FN, SYD), SYD),
                pass("Admin", "lambda.amazonaws.com"),
            ],
        ),
        ("create a preview with the Admin role".into(), create_checks(&preview, &preview_tags(&pr), "Admin")),
        (
            "create a preview tagged stage=prod".into(),
            create_checks(&preview, &[("stage", "prod"), ("pr", &pr)], PREVIEW_ROLE),
        ),
        (
            "create a function not named preview-pr-*".into(),
            create_checks("orders-api-v2", &preview_tags(&pr), PREVIEW_ROLE),
        ),
        ("pass the ECS execution role to Lambda".into(), create_checks(&preview, &preview_tags(&pr), EXEC_ROLE)),
        (
            "delete the production function".into(),
            one(ck("lambda:DeleteFunction", &fn_arn(API_FN, SYD), SYD).res_tags(&prod_tags, false)),
        ),
        (
            "deploy another function's code".into(),
            one(ck("lambda:UpdateFunctionCode", &fn_arn("billing-api", SYD), SYD)),
        ),
        (
            "deploy the API's code in us-east-1".into(),
            one(ck("lambda:UpdateFunctionCode", &fn_arn(API_FN, USE1), USE1)),
        ),
        (
            "make a preview public".into(),
            one(ck("lambda:AddPermission", &fn_arn("preview-pr-317", SYD), SYD).c("lambda:Principal", "*")),
        ),
        ("invoke the production function".into(), one(ck("lambda:InvokeFunction", &fn_arn(API_FN, SYD), SYD))),
        (
            "give the order flow the Admin role".into(),
            vec![ck("states:UpdateStateMachine", &flow_arn(FLOW), SYD), pass("Admin", STATES)],
        ),
        (
            "update another state machine".into(),
            vec![ck("states:UpdateStateMachine", &flow_arn("payments-flow"), SYD), pass("payments-flow-sfn", STATES)],
        ),
        (
            "register a task definition with the Admin task role".into(),
            vec![
                ck("ecs:RegisterTaskDefinition", &task_def_arn(FAMILY, rev), SYD),
                pass("Admin", "ecs-tasks.amazonaws.com"),
                pass(EXEC_ROLE, "ecs-tasks.amazonaws.com"),
            ],
        ),
        (
            "register another family's task definition".into(),
            vec![
                ck("ecs:RegisterTaskDefinition", &task_def_arn("payments-worker", 7), SYD),
                pass(TASK_ROLE, "ecs-tasks.amazonaws.com"),
                pass(EXEC_ROLE, "ecs-tasks.amazonaws.com"),
            ],
        ),
        (
            "roll another family out to the worker service".into(),
            one(ck("ecs:UpdateService", &service_arn(SERVICE), SYD)
                .c("ecs:task-definition", &task_def_arn("payments-worker", 7))),
        ),
        (
            "update another ECS service".into(),
            one(ck("ecs:UpdateService", &service_arn("payments-api"), SYD)
                .c("ecs:task-definition", &task_def_arn(FAMILY, rev))),
        ),
        (
            "run a task with the Admin role".into(),
            vec![
                ck("ecs:RunTask", &task_def_arn(FAMILY, rev), SYD).c("ecs:cluster", &cluster_arn()),
                pass("Admin", "ecs-tasks.amazonaws.com"),
            ],
        ),
        ("delete the ECS cluster".into(), one(ck("ecs:DeleteCluster", &cluster_arn(), SYD))),
        ("create an IAM user".into(), one(ck("iam:CreateUser", &format!("arn:aws:iam::{ACCT}:user/backdoor"), USE1))),
        (
            "attach AdministratorAccess to itself".into(),
            one(ck("iam:AttachRolePolicy", &role_arn("deployer"), USE1)
                .c("iam:PolicyARN", "arn:aws:iam::aws:policy/AdministratorAccess")),
        ),
    ]
}

/// The never list as the events of successful calls by the day's session, in its order (see
/// `attacks.rs`).
pub fn attacks(d: &mut Day) -> super::attacks::List {
    use super::attacks as a;
    let pr = ATTACK_PR.to_string();
    let preview = format!("preview-pr-{ATTACK_PR}");
    let rev = 48;
    let mut out: super::attacks::List = Vec::new();
    let mut add = |what: &str, c: Call| out.push((what.to_string(), c));
    add("give the production function the Admin role", update_config(d, API_FN, "Admin"));
    add("create a preview with the Admin role", create_function(d, &preview, "Admin", &preview_tags(&pr)));
    add(
        "create a preview tagged stage=prod",
        create_function(d, &preview, PREVIEW_ROLE, &[("stage", "prod"), ("pr", &pr)]),
    );
    add(
        "create a function not named preview-pr-*",
        create_function(d, "orders-api-v2", PREVIEW_ROLE, &preview_tags(&pr)),
    );
    add("pass the ECS execution role to Lambda", create_function(d, &preview, EXEC_ROLE, &preview_tags(&pr)));
    add("delete the production function", a::delete_function(API_FN));
    add("deploy another function's code", update_code(d, "billing-api", SYD));
    add("deploy the API's code in us-east-1", update_code(d, API_FN, USE1));
    add(
        "make a preview public",
        call(LAMBDA, "AddPermission20150331v2", SYD)
            .api("2015-03-31")
            .req(obj(|j| {
                j.s("functionName", "preview-pr-317")
                    .s("statementId", "open")
                    .s("action", "lambda:InvokeFunction")
                    .s("principal", "*");
            }))
            .resp(obj(|j| {
                j.s(
                    "statement",
                    &format!(
                        r#"{{"Sid":"open","Effect":"Allow","Principal":"*","Action":"lambda:InvokeFunction","Resource":"{}"}}"#,
                        fn_arn("preview-pr-317", SYD)
                    ),
                );
            })),
    );
    add(
        "invoke the production function",
        call(LAMBDA, "Invoke", SYD)
            .req(obj(|j| {
                j.s("functionName", &fn_arn(API_FN, SYD));
            }))
            .res(res1("AWS::Lambda::Function", &fn_arn(API_FN, SYD)))
            .data(),
    );
    add("give the order flow the Admin role", update_flow(d, FLOW, "Admin"));
    add("update another state machine", update_flow(d, "payments-flow", "payments-flow-sfn"));
    add("register a task definition with the Admin task role", register(FAMILY, rev, "Admin"));
    add("register another family's task definition", register("payments-worker", 7, TASK_ROLE));
    add("roll another family out to the worker service", update_service(SERVICE, "payments-worker", 7));
    add("update another ECS service", update_service("payments-api", FAMILY, rev));
    let task = d.rng.hex(32);
    add(
        "run a task with the Admin role",
        call(ECS, "RunTask", SYD)
            .api("2014-11-13")
            .req(obj(|j| {
                j.s("cluster", CLUSTER)
                    .s("taskDefinition", &format!("{FAMILY}:{rev}"))
                    .n("count", 1)
                    .s("launchType", "FARGATE")
                    .o("overrides", |j| {
                        j.s("taskRoleArn", &role_arn("Admin")).a("containerOverrides", |_| {});
                    });
            }))
            .resp(obj(|j| {
                j.a("tasks", |j| {
                    j.io(|j| {
                        j.s("taskArn", &format!("arn:aws:ecs:{SYD}:{ACCT}:task/{CLUSTER}/{task}"))
                            .s("clusterArn", &cluster_arn())
                            .s("taskDefinitionArn", &task_def_arn(FAMILY, rev))
                            .s("lastStatus", "PROVISIONING");
                    });
                })
                .a("failures", |_| {});
            })),
    );
    add(
        "delete the ECS cluster",
        call(ECS, "DeleteCluster", SYD).api("2014-11-13").req(obj(|j| {
            j.s("cluster", CLUSTER);
        })),
    );
    add("create an IAM user", a::create_user(d, "backdoor"));
    add("attach AdministratorAccess to itself", a::attach_admin("deployer"));
    out
}
