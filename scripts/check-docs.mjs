#!/usr/bin/env node
// Fails on a relative link in the docs that leads nowhere: a file or folder that does not exist, or an
// `#anchor` that no heading of the target Markdown file produces. Anchors follow GitHub's rules for
// heading ids (lower-case, spaces to `-`, punctuation dropped, repeats get `-1`, `-2` …), since GitHub
// is where these files are read. External links (`https:`, `mailto:` …) are not fetched.
//
//   node scripts/check-docs.mjs            README.md, docs/*.md and npm/README.md, plus every reference to
//                                          `docs/<page>.md#<anchor>` in the project's other files (src/,
//                                          scripts/, tests/, wrangler.toml …: module headers link to the docs)
//   node scripts/check-docs.mjs FILE …     only these (the tests use fixtures this way)
//
// Exit 0 when every link resolves, 1 with one line per broken link (`file:line: …`), 2 on bad usage.
// No dependencies: it runs on any Node >= 18.

import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** The Markdown files the project's docs consist of. */
export function defaultFiles(root = REPO_ROOT) {
  const docs = join(root, "docs");
  const inDocs = existsSync(docs)
    ? readdirSync(docs)
        .filter((name) => name.endsWith(".md"))
        .sort()
        .map((name) => join(docs, name))
    : [];
  return [join(root, "README.md"), ...inDocs, join(root, "npm", "README.md")].filter((f) => existsSync(f));
}

/**
 * GitHub's id for a heading's text: lower-cased, every character that is not a letter, a mark, a digit,
 * `_`, `-` or a space dropped, then each space turned into `-` (runs are not collapsed).
 */
export function slug(text) {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, "")
    .replace(/ /g, "-");
}

/** What a heading's Markdown shows as text: links keep their label, code spans their content verbatim. */
function headingText(markdown) {
  const labelled = markdown
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1") // [label](url), ![alt](src)
    .replace(/!?\[([^\]]*)\]\[[^\]]*\]/g, "$1"); // [label][ref]
  let text = "";
  let last = 0;
  for (const span of labelled.matchAll(/(`+)(.*?)\1/g)) {
    text += inlineProse(labelled.slice(last, span.index)) + span[2];
    last = span.index + span[0].length;
  }
  return (text + inlineProse(labelled.slice(last))).trim();
}

/** Heading text outside code spans: no HTML tags, escapes or emphasis markers (`_` inside words stays). */
function inlineProse(text) {
  return text
    .replace(/<[^>]*>/g, "")
    .replace(/\\([!-/:-@[-`{-~])/g, "$1")
    .replace(/[*~]/g, "")
    .replace(/(^|[^\p{L}\p{N}])_+|_+(?=[^\p{L}\p{N}]|$)/gu, "$1");
}

const FENCE = /^ {0,3}(`{3,}|~{3,})/;

/**
 * The lines of a Markdown text outside fenced code blocks, as `{ number, text }` (1-based line numbers).
 */
function proseLines(markdown) {
  const out = [];
  let fence = null;
  markdown.split(/\r?\n/).forEach((text, i) => {
    const opening = FENCE.exec(text);
    if (fence) {
      // A closing fence: the same character, at least as long, nothing after it.
      const closing = /^ {0,3}(`{3,}|~{3,})[ \t]*$/.exec(text);
      if (closing && closing[1][0] === fence[0] && closing[1].length >= fence.length) fence = null;
      return;
    }
    if (opening) {
      fence = opening[1];
      return;
    }
    out.push({ number: i + 1, text });
  });
  return out;
}

/** Every anchor a Markdown file defines: its headings' ids (with GitHub's `-N` suffixes) and `<a id|name>`. */
export function anchorsOf(markdown) {
  const anchors = new Set();
  const seen = new Map();
  const add = (text) => {
    const base = slug(headingText(text));
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count === 0 ? base : `${base}-${count}`);
  };
  const lines = proseLines(markdown);
  lines.forEach(({ text }, i) => {
    const atx = /^ {0,3}#{1,6}(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/.exec(text);
    if (atx) {
      add(atx[1] ?? "");
    } else {
      // A setext heading: a paragraph line underlined with === or ---.
      const next = lines[i + 1];
      const underlined = next && next.number === lines[i].number + 1 && /^ {0,3}(=+|-+)[ \t]*$/.test(next.text);
      const paragraph = text.trim() !== "" && !/^ {0,3}([>|*+-]|\d+[.)]|    )/.test(text);
      if (underlined && paragraph) add(text.trim());
    }
    for (const match of text.matchAll(/<a\s[^>]*?\b(?:id|name)\s*=\s*["']([^"']+)["']/gi)) {
      anchors.add(match[1]);
    }
  });
  return anchors;
}

