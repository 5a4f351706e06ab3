//! Digest signatures as CloudTrail makes them (AWS CloudTrail User Guide, "CloudTrail digest file
//! structure"), with a TEST key: `tests/data/digest-key/private-key.pem`, committed, public, used
//! for nothing but ct's synthetic digests.
//!
//! CloudTrail signs, with RSA PKCS#1 v1.5 over SHA-256 (`SHA256withRSA`), the string
//! `"{digestEndTime}\n{digestS3Bucket}/{digestS3Object}\n{hex SHA-256 of the uncompressed
//! digest}\n{previousDigestSignature, or null}"` and stores the hex signature as S3 user metadata
//! of the digest object (`x-amz-meta-signature`, `x-amz-meta-signature-algorithm`), not in the
//! file; the next digest of the chain carries it as `previousDigestSignature`. A folder has no
//! object metadata, so ct keeps it in a hidden sidecar beside each digest: for `…/NAME.json.gz`
//! the file `…/.NAME.json.gz.meta.json` holding the user metadata as S3 returns it (names
//! without `x-amz-meta-`), keys sorted, compact, no final newline:
//! `{"signature":"<hex>","signature-algorithm":"SHA256withRSA"}`. ct-fetch writes the same
//! sidecar when it mirrors digests and ct-verify reads it.

use std::fmt::Write;

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{KeyPair, RSA_PKCS1_SHA256, RsaKeyPair};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use md5::{Digest, Md5};

/// `digestSignatureAlgorithm` and the `signature-algorithm` metadata.
pub const ALGORITHM: &str = "SHA256withRSA";

/// The committed test key, built in: the default of `ct-synth sample --digest-key`.
pub const TEST_KEY_PEM: &str = include_str!("../../../tests/data/digest-key/private-key.pem");

/// A private key that signs digests, with the fingerprint the digests name it by.
pub struct Signer {
    pair: RsaKeyPair,
    fingerprint: String,
}

impl Signer {
    /// An RSA private key in PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`), 2048 bits or more.
    pub fn from_pem(text: &str) -> Result<Self, String> {
        let der = pem_decode(text, "PRIVATE KEY")?;
        let pair = RsaKeyPair::from_pkcs8(&der).map_err(|e| format!("not an RSA PKCS#8 private key: {e}"))?;
        let fingerprint = hex(&Md5::digest(pair.public_key().as_ref()));
        Ok(Signer { pair, fingerprint })
    }

    /// The committed test key.
    pub fn test_key() -> Self {
        Self::from_pem(TEST_KEY_PEM).expect("the committed test key parses")
    }

    /// Lower-case hex MD5 of the DER PKCS#1 `RSAPublicKey`, as ListPublicKeys returns it and
    /// digests carry it in `digestPublicKeyFingerprint`.
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// The public key as DER PKCS#1 `RSAPublicKey`: the bytes of ListPublicKeys' `Value`.
    #[cfg(test)]
    pub fn public_der(&self) -> &[u8] {
        self.pair.public_key().as_ref()
    }

    /// Lower-case hex `SHA256withRSA` signature of `msg` (deterministic: PKCS#1 v1.5 padding
    /// takes no randomness).
    pub fn sign_hex(&self, msg: &[u8]) -> String {
        let mut sig = vec![0; self.pair.public_modulus_len()];
        self.pair.sign(&RSA_PKCS1_SHA256, &SystemRandom::new(), msg, &mut sig).expect("RSA signing");
        hex(&sig)
    }
}

/// The string CloudTrail signs for a digest. `key` is the S3 key as plain text (the digest's
/// JSON escapes `/` as `\/`; the signed string does not); `digest_sha256` is the hex SHA-256 of
/// the uncompressed digest file.
pub fn string_to_sign(end_time: &str, bucket: &str, key: &str, digest_sha256: &str, previous: Option<&str>) -> String {
    format!("{end_time}\n{bucket}/{key}\n{digest_sha256}\n{}", previous.unwrap_or("null"))
}

/// Where the signature sidecar of the digest at `key` goes: `…/NAME` → `…/.NAME.meta.json`.
pub fn sidecar_key(key: &str) -> String {
    match key.rsplit_once('/') {
        Some((dir, name)) => format!("{dir}/.{name}.meta.json"),
        None => format!(".{key}.meta.json"),
    }
}

/// The sidecar's bytes: the S3 user metadata of a digest, names sorted, compact.
pub fn sidecar_json(signature: &str) -> String {
    format!("{{\"signature\":\"{signature}\",\"signature-algorithm\":\"{ALGORITHM}\"}}")
}

