//! PBKDF2-HMAC-SHA256 (RFC 8018 §5.2) built directly on SHA-256's block compression function.
//!
//! Each PBKDF2 iteration is `U = HMAC(P, U)`: two SHA-256 compressions of a 64-byte block whose layout
//! never changes (the 32-byte previous digest, then the padding of a 96-byte message). The generic
//! `Digest`/`Mac` route buffers, counts, pads and re-copies the key state on every call, which costs a
//! third of the time in wasm. Here the HMAC key is absorbed once into its inner and outer pad states, the
//! padded block is built once, and the loop is two `compress256` calls, sixteen word stores and a 32-byte
//! XOR — nothing allocates. The output is bit-for-bit the `pbkdf2` crate's (see the tests).

use sha2::block_api::compress256;

/// SHA-256 chaining value: eight big-endian words.
type State = [u32; 8];

/// SHA-256's initial hash value (FIPS 180-4 §5.3.3).
const SHA256_IV: State = [
    0x6a09_e667,
    0xbb67_ae85,
    0x3c6e_f372,
    0xa54f_f53a,
    0x510e_527f,
    0x9b05_688c,
    0x1f83_d9ab,
    0x5be0_cd19,
];

const BLOCK_LEN: usize = 64;
const DIGEST_LEN: usize = 32;

/// A block holding one digest (bytes 0..32, rewritten each time) followed by the fixed SHA-256 padding of
/// a 96-byte message — the HMAC pad block plus that digest: `0x80`, zeros, and the length 768 in bits.
const DIGEST_BLOCK: [u8; BLOCK_LEN] = {
    let mut block = [0u8; BLOCK_LEN];
    block[DIGEST_LEN] = 0x80;
    let bits = ((BLOCK_LEN + DIGEST_LEN) as u64 * 8).to_be_bytes();
    let mut i = 0;
    while i < bits.len() {
        block[BLOCK_LEN - bits.len() + i] = bits[i];
        i += 1;
    }
    block
};

/// An HMAC-SHA256 key, absorbed: the SHA-256 states after compressing `K ⊕ ipad` and `K ⊕ opad`.
pub(super) struct HmacKey {
    inner: State,
    outer: State,
}

impl HmacKey {
    /// Keys longer than a block are hashed first, shorter ones zero-padded (RFC 2104 §2).
    pub(super) fn new(key: &[u8]) -> Self {
        let mut block = [0u8; BLOCK_LEN];
        if key.len() > BLOCK_LEN {
            write_state(&mut block, &finish(SHA256_IV, 0, &[key]));
        } else {
            block[..key.len()].copy_from_slice(key);
        }
        let absorb = |pad: u8| {
            let mut padded = block;
            padded.iter_mut().for_each(|b| *b ^= pad);
            let mut state = SHA256_IV;
            compress256(&mut state, &[padded]);
            state
        };
        Self {
            inner: absorb(0x36),
            outer: absorb(0x5c),
        }
    }

    /// `HMAC(K, parts concatenated)` for a message of any length (used once per output block and for
    /// the pepper, never in the iteration loop).
    pub(super) fn mac(&self, parts: &[&[u8]]) -> [u8; DIGEST_LEN] {
        let inner = finish(self.inner, BLOCK_LEN as u64, parts);
        let mut inner_bytes = [0u8; DIGEST_LEN];
        write_state(&mut inner_bytes, &inner);
        to_bytes(&finish(self.outer, BLOCK_LEN as u64, &[&inner_bytes]))
    }

    /// `HMAC(K, U)` for a 32-byte `U` held as words, in exactly two compressions. `block` must start as
    /// [`DIGEST_BLOCK`]; only its first 32 bytes are written, so the padding stays in place.
    #[inline(always)]
    fn mac_digest(&self, u: &State, block: &mut [u8; BLOCK_LEN]) -> State {
        write_digest(block, u);
        let mut inner = self.inner;
        compress256(&mut inner, core::slice::from_ref(block));
        write_digest(block, &inner);
        let mut outer = self.outer;
        compress256(&mut outer, core::slice::from_ref(block));
        outer
    }
}

