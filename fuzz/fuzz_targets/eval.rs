//! The evaluator on arbitrary policies and requests: never a panic, and a stated request
//! (simulate) is never answered Unknown.
#![no_main]

use ct_iam::eval::{Context, Decision, Mode, Request, evaluate};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else { return };
    // POLICY JSON \n ACTION \n RESOURCE \n KEY=VALUE...
    let mut parts = s.split('\n');
    let Some(policy) = parts.next() else { return };
    let Ok(policies) = ct_iam::policy::parse_file(policy, "fuzz", None) else { return };
    let action = parts.next().unwrap_or("ec2:RunInstances");
    // As `ct-policy simulate` states a request: the resource defaults to `*`. (Without one
    // the request is not stated: the evaluator rightly answers Unknown for a NotResource.)
    let resource = Some(parts.next().unwrap_or("*"));
    let mut ctx = Context::new();
    for kv in parts {
        if let Some((k, v)) = kv.split_once('=') {
            ctx.add(k, v);
        }
    }
    let sim = evaluate(&policies, &Request { action, resource, context: &ctx, mode: Mode::Simulate });
    assert_ne!(sim.decision, Decision::Unknown, "simulate always decides");
    let check = evaluate(&policies, &Request { action, resource, context: &ctx, mode: Mode::Check });
    // From the logs, a `*` in a resource is a part they did not show. What Check decides must
    // hold whatever the part was: the gate may say Unknown, never a wrong answer. (Without an
    // allow, a deny it cannot settle leaves the request denied all the same: ImplicitDeny
    // where the part may make it an ExplicitDeny.)
    if let Some(r) = resource.filter(|r| *r != "*" && r.contains('*'))
        && check.decision != Decision::Unknown
    {
        for part in ["a", "i-0123456789abcdef0", "x/y", "?"] {
            let shown = r.replace('*', part);
            let sim = evaluate(&policies, &Request { action, resource: Some(&shown), context: &ctx, mode: Mode::Simulate });
            let agrees = match check.decision {
                Decision::ImplicitDeny => matches!(sim.decision, Decision::ImplicitDeny | Decision::ExplicitDeny),
                d => sim.decision == d,
            };
            assert!(agrees, "Check on {r} said {:?}, Simulate on {shown} {:?}", check.decision, sim.decision);
        }
    }
});
