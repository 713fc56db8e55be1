//! Redirect mode through the HTTP layer: `?return_to=` on GET, the `__Host-` cookie, the Worker's own
//! callback answering 302s, and every way to abuse it.

use crate::*;
use edge_auth::oauth::state::COOKIE_NAME;

const TOKEN: &str = "https://oauth2.googleapis.com/token";
const CERTS: &str = "https://www.googleapis.com/oauth2/v3/certs";
const START: &str =
    "https://auth.example/auth/customer/google?return_to=https%3A%2F%2Fshop.example%2Fsigned-in";
const OWN_CALLBACK: &str = "https://auth.example/auth/customer/google/callback";

struct Browser {
    cookie: String,
    location: String,
}

impl Browser {
    /// Goes to `url` with the browser's cookie.
    fn visit(&self, w: &World, url: &str) -> HttpResponse {
        w.fetch("GET", url, &[("cookie", &self.cookie)])
    }
}

fn start(w: &World) -> Browser {
    let r = w.fetch("GET", START, &[]);
    assert_eq!(r.status, 302, "{}", String::from_utf8_lossy(&r.body));
    let set_cookie = r.header("set-cookie").unwrap();
    Browser {
        cookie: set_cookie.split(';').next().unwrap().to_owned(),
        location: r.header("location").unwrap().to_owned(),
    }
}

/// Google answers the code `valid-code` for the flow the browser started.
fn google_answers(w: &World, b: &Browser) -> String {
    let q = query_of(&b.location);
    w.idp.json(CERTS, 200, jwks(&[&key("rsa")]));
    let claims = json!({
        "iss": "https://accounts.google.com", "aud": "test", "sub": "g-1", "email": "a@b.example",
        "email_verified": true, "nonce": q["nonce"], "iat": NOW, "exp": NOW + 600,
    });
    w.token_endpoint(
        TOKEN,
        "valid-code",
        &q["code_challenge"],
        json!({"id_token": id_token(&claims, &key("rsa"))}),
    );
    q["state"].clone()
}

fn callback_url(code: &str, state: &str) -> String {
    format!("{OWN_CALLBACK}?code={code}&state={state}")
}

fn body(r: &HttpResponse) -> String {
    String::from_utf8(r.body.clone()).unwrap()
}

#[test]
fn start_answers_302_to_the_provider_and_binds_the_state_to_a_host_cookie() {
    let w = world(&[]);
    let r = w.fetch("GET", START, &[]);
    assert_eq!(r.status, 302);
    let location = r.header("location").unwrap();
    assert!(location.starts_with("https://accounts.google.com/o/oauth2/v2/auth?"));
    assert_eq!(query_of(location)["redirect_uri"], OWN_CALLBACK);
    let cookie = r.header("set-cookie").unwrap();
    assert!(cookie.starts_with(&format!("{COOKIE_NAME}=")));
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("Secure") && cookie.contains("SameSite=Lax")
    );
    assert!(
        cookie.contains("Path=/") && cookie.contains("Max-Age=600") && !cookie.contains("Domain")
    );
    assert_eq!(r.header("cache-control"), Some("no-store"));
    assert!(r.body.is_empty());
}

#[test]
fn the_callback_sends_the_browser_back_with_the_token_in_the_fragment() {
    let w = world(&[]);
    let b = start(&w);
    let state = google_answers(&w, &b);
    let r = b.visit(&w, &callback_url("valid-code", &state));
    assert_eq!(r.status, 302, "{}", body(&r));
    let location = r.header("location").unwrap();
    let token = location
        .strip_prefix("https://shop.example/signed-in#token=")
        .unwrap_or_else(|| panic!("{location}"));
    let claims = edge_auth::token::verify(token, &w.app.config.jwt_key, NOW).unwrap();
    assert_eq!(claims.actor_type, "customer");
    assert!(
        r.header("set-cookie").unwrap().contains("Max-Age=0"),
        "cookie cleared"
    );
    assert_eq!(r.header("referrer-policy"), Some("no-referrer"));
    // The token request repeated the redirect_uri the provider saw: this service's own callback.
    assert_eq!(
        w.idp.requests_to(TOKEN)[0].form()["redirect_uri"],
        OWN_CALLBACK
    );
}

