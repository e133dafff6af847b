import type { Clock } from "../clock.ts";
import { settle } from "./settle.ts";

interface ManualTimer {
  readonly dueAt: number;
  readonly seq: number;
  readonly callback: () => void;
}

/** A clock that only moves when a test says so. */
export class ManualClock implements Clock {
  #nowMs: number;
  #nextSeq = 0;
  #timers: ManualTimer[] = [];
  #setTimeoutCount = 0;

  constructor(startMs = 0) {
    this.#nowMs = startMs;
  }

  now(): number {
    return this.#nowMs;
  }

  setTimeout(callback: () => void, delayMs: number): unknown {
    this.#setTimeoutCount++;
    const timer = { dueAt: this.#nowMs + Math.max(delayMs, 0), seq: this.#nextSeq++, callback };
    this.#timers.push(timer);
    return timer;
  }

  clearTimeout(handle: unknown): void {
    this.#timers = this.#timers.filter((timer) => timer !== handle);
  }

  get pendingTimerCount(): number {
    return this.#timers.length;
  }

  /** How many timers were ever armed: lets tests prove work shares one timer. */
  get setTimeoutCount(): number {
    return this.#setTimeoutCount;
  }

  /**
   * Moves time forward by `durationMs`, firing due timers in order, each at its own due time, and
   * letting queued work settle after each one (so a handler that re-arms a timer is seen).
   */
  async advance(durationMs: number): Promise<void> {
    await settle();
    const targetMs = this.#nowMs + durationMs;
    for (
      let timer = this.#nextDue(targetMs);
      timer !== undefined;
      timer = this.#nextDue(targetMs)
    ) {
      this.#timers = this.#timers.filter((other) => other !== timer);
      this.#nowMs = timer.dueAt;
      timer.callback();
      await settle();
    }
    this.#nowMs = targetMs;
    await settle();
  }

  #nextDue(targetMs: number): ManualTimer | undefined {
    let next: ManualTimer | undefined;
    for (const timer of this.#timers) {
      if (timer.dueAt > targetMs) continue;
      if (
        next === undefined ||
        timer.dueAt < next.dueAt ||
        (timer.dueAt === next.dueAt && timer.seq < next.seq)
      ) {
        next = timer;
      }
    }
    return next;
  }
}
