//! The SOURCE argument: `s3://BUCKET[/PREFIX]` or a local folder, and what a path that goes
//! on into `AWSLogs/` fixes (organization, account, region).

use std::path::PathBuf;

use ct_common::Error;

use crate::fetch::Scope;
use crate::layout::{self, Kind};
use crate::plan::Window;
use crate::store::Store;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Where {
    S3 { bucket: String },
    Dir(PathBuf),
}

/// How to reach an S3 bucket: the options ct-fetch and ct-verify share.
#[derive(Debug, Clone, Default)]
pub struct Reach {
    pub profile: Option<String>,
    pub bucket_region: Option<String>,
    pub endpoint_url: Option<String>,
    pub path_style: bool,
    pub no_sign_request: bool,
}

/// A parsed SOURCE.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    pub at: Where,
    /// The key prefix before `AWSLogs/` (empty or ending in `/`).
    pub base: String,
    /// What the part after `AWSLogs/` names.
    pub org: Option<String>,
    pub account: Option<String>,
    pub region: Option<String>,
}

impl Source {
    pub fn parse(text: &str) -> Result<Source, Error> {
        let (at, path) = match text.strip_prefix("s3://") {
            Some(rest) => {
                let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
                if bucket.is_empty() {
                    return Err(Error::Usage(format!("{text}: no bucket name")));
                }
                (Where::S3 { bucket: bucket.to_string() }, prefix.to_string())
            }
            None => {
                // A local path: the folder up to AWSLogs is the bucket's root.
                let p = PathBuf::from(text);
                let parts: Vec<String> = p.iter().map(|c| c.to_string_lossy().into_owned()).collect();
                match parts.iter().position(|c| c == "AWSLogs") {
                    Some(i) => {
                        let root: PathBuf = p.iter().take(i).collect();
                        let root = if root.as_os_str().is_empty() { PathBuf::from(".") } else { root };
                        (Where::Dir(root), parts[i..].join("/"))
                    }
                    None => (Where::Dir(p), String::new()),
                }
            }
        };
        let mut src = Source { at, base: String::new(), org: None, account: None, region: None };
        let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        let Some(i) = segs.iter().position(|s| *s == "AWSLogs") else {
            src.base = if segs.is_empty() { String::new() } else { format!("{}/", segs.join("/")) };
            return Ok(src);
        };
        src.base = segs[..i].iter().map(|s| format!("{s}/")).collect();
        let mut rest = segs[i + 1..].iter().copied().peekable();
        if let Some(o) = rest.next_if(|s| layout::is_org_id(s)) {
            src.org = Some(o.to_string());
        }
        if let Some(a) = rest.next() {
            if !layout::is_account(a) {
                return Err(Error::Usage(format!(
                    "{text}: {a:?} after AWSLogs/ is neither an account nor an organization id"
                )));
            }
            src.account = Some(a.to_string());
        }
        if let Some(k) = rest.next()
            && k != Kind::Log.folder()
        {
            return Err(Error::Usage(format!("{text}: expected CloudTrail/ after the account, found {k:?}")));
        }
        if let Some(r) = rest.next() {
            if !layout::is_region(r) {
                return Err(Error::Usage(format!("{text}: {r:?} is not a region")));
            }
            src.region = Some(r.to_string());
        }
        if rest.next().is_some() {
            return Err(Error::Usage(format!(
                "{text}: give the days with --start and --end rather than in SOURCE (it may name the organization, \
                 account and region)"
            )));
        }
        Ok(src)
    }

