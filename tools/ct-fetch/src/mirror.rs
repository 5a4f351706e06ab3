//! The local copy (`-o DIR`): where a key goes, how a file is written so that no partial file
//! ever sits under a final name, and what a previous run left.
//!
//! Bucket contents are not trusted: a key is mapped to a path only when every part of it is a
//! plain file or folder name, so no key can reach outside DIR.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::layout;

/// Bidirectional-text controls: harmless to the file system, but they make a name read as
/// another one in a terminal or a listing.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{61c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Why a key cannot be stored under DIR.
pub fn refuse(key: &str) -> Option<&'static str> {
    if key.is_empty() {
        return Some("empty key");
    }
    if key.starts_with('/') {
        return Some("absolute key");
    }
    if key.len() > 1024 {
        return Some("key longer than 1024 bytes");
    }
    for part in key.split('/') {
        match part {
            "" => return Some("empty path part (`//` or a trailing `/`)"),
            "." | ".." => return Some("`.` or `..` path part"),
            _ if part.starts_with('.') => {
                return Some("hidden path part (names starting with `.` are kept for partial files)");
            }
            _ if part.len() > 255 => return Some("path part longer than 255 bytes"),
            _ => {}
        }
        if part.chars().any(|c| c.is_control() || c == '\\' || is_bidi_control(c)) {
            return Some("control character, bidirectional control or backslash in the key");
        }
    }
    None
}

/// A key as it may be shown on a terminal: control characters and the like escaped.
pub fn shown(key: &str) -> String {
    if key.chars().any(|c| c.is_control() || is_bidi_control(c) || c == '\\') {
        key.escape_debug().to_string()
    } else {
        key.to_string()
    }
}

/// The path of a key under DIR, or why it is refused.
pub fn path_of(dir: &Path, key: &str) -> Result<PathBuf, &'static str> {
    match refuse(key) {
        Some(why) => Err(why),
        None => Ok(key.split('/').fold(dir.to_path_buf(), |p, part| p.join(part))),
    }
}

/// The temporary name a file is written under: hidden (so that readers walking DIR skip it),
/// in the same folder (so that the rename is atomic), and unique to this process and file (so
/// that two runs at once never write into each other's file).
pub fn partial_of(path: &Path) -> PathBuf {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    path.with_file_name(format!(".{name}.{}-{n}.partial", std::process::id()))
}

/// Whether a complete copy is already there: a file of the listed size.
pub fn present(path: &Path, size: u64) -> bool {
    fs::symlink_metadata(path).is_ok_and(|m| m.is_file() && m.len() == size)
}

/// Writes `body` to `path`: to a new partial file first (never following a link planted in
/// its place), then renamed once whole and of the expected size. On any failure the partial
/// file is removed and nothing is left under the final name.
pub fn store(path: &Path, body: &[u8], size: u64) -> io::Result<()> {
    store_then(path, body, size, || Ok(()))
}

/// Writes a digest as `store` does, with its signature sidecar (`sidecar::path_of`): `meta`
/// (the sidecar's text) is put in place before the digest is renamed, so that a digest under
/// its final name always has the sidecar of the object it came from; without metadata a
/// sidecar left by an earlier copy is removed. A sidecar that cannot be written leaves the
/// digest unwritten.
pub fn store_digest(path: &Path, body: &[u8], size: u64, meta: Option<&[u8]>) -> io::Result<()> {
    store_then(path, body, size, || match meta {
        Some(text) => write_sidecar(path, text),
        None => match fs::remove_file(crate::sidecar::path_of(path)) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        },
    })
}

/// Writes the sidecar of the file at `path` as files are written: a new partial file, synced,
/// then renamed over any earlier one (a link in its place is replaced, never followed).
pub fn write_sidecar(path: &Path, text: &[u8]) -> io::Result<()> {
    let side = crate::sidecar::path_of(path);
    write_new(&side, text, || Ok(()))
}

/// `store`, running `before_rename` once the file is whole and synced, before it is renamed; its
/// failure fails the whole.
fn store_then(path: &Path, body: &[u8], size: u64, before_rename: impl FnOnce() -> io::Result<()>) -> io::Result<()> {
    if body.len() as u64 != size {
        return Err(io::Error::other(format!("got {} bytes, the listing says {size}", body.len())));
    }
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent)?;
    }
    write_new(path, body, before_rename)
}

