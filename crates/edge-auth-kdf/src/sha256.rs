//! SHA-256's compression function on words (FIPS 180-4 §6.2.2), built for the block a PBKDF2-HMAC-SHA256
//! iteration hashes twice: the previous 32-byte digest, then the fixed padding of a 96-byte message.
//!
//! What makes it faster in V8 than sha2's general `compress256`, which reads bytes: the chaining value
//! stays in words from one iteration to the next (no byte swapping, no block buffer in memory); the
//! message schedule runs on wasm SIMD, four words at a time, beside the scalar rounds; the rounds go
//! eight per loop pass with no branch inside, so the working variables stay in registers; and the
//! block's constant half has its `W + K` folded at compile time. Natively, sha2 uses the CPU's SHA
//! instructions instead, so this module serves wasm (and the tests, which run it everywhere).
//!
//! Fully unrolled and inlined into the loop, the same code ran ~10 % faster still but added 2.7 KB of
//! gzipped wasm to the Worker; this form adds a few dozen bytes (docs/performance.md).

#[cfg(test)]
use crate::pbkdf2::IV;
use crate::pbkdf2::{DIGEST_BLOCK_TAIL, State};
use quad::Quad;

/// The round constants (FIPS 180-4 §4.2.2), followed by sixteen zeros: the last two loop passes extend
/// the message schedule past round 63 too, and the result is never used, so that the pass has no
/// branch (one made the pass 5–10 % slower in V8, which reloads registers at the join).
#[rustfmt::skip]
const K: [u32; 80] = [
    0x428a_2f98, 0x7137_4491, 0xb5c0_fbcf, 0xe9b5_dba5, 0x3956_c25b, 0x59f1_11f1, 0x923f_82a4, 0xab1c_5ed5,
    0xd807_aa98, 0x1283_5b01, 0x2431_85be, 0x550c_7dc3, 0x72be_5d74, 0x80de_b1fe, 0x9bdc_06a7, 0xc19b_f174,
    0xe49b_69c1, 0xefbe_4786, 0x0fc1_9dc6, 0x240c_a1cc, 0x2de9_2c6f, 0x4a74_84aa, 0x5cb0_a9dc, 0x76f9_88da,
    0x983e_5152, 0xa831_c66d, 0xb003_27c8, 0xbf59_7fc7, 0xc6e0_0bf3, 0xd5a7_9147, 0x06ca_6351, 0x1429_2967,
    0x27b7_0a85, 0x2e1b_2138, 0x4d2c_6dfc, 0x5338_0d13, 0x650a_7354, 0x766a_0abb, 0x81c2_c92e, 0x9272_2c85,
    0xa2bf_e8a1, 0xa81a_664b, 0xc24b_8b70, 0xc76c_51a3, 0xd192_e819, 0xd699_0624, 0xf40e_3585, 0x106a_a070,
    0x19a4_c116, 0x1e37_6c08, 0x2748_774c, 0x34b0_bcb5, 0x391c_0cb3, 0x4ed8_aa4a, 0x5b9c_ca4f, 0x682e_6ff3,
    0x748f_82ee, 0x78a5_636f, 0x84c8_7814, 0x8cc7_0208, 0x90be_fffa, 0xa450_6ceb, 0xbef9_a3f7, 0xc671_78f2,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
];

#[inline(always)]
fn big_sigma0(x: u32) -> u32 {
    x.rotate_right(2) ^ x.rotate_right(13) ^ x.rotate_right(22)
}

#[inline(always)]
fn big_sigma1(x: u32) -> u32 {
    x.rotate_right(6) ^ x.rotate_right(11) ^ x.rotate_right(25)
}

/// Round `T` of the compression, given `W[T] + K[T]`.
///
/// The eight working variables stay in place and their names move instead: in round `T` of a pass of
/// eight (`T` is 0 to 7), `a` is `s[(8 - T) % 8]`, `b` the next, and so on, so a round writes two words
/// (the new `e` over `d`, the new `a` over `h`) rather than shifting eight. Every index is a constant once
/// `T` is, so after inlining the array is eight plain locals.
#[inline(always)]
fn round<const T: usize>(s: &mut State, wk: u32) {
    let at = |i: usize| (i + 8 - T) % 8;
    let (a, b, c, d) = (s[at(0)], s[at(1)], s[at(2)], s[at(3)]);
    let (e, f, g, h) = (s[at(4)], s[at(5)], s[at(6)], s[at(7)]);
    let choose = g ^ (e & (f ^ g));
    // Written so that `a ^ b` here is `b ^ c` of the next round, one operation the compiler shares.
    let majority = ((a ^ b) & (b ^ c)) ^ b;
    let t1 = h
        .wrapping_add(big_sigma1(e))
        .wrapping_add(choose)
        .wrapping_add(wk);
    let t2 = big_sigma0(a).wrapping_add(majority);
    s[at(3)] = d.wrapping_add(t1);
    s[at(7)] = t1.wrapping_add(t2);
}

