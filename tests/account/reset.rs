use crate::*;
use edge_auth::account::{reset_token, webhook};

/// The answer to a reset token that is spent, expired, forged or for another route.
fn assert_invalid_token(response: &HttpResponse) {
    assert_error(response, 401, "unauthorized", "Invalid token");
}

/// Requests a reset for `email` and returns the token the webhook received.
fn reset_token_for(h: &Harness, email: &str) -> String {
    let before = h.delivered_tokens().len();
    let r = h.request_reset(email);
    assert_eq!((r.status, r.body.len()), (201, 0));
    let tokens = h.delivered_tokens();
    assert_eq!(tokens.len(), before + 1, "no delivery for {email}");
    tokens.last().unwrap().clone()
}

#[test]
fn reset_password_answers_201_with_an_empty_body_whoever_asks() {
    let h = harness(&[]);
    h.registered("a@b.co", "correct horse");
    for (path, identifier) in [
        ("/auth/customer/emailpass/reset-password", "a@b.co"),
        ("/auth/customer/emailpass/reset-password", "nobody@b.co"),
        ("/auth/customer/nosuchprovider/reset-password", "a@b.co"),
        ("/auth/nosuchactor/emailpass/reset-password", "a@b.co"),
    ] {
        let r = h.post(path, json!({ "identifier": identifier }), &[]);
        assert_eq!(
            (r.status, r.body.clone()),
            (201, Vec::new()),
            "{path} {identifier}"
        );
    }
    // Only the real identity got a token.
    assert_eq!(h.delivered_tokens().len(), 1);
}

#[test]
fn reset_password_without_an_identifier_is_400() {
    let h = harness(&[]);
    for body in [
        json!({}),
        json!({"identifier": ""}),
        json!({"identifier": 42}),
    ] {
        let r = h.post("/auth/customer/emailpass/reset-password", body.clone(), &[]);
        assert_error(
            &r,
            400,
            "invalid_data",
            "Invalid request: Field 'identifier' is required",
        );
    }
    assert!(h.delivered_tokens().is_empty());
}

#[test]
fn the_delivered_token_is_a_signed_fifteen_minute_reset_token_never_in_the_answer_or_logs() {
    let h = harness(&[]);
    h.registered("a@b.co", "correct horse");
    let r = h.request_reset(" A@B.co ");
    assert!(r.body.is_empty());
    let seen = h.hooks.seen.borrow();
    assert_eq!(seen.len(), 1);
    let delivery = &seen[0];
    assert_eq!(delivery.url, "https://hooks.example/reset");
    let target = webhook::WebhookTarget::new("", WEBHOOK_SECRET.as_bytes());
    assert_eq!(
        delivery.header(webhook::SIGNATURE_HEADER),
        Some(
            target
                .signature(h.clock.now_secs(), &delivery.body)
                .as_str()
        )
    );
    let body: Value = serde_json::from_slice(&delivery.body).unwrap();
    assert_eq!(body["event"], "auth.password_reset");
    assert_eq!(body["data"]["entity_id"], "a@b.co");
    assert_eq!(body["data"]["actor_type"], "customer");
    assert_eq!(body["data"]["provider"], "emailpass");
    let raw = body["data"]["token"].as_str().unwrap();
    let claims = reset_token::verify(raw, &h.app.config.jwt_key, h.clock.now_secs()).unwrap();
    assert_eq!(claims.purpose, "reset");
    assert_eq!(claims.exp - claims.iat, 900);
    assert!(!String::from_utf8_lossy(&r.body).contains(raw));
    assert!(h.runtime.warnings.borrow().iter().all(|w| !w.contains(raw)));
}

#[test]
fn update_with_the_token_changes_the_password_once() {
    let h = harness(&[]);
    h.registered("a@b.co", "correct horse");
    let reset = reset_token_for(&h, "a@b.co");

    let r = h.update_password(&reset, "new horse battery");
    assert_eq!(
        (r.status, r.body_json()),
        (200, Some(json!({"success": true})))
    );
    h.assert_password_changed("a@b.co", "correct horse", "new horse battery");

    // The same token again: spent.
    assert_invalid_token(&h.update_password(&reset, "third horse battery"));
    h.token(&h.login("a@b.co", "new horse battery"));
}

