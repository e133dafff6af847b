import assert from "node:assert/strict";
import { test } from "node:test";
import type { HelloFrame, Message, ServerFrame } from "@clofri/protocol";
import { type AppState, INITIAL_STATE, roomOf } from "./app-state.ts";
import { reduceFrame } from "./frames.ts";
import { friendStatus, presentIn, typingNames } from "./selectors.ts";
import {
  queueSend,
  retrySend,
  sendAcked,
  sendFailed,
  sendsToFlush,
  socketClosed,
  viewGroup,
} from "./sends.ts";
import { timeline } from "./timeline.ts";

const ME = "00000000-0000-4000-8000-00000000000a";
const SAM = "00000000-0000-4000-8000-00000000000b";
const KIM = "00000000-0000-4000-8000-00000000000c";
const G = "00000000-0000-4000-8000-0000000000f1";
const NOW = 1_763_800_000_000;
const retention = { maxMessages: 50, maxAgeMs: 86_400_000 };

const hello: HelloFrame = {
  type: "hello",
  user: { id: ME, displayName: "Alex", avatarUrl: null },
  friends: [
    { id: SAM, displayName: "Sam", avatarUrl: null, online: true, lastSeen: NOW },
    { id: KIM, displayName: "Kim", avatarUrl: null, online: false, lastSeen: NOW - 3_600_000 },
  ],
  groups: [{ id: G, name: "Couch", kind: "group", role: "creator", muted: false, present: [SAM] }],
  heartbeatMs: 15_000,
  limits: { maxTextLength: 2_000, maxMessages: 50, maxAgeMs: 86_400_000, messagesPerMinute: 30 },
  serverTime: NOW,
};

function msg(seq: number, userId = SAM, key = `k${seq}`): Message {
  return {
    id: `m${seq}`,
    group: G,
    seq,
    userId,
    displayName: userId === ME ? "Alex" : "Sam",
    text: `hi ${seq}`,
    ts: NOW + seq,
    key,
  };
}

function apply(state: AppState, ...frames: ServerFrame[]): AppState {
  return frames.reduce((s, f) => reduceFrame(s, f, NOW), state);
}

function joined(messages: Message[] = [], epoch = "e1"): AppState {
  return apply(INITIAL_STATE, hello, {
    type: "group_state",
    group: G,
    epoch,
    members: [
      { userId: ME, displayName: "Alex", avatarUrl: null, status: "active", typing: false },
      { userId: SAM, displayName: "Sam", avatarUrl: null, status: "idle", typing: true },
    ],
    messages,
    expired: 0,
    retention,
  });
}

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

test("group_state shows members with status and typing, and messages in order", () => {
  const state = joined([msg(2), msg(1)]);
  const room = roomOf(state, G);
  assert.equal(room.joined, true);
  assert.deepEqual(
    room.messages.map((m) => m.seq),
    [1, 2],
  );
  assert.equal(room.lastSeq, 2);
  assert.deepEqual(typingNames(state, G), ["Sam"]);
  const couch = state.groups[0];
  assert.ok(couch);
  assert.deepEqual(
    presentIn(state, couch).map((p) => `${p.displayName}:${p.status}`),
    ["You:active", "Sam:idle"],
  );
});

test("presence frames: joins and leaves show as system lines, idle and active update dots", () => {
  let state = joined();
  state = apply(state, { type: "user_joined", group: G, userId: KIM, displayName: "Kim" });
  state = apply(state, { type: "user_idle", group: G, userId: KIM });
  const couch = () => state.groups[0] as NonNullable<AppState["groups"][number]>;
  assert.deepEqual(presentIn(state, couch()).find((p) => p.userId === KIM)?.status, "idle");
  state = apply(
    state,
    { type: "user_active", group: G, userId: KIM },
    { type: "user_left", group: G, userId: KIM },
  );
  assert.equal(couch().present.includes(KIM), false);
  assert.deepEqual(
    roomOf(state, G).system.map((l) => l.text),
    ["Kim joined", "Kim left"],
  );
});

test("typing starts and stops per person, and a message ends its sender's typing", () => {
  let state = joined();
  state = apply(state, { type: "user_typing", group: G, userId: KIM, displayName: "Kim" });
  assert.deepEqual(typingNames(state, G), ["Kim", "Sam"]);
  state = apply(
    state,
    { type: "user_stopped_typing", group: G, userId: KIM },
    { type: "message", ...msg(1) },
  );
  assert.deepEqual(typingNames(state, G), []);
  // Our own typing is never shown back to us.
  state = apply(state, { type: "user_typing", group: G, userId: ME, displayName: "Alex" });
  assert.deepEqual(typingNames(state, G), []);
});

