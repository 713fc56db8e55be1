//! id_token validation (OIDC Core §3.1.3.7) against a JWKS served by the fake provider.

use crate::*;
use edge_auth::oauth::id_token::{CLOCK_SKEW_SECS, Expected, IdTokenError, MAX_AGE_SECS};
use edge_auth::oauth::jwk::KeySet;
use edge_auth::oauth::metadata::{MetadataCache, VerifyError};
use edge_auth::store::keys::OIDC_METADATA_CACHE_SECS;
use hmac::{Hmac, KeyInit, Mac};

const JWKS: &str = "https://idp.corp.example/jwks";

/// A fresh key-set cache, as a provider starts with, over the fake provider.
struct Check {
    w: World,
    cache: MetadataCache,
    issuers: Vec<String>,
    trusted_audiences: Vec<String>,
}

fn check() -> Check {
    let w = world(&[]);
    w.idp.json(JWKS, 200, jwks(&[&key("rsa"), &key("ec")]));
    Check {
        w,
        cache: MetadataCache::default(),
        issuers: vec![CORP_ISSUER.to_owned()],
        trusted_audiences: Vec::new(),
    }
}

fn claims() -> Value {
    json!({
        "iss": CORP_ISSUER, "aud": "corp-client", "sub": "user-123", "nonce": "n-0S6_WzA2Mj",
        "iat": NOW, "exp": NOW + 300, "email": "jane@corp.example", "email_verified": true,
    })
}

fn with(overrides: Value) -> Value {
    overridden(claims(), overrides)
}

impl Check {
    fn verify_at(
        &self,
        token: &str,
        now: u64,
    ) -> Result<edge_auth::oauth::id_token::Claims, VerifyError> {
        let expected = Expected {
            issuers: &self.issuers,
            client_id: "corp-client",
            trusted_audiences: &self.trusted_audiences,
            nonce: Some("n-0S6_WzA2Mj"),
            now_secs: now,
        };
        block_on(
            self.cache
                .verify_id_token(self.w.idp.as_ref(), JWKS, token, &expected),
        )
    }

    fn verify(&self, token: &str) -> Result<edge_auth::oauth::id_token::Claims, VerifyError> {
        self.verify_at(token, NOW)
    }

