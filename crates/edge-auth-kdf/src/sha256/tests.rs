//! The word-based compression against sha2's `compress256` (the reference), on a published digest, on
//! random blocks, and in its specialised form on random digests and chaining values.

use super::*;
use sha2::block_api::compress256;

use crate::splitmix::SplitMix64;

fn words(block: &[u8; 64]) -> [u32; 16] {
    let (chunks, _) = block.as_chunks::<4>();
    core::array::from_fn(|i| u32::from_be_bytes(chunks[i]))
}

fn bytes(block: &[u32; 16]) -> [u8; 64] {
    let mut out = [0u8; 64];
    for (chunk, word) in out.chunks_exact_mut(4).zip(block) {
        chunk.copy_from_slice(&word.to_be_bytes());
    }
    out
}

fn reference(state: &State, block: &[u32; 16]) -> State {
    let mut state = *state;
    compress256(&mut state, &[bytes(block)]);
    state
}

fn random_state(rng: &mut SplitMix64) -> State {
    core::array::from_fn(|_| rng.next() as u32)
}

#[test]
fn sha256_of_abc_is_the_fips_180_example() {
    // FIPS 180-4's one-block example (NIST CSRC examples): "abc", padded to one block.
    let mut block = [0u8; 64];
    block[..3].copy_from_slice(b"abc");
    block[3] = 0x80;
    block[63] = 24;
    let digest = compress_block(&IV, words(&block));
    assert_eq!(
        digest,
        [
            0xba78_16bf,
            0x8f01_cfea,
            0x4141_40de,
            0x5dae_2223,
            0xb003_61a3,
            0x9617_7a9c,
            0xb410_ff61,
            0xf200_15ad
        ]
    );
}

#[test]
fn compression_equals_compress256_on_random_blocks() {
    let mut rng = SplitMix64(0x5ba_256);
    for case in 0..2000 {
        let state = random_state(&mut rng);
        let block: [u32; 16] = core::array::from_fn(|_| rng.next() as u32);
        assert_eq!(
            compress_block(&state, block),
            reference(&state, &block),
            "case {case}"
        );
    }
}

#[test]
fn specialised_compression_equals_compress256_on_the_padded_digest_block() {
    let mut rng = SplitMix64(0x00d1_6e57);
    for case in 0..2000 {
        let state = random_state(&mut rng);
        let digest = random_state(&mut rng);
        let mut block = [0u32; 16];
        block[..8].copy_from_slice(&digest);
        block[8..].copy_from_slice(&DIGEST_BLOCK_TAIL);
        assert_eq!(
            compress_digest_block(&state, &digest),
            reference(&state, &block),
            "case {case}"
        );
    }
}

#[test]
fn specialised_compression_handles_all_zero_and_all_one_words() {
    // Edge values of the additions and rotations the folded schedule relies on.
    for fill in [0u32, u32::MAX, 0x8000_0000, 1] {
        for state in [[0u32; 8], [u32::MAX; 8], IV] {
            let digest = [fill; 8];
            let mut block = [0u32; 16];
            block[..8].copy_from_slice(&digest);
            block[8..].copy_from_slice(&DIGEST_BLOCK_TAIL);
            assert_eq!(
                compress_digest_block(&state, &digest),
                reference(&state, &block),
                "fill {fill:#x}"
            );
        }
    }
}

#[test]
fn digest_block_tail_is_the_padding_of_a_96_byte_message() {
    let mut block = [0u32; 16];
    block[8..].copy_from_slice(&DIGEST_BLOCK_TAIL);
    let bytes = bytes(&block);
    assert_eq!(bytes[32], 0x80);
    assert!(bytes[33..56].iter().all(|&b| b == 0));
    assert_eq!(u64::from_be_bytes(bytes[56..].try_into().unwrap()), 96 * 8);
}
