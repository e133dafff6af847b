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
  });
}