#[test]
fn the_module_api_consumes_a_token_in_one_call_once() {
    // `consumePasswordResetToken` of the npm package: verification and use in one domain call.
    use edge_auth::account::AccountError;
    use edge_auth::scope::{ActorType, ProviderId};
    let h = harness(&[]);
    h.registered("a@b.co", "correct horse");
    let reset = reset_token_for(&h, "a@b.co");
    let consume = |password: &str| {
        let mut data = edge_auth::model::Metadata::new();
        data.insert("password".into(), json!(password));
        block_on(h.app.account.consume_password_reset_token(
            &reset,
            &ActorType::parse("customer").unwrap(),
            &ProviderId::parse("emailpass").unwrap(),
            data,
            None,
        ))
    };
    consume("new horse battery").unwrap();
    h.assert_password_changed("a@b.co", "correct horse", "new horse battery");
    assert!(matches!(
        consume("third horse battery"),
        Err(AccountError::InvalidResetToken)
    ));
    h.token(&h.login("a@b.co", "new horse battery"));
}

#[test]
fn an_expired_token_is_invalid() {
    let h = harness(&[]);
    h.registered("a@b.co", "correct horse");
    let reset = reset_token_for(&h, "a@b.co");
    h.clock.advance_secs(899);
    h.clock.advance_secs(1);
    assert_invalid_token(&h.update_password(&reset, "new horse battery"));
    h.token(&h.login("a@b.co", "correct horse"));
}

#[test]
fn a_token_one_second_before_expiry_still_works() {
    let h = harness(&[]);
    h.registered("a@b.co", "correct horse");
    let reset = reset_token_for(&h, "a@b.co");
    h.clock.advance_secs(899);
    assert_eq!(h.update_password(&reset, "new horse battery").status, 200);
}

#[test]
fn the_token_must_match_the_routes_actor_type() {
    let h = harness(&[]);
    h.registered("a@b.co", "correct horse");
    let reset = reset_token_for(&h, "a@b.co");
    let r = h.post_as(
        "/auth/user/emailpass/update",
        json!({"password": "new horse battery"}),
        &reset,
    );
    assert_invalid_token(&r);
    // Still unused: it works on its own route.
    assert_eq!(h.update_password(&reset, "new horse battery").status, 200);
}

#[test]
fn auth_tokens_forged_or_missing_tokens_are_invalid() {
    let h = harness(&[]);
    let login_token = h.registered("a@b.co", "correct horse");
    let forged = {
        let other = edge_auth::token::JwtKey::new(b"not the secret, not the secret!!");
        let target = reset_token::ResetTarget {
            entity_id: "a@b.co",
            provider: "emailpass",
            actor_type: "customer",
            auth_identity_id: &h.claims(&login_token).auth_identity_id,
            credential_version: 0,
        };
        reset_token::issue(target, h.clock.now_secs(), &other)
            .unwrap()
            .0
    };
    for token in [login_token.as_str(), forged.as_str(), "garbage"] {
        assert_invalid_token(&h.update_password(token, "new horse battery"));
    }
    let r = h.post(
        "/auth/customer/emailpass/update",
        json!({"password": "new horse battery"}),
        &[],
    );
    assert_invalid_token(&r);
}

#[test]
fn the_email_in_the_body_cannot_redirect_the_update_to_another_identity() {
    let h = harness(&[]);
    h.registered("a@b.co", "correct horse");
    h.registered("victim@b.co", "victim horse");
    let reset = reset_token_for(&h, "a@b.co");
    let r = h.post_as(
        "/auth/customer/emailpass/update",
        json!({"email": "victim@b.co", "entity_id": "victim@b.co", "password": "owned horse!"}),
        &reset,
    );
    assert_eq!(r.status, 200);
    h.token(&h.login("victim@b.co", "victim horse"));
    h.token(&h.login("a@b.co", "owned horse!"));
}

#[test]
fn a_refused_password_gives_the_token_back() {
    let h = harness(&[]);
    h.registered("a@b.co", "correct horse");
    let reset = reset_token_for(&h, "a@b.co");
    let r = h.update_password(&reset, "short");
    assert_eq!(r.status, 401);
    assert_ne!(r.body_json().unwrap()["message"], "Invalid token");
    assert_eq!(h.update_password(&reset, "long enough now").status, 200);
}

