//! The admin API for the app behind the Worker: list, read, link (`app_metadata`) and delete identities;
//! importing them is `admin_import.rs`.
//!
//! Every request needs `Authorization: Bearer <ADMIN_SECRET>`, compared in constant time; a missing or
//! wrong secret is `401`. Without `ADMIN_SECRET` the API does not exist: `404` saying so.
//!
//! - `GET /admin/auth-identities?id=a,b&provider=&entity_id=&app_metadata={json}&limit=&cursor=` →
//!   `{auth_identities, limit, next_cursor}`. `app_metadata` matches by containment (also written
//!   `app_metadata[customer_id]=cus_1`). Pages follow key order; a page may hold fewer than `limit`
//!   identities (each request reads at most [`crate::listing::MAX_SCANNED`] records), so continue while `next_cursor`
//!   is not null.
//! - `GET /admin/auth-identities/{id}` → `{auth_identity}`.
//! - `PATCH /admin/auth-identities/{id}` `{app_metadata: {...}}` → `{auth_identity}`. The keys given are
//!   set, a `null` value removes its key (Medusa's `setAuthAppMetadataStep` semantics), others are kept.
//! - `DELETE /admin/auth-identities/{id}` → `{id, object: "auth_identity", deleted: true}`; its
//!   uniqueness claims are released (the email can register again) and its sessions end.

use super::body::{self, parse_query};
use super::response::identity_json;
use super::{App, HttpRequest, HttpResponse, extract};
use crate::contract::{self, ErrorType};
use crate::listing::{Cursor, DEFAULT_LIMIT, MAX_LIMIT, PageQuery};
use crate::model::{AuthIdentityFilter, Metadata, ProviderIdentityMatch, UpdateAuthIdentity};
use serde_json::{Value, json};
use std::collections::BTreeMap;

const DISABLED: &str = "The admin API is disabled: set the ADMIN_SECRET secret to enable it";

pub(super) fn authorized(app: &App, req: &HttpRequest) -> Result<(), HttpResponse> {
    let Some(secret) = &app.config.account.admin_secret else {
        return Err(HttpResponse::error(404, ErrorType::NotFound, DISABLED));
    };
    match extract::bearer(req) {
        Some(presented) if secret.matches(presented) => Ok(()),
        _ => Err(HttpResponse::unauthorized(contract::UNAUTHORIZED)),
    }
}

pub async fn collection(app: &App, req: &HttpRequest) -> HttpResponse {
    if let Err(refused) = authorized(app, req) {
        return refused;
    }
    match req.method.as_str() {
        "GET" => list(app, req).await,
        "POST" => super::admin_import::one(app, req).await,
        _ => HttpResponse::method_not_allowed("GET, POST"),
    }
}

pub async fn item(app: &App, req: &HttpRequest, id: &str) -> HttpResponse {
    if let Err(refused) = authorized(app, req) {
        return refused;
    }
    match req.method.as_str() {
        "GET" => match app.service.retrieve_auth_identity(id).await {
            Ok(identity) => {
                HttpResponse::json(200, &json!({ "auth_identity": identity_json(&identity) }))
            }
            Err(e) => e.into(),
        },
        "PATCH" => patch(app, req, id).await,
        "DELETE" => delete(app, id).await,
        _ => HttpResponse::method_not_allowed("GET, PATCH, DELETE"),
    }
}

async fn patch(app: &App, req: &HttpRequest, id: &str) -> HttpResponse {
    let input = match body::json_object(req) {
        Ok(input) => input,
        Err(refused) => return refused,
    };
    let Some(Value::Object(changes)) = input.get("app_metadata") else {
        return HttpResponse::invalid_data("Expected a body {\"app_metadata\": {...}}");
    };
    let current = match app.service.retrieve_auth_identity(id).await {
        Ok(identity) => identity,
        Err(e) => return e.into(),
    };
    let mut metadata = current.app_metadata.unwrap_or_default();
    for (key, value) in changes {
        if value.is_null() {
            metadata.remove(key);
        } else {
            metadata.insert(key.clone(), value.clone());
        }
    }
    let update = UpdateAuthIdentity {
        id: id.to_owned(),
        app_metadata: Some(metadata),
    };
    // Deleted since it was read: the service's NotFound, a 404 (tests/account/admin.rs).
    match app.service.update_auth_identity(update).await {
        Ok(updated) => {
            HttpResponse::json(200, &json!({ "auth_identity": identity_json(&updated) }))
        }
        Err(e) => e.into(),
    }
}

async fn delete(app: &App, id: &str) -> HttpResponse {
    if let Err(e) = app.service.retrieve_auth_identity(id).await {
        return e.into();
    }
    // First in the guard, which every location reads: from here no token, session or password of the
    // identity is accepted anywhere, even where KV still holds it. Sessions are found by cookie, not by
    // identity: voiding every token of the identity ends them.
    if let Err(e) = app.account.revoke_for_good(id).await {
        return e.into();
    }
    if let Err(e) = app.service.delete_auth_identities(&[id.to_owned()]).await {
        return e.into();
    }
    HttpResponse::json(
        200,
        &json!({ "id": id, "object": "auth_identity", "deleted": true }),
    )
}

fn parse_list_query(query: &str) -> Result<PageQuery, HttpResponse> {
    let params: BTreeMap<String, String> = parse_query(query);
    let mut filter = AuthIdentityFilter::default();
    if let Some(ids) = params.get("id") {
        filter.id = Some(
            ids.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect(),
        );
    }
    let provider = params.get("provider").cloned();
    let entity_id = params.get("entity_id").cloned();
    if provider.is_some() || entity_id.is_some() {
        filter.provider_identities = Some(ProviderIdentityMatch {
            entity_id,
            provider,
        });
    }
    let mut wanted = Metadata::new();
    if let Some(json) = params.get("app_metadata") {
        match crate::json_fields::parse(json) {
            Ok(Value::Object(map)) => wanted.extend(map),
            _ => {
                return Err(HttpResponse::invalid_data(
                    "app_metadata must be a JSON object, e.g. {\"customer_id\":\"cus_1\"}",
                ));
            }
        }
    }
    for (key, value) in &params {
        if let Some(inner) = key
            .strip_prefix("app_metadata[")
            .and_then(|k| k.strip_suffix(']'))
        {
            wanted.insert(inner.to_owned(), Value::String(value.clone()));
        }
    }
    if !wanted.is_empty() {
        filter.app_metadata = Some(wanted);
    }
    let limit = match params.get("limit") {
        None => DEFAULT_LIMIT,
        Some(l) => l
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=MAX_LIMIT).contains(n))
            .ok_or_else(|| {
                HttpResponse::invalid_data(&format!("limit must be between 1 and {MAX_LIMIT}"))
            })?,
    };
    let cursor = match params.get("cursor") {
        None => Cursor::default(),
        Some(c) => Cursor::decode(c).ok_or_else(|| HttpResponse::invalid_data("Invalid cursor"))?,
    };
    Ok(PageQuery {
        filter,
        limit,
        cursor,
    })
}

async fn list(app: &App, req: &HttpRequest) -> HttpResponse {
    let (_, _, query) = req.url_parts();
    let q = match parse_list_query(query) {
        Ok(q) => q,
        Err(refused) => return refused,
    };
    match app.service.list_auth_identities_page(&q).await {
        Ok(page) => HttpResponse::json(
            200,
            &json!({
                "auth_identities": page.identities.iter().map(identity_json).collect::<Vec<_>>(),
                "limit": q.limit,
                "next_cursor": page.next.map(|c| c.encode()),
            }),
        ),
        Err(e) => e.into(),
    }
}
