import assert from "node:assert/strict";
import { test } from "node:test";
import { checkName } from "./names.ts";
import {
  fuzzyLastSeen,
  initials,
  peopleList,
  phraseText,
  presentLine,
  seenByLine,
  timeUntil,
  typingLine,
} from "./wording.ts";

const typing = (names: string[]) => phraseText(typingLine(names));

test("the typing line names one, two or three people, then gives up on names", () => {
  assert.equal(typing([]), "");
  assert.equal(typing(["Alex"]), "Alex is typing…");
  assert.equal(typing(["Alex", "Sam"]), "Alex and Sam are typing…");
  assert.equal(typing(["Alex", "Sam", "Kim"]), "Alex, Sam and Kim are typing…");
  assert.equal(typing(["Alex", "Sam", "Kim", "Lou"]), "Several people are typing…");
});

test("names stand apart from the words around them, for the views to isolate", () => {
  assert.deepEqual(typingLine(["\u202eevil", "Sam"]), [
    { name: "\u202eevil" },
    " and ",
    { name: "Sam" },
    " are typing…",
  ]);
  assert.deepEqual(presentLine(["You", "Sam"]), [
    { name: "You" },
    " and ",
    { name: "Sam" },
    " are here",
  ]);
  assert.equal(phraseText(presentLine(["Sam"])), "Sam is here");
  assert.equal(phraseText(presentLine(["You"])), "You are here");
  assert.equal(phraseText(presentLine([])), "Nobody's here");
  assert.deepEqual(seenByLine(["Sam", "\u202eevil"]), [
    "Seen by ",
    { name: "\u202eevil" },
    ", ",
    { name: "Sam" },
  ]);
  assert.equal(phraseText(seenByLine(["Sam", "Kim", "Alex"])), "Seen by Alex, Kim, Sam");
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
  assert.equal(phraseText(peopleList([])), "nobody");
  assert.equal(phraseText(peopleList(["You", "Sam"])), "You and Sam");
  assert.equal(phraseText(peopleList(["A", "B", "C", "D", "E"])), "A, B and 3 others");
  assert.equal(initials("alex morgan"), "AM");
  assert.equal(initials("sam"), "S");
  assert.equal(initials("  "), "?");
  assert.equal(initials("\u202eevil one"), "EO");
  assert.equal(initials("\u200b"), "?");
});

test("time until an invite or message goes", () => {
  assert.equal(timeUntil(1_000 + 12 * 60_000, 1_000), "in 12 min");
  assert.equal(timeUntil(3 * 3_600_000, 0), "in 3 h");
  assert.equal(timeUntil(5 * 86_400_000, 0), "in 5 days");
  assert.equal(timeUntil(0, 10), "now");
});

test("names are checked by the server's rule before they are sent", () => {
  assert.deepEqual(checkName("  \u202eevil ", "Display name"), { ok: true, name: "evil" });
  assert.deepEqual(checkName("\u200b\u200d", "Group name"), {
    ok: false,
    problem: "Group name: expected at least one visible character.",
  });
});
