// Must compile in a browser project (lib dom): "edge-auth/web", initialised by hand.
import init, { AuthModuleService, EdgeAuthError, MemoryStore, initSync } from "edge-auth/web";

await init();
export const later = (module: WebAssembly.Module) => initSync({ module });
export const service = new AuthModuleService({ store: new MemoryStore() });
export const isOurs = (e: unknown): boolean => e instanceof EdgeAuthError && e.code === "INVALID_STORE";
