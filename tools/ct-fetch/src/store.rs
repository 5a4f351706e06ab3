//! Where the files come from: an S3 bucket, or a local folder laid out like one. Both list
//! keys under a prefix (with `/` as delimiter or not) and read one object, so the planning
//! and download code is the same for both.

use std::fs;
use std::path::{Path, PathBuf};

use ct_common::error::Failed;

use crate::listing::{Failure, Listing, Object};
use crate::sidecar::{self, Meta};

pub enum Store {
    /// A folder whose contents are the bucket's keys.
    Dir(PathBuf),
    #[cfg(feature = "s3")]
    S3(crate::s3::Bucket),
}

impl Store {
    /// How a key is named in messages: `s3://bucket/key` or the local path.
    pub fn place(&self, key: &str) -> String {
        match self {
            Store::Dir(root) => root.join(crate::mirror::shown(key)).display().to_string(),
            #[cfg(feature = "s3")]
            Store::S3(b) => format!("s3://{}/{}", b.name, crate::mirror::shown(key)),
        }
    }

    pub async fn list(&self, prefix: &str, delimited: bool) -> Result<Listing, Failure> {
        match self {
            Store::Dir(root) => {
                let (root, prefix) = (root.clone(), prefix.to_string());
                tokio::task::spawn_blocking(move || list_dir(&root, &prefix, delimited))
                    .await
                    .map_err(|e| Failure::fatal(e.to_string()))?
            }
            #[cfg(feature = "s3")]
            Store::S3(b) => b.list(prefix, delimited).await,
        }
    }

    /// The object's bytes; `size` is what the listing said, and a body of another length is a
    /// transient failure (a cut-off transfer).
    pub async fn get(&self, key: &str, size: u64) -> Result<Vec<u8>, Failure> {
        let body = match self {
            Store::Dir(root) => read_file(root.join(key)).await?,
            #[cfg(feature = "s3")]
            Store::S3(b) => b.get(key).await?.0,
        };
        check_size(body, size)
    }

    /// The object's bytes as `get` gives them, and its user metadata, checked (`sidecar::check`):
    /// from S3 the `x-amz-meta-*` headers of the same GetObject, from a folder the sidecar beside
    /// the file (none: empty). Metadata that is refused fails the request for good.
    pub async fn get_signed(&self, key: &str, size: u64) -> Result<(Vec<u8>, Meta), Failure> {
        let (body, meta) = match self {
            Store::Dir(root) => {
                let path = root.join(key);
                // The file first: a mirror that ct-fetch is writing puts the sidecar in place
                // before the file.
                let body = read_file(path.clone()).await?;
                (body, read_sidecar(path).await?)
            }
            #[cfg(feature = "s3")]
            Store::S3(b) => {
                let (body, meta) = b.get(key).await?;
                (body, from_s3(&meta)?)
            }
        };
        Ok((check_size(body, size)?, meta))
    }

    /// The object's user metadata alone, checked as `get_signed` checks it: HeadObject, or the
    /// sidecar beside the file.
    pub async fn meta(&self, key: &str) -> Result<Meta, Failure> {
        match self {
            Store::Dir(root) => read_sidecar(root.join(key)).await,
            #[cfg(feature = "s3")]
            Store::S3(b) => from_s3(&b.head(key).await?),
        }
    }
}

fn check_size(body: Vec<u8>, size: u64) -> Result<Vec<u8>, Failure> {
    if body.len() as u64 != size {
        return Err(Failure::transient(format!("got {} bytes, the listing says {size}", body.len())));
    }
    Ok(body)
}

async fn read_file(path: PathBuf) -> Result<Vec<u8>, Failure> {
    tokio::task::spawn_blocking(move || fs::read(&path))
        .await
        .map_err(|e| Failure::fatal(e.to_string()))?
        .map_err(|e| Failure::fatal(Failed::Unreadable(&e).to_string()))
}

#[cfg(feature = "s3")]
fn from_s3(meta: &std::collections::HashMap<String, String>) -> Result<Meta, Failure> {
    sidecar::check(meta.iter().map(|(k, v)| (k.as_str(), v.as_str())), "x-amz-meta-")
        .map_err(|e| Failure::fatal(format!("refused: {e}")))
}

