import assert from "node:assert/strict";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { sql } from "kysely";
import { openDatabase } from "./create-database.ts";
import { migrateToLatest } from "./migrate.ts";
import { forEachEngine } from "./test-engines.ts";
import { insertUser } from "./test-fixtures.ts";

forEachEngine("values read back", (t) => {
  it("reads INT8 and counts as JS numbers", async () => {
    await insertUser(t.db);
    await insertUser(t.db);

    const { total } = await t.db
      .selectFrom("users")
      .select((eb) => eb.fn.countAll<number>().as("total"))
      .executeTakeFirstOrThrow();
    assert.equal(typeof total, "number");
    assert.ok(total >= 2);
    const { rows } = await sql<{ big: number; list: (number | null)[] }>`
      select 9007199254740991::int8 as big, array[1, null, -3]::int8[] as list`.execute(t.db);
    assert.deepEqual(rows, [{ big: Number.MAX_SAFE_INTEGER, list: [1, null, -3] }]);
  });

  it("fails a query whose INT8 would not fit a number rather than round it", async () => {
    await assert.rejects(sql`select 9007199254740993::int8 as big`.execute(t.db), RangeError);
    assert.equal(await t.handle.ping(), true, "the connection stays usable");
  });

  it("numbers audit rows and keeps their JSON meta as written", async () => {
    const meta = { code: "abc", maxUses: 3, nested: { ok: true, list: [1, "two", null] } };
    const first = await t.db
      .insertInto("audit_logs")
      .values({ action: "invite_created", meta })
      .returning(["id", "meta", "ts"])
      .executeTakeFirstOrThrow();
    const second = await t.db
      .insertInto("audit_logs")
      .values({ action: "invite_revoked" })
      .returning(["id", "meta"])
      .executeTakeFirstOrThrow();

    assert.equal(typeof first.id, "number");
    assert.equal(second.id, first.id + 1);
    assert.deepEqual(first.meta, meta);
    assert.deepEqual(second.meta, {});
    assert.ok(first.ts instanceof Date);
  });

  it("answers a ping", async () => {
    assert.equal(await t.handle.ping(), true);
  });

  if (t.engine === "postgres") {
    it("keeps this run's tables in its own schema", async () => {
      const { rows } = await sql<{ schema: string; tables: number }>`
        select current_schema() as schema,
          (select count(*) from information_schema.tables
            where table_schema = current_schema() and table_name = 'users') as tables`.execute(
        t.db,
      );
      assert.match(rows[0]?.schema ?? "", /^t_[0-9a-f]{12}$/);
      assert.equal(rows[0]?.tables, 1);
    });
  }
});

describe("openDatabase", () => {
  it("keeps PGlite data in dataDir across close and reopen", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "clofri-db-"));
    try {
      const first = await openDatabase({ dataDir: join(dataDir, "nested") });
      assert.equal(first.engine, "pglite");
      await migrateToLatest(first.db);
      await first.db
        .insertInto("users")
        .values({ email: "kept@example.test", display_name: "Kept", friend_code: "KEPT0001" })
        .execute();
      await first.close();
      assert.equal(await first.ping(), false, "a closed database does not answer");

      const second = await openDatabase({ dataDir: join(dataDir, "nested") });
      try {
        assert.deepEqual(await migrateToLatest(second.db), []);
        const user = await second.db
          .selectFrom("users")
          .select("display_name")
          .where("email", "=", "KEPT@example.test")
          .executeTakeFirst();
        assert.deepEqual(user, { display_name: "Kept" });
      } finally {
        await second.close();
      }
      assert.deepEqual(await readdir(join(dataDir, "nested")), ["pglite"]);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it("refuses a schema without a Postgres URL", async () => {
    await assert.rejects(openDatabase({ dataDir: "memory://", schema: "t_x" }), /schema option/);
  });

  it("refuses a schema name it would have to quote", async () => {
    await assert.rejects(
      openDatabase({ databaseUrl: "postgres://127.0.0.1:1/x", dataDir: "", schema: "a;b" }),
      /expected a schema name/,
    );
  });

  it("says which server it could not reach, without the password", async () => {
    for (const host of ["127.0.0.1", "localhost"]) {
      await assert.rejects(
        openDatabase({ databaseUrl: `postgres://user:secret@${host}:1/clofri`, dataDir: "" }),
        (error: Error) => {
          assert.match(error.message, new RegExp(`^cannot use Postgres at ${host}:1/clofri: `));
          assert.match(error.message, /ECONNREFUSED/);
          assert.doesNotMatch(error.message, /secret/);
          return true;
        },
      );
    }
  });
});
