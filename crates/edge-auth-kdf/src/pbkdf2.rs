//! PBKDF2-HMAC-SHA256 (RFC 8018 §5.2) built directly on SHA-256's block compression function.
//!
//! Each PBKDF2 iteration is `U = HMAC(P, U)`: two SHA-256 compressions of a 64-byte block whose layout
//! never changes (the 32-byte previous digest, then the padding of a 96-byte message). The generic
//! `Digest`/`Mac` route buffers, counts, pads and re-copies the key state on every call, which costs a
//! third of the time in wasm. Here the HMAC key is absorbed once into its inner and outer pad states and
//! each iteration is two compressions of that fixed-shape block plus a 32-byte XOR; nothing allocates.
//! In wasm the compressions are [`compress_digest_block`], which keeps `U` in words and folds the block's
//! constant half away; natively they are sha2's `compress256`, which uses the CPU's SHA instructions. The
//! output is bit-for-bit the `pbkdf2` crate's either way (see the tests).

use sha2::block_api::compress256;

#[cfg(any(test, target_arch = "wasm32"))]
use crate::sha256::compress_digest_block;

/// SHA-256 chaining value: eight words.
pub(crate) type State = [u32; 8];

/// SHA-256's initial hash value (FIPS 180-4 §5.3.3).
pub(crate) const IV: State = [
    0x6a09_e667,
    0xbb67_ae85,
    0x3c6e_f372,
    0xa54f_f53a,
    0x510e_527f,
    0x9b05_688c,
    0x1f83_d9ab,
    0x5be0_cd19,
];

/// Message words 8..15 of the second block of an HMAC-SHA256 hash of a 32-byte message: the bit `1`, zeros,
/// and the length of the 96-byte message (the 64-byte pad block plus the digest) in bits, 768.
pub(crate) const DIGEST_BLOCK_TAIL: [u32; 8] = [0x8000_0000, 0, 0, 0, 0, 0, 0, 768];

const BLOCK_LEN: usize = 64;
const DIGEST_LEN: usize = 32;

/// A block holding one digest (bytes 0..32, rewritten each time) followed by the fixed SHA-256 padding of
/// a 96-byte message — the HMAC pad block plus that digest: `0x80`, zeros, and the length 768 in bits.
#[cfg(any(test, not(target_arch = "wasm32")))]
const DIGEST_BLOCK: [u8; BLOCK_LEN] = {
    let mut block = [0u8; BLOCK_LEN];
    let tail = DIGEST_BLOCK_TAIL;
    let mut i = 0;
    while i < tail.len() {
        let bytes = tail[i].to_be_bytes();
        let mut j = 0;
        while j < 4 {
            block[DIGEST_LEN + 4 * i + j] = bytes[j];
            j += 1;
        }
        i += 1;
    }
    block
};

/// An HMAC-SHA256 key, absorbed: the SHA-256 states after compressing `K ⊕ ipad` and `K ⊕ opad`.
pub struct HmacKey {
    inner: State,
    outer: State,
}

impl HmacKey {
    /// Keys longer than a block are hashed first, shorter ones zero-padded (RFC 2104 §2).
    pub fn new(key: &[u8]) -> Self {
        let mut block = [0u8; BLOCK_LEN];
        if key.len() > BLOCK_LEN {
            write_state(&mut block, &finish(IV, 0, &[key]));
        } else {
            block[..key.len()].copy_from_slice(key);
        }
        let absorb = |pad: u8| {
            let mut padded = block;
            padded.iter_mut().for_each(|b| *b ^= pad);
            let mut state = IV;
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
    pub fn mac(&self, parts: &[&[u8]]) -> [u8; DIGEST_LEN] {
        let inner = finish(self.inner, BLOCK_LEN as u64, parts);
        let mut inner_bytes = [0u8; DIGEST_LEN];
        write_state(&mut inner_bytes, &inner);
        to_bytes(&finish(self.outer, BLOCK_LEN as u64, &[&inner_bytes]))
    }

    /// `HMAC(K, U)` for a 32-byte `U` held as words, in exactly two compressions of the specialised
    /// block; `U` never leaves words.
    #[cfg(any(test, target_arch = "wasm32"))]
    #[inline(always)]
    fn mac_digest_words(&self, u: &State) -> State {
        let inner = compress_digest_block(&self.inner, u);
        compress_digest_block(&self.outer, &inner)
    }

    /// `HMAC(K, U)` for a 32-byte `U` through sha2's `compress256`, which uses the CPU's SHA instructions
    /// where they exist (never in wasm). `block` must start as [`DIGEST_BLOCK`]; only its first 32 bytes
    /// are written, so the padding stays in place.
    #[cfg(any(test, not(target_arch = "wasm32")))]
    #[inline(always)]
    fn mac_digest_compress256(&self, u: &State, block: &mut [u8; BLOCK_LEN]) -> State {
        write_state(block, u);
        let mut inner = self.inner;
        compress256(&mut inner, core::slice::from_ref(block));
        write_state(block, &inner);
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
    derive_with(iterate, password, salt, iterations, out);
}

/// [`pbkdf2_hmac_sha256`] with the given iteration loop (the tests run both loops on every target).
#[inline(always)]
fn derive_with(
    iterate: impl Fn(&HmacKey, State, u32) -> State,
    password: &[u8],
    salt: &[u8],
    iterations: u32,
    out: &mut [u8],
) {
    let key = HmacKey::new(password);
    for (index, chunk) in (1u32..).zip(out.chunks_mut(DIGEST_LEN)) {
        let first = first_u(&key, salt, index);
        let block = iterate(&key, first, iterations);
        chunk.copy_from_slice(&to_bytes(&block)[..chunk.len()]);
    }
}

/// `U_1 = HMAC(P, S ‖ INT(index))` (RFC 8018 §5.2, step 3).
fn first_u(key: &HmacKey, salt: &[u8], index: u32) -> State {
    from_bytes(&key.mac(&[salt, &index.to_be_bytes()]))
}

/// `T = U_1 ⊕ U_2 ⊕ … ⊕ U_iterations`, given `U_1`: the loop every login spends its time in.
///
/// Never inlined, so it is compiled once, here, at this crate's opt-level whatever the caller's. One
/// function for both targets, the loop chosen inside: a wasm-only copy would be a function the native
/// tests (and so mutation testing) never run; the wasm stage checks the wasm loop (`tests/wasm_kdf.rs`).
#[inline(never)]
fn iterate(key: &HmacKey, first: State, iterations: u32) -> State {
    #[cfg(target_arch = "wasm32")]
    let iterate_loop = iterate_words;
    #[cfg(not(target_arch = "wasm32"))]
    let iterate_loop = iterate_compress256;
    iterate_loop(key, first, iterations)
}

#[cfg(any(test, target_arch = "wasm32"))]
#[inline(always)]
fn iterate_words(key: &HmacKey, first: State, iterations: u32) -> State {
    let mut u = first;
    let mut sum = u;
    for _ in 1..iterations {
        u = key.mac_digest_words(&u);
        for (s, w) in sum.iter_mut().zip(&u) {
            *s ^= w;
        }
    }
    sum
}

#[cfg(any(test, not(target_arch = "wasm32")))]
#[inline(always)]
fn iterate_compress256(key: &HmacKey, first: State, iterations: u32) -> State {
    let mut u = first;
    let mut sum = u;
    let mut block = DIGEST_BLOCK;
    for _ in 1..iterations {
        u = key.mac_digest_compress256(&u, &mut block);
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
