// Must compile (tsc --strict): the seed page's calls and typical uses, against the installed package.
import {
  AuthModuleService,
  EdgeAuthError,
  MemoryStore,
  type AuthContext,
  type AuthMfa,
  type AuthMfaChallenge,
  type AuthMfaStartResponse,
  type AuthenticationResponse,
  type AuthIdentity,
  type EdgeAuthErrorCode,
  type JsonWebKeySet,
  type KvStoreLike,
  type NewSession,
  type PasswordResetToken,
  type CreatePasswordResetTokenResponse,
  type ConsumePasswordResetTokenResponse,
  type RateLimitsConfig,
  type SessionInfo,
  type TokenClaims,
} from "edge-auth";

const fromOptions = new AuthModuleService({
  store: new MemoryStore(),
  providers: [{ id: "emailpass", options: { iterations: 600000, pepper: "secret" } }],
});
const authModuleService = new AuthModuleService({ store: new MemoryStore() });
const withThirdParties = new AuthModuleService({
  store: new MemoryStore(),
  providers: [
    { id: "emailpass" },
    { id: "google", options: { clientId: "id", clientSecret: "secret", callbackUrl: "https://shop.example/auth/google/callback" } },
    {
      id: "github",
      options: { clientId: "id", clientSecret: "secret", callbackUrl: "https://shop.example/auth/github/callback", apiUrl: "https://github.example/api/v3" },
    },
    {
      id: "corp",
      type: "oidc",
      options: {
        issuer: "https://idp.corp.example",
        clientId: "id",
        clientSecret: "secret",
        callbackUrl: "https://shop.example/auth/corp/callback",
        scopes: ["openid", "email"],
        tokenEndpointAuthMethod: "client_secret_post",
      },
    },
  ],
});

/** Messages the checks below look at (no console: this file compiles without DOM or Node types). */
export const seen: string[] = [];

// A hand-written adapter with synchronous methods is a store too.
const map = new Map<string, string>();
const handMade: KvStoreLike = {
  get: (key) => map.get(key) ?? null,
  put: (key, value) => void map.set(key, value),
  delete: (key) => void map.delete(key),
  list: ({ prefix }) => ({ keys: [...map.keys()].filter((k) => k.startsWith(prefix)).map((name) => ({ name })), list_complete: true }),
};
new AuthModuleService({ store: handMade, providers: [] });

export async function seedPage(email: string, password: string): Promise<string | undefined> {
  const data: AuthenticationResponse = await authModuleService.register("emailpass", { body: { email, password } });
  if (data.success && data.location === undefined) {
    const identity: AuthIdentity = data.authIdentity; // narrowed: success without location has an identity
    identity.provider_identities[0]?.entity_id.toLowerCase();
  }

  const { success, authIdentity, location } = await authModuleService.authenticate("emailpass", {
    url: "https://shop.example/auth/customer/emailpass",
    headers: { "content-type": "application/json" },
    query: {},
    body: { email, password },
    protocol: "https",
  });
  if (location) return location;
  if (!success) return undefined;
  const id: string | undefined = authIdentity?.id;

  const started = await withThirdParties.authenticate("google", { body: {} });
  if (started.success && started.location !== undefined) seen.push(started.location.toUpperCase());
  const callback = await fromOptions.validateCallback("google", { query: { code: "c", state: "s" } });
  if (!callback.success) seen.push(callback.error.toUpperCase()); // narrowed: a failure has an error

  const { success: reset } = await authModuleService.update("emailpass", { email, password: "supersecret" });
  await authModuleService.updateProvider("emailpass", { entity_id: email, password: "supersecret" });
  return reset ? id : undefined;
}

export async function crud(): Promise<void> {
  const one: AuthIdentity = await authModuleService.createAuthIdentities({ app_metadata: { customer_id: "cus_1" } });
  const many: AuthIdentity[] = await authModuleService.createAuthIdentities([{}, { provider_identities: [] }]);
  const updated: AuthIdentity = await authModuleService.updateAuthIdentities({ id: one.id, app_metadata: { user_id: "u" } });
  const listed: AuthIdentity[] = await authModuleService.listAuthIdentities({ id: [one.id, updated.id] }, { skip: 0, take: 10 });
  await authModuleService.retrieveAuthIdentity(one.id, { relations: ["provider_identities"] });
  const pi = await authModuleService.createProviderIdentities({ auth_identity_id: one.id, entity_id: "e", provider: "custom" });
  await authModuleService.listProviderIdentities({ provider: "custom" });
  await authModuleService.updateProviderIdentities([{ id: pi.id, user_metadata: null }]);
  await authModuleService.deleteProviderIdentities(pi.id);
  await authModuleService.deleteAuthIdentities([...many, ...listed].map((i) => i.id));
  try {
    await authModuleService.retrieveAuthIdentity("authid_x");
  } catch (e) {
    if (e instanceof EdgeAuthError) {
      const code: EdgeAuthErrorCode = e.code;
      if (code === "NOT_FOUND") seen.push(e.message);
    }
  }
  authModuleService.free();
}

