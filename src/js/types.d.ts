// ---- edge-auth's JavaScript API (hand-written in src/js/types.d.ts: the generated types would be `any`) ----

/** Free-form JSON data, as kept in the metadata columns. */
export type Metadata = Record<string, unknown>;

/** Medusa's `ProviderIdentityDTO`. `provider_metadata.password` (the hash) is never handed out. */
export interface ProviderIdentity {
  /** `provid_<ULID>` */
  id: string;
  /** The email for emailpass (trimmed, lower-cased). */
  entity_id: string;
  provider: string;
  auth_identity_id: string;
  user_metadata: Metadata | null;
  provider_metadata: Metadata | null;
}

/** Medusa's `AuthIdentityDTO`. */
export interface AuthIdentity {
  /** `authid_<ULID>` */
  id: string;
  /** Links actors, e.g. `{ customer_id: "cus_…" }`; empty until an actor is linked. */
  app_metadata: Metadata | null;
  provider_identities: ProviderIdentity[];
}

/** Medusa's `AuthenticationInput`: the request data a provider reads. emailpass reads `body`. */
export interface AuthenticationInput {
  url?: string;
  headers?: Record<string, string>;
  query?: Record<string, string>;
  body?: Record<string, unknown>;
  protocol?: string;
}

/** Authenticated (or registered, or updated): the identity, without secrets. */
export interface AuthenticationSuccess {
  success: true;
  authIdentity: AuthIdentity;
  location?: undefined;
  error?: undefined;
}

/** Third-party flow: send the user to `location`, then call `validateCallback`. */
export interface AuthenticationRedirect {
  success: true;
  location: string;
  authIdentity?: undefined;
  error?: undefined;
}

/** Failed, with Medusa's message (e.g. "Invalid email or password"). */
export interface AuthenticationFailure {
  success: false;
  error: string;
  authIdentity?: undefined;
  location?: undefined;
}

/** Medusa's `AuthenticationResponse`. The flow methods' promises always resolve with one of these. */
export type AuthenticationResponse =
  | AuthenticationSuccess
  | AuthenticationRedirect
  | AuthenticationFailure;

/** What `list` resolves with, as Workers KV answers it. */
export interface KvListResult {
  keys: { name: string }[];
  list_complete: boolean;
  cursor?: string;
}

/**
 * The store: a Workers KV namespace binding (`env.AUTH_KV`), a `MemoryStore`, or any object with the
 * same four methods (they may return promises or plain values).
 */
export interface KvStoreLike {
  get(key: string): Promise<string | null> | string | null;
  put(
    key: string,
    value: string,
    options?: { expirationTtl?: number },
  ): Promise<unknown> | void;
  delete(key: string): Promise<unknown> | void;
  list(options: { prefix: string; cursor?: string; limit: number }): Promise<KvListResult> | KvListResult;
}

/** emailpass: email and password, hashed with PBKDF2-HMAC-SHA256. */
export interface EmailPassOptions {
  /** PBKDF2 iterations for new hashes, 1,000 to 10,000,000. Default 600,000 (OWASP). */
  iterations?: number;
  /** A server-side secret mixed into every hash. Changing it invalidates every password. */
  pepper?: string;
}

export interface EmailPassProviderConfig {
  id: "emailpass";
  options?: EmailPassOptions;
}

/**
 * google: Sign in with Google (OpenID Connect, PKCE). `authenticate("google", { body: {} })` answers
 * `{ success: true, location }`; send the browser there, then pass the query Google sends to `callbackUrl`
 * to `validateCallback("google", { query })`. The endpoint overrides are for tests and proxies.
 */
export interface GoogleOptions {
  clientId: string;
  clientSecret: string;
  /** Your page Google redirects back to (registered with Google). */
  callbackUrl: string;
  /** Default `https://accounts.google.com/o/oauth2/v2/auth`. */
  authorizationUrl?: string;
  /** Default `https://oauth2.googleapis.com/token`. */
  tokenUrl?: string;
  /** Default `https://www.googleapis.com/oauth2/v3/certs`. */
  jwksUrl?: string;
  /** The `iss` id_tokens must carry. Default: either spelling of Google's. */
  issuer?: string;
}

export interface GoogleProviderConfig {
  id: "google";
  options: GoogleOptions;
}

