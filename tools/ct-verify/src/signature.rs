//! The signature of a digest: RSA PKCS#1 v1.5 with SHA-256 ("SHA256withRSA") over the string
//! `digest::string_to_sign` makes, hex in the digest object's S3 metadata.

use aws_lc_rs::signature::{RSA_PKCS1_2048_8192_SHA256, UnparsedPublicKey};

/// Whether `signature_hex` is a valid signature of `message` by the PKCS#1 DER key `der`.
/// A signature that is not hex is not valid.
pub fn verify(der: &[u8], message: &[u8], signature_hex: &str) -> bool {
    let Some(sig) = unhex(signature_hex) else { return false };
    UnparsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, der).verify(message, &sig).is_ok()
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok()).collect()
}

#[cfg(test)]
pub(crate) mod tests {
    use aws_lc_rs::rsa::KeySize;
    use aws_lc_rs::signature::{KeyPair, RSA_PKCS1_SHA256, RsaKeyPair};

    use super::*;

    /// A fresh 2048-bit key: (pair, PKCS#1 DER of its public half).
    pub fn key() -> (RsaKeyPair, Vec<u8>) {
        let pair = RsaKeyPair::generate(KeySize::Rsa2048).unwrap();
        let der = pair.public_key().as_ref().to_vec();
        (pair, der)
    }

    pub fn sign(pair: &RsaKeyPair, message: &[u8]) -> String {
        let mut sig = vec![0; pair.public_modulus_len()];
        pair.sign(&RSA_PKCS1_SHA256, &aws_lc_rs::rand::SystemRandom::new(), message, &mut sig).unwrap();
        crate::keys::hex(&sig)
    }

    #[test]
    fn a_signature_verifies_only_for_its_message_and_key() {
        let (pair, der) = key();
        let sig = sign(&pair, b"message");
        assert!(verify(&der, b"message", &sig));
        assert!(!verify(&der, b"messagE", &sig));
        let (_, other) = key();
        assert!(!verify(&other, b"message", &sig));
        assert!(!verify(&der, b"message", "zz"));
        assert!(!verify(&der, b"message", &sig[1..]));
    }
}