#[test]
fn a_password_change_voids_earlier_tokens_and_reset_tokens() {
    let h = harness(&[]);
    let first_login = h.registered("a@b.co", "correct horse");
    let older_reset = reset_token_for(&h, "a@b.co");
    let reset = reset_token_for(&h, "a@b.co");
    h.clock.advance_secs(5);
    assert_eq!(h.update_password(&reset, "new horse battery").status, 200);

    assert_bare_unauthorized(&h.refresh(&first_login));
    assert_invalid_token(&h.update_password(&older_reset, "another horse"));
    let fresh = h.token(&h.login("a@b.co", "new horse battery"));
    assert_eq!(h.refresh(&fresh).status, 200);
}

#[test]
fn tokens_of_the_second_of_the_change_are_void_before_it_and_valid_after_it() {
    // The clock stands at x.500 s: a login now, the change now, a login right after — one second.
    let h = harness(&[]);
    h.registered("a@b.co", "correct horse");
    let before = h.token(&h.login("a@b.co", "correct horse"));
    let reset = reset_token_for(&h, "a@b.co");
    assert_eq!(h.update_password(&reset, "new horse battery").status, 200);
    let after = h.token(&h.login("a@b.co", "new horse battery"));

    assert_eq!(h.claims(&before).iat, NOW_MS / 1000);
    // Dated at the next whole second, so it outranks the change.
    assert_eq!(h.claims(&after).iat, NOW_MS / 1000 + 1);
    assert_bare_unauthorized(&h.refresh(&before));
    assert_eq!(h.refresh(&after).status, 200);
}

#[test]
fn a_reset_token_does_not_reset_an_identity_registered_later_with_its_email() {
    let h = harness(&[]);
    let login = h.registered("a@b.co", "correct horse");
    let reset = reset_token_for(&h, "a@b.co");
    let id = h.claims(&login).auth_identity_id;
    let deleted = h.send(
        "DELETE",
        &format!("/admin/auth-identities/{id}"),
        &[("authorization", &format!("Bearer {ADMIN}"))],
        b"",
    );
    assert_eq!(deleted.status, 200);
    h.clock.advance_secs(60);
    h.registered("a@b.co", "second owner horse");

    assert_invalid_token(&h.update_password(&reset, "takeover horse"));
    h.token(&h.login("a@b.co", "second owner horse"));
}

#[test]
fn a_reset_token_dies_with_any_later_change_even_within_the_same_second() {
    // x.500 s: a reset; a reset token right after it (dated x+1); at x.800 s a change of password.
    let h = harness(&[]);
    let token = h.customer_token();
    let first = reset_token_for(&h, "a@b.co");
    assert_eq!(h.update_password(&first, "new horse battery").status, 200);
    let after_first = reset_token_for(&h, "a@b.co");
    let fresh = h.token(&h.login("a@b.co", "new horse battery"));
    h.clock.advance_ms(300);
    let changed = h.post_as(
        "/auth/customer/emailpass/change-password",
        json!({"current_password": "new horse battery", "password": "third horse battery"}),
        &fresh,
    );
    assert_eq!(changed.status, 200, "{:?}", changed.body_json());

    assert_invalid_token(&h.update_password(&after_first, "takeover horse"));
    // So does the login token of that same second, and the token of the first reset's time.
    assert_bare_unauthorized(&h.refresh(&fresh));
    assert_bare_unauthorized(&h.refresh(&token));
    h.assert_password_changed("a@b.co", "new horse battery", "third horse battery");
}

#[test]
fn a_token_of_a_deleted_identity_is_invalid() {
    let h = harness(&[]);
    let login = h.registered("a@b.co", "correct horse");
    let reset = reset_token_for(&h, "a@b.co");
    let id = h.claims(&login).auth_identity_id;
    block_on(h.app.service.delete_auth_identities(&[id])).unwrap();
    assert_invalid_token(&h.update_password(&reset, "new horse battery"));
}

#[test]
fn without_a_webhook_nothing_is_sent_and_the_operator_is_warned() {
    let h = harness(&[
        ("RESET_PASSWORD_WEBHOOK_URL", ""),
        ("RESET_PASSWORD_WEBHOOK_SECRET", ""),
    ]);
    h.registered("a@b.co", "correct horse");
    assert_eq!(h.request_reset("a@b.co").status, 201);
    assert!(h.hooks.seen.borrow().is_empty());
    let warnings = h.runtime.warnings.borrow();
    assert_eq!(warnings.len(), 1);
    assert!(
        warnings[0].contains("RESET_PASSWORD_WEBHOOK_URL"),
        "{}",
        warnings[0]
    );
    assert!(!warnings[0].contains("a@b.co"));
}

