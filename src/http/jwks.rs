//! `GET /.well-known/jwks.json`: the public keys our tokens verify with in the asymmetric modes
//! (`JWT_ALGORITHM` ES256 or EdDSA): the current key first, then the retired ones of
//! `JWT_PREVIOUS_PUBLIC_KEYS`, each `{kty, crv, x, (y,) kid, alg, use: "sig"}`. In HS256 mode there is no
//! public key (the secret is shared): 404.

use super::{App, HttpResponse};
use crate::contract::ErrorType;

/// How long clients may cache the key set. Short, because a rotation is only seen once caches expire:
/// keep a retired key listed at least this long plus the tokens' lifetime (docs/http-api.md#json-web-key-set).
pub const CACHE_CONTROL: &str = "public, max-age=300";

/// The answer in HS256 mode.
pub const NO_KEY_SET: &str = "No JSON Web Key Set: tokens are signed with HS256 (JWT_ALGORITHM), whose key is a shared secret; set JWT_ALGORITHM to ES256 or EdDSA to publish public keys";

pub async fn key_set(app: &App) -> HttpResponse {
    match app.account.key_set().await {
        Ok(Some(set)) => HttpResponse::json(200, &set).with_header("cache-control", CACHE_CONTROL),
        Ok(None) => HttpResponse::error(404, ErrorType::NotFound, NO_KEY_SET),
        Err(e) => e.into(),
    }
}
