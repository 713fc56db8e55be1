//! [`HttpClient`] over the Workers `fetch`: `redirect: "manual"` (a 3xx comes back as it is, never
//! followed), `AbortSignal.timeout` for the whole exchange, and a body read that stops at
//! [`MAX_RESPONSE_BYTES`].

use crate::oauth::client::{
    HttpClient, HttpError, IncomingResponse, MAX_RESPONSE_BYTES, OutgoingRequest, TIMEOUT_MS,
    host_of,
};
use async_trait::async_trait;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use worker::web_sys;

pub struct FetchClient;

fn describe(e: &JsValue) -> String {
    e.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| e.as_string())
        .unwrap_or_else(|| "fetch failed".into())
}

struct Exchange<'a> {
    host: &'a str,
    signal: &'a web_sys::AbortSignal,
}

impl Exchange<'_> {
    /// A JS failure as an [`HttpError`]: a timeout if our signal fired, else the platform's message.
    fn error(&self, e: &JsValue) -> HttpError {
        if self.signal.aborted() {
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

    async fn read_body(&self, response: &web_sys::Response) -> Result<Vec<u8>, HttpError> {
        let Some(stream) = response.body() else {
            return Ok(Vec::new());
        };
        let reader: web_sys::ReadableStreamDefaultReader = stream.get_reader().unchecked_into();
        let mut body = Vec::new();
        loop {
            let chunk = JsFuture::from(reader.read())
                .await
                .map_err(|e| self.error(&e))?;
            let done = js_sys::Reflect::get(&chunk, &JsValue::from_str("done"))
                .map_err(|e| self.error(&e))?;
            if done.as_bool().unwrap_or(true) {
                return Ok(body);
            }
            let value = js_sys::Reflect::get(&chunk, &JsValue::from_str("value"))
                .map_err(|e| self.error(&e))?;
            let bytes = js_sys::Uint8Array::new(&value);
            if body.len() + bytes.length() as usize > MAX_RESPONSE_BYTES {
                // Stop the transfer; the rest is never read.
                let _ = reader.cancel();
                return Err(self.too_large());
            }
            let start = body.len();
            body.resize(start + bytes.length() as usize, 0);
            bytes.copy_to(&mut body[start..]);
        }
    }
}

#[async_trait(?Send)]
impl HttpClient for FetchClient {
    async fn send(&self, request: OutgoingRequest) -> Result<IncomingResponse, HttpError> {
        let host = host_of(&request.url).to_owned();
        let signal = web_sys::AbortSignal::timeout_with_u32(TIMEOUT_MS);
        let exchange = Exchange {
            host: &host,
            signal: &signal,
        };

        let init = web_sys::RequestInit::new();
        init.set_method(request.method.as_str());
        init.set_redirect(web_sys::RequestRedirect::Manual);
        init.set_signal(Some(&signal));
        let headers = web_sys::Headers::new().map_err(|e| exchange.error(&e))?;
        for (name, value) in &request.headers {
            headers
                .append(name, value)
                .map_err(|e| exchange.error(&e))?;
        }
        init.set_headers(&headers);
        if !request.body.is_empty() {
            init.set_body(&js_sys::Uint8Array::from(request.body.as_slice()));
        }

        let global: web_sys::WorkerGlobalScope = js_sys::global().unchecked_into();
        let response: web_sys::Response =
            JsFuture::from(global.fetch_with_str_and_init(&request.url, &init))
                .await
                .map_err(|e| exchange.error(&e))?
                .unchecked_into();

        let declared = response
            .headers()
            .get("content-length")
            .ok()
            .flatten()
            .and_then(|l| l.trim().parse::<usize>().ok());
        if declared.is_some_and(|len| len > MAX_RESPONSE_BYTES) {
            if let Some(body) = response.body() {
                let _ = body.cancel();
            }
            return Err(exchange.too_large());
        }
        let body = exchange.read_body(&response).await?;
        Ok(IncomingResponse {
            status: response.status(),
            status_text: response.status_text(),
            headers: worker::Headers(response.headers()).entries().collect(),
            body,
        })
    }
}
