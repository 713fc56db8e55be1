//! The population of stored password-hash costs: how many stored hashes there are per KDF and parameters
//! ([`CostClass`]), kept in one small record beside the identities. An unknown email's dummy verification
//! draws its cost from it, so after a cost change (stored hashes keep their old cost until their next
//! login) unknown emails still cost what known ones do. Contract: `docs/security.md#passwords`.
//!
//! The tally is updated after every write that adds, replaces or removes a hash ([`record_change`]), by
//! read-modify-write of one Workers KV key: concurrent writers in different locations can lose an update,
//! and KV allows one write a second per key, so it is an estimate of the proportions, not a ledger. A
//! failed update never fails the write it follows. [`recount_page`] rebuilds it from the identities (after
//! upgrading a store whose hashes predate the tally, or to correct drift).

use crate::model::{AuthIdentity, PASSWORD_METADATA_KEY, ProviderIdentity};
use crate::password::CostClass;
use crate::service::AuthModuleService;
use crate::store::{KvStore, StoreError, keys};
use hmac::{Hmac, KeyInit, Mac};
use serde_json::{Map, Value};
use sha2::Sha256;

/// A tally larger than this is not ours: it is read as empty (the current cost is used).
const MAX_RECORD_BYTES: usize = 16 * 1024;
/// Identities one recount request reads: within Workers' 1,000 KV operations per invocation.
pub const RECOUNT_PAGE: u32 = 200;
/// How long an unfinished recount is kept.
const RECOUNT_TTL_SECS: u64 = 86_400;

/// Hashes per cost class: (label, count) pairs sorted by label, a handful at most. Stored as a JSON object
/// of counts through `serde_json::Value`: a map type or derived (de)serializers of its own would add code
/// to the Worker's wasm for a record this small.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CostTally(Vec<(String, u64)>);

impl CostTally {
    fn parse(json: &str) -> Self {
        if json.len() > MAX_RECORD_BYTES {
            return Self::default();
        }
        match crate::json_fields::parse(json) {
            Ok(value) => Self::from_value(&value),
            Err(_) => Self::default(),
        }
    }

    fn from_value(value: &Value) -> Self {
        // serde_json's objects iterate in key order: the pairs come sorted.
        let counts = value.as_object().into_iter().flatten();
        Self(
            counts
                .filter_map(|(label, n)| Some((label.clone(), n.as_u64()?)))
                .collect(),
        )
    }

    /// The tally as a JSON object: cost class → count.
    pub fn to_value(&self) -> Value {
        // Inserted one by one: collecting into a map would sort, and bring a sort along into the wasm.
        let mut counts = Map::new();
        for (label, n) in &self.0 {
            counts.insert(label.clone(), Value::from(*n));
        }
        Value::Object(counts)
    }

    fn add(&mut self, class: CostClass, delta: i64) {
        let label = class.to_string();
        let at = match self.0.binary_search_by(|(l, _)| l.as_str().cmp(&label)) {
            Ok(at) => at,
            Err(at) => {
                self.0.insert(at, (label, 0));
                at
            }
        };
        let count = &mut self.0[at].1;
        *count = count.saturating_add_signed(delta);
        if *count == 0 {
            self.0.remove(at);
        }
    }

    /// The counts per class; labels that do not parse as a class (a tampered record) are left out. A
    /// zero count (only a tampered record has one) needs no filter: it adds nothing to [`Self::pick`]'s
    /// total and no draw lands on it.
    pub fn counts(&self) -> impl Iterator<Item = (CostClass, u64)> + '_ {
        self.0
            .iter()
            .filter_map(|(label, n)| Some((CostClass::parse(label)?, *n)))
    }

    /// The class that a uniform `draw` lands on, each class weighted by its count; `None` when empty.
    pub fn pick(&self, draw: u64) -> Option<CostClass> {
        let total = self
            .counts()
            .try_fold(0u64, |sum, (_, n)| sum.checked_add(n))?;
        if total == 0 {
            return None;
        }
        let mut point = draw % total;
        for (class, n) in self.counts() {
            if point < n {
                return Some(class);
            }
            point -= n;
        }
        None
    }

    /// The tally as stored.
    pub fn to_json(&self) -> String {
        self.to_value().to_string()
    }
}

/// The cost class of a provider identity's stored password hash, if it has one we would verify.
fn class_of(pi: &ProviderIdentity) -> Option<CostClass> {
    let stored = pi
        .provider_metadata
        .as_ref()?
        .get(PASSWORD_METADATA_KEY)?
        .as_str()?;
    CostClass::of_stored(stored)
}

