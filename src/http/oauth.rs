//! Redirect mode: third-party sign-in driven entirely by the Worker's own 302s, for browsers.
//!
//! Chosen by the request: `GET /auth/{actor}/{provider}?return_to=<URL>` with `<URL>` exactly one of
//! `ALLOWED_REDIRECT_URLS`. The Worker answers `302 Location: <provider>` and sets the `__Host-`
//! binding cookie; the provider sends the browser to the Worker's own
//! `/auth/{actor}/{provider}/callback`, which checks the cookie, finishes the flow, clears the cookie and
//! answers `302 <return_to>#token=<jwt>` (the fragment never reaches a server or a `Referer`), or
//! `302 <return_to>?error=<message>`. Without `return_to` nothing changes: Medusa's JSON contract
//! (`200 {location}`, then `200 {token}` or 401 from the callback).
//!
//! Bad redirect parameters are refused with 400 before anything is stored. A browser failure with no
//! known return URL gets a small HTML page whose message is HTML-escaped.

use super::body::parse_query;
use super::extract::Scope;
use super::{App, HttpRequest, HttpResponse};
use crate::account::{SignIn, SignInAnswer};
use crate::model::{AuthenticationInput, AuthenticationResponse};
use crate::oauth::form::append_query;
use crate::oauth::provider::{CALLBACK_URL, RETURN_TO, requested_redirects};
use crate::oauth::state;
use crate::store::keys;

fn is_third_party(app: &App, provider: &str) -> bool {
    app.config.oauth.providers.iter().any(|p| p.id == provider)
}

/// Before `authenticate`: `Ok(Some(return_to))` for redirect mode, `Ok(None)` for Medusa's JSON mode,
/// or a 400 for redirect parameters that are not allowed.
pub fn check_start(
    app: &App,
    req: &HttpRequest,
    provider: &str,
    input: &AuthenticationInput,
) -> Result<Option<String>, HttpResponse> {
    let asks_redirect = input.query.contains_key(RETURN_TO);
    let asks_callback =
        input.query.contains_key(CALLBACK_URL) || input.body.contains_key(CALLBACK_URL);
    if !asks_redirect && !asks_callback {
        return Ok(None);
    }
    if !is_third_party(app, provider) {
        // emailpass has nowhere to send a browser; Medusa ignores callback_url for it. An unknown
        // provider goes on to Medusa's "Unable to retrieve the auth provider" answer.
        return if asks_redirect && app.service.has_provider(provider) {
            Err(HttpResponse::invalid_data(
                "return_to is only supported by third-party providers",
            ))
        } else {
            Ok(None)
        };
    }
    if asks_redirect && req.method != "GET" {
        return Err(HttpResponse::invalid_data(
            "return_to is for browser navigations: use GET",
        ));
    }
    let (_, return_to) = requested_redirects(&app.config.oauth, input)
        .map_err(|e| HttpResponse::invalid_data(&e.to_string()))?;
    Ok(return_to)
}

/// The browser's answer to a redirect-mode start: off to the provider with the binding cookie, or
/// back to `return_to` with the error.
pub fn start_redirect(app: &App, result: &AuthenticationResponse, return_to: &str) -> HttpResponse {
    let state = result
        .location
        .as_deref()
        .and_then(|l| l.split_once('?'))
        .and_then(|(_, q)| parse_query(q.split('#').next().unwrap_or("")).remove("state"));
    match (&result.location, state) {
        (Some(location), Some(state)) => redirect(location).with_header(
            "set-cookie",
            &app.config
                .oauth
                .binding
                .set_cookie(&state, keys::OAUTH_STATE_TTL_SECS),
        ),
        _ => redirect(&error_url(
            return_to,
            result
                .error
                .as_deref()
                .unwrap_or(crate::contract::AUTHENTICATION_FAILED),
        )),
    }
}

/// After `validate_callback`: the browser's answer when the flow was started in redirect mode (or the
/// request carries the binding cookie); `None` keeps Medusa's JSON answer.
pub async fn finish_callback(
    app: &App,
    req: &HttpRequest,
    scope: &Scope,
    result: &AuthenticationResponse,
) -> Option<HttpResponse> {
    let had_cookie = state::has_cookie(req.header("cookie"));
    let response = match (&result.location, &result.auth_identity) {
        // Issued like every token: dated no earlier than the identity's last password change.
        (Some(return_to), Some(identity)) if result.success => {
            let sign_in = SignIn::through(&scope.provider);
            match app
                .account
                .answer_sign_in(identity, &scope.actor, sign_in, None)
                .await
            {
                Ok(SignInAnswer::Token(token)) => redirect(&format!("{return_to}#token={token}")),
                // MFA applies: the page passes the challenge with the actor-less token.
                Ok(SignInAnswer::MfaRequired { challenge, token }) => redirect(&format!(
                    "{return_to}#token={token}&mfa_challenge={}",
                    challenge.id
                )),
                // A verification is owed: the page requests and confirms it with the actor-less token.
                Ok(SignInAnswer::VerificationRequired { token, .. }) => redirect(&format!(
                    "{return_to}#token={token}&verification_required=true"
                )),
                // The store failed: nothing about the browser; send it back with the generic failure.
                Err(_) => redirect(&error_url(
                    return_to,
                    crate::contract::AUTHENTICATION_FAILED,
                )),
            }
        }
        (Some(return_to), _) => redirect(&error_url(return_to, message(result))),
        (None, _) if had_cookie && !result.success => error_page(401, message(result)),
        (None, _) => return None,
    };
    Some(if had_cookie || result.location.is_some() {
        response.with_header("set-cookie", &state::clear_cookie())
    } else {
        response
    })
}

fn message(result: &AuthenticationResponse) -> &str {
    result
        .error
        .as_deref()
        .unwrap_or(crate::contract::AUTHENTICATION_FAILED)
}

fn error_url(return_to: &str, message: &str) -> String {
    append_query(return_to, &[("error", message)])
}

fn redirect(location: &str) -> HttpResponse {
    HttpResponse::empty(302)
        .with_header("location", location)
        .with_header("cache-control", "no-store")
        // The callback URL holds the code and state: never hand it to the next site as a Referer.
        .with_header("referrer-policy", "no-referrer")
}

/// `&`, `<`, `>`, `"` and `'` as character references.
pub fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn error_page(status: u16, message: &str) -> HttpResponse {
    let body = format!(
        "<!doctype html><html lang=\"en\"><meta charset=\"utf-8\"><title>Sign-in failed</title>\
         <h1>Sign-in failed</h1><p>{}</p></html>",
        html_escape(message)
    );
    HttpResponse {
        status,
        headers: vec![
            ("content-type".into(), "text/html; charset=utf-8".into()),
            ("cache-control".into(), "no-store".into()),
            (
                "content-security-policy".into(),
                "default-src 'none'".into(),
            ),
            ("x-content-type-options".into(), "nosniff".into()),
            ("referrer-policy".into(), "no-referrer".into()),
        ],
        body: body.into_bytes(),
        log: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_escape_neutralises_markup() {
        assert_eq!(
            html_escape(r#"<script>alert("x")</script> & 'y'"#),
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;"
        );
    }

    #[test]
    fn error_page_escapes_the_message_and_forbids_scripts() {
        let page = error_page(401, "<img src=x onerror=alert(1)>");
        let body = String::from_utf8(page.body.clone()).unwrap();
        assert!(body.contains("&lt;img src=x onerror=alert(1)&gt;"));
        assert!(!body.contains("<img"));
        assert_eq!(
            page.header("content-security-policy"),
            Some("default-src 'none'")
        );
    }
}
