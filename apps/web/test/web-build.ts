import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

// Browser test files run in parallel processes and may each find the build stale: a lock directory
// makes one of them build while the others wait, and each then serves its own copy of dist, so a
// later rebuild (by a developer or another run) can never hand a running test half a build.

export const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const WEB_DIR = join(REPO_ROOT, "apps/web");
const DIST_DIR = join(WEB_DIR, "dist");
/** What the bundle is built from: a newer file here means dist is stale. */
const SOURCES = [
  join(WEB_DIR, "src"),
  join(WEB_DIR, "build.mjs"),
  join(WEB_DIR, "package.json"),
  join(REPO_ROOT, "packages/protocol/src"),
];
const LOCK_WAIT_MS = 180_000;
const LOCK_POLL_MS = 100;

let prepared: Promise<string> | undefined;

/**
 * A private copy of an up-to-date apps/web/dist (built first with `npm run build -w apps/web` when
 * missing or older than its sources), once per test process. Removed when the process exits.
 */
export function preparedWebDist(): Promise<string> {
  prepared ??= withBuildLock(async () => {
    if (!isBuildFresh()) await runBuild();
    const copy = mkdtempSync(join(tmpdir(), "clofri-web-dist-"));
    cpSync(DIST_DIR, copy, { recursive: true });
    process.once("exit", () => rmSync(copy, { recursive: true, force: true }));
    return copy;
  });
  return prepared;
}

function isBuildFresh(): boolean {
  let builtAtMs: number;
  try {
    builtAtMs = statSync(join(DIST_DIR, "index.html")).mtimeMs;
  } catch {
    return false;
  }
  return SOURCES.every((source) => newestMtimeMs(source) <= builtAtMs);
}

function newestMtimeMs(path: string): number {
  const stats = statSync(path, { throwIfNoEntry: false });
  if (!stats) return 0;
  if (!stats.isDirectory()) return stats.mtimeMs;
  let newest = stats.mtimeMs;
  for (const name of readdirSync(path)) {
    if (name === "node_modules" || name.endsWith(".test.ts")) continue;
    newest = Math.max(newest, newestMtimeMs(join(path, name)));
  }
  return newest;
}

function runBuild(): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn("npm", ["run", "build", "-w", "apps/web"], {
      cwd: REPO_ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.on("error", reject);
    child.on("exit", (code) => {
      if (code === 0) resolve();
      else reject(new Error(`npm run build -w apps/web failed (exit ${code}):\n${output}`));
    });
  });
}

async function withBuildLock<T>(work: () => Promise<T>): Promise<T> {
  const key = createHash("sha256").update(REPO_ROOT).digest("hex").slice(0, 12);
  const lock = join(tmpdir(), `clofri-web-build-${key}.lock`);
  const deadline = Date.now() + LOCK_WAIT_MS;
  while (!tryLock(lock)) {
    if (Date.now() > deadline) throw new Error(`waited ${LOCK_WAIT_MS} ms for ${lock}`);
    await new Promise((resolve) => setTimeout(resolve, LOCK_POLL_MS));
  }
  try {
    return await work();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** mkdir is atomic; a lock whose owner died (killed test run) is taken over. */
function tryLock(lock: string): boolean {
  try {
    mkdirSync(lock);
    writeFileSync(join(lock, "pid"), String(process.pid));
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  }
  const owner = lockOwner(lock);
  if (owner > 0 && !isAlive(owner)) rmSync(lock, { recursive: true, force: true });
  return false;
}

function lockOwner(lock: string): number {
  try {
    return Number(readFileSync(join(lock, "pid"), "utf8"));
  } catch {
    // Released meanwhile, or taken and its pid not written yet: either way, try again.
    return 0;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
