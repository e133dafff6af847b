import assert from "node:assert/strict";
import { it } from "node:test";
import { loadRealtimeUsers } from "./realtime.ts";
import type { User } from "./tables.ts";
import { forEachEngine } from "./test-engines.ts";
import { insertUser } from "./test-fixtures.ts";

forEachEngine("loadRealtimeUsers", (t) => {
  const befriend = async (a: User, b: User, status: "accepted" | "pending" = "accepted") => {
    await t.db
      .insertInto("friendships")
      .values({ requester_id: a.id, addressee_id: b.id, status })
      .execute();
  };

  it("loads several users in one statement: friends by name, groups oldest first, direct chats named after the other", async () => {
    const seenAt = new Date("2026-11-20T10:11:12.345Z");
    const ann = await insertUser(t.db, { display_name: "Ann" });
    const zoe = await insertUser(t.db, { display_name: "Zoe", last_seen_at: seenAt });
    const bea = await insertUser(t.db, { display_name: "Bea" });
    const stranger = await insertUser(t.db, { display_name: "Asker" });
    await befriend(ann, zoe);
    await befriend(bea, ann);
    await befriend(stranger, ann, "pending");
    const older = await t.db
      .insertInto("groups")
      .values({ name: "Climbing", creator_id: ann.id, created_at: new Date("2026-01-01") })
      .returning("id")
      .executeTakeFirstOrThrow();
    const [low, high] = [ann.id, zoe.id].sort();
    const direct = await t.db
      .insertInto("groups")
      .values({
        name: "direct",
        kind: "direct",
        creator_id: ann.id,
        direct_low_id: low,
        direct_high_id: high,
        created_at: new Date("2026-02-01"),
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    await t.db
      .insertInto("group_members")
      .values([
        { group_id: older.id, user_id: ann.id, role: "creator" },
        { group_id: older.id, user_id: zoe.id, muted: true },
        { group_id: direct.id, user_id: ann.id },
        { group_id: direct.id, user_id: zoe.id },
      ])
      .execute();

    const missing = "00000000-0000-4000-8000-000000000000";
    const found = await loadRealtimeUsers(t.db, [ann.id, zoe.id, missing]);

    assert.deepEqual([...found.keys()].sort(), [ann.id, zoe.id].sort());
    assert.deepEqual(found.get(ann.id), {
      user: { id: ann.id, displayName: "Ann", avatarUrl: null, lastSeenMs: null },
      presenceMode: "auto",
      friends: [
        { id: bea.id, displayName: "Bea", avatarUrl: null, lastSeenMs: null },
        { id: zoe.id, displayName: "Zoe", avatarUrl: null, lastSeenMs: seenAt.getTime() },
      ],
      groups: [
        { id: older.id, name: "Climbing", kind: "group", role: "creator", muted: false },
        { id: direct.id, name: "Zoe", kind: "direct", role: "member", muted: false },
      ],
    });
    const zoeRows = found.get(zoe.id);
    assert.equal(zoeRows?.user.lastSeenMs, seenAt.getTime());
    assert.deepEqual(
      zoeRows?.groups.map((group) => [group.name, group.muted]),
      [
        ["Climbing", true],
        ["Ann", false],
      ],
    );
  });

  it("answers an empty request without a statement", async () => {
    assert.equal((await loadRealtimeUsers(t.db, [])).size, 0);
  });
});
