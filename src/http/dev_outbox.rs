//! The development-only webhook sink, so password reset can be tried locally without a mail service.
//!
//! `scripts/run.sh` points `RESET_PASSWORD_WEBHOOK_URL` at the Worker's own `/__dev/outbox`: the reset
//! delivery then travels the real way (a signed `POST`, after the 201), and this sink checks its signature
//! as any receiver must, then keeps the last [`MAX_DELIVERIES`] deliveries in KV for
//! [`keys::DEV_OUTBOX_TTL_SECS`]. `GET /__dev/outbox` lists them, newest first, for the sign-in page's
//! DEV ONLY panel: `{"deliveries": [{"received_at": <ms>, "event", "delivery", "data": {…, "token"}}]}`.
//!
//! The routes exist only with `ENVIRONMENT=development` (the router answers its ordinary 404 otherwise):
//! they hand reset tokens to anyone who asks, which is the point on a developer's machine and nowhere
//! else. The list is rewritten whole on each delivery; two deliveries at the same instant may keep one.

use super::{App, HttpRequest, HttpResponse};
use crate::account::webhook::{DELIVERY_HEADER, SIGNATURE_HEADER, WebhookTarget};
use crate::store::keys;
use serde_json::{Value, json};
use subtle::ConstantTimeEq;

/// How many deliveries the outbox keeps.
pub const MAX_DELIVERIES: usize = 10;

/// A signature older (or newer) than this is refused, as receivers are told to do.
const MAX_SIGNATURE_AGE_SECS: u64 = 300;

pub async fn route(app: &App, req: &HttpRequest) -> HttpResponse {
    match req.method.as_str() {
        "GET" => list(app).await,
        "POST" => receive(app, req).await,
        _ => super::routes::method_not_allowed("GET, POST"),
    }
}

async fn stored(app: &App) -> Result<Vec<Value>, HttpResponse> {
    let text = app
        .store
        .get(keys::DEV_OUTBOX)
        .await
        .map_err(|e| super::rate_limit::unavailable(&e))?;
    // A record this code cannot read is dropped: it is a development convenience, never data.
    Ok(text
        .and_then(|t| serde_json::from_str::<Vec<Value>>(&t).ok())
        .unwrap_or_default())
}

async fn list(app: &App) -> HttpResponse {
    match stored(app).await {
        Ok(deliveries) => HttpResponse::json(200, &json!({ "deliveries": deliveries })),
        Err(refused) => refused,
    }
}

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

async fn receive(app: &App, req: &HttpRequest) -> HttpResponse {
    let Some(target) = &app.config.account.reset_webhook else {
        return HttpResponse::invalid_data(
            "RESET_PASSWORD_WEBHOOK_URL and RESET_PASSWORD_WEBHOOK_SECRET are not set: nothing can be delivered here",
        );
    };
    let signed = req
        .header(SIGNATURE_HEADER)
        .is_some_and(|h| signature_is_valid(target, h, &req.body, app.clock.now_secs()));
    if !signed {
        return HttpResponse::unauthorized(&format!(
            "Missing or invalid {SIGNATURE_HEADER} (signed with RESET_PASSWORD_WEBHOOK_SECRET)"
        ));
    }
    let Ok(Value::Object(event)) = serde_json::from_slice::<Value>(&req.body) else {
        return HttpResponse::invalid_data("A delivery is a JSON object");
    };
    let delivery = req.header(DELIVERY_HEADER).unwrap_or("").to_owned();
    let mut deliveries = match stored(app).await {
        Ok(d) => d,
        Err(refused) => return refused,
    };
    // A retried delivery (same id) is kept once.
    if delivery.is_empty()
        || !deliveries
            .iter()
            .any(|d| d["delivery"] == delivery.as_str())
    {
        deliveries.insert(
            0,
            json!({
                "received_at": app.clock.now_ms(),
                "event": event.get("event").cloned().unwrap_or(Value::Null),
                "delivery": delivery,
                "data": event.get("data").cloned().unwrap_or(Value::Null),
            }),
        );
        deliveries.truncate(MAX_DELIVERIES);
        let text = Value::Array(deliveries).to_string();
        if let Err(e) = app
            .store
            .put(keys::DEV_OUTBOX, &text, Some(keys::DEV_OUTBOX_TTL_SECS))
            .await
        {
            return super::rate_limit::unavailable(&e);
        }
    }
    HttpResponse::empty(204)
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
