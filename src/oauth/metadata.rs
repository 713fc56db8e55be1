//! A provider's endpoints (configured, or from OpenID discovery) and its JWKS, fetched through the
//! [`HttpClient`] and kept in a [`MetadataCache`] for [`keys::OIDC_METADATA_CACHE_SECS`]. A token whose
//! `kid` is not in the cached key set triggers one refetch (keys rotate); still unknown, it is refused.

use crate::oauth::failure::{Document, OAuthFailure};
use crate::oauth::id_token::{self, Claims, Expected, IdTokenError};
use crate::oauth::jwk::{KeySet, Lookup};
use crate::oauth::redirect::check_absolute_url;
use crate::oauth::spec::ProviderSpec;
use crate::ports::http::{HttpClient, OutgoingRequest, host_of};
use crate::store::keys;
use serde_json::Value;
use std::cell::RefCell;
use std::fmt;
use std::rc::Rc;

/// Where the flow talks to a provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoints {
    /// The authorization endpoint the browser is sent to.
    pub authorization: String,
    /// The token endpoint the code is exchanged at.
    pub token: String,
    /// `None` for plain OAuth 2.0 providers (GitHub): no id_token to check.
    pub jwks: Option<String>,
}

struct Cached<T> {
    value: Rc<T>,
    fetched_at_secs: u64,
}

impl<T> Cached<T> {
    fn fresh(&self, now_secs: u64) -> Option<Rc<T>> {
        let age = now_secs.saturating_sub(self.fetched_at_secs);
        // A clock that went backwards also invalidates.
        (now_secs >= self.fetched_at_secs && age < keys::OIDC_METADATA_CACHE_SECS)
            .then(|| self.value.clone())
    }
}

/// What one provider learnt at run time: its discovered endpoints and its key set. Owned by the
/// [`crate::oauth::OAuthProvider`], which the Worker keeps for the isolate's life (the configuration
/// stays plain data). Borrows never span an `await`, so concurrent requests in one isolate cannot trip
/// over each other.
#[derive(Default)]
pub struct MetadataCache {
    discovered: RefCell<Option<Cached<Endpoints>>>,
    jwks: RefCell<Option<Cached<KeySet>>>,
}

impl fmt::Debug for MetadataCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MetadataCache")
            .field("discovered", &self.discovered.borrow().is_some())
            .field("jwks", &self.jwks.borrow().is_some())
            .finish()
    }
}

async fn fetch_json(
    http: &dyn HttpClient,
    url: &str,
    document: Document,
) -> Result<Value, OAuthFailure> {
    let response = http.send(OutgoingRequest::get(url)).await?;
    if !response.is_success() {
        return Err(OAuthFailure::FetchFailed {
            document,
            host: host_of(url).to_owned(),
            status: response.status,
            reason: response.reason().to_owned(),
        });
    }
    response
        .json()
        .filter(Value::is_object)
        .ok_or_else(|| OAuthFailure::NotJsonObject {
            document,
            host: host_of(url).to_owned(),
        })
}

fn endpoint(doc: &Value, field: &'static str) -> Result<String, OAuthFailure> {
    let url = doc
        .get(field)
        .and_then(Value::as_str)
        .ok_or(OAuthFailure::MissingEndpoint(field))?;
    check_absolute_url(url).map_err(|error| OAuthFailure::BadEndpoint { field, error })?;
    Ok(url.to_owned())
}

