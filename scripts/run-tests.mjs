// Runs every workspace's tests with one exit code: first every test file but the browser ones,
// three at a time, then the real-socket tests again on a cluster pair, then the browser tests
// (`*.browser.test.ts`) alone, so their timing promises (a message shown within a second) are not
// measured while heavy socket tests share the 2 cores.
// `node --test` with no files finds 0 TypeScript tests and still exits 0: refuse that here.
import { spawn } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
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

/**
 * A phase that runs this long has something stuck (a test file whose process never exits): it is
 * stopped and fails, rather than holding CI until its own limit.
 */
const PHASE_LIMIT_MS = 25 * 60_000;

/** One `node --test` run, in a process group of its own; resolves with its exit code. */
function run(group, concurrency, env = {}) {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ["--import", "tsx", "--test", `--test-concurrency=${concurrency}`, ...group],
      { cwd: root, stdio: "inherit", env: { ...process.env, ...env }, detached: true },
    );
    // Its own group, so that a stuck phase can be stopped whole: Ctrl-C must then reach it too.
    const stop = (signal) => {
      process.kill(-child.pid, "SIGKILL");
      process.exit(signal === "SIGINT" ? 130 : 143);
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
    const limit = setTimeout(() => {
      console.error(`run-tests: still running after ${PHASE_LIMIT_MS / 60_000} min; stopped`);
      process.kill(-child.pid, "SIGKILL");
    }, PHASE_LIMIT_MS);
    child.on("exit", (code, signal) => {
      clearTimeout(limit);
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolve(code ?? (signal ? 1 : 0));
    });
  });
}

const isBrowserTest = (path) => /\.browser\.test\.tsx?$/.test(path);
// The real-socket tests run once more on a cluster of two gateways (each new client on the next
// one), when there is a Postgres to share and a nats-server to start. /health and /metrics are
// each gateway's own: their cluster versions are in the cluster-*.test.ts files.
const isSocketTest = (path) => /\/test\/(ws-[^/]+|logs)\.test\.ts$/.test(path);
const natsServer = process.env.NATS_SERVER_PATH ?? "/usr/sbin/nats-server";
const canRunPair = Boolean(process.env.TEST_DATABASE_URL || process.env.DATABASE_URL);
const pairPhase = canRunPair && existsSync(natsServer);
if (!pairPhase && files.some(isSocketTest)) {
  console.error(
    "run-tests: the cluster pair pass is skipped (it needs TEST_DATABASE_URL and nats-server)",
  );
}
const phases = [
  { group: files.filter((path) => !isBrowserTest(path)), concurrency: 3 },
  {
    group: pairPhase ? files.filter(isSocketTest) : [],
    concurrency: 2,
    env: { TEST_CLUSTER_PAIR: "1" },
  },
  { group: files.filter(isBrowserTest), concurrency: 1 },
].filter(({ group }) => group.length > 0);
let exitCode = 0;
for (const { group, concurrency, env } of phases) {
  if (env?.TEST_CLUSTER_PAIR) console.error(`run-tests: ${group.length} files on a cluster pair`);
  const code = await run(group, concurrency, env);
  if (code !== 0) exitCode = code;
}
process.exit(exitCode);
