//! `AuthModuleService` for JavaScript: Medusa's method names over the Rust service.
//!
//! The four flow methods never throw and their promises always resolve, with `{ success, authIdentity?,
//! error?, location? }` — for bad arguments too (`null`, `undefined`, a number …: `{ success: false,
//! error }` saying what is wrong), as Medusa's catch every error into that answer. For the other methods,
//! arguments are checked before any promise exists, so misuse throws an `EdgeAuthError` synchronously,
//! and the CRUD methods' promises reject with a coded `EdgeAuthError`. The account methods (tokens, password
//! reset, sessions) are in [`super::account`].

use super::args::{
    AUTH_IDENTITY_FILTER, AUTHENTICATION_INPUT, CREATE_AUTH_IDENTITY, CREATE_PROVIDER_IDENTITY,
    LIST_CONFIG, ListConfig, PROVIDER_IDENTITY_FILTER, RETRIEVE_CONFIG, Shape,
    UPDATE_AUTH_IDENTITY, UPDATE_PROVIDER_IDENTITY, ids_arg, object_arg, optional_record, page,
    records, required, string_arg,
};
use super::convert::{to_js, to_json};
use super::error::ApiError;
use super::promise::promise;
use super::{account, options};
use crate::account::AccountService;
use crate::identity::IdentityError;
use crate::import::ImportResult;
use crate::model::{
    AuthIdentityFilter, AuthenticationInput, AuthenticationResponse, CreateAuthIdentity,
    CreateProviderIdentity, Metadata, ProviderIdentityFilter, UpdateAuthIdentity,
    UpdateProviderIdentity,
};
use crate::ports::clock::{Clock, SystemClock};
use crate::service::AuthModuleService;
use crate::store::KvStore;
use js_sys::Promise;
use serde::Serialize;
use serde_json::Value;
use std::rc::Rc;
use wasm_bindgen::prelude::*;

/// `AuthModuleService`: Medusa's Auth Module for JavaScript, over a KV-shaped store.
#[wasm_bindgen(js_name = AuthModuleService, skip_typescript)]
pub struct JsAuthModuleService {
    core: Rc<AuthModuleService>,
    /// `None` when made without `jwtSecret`.
    pub(super) account: Option<Rc<AccountService>>,
}

/// A CRUD answer: resolves with the value in `shape`, rejects with a coded `EdgeAuthError`.
fn settle<T: Serialize>(
    work: impl Future<Output = Result<Vec<T>, IdentityError>> + 'static,
    shape: Shape,
) -> Promise {
    promise(Box::pin(async move {
        let mut found = work.await?;
        Ok(match shape {
            Shape::Many => to_js(&found),
            Shape::One if !found.is_empty() => to_js(&found.swap_remove(0)),
            Shape::One | Shape::Nothing => JsValue::UNDEFINED,
        })
    }))
}

enum Flow {
    Register,
    Authenticate,
    ValidateCallback,
}

/// A flow's answer to arguments it cannot use: resolved, as Medusa's flow methods answer every error.
/// (The flow methods keep `Result` in their signatures for their callers; they never return `Err`.)
fn refused(error: ApiError) -> Promise {
    Promise::resolve(&to_js(&AuthenticationResponse::failed(error.message)))
}

impl JsAuthModuleService {
    fn flow(&self, flow: Flow, method: &str, provider: &JsValue, input: &JsValue) -> Promise {
        let provider = match string_arg(provider, &format!("{method}(provider, input): provider")) {
            Ok(provider) => provider,
            Err(e) => return refused(e),
        };
        let what = format!("{method}(provider, input): input");
        // As Medusa: the provider is looked up before its input is read.
        let input: AuthenticationInput = if self.core.has_provider(&provider) {
            match optional_record(input, &what, AUTHENTICATION_INPUT) {
                Ok(input) => input,
                Err(e) => return refused(e),
            }
        } else {
            AuthenticationInput::default()
        };
        let core = self.core.clone();
        promise(Box::pin(async move {
            let response = match flow {
                Flow::Register => core.register(&provider, &input).await,
                Flow::Authenticate => core.authenticate(&provider, &input).await,
                Flow::ValidateCallback => core.validate_callback(&provider, &input).await,
            };
            Ok(to_js(&response))
        }))
    }

    fn update_flow(&self, method: &str, provider: &JsValue, data: &JsValue) -> Promise {
        let provider = match string_arg(provider, &format!("{method}(provider, data): provider")) {
            Ok(provider) => provider,
            Err(e) => return refused(e),
        };
        let what = format!("{method}(provider, data): data");
        let data = if self.core.has_provider(&provider) {
            match object_arg(data, &what) {
                Ok(data) => data,
                Err(e) => return refused(e),
            }
        } else {
            Metadata::new()
        };
        let core = self.core.clone();
        promise(Box::pin(async move {
            Ok(to_js(&core.update_provider(&provider, &data).await))
        }))
    }
}

