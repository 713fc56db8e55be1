// edge-auth with manual initialisation (no top-level await): call `await init()` (or
// `initSync({ module })` with a WebAssembly.Module or the .wasm bytes) before using the API.
export { default, initSync, AuthModuleService, MemoryStore } from "./edge_auth.js";
export { EdgeAuthError } from "./errors.js";
