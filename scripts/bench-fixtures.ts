// Times `POST /admin/fixtures` creating 10,000 users with sessions and 2,500 groups of 4 (befriend
// "group") against the real gateway in this process: on PGlite in a fresh data directory, and on
// Postgres in a fresh schema (dropped afterwards) when DATABASE_URL or TEST_DATABASE_URL is set.
// Run from the repo root: node --import tsx scripts/bench-fixtures.ts [runs per engine, default 2]

import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import { loadConfig } from "../apps/gateway/src/config.ts";
import { type DatabaseHandle, openDatabase } from "../apps/gateway/src/db/create-database.ts";
import { migrateToLatest } from "../apps/gateway/src/db/migrate.ts";
import { startGateway } from "../apps/gateway/src/gateway.ts";
import { createLogger } from "../apps/gateway/src/obs/logger.ts";

const USERS = 10_000;
const GROUPS = 2_500;
const GROUP_SIZE = 4;
const TARGET_SECONDS = 10;
const ADMIN_TOKEN = randomBytes(24).toString("base64url");
const TABLES = ["users", "sessions", "groups", "group_members", "friendships"] as const;

interface Bench {
  name: string;
  open(): Promise<{ database: DatabaseHandle; cleanUp(): Promise<void> }>;
}

function spec() {
  const groups = Array.from({ length: GROUPS }, (_, g) => ({
    name: `Load group ${g}`,
    members: Array.from({ length: GROUP_SIZE }, (_, k) => (g * GROUP_SIZE + k) % USERS),
  }));
  return { users: USERS, groups, befriend: "group" };
}

const pglite: Bench = {
  name: "pglite (file data dir)",
  async open() {
    const dataDir = await mkdtemp(join(tmpdir(), "clofri-bench-fixtures-"));
    const database = await openDatabase({ dataDir });
    await migrateToLatest(database.db);
    return {
      database,
      async cleanUp() {
        await database.close();
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  },
};

function postgres(databaseUrl: string): Bench {
  return {
    name: "postgres (fresh schema)",
    async open() {
      const schema = `bench_${randomBytes(6).toString("hex")}`;
      const database = await openDatabase({ databaseUrl, dataDir: "memory://", schema });
      await migrateToLatest(database.db);
      return {
        database,
        async cleanUp() {
          await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(database.db);
          await database.close();
        },
      };
    },
  };
}

async function countRows(database: DatabaseHandle): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of TABLES) {
    const row = await database.db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    counts[table] = Number(row.n);
  }
  return counts;
}

async function runBench(bench: Bench, runs: number): Promise<number[]> {
  const { database, cleanUp } = await bench.open();
  const config = loadConfig({ PORT: "0", ADMIN_TOKEN, LOG_LEVEL: "silent" });
  const gateway = await startGateway({ config, logger: createLogger("silent"), database });
  const body = JSON.stringify(spec());
  const seconds: number[] = [];
  try {
    for (let run = 1; run <= runs; run++) {
      const before = await countRows(database);
      const start = performance.now();
      const response = await fetch(`http://127.0.0.1:${gateway.port}/admin/fixtures`, {
        method: "POST",
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
        body,
      });
      const answer = (await response.json()) as { users?: unknown[]; groups?: unknown[] };
      const elapsed = (performance.now() - start) / 1000;
      if (response.status !== 201) {
        throw new Error(`expected 201, got ${response.status}: ${JSON.stringify(answer)}`);
      }
      const after = await countRows(database);
      const created = TABLES.map(
        (table) => `${table} ${(after[table] ?? 0) - (before[table] ?? 0)}`,
      );
      seconds.push(elapsed);
      console.log(
        `${bench.name} run ${run}: ${elapsed.toFixed(2)} s (${answer.users?.length} users and ${answer.groups?.length} groups returned; rows created: ${created.join(", ")}; body ${(body.length / 1024).toFixed(0)} KiB)`,
      );
    }
  } finally {
    await gateway.shutdown();
    await cleanUp();
  }
  return seconds;
}

async function main(): Promise<void> {
  const runs = Number(process.argv[2] ?? "2");
  if (!Number.isInteger(runs) || runs < 1)
    throw new Error(`expected a number of runs, got ${runs}`);
  const benches = [pglite];
  const databaseUrl = process.env.DATABASE_URL || process.env.TEST_DATABASE_URL;
  if (databaseUrl) benches.push(postgres(databaseUrl));
  else console.log("postgres: skipped (set DATABASE_URL or TEST_DATABASE_URL)");

  console.log(
    `POST /admin/fixtures: ${USERS} users with sessions, ${GROUPS} groups of ${GROUP_SIZE}, befriend "group"; target < ${TARGET_SECONDS} s`,
  );
  let isOverTarget = false;
  for (const bench of benches) {
    const seconds = await runBench(bench, runs);
    const worst = Math.max(...seconds);
    isOverTarget ||= worst >= TARGET_SECONDS;
    console.log(
      `${bench.name}: best ${Math.min(...seconds).toFixed(2)} s, worst ${worst.toFixed(2)} s`,
    );
  }
  if (isOverTarget) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
