import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { testEngines } from "../src/db/test-engines.ts";
import type { PresenceReader } from "../src/social/presence.ts";
import { startTestGateway, type TestGateway } from "./harness.ts";
import {
  befriend,
  call,
  errorCode,
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
  describe(`groups [${engine.name}]`, () => {
    let t: TestGateway;
    before(async () => {
      t = await startTestGateway(engine, RELAXED);
    });
    after(() => t.close());

    const cast = () => groupCast(t);
    const getGroup = (person: Person, id: string) =>
      call<{ group: GroupBody }>(t, person, "GET", `/api/groups/${id}`);

    test("creating a group of friends: everyone in it hears, each with their own role", async () => {
      const [alex, sam, kim] = [
        await newPerson(t, "Alex"),
        await newPerson(t, "Sam"),
        await newPerson(t, "Kim"),
      ];
      await befriend(t, alex, sam, kim);
      const events = recordEvents(t);
      try {
        const created = await call<{ group: GroupBody }>(t, alex, "POST", "/api/groups", {
          name: "  Couch  ",
          memberIds: [sam.id, kim.id, sam.id, alex.id],
        });
        assert.equal(created.status, 201);
        const group = created.body.group;
        assert.equal(group.name, "Couch");
        assert.equal(group.kind, "group");
        assert.equal(group.role, "creator");
        assert.equal(group.muted, false);
        assert.deepEqual(group.present, []);
        assert.deepEqual(
          group.members.map((m) => [m.id, m.role, m.muted]).sort(),
          [
            [alex.id, "creator", false],
            [sam.id, "member", false],
            [kim.id, "member", false],
          ].sort(),
        );

        const [event, ...rest] = events.take();
        assert.equal(rest.length, 0);
        assert.ok(event?.type === "group_added");
        assert.deepEqual([...event.userIds].sort(), [alex.id, sam.id, kim.id].sort());
        const summary = { id: group.id, name: "Couch", kind: "group", muted: false, present: [] };
        assert.deepEqual(framesByRecipient(event), {
          [alex.id]: { type: "group_added", group: { ...summary, role: "creator" } },
          [sam.id]: { type: "group_added", group: { ...summary, role: "member" } },
          [kim.id]: { type: "group_added", group: { ...summary, role: "member" } },
        });

        const samList = await call<{ groups: GroupBody[] }>(t, sam, "GET", "/api/groups");
        assert.equal(samList.status, 200);
        assert.deepEqual(
          samList.body.groups.map((g) => [g.id, g.role, g.members.length]),
          [[group.id, "member", 3]],
        );
        assert.deepEqual((await getGroup(kim, group.id)).body.group.members, group.members);
      } finally {
        events.stop();
      }
    });

    test("a group may start with its creator alone", async () => {
      const alex = await newPerson(t);
      const reply = await call<{ group: GroupBody }>(t, alex, "POST", "/api/groups", {
        name: "Solo",
      });
      assert.equal(reply.status, 201);
      assert.deepEqual(
        reply.body.group.members.map((m) => m.id),
        [alex.id],
      );
    });

    test("names must be 1 to 64 characters; members must be friends; at most 50 members", async () => {
      const [alex, stranger] = [await newPerson(t), await newPerson(t)];
      for (const name of ["", "   ", "x".repeat(65), "bad\u0007name", 42]) {
        const reply = await call(t, alex, "POST", "/api/groups", { name, memberIds: [] });
        assert.equal(reply.status, 400, JSON.stringify(name));
      }
      assert.equal(
        (await call(t, alex, "POST", "/api/groups", { name: "x", memberIds: ["nope"] })).status,
        400,
      );
      const withStranger = await call(t, alex, "POST", "/api/groups", {
        name: "Nope",
        memberIds: [stranger.id],
      });
      assert.equal(withStranger.status, 403);
      assert.equal(errorCode(withStranger.body), "forbidden");
      const groups = await call<{ groups: GroupBody[] }>(t, alex, "GET", "/api/groups");
      assert.deepEqual(groups.body.groups, [], "nothing was created");

      const friends = await newPeople(t, 50);
      await befriend(t, alex, ...friends);
      const tooMany = await call(t, alex, "POST", "/api/groups", {
        name: "Crowd",
        memberIds: friends.map((f) => f.id),
      });
      assert.equal(tooMany.status, 409);
      const full = await call<{ group: GroupBody }>(t, alex, "POST", "/api/groups", {
        name: "Crowd",
        memberIds: friends.slice(0, 49).map((f) => f.id),
      });
      assert.equal(full.status, 201);
      assert.equal(full.body.group.members.length, 50);
      const fiftyFirst = await call(t, alex, "POST", `/api/groups/${full.body.group.id}/members`, {
        userIds: [friends[49]?.id],
      });
      assert.equal(fiftyFirst.status, 409);
    });

    test("renaming tells every member; the same name changes nothing", async () => {
      const { creator, member, group } = await cast();
      const events = recordEvents(t);
      try {
        const path = `/api/groups/${group.id}`;
        const renamed = await call<{ group: GroupBody }>(t, creator, "PATCH", path, {
          name: "Porch",
        });
        assert.equal(renamed.status, 200);
        assert.equal(renamed.body.group.name, "Porch");
        assert.equal((await getGroup(member, group.id)).body.group.name, "Porch");
        const [event, ...rest] = events.take();
        assert.equal(rest.length, 0);
        const frame = { type: "group_updated", group: group.id, name: "Porch" };
        assert.deepEqual(framesByRecipient(event), { [creator.id]: frame, [member.id]: frame });
        assert.equal((await call(t, creator, "PATCH", path, { name: "Porch" })).status, 200);
        assert.deepEqual(events.take(), []);
        assert.equal((await call(t, creator, "PATCH", path, { name: "" })).status, 400);
      } finally {
        events.stop();
      }
    });

    test("the creator adds friends; only the newcomers hear group_added", async () => {
      const { creator, member, outsider, group } = await cast();
      const stranger = await newPerson(t);
      const events = recordEvents(t);
      try {
        const path = `/api/groups/${group.id}/members`;
        const notFriend = await call(t, creator, "POST", path, { userIds: [stranger.id] });
        assert.equal(notFriend.status, 403);
        assert.deepEqual(events.take(), []);
        const added = await call<{ group: GroupBody }>(t, creator, "POST", path, {
          userIds: [outsider.id, member.id],
        });
        assert.equal(added.status, 200);
        assert.deepEqual(
          added.body.group.members.map((m) => m.id).sort(),
          [creator.id, member.id, outsider.id].sort(),
        );
        const [event, ...rest] = events.take();
        assert.equal(rest.length, 0);
        assert.ok(event?.type === "group_added");
        assert.deepEqual(event.userIds, [outsider.id]);
        assert.deepEqual(framesByRecipient(event), {
          [outsider.id]: {
            type: "group_added",
            group: {
              id: group.id,
              name: group.name,
              kind: "group",
              role: "member",
              muted: false,
              present: [],
            },
          },
        });
        assert.equal((await getGroup(outsider, group.id)).status, 200);
        const again = await call(t, creator, "POST", path, { userIds: [outsider.id] });
        assert.equal(again.status, 200);
        assert.deepEqual(events.take(), [], "adding a member twice changes nothing");
        assert.equal((await call(t, creator, "POST", path, { userIds: [] })).status, 400);
      } finally {
        events.stop();
      }
    });

    test("present comes from the presence reader", async () => {
      const { creator, member, group } = await cast();
      const original = t.gateway.context.presence;
      const fake: PresenceReader = {
        isOnline: () => true,
        statusOf: () => "active",
        lastSeen: () => undefined,
        presentIn: (id) => (id === group.id ? [member.id] : []),
      };
      t.gateway.context.presence = fake;
      try {
        const list = await call<{ groups: GroupBody[] }>(t, creator, "GET", "/api/groups");
        assert.deepEqual(list.body.groups[0]?.present, [member.id]);
      } finally {
        t.gateway.context.presence = original;
      }
    });
  });
}
