//! The npm package's JavaScript API in real browsers (`wasm-pack test --headless --chrome|--firefox
//! -- --features js --test js_api`): the seed page's flows, Medusa's response shapes, coded errors, and
//! a KV-shaped store written in JavaScript; the account methods in `js_api/account.rs`.
#![cfg(all(target_arch = "wasm32", feature = "js"))]
#![allow(clippy::unwrap_used)]

#[path = "js_api/account.rs"]
mod account;

use edge_auth::js::{JsAuthModuleService, JsMemoryStore};
use js_sys::{JSON, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen(inline_js = r#"
// A KV-shaped store written in JavaScript, as a user would: async methods over a Map, KV's list shape.
export function kvShapedStore() {
  const data = new Map();
  return {
    data,
    async get(key) { return data.has(key) ? data.get(key) : null; },
    async put(key, value, options) {
      if (typeof value !== "string") throw new TypeError("KV values are strings here");
      if (options !== undefined && !(options.expirationTtl >= 60)) throw new Error("expirationTtl below 60");
      data.set(key, value);
    },
    async delete(key) { data.delete(key); },
    async list({ prefix = "", cursor, limit = 1000 } = {}) {
      const all = [...data.keys()].filter((k) => k.startsWith(prefix)).sort();
      const start = cursor === undefined ? 0 : Number(cursor);
      const keys = all.slice(start, start + limit).map((name) => ({ name }));
      const end = start + keys.length;
      return end < all.length ? { keys, list_complete: false, cursor: String(end) } : { keys, list_complete: true };
    },
  };
}

// A store whose every call fails, as a KV binding does when the network does.
export function failingStore() {
  const fail = async () => { throw new Error("KV is unreachable"); };
  return { get: fail, put: fail, delete: fail, list: fail };
}

// A store whose get and list resolve to fixed answers, of whatever shape a broken adapter gives.
export function storeAnswering(got, listed) {
  return { get: async () => got, put: async () => {}, delete: async () => {}, list: async () => listed };
}

export function storeWithout(method) {
  const store = kvShapedStore();
  delete store[method];
  return store;
}

export function sortedKeys(object) { return Object.keys(object).sort().join(","); }
"#)]
extern "C" {
    #[wasm_bindgen(js_name = kvShapedStore)]
    fn kv_shaped_store() -> JsValue;
    #[wasm_bindgen(js_name = failingStore)]
    fn failing_store() -> JsValue;
    #[wasm_bindgen(js_name = storeAnswering)]
    fn store_answering(got: JsValue, listed: JsValue) -> JsValue;
    #[wasm_bindgen(js_name = storeWithout)]
    fn store_without(method: &str) -> JsValue;
    #[wasm_bindgen(js_name = sortedKeys)]
    fn sorted_keys(object: &JsValue) -> String;
}

/// A JavaScript value from JSON text.
fn js(json: &str) -> JsValue {
    JSON::parse(json).expect("test JSON")
}

fn s(text: &str) -> JsValue {
    JsValue::from_str(text)
}

/// `value.a.b[0].c` for a path "a.b.0.c".
fn at(value: &JsValue, path: &str) -> JsValue {
    path.split('.').fold(value.clone(), |v, key| {
        Reflect::get(&v, &s(key)).unwrap_or(JsValue::UNDEFINED)
    })
}

fn text(value: &JsValue, path: &str) -> String {
    at(value, path)
        .as_string()
        .unwrap_or_else(|| panic!("{path} is not a string in {}", stringify(value)))
}

fn stringify(value: &JsValue) -> String {
    JSON::stringify(value)
        .map(String::from)
        .unwrap_or_else(|_| format!("{value:?}"))
}

/// `{ store, providers: [{ id: "emailpass", options: { iterations } }] }`
fn options(store: JsValue, iterations: u32) -> JsValue {
    let options = js(&format!(
        r#"{{"providers": [{{"id": "emailpass", "options": {{"iterations": {iterations}}}}}]}}"#
    ));
    Reflect::set(&options, &s("store"), &store).unwrap();
    options
}

fn service_over(store: JsValue) -> JsAuthModuleService {
    JsAuthModuleService::new(options(store, 1000)).expect("valid options")
}

async fn resolved(promise: Result<Promise, JsValue>) -> JsValue {
    let promise = promise.unwrap_or_else(|e| panic!("threw synchronously: {}", stringify(&e)));
    JsFuture::from(promise)
        .await
        .unwrap_or_else(|e| panic!("rejected: {e:?}"))
}

async fn rejected(promise: Result<Promise, JsValue>) -> JsValue {
    let promise = promise.unwrap_or_else(|e| panic!("threw synchronously: {e:?}"));
    match JsFuture::from(promise).await {
        Ok(v) => panic!("resolved with {}", stringify(&v)),
        Err(e) => e,
    }
}

/// A real `Error` of class EdgeAuthError with this code, whose message contains `fragment`.
fn assert_edge_auth_error(error: &JsValue, code: &str, fragment: &str) {
    assert!(
        error.is_instance_of::<js_sys::Error>(),
        "not an Error: {error:?}"
    );
    assert_eq!(text(error, "name"), "EdgeAuthError");
    assert_eq!(text(error, "code"), code, "{}", text(error, "message"));
    let message = text(error, "message");
    assert!(message.contains(fragment), "{message:?} lacks {fragment:?}");
}

fn credentials(email: &str, password: &str) -> JsValue {
    js(&format!(
        r#"{{"body": {{"email": "{email}", "password": "{password}"}}}}"#
    ))
}

#[wasm_bindgen_test]
async fn seed_flow_1_register_then_authenticate_over_a_kv_shaped_js_store() {
    let store = kv_shaped_store();
    let service = service_over(store.clone());

    let registered = resolved(service.register(
        s("emailpass"),
        credentials("Ada@Example.com", "correct horse"),
    ))
    .await;
    assert_eq!(at(&registered, "success"), JsValue::TRUE);
    assert_eq!(sorted_keys(&registered), "authIdentity,success");
    let id = text(&registered, "authIdentity.id");
    assert!(id.starts_with("authid_"), "{id}");
    assert_eq!(
        text(&registered, "authIdentity.provider_identities.0.entity_id"),
        "ada@example.com"
    );
    assert_eq!(
        sorted_keys(&at(&registered, "authIdentity.provider_identities.0")),
        "auth_identity_id,entity_id,id,provider,provider_metadata,user_metadata"
    );
    let metadata = at(
        &registered,
        "authIdentity.provider_identities.0.provider_metadata",
    );
    assert_eq!(sorted_keys(&metadata), "", "the hash is never handed out");

    // The identity is in the JS store, as JSON under its key.
    let record = JsFuture::from(Promise::from(
        Reflect::apply(
            &at(&store, "get").into(),
            &store,
            &js_sys::Array::of1(&s(&format!("ai:{id}"))),
        )
        .unwrap(),
    ))
    .await
    .unwrap();
    assert!(
        record
            .as_string()
            .unwrap()
            .contains("$pbkdf2-sha256$i=1000,")
    );

    let authenticated = resolved(service.authenticate(
        s("emailpass"),
        credentials("ada@example.com", "correct horse"),
    ))
    .await;
    assert_eq!(at(&authenticated, "success"), JsValue::TRUE);
    assert!(at(&authenticated, "location").is_undefined());
    assert_eq!(text(&authenticated, "authIdentity.id"), id);
}

#[wasm_bindgen_test]
async fn seed_flow_2_a_third_party_provider_that_is_not_configured_answers_medusa_error() {
    let service = service_over(kv_shaped_store());
    for response in [
        resolved(service.authenticate(s("google"), js(r#"{"query": {}, "protocol": "https"}"#)))
            .await,
        resolved(
            service.validate_callback(s("google"), js(r#"{"query": {"code": "c", "state": "s"}}"#)),
        )
        .await,
    ] {
        assert_eq!(
            stringify(&response),
            r#"{"success":false,"error":"\nUnable to retrieve the auth provider with id: google\nPlease make sure that the provider is registered in the container and it is configured correctly in your project configuration file."}"#
        );
    }
    let callback = resolved(service.validate_callback(s("emailpass"), js("{}"))).await;
    assert_eq!(
        text(&callback, "error"),
        "Callback authentication not implemented for provider emailpass"
    );
}

#[wasm_bindgen_test]
async fn seed_flow_3_update_and_update_provider_reset_the_password() {
    let service = service_over(kv_shaped_store());
    let email = "reset@example.com";
    resolved(service.register(s("emailpass"), credentials(email, "old password"))).await;

    let reset = resolved(service.update(
        s("emailpass"),
        js(&format!(
            r#"{{"email": "{email}", "password": "new password"}}"#
        )),
    ))
    .await;
    assert_eq!(
        at(&reset, "success"),
        JsValue::TRUE,
        "{}",
        stringify(&reset)
    );
    let old =
        resolved(service.authenticate(s("emailpass"), credentials(email, "old password"))).await;
    assert_eq!(text(&old, "error"), "Invalid email or password");
    let new =
        resolved(service.authenticate(s("emailpass"), credentials(email, "new password"))).await;
    assert_eq!(at(&new, "success"), JsValue::TRUE);

    let again = resolved(service.update_provider(
        s("emailpass"),
        js(&format!(
            r#"{{"entity_id": "{email}", "password": "third password"}}"#
        )),
    ))
    .await;
    assert_eq!(at(&again, "success"), JsValue::TRUE);
    let missing =
        resolved(service.update_provider(s("emailpass"), js(r#"{"password": "whatever1"}"#))).await;
    assert_eq!(
        text(&missing, "error"),
        "Cannot update emailpass provider identity without entity_id"
    );
}

#[wasm_bindgen_test]
async fn flows_answer_medusa_error_strings() {
    let service = service_over(JsMemoryStore::new().into());
    let ep = || s("emailpass");
    resolved(service.register(ep(), credentials("a@b.co", "correct horse"))).await;
    let cases = [
        (
            service.authenticate(ep(), credentials("a@b.co", "wrong horse")),
            "Invalid email or password",
        ),
        (
            service.authenticate(ep(), credentials("nobody@b.co", "correct horse")),
            "Invalid email or password",
        ),
        (
            service.register(ep(), credentials("a@b.co", "other horse")),
            "Identity with email already exists",
        ),
        (
            service.register(ep(), js(r#"{"body": {"email": "a@b.co"}}"#)),
            "Password should be a string",
        ),
        (
            service.register(ep(), js(r#"{"body": {"password": "correct horse"}}"#)),
            "Email should be a string",
        ),
        (
            service.register(
                ep(),
                js(r#"{"body": {"email": 5, "password": "correct horse"}}"#),
            ),
            "Email should be a string",
        ),
    ];
    for (promise, error) in cases {
        let response = resolved(promise).await;
        assert_eq!(
            stringify(&response),
            format!(r#"{{"success":false,"error":"{error}"}}"#)
        );
    }
}

#[wasm_bindgen_test]
async fn flows_resolve_even_when_the_store_fails() {
    let service = service_over(failing_store());
    let response =
        resolved(service.authenticate(s("emailpass"), credentials("a@b.co", "correct horse")))
            .await;
    assert_eq!(at(&response, "success"), JsValue::FALSE);
    assert!(
        text(&response, "error").contains("KV is unreachable"),
        "{}",
        stringify(&response)
    );
}

#[wasm_bindgen_test]
async fn a_configured_google_provider_answers_the_authorization_url_without_network() {
    let unconfigured = js(r#"{"providers": [{"id": "google", "options": {"clientSecret": "s"}}]}"#);
    Reflect::set(&unconfigured, &s("store"), &JsMemoryStore::new().into()).unwrap();
    match JsAuthModuleService::new(unconfigured) {
        Ok(_) => panic!("a google provider without clientId was accepted"),
        Err(e) => assert_edge_auth_error(&e, "INVALID_ARGUMENT", "Google clientId is required"),
    }

    // Every endpoint is known from the options, so authenticate fetches nothing: it only stores the
    // state and answers the URL.
    let options = js(r#"{"providers": [{"id": "google", "options": {
        "clientId": "client-1", "clientSecret": "secret-1",
        "callbackUrl": "https://shop.example/auth/google/callback",
        "authorizationUrl": "https://idp.invalid/authorize",
        "tokenUrl": "https://idp.invalid/token",
        "jwksUrl": "https://idp.invalid/jwks"
    }}]}"#);
    Reflect::set(&options, &s("store"), &kv_shaped_store()).unwrap();
    let service = JsAuthModuleService::new(options).expect("valid options");
    let response = resolved(service.authenticate(s("google"), js(r#"{"body": {}}"#))).await;
    assert_eq!(
        at(&response, "success"),
        JsValue::TRUE,
        "{}",
        stringify(&response)
    );
    assert_eq!(sorted_keys(&response), "location,success");
    let location = text(&response, "location");
    assert!(
        location.starts_with("https://idp.invalid/authorize?"),
        "{location}"
    );
    for part in [
        "client_id=client-1",
        "redirect_uri=https%3A%2F%2Fshop.example%2Fauth%2Fgoogle%2Fcallback",
        "code_challenge_method=S256",
        "state=",
    ] {
        assert!(location.contains(part), "{location} lacks {part}");
    }
    let callback = resolved(
        service.validate_callback(s("google"), js(r#"{"query": {"code": "c", "state": "s"}}"#)),
    )
    .await;
    assert_eq!(
        stringify(&callback),
        r#"{"success":false,"error":"No state provided, or session expired"}"#
    );
}

#[wasm_bindgen_test]
fn misuse_throws_edge_auth_errors_with_stable_codes() {
    let with = |options: &str, store: JsValue| {
        let options = js(options);
        Reflect::set(&options, &s("store"), &store).unwrap();
        options
    };
    let memory = || JsValue::from(JsMemoryStore::new());
    let constructions = [
        (
            JsValue::UNDEFINED,
            "INVALID_STORE",
            "pass { store: env.AUTH_KV }",
        ),
        (js("{}"), "INVALID_STORE", "options.store is required"),
        (
            with("{}", s("kv")),
            "INVALID_STORE",
            "must be an object, got a string",
        ),
        (
            with("{}", store_without("list")),
            "INVALID_STORE",
            "options.store has no list() method",
        ),
        (
            with(r#"{"provider": []}"#, memory()),
            "UNKNOWN_OPTION",
            "options has no option `provider`",
        ),
        (
            with(r#"{"providers": {}}"#, memory()),
            "INVALID_ARGUMENT",
            "options.providers must be an array",
        ),
        (
            with(r#"{"providers": [{"id": "facebook"}]}"#, memory()),
            "UNKNOWN_PROVIDER",
            "no auth provider \"facebook\"",
        ),
        (
            with(r#"{"providers": [{"id": "google"}]}"#, memory()),
            "INVALID_ARGUMENT",
            "options.providers[0].options.clientId: Google clientId is required",
        ),
        (
            with(
                r#"{"providers": [{"id": "github", "options": {"clientId": "i", "clientSecret": "s"}}]}"#,
                memory(),
            ),
            "INVALID_ARGUMENT",
            "options.providers[0].options.callbackUrl: Github callbackUrl is required",
        ),
        (
            with(
                r#"{"providers": [{"id": "google", "options": {"clientId": "i", "secret": "s"}}]}"#,
                memory(),
            ),
            "UNKNOWN_OPTION",
            "options.providers[0].options has no option `secret`",
        ),
        (
            with(
                r#"{"providers": [{"id": "corp", "type": "oidc", "options": {"clientId": "i", "clientSecret": "s", "callbackUrl": "https://shop.example/cb"}}]}"#,
                memory(),
            ),
            "INVALID_ARGUMENT",
            "corp issuer is required",
        ),
        (
            with(
                r#"{"providers": [{"id": "corp", "type": "saml"}]}"#,
                memory(),
            ),
            "INVALID_ARGUMENT",
            "options.providers[0].type must be \"oidc\"",
        ),
        (
            with(r#"{"providers": [{"id": 7}]}"#, memory()),
            "INVALID_ARGUMENT",
            "options.providers[0].id must be a provider id string",
        ),
        (
            with(
                r#"{"providers": [{"id": "emailpass", "resolve": "x"}]}"#,
                memory(),
            ),
            "UNKNOWN_OPTION",
            "options.providers[0] has no option `resolve`",
        ),
        (
            with(
                r#"{"providers": [{"id": "emailpass"}, {"id": "emailpass"}]}"#,
                memory(),
            ),
            "INVALID_ARGUMENT",
            "configured twice",
        ),
        (
            with(
                r#"{"providers": [{"id": "emailpass", "options": {"iterations": "600000"}}]}"#,
                memory(),
            ),
            "INVALID_ARGUMENT",
            "iterations must be a whole number, got a string",
        ),
        (
            with(
                r#"{"providers": [{"id": "emailpass", "options": {"iterations": 600000.5}}]}"#,
                memory(),
            ),
            "INVALID_ARGUMENT",
            "iterations must be a whole number, got 600000.5",
        ),
        (
            with(
                r#"{"providers": [{"id": "emailpass", "options": {"iterations": 10}}]}"#,
                memory(),
            ),
            "INVALID_ARGUMENT",
            "between 1000 and 10000000",
        ),
        (
            with(
                r#"{"providers": [{"id": "emailpass", "options": {"rounds": 1}}]}"#,
                memory(),
            ),
            "UNKNOWN_OPTION",
            "the options are: iterations, pepper",
        ),
    ];
    for (options, code, fragment) in constructions {
        match JsAuthModuleService::new(options) {
            Ok(_) => panic!("accepted options expecting {code}"),
            Err(e) => assert_edge_auth_error(&e, code, fragment),
        }
    }

    let service = service_over(memory());
    let calls = [
        (
            service.create_auth_identities(js(r#"[{"provider_identities": [{"entity_id": 5}]}]"#)),
            "data[0].provider_identities[0].entity_id must be a string",
        ),
        (
            service.update_auth_identities(js(r#"{"app_metadata": {}}"#)),
            "data.id is required",
        ),
        (
            service.retrieve_auth_identity(JsValue::NULL, JsValue::UNDEFINED),
            "id must be a string, got null",
        ),
        (
            service.list_auth_identities(js(r#"{"email": "x"}"#), JsValue::UNDEFINED),
            "filters has no field `email`",
        ),
        (
            service.delete_provider_identities(JsValue::from_f64(3.0)),
            "ids must be a string or an array of strings",
        ),
    ];
    for (call, fragment) in calls {
        match call {
            Ok(_) => panic!("no throw; expected {fragment}"),
            Err(e) => assert_edge_auth_error(&e, "INVALID_ARGUMENT", fragment),
        }
    }
}

/// Medusa's flow methods catch every error into `{ success: false, error }`; so do ours, for arguments
/// they cannot use too: no throw, no rejection, whatever the input.
#[wasm_bindgen_test]
async fn the_four_flow_methods_resolve_success_false_for_any_input() {
    let service = service_over(JsValue::from(JsMemoryStore::new()));
    let answers = [
        (
            service.register(JsValue::from_f64(1.0), js("{}")),
            "register(provider, input): provider must be a string, got a number",
        ),
        (
            service.register(s("emailpass"), JsValue::NULL),
            "register(provider, input): input must be an object, got null",
        ),
        (
            service.register(JsValue::NULL, JsValue::NULL),
            "register(provider, input): provider must be a string, got null",
        ),
        (
            service.authenticate(JsValue::UNDEFINED, JsValue::UNDEFINED),
            "authenticate(provider, input): provider must be a string, got undefined",
        ),
        (
            service.authenticate(s("emailpass"), js(r#"{"bdy": {}}"#)),
            "input has no field `bdy`",
        ),
        (
            service.authenticate(s("emailpass"), js(r#"{"headers": {"x": 1}}"#)),
            "input.headers.x must be a string, got a number",
        ),
        (
            service.authenticate(s("emailpass"), s("body")),
            "input must be an object, got a string",
        ),
        (
            service.authenticate(s("nope"), JsValue::UNDEFINED),
            "\nUnable to retrieve the auth provider with id: nope\nPlease make sure that the provider is registered in the container and it is configured correctly in your project configuration file.",
        ),
        (
            service.validate_callback(JsValue::from_bool(true), JsValue::NULL),
            "validateCallback(provider, input): provider must be a string, got a boolean",
        ),
        (
            service.validate_callback(s("emailpass"), JsValue::UNDEFINED),
            "Callback authentication not implemented for provider emailpass",
        ),
        (
            service.update_provider(JsValue::UNDEFINED, JsValue::UNDEFINED),
            "updateProvider(provider, data): provider must be a string, got undefined",
        ),
        (
            service.update_provider(s("emailpass"), JsValue::NULL),
            "updateProvider(provider, data): data must be an object, got null",
        ),
        (
            service.update(s("emailpass"), JsValue::UNDEFINED),
            "update(provider, data): data is required",
        ),
        (
            service.update_provider(s("emailpass"), js("[1]")),
            "data must be an object, got an array",
        ),
    ];
    for (call, fragment) in answers {
        let answer = resolved(call).await;
        assert_eq!(at(&answer, "success"), JsValue::FALSE, "{fragment}");
        let error = text(&answer, "error");
        assert!(error.contains(fragment), "{error:?} lacks {fragment:?}");
        assert_eq!(sorted_keys(&answer), "error,success");
    }
}

#[wasm_bindgen_test]
async fn crud_answers_one_record_for_one_and_an_array_for_an_array() {
    let service = service_over(kv_shaped_store());
    let one = resolved(service.create_auth_identities(js(
        r#"{"app_metadata": {"customer_id": "cus_1"}, "provider_identities": [{"entity_id": "e1", "provider": "custom"}]}"#,
    )))
    .await;
    let id = text(&one, "id");
    let many =
        resolved(service.create_auth_identities(js(r#"[{}, {"id": "authid_chosen"}]"#))).await;
    assert!(js_sys::Array::is_array(&many));
    assert_eq!(text(&many, "1.id"), "authid_chosen");

    let found = resolved(service.list_auth_identities(
        js(r#"{"app_metadata": {"customer_id": "cus_1"}}"#),
        JsValue::UNDEFINED,
    ))
    .await;
    assert_eq!(stringify(&at(&found, "length")), "1");
    assert_eq!(text(&found, "0.id"), id);
    let paged =
        resolved(service.list_auth_identities(JsValue::UNDEFINED, js(r#"{"skip": 1, "take": 1}"#)))
            .await;
    assert_eq!(stringify(&at(&paged, "length")), "1");
    // Past any count a page can have (beyond u32 too): nothing, not an error.
    let beyond = resolved(service.list_auth_identities(
        JsValue::UNDEFINED,
        js(r#"{"skip": 10000000000, "take": 10000000000}"#),
    ))
    .await;
    assert_eq!(stringify(&beyond), "[]");

    let updated = resolved(service.update_auth_identities(js(&format!(
        r#"{{"id": "{id}", "app_metadata": {{"user_id": "u_1"}}}}"#
    ))))
    .await;
    assert_eq!(text(&updated, "app_metadata.user_id"), "u_1");

    let pi_id = text(&one, "provider_identities.0.id");
    let pi = resolved(service.retrieve_provider_identity(s(&pi_id), JsValue::UNDEFINED)).await;
    assert_eq!(text(&pi, "entity_id"), "e1");
    let pis = resolved(
        service.list_provider_identities(js(r#"{"provider": "custom"}"#), JsValue::UNDEFINED),
    )
    .await;
    assert_eq!(text(&pis, "0.id"), pi_id);
    let pi2 = resolved(service.update_provider_identities(js(&format!(
        r#"[{{"id": "{pi_id}", "user_metadata": {{"name": "Ada"}}}}]"#
    ))))
    .await;
    assert_eq!(text(&pi2, "0.user_metadata.name"), "Ada");

    let deleted = resolved(service.delete_auth_identities(s(&id))).await;
    assert!(deleted.is_undefined());
    let gone = rejected(service.retrieve_auth_identity(s(&id), JsValue::UNDEFINED)).await;
    assert_edge_auth_error(
        &gone,
        "NOT_FOUND",
        &format!("AuthIdentity with id: {id} was not found"),
    );
}

#[wasm_bindgen_test]
async fn crud_rejects_with_coded_errors() {
    let service = service_over(JsMemoryStore::new().into());
    let pi = r#"{"provider_identities": [{"entity_id": "same", "provider": "custom"}]}"#;
    resolved(service.create_auth_identities(js(pi))).await;
    let cases = [
        (
            service.create_auth_identities(js(pi)),
            "CONFLICT",
            "Provider identity with entity_id same and provider custom already exists",
        ),
        (
            service.update_auth_identities(js(r#"{"id": "authid_nope"}"#)),
            "NOT_FOUND",
            r#"AuthIdentity with id "authid_nope" not found"#,
        ),
        (
            service.update_provider_identities(js(r#"{"id": "provid_nope"}"#)),
            "NOT_FOUND",
            r#"ProviderIdentity with id "provid_nope" not found"#,
        ),
        (
            service.retrieve_provider_identity(s("provid_nope"), JsValue::UNDEFINED),
            "NOT_FOUND",
            "ProviderIdentity with id: provid_nope was not found",
        ),
        (
            service.create_auth_identities(js(r#"{"id": "bad id!"}"#)),
            "INVALID_DATA",
            "Invalid id",
        ),
        (
            service.create_provider_identities(js(r#"{"entity_id": "x", "provider": "custom"}"#)),
            "INVALID_DATA",
            "auth_identity_id is required",
        ),
    ];
    for (promise, code, fragment) in cases {
        assert_edge_auth_error(&rejected(promise).await, code, fragment);
    }

    let broken = service_over(failing_store());
    let error = rejected(broken.list_auth_identities(JsValue::UNDEFINED, JsValue::UNDEFINED)).await;
    assert_edge_auth_error(
        &error,
        "STORE_ERROR",
        "store.list() failed: KV is unreachable",
    );

    // An answer of the wrong shape is refused, not read as "nothing there".
    let wrong = service_over(store_answering(JsValue::from(42), JsValue::NULL));
    let error = rejected(wrong.retrieve_auth_identity(s("authid_x"), JsValue::UNDEFINED)).await;
    assert_edge_auth_error(
        &error,
        "STORE_ERROR",
        "store.get() failed: it must resolve to a string or null",
    );
    let pages = [
        (
            r#"{"keys": "a:1", "list_complete": true}"#,
            "`keys` is not an array",
        ),
        (
            r#"{"keys": [{"id": "a:1"}], "list_complete": true}"#,
            "an entry of `keys` has no string `name`",
        ),
        (
            r#"{"keys": [], "list_complete": "yes"}"#,
            "`list_complete` is not a boolean",
        ),
        (
            r#"{"keys": [], "list_complete": false}"#,
            "`list_complete` is false but `cursor` is missing",
        ),
    ];
    for (page, fragment) in pages {
        let wrong = service_over(store_answering(JsValue::NULL, js(page)));
        let error =
            rejected(wrong.list_auth_identities(JsValue::UNDEFINED, JsValue::UNDEFINED)).await;
        assert_edge_auth_error(&error, "STORE_ERROR", fragment);
    }
}

#[wasm_bindgen_test]
async fn memory_store_behaves_like_workers_kv() {
    let store = JsMemoryStore::new();
    for key in ["b:2", "a:3", "a:1", "a:2"] {
        resolved(store.put(s(key), s("v"), JsValue::UNDEFINED)).await;
    }
    resolved(store.put(s("ttl"), s("v"), js(r#"{"expirationTtl": 1}"#))).await;
    assert_eq!(
        resolved(store.get(s("ttl"))).await,
        s("v"),
        "TTLs under 60 s are raised to 60 s"
    );
    assert_eq!(resolved(store.get(s("missing"))).await, JsValue::NULL);

    let first = resolved(store.list(js(r#"{"prefix": "a:", "limit": 2}"#))).await;
    assert_eq!(
        stringify(&first),
        r#"{"keys":[{"name":"a:1"},{"name":"a:2"}],"list_complete":false,"cursor":"a:2"}"#
    );
    let options = js(r#"{"prefix": "a:"}"#);
    Reflect::set(&options, &s("cursor"), &at(&first, "cursor")).unwrap();
    let rest = resolved(store.list(options)).await;
    assert_eq!(
        stringify(&rest),
        r#"{"keys":[{"name":"a:3"}],"list_complete":true}"#
    );

    resolved(store.delete(s("a:1"))).await;
    assert_eq!(resolved(store.get(s("a:1"))).await, JsValue::NULL);
    assert_edge_auth_error(
        &store
            .put(s("k"), JsValue::from_f64(1.0), JsValue::UNDEFINED)
            .unwrap_err(),
        "INVALID_ARGUMENT",
        "value must be a string",
    );
    // The number as JavaScript writes it.
    for (limit, shown) in [("1.5", "got 1.5"), ("1e21", "got 1e+21"), ("0", "got 0")] {
        assert_edge_auth_error(
            &store
                .list(js(&format!(r#"{{"limit": {limit}}}"#)))
                .unwrap_err(),
            "INVALID_ARGUMENT",
            &format!("limit must be a whole number from 1 to 1000, {shown}"),
        );
    }
}

#[wasm_bindgen_test]
async fn one_register_at_600000_iterations_is_timed() {
    let service = JsAuthModuleService::new(options(JsMemoryStore::new().into(), 600_000)).unwrap();
    let mut times = Vec::new();
    for email in ["first@example.com", "second@example.com"] {
        let started = js_sys::Date::now();
        let response =
            resolved(service.register(s("emailpass"), credentials(email, "correct horse"))).await;
        times.push(js_sys::Date::now() - started);
        assert_eq!(at(&response, "success"), JsValue::TRUE);
    }
    let agent = at(&js_sys::global(), "navigator.userAgent")
        .as_string()
        .unwrap_or_default();
    console_log!(
        "edge-auth: one emailpass register at 600,000 PBKDF2 iterations took {} ms (first), {} ms (second) in {agent}",
        times[0],
        times[1]
    );
}

/// `importAuthIdentities`: Medusa's rows in (timestamps and all), one result per item, a re-run
/// unchanged, a case twin failed rather than merged; Medusa's scrypt hash then signs in.
#[wasm_bindgen_test]
async fn import_auth_identities_takes_medusa_rows_and_reports_each() {
    let fixture: serde_json::Value =
        serde_json::from_str(include_str!("fixtures/medusa/scrypt-kdf.json")).unwrap();
    let case = &fixture["hashes"][2];
    let (password, hash) = (
        case["password"].as_str().unwrap(),
        case["hash"].as_str().unwrap(),
    );
    let row = |n: u32, email: &str| {
        format!(
            r#"{{"id": "authid_{n}", "app_metadata": {{"customer_id": "cus_{n}"}}, "created_at": "2025-01-01T00:00:00Z",
               "provider_identities": [{{"id": "provid_{n}", "provider": "emailpass", "entity_id": "{email}",
               "auth_identity_id": "authid_{n}", "user_metadata": null, "provider_metadata": {{"password": "{hash}"}},
               "deleted_at": null}}]}}"#
        )
    };
    let service = service_over(kv_shaped_store());
    let batch = format!(
        "[{}, {}]",
        row(1, "Jane@Example.com"),
        row(2, "jane@example.com")
    );
    let results = resolved(service.import_auth_identities(js(&batch))).await;
    assert_eq!(text(&results, "0.status"), "created");
    assert_eq!(text(&results, "1.status"), "failed");
    assert!(text(&results, "1.error").contains("differ only by case are not merged"));
    let again = resolved(service.import_auth_identities(js(&row(1, "Jane@Example.com")))).await;
    assert_eq!(text(&again, "status"), "unchanged");
    assert_eq!(text(&again, "id"), "authid_1");

    let login =
        resolved(service.authenticate(s("emailpass"), credentials("jane@example.com", password)))
            .await;
    assert_eq!(at(&login, "success"), JsValue::TRUE);
    assert_eq!(text(&login, "authIdentity.id"), "authid_1");
    // Medusa's rows also go through createAuthIdentities, with Medusa's rules.
    let created = resolved(service.create_auth_identities(js(&row(3, "other@example.com")))).await;
    assert_eq!(text(&created, "id"), "authid_3");
}
