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
    let _ = evaluate(&policies, &Request { action, resource, context: &ctx, mode: Mode::Check });
});
