//! Form and query encoding of the flow's requests (`application/x-www-form-urlencoded`, as the URL
//! Standard and JS `URLSearchParams` write it): pure functions, so the exact bytes are tested natively.

use crate::ports::http::{Method, OutgoingRequest, USER_AGENT};

/// A form-encoded `POST` asking for JSON.
pub fn post_form(url: impl Into<String>, fields: &[(&str, &str)]) -> OutgoingRequest {
    OutgoingRequest {
        method: Method::Post,
        url: url.into(),
        headers: vec![
            ("accept".into(), "application/json".into()),
            ("user-agent".into(), USER_AGENT.into()),
            (
                "content-type".into(),
                "application/x-www-form-urlencoded".into(),
            ),
        ],
        body: form_urlencode(fields).into_bytes(),
    }
}

/// `application/x-www-form-urlencoded`, as the URL Standard (and JS `URLSearchParams`) writes it.
pub fn form_urlencode(fields: &[(&str, &str)]) -> String {
    let mut out = String::new();
    for (i, (k, v)) in fields.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        encode_component(k, &mut out);
        out.push('=');
        encode_component(v, &mut out);
    }
    out
}

/// One form-encoded value (for `Authorization: Basic`, RFC 6749 §2.3.1).
pub fn form_encode_component(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    encode_component(s, &mut out);
    out
}

fn encode_component(s: &str, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &b in s.as_bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'*' | b'-' | b'.' | b'_' => {
                out.push(char::from(b))
            }
            b' ' => out.push('+'),
            _ => {
                out.push('%');
                out.push(char::from(HEX[usize::from(b >> 4)]));
                out.push(char::from(HEX[usize::from(b & 0x0f)]));
            }
        }
    }
}

/// `url` with `fields` appended to its query (before any fragment).
pub fn append_query(url: &str, fields: &[(&str, &str)]) -> String {
    let (base, fragment) = match url.split_once('#') {
        Some((b, f)) => (b, Some(f)),
        None => (url, None),
    };
    let separator = if !base.contains('?') {
        "?"
    } else if base.ends_with('?') || base.ends_with('&') {
        ""
    } else {
        "&"
    };
    let mut out = format!("{base}{separator}{}", form_urlencode(fields));
    if let Some(f) = fragment {
        out.push('#');
        out.push_str(f);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_encoding_matches_url_search_params() {
        assert_eq!(
            form_urlencode(&[
                ("redirect_uri", "https://someurl.com/auth/google/callback"),
                ("scope", "email profile openid"),
                ("x", "a*b-c._~!é"),
            ]),
            "redirect_uri=https%3A%2F%2Fsomeurl.com%2Fauth%2Fgoogle%2Fcallback&scope=email+profile+openid&x=a*b-c._%7E%21%C3%A9"
        );
    }

    #[test]
    fn basic_auth_parts_are_form_encoded_first() {
        assert_eq!(
            form_encode_component("id:with space/+"),
            "id%3Awith+space%2F%2B"
        );
    }

    #[test]
    fn query_is_appended_before_the_fragment_with_the_right_separator() {
        assert_eq!(
            append_query("https://a/x", &[("k", "v")]),
            "https://a/x?k=v"
        );
        assert_eq!(
            append_query("https://a/x?p=1#f", &[("k", "v w")]),
            "https://a/x?p=1&k=v+w#f"
        );
        assert_eq!(
            append_query("https://a/x?", &[("k", "v")]),
            "https://a/x?k=v"
        );
    }
}
