//! Account security beyond Medusa's core flows: password reset with single-use tokens delivered by a
//! signed webhook, revocation of older tokens when a password changes, cookie sessions, and the
//! configuration of those, of rate limits and of the admin API. The HTTP handlers are in
//! `src/http/{reset,session,admin,rate_limit}.rs`; the strongly consistent parts go through
//! [`crate::guard`].

pub mod config;
pub mod reset_token;
pub mod revocation;
pub mod session;
pub mod webhook;

pub use config::AccountConfig;
