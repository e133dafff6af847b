import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { testEngines } from "../src/db/test-engines.ts";
import { startTestGateway, type TestGateway } from "./harness.ts";
import {
  call,
  errorCode,
  type GroupBody,
  groupCast,
  newPerson,
  type Person,
  RELAXED,
} from "./social-harness.ts";

// docs/API.md: someone removed from a group comes back only through a new invite (or by being
// added again). An invite made before the removal answers them as a dead invite does.

for (const engine of testEngines()) {
  describe(`invites after a removal [${engine.name}]`, () => {
    let t: TestGateway;
    before(async () => {
      t = await startTestGateway(engine, RELAXED);
    });
    after(() => t.close());

    const newInvite = async (creator: Person, groupId: string) => {
      const reply = await call<{ invite: { code: string } }>(
        t,
        creator,
        "POST",
        `/api/groups/${groupId}/invites`,
        { maxUses: 10 },
      );
      assert.equal(reply.status, 201);
      return reply.body.invite.code;
    };
    const join = (person: Person, code: string) =>
      call<{ group: GroupBody }>(t, person, "POST", `/api/invites/${code}/join`);
    const kick = async (creator: Person, groupId: string, member: Person) => {
      const reply = await call(t, creator, "DELETE", `/api/groups/${groupId}/members/${member.id}`);
      assert.equal(reply.status, 204);
    };

    test("an invite from before the removal does not let the removed member back", async () => {
      const { creator, member, group } = await groupCast(t);
      const older = await newInvite(creator, group.id);
      await kick(creator, group.id, member);

      const preview = await call(t, member, "GET", `/api/invites/${older}`);
      assert.equal(preview.status, 410);
      const refused = await join(member, older);
      assert.equal(refused.status, 410);
      assert.equal(errorCode(refused.body), "gone");
      const seen = await call(t, member, "GET", `/api/groups/${group.id}`);
      assert.equal(seen.status, 404, "still out of the group");

      const newcomer = await newPerson(t);
      assert.equal((await join(newcomer, older)).status, 200, "the invite still works for others");

      const newer = await newInvite(creator, group.id);
      const back = await join(member, newer);
      assert.equal(back.status, 200, "a new invite lets them back");
      assert.deepEqual(back.body.group.members.map((m) => m.id).sort(), [
        ...[creator.id, member.id, newcomer.id].sort(),
      ]);
    });

    test("a second removal bars the invites made before it", async () => {
      const { creator, member, group } = await groupCast(t);
      await kick(creator, group.id, member);
      const between = await newInvite(creator, group.id);
      assert.equal((await join(member, between)).status, 200);
      await kick(creator, group.id, member);
      assert.equal((await join(member, between)).status, 410);
    });

    test("leaving by choice bars nothing", async () => {
      const { creator, member, group } = await groupCast(t);
      const older = await newInvite(creator, group.id);
      const left = await call(t, member, "POST", `/api/groups/${group.id}/leave`);
      assert.equal(left.status, 204);
      assert.equal((await join(member, older)).status, 200);
    });
  });
}