/** github: Sign in with GitHub (OAuth 2.0; the profile and verified primary email from GitHub's API). */
export interface GithubOptions {
  clientId: string;
  clientSecret: string;
  /** Your page GitHub redirects back to (the OAuth app's callback URL). */
  callbackUrl: string;
  /** Default `https://github.com/login/oauth/authorize`. */
  authorizationUrl?: string;
  /** Default `https://github.com/login/oauth/access_token`. */
  tokenUrl?: string;
  /** Default `https://api.github.com`. */
  apiUrl?: string;
}

export interface GithubProviderConfig {
  id: "github";
  options: GithubOptions;
}

/**
 * Any OpenID Connect provider, under an id of your choosing. Endpoints not given are discovered from
 * `<issuer>/.well-known/openid-configuration`.
 */
export interface OidcOptions {
  /** The issuer URL, exactly as the id_tokens' `iss`. */
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Your page the provider redirects back to. */
  callbackUrl: string;
  /** Must include "openid". Default `["openid", "email", "profile"]`. A string is split at spaces. */
  scopes?: string[] | string;
  authorizationUrl?: string;
  tokenUrl?: string;
  jwksUrl?: string;
  /** Default "client_secret_basic". */
  tokenEndpointAuthMethod?: "client_secret_basic" | "client_secret_post";
  /**
   * Audiences an id_token may list besides `clientId`. Default none: a token naming any other audience
   * is refused (OpenID Connect Core §3.1.3.7).
   */
  allowedAudiences?: string[];
}

export interface OidcProviderConfig {
  /** Lower-case letters, digits, `_` or `-` (at most 64): the provider name in `authenticate(id, …)`. */
  id: string;
  type: "oidc";
  options: OidcOptions;
}

/** One entry of `providers`. */
export type ProviderConfig =
  | EmailPassProviderConfig
  | GoogleProviderConfig
  | GithubProviderConfig
  | OidcProviderConfig;

/** The rate-limited routes, as `RATE_LIMITS` names them. */
export type RateLimitedRoute = "authenticate" | "register" | "reset-password" | "update";

/** `limit` attempts per `window` (a duration like "1m", or whole seconds); `backoff` doubles each block. */
export interface RateLimitRule {
  limit: number;
  window: string | number;
  backoff?: boolean;
}

/** A route's two counters; `null` turns one off, an absent one keeps its default. */
export interface RouteRateLimits {
  ip?: RateLimitRule | null;
  identifier?: RateLimitRule | null;
}

/** Overrides of the default rate limits, per route (the Worker's `RATE_LIMITS`). */
export type RateLimitsConfig = { [route in RateLimitedRoute]?: RouteRateLimits };

export interface AuthModuleServiceOptions {
  store: KvStoreLike;
  /** Default: `[{ id: "emailpass" }]`, as in Medusa. */
  providers?: ProviderConfig[];
  /**
   * Signs auth tokens, reset tokens and sessions (HS256): at least 32 bytes (`openssl rand -hex 32`).
   * Required by the account methods (`issueToken` … `forgetFailures`); without it they throw.
   */
  jwtSecret?: string;
  /** Auth token lifetime, like "1d" (the default), "12h" or "900s". A bare number is refused. */
  jwtExpiresIn?: string;
  /**
   * How auth tokens are signed (the Worker's `JWT_ALGORITHM`): "HS256" (default, under `jwtSecret`),
   * "ES256" or "EdDSA" (under `jwtPrivateKey`, with a `kid`; `jwks()` publishes the public keys).
   */
  jwtAlgorithm?: "HS256" | "ES256" | "EdDSA";
  /**
   * The signing key of "ES256" (P-256) or "EdDSA" (Ed25519): a PKCS #8 PEM ("-----BEGIN PRIVATE KEY-----")
   * or a private JWK (object or JSON). Required with those algorithms.
   */
  jwtPrivateKey?: string | PrivateJsonWebKey;
  /** The `kid` of `jwtPrivateKey`. Default: its RFC 7638 thumbprint. */
  jwtKeyId?: string;
  /** Retired public keys (each with `kid` and `alg`) whose tokens still verify, as a JWKS (object or JSON). */
  jwtPreviousPublicKeys?: string | JsonWebKeySet;
  /** Session lifetime, at least "60s". Default "10h" (Medusa's). */
  sessionTtl?: string;
  /** Overrides of the default limits, or "off"; a string is read as JSON, as the Worker's `RATE_LIMITS`. */
  rateLimits?: RateLimitsConfig | string;
  /** Where `requestPasswordReset` POSTs reset tokens: https (http only for localhost / 127.0.0.1). */
  resetPasswordWebhookUrl?: string;
  /** Signs those deliveries (`x-edge-auth-signature`); at least 32 bytes. */
  resetPasswordWebhookSecret?: string;
  /**
   * Seals TOTP secrets at rest (AES-256-GCM under its SHA-256, Medusa's `mfa.encryption_key`); at least
   * 32 bytes. Without it the MFA methods reject with INVALID_DATA "MFA encryption key is required to use
   * MFA methods" (with `development: true`, a development-only key stands in).
   */
  mfaEncryptionKey?: string;
  /** The issuer authenticator apps show beside a factor. Default "Medusa". */
  mfaIssuer?: string;
  /** Local development only: allows secrets shorter than 32 bytes. Default false. */
  development?: boolean;
}

