//! What handlers read from a request, parsed once: the bearer token, the client's address, the route's
//! actor type and provider (checked against `AUTH_METHODS_PER_ACTOR`), Medusa's `AuthenticationInput` and
//! the known-device cookie.

use super::body::{self, parse_query};
use super::{App, HttpRequest, HttpResponse};
use crate::account::{known_device, session};
use crate::contract::{self, ErrorType};
use crate::model::AuthenticationInput;
use crate::scope::{ActorType, ProviderId};

/// Set by Cloudflare on every request; clients cannot forge it.
const CLIENT_IP_HEADER: &str = "cf-connecting-ip";

/// The bearer token of the `Authorization` header (scheme case-insensitive), if any.
pub fn bearer(req: &HttpRequest) -> Option<&str> {
    let mut parts = req.header("authorization")?.split_whitespace();
    let (scheme, token) = (parts.next()?, parts.next()?);
    scheme.eq_ignore_ascii_case("bearer").then_some(token)
}

/// The client's IP (`CF-Connecting-IP`). Absent off Cloudflare (e.g. a service binding): such requests
/// have no per-client counter, since one shared bucket would let one client lock out all.
pub fn client_ip(req: &HttpRequest) -> Option<&str> {
    req.header(CLIENT_IP_HEADER)
        .map(str::trim)
        .filter(|ip| !ip.is_empty())
}

/// A route's actor type and provider: valid, and the actor type may use the provider.
#[derive(Debug, Clone)]
pub struct Scope {
    pub actor: ActorType,
    pub provider: ProviderId,
}

/// A route's actor type, checked for form only (not whether `AUTH_METHODS_PER_ACTOR` lists it).
pub fn actor_type(actor: &str) -> Result<ActorType, HttpResponse> {
    ActorType::parse(actor).ok_or_else(|| {
        HttpResponse::invalid_data(&format!(
            "Invalid actor type: use lower-case letters, digits or '_' (e.g. customer), got {actor:?}"
        ))
    })
}

/// Medusa's `validateScopeProviderAssociation`, with the actor types fixed by `AUTH_METHODS_PER_ACTOR`.
pub fn scope(app: &App, actor: &str, provider: &str) -> Result<Scope, HttpResponse> {
    let actor_type = actor_type(actor)?;
    let Some(methods) = app.config.auth_methods_per_actor.get(actor) else {
        return Err(HttpResponse::invalid_data(&format!(
            "Unknown actor type: {actor}"
        )));
    };
    match ProviderId::parse(provider) {
        Some(provider) if methods.iter().any(|m| m == provider.as_str()) => Ok(Scope {
            actor: actor_type,
            provider,
        }),
        _ => Err(HttpResponse::error(
            400,
            ErrorType::NotAllowed,
            &contract::actor_not_allowed(actor, provider),
        )),
    }
}

/// Medusa's `AuthenticationInput`: the URL, headers, query, JSON body and protocol of the request.
pub fn authentication_input(req: &HttpRequest) -> Result<AuthenticationInput, HttpResponse> {
    let (scheme, _, query) = req.url_parts();
    Ok(AuthenticationInput {
        url: Some(req.url.clone()),
        headers: crate::maps::btree(req.headers.iter().cloned()),
        query: parse_query(query),
        body: body::json_object(req)?,
        protocol: Some(scheme.to_owned()).filter(|s| !s.is_empty()),
    })
}

/// The known-device cookie's value, if the browser sent one (what it is worth, the domain decides).
pub fn known_device(req: &HttpRequest) -> Option<&str> {
    session::cookie_value(req.header("cookie"), known_device::COOKIE_NAME)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input_of(url: &str) -> AuthenticationInput {
        let req = HttpRequest {
            method: "POST".into(),
            url: url.into(),
            ..HttpRequest::default()
        };
        authentication_input(&req).unwrap()
    }

    #[test]
    fn the_input_names_the_protocol_of_a_url_that_has_one() {
        let input = input_of("https://auth.example/auth/customer/google/callback?code=c");
        assert_eq!(input.protocol.as_deref(), Some("https"));
        assert_eq!(input.query.get("code").map(String::as_str), Some("c"));
        assert_eq!(input_of("/auth/customer/google/callback").protocol, None);
    }
}
