//! Every promise the package returns is made here, from a boxed future: wasm-bindgen's promise machinery
//! (its task, the resolve and reject glue) is then compiled once instead of once per method
//! (docs/performance.md#bundle-size).

use super::error::ApiError;
use js_sys::Promise;
use std::future::Future;
use std::pin::Pin;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::future_to_promise;

/// A method's work: its answer, or the coded error to reject with.
pub type Work = Pin<Box<dyn Future<Output = Result<JsValue, ApiError>>>>;

/// A method's work whose failures are JavaScript values already (building a `Date` answer).
pub type JsWork = Pin<Box<dyn Future<Output = Result<JsValue, JsValue>>>>;

/// A promise of `work`'s answer, rejected with an `EdgeAuthError` of its error's code.
pub fn promise(work: Work) -> Promise {
    promise_js(Box::pin(async move { work.await.map_err(JsValue::from) }))
}

/// A promise of `work`'s answer, rejected with its error as it is.
pub fn promise_js(work: JsWork) -> Promise {
    future_to_promise(work)
}
