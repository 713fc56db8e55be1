//! From what a provider says about the user to Medusa's provider identity: `entity_id`,
//! `user_metadata` and (GitHub) `provider_metadata`.

use crate::model::Metadata;
use crate::oauth::failure::OAuthFailure;
use crate::oauth::flow::TokenResponse;
use crate::oauth::id_token::Claims;
use crate::ports::http::{OutgoingRequest, host_of};
use serde_json::{Value, json};

/// Who signed in at a provider, as the provider identity records it.
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    /// The provider's user id (`sub`, GitHub's numeric id).
    pub entity_id: String,
    /// Name, email, picture and the like, as the provider gave them.
    pub user_metadata: Metadata,
    /// Replaced on every login when present (GitHub); `None` leaves it alone.
    pub provider_metadata: Option<Metadata>,
}

fn is_true(v: Option<&Value>) -> bool {
    // Some issuers write booleans as strings.
    matches!(v, Some(Value::Bool(true))) || v.and_then(Value::as_str) == Some("true")
}

fn copy_claims(claims: &Claims, names: &[&str]) -> Metadata {
    crate::maps::object(
        names
            .iter()
            .filter_map(|&n| claims.get(n).map(|v| (n.to_owned(), v.clone()))),
    )
}

/// Medusa's Google mapping (`entity_id = sub`, `{email, name, picture, given_name, family_name}`).
/// `require_verified_email`: refuse unless `email_verified` (Google); otherwise only an `email`
/// claim that is present must be verified (generic OIDC: an unverified address is never stored).
pub fn from_id_token_claims(
    claims: &Claims,
    require_verified_email: bool,
) -> Result<Profile, OAuthFailure> {
    let has_email = claims.get("email").is_some_and(|e| !e.is_null());
    if (require_verified_email || has_email) && !is_true(claims.get("email_verified")) {
        return Err(OAuthFailure::EmailNotVerified);
    }
    let entity_id = claims
        .get("sub")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .ok_or(OAuthFailure::MissingSubject)?;
    Ok(Profile {
        entity_id: entity_id.to_owned(),
        user_metadata: copy_claims(
            claims,
            &["email", "name", "picture", "given_name", "family_name"],
        ),
        provider_metadata: None,
    })
}

/// `GET <api>/user` or `/user/emails` with the user's token (GitHub requires a `User-Agent`).
pub fn github_request(api_url: &str, path: &str, access_token: &str) -> OutgoingRequest {
    OutgoingRequest::get(format!("{}{path}", api_url.trim_end_matches('/')))
        .with_header("accept", "application/vnd.github+json")
        .with_header("authorization", &format!("Bearer {access_token}"))
        .with_header("x-github-api-version", "2022-11-28")
}

/// The verified primary address in a `/user/emails` answer.
pub fn verified_primary_email(emails: &Value) -> Option<String> {
    emails.as_array()?.iter().find_map(|e| {
        (is_true(e.get("primary")) && is_true(e.get("verified")))
            .then(|| e.get("email")?.as_str().map(str::to_owned))
            .flatten()
    })
}

/// Medusa's GitHub mapping: `entity_id = String(id)`, `user_metadata = {profile_url, avatar, email,
/// name, company, two_factor_authentication}` — except that `email` is the verified primary address
/// from `/user/emails` (never an unverified one), or null.
pub fn from_github(
    user: &Value,
    verified_email: Option<String>,
    tokens: &TokenResponse,
    now_ms: u64,
) -> Result<Profile, OAuthFailure> {
    let entity_id = match user.get("id") {
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::String(s)) if !s.is_empty() => s.clone(),
        _ => return Err(OAuthFailure::GitHubWithoutId),
    };
    let field = |k: &str| user.get(k).cloned().unwrap_or(Value::Null);
    let user_metadata = json!({
        "profile_url": field("url"),
        "avatar": field("avatar_url"),
        "email": verified_email,
        "name": field("name"),
        "company": field("company"),
        "two_factor_authentication": user.get("two_factor_authentication").cloned().unwrap_or(Value::Bool(false)),
    });
    Ok(Profile {
        entity_id,
        user_metadata: user_metadata.as_object().cloned().unwrap_or_default(),
        provider_metadata: Some(github_provider_metadata(tokens, now_ms)),
    })
}

/// `{access_token, refresh_token?, access_token_expires_at?, refresh_token_expires_at?}`. Medusa
/// computes the dates even when GitHub sends no expiry (OAuth-app tokens never expire) and then throws
/// "Invalid time value"; absent lifetimes are simply left out here.
pub fn github_provider_metadata(tokens: &TokenResponse, now_ms: u64) -> Metadata {
    let mut m = Metadata::new();
    if let Some(t) = &tokens.access_token {
        m.insert("access_token".into(), t.expose().into());
    }
    if let Some(t) = &tokens.refresh_token {
        m.insert("refresh_token".into(), t.expose().into());
    }
    if let Some(s) = tokens.expires_in {
        m.insert(
            "access_token_expires_at".into(),
            iso8601_utc(now_ms + s * 1000).into(),
        );
    }
    if let Some(s) = tokens.refresh_token_expires_in {
        m.insert(
            "refresh_token_expires_at".into(),
            iso8601_utc(now_ms + s * 1000).into(),
        );
    }
    m
}

/// `2024-01-02T03:04:05.678Z`, as JavaScript's `Date#toISOString`.
pub fn iso8601_utc(ms: u64) -> String {
    let secs = ms / 1000;
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Days since 1970-01-01 to a civil date (H. Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        ms % 1000
    )
}

/// A failed GitHub API call, named by host and status only.
pub fn github_api_error(url: &str, status: u16, reason: &str) -> String {
    format!(
        "Could not read the GitHub user from {}, {status}, {reason}",
        host_of(url)
    )
}
