//! The one authorization-code flow behind `google`, `github` and every OpenID Connect provider.
//!
//! `authenticate` answers `{ success: true, location }` (the provider's authorization URL) after
//! storing a state record; `validate_callback` consumes that record, exchanges the code (with the PKCE
//! verifier), checks the id_token or reads the GitHub user, and finds or creates the identity.
//!
//! Redirect mode (the Worker's own 302s, see `src/http/oauth.rs`) is requested with `return_to`: the
//! state record then remembers the return URL and is bound to the browser's cookie, and the callback's
//! answer carries `location: <return_to>` on success and on failure alike, so the HTTP layer knows where
//! to send the browser.

use crate::contract;
use crate::identity::IdentityError;
use crate::model::{AuthIdentity, AuthenticationInput, AuthenticationResponse, ProviderFlow};
use crate::oauth::config::OAuthConfig;
use crate::oauth::failure::RedirectRequestError;
use crate::oauth::flow::{self, AuthorizationParams, TokenResponse};
use crate::oauth::id_token::Expected;
use crate::oauth::metadata::{Endpoints, MetadataCache};
use crate::oauth::pkce::{self, PkceVerifier};
use crate::oauth::profile::{self, Profile};
use crate::oauth::spec::{self, ProviderKind, ProviderSpec};
use crate::oauth::state::{self, StateRecord};
use crate::ports::http::HttpClient;
use crate::provider::{AuthProvider, ProviderError, ProviderHelper, ProviderResult};
use crate::store::keys;
use async_trait::async_trait;
use serde_json::Value;
use std::rc::Rc;

/// Query parameter of a start request that asks for redirect mode: the allow-listed URL to return to.
pub const RETURN_TO: &str = "return_to";
/// Medusa's per-request override of the provider's callback URL (body or query); allow-listed here.
pub const CALLBACK_URL: &str = "callback_url";

/// Codes are short; a huge one is garbage and is not sent on.
pub const MAX_CODE_BYTES: usize = 2048;

/// Sent when a redirect-mode callback arrives without the state's browser-binding cookie.
pub const STATE_FROM_ANOTHER_BROWSER: &str =
    "This sign-in was started in another browser, or its cookie is gone: start again";

fn err(message: impl Into<String>) -> ProviderError {
    ProviderError(message.into())
}

/// A string parameter from the query, else from the body (Medusa reads `code` from either).
fn param(input: &AuthenticationInput, name: &str) -> Option<String> {
    input
        .query
        .get(name)
        .cloned()
        .or_else(|| {
            input
                .body
                .get(name)
                .and_then(Value::as_str)
                .map(str::to_owned)
        })
        .filter(|s| !s.is_empty())
}

/// The redirect targets a start request asks for, checked against `ALLOWED_REDIRECT_URLS`:
/// `(callback_url override, return_to)`. The HTTP layer calls this too, to answer 400.
pub fn requested_redirects(
    config: &OAuthConfig,
    input: &AuthenticationInput,
) -> Result<(Option<String>, Option<String>), RedirectRequestError> {
    if input.body.get(CALLBACK_URL).is_some_and(|v| !v.is_string()) {
        return Err(RedirectRequestError::CallbackUrlNotString);
    }
    let allowed = |url: Option<String>| {
        url.map(|u| config.redirects.check(&u).map(str::to_owned))
            .transpose()
            .map_err(RedirectRequestError::NotAllowed)
    };
    let callback = allowed(param(input, CALLBACK_URL))?;
    let return_to = allowed(input.query.get(RETURN_TO).cloned())?;
    if callback.is_some() && return_to.is_some() {
        return Err(RedirectRequestError::ReturnToWithCallbackUrl);
    }
    Ok((callback, return_to))
}

/// This service's own callback route for the start request at `url` (`…/auth/<actor>/<provider>`).
pub fn own_callback_url(url: &str) -> Option<String> {
    let base = url.split(['?', '#']).next()?.trim_end_matches('/');
    let (_, rest) = base.split_once("://")?;
    rest.contains('/').then(|| format!("{base}/callback"))
}

