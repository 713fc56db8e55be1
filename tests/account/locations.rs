//! Two locations over one guard, one of them reading a Workers KV cache that predates a change made at
//! the other (KV takes up to ~60 s to carry a write elsewhere). After a password change, a reset or an
//! admin delete completes, the stale location must not accept the old password, a token or session
//! issued before, nor mint a token that outlives the change (issue 12, finding 1).

use crate::*;
use edge_auth::guard::Guard;
use edge_auth::store::{KeyPage, KvStore, StoreError};

/// One location's view of Workers KV, frozen when it was made: reads come from a copy of the shared store
/// taken then, plus this location's own writes (KV shows a write at once where it was made); writes
/// also reach the shared store, as KV propagates them.
struct StaleKv {
    seen: Rc<MemoryStore>,
    shared: Rc<MemoryStore>,
}

#[async_trait(?Send)]
impl KvStore for StaleKv {
    async fn get(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.seen.get(key).await
    }

    async fn put(&self, key: &str, value: &str, ttl_secs: Option<u64>) -> Result<(), StoreError> {
        self.seen.put(key, value, ttl_secs).await?;
        self.shared.put(key, value, ttl_secs).await
    }

    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        self.seen.delete(key).await?;
        self.shared.delete(key).await
    }

    async fn list(
        &self,
        prefix: &str,
        cursor: Option<&str>,
        limit: u32,
    ) -> Result<KeyPage, StoreError> {
        self.seen.list(prefix, cursor, limit).await
    }
}

/// Location `here` sees every write at once; [`Locations::stale_view`] makes another location over the
/// same guard and clock whose KV stays as it is at that moment.
struct Locations {
    here: TestApp,
    guard: Rc<dyn Guard>,
    hooks: Rc<Hooks>,
}

impl Locations {
    fn new() -> Self {
        let hooks = Rc::new(Hooks {
            status: RefCell::new(200),
            ..Hooks::default()
        });
        let here = TestApp::new(ORIGIN, NOW_MS, |store, clock| {
            App::with_http_client(config(&ACCOUNT_VARS), store, clock, hooks.clone())
        });
        Self {
            guard: here.app.guard(),
            here,
            hooks,
        }
    }

    /// Another location whose KV keeps showing what the shared store holds now. It hashes passwords
    /// with more PBKDF2 iterations, so it would re-hash (and write back) any password it accepts.
    fn stale_view(&self) -> TestApp {
        let clock = self.here.clock.clone();
        let seen = Rc::new(MemoryStore::with_clock(clock.clone()));
        for (key, value) in self.here.store.dump() {
            block_on(seen.put(&key, &value, None)).unwrap();
        }
        let kv = Rc::new(StaleKv {
            seen: seen.clone(),
            shared: self.here.store.clone(),
        });
        let config = config(&[&ACCOUNT_VARS[..], &[("PBKDF2_ITERATIONS", "2000")]].concat());
        let app = App::with_http_client(config, kv, clock.clone(), self.hooks.clone())
            .with_guard(self.guard.clone());
        TestApp::with_app(ORIGIN, app, clock, seen)
    }

    /// Registers `a@b.co` with an actor; its token.
    fn customer(&self) -> String {
        let registered = self.here.registered("a@b.co", "correct horse");
        let id = self.here.claims(&registered).auth_identity_id;
        self.here.link_customer(&id, "cus_1");
        self.here.token(&self.here.refresh(&registered))
    }

    /// The last reset token delivered.
    fn reset_token(&self, at: &TestApp) -> String {
        at.post(
            "/auth/customer/emailpass/reset-password",
            json!({ "identifier": "a@b.co" }),
            &[],
        );
        let seen = self.hooks.seen.borrow();
        let body: Value = serde_json::from_slice(&seen.last().unwrap().body).unwrap();
        body["data"]["token"].as_str().unwrap().to_owned()
    }
}

fn change_password(at: &TestApp, token: &str, current: &str, new: &str) -> HttpResponse {
    at.post_as(
        "/auth/customer/emailpass/change-password",
        json!({ "current_password": current, "password": new }),
        token,
    )
}

