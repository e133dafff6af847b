import { fileURLToPath } from "node:url";
import { type Kysely, type MigrationResultSet, Migrator, NO_MIGRATIONS, sql } from "kysely";
import { migrationProvider } from "./migration-source.ts";
import type { Database } from "./tables.ts";

/** The repository's `migrations/` folder; its `.ts` files load under tsx. */
export const MIGRATIONS_DIR = fileURLToPath(new URL("../../../../migrations/", import.meta.url));

/** Applies every pending migration; returns the names applied, oldest first. */
export async function migrateToLatest(db: Kysely<Database>): Promise<string[]> {
  const run = await runnerFor(db);
  return namesOrThrow(await run((migrator) => migrator.migrateToLatest()));
}

/**
 * Rolls back the latest `steps` migrations, or all of them with "all"; returns the names rolled
 * back, newest first.
 */
export async function migrateDown(
  db: Kysely<Database>,
  steps: number | "all" = 1,
): Promise<string[]> {
  const run = await runnerFor(db);
  if (steps === "all")
    return namesOrThrow(await run((migrator) => migrator.migrateTo(NO_MIGRATIONS)));
  if (!Number.isInteger(steps) || steps < 0) {
    throw new RangeError(`expected a whole number of steps or "all", got ${steps}`);
  }
  const names: string[] = [];
  for (let step = 0; step < steps; step += 1) {
    const rolledBack = namesOrThrow(await run((migrator) => migrator.migrateDown()));
    if (rolledBack.length === 0) break;
    names.push(...rolledBack);
  }
  return names;
}

/** How many times a run that met a concurrent drop is made in all. */
const ATTEMPTS = 20;

type Step = (migrator: Migrator) => Promise<MigrationResultSet>;

/**
 * Runs steps on this schema's migrator. Before it runs anything Kysely looks for its table by
 * reading every schema's columns, and Postgres fails that read when a schema, table or column
 * it is reading is dropped meanwhile (another test run ending). Nothing has run then, so the
 * step is run again.
 */
async function runnerFor(
  db: Kysely<Database>,
): Promise<(step: Step) => Promise<MigrationResultSet>> {
  const { migrator, schema } = await migratorFor(db);
  return async (step) => {
    for (let attempt = 1; ; attempt++) {
      const result = await step(migrator);
      if (attempt >= ATTEMPTS || !isCatalogRace(result, schema)) return result;
    }
  };
}

/** Postgres's "does not exist" codes: undefined schema, table and column. */
const VANISHED = new Set(["3F000", "42P01", "42703"]);

/**
 * A failure before any migration ran (no results) because something vanished mid-read — not
 * this schema itself: a run whose own schema was dropped must fail, not create it again.
 */
function isCatalogRace({ error, results }: MigrationResultSet, schema: string): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (results !== undefined || typeof code !== "string" || !VANISHED.has(code)) return false;
  return !(error instanceof Error && error.message === `schema "${schema}" does not exist`);
}

async function migratorFor(db: Kysely<Database>): Promise<{ migrator: Migrator; schema: string }> {
  // Kysely looks for its bookkeeping table in every schema unless told which one, so a second
  // schema in the same database (a concurrent test run) would be mistaken for this one.
  const { rows } = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(
    db,
  );
  const schema = rows[0]?.schema;
  if (schema == null) {
    throw new Error("cannot migrate: no schema on the search_path exists");
  }
  const migrator = new Migrator({
    db,
    provider: migrationProvider(MIGRATIONS_DIR),
    migrationTableSchema: schema,
  });
  return { migrator, schema };
}

function namesOrThrow({ error, results = [] }: MigrationResultSet): string[] {
  if (error !== undefined) {
    const failed = results.find((result) => result.status === "Error");
    const reason = error instanceof Error ? error.message : String(error);
    const what = failed
      ? `migration ${failed.migrationName} failed (${failed.direction.toLowerCase()})`
      : "migrations could not run";
    throw new Error(`${what}: ${reason}`, { cause: error });
  }
  return results
    .filter((result) => result.status === "Success")
    .map((result) => result.migrationName);
}
