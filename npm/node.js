// edge-auth for Node >= 20 (the `node` export condition): reads the .wasm beside this file and instantiates it
// synchronously, so the API is ready as soon as the import resolves.
import { readFileSync } from "node:fs";
import { initSync } from "./edge_auth.js";

initSync({ module: readFileSync(new URL("./edge_auth_bg.wasm", import.meta.url)) });

export { AuthModuleService, MemoryStore } from "./edge_auth.js";
export { EdgeAuthError } from "./errors.js";
