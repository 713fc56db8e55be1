//! The MFA methods of `AuthModuleService` for JavaScript, with Medusa 2.21's names and argument shapes
//! (`startAuthMfa`, `verifyAuthMfa`, `createAuthMfaChallenge`, `verifyAuthMfaChallenge`,
//! `disableAuthMfa`, `listAuthMfa`, `generateAuthMfaRecoveryCodes`, `useAuthMfaRecoveryCode`), each a
//! call into the core's [`crate::mfa::MfaService`], the one the Worker's `/auth/mfa/*` routes call.
//!
//! Arguments are checked before any promise exists (misuse throws synchronously); the promises reject
//! with an `EdgeAuthError` coded from [`MfaError`] (`NOT_FOUND`, `INVALID_DATA`, `NOT_ALLOWED`,
//! `STORE_ERROR`). They need the service's account options (`jwtSecret`) and `mfaEncryptionKey`.

use super::convert::{Checked, Field, FromChecked, Kind, opt, req};
use super::error::ApiError;
use super::promise::promise;
use super::service::JsAuthModuleService;
use crate::account::AccountService;
use crate::mfa::records::factors_json;
use crate::mfa::{FactorStatus, MfaError, MfaService, StartFactor};
use js_sys::Promise;
use serde_json::{Map, Value, json};
use std::rc::Rc;
use wasm_bindgen::prelude::*;

const START: &[Field] = &[
    req("auth_identity_id", Kind::Str),
    req("provider", Kind::Str),
    opt("label", Kind::StrOrNull),
    opt("issuer", Kind::Str),
    opt("metadata", Kind::ObjOrNull),
];
const VERIFY: &[Field] = &[
    req("id", Kind::Str),
    opt("auth_identity_id", Kind::Str),
    req("code", Kind::Str),
];
const CREATE_CHALLENGE: &[Field] = &[
    req("auth_identity_id", Kind::Str),
    opt("auth_provider", Kind::StrOrNull),
    opt("metadata", Kind::ObjOrNull),
];
const VERIFY_CHALLENGE: &[Field] = &[
    req("id", Kind::Str),
    req("method", Kind::Str),
    req("code", Kind::Str),
    opt("auth_identity_id", Kind::Str),
];
const DISABLE: &[Field] = &[
    req("id", Kind::Str),
    opt("method", Kind::Str),
    opt("code", Kind::Str),
];
const LIST: &[Field] = &[req("auth_identity_id", Kind::Str), opt("status", Kind::Str)];
const GENERATE: &[Field] = &[
    req("auth_identity_id", Kind::Str),
    opt("count", Kind::Count),
];
const USE_CODE: &[Field] = &[req("auth_identity_id", Kind::Str), req("code", Kind::Str)];

/// The fields of every method's table above.
struct Args {
    id: Option<String>,
    auth_identity_id: Option<String>,
    provider: Option<String>,
    label: Option<String>,
    issuer: Option<String>,
    metadata: Option<Map<String, Value>>,
    auth_provider: Option<String>,
    method: Option<String>,
    code: Option<String>,
    status: Option<String>,
    count: Option<u32>,
}

impl FromChecked for Args {
    fn from_checked(mut c: Checked) -> Self {
        Self {
            id: c.text("id"),
            auth_identity_id: c.text("auth_identity_id"),
            provider: c.text("provider"),
            label: c.text("label"),
            issuer: c.text("issuer"),
            metadata: c.object("metadata"),
            auth_provider: c.text("auth_provider"),
            method: c.text("method"),
            code: c.text("code"),
            status: c.text("status"),
            count: c.count("count"),
        }
    }
}

impl From<MfaError> for ApiError {
    fn from(e: MfaError) -> Self {
        use super::error::Code;
        let message = e.to_string();
        let code = match e {
            MfaError::FactorNotFound(_)
            | MfaError::ChallengeNotFound(_)
            | MfaError::NotFound(_) => Code::NotFound,
            MfaError::KeyMissing | MfaError::InvalidData(_) => Code::InvalidData,
            MfaError::NotAllowed(_) => Code::NotAllowed,
            MfaError::Unavailable(_) => Code::StoreError,
        };
        Self::new(code, message)
    }
}

/// The checked argument of `method`.
fn args(value: &JsValue, method: &str, fields: &'static [Field]) -> Result<Args, ApiError> {
    super::args::record(value, &format!("{method}(data): data"), fields)
}

/// A promise of `work`'s JSON, rejected with the coded error of its failure.
fn settle(work: impl Future<Output = Result<Value, MfaError>> + 'static) -> Promise {
    promise(Box::pin(
        async move { Ok(super::convert::to_js(&work.await?)) },
    ))
}

impl JsAuthModuleService {
    pub(super) fn account_for(&self, method: &str) -> Result<Rc<AccountService>, ApiError> {
        self.account
            .clone()
            .ok_or_else(|| super::account_options::not_configured(method))
    }
}

/// `me` exists: Medusa's module methods retrieve the identity first.
async fn existing(mfa: &MfaService, me: &str) -> Result<(), MfaError> {
    mfa.require_identity(me).await
}

#[wasm_bindgen(js_class = AuthModuleService)]
impl JsAuthModuleService {
    /// Enrols a TOTP factor (pending until verified): `{ mfa, secret, otpauth_url }`, the secret this once.
    #[wasm_bindgen(js_name = startAuthMfa)]
    pub fn start_auth_mfa(&self, data: JsValue) -> Result<Promise, JsValue> {
        let account = self.account_for("startAuthMfa")?;
        let a = args(&data, "startAuthMfa", START)?;
        let start = StartFactor {
            auth_identity_id: a.auth_identity_id.unwrap_or_default(),
            provider: a.provider.unwrap_or_default(),
            label: a.label,
            issuer: a.issuer,
            metadata: a.metadata,
        };
        Ok(settle(async move {
            let mfa = account.mfa();
            existing(mfa, &start.auth_identity_id).await?;
            let e = mfa.start(start).await?;
            Ok(
                json!({ "mfa": e.factor.to_json(), "secret": e.secret, "otpauth_url": e.otpauth_url }),
            )
        }))
    }