    /// The scope: the options, narrowed by what SOURCE names (a conflict is a usage error).
    pub fn scope(
        &self,
        orgs: &[String],
        accounts: &[String],
        regions: &[String],
        kinds: Vec<Kind>,
        window: Window,
    ) -> Result<Scope, Error> {
        let narrow = |given: &[String], fixed: &Option<String>, what: &str| -> Result<Vec<String>, Error> {
            match fixed {
                None => Ok(given.to_vec()),
                Some(f) if given.is_empty() || given.contains(f) => Ok(vec![f.clone()]),
                Some(f) => Err(Error::Usage(format!("SOURCE names {what} {f}, which --{what} leaves out"))),
            }
        };
        Ok(Scope {
            base: self.base.clone(),
            orgs: narrow(orgs, &self.org, "org-id")?,
            no_org: self.account.is_some() && self.org.is_none(),
            named: self.account.is_some() && self.org.is_some(),
            accounts: narrow(accounts, &self.account, "account")?,
            regions: narrow(regions, &self.region, "region")?,
            kinds,
            window,
        })
    }

    /// The bucket, for an S3 source.
    pub fn bucket(&self) -> Option<&str> {
        match &self.at {
            Where::S3 { bucket } => Some(bucket),
            Where::Dir(_) => None,
        }
    }

    /// Opens the store: checks that a folder exists, or makes the S3 client.
    pub async fn open(&self, reach: &Reach) -> Result<Store, Error> {
        match &self.at {
            Where::Dir(p) => {
                if !p.is_dir() {
                    return Err(Error::Msg(format!(
                        "{}: not a folder (SOURCE is s3://BUCKET[/PREFIX] or a local folder laid out like a bucket)",
                        p.display()
                    )));
                }
                Ok(Store::Dir(p.clone()))
            }
            #[cfg(feature = "s3")]
            Where::S3 { bucket } => crate::s3::Bucket::connect(reach, bucket)
                .await
                .map(Store::S3)
                .map_err(|f| Error::Msg(format!("s3://{bucket}: {}", f.msg))),
            #[cfg(not(feature = "s3"))]
            Where::S3 { bucket } => {
                let _ = reach;
                Err(Error::Msg(format!("s3://{bucket}: this build of ct-fetch has no S3 support (feature `s3`)")))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources() {
        let s = Source::parse("s3://trail-bucket").unwrap();
        assert_eq!((s.at, s.base.as_str()), (Where::S3 { bucket: "trail-bucket".into() }, ""));
        let s = Source::parse("s3://trail-bucket/some/prefix/").unwrap();
        assert_eq!(s.base, "some/prefix/");
        let s = Source::parse("s3://b/p/AWSLogs/o-a1b2c3d4e5/111122223333/CloudTrail/eu-west-1/").unwrap();
        assert_eq!(
            (s.base.as_str(), s.org.as_deref(), s.account.as_deref(), s.region.as_deref()),
            ("p/", Some("o-a1b2c3d4e5"), Some("111122223333"), Some("eu-west-1"))
        );
        let s = Source::parse("tests/data/bucket/AWSLogs/111122223333").unwrap();
        assert_eq!(s.at, Where::Dir(PathBuf::from("tests/data/bucket")));
        assert_eq!(s.account.as_deref(), Some("111122223333"));
        let s = Source::parse("AWSLogs/111122223333").unwrap();
        assert_eq!(s.at, Where::Dir(PathBuf::from(".")));
        for bad in [
            "s3://",
            "s3:///x",
            "s3://b/AWSLogs/nope",
            "s3://b/AWSLogs/111122223333/Config",
            "s3://b/AWSLogs/111122223333/CloudTrail/us-east-1/2017",
        ] {
            assert!(Source::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn source_and_options_narrow_each_other() {
        let w = Window { start: 0, end: 0, lag: 0 };
        let s = Source::parse("s3://b/AWSLogs/111122223333/").unwrap();
        let scope = s.scope(&[], &[], &["us-east-1".into()], vec![Kind::Log], w).unwrap();
        assert_eq!((scope.accounts, scope.regions), (vec!["111122223333".to_string()], vec!["us-east-1".to_string()]));
        assert!(s.scope(&[], &["999999999999".into()], &[], vec![Kind::Log], w).is_err());
    }
}