/** A private key as a JWK: P-256 (`kty: "EC"`) or Ed25519 (`kty: "OKP"`), with its private part `d`. */
export interface PrivateJsonWebKey {
  kty: "EC" | "OKP";
  crv: "P-256" | "Ed25519";
  x: string;
  y?: string;
  d: string;
  [member: string]: unknown;
}

/** A public key as `jwks()` lists it. */
export interface PublicJsonWebKey {
  kty: "EC" | "OKP";
  crv: "P-256" | "Ed25519";
  x: string;
  /** P-256 only. */
  y?: string;
  kid: string;
  alg: "ES256" | "EdDSA";
  use?: "sig";
}

/** A JSON Web Key Set (RFC 7517 §5). */
export interface JsonWebKeySet {
  keys: PublicJsonWebKey[];
}

/** Medusa 2.21's auth token claims, as `verifyToken` resolves them. */
export interface TokenClaims {
  /** `app_metadata["<actor_type>_id"]` of the identity, or "" while no actor is linked. */
  actor_id: string;
  actor_type: string;
  auth_identity_id: string;
  /** The provider the bearer signed in with; absent when the token was issued without one. */
  auth_provider?: string;
  /** Whether the identity had an enabled MFA factor at sign-in. */
  mfa_enabled: boolean;
  /** When the sign-in's MFA challenge was passed (ISO 8601), or null. */
  mfa_challenge_completed_at: string | null;
  /** The identity's `app_metadata` (with `<actor_type>_id` only while an actor is linked). */
  app_metadata: Metadata;
  /** The `user_metadata` of the identity's provider identity for `auth_provider`, or `{}`. */
  user_metadata: Metadata;
  /** Issued at / expires at, seconds since the Unix epoch. */
  iat: number;
  exp: number;
}

/** Medusa's `AuthMfaDTO`: a factor, never its secret. */
export interface AuthMfa {
  /** `authmfa_<ULID>` */
  id: string;
  auth_identity_id: string;
  provider: "totp";
  status: "pending" | "enabled" | "disabled";
  metadata: Metadata | null;
  created_at: string;
  updated_at: string;
  deleted_at: string | null;
}

/** Medusa's `AuthMfaChallengeDTO`. */
export interface AuthMfaChallenge {
  /** `authmfachal_<ULID>` */
  id: string;
  auth_identity_id: string;
  auth_provider: string | null;
  /** `"totp"`, and `"recovery_code"` while the identity has unused recovery codes. */
  methods: Array<"totp" | "recovery_code">;
  /** ISO 8601; five minutes after it was made. */
  expires_at: string;
  attempts: number;
  max_attempts: number;
  completed_at: string | null;
  metadata: Metadata | null;
}

/** `startAuthMfa`'s answer: the secret and its `otpauth://` URL are shown this once only. */
export interface AuthMfaStartResponse {
  mfa: AuthMfa;
  secret: string;
  otpauth_url: string;
}

