//! CORS for `/auth/*` from an exact allow-list of origins (`AUTH_CORS`; none by default), allowing the
//! request headers of `AUTH_CORS_ALLOW_HEADERS` ([`crate::config::cors`]).

use super::HttpResponse;
use crate::config::Config;

const ALLOW_METHODS: &str = "GET, POST, DELETE, OPTIONS";
/// How long browsers may cache a preflight answer.
const MAX_AGE_SECS: &str = "600";

fn allowed<'a>(config: &Config, origin: Option<&'a str>) -> Option<&'a str> {
    origin.filter(|o| config.is_cors_origin_allowed(o))
}

/// The answer to an `OPTIONS` preflight: permissions only for an allowed origin.
pub fn preflight(config: &Config, origin: Option<&str>) -> HttpResponse {
    let mut response = HttpResponse::empty(204);
    if allowed(config, origin).is_some() {
        response.set_header("access-control-allow-methods", ALLOW_METHODS);
        response.set_header("access-control-allow-headers", &config.cors_allow_headers);
        response.set_header("access-control-max-age", MAX_AGE_SECS);
    }
    decorate(config, origin, &mut response);
    response
}

/// Adds the CORS headers an allowed origin needs to read `response`.
pub fn decorate(config: &Config, origin: Option<&str>, response: &mut HttpResponse) {
    // The answer depends on Origin whatever it is: caches must key on it.
    response.set_header("vary", "Origin");
    if let Some(origin) = allowed(config, origin) {
        response.set_header("access-control-allow-origin", origin);
        response.set_header("access-control-allow-credentials", "true");
    }
}
