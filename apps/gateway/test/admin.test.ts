import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { testEngines } from "../src/db/test-engines.ts";
import { startTestGateway, type TestGateway } from "./harness.ts";

const ADMIN_TOKEN = "admin-token-for-tests-0123456789";
const ENV = { ADMIN_TOKEN, REST_REQUESTS_PER_MINUTE: "100000" };

interface FixtureUser {
  id: string;
  email: string;
  displayName: string;
  token: string;
}
interface Fixtures {
  users: FixtureUser[];
  groups: Array<{ id: string; members: string[] }>;
}

const pairKey = (a: string, b: string) => (a < b ? `${a}|${b}` : `${b}|${a}`);

for (const engine of testEngines()) {
  describe(`the fixtures/admin API [${engine.name}]`, () => {
    let t: TestGateway;
    before(async () => {
      t = await startTestGateway(engine, ENV);
    });
    after(() => t.close());

    const admin = (method: string, path: string, body?: unknown, token = ADMIN_TOKEN) =>
      fetch(`${t.base}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });

    async function createFixtures(body: unknown): Promise<Fixtures> {
      const response = await admin("POST", "/admin/fixtures", body);
      assert.equal(response.status, 201, await response.clone().text());
      return (await response.json()) as Fixtures;
    }

    const me = (token: string) =>
      fetch(`${t.base}/api/me`, { headers: { authorization: `Bearer ${token}` } });

    async function friendPairsOf(userIds: string[]): Promise<string[]> {
      const rows = await t.database.db
        .selectFrom("friendships")
        .select(["requester_id", "addressee_id", "status"])
        .where((eb) =>
          eb.or([eb("requester_id", "in", userIds), eb("addressee_id", "in", userIds)]),
        )
        .execute();
      assert.ok(rows.every((row) => row.status === "accepted"));
      return rows.map((row) => pairKey(row.requester_id, row.addressee_id)).sort();
    }

    // 10 groups of 5 over 50 users; consecutive groups share two people, so pairs repeat.
    const groupsOf50 = Array.from({ length: 10 }, (_, g) => ({
      name: `Group ${g}`,
      members: [0, 1, 2, 3, 4].map((k) => (g * 5 + k + (k < 2 ? 47 : 0)) % 50),
    }));

    test("every call needs the admin token as a Bearer: 401 without it or with a wrong one", async () => {
      const body = { users: 1 };
      const missing = await fetch(`${t.base}/admin/fixtures`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      assert.equal(missing.status, 401);
      assert.equal(
        ((await missing.json()) as { error: { code: string } }).error.code,
        "unauthorized",
      );
      for (const wrong of [
        `${ADMIN_TOKEN}x`,
        ADMIN_TOKEN.slice(0, -1),
        "short",
        "x".repeat(4096),
      ]) {
        assert.equal((await admin("POST", "/admin/fixtures", body, wrong)).status, 401);
      }
      const basic = await fetch(`${t.base}/admin/fixtures`, {
        method: "POST",
        headers: { authorization: `Basic ${ADMIN_TOKEN}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      assert.equal(basic.status, 401);
      const unknownId = "00000000-0000-4000-8000-000000000000";
      assert.equal(
        (await admin("DELETE", `/admin/users/${unknownId}`, undefined, "nope")).status,
        401,
      );
      assert.equal(
        (await admin("POST", `/admin/users/${unknownId}/revoke-sessions`, undefined, "nope"))
          .status,
        401,
      );
    });

    test("creates users whose tokens are live sessions, and groups with the first member as creator", async () => {
      const fixtures = await createFixtures({ users: 50, groups: groupsOf50 });
      assert.equal(fixtures.users.length, 50);
      assert.equal(new Set(fixtures.users.map((user) => user.email)).size, 50);
      for (const user of fixtures.users) {
        const response = await me(user.token);
        assert.equal(response.status, 200);
        const { user: shown } = (await response.json()) as {
          user: { id: string; email: string; displayName: string; friendCode: string };
        };
        assert.deepEqual(
          { id: shown.id, email: shown.email, displayName: shown.displayName },
          { id: user.id, email: user.email, displayName: user.displayName },
        );
        assert.match(shown.friendCode, /^[0-9A-HJKMNP-TV-Z]{8}$/);
      }
      const cookie = await fetch(`${t.base}/api/me`, {
        headers: { cookie: `clofri_session=${fixtures.users[0]?.token}` },
      });
      assert.equal(cookie.status, 200, "the token also works as the session cookie");

      assert.equal(fixtures.groups.length, 10);
      for (const [g, group] of fixtures.groups.entries()) {
        const expected = groupsOf50[g]?.members.map((index) => fixtures.users[index]?.id);
        assert.deepEqual(group.members, expected);
        const row = await t.database.db
          .selectFrom("groups")
          .select(["name", "kind", "creator_id"])
          .where("id", "=", group.id)
          .executeTakeFirstOrThrow();
        assert.deepEqual(row, { name: `Group ${g}`, kind: "group", creator_id: group.members[0] });
        const members = await t.database.db
          .selectFrom("group_members")
          .select(["user_id", "role", "muted"])
          .where("group_id", "=", group.id)
          .execute();
        assert.equal(members.length, 5);
        for (const member of members) {
          const isCreator = member.user_id === group.members[0];
          assert.equal(member.role, isCreator ? "creator" : "member");
          assert.equal(member.muted, false);
        }
        assert.deepEqual(members.map((m) => m.user_id).sort(), [...group.members].sort());
      }

      // befriend defaults to "group": exactly the pairs that share a group, once each.
      const expectedPairs = new Set<string>();
      for (const group of fixtures.groups) {
        for (const a of group.members) {
          for (const b of group.members) if (a !== b) expectedPairs.add(pairKey(a, b));
        }
      }
      const pairs = await friendPairsOf(fixtures.users.map((user) => user.id));
      assert.equal(pairs.length, new Set(pairs).size, "one row per unordered pair");
      assert.deepEqual(pairs, [...expectedPairs].sort());
    });

    test('befriend "all" makes everyone friends; "none" makes no friendships', async () => {
      const all = await createFixtures({ users: 12, befriend: "all" });
      const allPairs = await friendPairsOf(all.users.map((user) => user.id));
      assert.equal(allPairs.length, (12 * 11) / 2);
      assert.equal(new Set(allPairs).size, allPairs.length);

      const none = await createFixtures({ users: 20, groups: [], befriend: "none" });
      assert.deepEqual(await friendPairsOf(none.users.map((user) => user.id)), []);
      const grouped = await createFixtures({
        users: 6,
        groups: [{ name: "Quiet", members: [5, 0, 1] }],
        befriend: "none",
      });
      assert.deepEqual(await friendPairsOf(grouped.users.map((user) => user.id)), []);
      assert.equal(grouped.groups[0]?.members[0], grouped.users[5]?.id, "the first member creates");
    });

    test("invalid bodies are 400 with a message naming the field", async () => {
      const cases: Array<[unknown, RegExp]> = [
        [{}, /^users: /],
        [{ users: 0 }, /^users: expected 1 to 20000 users$/],
        [{ users: 20_001 }, /^users: expected 1 to 20000 users$/],
        [{ users: 2.5 }, /^users: expected a whole number of users$/],
        [{ users: "10" }, /^users: expected a number of users$/],
        [
          { users: 5, groups: [{ name: "A", members: [0, 5] }] },
          /^groups\.0\.members\.1: expected a user index from 0 to 4, got 5$/,
        ],
        [{ users: 5, groups: [{ name: "A", members: [0, -1] }] }, /^groups\.0\.members\.1: /],
        [
          { users: 5, groups: [{ name: "A", members: [1, 2, 1] }] },
          /^groups\.0\.members: expected distinct members$/,
        ],
        [
          { users: 5, groups: [{ name: "A", members: [] }] },
          /^groups\.0\.members: expected 1 to 50 members$/,
        ],
        [
          { users: 60, groups: [{ name: "A", members: Array.from({ length: 51 }, (_, i) => i) }] },
          /^groups\.0\.members: expected 1 to 50 members$/,
        ],
        [
          { users: 5, groups: [{ name: "", members: [0] }] },
          /^groups\.0\.name: expected 1 to 64 characters$/,
        ],
        [
          { users: 5, groups: [{ name: "n".repeat(65), members: [0] }] },
          /^groups\.0\.name: expected 1 to 64 characters$/,
        ],
        [{ users: 5, groups: [{ members: [0] }] }, /^groups\.0\.name: /],
        [{ users: 5, befriend: "some" }, /^befriend: expected "group", "all" or "none"$/],
        [{ users: 501, befriend: "all" }, /^befriend: "all" .* limited to 500 users, got 501$/],
        [{ users: 5, extra: true }, /expected only users, groups and befriend/],
      ];
      for (const [body, message] of cases) {
        const response = await admin("POST", "/admin/fixtures", body);
        assert.equal(response.status, 400, JSON.stringify(body).slice(0, 200));
        const { error } = (await response.json()) as { error: { code: string; message: string } };
        assert.equal(error.code, "invalid_request");
        assert.match(error.message, message);
      }
      const malformed = await fetch(`${t.base}/admin/fixtures`, {
        method: "POST",
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
        body: "{users: 3",
      });
      assert.equal(malformed.status, 400);
    });

    test("deleting a user ends their session at once; a second delete is 404", async () => {
      const { users, groups } = await createFixtures({
        users: 3,
        groups: [{ name: "Theirs", members: [0, 1, 2] }],
      });
      const [gone, stays] = users as [FixtureUser, FixtureUser];
      assert.equal((await me(gone.token)).status, 200, "the session is cached now");
      const deleted = await admin("DELETE", `/admin/users/${gone.id}`);
      assert.equal(deleted.status, 204);
      assert.equal((await me(gone.token)).status, 401);
      assert.equal((await me(stays.token)).status, 200);
      const group = await t.database.db
        .selectFrom("groups")
        .select("creator_id")
        .where("id", "=", groups[0]?.id ?? "")
        .executeTakeFirst();
      // Fixture members join at the same instant, so either of the two may be the heir.
      const remaining = users.slice(1).map((user) => user.id);
      assert.ok(
        remaining.includes(group?.creator_id ?? ""),
        "the group passed to a member who stays",
      );
      assert.equal((await admin("DELETE", `/admin/users/${gone.id}`)).status, 404);
      const malformed = await admin("DELETE", "/admin/users/not-a-uuid");
      assert.equal(malformed.status, 400);
      assert.match(
        ((await malformed.json()) as { error: { message: string } }).error.message,
        /^id: expected a user id/,
      );
    });

    test("revoking a user's sessions ends them at once and says how many", async () => {
      const { users } = await createFixtures({ users: 2 });
      const [target, other] = users as [FixtureUser, FixtureUser];
      assert.equal((await me(target.token)).status, 200);
      const revoked = await admin("POST", `/admin/users/${target.id}/revoke-sessions`);
      assert.equal(revoked.status, 200);
      assert.deepEqual(await revoked.json(), { revoked: 1 });
      assert.equal((await me(target.token)).status, 401);
      assert.equal((await me(other.token)).status, 200);
      const again = await admin("POST", `/admin/users/${target.id}/revoke-sessions`);
      assert.deepEqual(await again.json(), { revoked: 0 });
      const unknown = await admin(
        "POST",
        "/admin/users/00000000-0000-4000-8000-000000000000/revoke-sessions",
      );
      assert.equal(unknown.status, 404);
    });

    test("a fixture spec far above the API's 64 KiB body cap is accepted", async () => {
      const groups = Array.from({ length: 1_200 }, (_, g) => ({
        name: `Load group ${g} `.padEnd(60, "x"),
        members: [0, 1, 2, 3],
      }));
      const body = { users: 4, groups, befriend: "none" };
      assert.ok(JSON.stringify(body).length > 64 * 1024);
      const fixtures = await createFixtures(body);
      assert.equal(fixtures.groups.length, 1_200);
    });
  });

  describe(`the fixtures/admin API without ADMIN_TOKEN [${engine.name}]`, () => {
    let t: TestGateway;
    before(async () => {
      t = await startTestGateway(engine);
    });
    after(() => t.close());

    test("the routes do not exist: 404 as for any unknown path", async () => {
      const fixtures = await fetch(`${t.base}/admin/fixtures`, {
        method: "POST",
        headers: {
          authorization: "Bearer anything-at-all-here",
          "content-type": "application/json",
        },
        body: JSON.stringify({ users: 1 }),
      });
      assert.equal(fixtures.status, 404);
      const id = "00000000-0000-4000-8000-000000000000";
      assert.equal((await fetch(`${t.base}/admin/users/${id}`, { method: "DELETE" })).status, 404);
      // The 404s come from a gateway that otherwise serves (this also touches the database: a
      // test PGlite closed without any query keeps the process alive, see the report).
      assert.equal((await fetch(`${t.base}/health`)).status, 200);
    });
  });
}
