import assert from "node:assert/strict";
import { test } from "node:test";
import { ageFraction, messagePace, removalFor, retained } from "./retention.ts";

const retention = { maxMessages: 50, maxAgeMs: 86_400_000 };
const HOUR = 3_600_000;

test("in a quiet room the 24 h limit removes a message first", () => {
  const now = 10 * HOUR;
  const removal = removalFor(now - HOUR, 0, 1, retention, now, null);
  assert.equal(removal.reason, "age");
  assert.equal(removal.expiresAtMs, now - HOUR + 86_400_000);
  assert.equal(removal.messagesLeft, 50);
});

test("in a busy room the 50-message cap removes a message first", () => {
  const now = 10 * HOUR;
  // 40 messages over the last 40 minutes; the oldest goes after 11 more.
  const timestamps = Array.from({ length: 40 }, (_, i) => now - (40 - i) * 60_000);
  const pace = messagePace(timestamps, now);
  assert.equal(pace, 90_000, "judged over at least an hour");
  const oldest = removalFor(timestamps[0] as number, 0, 40, retention, now, pace);
  assert.equal(oldest.reason, "cap");
  assert.equal(oldest.messagesLeft, 11);
});

test("two quick lines do not make a busy room: the 24 h limit comes first", () => {
  const now = 10 * HOUR;
  const pace = messagePace([now - 2_000, now - 1_000], now);
  assert.equal(removalFor(now - 2_000, 0, 2, retention, now, pace).reason, "age");
});

test("an old message in a slow room goes by age even though the room has a pace", () => {
  const now = 30 * HOUR;
  // Two messages 23 h apart: the first has an hour left, the cap is 49 messages (~23 h each) away.
  const first = now - 23 * HOUR;
  const pace = messagePace([first, now - 60_000], now);
  assert.equal(removalFor(first, 0, 2, retention, now, pace).reason, "age");
});

test("fading follows age; what the server has dropped is dropped here too", () => {
  assert.equal(ageFraction(0, retention, 0), 0);
  assert.equal(ageFraction(0, retention, 43_200_000), 0.5);
  assert.equal(ageFraction(0, retention, 10 * 86_400_000), 1);
  const now = 2 * 86_400_000;
  const messages = Array.from({ length: 60 }, (_, i) => ({ ts: now - 1_000 * (60 - i), i }));
  const kept = retained([{ ts: now - 86_400_001, i: -1 }, ...messages], retention, now);
  assert.equal(kept.length, 50);
  assert.equal(kept[0]?.i, 10);
});
