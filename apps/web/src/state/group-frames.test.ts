import assert from "node:assert/strict";
import { test } from "node:test";
import { INITIAL_STATE, roomOf } from "./app-state.ts";
import { apply, G, groupSummary, hello, joined, ME, SAM } from "./testing/frame-fixture.ts";
import { phraseText } from "./wording.ts";

test("being kicked removes the group and says so; someone else kicked is a system line", () => {
  let state = apply(joined(), { type: "member_kicked", group: G, userId: SAM });
  assert.deepEqual(
    roomOf(state, G).system.map((l) => phraseText(l.text)),
    ["Sam was removed"],
  );
  assert.equal(
    roomOf(state, G).members.some((m) => m.userId === SAM),
    false,
  );
  state = apply(state, { type: "member_kicked", group: G, userId: ME });
  assert.deepEqual(state.groups, []);
  assert.equal(phraseText(state.flash ?? []), "You were removed from Couch.");
  assert.equal(state.rooms[G], undefined);
});

test("member_left hands the group to me when I was named the new creator", () => {
  const state = apply(
    apply(INITIAL_STATE, {
      ...hello,
      groups: [groupSummary()],
    }),
    { type: "member_left", group: G, userId: SAM, creatorId: ME },
  );
  assert.equal(state.groups[0]?.role, "creator");
});
