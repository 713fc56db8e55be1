// Must NOT compile. Each line marked `// error TSxxxx` must produce exactly that error, and no other line
// may produce one (tests/npm/package.test.mjs checks tsc's output against these marks).
import { AuthModuleService, EdgeAuthError, MemoryStore } from "edge-auth";

const store = new MemoryStore();
new AuthModuleService(); // error TS2554
new AuthModuleService({ providers: [] }); // error TS2741
new AuthModuleService({ store, provider: [] }); // error TS2561
new AuthModuleService({ store: {} }); // error TS2739
new AuthModuleService({ store: { get: (key: number) => null, put() {}, delete() {}, list: () => ({ keys: [], list_complete: true }) } }); // error TS2322
new AuthModuleService({ store, providers: [{ id: "emailpas" }] }); // error TS2322
new AuthModuleService({ store, providers: [{ id: "emailpass", options: { iterations: "600000" } }] }); // error TS2322
new AuthModuleService({ store, providers: [{ id: "emailpass", options: { rounds: 1 } }] }); // error TS2353
new AuthModuleService({ store, providers: [{ id: "google", options: { clientId: "i", clientSecret: "s" } }] }); // error TS2322
new AuthModuleService({ store, providers: [{ id: "corp", options: { issuer: "i", clientId: "i", clientSecret: "s", callbackUrl: "u" } }] }); // error TS2322
new AuthModuleService({ store, providers: [{ id: "corp", type: "oidc", options: { issuer: "i", clientId: "i", clientSecret: "s", callbackUrl: "u", scopes: [1] } }] }); // error TS2322

const service = new AuthModuleService({ store });

export async function misuse(): Promise<void> {
  await service.register("emailpass"); // error TS2554
  await service.register(1, { body: {} }); // error TS2345
  await service.authenticate("emailpass", { body: "email=a" }); // error TS2322
  await service.authenticate("emailpass", { bdy: {} }); // error TS2561
  await service.authenticate("emailpass", { headers: { "x-n": 1 } }); // error TS2322
  await service.updateProvider("emailpass"); // error TS2554

  const response = await service.authenticate("emailpass", { body: {} });
  response.authIdentity.id; // error TS18048
  if (!response.success) response.authIdentity.id; // error TS18048
  const wrongFlag: "yes" = response.success; // error TS2322

  const one = await service.createAuthIdentities({});
  one.length; // error TS2339
  const many = await service.createAuthIdentities([{}]);
  many.id; // error TS2339
  await service.createAuthIdentities({ provider_identities: [{ entity_id: 1, provider: "p" }] }); // error TS2769
  await service.updateAuthIdentities({ app_metadata: {} }); // error TS2769
  await service.retrieveAuthIdentity(); // error TS2554
  await service.listAuthIdentities({ email: "a@b.co" }); // error TS2353
  await service.deleteAuthIdentities(1); // error TS2345

  try {
    await service.retrieveAuthIdentity("x");
  } catch (e) {
    if (e instanceof EdgeAuthError && e.code === "NOT_FOUNDD") return; // error TS2367
  }

  // Account methods.
  new AuthModuleService({ store, jwtSecret: 32 }); // error TS2322
  new AuthModuleService({ store, jwtSecret: "s", rateLimits: { login: {} } }); // error TS2353
  new AuthModuleService({ store, jwtSecret: "s", sessionTtl: 3600 }); // error TS2322
  new AuthModuleService({ store, jwtSecret: "s", jwtAlgorithm: "RS256" }); // error TS2820
  (await service.jwks()).keys; // error TS2531
  await service.issueToken({ app_metadata: {} }, "customer"); // error TS2345
  await service.refreshToken(); // error TS2554
  const claims = await service.verifyToken("t");
  claims.actorId; // error TS2551
  await service.changePassword("t", "customer", "emailpass", { current_password: "a", password: "b" }); // error TS2561
  await service.consumePasswordResetToken("t", "customer", "emailpass", {}); // error TS2741
  const reset = await service.createPasswordResetToken("customer", "emailpass", "a@b.co");
  reset.token; // error TS18047
  await service.countAttempt("login", { provider: "emailpass" }); // error TS2345
  const ended: string = await service.deleteSession("id"); // error TS2322
}
