//! The records and the shapes of the service's inputs and outputs, as Medusa defines them.

use crate::json_fields::{nullable_object, text};
use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// Free-form JSON attached to identities (`app_metadata`, `user_metadata`, `provider_metadata`).
pub type Metadata = Map<String, Value>;

/// The key under which emailpass keeps its hash in `provider_metadata`; never handed out.
pub const PASSWORD_METADATA_KEY: &str = "password";

/// Keys of `provider_metadata` that hold a third party's credentials (GitHub's OAuth tokens). The module
/// API hands them out (the app may call the provider with them); HTTP answers never do
/// ([`AuthIdentity::without_provider_secrets`]).
pub const PROVIDER_SECRET_KEYS: [&str; 3] = ["access_token", "refresh_token", "id_token"];

/// One account: its actors in `app_metadata` and the provider identities that sign in to it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuthIdentity {
    /// `authid_<ULID>`, or the id the caller chose at creation.
    pub id: String,
    /// The actors linked to this identity, e.g. `{"customer_id": "cus_1"}`.
    pub app_metadata: Option<Metadata>,
    /// Every way to sign in to this identity, one per (provider, entity_id).
    pub provider_identities: Vec<ProviderIdentity>,
}

/// One way to sign in to an auth identity: an entity (email, provider user id) of one provider.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProviderIdentity {
    /// `provid_<ULID>`, or the id the caller chose at creation.
    pub id: String,
    /// The provider's name for the user: an email for emailpass, the provider's user id for OAuth.
    pub entity_id: String,
    /// The provider's id, e.g. `emailpass` or `google`.
    pub provider: String,
    /// The auth identity this belongs to.
    pub auth_identity_id: String,
    /// What the user or provider profile says about the user (name, picture, …).
    pub user_metadata: Option<Metadata>,
    /// The provider's own data: the password hash for emailpass, tokens for OAuth.
    pub provider_metadata: Option<Metadata>,
}

impl AuthIdentity {
    /// An identity as the store holds it (the JSON its `Serialize` writes), or `None` when a field is
    /// missing or of another type. Read by hand, not derived: [`crate::json_fields`] says why.
    pub fn from_stored(json: &str) -> Option<Self> {
        let v: Value = crate::json_fields::parse(json).ok()?;
        let mut provider_identities = Vec::new();
        if let Some(list) = v.get("provider_identities") {
            for pi in list.as_array()? {
                provider_identities.push(ProviderIdentity {
                    id: text(pi, "id")?,
                    entity_id: text(pi, "entity_id")?,
                    provider: text(pi, "provider")?,
                    auth_identity_id: text(pi, "auth_identity_id")?,
                    user_metadata: nullable_object(pi, "user_metadata")?,
                    provider_metadata: nullable_object(pi, "provider_metadata")?,
                });
            }
        }
        Some(Self {
            id: text(&v, "id")?,
            app_metadata: nullable_object(&v, "app_metadata")?,
            provider_identities,
        })
    }

    /// A copy that is safe to hand out: every provider identity's password hash removed.
    pub fn sanitized(&self) -> Self {
        let mut copy = self.clone();
        for pi in &mut copy.provider_identities {
            *pi = pi.sanitized();
        }
        copy
    }

    /// A copy for HTTP answers: [`AuthIdentity::sanitized`], and every [`PROVIDER_SECRET_KEYS`] removed.
    pub fn without_provider_secrets(&self) -> Self {
        let mut copy = self.sanitized();
        for meta in copy
            .provider_identities
            .iter_mut()
            .filter_map(|pi| pi.provider_metadata.as_mut())
        {
            meta.retain(|k, _| !PROVIDER_SECRET_KEYS.contains(&k.as_str()));
        }
        copy
    }

