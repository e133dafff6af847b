// Which limit takes a message away first: the 50-message cap or the 24 h age limit.
import type { Retention } from "@clofri/protocol";

type RemovalReason = "cap" | "age";

export interface Removal {
  /** Which limit removes the message first if the room goes on at `messagesPerHour`. */
  reason: RemovalReason;
  /** When the age limit removes it. */
  expiresAtMs: number;
  /** How many newer messages it takes for the cap to push it out. */
  messagesLeft: number;
}

/**
 * For the message at `position` (oldest first) of `count`: the cap wins if, at the room's current
 * pace, the messages that push it out come before its age runs out; a quiet room has no pace.
 */
export function removalFor(
  tsMs: number,
  position: number,
  count: number,
  retention: Retention,
  nowMs: number,
  paceMsPerMessage: number | null,
): Removal {
  const expiresAtMs = tsMs + retention.maxAgeMs;
  const messagesLeft = Math.max(1, retention.maxMessages - (count - position) + 1);
  if (paceMsPerMessage === null || paceMsPerMessage <= 0) {
    return { reason: "age", expiresAtMs, messagesLeft };
  }
  const capAtMs = nowMs + messagesLeft * paceMsPerMessage;
  return { reason: capAtMs < expiresAtMs ? "cap" : "age", expiresAtMs, messagesLeft };
}

/** Pace is judged over at least this long, so a quick exchange of two lines is not a "busy room". */
const MIN_PACE_WINDOW_MS = 3_600_000;

/** Average time per retained message, or null with fewer than two. */
export function messagePace(timestamps: readonly number[], nowMs: number): number | null {
  const first = timestamps[0];
  if (first === undefined || timestamps.length < 2) return null;
  // Measured up to now, so a room that went quiet slows down rather than freezing its old pace.
  return Math.max(MIN_PACE_WINDOW_MS, nowMs - first) / timestamps.length;
}

/** 0 for a new message, 1 for one about to expire: drives the fading. */
export function ageFraction(tsMs: number, retention: Retention, nowMs: number): number {
  if (retention.maxAgeMs <= 0) return 0;
  return Math.min(1, Math.max(0, (nowMs - tsMs) / retention.maxAgeMs));
}

/** Drops what the server has already dropped: older than maxAgeMs, or beyond the last maxMessages. */
export function retained<T extends { ts: number }>(
  messages: readonly T[],
  retention: Retention,
  nowMs: number,
): T[] {
  const fresh = messages.filter((message) => nowMs - message.ts < retention.maxAgeMs);
  return fresh.slice(Math.max(0, fresh.length - retention.maxMessages));
}