/** Medusa's `auth_context`: what a session says about its bearer (the token's claims but its dates). */
export interface AuthContext {
  actor_id: string;
  actor_type: string;
  auth_identity_id: string;
  auth_provider?: string;
  mfa_enabled: boolean;
  mfa_challenge_completed_at: string | null;
  app_metadata: Metadata;
  user_metadata: Metadata;
  /** Ours, only while the session's sign-in still owes its MFA challenge: the challenge it owes. */
  mfa_challenge?: string;
}

/** Medusa 2.16+'s `CreatePasswordResetTokenDTO`. */
export interface CreatePasswordResetTokenDTO {
  /** The provider id, e.g. `emailpass`. */
  provider: string;
  /** The provider's name for the user (for emailpass, the email; matched trimmed and lower-cased). */
  entity_id: string;
  /** Lifetime in seconds, a positive integer; default 900. */
  ttl_seconds?: number;
}

/** Medusa 2.16+'s `CreatePasswordResetTokenResponse`. */
export interface CreatePasswordResetTokenResponse {
  /** Opaque; embed it as the `jti` claim of the reset JWT. */
  jti: string;
  expires_at: Date;
}

/** Medusa 2.16+'s `ConsumePasswordResetTokenDTO`. */
export interface ConsumePasswordResetTokenDTO {
  /** The `jti` claim of the reset JWT. */
  jti: string;
  provider: string;
  entity_id: string;
}

/** Medusa 2.16+'s `ConsumePasswordResetTokenResponse`. */
export interface ConsumePasswordResetTokenResponse {
  auth_identity_id: string;
  provider_identity_id: string;
  entity_id: string;
}

/** Medusa 2.16+'s `AuthVerificationDTO` (without `provider_metadata`: the code's hash stays stored). */
export interface AuthVerificationDTO {
  id: string;
  auth_identity_id: string;
  entity_id: string;
  entity_type: string;
  code_provider: string;
  metadata: Record<string, unknown> | null;
  requested_at: Date;
  verified_at: Date | null;
}

/** Medusa's `RequestAuthVerificationDTO`. */
export interface RequestAuthVerificationDTO {
  auth_identity_id: string;
  entity_id: string;
  entity_type: string;
  /** Only `"token"`; required, as in Medusa's module ("Verification provider is required"). */
  code_provider: string;
  metadata?: Record<string, unknown> | null;
}

/** Medusa's `RequestAuthVerificationResponse`: `code` and `expires_at` unless it was already verified. */
export type RequestAuthVerificationResponse = AuthVerificationDTO & { code?: string; expires_at?: Date };

/** Medusa's `ConfirmAuthVerificationDTO`. */
export interface ConfirmAuthVerificationDTO {
  /** When given, only this identity's code is accepted. */
  auth_identity_id?: string;
  code: string;
  code_provider?: string;
}

/** A single-use password-reset token (valid 15 minutes) and the entity it resets. */
export interface PasswordResetToken {
  token: string;
  /** As the provider stores it (emails trimmed and lower-cased). */
  entityId: string;
  /** Seconds since the Unix epoch. */
  expiresAt: number;
}

/** A session just made. */
export interface NewSession {
  /** The cookie's value: pass it to `retrieveSession` / `deleteSession`. */
  id: string;
  authContext: AuthContext;
  /** Lifetime in seconds (`sessionTtl`). */
  ttl: number;
  /** A ready `Set-Cookie` value: `__Host-connect.sid=<id>; Max-Age=<ttl>; Path=/; HttpOnly; Secure; SameSite=Strict`. */
  cookie: string;
}

/** A live session. */
export interface SessionInfo {
  authContext: AuthContext;
  /** Milliseconds since the Unix epoch. */
  createdAt: number;
}

/** Who is asking: the client's IP (e.g. `CF-Connecting-IP`), for the per-client rate limits. */
export interface RequestContext {
  client?: string | null;
}

/** One attempt at a rate-limited route. */
export interface Attempt {
  provider: string;
  /** The client's IP; absent or null: not counted per client. */
  client?: string | null;
  /** The email (or reset entity); counted lower-cased. Absent or null: not counted per identifier. */
  identifier?: string | null;
}

/** `changePassword`'s data. */
export interface PasswordChangeData {
  currentPassword: string;
  password: string;
}

