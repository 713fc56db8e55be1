// Types of "edge-auth/web": the same API, initialised by hand with `init()` or `initSync()`.
export * from "./index.js";
export { default, initSync } from "./edge_auth.js";
export type { InitInput, InitOutput, SyncInitInput } from "./edge_auth.js";
