//! scrypt (RFC 7914): Salsa20/8, BlockMix and ROMix over PBKDF2-HMAC-SHA256. Here rather than in the
//! Worker's crate so its inner loop compiles at opt-level 3, like PBKDF2's.
//!
//! Blocks are kept as little-endian `u32` words throughout; bytes exist only at the two PBKDF2 ends.

use crate::pbkdf2_hmac_sha256;

/// Why scrypt did not run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScryptError {
    /// `log_n` outside 1..=31, `r` or `p` zero, or sizes that overflow this target's address space.
    Params,
    /// The `128·r·N` bytes of ROMix's table could not be allocated.
    Memory,
}

/// Words in one Salsa20 block (64 bytes).
const SALSA_WORDS: usize = 16;

/// Fills `out` with scrypt of `password` and `salt` at `N = 2^log_n`, block size `r`, parallelism `p`.
///
/// Memory is `128·r·N` bytes for the table plus `128·r·p` for the blocks; callers bound the parameters
/// (nothing here refuses large but valid ones). The table is reserved with `try_reserve`, so an
/// allocation the runtime cannot satisfy is [`ScryptError::Memory`] rather than an abort.
///
/// # Errors
/// [`ScryptError::Params`] for parameters scrypt does not define, [`ScryptError::Memory`] when the table
/// cannot be allocated.
pub fn scrypt(
    password: &[u8],
    salt: &[u8],
    log_n: u8,
    r: u32,
    p: u32,
    out: &mut [u8],
) -> Result<(), ScryptError> {
    if !(1..=31).contains(&log_n) || r == 0 || p == 0 {
        return Err(ScryptError::Params);
    }
    let n = 1usize
        .checked_shl(u32::from(log_n))
        .ok_or(ScryptError::Params)?;
    let r = usize::try_from(r).map_err(|_| ScryptError::Params)?;
    let p = usize::try_from(p).map_err(|_| ScryptError::Params)?;
    let block_words = r.checked_mul(2 * SALSA_WORDS).ok_or(ScryptError::Params)?;
    let block_bytes = block_words * 4;
    let table_words = n.checked_mul(block_words).ok_or(ScryptError::Params)?;
    let all_bytes = p.checked_mul(block_bytes).ok_or(ScryptError::Params)?;

    TABLE.with_borrow_mut(|table| {
        // A table kept from an earlier call is reused as it is; only a larger one allocates (nothing
        // is missing from a large enough one, and growing by nothing changes nothing).
        let missing = table_words.saturating_sub(table.len());
        table
            .try_reserve_exact(missing)
            .map_err(|_| ScryptError::Memory)?;
        table.resize(table.len() + missing, 0);
        mix(
            password,
            salt,
            block_words,
            all_bytes,
            &mut table[..table_words],
            out,
        );
        Ok(())
    })
}