export interface CreateProviderIdentity {
  id?: string;
  entity_id: string;
  provider: string;
  /** Required by `createProviderIdentities`; ignored inside `createAuthIdentities`. */
  auth_identity_id?: string;
  user_metadata?: Metadata | null;
  provider_metadata?: Metadata | null;
  /** Medusa's row timestamps: accepted and ignored. */
  created_at?: string | null;
  updated_at?: string | null;
  deleted_at?: string | null;
}

export interface CreateAuthIdentity {
  id?: string;
  app_metadata?: Metadata | null;
  provider_identities?: CreateProviderIdentity[];
  /** Medusa's row timestamps: accepted and ignored. */
  created_at?: string | null;
  updated_at?: string | null;
  deleted_at?: string | null;
}

/** What `importAuthIdentities` made of one item (a failed item's `error` says which field or conflict). */
export interface ImportResult {
  id: string | null;
  status: "created" | "unchanged" | "failed";
  error: string | null;
}

export interface UpdateAuthIdentity {
  id: string;
  /** Replaces the whole column. */
  app_metadata?: Metadata | null;
}

export interface UpdateProviderIdentity {
  id: string;
  entity_id?: string;
  user_metadata?: Metadata | null;
  provider_metadata?: Metadata | null;
}

export interface AuthIdentityFilter {
  id?: string | string[];
  provider_identities?: { entity_id?: string; provider?: string };
  /** Matches identities whose app_metadata contains these keys and values. */
  app_metadata?: Metadata;
}

export interface ProviderIdentityFilter {
  id?: string | string[];
  entity_id?: string;
  auth_identity_id?: string;
  provider?: string;
}

/** Medusa's find config, as far as it applies: every relation is always loaded. */
export interface RetrieveConfig {
  relations?: string[];
}

export interface ListConfig extends RetrieveConfig {
  skip?: number;
  take?: number;
}

/**
 * Medusa's Auth Module service over a KV store, with the Worker's account features.
 *
 * Misusing the API (wrong argument types, unknown options, an account method without `jwtSecret`)
 * throws an `EdgeAuthError` synchronously — except `register`, `authenticate`, `validateCallback` and
 * `updateProvider`/`update`, which, as Medusa's, never throw nor reject: any input (`null` and
 * `undefined` included, which the types refuse) resolves, bad arguments with `{ success: false, error }`
 * saying what is wrong; the CRUD methods reject with an `EdgeAuthError` whose `code` is
 * NOT_FOUND, INVALID_DATA, CONFLICT or STORE_ERROR; the account methods with UNAUTHORIZED,
 * INVALID_RESET_TOKEN, INVALID_DATA, WRONG_CURRENT_PASSWORD, NO_PASSWORD, TOO_MANY_REQUESTS (with
 * `retryAfter`) or STORE_ERROR; the MFA methods with NOT_FOUND, INVALID_DATA, NOT_ALLOWED or STORE_ERROR.
 */
export class AuthModuleService {
  constructor(options: AuthModuleServiceOptions);
  /** Releases the wasm memory of this instance; it cannot be used afterwards. */
  free(): void;

  register(provider: string, input: AuthenticationInput): Promise<AuthenticationResponse>;
  authenticate(provider: string, input: AuthenticationInput): Promise<AuthenticationResponse>;
  validateCallback(provider: string, input: AuthenticationInput): Promise<AuthenticationResponse>;
  /** Password reset and the like; emailpass takes `{ entity_id (or email), password }`. */
  updateProvider(provider: string, data: Record<string, unknown>): Promise<AuthenticationResponse>;
  /** The seed page's name for `updateProvider`. */
  update(provider: string, data: Record<string, unknown>): Promise<AuthenticationResponse>;

