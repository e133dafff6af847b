import assert from "node:assert/strict";
import { test } from "node:test";
import { roomOf } from "./app-state.ts";
import { apply, G, joined, KIM, ME, msg, retention } from "./testing/frame-fixture.ts";

test("message_removed, message_edited and reaction change the room's copy of the message", () => {
  let state = joined([msg(1), msg(2)]);
  state = apply(
    state,
    { type: "message_edited", group: G, id: "m1", text: "fixed", editedAt: 5 },
    { type: "reaction", group: G, id: "m1", userId: ME, emoji: "👍", on: true },
    { type: "reaction", group: G, id: "m1", userId: KIM, emoji: "👍", on: true },
    { type: "reaction", group: G, id: "m1", userId: KIM, emoji: "👍", on: true },
    { type: "reaction", group: G, id: "m1", userId: ME, emoji: "🎉", on: true },
    { type: "reaction", group: G, id: "m1", userId: ME, emoji: "🎉", on: false },
    { type: "message_removed", group: G, id: "m2", by: ME },
    { type: "reaction", group: G, id: "m2", userId: ME, emoji: "👍", on: true },
  );
  const [first, ...rest] = roomOf(state, G).messages;
  assert.deepEqual(
    [first?.text, first?.editedAt, first?.reactions],
    ["fixed", 5, { "👍": [ME, KIM] }],
  );
  assert.deepEqual(rest, [], "the unsent message is gone, and a late reaction brings nothing back");
});

test("a resume replaces what changed before afterSeq and drops what was unsent", () => {
  const state = joined([msg(1), msg(2), msg(3)]);
  const edited = { ...msg(1), text: "new", editedAt: 9, reactions: { "❤️": [KIM] } };
  const next = apply(state, {
    type: "group_state",
    group: G,
    epoch: "e1",
    members: [],
    messages: [msg(4)],
    expired: 0,
    retention,
    updated: [edited],
    removed: ["m2"],
  });
  assert.deepEqual(
    roomOf(next, G).messages.map((m) => [m.seq, m.text]),
    [
      [1, "new"],
      [3, "hi 3"],
      [4, "hi 4"],
    ],
  );
});