    /// Proves a factor with a code (enabling a pending one): the factor.
    #[wasm_bindgen(js_name = verifyAuthMfa)]
    pub fn verify_auth_mfa(&self, data: JsValue) -> Result<Promise, JsValue> {
        let account = self.account_for("verifyAuthMfa")?;
        let a = args(&data, "verifyAuthMfa", VERIFY)?;
        Ok(settle(async move {
            let (id, code) = (a.id.unwrap_or_default(), a.code.unwrap_or_default());
            let mfa = account.mfa();
            let factor = mfa
                .verify_factor(&id, a.auth_identity_id.as_deref(), &code)
                .await?;
            Ok(factor.to_json())
        }))
    }

    /// A login challenge for an identity with an enabled factor.
    #[wasm_bindgen(js_name = createAuthMfaChallenge)]
    pub fn create_auth_mfa_challenge(&self, data: JsValue) -> Result<Promise, JsValue> {
        let account = self.account_for("createAuthMfaChallenge")?;
        let a = args(&data, "createAuthMfaChallenge", CREATE_CHALLENGE)?;
        Ok(settle(async move {
            let me = a.auth_identity_id.unwrap_or_default();
            let metadata = a.metadata.map_or(Value::Null, Value::Object);
            let mfa = account.mfa();
            let challenge = mfa
                .create_challenge(&me, a.auth_provider.as_deref(), metadata)
                .await?;
            Ok(challenge.to_json())
        }))
    }

    /// Answers a challenge by `method` (`totp` or `recovery_code`): the completed challenge.
    #[wasm_bindgen(js_name = verifyAuthMfaChallenge)]
    pub fn verify_auth_mfa_challenge(&self, data: JsValue) -> Result<Promise, JsValue> {
        let account = self.account_for("verifyAuthMfaChallenge")?;
        let a = args(&data, "verifyAuthMfaChallenge", VERIFY_CHALLENGE)?;
        Ok(settle(async move {
            let id = a.id.unwrap_or_default();
            let (method, code) = (a.method.unwrap_or_default(), a.code.unwrap_or_default());
            let mfa = account.mfa();
            let challenge = mfa
                .verify_challenge(&id, &method, &code, a.auth_identity_id.as_deref())
                .await?;
            Ok(challenge.to_json())
        }))
    }

    /// Disables a factor (Medusa's default `session` policy: no code needed): the factor.
    #[wasm_bindgen(js_name = disableAuthMfa)]
    pub fn disable_auth_mfa(&self, data: JsValue) -> Result<Promise, JsValue> {
        let account = self.account_for("disableAuthMfa")?;
        let a = args(&data, "disableAuthMfa", DISABLE)?;
        Ok(settle(async move {
            let id = a.id.unwrap_or_default();
            Ok(account.mfa().disable(&id, None).await?.to_json())
        }))
    }

    /// The factors of `filters.auth_identity_id` (of `filters.status` when given).
    #[wasm_bindgen(js_name = listAuthMfa)]
    pub fn list_auth_mfa(&self, filters: JsValue) -> Result<Promise, JsValue> {
        let account = self.account_for("listAuthMfa")?;
        let a = args(&filters, "listAuthMfa", LIST)?;
        let status = match a.status.as_deref() {
            None => None,
            Some(s) => Some(FactorStatus::parse(s).ok_or_else(|| {
                ApiError::invalid_argument(format!(
                    "listAuthMfa(filters): filters.status must be \"pending\", \"enabled\" or \"disabled\", got {s:?}"
                ))
            })?),
        };
        Ok(settle(async move {
            let me = a.auth_identity_id.unwrap_or_default();
            Ok(factors_json(&account.mfa().list(&me, status).await?))
        }))
    }

    /// `count` (default 10, at most 50) new recovery codes, replacing the old: `{ codes }`, shown once.
    #[wasm_bindgen(js_name = generateAuthMfaRecoveryCodes)]
    pub fn generate_auth_mfa_recovery_codes(&self, data: JsValue) -> Result<Promise, JsValue> {
        let account = self.account_for("generateAuthMfaRecoveryCodes")?;
        let a = args(&data, "generateAuthMfaRecoveryCodes", GENERATE)?;
        Ok(settle(async move {
            let me = a.auth_identity_id.unwrap_or_default();
            let mfa = account.mfa();
            existing(mfa, &me).await?;
            let codes = mfa.generate_recovery_codes(&me, a.count, false).await?;
            Ok(json!({ "codes": codes }))
        }))
    }

    /// Spends a recovery code; rejects with NOT_ALLOWED when it is wrong or spent.
    #[wasm_bindgen(js_name = useAuthMfaRecoveryCode)]
    pub fn use_auth_mfa_recovery_code(&self, data: JsValue) -> Result<Promise, JsValue> {
        let account = self.account_for("useAuthMfaRecoveryCode")?;
        let a = args(&data, "useAuthMfaRecoveryCode", USE_CODE)?;
        Ok(promise(Box::pin(async move {
            let (me, code) = (
                a.auth_identity_id.unwrap_or_default(),
                a.code.unwrap_or_default(),
            );
            account.mfa().use_recovery_code(&me, &code).await?;
            Ok(JsValue::UNDEFINED)
        })))
    }
}
