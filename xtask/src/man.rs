//! Man pages generated from the clap definitions, so that `--help` and the pages never
//! disagree. Each tool's library exposes its `Cli` (clap) and `MAN_SECTIONS` (the prose
//! sections after OPTIONS); ct.7 is written here.

use std::fs;
use std::path::Path;

use clap::CommandFactory;
use roff::{Roff, roman};

/// Every page: file name and content.
pub fn pages() -> Vec<(String, Vec<u8>)> {
    vec![
        tool_page(ct_fetch::Cli::command(), ct_fetch::MAN_SECTIONS),
        tool_page(ct_unzip::Cli::command(), ct_unzip::MAN_SECTIONS),
        tool_page(ct_filter::Cli::command(), ct_filter::MAN_SECTIONS),
        tool_page(ct_actions::Cli::command(), ct_actions::MAN_SECTIONS),
        tool_page(ct_policy::Cli::command(), ct_policy::MAN_SECTIONS),
        tool_page(ct_show::Cli::command(), ct_show::MAN_SECTIONS),
        ("ct.7".to_string(), overview().into_bytes()),
    ]
}

fn tool_page(cmd: clap::Command, sections: &[(&str, &str)]) -> (String, Vec<u8>) {
    let name = cmd.get_name().to_string();
    let man = clap_mangen::Man::new(cmd).manual("ct manual").source(format!("ct {}", env!("CARGO_PKG_VERSION")));
    let mut out = Vec::new();
    // Writing to a Vec cannot fail.
    man.render_title(&mut out).expect("render");
    man.render_name_section(&mut out).expect("render");
    man.render_synopsis_section(&mut out).expect("render");
    man.render_description_section(&mut out).expect("render");
    man.render_options_section(&mut out).expect("render");
    for (title, body) in sections {
        out.extend(section(title, body).render().into_bytes());
    }
    (format!("{name}.1"), out)
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
    r.control("SH", ["NAME"]).text([roman("ct \\- small Unix filters for AWS CloudTrail logs")]);
    let sections: &[(&str, &str)] = &[
        (
            "DESCRIPTION",
            "AWS CloudTrail records every API call made in an account and delivers the records as gzipped JSON files to an S3 bucket. \
             The ct tools each do one step of working with those records, reading and writing newline-delimited JSON so that they \
             compose in shell pipelines, cron jobs and CI steps:\n\n\
             ct-fetch    pull exactly the log files of a time window from S3 or a local mirror\n\
             ct-unzip    turn any CloudTrail input into one event per line\n\
             ct-filter   select events by who, what, where and when\n\
             ct-actions  the IAM actions the events used, with counts, resources and principals\n\
             ct-policy   a least-privilege policy; a CI gate against an allowed policy\n\
             ct-show     the end of a pipeline, for people: tables, TSV, CSV, counts, time zones\n\n\
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
             --line-buffered is given. All times are UTC, unless ct-show is asked to show them in a zone (--tz, --local).",
        ),
        (
            "PIPELINES",
            "ct-fetch s3://trail-bucket --account 111122223333 --region ap-southeast-2 \\\n    --start '2017-06-01 1:00 pm' --end '2017-06-02 5:00 pm' --stdout \\\n  | ct-unzip | ct-filter --role deploy-agent | ct-actions | ct-policy > policy.json\n\n\
             ct-unzip logs/ | ct-filter --role build-agent | ct-actions | ct-policy check --policy allowed.json\n\n\
             ct-unzip logs/ | ct-filter --user alice --start -7d | ct-show --sort -time --tz Australia/Melbourne",
        ),
        ("SEE ALSO", "ct-fetch(1), ct-unzip(1), ct-filter(1), ct-actions(1), ct-policy(1), ct-show(1), jq(1)"),
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
