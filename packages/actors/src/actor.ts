import {
  type ActorOptions,
  DEFAULT_CALL_TIMEOUT_MS,
  DEFAULT_DRAIN_BUDGET,
} from "./actor-options.ts";
import { type ActorRef, MAILBOX_FULL, SENT, type SendResult, STOPPED } from "./actor-ref.ts";
import type { ActorObserver, Behaviour } from "./behaviour.ts";
import { type Clock, realClock } from "./clock.ts";
import { deadlinesFor } from "./deadlines.ts";
import {
  AskEnvelope,
  CallEnvelope,
  Envelope,
  failQueuedCalls,
  ReplyEnvelope,
  type TimerEnvelope,
} from "./envelopes.ts";
import { ActorError } from "./errors.ts";
import type { ExitReason } from "./exit-reason.ts";
import { ExitSignal } from "./exit-signal.ts";
import { type ActorPort, Incarnation } from "./incarnation.ts";
import { Mailbox } from "./mailbox.ts";

type Phase = "starting" | "idle" | "scheduled" | "draining" | "waiting" | "stopped";
type Item<Msg, Reply> = Msg | ReplyEnvelope<Msg, Reply> | TimerEnvelope<Msg>;

const SHUTDOWN: ExitReason = Object.freeze({ kind: "shutdown" });
let actorCount = 0;

/**
 * The mailbox and ref outlive incarnations: a restart calls `start` again and re-runs `init`
 * on the same mailbox, so the ref that callers hold stays valid.
 */
export class Actor<Msg, State, Reply> implements ActorRef<Msg, Reply> {
  readonly label: string;
  readonly #start: () => Behaviour<Msg, State, Reply>;
  readonly #clock: Clock;
  readonly #mailbox: Mailbox<Item<Msg, Reply>>;
  readonly #drainBudget: number;
  readonly #observer: ActorObserver | undefined;
  readonly #shouldRestart: ((reason: ExitReason) => boolean) | undefined;
  readonly #port: ActorPort<Msg, Reply>;

  #phase: Phase = "starting";
  /** Set by an outside stop or the final exit: new messages are refused. */
  #isClosed = false;
  #stopRequest: ExitReason | undefined;
  readonly #exited = new ExitSignal();
  #life: Incarnation<Msg, State, Reply> | undefined;
  #currentCall: ReplyEnvelope<Msg, Reply> | undefined;
  #handleStartedAt = 0;