  createAuthIdentities(data: CreateAuthIdentity[]): Promise<AuthIdentity[]>;
  createAuthIdentities(data: CreateAuthIdentity): Promise<AuthIdentity>;
  /**
   * Imports identities as Medusa stores them (`auth_identity` rows with their `provider_identities`),
   * with the admin import's rules: ids and metadata kept, emailpass entity ids lower-cased, idempotent.
   * Never rejects for a bad item: each gets its own result.
   */
  importAuthIdentities(data: Record<string, unknown>[]): Promise<ImportResult[]>;
  importAuthIdentities(data: Record<string, unknown>): Promise<ImportResult>;
  retrieveAuthIdentity(id: string, config?: RetrieveConfig): Promise<AuthIdentity>;
  listAuthIdentities(filters?: AuthIdentityFilter, config?: ListConfig): Promise<AuthIdentity[]>;
  updateAuthIdentities(data: UpdateAuthIdentity[]): Promise<AuthIdentity[]>;
  updateAuthIdentities(data: UpdateAuthIdentity): Promise<AuthIdentity>;
  deleteAuthIdentities(ids: string | string[]): Promise<void>;

  createProviderIdentities(data: CreateProviderIdentity[]): Promise<ProviderIdentity[]>;
  createProviderIdentities(data: CreateProviderIdentity): Promise<ProviderIdentity>;
  retrieveProviderIdentity(id: string, config?: RetrieveConfig): Promise<ProviderIdentity>;
  listProviderIdentities(filters?: ProviderIdentityFilter, config?: ListConfig): Promise<ProviderIdentity[]>;
  updateProviderIdentities(data: UpdateProviderIdentity[]): Promise<ProviderIdentity[]>;
  updateProviderIdentities(data: UpdateProviderIdentity): Promise<ProviderIdentity>;
  deleteProviderIdentities(ids: string | string[]): Promise<void>;

  // ---- Account (needs `jwtSecret`) ----

  /** A signed auth token for an identity (as `authenticate` resolves it) or its id, as `actorType`. */
  issueToken(authIdentity: AuthIdentity | string, actorType: string, authProvider?: string): Promise<string>;
  /** The claims of a valid, unexpired, unrevoked token (of `actorType`, if given); else UNAUTHORIZED. */
  verifyToken(token: string, actorType?: string): Promise<TokenClaims>;
  /** A fresh token for the same identity and actor type, with `actor_id` as `app_metadata` now says. */
  refreshToken(token: string): Promise<string>;
  /** Voids every token, session and reset token of the identity issued until now. */
  revokeTokens(authIdentityId: string): Promise<void>;
  /**
   * The public keys tokens verify with (current first, then `jwtPreviousPublicKeys`) with "ES256" or
   * "EdDSA"; `null` with "HS256", whose key is a shared secret. Serve it as `/.well-known/jwks.json`.
   */
  jwks(): Promise<JsonWebKeySet | null>;
  /** Proves the current password, sets the new one, voids earlier tokens and sessions; a fresh token. */
  changePassword(
    token: string,
    actorType: string,
    provider: string,
    data: PasswordChangeData,
    context?: RequestContext,
  ): Promise<string>;
  /**
   * A reset token for the identity `identifier` names at `provider`, or null when there is none. It voids
   * the identity's earlier reset tokens.
   */
  createPasswordResetToken(actorType: string, provider: string, identifier: string): Promise<PasswordResetToken | null>;
  /**
   * Medusa 2.16+'s form: an opaque `jti` for the provider identity, to embed in a reset JWT you make
   * yourself; valid `ttl_seconds` (default 900), voiding the identity's earlier reset tokens. Rejects with
   * INVALID_DATA for an unknown entity or a `ttl_seconds` that is not a positive integer or is over 2,592,000 (30 days).
   */
  createPasswordResetToken(data: CreatePasswordResetTokenDTO): Promise<CreatePasswordResetTokenResponse>;
  /** Mints and POSTs a reset token to `resetPasswordWebhookUrl`, signed, as the Worker does. Never rejects. */
  requestPasswordReset(actorType: string, provider: string, identifier: string, metadata?: Metadata): Promise<void>;
  /** Uses a reset token once to set `data.password`; voids earlier tokens. A refused password keeps it usable. */
  consumePasswordResetToken(
    token: string,
    actorType: string,
    provider: string,
    data: { password: string },
    context?: RequestContext,
  ): Promise<void>;
  /**
   * Medusa 2.16+'s form: spends a `jti` of `createPasswordResetToken(data)` once, if it is unexpired, the
   * identity's latest, and issued for this provider and entity; else rejects with INVALID_RESET_TOKEN
   * ("Invalid token").
   */
  consumePasswordResetToken(data: ConsumePasswordResetTokenDTO): Promise<ConsumePasswordResetTokenResponse>;
  /** A cookie session for the bearer of a valid token, with or without an actor; else UNAUTHORIZED. */
  createSession(token: string): Promise<NewSession>;
  /** The live session `id` (the cookie's value), or null (unknown, expired, ended or revoked). */
  retrieveSession(id: string): Promise<SessionInfo | null>;
  /** Ends the live session `id`; false when there was none. */
  deleteSession(id: string): Promise<boolean>;
  /** Counts one attempt at `route`; rejects with TOO_MANY_REQUESTS (`retryAfter` in seconds) over a limit. */
  countAttempt(route: RateLimitedRoute, attempt: Attempt): Promise<void>;
  /** Clears the identifier's counter and backoff at `route` (after a successful sign-in). */
  forgetFailures(route: RateLimitedRoute, provider: string, identifier: string): Promise<void>;

