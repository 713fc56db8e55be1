//! Password hashing: PBKDF2-HMAC-SHA256 (default) or Argon2id, stored as PHC strings; Medusa's scrypt
//! hashes are verified too, so imported users keep their passwords until their first sign-in re-hashes
//! them ([`scrypt`]).
//!
//! PBKDF2 because it is the one password KDF Workers can run at full speed in wasm without a native
//! dependency (our loop runs at the speed of SHA-256's compression function, see [`pbkdf2_hmac_sha256`]);
//! Argon2id for those who prefer a memory-hard KDF. Each stored string carries its algorithm and cost, so
//! both kinds always verify, and raising [`DEFAULT_ITERATIONS`] or switching [`Algorithm`] later makes
//! [`Hasher::verify`] report `needs_rehash` on the next login instead of invalidating anyone.

mod argon2id;
mod cost;
mod kdf;
mod phc;
mod policy;
mod scrypt;
#[cfg(test)]
mod tests;

use std::fmt;

use subtle::ConstantTimeEq;

use crate::ports::random::{self, RandomError};

use kdf::Kdf;

pub use argon2id::{Argon2Params, MAX_MEMORY_KIB as MAX_ARGON2_MEMORY_KIB};
pub use cost::CostClass;
pub use edge_auth_kdf::pbkdf2_hmac_sha256;
#[cfg(test)]
pub(crate) use kdf::spent::take as take_kdf_runs;
pub use policy::check_policy;
pub use scrypt::{
    MAX_LOG_N as MAX_SCRYPT_LOG_N, MAX_MEMORY_BYTES as MAX_SCRYPT_MEMORY_BYTES,
    MAX_P as MAX_SCRYPT_P, MAX_R as MAX_SCRYPT_R, ScryptParams,
};

/// Work factor for new hashes. The OWASP Password Storage Cheat Sheet (2023 and later) recommends
/// 600,000 iterations for PBKDF2-HMAC-SHA256.
pub const DEFAULT_ITERATIONS: u32 = 600_000;
/// Lowest configurable work factor; anything less is too cheap to slow down offline guessing.
pub const MIN_ITERATIONS: u32 = 1_000;
/// Highest work factor we configure or will run for a stored hash, so a tampered or absurd stored
/// string cannot pin a CPU.
pub const MAX_ITERATIONS: u32 = 10_000_000;
/// Bytes of fresh salt per hash (128 bits, NIST SP 800-132's minimum).
pub const SALT_LEN: usize = 16;
/// Bytes of derived key stored (the SHA-256 output size: more would only cost the defender).
pub const HASH_LEN: usize = 32;
/// Shortest acceptable new password, counted in Unicode scalar values.
pub const MIN_PASSWORD_CHARS: usize = 8;
/// Longest acceptable password, in bytes, checked before any hashing.
pub const MAX_PASSWORD_BYTES: usize = 1024;

/// Why a password could not be hashed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PasswordError {
    /// Fewer than [`MIN_PASSWORD_CHARS`] chars.
    TooShort,
    /// More than [`MAX_PASSWORD_BYTES`] bytes.
    TooLong,
    /// A configured work factor outside [`MIN_ITERATIONS`]..=[`MAX_ITERATIONS`].
    BadIterations(u32),
    /// Argon2id was configured, but this build leaves it out (cargo feature `argon2id`).
    Argon2idUnavailable,
    /// No randomness for the salt.
    Random(RandomError),
}

impl fmt::Display for PasswordError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The first two are shown to end users as they are.
        match self {
            PasswordError::TooShort => {
                write!(
                    f,
                    "Password must be at least {MIN_PASSWORD_CHARS} characters"
                )
            }
            PasswordError::TooLong => {
                write!(f, "Password must be at most {MAX_PASSWORD_BYTES} bytes")
            }
            PasswordError::BadIterations(n) => write!(
                f,
                "PBKDF2 iterations must be between {MIN_ITERATIONS} and {MAX_ITERATIONS}, got {n}"
            ),
            PasswordError::Argon2idUnavailable => f.write_str(
                "argon2id is not available in this build (it was compiled without the cargo feature `argon2id`)",
            ),
            PasswordError::Random(e) => write!(f, "could not generate a password salt: {e}"),
        }
    }
}

impl std::error::Error for PasswordError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            PasswordError::Random(e) => Some(e),
            _ => None,
        }
    }
}

/// The KDF new hashes are made with (`PASSWORD_HASH`). Existing hashes of either kind always verify.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Algorithm {
    /// PBKDF2-HMAC-SHA256 at the configured iterations (the default).
    Pbkdf2,
    /// Argon2id at [`Argon2Params::OWASP`].
    Argon2id,
}

