//! CloudTrail's public keys: what `aws cloudtrail list-public-keys` prints (ListPublicKeys:
//! `Value`, the DER of a PKCS#1 RSAPublicKey, base64 in JSON; `ValidityStartTime`,
//! `ValidityEndTime`; `Fingerprint`, the hex MD5 of the DER bytes). Version 1 of the AWS CLI
//! prints the times as epoch seconds, version 2 as ISO 8601; both are read.
//! https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_ListPublicKeys.html

use base64::Engine;
use ct_common::time::{Time, parse_event_time};
use md5::{Digest, Md5};
use serde::Deserialize;

/// A public key and when CloudTrail signed with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicKey {
    /// DER of the PKCS#1 RSAPublicKey.
    pub der: Vec<u8>,
    /// Lowercase hex MD5 of `der`.
    pub fingerprint: String,
    pub valid_from: Time,
    pub valid_to: Time,
}

/// The hex MD5 of a key's DER bytes, as digests name their key.
pub fn fingerprint(der: &[u8]) -> String {
    hex(&Md5::digest(der))
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Reads the output of `aws cloudtrail list-public-keys`. A key whose stated fingerprint is
/// not the MD5 of its bytes is refused: the fingerprint is how a digest names its key.
pub fn parse(json: &[u8]) -> Result<Vec<PublicKey>, String> {
    #[derive(Deserialize)]
    #[serde(rename_all = "PascalCase")]
    struct List {
        public_key_list: Vec<Entry>,
    }
    #[derive(Deserialize)]
    #[serde(rename_all = "PascalCase")]
    struct Entry {
        value: String,
        validity_start_time: serde_json::Value,
        validity_end_time: serde_json::Value,
        fingerprint: String,
    }
    let list: List =
        serde_json::from_slice(json).map_err(|e| format!("not the output of aws cloudtrail list-public-keys: {e}"))?;
    list.public_key_list
        .into_iter()
        .enumerate()
        .map(|(i, e)| {
            let der = base64::engine::general_purpose::STANDARD
                .decode(e.value.trim())
                .map_err(|err| format!("key {}: Value is not base64: {err}", i + 1))?;
            let fp = fingerprint(&der);
            if !fp.eq_ignore_ascii_case(&e.fingerprint) {
                return Err(format!("key {}: fingerprint {} is not the MD5 of its value ({fp})", i + 1, e.fingerprint));
            }
            let at = |v: &serde_json::Value, what: &str| {
                time_of(v).ok_or_else(|| format!("key {} ({fp}): {what} is not a time: {v}", i + 1))
            };
            Ok(PublicKey {
                der,
                fingerprint: fp.clone(),
                valid_from: at(&e.validity_start_time, "ValidityStartTime")?,
                valid_to: at(&e.validity_end_time, "ValidityEndTime")?,
            })
        })
        .collect()
}

/// A time as either CLI prints it: epoch seconds (a number, or a number in a string) or ISO
/// 8601 with an offset.
fn time_of(v: &serde_json::Value) -> Option<Time> {
    match v {
        serde_json::Value::Number(n) => n.as_f64().map(|f| Time::from_secs(f.floor() as i64)),
        serde_json::Value::String(s) => match s.parse::<f64>() {
            Ok(f) => Some(Time::from_secs(f.floor() as i64)),
            Err(_) => parse_event_time(s).or_else(|| ct_common::time::parse(s, Time::from_secs(0)).ok()),
        },
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_clis_times_are_read_and_the_fingerprint_is_checked() {
        let der = b"not really a key, but bytes";
        let b64 = base64::engine::general_purpose::STANDARD.encode(der);
        let fp = fingerprint(der);
        let v2 = format!(
            r#"{{"PublicKeyList":[{{"Value":"{b64}","ValidityStartTime":"2017-05-01T00:00:00+00:00","ValidityEndTime":"2017-07-01T00:00:00+00:00","Fingerprint":"{fp}"}}]}}"#
        );
        let keys = parse(v2.as_bytes()).unwrap();
        assert_eq!(keys[0].der, der);
        assert_eq!(keys[0].valid_from.to_iso(), "2017-05-01T00:00:00Z");
        let v1 = format!(
            r#"{{"PublicKeyList":[{{"Value":"{b64}","ValidityStartTime":1493596800.0,"ValidityEndTime":"1498867200","Fingerprint":"{}"}}]}}"#,
            fp.to_uppercase()
        );
        let keys = parse(v1.as_bytes()).unwrap();
        assert_eq!(
            (keys[0].valid_from.to_iso().as_str(), keys[0].valid_to.to_iso().as_str()),
            ("2017-05-01T00:00:00Z", "2017-07-01T00:00:00Z")
        );
        let lying = v2.replace(&fp, "00000000000000000000000000000000");
        assert!(parse(lying.as_bytes()).unwrap_err().contains("is not the MD5"));
    }

    #[test]
    fn the_fingerprint_is_md5_hex() {
        // RFC 1321's test vector.
        assert_eq!(fingerprint(b"abc"), "900150983cd24fb0d6963f7d28e17f72");
    }
}
