import { promises as fs } from "node:fs";
import path from "node:path";
import { FileMigrationProvider, type MigrationProvider } from "kysely";

/**
 * Reads the migrations from their folder when asked (their `.ts` files load under tsx). The
 * production bundle replaces this module with one that imports every file of `migrations/`
 * statically (scripts/gateway-build.ts), since plain node cannot load `.ts`.
 */
export function migrationProvider(migrationFolder: string): MigrationProvider {
  return new FileMigrationProvider({ fs, path, migrationFolder });
}