#[test]
fn a_failing_webhook_does_not_change_the_answer() {
    let h = harness(&[]);
    h.registered("a@b.co", "correct horse");
    *h.hooks.status.borrow_mut() = 503;
    let r = h.request_reset("a@b.co");
    assert_eq!((r.status, r.body.len()), (201, 0));
    assert_eq!(h.hooks.seen.borrow().len(), webhook::ATTEMPTS);
    assert_eq!(h.runtime.warnings.borrow().len(), 1);
}

#[test]
fn the_answer_is_sent_before_any_lookup_or_delivery() {
    let h = harness(&[]);
    h.registered("a@b.co", "correct horse");
    let req = HttpRequest {
        method: "POST".into(),
        url: "https://auth.example/auth/customer/emailpass/reset-password".into(),
        headers: vec![("content-type".into(), "application/json".into())],
        body: br#"{"identifier":"a@b.co"}"#.to_vec(),
    };
    let known = block_on(handle(&h.app, &req));
    assert_eq!(known.status, 201);
    // Nothing was delivered yet: the work waits in a task.
    assert!(h.hooks.seen.borrow().is_empty());
    let tasks = h.app.take_tasks();
    assert_eq!(tasks.len(), 1);
    for task in tasks {
        block_on(task);
    }
    assert_eq!(h.hooks.seen.borrow().len(), 1);
}

#[test]
fn a_new_reset_request_voids_the_identitys_earlier_reset_tokens() {
    let h = harness(&[]);
    h.registered("a@b.co", "correct horse");
    h.registered("other@b.co", "correct horse");
    let first = reset_token_for(&h, "a@b.co");
    let other = reset_token_for(&h, "other@b.co");
    let second = reset_token_for(&h, "A@b.co");

    assert_invalid_token(&h.update_password(&first, "new horse battery"));
    h.token(&h.login("a@b.co", "correct horse"));
    // Another identity's request voids nothing here, and the latest token works.
    let r = h.update_password(&second, "new horse battery");
    assert_eq!(r.status, 200, "{:?}", r.body_json());
    h.assert_password_changed("a@b.co", "correct horse", "new horse battery");
    let r = h.update_password(&other, "other horse battery");
    assert_eq!(r.status, 200, "{:?}", r.body_json());
}

#[test]
fn the_reset_event_carries_the_requests_metadata_an_empty_object_without() {
    let h = harness(&[]);
    h.registered("a@b.co", "correct horse");
    let data_of_last = |h: &Harness| {
        let seen = h.hooks.seen.borrow();
        let body: Value = serde_json::from_slice(&seen.last().unwrap().body).unwrap();
        body["data"].clone()
    };
    let metadata = json!({"storefront": "https://shop.example", "locale": "fr", "n": 1});
    let r = h.post(
        "/auth/customer/emailpass/reset-password",
        json!({"identifier": "a@b.co", "metadata": metadata}),
        &[],
    );
    assert_eq!(r.status, 201);
    assert_eq!(data_of_last(&h)["metadata"], metadata);

    h.request_reset("a@b.co");
    assert_eq!(data_of_last(&h)["metadata"], json!({}));
    assert_eq!(h.hooks.seen.borrow().len(), 2);

    for (bad, got) in [
        (json!("x"), "string"),
        (json!([1]), "array"),
        (json!(null), "null"),
        (json!(3), "number"),
    ] {
        let r = h.post(
            "/auth/customer/emailpass/reset-password",
            json!({"identifier": "a@b.co", "metadata": bad}),
            &[],
        );
        assert_error(
            &r,
            400,
            "invalid_data",
            &format!("Invalid request: Expected type: 'object' for field 'metadata', got: '{got}'"),
        );
    }
    assert_eq!(
        h.hooks.seen.borrow().len(),
        2,
        "nothing sent for refused requests"
    );
}

// --- createPasswordResetToken / consumePasswordResetToken (Medusa 2.16+'s jti registry) -----------------

fn emailpass() -> edge_auth::scope::ProviderId {
    edge_auth::scope::ProviderId::parse("emailpass").unwrap()
}

