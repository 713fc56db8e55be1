//! Known-device cookies: a browser that signed in successfully gets a signed cookie naming its device
//! and the identity, and its later sign-ins to that identity's email are counted per device instead of
//! per email (OWASP's "device cookie" against lockout). An attacker who blocks the email this way blocks
//! everyone but the owner's own browsers; a stolen cookie has a counter of its own (with backoff), so it
//! is no unlimited oracle either. Contract: `docs/http-api.md#rate-limits`.
//!
//! Value: `<device id>.<auth identity id>.<expiry, unix seconds>.<MAC>`, the MAC an HMAC-SHA256 under a
//! key derived from `JWT_SECRET` over those three and the provider and email it was issued for — so the
//! cookie names no email, yet is worth nothing for another one. Nothing is stored server-side.

use crate::b64::URL_SAFE_NO_PAD as B64URL;
use crate::ports::random::{self, RandomError};
use crate::token::JwtKey;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use std::fmt;

/// `__Host-`: the browser accepts it only if `Secure`, `Path=/` and without `Domain`, so no sibling
/// subdomain can plant or overwrite it.
pub const COOKIE_NAME: &str = "__Host-edge-auth-device";

/// How long a browser stays known after its last successful sign-in.
pub const TTL_SECS: u64 = 30 * 86_400;

const DEVICE_ID_BYTES: usize = 16;
const DEVICE_ID_CHARS: usize = 22;
const MAX_ID_CHARS: usize = 128;
/// `u64::MAX` in decimal.
const MAX_EXPIRY_CHARS: usize = 20;
const MAC_CHARS: usize = 43;
/// The longest value we issue; a longer one is refused before any work.
const MAX_VALUE_BYTES: usize = DEVICE_ID_CHARS + MAX_ID_CHARS + MAX_EXPIRY_CHARS + MAC_CHARS + 3;
const KEY_LABEL: &str = "edge-auth/known-device/v1";

/// The MAC key, derived from `JWT_SECRET`.
#[derive(Clone)]
pub struct DeviceKey([u8; 32]);

impl DeviceKey {
    /// The device-cookie key, derived from the token key so no new secret is needed.
    pub fn from_jwt_key(key: &JwtKey) -> Self {
        Self(key.derive_key(KEY_LABEL))
    }

    fn mac(&self, fields: &[&str]) -> [u8; 32] {
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&self.0)
            .expect("HMAC accepts keys of any length");
        // Every field but the last (the email) has no newline, so the encoding is unambiguous.
        for (i, field) in fields.iter().enumerate() {
            if i > 0 {
                mac.update(b"\n");
            }
            mac.update(field.as_bytes());
        }
        mac.finalize().into_bytes().into()
    }
}

impl fmt::Debug for DeviceKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DeviceKey(<redacted>)")
    }
}

/// What a valid cookie says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownDevice {
    /// Random, base64url: names the device's own counter.
    pub device_id: String,
    /// The identity that signed in on this device.
    pub auth_identity_id: String,
}

fn signed_fields<'a>(
    device_id: &'a str,
    identity_id: &'a str,
    expires: &'a str,
    provider: &'a str,
    email: &'a str,
) -> [&'a str; 6] {
    ["v1", device_id, identity_id, expires, provider, email]
}

fn is_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= MAX_ID_CHARS
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// A cookie value for `identity_id`'s sign-in as `email` at `provider`, valid [`TTL_SECS`] from
/// `now_secs`. `device_id` keeps a browser's existing device (its counter goes on); `None` makes a new one.
pub fn issue(
    key: &DeviceKey,
    device_id: Option<&str>,
    identity_id: &str,
    provider: &str,
    email: &str,
    now_secs: u64,
) -> Result<Option<String>, RandomError> {
    if !is_id(identity_id) {
        // Ids we did not make (the module API accepts given ids) might not fit a cookie: no device then.
        return Ok(None);
    }
    let device_id = match device_id {
        Some(id) => id.to_owned(),
        None => B64URL.encode(random::bytes::<DEVICE_ID_BYTES>()?),
    };
    let expires = (now_secs + TTL_SECS).to_string();
    let mac = key.mac(&signed_fields(
        &device_id,
        identity_id,
        &expires,
        provider,
        email,
    ));
    Ok(Some(format!(
        "{device_id}.{identity_id}.{expires}.{}",
        B64URL.encode(mac)
    )))
}

