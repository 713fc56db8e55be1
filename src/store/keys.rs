//! Every storage key layout and TTL, in one place.
//!
//! - `ai:<auth_identity_id>` → the AuthIdentity with its provider identities (JSON).
//! - `pi:<provider>:<entity_id>` → auth_identity_id: the uniqueness index, one per (provider, entity_id).
//! - `pid:<provider_identity_id>` → auth_identity_id: finds a provider identity by its id.
//! - `state:<key>` → OAuth state (JSON), with a TTL. Third-party sign-in keys its records by the
//!   64-hex `state` itself and consumes them on the first callback (`ProviderHelper::take_state`).
//!
//! Provider ids never contain `:` (checked at registration), so `pi:` keys cannot collide.

pub const AUTH_IDENTITY_PREFIX: &str = "ai:";

/// Workers KV refuses an `expirationTtl` below 60 seconds.
pub const MIN_TTL_SECS: u64 = 60;

/// How long OAuth state lives: Medusa keeps it 1200 s.
pub const STATE_TTL_SECS: u64 = 1200;

/// How long an OAuth `state` record (and its browser-binding cookie) lives: ten minutes to sign in
/// at the provider. Shorter than Medusa's 1200 s; at least KV's 60 s minimum.
pub const OAUTH_STATE_TTL_SECS: u64 = 600;

/// How long an isolate keeps a provider's OpenID configuration and JWKS (in memory, not in KV) before
/// fetching them again; a token whose `kid` is unknown triggers one early refetch.
pub const OIDC_METADATA_CACHE_SECS: u64 = 3600;

/// Workers KV keys are at most 512 bytes.
pub const MAX_KEY_BYTES: usize = 512;

pub fn auth_identity(id: &str) -> String {
    format!("{AUTH_IDENTITY_PREFIX}{id}")
}

pub fn auth_identity_id_from_key(key: &str) -> Option<&str> {
    key.strip_prefix(AUTH_IDENTITY_PREFIX)
}

pub fn provider_entity(provider: &str, entity_id: &str) -> String {
    format!("pi:{provider}:{entity_id}")
}

pub fn provider_identity(id: &str) -> String {
    format!("pid:{id}")
}

pub fn state(key: &str) -> String {
    format!("state:{key}")
}

/// The TTL actually given to the store.
pub fn clamp_ttl(ttl_secs: u64) -> u64 {
    ttl_secs.max(MIN_TTL_SECS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ttls_below_the_kv_minimum_are_raised_to_it() {
        assert_eq!(clamp_ttl(0), 60);
        assert_eq!(clamp_ttl(59), 60);
        assert_eq!(clamp_ttl(61), 61);
        assert_eq!(clamp_ttl(STATE_TTL_SECS), 1200);
    }

    #[test]
    fn auth_identity_keys_round_trip() {
        let key = auth_identity("authid_1");
        assert_eq!(key, "ai:authid_1");
        assert_eq!(auth_identity_id_from_key(&key), Some("authid_1"));
        assert_eq!(auth_identity_id_from_key("pi:x"), None);
    }

    #[test]
    fn provider_entity_key_names_provider_then_entity() {
        assert_eq!(
            provider_entity("emailpass", "a@b.co"),
            "pi:emailpass:a@b.co"
        );
    }
}
