//! [`Runtime`] for the npm package: the global `setTimeout` and `console.warn`, which Workers, Node and
//! browsers all have. Used by the password-reset delivery (its head start, its retries, its warnings).

use crate::ports::runtime::Runtime;
use async_trait::async_trait;
use js_sys::{Function, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(handler: &Function, ms: f64) -> JsValue;

    #[wasm_bindgen(js_namespace = console, js_name = warn)]
    fn console_warn(message: &str);
}

pub struct JsRuntime;

#[async_trait(?Send)]
impl Runtime for JsRuntime {
    async fn sleep(&self, ms: u32) {
        let timer = Promise::new(&mut |resolve, _| {
            set_timeout(&resolve, f64::from(ms));
        });
        // A timer's promise only resolves.
        let _ = JsFuture::from(timer).await;
    }

    fn warn(&self, message: &str) {
        console_warn(message);
    }
}
