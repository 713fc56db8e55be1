// Must compile (tsc --strict): the seed page's calls and typical uses, against the installed package.
import {
  AuthModuleService,
  EdgeAuthError,
  MemoryStore,
  type AuthenticationResponse,
  type AuthIdentity,
  type EdgeAuthErrorCode,
  type KvStoreLike,
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
