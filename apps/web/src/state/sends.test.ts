import assert from "node:assert/strict";
import { test } from "node:test";
import { roomOf } from "./app-state.ts";
import { queueSend, retrySend, sendAcked, sendFailed, sendsToFlush } from "./sends.ts";
import { apply, G, joined, ME, msg, NOW } from "./testing/frame-fixture.ts";
import { timeline } from "./timeline.ts";

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