    /// What the guard records of this identity's passwords ([`crate::guard::credentials`]): the SHA-256
    /// (hex) of its password hash — of all of them, one per line, when several provider identities keep
    /// one — or `""` when none does. Any change of a hash changes it; the hash itself is not in it.
    pub fn credential_fingerprint(&self) -> String {
        use sha2::{Digest, Sha256};
        let mut digest = Sha256::new();
        let mut any = false;
        let hashes = self.provider_identities.iter().filter_map(|pi| {
            pi.provider_metadata
                .as_ref()?
                .get(PASSWORD_METADATA_KEY)?
                .as_str()
        });
        for hash in hashes {
            if any {
                digest.update(b"\n");
            }
            digest.update(hash.as_bytes());
            any = true;
        }
        if !any {
            return String::new();
        }
        digest
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// Whether an actor (customer, user, …) is linked yet: Medusa treats empty `app_metadata` as "no actor".
    pub fn has_actor(&self) -> bool {
        self.app_metadata.as_ref().is_some_and(|m| !m.is_empty())
    }

    /// The provider identity for (provider, entity_id): one identity may hold several entities of a provider.
    pub fn provider_identity(&self, provider: &str, entity_id: &str) -> Option<&ProviderIdentity> {
        self.provider_identities
            .iter()
            .find(|pi| pi.provider == provider && pi.entity_id == entity_id)
    }

    /// The actor id for `actor_type`, read from `app_metadata["<actor_type>_id"]`.
    pub fn actor_id(&self, actor_type: &str) -> Option<&str> {
        self.app_metadata
            .as_ref()?
            .get(&format!("{actor_type}_id"))?
            .as_str()
    }
}

impl ProviderIdentity {
    /// A copy without the password hash.
    pub fn sanitized(&self) -> Self {
        let mut copy = self.clone();
        if let Some(meta) = &mut copy.provider_metadata {
            meta.remove(PASSWORD_METADATA_KEY);
        }
        copy
    }
}

/// What a flow method receives: Medusa's `AuthenticationInput`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct AuthenticationInput {
    /// The request URL, when the caller has one.
    pub url: Option<String>,
    /// Request headers, names lower-case.
    pub headers: BTreeMap<String, String>,
    /// Query parameters (an OAuth callback's `code` and `state`).
    pub query: BTreeMap<String, String>,
    /// The JSON body (emailpass's `email` and `password`).
    pub body: Metadata,
    /// `http` or `https`, when known.
    pub protocol: Option<String>,
}

/// What a flow method answers: Medusa's `AuthenticationResponse`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct AuthenticationResponse {
    /// Whether the flow succeeded (a redirect counts as success).
    pub success: bool,
    /// The signed-in identity, on success without a redirect.
    #[serde(rename = "authIdentity", skip_serializing_if = "Option::is_none")]
    pub auth_identity: Option<AuthIdentity>,
    /// Why the flow failed, as Medusa words it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Where to send the browser next (an OAuth provider's authorize URL).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
}

impl AuthenticationResponse {
    /// A success that signs in `identity`.
    pub fn succeeded(identity: AuthIdentity) -> Self {
        Self {
            success: true,
            auth_identity: Some(identity),
            ..Self::default()
        }
    }

    /// A failure with Medusa's message.
    pub fn failed(error: impl Into<String>) -> Self {
        Self {
            success: false,
            error: Some(error.into()),
            ..Self::default()
        }
    }

    /// A success that continues at `location`.
    pub fn redirect(location: impl Into<String>) -> Self {
        Self {
            success: true,
            location: Some(location.into()),
            ..Self::default()
        }
    }
}

/// How a provider signs in: Medusa's `AuthProviderInfoDTO.flow`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ProviderFlow {
    /// The client posts credentials (email and password) to the sign-in route.
    Credentials,
    /// The browser goes to the provider and comes back through the callback route.
    Redirect,
}

/// Public facts about one registered provider (Medusa's `AuthProviderInfoDTO`): never its options.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuthProviderInfo {
    /// The id in routes (`emailpass`, `google`, an OIDC entry's id).
    pub id: String,
    /// The kind of provider (`emailpass`, `google`, `github`, `oidc`); instances of a kind share it.
    pub identifier: String,
    /// What a sign-in page may show for it.
    pub display_name: String,
    /// Whether a page shows a form or a "Continue with …" button for it.
    pub flow: ProviderFlow,
}

/// Input of `createAuthIdentities`: an identity with its first provider identities.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CreateAuthIdentity {
    /// Kept when given (Medusa allows caller-chosen ids); generated as `authid_<ULID>` otherwise.
    pub id: Option<String>,
    /// The actors to link, e.g. `{"customer_id": "cus_1"}`.
    pub app_metadata: Option<Metadata>,
    /// The provider identities created with it.
    pub provider_identities: Vec<CreateProviderIdentity>,
}

/// Input of `createProviderIdentities`, or one nested in [`CreateAuthIdentity`].
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CreateProviderIdentity {
    /// Kept when given; generated as `provid_<ULID>` otherwise.
    pub id: Option<String>,
    /// The provider's name for the user (an email for emailpass).
    pub entity_id: String,
    /// The provider's id, e.g. `emailpass`.
    pub provider: String,
    /// Required when a provider identity is created on its own, ignored when nested.
    pub auth_identity_id: Option<String>,
    /// What is known about the user.
    pub user_metadata: Option<Metadata>,
    /// The provider's own data (emailpass: the password hash).
    pub provider_metadata: Option<Metadata>,
}