/** `text` with its code spans blanked out (same length, so columns stay meaningful). */
function withoutCodeSpans(text) {
  return text.replace(/(`+)(.*?)\1/g, (span) => " ".repeat(span.length));
}

/** Every link target in a Markdown file, with its line: inline links, images and reference definitions. */
export function linksOf(markdown) {
  const links = [];
  for (const { number, text } of proseLines(markdown)) {
    const prose = withoutCodeSpans(text);
    for (const match of prose.matchAll(/\]\(\s*(<[^>]*>|[^\s)]+)(?:\s+(?:"[^"]*"|'[^']*'))?\s*\)/g)) {
      links.push({ line: number, target: match[1].replace(/^<|>$/g, "") });
    }
    const definition = /^ {0,3}\[[^\]]+\]:\s*(<[^>]*>|\S+)/.exec(prose);
    if (definition) links.push({ line: number, target: definition[1].replace(/^<|>$/g, "") });
    for (const match of prose.matchAll(/<a\s[^>]*?\bhref\s*=\s*["']([^"']+)["']/gi)) {
      links.push({ line: number, target: match[1] });
    }
  }
  return links;
}

const isExternal = (target) => /^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith("//");

function decode(text) {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * Checks `files`; returns the broken links as `{ file, line, target, problem }` (paths relative to
 * `root`), in file and line order, and how many relative links were checked. Markdown files are read for
 * links; any other file (source, TOML, shell) for references to `docs/<page>.md#<anchor>`, which are
 * resolved from `root` (how code comments name the docs). Anchors are checked in Markdown targets only
 * (GitHub's `#L10` line anchors into source files are not headings).
 */
export function check(files, { root = REPO_ROOT } = {}) {
  const problems = [];
  const anchorCache = new Map();
  const anchorsIn = (path) => {
    if (!anchorCache.has(path)) anchorCache.set(path, anchorsOf(readFileSync(path, "utf8")));
    return anchorCache.get(path);
  };
  let checked = 0;
  for (const file of files) {
    const path = resolve(file);
    const text = readFileSync(path, "utf8");
    const isMarkdownFile = path.endsWith(".md");
    const links = isMarkdownFile ? linksOf(text) : docReferencesOf(text);
    for (const { line, target } of links) {
      if (isExternal(target)) continue;
      checked += 1;
      const hash = target.indexOf("#");
      const pathPart = decode(hash === -1 ? target : target.slice(0, hash));
      const anchor = hash === -1 ? null : decode(target.slice(hash + 1));
      const base = pathPart.startsWith("/") || !isMarkdownFile ? root : dirname(path);
      const destination = pathPart === "" ? path : join(base, pathPart.split("?")[0]);
      const report = (problem) => problems.push({ file: relative(root, path), line, target, problem });
      if (!existsSync(destination)) {
        report(`no such file: ${relative(root, destination)}`);
        continue;
      }
      const isMarkdown = statSync(destination).isFile() && destination.endsWith(".md");
      if (anchor !== null && isMarkdown && !anchorsIn(destination).has(anchor)) {
        report(`no heading with the anchor #${anchor} in ${relative(root, destination)}`);
      }
    }
  }
  return { problems, checked };
}

/** References to the docs in a non-Markdown file: `docs/<page>.md`, optionally with `#<anchor>`. */
export function docReferencesOf(text) {
  const refs = [];
  text.split(/\r?\n/).forEach((line, i) => {
    for (const match of line.matchAll(/(?<![\w./-])docs\/[\w-]+\.md(?:#[\w-]+)?/g)) {
      refs.push({ line: i + 1, target: match[0] });
    }
  });
  return refs;
}

/** Folders whose files are searched for `docs/…` references, and what inside them is not the project's. */
const CODE_DIRS = ["src", "scripts", "tests", "worker", "www", "benches", "npm", ".ci"];
const CODE_FILES = ["Cargo.toml", "wrangler.toml", "package.json"];
const SKIPPED = new Set(["node_modules", "target", "pkg", "build", "test-artifacts"]);
/** This checker's own tests and fixtures, which name broken docs on purpose. */
const OWN_TESTS = join("tests", "docs");

/** The project's non-Markdown files that may name a docs page (build output and tests/docs/ left out). */
export function codeFiles(root = REPO_ROOT) {
  const out = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (SKIPPED.has(entry.name) || relative(root, path) === OWN_TESTS) continue;
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile() && !entry.name.endsWith(".md")) out.push(path);
    }
  };
  for (const dir of CODE_DIRS) if (existsSync(join(root, dir))) walk(join(root, dir));
  for (const file of CODE_FILES) if (existsSync(join(root, file))) out.push(join(root, file));
  return out.sort();
}

function main(argv) {
  if (argv.some((a) => a === "-h" || a === "--help")) {
    console.log(
      "usage: node scripts/check-docs.mjs [FILE ...]\n" +
        "  default: README.md, docs/*.md, npm/README.md, and docs/… references in the project's other files",
    );
    return 0;
  }
  const files = argv.length > 0 ? argv : [...defaultFiles(), ...codeFiles()];
  const missing = files.filter((f) => !existsSync(f));
  if (missing.length > 0) {
    console.error(`check-docs: no such file: ${missing.join(", ")}`);
    return 2;
  }
  const { problems, checked } = check(files);
  for (const p of problems) console.error(`${p.file}:${p.line}: broken link ${p.target}: ${p.problem}`);
  const summary = `${files.length} files, ${checked} relative links`;
  if (problems.length > 0) {
    console.error(`check-docs: ${problems.length} broken of ${summary}`);
    return 1;
  }
  console.log(`check-docs: ${summary}, all resolve`);
  return 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2));
}
