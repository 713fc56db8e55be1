pub mod emailpass;

#[cfg(test)]
mod tests;
