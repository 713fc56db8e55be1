//! A [`Guard`] in process memory: exact for everything that shares it (native tests, one npm-package
//! process, one Worker isolate), and nothing beyond.
//!
//! It keeps credential records only when every writer of the store shares it
//! ([`MemoryGuard::without_credentials`] otherwise): a record another writer never updated would refuse
//! that writer's new password.

use super::credentials::{self, CredentialChange, CredentialRecord};
use super::rate::{self, Bucket, Decision, Rule};
use super::{Claim, Guard};
use crate::ports::clock::{Clock, SystemClock};
use crate::store::StoreError;
use async_trait::async_trait;
use std::cell::RefCell;
use std::rc::Rc;

/// One map for all four kinds of record (keys prefixed by kind): one B-tree instantiation in the
/// Worker's wasm instead of four.
enum Record {
    Claim {
        owner: String,
        at_ms: u64,
    },
    Consumed {
        expires_ms: u64,
    },
    Bucket {
        bucket: Bucket,
        expires_ms: u64,
    },
    /// Never expires: it must outlive every token it voids.
    Credentials(CredentialRecord),
}

fn claim_key(key: &str) -> String {
    format!("c{key}")
}

fn consumed_key(key: &str) -> String {
    format!("o{key}")
}

fn bucket_key(key: &str) -> String {
    format!("b{key}")
}

fn credentials_key(key: &str) -> String {
    format!("k{key}")
}

/// The live records by key. A list rather than a map type: every operation walks all of them anyway
/// (the expired ones are dropped first), and a `BTreeMap` of its own would add its code to the wasm.
#[derive(Default)]
struct Records(Vec<(String, Record)>);

impl Records {
    fn position(&self, key: &str) -> Option<usize> {
        self.0.iter().position(|(k, _)| k == key)
    }

    fn get(&self, key: &str) -> Option<&Record> {
        self.position(key).map(|at| &self.0[at].1)
    }

    fn get_mut(&mut self, key: &str) -> Option<&mut Record> {
        self.position(key).map(|at| &mut self.0[at].1)
    }

    fn contains_key(&self, key: &str) -> bool {
        self.position(key).is_some()
    }

    fn insert(&mut self, key: String, record: Record) {
        match self.position(&key) {
            Some(at) => self.0[at].1 = record,
            None => self.0.push((key, record)),
        }
    }

    fn remove(&mut self, key: &str) {
        if let Some(at) = self.position(key) {
            self.0.swap_remove(at);
        }
    }
}

/// A guard in process memory: exact for everything that shares it.
pub struct MemoryGuard {
    records: RefCell<Records>,
    clock: Rc<dyn Clock>,
    /// Claims older than this are forgotten (`None`: kept until released).
    claim_ttl_ms: Option<u64>,
    /// Whether credential records are kept ([`MemoryGuard::without_credentials`]).
    keeps_credentials: bool,
}

impl Default for MemoryGuard {
    fn default() -> Self {
        Self::with_clock(Rc::new(SystemClock))
    }
}

impl MemoryGuard {
    /// A guard on the system clock.
    pub fn new() -> Self {
        Self::default()
    }

    /// A guard on `clock` (tests move it).
    pub fn with_clock(clock: Rc<dyn Clock>) -> Self {
        Self {
            records: RefCell::new(Records::default()),
            clock,
            claim_ttl_ms: None,
            keeps_credentials: true,
        }
    }

    /// Keeps no credential records: for a guard that not every writer of the store shares (one of several
    /// service objects or processes over one store, one isolate of a Worker). Its answers are empty
    /// records, so the store's hashes and revocation records are all there is.
    pub fn without_credentials(mut self) -> Self {
        self.keeps_credentials = false;
        self
    }

    /// Claims are forgotten after `secs`: for a guard that only has to cover writes in flight.
    pub fn with_claim_ttl(mut self, secs: u64) -> Self {
        self.claim_ttl_ms = Some(secs * 1000);
        self
    }

