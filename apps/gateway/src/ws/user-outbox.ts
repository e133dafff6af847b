import type { Clock } from "@clofri/actors";
import type { UserDelivery } from "../chat/room-port.ts";

export interface UserOutboxDeps {
  /** Publishes one person's frames, in order, on their user topic. */
  publish(userId: string, texts: readonly string[]): void;
  /** The rooms the person's sockets here have joined. */
  roomsOf(userId: string): ReadonlySet<string>;
  clock: Clock;
  /** How long a frame that may wait waits at most for a ride. */
  maxWaitMs: number;
}

/** One person's frames waiting to go; `isDone` once published or dropped. */
interface Pending {
  readonly userId: string;
  readonly texts: string[];
  isDue: boolean;
  isDone: boolean;
}

/**
 * Each person's frames, published together: one that may wait rides on the next event of a room
 * the person is in here (one `send(2)` for both), for `maxWaitMs` at most; the rest go at the end
 * of the turn (docs/DECISIONS.md, "Coalesced activity rides on the person's next write").
 */
export class UserOutbox {
  readonly #deps: UserOutboxDeps;
  /** userId → their frames not yet published, oldest first. */
  readonly #pending = new Map<string, Pending>();
  /** What goes at the end of this turn. */
  #dueNow: Pending[] = [];
  /** groupId → who waits for that room's next event (some may have gone another way since). */
  readonly #waitingIn = new Map<string, Pending[]>();
  #immediate: NodeJS.Immediate | undefined;
  #timer: unknown;

  constructor(deps: UserOutboxDeps) {
    this.#deps = deps;
  }

  add(deliveries: readonly UserDelivery[], mayWait: boolean): void {
    for (const { userId, text } of deliveries) {
      let pending = this.#pending.get(userId);
      if (pending === undefined) {
        pending = { userId, texts: [text], isDue: false, isDone: false };
        this.#pending.set(userId, pending);
        if (mayWait && this.#wait(pending)) continue;
      } else {
        pending.texts.push(text);
        if (mayWait || pending.isDue) continue;
      }
      pending.isDue = true;
      this.#dueNow.push(pending);
    }
    if (this.#dueNow.length > 0) this.#immediate ??= setImmediate(this.#flushDue);
  }

  /** A room published an event to its sockets: who waits on it rides along. */
  roomPublished(groupId: string): void {
    const waiting = this.#waitingIn.get(groupId);
    if (waiting === undefined) return;
    this.#waitingIn.delete(groupId);
    for (const pending of waiting) this.#publish(pending);
  }

  /** Publishes the person's frames now (they ride on a write, or must precede what follows). */
  flush(userId: string): void {
    const pending = this.#pending.get(userId);
    if (pending !== undefined) this.#publish(pending);
  }

  /** The person's last socket here closed: what waited for them is stale by their next hello. */
  discard(userId: string): void {
    const pending = this.#pending.get(userId);
    if (pending === undefined) return;
    pending.isDone = true;
    this.#pending.delete(userId);
  }

  #publish(pending: Pending): void {
    if (pending.isDone) return;
    pending.isDone = true;
    this.#pending.delete(pending.userId);
    this.#deps.publish(pending.userId, pending.texts);
  }

  /** True when the person sits in a room here, whose next event they now wait for. */
  #wait(pending: Pending): boolean {
    const rooms = this.#deps.roomsOf(pending.userId);
    if (rooms.size === 0) return false;
    for (const groupId of rooms) {
      const waiting = this.#waitingIn.get(groupId);
      if (waiting === undefined) this.#waitingIn.set(groupId, [pending]);
      else waiting.push(pending);
    }
    if (this.#timer === undefined) {
      const { clock, maxWaitMs } = this.#deps;
      this.#timer = clock.setTimeout(this.#flushWaiting, maxWaitMs);
      clock.setKeepAlive?.(this.#timer, false);
    }
    return true;
  }

  readonly #flushDue = (): void => {
    this.#immediate = undefined;
    const due = this.#dueNow;
    this.#dueNow = [];
    for (const pending of due) this.#publish(pending);
  };

  /** The wait is up: whoever still waits goes now (the longest waited at most `maxWaitMs`). */
  readonly #flushWaiting = (): void => {
    this.#timer = undefined;
    const waiting = [...this.#waitingIn.values()];
    this.#waitingIn.clear();
    for (const list of waiting) for (const pending of list) this.#publish(pending);
  };
}
