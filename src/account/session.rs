//! Cookie sessions (Medusa's `POST/DELETE /auth/session`): an opaque random id in the cookie, the
//! session's auth context on the server (Workers KV, under the SHA-256 of the id, with the session's
//! TTL), so a leaked store does not hand out usable cookies and a deleted record ends the session.
//!
//! The cookie is `__Host-connect.sid` (or Medusa's `connect.sid`, [`SessionCookie`]),
//! `HttpOnly; Secure; SameSite=Strict; Path=/`, no `Domain`: no script can read it, it never travels over
//! plain HTTP, no other site can make a browser send it (not even by a link), and with the `__Host-`
//! prefix no other host can set it. Apps on another site than the Worker's need bearer tokens instead.

pub use super::config::SessionCookie;
use super::tokens::{MfaState, SignIn};
use crate::b64::URL_SAFE_NO_PAD as B64URL;
use crate::json_fields::whole;
use crate::ports::random::{self, RandomError};
use crate::store::{KvStore, StoreError, keys};
use crate::token::Claims;
use serde::Serialize;
use serde_json::Value;

/// Random bytes in a session id: 256 bits, 43 base64url characters.
const ID_BYTES: usize = 32;
const ID_CHARS: usize = 43;

/// Medusa's `auth_context`: what a session (or a token) says about its bearer — the token's claims but
/// its dates. The fields after `auth_identity_id` default when absent (sessions stored before them).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuthContext {
    pub actor_id: String,
    pub actor_type: String,
    pub auth_identity_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub auth_provider: Option<String>,
    pub mfa_enabled: bool,
    pub mfa_challenge_completed_at: Option<String>,
    pub app_metadata: Value,
    pub user_metadata: Value,
    /// The challenge a pending token owes (ours; absent otherwise), so a session made from it can
    /// answer it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mfa_challenge: Option<String>,
}

impl From<Claims> for AuthContext {
    fn from(claims: Claims) -> Self {
        Self {
            actor_id: claims.actor_id,
            actor_type: claims.actor_type,
            auth_identity_id: claims.auth_identity_id,
            auth_provider: claims.auth_provider,
            mfa_enabled: claims.mfa_enabled,
            mfa_challenge_completed_at: claims.mfa_challenge_completed_at,
            app_metadata: claims.app_metadata,
            user_metadata: claims.user_metadata,
            mfa_challenge: claims.mfa_challenge,
        }
    }
}

impl AuthContext {
    /// What the session says about the sign-in, for the tokens refresh makes from it.
    pub fn sign_in(&self) -> SignIn {
        SignIn {
            auth_provider: self.auth_provider.clone(),
            mfa: MfaState {
                enabled: self.mfa_enabled,
                challenge_completed_at: self.mfa_challenge_completed_at.clone(),
                challenge: self
                    .mfa_challenge
                    .as_deref()
                    .and_then(crate::token::ChallengeClaim::parse),
            },
            unverified: false,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Session {
    pub auth_context: AuthContext,
    /// The `iat` of the token the session was made from: a password change voids it like the token.
    pub iat: u64,
    pub created_at_ms: u64,
}

impl Session {
    /// A stored session, or `None` when a field is missing or of another type. Its context is read as
    /// a token's claims are (the same fields, the same defaults), by hand: [`crate::json_fields`].
    fn from_json(v: &Value) -> Option<Self> {
        Some(Self {
            auth_context: Claims::bearer_from_json(v.get("auth_context")?)?.into(),
            iat: whole(v, "iat")?,
            created_at_ms: whole(v, "created_at_ms")?,
        })
    }
}

#[derive(Debug)]
pub enum SessionError {
    Random(RandomError),
    Store(StoreError),
}

impl From<StoreError> for SessionError {
    fn from(e: StoreError) -> Self {
        Self::Store(e)
    }
}

impl std::fmt::Display for SessionError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Random(e) => e.fmt(f),
            Self::Store(e) => e.fmt(f),
        }
    }
}

/// Stores `session` for `ttl_secs` and returns its new id (the cookie value).
pub async fn create(
    store: &dyn KvStore,
    session: &Session,
    ttl_secs: u64,
) -> Result<String, SessionError> {
    let id = B64URL.encode(random::bytes::<ID_BYTES>().map_err(SessionError::Random)?);
    let json = serde_json::to_string(session)
        .map_err(|e| StoreError(format!("cannot serialise a session: {e}")))?;
    store
        .put(&keys::session(&id), &json, Some(ttl_secs))
        .await?;
    Ok(id)
}

