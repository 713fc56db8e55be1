//! The account methods of `AuthModuleService` for JavaScript — tokens, refresh, revocation, change
//! password, password reset, sessions and rate limits — each a call into the core's
//! [`AccountService`], the one the Worker's routes call.
//!
//! As for the other methods, arguments are checked before any promise exists (misuse throws an
//! `EdgeAuthError` synchronously, as does calling one of these on a service made without `jwtSecret`);
//! the promises reject with an `EdgeAuthError` whose code comes from [`AccountError`].

use super::account_options::{AccountOptions, not_configured};
use super::args::{
    ATTEMPT, AUTH_IDENTITY, PASSWORD_CHANGE, REQUEST_CONTEXT, object_arg, optional_record, record,
    string_arg,
};
use super::convert::{Checked, FromChecked, describe_js, to_js};
use super::error::ApiError;
use super::promise::promise;
use super::runtime::JsRuntime;
use super::service::JsAuthModuleService;
use crate::account::config::LimitedRoute;
use crate::account::session::{self, Session};
use crate::account::{AccountError, AccountPorts, AccountService, Attempt, PasswordChange, SignIn};
use crate::fetch::FetchClient;
use crate::guard::KvGuard;
use crate::model::{AuthIdentity, Metadata};
use crate::ports::clock::Clock;
use crate::scope::{ActorType, ProviderId};
use crate::service::AuthModuleService;
use crate::store::KvStore;
use js_sys::Promise;
use serde_json::json;
use std::rc::Rc;
use wasm_bindgen::prelude::*;

/// The account service over the identities of `identities`. Single use (reset tokens) is recorded in
/// the store as well as in this object's memory, so it holds across services and isolates sharing the
/// store (as the Worker without its Durable Object); rate limits are counted in this object's memory.
pub fn build(
    identities: Rc<AuthModuleService>,
    store: Rc<dyn KvStore>,
    clock: Rc<dyn Clock>,
    options: AccountOptions,
) -> Rc<AccountService> {
    let guard = Rc::new(KvGuard::new(
        store.clone(),
        Rc::new(KvGuard::isolate_memory()),
    ));
    let ports = AccountPorts {
        store,
        guard,
        clock,
        http: Rc::new(FetchClient),
        runtime: Rc::new(JsRuntime),
    };
    Rc::new(
        AccountService::new(identities, ports, options.tokens, Rc::new(options.config))
            .with_mfa(Rc::new(options.mfa)),
    )
}

/// A promise of `work`'s value as a plain object, rejected with the coded error of its failure.
fn settle<T: serde::Serialize>(
    work: impl Future<Output = Result<T, AccountError>> + 'static,
) -> Promise {
    promise(Box::pin(async move { Ok(to_js(&work.await?)) }))
}

fn actor_arg(value: &JsValue, what: &str) -> Result<ActorType, ApiError> {
    let text = string_arg(value, what)?;
    ActorType::parse(&text).ok_or_else(|| {
        ApiError::invalid_argument(format!(
            "{what} must be an actor type: lower-case letters, digits or '_', starting with a letter \
             (e.g. \"customer\"), got {text:?}"
        ))
    })
}

fn provider_arg(value: &JsValue, what: &str) -> Result<ProviderId, ApiError> {
    let text = string_arg(value, what)?;
    ProviderId::parse(&text).ok_or_else(|| {
        ApiError::invalid_argument(format!(
            "{what} must be a provider id: lower-case letters, digits, '_' or '-' (e.g. \"emailpass\"), got {text:?}"
        ))
    })
}

fn route_arg(value: &JsValue, what: &str) -> Result<LimitedRoute, ApiError> {
    let text = string_arg(value, what)?;
    LimitedRoute::parse(&text).ok_or_else(|| {
        ApiError::invalid_argument(format!(
            "{what} must be \"authenticate\", \"register\", \"reset-password\" or \"update\", got {text:?}"
        ))
    })
}

/// [`settle`] for operations that give nothing back: resolves with `undefined`.
fn settle_void(work: impl Future<Output = Result<(), AccountError>> + 'static) -> Promise {
    promise(Box::pin(async move {
        work.await?;
        Ok(JsValue::UNDEFINED)
    }))
}

/// `issueToken`'s first argument: an identity as the API hands it out, or its id.
enum IdentityArg {
    Given(Box<AuthIdentity>),
    Id(String),
}

/// `REQUEST_CONTEXT`.
struct RequestContext {
    client: Option<String>,
}

impl FromChecked for RequestContext {
    fn from_checked(mut c: Checked) -> Self {
        Self {
            client: c.text("client"),
        }
    }
}

