//! [`CostClass`]: a KDF with its cost parameters, named by the parameter part of its PHC string
//! (`pbkdf2-sha256$i=600000`, `argon2id$m=19456,t=2,p=1`, and for Medusa's scrypt blobs
//! `scrypt$ln=15,r=8,p=1` as passlib writes scrypt's), so the costs of stored hashes can be counted,
//! stored and spent again without their salts and hashes.

use std::fmt;

use super::argon2id::Argon2Params;
use super::kdf::Kdf;
use super::phc::{self, ARGON2ID, PBKDF2_SHA256};
use super::scrypt::{self, SCRYPT, ScryptParams};

/// What one verification of a hash costs: its algorithm and parameters. Parsed with the same bounds as a
/// stored hash, so a class read back from the store can never ask for more work than a hash could.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CostClass(pub(super) Kdf);

impl CostClass {
    /// The class of a stored PHC string; `None` if the string is not one `Hasher::verify` would run.
    pub fn of_stored(stored: &str) -> Option<Self> {
        super::parse_stored(stored).ok().map(|h| Self(h.kdf))
    }

    /// The inverse of `Display`; `None` for anything else, or costs outside the accepted bounds.
    pub fn parse(label: &str) -> Option<Self> {
        let (algorithm, params) = label.split_once('$')?;
        let kdf = match algorithm {
            PBKDF2_SHA256 => phc::parse_pbkdf2_params(params).ok()?,
            ARGON2ID => phc::parse_argon2_params(params).ok()?,
            SCRYPT => scrypt::parse_cost_params(params).ok()?,
            _ => return None,
        };
        Some(Self(kdf))
    }

    /// PBKDF2 iterations, if this is PBKDF2.
    pub fn pbkdf2_iterations(&self) -> Option<u32> {
        match self.0 {
            Kdf::Pbkdf2Sha256 { iterations } => Some(iterations),
            Kdf::Argon2id(_) | Kdf::Scrypt(_) => None,
        }
    }
}

impl fmt::Display for CostClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Kdf::Pbkdf2Sha256 { iterations } => write!(f, "{PBKDF2_SHA256}$i={iterations}"),
            Kdf::Argon2id(Argon2Params {
                memory_kib,
                time_cost,
                parallelism,
            }) => write!(f, "{ARGON2ID}$m={memory_kib},t={time_cost},p={parallelism}"),
            Kdf::Scrypt(ScryptParams { log_n, r, p }) => {
                write!(f, "{SCRYPT}$ln={log_n},r={r},p={p}")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_print_and_parse_back() {
        for label in [
            "pbkdf2-sha256$i=20000",
            "argon2id$m=19456,t=2,p=1",
            "scrypt$ln=15,r=8,p=1",
        ] {
            assert_eq!(CostClass::parse(label).unwrap().to_string(), label);
        }
        let stored = "$pbkdf2-sha256$i=1000,l=32$c2FsdHNhbHRzYWx0$\
                      Nlq7yQQ/Jx5m+uuYFkhhwl2VoPS8M7l43ASGCC52pus";
        let class = CostClass::of_stored(stored).unwrap();
        assert_eq!(class.to_string(), "pbkdf2-sha256$i=1000");
        assert_eq!(class.pbkdf2_iterations(), Some(1000));
    }

    #[test]
    fn classes_outside_the_bounds_of_a_stored_hash_are_refused() {
        for label in [
            "pbkdf2-sha256$i=999",
            "pbkdf2-sha256$i=10000001",
            "pbkdf2-sha256$i=1000,l=64",
            "argon2id$m=1048576,t=2,p=1",
            "argon2id$m=19456,t=2",
            "scrypt$n=1",
            "scrypt$ln=17,r=8,p=1",
            "scrypt$ln=15,r=8",
            "scrypt$ln=15,r=0,p=1",
            "pbkdf2-sha256",
            "",
        ] {
            assert_eq!(CostClass::parse(label), None, "{label}");
        }
        assert_eq!(CostClass::of_stored("$pbkdf2-sha256$i=1000$x$y"), None);
    }
}
