//! [`HttpClient`] over `globalThis.fetch`, for the third-party providers of both the Worker (workerd) and
//! the npm package (Node >= 20, browsers, workerd): `redirect: "manual"` (a 3xx comes back as it is,
//! never followed), `AbortSignal.timeout` for the whole exchange, and a body read that stops at
//! [`MAX_RESPONSE_BYTES`]. Reached through `crate::js_object` only, so neither build needs
//! `web-sys` bindings for it.

use crate::js_object::{awaited, call, get, set};
use crate::ports::http::{
    HttpClient, HttpError, IncomingResponse, MAX_RESPONSE_BYTES, OutgoingRequest, TIMEOUT_MS,
    host_of,
};
use async_trait::async_trait;
use js_sys::{Array, Object, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};

pub struct FetchClient;

fn describe(e: &JsValue) -> String {
    e.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| e.as_string())
        .unwrap_or_else(|| "fetch failed".into())
}

struct Exchange<'a> {
    host: &'a str,
    signal: &'a JsValue,
}

impl Exchange<'_> {
    /// A JS failure as an [`HttpError`]: a timeout if our signal fired, else the platform's message.
    fn error(&self, e: &JsValue) -> HttpError {
        if get(self.signal, "aborted").ok().and_then(|a| a.as_bool()) == Some(true) {
            HttpError::Timeout {
                host: self.host.to_owned(),
                after_ms: TIMEOUT_MS,
            }
        } else {
            HttpError::Failed {
                host: self.host.to_owned(),
                reason: describe(e),
            }
        }
    }

    fn too_large(&self) -> HttpError {
        HttpError::TooLarge {
            host: self.host.to_owned(),
            limit: MAX_RESPONSE_BYTES,
        }
    }

    async fn read_body(&self, response: &JsValue) -> Result<Vec<u8>, HttpError> {
        let stream = get(response, "body").map_err(|e| self.error(&e))?;
        if stream.is_null() || stream.is_undefined() {
            return Ok(Vec::new());
        }
        let reader = call(&stream, "getReader", &[]).map_err(|e| self.error(&e))?;
        let mut body = Vec::new();
        loop {
            let read = call(&reader, "read", &[]).map_err(|e| self.error(&e))?;
            let chunk = awaited(read).await.map_err(|e| self.error(&e))?;
            let done = get(&chunk, "done").map_err(|e| self.error(&e))?;
            if done.as_bool().unwrap_or(true) {
                return Ok(body);
            }
            let value = get(&chunk, "value").map_err(|e| self.error(&e))?;
            let bytes = Uint8Array::new(&value);
            let len = bytes.length() as usize;
            if body.len() + len > MAX_RESPONSE_BYTES {
                // Stop the transfer; the rest is never read.
                let _ = call(&reader, "cancel", &[]);
                return Err(self.too_large());
            }
            let start = body.len();
            body.resize(start + len, 0);
            bytes.copy_to(&mut body[start..]);
        }
    }

    async fn send(&self, request: &OutgoingRequest) -> Result<IncomingResponse, HttpError> {
        let fail = |e: JsValue| self.error(&e);
        let init = Object::new();
        set(&init, "method", &request.method.as_str().into()).map_err(fail)?;
        set(&init, "redirect", &"manual".into()).map_err(fail)?;
        set(&init, "signal", self.signal).map_err(fail)?;
        let headers: Array = request
            .headers
            .iter()
            .map(|(name, value)| Array::of2(&name.into(), &value.into()))
            .collect();
        set(&init, "headers", &headers).map_err(fail)?;
        if !request.body.is_empty() {
            set(&init, "body", &Uint8Array::from(request.body.as_slice())).map_err(fail)?;
        }

        let pending = call(
            &js_sys::global(),
            "fetch",
            &[request.url.as_str().into(), init.into()],
        )
        .map_err(fail)?;
        let response = awaited(pending).await.map_err(fail)?;

        let headers = get(&response, "headers").map_err(fail)?;
        let declared = call(&headers, "get", &["content-length".into()])
            .ok()
            .and_then(|l| l.as_string())
            .and_then(|l| l.trim().parse::<usize>().ok());
        if declared.is_some_and(|len| len > MAX_RESPONSE_BYTES) {
            if let Ok(body) = get(&response, "body")
                && !body.is_null()
                && !body.is_undefined()
            {
                let _ = call(&body, "cancel", &[]);
            }
            return Err(self.too_large());
        }
        let mut entries = Vec::new();
        let iterator = js_sys::try_iter(&headers)
            .map_err(fail)?
            .ok_or_else(|| self.error(&"response headers are not iterable".into()))?;
        for pair in iterator {
            let pair = Array::from(&pair.map_err(fail)?);
            if let (Some(name), Some(value)) = (pair.get(0).as_string(), pair.get(1).as_string()) {
                entries.push((name, value));
            }
        }
        let status = get(&response, "status")
            .map_err(fail)?
            .as_f64()
            .unwrap_or(0.0) as u16;
        let status_text = get(&response, "statusText")
            .map_err(fail)?
            .as_string()
            .unwrap_or_default();
        let body = self.read_body(&response).await?;
        Ok(IncomingResponse {
            status,
            status_text,
            headers: entries,
            body,
        })
    }
}

#[async_trait(?Send)]
impl HttpClient for FetchClient {
    async fn send(&self, request: OutgoingRequest) -> Result<IncomingResponse, HttpError> {
        let host = host_of(&request.url).to_owned();
        let failed = |e: JsValue| HttpError::Failed {
            host: host.clone(),
            reason: describe(&e),
        };
        let abort_signal = get(&js_sys::global(), "AbortSignal").map_err(failed)?;
        let signal = call(&abort_signal, "timeout", &[TIMEOUT_MS.into()]).map_err(failed)?;
        Exchange {
            host: &host,
            signal: &signal,
        }
        .send(&request)
        .await
    }
}
