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
  groupCast,
  newPeople,
  newPerson,
  type Person,
  RELAXED,
  recordEvents,
} from "./social-harness.ts";

for (const engine of testEngines()) {
  describe(`group membership and moderation [${engine.name}]`, () => {
    let t: TestGateway;
    before(async () => {
      t = await startTestGateway(engine, RELAXED);
    });
    after(() => t.close());

    const cast = () => groupCast(t);
    const getGroup = (person: Person, id: string) =>
      call<{ group: GroupBody }>(t, person, "GET", `/api/groups/${id}`);

    test("muting and unmuting tell every member", async () => {
      const { creator, member, outsider, group } = await cast();
      const events = recordEvents(t);
      try {
        const path = `/api/groups/${group.id}/members/${member.id}`;
        const muted = await call<{ member: { id: string; muted: boolean } }>(
          t,
          creator,
          "PATCH",
          path,
          { muted: true },
        );
        assert.equal(muted.status, 200);
        assert.equal(muted.body.member.id, member.id);
        assert.equal(muted.body.member.muted, true);
        assert.equal((await getGroup(member, group.id)).body.group.muted, true);
        const frame = { type: "member_muted", group: group.id, userId: member.id, muted: true };
        assert.deepEqual(framesByRecipient(events.take()[0]), {
          [creator.id]: frame,
          [member.id]: frame,
        });
        assert.equal((await call(t, creator, "PATCH", path, { muted: true })).status, 200);
        assert.deepEqual(events.take(), [], "muting twice changes nothing");
        assert.equal((await call(t, creator, "PATCH", path, { muted: false })).status, 200);
        const [unmute] = events.take();
        assert.ok(unmute?.type === "member_muted");
        assert.equal(unmute.muted, false);
        assert.equal((await getGroup(member, group.id)).body.group.muted, false);

        const self = `/api/groups/${group.id}/members/${creator.id}`;
        assert.equal((await call(t, creator, "PATCH", self, { muted: true })).status, 400);
        const notIn = `/api/groups/${group.id}/members/${outsider.id}`;
        assert.equal((await call(t, creator, "PATCH", notIn, { muted: true })).status, 404);
        assert.equal((await call(t, creator, "PATCH", path, { muted: "yes" })).status, 400);
      } finally {
        events.stop();
      }
    });

    test("removing a member tells everyone who was in the group, the removed one included", async () => {
      const { creator, member, outsider, group } = await cast();
      const events = recordEvents(t);
      try {
        const path = `/api/groups/${group.id}/members/${member.id}`;
        assert.equal((await call(t, creator, "DELETE", path)).status, 204);
        const frame = { type: "member_kicked", group: group.id, userId: member.id };
        const [event, ...rest] = events.take();
        assert.equal(rest.length, 0);
        assert.ok(event?.type === "member_kicked");
        assert.equal(event.userId, member.id);
        assert.deepEqual(framesByRecipient(event), { [creator.id]: frame, [member.id]: frame });
        assert.equal((await getGroup(member, group.id)).status, 404);
        assert.equal((await call(t, creator, "DELETE", path)).status, 404);
        const self = `/api/groups/${group.id}/members/${creator.id}`;
        assert.equal((await call(t, creator, "DELETE", self)).status, 400);
        const notIn = `/api/groups/${group.id}/members/${outsider.id}`;
        assert.equal((await call(t, creator, "DELETE", notIn)).status, 404);
      } finally {
        events.stop();
      }
    });

    test("a member leaving: the others and the leaver hear member_left", async () => {
      const { creator, member, group } = await cast();
      const events = recordEvents(t);
      try {
        assert.equal((await call(t, member, "POST", `/api/groups/${group.id}/leave`)).status, 204);
        const frame = { type: "member_left", group: group.id, userId: member.id };
        const [event, ...rest] = events.take();
        assert.equal(rest.length, 0);
        assert.ok(event?.type === "member_left");
        assert.equal(event.creatorId, undefined);
        assert.deepEqual(framesByRecipient(event), { [creator.id]: frame, [member.id]: frame });
        assert.equal((await getGroup(member, group.id)).status, 404);
        assert.equal((await getGroup(creator, group.id)).body.group.members.length, 1);
      } finally {
        events.stop();
      }
    });

    test("the creator leaving hands the group to the longest-standing member", async () => {
      const [creator, first, second] = await newPeople(t, 3);
      if (!creator || !first || !second) throw new Error("expected three people");
      await befriend(t, creator, first, second);
      const group = await createGroup(t, creator, []);
      const add = (person: Person) =>
        call(t, creator, "POST", `/api/groups/${group.id}/members`, { userIds: [person.id] });
      assert.equal((await add(second)).status, 200);
      assert.equal((await add(first)).status, 200);
      const events = recordEvents(t);
      try {
        assert.equal((await call(t, creator, "POST", `/api/groups/${group.id}/leave`)).status, 204);
        const [event] = events.take();
        assert.ok(event?.type === "member_left");
        assert.equal(event.creatorId, second.id);
        assert.deepEqual(Object.keys(framesByRecipient(event)).sort(), [
          ...[creator.id, first.id, second.id].sort(),
        ]);
        assert.deepEqual(framesByRecipient(event)[first.id], {
          type: "member_left",
          group: group.id,
          userId: creator.id,
          creatorId: second.id,
        });
        const seen = await getGroup(second, group.id);
        assert.equal(seen.body.group.role, "creator");
        assert.deepEqual(
          seen.body.group.members.map((m) => [m.id, m.role]),
          [
            [second.id, "creator"],
            [first.id, "member"],
          ],
        );
        const rename = await call(t, second, "PATCH", `/api/groups/${group.id}`, { name: "Mine" });
        assert.equal(rename.status, 200);
        const audit = await call<{ entries: Array<{ action: string }> }>(
          t,
          second,
          "GET",
          `/api/groups/${group.id}/audit`,
        );
        assert.deepEqual(
          audit.body.entries.slice(0, 3).map((e) => e.action),
          ["group_renamed", "creator_transferred", "member_left"],
        );
      } finally {
        events.stop();
      }
    });

    test("a muted member who inherits the group is unmuted, and everyone hears it", async () => {
      const [creator, heir] = await newPeople(t, 2);
      if (!creator || !heir) throw new Error("expected two people");
      await befriend(t, creator, heir);
      const group = await createGroup(t, creator, [heir]);
      const mute = `/api/groups/${group.id}/members/${heir.id}`;
      assert.equal((await call(t, creator, "PATCH", mute, { muted: true })).status, 200);
      const events = recordEvents(t);
      try {
        assert.equal((await call(t, creator, "POST", `/api/groups/${group.id}/leave`)).status, 204);
        const [unmuted, left] = events.take();
        assert.ok(unmuted?.type === "member_muted");
        assert.deepEqual(framesByRecipient(unmuted), {
          [heir.id]: { type: "member_muted", group: group.id, userId: heir.id, muted: false },
        });
        assert.ok(left?.type === "member_left");
        const seen = await getGroup(heir, group.id);
        assert.equal(seen.body.group.role, "creator");
        assert.equal(seen.body.group.muted, false);
      } finally {
        events.stop();
      }
    });

    test("the last member leaving deletes the group", async () => {
      const alex = await newPerson(t);
      const group = await createGroup(t, alex, []);
      const events = recordEvents(t);
      try {
        assert.equal((await call(t, alex, "POST", `/api/groups/${group.id}/leave`)).status, 204);
        const [event] = events.take();
        assert.ok(event?.type === "group_deleted");
        assert.deepEqual(framesByRecipient(event), {
          [alex.id]: { type: "group_deleted", group: group.id },
        });
        assert.equal((await getGroup(alex, group.id)).status, 404);
        const rows = await t.database.db
          .selectFrom("groups")
          .select("id")
          .where("id", "=", group.id)
          .execute();
        assert.deepEqual(rows, []);
      } finally {
        events.stop();
      }
    });

    test("deleting a group tells every member; it is gone for all", async () => {
      const { creator, member, group } = await cast();
      const events = recordEvents(t);
      try {
        assert.equal((await call(t, creator, "DELETE", `/api/groups/${group.id}`)).status, 204);
        const [event, ...rest] = events.take();
        assert.equal(rest.length, 0);
        assert.ok(event?.type === "group_deleted");
        const frame = { type: "group_deleted", group: group.id };
        assert.deepEqual(framesByRecipient(event), { [creator.id]: frame, [member.id]: frame });
        assert.equal((await getGroup(member, group.id)).status, 404);
        assert.equal((await getGroup(creator, group.id)).status, 404);
        const logged = await t.database.db
          .selectFrom("audit_logs")
          .select(["action", "group_id", "meta"])
          .where("action", "=", "group_deleted")
          .where("actor_id", "=", creator.id)
          .execute();
        assert.equal(logged.length, 1);
        assert.equal(logged[0]?.group_id, null, "the group is gone; its id stays in meta");
        assert.equal(logged[0]?.meta.groupId, group.id);
      } finally {
        events.stop();
      }
    });

    test("the audit log shows each action with its actor and target, newest first", async () => {
      const { creator, member, group } = await cast();
      const base = `/api/groups/${group.id}`;
      await call(t, creator, "PATCH", base, { name: "Renamed" });
      await call(t, creator, "PATCH", `${base}/members/${member.id}`, { muted: true });
      await call(t, creator, "PATCH", `${base}/members/${member.id}`, { muted: false });
      await call(t, creator, "POST", `${base}/invites`, { maxUses: 2 });
      await call(t, creator, "DELETE", `${base}/members/${member.id}`);
      const audit = await call<{
        entries: Array<{
          id: number;
          action: string;
          actor: { id: string } | null;
          target: { id: string; displayName: string } | null;
          meta: Record<string, unknown>;
          ts: number;
        }>;
      }>(t, creator, "GET", `${base}/audit`);
      assert.equal(audit.status, 200);
      const entries = audit.body.entries;
      assert.deepEqual(
        entries.map((e) => e.action),
        [
          "member_kicked",
          "invite_created",
          "member_unmuted",
          "member_muted",
          "group_renamed",
          "member_added",
          "group_created",
        ],
      );
      assert.ok(entries.every((e) => e.actor?.id === creator.id && e.ts > 0));
      assert.equal(entries[0]?.target?.id, member.id);
      assert.equal(entries[0]?.target?.displayName, member.name);
      assert.deepEqual(entries[4]?.meta, { from: "Couch", to: "Renamed", groupId: group.id });
      assert.equal(entries[1]?.meta.maxUses, 2);
      const older = await call<{ entries: Array<{ action: string }> }>(
        t,
        creator,
        "GET",
        `${base}/audit?before=${entries[4]?.id}`,
      );
      assert.deepEqual(
        older.body.entries.map((e) => e.action),
        ["member_added", "group_created"],
      );
      assert.equal((await call(t, creator, "GET", `${base}/audit?before=x`)).status, 400);
    });
  });
}
