//! What background work needs from the platform: waiting and logging. The Worker supplies timers and the
//! console (`src/worker/platform.rs`); tests supply a recorder that never sleeps. [`join2`] overlaps two
//! futures on the current task, with no executor of its own.
//!
//! Background work itself is a [`Task`]: a `'static` future the HTTP layer hands back with its answer
//! ([`crate::http::App::take_tasks`]), which the Worker passes to `ctx.waitUntil` so it runs after the
//! response has been sent.

use async_trait::async_trait;
use std::cell::RefCell;
use std::future::Future;
use std::pin::{Pin, pin};
use std::task::Poll;

/// Work that outlives the request that started it.
pub type Task = Pin<Box<dyn Future<Output = ()>>>;

/// What background work needs from the platform: pauses and the operator's log.
#[async_trait(?Send)]
pub trait Runtime {
    /// Waits `ms` milliseconds (between webhook retries).
    async fn sleep(&self, ms: u32);
    /// An operational warning for the operator. Never given secrets (tokens, passwords) or emails.
    fn warn(&self, message: &str);
}

/// Sleeps not at all and remembers every warning: for tests, and for code that runs without a platform.
#[derive(Debug, Default)]
pub struct Recorder {
    /// Every pause asked for, in order.
    pub slept_ms: RefCell<Vec<u32>>,
    /// Every warning, in order.
    pub warnings: RefCell<Vec<String>>,
}

#[async_trait(?Send)]
impl Runtime for Recorder {
    async fn sleep(&self, ms: u32) {
        self.slept_ms.borrow_mut().push(ms);
    }

    fn warn(&self, message: &str) {
        self.warnings.borrow_mut().push(message.to_owned());
    }
}

/// Runs two futures concurrently on the current task and returns both outputs (so two guard calls that
/// go to two Durable Objects overlap instead of queueing).
pub async fn join2<A: Future, B: Future>(a: A, b: B) -> (A::Output, B::Output) {
    let (mut a, mut b) = (pin!(a), pin!(b));
    let (mut out_a, mut out_b) = (None, None);
    std::future::poll_fn(move |cx| {
        if out_a.is_none()
            && let Poll::Ready(v) = a.as_mut().poll(cx)
        {
            out_a = Some(v);
        }
        if out_b.is_none()
            && let Poll::Ready(v) = b.as_mut().poll(cx)
        {
            out_b = Some(v);
        }
        match (out_a.take(), out_b.take()) {
            (Some(x), Some(y)) => Poll::Ready((x, y)),
            (x, y) => {
                out_a = x;
                out_b = y;
                Poll::Pending
            }
        }
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::executor::block_on;

    #[test]
    fn join2_returns_both_outputs() {
        assert_eq!(block_on(join2(async { 1 }, async { "two" })), (1, "two"));
    }
}
