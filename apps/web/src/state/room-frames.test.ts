import assert from "node:assert/strict";
import { test } from "node:test";
import { type AppState, roomOf } from "./app-state.ts";
import { presentIn, typingNames } from "./selectors.ts";
import { queueSend, sendsToFlush, socketClosed, viewGroup } from "./sends.ts";
import { apply, G, hello, joined, KIM, ME, msg, NOW, retention } from "./testing/frame-fixture.ts";
import { phraseText } from "./wording.ts";

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
    roomOf(state, G).system.map((l) => phraseText(l.text)),
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
