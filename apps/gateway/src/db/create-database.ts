import { mkdir } from "node:fs/promises";
import { join, resolve } from "node:path";
import { PGlite, types as pgliteTypes } from "@electric-sql/pglite";
import { citext } from "@electric-sql/pglite/contrib/citext";
import { Kysely, PostgresDialect, sql } from "kysely";
import { PGliteDialect } from "kysely-pglite-dialect";
import pg from "pg";
import { parseInt8, pgTypeParsers } from "./int8.ts";
import {
  createClusterInChildProcess,
  limitWasmCompileThreads,
  PGLITE_START_PARAMS,
} from "./pglite-cluster.ts";
import type { Database } from "./tables.ts";

export type Engine = "pglite" | "postgres";

export interface OpenDatabaseOptions {
  /** `postgres://…` to use a Postgres server; unset to use PGlite under `dataDir`. */
  databaseUrl?: string | undefined;
  /** PGlite keeps its files in `<dataDir>/pglite` (created if missing); `memory://` keeps none. */
  dataDir: string;
  /** Postgres only: keep every table in this schema, created if missing (how test runs isolate). */
  schema?: string | undefined;
  /** Postgres only: an idle pooled connection broke, e.g. the server restarted. */
  onConnectionError?: ((error: Error) => void) | undefined;
}

export interface DatabaseHandle {
  readonly db: Kysely<Database>;
  readonly engine: Engine;
  /** Resolves true when the database answered a trivial query. Never rejects. */
  ping(): Promise<boolean>;
  /** Ends the pool or closes PGlite; PGlite left open keeps the process alive. Idempotent. */
  close(): Promise<void>;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
const PGLITE_SUBDIR = "pglite";

export async function openDatabase(options: OpenDatabaseOptions): Promise<DatabaseHandle> {
  if (options.databaseUrl === undefined || options.databaseUrl === "") {
    if (options.schema !== undefined) {
      throw new Error("the schema option needs a Postgres databaseUrl; PGlite has one schema");
    }
    return openPglite(options.dataDir);
  }
  return openPostgres(options.databaseUrl, options.schema, options.onConnectionError);
}

async function openPglite(dataDir: string): Promise<DatabaseHandle> {
  const isInMemory = dataDir.startsWith("memory://");
  const location = isInMemory ? dataDir : join(resolve(dataDir), PGLITE_SUBDIR);
  let pglite: PGlite;
  try {
    if (!isInMemory) {
      await mkdir(location, { recursive: true });
      await createClusterInChildProcess(location);
    }
    pglite = await createPglite({ dataDir: location });
  } catch (error) {
    throw new Error(`cannot open the embedded database in ${location}: ${reasonOf(error)}`, {
      cause: error,
    });
  }
  return pgliteDatabase(pglite);
}

/**
 * A PGlite instance set up as every engine here expects: citext loaded, INT8 as numbers, memory
 * sized for a small social graph.
 * `loadDataDir` starts it from a `dumpDataDir()` snapshot, much faster than an empty cluster.
 */
export function createPglite(options: { dataDir: string; loadDataDir?: Blob }): Promise<PGlite> {
  limitWasmCompileThreads();
  return PGlite.create({
    ...options,
    extensions: { citext },
    startParams: [...PGLITE_START_PARAMS],
    parsers: { [pgliteTypes.INT8]: parseInt8 },
  });
}

/**
 * Wraps an open PGlite; closing the handle closes the instance. PGlite has one connection, which a
 * transaction holds until it ends: a query on `db` inside `db.transaction()` waits forever, so use
 * only the transaction's `trx` there.
 */
export function pgliteDatabase(pglite: PGlite): DatabaseHandle {
  return handleFor(new Kysely<Database>({ dialect: new PGliteDialect(pglite) }), "pglite");
}

async function openPostgres(
  databaseUrl: string,
  schema: string | undefined,
  onConnectionError: ((error: Error) => void) | undefined,
): Promise<DatabaseHandle> {
  if (schema !== undefined && !SCHEMA_NAME.test(schema)) {
    throw new Error(`expected a schema name of lowercase letters, digits and _, got "${schema}"`);
  }
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    application_name: "clofri",
    types: pgTypeParsers,
    // A startup option applies to every connection the pool opens, with no extra round trip.
    // `public` stays on the path because that is where the citext type and operators live.
    ...(schema === undefined ? {} : { options: `-c search_path=${schema},public` }),
  });
  // Without a listener, a broken idle connection would crash the process; the pool drops it and
  // opens a new one on the next query.
  pool.on("error", onConnectionError ?? warnConnectionError);
  try {
    if (schema === undefined) await pool.query("select 1");
    else await pool.query(`create schema if not exists ${pg.escapeIdentifier(schema)}`);
  } catch (error) {
    await pool.end();
    throw new Error(`cannot use Postgres at ${describeUrl(databaseUrl)}: ${reasonOf(error)}`, {
      cause: error,
    });
  }
  return handleFor(new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }), "postgres");
}

function handleFor(db: Kysely<Database>, engine: Engine): DatabaseHandle {
  let closing: Promise<void> | undefined;
  return {
    db,
    engine,
    async ping() {
      try {
        await sql`select 1`.execute(db);
        return true;
      } catch {
        return false;
      }
    },
    close() {
      closing ??= db.destroy();
      return closing;
    },
  };
}

function warnConnectionError(error: Error): void {
  process.emitWarning(`an idle Postgres connection failed: ${error.message}`);
}

/** Host, port and database only: the URL may carry a password. */
function describeUrl(databaseUrl: string): string {
  try {
    const url = new URL(databaseUrl);
    return `${url.host}${url.pathname}`;
  } catch {
    return "DATABASE_URL (not a valid URL)";
  }
}

// A refused connection to a host with several addresses is an AggregateError with no message.
function reasonOf(error: unknown): string {
  if (error instanceof Error) {
    if (error.message !== "") return error.message;
    const code = (error as { code?: unknown }).code;
    if (typeof code === "string") return code;
  }
  return String(error);
}
