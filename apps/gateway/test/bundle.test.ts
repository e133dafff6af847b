import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { build } from "esbuild";
import pg from "pg";
import { gatewayBuildOptions, ROOT } from "../../../scripts/gateway-build.ts";
import { testDatabaseUrl } from "../src/db/test-engines.ts";
import { GatewayProcess } from "./gateway-process.ts";

// The production image holds the bundle and node_modules, no sources: the bundle is built into a
// directory of that shape, so a file it read from the checkout at run time would fail here.

const MIGRATIONS = readdirSync(join(ROOT, "migrations")).filter((name) => name.endsWith(".ts"));
/** Resident memory right after start-up, as docs/BENCHMARKS.md promises ("Footprint"). */
const MAX_STARTED_RSS_MB = { pglite: 300, postgres: 120 };

function residentMb(pid: number | undefined): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1]);
  assert.ok(kb > 0, `no VmRSS for process ${pid}`);
  return kb / 1024;
}

async function startsAndStops(gateway: GatewayProcess, maxRssMb: number): Promise<void> {
  const port = await gateway.port();
  assert.equal((await gateway.waitForEvent("starting")).uwsNative, true);
  const migrated = await gateway.waitForEvent("migrations_applied");
  assert.deepEqual(
    migrated.names,
    MIGRATIONS.map((name) => name.slice(0, -".ts".length)),
  );

  const response = await fetch(`http://127.0.0.1:${port}/health`);
  assert.equal(response.status, 200);
  assert.equal(((await response.json()) as { db?: unknown }).db, "up");
  const rssMb = residentMb(gateway.child.pid);
  assert.ok(rssMb <= maxRssMb, `resident ${rssMb.toFixed(0)} MB after start, over ${maxRssMb} MB`);

  gateway.child.kill("SIGTERM");
  assert.equal((await gateway.exited).code, 0);
}

describe("the bundled gateway on plain node", { timeout: 180_000 }, () => {
  let image: string;
  let bundle: string;

  before(async () => {
    image = mkdtempSync(join(tmpdir(), "clofri-image-"));
    symlinkSync(join(ROOT, "node_modules"), join(image, "node_modules"), "dir");
    mkdirSync(join(image, "apps/gateway/dist"), { recursive: true });
    bundle = join(image, "apps/gateway/dist/main.mjs");
    await build({ ...gatewayBuildOptions, outfile: bundle, logLevel: "error" });
  });

  after(() => rmSync(image, { recursive: true, force: true }));

  test("creates and migrates a new embedded database, answers /health, stays small", async () => {
    const gateway = new GatewayProcess({}, { nodeArgs: [bundle] });
    try {
      await startsAndStops(gateway, MAX_STARTED_RSS_MB.pglite);
    } finally {
      await gateway.stop();
    }
  });

  const serverUrl = testDatabaseUrl();
  if (serverUrl !== undefined) {
    test("migrates a new Postgres database, answers /health, stays small", async () => {
      const database = `clofri_bundle_${randomBytes(5).toString("hex")}`;
      const admin = new pg.Client({ connectionString: serverUrl });
      await admin.connect();
      await admin.query(`create database ${database}`);
      const url = new URL(serverUrl);
      url.pathname = `/${database}`;
      const gateway = new GatewayProcess({ DATABASE_URL: url.href }, { nodeArgs: [bundle] });
      try {
        await startsAndStops(gateway, MAX_STARTED_RSS_MB.postgres);
      } finally {
        await gateway.stop();
        await admin.query(`drop database if exists ${database} with (force)`);
        await admin.end();
      }
    });
  }
});
