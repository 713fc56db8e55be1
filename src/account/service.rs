//! [`AccountService`]: the account operations around identities that exist, over the ports they need.
//! The operations live beside it, one file per concern: `tokens.rs`, `limits.rs`, `password_change.rs`,
//! `reset.rs`, `sessions.rs`. Contract: `docs/http-api.md`.

use super::config::AccountConfig;
use crate::config::TokenSettings;
use crate::guard::Guard;
use crate::mfa::{MfaConfig, MfaService};
use crate::ports::clock::Clock;
use crate::ports::http::HttpClient;
use crate::ports::runtime::Runtime;
use crate::service::AuthModuleService;
use crate::store::KvStore;
use std::rc::Rc;

/// What account operations reach outside themselves through.
#[derive(Clone)]
pub struct AccountPorts {
    /// Sessions and revocation records live beside identities.
    pub store: Rc<dyn KvStore>,
    /// Single use (reset tokens) and rate-limit counters.
    pub guard: Rc<dyn Guard>,
    /// The time tokens, sessions and limits are judged by.
    pub clock: Rc<dyn Clock>,
    /// Webhook deliveries.
    pub http: Rc<dyn HttpClient>,
    /// Pauses and warnings of background work.
    pub runtime: Rc<dyn Runtime>,
}

/// Tokens, refresh, revocation, change password, password reset, cookie sessions and rate limits, over
/// the identities of an [`AuthModuleService`]. Errors are [`super::AccountError`] values.
pub struct AccountService {
    pub(super) identities: Rc<AuthModuleService>,
    pub(super) ports: AccountPorts,
    pub(super) tokens: TokenSettings,
    pub(super) config: Rc<AccountConfig>,
    pub(super) mfa: MfaService,
}

impl AccountService {
    /// The account operations over `identities`.
    pub fn new(
        identities: Rc<AuthModuleService>,
        ports: AccountPorts,
        tokens: TokenSettings,
        config: Rc<AccountConfig>,
    ) -> Self {
        // MFA off until configured ([`Self::with_mfa`]): no key, so every MFA operation says so.
        let mfa = Self::mfa_service(&identities, &ports, Rc::new(MfaConfig::with_key(None)));
        Self {
            identities,
            ports,
            tokens,
            config,
            mfa,
        }
    }

    /// The same service with MFA configured as `config` says.
    pub fn with_mfa(self, config: Rc<MfaConfig>) -> Self {
        let mfa = Self::mfa_service(&self.identities, &self.ports, config);
        Self { mfa, ..self }
    }

    fn mfa_service(
        identities: &Rc<AuthModuleService>,
        ports: &AccountPorts,
        config: Rc<MfaConfig>,
    ) -> MfaService {
        MfaService::new(
            ports.store.clone(),
            ports.guard.clone(),
            ports.clock.clone(),
            identities.clone(),
            config,
        )
    }

    /// Multi-factor authentication over the same identities, store and guard.
    pub fn mfa(&self) -> &MfaService {
        &self.mfa
    }

    /// The identities these operations act on.
    pub fn identities(&self) -> &AuthModuleService {
        &self.identities
    }

    /// Password reset, sessions, rate limits and the admin API, as configured.
    pub fn config(&self) -> &AccountConfig {
        &self.config
    }

    pub(super) fn store(&self) -> &dyn KvStore {
        self.ports.store.as_ref()
    }

    pub(super) fn now_ms(&self) -> u64 {
        self.ports.clock.now_ms()
    }

    pub(super) fn now_secs(&self) -> u64 {
        self.ports.clock.now_secs()
    }
}
