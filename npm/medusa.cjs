"use strict";
// edge-auth/medusa: an Auth Module for a stock Medusa 2.21 backend whose identities live in an edge-auth
// Worker. Each module method is one or a few calls to the Worker's admin API (docs/http-api.md#admin-api),
// authenticated with the Worker's ADMIN_SECRET. Setup and behaviour: docs/medusa-backend.md.
//
// CommonJS on purpose: Medusa 2.21's module loader loads a module's resolved path with `require`.

const DEFAULT_TIMEOUT_MS = 5000;
const DEFAULT_RETRIES = 2;
const RETRY_BASE_MS = 100;
const FORWARDED_CLIENT_HEADER = "x-edge-auth-client-ip";

/** Medusa's `MedusaError` when `@medusajs/framework` is installed (a backend always has it), else a class
 * with the same fields: Medusa's error handler reads `type`, not the class. */
function loadMedusa() {
  try {
    return require("@medusajs/framework/utils");
  } catch {
    return null;
  }
}
const medusa = loadMedusa();

class EdgeAuthMedusaError extends Error {
  constructor(type, message, code) {
    super(message);
    this.__isMedusaError = true;
    this.type = type;
    this.code = code;
    this.date = new Date();
  }
  static isMedusaError(error) {
    return !!error?.__isMedusaError;
  }
}
EdgeAuthMedusaError.Types = {
  INVALID_ARGUMENT: "invalid_argument",
  INVALID_DATA: "invalid_data",
  UNAUTHORIZED: "unauthorized",
  FORBIDDEN: "forbidden",
  NOT_FOUND: "not_found",
  NOT_ALLOWED: "not_allowed",
  UNEXPECTED_STATE: "unexpected_state",
  CONFLICT: "conflict",
};
const MedusaError = medusa?.MedusaError ?? EdgeAuthMedusaError;
const Types = MedusaError.Types;

/** The Worker's error `type` (Medusa's own strings) to Medusa's error type; unknown ones are the Worker's fault. */
function errorType(status, type) {
  const known = Object.values(Types);
  if (typeof type === "string" && known.includes(type)) return type;
  if (status === 404) return Types.NOT_FOUND;
  if (status === 400 || status === 422) return Types.INVALID_DATA;
  if (status === 401) return Types.UNAUTHORIZED;
  if (status === 429) return Types.NOT_ALLOWED;
  return Types.UNEXPECTED_STATE;
}

// Keys a real Medusa 2.21 backend adds to the options it hands every Auth Module: defineConfig's
// `mfa: { encryption_key }` and the module loader's shared `database`. The Worker keeps its own MFA key
// (MFA_ENCRYPTION_KEY) and has no database here, so the bridge ignores both.
const MEDUSA_ADDED_OPTIONS = ["mfa", "database"];

/** Options as medusa-config gives them, checked once; every message names the option to fix. */
function parseOptions(options) {
  const o = options ?? {};
  const known = ["url", "adminSecret", "timeoutMs", "retries"];
  for (const key of Object.keys(o)) {
    if (MEDUSA_ADDED_OPTIONS.includes(key)) continue;
    if (!known.includes(key)) {
      throw new Error(`edge-auth/medusa: unknown option "${key}"; the options are ${known.join(", ")}`);
    }
  }
  if (typeof o.url !== "string" || o.url.trim() === "") {
    throw new Error(
      'edge-auth/medusa: the option "url" is required: the Worker\'s base URL, e.g. url: process.env.EDGE_AUTH_URL (https://auth.example.com)',
    );
  }
  let url;
  try {
    url = new URL(o.url.trim());
  } catch {
    throw new Error(`edge-auth/medusa: the option "url" must be an absolute http(s) URL, got ${JSON.stringify(o.url)}`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new Error(`edge-auth/medusa: the option "url" must be an http(s) URL, got ${JSON.stringify(o.url)}`);
  }
  if (typeof o.adminSecret !== "string" || o.adminSecret === "") {
    throw new Error(
      'edge-auth/medusa: the option "adminSecret" is required: the Worker\'s ADMIN_SECRET, e.g. adminSecret: process.env.EDGE_AUTH_ADMIN_SECRET',
    );
  }
  const timeoutMs = o.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > 600000) {
    throw new Error(`edge-auth/medusa: the option "timeoutMs" must be an integer from 1 to 600000 (milliseconds), got ${JSON.stringify(o.timeoutMs)}`);
  }
  const retries = o.retries ?? DEFAULT_RETRIES;
  if (!Number.isInteger(retries) || retries < 0 || retries > 10) {
    throw new Error(`edge-auth/medusa: the option "retries" must be an integer from 0 to 10, got ${JSON.stringify(o.retries)}`);
  }
  return { base: url.href.replace(/\/+$/, ""), adminSecret: o.adminSecret, timeoutMs, retries };
}

