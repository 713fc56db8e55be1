/**
 * `edge-auth/medusa`: an Auth Module for a Medusa 2.21 backend whose identities live in an edge-auth
 * Worker. Register it in medusa-config:
 *
 * ```ts
 * modules: [{ key: Modules.AUTH, resolve: "edge-auth/medusa",
 *   options: { url: process.env.EDGE_AUTH_URL, adminSecret: process.env.EDGE_AUTH_ADMIN_SECRET, timeoutMs: 5000 } }]
 * ```
 */

/** The module's options (medusa-config `options`). */
export interface EdgeAuthMedusaOptions {
  /** The Worker's base URL, e.g. `https://auth.example.com`. Required. */
  url: string;
  /** The Worker's `ADMIN_SECRET`. Required. */
  adminSecret: string;
  /** Time allowed for one request to the Worker, in milliseconds (1–600000). Default 5000. */
  timeoutMs?: number;
  /** Retries of idempotent calls (reads, `PUT`, `DELETE`) after a network error, a timeout, a 5xx or a 429 (0–10). Default 2. */
  retries?: number;
}

/** Medusa's `AuthenticationInput`. */
export interface AuthenticationInput {
  url?: string;
  headers?: Record<string, string | string[] | undefined>;
  query?: Record<string, unknown>;
  body?: Record<string, unknown>;
  protocol?: string;
  [key: string]: unknown;
}

export interface ProviderIdentityDTO {
  id: string;
  entity_id: string;
  provider: string;
  auth_identity_id?: string;
  user_metadata?: Record<string, unknown> | null;
  provider_metadata?: Record<string, unknown> | null;
}

export interface AuthIdentityDTO {
  id: string;
  app_metadata?: Record<string, unknown> | null;
  provider_identities?: ProviderIdentityDTO[];
}

/** Medusa's `AuthenticationResponse`. */
export interface AuthenticationResponse {
  success: boolean;
  authIdentity?: AuthIdentityDTO;
  location?: string;
  error?: string;
  /** Set when the identity has an enabled MFA factor: the backend answers `mfa_required`. */
  mfaChallenge?: AuthMfaChallengeDTO;
}

export interface AuthMfaDTO {
  id: string;
  auth_identity_id: string;
  provider: string;
  status: "pending" | "enabled" | "disabled";
  [key: string]: unknown;
}

/** Medusa's `AuthVerificationDTO`, dates as ISO strings. */
export interface AuthVerificationDTO {
  id: string;
  auth_identity_id: string;
  entity_id: string;
  entity_type: string;
  code_provider: string;
  requested_at: string;
  verified_at: string | null;
  metadata: Record<string, unknown> | null;
}

/** Medusa's `AuthMfaChallengeDTO`, dates as ISO strings. */
export interface AuthMfaChallengeDTO {
  id: string;
  auth_identity_id: string;
  auth_provider: string | null;
  methods: string[];
  expires_at: string;
  attempts: number;
  max_attempts: number;
  completed_at: string | null;
  metadata: unknown;
}

/** Medusa's `MedusaError` (from `@medusajs/framework/utils` when installed, else a class with its fields). */
export declare class MedusaError extends Error {
  constructor(type: string, message: string, code?: string);
  type: string;
  code?: string;
  date: Date;
  __isMedusaError: true;
  static isMedusaError(error: unknown): boolean;
  static Types: Record<string, string>;
}

/**
 * The service Medusa instantiates; its methods follow `IAuthModuleService`. The flows (`register`,
 * `authenticate`, `validateCallback`, `updateProvider`, `validateAuthIdentity`) never reject: failures are
 * `{ success: false, error }`; for an identity with an enabled MFA factor, `authenticate` and
 * `validateAuthIdentity` answer `{ success: true, authIdentity, mfaChallenge }`, as Medusa's do.
 * `updateProvider` sets a password (the backend's `/auth/{actor}/{provider}/update`) and voids the
 * identity's earlier tokens. The other methods reject with a `MedusaError`. The module methods this file
 * does not declare (`retrieveAuthVerification`, `listAndCountAuthVerifications`, provider-identity writes,
 * `useAuthMfaRecoveryCode`) reject with
 * `not_allowed`: the Worker's own `/auth` routes serve them.
 */
