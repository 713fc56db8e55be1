//! Delivery of reset tokens and verification codes: a signed `POST` to `RESET_PASSWORD_WEBHOOK_URL`,
//! retried a few times.
//!
//! The body is Medusa's event with the provider added:
//! `{"event":"auth.password_reset","data":{"entity_id","actor_type","provider","token"}}`, or
//! `{"event":"auth.verification_requested","data":{"auth_identity_id","entity_id","entity_type",
//! "code_provider","code","expires_at","metadata"}}`.
//!
//! The signature header (Stripe's scheme) is `x-edge-auth-signature: t=<unix seconds>,v1=<hex>`, where
//! `<hex>` is `HMAC-SHA256(RESET_PASSWORD_WEBHOOK_SECRET, "<t>.<raw body>")`. A receiver recomputes it
//! over the raw body bytes, compares in constant time, and refuses a `t` more than a few minutes old
//! (replays). `x-edge-auth-delivery` is the same for every attempt of one delivery, for deduplication.

use crate::model::Metadata;
use crate::ports::clock::Clock;
use crate::ports::http::{HttpClient, Method, OutgoingRequest, USER_AGENT};
use crate::ports::runtime::Runtime;
use hmac::{Hmac, KeyInit, Mac};
use serde_json::json;
use sha2::Sha256;
use std::fmt;

/// The event name of a reset-token delivery.
pub const PASSWORD_RESET_EVENT: &str = "auth.password_reset";
/// The event name of a verification-code delivery.
pub const VERIFICATION_REQUESTED_EVENT: &str = "auth.verification_requested";
/// Header carrying `t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">`.
pub const SIGNATURE_HEADER: &str = "x-edge-auth-signature";
/// Header carrying the event name.
pub const EVENT_HEADER: &str = "x-edge-auth-event";
/// Header carrying the delivery's id, the same across retries.
pub const DELIVERY_HEADER: &str = "x-edge-auth-delivery";

/// Attempts per delivery, and the pauses between them. With the HTTP client's 10 s timeout the worst
/// case stays close to the 30 s a Worker may keep working after its response.
pub const ATTEMPTS: usize = 3;
const PAUSES_MS: [u32; ATTEMPTS - 1] = [500, 1500];

/// Where deliveries go, and the key that signs them.
pub struct WebhookTarget {
    /// Where deliveries are posted.
    pub url: String,
    key: Hmac<Sha256>,
}

impl fmt::Debug for WebhookTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookTarget")
            .field("url", &self.url)
            .field("key", &"<redacted>")
            .finish()
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl WebhookTarget {
    /// A target at `url` whose deliveries are signed with `secret`.
    pub fn new(url: &str, secret: &[u8]) -> Self {
        Self {
            url: url.to_owned(),
            key: <Hmac<Sha256> as KeyInit>::new_from_slice(secret)
                .expect("HMAC takes any key length"),
        }
    }

    /// The signature header's value for `body` sent at `t` (unix seconds).
    pub fn signature(&self, t: u64, body: &[u8]) -> String {
        let mut mac = self.key.clone();
        mac.update(t.to_string().as_bytes());
        mac.update(b".");
        mac.update(body);
        format!("t={t},v1={}", hex(&mac.finalize().into_bytes()))
    }

    /// The signed `POST` of the `event` `body` at `t` (unix seconds).
    pub fn request(&self, event: &str, body: &[u8], t: u64, delivery_id: &str) -> OutgoingRequest {
        OutgoingRequest {
            method: Method::Post,
            url: self.url.clone(),
            headers: vec![
                ("content-type".into(), "application/json".into()),
                ("user-agent".into(), USER_AGENT.into()),
                (EVENT_HEADER.into(), event.into()),
                (DELIVERY_HEADER.into(), delivery_id.into()),
                (SIGNATURE_HEADER.into(), self.signature(t, body)),
            ],
            body: body.to_vec(),
        }
    }
}

/// What a password-reset event says: Medusa's `auth.password_reset` data plus the provider.
#[derive(Debug, Clone, Copy)]
pub struct PasswordResetEvent<'a> {
    /// Whose password: the provider's name for the user (an email).
    pub entity_id: &'a str,
    /// The actor type of the route that asked.
    pub actor_type: &'a str,
    /// The provider of the identity.
    pub provider: &'a str,
    /// The reset token itself.
    pub token: &'a str,
    /// The reset request's `metadata` (Medusa 2.16+), `{}` when it had none: e.g. which storefront
    /// asked, so the mail can link back to it.
    pub metadata: &'a Metadata,
}

