//! Our own signing keys as text: a private key as PKCS #8 PEM or as a private JWK (RFC 7517, 7518,
//! 8037), public keys as JWKs, and the RFC 7638 thumbprint that names a key by default. Parsing only,
//! with a small DER reader for the two PKCS #8 layouts we take; no elliptic-curve arithmetic, so it is
//! the same code in every build. Errors describe the problem, never the key's bytes.

use crate::b64::{STANDARD as B64, URL_SAFE_NO_PAD as B64URL};
use crate::ports::jws::{JwsAlgorithm, JwsPrivateKey, JwsPublicKey};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

/// Why a key was refused; the message is safe to show (it never holds key material).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyFormatError(pub String);

fn refuse<T>(message: impl Into<String>) -> Result<T, KeyFormatError> {
    Err(KeyFormatError(message.into()))
}

/// The OIDs we read, as DER contents.
const OID_EC_PUBLIC_KEY: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
const OID_P256: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
const OID_ED25519: &[u8] = &[0x2b, 0x65, 0x70];
const OID_RSA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];

/// The curve a key algorithm needs, for messages.
fn expected_key(algorithm: JwsAlgorithm) -> &'static str {
    match algorithm {
        JwsAlgorithm::Es256 => "an EC P-256 key",
        JwsAlgorithm::EdDsa => "an Ed25519 key",
    }
}

/// `is <found>; JWT_ALGORITHM=<alg> needs <the key it needs>`: one message for every kind mismatch.
fn mismatch<T>(found: &str, algorithm: JwsAlgorithm) -> Result<T, KeyFormatError> {
    refuse(format!(
        "is {found}; JWT_ALGORITHM={} needs {}",
        algorithm.name(),
        expected_key(algorithm)
    ))
}

/// A private key for `algorithm` from a PKCS #8 PEM (`-----BEGIN PRIVATE KEY-----`) or a private JWK.
pub fn parse_private_key(
    text: &str,
    algorithm: JwsAlgorithm,
) -> Result<JwsPrivateKey, KeyFormatError> {
    let text = text.trim();
    if text.starts_with('{') {
        return private_jwk(text, algorithm);
    }
    if text.starts_with("-----BEGIN EC PRIVATE KEY-----") {
        return refuse(
            "is a SEC 1 \"EC PRIVATE KEY\"; convert it to PKCS #8 with `openssl pkcs8 -topk8 -nocrypt`",
        );
    }
    if text.starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----") {
        return refuse("is encrypted; give it unencrypted (the secret store protects it)");
    }
    let der = pem_body(text, "PRIVATE KEY").ok_or_else(|| {
        KeyFormatError(
            "expected a PKCS #8 PEM (-----BEGIN PRIVATE KEY-----) or a private JWK (JSON)".into(),
        )
    })?;
    pkcs8(&der, algorithm)
}

/// The base64 body between `-----BEGIN <label>-----` and `-----END <label>-----`, decoded. Secrets
/// pasted into a dashboard often lose their line breaks or gain `\n` escapes: both are accepted.
fn pem_body(text: &str, label: &str) -> Option<Vec<u8>> {
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let body = text.strip_prefix(&begin)?.trim_end().strip_suffix(&end)?;
    let body: String = body
        .replace("\\n", "")
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    B64.decode(body).ok()
}

/// One DER element: its tag, its contents, and what follows it.
fn der(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = input.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = match first {
        0..=0x7f => (usize::from(first), rest),
        0x81 => (usize::from(*rest.first()?), &rest[1..]),
        0x82 => (
            usize::from(*rest.first()?) << 8 | usize::from(*rest.get(1)?),
            &rest[2..],
        ),
        _ => return None,
    };
    (rest.len() >= len).then(|| (tag, &rest[..len], &rest[len..]))
}

/// The contents of the element tagged `tag` at the start of `input`, and what follows.
fn expect(input: &[u8], tag: u8) -> Option<(&[u8], &[u8])> {
    let (t, contents, rest) = der(input)?;
    (t == tag).then_some((contents, rest))
}

const SEQUENCE: u8 = 0x30;
const INTEGER: u8 = 0x02;
const OCTET_STRING: u8 = 0x04;
const BIT_STRING: u8 = 0x03;
const OID: u8 = 0x06;

