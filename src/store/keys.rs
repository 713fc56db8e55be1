//! Every storage key layout and TTL, in one place.
//!
//! - `ai:<auth_identity_id>` → the AuthIdentity with its provider identities (JSON).
//! - `pi:<provider>:<entity_id>` → auth_identity_id: the uniqueness index, one per (provider, entity_id).
//! - `pid:<provider_identity_id>` → auth_identity_id: finds a provider identity by its id.
//! - `state:<key>` → OAuth state (JSON), with a TTL. Third-party sign-in keys its records by the
//!   64-hex `state` itself and consumes them on the first callback (`ProviderHelper::take_state`).
//! - `tva:<auth_identity_id>` → milliseconds: tokens of the identity issued before are void (its
//!   password changed, or it was deleted). No TTL: it must outlive every token it voids. A copy of the
//!   guard's credential record that can only refuse sooner (`src/account/revocation.rs`).
//! - `sess:<sha256(session id)>` → a cookie session (JSON), with the session's TTL.
//! - `used:<guard key>` → "1": a consumption recorded in KV by the guard of a Worker without its Durable
//!   Object ([`crate::guard::KvGuard`]), with the consumed token's TTL.
//! - `meta:hash-costs` → how many stored password hashes there are per KDF and parameters (JSON, no TTL):
//!   the population an unknown email's dummy verification draws its cost from ([`crate::hash_costs`]).
//!   `meta:hash-costs-recount` → a recount of it in progress, for a day.
//! - `dev:outbox` → the last webhook deliveries (reset tokens, verification codes) (JSON list) received by the development-only webhook sink
//!   (`src/http/dev_outbox.rs`; `ENVIRONMENT=development` only), with [`DEV_OUTBOX_TTL_SECS`].
//! - `mfa:<auth_identity_id>` → the identity's MFA factors (secrets sealed) and recovery-code digests
//!   (JSON, no TTL); `mfaf:<factor_id>` → auth_identity_id; `mfachal:<challenge_id>` → a login
//!   challenge (JSON), with the challenge's TTL ([`crate::mfa`]).
//! - `verif:<auth_identity_id>:<sha256(entity_type, entity_id)>` → a verification and its latest code's
//!   SHA-256 (JSON, no TTL); `verifcode:<sha256(code)>` → that key, an hour past the code's expiry
//!   ([`crate::account::verification`]).
//!
//! Keys of the guard (the Durable Object's tables, never in KV): `claim:<provider>:<sha256(entity_id)>`
//! (one owner per provider identity), `reset:<jti>` (a consumed reset token), `reset-latest:<auth_identity_id>`
//! (a claim owned by the `jti` of the identity's latest reset token), `state:<state>` (a consumed
//! OAuth state), `rl:<route>:<counter>:<sha256(value)>` (a rate-limit bucket), `cred:<auth_identity_id>`
//! (the identity's credential record, never expiring), `totp:<factor_id>:<step>` (a TOTP code used),
//! `mfarc:<auth_identity_id>:<digest>` (a recovery code used), `mfachal:<id>` (a challenge completed),
//! `rl:mfa-challenge:id:<sha256(id)>` (its attempts), `verifused:<sha256(code)>` (a verification code
//! used) and `rl:verification-{request,confirm}:{id,ip}:<sha256(value)>` (their limits). Emails and IPs are hashed: the guard needs
//! equality, not the values.
//!
//! Provider ids never contain `:` (checked at registration), so `pi:` keys cannot collide.

/// Prefix of identity records; listing scans it.
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

/// How long a reset token is valid: Medusa's 15 minutes.
pub const RESET_TOKEN_TTL_SECS: u64 = 900;

/// The longest `ttl_seconds` a `createPasswordResetToken` jti is issued for: 30 days. Medusa sets no
/// bound (its backend asks 900 s); one keeps a forgotten reset link from living for years, and the
/// expiry arithmetic far from overflowing.
pub const MAX_RESET_JTI_TTL_SECS: u64 = 30 * 86_400;