/// The current tally; empty when there is none or it is unreadable (the caller falls back to today's
/// cost, as before there was a tally).
pub async fn load(store: &dyn KvStore) -> CostTally {
    match store.get(keys::HASH_COSTS).await {
        Ok(Some(json)) => CostTally::parse(&json),
        _ => CostTally::default(),
    }
}

/// Counts the hashes of `added` in and those of `removed` out, after they were written. Best effort;
/// nothing is written when the classes balance (most writes carry no hash, or keep it).
pub async fn record_change(
    store: &dyn KvStore,
    removed: &[&ProviderIdentity],
    added: &[&ProviderIdentity],
) {
    let mut delta: Vec<(CostClass, i64)> = Vec::new();
    let changes = removed
        .iter()
        .filter_map(|pi| Some((class_of(pi)?, -1)))
        .chain(added.iter().filter_map(|pi| Some((class_of(pi)?, 1))));
    for (class, d) in changes {
        match delta.iter_mut().find(|(c, _)| *c == class) {
            Some((_, sum)) => *sum += d,
            None => delta.push((class, d)),
        }
    }
    delta.retain(|(_, d)| *d != 0);
    if delta.is_empty() {
        return;
    }
    let mut tally = load(store).await;
    for (class, d) in delta {
        tally.add(class, d);
    }
    let _ = store.put(keys::HASH_COSTS, &tally.to_json(), None).await;
}

/// The cost an unknown `email` spends: a class drawn from the tally by a keyed hash of the email, so one
/// unknown email always costs the same (as a known one does) and which cost it gets cannot be predicted
/// without `key`. `None` (no tally yet): today's cost.
pub fn dummy_cost(tally: &CostTally, key: &[u8; 32], email: &str) -> Option<CostClass> {
    let mut mac =
        <Hmac<Sha256> as KeyInit>::new_from_slice(key).expect("HMAC accepts keys of any length");
    mac.update(email.as_bytes());
    let digest = mac.finalize().into_bytes();
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    tally.pick(u64::from_be_bytes(first))
}

/// An unfinished recount: the tally so far and the listing cursor it continues from.
#[derive(Debug)]
struct Recount {
    cursor: String,
    counts: CostTally,
    scanned: u64,
}

impl Recount {
    fn parse(json: &str) -> Option<Self> {
        let value: Value = crate::json_fields::parse(json).ok()?;
        Some(Self {
            cursor: value.get("cursor")?.as_str()?.to_owned(),
            counts: CostTally::from_value(value.get("counts")?),
            scanned: value.get("scanned")?.as_u64()?,
        })
    }

    fn to_json(&self) -> String {
        serde_json::json!({
            "cursor": self.cursor,
            "counts": self.counts.to_value(),
            "scanned": self.scanned,
        })
        .to_string()
    }
}

/// How far a recount got.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecountProgress {
    /// The tally so far (when `next` is `None`: the tally now in use).
    pub tally: CostTally,
    /// Identities read so far.
    pub scanned: u64,
    /// Where the next request continues; `None`: done.
    pub next: Option<String>,
}

/// Why a recount request was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecountError {
    /// `cursor` is not the one the previous page returned (or that recount expired).
    UnknownCursor,
    /// The store failed.
    Store(StoreError),
}

impl From<StoreError> for RecountError {
    fn from(e: StoreError) -> Self {
        Self::Store(e)
    }
}

/// Reads up to [`RECOUNT_PAGE`] identities: from the start when `cursor` is `None` (a new recount),
/// else from where the previous page stopped. The last page installs the new tally.
pub async fn recount_page(
    store: &dyn KvStore,
    cursor: Option<&str>,
) -> Result<RecountProgress, RecountError> {
    let mut recount = match cursor {
        None => Recount {
            cursor: String::new(),
            counts: CostTally::default(),
            scanned: 0,
        },
        Some(cursor) => {
            let saved = store.get(keys::HASH_COSTS_RECOUNT).await?;
            let saved = saved.and_then(|json| Recount::parse(&json));
            // Only a cursor this recount handed out reaches the store's listing.
            match saved {
                Some(saved) if !saved.cursor.is_empty() && saved.cursor == cursor => saved,
                _ => return Err(RecountError::UnknownCursor),
            }
        }
    };
    let from = (!recount.cursor.is_empty()).then_some(recount.cursor.as_str());
    let page = store
        .list(keys::AUTH_IDENTITY_PREFIX, from, RECOUNT_PAGE)
        .await?;
    for key in &page.keys {
        let Some(json) = store.get(key).await? else {
            continue;
        };
        recount.scanned += 1;
        let Some(identity) = AuthIdentity::from_stored(&json) else {
            continue;
        };
        for class in identity.provider_identities.iter().filter_map(class_of) {
            recount.counts.add(class, 1);
        }
    }
    match page.cursor {
        Some(next) => {
            recount.cursor = next.clone();
            store
                .put(
                    keys::HASH_COSTS_RECOUNT,
                    &recount.to_json(),
                    Some(RECOUNT_TTL_SECS),
                )
                .await?;
            Ok(RecountProgress {
                tally: recount.counts,
                scanned: recount.scanned,
                next: Some(next),
            })
        }
        None => {
            store
                .put(keys::HASH_COSTS, &recount.counts.to_json(), None)
                .await?;
            let _ = store.delete(keys::HASH_COSTS_RECOUNT).await;
            Ok(RecountProgress {
                tally: recount.counts,
                scanned: recount.scanned,
                next: None,
            })
        }
    }
}

