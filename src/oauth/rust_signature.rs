//! RS256 and ES256 verification in pure Rust (the `rsa` and `p256` crates), for native builds and tests.
//! It names nothing of this crate, so the wasm tests can compile it too (by `#[path]`) and cross-check
//! it against WebCrypto; the shipped wasm builds never link it.

use sha2::Sha256;

/// RSA moduli below this are refused (NIST SP 800-131A: 2048 bits).
const MIN_RSA_BITS: usize = 2048;
/// And above this, too: they cost verification time and no provider uses them.
const MAX_RSA_BITS: usize = 8192;

/// PKCS #1 v1.5 with SHA-256 under the big-endian modulus `n` and exponent `e`.
pub fn rs256(n: &[u8], e: &[u8], signing_input: &[u8], signature: &[u8]) -> bool {
    use rsa::signature::Verifier;
    let n = rsa::BoxedUint::from_be_slice_vartime(n);
    let e = rsa::BoxedUint::from_be_slice_vartime(e);
    // Also refuses even or zero moduli and bad exponents.
    let Ok(public) = rsa::PublicKey::new_with_size_limits(n, e, MIN_RSA_BITS..=MAX_RSA_BITS) else {
        return false;
    };
    let public = rsa::pkcs1v15::VerifyingKey::<Sha256>::new(public);
    rsa::pkcs1v15::Signature::try_from(signature)
        .is_ok_and(|sig| public.verify(signing_input, &sig).is_ok())
}

/// ECDSA P-256 with SHA-256 under the point (`x`, `y`); the signature is JWS's fixed 64-byte r || s.
pub fn es256(x: &[u8; 32], y: &[u8; 32], signing_input: &[u8], signature: &[u8]) -> bool {
    use p256::ecdsa::signature::Verifier;
    if signature.len() != 64 {
        return false;
    }
    let mut sec1 = [0u8; 65];
    sec1[0] = 0x04;
    sec1[1..33].copy_from_slice(x);
    sec1[33..].copy_from_slice(y);
    // Rejects points that are not on the curve.
    let Ok(public) = p256::ecdsa::VerifyingKey::from_sec1_bytes(&sec1) else {
        return false;
    };
    p256::ecdsa::Signature::from_slice(signature)
        .is_ok_and(|sig| public.verify(signing_input, &sig).is_ok())
}
