//! The rate-limit algorithm, as a pure function from a bucket's state to its next state, so the memory
//! guard and the Durable Object count exactly alike.
//!
//! A bucket counts requests in fixed windows of `window_secs` that start with the first request after the
//! previous window ended. Request `limit + 1` of a window is refused, and so is everything until the
//! block ends:
//! - without backoff the block lasts until the window ends;
//! - with backoff it lasts `window · 2^(strikes-1)` (strikes = blocks so far), capped at
//!   [`MAX_BLOCK_SECS`]; strikes are forgotten [`STRIKE_MEMORY_SECS`] after the last block ends.
//!
//! Refused requests do not count: a client that keeps knocking during a block does not extend it.

/// The longest backoff block.
pub const MAX_BLOCK_SECS: u64 = 3600;

/// How long after its last block a bucket remembers its strikes.
pub const STRIKE_MEMORY_SECS: u64 = 3600;

/// One counter's limit: so many requests per window, optionally with backoff.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    /// Requests allowed per window.
    pub limit: u32,
    /// The window's length.
    pub window_secs: u64,
    /// Whether repeated blocks grow exponentially.
    pub backoff: bool,
}

impl Rule {
    /// `limit` requests per `window_secs`, without backoff.
    pub const fn new(limit: u32, window_secs: u64) -> Self {
        Self {
            limit,
            window_secs,
            backoff: false,
        }
    }

    /// The same rule, with blocks that grow exponentially when repeated.
    pub const fn with_backoff(self) -> Self {
        Self {
            backoff: true,
            ..self
        }
    }
}

/// A rate-limit counter's answer to one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Counted and let through.
    Allowed {
        /// Requests left in the window.
        remaining: u32,
    },
    /// Refused; the client may try again after this many seconds (at least 1).
    Limited {
        /// Seconds until the client may try again.
        retry_after_secs: u64,
    },
}

impl Decision {
    /// Whether the request may go on.
    pub fn is_allowed(&self) -> bool {
        matches!(self, Decision::Allowed { .. })
    }
}

/// A bucket's state between requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Bucket {
    pub window_start_ms: u64,
    pub count: u32,
    pub strikes: u32,
    pub blocked_until_ms: u64,
}

/// The result of one request: the state to store, the answer, and when the state may be forgotten.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step {
    pub bucket: Bucket,
    pub decision: Decision,
    pub expires_at_ms: u64,
}

fn retry_after(until_ms: u64, now_ms: u64) -> u64 {
    until_ms.saturating_sub(now_ms).div_ceil(1000).max(1)
}

