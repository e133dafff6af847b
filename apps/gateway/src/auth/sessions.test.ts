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
