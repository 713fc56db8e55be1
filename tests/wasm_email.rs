//! Emails lower-cased in real browsers (`wasm-pack test --headless --chrome|--firefox -- --test
//! wasm_email`): in wasm the host's `String.prototype.toLowerCase` does it, so the module carries no
//! case tables; V8 and SpiderMonkey must map exactly as Rust's `str::to_lowercase` (the native builds')
//! does, or one mailbox would be two identities depending on where it registered.
#![cfg(target_arch = "wasm32")]

use edge_auth::providers::emailpass::normalize_email;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn emails_lower_case_in_the_browser_as_natively() {
    for email in [
        "  Mixed.Case@Example.COM\t",
        "ÄÖÜ@BÜCHER.DE",
        // Final sigma: word-final Σ is ς, elsewhere σ.
        "ΟΔΥΣΣΕΥΣ@ΠΑΡΑΔΕΙΓΜΑ.ΕΛ",
        "ΣΑ.Σ@x.gr",
        // Dotted capital I becomes i + combining dot; capital sharp s; titlecase digraph; Cherokee.
        "İSTANBUL@x.tr",
        "STRAẞE@x.de",
        "ǅemal@x.ba",
        "ᎠᎡᎢ@x.us",
        "ⅫⒶ@x",
        "𐐀𐐁@deseret.example",
        "already.lower@x.io",
    ] {
        assert_eq!(
            normalize_email(email),
            email.trim().to_lowercase(),
            "{email:?}"
        );
    }
}
