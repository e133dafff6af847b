import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ManualClock } from "@clofri/actors/testing";
import { type PresenceChange, UserPresence } from "./user-presence.ts";

const GRACE_MS = 5_000;

function setup() {
  const clock = new ManualClock(1_000);
  const wall = { nowMs: 50_000 };
  const changes: PresenceChange[] = [];
  const presence = new UserPresence({
    graceMs: GRACE_MS,
    clock,
    now: () => wall.nowMs,
    onChange: (change) => changes.push(change),
  });
  return { clock, wall, changes, presence };
}

describe("UserPresence", () => {
  test("online with the first connection, offline with the last clean close", () => {
    const { presence, changes, wall } = setup();
    presence.connect("u", "c1");
    presence.connect("u", "c2");
    presence.disconnect("u", "c1", true);
    assert.deepEqual(changes, [{ type: "online", userId: "u" }]);
    assert.equal(presence.isOnline("u"), true);
    assert.equal(presence.lastSeen("u"), wall.nowMs, "online: seen now");

    wall.nowMs += 1_000;
    presence.disconnect("u", "c2", true);
    assert.deepEqual(changes.at(-1), { type: "offline", userId: "u", lastSeenMs: 51_000 });
    assert.equal(presence.isOnline("u"), false);
    assert.equal(presence.lastSeen("u"), 51_000);
  });

  test("an unclean drop keeps the user online for the grace; a reconnect within it shows nothing", async () => {
    const { presence, changes, clock } = setup();
    presence.connect("u", "c1");
    presence.disconnect("u", "c1", false);
    await clock.advance(GRACE_MS - 1);
    assert.equal(presence.isOnline("u"), true);
    presence.connect("u", "c2");
    await clock.advance(GRACE_MS * 2);
    assert.deepEqual(changes, [{ type: "online", userId: "u" }]);
  });

  test("after the grace the user goes offline, last seen when the socket dropped", async () => {
    const { presence, changes, clock, wall } = setup();
    presence.connect("u", "c1");
    presence.disconnect("u", "c1", false);
    const droppedAt = wall.nowMs;
    wall.nowMs += GRACE_MS;
    await clock.advance(GRACE_MS);
    assert.deepEqual(changes.at(-1), { type: "offline", userId: "u", lastSeenMs: droppedAt });
  });

  test("a connection closed twice, or one never seen, changes nothing", () => {
    const { presence, changes } = setup();
    presence.disconnect("u", "c1", true);
    presence.connect("u", "c1");
    presence.disconnect("u", "c1", true);
    presence.disconnect("u", "c1", true);
    assert.deepEqual(
      changes.map((change) => change.type),
      ["online", "offline"],
    );
  });

  test("last-seen times to write: online users now, departed ones once, until written", () => {
    const { presence, wall } = setup();
    presence.connect("a", "c1");
    presence.connect("b", "c2");
    presence.disconnect("b", "c2", true);
    wall.nowMs += 500;
    const entries = presence.lastSeenToWrite();
    assert.deepEqual(entries, [
      { userId: "a", lastSeenMs: 50_500 },
      { userId: "b", lastSeenMs: 50_000 },
    ]);
    presence.written(entries);
    assert.deepEqual(presence.lastSeenToWrite(), [{ userId: "a", lastSeenMs: 50_500 }]);
    assert.equal(presence.lastSeen("b"), undefined, "the database has it");
  });
});
