// edge-auth/medusa's types as a Medusa project's TypeScript sees them (the module's own .d.ts, no Medusa
// packages installed).
import definition, {
  EdgeAuthModuleService,
  MedusaError,
  parseOptions,
  type AuthenticationResponse,
  type EdgeAuthMedusaOptions,
} from "edge-auth/medusa";

const options: EdgeAuthMedusaOptions = { url: "https://auth.example.com", adminSecret: "s", timeoutMs: 5000 };
const service: EdgeAuthModuleService = new definition.service({}, options);

export async function signIn(email: string, password: string): Promise<string | undefined> {
  const answer: AuthenticationResponse = await service.authenticate("emailpass", { body: { email, password } });
  if (!answer.success) return answer.error;
  const identity = await service.retrieveAuthIdentity(answer.authIdentity!.id);
  const [pi] = await service.listProviderIdentities({ entity_id: email, provider: "emailpass" });
  const factors = await service.listAuthMfa({ auth_identity_id: identity.id, status: "enabled" });
  await service.updateAuthIdentities({ id: identity.id, app_metadata: { customer_id: "cus_1" } });
  const many = await service.updateAuthIdentities([{ id: identity.id, app_metadata: null }]);
  return `${pi?.auth_identity_id}:${factors.length}:${many.length}:${parseOptions(options).timeoutMs}`;
}

// The backend's password reset, MFA and verification routes, as their module calls.
export async function resetAndMfa(email: string, password: string): Promise<string> {
  const { jti, expires_at } = await service.createPasswordResetToken({ provider: "emailpass", entity_id: email, ttl_seconds: 900 });
  const spent = await service.consumePasswordResetToken({ jti, provider: "emailpass", entity_id: email });
  const updated: AuthenticationResponse = await service.updateProvider("emailpass", { entity_id: spent.entity_id, password });
  const started = await service.startAuthMfa({ auth_identity_id: spent.auth_identity_id, provider: "totp" });
  const factor = await service.verifyAuthMfa({ id: started.mfa.id, auth_identity_id: spent.auth_identity_id, code: "123456" });
  const { codes } = await service.generateAuthMfaRecoveryCodes({ auth_identity_id: spent.auth_identity_id });
  const signedIn = await service.authenticate("emailpass", { body: { email, password } });
  const challenge = signedIn.mfaChallenge;
  const done = challenge
    ? await service.verifyAuthMfaChallenge({ id: challenge.id, method: "recovery_code", code: codes[0] })
    : undefined;
  const off = await service.disableAuthMfa({ id: factor.id, auth_identity_id: spent.auth_identity_id });
  const requested = await service.requestAuthVerification({ auth_identity_id: spent.auth_identity_id, entity_id: email, entity_type: "email" });
  const verified = requested.code ? await service.confirmAuthVerification({ code: requested.code }) : requested;
  const [listed] = await service.listAuthVerifications({ auth_identity_id: spent.auth_identity_id, entity_id: email, entity_type: "email" });
  return `${expires_at.toISOString()}:${updated.success}:${done?.completed_at}:${off.status}:${verified.verified_at}:${listed?.id}`;
}

export const isMedusa = (e: unknown): boolean => MedusaError.isMedusaError(e);
export const withService = new EdgeAuthModuleService({ logger: { error(message: string) { return message; } } }, options);
