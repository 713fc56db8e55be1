//! Actor types and provider ids, checked once where they enter (a route, a JS call) and typed from then on.

use crate::config::is_valid_actor_type;
use std::fmt;

/// An actor type (`customer`, `user`, …): lower-case letters, digits and `_`, starting with a letter, at
/// most 32 bytes. Whether it is configured is the caller's business (`AUTH_METHODS_PER_ACTOR`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ActorType(String);

impl ActorType {
    /// `None` when `s` is not an actor type's syntax.
    pub fn parse(s: &str) -> Option<Self> {
        is_valid_actor_type(s).then(|| Self(s.to_owned()))
    }

    /// The actor type as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A provider id (`emailpass`, `google`, an OIDC entry's id): lower-case letters, digits, `_` and `-`,
/// 1 to 64 bytes. Whether such a provider exists is the service's business.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ProviderId(String);

impl ProviderId {
    /// The longest provider id accepted.
    pub const MAX_BYTES: usize = 64;

    /// `None` when `s` is not a provider id's syntax.
    pub fn parse(s: &str) -> Option<Self> {
        let valid = !s.is_empty()
            && s.len() <= Self::MAX_BYTES
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
        valid.then(|| Self(s.to_owned()))
    }

    /// The provider id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ActorType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Display for ProviderId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actor_types_and_provider_ids_are_checked_once() {
        assert_eq!(ActorType::parse("customer").unwrap().as_str(), "customer");
        assert!(ActorType::parse("Customer").is_none());
        assert!(ActorType::parse("").is_none());
        assert_eq!(
            ProviderId::parse("my-oidc_2").unwrap().to_string(),
            "my-oidc_2"
        );
        for bad in ["", "Google", "a b", "a/b", &"x".repeat(65)] {
            assert!(ProviderId::parse(bad).is_none(), "{bad:?}");
        }
        assert!(ProviderId::parse(&"x".repeat(64)).is_some());
    }
}
