//! [`KvStore`] over any JavaScript object shaped like a Workers KV namespace: a real KV binding
//! (`env.MY_KV`), the package's `MemoryStore`, or a hand-written adapter. Each call invokes the object's
//! method and awaits what it returns (a promise or a plain value).

use super::convert::{describe_js, message_of};
use super::error::{ApiError, Code};
use crate::store::{KeyPage, KvStore, StoreError, keys};
use async_trait::async_trait;
use js_sys::{Array, Function, Object, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

const METHODS: [&str; 4] = ["get", "put", "delete", "list"];

const SHAPE: &str = "pass a Workers KV namespace binding (e.g. env.AUTH_KV), new MemoryStore(), or an object \
    with KV's methods: get(key), put(key, value, { expirationTtl }), delete(key), \
    list({ prefix, cursor, limit }) -> { keys: [{ name }], list_complete, cursor }";

pub struct JsKvStore {
    target: JsValue,
    get: Function,
    put: Function,
    delete: Function,
    list: Function,
}

fn invalid_store(message: String) -> ApiError {
    ApiError::new(Code::InvalidStore, message)
}

fn failed(op: &str, detail: impl std::fmt::Display) -> StoreError {
    StoreError(format!("store.{op}() failed: {detail}"))
}

impl JsKvStore {
    /// Checks the object's shape once, up front, so a wrong store fails at construction.
    pub fn from_js(store: &JsValue) -> Result<Self, ApiError> {
        if store.is_undefined() || store.is_null() {
            return Err(invalid_store(format!("options.store is required: {SHAPE}")));
        }
        if !store.is_object() {
            return Err(invalid_store(format!(
                "options.store must be an object, got {}: {SHAPE}",
                describe_js(store)
            )));
        }
        let method = |name: &str| -> Result<Function, ApiError> {
            let found = Reflect::get(store, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED);
            found.dyn_into::<Function>().map_err(|_| {
                invalid_store(format!("options.store has no {name}() method: {SHAPE}"))
            })
        };
        let [get, put, delete, list] = METHODS.map(method);
        Ok(Self {
            target: store.clone(),
            get: get?,
            put: put?,
            delete: delete?,
            list: list?,
        })
    }

    async fn call(
        &self,
        op: &str,
        method: &Function,
        args: &[JsValue],
    ) -> Result<JsValue, StoreError> {
        let args: Array = args.iter().collect();
        let returned = method
            .apply(&self.target, &args)
            .map_err(|e| failed(op, message_of(&e)))?;
        JsFuture::from(Promise::resolve(&returned))
            .await
            .map_err(|e| failed(op, message_of(&e)))
    }
}

fn set(object: &Object, key: &str, value: JsValue) {
    // Setting a data property on a fresh plain object cannot fail.
    let _ = Reflect::set(object, &JsValue::from_str(key), &value);
}

/// `{ keys: [{ name }], list_complete, cursor }` into a [`KeyPage`].
fn key_page(result: &JsValue) -> Result<KeyPage, StoreError> {
    let bad = |what: &str| {
        failed(
            "list",
            format!("it must resolve to {{ keys: [{{ name }}], list_complete, cursor }}; {what}"),
        )
    };
    let field =
        |name: &str| Reflect::get(result, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED);
    if !result.is_object() {
        return Err(bad(&format!("got {}", describe_js(result))));
    }
    let listed = field("keys");
    if !Array::is_array(&listed) {
        return Err(bad(&format!("`keys` is {}", describe_js(&listed))));
    }
    let mut keys = Vec::new();
    for entry in Array::from(&listed).iter() {
        let name = Reflect::get(&entry, &JsValue::from_str("name"))
            .ok()
            .and_then(|n| n.as_string())
            .ok_or_else(|| bad("an entry of `keys` has no string `name`"))?;
        keys.push(name);
    }
    let complete = field("list_complete")
        .as_bool()
        .ok_or_else(|| bad("`list_complete` is not a boolean"))?;
    let cursor = if complete {
        None
    } else {
        Some(
            field("cursor")
                .as_string()
                .filter(|c| !c.is_empty())
                .ok_or_else(|| bad("`list_complete` is false but `cursor` is missing"))?,
        )
    };
    Ok(KeyPage { keys, cursor })
}

#[async_trait(?Send)]
impl KvStore for JsKvStore {
    async fn get(&self, key: &str) -> Result<Option<String>, StoreError> {
        let value = self.call("get", &self.get, &[key.into()]).await?;
        if value.is_null() || value.is_undefined() {
            return Ok(None);
        }
        value.as_string().map(Some).ok_or_else(|| {
            failed(
                "get",
                format!(
                    "it must resolve to a string or null, got {}",
                    describe_js(&value)
                ),
            )
        })
    }

    async fn put(&self, key: &str, value: &str, ttl_secs: Option<u64>) -> Result<(), StoreError> {
        let mut args = vec![JsValue::from_str(key), JsValue::from_str(value)];
        if let Some(ttl) = ttl_secs {
            let options = Object::new();
            set(
                &options,
                "expirationTtl",
                JsValue::from_f64(keys::clamp_ttl(ttl) as f64),
            );
            args.push(options.into());
        }
        self.call("put", &self.put, &args).await.map(drop)
    }

    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        self.call("delete", &self.delete, &[key.into()])
            .await
            .map(drop)
    }

    async fn list(
        &self,
        prefix: &str,
        cursor: Option<&str>,
        limit: u32,
    ) -> Result<KeyPage, StoreError> {
        let options = Object::new();
        set(&options, "prefix", prefix.into());
        set(&options, "limit", JsValue::from_f64(f64::from(limit)));
        if let Some(c) = cursor {
            set(&options, "cursor", c.into());
        }
        let result = self.call("list", &self.list, &[options.into()]).await?;
        key_page(&result)
    }
}
