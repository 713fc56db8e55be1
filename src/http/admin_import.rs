//! Importing identities in Medusa's shape through the admin API (the rules: [`crate::import`]).
//!
//! - `POST /admin/auth-identities` with one identity → `201` (created) or `200` (unchanged)
//!   `{id, status, error: null}`; a failed one is `400 invalid_data` naming the field or the conflict.
//! - `POST /admin/auth-identities/import` with a JSON array or NDJSON (one identity a line) of at most
//!   [`MAX_IMPORT_BATCH`] → `200 {results: [{id, status, error}], created, unchanged, failed}`, one
//!   result per item in order; a failed item (an NDJSON line that is not JSON too) never stops the rest.

use super::{App, HttpRequest, HttpResponse, body};
use crate::import::{ImportResult, ImportStatus, MAX_IMPORT_BATCH};
use serde_json::{Value, json};

pub async fn one(app: &App, req: &HttpRequest) -> HttpResponse {
    let item = match body::json_object(req) {
        Ok(item) => Value::Object(item),
        Err(refused) => return refused,
    };
    let result = app.service.import_auth_identity(&item).await;
    match &result.status {
        ImportStatus::Created => HttpResponse::json(201, &result.to_value()),
        ImportStatus::Unchanged => HttpResponse::json(200, &result.to_value()),
        ImportStatus::Failed(crate::import::ImportError::Identity(e)) => e.clone().into(),
        ImportStatus::Failed(e) => HttpResponse::invalid_data(&e.to_string()),
    }
}

pub async fn batch(app: &App, req: &HttpRequest) -> HttpResponse {
    if let Err(refused) = super::admin::authorized(app, req) {
        return refused;
    }
    if req.method != "POST" {
        return HttpResponse::method_not_allowed("POST");
    }
    if let Err(refused) = body::check_size(req) {
        return refused;
    }
    let items = match parse_items(&req.body) {
        Ok(items) => items,
        Err(message) => return HttpResponse::invalid_data(&message),
    };
    let mut results = Vec::with_capacity(items.len());
    for item in items {
        results.push(match item {
            Ok(item) => app.service.import_auth_identity(&item).await,
            Err(e) => ImportResult {
                id: None,
                status: ImportStatus::Failed(e),
            },
        });
    }
    let count = |wanted: &str| {
        results
            .iter()
            .filter(|r| match &r.status {
                ImportStatus::Created => wanted == "created",
                ImportStatus::Unchanged => wanted == "unchanged",
                ImportStatus::Failed(_) => wanted == "failed",
            })
            .count()
    };
    let body = json!({
        "created": count("created"),
        "unchanged": count("unchanged"),
        "failed": count("failed"),
        "results": results.iter().map(ImportResult::to_value).collect::<Vec<_>>(),
    });
    HttpResponse::json(200, &body)
}

/// A JSON array, or NDJSON: one item a non-blank line, a line that is not JSON failing alone.
fn parse_items(body: &[u8]) -> Result<Vec<Result<Value, crate::import::ImportError>>, String> {
    let text = std::str::from_utf8(body).map_err(|_| "Request body must be UTF-8".to_owned())?;
    let items: Vec<Result<Value, _>> = if text.trim_start().starts_with('[') {
        match crate::json_fields::parse(text) {
            Ok(Value::Array(items)) => items.into_iter().map(Ok).collect(),
            Ok(_) | Err(_) => return Err("Malformed JSON array".into()),
        }
    } else {
        text.lines()
            .enumerate()
            .filter(|(_, line)| !line.trim().is_empty())
            .map(|(n, line)| {
                crate::json_fields::parse(line).map_err(|e| {
                    crate::import::ImportError::Malformed(format!("line {}: {e}", n + 1))
                })
            })
            .collect()
    };
    if items.is_empty() {
        return Err("Expected identities: a JSON array, or NDJSON (one identity a line)".into());
    }
    if items.len() > MAX_IMPORT_BATCH {
        return Err(format!(
            "At most {MAX_IMPORT_BATCH} identities per request, got {}",
            items.len()
        ));
    }
    Ok(items)
}
