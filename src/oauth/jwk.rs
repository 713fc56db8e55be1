//! JSON Web Keys (RFC 7517) that can check id_token signatures: RSA (RS256) and P-256 (ES256) public
//! keys. Everything else in a key set (symmetric `oct` keys, other curves, encryption keys) is skipped,
//! so a provider's JWKS can never turn into an HMAC secret or an unexpected algorithm.

use crate::b64::URL_SAFE_NO_PAD as B64URL;
use crate::oauth::failure::OAuthFailure;
pub use crate::ports::signature::PublicKey;
use serde_json::Value;
use std::fmt;

/// RSA moduli below this are refused (NIST SP 800-131A: 2048 bits).
pub const MIN_RSA_BITS: usize = 2048;
/// And above this, too: they cost verification time and no provider uses them.
pub const MAX_RSA_BITS: usize = 8192;
/// A key set bigger than this is not a provider's.
pub const MAX_KEYS: usize = 50;

/// The signature algorithms we verify. `none`, HMAC (`HS*`) and everything else do not exist here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Algorithm {
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    Rs256,
    /// ECDSA on P-256 with SHA-256.
    Es256,
}

impl Algorithm {
    /// The algorithm of a JOSE `alg` name, if we verify it.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "RS256" => Some(Self::Rs256),
            "ES256" => Some(Self::Es256),
            _ => None,
        }
    }

    /// The JOSE `alg` name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Rs256 => "RS256",
            Self::Es256 => "ES256",
        }
    }
}

/// The largest RSA public exponent accepted (2^33 - 1); providers use 65537.
const MAX_RSA_EXPONENT: u64 = (1 << 33) - 1;

impl PublicKey {
    /// The one algorithm this key verifies: RSA keys RS256, P-256 keys ES256.
    pub fn algorithm(&self) -> Algorithm {
        match self {
            Self::Rsa { .. } => Algorithm::Rs256,
            Self::P256 { .. } => Algorithm::Es256,
        }
    }
}

/// One usable key of a set.
pub struct Jwk {
    /// The key id, when the set names one.
    pub kid: Option<String>,
    /// The key itself.
    pub key: PublicKey,
}

impl fmt::Debug for Jwk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Jwk")
            .field("kid", &self.kid)
            .field("alg", &self.key.algorithm())
            .finish()
    }
}

/// The signature-checking keys of a JWKS document.
#[derive(Debug, Default)]
pub struct KeySet {
    keys: Vec<Jwk>,
}

/// What a lookup found.
#[derive(Debug)]
pub enum Lookup<'a> {
    /// The key to verify with.
    Found(&'a Jwk),
    /// No key with this `kid` (and algorithm): the set may be stale.
    Unknown,
    /// No `kid` in the token and more than one candidate key: OIDC Core §10.1 requires a `kid` then.
    Ambiguous,
}

impl KeySet {
    /// Parses `{"keys": [...]}`, keeping the keys we can use for signatures.
    pub fn parse(json: &[u8]) -> Result<Self, OAuthFailure> {
        let doc: Value = crate::json_fields::parse(json).map_err(|_| OAuthFailure::JwksNotJson)?;
        let Some(keys) = doc.get("keys").and_then(Value::as_array) else {
            return Err(OAuthFailure::JwksWithoutKeys);
        };
        if keys.len() > MAX_KEYS {
            return Err(OAuthFailure::JwksTooManyKeys(MAX_KEYS));
        }
        Ok(Self {
            keys: keys.iter().filter_map(parse_key).collect(),
        })
    }

    /// How many usable keys the set has.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether the set has no usable key.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The key for a token's `kid` and `alg`: the key's type must match the algorithm, so an RSA key
    /// is never used for ES256 or the other way round.
    pub fn find(&self, kid: Option<&str>, alg: Algorithm) -> Lookup<'_> {
        let mut candidates = self.keys.iter().filter(|k| k.key.algorithm() == alg);
        match kid {
            Some(kid) => candidates
                .find(|k| k.kid.as_deref() == Some(kid))
                .map_or(Lookup::Unknown, Lookup::Found),
            None => match (candidates.next(), candidates.next()) {
                (Some(only), None) => Lookup::Found(only),
                (None, _) => Lookup::Unknown,
                (Some(_), Some(_)) => Lookup::Ambiguous,
            },
        }
    }
}

fn str_field<'a>(key: &'a Value, name: &str) -> Option<&'a str> {
    key.get(name).and_then(Value::as_str)
}