/// Counts one request at `now_ms`. `previous` is `None` for a bucket never seen or already expired.
pub fn step(previous: Option<Bucket>, rule: &Rule, now_ms: u64) -> Step {
    let mut bucket = previous.unwrap_or_default();
    let window_ms = rule.window_secs.max(1) * 1000;
    let decision = if now_ms < bucket.blocked_until_ms {
        Decision::Limited {
            retry_after_secs: retry_after(bucket.blocked_until_ms, now_ms),
        }
    } else {
        if previous.is_none() || now_ms >= bucket.window_start_ms + window_ms {
            bucket.window_start_ms = now_ms;
            bucket.count = 0;
        }
        bucket.count += 1;
        if bucket.count <= rule.limit {
            Decision::Allowed {
                remaining: rule.limit - bucket.count,
            }
        } else {
            let block_ms = if rule.backoff {
                bucket.strikes = bucket.strikes.saturating_add(1);
                let doublings = (bucket.strikes - 1).min(32);
                window_ms
                    .saturating_mul(1u64 << doublings)
                    .min(MAX_BLOCK_SECS * 1000)
            } else {
                bucket.window_start_ms + window_ms - now_ms
            };
            bucket.blocked_until_ms = now_ms + block_ms;
            Decision::Limited {
                retry_after_secs: retry_after(bucket.blocked_until_ms, now_ms),
            }
        }
    };
    let mut expires_at_ms = (bucket.window_start_ms + window_ms).max(bucket.blocked_until_ms);
    if bucket.strikes > 0 {
        expires_at_ms += STRIKE_MEMORY_SECS * 1000;
    }
    Step {
        bucket,
        decision,
        expires_at_ms,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: u64 = 1_800_000_000_000;

    /// Runs requests at the given offsets (ms from T0) through one bucket, honouring expiry.
    fn run(rule: Rule, offsets_ms: &[u64]) -> Vec<Decision> {
        let mut state: Option<(Bucket, u64)> = None;
        offsets_ms
            .iter()
            .map(|&dt| {
                let now = T0 + dt;
                let previous = state.filter(|(_, exp)| *exp > now).map(|(b, _)| b);
                let s = step(previous, &rule, now);
                state = Some((s.bucket, s.expires_at_ms));
                s.decision
            })
            .collect()
    }

    fn allowed(remaining: u32) -> Decision {
        Decision::Allowed { remaining }
    }

    fn limited(retry_after_secs: u64) -> Decision {
        Decision::Limited { retry_after_secs }
    }

    #[test]
    fn the_request_after_the_limit_is_refused_until_the_window_ends() {
        let d = run(Rule::new(3, 60), &[0, 1000, 2000, 3000, 59_500, 60_000]);
        assert_eq!(
            d,
            [
                allowed(2),
                allowed(1),
                allowed(0),
                limited(57),
                limited(1),
                allowed(2)
            ]
        );
    }

    #[test]
    fn refused_requests_do_not_extend_a_block() {
        let d = run(Rule::new(1, 10), &[0, 1000, 2000, 9000, 10_000]);
        assert_eq!(
            d,
            [allowed(0), limited(9), limited(8), limited(1), allowed(0)]
        );
    }

    #[test]
    fn backoff_doubles_each_block() {
        let rule = Rule::new(1, 60).with_backoff();
        // Each block is followed by one allowed request and one refused one.
        let d = run(rule, &[0, 1, 60_001, 60_002, 180_002, 180_003, 420_003]);
        assert_eq!(
            d,
            [
                allowed(0),
                limited(60),
                allowed(0),
                limited(120),
                allowed(0),
                limited(240),
                allowed(0)
            ]
        );
    }

    #[test]
    fn backoff_is_capped() {
        let rule = Rule::new(0, 1200).with_backoff();
        assert_eq!(step(None, &rule, T0).decision, limited(1200));
        let many_strikes = Bucket {
            strikes: 10,
            ..Bucket::default()
        };
        let s = step(Some(many_strikes), &rule, T0);
        assert_eq!(s.decision, limited(MAX_BLOCK_SECS));
    }

    #[test]
    fn a_window_longer_than_the_longest_block_still_refuses_after_a_block_ends() {
        // A day's window, blocks capped at an hour: once the limit is spent, every block's end meets a
        // refusal (and a new block) until the day is over.
        let rule = Rule::new(1, 86_400).with_backoff();
        let hour = MAX_BLOCK_SECS * 1000;
        let d = run(rule, &[0, 1, 1 + hour, 1 + 2 * hour, 86_400_000 + 2 * hour]);
        assert_eq!(
            d,
            [
                allowed(0),
                limited(MAX_BLOCK_SECS),
                limited(MAX_BLOCK_SECS),
                limited(MAX_BLOCK_SECS),
                allowed(0)
            ]
        );
    }

    #[test]
    fn strikes_are_forgotten_an_hour_after_the_last_block() {
        let rule = Rule::new(1, 60).with_backoff();
        let after_block = 1 + 60_000 + STRIKE_MEMORY_SECS * 1000;
        let d = run(rule, &[0, 1, after_block, after_block + 1]);
        assert_eq!(d, [allowed(0), limited(60), allowed(0), limited(60)]);
    }

    #[test]
    fn a_bucket_expires_when_its_window_and_block_are_over() {
        let s = step(None, &Rule::new(5, 60), T0);
        assert_eq!(s.expires_at_ms, T0 + 60_000);
        let blocked = step(Some(s.bucket), &Rule::new(0, 60).with_backoff(), T0 + 1);
        assert_eq!(
            blocked.expires_at_ms,
            T0 + 1 + 60_000 + STRIKE_MEMORY_SECS * 1000
        );
    }

    #[test]
    fn retry_after_is_at_least_one_second() {
        assert_eq!(retry_after(T0 + 1, T0), 1);
        assert_eq!(retry_after(T0, T0), 1);
        assert_eq!(retry_after(T0 + 1001, T0), 2);
    }
}
