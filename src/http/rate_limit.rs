//! Rate limits of authenticate, register, reset-password and update: one counter per client IP
//! (`CF-Connecting-IP`, which Cloudflare sets and clients cannot) and one per identifier (the email, or a
//! reset token's entity), both counted in the guard. Over the limit: `429` with `Retry-After` and a
//! Medusa-style body `{"type":"not_allowed","message":"Too many requests; try again in N seconds"}`.
//!
//! A request without `CF-Connecting-IP` (only possible off Cloudflare, e.g. a service binding) has no IP
//! counter: counting every such request in one shared bucket would let one client lock out all.

use super::{App, HttpRequest, HttpResponse};
use crate::account::config::LimitedRoute;
use crate::contract;
use crate::guard::{Decision, join2};
use crate::store::{StoreError, keys};

const CLIENT_IP_HEADER: &str = "cf-connecting-ip";

/// A guard or store failure: the request cannot be checked, so it is refused (fail closed).
pub fn unavailable(e: &StoreError) -> HttpResponse {
    HttpResponse::error(503, "unexpected_state", &e.to_string())
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
                let bucket = keys::rate_bucket(route.name(), "ip", ip);
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

/// [`forget_identifier`] after the response (`waitUntil`), for a sign-in: its answer need not wait one
/// more guard round trip for a counter to be cleared. A reset landing a moment later changes nothing a
/// client can use: an attempt racing the sign-in could be cleared by the awaited reset just the same.
pub fn forget_identifier_after_response(
    app: &App,
    route: LimitedRoute,
    provider: &str,
    identifier: &str,
) {
    if app
        .config
        .account
        .rate_limits
        .route(route)
        .identifier
        .is_none()
    {
        return;
    }
    let guard = app.guard.clone();
    let bucket = identifier_bucket(route, provider, identifier);
    app.spawn(Box::pin(async move {
        let _ = guard.reset(&bucket).await;
    }));
}

/// The identifier a request body names (`email` for authenticate and register, `identifier` for
/// reset-password), normalised as the provider stores it, so `A@x.com` and `a@x.com` share a counter.
pub fn body_identifier(body: &crate::model::Metadata, field: &str) -> Option<String> {
    body.get(field)
        .and_then(serde_json::Value::as_str)
        .map(crate::providers::emailpass::normalize_email)
        .filter(|s| !s.is_empty())
}
