use crate::*;
use edge_auth::listing::{MAX_LIMIT, MAX_SCANNED};
use edge_auth::model::{CreateAuthIdentity, CreateProviderIdentity};
use edge_auth::store::{KeyPage, KvStore, StoreError, keys};
use std::cell::Cell;

const BEARER: &str = "Bearer admin-0123456789abcdef0123456789abcd";

fn admin(h: &TestApp, method: &str, path: &str, body: Option<Value>) -> HttpResponse {
    let mut headers = vec![("authorization", BEARER)];
    let bytes = match &body {
        Some(b) => {
            headers.push(("content-type", "application/json"));
            b.to_string().into_bytes()
        }
        None => Vec::new(),
    };
    h.send(method, path, &headers, &bytes)
}

/// Registers `email` and returns its auth identity id.
fn identity(h: &TestApp, email: &str) -> String {
    let token = h.registered(email, "correct horse");
    h.claims(&token).auth_identity_id
}

fn ids_of(r: &HttpResponse) -> Vec<String> {
    assert_eq!(r.status, 200, "{:?}", r.body_json());
    r.body_json().unwrap()["auth_identities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn without_admin_secret_the_api_does_not_exist() {
    let h = harness(&[("ADMIN_SECRET", "")]);
    let r = admin(&h, "GET", "/admin/auth-identities", None);
    assert_error(
        &r,
        404,
        "not_found",
        "The admin API is disabled: set the ADMIN_SECRET secret to enable it",
    );
}

#[test]
fn a_missing_or_wrong_secret_is_401() {
    let h = harness(&[]);
    let id = identity(&h, "a@b.co");
    for auth in [
        None,
        Some("Bearer wrong"),
        Some("Basic admin-0123456789abcdef0123456789abcd"),
        Some("Bearer admin-0123456789abcdef0123456789abc"),
        Some("Bearer admin-0123456789abcdef0123456789abcdX"),
    ] {
        let headers: Vec<(&str, &str)> = auth.iter().map(|a| ("authorization", *a)).collect();
        for (method, path) in [
            ("GET", "/admin/auth-identities".to_owned()),
            ("GET", format!("/admin/auth-identities/{id}")),
            ("PATCH", format!("/admin/auth-identities/{id}")),
            ("DELETE", format!("/admin/auth-identities/{id}")),
        ] {
            let r = h.send(method, &path, &headers, b"");
            assert_error(&r, 401, "unauthorized", "Unauthorized");
        }
    }
    // Nothing was deleted.
    assert_eq!(
        admin(&h, "GET", &format!("/admin/auth-identities/{id}"), None).status,
        200
    );
}

#[test]
fn identities_are_read_without_their_password_hashes() {
    let h = harness(&[]);
    let id = identity(&h, "a@b.co");
    let r = admin(&h, "GET", &format!("/admin/auth-identities/{id}"), None);
    let body = r.body_json().unwrap();
    assert_eq!(body["auth_identity"]["id"], id.as_str());
    let pi = &body["auth_identity"]["provider_identities"][0];
    assert_eq!(pi["entity_id"], "a@b.co");
    assert!(pi["provider_metadata"].get("password").is_none());
    assert!(!String::from_utf8_lossy(&r.body).contains("pbkdf2"));
    assert_error(
        &admin(&h, "GET", "/admin/auth-identities/authid_nope", None),
        404,
        "not_found",
        "AuthIdentity with id: authid_nope was not found",
    );
}

#[test]
fn linking_a_customer_shows_in_the_next_refresh() {
    let h = harness(&[]);
    let token = h.registered("a@b.co", "correct horse");
    let id = h.claims(&token).auth_identity_id;
    let r = admin(
        &h,
        "PATCH",
        &format!("/admin/auth-identities/{id}"),
        Some(json!({"app_metadata": {"customer_id": "cus_1", "tier": "gold"}})),
    );
    assert_eq!(r.status, 200);
    assert_eq!(
        r.body_json().unwrap()["auth_identity"]["app_metadata"],
        json!({"customer_id": "cus_1", "tier": "gold"})
    );
    let refreshed = h.token(&h.refresh(&token));
    let claims = h.claims(&refreshed);
    assert_eq!(claims.actor_id, "cus_1");
    // Medusa 2.21 puts the identity's whole app_metadata in the token.
    assert_eq!(
        claims.app_metadata,
        json!({"customer_id": "cus_1", "tier": "gold"})
    );

    // Keys not mentioned stay; null removes one.
    let r = admin(
        &h,
        "PATCH",
        &format!("/admin/auth-identities/{id}"),
        Some(json!({"app_metadata": {"tier": null}})),
    );
    assert_eq!(
        r.body_json().unwrap()["auth_identity"]["app_metadata"],
        json!({"customer_id": "cus_1"})
    );
}

#[test]
fn patch_needs_an_app_metadata_object_and_an_existing_identity() {
    let h = harness(&[]);
    let id = identity(&h, "a@b.co");
    let path = format!("/admin/auth-identities/{id}");
    for body in [json!({}), json!({"app_metadata": "x"})] {
        assert_eq!(admin(&h, "PATCH", &path, Some(body)).status, 400);
    }
    let r = admin(
        &h,
        "PATCH",
        "/admin/auth-identities/authid_nope",
        Some(json!({"app_metadata": {}})),
    );
    assert_eq!(r.status, 404);
}

#[test]
fn a_deleted_identity_is_gone_and_its_email_free_again() {
    let h = harness(&[]);
    let id = identity(&h, "a@b.co");
    let path = format!("/admin/auth-identities/{id}");
    let r = admin(&h, "DELETE", &path, None);
    assert_eq!(
        (r.status, r.body_json()),
        (
            200,
            Some(json!({"id": id, "object": "auth_identity", "deleted": true}))
        )
    );
    assert_eq!(admin(&h, "GET", &path, None).status, 404);
    assert_eq!(admin(&h, "DELETE", &path, None).status, 404);
    // The uniqueness claim went with it.
    let again = h.registered("a@b.co", "another horse");
    assert_ne!(h.claims(&again).auth_identity_id, id);
}

#[test]
fn deleting_an_identity_ends_its_sessions() {
    let h = harness(&[]);
    let token = h.customer_token();
    let id = h.claims(&token).auth_identity_id;
    let opened = h.open_session(&token);
    let cookie = opened
        .header("set-cookie")
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    assert_eq!(
        h.send("GET", "/auth/session", &[("cookie", &cookie)], b"")
            .status,
        200
    );
    assert_eq!(
        admin(&h, "DELETE", &format!("/admin/auth-identities/{id}"), None).status,
        200
    );
    assert_bare_unauthorized(&h.send("GET", "/auth/session", &[("cookie", &cookie)], b""));
}

#[test]
fn listing_filters_like_medusa() {
    let h = harness(&[]);
    let mut ids = Vec::new();
    for email in ["a@b.co", "b@b.co", "c@b.co"] {
        ids.push(identity(&h, email));
        // ULIDs order by time; distinct milliseconds keep the order certain.
        h.clock.advance_secs(1);
    }
    let [a, b, c] = [ids[0].as_str(), ids[1].as_str(), ids[2].as_str()];
    h.link_customer(b, "cus_b");
    let list = |query: &str| {
        ids_of(&admin(
            &h,
            "GET",
            &format!("/admin/auth-identities{query}"),
            None,
        ))
    };

    assert_eq!(list(""), [a, b, c]);
    assert_eq!(list("?provider=emailpass&entity_id=c%40b.co"), [c]);
    assert_eq!(list("?entity_id=a%40b.co"), [a]);
    assert_eq!(list(&format!("?id={a},{c}")), [a, c]);
    assert_eq!(list("?app_metadata%5Bcustomer_id%5D=cus_b"), [b]);
    let json = "%7B%22customer_id%22%3A%22cus_b%22%7D";
    assert_eq!(list(&format!("?app_metadata={json}")), [b]);
    assert!(list("?provider=google").is_empty());
    let r = admin(&h, "GET", "/admin/auth-identities?app_metadata=nope", None);
    assert_eq!(r.status, 400);
}

#[test]
fn listing_pages_with_a_cursor() {
    let h = harness(&[]);
    let mut all = Vec::new();
    for i in 0..5 {
        all.push(identity(&h, &format!("u{i}@b.co")));
        h.clock.advance_secs(1);
    }
    let mut seen = Vec::new();
    let mut query = "?limit=2".to_owned();
    let mut pages = 0;
    loop {
        let r = admin(&h, "GET", &format!("/admin/auth-identities{query}"), None);
        seen.extend(ids_of(&r));
        let body = r.body_json().unwrap();
        assert_eq!(body["limit"], 2);
        pages += 1;
        match body["next_cursor"].as_str() {
            Some(cursor) => query = format!("?limit=2&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(seen, all);
    assert_eq!(pages, 3);
    for bad in ["?limit=0", "?limit=101", "?limit=x", "?cursor=%25%25"] {
        let r = admin(&h, "GET", &format!("/admin/auth-identities{bad}"), None);
        assert_eq!(r.status, 400, "{bad}");
    }
}

/// The app's store, counting the reads a request makes (Workers allow 1,000 KV operations per
/// invocation), and able to lose a record right after it is read, as a concurrent DELETE would.
struct Watched {
    inner: Rc<MemoryStore>,
    gets: Cell<usize>,
    lists: Cell<usize>,
    /// The key to delete right after its next read.
    vanish_after_read: RefCell<Option<String>>,
}

impl Watched {
    /// `(gets, lists)` since the last call.
    fn take_reads(&self) -> (usize, usize) {
        (self.gets.take(), self.lists.take())
    }
}

#[async_trait(?Send)]
impl KvStore for Watched {
    async fn get(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.gets.set(self.gets.get() + 1);
        let value = self.inner.get(key).await?;
        if self.vanish_after_read.borrow().as_deref() == Some(key) {
            self.vanish_after_read.take();
            self.inner.delete(key).await?;
        }
        Ok(value)
    }

    async fn put(&self, key: &str, value: &str, ttl_secs: Option<u64>) -> Result<(), StoreError> {
        self.inner.put(key, value, ttl_secs).await
    }

    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        self.inner.delete(key).await
    }

    async fn list(
        &self,
        prefix: &str,
        cursor: Option<&str>,
        limit: u32,
    ) -> Result<KeyPage, StoreError> {
        self.lists.set(self.lists.get() + 1);
        self.inner.list(prefix, cursor, limit).await
    }
}

/// An app with the admin API over a [`Watched`] store.
fn watched() -> (TestApp, Rc<Watched>) {
    let config = config(&[("ADMIN_SECRET", ADMIN)]);
    let mut watched = None;
    let h = TestApp::new(ORIGIN, NOW_MS, |store, clock| {
        let w = Rc::new(Watched {
            inner: store,
            gets: Cell::new(0),
            lists: Cell::new(0),
            vanish_after_read: RefCell::new(None),
        });
        watched = Some(w.clone());
        App::new(config, w, clock)
    });
    (h, watched.unwrap())
}

/// `n` identities `authid_0000`, `authid_0001`, ... (in key order), each with one emailpass entity.
fn seed(h: &TestApp, n: usize) -> Vec<String> {
    let data = (0..n)
        .map(|i| CreateAuthIdentity {
            id: Some(format!("authid_{i:04}")),
            provider_identities: vec![CreateProviderIdentity {
                entity_id: format!("u{i}@b.co"),
                provider: "emailpass".into(),
                ..CreateProviderIdentity::default()
            }],
            ..CreateAuthIdentity::default()
        })
        .collect();
    block_on(h.app.service.create_auth_identities(data))
        .unwrap()
        .into_iter()
        .map(|i| i.id)
        .collect()
}

/// Follows `next_cursor` from `query` to the end; per page: the ids found and the store's (gets, lists).
fn every_page(h: &TestApp, kv: &Watched, query: &str) -> Vec<(Vec<String>, (usize, usize))> {
    let mut pages = Vec::new();
    let mut next = query.to_owned();
    loop {
        kv.take_reads();
        let r = admin(h, "GET", &format!("/admin/auth-identities{next}"), None);
        pages.push((ids_of(&r), kv.take_reads()));
        assert!(pages.len() <= 10, "the listing does not end");
        match r.body_json().unwrap()["next_cursor"].as_str() {
            Some(cursor) => next = format!("{query}&cursor={cursor}"),
            None => return pages,
        }
    }
}

#[test]
fn one_listing_request_reads_at_most_max_scanned_records() {
    let (h, kv) = watched();
    let all = seed(&h, MAX_SCANNED + 50);
    // A filter nothing matches makes the scan read every record: it must stop at the cap and hand out
    // a cursor, however few identities it found.
    let pages = every_page(&h, &kv, "?app_metadata%5Bcustomer_id%5D=nobody");
    let reads: Vec<(usize, usize)> = pages.iter().map(|(_, reads)| *reads).collect();
    // 250 keys in pages of 100: the first request lists three pages (the third to find key 201).
    assert_eq!(reads, [(MAX_SCANNED, 3), (50, 1)]);
    assert!(pages.iter().all(|(ids, _)| ids.is_empty()));

    // The last identity matches, and is found by the request that resumes after the cap.
    h.link_customer(all.last().unwrap(), "cus_last");
    let pages = every_page(&h, &kv, "?app_metadata%5Bcustomer_id%5D=cus_last");
    let ids: Vec<&Vec<String>> = pages.iter().map(|(ids, _)| ids).collect();
    assert_eq!(ids, [&vec![], &vec![all.last().unwrap().clone()]]);
}

#[test]
fn listings_by_id_or_entity_read_only_those_records() {
    let (h, kv) = watched();
    let all = seed(&h, 5);
    let list = |query: &str| {
        kv.take_reads();
        let ids = ids_of(&admin(
            &h,
            "GET",
            &format!("/admin/auth-identities{query}"),
            None,
        ));
        (ids, kv.take_reads())
    };
    assert_eq!(
        list(&format!("?id={},{}", all[3], all[1])),
        (vec![all[3].clone(), all[1].clone()], (2, 0))
    );
    // The entity index, then the record.
    assert_eq!(
        list("?provider=emailpass&entity_id=u2%40b.co"),
        (vec![all[2].clone()], (2, 0))
    );
    // Up to MAX_LIMIT ids are looked up one by one; unknown ones cost a read and find nothing.
    let mut ids: Vec<String> = (0..MAX_LIMIT - 2).map(|i| format!("authid_x{i}")).collect();
    ids.extend([all[4].clone(), all[0].clone()]);
    assert_eq!(
        list(&format!("?id={}", ids.join(","))),
        (vec![all[4].clone(), all[0].clone()], (MAX_LIMIT, 0))
    );
    // More ids than that would be more reads than a scan: the listing scans instead (in key order).
    ids.push("authid_y".into());
    assert_eq!(
        list(&format!("?id={}", ids.join(","))),
        (vec![all[0].clone(), all[4].clone()], (5, 1))
    );
}

#[test]
fn an_identity_deleted_between_read_and_update_is_404_and_stays_deleted() {
    let (h, kv) = watched();
    let id = identity(&h, "a@b.co");
    let path = format!("/admin/auth-identities/{id}");
    // The PATCH reads the identity, then a concurrent DELETE removes it before the update reads it again.
    kv.vanish_after_read.replace(Some(keys::auth_identity(&id)));
    let r = admin(
        &h,
        "PATCH",
        &path,
        Some(json!({"app_metadata": {"customer_id": "cus_1"}})),
    );
    assert!(
        kv.vanish_after_read.borrow().is_none(),
        "the record was read"
    );
    assert_error(
        &r,
        404,
        "not_found",
        &edge_auth::contract::auth_identity_update_not_found(&id),
    );
    assert_eq!(admin(&h, "GET", &path, None).status, 404);
}