impl AuthModuleService {
    /// The tally of stored password-hash costs now in use.
    pub async fn hash_costs(&self) -> CostTally {
        load(self.store()).await
    }

    /// One page of a recount of the tally ([`recount_page`]).
    pub async fn recount_hash_costs(
        &self,
        cursor: Option<&str>,
    ) -> Result<RecountProgress, RecountError> {
        recount_page(self.store(), cursor).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tally(pairs: &[(&str, u64)]) -> CostTally {
        let mut t = CostTally::default();
        for (label, n) in pairs {
            t.0.push((label.to_string(), *n));
        }
        t.0.sort();
        t
    }

    #[test]
    fn draws_land_on_classes_in_proportion_to_their_counts() {
        let t = tally(&[("pbkdf2-sha256$i=20000", 3), ("pbkdf2-sha256$i=400000", 1)]);
        let picked: Vec<Option<u32>> = (0..8)
            .map(|d| t.pick(d).and_then(|c| c.pbkdf2_iterations()))
            .collect();
        // Labels sort as strings: "…i=20000" < "…i=400000".
        assert_eq!(
            picked,
            [
                20_000, 20_000, 20_000, 400_000, 20_000, 20_000, 20_000, 400_000
            ]
            .map(Some)
        );
        assert_eq!(CostTally::default().pick(7), None);
        // A zero count, which only a tampered record holds, is never drawn.
        let t = tally(&[("pbkdf2-sha256$i=20000", 0), ("pbkdf2-sha256$i=400000", 2)]);
        assert!((0..6).all(|d| t.pick(d).and_then(|c| c.pbkdf2_iterations()) == Some(400_000)));
        assert_eq!(tally(&[("pbkdf2-sha256$i=20000", 0)]).pick(3), None);
    }

    #[test]
    fn tampered_or_oversized_records_cost_no_more_than_a_stored_hash() {
        let t = tally(&[("pbkdf2-sha256$i=4000000000", 5), ("nonsense", 9)]);
        assert_eq!(t.pick(0), None);
        assert_eq!(CostTally::parse("[1,2]"), CostTally::default());
        assert_eq!(
            CostTally::parse(r#"{"pbkdf2-sha256$i=1000": -1, "pbkdf2-sha256$i=2000": 2}"#),
            tally(&[("pbkdf2-sha256$i=2000", 2)])
        );
        let huge = format!(
            "{{\"pbkdf2-sha256$i=1000\": 1, \"x\": \"{}\"}}",
            "y".repeat(MAX_RECORD_BYTES)
        );
        assert_eq!(CostTally::parse(&huge), CostTally::default());
    }

    #[test]
    fn a_record_of_exactly_the_size_limit_is_read_and_one_byte_more_is_not() {
        // Padded with the whitespace JSON allows after the object.
        let of_length = |n: usize| {
            let record = r#"{"pbkdf2-sha256$i=1000": 3}"#;
            format!("{record}{}", " ".repeat(n - record.len()))
        };
        let limit = of_length(16 * 1024);
        assert_eq!(limit.len(), MAX_RECORD_BYTES);
        assert_eq!(
            CostTally::parse(&limit),
            tally(&[("pbkdf2-sha256$i=1000", 3)])
        );
        assert_eq!(
            CostTally::parse(&of_length(16 * 1024 + 1)),
            CostTally::default()
        );
    }

    #[test]
    fn one_email_always_draws_the_same_class_and_the_key_decides_which() {
        let t = tally(&[("pbkdf2-sha256$i=20000", 1), ("pbkdf2-sha256$i=400000", 1)]);
        let key = [7u8; 32];
        let first = dummy_cost(&t, &key, "x@y.z");
        assert!((0..5).all(|_| dummy_cost(&t, &key, "x@y.z") == first));
        let differs = (0..64u8).any(|k| dummy_cost(&t, &[k; 32], "x@y.z") != first);
        assert!(differs, "the key takes part in the draw");
    }
}
