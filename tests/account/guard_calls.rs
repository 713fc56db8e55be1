//! What each operation costs in guard calls (each one a Durable Object subrequest in the Worker) and in
//! Workers KV reads, counted over a fresh identity: the figures `docs/security.md` quotes.

use crate::*;
use edge_auth::guard::{
    Claim, CredentialChange, CredentialRecord, Decision, Guard, MemoryGuard, Rule,
};
use edge_auth::store::{KeyPage, KvStore, StoreError};
use std::cell::Cell;

/// Counts the calls that reach a guard and the reads that reach a store.
#[derive(Default)]
struct Meter {
    guard: Cell<u32>,
    kv_reads: Cell<u32>,
    /// Each `consume_once` call's key and time to live.
    consumed: std::cell::RefCell<Vec<(String, u64)>>,
}

struct CountingGuard(MemoryGuard, Rc<Meter>);

impl CountingGuard {
    fn tick(&self) {
        self.1.guard.set(self.1.guard.get() + 1);
    }
}

#[async_trait(?Send)]
impl Guard for CountingGuard {
    async fn claim(&self, key: &str, owner: &str) -> Result<Claim, StoreError> {
        self.tick();
        self.0.claim(key, owner).await
    }
    async fn transfer(&self, key: &str, from: &str, to: &str) -> Result<bool, StoreError> {
        self.tick();
        self.0.transfer(key, from, to).await
    }
    async fn release(&self, key: &str, owner: &str) -> Result<(), StoreError> {
        self.tick();
        self.0.release(key, owner).await
    }
    async fn consume_once(&self, key: &str, ttl_secs: u64) -> Result<bool, StoreError> {
        self.tick();
        self.1
            .consumed
            .borrow_mut()
            .push((key.to_owned(), ttl_secs));
        self.0.consume_once(key, ttl_secs).await
    }
    async fn unconsume(&self, key: &str) -> Result<(), StoreError> {
        self.tick();
        self.0.unconsume(key).await
    }
    async fn hit(&self, bucket: &str, rule: &Rule) -> Result<Decision, StoreError> {
        self.tick();
        self.0.hit(bucket, rule).await
    }
    async fn reset(&self, bucket: &str) -> Result<(), StoreError> {
        self.tick();
        self.0.reset(bucket).await
    }
    async fn credentials(&self, key: &str) -> Result<CredentialRecord, StoreError> {
        self.tick();
        self.0.credentials(key).await
    }
    async fn set_credentials(
        &self,
        key: &str,
        change: &CredentialChange,
    ) -> Result<Option<CredentialRecord>, StoreError> {
        self.tick();
        self.0.set_credentials(key, change).await
    }
    fn is_strict(&self) -> bool {
        true
    }
}

struct CountingKv(Rc<MemoryStore>, Rc<Meter>);

#[async_trait(?Send)]
impl KvStore for CountingKv {
    async fn get(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.1.kv_reads.set(self.1.kv_reads.get() + 1);
        self.0.get(key).await
    }
    async fn put(&self, key: &str, value: &str, ttl_secs: Option<u64>) -> Result<(), StoreError> {
        self.0.put(key, value, ttl_secs).await
    }
    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        self.0.delete(key).await
    }
    async fn list(
        &self,
        prefix: &str,
        cursor: Option<&str>,
        limit: u32,
    ) -> Result<KeyPage, StoreError> {
        self.0.list(prefix, cursor, limit).await
    }
}

fn metered() -> (TestApp, Rc<Meter>) {
    let meter = Rc::new(Meter::default());
    let app = TestApp::new(ORIGIN, NOW_MS, |store, clock| {
        let guard = Rc::new(CountingGuard(
            MemoryGuard::with_clock(clock.clone()),
            meter.clone(),
        ));
        let kv = Rc::new(CountingKv(store, meter.clone()));
        App::new(config(&ACCOUNT_VARS), kv, clock).with_guard(guard)
    });
    (app, meter)
}

const IP: (&str, &str) = ("cf-connecting-ip", "203.0.113.9");

