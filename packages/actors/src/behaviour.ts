import type { ActorRef } from "./actor-ref.ts";
import type { Clock } from "./clock.ts";
import type { ExitReason } from "./exit-reason.ts";

/** Handle to a pending `ctx.sendAfter`. */
export interface TimerRef {
  readonly dueAt: number;
}

export interface ActorContext<Msg, Reply = never> {
  readonly self: ActorRef<Msg, Reply>;
  readonly clock: Clock;
  /** Answers the call being handled; false for a cast, a timed-out call or a second reply. */
  reply(value: Reply): boolean;
  /** Delivers `msg` to this actor later; cancelled if the actor stops or crashes first. */
  sendAfter(delayMs: number, msg: Msg): TimerRef;
  /** True when the timer was still pending: its message will not be handled. */
  cancelTimer(timer: TimerRef): boolean;
  /** Stops after the current message; queued messages are dropped, queued calls rejected. */
  stop(detail?: string): void;
}

/**
 * What an actor does. `handle` returns the next state (it may mutate and return the same
 * object); returning a promise keeps every later message waiting until it settles.
 * A throw or rejection in `init` or `handle` is a crash.
 */
export interface Behaviour<Msg, State, Reply = never> {
  init(ctx: ActorContext<Msg, Reply>): State | Promise<State>;
  handle(msg: Msg, state: State, ctx: ActorContext<Msg, Reply>): State | Promise<State>;
  /** Runs once per incarnation whose `init` succeeded, after its timers are cancelled. */
  terminate?(
    reason: ExitReason,
    state: State,
    ctx: ActorContext<Msg, Reply>,
  ): undefined | Promise<void>;
}

/** Optional metrics hooks; with none set the hot path only pays a field check per message. */
export interface ActorObserver {
  /** After each enqueue, with the number of messages now waiting. */
  mailboxDepth?(label: string, depth: number): void;
  /** After each message, with the clock time from dequeue to the settled result. */
  messageHandled?(label: string, durationMs: number): void;
  /** A bug in `terminate`; without this hook it becomes a process warning. */
  terminateFailed?(label: string, error: unknown): void;
}
