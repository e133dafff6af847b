import assert from "node:assert/strict";
import { test } from "node:test";
import { INITIAL_STATE } from "./app-state.ts";
import { friendStatus } from "./selectors.ts";
import { apply, G, hello, joined, KIM, ME, NOW, SAM } from "./testing/frame-fixture.ts";

test("social frames keep friends, requests and groups current", () => {
  let state = apply(
    INITIAL_STATE,
    hello,
    { type: "friend_offline", userId: SAM, lastSeen: NOW - 1_000 },
    {
      type: "friend_request",
      request: { id: "r1", from: { id: "u9", displayName: "Lou", avatarUrl: null } },
    },
    {
      type: "friend_added",
      friend: { id: "u9", displayName: "Lou", avatarUrl: null, online: true, lastSeen: NOW },
    },
    { type: "group_updated", group: G, name: "Sofa" },
    { type: "member_muted", group: G, userId: ME, muted: true },
  );
  assert.deepEqual(
    state.friends.map((f) => `${f.displayName}:${f.online}`),
    ["Kim:false", "Lou:true", "Sam:false"],
  );
  assert.deepEqual(state.incomingRequests, []);
  assert.equal(state.groups[0]?.name, "Sofa");
  assert.equal(state.groups[0]?.muted, true);
  state = apply(
    state,
    { type: "friend_removed", userId: "u9" },
    { type: "group_deleted", group: G },
  );
  assert.deepEqual(
    state.friends.map((f) => f.displayName),
    ["Kim", "Sam"],
  );
  assert.deepEqual(state.groups, []);
});

test("a friend's dot on home: offline, idle where we see them, else active", () => {
  let state = apply(INITIAL_STATE, hello);
  const dot = (id: string) => {
    const friend = state.friends.find((f) => f.id === id);
    assert.ok(friend);
    return friendStatus(state, friend);
  };
  assert.equal(dot(SAM), "active");
  assert.equal(dot(KIM), "offline");
  state = apply(state, { type: "user_idle", group: G, userId: SAM });
  assert.equal(dot(SAM), "idle");
  state = apply(state, { type: "user_active", group: G, userId: SAM });
  assert.equal(dot(SAM), "active");
});

test("friend_request_removed takes the request off the list the badge counts", () => {
  const LOU = "00000000-0000-4000-8000-00000000000d";
  let state = apply(joined(), {
    type: "friend_request",
    request: { id: "r1", from: { id: LOU, displayName: "Lou", avatarUrl: null } },
  });
  assert.equal(state.incomingRequests.length, 1);
  state = apply(state, { type: "friend_request_removed", requestId: "r1" });
  assert.deepEqual(state.incomingRequests, []);
});

test("presence modes: friends' statuses follow their frames, my mode follows mine", () => {
  let state = apply(INITIAL_STATE, hello, { type: "friend_online", userId: SAM, status: "busy" });
  const sam = () => state.friends.find((f) => f.id === SAM);
  assert.equal(friendStatus(state, sam() ?? assert.fail()), "busy");
  state = apply(state, { type: "friend_status", userId: SAM, status: "idle" });
  assert.equal(friendStatus(state, sam() ?? assert.fail()), "idle");
  state = apply(state, { type: "friend_offline", userId: SAM, lastSeen: NOW - 5 });
  assert.deepEqual([sam()?.online, sam()?.status, sam()?.lastSeen], [false, "offline", NOW - 5]);
  assert.equal(friendStatus(state, sam() ?? assert.fail()), "offline");
  state = apply(state, { type: "friend_online", userId: SAM });
  assert.equal(friendStatus(state, sam() ?? assert.fail()), "active", "no status: active");

  assert.equal(state.me?.presenceMode, undefined);
  state = apply(state, { type: "presence_mode", presenceMode: "offline" });
  assert.equal(state.me?.presenceMode, "offline");
});
