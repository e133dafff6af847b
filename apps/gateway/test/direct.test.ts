import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { testEngines } from "../src/db/test-engines.ts";
import { startTestGateway, type TestGateway } from "./harness.ts";
import {
  befriend,
  call,
  framesByRecipient,
  type GroupBody,
  newPerson,
  type Person,
  RELAXED,
  recordEvents,
} from "./social-harness.ts";

for (const engine of testEngines()) {
  describe(`direct chats [${engine.name}]`, () => {
    let t: TestGateway;
    before(async () => {
      t = await startTestGateway(engine, RELAXED);
    });
    after(() => t.close());

    const open = (me: Person | undefined, friend: Person | { id: string }) =>
      call<{ group: GroupBody }>(t, me, "POST", `/api/direct/${friend.id}`);

    async function friends(): Promise<[Person, Person]> {
      const [alex, sam] = [await newPerson(t, "Alex"), await newPerson(t, "Sam")];
      await befriend(t, alex, sam);
      return [alex, sam];
    }

    test("the first use creates the chat and tells both; later uses return the same one", async () => {
      const [alex, sam] = await friends();
      const events = recordEvents(t);
      try {
        const first = await open(alex, sam);
        assert.equal(first.status, 201);
        const group = first.body.group;
        assert.equal(group.kind, "direct");
        assert.equal(group.name, "Sam", "named after the other person");
        assert.equal(group.role, "member", "nobody moderates a direct chat");
        assert.deepEqual(
          group.members.map((m) => [m.id, m.role]).sort(),
          [
            [alex.id, "member"],
            [sam.id, "member"],
          ].sort(),
        );
        const [event, ...rest] = events.take();
        assert.equal(rest.length, 0);
        assert.ok(event?.type === "group_added");
        assert.deepEqual([...event.userIds].sort(), [alex.id, sam.id].sort());
        const summary = { id: group.id, kind: "direct", role: "member", muted: false, present: [] };
        assert.deepEqual(framesByRecipient(event), {
          [alex.id]: { type: "group_added", group: { ...summary, name: "Sam" } },
          [sam.id]: { type: "group_added", group: { ...summary, name: "Alex" } },
        });

        const again = await open(alex, sam);
        assert.equal(again.status, 200);
        assert.equal(again.body.group.id, group.id);
        const theirs = await open(sam, alex);
        assert.equal(theirs.status, 200);
        assert.equal(theirs.body.group.id, group.id);
        assert.equal(theirs.body.group.name, "Alex");
        assert.deepEqual(events.take(), []);

        const listed = await call<{ groups: GroupBody[] }>(t, sam, "GET", "/api/groups");
        assert.deepEqual(
          listed.body.groups.map((g) => [g.id, g.kind, g.name]),
          [[group.id, "direct", "Alex"]],
        );
      } finally {
        events.stop();
      }
    });

    test("both opening it at once make one chat", async () => {
      for (let round = 0; round < 3; round++) {
        const [alex, sam] = await friends();
        const replies = await Promise.all([
          open(alex, sam),
          open(sam, alex),
          open(alex, sam),
          open(sam, alex),
        ]);
        assert.deepEqual(replies.map((r) => r.status).sort(), [200, 200, 200, 201]);
        assert.equal(new Set(replies.map((r) => r.body.group.id)).size, 1);
        const rows = await t.database.db
          .selectFrom("group_members")
          .select("group_id")
          .where("user_id", "=", alex.id)
          .execute();
        assert.equal(rows.length, 1);
      }
    });

    test("only with a friend: strangers, pending requests and myself get 404", async () => {
      const [alex, sam] = await friends();
      const [stranger, asked] = [await newPerson(t), await newPerson(t)];
      await t.database.db
        .insertInto("friendships")
        .values({ requester_id: alex.id, addressee_id: asked.id })
        .execute();
      assert.equal((await open(alex, stranger)).status, 404);
      assert.equal((await open(stranger, alex)).status, 404);
      assert.equal((await open(alex, asked)).status, 404);
      assert.equal((await open(alex, alex)).status, 404);
      assert.equal((await open(alex, { id: "not-a-uuid" })).status, 400);
      assert.equal((await open(undefined, sam)).status, 401);
    });

    test("a direct chat cannot be renamed, added to, left, moderated or deleted", async () => {
      const [alex, sam] = await friends();
      const kim = await newPerson(t);
      await befriend(t, alex, kim);
      const id = (await open(alex, sam)).body.group.id;
      for (const [method, path, body] of [
        ["PATCH", `/api/groups/${id}`, { name: "Us" }],
        ["POST", `/api/groups/${id}/members`, { userIds: [kim.id] }],
        ["POST", `/api/groups/${id}/leave`, undefined],
        ["PATCH", `/api/groups/${id}/members/${sam.id}`, { muted: true }],
        ["DELETE", `/api/groups/${id}/members/${sam.id}`, undefined],
        ["POST", `/api/groups/${id}/invites`, {}],
        ["GET", `/api/groups/${id}/audit`, undefined],
        ["DELETE", `/api/groups/${id}`, undefined],
      ] as const) {
        const reply = await call(t, alex, method, path, body);
        assert.equal(reply.status, 403, `${method} ${path}`);
      }
      assert.equal((await call(t, kim, "GET", `/api/groups/${id}`)).status, 404);
    });

    test("removing the friendship ends the direct chat, and both hear it", async () => {
      const [alex, sam] = await friends();
      const id = (await open(alex, sam)).body.group.id;
      const events = recordEvents(t);
      try {
        assert.equal((await call(t, alex, "DELETE", `/api/friends/${sam.id}`)).status, 204);
        const [removed, deleted, ...rest] = events.take();
        assert.equal(rest.length, 0);
        assert.equal(removed?.type, "friend_removed");
        assert.ok(deleted?.type === "group_deleted");
        assert.deepEqual(framesByRecipient(deleted), {
          [alex.id]: { type: "group_deleted", group: id },
          [sam.id]: { type: "group_deleted", group: id },
        });
        assert.equal((await call(t, sam, "GET", `/api/groups/${id}`)).status, 404);
        assert.equal((await open(sam, alex)).status, 404);
      } finally {
        events.stop();
      }
    });
  });
}
