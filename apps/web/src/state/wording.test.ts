import assert from "node:assert/strict";
import { test } from "node:test";
import { fuzzyLastSeen, initials, peopleList, timeUntil, typingLine } from "./wording.ts";

test("the typing line names one, two or three people, then gives up on names", () => {
  assert.equal(typingLine([]), "");
  assert.equal(typingLine(["Alex"]), "Alex is typing…");
  assert.equal(typingLine(["Alex", "Sam"]), "Alex and Sam are typing…");
  assert.equal(typingLine(["Alex", "Sam", "Kim"]), "Alex, Sam and Kim are typing…");
  assert.equal(typingLine(["Alex", "Sam", "Kim", "Lou"]), "Several people are typing…");
});

test("last seen is fuzzy, not a timestamp", () => {
  const now = Date.UTC(2026, 10, 22, 12);
  const ago = (ms: number) => fuzzyLastSeen(false, now - ms, now);
  assert.equal(fuzzyLastSeen(true, now - 86_400_000, now), "online now");
  assert.equal(fuzzyLastSeen(false, null, now), "not seen yet");
  assert.equal(ago(30_000), "seen just now");
  assert.equal(ago(6 * 60_000), "seen a few minutes ago");
  assert.equal(ago(38 * 60_000), "seen 40 minutes ago");
  assert.equal(ago(70 * 60_000), "seen an hour ago");
  assert.equal(ago(5 * 3_600_000), "seen 5 hours ago");
  assert.equal(ago(30 * 3_600_000), "seen yesterday");
  assert.equal(ago(4 * 86_400_000), "seen 4 days ago");
  assert.equal(ago(9 * 86_400_000), "seen last week");
  assert.equal(ago(100 * 86_400_000), "seen a long time ago");
  // A clock slightly behind the server's never says "in the future".
  assert.equal(fuzzyLastSeen(false, now + 5_000, now), "seen just now");
});

test("people lists and initials", () => {
  assert.equal(peopleList([]), "nobody");
  assert.equal(peopleList(["You", "Sam"]), "You and Sam");
  assert.equal(peopleList(["A", "B", "C", "D", "E"]), "A, B and 3 others");
  assert.equal(initials("alex morgan"), "AM");
  assert.equal(initials("sam"), "S");
  assert.equal(initials("  "), "?");
});

test("time until an invite or message goes", () => {
  assert.equal(timeUntil(1_000 + 12 * 60_000, 1_000), "in 12 min");
  assert.equal(timeUntil(3 * 3_600_000, 0), "in 3 h");
  assert.equal(timeUntil(5 * 86_400_000, 0), "in 5 days");
  assert.equal(timeUntil(0, 10), "now");
});
