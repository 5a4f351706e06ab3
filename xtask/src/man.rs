//! Man pages generated from the clap definitions, so that `--help` and the pages never
//! disagree. Each tool's library exposes its `Cli` (clap) and `MAN_SECTIONS` (the prose
//! sections after OPTIONS); ct.7 is written here.

use std::fs;
use std::path::Path;

use clap::CommandFactory;
use roff::{Roff, roman};

/// Every tool: its clap definition and the prose sections of its man page.
fn tools() -> Vec<(clap::Command, &'static [(&'static str, &'static str)])> {
    vec![
        (ct_fetch::Cli::command(), ct_fetch::MAN_SECTIONS),
        (ct_unzip::Cli::command(), ct_unzip::MAN_SECTIONS),
        (ct_filter::Cli::command(), ct_filter::MAN_SECTIONS),
        (ct_actions::Cli::command(), ct_actions::MAN_SECTIONS),
        (ct_policy::Cli::command(), ct_policy::MAN_SECTIONS),
        (ct_show::Cli::command(), ct_show::MAN_SECTIONS),
        (ct_verify::Cli::command(), ct_verify::MAN_SECTIONS),
    ]
}

/// Every page: file name and content, ct.7, and the shell completions generated from the same
/// clap definitions (`completions/TOOL.bash`, `_TOOL` for zsh, `TOOL.fish`), which
/// `make install` puts where each shell looks.
pub fn pages() -> Vec<(String, Vec<u8>)> {
    let mut all = Vec::new();
    for (mut cmd, sections) in tools() {
        let name = cmd.get_name().to_string();
        for (shell, file) in [
            (clap_complete::Shell::Bash, format!("{name}.bash")),
            (clap_complete::Shell::Zsh, format!("_{name}")),
            (clap_complete::Shell::Fish, format!("{name}.fish")),
        ] {
            let mut out = Vec::new();
            clap_complete::generate(shell, &mut cmd, name.clone(), &mut out);
            all.push((format!("completions/{file}"), out));
        }
        all.insert(0, tool_page(cmd, sections));
    }
    all.push(("ct.7".to_string(), overview().into_bytes()));
    all
}

fn tool_page(cmd: clap::Command, sections: &[(&str, &str)]) -> (String, Vec<u8>) {
    let name = cmd.get_name().to_string();
    let man_cmd = &cmd.clone();
    let man = clap_mangen::Man::new(cmd).manual("ct manual").source(format!("ct {}", env!("CARGO_PKG_VERSION")));
    let mut out = Vec::new();
    // Writing to a Vec cannot fail.
    man.render_title(&mut out).expect("render");
    man.render_name_section(&mut out).expect("render");
    out.extend(synopsis(man_cmd).render().into_bytes());
    man.render_description_section(&mut out).expect("render");
    man.render_options_section(&mut out).expect("render");
    for (title, body) in sections {
        out.extend(section(title, body).render().into_bytes());
    }
    (format!("{name}.1"), out)
}

/// SYNOPSIS with each option's value (clap_mangen writes `[--start]` for `--start TIME`), one
/// line per subcommand for a tool that has them.
fn synopsis(cmd: &clap::Command) -> Roff {
    fn usage(path: &str, cmd: &clap::Command) -> String {
        let mut parts = vec![path.to_string()];
        for arg in cmd.get_arguments().filter(|a| !a.is_hide_set()) {
            let values: Vec<String> = arg
                .get_value_names()
                .map(|v| v.iter().map(|n| n.to_string()).collect())
                .unwrap_or_else(|| vec![arg.get_id().as_str().to_ascii_uppercase()]);
            let takes = arg.get_action().takes_values();
            let many = matches!(arg.get_action(), clap::ArgAction::Append);
            if arg.is_positional() {
                let v = values.join(" ");
                parts.push(if arg.is_required_set() { v } else { format!("[{v}]") } + if many { "..." } else { "" });
                continue;
            }
            let mut flag = match (arg.get_short(), arg.get_long()) {
                (Some(s), Some(l)) => format!("-{s}|--{l}"),
                (Some(s), None) => format!("-{s}"),
                (None, Some(l)) => format!("--{l}"),
                (None, None) => continue,
            };
            if takes {
                flag += &format!(" {}", values.join(" "));
            }
            parts.push(
                if arg.is_required_set() { flag } else { format!("[{flag}]") } + if many && takes { "..." } else { "" },
            );
        }
        parts.join(" ")
    }
    let mut r = Roff::new();
    r.control("SH", ["SYNOPSIS"]);
    let name = cmd.get_name();
    let subs: Vec<&clap::Command> = cmd.get_subcommands().filter(|s| !s.is_hide_set()).collect();
    // The tool's own form (ct-policy without a subcommand generates), then each subcommand's.
    let own = cmd.get_arguments().any(|a| !a.is_hide_set() && !matches!(a.get_id().as_str(), "help" | "version"));
    let mut lines: Vec<String> = Vec::new();
    if own || subs.is_empty() {
        lines.push(usage(name, cmd));
    }
    lines.extend(subs.iter().map(|sub| usage(&format!("{name} {}", sub.get_name()), sub)));
    for (i, line) in lines.into_iter().enumerate() {
        if i > 0 {
            r.control("br", []);
        }
        r.text([roman(line)]);
    }
    r
}

/// A section from plain text: paragraphs separated by blank lines; a paragraph of several
/// lines, or one that starts like a command or a JSON record, is set as-is (no filling).
fn section(title: &str, body: &str) -> Roff {
    let mut r = Roff::new();
    r.control("SH", [title]);
    for para in body.split("\n\n") {
        let literal = para.contains('\n') || para.starts_with('{') || para.starts_with("ct-") || para.starts_with("  ");
        if literal {
            r.control("PP", []).control("nf", []).control("RS", ["4"]);
            for line in para.lines() {
                r.text([roman(line)]);
            }
            r.control("RE", []).control("fi", []);
        } else {
            r.control("PP", []).text([roman(para)]);
        }
    }
    r
}

