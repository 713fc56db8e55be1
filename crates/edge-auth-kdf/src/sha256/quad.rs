//! Four message schedule words handled together: one wasm SIMD vector in the Worker, a plain array
//! elsewhere (the tests run the same schedule code natively). The schedule then runs on the vector
//! unit while the rounds keep the scalar one busy.

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod lanes {
    use core::arch::wasm32::{
        i32x4_add, u32x4, u32x4_extract_lane, u32x4_shl, u32x4_shr, u32x4_shuffle, v128, v128_xor,
    };

    #[derive(Clone, Copy)]
    pub(in crate::sha256) struct Quad(v128);

    impl Quad {
        #[inline(always)]
        pub(in crate::sha256) fn new(words: [u32; 4]) -> Self {
            Self(u32x4(words[0], words[1], words[2], words[3]))
        }

        #[inline(always)]
        pub(in crate::sha256) fn add(self, other: Self) -> Self {
            Self(i32x4_add(self.0, other.0))
        }

        #[inline(always)]
        pub(in crate::sha256) fn xor(self, other: Self) -> Self {
            Self(v128_xor(self.0, other.0))
        }

        #[inline(always)]
        pub(in crate::sha256) fn shr(self, bits: u32) -> Self {
            Self(u32x4_shr(self.0, bits))
        }

        #[inline(always)]
        pub(in crate::sha256) fn shl(self, bits: u32) -> Self {
            Self(u32x4_shl(self.0, bits))
        }

        #[inline(always)]
        pub(in crate::sha256) fn lane<const I: usize>(self) -> u32 {
            u32x4_extract_lane::<I>(self.0)
        }

        /// `[a1, a2, a3, b0]`: the four words one position later than `a`.
        #[inline(always)]
        pub(in crate::sha256) fn from_one_later(a: Self, b: Self) -> Self {
            Self(u32x4_shuffle::<1, 2, 3, 4>(a.0, b.0))
        }

        /// `[a2, a3, 0, 0]`.
        #[inline(always)]
        pub(in crate::sha256) fn high_pair_low(self) -> Self {
            Self(u32x4_shuffle::<2, 3, 4, 4>(self.0, u32x4(0, 0, 0, 0)))
        }

        /// `[0, 0, a0, a1]`.
        #[inline(always)]
        pub(in crate::sha256) fn low_pair_high(self) -> Self {
            Self(u32x4_shuffle::<4, 4, 0, 1>(self.0, u32x4(0, 0, 0, 0)))
        }
    }
}

#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
mod lanes {
    #[derive(Clone, Copy)]
    pub(in crate::sha256) struct Quad([u32; 4]);

    impl Quad {
        #[inline(always)]
        pub(in crate::sha256) fn new(words: [u32; 4]) -> Self {
            Self(words)
        }

        #[inline(always)]
        fn zip(self, other: Self, f: impl Fn(u32, u32) -> u32) -> Self {
            Self(core::array::from_fn(|i| f(self.0[i], other.0[i])))
        }

        #[inline(always)]
        pub(in crate::sha256) fn add(self, other: Self) -> Self {
            self.zip(other, u32::wrapping_add)
        }

        #[inline(always)]
        pub(in crate::sha256) fn xor(self, other: Self) -> Self {
            self.zip(other, |a, b| a ^ b)
        }

        #[inline(always)]
        pub(in crate::sha256) fn shr(self, bits: u32) -> Self {
            Self(self.0.map(|w| w >> bits))
        }

        #[inline(always)]
        pub(in crate::sha256) fn shl(self, bits: u32) -> Self {
            Self(self.0.map(|w| w << bits))
        }

        #[inline(always)]
        pub(in crate::sha256) fn lane<const I: usize>(self) -> u32 {
            self.0[I]
        }

        #[inline(always)]
        pub(in crate::sha256) fn from_one_later(a: Self, b: Self) -> Self {
            Self([a.0[1], a.0[2], a.0[3], b.0[0]])
        }

        #[inline(always)]
        pub(in crate::sha256) fn high_pair_low(self) -> Self {
            Self([self.0[2], self.0[3], 0, 0])
        }

        #[inline(always)]
        pub(in crate::sha256) fn low_pair_high(self) -> Self {
            Self([0, 0, self.0[0], self.0[1]])
        }
    }
}

pub(super) use lanes::Quad;
