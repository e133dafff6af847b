import type { ExitReason } from "./exit-reason.ts";

/** permanent: always restarted; transient: only after a crash; temporary: never. */
export type RestartType = "permanent" | "transient" | "temporary";

export function wantsRestart(restart: RestartType, reason: ExitReason): boolean {
  return restart === "permanent" || (restart === "transient" && reason.kind === "crashed");
}

/**
 * OTP's `add_restart`: the restart times still inside the window, oldest first, with the one at
 * `nowMs` added. More than the restart intensity allows, and the child is given up.
 */
export function restartsInWindow(
  timesMs: readonly number[],
  nowMs: number,
  windowMs: number,
): number[] {
  const windowStartMs = nowMs - windowMs;
  const restarts = timesMs.filter((timeMs) => timeMs > windowStartMs);
  restarts.push(nowMs);
  return restarts;
}
