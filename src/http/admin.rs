//! The admin API for the app behind the Worker: list, read, link (`app_metadata`) and delete identities.
//!
//! Every request needs `Authorization: Bearer <ADMIN_SECRET>`, compared in constant time; a missing or
//! wrong secret is `401`. Without `ADMIN_SECRET` the API does not exist: `404` saying so.
//!
//! - `GET /admin/auth-identities?id=a,b&provider=&entity_id=&app_metadata={json}&limit=&cursor=` →
//!   `{auth_identities, limit, next_cursor}`. `app_metadata` matches by containment (also written
//!   `app_metadata[customer_id]=cus_1`). Pages follow key order; a page may hold fewer than `limit`
//!   identities (each request reads at most [`MAX_SCANNED`] records), so continue while `next_cursor`
//!   is not null.
//! - `GET /admin/auth-identities/{id}` → `{auth_identity}`.
//! - `PATCH /admin/auth-identities/{id}` `{app_metadata: {...}}` → `{auth_identity}`. The keys given are
//!   set, a `null` value removes its key (Medusa's `setAuthAppMetadataStep` semantics), others are kept.
//! - `DELETE /admin/auth-identities/{id}` → `{id, object: "auth_identity", deleted: true}`; its
//!   uniqueness claims are released (the email can register again) and its sessions end.

use super::body::{self, parse_query};
use super::rate_limit::unavailable;
use super::routes::method_not_allowed;
use super::{App, HttpRequest, HttpResponse};
use crate::account::revocation;
use crate::contract;
use crate::identity::{Identities, IdentityError};
use crate::model::{
    AuthIdentity, AuthIdentityFilter, Metadata, ProviderIdentityMatch, UpdateAuthIdentity,
};
use crate::store::keys;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use serde_json::{Value, json};
use std::collections::BTreeMap;

pub const DEFAULT_LIMIT: usize = 20;
pub const MAX_LIMIT: usize = 100;
/// Records one list request may read: Workers allow 1000 KV operations per invocation.
pub const MAX_SCANNED: usize = 200;
/// Keys per KV list call. Fixed: a cursor points into a page of exactly this size.
const LIST_PAGE: u32 = 100;

const DISABLED: &str = "The admin API is disabled: set the ADMIN_SECRET secret to enable it";

fn authorized(app: &App, req: &HttpRequest) -> Result<(), HttpResponse> {
    let Some(secret) = &app.config.account.admin_secret else {
        return Err(HttpResponse::error(404, contract::TYPE_NOT_FOUND, DISABLED));
    };
    match super::routes::bearer(req) {
        Some(presented) if secret.matches(presented) => Ok(()),
        _ => Err(HttpResponse::unauthorized(contract::UNAUTHORIZED)),
    }
}

fn identity_failure(e: IdentityError) -> HttpResponse {
    match e {
        IdentityError::NotFound(m) => HttpResponse::error(404, contract::TYPE_NOT_FOUND, &m),
        IdentityError::Store(e) => unavailable(&e),
        other => HttpResponse::invalid_data(&other.to_string()),
    }
}

pub async fn collection(app: &App, req: &HttpRequest) -> HttpResponse {
    if let Err(refused) = authorized(app, req) {
        return refused;
    }
    match req.method.as_str() {
        "GET" => list(app, req).await,
        _ => method_not_allowed("GET"),
    }
}

