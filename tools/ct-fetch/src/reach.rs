//! How to reach AWS: the options ct-fetch and ct-verify share (credentials profile, endpoint,
//! addressing), and the endpoint a service's requests go to.

use ct_common::Error;

use crate::source::Reach;

#[derive(clap::Args, Debug, Clone, Default)]
pub struct ReachArgs {
    /// Use this profile of the AWS config and credentials files.
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,

    /// The bucket's region (default: asked of S3).
    #[arg(long, value_name = "REGION")]
    pub bucket_region: Option<String>,

    /// Send requests to this endpoint instead of AWS's (an S3-compatible store, a test
    /// server); implies --path-style. Default: AWS_ENDPOINT_URL_S3 (for CloudTrail's requests,
    /// --lookup and ListPublicKeys, AWS_ENDPOINT_URL_CLOUDTRAIL), else AWS_ENDPOINT_URL, as
    /// the AWS CLI reads them (none when AWS_IGNORE_CONFIGURED_ENDPOINT_URLS is true).
    #[arg(long, value_name = "URL", value_parser = parse_endpoint)]
    pub endpoint_url: Option<String>,

    /// Address buckets as ENDPOINT/BUCKET rather than BUCKET.ENDPOINT.
    #[arg(long)]
    pub path_style: bool,

    /// Send unsigned requests to S3 (public buckets); no credentials are looked up.
    #[arg(long)]
    pub no_sign_request: bool,
}

impl ReachArgs {
    /// How to reach a bucket.
    pub fn reach(&self) -> Result<Reach, Error> {
        Ok(Reach {
            profile: self.profile.clone(),
            bucket_region: self.bucket_region.clone(),
            endpoint_url: self.endpoint("S3")?,
            path_style: self.path_style,
            no_sign_request: self.no_sign_request,
        })
    }

    /// The endpoint of a service (`S3`, `CLOUDTRAIL`).
    pub fn endpoint(&self, service: &str) -> Result<Option<String>, Error> {
        endpoint(self.endpoint_url.as_deref(), service)
    }
}

/// The endpoint of a service (`S3`, `CLOUDTRAIL`): `given` (--endpoint-url), else the
/// environment variables the AWS CLI and SDKs read for it (AWS SDKs and Tools Reference Guide,
/// "Service-specific endpoints"), unless AWS_IGNORE_CONFIGURED_ENDPOINT_URLS is true.
pub fn endpoint(given: Option<&str>, service: &str) -> Result<Option<String>, Error> {
    if let Some(g) = given {
        return Ok(Some(g.to_string()));
    }
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    if var("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS").is_some_and(|v| v.eq_ignore_ascii_case("true")) {
        return Ok(None);
    }
    for name in [format!("AWS_ENDPOINT_URL_{service}"), "AWS_ENDPOINT_URL".to_string()] {
        if let Some(v) = var(&name) {
            return parse_endpoint(&v).map(Some).map_err(|e| Error::Usage(format!("{name}: {e}")));
        }
    }
    Ok(None)
}

pub fn parse_endpoint(s: &str) -> Result<String, String> {
    let rest = s.strip_prefix("https://").or_else(|| s.strip_prefix("http://"));
    match rest {
        Some(host) if !host.is_empty() && !host.starts_with('/') && !host.contains(char::is_whitespace) => {
            Ok(s.to_string())
        }
        _ => Err(format!("not an endpoint URL: {s:?} (http://HOST[:PORT] or https://HOST[:PORT])")),
    }
}
