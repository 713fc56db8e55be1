pub mod emailpass;
