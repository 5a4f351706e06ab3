//! One page of LookupEvents through the AWS SDK's CloudTrail client (its own retries off:
//! the lookup loop retries, paces and counts every request), and the API's refusals sorted by
//! what the loop does about them.
//! https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html

use aws_config::Region;
use aws_sdk_cloudtrail::Client as Sdk;
use aws_sdk_cloudtrail::error::ProvideErrorMetadata;
use aws_sdk_cloudtrail::primitives::DateTime;
use aws_sdk_cloudtrail::types::{EventCategory, LookupAttribute, LookupAttributeKey};
use ct_common::time::Time;

use super::plan::{Key, Query};
use crate::sdk::{self, Access};

/// The most events a page holds (MaxResults: "The default is 50, with a maximum of 50").
pub const PAGE: i32 = 50;

/// A region's client.
pub struct Client {
    sdk: Sdk,
}

/// An event as the page gives it.
pub struct Looked {
    pub id: Option<String>,
    pub time: Option<Time>,
    /// CloudTrailEvent: the event's JSON text, as the trail would have written it.
    pub text: Option<String>,
}

pub struct Page {
    pub events: Vec<Looked>,
    pub next: Option<String>,
}

/// Why a request failed, by what to do next.
#[derive(Debug)]
pub enum Refusal {
    /// ThrottlingException: wait, then the same request again.
    Throttled(String),
    /// A server error, a timeout or a broken connection: the same request again.
    Transient(String),
    /// InvalidNextTokenException on a request that carried a token (tokens expire): the lookup
    /// goes on without one, from the oldest event it has.
    TokenExpired(String),
    /// Anything else: the region's lookup ends with this error.
    Fatal(String),
}

/// The region the SDK would use when none is given (the profile's, or AWS_REGION).
pub async fn default_region(access: &Access) -> Option<String> {
    sdk::config(access, None).await.region().map(|r| r.to_string())
}

impl Client {
    pub async fn connect(access: &Access, region: &str) -> Client {
        let shared = sdk::config(access, Some(region.to_string())).await;
        let conf = aws_sdk_cloudtrail::config::Builder::from(&shared).region(Region::new(region.to_string()));
        Client { sdk: Sdk::from_conf(conf.build()) }
    }

    /// One request: the page of `query` that `token` names (the first without one).
    pub async fn page(&self, query: &Query, token: Option<&str>) -> Result<Page, Refusal> {
        let mut req = self
            .sdk
            .lookup_events()
            .start_time(DateTime::from_secs(query.start.secs))
            .end_time(DateTime::from_secs(query.end.secs))
            .max_results(PAGE)
            .set_next_token(token.map(str::to_string));
        if query.insights {
            req = req.event_category(EventCategory::Insight);
        }
        if let Some((key, value)) = &query.attribute {
            let attr = LookupAttribute::builder()
                .attribute_key(sdk_key(*key))
                .attribute_value(value)
                .build()
                .map_err(|e| Refusal::Fatal(e.to_string()))?;
            req = req.lookup_attributes(attr);
        }
        let out = req.send().await.map_err(|e| {
            let code = e.as_service_error().and_then(|se| se.code()).unwrap_or_default().to_string();
            let f = sdk::classify(e);
            match code.as_str() {
                "ThrottlingException" => Refusal::Throttled(f.msg),
                "InvalidNextTokenException" if token.is_some() => Refusal::TokenExpired(f.msg),
                "AccessDeniedException" => {
                    Refusal::Fatal(format!("{} (the lookup needs cloudtrail:LookupEvents)", f.msg))
                }
                "ExpiredTokenException" => Refusal::Fatal(format!("{} (the credentials expired: renew them)", f.msg)),
                _ if f.retry => Refusal::Transient(f.msg),
                _ => Refusal::Fatal(f.msg),
            }
        })?;
        let events = out
            .events()
            .iter()
            .map(|e| Looked {
                id: e.event_id().map(str::to_string),
                time: e.event_time().map(|t| Time { secs: t.secs(), nanos: t.subsec_nanos() }),
                text: e.cloud_trail_event().map(str::to_string),
            })
            .collect();
        Ok(Page { events, next: out.next_token().filter(|t| !t.is_empty()).map(str::to_string) })
    }
}

fn sdk_key(key: Key) -> LookupAttributeKey {
    match key {
        Key::EventId => LookupAttributeKey::EventId,
        Key::AccessKeyId => LookupAttributeKey::AccessKeyId,
        Key::Username => LookupAttributeKey::Username,
        Key::EventName => LookupAttributeKey::EventName,
        Key::EventSource => LookupAttributeKey::EventSource,
        Key::ReadOnly => LookupAttributeKey::ReadOnly,
    }
}
