//! [`Runtime`] on Workers: timers and the console.

use crate::ports::runtime::Runtime;
use async_trait::async_trait;
use std::time::Duration;

pub struct WorkerRuntime;

#[async_trait(?Send)]
impl Runtime for WorkerRuntime {
    async fn sleep(&self, ms: u32) {
        worker::Delay::from(Duration::from_millis(u64::from(ms))).await;
    }

    fn warn(&self, message: &str) {
        worker::console_warn!("{message}");
    }
}