  // ---- MFA (needs `jwtSecret` and `mfaEncryptionKey`); rejects with NOT_FOUND, INVALID_DATA, NOT_ALLOWED, STORE_ERROR ----

  /** Enrols a TOTP factor, pending until `verifyAuthMfa`; the secret is in this answer only. */
  startAuthMfa(data: {
    auth_identity_id: string;
    provider: "totp";
    label?: string | null;
    issuer?: string;
    metadata?: Metadata | null;
  }): Promise<AuthMfaStartResponse>;
  /** Proves a factor with a current code (enabling a pending one); a reused code is NOT_ALLOWED. */
  verifyAuthMfa(data: { id: string; auth_identity_id?: string; code: string }): Promise<AuthMfa>;
  /** A login challenge for an identity with an enabled factor; NOT_ALLOWED without one. */
  createAuthMfaChallenge(data: {
    auth_identity_id: string;
    auth_provider?: string | null;
    metadata?: Metadata | null;
  }): Promise<AuthMfaChallenge>;
  /** Answers a challenge once; resolves with it completed (`completed_at` set). */
  verifyAuthMfaChallenge(data: {
    id: string;
    method: "totp" | "recovery_code";
    code: string;
    auth_identity_id?: string;
  }): Promise<AuthMfaChallenge>;
  /** Disables a factor (Medusa's default "session" policy: no code needed). */
  disableAuthMfa(data: { id: string; method?: string; code?: string }): Promise<AuthMfa>;
  /** The identity's factors, oldest first (of `status`, when given). */
  listAuthMfa(filters: { auth_identity_id: string; status?: "pending" | "enabled" | "disabled" }): Promise<AuthMfa[]>;
  /** `count` (default 10, 1..50) new recovery codes, replacing the old ones; shown this once. */
  generateAuthMfaRecoveryCodes(data: { auth_identity_id: string; count?: number }): Promise<{ codes: string[] }>;
  /** Spends a recovery code; NOT_ALLOWED "Recovery code is invalid or already used" otherwise. */
  useAuthMfaRecoveryCode(data: { auth_identity_id: string; code: string }): Promise<void>;

  // ---- Email verification (needs `jwtSecret`); rejects with INVALID_DATA, NOT_ALLOWED, TOO_MANY_REQUESTS, STORE_ERROR ----

  /**
   * A new single-use code (32 random bytes, base64url, 15 minutes) for one of the identity's own entity
   * ids, replacing any earlier one; you deliver it. A verification already confirmed comes back without one.
   */
  requestAuthVerification(data: RequestAuthVerificationDTO): Promise<RequestAuthVerificationResponse>;
  /**
   * Confirms a code once: the verification, verified. NOT_ALLOWED "Verification code is invalid or already
   * used", "Verification code has expired" or "Verification code does not belong to provider …".
   */
  confirmAuthVerification(data: ConfirmAuthVerificationDTO): Promise<AuthVerificationDTO>;
}

/** An in-memory store with Workers KV's interface and semantics, for tests and demos. */
export class MemoryStore implements KvStoreLike {
  constructor();
  free(): void;
  get(key: string): Promise<string | null>;
  put(key: string, value: string, options?: { expirationTtl?: number }): Promise<void>;
  delete(key: string): Promise<void>;
  list(options?: { prefix?: string; cursor?: string; limit?: number }): Promise<KvListResult>;
}
