import assert from "node:assert/strict";
import { test } from "node:test";
import { CLOSE_CODES } from "@clofri/protocol/codes";
import {
  type ConnectionEvent,
  type ConnectionState,
  connectionEffects,
  connectionLabel,
  INITIAL_CONNECTION,
  nextConnection,
} from "./reconnect.ts";

/** What a browser reports for a socket that went without a close frame. */
const ABNORMAL_CLOSURE = 1006;
const random = () => 0.5; // the middle of the jitter range: delays are half the ceiling
const run = (events: ConnectionEvent[], from: ConnectionState = INITIAL_CONNECTION) =>
  events.reduce((state, event) => nextConnection(state, event, random), from);

test("a dropped socket waits with a growing, jittered back-off, and hello resets it", () => {
  let state = run([
    { type: "connect" },
    { type: "hello" },
    { type: "closed", code: ABNORMAL_CLOSURE },
  ]);
  assert.deepEqual(state, { phase: "waiting", tries: 1, retryInMs: 250 });
  assert.equal(connectionLabel(state), "reconnecting…");
  state = run([{ type: "retry_timer" }, { type: "closed", code: ABNORMAL_CLOSURE }], state);
  assert.deepEqual(state, { phase: "waiting", tries: 2, retryInMs: 500 });
  state = run([{ type: "retry_timer" }, { type: "closed", code: ABNORMAL_CLOSURE }], state);
  assert.equal(state.retryInMs, 1_000);
  state = run([{ type: "retry_timer" }, { type: "hello" }], state);
  assert.deepEqual(state, { phase: "open", tries: 0, retryInMs: null });
  assert.equal(connectionLabel(state), null);
});

test("too many sockets (4029) waits for the person, not a timer: coming back to the tab retries", () => {
  let state = run([{ type: "connect" }, { type: "closed", code: CLOSE_CODES.tooManySockets }]);
  assert.deepEqual(state, { phase: "crowded", tries: 0, retryInMs: null });
  assert.match(connectionLabel(state) ?? "", /too many tabs/);
  state = run([{ type: "retry_timer" }], state);
  assert.equal(state.phase, "crowded", "no timer retries");
  state = run([{ type: "nudge" }], state);
  assert.equal(state.phase, "connecting");
});

test("server shutdown (1001) backs off like any other loss", () => {
  const state = run([
    { type: "connect" },
    { type: "hello" },
    { type: "closed", code: CLOSE_CODES.goingAway },
  ]);
  assert.equal(state.phase, "waiting");
  assert.equal(state.retryInMs, 250);
});

test("4001 ends the session: no reconnect, whatever happens next", () => {
  let state = run([
    { type: "connect" },
    { type: "hello" },
    { type: "closed", code: CLOSE_CODES.sessionEnded },
  ]);
  assert.equal(state.phase, "signed_out");
  assert.equal(state.retryInMs, null);
  state = run(
    [{ type: "nudge" }, { type: "retry_timer" }, { type: "closed", code: ABNORMAL_CLOSURE }],
    state,
  );
  assert.equal(state.phase, "signed_out");
});

test("a refused upgrade found out afterwards signs out instead of looping", () => {
  const state = run([
    { type: "connect" },
    { type: "closed", code: ABNORMAL_CLOSURE },
    { type: "unauthorized" },
  ]);
  assert.equal(state.phase, "signed_out");
});

test("coming back online or visible skips the wait; it does nothing when connected", () => {
  const waiting = run([
    { type: "connect" },
    { type: "hello" },
    { type: "closed", code: ABNORMAL_CLOSURE },
  ]);
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
    state = nextConnection(state, { type: "closed", code: ABNORMAL_CLOSURE }, () => 0.999_999);
    assert.ok((state.retryInMs ?? 0) < 10_000);
    state = nextConnection(state, { type: "retry_timer" });
  }
  assert.equal(state.tries, 20);
});

test("connect while open or connecting changes nothing; sign_out ends it like 4001", () => {
  const open = run([{ type: "connect" }, { type: "hello" }]);
  assert.equal(run([{ type: "connect" }], open), open);
  const connecting = run([{ type: "connect" }]);
  assert.equal(run([{ type: "connect" }], connecting), connecting);
  const out = run([{ type: "sign_out" }], open);
  assert.deepEqual(out, { phase: "signed_out", tries: 0, retryInMs: null });
  assert.equal(
    run([{ type: "nudge" }, { type: "closed", code: ABNORMAL_CLOSURE }], out).phase,
    "signed_out",
  );
});

test("the machine says what to do: open, wait, close, and whom to tell", () => {
  const effectsOf = (from: ConnectionState, event: ConnectionEvent) =>
    connectionEffects(from, nextConnection(from, event, random), event);
  const open = run([{ type: "connect" }, { type: "hello" }]);
  const waiting = run([{ type: "closed", code: ABNORMAL_CLOSURE }], open);
  assert.deepEqual(effectsOf(INITIAL_CONNECTION, { type: "connect" }), {
    openSocket: true,
    closeSocket: false,
    retryInMs: null,
    cancelRetry: false,
    tellSignedOut: false,
  });
  assert.equal(effectsOf(open, { type: "connect" }).openSocket, false);
  assert.equal(effectsOf(open, { type: "closed", code: ABNORMAL_CLOSURE }).retryInMs, 250);
  assert.deepEqual(
    [
      effectsOf(waiting, { type: "nudge" }).openSocket,
      effectsOf(waiting, { type: "nudge" }).cancelRetry,
    ],
    [true, true],
  );
  assert.equal(effectsOf(waiting, { type: "stop" }).closeSocket, true);
  assert.equal(
    effectsOf(open, { type: "closed", code: CLOSE_CODES.sessionEnded }).tellSignedOut,
    true,
  );
  assert.equal(effectsOf(waiting, { type: "unauthorized" }).tellSignedOut, true);
  const signOut = effectsOf(open, { type: "sign_out" });
  assert.deepEqual([signOut.closeSocket, signOut.tellSignedOut], [true, false]);
});
