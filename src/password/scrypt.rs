//! Medusa's stored passwords: the base64 of scrypt-kdf's 96-byte blob, verified so a store's users keep
//! their passwords when they move here (and are re-hashed with our KDF on their first sign-in).
//! Contract: `docs/migrating-from-medusa.md#passwords`.
//!
//! The blob (scrypt-kdf 2.0.1's `kdf`, Colin Percival's scrypt file header): `"scrypt"`, version `0`,
//! `log2 N` (1 byte), `r` and `p` (4 bytes big-endian each), a 32-byte salt, a 16-byte checksum (the
//! first half of SHA-256 of the 48 bytes before it), and HMAC-SHA256 of the 64 bytes before it keyed by
//! bytes 32..64 of `scrypt(password, salt, N, r, p, 64)`. We only verify such hashes; new ones are
//! never made. Stricter than scrypt-kdf's `verify`, which ignores the first 7 bytes: a blob must say
//! `scrypt`, version 0 (every blob scrypt-kdf writes does).

use crate::b64::STANDARD;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::HASH_LEN;
use super::kdf::Kdf;
use super::phc::{self, ParseError, PhcHash};
use edge_auth_kdf::HmacKey;

/// scrypt's cost parameters as the blob stores them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScryptParams {
    /// `log2 N`.
    pub log_n: u8,
    /// Block size.
    pub r: u32,
    /// Parallelism (run one after another: wasm has no threads).
    pub p: u32,
}

impl ScryptParams {
    /// Medusa's default (`hashConfig` unset): N = 2^15, r = 8, p = 1, a 32 MiB table.
    pub const MEDUSA: Self = Self {
        log_n: 15,
        r: 8,
        p: 1,
    };

    /// Whether a stored blob's parameters are ones we are willing to run, decided before any work:
    /// `log2 N` ≤ [`MAX_LOG_N`], `r` ≤ [`MAX_R`], `p` ≤ [`MAX_P`], a table of at most
    /// [`MAX_MEMORY_BYTES`], and at most [`MAX_WORK`] block mixes (`N·r·p`).
    pub(super) fn is_acceptable(&self) -> bool {
        let (log_n, r, p) = (u64::from(self.log_n), u64::from(self.r), u64::from(self.p));
        (1..=u64::from(MAX_LOG_N)).contains(&log_n)
            && (1..=u64::from(MAX_R)).contains(&r)
            && (1..=u64::from(MAX_P)).contains(&p)
            && 128 * r * (1 << log_n) <= MAX_MEMORY_BYTES
            && (1 << log_n) * r * p <= MAX_WORK
    }
}

/// Largest `log2 N` we run (N = 65,536: twice Medusa's default; with `r` ≤ 4, see [`MAX_MEMORY_BYTES`]).
pub const MAX_LOG_N: u8 = 16;
/// Largest block size we run.
pub const MAX_R: u32 = 32;
/// Largest parallelism we run.
pub const MAX_P: u32 = 16;
/// Largest ROMix table (`128·r·N` bytes): 32 MiB, Medusa's default. wasm memory never shrinks, and a
/// larger table after a smaller one does not reuse its space: measured in workerd, a 64 MiB table after
/// 32 MiB ones left the isolate at 97 MiB of its 128 MB (`docs/performance.md#medusa-scrypt-hashes`).
pub const MAX_MEMORY_BYTES: u64 = 32 * 1024 * 1024;
/// Largest `N·r·p`: four times Medusa's default (2^15·8·1); see `docs/performance.md` for the time.
pub const MAX_WORK: u64 = 1 << 20;

/// The cost-class name of these hashes (passlib's for scrypt).
pub(super) const SCRYPT: &str = "scrypt";

const MAGIC: &[u8; 6] = b"scrypt";
const VERSION: u8 = 0;
/// The salt length scrypt-kdf writes.
const SALT_LEN: usize = 32;
const BLOB_LEN: usize = 96;
/// `"scrypt"`, version, log N, r, p.
const PARAMS_LEN: usize = 16;
const CHECKSUM_LEN: usize = 16;

