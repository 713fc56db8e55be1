//! Reading and calling JavaScript objects through `js_sys::Reflect`, for every module that talks to the
//! platform without `web-sys` bindings (`fetch`, `crypto.subtle`, a KV namespace, the npm API's inputs).

use js_sys::{Array, Function, Object, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// `target[key]`; a throwing getter (a revoked Proxy) is the error.
pub fn get(target: &JsValue, key: &str) -> Result<JsValue, JsValue> {
    Reflect::get(target, &JsValue::from_str(key))
}

/// `target[key] = value`.
pub fn set(target: &Object, key: &str, value: &JsValue) -> Result<(), JsValue> {
    Reflect::set(target, &JsValue::from_str(key), value).map(drop)
}

/// `object[key] = value` on a plain object this code created: no setter or proxy to throw, so the result
/// needs no handling.
pub fn set_own(object: &Object, key: &str, value: &JsValue) {
    let _ = set(object, key, value);
}

/// `target[name]` when it is a function.
pub fn method(target: &JsValue, name: &str) -> Result<Function, JsValue> {
    get(target, name)?
        .dyn_into()
        .map_err(|_| JsValue::from_str(&format!("{name} is not a function")))
}

/// `target[name](...args)`, returning what the call returned (a promise is not awaited).
pub fn call(target: &JsValue, name: &str, args: &[JsValue]) -> Result<JsValue, JsValue> {
    method(target, name)?.apply(target, &args.iter().collect::<Array>())
}

/// `await value`: a promise's outcome, or the value itself when it is not a promise.
pub async fn awaited(value: JsValue) -> Result<JsValue, JsValue> {
    JsFuture::from(Promise::resolve(&value)).await
}

/// What a thrown value says: an `Error`'s message, a thrown string, else the value as the console shows it.
pub fn message_of(value: &JsValue) -> String {
    if let Some(error) = value.dyn_ref::<js_sys::Error>() {
        return String::from(error.message());
    }
    value.as_string().unwrap_or_else(|| format!("{value:?}"))
}
