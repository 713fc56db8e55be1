//! Configuration of third-party sign-in: one place, errors naming the variable.

use crate::*;
use edge_auth::config::vars::ConfigError;

fn parse(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
    Config::from_vars(lookup(&[&[("JWT_SECRET", SECRET)], pairs].concat()))
}

fn ids(c: &Config) -> Vec<&str> {
    c.oauth.providers.iter().map(|p| p.id.as_str()).collect()
}

fn oidc(entry: Value) -> String {
    json!([entry]).to_string()
}

fn corp_entry() -> Value {
    json!({"id": "corp", "issuer": "https://idp.corp.example", "clientId": "c", "clientSecret": "s",
           "callbackUrl": "https://shop.example/cb"})
}

fn refused(pairs: &[(&str, &str)]) -> ConfigError {
    parse(pairs)
        .err()
        .unwrap_or_else(|| panic!("{pairs:?} must be refused"))
}

#[test]
fn nothing_configured_registers_no_third_party() {
    let c = parse(&[]).unwrap();
    assert!(ids(&c).is_empty());
    // No URL is allowed for a redirect.
    assert!(c.oauth.redirects.check("https://shop.example/").is_err());
}

#[test]
fn configured_providers_are_registered_in_order() {
    let c = parse(&[
        ("GITHUB_CLIENT_ID", "g"),
        ("GITHUB_CLIENT_SECRET", "s"),
        ("GITHUB_CALLBACK_URL", "https://shop.example/gh"),
        ("GOOGLE_CLIENT_ID", "g"),
        ("GOOGLE_CLIENT_SECRET", "s"),
        ("GOOGLE_CALLBACK_URL", "https://shop.example/google"),
        ("OIDC_PROVIDERS", &oidc(corp_entry())),
    ])
    .unwrap();
    assert_eq!(ids(&c), ["google", "github", "corp"]);
}

#[test]
fn an_oidc_secret_can_come_from_its_own_variable() {
    let mut entry = corp_entry();
    entry.as_object_mut().unwrap().remove("clientSecret");
    let e = refused(&[("OIDC_PROVIDERS", &oidc(entry.clone()))]);
    assert_eq!(e.var, "OIDC_PROVIDERS");
    assert_eq!(
        e.message,
        "corp clientSecret is required (or set the secret OIDC_CORP_CLIENT_SECRET)"
    );
    let c = parse(&[
        ("OIDC_PROVIDERS", &oidc(entry)),
        ("OIDC_CORP_CLIENT_SECRET", "from-a-secret"),
    ])
    .unwrap();
    assert_eq!(c.oauth.providers[0].client_secret.expose(), "from-a-secret");
}

#[test]
fn bad_values_name_their_variable() {
    let with = |k: &str, v: Value| {
        let mut e = corp_entry();
        if v.is_null() {
            e.as_object_mut().unwrap().remove(k);
        } else {
            e[k] = v;
        }
        oidc(e)
    };
    let cases: Vec<(&str, String)> = vec![
        ("GOOGLE_CLIENT_SECRET", String::new()),
        ("GOOGLE_CALLBACK_URL", "not a url".into()),
        (
            "GOOGLE_TOKEN_URL",
            "http://oauth2.googleapis.com/token".into(),
        ),
        ("GITHUB_API_URL", "javascript:alert(1)".into()),
        (
            "ALLOWED_REDIRECT_URLS",
            "https://ok.example/cb, data:text/html,x".into(),
        ),
        ("ALLOWED_REDIRECT_URLS", "https://ok.example/cb#frag".into()),
        // A backslash is the only fault of these three.
        (
            "ALLOWED_REDIRECT_URLS",
            r"https://ok.example\evil.example/cb".into(),
        ),
        (
            "GOOGLE_CALLBACK_URL",
            r"https://shop.example\evil.example/google".into(),
        ),
        (
            "OIDC_PROVIDERS",
            with("callbackUrl", json!(r"https://shop.example/corp\callback")),
        ),
        ("OIDC_PROVIDERS", "{not json".into()),
        ("OIDC_PROVIDERS", "{}".into()),
        ("OIDC_PROVIDERS", with("id", json!("Corp!"))),
        ("OIDC_PROVIDERS", with("id", json!("emailpass"))),
        ("OIDC_PROVIDERS", with("clientId", Value::Null)),
        (
            "OIDC_PROVIDERS",
            with("issuer", json!("http://idp.corp.example")),
        ),
        (
            "OIDC_PROVIDERS",
            with("issuer", json!("https://idp.corp.example?x=1")),
        ),
        ("OIDC_PROVIDERS", with("callbackUrl", Value::Null)),
        ("OIDC_PROVIDERS", with("scopes", json!(["email"]))),
        (
            "OIDC_PROVIDERS",
            with("tokenEndpointAuthMethod", json!("private_key_jwt")),
        ),
        ("OIDC_PROVIDERS", with("clientSecrett", json!("typo"))),
        ("OIDC_PROVIDERS", oidc(json!(null))),
    ];
    let defaults = [
        ("GOOGLE_CLIENT_ID", "g"),
        ("GOOGLE_CLIENT_SECRET", "s"),
        ("GOOGLE_CALLBACK_URL", "https://shop.example/google"),
        ("GITHUB_CLIENT_ID", "g"),
        ("GITHUB_CLIENT_SECRET", "s"),
        ("GITHUB_CALLBACK_URL", "https://shop.example/gh"),
    ];
    for (var, value) in cases {
        let mut pairs: Vec<(&str, &str)> =
            defaults.into_iter().filter(|(k, _)| *k != var).collect();
        pairs.push((var, value.as_str()));
        let e = refused(&pairs);
        assert_eq!(e.var, var, "{var}={value}: {e}");
    }
}

