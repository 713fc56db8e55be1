//! What the Worker and its guard Durable Object (`src/worker/durable.rs`) say to each other: one JSON
//! request per operation, one JSON reply. Pure data, so both sides' encoding is tested natively.
//!
//! Encoded by hand (read through `serde_json::Value`) rather than with derived (de)serializers: each
//! derived struct or enum variant adds code of its own to the Worker's wasm (~30 KB for these types),
//! while `Value` is there anyway.

use super::Claim;
use super::credentials::{CredentialChange, CredentialRecord, Revocation};
use super::rate::{Decision, Rule};
use serde_json::{Map, Value};

/// The URL of every request to the Durable Object; only the body matters.
#[cfg(all(target_arch = "wasm32", feature = "worker"))]
pub const OBJECT_URL: &str = "https://guard.edge-auth.internal/";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    Claim {
        key: String,
        owner: String,
    },
    Transfer {
        key: String,
        from: String,
        to: String,
    },
    Release {
        key: String,
        owner: String,
    },
    Consume {
        key: String,
        ttl_secs: u64,
    },
    Unconsume {
        key: String,
    },
    Hit {
        key: String,
        rule: Rule,
    },
    Reset {
        key: String,
    },
    /// Applies `change` to the credential record and answers it; an empty change only reads it (and
    /// writes nothing).
    Credentials {
        key: String,
        change: CredentialChange,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    Claimed,
    Taken {
        owner: String,
        at_ms: u64,
    },
    /// The answer of transfer, release, consume, unconsume and reset; `false` to a credentials change
    /// whose compare-and-set failed.
    Done {
        ok: bool,
    },
    /// The answer of a credentials request that applied.
    Credentials {
        record: CredentialRecord,
    },
    Decision {
        decision: Decision,
    },
    Failed {
        message: String,
    },
}

/// `s` as a JSON string literal, escaped.
fn quote(s: &str) -> String {
    Value::from(s).to_string()
}

fn string(v: &Map<String, Value>, field: &str) -> Option<String> {
    v.get(field)?.as_str().map(str::to_owned)
}

fn number(v: &Map<String, Value>, field: &str) -> Option<u64> {
    v.get(field)?.as_u64()
}

/// An optional string field: absent (or null) is `Some(None)`, a non-string is `None` (malformed).
fn optional_string(v: &Map<String, Value>, field: &str) -> Option<Option<String>> {
    match v.get(field) {
        None | Some(Value::Null) => Some(None),
        Some(Value::String(s)) => Some(Some(s.clone())),
        Some(_) => None,
    }
}

