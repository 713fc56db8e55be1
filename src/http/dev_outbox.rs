//! `GET`/`POST /__dev/outbox`, only with `ENVIRONMENT=development`: the development webhook sink
//! ([`crate::account::dev_outbox`]). `GET` lists the deliveries newest first for the sign-in page's
//! DEV ONLY panel: `{"deliveries": [{"received_at": <ms>, "event", "delivery", "data": {…, "token"}}]}`.

use super::{App, HttpRequest, HttpResponse};
use crate::account::webhook::{DELIVERY_HEADER, SIGNATURE_HEADER};
use serde_json::json;

pub async fn list(app: &App) -> HttpResponse {
    match app.account.dev_outbox().await {
        Ok(deliveries) => HttpResponse::json(200, &json!({ "deliveries": deliveries })),
        Err(e) => e.into(),
    }
}

pub async fn receive(app: &App, req: &HttpRequest) -> HttpResponse {
    let signature = req.header(SIGNATURE_HEADER);
    let delivery = req.header(DELIVERY_HEADER).unwrap_or("");
    match app
        .account
        .receive_dev_delivery(signature, delivery, &req.body)
        .await
    {
        Ok(()) => HttpResponse::empty(204),
        Err(e) => e.into(),
    }
}
