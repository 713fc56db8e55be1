//! HMAC-SHA1 (RFC 2104 over FIPS 180-4's SHA-1), as TOTP needs it: small and loop-based rather than the
//! `sha1` crate's unrolled rounds, since it runs once per code checked and every byte ships in the
//! Worker. SHA-1's collision weakness does not touch HMAC-SHA1, which RFC 6238 and every authenticator
//! app use.

const BLOCK: usize = 64;

/// SHA-1 of the concatenation of `parts`.
fn sha1(parts: &[&[u8]]) -> [u8; 20] {
    let mut h: [u32; 5] = [
        0x6745_2301,
        0xEFCD_AB89,
        0x98BA_DCFE,
        0x1032_5476,
        0xC3D2_E1F0,
    ];
    let len: usize = parts.iter().map(|p| p.len()).sum();
    let mut message: Vec<u8> = Vec::with_capacity(len + BLOCK + 8);
    for part in parts {
        message.extend_from_slice(part);
    }
    message.push(0x80);
    while message.len() % BLOCK != BLOCK - 8 {
        message.push(0);
    }
    message.extend_from_slice(&((len as u64) * 8).to_be_bytes());
    for block in message.chunks_exact(BLOCK) {
        let mut w = [0u32; 80];
        for (i, word) in block.chunks_exact(4).enumerate() {
            w[i] = u32::from_be_bytes([word[0], word[1], word[2], word[3]]);
        }
        for i in 16..80 {
            w[i] = (w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16]).rotate_left(1);
        }
        let [mut a, mut b, mut c, mut d, mut e] = h;
        for (i, wi) in w.iter().enumerate() {
            let (f, k) = match i / 20 {
                0 => (ch(b, c, d), 0x5A82_7999),
                1 => (b ^ c ^ d, 0x6ED9_EBA1),
                2 => (maj(b, c, d), 0x8F1B_BCDC),
                _ => (b ^ c ^ d, 0xCA62_C1D6),
            };
            let t = a
                .rotate_left(5)
                .wrapping_add(f)
                .wrapping_add(e)
                .wrapping_add(k)
                .wrapping_add(*wi);
            (e, d, c, b, a) = (d, c, b.rotate_left(30), a, t);
        }
        for (x, y) in h.iter_mut().zip([a, b, c, d, e]) {
            *x = x.wrapping_add(y);
        }
    }
    let mut out = [0u8; 20];
    for (chunk, word) in out.chunks_exact_mut(4).zip(h) {
        chunk.copy_from_slice(&word.to_be_bytes());
    }
    out
}

/// FIPS 180-4's Ch: each bit of `c` where `b` has a 1, of `d` where it has a 0. Functions of their own so
/// that their mutants have names of their own (.cargo/mutants.toml excludes the equivalent ones).
fn ch(b: u32, c: u32, d: u32) -> u32 {
    (b & c) | (!b & d)
}

/// FIPS 180-4's Maj: each bit set in at least two of `b`, `c`, `d` (both of `b`, `c`, or `d` and one of
/// them).
fn maj(b: u32, c: u32, d: u32) -> u32 {
    (b & c) | (d & (b ^ c))
}

/// HMAC-SHA1 of `message` under `key`.
pub fn hmac_sha1(key: &[u8], message: &[u8]) -> [u8; 20] {
    let mut block = [0u8; BLOCK];
    if key.len() > BLOCK {
        block[..20].copy_from_slice(&sha1(&[key]));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let ipad = block.map(|b| b ^ 0x36);
    let opad = block.map(|b| b ^ 0x5c);
    let inner = sha1(&[&ipad, message]);
    sha1(&[&opad, &inner])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    #[test]
    fn sha1_matches_fips_180_examples() {
        assert_eq!(
            hex(&sha1(&[b"abc"])),
            "a9993e364706816aba3e25717850c26c9cd0d89d"
        );
        assert_eq!(
            hex(&sha1(&[b""])),
            "da39a3ee5e6b4b0d3255bfef95601890afd80709"
        );
        assert_eq!(
            hex(&sha1(&[
                b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
            ])),
            "84983e441c3bd26ebaae4aa1f95129e5e54670f1"
        );
    }

    #[test]
    fn hmac_sha1_matches_rfc_2202() {
        assert_eq!(
            hex(&hmac_sha1(&[0x0b; 20], b"Hi There")),
            "b617318655057264e28bc0b6fb378c8ef146be00"
        );
        assert_eq!(
            hex(&hmac_sha1(b"Jefe", b"what do ya want for nothing?")),
            "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"
        );
        // A key longer than a block is hashed first.
        assert_eq!(
            hex(&hmac_sha1(
                &[0xaa; 80],
                b"Test Using Larger Than Block-Size Key - Hash Key First"
            )),
            "aa4ae5e15272d00e95705637ce8a3b55ed402112"
        );
    }

    #[test]
    fn agrees_with_the_rustcrypto_implementation_on_many_lengths() {
        use hmac::{Hmac, KeyInit, Mac};
        for len in [0usize, 1, 55, 56, 63, 64, 65, 119, 120, 200] {
            let key: Vec<u8> = (0..len as u8).collect();
            let msg: Vec<u8> = (0..len).map(|i| (i * 7) as u8).collect();
            let mut mac = <Hmac<::sha1::Sha1> as KeyInit>::new_from_slice(&key).unwrap();
            mac.update(&msg);
            assert_eq!(
                hmac_sha1(&key, &msg)[..],
                mac.finalize().into_bytes()[..],
                "{len}"
            );
        }
    }
}
