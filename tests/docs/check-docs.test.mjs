// The docs link check (scripts/check-docs.mjs): it must report exactly the broken links of a fixture,
// agree with GitHub's heading ids, and pass on the project's real docs.
//
//   node --test "tests/docs/*.test.mjs"   (Node >= 21; or name the file)

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { dirname, join, resolve } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { anchorsOf, check, codeFiles, defaultFiles, slug } from "../../scripts/check-docs.mjs";

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const SCRIPT = join(REPO_ROOT, "scripts", "check-docs.mjs");
const BROKEN = join(REPO_ROOT, "tests", "docs", "fixtures", "broken", "README.md");
const CODE_REFS = join(REPO_ROOT, "tests", "docs", "fixtures", "code-refs");

function runCli(args) {
  return spawnSync(process.execPath, [SCRIPT, ...args], { cwd: REPO_ROOT, encoding: "utf8" });
}

test("a fixture with one missing file and one missing anchor: exactly those two are reported", () => {
  const { problems, checked } = check([BROKEN], { root: REPO_ROOT });
  assert.deepEqual(
    problems.map(({ line, target, problem }) => ({ line, target, problem })),
    [
      { line: 8, target: "missing.md", problem: "no such file: tests/docs/fixtures/broken/missing.md" },
      {
        line: 8,
        target: "other.md#no-such-heading",
        problem: "no heading with the anchor #no-such-heading in tests/docs/fixtures/broken/other.md",
      },
    ],
  );
  // 7 resolving inline links + the reference definition + the 2 broken ones; the external links, the
  // code span and the fenced block are not links to check.
  assert.equal(checked, 10);
});

test("the command line exits 1 naming file and line of each broken link", () => {
  const result = runCli([BROKEN]);
  assert.equal(result.status, 1, result.stderr);
  const lines = result.stderr.trim().split("\n");
  assert.deepEqual(lines, [
    "tests/docs/fixtures/broken/README.md:8: broken link missing.md: no such file: tests/docs/fixtures/broken/missing.md",
    "tests/docs/fixtures/broken/README.md:8: broken link other.md#no-such-heading: no heading with the anchor #no-such-heading in tests/docs/fixtures/broken/other.md",
    "check-docs: 2 broken of 1 files, 10 relative links",
  ]);
});

test("a file given on the command line that does not exist is a usage error (exit 2)", () => {
  const result = runCli(["tests/docs/fixtures/broken/no-such.md"]);
  assert.equal(result.status, 2);
  assert.match(result.stderr, /no such file: tests\/docs\/fixtures\/broken\/no-such\.md/);
});

test("docs/… references in source comments: exactly the missing page and the missing anchor are reported", () => {
  const { problems, checked } = check([join(CODE_REFS, "src", "lib.rs")], { root: CODE_REFS });
  assert.deepEqual(problems, [
    {
      file: "src/lib.rs",
      line: 2,
      target: "docs/page.md#no-such-section",
      problem: "no heading with the anchor #no-such-section in docs/page.md",
    },
    { file: "src/lib.rs", line: 2, target: "docs/missing.md", problem: "no such file: docs/missing.md" },
  ]);
  // The resolving reference on line 1 is checked too; `../docs/…` and `mydocs/…` are not references.
  assert.equal(checked, 3);
});

test("heading ids follow GitHub's rules: punctuation dropped, spaces to '-', repeats numbered", () => {
  assert.equal(slug("Strong consistency: a Durable Object beside KV"), "strong-consistency-a-durable-object-beside-kv");
  assert.equal(slug("PBKDF2 iterations and the Workers CPU limit"), "pbkdf2-iterations-and-the-workers-cpu-limit");
  assert.equal(slug("Node ≥ 20"), "node--20");
  assert.deepEqual(
    [...anchorsOf("# Notes\n## Notes\n### Notes\n## The sign-in page (`www/`)\n## `snake_case` and *emphasis*\n")],
    ["notes", "notes-1", "notes-2", "the-sign-in-page-www", "snake_case-and-emphasis"],
  );
  // Headings inside fenced code are not headings; setext headings and <a id> are anchors too.
  assert.deepEqual([...anchorsOf("```sh\n# a comment\n```\nTitle\n=====\n<a id=\"here\"></a>\n")], [
    "title",
    "here",
  ]);
});

test("the project's docs (README.md, docs/*.md, npm/README.md) have no broken link", () => {
  const files = defaultFiles(REPO_ROOT);
  assert.ok(files.some((f) => f.endsWith("README.md")));
  assert.ok(files.length >= 3, `expected the README, docs/ and npm/README.md, got ${files.join(", ")}`);
  const { problems, checked } = check(files, { root: REPO_ROOT });
  assert.deepEqual(problems, []);
  assert.ok(checked > 0, "no relative links found: the check would prove nothing");
  const result = runCli([]);
  assert.equal(result.status, 0, result.stderr);
});

test("the project's source files name only docs pages and anchors that exist (tests/docs/ left out)", () => {
  const files = codeFiles(REPO_ROOT);
  assert.ok(files.some((f) => f.endsWith("wrangler.toml")));
  assert.ok(!files.some((f) => f.includes(join("tests", "docs"))), "this suite's deliberate breakage must not be scanned");
  const { problems, checked } = check(files, { root: REPO_ROOT });
  assert.deepEqual(problems, []);
  assert.ok(checked > 0, "wrangler.toml names docs pages: none found means the scan is broken");
});