/// `PASSWORD_CHANGE`.
struct PasswordChangeArg {
    current_password: Option<String>,
    password: Option<String>,
}

impl FromChecked for PasswordChangeArg {
    fn from_checked(mut c: Checked) -> Self {
        Self {
            current_password: c.text("currentPassword"),
            password: c.text("password"),
        }
    }
}

/// `ATTEMPT`.
struct AttemptArg {
    provider: String,
    client: Option<String>,
    identifier: Option<String>,
}

impl FromChecked for AttemptArg {
    fn from_checked(mut c: Checked) -> Self {
        Self {
            provider: c.text("provider").unwrap_or_default(),
            client: c.text("client"),
            identifier: c.text("identifier"),
        }
    }
}

impl JsAuthModuleService {
    fn account(&self, method: &str) -> Result<Rc<AccountService>, ApiError> {
        self.account.clone().ok_or_else(|| not_configured(method))
    }
}

#[wasm_bindgen(js_class = AuthModuleService)]
impl JsAuthModuleService {
    /// A signed auth token for an identity (or its id) as `actorType`, signed in through `authProvider`
    /// when given (Medusa's `auth_provider` claim, and the `user_metadata` of that provider identity).
    #[wasm_bindgen(js_name = issueToken)]
    pub fn issue_token(
        &self,
        identity: JsValue,
        actor_type: JsValue,
        auth_provider: JsValue,
    ) -> Result<Promise, JsValue> {
        let account = self.account("issueToken")?;
        let what = "issueToken(authIdentity, actorType): authIdentity";
        let identity = match identity.as_string() {
            Some(id) => IdentityArg::Id(id),
            None if identity.is_object() => {
                IdentityArg::Given(Box::new(record(&identity, what, AUTH_IDENTITY)?))
            }
            None => {
                return Err(ApiError::invalid_argument(format!(
                    "{what} must be an AuthIdentity or its id, got {}",
                    describe_js(&identity)
                ))
                .into());
            }
        };
        let actor = actor_arg(
            &actor_type,
            "issueToken(authIdentity, actorType): actorType",
        )?;
        let sign_in = if auth_provider.is_undefined() || auth_provider.is_null() {
            // No provider: Medusa leaves `auth_provider` out then.
            SignIn::default()
        } else {
            let what = "issueToken(authIdentity, actorType, authProvider): authProvider";
            SignIn::through(&provider_arg(&auth_provider, what)?)
        };
        Ok(promise(Box::pin(async move {
            let identity = match identity {
                IdentityArg::Given(identity) => *identity,
                IdentityArg::Id(id) => account.identities().retrieve_auth_identity(&id).await?,
            };
            Ok(JsValue::from(
                account.issue_token(&identity, &actor, &sign_in).await?,
            ))
        })))
    }

    /// The claims of a valid token (of `actorType`, when given); rejects with UNAUTHORIZED otherwise.
    #[wasm_bindgen(js_name = verifyToken)]
    pub fn verify_token(&self, token: JsValue, actor_type: JsValue) -> Result<Promise, JsValue> {
        let account = self.account("verifyToken")?;
        let token = string_arg(&token, "verifyToken(token): token")?;
        let actor = if actor_type.is_undefined() {
            None
        } else {
            Some(actor_arg(
                &actor_type,
                "verifyToken(token, actorType): actorType",
            )?)
        };
        Ok(settle(async move {
            match actor {
                Some(actor) => account.verify_token_as(&token, &actor).await,
                None => account.verify_token(&token).await,
            }
        }))
    }

    /// A fresh token for the same identity and actor type, with `actor_id` as it is now.
    #[wasm_bindgen(js_name = refreshToken)]
    pub fn refresh_token(&self, token: JsValue) -> Result<Promise, JsValue> {
        let account = self.account("refreshToken")?;
        let token = string_arg(&token, "refreshToken(token): token")?;
        Ok(settle(async move { account.refresh_token(&token).await }))
    }

    /// The JSON Web Key Set our tokens verify with (`{ keys: [...] }`, current key first) when tokens
    /// are signed with ES256 or EdDSA (`jwtAlgorithm`); `null` with HS256, whose key is a shared secret.
    #[wasm_bindgen(js_name = jwks)]
    pub fn jwks(&self) -> Result<Promise, JsValue> {
        let account = self.account("jwks")?;
        Ok(settle(async move { account.key_set().await }))
    }

