//! A digest's signature, kept beside it in a mirror.
//!
//! CloudTrail signs each digest file and puts the signature in the object's S3 user metadata
//! (`x-amz-meta-signature`, `x-amz-meta-signature-algorithm`, and for backfill digests
//! `x-amz-meta-backfill-generation-timestamp`), not in the file, so a plain download loses it.
//! ct-fetch -o writes it beside `DIR/…/NAME` as the hidden file `.NAME.meta.json`: the user
//! metadata as S3 returns it, without the `x-amz-meta-` prefix, keys lowercased and sorted,
//! compact JSON without a trailing newline:
//!
//! ```text
//! {"signature":"<hex>","signature-algorithm":"SHA256withRSA"}
//! ```
//!
//! ct-verify and ct-synth read and write the same format: do not change it.
//!
//! Metadata is bucket content, not trusted: only printable ASCII of bounded length is kept, and
//! anything else refuses the file with an error naming the metadata key.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// User metadata: lowercased key (without `x-amz-meta-`) to value, sorted by key.
pub type Meta = BTreeMap<String, String>;

/// The longest metadata key taken, in bytes.
pub const MAX_KEY: usize = 128;
/// The longest value taken, in bytes: S3 holds at most 2 KB of user metadata in all; a
/// signature is 512 hex characters for a 2048-bit key, 1024 for a 4096-bit one.
pub const MAX_VALUE: usize = 2048;
/// The most metadata taken in all (keys and values), in bytes: S3's 2 KB with room for stores
/// that allow more.
pub const MAX_TOTAL: usize = 8192;
/// The largest sidecar read from a local source.
pub const MAX_FILE: u64 = 64 << 10;

/// The sidecar of the file at `path`: `.NAME.meta.json` in the same folder.
pub fn path_of(path: &Path) -> PathBuf {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    path.with_file_name(format!(".{name}.meta.json"))
}

/// The file name of the sidecar of the file at `path`, for messages.
pub fn name_of(path: &Path) -> String {
    let side = path_of(path);
    crate::mirror::shown(&side.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default())
}

/// Checks metadata entries (as S3 or a sidecar gives them) and returns them as kept: keys
/// lowercased, 1 to `MAX_KEY` bytes of printable ASCII without spaces; values up to
/// `MAX_VALUE` bytes of printable ASCII (spaces allowed); `MAX_TOTAL` bytes in all. The error
/// names the first key refused (`shown` is how keys are named in it: `x-amz-meta-` for S3).
pub fn check<'a>(entries: impl IntoIterator<Item = (&'a str, &'a str)>, shown: &str) -> Result<Meta, String> {
    let mut out = Meta::new();
    let mut total = 0usize;
    for (key, value) in entries {
        let name = || format!("metadata \"{}\"", crate::mirror::shown(&format!("{shown}{key}")));
        if key.is_empty() {
            return Err(format!("{}: empty key", name()));
        }
        if key.len() > MAX_KEY {
            return Err(format!("{}: key longer than {MAX_KEY} bytes", name()));
        }
        if !key.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(format!(
                "{}: the key holds a space, a control character or a character other than ASCII",
                name()
            ));
        }
        if value.len() > MAX_VALUE {
            return Err(format!("{}: value longer than {MAX_VALUE} bytes", name()));
        }
        if !value.bytes().all(|b| b == b' ' || b.is_ascii_graphic()) {
            return Err(format!("{}: the value holds a control character or a character other than ASCII", name()));
        }
        total += key.len() + value.len();
        if total > MAX_TOTAL {
            return Err(format!("{}: more than {MAX_TOTAL} bytes of metadata in all", name()));
        }
        if out.insert(key.to_ascii_lowercase(), value.to_string()).is_some() {
            return Err(format!("{}: the key appears twice, whatever the case", name()));
        }
    }
    Ok(out)
}

/// Reads a sidecar's text: a JSON object of strings, checked as `check` does.
pub fn parse(bytes: &[u8]) -> Result<Meta, String> {
    if bytes.len() as u64 > MAX_FILE {
        return Err(format!("larger than {} KiB", MAX_FILE >> 10));
    }
    let map: BTreeMap<String, String> = serde_json::from_slice(bytes)
        .map_err(|e| format!("not a JSON object of strings: {}", crate::mirror::shown(&e.to_string())))?;
    check(map.iter().map(|(k, v)| (k.as_str(), v.as_str())), "")
}