/// `PrivateKeyInfo` / `OneAsymmetricKey` (RFC 5958) holding a P-256 or an Ed25519 key.
fn pkcs8(input: &[u8], algorithm: JwsAlgorithm) -> Result<JwsPrivateKey, KeyFormatError> {
    let malformed = || KeyFormatError("is not a well-formed PKCS #8 private key".into());
    let (info, _) = expect(input, SEQUENCE).ok_or_else(malformed)?;
    let (_version, rest) = expect(info, INTEGER).ok_or_else(malformed)?;
    let (algorithm_id, rest) = expect(rest, SEQUENCE).ok_or_else(malformed)?;
    let (private, rest) = expect(rest, OCTET_STRING).ok_or_else(malformed)?;
    let (oid, params) = expect(algorithm_id, OID).ok_or_else(malformed)?;
    let found = match oid {
        OID_EC_PUBLIC_KEY => {
            let (curve, _) = expect(params, OID).ok_or_else(malformed)?;
            if curve != OID_P256 {
                return mismatch("an EC key on another curve", algorithm);
            }
            JwsAlgorithm::Es256
        }
        OID_ED25519 => JwsAlgorithm::EdDsa,
        other => {
            let kind = if other == OID_RSA {
                "an RSA key"
            } else {
                "a key of another type"
            };
            return refuse(format!(
                "is {kind}; JWT_ALGORITHM={} needs {}",
                algorithm.name(),
                expected_key(algorithm)
            ));
        }
    };
    if found != algorithm {
        return refuse(format!(
            "is {}; JWT_ALGORITHM={} needs {}",
            expected_key(found),
            algorithm.name(),
            expected_key(algorithm)
        ));
    }
    match algorithm {
        JwsAlgorithm::Es256 => {
            // ECPrivateKey (RFC 5915): version 1, d, optional [0] parameters, optional [1] public key.
            let (ec, _) = expect(private, SEQUENCE).ok_or_else(malformed)?;
            let (_version, rest) = expect(ec, INTEGER).ok_or_else(malformed)?;
            let (d, mut rest) = expect(rest, OCTET_STRING).ok_or_else(malformed)?;
            let d: [u8; 32] = d.try_into().map_err(|_| malformed())?;
            let mut public = None;
            while let Some((tag, contents, next)) = der(rest) {
                if tag == 0xa1 {
                    public = Some(p256_bit_string(contents).ok_or_else(malformed)?);
                }
                rest = next;
            }
            Ok(JwsPrivateKey::new(algorithm, d, public))
        }
        JwsAlgorithm::EdDsa => {
            let (seed, _) = expect(private, OCTET_STRING).ok_or_else(malformed)?;
            let seed: [u8; 32] = seed.try_into().map_err(|_| malformed())?;
            // OneAsymmetricKey may carry [1] publicKey after [0] attributes.
            let mut public = None;
            let mut rest = rest;
            while let Some((tag, contents, next)) = der(rest) {
                if tag == 0x81 {
                    let x = contents.strip_prefix(&[0]).ok_or_else(malformed)?;
                    let x: [u8; 32] = x.try_into().map_err(|_| malformed())?;
                    public = Some(JwsPublicKey::Ed25519 { x });
                }
                rest = next;
            }
            Ok(JwsPrivateKey::new(algorithm, seed, public))
        }
    }
}

/// `[1] { BIT STRING 0x00 0x04 x y }`: an uncompressed P-256 point.
fn p256_bit_string(explicit: &[u8]) -> Option<JwsPublicKey> {
    let (bits, _) = expect(explicit, BIT_STRING)?;
    let point = bits.strip_prefix(&[0x00, 0x04])?;
    if point.len() != 64 {
        return None;
    }
    Some(JwsPublicKey::P256 {
        x: point[..32].try_into().ok()?,
        y: point[32..].try_into().ok()?,
    })
}

fn b64_32(object: &Map<String, Value>, name: &str) -> Option<[u8; 32]> {
    B64URL
        .decode(object.get(name)?.as_str()?)
        .ok()?
        .try_into()
        .ok()
}

/// The public half of a JWK object, for `algorithm`; a message when it is another kind of key.
fn jwk_public(
    object: &Map<String, Value>,
    algorithm: JwsAlgorithm,
) -> Result<JwsPublicKey, KeyFormatError> {
    let field = |name: &str| object.get(name).and_then(Value::as_str);
    let found = match (field("kty"), field("crv")) {
        (Some("EC"), Some("P-256")) => JwsAlgorithm::Es256,
        (Some("OKP"), Some("Ed25519")) => JwsAlgorithm::EdDsa,
        (Some("RSA"), _) => return mismatch("an RSA JWK", algorithm),
        (Some("EC"), _) => return mismatch("an EC JWK on another curve", algorithm),
        _ => return mismatch("a JWK of another type", algorithm),
    };
    if found != algorithm {
        return mismatch(expected_key(found), algorithm);
    }
    if let Some(alg) = field("alg")
        && alg != algorithm.name()
    {
        return refuse(format!(
            "is a JWK for alg {alg:?}; JWT_ALGORITHM is {}",
            algorithm.name()
        ));
    }
    let bad = || KeyFormatError("is a JWK without valid 32-byte base64url coordinates".into());
    Ok(match algorithm {
        JwsAlgorithm::Es256 => JwsPublicKey::P256 {
            x: b64_32(object, "x").ok_or_else(bad)?,
            y: b64_32(object, "y").ok_or_else(bad)?,
        },
        JwsAlgorithm::EdDsa => JwsPublicKey::Ed25519 {
            x: b64_32(object, "x").ok_or_else(bad)?,
        },
    })
}