    /// Voids every token, session and reset token of the identity issued until now.
    #[wasm_bindgen(js_name = revokeTokens)]
    pub fn revoke_tokens(&self, auth_identity_id: JsValue) -> Result<Promise, JsValue> {
        let account = self.account("revokeTokens")?;
        let id = string_arg(
            &auth_identity_id,
            "revokeTokens(authIdentityId): authIdentityId",
        )?;
        Ok(settle_void(async move {
            account.revoke_tokens(&id).await.map(|_| ())
        }))
    }

    /// Sets a new password once the current one is proven; voids every earlier token and session and
    /// resolves with a fresh token.
    #[wasm_bindgen(js_name = changePassword)]
    pub fn change_password(
        &self,
        token: JsValue,
        actor_type: JsValue,
        provider: JsValue,
        data: JsValue,
        context: JsValue,
    ) -> Result<Promise, JsValue> {
        let account = self.account("changePassword")?;
        let at = "changePassword(token, actorType, provider, data, context)";
        let token = string_arg(&token, &format!("{at}: token"))?;
        let actor = actor_arg(&actor_type, &format!("{at}: actorType"))?;
        let provider = provider_arg(&provider, &format!("{at}: provider"))?;
        let data: PasswordChangeArg = record(&data, &format!("{at}: data"), PASSWORD_CHANGE)?;
        let context: RequestContext =
            optional_record(&context, &format!("{at}: context"), REQUEST_CONTEXT)?;
        Ok(settle(async move {
            let claims = account.verify_token_as(&token, &actor).await?;
            let change = PasswordChange {
                current_password: data.current_password.as_deref(),
                new_password: data.password.as_deref(),
            };
            account
                .change_password(
                    &claims,
                    &actor,
                    &provider,
                    change,
                    context.client.as_deref(),
                )
                .await
        }))
    }

    /// A single-use reset token for the identity `identifier` names, or `null` when there is none.
    #[wasm_bindgen(js_name = createPasswordResetToken)]
    pub fn create_password_reset_token(
        &self,
        actor_type: JsValue,
        provider: JsValue,
        identifier: JsValue,
    ) -> Result<Promise, JsValue> {
        let account = self.account("createPasswordResetToken")?;
        if actor_type.is_object() {
            return super::reset_jti::create(account, &actor_type);
        }
        let at = "createPasswordResetToken(actorType, provider, identifier)";
        let actor = actor_arg(&actor_type, &format!("{at}: actorType"))?;
        let provider = provider_arg(&provider, &format!("{at}: provider"))?;
        let identifier = string_arg(&identifier, &format!("{at}: identifier"))?;
        Ok(settle(async move {
            let minted = account
                .create_password_reset_token(&actor, &provider, &identifier)
                .await?;
            Ok(minted.map(|reset| {
                json!({
                    "token": reset.token,
                    "entityId": reset.entity_id,
                    "expiresAt": reset.expires_at,
                })
            }))
        }))
    }

    /// The Worker's reset-password delivery: waits 50 ms, mints the token of the identity (if any) and
    /// POSTs it, signed, to `resetPasswordWebhookUrl`. Never rejects: failures are `console.warn`ed
    /// (without the token or the email). `metadata` (an object, optional) goes into the event as
    /// `data.metadata` (Medusa 2.16+). Hand the promise to `ctx.waitUntil`.
    #[wasm_bindgen(js_name = requestPasswordReset)]
    pub fn request_password_reset(
        &self,
        actor_type: JsValue,
        provider: JsValue,
        identifier: JsValue,
        metadata: JsValue,
    ) -> Result<Promise, JsValue> {
        let account = self.account("requestPasswordReset")?;
        let at = "requestPasswordReset(actorType, provider, identifier)";
        if account.config().reset_webhook.is_none() {
            return Err(ApiError::invalid_argument(format!(
                "{at} needs options.resetPasswordWebhookUrl and options.resetPasswordWebhookSecret \
                 (or use createPasswordResetToken and deliver the token yourself)"
            ))
            .into());
        }
        let actor = actor_arg(&actor_type, &format!("{at}: actorType"))?;
        let provider = provider_arg(&provider, &format!("{at}: provider"))?;
        let identifier = string_arg(&identifier, &format!("{at}: identifier"))?;
        let metadata = if metadata.is_undefined() || metadata.is_null() {
            Metadata::new()
        } else {
            object_arg(&metadata, &format!("{at}: metadata"))?
        };
        let delivery = account.password_reset_delivery(actor, provider, identifier, metadata);
        Ok(promise(Box::pin(async move {
            delivery.await;
            Ok(JsValue::UNDEFINED)
        })))
    }

