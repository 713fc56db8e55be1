// The memory of a Worker's isolate in local workerd (Miniflare), read through the V8 inspector workerd serves
// on 127.0.0.1: its wasm linear memory (grows to the high-water mark, never shrinks; Workers' 128 MB limit
// applies to it) and its V8 JS heap. Shared by scripts/load.mjs and scripts/medusa-login.mjs; start the
// Worker with `inspectorPort: await freePort()`.

import { createServer } from "node:net";

export async function freePort() {
  const server = createServer().listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Connects to the user Worker's isolate; returns { memory(), close() }. */
export async function inspect(port) {
  const targets = await (await fetch(`http://127.0.0.1:${port}/json`)).json();
  const target = targets.find((t) => /core:user:/.test(t.title));
  if (!target) throw new Error(`no user Worker among the inspector targets: ${targets.map((t) => t.title)}`);
  const socket = new WebSocket(target.webSocketDebuggerUrl);
  await new Promise((resolve, reject) => {
    socket.addEventListener("open", resolve);
    socket.addEventListener("error", reject);
  });
  let nextId = 0;
  let contextId;
  const pending = new Map();
  socket.addEventListener("message", async (event) => {
    const message = JSON.parse(typeof event.data === "string" ? event.data : await event.data.text());
    if (message.method === "Runtime.executionContextCreated") contextId = message.params.context.id;
    pending.get(message.id)?.(message);
    pending.delete(message.id);
  });
  const call = (method, params = {}) =>
    new Promise((resolve) => {
      const id = ++nextId;
      pending.set(id, resolve);
      socket.send(JSON.stringify({ id, method, params }));
    });
  await call("Runtime.enable");
  return {
    /** { wasm, jsUsed, jsTotal } in MiB. */
    async memory() {
      const heap = (await call("Runtime.getHeapUsage")).result;
      // Every WebAssembly.Memory in the isolate (there is one: the module's).
      const prototype = await call("Runtime.evaluate", { expression: "WebAssembly.Memory.prototype", contextId });
      const memories = await call("Runtime.queryObjects", { prototypeObjectId: prototype.result.result.objectId });
      const sizes = await call("Runtime.callFunctionOn", {
        objectId: memories.result.objects.objectId,
        functionDeclaration: "function () { return this.reduce((sum, m) => sum + m.buffer.byteLength, 0); }",
        returnByValue: true,
      });
      const mib = (bytes) => bytes / 1048576;
      return { wasm: mib(sizes.result.result.value), jsUsed: mib(heap.usedSize), jsTotal: mib(heap.totalSize) };
    },
    close() {
      socket.close();
    },
  };
}
