//! The providers built into the core; the third-party ones live in [`crate::oauth`].

pub mod emailpass;

#[cfg(test)]
mod tests;
