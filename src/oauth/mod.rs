//! Third-party sign-in: Google, GitHub and any OpenID Connect provider, as configurations of one
//! OAuth 2.0 authorization-code flow with PKCE (S256), single-use server-side `state`, an OIDC `nonce`,
//! and id_tokens verified against the provider's JWKS (RS256, ES256).
//!
//! - [`spec`]: a provider as data; [`config`]: parsing the Worker variables into specs.
//! - [`provider`]: the flow ([`OAuthProvider`], an [`crate::provider::AuthProvider`]).
//! - [`flow`]: pure request building and response parsing; [`form`]: form and query encoding. The I/O
//!   trait is the crate's port [`crate::ports::http::HttpClient`].
//! - [`metadata`]: discovery and JWKS with a bounded cache; [`jwk`], [`id_token`]: verification;
//!   [`signature`]: the platform's signature verifier (WebCrypto in wasm, pure Rust natively).
//! - [`failure`]: why a step failed, as a value whose `Display` is the caller's message.
//! - [`state`]: the state record and its browser-binding cookie; [`redirect`]: the URL allow-list.

pub mod config;
pub mod failure;
pub(crate) mod flow;
pub mod form;
pub mod id_token;
pub mod jwk;
pub mod metadata;
pub(crate) mod pkce;
pub mod profile;
pub mod provider;
pub(crate) mod redirect;
pub mod signature;
pub(crate) mod spec;
pub mod state;

pub use config::OAuthConfig;
pub use failure::OAuthFailure;
pub use provider::OAuthProvider;
pub use redirect::UrlError;

/// The fixed test keys of `tests/`, shared with the in-file property tests.
#[cfg(all(test, not(target_arch = "wasm32")))]
#[path = "../../tests/kit/oauth_keys.rs"]
mod test_keys;
