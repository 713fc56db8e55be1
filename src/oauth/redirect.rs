//! Where browsers may be sent: exact URLs from `ALLOWED_REDIRECT_URLS`, nothing else.
//!
//! Matching is byte-for-byte string equality with an entry (RFC 9700 §4.1.3): no prefixes, no
//! "same host", no normalisation, so `https://shop.example.evil.com`, `https://shop.example@evil.com`,
//! `//evil.com` and `javascript:` can never pass. Entries themselves must be absolute `https` URLs
//! (`http` only for loopback hosts) without fragments or credentials.

use std::fmt;

/// Why a URL is not acceptable (in configuration or in a request).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlError(pub String);

impl fmt::Display for UrlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Checks that `url` is an absolute `https` URL (or `http` on a loopback host, for local development
/// and tests), with a host, no credentials, no fragment and no whitespace or control characters.
pub fn check_absolute_url(url: &str) -> Result<(), UrlError> {
    // Messages reach logs: they show the URL without what may carry credentials.
    let fail = |why: &str| Err(UrlError(format!("{:?} {why}", redacted(url))));
    if url
        .bytes()
        .any(|b| b.is_ascii_whitespace() || b.is_ascii_control() || b == b'\\')
    {
        return fail("contains whitespace, control characters or '\\'");
    }
    let Some((scheme, rest)) = url.split_once("://") else {
        return fail("is not an absolute URL (expected https://host/...)");
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    if authority.contains('@') {
        return fail("must not contain credentials");
    }
    if url.contains('#') {
        return fail("must not contain a fragment");
    }
    let host = host_without_port(authority);
    if host.is_empty() {
        return fail("has no host");
    }
    match scheme {
        "https" => Ok(()),
        "http" if is_loopback(host) => Ok(()),
        "http" => fail("must use https (http is accepted only for localhost and 127.0.0.1)"),
        _ => fail("must use https"),
    }
}

/// Messages show at most this much of a URL.
const MAX_SHOWN_CHARS: usize = 200;

/// `url` as a message or a log line may show it: userinfo, query and fragment (where URLs carry tokens
/// and passwords) replaced by `***`, and at most [`MAX_SHOWN_CHARS`] characters.
pub fn redacted(url: &str) -> String {
    let before_query = url.split(['?', '#']).next().unwrap_or("");
    let (scheme, rest) = match before_query.split_once("://") {
        Some((scheme, rest)) => (format!("{scheme}://"), rest),
        None => (String::new(), before_query),
    };
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let host = match authority.rsplit_once('@') {
        Some((_, host)) => format!("***@{host}"),
        None => authority.to_owned(),
    };
    let mut shown = format!("{scheme}{host}{path}");
    if before_query.len() < url.len() {
        shown.push_str(&url[before_query.len()..=before_query.len()]);
        shown.push_str("***");
    }
    if shown.chars().count() > MAX_SHOWN_CHARS {
        shown = shown
            .chars()
            .take(MAX_SHOWN_CHARS)
            .chain("…".chars())
            .collect();
    }
    shown
}

/// Only where `url` points (`scheme://host[:port]/…`): for URLs that may carry a credential anywhere,
/// such as a webhook's.
pub fn origin_only(url: &str) -> String {
    let shown = redacted(url);
    match shown.split_once("://") {
        Some((scheme, rest)) => {
            let host = rest.split('/').next().unwrap_or("");
            let more = if host.len() < rest.len() { "/…" } else { "" };
            format!("{scheme}://{host}{more}")
        }
        None => "(not a URL)".to_owned(),
    }
}

fn host_without_port(authority: &str) -> &str {
    if let Some(rest) = authority.strip_prefix('[') {
        return rest.split(']').next().unwrap_or("");
    }
    authority.split(':').next().unwrap_or("")
}

fn is_loopback(host: &str) -> bool {
    host == "localhost" || host == "127.0.0.1" || host == "::1"
}

/// The exact URLs browsers may be sent to after sign-in (`return_to`), or that may replace a
/// provider's configured callback (`callback_url`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RedirectAllowList(Vec<String>);

impl RedirectAllowList {
    /// Comma-separated absolute URLs; empty entries are ignored.
    pub fn parse(list: &str) -> Result<Self, UrlError> {
        let mut urls = Vec::new();
        for entry in list.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            check_absolute_url(entry)?;
            urls.push(entry.to_owned());
        }
        Ok(Self(urls))
    }

    /// The allow-listed URL equal to `candidate`, or why it is refused.
    pub fn check<'a>(&'a self, candidate: &str) -> Result<&'a str, UrlError> {
        self.0
            .iter()
            .find(|u| u.as_str() == candidate)
            .map(String::as_str)
            .ok_or_else(|| {
                UrlError(if self.0.is_empty() {
                    "Redirect URL is not allowed: ALLOWED_REDIRECT_URLS is empty".into()
                } else {
                    "Redirect URL is not allowed: it must equal one of ALLOWED_REDIRECT_URLS exactly"
                        .into()
                })
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list() -> RedirectAllowList {
        RedirectAllowList::parse("https://shop.example/after, http://127.0.0.1:3000/cb,").unwrap()
    }

    #[test]
    fn only_exact_entries_pass() {
        let l = list();
        assert_eq!(
            l.check("https://shop.example/after"),
            Ok("https://shop.example/after")
        );
        assert_eq!(
            l.check("http://127.0.0.1:3000/cb"),
            Ok("http://127.0.0.1:3000/cb")
        );
        for bad in [
            "https://shop.example/after/",
            "https://shop.example/after?x=1",
            "https://shop.example/after#x",
            "https://shop.example/afterwards",
            "https://shop.example/after.evil.com",
            "https://shop.example.evil.com/after",
            "https://shop.example@evil.com/after",
            "https://evil.com/?https://shop.example/after",
            "//shop.example/after",
            "HTTPS://shop.example/after",
            "javascript:alert(1)//https://shop.example/after",
            "data:text/html,<script>alert(1)</script>",
            " https://shop.example/after",
            "",
        ] {
            assert!(l.check(bad).is_err(), "{bad:?} must be refused");
        }
    }

    #[test]
    fn entries_must_be_safe_absolute_urls() {
        for bad in [
            "javascript:alert(1)",
            "data:text/html,x",
            "http://shop.example/cb",
            "https://user:pw@shop.example/cb",
            "https://shop.example/cb#frag",
            "https:///cb",
            "/relative",
            "ftp://shop.example/x",
            "https://shop.example/a b",
        ] {
            assert!(
                RedirectAllowList::parse(bad).is_err(),
                "{bad:?} must be refused"
            );
        }
        assert!(RedirectAllowList::parse("http://localhost:8080/x,http://[::1]/y").is_ok());
    }

    #[test]
    fn messages_never_show_userinfo_queries_or_fragments() {
        for (url, shown) in [
            (
                "https://u:pw@idp.example/cb?token=s3cret",
                "https://***@idp.example/cb?***",
            ),
            (
                "http://idp.example/cb#at=s3cret",
                "http://idp.example/cb#***",
            ),
            ("idp.example/x?key=s3cret", "idp.example/x?***"),
            ("https://idp.example/cb", "https://idp.example/cb"),
        ] {
            assert_eq!(redacted(url), shown);
        }
        assert_eq!(
            origin_only("https://hooks.example/T0/B0/s3cret?x=1"),
            "https://hooks.example/…"
        );
        assert_eq!(
            origin_only("https://a@hooks.example"),
            "https://***@hooks.example"
        );
        assert_eq!(origin_only("s3cret"), "(not a URL)");
        let e = check_absolute_url("http://u:s3cret@idp.example/cb?token=s3cret").unwrap_err();
        assert!(!e.0.contains("s3cret"), "{e}");
        assert!(e.0.contains("idp.example/cb"), "{e}");
        assert!(
            redacted(&format!("https://x/{}", "a".repeat(5000)))
                .chars()
                .count()
                <= 201
        );
        // Exactly at the limit a URL is shown whole; one character more is cut, with an ellipsis.
        let at_limit = format!(
            "https://x/{}",
            "é".repeat(MAX_SHOWN_CHARS - "https://x/".len())
        );
        assert_eq!(redacted(&at_limit), at_limit);
        let over = format!("{at_limit}é");
        assert_eq!(redacted(&over), format!("{at_limit}…"));
    }

    #[test]
    fn an_empty_list_refuses_everything_and_says_why() {
        let l = RedirectAllowList::parse("").unwrap();
        assert!(
            l.check("https://shop.example/after")
                .unwrap_err()
                .0
                .contains("is empty")
        );
    }

    #[test]
    fn plain_http_elsewhere_than_loopback_is_refused_with_the_exception_named() {
        // The message tells an operator how to run locally, not just "no".
        assert_eq!(
            check_absolute_url("http://shop.example/cb"),
            Err(UrlError(
                r#""http://shop.example/cb" must use https (http is accepted only for localhost and 127.0.0.1)"#
                    .into()
            ))
        );
        assert_eq!(
            check_absolute_url("ftp://shop.example/cb"),
            Err(UrlError(r#""ftp://shop.example/cb" must use https"#.into()))
        );
    }

    #[test]
    fn a_backslash_anywhere_is_refused() {
        // Browsers read `\` as `/` in special URLs, so `https://shop.example\.evil.com` may lead to
        // `shop.example` in one parser and to `evil.com` in another; each of these passes every other check.
        for bad in [
            r"https://shop.example\.evil.com/cb",
            r"https://shop.example/cb\x",
            r"https://shop.example/cb?next=\\evil.com",
            r"http://127.0.0.1:3000\cb",
        ] {
            let ok_without_it = bad.replace('\\', "/");
            assert_eq!(
                check_absolute_url(&ok_without_it),
                Ok(()),
                "{ok_without_it}"
            );
            let refused = check_absolute_url(bad).unwrap_err().0;
            assert!(
                refused.ends_with("contains whitespace, control characters or '\\'"),
                "{refused}"
            );
            assert!(RedirectAllowList::parse(bad).is_err(), "{bad}");
        }
    }
}

/// What messages show of a URL never contains its userinfo, query or fragment, whatever the URL.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod proptests {
    use super::*;
    use crate::proptest_config::with_cases;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(with_cases(512))]

        #[test]
        fn redaction_never_panics(url in any::<String>()) {
            let _ = redacted(&url);
            let _ = origin_only(&url);
            let _ = check_absolute_url(&url);
        }

        #[test]
        fn secrets_in_userinfo_query_or_fragment_are_never_shown(
            scheme in "(https?|ftp|)",
            user in "[a-z0-9:]{0,8}",
            host in "[a-z0-9.-]{0,16}",
            path in "(/[a-z0-9@.]{0,8}){0,3}",
            tail in "[?#][a-z0-9=&?#]{0,16}",
        ) {
            let secret = "S3CR3T";
            let url = format!("{scheme}{}{user}{secret}@{host}{path}{tail}{secret}",
                if scheme.is_empty() { "" } else { "://" });
            for shown in [redacted(&url), origin_only(&url)] {
                prop_assert!(!shown.contains(secret), "{url} -> {shown}");
            }
            if let Err(e) = check_absolute_url(&url) {
                prop_assert!(!e.0.contains(secret), "{url} -> {e}");
            }
        }
    }
}
