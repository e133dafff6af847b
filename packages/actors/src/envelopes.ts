import type { TimerRef } from "./behaviour.ts";
import type { Deadline, DeadlineQueue } from "./deadlines.ts";
import { ActorError } from "./errors.ts";
import type { Mailbox } from "./mailbox.ts";
import { rethrowLater } from "./rethrow-later.ts";

/** A mailbox item that is not a plain cast. User messages are never instances of it. */
export abstract class Envelope<Msg> implements Deadline {
  dueAt = 0;
  seq = 0;
  heapIndex = -1;
  readonly msg: Msg;

  constructor(msg: Msg) {
    this.msg = msg;
  }

  abstract onDeadline(): void;
}

/** A mailbox item whose sender waits for exactly one answer: a reply or an ActorError. */
export abstract class ReplyEnvelope<Msg, Reply> extends Envelope<Msg> {
  isSettled = false;

  /** False when the sender already has its answer (a late reply is dropped). */
  abstract succeed(value: Reply): boolean;
  abstract fail(error: ActorError): void;
}

export class CallEnvelope<Msg, Reply> extends ReplyEnvelope<Msg, Reply> {
  readonly promise: Promise<Reply>;
  readonly #label: string;
  readonly #timeoutMs: number;
  readonly #deadlines: DeadlineQueue;
  #resolve: (value: Reply) => void = noop;
  #reject: (error: ActorError) => void = noop;

  constructor(msg: Msg, label: string, timeoutMs: number, deadlines: DeadlineQueue) {
    super(msg);
    this.#label = label;
    this.#timeoutMs = timeoutMs;
    this.#deadlines = deadlines;
    this.promise = new Promise<Reply>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    deadlines.schedule(this, timeoutMs);
  }

  succeed(value: Reply): boolean {
    if (this.isSettled) return false;
    this.isSettled = true;
    this.#deadlines.cancel(this);
    this.#resolve(value);
    return true;
  }

  fail(error: ActorError): void {
    if (this.isSettled) return;
    this.isSettled = true;
    this.#deadlines.cancel(this);
    this.#reject(error);
  }

  override onDeadline(): void {
    this.fail(
      new ActorError("timeout", `call to ${this.#label} timed out after ${this.#timeoutMs}ms`),
    );
  }
}

/**
 * `ask`: a call without a promise. The answer is handed to `onAnswer` at once, inside
 * `ctx.reply`, so the sender can act on it before the actor handles its next message. A deadline
 * is armed only when the ask has to wait in the mailbox (`arm`): one handled at once costs none.
 */
export class AskEnvelope<Msg, Reply> extends ReplyEnvelope<Msg, Reply> {
  readonly #onAnswer: (answer: Reply | ActorError) => void;
  readonly #label: string;
  #deadlines: DeadlineQueue | undefined;
  #timeoutMs = 0;

  constructor(msg: Msg, label: string, onAnswer: (answer: Reply | ActorError) => void) {
    super(msg);
    this.#label = label;
    this.#onAnswer = onAnswer;
  }

  arm(deadlines: DeadlineQueue, timeoutMs: number): void {
    this.#deadlines = deadlines;
    this.#timeoutMs = timeoutMs;
    deadlines.schedule(this, timeoutMs);
  }

  succeed(value: Reply): boolean {
    if (this.isSettled) return false;
    this.isSettled = true;
    this.#deadlines?.cancel(this);
    this.#answer(value);
    return true;
  }

  fail(error: ActorError): void {
    if (this.isSettled) return;
    this.isSettled = true;
    this.#deadlines?.cancel(this);
    this.#answer(error);
  }

  override onDeadline(): void {
    this.fail(
      new ActorError("timeout", `ask to ${this.#label} timed out after ${this.#timeoutMs}ms`),
    );
  }

  // The sender's bug must not crash the actor it asked, which is mid-way through a message.
  #answer(answer: Reply | ActorError): void {
    try {
      this.#onAnswer(answer);
    } catch (error) {
      rethrowLater(error);
    }
  }
}

export class TimerEnvelope<Msg> extends Envelope<Msg> implements TimerRef {
  /** False once cancelled or handled. */
  isPending = true;
  /** The incarnation that armed it: a later one drops it. */
  readonly owner: object;
  readonly #deliver: (timer: TimerEnvelope<Msg>) => void;

  constructor(msg: Msg, owner: object, deliver: (timer: TimerEnvelope<Msg>) => void) {
    super(msg);
    this.owner = owner;
    this.#deliver = deliver;
  }

  override onDeadline(): void {
    this.#deliver(this);
  }
}

/** The actor exited for good: every call or ask still queued fails with `stopped`. */
export function failQueuedCalls(mailbox: Mailbox<unknown>, label: string): void {
  while (mailbox.length > 0) {
    const item = mailbox.shift();
    if (item instanceof ReplyEnvelope) {
      item.fail(new ActorError("stopped", `${label} stopped before handling the call`));
    }
  }
}

function noop(): void {}