/// The header the HMAC covers: parameters, salt, and their checksum.
fn header(params: ScryptParams, salt: &[u8]) -> Vec<u8> {
    let mut header = Vec::with_capacity(PARAMS_LEN + salt.len() + CHECKSUM_LEN);
    header.extend_from_slice(MAGIC);
    header.push(VERSION);
    header.push(params.log_n);
    header.extend_from_slice(&params.r.to_be_bytes());
    header.extend_from_slice(&params.p.to_be_bytes());
    header.extend_from_slice(salt);
    let checksum = Sha256::digest(&header);
    header.extend_from_slice(&checksum[..CHECKSUM_LEN]);
    header
}

/// Reads a stored blob, refusing any other version, a checksum that does not match, and parameters
/// beyond the bounds, before any KDF work.
pub(super) fn parse(stored: &str) -> Result<PhcHash, ParseError> {
    if stored.len() != BLOB_LEN.div_ceil(3) * 4 {
        return Err(ParseError::Shape);
    }
    let blob = STANDARD.decode(stored).map_err(|_| ParseError::Base64)?;
    let blob: [u8; BLOB_LEN] = blob.try_into().map_err(|_| ParseError::Shape)?;
    if &blob[..6] != MAGIC {
        return Err(ParseError::Algorithm);
    }
    if blob[6] != VERSION {
        return Err(ParseError::Version);
    }
    let word = |at: usize| u32::from_be_bytes([blob[at], blob[at + 1], blob[at + 2], blob[at + 3]]);
    let params = ScryptParams {
        log_n: blob[7],
        r: word(8),
        p: word(12),
    };
    if !params.is_acceptable() {
        return Err(ParseError::CostOutOfRange);
    }
    let salt = &blob[PARAMS_LEN..PARAMS_LEN + SALT_LEN];
    let expected = header(params, salt);
    // The checksum covers public data only; compared in constant time all the same.
    if !bool::from(expected[..].ct_eq(&blob[..expected.len()])) {
        return Err(ParseError::Checksum);
    }
    let mut hash = [0u8; HASH_LEN];
    hash.copy_from_slice(&blob[BLOB_LEN - HASH_LEN..]);
    Ok(PhcHash {
        kdf: Kdf::Scrypt(params),
        salt: salt.to_vec(),
        hash,
    })
}

/// `ln=<log2 N>,r=<r>,p=<p>` (a cost-class label's parameters), all required, within the bounds.
pub(super) fn parse_cost_params(params: &str) -> Result<Kdf, ParseError> {
    let [Some(log_n), Some(r), Some(p)] = phc::parse_params(params, ["ln", "r", "p"])? else {
        return Err(ParseError::Parameter);
    };
    let params = ScryptParams {
        log_n: u8::try_from(log_n).map_err(|_| ParseError::CostOutOfRange)?,
        r,
        p,
    };
    if !params.is_acceptable() {
        return Err(ParseError::CostOutOfRange);
    }
    Ok(Kdf::Scrypt(params))
}

/// The blob for `params`, `salt` and the HMAC `hash`, base64-encoded as Medusa stores it.
pub(super) fn format(params: ScryptParams, salt: &[u8], hash: &[u8; HASH_LEN]) -> String {
    let mut blob = header(params, salt);
    blob.extend_from_slice(hash);
    STANDARD.encode(blob)
}

/// The blob's HMAC for `password` (never peppered: Medusa had no pepper); `None` when the table cannot
/// be allocated.
pub(super) fn derive(password: &[u8], salt: &[u8], params: ScryptParams) -> Option<[u8; HASH_LEN]> {
    let mut key = [0u8; 64];
    edge_auth_kdf::scrypt(password, salt, params.log_n, params.r, params.p, &mut key).ok()?;
    Some(HmacKey::new(&key[32..]).mac(&[&header(params, salt)]))
}

#[cfg(test)]
mod tests;
