//! Importing identities as Medusa stores them (an `AuthIdentity` with its `provider_identities`), keeping
//! their ids, `app_metadata`, `user_metadata` and password hashes: one item at a time, each created whole
//! or not at all, and idempotent. Used by the admin API and the npm package's `createAuthIdentities`
//! callers alike. Contract: `docs/migrating-from-medusa.md#importing-identities`.
//!
//! An item whose id exists already is `unchanged` when its provider identities are the same ones (same
//! ids, providers and entity ids): nothing is written, so a re-run never undoes a sign-in's re-hash or a
//! link made since. Emailpass entity ids are trimmed and lower-cased as ours are; one that another
//! identity holds already (two Medusa identities differing only by case) fails, and is never merged.

use std::fmt;

use serde_json::{Value, json};

use crate::hash_costs;
use crate::identity::IdentityError;
use crate::model::{
    AuthIdentity, CreateAuthIdentity, CreateProviderIdentity, Metadata, PASSWORD_METADATA_KEY,
    ProviderIdentity,
};
use crate::password::CostClass;
use crate::providers::emailpass::{EMAILPASS, normalize_email};
use crate::service::AuthModuleService;

/// Most items one request imports: each costs up to ~10 storage operations, within Workers' 1,000 per
/// invocation.
pub const MAX_IMPORT_BATCH: usize = 50;

/// Why one item was not imported.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ImportError {
    /// The item is not JSON (an NDJSON line; the message says where).
    Malformed(String),
    /// A required field is missing, empty or of the wrong type (its path, e.g.
    /// `provider_identities[0].entity_id`).
    Missing(String),
    /// The provider is not one this service has.
    UnknownProvider {
        /// The field's path.
        field: String,
        /// The provider named.
        provider: String,
    },
    /// `provider_metadata.password` is not a hash we would verify.
    UnusableHash(String),
    /// Another identity holds this (provider, entity_id).
    EntityTaken {
        /// The provider.
        provider: String,
        /// The entity id, as stored (lower-cased for emailpass).
        entity_id: String,
    },
    /// Another identity holds a provider identity with this id.
    ProviderIdentityIdTaken(String),
    /// An identity with this id exists with other provider identities.
    ExistsWithOtherProviders,
    /// The id is unusable, or storage failed.
    Identity(IdentityError),
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Malformed(m) => write!(f, "not JSON: {m}"),
            Self::Missing(field) => write!(f, "{field} is required"),
            Self::UnknownProvider { field, provider } => {
                write!(f, "{field}: provider {provider:?} is not enabled here")
            }
            Self::UnusableHash(field) => write!(
                f,
                "{field} is not a password hash edge-auth verifies (a Medusa scrypt-kdf hash within the \
                 bounds, or a PHC string)"
            ),
            Self::EntityTaken {
                provider,
                entity_id,
            } if provider == EMAILPASS => write!(
                f,
                "emailpass entity_id {entity_id:?} (emails are lower-cased) belongs to another \
                 identity: identities whose emails differ only by case are not merged"
            ),
            Self::EntityTaken {
                provider,
                entity_id,
            } => write!(
                f,
                "{provider} entity_id {entity_id:?} belongs to another identity"
            ),
            Self::ProviderIdentityIdTaken(id) => {
                write!(f, "provider identity id {id:?} belongs to another identity")
            }
            Self::ExistsWithOtherProviders => f.write_str(
                "an identity with this id exists with other provider identities: delete it first to import it again",
            ),
            Self::Identity(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for ImportError {}

/// What became of one item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportStatus {
    /// Stored with its provider identities.
    Created,
    /// It exists already with the same provider identities; nothing was written.
    Unchanged,
    /// Nothing was written, for this reason.
    Failed(ImportError),
}

/// One item's result: its id (when it had one) and status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportResult {
    /// The item's `id`, if it was a string.
    pub id: Option<String>,
    /// What happened.
    pub status: ImportStatus,
}

impl ImportResult {
    /// `{id, status: "created" | "unchanged" | "failed", error}` (`error` null unless failed).
    pub fn to_value(&self) -> Value {
        let (status, error) = match &self.status {
            ImportStatus::Created => ("created", None),
            ImportStatus::Unchanged => ("unchanged", None),
            ImportStatus::Failed(e) => ("failed", Some(e.to_string())),
        };
        json!({ "id": self.id, "status": status, "error": error })
    }
}

fn text<'a>(item: &'a Value, key: &str, path: &str) -> Result<&'a str, ImportError> {
    item.get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty())
        .ok_or_else(|| ImportError::Missing(format!("{path}{key}")))
}

/// An optional JSON object (absent and `null` are none).
fn object(item: &Value, key: &str, path: &str) -> Result<Option<Metadata>, ImportError> {
    match item.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(map)) => Ok(Some(map.clone())),
        Some(_) => Err(ImportError::Missing(format!("{path}{key} (an object)"))),
    }
}

