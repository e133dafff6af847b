import assert from "node:assert/strict";
import { readdir } from "node:fs/promises";
import { it } from "node:test";
import { type Kysely, sql } from "kysely";
import { MIGRATIONS_DIR, migrateDown, migrateToLatest } from "./migrate.ts";
import type { Database } from "./tables.ts";
import { forEachEngine } from "./test-engines.ts";

const APP_TABLES = [
  "audit_logs",
  "blocks",
  "friendships",
  "group_invites",
  "group_kicks",
  "group_members",
  "groups",
  "magic_links",
  "oauth_accounts",
  "sessions",
  "users",
];

forEachEngine("migrations", (t) => {
  it("roll back to nothing and apply again", async () => {
    const migrationFiles = (await readdir(MIGRATIONS_DIR)).filter((name) => name.endsWith(".ts"));
    const names = migrationFiles.map((name) => name.replace(/\.ts$/, "")).sort();
    assert.ok(names.length > 0, `no migrations found in ${MIGRATIONS_DIR}`);
    assert.deepEqual(await tablesIn(t.db), APP_TABLES);

    assert.deepEqual(await migrateDown(t.db, "all"), names.toReversed());
    assert.deepEqual(await tablesIn(t.db), []);
    assert.deepEqual(await migrateDown(t.db, "all"), [], "nothing left to roll back");

    assert.deepEqual(await migrateToLatest(t.db), names);
    assert.deepEqual(await tablesIn(t.db), APP_TABLES);
    assert.deepEqual(await migrateToLatest(t.db), [], "nothing left to apply");
  });

  it("names the migration that failed and leaves nothing half-applied", async () => {
    await migrateDown(t.db, "all");
    await sql`create table users (id integer)`.execute(t.db);
    try {
      await assert.rejects(migrateToLatest(t.db), (error: Error) => {
        assert.match(error.message, /^migration 2026-11-22T00-00-00_initial failed \(up\): /);
        assert.match(error.message, /"users" already exists/);
        return true;
      });
      assert.deepEqual(await tablesIn(t.db), ["users"]);
    } finally {
      await sql`drop table users`.execute(t.db);
      await migrateToLatest(t.db);
    }
  });
});

async function tablesIn(db: Kysely<Database>): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`
    select table_name as name from information_schema.tables
    where table_schema = current_schema() and table_name not like 'kysely_%'
    order by table_name`.execute(db);
  return rows.map((row) => row.name);
}
