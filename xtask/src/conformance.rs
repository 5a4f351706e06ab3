//! The conformance step of CI: the tools over real files written by AWS.

use std::fs;
use std::path::Path;
use std::process::Command;

/// For each folder in `dir/counts.tsv`: ct-unzip must exit 0 and write exactly the listed
/// number of events, each line a JSON object.
pub fn run(dir: &Path, bin: &Path) -> Result<(), String> {
    let counts =
        fs::read_to_string(dir.join("counts.tsv")).map_err(|e| format!("{}/counts.tsv: {e}", dir.display()))?;
    let unzip = bin.join("ct-unzip");
    let mut failures = Vec::new();
    let mut total = 0u64;
    for line in counts.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty()) {
        let mut cols = line.split('\t');
        let (Some(folder), Some(want)) = (cols.next(), cols.next()) else {
            return Err(format!("counts.tsv: bad line {line:?}"));
        };
        let want: u64 = want.trim().parse().map_err(|_| format!("counts.tsv: bad count in {line:?}"))?;
        let out = Command::new(&unzip)
            .arg("-q")
            .arg(dir.join(folder))
            .output()
            .map_err(|e| format!("{}: {e}", unzip.display()))?;
        let mut got = 0u64;
        let mut invalid = 0u64;
        for l in out.stdout.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
            got += 1;
            match serde_json::from_slice::<serde_json::Value>(l) {
                Ok(v) if v.is_object() => {}
                _ => invalid += 1,
            }
        }
        let ok = out.status.success() && got == want && invalid == 0;
        println!(
            "{:<4} {folder:<28} events {got:>6} (want {want:>6}), invalid lines {invalid}, exit {}",
            if ok { "ok" } else { "FAIL" },
            out.status.code().unwrap_or(-1)
        );
        if !out.stderr.is_empty() {
            print!("{}", String::from_utf8_lossy(&out.stderr));
        }
        total += got;
        if !ok {
            failures.push(folder.to_string());
        }
    }
    println!("conformance: {total} events in all");
    // ct-actions over every event: which actions the catalog does not hold.
    let actions = bin.join("ct-actions");
    let dirs: Vec<_> = counts
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| l.split('\t').next())
        .map(|f| dir.join(f))
        .collect();
    let out =
        Command::new(&actions).arg("--text").args(&dirs).output().map_err(|e| format!("{}: {e}", actions.display()))?;
    let text = String::from_utf8_lossy(&out.stdout);
    println!(
        "ct-actions: {} distinct actions over the whole corpus, exit {}",
        text.lines().count(),
        out.status.code().unwrap_or(-1)
    );
    print!("{}", String::from_utf8_lossy(&out.stderr));
    if !out.status.success() {
        failures.push("ct-actions".to_string());
    }
    // The real digests: each must read as a digest, with its chain fields. Their signatures
    // cannot be checked: the files were copied without the S3 metadata that holds them, and
    // AWS's public key for them is not in the corpus.
    let digest_dir = dir.join("digest");
    if let Ok(entries) = fs::read_dir(&digest_dir) {
        for e in entries.flatten().filter(|e| e.path().is_file()) {
            let bytes = fs::read(e.path()).map_err(|err| format!("{}: {err}", e.path().display()))?;
            match ct_verify::digest::parse(&bytes) {
                Ok(d) => println!(
                    "ok   digest {}: {} log files, {} to {}, previous digest {}, key {}; signature not checkable \
                     (no S3 metadata in the copy, AWS's key not in the corpus)",
                    e.file_name().to_string_lossy(),
                    d.log_files.len(),
                    d.digest_start_time,
                    d.digest_end_time,
                    d.previous_object.as_deref().map_or("none", |_| "named"),
                    d.digest_public_key_fingerprint,
                ),
                Err(err) => {
                    println!("FAIL digest {}: {err}", e.file_name().to_string_lossy());
                    failures.push(format!("digest {}", e.file_name().to_string_lossy()));
                }
            }
        }
    }
    if failures.is_empty() { Ok(()) } else { Err(format!("conformance failed for: {}", failures.join(", "))) }
}
