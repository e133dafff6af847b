import assert from "node:assert/strict";
import { test } from "node:test";
import type { ServerFrame } from "@clofri/protocol";
import { INITIAL_STATE, roomOf } from "./app-state.ts";
import { reduceFrame } from "./frames.ts";
import { presentIn } from "./selectors.ts";
import { apply, G, hello, joined, msg, NOW } from "./testing/frame-fixture.ts";

test("hello fills the home screen: me, friends online, groups with who is in them", () => {
  const state = apply(INITIAL_STATE, hello);
  assert.equal(state.me?.displayName, "Alex");
  assert.deepEqual(
    state.friends.filter((f) => f.online).map((f) => f.displayName),
    ["Sam"],
  );
  const couch = state.groups[0];
  assert.ok(couch);
  assert.deepEqual(
    presentIn(state, couch).map((p) => [p.displayName, p.status]),
    [["Sam", "active"]],
  );
});

test("an unsolicited room_unavailable takes the room out so the client rejoins", () => {
  const state = apply(joined([msg(1)]), {
    type: "error",
    code: "room_unavailable",
    message: `the room of group ${G} stopped after repeated failures; join again`,
  });
  assert.equal(roomOf(state, G).joined, false);
  assert.equal(roomOf(state, G).wanted, true);
});

test("the error's group field names the room, whatever the text says", () => {
  const state = apply(joined([msg(1)]), {
    type: "error",
    code: "room_unavailable",
    message: "the room stopped; join again",
    group: G,
  });
  assert.equal(roomOf(state, G).joined, false);
});

test("frame types this client does not know are ignored", () => {
  const state = joined();
  for (const type of ["from_the_future", "toString", "constructor", "__proto__"]) {
    assert.equal(reduceFrame(state, { type } as unknown as ServerFrame, NOW), state, type);
  }
});