test("a message for a room not on screen lights the new-messages dot; viewing clears it", () => {
  let state = apply(joined(), { type: "message", ...msg(1) });
  assert.equal(roomOf(state, G).unread, true);
  state = viewGroup(state, G);
  assert.equal(roomOf(state, G).unread, false);
  state = apply(state, { type: "message", ...msg(2) });
  assert.equal(roomOf(state, G).unread, false);
  // A repeated frame is shown once.
  state = apply(state, { type: "message", ...msg(2) });
  assert.equal(roomOf(state, G).messages.length, 2);
});

test("optimistic send: pending until the ack, then the message replaces it (either order)", () => {
  const base = queueSend(joined(), G, "key-1", "hello", NOW);
  assert.deepEqual(
    roomOf(base, G).pending.map((p) => p.state),
    ["pending"],
  );
  assert.equal(timeline(roomOf(base, G), NOW, 0).at(-1)?.kind, "pending");

  // Ack first, message second.
  let state = sendAcked(base, G, "key-1", "m1");
  assert.equal(roomOf(state, G).pending.length, 1);
  state = apply(state, { type: "message", ...msg(1, ME, "key-1") });
  assert.equal(roomOf(state, G).pending.length, 0);
  assert.equal(roomOf(state, G).messages.length, 1);

  // Message first, ack second.
  state = apply(base, { type: "message", ...msg(1, ME, "key-1") });
  state = sendAcked(state, G, "key-1", "m1");
  assert.equal(roomOf(state, G).pending.length, 0);
  assert.equal(roomOf(state, G).unread, false, "my own message is not news to me");
});

test("a failed send keeps its text and key; retry makes it pending again", () => {
  let state = queueSend(joined(), G, "key-9", "are you there", NOW);
  state = sendFailed(state, G, "key-9", "Slow down: you can send again in 2 s.");
  const failed = roomOf(state, G).pending[0];
  assert.equal(failed?.state, "failed");
  assert.equal(failed?.error, "Slow down: you can send again in 2 s.");
  assert.deepEqual(sendsToFlush(state, G), []);
  state = retrySend(state, G, "key-9");
  assert.deepEqual(
    sendsToFlush(state, G).map((s) => [s.key, s.text]),
    [["key-9", "are you there"]],
  );
});

test("after a reconnect, a resume in the same epoch appends and reports what expired", () => {
  let state = socketClosed(joined([msg(1), msg(2)]));
  assert.equal(roomOf(state, G).joined, false);
  assert.equal(roomOf(state, G).wanted, true);
  state = apply(state, {
    type: "group_state",
    group: G,
    epoch: "e1",
    members: [],
    messages: [msg(5)],
    expired: 2,
    retention,
  });
  const room = roomOf(state, G);
  assert.deepEqual(
    room.messages.map((m) => m.seq),
    [1, 2, 5],
  );
  assert.equal(room.expiredMissed, 2);
  assert.equal(room.restarted, false);
});

test("a new epoch (server restart) replaces the messages and says so; pending sends survive", () => {
  let state = queueSend(joined([msg(1), msg(2)]), G, "key-x", "still here?", NOW);
  state = apply(socketClosed(state), hello, {
    type: "group_state",
    group: G,
    epoch: "e2",
    members: [],
    messages: [],
    expired: 0,
    retention,
  });
  const room = roomOf(state, G);
  assert.deepEqual(room.messages, []);
  assert.equal(room.restarted, true);
  assert.deepEqual(
    sendsToFlush(state, G).map((s) => s.key),
    ["key-x"],
  );
});

test("being kicked removes the group and says so; someone else kicked is a system line", () => {
  let state = apply(joined(), { type: "member_kicked", group: G, userId: SAM });
  assert.deepEqual(
    roomOf(state, G).system.map((l) => l.text),
    ["Sam was removed"],
  );
  assert.equal(
    roomOf(state, G).members.some((m) => m.userId === SAM),
    false,
  );
  state = apply(state, { type: "member_kicked", group: G, userId: ME });
  assert.deepEqual(state.groups, []);
  assert.equal(state.flash, "You were removed from Couch.");
  assert.equal(state.rooms[G], undefined);
});

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

test("member_left hands the group to me when I was named the new creator", () => {
  const state = apply(
    apply(INITIAL_STATE, {
      ...hello,
      groups: [{ id: G, name: "Couch", kind: "group", role: "member", muted: false, present: [] }],
    }),
    { type: "member_left", group: G, userId: SAM, creatorId: ME },
  );
  assert.equal(state.groups[0]?.role, "creator");
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
  assert.equal(
    reduceFrame(state, { type: "from_the_future" } as unknown as ServerFrame, NOW),
    state,
  );
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
