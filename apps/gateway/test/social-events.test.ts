import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { sql } from "kysely";
import { testEngines } from "../src/db/test-engines.ts";
import { SocialBus, type SocialEvent } from "../src/social/events.ts";
import { startTestGateway, type TestGateway } from "./harness.ts";
import {
  befriend,
  call,
  createGroup,
  newPeople,
  newPerson,
  type Person,
  RELAXED,
  recordEvents,
} from "./social-harness.ts";

const sample: SocialEvent = {
  type: "group_updated",
  group: "g",
  name: "n",
  deliveries: [{ userId: "u", frame: { type: "group_updated", group: "g", name: "n" } }],
};

describe("SocialBus", () => {
  test("delivers to every subscriber until it unsubscribes", () => {
    const bus = new SocialBus((error) => assert.fail(String(error)));
    const first: SocialEvent[] = [];
    const second: SocialEvent[] = [];
    const stopFirst = bus.subscribe((event) => first.push(event));
    bus.subscribe((event) => second.push(event));
    bus.emit(sample);
    stopFirst();
    stopFirst();
    bus.emit(sample);
    assert.equal(first.length, 1);
    assert.equal(second.length, 2);
    assert.equal(bus.listenerCount, 1);
  });

  test("the same listener may subscribe twice and leave once", () => {
    const bus = new SocialBus((error) => assert.fail(String(error)));
    let calls = 0;
    const listener = () => {
      calls++;
    };
    const stop = bus.subscribe(listener);
    bus.subscribe(listener);
    bus.emit(sample);
    stop();
    bus.emit(sample);
    assert.equal(calls, 3);
  });

  test("a listener that throws is reported; the others still hear the event", () => {
    const failures: Array<[unknown, SocialEvent]> = [];
    const bus = new SocialBus((error, event) => failures.push([error, event]));
    const heard: SocialEvent[] = [];
    bus.subscribe(() => {
      throw new Error("listener bug");
    });
    bus.subscribe((event) => heard.push(event));
    assert.doesNotThrow(() => bus.emit(sample));
    assert.deepEqual(heard, [sample]);
    assert.equal(failures.length, 1);
    const [error, event] = failures[0] ?? [];
    assert.ok(error instanceof Error);
    assert.equal(error.message, "listener bug");
    assert.equal(event, sample);
  });
});