/// ct(7): the toolkit, the record contract, the pipelines.
fn overview() -> String {
    let mut r = Roff::new();
    r.control("TH", ["CT", "7", "", &format!("ct {}", env!("CARGO_PKG_VERSION")), "ct manual"]);
    r.control("SH", ["NAME"]).text([roman("ct - small Unix filters for AWS CloudTrail logs")]);
    let sections: &[(&str, &str)] = &[
        (
            "DESCRIPTION",
            "AWS CloudTrail records every API call made in an account and delivers the records as gzipped JSON files to an S3 bucket. \
             The ct tools each do one step of working with those records, reading and writing newline-delimited JSON so that they \
             compose in shell pipelines, cron jobs and CI steps:\n\n\
             ct-fetch    pull exactly the log files of a time window from S3 or a local mirror, or the event history\n\
             ct-unzip    turn any CloudTrail input into one event per line\n\
             ct-filter   select events by who, what, where and when\n\
             ct-actions  the IAM actions the events used, with counts, resources and principals\n\
             ct-policy   a least-privilege policy; a CI gate against an allowed policy\n\
             ct-show     the end of a pipeline, for people: tables, TSV, CSV, counts, time zones\n\
             ct-verify   prove the log files were not changed, deleted or forged, with their digest files\n\n\
             The tools that exist in this release have their own pages; see SEE ALSO.",
        ),
        (
            "THE RECORD STREAM",
            "Every tool reads and writes NDJSON: UTF-8, one JSON object per line, each line ending in a newline, no blank lines, \
             no envelope. An event record is one CloudTrail event object exactly as AWS wrote it: the same keys in the same order, \
             the same values, the same number text and escapes; only insignificant whitespace is removed. No tool adds, renames or \
             drops fields of an event, and jq can read every stream. Other record kinds (action records, finding records, object \
             records) are documented, with an example line, in the page of the tool that writes them.",
        ),
        (
            "INPUTS",
            "Tools that read events accept, through one shared reader: NDJSON events; S3 delivery files ({\"Records\":[...]}); JSON \
             arrays of events; single events; the output of aws cloudtrail lookup-events, whole or one entry per line; EventBridge \
             envelopes; CloudWatch Logs subscription payloads. Gzip is recognised by its magic bytes, never by the file name, and \
             concatenated gzip members are one stream. Directories are walked recursively in sorted path order. - or no path \
             means standard input. Digest files hold no events and are skipped with a note.",
        ),
        (
            "CONVENTIONS",
            "Exit status: 0 success; 1 a negative answer that scripts test for (no event matched; a disallowed action was found); \
             2 an error (bad usage, unreadable or malformed input, I/O failure). Errors go to standard error as \
             ct-TOOL: PLACE: problem, where PLACE names the file and the line or record. A bad record or file never stops the good \
             ones around it from being processed, unless --strict is given, and is counted in a summary line at the end. A closed \
             standard output (| head) ends a tool quietly with status 0. Output is written in large blocks unless \
             --line-buffered is given. Times are UTC unless --tz names a zone (see TIMES in each tool's page, and TIME ZONES \
             in ct-show's, which also takes --local).",
        ),
        (
            "PIPELINES",
            "ct-fetch s3://trail-bucket --account 111122223333 --region ap-southeast-2 \\\n    --start '2017-06-01 1:00 pm' --end '2017-06-02 5:00 pm' --stdout \\\n  | ct-unzip | ct-filter --role deploy-agent | ct-actions | ct-policy > policy.json\n\n\
             ct-unzip logs/ | ct-filter --role build-agent | ct-actions | ct-policy check --policy allowed.json\n\n\
             ct-unzip logs/ | ct-filter --user alice --start -7d | ct-show --sort -time --tz Australia/Melbourne",
        ),
        (
            "SEE ALSO",
            "ct-fetch(1), ct-unzip(1), ct-filter(1), ct-actions(1), ct-policy(1), ct-show(1), ct-verify(1), jq(1)",
        ),
    ];
    let mut out = r.render();
    for (title, body) in sections {
        out += &section(title, body).render();
    }
    out
}

pub fn write(dir: &Path) -> Result<(), String> {
    fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for (name, content) in pages() {
        let path = dir.join(&name);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
        }
        fs::write(&path, content).map_err(|e| format!("{}: {e}", path.display()))?;
        println!("wrote {}", path.display());
    }
    Ok(())
}

pub fn check(dir: &Path) -> Result<(), String> {
    let stale = stale_pages(dir);
    if stale.is_empty() {
        Ok(())
    } else {
        Err(format!("man pages out of date: {} (run `cargo xtask man`)", stale.join(", ")))
    }
}

fn stale_pages(dir: &Path) -> Vec<String> {
    pages()
        .into_iter()
        .filter(|(name, content)| fs::read(dir.join(name)).ok().as_ref() != Some(content))
        .map(|(name, _)| name)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn committed_man_pages_match_the_clap_definitions() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../man");
        let stale = stale_pages(&dir);
        assert!(stale.is_empty(), "man pages differ from the generator: {stale:?}; run `cargo xtask man`");
    }

    #[test]
    fn every_page_documents_exit_status_and_options() {
        for (name, content) in pages() {
            let text = String::from_utf8(content).unwrap();
            if name.ends_with(".1") {
                assert!(text.contains(".SH OPTIONS"), "{name}");
                assert!(text.contains(".SH \"EXIT STATUS\""), "{name}");
                assert!(text.contains(".SH EXAMPLES"), "{name}");
            }
        }
    }
}
