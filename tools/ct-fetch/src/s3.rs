//! The S3 side: the AWS SDK's client, configured from the standard credential chain and the
//! command line, with its own retries turned off (the download loop retries every request the
//! same way, including a body cut off mid-transfer, which the SDK does not retry).

use std::collections::HashMap;

use aws_config::Region;
use aws_sdk_s3::Client;
use aws_sdk_s3::error::SdkError;
use aws_sdk_s3::primitives::DateTimeFormat;
use aws_sdk_s3::types::EncodingType;

use crate::listing::{Failure, Listing, Object};
use crate::sdk::{self, Access, classify};

/// How to reach S3: what the command line says (the bucket's region, when not given, is
/// found with HeadBucket).
pub use crate::source::Reach as Options;

pub struct Bucket {
    client: Client,
    pub name: String,
}

async fn client(opts: &Options, region: Option<String>) -> Client {
    let access = Access {
        profile: opts.profile.clone(),
        endpoint_url: opts.endpoint_url.clone(),
        no_sign_request: opts.no_sign_request,
    };
    let shared = sdk::config(&access, region).await;
    let mut conf = aws_sdk_s3::config::Builder::from(&shared);
    // An endpoint of one's own (MinIO, a test server, localhost) rarely resolves
    // bucket.host names, so it gets path-style requests.
    conf = conf.force_path_style(opts.path_style || opts.endpoint_url.is_some());
    if shared.region().is_none() {
        conf = conf.region(Region::new("us-east-1"));
    }
    Client::from_conf(conf.build())
}

impl Bucket {
    /// A client for the bucket, in the bucket's own region (asked of S3 when not given, as a
    /// request sent to the wrong region is refused).
    pub async fn connect(opts: &Options, name: &str) -> Result<Bucket, Failure> {
        let client = client(opts, opts.bucket_region.clone()).await;
        if opts.bucket_region.is_some() || opts.endpoint_url.is_some() {
            return Ok(Bucket { client, name: name.to_string() });
        }
        let found = match client.head_bucket().bucket(name).send().await {
            Ok(out) => out.bucket_region().map(str::to_string),
            // S3 names the region even when it refuses (301 to another region, 403).
            Err(e) => match e.raw_response().and_then(|r| r.headers().get("x-amz-bucket-region")) {
                Some(r) => Some(r.to_string()),
                None if matches!(e, SdkError::ServiceError(_)) => None,
                None => return Err(classify(e)),
            },
        };
        let client = match found {
            Some(r) if client.config().region().map(|x| x.as_ref()) != Some(r.as_str()) => {
                self::client(opts, Some(r)).await
            }
            _ => client,
        };
        Ok(Bucket { client, name: name.to_string() })
    }

    /// Lists a prefix, every page. Keys come URL-encoded (S3 would otherwise send a key with
    /// a character XML cannot carry in a way the SDK refuses, failing the whole page).
    pub async fn list(&self, prefix: &str, delimited: bool) -> Result<Listing, Failure> {
        let mut out = Listing::default();
        let mut token: Option<String> = None;
        let mut seen = std::collections::HashSet::new();
        loop {
            let mut req =
                self.client.list_objects_v2().bucket(&self.name).prefix(prefix).encoding_type(EncodingType::Url);
            if delimited {
                req = req.delimiter("/");
            }
            let page = req.set_continuation_token(token.clone()).send().await.map_err(classify)?;
            let encoded = page.encoding_type() == Some(&EncodingType::Url);
            let decode = |s: &str| if encoded { url_decode(s) } else { Some(s.to_string()) };
            for p in page.common_prefixes().iter().filter_map(|p| p.prefix()) {
                match decode(p) {
                    Some(p) => out.prefixes.push(p),
                    None => {
                        out.problems.push((format!("s3://{}/{p}", self.name), "badly encoded prefix; left out".into()))
                    }
                }
            }
            for o in page.contents() {
                let Some(raw) = o.key() else { continue };
                let Some(key) = decode(raw) else {
                    out.problems.push((format!("s3://{}/{raw}", self.name), "badly encoded key; left out".into()));
                    continue;
                };
                out.objects.push(Object {
                    key,
                    size: o.size().unwrap_or(0).max(0) as u64,
                    etag: o.e_tag().map(|e| e.trim_matches('"').to_string()),
                    last_modified: o.last_modified().and_then(|t| t.fmt(DateTimeFormat::DateTime).ok()),
                });
            }
            // Go on while S3 hands a token; a page that says it is cut short without one, or
            // the same token twice, would end the listing early without a word.
            match (page.is_truncated(), page.next_continuation_token()) {
                (_, Some(t)) if !seen.insert(t.to_string()) => {
                    return Err(Failure::transient("the listing repeats a continuation token"));
                }
                (_, Some(t)) => token = Some(t.to_string()),
                (Some(true), None) => {
                    return Err(Failure::transient("the listing is truncated but gives no continuation token"));
                }
                _ => break,
            }
        }
        Ok(out)
    }

    /// The object's bytes and its user metadata (the `x-amz-meta-*` headers of the same
    /// response, without the prefix: a digest's signature).
    pub async fn get(&self, key: &str) -> Result<(Vec<u8>, HashMap<String, String>), Failure> {
        let out = self.client.get_object().bucket(&self.name).key(key).send().await.map_err(classify)?;
        let meta = out.metadata().cloned().unwrap_or_default();
        let body = out.body.collect().await.map_err(|e| Failure::transient(format!("transfer cut off: {e}")))?;
        Ok((body.into_bytes().to_vec(), meta))
    }

    /// The object's user metadata alone (HeadObject).
    pub async fn head(&self, key: &str) -> Result<HashMap<String, String>, Failure> {
        let out = self.client.head_object().bucket(&self.name).key(key).send().await.map_err(classify)?;
        Ok(out.metadata().cloned().unwrap_or_default())
    }
}

/// Decodes a URL-encoded key as S3 writes it with `encoding-type=url` (`%XX` escapes, `+` for
/// a space); `None` when it is not valid UTF-8 once decoded or an escape is broken.
fn url_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = std::str::from_utf8(b.get(i + 1..i + 3)?).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 2;
            }
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::url_decode;

    #[test]
    fn keys_are_url_decoded() {
        assert_eq!(url_decode("AWSLogs/a%01b+c%2Bd").as_deref(), Some("AWSLogs/a\u{1}b c+d"));
        assert_eq!(url_decode("%C3%A9").as_deref(), Some("é"));
        for bad in ["%", "%4", "%zz", "%ff", "%C3"] {
            assert_eq!(url_decode(bad), None, "{bad}");
        }
    }
}
