//! The guard as a Durable Object: the `AuthGuard` class (SQLite-backed storage) and the Worker's client
//! for it, [`DurableGuard`].
//!
//! Each guard key lives in one of [`keys::GUARD_SHARDS`] objects, `idFromName(keys::guard_object(key))`;
//! every operation is one JSON request to that object ([`crate::guard::protocol`]). A Durable Object runs
//! one event at a time and its SQL API is synchronous, so each operation below is atomic; claims and
//! consumptions additionally use `INSERT … ON CONFLICT DO NOTHING RETURNING`, whose returned row (not a
//! write count) decides the winner. Rate-limit buckets reuse the pure [`rate::step`], credential records
//! the pure [`credentials::apply`].
//!
//! worker/entry.mjs wraps the wasm-bindgen class in a `class AuthGuard extends DurableObject`, and
//! wrangler.toml binds it as `AUTH_GUARD` with a `new_sqlite_classes` migration.

use crate::guard::protocol::{self, Reply, Request as Op};
use crate::guard::rate::{self, Bucket};
use crate::guard::{Claim, CredentialChange, CredentialRecord, Decision, Guard, Rule, credentials};
use crate::store::{StoreError, keys};
use async_trait::async_trait;
use wasm_bindgen::JsValue;
use worker::{
    DurableObject, Env, ObjectNamespace, Request, Response, SqlCursor, SqlStorage, SqlStorageValue,
    State, durable_object, web_sys,
};

/// The binding name in wrangler.toml.
pub const GUARD_BINDING: &str = "AUTH_GUARD";

fn failed(e: impl std::fmt::Display) -> StoreError {
    StoreError(format!("guard Durable Object: {e}"))
}

/// The Worker's side: sends each operation to the object that owns its key.
pub struct DurableGuard(pub ObjectNamespace);

impl DurableGuard {
    async fn call(&self, op: Op) -> Result<Reply, StoreError> {
        let stub = self
            .0
            .get_by_name(&keys::guard_object(op.key()))
            .map_err(failed)?;
        let body = op.to_json();
        // web_sys's request: worker's RequestInit brings Cloudflare's `cf` options along (~4 KB of wasm).
        let init = web_sys::RequestInit::new();
        init.set_method("POST");
        init.set_body(&JsValue::from_str(&body));
        let request = web_sys::Request::new_with_str_and_init(protocol::OBJECT_URL, &init)
            .map_err(|e| failed(format!("{e:?}")))?;
        let mut response = stub
            .fetch_with_request(Request::from(request))
            .await
            .map_err(failed)?;
        let text = response.text().await.map_err(failed)?;
        match Reply::from_json(&text) {
            Some(Reply::Failed { message }) => Err(failed(message)),
            Some(reply) => Ok(reply),
            None => Err(failed(format!("unreadable reply: {text}"))),
        }
    }

    async fn done(&self, op: Op) -> Result<bool, StoreError> {
        match self.call(op).await? {
            Reply::Done { ok } => Ok(ok),
            other => Err(failed(format!("unexpected reply {other:?}"))),
        }
    }
}

#[async_trait(?Send)]
impl Guard for DurableGuard {
    async fn claim(&self, key: &str, owner: &str) -> Result<Claim, StoreError> {
        let op = Op::Claim {
            key: key.into(),
            owner: owner.into(),
        };
        match self.call(op).await? {
            Reply::Claimed => Ok(Claim::Claimed),
            Reply::Taken { owner, at_ms } => Ok(Claim::Taken { owner, at_ms }),
            other => Err(failed(format!("unexpected reply {other:?}"))),
        }
    }

    async fn transfer(&self, key: &str, from: &str, to: &str) -> Result<bool, StoreError> {
        self.done(Op::Transfer {
            key: key.into(),
            from: from.into(),
            to: to.into(),
        })
        .await
    }

    async fn release(&self, key: &str, owner: &str) -> Result<(), StoreError> {
        self.done(Op::Release {
            key: key.into(),
            owner: owner.into(),
        })
        .await
        .map(drop)
    }

    async fn consume_once(&self, key: &str, ttl_secs: u64) -> Result<bool, StoreError> {
        self.done(Op::Consume {
            key: key.into(),
            ttl_secs,
        })
        .await
    }

    async fn unconsume(&self, key: &str) -> Result<(), StoreError> {
        self.done(Op::Unconsume { key: key.into() }).await.map(drop)
    }

    async fn hit(&self, bucket: &str, rule: &Rule) -> Result<Decision, StoreError> {
        let op = Op::Hit {
            key: bucket.into(),
            rule: *rule,
        };
        match self.call(op).await? {
            Reply::Decision { decision } => Ok(decision),
            other => Err(failed(format!("unexpected reply {other:?}"))),
        }
    }

