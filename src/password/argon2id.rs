//! Argon2id (RFC 9106), the memory-hard alternative to PBKDF2 (`PASSWORD_HASH=argon2id`).
//!
//! The RustCrypto `argon2` crate does the work; this module fixes the parameters we make hashes with and
//! bounds the ones we accept from stored strings, since those decide how much memory and time a login
//! costs. A Worker runs one KDF at a time per isolate (hashing is synchronous, so concurrent requests
//! interleave only between KDFs): the memory cost is held once, then returned to the allocator.

use super::HASH_LEN;

/// Argon2's cost parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Argon2Params {
    /// Memory in KiB (`m`).
    pub memory_kib: u32,
    /// Passes over the memory (`t`).
    pub time_cost: u32,
    /// Lanes (`p`). wasm has no threads, so lanes run one after another: `p` adds no speed here.
    pub parallelism: u32,
}

impl Argon2Params {
    /// The OWASP Password Storage Cheat Sheet's first Argon2id configuration: m = 19 MiB, t = 2, p = 1
    /// (≈ 24 ms in wasm on a current x86 core).
    pub const OWASP: Self = Self {
        memory_kib: 19_456,
        time_cost: 2,
        parallelism: 1,
    };

    /// Whether a stored string's parameters are ones we are willing to run: valid for Argon2
    /// (`m ≥ 8p`), and bounded so a tampered or foreign hash cannot exhaust the isolate's memory or CPU.
    pub(super) fn is_acceptable(&self) -> bool {
        (1..=MAX_PARALLELISM).contains(&self.parallelism)
            && (8 * self.parallelism..=MAX_MEMORY_KIB).contains(&self.memory_kib)
            && (1..=MAX_TIME_COST).contains(&self.time_cost)
    }
}

/// Largest `m` we run for a stored hash: 64 MiB, half of a Worker isolate's 128 MB, since wasm memory
/// never shrinks once grown.
pub const MAX_MEMORY_KIB: u32 = 65_536;
/// Largest `t` we run for a stored hash (t = 10 at 64 MiB is ≈ 0.4 s in wasm).
pub const MAX_TIME_COST: u32 = 10;
/// Largest `p` we run for a stored hash.
pub const MAX_PARALLELISM: u32 = 16;

/// Argon2id v1.3 of `input` and `salt` with a 32-byte output; `None` if this build has no Argon2 (cargo
/// feature `argon2id` off) or the parameters are unusable (the PHC parser already refused those).
#[cfg(feature = "argon2id")]
pub(super) fn derive(input: &[u8], salt: &[u8], params: Argon2Params) -> Option<[u8; HASH_LEN]> {
    let params = argon2::Params::new(
        params.memory_kib,
        params.time_cost,
        params.parallelism,
        Some(HASH_LEN),
    )
    .ok()?;
    let argon2 = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
    let mut out = [0u8; HASH_LEN];
    argon2.hash_password_into(input, salt, &mut out).ok()?;
    Some(out)
}

#[cfg(not(feature = "argon2id"))]
pub(super) fn derive(_input: &[u8], _salt: &[u8], _params: Argon2Params) -> Option<[u8; HASH_LEN]> {
    None
}

#[cfg(all(test, feature = "argon2id"))]
mod tests {
    use super::*;

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// (m, t, p, raw hash in hex) for password "password" and salt "somesalt", computed with the
    /// reference C implementation (Debian's `argon2` 20190702):
    /// `echo -n password | argon2 somesalt -id -k <m> -t <t> -p <p> -l 32 -r`.
    const REFERENCE: &[(u32, u32, u32, &str)] = &[
        (
            64,
            2,
            1,
            "16a1a498734609dd01456da406de9f3d9da93e6c86c300a12fc1465214ce4922",
        ),
        (
            256,
            3,
            2,
            "a3161de99d0e7c0762364b2c4b3ea2b950005973f8879d54287fd8bd56921f36",
        ),
    ];

    #[test]
    fn matches_the_reference_implementation() {
        for &(memory_kib, time_cost, parallelism, expected) in REFERENCE {
            let params = Argon2Params {
                memory_kib,
                time_cost,
                parallelism,
            };
            let out = derive(b"password", b"somesalt", params).expect("valid");
            assert_eq!(hex(&out), expected, "{params:?}");
        }
    }

    #[test]
    fn owasp_parameters_are_acceptable_and_bounds_hold() {
        assert!(Argon2Params::OWASP.is_acceptable());
        let with = |memory_kib, time_cost, parallelism| Argon2Params {
            memory_kib,
            time_cost,
            parallelism,
        };
        assert!(with(MAX_MEMORY_KIB, MAX_TIME_COST, MAX_PARALLELISM).is_acceptable());
        assert!(with(8, 1, 1).is_acceptable());
        for bad in [
            with(MAX_MEMORY_KIB + 1, 2, 1),
            with(19_456, MAX_TIME_COST + 1, 1),
            with(19_456, 0, 1),
            with(19_456, 2, 0),
            with(19_456, 2, MAX_PARALLELISM + 1),
            with(15, 1, 2), // Argon2 needs m ≥ 8p
        ] {
            assert!(!bad.is_acceptable(), "{bad:?}");
        }
    }
}
