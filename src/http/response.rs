//! Responses and Medusa's error bodies.

use crate::config::vars::ConfigError;
use crate::contract::{self, ErrorType};
use crate::model::AuthIdentity;
use serde_json::{Value, json};

/// An answer to a request, built by the routes and converted by the Worker.
#[derive(Debug, Clone, PartialEq)]
pub struct HttpResponse {
    /// The HTTP status code.
    pub status: u16,
    /// Headers, in the order they are sent.
    pub headers: Vec<(String, String)>,
    /// The body (JSON for every route but redirects and empty answers).
    pub body: Vec<u8>,
    /// A line for the operator's log, never sent: [`crate::http::handle`] hands it to the runtime's
    /// `warn`. For failures whose detail must not reach clients (storage errors).
    pub log: Option<String>,
}

/// An identity as every HTTP answer shows it: no password hash and no third-party tokens
/// ([`AuthIdentity::without_provider_secrets`]). The module API returns identities whole.
pub fn identity_json(identity: &AuthIdentity) -> Value {
    serde_json::to_value(identity.without_provider_secrets()).unwrap_or(Value::Null)
}

/// The answer of a misconfigured Worker, to every client: the variable to fix and nothing of its value
/// (which may be a secret, or a URL carrying one). The full message is in the Worker's log.
pub fn misconfigured(e: &ConfigError) -> HttpResponse {
    HttpResponse::error(
        500,
        ErrorType::UnexpectedState,
        &format!("Invalid configuration: {}; see the Worker's logs", e.var),
    )
}

impl HttpResponse {
    /// An answer with no body.
    pub fn empty(status: u16) -> Self {
        Self {
            status,
            headers: Vec::new(),
            body: Vec::new(),
            log: None,
        }
    }

    /// A JSON answer. Auth answers carry tokens: never cache them.
    pub fn json(status: u16, value: &Value) -> Self {
        Self {
            status,
            headers: vec![
                (
                    "content-type".into(),
                    "application/json; charset=utf-8".into(),
                ),
                ("cache-control".into(), "no-store".into()),
            ],
            body: value.to_string().into_bytes(),
            log: None,
        }
    }

    /// Medusa's error body: `{ "type": …, "message": … }`.
    pub fn error(status: u16, kind: ErrorType, message: &str) -> Self {
        Self::json(
            status,
            &json!({ "type": kind.as_str(), "message": message }),
        )
    }

    /// `401` with Medusa's `unauthorized` body.
    pub fn unauthorized(message: &str) -> Self {
        Self::error(401, ErrorType::Unauthorized, message)
    }

    /// `400` with Medusa's `invalid_data` body.
    pub fn invalid_data(message: &str) -> Self {
        Self::error(400, ErrorType::InvalidData, message)
    }

    /// Medusa's authenticate middleware answers a bare `{message}` on failure.
    pub fn bearer_unauthorized() -> Self {
        Self::json(401, &json!({ "message": contract::UNAUTHORIZED }))
    }

    /// `405` naming the methods the route has.
    pub fn method_not_allowed(allow: &str) -> Self {
        Self::error(
            405,
            ErrorType::NotAllowed,
            &format!("Method not allowed; use {allow}"),
        )
        .with_header("allow", allow)
    }

    /// Adds a line for the operator's log (see [`HttpResponse::log`]).
    pub fn with_log(mut self, line: String) -> Self {
        self.log = Some(line);
        self
    }

    /// The answer with header `name` set.
    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        self.set_header(name, value);
        self
    }

    /// Sets header `name`, replacing any earlier value.
    pub fn set_header(&mut self, name: &str, value: &str) {
        self.headers.retain(|(k, _)| !k.eq_ignore_ascii_case(name));
        self.headers.push((name.to_owned(), value.to_owned()));
    }

    /// The value of header `name`, case-insensitively.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body as JSON, or `None` when it is not JSON.
    pub fn body_json(&self) -> Option<Value> {
        crate::json_fields::parse(&self.body).ok()
    }
}
