//! Cryptographically secure randomness from the platform.
//!
//! Natively this is the OS generator; on Workers `getrandom` is built with its `wasm_js` backend, which
//! calls `crypto.getRandomValues`. Failure is reported as a value rather than a panic: an auth service
//! that cannot draw randomness must refuse the request, not crash the isolate.

use std::fmt;

/// The platform could not supply random bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RandomError {
    /// The generator is missing or failed; the text is the platform's own explanation.
    Unavailable(String),
}

impl fmt::Display for RandomError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RandomError::Unavailable(why) => {
                write!(f, "secure random generator unavailable: {why}")
            }
        }
    }
}

impl std::error::Error for RandomError {}

/// Fills `buf` with secure random bytes.
pub fn fill(buf: &mut [u8]) -> Result<(), RandomError> {
    getrandom::fill(buf).map_err(|e| RandomError::Unavailable(e.to_string()))
}

/// Returns `N` secure random bytes.
pub fn bytes<const N: usize>() -> Result<[u8; N], RandomError> {
    let mut out = [0u8; N];
    fill(&mut out)?;
    Ok(out)
}

/// Returns `n_bytes` secure random bytes as lowercase hex (so the string has `2 * n_bytes` chars).
pub fn hex_token(n_bytes: usize) -> Result<String, RandomError> {
    let mut raw = vec![0u8; n_bytes];
    fill(&mut raw)?;
    Ok(to_lower_hex(&raw))
}

fn to_lower_hex(raw: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(raw.len() * 2);
    for byte in raw {
        out.push(char::from(DIGITS[usize::from(byte >> 4)]));
        out.push(char::from(DIGITS[usize::from(byte & 0x0f)]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_encoding_is_lowercase_and_zero_padded() {
        assert_eq!(to_lower_hex(&[0x00, 0x0a, 0xff, 0x5c]), "000aff5c");
        assert_eq!(to_lower_hex(&[]), "");
    }

    #[test]
    fn hex_token_has_two_lowercase_hex_chars_per_byte() {
        let token = hex_token(32).expect("randomness");
        assert_eq!(token.len(), 64);
        assert!(
            token
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        );
    }

    #[test]
    fn hex_token_of_zero_bytes_is_empty() {
        assert_eq!(hex_token(0).expect("randomness"), "");
    }

    #[test]
    fn two_draws_differ() {
        // 128 bits: a collision here means the generator is broken, not unlucky.
        let a = bytes::<16>().expect("randomness");
        let b = bytes::<16>().expect("randomness");
        assert_ne!(a, b);
        assert_ne!(
            hex_token(16).expect("randomness"),
            hex_token(16).expect("randomness")
        );
    }

    #[test]
    fn fill_overwrites_the_whole_buffer() {
        // 64 zero bytes surviving a fill has probability 2^-512.
        let mut buf = [0u8; 64];
        fill(&mut buf).expect("randomness");
        assert_ne!(buf, [0u8; 64]);
    }

    #[test]
    fn unavailable_error_explains_itself() {
        let err = RandomError::Unavailable("no entropy source".into());
        assert_eq!(
            err.to_string(),
            "secure random generator unavailable: no entropy source"
        );
    }
}