thread_local! {
    /// ROMix's table, kept for the next call. wasm memory never shrinks, and a freed 32 MiB table was not
    /// reliably reused: with sign-ins interleaved in one isolate, small allocations landed in the freed
    /// space and the next table grew the memory to 65 MiB (docs/performance.md#medusa-scrypt-hashes).
    /// Every row is written before it is read, so what an earlier call left in it does not matter.
    static TABLE: std::cell::RefCell<Vec<u32>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// scrypt's body once the table is allocated: PBKDF2 into `all_bytes` (p blocks of `block_words`), ROMix
/// of each block over the table's `n` rows, PBKDF2 again.
fn mix(
    password: &[u8],
    salt: &[u8],
    block_words: usize,
    all_bytes: usize,
    table: &mut [u32],
    out: &mut [u8],
) {
    let block_bytes = block_words * 4;
    let n = table.len() / block_words;
    let mut blocks = vec![0u8; all_bytes];
    pbkdf2_hmac_sha256(password, salt, 1, &mut blocks);
    let mut x = vec![0u32; block_words];
    let mut y = vec![0u32; block_words];
    for chunk in blocks.chunks_exact_mut(block_bytes) {
        for (word, bytes) in x.iter_mut().zip(chunk.chunks_exact(4)) {
            *word = u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
        }
        ro_mix(&mut x, &mut y, table, n);
        for (word, bytes) in x.iter().zip(chunk.chunks_exact_mut(4)) {
            bytes.copy_from_slice(&word.to_le_bytes());
        }
    }
    pbkdf2_hmac_sha256(password, &blocks, 1, out);
}

/// ROMix (RFC 7914 §5) of `x` in place; `y` is scratch of the same size, `table` holds `n` blocks.
///
/// `n` is a power of two of at least 2, so both loops run in pairs that ping-pong between `x` and `y`
/// instead of copying the block after every BlockMix.
#[inline(never)]
fn ro_mix(x: &mut [u32], y: &mut [u32], table: &mut [u32], n: usize) {
    let len = x.len();
    for pair in table.chunks_exact_mut(2 * len) {
        let (first, second) = pair.split_at_mut(len);
        first.copy_from_slice(x);
        block_mix(x, y);
        second.copy_from_slice(y);
        block_mix(y, x);
    }
    for _ in 0..n / 2 {
        xor_row(x, table, integerify(x) & (n - 1));
        block_mix(x, y);
        xor_row(y, table, integerify(y) & (n - 1));
        block_mix(y, x);
    }
}

/// `block ^= table[row]`.
#[inline(always)]
fn xor_row(block: &mut [u32], table: &[u32], row: usize) {
    let len = block.len();
    for (b, v) in block.iter_mut().zip(&table[row * len..(row + 1) * len]) {
        *b ^= v;
    }
}

/// The low 32 bits of the last Salsa block's first word: ample, since `N ≤ 2^31`.
#[inline(always)]
fn integerify(block: &[u32]) -> usize {
    block[block.len() - SALSA_WORDS] as usize
}

/// BlockMix_{Salsa20/8, r} (RFC 7914 §4) from `input` into `output`: even sub-blocks first, then odd.
/// Not inlined: ROMix calls it from four places, and one copy of the unrolled Salsa20/8 is ~2 KB of wasm
/// each; the call costs nothing beside `2r` Salsa20/8 cores.
#[inline(never)]
fn block_mix(input: &[u32], output: &mut [u32]) {
    let r = input.len() / (2 * SALSA_WORDS);
    let mut t = [0u32; SALSA_WORDS];
    t.copy_from_slice(&input[input.len() - SALSA_WORDS..]);
    for (i, chunk) in input.chunks_exact(SALSA_WORDS).enumerate() {
        for (t, c) in t.iter_mut().zip(chunk) {
            *t ^= c;
        }
        salsa20_8(&mut t);
        let at = (i / 2 + (i % 2) * r) * SALSA_WORDS;
        output[at..at + SALSA_WORDS].copy_from_slice(&t);
    }
}

/// The Salsa20/8 core (RFC 7914 §3): four double rounds, then the input added back.
#[inline(always)]
fn salsa20_8(b: &mut [u32; SALSA_WORDS]) {
    let mut x = *b;
    macro_rules! quarter {
        ($a:expr, $b:expr, $c:expr, $d:expr) => {
            x[$b] ^= x[$a].wrapping_add(x[$d]).rotate_left(7);
            x[$c] ^= x[$b].wrapping_add(x[$a]).rotate_left(9);
            x[$d] ^= x[$c].wrapping_add(x[$b]).rotate_left(13);
            x[$a] ^= x[$d].wrapping_add(x[$c]).rotate_left(18);
        };
    }
    for _ in 0..4 {
        // Columns.
        quarter!(0, 4, 8, 12);
        quarter!(5, 9, 13, 1);
        quarter!(10, 14, 2, 6);
        quarter!(15, 3, 7, 11);
        // Rows.
        quarter!(0, 1, 2, 3);
        quarter!(5, 6, 7, 4);
        quarter!(10, 11, 8, 9);
        quarter!(15, 12, 13, 14);
    }
    for (b, x) in b.iter_mut().zip(x) {
        *b = b.wrapping_add(x);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    fn scrypt_hex(password: &str, salt: &str, log_n: u8, r: u32, p: u32) -> String {
        let mut out = [0u8; 64];
        scrypt(password.as_bytes(), salt.as_bytes(), log_n, r, p, &mut out).expect("valid");
        hex(&out)
    }

    // RFC 7914 §12's vectors (also what Node's crypto.scryptSync gives for them).
    #[test]
    fn rfc7914_vector_1_empty_inputs() {
        assert_eq!(
            scrypt_hex("", "", 4, 1, 1),
            "77d6576238657b203b19ca42c18a0497f16b4844e3074ae8dfdffa3fede21442\
             fcd0069ded0948f8326a753a0fc81f17e8d3e0fb2e0d3628cf35e20c38d18906"
        );
    }

    #[test]
    fn rfc7914_vector_2_parallelism_16() {
        assert_eq!(
            scrypt_hex("password", "NaCl", 10, 8, 16),
            "fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b373162\
             2eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640"
        );
    }

    #[test]
    fn rfc7914_vector_3_n_16384() {
        assert_eq!(
            scrypt_hex("pleaseletmein", "SodiumChloride", 14, 8, 1),
            "7023bdcb3afd7348461c06cd81fd38ebfda8fbba904f8e3ea9b543f6545da1f2\
             d5432955613f0fcf62d49705242a9af9e61e85dc0d651e40dfcf017b45575887"
        );
    }

    /// The table is kept between calls (one per thread): whatever size came before, and whatever an
    /// earlier call left in it, each answer is the vector's.
    #[test]
    fn a_table_kept_from_earlier_calls_of_any_size_gives_the_same_answers() {
        let vector_1 = || scrypt_hex("", "", 4, 1, 1);
        let vector_3 = || scrypt_hex("pleaseletmein", "SodiumChloride", 14, 8, 1);
        let (small, large) = (vector_1(), vector_3());
        for _ in 0..2 {
            assert_eq!(vector_3(), large);
            assert_eq!(vector_1(), small);
        }
        assert_eq!(TABLE.with_borrow(Vec::len), (1 << 14) * 8 * 2 * SALSA_WORDS);
    }

    #[test]
    fn undefined_parameters_are_refused() {
        let mut out = [0u8; 32];
        for (log_n, r, p) in [(0, 8, 1), (32, 8, 1), (10, 0, 1), (10, 8, 0)] {
            assert_eq!(
                scrypt(b"pw", b"salt", log_n, r, p, &mut out),
                Err(ScryptError::Params),
                "{log_n} {r} {p}"
            );
        }
    }
}
