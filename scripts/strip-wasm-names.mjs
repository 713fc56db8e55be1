// Removes the debugging custom sections ("name": function names; "producers": toolchain names) from a wasm
// module, in place or into a second file. Everything else is copied byte for byte. The Worker never reads
// them, and "name" alone is ~20 % of the module (~50 KB gzipped).
//
//   node scripts/strip-wasm-names.mjs <in.wasm> [out.wasm]

import { readFileSync, writeFileSync } from "node:fs";
import { sections } from "./wasm-reader.mjs";

const [input, output = input] = process.argv.slice(2);
if (!input) {
  console.error("usage: node scripts/strip-wasm-names.mjs <in.wasm> [out.wasm]");
  process.exit(2);
}
const DROP = new Set(["name", "producers"]);

const bytes = readFileSync(input);
const kept = [bytes.subarray(0, 8)];
for (const { id, start, end, reader } of sections(bytes, input)) {
  const drop = id === 0 && DROP.has(reader.name());
  if (!drop) kept.push(bytes.subarray(start, end));
}
writeFileSync(output, Buffer.concat(kept));