  constructor(start: () => Behaviour<Msg, State, Reply>, options: ActorOptions) {
    this.label = options.label ?? `actor-${++actorCount}`;
    this.#start = start;
    this.#clock = options.clock ?? realClock;
    this.#mailbox = new Mailbox(options.mailboxCapacity);
    this.#drainBudget = options.drainBudget ?? DEFAULT_DRAIN_BUDGET;
    this.#observer = options.observer;
    this.#shouldRestart = options.shouldRestart;
    this.#port = {
      self: this,
      clock: this.#clock,
      deadlines: deadlinesFor(this.#clock),
      observer: this.#observer,
      reply: (value) => this.#currentCall?.succeed(value) === true,
      requestStop: (reason) => this.#requestStop(reason, false),
      deliverTimer: (timer) => {
        this.#mailbox.pushUnbounded(timer);
        this.#afterEnqueue();
      },
    };
    queueMicrotask(this.#startIncarnation);
  }

  get isAlive(): boolean {
    return this.#phase !== "stopped";
  }

  get mailboxLength(): number {
    return this.#mailbox.length;
  }

  send(msg: Msg): SendResult {
    if (this.#isClosed) return STOPPED;
    if (!this.#mailbox.push(msg)) return MAILBOX_FULL;
    this.#afterEnqueue();
    return SENT;
  }

  call(msg: Msg, timeoutMs: number = DEFAULT_CALL_TIMEOUT_MS): Promise<Reply> {
    if (this.#isClosed) {
      return Promise.reject(new ActorError("stopped", `${this.label} is stopped`));
    }
    if (this.#mailbox.isFull) {
      const message = `${this.label}'s mailbox is full (${this.#mailbox.capacity} messages)`;
      return Promise.reject(new ActorError("mailbox_full", message));
    }
    const call = new CallEnvelope<Msg, Reply>(msg, this.label, timeoutMs, this.#port.deadlines);
    this.#mailbox.push(call);
    this.#afterEnqueue();
    return call.promise;
  }

  ask(msg: Msg, onAnswer: (answer: Reply | ActorError) => void, timeoutMs?: number): SendResult {
    if (this.#isClosed) return STOPPED;
    const ask = new AskEnvelope<Msg, Reply>(msg, this.label, onAnswer);
    if (this.#phase === "idle") {
      // Nothing waits (idle means an empty mailbox and no stop requested): handling it now,
      // on the caller's stack, keeps the order and spares a turn of the microtask queue.
      this.#phase = "draining";
      if (this.#dispatch(ask)) this.#afterHandledAtOnce();
      return SENT;
    }
    if (!this.#mailbox.push(ask)) return MAILBOX_FULL;
    if (timeoutMs !== undefined) ask.arm(this.#port.deadlines, timeoutMs);
    this.#afterEnqueue();
    return SENT;
  }

  stop(detail?: string): Promise<ExitReason> {
    const exited = this.#exited.wait();
    if (!this.#isClosed) {
      this.#isClosed = true;
      this.#requestStop(detail === undefined ? SHUTDOWN : { kind: "shutdown", detail }, true);
    }
    return exited;
  }

  onExit(listener: (reason: ExitReason) => void): () => void {
    return this.#exited.listen(listener);
  }

  #afterEnqueue(): void {
    this.#observer?.mailboxDepth?.(this.label, this.#mailbox.length);
    this.#wake();
  }

  #requestStop(reason: ExitReason, isOverriding: boolean): void {
    if (isOverriding || this.#stopRequest === undefined) this.#stopRequest = reason;
    this.#wake();
  }

  /** An idle actor drains on the next microtask; a busy one gets there by itself. */
  #wake(): void {
    if (this.#phase !== "idle") return;
    this.#phase = "scheduled";
    queueMicrotask(this.#drain);
  }

  // --- the handle loop: one message at a time, synchronous results never awaited ---------

  #drain = (): void => {
    if (this.#phase !== "scheduled") return;
    this.#phase = "draining";
    this.#drainLoop();
  };

  #drainLoop(): void {
    const mailbox = this.#mailbox;
    let budget = this.#drainBudget;
    while (this.#stopRequest === undefined) {
      if (mailbox.length === 0) {
        this.#phase = "idle";
        return;
      }
      if (budget-- === 0) {
        this.#phase = "scheduled";
        setImmediate(this.#drain);
        return;
      }
      if (!this.#dispatch(mailbox.shift())) return;
    }
    this.#endIncarnation(this.#stopRequest);
  }

  /** Handles one item; false when the loop must not continue synchronously. */
  #dispatch(item: Item<Msg, Reply>): boolean {
    const life = this.#life as Incarnation<Msg, State, Reply>;
    let msg: Msg;
    if (!(item instanceof Envelope)) {
      msg = item;
    } else if (item instanceof ReplyEnvelope) {
      this.#currentCall = item;
      msg = item.msg;
    } else {
      if (!life.ownsPending(item)) return true;
      item.isPending = false;
      msg = item.msg;
    }
    const startedAt = this.#observer?.messageHandled === undefined ? 0 : this.#clock.now();
    let result: State | Promise<State>;
    try {
      result = life.behaviour.handle(msg, life.state as State, life.ctx);
    } catch (error) {
      this.#crash(error);
      return false;
    }
    if (result instanceof Promise) {
      this.#phase = "waiting";
      this.#handleStartedAt = startedAt;
      result.then(this.#onHandled, this.#crash);
      return false;
    }
    life.state = result;
    this.#finishMessage(startedAt);
    return true;
  }

  /** What arrived while a message was handled on a caller's stack waits for its own turn. */
  #afterHandledAtOnce(): void {
    this.#phase = "idle";
    if (this.#stopRequest !== undefined || this.#mailbox.length > 0) this.#wake();
  }

  #onHandled = (state: State): void => {
    (this.#life as Incarnation<Msg, State, Reply>).state = state;
    this.#finishMessage(this.#handleStartedAt);
    this.#phase = "draining";
    this.#drainLoop();
  };

  #finishMessage(startedAt: number): void {
    const call = this.#currentCall;
    if (call !== undefined) {
      this.#currentCall = undefined;
      if (!call.isSettled) {
        call.fail(new ActorError("no_reply", `${this.label} handled the call without replying`));
      }
    }
    const observer = this.#observer;
    if (observer?.messageHandled !== undefined) {
      observer.messageHandled(this.label, this.#clock.now() - startedAt);
    }
  }

  #crash = (error: unknown): void => {
    const call = this.#currentCall;
    if (call !== undefined) {
      this.#currentCall = undefined;
      const message = `${this.label} crashed while handling the call`;
      call.fail(new ActorError("crashed", message, { cause: error }));
    }
    this.#endIncarnation({ kind: "crashed", error });
  };

  // --- lifecycle: start → init → handle loop → terminate → restart or exit ---------------

  #startIncarnation = (): void => {
    if (this.#isClosed) {
      this.#exit(this.#stopRequest ?? SHUTDOWN);
      return;
    }
    this.#phase = "waiting";
    let result: State | Promise<State>;
    try {
      const life = new Incarnation(this.#start(), this.#port);
      this.#life = life;
      result = life.behaviour.init(life.ctx);
    } catch (error) {
      this.#crash(error);
      return;
    }
    if (result instanceof Promise) result.then(this.#onInitDone, this.#crash);
    else this.#onInitDone(result);
  };

  #onInitDone = (state: State): void => {
    const life = this.#life as Incarnation<Msg, State, Reply>;
    life.state = state;
    life.hasState = true;
    this.#phase = "draining";
    this.#drainLoop();
  };

  #endIncarnation(reason: ExitReason): void {
    this.#phase = "waiting";
    const life = this.#life;
    this.#life = undefined;
    const afterTerminate = (): void => this.#afterTerminate(reason);
    if (life === undefined) afterTerminate();
    else life.end(reason, afterTerminate);
  }

  #afterTerminate(reason: ExitReason): void {
    this.#stopRequest = undefined;
    const isRestarting = !this.#isClosed && this.#shouldRestart?.(reason) === true;
    // A restart is queued rather than run inline so a crash loop cannot grow the stack.
    if (isRestarting) queueMicrotask(this.#startIncarnation);
    else this.#exit(reason);
  }

  #exit(reason: ExitReason): void {
    this.#phase = "stopped";
    this.#isClosed = true;
    failQueuedCalls(this.#mailbox, this.label);
    this.#exited.fire(reason);
  }
}
