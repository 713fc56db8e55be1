//! The Cloudflare Worker boundary: converts a Workers request into [`crate::http::HttpRequest`], runs the
//! pure core over a Workers KV store, and converts the answer back. Nothing else lives here.

mod durable;
mod platform;

use crate::config::Config;
use crate::config::vars::ConfigError;
use crate::fetch::FetchClient;
use crate::guard::{Guard, KvGuard, MemoryGuard};
use crate::http::{self, App, BodyCollector, HttpRequest, HttpResponse, MAX_BODY_BYTES};
use crate::js_kv::{JsKv, NotANamespace};
use crate::js_object;
use crate::oauth::OAuthProvider;
use crate::ports::clock::SystemClock;
use crate::ports::http::HttpClient;
use crate::store::KvStore;
use crate::token::signer::TokenSigner;
use std::cell::OnceCell;
use std::rc::Rc;
use wasm_bindgen::JsValue;
use worker::{
    Context, Env, Headers, Request, Response, Result, console_error, console_warn, event,
};

/// The KV namespace binding holding identities (see `wrangler.toml`).
pub const KV_BINDING: &str = "AUTH_KV";

thread_local! {
    /// Vars cannot change within an isolate: parse them once, and warn once.
    static CONFIG: OnceCell<std::result::Result<Rc<Config>, ConfigError>> = const { OnceCell::new() };
    /// Without the guard Durable Object: the isolate's own claims, consumptions and counters.
    static FALLBACK_GUARD: OnceCell<Rc<MemoryGuard>> = const { OnceCell::new() };
    /// The third-party providers of [`CONFIG`], made once: each keeps its discovery document and key
    /// set for the isolate's life.
    static THIRD_PARTIES: OnceCell<Vec<Rc<OAuthProvider>>> = const { OnceCell::new() };
    /// The token signer of [`CONFIG`], made once: it derives and checks the asymmetric keys once.
    static TOKEN_SIGNER: OnceCell<Rc<TokenSigner>> = const { OnceCell::new() };
}

/// The isolate's token signer over `config` (the isolate's one parsed configuration).
fn token_signer(config: &Config) -> Rc<TokenSigner> {
    TOKEN_SIGNER.with(|cell| cell.get_or_init(|| Rc::new(config.token_signer())).clone())
}

/// The isolate's third-party providers over `config` (the isolate's one parsed configuration).
fn third_parties(config: &Config) -> Vec<Rc<OAuthProvider>> {
    THIRD_PARTIES.with(|cell| {
        cell.get_or_init(|| {
            let http: Rc<dyn HttpClient> = Rc::new(FetchClient);
            OAuthProvider::all(&config.oauth, &http)
        })
        .clone()
    })
}

/// The guard Durable Object if it is bound; otherwise KV with isolate memory, said once per isolate.
fn guard(env: &Env, store: &Rc<dyn KvStore>) -> Rc<dyn Guard> {
    if let Ok(namespace) = env.durable_object(durable::GUARD_BINDING) {
        return Rc::new(durable::DurableGuard(namespace));
    }
    let memory = FALLBACK_GUARD.with(|cell| {
        cell.get_or_init(|| {
            console_warn!(
                "edge-auth: no Durable Object binding {}: running on Workers KV alone. Unique registrations, \
                 single-use reset tokens and OAuth states, and rate limits are exact within this isolate \
                 only (see docs/security.md, \"Running without the Durable Object\")",
                durable::GUARD_BINDING
            );
            Rc::new(KvGuard::isolate_memory())
        })
        .clone()
    });
    Rc::new(KvGuard::new(store.clone(), memory))
}

/// A var or secret as a string; a JSON var written as a TOML table arrives as an object and is
/// turned back into JSON text.
fn read_var(env: &Env, name: &str) -> Option<String> {
    let value = js_object::get(env, name).ok()?;
    if value.is_undefined() || value.is_null() {
        return None;
    }
    value.as_string().or_else(|| {
        js_sys::JSON::stringify(&value)
            .ok()
            .and_then(|s| s.as_string())
    })
}

