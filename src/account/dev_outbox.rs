//! The development-only webhook sink, so password reset can be tried locally without a mail service: it
//! checks a delivery's signature as any receiver must, then keeps the last [`MAX_DELIVERIES`] in the
//! store for [`keys::DEV_OUTBOX_TTL_SECS`]. Served only with `ENVIRONMENT=development`
//! (`docs/http-api.md#development-outbox`): it hands reset tokens to anyone who asks.

use super::AccountError;
use super::service::AccountService;
use super::webhook::{SIGNATURE_HEADER, WebhookTarget};
use crate::store::keys;
use serde_json::{Value, json};
use subtle::ConstantTimeEq;

/// How many deliveries the outbox keeps.
pub const MAX_DELIVERIES: usize = 10;

/// A signature older (or newer) than this is refused, as receivers are told to do.
const MAX_SIGNATURE_AGE_SECS: u64 = 300;

/// Whether `header` (`t=<secs>,v1=<hex>`) signs `body` under `target`'s secret, recently.
pub fn signature_is_valid(
    target: &WebhookTarget,
    header: &str,
    body: &[u8],
    now_secs: u64,
) -> bool {
    let header = header.trim();
    let Some(t) = header
        .split(',')
        .find_map(|part| part.trim().strip_prefix("t="))
        .and_then(|t| t.parse::<u64>().ok())
    else {
        return false;
    };
    if now_secs.abs_diff(t) > MAX_SIGNATURE_AGE_SECS {
        return false;
    }
    let expected = target.signature(t, body);
    expected.as_bytes().ct_eq(header.as_bytes()).into()
}

impl AccountService {
    /// The deliveries kept, newest first: `[{received_at, event, delivery, data}]`.
    pub async fn dev_outbox(&self) -> Result<Vec<Value>, AccountError> {
        let text = self.store().get(keys::DEV_OUTBOX).await?;
        // A record this code cannot read is dropped: it is a development convenience, never data.
        Ok(text
            .and_then(|t| match crate::json_fields::parse(&t) {
                // Read as a `Value`: a typed `Vec` would bring serde's type-error messages (and float
                // formatting) into the module for this alone (docs/performance.md#bundle-size).
                Ok(Value::Array(deliveries)) => Some(deliveries),
                _ => None,
            })
            .unwrap_or_default())
    }

    /// Keeps one signed delivery (a retry, same `delivery` id, is kept once). The list is rewritten whole,
    /// so two deliveries at the same instant may keep one.
    pub async fn receive_dev_delivery(
        &self,
        signature: Option<&str>,
        delivery: &str,
        body: &[u8],
    ) -> Result<(), AccountError> {
        let Some(target) = &self.config.reset_webhook else {
            return Err(AccountError::InvalidData(
                "RESET_PASSWORD_WEBHOOK_URL and RESET_PASSWORD_WEBHOOK_SECRET are not set: nothing can be delivered here".into(),
            ));
        };
        let signed =
            signature.is_some_and(|h| signature_is_valid(target, h, body, self.now_secs()));
        if !signed {
            return Err(AccountError::Refused(format!(
                "Missing or invalid {SIGNATURE_HEADER} (signed with RESET_PASSWORD_WEBHOOK_SECRET)"
            )));
        }
        let Ok(Value::Object(event)) = crate::json_fields::parse(body) else {
            return Err(AccountError::InvalidData(
                "A delivery is a JSON object".into(),
            ));
        };
        let mut deliveries = self.dev_outbox().await?;
        if !delivery.is_empty() && deliveries.iter().any(|d| d["delivery"] == delivery) {
            return Ok(());
        }
        deliveries.insert(
            0,
            json!({
                "received_at": self.now_ms(),
                "event": event.get("event").cloned().unwrap_or(Value::Null),
                "delivery": delivery,
                "data": event.get("data").cloned().unwrap_or(Value::Null),
            }),
        );
        deliveries.truncate(MAX_DELIVERIES);
        let text = Value::Array(deliveries).to_string();
        self.store()
            .put(keys::DEV_OUTBOX, &text, Some(keys::DEV_OUTBOX_TTL_SECS))
            .await?;
        Ok(())
    }
}

/// The signature header check never panics, accepts what [`WebhookTarget::signature`] writes within
/// [`MAX_SIGNATURE_AGE_SECS`], and refuses it once changed or stale.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod proptests {
    use super::*;
    use crate::proptest_config::with_cases;
    use proptest::prelude::*;

    fn target() -> WebhookTarget {
        WebhookTarget::new(
            "https://hooks.example/reset",
            b"whsec-0123456789abcdef0123456789ab",
        )
    }

    proptest! {
        #![proptest_config(with_cases(512))]

        #[test]
        fn any_header_is_checked_without_panicking(
            header in any::<String>(),
            body in proptest::collection::vec(any::<u8>(), 0..64),
            now in any::<u64>(),
        ) {
            let _ = signature_is_valid(&target(), &header, &body, now);
        }

        #[test]
        fn t_and_v1_like_headers_are_checked_without_panicking(
            header in "(t=[0-9]{0,22}|v1=[0-9a-f]{0,64}|[a-z0-9=]{0,8})(,(t=[0-9]{0,22}|v1=[0-9a-f]{0,64}| ?)){0,3}",
            now in any::<u64>(),
        ) {
            let valid = signature_is_valid(&target(), &header, b"{}", now);
            prop_assert!(!valid);
        }

        #[test]
        fn a_signature_verifies_while_fresh_and_only_unchanged(
            body in proptest::collection::vec(any::<u8>(), 0..256),
            t in 0u64..4_000_000_000,
            age in 0u64..=2 * MAX_SIGNATURE_AGE_SECS,
            flip in any::<proptest::sample::Index>(),
        ) {
            let header = target().signature(t, &body);
            let fresh = age <= MAX_SIGNATURE_AGE_SECS;
            prop_assert_eq!(signature_is_valid(&target(), &header, &body, t + age), fresh);
            // One byte of the header changed (staying ASCII) is refused.
            let mut changed = header.clone().into_bytes();
            let i = flip.index(changed.len());
            changed[i] = if changed[i] == b'0' { b'1' } else { b'0' };
            let changed = String::from_utf8(changed).unwrap();
            prop_assert!(!signature_is_valid(&target(), &changed, &body, t));
        }
    }
}
