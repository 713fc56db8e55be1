//! A third-party sign-in through the admin module routes, as the Medusa bridge (`edge-auth/medusa`)
//! drives it for a backend's `/auth/{actor}/{provider}` and `…/callback` routes: `authenticate` answers
//! the provider's location, `callback` (`validateCallback`) exchanges the code and answers the identity;
//! the state is single-use and the admin secret is required.

use crate::*;

const ADMIN: &str = "admin-0123456789abcdef0123456789abcd";
const TOKEN: &str = "https://github.com/login/oauth/access_token";

fn admin_post(w: &World, path: &str, body: Value, extra: &[(&str, &str)]) -> HttpResponse {
    let bearer = format!("Bearer {ADMIN}");
    let mut headers = vec![
        ("authorization", bearer.as_str()),
        ("content-type", "application/json"),
    ];
    headers.extend_from_slice(extra);
    w.send("POST", path, &headers, body.to_string().as_bytes())
}

fn answer(r: &HttpResponse) -> Value {
    assert_eq!(r.status, 200, "{:?}", r.body_json());
    r.body_json().unwrap()
}

#[test]
fn a_github_sign_in_started_and_finished_through_the_module_routes() {
    let w = world(&[("ADMIN_SECRET", ADMIN)]);
    let started = answer(&admin_post(
        &w,
        "/admin/auth/github/authenticate",
        json!({}),
        &[],
    ));
    let location = started["location"].as_str().unwrap();
    let q = query_of(location);
    w.token_endpoint(
        TOKEN,
        "valid-code",
        &q["code_challenge"],
        json!({"access_token": "gho_abc", "token_type": "bearer", "scope": "user:email"}),
    );
    w.idp.json(
        "https://api.github.com/user",
        200,
        json!({"id": 583231, "login": "octocat", "name": "Octo Cat"}),
    );
    w.idp.json(
        "https://api.github.com/user/emails",
        200,
        json!([{"email": "octocat@github.example", "primary": true, "verified": true}]),
    );
    let callback = json!({ "query": { "code": "valid-code", "state": q["state"] } });

    // Without the secret: nothing is spent.
    let r = w.send(
        "POST",
        "/admin/auth/github/callback",
        &[("content-type", "application/json")],
        callback.to_string().as_bytes(),
    );
    assert_eq!(r.status, 401, "{:?}", r.body_json());

    let signed_in = answer(&admin_post(
        &w,
        "/admin/auth/github/callback",
        callback.clone(),
        &[],
    ));
    assert_eq!(signed_in["success"], json!(true), "{signed_in}");
    let identity = &signed_in["authIdentity"];
    assert!(identity["id"].as_str().unwrap().starts_with("authid_"));
    assert_eq!(
        identity["provider_identities"][0]["entity_id"],
        json!("583231")
    );
    // The GitHub token stays out of the answer, as in every admin answer.
    assert!(!signed_in.to_string().contains("gho_abc"), "{signed_in}");

    // The state was spent: the same callback again is Medusa's failure, not a second sign-in.
    let replayed = answer(&admin_post(
        &w,
        "/admin/auth/github/callback",
        callback,
        &[],
    ));
    assert_eq!(replayed["success"], json!(false), "{replayed}");
    assert!(replayed.get("authIdentity").is_none());
}

#[test]
fn module_callbacks_are_counted_per_forwarded_client() {
    let w = world(&[("ADMIN_SECRET", ADMIN)]);
    let bad = json!({ "query": { "code": "c", "state": "0".repeat(64) } });
    let from = |ip: &'static str| [("x-edge-auth-client-ip", ip)];
    for _ in 0..30 {
        let r = answer(&admin_post(
            &w,
            "/admin/auth/github/callback",
            bad.clone(),
            &from("203.0.113.7"),
        ));
        assert_eq!(r["success"], json!(false));
    }
    let limited = admin_post(
        &w,
        "/admin/auth/github/callback",
        bad.clone(),
        &from("203.0.113.7"),
    );
    assert_eq!(limited.status, 429, "{:?}", limited.body_json());
    // Another end user behind the same backend is not limited.
    let other = admin_post(&w, "/admin/auth/github/callback", bad, &from("203.0.113.8"));
    assert_eq!(other.status, 200, "{:?}", other.body_json());
}
