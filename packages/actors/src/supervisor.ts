import { Actor } from "./actor.ts";
import type { ActorRef, StartResult } from "./actor-ref.ts";
import type { ActorObserver, Behaviour } from "./behaviour.ts";
import { type Clock, realClock } from "./clock.ts";
import type { ExitReason } from "./exit-reason.ts";
import { decideRestart, type RestartType, wantsRestart } from "./restart-policy.ts";
import { rethrowLater } from "./rethrow-later.ts";

export const DEFAULT_MAX_RESTARTS = 3;
export const DEFAULT_RESTART_WINDOW_MS = 5_000;

export interface ChildSpec<Msg, State, Reply = never> {
  id: string;
  /** Called on the first start and again on every restart: pass durable state back in here. */
  start: () => Behaviour<Msg, State, Reply>;
  restart: RestartType;
  mailboxCapacity?: number;
}

export type StartChildError = "max_children" | "already_started" | "shut_down";

export type SupervisorEvent =
  | { type: "started"; id: string }
  | { type: "crashed"; id: string; error: unknown }
  | { type: "restarted"; id: string; restartsInWindow: number }
  | { type: "gave_up"; id: string; error: unknown; restartsInWindow: number }
  | { type: "stopped"; id: string; reason: ExitReason };

export interface SupervisorOptions {
  clock?: Clock;
  /** Starting one more child than this returns `max_children`. */
  maxChildren?: number;
  /** Restart intensity per child: at most `maxRestarts` restarts within `restartWindowMs`. */
  maxRestarts?: number;
  restartWindowMs?: number;
  onEvent?: (event: SupervisorEvent) => void;
  /** Passed to every child. */
  observer?: ActorObserver;
}

interface Child {
  readonly id: string;
  readonly restart: RestartType;
  /** Clock times of recent restarts, oldest first: the sliding intensity window. */
  restartTimesMs: readonly number[];
  ref: ActorRef<never, unknown> | undefined;
  lastError: unknown;
  hasGivenUp: boolean;
}

/**
 * one_for_one: a crashed child is restarted on its own, within its restart intensity; past
 * it the child is stopped and `gave_up` reported. Nothing escalates beyond the supervisor.
 */
export class Supervisor {
  readonly #clock: Clock;
  readonly #maxChildren: number;
  readonly #maxRestarts: number;
  readonly #restartWindowMs: number;
  readonly #onEvent: ((event: SupervisorEvent) => void) | undefined;
  readonly #observer: ActorObserver | undefined;
  readonly #children = new Map<string, Child>();
  #isShutDown = false;

  constructor(options: SupervisorOptions = {}) {
    this.#clock = options.clock ?? realClock;
    this.#maxChildren = options.maxChildren ?? Number.POSITIVE_INFINITY;
    this.#maxRestarts = options.maxRestarts ?? DEFAULT_MAX_RESTARTS;
    this.#restartWindowMs = options.restartWindowMs ?? DEFAULT_RESTART_WINDOW_MS;
    this.#onEvent = options.onEvent;
    this.#observer = options.observer;
  }

  get size(): number {
    return this.#children.size;
  }

  has(id: string): boolean {
    return this.#children.has(id);
  }

  childIds(): string[] {
    return [...this.#children.keys()];
  }

  startChild<Msg, State, Reply = never>(
    spec: ChildSpec<Msg, State, Reply>,
  ): StartResult<ActorRef<Msg, Reply>, StartChildError> {
    if (this.#isShutDown) return { ok: false, error: "shut_down" };
    if (this.#children.has(spec.id)) return { ok: false, error: "already_started" };
    if (this.#children.size >= this.#maxChildren) return { ok: false, error: "max_children" };
    const child: Child = {
      id: spec.id,
      restart: spec.restart,
      restartTimesMs: [],
      ref: undefined,
      lastError: undefined,
      hasGivenUp: false,
    };
    const ref = new Actor(spec.start, {
      label: spec.id,
      clock: this.#clock,
      mailboxCapacity: spec.mailboxCapacity,
      observer: this.#observer,
      shouldRestart: (reason) => this.#shouldRestart(child, reason),
    });
    child.ref = ref;
    this.#children.set(spec.id, child);
    ref.onExit((reason) => this.#onChildExit(child, reason));
    this.#emit({ type: "started", id: spec.id });
    return { ok: true, ref };
  }

  /** Stops the child for good whatever its restart type; false when there is no such child. */
  async terminateChild(id: string, detail?: string): Promise<boolean> {
    const ref = this.#children.get(id)?.ref;
    if (ref === undefined) return false;
    await ref.stop(detail);
    return true;
  }

  /** Stops every child and refuses new ones. */
  async shutdown(detail?: string): Promise<void> {
    this.#isShutDown = true;
    const refs = [...this.#children.values()].map((child) => child.ref);
    await Promise.all(refs.map((ref) => ref?.stop(detail)));
  }

  /** An incarnation ended: a crash is recorded and reported, then `decideRestart` rules. */
  #shouldRestart(child: Child, reason: ExitReason): boolean {
    if (reason.kind === "crashed") {
      child.lastError = reason.error;
      this.#emit({ type: "crashed", id: child.id, error: reason.error });
    }
    if (!wantsRestart(child.restart, reason) || this.#isShutDown) return false;
    const { isRestarting, timesMs } = decideRestart(child.restartTimesMs, this.#clock.now(), {
      maxRestarts: this.#maxRestarts,
      windowMs: this.#restartWindowMs,
    });
    child.restartTimesMs = timesMs;
    child.hasGivenUp = !isRestarting;
    if (isRestarting) {
      this.#emit({ type: "restarted", id: child.id, restartsInWindow: timesMs.length });
    }
    return isRestarting;
  }

  #onChildExit(child: Child, reason: ExitReason): void {
    if (this.#children.get(child.id) === child) this.#children.delete(child.id);
    if (child.hasGivenUp) {
      const restartsInWindow = child.restartTimesMs.length;
      this.#emit({ type: "gave_up", id: child.id, error: child.lastError, restartsInWindow });
    } else {
      this.#emit({ type: "stopped", id: child.id, reason });
    }
  }

  #emit(event: SupervisorEvent): void {
    const onEvent = this.#onEvent;
    if (onEvent === undefined) return;
    try {
      onEvent(event);
    } catch (error) {
      rethrowLater(error);
    }
  }
}
