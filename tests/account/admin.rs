use crate::*;

const BEARER: &str = "Bearer admin-0123456789abcdef0123456789abcd";

fn admin(h: &Harness, method: &str, path: &str, body: Option<Value>) -> HttpResponse {
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
fn identity(h: &Harness, email: &str) -> String {
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
    assert_eq!(claims.app_metadata, json!({"customer_id": "cus_1"}));

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
