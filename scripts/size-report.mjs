// Size report of a wasm module: bytes per section, then code bytes per crate (from the function names in
// the "name" custom section), then the largest functions. Reads the module only; needs no tools.
//
//   node scripts/size-report.mjs <module.wasm> [--top N]
//
// Crate attribution: a function is charged to the first path segment of its (demangled) name, looking
// through `<T as Trait>` to the type's crate, so generic code shows up under the crate that defines it,
// wherever it was monomorphised. Functions without a name (stripped modules) are "<unnamed>".

import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { parseArgs } from "node:util";
import { sections as readSections } from "./wasm-reader.mjs";

const { values: args, positionals } = parseArgs({
  allowPositionals: true,
  options: { top: { type: "string", default: "25" } },
});
if (positionals.length !== 1) {
  console.error("usage: node scripts/size-report.mjs <module.wasm> [--top N]");
  process.exit(2);
}
const bytes = readFileSync(positionals[0]);

// --- the module structure (scripts/wasm-reader.mjs reads the sections) -----------------------------------

const SECTION_NAMES = ["custom", "type", "import", "function", "table", "memory", "global", "export", "start",
  "element", "code", "data", "data count"];
const sections = [];
let importedFunctions = 0;
let codeBodies = []; // [size] in function-index order (after imports)
const functionNames = new Map();

for (const { id, end, reader: r } of readSections(bytes, positionals[0])) {
  const size = end - r.pos;
  let label = SECTION_NAMES[id] ?? `unknown ${id}`;
  if (id === 0) label = `custom "${r.name()}"`;

  if (id === 2) {
    // import: count function imports, which come first in the function index space
    const count = r.leb();
    for (let i = 0; i < count; i++) {
      r.name();
      r.name();
      const kind = r.byte();
      if (kind === 0) {
        r.leb();
        importedFunctions++;
      } else if (kind === 1) {
        r.pos++;
        const flags = r.leb();
        r.leb();
        if (flags & 1) r.leb();
      } else if (kind === 2) {
        const flags = r.leb();
        r.leb();
        if (flags & 1) r.leb();
      } else if (kind === 3) {
        r.pos += 2;
      } else if (kind === 4) {
        r.pos++;
        r.leb();
      }
    }
  } else if (id === 10) {
    const count = r.leb();
    for (let i = 0; i < count; i++) {
      const bodySize = r.leb();
      codeBodies.push(bodySize + 1); // + its size field, roughly
      r.pos += bodySize;
    }
  } else if (label === 'custom "name"') {
    while (r.pos < end) {
      const sub = r.byte();
      const subSize = r.leb();
      const subEnd = r.pos + subSize;
      if (sub === 1) {
        const count = r.leb();
        for (let i = 0; i < count; i++) {
          const index = r.leb();
          functionNames.set(index, r.name());
        }
      }
      r.pos = subEnd;
    }
  }
  sections.push({ label, size });
}

// --- attribution ----------------------------------------------------------------------------------------

function crateOf(fn) {
  if (!fn) return "<unnamed>";
  let s = fn.replace(/^__rustc\[[0-9a-f]+\]::/, "").replace(/\[[0-9a-f]+\]/g, "");
  // `<T as Trait>::f` and `<T>::f`: charge T's crate (unless T is a primitive or reference).
  while (s.startsWith("<")) {
    s = s.slice(1).replace(/^(&mut |&|\*const |\*mut |dyn |\[|\()+/, "");
  }
  const first = s.split(/::|<| |>|,|\]|\)|;/)[0];
  if (first === "") return "<runtime, glue, exports>";
  // `<[T] as Trait>`, `<(A, B) as Trait>`, `<T as Trait>` with T generic: library impls on slices/tuples.
  if (/^[A-Z][A-Za-z0-9]*$/.test(first) && !s.includes("::")) return "core/alloc (generic impls)";
  if (/^[A-Z]/.test(first)) return "core/alloc (generic impls)";
  if (!s.includes("::")) return fn.startsWith("__") || /^[a-z_]+$/.test(fn) ? "<runtime, glue, exports>" : first;
  if (["u8", "u16", "u32", "u64", "u128", "usize", "i8", "i16", "i32", "i64", "isize", "str", "bool", "char", "f32", "f64"].includes(first)) {
    return "core";
  }
  return first;
}

const perCrate = new Map();
const functions = codeBodies.map((size, i) => {
  const fn = functionNames.get(importedFunctions + i);
  const crate = crateOf(fn);
  perCrate.set(crate, (perCrate.get(crate) ?? 0) + size);
  return { fn: fn ?? `func[${importedFunctions + i}]`, size };
});

// --- report ----------------------------------------------------------------------------------------------

const total = bytes.length;
const kib = (n) => (n / 1024).toFixed(1);
const pct = (n, of) => ((100 * n) / of).toFixed(1);

console.log(`${positionals[0]}: ${total} bytes (${kib(total)} KiB), gzip -9 ${gzipSync(bytes, { level: 9 }).length} bytes (${kib(gzipSync(bytes, { level: 9 }).length)} KiB)`);
console.log("");
console.log("| section | bytes | % |");
console.log("|---|---:|---:|");
for (const { label, size } of [...sections].sort((a, b) => b.size - a.size)) {
  console.log(`| ${label} | ${size} | ${pct(size, total)} |`);
}

const codeTotal = codeBodies.reduce((a, b) => a + b, 0);
console.log("");
console.log(`Code by crate (${codeBodies.length} functions, ${codeTotal} bytes of code):`);
console.log("");
console.log("| crate | code bytes | % of code |");
console.log("|---|---:|---:|");
for (const [crate, size] of [...perCrate].sort((a, b) => b[1] - a[1])) {
  console.log(`| ${crate} | ${size} | ${pct(size, codeTotal)} |`);
}

const top = Number(args.top);
if (top > 0) {
  console.log("");
  console.log(`Largest ${top} functions:`);
  console.log("");
  console.log("| code bytes | function |");
  console.log("|---:|---|");
  for (const { fn, size } of functions.sort((a, b) => b.size - a.size).slice(0, top)) {
    console.log(`| ${size} | \`${fn.length > 140 ? fn.slice(0, 137) + "..." : fn}\` |`);
  }
}
