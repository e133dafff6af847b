import assert from "node:assert/strict";
import { test } from "node:test";
import { INITIAL_STATE } from "../state/app-state.ts";
import {
  freshIdle,
  heartbeatFor,
  heartbeatSent,
  INPUT_FRESH_MS,
  inputNoted,
  isShownIdle,
} from "./idle.ts";

const T0 = 1_000_000;
const visible = { isVisible: true, isShownIdle: false };

test("a heartbeat says idle when hidden, active only after fresh input, else nothing", () => {
  let state = freshIdle(T0);
  assert.deepEqual(heartbeatFor(state, true, T0), { type: "heartbeat", idle: true });
  assert.deepEqual(heartbeatFor(state, false, T0), { type: "heartbeat", idle: false });
  state = heartbeatSent(state, { type: "heartbeat", idle: false });
  assert.deepEqual(heartbeatFor(state, false, T0 + 1), { type: "heartbeat" }, "input already told");
  [state] = inputNoted(state, T0 + 2, visible);
  assert.deepEqual(heartbeatFor(state, false, T0 + INPUT_FRESH_MS + 2), { type: "heartbeat" });
});

test("input wakes at once after an idle heartbeat, at most once a second", () => {
  let state = heartbeatSent(freshIdle(T0), { type: "heartbeat", idle: true });
  let wakes: boolean;
  [state, wakes] = inputNoted(state, T0 + 5_000, visible);
  assert.equal(wakes, true);
  [state, wakes] = inputNoted(state, T0 + 5_500, visible);
  assert.equal(wakes, false, "keystrokes do not become a heartbeat each");
  [, wakes] = inputNoted(state, T0 + 6_001, visible);
  assert.equal(wakes, true);
  const hidden = { isVisible: false, isShownIdle: true };
  assert.equal(inputNoted(freshIdle(T0), T0 + 5_000, hidden)[1], false, "not from a hidden tab");
});

test("a room showing me idle (another tab said so) makes input wake me too", () => {
  const shownIdle = { isVisible: true, isShownIdle: true };
  assert.equal(inputNoted(freshIdle(T0), T0 + 5_000, shownIdle)[1], true);
  assert.equal(inputNoted(freshIdle(T0), T0 + 5_000, visible)[1], false);
  const me = { id: "me", displayName: "Alex", avatarUrl: null };
  assert.equal(isShownIdle({ ...INITIAL_STATE, me, statuses: { g: { me: "active" } } }), false);
  assert.equal(isShownIdle({ ...INITIAL_STATE, me, statuses: { g: { me: "idle" } } }), true);
});
