/** Codes an `error` frame may carry (PROTOCOL.md, "Error codes"). */
export const ERROR_CODES = [
  "invalid_frame",
  "not_member",
  "not_joined",
  "muted",
  "rate_limited",
  "text_invalid",
  "room_unavailable",
  "internal",
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** WebSocket close codes the gateway uses (PROTOCOL.md, "Close codes"). */
export const CLOSE_CODES = {
  /** Server shutting down; reconnect with back-off. */
  goingAway: 1001,
  frameTooLarge: 1009,
  /** No frame at all for `LIMITS.heartbeatTimeoutMs`. */
  heartbeatTimeout: 4000,
  /** Logout, revoked session or deleted user: do not reconnect without signing in again. */
  sessionEnded: 4001,
  /** Sustained abuse far beyond the rate limits. */
  policyViolation: 4008,
  /** Too much unread output buffered for this socket. */
  slowConsumer: 4009,
} as const;

export type CloseCode = (typeof CLOSE_CODES)[keyof typeof CLOSE_CODES];

/**
 * Sizes, rates and timings. The first group is fixed by the wire protocol; the rest are the
 * defaults of SPEC.md §6, which the gateway may override from its configuration (it tells
 * clients the values in effect in `hello.limits` and `hello.heartbeatMs`).
 */
export const LIMITS = {
  // Fixed by the protocol.
  maxFrameBytes: 16_384,
  maxRefLength: 64,
  maxKeyLength: 64,
  maxEpochLength: 64,

  // Defaults, configurable by the gateway.
  maxTextLength: 2_000,
  maxMessages: 50,
  maxAgeMs: 86_400_000,
  messagesPerMinute: 30,
  messageBurstPerSecond: 5,
  typingEventsPerSecond: 1,
  heartbeatMs: 15_000,
  idleAfterMs: 60_000,
  heartbeatTimeoutMs: 120_000,
  typingTimeoutMs: 3_000,
  roomLingerMs: 120_000,
  presenceGraceMs: 5_000,
  maxBufferedBytes: 1_048_576,
} as const;
