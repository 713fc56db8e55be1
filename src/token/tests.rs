//! Behaviour of [`sign`] and [`verify`].

use serde_json::json;

use super::*;

const NOW: u64 = 1_700_000_000;
const SECRET: &[u8] = b"supersecret";

fn key() -> JwtKey {
    JwtKey::new(SECRET)
}

fn claims() -> Claims {
    Claims {
        actor_id: "cus_01".into(),
        actor_type: "customer".into(),
        auth_identity_id: "authid_01".into(),
        auth_provider: Some("emailpass".into()),
        mfa_enabled: false,
        mfa_challenge_completed_at: None,
        app_metadata: json!({ "customer_id": "cus_01" }),
        user_metadata: json!({}),
        iat: NOW,
        exp: NOW + 86_400,
        mfa_challenge: None,
    }
}

fn b64(bytes: impl AsRef<[u8]>) -> String {
    B64URL.encode(bytes)
}

/// A token with the given header JSON, our claims, and a correct HS256 signature under [`SECRET`].
fn token_with_header(header_json: &str) -> String {
    let signing_input = format!(
        "{}.{}",
        b64(header_json),
        b64(serde_json::to_vec(&claims()).expect("json"))
    );
    let signature = key().signature(signing_input.as_bytes());
    format!("{signing_input}.{}", b64(signature))
}

/// `claims()` signed with "supersecret", made independently with Node's crypto from the object literal
/// `{actor_id, actor_type, auth_identity_id, auth_provider, mfa_enabled, mfa_challenge_completed_at,
/// app_metadata, user_metadata, iat, exp}` (Medusa 2.21's claims, in its order): header and payload are
/// `Buffer.from(JSON.stringify(..)).toString("base64url")`, the signature is
/// `createHmac("sha256", "supersecret").update(header + "." + payload).digest("base64url")`.
const NODE_TOKEN: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.\
eyJhY3Rvcl9pZCI6ImN1c18wMSIsImFjdG9yX3R5cGUiOiJjdXN0b21lciIsImF1dGhfaWRlbnRpdHlfaWQiOiJhdXRoaWRfMDEiLC\
JhdXRoX3Byb3ZpZGVyIjoiZW1haWxwYXNzIiwibWZhX2VuYWJsZWQiOmZhbHNlLCJtZmFfY2hhbGxlbmdlX2NvbXBsZXRlZF9hdCI6\
bnVsbCwiYXBwX21ldGFkYXRhIjp7ImN1c3RvbWVyX2lkIjoiY3VzXzAxIn0sInVzZXJfbWV0YWRhdGEiOnt9LCJpYXQiOjE3MDAwMD\
AwMDAsImV4cCI6MTcwMDA4NjQwMH0.\
jLyOTEudOof9v1HSy5ozgluJbDcE8s_BIHNZO8Pn7s4";

/// A token of the 2.0 claim set (`actor_id, actor_type, auth_identity_id, app_metadata, iat, exp`), made
/// the same way: what this Worker issued before, still valid until it expires.
const NODE_TOKEN_2_0: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.\
eyJhY3Rvcl9pZCI6ImN1c18wMSIsImFjdG9yX3R5cGUiOiJjdXN0b21lciIsImF1dGhfaWRlbnRpdHlfaWQiOiJhdXRoaWRfMDEiLC\
JhcHBfbWV0YWRhdGEiOnsiY3VzdG9tZXJfaWQiOiJjdXNfMDEifSwiaWF0IjoxNzAwMDAwMDAwLCJleHAiOjE3MDAwODY0MDB9.\
B6ZrlKUli89g9HlTyKrmTHed0jfaeJ4ytx96F_D01U8";

/// Made the same way, with `app_metadata: null`, an empty `actor_id`, exp an hour after iat and an
/// extra `"extra":"ignored"` claim at the end.
const NODE_TOKEN_EXTRA_CLAIM: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.\
eyJhY3Rvcl9pZCI6IiIsImFjdG9yX3R5cGUiOiJ1c2VyIiwiYXV0aF9pZGVudGl0eV9pZCI6ImF1dGhpZF8wMiIsImFwcF9tZXRhZGF0\
YSI6bnVsbCwiaWF0IjoxNzAwMDAwMDAwLCJleHAiOjE3MDAwMDM2MDAsImV4dHJhIjoiaWdub3JlZCJ9.\
tMY-RbMOZYS20DWbZOuJefyCYEf9O0RvleNfthVoWk0";

#[test]
fn signed_token_round_trips() {
    let token = sign(&claims(), &key());
    assert_eq!(verify(&token, &key(), NOW), Ok(claims()));
}

