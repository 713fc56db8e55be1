//! Errors of the JavaScript API: real `EdgeAuthError` objects (an `Error` subclass defined in
//! `errors.js`) carrying a stable `code` (and `retryAfter` when rate limited). Messages say what to pass
//! instead. Each core error type is mapped here, in one function each.

use crate::account::AccountError;
use crate::identity::IdentityError;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/src/js/errors.js")]
extern "C" {
    #[wasm_bindgen(extends = js_sys::Error)]
    type EdgeAuthError;

    #[wasm_bindgen(constructor)]
    fn new(code: &str, message: &str) -> EdgeAuthError;
}

/// The stable error codes. `errors.d.ts` lists the same strings for TypeScript.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Code {
    /// An argument has the wrong type or shape (thrown synchronously).
    InvalidArgument,
    /// An options object has a key the API does not know (thrown synchronously).
    UnknownOption,
    /// `options.store` is missing or lacks one of KV's methods (thrown synchronously).
    InvalidStore,
    /// `options.providers` names a provider this package does not implement (thrown synchronously).
    UnknownProvider,
    /// CRUD: the record does not exist.
    NotFound,
    /// CRUD: the data breaks a rule of the module (empty entity_id, bad id, ...).
    InvalidData,
    /// CRUD: a provider identity with this (provider, entity_id) exists already.
    Conflict,
    /// CRUD and account methods: the store failed (its get/put/delete/list threw or rejected, or a
    /// record is corrupt), or no randomness was available.
    StoreError,
    /// Account: no usable token or session (missing, forged, expired, voided by a password change, of
    /// another actor type, without the actor the operation needs, or of an identity that is gone).
    Unauthorized,
    /// Account: a password-reset token that cannot be used (forged, expired, already used, for another
    /// actor type or provider, or voided by a later password change).
    InvalidResetToken,
    /// changePassword: the current password given is not the identity's.
    WrongCurrentPassword,
    /// changePassword: the identity has no password (third-party sign-in only).
    NoPassword,
    /// Account: over a rate limit; `retryAfter` says in how many seconds to try again.
    TooManyRequests,
    /// MFA: refused (a wrong or reused code, a spent or expired challenge, a second active factor).
    NotAllowed,
}

impl Code {
    pub fn as_str(self) -> &'static str {
        match self {
            Code::InvalidArgument => "INVALID_ARGUMENT",
            Code::UnknownOption => "UNKNOWN_OPTION",
            Code::InvalidStore => "INVALID_STORE",
            Code::UnknownProvider => "UNKNOWN_PROVIDER",
            Code::NotFound => "NOT_FOUND",
            Code::InvalidData => "INVALID_DATA",
            Code::Conflict => "CONFLICT",
            Code::StoreError => "STORE_ERROR",
            Code::Unauthorized => "UNAUTHORIZED",
            Code::InvalidResetToken => "INVALID_RESET_TOKEN",
            Code::WrongCurrentPassword => "WRONG_CURRENT_PASSWORD",
            Code::NoPassword => "NO_PASSWORD",
            Code::TooManyRequests => "TOO_MANY_REQUESTS",
            Code::NotAllowed => "NOT_ALLOWED",
        }
    }
}

/// An error on its way to JavaScript, where it becomes an `EdgeAuthError`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub code: Code,
    pub message: String,
    /// Seconds to wait, for [`Code::TooManyRequests`].
    pub retry_after_secs: Option<u64>,
}

impl ApiError {
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            retry_after_secs: None,
        }
    }

    pub fn invalid_argument(message: impl Into<String>) -> Self {
        Self::new(Code::InvalidArgument, message)
    }
}

impl From<ApiError> for JsValue {
    fn from(e: ApiError) -> Self {
        let error = JsValue::from(EdgeAuthError::new(e.code.as_str(), &e.message));
        if let Some(secs) = e.retry_after_secs {
            // Setting a data property on a fresh Error cannot fail.
            let _ = js_sys::Reflect::set(&error, &"retryAfter".into(), &(secs as f64).into());
        }
        error
    }
}

impl From<IdentityError> for ApiError {
    fn from(e: IdentityError) -> Self {
        let code = match &e {
            IdentityError::NotFound(_) => Code::NotFound,
            IdentityError::Conflict { .. } => Code::Conflict,
            IdentityError::Invalid(_) => Code::InvalidData,
            IdentityError::Store(_) => Code::StoreError,
        };
        Self::new(code, e.to_string())
    }
}

impl From<AccountError> for ApiError {
    fn from(e: AccountError) -> Self {
        let message = e.to_string();
        let code = match e {
            AccountError::Unauthorized => Code::Unauthorized,
            AccountError::InvalidResetToken => Code::InvalidResetToken,
            // A refusal is the provider's verdict on the data (e.g. a password the policy refuses):
            // the caller fixes the data, and a reset token stays usable.
            AccountError::InvalidData(_) | AccountError::Refused(_) => Code::InvalidData,
            AccountError::NotAllowed(_) => Code::NotAllowed,
            AccountError::WrongCurrentPassword => Code::WrongCurrentPassword,
            AccountError::NoPassword => Code::NoPassword,
            AccountError::TooManyRequests { retry_after_secs } => {
                return Self {
                    retry_after_secs: Some(retry_after_secs),
                    ..Self::new(Code::TooManyRequests, message)
                };
            }
            AccountError::Mfa(e) => return e.into(),
            AccountError::Unavailable(_) => Code::StoreError,
        };
        Self::new(code, message)
    }
}
