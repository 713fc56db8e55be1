//! What background work needs from the platform: waiting and logging. The Worker supplies timers and the
//! console (`src/worker/platform.rs`); tests supply a recorder that never sleeps.
//!
//! Background work itself is a [`Task`]: a `'static` future the HTTP layer hands back with its answer
//! ([`crate::http::App::take_tasks`]), which the Worker passes to `ctx.waitUntil` so it runs after the
//! response has been sent.

use async_trait::async_trait;
use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;

/// Work that outlives the request that started it.
pub type Task = Pin<Box<dyn Future<Output = ()>>>;

#[async_trait(?Send)]
pub trait Runtime {
    async fn sleep(&self, ms: u32);
    /// An operational warning for the operator. Never given secrets (tokens, passwords) or emails.
    fn warn(&self, message: &str);
}

/// Sleeps not at all and remembers every warning: for tests, and for code that runs without a platform.
#[derive(Debug, Default)]
pub struct Recorder {
    pub slept_ms: RefCell<Vec<u32>>,
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
