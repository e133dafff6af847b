// What a heartbeat says about the person, and when input wakes them at once. Pure: the socket
// client carries it out.
import type { HeartbeatFrame } from "@clofri/protocol";
import type { AppState } from "../state/app-state.ts";

/** Input within this long counts as "here" for the next heartbeat. */
export const INPUT_FRESH_MS = 60_000;
/** At most one waking heartbeat this often: keystrokes must not become a heartbeat each. */
const WAKE_SPACING_MS = 1_000;

interface IdleState {
  lastInputMs: number;
  hasInputSinceHeartbeat: boolean;
  /** The last heartbeat that went out said `idle: true`. */
  saidIdle: boolean;
  /** When input last sent a waking heartbeat. */
  lastWakeMs: number;
}

export function freshIdle(nowMs: number): IdleState {
  return { lastInputMs: nowMs, hasInputSinceHeartbeat: true, saidIdle: false, lastWakeMs: 0 };
}

/**
 * `idle: true` when the tab is hidden, `idle: false` only after fresh input (the server counts it
 * as activity), and no `idle` otherwise, so the server's idle timer decides.
 */
export function heartbeatFor(state: IdleState, isHidden: boolean, nowMs: number): HeartbeatFrame {
  if (isHidden) return { type: "heartbeat", idle: true };
  const isFresh = state.hasInputSinceHeartbeat && nowMs - state.lastInputMs < INPUT_FRESH_MS;
  return isFresh ? { type: "heartbeat", idle: false } : { type: "heartbeat" };
}

export function heartbeatSent(state: IdleState, frame: HeartbeatFrame): IdleState {
  return { ...state, hasInputSinceHeartbeat: false, saidIdle: frame.idle === true };
}

/** Notes input; `true` when it should wake the person now rather than at the next heartbeat. */
export function inputNoted(
  state: IdleState,
  nowMs: number,
  page: { isVisible: boolean; isShownIdle: boolean },
): [IdleState, boolean] {
  const next = { ...state, lastInputMs: nowMs, hasInputSinceHeartbeat: true };
  const wakes =
    (state.saidIdle || page.isShownIdle) &&
    page.isVisible &&
    nowMs - state.lastWakeMs > WAKE_SPACING_MS;
  return wakes ? [{ ...next, lastWakeMs: nowMs }, true] : [next, false];
}

/** Whether some room shows me as idle: then input should tell it I am back. */
export function isShownIdle(state: AppState): boolean {
  const me = state.me?.id;
  return (
    me !== undefined && Object.values(state.statuses).some((statuses) => statuses[me] === "idle")
  );
}