impl Algorithm {
    /// The configuration spellings, in the order a message lists them.
    pub const NAMES: [&str; 2] = ["pbkdf2", "argon2id"];

    /// `pbkdf2` or `argon2id`, as configured (case-insensitive, surrounding spaces ignored).
    pub fn parse(name: &str) -> Option<Self> {
        match name.trim().to_ascii_lowercase().as_str() {
            "pbkdf2" => Some(Self::Pbkdf2),
            "argon2id" => Some(Self::Argon2id),
            _ => None,
        }
    }

    /// The `PASSWORD_HASH` value of this algorithm.
    pub fn name(self) -> &'static str {
        match self {
            Self::Pbkdf2 => Self::NAMES[0],
            Self::Argon2id => Self::NAMES[1],
        }
    }
}

/// The outcome of checking a password against a stored hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use = "a password check whose outcome is ignored lets everyone in"]
pub enum Verification {
    /// Wrong password, or a stored string we cannot use.
    Mismatch,
    /// Right password. `needs_rehash` says the stored string was made with other parameters than the
    /// current ones, so the caller should store a fresh [`Hasher::hash`] of the password it now holds.
    Match {
        /// The stored string should be replaced by a fresh hash.
        needs_rehash: bool,
    },
}

/// Fixed input for [`Hasher::spend_dummy`]; its values do not matter, only that the work is real.
const DUMMY_SALT: [u8; SALT_LEN] = *b"edge-auth-dummy!";
const DUMMY_HASH: [u8; HASH_LEN] = [0x5a; HASH_LEN];

/// Hashes and verifies passwords with one algorithm and work factor and an optional pepper.
pub struct Hasher {
    algorithm: Algorithm,
    iterations: u32,
    argon2: Argon2Params,
    pepper: Option<Vec<u8>>,
}

impl Hasher {
    /// A PBKDF2 hasher for `iterations` rounds, refusing counts outside
    /// [`MIN_ITERATIONS`]..=[`MAX_ITERATIONS`].
    ///
    /// A pepper is a server-side secret mixed into every hash: the KDF's password input becomes
    /// `HMAC-SHA256(key = pepper, msg = password)`, so a leaked database alone cannot be guessed against.
    /// **Changing or removing the pepper invalidates every existing hash**: nobody can log in with a
    /// password until it is reset. An empty pepper counts as none, so an empty environment variable
    /// cannot silently turn peppering on.
    pub fn new(iterations: u32, pepper: Option<&str>) -> Result<Self, PasswordError> {
        Self::with_algorithm(Algorithm::Pbkdf2, iterations, pepper)
    }

    /// A hasher making new hashes with `algorithm`. `iterations` is checked whatever the algorithm, so
    /// switching back to PBKDF2 never meets a bad work factor; Argon2id uses [`Argon2Params::OWASP`].
    /// The pepper applies to both algorithms alike (see [`Hasher::new`]).
    pub fn with_algorithm(
        algorithm: Algorithm,
        iterations: u32,
        pepper: Option<&str>,
    ) -> Result<Self, PasswordError> {
        if !(MIN_ITERATIONS..=MAX_ITERATIONS).contains(&iterations) {
            return Err(PasswordError::BadIterations(iterations));
        }
        // Only a build without the feature has anything to refuse (compiled in, the check could never
        // fire, and a mutation test could not tell it from its negation).
        #[cfg(not(feature = "argon2id"))]
        if algorithm == Algorithm::Argon2id {
            return Err(PasswordError::Argon2idUnavailable);
        }
        let pepper = pepper
            .filter(|p| !p.is_empty())
            .map(|p| p.as_bytes().to_vec());
        Ok(Self {
            algorithm,
            iterations,
            argon2: Argon2Params::OWASP,
            pepper,
        })
    }

    /// Argon2id with other parameters than OWASP's, so tests can run at a fraction of the memory.
    #[cfg(all(test, feature = "argon2id"))]
    fn with_argon2_params(mut self, params: Argon2Params) -> Self {
        self.argon2 = params;
        self
    }

    /// The KDF new hashes are made with.
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// The PBKDF2 work factor (used for new hashes when [`Hasher::algorithm`] is PBKDF2).
    pub fn iterations(&self) -> u32 {
        self.iterations
    }

    /// The KDF and parameters new hashes are made with.
    fn target(&self) -> Kdf {
        match self.algorithm {
            Algorithm::Pbkdf2 => Kdf::Pbkdf2Sha256 {
                iterations: self.iterations,
            },
            Algorithm::Argon2id => Kdf::Argon2id(self.argon2),
        }
    }

