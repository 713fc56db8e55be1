//! JSON Web Keys (RFC 7517) that can check id_token signatures: RSA (RS256) and P-256 (ES256) public
//! keys. Everything else in a key set (symmetric `oct` keys, other curves, encryption keys) is skipped,
//! so a provider's JWKS can never turn into an HMAC secret or an unexpected algorithm.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use p256::ecdsa::VerifyingKey as P256Key;
use rsa::BoxedUint;
use rsa::pkcs1v15::VerifyingKey as RsaKey;
use serde_json::Value;
use sha2::Sha256;
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

/// A verifying key of one of the accepted algorithms.
pub enum PublicKey {
    /// PKCS #1 v1.5 with SHA-256 (RS256).
    Rsa(RsaKey<Sha256>),
    /// ECDSA on P-256 with SHA-256 (ES256).
    P256(P256Key),
}

impl PublicKey {
    /// The only algorithm this key verifies.
    pub fn algorithm(&self) -> Algorithm {
        match self {
            Self::Rsa(_) => Algorithm::Rs256,
            Self::P256(_) => Algorithm::Es256,
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
    pub fn parse(json: &[u8]) -> Result<Self, String> {
        let doc: Value =
            serde_json::from_slice(json).map_err(|_| "JWKS is not valid JSON".to_owned())?;
        let Some(keys) = doc.get("keys").and_then(Value::as_array) else {
            return Err("JWKS has no \"keys\" array".into());
        };
        if keys.len() > MAX_KEYS {
            return Err(format!("JWKS has more than {MAX_KEYS} keys"));
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
        "RSA" => PublicKey::Rsa(RsaKey::new(rsa_key(key)?)),
        "EC" if str_field(key, "crv") == Some("P-256") => PublicKey::P256(p256_key(key)?),
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

fn rsa_key(key: &Value) -> Option<rsa::PublicKey> {
    let n = b64_field(key, "n")?;
    let e = b64_field(key, "e")?;
    let n = BoxedUint::from_be_slice_vartime(&n);
    let e = BoxedUint::from_be_slice_vartime(&e);
    // Also refuses even or zero moduli and bad exponents.
    rsa::PublicKey::new_with_size_limits(n, e, MIN_RSA_BITS..=MAX_RSA_BITS).ok()
}

fn p256_key(key: &Value) -> Option<P256Key> {
    let x = b64_field(key, "x")?;
    let y = b64_field(key, "y")?;
    if x.len() != 32 || y.len() != 32 {
        return None;
    }
    let mut sec1 = Vec::with_capacity(65);
    sec1.push(0x04);
    sec1.extend_from_slice(&x);
    sec1.extend_from_slice(&y);
    // Rejects points that are not on the curve.
    P256Key::from_sec1_bytes(&sec1).ok()
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