    /// Runs `f` on the records after dropping the expired ones, so memory stays bounded by what is live.
    fn with_records<T>(&self, f: impl FnOnce(&mut Records, u64) -> T) -> T {
        let now = self.clock.now_ms();
        let mut records = self.records.borrow_mut();
        records.0.retain(|(_, r)| match r {
            Record::Claim { at_ms, .. } => self.claim_ttl_ms.is_none_or(|ttl| *at_ms + ttl > now),
            Record::Consumed { expires_ms } | Record::Bucket { expires_ms, .. } => {
                *expires_ms > now
            }
            Record::Credentials(_) => true,
        });
        f(&mut records, now)
    }
}

#[async_trait(?Send)]
impl Guard for MemoryGuard {
    async fn claim(&self, key: &str, owner: &str) -> Result<Claim, StoreError> {
        Ok(self.with_records(|r, now| {
            let key = claim_key(key);
            if let Some(Record::Claim { owner, at_ms }) = r.get(&key) {
                return Claim::Taken {
                    owner: owner.clone(),
                    at_ms: *at_ms,
                };
            }
            let owner = owner.to_owned();
            r.insert(key, Record::Claim { owner, at_ms: now });
            Claim::Claimed
        }))
    }

    async fn transfer(&self, key: &str, from: &str, to: &str) -> Result<bool, StoreError> {
        Ok(
            self.with_records(|r, now| match r.get_mut(&claim_key(key)) {
                Some(Record::Claim { owner, at_ms }) if owner == from => {
                    *owner = to.to_owned();
                    *at_ms = now;
                    true
                }
                _ => false,
            }),
        )
    }

    async fn release(&self, key: &str, owner: &str) -> Result<(), StoreError> {
        self.with_records(|r, _| {
            let key = claim_key(key);
            if matches!(r.get(&key), Some(Record::Claim { owner: held, .. }) if held == owner) {
                r.remove(&key);
            }
        });
        Ok(())
    }

    async fn consume_once(&self, key: &str, ttl_secs: u64) -> Result<bool, StoreError> {
        Ok(self.with_records(|r, now| {
            let key = consumed_key(key);
            if r.contains_key(&key) {
                return false;
            }
            let expires_ms = now + ttl_secs.max(1) * 1000;
            r.insert(key, Record::Consumed { expires_ms });
            true
        }))
    }

    async fn unconsume(&self, key: &str) -> Result<(), StoreError> {
        self.with_records(|r, _| r.remove(&consumed_key(key)));
        Ok(())
    }

    async fn hit(&self, bucket: &str, rule: &Rule) -> Result<Decision, StoreError> {
        Ok(self.with_records(|r, now| {
            let key = bucket_key(bucket);
            let previous = match r.get(&key) {
                Some(Record::Bucket { bucket, .. }) => Some(*bucket),
                _ => None,
            };
            let s = rate::step(previous, rule, now);
            let record = Record::Bucket {
                bucket: s.bucket,
                expires_ms: s.expires_at_ms,
            };
            r.insert(key, record);
            s.decision
        }))
    }

    async fn reset(&self, bucket: &str) -> Result<(), StoreError> {
        self.with_records(|r, _| r.remove(&bucket_key(bucket)));
        Ok(())
    }

    async fn credentials(&self, key: &str) -> Result<CredentialRecord, StoreError> {
        Ok(self.with_records(|r, now| {
            let kept = match r.get(&credentials_key(key)) {
                Some(Record::Credentials(record)) if self.keeps_credentials => record.clone(),
                _ => CredentialRecord::default(),
            };
            CredentialRecord {
                as_of_ms: now,
                ..kept
            }
        }))
    }

    async fn set_credentials(
        &self,
        key: &str,
        change: &CredentialChange,
    ) -> Result<Option<CredentialRecord>, StoreError> {
        Ok(self.with_records(|r, now| {
            let key = credentials_key(key);
            let current = match r.get(&key) {
                Some(Record::Credentials(record)) => Some(record),
                _ => None,
            };
            let next = credentials::apply(current, change, now)?;
            if self.keeps_credentials {
                r.insert(key, Record::Credentials(next.clone()));
            }
            Some(next)
        }))
    }

