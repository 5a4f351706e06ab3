//! A tiny harness for the tools' end-to-end tests: run a binary with arguments and stdin,
//! find fixtures, compare line lists with a readable diff.
#![forbid(unsafe_code)]

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

/// What a run of a tool gave.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// A path under the repository's `tests/fixtures/`.
pub fn fixture(rel: &str) -> String {
    format!("{}/../fixtures/{rel}", env!("CARGO_MANIFEST_DIR"))
}

/// A path under the repository root (the sample trail is `tests/data/bucket`).
pub fn repo(rel: &str) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    format!("{}/{rel}", root.display())
}

/// Runs `bin` with `args`, feeding `stdin`, and waits for it.
pub fn run(bin: &str, args: &[&str], stdin: &[u8]) -> Run {
    let mut child = Command::new(bin)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("run {bin}: {e}"));
    let mut input = child.stdin.take().expect("stdin");
    let data = stdin.to_vec();
    // A tool may exit before reading all of its input: ignore the broken pipe.
    let feeder = std::thread::spawn(move || {
        let _ = input.write_all(&data);
    });
    let out = child.wait_with_output().expect("wait");
    feeder.join().expect("feeder");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).expect("UTF-8 output"),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Runs `bin`, reads the first line of its output and closes the pipe, as `| head -1` does,
/// while `stdin` is still being fed; returns how the tool ended.
pub fn run_closing_stdout(bin: &str, args: &[&str], stdin: Vec<u8>) -> Run {
    use std::io::{BufRead, BufReader};
    let mut child = Command::new(bin)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("run {bin}: {e}"));
    let mut input = child.stdin.take().expect("stdin");
    let feeder = std::thread::spawn(move || {
        let _ = input.write_all(&stdin);
    });
    let mut first = String::new();
    BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut first).expect("a first line");
    let out = child.wait_with_output().expect("wait");
    feeder.join().expect("feeder");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: first,
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Gzip of `data`, one member.
pub fn gz(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(data).expect("gzip");
    e.finish().expect("gzip")
}

/// The decompressed content of gzip data (all members).
pub fn gunzip(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::MultiGzDecoder::new(data), &mut out).expect("gunzip");
    out
}

/// Panics with the first differing line shown, rather than two walls of text.
pub fn assert_lines_eq(expected: &str, got: &str) {
    if expected == got {
        return;
    }
    let (e, g): (Vec<&str>, Vec<&str>) = (expected.lines().collect(), got.lines().collect());
    for i in 0..e.len().max(g.len()) {
        let (a, b) = (e.get(i), g.get(i));
        if a != b {
            panic!(
                "output differs at line {} (expected {} lines, got {}):\nexpected: {}\n     got: {}",
                i + 1,
                e.len(),
                g.len(),
                a.map_or("<none>", |s| &s[..s.len().min(300)]),
                b.map_or("<none>", |s| &s[..s.len().min(300)])
            );
        }
    }
    panic!("outputs differ only in line endings or a trailing newline");
}

/// Every record of the sample trail (`tests/data/bucket`), read with flate2 and serde_json
/// only, so that tests have an oracle that shares no code with the tools. Log files in
/// sorted path order, records in file order; digest files left out.
pub fn sample_records() -> Vec<serde_json::Value> {
    let mut files = Vec::new();
    let mut stack = vec![std::path::PathBuf::from(repo("tests/data/bucket/AWSLogs"))];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).expect("sample bucket") {
            let p = e.expect("entry").path();
            if p.is_dir() {
                stack.push(p);
            } else if p.to_str().is_some_and(|s| s.contains("/CloudTrail/")) {
                files.push(p);
            }
        }
    }
    files.sort();
    let mut out = Vec::new();
    for f in files {
        let doc: serde_json::Value = serde_json::from_slice(&gunzip(&std::fs::read(f).expect("read"))).expect("JSON");
        out.extend(doc["Records"].as_array().expect("Records").iter().cloned());
    }
    out
}