/// Fills `out` with PBKDF2-HMAC-SHA256 of `password` and `salt` at `iterations` rounds.
///
/// An `out` of any length works (each 32 bytes is one more PBKDF2 block). Zero iterations count as
/// one, as in the `pbkdf2` crate; callers enforce their own minimum.
pub fn pbkdf2_hmac_sha256(password: &[u8], salt: &[u8], iterations: u32, out: &mut [u8]) {
    let key = HmacKey::new(password);
    for (index, chunk) in (1u32..).zip(out.chunks_mut(DIGEST_LEN)) {
        let block = stream_block(&key, salt, index, iterations);
        chunk.copy_from_slice(&to_bytes(&block)[..chunk.len()]);
    }
}

/// `T_index = U_1 ⊕ U_2 ⊕ … ⊕ U_iterations` (RFC 8018 §5.2, step 3).
fn stream_block(key: &HmacKey, salt: &[u8], index: u32, iterations: u32) -> State {
    let mut u = from_bytes(&key.mac(&[salt, &index.to_be_bytes()]));
    let mut sum = u;
    let mut block = DIGEST_BLOCK;
    for _ in 1..iterations {
        u = key.mac_digest(&u, &mut block);
        for (s, w) in sum.iter_mut().zip(&u) {
            *s ^= w;
        }
    }
    sum
}

/// Completes a SHA-256 whose first `absorbed` bytes (a multiple of 64) are already in `state`, over the
/// concatenation of `parts`, padding included.
fn finish(mut state: State, absorbed: u64, parts: &[&[u8]]) -> State {
    let mut block = [0u8; BLOCK_LEN];
    let mut filled = 0;
    let mut total = absorbed;
    for part in parts {
        let mut rest = *part;
        while !rest.is_empty() {
            let take = rest.len().min(BLOCK_LEN - filled);
            block[filled..filled + take].copy_from_slice(&rest[..take]);
            filled += take;
            total += take as u64;
            rest = &rest[take..];
            if filled == BLOCK_LEN {
                compress256(&mut state, &[block]);
                filled = 0;
            }
        }
    }
    // Padding: 0x80, zeros, and the message length in bits in the last 8 bytes of a block.
    block[filled] = 0x80;
    block[filled + 1..].fill(0);
    if filled + 1 > BLOCK_LEN - 8 {
        compress256(&mut state, &[block]);
        block = [0u8; BLOCK_LEN];
    }
    block[BLOCK_LEN - 8..].copy_from_slice(&(total * 8).to_be_bytes());
    compress256(&mut state, &[block]);
    state
}

/// Writes the state's words big-endian into the first 32 bytes of `bytes`.
#[inline(always)]
fn write_state(bytes: &mut [u8], state: &State) {
    let (words, _) = bytes.as_chunks_mut::<4>();
    for (word_bytes, word) in words.iter_mut().zip(state) {
        *word_bytes = word.to_be_bytes();
    }
}

/// [`write_state`] into the digest half of a block, in the form the compression function reads fastest.
///
/// The compression function loads the block 16 bytes at a time; after eight 4-byte stores such a load
/// cannot be forwarded from the store buffer and stalls until the stores retire, about 4 % of the loop
/// in V8. Two 16-byte SIMD stores forward directly.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
#[inline(always)]
fn write_digest(block: &mut [u8; BLOCK_LEN], state: &State) {
    use core::arch::wasm32::{i8x16_shuffle, u32x4, v128, v128_store};
    let big_endian =
        |v: v128| i8x16_shuffle::<3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12>(v, v);
    let low = big_endian(u32x4(state[0], state[1], state[2], state[3]));
    let high = big_endian(u32x4(state[4], state[5], state[6], state[7]));
    let (halves, _) = block.as_chunks_mut::<16>();
    // SAFETY: each pointer comes from a `&mut [u8; 16]`, valid for a 16-byte write, and `v128_store` has
    // no alignment requirement.
    unsafe {
        v128_store(halves[0].as_mut_ptr().cast(), low);
        v128_store(halves[1].as_mut_ptr().cast(), high);
    }
}

#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
#[inline(always)]
fn write_digest(block: &mut [u8; BLOCK_LEN], state: &State) {
    write_state(block, state);
}

fn to_bytes(state: &State) -> [u8; DIGEST_LEN] {
    let mut bytes = [0u8; DIGEST_LEN];
    write_state(&mut bytes, state);
    bytes
}

fn from_bytes(bytes: &[u8; DIGEST_LEN]) -> State {
    let (words, _) = bytes.as_chunks::<4>();
    core::array::from_fn(|i| u32::from_be_bytes(words[i]))
}

#[cfg(test)]
mod tests;
