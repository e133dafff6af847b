import assert from "node:assert/strict";
import { it } from "node:test";
import { isCheckViolation, isUniqueViolation } from "./errors.ts";
import type { User } from "./tables.ts";
import { forEachEngine } from "./test-engines.ts";
import { insertUser } from "./test-fixtures.ts";

const IN_A_DAY = new Date(Date.now() + 86_400_000);

forEachEngine("schema constraints", (t) => {
  const befriend = (requester: User, addressee: User) =>
    t.db
      .insertInto("friendships")
      .values({ requester_id: requester.id, addressee_id: addressee.id })
      .returningAll()
      .executeTakeFirstOrThrow();

  it("treats emails that differ only in case as the same address", async () => {
    await insertUser(t.db, { email: "A@x.com" });

    await assert.rejects(insertUser(t.db, { email: "a@X.com" }), (error) =>
      isUniqueViolation(error, "users_email_unique"),
    );
    const found = await t.db
      .selectFrom("users")
      .select("email")
      .where("email", "=", "a@x.COM")
      .executeTakeFirst();
    assert.equal(found?.email, "A@x.com");
  });

  it("gives every user a distinct friend code", async () => {
    await insertUser(t.db, { friend_code: "SAMECODE1" });

    await assert.rejects(insertUser(t.db, { friend_code: "SAMECODE1" }), (error) =>
      isUniqueViolation(error, "users_friend_code_unique"),
    );
  });

  it("keeps one friendship row per pair, whichever way the request goes", async () => {
    const [ana, ben] = [await insertUser(t.db), await insertUser(t.db)];
    await befriend(ana, ben);

    await assert.rejects(befriend(ana, ben), (error) => isUniqueViolation(error));
    await assert.rejects(befriend(ben, ana), (error) =>
      isUniqueViolation(error, "friendships_pair_unique"),
    );
  });

  it("refuses a friendship with oneself", async () => {
    const ana = await insertUser(t.db);

    await assert.rejects(befriend(ana, ana), (error) =>
      isCheckViolation(error, "friendships_not_self_check"),
    );
  });

  it("accepts only the known friendship statuses", async () => {
    const [ana, ben] = [await insertUser(t.db), await insertUser(t.db)];
    const request = await befriend(ana, ben);
    assert.equal(request.status, "pending");

    await assert.rejects(
      t.db
        .updateTable("friendships")
        .set({ status: "blocked" as "accepted" })
        .where("id", "=", request.id)
        .execute(),
      (error) => isCheckViolation(error, "friendships_status_check"),
    );
  });

  it("removes a deleted user's sessions, memberships, friendships and groups", async () => {
    const [gone, stays] = [await insertUser(t.db), await insertUser(t.db)];
    await t.db
      .insertInto("sessions")
      .values({ id: `session-${gone.id}`, user_id: gone.id, expires_at: IN_A_DAY })
      .execute();
    await t.db
      .insertInto("oauth_accounts")
      .values({ provider: "github", provider_user_id: gone.id, user_id: gone.id })
      .execute();
    await befriend(gone, stays);
    const ownGroup = await insertGroup(gone, [stays]);
    const othersGroup = await insertGroup(stays, [gone]);
    await t.db
      .insertInto("audit_logs")
      .values({ action: "member_kicked", actor_id: stays.id, target_user_id: gone.id })
      .execute();

    await t.db.deleteFrom("users").where("id", "=", gone.id).execute();

    const left = async (table: "sessions" | "oauth_accounts" | "group_members") =>
      t.db.selectFrom(table).select("user_id").where("user_id", "=", gone.id).execute();
    assert.deepEqual(await left("sessions"), []);
    assert.deepEqual(await left("oauth_accounts"), []);
    assert.deepEqual(await left("group_members"), []);
    const friendships = await t.db
      .selectFrom("friendships")
      .selectAll()
      .where((eb) => eb.or([eb("requester_id", "=", gone.id), eb("addressee_id", "=", gone.id)]))
      .execute();
    assert.deepEqual(friendships, []);
    const groups = await t.db
      .selectFrom("groups")
      .select("id")
      .where("id", "in", [ownGroup, othersGroup])
      .execute();
    assert.deepEqual(groups, [{ id: othersGroup }], "their own group goes, others' groups stay");
    const audit = await t.db
      .selectFrom("audit_logs")
      .select(["actor_id", "target_user_id"])
      .where("actor_id", "=", stays.id)
      .execute();
    assert.deepEqual(audit, [{ actor_id: stays.id, target_user_id: null }], "history stays");
  });

  it("deletes a group's members and invites with it, and keeps its audit rows", async () => {
    const [owner, friend] = [await insertUser(t.db), await insertUser(t.db)];
    const groupId = await insertGroup(owner, [friend]);
    await insertInvite(groupId, owner, { code: `invite-${groupId}` });
    await t.db
      .insertInto("audit_logs")
      .values({ action: "group_deleted", actor_id: owner.id, group_id: groupId })
      .execute();

    await t.db.deleteFrom("groups").where("id", "=", groupId).execute();

    const members = await t.db
      .selectFrom("group_members")
      .select("user_id")
      .where("group_id", "=", groupId)
      .execute();
    assert.deepEqual(members, []);
    const invites = await t.db
      .selectFrom("group_invites")
      .select("code")
      .where("group_id", "=", groupId)
      .execute();
    assert.deepEqual(invites, []);
    const audit = await t.db
      .selectFrom("audit_logs")
      .select("group_id")
      .where("action", "=", "group_deleted")
      .where("actor_id", "=", owner.id)
      .execute();
    assert.deepEqual(audit, [{ group_id: null }]);
  });

  it("never lets an invite be used more times than it allows", async () => {
    const owner = await insertUser(t.db);
    const groupId = await insertGroup(owner, []);
    const code = `invite-uses-${groupId}`;
    await insertInvite(groupId, owner, { code, max_uses: 2 });
    const useOnce = () =>
      t.db
        .updateTable("group_invites")
        .set((eb) => ({ uses: eb("uses", "+", 1) }))
        .where("code", "=", code)
        .execute();

    await useOnce();
    await useOnce();
    await assert.rejects(useOnce(), (error) => isCheckViolation(error, "group_invites_uses_check"));
    await assert.rejects(insertInvite(groupId, owner, { code: "short" }), (error) =>
      isCheckViolation(error, "group_invites_code_length_check"),
    );
  });

  it("allows one direct chat per pair of users", async () => {
    const [ana, ben] = [await insertUser(t.db), await insertUser(t.db)];
    const [low, high] = ana.id < ben.id ? [ana.id, ben.id] : [ben.id, ana.id];
    const insertDirect = (directLow: string | null, directHigh: string | null) =>
      t.db
        .insertInto("groups")
        .values({
          name: "",
          kind: "direct",
          creator_id: ana.id,
          direct_low_id: directLow,
          direct_high_id: directHigh,
        })
        .execute();

    await insertDirect(low, high);
    await assert.rejects(insertDirect(low, high), (error) =>
      isUniqueViolation(error, "groups_direct_pair_unique"),
    );
    await assert.rejects(insertDirect(high, low), (error) =>
      isCheckViolation(error, "groups_direct_pair_check"),
    );
    await assert.rejects(insertDirect(low, null), (error) =>
      isCheckViolation(error, "groups_direct_pair_check"),
    );
  });

  it("allows one creator per group", async () => {
    const [owner, friend] = [await insertUser(t.db), await insertUser(t.db)];
    const groupId = await insertGroup(owner, [friend]);

    await assert.rejects(
      t.db
        .updateTable("group_members")
        .set({ role: "creator" })
        .where("group_id", "=", groupId)
        .where("user_id", "=", friend.id)
        .execute(),
      (error) => isUniqueViolation(error, "group_members_one_creator_unique"),
    );
  });

  async function insertGroup(creator: User, members: User[]): Promise<string> {
    const group = await t.db
      .insertInto("groups")
      .values({ name: `${creator.display_name}'s group`, creator_id: creator.id })
      .returning("id")
      .executeTakeFirstOrThrow();
    await t.db
      .insertInto("group_members")
      .values([
        { group_id: group.id, user_id: creator.id, role: "creator" },
        ...members.map((member) => ({ group_id: group.id, user_id: member.id })),
      ])
      .execute();
    return group.id;
  }

  function insertInvite(
    groupId: string,
    inviter: User,
    invite: { code: string; max_uses?: number },
  ) {
    return t.db
      .insertInto("group_invites")
      .values({ group_id: groupId, inviter_id: inviter.id, expires_at: IN_A_DAY, ...invite })
      .execute();
  }
});
