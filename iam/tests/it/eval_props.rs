//! Properties of the evaluator that a gate relies on: a Deny never allows more, an Allow
//! never allows less, and decisions do not depend on the order of statements.

use ct_iam::eval::{Context, Decision, Mode, Request, evaluate};
use ct_iam::policy::{Condition, Effect, Patterns, Policy, Statement};
use proptest::prelude::*;

fn arb_statement(effect: Effect) -> impl Strategy<Value = Statement> {
    let actions = prop::sample::subsequence(
        vec!["ec2:*", "ec2:RunInstances", "s3:Get*", "s3:PutObject", "iam:PassRole", "*"],
        1..3,
    );
    let resources = prop::sample::subsequence(
        vec!["*", "arn:aws:s3:::b/*", "arn:aws:ec2:*:*:instance/*", "arn:aws:iam::1:role/r", "arn:aws:s3:::b"],
        1..3,
    );
    let cond = prop::option::of((
        prop::sample::select(vec![
            "StringEquals",
            "StringNotEquals",
            "StringLikeIfExists",
            "ForAnyValue:StringEquals",
            "Null",
        ]),
        prop::sample::select(vec!["aws:RequestedRegion", "ec2:InstanceType", "aws:PrincipalTag/team"]),
        prop::sample::select(vec!["ap-southeast-2", "t2.*", "true", "web"]),
    ));
    (actions, resources, cond, any::<bool>(), any::<bool>()).prop_map(move |(a, r, c, not_action, not_resource)| {
        let a: Vec<String> = a.into_iter().map(String::from).collect();
        let r: Vec<String> = r.into_iter().map(String::from).collect();
        Statement {
            principal: None,
            id: "s".into(),
            effect,
            action: if not_action { Patterns::Not(a) } else { Patterns::Is(a) },
            resource: if not_resource { Patterns::Not(r) } else { Patterns::Is(r) },
            conditions: c
                .map(|(op, key, val)| {
                    vec![Condition { operator: op.into(), key: key.into(), values: vec![val.into()] }]
                })
                .unwrap_or_default(),
        }
    })
}

fn arb_policy() -> impl Strategy<Value = Vec<Statement>> {
    prop::collection::vec(prop_oneof![arb_statement(Effect::Allow), arb_statement(Effect::Deny)], 0..5)
}

fn arb_request() -> impl Strategy<Value = (String, Option<String>, Vec<(String, String)>, bool)> {
    (
        prop::sample::select(vec![
            "ec2:RunInstances",
            "ec2:TerminateInstances",
            "s3:GetObject",
            "s3:PutObject",
            "iam:PassRole",
        ]),
        prop::option::of(prop::sample::select(vec![
            "*",
            "arn:aws:s3:::b/k",
            "arn:aws:s3:::b",
            "arn:aws:ec2:ap-southeast-2:1:instance/i-1",
            "arn:aws:iam::1:role/r",
            "arn:aws:ec2:ap-southeast-2:1:instance/*",
        ])),
        prop::collection::vec(
            (
                prop::sample::select(vec!["aws:RequestedRegion", "ec2:InstanceType"]),
                prop::sample::select(vec!["ap-southeast-2", "us-east-1", "t2.micro", "m5.large"]),
            ),
            0..3,
        ),
        any::<bool>(),
    )
        .prop_map(|(a, r, c, check)| {
            (
                a.to_string(),
                r.map(String::from),
                c.into_iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
                check,
            )
        })
}

fn decide(statements: &[Statement], req: &(String, Option<String>, Vec<(String, String)>, bool)) -> Decision {
    let policy = Policy { name: "p".into(), version: Some("2012-10-17".into()), statements: statements.to_vec() };
    let mut ctx = Context::new();
    for (k, v) in &req.2 {
        ctx.add(k, v);
    }
    let mode = if req.3 { Mode::Check } else { Mode::Simulate };
    evaluate(&[policy], &Request { action: &req.0, resource: req.1.as_deref(), context: &ctx, mode }).decision
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn adding_a_deny_never_allows_more(p in arb_policy(), d in arb_statement(Effect::Deny), req in arb_request()) {
        let before = decide(&p, &req);
        let mut more = p.clone();
        more.push(d);
        let after = decide(&more, &req);
        prop_assert!(before == Decision::Allow || after != Decision::Allow, "{before:?} -> {after:?}");
    }

    #[test]
    fn adding_an_allow_never_allows_less(p in arb_policy(), a in arb_statement(Effect::Allow), req in arb_request()) {
        let before = decide(&p, &req);
        let mut more = p.clone();
        more.push(a);
        let after = decide(&more, &req);
        prop_assert!(before != Decision::Allow || after == Decision::Allow, "{before:?} -> {after:?}");
        prop_assert!(before != Decision::ExplicitDeny || after == Decision::ExplicitDeny);
    }

    #[test]
    fn statement_order_does_not_matter(p in arb_policy(), req in arb_request()) {
        let mut rev = p.clone();
        rev.reverse();
        prop_assert_eq!(decide(&p, &req), decide(&rev, &req));
    }

    #[test]
    fn simulate_never_answers_unknown(p in arb_policy(), mut req in arb_request()) {
        req.3 = false;
        if req.1.is_some() {
            prop_assert_ne!(decide(&p, &req), Decision::Unknown);
        }
    }
}
