import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { RealtimeProfileRow, RealtimeUserRows } from "../../db/realtime.ts";
import { createLogger } from "../../obs/logger.ts";
import { SharedValues } from "./shared-values.ts";
import { UserDirectory } from "./user-directory.ts";

function person(id: string, displayName = `Name ${id}`): RealtimeProfileRow {
  return { id, displayName, avatarUrl: null, lastSeenMs: null };
}

/** A database of users who are all friends of each other and share one group. */
function setup(ids: string[]) {
  const rows = new Map<string, RealtimeUserRows>();
  for (const id of ids) {
    rows.set(id, {
      user: person(id),
      presenceMode: "auto",
      friends: ids.filter((other) => other !== id).map((other) => person(other)),
      groups: [{ id: "g1", name: "Climbing", kind: "group", role: "member", muted: false }],
    });
  }
  const statements: string[][] = [];
  const online = new Set<string>();
  const db = { isDown: false };
  const directory = new UserDirectory({
    load: async (userIds) => {
      statements.push([...userIds]);
      if (db.isDown) throw new Error("connection refused");
      const found = new Map<string, RealtimeUserRows>();
      for (const id of userIds) {
        const row = rows.get(id);
        if (row !== undefined) found.set(id, row);
      }
      return found;
    },
    isOnline: (userId) => online.has(userId),
    logger: createLogger("silent"),
  });
  return { rows, statements, online, db, directory };
}

describe("UserDirectory", () => {
  test("users connecting in the same tick are loaded by one statement", async () => {
    const { directory, statements } = setup(["a", "b", "c"]);
    const [a, b, c, gone] = await Promise.all([
      directory.acquire("a"),
      directory.acquire("b"),
      directory.acquire("c"),
      directory.acquire("nobody"),
    ]);
    assert.deepEqual(statements, [["a", "b", "c", "nobody"]]);
    assert.deepEqual(a?.user, { id: "a", displayName: "Name a", avatarUrl: null });
    assert.deepEqual(
      b?.friends.map((friend) => friend.summary.id),
      ["a", "c"],
    );
    assert.deepEqual(
      [...(c?.groups.values() ?? [])],
      [{ id: "g1", name: "Climbing", kind: "group", role: "member", muted: false }],
    );
    assert.equal(gone, undefined, "a user who no longer exists gets no state");
    assert.equal(directory.size, 3);
  });

  test("two tabs of one user in the same tick share one load and one state", async () => {
    const { directory, statements } = setup(["a", "b"]);
    const [first, second] = await Promise.all([directory.acquire("a"), directory.acquire("a")]);
    assert.deepEqual(statements, [["a"]]);
    assert.equal(first, second);
  });

  test("a friend is one shared record, given back when no one shows them any more", async () => {
    const { directory } = setup(["a", "b", "c"]);
    const [a, b] = await Promise.all([directory.acquire("a"), directory.acquire("b")]);
    const cSeenByA = a?.friends.find((friend) => friend.summary.id === "c");
    const cSeenByB = b?.friends.find((friend) => friend.summary.id === "c");
    assert.ok(cSeenByA);
    assert.equal(cSeenByA, cSeenByB);
    assert.equal(directory.profileCount, 3);

    directory.release("a");
    assert.equal(directory.profileCount, 3, "b still shows a and c");
    directory.release("b");
    assert.equal(directory.profileCount, 0);
    assert.equal(directory.size, 0);
  });

  test("friends added and removed by social events keep their order and their count", async () => {
    const { directory } = setup(["a", "b", "c"]);
    const a = await directory.acquire("a");
    a?.removeFriend("b");
    a?.addFriend({ ...person("d"), lastSeenMs: 42 });
    a?.addFriend({ ...person("c", "Renamed"), lastSeenMs: 7 });
    assert.deepEqual(
      a?.friends.map(({ summary, storedLastSeenMs }) => [
        summary.id,
        summary.displayName,
        storedLastSeenMs,
      ]),
      [
        ["c", "Renamed", 7],
        ["d", "Name d", 42],
      ],
    );
    directory.release("a");
    assert.equal(directory.profileCount, 0);
  });

  test("the database down: a held state is served from memory, a new user is refused", async () => {
    const { directory, db } = setup(["a", "b"]);
    const held = await directory.acquire("a");
    db.isDown = true;
    assert.equal(await directory.acquire("a"), held);
    await assert.rejects(directory.acquire("b"), /connection refused/);
    assert.equal(directory.get("b"), undefined);
  });

  test("an online user keeps their state with no connection until they go offline", async () => {
    const { directory, online } = setup(["a", "b"]);
    await directory.acquire("a");
    online.add("a");
    directory.release("a");
    assert.ok(directory.get("a"));
    online.delete("a");
    directory.dropIfUnused("a");
    assert.equal(directory.get("a"), undefined);
    assert.equal(directory.profileCount, 0);
  });
});

describe("shared group entries", () => {
  const entry = (name: string) =>
    ({ id: "g1", name, kind: "group", role: "member", muted: false }) as const;

  test("members who see a group alike share one entry", () => {
    const shared = new SharedValues();
    const first = shared.group(entry("Couch"));
    assert.equal(shared.group(entry("Couch")), first);
    assert.notEqual(shared.group({ ...entry("Couch"), role: "creator" }), first);
  });

  test("a group renamed again and again keeps only its latest variants", () => {
    const shared = new SharedValues();
    const original = shared.group(entry("name 0"));
    for (let i = 1; i <= 20; i++) shared.group(entry(`name ${i}`));
    const latest = shared.group(entry("name 20"));
    assert.equal(shared.group(entry("name 20")), latest, "the latest is still shared");
    const again = shared.group(entry("name 0"));
    assert.notEqual(again, original, "the oldest variant was let go");
    assert.deepEqual(again, original, "with the same content");
  });
});

describe("UserDirectory renames", () => {
  test("a rename reaches every state that shows the person", async () => {
    const { directory } = setup(["a", "b"]);
    const [a, b] = await Promise.all([directory.acquire("a"), directory.acquire("b")]);
    directory.renameProfile({ id: "b", displayName: "Bea", avatarUrl: "https://x.example/b" });
    assert.deepEqual(b?.user, { id: "b", displayName: "Bea", avatarUrl: "https://x.example/b" });
    assert.equal(
      a?.friends.find((friend) => friend.summary.id === "b")?.summary.displayName,
      "Bea",
    );
  });

  test("a load that read the rows before a rename does not bring the old name back", async () => {
    const { directory, rows, online } = setup(["a", "b"]);
    online.add("b");
    await directory.acquire("b");
    // a connects; their rows (with b as a friend) are read, then b is renamed, then they arrive.
    const loading = directory.acquire("a");
    directory.renameProfile({ id: "b", displayName: "Bea", avatarUrl: null });
    const a = await loading;
    assert.equal(
      a?.friends.find((friend) => friend.summary.id === "b")?.summary.displayName,
      "Bea",
    );
    assert.equal(directory.get("b")?.user.displayName, "Bea");
    // A load that starts after the rename reads the new row, as the database has it by then.
    const row = rows.get("a");
    assert.ok(row);
    rows.set("a", { ...row, friends: [person("b", "Bea")] });
    assert.equal((await directory.acquire("a"))?.friends[0]?.summary.displayName, "Bea");
  });
});
