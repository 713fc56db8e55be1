//! The authorization-code flow's messages, as pure functions: the authorization URL, the token
//! request, and the reading of the token response (RFC 6749 §4.1, RFC 7636, OIDC Core §3.1.2).

use crate::b64::STANDARD as B64;
use crate::contract;
use crate::oauth::failure::OAuthFailure;
use crate::oauth::form::{append_query, form_encode_component, post_form};
use crate::oauth::pkce::{self, PkceVerifier};
use crate::oauth::spec::{ClientAuth, ProviderSpec};
use crate::ports::http::{IncomingResponse, OutgoingRequest};
use crate::ports::secret::Secret;
use serde_json::Value;
use std::collections::BTreeMap;

/// What the authorization URL carries besides the client's fixed parameters.
pub struct AuthorizationParams<'a> {
    pub redirect_uri: &'a str,
    pub state: &'a str,
    pub code_challenge: &'a str,
    pub nonce: Option<&'a str>,
}

/// Medusa's parameters in Medusa's order (`redirect_uri`, `client_id`, `response_type`, `scope`,
/// `state`), then PKCE and the nonce.
pub fn authorization_url(
    spec: &ProviderSpec,
    endpoint: &str,
    p: &AuthorizationParams<'_>,
) -> String {
    let scope = spec.scope();
    let mut fields: Vec<(&str, &str)> = vec![
        ("redirect_uri", p.redirect_uri),
        ("client_id", &spec.client_id),
        ("response_type", "code"),
    ];
    if !scope.is_empty() {
        fields.push(("scope", &scope));
    }
    fields.push(("state", p.state));
    fields.push(("code_challenge", p.code_challenge));
    fields.push(("code_challenge_method", pkce::METHOD));
    if let Some(nonce) = p.nonce {
        fields.push(("nonce", nonce));
    }
    append_query(endpoint, &fields)
}

/// The code-for-tokens request: a form POST (not Medusa's query string, which puts the secret in
/// server logs), the client authenticated as configured, the PKCE verifier consumed.
pub fn token_request(
    spec: &ProviderSpec,
    endpoint: &str,
    code: &str,
    redirect_uri: &str,
    verifier: PkceVerifier,
) -> OutgoingRequest {
    let verifier = verifier.into_secret();
    let mut fields = vec![
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", redirect_uri),
        ("code_verifier", verifier.as_str()),
    ];
    match spec.client_auth {
        ClientAuth::Post => {
            fields.push(("client_id", &spec.client_id));
            fields.push(("client_secret", spec.client_secret.expose()));
            post_form(endpoint, &fields)
        }
        ClientAuth::Basic => {
            // RFC 6749 §2.3.1: each part form-encoded before base64.
            let credentials = format!(
                "{}:{}",
                form_encode_component(&spec.client_id),
                form_encode_component(spec.client_secret.expose())
            );
            post_form(endpoint, &fields).with_header(
                "authorization",
                &format!("Basic {}", B64.encode(credentials)),
            )
        }
    }
}

/// The parts of a token response the flows use. Tokens are [`Secret`]s.
#[derive(Debug, Default)]
pub struct TokenResponse {
    pub access_token: Option<Secret>,
    pub refresh_token: Option<Secret>,
    pub id_token: Option<String>,
    pub expires_in: Option<u64>,
    pub refresh_token_expires_in: Option<u64>,
}

/// Medusa's message for a provider's `error`: `<error_description>, read more at: <error_uri>`, with
/// the `error` code standing in for a missing description.
pub fn provider_error_message(fields: &BTreeMap<String, String>) -> Option<String> {
    let error = fields.get("error")?;
    let description = fields
        .get("error_description")
        .filter(|d| !d.is_empty())
        .unwrap_or(error);
    Some(contract::provider_error(
        description,
        fields.get("error_uri").map(String::as_str),
    ))
}

fn string_fields(object: &serde_json::Map<String, Value>) -> BTreeMap<String, String> {
    crate::maps::btree(
        object
            .iter()
            .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_owned()))),
    )
}

/// Reads a token response: a non-2xx is Medusa's `Could not exchange token, <status>, <statusText>`;
/// a 2xx carrying `error` (GitHub answers failures that way) is the provider's message.
pub fn parse_token_response(response: &IncomingResponse) -> Result<TokenResponse, OAuthFailure> {
    if !response.is_success() {
        return Err(OAuthFailure::TokenExchange {
            status: response.status,
            reason: response.reason().to_owned(),
        });
    }
    let Some(Value::Object(body)) = response.json() else {
        return Err(OAuthFailure::TokenNotJson);
    };
    if let Some(message) = provider_error_message(&string_fields(&body)) {
        return Err(OAuthFailure::ProviderSaid(message));
    }
    let text = |k: &str| {
        body.get(k)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
    };
    let number = |k: &str| {
        body.get(k).and_then(|v| {
            v.as_u64()
                .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
        })
    };
    Ok(TokenResponse {
        access_token: text("access_token").map(Secret::new),
        refresh_token: text("refresh_token").map(Secret::new),
        id_token: text("id_token").map(str::to_owned),
        expires_in: number("expires_in"),
        refresh_token_expires_in: number("refresh_token_expires_in"),
    })
}
