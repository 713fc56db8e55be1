//! The server-side record behind an OAuth `state`, and the cookie that binds it to one browser.
//!
//! `state` is 256 random bits (64 hex characters, Medusa's format) and the storage key of a record
//! that holds everything the callback needs: the PKCE verifier, the OIDC nonce, the `redirect_uri`
//! sent to the provider and, in redirect mode, the return URL. The record is consumed by the first
//! callback ([`crate::provider::ProviderHelper::take_state`]).
//!
//! In redirect mode the state is also bound to the browser that started the flow: the Worker sets a
//! `__Host-` cookie holding `HMAC(k, state)`, with `k` derived from `JWT_SECRET`, and the callback
//! refuses the state without it. A state lured into another browser (login CSRF) is useless there.

use crate::b64::URL_SAFE_NO_PAD as B64URL;
use crate::json_fields::{nullable_text, text, whole};
use crate::oauth::pkce::PkceVerifier;
use crate::ports::random::{self, RandomError};
use hmac::{Hmac, KeyInit, Mac};
use serde::Serialize;
use serde_json::Value;
use sha2::Sha256;
use std::fmt;
use subtle::ConstantTimeEq;

/// The binding cookie. `__Host-`: the browser only accepts it with `Secure`, `Path=/` and no `Domain`,
/// so no sibling subdomain can plant or read it.
pub const COOKIE_NAME: &str = "__Host-edge-auth-oauth";

/// Separates the cookie key from every other use of `JWT_SECRET`.
const COOKIE_KEY_LABEL: &[u8] = b"edge-auth oauth state cookie v1";

/// Bytes of randomness in a state: 256 bits.
pub const STATE_BYTES: usize = 32;

/// A fresh state: 64 lower-case hex characters.
pub fn new_state() -> Result<String, RandomError> {
    random::hex_token(STATE_BYTES)
}

/// Whether `s` has the shape of a state we issue (checked before any storage lookup).
pub fn is_well_formed(s: &str) -> bool {
    s.len() == STATE_BYTES * 2
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// What the callback needs to finish the flow it belongs to.
#[derive(Debug, Serialize)]
pub struct StateRecord {
    /// The provider id that issued it: a state is not valid at another provider's callback.
    pub provider: String,
    /// Exactly what was sent as `redirect_uri`; the token request repeats it.
    pub redirect_uri: String,
    /// The PKCE secret whose challenge went to the provider.
    pub pkce_verifier: PkceVerifier,
    /// OpenID Connect providers only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
    /// Redirect mode: the allow-listed URL the browser goes to afterwards. Its presence also means the
    /// state is bound to the browser by [`COOKIE_NAME`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub return_to: Option<String>,
    /// When the sign-in started, unix milliseconds.
    pub created_at_ms: u64,
}

impl StateRecord {
    /// A stored record (what its `Serialize` wrote), or `None` when a field is missing or of another
    /// type. Read by hand, not derived: [`crate::json_fields`] says why.
    pub fn from_json(v: &Value) -> Option<Self> {
        Some(Self {
            provider: text(v, "provider")?,
            redirect_uri: text(v, "redirect_uri")?,
            pkce_verifier: PkceVerifier::stored(text(v, "pkce_verifier")?),
            nonce: nullable_text(v, "nonce")?,
            return_to: nullable_text(v, "return_to")?,
            created_at_ms: whole(v, "created_at_ms")?,
        })
    }
}

/// The keyed hash that binds a state to a browser cookie.
pub struct BrowserBinding(Hmac<Sha256>);

impl BrowserBinding {
    /// Derives the cookie key from the token secret: `HMAC-SHA256(JWT_SECRET, label)`.
    pub fn derive(jwt_secret: &[u8]) -> Self {
        let mut kdf = <Hmac<Sha256> as KeyInit>::new_from_slice(jwt_secret)
            .expect("HMAC takes any key length");
        kdf.update(COOKIE_KEY_LABEL);
        let key = kdf.finalize().into_bytes();
        Self(<Hmac<Sha256> as KeyInit>::new_from_slice(&key).expect("HMAC takes any key length"))
    }

    /// The cookie value for `state`: base64url of `HMAC(k, state)`.
    pub fn tag(&self, state: &str) -> String {
        let mut mac = self.0.clone();
        mac.update(state.as_bytes());
        B64URL.encode(mac.finalize().into_bytes())
    }

    /// Whether a `Cookie` request header carries the binding of `state` (constant-time compare).
    pub fn is_bound(&self, state: &str, cookie_header: Option<&str>) -> bool {
        let expected = self.tag(state);
        cookie_values(cookie_header.unwrap_or(""), COOKIE_NAME)
            .any(|v| bool::from(v.as_bytes().ct_eq(expected.as_bytes())))
    }

    /// `Set-Cookie` for a new flow: lives as long as the state record.
    pub fn set_cookie(&self, state: &str, max_age_secs: u64) -> String {
        format!(
            "{COOKIE_NAME}={}; Max-Age={max_age_secs}; Path=/; HttpOnly; Secure; SameSite=Lax",
            self.tag(state)
        )
    }
}

/// `Set-Cookie` that removes the binding cookie (after any callback that carried it).
pub fn clear_cookie() -> String {
    format!("{COOKIE_NAME}=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Lax")
}

/// Whether a `Cookie` header has a cookie named [`COOKIE_NAME`] at all.
pub fn has_cookie(cookie_header: Option<&str>) -> bool {
    cookie_values(cookie_header.unwrap_or(""), COOKIE_NAME)
        .next()
        .is_some()
}

fn cookie_values<'a>(header: &'a str, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
    header.split(';').filter_map(move |pair| {
        let (k, v) = pair.trim().split_once('=')?;
        (k.trim() == name).then(|| v.trim())
    })
}