fn cookie_header(input: &AuthenticationInput) -> Option<&str> {
    input
        .headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("cookie"))
        .map(|(_, v)| v.as_str())
}

/// One configured third party at run time: its spec and the shared [`OAuthConfig`] (plain data), the
/// client that reaches it, and what it learnt (discovery, key set). Keep it as long as the
/// configuration lives (the Worker: the isolate), so that cache is worth having.
pub struct OAuthProvider {
    spec: Rc<ProviderSpec>,
    config: Rc<OAuthConfig>,
    http: Rc<dyn HttpClient>,
    metadata: MetadataCache,
}

impl OAuthProvider {
    /// A provider with an empty cache.
    pub fn new(spec: Rc<ProviderSpec>, config: Rc<OAuthConfig>, http: Rc<dyn HttpClient>) -> Self {
        Self {
            spec,
            config,
            http,
            metadata: MetadataCache::default(),
        }
    }

    /// One provider per configured third party, in configuration order, all reaching out through `http`.
    pub fn all(config: &Rc<OAuthConfig>, http: &Rc<dyn HttpClient>) -> Vec<Rc<OAuthProvider>> {
        config
            .providers
            .iter()
            .map(|spec| Rc::new(Self::new(spec.clone(), config.clone(), http.clone())))
            .collect()
    }

    async fn endpoints(&self, helper: &ProviderHelper<'_>) -> Result<Rc<Endpoints>, ProviderError> {
        self.metadata
            .endpoints(&self.spec, self.http.as_ref(), helper.now_ms() / 1000)
            .await
            .map_err(ProviderError::from)
    }

    /// Consumes the state record; `None` if unknown, expired, unreadable or another provider's.
    async fn take_record(
        &self,
        state: &str,
        helper: &ProviderHelper<'_>,
    ) -> Result<Option<StateRecord>, ProviderError> {
        if !state::is_well_formed(state) {
            return Ok(None);
        }
        let Some(value) = helper.take_state(state).await? else {
            return Ok(None);
        };
        Ok(StateRecord::from_json(&value).filter(|r| r.provider == self.spec.id))
    }

    /// Whether the record may be used by this request: redirect-mode records need the browser cookie.
    fn browser_matches(
        &self,
        record: &StateRecord,
        state: &str,
        input: &AuthenticationInput,
    ) -> bool {
        record.return_to.is_none() || self.config.binding.is_bound(state, cookie_header(input))
    }

    async fn finish(
        &self,
        input: &AuthenticationInput,
        helper: &ProviderHelper<'_>,
        return_to: &mut Option<String>,
    ) -> Result<AuthIdentity, ProviderError> {
        let state_param = param(input, "state");
        if let Some(message) = flow::provider_error_message(&input.query) {
            // The flow is over: consume the state, and send a redirect-mode browser back with the error.
            if let Some(s) = &state_param
                && let Some(record) = self.take_record(s, helper).await?
                && self.browser_matches(&record, s, input)
            {
                *return_to = record.return_to;
            }
            return Err(err(message));
        }
        let code = param(input, "code").ok_or_else(|| err(contract::NO_CODE_PROVIDED))?;
        let state = state_param.ok_or_else(|| err(contract::NO_STATE_OR_EXPIRED))?;
        // Consumed before anything else can succeed: a replay finds nothing.
        let record = self
            .take_record(&state, helper)
            .await?
            .ok_or_else(|| err(contract::NO_STATE_OR_EXPIRED))?;
        if !self.browser_matches(&record, &state, input) {
            return Err(err(STATE_FROM_ANOTHER_BROWSER));
        }
        let StateRecord {
            redirect_uri,
            pkce_verifier,
            nonce,
            return_to: record_return_to,
            ..
        } = record;
        *return_to = record_return_to;
        if code.len() > MAX_CODE_BYTES {
            return Err(err("Authorization code is too long"));
        }

        let endpoints = self.endpoints(helper).await?;
        let request = flow::token_request(
            &self.spec,
            &endpoints.token,
            &code,
            &redirect_uri,
            pkce_verifier,
        );
        let response = self
            .http
            .send(request)
            .await
            .map_err(|e| err(e.to_string()))?;
        let tokens = flow::parse_token_response(&response)?;
        let profile = match &self.spec.kind {
            ProviderKind::GitHub { api_url } => {
                self.github_profile(api_url, &tokens, helper.now_ms())
                    .await?
            }
            ProviderKind::Google | ProviderKind::Oidc => {
                self.openid_profile(&endpoints, &tokens, nonce.as_deref(), helper)
                    .await?
            }
        };
        self.find_or_create(profile, helper).await
    }