#[test]
fn oidc_entries_of_the_wrong_shape_say_which_entry_and_field() {
    let expected =
        "expected a JSON list of {id, issuer, clientId, clientSecret, callbackUrl, scopes}";
    let with = |field: &str, value: Value| {
        let mut entry = corp_entry();
        entry[field] = value;
        json!([corp_entry(), entry]).to_string()
    };
    let known = "id, issuer, clientId, clientSecret, callbackUrl, scopes, authorizationUrl, \
                 tokenUrl, jwksUrl, tokenEndpointAuthMethod, allowedAudiences";
    for (text, problem) in [
        (r#"{"id":"corp"}"#.to_owned(), "not a list".to_owned()),
        (
            json!([corp_entry(), 1]).to_string(),
            "entry 1: an entry is not an object".into(),
        ),
        (
            with("clientSecrett", json!("typo")),
            format!("entry 1: unknown field \"clientSecrett\" (known: {known})"),
        ),
        (
            with("clientId", json!(7)),
            "entry 1: clientId must be a string".into(),
        ),
        (
            with("scopes", json!({"openid": true})),
            "entry 1: scopes must be a string or a list of strings".into(),
        ),
        (
            with("allowedAudiences", json!("corp-api")),
            "entry 1: allowedAudiences must be a list of strings".into(),
        ),
    ] {
        let e = refused(&[("OIDC_PROVIDERS", &text)]);
        assert_eq!(e.var, "OIDC_PROVIDERS");
        assert_eq!(e.message, format!("{expected}: {problem}"), "{text}");
    }
}

#[test]
fn oidc_scopes_are_a_list_or_one_string_and_null_fields_are_absent() {
    let mut entry = corp_entry();
    entry["scopes"] = json!("openid  email");
    entry["jwksUrl"] = Value::Null;
    entry["allowedAudiences"] = json!(["corp-api"]);
    let c = parse(&[("OIDC_PROVIDERS", &oidc(entry.clone()))]).unwrap();
    let corp = &c.oauth.providers[0];
    assert_eq!(corp.scopes, ["openid", "email"]);
    assert_eq!(corp.trusted_audiences, ["corp-api"]);
    entry["scopes"] = json!(["openid", "profile"]);
    let c = parse(&[("OIDC_PROVIDERS", &oidc(entry))]).unwrap();
    assert_eq!(c.oauth.providers[0].scopes, ["openid", "profile"]);
}

#[test]
fn duplicate_provider_ids_are_refused() {
    let two = json!([corp_entry(), corp_entry()]).to_string();
    assert_eq!(refused(&[("OIDC_PROVIDERS", &two)]).var, "OIDC_PROVIDERS");
}

#[test]
fn loopback_http_is_accepted_for_local_providers() {
    let mut e = corp_entry();
    e["issuer"] = json!("http://127.0.0.1:9000");
    e["callbackUrl"] = json!("http://localhost:3000/cb");
    let c = parse(&[("OIDC_PROVIDERS", &oidc(e))]).unwrap();
    assert_eq!(
        c.oauth.providers[0].discovery_url.as_deref(),
        Some("http://127.0.0.1:9000/.well-known/openid-configuration")
    );
}

#[test]
fn secrets_never_show_in_debug_output() {
    let c = parse(&[
        ("GOOGLE_CLIENT_ID", "g"),
        ("GOOGLE_CLIENT_SECRET", "google-secret-value"),
        ("GOOGLE_CALLBACK_URL", "https://shop.example/google"),
        ("OIDC_PROVIDERS", &oidc(corp_entry())),
    ])
    .unwrap();
    let shown = format!("{c:?}");
    assert!(!shown.contains("google-secret-value"));
    assert!(!shown.contains(SECRET));
    assert!(shown.contains("Secret(<redacted>)"));
}
