//! Email (entity) verification as Medusa 2.16+'s `token` verification provider: a verification per
//! identity, entity and entity type; requesting one mints a single-use code (delivered by the signed
//! webhook, or handed to the npm caller); confirming the code marks it verified. Sign-in of an actor type
//! and provider listed in `AUTH_VERIFICATIONS_PER_ACTOR` answers `verification_required` until then
//! ([`super::mfa_sign_in`]). Contract: `docs/http-api.md#email-verification`.

use super::AccountError;
use super::service::AccountService;
use super::webhook;
use crate::b64::URL_SAFE_NO_PAD as B64URL;
use crate::contract;
use crate::guard::{Decision, Rule};
use crate::ids::generate_id;
use crate::json_fields::{nullable_object, nullable_text, text, whole};
use crate::model::{AuthIdentity, Metadata};
use crate::oauth::profile::iso8601_utc;
use crate::ports::random;
use crate::ports::runtime::Task;
use crate::scope::ActorType;
use crate::store::keys;
use serde::Serialize;
use serde_json::{Value, json};
use std::rc::Rc;
use subtle::ConstantTimeEq;

/// The only code provider, as Medusa's default.
pub const TOKEN_PROVIDER: &str = "token";
/// How long a code is accepted: Medusa's `ttl_seconds` default.
pub const CODE_TTL_SECS: u64 = 900;
/// Random bytes in a code (Medusa: 32, base64url).
const CODE_BYTES: usize = 32;
/// Codes requested per identity per TTL window: each one is a mail sent.
pub const REQUESTS: Rule = Rule::new(5, CODE_TTL_SECS);
/// Confirmations per client, and per signed-in identity, per TTL window.
pub const CONFIRM_ATTEMPTS: Rule = Rule::new(10, CODE_TTL_SECS);

/// A verification as Medusa's `AuthVerificationDTO` shows it, without `provider_metadata` (the code's
/// hash stays in storage).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verification {
    /// `authver_<ULID>`.
    pub id: String,
    /// Whose verification.
    pub auth_identity_id: String,
    /// What is verified: e.g. the email.
    pub entity_id: String,
    /// Which kind of entity: e.g. `email`.
    pub entity_type: String,
    /// Always `token`.
    pub code_provider: String,
    /// When the latest code was requested (ISO 8601).
    pub requested_at: String,
    /// When a code was confirmed; `None` until then.
    pub verified_at: Option<String>,
    /// The request's `metadata`.
    pub metadata: Option<Metadata>,
}

impl Verification {
    /// Medusa's JSON shape of a verification.
    pub fn to_json(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }

    /// What [`Self::to_json`] wrote, or `None` when a field is missing or of another type. Read by hand,
    /// not derived: [`crate::json_fields`] says why.
    fn from_json(v: &Value) -> Option<Self> {
        Some(Self {
            id: text(v, "id")?,
            auth_identity_id: text(v, "auth_identity_id")?,
            entity_id: text(v, "entity_id")?,
            entity_type: text(v, "entity_type")?,
            code_provider: text(v, "code_provider")?,
            requested_at: text(v, "requested_at")?,
            verified_at: nullable_text(v, "verified_at")?,
            metadata: nullable_object(v, "metadata")?,
        })
    }
}

/// The stored record: the verification and the SHA-256 of its latest code (nested, not flattened:
/// serde's `flatten` costs the Worker's wasm several kilobytes).
#[derive(Debug, Serialize)]
struct Record {
    verification: Verification,
    code_hash: String,
    expires_at_ms: u64,
}

impl Record {
    fn from_json(v: &Value) -> Option<Self> {
        Some(Self {
            verification: Verification::from_json(v.get("verification")?)?,
            code_hash: text(v, "code_hash")?,
            expires_at_ms: whole(v, "expires_at_ms")?,
        })
    }
}

/// What [`AccountService::request_verification`] answers: the verification and, when a new code was
/// minted (not for one already verified), the code and when it expires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestedVerification {
    /// The verification (unverified unless it already was).
    pub verification: Verification,
    /// The code to deliver; `None` for a verification already confirmed.
    pub code: Option<String>,
    /// When the code expires, unix milliseconds.
    pub expires_at_ms: Option<u64>,
}

