// When to tell the room we are typing: at most one typing_start every 2 s while keys come in,
// and one typing_stop when we send, blur or clear the box — never a stop without a start.
const TYPING_RESEND_MS = 2_000;

export interface TypingState {
  /** When the last typing_start went out, or null when the room thinks we are not typing. */
  lastStartMs: number | null;
}

export const NOT_TYPING: TypingState = { lastStartMs: null };

export type TypingSignal = "typing_start" | "typing_stop" | null;

export function onInput(
  state: TypingState,
  text: string,
  nowMs: number,
): [TypingState, TypingSignal] {
  if (text.trim() === "") return onStop(state);
  if (state.lastStartMs !== null && nowMs - state.lastStartMs < TYPING_RESEND_MS) {
    return [state, null];
  }
  return [{ lastStartMs: nowMs }, "typing_start"];
}

/** Sending, blurring or emptying the box. */
export function onStop(state: TypingState): [TypingState, TypingSignal] {
  if (state.lastStartMs === null) return [state, null];
  return [NOT_TYPING, "typing_stop"];
}
