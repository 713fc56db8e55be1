use super::*;
use base64::Engine as _;
use base64::engine::general_purpose as reference;

/// Each of ours beside the `base64` crate's engine of the same name.
fn pairs() -> [(
    &'static Engine,
    &'static reference::GeneralPurpose,
    &'static str,
); 3] {
    [
        (&STANDARD, &reference::STANDARD, "STANDARD"),
        (
            &STANDARD_NO_PAD,
            &reference::STANDARD_NO_PAD,
            "STANDARD_NO_PAD",
        ),
        (
            &URL_SAFE_NO_PAD,
            &reference::URL_SAFE_NO_PAD,
            "URL_SAFE_NO_PAD",
        ),
    ]
}

/// A small deterministic generator (xorshift64*), so a failure reproduces.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

#[test]
fn rfc_4648_vectors() {
    let vectors = [
        ("", ""),
        ("f", "Zg=="),
        ("fo", "Zm8="),
        ("foo", "Zm9v"),
        ("foob", "Zm9vYg=="),
        ("fooba", "Zm9vYmE="),
        ("foobar", "Zm9vYmFy"),
    ];
    for (plain, encoded) in vectors {
        assert_eq!(STANDARD.encode(plain), encoded);
        assert_eq!(STANDARD.decode(encoded).unwrap(), plain.as_bytes());
        let unpadded = encoded.trim_end_matches('=');
        assert_eq!(URL_SAFE_NO_PAD.encode(plain), unpadded);
        assert_eq!(URL_SAFE_NO_PAD.decode(unpadded).unwrap(), plain.as_bytes());
        assert_eq!(STANDARD_NO_PAD.decode(unpadded).unwrap(), plain.as_bytes());
    }
    // The two symbols the alphabets differ in.
    assert_eq!(STANDARD.encode([0xfb, 0xff]), "+/8=");
    assert_eq!(URL_SAFE_NO_PAD.encode([0xfb, 0xff]), "-_8");
}

#[test]
fn only_the_canonical_text_decodes() {
    let refused: [(&Engine, &str, &str); 14] = [
        (&STANDARD, "Zh==", "unused bits set"),
        (&STANDARD, "Zm9=", "unused bits set"),
        (&URL_SAFE_NO_PAD, "Zh", "unused bits set"),
        (&URL_SAFE_NO_PAD, "Zm9", "unused bits set"),
        (&STANDARD, "Zg", "padding missing"),
        (&STANDARD, "Zg=", "padding short"),
        (&STANDARD, "Zm8==", "padding long"),
        (&STANDARD, "Z===", "three padding symbols"),
        (&STANDARD, "Zg==Zg==", "padding before the end"),
        (&URL_SAFE_NO_PAD, "Zg==", "padding in an unpadded encoding"),
        (&URL_SAFE_NO_PAD, "Zm9vY", "a lone last symbol"),
        (&URL_SAFE_NO_PAD, "+/8", "the standard alphabet's symbols"),
        (&STANDARD, "-_8=", "the URL-safe alphabet's symbols"),
        (
            &URL_SAFE_NO_PAD,
            "Zm9v\n",
            "a character outside the alphabet",
        ),
    ];
    for (engine, text, why) in refused {
        assert_eq!(engine.decode(text), Err(DecodeError), "{text:?}: {why}");
    }
}

#[test]
fn encodes_as_the_base64_crate_does() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for _ in 0..2_000 {
        let len = rng.below(70);
        let bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        for (ours, theirs, name) in pairs() {
            let text = ours.encode(&bytes);
            assert_eq!(text, theirs.encode(&bytes), "{name} of {bytes:?}");
            assert_eq!(ours.decode(&text).unwrap(), bytes, "{name} round trip");
        }
    }
}

#[test]
fn decodes_and_refuses_as_the_base64_crate_does() {
    // Texts mostly of symbols, with padding, the other alphabet's symbols and strangers mixed in, so
    // that short ones cover every arrangement of valid and invalid endings.
    const CHARS: &[u8] = b"AQgwZh9v+/-_====\n. \xc3";
    let mut rng = Rng(0x1234_5678_9abc_def1);
    let mut accepted = 0;
    for _ in 0..50_000 {
        let len = rng.below(13);
        let text: Vec<u8> = (0..len).map(|_| CHARS[rng.below(CHARS.len())]).collect();
        for (ours, theirs, name) in pairs() {
            let got = ours.decode(&text);
            match theirs.decode(&text) {
                Ok(bytes) => {
                    accepted += 1;
                    assert_eq!(
                        got,
                        Ok(bytes),
                        "{name} of {:?}",
                        String::from_utf8_lossy(&text)
                    );
                }
                Err(_) => assert_eq!(
                    got,
                    Err(DecodeError),
                    "{name} of {:?}",
                    String::from_utf8_lossy(&text)
                ),
            }
        }
    }
    // Both outcomes are exercised.
    assert!(accepted > 1_000, "only {accepted} texts decoded");
}