/// The tally of stored password-hash costs, and a recount of it in progress.
pub const HASH_COSTS: &str = "meta:hash-costs";
/// A recount of the tally in progress (its cursor and partial counts).
pub const HASH_COSTS_RECOUNT: &str = "meta:hash-costs-recount";

/// The development outbox's key and lifetime: as long as the reset tokens it shows stay usable.
pub const DEV_OUTBOX: &str = "dev:outbox";
/// How long the development outbox keeps a message.
pub const DEV_OUTBOX_TTL_SECS: u64 = RESET_TOKEN_TTL_SECS;

/// How long the guard remembers a used TOTP code: a code of step `s` is accepted until the end of step
/// `s + 1` (the ±1 window), at most 90 s after it was first usable.
pub const TOTP_USED_TTL_SECS: u64 = 120;

/// How long the guard remembers a used recovery code. Its digest leaves the identity's KV record at once;
/// this only covers a location whose KV still shows it (~60 s), with a wide margin.
pub const RECOVERY_CODE_USED_TTL_SECS: u64 = 30 * 86_400;

/// Guard claims older than this whose owner is not in KV are taken over: the owner's registration died
/// between claiming and writing. Longer than KV's ~60 s propagation, so a live owner is always visible.
pub const STALE_CLAIM_SECS: u64 = 120;

/// How long a Worker without its Durable Object holds a claim in isolate memory: the writes of one
/// registration, with room to spare.
pub const INFLIGHT_CLAIM_SECS: u64 = 120;

/// The guard's keys are spread over this many Durable Objects, by a hash of the key. **Never change it**:
/// claims live forever in the object their key hashes to.
pub const GUARD_SHARDS: u32 = 32;

/// Workers KV keys are at most 512 bytes.
pub const MAX_KEY_BYTES: usize = 512;

/// The record of an identity (it holds its provider identities).
pub fn auth_identity(id: &str) -> String {
    format!("{AUTH_IDENTITY_PREFIX}{id}")
}

/// The identity id of an identity record's key.
pub fn auth_identity_id_from_key(key: &str) -> Option<&str> {
    key.strip_prefix(AUTH_IDENTITY_PREFIX)
}

/// The index from (provider, entity_id) to the identity.
pub fn provider_entity(provider: &str, entity_id: &str) -> String {
    format!("pi:{provider}:{entity_id}")
}

/// The index from a provider identity's id to its identity.
pub fn provider_identity(id: &str) -> String {
    format!("pid:{id}")
}

/// An OAuth state record.
pub fn state(key: &str) -> String {
    format!("state:{key}")
}

/// The instant before which an identity's tokens are revoked.
pub fn tokens_valid_after(auth_identity_id: &str) -> String {
    format!("tva:{auth_identity_id}")
}

/// A cookie session, by a hash of its id.
pub fn session(session_id: &str) -> String {
    format!("sess:{}", sha256_hex(session_id))
}

/// The marker that a single-use guard key was consumed.
pub fn consumed(guard_key: &str) -> String {
    format!("used:{guard_key}")
}

/// The guard's uniqueness claim on (provider, entity_id).
pub fn entity_claim(provider: &str, entity_id: &str) -> String {
    format!("claim:{provider}:{}", sha256_hex(entity_id))
}

/// The guard's credential record of an identity ([`crate::guard::credentials`]).
pub fn credentials(auth_identity_id: &str) -> String {
    format!("cred:{auth_identity_id}")
}

/// The identity whose credential record `guard_key` is.
pub fn credentials_owner(guard_key: &str) -> Option<&str> {
    guard_key.strip_prefix("cred:")
}

/// The guard's claim naming the `jti` of an identity's latest reset token: a new reset request moves
/// it, which voids every earlier token of that identity (Medusa 2.16+).
pub fn reset_latest(auth_identity_id: &str) -> String {
    format!("reset-latest:{auth_identity_id}")
}