/// The bytes inside the one `-----BEGIN {label}-----` … `-----END {label}-----` block of `text`.
pub fn pem_decode(text: &str, label: &str) -> Result<Vec<u8>, String> {
    let (begin, end) = (format!("-----BEGIN {label}-----"), format!("-----END {label}-----"));
    let start = text.find(&begin).ok_or_else(|| format!("no {begin} line"))? + begin.len();
    let len = text[start..].find(&end).ok_or_else(|| format!("no {end} line"))?;
    let b64: String = text[start..start + len].chars().filter(|c| !c.is_ascii_whitespace()).collect();
    STANDARD.decode(b64).map_err(|e| format!("bad base64 inside the PEM block: {e}"))
}

fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::io::Read;
    use std::path::{Path, PathBuf};

    use aws_lc_rs::signature::{RSA_PKCS1_2048_8192_SHA256, UnparsedPublicKey};

    use super::*;
    use crate::sha256;

    /// The committed `public-keys.json`: (DER bytes of `Value`, `Fingerprint`).
    fn listed_key() -> (Vec<u8>, String) {
        let text = include_str!("../../../tests/data/digest-key/public-keys.json");
        let v: serde_json::Value = serde_json::from_str(text).unwrap();
        let keys = v["PublicKeyList"].as_array().unwrap();
        assert_eq!(keys.len(), 1);
        let k = &keys[0];
        assert_eq!(k["ValidityStartTime"], "2017-05-01T00:00:00+00:00");
        assert_eq!(k["ValidityEndTime"], "2017-07-01T00:00:00+00:00");
        (STANDARD.decode(k["Value"].as_str().unwrap()).unwrap(), k["Fingerprint"].as_str().unwrap().to_string())
    }

    #[test]
    fn committed_key_files_match() {
        let (der, fingerprint) = listed_key();
        let s = Signer::test_key();
        assert_eq!(s.public_der(), &der[..], "public-keys.json Value is not the private key's public half");
        assert_eq!(hex(&Md5::digest(&der)), fingerprint);
        assert_eq!(s.fingerprint(), fingerprint);
        assert_eq!(s.fingerprint(), "ee7451240322a2c1fcd81e6fba62e6af");
        // PKCS#1 RSAPublicKey of a 2048-bit key: SEQUENCE { INTEGER (257 bytes), INTEGER e }.
        assert_eq!(&der[..8], b"\x30\x82\x01\x0a\x02\x82\x01\x01");
        assert_eq!(s.pair.public_modulus_len(), 256);
    }

    #[test]
    fn pem_and_names() {
        assert_eq!(pem_decode("x\n-----BEGIN K-----\nAAEC\nAw==\n-----END K-----\n", "K").unwrap(), [0, 1, 2, 3]);
        assert!(pem_decode("-----BEGIN K-----\nAAEC", "K").is_err());
        assert!(pem_decode("-----BEGIN X-----\nAAEC\n-----END X-----", "K").is_err());
        assert!(Signer::from_pem("-----BEGIN PRIVATE KEY-----\nAAEC\n-----END PRIVATE KEY-----").is_err());
        assert_eq!(sidecar_key("A/b/N.json.gz"), "A/b/.N.json.gz.meta.json");
        assert_eq!(sidecar_json("ab"), r#"{"signature":"ab","signature-algorithm":"SHA256withRSA"}"#);
        let mut keys: Vec<&str> = vec!["signature-algorithm", "signature"];
        keys.sort();
        assert_eq!(keys, ["signature", "signature-algorithm"], "sidecar keys are in sorted order");
        assert_eq!(string_to_sign("T", "b", "k/x", "h", None), "T\nb/k/x\nh\nnull");
        assert_eq!(string_to_sign("T", "b", "k", "h", Some("ab")), "T\nb/k\nh\nab");
    }

    /// Every file under `root`, by path relative to it.
    fn files(root: &Path) -> BTreeMap<String, Vec<u8>> {
        let mut out = BTreeMap::new();
        let mut stack = vec![root.to_path_buf()];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    stack.push(p);
                } else {
                    let rel = p.strip_prefix(root).unwrap().to_str().unwrap().to_string();
                    out.insert(rel, std::fs::read(&p).unwrap());
                }
            }
        }
        out
    }

    /// Checks every digest chain of the bucket folder `root` as a validator would, with the key
    /// of `public-keys.json`; returns the number of digests.
    fn verify_bucket(root: &Path, bucket: &str) -> usize {
        let (der, fingerprint) = listed_key();
        let public = UnparsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, &der);
        let all = files(root);
        // Chains per region folder, in key order (= end time order).
        let mut chains: BTreeMap<String, Vec<&String>> = BTreeMap::new();
        for key in all.keys() {
            let parts: Vec<&str> = key.split('/').collect();
            if parts.get(2) == Some(&"CloudTrail-Digest") && !parts.last().unwrap().starts_with('.') {
                chains.entry(parts[3].to_string()).or_default().push(key);
            }
        }
        let mut n = 0;
        for keys in chains.values() {
            let mut prev: Option<(&str, String, String)> = None; // key, sha256, signature
            for key in keys {
                let mut text = Vec::new();
                flate2::read::GzDecoder::new(&all[*key][..]).read_to_end(&mut text).unwrap();
                let d: serde_json::Value = serde_json::from_slice(&text).unwrap();
                let side = all.get(&sidecar_key(key)).unwrap_or_else(|| panic!("no sidecar for {key}"));
                let meta: BTreeMap<String, String> = serde_json::from_slice(side).unwrap();
                assert_eq!(meta.len(), 2, "{key}");
                assert_eq!(meta["signature-algorithm"], ALGORITHM);
                let sig = &meta["signature"];
                assert_eq!(side, sidecar_json(sig).as_bytes(), "{key}: sidecar bytes");
                assert_eq!(d["digestPublicKeyFingerprint"], fingerprint.as_str());
                assert_eq!(d["digestSignatureAlgorithm"], ALGORITHM);
                assert_eq!(d["digestS3Bucket"], bucket);
                assert_eq!(d["digestS3Object"], key.as_str(), "moved");
                let hash = sha256::hex_digest(&text);
                let prev_sig = d["previousDigestSignature"].as_str();
                let signed = string_to_sign(
                    d["digestEndTime"].as_str().unwrap(),
                    d["digestS3Bucket"].as_str().unwrap(),
                    d["digestS3Object"].as_str().unwrap(),
                    &hash,
                    prev_sig,
                );
                let sig_bytes: Vec<u8> =
                    (0..sig.len()).step_by(2).map(|i| u8::from_str_radix(&sig[i..i + 2], 16).unwrap()).collect();
                assert_eq!(sig_bytes.len(), 256, "{key}");
                assert_eq!(sig, &sig.to_ascii_lowercase());
                public.verify(signed.as_bytes(), &sig_bytes).unwrap_or_else(|_| panic!("{key}: bad signature"));
                match &prev {
                    None => {
                        assert!(prev_sig.is_none(), "{key}: a chain head has a previous signature");
                        for f in ["previousDigestS3Bucket", "previousDigestS3Object", "previousDigestHashValue"] {
                            assert!(d[f].is_null(), "{key}: {f}");
                        }
                    }
                    Some((pkey, phash, psig)) => {
                        assert_eq!(prev_sig, Some(psig.as_str()), "{key}: previousDigestSignature");
                        assert_eq!(d["previousDigestHashValue"], phash.as_str(), "{key}");
                        assert_eq!(d["previousDigestHashAlgorithm"], "SHA-256");
                        assert_eq!(d["previousDigestS3Object"], *pkey, "{key}");
                        assert_eq!(d["previousDigestS3Bucket"], bucket);
                    }
                }
                // Every log file a digest names is there, with that hash.
                for f in d["logFiles"].as_array().unwrap() {
                    let gz = &all[f["s3Object"].as_str().unwrap()];
                    let mut log = Vec::new();
                    flate2::read::GzDecoder::new(&gz[..]).read_to_end(&mut log).unwrap();
                    assert_eq!(f["hashValue"], sha256::hex_digest(&log).as_str());
                }
                if n == 0 {
                    // One flipped byte anywhere in the signed string fails, and so does a
                    // flipped signature byte.
                    for i in [0, signed.len() / 2, signed.len() - 1] {
                        let mut bad = signed.clone().into_bytes();
                        bad[i] ^= 1;
                        assert!(public.verify(&bad, &sig_bytes).is_err(), "flipped byte {i} verifies");
                    }
                    let mut bad = sig_bytes.clone();
                    bad[100] ^= 0x80;
                    assert!(public.verify(signed.as_bytes(), &bad).is_err());
                }
                prev = Some((key, hash, sig.clone()));
                n += 1;
            }
        }
        n
    }

    #[test]
    fn sample_digests_verify() {
        let dir = std::env::temp_dir().join(format!("ct-synth-sign-{}", std::process::id()));
        let s = crate::sample::run(&dir, 2017, true, &Signer::test_key()).unwrap();
        assert_eq!(verify_bucket(&dir, crate::sample::BUCKET), s.digests);
        assert!(s.digests > 3);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// The committed sample too (catches a bucket left unregenerated after a key change).
    #[test]
    fn committed_sample_verifies() {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/bucket");
        assert!(verify_bucket(&root, crate::sample::BUCKET) > 100);
    }
}
