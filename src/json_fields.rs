//! Typed reads of a JSON object's fields, for records and claims read without `serde` derives: the
//! module already carries `serde_json::Value`'s code, and each derived `Deserialize` adds several KB of
//! wasm of its own (docs/performance.md#bundle-size). Each reader answers `None` for a missing field
//! or one of another type, so a caller refuses the whole record. JSON text is parsed here too.

use serde_json::{Map, Value};

/// JSON text (a `&str`, `String` or bytes) as a [`Value`]: the one way the crate parses JSON. serde_json
/// compiles its whole parser once per input kind (`from_str` and `from_slice` are two copies, ~5 KB of
/// wasm each), so every caller goes through the byte slice one.
pub fn parse(text: impl AsRef<[u8]>) -> serde_json::Result<Value> {
    parse_bytes(text.as_ref())
}

fn parse_bytes(bytes: &[u8]) -> serde_json::Result<Value> {
    serde_json::from_slice(bytes)
}

/// The string field `key`.
pub fn text(v: &Value, key: &str) -> Option<String> {
    v.get(key)?.as_str().map(str::to_owned)
}

/// The string-or-null field `key` (absent is null); `None` when it is something else.
pub fn nullable_text(v: &Value, key: &str) -> Option<Option<String>> {
    match v.get(key) {
        None | Some(Value::Null) => Some(None),
        Some(Value::String(s)) => Some(Some(s.clone())),
        Some(_) => None,
    }
}

/// The object-or-null field `key` (absent is null); `None` when it is something else.
pub fn nullable_object(v: &Value, key: &str) -> Option<Option<Map<String, Value>>> {
    match v.get(key) {
        None | Some(Value::Null) => Some(None),
        Some(Value::Object(m)) => Some(Some(m.clone())),
        Some(_) => None,
    }
}

/// The non-negative integer field `key` (not a float, even a whole one).
pub fn whole(v: &Value, key: &str) -> Option<u64> {
    v.get(key)?.as_u64()
}

/// The non-negative integer field `key`, within `u32`.
pub fn count(v: &Value, key: &str) -> Option<u32> {
    u32::try_from(whole(v, key)?).ok()
}

/// The boolean field `key`, `false` when absent; `None` when it is something else (`null` included).
pub fn flag(v: &Value, key: &str) -> Option<bool> {
    match v.get(key) {
        None => Some(false),
        Some(x) => x.as_bool(),
    }
}

/// The array-of-strings field `key`.
pub fn texts(v: &Value, key: &str) -> Option<Vec<String>> {
    strings(v.get(key)?)
}

/// `v` as an array of strings.
pub fn strings(v: &Value) -> Option<Vec<String>> {
    let mut out = Vec::new();
    for x in v.as_array()? {
        out.push(x.as_str()?.to_owned());
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn each_reader_takes_its_type_only() {
        let v = json!({"s": "x", "n": null, "i": 7, "f": 7.0, "neg": -1, "big": 1u64 << 40,
                       "b": true, "a": ["p", "q"], "mixed": ["p", 1]});
        assert_eq!(text(&v, "s").as_deref(), Some("x"));
        assert_eq!(text(&v, "i"), None);
        assert_eq!(text(&v, "missing"), None);
        assert_eq!(nullable_text(&v, "s"), Some(Some("x".into())));
        assert_eq!(nullable_text(&v, "n"), Some(None));
        assert_eq!(nullable_text(&v, "missing"), Some(None));
        assert_eq!(nullable_text(&v, "i"), None);
        assert_eq!(
            nullable_object(&json!({"o": {"k": 1}}), "o"),
            Some(json!({"k": 1}).as_object().cloned())
        );
        assert_eq!(nullable_object(&v, "n"), Some(None));
        assert_eq!(nullable_object(&v, "missing"), Some(None));
        assert_eq!(nullable_object(&v, "a"), None);
        assert_eq!(whole(&v, "i"), Some(7));
        assert_eq!(whole(&v, "f"), None);
        assert_eq!(whole(&v, "neg"), None);
        assert_eq!(whole(&v, "s"), None);
        assert_eq!(count(&v, "i"), Some(7));
        assert_eq!(count(&v, "big"), None);
        assert_eq!(flag(&v, "b"), Some(true));
        assert_eq!(flag(&v, "missing"), Some(false));
        assert_eq!(flag(&v, "n"), None);
        assert_eq!(flag(&v, "s"), None);
        assert_eq!(texts(&v, "a"), Some(vec!["p".into(), "q".into()]));
        assert_eq!(texts(&v, "mixed"), None);
        assert_eq!(texts(&v, "s"), None);
    }
}
