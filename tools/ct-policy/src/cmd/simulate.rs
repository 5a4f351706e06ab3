//! `ct-policy simulate`: one request decided offline, like `aws iam simulate-custom-policy`.

use ct_common::output::Output;
use ct_common::report::Reporter;
use ct_common::{EXIT_NEGATIVE, EXIT_OK, Error};
use ct_iam::eval::{Context, Decision, Mode, Request};

use crate::{NAME, SimulateArgs, policies};

/// Runs `ct-policy simulate`; returns the exit status.
pub(crate) fn run(args: &SimulateArgs) -> Result<u8, Error> {
    let mut report = Reporter::new(NAME);
    report.verbose = true;
    let (policies, arn) = policies::load(&args.policies, &mut report)?;
    let mut ctx = Context::new();
    for kv in &args.context {
        let (k, v) = kv.split_once('=').ok_or_else(|| Error::Usage(format!("--context {kv:?}: expected KEY=VALUE")))?;
        ctx.add(k.trim(), v);
    }
    args.policies.assume_into(&mut ctx)?;
    ctx.caller = args.principal.clone().or(arn);
    if let Some(p) = &ctx.caller
        && ctx.get("aws:PrincipalArn").is_none()
    {
        // aws:PrincipalArn is the role's ARN for a role's session (IAM User Guide, global
        // condition keys).
        let role = ct_iam::arn::session_role(p).unwrap_or_else(|| p.clone());
        ctx.add("aws:PrincipalArn", &role);
    }
    if !policies.resource.is_empty() && ctx.caller.is_none() && ctx.get("aws:PrincipalArn").is_none() {
        return Err(Error::Usage(
            "--resource-policy needs the caller: give --principal ARN (or --context aws:PrincipalArn=ARN)".into(),
        ));
    }
    let req = Request { action: &args.action, resource: Some(&args.resource), context: &ctx, mode: Mode::Simulate };
    let out = ct_iam::authorize::authorize(&policies, &req);
    let mut o = Output::stdout(false);
    let line = match &out.statement {
        Some(s) => format!("{}\t{s}", out.decision.as_str()),
        None => format!("{}\t(no statement allows it)", out.decision.as_str()),
    };
    o.record(line.as_bytes())?;
    o.flush()?;
    Ok(if out.decision == Decision::Allow { EXIT_OK } else { EXIT_NEGATIVE })
}