/// The session behind a cookie value, if it is live. Values of the wrong shape never reach the store.
pub async fn find(store: &dyn KvStore, id: &str) -> Result<Option<Session>, StoreError> {
    if !is_well_formed(id) {
        return Ok(None);
    }
    let Some(json) = store.get(&keys::session(id)).await? else {
        return Ok(None);
    };
    crate::json_fields::parse(&json)
        .ok()
        .and_then(|v| Session::from_json(&v))
        .map(Some)
        .ok_or_else(|| StoreError("corrupt session".into()))
}

pub async fn delete(store: &dyn KvStore, id: &str) -> Result<(), StoreError> {
    if !is_well_formed(id) {
        return Ok(());
    }
    store.delete(&keys::session(id)).await
}

fn is_well_formed(id: &str) -> bool {
    id.len() == ID_CHARS
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// What `__Host-` requires (`Secure`, `Path=/`, no `Domain`), and what the session needs besides.
const ATTRIBUTES: &str = "Path=/; HttpOnly; Secure; SameSite=Strict";

pub fn set_cookie(cookie: SessionCookie, id: &str, ttl_secs: u64) -> String {
    format!("{}={id}; Max-Age={ttl_secs}; {ATTRIBUTES}", cookie.name())
}

/// Tells the browser to drop the cookie.
pub fn clear_cookie(cookie: SessionCookie) -> String {
    format!("{}=; Max-Age=0; {ATTRIBUTES}", cookie.name())
}

/// The value of cookie `name` in a `Cookie` header (`a=1; b=2`).
pub fn cookie_value<'h>(header: Option<&'h str>, name: &str) -> Option<&'h str> {
    header?.split(';').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k.trim() == name).then(|| v.trim().trim_matches('"'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::MemoryStore;
    use futures::executor::block_on;
    use serde_json::json;

    fn session() -> Session {
        Session {
            auth_context: AuthContext {
                actor_id: "cus_1".into(),
                actor_type: "customer".into(),
                auth_identity_id: "authid_1".into(),
                auth_provider: Some("emailpass".into()),
                mfa_enabled: false,
                mfa_challenge_completed_at: None,
                app_metadata: json!({"customer_id": "cus_1"}),
                user_metadata: json!({}),
                mfa_challenge: None,
            },
            iat: 1_800_000_000,
            created_at_ms: 1_800_000_000_000,
        }
    }

    #[test]
    fn a_session_is_found_by_its_id_and_stored_under_its_hash() {
        let store = MemoryStore::new();
        let id = block_on(create(&store, &session(), 3600)).unwrap();
        assert_eq!(id.len(), ID_CHARS);
        assert_eq!(block_on(find(&store, &id)).unwrap(), Some(session()));
        let dump = store.dump();
        assert_eq!(dump.len(), 1);
        assert!(!dump[0].0.contains(&id), "the id itself is not a key");
        block_on(delete(&store, &id)).unwrap();
        assert_eq!(block_on(find(&store, &id)).unwrap(), None);
    }

    #[test]
    fn a_session_stored_before_the_2_21_fields_reads_with_their_defaults_and_a_corrupt_one_is_an_error()
     {
        let store = MemoryStore::new();
        let id = "a".repeat(ID_CHARS);
        let put = |json: Value| {
            block_on(store.put(&keys::session(&id), &json.to_string(), None)).unwrap();
        };
        put(json!({
            "auth_context": {"actor_id": "cus_1", "actor_type": "customer", "auth_identity_id": "authid_1",
                             "app_metadata": {"customer_id": "cus_1"}},
            "iat": 1_800_000_000u64, "created_at_ms": 1_800_000_000_000u64,
        }));
        let mut expected = session();
        expected.auth_context.auth_provider = None;
        assert_eq!(block_on(find(&store, &id)).unwrap(), Some(expected));

        for corrupt in [
            json!({"auth_context": {"actor_id": 1, "actor_type": "customer", "auth_identity_id": "a",
                                    "app_metadata": {}}, "iat": 1, "created_at_ms": 1}),
            json!({"auth_context": {"actor_id": "c", "actor_type": "customer", "auth_identity_id": "a",
                                    "app_metadata": {}}, "iat": 1}),
            json!({"iat": 1, "created_at_ms": 1}),
            json!("not a session"),
        ] {
            put(corrupt.clone());
            assert!(block_on(find(&store, &id)).is_err(), "{corrupt}");
        }
    }

    #[test]
    fn malformed_ids_are_absent_without_a_lookup() {
        let store = MemoryStore::new();
        for id in [
            "",
            "short",
            &"x".repeat(44),
            &format!("{}!", "a".repeat(42)),
        ] {
            assert_eq!(block_on(find(&store, id)).unwrap(), None, "{id}");
        }
    }

    /// Stores `session()` under the key a cookie value `id` would use, bypassing [`create`].
    fn plant(store: &MemoryStore, id: &str) {
        let json = serde_json::to_string(&session()).unwrap();
        block_on(store.put(&keys::session(id), &json, None)).unwrap();
    }

    #[test]
    fn malformed_ids_never_reach_the_store() {
        // A record waits under each malformed value's key: only a lookup could find it. An empty id is
        // all-valid bytes of the wrong length; the rest have the right length but one foreign byte.
        let a42 = "a".repeat(42);
        let malformed = [
            String::new(),
            "a".repeat(42),
            "a".repeat(44),
            format!("{a42}!"),
            format!("{a42}="),
            format!("{a42}."),
            format!("{a42}+"),
            format!("{a42}/"),
            format!("{a42} "),
            format!("{}é", "a".repeat(41)),
        ];
        let store = MemoryStore::new();
        for id in &malformed {
            plant(&store, id);
        }
        for id in &malformed {
            assert_eq!(block_on(find(&store, id)).unwrap(), None, "{id:?}");
            block_on(delete(&store, id)).unwrap();
        }
        assert_eq!(
            store.dump().len(),
            malformed.len(),
            "delete left them alone"
        );
    }

    #[test]
    fn every_base64url_character_is_accepted() {
        let store = MemoryStore::new();
        for id in [
            format!("{}-_", "A".repeat(41)),
            format!("_{}-", "z".repeat(41)),
            format!("0123456789{}", "Q".repeat(33)),
        ] {
            assert_eq!(id.len(), ID_CHARS);
            plant(&store, &id);
            assert_eq!(
                block_on(find(&store, &id)).unwrap(),
                Some(session()),
                "{id}"
            );
            block_on(delete(&store, &id)).unwrap();
            assert_eq!(block_on(find(&store, &id)).unwrap(), None, "{id}");
        }
    }

    #[test]
    fn errors_show_their_cause() {
        // POST /auth/session answers 503 with this text when a session cannot be stored.
        let store = StoreError("KV write failed".into());
        assert_eq!(
            SessionError::Store(store.clone()).to_string(),
            store.to_string()
        );
        assert!(store.to_string().contains("KV write failed"));
        assert_eq!(
            SessionError::Random(RandomError::Unavailable("no entropy".into())).to_string(),
            "secure random generator unavailable: no entropy"
        );
    }

    #[test]
    fn cookies_carry_the_host_prefix_or_medusas_name_and_strict_attributes() {
        assert_eq!(
            set_cookie(SessionCookie::HostPrefixed, "abc", 36000),
            "__Host-connect.sid=abc; Max-Age=36000; Path=/; HttpOnly; Secure; SameSite=Strict"
        );
        assert_eq!(
            clear_cookie(SessionCookie::HostPrefixed),
            "__Host-connect.sid=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Strict"
        );
        assert_eq!(
            set_cookie(SessionCookie::Medusa, "abc", 60),
            "connect.sid=abc; Max-Age=60; Path=/; HttpOnly; Secure; SameSite=Strict"
        );
    }

    #[test]
    fn the_cookie_value_is_read_from_a_cookie_header() {
        let h = Some("a=1; connect.sid=xyz ; __Host-edge-auth-oauth=t");
        assert_eq!(cookie_value(h, "connect.sid"), Some("xyz"));
        assert_eq!(cookie_value(h, "b"), None);
        assert_eq!(cookie_value(None, "a"), None);
        assert_eq!(
            cookie_value(Some("connect.sid=\"q\""), "connect.sid"),
            Some("q")
        );
    }
}