/// A sign-in from a client IP, as the Worker sees every request.
fn login(a: &TestApp, email: &str, password: &str) -> HttpResponse {
    let body = json!({"email": email, "password": password});
    a.post("/auth/customer/emailpass", body, &[IP])
}

/// (guard calls, KV reads) of `op`.
fn cost(meter: &Meter, op: impl FnOnce() -> HttpResponse, expect: u16) -> (u32, u32) {
    let (g, r) = (meter.guard.get(), meter.kv_reads.get());
    let response = op();
    assert_eq!(response.status, expect, "{:?}", response.body_json());
    (meter.guard.get() - g, meter.kv_reads.get() - r)
}

#[test]
fn guard_calls_and_kv_reads_per_operation() {
    let (a, m) = metered();
    let register = cost(
        &m,
        || {
            let body = json!({"email": "a@b.co", "password": "correct horse"});
            a.post("/auth/customer/emailpass/register", body, &[IP])
        },
        200,
    );
    let token = a.token(&a.login("a@b.co", "correct horse"));
    let id = a.claims(&token).auth_identity_id;
    a.link_customer(&id, "cus_1");
    let sign_in = cost(&m, || login(&a, "a@b.co", "correct horse"), 200);
    let wrong = cost(&m, || login(&a, "a@b.co", "wrong horse"), 401);
    let unknown = cost(&m, || login(&a, "nobody@b.co", "correct horse"), 401);
    let customer = a.token(&a.login("a@b.co", "correct horse"));
    let refresh = cost(&m, || a.refresh(&customer), 200);
    let auth = format!("Bearer {customer}");
    let mut opened = None;
    let session_create = cost(
        &m,
        || {
            let r = a.send("POST", "/auth/session", &[("authorization", &auth)], b"");
            opened = r.header("set-cookie").map(str::to_owned);
            r
        },
        200,
    );
    let cookie = opened.unwrap().split(';').next().unwrap().to_owned();
    let session_read = cost(
        &m,
        || a.send("GET", "/auth/session", &[("cookie", &cookie)], b""),
        200,
    );
    a.clock.advance_secs(2);
    let change = cost(
        &m,
        || {
            let auth = format!("Bearer {customer}");
            a.post(
                "/auth/customer/emailpass/change-password",
                json!({"current_password": "correct horse", "password": "new horse battery"}),
                &[("authorization", &auth), IP],
            )
        },
        200,
    );
    let table = [
        ("register", register),
        ("sign-in", sign_in),
        ("sign-in, wrong password", wrong),
        ("sign-in, unknown email", unknown),
        ("refresh", refresh),
        ("session create", session_create),
        ("session read", session_read),
        ("change password", change),
    ];
    for (what, (guard, reads)) in table {
        println!("{what:<26} guard calls {guard}  KV reads {reads}");
    }
    // Before credential records (issue 12): 3, 3, 2, 2, 0, 0, 0, 3 guard calls. Each check of a
    // password or a token now reads the record once; a password set and a revocation write it once.
    let guard_calls: Vec<u32> = table.iter().map(|(_, (g, _))| *g).collect();
    assert_eq!(guard_calls, [4, 4, 3, 3, 1, 1, 1, 7]);
    // A wrong password and an unknown email cost the same.
    assert_eq!(wrong, unknown);
}

/// A spent reset jti is remembered by the guard for exactly the rest of its life: a location whose KV still
/// holds the record (deletes take up to a minute to reach every location) must find it spent until then.
#[test]
fn a_spent_reset_jti_stays_spent_in_the_guard_for_the_rest_of_its_life() {
    let (a, m) = metered();
    a.registered("a@b.co", "correct horse");
    let emailpass = edge_auth::scope::ProviderId::parse("emailpass").unwrap();
    let issued = block_on(a.app.account.create_reset_jti(&emailpass, "a@b.co", 900)).unwrap();
    a.clock.advance_secs(100);
    block_on(
        a.app
            .account
            .consume_reset_jti(&issued.jti, &emailpass, "a@b.co"),
    )
    .unwrap();
    let consumed = m.consumed.borrow();
    assert_eq!(consumed.len(), 1, "{consumed:?}");
    assert_eq!(consumed[0].1, 800);
}
