// The connection's state machine, pure: network faults become states and a retry delay,
// never exceptions. socket-client.ts feeds it events and carries out what it says.
import { type BackoffOptions, backoffDelayMs } from "./backoff.ts";

/** Close code meaning the session ended (PROTOCOL.md "Close codes"). */
export const SESSION_ENDED_CLOSE = 4001;

export type Phase =
  /** A socket is being opened. */
  | "connecting"
  /** The server said hello. */
  | "open"
  /** Lost; waiting `retryInMs` before the next try. */
  | "waiting"
  /** The session is gone (4001, or the upgrade was refused): never reconnect on our own. */
  | "signed_out"
  /** Closed on purpose (sign out, page going away). */
  | "stopped";

export interface ConnectionState {
  phase: Phase;
  /** Failed tries since the last hello: the back-off exponent. */
  tries: number;
  /** Set when phase is "waiting". */
  retryInMs: number | null;
}

export type ConnectionEvent =
  | { type: "connect" }
  | { type: "hello" }
  | { type: "closed"; code: number }
  | { type: "unauthorized" }
  | { type: "retry_timer" }
  /** The browser came back online, or the page became visible: skip the wait. */
  | { type: "nudge" }
  | { type: "stop" };

/**
 * Half a second doubling up to 10 s: a chat tab that waits 30 s after a deploy feels broken, and
 * full jitter already spreads a crowd of reconnecting tabs.
 */
export const RECONNECT_BACKOFF: BackoffOptions = { baseMs: 500, maxMs: 10_000 };

export const INITIAL_CONNECTION: ConnectionState = { phase: "stopped", tries: 0, retryInMs: null };

export function nextConnection(
  state: ConnectionState,
  event: ConnectionEvent,
  random: () => number = Math.random,
  backoff: BackoffOptions = RECONNECT_BACKOFF,
): ConnectionState {
  switch (event.type) {
    case "connect":
      return { phase: "connecting", tries: state.tries, retryInMs: null };
    case "hello":
      return { phase: "open", tries: 0, retryInMs: null };
    case "closed": {
      if (state.phase === "stopped" || state.phase === "signed_out") return state;
      if (event.code === SESSION_ENDED_CLOSE) return signedOut(state);
      const tries = state.tries + 1;
      return { phase: "waiting", tries, retryInMs: backoffDelayMs(tries, random, backoff) };
    }
    case "unauthorized":
      return signedOut(state);
    case "retry_timer":
      return state.phase === "waiting" ? { ...state, phase: "connecting", retryInMs: null } : state;
    case "nudge":
      return state.phase === "waiting" ? { ...state, phase: "connecting", retryInMs: null } : state;
    case "stop":
      return { phase: "stopped", tries: 0, retryInMs: null };
  }
}

function signedOut(state: ConnectionState): ConnectionState {
  return { phase: "signed_out", tries: state.tries, retryInMs: null };
}

/** What the header shows: nothing while connected, "reconnecting…" after a first loss. */
export function connectionLabel(state: ConnectionState): string | null {
  if (state.phase === "waiting") return "reconnecting…";
  if (state.phase === "connecting") return state.tries > 0 ? "reconnecting…" : "connecting…";
  return null;
}