/// Input of `updateAuthIdentities`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct UpdateAuthIdentity {
    /// The identity to update.
    pub id: String,
    /// Replaces `app_metadata` when given.
    pub app_metadata: Option<Metadata>,
}

/// Input of `updateProviderIdentities`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct UpdateProviderIdentity {
    /// The provider identity to update.
    pub id: String,
    /// Replaces `entity_id` when given.
    pub entity_id: Option<String>,
    /// Replaces `provider_metadata` when given.
    pub provider_metadata: Option<Metadata>,
    /// Replaces `user_metadata` when given.
    pub user_metadata: Option<Metadata>,
}

/// Medusa's `FilterableAuthIdentityProps`. Every given field must match.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct AuthIdentityFilter {
    /// Any of these ids.
    pub id: Option<Vec<String>>,
    /// Holds a provider identity that matches.
    pub provider_identities: Option<ProviderIdentityMatch>,
    /// JSON containment: every key given must be present with an equal value.
    pub app_metadata: Option<Metadata>,
}

/// Which provider identity an [`AuthIdentityFilter`] looks for.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ProviderIdentityMatch {
    /// The provider's name for the user.
    pub entity_id: Option<String>,
    /// The provider's id.
    pub provider: Option<String>,
}

/// Medusa's `FilterableProviderIdentityProps`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ProviderIdentityFilter {
    /// Any of these ids.
    pub id: Option<Vec<String>>,
    /// The provider's name for the user.
    pub entity_id: Option<String>,
    /// The auth identity it belongs to.
    pub auth_identity_id: Option<String>,
    /// The provider's id.
    pub provider: Option<String>,
}

/// `true` when every key of `wanted` is in `have` with an equal value, recursing into objects.
pub fn json_contains(have: &Metadata, wanted: &Metadata) -> bool {
    wanted.iter().all(|(k, w)| match (have.get(k), w) {
        (Some(Value::Object(h)), Value::Object(w)) => json_contains(h, w),
        (Some(h), w) => h == w,
        (None, _) => false,
    })
}

impl AuthIdentityFilter {
    /// Whether `identity` passes every given field.
    pub fn matches(&self, identity: &AuthIdentity) -> bool {
        let id_ok = self
            .id
            .as_ref()
            .is_none_or(|ids| ids.contains(&identity.id));
        let pi_ok = self.provider_identities.as_ref().is_none_or(|m| {
            identity.provider_identities.iter().any(|pi| {
                m.entity_id.as_ref().is_none_or(|e| *e == pi.entity_id)
                    && m.provider.as_ref().is_none_or(|p| *p == pi.provider)
            })
        });
        let meta_ok = self.app_metadata.as_ref().is_none_or(|wanted| {
            identity
                .app_metadata
                .as_ref()
                .is_some_and(|have| json_contains(have, wanted))
        });
        id_ok && pi_ok && meta_ok
    }
}

