//! `options.store` checked into a [`JsKv`]: the refusals the npm API answers for a store of the wrong
//! shape. The calls themselves live in `crate::js_kv`, shared with the Worker.

use super::convert::describe_js;
use super::error::{ApiError, Code};
use crate::js_kv::{JsKv, NotANamespace};
use wasm_bindgen::JsValue;

const SHAPE: &str = "pass a Workers KV namespace binding (e.g. env.AUTH_KV), new MemoryStore(), or an object \
    with KV's methods: get(key), put(key, value, { expirationTtl }), delete(key), \
    list({ prefix, cursor, limit }) -> { keys: [{ name }], list_complete, cursor }";

pub fn store_from_js(store: &JsValue) -> Result<JsKv, ApiError> {
    JsKv::new(store).map_err(|refused| {
        let message = match refused {
            NotANamespace::Missing => format!("options.store is required: {SHAPE}"),
            NotANamespace::NotAnObject => format!(
                "options.store must be an object, got {}: {SHAPE}",
                describe_js(store)
            ),
            NotANamespace::NoMethod(name) => {
                format!("options.store has no {name}() method: {SHAPE}")
            }
        };
        ApiError::new(Code::InvalidStore, message)
    })
}
