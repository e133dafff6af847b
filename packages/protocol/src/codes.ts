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
  // Version 1.1, message actions.
  /** No such message in the room's buffer (never sent, unsent, or faded). */
  "not_found",
  /** Not your message, and you are not the group's creator. */
  "forbidden",
  /** An edit of a message older than `LIMITS.editWindowMs`. */
  "edit_window",
  /** A new emoji on a message that already carries `LIMITS.maxReactionEmoji` different ones. */
  "too_many_reactions",
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** WebSocket close codes the gateway uses or observes (PROTOCOL.md, "Close codes"). */
export const CLOSE_CODES = {
  normal: 1000,
  /** Server shutting down; reconnect with back-off. */
  goingAway: 1001,
  /** Reported when a close frame carried no code; never sent. */
  noStatus: 1005,
  /** Reported when the connection dropped without a close frame; never sent. */
  connectionLost: 1006,
  frameTooLarge: 1009,
  /** No frame at all for `LIMITS.heartbeatTimeoutMs`. */
  heartbeatTimeout: 4000,
  /** Logout, revoked session or deleted user: do not reconnect without signing in again. */
  sessionEnded: 4001,
  /** Sustained abuse far beyond the rate limits. */
  policyViolation: 4008,
  /** Too much unread output buffered for this socket. */
  slowConsumer: 4009,
  /**
   * Added: this person already holds `MAX_SOCKETS_PER_USER` sockets; the newest is closed. Do not
   * reconnect on your own (another tab would be closed in turn); let the person retry.
   */
  tooManySockets: 4029,
} as const;

export type CloseCode = (typeof CLOSE_CODES)[keyof typeof CLOSE_CODES];

/**
 * Sizes, rates and timings. The first group is fixed by the wire protocol; the rest are defaults
 * the gateway may override (README, "Configuration") and announces in `hello`.
 */
export const LIMITS = {
  // Fixed by the protocol.
  maxFrameBytes: 16_384,
  maxRefLength: 64,
  maxKeyLength: 64,
  maxEpochLength: 64,
  /** Mentions on one `send`. */
  maxMentions: 20,
  /** A preview's text, in UTF-16 code units. */
  maxPreviewLength: 80,
  /** At most one `group_activity` per group and connection, one `read_up_to` per member, per this. */
  awarenessIntervalMs: 1_000,
  /** The author may edit a message this long after its `ts`. */
  editWindowMs: 15 * 60_000,
  /** Different emoji on one message. */
  maxReactionEmoji: 8,
  /** One reaction's emoji, in UTF-8 bytes. */
  maxEmojiBytes: 32,
  /** A reply's excerpt of the message it quotes, in UTF-16 code units. */
  maxExcerptLength: 80,

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
