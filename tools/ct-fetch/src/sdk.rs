//! What the S3 client and the CloudTrail client share: the AWS SDK's configuration from the
//! standard credential chain and the command line, with the SDK's own retries turned off
//! (ct-fetch retries every request itself, counting and pacing them), and its errors as
//! messages that say whether to try again.

use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_s3::config::http::HttpResponse;
use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};

use crate::listing::Failure;

/// How to reach AWS, whichever the service.
#[derive(Debug, Clone, Default)]
pub struct Access {
    pub profile: Option<String>,
    pub endpoint_url: Option<String>,
    pub no_sign_request: bool,
}

/// The SDK's shared configuration: credentials, region (`region`, else the profile's or the
/// environment's), endpoint.
pub async fn config(access: &Access, region: Option<String>) -> SdkConfig {
    let mut loader =
        aws_config::defaults(BehaviorVersion::latest()).retry_config(RetryConfig::disabled()).timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(Duration::from_secs(10))
                .read_timeout(Duration::from_secs(60))
                .operation_attempt_timeout(Duration::from_secs(300))
                .build(),
        );
    if let Some(p) = &access.profile {
        loader = loader.profile_name(p);
    }
    if let Some(r) = region {
        loader = loader.region(Region::new(r));
    }
    if let Some(e) = &access.endpoint_url {
        loader = loader.endpoint_url(e);
    }
    if access.no_sign_request {
        loader = loader.no_credentials();
    }
    loader.load().await
}

/// An SDK error as a message, and whether to try again: throttling (503 SlowDown), server
/// errors, timeouts and broken connections are transient; refusals (403, 404) are not.
pub fn classify<E: ProvideErrorMetadata + std::error::Error + 'static>(e: SdkError<E, HttpResponse>) -> Failure {
    match &e {
        SdkError::ServiceError(se) => {
            let status = se.raw().status().as_u16();
            let code = se.err().code().unwrap_or("error");
            let retry = status >= 500
                || status == 429
                || matches!(code, "SlowDown" | "Throttling" | "ThrottlingException" | "RequestTimeout");
            let msg = match se.err().message() {
                Some(m) if !m.is_empty() => format!("{code}: {m} (HTTP {status})"),
                _ => format!("{code} (HTTP {status})"),
            };
            Failure { retry, msg }
        }
        SdkError::TimeoutError(_) => Failure::transient("timed out"),
        SdkError::DispatchFailure(d) => {
            let text = aws_sdk_s3::error::DisplayErrorContext(&e).to_string();
            // A connection that failed, closed early or timed out may come back; a bad
            // endpoint will not.
            let transient =
                d.is_io() || d.is_timeout() || d.as_other() == Some(aws_config::retry::ErrorKind::TransientError);
            if transient { Failure::transient(text) } else { Failure::fatal(text) }
        }
        SdkError::ResponseError(_) => Failure::transient(aws_sdk_s3::error::DisplayErrorContext(&e).to_string()),
        _ => Failure::fatal(aws_sdk_s3::error::DisplayErrorContext(&e).to_string()),
    }
}
