//! `ct-policy check`: the CI gate, every action seen evaluated against the allowed policies.

use ct_common::output::Output;
use ct_common::{EXIT_ERROR, EXIT_NEGATIVE, EXIT_OK, Error};
use ct_iam::eval::Decision;

use crate::check::Gate;
use crate::collect::Collect;
use crate::{CheckArgs, NAME, UnknownMode, policies, tags, trail};

/// Runs `ct-policy check`; returns the exit status.
pub(crate) fn run(args: &CheckArgs) -> Result<u8, Error> {
    let mut report = args.messages.reporter(NAME, Some(&args.input));
    let (policies, _) = policies::load(&args.policies, &mut report)?;
    let assumed = args.policies.assumed()?;
    let mut tags = tags::Tracker::new();
    trail::learn_tags(&args.trail, &mut report, &mut tags).map_err(|e| Error::Msg(e.to_string()))?;
    let facts = if args.trail.is_empty() {
        trail::Facts::default()
    } else {
        trail::Facts::read(&args.trail, &mut report).map_err(|e| Error::Msg(e.to_string()))?
    };
    let gate = Gate { include_denied: args.include_denied, assumed, tags, facts, ..Default::default() };
    let mut c = Collect::gated(&policies, gate);
    c.read(&args.input, &mut report)?;
    let Collect { events, records, gate, .. } = c;
    let Some((_, mut gate)) = gate else { return Ok(EXIT_ERROR) };
    for r in &records {
        gate.record(&policies, r);
    }
    gate.finish(&policies);
    let mut out = Output::stdout(false);
    let mut failing = 0;
    let mut unknown = 0;
    for f in gate.findings.values() {
        out.json(f)?;
        if f.decision == Decision::Unknown.as_str() {
            unknown += 1;
            if args.unknown == UnknownMode::Allow {
                continue;
            }
        }
        failing += 1;
    }
    out.flush()?;
    if gate.not_events > 0 {
        report.error(
            &"input",
            &format_args!("{} objects without eventSource or eventName are not CloudTrail calls", gate.not_events),
        );
    }
    // Nothing evaluated at all (no call, or only calls that need no permission) must not pass.
    // Calls AWS refused are left out, so an input of nothing else evaluated nothing: it fails
    // like an empty one (an input whose calls all say AccessDenied must not pass a gate).
    let empty = gate.allowed.is_empty() && gate.findings.is_empty();
    report.summary(&format_args!(
        "check: {} events and {} action records read, {} actions allowed, {} not allowed ({} Unknown{}), {} refused calls left out",
        events,
        records.len(),
        gate.allowed.len(),
        gate.findings.len(),
        unknown,
        if args.unknown == UnknownMode::Allow { ", passed by --unknown allow" } else { "" },
        gate.refused
    ));
    if report.errors > 0 {
        return Ok(EXIT_ERROR);
    }
    if empty && !args.allow_empty {
        report.fatal(&format_args!(
            "the input holds no call to evaluate ({} refused calls left out): an empty input never passes (see \
             --allow-empty, --include-denied)",
            gate.refused
        ));
        return Ok(EXIT_ERROR);
    }
    Ok(if failing > 0 { EXIT_NEGATIVE } else { EXIT_OK })
}