/// The event body. The token is in it: this body goes to the webhook and nowhere else.
pub fn password_reset_body(event: PasswordResetEvent<'_>) -> Vec<u8> {
    json!({
        "event": PASSWORD_RESET_EVENT,
        "data": {
            "entity_id": event.entity_id,
            "actor_type": event.actor_type,
            "provider": event.provider,
            "token": event.token,
            "metadata": event.metadata,
        }
    })
    .to_string()
    .into_bytes()
}

/// Posts `body` until the receiver answers 2xx, a permanent refusal (any other 3xx/4xx except 408 and
/// 429), or [`ATTEMPTS`] run out. Failures are warned about, without the body.
pub async fn deliver(
    target: &WebhookTarget,
    event: &str,
    body: &[u8],
    delivery_id: &str,
    http: &dyn HttpClient,
    runtime: &dyn Runtime,
    clock: &dyn Clock,
) -> bool {
    let mut last_failure = String::new();
    for attempt in 0..ATTEMPTS {
        if attempt > 0 {
            runtime.sleep(PAUSES_MS[attempt - 1]).await;
        }
        let request = target.request(event, body, clock.now_secs(), delivery_id);
        match http.send(request).await {
            Ok(r) if r.is_success() => return true,
            Ok(r) => {
                last_failure = format!("HTTP {}", r.status);
                let retryable = r.status == 408 || r.status == 429 || r.status >= 500;
                if !retryable {
                    break;
                }
            }
            Err(e) => last_failure = e.to_string(),
        }
    }
    runtime.warn(&format!(
        "edge-auth: {event} delivery {delivery_id} to {} failed: {last_failure}",
        crate::ports::http::host_of(&target.url)
    ));
    false
}

/// What a verification-code event says.
#[derive(Debug, Clone, Copy)]
pub struct VerificationEvent<'a> {
    /// The verification, as Medusa shows it (its id, identity, entity and metadata).
    pub verification: &'a crate::account::Verification,
    /// The actor type of the token that asked.
    pub actor_type: &'a str,
    /// The code itself.
    pub code: &'a str,
    /// When the code expires, ISO 8601.
    pub expires_at: &'a str,
}

