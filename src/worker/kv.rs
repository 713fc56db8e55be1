//! [`KvStore`] over a Workers KV namespace, called as the JavaScript object it is.
//!
//! workers-rs's `KvStore` builds every call's options and reads `list`'s answer through
//! serde_wasm_bindgen and derived serde impls, the module's only users of them; four plain calls
//! through `js_sys` do the same work without that code (docs/performance.md#bundle-size).

use crate::store::{KeyPage, KvStore, StoreError, keys};
use async_trait::async_trait;
use js_sys::{Array, Function, Object, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// The namespace bound as `binding` in the Worker's environment.
pub struct WorkersKv(Object);

impl WorkersKv {
    /// `None` when the environment has no object under `binding`.
    pub fn bind(env: &worker::Env, binding: &str) -> Option<Self> {
        Reflect::get(env, &JsValue::from_str(binding))
            .ok()?
            .dyn_into::<Object>()
            .ok()
            .map(Self)
    }

    /// `await namespace[method](...args)`.
    async fn call(&self, method: &str, args: &[JsValue]) -> Result<JsValue, JsValue> {
        let function: Function = get(&self.0, method)?.dyn_into()?;
        let promise: Promise = function
            .apply(&self.0, &args.iter().collect::<Array>())?
            .dyn_into()?;
        JsFuture::from(promise).await
    }
}

fn get(target: &JsValue, key: &str) -> Result<JsValue, JsValue> {
    Reflect::get(target, &JsValue::from_str(key))
}

fn set(target: &Object, key: &str, value: JsValue) -> Result<(), JsValue> {
    Reflect::set(target, &JsValue::from_str(key), &value).map(|_| ())
}

/// What the runtime threw, for the log line the store error becomes (an `Error`'s message, else the
/// value as the console would show it).
fn failed(op: &str, e: &JsValue) -> StoreError {
    let message = get(e, "message")
        .ok()
        .and_then(|m| m.as_string())
        .unwrap_or_else(|| format!("{e:?}"));
    StoreError(format!("KV {op} failed: {message}"))
}

/// A page of `list`'s answer: `{ keys: [{ name }], list_complete, cursor }`.
fn key_page(page: &JsValue) -> Result<KeyPage, JsValue> {
    let mut names = Vec::new();
    for key in get(page, "keys")?.dyn_into::<Array>()?.iter() {
        names.push(get(&key, "name")?.as_string().ok_or(key)?);
    }
    let complete = get(page, "list_complete")?.as_bool().unwrap_or(true);
    Ok(KeyPage {
        keys: names,
        cursor: if complete {
            None
        } else {
            get(page, "cursor")?.as_string()
        },
    })
}

#[async_trait(?Send)]
impl KvStore for WorkersKv {
    async fn get(&self, key: &str) -> Result<Option<String>, StoreError> {
        // `get(key)` answers the value as text, or null when there is none.
        let value = self
            .call("get", &[JsValue::from_str(key)])
            .await
            .map_err(|e| failed("get", &e))?;
        Ok(value.as_string())
    }

    async fn put(&self, key: &str, value: &str, ttl_secs: Option<u64>) -> Result<(), StoreError> {
        let options = Object::new();
        if let Some(ttl) = ttl_secs {
            // A TTL is at most keys::clamp_ttl's bound, far below 2^53: exact as a JS number.
            set(
                &options,
                "expirationTtl",
                JsValue::from_f64(keys::clamp_ttl(ttl) as f64),
            )
            .map_err(|e| failed("put", &e))?;
        }
        let args = [
            JsValue::from_str(key),
            JsValue::from_str(value),
            options.into(),
        ];
        self.call("put", &args)
            .await
            .map(|_| ())
            .map_err(|e| failed("put", &e))
    }

    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        self.call("delete", &[JsValue::from_str(key)])
            .await
            .map(|_| ())
            .map_err(|e| failed("delete", &e))
    }

    async fn list(
        &self,
        prefix: &str,
        cursor: Option<&str>,
        limit: u32,
    ) -> Result<KeyPage, StoreError> {
        let options = Object::new();
        let mut fields = vec![
            ("prefix", JsValue::from_str(prefix)),
            ("limit", JsValue::from(limit)),
        ];
        if let Some(c) = cursor {
            fields.push(("cursor", JsValue::from_str(c)));
        }
        for (k, v) in fields {
            set(&options, k, v).map_err(|e| failed("list", &e))?;
        }
        let page = self
            .call("list", &[options.into()])
            .await
            .map_err(|e| failed("list", &e))?;
        key_page(&page).map_err(|e| failed("list", &e))
    }
}
