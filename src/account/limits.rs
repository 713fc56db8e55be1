//! Rate limits of sign-in, register, reset-password, update and OAuth callbacks: one counter per client
//! (its IP as the caller gives it; IPv6 per network prefix) and one per identifier (the email, or a reset token's entity), both counted in the
//! guard, so concurrent requests are counted exactly; the identifier's only for requests the client's
//! allowed. Contract: `docs/http-api.md#rate-limits`.

use super::AccountError;
use super::config::LimitedRoute;
use super::service::AccountService;
use crate::guard::{Decision, Rule, client_ip};
use crate::model::Metadata;
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

pub(super) fn identifier_bucket(route: LimitedRoute, provider: &str, identifier: &str) -> String {
    keys::rate_bucket(route.name(), "id", &format!("{provider}:{identifier}"))
}

/// An identifier as it is counted: normalised as the provider stores it, so `A@x.com` and `a@x.com`
/// share a counter; `None` when nothing is left.
pub fn identifier(raw: &str) -> Option<String> {
    Some(normalize_email(raw)).filter(|s| !s.is_empty())
}

/// The identifier a request body names (`email` for authenticate and register, `identifier` for
/// reset-password), as [`identifier`] counts it.
pub fn body_identifier(body: &Metadata, field: &str) -> Option<String> {
    body.get(field)
        .and_then(serde_json::Value::as_str)
        .and_then(identifier)
}

/// Refuses the request if `decision` does.
fn allowed(decision: Decision) -> Result<(), AccountError> {
    match decision {
        Decision::Allowed { .. } => Ok(()),
        Decision::Limited { retry_after_secs } => {
            Err(AccountError::TooManyRequests { retry_after_secs })
        }
    }
}

/// A second counter of a request: its bucket and rule.
pub(super) struct Counter {
    pub bucket: String,
    pub rule: Rule,
}

impl AccountService {
    /// Counts `attempt` against its client and identifier counters. A guard failure refuses it (fail
    /// closed): the attempt cannot be counted.
    pub async fn count_attempt(&self, attempt: Attempt<'_>) -> Result<(), AccountError> {
        let limits = self.config.rate_limits.route(attempt.route);
        let by_identifier = match (limits.identifier, attempt.identifier) {
            (Some(rule), Some(id)) => Some(Counter {
                bucket: identifier_bucket(attempt.route, attempt.provider, id),
                rule,
            }),
            _ => None,
        };
        self.count(attempt.route, attempt.client, by_identifier)
            .await
    }

    /// Counts a request of `route` from `client`, then in `second` (the identifier's or the device's
    /// counter) **only if the client's counter allowed it**: a request refused per IP costs the identifier
    /// nothing, so one address cannot keep someone else's email blocked by knocking on its own closed
    /// door. The price is one guard round trip after the other instead of both at once; a request refused
    /// by `second` has been counted per IP (the client did make it).
    pub(super) async fn count(
        &self,
        route: LimitedRoute,
        client: Option<&str>,
        second: Option<Counter>,
    ) -> Result<(), AccountError> {
        let guard = self.ports.guard.as_ref();
        let client = client.map(str::trim).filter(|c| !c.is_empty());
        if let (Some(rule), Some(client)) = (self.config.rate_limits.route(route).ip, client) {
            // IPv6 per network prefix, so one /64 is one client.
            let network = client_ip::bucket(client, self.config.rate_limits.ipv6_prefix);
            let bucket = keys::rate_bucket(route.name(), "ip", &network);
            allowed(guard.hit(&bucket, &rule).await?)?;
        }
        if let Some(counter) = second {
            allowed(guard.hit(&counter.bucket, &counter.rule).await?)?;
        }
        Ok(())
    }

    /// A successful sign-in clears its identifier's counter (and backoff); failing to is harmless.
    pub async fn forget_failures(&self, route: LimitedRoute, provider: &str, identifier: &str) {
        if self.config.rate_limits.route(route).identifier.is_some() {
            let bucket = identifier_bucket(route, provider, identifier);
            let _ = self.ports.guard.reset(&bucket).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn identifiers_are_counted_as_the_provider_stores_them() {
        assert_eq!(
            identifier(" Ada@Example.COM "),
            Some("ada@example.com".into())
        );
        assert_eq!(identifier("   "), None);
        let body = json!({"email": "Ada@Example.com", "n": 1});
        let body = body.as_object().unwrap();
        assert_eq!(
            body_identifier(body, "email"),
            identifier("ada@example.com")
        );
        assert_eq!(body_identifier(body, "n"), None);
        assert_eq!(body_identifier(body, "identifier"), None);
    }
}
