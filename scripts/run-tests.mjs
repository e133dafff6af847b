// Runs every workspace's tests with one exit code: first every test file but the browser ones,
// three at a time, then the browser tests (`*.browser.test.ts`) alone, so their timing promises
// (a message shown within a second) are not measured while heavy socket tests share the 2 cores.
// `node --test` with no files finds 0 TypeScript tests and still exits 0: refuse that here.
import { spawn } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const searchRoots = ["packages", "apps"].flatMap((dir) =>
  readdirSync(join(root, dir)).map((name) => join(root, dir, name)),
);

function findTests(dir, found = []) {
  for (const name of readdirSync(dir)) {
    if (name === "node_modules" || name === "dist" || name.startsWith(".")) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) findTests(path, found);
    else if (name.endsWith(".test.ts") || name.endsWith(".test.tsx")) found.push(path);
  }
  return found;
}

const filters = process.argv.slice(2);
const files = searchRoots
  .flatMap((dir) => findTests(dir))
  .map((path) => relative(root, path))
  .filter((path) => filters.length === 0 || filters.some((filter) => path.includes(filter)))
  .sort();

if (files.length === 0) {
  console.error(
    `run-tests: no test files found${filters.length ? ` matching ${filters.join(", ")}` : ""}`,
  );
  process.exit(1);
}
console.error(`run-tests: ${files.length} test files`);

/** One `node --test` run; resolves with its exit code. */
function run(group, concurrency) {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ["--import", "tsx", "--test", `--test-concurrency=${concurrency}`, ...group],
      { cwd: root, stdio: "inherit" },
    );
    child.on("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

const isBrowserTest = (path) => /\.browser\.test\.tsx?$/.test(path);
const phases = [
  { group: files.filter((path) => !isBrowserTest(path)), concurrency: 3 },
  { group: files.filter(isBrowserTest), concurrency: 1 },
].filter(({ group }) => group.length > 0);
let exitCode = 0;
for (const { group, concurrency } of phases) {
  const code = await run(group, concurrency);
  if (code !== 0) exitCode = code;
}
process.exit(exitCode);