#[test]
fn signing_matches_an_independent_implementation_byte_for_byte() {
    assert_eq!(sign(&claims(), &key()), NODE_TOKEN);
}

#[test]
fn independently_made_token_verifies() {
    assert_eq!(verify(NODE_TOKEN, &key(), NOW), Ok(claims()));
}

#[test]
fn a_token_with_the_2_0_claims_verifies_with_the_new_claims_defaulted() {
    let expected = Claims {
        auth_provider: None,
        ..claims()
    };
    assert_eq!(verify(NODE_TOKEN_2_0, &key(), NOW), Ok(expected));
}

#[test]
fn extra_claims_are_ignored_and_null_metadata_is_accepted() {
    let claims = verify(NODE_TOKEN_EXTRA_CLAIM, &key(), NOW).expect("valid");
    assert_eq!(claims.actor_id, "");
    assert_eq!(claims.actor_type, "user");
    assert_eq!(claims.app_metadata, serde_json::Value::Null);
    assert_eq!(claims.exp, NOW + 3600);
}

#[test]
fn header_is_exactly_what_jsonwebtoken_writes() {
    let token = sign(&claims(), &key());
    let header = token.split('.').next().expect("header");
    assert_eq!(
        B64URL.decode(header).expect("b64"),
        br#"{"alg":"HS256","typ":"JWT"}"#
    );
    assert_eq!(header, "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9");
}

#[test]
fn tampered_payload_is_a_bad_signature() {
    let token = sign(&claims(), &key());
    let parts: Vec<&str> = token.split('.').collect();
    let mut forged = claims();
    forged.actor_id = "cus_admin".into();
    let forged_payload = b64(serde_json::to_vec(&forged).expect("json"));
    let tampered = format!("{}.{forged_payload}.{}", parts[0], parts[2]);
    assert_eq!(
        verify(&tampered, &key(), NOW),
        Err(TokenError::BadSignature)
    );
}

#[test]
fn tampered_or_truncated_signature_is_a_bad_signature() {
    let (signing_input, signature) = NODE_TOKEN.rsplit_once('.').expect("three parts");
    let mut signature = B64URL.decode(signature).expect("b64");
    signature[0] ^= 1;
    let flipped = format!("{signing_input}.{}", b64(&signature));
    assert_eq!(verify(&flipped, &key(), NOW), Err(TokenError::BadSignature));
    signature[0] ^= 1;
    let truncated = format!("{signing_input}.{}", b64(&signature[..31]));
    assert_eq!(
        verify(&truncated, &key(), NOW),
        Err(TokenError::BadSignature)
    );
    let extended = format!(
        "{signing_input}.{}",
        b64([signature.as_slice(), &[0]].concat())
    );
    assert_eq!(
        verify(&extended, &key(), NOW),
        Err(TokenError::BadSignature)
    );
}

#[test]
fn token_signed_with_another_key_is_a_bad_signature() {
    let token = sign(&claims(), &JwtKey::new(b"another secret"));
    assert_eq!(verify(&token, &key(), NOW), Err(TokenError::BadSignature));
}

#[test]
fn alg_none_with_an_empty_signature_is_unsupported() {
    let payload = b64(serde_json::to_vec(&claims()).expect("json"));
    for header in [
        r#"{"alg":"none","typ":"JWT"}"#,
        r#"{"alg":"None"}"#,
        r#"{"alg":"NONE"}"#,
    ] {
        let token = format!("{}.{payload}.", b64(header));
        assert_eq!(
            verify(&token, &key(), NOW),
            Err(TokenError::UnsupportedAlgorithm),
            "{header}"
        );
    }
}

#[test]
fn other_algorithms_are_unsupported_even_when_correctly_hmac_signed() {
    for header in [
        r#"{"alg":"HS512","typ":"JWT"}"#,
        r#"{"alg":"RS256","typ":"JWT"}"#,
        r#"{"alg":"hs256","typ":"JWT"}"#,
        r#"{"alg":"HS256 ","typ":"JWT"}"#,
        r#"{"alg":256,"typ":"JWT"}"#,
        r#"{"alg":null}"#,
        r#"{"typ":"JWT"}"#,
        r#"{}"#,
    ] {
        let token = token_with_header(header);
        assert_eq!(
            verify(&token, &key(), NOW),
            Err(TokenError::UnsupportedAlgorithm),
            "{header}"
        );
    }
}

