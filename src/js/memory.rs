//! `MemoryStore`: the core's in-memory store behind Workers KV's JavaScript interface, for tests and
//! demos. It has KV's semantics (60 s TTL minimum, sorted listing with cursors) and forgets everything
//! when the process ends.

use super::convert::{describe_js, number_text, plain_object, property};
use super::error::ApiError;
use crate::js_object::set_own as set;
use crate::store::{KvStore, MemoryStore, StoreError};
use js_sys::{Array, Object, Promise};
use std::pin::pin;
use std::task::{Context, Poll, Waker};
use wasm_bindgen::prelude::*;

/// Workers KV's default and largest page.
const MAX_LIST_LIMIT: u32 = 1000;

/// `MemoryStore`: a KV-shaped store in memory, with expiry, for tests and single-process use.
#[wasm_bindgen(js_name = MemoryStore, skip_typescript)]
#[derive(Default)]
pub struct JsMemoryStore {
    inner: MemoryStore,
}

/// The memory store's operations never wait; this runs one to completion without an executor.
fn now<T>(future: impl Future<Output = Result<T, StoreError>>) -> Result<T, StoreError> {
    match pin!(future).poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(result) => result,
        Poll::Pending => Err(StoreError("the memory store unexpectedly waited".into())),
    }
}

/// Answers like a KV binding: a promise, rejected for a store failure, thrown for a bad argument.
fn settle<T: Into<JsValue>>(result: Result<T, StoreError>) -> Promise {
    match result {
        Ok(value) => Promise::resolve(&value.into()),
        Err(e) => Promise::reject(&js_sys::Error::new(&e.to_string())),
    }
}

fn key_arg(key: &JsValue, method: &str) -> Result<String, ApiError> {
    key.as_string().ok_or_else(|| {
        ApiError::invalid_argument(format!(
            "MemoryStore.{method}(key): key must be a string, got {}",
            describe_js(key)
        ))
    })
}

#[wasm_bindgen(js_class = MemoryStore)]
impl JsMemoryStore {
    /// An empty store.
    #[wasm_bindgen(constructor)]
    pub fn new() -> JsMemoryStore {
        Self::default()
    }

    /// The value under `key`, or `null`.
    pub fn get(&self, key: JsValue) -> Result<Promise, JsValue> {
        let key = key_arg(&key, "get")?;
        Ok(settle(now(self.inner.get(&key)).map(|v| match v {
            Some(s) => JsValue::from(s),
            None => JsValue::NULL,
        })))
    }

    /// Stores a string; `options.expirationTtl` (seconds, at least 60 as in KV) makes it expire.
    pub fn put(&self, key: JsValue, value: JsValue, options: JsValue) -> Result<Promise, JsValue> {
        let key = key_arg(&key, "put")?;
        let value = value.as_string().ok_or_else(|| {
            ApiError::invalid_argument(format!(
                "MemoryStore.put(key, value): value must be a string, got {}",
                describe_js(&value)
            ))
        })?;
        let ttl = if options.is_undefined() || options.is_null() {
            None
        } else {
            let what = "MemoryStore.put(key, value, options): options";
            let ttl = property(&plain_object(&options, what)?, "expirationTtl", what)?;
            match ttl.as_f64() {
                None if ttl.is_undefined() => None,
                Some(secs) if secs.is_finite() && secs >= 0.0 => Some(secs as u64),
                _ => {
                    return Err(ApiError::invalid_argument(format!(
                        "{what}.expirationTtl must be a number of seconds, got {}",
                        describe_js(&ttl)
                    ))
                    .into());
                }
            }
        };
        Ok(settle(
            now(self.inner.put(&key, &value, ttl)).map(|()| JsValue::UNDEFINED),
        ))
    }

    /// Removes `key`; resolves when done.
    pub fn delete(&self, key: JsValue) -> Result<Promise, JsValue> {
        let key = key_arg(&key, "delete")?;
        Ok(settle(
            now(self.inner.delete(&key)).map(|()| JsValue::UNDEFINED),
        ))
    }

    /// `{ keys: [{ name }], list_complete, cursor? }` for `{ prefix, cursor, limit }` (limit at most 1000).
    pub fn list(&self, options: JsValue) -> Result<Promise, JsValue> {
        let what = "MemoryStore.list(options): options";
        let (prefix, cursor, limit) = if options.is_undefined() || options.is_null() {
            (String::new(), None, MAX_LIST_LIMIT)
        } else {
            let options = plain_object(&options, what)?;
            let text = |name: &str| -> Result<Option<String>, ApiError> {
                let v = property(&options, name, what)?;
                if v.is_undefined() || v.is_null() {
                    return Ok(None);
                }
                v.as_string().map(Some).ok_or_else(|| {
                    ApiError::invalid_argument(format!(
                        "{what}.{name} must be a string, got {}",
                        describe_js(&v)
                    ))
                })
            };
            let limit = property(&options, "limit", what)?;
            let limit = match limit.as_f64() {
                None if limit.is_undefined() => MAX_LIST_LIMIT,
                Some(n) if n.fract() == 0.0 && (1.0..=f64::from(MAX_LIST_LIMIT)).contains(&n) => {
                    n as u32
                }
                _ => {
                    return Err(ApiError::invalid_argument(format!(
                        "{what}.limit must be a whole number from 1 to {MAX_LIST_LIMIT}, got {}",
                        limit
                            .as_f64()
                            .map_or_else(|| describe_js(&limit).to_owned(), number_text)
                    ))
                    .into());
                }
            };
            (text("prefix")?.unwrap_or_default(), text("cursor")?, limit)
        };
        let page = now(self.inner.list(&prefix, cursor.as_deref(), limit));
        Ok(settle(page.map(|page| {
            let result = Object::new();
            let keys: Array = page
                .keys
                .into_iter()
                .map(|name| {
                    let key = Object::new();
                    set(&key, "name", &name.into());
                    JsValue::from(key)
                })
                .collect();
            set(&result, "keys", &keys.into());
            set(&result, "list_complete", &page.cursor.is_none().into());
            if let Some(cursor) = page.cursor {
                set(&result, "cursor", &cursor.into());
            }
            JsValue::from(result)
        })))
    }
}