impl fmt::Debug for BrowserBinding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("BrowserBinding(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stored_record_reads_back_as_written_and_a_damaged_one_not_at_all() {
        use serde_json::json;
        for (nonce, return_to) in [(None, None), (Some("n"), Some("https://shop.example/back"))] {
            let record = StateRecord {
                provider: "google".into(),
                redirect_uri: "https://auth.example/cb".into(),
                pkce_verifier: PkceVerifier::stored("v".repeat(43)),
                nonce: nonce.map(Into::into),
                return_to: return_to.map(Into::into),
                created_at_ms: 1_800_000_000_000,
            };
            let read = StateRecord::from_json(&json!(record)).expect("readable");
            assert_eq!(json!(read), json!(record));
        }
        let good = json!({"provider": "google", "redirect_uri": "r", "pkce_verifier": "v",
                          "created_at_ms": 1});
        assert!(StateRecord::from_json(&good).is_some());
        for (field, bad) in [
            ("provider", json!(null)),
            ("pkce_verifier", json!(5)),
            ("nonce", json!(5)),
            ("return_to", json!({})),
            ("created_at_ms", json!("1")),
        ] {
            let mut damaged = good.clone();
            damaged[field] = bad;
            assert!(StateRecord::from_json(&damaged).is_none(), "{field}");
        }
    }

    #[test]
    fn states_are_256_bits_of_hex() {
        let s = new_state().unwrap();
        assert!(is_well_formed(&s));
        assert_ne!(s, new_state().unwrap());
        assert!(!is_well_formed(&s[1..]));
        assert!(!is_well_formed(&s.to_uppercase()));
        assert!(!is_well_formed(""));
    }

    #[test]
    fn the_cookie_binds_one_state_under_one_secret() {
        let b = BrowserBinding::derive(b"secret-one-secret-one-secret-one");
        let state = "a".repeat(64);
        let cookie = format!("other=1; {COOKIE_NAME}={}; x=y", b.tag(&state));
        assert!(b.is_bound(&state, Some(&cookie)));
        assert!(!b.is_bound(&"b".repeat(64), Some(&cookie)));
        assert!(!b.is_bound(&state, None));
        assert!(!b.is_bound(&state, Some("other=1")));
        let other = BrowserBinding::derive(b"secret-two-secret-two-secret-two");
        assert!(!other.is_bound(&state, Some(&cookie)));
    }

    #[test]
    fn the_binding_key_never_shows_in_debug_output() {
        // The OAuth configuration holds a binding and derives `Debug`: its key must not show there.
        let b = BrowserBinding::derive(b"secret-one-secret-one-secret-one");
        assert_eq!(format!("{b:?}"), "BrowserBinding(<redacted>)");
    }

    #[test]
    fn cookies_have_the_host_prefix_attributes() {
        let b = BrowserBinding::derive(b"k");
        let set = b.set_cookie(&"a".repeat(64), 600);
        assert!(set.starts_with("__Host-edge-auth-oauth="));
        for attr in [
            "Max-Age=600",
            "Path=/",
            "HttpOnly",
            "Secure",
            "SameSite=Lax",
        ] {
            assert!(set.contains(attr), "{set} lacks {attr}");
        }
        assert!(!set.contains("Domain"));
        assert!(clear_cookie().contains("Max-Age=0"));
        assert!(has_cookie(Some("__Host-edge-auth-oauth=x")));
        assert!(!has_cookie(Some("__Host-edge-auth-oauthx=x")));
    }
}

/// No `Cookie` header panics the binding check; the cookie we set is found among any others, and a
/// cookie made for another state never is.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod proptests {
    use super::*;
    use crate::proptest_config::with_cases;
    use proptest::prelude::*;

    fn binding() -> BrowserBinding {
        BrowserBinding::derive(b"0123456789abcdef0123456789abcdef")
    }

    /// Other cookies, as browsers send them: `name=value`, without `;` inside.
    fn other_cookies() -> impl Strategy<Value = Vec<String>> {
        proptest::collection::vec("[!-:<-~]{1,12}=[!-:<-~ ]{0,24}", 0..5)
    }

    proptest! {
        #![proptest_config(with_cases(512))]

        #[test]
        fn cookie_checks_never_panic(header in any::<String>(), state in any::<String>()) {
            let b = binding();
            let _ = b.is_bound(&state, Some(&header));
            let _ = has_cookie(Some(&header));
            let _ = is_well_formed(&state);
        }

        #[test]
        fn the_cookie_we_set_binds_its_state_among_any_others(
            state in "[0-9a-f]{64}",
            other in "[0-9a-f]{64}",
            before in other_cookies(),
            after in other_cookies(),
        ) {
            let b = binding();
            let set = b.set_cookie(&state, 600);
            let ours = set.split(';').next().unwrap().to_owned();
            let header = [before, vec![ours], after].concat().join("; ");
            prop_assert!(has_cookie(Some(&header)));
            prop_assert!(b.is_bound(&state, Some(&header)));
            prop_assert_eq!(b.is_bound(&other, Some(&header)), other == state);
        }
    }
}
