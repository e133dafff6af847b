import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { setFlagsFromString } from "node:v8";
import { PGlite } from "@electric-sql/pglite";

/**
 * Postgres's defaults size a database server: 128 MB of shared buffers and lock tables for 100
 * connections, all of which PGlite allocates and touches inside its WebAssembly heap at start
 * (141 MB resident before the first query). A chat server's social graph is a few MB; past the
 * buffers, pages come from the OS page cache, since PGlite's files are plain files.
 */
const SERVER_SETTINGS: Readonly<Record<string, string>> = {
  shared_buffers: "16MB",
  // Single-user mode: one session, however many slots are reserved.
  max_connections: "4",
};

export const PGLITE_START_PARAMS: readonly string[] = [
  ...PGlite.defaultStartParams,
  ...Object.entries(SERVER_SETTINGS).flatMap(([name, value]) => ["-c", `${name}=${value}`]),
];

/**
 * V8 optimizes PGlite's hot functions on background threads, one compile job per core at once;
 * the memory those jobs leave in malloc arenas stays resident (~20 MB measured). One job at a
 * time keeps the same optimized code. Read when a compile job is scheduled, so it may be set here.
 */
export function limitWasmCompileThreads(): void {
  setFlagsFromString("--wasm-num-compilation-tasks=1");
}

const PGLITE_MODULE = import.meta.resolve("@electric-sql/pglite");
/** Creates the cluster (initdb) in a data directory, then closes it. */
const INITDB_SCRIPT = `
const { PGlite } = await import(process.argv[1]);
const pglite = await PGlite.create({ dataDir: process.argv[2] });
await pglite.close();
`;

/**
 * Creates the cluster of an empty data directory in a child process. PGlite runs initdb in a
 * second WebAssembly instance and copies its whole heap; done in this process, that garbage kept
 * some 500 MB resident until a full GC happened to run.
 */
export async function createClusterInChildProcess(location: string): Promise<void> {
  if (existsSync(join(location, "PG_VERSION"))) return;
  await new Promise<void>((resolve, reject) => {
    execFile(
      process.execPath,
      ["--input-type=module", "--eval", INITDB_SCRIPT, PGLITE_MODULE, location],
      { env: {}, maxBuffer: 1024 * 1024 },
      (error, _stdout, stderr) => {
        if (error) reject(new Error(`initdb failed: ${stderr.trim() || error.message}`));
        else resolve();
      },
    );
  });
}
