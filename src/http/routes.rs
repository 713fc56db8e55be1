//! The router: which handler answers which method and path. Routing only; the contract of each route is
//! in `docs/http-api.md`.

use super::{App, HttpRequest, HttpResponse};
use super::{
    admin, admin_costs, admin_import, admin_mfa, admin_module, admin_verification, auth_flow,
    change_password, dev_outbox, discovery, jwks, mfa, reset, session, token, verification,
};
use crate::account::PasswordRoute;
use crate::contract::ErrorType;
use auth_flow::Flow;
use mfa::Route as MfaRoute;

pub async fn route(app: &App, req: &HttpRequest) -> HttpResponse {
    let (_, path, _) = req.url_parts();
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    let method = req.method.as_str();
    let not_allowed = HttpResponse::method_not_allowed;
    match segments.as_slice() {
        // Before the `/auth/{actor}/{provider}/…` patterns, which would match these paths too.
        ["auth", "mfa", "factors"] => match method {
            "GET" => mfa::handle(app, req, MfaRoute::List).await,
            "POST" => mfa::handle(app, req, MfaRoute::Start).await,
            _ => not_allowed("GET, POST"),
        },
        ["auth", "mfa", "factors", id] => match method {
            "DELETE" => mfa::handle(app, req, MfaRoute::Disable(id)).await,
            _ => not_allowed("DELETE"),
        },
        ["auth", "mfa", "factors", id, "verify"] => match method {
            "POST" => mfa::handle(app, req, MfaRoute::VerifyFactor(id)).await,
            _ => not_allowed("POST"),
        },
        ["auth", "mfa", "recovery-codes"] => match method {
            "POST" => mfa::handle(app, req, MfaRoute::RecoveryCodes).await,
            _ => not_allowed("POST"),
        },
        ["auth", "mfa", "challenges", id, "verify"] => match method {
            "POST" => mfa::handle(app, req, MfaRoute::VerifyChallenge(id)).await,
            _ => not_allowed("POST"),
        },
        ["auth", "verification", "request"] => match method {
            "POST" => verification::handle(app, req, verification::Route::Request).await,
            _ => not_allowed("POST"),
        },
        ["auth", "verification", "confirm"] => match method {
            "POST" => verification::handle(app, req, verification::Route::Confirm).await,
            _ => not_allowed("POST"),
        },
        ["auth", "token", "refresh"] => match method {
            "POST" => token::refresh(app, req).await,
            _ => not_allowed("POST"),
        },
        // Before the sign-in route, whose path it shares: with GET, `providers` is never a provider id.
        ["auth", actor, "providers"] if method == "GET" => discovery::actor_providers(app, actor),
        ["auth", actor, provider] => match method {
            "GET" | "POST" => auth_flow::run(app, req, actor, provider, Flow::Authenticate).await,
            _ => not_allowed("GET, POST"),
        },
        ["auth", actor, provider, "register"] => match method {
            "POST" => auth_flow::run(app, req, actor, provider, Flow::Register).await,
            _ => not_allowed("POST"),
        },
        ["auth", actor, provider, "callback"] => match method {
            "GET" | "POST" => auth_flow::run(app, req, actor, provider, Flow::Callback).await,
            _ => not_allowed("GET, POST"),
        },
        ["auth", actor, provider, "reset-password"] => match method {
            "POST" => reset::request(app, req, actor, provider).await,
            _ => not_allowed("POST"),
        },
        ["auth", actor, provider, "update"] => match method {
            "POST" => reset::update(app, req, actor, provider).await,
            _ => not_allowed("POST"),
        },
        ["auth", actor, provider, "change-password"] => match method {
            "POST" => change_password::change(app, req, actor, provider).await,
            _ => not_allowed("POST"),
        },
        [".well-known", "jwks.json"] => match method {
            "GET" => jwks::key_set(app).await,
            _ => not_allowed("GET"),
        },
        ["auth", "providers"] => match method {
            "GET" => discovery::providers(app, req),
            _ => not_allowed("GET"),
        },
        // Local development only; elsewhere the ordinary 404 below.
        ["__dev", "outbox"] if app.config.development => match method {
            "GET" => dev_outbox::list(app).await,
            "POST" => dev_outbox::receive(app, req).await,
            _ => not_allowed("GET, POST"),
        },
        ["auth", "session"] => match method {
            "POST" => session::create(app, req).await,
            "GET" => session::current(app, req).await,
            "DELETE" => session::destroy(app, req).await,
            _ => not_allowed("GET, POST, DELETE"),
        },
        ["admin", "auth-identities"] => admin::collection(app, req).await,
        ["admin", "auth-identities", "import"] => admin_import::batch(app, req).await,
        ["admin", "auth-identities", id] => admin::item(app, req, id).await,
        ["admin", "auth-identities", id, "mfa-factors"] => {
            admin_module::mfa_factors(app, req, id).await
        }
        ["admin", "auth", provider, "register"] => {
            admin_module::flow(app, req, provider, PasswordRoute::Register).await
        }
        ["admin", "auth", provider, "authenticate"] => {
            admin_module::flow(app, req, provider, PasswordRoute::SignIn).await
        }
        ["admin", "auth", provider, "update"] => admin_module::update(app, req, provider).await,
        ["admin", "auth", provider, "callback"] => admin_module::callback(app, req, provider).await,
        ["admin", "password-reset-tokens"] => admin_module::reset_token(app, req, false).await,
        ["admin", "password-reset-tokens", "consume"] => {
            admin_module::reset_token(app, req, true).await
        }
        ["admin", "mfa", rest @ ..] => match admin_mfa::Route::parse(rest) {
            Some(route) => admin_mfa::handle(app, req, route).await,
            None => not_found(method, path),
        },
        ["admin", "verifications", rest @ ..] => {
            let route = match rest {
                [] => admin_verification::Route::Request,
                ["confirm"] => admin_verification::Route::Confirm,
                ["find"] => admin_verification::Route::Find,
                _ => return not_found(method, path),
            };
            admin_verification::handle(app, req, route).await
        }
        ["admin", "password-costs"] => admin_costs::costs(app, req).await,
        ["admin", "password-costs", "recount"] => admin_costs::recount(app, req).await,
        _ => not_found(method, path),
    }
}

fn not_found(method: &str, path: &str) -> HttpResponse {
    HttpResponse::error(
        404,
        ErrorType::NotFound,
        &format!("Route not found: {method} {path}"),
    )
}
