//! Request bodies and query strings, with every way they can be wrong answered by a clear 4xx.

use super::{HttpRequest, HttpResponse};
use crate::contract::ErrorType;
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

    /// The bytes collected, at most [`MAX_BODY_BYTES`] + 1.
    pub fn into_body(self) -> Vec<u8> {
        self.bytes
    }
}

/// `413` for a body (declared or received) over [`MAX_BODY_BYTES`].
pub fn check_size(req: &HttpRequest) -> Result<(), HttpResponse> {
    let declared_too_big = req
        .header("content-length")
        .and_then(|l| l.trim().parse::<usize>().ok())
        .is_some_and(|l| l > MAX_BODY_BYTES);
    if declared_too_big || req.body.len() > MAX_BODY_BYTES {
        return Err(HttpResponse::error(
            413,
            ErrorType::InvalidData,
            &format!("Request body exceeds {MAX_BODY_BYTES} bytes"),
        ));
    }
    Ok(())
}

/// The JSON object in the body; an empty body is `{}`.
pub fn json_object(req: &HttpRequest) -> Result<Metadata, HttpResponse> {
    check_size(req)?;
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
            ErrorType::InvalidData,
            "Content-Type must be application/json",
        ));
    }
    match crate::json_fields::parse(&req.body) {
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
    crate::maps::btree(
        query
            .split('&')
            .filter(|pair| !pair.is_empty())
            .map(|pair| {
                let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
                (percent_decode(k), percent_decode(v))
            }),
    )
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
                    out.push(h * 16 + l);
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
    fn a_body_of_exactly_the_limit_passes_and_one_byte_more_is_413_declared_or_received() {
        let sized = |declared: usize, received: usize| HttpRequest {
            headers: vec![("content-length".into(), format!(" {declared} "))],
            body: vec![b' '; received],
            ..HttpRequest::default()
        };
        assert!(check_size(&sized(MAX_BODY_BYTES, MAX_BODY_BYTES)).is_ok());
        for (declared, received) in [(MAX_BODY_BYTES + 1, 0), (0, MAX_BODY_BYTES + 1)] {
            let refused = check_size(&sized(declared, received)).unwrap_err();
            assert_eq!(
                refused.status, 413,
                "declared {declared}, received {received}"
            );
        }
    }

    #[test]
    fn invalid_utf8_in_a_query_is_replaced_not_a_panic() {
        assert_eq!(parse_query("x=%ff")["x"], "\u{fffd}");
    }
}

/// No input panics these parsers; query strings round-trip through the encoder the OAuth client uses;
/// a body over the limit is refused (413) before its type or content is looked at.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod proptests {
    use super::*;
    use crate::oauth::form::append_query;
    use crate::proptest_config::with_cases;
    use proptest::prelude::*;

    fn request(content_type: Option<String>, body: Vec<u8>) -> HttpRequest {
        HttpRequest {
            method: "POST".into(),
            url: "https://auth.example/auth/customer/emailpass".into(),
            headers: content_type
                .map(|ct| ("content-type".to_owned(), ct))
                .into_iter()
                .collect(),
            body,
        }
    }

    fn content_type() -> impl Strategy<Value = Option<String>> {
        proptest::option::of(prop_oneof![
            Just("application/json".to_owned()),
            Just("application/json; charset=utf-8".to_owned()),
            any::<String>(),
        ])
    }

    /// JSON objects of a few levels, with any strings as keys and values.
    fn json_object_value() -> impl Strategy<Value = Metadata> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            any::<String>().prop_map(Value::from),
        ];
        let value = leaf.prop_recursive(3, 24, 4, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                proptest::collection::btree_map(any::<String>(), inner, 0..4)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        });
        proptest::collection::btree_map(any::<String>(), value, 0..6)
            .prop_map(|m| m.into_iter().collect())
    }

    proptest! {
        #![proptest_config(with_cases(512))]

        #[test]
        fn parse_query_never_panics(query in any::<String>()) {
            let _ = parse_query(&query);
        }

        #[test]
        fn parse_query_never_panics_on_percent_soup(query in "[%0-9a-fA-F&=+g-z\\x00-\\x7f]{0,64}") {
            let _ = parse_query(&query);
        }

        #[test]
        fn encoded_queries_parse_back_to_the_same_fields(
            fields in proptest::collection::btree_map(any::<String>(), any::<String>(), 0..8),
        ) {
            let pairs: Vec<(&str, &str)> =
                fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            let url = append_query("https://auth.example/cb", &pairs);
            let (_, query) = url.split_once('?').unwrap();
            // An empty key with an empty value encodes to "=", which is still that one field.
            prop_assert_eq!(parse_query(query), fields);
        }

        #[test]
        fn json_object_never_panics_and_answers_a_4xx(
            content_type in content_type(),
            body in proptest::collection::vec(any::<u8>(), 0..256),
        ) {
            if let Err(refused) = json_object(&request(content_type, body)) {
                prop_assert!(matches!(refused.status, 400 | 413 | 415), "{}", refused.status);
            }
        }

        #[test]
        fn json_objects_are_read_back_exactly(object in json_object_value()) {
            let body = serde_json::to_vec(&object).unwrap();
            prop_assume!(body.len() <= MAX_BODY_BYTES);
            let read = json_object(&request(Some("application/json".into()), body));
            prop_assert_eq!(read, Ok(object));
        }

        /// Over the limit is 413 whatever the type and content (even a valid JSON object), so nothing
        /// past the size is parsed.
        #[test]
        fn a_body_over_the_limit_is_413_before_anything_else(
            content_type in content_type(),
            extra in 1usize..4096,
            fill in any::<u8>(),
        ) {
            let mut body = b"{\"a\":\"".to_vec();
            body.resize(MAX_BODY_BYTES + extra - 2, fill);
            body.extend_from_slice(b"\"}");
            let refused = json_object(&request(content_type, body)).unwrap_err();
            prop_assert_eq!(refused.status, 413);
        }
    }
}
