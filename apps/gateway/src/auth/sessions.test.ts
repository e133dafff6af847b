import assert from "node:assert/strict";
import { it } from "node:test";
import type { KyselyPlugin } from "kysely";
import { forEachEngine } from "../db/test-engines.ts";
import { insertUser } from "../db/test-fixtures.ts";
import { Sessions } from "./sessions.ts";

/** Counts the statements a Kysely instance runs. */
function statementCounter(): KyselyPlugin & { count: number } {
  return {
    count: 0,
    transformQuery(args) {
      this.count++;
      return args.node;
    },
    async transformResult(args) {
      return args.result;
    },
  };
}

forEachEngine("Sessions", (t) => {
  it("sockets reconnecting in the same tick are validated by one statement", async () => {
    const clock = { nowMs: Date.now() };
    const now = () => clock.nowMs;
    const issuer = new Sessions(t.db, { now });
    const users = await Promise.all([insertUser(t.db), insertUser(t.db), insertUser(t.db)]);
    const issued = await Promise.all(users.map((user) => issuer.create(user.id, undefined)));
    const expired = await issuer.create(users[0]?.id ?? "", undefined);

    clock.nowMs += 60_000;
    const counter = statementCounter();
    // A restarted gateway: nothing cached.
    const sessions = new Sessions(t.db.withPlugin(counter), { now });
    const soon = issued.map(({ token }) => sessions.validate(token));
    const unknown = sessions.validate("not-a-token-anyone-was-given");
    const validated = await Promise.all(soon);

    assert.deepEqual(
      validated.map((session) => session?.userId),
      users.map((user) => user.id),
    );
    assert.equal(await unknown, undefined);
    assert.equal(counter.count, 1);

    await t.db
      .updateTable("sessions")
      .set({ expires_at: new Date(clock.nowMs - 1) })
      .where("id", "=", expired.session.sessionId)
      .execute();
    assert.equal(
      await sessions.validate(expired.token),
      undefined,
      "an expired session is not valid",
    );
  });
});

/** Holds the result of the first `select from sessions` until released: a lookup in flight. */
function heldLookup(): KyselyPlugin & { ran: Promise<void>; release(): void } {
  let ran!: () => void;
  let release!: () => void;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  let isHolding = true;
  return {
    ran: new Promise<void>((resolve) => {
      ran = resolve;
    }),
    release,
    transformQuery(args) {
      return args.node;
    },
    async transformResult(args) {
      const isSessionLookup = args.result.rows.some(
        (row) => typeof row === "object" && row !== null && "expires_at" in row,
      );
      if (isHolding && isSessionLookup) {
        isHolding = false;
        ran();
        await released;
      }
      return args.result;
    },
  };
}

// Postgres only: the held lookup keeps its connection, which on PGlite (one connection) would
// also hold the revocation's DELETE — there the two cannot interleave in the first place.
forEachEngine("Sessions ended during a lookup", (t) => {
  if (t.engine !== "postgres") return;
  for (const how of ["logout", "revoke every session", "user gone"] as const) {
    it(`a session read just before it ended (${how}) is neither returned nor cached`, async () => {
      const user = await insertUser(t.db);
      const issued = await new Sessions(t.db).create(user.id, undefined);
      const held = heldLookup();
      const sessions = new Sessions(t.db.withPlugin(held));

      const validating = sessions.validate(issued.token);
      await held.ran;
      if (how === "logout") await sessions.revoke(issued.session);
      else if (how === "revoke every session") await sessions.revokeAllForUser(user.id);
      else {
        await t.db.deleteFrom("users").where("id", "=", user.id).execute();
        sessions.announceUserGone(user.id);
      }
      held.release();

      assert.equal(await validating, undefined, "the lookup in flight saw the row, not the end");
      assert.equal(await sessions.validate(issued.token), undefined, "nor was it cached");
    });
  }
});