    async fn openid_profile(
        &self,
        endpoints: &Endpoints,
        tokens: &TokenResponse,
        nonce: Option<&str>,
        helper: &ProviderHelper<'_>,
    ) -> Result<Profile, ProviderError> {
        let spec = &self.spec;
        let id_token = tokens
            .id_token
            .as_deref()
            .ok_or_else(|| err(contract::NO_ID_TOKEN))?;
        let jwks = endpoints
            .jwks
            .as_deref()
            .ok_or_else(|| err(format!("{} has no JWKS URL", spec.id)))?;
        let expected = Expected {
            issuers: &spec.issuers,
            client_id: &spec.client_id,
            trusted_audiences: &spec.trusted_audiences,
            nonce,
            now_secs: helper.now_ms() / 1000,
        };
        let claims = self
            .metadata
            .verify_id_token(self.http.as_ref(), jwks, id_token, &expected)
            .await
            .map_err(|e| {
                err(contract::could_not_verify_id_token(
                    &spec.display_name,
                    &e.to_string(),
                ))
            })?;
        Ok(profile::from_id_token_claims(
            &claims,
            spec.kind == ProviderKind::Google,
        )?)
    }

    async fn github_profile(
        &self,
        api_url: &str,
        tokens: &TokenResponse,
        now_ms: u64,
    ) -> Result<Profile, ProviderError> {
        let token = tokens
            .access_token
            .as_ref()
            .ok_or_else(|| err(contract::NO_ACCESS_TOKEN))?;
        let user_request = profile::github_request(api_url, "/user", token.expose());
        let user_url = user_request.url.clone();
        let user = self
            .http
            .send(user_request)
            .await
            .map_err(|e| err(e.to_string()))?;
        if !user.is_success() {
            return Err(err(profile::github_api_error(
                &user_url,
                user.status,
                user.reason(),
            )));
        }
        let user = user
            .json()
            .ok_or_else(|| err("The GitHub user is not JSON"))?;
        let emails_request = profile::github_request(api_url, "/user/emails", token.expose());
        let emails_url = emails_request.url.clone();
        let emails = self
            .http
            .send(emails_request)
            .await
            .map_err(|e| err(e.to_string()))?;
        let email = match emails.status {
            200..=299 => emails
                .json()
                .as_ref()
                .and_then(profile::verified_primary_email),
            // A token without the `user:email` scope (or a GitHub App without the permission): no
            // verified address, which is not a reason to refuse the sign-in.
            403 | 404 => None,
            status => {
                return Err(err(profile::github_api_error(
                    &emails_url,
                    status,
                    emails.reason(),
                )));
            }
        };
        Ok(profile::from_github(&user, email, tokens, now_ms)?)
    }

    /// Google and OIDC: the existing identity as it is, else a new one (Medusa's behaviour). GitHub
    /// (`provider_metadata` present): updated on every login, else created.
    async fn find_or_create(
        &self,
        profile: Profile,
        helper: &ProviderHelper<'_>,
    ) -> Result<AuthIdentity, ProviderError> {
        let Profile {
            entity_id,
            user_metadata,
            provider_metadata,
        } = profile;
        let existing = match &provider_metadata {
            None => helper.retrieve(&entity_id).await,
            Some(pm) => {
                helper
                    .update(&entity_id, Some(pm.clone()), Some(user_metadata.clone()))
                    .await
            }
        };
        match existing {
            Ok(identity) => Ok(identity),
            Err(IdentityError::NotFound(_)) => Ok(helper
                .create(&entity_id, provider_metadata, Some(user_metadata))
                .await?),
            Err(e) => Err(e.into()),
        }
    }
}

