//! Racing requests, interleaved at every storage operation the way concurrent requests in one isolate
//! interleave at every KV call.

use crate::*;
use edge_auth::guard::KvGuard;
use edge_auth::store::{KeyPage, StoreError};
use futures::future::join_all;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// A future that is pending once, so every storage call lets the other requests run.
struct YieldOnce(bool);

impl Future for YieldOnce {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            Poll::Ready(())
        } else {
            self.0 = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
}

struct Interleaving(Rc<MemoryStore>);

#[async_trait(?Send)]
impl KvStore for Interleaving {
    async fn get(&self, key: &str) -> Result<Option<String>, StoreError> {
        YieldOnce(false).await;
        self.0.get(key).await
    }
    async fn put(&self, key: &str, value: &str, ttl: Option<u64>) -> Result<(), StoreError> {
        YieldOnce(false).await;
        self.0.put(key, value, ttl).await
    }
    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        YieldOnce(false).await;
        self.0.delete(key).await
    }
    async fn list(&self, p: &str, c: Option<&str>, l: u32) -> Result<KeyPage, StoreError> {
        YieldOnce(false).await;
        self.0.list(p, c, l).await
    }
}

/// Another app over `store`, sharing the harness's guard (as isolates share the Durable Object).
fn app_over(h: &Harness, store: Rc<dyn KvStore>) -> App {
    App::with_http_client(
        h.app.config.clone(),
        store,
        h.clock.clone(),
        h.hooks.clone(),
    )
    .with_guard(h.app.guard())
}

fn register_request(i: usize) -> HttpRequest {
    let body = json!({"email": "race@b.co", "password": format!("password number {i}")});
    request(
        "POST",
        &format!("{ORIGIN}/auth/customer/emailpass/register"),
        &[("content-type", "application/json")],
        body.to_string().as_bytes(),
    )
}

/// How many auth identities `memory` holds.
fn identities_in(memory: &MemoryStore) -> usize {
    memory
        .dump()
        .into_iter()
        .filter(|(k, _)| k.starts_with("ai:"))
        .count()
}

fn outcome(r: &HttpResponse) -> String {
    match r.status {
        200 => "200".into(),
        _ => format!("{} {}", r.status, r.body_json().unwrap()["message"]),
    }
}

#[test]
fn fifty_racing_registrations_of_one_email_create_exactly_one_identity() {
    let h = harness(&[("RATE_LIMITS", "off")]);
    let memory = Rc::new(MemoryStore::with_clock(h.clock.clone()));
    let app = app_over(&h, Rc::new(Interleaving(memory.clone())));
    let requests: Vec<HttpRequest> = (0..50).map(register_request).collect();
    let answers = block_on(join_all(requests.iter().map(|r| handle(&app, r))));
    let ok = answers.iter().filter(|r| r.status == 200).count();
    let exists = answers
        .iter()
        .filter(|r| outcome(r) == "401 \"Identity with email already exists\"")
        .count();
    assert_eq!((ok, exists), (1, 49));
    assert_eq!(identities_in(&memory), 1);
}

#[test]
fn without_a_shared_guard_racing_registrations_in_two_isolates_can_both_win() {
    // The Worker without its Durable Object: each isolate's guard only knows its own claims. This is the
    // documented trade-off of running on KV alone.
    let h = harness(&[("RATE_LIMITS", "off")]);
    let memory = Rc::new(MemoryStore::with_clock(h.clock.clone()));
    let kv: Rc<dyn KvStore> = Rc::new(Interleaving(memory.clone()));
    let isolate = |_| {
        let guard = KvGuard::new(kv.clone(), Rc::new(KvGuard::isolate_memory()));
        app_over(&h, kv.clone()).with_guard(Rc::new(guard))
    };
    let (a, b) = (isolate(0), isolate(1));
    let (r0, r1) = (register_request(0), register_request(1));
    let answers = block_on(join_all([handle(&a, &r0), handle(&b, &r1)]));
    let ok = answers.iter().filter(|r| r.status == 200).count();
    assert_eq!(ok, 2, "KV alone cannot serialise them");
    assert_eq!(identities_in(&memory), 2);
}

#[test]
fn two_racing_uses_of_one_reset_token_change_the_password_once() {
    let h = harness(&[]);
    h.register("a@b.co", "correct horse");
    h.request_reset("a@b.co");
    let reset = h.delivered_tokens().pop().unwrap();
    let app = app_over(&h, Rc::new(Interleaving(h.store.clone())));
    let auth = format!("Bearer {reset}");
    let update = |password: &str| {
        request(
            "POST",
            &format!("{ORIGIN}/auth/customer/emailpass/update"),
            &[
                ("content-type", "application/json"),
                ("authorization", &auth),
            ],
            json!({ "password": password }).to_string().as_bytes(),
        )
    };
    let (first, second) = (update("first new password"), update("second new password"));
    let answers = block_on(join_all([handle(&app, &first), handle(&app, &second)]));
    let mut outcomes: Vec<String> = answers.iter().map(outcome).collect();
    outcomes.sort();
    assert_eq!(outcomes, ["200", "401 \"Invalid token\""]);
    // Exactly one of the two passwords works.
    let works = ["first new password", "second new password"]
        .iter()
        .filter(|p| h.login("a@b.co", p).status == 200)
        .count();
    assert_eq!(works, 1);
}
