//! SplitMix64: a tiny deterministic generator for test inputs, so a failing case can be replayed from its
//! seed. Shared by the native PBKDF2 tests and the wasm ones (`#[path]`-included by both).

pub struct SplitMix64(pub u64);

impl SplitMix64 {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform-enough in `range` for test inputs.
    pub fn below(&mut self, range: std::ops::Range<usize>) -> usize {
        range.start + (self.next() % (range.end - range.start) as u64) as usize
    }

    pub fn bytes(&mut self, len: usize) -> Vec<u8> {
        (0..len).map(|_| self.next() as u8).collect()
    }

    /// Random bytes of a random length in `lengths`.
    pub fn bytes_of_length_in(&mut self, lengths: std::ops::Range<usize>) -> Vec<u8> {
        let len = self.below(lengths);
        self.bytes(len)
    }
}