export declare class EdgeAuthModuleService {
  constructor(container: Record<string, unknown>, options: EdgeAuthMedusaOptions);
  /** Resolves `true` when the Worker accepts the admin credential; logs what to fix otherwise. */
  checkConnection(): Promise<boolean>;
  /** Medusa's module hooks: `onApplicationStart` runs {@link checkConnection}. */
  __hooks: { onApplicationStart(): Promise<void> };
  register(provider: string, data: AuthenticationInput): Promise<AuthenticationResponse>;
  authenticate(provider: string, data: AuthenticationInput): Promise<AuthenticationResponse>;
  validateCallback(provider: string, data: AuthenticationInput): Promise<AuthenticationResponse>;
  updateProvider(provider: string, data: Record<string, unknown>): Promise<AuthenticationResponse>;
  validateAuthIdentity(id: string, provider?: string, config?: unknown): Promise<AuthenticationResponse>;
  /** Always with `provider_identities` (whatever `config.relations` asks). */
  retrieveAuthIdentity(id: string, config?: unknown): Promise<AuthIdentityDTO>;
  listAuthIdentities(
    filters?: {
      id?: string | string[];
      app_metadata?: Record<string, unknown>;
      provider_identities?: { entity_id?: string; provider?: string };
    },
    config?: { skip?: number; take?: number; relations?: string[] },
  ): Promise<AuthIdentityDTO[]>;
  listAndCountAuthIdentities(
    filters?: Parameters<EdgeAuthModuleService["listAuthIdentities"]>[0],
    config?: { skip?: number; take?: number },
  ): Promise<[AuthIdentityDTO[], number]>;
  /** In Medusa's shape (`provider_identities` required); ids are made when absent. */
  createAuthIdentities(data: Record<string, unknown>[]): Promise<AuthIdentityDTO[]>;
  createAuthIdentities(data: Record<string, unknown>): Promise<AuthIdentityDTO>;
  updateAuthIdentities(data: { id: string; app_metadata?: Record<string, unknown> | null }[]): Promise<AuthIdentityDTO[]>;
  updateAuthIdentities(data: { id: string; app_metadata?: Record<string, unknown> | null }): Promise<AuthIdentityDTO>;
  /** Unknown ids are skipped, as Medusa's delete does. */
  deleteAuthIdentities(ids: string | string[]): Promise<void>;
  listProviderIdentities(
    filters?: {
      id?: string | string[];
      entity_id?: string | string[];
      provider?: string | string[];
      auth_identity_id?: string | string[];
    },
    config?: unknown,
  ): Promise<ProviderIdentityDTO[]>;
  retrieveProviderIdentity(id: string): Promise<ProviderIdentityDTO>;
  /** Medusa 2.16+: a single-use `jti` for the reset token the backend signs; voids the identity's earlier
   * ones. `ttl_seconds` defaults to 900, at most 30 days. */
  createPasswordResetToken(data: {
    provider: string;
    entity_id: string;
    ttl_seconds?: number;
  }): Promise<{ jti: string; expires_at: Date }>;
  /** Spends a `jti` once; a spent, unknown, voided or expired one rejects with `unauthorized` "Invalid token". */
  consumePasswordResetToken(data: {
    jti: string;
    provider: string;
    entity_id: string;
  }): Promise<{ auth_identity_id: string; provider_identity_id: string; entity_id: string }>;
  listAuthMfa(
    filters: { auth_identity_id: string; status?: AuthMfaDTO["status"] | AuthMfaDTO["status"][]; id?: string | string[]; provider?: string },
    config?: unknown,
  ): Promise<AuthMfaDTO[]>;
  /** The providers the Worker has configured (for any actor type), optionally only those of `id`. */
  listAuthProviders(filters?: { id?: string | string[] }): Promise<
    { id: string; identifier: string; display_name: string; flow: string }[]
  >;
  /** Medusa 2.16+'s `token` verification: the code (and its expiry) for the backend's event. */
  requestAuthVerification(data: {
    auth_identity_id: string;
    entity_id: string;
    entity_type: string;
    code_provider?: string;
    metadata?: Record<string, unknown>;
  }): Promise<AuthVerificationDTO & { code?: string; expires_at?: Date }>;
  confirmAuthVerification(data: { code: string; code_provider?: string; auth_identity_id?: string }): Promise<AuthVerificationDTO>;
  /** Only the form `validateVerification` uses: none or one. */
  listAuthVerifications(filters: {
    auth_identity_id: string;
    entity_id: string;
    entity_type: string;
  }): Promise<AuthVerificationDTO[]>;
  /** One of the identity's factors, else `not_found`. */
  retrieveAuthMfa(data: { id: string; auth_identity_id: string }): Promise<AuthMfaDTO>;
  startAuthMfa(data: {
    auth_identity_id: string;
    provider: string;
    label?: string;
    issuer?: string;
    metadata?: Record<string, unknown>;
  }): Promise<{ mfa: AuthMfaDTO; secret: string; otpauth_url: string }>;
  verifyAuthMfa(data: { id: string; code: string; auth_identity_id?: string }): Promise<AuthMfaDTO>;
  /** Medusa's default `session` policy: `method` and `code` are not needed (and not sent). */
  disableAuthMfa(data: { id: string; auth_identity_id?: string; method?: string; code?: string }): Promise<AuthMfaDTO>;
  generateAuthMfaRecoveryCodes(data: { auth_identity_id: string; count?: number }): Promise<{ codes: string[] }>;
  createAuthMfaChallenge(data: { auth_identity_id: string; auth_provider?: string | null }): Promise<AuthMfaChallengeDTO>;
  /** The challenge, completed; never retried (each try counts toward `max_attempts`). */
  verifyAuthMfaChallenge(data: {
    id: string;
    method: "totp" | "recovery_code" | string;
    code: string;
    auth_identity_id?: string;
  }): Promise<AuthMfaChallengeDTO>;
}

/** Checks the options as the module does at load; throws an `Error` naming the option to fix. */
export declare function parseOptions(options: unknown): {
  base: string;
  adminSecret: string;
  timeoutMs: number;
  retries: number;
};

/** The module definition Medusa's loader reads (`Module("auth", { service, loaders })`). */
declare const definition: {
  service: typeof EdgeAuthModuleService;
  loaders: ((args: { options?: unknown }) => Promise<void>)[];
  linkable?: Record<string, unknown>;
};
export default definition;
