//! `ct-policy unused`: what the policies allow that no call in the input used.

use std::cell::RefCell;
use std::rc::Rc;

use ct_common::output::Output;
use ct_common::report::plural;
use ct_common::{EXIT_ERROR, EXIT_NEGATIVE, EXIT_OK, Error};
use ct_iam::eval::Context;

use crate::check::Gate;
use crate::collect::Collect;
use crate::{NAME, UnusedArgs, policies, unused};

/// Runs `ct-policy unused`; returns the exit status.
pub(crate) fn run(args: &UnusedArgs) -> Result<u8, Error> {
    let mut report = args.messages.reporter(NAME, Some(&args.input));
    let (policies, _) = policies::load(&args.policies, &mut report)?;
    // What the identity policies allow; a boundary, SCP or other policy only takes away, and
    // the calls in the logs were allowed by all of them.
    let state = Rc::new(RefCell::new(unused::Unused::new(&policies.identity)));
    let tap = Rc::clone(&state);
    let gate = Gate {
        assumed: args.policies.assumed()?,
        tap: Some(Box::new(move |a: &str, t: &[Option<String>], c: &Context| tap.borrow_mut().call(a, t, c))),
        ..Default::default()
    };
    let mut c = Collect::gated(&policies, gate);
    c.read(&args.input, &mut report)?;
    let Collect { events, records, gate, .. } = c;
    let Some((_, mut gate)) = gate else { return Ok(EXIT_ERROR) };
    for r in &records {
        gate.record(&policies, r);
    }
    if gate.not_events > 0 {
        report.error(
            &"input",
            &format_args!("{} objects without eventSource or eventName are not CloudTrail calls", gate.not_events),
        );
    }
    let (calls, found) = {
        let s = state.borrow();
        (s.calls, s.report())
    };
    // No call is no evidence: it must not come out as "everything is unused".
    if calls == 0 && !args.allow_empty {
        report.fatal(&format_args!(
            "the input holds no call ({} refused calls left out): nothing can be said unused (see --allow-empty)",
            gate.refused
        ));
        return Ok(EXIT_ERROR);
    }
    let mut out = Output::stdout(false);
    let kinds = ["statement", "service", "action", "resource"];
    let mut counts = [0u64; 4];
    for f in &found.findings {
        if let Some(i) = kinds.iter().position(|k| *k == f.kind) {
            counts[i] += 1;
        }
        if args.text {
            out.record(f.text().as_bytes())?;
        } else {
            out.json(f)?;
        }
    }
    out.flush()?;
    report.summary(&format_args!(
        "unused: {} events and {} action records read, {}: {} unused, {}, {}, {}; {} counted as used on Unknown \
         decisions, {} refused calls left out",
        events,
        records.len(),
        plural(found.statements as u64, "Allow statement", "Allow statements"),
        counts[0],
        plural(counts[1], "unused service", "unused services"),
        plural(counts[2], "unused action", "unused actions"),
        plural(counts[3], "unused resource pattern", "unused resource patterns"),
        plural(found.unknown as u64, "grant", "grants"),
        gate.refused
    ));
    if report.errors > 0 {
        return Ok(EXIT_ERROR);
    }
    Ok(if found.findings.is_empty() { EXIT_OK } else { EXIT_NEGATIVE })
}
