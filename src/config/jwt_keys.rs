//! How auth tokens are signed: `JWT_ALGORITHM` (HS256, ES256, EdDSA), and in the asymmetric modes
//! `JWT_PRIVATE_KEY`, `JWT_KEY_ID` and `JWT_PREVIOUS_PUBLIC_KEYS`, parsed into [`Signing`]. Messages
//! never repeat a key.

use super::vars::{ConfigError, VarLookup, invalid};
use crate::ports::jws::JwsAlgorithm;
use crate::token::jwk::{parse_private_key, parse_public_key_set};
use crate::token::signer::{AsymmetricKeys, Signing};
use std::rc::Rc;

/// Var: `HS256` (default), `ES256` or `EdDSA`.
pub const JWT_ALGORITHM: &str = "JWT_ALGORITHM";
/// Secret: the signing key of the asymmetric modes, PKCS #8 PEM or a private JWK.
pub const JWT_PRIVATE_KEY: &str = "JWT_PRIVATE_KEY";
/// Var: the `kid` of the current key (default: its RFC 7638 thumbprint).
pub const JWT_KEY_ID: &str = "JWT_KEY_ID";
/// Var or secret: a JWKS of retired public keys that still verify.
pub const JWT_PREVIOUS_PUBLIC_KEYS: &str = "JWT_PREVIOUS_PUBLIC_KEYS";

/// The longest `kid` we take.
const MAX_KID_BYTES: usize = 128;

/// The signing configuration from the four variables (absent: HS256).
pub fn from_vars(get: &VarLookup<'_>) -> Result<Signing, ConfigError> {
    from_values(
        get(JWT_ALGORITHM).as_deref(),
        get(JWT_PRIVATE_KEY).as_deref(),
        get(JWT_KEY_ID).as_deref(),
        get(JWT_PREVIOUS_PUBLIC_KEYS).as_deref(),
    )
}

/// [`from_vars`] from values (the npm package's options); `None` or blank is unset.
pub fn from_values(
    algorithm: Option<&str>,
    private_key: Option<&str>,
    key_id: Option<&str>,
    previous: Option<&str>,
) -> Result<Signing, ConfigError> {
    fn set(v: Option<&str>) -> Option<&str> {
        v.filter(|v| !v.trim().is_empty())
    }
    let algorithm = match set(algorithm).map(str::trim) {
        None | Some("HS256") => None,
        Some("ES256") => Some(JwsAlgorithm::Es256),
        Some("EdDSA") => Some(JwsAlgorithm::EdDsa),
        Some(other) => {
            return Err(invalid(
                JWT_ALGORITHM,
                format!("expected \"HS256\" (default), \"ES256\" or \"EdDSA\", got {other:?}"),
            ));
        }
    };
    let Some(algorithm) = algorithm else {
        // Keys for a mode that is not on are a mistake: tokens would not be signed as intended.
        for (var, value) in [
            (JWT_PRIVATE_KEY, private_key),
            (JWT_KEY_ID, key_id),
            (JWT_PREVIOUS_PUBLIC_KEYS, previous),
        ] {
            if set(value).is_some() {
                return Err(invalid(
                    var,
                    "is set, but JWT_ALGORITHM is HS256 (the default); set JWT_ALGORITHM to ES256 or EdDSA, or remove it",
                ));
            }
        }
        return Ok(Signing::Hs256);
    };
    let Some(private_key) = set(private_key) else {
        return Err(invalid(
            JWT_PRIVATE_KEY,
            format!(
                "is not set; JWT_ALGORITHM={} signs with it (a PKCS #8 PEM or a private JWK; see docs/configuration.md#asymmetric-tokens)",
                algorithm.name()
            ),
        ));
    };
    let current =
        parse_private_key(private_key, algorithm).map_err(|e| invalid(JWT_PRIVATE_KEY, e.0))?;
    let kid = match set(key_id).map(str::trim) {
        None => None,
        Some(kid) if kid.len() <= MAX_KID_BYTES && kid.bytes().all(|b| b.is_ascii_graphic()) => {
            Some(kid.to_owned())
        }
        Some(_) => {
            return Err(invalid(
                JWT_KEY_ID,
                format!("must be 1 to {MAX_KID_BYTES} visible ASCII characters"),
            ));
        }
    };
    let previous = match set(previous) {
        None => Vec::new(),
        Some(text) => parse_public_key_set(text, algorithm)
            .map_err(|e| invalid(JWT_PREVIOUS_PUBLIC_KEYS, e.0))?,
    };
    if let Some(kid) = &kid
        && previous.iter().any(|p| &p.kid == kid)
    {
        return Err(invalid(
            JWT_PREVIOUS_PUBLIC_KEYS,
            format!("lists the kid {kid:?}, which is JWT_KEY_ID, the current key's"),
        ));
    }
    Ok(Signing::Asymmetric(Rc::new(AsymmetricKeys {
        current,
        kid,
        previous,
    })))
}