fn private_jwk(text: &str, algorithm: JwsAlgorithm) -> Result<JwsPrivateKey, KeyFormatError> {
    let Ok(Value::Object(object)) = crate::json_fields::parse(text) else {
        return refuse("is not valid JSON (expected a private JWK)");
    };
    let public = jwk_public(&object, algorithm)?;
    let d = b64_32(&object, "d")
        .ok_or_else(|| KeyFormatError("is a JWK without a 32-byte private part \"d\"".into()))?;
    Ok(JwsPrivateKey::new(algorithm, d, Some(public)))
}

/// Most previous keys kept at once: a rotation needs one or two.
pub const MAX_PREVIOUS_KEYS: usize = 10;

/// A public key we publish and verify with, under its `kid`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedKey {
    /// The key id tokens name in their header.
    pub kid: String,
    /// The key.
    pub key: JwsPublicKey,
}

/// A JWKS `{"keys":[…]}` of public keys for `algorithm`, each with a `kid` and that `alg`.
pub fn parse_public_key_set(
    text: &str,
    algorithm: JwsAlgorithm,
) -> Result<Vec<NamedKey>, KeyFormatError> {
    let Ok(Value::Object(set)) = crate::json_fields::parse(text) else {
        return refuse("expected a JWKS: {\"keys\":[{\"kty\":…,\"kid\":…,\"alg\":…}]}");
    };
    let Some(Value::Array(keys)) = set.get("keys") else {
        return refuse("expected a JWKS: an object with a \"keys\" array");
    };
    if keys.len() > MAX_PREVIOUS_KEYS {
        return refuse(format!("lists more than {MAX_PREVIOUS_KEYS} keys"));
    }
    let mut named: Vec<NamedKey> = Vec::with_capacity(keys.len());
    for (i, key) in keys.iter().enumerate() {
        let Value::Object(object) = key else {
            return refuse(format!("keys[{i}] is not an object"));
        };
        if object.contains_key("d") {
            return refuse(format!(
                "keys[{i}] holds a private key (\"d\"); list public keys only"
            ));
        }
        let Some(kid) = object
            .get("kid")
            .and_then(Value::as_str)
            .filter(|k| !k.is_empty())
        else {
            return refuse(format!("keys[{i}] has no \"kid\""));
        };
        match object.get("alg").and_then(Value::as_str) {
            Some(alg) if alg == algorithm.name() => {}
            Some(alg) => {
                return refuse(format!(
                    "keys[{i}] has alg {alg:?}; only {} keys verify while JWT_ALGORITHM is {}",
                    algorithm.name(),
                    algorithm.name()
                ));
            }
            None => return refuse(format!("keys[{i}] has no \"alg\"")),
        }
        let key = jwk_public(object, algorithm)
            .map_err(|e| KeyFormatError(format!("keys[{i}] {}", e.0)))?;
        if named.iter().any(|n| n.kid == kid) {
            return refuse(format!("keys[{i}] repeats the kid {kid:?}"));
        }
        named.push(NamedKey {
            kid: kid.to_owned(),
            key,
        });
    }
    Ok(named)
}

/// The RFC 7638 thumbprint (SHA-256, base64url) of a public key: its default `kid`.
pub fn thumbprint(key: &JwsPublicKey) -> String {
    // The required members in lexicographic order, no whitespace (RFC 7638 §3.2).
    let canonical = match key {
        JwsPublicKey::P256 { x, y } => format!(
            r#"{{"crv":"P-256","kty":"EC","x":"{}","y":"{}"}}"#,
            B64URL.encode(x),
            B64URL.encode(y)
        ),
        JwsPublicKey::Ed25519 { x } => format!(
            r#"{{"crv":"Ed25519","kty":"OKP","x":"{}"}}"#,
            B64URL.encode(x)
        ),
    };
    B64URL.encode(Sha256::digest(canonical.as_bytes()))
}

