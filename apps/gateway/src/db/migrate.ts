import { promises as fs } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  FileMigrationProvider,
  type Kysely,
  type MigrationResultSet,
  Migrator,
  NO_MIGRATIONS,
  sql,
} from "kysely";
import type { Database } from "./tables.ts";

/** The repository's `migrations/` folder; its `.ts` files load under tsx. */
export const MIGRATIONS_DIR = fileURLToPath(new URL("../../../../migrations/", import.meta.url));

/** Applies every pending migration; returns the names applied, oldest first. */
export async function migrateToLatest(db: Kysely<Database>): Promise<string[]> {
  const migrator = await migratorFor(db);
  return namesOrThrow(await migrator.migrateToLatest());
}

/**
 * Rolls back the latest `steps` migrations, or all of them with "all"; returns the names rolled
 * back, newest first.
 */
export async function migrateDown(
  db: Kysely<Database>,
  steps: number | "all" = 1,
): Promise<string[]> {
  const migrator = await migratorFor(db);
  if (steps === "all") return namesOrThrow(await migrator.migrateTo(NO_MIGRATIONS));
  if (!Number.isInteger(steps) || steps < 0) {
    throw new RangeError(`expected a whole number of steps or "all", got ${steps}`);
  }
  const names: string[] = [];
  for (let step = 0; step < steps; step += 1) {
    const rolledBack = namesOrThrow(await migrator.migrateDown());
    if (rolledBack.length === 0) break;
    names.push(...rolledBack);
  }
  return names;
}

async function migratorFor(db: Kysely<Database>): Promise<Migrator> {
  // Kysely looks for its bookkeeping table in every schema unless told which one, so a second
  // schema in the same database (a concurrent test run) would be mistaken for this one.
  const { rows } = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(
    db,
  );
  const schema = rows[0]?.schema;
  if (schema == null) {
    throw new Error("cannot migrate: no schema on the search_path exists");
  }
  return new Migrator({
    db,
    provider: new FileMigrationProvider({ fs, path, migrationFolder: MIGRATIONS_DIR }),
    migrationTableSchema: schema,
  });
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
