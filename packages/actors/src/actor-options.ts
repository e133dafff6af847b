import type { ActorObserver } from "./behaviour.ts";
import type { Clock } from "./clock.ts";
import type { ExitReason } from "./exit-reason.ts";

export const DEFAULT_CALL_TIMEOUT_MS = 5_000;
export const DEFAULT_DRAIN_BUDGET = 1_024;

export interface SpawnOptions {
  /** Names the actor in errors and metrics; defaults to `actor-<n>`. */
  label?: string;
  clock?: Clock;
  mailboxCapacity?: number;
  /** Messages handled in one turn before yielding to I/O (a self-sending actor cannot starve it). */
  drainBudget?: number;
  observer?: ActorObserver;
}

/** Internal: the supervisor decides whether an ended incarnation is replaced. */
export interface ActorOptions extends SpawnOptions {
  shouldRestart?: (reason: ExitReason) => boolean;
}