#[async_trait(?Send)]
impl AuthProvider for OAuthProvider {
    fn id(&self) -> &str {
        &self.spec.id
    }

    fn identifier(&self) -> &str {
        match self.spec.kind {
            ProviderKind::Google => spec::GOOGLE,
            ProviderKind::GitHub { .. } => spec::GITHUB,
            ProviderKind::Oidc => spec::OIDC,
        }
    }

    fn display_name(&self) -> &str {
        match self.spec.kind {
            ProviderKind::Google => contract::GOOGLE_DISPLAY_NAME,
            ProviderKind::GitHub { .. } => contract::GITHUB_DISPLAY_NAME,
            // An OIDC instance has no fixed name: its id, as Medusa lists a provider without one.
            ProviderKind::Oidc => &self.spec.display_name,
        }
    }

    fn flow(&self) -> ProviderFlow {
        ProviderFlow::Redirect
    }

    async fn register(
        &self,
        _input: &AuthenticationInput,
        _helper: &ProviderHelper<'_>,
    ) -> ProviderResult {
        Err(err(contract::registration_not_supported(
            &self.spec.display_name,
        )))
    }

    async fn authenticate(
        &self,
        input: &AuthenticationInput,
        helper: &ProviderHelper<'_>,
    ) -> ProviderResult {
        if let Some(message) = flow::provider_error_message(&input.query) {
            return Err(err(message));
        }
        let (callback_override, return_to) = requested_redirects(&self.config, input)?;
        let redirect_uri = match (&return_to, callback_override) {
            (Some(_), _) => input
                .url
                .as_deref()
                .and_then(own_callback_url)
                .ok_or_else(|| err("Redirect mode needs the request URL"))?,
            (None, Some(callback)) => callback,
            (None, None) => self.spec.callback_url.clone(),
        };
        let endpoints = self.endpoints(helper).await?;

        let random_failed = |e: crate::ports::random::RandomError| err(e.to_string());
        let state = state::new_state().map_err(random_failed)?;
        let verifier = PkceVerifier::generate().map_err(random_failed)?;
        let nonce = if self.spec.is_openid() {
            Some(pkce::random_urlsafe().map_err(random_failed)?)
        } else {
            None
        };
        let location = flow::authorization_url(
            &self.spec,
            &endpoints.authorization,
            &AuthorizationParams {
                redirect_uri: &redirect_uri,
                state: &state,
                code_challenge: &verifier.challenge(),
                nonce: nonce.as_deref(),
            },
        );
        let record = StateRecord {
            provider: self.spec.id.clone(),
            redirect_uri,
            pkce_verifier: verifier,
            nonce,
            return_to,
            created_at_ms: helper.now_ms(),
        };
        let value = serde_json::to_value(&record).map_err(|e| err(e.to_string()))?;
        helper
            .set_state(&state, &value, keys::OAUTH_STATE_TTL_SECS)
            .await?;
        Ok(AuthenticationResponse::redirect(location))
    }

    async fn validate_callback(
        &self,
        input: &AuthenticationInput,
        helper: &ProviderHelper<'_>,
    ) -> ProviderResult {
        let mut return_to = None;
        let outcome = self.finish(input, helper, &mut return_to).await;
        match (outcome, return_to) {
            (Ok(identity), return_to) => Ok(AuthenticationResponse {
                location: return_to,
                ..AuthenticationResponse::succeeded(identity)
            }),
            (Err(e), Some(return_to)) => Ok(AuthenticationResponse {
                location: Some(return_to),
                ..AuthenticationResponse::failed(e.0)
            }),
            (Err(e), None) => Err(e),
        }
    }
}
