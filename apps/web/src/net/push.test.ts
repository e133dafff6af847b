import assert from "node:assert/strict";
import { afterEach, beforeEach, mock, test } from "node:test";
import type { ClientFrame } from "@clofri/protocol";
import { Pushes, type PushReply } from "./push.ts";
import { Timers } from "./timers.ts";

const G = "00000000-0000-4000-8000-0000000000f1";
const send = { type: "send", group: G, text: "hi", key: "k1" } as const;

let sent: ClientFrame[];
let replies: PushReply[];
const transmit = (frame: ClientFrame) => {
  sent.push(frame);
  return true;
};
const options = { timeoutMs: 10_000, onReply: (reply: PushReply) => replies.push(reply) };

beforeEach(() => {
  mock.timers.enable({ apis: ["setTimeout"] });
  sent = [];
  replies = [];
});
afterEach(() => mock.timers.reset());

test("each push goes with a fresh ref, and the reply with that ref answers it once", () => {
  const pushes = new Pushes(new Timers());
  pushes.push(send, options, transmit);
  pushes.push(send, options, transmit);
  assert.deepEqual(
    sent.map((frame) => frame.ref),
    ["1", "2"],
  );
  pushes.settle({ type: "ack", ref: "2", id: "m1", ts: 1 });
  pushes.settle({ type: "ack", ref: "2", id: "m1", ts: 1 });
  assert.deepEqual(replies, [{ status: "ok", frame: { type: "ack", ref: "2", id: "m1", ts: 1 } }]);
  assert.equal(
    pushes.isWaiting((frame) => frame.type === "send"),
    true,
    "ref 1 still waits",
  );
});

test("no reply in time answers timeout; a late reply still counts", () => {
  const pushes = new Pushes(new Timers());
  pushes.push(send, options, transmit);
  mock.timers.tick(10_000);
  assert.deepEqual(replies, [{ status: "timeout" }]);
  assert.equal(
    pushes.isWaiting(() => true),
    false,
  );
  const error = { type: "error", ref: "1", code: "muted", message: "muted" } as const;
  pushes.settle(error);
  assert.deepEqual(replies.at(-1), { status: "error", frame: error });
});

test("a push that could not go takes no ref and waits for nothing; clear drops the rest", () => {
  const pushes = new Pushes(new Timers());
  assert.equal(
    pushes.push(send, options, () => false),
    false,
  );
  pushes.push(send, options, transmit);
  assert.equal(sent[0]?.ref, "1");
  pushes.clear();
  mock.timers.tick(60_000);
  pushes.settle({ type: "ack", ref: "1", ts: 1 });
  assert.deepEqual(replies, []);
});
