//! Recovery codes: 128 random bits shown once as Medusa shows them (`1a2b-3c4d-…`, eight groups of four
//! hex digits), stored only as the SHA-256 of their normalised form. A fast hash suffices here, unlike
//! for passwords: a code has 128 bits of entropy, so its digest cannot be searched.

use crate::ports::random::{self, RandomError};
use crate::store::keys::sha256_hex;

/// Random bytes of a code.
const CODE_BYTES: usize = 16;
/// The most codes one request may make (Medusa's bound).
pub const MAX_COUNT: u32 = 50;

/// A fresh code, e.g. `3f9a-07c1-…` (39 characters).
pub fn generate() -> Result<String, RandomError> {
    let hex = random::hex_token(CODE_BYTES)?;
    let mut code = String::with_capacity(hex.len() + hex.len() / 4);
    for (i, c) in hex.chars().enumerate() {
        if i > 0 && i % 4 == 0 {
            code.push('-');
        }
        code.push(c);
    }
    Ok(code)
}

/// The digest a code is stored and looked up by. Case, surrounding space and the dashes are forgiven
/// (Medusa forgives the first two), so a code read aloud or retyped still works.
pub fn digest(code: &str) -> String {
    let mut normalised = code.to_ascii_lowercase();
    normalised.retain(|c| c != '-' && !c.is_whitespace());
    sha256_hex(&normalised)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_eight_groups_of_four_hex_digits_and_differ() {
        let a = generate().unwrap();
        assert_eq!(a.len(), 39);
        assert!(a.split('-').all(|g| {
            g.len() == 4
                && g.bytes()
                    .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        }));
        assert_ne!(a, generate().unwrap());
    }

    #[test]
    fn the_digest_forgives_case_space_and_dashes_but_not_digits() {
        let code = "3f9a-07c1-aa00-0000-1111-2222-3333-4444";
        let d = digest(code);
        assert_eq!(digest(" 3F9A-07C1-AA00-0000-1111-2222-3333-4444 "), d);
        assert_eq!(digest("3f9a07c1aa000000111122223333 4444"), d);
        assert_ne!(digest("3f9a-07c1-aa00-0000-1111-2222-3333-4445"), d);
        assert!(!d.contains("3f9a"));
    }
}
