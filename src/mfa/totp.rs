//! Time-based one-time passwords (RFC 6238 over RFC 4226's HOTP): HMAC-SHA1, 30-second steps, codes of
//! 6 digits in use, with the base32 secrets and `otpauth://` URLs authenticator apps read.

use super::sha1::hmac_sha1;
use subtle::ConstantTimeEq;

/// Length of a time step, in seconds (RFC 6238's default, and every authenticator app's).
pub const PERIOD_SECS: u64 = 30;
/// Digits of the codes we issue and accept.
pub const DIGITS: u32 = 6;
/// Steps either side of the current one whose code is still accepted: clock drift and typing time.
pub const WINDOW_STEPS: u64 = 1;
/// Bytes of a new secret: 160 bits, the HMAC-SHA1 output size RFC 4226 recommends.
pub const SECRET_BYTES: usize = 20;

/// RFC 4226 §5.3: HMAC-SHA1 of the big-endian counter, dynamically truncated to `digits` decimal digits.
pub fn hotp(key: &[u8], counter: u64, digits: u32) -> u32 {
    let hash = hmac_sha1(key, &counter.to_be_bytes());
    let offset = usize::from(hash[19] & 0x0f);
    let binary = u32::from_be_bytes([
        hash[offset] & 0x7f,
        hash[offset + 1],
        hash[offset + 2],
        hash[offset + 3],
    ]);
    binary % 10u32.pow(digits)
}

/// The time step `unix_secs` falls in.
pub fn step(unix_secs: u64) -> u64 {
    unix_secs / PERIOD_SECS
}

/// The code of `step`, zero-padded to `digits`.
pub fn code_at(key: &[u8], step: u64, digits: u32) -> String {
    format!(
        "{:0width$}",
        hotp(key, step, digits),
        width = digits as usize
    )
}

/// The step whose 6-digit code `code` is, among the current one and [`WINDOW_STEPS`] either side, or
/// `None`. Every candidate is compared (in constant time) so the answer's timing does not say which
/// step matched. Anything but exactly six ASCII digits is `None`: it equals no candidate (no check
/// of its own, which could only repeat the comparison's answer).
pub fn matching_step(key: &[u8], code: &str, unix_secs: u64) -> Option<u64> {
    let now = step(unix_secs);
    let mut found = None;
    for candidate in now.saturating_sub(WINDOW_STEPS)..=now.saturating_add(WINDOW_STEPS) {
        let expected = code_at(key, candidate, DIGITS);
        if bool::from(expected.as_bytes().ct_eq(code.as_bytes())) && found.is_none() {
            found = Some(candidate);
        }
    }
    found
}

const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// RFC 4648 base32 without padding, as authenticator apps take secrets.
pub fn base32_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for &byte in bytes {
        buffer = (buffer << 8) | u32::from(byte);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(BASE32[((buffer >> bits) & 31) as usize]));
        }
        buffer &= (1 << bits) - 1;
    }
    if bits > 0 {
        out.push(char::from(BASE32[((buffer << (5 - bits)) & 31) as usize]));
    }
    out
}

/// Base32 back to bytes; case, spaces and trailing `=` are forgiven, anything else is `None`.
pub fn base32_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 5 / 8);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for c in text.trim_end_matches('=').bytes().filter(|b| *b != b' ') {
        let value = BASE32.iter().position(|&a| a == c.to_ascii_uppercase())?;
        buffer = (buffer << 5) | value as u32;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
        }
        buffer &= (1 << bits) - 1;
    }
    Some(out)
}

/// The Key Uri Format authenticator apps read from a QR code:
/// `otpauth://totp/<issuer>:<account>?secret=…&issuer=…&algorithm=SHA1&digits=6&period=30`.
pub fn otpauth_url(issuer: &str, account: &str, secret_base32: &str) -> String {
    let (issuer, account) = (uri_component(issuer), uri_component(account));
    format!(
        "otpauth://totp/{issuer}:{account}?secret={secret_base32}&issuer={issuer}\
         &algorithm=SHA1&digits={DIGITS}&period={PERIOD_SECS}"
    )
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
fn uri_component(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B's SHA-1 seed: the ASCII string "12345678901234567890".
    const RFC_KEY: &[u8] = b"12345678901234567890";

    #[test]
    fn rfc_6238_appendix_b_sha1_vectors() {
        // (time, 8-digit TOTP) rows of the SHA-1 column.
        let rows: &[(u64, &str)] = &[
            (59, "94287082"),
            (1_111_111_109, "07081804"),
            (1_111_111_111, "14050471"),
            (1_234_567_890, "89005924"),
            (2_000_000_000, "69279037"),
            (20_000_000_000, "65353130"),
        ];
        for &(time, expected) in rows {
            assert_eq!(code_at(RFC_KEY, step(time), 8), expected, "T = {time}");
            // The 6 digits in use are the same number modulo 10^6.
            assert_eq!(code_at(RFC_KEY, step(time), 6), expected[2..], "T = {time}");
        }
    }

    #[test]
    fn rfc_4226_appendix_d_hotp_vectors() {
        let expected = [
            755224, 287082, 359152, 969429, 338314, 254676, 287922, 162583, 399871, 520489,
        ];
        for (counter, code) in expected.into_iter().enumerate() {
            assert_eq!(hotp(RFC_KEY, counter as u64, 6), code);
        }
    }

    #[test]
    fn a_code_matches_its_step_and_one_step_either_side_only() {
        let now = 1_111_111_111;
        let current = code_at(RFC_KEY, step(now), 6);
        assert_eq!(matching_step(RFC_KEY, &current, now), Some(step(now)));
        assert_eq!(
            matching_step(RFC_KEY, &current, now + PERIOD_SECS),
            Some(step(now))
        );
        assert_eq!(
            matching_step(RFC_KEY, &current, now - PERIOD_SECS),
            Some(step(now))
        );
        assert_eq!(
            matching_step(RFC_KEY, &current, now + 2 * PERIOD_SECS),
            None
        );
        assert_eq!(
            matching_step(RFC_KEY, &current, now - 2 * PERIOD_SECS),
            None
        );
    }

    #[test]
    fn codes_of_the_wrong_shape_never_match() {
        let now = 59;
        for bad in [
            "",
            "28708",
            "2870822",
            "28708a",
            " 87082",
            "94287082",
            "٢٨٧٠٨٢",
        ] {
            assert_eq!(matching_step(RFC_KEY, bad, now), None, "{bad:?}");
        }
    }

    #[test]
    fn base32_round_trips_and_matches_rfc_4648() {
        assert_eq!(base32_encode(b"foobar"), "MZXW6YTBOI");
        assert_eq!(base32_encode(b"f"), "MY");
        assert_eq!(base32_decode("mzxw6ytboi======").unwrap(), b"foobar");
        assert_eq!(base32_decode("MZXW 6YTB OI").unwrap(), b"foobar");
        assert_eq!(base32_decode("MZXW1"), None);
        let secret: Vec<u8> = (0..20).collect();
        assert_eq!(base32_decode(&base32_encode(&secret)).unwrap(), secret);
        assert_eq!(base32_encode(&secret).len(), 32);
    }

    #[test]
    fn otpauth_urls_encode_issuer_and_account() {
        assert_eq!(
            otpauth_url("Edge Auth", "a@b.co", "GEZDGNBV"),
            "otpauth://totp/Edge%20Auth:a%40b.co?secret=GEZDGNBV&issuer=Edge%20Auth\
             &algorithm=SHA1&digits=6&period=30"
        );
    }
}
