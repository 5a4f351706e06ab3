//! `ct-policy lint`: what IAM's policy validator would report, and risky grants.

use std::io;

use ct_common::error::Failed;
use ct_common::output::Output;
use ct_common::report::plural;
use ct_common::{EXIT_ERROR, EXIT_NEGATIVE, EXIT_OK, Error};
use ct_iam::policy;

use crate::{LintArgs, LintFormat, NAME, lint};

/// Runs `ct-policy lint`; returns the exit status.
pub(crate) fn run(args: &LintArgs) -> Result<u8, Error> {
    let mut report = args.messages.reporter(NAME, None);
    for code in &args.ignore {
        if !lint::CODES.contains(&code.as_str()) {
            return Err(Error::Usage(format!(
                "--ignore {code:?}: not a finding code (one of: {})",
                lint::CODES.join(", ")
            )));
        }
    }
    let mut out = Output::stdout(false);
    let (mut files, mut errors, mut warnings) = (0u64, 0u64, 0u64);
    for path in &args.files {
        let stdin = path.as_os_str() == "-";
        let name = if stdin { "<stdin>".to_string() } else { path.display().to_string() };
        let text = if stdin {
            let mut s = String::new();
            io::Read::read_to_string(&mut io::stdin(), &mut s).map(|_| s)
        } else {
            std::fs::read_to_string(path)
        };
        let text = match text {
            Ok(t) => t,
            Err(e) => {
                report.error(&name, &Failed::Unreadable(&e));
                continue;
            }
        };
        let policies = match policy::parse_file(&text, &name, args.principal.as_deref()) {
            Ok(p) => p,
            // The parser's message starts with the file's name.
            Err(e) => {
                report.fatal(&e);
                report.errors += 1;
                continue;
            }
        };
        files += 1;
        // The file's own size when it is the document itself; an estimate inside CLI output.
        let plain = policies.len() == 1 && policies[0].name == name;
        for p in &policies {
            let size = plain.then(|| lint::size(&text));
            for f in lint::lint(p, size) {
                if args.ignore.iter().any(|c| c == f.code) || (args.errors_only && f.severity != lint::Severity::Error)
                {
                    continue;
                }
                match f.severity {
                    lint::Severity::Error => errors += 1,
                    lint::Severity::Warning => warnings += 1,
                }
                match args.format {
                    LintFormat::Json => {
                        out.json(&f)?;
                    }
                    LintFormat::Text => out.record(f.text().as_bytes())?,
                }
            }
        }
    }
    out.flush()?;
    // Silent on a clean run, as a CI step's log should be.
    if errors + warnings + report.errors == 0 {
        return Ok(EXIT_OK);
    }
    report.summary(&format_args!(
        "lint: {} read, {} and {}",
        plural(files, "policy file", "policy files"),
        plural(errors, "error", "errors"),
        plural(warnings, "warning", "warnings")
    ));
    Ok(if report.errors > 0 {
        EXIT_ERROR
    } else if errors + warnings > 0 {
        EXIT_NEGATIVE
    } else {
        EXIT_OK
    })
}
