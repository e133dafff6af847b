// Runs every workspace's tests in one `node --test` run, so there is one summary and one exit code.
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

const child = spawn(
  process.execPath,
  ["--import", "tsx", "--test", "--test-concurrency=3", ...files],
  { cwd: root, stdio: "inherit" },
);
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