/// The KV record of a reset `jti` issued by `createPasswordResetToken` (Medusa 2.16+), under the jti's
/// SHA-256: the jti itself is a bearer secret and is never a key.
pub fn reset_jti_record(jti: &str) -> String {
    format!("resetjti:{}", sha256_hex(jti))
}

/// The marker that a reset token's `jti` was used.
pub fn reset_jti(jti: &str) -> String {
    format!("reset:{jti}")
}

/// The guard's key for consuming an OAuth state.
pub fn state_consumed(state: &str) -> String {
    format!("state:{state}")
}

/// A rate-limit bucket: `route` (e.g. `authenticate`), `counter` (`ip` or `id`) and its value.
pub fn rate_bucket(route: &str, counter: &str, value: &str) -> String {
    format!("rl:{route}:{counter}:{}", sha256_hex(value))
}

/// The name of the Durable Object that holds `guard_key` (`idFromName` of it).
pub fn guard_object(guard_key: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(guard_key.as_bytes());
    let n = u32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]]) % GUARD_SHARDS;
    format!("guard-{n}")
}

pub(crate) fn sha256_hex(s: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(s.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// An identity's MFA record (factors and recovery-code digests).
pub fn mfa(auth_identity_id: &str) -> String {
    format!("mfa:{auth_identity_id}")
}

/// The index from an MFA factor's id to its identity.
pub fn mfa_factor(factor_id: &str) -> String {
    format!("mfaf:{factor_id}")
}

/// A login challenge in KV; also the guard's key for its completion.
pub fn mfa_challenge(challenge_id: &str) -> String {
    format!("mfachal:{challenge_id}")
}

/// The guard's key for a TOTP code of `factor_id` used in time step `step`.
pub fn totp_used(factor_id: &str, step: u64) -> String {
    format!("totp:{factor_id}:{step}")
}

/// The guard's key for a used recovery code (by its digest).
pub fn recovery_code_used(auth_identity_id: &str, digest: &str) -> String {
    format!("mfarc:{auth_identity_id}:{digest}")
}

/// An identity's verification of one entity (Medusa's unique `auth_identity_id, entity_id,
/// entity_type`); the entity is hashed, as it may hold any character.
pub fn verification(auth_identity_id: &str, entity_type: &str, entity_id: &str) -> String {
    format!(
        "verif:{auth_identity_id}:{}",
        sha256_hex(&format!("{entity_type}\n{entity_id}"))
    )
}

/// The index from a verification code's SHA-256 to its verification's key: the code itself is a
/// bearer secret and is never a key.
pub fn verification_code(code_hash: &str) -> String {
    format!("verifcode:{code_hash}")
}

/// The guard's key for a verification code that was used.
pub fn verification_code_used(code_hash: &str) -> String {
    format!("verifused:{code_hash}")
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
    fn guard_keys_hash_emails_and_ips() {
        let claim = entity_claim("emailpass", "a@b.co");
        assert!(claim.starts_with("claim:emailpass:"));
        assert!(!claim.contains("a@b.co"));
        assert_eq!(claim.len(), "claim:emailpass:".len() + 64);
        assert!(!rate_bucket("authenticate", "ip", "203.0.113.9").contains("203.0"));
        assert!(!session("secret-id").contains("secret-id"));
    }

    #[test]
    fn guard_objects_are_a_fixed_function_of_the_key() {
        // Pinned: changing the spread would orphan every stored claim.
        assert_eq!(
            guard_object("claim:emailpass:x"),
            guard_object("claim:emailpass:x")
        );
        let names: std::collections::BTreeSet<String> =
            (0..500).map(|i| guard_object(&format!("k{i}"))).collect();
        assert_eq!(names.len(), GUARD_SHARDS as usize);
        assert!(names.iter().all(|n| n.starts_with("guard-")));
        assert_eq!(guard_object("reset:0"), "guard-15");
    }

    #[test]
    fn provider_entity_key_names_provider_then_entity() {
        assert_eq!(
            provider_entity("emailpass", "a@b.co"),
            "pi:emailpass:a@b.co"
        );
    }
}
