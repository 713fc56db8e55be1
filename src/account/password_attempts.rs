//! Sign-in and registration, the two routes where a typed password is checked: which counters an attempt
//! is counted in before the check, and what a success leaves behind. Contract:
//! `docs/http-api.md#rate-limits`.
//!
//! - Every attempt is counted per client IP first ([`AccountService::count`]).
//! - A sign-in is then counted per email — or, from a browser with a valid known-device cookie for that
//!   email's identity, per device instead ([`super::known_device`]).
//! - A registration of an email whose identity has no actor yet checks the password against it (Medusa's
//!   idempotent retry): it **is** a sign-in attempt and is counted exactly like one, in the sign-in
//!   counter and its backoff. Other registrations use the registration counter.
//! - A success clears the counter the attempt was counted in and sets a known-device cookie.

use super::AccountError;
use super::config::LimitedRoute;
use super::known_device::{self, DeviceKey, KnownDevice};
use super::limits::{Counter, identifier_bucket};
use super::service::AccountService;
use crate::identity::Identities;
use crate::model::AuthIdentity;
use crate::store::keys;

/// Which of the two routes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordRoute {
    /// `POST /auth/{actor}/{provider}`.
    SignIn,
    /// `POST /auth/{actor}/{provider}/register`.
    Register,
}

/// One attempt, as the request states it.
#[derive(Debug, Clone, Copy)]
pub struct PasswordAttempt<'a> {
    /// Which route is tried.
    pub route: PasswordRoute,
    /// The provider the route names.
    pub provider: &'a str,
    /// The client's IP (none: not counted per client).
    pub client: Option<&'a str>,
    /// The email, normalised (none: not counted per identifier).
    pub email: Option<&'a str>,
    /// The known-device cookie's value, if the browser sent one.
    pub device_cookie: Option<&'a str>,
}

/// Where an admitted attempt was counted, beyond its IP.
#[derive(Debug, Clone, PartialEq, Eq)]
enum CountedIn {
    Nothing,
    Registration,
    SignIn,
    Device(KnownDevice),
}

/// An attempt the counters let through; hand it back with the outcome to
/// [`AccountService::password_attempt_succeeded`].
#[derive(Debug)]
#[must_use = "a success must clear the counter the attempt was counted in"]
pub struct Admitted {
    counted_in: CountedIn,
    provider: String,
    email: Option<String>,
}

fn device_bucket(device: &KnownDevice) -> String {
    keys::rate_bucket(
        LimitedRoute::Authenticate.name(),
        "device",
        &device.device_id,
    )
}

impl AccountService {
    fn device_key(&self) -> DeviceKey {
        DeviceKey::from_jwt_key(&self.tokens.key)
    }

    /// Counts `attempt` (see the module documentation) or refuses it with
    /// [`AccountError::TooManyRequests`]; a guard or store failure refuses it too (fail closed).
    pub async fn admit_password_attempt(
        &self,
        attempt: PasswordAttempt<'_>,
    ) -> Result<Admitted, AccountError> {
        let limits = &self.config.rate_limits;
        let sign_in = limits.route(LimitedRoute::Authenticate);
        let route = match attempt.route {
            PasswordRoute::SignIn => LimitedRoute::Authenticate,
            PasswordRoute::Register => LimitedRoute::Register,
        };
        let admitted = |counted_in| Admitted {
            counted_in,
            provider: attempt.provider.to_owned(),
            email: attempt.email.map(str::to_owned),
        };
        let Some(email) = attempt.email else {
            self.count(route, attempt.client, None).await?;
            return Ok(admitted(CountedIn::Nothing));
        };
        let device = match (sign_in.device, attempt.device_cookie) {
            (Some(_), Some(cookie)) => {
                let key = self.device_key();
                known_device::verify(&key, cookie, attempt.provider, email, self.now_secs())
            }
            _ => None,
        };
        // The owner of the email, read only when needed: a registration asks whether it checks a password,
        // a validly signed device cookie whether it still names the email's identity.
        let owner = if attempt.route == PasswordRoute::Register || device.is_some() {
            Identities::new(self.store())
                .find_by_entity(attempt.provider, email)
                .await?
        } else {
            None
        };
        let checks_password = attempt.route == PasswordRoute::SignIn
            || owner.as_ref().is_some_and(|i| !i.has_actor());
        let device = device.filter(|d| owner.is_some_and(|i| i.id == d.auth_identity_id));
        let (counter, counted_in) = match (checks_password, device, sign_in.device) {
            (false, _, _) => {
                let counter = limits.route(route).identifier.map(|rule| Counter {
                    bucket: identifier_bucket(route, attempt.provider, email),
                    rule,
                });
                (counter, CountedIn::Registration)
            }
            (true, Some(device), Some(rule)) => {
                let counter = Counter {
                    bucket: device_bucket(&device),
                    rule,
                };
                (Some(counter), CountedIn::Device(device))
            }
            (true, _, _) => {
                let counter = sign_in.identifier.map(|rule| Counter {
                    bucket: identifier_bucket(LimitedRoute::Authenticate, attempt.provider, email),
                    rule,
                });
                (counter, CountedIn::SignIn)
            }
        };
        self.count(route, attempt.client, counter).await?;
        Ok(admitted(counted_in))
    }

    /// After `admitted` succeeded as `identity`: clears the failures of the counter it was counted in (a
    /// device's success leaves the email's counter alone: those failures were someone else's) and returns
    /// the `Set-Cookie` value of this browser's known-device cookie, if devices are counted. Failing to
    /// clear is harmless; failing to make a cookie only means none is set.
    pub async fn password_attempt_succeeded(
        &self,
        admitted: Admitted,
        identity: &AuthIdentity,
    ) -> Option<String> {
        let guard = self.ports.guard.as_ref();
        let provider = &admitted.provider;
        let sign_in = self.config.rate_limits.route(LimitedRoute::Authenticate);
        let device_id = match &admitted.counted_in {
            CountedIn::SignIn => {
                if let Some(email) = &admitted.email {
                    self.forget_failures(LimitedRoute::Authenticate, provider, email)
                        .await;
                }
                None
            }
            CountedIn::Device(device) => {
                let _ = guard.reset(&device_bucket(device)).await;
                Some(device.device_id.as_str())
            }
            CountedIn::Registration | CountedIn::Nothing => None,
        };
        let email = admitted.email.as_deref()?;
        sign_in.device?;
        let value = known_device::issue(
            &self.device_key(),
            device_id,
            &identity.id,
            provider,
            email,
            self.now_secs(),
        )
        .ok()??;
        Some(known_device::set_cookie(&value))
    }
}
