// Runs the migrations alone, against DATABASE_URL or else the PGlite files under DATA_DIR.
//   node --import tsx scripts/migrate.ts              apply every pending migration
//   node --import tsx scripts/migrate.ts down [N|all] roll back the latest N (default 1) or all

import { openDatabase } from "../apps/gateway/src/db/create-database.ts";
import { migrateDown, migrateToLatest } from "../apps/gateway/src/db/migrate.ts";

async function main(args: string[]): Promise<void> {
  const [command = "up", stepsArg = "1"] = args;
  if (command !== "up" && command !== "down") {
    throw new Error(`expected "up" or "down [N|all]", got "${command}"`);
  }
  const steps = stepsArg === "all" ? "all" : Number(stepsArg);
  if (steps !== "all" && !(Number.isInteger(steps) && steps > 0)) {
    throw new Error(`expected a positive number of steps or "all", got "${stepsArg}"`);
  }

  const database = await openDatabase({
    databaseUrl: process.env.DATABASE_URL || undefined,
    dataDir: process.env.DATA_DIR || "./.data",
  });
  try {
    if (command === "up") {
      const applied = await migrateToLatest(database.db);
      for (const name of applied) console.log(`applied ${name}`);
      if (applied.length === 0) console.log(`no pending migrations (${database.engine})`);
    } else {
      const rolledBack = await migrateDown(database.db, steps);
      for (const name of rolledBack) console.log(`rolled back ${name}`);
      if (rolledBack.length === 0) console.log(`no migrations to roll back (${database.engine})`);
    }
  } finally {
    await database.close();
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`migrate: ${message}\n`);
  process.exitCode = 1;
});