/// `requestAuthVerification`'s input.
#[derive(Debug, Clone)]
pub struct VerificationRequest {
    /// The caller's identity.
    pub auth_identity_id: String,
    /// What to verify: one of the identity's provider identities' entity ids.
    pub entity_id: String,
    /// e.g. `email`.
    pub entity_type: String,
    /// Must be `token`.
    pub code_provider: String,
    /// Kept on the verification.
    pub metadata: Option<Metadata>,
}

/// Delivers a new code by the signed webhook (`auth.verification_requested`), after the answer.
/// Failures are warned about, never with the code.
pub fn delivery(
    account: &Rc<AccountService>,
    requested: RequestedVerification,
    actor_type: String,
) -> Option<Task> {
    let code = requested.code?;
    let expires_at = iso8601_utc(requested.expires_at_ms.unwrap_or_default());
    let this = account.clone();
    Some(Box::pin(async move {
        let runtime = this.ports.runtime.clone();
        let warn =
            |what: &str| runtime.warn(&format!("edge-auth: verification code not sent: {what}"));
        let Some(target) = &this.config.reset_webhook else {
            return warn("RESET_PASSWORD_WEBHOOK_URL is not set");
        };
        let delivery_id = match random::hex_token(16) {
            Ok(id) => id,
            Err(e) => return warn(&e.to_string()),
        };
        let body = webhook::verification_body(webhook::VerificationEvent {
            verification: &requested.verification,
            actor_type: &actor_type,
            code: &code,
            expires_at: &expires_at,
        });
        let ports = &this.ports;
        webhook::deliver(
            target,
            webhook::VERIFICATION_REQUESTED_EVENT,
            &body,
            &delivery_id,
            ports.http.as_ref(),
            ports.runtime.as_ref(),
            ports.clock.as_ref(),
        )
        .await;
    }))
}

fn code_hash(code: &str) -> String {
    keys::sha256_hex(code)
}

impl AccountService {
    /// `requestAuthVerification`: a verification already confirmed is answered as it is; else a new
    /// code replaces any earlier one (which stops working). The entity must be one of the identity's.
    pub async fn request_verification(
        &self,
        request: VerificationRequest,
    ) -> Result<RequestedVerification, AccountError> {
        if request.code_provider.is_empty() {
            return Err(AccountError::InvalidData(
                contract::VERIFICATION_PROVIDER_REQUIRED.into(),
            ));
        }
        if request.code_provider != TOKEN_PROVIDER {
            return Err(AccountError::InvalidData(
                contract::verification_provider_not_found(&request.code_provider),
            ));
        }
        let identity = self
            .identities
            .retrieve_auth_identity(&request.auth_identity_id)
            .await?;
        // Only what the identity signs in with: a caller cannot have another person's address verified.
        if !identity
            .provider_identities
            .iter()
            .any(|p| p.entity_id == request.entity_id)
        {
            return Err(AccountError::InvalidData(
                contract::VERIFICATION_PROVIDER_IDENTITY_NOT_FOUND.into(),
            ));
        }
        let key = keys::verification(&identity.id, &request.entity_type, &request.entity_id);
        let existing = self.read_verification(&key).await?;
        if let Some(existing) = &existing
            && existing.verification.verified_at.is_some()
        {
            return Ok(RequestedVerification {
                verification: existing.verification.clone(),
                code: None,
                expires_at_ms: None,
            });
        }
        let bucket = keys::rate_bucket("verification-request", "id", &identity.id);
        if let Decision::Limited { retry_after_secs } =
            self.ports.guard.hit(&bucket, &REQUESTS).await?
        {
            return Err(AccountError::TooManyRequests { retry_after_secs });
        }
        let now_ms = self.now_ms();
        let code = B64URL.encode(random::bytes::<CODE_BYTES>()?);
        let hash = code_hash(&code);
        let id = match &existing {
            Some(old) => old.verification.id.clone(),
            None => generate_id("authver", now_ms)?,
        };
        let metadata = match existing {
            Some(old) => old.verification.metadata,
            None => Some(request.metadata.unwrap_or_default()),
        };
        let expires_at_ms = now_ms + CODE_TTL_SECS * 1000;
        let record = Record {
            verification: Verification {
                id,
                auth_identity_id: identity.id.clone(),
                entity_id: request.entity_id,
                entity_type: request.entity_type,
                code_provider: TOKEN_PROVIDER.into(),
                requested_at: iso8601_utc(now_ms),
                verified_at: None,
                metadata,
            },
            code_hash: hash.clone(),
            expires_at_ms,
        };
        self.write_verification(&key, &record).await?;
        // The code's index: confirm is by code alone (Medusa looks the hash up). It outlives the code
        // by an hour, so a late code is told it expired rather than that it is unknown.
        self.store()
            .put(
                &keys::verification_code(&hash),
                &key,
                Some(CODE_TTL_SECS + 3600),
            )
            .await?;
        Ok(RequestedVerification {
            verification: record.verification,
            code: Some(code),
            expires_at_ms: Some(expires_at_ms),
        })
    }

