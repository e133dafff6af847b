import { DEFAULT_MAX_RESTARTS, DEFAULT_RESTART_WINDOW_MS } from "@clofri/actors";
import { LIMITS } from "@clofri/protocol";

/** Every timing and limit of a room, filled from the gateway's config (README, "Configuration"). */
export interface RoomOptions {
  /** Ring buffer: the last `maxMessages` and none older than `maxAgeMs`, whichever is fewer. */
  maxMessages: number;
  maxAgeMs: number;
  /** Longest message text, in code points after normalization. */
  maxTextLength: number;
  /** A typing indicator ends this long after the user's last `typing_start`. */
  typingTimeoutMs: number;
  /** At most this many `user_typing` per user per second reach the room. */
  typingEventsPerSecond: number;
  /** A user whose last socket dropped uncleanly stays present this long. */
  presenceGraceMs: number;
  /** An empty room keeps its messages this long, then stops and forgets them. */
  roomLingerMs: number;
  /** Restart intensity: past `maxRestarts` restarts within `restartWindowMs` a room is given up. */
  maxRestarts: number;
  restartWindowMs: number;
}

const DEFAULT_ROOM_OPTIONS: Readonly<RoomOptions> = Object.freeze({
  maxMessages: LIMITS.maxMessages,
  maxAgeMs: LIMITS.maxAgeMs,
  maxTextLength: LIMITS.maxTextLength,
  typingTimeoutMs: LIMITS.typingTimeoutMs,
  typingEventsPerSecond: LIMITS.typingEventsPerSecond,
  presenceGraceMs: LIMITS.presenceGraceMs,
  roomLingerMs: LIMITS.roomLingerMs,
  maxRestarts: DEFAULT_MAX_RESTARTS,
  restartWindowMs: DEFAULT_RESTART_WINDOW_MS,
});

/** The defaults overridden by `overrides`; throws on a value no room could work with (a bug). */
export function roomOptions(overrides: Partial<RoomOptions> = {}): RoomOptions {
  const options = { ...DEFAULT_ROOM_OPTIONS };
  // Only the room's own keys: callers may pass a wider options object.
  for (const name of Object.keys(DEFAULT_ROOM_OPTIONS) as (keyof RoomOptions)[]) {
    const value: unknown = overrides[name];
    if (value === undefined) continue;
    if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
      throw new RangeError(`expected room option ${name} to be a number >= 0, got ${value}`);
    }
    options[name] = value;
  }
  for (const name of [
    "maxMessages",
    "maxAgeMs",
    "maxTextLength",
    "typingEventsPerSecond",
  ] as const) {
    if (options[name] <= 0) {
      throw new RangeError(`expected room option ${name} to be above 0, got ${options[name]}`);
    }
  }
  return options;
}