#[test]
fn a_state_lured_into_another_browser_is_refused() {
    let w = world(&[]);
    let attacker = start(&w);
    let state = google_answers(&w, &attacker);
    // The victim's browser has no cookie at all.
    let r = w.fetch("GET", &callback_url("valid-code", &state), &[]);
    assert_eq!(r.status, 401);
    assert_eq!(
        r.body_json().unwrap(),
        json!({"type": "unauthorized", "message": edge_auth::oauth::provider::STATE_FROM_ANOTHER_BROWSER})
    );
    assert!(
        w.idp.requests_to(TOKEN).is_empty(),
        "the code is never exchanged"
    );
}

#[test]
fn a_cookie_of_another_flow_does_not_bind_this_state() {
    let w = world(&[]);
    let attacker = start(&w);
    let victim = start(&w);
    let state = google_answers(&w, &attacker);
    let r = victim.visit(&w, &callback_url("valid-code", &state));
    assert_eq!(r.status, 401);
    assert_eq!(r.header("content-type"), Some("text/html; charset=utf-8"));
    assert!(body(&r).contains("started in another browser"));
    assert!(r.header("set-cookie").unwrap().contains("Max-Age=0"));
    assert!(w.idp.requests_to(TOKEN).is_empty());
}

#[test]
fn a_replayed_callback_is_refused() {
    let w = world(&[]);
    let b = start(&w);
    let state = google_answers(&w, &b);
    let url = callback_url("valid-code", &state);
    assert_eq!(b.visit(&w, &url).status, 302);
    let replay = b.visit(&w, &url);
    assert_eq!(replay.status, 401);
    assert!(body(&replay).contains(edge_auth::contract::NO_STATE_OR_EXPIRED));
    assert_eq!(w.idp.requests_to(TOKEN).len(), 1);
}

#[test]
fn failures_after_the_state_go_back_to_return_to_with_an_error() {
    let w = world(&[]);
    let b = start(&w);
    let state = google_answers(&w, &b);
    let r = b.visit(&w, &callback_url("tampered-code", &state));
    assert_eq!(r.status, 302);
    assert_eq!(
        r.header("location"),
        Some("https://shop.example/signed-in?error=Could+not+exchange+token%2C+400%2C+Bad+Request")
    );
    assert!(r.header("set-cookie").unwrap().contains("Max-Age=0"));
}

#[test]
fn a_provider_error_goes_back_encoded_and_is_html_escaped_where_shown() {
    let w = world(&[]);
    let b = start(&w);
    let state = query_of(&b.location)["state"].clone();
    let evil = "%3Cscript%3Ealert(1)%3C%2Fscript%3E";
    let url = format!("{OWN_CALLBACK}?error=access_denied&error_description={evil}&state={state}");
    let r = b.visit(&w, &url);
    assert_eq!(r.status, 302);
    assert_eq!(
        r.header("location"),
        Some("https://shop.example/signed-in?error=%3Cscript%3Ealert%281%29%3C%2Fscript%3E")
    );
    // Without a known state there is nowhere to send the browser: an escaped page.
    let url = format!(
        "{OWN_CALLBACK}?error=access_denied&error_description={evil}&error_uri=%22%3E%3Cimg"
    );
    let r = b.visit(&w, &url);
    assert_eq!(r.status, 401);
    let page = body(&r);
    assert!(
        page.contains("&lt;script&gt;alert(1)&lt;/script&gt;, read more at: &quot;&gt;&lt;img"),
        "{page}"
    );
    assert!(!page.contains("<script>") && !page.contains("<img"));
}

#[test]
fn open_redirect_attempts_are_refused_with_400() {
    let w = world(&[]);
    for target in [
        "https://evil.example/",
        "https://shop.example/signed-in/../../evil",
        "https://shop.example/signed-in.evil.com",
        "https://shop.example.evil.com/signed-in",
        "https://shop.example/signed-in@evil.com",
        "https://shop.example/signed-inx",
        "https://shop.example/signed-in?next=https://evil.example",
        "https://shop.example/signed-in#x",
        "//evil.example/signed-in",
        "/signed-in",
        "javascript:alert(document.domain)",
        "JaVaScRiPt:alert(1)//https://shop.example/signed-in",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "",
    ] {
        let url = format!(
            "https://auth.example/auth/customer/google?return_to={}",
            edge_auth::oauth::form::form_urlencode(&[("", target)]).trim_start_matches('=')
        );
        let r = w.fetch("GET", &url, &[]);
        assert_eq!(r.status, 400, "{target:?}");
        assert_eq!(r.body_json().unwrap()["type"], "invalid_data");
        assert!(r.header("set-cookie").is_none());
    }
    assert!(w.state_keys().is_empty());
}

