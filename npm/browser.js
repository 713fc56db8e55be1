// edge-auth for browsers and bundlers (Vite, webpack 5, esbuild, Rollup): fetches and instantiates the
// .wasm with top-level await, so the API is ready as soon as the import resolves. For manual
// initialisation without top-level await, import "edge-auth/web" instead.
import init from "./edge_auth.js";

await init({ module_or_path: new URL("./edge_auth_bg.wasm", import.meta.url) });

export { AuthModuleService, MemoryStore } from "./edge_auth.js";
export { EdgeAuthError } from "./errors.js";
