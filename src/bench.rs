//! `#[wasm_bindgen]` exports that `scripts/bench.mjs` times in V8 (cargo feature `bench`, built for Node by
//! `scripts/bench.sh`; never part of the Worker or the npm package).
//!
//! Each returns a byte of its result so the work cannot be optimised away.

use crate::password::{Algorithm, Hasher, pbkdf2_hmac_sha256};
use sha2::Sha256;
use sha2::block_api::compress256;
use wasm_bindgen::prelude::wasm_bindgen;

const PASSWORD: &[u8] = b"correct horse battery staple";
const SALT: &[u8] = b"edge-auth-salt16";

/// Our PBKDF2-HMAC-SHA256 (the one every login runs), 32-byte output.
#[wasm_bindgen]
pub fn bench_pbkdf2_ours(iterations: u32) -> u8 {
    let mut out = [0u8; 32];
    pbkdf2_hmac_sha256(PASSWORD, SALT, iterations, &mut out);
    out[0]
}

/// The `pbkdf2` crate's PBKDF2-HMAC-SHA256 over the same inputs: the reference we are compared to.
#[wasm_bindgen]
pub fn bench_pbkdf2_crate(iterations: u32) -> u8 {
    let mut out = [0u8; 32];
    pbkdf2::pbkdf2_hmac::<Sha256>(PASSWORD, SALT, iterations, &mut out);
    out[0]
}

/// `blocks` single-block SHA-256 compressions, each on the previous state: the bound for PBKDF2 is
/// this rate ÷ 2.
#[wasm_bindgen]
pub fn bench_compress256(blocks: u32) -> u8 {
    let mut state = [0x6a09_e667u32; 8];
    let mut block = [0x5au8; 64];
    block[0] = (blocks & 0xff) as u8;
    for _ in 0..blocks {
        compress256(&mut state, core::slice::from_ref(&block));
    }
    state[0] as u8
}

/// Our PBKDF2's full output, for the script to compare with WebCrypto's before timing.
#[wasm_bindgen]
pub fn bench_pbkdf2_ours_output(iterations: u32) -> Vec<u8> {
    let mut out = [0u8; 32];
    pbkdf2_hmac_sha256(PASSWORD, SALT, iterations, &mut out);
    out.to_vec()
}

/// Our PBKDF2 and the crate's agree on these inputs (checked by the script before timing).
#[wasm_bindgen]
pub fn bench_outputs_agree(iterations: u32) -> bool {
    let mut ours = [0u8; 32];
    pbkdf2_hmac_sha256(PASSWORD, SALT, iterations, &mut ours);
    let mut reference = [0u8; 32];
    pbkdf2::pbkdf2_hmac::<Sha256>(PASSWORD, SALT, iterations, &mut reference);
    ours == reference
}

/// One Argon2id hash at OWASP parameters (m = 19 MiB, t = 2, p = 1), as a login would spend it; `false`
/// if this build has no Argon2id.
#[wasm_bindgen]
pub fn bench_argon2id_owasp() -> bool {
    Hasher::with_algorithm(Algorithm::Argon2id, 1_000, None)
        .and_then(|hasher| hasher.hash("correct horse battery staple"))
        .is_ok()
}

/// The wasm linear memory in bytes (it grows to the high-water mark and never shrinks).
#[wasm_bindgen]
pub fn bench_memory_bytes() -> u32 {
    (core::arch::wasm32::memory_size(0) * 65_536) as u32
}
