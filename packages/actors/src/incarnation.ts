import type { ActorRef } from "./actor-ref.ts";
import type { ActorContext, ActorObserver, Behaviour, TimerRef } from "./behaviour.ts";
import type { Clock } from "./clock.ts";
import type { DeadlineQueue } from "./deadlines.ts";
import { TimerEnvelope } from "./envelopes.ts";
import type { ExitReason } from "./exit-reason.ts";

/** What the actor lends each incarnation, as closures so the actor's fields stay private. */
export interface ActorPort<Msg, Reply> {
  readonly self: ActorRef<Msg, Reply>;
  readonly clock: Clock;
  readonly deadlines: DeadlineQueue;
  readonly observer: ActorObserver | undefined;
  reply(value: Reply): boolean;
  requestStop(reason: ExitReason): void;
  deliverTimer(timer: TimerEnvelope<Msg>): void;
}

/**
 * One life of an actor, from `init` to `terminate`, with the timers it armed. A restart makes a
 * fresh one; once over, its context goes inert and its timers can no longer deliver.
 */
export class Incarnation<Msg, State, Reply> {
  readonly behaviour: Behaviour<Msg, State, Reply>;
  readonly ctx: ActorContext<Msg, Reply>;
  state: State | undefined;
  hasState = false;
  isOver = false;
  readonly #port: ActorPort<Msg, Reply>;
  #timers: Set<TimerEnvelope<Msg>> | undefined;

  constructor(behaviour: Behaviour<Msg, State, Reply>, port: ActorPort<Msg, Reply>) {
    this.behaviour = behaviour;
    this.#port = port;
    this.ctx = {
      self: port.self,
      clock: port.clock,
      reply: (value) => !this.isOver && port.reply(value),
      sendAfter: (delayMs, msg) => this.#sendAfter(delayMs, msg),
      cancelTimer: (timer) => this.#cancelTimer(timer),
      stop: (detail) => {
        if (!this.isOver) port.requestStop({ kind: "normal", detail });
      },
    };
  }

  /** True for a timer of this incarnation that is still owed a delivery. */
  ownsPending(timer: TimerEnvelope<Msg>): boolean {
    return timer.isPending && timer.owner === this;
  }

  /** Cancels the timers, then runs `terminate` if `init` succeeded; `done` runs once either way. */
  end(reason: ExitReason, done: () => void): void {
    this.isOver = true;
    this.#cancelTimers();
    const behaviour = this.behaviour;
    if (!this.hasState || behaviour.terminate === undefined) {
      done();
      return;
    }
    let result: undefined | Promise<void>;
    try {
      result = behaviour.terminate(reason, this.state as State, this.ctx);
    } catch (error) {
      this.#terminateFailed(error);
      done();
      return;
    }
    if (result instanceof Promise) {
      result.then(done, (error: unknown) => {
        this.#terminateFailed(error);
        done();
      });
    } else {
      done();
    }
  }

  #terminateFailed(error: unknown): void {
    const { observer, self } = this.#port;
    if (observer?.terminateFailed !== undefined) observer.terminateFailed(self.label, error);
    else process.emitWarning(`${self.label}: terminate threw: ${String(error)}`, "ActorWarning");
  }

  #sendAfter(delayMs: number, msg: Msg): TimerRef {
    const timer = new TimerEnvelope(msg, this, this.#deliver);
    if (this.isOver) {
      timer.isPending = false;
      return timer;
    }
    if (this.#timers === undefined) this.#timers = new Set();
    this.#timers.add(timer);
    this.#port.deadlines.schedule(timer, delayMs);
    return timer;
  }

  #deliver = (timer: TimerEnvelope<Msg>): void => {
    this.#timers?.delete(timer);
    this.#port.deliverTimer(timer);
  };

  #cancelTimer(timer: TimerRef): boolean {
    if (!(timer instanceof TimerEnvelope) || !this.ownsPending(timer)) return false;
    timer.isPending = false;
    this.#port.deadlines.cancel(timer);
    this.#timers?.delete(timer);
    return true;
  }

  #cancelTimers(): void {
    const timers = this.#timers;
    if (timers === undefined) return;
    this.#timers = undefined;
    for (const timer of timers) {
      timer.isPending = false;
      this.#port.deadlines.cancel(timer);
    }
  }
}
