//! A generic OpenID Connect provider (`corp`), configured by issuer and discovered; the shape of
//! Medusa's Cloud provider tests.

use crate::*;
use edge_auth::contract;

const DISCOVERY: &str = "https://idp.corp.example/.well-known/openid-configuration";
const AUTHORIZE: &str = "https://idp.corp.example/oauth2/authorize";
const TOKEN: &str = "https://idp.corp.example/oauth2/token";
const JWKS_URL: &str = "https://idp.corp.example/oauth2/jwks";

fn discovery() -> Value {
    json!({
        "issuer": CORP_ISSUER, "authorization_endpoint": AUTHORIZE, "token_endpoint": TOKEN,
        "jwks_uri": JWKS_URL, "response_types_supported": ["code"],
    })
}

fn corp() -> World {
    let w = world(&[]);
    w.idp.json(DISCOVERY, 200, discovery());
    w.idp.json(JWKS_URL, 200, jwks(&[&key("rsa"), &key("ec")]));
    w
}

fn corp_claims(nonce: &str) -> Value {
    json!({
        "iss": CORP_ISSUER, "aud": "corp-client", "sub": "user-123", "nonce": nonce, "iat": NOW, "exp": NOW + 600,
        "email": "jane@corp.example", "email_verified": true, "name": "Jane Doe", "given_name": "Jane",
        "family_name": "Doe",
    })
}

fn login(w: &World, claims: impl Fn(&str) -> Value, key_name: &str) -> AuthenticationResponse {
    w.sign_in("corp", TOKEN, |s| {
        let token = id_token(&claims(s.nonce.as_deref().unwrap()), &key(key_name));
        json!({"id_token": token, "access_token": "at"})
    })
}

#[test]
fn authenticate_uses_the_discovered_endpoint_with_exactly_eight_parameters() {
    let w = corp();
    let s = w.start("corp");
    assert!(s.location.starts_with(&format!("{AUTHORIZE}?")));
    let q = query_of(&s.location);
    let names: Vec<&str> = q.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        [
            "client_id",
            "code_challenge",
            "code_challenge_method",
            "nonce",
            "redirect_uri",
            "response_type",
            "scope",
            "state"
        ]
    );
    assert_eq!(q["scope"], "openid email profile");
    assert_eq!(q["redirect_uri"], "https://shop.example/corp/callback");
    assert_eq!(q["response_type"], "code");
}

#[test]
fn discovery_is_cached_by_the_isolate() {
    let w = corp();
    w.start("corp");
    w.start("corp");
    assert_eq!(w.idp.requests_to(DISCOVERY).len(), 1);
}

#[test]
fn providers_made_once_keep_discovery_across_apps_and_new_ones_start_empty() {
    let w = corp();
    let http: Rc<dyn HttpClient> = w.idp.clone();
    let start = |app: App| {
        let r = block_on(
            app.service
                .authenticate("corp", &AuthenticationInput::default()),
        );
        assert!(r.success, "{r:?}");
    };
    // The Worker's way: one App per request over the isolate's providers.
    let providers = edge_auth::oauth::OAuthProvider::all(&w.app.config.oauth, &http);
    for _ in 0..2 {
        start(App::with_providers(
            w.app.config.clone(),
            w.store.clone(),
            w.clock.clone(),
            http.clone(),
            &providers,
        ));
    }
    assert_eq!(w.idp.requests_to(DISCOVERY).len(), 1);
    // The configuration carries no cache: new providers over it discover again.
    start(App::with_http_client(
        w.app.config.clone(),
        w.store.clone(),
        w.clock.clone(),
        http,
    ));
    assert_eq!(w.idp.requests_to(DISCOVERY).len(), 2);
}

#[test]
fn a_discovery_document_for_another_issuer_is_refused() {
    let w = world(&[]);
    let mut doc = discovery();
    doc["issuer"] = json!("https://evil.example");
    w.idp.json(DISCOVERY, 200, doc);
    let r = w.authenticate("corp", AuthenticationInput::default());
    assert_eq!(
        r.error.as_deref(),
        Some(
            r#"The OpenID configuration names the issuer "https://evil.example", expected "https://idp.corp.example""#
        )
    );
}

#[test]
fn discovered_endpoints_must_be_https() {
    let w = world(&[]);
    let mut doc = discovery();
    doc["token_endpoint"] = json!("http://idp.corp.example/token");
    w.idp.json(DISCOVERY, 200, doc);
    let r = w.authenticate("corp", AuthenticationInput::default());
    assert!(
        r.error
            .unwrap()
            .starts_with("OpenID configuration token_endpoint:")
    );
}

#[test]
fn a_discovered_endpoint_with_a_backslash_is_refused() {
    for field in ["authorization_endpoint", "token_endpoint", "jwks_uri"] {
        let w = world(&[]);
        let mut doc = discovery();
        doc[field] = json!(r"https://idp.corp.example\evil.example/x");
        w.idp.json(DISCOVERY, 200, doc);
        let r = w.authenticate("corp", AuthenticationInput::default());
        let error = r.error.unwrap_or_default();
        assert!(
            error.starts_with(&format!("OpenID configuration {field}:")) && error.contains('\\'),
            "{field}: {error}"
        );
    }
}

