//! Errors of the JavaScript API: real `EdgeAuthError` objects (an `Error` subclass defined in
//! `errors.js`) carrying a stable `code`. Messages say what to pass instead.

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
    /// CRUD: the store failed (its get/put/delete/list threw or rejected, or a record is corrupt).
    StoreError,
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
        }
    }
}

/// An error on its way to JavaScript, where it becomes an `EdgeAuthError`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub code: Code,
    pub message: String,
}

impl ApiError {
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }

    pub fn invalid_argument(message: impl Into<String>) -> Self {
        Self::new(Code::InvalidArgument, message)
    }
}

impl From<ApiError> for JsValue {
    fn from(e: ApiError) -> Self {
        EdgeAuthError::new(e.code.as_str(), &e.message).into()
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