pub async fn item(app: &App, req: &HttpRequest, id: &str) -> HttpResponse {
    if let Err(refused) = authorized(app, req) {
        return refused;
    }
    match req.method.as_str() {
        "GET" => match app.service.retrieve_auth_identity(id).await {
            Ok(identity) => HttpResponse::json(200, &json!({ "auth_identity": identity })),
            Err(e) => identity_failure(e),
        },
        "PATCH" => patch(app, req, id).await,
        "DELETE" => delete(app, id).await,
        _ => method_not_allowed("GET, PATCH, DELETE"),
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
        Err(e) => return identity_failure(e),
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
    // An identity deleted since it was read above is the service's NotFound (404). The service answers
    // one identity per update; were it ever to answer none, that is a 404 too, never an index panic.
    match app.service.update_auth_identities(vec![update]).await {
        Ok(updated) => match updated.into_iter().next() {
            Some(identity) => HttpResponse::json(200, &json!({ "auth_identity": identity })),
            None => HttpResponse::error(
                404,
                contract::TYPE_NOT_FOUND,
                &contract::auth_identity_update_not_found(id),
            ),
        },
        Err(e) => identity_failure(e),
    }
}

async fn delete(app: &App, id: &str) -> HttpResponse {
    if let Err(e) = app.service.retrieve_auth_identity(id).await {
        return identity_failure(e);
    }
    if let Err(e) = app.service.delete_auth_identities(&[id.to_owned()]).await {
        return identity_failure(e);
    }
    // Sessions are found by cookie, not by identity: voiding everything issued so far ends them.
    if let Err(e) = revocation::revoke_until(app.store.as_ref(), id, app.clock.now_ms()).await {
        return unavailable(&e);
    }
    HttpResponse::json(
        200,
        &json!({ "id": id, "object": "auth_identity", "deleted": true }),
    )
}

/// Where a listing resumes: the KV cursor of the page (none: the first) and how many of its keys were
/// already looked at. Opaque to clients: base64url of `<skip>` or `<skip>:<page cursor>`.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
struct Cursor {
    page: Option<String>,
    skip: usize,
}

impl Cursor {
    fn encode(&self) -> String {
        let text = match &self.page {
            Some(page) => format!("{}:{page}", self.skip),
            None => self.skip.to_string(),
        };
        B64URL.encode(text)
    }

    fn decode(s: &str) -> Option<Self> {
        let text = String::from_utf8(B64URL.decode(s).ok()?).ok()?;
        let (skip, page) = match text.split_once(':') {
            Some((skip, page)) => (skip, Some(page.to_owned())),
            None => (text.as_str(), None),
        };
        Some(Self {
            page,
            skip: skip.parse().ok()?,
        })
    }
}

struct ListQuery {
    filter: AuthIdentityFilter,
    limit: usize,
    cursor: Cursor,
}

fn parse_list_query(query: &str) -> Result<ListQuery, HttpResponse> {
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
        match serde_json::from_str::<Value>(json) {
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
    Ok(ListQuery {
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
    let result = match direct_lookup(app, &q).await {
        Some(found) => found.map(|identities| (identities, None)),
        None => scan(app, &q).await,
    };
    match result {
        Ok((identities, next)) => {
            let identities: Vec<AuthIdentity> =
                identities.iter().map(AuthIdentity::sanitized).collect();
            HttpResponse::json(
                200,
                &json!({
                    "auth_identities": identities,
                    "limit": q.limit,
                    "next_cursor": next.map(|c| c.encode()),
                }),
            )
        }
        Err(e) => identity_failure(e),
    }
}

/// Filters that name an identity (by id, or by provider and entity) are answered from its keys, without
/// a scan. `None`: the filter needs a scan.
async fn direct_lookup(
    app: &App,
    q: &ListQuery,
) -> Option<Result<Vec<AuthIdentity>, IdentityError>> {
    let identities = Identities::new(app.store.as_ref());
    let by_entity = q
        .filter
        .provider_identities
        .as_ref()
        .and_then(|m| Some((m.provider.as_deref()?, m.entity_id.as_deref()?)));
    let candidates = if let Some((provider, entity_id)) = by_entity {
        identities
            .find_by_entity(provider, entity_id)
            .await
            .map(|i| i.into_iter().collect())
    } else if let Some(ids) = q.filter.id.as_ref().filter(|ids| ids.len() <= MAX_LIMIT) {
        let mut found = Vec::new();
        for id in ids {
            match identities.get(id).await {
                Ok(Some(identity)) => found.push(identity),
                Ok(None) => {}
                Err(e) => return Some(Err(e)),
            }
        }
        Ok(found)
    } else {
        return None;
    };
    if q.cursor != Cursor::default() {
        // One page holds every match of a direct lookup.
        return Some(Ok(Vec::new()));
    }
    Some(candidates.map(|c| {
        c.into_iter()
            .filter(|i| q.filter.matches(i))
            .take(q.limit)
            .collect()
    }))
}

async fn scan(
    app: &App,
    q: &ListQuery,
) -> Result<(Vec<AuthIdentity>, Option<Cursor>), IdentityError> {
    let store = app.store.as_ref();
    let identities = Identities::new(store);
    let mut out = Vec::new();
    let mut page_cursor = q.cursor.page.clone();
    let mut skip = q.cursor.skip;
    let mut scanned = 0;
    loop {
        let page = store
            .list(
                keys::AUTH_IDENTITY_PREFIX,
                page_cursor.as_deref(),
                LIST_PAGE,
            )
            .await?;
        for (i, key) in page.keys.iter().enumerate().skip(skip) {
            if out.len() == q.limit || scanned == MAX_SCANNED {
                return Ok((
                    out,
                    Some(Cursor {
                        page: page_cursor,
                        skip: i,
                    }),
                ));
            }
            scanned += 1;
            let Some(id) = keys::auth_identity_id_from_key(key) else {
                continue;
            };
            if let Some(identity) = identities.get(id).await?
                && q.filter.matches(&identity)
            {
                out.push(identity);
            }
        }
        match page.cursor {
            Some(next) => {
                page_cursor = Some(next);
                skip = 0;
            }
            None => return Ok((out, None)),
        }
    }
}
