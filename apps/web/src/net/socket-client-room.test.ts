import assert from "node:assert/strict";
import { mock, test } from "node:test";
import { roomOf } from "../state/app-state.ts";
import { app } from "../state/store.ts";
import {
  ABNORMAL_CLOSURE,
  connect,
  G,
  hello,
  inRoom,
  joinAnswer,
  latest,
  ME,
  newClient,
  someonesMessage,
  useScriptedPage,
} from "./testing/scripted-server.ts";

// What a room sends through the socket client, against a scripted server: sends across a
// reconnect, retries, typing and read marks.
useScriptedPage();

test("a send made while disconnected goes out after the rejoin, once, with its key", () => {
  const client = newClient();
  const first = connect(client);
  client.openRoom(G);
  joinAnswer(first, "e1", []);
  first.drop(ABNORMAL_CLOSURE);
  client.send(G, "are you there?");
  const [pending] = roomOf(app.value, G).pending;
  assert.equal(pending?.state, "pending");
  mock.timers.tick(10_000);
  const second = latest();
  second.open();
  second.receive(hello);
  assert.equal(second.framesOf("send").length, 0, "not before the room is joined again");
  joinAnswer(second, "e1", []);
  const sends = second.framesOf("send");
  assert.deepEqual(
    sends.map((s) => [s.text, s.key]),
    [["are you there?", pending?.key]],
  );
  second.receive({ type: "ack", ref: sends[0]?.ref, id: "m9", ts: Date.now() });
  second.receive({
    type: "message",
    id: "m9",
    group: G,
    seq: 1,
    userId: ME,
    displayName: "Alex",
    text: "are you there?",
    ts: Date.now(),
    key: pending?.key,
  });
  assert.deepEqual(roomOf(app.value, G).pending, []);
  client.stop();
});

test("a rate-limited send fails with the wait, and retry reuses the key", () => {
  const { client, socket } = inRoom();
  client.send(G, "hi");
  const first = socket.framesOf("send")[0];
  socket.receive({
    type: "error",
    ref: first?.ref,
    code: "rate_limited",
    message: "too many",
    retryAfterMs: 1_500,
  });
  const [failed] = roomOf(app.value, G).pending;
  assert.equal(failed?.state, "failed");
  assert.equal(failed?.error, "Slow down: you can send again in 2 s.");
  client.retry(G, failed?.key ?? "");
  const again = socket.framesOf("send")[1];
  assert.equal(again?.key, first?.key);
  assert.notEqual(again?.ref, first?.ref);
  assert.equal(roomOf(app.value, G).pending[0]?.state, "pending");
  client.stop();
});

test("typing_start at most every 2 s, typing_stop on send", () => {
  const { client, socket } = inRoom();
  client.typed(G, "h");
  client.typed(G, "he");
  assert.equal(socket.framesOf("typing_start").length, 1);
  client.send(G, "hey");
  assert.equal(socket.framesOf("typing_stop").length, 1);
  client.stop();
});

test("what is seen goes to the server as read, at most once a second per room, the latest mark", () => {
  const { client, socket } = inRoom([1, 2]);
  client.markRead(G);
  mock.timers.tick(0);
  assert.deepEqual(
    socket.framesOf("read").map((f) => f.seq),
    [2],
  );
  for (const seq of [3, 4]) {
    socket.receive({ type: "message", ...someonesMessage(seq), mentions: [] });
    client.markRead(G);
  }
  mock.timers.tick(500);
  assert.equal(socket.framesOf("read").length, 1, "not before the second is up");
  mock.timers.tick(500);
  assert.deepEqual(
    socket.framesOf("read").map((f) => f.seq),
    [2, 4],
  );
  client.stop();
});
