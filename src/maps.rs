//! Maps built by insertion rather than `collect`. Collecting into a `BTreeMap` (or a `serde_json::Map`,
//! one underneath) sorts the pairs first with a stable sort compiled anew for every iterator type, about
//! 3 KB of wasm each; inserting shares the map's own code (docs/performance.md#bundle-size). Duplicate
//! keys end as `collect` leaves them: the last one wins.

use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// The map of `pairs`.
pub fn btree<K: Ord, V>(pairs: impl IntoIterator<Item = (K, V)>) -> BTreeMap<K, V> {
    let mut map = BTreeMap::new();
    map.extend(pairs);
    map
}

/// The JSON object of `pairs`.
pub fn object(pairs: impl IntoIterator<Item = (String, Value)>) -> Map<String, Value> {
    let mut map = Map::new();
    map.extend(pairs);
    map
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_of_equal_keys_wins_and_keys_come_sorted() {
        let map = btree([("b", 1), ("a", 2), ("b", 3)]);
        assert_eq!(map.into_iter().collect::<Vec<_>>(), [("a", 2), ("b", 3)]);
        let object = object([
            ("b".into(), 1.into()),
            ("a".into(), 2.into()),
            ("b".into(), 3.into()),
        ]);
        assert_eq!(Value::Object(object).to_string(), r#"{"a":2,"b":3}"#);
    }
}
