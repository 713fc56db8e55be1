// Types of the "edge-auth" entry (the same for Workers, Node and browsers). types.d.ts is the API's
// declarations (src/js/types.d.ts, also in edge_auth.d.ts); unlike edge_auth.d.ts it needs no DOM types.
export { AuthModuleService, MemoryStore } from "./types.js";
export type {
  AuthenticationFailure,
  AuthenticationInput,
  AuthenticationRedirect,
  AuthenticationResponse,
  AuthenticationSuccess,
  AuthIdentity,
  AuthIdentityFilter,
  AuthModuleServiceOptions,
  CreateAuthIdentity,
  CreateProviderIdentity,
  EmailPassOptions,
  EmailPassProviderConfig,
  GithubOptions,
  GithubProviderConfig,
  GoogleOptions,
  GoogleProviderConfig,
  KvListResult,
  KvStoreLike,
  ListConfig,
  Metadata,
  OidcOptions,
  OidcProviderConfig,
  ProviderConfig,
  ProviderIdentity,
  ProviderIdentityFilter,
  RetrieveConfig,
  UpdateAuthIdentity,
  UpdateProviderIdentity,
} from "./types.js";
export { EdgeAuthError, type EdgeAuthErrorCode } from "./errors.js";
