//! `ct-policy` without a subcommand: the least-privilege policy the action records need.

use std::collections::BTreeMap;
use std::rc::Rc;

use ct_common::output::Output;
use ct_common::report::Reporter;
use ct_common::{EXIT_ERROR, Error};
use ct_iam::policy;
use ct_record::ActionRecord;

use crate::collect::Collect;
use crate::{GenerateArgs, NAME, ResourceMode, generate, lint, trail};

/// Runs `ct-policy` without a subcommand; returns the exit status.
pub(crate) fn run(args: &GenerateArgs) -> Result<u8, Error> {
    let mut report = args.input.reporter(NAME);
    let mut c = Collect::records();
    c.read(&args.input, &mut report)?;
    // Several records of one action (concatenated outputs) are one action.
    let mut merged: BTreeMap<String, ActionRecord> = BTreeMap::new();
    for r in c.records {
        merged.entry(r.action.clone()).or_insert_with(|| ActionRecord::new(&r.action)).merge(&r, usize::MAX);
    }
    let records: Vec<ActionRecord> = merged.into_values().collect();
    let opts = generate::Options {
        include_denied: args.include_denied,
        resources: match args.resources {
            ResourceMode::General => generate::ResourceMode::General,
            ResourceMode::Exact => generate::ResourceMode::Exact,
            ResourceMode::Wildcard => generate::ResourceMode::Wildcard,
        },
        restrict_region: args.restrict_region,
        restrict: args.restrict.clone(),
        generalize: args.generalize,
        guess: args.guess,
        profiles: if args.trail.is_empty() {
            None
        } else {
            Some(Rc::new(trail::Facts::read(&args.trail, &mut report)?))
        },
    };
    let generated = generate::statements(&records, &opts).map_err(Error::Usage)?;
    for w in &generated.warnings {
        report.warn(&"policy", w);
    }
    if args.explain {
        for line in &generated.explain {
            report.tell(&"explain", line);
        }
    }
    let (statements, unknown) = (generated.statements, generated.unknown);
    if !unknown.is_empty() {
        report.fatal(&format_args!("not in the IAM action catalog, kept as written: {}", unknown.join(", ")));
    }
    if statements.is_empty() {
        report.fatal(&"no action to grant (no input, or every action was refused; see --include-denied)");
        return Ok(EXIT_ERROR);
    }
    let whole = generate::Document { version: "2012-10-17", statements: statements.clone() };
    warn_risky(&whole, &mut report);
    let size = generate::size(&whole);
    let render = |d: &generate::Document| {
        if args.compact { serde_json::to_string(d) } else { serde_json::to_string_pretty(d) }
            .map_err(|e| Error::Msg(e.to_string()))
    };
    if size <= generate::MAX_POLICY_CHARS {
        let mut out = Output::stdout(false);
        out.record(render(&whole)?.as_bytes())?;
        out.flush()?;
    } else {
        let Some(dir) = &args.split_dir else {
            report.fatal(&format_args!(
                "the policy is {size} characters without whitespace, over the {} a managed policy may hold; use --split-dir DIR to write it as several policies",
                generate::MAX_POLICY_CHARS
            ));
            return Ok(EXIT_ERROR);
        };
        let docs = generate::split(statements);
        std::fs::create_dir_all(dir).map_err(|e| Error::at(dir, e))?;
        for (i, d) in docs.iter().enumerate() {
            if generate::size(d) > generate::MAX_POLICY_CHARS {
                report.fatal(&format_args!("statement {} alone is over the size limit", d.statements[0].sid));
                return Ok(EXIT_ERROR);
            }
            let path = dir.join(format!("policy-{}.json", i + 1));
            std::fs::write(&path, render(d)? + "\n").map_err(|e| Error::at(&path, e))?;
        }
        report.summary(&format_args!("{} characters split into {} policies in {}", size, docs.len(), dir.display()));
    }
    Ok(report.exit())
}

/// Tells on stderr what a generated policy grants that can escalate privileges or destroy
/// broadly (issue 16): the logs showed these calls, but a reviewer should see them named.
fn warn_risky(doc: &generate::Document, report: &mut Reporter) {
    let Ok(text) = serde_json::to_string(doc) else { return };
    let Ok(policies) = policy::parse_file(&text, "policy", None) else { return };
    for f in policies.iter().flat_map(lint::risky_grants) {
        let st = f.statement.as_deref().unwrap_or("");
        report.warn(&"policy", &format_args!("statement {st}: {}: {}", f.code, f.message));
    }
}
