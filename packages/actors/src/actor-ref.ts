import type { ActorError } from "./errors.ts";
import type { ExitReason } from "./exit-reason.ts";

export type SendError = "mailbox_full" | "stopped";
export type SendResult = { readonly ok: true } | { readonly ok: false; readonly error: SendError };

export const SENT: SendResult = Object.freeze({ ok: true });
export const MAILBOX_FULL: SendResult = Object.freeze({ ok: false, error: "mailbox_full" });
export const STOPPED: SendResult = Object.freeze({ ok: false, error: "stopped" });

export type StartResult<Ref, E extends string> =
  | { readonly ok: true; readonly ref: Ref }
  | { readonly ok: false; readonly error: E };

/** Stable address of an actor; supervised refs stay valid across restarts. */
export interface ActorRef<Msg, Reply = never> {
  readonly label: string;
  /** False once the actor has exited for good. */
  readonly isAlive: boolean;
  /** Messages waiting in the mailbox now (for metrics sampled at scrape time). */
  readonly mailboxLength: number;
  /** Fire-and-forget; an expected failure is a value, never a throw. */
  send(msg: Msg): SendResult;
  /** Request/reply; rejects with an ActorError (timeout, stopped, mailbox_full, crashed, no_reply). */
  call(msg: Msg, timeoutMs?: number): Promise<Reply>;
  /**
   * Request/reply without a promise: an idle actor handles it before `ask` returns, a busy one
   * queues it like `send` (refused alike: no answer). Else `onAnswer` runs once, inside
   * `ctx.reply` or with an ActorError (a queued ask times out after `timeoutMs`); see README.md.
   */
  ask(msg: Msg, onAnswer: (answer: Reply | ActorError) => void, timeoutMs?: number): SendResult;
  /** Stops after the message in progress; resolves once `terminate` has run. */
  stop(detail?: string): Promise<ExitReason>;
  /** Called once when the actor exits for good (not on a supervised restart). */
  onExit(listener: (reason: ExitReason) => void): () => void;
}