fn config(env: &Env) -> std::result::Result<Rc<Config>, ConfigError> {
    CONFIG.with(|cell| {
        cell.get_or_init(|| {
            let parsed = Config::from_vars(|name| read_var(env, name)).map(Rc::new);
            match &parsed {
                Ok(c) if c.uses_dev_secret => console_warn!(
                    "edge-auth: JWT_SECRET is not set; signing tokens with the DEVELOPMENT-ONLY secret (ENVIRONMENT=development)"
                ),
                Ok(_) => {}
                Err(e) => console_error!("edge-auth: {e}"),
            }
            parsed
        })
        .clone()
    })
}

/// A missing binding is the operator's to fix: a 500 naming it.
fn misconfigured(message: &str) -> HttpResponse {
    HttpResponse::error(500, crate::contract::ErrorType::UnexpectedState, message)
}

/// The body, read chunk by chunk and abandoned once past [`MAX_BODY_BYTES`]: a body without
/// `Content-Length` (chunked) of any size never costs more than the limit in memory, and the core answers
/// 413 from what was kept. A body that fails to arrive is an empty one, as before.
async fn read_body(req: &mut Request) -> Vec<u8> {
    use futures_core::Stream;
    let Ok(stream) = req.stream() else {
        return Vec::new(); // no body at all
    };
    let mut stream = std::pin::pin!(stream);
    let mut body = BodyCollector::default();
    loop {
        match std::future::poll_fn(|cx| stream.as_mut().poll_next(cx)).await {
            Some(Ok(chunk)) if body.push(&chunk) => {}
            Some(Ok(_)) | None => return body.into_body(),
            Some(Err(_)) => return Vec::new(),
        }
    }
}

async fn to_http_request(mut req: Request) -> Result<HttpRequest> {
    let headers: Vec<(String, String)> = req.headers().entries().collect();
    let declared = req
        .headers()
        .get("content-length")?
        .and_then(|l| l.trim().parse::<usize>().ok());
    // A body declared too big is not read at all; the core answers 413 from the header.
    let body = match declared {
        Some(len) if len > MAX_BODY_BYTES => Vec::new(),
        _ => read_body(&mut req).await,
    };
    Ok(HttpRequest {
        method: req.method().to_string(),
        // The URL as the runtime gives it (already normalised); parsing it with the `url` crate would
        // link ~40 KB of URL and IDNA code into the wasm for nothing.
        url: req.inner().url(),
        headers,
        body,
    })
}

fn to_worker_response(response: HttpResponse) -> Result<Response> {
    let headers = Headers::new();
    for (name, value) in &response.headers {
        headers.append(name, value)?;
    }
    let out = if response.body.is_empty() {
        Response::empty()?
    } else {
        Response::from_bytes(response.body)?
    };
    Ok(out.with_status(response.status).with_headers(headers))
}

/// The namespace bound as [`KV_BINDING`], or what to fix in wrangler.toml.
fn kv_binding(env: &Env) -> std::result::Result<JsKv, String> {
    let bound = js_object::get(env, KV_BINDING).unwrap_or(JsValue::UNDEFINED);
    JsKv::new(&bound).map_err(|refused| match refused {
        NotANamespace::Missing => format!(
            "the KV namespace binding {KV_BINDING} is missing; add it under [[kv_namespaces]] in wrangler.toml"
        ),
        NotANamespace::NotAnObject | NotANamespace::NoMethod(_) => format!(
            "{KV_BINDING} is not a KV namespace; bind one under [[kv_namespaces]] in wrangler.toml"
        ),
    })
}

#[event(fetch)]
async fn fetch(req: Request, env: Env, ctx: Context) -> Result<Response> {
    console_error_panic_hook::set_once();
    let response = match (config(&env), kv_binding(&env)) {
        (Err(e), _) => http::misconfigured(&e),
        (Ok(_), Err(why)) => misconfigured(&why),
        (Ok(config), Ok(kv)) => {
            let store: Rc<dyn KvStore> = Rc::new(kv);
            let third_parties = third_parties(&config);
            let signer = token_signer(&config);
            let app = App::with_providers(
                config,
                store.clone(),
                Rc::new(SystemClock),
                Rc::new(FetchClient),
                &third_parties,
            )
            .with_guard(guard(&env, &store))
            .with_runtime(Rc::new(platform::WorkerRuntime))
            .with_token_signer(signer);
            let request = to_http_request(req).await?;
            let response = http::handle(&app, &request).await;
            // Background work (reset-token delivery) runs after the response is sent.
            for task in app.take_tasks() {
                ctx.wait_until(task);
            }
            response
        }
    };
    to_worker_response(response)
}