    async fn reset(&self, bucket: &str) -> Result<(), StoreError> {
        self.done(Op::Reset { key: bucket.into() }).await.map(drop)
    }

    /// A request that changes nothing (one operation on the wire for reads and changes).
    async fn credentials(&self, key: &str) -> Result<CredentialRecord, StoreError> {
        self.set_credentials(key, &CredentialChange::default())
            .await?
            .ok_or_else(|| failed("a read of credentials was refused"))
    }

    async fn set_credentials(
        &self,
        key: &str,
        change: &CredentialChange,
    ) -> Result<Option<CredentialRecord>, StoreError> {
        let op = Op::Credentials {
            key: key.into(),
            change: change.clone(),
        };
        match self.call(op).await? {
            Reply::Credentials { record } => Ok(Some(record)),
            Reply::Done { ok: false } => Ok(None),
            other => Err(failed(format!("unexpected reply {other:?}"))),
        }
    }

    fn is_strict(&self) -> bool {
        true
    }
}

const SCHEMA: &[&str] = &[
    "CREATE TABLE IF NOT EXISTS claims (k TEXT PRIMARY KEY, owner TEXT NOT NULL, at_ms INTEGER NOT NULL)",
    "CREATE TABLE IF NOT EXISTS once (k TEXT PRIMARY KEY, expires_ms INTEGER NOT NULL)",
    "CREATE INDEX IF NOT EXISTS once_expiry ON once (expires_ms)",
    "CREATE TABLE IF NOT EXISTS rate_buckets (k TEXT PRIMARY KEY, window_start_ms INTEGER NOT NULL, \
     count INTEGER NOT NULL, strikes INTEGER NOT NULL, blocked_until_ms INTEGER NOT NULL, \
     expires_ms INTEGER NOT NULL)",
    "CREATE INDEX IF NOT EXISTS rate_buckets_expiry ON rate_buckets (expires_ms)",
    // No expiry: a record must outlive every token it voids. `fingerprint` NULL: never recorded.
    "CREATE TABLE IF NOT EXISTS credentials (k TEXT PRIMARY KEY, fingerprint TEXT, \
     valid_from_ms INTEGER NOT NULL)",
];

/// The Durable Object class. Its only state is its SQLite database.
#[durable_object(fetch)]
pub struct AuthGuard {
    sql: SqlStorage,
}

impl DurableObject for AuthGuard {
    fn new(state: State, _env: Env) -> Self {
        let sql = state.storage().sql();
        for statement in SCHEMA {
            // A failure here surfaces as a Failed reply on the first operation that needs the table.
            if let Err(e) = sql.exec(statement, None) {
                worker::console_error!("edge-auth guard: schema: {e}");
            }
        }
        Self { sql }
    }

    async fn fetch(&self, mut req: Request) -> worker::Result<Response> {
        let body = req.text().await?;
        let reply = match Op::from_json(&body) {
            Some(op) => self.apply(op).unwrap_or_else(|e| Reply::Failed {
                message: e.to_string(),
            }),
            None => Reply::Failed {
                message: format!("unreadable request: {body}"),
            },
        };
        Response::ok(reply.to_json())
    }
}

fn text(s: &str) -> SqlStorageValue {
    SqlStorageValue::from(s)
}

fn int(n: u64) -> SqlStorageValue {
    // Milliseconds since 1970 stay far below 2^53.
    SqlStorageValue::Integer(n as i64)
}

fn non_negative(value: Option<&SqlStorageValue>) -> u64 {
    match value {
        Some(SqlStorageValue::Integer(v)) => u64::try_from(*v).unwrap_or(0),
        _ => 0,
    }
}

/// The first row of a result, as raw values (no serde: it would add a deserializer per row type).
fn first_row(cursor: SqlCursor) -> worker::Result<Option<Vec<SqlStorageValue>>> {
    cursor.raw().next().transpose()
}

impl AuthGuard {
    /// The stored credential record under `key` (its `as_of_ms` left at 0).
    fn stored_credentials(&self, key: &str) -> worker::Result<Option<CredentialRecord>> {
        let row = first_row(self.sql.exec(
            "SELECT fingerprint, valid_from_ms FROM credentials WHERE k = ?",
            vec![text(key)],
        )?)?;
        Ok(row.map(|values| CredentialRecord {
            fingerprint: match values.first() {
                Some(SqlStorageValue::String(f)) => Some(f.clone()),
                _ => None,
            },
            valid_from_ms: non_negative(values.get(1)),
            as_of_ms: 0,
        }))
    }