impl AuthModuleService {
    /// Reads one item of Medusa's shape into a creation, checking providers, ids and hashes.
    fn import_input(&self, item: &Value) -> Result<CreateAuthIdentity, ImportError> {
        let id = text(item, "id", "")?;
        let Some(Value::Array(pis)) = item.get("provider_identities") else {
            return Err(ImportError::Missing("provider_identities".into()));
        };
        if pis.is_empty() {
            return Err(ImportError::Missing("provider_identities[0]".into()));
        }
        let mut provider_identities: Vec<CreateProviderIdentity> = Vec::with_capacity(pis.len());
        for (i, pi) in pis.iter().enumerate() {
            let path = format!("provider_identities[{i}].");
            let pid = text(pi, "id", &path)?;
            if provider_identities
                .iter()
                .any(|p| p.id.as_deref() == Some(pid))
            {
                return Err(ImportError::ProviderIdentityIdTaken(pid.into()));
            }
            let provider = text(pi, "provider", &path)?;
            if !self.has_provider(provider) {
                return Err(ImportError::UnknownProvider {
                    field: format!("{path}provider"),
                    provider: provider.into(),
                });
            }
            let mut entity_id = text(pi, "entity_id", &path)?.to_owned();
            let provider_metadata = object(pi, "provider_metadata", &path)?;
            if provider == EMAILPASS {
                entity_id = normalize_email(&entity_id);
                let hash = provider_metadata
                    .as_ref()
                    .and_then(|m| m.get(PASSWORD_METADATA_KEY));
                if hash.is_some_and(|h| h.as_str().and_then(CostClass::of_stored).is_none()) {
                    return Err(ImportError::UnusableHash(format!(
                        "{path}provider_metadata.password"
                    )));
                }
            }
            provider_identities.push(CreateProviderIdentity {
                id: Some(pid.to_owned()),
                entity_id,
                provider: provider.into(),
                auth_identity_id: None,
                user_metadata: object(pi, "user_metadata", &path)?,
                provider_metadata,
            });
        }
        Ok(CreateAuthIdentity {
            id: Some(id.to_owned()),
            app_metadata: object(item, "app_metadata", "")?,
            provider_identities,
        })
    }

    /// Imports one identity in Medusa's shape ([module docs](self)).
    pub async fn import_auth_identity(&self, item: &Value) -> ImportResult {
        self.import_auth_identities(std::slice::from_ref(item))
            .await
            .swap_remove(0)
    }

    /// Imports each item in turn; one failing never stops the others. The hashes created are counted
    /// in the stored-hash tally in one write at the end.
    pub async fn import_auth_identities(&self, items: &[Value]) -> Vec<ImportResult> {
        let mut out = Vec::with_capacity(items.len());
        let mut created = Vec::new();
        for item in items {
            let id = item.get("id").and_then(Value::as_str).map(str::to_owned);
            let status = match self.import_checked(item).await {
                Ok(Some(identity)) => {
                    created.extend(identity.provider_identities);
                    ImportStatus::Created
                }
                Ok(None) => ImportStatus::Unchanged,
                Err(e) => ImportStatus::Failed(e),
            };
            out.push(ImportResult { id, status });
        }
        let added: Vec<&ProviderIdentity> = created.iter().collect();
        hash_costs::record_change(self.store(), &[], &added).await;
        out
    }

    /// The identity created, or `None` when it exists unchanged.
    async fn import_checked(&self, item: &Value) -> Result<Option<AuthIdentity>, ImportError> {
        let input = self.import_input(item)?;
        let identities = self.identities();
        let id = input.id.as_deref().unwrap_or_default();
        if let Some(existing) = identities.get(id).await.map_err(ImportError::Identity)? {
            let same = existing.provider_identities.len() == input.provider_identities.len()
                && input.provider_identities.iter().all(|new| {
                    existing.provider_identities.iter().any(|old| {
                        Some(&old.id) == new.id.as_ref()
                            && old.provider == new.provider
                            && old.entity_id == new.entity_id
                    })
                });
            return if same {
                Ok(None)
            } else {
                Err(ImportError::ExistsWithOtherProviders)
            };
        }
        for pi in &input.provider_identities {
            let pid = pi.id.as_deref().unwrap_or_default();
            if identities
                .find_by_provider_identity_id(pid)
                .await
                .map_err(ImportError::Identity)?
                .is_some()
            {
                return Err(ImportError::ProviderIdentityIdTaken(pid.into()));
            }
        }
        match identities.create_untallied(input, self.now_ms()).await {
            Ok(identity) => Ok(Some(identity)),
            Err(IdentityError::Conflict {
                provider,
                entity_id,
            }) => Err(ImportError::EntityTaken {
                provider,
                entity_id,
            }),
            Err(e) => Err(ImportError::Identity(e)),
        }
    }
}