impl MetadataCache {
    /// The provider's endpoints: configured ones as they are, the rest from discovery (cached).
    pub async fn endpoints(
        &self,
        spec: &ProviderSpec,
        http: &dyn HttpClient,
        now_secs: u64,
    ) -> Result<Rc<Endpoints>, OAuthFailure> {
        let o = &spec.endpoints;
        let Some(discovery_url) = &spec.discovery_url else {
            return match (&o.authorization, &o.token) {
                (Some(authorization), Some(token)) => Ok(Rc::new(Endpoints {
                    authorization: authorization.clone(),
                    token: token.clone(),
                    jwks: o.jwks.clone(),
                })),
                _ => Err(OAuthFailure::NoEndpoints {
                    provider: spec.id.to_string(),
                }),
            };
        };
        let cached = self
            .discovered
            .borrow()
            .as_ref()
            .and_then(|c| c.fresh(now_secs));
        if let Some(found) = cached {
            return Ok(found);
        }
        let doc = fetch_json(http, discovery_url, Document::Discovery).await?;
        // OpenID Connect Discovery §4.3: the document must name exactly the issuer we asked.
        let expected = spec.issuers.first().map(String::as_str).unwrap_or("");
        let issuer = doc.get("issuer").and_then(Value::as_str).unwrap_or("");
        if issuer != expected {
            return Err(OAuthFailure::IssuerMismatch {
                found: issuer.to_owned(),
                expected: expected.to_owned(),
            });
        }
        let pick = |given: &Option<String>, field: &'static str| match given {
            Some(url) => Ok(url.clone()),
            None => endpoint(&doc, field),
        };
        let found = Rc::new(Endpoints {
            authorization: pick(&o.authorization, "authorization_endpoint")?,
            token: pick(&o.token, "token_endpoint")?,
            jwks: Some(pick(&o.jwks, "jwks_uri")?),
        });
        *self.discovered.borrow_mut() = Some(Cached {
            value: found.clone(),
            fetched_at_secs: now_secs,
        });
        Ok(found)
    }

    /// The key set, from the cache unless `refetch`; the flag says whether it was fetched just now.
    async fn key_set(
        &self,
        http: &dyn HttpClient,
        jwks_url: &str,
        now_secs: u64,
        refetch: bool,
    ) -> Result<(Rc<KeySet>, bool), OAuthFailure> {
        if !refetch {
            let cached = self.jwks.borrow().as_ref().and_then(|c| c.fresh(now_secs));
            if let Some(found) = cached {
                return Ok((found, false));
            }
        }
        let response = http.send(OutgoingRequest::get(jwks_url)).await?;
        if !response.is_success() {
            return Err(OAuthFailure::FetchFailed {
                document: Document::Jwks,
                host: host_of(jwks_url).to_owned(),
                status: response.status,
                reason: response.reason().to_owned(),
            });
        }
        let set = Rc::new(KeySet::parse(&response.body)?);
        *self.jwks.borrow_mut() = Some(Cached {
            value: set.clone(),
            fetched_at_secs: now_secs,
        });
        Ok((set, true))
    }

    /// Verifies an id_token against the key set at `jwks_url` and checks its claims; answers the claims.
    pub async fn verify_id_token(
        &self,
        http: &dyn HttpClient,
        jwks_url: &str,
        token: &str,
        expected: &Expected<'_>,
    ) -> Result<Claims, VerifyError> {
        let header = id_token::header(token)?;
        let kid = header.kid.as_deref();
        let now = expected.now_secs;
        let (mut set, mut fresh) = self
            .key_set(http, jwks_url, now, false)
            .await
            .map_err(VerifyError::Unavailable)?;
        loop {
            match set.find(kid, header.alg) {
                Lookup::Found(key) => {
                    let verifier = crate::oauth::signature::platform();
                    let claims = id_token::verify_signature(token, key, verifier).await?;
                    id_token::validate_claims(&claims, expected)?;
                    return Ok(claims);
                }
                Lookup::Ambiguous => return Err(IdTokenError::AmbiguousKey.into()),
                Lookup::Unknown if fresh => return Err(IdTokenError::UnknownKey.into()),
                Lookup::Unknown => {
                    (set, fresh) = self
                        .key_set(http, jwks_url, now, true)
                        .await
                        .map_err(VerifyError::Unavailable)?;
                }
            }
        }
    }
}

/// Why an id_token was refused: a validation failure, or the JWKS could not be had.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VerifyError {
    /// The token fails validation.
    Invalid(IdTokenError),
    /// The key set could not be fetched or parsed.
    Unavailable(OAuthFailure),
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Invalid(e) => e.fmt(f),
            Self::Unavailable(e) => e.fmt(f),
        }
    }
}

impl From<IdTokenError> for VerifyError {
    fn from(e: IdTokenError) -> Self {
        Self::Invalid(e)
    }
}
