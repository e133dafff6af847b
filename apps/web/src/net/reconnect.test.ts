import assert from "node:assert/strict";
import { test } from "node:test";
import {
  type ConnectionEvent,
  type ConnectionState,
  connectionLabel,
  INITIAL_CONNECTION,
  nextConnection,
} from "./reconnect.ts";

const random = () => 0.5; // the middle of the jitter range: delays are half the ceiling
const run = (events: ConnectionEvent[], from: ConnectionState = INITIAL_CONNECTION) =>
  events.reduce((state, event) => nextConnection(state, event, random), from);

test("a dropped socket waits with a growing, jittered back-off, and hello resets it", () => {
  let state = run([{ type: "connect" }, { type: "hello" }, { type: "closed", code: 1006 }]);
  assert.deepEqual(state, { phase: "waiting", tries: 1, retryInMs: 250 });
  assert.equal(connectionLabel(state), "reconnecting…");
  state = run([{ type: "retry_timer" }, { type: "closed", code: 1006 }], state);
  assert.deepEqual(state, { phase: "waiting", tries: 2, retryInMs: 500 });
  state = run([{ type: "retry_timer" }, { type: "closed", code: 1006 }], state);
  assert.equal(state.retryInMs, 1_000);
  state = run([{ type: "retry_timer" }, { type: "hello" }], state);
  assert.deepEqual(state, { phase: "open", tries: 0, retryInMs: null });
  assert.equal(connectionLabel(state), null);
});

test("server shutdown (1001) backs off like any other loss", () => {
  const state = run([{ type: "connect" }, { type: "hello" }, { type: "closed", code: 1001 }]);
  assert.equal(state.phase, "waiting");
  assert.equal(state.retryInMs, 250);
});

test("4001 ends the session: no reconnect, whatever happens next", () => {
  let state = run([{ type: "connect" }, { type: "hello" }, { type: "closed", code: 4001 }]);
  assert.equal(state.phase, "signed_out");
  assert.equal(state.retryInMs, null);
  state = run([{ type: "nudge" }, { type: "retry_timer" }, { type: "closed", code: 1006 }], state);
  assert.equal(state.phase, "signed_out");
});

test("a refused upgrade found out afterwards signs out instead of looping", () => {
  const state = run([
    { type: "connect" },
    { type: "closed", code: 1006 },
    { type: "unauthorized" },
  ]);
  assert.equal(state.phase, "signed_out");
});

test("coming back online or visible skips the wait; it does nothing when connected", () => {
  const waiting = run([{ type: "connect" }, { type: "hello" }, { type: "closed", code: 1006 }]);
  assert.equal(run([{ type: "nudge" }], waiting).phase, "connecting");
  const open = run([{ type: "connect" }, { type: "hello" }]);
  assert.equal(run([{ type: "nudge" }], open), open);
});

test("after stop, a late close is ignored", () => {
  const state = run([
    { type: "connect" },
    { type: "hello" },
    { type: "stop" },
    { type: "closed", code: 1000 },
  ]);
  assert.equal(state.phase, "stopped");
  assert.equal(connectionLabel(run([{ type: "connect" }])), "connecting…");
});

test("the wait between tries never exceeds 10 s", () => {
  let state = run([{ type: "connect" }, { type: "hello" }]);
  for (let i = 0; i < 20; i++) {
    state = nextConnection(state, { type: "closed", code: 1006 }, () => 0.999_999);
    assert.ok((state.retryInMs ?? 0) < 10_000);
    state = nextConnection(state, { type: "retry_timer" });
  }
  assert.equal(state.tries, 20);
});
