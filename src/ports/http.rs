//! Outgoing HTTP, as data in and data out through one small async trait.
//!
//! Every flow builds an [`OutgoingRequest`] and parses an [`IncomingResponse`] with pure functions (the
//! OAuth ones in [`crate::oauth::flow`] and [`crate::oauth::form`]), so native tests run them against
//! canned responses; the real client is `src/fetch.rs` (over `globalThis.fetch`, shared by the Worker
//! and the npm package). The trait has no `Send` bound: a
//! Workers `fetch` future is `!Send`.
//!
//! Contract for implementations: **never follow redirects** (a 3xx comes back as it is, and the flows
//! treat it as a failure: a redirect from a token endpoint is how codes get delivered to strangers),
//! refuse bodies over [`MAX_RESPONSE_BYTES`], and give up after [`TIMEOUT_MS`].

use async_trait::async_trait;
use std::fmt;
use std::future::Future;

/// Identity-provider answers (discovery, JWKS, tokens, profiles) are a few KiB; more is a mistake.
pub const MAX_RESPONSE_BYTES: usize = 256 * 1024;

/// How long one outgoing request may take, body included.
pub const TIMEOUT_MS: u32 = 10_000;

/// Sent with every request: GitHub's API refuses requests without a `User-Agent`.
pub const USER_AGENT: &str = "edge-auth";

/// The methods identity providers are called with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Discovery, key sets and profile APIs.
    Get,
    /// Token exchange.
    Post,
}

impl Method {
    /// The method's name on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
        }
    }
}

/// A request to an identity provider. Its `Debug` shows no header values or body: they carry secrets.
pub struct OutgoingRequest {
    /// `GET` or `POST`.
    pub method: Method,
    /// The absolute URL.
    pub url: String,
    /// Header names lower-case, each at most once.
    pub headers: Vec<(String, String)>,
    /// The request body (a form for token exchanges).
    pub body: Vec<u8>,
}

impl fmt::Debug for OutgoingRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.headers.iter().map(|(k, _)| k.as_str()).collect();
        f.debug_struct("OutgoingRequest")
            .field("method", &self.method)
            .field("url", &host_of(&self.url))
            .field("header_names", &names)
            .field("body_bytes", &self.body.len())
            .finish()
    }
}

impl OutgoingRequest {
    /// A `GET` asking for JSON.
    pub fn get(url: impl Into<String>) -> Self {
        Self {
            method: Method::Get,
            url: url.into(),
            headers: vec![
                ("accept".into(), "application/json".into()),
                ("user-agent".into(), USER_AGENT.into()),
            ],
            body: Vec::new(),
        }
    }

    /// Sets header `name`, replacing any earlier value.
    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        self.headers.retain(|(k, _)| !k.eq_ignore_ascii_case(name));
        self.headers
            .push((name.to_ascii_lowercase(), value.to_owned()));
        self
    }

    /// The value of header `name`, case-insensitively.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// An identity provider's answer, body read in full.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncomingResponse {
    /// The HTTP status code.
    pub status: u16,
    /// The reason phrase the server sent; may be empty (HTTP/2 has none).
    pub status_text: String,
    /// Header names lower-case.
    pub headers: Vec<(String, String)>,
    /// The whole body, at most the client's size limit.
    pub body: Vec<u8>,
}

impl IncomingResponse {
    /// An answer with `status` and `body`, no headers (for adapters and fakes).
    pub fn new(status: u16, body: impl Into<Vec<u8>>) -> Self {
        Self {
            status,
            status_text: String::new(),
            headers: Vec::new(),
            body: body.into(),
        }
    }

    /// Whether the status is 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The server's reason phrase, or the standard one when it sent none.
    pub fn reason(&self) -> &str {
        if self.status_text.is_empty() {
            reason_phrase(self.status)
        } else {
            &self.status_text
        }
    }

    /// The body as JSON, or `None` when it is not JSON.
    pub fn json(&self) -> Option<serde_json::Value> {
        crate::json_fields::parse(&self.body).ok()
    }
}

