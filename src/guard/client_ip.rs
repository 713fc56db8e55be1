//! The per-IP rate-limit bucket of a client address (`CF-Connecting-IP`).
//!
//! An IPv4 address is one bucket. An IPv6 client usually holds a whole /64 (often far more), so keying the
//! full address would give it 2^64 buckets: IPv6 addresses are bucketed by their network prefix
//! ([`DEFAULT_IPV6_PREFIX`] bits unless `RATE_LIMITS` says `"ipv6_prefix"`). An IPv4-mapped IPv6 address
//! (`::ffff:a.b.c.d`) is its IPv4 address.
//!
//! The header is parsed strictly (std's parser: no zone ids, no ports, no brackets, no spaces inside).
//! Anything else shares one [`INVALID`] bucket rather than one bucket per string, so a malformed header
//! cannot mint unbounded buckets. Cloudflare always sets a valid address, so only clients that reach the
//! Worker off Cloudflare (e.g. a service binding forwarding a header) can land there.

use std::net::{IpAddr, Ipv6Addr};

/// A /64 is the smallest network an IPv6 site is normally given (RFC 6177).
pub const DEFAULT_IPV6_PREFIX: u8 = 64;
/// Shorter prefixes would put whole providers in one bucket; longer than 128 bits does not exist.
pub const MIN_IPV6_PREFIX: u8 = 32;
/// A whole IPv6 address.
pub const MAX_IPV6_PREFIX: u8 = 128;

/// The one bucket of every header value that is not an IP address.
pub const INVALID: &str = "invalid";

/// The bucket name of the header value `raw`: `203.0.113.7`, `2001:db8:1:2::/64`, or [`INVALID`].
/// `ipv6_prefix` must be within [`MIN_IPV6_PREFIX`]..=[`MAX_IPV6_PREFIX`] (the configuration checks it).
pub fn bucket(raw: &str, ipv6_prefix: u8) -> String {
    match raw.trim().parse::<IpAddr>() {
        Ok(IpAddr::V4(v4)) => v4.to_string(),
        Ok(IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => format!("{}/{ipv6_prefix}", network(v6, ipv6_prefix)),
        },
        Err(_) => INVALID.to_owned(),
    }
}

/// `addr` with every bit after the first `prefix` cleared.
fn network(addr: Ipv6Addr, prefix: u8) -> Ipv6Addr {
    let bits = u128::from(addr);
    let mask = match u32::from(prefix.min(MAX_IPV6_PREFIX)) {
        0 => 0,
        p => u128::MAX << (128 - p),
    };
    Ipv6Addr::from(bits & mask)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv4_addresses_are_their_own_bucket() {
        assert_eq!(bucket("203.0.113.7", 64), "203.0.113.7");
        assert_eq!(bucket(" 203.0.113.7 ", 64), "203.0.113.7");
        assert_ne!(bucket("203.0.113.7", 64), bucket("203.0.113.8", 64));
        assert_eq!(bucket("::ffff:203.0.113.7", 64), "203.0.113.7");
    }

    #[test]
    fn ipv6_addresses_share_the_bucket_of_their_prefix() {
        assert_eq!(
            bucket("2001:db8:1:2:aaaa:bbbb:cccc:dddd", 64),
            "2001:db8:1:2::/64"
        );
        assert_eq!(
            bucket("2001:DB8:1:2::1", 64),
            bucket("2001:db8:1:2:ffff:ffff:ffff:ffff", 64)
        );
        assert_ne!(bucket("2001:db8:1:2::1", 64), bucket("2001:db8:1:3::1", 64));
        assert_eq!(bucket("2001:db8:1:3::1", 48), "2001:db8:1::/48");
        assert_eq!(bucket("2001:db8::1", 128), "2001:db8::1/128");
    }

    #[test]
    fn anything_but_an_address_is_the_one_invalid_bucket() {
        for raw in [
            "",
            "unknown",
            "203.0.113.7:443",
            "[2001:db8::1]",
            "2001:db8::1%eth0",
            "203.0.113.07",
            "203.0.113.7, 10.0.0.1",
            &"a".repeat(10_000),
        ] {
            assert_eq!(bucket(raw, 64), INVALID, "{raw:?}");
        }
    }
}

/// Any header value gets a bucket without panicking, and a short one: it is an address, a network or
/// [`INVALID`]. Addresses of one network share its bucket; the neighbouring network has another.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod proptests {
    use super::*;
    use crate::proptest_config::with_cases;
    use proptest::prelude::*;
    use std::net::Ipv4Addr;

    proptest! {
        #![proptest_config(with_cases(512))]

        #[test]
        fn any_header_value_gets_a_short_bucket(raw in any::<String>(), prefix in MIN_IPV6_PREFIX..=MAX_IPV6_PREFIX) {
            let b = bucket(&raw, prefix);
            // At most a full IPv6 address and "/128".
            prop_assert!(b.len() <= 39 + 4, "{b}");
            prop_assert!(b == INVALID || b.parse::<IpAddr>().is_ok() || b.contains('/'), "{b}");
        }

        #[test]
        fn ipv4_addresses_are_their_own_bucket(a in any::<u32>(), prefix in MIN_IPV6_PREFIX..=MAX_IPV6_PREFIX) {
            let ip = Ipv4Addr::from(a);
            prop_assert_eq!(bucket(&ip.to_string(), prefix), ip.to_string());
            prop_assert_eq!(bucket(&ip.to_ipv6_mapped().to_string(), prefix), ip.to_string());
        }

        #[test]
        fn addresses_of_one_network_share_its_bucket(
            network in any::<u128>(),
            host_a in any::<u128>(),
            host_b in any::<u128>(),
            prefix in MIN_IPV6_PREFIX..MAX_IPV6_PREFIX,
        ) {
            let host_bits = u128::MAX >> prefix;
            let net = network & !host_bits;
            let (a, b) = (Ipv6Addr::from(net | (host_a & host_bits)), Ipv6Addr::from(net | (host_b & host_bits)));
            prop_assume!(a.to_ipv4_mapped().is_none() && b.to_ipv4_mapped().is_none());
            prop_assert_eq!(bucket(&a.to_string(), prefix), bucket(&b.to_string(), prefix));
            // The next network along (the last network bit flipped) is counted apart.
            let neighbour = Ipv6Addr::from(u128::from(a) ^ (1u128 << (128 - u32::from(prefix))));
            prop_assume!(neighbour.to_ipv4_mapped().is_none());
            prop_assert_ne!(bucket(&a.to_string(), prefix), bucket(&neighbour.to_string(), prefix));
        }
    }
}
