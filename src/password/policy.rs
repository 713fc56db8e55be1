//! What a new password must look like before we spend a KDF on it.

use super::{MAX_PASSWORD_BYTES, MIN_PASSWORD_CHARS, PasswordError};

/// Checks a new password against the length policy.
///
/// The byte cap comes first and is measured in bytes, so an oversized body is refused without walking
/// its chars. The minimum counts Unicode scalar values, so "pässwörd" counts as 8 like "password".
pub fn check_policy(password: &str) -> Result<(), PasswordError> {
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(PasswordError::TooLong);
    }
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(PasswordError::TooShort);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seven_chars_are_too_short() {
        assert_eq!(check_policy("abcdefg"), Err(PasswordError::TooShort));
    }

    #[test]
    fn empty_password_is_too_short() {
        assert_eq!(check_policy(""), Err(PasswordError::TooShort));
    }

    #[test]
    fn eight_chars_are_enough() {
        assert_eq!(check_policy("abcdefgh"), Ok(()));
    }

    #[test]
    fn eight_multibyte_chars_are_enough_although_more_than_eight_bytes() {
        let password = "ééééééé🔑"; // 7 two-byte chars and one four-byte char
        assert_eq!(password.chars().count(), 8);
        assert_eq!(check_policy(password), Ok(()));
    }

    #[test]
    fn seven_multibyte_chars_are_too_short_although_more_than_eight_bytes() {
        let password = "🔑🔑🔑🔑🔑🔑🔑";
        assert!(password.len() > 8);
        assert_eq!(check_policy(password), Err(PasswordError::TooShort));
    }

    #[test]
    fn exactly_1024_bytes_are_allowed() {
        assert_eq!(check_policy(&"a".repeat(1024)), Ok(()));
    }

    #[test]
    fn a_1025_byte_password_is_refused() {
        assert_eq!(check_policy(&"a".repeat(1025)), Err(PasswordError::TooLong));
    }

    #[test]
    fn byte_cap_counts_bytes_not_chars() {
        // 513 two-byte chars: only 513 chars but 1026 bytes.
        assert_eq!(check_policy(&"é".repeat(513)), Err(PasswordError::TooLong));
    }

    #[test]
    fn policy_messages_are_exact() {
        assert_eq!(
            PasswordError::TooShort.to_string(),
            "Password must be at least 8 characters"
        );
        assert_eq!(
            PasswordError::TooLong.to_string(),
            "Password must be at most 1024 bytes"
        );
    }
}
