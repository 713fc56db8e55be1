//! The admin API's view of the stored password-hash costs that unknown emails draw their dummy cost from
//! (`crate::hash_costs`; contract: `docs/http-api.md#admin-api`):
//!
//! - `GET /admin/password-costs` → `{costs: {"pbkdf2-sha256$i=600000": 812, …}}`.
//! - `POST /admin/password-costs/recount[?cursor=…]` → `{costs, scanned, next_cursor}`: rebuilds the tally
//!   from the identities, 200 per request; call again with `next_cursor` until it is null.

use super::admin::authorized;
use super::body::parse_query;
use super::{App, HttpRequest, HttpResponse};
use crate::hash_costs::RecountError;
use serde_json::json;

const UNKNOWN_CURSOR: &str =
    "Invalid cursor: pass the next_cursor of the previous answer, or start again without one";

pub async fn costs(app: &App, req: &HttpRequest) -> HttpResponse {
    if let Err(refused) = authorized(app, req) {
        return refused;
    }
    match req.method.as_str() {
        "GET" => {
            let tally = app.service.hash_costs().await;
            HttpResponse::json(200, &json!({ "costs": tally.to_value() }))
        }
        _ => HttpResponse::method_not_allowed("GET"),
    }
}

pub async fn recount(app: &App, req: &HttpRequest) -> HttpResponse {
    if let Err(refused) = authorized(app, req) {
        return refused;
    }
    if req.method != "POST" {
        return HttpResponse::method_not_allowed("POST");
    }
    let (_, _, query) = req.url_parts();
    let cursor = parse_query(query).remove("cursor");
    match app.service.recount_hash_costs(cursor.as_deref()).await {
        Ok(progress) => HttpResponse::json(
            200,
            &json!({
                "costs": progress.tally.to_value(),
                "scanned": progress.scanned,
                "next_cursor": progress.next,
            }),
        ),
        Err(RecountError::UnknownCursor) => HttpResponse::invalid_data(UNKNOWN_CURSOR),
        Err(RecountError::Store(e)) => e.into(),
    }
}
