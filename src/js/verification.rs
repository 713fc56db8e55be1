//! Medusa 2.21's verification methods of `AuthModuleService` for JavaScript:
//! `requestAuthVerification(data)` → the verification with its new `code` and `expires_at` (the caller
//! delivers the code, as with Medusa's module) and `confirmAuthVerification(data)` → the verified
//! verification, over the core's [`crate::account::verification`], the one the Worker's
//! `/auth/verification/*` routes call. Only argument checks and Medusa's `Date` fields here.

use super::convert::{Checked, Field, FromChecked, Kind, opt, req, to_js};
use super::error::ApiError;
use super::promise::promise_js;
use super::service::JsAuthModuleService;
use crate::account::{Verification, VerificationRequest};
use js_sys::{Date, Promise, Reflect};
use serde_json::{Map, Value};
use wasm_bindgen::prelude::*;

const REQUEST: &[Field] = &[
    req("auth_identity_id", Kind::Str),
    req("entity_id", Kind::Str),
    req("entity_type", Kind::Str),
    // Checked by the domain, for Medusa's "Verification provider is required".
    opt("code_provider", Kind::StrOrNull),
    opt("metadata", Kind::ObjOrNull),
];
const CONFIRM: &[Field] = &[
    opt("auth_identity_id", Kind::StrOrNull),
    // Checked by the domain, for Medusa's "Verification code is required".
    opt("code", Kind::StrOrNull),
    opt("code_provider", Kind::StrOrNull),
];

/// The fields of both methods' tables above.
struct Args {
    auth_identity_id: Option<String>,
    entity_id: Option<String>,
    entity_type: Option<String>,
    code_provider: Option<String>,
    metadata: Option<Map<String, Value>>,
    code: Option<String>,
}

impl FromChecked for Args {
    fn from_checked(mut c: Checked) -> Self {
        Self {
            auth_identity_id: c.text("auth_identity_id"),
            entity_id: c.text("entity_id"),
            entity_type: c.text("entity_type"),
            code_provider: c.text("code_provider"),
            metadata: c.object("metadata"),
            code: c.text("code"),
        }
    }
}

fn args(value: &JsValue, method: &str, fields: &'static [Field]) -> Result<Args, ApiError> {
    super::args::record(value, &format!("{method}(data): data"), fields)
}

/// Sets `field` of `object` to a `Date` of the ISO 8601 `text` (or of `ms`).
fn set_date(object: &JsValue, field: &str, ms: f64) -> Result<(), JsValue> {
    Reflect::set(
        object,
        &JsValue::from_str(field),
        &Date::new(&JsValue::from_f64(ms)),
    )?;
    Ok(())
}

/// A verification as Medusa's `AuthVerificationDTO`: its times as `Date`s.
fn verification_js(v: &Verification) -> Result<JsValue, JsValue> {
    let object = to_js(&v.to_json());
    set_date(&object, "requested_at", Date::parse(&v.requested_at))?;
    if let Some(at) = &v.verified_at {
        set_date(&object, "verified_at", Date::parse(at))?;
    }
    Ok(object)
}

#[wasm_bindgen(js_class = AuthModuleService)]
impl JsAuthModuleService {
    /// A new single-use code for the identity's entity: `{ ...verification, code, expires_at }`; a
    /// verification already confirmed is answered as it is, without a code.
    #[wasm_bindgen(js_name = requestAuthVerification)]
    pub fn request_auth_verification(&self, data: JsValue) -> Result<Promise, JsValue> {
        let method = "requestAuthVerification";
        let account = self.account_for(method)?;
        let a = args(&data, method, REQUEST)?;
        let request = VerificationRequest {
            auth_identity_id: a.auth_identity_id.unwrap_or_default(),
            entity_id: a.entity_id.unwrap_or_default(),
            entity_type: a.entity_type.unwrap_or_default(),
            code_provider: a.code_provider.unwrap_or_default(),
            metadata: a.metadata,
        };
        Ok(promise_js(Box::pin(async move {
            let requested = account
                .request_verification(request)
                .await
                .map_err(ApiError::from)?;
            let answer = verification_js(&requested.verification)?;
            if let (Some(code), Some(ms)) = (requested.code, requested.expires_at_ms) {
                Reflect::set(
                    &answer,
                    &JsValue::from_str("code"),
                    &JsValue::from_str(&code),
                )?;
                // u64 milliseconds fit an f64 exactly for millennia.
                #[allow(clippy::cast_precision_loss)]
                set_date(&answer, "expires_at", ms as f64)?;
            }
            Ok(answer)
        })))
    }

    /// Confirms a code once (of `auth_identity_id` when given): the verified verification.
    #[wasm_bindgen(js_name = confirmAuthVerification)]
    pub fn confirm_auth_verification(&self, data: JsValue) -> Result<Promise, JsValue> {
        let method = "confirmAuthVerification";
        let account = self.account_for(method)?;
        let a = args(&data, method, CONFIRM)?;
        Ok(promise_js(Box::pin(async move {
            let code = a.code.unwrap_or_default();
            let verified = account
                .confirm_verification(
                    &code,
                    a.code_provider.as_deref(),
                    a.auth_identity_id.as_deref(),
                    None,
                )
                .await
                .map_err(ApiError::from)?;
            verification_js(&verified)
        })))
    }
}
