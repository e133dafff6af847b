import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { testEngines } from "../src/db/test-engines.ts";
import { startTestGateway, type TestGateway } from "./harness.ts";
import { befriend, call, groupCast, newPerson, type Person, RELAXED } from "./social-harness.ts";

const UNKNOWN_ID = "00000000-0000-4000-8000-000000000000";

for (const engine of testEngines()) {
  describe(`group permissions [${engine.name}]`, () => {
    let t: TestGateway;
    before(async () => {
      t = await startTestGateway(engine, RELAXED);
    });
    after(() => t.close());

    const cast = () => groupCast(t);

    test("permission matrix: creator / member / non-member / stranger", async () => {
      type Row = {
        what: string;
        request: (ids: { group: string; member: string }) => [string, string, unknown?];
        creator: number;
        member: number;
      };
      const rows: Row[] = [
        {
          what: "get",
          request: (i) => ["GET", `/api/groups/${i.group}`],
          creator: 200,
          member: 200,
        },
        {
          what: "rename",
          request: (i) => ["PATCH", `/api/groups/${i.group}`, { name: "New" }],
          creator: 200,
          member: 403,
        },
        {
          what: "mute",
          request: (i) => ["PATCH", `/api/groups/${i.group}/members/${i.member}`, { muted: true }],
          creator: 200,
          member: 403,
        },
        {
          what: "kick",
          request: (i) => ["DELETE", `/api/groups/${i.group}/members/${i.member}`],
          creator: 204,
          member: 403,
        },
        {
          what: "list invites",
          request: (i) => ["GET", `/api/groups/${i.group}/invites`],
          creator: 200,
          member: 403,
        },
        {
          what: "create invite",
          request: (i) => ["POST", `/api/groups/${i.group}/invites`, {}],
          creator: 201,
          member: 403,
        },
        {
          what: "audit",
          request: (i) => ["GET", `/api/groups/${i.group}/audit`],
          creator: 200,
          member: 403,
        },
        {
          what: "delete",
          request: (i) => ["DELETE", `/api/groups/${i.group}`],
          creator: 204,
          member: 403,
        },
      ];
      for (const row of rows) {
        const { creator, member, outsider, stranger, group } = await cast();
        const [method, path, body] = row.request({ group: group.id, member: member.id });
        const as = async (person: Person) => (await call(t, person, method, path, body)).status;
        assert.equal(await as(stranger), 404, `${row.what} as a stranger`);
        assert.equal(await as(outsider), 404, `${row.what} as a non-member`);
        assert.equal(await as(member), row.member, `${row.what} as a member`);
        assert.equal(await as(creator), row.creator, `${row.what} as the creator`);
      }

      const { creator, member, outsider, stranger, group } = await cast();
      const newcomer = await newPerson(t);
      await befriend(t, creator, newcomer);
      const add = (person: Person) =>
        call(t, person, "POST", `/api/groups/${group.id}/members`, { userIds: [newcomer.id] });
      assert.equal((await add(stranger)).status, 404);
      assert.equal((await add(outsider)).status, 404);
      assert.equal((await add(member)).status, 403);
      assert.equal((await add(creator)).status, 200);

      const revoke = (person: Person, code: string) =>
        call(t, person, "DELETE", `/api/groups/${group.id}/invites/${code}`);
      const invite = await call<{ invite: { code: string } }>(
        t,
        creator,
        "POST",
        `/api/groups/${group.id}/invites`,
      );
      const code = invite.body.invite.code;
      assert.equal((await revoke(stranger, code)).status, 404);
      assert.equal((await revoke(outsider, code)).status, 404);
      assert.equal((await revoke(member, code)).status, 403);
      assert.equal((await revoke(creator, code)).status, 204);

      const leave = (person: Person) => call(t, person, "POST", `/api/groups/${group.id}/leave`);
      assert.equal((await leave(stranger)).status, 404);
      assert.equal((await leave(outsider)).status, 404);
      assert.equal((await leave(member)).status, 204);

      for (const [method, path] of [
        ["GET", `/api/groups/${UNKNOWN_ID}`],
        ["DELETE", `/api/groups/${UNKNOWN_ID}`],
        ["POST", `/api/groups/${UNKNOWN_ID}/leave`],
      ] as const) {
        const reply = await call(t, creator, method, path);
        assert.equal(reply.status, 404, `${method} ${path}`);
        assert.deepEqual(reply.body, { error: { code: "not_found", message: "no such group" } });
      }
      assert.equal((await call(t, creator, "GET", "/api/groups/not-a-uuid")).status, 400);
      assert.equal((await call(t, undefined, "GET", "/api/groups")).status, 401);
      assert.equal((await call(t, undefined, "GET", `/api/groups/${group.id}`)).status, 401);
    });
  });
}
