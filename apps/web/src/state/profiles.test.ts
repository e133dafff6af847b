import assert from "node:assert/strict";
import { test } from "node:test";
import { currentNameOf, INITIAL_STATE, roomOf } from "./app-state.ts";
import { presentIn, typingNames } from "./selectors.ts";
import {
  apply,
  G,
  groupSummary,
  hello,
  joined,
  KIM,
  ME,
  msg,
  SAM,
} from "./testing/frame-fixture.ts";
import { phraseText } from "./wording.ts";

test("profile_updated renames a person everywhere they show: friends, room, typing, direct chat", () => {
  const D = "00000000-0000-4000-8000-0000000000d1";
  const direct = { id: D, name: "Sam", kind: "direct" as const, role: "member" as const };
  let state = apply(joined([msg(1)]), {
    type: "group_added",
    group: { ...direct, muted: false, present: [] },
  });
  state = apply(state, { type: "user_joined", group: G, userId: KIM, displayName: "Kim" });
  const picture = "https://pictures.example/samuel.png";
  state = apply(state, {
    type: "profile_updated",
    user: { id: SAM, displayName: "Samuel", avatarUrl: picture },
  });
  const sam = state.friends.find((f) => f.id === SAM);
  assert.deepEqual([sam?.displayName, sam?.avatarUrl], ["Samuel", picture]);
  const member = roomOf(state, G).members.find((m) => m.userId === SAM);
  assert.deepEqual([member?.displayName, member?.avatarUrl], ["Samuel", picture]);
  assert.deepEqual(typingNames(state, G), ["Samuel"]);
  const couch = state.groups.find((g) => g.id === G);
  assert.ok(couch);
  assert.deepEqual(
    presentIn(state, couch).map((p) => p.displayName),
    ["You", "Kim", "Samuel"],
  );
  assert.deepEqual(
    state.groups.map((g) => g.name),
    ["Couch", "Samuel"],
    "the direct chat with Sam is named after him; the group keeps its name",
  );
  // Old messages keep what they were sent with; the view shows the name known now.
  assert.equal(roomOf(state, G).messages[0]?.displayName, "Sam");
  assert.equal(currentNameOf(state, G, SAM), "Samuel");
  assert.deepEqual(
    roomOf(state, G).system.map((l) => phraseText(l.text)),
    ["Kim joined"],
    "what happened stays written as it was",
  );
});

test("profile_updated about me, a request's sender, or a stranger; hello starts afresh", () => {
  const LOU = "00000000-0000-4000-8000-00000000000d";
  let state = apply(
    joined(),
    {
      type: "friend_request",
      request: { id: "r1", from: { id: LOU, displayName: "Lou", avatarUrl: null } },
    },
    { type: "profile_updated", user: { id: ME, displayName: "Alexandra", avatarUrl: null } },
    { type: "profile_updated", user: { id: LOU, displayName: "Louise", avatarUrl: null } },
  );
  assert.equal(state.me?.displayName, "Alexandra");
  assert.equal(roomOf(state, G).members.find((m) => m.userId === ME)?.displayName, "Alexandra");
  assert.equal(state.incomingRequests[0]?.from.displayName, "Louise");
  assert.equal(state.profiles[LOU]?.displayName, "Louise", "kept for pages loaded over HTTP");
  state = apply(state, hello);
  assert.deepEqual(state.profiles, {}, "hello's names are the newest");
  assert.equal(state.me?.displayName, "Alex");
});

test("a direct chat is renamed only when it is surely the one with that person", () => {
  const TWIN = "00000000-0000-4000-8000-00000000000e";
  const D = "00000000-0000-4000-8000-0000000000d1";
  const state = apply(
    INITIAL_STATE,
    {
      ...hello,
      friends: [
        ...hello.friends,
        { id: TWIN, displayName: "Sam", avatarUrl: null, online: false, lastSeen: null },
      ],
      groups: [groupSummary({ id: D, name: "Sam", kind: "direct" })],
    },
    { type: "profile_updated", user: { id: SAM, displayName: "Samuel", avatarUrl: null } },
  );
  assert.equal(state.groups[0]?.name, "Sam", "two friends were called Sam: which chat is unknown");
});
