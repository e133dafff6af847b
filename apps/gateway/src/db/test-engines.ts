import { createHash, randomBytes } from "node:crypto";
import { readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe } from "node:test";
import { type Kysely, sql } from "kysely";
import {
  createPglite,
  type DatabaseHandle,
  type Engine,
  openDatabase,
  pgliteDatabase,
} from "./create-database.ts";
import { MIGRATIONS_DIR, migrateToLatest } from "./migrate.ts";
import type { Database } from "./tables.ts";

// Data tests run once per engine, as Kysely's own tests loop over dialects: PGlite always,
// Postgres too when TEST_DATABASE_URL or DATABASE_URL is set.

export interface TestEngine {
  readonly name: Engine;
  /**
   * A fresh, migrated database of its own: an in-memory PGlite, or a new schema on the Postgres
   * server that `close()` drops again.
   */
  open(): Promise<DatabaseHandle>;
}

export interface EngineFixture {
  readonly engine: Engine;
  /** The suite's database; only valid inside its tests and hooks. */
  readonly db: Kysely<Database>;
  readonly handle: DatabaseHandle;
}

export function testDatabaseUrl(): string | undefined {
  return process.env.TEST_DATABASE_URL || process.env.DATABASE_URL || undefined;
}

export function testEngines(): TestEngine[] {
  const databaseUrl = testDatabaseUrl();
  // Cluster pair mode runs the real-socket tests on two gateways, which share Postgres only.
  if (process.env.TEST_CLUSTER_PAIR === "1" && databaseUrl !== undefined) {
    return [{ name: "postgres", open: () => openTestPostgres(databaseUrl) }];
  }
  const engines: TestEngine[] = [{ name: "pglite", open: openTestPglite }];
  if (databaseUrl !== undefined) {
    engines.push({ name: "postgres", open: () => openTestPostgres(databaseUrl) });
  }
  return engines;
}

/** Defines the suite `title [engine]` once per engine, with a fresh database opened for it. */
export function forEachEngine(title: string, define: (fixture: EngineFixture) => void): void {
  for (const engine of testEngines()) {
    describe(`${title} [${engine.name}]`, () => {
      let opened: DatabaseHandle | undefined;
      const handle = (): DatabaseHandle => {
        if (opened === undefined) throw new Error("the test database is open only during tests");
        return opened;
      };
      before(async () => {
        opened = await engine.open();
      });
      after(async () => {
        await opened?.close();
      });
      define({
        engine: engine.name,
        get db() {
          return handle().db;
        },
        get handle() {
          return handle();
        },
      });
    });
  }
}

// A new PGlite cluster takes seconds to initialise, a snapshot of a migrated one about one to
// load. Test files run in separate processes, so the snapshot is cached in the temp directory,
// named after the PGlite version and the migrations' contents.
const SNAPSHOT_PREFIX = "clofri-pglite-";
let pgliteSnapshot: Promise<Blob> | undefined;

async function openTestPglite(): Promise<DatabaseHandle> {
  pgliteSnapshot ??= loadOrBuildSnapshot();
  const loadDataDir = await pgliteSnapshot;
  const pglite = await createPglite({ dataDir: "memory://", loadDataDir });
  const handle = pgliteDatabase(pglite);
  // A PGlite loaded from a snapshot and closed before its first query keeps re-arming a timer,
  // and the test process never exits: touch it once so close() always ends it. Through Kysely:
  // its destroy() closes the driver (and so PGlite) only once a query has initialised it.
  await handle.ping();
  return handle;
}

async function loadOrBuildSnapshot(): Promise<Blob> {
  const file = join(tmpdir(), `${SNAPSHOT_PREFIX}${await snapshotKey()}.tar.gz`);
  try {
    return new Blob([await readFile(file)]);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  const pglite = await createPglite({ dataDir: "memory://" });
  const handle = pgliteDatabase(pglite);
  try {
    await migrateToLatest(handle.db);
    const bytes = new Uint8Array(await (await pglite.dumpDataDir("gzip")).arrayBuffer());
    // Written aside and renamed, so a concurrent test process never reads half a file.
    const partial = `${file}.${process.pid}`;
    await writeFile(partial, bytes);
    await rename(partial, file);
    await removeStaleSnapshots(file);
    return new Blob([bytes]);
  } finally {
    await handle.close();
  }
}

async function snapshotKey(): Promise<string> {
  const hash = createHash("sha256");
  const pgliteEntry = createRequire(import.meta.url).resolve("@electric-sql/pglite");
  const pglitePackage = JSON.parse(
    await readFile(join(dirname(pgliteEntry), "..", "package.json"), "utf8"),
  ) as { version: string };
  hash.update(`pglite ${pglitePackage.version}\n`);
  for (const name of (await readdir(MIGRATIONS_DIR)).sort()) {
    hash.update(`${name}\n`);
    hash.update(await readFile(join(MIGRATIONS_DIR, name)));
  }
  return hash.digest("hex").slice(0, 16);
}

async function removeStaleSnapshots(current: string): Promise<void> {
  for (const name of await readdir(tmpdir())) {
    const path = join(tmpdir(), name);
    if (name.startsWith(SNAPSHOT_PREFIX) && name.endsWith(".tar.gz") && path !== current) {
      await rm(path, { force: true });
    }
  }
}

async function openTestPostgres(databaseUrl: string): Promise<DatabaseHandle> {
  const schema = `t_${randomBytes(6).toString("hex")}`;
  const handle = await openDatabase({ databaseUrl, dataDir: "memory://", schema });
  let dropping: Promise<void> | undefined;
  const dropSchema = () => {
    dropping ??= sql`drop schema if exists ${sql.id(schema)} cascade`
      .execute(handle.db)
      .finally(() => handle.close())
      .then(() => undefined);
    return dropping;
  };
  try {
    await migrateToLatest(handle.db);
  } catch (error) {
    await dropSchema();
    throw error;
  }
  return { ...handle, close: dropSchema };
}