const limits: RateLimitsConfig = {
  authenticate: { identifier: { limit: 10, window: "5m", backoff: true }, ip: null },
  "reset-password": { identifier: { limit: 3, window: 900 } },
};
const accounts = new AuthModuleService({
  store: new MemoryStore(),
  jwtSecret: "0123456789abcdef0123456789abcdef",
  jwtExpiresIn: "1d",
  sessionTtl: "10h",
  rateLimits: limits,
  resetPasswordWebhookUrl: "https://shop.example/hooks/edge-auth",
  resetPasswordWebhookSecret: "0123456789abcdef0123456789abcdef",
});
new AuthModuleService({ store: new MemoryStore(), jwtSecret: "dev", development: true, rateLimits: "off" });
const es256 = new AuthModuleService({
  store: new MemoryStore(),
  jwtSecret: "0123456789abcdef0123456789abcdef",
  jwtAlgorithm: "ES256",
  jwtPrivateKey: "-----BEGIN PRIVATE KEY-----\n…\n-----END PRIVATE KEY-----",
  jwtKeyId: "key-1",
  jwtPreviousPublicKeys: { keys: [{ kty: "EC", crv: "P-256", x: "x", y: "y", kid: "key-0", alg: "ES256" }] },
});
export async function publishedKeys(): Promise<string[]> {
  const set: JsonWebKeySet | null = await es256.jwks();
  return set ? set.keys.map((k) => k.kid) : [];
}

export async function account(identity: AuthIdentity, ip: string | null): Promise<void> {
  const token: string = await accounts.issueToken(identity, "customer");
  await accounts.issueToken(identity.id, "user");
  const claims: TokenClaims = await accounts.verifyToken(token, "customer");
  seen.push(claims.actor_id, claims.auth_identity_id, String(claims.exp - claims.iat));
  const refreshed: string = await accounts.refreshToken(token);
  const fresh: string = await accounts.changePassword(
    refreshed,
    "customer",
    "emailpass",
    { currentPassword: "old password", password: "new password" },
    { client: ip },
  );
  await accounts.revokeTokens(identity.id);

  const reset: PasswordResetToken | null = await accounts.createPasswordResetToken("customer", "emailpass", "a@b.co");
  if (reset) {
    seen.push(reset.entityId, String(reset.expiresAt));
    await accounts.consumePasswordResetToken(reset.token, "customer", "emailpass", { password: "reset password" });
  }
  await accounts.requestPasswordReset("customer", "emailpass", "a@b.co", { storefront: "ok.ts" });
  // Medusa 2.16+'s object forms.
  const issued: CreatePasswordResetTokenResponse = await accounts.createPasswordResetToken({
    provider: "emailpass",
    entity_id: "a@b.co",
    ttl_seconds: 600,
  });
  seen.push(issued.jti, issued.expires_at.toISOString());
  const consumed: ConsumePasswordResetTokenResponse = await accounts.consumePasswordResetToken({
    jti: issued.jti,
    provider: "emailpass",
    entity_id: "a@b.co",
  });
  seen.push(consumed.auth_identity_id, consumed.provider_identity_id, consumed.entity_id);

  const session: NewSession = await accounts.createSession(fresh);
  const context: AuthContext = session.authContext;
  seen.push(session.cookie, context.actor_type, String(session.ttl));
  const found: SessionInfo | null = await accounts.retrieveSession(session.id);
  if (found) seen.push(String(found.createdAt), found.authContext.actor_id);
  const ended: boolean = await accounts.deleteSession(session.id);
  seen.push(String(ended));

  try {
    await accounts.countAttempt("authenticate", { provider: "emailpass", client: ip, identifier: "a@b.co" });
    await accounts.forgetFailures("authenticate", "emailpass", "a@b.co");
  } catch (e) {
    if (e instanceof EdgeAuthError && e.code === "TOO_MANY_REQUESTS" && e.retryAfter !== undefined) {
      seen.push(`retry in ${e.retryAfter.toFixed(0)} s`);
    }
  }
}

/** MFA with Medusa 2.21's method names and shapes. */
export async function mfa(identity: AuthIdentity, code: string): Promise<string[]> {
  const service = new AuthModuleService({
    store: new MemoryStore(),
    jwtSecret: "0123456789abcdef0123456789abcdef",
    mfaEncryptionKey: "0123456789abcdef0123456789abcdef",
    mfaIssuer: "Shop",
  });
  const started: AuthMfaStartResponse = await service.startAuthMfa({
    auth_identity_id: identity.id,
    provider: "totp",
    label: "a@b.co",
  });
  const factor: AuthMfa = await service.verifyAuthMfa({ id: started.mfa.id, code });
  const factors: AuthMfa[] = await service.listAuthMfa({ auth_identity_id: identity.id, status: "enabled" });
  const { codes } = await service.generateAuthMfaRecoveryCodes({ auth_identity_id: identity.id, count: 5 });
  const challenge: AuthMfaChallenge = await service.createAuthMfaChallenge({ auth_identity_id: identity.id });
  const done = await service.verifyAuthMfaChallenge({ id: challenge.id, method: "recovery_code", code: codes[0] });
  await service.useAuthMfaRecoveryCode({ auth_identity_id: identity.id, code: codes[1] });
  const off: AuthMfa = await service.disableAuthMfa({ id: factor.id });
  const claims: TokenClaims = await service.verifyToken("token");
  return [started.otpauth_url, off.status, String(factors.length), done.completed_at ?? "", String(claims.mfa_enabled)];
}