#[wasm_bindgen(js_class = AuthModuleService)]
impl JsAuthModuleService {
    /// A service from `options` (store, providers, …); throws a coded `EdgeAuthError` on bad options.
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue) -> Result<JsAuthModuleService, JsValue> {
        let options = options::parse(&options)?;
        let store: Rc<dyn KvStore> = Rc::new(options.store);
        let clock: Rc<dyn Clock> = Rc::new(SystemClock);
        let mut core = AuthModuleService::new(store.clone(), clock.clone());
        for provider in options.providers {
            core = core.with_provider(provider);
        }
        let core = Rc::new(core);
        let account = options
            .account
            .map(|settings| account::build(core.clone(), store, clock, settings));
        Ok(Self { core, account })
    }

    /// Medusa's `register`; resolves to `{ success, authIdentity?, error? }`.
    pub fn register(&self, provider: JsValue, input: JsValue) -> Result<Promise, JsValue> {
        Ok(self.flow(Flow::Register, "register", &provider, &input))
    }

    /// Medusa's `authenticate`; resolves to `{ success, authIdentity?, location?, error? }`.
    pub fn authenticate(&self, provider: JsValue, input: JsValue) -> Result<Promise, JsValue> {
        Ok(self.flow(Flow::Authenticate, "authenticate", &provider, &input))
    }

    /// Medusa's `validateCallback`: completes a third-party sign-in.
    #[wasm_bindgen(js_name = validateCallback)]
    pub fn validate_callback(&self, provider: JsValue, input: JsValue) -> Result<Promise, JsValue> {
        Ok(self.flow(
            Flow::ValidateCallback,
            "validateCallback",
            &provider,
            &input,
        ))
    }

    /// Medusa's `updateProvider`: sets a new password (emailpass).
    #[wasm_bindgen(js_name = updateProvider)]
    pub fn update_provider(&self, provider: JsValue, data: JsValue) -> Result<Promise, JsValue> {
        Ok(self.update_flow("updateProvider", &provider, &data))
    }

    /// The seed page's name for `updateProvider`.
    pub fn update(&self, provider: JsValue, data: JsValue) -> Result<Promise, JsValue> {
        Ok(self.update_flow("update", &provider, &data))
    }

    // ---- AuthIdentity CRUD ----

    /// Creates identities with their provider identities.
    #[wasm_bindgen(js_name = createAuthIdentities)]
    pub fn create_auth_identities(&self, data: JsValue) -> Result<Promise, JsValue> {
        let (data, shape) = records::<CreateAuthIdentity>(
            &data,
            "createAuthIdentities(data): data",
            CREATE_AUTH_IDENTITY,
        )?;
        let core = self.core.clone();
        Ok(settle(
            async move { core.create_auth_identities(data).await },
            shape,
        ))
    }

    /// Imports identities in Medusa's shape with the admin import's rules (`crate::import`): ids and
    /// metadata kept, emailpass entity ids lower-cased, idempotent. Resolves one `{id, status, error}`
    /// per item (one for one, an array for an array); a bad item fails alone and never rejects.
    #[wasm_bindgen(js_name = importAuthIdentities)]
    pub fn import_auth_identities(&self, data: JsValue) -> Result<Promise, JsValue> {
        let what = "importAuthIdentities(data): data";
        required(&data, what)?;
        let (items, many) = match to_json(&data, what)? {
            Value::Array(items) => (items, true),
            item => (vec![item], false),
        };
        let core = self.core.clone();
        Ok(promise(Box::pin(async move {
            let mut results: Vec<Value> = core
                .import_auth_identities(&items)
                .await
                .iter()
                .map(ImportResult::to_value)
                .collect();
            // A single item always gives one result.
            Ok(if many {
                to_js(&results)
            } else {
                to_js(&results.swap_remove(0))
            })
        })))
    }

    /// The identity with this id; rejects with `NOT_FOUND` when there is none.
    #[wasm_bindgen(js_name = retrieveAuthIdentity)]
    pub fn retrieve_auth_identity(&self, id: JsValue, config: JsValue) -> Result<Promise, JsValue> {
        let id = string_arg(&id, "retrieveAuthIdentity(id): id")?;
        optional_record::<()>(
            &config,
            "retrieveAuthIdentity(id, config): config",
            RETRIEVE_CONFIG,
        )?;
        let core = self.core.clone();
        Ok(settle(
            async move { core.retrieve_auth_identity(&id).await.map(|i| vec![i]) },
            Shape::One,
        ))
    }

    /// The identities that match `filters`.
    #[wasm_bindgen(js_name = listAuthIdentities)]
    pub fn list_auth_identities(
        &self,
        filters: JsValue,
        config: JsValue,
    ) -> Result<Promise, JsValue> {
        let filter: AuthIdentityFilter = optional_record(
            &filters,
            "listAuthIdentities(filters): filters",
            AUTH_IDENTITY_FILTER,
        )?;
        let config: ListConfig = optional_record(
            &config,
            "listAuthIdentities(filters, config): config",
            LIST_CONFIG,
        )?;
        let core = self.core.clone();
        Ok(settle(
            async move {
                core.list_auth_identities(&filter)
                    .await
                    .map(|found| page(found, &config))
            },
            Shape::Many,
        ))
    }

    /// Replaces `app_metadata` of each identity given.
    #[wasm_bindgen(js_name = updateAuthIdentities)]
    pub fn update_auth_identities(&self, data: JsValue) -> Result<Promise, JsValue> {
        let (data, shape) = records::<UpdateAuthIdentity>(
            &data,
            "updateAuthIdentities(data): data",
            UPDATE_AUTH_IDENTITY,
        )?;
        let core = self.core.clone();
        Ok(settle(
            async move { core.update_auth_identities(data).await },
            shape,
        ))
    }

    /// Deletes the identities and their provider identities.
    #[wasm_bindgen(js_name = deleteAuthIdentities)]
    pub fn delete_auth_identities(&self, ids: JsValue) -> Result<Promise, JsValue> {
        let ids = ids_arg(&ids, "deleteAuthIdentities(ids): ids")?;
        let core = self.core.clone();
        Ok(settle(
            async move {
                core.delete_auth_identities(&ids)
                    .await
                    .map(|()| Vec::<()>::new())
            },
            Shape::Nothing,
        ))
    }

    // ---- ProviderIdentity CRUD ----

    /// Adds provider identities to existing identities.
    #[wasm_bindgen(js_name = createProviderIdentities)]
    pub fn create_provider_identities(&self, data: JsValue) -> Result<Promise, JsValue> {
        let (data, shape) = records::<CreateProviderIdentity>(
            &data,
            "createProviderIdentities(data): data",
            CREATE_PROVIDER_IDENTITY,
        )?;
        let core = self.core.clone();
        Ok(settle(
            async move { core.create_provider_identities(data).await },
            shape,
        ))
    }

    /// The provider identity with this id; rejects with `NOT_FOUND` when there is none.
    #[wasm_bindgen(js_name = retrieveProviderIdentity)]
    pub fn retrieve_provider_identity(
        &self,
        id: JsValue,
        config: JsValue,
    ) -> Result<Promise, JsValue> {
        let id = string_arg(&id, "retrieveProviderIdentity(id): id")?;
        optional_record::<()>(
            &config,
            "retrieveProviderIdentity(id, config): config",
            RETRIEVE_CONFIG,
        )?;
        let core = self.core.clone();
        Ok(settle(
            async move { core.retrieve_provider_identity(&id).await.map(|i| vec![i]) },
            Shape::One,
        ))
    }

    /// The provider identities that match `filters`.
    #[wasm_bindgen(js_name = listProviderIdentities)]
    pub fn list_provider_identities(
        &self,
        filters: JsValue,
        config: JsValue,
    ) -> Result<Promise, JsValue> {
        let filter: ProviderIdentityFilter = optional_record(
            &filters,
            "listProviderIdentities(filters): filters",
            PROVIDER_IDENTITY_FILTER,
        )?;
        let config: ListConfig = optional_record(
            &config,
            "listProviderIdentities(filters, config): config",
            LIST_CONFIG,
        )?;
        let core = self.core.clone();
        Ok(settle(
            async move {
                core.list_provider_identities(&filter)
                    .await
                    .map(|found| page(found, &config))
            },
            Shape::Many,
        ))
    }

    /// Replaces the given columns of each provider identity.
    #[wasm_bindgen(js_name = updateProviderIdentities)]
    pub fn update_provider_identities(&self, data: JsValue) -> Result<Promise, JsValue> {
        let (data, shape) = records::<UpdateProviderIdentity>(
            &data,
            "updateProviderIdentities(data): data",
            UPDATE_PROVIDER_IDENTITY,
        )?;
        let core = self.core.clone();
        Ok(settle(
            async move { core.update_provider_identities(data).await },
            shape,
        ))
    }

    /// Deletes the provider identities.
    #[wasm_bindgen(js_name = deleteProviderIdentities)]
    pub fn delete_provider_identities(&self, ids: JsValue) -> Result<Promise, JsValue> {
        let ids = ids_arg(&ids, "deleteProviderIdentities(ids): ids")?;
        let core = self.core.clone();
        Ok(settle(
            async move {
                core.delete_provider_identities(&ids)
                    .await
                    .map(|()| Vec::<()>::new())
            },
            Shape::Nothing,
        ))
    }
}
