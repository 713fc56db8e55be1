//! Base64 (RFC 4648): the standard and URL-safe alphabets, padded or not, with strict decoding.
//!
//! Written here rather than taken from the `base64` crate, whose general engine is ~6 KB of wasm for the
//! three encodings the crate uses (docs/performance.md#bundle-size); its tests check this one against
//! that crate, byte for byte. Decoding accepts only the canonical encoding of some bytes, as tokens,
//! hashes and keys need: no character outside the alphabet, padding exactly where the length needs it
//! (and none in the unpadded encodings), unused low bits zero.

const STANDARD_ALPHABET: &[u8; 64] =
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const URL_SAFE_ALPHABET: &[u8; 64] =
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// One encoding: an alphabet, and whether its text is padded with `=` to a multiple of four.
pub struct Engine {
    alphabet: &'static [u8; 64],
    padded: bool,
}

/// `+/`, padded (HTTP Basic credentials, Medusa's scrypt hashes).
pub const STANDARD: Engine = Engine {
    alphabet: STANDARD_ALPHABET,
    padded: true,
};
/// `+/`, unpadded (PHC strings).
pub const STANDARD_NO_PAD: Engine = Engine {
    alphabet: STANDARD_ALPHABET,
    padded: false,
};
/// `-_`, unpadded (JWTs, JWKs, our tokens and cookies).
pub const URL_SAFE_NO_PAD: Engine = Engine {
    alphabet: URL_SAFE_ALPHABET,
    padded: false,
};

/// The text is not the canonical encoding of any bytes. Callers map it to an error of their own (a
/// malformed token, hash or key), so it has no message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecodeError;

impl Engine {
    /// `input` in this encoding.
    pub fn encode(&self, input: impl AsRef<[u8]>) -> String {
        self.encode_bytes(input.as_ref())
    }

    /// The bytes `input` is the canonical encoding of.
    pub fn decode(&self, input: impl AsRef<[u8]>) -> Result<Vec<u8>, DecodeError> {
        self.decode_bytes(input.as_ref())
    }

    fn encode_bytes(&self, input: &[u8]) -> String {
        let mut out = String::with_capacity(input.len().div_ceil(3) * 4);
        for chunk in input.chunks(3) {
            let byte = |i: usize| u32::from(chunk.get(i).copied().unwrap_or(0));
            let group = (byte(0) << 16) | (byte(1) << 8) | byte(2);
            // n bytes take n + 1 symbols; the rest of the four is padding.
            for i in 0..4 {
                if i <= chunk.len() {
                    let index = (group >> (18 - 6 * i)) & 63;
                    out.push(char::from(self.alphabet[index as usize]));
                } else if self.padded {
                    out.push('=');
                }
            }
        }
        out
    }

    fn decode_bytes(&self, input: &[u8]) -> Result<Vec<u8>, DecodeError> {
        let symbols = if self.padded {
            if !input.len().is_multiple_of(4) {
                return Err(DecodeError);
            }
            // At most two `=`, and only at the end; a length of 4k - pad then needs exactly that pad.
            let pad = input
                .iter()
                .rev()
                .take(2)
                .take_while(|&&c| c == b'=')
                .count();
            &input[..input.len() - pad]
        } else {
            input
        };
        // A lone symbol holds six bits: not a whole byte.
        if symbols.len() % 4 == 1 {
            return Err(DecodeError);
        }
        let mut out = Vec::with_capacity(symbols.len() / 4 * 3 + 2);
        for chunk in symbols.chunks(4) {
            let mut group = 0u32;
            for &c in chunk {
                group = (group << 6) | u32::from(self.value(c)?);
            }
            let bytes = chunk.len() - 1;
            let unused = chunk.len() * 6 - bytes * 8;
            if group & ((1 << unused) - 1) != 0 {
                return Err(DecodeError);
            }
            group >>= unused;
            for i in (0..bytes).rev() {
                out.push((group >> (8 * i)) as u8);
            }
        }
        Ok(out)
    }

    /// The six bits `c` stands for in this alphabet.
    fn value(&self, c: u8) -> Result<u8, DecodeError> {
        match c {
            b'A'..=b'Z' => Ok(c - b'A'),
            b'a'..=b'z' => Ok(c - b'a' + 26),
            b'0'..=b'9' => Ok(c - b'0' + 52),
            _ if c == self.alphabet[62] => Ok(62),
            _ if c == self.alphabet[63] => Ok(63),
            _ => Err(DecodeError),
        }
    }
}

#[cfg(test)]
mod tests;
