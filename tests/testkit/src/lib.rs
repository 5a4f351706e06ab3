//! A tiny harness for the tools' end-to-end tests: run a binary with arguments and stdin, check
//! its exit status and read its JSON-lines output with the output shown on failure, find
//! fixtures, compare line lists with a readable diff.
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

impl Run {
    /// Stdout's JSON lines, one value a line, as the tools write records and findings. A line
    /// that is not JSON panics, naming the line and showing stderr: a tool's complaint usually
    /// says why its output went wrong.
    #[track_caller]
    pub fn records(&self) -> Vec<serde_json::Value> {
        self.stdout
            .lines()
            .enumerate()
            .map(|(i, line)| {
                serde_json::from_str(line).unwrap_or_else(|e| {
                    panic!("stdout line {} is not JSON ({e}): {}\nstderr:\n{}", i + 1, cut(line, 300), self.stderr)
                })
            })
            .collect()
    }

    /// Panics unless the tool exited with `code`, showing the status expected and the one
    /// given, the start of stdout and stderr. Returns the run, so that a test can go on with
    /// `run.assert_code(0).records()`.
    #[track_caller]
    pub fn assert_code(&self, code: i32) -> &Self {
        if self.code != code {
            panic!(
                "exit status {}, expected {code}\nstdout ({} lines):\n{}\nstderr:\n{}",
                self.code,
                self.stdout.lines().count(),
                cut(&self.stdout, 2000),
                cut(&self.stderr, 8000)
            );
        }
        self
    }
}

/// The first `max` bytes of `text` (at a character boundary), with a note of how much was left
/// out.
fn cut(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_string();
    }
    let end = text.floor_char_boundary(max);
    format!("{}... ({} more bytes)", &text[..end], text.len() - end)
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

#[cfg(test)]
mod tests {
    use super::Run;

    fn run(code: i32, stdout: &str, stderr: &str) -> Run {
        Run { code, stdout: stdout.into(), stderr: stderr.into() }
    }

    #[test]
    fn records_are_the_json_lines_of_stdout() {
        let r = run(0, "{\"a\":1}\n[2]\n", "");
        assert_eq!(r.records(), vec![serde_json::json!({"a": 1}), serde_json::json!([2])]);
        assert!(run(1, "", "").records().is_empty());
    }

    #[test]
    #[should_panic(expected = "stdout line 2 is not JSON")]
    fn a_line_that_is_not_json_names_its_number() {
        run(0, "{}\nnot json\n", "line 2: oops").records();
    }

    #[test]
    fn the_status_expected_passes_the_run_on() {
        let r = run(2, "", "");
        assert_eq!(r.assert_code(2).code, 2);
    }

    #[test]
    fn a_wrong_status_shows_both_and_the_output() {
        let r = run(1, &"x".repeat(5000), "ct-x: bad input\n");
        let panic = std::panic::catch_unwind(|| {
            r.assert_code(0);
        })
        .expect_err("status 1 is not 0");
        let message = panic.downcast_ref::<String>().expect("a message");
        assert!(message.starts_with("exit status 1, expected 0\n"), "{message}");
        assert!(message.contains("stdout (1 lines):\nxxx"), "{message}");
        assert!(message.contains("... (3000 more bytes)"), "{message}");
        assert!(message.ends_with("stderr:\nct-x: bad input\n"), "{message}");
    }
}
