import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { testEngines } from "../src/db/test-engines.ts";
import { startTestGateway, type TestGateway } from "./harness.ts";
import {
  befriend,
  call,
  createGroup,
  framesByRecipient,
  type GroupBody,
  newPeople,
  RELAXED,
  recordEvents,
} from "./social-harness.ts";

const ADMIN_TOKEN = "admin-token-for-user-deletion-tests";
const RACING_GROUPS = 30;
const RACE_ROUNDS = 3;

interface Fixtures {
  users: Array<{ id: string; token: string }>;
  groups: Array<{ id: string; members: string[] }>;
}

for (const engine of testEngines()) {
  describe(`deleting a user tells the people who stay [${engine.name}]`, () => {
    let t: TestGateway;
    before(async () => {
      t = await startTestGateway(engine, { ...RELAXED, ADMIN_TOKEN });
    });
    after(() => t.close());

    test("groups are handed on, direct chats deleted, friends told", async () => {
      const [alex, sam, kim] = await newPeople(t, 3);
      if (!alex || !sam || !kim) throw new Error("expected three people");
      await befriend(t, alex, sam, kim);
      const couch = await createGroup(t, alex, [sam, kim]);
      const solo = await createGroup(t, alex, []);
      const direct = await call<{ group: GroupBody }>(t, alex, "POST", `/api/direct/${sam.id}`);
      assert.equal(direct.status, 201);
      const events = recordEvents(t);
      try {
        const deleted = await fetch(`${t.base}/admin/users/${alex.id}`, {
          method: "DELETE",
          headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
        });
        assert.equal(deleted.status, 204);
        const byType = new Map<string, Array<Record<string, unknown>>>();
        for (const event of events.take()) {
          const frames = framesByRecipient(event);
          for (const [userId, frame] of Object.entries(frames)) {
            const list = byType.get(event.type) ?? [];
            list.push({ to: userId, ...(frame as Record<string, unknown>) });
            byType.set(event.type, list);
          }
        }
        const left = byType.get("member_left") ?? [];
        assert.deepEqual(
          left
            .filter((frame) => frame.to !== alex.id)
            .map((frame) => frame.to)
            .sort(),
          [sam.id, kim.id].sort(),
        );
        assert.ok(left.every((frame) => frame.group === couch.id && frame.userId === alex.id));
        const heirId = left[0]?.creatorId;
        assert.ok(heirId === sam.id || heirId === kim.id, "the group has a new creator");
        const gone = byType.get("group_deleted") ?? [];
        assert.ok(
          gone.some((frame) => frame.to === sam.id && frame.group === direct.body.group.id),
        );
        assert.ok(
          gone.some((frame) => frame.group === solo.id),
          "the group only alex was in goes",
        );
        assert.deepEqual(
          (byType.get("friend_removed") ?? []).map((frame) => frame.to).sort(),
          [sam.id, kim.id].sort(),
        );

        const seen = await call<{ group: GroupBody }>(t, sam, "GET", `/api/groups/${couch.id}`);
        assert.equal(seen.status, 200, "the group survives its creator");
        assert.deepEqual(seen.body.group.members.map((m) => m.id).sort(), [sam.id, kim.id].sort());
        const friends = await call<{ friends: unknown[] }>(t, sam, "GET", "/api/friends");
        assert.deepEqual(friends.body.friends, [], "alex is no longer anyone's friend");
      } finally {
        events.stop();
      }
    });

    test("a creator deleted while a member leaves: every group keeps one creator or goes", async () => {
      const broken: string[] = [];
      for (let round = 0; round < RACE_ROUNDS; round++) {
        broken.push(...(await raceDeletionsAndLeaves(t)));
      }
      assert.deepEqual(broken, []);
    });
  });
}

/**
 * In each of 30 groups at once, deletes the creator while one member leaves. Half the groups have
 * that member only (the group must go), half one more (who must be left as the creator). Returns
 * what went wrong, group by group.
 */
async function raceDeletionsAndLeaves(t: TestGateway): Promise<string[]> {
  const shapes = Array.from({ length: RACING_GROUPS }, (_, i) => (i % 2 === 0 ? 2 : 3));
  const users = shapes.reduce((sum, size) => sum + size, 0);
  let next = 0;
  const groups = shapes.map((size, i) => ({
    name: `Race ${i}`,
    members: Array.from({ length: size }, () => next++),
  }));
  const created = await fetch(`${t.base}/admin/fixtures`, {
    method: "POST",
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify({ users, groups }),
  });
  assert.equal(created.status, 201);
  const fixtures = (await created.json()) as Fixtures;
  const tokenOf = new Map(fixtures.users.map((user) => [user.id, user.token]));
  const person = (id: string | undefined) => {
    const token = id === undefined ? undefined : tokenOf.get(id);
    if (id === undefined || token === undefined) throw new Error("expected a fixture user");
    return { id, token, name: "", code: "" };
  };

  // Sessions checked once beforehand, so each leave goes straight to its transaction.
  for (const { members } of fixtures.groups) {
    assert.equal((await call(t, person(members[1]), "GET", "/api/groups")).status, 200);
  }
  const statuses = await Promise.all(
    fixtures.groups.flatMap(({ id, members: [creatorId, leaverId] }) => [
      call(t, person(leaverId), "POST", `/api/groups/${id}/leave`).then((reply) => reply.status),
      fetch(`${t.base}/admin/users/${creatorId}`, {
        method: "DELETE",
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      }).then((response) => response.status),
    ]),
  );
  assert.deepEqual(new Set(statuses), new Set([204]));

  const broken: string[] = [];
  for (const { id, members } of fixtures.groups) {
    const stayer = members[2];
    const row = await t.database.db
      .selectFrom("groups")
      .select("creator_id")
      .where("id", "=", id)
      .executeTakeFirst();
    if (stayer === undefined) {
      if (row) broken.push(`${id}: everyone left, yet the group is still there`);
      continue;
    }
    const seen = await call<{ group: GroupBody }>(t, person(stayer), "GET", `/api/groups/${id}`);
    const view = seen.body.group;
    const isSoleCreator =
      seen.status === 200 &&
      view.role === "creator" &&
      view.members.length === 1 &&
      row?.creator_id === stayer;
    if (!isSoleCreator) {
      broken.push(
        `${id}: ${seen.status} ${JSON.stringify(view?.members)}, creator ${row?.creator_id}`,
      );
    }
  }
  return broken;
}
