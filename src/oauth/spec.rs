//! Providers are data: Google, GitHub and every OpenID Connect provider are one [`ProviderSpec`]
//! each, run by the one authorization-code flow in [`crate::oauth::provider`]. A spec is parsed
//! configuration and nothing else; what is learnt at run time is cached by the provider.

use crate::ports::secret::Secret;

pub const GOOGLE: &str = "google";
pub const GITHUB: &str = "github";
/// The `identifier` every `OIDC_PROVIDERS` instance shares (its route id is its own).
pub const OIDC: &str = "oidc";

pub const GOOGLE_AUTHORIZATION_URL: &str = "https://accounts.google.com/o/oauth2/v2/auth";
pub const GOOGLE_TOKEN_URL: &str = "https://oauth2.googleapis.com/token";
pub const GOOGLE_JWKS_URL: &str = "https://www.googleapis.com/oauth2/v3/certs";
/// Google signs id_tokens with either spelling of its issuer.
pub const GOOGLE_ISSUERS: [&str; 2] = ["https://accounts.google.com", "accounts.google.com"];
/// Medusa's scope string, in Medusa's order.
pub const GOOGLE_SCOPES: [&str; 3] = ["email", "profile", "openid"];

pub const GITHUB_AUTHORIZATION_URL: &str = "https://github.com/login/oauth/authorize";
pub const GITHUB_TOKEN_URL: &str = "https://github.com/login/oauth/access_token";
pub const GITHUB_API_URL: &str = "https://api.github.com";
/// `/user/emails` (the verified primary address) needs `user:email`; `/user` needs nothing more.
pub const GITHUB_SCOPES: [&str; 1] = ["user:email"];

pub const OIDC_DEFAULT_SCOPES: [&str; 3] = ["openid", "email", "profile"];

/// How the profile is read and mapped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProviderKind {
    /// id_token claims; `email_verified` required (Medusa's rule); identity created on first login.
    Google,
    /// `/user` and `/user/emails` with the access token; identity updated on every login.
    GitHub { api_url: String },
    /// id_token claims; `email_verified` required when an `email` claim is present.
    Oidc,
}

/// How the client authenticates at the token endpoint (RFC 6749 §2.3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientAuth {
    /// `Authorization: Basic` (the OIDC default).
    Basic,
    /// `client_id` and `client_secret` in the form body.
    Post,
}

/// Endpoints known from configuration; whatever is `None` comes from discovery.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EndpointOverrides {
    pub authorization: Option<String>,
    pub token: Option<String>,
    pub jwks: Option<String>,
}

#[derive(Debug)]
pub struct ProviderSpec {
    /// The id in routes and provider identities (`google`, `github`, or an OIDC entry's `id`).
    pub id: String,
    /// Used in Medusa's messages: `Google`, `Github`, or the OIDC id.
    pub display_name: String,
    pub kind: ProviderKind,
    pub client_id: String,
    pub client_secret: Secret,
    /// Medusa's `callbackUrl`: where the provider sends the browser in JSON mode.
    pub callback_url: String,
    pub scopes: Vec<String>,
    pub client_auth: ClientAuth,
    /// Exact `iss` values accepted in id_tokens (and, for discovery, the issuer to discover).
    pub issuers: Vec<String>,
    /// Audiences an id_token may list besides the client id (`allowedAudiences`); none by default.
    pub trusted_audiences: Vec<String>,
    pub endpoints: EndpointOverrides,
    /// `<issuer>/.well-known/openid-configuration`, when some endpoint must be discovered.
    pub discovery_url: Option<String>,
}

impl ProviderSpec {
    /// Whether the flow is OpenID Connect (id_token, nonce) rather than plain OAuth 2.0.
    pub fn is_openid(&self) -> bool {
        !matches!(self.kind, ProviderKind::GitHub { .. })
    }

    pub fn scope(&self) -> String {
        self.scopes.join(" ")
    }
}