/// The `name=value` pair a Set-Cookie header sets.
fn session_cookie(opened: &HttpResponse) -> String {
    assert_eq!(opened.status, 200, "{:?}", opened.body_json());
    let set = opened.header("set-cookie").expect("a Set-Cookie header");
    set.split(';').next().unwrap().to_owned()
}

fn open_session(at: &TestApp, token: &str) -> HttpResponse {
    let auth = format!("Bearer {token}");
    at.send("POST", "/auth/session", &[("authorization", &auth)], b"")
}

fn read_session(at: &TestApp, cookie: &str) -> HttpResponse {
    at.send("GET", "/auth/session", &[("cookie", cookie)], b"")
}

fn assert_wrong_password(response: &HttpResponse) {
    assert_error(response, 401, "unauthorized", "Invalid email or password");
}

#[test]
fn after_a_password_change_a_stale_location_refuses_old_tokens_sessions_and_the_old_password() {
    let l = Locations::new();
    let old_token = l.customer();
    let old_session = session_cookie(&open_session(&l.here, &old_token));
    let there = l.stale_view();
    l.here.clock.advance_secs(5);
    let changed = change_password(&l.here, &old_token, "correct horse", "new horse battery");
    let new_token = l.here.token(&changed);

    // The stale location's KV still holds the old hash and no revocation; the guard decides.
    assert_bare_unauthorized(&there.refresh(&old_token));
    assert_bare_unauthorized(&read_session(&there, &old_session));
    assert_bare_unauthorized(&open_session(&there, &old_token));
    assert_wrong_password(&there.login("a@b.co", "correct horse"));
    assert_bare_unauthorized(&change_password(
        &there,
        &old_token,
        "correct horse",
        "takeover horse",
    ));

    // What was issued after the change works at both locations.
    let minted_there = there.token(&there.refresh(&new_token));
    assert_eq!(l.here.refresh(&minted_there).status, 200);
    assert_eq!(open_session(&there, &new_token).status, 200);
    l.here
        .assert_password_changed("a@b.co", "correct horse", "new horse battery");
}

#[test]
fn a_stale_location_never_writes_the_old_password_back() {
    let l = Locations::new();
    let old_token = l.customer();
    let there = l.stale_view();
    l.here.clock.advance_secs(5);
    change_password(&l.here, &old_token, "correct horse", "new horse battery");
    let shared_before = l.here.store.dump();
    let seen_before = there.store.dump();

    // There, the old hash verifies and would be re-hashed (more iterations): refused, nothing written.
    let refused = there.login("a@b.co", "correct horse");
    assert_eq!(
        l.here.store.dump(),
        shared_before,
        "the shared store changed"
    );
    assert_eq!(there.store.dump(), seen_before);
    assert_wrong_password(&refused);
    l.here
        .assert_password_changed("a@b.co", "correct horse", "new horse battery");
}

#[test]
fn after_a_reset_a_stale_location_refuses_the_old_password_and_earlier_reset_tokens() {
    let l = Locations::new();
    let old_token = l.customer();
    let earlier_reset = l.reset_token(&l.here);
    let reset = l.reset_token(&l.here);
    let there = l.stale_view();
    l.here.clock.advance_secs(5);
    let done = l.here.post_as(
        "/auth/customer/emailpass/update",
        json!({ "password": "new horse battery" }),
        &reset,
    );
    assert_eq!(done.status, 200, "{:?}", done.body_json());

    assert_wrong_password(&there.login("a@b.co", "correct horse"));
    assert_bare_unauthorized(&there.refresh(&old_token));
    let replay = there.post_as(
        "/auth/customer/emailpass/update",
        json!({ "password": "attacker horse" }),
        &earlier_reset,
    );
    assert_error(&replay, 401, "unauthorized", "Invalid token");
    l.here
        .assert_password_changed("a@b.co", "correct horse", "new horse battery");
}

