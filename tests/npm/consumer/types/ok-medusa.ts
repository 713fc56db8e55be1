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

export const isMedusa = (e: unknown): boolean => MedusaError.isMedusaError(e);
export const withService = new EdgeAuthModuleService({ logger: { error(message: string) { return message; } } }, options);