/// The event body. The code is in it: this body goes to the webhook and nowhere else.
pub fn verification_body(event: VerificationEvent<'_>) -> Vec<u8> {
    let v = event.verification;
    json!({
        "event": VERIFICATION_REQUESTED_EVENT,
        "data": {
            "id": v.id,
            "auth_identity_id": v.auth_identity_id,
            "entity_id": v.entity_id,
            "entity_type": v.entity_type,
            "code_provider": v.code_provider,
            "actor_type": event.actor_type,
            "code": event.code,
            "expires_at": event.expires_at,
            "metadata": v.metadata,
        }
    })
    .to_string()
    .into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ports::clock::ManualClock;
    use crate::ports::http::{HttpError, IncomingResponse};
    use crate::ports::runtime::Recorder;
    use futures::executor::block_on;
    use std::cell::RefCell;

    const SECRET: &[u8] = b"whsec-test-0123456789abcdef012345";

    /// Answers with `statuses` in order (an error for 0) and records every request.
    struct Canned {
        statuses: RefCell<Vec<u16>>,
        seen: RefCell<Vec<OutgoingRequest>>,
    }

    impl Canned {
        fn new(statuses: &[u16]) -> Self {
            Self {
                statuses: RefCell::new(statuses.iter().rev().copied().collect()),
                seen: RefCell::new(Vec::new()),
            }
        }
    }

    #[async_trait::async_trait(?Send)]
    impl HttpClient for Canned {
        async fn send(&self, request: OutgoingRequest) -> Result<IncomingResponse, HttpError> {
            self.seen.borrow_mut().push(request);
            match self.statuses.borrow_mut().pop().unwrap_or(200) {
                0 => Err(HttpError::Failed {
                    host: "hooks.example".into(),
                    reason: "connection refused".into(),
                }),
                status => Ok(IncomingResponse::new(status, "")),
            }
        }
    }

    fn run(statuses: &[u16]) -> (bool, Canned, Recorder) {
        let target = WebhookTarget::new("https://hooks.example/reset", SECRET);
        let http = Canned::new(statuses);
        let runtime = Recorder::default();
        let clock = ManualClock::new(1_800_000_000_000);
        let metadata = Metadata::new();
        let body = password_reset_body(PasswordResetEvent {
            entity_id: "a@b.co",
            actor_type: "customer",
            provider: "emailpass",
            token: "TOKEN",
            metadata: &metadata,
        });
        let ok = block_on(deliver(
            &target,
            PASSWORD_RESET_EVENT,
            &body,
            "d1",
            &http,
            &runtime,
            &clock,
        ));
        (ok, http, runtime)
    }

    #[test]
    fn the_signature_is_an_hmac_of_timestamp_dot_body() {
        let target = WebhookTarget::new("https://hooks.example/reset", b"key");
        // printf '1700000000.{}' | openssl dgst -sha256 -hmac key
        assert_eq!(
            target.signature(1_700_000_000, b"{}"),
            "t=1700000000,v1=9d713ed406bb7076d4123f0dc2c39d2df5c654ed4b0cd56b52c8b4c940bd63ae"
        );
        assert!(format!("{target:?}").contains("<redacted>"));
    }

    #[test]
    fn a_delivery_is_signed_json_with_medusas_event() {
        let (ok, http, runtime) = run(&[204]);
        assert!(ok);
        let seen = http.seen.borrow();
        assert_eq!(seen.len(), 1);
        let r = &seen[0];
        assert_eq!(r.method, Method::Post);
        assert_eq!(r.header("content-type"), Some("application/json"));
        assert_eq!(r.header(EVENT_HEADER), Some("auth.password_reset"));
        let target = WebhookTarget::new("https://hooks.example/reset", SECRET);
        assert_eq!(
            r.header(SIGNATURE_HEADER),
            Some(target.signature(1_800_000_000, &r.body).as_str())
        );
        let body: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
        assert_eq!(
            body,
            json!({"event": "auth.password_reset", "data": {"entity_id": "a@b.co",
                "actor_type": "customer", "provider": "emailpass", "token": "TOKEN", "metadata": {}}})
        );
        assert!(runtime.warnings.borrow().is_empty());
    }

    #[test]
    fn server_errors_and_network_failures_are_retried_with_the_same_delivery_id() {
        let (ok, http, runtime) = run(&[503, 0, 200]);
        assert!(ok);
        let ids: Vec<_> = http
            .seen
            .borrow()
            .iter()
            .map(|r| r.header(DELIVERY_HEADER).unwrap().to_owned())
            .collect();
        assert_eq!(ids, ["d1", "d1", "d1"]);
        assert_eq!(*runtime.slept_ms.borrow(), [500, 1500]);
    }

    #[test]
    fn a_permanent_refusal_is_not_retried_and_is_warned_about_without_the_token() {
        let (ok, http, runtime) = run(&[400]);
        assert!(!ok);
        assert_eq!(http.seen.borrow().len(), 1);
        let warnings = runtime.warnings.borrow();
        assert_eq!(warnings.len(), 1);
        assert!(warnings[0].contains("HTTP 400"), "{}", warnings[0]);
        assert!(!warnings[0].contains("TOKEN"));
    }

    #[test]
    fn a_timeout_or_rate_limit_answer_is_retried() {
        // 408 and 429 are the two 4xx that mean "later", not "never": a receiver that rate-limits must
        // still get the token.
        for status in [408, 429] {
            let (ok, http, runtime) = run(&[status, status, 204]);
            assert!(ok, "{status}");
            assert_eq!(http.seen.borrow().len(), 3, "{status}");
            assert_eq!(*runtime.slept_ms.borrow(), [500, 1500], "{status}");
            assert!(runtime.warnings.borrow().is_empty(), "{status}");
        }
    }

    #[test]
    fn the_4xx_next_to_the_retried_ones_are_permanent() {
        for status in [407, 409, 428, 430, 499] {
            let (ok, http, _) = run(&[status, 204]);
            assert!(!ok, "{status}");
            assert_eq!(http.seen.borrow().len(), 1, "{status} is not retried");
        }
    }

    #[test]
    fn attempts_are_bounded() {
        let (ok, http, runtime) = run(&[500, 500, 500, 500]);
        assert!(!ok);
        assert_eq!(http.seen.borrow().len(), ATTEMPTS);
        assert_eq!(runtime.warnings.borrow().len(), 1);
    }
}