#[test]
fn an_issued_jti_is_consumed_once_for_its_entity_and_names_the_identity() {
    use edge_auth::account::AccountError;
    let h = harness(&[]);
    let id = h
        .claims_of(&h.register("a@b.co", "correct horse"))
        .auth_identity_id;
    let account = &h.app.account;
    let issued = block_on(account.create_reset_jti(&emailpass(), "a@b.co", 900)).unwrap();
    assert_eq!(issued.jti.len(), 32);
    assert_eq!(issued.expires_at_ms, h.clock.now_ms() + 900_000);
    // Neither the jti nor anything readable as it is stored.
    assert!(
        h.store
            .dump()
            .iter()
            .all(|(k, v)| !k.contains(&issued.jti) && !v.contains(&issued.jti))
    );

    let refused = |jti: &str, entity: &str| {
        assert_eq!(
            block_on(account.consume_reset_jti(jti, &emailpass(), entity)),
            Err(AccountError::InvalidResetToken),
            "{jti} {entity}"
        );
    };
    refused("0123456789abcdef0123456789abcdef", "a@b.co");
    refused(&issued.jti, "other@b.co");
    let consumed =
        block_on(account.consume_reset_jti(&issued.jti, &emailpass(), "A@b.co")).unwrap();
    assert_eq!(consumed.auth_identity_id, id);
    assert_eq!(consumed.entity_id, "a@b.co");
    let identity = block_on(h.app.service.retrieve_auth_identity(&id)).unwrap();
    assert_eq!(
        consumed.provider_identity_id,
        identity.provider_identities[0].id
    );
    refused(&issued.jti, "a@b.co");
}

/// The jti names the provider identity of its provider *and* entity: an identity whose other provider
/// identity shares the email (a Google sign-in of the same address, listed first) is not the one named.
#[test]
fn a_jti_names_the_provider_identity_of_its_provider_not_another_with_the_same_email() {
    use edge_auth::model::{CreateAuthIdentity, CreateProviderIdentity};
    let h = harness(&[]);
    let pi = |id: &str, provider: &str| CreateProviderIdentity {
        id: Some(id.into()),
        entity_id: "a@b.co".into(),
        provider: provider.into(),
        ..Default::default()
    };
    block_on(
        h.app
            .service
            .create_auth_identities(vec![CreateAuthIdentity {
                provider_identities: vec![
                    pi("provid_google", "google"),
                    pi("provid_email", "emailpass"),
                ],
                ..Default::default()
            }]),
    )
    .unwrap();
    let account = &h.app.account;
    let issued = block_on(account.create_reset_jti(&emailpass(), "a@b.co", 900)).unwrap();
    let consumed =
        block_on(account.consume_reset_jti(&issued.jti, &emailpass(), "a@b.co")).unwrap();
    assert_eq!(consumed.provider_identity_id, "provid_email");
}

#[test]
fn a_newer_jti_voids_older_ones_and_an_expired_one_is_refused() {
    use edge_auth::account::AccountError;
    let h = harness(&[]);
    h.registered("a@b.co", "correct horse");
    let account = &h.app.account;
    let old = block_on(account.create_reset_jti(&emailpass(), "a@b.co", 900)).unwrap();
    let new = block_on(account.create_reset_jti(&emailpass(), "a@b.co", 60)).unwrap();
    assert_eq!(
        block_on(account.consume_reset_jti(&old.jti, &emailpass(), "a@b.co")),
        Err(AccountError::InvalidResetToken)
    );
    h.clock.advance_secs(60);
    assert_eq!(
        block_on(account.consume_reset_jti(&new.jti, &emailpass(), "a@b.co")),
        Err(AccountError::InvalidResetToken)
    );
    // And a jti voids the Worker's own earlier reset tokens: one rule for both.
    let mailed = reset_token_for(&h, "a@b.co");
    block_on(account.create_reset_jti(&emailpass(), "a@b.co", 900)).unwrap();
    assert_invalid_token(&h.update_password(&mailed, "new horse battery"));
}

#[test]
fn issuing_for_an_unknown_entity_or_with_no_lifetime_is_invalid_data_with_medusas_message() {
    use edge_auth::account::AccountError;
    let h = harness(&[]);
    h.registered("a@b.co", "correct horse");
    let account = &h.app.account;
    assert_eq!(
        block_on(account.create_reset_jti(&emailpass(), "nobody@b.co", 900)),
        Err(AccountError::InvalidData(
            "Provider identity with entity_id nobody@b.co and provider emailpass not found".into()
        ))
    );
    assert_eq!(
        block_on(account.create_reset_jti(&emailpass(), "a@b.co", 0)),
        Err(AccountError::InvalidData(
            "Password reset token TTL must be a positive integer".into()
        ))
    );
}
