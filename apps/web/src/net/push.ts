// Frames that wait for a reply, as Phoenix's Push: each goes out with a fresh ref, the ack,
// group_state or error carrying that ref answers it, and a timeout answers when nothing does.
// What a reply means is the sender's hook.
import type {
  AckFrame,
  ClientFrame,
  EditFrame,
  ErrorFrame,
  GroupStateFrame,
  JoinFrame,
  ReactFrame,
  SendFrame,
  ServerFrame,
  UnsendFrame,
} from "@clofri/protocol";
import type { Cancel, Timers } from "./timers.ts";

export type PushReply =
  | { status: "ok"; frame: AckFrame | GroupStateFrame }
  | { status: "error"; frame: ErrorFrame }
  | { status: "timeout" };

type WithoutRef<T> = T extends unknown ? Omit<T, "ref"> : never;

export type PushFrame = WithoutRef<JoinFrame | SendFrame | UnsendFrame | EditFrame | ReactFrame>;

export interface PushOptions {
  /** Answers "timeout" after this long; a reply after that still counts (the server took it). */
  timeoutMs?: number;
  onReply: (reply: PushReply) => void;
}

interface Push {
  frame: PushFrame;
  onReply: (reply: PushReply) => void;
  cancelTimeout: Cancel | null;
  hasTimedOut: boolean;
}

export class Pushes {
  #lastRef = 0;
  readonly #byRef = new Map<string, Push>();
  readonly #timers: Timers;

  constructor(timers: Timers) {
    this.#timers = timers;
  }

  /** Sends `frame` with a fresh ref through `transmit`; false, and nothing waits, if it could not go. */
  push(frame: PushFrame, options: PushOptions, transmit: (frame: ClientFrame) => boolean): boolean {
    const ref = String(this.#lastRef + 1);
    if (!transmit({ ...frame, ref })) return false;
    this.#lastRef += 1;
    const push: Push = { frame, onReply: options.onReply, cancelTimeout: null, hasTimedOut: false };
    if (options.timeoutMs !== undefined) {
      push.cancelTimeout = this.#timers.after(options.timeoutMs, () => {
        push.cancelTimeout = null;
        push.hasTimedOut = true;
        push.onReply({ status: "timeout" });
      });
    }
    this.#byRef.set(ref, push);
    return true;
  }

  /** Hands a reply to the push it answers; any other frame passes by. */
  settle(frame: ServerFrame): void {
    if (frame.type !== "ack" && frame.type !== "group_state" && frame.type !== "error") return;
    const push = frame.ref === undefined ? undefined : this.#byRef.get(frame.ref);
    if (!push || frame.ref === undefined) return;
    this.#byRef.delete(frame.ref);
    push.cancelTimeout?.();
    push.onReply(frame.type === "error" ? { status: "error", frame } : { status: "ok", frame });
  }

  /** Whether a push matching `test` is out and has neither been answered nor timed out. */
  isWaiting(test: (frame: PushFrame) => boolean): boolean {
    for (const push of this.#byRef.values()) if (!push.hasTimedOut && test(push.frame)) return true;
    return false;
  }

  /** The socket is gone: nothing answers these any more. */
  clear(): void {
    for (const push of this.#byRef.values()) push.cancelTimeout?.();
    this.#byRef.clear();
  }
}
