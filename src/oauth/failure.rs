//! Why a step of third-party sign-in failed, as a value. Its `Display` is the message a caller sees
//! (Medusa's wording where Medusa has one, see `crate::contract`); messages name hosts, never paths or
//! queries, which can carry codes and tokens.

use crate::contract;
use crate::oauth::redirect::UrlError;
use crate::ports::http::HttpError;
use crate::provider::ProviderError;
use std::fmt;

/// A document fetched from a provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Document {
    /// OpenID Connect Discovery (`/.well-known/openid-configuration`).
    Discovery,
    /// The provider's key set.
    Jwks,
}

impl Document {
    fn name(self) -> &'static str {
        match self {
            Self::Discovery => "OpenID configuration",
            Self::Jwks => "JWKS",
        }
    }
}

/// What went wrong talking to a provider or reading what it said.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum OAuthFailure {
    /// The request got no usable answer.
    Transport(HttpError),
    /// A document answered with an error status.
    FetchFailed {
        /// Which document.
        document: Document,
        /// The host that answered.
        host: String,
        /// Its status.
        status: u16,
        /// Its status text.
        reason: String,
    },
    /// A document is not a JSON object.
    NotJsonObject {
        /// Which document.
        document: Document,
        /// The host that answered.
        host: String,
    },
    /// The discovery document lacks an endpoint we need.
    MissingEndpoint(&'static str),
    /// An endpoint in the discovery document is not an acceptable URL.
    BadEndpoint {
        /// The discovery field.
        field: &'static str,
        /// Why the URL was refused.
        error: UrlError,
    },
    /// The discovery document names another issuer than the one configured (OIDC Discovery §4.3).
    IssuerMismatch {
        /// The issuer the document names.
        found: String,
        /// The configured issuer.
        expected: String,
    },
    /// A provider without discovery lacks a configured authorization or token endpoint.
    NoEndpoints {
        /// The provider's id.
        provider: String,
    },
    /// The JWKS is not JSON.
    JwksNotJson,
    /// The JWKS has no `keys` array.
    JwksWithoutKeys,
    /// The JWKS has more keys than we read.
    JwksTooManyKeys(usize),
    /// The token endpoint answered with an error status (Medusa's message).
    TokenExchange {
        /// Its status.
        status: u16,
        /// Its status text.
        reason: String,
    },
    /// The token endpoint's answer is not JSON.
    TokenNotJson,
    /// The provider reported an error itself; holds Medusa's rendering of its description and URI.
    ProviderSaid(String),
    /// The id_token's email is not verified.
    EmailNotVerified,
    /// The id_token has no `sub`.
    MissingSubject,
    /// The GitHub user has no id.
    GitHubWithoutId,
}

impl fmt::Display for OAuthFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Transport(e) => e.fmt(f),
            Self::FetchFailed {
                document,
                host,
                status,
                reason,
            } => write!(
                f,
                "Could not fetch the {} of {host}, {status}, {reason}",
                document.name()
            ),
            Self::NotJsonObject { document, host } => {
                write!(f, "The {} of {host} is not a JSON object", document.name())
            }
            Self::MissingEndpoint(field) => write!(f, "The OpenID configuration has no {field}"),
            Self::BadEndpoint { field, error } => {
                write!(f, "OpenID configuration {field}: {error}")
            }
            Self::IssuerMismatch { found, expected } => write!(
                f,
                "The OpenID configuration names the issuer {found:?}, expected {expected:?}"
            ),
            Self::NoEndpoints { provider } => {
                write!(f, "{provider} has no authorization or token endpoint")
            }
            Self::JwksNotJson => f.write_str("JWKS is not valid JSON"),
            Self::JwksWithoutKeys => f.write_str("JWKS has no \"keys\" array"),
            Self::JwksTooManyKeys(max) => write!(f, "JWKS has more than {max} keys"),
            Self::TokenExchange { status, reason } => {
                f.write_str(&contract::could_not_exchange_token(*status, reason))
            }
            Self::TokenNotJson => f.write_str("The token endpoint did not answer JSON"),
            Self::ProviderSaid(message) => f.write_str(message),
            Self::EmailNotVerified => f.write_str(contract::EMAIL_NOT_VERIFIED),
            Self::MissingSubject => f.write_str("id_token is missing 'sub' claim"),
            Self::GitHubWithoutId => f.write_str("The GitHub user has no id"),
        }
    }
}

impl std::error::Error for OAuthFailure {}

impl From<HttpError> for OAuthFailure {
    fn from(e: HttpError) -> Self {
        Self::Transport(e)
    }
}

impl From<OAuthFailure> for ProviderError {
    fn from(e: OAuthFailure) -> Self {
        ProviderError(e.to_string())
    }
}

/// Why the redirect targets a start request asks for are refused (answered 400).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RedirectRequestError {
    /// `callback_url` is present but not a string.
    CallbackUrlNotString,
    /// A requested URL is not on `ALLOWED_REDIRECT_URLS` (or not a URL at all).
    NotAllowed(UrlError),
    /// `return_to` and `callback_url` together: `return_to` sends the provider back to this service.
    ReturnToWithCallbackUrl,
}

impl fmt::Display for RedirectRequestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::CallbackUrlNotString => f.write_str("callback_url must be a string"),
            Self::NotAllowed(e) => e.fmt(f),
            Self::ReturnToWithCallbackUrl => f.write_str(
                "return_to and callback_url cannot be combined: return_to sends the provider back to this service",
            ),
        }
    }
}

impl From<RedirectRequestError> for ProviderError {
    fn from(e: RedirectRequestError) -> Self {
        ProviderError(e.to_string())
    }
}
