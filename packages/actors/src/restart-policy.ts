import type { ExitReason } from "./exit-reason.ts";

/** permanent: always restarted; transient: only after a crash; temporary: never. */
export type RestartType = "permanent" | "transient" | "temporary";

export function wantsRestart(restart: RestartType, reason: ExitReason): boolean {
  return restart === "permanent" || (restart === "transient" && reason.kind === "crashed");
}

/** The restart times still inside the window, oldest first, with the one at `nowMs` added. */
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

interface RestartDecision {
  isRestarting: boolean;
  /** The child's restart window from now on. */
  timesMs: readonly number[];
}

/**
 * OTP's `add_restart`: one more restart at `nowMs`, allowed while the window holds at most
 * `maxRestarts`. Refused, the window keeps the restarts it counted, not the one refused.
 */
export function decideRestart(
  timesMs: readonly number[],
  nowMs: number,
  intensity: { maxRestarts: number; windowMs: number },
): RestartDecision {
  const restarts = restartsInWindow(timesMs, nowMs, intensity.windowMs);
  const isRestarting = restarts.length <= intensity.maxRestarts;
  return { isRestarting, timesMs: isRestarting ? restarts : restarts.slice(0, -1) };
}