/// Why a request got no usable answer. Messages name the host, never the path or query (they can
/// carry codes and tokens).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum HttpError {
    /// No complete answer within the time limit.
    Timeout {
        /// The host that was called.
        host: String,
        /// The limit that passed.
        after_ms: u32,
    },
    /// The answer's body is larger than the client reads.
    TooLarge {
        /// The host that was called.
        host: String,
        /// The most bytes the client reads.
        limit: usize,
    },
    /// No answer at all: the platform's fetch failed, or this build has no outgoing HTTP.
    Failed {
        /// The host that was called.
        host: String,
        /// What went wrong, without the path or query.
        reason: String,
    },
}

impl fmt::Display for HttpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HttpError::Timeout { host, after_ms } => {
                write!(f, "Request to {host} timed out after {after_ms} ms")
            }
            HttpError::TooLarge { host, limit } => {
                write!(f, "Response from {host} exceeds {limit} bytes")
            }
            HttpError::Failed { host, reason } => write!(f, "Request to {host} failed: {reason}"),
        }
    }
}

impl std::error::Error for HttpError {}

/// Sends one request. See the module documentation for what implementations must guarantee.
#[async_trait(?Send)]
pub trait HttpClient {
    /// Sends `request` and reads the whole answer, or says why there is none.
    async fn send(&self, request: OutgoingRequest) -> Result<IncomingResponse, HttpError>;
}

/// Any `async` function of a request is a client (handy for tests and adapters).
#[async_trait(?Send)]
impl<F, Fut> HttpClient for F
where
    F: Fn(OutgoingRequest) -> Fut,
    Fut: Future<Output = Result<IncomingResponse, HttpError>>,
{
    async fn send(&self, request: OutgoingRequest) -> Result<IncomingResponse, HttpError> {
        self(request).await
    }
}

/// The client of builds without outgoing HTTP: every request fails with a clear message.
#[derive(Debug, Default, Clone, Copy)]
pub struct Offline;

#[async_trait(?Send)]
impl HttpClient for Offline {
    async fn send(&self, request: OutgoingRequest) -> Result<IncomingResponse, HttpError> {
        Err(HttpError::Failed {
            host: host_of(&request.url).to_owned(),
            reason: "outgoing HTTP is not available in this build".into(),
        })
    }
}

/// `scheme://host[:port]` of a URL (no path, query or credentials), for messages and cache keys.
pub fn host_of(url: &str) -> &str {
    let start = url.find("://").map_or(0, |i| i + 3);
    let end = url[start..]
        .find(['/', '?', '#'])
        .map_or(url.len(), |i| start + i);
    let authority = &url[start..end];
    // Credentials in a URL are never shown.
    let host_start = authority.rfind('@').map_or(start, |i| start + i + 1);
    &url[host_start..end]
}

/// The standard reason phrase of a status (RFC 9110), for servers that send none.
pub fn reason_phrase(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        409 => "Conflict",
        413 => "Content Too Large",
        415 => "Unsupported Media Type",
        422 => "Unprocessable Content",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_of_drops_path_query_and_credentials() {
        assert_eq!(
            host_of("https://user:pw@idp.example:8443/token?code=x"),
            "idp.example:8443"
        );
        assert_eq!(host_of("http://127.0.0.1:9/jwks"), "127.0.0.1:9");
        assert_eq!(host_of("https://idp.example"), "idp.example");
    }

    #[test]
    fn debug_of_a_request_hides_secrets() {
        let req = OutgoingRequest {
            method: Method::Post,
            url: "https://idp.example/token?x=1".into(),
            headers: Vec::new(),
            body: b"client_secret=s3cret".to_vec(),
        }
        .with_header("authorization", "Basic c2VjcmV0");
        let shown = format!("{req:?}");
        assert!(!shown.contains("s3cret") && !shown.contains("c2VjcmV0") && !shown.contains("x=1"));
        assert!(shown.contains("idp.example"));
    }

    #[test]
    fn a_missing_reason_phrase_is_filled_in() {
        let mut r = IncomingResponse::new(401, "");
        assert_eq!(r.reason(), "Unauthorized");
        r.status_text = "Nope".into();
        assert_eq!(r.reason(), "Nope");
    }

    #[test]
    fn offline_client_fails_with_a_clear_message() {
        let e = futures::executor::block_on(
            Offline.send(OutgoingRequest::get("https://idp.example/x")),
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "Request to idp.example failed: outgoing HTTP is not available in this build"
        );
    }
}
