import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { consumeInvite } from "../src/db/invites.ts";
import { testEngines } from "../src/db/test-engines.ts";
import { startTestGateway, type TestGateway } from "./harness.ts";
import {
  befriend,
  call,
  createGroup,
  errorCode,
  framesByRecipient,
  type GroupBody,
  newPeople,
  newPerson,
  type Person,
  RELAXED,
  recordEvents,
} from "./social-harness.ts";

interface InviteBody {
  code: string;
  link: string;
  expiresAt: number;
  maxUses: number;
  uses: number;
  createdAt: number;
  inviterId: string;
}
interface PreviewBody {
  code: string;
  group: { name: string; memberCount: number };
  inviter: { id: string; displayName: string; avatarUrl: string | null };
  expiresAt: number;
  isMember: boolean;
}

const DAY_MS = 24 * 60 * 60 * 1000;

for (const engine of testEngines()) {
  describe(`invites [${engine.name}]`, () => {
    let t: TestGateway;
    before(async () => {
      t = await startTestGateway(engine, RELAXED);
    });
    after(() => t.close());

    async function groupWithInvite(options: { maxUses?: number; expiresInMs?: number } = {}) {
      const creator = await newPerson(t, "Creator");
      const group = await createGroup(t, creator, [], "Porch");
      const invite = await call<{ invite: InviteBody }>(
        t,
        creator,
        "POST",
        `/api/groups/${group.id}/invites`,
        options,
      );
      assert.equal(invite.status, 201);
      return { creator, group, invite: invite.body.invite };
    }

    const join = (person: Person, code: string) =>
      call<{ group: GroupBody }>(t, person, "POST", `/api/invites/${code}/join`);
    const preview = (person: Person, code: string) =>
      call<{ invite: PreviewBody }>(t, person, "GET", `/api/invites/${code}`);
    const usesOf = async (code: string) =>
      (
        await t.database.db
          .selectFrom("group_invites")
          .select("uses")
          .where("code", "=", code)
          .executeTakeFirstOrThrow()
      ).uses;

    test("an invite defaults to one use for 24 hours, with an unguessable code", async () => {
      const before = t.clock.nowMs;
      const creator = await newPerson(t);
      const group = await createGroup(t, creator, []);
      // No body at all: every field has a default.
      const reply = await call<{ invite: InviteBody }>(
        t,
        creator,
        "POST",
        `/api/groups/${group.id}/invites`,
      );
      assert.equal(reply.status, 201);
      const invite = reply.body.invite;
      assert.match(invite.code, /^[0-9A-HJKMNP-TV-Z]{12}$/);
      assert.equal(invite.link, `${t.origin}/join/${invite.code}`);
      assert.equal(invite.expiresAt, before + DAY_MS);
      assert.equal(invite.maxUses, 1);
      assert.equal(invite.uses, 0);
      assert.equal(invite.inviterId, creator.id);

      const custom = await call<{ invite: InviteBody }>(
        t,
        creator,
        "POST",
        `/api/groups/${group.id}/invites`,
        { expiresInMs: 7 * DAY_MS, maxUses: 50 },
      );
      assert.equal(custom.status, 201);
      assert.equal(custom.body.invite.expiresAt, before + 7 * DAY_MS);
      assert.equal(custom.body.invite.maxUses, 50);
      assert.notEqual(custom.body.invite.code, invite.code);
    });

    test("invite limits are validated", async () => {
      const creator = await newPerson(t);
      const group = await createGroup(t, creator, []);
      for (const body of [
        { expiresInMs: 7 * DAY_MS + 1 },
        { expiresInMs: 0 },
        { expiresInMs: 1.5 },
        { maxUses: 0 },
        { maxUses: 51 },
        { maxUses: "2" },
        { other: true },
      ]) {
        const reply = await call(t, creator, "POST", `/api/groups/${group.id}/invites`, body);
        assert.equal(reply.status, 400, JSON.stringify(body));
      }
    });

    test("preview shows the group's name and the inviter without joining", async () => {
      const { group, invite, creator } = await groupWithInvite();
      const guest = await newPerson(t);
      const reply = await preview(guest, invite.code);
      assert.equal(reply.status, 200);
      assert.deepEqual(reply.body.invite, {
        code: invite.code,
        group: { name: "Porch", memberCount: 1 },
        inviter: { id: creator.id, displayName: "Creator", avatarUrl: null },
        expiresAt: invite.expiresAt,
        isMember: false,
      });
      assert.equal(await usesOf(invite.code), 0);
      assert.equal((await call(t, guest, "GET", `/api/groups/${group.id}`)).status, 404);
      assert.equal((await preview(creator, invite.code)).body.invite.isMember, true);
      assert.equal((await preview(guest, "ZZZZZZZZZZZZ")).status, 404);
      assert.equal((await preview(guest, "bad")).status, 400);
      assert.equal((await call(t, undefined, "GET", `/api/invites/${invite.code}`)).status, 401);
    });

    test("joining adds me, tells me alone, takes one use, and is logged", async () => {
      const { creator, group, invite } = await groupWithInvite({ maxUses: 2 });
      const [guest, late] = await newPeople(t, 2);
      if (!guest || !late) throw new Error("expected two people");
      const events = recordEvents(t);
      try {
        const joined = await join(guest, invite.code.toLowerCase());
        assert.equal(joined.status, 200);
        assert.equal(joined.body.group.id, group.id);
        assert.equal(joined.body.group.role, "member");
        assert.deepEqual(
          joined.body.group.members.map((m) => m.id),
          [creator.id, guest.id],
        );
        const [event, ...rest] = events.take();
        assert.equal(rest.length, 0);
        assert.ok(event?.type === "group_added");
        assert.deepEqual(event.userIds, [guest.id]);
        assert.deepEqual(framesByRecipient(event), {
          [guest.id]: {
            type: "group_added",
            group: {
              id: group.id,
              name: "Porch",
              kind: "group",
              role: "member",
              muted: false,
              present: [],
            },
          },
        });
        assert.equal(await usesOf(invite.code), 1);

        const again = await join(guest, invite.code);
        assert.equal(again.status, 200, "joining again is harmless");
        assert.equal(await usesOf(invite.code), 1, "and takes no use");
        assert.deepEqual(events.take(), []);

        assert.equal((await join(late, invite.code)).status, 200);
        const usedUp = await join(await newPerson(t), invite.code);
        assert.equal(usedUp.status, 410);
        assert.equal(errorCode(usedUp.body), "gone");
        assert.equal((await preview(await newPerson(t), invite.code)).status, 410);

        const audit = await call<{
          entries: Array<{ action: string; actor: { id: string }; meta: { code?: string } }>;
        }>(t, creator, "GET", `/api/groups/${group.id}/audit`);
        const used = audit.body.entries.filter((e) => e.action === "invite_used");
        assert.deepEqual(
          used.map((e) => [e.actor.id, e.meta.code]),
          [
            [late.id, invite.code],
            [guest.id, invite.code],
          ],
        );
        assert.ok(audit.body.entries.some((e) => e.action === "invite_created"));
      } finally {
        events.stop();
      }
    });

    test("an invite expires by the clock", async () => {
      const { invite } = await groupWithInvite({ expiresInMs: 60_000 });
      const guest = await newPerson(t);
      t.clock.nowMs += 60_000;
      assert.equal((await preview(guest, invite.code)).status, 410);
      assert.equal((await join(guest, invite.code)).status, 410);
      assert.equal(await usesOf(invite.code), 0);
    });

    test("revoking ends an invite at once; revoking twice is harmless", async () => {
      const { creator, group, invite } = await groupWithInvite({ maxUses: 5 });
      const guest = await newPerson(t);
      const path = `/api/groups/${group.id}/invites/${invite.code}`;
      assert.equal((await call(t, creator, "DELETE", path)).status, 204);
      assert.equal((await preview(guest, invite.code)).status, 410);
      assert.equal((await join(guest, invite.code)).status, 410);
      assert.equal((await call(t, creator, "DELETE", path)).status, 204);
      const unknown = `/api/groups/${group.id}/invites/ZZZZZZZZZZZZ`;
      assert.equal((await call(t, creator, "DELETE", unknown)).status, 404);
      const audit = await call<{ entries: Array<{ action: string }> }>(
        t,
        creator,
        "GET",
        `/api/groups/${group.id}/audit`,
      );
      assert.equal(audit.body.entries.filter((e) => e.action === "invite_revoked").length, 1);

      const other = await groupWithInvite();
      const foreign = `/api/groups/${group.id}/invites/${other.invite.code}`;
      assert.equal((await call(t, creator, "DELETE", foreign)).status, 404);
      assert.equal((await preview(guest, other.invite.code)).status, 200, "still live");
    });

    test("the list holds only live invites", async () => {
      const { creator, group, invite: used } = await groupWithInvite();
      const create = async (body: object) =>
        (
          await call<{ invite: InviteBody }>(
            t,
            creator,
            "POST",
            `/api/groups/${group.id}/invites`,
            body,
          )
        ).body.invite;
      const revoked = await create({});
      await create({ expiresInMs: 60_000 });
      const live = await create({ maxUses: 3 });
      await join(await newPerson(t), used.code);
      await call(t, creator, "DELETE", `/api/groups/${group.id}/invites/${revoked.code}`);
      t.clock.nowMs += 60_000;
      const list = await call<{ invites: InviteBody[] }>(
        t,
        creator,
        "GET",
        `/api/groups/${group.id}/invites`,
      );
      assert.equal(list.status, 200);
      assert.deepEqual(
        list.body.invites.map((i) => i.code),
        [live.code],
      );
    });

    test("50 parallel joins on a 5-use invite admit exactly 5", async () => {
      const { creator, group, invite } = await groupWithInvite({ maxUses: 5 });
      const guests = await newPeople(t, 50);
      const replies = await Promise.all(guests.map((guest) => join(guest, invite.code)));
      const statuses = replies.map((r) => r.status);
      assert.equal(statuses.filter((s) => s === 200).length, 5, statuses.join(","));
      assert.equal(statuses.filter((s) => s === 410).length, 45, statuses.join(","));
      assert.equal(await usesOf(invite.code), 5);
      const seen = await call<{ group: GroupBody }>(t, creator, "GET", `/api/groups/${group.id}`);
      assert.equal(seen.body.group.members.length, 6);
    });

    test("the use-taking UPDATE alone is atomic: 50 concurrent takes of 5 uses get 5", async () => {
      const { invite } = await groupWithInvite({ maxUses: 5 });
      const now = new Date(t.clock.nowMs);
      const takes = await Promise.all(
        Array.from({ length: 50 }, () => consumeInvite(t.database.db, invite.code, now)),
      );
      assert.equal(takes.filter((take) => take !== undefined).length, 5);
      assert.deepEqual(takes.flatMap((take) => (take ? [take.uses] : [])).sort(), [1, 2, 3, 4, 5]);
      assert.equal(await usesOf(invite.code), 5);
    });

    test("a full group refuses a join without using the invite", async () => {
      const creator = await newPerson(t);
      const friends = await newPeople(t, 49);
      await befriend(t, creator, ...friends);
      const group = await createGroup(t, creator, friends);
      const invite = await call<{ invite: InviteBody }>(
        t,
        creator,
        "POST",
        `/api/groups/${group.id}/invites`,
      );
      const code = invite.body.invite.code;
      const full = await join(await newPerson(t), code);
      assert.equal(full.status, 409);
      assert.equal(await usesOf(code), 0);
    });

    test("a direct chat has no invites", async () => {
      const [alex, sam] = await newPeople(t, 2);
      if (!alex || !sam) throw new Error("expected two people");
      await befriend(t, alex, sam);
      const direct = await call<{ group: GroupBody }>(t, alex, "POST", `/api/direct/${sam.id}`);
      const reply = await call(t, alex, "POST", `/api/groups/${direct.body.group.id}/invites`);
      assert.equal(reply.status, 403);
    });
  });
}
