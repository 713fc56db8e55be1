// edge-auth for Cloudflare Workers (the `workerd` / `worker` export conditions). Workers cannot compile
// WebAssembly from bytes at run time: the .wasm is imported as a module (wrangler hands it over as a
// compiled WebAssembly.Module) and instantiated synchronously, once per isolate.
import module from "./edge_auth_bg.wasm";
import { initSync } from "./edge_auth.js";

initSync({ module });

export { AuthModuleService, MemoryStore } from "./edge_auth.js";
export { EdgeAuthError } from "./errors.js";