impl ProviderIdentityFilter {
    /// Whether `pi` passes every given field.
    pub fn matches(&self, pi: &ProviderIdentity) -> bool {
        self.id.as_ref().is_none_or(|ids| ids.contains(&pi.id))
            && self.entity_id.as_ref().is_none_or(|e| *e == pi.entity_id)
            && self
                .auth_identity_id
                .as_ref()
                .is_none_or(|a| *a == pi.auth_identity_id)
            && self.provider.as_ref().is_none_or(|p| *p == pi.provider)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_stored_identity_reads_back_as_written_older_shapes_default_and_damage_is_refused() {
        let identity = AuthIdentity {
            id: "authid_1".into(),
            app_metadata: json!({"customer_id": "cus_1"}).as_object().cloned(),
            provider_identities: vec![
                ProviderIdentity {
                    id: "provid_1".into(),
                    entity_id: "a@b.co".into(),
                    provider: "emailpass".into(),
                    auth_identity_id: "authid_1".into(),
                    user_metadata: None,
                    provider_metadata: json!({"password": "hash"}).as_object().cloned(),
                },
                ProviderIdentity {
                    id: "provid_2".into(),
                    entity_id: "42".into(),
                    provider: "github".into(),
                    auth_identity_id: "authid_1".into(),
                    user_metadata: json!({"name": "A"}).as_object().cloned(),
                    provider_metadata: None,
                },
            ],
        };
        let stored = serde_json::to_string(&identity).unwrap();
        assert_eq!(AuthIdentity::from_stored(&stored), Some(identity));

        let bare = AuthIdentity::from_stored(r#"{"id":"authid_2"}"#).unwrap();
        assert_eq!(
            (bare.app_metadata, bare.provider_identities.len()),
            (None, 0)
        );

        for damaged in [
            "not json",
            r#"{"app_metadata":{}}"#,
            r#"{"id":"a","app_metadata":[]}"#,
            r#"{"id":"a","provider_identities":null}"#,
            r#"{"id":"a","provider_identities":[{"id":"p","entity_id":"e","provider":"emailpass"}]}"#,
            r#"{"id":"a","provider_identities":[{"id":"p","entity_id":"e","provider":"emailpass","auth_identity_id":"a","provider_metadata":"x"}]}"#,
        ] {
            assert_eq!(AuthIdentity::from_stored(damaged), None, "{damaged}");
        }
    }

    fn meta(v: Value) -> Metadata {
        v.as_object().cloned().unwrap()
    }

    fn identity() -> AuthIdentity {
        AuthIdentity {
            id: "authid_1".into(),
            app_metadata: Some(meta(
                json!({"customer_id": "cus_1", "tier": {"level": 2, "x": 1}}),
            )),
            provider_identities: vec![ProviderIdentity {
                id: "provid_1".into(),
                entity_id: "a@b.co".into(),
                provider: "emailpass".into(),
                auth_identity_id: "authid_1".into(),
                user_metadata: None,
                provider_metadata: Some(meta(json!({"password": "$pbkdf2…", "verified_at": 1}))),
            }],
        }
    }

    #[test]
    fn the_credential_fingerprint_is_the_sha256_of_the_password_hash() {
        let mut with_hash = identity();
        let meta = with_hash.provider_identities[0]
            .provider_metadata
            .as_mut()
            .unwrap();
        meta.insert(PASSWORD_METADATA_KEY.into(), json!("abc"));
        // FIPS 180-2, appendix B.1: SHA-256("abc").
        assert_eq!(
            with_hash.credential_fingerprint(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(with_hash.sanitized().credential_fingerprint(), "");
        // Two hashes: of "abc\nabc", one per line.
        let mut two = with_hash.clone();
        two.provider_identities
            .push(with_hash.provider_identities[0].clone());
        assert_eq!(
            two.credential_fingerprint(),
            crate::store::keys::sha256_hex("abc\nabc")
        );
    }

    #[test]
    fn sanitized_identity_has_no_password_but_keeps_other_provider_metadata() {
        let clean = identity().sanitized();
        let pm = clean.provider_identities[0]
            .provider_metadata
            .as_ref()
            .unwrap();
        assert!(!pm.contains_key(PASSWORD_METADATA_KEY));
        assert_eq!(pm.get("verified_at"), Some(&json!(1)));
    }

    #[test]
    fn actor_id_reads_the_actor_type_key_of_app_metadata() {
        assert_eq!(identity().actor_id("customer"), Some("cus_1"));
        assert_eq!(identity().actor_id("user"), None);
    }

    #[test]
    fn empty_or_missing_app_metadata_means_no_actor() {
        let mut i = identity();
        assert!(i.has_actor());
        i.app_metadata = Some(Metadata::new());
        assert!(!i.has_actor());
        i.app_metadata = None;
        assert!(!i.has_actor());
    }

    #[test]
    fn app_metadata_filter_matches_by_containment() {
        let i = identity();
        let by = |v: Value| AuthIdentityFilter {
            app_metadata: Some(meta(v)),
            ..Default::default()
        };
        assert!(by(json!({"customer_id": "cus_1"})).matches(&i));
        assert!(by(json!({"tier": {"level": 2}})).matches(&i));
        assert!(!by(json!({"customer_id": "cus_2"})).matches(&i));
        assert!(!by(json!({"user_id": "cus_1"})).matches(&i));
    }

    #[test]
    fn provider_filter_matches_any_provider_identity() {
        let i = identity();
        let f = |p: &str| AuthIdentityFilter {
            provider_identities: Some(ProviderIdentityMatch {
                provider: Some(p.into()),
                entity_id: None,
            }),
            ..Default::default()
        };
        assert!(f("emailpass").matches(&i));
        assert!(!f("google").matches(&i));
    }

    #[test]
    fn response_serialises_with_medusa_field_names_and_omits_absent_fields() {
        let r = AuthenticationResponse::failed("nope");
        assert_eq!(
            serde_json::to_value(&r).unwrap(),
            json!({"success": false, "error": "nope"})
        );
        let r = AuthenticationResponse::succeeded(identity().sanitized());
        assert!(
            serde_json::to_value(&r)
                .unwrap()
                .get("authIdentity")
                .is_some()
        );
    }
}