/// A sidecar's text: compact JSON, keys sorted, no trailing newline.
pub fn render(meta: &Meta) -> Vec<u8> {
    // A map of strings always serializes.
    serde_json::to_vec(meta).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SIG: &str = "9e2f";

    #[test]
    fn a_sidecar_is_hidden_beside_its_file() {
        let p = Path::new("/d/AWSLogs/1/CloudTrail-Digest/r/2017/06/01/x_20170601T120017Z.json.gz");
        assert_eq!(
            path_of(p),
            Path::new("/d/AWSLogs/1/CloudTrail-Digest/r/2017/06/01/.x_20170601T120017Z.json.gz.meta.json")
        );
        assert_eq!(name_of(p), ".x_20170601T120017Z.json.gz.meta.json");
    }

    #[test]
    fn metadata_is_kept_lowercased_sorted_and_compact() {
        let meta = check(
            [
                ("Signature-Algorithm", "SHA256withRSA"),
                ("signature", SIG),
                ("backfill-generation-timestamp", "2017-06-02T12:00:17Z"),
            ],
            "x-amz-meta-",
        )
        .unwrap();
        assert_eq!(
            String::from_utf8(render(&meta)).unwrap(),
            r#"{"backfill-generation-timestamp":"2017-06-02T12:00:17Z","signature":"9e2f","signature-algorithm":"SHA256withRSA"}"#
        );
        assert_eq!(parse(&render(&meta)).unwrap(), meta, "a sidecar reads back as written");
        assert_eq!(render(&Meta::new()), b"{}");
        let long = "a".repeat(512);
        assert!(check([("signature", long.as_str()), ("note", "with spaces")], "").is_ok());
    }

    #[test]
    fn bad_metadata_is_refused_naming_the_key() {
        let long_value = "a".repeat(MAX_VALUE + 1);
        let long_key = "k".repeat(MAX_KEY + 1);
        let cases: [(&str, &str, &str); 8] = [
            ("note", "a\tb", "\"x-amz-meta-note\": the value holds a control character"),
            ("note", "a\u{9b}2Jb", "\"x-amz-meta-note\": the value holds a control character"),
            ("note", "é", "\"x-amz-meta-note\": the value holds"),
            ("note", &long_value, "\"x-amz-meta-note\": value longer than 2048 bytes"),
            ("a b", "x", "\"x-amz-meta-a b\": the key holds a space"),
            ("a\u{1b}]0;x", "x", "\"x-amz-meta-a\\u{1b}]0;x\": the key holds"),
            ("", "x", "\"x-amz-meta-\": empty key"),
            (&long_key, "x", "key longer than 128 bytes"),
        ];
        for (k, v, want) in cases {
            let e = check([("signature", SIG), (k, v)], "x-amz-meta-").unwrap_err();
            assert!(e.contains(want), "{k:?}={v:?}: {e}");
            assert!(!e.contains('\u{1b}') && !e.contains('\u{9b}'), "keys are shown escaped: {e:?}");
        }
        let e = check([("Signature", SIG), ("signature", SIG)], "").unwrap_err();
        assert!(e.contains("\"signature\": the key appears twice"), "{e}");
        let many: Vec<(String, String)> = (0..10).map(|i| (format!("k{i}"), "v".repeat(1000))).collect();
        let e = check(many.iter().map(|(k, v)| (k.as_str(), v.as_str())), "").unwrap_err();
        assert!(e.contains("\"k8\": more than 8192 bytes"), "{e}");
    }

    #[test]
    fn a_sidecar_that_is_not_an_object_of_strings_is_refused() {
        for (text, want) in [
            (r#"{"signature":1}"#, "not a JSON object of strings"),
            (r#"["signature"]"#, "not a JSON object of strings"),
            ("", "not a JSON object of strings"),
            (r#"{"note":"a\u001bb"}"#, "\"note\": the value holds a control character"),
        ] {
            let e = parse(text.as_bytes()).unwrap_err();
            assert!(e.contains(want), "{text}: {e}");
        }
        assert!(parse(&vec![b' '; (MAX_FILE + 1) as usize]).unwrap_err().contains("larger than 64 KiB"));
    }
}