for (const engine of testEngines()) {
  describe(`social events and transactions [${engine.name}]`, () => {
    let t: TestGateway;
    before(async () => {
      t = await startTestGateway(engine, RELAXED);
      await sql`
        create function injected_failure() returns trigger language plpgsql as $$
        begin raise exception 'injected failure'; end $$`.execute(t.database.db);
    });
    after(() => t.close());

    /** Runs `action` while every `timing` write to `table` fails, then removes the failure. */
    async function whileFailing<T>(
      table: "audit_logs" | "groups" | "group_members",
      timing: "insert" | "delete",
      action: () => Promise<T>,
    ): Promise<T> {
      await sql`create trigger injected before ${sql.raw(timing)} on ${sql.table(table)}
        for each row execute function injected_failure()`.execute(t.database.db);
      try {
        return await action();
      } finally {
        await sql`drop trigger injected on ${sql.table(table)}`.execute(t.database.db);
      }
    }

    async function cast() {
      const [creator, member, friend] = await newPeople(t, 3);
      if (!creator || !member || !friend) throw new Error("expected three people");
      await befriend(t, creator, member, friend);
      const group = await createGroup(t, creator, [member]);
      return { creator, member, friend, group };
    }

    const membersOf = async (groupId: string) =>
      (
        await t.database.db
          .selectFrom("group_members")
          .select(["user_id", "role", "muted"])
          .where("group_id", "=", groupId)
          .orderBy("user_id")
          .execute()
      ).map((row) => `${row.user_id}:${row.role}:${row.muted}`);

    test("a group action whose transaction fails changes nothing and emits nothing", async () => {
      const { creator, member, friend, group } = await cast();
      const invite = await call<{ invite: { code: string } }>(
        t,
        creator,
        "POST",
        `/api/groups/${group.id}/invites`,
      );
      const guest = await newPerson(t);
      const before = await membersOf(group.id);
      const base = `/api/groups/${group.id}`;
      const attempts: Array<[Person, string, string, unknown?]> = [
        [creator, "POST", "/api/groups", { name: "New", memberIds: [member.id] }],
        [creator, "PATCH", base, { name: "Renamed" }],
        [creator, "POST", `${base}/members`, { userIds: [friend.id] }],
        [creator, "PATCH", `${base}/members/${member.id}`, { muted: true }],
        [creator, "DELETE", `${base}/members/${member.id}`],
        [member, "POST", `${base}/leave`],
        [creator, "POST", `${base}/leave`],
        [creator, "DELETE", base],
        [guest, "POST", `/api/invites/${invite.body.invite.code}/join`],
        [creator, "POST", `${base}/invites`, {}],
      ];
      const events = recordEvents(t);
      try {
        for (const [person, method, path, body] of attempts) {
          const reply = await whileFailing("audit_logs", "insert", () =>
            call(t, person, method, path, body),
          );
          assert.equal(reply.status, 500, `${method} ${path}`);
          assert.deepEqual(events.take(), [], `${method} ${path} emitted nothing`);
        }
      } finally {
        events.stop();
      }
      assert.deepEqual(await membersOf(group.id), before);
      const seen = await call<{ group: { name: string } }>(t, creator, "GET", base);
      assert.equal(seen.body.group.name, group.name);
      const groups = await call<{ groups: unknown[] }>(t, creator, "GET", "/api/groups");
      assert.equal(groups.body.groups.length, 1, "no group was created");
      const uses = await t.database.db
        .selectFrom("group_invites")
        .select("uses")
        .where("code", "=", invite.body.invite.code)
        .executeTakeFirstOrThrow();
      assert.equal(uses.uses, 0);
    });

    test("a failed unfriending or direct chat emits nothing", async () => {
      const [alex, sam] = await newPeople(t, 2);
      if (!alex || !sam) throw new Error("expected two people");
      await befriend(t, alex, sam);
      const events = recordEvents(t);
      try {
        const failedOpen = await whileFailing("group_members", "insert", () =>
          call(t, alex, "POST", `/api/direct/${sam.id}`),
        );
        assert.equal(failedOpen.status, 500);
        assert.deepEqual(events.take(), []);
        const direct = await call(t, alex, "POST", `/api/direct/${sam.id}`);
        assert.equal(direct.status, 201, "the failed attempt left no half-made chat");
        events.take();

        const failedRemove = await whileFailing("groups", "delete", () =>
          call(t, alex, "DELETE", `/api/friends/${sam.id}`),
        );
        assert.equal(failedRemove.status, 500);
        assert.deepEqual(events.take(), []);
        const friends = await call<{ friends: Array<{ id: string }> }>(
          t,
          alex,
          "GET",
          "/api/friends",
        );
        assert.deepEqual(
          friends.body.friends.map((f) => f.id),
          [sam.id],
        );
      } finally {
        events.stop();
      }
    });

    test("a listener hears an event only once its change is visible to others", async () => {
      const { creator, member, group } = await cast();
      let seenByListener: Promise<string[]> | undefined;
      const stop = t.gateway.context.events.subscribe((event) => {
        if (event.type === "member_kicked") seenByListener = membersOf(group.id);
      });
      try {
        const reply = await call(
          t,
          creator,
          "DELETE",
          `/api/groups/${group.id}/members/${member.id}`,
        );
        assert.equal(reply.status, 204);
        assert.ok(seenByListener);
        assert.deepEqual(await seenByListener, [`${creator.id}:creator:false`]);
      } finally {
        stop();
      }
    });

    test("a listener that throws does not fail the request", async () => {
      const { creator, member, group } = await cast();
      const heard = recordEvents(t);
      const stop = t.gateway.context.events.subscribe(() => {
        throw new Error("listener bug");
      });
      try {
        const path = `/api/groups/${group.id}/members/${member.id}`;
        const reply = await call(t, creator, "PATCH", path, { muted: true });
        assert.equal(reply.status, 200);
        assert.deepEqual(
          heard.take().map((event) => event.type),
          ["member_muted"],
        );
      } finally {
        stop();
        heard.stop();
      }
    });
  });
}
