//! CloudTrail's public keys asked of CloudTrail (ListPublicKeys, in the trail's home region:
//! "the public keys of the Region in which the API is called"), when no --public-keys file is
//! given. https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_ListPublicKeys.html

use std::collections::BTreeSet;

use aws_sdk_cloudtrail::primitives::DateTime;
use ct_common::time::Time;
use ct_fetch::sdk::{self, Access};

use crate::keys::{PublicKey, fingerprint};

/// The keys valid at some time in [start, end] of each home region, every page.
pub async fn public_keys(
    access: &Access,
    homes: BTreeSet<String>,
    start: i64,
    end: i64,
) -> Result<Vec<PublicKey>, String> {
    let mut out = Vec::new();
    for region in homes {
        let shared = sdk::config(access, Some(region.clone())).await;
        let client = aws_sdk_cloudtrail::Client::new(&shared);
        let mut token: Option<String> = None;
        loop {
            let page = client
                .list_public_keys()
                .start_time(DateTime::from_secs(start))
                .end_time(DateTime::from_secs(end))
                .set_next_token(token.take())
                .send()
                .await
                .map_err(|e| format!("ListPublicKeys in {region}: {}", sdk::classify(e).msg))?;
            for k in page.public_key_list() {
                let Some(value) = k.value() else { continue };
                let der = value.as_ref().to_vec();
                let fp = fingerprint(&der);
                if k.fingerprint().is_some_and(|f| !f.eq_ignore_ascii_case(&fp)) {
                    return Err(format!("ListPublicKeys in {region}: a key's fingerprint is not the MD5 of its value"));
                }
                let t = |d: Option<&DateTime>| d.map(|d| Time::from_secs(d.secs()));
                out.push(PublicKey {
                    der,
                    fingerprint: fp,
                    valid_from: t(k.validity_start_time()).unwrap_or(Time::from_secs(i64::MIN / 2)),
                    valid_to: t(k.validity_end_time()).unwrap_or(Time::from_secs(i64::MAX / 2)),
                });
            }
            match page.next_token() {
                Some(t) if !t.is_empty() => token = Some(t.to_string()),
                _ => break,
            }
        }
    }
    Ok(out)
}