/// The device a cookie value names, if it was issued by `key` for `email` at `provider` and has not
/// expired at `now_secs`. The MAC is compared in constant time.
pub fn verify(
    key: &DeviceKey,
    value: &str,
    provider: &str,
    email: &str,
    now_secs: u64,
) -> Option<KnownDevice> {
    if value.len() > MAX_VALUE_BYTES {
        return None;
    }
    let mut parts = value.split('.');
    let (device_id, identity_id, expires, mac) =
        (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    // The device id's length is checked by its decoding below, the MAC's by the comparison.
    if parts.next().is_some() || !is_id(identity_id) {
        return None;
    }
    let expires_at: u64 = expires.parse().ok()?;
    let presented = B64URL.decode(mac).ok()?;
    if !B64URL
        .decode(device_id)
        .is_ok_and(|id| id.len() == DEVICE_ID_BYTES)
    {
        return None;
    }
    let expected = key.mac(&signed_fields(
        device_id,
        identity_id,
        expires,
        provider,
        email,
    ));
    let valid = bool::from(subtle::ConstantTimeEq::ct_eq(
        presented.as_slice(),
        &expected[..],
    ));
    (valid && now_secs < expires_at).then(|| KnownDevice {
        device_id: device_id.to_owned(),
        auth_identity_id: identity_id.to_owned(),
    })
}

/// The `Set-Cookie` value that keeps `value` for [`TTL_SECS`]: script cannot read it, it never travels
/// over plain HTTP, and no other site can make a browser send it (as the session cookie).
pub fn set_cookie(value: &str) -> String {
    format!("{COOKIE_NAME}={value}; Max-Age={TTL_SECS}; Path=/; HttpOnly; Secure; SameSite=Strict")
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: u64 = 1_800_000_000;

    fn key() -> DeviceKey {
        DeviceKey::from_jwt_key(&JwtKey::new(b"0123456789abcdef0123456789abcdef"))
    }

    fn issued() -> String {
        issue(&key(), None, "authid_1", "emailpass", "a@b.co", NOW)
            .unwrap()
            .unwrap()
    }

    #[test]
    fn a_cookie_names_its_device_and_identity_for_its_email_only() {
        let value = issued();
        let device = verify(&key(), &value, "emailpass", "a@b.co", NOW).unwrap();
        assert_eq!(device.auth_identity_id, "authid_1");
        assert_eq!(device.device_id.len(), DEVICE_ID_CHARS);
        assert!(!value.contains("a@b.co"));
        for (provider, email) in [("emailpass", "c@b.co"), ("other", "a@b.co")] {
            assert_eq!(verify(&key(), &value, provider, email, NOW), None);
        }
        // Re-issued for the same device, the id stays.
        let again = issue(
            &key(),
            Some(&device.device_id),
            "authid_1",
            "emailpass",
            "a@b.co",
            NOW,
        )
        .unwrap()
        .unwrap();
        assert!(again.starts_with(&device.device_id));
    }

    #[test]
    fn a_cookie_expires_after_its_ttl() {
        let value = issued();
        assert!(verify(&key(), &value, "emailpass", "a@b.co", NOW + TTL_SECS - 1).is_some());
        assert_eq!(
            verify(&key(), &value, "emailpass", "a@b.co", NOW + TTL_SECS),
            None
        );
    }

    #[test]
    fn any_changed_part_or_another_key_is_refused() {
        let value = issued();
        let parts: Vec<&str> = value.split('.').collect();
        let forged = [
            format!("{}.authid_2.{}.{}", parts[0], parts[2], parts[3]),
            format!(
                "{}.{}.{}.{}",
                parts[0],
                parts[1],
                NOW + 10 * TTL_SECS,
                parts[3]
            ),
            format!("{}.{}.{}.{}", "A".repeat(22), parts[1], parts[2], parts[3]),
            format!("{value}.x"),
            value.replace('.', ","),
            String::new(),
            "x".repeat(MAX_VALUE_BYTES + 1),
        ];
        for f in &forged {
            assert_eq!(verify(&key(), f, "emailpass", "a@b.co", NOW), None, "{f}");
        }
        let other = DeviceKey::from_jwt_key(&JwtKey::new(b"another secret of thirty-two byte"));
        assert_eq!(verify(&other, &value, "emailpass", "a@b.co", NOW), None);
    }

    #[test]
    fn the_longest_value_issued_verifies_and_one_byte_more_is_refused() {
        // The longest identity id and a 20-digit expiry.
        let now = 10_000_000_000_000_000_000;
        let id = "i".repeat(MAX_ID_CHARS);
        let value = issue(&key(), None, &id, "emailpass", "a@b.co", now)
            .unwrap()
            .unwrap();
        assert_eq!(value.len(), MAX_VALUE_BYTES);
        assert!(verify(&key(), &value, "emailpass", "a@b.co", now).is_some());
        let parts: Vec<&str> = value.split('.').collect();
        let longer = format!("{}.{id}i.{}.{}", parts[0], parts[2], parts[3]);
        assert_eq!(verify(&key(), &longer, "emailpass", "a@b.co", now), None);
    }

    #[test]
    fn the_mac_covers_the_fields_joined_by_newlines() {
        // The encoding is part of every issued cookie: written out here, independently of `mac`.
        let mut expected = <Hmac<Sha256> as KeyInit>::new_from_slice(&key().0).unwrap();
        expected.update(b"v1\ndevice\nauthid_1\n1800000000\nemailpass\na@b.co");
        let fields = signed_fields("device", "authid_1", "1800000000", "emailpass", "a@b.co");
        assert_eq!(
            key().mac(&fields),
            <[u8; 32]>::from(expected.finalize().into_bytes())
        );
    }

    #[test]
    fn a_device_id_or_mac_of_another_length_is_refused() {
        let value = issued();
        let (device, rest) = value.split_once('.').unwrap();
        let (front, mac) = value.rsplit_once('.').unwrap();
        let wrong = [
            format!("{}A.{rest}", device),
            format!("{}.{rest}", &device[..DEVICE_ID_CHARS - 1]),
            format!("{front}.{mac}A"),
            format!("{front}.{}", &mac[..MAC_CHARS - 1]),
            format!("{front}.{mac}AAAA"),
        ];
        for w in &wrong {
            assert_eq!(verify(&key(), w, "emailpass", "a@b.co", NOW), None, "{w}");
        }
    }

    #[test]
    fn ids_that_do_not_fit_a_cookie_get_no_device() {
        assert_eq!(
            issue(&key(), None, "a.b", "emailpass", "a@b.co", NOW).unwrap(),
            None
        );
    }

    #[test]
    fn the_cookie_is_host_only_http_only_secure_and_strict() {
        assert_eq!(
            set_cookie("v"),
            "__Host-edge-auth-device=v; Max-Age=2592000; Path=/; HttpOnly; Secure; SameSite=Strict"
        );
        assert_eq!(format!("{:?}", key()), "DeviceKey(<redacted>)");
    }
}
