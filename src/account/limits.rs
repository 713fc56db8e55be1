//! Rate limits of sign-in, register, reset-password, update and OAuth callbacks: one counter per client
//! (its IP as the caller gives it; IPv6 per network prefix) and one per identifier (the email, or a reset token's entity), both counted in the
//! guard, so concurrent requests are counted exactly. Contract: `docs/http-api.md#rate-limits`.

use super::AccountError;
use super::config::LimitedRoute;
use super::service::AccountService;
use crate::guard::{Decision, client_ip};
use crate::model::Metadata;
use crate::ports::runtime::join2;
use crate::providers::emailpass::normalize_email;
use crate::store::keys;

/// One attempt to count: at `route` of `provider`, from `client` (none: not counted per client), about
/// `identifier` (none: not counted per identifier).
#[derive(Debug, Clone, Copy)]
pub struct Attempt<'a> {
    /// The route being counted.
    pub route: LimitedRoute,
    /// The provider of the route.
    pub provider: &'a str,
    /// The client's IP.
    pub client: Option<&'a str>,
    /// What the request is about: the email, or a reset token's entity.
    pub identifier: Option<&'a str>,
}

fn identifier_bucket(route: LimitedRoute, provider: &str, identifier: &str) -> String {
    keys::rate_bucket(route.name(), "id", &format!("{provider}:{identifier}"))
}

/// The identifier a request body names (`email` for authenticate and register, `identifier` for
/// reset-password), normalised as the provider stores it, so `A@x.com` and `a@x.com` share a counter.
pub fn body_identifier(body: &Metadata, field: &str) -> Option<String> {
    body.get(field)
        .and_then(serde_json::Value::as_str)
        .map(normalize_email)
        .filter(|s| !s.is_empty())
}

impl AccountService {
    /// Counts `attempt` against its client and identifier counters. A guard failure refuses it (fail
    /// closed): the attempt cannot be counted.
    pub async fn count_attempt(&self, attempt: Attempt<'_>) -> Result<(), AccountError> {
        let limits = self.config.rate_limits.route(attempt.route);
        let guard = self.ports.guard.as_ref();
        let by_client = async {
            match (limits.ip, attempt.client.map(str::trim)) {
                (Some(rule), Some(client)) if !client.is_empty() => {
                    // IPv6 per network prefix, so one /64 is one client.
                    let network = client_ip::bucket(client, self.config.rate_limits.ipv6_prefix);
                    let bucket = keys::rate_bucket(attempt.route.name(), "ip", &network);
                    guard.hit(&bucket, &rule).await.map(Some)
                }
                _ => Ok(None),
            }
        };
        let by_identifier = async {
            match (limits.identifier, attempt.identifier) {
                (Some(rule), Some(id)) => {
                    let bucket = identifier_bucket(attempt.route, attempt.provider, id);
                    guard.hit(&bucket, &rule).await.map(Some)
                }
                _ => Ok(None),
            }
        };
        let (client, identifier) = join2(by_client, by_identifier).await;
        let retry_after = [client?, identifier?]
            .into_iter()
            .flatten()
            .filter_map(|d| match d {
                Decision::Limited { retry_after_secs } => Some(retry_after_secs),
                Decision::Allowed { .. } => None,
            })
            .max();
        match retry_after {
            Some(retry_after_secs) => Err(AccountError::TooManyRequests { retry_after_secs }),
            None => Ok(()),
        }
    }

    /// A successful sign-in clears its identifier's counter (and backoff); failing to is harmless.
    pub async fn forget_failures(&self, route: LimitedRoute, provider: &str, identifier: &str) {
        if self.config.rate_limits.route(route).identifier.is_some() {
            let bucket = identifier_bucket(route, provider, identifier);
            let _ = self.ports.guard.reset(&bucket).await;
        }
    }
}
