//! A digest file as CloudTrail writes it (AWS CloudTrail User Guide, "CloudTrail digest file
//! structure"): the hour it covers, where it was delivered, the key that signed it, the
//! previous digest of the chain, and the SHA-256 of each log file delivered in the hour.

use serde::Deserialize;

/// The fields a digest must have to be checked (the AWS CLI's `validate-logs` requires the
/// same ones).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Digest {
    pub aws_account_id: Option<String>,
    pub digest_start_time: String,
    pub digest_end_time: String,
    #[serde(rename = "digestS3Bucket")]
    pub bucket: String,
    #[serde(rename = "digestS3Object")]
    pub object: String,
    pub digest_public_key_fingerprint: String,
    pub digest_signature_algorithm: Option<String>,
    #[serde(rename = "previousDigestS3Bucket")]
    pub previous_bucket: Option<String>,
    #[serde(rename = "previousDigestS3Object")]
    pub previous_object: Option<String>,
    pub previous_digest_hash_value: Option<String>,
    pub previous_digest_hash_algorithm: Option<String>,
    /// `null` for the first digest of a chain; the field itself is required.
    pub previous_digest_signature: Option<String>,
    #[serde(default)]
    pub log_files: Vec<LogFile>,
}

/// A log file a digest lists.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LogFile {
    #[serde(rename = "s3Bucket")]
    pub bucket: String,
    #[serde(rename = "s3Object")]
    pub object: String,
    pub hash_value: String,
    pub hash_algorithm: Option<String>,
}

/// Reads a digest's (uncompressed) JSON; the error says what is wrong with it.
pub fn parse(json: &[u8]) -> Result<Digest, String> {
    let v: serde_json::Value = serde_json::from_slice(json).map_err(|e| format!("not JSON: {e}"))?;
    // previousDigestSignature may be null but must be there: an Option field would also
    // accept its absence.
    if v.get("previousDigestSignature").is_none() {
        return Err("not a digest file: no previousDigestSignature".into());
    }
    serde_json::from_value(v).map_err(|e| format!("not a digest file: {e}"))
}

/// The string CloudTrail signs (aws-cli `validation.py`, `_create_string_to_sign`, which
/// follows CloudTrail's Java implementation): the end time, `BUCKET/KEY` as the digest names
/// them, the hex SHA-256 of the uncompressed digest file, and the previous signature or
/// `null`, separated by newlines.
pub fn string_to_sign(d: &Digest, digest_sha256_hex: &str) -> String {
    format!(
        "{}\n{}/{}\n{}\n{}",
        d.digest_end_time,
        d.bucket,
        d.object,
        digest_sha256_hex,
        d.previous_digest_signature.as_deref().unwrap_or("null")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const DIGEST: &str = r#"{"awsAccountId":"111122223333","digestStartTime":"2017-06-01T00:50:17Z","digestEndTime":"2017-06-01T01:50:17Z","digestS3Bucket":"b","digestS3Object":"AWSLogs\/111122223333\/CloudTrail-Digest\/eu-west-1\/2017\/06\/01\/x.json.gz","digestPublicKeyFingerprint":"9c8b","digestSignatureAlgorithm":"SHA256withRSA","newestEventTime":null,"oldestEventTime":null,"previousDigestS3Bucket":null,"previousDigestS3Object":null,"previousDigestHashValue":null,"previousDigestHashAlgorithm":null,"previousDigestSignature":null,"logFiles":[{"s3Bucket":"b","s3Object":"AWSLogs\/l.json.gz","hashValue":"ab","hashAlgorithm":"SHA-256","newestEventTime":"2017-06-01T01:00:00Z","oldestEventTime":"2017-06-01T00:55:00Z"}]}"#;

    #[test]
    fn a_digest_reads_with_its_escaped_slashes_and_signs_as_the_cli_does() {
        let d = parse(DIGEST.as_bytes()).unwrap();
        assert_eq!(d.object, "AWSLogs/111122223333/CloudTrail-Digest/eu-west-1/2017/06/01/x.json.gz");
        assert_eq!(d.log_files[0].object, "AWSLogs/l.json.gz");
        assert_eq!(
            string_to_sign(&d, "00ff"),
            "2017-06-01T01:50:17Z\nb/AWSLogs/111122223333/CloudTrail-Digest/eu-west-1/2017/06/01/x.json.gz\n00ff\nnull"
        );
    }

    #[test]
    fn a_file_without_the_chain_fields_is_not_a_digest() {
        assert!(parse(b"{\"Records\":[]}").unwrap_err().contains("not a digest"));
        assert!(parse(b"{").unwrap_err().starts_with("not JSON"));
        let without = DIGEST.replace(r#""previousDigestSignature":null,"#, "");
        assert!(parse(without.as_bytes()).unwrap_err().contains("previousDigestSignature"));
    }
}