    /// Uses a reset token once to update the provider with `data` (e.g. `{ password }`), and voids
    /// every earlier token of the identity. A refused update leaves the token usable.
    #[wasm_bindgen(js_name = consumePasswordResetToken)]
    pub fn consume_password_reset_token(
        &self,
        token: JsValue,
        actor_type: JsValue,
        provider: JsValue,
        data: JsValue,
        context: JsValue,
    ) -> Result<Promise, JsValue> {
        let account = self.account("consumePasswordResetToken")?;
        if token.is_object() {
            return super::reset_jti::consume(account, &token);
        }
        let at = "consumePasswordResetToken(token, actorType, provider, data, context)";
        let token = string_arg(&token, &format!("{at}: token"))?;
        let actor = actor_arg(&actor_type, &format!("{at}: actorType"))?;
        let provider = provider_arg(&provider, &format!("{at}: provider"))?;
        let data = object_arg(&data, &format!("{at}: data"))?;
        let context: RequestContext =
            optional_record(&context, &format!("{at}: context"), REQUEST_CONTEXT)?;
        Ok(settle_void(async move {
            account
                .consume_password_reset_token(
                    &token,
                    &actor,
                    &provider,
                    data,
                    context.client.as_deref(),
                )
                .await
        }))
    }

    /// A cookie session for the bearer of a valid token, with or without an actor.
    #[wasm_bindgen(js_name = createSession)]
    pub fn create_session(&self, token: JsValue) -> Result<Promise, JsValue> {
        let account = self.account("createSession")?;
        let token = string_arg(&token, "createSession(token): token")?;
        Ok(settle(async move {
            let made = account.create_session(&token).await?;
            Ok(json!({
                "cookie": session::set_cookie(account.config().session_cookie, &made.id, made.ttl_secs),
                "id": made.id,
                "authContext": made.auth_context,
                "ttl": made.ttl_secs,
            }))
        }))
    }

    /// The live session `id` (the cookie's value), or `null`.
    #[wasm_bindgen(js_name = retrieveSession)]
    pub fn retrieve_session(&self, id: JsValue) -> Result<Promise, JsValue> {
        let account = self.account("retrieveSession")?;
        let id = string_arg(&id, "retrieveSession(id): id")?;
        Ok(settle(async move {
            let found = account.session(&id).await?;
            Ok(found.map(
                |Session {
                     auth_context,
                     created_at_ms,
                     ..
                 }| {
                    json!({ "authContext": auth_context, "createdAt": created_at_ms })
                },
            ))
        }))
    }

    /// Ends the live session `id`; resolves `false` when there was none.
    #[wasm_bindgen(js_name = deleteSession)]
    pub fn delete_session(&self, id: JsValue) -> Result<Promise, JsValue> {
        let account = self.account("deleteSession")?;
        let id = string_arg(&id, "deleteSession(id): id")?;
        Ok(settle(async move { account.end_session(&id).await }))
    }

    /// Counts one attempt at a rate-limited route; rejects with TOO_MANY_REQUESTS (and `retryAfter`)
    /// when over a limit. Identifiers are counted as the provider stores them (emails lower-cased).
    #[wasm_bindgen(js_name = countAttempt)]
    pub fn count_attempt(&self, route: JsValue, attempt: JsValue) -> Result<Promise, JsValue> {
        let account = self.account("countAttempt")?;
        let at = "countAttempt(route, attempt)";
        let route = route_arg(&route, &format!("{at}: route"))?;
        let attempt: AttemptArg = record(&attempt, &format!("{at}: attempt"), ATTEMPT)?;
        let identifier = attempt
            .identifier
            .as_deref()
            .and_then(crate::account::identifier);
        Ok(settle_void(async move {
            account
                .count_attempt(Attempt {
                    route,
                    provider: &attempt.provider,
                    client: attempt.client.as_deref(),
                    identifier: identifier.as_deref(),
                })
                .await
        }))
    }

    /// Clears an identifier's counter (and backoff) at `route`: after a successful sign-in.
    #[wasm_bindgen(js_name = forgetFailures)]
    pub fn forget_failures(
        &self,
        route: JsValue,
        provider: JsValue,
        identifier: JsValue,
    ) -> Result<Promise, JsValue> {
        let account = self.account("forgetFailures")?;
        let at = "forgetFailures(route, provider, identifier)";
        let route = route_arg(&route, &format!("{at}: route"))?;
        let provider = string_arg(&provider, &format!("{at}: provider"))?;
        let identifier = string_arg(&identifier, &format!("{at}: identifier"))?;
        let identifier = crate::account::identifier(&identifier);
        Ok(settle_void(async move {
            if let Some(identifier) = identifier {
                account.forget_failures(route, &provider, &identifier).await;
            }
            Ok(())
        }))
    }
}