fn b64_field(key: &Value, name: &str) -> Option<Vec<u8>> {
    // Some issuers pad their base64url; RFC 7518 says they must not, but the bytes are the same.
    B64URL
        .decode(str_field(key, name)?.trim_end_matches('='))
        .ok()
}

/// A key we can verify with, or `None` to skip it.
fn parse_key(key: &Value) -> Option<Jwk> {
    if str_field(key, "use").is_some_and(|u| u != "sig") {
        return None;
    }
    if let Some(ops) = key.get("key_ops") {
        let verifies = ops
            .as_array()
            .is_some_and(|ops| ops.iter().any(|op| op.as_str() == Some("verify")));
        if !verifies {
            return None;
        }
    }
    let declared_alg = str_field(key, "alg");
    let public = match str_field(key, "kty")? {
        "RSA" => rsa_key(key)?,
        "EC" if str_field(key, "crv") == Some("P-256") => p256_key(key)?,
        _ => return None,
    };
    // A key published for another algorithm (say PS256 or RS384) is not ours to use.
    if declared_alg.is_some_and(|a| a != public.algorithm().name()) {
        return None;
    }
    Some(Jwk {
        kid: str_field(key, "kid").map(str::to_owned),
        key: public,
    })
}

/// Big-endian bytes without their leading zeros.
fn strip_zeros(bytes: &[u8]) -> &[u8] {
    let first = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    &bytes[first..]
}

/// Whether a big-endian modulus is [`MIN_RSA_BITS`]..=[`MAX_RSA_BITS`] long.
pub(crate) fn rsa_modulus_acceptable(n: &[u8]) -> bool {
    let n = strip_zeros(n);
    let bits = n
        .first()
        .map_or(0, |top| n.len() * 8 - top.leading_zeros() as usize);
    (MIN_RSA_BITS..=MAX_RSA_BITS).contains(&bits)
}

/// An RSA key whose modulus is odd and [`MIN_RSA_BITS`]..=[`MAX_RSA_BITS`] long and whose exponent is
/// 2..=2^33 - 1, checked on the bytes so that no big-number code is needed to parse a key set.
fn rsa_key(key: &Value) -> Option<PublicKey> {
    let n = strip_zeros(&b64_field(key, "n")?).to_vec();
    let e = strip_zeros(&b64_field(key, "e")?).to_vec();
    if !rsa_modulus_acceptable(&n) || n.last()? & 1 == 0 {
        return None;
    }
    if e.len() > 8 {
        return None;
    }
    let exponent = e.iter().fold(0u64, |acc, &b| acc << 8 | u64::from(b));
    if !(2..=MAX_RSA_EXPONENT).contains(&exponent) {
        return None;
    }
    Some(PublicKey::Rsa { n, e })
}

/// A P-256 key with 32-byte coordinates. Whether the point is on the curve is the verifier's to check
/// (pure Rust and WebCrypto both refuse such a key), which keeps elliptic-curve code out of parsing.
fn p256_key(key: &Value) -> Option<PublicKey> {
    let x = b64_field(key, "x")?.try_into().ok()?;
    let y = b64_field(key, "y")?.try_into().ok()?;
    Some(PublicKey::P256 { x, y })
}

/// A JWKS document is provider input: no bytes and no key object of any shape panics the parser.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod proptests {
    use super::*;
    use crate::proptest_config::with_cases;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(with_cases(256))]

        #[test]
        fn any_bytes_are_parsed_or_refused(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
            let _ = KeySet::parse(&bytes);
        }

        #[test]
        fn keys_of_any_field_values_are_kept_or_dropped(
            kty in prop_oneof![Just("RSA".to_owned()), Just("EC".to_owned()), "[A-Za-z]{0,3}"],
            fields in proptest::collection::btree_map(
                prop_oneof![Just("n"), Just("e"), Just("x"), Just("y"), Just("crv"), Just("alg"), Just("use"), Just("kid")],
                prop_oneof![
                    proptest::collection::vec(any::<u8>(), 0..80).prop_map(|b| B64URL.encode(b)),
                    Just("P-256".to_owned()),
                    Just("AQAB".to_owned()),
                    any::<String>(),
                ],
                0..8,
            ),
        ) {
            let mut jwk = serde_json::Map::new();
            jwk.insert("kty".into(), kty.into());
            for (k, v) in fields {
                jwk.insert(k.into(), v.into());
            }
            let doc = serde_json::json!({ "keys": [jwk] }).to_string();
            let set = KeySet::parse(doc.as_bytes()).unwrap();
            prop_assert!(set.len() <= 1);
        }
    }
}