#[test]
fn return_to_is_only_for_get_and_third_party_providers() {
    let w = world(&[]);
    let r = w.fetch("POST", START, &[]);
    assert_eq!(r.status, 400);
    let r = w.fetch(
        "GET",
        "https://auth.example/auth/customer/emailpass?return_to=https%3A%2F%2Fshop.example%2Fsigned-in",
        &[],
    );
    assert_eq!(r.status, 400);
    assert_eq!(
        r.body_json().unwrap()["message"],
        "return_to is only supported by third-party providers"
    );
}

#[test]
fn json_mode_keeps_medusas_contract() {
    let w = world(&[]);
    let r = w.fetch("GET", "https://auth.example/auth/customer/google", &[]);
    assert_eq!(r.status, 200);
    let location = r.body_json().unwrap()["location"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(r.header("set-cookie").is_none());
    let b = Browser {
        cookie: String::new(),
        location,
    };
    let state = google_answers(&w, &b);
    let r = w.fetch("GET", &callback_url("valid-code", &state), &[]);
    assert_eq!(r.status, 200, "{}", body(&r));
    assert!(r.body_json().unwrap()["token"].is_string());
    let r = w.fetch("GET", &callback_url("valid-code", &state), &[]);
    assert_eq!(
        r.body_json().unwrap(),
        json!({"type": "unauthorized", "message": "No state provided, or session expired"})
    );
}

#[test]
fn a_disallowed_callback_url_is_a_400_in_json_mode() {
    let w = world(&[]);
    let r = w.fetch(
        "GET",
        "https://auth.example/auth/customer/google?callback_url=https%3A%2F%2Fevil.example%2Fcb",
        &[],
    );
    assert_eq!(r.status, 400);
}

#[test]
fn a_failed_start_in_redirect_mode_goes_back_with_the_error() {
    let w = world(&[]);
    w.idp.json(
        "https://idp.corp.example/.well-known/openid-configuration",
        503,
        json!({}),
    );
    let r = w.fetch(
        "GET",
        "https://auth.example/auth/customer/corp?return_to=https%3A%2F%2Fshop.example%2Fsigned-in",
        &[],
    );
    assert_eq!(r.status, 302);
    assert!(
        r.header("location")
            .unwrap()
            .starts_with("https://shop.example/signed-in?error=Could+not+fetch")
    );
    assert!(r.header("set-cookie").is_none());
}

#[test]
fn an_unconfigured_provider_gets_medusas_message() {
    let w = world(&[
        ("GITHUB_CLIENT_ID", ""),
        ("GITHUB_CLIENT_SECRET", ""),
        ("GITHUB_CALLBACK_URL", ""),
    ]);
    let r = w.fetch(
        "GET",
        "https://auth.example/auth/customer/github?return_to=https%3A%2F%2Fshop.example%2Fsigned-in",
        &[],
    );
    assert_eq!(
        r.body_json().unwrap(),
        json!({"type": "unauthorized", "message": "\nUnable to retrieve the auth provider with id: github\nPlease make sure that the provider is registered in the container and it is configured correctly in your project configuration file."})
    );
}

#[test]
fn callbacks_are_limited_per_client_ip() {
    let w = world(&[]);
    let from = |ip: &str| {
        let url = callback_url("any-code", &"a".repeat(64));
        w.fetch("GET", &url, &[("cf-connecting-ip", ip)])
    };
    // The default: 30 callbacks a minute per IP; unknown states are refused as such until then.
    for _ in 0..30 {
        assert_eq!(from("203.0.113.9").status, 401);
    }
    let limited = from("203.0.113.9");
    assert_eq!(limited.status, 429);
    assert_eq!(limited.header("retry-after"), Some("60"));
    assert_eq!(from("203.0.113.10").status, 401);
}