const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/** A Medusa entity id: `<prefix>_` and a ULID (48-bit time, 80 random bits, Crockford base32). */
function entityId(prefix) {
  let time = Date.now();
  let head = "";
  for (let i = 0; i < 10; i++) {
    head = CROCKFORD[time % 32] + head;
    time = Math.floor(time / 32);
  }
  const random = require("node:crypto").randomBytes(16);
  let tail = "";
  for (let i = 0; i < 16; i++) tail += CROCKFORD[random[i] % 32];
  return `${prefix}_${head}${tail}`;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The parts of Medusa's `AuthenticationInput` the Worker's providers read: the body, and the query with
 * string values (Express may parse `a[b]=c` into objects; those are dropped). */
function authenticationInput(data) {
  const d = data ?? {};
  const query = {};
  if (d.query && typeof d.query === "object") {
    for (const [k, v] of Object.entries(d.query)) {
      if (typeof v === "string") query[k] = v;
      else if (typeof v === "number" || typeof v === "boolean") query[k] = String(v);
    }
  }
  const body = d.body && typeof d.body === "object" && !Array.isArray(d.body) ? d.body : {};
  return { body, query };
}

/** The end user's address as Express saw it (`req.ip` is not in the input; the forwarded headers are). */
function clientAddress(data) {
  const h = data?.headers ?? {};
  const pick = (v) => (Array.isArray(v) ? v[0] : v);
  const forwarded = pick(h["x-forwarded-for"]);
  if (typeof forwarded === "string" && forwarded.trim()) return forwarded.split(",")[0].trim();
  const real = pick(h["x-real-ip"]) ?? pick(h["cf-connecting-ip"]);
  return typeof real === "string" && real.trim() ? real.trim() : undefined;
}

const asArray = (x) => (Array.isArray(x) ? x : [x]);

class EdgeAuthModuleService {
  /** Medusa passes the module's container and its options. */
  constructor(container, options) {
    this.options_ = parseOptions(options);
    this.logger_ = safeResolve(container, "logger") ?? console;
    this.__hooks = {
      onApplicationStart: async () => {
        await this.checkConnection();
      },
    };
  }

  /** One request to the Worker: the admin secret (not on its `publicRoute`s), a timeout per attempt,
   * retries with backoff when `idempotent`. Resolves the parsed JSON body of a 2xx answer; throws a
   * MedusaError otherwise. */
  async call(method, path, { body, idempotent = false, clientIp, publicRoute = false } = {}) {
    const { base, adminSecret, timeoutMs, retries } = this.options_;
    const url = base + path;
    const attempts = idempotent ? retries + 1 : 1;
    let lastError;
    for (let attempt = 0; attempt < attempts; attempt++) {
      if (attempt > 0) await sleep(RETRY_BASE_MS * 2 ** (attempt - 1));
      const headers = { accept: "application/json" };
      if (!publicRoute) headers.authorization = `Bearer ${adminSecret}`;
      if (body !== undefined) headers["content-type"] = "application/json";
      if (clientIp) headers[FORWARDED_CLIENT_HEADER] = clientIp;
      let res;
      let text;
      try {
        res = await fetch(url, {
          method,
          headers,
          body: body === undefined ? undefined : JSON.stringify(body),
          // The admin API never redirects; following one could carry the secret elsewhere.
          redirect: "error",
          signal: AbortSignal.timeout(timeoutMs),
        });
        // The body is read under the same deadline.
        text = await res.text();
      } catch (e) {
        const slow = e?.name === "TimeoutError" || e?.name === "AbortError";
        lastError = new MedusaError(
          Types.UNEXPECTED_STATE,
          slow
            ? `edge-auth: the Worker at ${base} did not answer ${method} ${path} within timeoutMs=${timeoutMs} ms`
            : `edge-auth: the Worker at ${base} could not be reached (${method} ${path}): ${e?.cause?.code ?? e?.cause?.message ?? e?.message ?? e}`,
        );
        continue;
      }
      let json = null;
      try {
        json = text ? JSON.parse(text) : null;
      } catch {
        json = null;
      }
      if (res.ok) {
        if (json && typeof json === "object") return json;
        throw new MedusaError(
          Types.UNEXPECTED_STATE,
          `edge-auth: the Worker at ${base} answered ${method} ${path} with ${res.status} and no JSON object: is "url" the Worker?`,
        );
      }
      // A missing or wrong secret is 401 "Unauthorized"; the one other 401, a spent or unknown reset
      // jti, says "Invalid token" (Medusa's error, below).
      if (res.status === 401 && (json?.message ?? "Unauthorized") === "Unauthorized") {
        throw new MedusaError(
          Types.UNEXPECTED_STATE,
          `edge-auth: the Worker at ${base} refused the admin credential: set the module option "adminSecret" (EDGE_AUTH_ADMIN_SECRET) to the Worker's ADMIN_SECRET`,
        );
      }
      const message = typeof json?.message === "string" ? json.message : `the Worker answered ${res.status} to ${method} ${path}`;
      if (res.status === 404 && message.startsWith("The admin API is disabled")) {
        throw new MedusaError(Types.UNEXPECTED_STATE, `edge-auth: the Worker at ${base} has no admin API: ${message}`);
      }
      lastError = new MedusaError(errorType(res.status, json?.type), message);
      // A 5xx or a 429 may pass; anything else is the answer.
      if (res.status < 500 && res.status !== 429) throw lastError;
    }
    throw lastError;
  }

  /** Checks the URL and the admin credential; at start-up it logs what to fix (Medusa swallows errors
   * thrown by start-up hooks). Resolves `true` when the Worker accepts the credential. */
  async checkConnection() {
    try {
      await this.call("GET", "/admin/auth-identities?limit=1", { idempotent: true });
      return true;
    } catch (e) {
      this.logger_.error?.(`edge-auth/medusa: ${e.message}`);
      return false;
    }
  }

  // ---- The flows: like Medusa's own service, they never throw. ----

  async flow_(provider, name, data) {
    try {
      const path = `/admin/auth/${encodeURIComponent(provider)}/${name}`;
      const answer = await this.call("POST", path, {
        body: authenticationInput(data),
        clientIp: clientAddress(data),
      });
      return await this.withMfa_(answer, provider);
    } catch (e) {
      return { success: false, error: e.message };
    }
  }

  /** Medusa's `applyMfaRequirement_`: an identity with an enabled factor gets a challenge (stored in the
   * Worker), which the backend's `/auth/mfa/challenges/{id}/verify` answers through
   * `verifyAuthMfaChallenge`; the backend's token stays actor-less until then. */
  async withMfa_(answer, provider) {
    if (!answer?.success || !answer.authIdentity || answer.location) return answer;
    const auth_identity_id = answer.authIdentity.id;
    const enabled = await this.listAuthMfa({ auth_identity_id, status: "enabled" });
    if (!enabled.length) return answer;
    const mfaChallenge = await this.createAuthMfaChallenge({ auth_identity_id, auth_provider: provider ?? null });
    return { success: true, mfaChallenge, authIdentity: answer.authIdentity };
  }

  register(provider, data) {
    return this.flow_(provider, "register", data);
  }

  authenticate(provider, data) {
    return this.flow_(provider, "authenticate", data);
  }

  /** The backend's `/auth/{actor}/{provider}/callback`: finishes a third-party sign-in this backend
   * started through `authenticate` (the state is the Worker's, single-use). */
  validateCallback(provider, data) {
    return this.flow_(provider, "callback", data);
  }

  /** Medusa's `updateProvider(provider, {entity_id, password, ...})`: the backend's password update,
   * after its reset token's jti was spent (`consumePasswordResetToken`). Never throws. */
  async updateProvider(provider, data) {
    try {
      const path = `/admin/auth/${encodeURIComponent(provider)}/update`;
      return await this.call("POST", path, { body: data ?? {} });
    } catch (e) {
      return { success: false, error: e.message };
    }
  }

  async validateAuthIdentity(id, provider) {
    try {
      const authIdentity = await this.retrieveAuthIdentity(id);
      return await this.withMfa_({ success: true, authIdentity }, provider);
    } catch (e) {
      return { success: false, error: e.message };
    }
  }

  // ---- Auth identities ----

  async retrieveAuthIdentity(id) {
    if (typeof id !== "string" || id === "") {
      throw new MedusaError(Types.NOT_FOUND, "authIdentity - id must be defined");
    }
    const json = await this.call("GET", `/admin/auth-identities/${encodeURIComponent(id)}`, { idempotent: true });
    return json.auth_identity;
  }

  async listAuthIdentities(filters = {}, config = {}) {
    const params = new URLSearchParams();
    if (filters.id !== undefined) params.set("id", asArray(filters.id).join(","));
    const pi = filters.provider_identities;
    if (pi?.entity_id !== undefined) params.set("entity_id", String(pi.entity_id));
    if (pi?.provider !== undefined) params.set("provider", String(pi.provider));
    if (filters.app_metadata !== undefined) params.set("app_metadata", JSON.stringify(filters.app_metadata));
    const take = Number.isInteger(config.take) ? config.take : Infinity;
    const skip = Number.isInteger(config.skip) ? config.skip : 0;
    const out = [];
    let cursor = null;
    do {
      const page = new URLSearchParams(params);
      page.set("limit", "100");
      if (cursor) page.set("cursor", cursor);
      const json = await this.call("GET", `/admin/auth-identities?${page}`, { idempotent: true });
      out.push(...json.auth_identities);
      cursor = json.next_cursor;
    } while (cursor && out.length < skip + take);
    return out.slice(skip, skip + take);
  }

  async listAndCountAuthIdentities(filters = {}, config = {}) {
    const all = await this.listAuthIdentities(filters, {});
    const skip = Number.isInteger(config.skip) ? config.skip : 0;
    const take = Number.isInteger(config.take) ? config.take : Infinity;
    return [all.slice(skip, skip + take), all.length];
  }

  async createAuthIdentities(data) {
    const created = [];
    for (const item of asArray(data)) {
      // Medusa makes the ids when none are given; the Worker's import keeps the ids it is given.
      const body = { ...item, id: item?.id ?? entityId("authid") };
      if (Array.isArray(item?.provider_identities)) {
        body.provider_identities = item.provider_identities.map((pi) => ({ ...pi, id: pi?.id ?? entityId("provid") }));
      }
      const json = await this.call("POST", "/admin/auth-identities", { body });
      created.push(await this.retrieveAuthIdentity(json.id));
    }
    return Array.isArray(data) ? created : created[0];
  }

  /** Medusa stores the `app_metadata` given whole; the Worker's PATCH sets the keys given and removes the
   * keys set to null, so the keys the new object leaves out are sent as null. */
  async updateAuthIdentities(data) {
    const updated = [];
    for (const item of asArray(data)) {
      if (!item || typeof item.id !== "string") {
        throw new MedusaError(Types.INVALID_DATA, "updateAuthIdentities: each update needs an id");
      }
      const current = await this.retrieveAuthIdentity(item.id);
      if (item.app_metadata === undefined) {
        updated.push(current);
        continue;
      }
      const next = item.app_metadata ?? {};
      const changes = { ...next };
      for (const key of Object.keys(current.app_metadata ?? {})) {
        if (!(key in next)) changes[key] = null;
      }
      const json = await this.call("PATCH", `/admin/auth-identities/${encodeURIComponent(item.id)}`, {
        body: { app_metadata: changes },
        idempotent: true,
      });
      updated.push(json.auth_identity);
    }
    return Array.isArray(data) ? updated : updated[0];
  }

  async deleteAuthIdentities(ids) {
    for (const id of asArray(ids)) {
      try {
        await this.call("DELETE", `/admin/auth-identities/${encodeURIComponent(id)}`, { idempotent: true });
      } catch (e) {
        // Gone already (or deleted by an earlier attempt whose answer was lost): what was asked.
        if (e.type !== Types.NOT_FOUND) throw e;
      }
    }
  }

  // ---- Provider identities ----

  /** Served from the identities that own them: by (entity_id, provider) and by auth identity, one
   * indexed read at the Worker; other filters page through the identities (of `provider`, if given). */
  async listProviderIdentities(filters = {}) {
    const wanted = {};
    for (const key of ["id", "entity_id", "provider", "auth_identity_id"]) {
      if (filters[key] !== undefined) wanted[key] = asArray(filters[key]).map(String);
    }
    // The Worker keeps emailpass emails trimmed and lower-cased: an email as typed (a reset token's
    // entity_id is the identifier the user typed) finds its provider identity.
    if (wanted.entity_id && wanted.provider?.length === 1 && wanted.provider[0] === "emailpass") {
      wanted.entity_id = wanted.entity_id.map((email) => email.trim().toLowerCase());
    }
    const single = (key) => wanted[key]?.length === 1 ? wanted[key][0] : undefined;
    let owners;
    if (single("entity_id") !== undefined && single("provider") !== undefined) {
      owners = await this.listAuthIdentities({
        provider_identities: { entity_id: single("entity_id"), provider: single("provider") },
      });
    } else if (wanted.auth_identity_id) {
      owners = await this.listAuthIdentities({ id: wanted.auth_identity_id });
    } else if (single("provider") !== undefined) {
      owners = await this.listAuthIdentities({ provider_identities: { provider: single("provider") } });
    } else {
      owners = await this.listAuthIdentities({});
    }
    return owners
      .flatMap((identity) => identity.provider_identities ?? [])
      .filter((pi) => Object.entries(wanted).every(([key, values]) => values.includes(String(pi[key]))));
  }

  async retrieveProviderIdentity(id) {
    const [found] = await this.listProviderIdentities({ id });
    if (!found) {
      throw new MedusaError(Types.NOT_FOUND, `ProviderIdentity with id: ${id} was not found`);
    }
    return found;
  }

  // ---- Providers ----

  /** `{id?}` → the providers the Worker has configured for any actor type, in Medusa's shape `{id,
   * identifier, display_name, flow}`, read from its public discovery routes (the backend's
   * `GET /auth/{actor}/providers` filters them by its own `authMethodsPerActor`). */
  async listAuthProviders(filters = {}) {
    const read = (path) => this.call("GET", path, { idempotent: true, publicRoute: true });
    const { actors } = await read("/auth/providers");
    const byId = new Map();
    for (const actor of Object.keys(actors ?? {})) {
      const { providers } = await read(`/auth/${encodeURIComponent(actor)}/providers`);
      for (const provider of providers) if (!byId.has(provider.id)) byId.set(provider.id, provider);
    }
    const wanted = filters?.id === undefined ? null : asArray(filters.id).map(String);
    return [...byId.values()].filter((provider) => !wanted || wanted.includes(provider.id));
  }

  // ---- Email verification (Medusa 2.16+'s `token` provider) ----

  /** `{auth_identity_id, entity_id, entity_type, code_provider?, metadata?}` → the verification with
   * `code` and `expires_at` (a `Date`), which the backend's workflow puts in its
   * `auth.verification_requested` event; one already verified comes back as it is, without a code. */
  async requestAuthVerification(data = {}) {
    const json = await this.call("POST", "/admin/verifications", { body: data });
    const out = { ...json.verification };
    if (json.code !== undefined) {
      out.code = json.code;
      out.expires_at = new Date(json.expires_at);
    }
    return out;
  }

  /** `{code, code_provider?, auth_identity_id?}` → the verification, verified; once. */
  async confirmAuthVerification(data = {}) {
    const body = { code: data.code, code_provider: data.code_provider, auth_identity_id: data.auth_identity_id };
    return (await this.call("POST", "/admin/verifications/confirm", { body })).verification;
  }

  /** The form `validateVerification` uses, `{auth_identity_id, entity_id, entity_type}`: none or one. */
  async listAuthVerifications(filters = {}) {
    const { auth_identity_id, entity_id, entity_type } = filters;
    if ([auth_identity_id, entity_id, entity_type].some((v) => typeof v !== "string" || v === "")) {
      throw new MedusaError(
        Types.INVALID_DATA,
        "edge-auth/medusa: listAuthVerifications needs filters.auth_identity_id, entity_id and entity_type",
      );
    }
    const body = { auth_identity_id, entity_id, entity_type };
    return (await this.call("POST", "/admin/verifications/find", { body, idempotent: true })).verifications;
  }

  // ---- Password reset: Medusa 2.16+'s single-use jti, embedded in the reset token the backend signs ----

  /** `{provider, entity_id, ttl_seconds?}` → `{jti, expires_at: Date}`; voids the identity's earlier jti. */
  async createPasswordResetToken(data = {}) {
    const body = { provider: data.provider, entity_id: data.entity_id };
    if (data.ttl_seconds !== undefined) body.ttl_seconds = data.ttl_seconds;
    const json = await this.call("POST", "/admin/password-reset-tokens", { body });
    return { jti: json.jti, expires_at: new Date(json.expires_at) };
  }

  /** `{jti, provider, entity_id}` → `{auth_identity_id, provider_identity_id, entity_id}`, once; a spent,
   * unknown, voided or expired jti throws Medusa's `unauthorized` "Invalid token". Not retried: an attempt
   * whose answer was lost may have spent it already. */
  async consumePasswordResetToken(data = {}) {
    const body = { jti: data.jti, provider: data.provider, entity_id: data.entity_id };
    return await this.call("POST", "/admin/password-reset-tokens/consume", { body });
  }

  // ---- MFA ----

  async listAuthMfa(filters = {}) {
    const id = filters.auth_identity_id;
    if (typeof id !== "string" || id === "") {
      throw new MedusaError(Types.INVALID_DATA, "listAuthMfa: filters.auth_identity_id is required");
    }
    const json = await this.call("GET", `/admin/auth-identities/${encodeURIComponent(id)}/mfa-factors`, {
      idempotent: true,
    });
    const wanted = Object.entries(filters).filter(([key, value]) => key !== "auth_identity_id" && value !== undefined);
    return json.mfa_factors.filter((factor) =>
      wanted.every(([key, value]) => asArray(value).map(String).includes(String(factor[key]))),
    );
  }

  /** `{id, auth_identity_id}`: one of the identity's factors (the backend's routes always name the
   * identity), else Medusa's `not_found`. */
  async retrieveAuthMfa(data = {}) {
    segment(data.id, "id");
    const [factor] = await this.listAuthMfa({ auth_identity_id: data.auth_identity_id, id: data.id });
    if (!factor) throw new MedusaError(Types.NOT_FOUND, `MFA factor with id "${data.id}" was not found`);
    return factor;
  }

  /** `{auth_identity_id, provider, label?, issuer?, metadata?}` → `{mfa, secret, otpauth_url}`. */
  async startAuthMfa(data = {}) {
    const json = await this.call("POST", "/admin/mfa/factors", { body: data });
    return { mfa: json.mfa_factor, secret: json.secret, otpauth_url: json.otpauth_url };
  }

  /** `{id, auth_identity_id?, code}` → the factor, enabled by its first code. */
  async verifyAuthMfa(data = {}) {
    const { id, ...body } = data;
    return (await this.call("POST", `/admin/mfa/factors/${segment(id, "id")}/verify`, { body })).mfa_factor;
  }

  /** `{id, auth_identity_id?}` → the factor, disabled (Medusa's default `session` policy: no code). */
  async disableAuthMfa(data = {}) {
    const body = { auth_identity_id: data.auth_identity_id };
    return (await this.call("POST", `/admin/mfa/factors/${segment(data.id, "id")}/disable`, { body })).mfa_factor;
  }

  /** `{auth_identity_id, count?}` → `{codes}`, replacing the identity's earlier codes; shown this once. */
  async generateAuthMfaRecoveryCodes(data = {}) {
    const json = await this.call("POST", "/admin/mfa/recovery-codes", { body: data });
    return { codes: json.recovery_codes };
  }

  /** `{auth_identity_id, auth_provider?}` → a challenge (`methods`, `expires_at`, `attempts` …). */
  async createAuthMfaChallenge(data = {}) {
    const body = { auth_identity_id: data.auth_identity_id, auth_provider: data.auth_provider ?? null };
    return (await this.call("POST", "/admin/mfa/challenges", { body })).mfa_challenge;
  }

  /** `{id, method, code, auth_identity_id?}` → the challenge, completed; a wrong code counts an attempt.
   * Never retried: each attempt counts. */
  async verifyAuthMfaChallenge(data = {}) {
    const { id, ...body } = data;
    return (await this.call("POST", `/admin/mfa/challenges/${segment(id, "id")}/verify`, { body })).mfa_challenge;
  }
}

/** `value` as one path segment; a missing id is Medusa's `invalid_data`, not a request for another path. */
function segment(value, name) {
  if (typeof value !== "string" || value === "") {
    throw new MedusaError(Types.INVALID_DATA, `${name} must be a non-empty string`);
  }
  return encodeURIComponent(value);
}

// The module methods the bridge does not serve: the Worker's own /auth routes do (the storefront and the
// admin talk to the Worker for them). Refused, never silently accepted.
const SERVED_BY_THE_WORKER = [
  "useAuthMfaRecoveryCode",
  "retrieveAuthVerification",
  "listAndCountAuthVerifications",
  "createProviderIdentities",
  "updateProviderIdentities",
  "deleteProviderIdentities",
];
for (const name of SERVED_BY_THE_WORKER) {
  EdgeAuthModuleService.prototype[name] = async function () {
    throw new MedusaError(
      Types.NOT_ALLOWED,
      `edge-auth/medusa: ${name} is not available through the backend; the edge-auth Worker at ${this.options_.base} serves it on its /auth routes (see docs/medusa-backend.md)`,
    );
  };
}

function safeResolve(container, name) {
  try {
    return container?.[name] ?? container?.resolve?.(name);
  } catch {
    return undefined;
  }
}

/** Checks the options when Medusa loads the module, so a missing url or secret stops the start. */
async function optionsLoader({ options }) {
  parseOptions(options);
}

const definition = { service: EdgeAuthModuleService, loaders: [optionsLoader] };
const moduleExport = medusa?.Module ? medusa.Module(medusa.Modules?.AUTH ?? "auth", definition) : definition;

module.exports = moduleExport;
module.exports.EdgeAuthModuleService = EdgeAuthModuleService;
module.exports.MedusaError = MedusaError;
module.exports.parseOptions = parseOptions;
