// The connection's state machine, pure: network faults become states and a retry delay,
// never exceptions. It alone decides; socket.ts feeds it every event and carries out its effects.
import { CLOSE_CODES } from "@clofri/protocol/codes";
import { type BackoffOptions, backoffDelayMs } from "./backoff.ts";

type Phase =
  /** A socket is being opened. */
  | "connecting"
  /** The server said hello. */
  | "open"
  /** Lost; waiting `retryInMs` before the next try. */
  | "waiting"
  /** The session is gone (4001, or the upgrade was refused): never reconnect on our own. */
  | "signed_out"
  /**
   * Refused: the person has too many tabs open (4029). Retrying on a timer would close another
   * tab in turn; coming back to this tab (or the network) tries again.
   */
  | "crowded"
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
  | { type: "stop" }
  /** The app signed the person out (it already knows: nobody is told). */
  | { type: "sign_out" };

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
      if (state.phase === "open" || state.phase === "connecting") return state;
      return { phase: "connecting", tries: state.tries, retryInMs: null };
    case "hello":
      return { phase: "open", tries: 0, retryInMs: null };
    case "closed": {
      if (state.phase === "stopped" || state.phase === "signed_out") return state;
      if (event.code === CLOSE_CODES.sessionEnded) return signedOut(state);
      if (event.code === CLOSE_CODES.tooManySockets) {
        return { phase: "crowded", tries: state.tries, retryInMs: null };
      }
      const tries = state.tries + 1;
      return { phase: "waiting", tries, retryInMs: backoffDelayMs(tries, random, backoff) };
    }
    case "unauthorized":
      return signedOut(state);
    case "retry_timer":
      return state.phase === "waiting" ? { ...state, phase: "connecting", retryInMs: null } : state;
    case "nudge":
      return state.phase === "waiting" || state.phase === "crowded"
        ? { ...state, phase: "connecting", retryInMs: null }
        : state;
    case "stop":
      return { phase: "stopped", tries: 0, retryInMs: null };
    case "sign_out":
      return { phase: "signed_out", tries: 0, retryInMs: null };
  }
}

/** What the socket does after a transition, so that it never decides on its own. */
interface ConnectionEffects {
  /** The machine went to connecting: open a new socket. */
  openSocket: boolean;
  /** Stopped or signed out: no socket and no timer. */
  closeSocket: boolean;
  /** Send `retry_timer` after this long. */
  retryInMs: number | null;
  /** The wait is over one way or another: its timer goes. */
  cancelRetry: boolean;
  /** The session turned out to be gone: the app goes to sign in. */
  tellSignedOut: boolean;
}

export function connectionEffects(
  before: ConnectionState,
  after: ConnectionState,
  event: ConnectionEvent,
): ConnectionEffects {
  const entered = (phase: Phase) => after.phase === phase && before.phase !== phase;
  return {
    openSocket: entered("connecting"),
    closeSocket: after.phase === "stopped" || after.phase === "signed_out",
    retryInMs: entered("waiting") ? after.retryInMs : null,
    cancelRetry: before.phase === "waiting" && after.phase !== "waiting",
    tellSignedOut: entered("signed_out") && event.type !== "sign_out",
  };
}

function signedOut(state: ConnectionState): ConnectionState {
  return { phase: "signed_out", tries: state.tries, retryInMs: null };
}

/** What the header shows: nothing while connected, "reconnecting…" after a first loss. */
export function connectionLabel(state: ConnectionState): string | null {
  if (state.phase === "waiting") return "reconnecting…";
  if (state.phase === "crowded") return "too many tabs open: close one, then come back here";
  if (state.phase === "connecting") return state.tries > 0 ? "reconnecting…" : "connecting…";
  return null;
}
