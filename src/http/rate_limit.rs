//! Rate limits of authenticate, register, reset-password, update and OAuth callbacks: one counter per
//! client IP (`CF-Connecting-IP`, which Cloudflare sets and clients cannot; IPv6 per network prefix, see
//! [`client_ip`]) and one per identifier (the email, or a reset token's entity), both counted in the guard. Over the limit: `429` with `Retry-After` and a
//! Medusa-style body `{"type":"not_allowed","message":"Too many requests; try again in N seconds"}`.
//!
//! A request without `CF-Connecting-IP` (only possible off Cloudflare, e.g. a service binding) has no IP
//! counter: counting every such request in one shared bucket would let one client lock out all.

use super::{App, HttpRequest, HttpResponse};
use crate::account::config::LimitedRoute;
use crate::contract;
use crate::guard::{Decision, client_ip, join2};
use crate::store::keys;

const CLIENT_IP_HEADER: &str = "cf-connecting-ip";

/// What a client is told when storage fails: nothing about the storage itself.
pub const UNAVAILABLE: &str = "The service is temporarily unavailable; try again shortly";

/// A guard or store failure: the request cannot be checked, so it is refused (fail closed). The answer is
/// a fixed message; the failure itself goes to the operator's log ([`HttpResponse::with_log`]), since its
/// text names internals (KV operations, Durable Object errors, record ids).
pub fn unavailable(e: &dyn std::fmt::Display) -> HttpResponse {
    HttpResponse::error(503, "unexpected_state", UNAVAILABLE)
        .with_log(format!("edge-auth: answered 503: {e}"))
}

pub fn too_many(retry_after_secs: u64) -> HttpResponse {
    HttpResponse::error(
        429,
        contract::TYPE_NOT_ALLOWED,
        &format!("Too many requests; try again in {retry_after_secs} seconds"),
    )
    .with_header("retry-after", &retry_after_secs.to_string())
}

fn identifier_bucket(route: LimitedRoute, provider: &str, identifier: &str) -> String {
    keys::rate_bucket(route.name(), "id", &format!("{provider}:{identifier}"))
}

/// Counts one request of `route` against the client's IP (when `req` is given) and `identifier` (when
/// given). `Err` is the answer to send instead of handling the request.
pub async fn check(
    app: &App,
    req: Option<&HttpRequest>,
    route: LimitedRoute,
    provider: &str,
    identifier: Option<&str>,
) -> Result<(), HttpResponse> {
    let limits = app.config.account.rate_limits.route(route);
    let guard = app.guard.as_ref();
    let by_ip = async {
        let ip = req.and_then(|r| r.header(CLIENT_IP_HEADER)).map(str::trim);
        match (limits.ip, ip) {
            (Some(rule), Some(ip)) if !ip.is_empty() => {
                let network = client_ip::bucket(ip, app.config.account.rate_limits.ipv6_prefix);
                let bucket = keys::rate_bucket(route.name(), "ip", &network);
                guard.hit(&bucket, &rule).await.map(Some)
            }
            _ => Ok(None),
        }
    };
    let by_identifier = async {
        match (limits.identifier, identifier) {
            (Some(rule), Some(id)) => {
                let bucket = identifier_bucket(route, provider, id);
                guard.hit(&bucket, &rule).await.map(Some)
            }
            _ => Ok(None),
        }
    };
    let (ip, id) = join2(by_ip, by_identifier).await;
    let retry_after = [ip, id]
        .into_iter()
        .map(|r| r.map_err(|e| unavailable(&e)))
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        .flatten()
        .filter_map(|d| match d {
            Decision::Limited { retry_after_secs } => Some(retry_after_secs),
            Decision::Allowed { .. } => None,
        })
        .max();
    match retry_after {
        Some(secs) => Err(too_many(secs)),
        None => Ok(()),
    }
}

/// A successful login clears its identifier's counter (and backoff); failure to do so is harmless.
pub async fn forget_identifier(app: &App, route: LimitedRoute, provider: &str, identifier: &str) {
    if app
        .config
        .account
        .rate_limits
        .route(route)
        .identifier
        .is_some()
    {
        let _ = app
            .guard
            .reset(&identifier_bucket(route, provider, identifier))
            .await;
    }
}

/// The identifier a request body names (`email` for authenticate and register, `identifier` for
/// reset-password), normalised as the provider stores it, so `A@x.com` and `a@x.com` share a counter.
pub fn body_identifier(body: &crate::model::Metadata, field: &str) -> Option<String> {
    body.get(field)
        .and_then(serde_json::Value::as_str)
        .map(crate::providers::emailpass::normalize_email)
        .filter(|s| !s.is_empty())
}
