//! Request bodies and query strings, with every way they can be wrong answered by a clear 4xx.

use super::{HttpRequest, HttpResponse};
use crate::contract;
use crate::model::Metadata;
use serde_json::Value;
use std::collections::BTreeMap;

/// Auth requests are small; anything bigger is a mistake or an attack.
pub const MAX_BODY_BYTES: usize = 16 * 1024;

/// Gathers a body that arrives in chunks (a stream without `Content-Length`), keeping at most one byte
/// more than [`MAX_BODY_BYTES`]: enough for [`json_object`] to answer 413, and never more memory than
/// that whatever the client sends.
#[derive(Debug, Default)]
pub struct BodyCollector {
    bytes: Vec<u8>,
}

impl BodyCollector {
    /// Adds `chunk`; `false` once the limit is passed, when the caller should stop reading.
    pub fn push(&mut self, chunk: &[u8]) -> bool {
        let room = (MAX_BODY_BYTES + 1).saturating_sub(self.bytes.len());
        self.bytes
            .extend_from_slice(&chunk[..chunk.len().min(room)]);
        self.bytes.len() <= MAX_BODY_BYTES
    }

    pub fn into_body(self) -> Vec<u8> {
        self.bytes
    }
}

/// The JSON object in the body; an empty body is `{}`.
pub fn json_object(req: &HttpRequest) -> Result<Metadata, HttpResponse> {
    let declared_too_big = req
        .header("content-length")
        .and_then(|l| l.trim().parse::<usize>().ok())
        .is_some_and(|l| l > MAX_BODY_BYTES);
    if declared_too_big || req.body.len() > MAX_BODY_BYTES {
        return Err(HttpResponse::error(
            413,
            contract::TYPE_INVALID_DATA,
            &format!("Request body exceeds {MAX_BODY_BYTES} bytes"),
        ));
    }
    if req.body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Metadata::new());
    }
    let is_json = req.header("content-type").is_some_and(|ct| {
        let mime = ct.split(';').next().unwrap_or("").trim();
        mime.eq_ignore_ascii_case("application/json")
    });
    if !is_json {
        return Err(HttpResponse::error(
            415,
            contract::TYPE_INVALID_DATA,
            "Content-Type must be application/json",
        ));
    }
    match serde_json::from_slice::<Value>(&req.body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(HttpResponse::invalid_data(
            "Request body must be a JSON object",
        )),
        Err(e) => Err(HttpResponse::invalid_data(&format!(
            "Malformed JSON body: {e}"
        ))),
    }
}

/// `a=1&b=x%20y` → `{a: "1", b: "x y"}` (form encoding: `+` is a space). Later keys win.
pub fn parse_query(query: &str) -> BTreeMap<String, String> {
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(h << 4 | l);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_strings_are_form_decoded() {
        let q = parse_query("code=a%2Fb&state=x+y&empty=&flag&bad=%zz&tail=%4");
        assert_eq!(q["code"], "a/b");
        assert_eq!(q["state"], "x y");
        assert_eq!(q["empty"], "");
        assert_eq!(q["flag"], "");
        assert_eq!(q["bad"], "%zz");
        assert_eq!(q["tail"], "%4");
    }

    #[test]
    fn a_streamed_body_is_kept_only_up_to_one_byte_past_the_limit() {
        let chunk = vec![b' '; 64 * 1024];
        let mut body = BodyCollector::default();
        let mut pushed = 0;
        // 20 MB offered: the collector asks to stop after the first chunk.
        while pushed < 20 * 1024 * 1024 && body.push(&chunk) {
            pushed += chunk.len();
        }
        assert_eq!(pushed, 0, "the first 64 KiB chunk already passes the limit");
        let body = body.into_body();
        assert_eq!(body.len(), MAX_BODY_BYTES + 1);
        let req = HttpRequest {
            headers: vec![("content-type".into(), "application/json".into())],
            body,
            ..HttpRequest::default()
        };
        assert_eq!(json_object(&req).unwrap_err().status, 413);

        let mut exact = BodyCollector::default();
        for _ in 0..MAX_BODY_BYTES / 1024 {
            assert!(exact.push(&[b' '; 1024]));
        }
        assert!(!exact.push(b"x"));
        assert_eq!(exact.into_body().len(), MAX_BODY_BYTES + 1);
    }

    #[test]
    fn invalid_utf8_in_a_query_is_replaced_not_a_panic() {
        assert_eq!(parse_query("x=%ff")["x"], "\u{fffd}");
    }
}