    /// Runs one operation. Everything here is synchronous: no other event interleaves.
    fn apply(&self, op: Op) -> worker::Result<Reply> {
        let now = js_sys::Date::now() as u64;
        let sql = &self.sql;
        Ok(match op {
            Op::Claim { key, owner } => {
                let won = first_row(sql.exec(
                    "INSERT INTO claims (k, owner, at_ms) VALUES (?, ?, ?) \
                     ON CONFLICT (k) DO NOTHING RETURNING k",
                    vec![text(&key), text(&owner), int(now)],
                )?)?;
                if won.is_some() {
                    Reply::Claimed
                } else {
                    let held = first_row(sql.exec(
                        "SELECT owner, at_ms FROM claims WHERE k = ?",
                        vec![text(&key)],
                    )?)?;
                    match held.as_deref() {
                        Some(
                            [
                                SqlStorageValue::String(owner),
                                SqlStorageValue::Integer(at_ms),
                            ],
                        ) => Reply::Taken {
                            owner: owner.clone(),
                            at_ms: u64::try_from(*at_ms).unwrap_or(0),
                        },
                        _ => Reply::Failed {
                            message: format!("claim of {key} neither inserted nor found"),
                        },
                    }
                }
            }
            Op::Transfer { key, from, to } => {
                let moved = first_row(sql.exec(
                    "UPDATE claims SET owner = ?, at_ms = ? WHERE k = ? AND owner = ? RETURNING k",
                    vec![text(&to), int(now), text(&key), text(&from)],
                )?)?;
                Reply::Done {
                    ok: moved.is_some(),
                }
            }
            Op::Release { key, owner } => {
                sql.exec(
                    "DELETE FROM claims WHERE k = ? AND owner = ?",
                    vec![text(&key), text(&owner)],
                )?;
                Reply::Done { ok: true }
            }
            Op::Consume { key, ttl_secs } => {
                sql.exec("DELETE FROM once WHERE expires_ms <= ?", vec![int(now)])?;
                let first = first_row(sql.exec(
                    "INSERT INTO once (k, expires_ms) VALUES (?, ?) \
                     ON CONFLICT (k) DO NOTHING RETURNING k",
                    vec![text(&key), int(now + ttl_secs.max(1) * 1000)],
                )?)?;
                Reply::Done {
                    ok: first.is_some(),
                }
            }
            Op::Unconsume { key } => {
                sql.exec("DELETE FROM once WHERE k = ?", vec![text(&key)])?;
                Reply::Done { ok: true }
            }
            Op::Hit { key, rule } => {
                sql.exec(
                    "DELETE FROM rate_buckets WHERE expires_ms <= ?",
                    vec![int(now)],
                )?;
                let row = first_row(sql.exec(
                    "SELECT window_start_ms, count, strikes, blocked_until_ms FROM rate_buckets \
                     WHERE k = ?",
                    vec![text(&key)],
                )?)?;
                let previous = row.map(|values| {
                    let n = |i: usize| non_negative(values.get(i));
                    Bucket {
                        window_start_ms: n(0),
                        count: u32::try_from(n(1)).unwrap_or(u32::MAX),
                        strikes: u32::try_from(n(2)).unwrap_or(u32::MAX),
                        blocked_until_ms: n(3),
                    }
                });
                let step = rate::step(previous, &rule, now);
                let b = step.bucket;
                sql.exec(
                    "INSERT OR REPLACE INTO rate_buckets \
                     (k, window_start_ms, count, strikes, blocked_until_ms, expires_ms) \
                     VALUES (?, ?, ?, ?, ?, ?)",
                    vec![
                        text(&key),
                        int(b.window_start_ms),
                        int(u64::from(b.count)),
                        int(u64::from(b.strikes)),
                        int(b.blocked_until_ms),
                        int(step.expires_at_ms),
                    ],
                )?;
                Reply::Decision {
                    decision: step.decision,
                }
            }
            Op::Reset { key } => {
                sql.exec("DELETE FROM rate_buckets WHERE k = ?", vec![text(&key)])?;
                Reply::Done { ok: true }
            }
            Op::Credentials { key, change } => {
                let current = self.stored_credentials(&key)?;
                match credentials::apply(current.as_ref(), &change, now) {
                    None => Reply::Done { ok: false },
                    // A read: nothing to write.
                    Some(record) if change.is_empty() => Reply::Credentials { record },
                    Some(record) => {
                        sql.exec(
                            "INSERT OR REPLACE INTO credentials (k, fingerprint, valid_from_ms) \
                             VALUES (?, ?, ?)",
                            vec![
                                text(&key),
                                SqlStorageValue::from(record.fingerprint.clone()),
                                int(record.valid_from_ms),
                            ],
                        )?;
                        Reply::Credentials { record }
                    }
                }
            }
        })
    }
}