/// σ0 of four schedule words at once. Each rotation is two shifts whose bits do not overlap, so XOR
/// combines them as well as OR would.
#[inline(always)]
fn small_sigma0(x: Quad) -> Quad {
    x.shr(7)
        .xor(x.shl(25))
        .xor(x.shr(18))
        .xor(x.shl(14))
        .xor(x.shr(3))
}

/// σ1 of four schedule words at once (σ1 of 0 is 0, which [`next_schedule_quad`] relies on).
#[inline(always)]
fn small_sigma1(x: Quad) -> Quad {
    x.shr(17)
        .xor(x.shl(15))
        .xor(x.shr(19))
        .xor(x.shl(13))
        .xor(x.shr(10))
}

/// The next four message schedule words `W[t..t + 4]`, given the window `W[t - 16..t]` as four quads, and
/// the window moved on by four.
///
/// `W[t] = σ1(W[t-2]) + W[t-7] + σ0(W[t-15]) + W[t-16]`: everything but σ1 comes from the window. σ1 of
/// the window's last two words completes lanes 0 and 1; σ1 of those two new words completes lanes 2
/// and 3.
#[inline(always)]
fn next_schedule_quad(window: &mut [Quad; 4]) -> Quad {
    let [w0, w1, w2, w3] = *window;
    let mut w = w0
        .add(small_sigma0(Quad::from_one_later(w0, w1)))
        .add(Quad::from_one_later(w2, w3));
    w = w.add(small_sigma1(w3.high_pair_low()));
    w = w.add(small_sigma1(w.low_pair_high()));
    *window = [w1, w2, w3, w];
    w
}

/// SHA-256's compression of one block, given as four quads of message words, into `state`.
///
/// The rounds run eight per loop pass: a pass ends with the names back where they started, so the
/// working variables stay in locals, and the code is an eighth of the unrolled size. Each pass also
/// extends the schedule by two quads, the ones two passes later use: interleaved so, the schedule's own
/// dependency chain (σ1 of words just computed) runs beside the rounds. Computed in one go before them
/// it sat on the critical path and cost a third more time.
#[inline(always)]
fn compress(state: &State, block: [Quad; 4]) -> State {
    let (k, _) = K.as_chunks::<4>();
    let mut s = *state;
    let mut window = block;
    let mut wk: [Quad; 4] = core::array::from_fn(|i| block[i].add(Quad::new(k[i])));
    for pass in 0..8 {
        let [low, high, later_low, later_high] = wk;
        wk = [
            later_low,
            later_high,
            next_schedule_quad(&mut window).add(Quad::new(k[2 * pass + 4])),
            next_schedule_quad(&mut window).add(Quad::new(k[2 * pass + 5])),
        ];
        round::<0>(&mut s, low.lane::<0>());
        round::<1>(&mut s, low.lane::<1>());
        round::<2>(&mut s, low.lane::<2>());
        round::<3>(&mut s, low.lane::<3>());
        round::<4>(&mut s, high.lane::<0>());
        round::<5>(&mut s, high.lane::<1>());
        round::<6>(&mut s, high.lane::<2>());
        round::<7>(&mut s, high.lane::<3>());
    }
    core::array::from_fn(|i| state[i].wrapping_add(s[i]))
}

/// `state` after compressing the block `digest ‖ DIGEST_BLOCK_TAIL`: the second compression of each hash
/// in a PBKDF2-HMAC-SHA256 iteration. Its words 8..15 being constants, their `W + K` (rounds 8..15) are
/// computed at compile time.
///
/// Not inlined: one copy serves both hashes. Inlined twice into the PBKDF2 loop it measured no faster
/// and adds ~1 KB of gzipped wasm.
#[inline(never)]
pub(crate) fn compress_digest_block(state: &State, digest: &State) -> State {
    let [d0, d1, d2, d3, d4, d5, d6, d7] = *digest;
    let [t0, t1, t2, t3, t4, t5, t6, t7] = DIGEST_BLOCK_TAIL;
    compress(
        state,
        [
            Quad::new([d0, d1, d2, d3]),
            Quad::new([d4, d5, d6, d7]),
            Quad::new([t0, t1, t2, t3]),
            Quad::new([t4, t5, t6, t7]),
        ],
    )
}

/// The general compression of one block given as words, for the tests to hold it to sha2's.
#[cfg(test)]
pub(crate) fn compress_block(state: &State, block: [u32; 16]) -> State {
    let (words, _) = block.as_chunks::<4>();
    compress(state, core::array::from_fn(|i| Quad::new(words[i])))
}

mod quad;
#[cfg(test)]
mod tests;
