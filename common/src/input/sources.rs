//! Turning command-line paths into the ordered list of sources to read.

use std::ffi::OsStr;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use crate::error::Failed;

/// One input: stdin, a file, or a path that could not be used (reported in its turn, so
/// that messages come out in the order of the inputs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Stdin,
    File(PathBuf),
    Bad { name: String, message: String },
}

impl Source {
    pub fn name(&self) -> String {
        match self {
            Source::Stdin => "<stdin>".to_string(),
            // A file name may hold a newline or a terminal escape: shown escaped in messages.
            Source::File(p) => shown(&p.display().to_string()),
            Source::Bad { name, .. } => shown(name),
        }
    }
}

/// A name as it may be printed: control characters escaped, the rest as it is.
pub fn shown(name: &str) -> String {
    if name.chars().any(char::is_control) { name.escape_debug().to_string() } else { name.to_string() }
}

/// What a tool says when it waits for events typed on the terminal, which looks like a hang
/// to someone who forgot the file name.
pub const TERMINAL_NOTE: &str =
    "reading records from the terminal (standard input); give a file or pipe them in, Ctrl-D to end";

/// Says on stderr, once, that standard input is being read, when it is a terminal (never when
/// events are piped or redirected in). The tool is named as the program was called.
fn note_terminal_stdin(noted: &mut bool) {
    if *noted || !std::io::stdin().is_terminal() {
        return;
    }
    *noted = true;
    let argv0 = std::env::args_os().next().unwrap_or_default();
    let tool = Path::new(&argv0).file_name().map(|n| n.to_string_lossy().into_owned());
    let _ = writeln!(std::io::stderr().lock(), "{}: {TERMINAL_NOTE}", tool.as_deref().unwrap_or("ct"));
}

/// Expands paths: `-` (or no path at all) is stdin; a directory is walked recursively in
/// sorted order, following symbolic links but never looping, and leaving out hidden entries
/// (such as the partial downloads of ct-fetch) below it. When stdin is among them and is a
/// terminal, a note on stderr says so (`TERMINAL_NOTE`).
pub fn expand(paths: &[PathBuf]) -> Vec<Source> {
    let mut noted = false;
    if paths.is_empty() {
        note_terminal_stdin(&mut noted);
        return vec![Source::Stdin];
    }
    let mut out = Vec::new();
    for path in paths {
        if path.as_os_str() == "-" {
            note_terminal_stdin(&mut noted);
            out.push(Source::Stdin);
            continue;
        }
        match std::fs::metadata(path) {
            Ok(m) if m.is_dir() => walk(path, &mut out),
            Ok(_) => out.push(Source::File(path.clone())),
            Err(e) => out.push(Source::Bad { name: path.display().to_string(), message: Failed::Open(&e).to_string() }),
        }
    }
    out
}

fn hidden(name: &OsStr) -> bool {
    name.as_encoded_bytes().first() == Some(&b'.')
}

fn walk(root: &Path, out: &mut Vec<Source>) {
    let walker = WalkDir::new(root)
        .follow_links(true)
        .sort_by(|a, b| a.file_name().cmp(b.file_name()))
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !hidden(e.file_name()));
    for entry in walker {
        match entry {
            Ok(e) if e.file_type().is_dir() => {}
            Ok(e) => out.push(Source::File(e.into_path())),
            Err(err) => {
                let name = err.path().unwrap_or(root).display().to_string();
                let message = if err.loop_ancestor().is_some() {
                    "symbolic link loop, not followed".to_string()
                } else if let Some(io) = err.io_error() {
                    Failed::Unreadable(io).to_string()
                } else {
                    err.to_string()
                };
                out.push(Source::Bad { name, message });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    #[test]
    fn walks_directories_in_sorted_order_skipping_hidden_entries() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        fs::create_dir_all(d.join("b/2")).unwrap();
        fs::create_dir_all(d.join("a")).unwrap();
        fs::create_dir_all(d.join(".hidden")).unwrap();
        for f in ["b/2/y.json", "b/1.json", "a/z.json", ".hidden/x.json", "b/.partial.json.gz", "c.json"] {
            fs::write(d.join(f), b"{}").unwrap();
        }
        let got: Vec<String> = expand(&[d.to_path_buf()])
            .iter()
            .map(|s| s.name().strip_prefix(&d.display().to_string()).unwrap().to_string())
            .collect();
        assert_eq!(got, vec!["/a/z.json", "/b/1.json", "/b/2/y.json", "/c.json"]);
    }

    #[test]
    fn dash_and_nothing_mean_stdin_and_missing_paths_are_reported_in_place() {
        assert_eq!(expand(&[]), vec![Source::Stdin]);
        let got = expand(&[PathBuf::from("-"), PathBuf::from("/no/such/file")]);
        assert_eq!(got[0], Source::Stdin);
        assert!(
            matches!(&got[1], Source::Bad { name, message } if name == "/no/such/file" && message.contains("No such file"))
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_loop_is_reported_not_followed_forever() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        fs::create_dir_all(d.join("a")).unwrap();
        fs::write(d.join("a/e.json"), b"{}").unwrap();
        std::os::unix::fs::symlink(d, d.join("a/loop")).unwrap();
        let got = expand(&[d.to_path_buf()]);
        assert!(got.iter().any(|s| matches!(s, Source::Bad { message, .. } if message.contains("loop"))));
        assert_eq!(got.iter().filter(|s| matches!(s, Source::File(_))).count(), 1);
    }
}