/// Writes `body` under a new partial name beside `path`, syncs it, runs `before_rename`, and
/// renames it to `path`; on any failure the partial file is removed.
fn write_new(path: &Path, body: &[u8], before_rename: impl FnOnce() -> io::Result<()>) -> io::Result<()> {
    let partial = partial_of(path);
    let result = (|| {
        let mut options = fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::custom_flags(&mut options, libc::O_NOFOLLOW);
        let mut f = options.open(&partial)?;
        f.write_all(body)?;
        // Flushed to the disk before the rename, so a crash cannot leave a short file named
        // as complete either.
        f.sync_all()?;
        before_rename()?;
        fs::rename(&partial, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&partial);
    }
    result
}

/// Whether the sidecar of the file at `path` is there (a file, not a link or a folder).
pub fn has_sidecar(path: &Path) -> bool {
    fs::symlink_metadata(crate::sidecar::path_of(path)).is_ok_and(|m| m.is_file())
}

/// Where `--since-last` keeps the start of the next run, in DIR.
const SINCE: &str = ".ct-fetch-since";

/// The start the last complete run left for the next (`--since-last`).
pub fn read_since(dir: &Path) -> io::Result<Option<i64>> {
    match fs::read_to_string(dir.join(SINCE)) {
        Ok(text) => text
            .trim()
            .parse()
            .map(Some)
            .map_err(|_| io::Error::other(format!("{SINCE} holds {:?}, not a time in seconds", text.trim()))),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// Records where the next `--since-last` run starts. Written only after a run without
/// errors, so a file that failed is looked for again next time.
pub fn write_since(dir: &Path, t: i64) -> io::Result<()> {
    fs::create_dir_all(dir)?;
    let tmp = dir.join(format!("{SINCE}.{}", std::process::id()));
    fs::write(&tmp, format!("{t}\n"))?;
    fs::rename(&tmp, dir.join(SINCE))
}

/// The newest delivery time among the trail files under DIR (for `--since-last` in a DIR
/// that no run has recorded a start in).
pub fn newest_delivery(dir: &Path) -> io::Result<Option<i64>> {
    let mut newest = None;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries = match fs::read_dir(&d) {
            Ok(e) => e,
            Err(e) if e.kind() == io::ErrorKind::NotFound && d == dir => return Ok(None),
            Err(e) => return Err(e),
        };
        for entry in entries {
            let entry = entry?;
            let name = entry.file_name();
            if name.to_string_lossy().starts_with('.') {
                continue;
            }
            let kind = entry.file_type()?;
            if kind.is_dir() {
                stack.push(entry.path());
            } else if kind.is_file() {
                let path = entry.path();
                let Ok(rel) = path.strip_prefix(dir) else { continue };
                let key: Vec<String> = rel.iter().map(|p| p.to_string_lossy().into_owned()).collect();
                if let Some(k) = layout::parse(&key.join("/"))
                    && k.kind == layout::Kind::Log
                {
                    newest = newest.max(Some(k.delivered));
                }
            }
        }
    }
    Ok(newest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_that_would_escape_are_refused() {
        for bad in [
            "",
            "/etc/passwd",
            "AWSLogs/../../etc/passwd",
            "AWSLogs/./x",
            "AWSLogs//x",
            "AWSLogs/x/",
            "..",
            "AWSLogs/.hidden",
            "AWSLogs/a\nb",
            "AWSLogs/a\\..\\b",
            "AWSLogs/a\0b",
            "AWSLogs/a\u{9b}b",
            "AWSLogs/a\u{202e}b",
            "AWSLogs/a\u{1b}]0;x\u{7}b",
        ] {
            assert!(refuse(bad).is_some(), "{bad:?}");
            assert!(path_of(Path::new("/d"), bad).is_err());
        }
        let long = format!("AWSLogs/{}", "x".repeat(300));
        assert!(refuse(&long).is_some());
        let ok = "AWSLogs/111122223333/CloudTrail/us-east-1/2017/06/01/f name é.json.gz";
        assert_eq!(refuse(ok), None);
        let p = path_of(Path::new("/d"), ok).unwrap();
        assert!(p.starts_with("/d") && p.ends_with("f name é.json.gz"));
        let partial = partial_of(&p).file_name().unwrap().to_string_lossy().into_owned();
        assert!(partial.starts_with(".f name é.json.gz.") && partial.ends_with(".partial"), "{partial}");
        assert_ne!(partial_of(&p), partial_of(&p), "each writer has its own");
        assert_eq!(shown("a\u{1b}[2Jb\n"), "a\\u{1b}[2Jb\\n");
        assert_eq!(shown(ok), ok);
    }

    #[test]
    fn store_renames_only_a_whole_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a/b/f.json.gz");
        assert!(store(&path, b"abc", 4).is_err(), "short body");
        store(&path, b"abcd", 4).unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"abcd");
        assert!(present(&path, 4) && !present(&path, 5));
        let names: Vec<_> = fs::read_dir(path.parent().unwrap()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, vec!["f.json.gz"], "no partial file left, failed or not");
    }

    #[test]
    fn a_digest_is_renamed_only_after_its_sidecar_and_a_stale_one_goes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("d/x.json.gz");
        let side = crate::sidecar::path_of(&path);
        let names = || {
            let mut n: Vec<String> = fs::read_dir(dir.path().join("d"))
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            n.sort();
            n
        };
        // The sidecar is in place when the digest is renamed.
        store_then(&path, b"abcd", 4, || {
            assert!(!path.exists());
            Ok(())
        })
        .unwrap();
        fs::remove_file(&path).unwrap();
        store_digest(&path, b"abcd", 4, Some(br#"{"signature":"ab"}"#)).unwrap();
        assert_eq!(fs::read(&side).unwrap(), br#"{"signature":"ab"}"#);
        assert!(present(&path, 4) && has_sidecar(&path));
        assert_eq!(names(), vec![".x.json.gz.meta.json", "x.json.gz"], "no partial file left");
        // A copy without metadata takes the old sidecar away with it.
        store_digest(&path, b"efgh", 4, None).unwrap();
        assert!(!side.exists() && !has_sidecar(&path));
        assert_eq!(names(), vec!["x.json.gz"]);
        // A short body writes neither.
        fs::remove_file(&path).unwrap();
        assert!(store_digest(&path, b"abc", 4, Some(b"{}")).is_err());
        assert!(names().is_empty(), "{:?}", names());
        // A sidecar that cannot be written leaves the digest unwritten.
        fs::create_dir_all(&side).unwrap();
        fs::write(side.join("in-the-way"), b"").unwrap();
        assert!(store_digest(&path, b"abcd", 4, Some(b"{}")).is_err());
        assert!(!path.exists());
        assert_eq!(names(), vec![".x.json.gz.meta.json"], "no partial file left");
        assert!(!has_sidecar(&path), "a folder is no sidecar");
    }

    #[cfg(unix)]
    #[test]
    fn a_link_in_place_of_a_sidecar_is_replaced_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.json.gz");
        let target = dir.path().join("target");
        fs::write(&target, b"keep").unwrap();
        std::os::unix::fs::symlink(&target, crate::sidecar::path_of(&path)).unwrap();
        assert!(!has_sidecar(&path), "a link is no sidecar");
        write_sidecar(&path, b"{}").unwrap();
        assert_eq!(fs::read(&target).unwrap(), b"keep");
        assert!(has_sidecar(&path));
        assert_eq!(fs::read(crate::sidecar::path_of(&path)).unwrap(), b"{}");
    }

    #[test]
    fn the_start_of_the_next_run_is_kept_in_dir() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(read_since(dir.path()).unwrap(), None);
        write_since(dir.path(), 1_496_322_000).unwrap();
        assert_eq!(read_since(dir.path()).unwrap(), Some(1_496_322_000));
        fs::write(dir.path().join(SINCE), "yesterday").unwrap();
        assert!(read_since(dir.path()).is_err());
    }

    #[test]
    fn the_newest_delivery_is_found_and_partial_files_ignored() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(newest_delivery(&dir.path().join("missing")).unwrap(), None);
        let day = "AWSLogs/111122223333/CloudTrail/us-east-1/2017/06/01";
        fs::create_dir_all(dir.path().join(day)).unwrap();
        for name in [
            "111122223333_CloudTrail_us-east-1_20170601T0100Z_aaaaaaaaaaaaaaaa.json.gz",
            "111122223333_CloudTrail_us-east-1_20170601T0300Z_bbbbbbbbbbbbbbbb.json.gz",
            ".111122223333_CloudTrail_us-east-1_20170601T0500Z_cccccccccccccccc.json.gz.partial",
            "notes.txt",
        ] {
            fs::write(dir.path().join(day).join(name), b"x").unwrap();
        }
        let t = newest_delivery(dir.path()).unwrap().unwrap();
        assert_eq!(ct_common::time::Time::from_secs(t).to_iso(), "2017-06-01T03:00:00Z");
    }
}