#[test]
fn other_hs256_headers_are_accepted_when_signed() {
    // jsonwebtoken accepts any header naming HS256; the signature covers the header as received.
    let token = token_with_header(r#"{"typ":"JWT","alg":"HS256","kid":"k1"}"#);
    assert_eq!(verify(&token, &key(), NOW), Ok(claims()));
}

#[test]
fn critical_header_extensions_are_refused() {
    let token = token_with_header(r#"{"alg":"HS256","crit":["exp"]}"#);
    assert_eq!(verify(&token, &key(), NOW), Err(TokenError::Malformed));
}

#[test]
fn expired_token_is_refused() {
    let token = sign(&claims(), &key());
    let exp = claims().exp;
    assert_eq!(verify(&token, &key(), exp - 1), Ok(claims()));
    assert_eq!(verify(&token, &key(), exp), Err(TokenError::Expired));
    assert_eq!(verify(&token, &key(), exp + 1), Err(TokenError::Expired));
}

#[test]
fn expired_forgery_is_reported_as_a_bad_signature() {
    let token = sign(&claims(), &JwtKey::new(b"another secret"));
    assert_eq!(
        verify(&token, &key(), u64::MAX),
        Err(TokenError::BadSignature)
    );
}

#[test]
fn malformed_tokens_are_refused() {
    let good = sign(&claims(), &key());
    let parts: Vec<&str> = good.split('.').collect();
    let cases = [
        String::new(),
        "garbage".into(),
        "a.b".into(),
        format!("{}.{}", parts[0], parts[1]),
        format!("{good}.extra"),
        format!("{good}."),
        "..".into(),
        format!("!!!.{}.{}", parts[1], parts[2]),
        format!("{}.{}.!!!", parts[0], parts[1]),
        format!("{}.{}.{}=", parts[0], parts[1], parts[2]),
        format!("{}.{}.{}", b64("not json"), parts[1], parts[2]),
        format!("{}.{}.{}", b64("[\"HS256\"]"), parts[1], parts[2]),
        format!(
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9+.{}.{}",
            parts[1], parts[2]
        ),
    ];
    for token in &cases {
        assert_eq!(
            verify(token, &key(), NOW),
            Err(TokenError::Malformed),
            "{token:?}"
        );
    }
}

/// Signs an arbitrary payload with a correct header and signature, to test claim parsing alone.
fn token_with_payload(payload: &str) -> String {
    let signing_input = format!("{}.{}", b64(HEADER_JSON), b64(payload));
    let signature = key().signature(signing_input.as_bytes());
    format!("{signing_input}.{}", b64(signature))
}

#[test]
fn signed_payloads_without_medusa_claims_are_malformed() {
    let payloads = [
        "not json",
        "[]",
        r#"{"actor_type":"customer","auth_identity_id":"a","app_metadata":{},"iat":1,"exp":9999999999}"#,
        r#"{"actor_id":"c","actor_type":"customer","auth_identity_id":"a","iat":1,"exp":9999999999}"#,
        r#"{"actor_id":"c","actor_type":"customer","auth_identity_id":"a","app_metadata":{},"iat":1}"#,
        r#"{"actor_id":"c","actor_type":"customer","auth_identity_id":"a","app_metadata":{},"iat":1,"exp":"soon"}"#,
        r#"{"actor_id":"c","actor_type":"customer","auth_identity_id":"a","app_metadata":{},"iat":1,"exp":-1}"#,
        r#"{"actor_id":"c","actor_type":"customer","auth_identity_id":"a","app_metadata":{},"iat":1,"exp":1.5e9}"#,
        r#"{"actor_id":5,"actor_type":"customer","auth_identity_id":"a","app_metadata":{},"iat":1,"exp":9999999999}"#,
        r#"{"actor_id":"c","actor_type":"customer","auth_identity_id":"a","app_metadata":"x","iat":1,"exp":9999999999}"#,
        r#"{"actor_id":"c","actor_type":"customer","auth_identity_id":"a","app_metadata":[],"iat":1,"exp":9999999999}"#,
        r#"{"actor_id":"c","actor_type":"customer","auth_identity_id":"a","app_metadata":{},"exp":9999999999}"#,
        // The claims that may be absent must still be of their type when present.
        r#"{"actor_id":"c","actor_type":"customer","auth_identity_id":"a","auth_provider":5,"app_metadata":{},"iat":1,"exp":9999999999}"#,
        r#"{"actor_id":"c","actor_type":"customer","auth_identity_id":"a","mfa_enabled":null,"app_metadata":{},"iat":1,"exp":9999999999}"#,
        r#"{"actor_id":"c","actor_type":"customer","auth_identity_id":"a","mfa_enabled":"yes","app_metadata":{},"iat":1,"exp":9999999999}"#,
        r#"{"actor_id":"c","actor_type":"customer","auth_identity_id":"a","mfa_challenge_completed_at":1,"app_metadata":{},"iat":1,"exp":9999999999}"#,
        r#"{"actor_id":"c","actor_type":"customer","auth_identity_id":"a","mfa_challenge":{},"app_metadata":{},"iat":1,"exp":9999999999}"#,
    ];
    for payload in payloads {
        let token = token_with_payload(payload);
        assert_eq!(
            verify(&token, &key(), NOW),
            Err(TokenError::Malformed),
            "{payload}"
        );
    }
}

#[test]
fn signature_is_checked_before_the_payload_is_parsed() {
    let forged = format!(
        "{}.{}.{}",
        b64(HEADER_JSON),
        b64("not json"),
        b64([0u8; 32])
    );
    assert_eq!(verify(&forged, &key(), NOW), Err(TokenError::BadSignature));
}

#[test]
fn debug_redacts_the_key() {
    assert_eq!(format!("{:?}", key()), "JwtKey(<redacted>)");
}

#[test]
fn errors_describe_themselves() {
    assert_eq!(TokenError::Expired.to_string(), "token has expired");
    assert_eq!(
        TokenError::BadSignature.to_string(),
        "token signature is invalid"
    );
}

#[test]
fn a_challenge_claim_round_trips_and_anything_else_is_refused() {
    let claim = ChallengeClaim {
        id: "authmfachal_01".into(),
        expires_at_ms: 1_800_000_300_000,
        auth_provider: Some("emailpass".into()),
    };
    assert_eq!(claim.encode(), "authmfachal_01.1800000300000.emailpass");
    assert_eq!(ChallengeClaim::parse(&claim.encode()), Some(claim));
    let none = ChallengeClaim {
        auth_provider: None,
        ..ChallengeClaim::parse("authmfachal_01.5.x").unwrap()
    };
    assert_eq!(ChallengeClaim::parse(&none.encode()), Some(none));
    for bad in ["", "a", "a.b.c", "a.1", "a.1.b.c", "a.-1.b"] {
        assert_eq!(ChallengeClaim::parse(bad), None, "{bad:?}");
    }
}

/// A correctly signed HS256 token of exactly `len` bytes: its claims padded in `app_metadata`, its
/// header's `kid` lengthened until the base64url lengths add up.
fn signed_token_of_len(len: usize) -> String {
    for kid in 0..4 {
        let header = format!(
            r#"{{"alg":"HS256","typ":"JWT","kid":"{}"}}"#,
            "k".repeat(kid)
        );
        let mut claims = claims();
        for pad in 0..len {
            claims.app_metadata = json!({ "pad": "x".repeat(pad) });
            let input = format!(
                "{}.{}",
                b64(&header),
                b64(serde_json::to_vec(&claims).expect("json"))
            );
            let token = format!("{input}.{}", b64(key().signature(input.as_bytes())));
            if token.len() == len {
                return token;
            }
            if token.len() > len {
                break;
            }
        }
    }
    unreachable!("no token of {len} bytes")
}

#[test]
fn a_token_of_exactly_the_size_limit_verifies_and_one_byte_more_is_refused() {
    // The limit docs/security.md states: 8 KiB.
    const LIMIT: usize = 8 * 1024;
    let at_limit = signed_token_of_len(LIMIT);
    assert!(verify(&at_limit, &key(), NOW).is_ok());
    let over = signed_token_of_len(LIMIT + 1);
    assert_eq!(verify(&over, &key(), NOW), Err(TokenError::Malformed));
}

#[test]
fn an_asymmetric_token_of_exactly_the_size_limit_opens_and_one_byte_more_is_refused() {
    let header = b64(r#"{"alg":"ES256","typ":"JWT","kid":"k1"}"#);
    let signature = b64([7u8; 64]);
    // The payload is not decoded before the signature is checked, so any run of characters fills it.
    let of_len = |len: usize| {
        let payload = "a".repeat(len - header.len() - signature.len() - 2);
        format!("{header}.{payload}.{signature}")
    };
    let at_limit = of_len(MAX_TOKEN_BYTES);
    assert_eq!(at_limit.len(), MAX_TOKEN_BYTES);
    let opened = open_asymmetric(&at_limit, "ES256", 64).expect("at the limit");
    assert_eq!(opened.kid, "k1");
    assert!(matches!(
        open_asymmetric(&of_len(MAX_TOKEN_BYTES + 1), "ES256", 64),
        Err(TokenError::Malformed)
    ));
}