    fn refused(&self, token: &str) -> IdTokenError {
        match self.verify(token) {
            Err(VerifyError::Invalid(e)) => e,
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    fn jwks_fetches(&self) -> usize {
        self.w.idp.requests_to(JWKS).len()
    }
}

#[test]
fn rs256_token_signed_by_a_published_key_is_accepted() {
    let c = check();
    let claims = c.verify(&id_token(&claims(), &key("rsa"))).unwrap();
    assert_eq!(claims["sub"], "user-123");
}

#[test]
fn es256_token_signed_by_a_published_key_is_accepted() {
    let c = check();
    assert!(c.verify(&id_token(&claims(), &key("ec"))).is_ok());
}

#[test]
fn alg_none_is_refused() {
    let c = check();
    let unsigned = format!(
        "{}.{}.",
        B64URL.encode(r#"{"alg":"none","typ":"JWT"}"#),
        B64URL.encode(claims().to_string())
    );
    assert_eq!(
        c.refused(&unsigned),
        IdTokenError::UnsupportedAlgorithm("none".into())
    );
}

#[test]
fn hs256_keyed_with_the_providers_public_key_is_refused() {
    // The classic confusion: a verifier that takes `alg` from the token would check this HMAC with
    // the RSA public key bytes it holds.
    let c = check();
    let rsa = key("rsa");
    let input = format!(
        "{}.{}",
        B64URL.encode(json!({"alg":"HS256","kid":"test-rsa"}).to_string()),
        B64URL.encode(claims().to_string())
    );
    let mut mac =
        <Hmac<Sha256> as KeyInit>::new_from_slice(public(&rsa).to_string().as_bytes()).unwrap();
    mac.update(input.as_bytes());
    let token = format!("{input}.{}", B64URL.encode(mac.finalize().into_bytes()));
    assert_eq!(
        c.refused(&token),
        IdTokenError::UnsupportedAlgorithm("HS256".into())
    );
}

#[test]
fn a_token_signed_by_another_key_under_a_published_kid_is_refused() {
    let c = check();
    let token = jws(
        &json!({"alg":"RS256","kid":"test-rsa"}),
        &claims(),
        &key("rogue_rsa"),
    );
    assert_eq!(c.refused(&token), IdTokenError::BadSignature);
}

#[test]
fn an_unknown_kid_triggers_exactly_one_refetch_and_is_then_refused() {
    let c = check();
    c.verify(&id_token(&claims(), &key("rsa"))).unwrap();
    assert_eq!(c.jwks_fetches(), 1);
    assert_eq!(
        c.refused(&id_token(&claims(), &key("rogue_rsa"))),
        IdTokenError::UnknownKey
    );
    assert_eq!(c.jwks_fetches(), 2, "one refetch, not more");
}

#[test]
fn a_cold_cache_does_not_refetch_what_it_just_fetched() {
    let c = check();
    assert_eq!(
        c.refused(&id_token(&claims(), &key("rogue_rsa"))),
        IdTokenError::UnknownKey
    );
    assert_eq!(c.jwks_fetches(), 1);
}

#[test]
fn a_rotated_key_is_found_by_the_refetch() {
    let c = check();
    c.verify(&id_token(&claims(), &key("ec"))).unwrap();
    let mut rotated = key("rogue_rsa");
    rotated["kid"] = json!("rotated-2027");
    c.w.idp.json(JWKS, 200, jwks(&[&key("ec"), &rotated]));
    assert!(c.verify(&id_token(&claims(), &rotated)).is_ok());
    assert_eq!(c.jwks_fetches(), 2);
}

#[test]
fn the_key_set_is_refetched_after_its_cache_lifetime() {
    let c = check();
    c.verify(&id_token(&claims(), &key("rsa"))).unwrap();
    let later = NOW + OIDC_METADATA_CACHE_SECS;
    let fresh = with(json!({"iat": later, "exp": later + 300}));
    c.verify_at(&id_token(&fresh, &key("rsa")), later).unwrap();
    assert_eq!(c.jwks_fetches(), 2);
}

#[test]
fn an_embedded_jwk_header_is_never_trusted() {
    let c = check();
    let rogue = key("rogue_rsa");
    let token = jws(
        &json!({"alg":"RS256","kid":"rogue-rsa","jwk": public(&rogue)}),
        &claims(),
        &rogue,
    );
    assert_eq!(c.refused(&token), IdTokenError::UnknownKey);
}

#[test]
fn the_key_type_must_match_the_algorithm() {
    // ES256 named in the header, but the kid is the RSA key's.
    let c = check();
    let token = jws(
        &json!({"alg":"ES256","kid":"test-rsa"}),
        &claims(),
        &key("ec"),
    );
    assert_eq!(c.refused(&token), IdTokenError::UnknownKey);
}

#[test]
fn a_tampered_payload_breaks_the_signature() {
    let c = check();
    let token = id_token(&claims(), &key("rsa"));
    let parts: Vec<&str> = token.split('.').collect();
    let forged = B64URL.encode(with(json!({"sub": "admin"})).to_string());
    assert_eq!(
        c.refused(&format!("{}.{forged}.{}", parts[0], parts[2])),
        IdTokenError::BadSignature
    );
}

#[test]
fn es256_signatures_must_be_64_raw_bytes() {
    let c = check();
    let token = id_token(&claims(), &key("ec"));
    let (input, sig) = token.rsplit_once('.').unwrap();
    let mut longer = B64URL.decode(sig).unwrap();
    longer.push(0);
    assert_eq!(
        c.refused(&format!("{input}.{}", B64URL.encode(longer))),
        IdTokenError::BadSignature
    );
}

/// A P-256 key that is not in the provider's JWKS (a fixed scalar, so the test is repeatable).
fn rogue_ec() -> Value {
    json!({"kty": "EC", "crv": "P-256", "d": B64URL.encode([0x42u8; 32])})
}

/// `token` with its signature replaced by `signature`.
fn resigned(token: &str, signature: &[u8]) -> String {
    let (input, _) = token.rsplit_once('.').unwrap();
    format!("{input}.{}", B64URL.encode(signature))
}

#[test]
fn an_es256_token_signed_by_another_key_under_a_published_kid_is_refused() {
    let c = check();
    let token = jws(
        &json!({"alg":"ES256","kid":"test-ec"}),
        &claims(),
        &rogue_ec(),
    );
    assert_eq!(
        B64URL
            .decode(token.rsplit_once('.').unwrap().1)
            .unwrap()
            .len(),
        64
    );
    assert_eq!(c.refused(&token), IdTokenError::BadSignature);
}

#[test]
fn an_es256_token_with_a_tampered_payload_is_refused() {
    let c = check();
    let token = id_token(&claims(), &key("ec"));
    let parts: Vec<&str> = token.split('.').collect();
    let forged = B64URL.encode(with(json!({"sub": "admin"})).to_string());
    assert_eq!(
        c.refused(&format!("{}.{forged}.{}", parts[0], parts[2])),
        IdTokenError::BadSignature
    );
}

#[test]
fn sixty_four_arbitrary_bytes_are_not_an_es256_signature() {
    let c = check();
    let token = id_token(&claims(), &key("ec"));
    let genuine = B64URL.decode(token.rsplit_once('.').unwrap().1).unwrap();
    let mut flipped = genuine.clone();
    flipped[63] ^= 1;
    for signature in [
        [0u8; 64].to_vec(),
        [0xffu8; 64].to_vec(),
        [7u8; 64].to_vec(),
        flipped,
    ] {
        assert_eq!(
            c.refused(&resigned(&token, &signature)),
            IdTokenError::BadSignature,
            "{signature:?}"
        );
    }
}

#[test]
fn crit_headers_are_refused() {
    let c = check();
    let token = jws(
        &json!({"alg":"RS256","kid":"test-rsa","crit":["exp"]}),
        &claims(),
        &key("rsa"),
    );
    assert!(matches!(c.refused(&token), IdTokenError::Malformed(_)));
}

#[test]
fn garbage_is_malformed() {
    let c = check();
    for junk in ["", "a.b", "a.b.c.d", "!!.??.##", "e30.e30.e30"] {
        assert!(
            matches!(
                c.refused(junk),
                IdTokenError::Malformed(_) | IdTokenError::UnsupportedAlgorithm(_)
            ),
            "{junk:?}"
        );
    }
}

#[test]
fn claims_are_checked_after_the_signature() {
    let c = check();
    let cases = [
        (json!({"iss": "https://evil.example"}), IdTokenError::Issuer),
        (
            json!({"iss": "https://idp.corp.example/"}),
            IdTokenError::Issuer,
        ),
        (json!({"iss": null}), IdTokenError::Issuer),
        (json!({"aud": "someone-else"}), IdTokenError::Audience),
        (json!({"aud": null}), IdTokenError::Audience),
        (
            json!({"aud": ["corp-client", "other"]}),
            IdTokenError::UntrustedAudience,
        ),
        (
            json!({"aud": ["corp-client", "other"], "azp": "other"}),
            IdTokenError::UntrustedAudience,
        ),
        (
            json!({"aud": ["corp-client", "other"], "azp": "corp-client"}),
            IdTokenError::UntrustedAudience,
        ),
        (json!({"aud": ["corp-client", 7]}), IdTokenError::Audience),
        (json!({"azp": "other"}), IdTokenError::AuthorizedParty),
        (json!({"exp": NOW - CLOCK_SKEW_SECS}), IdTokenError::Expired),
        (
            json!({"exp": null}),
            IdTokenError::Malformed("exp and iat are required numbers"),
        ),
        (
            json!({"iat": NOW + CLOCK_SKEW_SECS + 1}),
            IdTokenError::IssuedInTheFuture,
        ),
        (
            json!({"iat": NOW - MAX_AGE_SECS - CLOCK_SKEW_SECS - 1}),
            IdTokenError::TooOld,
        ),
        (json!({"nonce": "other-nonce"}), IdTokenError::Nonce),
        (json!({"nonce": null}), IdTokenError::Nonce),
        (json!({"sub": ""}), IdTokenError::MissingSubject),
        (json!({"sub": null}), IdTokenError::MissingSubject),
    ];
    for (overrides, expected) in cases {
        let token = id_token(&with(overrides.clone()), &key("rsa"));
        assert_eq!(c.refused(&token), expected, "{overrides}");
    }
}

#[test]
fn small_clock_differences_are_tolerated() {
    let c = check();
    for overrides in [
        json!({"exp": NOW - CLOCK_SKEW_SECS + 1}),
        json!({"iat": NOW + CLOCK_SKEW_SECS}),
        json!({"aud": ["corp-client"]}),
        json!({"exp": (NOW + 60) as f64 + 0.5}),
        // Exactly as old as accepted: the age limit is inclusive.
        json!({"iat": NOW - MAX_AGE_SECS - CLOCK_SKEW_SECS}),
    ] {
        let token = id_token(&with(overrides.clone()), &key("rsa"));
        assert!(c.verify(&token).is_ok(), "{overrides}");
    }
}

#[test]
fn an_unreachable_jwks_is_reported_not_a_panic() {
    let c = check();
    c.w.idp.json(JWKS, 503, json!({}));
    match c.verify(&id_token(&claims(), &key("rsa"))) {
        Err(VerifyError::Unavailable(failure)) => {
            assert_eq!(
                failure.to_string(),
                "Could not fetch the JWKS of idp.corp.example, 503, Service Unavailable"
            )
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn key_sets_keep_only_signature_keys_we_can_use() {
    let mut enc = public(&key("rsa"));
    enc["use"] = json!("enc");
    let mut rs384 = public(&key("ec"));
    rs384["alg"] = json!("ES384");
    let doc = json!({"keys": [
        public(&key("weak_rsa")),
        enc,
        rs384,
        {"kty": "oct", "k": "c2VjcmV0", "kid": "hmac"},
        {"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"},
        {"kty": "EC", "crv": "P-256", "x": "AAAA", "y": "AAAA", "kid": "short"},
        public(&key("rsa")),
    ]});
    let set = KeySet::parse(doc.to_string().as_bytes()).unwrap();
    assert_eq!(
        set.len(),
        1,
        "only the 2048-bit RS256 signature key survives"
    );
    assert!(KeySet::parse(b"[]").is_err());
    assert!(KeySet::parse(b"not json").is_err());
}

#[test]
fn extra_audiences_are_accepted_only_when_configured_as_trusted() {
    let mut c = check();
    let token = |claims: Value| id_token(&with(claims), &key("rsa"));
    let two = json!({"aud": ["corp-client", "corp-api"], "azp": "corp-client"});
    assert_eq!(
        c.refused(&token(two.clone())),
        IdTokenError::UntrustedAudience
    );
    c.trusted_audiences = vec!["corp-api".to_owned()];
    assert!(c.verify(&token(two)).is_ok());
    // Trusting one audience trusts no other, and the azp rule still holds.
    let three = json!({"aud": ["corp-client", "corp-api", "else"], "azp": "corp-client"});
    assert_eq!(c.refused(&token(three)), IdTokenError::UntrustedAudience);
    let no_azp = json!({"aud": ["corp-client", "corp-api"]});
    assert_eq!(c.refused(&token(no_azp)), IdTokenError::AuthorizedParty);
}
