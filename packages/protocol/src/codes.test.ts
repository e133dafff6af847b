import assert from "node:assert/strict";
import { test } from "node:test";
import { CLOSE_CODES, ERROR_CODES, LIMITS } from "./codes.ts";

test("close codes are the numbers PROTOCOL.md gives, plus the documented additions", () => {
  assert.deepEqual(CLOSE_CODES, {
    normal: 1000,
    goingAway: 1001,
    noStatus: 1005,
    connectionLost: 1006,
    frameTooLarge: 1009,
    heartbeatTimeout: 4000,
    sessionEnded: 4001,
    policyViolation: 4008,
    slowConsumer: 4009,
    tooManySockets: 4029,
  });
});

test("error codes are the ones PROTOCOL.md lists, with message actions' (1.1)", () => {
  assert.deepEqual([...ERROR_CODES].sort(), [
    "edit_window",
    "forbidden",
    "internal",
    "invalid_frame",
    "muted",
    "not_found",
    "not_joined",
    "not_member",
    "rate_limited",
    "room_unavailable",
    "text_invalid",
    "too_many_reactions",
  ]);
});

test("limits match the defaults of docs/PROTOCOL.md and the README", () => {
  assert.equal(LIMITS.maxFrameBytes, 16 * 1024);
  assert.equal(LIMITS.maxTextLength, 2_000);
  assert.equal(LIMITS.maxMessages, 50);
  assert.equal(LIMITS.maxAgeMs, 24 * 60 * 60 * 1_000);
  assert.equal(LIMITS.messagesPerMinute, 30);
  assert.equal(LIMITS.maxRefLength, 64);
  assert.equal(LIMITS.maxKeyLength, 64);
  assert.equal(LIMITS.heartbeatMs, 15_000);
  assert.equal(LIMITS.heartbeatTimeoutMs, 120_000);
  assert.equal(LIMITS.typingTimeoutMs, 3_000);
});