    /// Hashes a new password with a fresh random 16-byte salt, after [`check_policy`], as
    /// `$pbkdf2-sha256$i=<n>,l=32$<salt>$<hash>` or `$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`
    /// (PHC B64: standard base64 without padding).
    pub fn hash(&self, password: &str) -> Result<String, PasswordError> {
        check_policy(password)?;
        let salt = random::bytes::<SALT_LEN>().map_err(PasswordError::Random)?;
        Ok(self.hash_with_salt(password, &salt))
    }

    fn hash_with_salt(&self, password: &str, salt: &[u8]) -> String {
        let target = self.target();
        // `with_algorithm` refuses Argon2id in builds without it, so the target always runs. Were it ever
        // not to, the zero hash could not match anything: verifying it would fail to derive again.
        let hash = self.derive(password, salt, target).unwrap_or([0; HASH_LEN]);
        phc::format(target, salt, &hash)
    }

    /// Checks `password` against a stored PHC string (either kind) in constant time.
    ///
    /// A malformed or unsupported stored string (or an oversized password) is a [`Verification::Mismatch`]
    /// that still costs one full KDF at the current work factor, so the response time does not tell.
    /// The policy minimum is not applied: it governs new passwords, not existing ones.
    pub fn verify(&self, password: &str, stored: &str) -> Verification {
        if password.len() > MAX_PASSWORD_BYTES {
            self.spend_dummy(password);
            return Verification::Mismatch;
        }
        let Ok(stored) = parse_stored(stored) else {
            self.spend_dummy(password);
            return Verification::Mismatch;
        };
        let Some(derived) = self.derive(password, &stored.salt, stored.kdf) else {
            // An Argon2id hash in a build without Argon2id.
            self.spend_dummy(password);
            return Verification::Mismatch;
        };
        if bool::from(derived.ct_eq(&stored.hash)) {
            // Another algorithm or cost is upgraded, and so are short legacy salts.
            let needs_rehash = stored.kdf != self.target() || stored.salt.len() != SALT_LEN;
            Verification::Match { needs_rehash }
        } else {
            Verification::Mismatch
        }
    }

    /// The algorithm and parameters new hashes are made with.
    pub fn current_cost(&self) -> CostClass {
        CostClass(self.target())
    }

    /// Spends one full KDF with the current algorithm and work factor against a fixed dummy hash.
    ///
    /// For a stored string that cannot be used (so a corrupt record costs as much as a good one); an
    /// unknown email should rather spend a cost drawn from the stored hashes ([`Hasher::spend_dummy_at`]).
    pub fn spend_dummy(&self, password: &str) {
        self.spend_dummy_at(password, None);
    }

    /// Spends one full KDF at `cost` (the current one when `None`) against a fixed dummy hash.
    ///
    /// Call it when the email is unknown, so that answering "no such user" takes as long as answering
    /// "wrong password" and timing does not reveal which emails exist. After a cost change the stored
    /// hashes keep their old costs, so the caller picks `cost` from their population
    /// (`crate::hash_costs`), not today's.
    pub fn spend_dummy_at(&self, password: &str, cost: Option<CostClass>) {
        // Oversized passwords are refused unhashed by `verify` too, so both paths cost the same.
        let password = if password.len() > MAX_PASSWORD_BYTES {
            ""
        } else {
            password
        };
        let kdf = cost.map_or_else(|| self.target(), |c| c.0);
        let derived = self
            .derive(password, &DUMMY_SALT, kdf)
            .unwrap_or(DUMMY_HASH);
        // black_box keeps the optimiser from discarding work whose result is unused.
        std::hint::black_box(derived.ct_eq(&DUMMY_HASH));
    }

    fn derive(&self, password: &str, salt: &[u8], kdf: Kdf) -> Option<[u8; HASH_LEN]> {
        let pepper = self.pepper.as_deref().filter(|_| kdf.is_peppered());
        let input = kdf::kdf_input(pepper, password.as_bytes());
        kdf::derive(kdf, &input, salt)
    }
}

/// A stored hash of any kind we verify: a PHC string (always starts with `$`), or else Medusa's base64
/// scrypt-kdf blob (starts with `c2NyeXB0`, the base64 of `scrypt`).
fn parse_stored(stored: &str) -> Result<phc::PhcHash, phc::ParseError> {
    if stored.starts_with('$') {
        phc::parse(stored)
    } else {
        scrypt::parse(stored)
    }
}

impl fmt::Debug for Hasher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct Redacted;
        impl fmt::Debug for Redacted {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("<redacted>")
            }
        }
        f.debug_struct("Hasher")
            .field("kdf", &self.target())
            .field("pepper", &self.pepper.as_ref().map(|_| Redacted))
            .finish()
    }
}