    fn is_strict(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ports::clock::ManualClock;
    use futures::executor::block_on;

    fn guard() -> (MemoryGuard, Rc<ManualClock>) {
        let clock = Rc::new(ManualClock::new(1_800_000_000_000));
        (MemoryGuard::with_clock(clock.clone()), clock)
    }

    #[test]
    fn the_first_claim_wins_and_later_ones_see_the_owner() {
        let (g, _) = guard();
        assert_eq!(block_on(g.claim("k", "a")).unwrap(), Claim::Claimed);
        assert_eq!(
            block_on(g.claim("k", "b")).unwrap(),
            Claim::Taken {
                owner: "a".into(),
                at_ms: 1_800_000_000_000
            }
        );
    }

    #[test]
    fn only_the_owner_releases_and_only_the_holder_transfers() {
        let (g, _) = guard();
        block_on(g.claim("k", "a")).unwrap();
        block_on(g.release("k", "b")).unwrap();
        assert!(!block_on(g.transfer("k", "b", "c")).unwrap());
        assert!(block_on(g.transfer("k", "a", "c")).unwrap());
        block_on(g.release("k", "c")).unwrap();
        assert_eq!(block_on(g.claim("k", "d")).unwrap(), Claim::Claimed);
    }

    #[test]
    fn claims_with_a_ttl_are_forgotten() {
        let clock = Rc::new(ManualClock::new(0));
        let g = MemoryGuard::with_clock(clock.clone()).with_claim_ttl(60);
        block_on(g.claim("k", "a")).unwrap();
        clock.advance_secs(59);
        assert!(matches!(
            block_on(g.claim("k", "b")).unwrap(),
            Claim::Taken { .. }
        ));
        clock.advance_secs(1);
        assert_eq!(block_on(g.claim("k", "b")).unwrap(), Claim::Claimed);
    }

    #[test]
    fn a_key_is_consumed_once_until_its_ttl_ends_or_it_is_given_back() {
        let (g, clock) = guard();
        assert!(block_on(g.consume_once("jti", 900)).unwrap());
        assert!(!block_on(g.consume_once("jti", 900)).unwrap());
        block_on(g.unconsume("jti")).unwrap();
        assert!(block_on(g.consume_once("jti", 900)).unwrap());
        clock.advance_secs(900);
        assert!(block_on(g.consume_once("jti", 900)).unwrap());
    }

    #[test]
    fn credential_records_are_kept_and_compared_and_set_atomically() {
        let (g, clock) = guard();
        let empty = block_on(g.credentials("cred:a")).unwrap();
        assert_eq!(empty.fingerprint, None);
        assert_eq!(empty.as_of_ms, 1_800_000_000_000);
        let set = CredentialChange {
            fingerprint: Some("f1".into()),
            ..CredentialChange::default()
        };
        block_on(g.set_credentials("cred:a", &set))
            .unwrap()
            .unwrap();
        clock.advance_secs(1);
        let stale_rehash = CredentialChange {
            fingerprint: Some("f2".into()),
            expected: Some("f0".into()),
            revoke: None,
        };
        assert_eq!(
            block_on(g.set_credentials("cred:a", &stale_rehash)).unwrap(),
            None
        );
        let revoke = CredentialChange {
            revoke: Some(super::super::Revocation::Now),
            ..CredentialChange::default()
        };
        let after = block_on(g.set_credentials("cred:a", &revoke))
            .unwrap()
            .unwrap();
        assert_eq!(after.fingerprint.as_deref(), Some("f1"));
        assert_eq!(after.valid_from_ms, 1_800_000_001_000);
        assert_eq!(block_on(g.credentials("cred:a")).unwrap(), after);
    }

    #[test]
    fn a_guard_without_credentials_remembers_none() {
        let g = MemoryGuard::new().without_credentials();
        let set = CredentialChange {
            fingerprint: Some("f1".into()),
            ..CredentialChange::default()
        };
        assert!(
            block_on(g.set_credentials("cred:a", &set))
                .unwrap()
                .is_some()
        );
        assert_eq!(block_on(g.credentials("cred:a")).unwrap().fingerprint, None);
    }

    #[test]
    fn hits_count_per_bucket_and_reset_clears_one() {
        let (g, _) = guard();
        let rule = Rule::new(1, 60);
        assert!(block_on(g.hit("a", &rule)).unwrap().is_allowed());
        assert!(!block_on(g.hit("a", &rule)).unwrap().is_allowed());
        assert!(block_on(g.hit("b", &rule)).unwrap().is_allowed());
        block_on(g.reset("a")).unwrap();
        assert!(block_on(g.hit("a", &rule)).unwrap().is_allowed());
    }
}