/// A key as it appears in our JWKS: `kty, crv, x, (y,) kid, alg, use: "sig"`.
pub fn public_jwk(named: &NamedKey) -> Value {
    // Written as text and read back: smaller in wasm than building the object member by member.
    let alg = named.key.algorithm().name();
    let kid = Value::String(named.kid.clone());
    let text = match &named.key {
        JwsPublicKey::P256 { x, y } => format!(
            r#"{{"kty":"EC","crv":"P-256","x":"{}","y":"{}","kid":{kid},"alg":"{alg}","use":"sig"}}"#,
            B64URL.encode(x),
            B64URL.encode(y)
        ),
        JwsPublicKey::Ed25519 { x } => format!(
            r#"{{"kty":"OKP","crv":"Ed25519","x":"{}","kid":{kid},"alg":"{alg}","use":"sig"}}"#,
            B64URL.encode(x)
        ),
    };
    crate::json_fields::parse(&text).expect("a JSON object written above")
}

/// The DER reader's edges that well-formed test keys never reach.
#[cfg(test)]
mod tests {
    use super::*;

    const KEYS: &str = include_str!("../../tests/fixtures/jwt/test-keys.json");

    #[test]
    fn a_two_byte_length_counts_its_high_byte() {
        let mut element = vec![OCTET_STRING, 0x82, 0x01, 0x02];
        element.extend(std::iter::repeat_n(7u8, 0x102));
        element.push(0xff);
        let (tag, contents, rest) = der(&element).unwrap();
        assert_eq!(
            (tag, contents.len(), rest),
            (OCTET_STRING, 0x102, &[0xff][..])
        );
    }

    /// The `[1] publicKey` of an ECPrivateKey is read (the signer then checks it against the secret).
    #[test]
    fn a_pkcs8_p256_key_gives_the_public_key_it_carries() {
        let keys: Value = serde_json::from_str(KEYS).unwrap();
        let pem = keys["es256"]["pkcs8"].as_str().unwrap();
        let key = parse_private_key(pem, JwsAlgorithm::Es256).unwrap();
        let coordinate = |c: &str| -> [u8; 32] {
            let text = keys["es256"]["public_jwk"][c].as_str().unwrap();
            B64URL.decode(text).unwrap().try_into().unwrap()
        };
        let (x, y) = (coordinate("x"), coordinate("y"));
        assert_eq!(key.public, Some(JwsPublicKey::P256 { x, y }));
    }
    /// RFC 8410's version-2 form: the seed, then `[1] publicKey`, which is read too.
    #[test]
    fn an_ed25519_pkcs8_key_gives_the_public_key_it_carries() {
        let keys: Value = serde_json::from_str(KEYS).unwrap();
        let pem = keys["eddsa"]["pkcs8"].as_str().unwrap();
        let v1 = pem_body(pem, "PRIVATE KEY").unwrap();
        let x: [u8; 32] = B64URL
            .decode(keys["eddsa"]["public_jwk"]["x"].as_str().unwrap())
            .unwrap()
            .try_into()
            .unwrap();
        // SEQUENCE { INTEGER 1, the same algorithm and seed, [1] (0x81) { 0x00, x } }.
        let mut inner = vec![INTEGER, 1, 1];
        inner.extend(&v1[5..]);
        inner.extend([0x81, 33, 0]);
        inner.extend(x);
        let mut v2 = vec![SEQUENCE, u8::try_from(inner.len()).unwrap()];
        v2.extend(inner);
        let key = pkcs8(&v2, JwsAlgorithm::EdDsa).unwrap();
        assert_eq!(key.public, Some(JwsPublicKey::Ed25519 { x }));
    }
    /// `JWT_PREVIOUS_PUBLIC_KEYS` holds up to ten keys.
    #[test]
    fn a_key_set_of_ten_is_read_and_of_eleven_refused() {
        let keys: Value = serde_json::from_str(KEYS).unwrap();
        let set = |n: usize| {
            let listed: Vec<Value> = (0..n)
                .map(|i| {
                    let mut key = keys["es256_previous"]["public_jwk"].clone();
                    key["kid"] = Value::String(format!("k{i}"));
                    key["alg"] = Value::String("ES256".into());
                    key
                })
                .collect();
            serde_json::json!({ "keys": listed }).to_string()
        };
        let ten = parse_public_key_set(&set(MAX_PREVIOUS_KEYS), JwsAlgorithm::Es256).unwrap();
        assert_eq!(ten.len(), 10);
        let eleven = parse_public_key_set(&set(MAX_PREVIOUS_KEYS + 1), JwsAlgorithm::Es256);
        assert!(eleven.is_err());
    }
}