#[test]
fn an_unreachable_provider_is_a_clear_failure() {
    let w = world(&[]);
    w.idp.json(DISCOVERY, 500, json!({}));
    let r = w.authenticate("corp", AuthenticationInput::default());
    assert_eq!(
        r.error.as_deref(),
        Some(
            "Could not fetch the OpenID configuration of idp.corp.example, 500, Internal Server Error"
        )
    );
}

#[test]
fn a_valid_callback_creates_the_identity_from_the_id_token() {
    let w = corp();
    assert_signed_in(
        login(&w, corp_claims, "rsa"),
        "corp",
        "user-123",
        json!({"email": "jane@corp.example", "name": "Jane Doe", "given_name": "Jane", "family_name": "Doe"}),
    );
}

#[test]
fn the_client_authenticates_with_http_basic_by_default() {
    let w = corp();
    assert!(login(&w, corp_claims, "rsa").success);
    let seen = &w.idp.requests_to(TOKEN)[0];
    assert_eq!(
        seen.headers["authorization"],
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode("corp-client:corp-secret")
        )
    );
    assert!(!seen.form().contains_key("client_secret"));
}

#[test]
fn es256_id_tokens_are_accepted() {
    let w = corp();
    assert!(login(&w, corp_claims, "ec").success);
}

#[test]
fn an_expired_id_token_is_refused() {
    let w = corp();
    let r = login(
        &w,
        |n| {
            overridden(
                corp_claims(n),
                json!({"iat": NOW - 7200, "exp": NOW - 3600}),
            )
        },
        "rsa",
    );
    assert_eq!(
        r.error.as_deref(),
        Some("Could not verify corp id_token: jwt expired")
    );
}

#[test]
fn an_id_token_from_another_key_is_refused() {
    let w = corp();
    let r = login(&w, corp_claims, "rogue_rsa");
    assert_eq!(
        r.error.as_deref(),
        Some(
            "Could not verify corp id_token: no key in the provider's JWKS matches the token's kid"
        )
    );
}

#[test]
fn an_unverified_email_is_refused_but_no_email_is_fine() {
    let w = corp();
    let r = login(
        &w,
        |n| overridden(corp_claims(n), json!({"email_verified": false})),
        "rsa",
    );
    assert_eq!(r.error.as_deref(), Some(contract::EMAIL_NOT_VERIFIED));
    let r = login(
        &w,
        |n| json!({"iss": CORP_ISSUER, "aud": "corp-client", "sub": "svc-1", "nonce": n, "iat": NOW, "exp": NOW + 60}),
        "rsa",
    );
    assert!(r.success, "{r:?}");
}

#[test]
fn a_missing_id_token_is_refused() {
    let w = corp();
    let r = w.sign_in("corp", TOKEN, |_| json!({"access_token": "at"}));
    assert_eq!(r.error.as_deref(), Some(contract::NO_ID_TOKEN));
}

#[test]
fn configured_endpoints_skip_discovery() {
    let entry = json!([{
        "id": "corp", "issuer": CORP_ISSUER, "clientId": "corp-client", "clientSecret": "corp-secret",
        "callbackUrl": "https://shop.example/corp/callback", "scopes": "openid email",
        "authorizationUrl": "https://login.corp.example/authorize", "tokenUrl": TOKEN, "jwksUrl": JWKS_URL,
        "tokenEndpointAuthMethod": "client_secret_post",
    }])
    .to_string();
    let w = world(&[("OIDC_PROVIDERS", &entry)]);
    w.idp.json(JWKS_URL, 200, jwks(&[&key("rsa")]));
    let r = login(&w, corp_claims, "rsa");
    assert!(r.success, "{r:?}");
    assert!(w.idp.requests_to(DISCOVERY).is_empty());
    assert_eq!(
        w.idp.requests_to(TOKEN)[0].form()["client_secret"],
        "corp-secret"
    );
}

#[test]
fn an_unconfigured_provider_is_unknown() {
    let w = world(&[("OIDC_PROVIDERS", "")]);
    let r = w.authenticate("corp", AuthenticationInput::default());
    assert_eq!(
        r.error.as_deref(),
        Some(
            "\nUnable to retrieve the auth provider with id: corp\nPlease make sure that the provider is registered in the container and it is configured correctly in your project configuration file."
        )
    );
}

#[test]
fn an_id_token_for_other_audiences_too_is_refused_unless_they_are_allowed() {
    let shared = |n: &str| {
        overridden(
            corp_claims(n),
            json!({"aud": ["corp-client", "corp-api"], "azp": "corp-client"}),
        )
    };
    let r = login(&corp(), shared, "rsa");
    assert_eq!(
        r.error.as_deref(),
        Some(
            "Could not verify corp id_token: the token is also meant for an audience this client does not trust (aud)"
        )
    );

    let providers = r#"[{"id":"corp","issuer":"https://idp.corp.example","clientId":"corp-client","clientSecret":"corp-secret","callbackUrl":"https://shop.example/corp/callback","allowedAudiences":["corp-api"]}]"#;
    let w = world(&[("OIDC_PROVIDERS", providers)]);
    w.idp.json(DISCOVERY, 200, discovery());
    w.idp.json(JWKS_URL, 200, jwks(&[&key("rsa")]));
    assert!(login(&w, shared, "rsa").success);
}