    /// `confirmAuthVerification`: marks the verification of `code` verified, once. `caller` (a signed-in
    /// identity, if any) must own it; `client` is the client's address for the failure limit.
    pub async fn confirm_verification(
        &self,
        code: &str,
        code_provider: Option<&str>,
        caller: Option<&str>,
        client: Option<&str>,
    ) -> Result<Verification, AccountError> {
        if code.is_empty() {
            return Err(AccountError::InvalidData(
                contract::VERIFICATION_CODE_REQUIRED.into(),
            ));
        }
        // Attempts are limited per client and per signed-in identity, counted before any lookup: a
        // person confirms once, a guesser is stopped (besides facing 256-bit codes).
        for (counter, value) in [("ip", client), ("id", caller)] {
            let Some(value) = value else { continue };
            let bucket = keys::rate_bucket("verification-confirm", counter, value);
            if let Decision::Limited { retry_after_secs } =
                self.ports.guard.hit(&bucket, &CONFIRM_ATTEMPTS).await?
            {
                return Err(AccountError::TooManyRequests { retry_after_secs });
            }
        }
        self.confirm_code(code, code_provider, caller).await
    }

    async fn confirm_code(
        &self,
        code: &str,
        code_provider: Option<&str>,
        caller: Option<&str>,
    ) -> Result<Verification, AccountError> {
        let invalid = || AccountError::NotAllowed(contract::VERIFICATION_CODE_INVALID.into());
        let hash = code_hash(code);
        let Some(key) = self.store().get(&keys::verification_code(&hash)).await? else {
            return Err(invalid());
        };
        let Some(mut record) = self.read_verification(&key).await? else {
            return Err(invalid());
        };
        // The record names its latest code: an earlier one (replaced by a new request) is not it.
        let latest: bool = record.code_hash.as_bytes().ct_eq(hash.as_bytes()).into();
        let owned = caller.is_none_or(|me| me == record.verification.auth_identity_id);
        if !latest || !owned || record.verification.verified_at.is_some() {
            return Err(invalid());
        }
        if let Some(provider) = code_provider
            && provider != record.verification.code_provider
        {
            return Err(AccountError::NotAllowed(
                contract::verification_code_wrong_provider(provider),
            ));
        }
        let now_ms = self.now_ms();
        if record.expires_at_ms <= now_ms {
            return Err(AccountError::NotAllowed(
                contract::VERIFICATION_CODE_EXPIRED.into(),
            ));
        }
        // Single use across locations: the guard spends the code once.
        let ttl = (record.expires_at_ms - now_ms).div_ceil(1000);
        if !self
            .ports
            .guard
            .consume_once(&keys::verification_code_used(&hash), ttl)
            .await?
        {
            return Err(invalid());
        }
        record.verification.verified_at = Some(iso8601_utc(now_ms));
        self.write_verification(&key, &record).await?;
        let _ = self.store().delete(&keys::verification_code(&hash)).await;
        Ok(record.verification)
    }