/// The sidecar beside the file at `path` in a local source (none: empty metadata).
async fn read_sidecar(path: PathBuf) -> Result<Meta, Failure> {
    use std::io::Read;
    let name = sidecar::name_of(&path);
    let side = sidecar::path_of(&path);
    let read = tokio::task::spawn_blocking(move || -> std::io::Result<Option<Vec<u8>>> {
        // Only a file is opened (a FIFO would block the open).
        match fs::metadata(&side) {
            Ok(m) if m.is_file() => {}
            Ok(_) => return Err(std::io::Error::other("not a file")),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e),
        }
        let f = fs::File::open(side)?;
        let mut text = Vec::new();
        f.take(sidecar::MAX_FILE + 1).read_to_end(&mut text)?;
        Ok(Some(text))
    })
    .await
    .map_err(|e| Failure::fatal(e.to_string()))?;
    match read {
        Ok(None) => Ok(Meta::new()),
        Ok(Some(text)) => sidecar::parse(&text).map_err(|e| Failure::fatal(format!("refused: {name}: {e}"))),
        Err(e) => Err(Failure::fatal(format!("{name}: {}", Failed::Unreadable(&e)))),
    }
}

/// Lists a local folder as S3 lists the bucket it mirrors, one level deep: with a delimiter
/// the subfolders and files, without one the files (trail files sit directly in their day
/// folder, so nothing deeper is walked and no link loop can be followed). Hidden names
/// (partial downloads, notes) are not keys.
fn list_dir(root: &Path, prefix: &str, delimited: bool) -> Result<Listing, Failure> {
    let folder = prefix.trim_end_matches('/');
    let dir = if folder.is_empty() { root.to_path_buf() } else { root.join(folder) };
    let mut out = Listing::default();
    let entries = match fs::read_dir(&dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
        Err(e) => return Err(Failure::fatal(Failed::Unreadable(&e).to_string())),
    };
    for entry in entries {
        let entry = entry.map_err(|e| Failure::fatal(Failed::Unreadable(&e).to_string()))?;
        let Some(name) = entry.file_name().to_str().map(str::to_string) else {
            let place = crate::mirror::shown(&entry.path().to_string_lossy());
            out.problems.push((place, "name is not UTF-8; left out".into()));
            continue;
        };
        if name.starts_with('.') {
            continue;
        }
        let meta = match fs::metadata(entry.path()) {
            Ok(m) => m,
            Err(e) => {
                let why = format!("{}; left out", Failed::Unreadable(&e));
                out.problems.push((crate::mirror::shown(&entry.path().display().to_string()), why));
                continue;
            }
        };
        let key = format!("{prefix}{name}");
        if meta.is_dir() {
            if delimited {
                out.prefixes.push(format!("{key}/"));
            }
        } else if meta.is_file() {
            let modified = meta.modified().ok().and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok());
            out.objects.push(Object {
                key,
                size: meta.len(),
                etag: None,
                last_modified: modified.map(|d| ct_common::time::Time::from_secs(d.as_secs() as i64).to_iso()),
            });
        }
    }
    out.prefixes.sort();
    out.objects.sort_by(|a, b| a.key.cmp(&b.key));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_folder_lists_like_a_bucket() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("AWSLogs/111122223333/CloudTrail/us-east-1")).unwrap();
        fs::create_dir_all(dir.path().join("AWSLogs/o-a1b2c3d4e5")).unwrap();
        fs::write(dir.path().join("AWSLogs/111122223333/CloudTrail/us-east-1/f.json.gz"), b"xy").unwrap();
        fs::write(dir.path().join("AWSLogs/111122223333/CloudTrail/us-east-1/.f.json.gz.partial"), b"x").unwrap();
        let l = list_dir(dir.path(), "AWSLogs/", true).unwrap();
        assert_eq!(l.prefixes, vec!["AWSLogs/111122223333/", "AWSLogs/o-a1b2c3d4e5/"]);
        assert!(l.objects.is_empty());
        assert!(list_dir(dir.path(), "AWSLogs/111122223333/", false).unwrap().objects.is_empty(), "one level only");
        let l = list_dir(dir.path(), "AWSLogs/111122223333/CloudTrail/us-east-1/", false).unwrap();
        assert_eq!(l.objects.len(), 1, "hidden partial files are not keys");
        assert_eq!(l.objects[0].key, "AWSLogs/111122223333/CloudTrail/us-east-1/f.json.gz");
        assert_eq!(l.objects[0].size, 2);
        assert!(list_dir(dir.path(), "AWSLogs/missing/", false).unwrap().objects.is_empty());
        // A dangling link is told, not dropped.
        #[cfg(unix)]
        {
            let day = dir.path().join("AWSLogs/111122223333/CloudTrail/us-east-1");
            std::os::unix::fs::symlink(day.join("gone"), day.join("g.json.gz")).unwrap();
            let l = list_dir(dir.path(), "AWSLogs/111122223333/CloudTrail/us-east-1/", false).unwrap();
            assert_eq!(l.problems.len(), 1, "{:?}", l.problems);
            assert!(l.problems[0].1.contains("cannot read"));
        }
    }
}