#[test]
fn after_an_admin_delete_a_stale_location_refuses_the_identity() {
    let l = Locations::new();
    let old_token = l.customer();
    let old_session = session_cookie(&open_session(&l.here, &old_token));
    let id = l.here.claims(&old_token).auth_identity_id;
    let there = l.stale_view();
    l.here.clock.advance_secs(5);
    let deleted = l.here.send(
        "DELETE",
        &format!("/admin/auth-identities/{id}"),
        &[("authorization", &format!("Bearer {ADMIN}"))],
        b"",
    );
    assert_eq!(deleted.status, 200, "{:?}", deleted.body_json());

    // There, KV still holds the identity, its hash and its index.
    assert_wrong_password(&there.login("a@b.co", "correct horse"));
    assert_bare_unauthorized(&there.refresh(&old_token));
    assert_bare_unauthorized(&read_session(&there, &old_session));
    assert_bare_unauthorized(&open_session(&there, &old_token));
}

#[test]
fn a_token_for_a_password_checked_before_a_change_does_not_outlive_it() {
    // A sign-in there verifies the old password, a change here completes, then the sign-in's token is
    // made there: it is dated from the record its check read, so the change voids it everywhere.
    let l = Locations::new();
    let old_token = l.customer();
    let there = l.stale_view();
    let mut body = edge_auth::model::Metadata::new();
    body.insert("email".into(), json!("a@b.co"));
    body.insert("password".into(), json!("correct horse"));
    let input = edge_auth::model::AuthenticationInput {
        body,
        ..Default::default()
    };
    let checked = block_on(there.app.service.authenticate_verified("emailpass", &input));
    assert!(checked.response.success);
    l.here.clock.advance_secs(5);
    change_password(&l.here, &old_token, "correct horse", "new horse battery");

    let identity = checked.response.auth_identity.unwrap();
    let customer = edge_auth::scope::ActorType::parse("customer").unwrap();
    let late = block_on(there.app.account.issue_token_verified(
        &identity,
        &customer,
        &edge_auth::account::SignIn::default(),
        checked.verified.as_ref(),
    ))
    .unwrap();
    assert_bare_unauthorized(&there.refresh(&late));
    assert_bare_unauthorized(&l.here.refresh(&late));
    // Here, where KV already shows the change, no such token is made at all.
    let here_checked = checked.verified.as_ref();
    let refused = block_on(l.here.app.account.issue_token_verified(
        &identity,
        &customer,
        &edge_auth::account::SignIn::default(),
        here_checked,
    ));
    assert_eq!(refused, Err(edge_auth::account::AccountError::Unauthorized));
}

#[test]
fn a_stale_record_naming_an_email_now_anothers_cannot_change_that_identitys_password() {
    let l = Locations::new();
    let token = l.customer();
    let a_id = l.here.claims(&token).auth_identity_id;
    let before_the_move = l.stale_view();
    // Here, the identity's email moves to z@b.co, and someone else registers a@b.co.
    let module = crate::kit::service_over(
        l.here.store.clone(),
        l.here.clock.clone(),
        crate::kit::hasher(1_000, None),
    )
    .with_guard(l.guard.clone());
    let pi = block_on(module.retrieve_auth_identity(&a_id))
        .unwrap()
        .provider_identities[0]
        .id
        .clone();
    block_on(
        module.update_provider_identities(vec![edge_auth::model::UpdateProviderIdentity {
            id: pi,
            entity_id: Some("z@b.co".into()),
            ..Default::default()
        }]),
    )
    .unwrap();
    l.here.registered("a@b.co", "another horse");
    // There, only the identity's own record is still the old one (KV caches each key on its own): it
    // names a@b.co, whose owner is now the other identity.
    for (key, value) in l.here.store.dump() {
        if key != edge_auth::store::keys::auth_identity(&a_id) {
            block_on(before_the_move.store.put(&key, &value, None)).unwrap();
        }
    }
    // The other identity's password is no current password of this one: refused, and not changed.
    let r = change_password(
        &before_the_move,
        &token,
        "another horse",
        "new horse battery",
    );
    assert_eq!(r.status, 401, "{:?}", r.body_json());
    assert_eq!(l.here.login("a@b.co", "another horse").status, 200);
    assert_eq!(l.here.login("a@b.co", "new horse battery").status, 401);
}