    /// Medusa's `validateVerification`: `Ok(None)` when sign-in through `auth_provider` as
    /// `actor_type` needs no verification or it was confirmed; else the verification owed (`None`
    /// inside when none was requested yet).
    pub(super) async fn verification_owed(
        &self,
        identity: &AuthIdentity,
        actor_type: &ActorType,
        auth_provider: Option<&str>,
    ) -> Result<Option<Option<Verification>>, AccountError> {
        let Some(provider) = auth_provider else {
            return Ok(None);
        };
        let Some(entity_type) = self
            .config
            .verifications
            .required(actor_type.as_str(), provider)
        else {
            return Ok(None);
        };
        let provider_identity = identity
            .provider_identities
            .iter()
            .find(|p| p.provider == provider)
            .ok_or_else(|| {
                AccountError::InvalidData(contract::VERIFICATION_PROVIDER_IDENTITY_NOT_FOUND.into())
            })?;
        let key = keys::verification(&identity.id, entity_type, &provider_identity.entity_id);
        let verification = self.read_verification(&key).await?.map(|r| r.verification);
        Ok(match verification {
            Some(v) if v.verified_at.is_some() => None,
            owed => Some(owed),
        })
    }

    /// `listAuthVerifications({auth_identity_id, entity_id, entity_type})`, the one form Medusa's routes
    /// use (`validateVerification`): that verification, if one was requested.
    pub async fn verification(
        &self,
        auth_identity_id: &str,
        entity_type: &str,
        entity_id: &str,
    ) -> Result<Option<Verification>, AccountError> {
        let key = keys::verification(auth_identity_id, entity_type, entity_id);
        Ok(self.read_verification(&key).await?.map(|r| r.verification))
    }

    async fn read_verification(&self, key: &str) -> Result<Option<Record>, AccountError> {
        Ok(self
            .store()
            .get(key)
            .await?
            .and_then(|text| crate::json_fields::parse(&text).ok())
            .and_then(|v| Record::from_json(&v)))
    }

    async fn write_verification(&self, key: &str, record: &Record) -> Result<(), AccountError> {
        let text = json!(record).to_string();
        self.store().put(key, &text, None).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stored_record_reads_back_as_written_and_a_damaged_one_not_at_all() {
        let verification = Verification {
            id: "authver_1".into(),
            auth_identity_id: "authid_1".into(),
            entity_id: "a@b.co".into(),
            entity_type: "email".into(),
            code_provider: "token".into(),
            requested_at: "2026-12-03T00:00:00.000Z".into(),
            verified_at: None,
            metadata: json!({"source": "checkout"}).as_object().cloned(),
        };
        let confirmed = Verification {
            verified_at: Some("2026-12-03T00:05:00.000Z".into()),
            metadata: None,
            ..verification.clone()
        };
        for v in [verification, confirmed] {
            let record = Record {
                verification: v.clone(),
                code_hash: "hash".into(),
                expires_at_ms: 1_800_000_000_000,
            };
            let read = Record::from_json(&json!(record)).expect("readable");
            assert_eq!(read.verification, v);
            assert_eq!(
                (read.code_hash.as_str(), read.expires_at_ms),
                ("hash", 1_800_000_000_000)
            );
        }
        let good = json!({"verification": {"id": "authver_1", "auth_identity_id": "authid_1",
            "entity_id": "a@b.co", "entity_type": "email", "code_provider": "token",
            "requested_at": "t"}, "code_hash": "h", "expires_at_ms": 1});
        assert!(Record::from_json(&good).is_some());
        for (field, bad) in [
            ("metadata", json!("text")),
            ("verified_at", json!(5)),
            ("entity_id", json!(null)),
        ] {
            let mut damaged = good.clone();
            damaged["verification"][field] = bad;
            assert!(Record::from_json(&damaged).is_none(), "{field}");
        }
        for (field, bad) in [("expires_at_ms", json!(-1)), ("code_hash", json!(1))] {
            let mut damaged = good.clone();
            damaged[field] = bad;
            assert!(Record::from_json(&damaged).is_none(), "{field}");
        }
    }
}