/// `,"field":"value"` when there is a value.
fn optional_field(field: &str, value: Option<&str>) -> String {
    value.map_or_else(String::new, |v| format!(r#","{field}":{}"#, quote(v)))
}

impl Request {
    /// The key the request is about: it decides which Durable Object answers.
    pub fn key(&self) -> &str {
        match self {
            Request::Claim { key, .. }
            | Request::Transfer { key, .. }
            | Request::Release { key, .. }
            | Request::Consume { key, .. }
            | Request::Unconsume { key }
            | Request::Hit { key, .. }
            | Request::Reset { key }
            | Request::Credentials { key, .. } => key,
        }
    }

    pub fn to_json(&self) -> String {
        let key = quote(self.key());
        match self {
            Request::Claim { owner, .. } => {
                format!(r#"{{"op":"claim","key":{key},"owner":{}}}"#, quote(owner))
            }
            Request::Transfer { from, to, .. } => format!(
                r#"{{"op":"transfer","key":{key},"from":{},"to":{}}}"#,
                quote(from),
                quote(to)
            ),
            Request::Release { owner, .. } => {
                format!(r#"{{"op":"release","key":{key},"owner":{}}}"#, quote(owner))
            }
            Request::Consume { ttl_secs, .. } => {
                format!(r#"{{"op":"consume","key":{key},"ttl_secs":{ttl_secs}}}"#)
            }
            Request::Unconsume { .. } => format!(r#"{{"op":"unconsume","key":{key}}}"#),
            Request::Hit { rule, .. } => format!(
                r#"{{"op":"hit","key":{key},"limit":{},"window_secs":{},"backoff":{}}}"#,
                rule.limit, rule.window_secs, rule.backoff
            ),
            Request::Reset { .. } => format!(r#"{{"op":"reset","key":{key}}}"#),
            Request::Credentials { change, .. } => {
                let revoke = match change.revoke {
                    None => None,
                    Some(Revocation::Now) => Some("now"),
                    Some(Revocation::Forever) => Some("forever"),
                };
                format!(
                    r#"{{"op":"credentials","key":{key}{}{}{}}}"#,
                    optional_field("fingerprint", change.fingerprint.as_deref()),
                    optional_field("expected", change.expected.as_deref()),
                    optional_field("revoke", revoke),
                )
            }
        }
    }

    pub fn from_json(text: &str) -> Option<Self> {
        let value: Value = crate::json_fields::parse(text).ok()?;
        let v = value.as_object()?;
        let key = string(v, "key")?;
        Some(match v.get("op")?.as_str()? {
            "claim" => Request::Claim {
                key,
                owner: string(v, "owner")?,
            },
            "transfer" => Request::Transfer {
                key,
                from: string(v, "from")?,
                to: string(v, "to")?,
            },
            "release" => Request::Release {
                key,
                owner: string(v, "owner")?,
            },
            "consume" => Request::Consume {
                key,
                ttl_secs: number(v, "ttl_secs")?,
            },
            "unconsume" => Request::Unconsume { key },
            "hit" => Request::Hit {
                key,
                rule: Rule {
                    limit: u32::try_from(number(v, "limit")?).ok()?,
                    window_secs: number(v, "window_secs")?,
                    backoff: v.get("backoff")?.as_bool()?,
                },
            },
            "reset" => Request::Reset { key },
            "credentials" => Request::Credentials {
                key,
                change: CredentialChange {
                    fingerprint: optional_string(v, "fingerprint")?,
                    expected: optional_string(v, "expected")?,
                    revoke: match optional_string(v, "revoke")?.as_deref() {
                        None => None,
                        Some("now") => Some(Revocation::Now),
                        Some("forever") => Some(Revocation::Forever),
                        Some(_) => return None,
                    },
                },
            },
            _ => return None,
        })
    }
}

impl Reply {
    pub fn to_json(&self) -> String {
        match self {
            Reply::Claimed => r#"{"reply":"claimed"}"#.to_owned(),
            Reply::Taken { owner, at_ms } => format!(
                r#"{{"reply":"taken","owner":{},"at_ms":{at_ms}}}"#,
                quote(owner)
            ),
            Reply::Done { ok } => format!(r#"{{"reply":"done","ok":{ok}}}"#),
            Reply::Credentials { record } => format!(
                r#"{{"reply":"credentials","valid_from_ms":{},"as_of_ms":{}{}}}"#,
                record.valid_from_ms,
                record.as_of_ms,
                optional_field("fingerprint", record.fingerprint.as_deref()),
            ),
            Reply::Decision {
                decision: Decision::Allowed { remaining },
            } => format!(r#"{{"reply":"allowed","remaining":{remaining}}}"#),
            Reply::Decision {
                decision: Decision::Limited { retry_after_secs },
            } => format!(r#"{{"reply":"limited","retry_after_secs":{retry_after_secs}}}"#),
            Reply::Failed { message } => {
                format!(r#"{{"reply":"failed","message":{}}}"#, quote(message))
            }
        }
    }

    pub fn from_json(text: &str) -> Option<Self> {
        let value: Value = crate::json_fields::parse(text).ok()?;
        let v = value.as_object()?;
        Some(match v.get("reply")?.as_str()? {
            "claimed" => Reply::Claimed,
            "taken" => Reply::Taken {
                owner: string(v, "owner")?,
                at_ms: number(v, "at_ms")?,
            },
            "done" => Reply::Done {
                ok: v.get("ok")?.as_bool()?,
            },
            "credentials" => Reply::Credentials {
                record: CredentialRecord {
                    fingerprint: optional_string(v, "fingerprint")?,
                    valid_from_ms: number(v, "valid_from_ms")?,
                    as_of_ms: number(v, "as_of_ms")?,
                },
            },
            "allowed" => Reply::Decision {
                decision: Decision::Allowed {
                    remaining: u32::try_from(number(v, "remaining")?).ok()?,
                },
            },
            "limited" => Reply::Decision {
                decision: Decision::Limited {
                    retry_after_secs: number(v, "retry_after_secs")?,
                },
            },
            "failed" => Reply::Failed {
                message: string(v, "message")?,
            },
            _ => return None,
        })
    }
}

impl From<Claim> for Reply {
    fn from(c: Claim) -> Self {
        match c {
            Claim::Claimed => Reply::Claimed,
            Claim::Taken { owner, at_ms } => Reply::Taken { owner, at_ms },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_round_trip_and_name_their_key() {
        let rule = Rule::new(5, 60).with_backoff();
        for r in [
            Request::Claim {
                key: "claim:x".into(),
                owner: "authid_1".into(),
            },
            Request::Transfer {
                key: "claim:x".into(),
                from: "a".into(),
                to: "b".into(),
            },
            Request::Release {
                key: "claim:x".into(),
                owner: "a".into(),
            },
            Request::Consume {
                key: "reset:j".into(),
                ttl_secs: 900,
            },
            Request::Unconsume {
                key: "reset:j".into(),
            },
            Request::Hit {
                key: "rl:x".into(),
                rule,
            },
            Request::Reset { key: "rl:x".into() },
            Request::Credentials {
                key: "cred:a".into(),
                change: CredentialChange::default(),
            },
            Request::Credentials {
                key: "cred:a".into(),
                change: CredentialChange {
                    fingerprint: Some("f\"1".into()),
                    expected: Some(String::new()),
                    revoke: Some(Revocation::Now),
                },
            },
            Request::Credentials {
                key: "cred:a".into(),
                change: CredentialChange {
                    fingerprint: Some(String::new()),
                    expected: None,
                    revoke: Some(Revocation::Forever),
                },
            },
        ] {
            let text = r.to_json();
            assert_eq!(Request::from_json(&text), Some(r.clone()), "{text}");
            assert!(text.contains(&format!("\"key\":\"{}\"", r.key())));
        }
    }

    #[test]
    fn replies_round_trip() {
        for reply in [
            Reply::Claimed,
            Reply::Taken {
                owner: "authid_1".into(),
                at_ms: 7,
            },
            Reply::Done { ok: true },
            Reply::Credentials {
                record: CredentialRecord::default(),
            },
            Reply::Credentials {
                record: CredentialRecord {
                    fingerprint: Some("ab".into()),
                    valid_from_ms: super::super::credentials::REVOKED_FOREVER_MS,
                    as_of_ms: 1_800_000_000_000,
                },
            },
            Reply::Decision {
                decision: Decision::Allowed { remaining: 2 },
            },
            Reply::Decision {
                decision: Decision::Limited {
                    retry_after_secs: 3,
                },
            },
            Reply::Failed {
                message: "x".into(),
            },
        ] {
            assert_eq!(Reply::from_json(&reply.to_json()), Some(reply));
        }
    }

    #[test]
    fn malformed_messages_are_refused() {
        for text in [
            "",
            "[]",
            r#"{"op":"claim","key":"k"}"#,
            r#"{"op":"explode","key":"k"}"#,
            r#"{"op":"consume","key":"k","ttl_secs":-1}"#,
            r#"{"op":"hit","key":"k","limit":1,"window_secs":1}"#,
            r#"{"op":"credentials","key":"k","revoke":"later"}"#,
            r#"{"op":"credentials","key":"k","fingerprint":1}"#,
        ] {
            assert_eq!(Request::from_json(text), None, "{text}");
        }
        assert_eq!(Reply::from_json(r#"{"reply":"taken","owner":"a"}"#), None);
    }
}
